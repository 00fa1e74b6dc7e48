"""POST /build: the classic builder's API (the docker CLI without buildx sends the
context as a tar): the context is unpacked under the engine's tmp folder, built by the
engine's builder (engine/build), and answered with the daemon's JSON stream."""
from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile

from engine.images import reference
from engine.errors import EngineError, InvalidParameter, InvalidReference

from .http import Reply


def _json_arg(req, name: str) -> dict:
    text = req.arg(name)
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise InvalidParameter(f"invalid {name}: {text[:80]}") from None
    if not isinstance(value, dict):
        raise InvalidParameter(f"invalid {name}: not an object")
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def _tags(req) -> tuple[str, ...]:
    out = []
    for t in req.query.get("t", []):
        try:
            ref = reference.parse(t)
        except InvalidReference as e:
            raise InvalidParameter(f"invalid reference format: {e.message}") from None
        out.append(str(ref))
    return tuple(out)


class _Chunks:
    """The request body as a file object for tarfile's stream mode."""

    def __init__(self, chunks):
        self.chunks, self.buf = chunks, b""

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self.buf) < n:
            more = next(self.chunks, b"")
            if not more:
                break
            self.buf += more
        if n < 0:
            n = len(self.buf)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def _unpack(req, into: str) -> None:
    """The uploaded context, with tarfile's "data" filter: no absolute names, no
    links or names that leave the folder, no devices, no setuid bits."""
    try:
        with tarfile.open(fileobj=_Chunks(req.handler.body_chunks()), mode="r|*") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError, ValueError) as e:
        raise InvalidParameter(f"failed to read the build context: {e}") from None


def _dockerfile(into: str, name: str) -> bytes:
    path = os.path.realpath(os.path.join(into, name))
    if not path.startswith(os.path.realpath(into) + os.sep):
        raise InvalidParameter(f"the Dockerfile ({name}) must be within the build context")
    try:
        with open(path, "rb") as f:
            return f.read(1 << 20)
    except OSError:
        raise InvalidParameter("Cannot locate specified Dockerfile: " + name) from None


def build(req, eng):
    from engine.build import builder
    from engine.build.errors import BuildError

    from ..commands.build import report
    tags = _tags(req)
    name = req.arg("dockerfile") or "Dockerfile"
    network = req.arg("networkmode") or "default"
    if network not in ("default", "none", "bridge"):
        raise InvalidParameter(f'network mode "{network}" not supported by dockerlings builds')
    eng.paths.tmp.mkdir(exist_ok=True)
    folder = tempfile.mkdtemp(prefix="build-context-", dir=str(eng.paths.tmp))
    try:
        _unpack(req, folder)
        opts = builder.BuildOptions(
            context=folder, dockerfile=_dockerfile(folder, name), filename=name, tags=tags,
            build_args=_json_arg(req, "buildargs"), labels=_json_arg(req, "labels"),
            target=req.arg("target") or None, no_cache=req.flag("nocache"),
            pull=req.flag("pull"), network="none" if network == "none" else "default")
        out = req.handler.start_stream("application/json")
        quiet = req.flag("q")
        try:
            result = builder.build(eng, opts, None if quiet else
                                   (lambda line: out.json({"stream": line + "\n"})))
        except BuildError as e:
            text = report(e)
            out.json({"errorDetail": {"message": text}, "error": text})
            out.close()
            return None
        except EngineError as e:
            out.json({"errorDetail": {"message": e.message}, "error": e.message})
            out.close()
            return None
        out.json({"aux": {"ID": result.image_id}})
        if quiet:                     # the CLI prints the quiet build's stream: the ID
            out.json({"stream": result.image_id + "\n"})
        else:
            out.json({"stream": f"Successfully built {result.image_id[7:19]}\n"})
            for tag in tags:
                out.json({"stream": f"Successfully tagged {reference.parse(tag).familiar()}\n"})
        out.close()
        return None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def prune(req, eng):
    """POST /build/prune: `docker builder prune` and the build cache part of `docker
    system prune` (the builder keeps no cache worth keeping: `all` changes nothing)."""
    from ..commands.system import prune_build_cache
    keys, reclaimed = prune_build_cache(eng)
    return Reply(200, {"CachesDeleted": keys or None, "SpaceReclaimed": reclaimed})


ROUTES = [("POST", r"/build", build), ("POST", r"/build/prune", prune)]
STREAMS = (build,)
