"""The route table: (method, path pattern) -> function(request, engine, *groups)."""
from __future__ import annotations

import re
import threading

from engine.errors import EngineError

from .http import Reply


class Unsupported(EngineError):
    """A path this server does not serve (moby's words for an unknown route)."""

    status = 404


class Router:
    """Requests run one engine call at a time, as the command line makes them (the
    engine's stores expect one writer per process); the long ones that stream (logs,
    events, attach, wait, exec, archives, builds, pulls) run beside them."""

    def __init__(self, engine):
        self.engine = engine
        self.table: list[tuple[str, re.Pattern, object]] = []
        self.lock = threading.Lock()
        self.streams: set = set()

    def add(self, method: str, pattern: str, function) -> None:
        self.table.append((method, re.compile("^" + pattern + "$"), function))

    def dispatch(self, req) -> Reply | None:
        """The route for the method and path; HEAD falls back to GET (without the body),
        a path known for another method is moby's 404 as well."""
        methods = (req.method, "GET") if req.method == "HEAD" else (req.method,)
        for method in methods:
            for m, pattern, function in self.table:
                match = pattern.match(req.path) if m == method else None
                if match and function in self.streams:
                    return function(req, self.engine, *match.groups())
                if match:
                    with self.lock:
                        return function(req, self.engine, *match.groups())
        raise Unsupported("page not found")


def build(engine) -> Router:
    """Every route of the server."""
    from . import (archive, build as builds, containers, events, execs, images, objects,
                   registries, stats, system)
    router = Router(engine)
    for module in (system, archive, builds, containers, events, execs, images, registries,
                   objects, stats):
        for method, pattern, function in module.ROUTES:
            router.add(method, pattern, function)
        router.streams.update(getattr(module, "STREAMS", ()))
    return router
