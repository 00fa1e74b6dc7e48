"""From a container record to a running process: the specs the runtime needs.

This is the glue between the store (what the container is) and runtime/ (how Linux
makes it): it turns Config and HostConfig into namespace flags, a root file system
spec, a process spec, cgroup limits and stdio, then starts the first process.
"""
from __future__ import annotations

import os

from ..containers import links
from ..runtime import caps, cgroups, devices, init, rootfs, seccomp, syscalls as sc
from ..store.containers import Container

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
INIT_LAYER = "init-layer"


class Started:
    """A started container process: pid and pidfd, the pty master (or None), where the
    monitor writes stdin (-1: nowhere) and the fds it reads (fd -> "stdout"/"stderr")."""

    def __init__(self, pid: int, pidfd: int, master: int | None, stdin_fd: int,
                 outputs: dict[int, str]):
        self.pid, self.pidfd, self.master = pid, pidfd, master
        self.stdin_fd, self.outputs = stdin_fd, outputs
        self.dns_fd = -1          # the embedded DNS server's socket, to serve
        self.mnt_ns = -1          # its mount namespace, held (init._hold_mounts)
        self.plan = None          # network.endpoints.Plan: ports to proxy
        self.may_restart = True   # its restart policy is not "no"
        self.auto_remove = False  # --rm


def process_env(c: Container, linked: list[str] = ()) -> list[str]:
    """Docker's order: PATH, HOSTNAME, TERM (with -t), the legacy links' variables,
    then Config.Env, which replaces any of those it also sets."""
    env = [f"PATH={DEFAULT_PATH}", f"HOSTNAME={c.config.hostname}"]
    if c.config.tty:
        env.append("TERM=xterm")
    return merge_env(env + list(linked), c.config.env)


def merge_env(env: list[str], extra) -> list[str]:
    """`env` with each "K=V" of `extra` replacing the variable in place, or added at the
    end: how Docker layers environments (image, run -e, exec -e, commit -c ENV)."""
    env = list(env)
    index = {kv.partition("=")[0]: i for i, kv in enumerate(env)}
    for kv in extra:
        key = kv.partition("=")[0]
        if key in index:
            env[index[key]] = kv
        else:
            index[key] = len(env)
            env.append(kv)
    return env


INIT_TARGET = "/sbin/docker-init"      # where Docker puts its init (tini) in a container
INIT_CANDIDATES = ("/usr/bin/docker-init", "/usr/libexec/docker/docker-init",
                   "/usr/bin/tini-static", "/usr/local/bin/tini-static")


def command(c: Container) -> list[str]:
    """What the first process runs: with --init, the init first, as Docker runs it."""
    if c.host.init:
        return [INIT_TARGET, "--", c.path, *c.args]
    return [c.path, *c.args]


def init_binary() -> str:
    """The host's static init for --init (Docker's docker-init is tini; Debian ships it
    as tini-static). Static: it runs in any image, with or without a C library."""
    for path in INIT_CANDIDATES:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    from ..errors import Unavailable
    raise Unavailable('exec: "docker-init": executable file not found in $PATH',
                      hint="--init runs tini as the container's first process; install it "
                           "with: apt-get install tini")


def limits(c: Container) -> cgroups.Limits:
    h = c.host
    quota, period = h.cpu_quota, h.cpu_period
    if h.nano_cpus:
        period = 100000
        quota = h.nano_cpus * period // 1_000_000_000
    return cgroups.Limits(memory=h.memory, memory_swap=h.memory_swap, cpu_shares=h.cpu_shares,
                          cpu_quota=quota, cpu_period=period, pids=h.pids_limit or 0)


def device_rules(c: Container) -> tuple[tuple, devices.Policy]:
    """The nodes to make in the container (--device, and the host's for --privileged)
    and its device policy (--device's rules, then --device-cgroup-rule's), as Docker's
    WithDevices works them out at each start: a --device that names no device fails
    the start."""
    h = c.host
    nodes, rules = [], ()
    for d in h.devices:
        if h.privileged and d.path_on_host == d.path_in_container:
            continue             # all host devices are there already
        try:
            found = devices.mapped(d.path_on_host, d.path_in_container)
        except devices.DeviceError as e:
            raise init.LaunchError(str(e), 125, runtime=False) from None
        nodes += found
        rules += devices.allow(found, d.cgroup_permissions)
    if h.privileged:
        nodes = devices.host_nodes() + nodes
    else:
        try:
            rules += devices.cgroup_rules(h.device_cgroup_rules or ())
        except devices.DeviceError as e:
            raise init.LaunchError(str(e), 125, runtime=False) from None
    return tuple(map(tuple, nodes)), devices.policy(h.privileged, rules)


