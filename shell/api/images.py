"""/images/...: list, inspect, tag, remove, and create (= pull, with Docker's JSON
progress stream)."""
from __future__ import annotations

import json
import re

from engine.containers import inspect as documents
from engine.util import timeutil
from engine.errors import EngineError, InvalidParameter

from .containers import filters
from .http import Reply

_KEYS = ("dangling", "reference", "label", "before", "since", "until")


def summary(img) -> dict:
    """One row of GET /images/json (moby's image.Summary)."""
    return {"Containers": -1, "Created": int(timeutil.parse(img.created)), "Id": img.id,
            "Labels": img.run_config.get("Labels") or {}, "ParentId": img.parent or "",
            "RepoDigests": list(img.repo_digests), "RepoTags": list(img.repo_tags),
            "SharedSize": -1, "Size": img.size}


def list_(req, eng):
    from ..commands.images import _labels_match, _reference_matches
    wanted = filters(req)
    for key in wanted:
        if key not in _KEYS:
            raise InvalidParameter(f"invalid filter '{key}'")
    images = sorted(eng.list_images(), key=lambda i: i.created, reverse=True)
    parents = {i.parent for i in images if i.parent}
    out = []
    for img in images:
        named = img.repo_tags or [d.split("@", 1)[0] + ":<none>" for d in img.repo_digests]
        dangling = not named
        if "dangling" in wanted and dangling != (wanted["dangling"][-1].lower() in ("true", "1")):
            continue
        if dangling and img.id in parents and not req.flag("all"):
            continue                       # an intermediate image: listed with all=1 only
        if "label" in wanted and not _labels_match(img, wanted["label"]):
            continue
        if "reference" in wanted and (dangling or not any(
                _reference_matches(p, t) for t in named for p in wanted["reference"])):
            continue
        out.append(summary(img))
    return Reply(200, out)


def inspect(req, eng, name):
    return Reply(200, documents.image(eng, eng.get_image(name)))


def tag(req, eng, name):
    repo, tag_ = req.arg("repo") or "", req.arg("tag") or ""
    if not repo:
        raise InvalidParameter("repository name must have at least one component")
    eng.tag(name, f"{repo}:{tag_}" if tag_ else repo)
    return Reply(201)


def remove(req, eng, name):
    records = eng.remove_image(name, force=req.flag("force"), prune=not req.flag("noprune"))
    return Reply(200, [{kind: what} for kind, what in records])


def history(req, eng, name):
    return Reply(200, [{**row, "Created": int(timeutil.parse(row["Created"]))
                        if isinstance(row.get("Created"), str) else row.get("Created")}
                       for row in eng.history(name)])


_PROGRESS = re.compile(r"^([^\s:]+): (.+)$")


def progress_doc(line: str) -> dict:
    """A line of the engine's pull progress as the daemon's JSON message."""
    m = _PROGRESS.match(line)
    if m and m.group(1) not in ("Digest", "Status"):
        doc = {"status": m.group(2), "id": m.group(1)}
        if doc["status"] != m.group(2) or "complete" in m.group(2).lower():
            doc["progressDetail"] = {}
        return doc
    return {"status": line}


def create(req, eng):
    """docker pull: the progress as a stream of JSON messages. An error before the first
    message is an ordinary error answer (moby's status); after it, an error message in
    the stream, as the daemon sends it."""
    name = req.arg("fromImage")
    if not name:
        return import_(req, eng)
    tag_ = req.arg("tag") or ""
    if tag_:
        name += ("@" if tag_.startswith("sha256:") else ":") + tag_
    from .registries import login_from
    login = login_from(req)
    stream = []

    def say(line: str) -> None:
        if not stream:
            stream.append(req.handler.start_stream("application/json"))
        stream[0].json(progress_doc(line))
    try:
        for one in _to_pull(name, login):
            eng.pull(one, say, platform=req.arg("platform") or None, login=login)
    except EngineError as e:
        if not stream:
            raise
        stream[0].json({"errorDetail": {"message": e.message}, "error": e.message})
    if not stream:
        return Reply(200, {"status": f"Status: Image is up to date for {name}"})
    stream[0].close()
    return None


