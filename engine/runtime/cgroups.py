"""Control groups for containers, on cgroup v1 (one hierarchy per controller, as on
this machine's hybrid layout) or v2 (one unified tree), whichever the host has.

Each container gets `dockerlings/<id>` in every hierarchy it needs. The freezer (or
cgroup.freeze on v2) is always there: it pauses the container and lists its processes.
"""
from __future__ import annotations

import errno
import os
import time
from dataclasses import dataclass
from pathlib import Path

PARENT = "dockerlings"
CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class Limits:
    memory: int = 0            # bytes; 0 = none
    memory_swap: int = 0       # Docker's MemorySwap: 0 = twice memory, -1 = unlimited
    cpu_shares: int = 0
    cpu_quota: int = 0         # microseconds per period; 0 = none
    cpu_period: int = 0
    pids: int = 0              # 0 = none

    @property
    def any(self) -> bool:
        return bool(self.memory or self.cpu_shares or self.cpu_quota or self.pids)


def _write(path: Path, value) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, str(value).encode())
    finally:
        os.close(fd)


def _read(path: Path) -> str:
    with open(path) as f:
        return f.read()


def _rmdir_retry(path: Path, timeout: float = 2.0) -> None:
    """Remove a cgroup dir; processes that were just killed may linger a moment."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError as e:
            if e.errno != errno.EBUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _v1_mounts() -> dict[str, Path]:
    """controller name -> mount point, from /proc/self/mountinfo."""
    out: dict[str, Path] = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, _, post = line.partition(" - ")
            fstype, _, opts = post.split()[:3]
            if fstype != "cgroup":
                continue
            point = Path(pre.split()[4])
            for opt in opts.split(","):
                if opt in ("memory", "cpu", "cpuacct", "pids", "freezer", "cpuset", "devices",
                           "blkio"):
                    out.setdefault(opt, point)
    return out


class Layout:
    """What the host offers; detected once per process."""

    def __init__(self):
        self.unified = (CGROUP_ROOT / "cgroup.controllers").exists()
        self.v1 = {} if self.unified else _v1_mounts()

    @property
    def name(self) -> str:
        if self.unified:
            return "v2 (unified)"
        return "v1 (" + ", ".join(sorted(self.v1)) + ")"

    def missing(self) -> list[str]:
        if self.unified:
            have = set(_read(CGROUP_ROOT / "cgroup.controllers").split())
            return [c for c in ("memory", "cpu", "pids") if c not in have]
        return [c for c in ("memory", "cpu", "pids", "freezer") if c not in self.v1]


_layout: Layout | None = None


def layout() -> Layout:
    global _layout
    if _layout is None:
        _layout = Layout()
    return _layout


class Cgroup:
    """The cgroup(s) of one container."""

    def __init__(self, cid: str):
        self.cid = cid
        self.layout = layout()

    # --- paths -------------------------------------------------------------------
    def _v1_dir(self, controller: str) -> Path | None:
        base = self.layout.v1.get(controller)
        return base / PARENT / self.cid if base else None

    @property
    def _v2_dir(self) -> Path:
        return CGROUP_ROOT / PARENT / self.cid

    def _v1_dirs(self) -> list[Path]:
        seen, out = set(), []
        for c in ("freezer", "memory", "cpu", "pids", "cpuacct"):
            d = self._v1_dir(c)
            if d and d not in seen:
                seen.add(d)
                out.append(d)
        return out

    # --- lifecycle ---------------------------------------------------------------
    def create(self, limits: Limits) -> None:
        if self.layout.unified:
            self._create_v2(limits)
        else:
            self._create_v1(limits)

    def _create_v1(self, limits: Limits) -> None:
        wanted = ["freezer", "memory", "pids"]
        if limits.cpu_shares or limits.cpu_quota:
            wanted.append("cpu")
        for c in wanted:
            d = self._v1_dir(c)
            if d is None:
                continue
            d.mkdir(parents=True, exist_ok=True)
        mem = self._v1_dir("memory")
        if mem and limits.memory:
            _write(mem / "memory.limit_in_bytes", limits.memory)
            swap = limits.memory_swap
            total = -1 if swap == -1 else (swap if swap > 0 else 2 * limits.memory)
            if (mem / "memory.memsw.limit_in_bytes").exists():
                _write(mem / "memory.memsw.limit_in_bytes", total)
        cpu = self._v1_dir("cpu")
        if cpu and limits.cpu_shares:
            _write(cpu / "cpu.shares", limits.cpu_shares)
        if cpu and limits.cpu_quota:
            _write(cpu / "cpu.cfs_period_us", limits.cpu_period or 100000)
            _write(cpu / "cpu.cfs_quota_us", limits.cpu_quota)
        pids = self._v1_dir("pids")
        if pids and limits.pids:
            _write(pids / "pids.max", limits.pids)

    def _create_v2(self, limits: Limits) -> None:
        parent = CGROUP_ROOT / PARENT
        if not parent.exists():
            parent.mkdir(exist_ok=True)
        have = set(_read(parent / "cgroup.controllers").split())
        enabled = set(_read(parent / "cgroup.subtree_control").split())
        need = {"memory", "cpu", "pids"} & have
        if need - enabled:
            _write(parent / "cgroup.subtree_control", " ".join("+" + c for c in need - enabled))
        d = self._v2_dir
        d.mkdir(exist_ok=True)
        if limits.memory:
            _write(d / "memory.max", limits.memory)
            swap = limits.memory_swap
            if (d / "memory.swap.max").exists():
                _write(d / "memory.swap.max",
                       "max" if swap == -1 else (swap - limits.memory if swap > 0 else limits.memory))
        if limits.cpu_shares:
            # Docker's conversion of cpu.shares (2..262144) to cpu.weight (1..10000)
            weight = 1 + ((limits.cpu_shares - 2) * 9999) // 262142
            _write(d / "cpu.weight", max(1, min(10000, weight)))
        if limits.cpu_quota:
            _write(d / "cpu.max", f"{limits.cpu_quota} {limits.cpu_period or 100000}")
        if limits.pids:
            _write(d / "pids.max", limits.pids)

    def procs_files(self) -> list[Path]:
        if self.layout.unified:
            return [self._v2_dir / "cgroup.procs"]
        return [d / "cgroup.procs" for d in self._v1_dirs() if d.exists()]

    def join(self, pid: int = 0) -> None:
        """Move `pid` (0: the calling process) into every hierarchy of this container."""
        for f in self.procs_files():
            _write(f, pid)

    def pids(self) -> list[int]:
        files = self.procs_files()
        if not files:
            return []
        try:
            return [int(p) for p in _read(files[0]).split()]
        except FileNotFoundError:
            return []

    def exists(self) -> bool:
        if self.layout.unified:
            return self._v2_dir.exists()
        return any(d.exists() for d in self._v1_dirs())

    def destroy(self) -> None:
        dirs = [self._v2_dir] if self.layout.unified else self._v1_dirs()
        for d in dirs:
            if d.exists():
                self._kill_leftovers(d)
                _rmdir_retry(d)

    def _kill_leftovers(self, d: Path) -> None:
        try:
            pids = [int(p) for p in _read(d / "cgroup.procs").split()]
        except FileNotFoundError:
            return
        if pids:
            self.thaw()
            for p in pids:
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
        if self.layout.unified:
            f = self._v2_dir / "cgroup.freeze"
            if f.exists():
                _write(f, 1 if frozen else 0)
            return
        d = self._v1_dir("freezer")
        if not d or not d.exists():
            return
        want = "FROZEN" if frozen else "THAWED"
        deadline = time.monotonic() + 5
        while True:
            _write(d / "freezer.state", want)
            if _read(d / "freezer.state").strip() == want or time.monotonic() > deadline:
                return
            time.sleep(0.001)

    # --- accounting --------------------------------------------------------------
    def oom_kills(self) -> int:
        try:
            if self.layout.unified:
                text = _read(self._v2_dir / "memory.events")
            else:
                d = self._v1_dir("memory")
                text = _read(d / "memory.oom_control") if d else ""
        except FileNotFoundError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def memory_usage(self) -> int:
        try:
            if self.layout.unified:
                return int(_read(self._v2_dir / "memory.current"))
            d = self._v1_dir("memory")
            return int(_read(d / "memory.usage_in_bytes")) if d else 0
        except (FileNotFoundError, ValueError):
            return 0


def leftover_dirs() -> list[Path]:
    """Every container cgroup that exists now (for leak checks and fsck)."""
    lay = layout()
    bases = [CGROUP_ROOT / PARENT] if lay.unified else [m / PARENT for m in set(lay.v1.values())]
    out = []
    for b in bases:
        if b.is_dir():
            out.extend(p for p in b.iterdir() if p.is_dir())
    return out
