"""Docker's device rules (engine/runtime/devices.py): the rule list, how it reduces to a
policy the way the v1 devices controller reduces it, the v1 lines, and the eBPF program
(run here by a small interpreter of the instructions it uses, so what it answers is
checked without root); --device's parsing as the docker CLI does it."""
from __future__ import annotations

import itertools
import os
import struct

import pytest

from engine.errors import UsageError
from engine.runtime import bpf, devices
from engine.runtime.devices import Rule, rule
from shell.cli import report
from shell.cli.parser import parse
from shell.commands import options

DEFAULT = devices.policy(False)


def test_default_rules_are_mobys_then_runcs():
    assert [("" if r.allow else "deny ") + str(r) for r in devices.rules_for(False)] == [
        # moby: daemon/pkg/oci/defaults.go
        "deny a *:* rwm", "c 1:5 rwm", "c 1:3 rwm", "c 1:9 rwm", "c 1:8 rwm", "c 5:0 rwm",
        "c 5:1 rwm", "deny c 10:229 rwm",
        # runc: libcontainer/specconv AllowedDevices, appended to every container's
        "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:8 rwm", "c 1:7 rwm", "c 5:0 rwm",
        "c 1:5 rwm", "c 1:9 rwm", "c 136:* rwm", "c 5:2 rwm", "c 10:200 rwm"]


def test_default_policy():
    assert not DEFAULT.default_allow
    assert {str(r) for r in DEFAULT.exceptions} == {
        "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm",
        "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm"}
    assert DEFAULT.v1_lines()[0] == ("devices.deny", "a")
    assert {line for _, line in DEFAULT.v1_lines()[1:]} == {str(r) for r in DEFAULT.exceptions}
    assert {f for f, _ in DEFAULT.v1_lines()[1:]} == {"devices.allow"}


def test_privileged_allows_everything():
    assert devices.policy(True).allows_all
    assert devices.policy(True).v1_lines() == [("devices.allow", "a")]


def allowed(policy: devices.Policy, kind: str, major: int, minor: int, access: str) -> bool:
    """What the v1 controller answers: an exception that covers all the access asked
    for gives its answer, else the default."""
    for r in policy.exceptions:
        if r.kind == kind and r.major in (major, devices.WILDCARD) and \
                r.minor in (minor, devices.WILDCARD) and set(access) <= set(r.access):
            return r.allow
    return policy.default_allow


def run(program: bytes, kind: str, major: int, minor: int, access: str) -> int:
    """Interpret the device program on one access (bpf_cgroup_dev_ctx in r1)."""
    ctx = struct.pack("<III", sum(devices._ACCESS[a] for a in access) << 16 |
                      devices._TYPE[kind], major, minor)
    regs = [0] * 11
    pc = 0
    insns = [struct.unpack("<BBhi", program[i:i + 8]) for i in range(0, len(program), 8)]
    for _ in range(len(insns)):                   # no loops: each runs once at most
        code, r, off, imm = insns[pc]
        dst, src = r & 0xF, r >> 4
        pc += 1
        if code == 0x61:
            assert src == 1, "reads only the context"
            regs[dst] = struct.unpack_from("<I", ctx, off)[0]
        elif code == 0x54:
            regs[dst] = (regs[dst] & imm) & 0xFFFFFFFF
        elif code == 0x74:
            regs[dst] = (regs[dst] & 0xFFFFFFFF) >> imm
        elif code == 0xbc:
            regs[dst] = regs[src] & 0xFFFFFFFF
        elif code == 0xb4:
            regs[dst] = imm & 0xFFFFFFFF
        elif code == 0x55:
            pc += off if regs[dst] != imm else 0
        elif code == 0x5d:
            pc += off if regs[dst] != regs[src] else 0
        elif code == 0x95:
            return regs[0]
        else:
            raise AssertionError(f"unexpected opcode {code:#x}")
    raise AssertionError("ran off the end")


ACCESSES = ["r", "w", "m", "rw", "rm", "wm", "rwm"]
NUMBERS = [(1, 3), (1, 5), (1, 7), (1, 9), (5, 0), (5, 1), (5, 2), (136, 0), (136, 77),
           (10, 200), (10, 229), (10, 232), (10, 234), (10, 237), (7, 0), (8, 1), (4, 1)]


