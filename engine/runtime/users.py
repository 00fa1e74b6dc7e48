"""Resolve a container's USER ("name", "uid", "name:group", "uid:gid") from the image's
own /etc/passwd and /etc/group, the way runc does, so `-u nobody` means the image's
nobody, not the host's."""
from __future__ import annotations

import os
from collections import namedtuple


class UserError(Exception):
    pass


ExecUser = namedtuple("ExecUser", "uid gid groups home")


def _entries(path: str) -> list[list[str]]:
    # os.read, not open(): this runs in a freshly cloned process, where every object
    # the text I/O stack would touch costs a page copy
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return []
    try:
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    finally:
        os.close(fd)
    text = b"".join(chunks).decode("utf-8", "replace")
    return [line.split(":") for line in text.split("\n")
            if line.strip() and not line.startswith("#")]


def resolve(spec: str, root: str = "/") -> ExecUser:
    root = root.rstrip("/")
    passwd = [e for e in _entries(root + "/etc/passwd") if len(e) >= 7]
    groups = [e for e in _entries(root + "/etc/group") if len(e) >= 4]
    user, _, group = (spec or "").partition(":")
    uid, gid, home, name = 0, 0, "/", "root"
    if user:
        match = next((e for e in passwd if e[0] == user or e[2] == user), None)
        if match is None:
            if not user.isdigit():
                raise UserError(f"unable to find user {user}: no matching entries in passwd file")
            uid, gid, home, name = int(user), 0, "/", ""
        else:
            name, uid, gid, home = match[0], int(match[2]), int(match[3]), match[5] or "/"
    elif passwd:
        root_entry = next((e for e in passwd if e[2] == "0"), None)
        if root_entry:
            home = root_entry[5] or "/"
    if group:
        gmatch = next((e for e in groups if e[0] == group or e[2] == group), None)
        if gmatch is None:
            if not group.isdigit():
                raise UserError(f"unable to find group {group}: no matching entries in group file")
            gid = int(group)
        else:
            gid = int(gmatch[2])
    # Docker's daemon (oci_linux.go getUser) lists the primary group first among the
    # supplementary ones, then the groups naming the user (only when no group was given)
    extra = tuple(sorted({int(e[2]) for e in groups
                          if name and name in e[3].split(",") and int(e[2]) != gid}))
    return ExecUser(uid, gid, (gid,) + (extra if not group else ()), home)
