"""Docker's seccomp profiles, compiled by the engine itself into a classic BPF program.

A profile is Docker's JSON (moby's default is kept verbatim in seccomp_default.json): a
default action, architectures, and rules that name syscalls, some with conditions on
their arguments, some only for containers with (includes.caps) or without
(excludes.caps) a capability. For one container, resolve() keeps the rules that apply
(moby's setupSeccomp: its capabilities, this machine's architecture and kernel);
compile() turns them into the program the kernel runs at every system call: per
architecture a binary search over syscall numbers, argument checks only where a rule
has them, ENOSYS for syscalls newer than the profile (as runc does, so a program falls
back to an older call); load() installs it in the container's process before exec.

Syscall numbers are data too (syscall_numbers.json: libseccomp's src/syscalls.csv, for
Linux 7.1, the columns of x86_64, x86, x32 (with its 0x40000000 bit), aarch64 and arm;
tests/unit/test_seccomp.py checks them against this machine's asm/unistd headers).

program() caches per (profile, capabilities): the spawner compiles Docker's default for
the default capabilities before it forks monitors, so a start finds it ready.
"""
from __future__ import annotations

import errno
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
BUILTIN = "builtin"          # Docker's names for its own profile and for none
UNCONFINED = "unconfined"


class ProfileError(Exception):
    """A profile that cannot be used, in Docker's (or runc's) words."""


# --- the profile's JSON, decoded with the checks Go's json.Unmarshal makes -----------

_FILTER = ("Filter", {"caps": ("[]string", "str"), "arches": ("[]string", "str"),
                      "minKernel": ("*seccomp.KernelVersion", "kernel")})
_ARG = ("LinuxSeccompArg", {"index": ("uint", "uint"), "value": ("uint64", "uint64"),
                            "valueTwo": ("uint64", "uint64"),
                            "op": ("specs.LinuxSeccompOperator", "str")})
_SYSCALL = ("Syscall", {"names": ("[]string", "str"), "name": ("string", "str"),
                        "action": ("specs.LinuxSeccompAction", "str"),
                        "errnoRet": ("uint", "uint"), "comment": ("string", "str"),
                        "args": ("[]specs.LinuxSeccompArg", _ARG),
                        "includes": ("*seccomp.Filter", _FILTER),
                        "excludes": ("*seccomp.Filter", _FILTER)})
_ARCH = ("Architecture", {"architecture": ("specs.Arch", "str"),
                          "subArchitectures": ("[]specs.Arch", "str")})
_PROFILE = ("Seccomp", {"defaultAction": ("specs.LinuxSeccompAction", "str"),
                        "defaultErrnoRet": ("uint", "uint"),
                        "architectures": ("[]specs.Arch", "str"),
                        "archMap": ("[]seccomp.Architecture", _ARCH),
                        "flags": ("[]specs.LinuxSeccompFlag", "str"),
                        "listenerPath": ("string", "str"),
                        "listenerMetadata": ("string", "str"),
                        "syscalls": ("[]*seccomp.Syscall", _SYSCALL)})
_LISTS = {"names", "caps", "arches", "args", "architectures", "archMap", "flags",
          "syscalls", "subArchitectures"}


