"""`dockerlings engine serve -H/--host`: the Engine API on more addresses than the
engine's own socket, as dockerd's -H: tcp:// on loopback (anything else only with
dockerd's explicit `--tls=false`), and unix:// at a path of the learner's choosing, which
is never taken over from a server that answers there."""
from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess

import pytest

from tests.conftest import dockerlings
from tests.integration.cli_helpers import free_port, pull

DOCKER = shutil.which("docker")
needs_docker = pytest.mark.skipif(DOCKER is None, reason="the docker CLI is not on PATH")



@pytest.fixture
def serve(sh):
    """serve(*words): `dockerlings engine serve -d *words` on the test's engine (umask 0:
    the modes must not depend on it); stopped again at the end."""
    pull(sh)
    root = str(sh.engine.paths.root)

    def start(*words: str) -> subprocess.CompletedProcess:
        return dockerlings("engine", "serve", "-d", *words, root=root, umask=0)
    yield start
    from shell.api import serve as serving
    serving.stop(sh.engine)


def docker(host: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DOCKER_HOST=host, DOCKER_CONFIG="/nonexistent")
    return subprocess.run([DOCKER, *args], capture_output=True, env=env, timeout=60)


def _ping(s: socket.socket) -> bytes:
    """The answer to GET /_ping, read until its body ("OK") is in."""
    s.sendall(b"GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n")
    out = b""
    while not out.endswith(b"\r\n\r\nOK") and (data := s.recv(4096)):
        out += data
    return out


