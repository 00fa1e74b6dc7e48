"""/containers/{id}/exec and /exec/{id}/...: an exec is created (remembered here, as
the daemon remembers it), started through engine.containers.execs as `docker exec` starts it, its
streams joined to the hijacked connection, and its exit kept for inspect."""
from __future__ import annotations

import os
import threading

from engine.containers import execs
from engine.errors import EngineError, InvalidParameter, NotFound, StartFailed

from .http import Reply
from .streams import pump


class Exec:
    def __init__(self, cid: str, body: dict):
        self.id = os.urandom(32).hex()
        self.cid, self.body = cid, body
        self.running, self.exit_code, self.pid = False, None, 0
        self.started = False
        self.proc = None


_EXECS: dict[str, Exec] = {}
_LOCK = threading.Lock()
_KEEP = 500            # execs remembered (moby forgets them with their container)


def _get(exec_id: str) -> Exec:
    with _LOCK:
        found = _EXECS.get(exec_id)
    if found is None:
        raise NotFound(f"No such exec instance: {exec_id}")
    return found


def _body(req) -> dict:
    body = req.json({})
    if not isinstance(body, dict):
        raise InvalidParameter("invalid JSON: the body must be an object")
    return body


def create(req, eng, ref):
    body = _body(req)
    cmd = body.get("Cmd")
    if not cmd or not isinstance(cmd, list) or not all(isinstance(a, str) for a in cmd):
        raise InvalidParameter("No exec command specified")
    workdir = body.get("WorkingDir") or ""
    if workdir and not workdir.startswith("/"):
        raise InvalidParameter(f"the working directory '{workdir}' is invalid, it needs to "
                               "be an absolute path")
    from .containers import console_size
    body["ConsoleSize"] = console_size(body.get("ConsoleSize"), "ExecOptions")
    c = eng.container(ref)
    if not c.state.running:
        from engine.errors import Conflict
        raise Conflict(f"container {c.id} is not running")
    record = Exec(c.id, body)
    with _LOCK:
        if len(_EXECS) >= _KEEP:
            for old in [k for k, e in _EXECS.items() if e.started and not e.running][:100]:
                del _EXECS[old]
        _EXECS[record.id] = record
    return Reply(201, {"Id": record.id})


def start(req, eng, exec_id):
    record = _get(exec_id)
    body = _body(req)
    if record.started:
        from engine.errors import Conflict
        raise Conflict(f"Error: Exec command {exec_id} has already run")
    b = record.body
    tty, detach = bool(b.get("Tty")), bool(body.get("Detach"))
    interactive = bool(b.get("AttachStdin")) and not detach
    c = eng.container(record.cid)
    record.started = True
    if detach:
        try:
            record.pid = _start(eng, c, record, tty, False, True).pid
        except StartFailed as e:
            record.exit_code = e.exit_code
            raise
        record.exit_code = 0
        return Reply(200)
    # the answer first, then the process, as moby does: a client that reads the answer
    # through a buffer (docker-py) would lose output sent along with it
    conn = req.handler.hijack(_stream_type(tty))
    try:
        proc = _start(eng, c, record, tty, interactive, False)
    except EngineError as e:        # Docker writes the runtime's words to the stream
        record.exit_code = getattr(e, "exit_code", 126)
        conn.sendall(f"{e}\r\n".encode() if tty else _mux_out(f"{e}\r\n".encode()))
        conn.shutdown(2)
        return None
    record.pid, record.proc = proc.pid, proc
    record.running = True
    size = body.get("ConsoleSize") or b.get("ConsoleSize")
    from ..commands.attach import ProcessChannel
    channel = ProcessChannel(proc)
    if tty and isinstance(size, list) and len(size) == 2:
        channel.resize(int(size[0]), int(size[1]))
    record.channel = channel
    code = pump(conn, req.handler.rfile, channel, tty=tty, stdin=interactive,
                detach_keys=b.get("DetachKeys") or None)
    if code is None:                 # detached: the process is ended with our ends
        code = proc.wait()
    record.exit_code, record.running = code, False
    try:
        conn.shutdown(2)
    except OSError:
        pass
    return None


def _start(eng, c, record, tty: bool, interactive: bool, detach: bool):
    b = record.body
    return execs.start(eng, c, b["Cmd"], env=list(b.get("Env") or ()),
                       user=b.get("User") or None, workdir=b.get("WorkingDir") or None,
                       tty=tty, interactive=interactive, detach=detach,
                       privileged=bool(b.get("Privileged")), name=record.cid,
                       console_size=b["ConsoleSize"])


def _stream_type(tty: bool) -> str:
    return ("application/vnd.docker.raw-stream" if tty else
            "application/vnd.docker.multiplexed-stream")


def _mux_out(data: bytes) -> bytes:
    from .streams import STDOUT, mux
    return mux(STDOUT, data)


def inspect(req, eng, exec_id):
    r = _get(exec_id)
    b = r.body
    return Reply(200, {
        "CanRemove": False, "ContainerID": r.cid, "DetachKeys": b.get("DetachKeys") or "",
        "ExitCode": r.exit_code, "ID": r.id, "OpenStderr": bool(b.get("AttachStderr")),
        "OpenStdin": bool(b.get("AttachStdin")), "OpenStdout": bool(b.get("AttachStdout")),
        "ProcessConfig": {"arguments": list(b["Cmd"][1:]), "entrypoint": b["Cmd"][0],
                          "privileged": bool(b.get("Privileged")), "tty": bool(b.get("Tty")),
                          "user": b.get("User") or ""},
        "Running": r.running, "Pid": r.pid})


def resize(req, eng, exec_id):
    r = _get(exec_id)
    channel = getattr(r, "channel", None)
    if not r.running or channel is None:
        from engine.errors import Conflict
        raise Conflict(f"Exec {exec_id} is not running")
    channel.resize(req.int_arg("h", 0), req.int_arg("w", 0))
    return Reply(200)


ROUTES = [
    ("POST", r"/containers/([^/]+)/exec", create),
    ("POST", r"/exec/([^/]+)/start", start),
    ("POST", r"/exec/([^/]+)/resize", resize),
    ("GET", r"/exec/([^/]+)/json", inspect),
]
STREAMS = (start,)