def decode(text: str) -> dict:
    """The profile in `text`, checked as moby's LoadProfile decodes it."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ProfileError(f"Decoding seccomp profile failed: {e}") from None
    if data is not None and not isinstance(data, dict):
        raise ProfileError("Decoding seccomp profile failed: json: cannot unmarshal "
                           f"{_kind(data)} into Go value of type seccomp.Seccomp")
    _check_struct(data or {}, _PROFILE, "")
    return data or {}


def _kind(v) -> str:
    return {dict: "object", list: "array", str: "string", bool: "bool"}.get(
        type(v), "number")


def _check_struct(obj: dict, schema, path: str) -> None:
    struct_name, fields = schema
    for key, value in obj.items():
        if key not in fields or value is None:
            continue        # Go ignores unknown fields; null leaves the zero value
        gotype, elem = fields[key]
        where = f"{path}.{key}" if path else key
        if key in _LISTS and not isinstance(value, list):
            _mismatch(value, struct_name, where, gotype)
        for item in value if key in _LISTS else [value]:
            _check_value(item, elem, struct_name, where, gotype.lstrip("[]*"))


def _check_value(v, elem, struct_name: str, where: str, gotype: str) -> None:
    if v is None:
        return
    if isinstance(elem, tuple):
        if not isinstance(v, dict):
            _mismatch(v, struct_name, where, gotype)
        _check_struct(v, elem, where)
    elif elem == "str":
        if not isinstance(v, str):
            _mismatch(v, struct_name, where, gotype)
    elif elem in ("uint", "uint64"):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 1 << 64:
            _mismatch(v, struct_name, where, gotype, number=True)
    elif elem == "kernel":
        _kernel_version(v)


def _mismatch(v, struct_name, where, gotype, number=False):
    shown = f"number {json.dumps(v)}" if number and _kind(v) == "number" else _kind(v)
    raise ProfileError(f"Decoding seccomp profile failed: json: cannot unmarshal {shown} "
                       f"into Go struct field {struct_name}.{where} of type {gotype}")


def _kernel_version(v) -> tuple[int, int]:
    """moby's KernelVersion: "<kernel>.<major>"."""
    expected = f'invalid kernel version: {json.dumps(v)}, expected "<kernel>.<major>"'
    if not isinstance(v, str):
        raise ProfileError(f"Decoding seccomp profile failed: {expected}")
    parts = v.split(".", 2)
    if len(parts) != 2 or not all(p.isdigit() and int(p) < 256 for p in parts):
        raise ProfileError(f"Decoding seccomp profile failed: {expected}")
    if int(parts[0]) == int(parts[1]) == 0:
        raise ProfileError(f"Decoding seccomp profile failed: {expected}: version "
                           "cannot be 0.0")
    return int(parts[0]), int(parts[1])


# --- which rules apply to a container (moby's setupSeccomp) -------------------------

# libseccomp's architecture names -> the tables here (None: known, but not compiled)
ARCHES = {"SCMP_ARCH_X86_64": "x86_64", "SCMP_ARCH_X86": "x86", "SCMP_ARCH_X32": "x32",
          "SCMP_ARCH_AARCH64": "aarch64", "SCMP_ARCH_ARM": "arm", "SCMP_ARCH_MIPS": None,
          "SCMP_ARCH_MIPS64": None, "SCMP_ARCH_MIPS64N32": None, "SCMP_ARCH_MIPSEL": None,
          "SCMP_ARCH_MIPSEL64": None, "SCMP_ARCH_MIPSEL64N32": None, "SCMP_ARCH_PPC": None,
          "SCMP_ARCH_PPC64": None, "SCMP_ARCH_PPC64LE": None, "SCMP_ARCH_RISCV64": None,
          "SCMP_ARCH_S390": None, "SCMP_ARCH_S390X": None, "SCMP_ARCH_LOONGARCH64": None}
# this machine: (its table, its libseccomp name, moby's name for it in includes.arches)
NATIVE = {"x86_64": ("x86_64", "SCMP_ARCH_X86_64", "amd64"),
          "aarch64": ("aarch64", "SCMP_ARCH_AARCH64", "arm64")}.get(os.uname().machine)

RET_KILL_THREAD, RET_KILL_PROCESS, RET_TRAP = 0, 0x80000000, 0x00030000
RET_ERRNO, RET_TRACE, RET_LOG, RET_ALLOW = 0x00050000, 0x7FF00000, 0x7FFC0000, 0x7FFF0000
_ACTIONS = {"SCMP_ACT_KILL": RET_KILL_THREAD, "SCMP_ACT_KILL_THREAD": RET_KILL_THREAD,
            "SCMP_ACT_KILL_PROCESS": RET_KILL_PROCESS, "SCMP_ACT_TRAP": RET_TRAP,
            "SCMP_ACT_ERRNO": RET_ERRNO, "SCMP_ACT_TRACE": RET_TRACE,
            "SCMP_ACT_LOG": RET_LOG, "SCMP_ACT_ALLOW": RET_ALLOW}
_OPS = ("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
        "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ")


def _action(name: str, errno_ret) -> int:
    if name == "SCMP_ACT_NOTIFY":
        raise ProfileError("SCMP_ACT_NOTIFY needs a seccomp agent, and dockerlings has none")
    if name not in _ACTIONS:
        raise ProfileError(f"string {name} is not a valid action for seccomp")
    ret = _ACTIONS[name]
    if ret in (RET_ERRNO, RET_TRACE):
        ret |= (errno.EPERM if errno_ret is None else errno_ret) & 0xFFFF
    return ret


