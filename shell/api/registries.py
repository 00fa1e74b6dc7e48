"""The registry side of the API: push (POST /images/NAME/push, with the JSON progress
stream), search (GET /images/search) and login (POST /auth). Each calls the engine
function the command line calls for the same docker command; the login a client sends
(X-Registry-Auth, the /auth body) is used as it is, as dockerd uses it: the server's
own stored logins are not looked at."""
from __future__ import annotations

import base64
import binascii
import json
import os
import re

from engine.distribution import credentials
from engine.errors import EngineError, InvalidParameter
from engine.images import reference

from .containers import filters
from .http import Reply

_DIGEST_LINE = re.compile(r"^(\S+): digest: (sha256:[0-9a-f]{64}) size: (\d+)$")
_FRACTION = re.compile(r"^(\d+)/(\d+)$")


def login_from(req) -> tuple[str, str] | tuple[()]:
    """X-Registry-Auth (base64url of the JSON auth config) as (user, password); () for
    none, and for one that does not decode (moby ignores those as well)."""
    header = req.handler.headers.get("X-Registry-Auth") or ""
    try:
        doc = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (ValueError, binascii.Error):
        return ()
    return _login(doc) if isinstance(doc, dict) else ()


def _login(doc: dict) -> tuple[str, str] | tuple[()]:
    user, password = doc.get("username") or "", doc.get("password") or ""
    if not user and isinstance(doc.get("auth"), str):       # base64("user:password")
        try:
            user, _, password = base64.b64decode(doc["auth"]).decode().partition(":")
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return ()
    return (str(user), str(password)) if user else ()


class Progress:
    """The engine's push lines and layer events as the daemon's JSON messages, the
    answer started with the first of them (an error before it is an ordinary answer)."""

    def __init__(self, req):
        self.req, self.out = req, None

    def send(self, doc: dict) -> None:
        if self.out is None:
            self.out = self.req.handler.start_stream("application/json")
        self.out.json(doc)

    def say(self, line: str) -> None:
        self.send({"status": line})
        m = _DIGEST_LINE.match(line)
        if m:
            self.send({"progressDetail": {}, "aux": {"Tag": m.group(1), "Digest": m.group(2),
                                                     "Size": int(m.group(3))}})

    def event(self, short: str, status: str, progress: str = "") -> None:
        m = _FRACTION.match(progress)
        if not m:
            self.send({"status": status, "progressDetail": {}, "id": short})
            return
        from engine.distribution.pull import _progress
        done, total = int(m.group(1)), int(m.group(2))
        self.send({"status": status, "progressDetail": {"current": done, "total": total},
                   "progress": _progress(done, total), "id": short})


def push(req, eng, name):
    """docker push: `tag` names the tag; without one, every tag of the repository."""
    from engine.distribution import push as pushing
    tag = req.arg("tag") or ""
    ref = reference.parse(f"{name}:{tag}" if tag else name, default_tag=None)
    if ref.digest:
        raise InvalidParameter("cannot push a digest reference")
    refs = pushing.refs_to_push(eng, ref, all_tags=not tag)
    login, shown = login_from(req), Progress(req)
    try:
        for one in refs:
            pushing.push(eng, one, say=shown.say, event=shown.event, environ=os.environ,
                         login=login)
    except EngineError as e:
        if shown.out is None:
            raise
        shown.send({"errorDetail": {"message": e.message}, "error": e.message})
    except OSError:                       # the client went away
        return None
    if shown.out is None:
        return Reply(200, raw=b"")
    shown.out.close()
    return None


def search(req, eng):
    from engine.distribution.search import search as searching
    limit = req.arg("limit") or "0"
    if not limit.isdigit():
        raise InvalidParameter(f'invalid limit specified: strconv.Atoi: parsing "{limit}": '
                               "invalid syntax")
    results = searching(req.arg("term") or "", int(limit), filters(req), os.environ)
    return Reply(200, [{"star_count": int(r.get("star_count") or 0),
                        "is_official": bool(r.get("is_official")),
                        "name": str(r.get("name") or ""), "is_automated": False,
                        "description": str(r.get("description") or "")} for r in results])


def auth(req, eng):
    """docker login: the registry takes this login, or the daemon's words."""
    from engine.distribution.registry import check_login
    body = req.json({})
    if not isinstance(body, dict):
        raise InvalidParameter("invalid JSON: the body must be an object")
    login = _login(body)
    domain = credentials.domain_of(str(body.get("serveraddress") or ""))
    check_login(domain, login or ("", ""), os.environ)
    return Reply(200, {"Status": "Login Succeeded", "IdentityToken": ""})


ROUTES = [
    ("POST", r"/images/(.+?)/push", push),
    ("GET", r"/images/search", search),
    ("POST", r"/auth", auth),
]
STREAMS = (push, search, auth)      # the registry's time, not the engine's: beside the rest
