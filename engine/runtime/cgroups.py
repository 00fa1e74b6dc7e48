"""Control groups for containers, on whatever the host has: cgroup v2 (unified), v1, or
the hybrid of both (v1 controllers plus a controller-less v2 tree, as on this machine).

Each container gets `dockerlings/<id>`:
- a *tracking* group in the v2 tree whenever there is one. It lists the container's
  processes, freezes them (pause) and kills them all at once. The first process is
  cloned straight into it (CLONE_INTO_CGROUP): moving a process into a cgroup
  afterwards costs an RCU grace period (~9 ms here), being born there costs nothing.
- *limit* groups for memory, cpu and pids: in the same v2 group when the controllers live
  there; on v1 only the hierarchies a limit was asked for.
Without any v2 tree, the v1 freezer does the tracking.

Device rules (devices.py) go where the container's processes are born: as an eBPF
program on the tracking group whenever there is a v2 tree (device programs work there
even when the controllers live in v1, and a group joined late would cost that RCU grace
period); only without one, in a v1 devices group.
"""
from __future__ import annotations

import errno
import os
import time
from collections import namedtuple

_j = os.path.join

PARENT = "dockerlings"


def scope_for(root) -> str:
    """The cgroup folder of one engine root: engines with different roots (every test
    has its own) never see or touch each other's cgroups."""
    import zlib       # not hashlib: loading OpenSSL costs more than the rest of a start
    path = os.fspath(root).encode()
    return f"root-{zlib.crc32(path):08x}{len(path) % 256:02x}"
LIMIT_CONTROLLERS = ("memory", "cpu", "pids")


class Limits(namedtuple("Limits", "memory memory_swap cpu_shares cpu_quota cpu_period pids",
                        defaults=(0, 0, 0, 0, 0, 0))):
    """memory in bytes; memory_swap as Docker's MemorySwap (0: twice memory, -1:
    unlimited); cpu_quota/period in microseconds; 0 means no limit everywhere.
    (A namedtuple, not a dataclass: this module is used by the slim monitor.)"""

    __slots__ = ()

    def controllers(self) -> list[str]:
        out = []
        if self.memory:
            out.append("memory")
        if self.cpu_shares or self.cpu_quota:
            out.append("cpu")
        if self.pids:
            out.append("pids")
        return out


def _write(path: str, value) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, str(value).encode())
    finally:
        os.close(fd)


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


class Layout:
    """What the host offers, read once from /proc/self/mountinfo."""

    def __init__(self, mountinfo: str = "/proc/self/mountinfo", rootless: bool | None = None):
        self.v2: str | None = None
        self.v1: dict[str, str] = {}
        with open(mountinfo) as f:
            for line in f:
                pre, _, post = line.partition(" - ")
                fstype, _, opts = post.split()[:3]
                point = pre.split()[4]
                if fstype == "cgroup2" and self.v2 is None:
                    self.v2 = point
                elif fstype == "cgroup":
                    for opt in opts.split(","):
                        self.v1.setdefault(opt, point)
        self.unified = bool(self.v2) and not self.v1      # what the host boots with
        if rootless is None:
            from . import userns
            rootless = userns.rootless()
        self.rootless = rootless
        if rootless:
            # An ordinary user's engine puts containers in no cgroup (yet): v1 cannot be
            # handed to a user safely, and using v2's delegation (systemd's Delegate=)
            # needs the engine's own processes to live in the delegated subtree first
            # (the kernel moves a process only within a cgroup its mover may write).
            # Containers run without limits then, as rootless Docker's without cgroups.
            self.v2, self.v1 = None, {}
        have = set(_read(_j(self.v2, "cgroup.controllers")).split()) if self.v2 else set()
        # controllers that v2 holds (pure v2), the rest come from v1 (hybrid)
        self.v2_controllers = {c for c in LIMIT_CONTROLLERS if c in have}
        # where device rules go: "bpf" (the v2 tracking group), "v1" or nowhere
        self.devices = "bpf" if self.v2 else ("v1" if "devices" in self.v1 else None)

    @property
    def none(self) -> bool:
        """No cgroup at all to put containers in (the rootless engine's case)."""
        return self.v2 is None and "freezer" not in self.v1

    @property
    def undelegated(self) -> bool:
        """A rootless engine without cgroups: rootless Docker's "none" cgroup driver,
        whose limits are dropped with a warning."""
        return self.rootless and self.none

    @property
    def name(self) -> str:
        if self.none:
            return "none (rootless: containers get no cgroup)" if self.rootless \
                else "none"
        if self.v2 and not self.v1:
            return "v2 (unified)"
        if self.v2:
            return f"hybrid: v1 controllers ({', '.join(sorted(k for k in self.v1 if k in ('memory', 'cpu', 'pids', 'freezer')))}) + v2 tree at {self.v2}"
        return "v1 (" + ", ".join(sorted(self.v1)) + ")"

    def controller_home(self, controller: str) -> str | None:
        if controller in self.v2_controllers:
            return "v2"
        if controller in self.v1:
            return "v1"
        return None

    def missing(self) -> list[str]:
        return [c for c in LIMIT_CONTROLLERS if self.controller_home(c) is None]


