"""The seccomp compiler: its programs run here through a classic-BPF interpreter and
are compared, syscall by syscall, with the profile's rules read directly; one program
is also loaded for real in a forked child. (The containers' side is in
tests/integration/test_seccomp.py.)"""
from __future__ import annotations

import errno
import json
import os
import random
import re
import struct

import pytest

from engine.runtime import caps, seccomp

DEFAULT_CAPS = caps.mask(caps.DOCKER_DEFAULT)
EPERM = seccomp.RET_ERRNO | errno.EPERM
ENOSYS = seccomp.RET_ERRNO | errno.ENOSYS
ALLOW = seccomp.RET_ALLOW
AUDIT = seccomp.AUDIT_ARCH

pytestmark = pytest.mark.skipif(os.uname().machine != "x86_64",
                                reason="these numbers are x86_64's")


def run(prog: bytes, nr: int, arch: str = "x86_64", args=(0,) * 6) -> int:
    """A classic BPF interpreter for what seccomp programs use (ld abs, and, jumps,
    ret), over a little-endian struct seccomp_data."""
    args = tuple(args) + (0,) * (6 - len(args))
    data = struct.pack("<IIQ6Q", nr, AUDIT[arch], 0, *(a & (2**64 - 1) for a in args))
    code = [struct.unpack_from("<HBBI", prog, i) for i in range(0, len(prog), 8)]
    a, pc = 0, 0
    while True:
        op, jt, jf, k = code[pc]
        pc += 1
        if op == 0x20:
            a = struct.unpack_from("<I", data, k)[0]
        elif op == 0x54:
            a &= k
        elif op == 0x05:
            pc += k
        elif op in (0x15, 0x25, 0x35, 0x45):
            hit = {0x15: a == k, 0x25: a > k, 0x35: a >= k, 0x45: bool(a & k)}[op]
            pc += jt if hit else jf
        elif op == 0x06:
            return k
        else:
            raise AssertionError(f"unexpected opcode {op:#x}")


def prog(caps_mask=DEFAULT_CAPS, profile=seccomp.BUILTIN) -> bytes:
    return seccomp.program(profile, caps_mask)


def nr(name: str, arch: str = "x86_64") -> int:
    return seccomp.tables()[arch][name]


CLONE_NEWUSER, CLONE_NEWNS, SIGCHLD = 0x10000000, 0x00020000, 17


@pytest.mark.parametrize("name,args,want", [
    ("read", (), ALLOW),
    ("unshare", (CLONE_NEWUSER,), EPERM),
    ("mount", (), EPERM),
    ("add_key", (), EPERM),
    ("keyctl", (), EPERM),
    ("request_key", (), EPERM),
    ("io_uring_setup", (), EPERM),
    ("personality", (0,), ALLOW),                   # PER_LINUX
    ("personality", (0xFFFFFFFF,), ALLOW),          # the query
    ("personality", (0x0040000,), EPERM),           # ADDR_NO_RANDOMIZE
    ("clone", (SIGCHLD,), ALLOW),                   # fork
    ("clone", (CLONE_NEWUSER | SIGCHLD,), EPERM),
    ("clone", (CLONE_NEWNS | SIGCHLD,), EPERM),
    ("clone3", (), ENOSYS),                         # so libc falls back to clone
    ("socket", (2,), ALLOW),                        # AF_INET
    ("socket", (17,), ALLOW),                       # AF_PACKET (CAP_NET_RAW decides)
    ("socket", (40,), EPERM),                       # AF_VSOCK
    ("socket", (41,), ALLOW),
    ("ptrace", (), ALLOW),                          # minKernel 4.8
    ("bpf", (), EPERM),
    ("chroot", (), ALLOW),                          # CAP_SYS_CHROOT is a default
    ("reboot", (), EPERM),
    ("open_by_handle_at", (), EPERM),
    ("arch_prctl", (), ALLOW),
    ("mseal", (), ALLOW),                           # newer than the headers here
])
def test_default_profile_decides_as_docker(name, args, want):
    assert run(prog(), nr(name), args=args) == want


