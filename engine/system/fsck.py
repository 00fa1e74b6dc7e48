"""`dockerlings engine fsck`: is the store consistent?

Two kinds of findings. Leftovers of operations whose process died midway (a temp file,
a half-unpacked layer, a name claimed by a create that never finished) are provably
garbage once their owner is gone: they are removed and listed as "cleaned". Anything
else that does not add up (a record that does not parse, an image whose layer is missing,
a blob whose content does not match its digest) is a problem, and makes fsck fail.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field

from ..util import timeutil
from ..util.fsutil import remove_tree, unlink_quiet
from ..runtime import cgroups, syscalls as sc
from ..store import lock
from ..store.containers import RECORD, STATE

_TMP = re.compile(r"^\..*\.tmp(\d+)$")
_STAGING = re.compile(r"^\.(?:new|del|init)-(\d+)-")


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    cleaned: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _owner_dead(name: str) -> bool:
    m = _TMP.match(name) or _STAGING.match(name)
    return bool(m) and not sc.alive_pid(int(m.group(1)))


def check(engine) -> Report:
    r = Report()
    _builds(engine, r)          # first, and outside the lock: a step container is stopped
    with lock.locked(engine.paths.lock):
        _leftovers(engine, r)
        _images(engine, r)
        _containers(engine, r)
        _cgroups(engine, r)
    return r


def _builds(engine, r: Report) -> None:
    """What a build whose process died left: its RUN step's container (stopped and
    removed, as the build would have) and the snapshot image it was made from, with
    the layers only they used. See build/owner.py."""
    from ..build import owner
    from ..errors import EngineError
    found = False
    for c in engine.store.all():
        tok = dict(c.config.labels).get(owner.LABEL)
        if tok and owner.dead(tok):
            try:
                engine.remove(c.id, force=True)
            except EngineError as e:
                r.problems.append(f"build step container {c.id[:12]}: cannot remove ({e})")
                continue
            found = True
            r.cleaned.append(f"removed build step container {c.id[:12]}, left by an "
                             "interrupted build")
    with lock.locked(engine.paths.lock):
        for image_id, mark in owner.dead_snapshots(engine):
            if engine.images.exists(image_id) and not engine.images.refs_of(image_id):
                engine.images.forget(image_id)
                r.cleaned.append(f"removed snapshot image {image_id[7:19]}, left by an "
                                 "interrupted build")
            found = True
            unlink_quiet(mark)
        if found:
            engine.images.collect_garbage(engine.layers_in_use())


def _leftovers(engine, r: Report) -> None:
    p = engine.paths
    for d in (p.root, p.blobs, p.image_meta, p.layers, p.containers, p.root / "image", p.tmp):
        if not d.is_dir():
            continue
        for name in os.listdir(d):
            if _owner_dead(name):
                remove_tree(d / name)
                r.cleaned.append(f"removed {d / name}, left by an interrupted operation")
    for cid in os.listdir(p.containers) if p.containers.is_dir() else []:
        d = p.containers / cid
        for name in os.listdir(d) if d.is_dir() else []:
            if _owner_dead(name):
                unlink_quiet(d / name)
                r.cleaned.append(f"removed {d / name}, left by an interrupted write")
    for name, target in engine.store.names().items():
        if not (p.containers / target).is_dir():
            unlink_quiet(p.names / name)
            r.cleaned.append(f"released the name {name!r}, claimed by a create that never "
                             "finished")
    for path in engine.store.stale_trash():
        remove_tree(path)
        r.cleaned.append(f"finished removing {path.name[5:17]}")
    _volumes(engine, r)
    _endpoints(engine, r)
    if p.run.is_dir():
        for name in os.listdir(p.run):
            runtime_dir = len(name) == 12 and all(ch in "0123456789abcdef" for ch in name)
            if runtime_dir and not any(c.startswith(name) for c in engine.store.ids()):
                remove_tree(p.run / name)
                r.cleaned.append(f"removed the runtime files of gone container {name}")


def _endpoints(engine, r: Report) -> None:
    """An address held on a network by a container that no longer exists was left by
    an operation that died or lost a race (its container's monitor gives addresses
    back when the process ends, and a removed container has none): it is freed."""
    from ..network.store import NetworkStore
    store = NetworkStore(str(engine.paths.root))
    if not os.path.isdir(store.dir):
        return
    ids = set(engine.store.ids())
    for net in store.all():
        for cid, ep in net["Containers"].items():
            if cid not in ids:
                store.detach(net["Id"], cid)
                r.cleaned.append(f"freed {ep['IPv4Address'].split('/')[0]} on network "
                                 f"{net['Name']}, held by gone container {cid[:12]}")


def _volumes(engine, r: Report) -> None:
    """A volume removal that died half way left `.del-NAME`; a volume directory
    without its metadata is one whose creation died."""
    from ..volumes.store import META, VolumeStore
    store = VolumeStore(str(engine.paths.root))
    if not os.path.isdir(store.root):
        return
    for name in os.listdir(store.root):
        path = os.path.join(store.root, name)
        if name.startswith(".del-"):
            remove_tree(path)
            r.cleaned.append(f"finished removing volume {name[5:]}")
        elif not os.path.exists(os.path.join(path, META)):
            remove_tree(path)
            r.cleaned.append(f"removed volume {name}, whose creation never finished")
    used = store.users()
    for name, cids in used.items():
        if not store.exists(name):
            r.problems.append(f"container {cids[0][:12]} uses volume {name}, which is missing")


def _images(engine, r: Report) -> None:
    images = engine.images
    ids = set(images.ids())
    for ref, image_id in images.refs().items():
        if image_id not in ids:
            r.problems.append(f"reference {ref} points to missing image {image_id[7:19]}")
    for image_id in ids:
        try:
            meta = json.loads((images._meta_path(image_id)).read_bytes())
        except (OSError, ValueError) as e:
            r.problems.append(f"image {image_id[7:19]}: unreadable metadata ({e})")
            continue
        for digest in (image_id, meta.get("manifest", "")):
            if not images.blob_path(digest).exists():
                r.problems.append(f"image {image_id[7:19]}: blob {digest[:19]} is missing")
        for layer in meta.get("layers", []):
            if not engine.layers.exists(layer):
                r.problems.append(f"image {image_id[7:19]}: layer {layer[7:19]} is missing")
    for name in os.listdir(engine.paths.blobs) if engine.paths.blobs.is_dir() else []:
        if name.startswith("."):
            continue
        h = hashlib.sha256()
        with open(engine.paths.blobs / name, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        if h.hexdigest() != name:
            r.problems.append(f"blob {name[:12]}: content does not match its digest")
    for layer in engine.layers.all_ids():
        d = engine.paths.layers / layer[7:]
        if not (d / "meta.json").exists() or not (d / "diff").is_dir():
            r.problems.append(f"layer {layer[7:19]} is incomplete")


def _containers(engine, r: Report) -> None:
    names = engine.store.names()
    for cid in engine.store.ids():
        d = engine.paths.container(cid)
        try:
            record = json.loads((d / RECORD).read_bytes())
            state = json.loads((d / STATE).read_bytes())
        except (OSError, ValueError) as e:
            r.problems.append(f"container {cid[:12]}: unreadable record ({e})")
            continue
        name = record.get("Name", "").lstrip("/")
        if names.get(name) != cid:
            r.problems.append(f"container {cid[:12]}: its name {name!r} is not registered to it")
        for layer in record.get("Layers", []):
            if not engine.layers.exists(layer):
                r.problems.append(f"container {cid[:12]}: layer {layer[7:19]} is missing")
        for sub in ("upper", "work"):
            if not (d / sub).is_dir():
                r.problems.append(f"container {cid[:12]}: its {sub} directory is missing")
        running = state.get("status") in ("running", "paused", "restarting")
        if running and not sc.alive(state.get("monitor_pid", 0), state.get("monitor_start", 0)):
            engine.reconcile(engine.store.load(cid))
            r.cleaned.append(f"container {cid[:12]}: its monitor is gone; marked exited")
        if timeutil.parse_ns(record.get("Created")) == 0:
            r.problems.append(f"container {cid[:12]}: no creation time")


def _cgroups(engine, r: Report) -> None:
    """Container cgroups whose container is not running here are leftovers. Other engine
    roots share the cgroup tree, so only this engine's containers are judged."""
    mine = set(engine.store.ids())
    for d in cgroups.leftover_dirs(engine.cgroup_scope):
        cid = os.path.basename(d)
        if cid not in mine:
            continue
        c = engine.store.load(cid)
        if not c.state.running:
            try:
                cgroups.Cgroup(cid, engine.cgroup_scope).destroy()
                r.cleaned.append(f"removed the leftover cgroup of {cid[:12]}")
            except OSError as e:
                r.problems.append(f"cgroup {d}: cannot remove ({e.strerror})")
