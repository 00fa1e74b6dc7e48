"""No local user becomes root through the engine (engine/trust.py): every folder and
socket is the owner's alone whatever the umask, every server hangs up on another user
before reading a byte, a setuid file a container leaves behind is out of other users'
reach, environments are 0600, an old open root is closed on first use, and another
user is told in words whose engine it is.

"Another user" is a real one: a forked child of this (root) test that drops to
nobody's uid and gids before it does anything."""
from __future__ import annotations

import errno
import glob
import json
import os
import pwd
import socket
import stat
import traceback

import pytest

from engine.supervisor import handoff, protocol, spawner
from engine.network import client, helper
from tests.integration.cli_helpers import pull

try:
    NOBODY = pwd.getpwnam("nobody").pw_uid
except KeyError:
    NOBODY = 65534


def as_nobody(fn):
    """fn() run in a child process whose every id is nobody's; returns what it returned
    (JSON), or raises with the child's traceback."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.setgroups([])
            os.setresgid(NOBODY, NOBODY, NOBODY)
            os.setresuid(NOBODY, NOBODY, NOBODY)
            out = {"value": fn()}
        except BaseException:
            out = {"error": traceback.format_exc()}
        try:
            os.write(w, json.dumps(out).encode())
        finally:
            os._exit(0)
    os.close(w)
    data = b""
    while chunk := os.read(r, 65536):
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    out = json.loads(data)
    assert "error" not in out, out["error"]
    return out["value"]


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def umask0():
    old = os.umask(0)
    yield
    os.umask(old)


@pytest.fixture
def old_root(engine_root):
    """An engine root that is open to everyone (0755), as older dockerlings left
    /var/lib/dockerlings (a test's temporary folder starts out 0700)."""
    os.chmod(engine_root, 0o755)
    return engine_root


@pytest.fixture
def bb(sh):
    pull(sh)
    return sh


def _sockets(run: str) -> dict[str, int]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(run):
        for name in filenames:
            path = os.path.join(dirpath, name)
            if stat.S_ISSOCK(os.lstat(path).st_mode):
                out[os.path.relpath(path, run)] = mode(path)
    return out


def _listening_unix_paths(root: str) -> list[str]:
    """The address of every listening unix socket the engine's processes hold (their
    fds matched against the kernel's table): "" for an unnamed one, "@..." for the
    abstract namespace, which a --network host container shares with the host."""
    from tests.integration.conftest import _engine_processes
    out = []
    for pid in _engine_processes(root):
        inodes = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
        with open(f"/proc/{pid}/net/unix") as f:
            next(f)
            for line in f:
                fields = line.split()
                listening = int(fields[3], 16) & 0x10000          # __SO_ACCEPTCON
                if fields[6] in inodes and listening:
                    out.append(fields[7] if len(fields) > 7 else "")
    return out


def test_every_folder_and_socket_is_the_owners_whatever_the_umask(umask0, bb, engine):
    root, run = str(engine.paths.root), str(engine.paths.run)
    cid = bb.ok("docker run -d -e DB_PASSWORD=s3cret busybox sleep 60").strip()
    assert mode(root) == 0o710
    for name in os.listdir(root):
        if name != "init-layer" and os.path.isdir(os.path.join(root, name)):
            assert mode(os.path.join(root, name)) == 0o700, name
    assert mode(os.path.join(root, "init-layer")) == 0o755
    assert mode(run) == 0o700
    assert mode(os.path.join(run, cid[:12])) == 0o700
    sockets = _sockets(run)
    assert set(sockets) == {os.path.basename(spawner.socket_path(run)), "netd.sock",
                            f"{cid[:12]}/attach.sock"}, sockets
    assert set(sockets.values()) == {0o600}, sockets
    listening = _listening_unix_paths(root)
    # (idle monitors hold the spawner's listener too: forked from the spawner)
    assert set(listening) == {os.path.join(run, s) for s in sockets}, listening
    d = os.path.join(root, "containers", cid)
    assert mode(d) == 0o700
    assert mode(os.path.join(d, "config.v2.json")) == 0o600
    assert mode(os.path.join(d, "upper")) == 0o755          # the container's "/", as Docker's
    assert bb.ok(f"docker exec {cid} stat -c %a /") == "755\n"
    assert {mode(b) for b in glob.glob(os.path.join(root, "image/blobs/sha256/*"))
            if os.path.getsize(b) < 65536} == {0o600}      # configs and manifests
    bb.ok(f"docker rm -f {cid}")


def test_the_program_under_umask_000_leaves_nothing_open(engine):
    """The audit's reproduction: `(umask 000; dockerlings -c 'docker run --rm busybox
    true')` made the spawner's socket srwxrwxrwx."""
    from tests.conftest import dockerlings
    root, run = str(engine.paths.root), str(engine.paths.run)
    done = dockerlings("-c", "docker run --rm busybox true", root=root, umask=0)
    assert done.returncode == 0, done.stderr
    assert mode(root) == 0o710 and mode(run) == 0o700
    sockets = _sockets(run)        # (and the --rm container's, while its monitor ends)
    assert {os.path.basename(spawner.socket_path(run)), "netd.sock"} <= set(sockets)
    assert set(sockets.values()) == {0o600}, sockets


def _evil_start(marker: str) -> bytes:
    """A spawner message as any local user could write one before: its pickle runs
    `touch marker` when a monitor loads it."""
    class Evil:
        def __reduce__(self):
            return os.system, (f"touch {marker}",)
    data, fds = handoff.pack([Evil()], [])
    assert fds == []
    return data


def _try(path: str, kind: int, payload: bytes) -> str:
    """Connect to `path`, send `payload`, read the answer: "refused" (EACCES at
    connect), "hung up" (the server closed with what we sent unread: ECONNRESET; or
    before we sent it: EPIPE), "eof" (closed after reading it) or "answered"."""
    s = socket.socket(socket.AF_UNIX, kind)
    s.settimeout(10)
    try:
        s.connect(path)
    except PermissionError:
        return "refused"
    try:
        s.send(payload)
        return "answered" if s.recv(65536) else "eof"
    except (ConnectionResetError, BrokenPipeError):
        return "hung up"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))
    finally:
        s.close()


