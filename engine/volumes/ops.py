"""docker volume create / ls / inspect / rm / prune, with Docker's rules and words."""
from __future__ import annotations

import os

from ..errors import Conflict, InvalidParameter, NotFound
from ..store import lock
from ..containers.inspect import go_map
from .store import ANONYMOUS_LABEL, VolumeStore, name_error


def _store(engine) -> VolumeStore:
    return VolumeStore(str(engine.paths.root))


def document(store: VolumeStore, name: str) -> dict:
    """The volume as `docker volume inspect` shows it."""
    meta = store.meta(name)
    return {"CreatedAt": meta["CreatedAt"], "Driver": "local",
            "Labels": go_map(meta.get("Labels")), "Mountpoint": store.data(name), "Name": name,
            "Options": go_map(meta.get("Options")), "Scope": "local"}


def get(engine, name: str) -> dict:
    store = _store(engine)
    if not name or not store.exists(name):
        raise NotFound(f"get {name}: no such volume")
    return document(store, name)


def all_volumes(engine) -> list[dict]:
    store = _store(engine)
    return [document(store, n) for n in store.names()]


def users(engine) -> dict[str, list[str]]:
    return _store(engine).users()


def create(engine, name: str | None = None, driver: str = "local",
           labels: dict | None = None, options: dict | None = None) -> dict:
    if driver and driver != "local":
        raise NotFound(f'error looking up volume plugin {driver}: plugin "{driver}" not found')
    if options:
        raise InvalidParameter(f"invalid option key: {next(iter(options))!r}".replace("'", '"'))
    store = _store(engine)
    with lock.locked(engine.paths.lock):
        if not name:
            name = os.urandom(32).hex()
            labels = {**(labels or {}), ANONYMOUS_LABEL: ""}
        else:
            problem = name_error(name)
            if problem:
                raise InvalidParameter(f"create {name}: {problem}")
        store.create(name, labels if labels is not None else {},
                     options if options is not None else {})
    return document(store, name)


def remove(engine, name: str, force: bool = False) -> None:
    store = _store(engine)
    with lock.locked(engine.paths.lock):
        if not store.exists(name):
            if force:
                return
            raise NotFound(f"get {name}: no such volume")
        using = store.users().get(name)
        if using:
            raise Conflict(f"remove {name}: volume is in use - [{', '.join(sorted(using))}]")
        store.remove(name)


def prune(engine, everything: bool = False, keep=lambda doc: True) -> tuple[list[str], int]:
    """Remove unused volumes (only anonymous ones unless `everything`) that `keep`
    (the filters) lets through. Returns (names, bytes reclaimed)."""
    from ..util.fsutil import dir_size
    store = _store(engine)
    removed, reclaimed = [], 0
    with lock.locked(engine.paths.lock):
        used = store.users()
        for name in store.names():
            doc = document(store, name)
            if name in used or not keep(doc):
                continue
            if not everything and ANONYMOUS_LABEL not in (doc["Labels"] or {}):
                continue
            reclaimed += dir_size(store.data(name))
            store.remove(name)
            removed.append(name)
    return removed, reclaimed
