"""Removing what a lesson made, and nothing else.

While a lesson runs, every container the learner creates carries the lesson's label and
the current step's (see Session._label); images committed from those containers inherit
the labels, as Docker copies a container's labels into the image it commits; networks
and volumes made with `create` during the lesson carry them too. So a reset finds exactly
the lesson's own objects by label, and the learner's free experiments made outside a
lesson stay.

Volumes a container makes as it is created (`-v NAME:/path`, `-v /path`) carry no labels,
as in Docker, and may outlive their containers (that is what they are for); images that
`docker build` makes carry none either. The session notes those that appear while the
learner follows the lesson (LessonProgress.made), and a reset takes them once nothing
could still want them — no container uses them after the lesson's containers are gone.
A volume or image the learner made before, or one a container of their own still uses,
stays.
"""
from __future__ import annotations

from engine import timeutil
from engine.errors import EngineError

from .model import LESSON_LABEL


def _labelled(labels: dict, wanted: dict) -> bool:
    return all(labels.get(k) == v for k, v in wanted.items())


def remove_labelled(engine, wanted: dict, images_since: str | None = None,
                    lesson_id: str | None = None, made=()) -> list[str]:
    """Remove the containers carrying all of `wanted`'s labels, then the images the lesson
    made: all of them carrying its label, or with `images_since`, those made since then
    (a step's reset: an image keeps the step label of the container it came from, not
    of the step that committed it); the networks and volumes carrying the labels; and
    of the unlabelled objects the lesson `made` ((kind, id) pairs: volumes and built
    images), those nothing uses any more. Returns what went, in words."""
    removed = []
    for c in engine.containers(all=True):
        if _labelled(c.config.label_dict(), wanted):
            try:
                engine.remove(c.id, force=True)
                removed.append(f"container {c.name}")
            except EngineError:
                pass
    removed += _remove_others(engine, wanted)
    made = set(made)
    removed += _remove_unused_volumes(engine, {i for k, i in made if k == "volume"})
    lesson = lesson_id or wanted.get(LESSON_LABEL)
    since = timeutil.parse_ns(images_since) if images_since else None
    images = sorted(engine.list_images(), key=lambda i: i.created, reverse=True)
    for img in images:          # newest first: a child goes before the image it stands on
        labels = img.run_config.get("Labels") or {}
        if labels.get(LESSON_LABEL) != lesson:
            continue
        if since is not None and timeutil.parse_ns(img.created) < since:
            continue
        try:
            engine.remove_image(img.id, force=True)
            removed.append(f"image {(img.repo_tags or [img.id[7:19]])[0]}")
        except EngineError:
            pass            # still used by a running container of the learner's own
    removed += _remove_unused_images(engine, {i for k, i in made if k == "image"})
    return removed


def _remove_others(engine, wanted: dict) -> list[str]:
    """Networks and volumes created while the lesson ran carry its labels too (when the
    engine has them); after its containers are gone, nothing holds them."""
    removed = []
    for kind, list_name, remove_name in (("network", "networks", "remove_network"),
                                         ("volume", "volumes", "remove_volume")):
        listing = getattr(engine, list_name, None)
        remove = getattr(engine, remove_name, None)
        if not callable(listing) or not callable(remove):
            continue
        try:
            objects = listing()
        except (EngineError, OSError):
            continue
        for obj in objects:
            if _labelled(obj.get("Labels") or {}, wanted):
                try:
                    remove(obj["Name"])
                    removed.append(f"{kind} {obj['Name']}")
                except EngineError:
                    pass
    return removed


def _volumes_in_use(engine) -> set[str]:
    """Names of the volumes some container (running or not) mounts."""
    used = set()
    for c in engine.containers(all=True):
        for m in getattr(c, "mounts", None) or ():
            if isinstance(m, dict) and m.get("Type") == "volume" and m.get("Name"):
                used.add(m["Name"])
    return used


def _remove_unused_volumes(engine, names: set[str]) -> list[str]:
    """Those of `names` that still exist, carry no lesson's label and no container uses."""
    if not names:
        return []
    listing = getattr(engine, "volumes", None)
    remove = getattr(engine, "remove_volume", None)
    if not callable(listing) or not callable(remove):
        return []
    try:
        volumes, used = listing(), _volumes_in_use(engine)
    except (EngineError, OSError):
        return []
    removed = []
    for v in volumes:
        name = v.get("Name")
        if name not in names or name in used or LESSON_LABEL in (v.get("Labels") or {}):
            continue
        try:
            remove(name)
            removed.append(f"volume {name if len(name) < 64 else name[:12] + '…'}")
        except EngineError:
            pass                # taken into use meanwhile: it stays
    return removed


def _remove_unused_images(engine, ids: set[str]) -> list[str]:
    """Those of `ids` that still exist and no container was made from, newest first
    (an image built FROM another goes before it), with all their names."""
    if not ids:
        return []
    used = {c.image_id for c in engine.containers(all=True)}
    removed = []
    images = sorted(engine.list_images(), key=lambda i: i.created, reverse=True)
    for img in images:
        if img.id not in ids or img.id in used:
            continue
        try:
            engine.remove_image(img.id, force=True)
            removed.append(f"image {(img.repo_tags or [img.id[7:19]])[0]}")
        except EngineError:
            pass
    return removed
