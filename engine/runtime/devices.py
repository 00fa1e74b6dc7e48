"""Which device nodes a container may create and use: Docker's device rules.

A container may mknod any character or block device (a node it cannot open is
harmless), but read and write only the standard nodes: null, zero, full, random,
urandom, tty, console, ptmx and the pty slaves (136:*), and /dev/net/tun. That is
moby's default list (daemon/pkg/oci/defaults.go: deny all, allow the standard nodes,
deny fuse) followed by runc's AllowedDevices (libcontainer/specconv), which runc
appends to every container's rules. `--device` adds an allow rule per node it maps,
`--device-cgroup-rule` its rule (both before runc's), `--privileged` allows everything.

The kernel enforces them through the container's cgroup: the v1 devices controller
(written as "a" to devices.deny, then one allow line per exception) or, on a cgroup v2
tree, an eBPF program attached to the container's cgroup that answers each access.
Either way the list is first reduced the way the v1 controller reduces it (Policy),
so both give the same answers.
"""
from __future__ import annotations

import functools
import os
import re
import stat
from collections import namedtuple

from . import bpf

WILDCARD = -1


class Rule(namedtuple("Rule", "allow kind major minor access")):
    """One devices-cgroup rule: kind "a" (all), "c" or "b"; major and minor a number or
    WILDCARD; access a combination of r, w and m."""

    __slots__ = ()

    def __str__(self) -> str:
        def num(n: int) -> str:
            return "*" if n == WILDCARD else str(n)
        return f"{self.kind} {num(self.major)}:{num(self.minor)} {self.access}"


def rule(text: str, allow: bool = True) -> Rule:
    """'c 1:3 rwm' (as devices.list shows it) -> Rule."""
    kind, numbers, access = text.split()
    major, minor = (WILDCARD if n == "*" else int(n) for n in numbers.split(":"))
    return Rule(allow, kind, major, minor, access)


DENY_ALL = Rule(False, "a", WILDCARD, WILDCARD, "rwm")
ALLOW_ALL = Rule(True, "a", WILDCARD, WILDCARD, "rwm")

# moby's default (null, zero, urandom, random, tty, console; fuse denied by name)
MOBY_DEFAULT = (DENY_ALL, *map(rule, ("c 1:5 rwm", "c 1:3 rwm", "c 1:9 rwm", "c 1:8 rwm",
                                      "c 5:0 rwm", "c 5:1 rwm")),
                rule("c 10:229 rwm", allow=False))
# runc's AllowedDevices, appended by runc after the container's own rules
RUNC_DEFAULT = tuple(map(rule, ("c *:* m", "b *:* m", "c 1:3 rwm", "c 1:8 rwm", "c 1:7 rwm",
                                "c 5:0 rwm", "c 1:5 rwm", "c 1:9 rwm", "c 136:* rwm",
                                "c 5:2 rwm", "c 10:200 rwm")))


def rules_for(privileged: bool, mapped: tuple[Rule, ...] = ()) -> tuple[Rule, ...]:
    """A container's rules, in Docker's order."""
    if privileged:
        return (ALLOW_ALL, *RUNC_DEFAULT)
    return (*MOBY_DEFAULT, *mapped, *RUNC_DEFAULT)


@functools.lru_cache(maxsize=64)
def policy(privileged: bool, mapped: tuple[Rule, ...] = ()) -> "Policy":
    """A container's policy, worked out once per process for each set of rules."""
    return reduce(rules_for(privileged, mapped))


class Policy(namedtuple("Policy", "default_allow exceptions")):
    """What a rule list comes to: allow or deny by default, and the exceptions (the
    rules with the other answer), each a Rule."""

    __slots__ = ()

    @property
    def allows_all(self) -> bool:
        return self.default_allow and not self.exceptions

    def v1_lines(self) -> list[tuple[str, str]]:
        """(file, line) writes that give a fresh v1 devices cgroup this policy."""
        if self.default_allow:
            return [("devices.allow", "a")] + [("devices.deny", str(r)) for r in self.exceptions]
        return [("devices.deny", "a")] + [("devices.allow", str(r)) for r in self.exceptions]

    def program(self) -> bytes:
        return program(self)


class RuleError(ValueError):
    """A rule the v1 controller would refuse (a hole in a wildcard rule)."""