_layout: Layout | None = None


def layout() -> Layout:
    global _layout
    if _layout is None:
        _layout = Layout()
    return _layout


class Cgroup:
    """The cgroup(s) of one container: dockerlings/<engine root scope>/<id>."""

    def __init__(self, cid: str, scope: str):
        self.cid = cid
        self.scope = scope
        self.layout = layout()
        self.v1_devices = False      # create() made a v1 devices group: join it too

    # --- paths -------------------------------------------------------------------
    @property
    def track_dir(self) -> str | None:
        """The group that holds all the container's processes; None without cgroups
        (rootless): its pid namespace holds them then."""
        if self.layout.none:
            return None
        if self.layout.v2:
            return _j(self.layout.v2, PARENT, self.scope, self.cid)
        return _j(self.layout.v1["freezer"], PARENT, self.scope, self.cid)

    def _v1_dir(self, controller: str) -> str | None:
        base = self.layout.v1.get(controller)
        return _j(base, PARENT, self.scope, self.cid) if base else None

    def _limit_dirs(self) -> list[str]:
        """Every v1 limit group that exists for this container."""
        out = []
        for c in LIMIT_CONTROLLERS:
            if self.layout.controller_home(c) == "v1":
                d = self._v1_dir(c)
                if d and os.path.isdir(d) and d not in out:
                    out.append(d)
        d = self._v1_dir("devices")
        if d and os.path.isdir(d) and d not in out:
            out.append(d)
        return out

    def all_dirs(self) -> list[str]:
        if self.track_dir is None:
            return []
        return [self.track_dir] + [d for d in self._limit_dirs() if d != self.track_dir]

    # --- lifecycle ---------------------------------------------------------------
    def create(self, limits: Limits, devices=None) -> None:
        """Make the groups; `devices`: a devices.Policy to confine the container to."""
        if self.track_dir is None:
            return
        parent = os.path.dirname(self.track_dir)
        os.makedirs(parent, exist_ok=True)
        if self.layout.v2 and self.layout.v2_controllers:
            self._enable_v2_controllers(parent, limits)
        os.makedirs(self.track_dir, exist_ok=True)
        if devices is not None and not devices.allows_all:
            self._confine_devices(devices)
        for controller in limits.controllers():
            home = self.layout.controller_home(controller)
            if home == "v2":
                self._write_limit_v2(controller, limits)
            elif home == "v1":
                d = self._v1_dir(controller)
                os.makedirs(d, exist_ok=True)
                self._write_limit_v1(controller, d, limits)

    def _confine_devices(self, policy) -> None:
        from . import devices
        if self.layout.devices == "bpf":
            devices.attach(policy, self.track_dir)
        elif self.layout.devices == "v1":
            d = self._v1_dir("devices")
            os.makedirs(d, exist_ok=True)
            devices.write_v1(policy, d)
            self.v1_devices = True

    def _enable_v2_controllers(self, parent: str, limits: Limits) -> None:
        wanted = {c for c in limits.controllers() if c in self.layout.v2_controllers}
        enabled = set(_read(_j(parent, "cgroup.subtree_control")).split())
        if wanted - enabled:
            _write(_j(parent, "cgroup.subtree_control"), " ".join("+" + c for c in wanted - enabled))

    def _write_limit_v1(self, controller: str, d: str, limits: Limits) -> None:
        if controller == "memory":
            _write(_j(d, "memory.limit_in_bytes"), limits.memory)
            swap = limits.memory_swap
            total = -1 if swap == -1 else (swap if swap > 0 else 2 * limits.memory)
            if os.path.exists(_j(d, "memory.memsw.limit_in_bytes")):
                _write(_j(d, "memory.memsw.limit_in_bytes"), total)
        elif controller == "cpu":
            if limits.cpu_shares:
                _write(_j(d, "cpu.shares"), limits.cpu_shares)
            if limits.cpu_quota:
                _write(_j(d, "cpu.cfs_period_us"), limits.cpu_period or 100000)
                _write(_j(d, "cpu.cfs_quota_us"), limits.cpu_quota)
        elif controller == "pids":
            _write(_j(d, "pids.max"), limits.pids)

    def _write_limit_v2(self, controller: str, limits: Limits) -> None:
        d = self.track_dir
        if controller == "memory":
            _write(_j(d, "memory.max"), limits.memory)
            swap = limits.memory_swap
            if os.path.exists(_j(d, "memory.swap.max")):
                _write(_j(d, "memory.swap.max"),
                       "max" if swap == -1 else (swap - limits.memory if swap > 0 else limits.memory))
        elif controller == "cpu":
            if limits.cpu_shares:
                # Docker's conversion of cpu.shares (2..262144) to cpu.weight (1..10000)
                weight = 1 + ((limits.cpu_shares - 2) * 9999) // 262142
                _write(_j(d, "cpu.weight"), max(1, min(10000, weight)))
            if limits.cpu_quota:
                _write(_j(d, "cpu.max"), f"{limits.cpu_quota} {limits.cpu_period or 100000}")
        elif controller == "pids":
            _write(_j(d, "pids.max"), limits.pids)

    def update(self, limits: Limits) -> None:
        """Change a running container's limits (docker update). A v1 group it had none
        of is made and its processes moved in; a limit not asked for any more goes back
        to the kernel's "no limit"."""
        for controller in LIMIT_CONTROLLERS:
            home = self.layout.controller_home(controller)
            wanted = controller in limits.controllers()
            if home == "v2":
                if wanted:
                    self._enable_v2_controllers(os.path.dirname(self.track_dir), limits)
                if wanted or os.path.exists(_j(self.track_dir, _V2_FILE[controller])):
                    self._update_v2(controller, limits)
            elif home == "v1":
                d = self._v1_dir(controller)
                if not wanted and not os.path.isdir(d):
                    continue
                fresh = not os.path.isdir(d)
                os.makedirs(d, exist_ok=True)
                self._update_v1(controller, d, limits)
                if fresh:
                    if controller == "memory":     # its memory comes with it, counted
                        _try_write(_j(d, "memory.move_charge_at_immigrate"), 3)
                    for pid in self.pids():
                        try:
                            _write(_j(d, "cgroup.procs"), pid)
                        except ProcessLookupError:
                            pass

    def _update_v1(self, controller: str, d: str, limits: Limits) -> None:
        if controller == "memory":
            memory = limits.memory or -1
            swap = limits.memory_swap
            total = -1 if swap == -1 or not limits.memory else (swap or 2 * limits.memory)
            memsw = _j(d, "memory.memsw.limit_in_bytes")
            if not os.path.exists(memsw):
                _set_memory(d, "memory.limit_in_bytes", memory)
                return
            # the limit may never be above the total: raise the total first when the
            # new limit would be, else lower the limit first
            if _unlimited(memory) > int(_read(memsw)):
                _set_memory(d, "memory.memsw.limit_in_bytes", total)
                _set_memory(d, "memory.limit_in_bytes", memory)
            else:
                _set_memory(d, "memory.limit_in_bytes", memory)
                _set_memory(d, "memory.memsw.limit_in_bytes", total)
        elif controller == "cpu":
            _write(_j(d, "cpu.shares"), limits.cpu_shares or 1024)
            _write(_j(d, "cpu.cfs_period_us"), limits.cpu_period or 100000)
            _write(_j(d, "cpu.cfs_quota_us"), limits.cpu_quota or -1)
        elif controller == "pids":
            _write(_j(d, "pids.max"), limits.pids or "max")

    def _update_v2(self, controller: str, limits: Limits) -> None:
        d = self.track_dir
        if controller == "memory":
            try:
                _write(_j(d, "memory.max"), limits.memory or "max")
            except OSError as e:
                if e.errno != errno.EBUSY:
                    raise
                raise LimitRefused(_refusal(limits.memory, d, "memory.current",
                                            "memory.peak")) from None
            if os.path.exists(_j(d, "memory.swap.max")):
                swap = limits.memory_swap
                _write(_j(d, "memory.swap.max"),
                       "max" if swap == -1 or not limits.memory else
                       (swap - limits.memory if swap > 0 else limits.memory))
        elif controller == "cpu":
            if limits.cpu_shares:
                self._write_limit_v2("cpu", limits._replace(cpu_quota=0))
            else:
                _write(_j(d, "cpu.weight"), 100)
            _write(_j(d, "cpu.max"), f"{limits.cpu_quota or 'max'} {limits.cpu_period or 100000}")
        elif controller == "pids":
            _write(_j(d, "pids.max"), limits.pids or "max")

    def clone_fd(self) -> int | None:
        """An fd of the tracking group for CLONE_INTO_CGROUP (v2 only), or None."""
        if not self.layout.v2:
            return None
        return os.open(self.track_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)

    def adopt(self, pid: int, cloned_into: bool) -> None:
        """Put a freshly cloned process in the groups it was not born in."""
        dirs = self._limit_dirs()
        if not cloned_into and self.track_dir is not None:
            dirs = [self.track_dir] + [d for d in dirs if d != self.track_dir]
        for d in dirs:
            _write(_j(d, "cgroup.procs"), pid)

    def procs_fds(self, cloned_into: bool) -> list[int]:
        """adopt()'s groups as open cgroup.procs files (join()), for a process that
        adopts from another mount namespace."""
        dirs = self._limit_dirs() if cloned_into else self.all_dirs()
        return [os.open(_j(d, "cgroup.procs"), os.O_WRONLY | os.O_CLOEXEC) for d in dirs]

    def pids(self, init: int = 0) -> list[int]:
        """The container's processes. Without a cgroup (rootless), those of the pid
        namespace its first process `init` made."""
        if self.track_dir is None:
            return pid_namespace_members(init) if init > 0 else []
        try:
            return [int(p) for p in _read(_j(self.track_dir, "cgroup.procs")).split()]
        except FileNotFoundError:
            return []
        except OSError as e:     # ENODEV: being removed by another process right now
            if e.errno != errno.ENODEV:
                raise
            return []

    def exists(self) -> bool:
        return any(os.path.isdir(d) for d in self.all_dirs())

    def destroy(self) -> None:
        """Kill what is inside and remove the groups. A process may join while we are at
        it (a start racing `rm -f` clones its container into the group just made): so
        a group that is still busy is emptied again before the next try."""
        deadline = time.monotonic() + 2.0
        for d in self.all_dirs():
            while True:
                if self.pids():
                    self.kill_all()
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError as e:
                    if e.errno != errno.EBUSY or time.monotonic() > deadline:
                        raise
                    time.sleep(0.002)

    def kill_all(self) -> None:
        if self.track_dir is None:
            return
        kill_file = _j(self.track_dir, "cgroup.kill")
        if os.path.exists(kill_file):
            try:
                _write(kill_file, 1)
            except OSError as e:     # gone, or being removed by another process
                if e.errno not in (errno.ENOENT, errno.ENODEV):
                    raise
            return
        self.thaw()
        for p in self.pids():
            try:
                os.kill(p, 9)
            except ProcessLookupError:
                pass

    # --- pause -------------------------------------------------------------------
    def freeze(self) -> None:
        self._set_frozen(True)

    def thaw(self) -> None:
        self._set_frozen(False)

    def _set_frozen(self, frozen: bool) -> None:
        d = self.track_dir
        if d is None or not os.path.isdir(d):
            return
        deadline = time.monotonic() + 5
        if self.layout.v2:
            _write(_j(d, "cgroup.freeze"), 1 if frozen else 0)
            want = f"frozen {1 if frozen else 0}"
            while want not in _read(_j(d, "cgroup.events")) and time.monotonic() < deadline:
                time.sleep(0.001)
            return
        want = "FROZEN" if frozen else "THAWED"
        while True:
            _write(_j(d, "freezer.state"), want)
            if _read(_j(d, "freezer.state")).strip() == want or time.monotonic() > deadline:
                return
            time.sleep(0.001)

    def frozen(self) -> bool:
        d = self.track_dir
        if d is None:
            return False
        try:
            if self.layout.v2:
                return "frozen 1" in _read(_j(d, "cgroup.events"))
            return _read(_j(d, "freezer.state")).strip() == "FROZEN"
        except FileNotFoundError:
            return False

    # --- accounting --------------------------------------------------------------
    def oom_kills(self) -> int:
        home = self.layout.controller_home("memory")
        try:
            if home == "v2":
                text = _read(_j(self.track_dir, "memory.events"))
            elif home == "v1" and os.path.isdir(self._v1_dir("memory")):
                text = _read(_j(self._v1_dir("memory"), "memory.oom_control"))
            else:
                return 0
        except FileNotFoundError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0