def rootfs_spec(engine, c: Container) -> rootfs.RootfsSpec:
    root = str(engine.paths.root)
    d = engine.paths.container(c.id)
    lowers = [INIT_LAYER] + [f"layers/{cid.split(':', 1)[1]}/diff" for cid in reversed(c.layers)]
    etc = [(str(d / "hostname"), "/etc/hostname"), (str(d / "hosts"), "/etc/hosts"),
           (str(d / "resolv.conf"), "/etc/resolv.conf")]
    return rootfs.RootfsSpec(
        base=root, lowers=lowers, upper=f"containers/{c.id}/upper",
        work=f"containers/{c.id}/work", merged=str(d / "merged"),
        readonly=c.host.readonly_rootfs, privileged=c.host.privileged, etc_files=etc,
        mounts=engine.mounts_for(c) + _init_mount(c), working_dir=c.config.working_dir or "/",
        # a proc of its own unless it shares the host's pids: --pid container:X is
        # born in X's namespace, and the host's /proc would show every process
        own_pid_ns=c.host.pid_mode != "host", volatile=c.host.auto_remove,
        own_net_ns=c.host.network_mode != "host" and
        not c.host.network_mode.startswith("container:"))


def _init_mount(c: Container) -> list:
    if not c.host.init:
        return []
    return [rootfs.BindMount(init_binary(), INIT_TARGET, True)]


def namespaces(engine, c: Container) -> tuple[int, list[str]]:
    flags = sc.CLONE_NEWNS | sc.CLONE_NEWUTS | sc.CLONE_NEWIPC
    if c.host.pid_mode == "":
        flags |= sc.CLONE_NEWPID
    mode = c.host.network_mode
    if mode.startswith("container:"):
        return flags, [_other_netns(engine, mode.split(":", 1)[1])]
    if mode != "host":
        flags |= sc.CLONE_NEWNET
    return flags, []


def security(c: Container) -> dict:
    """ProcessSpec's seccomp profile and no-new-privileges, from --security-opt and
    --privileged (checked at create)."""
    return {"seccomp": seccomp.profile_for(c.host.security_opt, c.host.privileged),
            "no_new_privs": seccomp.options(c.host.security_opt)[1]}


def _other_netns(engine, ref: str) -> str:
    other = engine.container(ref)
    if not other.state.running:
        raise init.LaunchError("cannot join network namespace of a non running container: "
                               f"container {other.name} is {other.state.status}", 125,
                               runtime=False)
    return f"/proc/{other.state.pid}/ns/net"


def _stdio(c: Container) -> tuple[tuple[int, int, int], Started, list[int]]:
    """Pipes for a container without a terminal; child ends, monitor ends."""
    outputs: dict[int, str] = {}
    child_fds: list[int] = []
    if c.config.open_stdin:
        stdin_r, stdin_w = os.pipe2(os.O_CLOEXEC)
        child_fds.append(stdin_r)
    else:
        stdin_r, stdin_w = os.open("/dev/null", os.O_RDONLY | os.O_CLOEXEC), -1
        child_fds.append(stdin_r)
    out_r, out_w = os.pipe2(os.O_CLOEXEC)
    err_r, err_w = os.pipe2(os.O_CLOEXEC)
    outputs[out_r], outputs[err_r] = "stdout", "stderr"
    child_fds += [out_w, err_w]
    return (stdin_r, out_w, err_w), Started(0, -1, None, stdin_w, outputs), child_fds


def _plan(engine, c: Container):
    """Addresses, ports, /etc/hosts: a port in use fails here, before the process runs."""
    from ..network import endpoints
    try:
        return endpoints.prepare(engine, c)
    except endpoints.PortError as e:
        first = next(iter(c.networks.values()), {})
        # Docker 28 wraps libnetwork's words in its own (daemon/start_linux.go)
        raise init.LaunchError(
            "failed to set up container networking: "
            f"driver failed programming external connectivity on endpoint {c.name} "
            f"({first.get('EndpointID', c.id)[:64]}): {e}", 125, runtime=False) from None


