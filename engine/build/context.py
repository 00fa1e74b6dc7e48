"""The build context: the folder `docker build` is given, minus what .dockerignore
leaves out, and how COPY and ADD find their sources in it (or in another stage's file
system, with the same rules).

Docker ships the context to its daemon as a tar; here the builder reads the folder in
place, so "the context" is a view: a root, a matcher, and the rules for a source path
(relative to the root whatever it says, `*`/`?`/`[..]` globs per path component,
links followed inside the root). The cache key of a COPY is a digest of everything it
would read: names, types, modes, owners, modification times, link targets and contents.
"""
from __future__ import annotations

import fnmatch
import hashlib
import os
import posixpath
import stat
from collections import namedtuple

from . import ignore, rootpath
from .errors import BuildError

# name: the base name the source is known by (a link keeps its own name); rel: its
# path from the root, links resolved; path: the host path
Entry = namedtuple("Entry", "name rel path")

_MAGIC = set("*?[")


def has_magic(path: str) -> bool:
    return any(c in _MAGIC for c in path)


class NotFound(BuildError):
    pass


def not_found(clean_src: str, ref: str, *, hint: str | None = None) -> BuildError:
    """BuildKit's words for a COPY source that is not there."""
    err = NotFound(f'failed to compute cache key: failed to calculate checksum of ref {ref}: '
                   f'"{clean_src}": not found', hint=hint)
    err.detail = f'failed to calculate checksum of ref {ref}: "{clean_src}": not found'
    return err


class Tree:
    """A root directory sources are read from; `matcher` hides .dockerignore'd paths."""

    def __init__(self, root: str | None, matcher: ignore.Matcher | None = None,
                 ref: str = "context"):
        self.root = os.path.realpath(root) if root else None
        self.matcher = matcher or ignore.Matcher([])
        self.ref = ref

    def ignored(self, rel: str) -> bool:
        return bool(rel) and bool(self.matcher) and self.matcher.ignored(rel)

    # --- finding sources ---------------------------------------------------------------
    def find(self, src: str) -> list[Entry]:
        """The entries a source names (several for a glob), or BuildKit's not found."""
        clean = rootpath.clean(src)
        if self.root is None:
            raise not_found(clean, self.ref, hint=_NO_CONTEXT)
        found = self._glob(clean) if has_magic(clean) else self._one(clean)
        if not found:
            hint = None
            rel = clean.lstrip("/")
            if rel and self.matcher and self.matcher.ignored(rel):
                hint = f"{rel} is left out of the build context by .dockerignore."
            raise not_found(clean, self.ref, hint=hint)
        return found

    def _one(self, clean: str) -> list[Entry]:
        try:
            path = rootpath.resolve(self.root, clean)
        except OSError:
            return []
        rel = rootpath.inside(self.root, path).lstrip("/")
        if not os.path.lexists(path) or self.ignored(rel) or \
                self.ignored(clean.lstrip("/")):
            return []
        return [Entry(posixpath.basename(clean) or "/", rel, path)]

    def _glob(self, clean: str) -> list[Entry]:
        parts = [p for p in clean.split("/") if p]
        out: list[Entry] = []

        def walk(dir_path: str, i: int) -> None:
            part = parts[i]
            if has_magic(part):
                try:
                    names = sorted(os.listdir(dir_path))
                except OSError:
                    return
                names = [n for n in names if fnmatch.fnmatchcase(n, part.replace("[^", "[!"))]
            else:
                names = [part]
            for name in names:
                try:
                    path = rootpath.resolve(self.root, rootpath.inside(
                        self.root, os.path.join(dir_path, name)),
                        follow_last=i + 1 < len(parts))
                except OSError:
                    continue
                rel = rootpath.inside(self.root, path).lstrip("/")
                if not os.path.lexists(path) or self.ignored(rel):
                    continue
                if i + 1 == len(parts):
                    out.append(Entry(name, rel, rootpath.resolve(self.root, "/" + rel)))
                elif os.path.isdir(path):
                    walk(path, i + 1)
        walk(self.root, 0)
        return out

    # --- reading them ------------------------------------------------------------------
    def walk(self, entry: Entry):
        """(relative path under the entry, host path, lstat) for the entry ("" first)
        and, for a directory, everything below it that is not ignored; sorted."""
        st = os.lstat(entry.path)
        yield "", entry.path, st
        if stat.S_ISDIR(st.st_mode):
            yield from self._below(entry.path, entry.rel, "")

    def _below(self, path: str, rel: str, sub: str):
        for name in sorted(os.listdir(path)):
            child_rel = f"{rel}/{name}" if rel else name
            child_sub = f"{sub}/{name}" if sub else name
            child = os.path.join(path, name)
            st = os.lstat(child)
            is_dir = stat.S_ISDIR(st.st_mode)
            if self.ignored(child_rel):
                if is_dir and self.matcher.may_include_below(child_rel):
                    yield from self._below(child, child_rel, child_sub)
                continue
            yield child_sub, child, st
            if is_dir:
                yield from self._below(child, child_rel, child_sub)


_NO_CONTEXT = ("this build has no context (the Dockerfile came from stdin with `-`): "
               "COPY and ADD have no files to read. Give docker build a folder instead.")


def digest(tree: Tree, entries: list[Entry]) -> tuple[str, int]:
    """A digest of everything COPY would read from these entries, and how many bytes
    of file content that was."""
    h = hashlib.sha256()
    total = 0
    for entry in entries:
        h.update(f"entry {entry.name}\0".encode())
        for sub, path, st in tree.walk(entry):
            h.update(_meta(sub, st, path))
            if stat.S_ISREG(st.st_mode):
                total += st.st_size
                h.update(file_sha256(path))
    return h.hexdigest(), total


def _meta(sub: str, st: os.stat_result, path: str) -> bytes:
    link = os.readlink(path) if stat.S_ISLNK(st.st_mode) else ""
    return (f"{sub}\0{st.st_mode:o}\0{st.st_uid}:{st.st_gid}\0{st.st_mtime_ns}\0"
            f"{st.st_size if stat.S_ISREG(st.st_mode) else 0}\0{link}\0").encode()


def file_sha256(path: str) -> bytes:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.digest()


def outside(src: str) -> bool:
    """A relative source that climbs out of the context (`../secret.txt`)."""
    if src.startswith("/"):
        return False
    norm = posixpath.normpath(src)
    return norm == ".." or norm.startswith("../")


def load_ignore(root: str | None, dockerfile_name: str = "Dockerfile") -> tuple[list[str], int]:
    """The patterns of <Dockerfile>.dockerignore next to the Dockerfile's name in the
    context, else .dockerignore; and the file's size (BuildKit reports it)."""
    if not root:
        return [], 0
    for name in (os.path.basename(dockerfile_name) + ".dockerignore", ".dockerignore"):
        path = os.path.join(root, name)
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            continue
        return ignore.read(text), len(text.encode())
    return [], 0
