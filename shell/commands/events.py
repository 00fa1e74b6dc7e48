"""docker events: the engine's event log (engine/system/events.py), past events from --since,
then new ones as any process on the engine root writes them, until --until or Ctrl-C."""
from __future__ import annotations

import time
from datetime import datetime

from engine.system import events as engine_events
from engine.errors import CliError

from ..cli.parser import Invocation
from ..conversation import filters_param, timestamp_param
from ..render import gotemplate
from .containers import daemon_error

POLL = 0.1
FILTERS = ("container", "event", "image", "label", "network", "type", "volume", "daemon",
           "scope")


def _time(text: str | None, flag: str) -> float | None:
    from ..cli import timestamps
    return timestamps.option(text, flag)


def _filters(inv: Invocation) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in inv.filter:
        if key not in FILTERS:
            raise daemon_error(f"invalid filter '{key}'")
        out.setdefault(key, []).append(value)
    return out


def _prefix(values: list[str], *candidates: str) -> bool:
    """The daemon's FuzzyMatch: a value equal to, or a prefix of, one of the candidates."""
    return any(c and c.startswith(v) for v in values for c in candidates)


def matches(event: dict, f: dict[str, list[str]]) -> bool:
    kind, attrs = event["Type"], event["Actor"]["Attributes"]
    actor = event["Actor"]["ID"]
    if "type" in f and kind not in f["type"]:
        return False
    if "event" in f and event["Action"] not in f["event"]:
        return False
    if "scope" in f and "local" not in f["scope"]:
        return False
    if "container" in f:
        if kind == "container" and not _prefix(f["container"], actor, attrs.get("name", "")):
            return False
        if kind != "container" and not _prefix(f["container"], attrs.get("container", "")):
            return False
    if "image" in f:
        wanted = [v.split(":")[0] for v in f["image"]]
        names = (actor, attrs.get("name", "")) if kind == "image" else (attrs.get("image", ""),)
        if not any(n == v or n.split(":")[0] == w or n.startswith(v)
                   for v, w in zip(f["image"], wanted) for n in names if n):
            return False
    for key in ("network", "volume"):
        if key in f and (kind != key or not _prefix(f[key], actor, attrs.get("name", ""))):
            return False
    for want in f.get("label", ()):
        k, sep, v = want.partition("=")
        if k not in attrs or (sep and attrs[k] != v):
            return False
    return True


def message(event: dict) -> dict:
    """The daemon's events.Message: container events also carry the old status/id/from;
    the attributes are a Go map (keys sorted in JSON)."""
    actor = event["Actor"]
    event = {**event, "Actor": {"ID": actor["ID"],
                                "Attributes": dict(sorted(actor["Attributes"].items()))}}
    if event["Type"] != "container":
        return event
    return {"status": event["Action"], "id": event["Actor"]["ID"],
            "from": event["Actor"]["Attributes"].get("image", ""), **event}


def line(event: dict) -> str:
    """The docker CLI's prettyPrintEvent."""
    ns = event["timeNano"]
    dt = datetime.fromtimestamp(ns / 1e9).astimezone()
    offset = dt.utcoffset().total_seconds() // 60
    zone = "Z" if offset == 0 else f"{'+' if offset > 0 else '-'}{int(abs(offset)) // 60:02d}:" \
        f"{int(abs(offset)) % 60:02d}"
    text = (f"{dt:%Y-%m-%dT%H:%M:%S}.{ns % 1_000_000_000:09d}{zone} {event['Type']} "
            f"{event['Action']} {event['Actor']['ID']}")
    attrs = event["Actor"]["Attributes"]
    if attrs:
        text += " (" + ", ".join(f"{k}={attrs[k]}" for k in sorted(attrs)) + ")"
    return text


def events(env, inv: Invocation) -> int:
    since, until = _time(inv.opts["since"], "since"), _time(inv.opts["until"], "until")
    fmt = inv.opts["format"]
    tmpl = None
    if fmt:
        try:
            tmpl = gotemplate.compile("{{json .}}" if fmt == "json" else fmt)
        except gotemplate.TemplateError as e:
            raise CliError(f"failed to parse template: {e}") from None
    root = env.engine.paths.root
    with env.api.request("GET", "/events", filters=filters_param(inv.opts["filter"]),
                         since=timestamp_param(inv.opts["since"], since),
                         until=timestamp_param(inv.opts["until"], until)):
        f = _filters(inv)
    past, offset = engine_events.read(root)
    if since is None:
        past = []
    while True:
        for event in past:
            t = event["timeNano"] / 1e9
            if (since is not None and t < since) or not matches(event, f):
                continue
            if until is not None and t > until:
                continue
            env.out(tmpl.execute(message(event)) if tmpl else line(event))
        if until is not None and time.time() >= until:
            return 0
        time.sleep(POLL)
        past, offset = engine_events.read(root, offset)
