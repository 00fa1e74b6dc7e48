"""/containers/{id}/archive (HEAD, GET, PUT): `docker cp` both ways, through the
engine's half of cp (engine/containers/cp.py), as the docker CLI's client half expects it."""
from __future__ import annotations

import base64
import json
import os
import stat as _stat
from datetime import datetime, timezone

from engine.containers import cp as engine_cp
from engine.errors import EngineError, InvalidParameter

from .http import Reply

# Go's os.FileMode type bits for a unix st_mode's type (the CLI decodes the stat as Go)
_TYPE_BITS = ((_stat.S_ISDIR, 1 << 31), (_stat.S_ISLNK, 1 << 27), (_stat.S_ISFIFO, 1 << 25),
              (_stat.S_ISSOCK, 1 << 24), (_stat.S_ISBLK, 1 << 26),
              (_stat.S_ISCHR, (1 << 26) | (1 << 21)))


def go_mode(mode: int) -> int:
    out = mode & 0o777
    for test, bit in _TYPE_BITS:
        if test(mode):
            out |= bit
    if mode & _stat.S_ISUID:
        out |= 1 << 23
    if mode & _stat.S_ISGID:
        out |= 1 << 22
    if mode & _stat.S_ISVTX:
        out |= 1 << 20
    return out


def _stat_header(info: dict) -> str:
    mtime = datetime.fromtimestamp(info["mtime"], timezone.utc).isoformat().replace("+00:00", "Z")
    doc = {"name": info["name"], "size": info["size"], "mode": go_mode(info["mode"]),
           "mtime": mtime, "linkTarget": info["linkTarget"]}
    return base64.b64encode(json.dumps(doc).encode()).decode()


def _path(req) -> str:
    path = req.arg("path")
    if path is None:
        raise InvalidParameter("bad parameter: path cannot be empty")
    return path


def head(req, eng, ref):
    info = engine_cp.stat(eng, ref, _path(req))
    return Reply(200, raw=b"", content_type="application/json",
                 headers={"X-Docker-Container-Path-Stat": _stat_header(info)})


def get(req, eng, ref):
    path = _path(req)
    info = engine_cp.stat(eng, ref, path)
    r, w = os.pipe2(os.O_CLOEXEC)
    try:
        child = engine_cp.read_archive(eng, ref, path, w, parent_fds=(r,))
    except BaseException:
        os.close(r)
        raise
    finally:
        os.close(w)
    out = req.handler.start_stream("application/x-tar", headers={
        "X-Docker-Container-Path-Stat": _stat_header(info)})
    try:
        with os.fdopen(r, "rb") as stream:
            while chunk := stream.read(65536):
                out.write(chunk)
        out.close()
    except OSError:             # the client went away
        pass
    try:
        child.finish()
    except EngineError as e:
        req.handler.server.note(f"archive of {ref}:{path}: {e.message}")
    return None


def put(req, eng, ref):
    path = _path(req)
    eng.container(ref)                    # No such container: before reading the body
    r, w = os.pipe2(os.O_CLOEXEC)
    try:
        child = engine_cp.write_archive(eng, ref, path, r, keep_owner=req.flag("copyUIDGID"),
                                        parent_fds=(w,))
    except BaseException:
        os.close(w)
        raise
    finally:
        os.close(r)
    try:
        with os.fdopen(w, "wb") as into:
            for chunk in req.handler.body_chunks():
                into.write(chunk)
    except BrokenPipeError:
        pass                              # the helper stopped reading: its error says why
    except BaseException:
        try:
            child.finish()
        except EngineError:
            pass
        raise
    child.finish()
    return Reply(200)


ROUTES = [
    ("HEAD", r"/containers/([^/]+)/archive", head),
    ("GET", r"/containers/([^/]+)/archive", get),
    ("PUT", r"/containers/([^/]+)/archive", put),
]
STREAMS = (get, put)
