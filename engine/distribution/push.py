"""`docker push`: an image's layers (gzip-compressed, as Docker pushes them), its config
and a Docker schema 2 manifest, to a registry.

Each layer is first looked for where it may already be: a blob this registry was seen
to hold for it (pulled from or pushed to it before) in the same repository is "Layer
already exists" after a HEAD; one in another repository of the same registry is mounted
("Mounted from ..."); else it is compressed (deterministically: the same layer always
gives the same blob) and uploaded, in one request or in chunks when it is big.
"""
from __future__ import annotations

import hashlib
import json
import os
import urllib.parse

from ..errors import NotFound
from ..store.images import digest_of
from . import compress
from .pull import record_digest, remember_sources, repo_path, sources
from .registry import Registry, RegistryError, push_scope

MEDIA_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MEDIA_CONFIG = "application/vnd.docker.container.image.v1+json"
MEDIA_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
CHUNKED_ABOVE = 32 << 20
CHUNK = 8 << 20


def refs_to_push(engine, ref, all_tags: bool = False) -> list:
    """`ref` itself, or with all_tags (`docker push -a`, the API's push without a tag)
    every local tag of its repository."""
    from ..images import reference
    if not all_tags:
        return [ref]
    prefix = f"{ref.domain}/{ref.path}:"
    refs = [reference.parse(r) for r in sorted(engine.images.refs()) if r.startswith(prefix)]
    if not refs:
        raise NotFound(f"An image does not exist locally with the tag: {ref.familiar_name}")
    return refs


def push(engine, ref, say=lambda line: None, event=None, environ=os.environ,
         login: tuple[str, str] | None = None) -> str:
    """Push the image tagged `ref`; returns the manifest digest. login: as the client
    sent it (the API; () for none), None for the one stored for the registry."""
    img = engine.images.find(str(ref))
    if img is None:
        raise NotFound(f"An image does not exist locally with the tag: {ref.familiar_name}")
    event = event or (lambda short, status, progress="": None if progress else
                      say(f"{short}: {status}"))
    say(f"The push refers to repository [{ref.name}]")
    reg = Registry(ref.domain, environ, user=login)
    repo = repo_path(ref)
    scope = push_scope(repo)
    shorts = [d[7:19] for d in reversed(img.diff_ids)]
    for short in shorts:
        event(short, "Preparing")
    layers = []
    for diff_id in reversed(img.diff_ids):
        layers.append(_push_layer(engine, reg, ref.domain, repo, diff_id, scope, event))
    layers.reverse()
    config = engine.images.blob_path(img.id).read_bytes()
    _upload_bytes(reg, repo, scope, config, img.id)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": MEDIA_MANIFEST,
        "config": {"mediaType": MEDIA_CONFIG, "size": len(config), "digest": img.id},
        "layers": [{"mediaType": MEDIA_LAYER, "size": size, "digest": digest}
                   for digest, size in layers],
    }, indent=3).encode()
    resp = reg.request("PUT", f"/v2/{repo}/manifests/{ref.tag}", scope=scope,
                       headers={"Content-Type": MEDIA_MANIFEST}, body=manifest,
                       ok=(200, 201, 202))
    resp.close()
    digest = digest_of(manifest)
    record_digest(engine, img.id, f"{ref.domain}/{ref.path}@{digest}")
    remember_sources(engine, img.diff_ids, [{"digest": d, "size": s, "mediaType": MEDIA_LAYER}
                                            for d, s in layers], ref.domain, repo)
    say(f"{ref.tag}: digest: {digest} size: {len(manifest)}")
    return digest