def import_(req, eng):
    """docker import: POST /images/create?fromSrc=- with the archive as the body, made
    into an image by the engine's import as the command's; the image ID as the daemon's
    one status message."""
    from engine.distribution import filesystems
    from ..commands.archives import offline_source
    from .build import _Chunks
    source = req.arg("fromSrc") or ""
    if not source:
        raise InvalidParameter("fromImage or fromSrc is required")
    offline_source(source)
    if source != "-":
        raise InvalidParameter(f"invalid fromSrc {source!r}: the archive is the request "
                               "body (fromSrc=-) or a URL")
    repo, tag_ = req.arg("repo") or "", req.arg("tag") or ""
    repository = (f"{repo}:{tag_}" if repo and tag_ else repo) or None
    image_id = filesystems.import_image(eng, _Chunks(req.handler.body_chunks()), repository,
                                        changes=req.query.get("changes") or (),
                                        message=req.arg("message") or "", source=source)
    return Reply(200, raw=json.dumps({"status": image_id}).encode() + b"\n")


def _to_pull(name: str, login) -> list[str]:
    """A name without a tag or digest is every tag of the repository, as moby pulls it
    (the docker CLI's pull -a; it sends a tag otherwise)."""
    from engine.distribution.pull import all_tags
    from engine.images import reference
    ref = reference.parse(name, default_tag=None)
    if ref.tag or ref.digest:
        return [name]
    return [str(r) for r in all_tags(ref, login=login)]


def prune(req, eng):
    wanted = filters(req)
    dangling = [v.lower() for v in wanted.get("dangling", [])]
    everything = bool(dangling) and dangling[-1] in ("false", "0")
    records, reclaimed = eng.prune_images(all_images=everything)
    return Reply(200, {"ImagesDeleted": [{kind.capitalize(): what} for kind, what in records]
                       or None, "SpaceReclaimed": reclaimed})


class _LazyStream:
    """A file object for the archive writer: the answer starts with its first byte, so
    a name that does not resolve is still an ordinary error answer."""

    def __init__(self, req):
        self.req, self.out = req, None

    def write(self, data) -> int:
        if self.out is None:
            self.out = self.req.handler.start_stream("application/x-tar")
        self.out.write(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def save(req, eng, name=None):
    """docker save: GET /images/get?names=... (or /images/NAME/get)."""
    from engine.distribution import archives
    names = [name] if name else req.query.get("names", [])
    if not names:
        raise InvalidParameter("no images to save")
    stream = _LazyStream(req)
    try:
        archives.save(eng, names, stream)
    except OSError:                       # the client went away
        return None
    if stream.out is None:
        stream.out = req.handler.start_stream("application/x-tar")
    stream.out.close()
    return None


def load(req, eng):
    """docker load: the archive is the body; Docker's lines as a JSON stream."""
    from engine.distribution import archives

    from .build import _Chunks
    lines = archives.load(eng, _Chunks(req.handler.body_chunks()))
    body = b"".join(json.dumps({"stream": line + "\n"}).encode() + b"\n" for line in lines)
    return Reply(200, raw=body, content_type="application/json")


_NAME = r"/images/(.+?)"
ROUTES = [
    ("GET", r"/images/json", list_),
    ("POST", r"/images/create", create),
    ("POST", r"/images/prune", prune),
    ("GET", r"/images/get", save),
    ("POST", r"/images/load", load),
    ("GET", _NAME + r"/get", save),
    ("GET", _NAME + r"/json", inspect),
    ("GET", _NAME + r"/history", history),
    ("POST", _NAME + r"/tag", tag),
    ("DELETE", r"/images/(.+)", remove),
]
STREAMS = (create, save)
