"""What this machine still lacks from its package manager, and the one command that
installs it: apt-get on Debian and Ubuntu, the packages' usual names elsewhere.
`dockerlings engine info` and the first welcome screen say it. Installing system
packages is the only part of dockerlings that needs root."""
from __future__ import annotations

import os
import platform
import shutil
from dataclasses import dataclass

OS_RELEASE = "/etc/os-release"
SBIN = "/usr/local/sbin:/usr/sbin:/sbin"


@dataclass(frozen=True)
class Need:
    package: str        # Debian's (and Ubuntu's) name
    elsewhere: str      # what to look for on other systems
    what: str           # what dockerlings does with it
    blocking: bool      # no container runs without it


def _found(finder) -> bool:
    from engine.errors import EngineError
    try:
        finder()
        return True
    except EngineError:
        return False


def _which(environ, *tools: str) -> bool:
    path = (environ.get("PATH") or os.defpath) + os.pathsep + SBIN
    return all(shutil.which(t, path=path) for t in tools)


def _subordinate_ids(uid: int) -> bool:
    from engine.runtime import userns
    user = userns.user_name(uid)
    return bool(userns.subordinate("uid", user, uid) and userns.subordinate("gid", user, uid))


def _kernel() -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in platform.release().split("-")[0].split(".")[:2])
    except ValueError:
        return (0, 0)


def missing(environ=os.environ, uid: int | None = None) -> list[Need]:
    """What is not here, blocking needs first. `uid`: who runs the engine (the host's
    uid; root needs no user namespace)."""
    from engine.images import offline
    from engine.supervisor import launch
    uid = os.getuid() if uid is None else uid
    out = []
    if not _found(offline.find_busybox):
        out.append(Need("busybox-static", "busybox (a static build)",
                        "the busybox image, the course's containers, is made from it", True))
    if uid != 0 and not _which(environ, "newuidmap", "newgidmap"):
        ids = _subordinate_ids(uid)
        out.append(Need("uidmap", "newuidmap and newgidmap (shadow-utils or shadow)",
                        "maps your subordinate ids into the engine's user namespace" +
                        ("" if ids else ", for images whose files belong to several users"),
                        ids))
    if uid != 0 and _kernel() < (5, 11) and not _which(environ, "fuse-overlayfs"):
        out.append(Need("fuse-overlayfs", "fuse-overlayfs",
                        "containers' files for an ordinary user on kernels before 5.11", True))
    if not _found(launch.init_binary):
        out.append(Need("tini", "tini (its static build)", "docker run --init", False))
    if not _found(offline.find_registry):
        out.append(Need("docker-registry", "the Distribution registry (docker-registry)",
                        "the registry:2 image (the registries lesson)", False))
    if not _found(offline.find_curl):
        out.append(Need("curl", "curl", "the curlimages/curl image", False))
    if not _which(environ, "ps"):
        out.append(Need("procps", "procps (ps)", "docker top", False))
    if (environ.get("DOCKERLINGS_UPLINK") or "off") in ("auto", "slirp4netns"):
        for tool, package in (("slirp4netns", "slirp4netns"), ("nft", "nftables")):
            if not _which(environ, tool):
                out.append(Need(package, package, "the uplink (containers on the internet)",
                                False))
    return sorted(out, key=lambda n: not n.blocking)


def debian_like(path: str | None = None) -> bool:
    """Debian, Ubuntu and their kin (apt-get installs Debian's package names)."""
    try:
        with open(path or OS_RELEASE) as f:
            fields = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    except OSError:
        return False
    words = " ".join(fields.get(k, "").strip('"') for k in ("ID", "ID_LIKE")).split()
    return "debian" in words or "ubuntu" in words


def install_command(needs: list[Need], uid: int | None = None) -> str | None:
    """The one command that installs them here, or None where apt-get is not the way."""
    if not needs or not debian_like():
        return None
    sudo = "" if (os.getuid() if uid is None else uid) == 0 else "sudo "
    return f"{sudo}apt-get install " + " ".join(n.package for n in needs)


def report(needs: list[Need], uid: int | None = None) -> list[str]:
    """Lines naming what is missing and how to install it (none when nothing is)."""
    if not needs:
        return []
    command = install_command(needs, uid)
    names = [n.package if command else n.elsewhere for n in needs]
    width = max(len(n) for n in names)
    lines = ["Missing on this machine:"]
    lines += [f"  {name.ljust(width)}  {n.what}" + ("" if n.blocking else " (optional)")
              for name, n in zip(names, needs)]
    if command:
        lines.append(f"Install with:  {command}")
    else:
        lines.append("Install them with this system's package manager (the names vary).")
    if (os.getuid() if uid is None else uid) != 0:
        lines.append("Installing them needs root; nothing else in dockerlings does.")
    return lines
