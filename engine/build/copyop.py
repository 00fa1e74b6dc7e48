"""COPY and ADD: where each source goes, decided inside the step's image.

The builder prepares a CopyPlan in its own process (the sources it found in the build
context, the files it downloaded or took from a heredoc, the stages to read from); the
plan runs in the step's private mount namespace (rootfs_job), where the image and the
`--from` stages are mounted.
"""
from __future__ import annotations

import os
import stat

from . import files, rootpath
from .context import Entry, Tree


class Source:
    """One source: kind "context" (entries found in the build context), "root" (a path
    to look up in a mounted stage or image, named by `root`), or "file" (a downloaded
    file or heredoc written to a temp file, copied under `name`)."""

    __slots__ = ("kind", "tree", "entries", "root", "path", "name", "unpack")

    def __init__(self, kind: str, *, tree: Tree | None = None, entries=(), root: str = "",
                 path: str = "", name: str = "", unpack: bool = False):
        self.kind, self.tree, self.entries = kind, tree, list(entries)
        self.root, self.path, self.name, self.unpack = root, path, name, unpack


class CopyPlan:
    """dest: absolute in the image; into_dir: the destination was written as a directory
    (trailing `/`, or `.`); chown/chmod as given (None: not given)."""

    def __init__(self, sources: list[Source], dest: str, into_dir: bool, chown: str | None,
                 chmod: int | None):
        self.sources, self.dest, self.into_dir = sources, dest, into_dir
        self.chown, self.chmod = chown, chmod

    def __call__(self, root: str, roots: dict[str, str]) -> None:
        owner = files.chown_ids(root, self.chown) if self.chown else None
        items = list(self._items(roots, owner))
        base = rootpath.resolve(root, self.dest)
        into_dir = self.into_dir or len(items) > 1 or os.path.isdir(base)
        for tree, entry, meta, unpack in items:
            st = os.lstat(entry.path)
            if stat.S_ISDIR(st.st_mode):
                files.make_dirs(base, owner or (0, 0))
                files.copy_tree(tree.walk(entry), root, base, meta)
            elif unpack and files.is_archive(entry.path):
                files.make_dirs(base, owner or (0, 0))     # like tar -x: owners kept
                files.extract(entry.path, root, base, files.Meta(owner, self.chmod))
            else:
                # a file replaces a link at the destination, it never writes through it
                target = rootpath.resolve(root, self.dest, follow_last=False)
                if into_dir:
                    target = rootpath.resolve(root, rootpath.inside(root, base) + "/" +
                                              entry.name, follow_last=False)
                files.make_dirs(os.path.dirname(target), owner or (0, 0))
                files.place(entry.path, st, target, meta)

    def _items(self, roots: dict[str, str], owner):
        """(tree, entry, Meta, unpack) for every matched source. Context files belong to
        root unless --chown; files from another stage or image keep their owners."""
        own = files.Meta(owner or (0, 0), self.chmod)
        keep = files.Meta(owner, self.chmod)
        for src in self.sources:
            if src.kind == "context":
                for e in src.entries:
                    yield src.tree, e, own, src.unpack
            elif src.kind == "root":
                tree = Tree(roots[src.root], ref=src.root)
                for e in tree.find(src.path):
                    yield tree, e, keep, False
            else:
                tree = Tree(os.path.dirname(src.path))
                yield tree, Entry(src.name, os.path.basename(src.path), src.path), own, False
