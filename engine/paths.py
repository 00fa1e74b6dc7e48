"""Where the engine keeps its state.

Persistent state (images, layers, container records) lives under the root,
/var/lib/dockerlings; runtime files (attach sockets) under /run/dockerlings. For an
ordinary user (the rootless engine, runtime/userns.py) they are the user's own folders,
as rootless Docker and podman keep theirs: $XDG_DATA_HOME/dockerlings (else
~/.local/share/dockerlings) and $XDG_RUNTIME_DIR/dockerlings (else a private folder in
/tmp named for the user's id), so root's engine and a user's never see each other.
Setting DOCKERLINGS_ROOT moves both into the folder it names, which is how every test
gets an engine of its own.
"""
from __future__ import annotations

import os
import stat
from collections import namedtuple
from pathlib import Path

from . import trust
from .errors import NotOwner

DEFAULT_ROOT = Path("/var/lib/dockerlings")
DEFAULT_RUN = Path("/run/dockerlings")
# the engine's folders in its root (0700; the init layer, a lower layer's root, is 0755)
PRIVATE_FOLDERS = ("image", "layers", "containers", "names", "networks", "volumes", "tmp",
                   "run")


class Paths(namedtuple("Paths", "root run")):
    """root: persistent state; run: runtime files (both pathlib.Path)."""

    __slots__ = ()

    @classmethod
    def from_env(cls, environ=os.environ) -> "Paths":
        custom = environ.get("DOCKERLINGS_ROOT")
        if custom:
            root = Path(custom).absolute()
            return cls(root=root, run=root / "run")
        from .runtime import userns
        uid = userns.host_uid()
        if uid != 0:
            return cls.for_user(uid, environ)
        return cls(root=DEFAULT_ROOT, run=DEFAULT_RUN)

    @classmethod
    def for_user(cls, uid: int, environ=os.environ) -> "Paths":
        """An ordinary user's engine (`uid` as the host knows it): the XDG folders; a
        runtime folder that is not the user's own (an environment kept by su or sudo)
        is passed over for the private one in /tmp."""
        home = environ.get("HOME") or os.path.expanduser("~")
        data = environ.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
        runtime = environ.get("XDG_RUNTIME_DIR")
        try:
            mine = bool(runtime) and os.stat(runtime).st_uid == os.geteuid()
        except OSError:
            mine = False
        run = Path(runtime, "dockerlings") if mine else Path(f"/tmp/dockerlings-{uid}")
        return cls(root=Path(data, "dockerlings").absolute(), run=run.absolute())

    @property
    def lock(self) -> Path:
        return self.root / "lock"

    @property
    def blobs(self) -> Path:
        return self.root / "image" / "blobs" / "sha256"

    @property
    def image_meta(self) -> Path:
        return self.root / "image" / "meta"

    @property
    def repositories(self) -> Path:
        return self.root / "image" / "repositories.json"

    @property
    def build_cache(self) -> Path:
        """Build cache records; they pin the layers they name (see build/cache.py)."""
        return self.root / "image" / "buildcache"

    @property
    def layers(self) -> Path:
        return self.root / "layers"

    @property
    def containers(self) -> Path:
        return self.root / "containers"

    @property
    def names(self) -> Path:
        return self.root / "names"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    def container(self, cid: str) -> Path:
        return self.containers / cid

    def container_run(self, cid: str) -> Path:
        return self.run / cid[:12]

    def ensure(self) -> None:
        """Make the engine's folders, owner-only whatever the umask (trust.py), and
        refuse anyone but the engine's owner (errors.NotOwner). A root made by an older
        dockerlings (0755 all the way down) is tightened once, on first use: the root's
        own mode, set last, says it was done, so a later use costs one stat."""
        try:
            st = os.stat(self.root)
        except FileNotFoundError:
            st = self._make_root()
        except PermissionError:               # inside someone else's closed folder
            raise NotOwner(str(self.root), _owner_of_nearest(self.root.parent)) from None
        if st.st_uid != os.geteuid():
            raise NotOwner(str(self.root), st.st_uid)
        try:
            for d in (self.blobs, self.image_meta, self.layers, self.containers,
                      self.names, self.tmp):
                _make_dirs(d, self.root)
            try:
                trust.make_dir(self.run)
            except FileNotFoundError:                        # /run/dockerlings's parent
                os.makedirs(self.run.parent, exist_ok=True)
                trust.make_dir(self.run)
        except PermissionError:
            raise NotOwner(str(self.root), _owner_of_nearest(self.run)) from None
        run = os.lstat(self.run)        # in /tmp, anyone may have made it first
        if run.st_uid != os.geteuid() or not stat.S_ISDIR(run.st_mode):
            raise NotOwner(str(self.run), run.st_uid)
        if stat.S_IMODE(st.st_mode) != trust.ROOT_MODE:
            self.tighten()

    def _make_root(self) -> os.stat_result:
        try:
            os.makedirs(self.root.parent, exist_ok=True)
            trust.make_dir(self.root, trust.ROOT_MODE)
        except PermissionError:
            raise NotOwner(str(self.root), _owner_of_nearest(self.root)) from None
        return os.stat(self.root)

    def tighten(self) -> None:
        """Give the folders and secrets an older dockerlings left open the modes
        trust.py says: the root's folders and the run folder 0700, with the sockets
        0600; each container's folder 0700 and its config.v2.json 0600; image configs
        (blobs) 0600. Then the root 0710, last (see ensure)."""
        for name in PRIVATE_FOLDERS:     # only the engine's own: the root may be any folder
            path = self.root / name
            if path.is_dir() and not path.is_symlink():
                os.chmod(path, trust.PRIVATE)
        os.chmod(self.run, trust.PRIVATE)
        for entry in os.scandir(self.run):
            if entry.is_dir(follow_symlinks=False):         # a container's: attach.sock
                os.chmod(entry.path, trust.PRIVATE)
                sock = os.path.join(entry.path, "attach.sock")
                if os.path.exists(sock):
                    os.chmod(sock, trust.SOCKET_MODE)
            elif stat.S_ISSOCK(entry.stat(follow_symlinks=False).st_mode):
                os.chmod(entry.path, trust.SOCKET_MODE)
        for entry in os.scandir(self.containers):
            if entry.is_dir(follow_symlinks=False):
                os.chmod(entry.path, trust.PRIVATE)
                record = os.path.join(entry.path, "config.v2.json")
                if os.path.exists(record):
                    os.chmod(record, trust.SECRET)
        for entry in os.scandir(self.blobs):
            if entry.is_file(follow_symlinks=False):
                os.chmod(entry.path, trust.SECRET)
        os.chmod(self.root, trust.ROOT_MODE)


def _make_dirs(path: Path, top: Path) -> None:
    """`path` and its missing parents below `top`, each 0700 (trust.make_dir)."""
    try:
        trust.make_dir(path)
    except FileNotFoundError:
        if path.parent == top:
            raise
        _make_dirs(path.parent, top)
        trust.make_dir(path)


def _owner_of_nearest(path: Path) -> int:
    """The owner of `path`, or of its nearest parent that exists."""
    for p in (path, *path.parents):
        try:
            return os.stat(p).st_uid
        except OSError:
            continue
    return 0
