"""Who holds a host port: for messages that name it instead of only saying "taken".

Every engine on a machine (a learner's, `lessons test`'s throwaway one, another
helper's) shares the host's ports. A published port is held by the container's monitor
(dl-monitor), whose log file lies in its engine's root under containers/ID/; anything
else is named by its program and pid. Read from /proc only; nothing is changed.
"""
from __future__ import annotations

import os

_LISTEN = "0A"


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 9 and fields[3] == _LISTEN and \
                    int(fields[1].rpartition(":")[2], 16) == port:
                inodes.add(fields[9])
    return inodes


def _holders(inodes: set[str]):
    wanted = {f"socket:[{i}]" for i in inodes}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        fd_dir = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        links = []
        for fd in fds:
            try:
                links.append(os.readlink(os.path.join(fd_dir, fd)))
            except OSError:
                pass                # closed meanwhile (the listing's own fd, for one)
        if wanted & set(links):
            yield int(pid), links


def _describe(pid: int, links: list[str]) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            comm = f.read().strip()
    except OSError:
        comm = "?"
    if comm == "dl-monitor":
        for link in links:
            head, sep, rest = link.partition("/containers/")
            if sep and link.endswith("-json.log"):
                return (f"container {rest.partition('/')[0][:12]} of the dockerlings "
                        f"engine at {head}")
    return f"{comm} (pid {pid})"


def port_holder(port: int) -> str | None:
    """Who listens on TCP `port` on this machine, in words; None if nobody (or it cannot
    be told: a process of another user, a port in another network namespace)."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    for pid, links in _holders(inodes):
        return _describe(pid, links)
    return "a process this user cannot see"
