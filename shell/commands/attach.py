"""Connecting the user's terminal to a container's streams: `docker attach`, and the
attached part of `docker run`, `docker start -a` and `docker exec`.

A channel is where the container's output comes from and its input goes: a monitor's
socket (attach, run, start) or a local process's pipes or pty (exec). `pump` moves
bytes both ways until the container exits or the user types the detach keys; with -t
and a real terminal it puts the terminal in raw mode and passes window sizes on.
"""
from __future__ import annotations

import errno
import json
import os
import select
import signal
import termios
import tty as tty_mod

from engine.supervisor import protocol
from engine.errors import CliError, EngineError, InvalidParameter

DEFAULT_DETACH = "ctrl-p,ctrl-q"
DETACH = "detach"           # what on_signal returns to leave the container running


def detach_sequence(text: str | None) -> bytes:
    """Docker's --detach-keys: "ctrl-p,ctrl-q", "ctrl-a", "a", ... -> bytes."""
    text = text or DEFAULT_DETACH
    out = bytearray()
    for part in text.split(","):
        p = part.strip().lower()
        if len(p) == 1:
            out.append(ord(p))
        elif p.startswith("ctrl-") and len(p) == 6:
            ch = p[5]
            if "a" <= ch <= "z":
                out.append(ord(ch) - ord("a") + 1)
            elif ch in "@[\\]^_":
                out.append({"@": 0, "[": 27, "\\": 28, "]": 29, "^": 30, "_": 31}[ch])
            else:
                raise InvalidParameter(f"Invalid detach keys ({text}) provided")
        else:
            raise InvalidParameter(f"Invalid detach keys ({text}) provided")
    return bytes(out)


class MonitorChannel:
    """The streams of a container, through its monitor's socket."""

    def __init__(self, sock):
        self.sock = sock
        self.reader = protocol.FrameReader()
        self.exit_code: int | None = None

    def fds(self) -> list[int]:
        return [self.sock.fileno()]

    def read(self, fd: int):
        """Yields ("stdout"|"stderr", bytes); sets exit_code at the end; StopIteration-free."""
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, BlockingIOError):
            data = b""
        if not data:
            if self.exit_code is None:
                self.exit_code = -1
            return
        for kind, payload in self.reader.feed(data):
            if kind == protocol.STDOUT:
                yield "stdout", payload
            elif kind == protocol.STDERR:
                yield "stderr", payload
            elif kind == protocol.EXIT:
                self.exit_code = int(json.loads(payload)["StatusCode"])

    def done(self) -> bool:
        return self.exit_code is not None

    def send_stdin(self, data: bytes) -> None:
        self.sock.sendall(protocol.frame(protocol.STDIN, data))

    def close_stdin(self) -> None:
        self.sock.sendall(protocol.frame(protocol.CLOSE_STDIN))

    def resize(self, rows: int, cols: int) -> None:
        self.sock.sendall(protocol.json_frame(protocol.RESIZE, [rows, cols]))

    def close(self) -> None:
        self.sock.close()


class ProcessChannel:
    """The streams of an exec'd process: pipes or a pty held by this process."""

    def __init__(self, proc):
        self.proc = proc
        self.open = {}
        if proc.master is not None:
            self.open[proc.master] = "stdout"
        else:
            self.open[proc.stdout] = "stdout"
            self.open[proc.stderr] = "stderr"
        self.exit_code: int | None = None

    def fds(self) -> list[int]:
        return list(self.open)

    def read(self, fd: int):
        try:
            data = os.read(fd, 65536)
        except OSError as e:
            if e.errno != errno.EIO:
                raise
            data = b""
        if data:
            yield self.open[fd], data
            return
        del self.open[fd]
        if fd != self.proc.master:
            os.close(fd)
        if not self.open:
            self.exit_code = self.proc.wait()
            if self.proc.master is not None:
                os.close(self.proc.master)
            if self.proc.stdin >= 0:
                os.close(self.proc.stdin)
                self.proc.stdin = -1

    def done(self) -> bool:
        return self.exit_code is not None

    def _stdin_fd(self) -> int:
        return self.proc.master if self.proc.master is not None else self.proc.stdin

    def send_stdin(self, data: bytes) -> None:
        fd = self._stdin_fd()
        if fd is None or fd < 0:
            return
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(fd, view):]
        except BrokenPipeError:
            pass

    def close_stdin(self) -> None:
        if self.proc.master is not None:
            return              # a terminal stays open, as in Docker
        if self.proc.stdin >= 0:
            os.close(self.proc.stdin)
            self.proc.stdin = -1

    def resize(self, rows: int, cols: int) -> None:
        if self.proc.master is not None:
            from engine.runtime import syscalls
            syscalls.set_winsize(self.proc.master, rows, cols)

    def close(self) -> None:
        for fd in list(self.open):
            if fd != self.proc.master:
                os.close(fd)


