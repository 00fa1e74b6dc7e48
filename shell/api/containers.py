"""/containers/...: each route reads the request, calls the Engine method the command
line calls for the same docker command, and answers with Docker's document."""
from __future__ import annotations

import json
import threading
import time

from engine.containers import inspect as documents
from engine.containers import logs as engine_logs
from engine.util import timeutil
from engine.config import ContainerConfig, HostConfig
from engine.errors import Conflict, EngineError, InvalidParameter, NoSuchContainer

from ..render import views
from .http import Reply
from .streams import STDERR, STDOUT, Exits, mux, pump, read_exit

EXITS = Exits()
_STATES = ("created", "running", "paused", "restarting", "removing", "exited", "dead")
_FILTERS = ("status", "name", "ancestor", "id", "label", "exited", "before", "since",
            "volume", "network", "health", "isolation", "is-task", "publish", "expose")


# --- list ------------------------------------------------------------------------------

def filters(req) -> dict[str, list[str]]:
    """The `filters` query: {"key": {"value": true}} (or the old {"key": ["value"]})."""
    text = req.arg("filters")
    if not text:
        return {}
    try:
        raw = json.loads(text)
    except ValueError:
        raise InvalidParameter(f"invalid filter: {text[:80]}") from None
    if not isinstance(raw, dict):
        raise InvalidParameter("invalid filter")
    out = {}
    for key, values in raw.items():
        if isinstance(values, dict):
            values = [v for v, on in values.items() if on]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise InvalidParameter(f"invalid filter '{key}'")
        out[str(key)] = values
    return out


def _ps_filters(req) -> dict[str, list[str]]:
    out = filters(req)
    for key in out:
        if key not in _FILTERS:
            raise InvalidParameter(f"invalid filter '{key}'")
    for status in out.get("status", []):
        if status not in _STATES:
            raise InvalidParameter(f"invalid filter 'status={status}': invalid value for "
                                   f"state ({status}): must be one of {', '.join(_STATES)}")
    return out


def summary(eng, c, size: bool = False) -> dict:
    """One row of GET /containers/json (moby's container.Summary)."""
    from ..commands.containers import _image_text, _sizes
    ports = []
    for key, bindings in sorted(((c.state.network or {}).get("Ports") or {}).items()):
        port, _, proto = key.partition("/")
        if not bindings:
            ports.append({"PrivatePort": int(port), "Type": proto})
        for b in bindings or ():
            ports.append({"IP": b["HostIp"], "PrivatePort": int(port),
                          "PublicPort": int(b["HostPort"]), "Type": proto})
    inspect = documents._network_settings(eng, c)
    doc = {"Id": c.id, "Names": ["/" + c.name], "Image": _image_text(eng, c, False),
           "ImageID": c.image_id, "Command": views.command_text(c.path, c.args),
           "Created": int(timeutil.parse(c.created)), "Ports": ports}
    if size:
        doc["SizeRw"], doc["SizeRootFs"] = _sizes(eng, c)
    from engine.volumes.specs import public
    doc.update({"Labels": c.config.label_dict(), "State": c.state.status,
                "Status": views.status_text(c.state),
                "HostConfig": {"NetworkMode": c.host.network_mode},
                "NetworkSettings": {"Networks": inspect["Networks"]},
                "Mounts": [public(m) for m in c.mounts]})
    return doc


def list_(req, eng):
    from ..commands.containers import _matches
    wanted = _ps_filters(req)
    everything = req.flag("all") or bool(wanted.get("status"))
    limit = req.int_arg("limit", -1)
    containers = eng.containers(all=True)
    if limit is not None and limit > 0:
        containers = containers[:limit]
        everything = True
    if not everything:
        containers = [c for c in containers if c.state.running]
    containers = [c for c in containers if _matches(eng, c, wanted)]
    size = req.flag("size")
    return Reply(200, [summary(eng, c, size) for c in containers])


