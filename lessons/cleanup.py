"""Removing what a lesson made, and nothing else.

While a lesson runs, the shell names its step as the engine's owner (Session._own), and
the engine notes in its own records every container, image, network and volume made
from then on, by any route: `docker run` and `create`, `commit`, `build`, `network` and
`volume create`, the volumes a container makes with `-v NAME:/path` or `-v /path`, a
docker in a host pipeline (engine/system/owners.py). Nothing Docker shows carries a mark. So a
reset finds exactly the lesson's own objects (or one step's), and what the learner made
outside the lesson stays, with what of theirs still uses a lesson's volume or image.
"""
from __future__ import annotations

from engine.errors import EngineError


def owner_of(lesson_id: str, step_id: str) -> str:
    """How a lesson's step is named as an owner in the engine's records."""
    return f"{lesson_id}/{step_id}"


def lesson_of(owner: str) -> str:
    return owner.partition("/")[0]


def owned(engine, lesson_id: str, step_id: str | None = None) -> set[tuple[str, str]]:
    """(kind, id) of what exists and was made for the lesson (or for one of its steps)."""
    mine = set()
    for key, owner in _owners(engine).items():
        if step_id is None and lesson_of(owner) == lesson_id or \
                owner == owner_of(lesson_id, step_id or ""):
            mine.add(key)
    return mine


def _owners(engine) -> dict:
    read = getattr(engine, "owners", None)
    try:
        return read() if callable(read) else {}
    except (EngineError, OSError):
        return {}


def remove_owned(engine, lesson_id: str, step_id: str | None = None) -> list[str]:
    """Remove what was made for the lesson (or the step): containers, then images
    (newest first: a child before the image it stands on), networks and volumes. What a
    container of the learner's own still uses stays. Returns what went, in words."""
    mine = owned(engine, lesson_id, step_id)
    if not mine:
        return []
    removed = []
    for c in sorted(engine.containers(all=True), key=lambda c: c.created):
        if ("container", c.id) in mine:
            if _gone(lambda: engine.remove(c.id, force=True)):
                removed.append(f"container {c.name}")
    used = {c.image_id for c in engine.containers(all=True)}
    for img in sorted(engine.list_images(), key=lambda i: i.created, reverse=True):
        if ("image", img.id) in mine and img.id not in used:
            if _gone(lambda: engine.remove_image(img.id, force=True)):
                removed.append(f"image {(img.repo_tags or [img.id[7:19]])[0]}")
    removed += _untag(engine, {oid for kind, oid in mine if kind == "tag"})
    for n in _listing(engine, "networks"):
        if ("network", n.get("Id")) in mine:
            if _gone(lambda: engine.remove_network(n["Id"])):
                removed.append(f"network {n['Name']}")
    for v in _listing(engine, "volumes"):
        name = v.get("Name", "")
        if ("volume", name) in mine:
            if _gone(lambda: engine.remove_volume(name)):       # in use: it stays
                removed.append(f"volume {name if len(name) < 64 else name[:12] + '…'}")
    return removed


def _untag(engine, refs: set[str]) -> list[str]:
    """Names the lesson gave to images that are not its own (`docker tag busybox
    mybox`): the name goes, the image stays. An image the name is the only one of
    keeps it (untagging would delete it, and it is not the lesson's)."""
    removed = []
    for img in engine.list_images():
        for ref in _full_refs(img):
            if ref in refs and len(img.repo_tags) > 1:
                short = _familiar(ref)
                if _gone(lambda: engine.remove_image(short)):
                    removed.append(f"tag {short}")
    return removed


def _full_refs(img) -> list[str]:
    from engine.images import reference
    out = []
    for tag in img.repo_tags:
        try:
            out.append(str(reference.parse(tag)))
        except EngineError:
            pass
    return out


def _familiar(ref: str) -> str:
    from engine.images import reference
    try:
        return reference.parse(ref).familiar()
    except EngineError:
        return ref


def describe(engine, keys: set[tuple[str, str]]) -> list[str]:
    """The objects named as a learner knows them: container web, image site:v1 …"""
    out = []
    for c in sorted(engine.containers(all=True), key=lambda c: c.created):
        if ("container", c.id) in keys:
            out.append(f"container {c.name}")
    for img in engine.list_images():
        if ("image", img.id) in keys:
            out.append(f"image {(img.repo_tags or [img.id[7:19]])[0]}")
    tags = {oid for kind, oid in keys if kind == "tag"}
    for img in engine.list_images():
        if ("image", img.id) not in keys and len(img.repo_tags) > 1:
            out += [f"tag {_familiar(r)}" for r in _full_refs(img) if r in tags]
    for n in _listing(engine, "networks"):
        if ("network", n.get("Id")) in keys:
            out.append(f"network {n['Name']}")
    for v in _listing(engine, "volumes"):
        name = v.get("Name", "")
        if ("volume", name) in keys:
            out.append(f"volume {name if len(name) < 64 else name[:12] + '…'}")
    return out


def _gone(remove) -> bool:
    try:
        remove()
        return True
    except EngineError:
        return False


def _listing(engine, name: str) -> list[dict]:
    listing = getattr(engine, name, None)
    try:
        return list(listing()) if callable(listing) else []
    except (EngineError, OSError):
        return []
