"""The kernel really isolates containers: these are the facts the course teaches."""
from __future__ import annotations

import os
import time

from tests.conftest import dockerlings


def test_command_is_pid_1(sh):
    assert sh.ok("docker run --rm busybox sh -c 'echo $$'") == "1\n"


def test_proc_lists_only_the_containers_processes(sh):
    out = sh.ok("docker run --rm busybox sh -c 'ls /proc | grep -E \"^[0-9]+$\" | sort -n'")
    pids = [int(p) for p in out.split()]
    # sh (1) and its children for ls/grep/sort: all small, none from the host
    assert pids[0] == 1 and max(pids) < 20


def test_pid_container_mode_sees_that_containers_processes_and_no_others(sh):
    """--pid container:X: X's command is PID 1 in the new container's /proc too (a proc
    of its own pid namespace, not the host's), and nothing outside X shows."""
    sh.ok("docker run -d --name target busybox sleep 300")
    try:
        out = sh.ok("docker run --rm --pid container:target busybox ps -o pid,args")
        lines = [l.split(None, 1) for l in out.splitlines()[1:]]
        assert lines[0] == ["1", "sleep 300"], out
        assert [args for _, args in lines] == ["sleep 300", "ps -o pid,args"], out
    finally:
        sh.ok("docker rm -f target")


def test_own_hostname_defaults_to_short_id(sh):
    cid = sh.ok("docker create busybox hostname").strip()
    assert sh.ok(f"docker start -a {cid}").strip() == cid[:12]
    assert sh.ok("docker run --rm -h teaching busybox hostname") == "teaching\n"
    assert os.uname().nodename != "teaching"


def test_file_written_in_one_container_is_absent_from_another(sh):
    sh.ok("docker run --name first busybox sh -c 'echo hi > /hello.txt'")
    r = sh.run("docker run --rm busybox cat /hello.txt")
    assert r.code == 1 and "No such file" in r.err
    assert sh.ok("docker diff first") == "A /hello.txt\n"


def test_reduced_capability_set(sh):
    out = sh.ok("docker run --rm busybox grep CapEff /proc/self/status")
    assert out.split()[1] == "00000000a80425fb"      # Docker's default 14
    out = sh.ok("docker run --rm --privileged busybox grep CapEff /proc/self/status")
    assert int(out.split()[1], 16) > 0xa80425fb
    out = sh.ok("docker run --rm --cap-drop NET_RAW busybox grep CapEff /proc/self/status")
    assert int(out.split()[1], 16) == 0xa80425fb & ~(1 << 13)


def test_non_root_user_has_no_capabilities(sh):
    out = sh.ok("docker run --rm -u nobody busybox sh -c 'id; grep CapEff /proc/self/status'")
    assert "uid=65534(nobody) gid=65534(nogroup)" in out
    assert out.split()[-1] == "0000000000000000"


def test_masked_and_read_only_paths(sh):
    r = sh.run("docker run --rm busybox sh -c 'echo 1 > /proc/sys/kernel/domainname'")
    assert r.code != 0 and "Read-only file system" in r.err
    assert sh.ok("docker run --rm busybox cat /proc/keys") == ""
    r = sh.run("docker run --rm busybox touch /sys/x")
    assert r.code != 0


def test_read_only_root(sh):
    r = sh.run("docker run --rm --read-only busybox touch /x")
    assert r.code == 1 and "Read-only file system" in r.err
    assert sh.ok("docker run --rm --read-only busybox touch /dev/shm/x") == ""


def test_network_none_has_loopback_only(sh):
    out = sh.ok("docker run --rm --network none busybox ip -o link")
    assert out.count(":") and "lo" in out and "eth" not in out


def test_memory_limit_ends_with_oom_kill(sh):
    r = sh.run("docker run --name hog -m 8m busybox sh -c 'tail /dev/zero'")
    assert r.code == 137
    assert sh.ok("docker inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' hog") == \
        "true 137\n"


def test_pids_limit(sh):
    r = sh.run("docker run --rm --pids-limit 5 busybox sh -c "
               "'for i in 1 2 3 4 5 6 7 8; do sleep 5 & done; wait'")
    assert "can't fork" in r.err or "Resource temporarily unavailable" in r.err


def test_cpu_quota_is_applied(engine, sh):
    from engine.runtime import cgroups
    cid = sh.ok("docker run -d --cpus 0.5 -c 512 busybox sleep 30").strip()
    lay = cgroups.layout()
    if lay.controller_home("cpu") == "v1":
        base = os.path.join(lay.v1["cpu"], cgroups.PARENT, engine.cgroup_scope, cid)
        quota = open(os.path.join(base, "cpu.cfs_quota_us")).read().split()[0]
        shares = open(os.path.join(base, "cpu.shares")).read().split()[0]
        assert (quota, shares) == ("50000", "512")
    else:
        base = os.path.join(lay.v2, cgroups.PARENT, engine.cgroup_scope, cid)
        assert open(os.path.join(base, "cpu.max")).read().split()[0] == "50000"
    sh.ok(f"docker rm -f {cid}")


def test_env_like_docker(sh):
    out = sh.ok("docker run --rm -e FOO=bar busybox env")
    lines = out.splitlines()
    assert lines[0] == "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    assert lines[1].startswith("HOSTNAME=")
    assert "FOO=bar" in lines and "HOME=/root" in lines
    assert not any(l.startswith("TERM=") for l in lines)


def test_exit_codes_127_and_126(sh):
    r = sh.run("docker run --rm busybox nosuchcommand")
    assert r.code == 127
    assert 'exec: "nosuchcommand": executable file not found in $PATH' in r.err
    r = sh.run("docker run --rm busybox /etc/passwd")
    assert r.code == 126 and "permission denied" in r.err


def test_container_outlives_the_process_that_started_it(engine_root, engine):
    p = dockerlings("-c", "docker run -d --name survivor busybox sleep 60", root=engine_root)
    assert p.returncode == 0, p.stderr
    time.sleep(0.2)
    ps = dockerlings("-c", "docker ps --format '{{.Names}} {{.State}}'", root=engine_root)
    assert ps.stdout.decode() == "survivor running\n"


def test_killed_monitor_means_exited_not_stuck(sh, engine):
    cid = sh.ok("docker run -d busybox sleep 60").strip()
    c = engine.container(cid)
    os.kill(c.state.monitor_pid, 9)
    deadline = time.time() + 5
    while time.time() < deadline and os.path.exists(f"/proc/{c.state.pid}"):
        time.sleep(0.02)
    assert sh.ok(f"docker inspect -f '{{{{.State.Status}}}}' {cid}") == "exited\n"
    assert not engine.processes(engine.container(cid))