# --- create and inspect ----------------------------------------------------------------

def create(req, eng):
    body = req.json({})
    if not isinstance(body, dict):
        raise InvalidParameter("invalid JSON: the body must be an object")
    host_doc = body.get("HostConfig") or {}
    if isinstance(host_doc, dict) and "ConsoleSize" in host_doc:
        host_doc = {**host_doc, "ConsoleSize": console_size(host_doc["ConsoleSize"],
                                                            "HostConfig.HostConfig")}
    try:
        config = ContainerConfig.from_dict(body)
        host = HostConfig.from_dict(host_doc)
    except (TypeError, ValueError, AttributeError, KeyError) as e:
        raise InvalidParameter(f"invalid container config: {e}") from None
    if not config.image:
        raise InvalidParameter("config cannot be empty in order to create a container")
    if host.network_mode in ("", "default"):
        host = host._replace(network_mode="bridge")
    aliases, ip = _endpoint(body, host.network_mode)
    warnings: list[str] = []         # limits this host cannot apply (rootless, say)
    c = eng.create(config, host, req.arg("name") or None, aliases=aliases, ip=ip,
                   warnings=warnings)
    return Reply(201, {"Id": c.id, "Warnings": warnings})


def console_size(value, field: str) -> tuple[int, int]:
    """A ConsoleSize ([height, width], Go's [2]uint): checked as Go's JSON decoder checks
    it, in its words (`field`: the Go struct and field path before .ConsoleSize)."""
    if value is None:
        return (0, 0)
    if not isinstance(value, list):
        raise InvalidParameter(f"json: cannot unmarshal {_json_kind(value)} into Go struct "
                               f"field {field}.ConsoleSize of type [2]uint")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or item < 0:
            shown = f"number {item}" if isinstance(item, (int, float)) and \
                not isinstance(item, bool) else _json_kind(item)
            raise InvalidParameter(f"json: cannot unmarshal {shown} into Go struct field "
                                   f"{field}.ConsoleSize of type uint")
    size = (list(value) + [0, 0])[:2]           # Go's array: extra items dropped
    return size[0], size[1]


def _json_kind(value) -> str:
    return {bool: "bool", str: "string", dict: "object", list: "array"}.get(type(value),
                                                                            "number")


def _endpoint(body: dict, network: str) -> tuple[list | None, str | None]:
    """--network-alias and --ip, as the CLI sends them: NetworkingConfig.EndpointsConfig."""
    endpoints = ((body.get("NetworkingConfig") or {}).get("EndpointsConfig") or {})
    ep = endpoints.get(network) if isinstance(endpoints, dict) else None
    if not isinstance(ep, dict):
        return None, None
    ipam = ep.get("IPAMConfig") or {}
    return (list(ep.get("Aliases") or ()) or None), (ipam.get("IPv4Address") or None)


def inspect(req, eng, ref):
    c = eng.container(ref)
    return Reply(200, documents.container(eng, c, size=req.flag("size")))


# --- lifecycle -------------------------------------------------------------------------

def start(req, eng, ref):
    c = eng.container(ref)
    if c.state.running:
        return Reply(304)
    attaches, waiters = EXITS.take_for_start(c.id)
    if not attaches and not waiters:
        eng.start(c)
        return Reply(204)
    want = {k: any(s.want[k] for s in attaches) for k in ("stdin", "stdout", "stderr")}
    try:
        sock = eng.start(c, attach=want)
    except EngineError:
        code = _exit_code(eng, c.id)
        for slot in attaches + waiters:
            slot.set(("failed", code))
        raise
    if sock is None:                        # started by someone else meanwhile
        for slot in attaches + waiters:
            slot.set(("running", None))
        return Reply(204)
    if attaches:
        attaches[0].set(("attached", (sock, waiters)))
        for slot in attaches[1:]:
            slot.set(("running", None))
    else:
        threading.Thread(target=_watch, args=(sock, waiters), daemon=True).start()
    return Reply(204)


