"""Containers use the devices Docker lets them use, and no others: the kernel refuses
the rest through the container's cgroup (an eBPF program on a cgroup v2 tree, the v1
devices controller without one). Both ways are tested for real where the host has them.
"""
from __future__ import annotations

import json
import os

import pytest

from tests.integration.cli_helpers import errors, pull, wait_until

# name, major, minor: devices this host's kernel has (so opening one fails only
# because the container may not) and a default container must not open
FORBIDDEN = (("kvm", 10, 232), ("fuse", 10, 229), ("loop-control", 10, 237),
             ("btrfs-control", 10, 234))
EPERM = "Operation not permitted"


def _try_open_script(nodes) -> str:
    """A shell script that makes each node and opens it read-write, printing
    "<name> mknod ok" and "<name> open ok" or the shell's error."""
    lines = []
    for name, major, minor in nodes:
        lines.append(f"mknod /tmp/{name} c {major} {minor} && echo {name} mknod ok; "
                     f"(exec 3<>/tmp/{name}) && echo {name} open ok")
    return "; ".join(lines)


def _present(nodes):
    return [n for n in nodes if os.path.exists(f"/dev/{n[0]}")]


def test_default_container_may_make_but_not_open_other_devices(sh):
    nodes = _present(FORBIDDEN)
    assert nodes, "this host has none of kvm, fuse, loop-control, btrfs-control"
    r = sh.run(f"docker run --rm busybox sh -c '{_try_open_script(nodes)}'")
    for name, _, _ in nodes:
        assert f"{name} mknod ok" in r.out            # mknod of any node: allowed (m)
        assert f"{name} open ok" not in r.out
        assert f"can't create /tmp/{name}: {EPERM}" in r.err
    # a block device too, and read-only opens
    r = sh.run("docker run --rm busybox sh -c 'mknod /tmp/loop b 7 0 && echo made; "
               "cat /tmp/loop; head -c1 /tmp/kvm'")
    assert "made" in r.out and f"can't open '/tmp/loop': {EPERM}" in r.err


def test_standard_nodes_work(sh):
    r = sh.run("docker run --rm busybox sh -c 'echo x > /dev/null && cat /dev/null && "
               "head -c 3 /dev/zero | wc -c && head -c 5 /dev/urandom | wc -c && "
               "head -c 2 /dev/random | wc -c && echo y > /dev/zero && echo ok; "
               "echo z > /dev/full'")
    assert r.out.split() == ["3", "5", "2", "ok"]
    assert errors(r)[-1] == "sh: write error: No space left on device"   # /dev/full opened
    # /dev/tty answers "no terminal" (not "not permitted"); with -t it, the pty, the
    # console and ptmx all open
    r = sh.run("docker run --rm busybox cat /dev/tty")
    assert "No such device or address" in r.err
    out = sh.ok("docker run --rm -t busybox sh -c 'exec 3<>$(tty) && exec 4<>/dev/tty && "
                "exec 5<>/dev/console && exec 6<>/dev/ptmx && tty && echo all-open'")
    assert out.split() == ["/dev/pts/0", "all-open"]


def test_exec_is_confined_as_the_container(sh):
    sh.ok("docker run -d --name box busybox sleep 30")
    r = sh.run("docker exec box sh -c 'mknod /tmp/k c 10 232 && exec 3<>/tmp/k'")
    assert r.code != 0 and EPERM in r.err
    assert sh.ok("docker exec box sh -c 'echo hi > /dev/null && echo fine'") == "fine\n"
    sh.ok("docker rm -f box")


def test_device_flag_adds_the_node(sh):
    if not os.path.exists("/dev/fuse"):
        pytest.skip("this host has no /dev/fuse")
    out = sh.ok("docker run --rm --device /dev/fuse busybox sh -c "
                "'ls -ln /dev/fuse; exec 3<>/dev/fuse && echo opened'")
    mode, _, uid, gid, major, minor = out.split()[:6]
    st = os.stat("/dev/fuse")
    assert mode[0] == "c" and (major, minor) == ("10,", "229")
    assert (int(uid), int(gid)) == (st.st_uid, st.st_gid)
    assert out.endswith("opened\n")
    # renamed, read-only: it opens for reading and no more
    r = sh.run("docker run --rm --device /dev/fuse:/dev/myfuse:r busybox sh -c "
               "'ls /dev/fuse; (exec 3</dev/myfuse) && echo read-ok; exec 4<>/dev/myfuse'")
    assert "read-ok" in r.out
    assert "/dev/fuse: No such file or directory" in r.err
    assert f"can't create /dev/myfuse: {EPERM}" in r.err