def test_another_user_reaches_no_socket_and_is_hung_up_on_unread(old_root, bb, engine,
                                                                  tmp_path):
    root, run = str(engine.paths.root), str(engine.paths.run)
    cid = bb.ok("docker run -d busybox sleep 60").strip()
    marker = str(tmp_path / "ran-as-root")
    targets = {
        "spawner": (spawner.socket_path(run), socket.SOCK_SEQPACKET, _evil_start(marker)),
        "netd": (helper.socket_path(run), socket.SOCK_STREAM, b'{"op":"quit","args":{}}\n'),
        "attach": (os.path.join(run, cid[:12], "attach.sock"), socket.SOCK_STREAM,
                   protocol.json_frame(protocol.REQUEST, {"op": "kill", "signal": 9})),
    }

    def attempt():
        return {name: _try(*t) for name, t in targets.items()}

    # the folders keep everyone else out
    tried = as_nobody(attempt)
    assert not os.path.exists(marker)
    assert tried == dict.fromkeys(targets, "refused")
    # and should a folder be opened by mistake, each server hangs up on them before
    # it reads a byte of what they sent
    os.chmod(root, 0o711)
    os.chmod(run, 0o711)
    os.chmod(os.path.join(run, cid[:12]), 0o711)
    for path, _, _ in targets.values():
        os.chmod(path, 0o777)
    tried = as_nobody(attempt)
    assert not os.path.exists(marker)
    assert tried == dict.fromkeys(targets, "hung up")
    assert client.running(run)                                 # netd did not quit
    assert bb.ok(f"docker inspect -f '{{{{.State.Running}}}}' {cid}") == "true\n"
    assert bb.ok("docker run --rm busybox echo still mine") == "still mine\n"
    bb.ok(f"docker rm -f {cid}")


def _exec_result(path: str):
    """What `path id -u` (a busybox) prints when run (the euid it ran with), or why it could not
    run."""
    def attempt():
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.dup2(w, 1)
            try:
                os.execv(path, ["busybox", "id", "-u"])
            except OSError as e:
                os.write(1, errno.errorcode[e.errno].encode())
            os._exit(127)
        os.close(w)
        out = os.read(r, 100).decode()
        os.waitpid(pid, 0)
        return out
    return attempt


def test_a_setuid_file_a_container_leaves_is_out_of_other_users_reach(old_root, bb, engine):
    root = str(engine.paths.root)
    bb.ok("docker run --name suid busybox sh -c 'cp /bin/busybox /suid && chmod 4755 /suid'")
    cid = bb.ok("docker inspect -f '{{.Id}}' suid").strip()
    upper = os.path.join(root, "containers", cid, "upper", "suid")
    assert os.stat(upper).st_mode & stat.S_ISUID                # it is there, setuid root
    bb.ok("docker commit suid suid-image")
    [in_layer] = glob.glob(os.path.join(root, "layers", "*", "diff", "suid"))
    for path in (upper, in_layer):
        assert as_nobody(_exec_result(path)) == "EACCES", path