def ping_tcp(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        return _ping(s)


def ping_unix(path: str) -> bytes:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(10)
        s.connect(path)
        return _ping(s)


# --- tcp:// --------------------------------------------------------------------------------

@needs_docker
def test_the_docker_cli_over_tcp_on_loopback(serve, sh):
    port = free_port()
    done = serve("-H", f"tcp://127.0.0.1:{port}")
    assert done.returncode == 0, done.stderr
    own = sh.engine.paths.run / "docker.sock"
    assert done.stdout.decode().splitlines() == [
        f"The Engine API is listening on unix://{own}",
        f"The Engine API is listening on tcp://127.0.0.1:{port}",
        f"export DOCKER_HOST=tcp://127.0.0.1:{port}"]
    warning = done.stderr.decode()
    assert warning.startswith(f"WARNING: tcp://127.0.0.1:{port} has no TLS")
    assert "browser" in warning and "https://docs.docker.com/go/api-security/" in warning
    host = f"tcp://127.0.0.1:{port}"
    ps = docker(host, "ps")
    assert ps.returncode == 0, ps.stderr
    assert ps.stdout.decode().split() == ["CONTAINER", "ID", "IMAGE", "COMMAND", "CREATED",
                                          "STATUS", "PORTS", "NAMES"]
    run = docker(host, "run", "--rm", "busybox", "echo", "hi")
    assert (run.returncode, run.stdout, run.stderr) == (0, b"hi\n", b"")
    assert sh.ok("docker ps -aq") == ""


def test_another_user_on_this_machine_is_hung_up_on_over_tcp(serve, sh):
    """No peer credentials on TCP: the kernel's table of this machine's TCP sockets says
    whose the other end is, and anyone but the owner is hung up on unread."""
    from tests.integration.test_trust import as_nobody
    port = free_port()
    assert serve("-H", f"tcp://127.0.0.1:{port}").returncode == 0

    def attempt():
        s = socket.socket()                 # (no create_connection: its lookup
        s.settimeout(10)                    # would load a codec nobody cannot read)
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(b"POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 2"
                      b"\r\n\r\n{}")
            return "answered" if s.recv(4096) else "eof"
        except (ConnectionResetError, BrokenPipeError):
            return "hung up"
        finally:
            s.close()
    assert as_nobody(attempt) in ("hung up", "eof")
    assert ping_tcp(port).endswith(b"OK")                  # the owner still is let in
    assert sh.engine.containers(all=True) == []


def test_a_non_loopback_address_is_refused_without_dockerds_acknowledgement(serve, sh):
    port = free_port()
    done = serve("-H", f"tcp://0.0.0.0:{port}")
    assert done.returncode == 1
    err = done.stderr.decode()
    assert err.splitlines()[0] == (f"refusing to serve tcp://0.0.0.0:{port} without TLS: "
                                   "anyone who can reach it from the network gets root on "
                                   "this machine")
    assert "--tls=false" in err and "hint:" in err
    assert done.stdout == b""
    assert not (sh.engine.paths.run / "docker.pid").exists()
    with pytest.raises(ConnectionRefusedError):
        ping_tcp(port)


def test_with_dockerds_acknowledgement_it_listens_on_every_address(sh):
    """--tls=false, dockerd's explicit intent: served on 0.0.0.0 with the warning. In a
    network namespace of the test's own, whose only interface is its loopback, so that
    nothing on the network can ever reach it."""
    from tests.conftest import ROOT
    import sys
    pull(sh)
    port = free_port()
    env = dict(os.environ, DOCKERLINGS_ROOT=str(sh.engine.paths.root), PYTHONPATH=str(ROOT))
    server = subprocess.Popen(
        ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh",
         sys.executable, "-m", "shell", "engine", "serve", "-H", f"tcp://0.0.0.0:{port}",
         "--tls=false"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        lines = [server.stdout.readline().decode() for _ in range(3)]
        assert lines[1:] == [f"The Engine API is listening on tcp://0.0.0.0:{port}\n",
                             f"export DOCKER_HOST=tcp://0.0.0.0:{port}\n"]
        warning = server.stderr.readline().decode()
        assert warning.startswith(f"WARNING: tcp://0.0.0.0:{port} has no TLS and is open to "
                                  "the network: everyone who can reach it gets root access "
                                  "on this machine")
        inside = subprocess.run(
            ["nsenter", f"--net=/proc/{server.pid}/ns/net", sys.executable, "-c",
             "import socket; s = socket.create_connection(('127.0.0.1', %d), 10); "
             "s.sendall(b'GET /_ping HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'); "
             "print(s.recv(4096).decode())" % port], capture_output=True, timeout=30)
        assert inside.stdout.startswith(b"HTTP/1.1 200 OK\r\n"), inside.stderr
        with pytest.raises(ConnectionRefusedError):     # not on this machine's addresses
            ping_tcp(port)
    finally:
        server.terminate()
        server.communicate(timeout=10)
    assert server.returncode == 0


@pytest.mark.parametrize("words, message", [
    (["-H", "tcp://127.0.0.1:0"], "invalid bind address (tcp://127.0.0.1:0): invalid port: 0"),
    (["-H", "tcp://127.0.0.1:x"], 'invalid bind address (tcp://127.0.0.1:x): parse '
                                  '"tcp://127.0.0.1:x": invalid port ":x" after host'),
    (["-H", "tcp://127.0.0.1:2375/path"], "invalid bind address (tcp://127.0.0.1:2375/path): "
                                          "should not contain a path element"),
    (["-H", "udp://127.0.0.1:2375"], "invalid bind address (udp://127.0.0.1:2375): "
                                     "unsupported proto 'udp'"),
    (["-H"], "flag needs an argument: 'H' in -H"),
    (["--host"], "flag needs an argument: --host"),
    (["--tls"], "TLS is not supported by dockerlings' Engine API server"),
    (["-H", "unix:///nonexistent-dl/docker.sock"], "can't create unix socket "
     "/nonexistent-dl/docker.sock: listen unix /nonexistent-dl/docker.sock: bind: no such file "
     "or directory"),
])
def test_bad_hosts_in_dockerds_words(serve, sh, words, message):
    done = serve(*words)
    assert done.returncode == (2 if "flag" in message else 1)
    assert done.stderr.decode().splitlines()[0] == message
    assert not (sh.engine.paths.run / "docker.pid").exists()


def test_help_says_every_option_and_serves_nothing(serve, sh):
    done = serve("--help")
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    assert text.startswith("Usage:  dockerlings engine serve")
    for option in ("--detach", "--host HOST", "--tls=false"):
        assert option in text
    assert not (sh.engine.paths.run / "docker.pid").exists()


def test_stop_ends_the_server_and_says_when_none_runs(serve, sh):
    root = str(sh.engine.paths.root)
    port = free_port()
    assert serve("-H", f"tcp://127.0.0.1:{port}").returncode == 0
    assert b"OK" in ping_tcp(port)
    done = dockerlings("engine", "serve", "--stop", root=root)
    assert (done.returncode, done.stdout.decode()) == (0, "Stopped the Engine API server\n")
    with pytest.raises(OSError):
        ping_tcp(port)
    assert not (sh.engine.paths.run / "docker.pid").exists()
    again = dockerlings("engine", "serve", "--stop", root=root)
    assert again.returncode == 1
    assert again.stderr.decode() == "no Engine API server runs for this engine\n"


def test_a_port_in_use_is_said_as_go_says_it(serve, sh):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = serve("-H", f"tcp://127.0.0.1:{port}")
    assert done.returncode == 1
    assert done.stderr.decode().splitlines()[-1] == (f"listen tcp 127.0.0.1:{port}: bind: "
                                                    "address already in use")
    assert not (sh.engine.paths.run / "docker.sock").exists()


# --- unix:// ------------------------------------------------------------------------------

@needs_docker
def test_a_free_unix_path_is_served_owner_and_group_only(serve, sh, tmp_path):
    path = str(tmp_path / "docker.sock")
    done = serve("--host", f"unix://{path}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().splitlines()[1:] == [
        f"The Engine API is listening on unix://{path}", f"export DOCKER_HOST=unix://{path}"]
    assert done.stderr == b""                       # no warning for a unix socket
    assert stat.S_ISSOCK(os.stat(path).st_mode)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o660           # whatever the umask
    ps = docker(f"unix://{path}", "ps", "-a", "--format", "{{.Names}}")
    assert (ps.returncode, ps.stdout) == (0, b""), ps.stderr
    run = docker(f"unix://{path}", "run", "--rm", "busybox", "echo", "hi")
    assert (run.returncode, run.stdout) == (0, b"hi\n"), run.stderr
    from shell.api import serve as serving
    assert serving.stop(sh.engine)
    assert not os.path.exists(path)                 # its socket goes with the server


def test_a_socket_that_answers_is_never_taken_over(serve, sh, tmp_path):
    path = str(tmp_path / "docker.sock")
    other = socket.socket(socket.AF_UNIX)
    other.bind(path)
    other.listen()
    inode = os.stat(path).st_ino
    try:
        done = serve("-H", f"unix://{path}")
        assert done.returncode == 1
        assert done.stderr.decode().splitlines()[0] == (
            f"unix://{path}: something already answers on this socket (another Docker "
            "daemon?); dockerlings does not take it over")
        assert not (sh.engine.paths.run / "docker.pid").exists()
        assert os.stat(path).st_ino == inode
        other.settimeout(5)
        other.accept()[0].close()                   # dockerlings' knock on the door
        client = socket.socket(socket.AF_UNIX)      # and it still answers
        client.settimeout(5)
        client.connect(path)
        conn, _ = other.accept()
        conn.sendall(b"still mine")
        assert client.recv(100) == b"still mine"
        conn.close()
        client.close()
    finally:
        other.close()


def test_a_stale_socket_nobody_answers_is_replaced(serve, sh, tmp_path):
    path = str(tmp_path / "docker.sock")
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(path)                                 # bound, never listening: a dead daemon's
    dead.close()
    assert stat.S_ISSOCK(os.stat(path).st_mode)
    done = serve("-H", f"unix://{path}")
    assert done.returncode == 0, done.stderr
    assert ping_unix(path).endswith(b"OK")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o660


def test_a_file_that_is_not_a_socket_is_left_alone(serve, sh, tmp_path):
    path = tmp_path / "docker.sock"
    path.write_text("keep me\n")
    done = serve("-H", f"unix://{path}")
    assert done.returncode == 1
    assert done.stderr.decode().splitlines()[0] == (
        f"can't create unix socket {path}: the file there is not a socket")
    assert path.read_text() == "keep me\n"
    assert not (sh.engine.paths.run / "docker.sock").exists()
