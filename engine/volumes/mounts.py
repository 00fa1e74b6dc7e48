"""A container's mounts: decided at create (Docker's registerMountPoints), made real
at start (as rootfs.BindMount specs the container's first process mounts)."""
from __future__ import annotations

import os

from ..errors import InvalidParameter, NotFound, System
from ..runtime.rootfs import BindMount
from . import specs
from .store import VolumeStore, name_error


def check(engine, host, volumes=()) -> list[dict]:
    """The mount points the user asked for (-v, --mount, --tmpfs, and `volumes`, the
    anonymous -v ones), each checked with the daemon's rules before anything else
    happens, the image's download included."""
    points, asked = [], set()
    for raw in volumes:
        try:
            specs.check_anonymous(raw)
        except specs.MountConfigError as e:
            raise InvalidParameter(f"invalid volume specification: '{raw}': {e.message}") \
                from None
    requested = [specs.parse_bind(raw) for raw in host.binds or ()]
    requested += [specs.parse_mount(m) for m in host.mounts or ()]
    requested = [_engine_socket(engine, mp) for mp in requested]
    for mp in requested:
        dest = mp["Destination"]
        if dest in asked:
            raise InvalidParameter(f"Duplicate mount point: {dest}")
        asked.add(dest)
        if mp["Type"] == "volume" and mp["Name"]:
            problem = name_error(mp["Name"])
            if problem:
                raise InvalidParameter(f"create {mp['Name']}: {problem}")
        if mp.get("SkipMountpointCreation") and not os.path.exists(mp["Source"]):
            raise specs.MountConfigError("bind", "bind source path does not exist: "
                                         + mp["Source"])
        points.append(mp)
    for dest, _ in host.tmpfs or ():
        specs.check_tmpfs(dest)
        if os.path.normpath(dest) in asked:
            raise InvalidParameter(f"Duplicate mount point: {os.path.normpath(dest)}")
    for ref_spec in host.volumes_from or ():
        engine.container(specs.parse_volumes_from(ref_spec)[0])
    return points


DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


def _engine_socket(engine, mp: dict) -> dict:
    """`-v /var/run/docker.sock:...` names Docker's socket: here that is this engine's
    Engine API (`dockerlings engine serve`), so a container given it drives its
    siblings, as with Docker. Its Source in inspect says where it really is."""
    if mp["Type"] != "bind" or mp["Source"] not in DOCKER_SOCKETS:
        return mp
    path = os.path.join(str(engine.paths.run), "docker.sock")
    if not os.path.exists(path):
        raise specs.MountConfigError("bind", f"bind source path does not exist: {path}",
                                     hint=f"{mp['Source']} is this engine's API socket, "
                                          "there while it is served: run `dockerlings "
                                          "engine serve -d` first")
    return {**mp, "Source": path, "SkipMountpointCreation": True}


def plan(engine, config, host, requested: list[dict]) -> list[dict]:
    """Every mount point the new container gets: --volumes-from first, then the
    requested ones (check()) over them, then anonymous volumes for the VOLUMEs (the
    image's and -v's) that nothing else covers. Volume names are still to be claimed
    (claim() does it, under the engine lock)."""
    points: dict[str, dict] = {}
    for ref_spec in host.volumes_from or ():
        ref, mode = specs.parse_volumes_from(ref_spec)
        for m in engine.container(ref).mounts:
            points[m["Destination"]] = specs.inherited(m, mode)
    for mp in requested:
        points[mp["Destination"]] = mp
    tmpfs = {os.path.normpath(d) for d, _ in host.tmpfs or ()}
    for vol in config.volumes:
        dest = os.path.normpath(vol)
        if dest not in points and dest not in tmpfs:
            points[dest] = specs.mount_point("volume", dest, copy=True,
                                             spec={"Type": "volume", "Source": "",
                                                   "Target": dest})
    return list(points.values())


