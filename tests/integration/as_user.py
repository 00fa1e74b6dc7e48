"""dockerlings as an ordinary user: the rootless tests' harness.

The tests run as root; this runs the real `dockerlings` program as the unprivileged user
`.ci/setup` makes (dockerlings-test, with subordinate ids of its own), from the package
installed as a learner would install it: the wheel built from this tree, in a virtualenv
of a Python that user may run (the project's .venv may live where the user cannot look,
under /root in CI). Each test gets a folder of that user's own under /tmp (0700): its
engine root, its HOME, XDG folders and working folder, so nothing is shared with root's
engines, the real user folders or another test.

After each test the user's engine is reset (as the user) and the test fails if anything
of it is left: a process, a namespace (as a process's own or held open), a mount, a host
interface or route, or a root-owned file in the user's folder. The engine's processes
are known by what they reference (the engine root in their arguments, environment or
open files) and by the namespaces they are in, so a test run of another session as the
same user at the same time is not mistaken for a leak.
"""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import Result
from tests.wheel import build_wheel, install

USER = "dockerlings-test"
PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"


def subordinate_range(name: str, path: str = "/etc/subuid") -> tuple[int, int] | None:
    """(first id, count) of the user's subordinate ids in /etc/subuid (or subgid)."""
    try:
        with open(path) as f:
            for line in f:
                parts = line.strip().split(":")
                if len(parts) == 3 and parts[0] == name:
                    return int(parts[1]), int(parts[2])
    except (OSError, ValueError):
        pass
    return None


def why_not() -> str | None:
    """Why the rootless tests cannot run here, or None when they can."""
    if os.geteuid() != 0:
        return "the tests switch to the test user, which needs root"
    try:
        pwd.getpwnam(USER)
    except KeyError:
        return f"no user {USER} (run .ci/setup as root to make it)"
    if subordinate_range(USER) is None or subordinate_range(USER, "/etc/subgid") is None:
        return f"{USER} has no subordinate ids in /etc/subuid and /etc/subgid (.ci/setup)"
    if user_python() is None:
        return (f"no Python with venv that {USER} may run "
                "(apt-get install python3-venv)")
    return None


def _as_user_kwargs() -> dict:
    pw = pwd.getpwnam(USER)
    return dict(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[], umask=0o022)


def user_python() -> str | None:
    """A Python 3.11+ with venv that the test user may run: the system's, else ours."""
    for candidate in ("/usr/bin/python3", os.path.realpath(sys.executable)):
        if not os.path.exists(candidate):
            continue
        r = subprocess.run([candidate, "-c", "import sys, venv, ensurepip; "
                            "sys.exit(sys.version_info < (3, 11))"],
                           capture_output=True, env={"PATH": PATH}, cwd="/",
                           **_as_user_kwargs())
        if r.returncode == 0:
            return candidate
    return None