class _DetachMatcher:
    """Finds the detach sequence in typed input; bytes of a partial match are held back
    and released if the sequence breaks off (as Docker's escape proxy does)."""

    def __init__(self, keys: bytes):
        self.keys = keys
        self.held = b""

    def feed(self, data: bytes) -> tuple[bytes, bool]:
        out = bytearray()
        for b in data:
            candidate = self.held + bytes([b])
            if self.keys and self.keys.startswith(candidate):
                self.held = candidate
                if candidate == self.keys:
                    self.held = b""
                    return bytes(out), True
            else:
                out += candidate
                self.held = b""
        return bytes(out), False


def _terminal_size(fd: int) -> tuple[int, int] | None:
    try:
        from engine.runtime import syscalls
        rows, cols = syscalls.get_winsize(fd)
        return (rows, cols) if rows and cols else None
    except OSError:
        return None


def pump(env, channel, *, tty: bool, stdin: bool, detach_keys: str | None = None,
         on_signal=None) -> int | None:
    """Copy until the process ends (returns its exit code) or the user detaches (None).
    on_signal(sig) is called for Ctrl-C and Ctrl-\\ typed while not in raw mode (the
    terminal sends SIGINT and SIGQUIT to this whole process group): Docker's sig-proxy
    passes them on to the container; they never end the shell. It may return DETACH."""
    try:
        in_fd = env.stdin.fileno() if stdin else None
    except (AttributeError, OSError, ValueError):
        in_fd = None
        if stdin:               # an in-memory stdin (tests): hand it over whole
            data = env.stdin.read()
            if data:
                channel.send_stdin(data)
            channel.close_stdin()
    raw = tty and in_fd is not None and os.isatty(in_fd)
    matcher = _DetachMatcher(detach_sequence(detach_keys)) if (stdin and tty) else None
    saved = None
    resized = [True]
    old_winch = None
    if raw:
        saved = termios.tcgetattr(in_fd)
        tty_mod.setraw(in_fd)
        old_winch = signal.signal(signal.SIGWINCH, lambda *a: resized.__setitem__(0, True))
    old_quit = _catch_quit(on_signal)
    try:
        return _loop(env, channel, in_fd, raw, matcher, resized, on_signal)
    finally:
        if raw:
            termios.tcsetattr(in_fd, termios.TCSADRAIN, saved)
            signal.signal(signal.SIGWINCH, old_winch or signal.SIG_DFL)
        if old_quit is not None:
            signal.signal(signal.SIGQUIT, old_quit)
        channel.close()


def _catch_quit(on_signal):
    """Ctrl-\\ (SIGQUIT) goes to the container, never kills the shell. Returns the old
    handler (None when signals cannot be set here: not the main thread)."""
    def quit_(_signum, _frame):
        if on_signal:
            on_signal(signal.SIGQUIT)
    try:
        return signal.signal(signal.SIGQUIT, quit_)
    except ValueError:
        return None


def _loop(env, channel, in_fd, raw, matcher, resized, on_signal) -> int | None:
    reading_stdin = in_fd is not None
    while not channel.done():
        if raw and resized[0]:
            resized[0] = False
            size = _terminal_size(in_fd)
            if size:
                channel.resize(*size)
        watch = channel.fds() + ([in_fd] if reading_stdin else [])
        try:
            ready, _, _ = select.select(watch, [], [])
        except InterruptedError:
            continue
        except KeyboardInterrupt:
            if on_signal and on_signal(signal.SIGINT) == DETACH:
                return None
            continue
        for fd in ready:
            if fd == in_fd:
                data = os.read(in_fd, 4096)
                if not data:
                    reading_stdin = False
                    channel.close_stdin()
                    continue
                if matcher:
                    data, detached = matcher.feed(data)
                    if data:
                        channel.send_stdin(data)
                    if detached:
                        if raw:          # the prompt comes back on a line of its own
                            env.write_out(b"\r\n")
                        return None
                else:
                    channel.send_stdin(data)
                continue
            for stream, data in channel.read(fd):
                if stream == "stderr" and not raw:
                    env.write_err(data)
                else:
                    env.write_out(data)
    return channel.exit_code