def test_a_syscall_beyond_the_profile_gets_enosys_and_other_arches_are_killed():
    assert run(prog(), 1000) == ENOSYS
    assert run(prog(), 0xFFFFFFFF & ~seccomp.X32_BIT) == ENOSYS
    p = prog()
    assert struct.unpack_from("<HBBI", p, 0) == (0x20, 0, 0, 4)   # it reads the arch first
    assert run(p, 0, arch="aarch64") == seccomp.RET_KILL_THREAD


def test_i386_and_x32_calls_are_filtered_by_their_own_numbers():
    p = prog()
    assert run(p, nr("read", "x86"), arch="x86") == ALLOW
    assert run(p, nr("unshare", "x86"), arch="x86") == EPERM
    assert run(p, nr("personality", "x86"), arch="x86", args=(0x0040000,)) == EPERM
    assert run(p, nr("personality", "x86"), arch="x86", args=(8,)) == ALLOW
    assert run(p, nr("read", "x32"), arch="x32") == ALLOW
    assert run(p, nr("unshare", "x32"), arch="x32") == EPERM
    assert run(p, nr("keyctl", "x32"), arch="x32") == EPERM


def test_capabilities_open_what_docker_opens():
    admin = prog(DEFAULT_CAPS | caps.mask(["SYS_ADMIN"]))
    for name in ("unshare", "mount", "clone3", "setns", "umount2"):
        assert run(admin, nr(name)) == ALLOW, name
    assert run(admin, nr("clone"), args=(CLONE_NEWUSER,)) == ALLOW
    assert run(admin, nr("reboot")) == EPERM
    assert run(prog(DEFAULT_CAPS | caps.mask(["SYS_BOOT"])), nr("reboot")) == ALLOW
    ptrace = prog(DEFAULT_CAPS | caps.mask(["SYS_PTRACE"]))
    assert run(ptrace, nr("kcmp")) == ALLOW and run(prog(), nr("kcmp")) == EPERM
    no_chroot = prog(DEFAULT_CAPS & ~caps.mask(["SYS_CHROOT"]))
    assert run(no_chroot, nr("chroot")) == EPERM


def _oracle(profile: dict, caps_names: set, arch: str, number: int, args) -> int:
    """What the rules say for one call, read straight from the resolved profile."""
    res = seccomp.resolve(profile, caps_names)
    table = seccomp.tables()[arch]
    names = {n for n, v in table.items() if v == number}
    conditional = []
    for rule_names, action, conds in res.rules:
        if not names & set(rule_names):
            continue
        if not conds:
            return action
        conditional.append((action, conds))
    for action, conds in conditional:
        if all(_holds(c, args) for c in conds):
            return action
    top = max((table[n] for r in res.rules for n in r[0] if n in table), default=-1)
    return seccomp.ENOSYS if number > top else res.default


def _holds(cond, args) -> bool:
    index, op, value, two = cond
    a = args[index]
    return {"SCMP_CMP_EQ": a == value, "SCMP_CMP_NE": a != value, "SCMP_CMP_LT": a < value,
            "SCMP_CMP_LE": a <= value, "SCMP_CMP_GT": a > value, "SCMP_CMP_GE": a >= value,
            "SCMP_CMP_MASKED_EQ": a & value == two}[op]


@pytest.mark.parametrize("extra", [[], ["SYS_ADMIN"], ["SYS_PTRACE", "SYS_TIME"]])
def test_every_syscall_agrees_with_the_rules(extra):
    profile = json.loads(seccomp.default_text())
    mask = DEFAULT_CAPS | caps.mask(extra)
    names = set(caps.format_set(mask))
    p = prog(mask)
    rng = random.Random(7)
    for arch in ("x86_64", "x86", "x32"):
        for number in sorted(set(seccomp.tables()[arch].values())) + [999, 0x40000999]:
            if (arch == "x32") != bool(number & seccomp.X32_BIT):
                continue        # x32 calls are told apart by that bit alone
            for args in [(0,) * 6, (0xFFFFFFFF,) + (0,) * 5, (40,) + (0,) * 5,
                         tuple(rng.getrandbits(32) for _ in range(6))]:
                assert run(p, number, arch, args) == _oracle(profile, names, arch, number,
                                                             args), (arch, number, args)