def _push_layer(engine, reg: Registry, domain: str, repo: str, diff_id: str, scope: str,
                event) -> tuple[str, int]:
    short = diff_id[7:19]
    known = [s for s in sources(engine, diff_id) if s["registry"] == domain and
             s.get("mediaType", MEDIA_LAYER).endswith("gzip")]
    for s in sorted(known, key=lambda s: s["repository"] != repo):
        if s["repository"] == repo:
            if reg.has_blob(repo, s["digest"], scope):
                event(short, "Layer already exists")
                return s["digest"], s["size"]
            continue
        if _mount(reg, repo, s["digest"], s["repository"]):
            event(short, f"Mounted from {_familiar(domain, s['repository'])}")
            return s["digest"], s["size"]
    packed, digest, size = _compress(engine, diff_id)
    try:
        if reg.has_blob(repo, digest, scope):
            event(short, "Layer already exists")
            return digest, size
        event(short, "Pushing")
        _upload_file(reg, repo, scope, packed, digest, size, lambda done: event(
            short, "Pushing", f"{done}/{size}"))
        event(short, "Pushed")
        return digest, size
    finally:
        os.unlink(packed)


def _familiar(domain: str, repo: str) -> str:
    if domain == "docker.io" and repo.startswith("library/"):
        return repo[len("library/"):]
    return repo


def _compress(engine, diff_id: str):
    """The layer gzip-compressed into a staging file: (path, digest, size)."""
    src = engine.images.blob_path(diff_id)
    out = engine.images.new_blob_file()
    sha = hashlib.sha256()
    size = 0
    with open(out, "wb") as f:
        def write(b: bytes) -> None:
            nonlocal size
            sha.update(b)
            size += len(b)
            f.write(b)
        compress.gzip_file(str(src), write)
    return out, "sha256:" + sha.hexdigest(), size


def _start(reg: Registry, repo: str, scope: str, query: str = "") -> tuple[object, str]:
    resp = reg.request("POST", f"/v2/{repo}/blobs/uploads/{query}", scope=scope,
                       headers={"Content-Length": "0"}, body=b"", ok=(201, 202))
    location = resp.headers.get("Location", "")
    resp.close()
    return resp, urllib.parse.urljoin(reg.url(f"/v2/{repo}/blobs/uploads/"), location)


def _mount(reg: Registry, repo: str, digest: str, source: str) -> bool:
    query = "?" + urllib.parse.urlencode({"mount": digest, "from": source})
    resp, location = _start(reg, repo, push_scope(repo, source), query)
    if resp.status == 201:
        return True
    _cancel(reg, repo, location)                 # the registry opened an upload instead
    return False


def _cancel(reg: Registry, repo: str, location: str) -> None:
    try:
        reg.request("DELETE", location, scope=push_scope(repo), ok=(200, 202, 204, 404)).close()
    except RegistryError:
        pass


def _with_digest(location: str, digest: str) -> str:
    return location + ("&" if "?" in location else "?") + urllib.parse.urlencode(
        {"digest": digest})


def _upload_bytes(reg: Registry, repo: str, scope: str, data: bytes, digest: str) -> None:
    if reg.has_blob(repo, digest, scope):
        return
    _, location = _start(reg, repo, scope)
    reg.request("PUT", _with_digest(location, digest), scope=scope, body=data,
                headers={"Content-Type": "application/octet-stream",
                         "Content-Length": str(len(data))}, ok=(201, 204)).close()


def _upload_file(reg: Registry, repo: str, scope: str, path, digest: str, size: int,
                 progress) -> None:
    _, location = _start(reg, repo, scope)
    with open(path, "rb") as f:
        if size <= CHUNKED_ABOVE:                 # monolithic: one PUT with the blob
            reg.request("PUT", _with_digest(location, digest), scope=scope, body=f,
                        headers={"Content-Type": "application/octet-stream",
                                 "Content-Length": str(size)}, ok=(201, 204)).close()
            progress(size)
            return
        offset = 0
        while offset < size:                      # chunked: PATCH after PATCH, then PUT
            chunk = f.read(CHUNK)
            end = offset + len(chunk) - 1
            resp = reg.request("PATCH", location, scope=scope, body=chunk, ok=(202,),
                               headers={"Content-Type": "application/octet-stream",
                                        "Content-Length": str(len(chunk)),
                                        "Content-Range": f"{offset}-{end}"})
            location = urllib.parse.urljoin(location, resp.headers.get("Location", location))
            resp.close()
            offset = end + 1
            progress(offset)
    reg.request("PUT", _with_digest(location, digest), scope=scope, body=b"",
                headers={"Content-Length": "0"}, ok=(201, 204)).close()
