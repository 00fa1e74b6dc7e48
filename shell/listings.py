"""What exists in the engine, for tab completion and the toolbar, cheap to ask often.

Completion runs on every keystroke, and a learner's engine may hold hundreds of
containers: reading every container's JSON each time would be far too slow. So the
listings are cached and checked against the files' change times: the names folder
(names come and go with create, rename and rm), the containers folder, each
container's state file (running, exited ...), and the image reference table. Only
what changed is read again. Other dockerlings shells share the engine, so the checks
are real stats, not an invalidation signal; they are skipped for a moment after the
last one (FRESH_FOR) because a learner types faster than the state changes.

Networks and volumes come from engine methods when the engine has them (they are
being built); until then the lists are empty.
"""
from __future__ import annotations

import os
import threading
import time
from collections import namedtuple

# One container as completion sees it. status: created running paused restarting
# exited dead removing.
Box = namedtuple("Box", "id name status image")
# One image reference ("busybox:latest") and its image ID.
Tag = namedtuple("Tag", "ref id")

FRESH_FOR = 0.3      # seconds a checked listing is trusted without a new stat
STATE_FILE = "state.json"


def _stamp(path) -> tuple | None:
    """What tells a file's new version from its old one: an atomic rename gives a new
    inode, an in-place write a new mtime."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class Listings:
    """engine: the Engine, or a function that gives it (the REPL passes one, so that
    loading the engine waits until after the first prompt is drawn)."""

    def __init__(self, engine, clock=time.monotonic):
        self._engine = engine
        self.clock = clock
        self._checked = -1e9
        self._names_stamp = None
        self._names: dict[str, str] = {}          # cid -> name
        self._boxes: dict[str, tuple] = {}        # cid -> (state stamp, Box)
        self._refs_stamp = None
        self._tags: list[Tag] = []
        self._other: dict[str, tuple[float, list]] = {}
        self._meta_stamp = None
        self._image_count = 0
        self._lock = threading.Lock()
        self.ready = False          # the first full read is done

    def warm(self) -> None:
        """Read everything once (the REPL does it in the background while the learner
        reads the prompt, so the first Tab does not pay for it)."""
        self.containers()
        self.tags()
        self.ready = True

    @property
    def engine(self):
        if callable(self._engine):
            self._engine = self._engine()
        return self._engine

    def invalidate(self) -> None:
        """After a command ran: look at the files again on the next question."""
        self._checked = -1e9

    # --- containers ------------------------------------------------------------------
    def containers(self) -> list[Box]:
        with self._lock:
            self._refresh()
            return [box for _, box in self._boxes.values()]

    def _refresh(self) -> None:
        now = self.clock()
        if now - self._checked < FRESH_FOR:
            return
        paths = self.engine.paths
        stamp = _stamp(paths.names)
        if stamp != self._names_stamp:
            self._names_stamp = stamp
            self._names = {cid: name for name, cid in self.engine.store.names().items()}
        base = str(paths.containers)          # plain strings: pathlib costs more here
        fresh = {}
        for cid in self.engine.store.ids():
            state_stamp = _stamp(f"{base}/{cid}/{STATE_FILE}")
            if state_stamp is None:
                continue                      # being made or removed right now
            known = self._boxes.get(cid)
            box = known[1] if known and known[0] == state_stamp else self._load(cid)
            if box is None:
                continue
            name = self._names.get(cid, box.name)
            fresh[cid] = (state_stamp, box if box.name == name else box._replace(name=name))
        self._boxes = fresh
        self._checked = self.clock()     # after the read: a slow first read counts from its end

    def _load(self, cid: str) -> Box | None:
        try:
            c = self.engine.store.load(cid)
        except Exception:
            return None
        return Box(c.id, c.name, c.state.status, c.config.image)

    # --- images ----------------------------------------------------------------------
    def tags(self) -> list[Tag]:
        with self._lock:
            stamp = _stamp(self.engine.paths.repositories)
            if stamp != self._refs_stamp:
                self._tags = self._read_tags()
                self._refs_stamp = stamp
            return self._tags

    def image_count(self) -> int:
        stamp = _stamp(self.engine.paths.image_meta)
        if stamp != self._meta_stamp:
            self._meta_stamp = stamp
            self._image_count = len(self.engine.images.ids())
        return self._image_count

    def _read_tags(self) -> list[Tag]:
        from engine.images import reference
        out = []
        for ref, image_id in self.engine.images.refs().items():
            try:
                out.append(Tag(reference.parse(ref).familiar(), image_id))
            except Exception:
                continue
        return sorted(out)

    # --- networks and volumes (once the engine has them) ------------------------------
    def networks(self) -> list[str]:
        return self._names_from("networks")

    def volumes(self) -> list[str]:
        return self._names_from("volumes")

    def _names_from(self, method: str) -> list[str]:
        now = self.clock()
        cached = self._other.get(method)
        if cached and now - cached[0] < FRESH_FOR:
            return cached[1]
        names = sorted(set(object_names(self.engine, method)))
        self._other[method] = (now, names)
        return names


def object_names(engine, method: str) -> list[str]:
    """Names of the engine's networks or volumes, read defensively: the methods may not
    exist yet, and may return names, dicts or records."""
    fn = getattr(engine, method, None)
    if not callable(fn):
        return []
    try:
        items = fn()
    except Exception:
        return []
    return [n for n in (name_of(i) for i in items or ()) if n]


def name_of(item) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        return item.get("Name") or item.get("name")
    return getattr(item, "name", None) or getattr(item, "Name", None)
