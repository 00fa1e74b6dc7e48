"""One monitor process per running container (the conmon of this engine).

Monitors come from the engine's spawner (spawner.py), not from the shell that starts
the container, so they outlive it. A monitor owns the container's stdio (pipes, or the
pty master for -t), writes the log as JSON lines, serves attach/wait/stop/kill on a unix
socket, records the exit code and time, and applies --rm and restart policies. The
container's first process is its child and dies with it (PDEATHSIG), so a killed
monitor never leaves a container running that nobody watches.

A monitor is a fork of the spawner, a Python process with the engine loaded. So once
the container has been up for a moment, the monitor re-executes itself into a fresh,
small interpreter that imports only this module's light dependencies, handing over its
file descriptors and state: the container's process stays its child across exec. A
container that is done before that leaves its monitor free for another (spawner.py).
"""
from __future__ import annotations

import errno
import json
import os
import selectors
import signal
import socket
import sys
import time

from . import protocol as p
from ..util import timeutil
from .. import trust
from .lifecycle import Lifecycle
from ..runtime import cgroups, syscalls as sc

LOG_PARTIAL_MAX = 16 * 1024
CLIENT_BUFFER_MAX = 4 << 20
SLIM_AFTER = 1.0        # seconds up before the monitor sheds the starter's memory
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class LogWriter:
    """Docker's json-file log: one JSON object per line of output."""

    def __init__(self, path: str, fd: int | None = None, partial: dict | None = None):
        self.fd = fd if fd is not None else os.open(
            path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
        self.partial = {"stdout": bytearray(), "stderr": bytearray()}
        for k, v in (partial or {}).items():
            self.partial[k] = bytearray(v)

    @staticmethod
    def _entry(stream: str, data: bytes) -> bytes:
        return (f'{{"log":{_log_string(data)},"stream":"{stream}",'
                f'"time":"{timeutil.now()}"}}\n').encode()

    def write(self, stream: str, data: bytes) -> None:
        buf = self.partial[stream]
        buf += data
        out, start = [], 0
        while (i := buf.find(b"\n", start)) >= 0:
            out.append(self._entry(stream, bytes(buf[start:i + 1])))
            start = i + 1
        del buf[:start]
        if len(buf) >= LOG_PARTIAL_MAX:
            out.append(self._entry(stream, bytes(buf)))
            buf.clear()
        if out:
            self._write(b"".join(out))

    def flush(self) -> None:
        for stream, buf in self.partial.items():
            if buf:
                self._write(self._entry(stream, bytes(buf)))
                buf.clear()

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]


_LOG_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r",
                0x2028: "\\u2028", 0x2029: "\\u2029", 0xFFFD: "\\ufffd"}
_LOG_ESCAPES.update({c: f"\\u{c:04x}" for c in range(0x20) if c not in _LOG_ESCAPES})
_LOG_ESCAPES.update({ord(c): f"\\u{ord(c):04x}" for c in "<>&"})


def _log_string(data: bytes) -> str:
    """A JSON string exactly as Docker's json-file driver writes it: control characters
    (but newline and CR) and <, >, & as \\u00XX, invalid UTF-8 as U+FFFD."""
    return '"' + data.decode("utf-8", "replace").translate(_LOG_ESCAPES) + '"'


class Client:
    def __init__(self, sock: socket.socket, request: dict | None = None):
        self.sock = sock
        self.reader = p.FrameReader()
        self.request = request
        self.out = bytearray()
        self.closing = False

    def wants(self, stream: str) -> bool:
        r = self.request or {}
        return r.get("op") == "attach" and bool(r.get(stream))


