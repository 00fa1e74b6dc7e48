"""Removing what a lesson made, and nothing else.

While a lesson runs, every container the learner creates carries the lesson's label and
the current step's (see Session._label); images committed from those containers inherit
the labels, as Docker copies a container's labels into the image it commits; networks
(and volumes) created during the lesson carry them too. So a reset finds exactly the lesson's own
objects by label, and the learner's free experiments made outside a lesson stay.
"""
from __future__ import annotations

from engine import timeutil
from engine.errors import EngineError

from .model import LESSON_LABEL


def _labelled(labels: dict, wanted: dict) -> bool:
    return all(labels.get(k) == v for k, v in wanted.items())


def remove_labelled(engine, wanted: dict, images_since: str | None = None,
                    lesson_id: str | None = None) -> list[str]:
    """Remove the containers carrying all of `wanted`'s labels, then the images the lesson
    made: all of them carrying its label, or with `images_since`, those made since then
    (a step's reset: an image keeps the step label of the container it came from, not
    of the step that committed it). Returns what went, in words."""
    removed = []
    for c in engine.containers(all=True):
        if _labelled(c.config.label_dict(), wanted):
            try:
                engine.remove(c.id, force=True)
                removed.append(f"container {c.name}")
            except EngineError:
                pass
    removed += _remove_others(engine, wanted)
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
