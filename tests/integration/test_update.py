"""docker update on running and stopped containers: the record, the cgroup files the
kernel enforces, and Docker's errors."""
from __future__ import annotations

import os

from engine.runtime import cgroups
from tests.integration.cli_helpers import errors, inspect, wait_status, wait_until


def _limit_file(engine, cid: str, controller: str, v1: str, v2: str) -> str:
    cg = cgroups.Cgroup(cid, engine.cgroup_scope)
    if cg.layout.controller_home(controller) == "v2":
        return os.path.join(cg.track_dir, v2)
    return os.path.join(cg._v1_dir(controller), v1)


def _read(path: str) -> str:
    with open(path) as f:
        return f.read().strip()


def test_lowered_memory_is_enforced_on_a_running_container(sh, engine):
    sh.ok("docker run -d --name hog busybox sh -c "
          "'while [ ! -e /go ]; do sleep 0.05; done; tail /dev/zero'")
    assert sh.ok("docker update -m 16m --memory-swap 16m hog") == "hog\n"
    cid = inspect(sh, "hog", "{{.Id}}")
    assert _read(_limit_file(engine, cid, "memory", "memory.limit_in_bytes",
                             "memory.max")) == str(16 << 20)
    assert inspect(sh, "hog", "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}") == \
        f"{16 << 20} {16 << 20}"
    sh.ok("docker exec hog touch /go")        # now it allocates, and meets the limit
    wait_status(sh, "hog", "exited", timeout=20)
    assert inspect(sh, "hog", "{{.State.OOMKilled}} {{.State.ExitCode}}") == "true 137"


def test_cpu_and_pids_limits_written_live(sh, engine):
    sh.ok("docker run -d --name busy busybox sleep 60")
    cid = inspect(sh, "busy", "{{.Id}}")
    assert sh.ok("docker update --cpus 0.5 --pids-limit 5 -c 512 busy") == "busy\n"
    quota = _read(_limit_file(engine, cid, "cpu", "cpu.cfs_quota_us", "cpu.max"))
    assert quota.split()[0] == "50000"
    assert _read(_limit_file(engine, cid, "pids", "pids.max", "pids.max")) == "5"
    # the kernel holds it to five processes now
    r = sh.run("docker exec busy sh -c 'for i in 1 2 3 4 5 6; do sleep 5 & done; wait'")
    assert "can't fork" in r.err or "Resource temporarily unavailable" in r.err, r.err
    assert inspect(sh, "busy", "{{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} "
                               "{{.HostConfig.CpuShares}}") == "500000000 5 512"


def test_stopped_container_takes_the_limits_at_its_next_start(sh, engine):
    sh.ok("docker create --name later busybox sleep 60")
    assert sh.ok("docker update -m 32m --memory-swap 64m later") == "later\n"
    sh.ok("docker start later")
    cid = inspect(sh, "later", "{{.Id}}")
    assert _read(_limit_file(engine, cid, "memory", "memory.limit_in_bytes",
                             "memory.max")) == str(32 << 20)


def test_restart_policy_given_while_running_applies_at_exit(sh):
    sh.ok("docker run -d --name flaky busybox sh -c 'sleep 1; exit 3'")
    sh.ok("docker update --restart on-failure:1 flaky")
    wait_until(lambda: inspect(sh, "flaky", "{{.RestartCount}}") == "1", timeout=15,
               what="one restart")
    assert inspect(sh, "flaky", "{{.HostConfig.RestartPolicy.Name}}") == "on-failure"


def test_dockers_errors_and_nothing_changed(sh):
    sh.ok("docker run -d --name lim busybox sleep 60")
    cid = inspect(sh, "lim", "{{.Id}}")
    r = sh.run("docker update -m 64m lim")
    assert r.code == 1
    assert errors(r) == [f"Error response from daemon: Cannot update container {cid}: Memory "
                         "limit should be smaller than already set memoryswap limit, update "
                         "the memoryswap at the same time"]
    sh.ok("docker update --cpus 1 lim")
    r = sh.run("docker update --cpu-quota 20000 lim nosuch")
    assert r.out == "" and errors(r) == [
        f"Error response from daemon: Cannot update container {cid}: Conflicting options: "
        "CPU Quota cannot be updated as NanoCPUs has already been set",
        "Error response from daemon: No such container: nosuch"]
    r = sh.run("docker update lim")
    assert (r.code, errors(r)) == (1, ["you must provide one or more flags when using this "
                                      "command"])
    assert sh.run("docker update -m 4m lim").err.startswith(
        "Error response from daemon: Minimum memory limit allowed is 6MB")
    assert inspect(sh, "lim", "{{.HostConfig.Memory}} {{.HostConfig.CpuQuota}}") == "0 0"


def test_memory_below_current_usage_is_refused(sh, engine):
    """cgroup v1 refuses the write (EBUSY); v2 would reclaim and OOM-kill instead."""
    if cgroups.layout().controller_home("memory") != "v1":
        import pytest
        pytest.skip("memory controller is not cgroup v1 here")
    sh.ok("docker run -d --name holder -m 100m --memory-swap 100m busybox sh -c "
          "'(head -c 40000000 /dev/zero; sleep 60) | tail'")
    cid = inspect(sh, "holder", "{{.Id}}")
    usage = _limit_file(engine, cid, "memory", "memory.usage_in_bytes", "memory.current")
    wait_until(lambda: int(_read(usage)) > 30_000_000, timeout=10, what="40 MB held")
    r = sh.run("docker update -m 10m --memory-swap 10m holder")
    assert r.code == 1
    assert errors(r)[0].startswith(f"Error response from daemon: Cannot update container "
                                   f"{cid}: unable to set memory limit to 10485760 (current "
                                   "usage: ")
    assert inspect(sh, "holder", "{{.HostConfig.Memory}} {{.State.Status}}") == \
        f"{100 << 20} running"