def _watch(sock, waiters) -> None:
    code = read_exit(sock)
    for slot in waiters:
        slot.set(("exited", code))


def _exit_code(eng, cid: str) -> int:
    c = eng.load_quiet(cid)
    return c.state.exit_code if c else 0


def stop(req, eng, ref):
    c = eng.container(ref)
    if not c.state.running:
        return Reply(304)
    eng.stop(ref, timeout=req.int_arg("t"), signal=req.arg("signal") or None)
    return Reply(204)


def restart(req, eng, ref):
    eng.restart(ref, timeout=req.int_arg("t"))
    return Reply(204)


def kill(req, eng, ref):
    eng.kill(ref, req.arg("signal") or "KILL")
    return Reply(204)


def remove(req, eng, ref):
    eng.remove(ref, force=req.flag("force"), volumes=req.flag("v"))
    return Reply(204)


def rename(req, eng, ref):
    name = req.arg("name")
    if not name:
        raise InvalidParameter("invalid container name: name is empty")
    eng.rename(ref, name)
    return Reply(204)


def pause(req, eng, ref):
    eng.pause(ref)
    return Reply(204)


def unpause(req, eng, ref):
    eng.unpause(ref)
    return Reply(204)


# --- wait ------------------------------------------------------------------------------

def wait(req, eng, ref):
    condition = req.arg("condition") or "not-running"
    if condition not in ("not-running", "next-exit", "removed"):
        raise InvalidParameter(f"invalid condition: {condition!r}")
    c = eng.container(ref)
    if condition == "not-running" and not c.state.running:
        return Reply(200, {"StatusCode": c.state.exit_code})
    slot = EXITS.next_exit(c.id)
    out = req.handler.start_stream("application/json")   # the wait is registered now
    try:
        code = _next_exit(eng, c.id, slot, c.state.running)
        if condition == "removed":
            while eng.load_quiet(c.id) is not None:
                time.sleep(0.05)
        out.json({"StatusCode": code})
    except EngineError as e:
        out.json({"StatusCode": -1, "Error": {"Message": e.message}})
    finally:
        EXITS.drop(c.id, slot)
    out.close()
    return None


def _next_exit(eng, cid: str, slot, running: bool) -> int:
    """The exit status of the container's next exit (`running`: it runs now): told by a
    start through this server, or asked of its monitor when someone else started it;
    a container seen running and now stopped has had its exit."""
    while not slot.event.wait(0.1):
        c = eng.load_quiet(cid)
        if c is None:
            return 0
        if running and not c.state.running and slot in EXITS.waiting.get(cid, ()):
            return c.state.exit_code
        if c.state.running and slot in EXITS.waiting.get(cid, ()):
            EXITS.drop(cid, slot)
            try:
                return eng.wait(cid)
            except NoSuchContainer:
                return 0
    what, code = slot.value
    if what == "running":
        return eng.wait(cid)
    return code if code is not None else _exit_code(eng, cid)


# --- logs and attach -------------------------------------------------------------------

def _stream_type(c) -> str:
    return ("application/vnd.docker.raw-stream" if c.config.tty else
            "application/vnd.docker.multiplexed-stream")


def _unix_time(req, name: str) -> float | None:
    text = req.arg(name)
    if text in (None, "", "0"):
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidParameter(f'invalid value for "{name}": {text!r}') from None