class Resolved:
    """The rules for one container: `default` (a return value), `arches` (table
    names, native first) and `rules`: (syscall names, return value, conditions), a
    condition being (arg index, op, value, valueTwo)."""

    def __init__(self, default: int, arches: list[str], rules: list):
        self.default, self.arches, self.rules = default, arches, rules


def resolve(profile: dict, caps: set[str], kernel: tuple[int, int] | None = None
            ) -> Resolved | None:
    """The rules of `profile` for a container whose bounding set is `caps` (names
    like "CAP_SYS_ADMIN"); None when the profile turns seccomp off (no default
    action, no syscalls)."""
    if NATIVE is None:
        raise ProfileError(f"seccomp profiles are not supported on {os.uname().machine}")
    table, scmp_native, moby_native = NATIVE
    if not profile.get("defaultAction") and not profile.get("syscalls"):
        return None
    if profile.get("architectures") and profile.get("archMap"):
        raise ProfileError("both 'architectures' and 'archMap' are specified in the seccomp "
                           "profile, use either 'architectures' or 'archMap'")
    named = list(profile.get("architectures") or ())
    for entry in profile.get("archMap") or ():
        if entry.get("architecture") == scmp_native:
            named = [scmp_native, *(entry.get("subArchitectures") or ())]
            break
    arches = [table]
    for name in named:
        if name not in ARCHES:
            raise ProfileError(f"string {name} is not a valid arch for seccomp")
        if ARCHES[name] and ARCHES[name] not in arches:
            arches.append(ARCHES[name])
    kernel = kernel or _kernel()
    default = _action(profile.get("defaultAction") or "", profile.get("defaultErrnoRet"))
    rules = []
    for call in profile.get("syscalls") or ():
        names = call.get("names") or []
        if call.get("name"):
            if names:
                raise ProfileError("both 'name' and 'names' are specified in the seccomp "
                                   "profile, use either 'name' or 'names'")
            names = [call["name"]]
        if not _applies(call, caps, moby_native, kernel):
            continue
        action = _action(call.get("action") or "", call.get("errnoRet"))
        conds = []
        for arg in call.get("args") or ():
            if arg.get("op") not in _OPS:
                raise ProfileError(f"string {arg.get('op')} is not a valid operator for "
                                   "seccomp")
            if (arg.get("index") or 0) > 5:
                raise ProfileError(f"invalid argument index {arg['index']} for syscall "
                                   f"{names[0] if names else ''}")
            conds.append((arg.get("index") or 0, arg["op"], arg.get("value") or 0,
                          arg.get("valueTwo") or 0))
        if action != default:       # runc drops rules that change nothing
            rules.append((names, action, conds))
    return Resolved(default, arches, rules)


def _applies(call: dict, caps: set[str], arch: str, kernel: tuple[int, int]) -> bool:
    ex, inc = call.get("excludes") or {}, call.get("includes") or {}
    if arch in (ex.get("arches") or ()) or any(c in caps for c in ex.get("caps") or ()):
        return False
    if ex.get("minKernel") and kernel >= _kernel_version(ex["minKernel"]):
        return False
    if inc.get("arches") and arch not in inc["arches"]:
        return False
    if not all(c in caps for c in inc.get("caps") or ()):
        return False
    return not (inc.get("minKernel") and kernel < _kernel_version(inc["minKernel"]))


def _kernel() -> tuple[int, int]:
    major, minor = os.uname().release.split(".")[:2]
    return int(major), int("".join(ch for ch in minor if ch.isdigit()) or 0)


# --- the BPF program -----------------------------------------------------------------

# classic BPF opcodes (linux/bpf_common.h) and where seccomp_data keeps its fields
LD_ABS, JA, JEQ, JGT, JGE, JSET, AND, RET = 0x20, 0x05, 0x15, 0x25, 0x35, 0x45, 0x54, 0x06
NR, ARCH = 0, 4
AUDIT_ARCH = {"x86_64": 0xC000003E, "x32": 0xC000003E, "x86": 0x40000003,
              "aarch64": 0xC00000B7, "arm": 0x40000028}
X32_BIT = 0x40000000
BITS64 = {"x86_64", "x32", "aarch64"}
ENOSYS = RET_ERRNO | errno.ENOSYS
_ALLOWING = (RET_ALLOW, RET_LOG, RET_TRACE)   # runc gives no ENOSYS past these