# --- docker attach ---------------------------------------------------------------------

def attach(env, inv) -> int:
    eng = env.engine
    api, name = env.api, inv.args[0]
    # the docker CLI waits for the exit (in the background), inspects, attaches and
    # inspects again (the container may have stopped meanwhile)
    try:
        c = eng.container(name)
    except EngineError as e:
        api.said("POST", f"/containers/{name}/wait", e.status)
        api.said("GET", f"/containers/{name}/json", e.status)
        raise
    api.said("POST", f"/containers/{name}/wait")
    api.said("GET", f"/containers/{name}/json")
    if not c.state.running:
        raise CliError("You cannot attach to a stopped container, start it first")
    if c.state.status == "paused":
        raise CliError("You cannot attach to a paused container, unpause it first")
    detach_sequence(inv.detach_keys)
    want_stdin = c.config.open_stdin and not inv.no_stdin
    with api.request("POST", f"/containers/{name}/attach", 101, stream=True,
                     stdin=want_stdin, stdout=True, stderr=True):
        sock = eng.connect(c, {"op": "attach", "stdin": want_stdin, "stdout": True,
                               "stderr": True})
    api.said("GET", f"/containers/{name}/json")
    if c.config.tty and api.on and env.stdout_tty:
        from .containers import _said_resize
        _said_resize(env, f"/containers/{name}/resize", grow=1)   # then the real size
        _said_resize(env, f"/containers/{name}/resize")
    channel = MonitorChannel(sock)
    interrupts = Interrupts(env, c, name) if inv.sig_proxy else None
    code = pump(env, channel, tty=c.config.tty, stdin=want_stdin, detach_keys=inv.detach_keys,
                on_signal=interrupts or (lambda s: None))
    if code is None or code < 0:
        fresh = eng.load_quiet(c.id)
        if code is None:
            return 130 if interrupts and interrupts.gave_up else 0
        return fresh.state.exit_code if fresh else 0
    return code


class Interrupts:
    """Signals typed while attached without a terminal (`docker run`, `start -a`,
    `attach`) go to the container's main process (Docker's sig-proxy). A program
    running as PID 1 gets no default action for SIGINT, so one that does not handle it
    (`httpd -f`) ignores Ctrl-C and Docker leaves the learner stuck: the second Ctrl-C
    says why, the third detaches."""

    def __init__(self, env, c, ref: str | None = None):
        self.env, self.c = env, c
        self.ref = ref or c.id           # how the docker CLI names it in its kill request
        self.count = 0
        self.gave_up = False

    def __call__(self, sig: int):
        sent = send_signal(self.env.engine, self.c.id, sig)
        self.env.api.said("POST", f"/containers/{self.ref}/kill", 204 if sent else 409,
                          signal=_signal_name(sig))
        if sig != signal.SIGINT:
            return None
        self.count += 1
        name = self.c.name
        if self.count == 2:
            self.env.err(self.env.hint(
                f"{os.path.basename(self.c.path)} runs as PID 1, and PID 1 ignores Ctrl-C "
                "(SIGINT) unless its program handles it. Press Ctrl-C once more to leave "
                f"{name} running in the background (`docker run -d` starts it there)."))
        elif self.count >= 3:
            self.gave_up = True
            self.env.err(self.env.hint(
                f"{name} is still running, in the background now: `docker stop {name}` "
                f"stops it, `docker logs {name}` shows its output."))
            return DETACH
        return None


def _signal_name(sig: int) -> str:
    """The name the docker CLI forwards a signal by (moby's SignalMap: INT, TERM ...)."""
    try:
        return signal.Signals(sig).name[3:]
    except ValueError:                  # a real-time signal Python has no name for
        return f"RTMIN+{sig - signal.SIGRTMIN}"


def send_signal(eng, cid: str, sig: int) -> bool:
    try:
        c = eng.container(cid)
        if not c.state.running:
            return False
        sock = eng.connect(c, {"op": "kill", "signal": int(sig), "manual": False})
        sock.close()
    except Exception:
        return False    # it ended meanwhile: nothing left to signal
    return True