class Prepared:
    """All a start needs before the clone: namespaces, the cgroup (made), the process
    and root file system specs, the stdio pipes, the addresses and published ports
    (`plan`). `docker run` prepares in its own process and hands this to a monitor
    (spawner.py): there the memory is warm, where a freshly forked monitor pays a page
    copy for every object it touches."""

    def __init__(self, c: Container, flags: int, join: list[str], cg, lim, proc, spec,
                 started: Started, child_fds: list[int], pid_ns_fd: int | None):
        self.c, self.flags, self.join, self.cg, self.lim = c, flags, join, cg, lim
        self.proc, self.spec, self.started, self.child_fds = proc, spec, started, child_fds
        self.pid_ns_fd = pid_ns_fd
        self.cg_fd = cg.clone_fd()
        self.plan = None
        self.root = self.run = ""

    def _fds(self, keep_monitor_ends: bool) -> list[int]:
        fds = self.child_fds + [self.cg_fd, self.pid_ns_fd, self.spec.root_fd]
        if not keep_monitor_ends:
            fds += list(self.started.outputs) + [self.started.stdin_fd]
        return [fd for fd in fds if fd is not None and fd >= 0]

    def for_clone(self) -> tuple:
        """All the clone and the "go" need, and no more (no sockets: they travel with
        the rest): a monitor given this clones the container's process and lets it go
        before it unpacks the rest (spawner.py)."""
        return (self.spec, self.proc, self.flags, self.join, self.pid_ns_fd, self.cg_fd,
                self.for_go())

    def for_go(self) -> tuple:
        """_before_go()'s arguments."""
        plan = self.plan
        return (self.cg_fd, self.cg, self.lim, self.run, plan.endpoints,
                plan.interfaces if self.spec.own_net_ns else None, plan.dns, plan.uplink)

    def fds(self) -> list[int]:
        """Every fd, to hand to the monitor (its sockets travel by themselves)."""
        return self._fds(keep_monitor_ends=False)

    def close(self) -> None:
        """Close every fd (in the starter, once the monitor has its copies)."""
        for fd in self.fds():
            os.close(fd)
        if self.plan is not None:
            self.plan.close()

    def abandon(self, closed: bool = False) -> None:
        """The start failed: close everything (unless `closed` already), remove the
        cgroup, give the addresses back."""
        if not closed:
            self.close()
        self.cg.destroy()
        if self.plan is not None:
            from ..network import endpoints
            endpoints.release(self.root, self.c.id)

    def started_ok(self) -> None:
        """The child has its copies: keep only the monitor's ends."""
        for fd in self._fds(keep_monitor_ends=True):
            os.close(fd)


def prepare(engine, c: Container, pid_ns_fd: int | None = None) -> Prepared:
    """Everything before the clone (Prepared); it owns `pid_ns_fd` from here on."""
    try:
        prep = _prepared(engine, c, pid_ns_fd)
    except BaseException:
        if pid_ns_fd is not None:
            os.close(pid_ns_fd)
        raise
    try:
        prep.plan, prep.root = _plan(engine, c), str(engine.paths.root)
        prep.run = str(engine.paths.run)
    except BaseException:
        prep.abandon()
        raise
    return prep


def terminal_size(console_size) -> tuple[int, int]:
    """A pty's first size: the client's terminal's (HostConfig.ConsoleSize, sent with the
    create), else 24x80, as a terminal nobody sized."""
    rows, cols = console_size or (0, 0)
    return (rows, cols) if rows and cols else (24, 80)


