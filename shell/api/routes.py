"""The route table: (method, path pattern) -> function(request, engine, *groups)."""
from __future__ import annotations

import re

from engine.errors import EngineError, NotFound

from .http import Reply


class Unsupported(EngineError):
    """A path this server does not serve (moby's words for an unknown route)."""

    status = 404


class Router:
    def __init__(self, engine):
        self.engine = engine
        self.table: list[tuple[str, re.Pattern, object]] = []

    def add(self, method: str, pattern: str, function) -> None:
        self.table.append((method, re.compile("^" + pattern + "$"), function))

    def dispatch(self, req) -> Reply | None:
        method = "GET" if req.method == "HEAD" else req.method
        allowed = False
        for m, pattern, function in self.table:
            match = pattern.match(req.path)
            if not match:
                continue
            if m != method and not (req.method == "HEAD" and m == "HEAD"):
                allowed = True
                continue
            return function(req, self.engine, *match.groups())
        if allowed:
            raise NotFound("page not found")      # moby: a known path, another method
        raise Unsupported("page not found")


def build(engine) -> Router:
    from . import containers, events, execs, images, objects, system
    router = Router(engine)
    for module in (system, containers, events, execs, images, objects):
        for method, pattern, function in module.ROUTES:
            router.add(method, pattern, function)
    return router