_TABLES: dict = {}


def tables() -> dict[str, dict[str, int]]:
    if not _TABLES:
        with open(os.path.join(HERE, "syscall_numbers.json")) as f:
            _TABLES.update(json.load(f))
    return _TABLES


def compile(res: Resolved) -> bytes:
    """The BPF program for `res`: which architecture, then a search of the syscall
    number. Jumps are relative, so each piece is built on its own and placed."""
    bodies = [(AUDIT_ARCH[arch], _section(res, arch)) for arch in res.arches
              if arch != "x32"]                 # x32 shares x86_64's audit value
    # a jeq and a ja (its offset is 32 bits wide) per architecture, "ret KILL" for
    # one the profile does not name (libseccomp's default), then the sections
    code: list[tuple] = [(LD_ABS, 0, 0, ARCH)]
    pairs, before = 2 * len(bodies), 0
    for i, (audit, body) in enumerate(bodies):
        code += [(JEQ, 0, 1, audit), (JA, 0, 0, pairs - 2 * i - 1 + before)]
        before += len(body)
    code.append((RET, 0, 0, RET_KILL_THREAD))
    for _, body in bodies:
        code += body
    return _encode(code)


def _section(res: Resolved, arch: str) -> list[tuple]:
    """Code for one architecture, entered with the arch loaded: load the number and
    search it. x86_64's section also takes x32 calls (same audit value, X32_BIT set
    in the number): to x32's search if the profile names x32, else killed."""
    body = _search(res, arch)
    if arch != "x86_64":
        return [(LD_ABS, 0, 0, NR)] + body
    x32 = _search(res, "x32") if "x32" in res.arches else [(RET, 0, 0, RET_KILL_THREAD)]
    return [(LD_ABS, 0, 0, NR)] + _branch((JSET, X32_BIT), x32, body)


def _branch(test: tuple, yes: list[tuple], no: list[tuple]) -> list[tuple]:
    """`test` true: run `yes`, else `no` (each ends in a ret)."""
    op, k = test
    if len(no) <= 255:
        return [(op, len(no), 0, k)] + no + yes
    return [(op, 0, 1, k), (JA, 0, 0, len(no))] + no + yes


def _search(res: Resolved, arch: str) -> list[tuple]:
    """A binary search over ranges of syscall numbers with the same outcome."""
    table = tables()[arch]
    per_nr: dict[int, list] = {}
    for names, action, conds in res.rules:
        for name in names:
            if name in table:                   # unknown here: ignored, as runc does
                per_nr.setdefault(table[name], []).append((action, conds))
    top = max(per_nr, default=-1)
    allowing = (res.default & 0xFFFF0000) in _ALLOWING
    beyond = res.default if allowing or top < 0 else ENOSYS
    leaves, start = [], 0      # (first number, code, past the last), ascending
    for nr in sorted(per_nr):
        if nr > start:
            leaves.append((start, [(RET, 0, 0, res.default)], nr))
        leaves.append((nr, _leaf(per_nr[nr], res.default, arch in BITS64), nr + 1))
        start = nr + 1
    leaves.append((start, [(RET, 0, 0, beyond)], 1 << 32))
    return _tree(_merge(leaves))


def _merge(leaves: list) -> list:
    """Join neighbouring ranges with the same code (runs of allowed syscalls)."""
    out: list = []
    for start, code, end in leaves:
        if out and out[-1][1] == code and out[-1][2] == start:
            out[-1] = (out[-1][0], code, end)
        else:
            out.append((start, code, end))
    return out


def _tree(ranges: list) -> list[tuple]:
    if len(ranges) == 1:
        return ranges[0][1]
    mid = len(ranges) // 2
    return _branch((JGE, ranges[mid][0]), _tree(ranges[mid:]), _tree(ranges[:mid]))


def _leaf(rules: list, default: int, wide: bool) -> list[tuple]:
    """One syscall's code: an unconditional rule decides; else each conditional rule
    in turn (all its conditions true: its action), then the default."""
    for action, conds in rules:
        if not conds:
            return [(RET, 0, 0, action)]
    code: list[tuple] = []
    for action, conds in rules:
        indexes = [c[0] for c in conds]
        groups = [[c] for c in conds] if len(set(indexes)) < len(indexes) else [conds]
        for group in groups:    # runc: repeated argument indexes mean separate rules
            code += _rule(group, action, wide)
    return code + [(RET, 0, 0, default)]


