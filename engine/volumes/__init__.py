"""Volumes and mounts: named and anonymous volumes under the engine root, Docker's
-v/--mount/--tmpfs/--volumes-from rules, and the mount points a container gets."""