class LimitRefused(Exception):
    """The kernel would not take a new limit (below what the container uses)."""


_V2_FILE = {"memory": "memory.max", "cpu": "cpu.max", "pids": "pids.max"}


def _try_write(path: str, value) -> None:
    try:
        _write(path, value)
    except OSError:
        pass


def _unlimited(value: int) -> int:
    return 1 << 62 if value == -1 else value


def _set_memory(d: str, name: str, value: int) -> None:
    """Write a v1 memory limit; EBUSY (the kernel could not reclaim down to it) becomes
    runc's words, with the usage that stood in the way."""
    try:
        _write(_j(d, name), value)
    except OSError as e:
        if e.errno != errno.EBUSY:
            raise
        usage, peak = ("memory.memsw.usage_in_bytes", "memory.memsw.max_usage_in_bytes") \
            if "memsw" in name else ("memory.usage_in_bytes", "memory.max_usage_in_bytes")
        raise LimitRefused(_refusal(value, d, usage, peak)) from None


def _refusal(value: int, d: str, usage: str, peak: str) -> str:
    def number(name: str) -> str:
        try:
            return _read(_j(d, name)).strip()
        except OSError:
            return "0"
    kind = "memory+swap" if "memsw" in usage else "memory"
    return (f"unable to set {kind} limit to {value} (current usage: {number(usage)}, "
            f"peak usage: {number(peak)})")