def test_a_containers_environment_is_for_the_owner_only(old_root, bb, engine):
    bb.ok("docker create --name db -e DB_PASSWORD=s3cret busybox")
    cid = bb.ok("docker inspect -f '{{.Id}}' db").strip()
    record = os.path.join(str(engine.paths.root), "containers", cid, "config.v2.json")
    bb.ok("docker rename db db2")                               # written again
    with open(record) as f:
        assert "s3cret" in f.read()
    assert mode(record) == 0o600

    def read():
        try:
            with open(record) as f:
                return f.read()
        except OSError as e:
            return errno.errorcode[e.errno]
    assert as_nobody(read) == "EACCES"


def test_an_old_open_root_is_closed_on_first_use(bb, engine, monkeypatch):
    from engine.engine import Engine
    from engine.paths import Paths
    root, run = str(engine.paths.root), str(engine.paths.run)
    cid = bb.ok("docker run -d busybox sleep 60").strip()
    d = os.path.join(root, "containers", cid)
    record = os.path.join(d, "config.v2.json")
    attach = os.path.join(run, cid[:12], "attach.sock")
    netd = helper.socket_path(run)
    # as an older dockerlings left it: 0755 all the way down, 0644 files, 0755 sockets
    for path in (root, run, os.path.join(root, "containers"), os.path.join(root, "layers"),
                 os.path.join(root, "image"), d, os.path.join(run, cid[:12])):
        os.chmod(path, 0o755)
    os.chmod(record, 0o644)
    for path in (attach, netd):
        os.chmod(path, 0o755)
    os.mkdir(os.path.join(root, "not-the-engines"), 0o755)   # the root may be any folder
    Engine(Paths.from_env())
    assert mode(os.path.join(root, "not-the-engines")) == 0o755
    assert mode(root) == 0o710
    for path in (run, os.path.join(root, "containers"), os.path.join(root, "layers"),
                 os.path.join(root, "image"), d, os.path.join(run, cid[:12])):
        assert mode(path) == 0o700, path
    assert mode(record) == 0o600
    assert mode(attach) == mode(netd) == 0o600
    # once closed, later uses cost no walk
    monkeypatch.setattr(Paths, "tighten", lambda self: pytest.fail("walked again"))
    Engine(Paths.from_env())
    assert bb.ok(f"docker rm -f {cid}") == f"{cid}\n"


def _as_program(*argv: str):
    """`dockerlings ARGV...` (shell.main.main, as the program runs it) with the output
    captured."""
    def run():
        import sys
        from shell import main
        rs = [os.pipe(), os.pipe()]
        for (_, w), fd in zip(rs, (1, 2)):
            os.dup2(w, fd)
            os.close(w)
        sys.stdout = open(1, "w", closefd=False)
        sys.stderr = open(2, "w", closefd=False)
        code = main.main(list(argv))
        sys.stdout.flush()
        sys.stderr.flush()
        os.close(1)
        os.close(2)
        return [code] + [os.read(r, 65536).decode() for r, _ in rs]
    return run


def test_another_user_is_told_whose_engine_it_is(bb, engine):
    import shell.cli.report  # noqa: F401   (the child cannot read this interpreter's
    import shell.engine_cmd  # noqa: F401    library: load what the error path needs)
    import shell.hints  # noqa: F401
    import shell.main  # noqa: F401
    import shell.map  # noqa: F401
    root = str(engine.paths.root)
    said = (f"permission denied while trying to connect to the engine at {root}: "
            "this engine belongs to root")
    code, out, err = as_nobody(_as_program("-c", "docker ps"))
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == said
    assert "sudo dockerlings" in err and "internal error" not in err
    code, out, err = as_nobody(_as_program("docker", "run", "--rm", "busybox", "true"))
    assert (code, out) == (126, "")                  # docker run's status for it
    assert err.startswith(f"docker: {said}\n\nRun 'docker run --help' for more information")
    for argv in (("map",), ("engine", "info")):
        code, out, err = as_nobody(_as_program(*argv))
        assert (code, out) == (1, ""), argv
        assert err.splitlines() == [f"dockerlings {' '.join(argv)}: {said}",
                                    "hint: only root may use it: run dockerlings as root "
                                    "(sudo dockerlings); without DOCKERLINGS_ROOT, "
                                    "dockerlings uses an engine of your own"]
    # a root that is not there yet, in a folder they cannot enter
    os.environ["DOCKERLINGS_ROOT"] = os.path.join(root, "containers", "new")
    try:
        code, out, err = as_nobody(_as_program("-c", "docker images"))
    finally:
        os.environ["DOCKERLINGS_ROOT"] = root
    assert (code, err.splitlines()[0]) == (1, said.replace(root, os.path.join(
        root, "containers", "new")))