def claim(engine, points: list[dict]) -> list[dict]:
    """Create the volumes the mount points name (named ones on first use, a fresh one
    for each anonymous mount) and fill in their sources. Call with the engine lock."""
    store = VolumeStore(str(engine.paths.root))
    out = []
    for mp in points:
        if mp["Type"] == "volume":
            mp = dict(mp)
            if not mp["Name"]:
                mp["Name"] = store.create_anonymous()
            else:
                store.create(mp["Name"])
            mp["Source"] = store.data(mp["Name"])
        out.append(mp)
    return out


def release_new(engine, points: list[dict]) -> None:
    """Undo claim() for a create that failed after it: drop the anonymous volumes."""
    VolumeStore(str(engine.paths.root)).drop_anonymous(points)


_TMPFS_FLAGS = {"ro": True, "rw": False, "noexec": True, "exec": False, "nosuid": True,
                "suid": False, "nodev": True, "dev": False}


def _tmpfs(target: str, options: str) -> BindMount:
    """--tmpfs DEST[:OPTIONS]: Docker mounts it noexec,nosuid,nodev unless asked
    otherwise; the rest (size=, mode=, uid= ...) goes to the file system."""
    flags = {"noexec": True, "nosuid": True, "nodev": True, "ro": False}
    data = []
    for opt in filter(None, options.split(",")):
        if opt in _TMPFS_FLAGS:
            key = {"rw": "ro", "exec": "noexec", "suid": "nosuid", "dev": "nodev"}.get(opt, opt)
            flags[key] = _TMPFS_FLAGS[opt]
        else:
            data.append(opt)
    return BindMount("", target, flags["ro"], "tmpfs", ",".join(data),
                     noexec=flags["noexec"], nodev=flags["nodev"], nosuid=flags["nosuid"])


def for_start(engine, c) -> list[BindMount]:
    """The mounts the container's first process makes, parents before children. A -v
    host path that does not exist is created as a directory, as Docker does."""
    out = []
    for mp in c.mounts:
        kind, dest = mp["Type"], mp["Destination"]
        if kind == "tmpfs":
            out.append(BindMount("", dest, not mp["RW"], "tmpfs",
                                 specs.tmpfs_options(mp), noexec=False))
            continue
        source = mp["Source"]
        if kind == "bind" and not os.path.exists(source):
            if mp.get("SkipMountpointCreation"):
                raise specs.MountConfigError("bind", "bind source path does not exist: "
                                             + source)
            try:
                os.makedirs(source, 0o755, exist_ok=True)
            except NotADirectoryError:        # moby lets the mount itself say so
                pass
            except OSError as e:              # a name too long, no permission
                raise System(f"error while creating mount source path '{source}': mkdir "
                             f"{e.filename or source}: {os.strerror(e.errno).lower()}",
                             errno=e.errno) from None
        if kind == "volume" and not os.path.isdir(source):
            raise NotFound(f"get {mp['Name']}: no such volume")
        out.append(BindMount(source, dest, not mp["RW"], "bind"))
    out += [_tmpfs(dest, opts) for dest, opts in (c.host.tmpfs or ())]
    return sorted(out, key=lambda b: b.target.rstrip("/").count("/"))


def populate(engine, c) -> None:
    """Docker's copy-up, done once at create: a new, empty volume mounted where the
    image has a directory starts with a copy of it (content, owners and modes)."""
    jobs = [(m["Destination"], m["Source"]) for m in c.mounts
            if m["Type"] == "volume" and m.get("CopyData")]
    if not jobs:
        return
    from ..containers import fsview
    from ..util.fsutil import copy_tree
    from ..runtime import rootfs

    def work(spec):
        for dest, volume in jobs:
            image_dir = rootfs.resolve(spec.merged, dest)
            if os.path.isdir(image_dir) and not os.path.islink(image_dir) and \
                    not os.listdir(volume):
                copy_tree(image_dir, volume)
    fsview.call(engine, c, work, inside=False)
