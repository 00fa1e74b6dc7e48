"""The few eBPF instructions and bpf(2) commands a device policy needs.

A container's device rules on cgroup v2 are a BPF_PROG_TYPE_CGROUP_DEVICE program
attached to its cgroup (as runc and crun do): the kernel runs it on every mknod and
open of a device node and allows the access when it returns 1. The engine assembles
that program itself (devices.py) from these instructions, so it needs no compiler and
no library; the kernel's verifier checks it when it is loaded.
"""
from __future__ import annotations

import errno
import os
import struct

from . import syscalls as sc

# bpf(2) commands, program and attach types, flags (linux/bpf.h)
PROG_LOAD = 5
PROG_ATTACH = 8
PROG_GET_FD_BY_ID = 13
OBJ_GET_INFO_BY_FD = 15
PROG_QUERY = 16
PROG_TYPE_CGROUP_DEVICE = 15
CGROUP_DEVICE = 6                  # attach type
F_ALLOW_MULTI = 2

_NR_BPF = {"x86_64": 321, "aarch64": 280}[os.uname().machine]

# registers
R0, R1, R2, R3, R4, R5 = range(6)


def _insn(code: int, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> bytes:
    """struct bpf_insn, as a little-endian machine lays it out."""
    return struct.pack("<BBhi", code, dst | src << 4, off, imm)


def load_word(dst: int, src: int, off: int) -> bytes:
    """dst = *(u32 *)(src + off)"""
    return _insn(0x61, dst, src, off)


def and_imm(dst: int, imm: int) -> bytes:
    """w_dst &= imm (32-bit)"""
    return _insn(0x54, dst, imm=imm)


def rsh_imm(dst: int, imm: int) -> bytes:
    """w_dst >>= imm (32-bit)"""
    return _insn(0x74, dst, imm=imm)


def mov_reg(dst: int, src: int) -> bytes:
    """w_dst = w_src (32-bit)"""
    return _insn(0xbc, dst, src)


def mov_imm(dst: int, imm: int) -> bytes:
    """w_dst = imm (32-bit)"""
    return _insn(0xb4, dst, imm=imm)


def jne_imm(dst: int, imm: int, off: int) -> bytes:
    """if dst != imm: skip `off` instructions"""
    return _insn(0x55, dst, off=off, imm=imm)


def jne_reg(dst: int, src: int, off: int) -> bytes:
    """if dst != src: skip `off` instructions"""
    return _insn(0x5d, dst, src, off)


def exit_() -> bytes:
    return _insn(0x95)


class BPFError(OSError):
    """bpf(2) failed; for a load, `log` holds what the verifier said."""

    def __init__(self, err: int, what: str, log: str = ""):
        super().__init__(err, f"{what}: {os.strerror(err)}" + (f"\n{log}" if log else ""))
        self.log = log


def _ctypes():
    sc._lib()            # loads ctypes on first use (syscalls.py)
    return sc.ctypes


def _bpf(cmd: int, attr, what: str) -> int:
    ctypes = _ctypes()
    ret = sc._lib().syscall(_NR_BPF, cmd, attr, ctypes.c_uint(ctypes.sizeof(attr)))
    if ret < 0:
        raise BPFError(ctypes.get_errno(), what)
    return ret


def _attr(data: bytes):
    """A union bpf_attr holding `data` (zero-padded: unused fields must be 0)."""
    return _ctypes().create_string_buffer(data.ljust(128, b"\0"), 128)


def load(prog_type: int, program: bytes, name: str, license: str = "MIT") -> int:
    """Load a program; returns its fd (close-on-exec, as every bpf fd). A program the
    verifier refuses raises BPFError with the verifier's log."""
    ctypes = _ctypes()
    insns = ctypes.create_string_buffer(program, len(program))
    lic = ctypes.create_string_buffer(license.encode())

    def attempt(log=None) -> int:
        attr = _attr(struct.pack("<IIQQIIQII16s", prog_type, len(program) // 8,
                                 ctypes.addressof(insns), ctypes.addressof(lic),
                                 1 if log else 0, len(log) if log else 0,
                                 ctypes.addressof(log) if log else 0, 0, 0,
                                 name.encode()[:15]))
        return _bpf(PROG_LOAD, attr, "bpf(BPF_PROG_LOAD)")
    try:
        return attempt()
    except BPFError as e:
        if e.errno not in (errno.EACCES, errno.EINVAL):    # the verifier refused
            raise
        log = ctypes.create_string_buffer(65536)
        try:                                               # again, for its words
            os.close(attempt(log))
        except BPFError:
            pass
        raise BPFError(e.errno, "bpf(BPF_PROG_LOAD)", log.value.decode(errors="replace"))


def attach(target_fd: int, prog_fd: int, attach_type: int, flags: int = 0) -> None:
    _bpf(PROG_ATTACH, _attr(struct.pack("<IIII", target_fd, prog_fd, attach_type, flags)),
         "bpf(BPF_PROG_ATTACH)")


def attached(target_fd: int, attach_type: int, most: int = 64) -> list[int]:
    """IDs of the programs attached to `target_fd` itself (not those it inherits)."""
    ctypes = _ctypes()
    ids = (ctypes.c_uint32 * most)()
    attr = _attr(struct.pack("<IIIIQI", target_fd, attach_type, 0, 0,
                             ctypes.addressof(ids), most))
    _bpf(PROG_QUERY, attr, "bpf(BPF_PROG_QUERY)")
    count = struct.unpack_from("<I", attr.raw, 24)[0]
    return list(ids[:min(count, most)])


def prog_id(prog_fd: int) -> int:
    """The kernel's ID of a loaded program (struct bpf_prog_info's second field)."""
    ctypes = _ctypes()
    info = ctypes.create_string_buffer(8)
    _bpf(OBJ_GET_INFO_BY_FD, _attr(struct.pack("<IIQ", prog_fd, len(info),
                                               ctypes.addressof(info))),
         "bpf(BPF_OBJ_GET_INFO_BY_FD)")
    return struct.unpack("<II", info.raw)[1]


def prog_exists(ident: int) -> bool:
    """Whether a program with this ID is still loaded (held by an fd or a cgroup)."""
    try:
        fd = _bpf(PROG_GET_FD_BY_ID, _attr(struct.pack("<I", ident)),
                  "bpf(BPF_PROG_GET_FD_BY_ID)")
    except BPFError as e:
        if e.errno == errno.ENOENT:     # freed
            return False
        raise
    os.close(fd)
    return True
