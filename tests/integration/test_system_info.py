"""docker info: the docker CLI's sections, each value true for this engine."""
from __future__ import annotations

import os

from engine.runtime import cgroups


def test_info_counts_and_host_facts(sh, engine):
    sh.ok("docker run -d --name runs busybox sleep 60")
    sh.ok("docker run -d --name frozen busybox sleep 60")
    sh.ok("docker pause frozen")
    sh.ok("docker create --name made busybox true")
    out = sh.ok("docker info")
    lines = out.splitlines()
    assert lines[:4] == ["Client: dockerlings", " Version:    0.1.0", " Context:    default",
                         " Debug Mode: false"]
    server = lines[lines.index("Server:") + 1:]
    assert server[:5] == [" Containers: 3", "  Running: 1", "  Paused: 1", "  Stopped: 1",
                          " Images: 1"]
    assert " Storage Driver: overlay2" in server
    assert " Cgroup Driver: cgroupfs" in server
    want = "2" if cgroups.layout().v2_controllers else "1"
    assert f" Cgroup Version: {want}" in server
    assert f" Kernel Version: {os.uname().release}" in server
    assert f" CPUs: {os.cpu_count()}" in server
    assert f" Docker Root Dir: {engine.paths.root}" in server
    with open("/proc/meminfo") as f:
        kib = int(f.readline().split()[1])
    total = next(l for l in server if l.startswith(" Total Memory: "))
    assert total.endswith("GiB") and abs(float(total.split()[-1][:-3]) * (1 << 20) - kib) \
        < kib / 1000
    # the docker CLI's order of sections
    order = [" Containers:", " Server Version:", " Storage Driver:", " Logging Driver:",
             " Cgroup Driver:", " Plugins:", " Swarm:", " Kernel Version:",
             " Operating System:", " CPUs:", " Total Memory:", " Docker Root Dir:",
             " Live Restore Enabled:"]
    found = [next(i for i, l in enumerate(server) if l.startswith(o)) for o in order]
    assert found == sorted(found)


def test_info_format(sh):
    out = sh.ok("docker system info --format '{{.Driver}} {{.ContainersRunning}} "
                "{{.OSType}} {{json .Plugins.Volume}}'")
    assert out == 'overlay2 0 linux ["local"]\n'
