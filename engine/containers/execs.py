"""`docker exec`: a new process inside a running container.

The calling process forks a helper that enters the container's namespaces (setns) and
clones the command into its pid namespace and cgroup; the helper waits for it and exits
with its status, so the caller sees the command's exit code as a child's. With -d the
helper leaves at once and the container's first process inherits the command, as in
Docker. A terminal (-t) is opened inside the container's own /dev/pts.
"""
from __future__ import annotations

import os
import signal
import socket

from ..supervisor import launch
from ..errors import Conflict, ContainerNotRunning, StartFailed
from ..runtime import caps, cgroups, init, syscalls as sc
from ..store.containers import Container

NAMESPACES = ("ipc", "uts", "net", "pid", "mnt")   # mnt last: it changes what /proc is


class ExecProcess:
    """pid: the helper, whose exit status is the command's; master: the pty with -t;
    stdin: -1 when stdin is not attached."""

    def __init__(self, pid: int, master: int | None, stdin: int, stdout: int, stderr: int):
        self.pid, self.master = pid, master
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.on_exit = None       # called with the exit code (the exec_die event)

    def wait(self) -> int:
        _, status = os.waitpid(self.pid, 0)
        code = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else \
            os.WEXITSTATUS(status)
        if self.on_exit is not None:
            self.on_exit(code)
        return code


def exec_error(message: str) -> str:
    return ("OCI runtime exec failed: exec failed: unable to start container process: "
            f"{message}: unknown")


def start(engine, c: Container, argv: list[str], *, env: list[str] = (), user: str | None = None,
          workdir: str | None = None, tty: bool = False, interactive: bool = False,
          detach: bool = False, privileged: bool = False, name: str | None = None,
          console_size: tuple[int, int] = (0, 0)) -> ExecProcess:
    """`name` is the container as the user typed it (Docker's messages use it);
    console_size: the client's terminal (rows, cols), the pty's first size."""
    if c.state.status == "restarting":
        raise Conflict(f"Container {c.id} is restarting, wait until the container is running")
    if not c.state.running:
        raise ContainerNotRunning(f"container {c.id} is not running")
    if c.state.status == "paused":
        raise Conflict(f"Container {name or c.id} is paused, unpause the container before exec")
    proc = init.ProcessSpec(argv=list(argv), env=_env(engine, c, env),
                            user=c.config.user if user is None else user,
                            cwd=workdir or c.config.working_dir or "/", tty=tty,
                            privileged=privileged or c.host.privileged,
                            winsize=launch.terminal_size(console_size),
                            caps=caps.effective_set(privileged or c.host.privileged,
                                                    c.host.cap_add, c.host.cap_drop),
                            # the container's filter, as runc's exec takes it from the
                            # container's spec: for its capabilities, even with --privileged
                            seccomp_caps=caps.effective_set(c.host.privileged, c.host.cap_add,
                                                            c.host.cap_drop),
                            **launch.security(c))
    proc.filter()      # compiled here, before the forks
    ns_fds = [os.open(f"/proc/{c.state.pid}/ns/{ns}", os.O_RDONLY | os.O_CLOEXEC)
              for ns in NAMESPACES]
    cg = cgroups.Cgroup(c.id, engine.cgroup_scope)
    cg_fd = cg.clone_fd()
    # opened here: the helper joins the container's mount namespace, which has no
    # /sys/fs/cgroup to find the groups in
    join = cg.procs_fds(cloned_into=cg_fd is not None)
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    ours, child_fds = _stdio(proc, interactive, detach)
    pid = os.fork()
    if pid == 0:
        for fd in ours:         # our ends: the command's stdin must see EOF when we close
            if fd >= 0:         # ours, not wait for this helper's copy
                os.close(fd)
        _helper(proc, ns_fds, join, cg_fd, theirs, detach)   # never returns
    for fd in ns_fds + child_fds + join + ([cg_fd] if cg_fd is not None else []):
        os.close(fd)
    theirs.close()
    try:
        master = _await_start(mine)
    except init.LaunchError as e:
        os.waitpid(pid, 0)
        for fd in ours:
            if fd >= 0:
                os.close(fd)
        raise StartFailed(exec_error(e.message), e.exit_code) from None
    finally:
        mine.close()
    if detach:
        os.waitpid(pid, 0)
    process = ExecProcess(pid, master, *ours)
    _events(engine, c, argv, process)
    return process


def _events(engine, c: Container, argv: list[str], process: ExecProcess) -> None:
    """Docker's exec_create and exec_start now, exec_die when it is waited for."""
    from ..system import events
    exec_id, command = os.urandom(32).hex(), " ".join(argv)
    for action in ("exec_create", "exec_start"):
        events.of_container(engine.paths.root, f"{action}: {command}", c, execID=exec_id)
    process.on_exit = lambda code: events.of_container(
        engine.paths.root, "exec_die", c, execID=exec_id, exitCode=str(code))