def reduce(rules) -> Policy:
    """Apply `rules` in order as the v1 devices controller does (runc's emulator does
    the same for v2): "a" resets the default; a rule with the default's answer removes
    the same access from an exception; one with the other answer adds to it."""
    default_allow, exceptions = True, {}
    for r in rules:
        if r.kind == "a":
            default_allow, exceptions = r.allow, {}
            continue
        key = (r.kind, r.major, r.minor)
        if r.allow != default_allow:
            exceptions[key] = _union(exceptions.get(key, ""), r.access)
            continue
        for wide in ((r.kind, WILDCARD, r.minor), (r.kind, r.major, WILDCARD),
                     (r.kind, WILDCARD, WILDCARD)):
            if wide != key and set(exceptions.get(wide, "")) & set(r.access):
                raise RuleError(f"cannot punch a hole in the wildcard rule "
                                f"{Rule(r.allow, *wide, exceptions[wide])} with {r}")
        left = "".join(a for a in exceptions.get(key, "") if a not in r.access)
        if left:
            exceptions[key] = left
        else:
            exceptions.pop(key, None)
    ordered = sorted(exceptions.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0]))
    return Policy(default_allow, tuple(Rule(not default_allow, *key, access)
                                       for key, access in ordered))


def _union(a: str, b: str) -> str:
    return "".join(x for x in "rwm" if x in a or x in b)


# struct bpf_cgroup_dev_ctx: u32 access_type (access << 16 | type), u32 major, u32 minor
_TYPE = {"b": 1, "c": 2}                     # BPF_DEVCG_DEV_BLOCK, _CHAR
_ACCESS = {"m": 1, "r": 2, "w": 4}           # BPF_DEVCG_ACC_MKNOD, _READ, _WRITE


def program(policy: Policy) -> bytes:
    """The eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) answering as `policy` does: one
    block per exception that returns its answer when the access matches, then the
    default. The access matches when every bit asked for is in the rule's access."""
    out = [bpf.load_word(bpf.R2, bpf.R1, 0), bpf.and_imm(bpf.R2, 0xFFFF),   # type
           bpf.load_word(bpf.R3, bpf.R1, 0), bpf.rsh_imm(bpf.R3, 16),       # access
           bpf.load_word(bpf.R4, bpf.R1, 4),                                # major
           bpf.load_word(bpf.R5, bpf.R1, 8)]                                # minor
    for r in policy.exceptions:
        if max(r.major, r.minor) <= 0x7FFFFFFF:    # above, no device (majors < 2^12,
            out += _block(r)                       # minors < 2^20): it never matches
    out += [bpf.mov_imm(bpf.R0, int(policy.default_allow)), bpf.exit_()]
    return b"".join(out)


def _block(r: Rule) -> list[bytes]:
    """The tests of one rule, each jumping past the block (to the next) on a mismatch;
    the offsets are filled in once the block's length is known."""
    access = sum(_ACCESS[a] for a in r.access)
    tests = [lambda skip: bpf.jne_imm(bpf.R2, _TYPE[r.kind], skip)]
    if access != 7:
        tests += [lambda skip: bpf.mov_reg(bpf.R1, bpf.R3),
                  lambda skip: bpf.and_imm(bpf.R1, access),
                  lambda skip: bpf.jne_reg(bpf.R1, bpf.R3, skip)]
    if r.major != WILDCARD:
        tests.append(lambda skip: bpf.jne_imm(bpf.R4, r.major, skip))
    if r.minor != WILDCARD:
        tests.append(lambda skip: bpf.jne_imm(bpf.R5, r.minor, skip))
    n = len(tests) + 2                    # then: r0 = answer; exit
    return [t(n - i - 1) for i, t in enumerate(tests)] + \
        [bpf.mov_imm(bpf.R0, int(r.allow)), bpf.exit_()]


class DeviceError(Exception):
    """A --device that names no device, or rules the kernel refused, in Docker's (or
    runc's) words."""


# --- applying a policy to a cgroup ----------------------------------------------------

_LOADED: dict[Policy, tuple[int, int]] = {}     # policy -> (program fd, program id)