def _rule(conds: list, action: int, wide: bool) -> list[tuple]:
    """All `conds` true: return `action`; else fall through past this block."""
    checks = [_cond(c, wide) for c in conds]
    size = sum(len(c) for c in checks) + 1
    out, pos = [], 0
    for check in checks:
        for ins in check:
            op, jt, jf, k = ins
            here = size - pos - 1         # from this instruction to past the block
            out.append((op, here if jt == "F" else jt, here if jf == "F" else jf, k))
            pos += 1
    return out + [(RET, 0, 0, action)]


def _cond(cond: tuple, wide: bool) -> list[tuple]:
    """A 64-bit comparison of argument `index` with `value`, in 32-bit halves (only
    the low half on a 32-bit architecture). "F": jump to the rule's failure."""
    index, op, value, two = cond
    lo_at, hi_at = 16 + 8 * index, 20 + 8 * index     # little-endian seccomp_data.args
    vlo, vhi = value & 0xFFFFFFFF, value >> 32
    if op == "SCMP_CMP_MASKED_EQ":
        lo = [(LD_ABS, 0, 0, lo_at), (AND, 0, 0, vlo), (JEQ, 0, "F", two & 0xFFFFFFFF)]
        hi = [(LD_ABS, 0, 0, hi_at), (AND, 0, 0, vhi), (JEQ, 0, "F", two >> 32)]
        return hi + lo if wide else lo
    if op in ("SCMP_CMP_EQ", "SCMP_CMP_NE"):
        fail_eq = op == "SCMP_CMP_EQ"
        if not wide:
            return [(LD_ABS, 0, 0, lo_at),
                    (JEQ, 0, "F", vlo) if fail_eq else (JEQ, "F", 0, vlo)]
        if fail_eq:
            return [(LD_ABS, 0, 0, hi_at), (JEQ, 0, "F", vhi),
                    (LD_ABS, 0, 0, lo_at), (JEQ, 0, "F", vlo)]
        return [(LD_ABS, 0, 0, hi_at), (JEQ, 0, 2, vhi),
                (LD_ABS, 0, 0, lo_at), (JEQ, "F", 0, vlo)]
    # ordered comparisons: GT/GE pass when true; LT/LE are "not GE"/"not GT"
    strict = op in ("SCMP_CMP_GT", "SCMP_CMP_LE")
    low_op = JGT if strict else JGE
    if op in ("SCMP_CMP_GT", "SCMP_CMP_GE"):
        lo = [(LD_ABS, 0, 0, lo_at), (low_op, 0, "F", vlo)]
        if not wide:
            return lo
        return [(LD_ABS, 0, 0, hi_at), (JGT, 3, 0, vhi), (JEQ, 0, "F", vhi)] + lo
    lo = [(LD_ABS, 0, 0, lo_at), (low_op, "F", 0, vlo)]
    if not wide:
        return lo
    return [(LD_ABS, 0, 0, hi_at), (JGT, "F", 0, vhi), (JEQ, 0, 2, vhi)] + lo


def _encode(code: list[tuple]) -> bytes:
    if len(code) > 4096:                      # BPF_MAXINSNS
        raise ProfileError(f"seccomp profile too large: {len(code)} BPF instructions")
    return b"".join(struct.pack("<HBBI", *ins) for ins in code)


# --- per container ---------------------------------------------------------------------

def options(security_opt) -> tuple[str, bool]:
    """HostConfig.SecurityOpt read as moby's parseSecurityOpt: (the seccomp profile
    asked for, "" if none; no-new-privileges). label and apparmor are accepted and
    mean nothing here, as on a host without SELinux or AppArmor."""
    profile, nnp = "", False
    for opt in security_opt or ():
        if opt == "no-new-privileges":
            nnp = True
            continue
        if opt in ("writable-cgroups", "disable"):
            continue
        sep = "=" if "=" in opt else ":" if ":" in opt else ""
        if not sep:
            raise ProfileError(f"invalid --security-opt 1: {json.dumps(opt)}")
        key, _, value = opt.partition(sep)
        if key == "seccomp":
            profile = value
        elif key in ("no-new-privileges", "writable-cgroups"):
            if value.lower() not in _GO_BOOLS:
                raise ProfileError(f"invalid --security-opt 2: {json.dumps(opt)}")
            nnp = _GO_BOOLS[value.lower()] if key == "no-new-privileges" else nnp
        elif key not in ("label", "apparmor"):
            raise ProfileError(f"invalid --security-opt 2: {json.dumps(opt)}")
    return profile, nnp