def logs(req, eng, ref):
    c = eng.container(ref)
    stdout, stderr = req.flag("stdout"), req.flag("stderr")
    if not (stdout or stderr):
        raise InvalidParameter("Bad parameters: you must choose at least one stream")
    since, until = _unix_time(req, "since"), _unix_time(req, "until")
    entries = engine_logs.read(eng, c, follow=req.flag("follow"),
                               tail=engine_logs.parse_tail(req.arg("tail")),
                               since=since, until=until,
                               wanted=lambda: not req.handler.client_gone())
    out = req.handler.start_stream(_stream_type(c))
    stamps = req.flag("timestamps")
    try:
        for e in entries:
            stream = STDERR if e.stream == "stderr" else STDOUT
            if not (stdout if stream == STDOUT else stderr):
                continue
            data = e.data
            if stamps:
                data = timeutil.format_ns(timeutil.parse_ns(e.time)).encode() + b" " + data
            out.write(data if c.config.tty else mux(stream, data))
    except OSError:                 # the client went away: stop reading the log
        return None
    out.close()
    return None


def attach(req, eng, ref):
    c = eng.container(ref)
    want = {k: req.flag(k) for k in ("stdin", "stdout", "stderr")}
    if not req.flag("stream"):
        raise InvalidParameter("Bad parameters: only stream=1 attach is supported here")
    handler = req.handler
    handler._drain()
    waiters = []
    if c.state.running:
        monitor = eng.connect(c, {"op": "attach", **want})
        conn = handler.hijack(_stream_type(c))
    else:
        slot = EXITS.attach_at_start(c.id, want)
        conn = handler.hijack(_stream_type(c))    # the client starts it once we answer
        while not slot.event.wait(0.5):
            if eng.load_quiet(c.id) is None:
                EXITS.drop(c.id, slot)
                return None
        what, value = slot.value
        if what == "failed":
            return None
        if what == "running":
            monitor = eng.connect(c, {"op": "attach", **want})
        else:
            monitor, waiters = value
    _pump(handler, conn, monitor, c, want["stdin"], waiters, req.arg("detachKeys") or None)
    return None


def _pump(handler, conn, monitor, c, stdin: bool, waiters, detach_keys) -> None:
    from ..commands.attach import MonitorChannel
    code = pump(conn, handler.rfile, MonitorChannel(monitor), tty=c.config.tty, stdin=stdin,
                detach_keys=detach_keys)
    if code is None:                     # detached: the container runs on
        for slot in waiters:
            slot.set(("running", None))
    else:
        for slot in waiters:             # (a negative code: the monitor went silently)
            slot.set(("exited", code if code >= 0 else None))
    try:
        conn.shutdown(2)
    except OSError:
        pass


def resize(req, eng, ref):
    c = eng.container(ref)
    h, w = req.int_arg("h", 0), req.int_arg("w", 0)
    if not c.state.running:
        raise Conflict(f"Container {c.id} is not running")
    with eng.connect(c, {"op": "resize", "rows": h, "cols": w}):
        pass
    return Reply(200)


def top(req, eng, ref):
    from ..commands.containers import processes_table
    ps_args = (req.arg("ps_args") or "").split()
    titles, rows = processes_table(eng, ref, ps_args)
    return Reply(200, {"Processes": rows, "Titles": titles})


_KINDS = {"C": 0, "A": 1, "D": 2}       # moby's ChangeType: modify, add, delete


def changes(req, eng, ref):
    from engine.containers import commit as commits
    c = eng.container(ref)
    found = [{"Kind": _KINDS[kind], "Path": path} for kind, path in commits.diff(eng, c)]
    # no changes is Go's nil slice, `null`: an empty body is an EOF to the docker CLI
    return Reply(200, found) if found else Reply(200, raw=b"null\n")


def export(req, eng, ref):
    """GET /containers/{id}/export: `docker export`'s tar stream, made by the engine's
    export as the command's; an error before its first byte is an ordinary answer."""
    from engine.distribution import filesystems
    from ..commands.archives import stream_from_fd
    from .images import _LazyStream
    eng.container(ref)                          # No such container: a 404, not a stream
    stream = _LazyStream(req)
    try:
        stream_from_fd(lambda fd: filesystems.export(eng, ref, fd), stream)
    except OSError:                             # the client went away
        return None
    except EngineError as e:
        if stream.out is None:
            raise
        req.handler.server.note(f"export of {ref}: {e.message}")
        return None                             # cut short: no last chunk, the CLI fails
    if stream.out is None:
        stream.out = req.handler.start_stream("application/x-tar")
    stream.out.close()
    return None


