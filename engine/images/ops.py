"""Image operations with Docker's rules: pull, tag, remove (untag vs delete), prune,
history."""
from __future__ import annotations

from . import reference
from ..errors import Conflict, ImageNotFoundLocally, InvalidReference, NoSuchImage
from ..store import lock
from ..store.images import Image, short_id
from . import offline


def _local_list(engine) -> str:
    tags = sorted({t for img in engine.images.all() for t in img.repo_tags})
    return ", ".join(tags) if tags else "none yet"


def offline_hint(engine) -> str:
    return ("dockerlings works offline: it can make busybox, hello-world, registry:2 and "
            "curlimages/curl itself, and pull from registries on this machine, but cannot "
            f"download other images. Images here now: {_local_list(engine)}.")


def pull(engine, text: str, progress=None, event=None, platform: str | None = None,
         environ=None, login: tuple[str, str] | None = None) -> Image:
    """busybox and hello-world are made here, offline, as ever; any other image comes
    from its registry (engine/distribution), unless the engine is told to stay offline
    (DOCKERLINGS_OFFLINE=1: no registry but the ones on this machine's loopback)."""
    ref = reference.parse(text)
    say = progress or (lambda line: None)
    if not offline.known(str(ref)) and remote_allowed(ref):
        return _from_registry(engine, text, ref, say, event, platform, environ, login)
    if ref.digest and not ref.tag:
        raise ImageNotFoundLocally(text, f"manifest for {ref.familiar()} not found: "
                                   "manifest unknown: manifest unknown",
                                   hint=offline_hint(engine))
    tag = ref.tag or "latest"
    with lock.locked(engine.paths.lock):
        existing = engine.images.find(str(ref))
        if not offline.known(str(ref)):
            raise ImageNotFoundLocally(
                text, f'pull access denied for {ref.familiar_name}, repository does not exist '
                      "or may require 'docker login'"
                if "/" not in ref.familiar_name else
                f'Get "https://{_registry(ref)}/v2/": dockerlings has no registry access',
                hint=offline_hint(engine))
        say(f"{tag}: Pulling from {_repo_path(ref)}")
        if existing:
            say(f"Digest: {existing.manifest}")
            say(f"Status: Image is up to date for {ref.familiar()}")
            return existing
        img = offline.make(engine, str(ref))
        from ..distribution.pull import plain
        event = event or plain(say)
        for layer in img.diff_ids:      # made here, offline; reported as a registry pull is
            for status in ("Pulling fs layer", "Verifying Checksum", "Download complete",
                           "Pull complete"):
                event(layer[7:19], status)
        say(f"Digest: {img.manifest}")
        say(f"Status: Downloaded newer image for {ref.familiar()}")
        return img


def remote_allowed(ref, environ=None) -> bool:
    import os
    from ..distribution.registry import host_of, insecure
    environ = os.environ if environ is None else environ
    if environ.get("DOCKERLINGS_OFFLINE", "") in ("", "0"):
        return True
    return insecure(host_of(ref.domain), {})         # loopback registries only


def _from_registry(engine, text: str, ref, say, event, platform, environ, login) -> Image:
    import os
    from ..distribution import pull as remote
    from ..distribution.registry import RegistryError, Unreachable
    try:
        return remote.pull(engine, ref, say, platform=platform, event=event,
                           environ=os.environ if environ is None else environ, login=login)
    except Unreachable as e:
        raise ImageNotFoundLocally(text, e.message, hint=e.hint or offline_hint(engine)) from None
    except RegistryError as e:
        if e.status == 404:
            what = f"{ref.familiar_name}@{ref.digest}" if ref.digest else ref.familiar()
            raise ImageNotFoundLocally(text, f"manifest for {what} not found: manifest "
                                       "unknown: manifest unknown") from None
        if e.status in (401, 403):
            raise ImageNotFoundLocally(
                text, f"pull access denied for {ref.familiar_name}, repository does not "
                "exist or may require 'docker login': denied: requested access to the "
                "resource is denied") from None
        raise


def _registry(ref) -> str:
    return "registry-1.docker.io" if ref.domain == "docker.io" else ref.domain


def _repo_path(ref) -> str:
    return ref.path if ref.domain == "docker.io" else ref.name


def tag(engine, source: str, target: str) -> None:
    try:
        ref = reference.parse(target)
    except InvalidReference as e:
        raise InvalidReference(
            f'Error parsing reference: "{target}" is not a valid repository/tag: {e}') from None
    if ref.digest:
        raise InvalidReference("refusing to create a tag with a digest reference")
    with lock.locked(engine.paths.lock):
        img = engine.get_image(source)
        engine.images.set_ref(str(ref), img.id)


# --- removal ------------------------------------------------------------------------

class _DeleteConflict(Conflict):
    def __init__(self, image_id: str, message: str, hard: bool, used: bool):
        force = "cannot be forced" if hard else "must be forced"
        super().__init__(f"conflict: unable to delete {short_id(image_id)} ({force}) - {message}")
        self.used = used


def _containers_using(engine, image_id: str):
    return [c for c in engine.containers(all=True) if c.image_id == image_id]


