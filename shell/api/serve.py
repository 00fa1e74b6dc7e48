"""`dockerlings engine serve [-d]`: the Engine API on <run>/docker.sock.

Foreground by default (each request logged on stderr: the conversation behind the
commands); `-d` runs it in the background as dl-api, with its pid in <run>/docker.pid
and its log in <run>/docker.log. It ends on SIGTERM, on `dockerlings engine reset`, and
by itself when its socket file goes (the engine reset by anyone)."""
from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time

from engine import trust

USAGE = "Usage:  dockerlings engine serve [-d|--detach]"
NAME = "dl-api"


def socket_path(eng) -> str:
    return str(eng.paths.run / "docker.sock")


def pid_path(eng) -> str:
    return str(eng.paths.run / "docker.pid")


def _answers(path: str) -> bool:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(1)
    try:
        from engine.supervisor.protocol import ShortPath
        with ShortPath(path) as short:
            s.connect(short)
        return True
    except OSError:
        return False
    finally:
        s.close()


def run(env, argv: list[str]) -> int:
    detach = False
    for word in argv:
        if word in ("-d", "--detach"):
            detach = True
        else:
            env.err(f"unknown flag: {word}\n{USAGE}")
            return 2
    eng = env.engine
    eng.paths.ensure()                       # the run folder, 0700 whatever the umask
    path = socket_path(eng)
    if _answers(path):
        env.err(f"the Engine API is already served on unix://{path}")
        return 1
    try:
        os.unlink(path)                      # a dead server's socket
    except FileNotFoundError:
        pass
    if detach:
        return _detach(env, eng, path)
    server = _listen(eng, path, lambda line: env.err(line))
    _announce(env, path)
    return _serve(eng, server, path)


def _announce(env, path: str) -> None:
    env.out(f"The Engine API is listening on unix://{path}")
    env.out(f"export DOCKER_HOST=unix://{path}")


def _listen(eng, path: str, log):
    from .http import Server
    from .routes import build
    return Server(path, build(eng), trust.owner(eng.paths.root), log)


def _serve(eng, server, path: str) -> int:
    _write_pid(pid_path(eng))
    import faulthandler                  # SIGUSR1: every thread's stack, in the log
    faulthandler.register(signal.SIGUSR1, all_threads=True)

    def on_term(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    gone = threading.Thread(target=_stop_when_gone, args=(server, path), daemon=True)
    gone.start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        for leftover in (path, pid_path(eng)):
            try:
                os.unlink(leftover)
            except OSError:
                pass
    return 0


def _stop_when_gone(server, path: str) -> None:
    """`engine reset` removes the run folder: a server without its socket has no
    clients left to serve."""
    while True:
        time.sleep(0.5)
        if not os.path.exists(path):
            server.shutdown()
            return


def _write_pid(path: str) -> None:
    tmp = f"{path}.{os.getpid()}"
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, trust.SECRET), "w") as f:
        f.write(str(os.getpid()))
    os.rename(tmp, path)


def _detach(env, eng, path: str) -> int:
    """Fork a server that outlives this command; answer once its socket listens."""
    server = _listen(eng, path, None)
    pid = os.fork()
    if pid:
        server.socket.close()
        deadline = time.monotonic() + 5
        while not os.path.exists(pid_path(eng)) and time.monotonic() < deadline:
            time.sleep(0.01)
        _announce(env, path)
        return 0
    try:
        os.setsid()
        from engine.runtime import syscalls as sc
        sc.set_process_name(NAME)
        log = os.open(str(eng.paths.run / "docker.log"),
                      os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, trust.SECRET)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        server._log = lambda line: os.write(2, (line + "\n").encode())
        code = _serve(eng, server, path)
    except BaseException:
        code = 1
    os._exit(code)


def stop(eng) -> bool:
    """End this engine's API server (engine reset) and wait until it is gone."""
    from engine.runtime import syscalls as sc
    try:
        with open(pid_path(eng)) as f:
            pid = int(f.read())
    except (OSError, ValueError):
        return False
    if not (sc.running_as(pid, NAME) or _is_foreground_server(pid, eng)):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return True


def _is_foreground_server(pid: int, eng) -> bool:
    """A foreground `engine serve` keeps the program's name; it is ours when it holds
    this engine's pid file's number and its command line says serve."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"serve" in f.read().split(b"\0")
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