@pytest.mark.parametrize("policy", [
    DEFAULT,
    devices.policy(False, devices.allow([devices.Node("/dev/fuse", "c", 10, 229, 0o600, 0, 0)],
                                        "r")),
    devices.reduce([rule("c 1:3 rwm"), rule("b 8:* rw", allow=False), rule("c *:5 w", False)]),
])
def test_program_answers_as_the_policy(policy):
    program = policy.program()
    for kind, (major, minor), access in itertools.product("cb", NUMBERS, ACCESSES):
        assert run(program, kind, major, minor, access) == allowed(
            policy, kind, major, minor, access), (kind, major, minor, access)


def test_the_default_in_plain_words():
    for kind, major, minor in (("c", 10, 232), ("c", 10, 229), ("c", 10, 237),
                               ("c", 10, 234), ("b", 7, 0)):
        assert run(DEFAULT.program(), kind, major, minor, "m") == 1      # make it
        for access in ("r", "w", "rw"):                                  # not use it
            assert run(DEFAULT.program(), kind, major, minor, access) == 0
    for major, minor in ((1, 3), (1, 5), (1, 7), (1, 8), (1, 9), (5, 0), (5, 1), (5, 2),
                         (136, 4), (10, 200)):
        assert run(DEFAULT.program(), "c", major, minor, "rwm") == 1


def test_program_blocks():
    # six loads, then per rule: type test [access test] [major] [minor] answer exit
    one = devices.Policy(False, (rule("c 1:3 rwm"),))
    assert len(one.program()) // 8 == 6 + 5 + 2
    assert one.program()[48:56] == bpf.jne_imm(bpf.R2, 2, 4)      # to the default
    partial = devices.Policy(False, (rule("b *:* m"),))
    assert len(partial.program()) // 8 == 6 + 6 + 2


def test_reduce_like_the_v1_controller():
    p = devices.reduce([devices.DENY_ALL, rule("c 1:3 rwm"), rule("c 1:3 w", allow=False)])
    assert [str(r) for r in p.exceptions] == ["c 1:3 rm"]
    p = devices.reduce([devices.ALLOW_ALL, rule("c 10:232 rwm", allow=False)])
    assert p.default_allow and [str(r) for r in p.exceptions] == ["c 10:232 rwm"]
    assert p.v1_lines() == [("devices.allow", "a"), ("devices.deny", "c 10:232 rwm")]
    with pytest.raises(devices.RuleError):       # a hole in a wildcard: v1 refuses it
        devices.reduce([devices.DENY_ALL, rule("c *:* m"), rule("c 1:3 m", allow=False)])
    # moby's "deny fuse" comes before runc's "c *:* m": no hole, nothing to remove
    assert devices.reduce(devices.MOBY_DEFAULT).exceptions[-1] == rule("c 5:1 rwm")


def test_device_rule_opens_fuse():
    fuse = devices.Node("/dev/fuse", "c", 10, 229, 0o600, 0, 0)
    p = devices.policy(False, devices.allow([fuse], "rw"))
    assert allowed(p, "c", 10, 229, "rw") and not allowed(p, "c", 10, 232, "r")


def test_policies_are_worked_out_once():
    assert devices.policy(False) is devices.policy(False)


# --- the nodes -------------------------------------------------------------------------

def test_mapped_node_is_the_hosts():
    st = os.stat("/dev/null")
    assert devices.mapped("/dev/null", "/dev/mynull") == [devices.Node(
        "/dev/mynull", "c", 1, 3, st.st_mode & 0o7777, st.st_uid, st.st_gid)]


def test_mapped_follows_a_link(tmp_path):
    os.symlink("/dev/zero", tmp_path / "z")
    assert devices.mapped(str(tmp_path / "z"), "/dev/z")[0][:4] == ("/dev/z", "c", 1, 5)


def test_mapped_errors_in_dockers_words(tmp_path):
    with pytest.raises(devices.DeviceError) as info:
        devices.mapped("/dev/nosuch", "/dev/nosuch")
    assert str(info.value) == ('error gathering device information while adding custom '
                               'device "/dev/nosuch": no such file or directory')
    (tmp_path / "f").write_text("x")
    for path in (tmp_path / "f", tmp_path):       # a file; a folder without devices
        with pytest.raises(devices.DeviceError) as info:
            devices.mapped(str(path), "/dev/x")
        assert str(info.value).endswith(f'"{path}": not a device node')