_GO_BOOLS = {"1": True, "t": True, "true": True, "0": False, "f": False, "false": False}


def profile_for(security_opt, privileged: bool) -> str | None:
    """The profile a container runs with (moby's WithSeccomp): None for unconfined,
    and for --privileged unless it names a profile of its own; Docker's default when
    none is named; None as well on a kernel without seccomp (Docker warns and runs
    it so; a profile of its own is refused at create, check())."""
    profile, _ = options(security_opt)
    if profile == UNCONFINED or (privileged and profile in ("", BUILTIN)):
        return None
    if not supported():
        return None
    return profile or BUILTIN


def check(security_opt, privileged: bool, caps_mask: int) -> None:
    """Refuse at create what could not start: a bad option, a profile that does not
    decode or that runc would refuse."""
    profile, _ = options(security_opt)
    if profile in ("", BUILTIN, UNCONFINED):
        return
    if not supported():
        raise ProfileError("seccomp is not enabled in your kernel, cannot run a custom "
                           "seccomp profile")
    program(profile, caps_mask)


_PROGRAMS: dict = {}
_DEFAULT_TEXT: list[str] = []


def default_text() -> str:
    if not _DEFAULT_TEXT:
        with open(os.path.join(HERE, "seccomp_default.json")) as f:
            _DEFAULT_TEXT.append(f.read())
    return _DEFAULT_TEXT[0]


def program(profile: str | None, caps: int) -> bytes | None:
    """The program for a container's profile (BUILTIN or a profile's JSON; None:
    unconfined) and capability set (a mask), built once per process and kept."""
    if profile is None or profile == UNCONFINED:
        return None
    key = (profile, caps)
    if key not in _PROGRAMS:
        from . import caps as caps_mod
        text = default_text() if profile == BUILTIN else profile
        res = resolve(decode(text), set(caps_mod.format_set(caps)))
        _PROGRAMS[key] = compile(res) if res is not None else None
        if _PROGRAMS[key] is not None:
            _loadable(_PROGRAMS[key])
    return _PROGRAMS[key]


_SUPPORTED: list[bool] = []


def supported() -> bool:
    """Whether this kernel filters system calls (CONFIG_SECCOMP) and the engine has
    this machine's syscall table (read once, before a container's /proc hides it)."""
    if not _SUPPORTED:
        ok = NATIVE is not None
        try:
            with open("/proc/self/status") as f:
                ok = ok and any(line.startswith("Seccomp:") for line in f)
        except OSError:
            ok = False
        _SUPPORTED.append(ok)
    return _SUPPORTED[0]


_NR_SECCOMP = {"x86_64": 317, "aarch64": 277}.get(os.uname().machine, -1)
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_SPEC_ALLOW = 4


_LOADABLE: dict[bytes, tuple] = {}


def _loadable(prog: bytes) -> tuple:
    """The sock_fprog the seccomp() call takes, for `prog`: made once, by the parent
    (program() makes it), so that a child after its fork only makes the call (making
    a ctypes structure there costs a quarter of a millisecond)."""
    if prog not in _LOADABLE:
        from . import syscalls as sc
        sc._lib()
        ctypes = sc.ctypes

        class Fprog(ctypes.Structure):
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
        buf = ctypes.create_string_buffer(prog, len(prog))
        fprog = Fprog(len(prog) // 8, ctypes.addressof(buf))
        _LOADABLE[prog] = (buf, fprog, ctypes.byref(fprog))
    return _LOADABLE[prog]


def load(prog: bytes) -> None:
    """Install `prog` on this thread: from here on (and across exec) the kernel runs
    it at every system call. Like runc, keep speculative-store-bypass mitigation as
    the process had it (SPEC_ALLOW), where the kernel knows the flag."""
    from . import syscalls as sc
    ref = _loadable(prog)[2]
    for flags in (SECCOMP_FILTER_FLAG_SPEC_ALLOW, 0):
        if sc._LIBC.syscall(_NR_SECCOMP, SECCOMP_SET_MODE_FILTER, flags, ref) == 0:
            return
        err = sc.ctypes.get_errno()
        if err != errno.EINVAL or not flags:
            raise OSError(err, f"seccomp: {os.strerror(err)}")