def test_argument_comparisons_use_all_64_bits():
    profile = {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["read"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 1, "value": 0x100000005, "op": "SCMP_CMP_GT"}]},
        {"names": ["write"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 0xFF00000000, "valueTwo": 0x0100000000,
                   "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["close"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 2, "value": 0x100000005, "op": "SCMP_CMP_LE"}]},
        {"names": ["dup"], "action": "SCMP_ACT_ALLOW",
         "args": [{"index": 0, "value": 0x100000005, "op": "SCMP_CMP_NE"}]},
        {"names": ["dup2"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
         "args": [{"index": 0, "value": 3, "op": "SCMP_CMP_LT"},
                  {"index": 1, "value": 3, "op": "SCMP_CMP_GE"}]}]}
    p = seccomp.compile(seccomp.resolve(profile, set()))
    for a in (0, 5, 6, 0x100000004, 0x100000005, 0x100000006, 0x200000000, 2**64 - 1):
        args = (a, a, a, 0, 0, 0)
        for name in ("read", "write", "close", "dup", "dup2"):
            want = _oracle(profile, set(), "x86_64", nr(name), args)
            assert run(p, nr(name), "x86_64", args) == want, (name, hex(a))
    assert run(p, nr("dup2"), args=(1, 7)) == seccomp.RET_ERRNO | 22
    assert run(p, nr("dup2"), args=(4, 7)) == EPERM


def test_long_jumps_across_big_sections_are_right():
    names = sorted(seccomp.tables()["x86_64"])
    profile = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": [n], "action": "SCMP_ACT_ERRNO", "errnoRet": i % 100 + 1,
         "args": [{"index": 0, "value": i, "op": "SCMP_CMP_EQ"}]}
        for i, n in enumerate(names)]}
    p = seccomp.compile(seccomp.resolve(profile, set()))
    assert len(p) // 8 > 600
    for i, n in enumerate(names):
        assert run(p, nr(n), args=(i,)) == seccomp.RET_ERRNO | (i % 100 + 1), n
        assert run(p, nr(n), args=(i + 1,)) == ALLOW
    assert run(p, 1000) == ALLOW        # an allowing default needs no ENOSYS


@pytest.mark.parametrize("text,message", [
    ("[1]", "json: cannot unmarshal array into Go value of type seccomp.Seccomp"),
    ('{"defaultAction": 5}', "json: cannot unmarshal number into Go struct field "
     "Seccomp.defaultAction of type specs.LinuxSeccompAction"),
    ('{"syscalls": [{"names": "read"}]}', "json: cannot unmarshal string into Go struct "
     "field Syscall.syscalls.names of type []string"),
    ('{"syscalls": [{"errnoRet": -1}]}', "json: cannot unmarshal number -1 into Go "
     "struct field Syscall.syscalls.errnoRet of type uint"),
    ('{"syscalls": [{"includes": {"minKernel": "4"}}]}',
     'invalid kernel version: "4", expected "<kernel>.<major>"'),
])
def test_profiles_that_do_not_decode_are_refused_in_dockers_words(text, message):
    with pytest.raises(seccomp.ProfileError) as e:
        seccomp.decode(text)
    assert str(e.value) == f"Decoding seccomp profile failed: {message}"