def test_device_flag_in_inspect(sh):
    sh.ok("docker create --name devs --device /dev/null:/dev/mynull:r --device /dev/zero "
          "busybox")
    devices = json.loads(sh.ok("docker inspect -f '{{json .HostConfig.Devices}}' devs"))
    assert devices == [
        {"PathOnHost": "/dev/null", "PathInContainer": "/dev/mynull", "CgroupPermissions": "r"},
        {"PathOnHost": "/dev/zero", "PathInContainer": "/dev/zero", "CgroupPermissions": "rwm"}]
    assert sh.ok("docker start -a devs") == ""
    sh.ok("docker create --name plain busybox")
    assert sh.ok("docker inspect -f '{{json .HostConfig.Devices}}' plain") == "[]\n"


def test_a_device_that_is_not_there(sh):
    pull(sh)
    r = sh.run("docker run --name gone --device /dev/nosuch busybox true")
    assert r.code == 127
    assert errors(r)[0] == ('docker: Error response from daemon: error gathering device '
                            'information while adding custom device "/dev/nosuch": no such '
                            'file or directory')
    assert sh.ok("docker inspect -f '{{.State.Status}}' gone") == "created\n"
    r = sh.run(f"docker run --rm --device {sh.cwd} busybox true")
    assert r.code == 125 and errors(r)[0].endswith(
        f'adding custom device "{sh.cwd}": not a device node')


def test_device_cgroup_rule_lets_a_made_node_open(sh):
    if not os.path.exists("/dev/kvm"):
        pytest.skip("this host has no /dev/kvm")
    out = sh.ok("docker run --name ruled --device-cgroup-rule 'c 10:232 rw' busybox sh -c "
                "'mknod /tmp/k c 10 232 && exec 3<>/tmp/k && echo opened'")
    assert out == "opened\n"
    assert sh.ok("docker inspect -f '{{json .HostConfig.DeviceCgroupRules}}' ruled") == \
        '["c 10:232 rw"]\n'
    r = sh.run("docker run --rm --device-cgroup-rule 'c 10:232 r' busybox sh -c "
               "'mknod /tmp/k c 10 232 && (exec 3</tmp/k) && echo read; exec 4<>/tmp/k'")
    assert "read" in r.out and EPERM in r.err


def test_privileged_has_every_device(sh):
    nodes = _present(FORBIDDEN)
    out = sh.ok("docker run --rm --privileged busybox sh -c "
                f"'{' && '.join(f'(exec 3<>/dev/{n}) && echo {n}' for n, _, _ in nodes)}'")
    assert out.split() == [n for n, _, _ in nodes]
    if os.path.exists("/dev/net/tun"):     # devices in folders of /dev too, as Docker
        assert sh.ok("docker run --rm --privileged busybox ls /dev/net") == "tun\n"


# --- the two ways the kernel is told ---------------------------------------------------

def _track_dir(engine, cid: str) -> str:
    from engine.runtime import cgroups
    return cgroups.Cgroup(cid, engine.cgroup_scope).track_dir


def test_bpf_program_on_the_containers_cgroup(engine, sh, monkeypatch):
    """On a cgroup v2 tree (here the hybrid's controller-less one) the rules are an
    eBPF program attached to the container's cgroup; it goes with the cgroup."""
    from engine.runtime import bpf, cgroups, devices
    lay = cgroups.layout()
    if not lay.v2:
        pytest.skip("no cgroup v2 tree on this host")
    monkeypatch.setattr(lay, "devices", "bpf")
    cid = sh.ok("docker run -d busybox sleep 30").strip()
    d = _track_dir(engine, cid)
    fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    try:
        ids = bpf.attached(fd, bpf.CGROUP_DEVICE)
    finally:
        os.close(fd)
    policy = devices.policy(False)
    assert ids == [devices._LOADED[policy][1]]
    r = sh.run(f"docker exec {cid} sh -c 'mknod /tmp/k c 10 232 && exec 3<>/tmp/k'")
    assert EPERM in r.err
    # once this process lets go of its copy, the cgroup holds the last reference
    for fd, _ in devices._LOADED.values():
        os.close(fd)
    devices._LOADED.clear()
    assert bpf.prog_exists(ids[0])
    sh.ok(f"docker rm -f {cid}")
    assert not os.path.exists(d)
    wait_until(lambda: not bpf.prog_exists(ids[0]), timeout=10,
               what="the program to go with its cgroup")