class Monitor:
    def __init__(self, cid: str, root: str, run: str, engine=None):
        self.cid = cid
        self.root, self.run_dir = root, run
        self._engine = engine              # the full engine; imported again only to restart
        self.life = Lifecycle(root, run)
        self.status_fd = -1
        self.sel = selectors.DefaultSelector()
        self.clients: list[Client] = []
        self.pid = 0
        self.pidfd = -1
        self.outputs: dict[int, str] = {}   # fd -> stream
        self.stdin_fd = -1
        self.master = -1
        self.exit_status: int | None = None
        self.stop_deadline: float | None = None
        self.restart_at: float | None = None
        self.slim_at: float | None = None
        self.started_mono = 0.0
        self.manual_stop = False
        self.restart_delay = 0.0
        self.status_before = None
        self.failure: dict | None = None    # why the last launch failed, for the starter
        self.log: LogWriter | None = None
        self.listener: socket.socket | None = None
        self.dns_sock: socket.socket | None = None
        self.dns_server = None              # network.dns.Server, made on the first query
        self.proxies: list = []             # published ports: TcpProxy / UdpProxy
        self.port_specs: list[tuple] = []   # (listener fd, proto, container ip, port)
        self.engine_ns = -1                 # the engine's network namespace, for proxies
        self.attachable = True              # may hold addresses on networks to give back
        self.may_restart = True             # a restart policy other than "no"
        self.auto_remove = False            # --rm
        self.keep = False                   # stopped to be restarted: --rm does not apply
        self.mnt_ns = -1                    # the container's mount namespace, held
        self.spawner_fd = -1                # the spawner's channel (spawner.py): kept open

    @property
    def engine(self):
        if self._engine is None:
            from pathlib import Path

            from ..engine import Engine
            from ..paths import Paths
            self._engine = Engine(Paths(root=Path(self.root), run=Path(self.run_dir)))
        return self._engine

    def container_file(self, name: str) -> str:
        return os.path.join(self.root, "containers", self.cid, name)

    # --- start-up ----------------------------------------------------------------
    def start(self, status_fd: int, first: tuple | None, container=None,
              prepared=None, child=None) -> bool:
        """Launch `container` (as the starter just read and prepared it:
        launch.Prepared; its process maybe cloned already), answer the starter, then
        serve until the container is done for good. True when all went as it should
        and everything it opened is closed; False after a failure of its own."""
        self.status_fd = status_fd
        launching = False
        try:
            if first:
                self.add_client(*first)
            launching = True           # from here on the launch cleans up after itself
            if not self.launch(report=True, container=container, prepared=prepared,
                               child=child):
                # as the daemon does: a --rm container whose start failed is removed
                # before the failure is answered
                self.finish(self.exit_code(), answer=self.failure)
            else:
                self.slim_at = time.monotonic() + SLIM_AFTER
                self.loop()
            self.close()
            return True
        except BaseException:
            self.note(_traceback())
            if not launching:
                if child is not None:
                    child.abandon()
                if prepared is not None:
                    prepared.abandon()
            self.report({"ok": False, "code": 125, "message": "the container monitor failed"})
            self.emergency_cleanup()
            return False

    def close(self) -> None:
        """What is still open once the container is done for good."""
        self.sel.close()
        for fd in (self.log.fd if self.log else -1, self.engine_ns, self.pidfd):
            if fd >= 0:
                os.close(fd)
        self.log, self.engine_ns, self.pidfd = None, -1, -1

    def note(self, text: str) -> None:
        """Append to the container's monitor.log (the only place a monitor can talk)."""
        try:
            with open(self.container_file("monitor.log"), "a") as f:
                f.write(f"{timeutil.now()} {text}\n")
        except OSError:
            pass

    def report(self, msg: dict) -> None:
        if self.status_fd < 0:
            return
        try:
            os.write(self.status_fd, json.dumps(msg).encode() + b"\n")
        except OSError:
            pass
        os.close(self.status_fd)
        self.status_fd = -1

    def listen(self) -> None:
        rundir = os.path.join(self.run_dir, self.cid[:12])
        trust.make_dir(self.run_dir)        # (gone if the engine was reset meanwhile)
        trust.make_dir(rundir)
        path = os.path.join(rundir, "attach.sock")
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        trust.bind_unix(self.listener, path)
        self.listener.listen(64)
        self.listener.setblocking(False)
        self.sel.register(self.listener, selectors.EVENT_READ, self.on_accept)

    def launch(self, report: bool, container=None, prepared=None, child=None) -> bool:
        """Start the container's process (answering the starter when `report`); False
        when it could not, with the answer for the starter in self.failure."""
        from ..errors import EngineError
        from ..runtime.init import LaunchError
        self.exit_status = None
        self.stop_deadline = None
        self.restart_at = None
        self.status_before = None
        try:
            started = self.engine.launch(container or self.cid, self.while_starting,
                                         prepared, child)
        except (LaunchError, EngineError) as error:
            e = LaunchError.of(error)
            self.life.start_failed(self.cid, e.exit_code, e.message, self.status_before)
            self.exit_status = e.exit_code << 8
            self.failure = e.answer()
            return False
        self.pid = started.pid
        self.master = started.master if started.master is not None else -1
        self.stdin_fd = started.stdin_fd
        self.outputs = dict(started.outputs)
        self.pidfd = started.pidfd
        self.mnt_ns = started.mnt_ns
        self.attachable = started.plan is None or started.plan.attachable
        self.may_restart, self.auto_remove = started.may_restart, started.auto_remove
        self.watch_process()
        self.serve_network(started.dns_fd, started.plan.listeners if started.plan else [])
        self.started_mono = time.monotonic()
        if report:
            self.report({"ok": True, "pid": self.pid})
            _leave_parent(self.keep_fds())
        return True

    def while_starting(self, pid: int, plan=None) -> None:
        """Bookkeeping done while the container's first process builds its root file
        system (on the other CPU): it is then off the critical path of `docker run`.
        If the exec fails after all, start_failed() overwrites the state."""
        network = {"Networks": plan.networks, "Ports": plan.ports} if plan else None
        # first: a container removed meanwhile is not started (NoSuchContainer)
        self.status_before = self.life.running(self.cid, pid,
                                               sc.process_start_time(os.getpid()), network)
        if self.log is None:
            self.log = LogWriter(self.container_file(f"{self.cid}-json.log"))
        if self.listener is None:
            self.listen()

    # --- network: the embedded DNS server and published ports -----------------------------
    def serve_network(self, dns_fd: int, listeners: list[tuple]) -> None:
        if dns_fd >= 0:
            self.dns_sock = socket.socket(fileno=dns_fd)
            self.dns_sock.setblocking(False)
            self.sel.register(self.dns_sock, selectors.EVENT_READ, self.on_dns)
        if listeners and self.engine_ns < 0:
            from ..network import netns
            self.engine_ns = netns.open_ns(netns.pin_path(self.run_dir))
        from ..network import proxy
        for sock, proto, ip, port in listeners:
            connect = _connector(self.engine_ns, proto, ip, port)
            kind = proxy.TcpProxy if proto == "tcp" else proxy.UdpProxy
            self.proxies.append(kind(self.sel, sock, connect))
            self.port_specs.append((sock.fileno(), proto, ip, port))

    def open_dns(self) -> None:
        """Serve 127.0.0.11 for a container that joined its first user-defined network
        while running: open the socket inside its namespace from here."""
        if self.dns_sock is not None or self.pid <= 0:
            return
        from ..network import netns
        ns_fd = os.open(f"/proc/{self.pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        try:
            s = netns.inside(ns_fd, socket.socket, socket.AF_INET,
                             socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            s.bind(("127.0.0.11", 53))
        finally:
            os.close(ns_fd)
        self.serve_network(s.detach(), [])
        from ..network import endpoints
        endpoints.use_embedded_dns(self.root, self.cid)

    def on_dns(self, sock, mask) -> None:
        from ..network import dns
        try:
            packet, addr = sock.recvfrom(4096)
        except (BlockingIOError, InterruptedError):
            return
        if self.dns_server is None:
            self.dns_server = dns.Server(
                self.sel, lambda name: dns.resolve(self.root, self.cid, name),
                lambda: dns.upstreams(self.root, self.run_dir, self.cid),
                lambda: dns.socket_in(self.pid))
        self.dns_server.handle(sock, packet, addr)

    def close_network(self) -> None:
        """The moment the process ends its ports are free again and its addresses go
        back to the networks."""
        for relay in self.proxies:
            relay.close()
        self.proxies.clear()
        self.port_specs.clear()
        if self.dns_server is not None:
            self.dns_server.close()
        if self.dns_sock is not None:
            try:
                self.sel.unregister(self.dns_sock)
            except (KeyError, ValueError):
                pass
            self.dns_sock.close()
            self.dns_sock = None
        if self.attachable:
            from ..network import endpoints
            endpoints.release(self.root, self.cid)

    def watch_process(self) -> None:
        self.sel.register(self.pidfd, selectors.EVENT_READ, self.on_exit)
        for fd in self.outputs:
            os.set_blocking(fd, False)
            self.sel.register(fd, selectors.EVENT_READ, self.on_output)

    def keep_fds(self) -> set[int]:
        fds = {self.pidfd, self.mnt_ns, self.spawner_fd, self.stdin_fd, self.master,
               *self.outputs, self.sel.fileno(),
               self.log.fd if self.log else -1, self.engine_ns,
               self.dns_sock.fileno() if self.dns_sock else -1,
               *(spec[0] for spec in self.port_specs)}
        if self.listener:
            fds.add(self.listener.fileno())
        fds.update(c.sock.fileno() for c in self.clients)
        return {fd for fd in fds if fd >= 0}

    # --- the loop ------------------------------------------------------------------
    def loop(self) -> None:
        while True:
            for key, mask in self.sel.select(self.next_timeout()):
                key.data(key.fileobj, mask)
            now = time.monotonic()
            if self.stop_deadline is not None and now >= self.stop_deadline:
                self.stop_deadline = None
                self.signal(signal.SIGKILL)
            if self.exit_status is not None and not self.outputs:
                if self.after_exit():
                    return
            if self.restart_at is not None and now >= self.restart_at:
                self.restart_at = None
                if not self.do_restart():
                    return
            if self.slim_at is not None and now >= self.slim_at:
                self.try_slim()

    def next_timeout(self) -> float | None:
        deadlines = [d for d in (self.stop_deadline, self.restart_at, self.slim_at)
                     if d is not None]
        if self.exit_status is not None and self.outputs:
            deadlines.append(time.monotonic() + 0.05)
        if not deadlines:
            return None
        return max(0.0, min(deadlines) - time.monotonic())

    # --- events --------------------------------------------------------------------
    def on_accept(self, listener, mask) -> None:
        try:
            sock, _ = listener.accept()
        except BlockingIOError:
            return
        if trust.admit(sock, trust.owner(self.root)):    # before a byte is read
            self.add_client(sock, None)

    def add_client(self, sock: socket.socket, request: dict | None) -> None:
        sock.setblocking(False)
        self.clients.append(Client(sock, request))
        self.sel.register(sock, selectors.EVENT_READ, self.on_client)

    def client_of(self, sock) -> Client | None:
        for c in self.clients:
            if c.sock is sock:
                return c
        return None

    def on_client(self, sock, mask) -> None:
        c = self.client_of(sock)
        if c is None:
            return
        if mask & selectors.EVENT_WRITE:
            self.flush_client(c)
        if not mask & selectors.EVENT_READ:
            return
        try:
            data = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.drop_client(c, hung_up=True)
            return
        for kind, payload in c.reader.feed(data):
            self.on_frame(c, kind, payload)

    def on_frame(self, c: Client, kind: int, payload: bytes) -> None:
        if kind == p.REQUEST:
            c.request = json.loads(payload)
            self.on_request(c)
        elif kind == p.STDIN and c.request and c.request.get("stdin"):
            self.write_stdin(payload)
        elif kind == p.CLOSE_STDIN and c.request and c.request.get("stdin"):
            self.close_stdin_if_once()
        elif kind == p.RESIZE:
            self.resize(*json.loads(payload))

    def resize(self, rows: int, cols: int) -> None:
        if self.master >= 0:
            try:
                sc.set_winsize(self.master, rows, cols)
                os.kill(self.pid, signal.SIGWINCH)
            except OSError:
                pass

    def on_request(self, c: Client) -> None:
        op = c.request.get("op")
        if op == "stop":
            self.manual_stop = True
            self.keep = bool(c.request.get("keep"))   # docker restart: --rm waits
            self.life.manual_stop(self.cid)
            if self.restart_at is not None:      # stopping a restarting container
                self.restart_at = None
                self.exit_status = self.exit_status or 0
                self.after_exit(force_final=True)
                os._exit(0)
            timeout = c.request.get("timeout", 10)
            self.signal(c.request.get("signal", signal.SIGTERM))
            self.stop_deadline = time.monotonic() + max(0, timeout)
        elif op == "kill":
            if c.request.get("manual", True):
                self.manual_stop = True
                self.life.manual_stop(self.cid)
            ok = self.signal(c.request.get("signal", signal.SIGKILL))
            self.send(c, p.json_frame(p.REPLY, {"ok": ok}))
        elif op == "resize":
            self.resize(c.request["rows"], c.request["cols"])
            self.send(c, p.json_frame(p.REPLY, {"ok": True}))
        elif op == "ping":
            self.send(c, p.json_frame(p.REPLY, {"ok": True, "pid": self.pid}))
        elif op == "open_dns":
            self.open_dns()
            self.send(c, p.json_frame(p.REPLY, {"ok": True}))
        # attach and wait need no answer now: output and the exit frame come by themselves

    def signal(self, sig: int) -> bool:
        if self.pid <= 0 or self.exit_status is not None:
            return False
        try:
            if sig in (signal.SIGKILL, signal.SIGTERM):
                self.life.thaw(self.cid)   # a frozen process can't act on its signal
            os.kill(self.pid, sig)
            return True
        except ProcessLookupError:
            return False

    def write_stdin(self, data: bytes) -> None:
        fd = self.master if self.master >= 0 else self.stdin_fd
        if fd < 0:
            return
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(fd, view):]
            except BlockingIOError:
                time.sleep(0.001)
            except OSError:
                return

    def close_stdin_if_once(self) -> None:
        """A client's stdin ended (or it went away): with StdinOnce the container's stdin
        closes too. A terminal is never closed this way (as in Docker): detaching from
        `run -ti` must leave the shell inside running."""
        if self.master >= 0:
            return
        if self.stdin_fd >= 0 and self.life.stdin_once(self.cid):
            os.close(self.stdin_fd)
            self.stdin_fd = -1

    def on_output(self, fd, mask) -> None:
        stream = self.outputs.get(fd)
        if stream is None:
            return
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return
        except OSError as e:
            if e.errno != errno.EIO:      # EIO: the pty's last slave closed
                self.note(f"read {stream}: {e}")
            data = b""
        if not data:
            self.sel.unregister(fd)
            del self.outputs[fd]
            if fd != self.master:
                os.close(fd)
            return
        self.log.write(stream, data)
        frame = p.frame(p.STDOUT if stream == "stdout" else p.STDERR, data)
        for c in self.clients:
            if c.wants(stream):
                self.send(c, frame)

    def send(self, c: Client, data: bytes) -> None:
        c.out += data
        self.flush_client(c)

    def flush_client(self, c: Client) -> None:
        while c.out:
            try:
                n = c.sock.send(c.out)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                c.out.clear()
                self.drop_client(c)
                return
            del c.out[:n]
        try:
            events = selectors.EVENT_READ | (selectors.EVENT_WRITE if c.out else 0)
            self.sel.modify(c.sock, events, self.on_client)
        except (KeyError, ValueError):
            pass
        if len(c.out) > CLIENT_BUFFER_MAX:       # a client that stopped reading
            self.drop_client(c)
        elif not c.out and c.closing:
            self.drop_client(c)

    def drop_client(self, c: Client, hung_up: bool = False) -> None:
        if c not in self.clients:
            return
        self.clients.remove(c)
        try:
            self.sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()
        if hung_up and c.request and c.request.get("stdin"):
            self.close_stdin_if_once()

    def on_exit(self, pidfd, mask) -> None:
        try:
            done, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            done, status = self.pid, 255 << 8
        if done == 0:
            return
        self.sel.unregister(self.pidfd)
        os.close(self.pidfd)
        self.pidfd = -1
        self.exit_status = status
        self.stop_deadline = None
        self.slim_at = None
        if self.stdin_fd >= 0:
            os.close(self.stdin_fd)
            self.stdin_fd = -1

    # --- after the process ended -----------------------------------------------------
    def exit_code(self) -> int:
        st = self.exit_status or 0
        if os.WIFSIGNALED(st):
            return 128 + os.WTERMSIG(st)
        return os.WEXITSTATUS(st)

    def after_exit(self, force_final: bool = False) -> bool:
        """Record the exit, then restart or finish. True when the monitor is done."""
        self.life.died(self.cid, self.exit_code())
        self.close_network()
        if self.master >= 0:
            os.close(self.master)
            self.master = -1
        if self.log:
            self.log.flush()
        code = self.exit_code()
        ran = time.monotonic() - self.started_mono
        restart = False
        if self.may_restart and not force_final:
            found = self.life.load(self.cid)
            if found is None:              # removed behind our back (engine reset)
                self.finish(code)
                return True
            record, state = found
            policy = record["HostConfig"].get("RestartPolicy") or {}
            restart = self.should_restart(policy, state, code, ran)
        oom = self.life.exited(self.cid, code, restart, self.auto_remove and not self.keep)
        if restart:
            self.release_mounts()
            self.exit_status = None
            self.notify_exit(code, removed=False, oom=oom)
            self.restart_at = time.monotonic() + self.restart_delay
            return False
        self.finish(code, oom)
        return True

    def should_restart(self, policy: dict, state: dict, code: int, ran: float) -> bool:
        name = policy.get("Name") or "no"
        if self.manual_stop or state.get("manual_stop") or name == "no":
            return False
        # Docker's restart manager: 100 ms, doubling up to a minute; reset after 10 s up
        if ran >= 10:
            self.restart_delay = 0.0
        self.restart_delay = 0.1 if self.restart_delay == 0 else min(60.0, self.restart_delay * 2)
        if name in ("always", "unless-stopped"):
            return True
        if name == "on-failure":
            limit = int(policy.get("MaximumRetryCount") or 0)
            return code != 0 and (limit == 0 or state.get("restart_count", 0) < limit)
        return False

    def do_restart(self) -> bool:
        """Start the process again; False when the monitor is done."""
        if self.launch(report=False):
            return True
        self.finish(self.exit_code())
        return False

    def notify_exit(self, code: int, removed: bool, oom: bool = False) -> None:
        frame = p.json_frame(p.EXIT, {"StatusCode": code, "OOMKilled": oom, "Removed": removed})
        for client in list(self.clients):
            if client.request and client.request.get("op") in ("attach", "wait", "stop"):
                client.closing = True
                self.send(client, frame)

    def finish(self, code: int, oom: bool = False, answer: dict | None = None) -> None:
        """The container is done for good: apply --rm, tell everyone (and the starter,
        the `answer` to a failed start), go."""
        removed, trash = self.life.finish(self.cid, keep=self.keep)
        if not removed:
            self.release_mounts()     # it may be started again at once: its root must be free
        if answer is not None:
            self.report(answer)
        self.notify_exit(code, removed=removed, oom=oom)
        deadline = time.monotonic() + 2
        while any(c.out for c in self.clients) and time.monotonic() < deadline:
            for key, mask in self.sel.select(0.05):
                if key.data == self.on_client:
                    key.data(key.fileobj, mask)
        for c in list(self.clients):
            self.drop_client(c)
        if self.listener:
            self.listener.close()
        self.release_mounts()
        self.life.purge(self.cid, trash)

    def release_mounts(self) -> None:
        """Let go of the container's mount namespace (init._hold_mounts): the kernel
        takes its mounts down now, in this process."""
        if self.mnt_ns >= 0:
            os.close(self.mnt_ns)
            self.mnt_ns = -1

    def emergency_cleanup(self) -> None:
        if self.pid > 0 and self.exit_status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass

    # --- shedding the starter's memory ---------------------------------------------------
    def try_slim(self) -> None:
        """Re-execute into a fresh interpreter, unless something is mid-flight (a client
        still being written to, a stop in progress): then try again a moment later."""
        busy_proxies = any(getattr(p, "relays", None) or getattr(p, "peers", None)
                           for p in self.proxies)
        if self.stop_deadline is not None or any(c.out for c in self.clients) or \
                self.exit_status is not None or busy_proxies:
            self.slim_at = time.monotonic() + 0.2
            return
        self.slim_at = None
        self.release_mounts()         # not worth a handover: the exit it speeds up is far off
        state = self.handover()
        for fd in state["fds"]:
            os.set_inheritable(fd, True)
        code = ("import sys; sys.path.insert(0, sys.argv[1]); "
                "from engine.supervisor.monitor import resume; resume(sys.argv[2])")
        try:
            os.execv(sys.executable, [sys.executable, "-S", "-I", "-c", code, PACKAGE_ROOT,
                                      json.dumps(state)])
        except OSError as e:
            self.note(f"staying in the forked monitor: exec failed: {e}")

    def handover(self) -> dict:
        import base64
        b64 = lambda b: base64.b64encode(bytes(b)).decode()   # noqa: E731
        clients = [{"fd": c.sock.fileno(), "request": c.request, "in": b64(c.reader.buf),
                    "closing": c.closing} for c in self.clients]
        state = {
            "cid": self.cid, "root": self.root, "run": self.run_dir, "pid": self.pid,
            "pidfd": self.pidfd, "master": self.master, "stdin": self.stdin_fd,
            "outputs": {str(fd): s for fd, s in self.outputs.items()},
            "listener": self.listener.fileno() if self.listener else -1,
            "log": self.log.fd if self.log else -1,
            "partial": {k: b64(v) for k, v in (self.log.partial if self.log else {}).items()},
            "clients": clients, "started": self.started_mono,
            "dns": self.dns_sock.fileno() if self.dns_sock else -1,
            "engine_ns": self.engine_ns, "ports": self.port_specs,
            "manual_stop": self.manual_stop, "restart_delay": self.restart_delay,
            "attachable": self.attachable, "may_restart": self.may_restart,
            "auto_remove": self.auto_remove,
            "status_before": self.status_before,
        }
        state["fds"] = [fd for fd in [self.pidfd, self.master, self.stdin_fd, *self.outputs,
                                      state["listener"], state["log"], state["dns"],
                                      self.engine_ns, *(p[0] for p in self.port_specs)] +
                        [c["fd"] for c in clients] if fd >= 0]
        return state


def resume(blob: str) -> None:
    """Entry point of the slim interpreter: rebuild the monitor from its handover."""
    import base64
    sc.set_process_name("dl-monitor")
    s = json.loads(blob)
    m = Monitor(s["cid"], s["root"], s["run"])
    try:
        m.pid, m.pidfd, m.master, m.stdin_fd = s["pid"], s["pidfd"], s["master"], s["stdin"]
        m.outputs = {int(fd): stream for fd, stream in s["outputs"].items()}
        m.started_mono, m.manual_stop = s["started"], s["manual_stop"]
        m.restart_delay, m.status_before = s["restart_delay"], s["status_before"]
        m.attachable, m.may_restart = s["attachable"], s["may_restart"]
        m.auto_remove = s["auto_remove"]
        for fd in s["fds"]:
            os.set_inheritable(fd, False)
        if s["log"] >= 0:
            m.log = LogWriter("", fd=s["log"], partial={
                k: base64.b64decode(v) for k, v in s["partial"].items()})
        if s["listener"] >= 0:
            m.listener = socket.socket(fileno=s["listener"])
            m.listener.setblocking(False)
            m.sel.register(m.listener, selectors.EVENT_READ, m.on_accept)
        for c in s["clients"]:
            m.add_client(socket.socket(fileno=c["fd"]), c["request"])
            client = m.clients[-1]
            client.closing = c["closing"]
            for kind, payload in client.reader.feed(base64.b64decode(c["in"])):
                m.on_frame(client, kind, payload)
        m.watch_process()
        m.engine_ns = s["engine_ns"]
        kinds = {"tcp": socket.SOCK_STREAM, "udp": socket.SOCK_DGRAM}
        m.serve_network(s["dns"], [(socket.socket(fileno=fd, type=kinds[proto]), proto, ip, port)
                                   for fd, proto, ip, port in s["ports"]])
        m.loop()
    except BaseException:
        m.note(_traceback())
        m.emergency_cleanup()
    finally:
        os._exit(0)


def _connector(engine_ns: int, proto: str, ip: str, port: int):
    """A function making a non-blocking socket inside the engine's network namespace,
    connecting to a container's address (sockets keep the namespace they were made in)."""
    from ..network import netns
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM

    def connect() -> socket.socket:
        s = netns.inside(engine_ns, socket.socket, socket.AF_INET, kind | socket.SOCK_CLOEXEC)
        s.setblocking(False)
        if kind == socket.SOCK_STREAM:
            s.connect_ex((ip, port))
        else:
            s.connect((ip, port))
        return s
    return connect


def _traceback() -> str:
    import traceback   # only when something went wrong: it costs memory to import
    return traceback.format_exc()


# --- starting a monitor ---------------------------------------------------------------

def spawn(engine, c, first: tuple | None) -> dict:
    """Start the monitor for container `c` (a store.containers.Container) and wait
    until it runs (or failed to). `first` is an optional (socket, request) for a client
    that must see the output from the very first byte (docker run / start -a).

    The start is prepared here, where the memory is warm, and handed to a monitor the
    engine's spawner forked ahead of time (spawner.py): this process never forks."""
    from . import spawner
    from ..errors import EngineError
    from ..runtime.init import LaunchError
    cgroups.layout()            # read once here, not in every start
    root, run = str(engine.paths.root), str(engine.paths.run)
    try:
        prepared = engine.prepare_launch(c)
    except (LaunchError, EngineError) as error:
        e = LaunchError.of(error)
        life = Lifecycle(root, run)
        life.start_failed(c.id, e.exit_code, e.message, None)
        if c.host.auto_remove:          # as a monitor's finish() would: --rm applies
            life.purge(c.id, life.finish(c.id)[1])
        return e.answer()
    except OSError:
        if engine.load_quiet(c.id) is None:     # removed as it started (a racing rm -f)
            from ..errors import NoSuchContainer
            raise NoSuchContainer(c.id) from None
        raise
    start = {"root": root, "run": run, "container": c, "prepared": prepared,
             "first": first, "env": dict(os.environ), "umask": _umask()}
    try:
        conn = spawner.submit(root, run, prepared, start)
    except BaseException:
        prepared.abandon()
        raise
    prepared.close()            # the monitor has its own copies
    if first:
        first[0].close()
    result = spawner.answer(conn)
    if result is None:
        prepared.abandon(closed=True)
        return {"ok": False, "code": 125, "message": "the container monitor exited early"}
    return result


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def serve(engine, start: dict, status_fd: int, child, keep: int = -1) -> bool:
    """In a monitor the spawner forked: be the monitor of the start handed over
    (spawn()), answering on `status_fd`, its container's process cloned already
    (clone_early(); None: that failed, and the start tries again, and reports), until
    that container is done for good. `keep`: an fd of the spawner's to leave open.
    True when the process may serve another start (Monitor.start)."""
    c, prepared = start["container"], start["prepared"]
    sc.set_process_name("dl-monitor")
    m = Monitor(c.id, start["root"], start["run"], engine)
    m.spawner_fd = keep
    return m.start(status_fd, start["first"], c, prepared, child)


def clone_early(clone, *args):
    """The container's process, cloned before anything else the monitor does, so its
    root file system is built while the monitor settles in; None if that failed (the
    start then tries again, and reports)."""
    try:
        return clone(*args)
    except Exception:
        return None


def _leave_parent(keep: set[int]) -> None:
    """Drop everything inherited from the process that started us: its fds (a shell's
    terminal, sockets), its signal handlers, its working directory."""
    devnull = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    _close_all_but(keep | {0, 1, 2})
    for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU,
                signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.chdir("/")
    sys.stdout = sys.stderr = open(1, "w", closefd=False)    # /dev/null now


def _close_all_but(keep: set[int]) -> None:
    top = max(keep)
    for fd in range(3, top):
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
    sc.close_range(top + 1)
