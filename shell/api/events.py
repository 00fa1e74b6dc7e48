"""GET /events: the engine's event log (engine/system/events.py) as the daemon streams it:
past events from `since`, then new ones as any process on the engine root writes
them, until `until` or until the client hangs up."""
from __future__ import annotations

import time

from engine.system import events as engine_events
from engine.errors import InvalidParameter

from ..commands.events import FILTERS, POLL, matches, message
from .containers import filters


def _time(req, name: str) -> float | None:
    text = req.arg(name)
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidParameter(f'invalid value for "{name}": {text!r}') from None


def events(req, eng):
    wanted = filters(req)
    for key in wanted:
        if key not in FILTERS:
            raise InvalidParameter(f"invalid filter '{key}'")
    since, until = _time(req, "since"), _time(req, "until")
    if since is not None and until is not None and until < since:
        raise InvalidParameter(f"`since` time ({req.arg('since')}) cannot be after `until` "
                               f"time ({req.arg('until')})")
    root = eng.paths.root
    past, offset = engine_events.read(root)
    if since is None:
        past = []
    out = req.handler.start_stream("application/json")
    try:
        while True:
            for event in past:
                t = event["timeNano"] / 1e9
                if (since is not None and t < since) or (until is not None and t > until):
                    continue
                if matches(event, wanted):
                    out.json(message(event))
            if until is not None and time.time() >= until:
                break
            if req.handler.client_gone():
                return None
            time.sleep(POLL)
            past, offset = engine_events.read(root, offset)
    except OSError:
        return None
    out.close()
    return None


ROUTES = [("GET", r"/events", events)]
STREAMS = (events,)
