"""`dockerlings engine serve [-d] [-H HOST]...`: the Engine API on <run>/docker.sock, and
on the hosts -H names (shell/api/hosts.py: tcp:// and unix://, as dockerd's -H).

Foreground by default (each request logged on stderr: the conversation behind the
commands); `-d` runs it in the background as dl-api, with its pid in <run>/docker.pid
and its log in <run>/docker.log. It ends on SIGTERM, on `dockerlings engine reset`, and
by itself when its socket file goes (the engine reset by anyone). The engine's own
socket is always served: it is how `engine reset` and `-v /var/run/docker.sock` find
the server."""
from __future__ import annotations

import os
import signal
import socket
import threading
import time

from engine import trust
from engine.errors import EngineError

USAGE = ("Usage:  dockerlings engine serve [-d|--detach] [-H|--host HOST]... [--tls=false]\n"
         "        dockerlings engine serve --stop")
HELP = f"""{USAGE}

Serve the Docker Engine API, so the docker CLI, docker-py and a container given
/var/run/docker.sock talk to this engine (export DOCKER_HOST as printed).

Options:
  -d, --detach       Run in the background (pid file in the engine's run folder;
                     stopped by SIGTERM and by 'dockerlings engine reset')
  -H, --host HOST    Also listen on HOST: tcp://127.0.0.1:PORT (loopback) or
                     unix://PATH (only where nothing answers); repeatable
      --tls=false    Allow a tcp address off loopback, without TLS (not advised)
      --stop         Stop this engine's API server (as 'systemctl stop docker'
                     stops dockerd)
"""
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


class Usage(Exception):
    """A command line that does not parse: pflag's words, exit status 2."""


class Help(Exception):
    """--help: the usage and the options, exit status 0."""


def _options(argv: list[str]) -> tuple[bool, list[str], bool]:
    """(detach, the -H values, --tls=false given) as dockerd's pflag reads them."""
    detach, hosts, no_tls = False, [], False
    words = iter(argv)
    for word in words:
        if word in ("-h", "--help"):
            raise Help()
        if word in ("-d", "--detach"):
            detach = True
        elif word in ("-H", "--host"):
            value = next(words, None)
            if value is None:
                raise Usage("flag needs an argument: 'H' in -H" if word == "-H" else
                            "flag needs an argument: --host")
            hosts.append(value)
        elif word.startswith("--host="):
            hosts.append(word[len("--host="):])
        elif word.startswith("-H"):
            hosts.append(word[2:].removeprefix("="))
        elif word in ("--tls=false", "--tlsverify=false"):
            no_tls = True
        elif word.split("=")[0] in ("--tls", "--tlsverify", "--tlscacert", "--tlscert",
                                    "--tlskey"):
            raise EngineError("TLS is not supported by dockerlings' Engine API server",
                              hint="serve on loopback (tcp://127.0.0.1:PORT) or a unix "
                              "socket instead")
        else:
            raise Usage(f"unknown flag: {word}")
    return detach, hosts, no_tls


def run(env, argv: list[str]) -> int:
    from . import hosts as hosting
    if argv[:1] == ["--stop"]:
        return _stop_command(env, argv[1:])
    try:
        detach, texts, no_tls = _options(argv)
        extra = _unique([hosting.parse(t) for t in texts])
        warnings = hosting.check(extra, no_tls)
    except Help:
        env.out(HELP.rstrip("\n"))
        return 0
    except Usage as e:
        env.err(f"{e}\n{USAGE}")
        return 2
    except EngineError as e:
        _refuse(env, e)
        return 1
    eng = env.engine
    eng.paths.ensure()                       # the run folder, 0700 whatever the umask
    path = socket_path(eng)
    if _answers(path):
        env.err(f"the Engine API is already served on unix://{path}")
        env.err("hint: 'dockerlings engine serve --stop' stops the server that runs")
        return 1
    extra = [h for h in extra if h.address != path]
    try:
        os.unlink(path)                      # a dead server's socket
    except FileNotFoundError:
        pass
    log = None if detach else (lambda line: env.err(line))
    try:
        servers = _listen(eng, path, extra, log)
    except EngineError as e:
        _refuse(env, e)
        return 1
    for line in warnings:
        env.err(line)
    shown = [path] + [h.text for h in extra]
    if detach:
        return _detach(env, eng, servers, shown)
    _announce(env, shown)
    return _serve(eng, servers, path)


