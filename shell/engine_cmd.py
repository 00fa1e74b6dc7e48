"""`dockerlings engine info | fsck | reset | serve | shell`."""
from __future__ import annotations

import os
import platform

from engine.errors import EngineError

USAGE = "Usage:  dockerlings engine info|fsck|reset|serve|shell [COMMAND...]"


def run(env, argv: list[str]) -> int:
    if not argv or argv[0] not in ("info", "fsck", "reset", "serve", "shell"):
        env.err(USAGE)
        return 2
    if argv[0] == "shell":
        return shell(env, argv[1:])
    if argv[0] == "serve":                  # the Engine API: shell/api/serve.py
        from .api import serve
        return serve.run(env, argv[1:])
    try:
        return {"info": info, "fsck": fsck, "reset": reset}[argv[0]](env)
    except EngineError as e:
        from .main import report_engine_error
        report_engine_error(env, f"dockerlings engine {argv[0]}", e)
        return 1


def _features(eng) -> list[tuple[str, bool, str]]:
    """(feature, works, why) for everything containers need."""
    from engine.images import offline
    from engine.runtime import cgroups, syscalls
    out = []
    out.append(_mode())
    with open("/proc/filesystems") as f:
        fs = f.read()
    out.append(("overlayfs", "overlay" in fs,
                "" if "overlay" in fs else "the kernel has no overlay file system "
                "(modprobe overlay)"))
    try:
        busybox = offline.find_busybox()
        out.append(("busybox image (offline)", True, f"made from {busybox}"))
    except EngineError as e:
        out.append(("busybox image (offline)", False, f"{e} ({e.hint})"))
    lay = cgroups.layout()
    if lay.undelegated:
        out += _no_cgroups(lay)
    else:
        out += _cgroups(lay)
    from engine.runtime import seccomp
    out.append(("seccomp filter (Docker's default profile, builtin)", seccomp.supported(),
                "" if seccomp.supported() else
                f"no seccomp in this kernel, or no syscall table for {platform.machine()}: "
                "containers run unconfined, as Docker runs them there"))
    for name, flag in (("pid namespace", syscalls.CLONE_NEWPID),
                       ("network namespace", syscalls.CLONE_NEWNET),
                       ("mount namespace", syscalls.CLONE_NEWNS)):
        ok, why = _try_namespace(flag)
        out.append((name, ok, why))
    return out


def _cgroups(lay) -> list[tuple[str, bool, str]]:
    out = []
    missing = lay.missing()
    out.append((f"cgroups: {lay.name}", not missing,
                "" if not missing else "missing controllers: " + ", ".join(missing) +
                " (limits on those will fail)"))
    out.append(("cgroup v2 tree (pause, kill, fast start)", lay.v2 is not None,
                "" if lay.v2 else "no cgroup2 mount: the v1 freezer tracks containers"))
    out.append(("device rules", lay.devices is not None,
                {"bpf": "an eBPF program on each container's cgroup (v2 tree)",
                 "v1": "the v1 devices controller"}.get(
                     lay.devices, "no cgroup v2 tree and no v1 devices controller: "
                     "containers may open any device node they make")))
    return out


def _no_cgroups(lay) -> list[tuple[str, bool, str]]:
    """A rootless engine with no cgroup of its own (runtime/cgroups.py)."""
    why = ("cgroup v1 cannot be handed to a user" if not lay.unified else
           "dockerlings does not use systemd's cgroup delegation (yet)")
    return [("cgroups: none (rootless)", False,
             f"{why}: containers run without limits; --memory and --pids-limit are "
             "dropped with Docker's warning, --cpus and pause refused, as rootless Docker "
             "does without cgroups (as root, limits work)"),
            ("device rules", True, "the user namespace: a container opens only the devices "
             "you may open yourself")]


def _mode() -> tuple[str, bool, str]:
    """Root, or an ordinary user's engine in its user namespace (runtime/userns.py)."""
    from engine.runtime import userns
    if not userns.rootless():
        return "mode: root", True, ""
    if userns.failure():
        return "mode: rootless (a user namespace of its own)", False, userns.failure()
    user = userns.user_name(userns.host_uid())
    if userns.single_id():
        return ("mode: rootless (a user namespace of its own)", True,
                userns.NOTE_SINGLE_ID.format(user=user))
    return ("mode: rootless (a user namespace of its own)", True,
            f"root in containers is {user}; their other users are {user}'s subordinate ids")


def _try_namespace(flag: int) -> tuple[bool, str]:
    from engine.runtime import syscalls
    try:
        pid, pidfd = syscalls.clone(flag)
    except OSError as e:
        return False, e.strerror or str(e)
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    os.close(pidfd)
    return True, ""


def describe(eng) -> list[str]:
    return [f"{'ok ' if ok else 'NO '} {name}" + (f": {why}" if why else "")
            for name, ok, why in _features(eng)]


def info(env) -> int:
    from engine.runtime import userns
    eng = None if userns.failure() else env.engine     # what is missing, said below
    paths = eng.paths if eng else env.engine_paths
    env.out(f"Engine root:   {paths.root}")
    env.out(f"Runtime files: {paths.run}")
    env.out(f"Kernel:        {platform.release()} ({platform.machine()})")
    from engine.network import uplink
    env.out(f"Uplink:        {uplink.describe(str(paths.run), env.environ)}")
    env.out("Features:")
    features = _features(eng)
    for line in describe(eng):
        env.out("  " + line)
    from . import needs
    for line in needs.report(needs.missing(env.environ)):
        env.out(line)
    return 0 if all(ok for _, ok, _ in features) else 1


def fsck(env) -> int:
    from engine.system import fsck as checker
    report = checker.check(env.engine)
    for line in report.cleaned:
        env.out(f"cleaned: {line}")
    for line in report.problems:
        env.out(f"problem: {line}")
    if report.ok:
        env.out("The store is consistent.")
        return 0
    env.out(f"{len(report.problems)} problem(s) found.")
    return 1


def reset(env) -> int:
    from .api import serve
    if serve.stop(env.engine):
        env.out("stopped the Engine API server")
    removed = env.engine.reset()
    for what in removed:
        env.out(f"removed {what}")
    env.out("The engine is empty again.")
    return 0


SHELL_NOTE = ("You are in the engine's network namespace, dockerlings' \"Docker VM\": ip link, "
              "bridge link, ip route and nft list ruleset show its real bridges, veths, "
              "routes and rules. The files and processes are still the host's. exit to "
              "leave.")


def shell(env, argv: list[str]) -> int:
    """A host shell (or COMMAND) inside the engine's network namespace, where the
    bridges and veths live, as a learner would look around Docker's VM."""
    from engine.network import client, netns
    from engine.runtime import syscalls as sc
    run = str(env.engine.paths.run)
    try:
        client.ensure(run)
        fd = netns.open_ns(netns.pin_path(run))
    except (EngineError, OSError) as e:
        env.err(f"dockerlings engine shell: {e}")
        return 1
    command = argv or [os.environ.get("SHELL") or "/bin/sh"]
    if not argv:
        env.err(SHELL_NOTE)
    pid = os.fork()
    if pid == 0:
        try:
            sc.setns(fd, sc.CLONE_NEWNET)
            os.environ["PS1"] = "(engine) \\w # "
            os.execvp(command[0], command)
        except OSError as e:
            os.write(2, f"dockerlings engine shell: {command[0]}: {e.strerror}\n".encode())
        os._exit(127)
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else \
        128 + os.WTERMSIG(status)