def _env(engine, c: Container, extra) -> list[str]:
    """The container's environment (its legacy links' too, as Docker's exec gives)."""
    linked = []
    if c.host.links:
        from . import links
        try:
            linked = links.environment(engine, c)
        except init.LaunchError as e:     # a child stopped since: the daemon's error
            from ..errors import System
            raise System(e.message) from None
    return launch.merge_env(launch.process_env(c, linked), extra)


def _stdio(proc: init.ProcessSpec, interactive: bool, detach: bool):
    """(our stdin, stdout, stderr fds), fds the command gets (closed here after fork)."""
    if proc.tty:
        return (-1, -1, -1), []
    devnull_r = os.open("/dev/null", os.O_RDONLY | os.O_CLOEXEC)
    if detach:
        devnull_w = os.open("/dev/null", os.O_WRONLY | os.O_CLOEXEC)
        proc.stdio = (devnull_r, devnull_w, devnull_w)
        return (-1, -1, -1), [devnull_r, devnull_w]
    out_r, out_w = os.pipe2(os.O_CLOEXEC)
    err_r, err_w = os.pipe2(os.O_CLOEXEC)
    if interactive:
        in_r, in_w = os.pipe2(os.O_CLOEXEC)
        os.close(devnull_r)
    else:
        in_r, in_w = devnull_r, -1
    proc.stdio = (in_r, out_w, err_w)
    return (in_w, out_r, err_r), [in_r, out_w, err_w]


def _await_start(sock: socket.socket) -> int | None:
    master = None
    while True:
        msg, fds, _, _ = socket.recv_fds(sock, 4096, 1)
        if not msg:
            return master
        if msg.startswith(b"P") and fds:
            master = fds[0]
            continue
        code, _, text = msg[1:].decode(errors="replace").partition(":")
        if master is not None:
            os.close(master)
        raise init.LaunchError(text, int(code))


def _helper(proc, ns_fds, join: list[int], cg_fd, sock, detach: bool) -> None:
    code = 1
    try:
        if detach:
            os.setsid()
        for fd in ns_fds:
            sc.setns(fd, 0)
        if detach:
            _detached(proc, join, cg_fd, sock)
        pid = _start_command(proc, join, cg_fd, sock)
        sock.close()
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _, status = os.waitpid(pid, 0)
        code = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    except BaseException as e:
        init.report_error(sock, 126, f"{type(e).__name__}: {e}")
    os._exit(code)


def _detached(proc, join: list[int], cg_fd, sock) -> None:
    """exec -d: start the command from a middle process inside the container's pid
    namespace, which leaves at once: the orphan goes to the container's init, as a
    process started inside the container would, and dies with the container."""
    middle, middle_fd = sc.clone(0)
    if middle == 0:
        _start_command(proc, join, cg_fd, sock)
        os._exit(0)
    sock.close()
    os.waitpid(middle, 0)
    os._exit(0)


def _start_command(proc, join: list[int], cg_fd, sock) -> int:
    """Clone the command into the container's cgroups. The groups it cannot be born in
    (v1: `join`, their cgroup.procs files) it joins before it runs anything of its own:
    a device rule or a limit holds from its first instruction. Returns its pid."""
    hold, release = os.pipe2(os.O_CLOEXEC)
    pid, _ = sc.clone(0, cg_fd)
    if pid == 0:
        os.close(release)
        os.read(hold, 1)                # until the parent closes its end
        os.close(hold)
        _command(proc, sock)            # never returns
    os.close(hold)
    try:
        cgroups.join(join, pid)
    except OSError:                     # the container is going: so does the command
        os.kill(pid, signal.SIGKILL)
    finally:
        os.close(release)
    return pid


def _command(proc: init.ProcessSpec, sock: socket.socket) -> None:
    code = 126
    try:
        for sig in init._RESET_SIGNALS:
            signal.signal(sig, signal.SIG_DFL)
        init.setup_stdio(proc, sock, console=False)
        program = proc.filter()
        init.confine(proc, program, early=True)
        init.become(proc)
        code = 127
        path = init.look_path(proc.argv[0], init.env_path(proc.env))
        code = 126
        init.close_fds(sock.fileno(), [])
        init.confine(proc, program, early=False)
        os.execve(path, proc.argv, init.env_dict(proc.env))
    except init.LaunchError as e:
        init.report_error(sock, e.exit_code, e.message)
    except OSError as e:
        init.report_error(sock, 127 if code == 127 else 126, init.exec_message(proc.argv[0], e))
    except BaseException as e:
        init.report_error(sock, 126, f"{type(e).__name__}: {e}")
    os._exit(code)
