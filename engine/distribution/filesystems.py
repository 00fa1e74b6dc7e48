"""`docker export` and `docker import`: a container's file system as one flat tar, and
a tar made into a one-layer image.

Export reads the container's root file system as its processes see it, without what is
mounted on top (volumes, /proc, the engine's /etc/hosts), as Docker's export reads the
storage driver's mount: a stopped container's overlay is mounted in a private namespace
of a helper child; a running one's root mount is cloned alone (open_tree) from inside
its own mount namespace, since its overlay cannot be mounted twice.
"""
from __future__ import annotations

import os

from ..system import events
from ..containers import fsview
from ..images import reference
from ..util import timeutil
from ..containers.commit import parse_changes
from ..errors import InvalidArchive, InvalidParameter
from ..images.hello import go_arch
from ..runtime import syscalls as sc
from ..store import lock
from ..store.archive import HashingWriter, pack
from . import archives


def export(engine, ref: str, out_fd: int) -> None:
    """Write container `ref`'s file system as a tar stream to `out_fd`."""
    c = engine.container(ref)

    def from_inside():                     # a running container: its root mount alone
        tree = sc.open_tree_clone("/")
        os.fchdir(tree)
        _pack_to(".", out_fd)
        return True

    def from_mount(spec):                  # a stopped one: its overlay, mounted here
        _pack_to(spec.merged, out_fd)
        return True
    running = c.state.running and c.state.pid
    child = fsview.spawn(engine, c, from_inside if running else from_mount,
                         inside=bool(running))
    child.finish()
    events.of_container(engine.paths.root, "export", c)


def _pack_to(root: str, out_fd: int) -> None:
    with os.fdopen(os.dup(out_fd), "wb", buffering=1 << 20) as out:
        pack(root, out)


def import_image(engine, stream, repository: str | None = None, changes=(),
                 message: str = "", source: str = "-") -> str:
    """A one-layer image from the tar (plain or gzip/bzip2/xz) in `stream`; returns its
    ID. `repository` tags it, `changes` are Dockerfile lines as `docker import -c` takes
    them, `message` is its history comment."""
    target = _target(repository)
    extra = parse_changes(list(changes))
    data = archives.open_stream(stream)
    if data is None:
        raise InvalidArchive("EOF")
    tmp = engine.images.new_blob_file()
    try:
        with open(tmp, "wb") as f:
            w = HashingWriter(f)
            _copy(data, w)
        diff_id = w.digest
        if w.size == 0:
            raise InvalidArchive("EOF")
        engine.images.adopt_blob_file(tmp, diff_id)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    with lock.locked(engine.paths.lock):
        try:
            layer = engine.layers.add_from_tar(None, engine.images.blob_path(diff_id), diff_id)
        except Exception as e:               # not a tar: Docker's archive/tar words
            engine.images.collect_garbage(engine.layers_in_use())
            if isinstance(e, (InvalidParameter,)):
                raise
            raise InvalidArchive("archive/tar: invalid tar header") from None
        created = timeutil.now()
        comment = message or f"Imported from {source}"       # as the daemon's API route
        config = {
            "architecture": go_arch(),
            "comment": comment,
            "config": extra,
            "created": created,
            "history": [{"created": created, "comment": comment}],
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        }
        image = engine.images.create(config, [layer], [diff_id])
        if target:
            engine.images.set_ref(target, image.id)
    events.emit(engine.paths.root, "image", "import", image.id, {"name": image.id})
    return image.id


def _target(repository: str | None) -> str | None:
    if not repository:
        return None
    ref = reference.parse(repository)
    if ref.digest:
        raise InvalidParameter("cannot import digest reference")
    return str(ref)                        # parse() gives a name alone its :latest


def _copy(src, dst) -> None:
    try:
        while True:
            chunk = src.read(archives.CHUNK)
            if not chunk:
                return
            dst.write(chunk)
    except (EOFError, OSError) as e:
        if isinstance(e, OSError) and e.errno is not None:
            raise
        raise InvalidArchive("unexpected EOF") from None
