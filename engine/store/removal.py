"""Removing a container from the store, in two steps: detach (one rename: the container
is gone for every reader at once) and purge (delete its bytes, which may take a while
and happens after whoever waits has been answered). Light on purpose: the monitor uses
it from its slim interpreter."""
from __future__ import annotations

import os

from ..util.fsutil import remove_tree, unlink_quiet


def detach(root: str, cid: str, name: str) -> str | None:
    """Call with the engine lock held. Returns the directory left to purge."""
    d = os.path.join(root, "containers", cid)
    trash = None
    if os.path.isdir(d):
        trash = os.path.join(root, "containers", f".del-{cid}")
        os.rename(d, trash)
    link = os.path.join(root, "names", name)
    try:
        if os.readlink(link) == cid:
            unlink_quiet(link)
    except OSError:
        pass
    return trash


def purge(run: str, cid: str, trash: str | None) -> None:
    if trash:
        remove_tree(trash)
    remove_tree(os.path.join(run, cid[:12]))
