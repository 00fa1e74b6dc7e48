"""What a running container uses, read from the kernel at the moment asked: the numbers
of `docker stats`.

CPU time comes from the container's tracking cgroup (v2 keeps cpu.stat on every group,
with or without the cpu controller), else its v1 cpuacct group, else its processes'
/proc times. Memory comes from its memory cgroup when it has one, less the inactive file
cache as the docker CLI counts it; a container without a memory limit has no v1 memory
group here (the engine makes only the groups a limit needs), so its processes' resident
memory is summed instead. Network bytes are its namespace's interface counters (the
container's end of the veth pair), block I/O its processes' /proc/<pid>/io, PIDs the
tasks in its cgroup.
"""
from __future__ import annotations

import os
from collections import namedtuple

from ..runtime import cgroups

_j = os.path.join
_TICK = os.sysconf("SC_CLK_TCK")

Sample = namedtuple("Sample", "cpu_ns system_ns cpus memory limit net_rx net_tx blk_read "
                              "blk_write pids")
Sample.__doc__ = """One reading: cpu_ns the container's CPU time, system_ns the host's
(both only mean something as a difference between two readings)."""

EMPTY = Sample(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def _read(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    except OSError:      # ENODEV: the group is being removed
        return None


def _keyed(text: str | None) -> dict[str, int]:
    """"key value" or "Key:  value kB" lines -> {key: value}."""
    out = {}
    for line in (text or "").splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[1].lstrip("-").isdigit():
            out[fields[0].rstrip(":")] = int(fields[1])
    return out


def system_ns() -> int:
    """The host's CPU time, as the daemon counts it: the first seven fields of /proc/stat's
    "cpu" line (user nice system idle iowait irq softirq), in nanoseconds."""
    line = (_read("/proc/stat") or "cpu 0").splitlines()[0].split()
    return sum(int(x) for x in line[1:8]) * 1_000_000_000 // _TICK


def host_memory() -> int:
    for line in (_read("/proc/meminfo") or "").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


def sample(engine, c) -> Sample:
    if not c.state.running:
        return EMPTY
    cg = cgroups.Cgroup(c.id, engine.cgroup_scope)
    pids = cg.pids(c.state.pid)
    memory, limit = _memory(cg, pids)
    rx, tx = _network(c, pids)
    read, write = _block_io(pids)
    return Sample(_cpu_ns(cg, pids), system_ns(), os.cpu_count() or 1, memory, limit, rx, tx,
                  read, write, _tasks(cg, pids))


def _cpu_ns(cg, pids: list[int]) -> int:
    if cg.layout.v2:
        usage = _keyed(_read(_j(cg.track_dir, "cpu.stat"))).get("usage_usec")
        if usage is not None:
            return usage * 1000
    base = cg.layout.v1.get("cpuacct")
    if base:
        text = _read(_j(base, cgroups.PARENT, cg.scope, cg.cid, "cpuacct.usage"))
        if text:
            return int(text)
    total = 0
    for pid in pids:
        fields = (_read(f"/proc/{pid}/stat") or "").rpartition(")")[2].split()
        if len(fields) > 12:
            total += int(fields[11]) + int(fields[12])      # utime, stime
    return total * 1_000_000_000 // _TICK


def _memory(cg, pids: list[int]) -> tuple[int, int]:
    """(usage without inactive file cache, limit capped at the host's memory)."""
    host = host_memory()
    home = cg.layout.controller_home("memory")
    if home == "v2" and _read(_j(cg.track_dir, "memory.current")) is not None:
        d = cg.track_dir
        usage = int(_read(_j(d, "memory.current")) or 0)
        inactive = _keyed(_read(_j(d, "memory.stat"))).get("inactive_file", 0)
        text = (_read(_j(d, "memory.max")) or "max").strip()
        limit = host if text == "max" else min(int(text), host)
        return max(usage - inactive, 0), limit
    d = cg._v1_dir("memory") if home == "v1" else None
    if d and os.path.isdir(d):
        usage = int(_read(_j(d, "memory.usage_in_bytes")) or 0)
        inactive = _keyed(_read(_j(d, "memory.stat"))).get("total_inactive_file", 0)
        limit = min(int(_read(_j(d, "memory.limit_in_bytes")) or host), host)
        return max(usage - inactive, 0), limit
    rss = 0
    for pid in pids:
        rss += _keyed(_read(f"/proc/{pid}/status")).get("VmRSS", 0) * 1024
    return rss, host


def _network(c, pids: list[int]) -> tuple[int, int]:
    """Bytes received and sent on the container's own interfaces (not loopback); none
    for one that uses the host's or another container's network."""
    mode = c.host.network_mode or "bridge"
    if not pids or mode in ("host", "none") or mode.startswith("container:"):
        return 0, 0
    rx = tx = 0
    pid = c.state.pid if c.state.pid in pids else pids[0]
    for line in (_read(f"/proc/{pid}/net/dev") or "").splitlines()[2:]:
        name, _, counters = line.partition(":")
        fields = counters.split()
        if name.strip() != "lo" and len(fields) >= 9:
            rx += int(fields[0])
            tx += int(fields[8])
    return rx, tx


def _block_io(pids: list[int]) -> tuple[int, int]:
    read = write = 0
    for pid in pids:
        io = _keyed(_read(f"/proc/{pid}/io"))
        read += io.get("read_bytes", 0)
        write += io.get("write_bytes", 0)
    return read, write


def _tasks(cg, pids: list[int]) -> int:
    """Threads, as pids.current counts them."""
    if cg.layout.v2:
        text = _read(_j(cg.track_dir, "cgroup.threads"))
        if text is not None:
            return len(text.split())
    count = 0
    for pid in pids:
        try:
            count += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            pass
    return count


def cpu_percent(before: Sample, after: Sample) -> float:
    """The docker CLI's calculateCPUPercentUnix."""
    cpu = after.cpu_ns - before.cpu_ns
    system = after.system_ns - before.system_ns
    if system > 0 and cpu > 0:
        return cpu / system * after.cpus * 100.0
    return 0.0
