"""Running a file operation (COPY, ADD, WORKDIR) on a step's image, the way a RUN runs.

A forked child enters a mount namespace of its own, mounts the step's layers as an
overlay with a fresh upper directory (and, read-only, the file systems of the stages a
COPY --from reads), and does the work there. Whatever it writes lands in the upper
directory, which the builder turns into the step's layer like a container's changes;
whiteouts and copied-up directories come out exactly as overlayfs makes them. The
mounts exist only in the child's namespace: they vanish with it, even if the engine is
killed halfway, so nothing can leak onto the host.
"""
from __future__ import annotations

import json
import os

from .. import trust
from ..util.fsutil import remove_tree
from ..runtime import syscalls as sc
from ..runtime.rootfs import RootfsSpec, _overlay_options, overlay_extras
from .errors import BuildError


class Staging:
    """A scratch directory for one step (upper, work, mount points), named so that
    `engine fsck` removes it if its process dies before cleaning up."""

    def __init__(self, engine):
        self.root = str(engine.paths.root)
        self.dir = engine.paths.layers / f".new-{os.getpid()}-build-{os.urandom(6).hex()}"
        trust.make_dir(self.dir)
        # upper's mode is the mode of the step's "/"
        for sub, mode in (("upper", 0o755), ("work", trust.PRIVATE), ("merged", 0o755),
                          ("empty", 0o755)):
            trust.make_dir(self.dir / sub, mode)

    @property
    def upper(self) -> str:
        return str(self.dir / "upper")

    def rel(self, sub: str) -> str:
        return os.path.relpath(self.dir / sub, self.root)

    def changed(self) -> bool:
        return bool(os.listdir(self.upper))

    def remove(self) -> None:
        remove_tree(self.dir)


def _lower_dirs(layers: list[str]) -> list[str]:
    """Relative to the engine root (the child works from there), topmost first: short
    enough that the mount options fit in a page."""
    return [f"layers/{cid.split(':', 1)[1]}/diff" for cid in reversed(layers)]


def run(staging: Staging, layers: list[str], job, sources: dict[str, list[str]] | None = None):
    """Run `job(root, source_roots)` in a child with the image of `layers` mounted at
    `root` (writes go to staging.upper) and each entry of `sources` (a name -> the
    layers of a stage or image) mounted read-only. Returns what job returned (JSON);
    a failure comes back as the BuildError it raised."""
    r, w = os.pipe2(os.O_CLOEXEC)
    pid = os.fork()
    if pid == 0:                                    # the child never returns
        os.close(r)
        _child(staging, layers, job, sources or {}, w)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    try:
        answer = json.loads(data)
    except ValueError:
        raise BuildError("the build step's file operation ended unexpectedly") from None
    if not answer.get("ok"):
        err = BuildError(answer["message"], hint=answer.get("hint"))
        if answer.get("debug"):
            err.debug = answer["debug"]
        raise err
    return answer.get("result")


def _child(staging: Staging, layers, job, sources, w: int) -> None:
    answer: dict = {"ok": False, "message": "the build step's file operation failed"}
    try:
        roots = _mount(staging, layers, sources)
        answer = {"ok": True, "result": job(str(staging.dir / "merged"), roots)}
    except BuildError as e:
        answer = {"ok": False, "message": e.message, "hint": e.hint}
    except OSError as e:
        where = f" {e.filename}" if e.filename else ""
        answer = {"ok": False, "message": f"{e.strerror or e}:{where}".rstrip(":")}
    except BaseException:
        import traceback
        answer["debug"] = traceback.format_exc()
    finally:
        try:
            os.write(w, json.dumps(answer).encode())
        finally:
            os._exit(0)


def _mount(staging: Staging, layers: list[str], sources: dict[str, list[str]]) -> dict:
    sc.unshare(sc.CLONE_NEWNS)
    sc.mount(None, "/", None, sc.MS_REC | sc.MS_PRIVATE)
    os.chdir(staging.root)         # the relative lower dirs start here
    spec = RootfsSpec(base=staging.root, lowers=_lower_dirs(layers) or [staging.rel("empty")],
                      upper=staging.rel("upper"), work=staging.rel("work"),
                      merged=str(staging.dir / "merged"))
    sc.mount("overlay", spec.merged, "overlay", 0, _overlay_options(spec))
    roots = {}
    for i, (name, src_layers) in enumerate(sources.items()):
        target = staging.dir / f"src-{i}"
        target.mkdir()
        # without an upper dir overlayfs wants two lower dirs: the empty one is the second
        lowers = _lower_dirs(src_layers) + [staging.rel("empty")]
        sc.mount("overlay", str(target), "overlay", sc.MS_RDONLY,
                 f"lowerdir={':'.join(lowers)}" +
                 (",userxattr" if "userxattr" in overlay_extras() else ""))  # rootless
        roots[name] = str(target)
    return roots