def _conflict(engine, image_id: str, hard_only: bool, skip_refs: bool = False):
    if engine.images.children(image_id):
        return _DeleteConflict(image_id, "image has dependent child images", True, False)
    using = _containers_using(engine, image_id)
    running = [c for c in using if c.state.running]
    if running:
        return _DeleteConflict(image_id, f"image is being used by running container "
                               f"{running[0].short_id}", True, True)
    if hard_only:
        return None
    if not skip_refs and engine.images.refs_of(image_id):
        return _DeleteConflict(image_id, "image is referenced in multiple repositories",
                               False, False)
    if using:
        return _DeleteConflict(image_id, f"image is being used by stopped container "
                               f"{using[0].short_id}", False, True)
    return None


def _is_id_prefix(image_id: str, text: str) -> bool:
    return image_id.startswith(text) or image_id[7:].startswith(text)


def _single_repository(refs: list[str]) -> bool:
    return len({reference.parse(r).name for r in refs}) <= 1


def remove(engine, text: str, force: bool = False, prune: bool = True) -> list[tuple[str, str]]:
    """`docker rmi`: returns ("Untagged"|"Deleted", what) records in Docker's order."""
    with lock.locked(engine.paths.lock):
        img = engine.get_image(text)
        records: list[tuple[str, str]] = []
        refs = engine.images.refs_of(img.id)
        removed_ref = False
        if not _is_id_prefix(img.id, text):
            if not force and len(refs) == 1:
                using = _containers_using(engine, img.id)
                if using:
                    raise Conflict(
                        f'conflict: unable to remove repository reference "{text}" (must '
                        f"force) - container {using[0].short_id} is using its referenced "
                        f"image {short_id(img.id)}")
            ref = str(reference.parse(text))
            engine.images.remove_ref(ref)
            records.append(("Untagged", reference.parse(ref).familiar()))
            if engine.images.refs_of(img.id):
                return records
            removed_ref = True
        elif _single_repository(refs):
            conflict = _conflict(engine, img.id, hard_only=force, skip_refs=True)
            if conflict:
                raise conflict
            for r in refs:
                engine.images.remove_ref(r)
                records.append(("Untagged", reference.parse(r).familiar()))
        _delete_helper(engine, img.id, records, force, prune, quiet=removed_ref)
        return records


def _delete_helper(engine, image_id: str, records, force: bool, prune: bool, quiet: bool):
    conflict = _conflict(engine, image_id, hard_only=force)
    if conflict:
        # Docker's imageIsDangling: no references and no children
        dangling = not engine.images.refs_of(image_id) and not engine.images.children(image_id)
        if quiet and (not dangling or conflict.used):
            return
        raise conflict
    img = engine.images.get(image_id)
    for r in engine.images.refs_of(image_id):
        engine.images.remove_ref(r)
        records.append(("Untagged", reference.parse(r).familiar()))
    before = set(engine.layers.all_ids())
    engine.images.delete(image_id, keep_layers=engine.layers_in_use())
    records.append(("Deleted", image_id))
    for layer in sorted(before - set(engine.layers.all_ids())):
        records.append(("Deleted", layer))
    if prune and img.parent and engine.images.exists(img.parent):
        _delete_helper(engine, img.parent, records, False, True, quiet=True)


def prune(engine, all_images: bool = False) -> tuple[list[tuple[str, str]], int]:
    """`docker image prune`: dangling images (or, with -a, every unused one)."""
    records: list[tuple[str, str]] = []
    reclaimed = 0
    with lock.locked(engine.paths.lock):
        used = {c.image_id for c in engine.containers(all=True)}
        for img in engine.images.all():
            if img.id in used or not engine.images.exists(img.id):
                continue
            if not all_images and (img.repo_tags or engine.images.children(img.id)):
                continue
            if engine.images.children(img.id):
                continue
            size_before = _disk_usage(engine)
            layers_before = set(engine.layers.all_ids())
            for r in engine.images.refs_of(img.id):
                engine.images.remove_ref(r)
                records.append(("untagged", reference.parse(r).familiar()))
            engine.images.delete(img.id, keep_layers=engine.layers_in_use())
            records.append(("deleted", img.id))
            for layer in sorted(layers_before - set(engine.layers.all_ids())):
                records.append(("deleted", layer))
            reclaimed += max(0, size_before - _disk_usage(engine))
    return records, reclaimed


def _disk_usage(engine) -> int:
    return sum(engine.layers.get(l).size for l in engine.layers.all_ids()
               if engine.layers.exists(l))


def history(engine, text: str) -> list[dict]:
    """Rows newest first: ID (or <missing>), Created, CreatedBy, Size, Comment, Tags,
    filled in exactly as Docker's ImageHistory does (parent IDs walk one per row)."""
    img = engine.get_image(text)
    rows: list[dict] = []
    diff_ids = img.diff_ids
    n = 0
    chain = None
    from ..store.layers import chain_id
    for h in img.history:
        size = 0
        if not h.get("empty_layer"):
            if n < len(diff_ids):
                chain = chain_id(chain, diff_ids[n])
                size = engine.layers.get(chain).size if engine.layers.exists(chain) else 0
            n += 1
        rows.insert(0, {"Id": "<missing>", "Created": h.get("created", ""),
                        "CreatedBy": h.get("created_by", ""), "Tags": None,
                        "Size": size, "Comment": h.get("comment", "")})
    current: Image | None = img
    for row in rows:
        if current is None:
            break
        row["Id"] = current.id
        row["Tags"] = current.repo_tags or None
        if not current.parent or not engine.images.exists(current.parent):
            break
        current = engine.images.get(current.parent)
    return rows


__all__ = ["pull", "tag", "remove", "prune", "history", "NoSuchImage"]