def _prepared(engine, c: Container, pid_ns_fd: int | None) -> Prepared:
    caps.last_cap()            # known before the child's /proc changes
    caps.all_mask()
    rootfs.overlay_extras()    # and not read again in every child
    flags, join = namespaces(engine, c)
    linked = links.environment(engine, c) if c.host.links else ()
    cg = cgroups.Cgroup(c.id, engine.cgroup_scope)
    lim = limits(c)
    proc = init.ProcessSpec(argv=command(c), env=process_env(c, linked), user=c.config.user,
                            cwd=c.config.working_dir or "/", tty=c.config.tty,
                            privileged=c.host.privileged, hostname=c.config.hostname,
                            winsize=terminal_size(c.host.console_size),
                            caps=caps.effective_set(c.host.privileged, c.host.cap_add,
                                                    c.host.cap_drop),
                            **security(c))
    nodes, policy = device_rules(c)
    spec = rootfs_spec(engine, c)._replace(devices=nodes)
    if c.config.tty:
        started, child_fds = Started(0, -1, None, -1, {}), []
    else:
        proc.stdio, started, child_fds = _stdio(c)
    try:
        cg.create(lim, policy)
        spec = spec._replace(root_fd=rootfs.open_root(spec))
        return Prepared(c, flags, join, cg, lim, proc, spec, started, child_fds, pid_ns_fd)
    except BaseException as e:
        for fd in child_fds + list(started.outputs) + [started.stdin_fd, spec.root_fd]:
            if fd >= 0:
                os.close(fd)
        cg.destroy()
        if isinstance(e, devices.DeviceError):     # the kernel refused the rules
            raise init.LaunchError("error setting cgroup config for procHooks process: "
                                   f"{e}", 125) from None
        raise


def clone(prep: Prepared) -> init.Child:
    """The container's first process, cloned as soon as its monitor exists: it builds
    its root file system while the monitor settles in and plans its networks."""
    return clone_with(prep.for_clone())


def clone_with(what: tuple) -> init.Child:
    """clone(), from Prepared.for_clone()."""
    spec, proc, flags, join, pid_ns_fd, cg_fd, _ = what
    if pid_ns_fd is None:
        return init.clone(spec, proc, flags, join, cgroup_fd=cg_fd)
    # the child is born in that pid namespace; this process's later children (a
    # monitor serves more than one container) must not be
    home = os.open("/proc/thread-self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    try:
        sc.setns(pid_ns_fd, sc.CLONE_NEWPID)
        try:
            return init.clone(spec, proc, flags, join, cgroup_fd=cg_fd)
        finally:
            sc.setns(home, sc.CLONE_NEWPID)
    finally:
        os.close(home)


def go_early(child: init.Child, what: tuple) -> None:
    """Let a child just cloned go at once, from Prepared.for_clone(): its cgroups and
    veth pairs are made while it builds its root file system, and it need not wait for
    the monitor's bookkeeping. A failure is kept for start() to report."""
    try:
        child.go(_before_go(*what[-1]))
    except Exception:
        pass


def _before_go(cg_fd, cg, lim, run: str, endpoints_: list, interfaces: list | None,
               dns: bool, uplink: dict | None):
    """What is done for a cloned child before it may exec: its cgroups (when it was
    not born in them all), veth pairs, and, in a network namespace of its own
    (`interfaces` not None), loopback, addresses, routes and the DNS socket."""
    need_adopt = cg_fd is None or bool(lim.controllers()) or cg.v1_devices

    def before_go(pid: int) -> dict[str, int]:
        if need_adopt:
            cg.adopt(pid, cloned_into=cg_fd is not None)
        from ..network import endpoints
        endpoints.plug(run, endpoints_, pid, uplink)
        if interfaces is None:
            return {}
        from ..runtime import netconf
        try:
            dns_fd = netconf.setup(pid, interfaces, dns)
        except OSError as e:
            from ..errors import System
            raise System(f"network setup failed: {e}") from None
        return {"D": dns_fd} if dns_fd >= 0 else {}
    return before_go


def start(engine, c: Container, prep: Prepared, while_starting=None,
          child: init.Child | None = None) -> Started:
    """See the container's first process (cloned already, or now) through to its exec:
    while it builds its root file system, give it its cgroups and networks."""
    started, plan = prep.started, prep.plan
    before_go = _before_go(*prep.for_go())
    try:
        pid, pidfd, handed = init.start(
            child or clone(prep), before_go,
            while_starting=(lambda p: while_starting(p, plan)) if while_starting else None)
    except BaseException:
        prep.abandon()
        raise
    prep.started_ok()
    started.pid, started.pidfd, started.plan = pid, pidfd, plan
    # not only a policy set now: `docker update --restart` may give it one while it
    # runs, so the monitor reads the record's at each exit
    started.may_restart = not c.host.auto_remove
    started.auto_remove = c.host.auto_remove
    started.dns_fd = handed.get("D", -1)
    started.mnt_ns = handed.get("M", -1)
    if "P" in handed:
        started.master = handed["P"]
        started.outputs = {started.master: "stdout"}
    return started
