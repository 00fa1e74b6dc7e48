"""The conversation behind a docker command: the Engine API requests the docker CLI
sends for it, one line each, `POST /v1.50/containers/create?name=web -> 201`.

The shell calls the engine in-process, so no HTTP is spoken; but every docker command
does its work in the same steps the docker CLI takes through the API (create, attach,
wait, start ...), and each step is marked where it happens with the request the CLI
sends for it and the status the engine's outcome gives (an EngineError's status is the
one the API server answers with). tests/integration/test_api_trace.py holds the lines
against what the real docker CLI sends to `dockerlings engine serve` for the same
commands, whose log prints the requests it really receives in the same form.

It is on for one command with `docker --debug ...` (`-D`), and for every command with
`set api-trace on` (DOCKERLINGS_API_TRACE=1 in the environment, so docker commands in
host pipelines trace too). Off, the shell talks to SILENT, which does nothing."""
from __future__ import annotations

import contextlib
import json
import math
from urllib.parse import quote_plus

from engine.errors import EngineError

# The API version the docker CLI 28.2.2 speaks (what it puts in every path against a
# server that offers it; dockerlings' server offers up to 1.51).
API_VERSION = "1.50"
VARIABLE = "DOCKERLINGS_API_TRACE"


def query(params: dict) -> str:
    """Go's url.Values.Encode as the docker CLI's client builds it: keys sorted, values
    escaped (QueryEscape), booleans sent as 1, absent values left out, a list's values
    under one key each."""
    pairs = []
    for key in sorted(params):
        values = params[key]
        for value in values if isinstance(values, (list, tuple)) else [values]:
            if value is None or value is False:
                continue
            value = "1" if value is True else str(value)
            pairs.append(f"{quote_plus(key)}={quote_plus(value)}")
    return "&".join(pairs)


def filters_param(pairs) -> str | None:
    """--filter KEY=VALUE pairs as the `filters` parameter: filters.Args in JSON, keys
    and values sorted as Go writes a map; None when there are none."""
    if not pairs:
        return None
    args: dict[str, dict[str, bool]] = {}
    for key, value in pairs:
        args.setdefault(key, {})[value] = True
    return go_json(args)


def go_json(doc) -> str:
    """json.Marshal's text: maps sorted by key, no spaces, <, > and & escaped for
    HTML's sake."""
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def timestamp_param(text: str | None, seconds: float | None) -> str | None:
    """--since/--until as the docker CLI sends them (GetTimestamp): a duration as whole
    seconds since the epoch, a time as seconds.nanoseconds, a Unix time as typed."""
    if not text or seconds is None:
        return None
    from .cli.values import go_duration
    try:
        go_duration(text)
        duration = text != "0"
    except ValueError:
        duration = False
    if duration:
        return str(math.floor(seconds))
    if "-" in text:
        whole = math.floor(seconds)
        return f"{whole}.{round((seconds - whole) * 1e9):09d}"
    return text


def pull_params(text: str) -> dict:
    """POST /images/create's parameters for an image the CLI pulls: the full name, and
    the tag (or digest) it asks for."""
    from engine.images import reference
    ref = reference.parse(text)
    return {"fromImage": ref.name, "tag": ref.digest or ref.tag or ""}


def line(method: str, path: str, status: int, params: dict | None = None) -> str:
    versioned = path if path == "/_ping" else f"/v{API_VERSION}{path}"
    q = query(params or {})
    return f"{method} {versioned}{'?' + q if q else ''} -> {status}"


class Exchange:
    """One request under way: its status is the success status unless the step
    decides otherwise (304 for a container already stopped). Once `begun`, the answer
    (a stream) has been sent its status: a later error travels in the stream."""

    def __init__(self, status: int):
        self.status = status
        self.begun = False


class Conversation:
    """Prints each request as the step that does its work ends; the first one of a
    command is preceded by the CLI's ping (version negotiation)."""

    on = True

    def __init__(self, say):
        self.say = say
        self.pinged = False

    def ping(self) -> None:
        if not self.pinged:
            self.pinged = True
            self.say(line("HEAD", "/_ping", 200))

    def said(self, method: str, path: str, status: int = 200, /, **params) -> None:
        self.ping()
        self.say(line(method, path, status, params))

    @contextlib.contextmanager
    def request(self, method: str, path: str, status: int = 200, /, **params):
        """Around the engine call that does the request's work: its line afterwards,
        with the error's status if it failed (the error goes on). The parameters are
        the query's (`path=` among them: the method's own come first, by position)."""
        exchange = Exchange(status)
        try:
            yield exchange
        except EngineError as e:
            self.said(method, path, exchange.status if exchange.begun else e.status,
                      **params)
            raise
        self.said(method, path, exchange.status, **params)


class _Silent:
    """The conversation when nobody listens: every step runs, nothing is printed."""

    on = False

    def ping(self) -> None:
        pass

    def said(self, method: str, path: str, status: int = 200, /, **params) -> None:
        pass

    @contextlib.contextmanager
    def request(self, method: str, path: str, status: int = 200, /, **params):
        yield Exchange(status)


SILENT = _Silent()
UNTRACED = _Silent()        # a command not traced yet: nothing it runs inside it is either

# The commands whose steps are marked (by their handler in shell/cli/spec.py); the
# others say so rather than show a conversation that would be incomplete.
TRACED = frozenset({
    "archives:export", "archives:import_", "archives:load", "archives:save",
    "attach:attach", "build:build", "registries:login", "registries:push",
    "registries:search", "system:version",
    "containers:create", "containers:diff", "containers:kill", "containers:logs",
    "containers:ls", "containers:pause", "containers:prune", "containers:rename",
    "containers:restart", "containers:rm", "containers:run", "containers:start",
    "containers:stop", "containers:top", "containers:unpause", "containers:wait",
    "cp:cp", "events:events", "execs:exec", "images:commit", "images:history",
    "images:ls", "images:prune", "images:rm", "images:tag", "inspect:any",
    "inspect:container", "inspect:image", "limits:update", "network:connect",
    "network:create", "network:disconnect", "network:inspect", "network:ls",
    "network:port", "network:prune", "network:rm", "registries:pull", "system:df",
    "system:info", "system:prune", "volume:create", "volume:inspect", "volume:ls",
    "volume:prune", "volume:rm"})


def untraced(handler: str, name: str) -> str | None:
    """The note for a command whose requests are not shown yet."""
    if handler in TRACED:
        return None
    return f"(api-trace: the requests behind '{name}' are not shown yet)"