_UPDATE_FIELDS = {"Memory": "memory", "MemorySwap": "memory_swap", "CpuShares": "cpu_shares",
                  "CpuQuota": "cpu_quota", "CpuPeriod": "cpu_period", "NanoCpus": "nano_cpus"}


def update(req, eng, ref):
    """POST /containers/{id}/update: `docker update`'s UpdateConfig (the resources and
    the restart policy; a zero or absent field keeps what is set, as the command line's
    flags not given)."""
    from engine.containers.limits import Change
    from ..commands.options import checked_restart_policy
    body = req.json({})
    if not isinstance(body, dict):
        raise InvalidParameter("invalid JSON: the body must be an object")
    values = {}
    for field, name in (*_UPDATE_FIELDS.items(), ("PidsLimit", "pids_limit")):
        value = body.get(field)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise InvalidParameter(f"json: cannot unmarshal {_json_kind(value)} into Go "
                                   f"struct field UpdateConfig.{field} of type int64")
        values[name] = value or (None if name == "pids_limit" else 0)
    policy = body.get("RestartPolicy") or {}
    if not isinstance(policy, dict) or not isinstance(policy.get("Name") or "", str) \
            or not isinstance(policy.get("MaximumRetryCount") or 0, int):
        raise InvalidParameter("invalid JSON: RestartPolicy must be {\"Name\": string, "
                               "\"MaximumRetryCount\": int}")
    if policy.get("Name"):
        values["restart_policy"] = checked_restart_policy(
            policy["Name"], policy.get("MaximumRetryCount") or 0)
    eng.update(ref, Change(**values))
    return Reply(200, {"Warnings": None})


def prune(req, eng):
    from ..commands.containers import prune_stopped
    deleted, reclaimed = prune_stopped(eng)
    return Reply(200, {"ContainersDeleted": deleted or None, "SpaceReclaimed": reclaimed})


def commit(req, eng):
    """POST /commit: `docker commit` (the query's repo/tag/comment/author/changes)."""
    from engine.containers import commit as commits
    ref = req.arg("container")
    if not ref:
        raise InvalidParameter("No container name or ID supplied")
    repo, tag = req.arg("repo") or "", req.arg("tag") or ""
    repo_tag = (f"{repo}:{tag}" if tag else repo) or None
    c = eng.container(ref)
    image_id = commits.commit(eng, c, repo_tag, message=req.arg("comment") or "",
                              author=req.arg("author") or "",
                              changes=req.query.get("changes") or [],
                              pause=req.flag("pause", True))
    return Reply(201, {"Id": image_id})


_ID = r"/containers/([^/]+)"
ROUTES = [
    ("GET", r"/containers/json", list_),
    ("POST", r"/containers/create", create),
    ("POST", r"/containers/prune", prune),
    ("POST", r"/commit", commit),
    ("GET", _ID + r"/top", top),
    ("GET", _ID + r"/changes", changes),
    ("GET", _ID + r"/json", inspect),
    ("POST", _ID + r"/start", start),
    ("POST", _ID + r"/stop", stop),
    ("POST", _ID + r"/restart", restart),
    ("POST", _ID + r"/kill", kill),
    ("POST", _ID + r"/wait", wait),
    ("POST", _ID + r"/rename", rename),
    ("POST", _ID + r"/update", update),
    ("POST", _ID + r"/pause", pause),
    ("POST", _ID + r"/unpause", unpause),
    ("POST", _ID + r"/attach", attach),
    ("POST", _ID + r"/resize", resize),
    ("GET", _ID + r"/logs", logs),
    ("GET", _ID + r"/export", export),
    ("DELETE", _ID, remove),
]
STREAMS = (wait, attach, logs, export)