@pytest.mark.parametrize("profile,message", [
    ({"defaultAction": "SCMP_ACT_NOPE"}, "string SCMP_ACT_NOPE is not a valid action for "
     "seccomp"),
    ({"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
      "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]},
     "both 'architectures' and 'archMap' are specified in the seccomp profile, use "
     "either 'architectures' or 'archMap'"),
    ({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"name": "read", "names": ["write"], "action": "SCMP_ACT_ALLOW"}]},
     "both 'name' and 'names' are specified in the seccomp profile, use either 'name' "
     "or 'names'"),
    ({"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_PDP11"]},
     "string SCMP_ARCH_PDP11 is not a valid arch for seccomp"),
    ({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
        {"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"op": "SCMP_CMP_XX"}]}]},
     "string SCMP_CMP_XX is not a valid operator for seccomp"),
])
def test_profiles_runc_refuses_are_refused(profile, message):
    with pytest.raises(seccomp.ProfileError, match=re.escape(message)):
        seccomp.resolve(profile, set())


def test_an_empty_profile_means_no_filter():
    assert seccomp.program("{}", DEFAULT_CAPS) is None
    assert seccomp.program(seccomp.UNCONFINED, DEFAULT_CAPS) is None
    assert seccomp.program(None, DEFAULT_CAPS) is None


def test_programs_are_built_once_per_profile_and_capabilities():
    assert prog() is prog()
    assert prog() != prog(DEFAULT_CAPS | caps.mask(["SYS_ADMIN"]))


def test_the_syscall_tables_match_this_machines_headers():
    tables = seccomp.tables()
    found = 0
    for arch, header in (("x86_64", "unistd_64.h"), ("x86", "unistd_32.h"),
                         ("x32", "unistd_x32.h")):   # (the tables are libseccomp's)
        path = f"/usr/include/x86_64-linux-gnu/asm/{header}"
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for name, value in re.findall(r"#define __NR_(\w+)\s+(.+)", f.read()):
                value = eval(value.replace("__X32_SYSCALL_BIT", str(seccomp.X32_BIT)))
                assert tables[arch][name] == value, (arch, name)
                found += 1
    if not found:
        pytest.skip("linux-libc-dev's asm/unistd headers are not installed")


@pytest.mark.skipif(not seccomp.supported(), reason="this kernel has no seccomp filter")
def test_a_loaded_program_decides_for_real():
    """Load a profile denying mkdir (EACCES) in a forked child: mkdir fails, getpid
    works, and /proc says mode 2."""
    profile = json.dumps({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]})
    p = seccomp.program(profile, DEFAULT_CAPS)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            from engine.runtime import syscalls as sc
            sc.prctl(sc.PR_SET_NO_NEW_PRIVS, 1)
            seccomp.load(p)
            try:
                os.mkdir("/nonexistent-dir/x")
                result = "made"
            except OSError as e:
                result = errno.errorcode[e.errno]
            with open("/proc/self/status") as f:
                mode = re.search(r"Seccomp:\s+(\d)", f.read()).group(1)
            os.write(w, f"{result} {os.getpid() > 0} {mode}".encode())
        finally:
            os._exit(0)
    os.close(w)
    out = os.read(r, 100).decode()
    os.waitpid(pid, 0)
    assert out == "EACCES True 2"


def test_an_aarch64_machine_gets_its_own_numbers(monkeypatch):
    monkeypatch.setattr(seccomp, "NATIVE", ("aarch64", "SCMP_ARCH_AARCH64", "arm64"))
    res = seccomp.resolve(json.loads(seccomp.default_text()),
                          set(caps.format_set(DEFAULT_CAPS)))
    assert res.arches == ["aarch64", "arm"]
    p = seccomp.compile(res)
    for arch in ("aarch64", "arm"):
        assert run(p, nr("read", arch), arch=arch) == ALLOW
        assert run(p, nr("unshare", arch), arch=arch) == EPERM
        assert run(p, nr("personality", arch), arch=arch, args=(0x0040000,)) == EPERM
        assert run(p, nr("clone3", arch), arch=arch) == ENOSYS
    assert run(p, nr("set_tls", "arm"), arch="arm") == ALLOW      # ARM's private calls
    assert run(p, nr("arch_prctl", "x86_64"), arch="x86_64") == seccomp.RET_KILL_THREAD