def test_host_nodes_skip_what_docker_skips():
    paths = {n.path for n in devices.host_nodes()}
    assert "/dev/null" in paths and "/dev/console" not in paths
    assert not any(p.startswith(("/dev/pts/", "/dev/shm/", "/dev/mqueue/")) for p in paths)


# --- --device on the command line (docker/cli validateLinuxPath, parseLinuxDevice) --------

RUN_HELP = "\n\nRun 'docker run --help' for more information"


def device_flag(value: str):
    inv = parse(["run", "--device", value, "busybox"])
    return options.devices(inv, inv.opts["device"])


@pytest.mark.parametrize("value, expected", [
    ("/dev/fuse", ("/dev/fuse", "/dev/fuse", "rwm")),
    ("/dev/fuse:r", ("/dev/fuse", "/dev/fuse", "r")),
    ("/dev/null:/dev/mynull", ("/dev/null", "/dev/mynull", "rwm")),
    ("/dev/null:/dev/mynull:rw", ("/dev/null", "/dev/mynull", "rw")),
    ("/dev//fuse/", ("/dev/fuse", "/dev/fuse", "rwm")),
    ("fuse:/dev/fuse", ("fuse", "/dev/fuse", "rwm")),
])
def test_device_values(value, expected):
    assert device_flag(value) == (expected,)


@pytest.mark.parametrize("value, message", [
    ("dev/null", "dev/null is not an absolute path"),
    ("/dev/fuse:rel", "rel is not an absolute path"),
    (":/x", "bad format for path: :/x"),
    ("a:b:c:d", "bad format for path: a:b:c:d"),
    ("/dev/fuse:/x:bad", "bad mode specified: bad"),
    ("/dev/fuse:/x:rr", "bad mode specified: rr"),
])
def test_bad_device_values(value, message):
    with pytest.raises(UsageError) as info:
        device_flag(value)
    assert report.format_error(info.value, "docker") == (f"docker: {message}" + RUN_HELP, 125)


def test_device_cgroup_rules():
    assert [str(r) for r in devices.cgroup_rules(["c 10:232 rw", "b 7:* mr", "a *:* m"])] == [
        "c 10:232 rw", "b 7:* rm", "a *:* m"]
    p = devices.policy(False, devices.cgroup_rules(["c 10:232 rw"]))
    assert allowed(p, "c", 10, 232, "rw") and not allowed(p, "c", 10, 229, "r")
    assert devices.policy(False, devices.cgroup_rules(["a *:* r"])).allows_all
    with pytest.raises(devices.DeviceError) as info:
        devices.cgroup_rules(["c 4294967296:1 r"])
    assert str(info.value) == ("invalid major value in device cgroup rule format: "
                               "'c 4294967296:1 r'")


def test_numbers_no_device_has_never_match():
    p = devices.policy(False, devices.cgroup_rules(["c 4294967295:1 rw"]))
    assert run(p.program(), "c", 10, 232, "r") == 0
    assert run(p.program(), "c", 1, 3, "rw") == 1


# --- where the rules go --------------------------------------------------------------------

def layout_of(tmp_path, lines: list[str]):
    from engine.runtime import cgroups
    (tmp_path / "cgroup.controllers").write_text("cpu memory pids\n")
    info = tmp_path / "mountinfo"
    info.write_text("".join(f"{30 + i} 31 0:{40 + i} / {point} rw - {kind} {kind} {opts}\n"
                            for i, (point, kind, opts) in enumerate(lines)))
    return cgroups.Layout(str(info))


def test_rules_go_where_the_processes_are_born(tmp_path):
    v2 = (str(tmp_path), "cgroup2", "rw")
    v1 = [("/sys/fs/cgroup/devices", "cgroup", "rw,devices"),
          ("/sys/fs/cgroup/freezer", "cgroup", "rw,freezer")]
    assert layout_of(tmp_path, [v2]).devices == "bpf"               # pure v2
    assert layout_of(tmp_path, v1 + [v2]).devices == "bpf"          # hybrid, as here
    assert layout_of(tmp_path, v1).devices == "v1"                  # pure v1
    assert layout_of(tmp_path, v1[1:]).devices is None              # nowhere