class UserInstall:
    """dockerlings installed for the test user, once per test session: a folder under
    /tmp that everyone may read (pytest's own tmp folders are root's alone)."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="dlu-pkg-", dir="/tmp"))
        os.chmod(self.dir, 0o755)
        self.wheel = build_wheel(self.dir / "dist")
        self.program = install(self.wheel, self.dir / "venv", user_python())
        # the course as installed (lessons test PATH takes files)
        self.content = next((self.dir / "venv" / "lib").glob("python3*/site-packages/content"))

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class UserEngine:
    """The test user's dockerlings, on an engine root in a folder of the user's own."""

    def __init__(self, program: Path):
        pw = pwd.getpwnam(USER)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        self.program = str(program)
        # short: unix socket paths in the engine root must stay under 108 bytes
        self.dir = Path(tempfile.mkdtemp(prefix="dlu-", dir="/tmp"))
        self.home = self.dir / "home"
        self.root = str(self.dir / "e")
        self.runtime = self.dir / "xdg-run"
        self.cwd = self.dir / "work"
        for d in (self.home, self.runtime, self.cwd):
            d.mkdir(mode=0o700)
        for d in (self.dir, self.home, self.runtime, self.cwd):
            os.chown(d, self.uid, self.gid)
        self.environ = {
            "HOME": str(self.home), "USER": USER, "LOGNAME": USER, "PATH": PATH,
            "SHELL": "/bin/sh",     # its login shell is nologin (tmux runs commands with it)
            "LANG": "C.UTF-8", "TERM": "xterm-256color",
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "DOCKERLINGS_ROOT": self.root, "DOCKERLINGS_OFFLINE": "1"}

    def command(self, *args: str, stdin: bytes = b"", timeout: float = 60,
                env_extra: dict | None = None) -> Result:
        """`dockerlings ARGS...` as the user, in its working folder."""
        r = subprocess.run([self.program, *args], input=stdin, capture_output=True,
                           cwd=self.cwd, env=dict(self.environ, **(env_extra or {})),
                           timeout=timeout, **_as_user_kwargs())
        return Result(r.returncode, r.stdout.decode(errors="replace"),
                      r.stderr.decode(errors="replace"))

    def run(self, line: str, stdin: bytes = b"", timeout: float = 60) -> Result:
        return self.command("-c", line, stdin=stdin, timeout=timeout)

    def ok(self, line: str, stdin: bytes = b"") -> str:
        r = self.run(line, stdin)
        assert r.code == 0, f"{line!r} exited {r.code} as {USER}: {r.err}"
        return r.out

    def as_user(self, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
        """Any program as the user, with its environment (tmux, say)."""
        kwargs.setdefault("env", self.environ)
        kwargs.setdefault("cwd", self.cwd)
        return subprocess.run(argv, **_as_user_kwargs(), **kwargs)

    def reset(self) -> Result:
        return self.command("engine", "reset", timeout=120)

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


# --- what the user's engine leaves behind ---------------------------------------------

NS_KINDS = ("user", "mnt", "net", "pid", "ipc", "uts", "cgroup")


def _read(path: str, mode: str = "rb"):
    try:
        with open(path, mode) as f:
            return f.read()
    except OSError:
        return None


def _links(pid: str) -> list[str]:
    out = []
    for sub in ("cwd", "root"):
        try:
            out.append(os.readlink(f"/proc/{pid}/{sub}"))
        except OSError:
            pass
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                out.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
            except OSError:
                pass
    except OSError:
        pass
    return out


def _namespaces(pid: str) -> set[str]:
    """The namespaces a process is in and those it holds open ("net:[4026532...]")."""
    out = set()
    for kind in NS_KINDS:
        try:
            out.add(os.readlink(f"/proc/{pid}/ns/{kind}"))
        except OSError:
            pass
    out.update(l for l in _links(pid) if l.split(":", 1)[0] in NS_KINDS and ":[" in l)
    return out


def _processes() -> dict[str, dict]:
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or pid == str(os.getpid()):
            continue
        stat = _read(f"/proc/{pid}/stat", "r")
        if not stat or stat.rsplit(")", 1)[1].split()[0] == "Z":
            continue          # gone, or a zombie: it holds nothing
        out[pid] = {"ppid": stat.rsplit(")", 1)[1].split()[1],
                    "text": b"\0".join(x or b"" for x in (
                        _read(f"/proc/{pid}/cmdline"), _read(f"/proc/{pid}/environ"))),
                    "links": _links(pid), "ns": _namespaces(pid)}
    return out


def command_name(process: dict) -> str:
    return process["text"].split(b"\0", 1)[0].decode(errors="replace")


def host_namespaces() -> set[str]:
    """The namespaces of the tests themselves (the host's, as far as they can tell)."""
    return _namespaces(str(os.getpid()))


def engine_processes(root: str, known_ns: set[str] = frozenset()) -> dict[str, dict]:
    """Processes of the engine at `root`: those that name it (arguments, environment,
    open files, folders), their descendants, and any in or holding one of `known_ns`."""
    procs = _processes()
    key = root.encode()
    mine = {pid for pid, p in procs.items()
            if key in p["text"] or any(l.startswith(root) for l in p["links"])
            or p["ns"] & known_ns}
    grew = True
    while grew:
        children = {pid for pid, p in procs.items() if p["ppid"] in mine} - mine
        grew = bool(children)
        mine |= children
    return {pid: procs[pid] for pid in mine}


def engine_namespaces(root: str) -> set[str]:
    """The namespaces the engine's processes are in or hold, less the host's own."""
    out = set()
    for p in engine_processes(root).values():
        out |= p["ns"]
    return out - host_namespaces()


def mounts_of(root: str) -> list[str]:
    with open("/proc/self/mountinfo") as f:
        return sorted(" ".join(l.split()[3:5]) for l in f if root in l)


def root_owned(folder: Path) -> list[str]:
    """Files in the user's folder that belong to the host's root."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            try:
                if os.lstat(path).st_uid == 0:
                    out.append(path)
            except OSError:
                pass
    return out


def host_view() -> dict:
    """The host's interfaces and routes, which no engine may change."""
    from tests.integration.conftest import _interfaces, host_routes
    return {"interfaces": _interfaces(), "routes": host_routes()}


def leaks(eng: UserEngine, namespaces: set[str], before: dict) -> list[str]:
    """What the user's engine left: `namespaces` are those its processes had before
    the reset, `before` the host's view before the test."""
    out = []
    procs = engine_processes(eng.root, namespaces)
    if procs:
        out.append("processes of the user's engine still running: " + ", ".join(
            f"{pid} ({command_name(p)})" for pid, p in sorted(procs.items())))
        held = set().union(*(p["ns"] for p in procs.values())) & namespaces
        if held:
            out.append(f"namespaces of the user's engine still alive: {sorted(held)}")
    for key, now in host_view().items():
        new = sorted(set(now) - set(before[key]))
        if new:
            out.append(f"host {key} left behind: {new}")
    mounts = mounts_of(eng.root)
    if mounts:
        out.append(f"mounts left behind: {mounts}")
    owned = root_owned(eng.dir)
    if owned:
        out.append(f"files of root's in the user's folder: {owned[:5]}")
    return out