def _unique(hosts: list) -> list:
    seen, out = set(), []
    for h in hosts:
        if h.text not in seen:
            seen.add(h.text)
            out.append(h)
    return out


def _refuse(env, e: EngineError) -> None:
    env.err(e.message)
    if getattr(e, "hint", None):
        env.err(f"hint: {e.hint}")


def _announce(env, shown: list[str]) -> None:
    """Each address; the DOCKER_HOST line for the one asked for (the first -H), else the
    engine's own socket."""
    texts = [f"unix://{shown[0]}"] + shown[1:]
    for text in texts:
        env.out(f"The Engine API is listening on {text}")
    env.out(f"export DOCKER_HOST={texts[1] if len(texts) > 1 else texts[0]}")


def _listen(eng, path: str, extra: list, log) -> list:
    """Every listener, bound now (so a refusal is said before anything runs): the
    engine's own socket first."""
    from . import hosts as hosting
    from .http import Server
    from .routes import build
    routes, owner = build(eng), trust.owner(eng.paths.root)
    servers = [Server(path, routes, owner, log)]
    try:
        for host in extra:
            if host.proto == "unix":
                hosting.claim_unix(host.address)
                servers.append(Server(host.address, routes, owner, log,
                                      bind=hosting.bind_unix))
            else:
                servers.append(hosting.TCPServer(host, routes, owner, log))
    except BaseException:
        _close(servers)
        raise
    return servers


def _close(servers: list) -> None:
    """Close every listener and remove the unix sockets that are still ours."""
    for server in servers:
        mine = _socket_inode(server)
        server.server_close()
        if mine is not None:
            try:
                if os.stat(server.server_address).st_ino == mine:
                    os.unlink(server.server_address)
            except OSError:
                pass


def _socket_inode(server) -> int | None:
    if server.socket.family != socket.AF_UNIX:
        return None
    try:
        return getattr(server, "inode", None) or os.stat(server.server_address).st_ino
    except OSError:
        return None


def _serve(eng, servers: list, path: str) -> int:
    _write_pid(pid_path(eng))
    import faulthandler                  # SIGUSR1: every thread's stack, in the log
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    for server in servers:               # whose file to remove at the end: ours only
        server.inode = _socket_inode(server)

    def stop():
        for server in servers:
            server.shutdown()

    def on_term(*_):
        threading.Thread(target=stop, daemon=True).start()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    gone = threading.Thread(target=_stop_when_gone, args=(stop, path), daemon=True)
    gone.start()
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                         daemon=True).start()
    try:
        servers[0].serve_forever(poll_interval=0.2)
    finally:
        stop()
        _close(servers)
        try:
            os.unlink(pid_path(eng))
        except OSError:
            pass
    return 0


def _stop_when_gone(stop, path: str) -> None:
    """`engine reset` removes the run folder: a server without its socket has no
    clients left to serve."""
    while True:
        time.sleep(0.5)
        if not os.path.exists(path):
            stop()
            return


def _write_pid(path: str) -> None:
    tmp = f"{path}.{os.getpid()}"
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, trust.SECRET), "w") as f:
        f.write(str(os.getpid()))
    os.rename(tmp, path)


def _detach(env, eng, servers: list, shown: list[str]) -> int:
    """Fork a server that outlives this command; answer once its sockets listen."""
    pid = os.fork()
    if pid:
        for server in servers:
            server.socket.close()
        deadline = time.monotonic() + 5
        while not os.path.exists(pid_path(eng)) and time.monotonic() < deadline:
            time.sleep(0.01)
        _announce(env, shown)
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
        for server in servers:
            server._log = lambda line: os.write(2, (line + "\n").encode())
        code = _serve(eng, servers, servers[0].server_address)
    except BaseException:
        code = 1
    os._exit(code)


def _stop_command(env, rest: list[str]) -> int:
    if rest:
        env.err(f"unknown flag: {rest[0]}\n{USAGE}" if rest[0].startswith("-") else
                f"--stop takes no arguments\n{USAGE}")
        return 2
    if not stop(env.engine):
        env.err("no Engine API server runs for this engine")
        return 1
    env.out("Stopped the Engine API server")
    return 0


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