def attach(policy: Policy, cgroup_dir: str) -> None:
    """Attach the policy's program to a cgroup v2 directory. Programs are loaded once
    per process and policy (the verifier costs more than the attach); the cgroup holds
    its own reference, so the program goes when the last cgroup using it is removed
    and this process has ended. BPF_F_ALLOW_MULTI, as runc: programs attached above
    (systemd's) still have their say."""
    fd = _program_fd(policy)
    dir_fd = os.open(cgroup_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        bpf.attach(dir_fd, fd, bpf.CGROUP_DEVICE, bpf.F_ALLOW_MULTI)
    except OSError as e:
        raise DeviceError("failed to call BPF_PROG_ATTACH (BPF_CGROUP_DEVICE, "
                          f"BPF_F_ALLOW_MULTI): {_reason(e)}") from None
    finally:
        os.close(dir_fd)


def _program_fd(policy: Policy) -> int:
    known = _LOADED.get(policy)
    if known is not None:
        fd, ident = known
        try:            # a process that closes all its fds (a monitor) loses it
            if bpf.prog_id(fd) == ident:
                return fd
        except OSError:
            pass
    try:
        fd = bpf.load(bpf.PROG_TYPE_CGROUP_DEVICE, policy.program(), "dl_devices")
    except OSError as e:
        raise DeviceError(f"loading the device filter program failed: {_reason(e)}") from None
    _LOADED[policy] = (fd, bpf.prog_id(fd))
    return fd


def _reason(e: OSError) -> str:
    return os.strerror(e.errno).lower() if e.errno else str(e)


def write_v1(policy: Policy, group: str) -> None:
    """Give a fresh v1 devices cgroup the policy."""
    for name, line in policy.v1_lines():
        try:
            fd = os.open(os.path.join(group, name), os.O_WRONLY | os.O_CLOEXEC)
            try:
                os.write(fd, line.encode())
            finally:
                os.close(fd)
        except OSError as e:
            raise DeviceError(f'failed to write "{line}" to {name}: {_reason(e)}') from None


# --- the nodes: --device, --privileged ------------------------------------------------

# A node to make in the container: path inside it, "c" or "b", numbers, permission bits,
# owner (runc makes them as the host's node is)
Node = namedtuple("Node", "path kind major minor mode uid gid")


class _NotADevice(Exception):
    pass


def _node(host_path: str, path: str) -> Node:
    st = os.lstat(host_path)
    if stat.S_ISCHR(st.st_mode):
        kind = "c"
    elif stat.S_ISBLK(st.st_mode):
        kind = "b"
    else:                        # fifos too: Docker would make one, nobody asks for that
        raise _NotADevice
    return Node(path, kind, os.major(st.st_rdev), os.minor(st.st_rdev),
                stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)


def mapped(host: str, container: str) -> list[Node]:
    """The nodes one --device HOST:CONTAINER adds (a folder adds every device below it,
    as in Docker); DeviceError if there are none."""
    resolved = os.path.realpath(host) if os.path.islink(host) else host
    try:
        return [_node(resolved, container)]
    except _NotADevice:
        reason = "not a device node"
    except OSError as e:
        reason = os.strerror(e.errno).lower()
    nodes = []
    if os.path.isdir(resolved):
        for top, dirs, files in os.walk(resolved):
            dirs.sort()
            for name in sorted(files):
                found = os.path.join(top, name)
                try:
                    nodes.append(_node(found, container + found[len(resolved):]))
                except (_NotADevice, OSError):
                    pass
    if nodes:
        return nodes
    raise DeviceError(f"error gathering device information while adding custom device "
                      f'"{host}": {reason}')


def allow(nodes: list[Node], access: str) -> tuple[Rule, ...]:
    return tuple(Rule(True, n.kind, n.major, n.minor, access) for n in nodes)


def cgroup_rules(texts) -> tuple[Rule, ...]:
    """--device-cgroup-rule values, allow rules all (moby's
    AppendDevicePermissionsFromCgroupRules); "a" allows every device."""
    out = []
    for text in texts:
        m = re.fullmatch(r"([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})", text)
        if not m:
            raise DeviceError(f"invalid device cgroup rule format: '{text}'")
        numbers = []
        for which, n in (("major", m[2]), ("minor", m[3])):
            if n != "*" and int(n) > 0xFFFFFFFF:       # the kernel's numbers are u32
                raise DeviceError(f"invalid {which} value in device cgroup rule format: "
                                  f"'{text}'")
            numbers.append(WILDCARD if n == "*" else int(n))
        out.append(Rule(True, m[1], *numbers, _union(m[4], "")))
    return tuple(out)


_SKIPPED_DIRS = {"pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"}


def host_nodes(top: str = "/dev") -> list[Node]:
    """Every device node of the host's /dev, for --privileged (as containerd's
    HostDevices: none below pts, shm, fd or mqueue, and no console)."""
    out = []
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name)
    except OSError:
        return out
    for e in entries:
        if e.is_dir(follow_symlinks=False):
            if e.name not in _SKIPPED_DIRS:
                out += host_nodes(e.path)
        elif e.name != "console":
            try:
                out.append(_node(e.path, e.path))
            except (_NotADevice, OSError):
                pass
    return out