def pid_namespace_members(init: int) -> list[int]:
    """Every process in the pid namespace of process `init` (its own, for a container's
    first process; the host's for --pid host, which is then everything)."""
    try:
        ns = os.stat(f"/proc/{init}/ns/pid").st_ino
    except OSError:
        return []
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}/ns/pid").st_ino == ns:
                    out.append(int(entry))
            except OSError:
                pass
    return sorted(out)


def join(procs_fds: list[int], pid: int) -> None:
    """Put a process in the groups of Cgroup.procs_fds()."""
    for fd in procs_fds:
        os.write(fd, str(pid).encode())


def leftover_dirs(scope: str | None = None) -> list[str]:
    """Every container cgroup that exists now, of one engine root or of all (for leak
    checks, fsck and reset)."""
    lay = layout()
    bases = set()
    if lay.v2:
        bases.add(_j(lay.v2, PARENT))
    for c in ("freezer", *LIMIT_CONTROLLERS, "devices"):
        if c in lay.v1:
            bases.add(_j(lay.v1[c], PARENT))
    out = []
    for b in sorted(bases):
        scopes = [scope] if scope else (_dirs(b) if os.path.isdir(b) else [])
        for sc in scopes:
            d = _j(b, sc)
            if os.path.isdir(d):
                out.extend(_j(d, n) for n in _dirs(d))
    return out


def _dirs(path: str) -> list[str]:
    return sorted(n for n in os.listdir(path) if os.path.isdir(_j(path, n)))


def remove_scope(scope: str) -> None:
    """Remove an engine root's cgroup folders, and any container cgroup left in them."""
    for d in leftover_dirs(scope):
        Cgroup(os.path.basename(d), scope).destroy()
    lay = layout()
    bases = ([lay.v2] if lay.v2 else []) + [lay.v1[c] for c in ("freezer", *LIMIT_CONTROLLERS,
                                                                "devices") if c in lay.v1]
    for base in set(bases):
        try:
            os.rmdir(_j(base, PARENT, scope))
        except (FileNotFoundError, OSError):
            pass