def test_v1_devices_controller(engine, sh, monkeypatch):
    """Without a v2 tree the rules go to a v1 devices group (forced here where the host
    has both) the container's processes join before they exec."""
    from engine.runtime import cgroups, devices
    lay = cgroups.layout()
    if "devices" not in lay.v1:
        pytest.skip("no v1 devices controller on this host")
    monkeypatch.setattr(lay, "devices", "v1")
    cid = sh.ok("docker run -d busybox sleep 30").strip()
    group = os.path.join(lay.v1["devices"], cgroups.PARENT, engine.cgroup_scope, cid)
    with open(os.path.join(group, "devices.list")) as f:
        listed = f.read().split("\n")[:-1]
    assert sorted(listed) == sorted(str(r) for r in devices.policy(False).exceptions)
    with open(os.path.join(group, "cgroup.procs")) as f:
        inside = f.read().split()
    assert inside == [str(engine.container(cid).state.pid)]
    r = sh.run(f"docker exec {cid} sh -c 'mknod /tmp/k c 10 232 && exec 3<>/tmp/k'")
    assert EPERM in r.err
    assert sh.ok(f"docker exec {cid} sh -c 'cat /dev/null && echo ok'") == "ok\n"
    r = sh.run("docker run --rm busybox sh -c 'mknod /tmp/k c 10 232 && exec 3<>/tmp/k'")
    assert EPERM in r.err
    if os.path.exists("/dev/fuse"):
        assert sh.ok("docker run --rm --device /dev/fuse busybox sh -c "
                     "'exec 3<>/dev/fuse && echo opened'") == "opened\n"
    sh.ok(f"docker rm -f {cid}")
    assert not os.path.exists(group)


def test_exec_joins_the_v1_groups_before_it_runs(engine, sh):
    """An exec'd command is in the container's v1 groups (limits, devices) from its
    first instruction, though its helper has entered the container's mount namespace."""
    from engine.runtime import cgroups
    lay = cgroups.layout()
    if lay.controller_home("memory") != "v1":
        pytest.skip("memory limits do not live in a v1 hierarchy here")
    cid = sh.ok("docker run -d -m 64m busybox sleep 30").strip()
    mine = sh.ok(f"docker exec {cid} cat /proc/self/cgroup")
    path = f"/{cgroups.PARENT}/{engine.cgroup_scope}/{cid}"
    assert any(l.split(":")[1] == "memory" and l.endswith(path) for l in mine.splitlines())
    sh.ok(f"docker rm -f {cid}")


def test_program_passes_the_verifier_for_every_kind_of_rule():
    """The kernel's verifier accepts what the engine assembles, including rules with
    partial access and wildcards (the unit tests check what it answers)."""
    from engine.runtime import bpf, devices
    rules = (*devices.rules_for(False), devices.rule("b 8:* r"), devices.rule("c *:5 w"))
    fd = bpf.load(bpf.PROG_TYPE_CGROUP_DEVICE, devices.reduce(rules).program(), "dl_test")
    os.close(fd)
    with pytest.raises(bpf.BPFError) as info:      # and says why when it does not
        bpf.load(bpf.PROG_TYPE_CGROUP_DEVICE, bpf.mov_imm(bpf.R0, 1), "dl_bad")
    assert info.value.log


def test_engine_info_says_how_devices_are_confined(sh):
    from engine.runtime import cgroups
    r = sh.run("dockerlings engine info")
    want = {"bpf": "ok  device rules: an eBPF program on each container's cgroup (v2 tree)",
            "v1": "ok  device rules: the v1 devices controller"}[cgroups.layout().devices]
    assert "  " + want in r.out.splitlines()


def test_rules_the_kernel_refuses_fail_the_start(sh, monkeypatch):
    """A kernel that will not take the program (no CONFIG_CGROUP_BPF, no privilege)
    fails the start in runc's words, and leaves no cgroup (the leak check)."""
    from engine.runtime import bpf, cgroups

    def refuse(*args):
        raise OSError(1, "Operation not permitted")
    if cgroups.layout().devices != "bpf":
        pytest.skip("device rules are not an eBPF program here")
    monkeypatch.setattr(bpf, "attach", refuse)
    pull(sh)
    r = sh.run("docker run --name refused busybox true")
    assert r.code == 125
    assert errors(r)[0] == (
        "docker: Error response from daemon: failed to create task for container: failed "
        "to create shim task: OCI runtime create failed: runc create failed: unable to start "
        "container process: "
        "error during container init: error setting cgroup config for procHooks process: "
        "failed to call BPF_PROG_ATTACH (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI): operation "
        "not permitted: unknown")
    assert sh.ok("docker inspect -f '{{.State.Status}}' refused") == "created\n"
