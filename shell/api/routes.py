"""The route table: (method, path pattern) -> function(request, engine, *groups)."""
from __future__ import annotations

import re

from engine.errors import EngineError

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
        """The route for the method and path; HEAD falls back to GET (without the body),
        a path known for another method is moby's 404 as well."""
        methods = (req.method, "GET") if req.method == "HEAD" else (req.method,)
        for method in methods:
            for m, pattern, function in self.table:
                match = pattern.match(req.path) if m == method else None
                if match:
                    return function(req, self.engine, *match.groups())
        raise Unsupported("page not found")


def build(engine) -> Router:
    """Every route of the server."""
    from . import archive, build as builds, containers, events, execs, images, objects, system
    router = Router(engine)
    for module in (system, archive, builds, containers, events, execs, images, objects):
        for method, pattern, function in module.ROUTES:
            router.add(method, pattern, function)
    return router
