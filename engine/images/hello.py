"""The program inside the offline ``hello-world`` image.

dockerlings builds its ``hello-world`` image itself, ``FROM scratch``, with no
compiler and no network: the image's one file is a tiny static Linux
executable that this module writes byte by byte.  The program prints
:data:`MESSAGE` to standard output and exits with status 0.

:func:`elf` returns that executable for ``x86_64`` or ``aarch64``.  The
machine code is assembled here by hand; every instruction is listed with its
assembly text, so the bytes can be checked with a disassembler::

    objdump -D -b binary -m i386:x86-64 --start-address=0x78 hello-amd64
    aarch64-linux-gnu-objdump -D -b binary -m aarch64 \\
        --start-address=0x78 hello-arm64

The file is one ELF header, one program header (a single read+execute
``PT_LOAD`` segment mapping the whole file at :data:`LOAD_ADDRESS`), the code,
then the message bytes.  It has no section headers, no libc and no dynamic
linker.  What the code does, in C terms::

    const char *p = msg; size_t left = len;
    while (left != 0) {
        ssize_t n = write(1, p, left);     /* may write only part */
        if (n <= 0) exit(1);               /* error: give up */
        p += n; left -= n;
    }
    exit(0);
"""

from __future__ import annotations

import os
import struct

__all__ = ["MESSAGE", "LOAD_ADDRESS", "elf", "go_arch", "normalize_arch"]

MESSAGE: str = """
Hello from dockerlings!
Your own container engine is up and running: this message came from inside
a container that it started just now.

How this message reached you:
 1. You typed a docker command into the dockerlings shell.
 2. The engine looked for the "hello-world" image in its local store, and
    made it there if it was missing: dockerlings builds that image offline,
    FROM scratch, and it holds only this one small program.
 3. The engine created a container from the image: it made new namespaces,
    set up an overlay filesystem, and started this program as process 1.
 4. The engine relayed the program's output to your terminal.

Something to try next, a shell inside a small Linux container:
 $ docker run -it busybox sh

To see the container that just ran (it has exited, so add -a):
 $ docker ps -a

Happy learning, and type "exit" in a container shell to come back here.
"""

#: Virtual address at which the whole file is mapped.
LOAD_ADDRESS = 0x400000

_ELF_HEADER_SIZE = 64
_PROGRAM_HEADER_SIZE = 56
_CODE_OFFSET = _ELF_HEADER_SIZE + _PROGRAM_HEADER_SIZE  # 0x78, 4-byte aligned

_EM_X86_64 = 62
_EM_AARCH64 = 183

_ALIASES = {
    "x86_64": "x86_64",
    "amd64": "x86_64",
    "aarch64": "aarch64",
    "arm64": "aarch64",
}


def normalize_arch(arch: str) -> str:
    """Return ``"x86_64"`` or ``"aarch64"`` for a name or alias of either.

    Accepts the kernel names (``x86_64``, ``aarch64``) and the OCI/Go names
    (``amd64``, ``arm64``), in any letter case.  Raises :class:`ValueError`
    for any other architecture.
    """
    key = arch.strip().lower() if isinstance(arch, str) else arch
    try:
        return _ALIASES[key]
    except (KeyError, TypeError):
        raise ValueError(
            f"no hello-world program for architecture {arch!r}: "
            "supported are x86_64 (amd64) and aarch64 (arm64)"
        ) from None


# --------------------------------------------------------------------------
# A tiny two-pass assembler: a program is a list of labels (str) and
# instructions.  An instruction is (assembly text, size in bytes, encoder);
# the encoder gets the instruction's own address and the label addresses and
# returns exactly ``size`` bytes.

_Encoder = "Callable[[int, dict[str, int]], bytes]"  # typing.Callable, spelled lazily
_Item = str | tuple[str, int, _Encoder]


def _assemble(items: list[_Item], base: int) -> tuple[bytes, dict[str, int]]:
    labels: dict[str, int] = {}
    pc = base
    for item in items:  # pass 1: every size is fixed, so place the labels
        if isinstance(item, str):
            labels[item] = pc
        else:
            pc += item[1]
    code = bytearray()
    pc = base
    for item in items:  # pass 2: encode
        if isinstance(item, str):
            continue
        text, size, encode = item
        data = encode(pc, labels)
        if len(data) != size:  # pragma: no cover - a bug in a table below
            raise AssertionError(f"{text}: {len(data)} bytes, expected {size}")
        code += data
        pc += size
    return bytes(code), labels


def _fixed(text: str, data: bytes) -> tuple[str, int, _Encoder]:
    return (text, len(data), lambda pc, labels: data)


# ----------------------------------------------------------------- x86_64

def _rel8(target: int, next_pc: int) -> bytes:
    disp = target - next_pc
    if not -128 <= disp <= 127:  # pragma: no cover - the code is tiny
        raise AssertionError("rel8 jump out of range")
    return struct.pack("<b", disp)


def _x86_64_program(length: int) -> list[_Item]:
    # Linux x86_64 syscall ABI: number in rax, arguments in rdi, rsi, rdx;
    # `syscall` returns the result in rax (-errno on error) and clobbers
    # rcx and r11.  "mov r32, imm32" zero-extends into the 64-bit register.
    return [
        # lea rsi, [rip+disp32]     REX.W 8D /r, ModRM 00 110 101 = 0x35
        ("lea rsi, [rip+msg]", 7, lambda pc, L: b"\x48\x8d\x35"
         + struct.pack("<i", L["msg"] - (pc + 7))),
        # mov edx, imm32            B8+rd (rd=2)
        _fixed(f"mov edx, {length:#x}", b"\xba" + struct.pack("<I", length)),
        # test edx, edx             85 /r, ModRM 11 010 010 = 0xD2
        _fixed("test edx, edx", b"\x85\xd2"),
        # jz done                   74 rel8   (empty message: nothing to do)
        ("jz done", 2, lambda pc, L: b"\x74" + _rel8(L["done"], pc + 2)),
        "again",
        # mov edi, 1                B8+rd (rd=7): fd 1 = standard output
        _fixed("mov edi, 1", b"\xbf\x01\x00\x00\x00"),
        # mov eax, 1                B8+rd (rd=0): __NR_write = 1
        _fixed("mov eax, 1", b"\xb8\x01\x00\x00\x00"),
        # syscall                   0F 05: rax = write(rdi, rsi, rdx)
        _fixed("syscall", b"\x0f\x05"),
        # test rax, rax             REX.W 85 /r, ModRM 11 000 000 = 0xC0
        _fixed("test rax, rax", b"\x48\x85\xc0"),
        # jle fail                  7E rel8   (rax <= 0: error, give up)
        ("jle fail", 2, lambda pc, L: b"\x7e" + _rel8(L["fail"], pc + 2)),
        # add rsi, rax              REX.W 01 /r, ModRM 11 000 110 = 0xC6
        _fixed("add rsi, rax", b"\x48\x01\xc6"),
        # sub rdx, rax              REX.W 29 /r, ModRM 11 000 010 = 0xC2
        _fixed("sub rdx, rax", b"\x48\x29\xc2"),
        # jnz again                 75 rel8   (bytes left: write the rest)
        ("jnz again", 2, lambda pc, L: b"\x75" + _rel8(L["again"], pc + 2)),
        "done",
        # xor edi, edi              31 /r, ModRM 11 111 111 = 0xFF: status 0
        _fixed("xor edi, edi", b"\x31\xff"),
        # jmp exit                  EB rel8
        ("jmp exit", 2, lambda pc, L: b"\xeb" + _rel8(L["exit"], pc + 2)),
        "fail",
        # mov edi, 1                status 1
        _fixed("mov edi, 1", b"\xbf\x01\x00\x00\x00"),
        "exit",
        # mov eax, 60               __NR_exit = 60
        _fixed("mov eax, 60", b"\xb8\x3c\x00\x00\x00"),
        # syscall                   exit(rdi); does not return
        _fixed("syscall", b"\x0f\x05"),
        "msg",
    ]


# ---------------------------------------------------------------- aarch64
# Every A64 instruction is one little-endian 32-bit word.

def _a64(word: int) -> bytes:
    return struct.pack("<I", word)


def _a64_imm19(target: int, pc: int) -> int:
    """imm19 field (bits 23..5) of a PC-relative branch to ``target``."""
    offset = target - pc
    if offset % 4 or not -(1 << 20) <= offset < (1 << 20):
        raise AssertionError("branch target out of range")  # pragma: no cover
    return ((offset >> 2) & 0x7FFFF) << 5


def _a64_adr(rd: int, target: int, pc: int) -> int:
    """ADR Xd, target: 0 immlo:2 10000 immhi:19 Rd:5, offset = immhi:immlo."""
    offset = target - pc
    if not -(1 << 20) <= offset < (1 << 20):
        raise AssertionError("adr target out of range")  # pragma: no cover
    immlo = offset & 0x3
    immhi = (offset >> 2) & 0x7FFFF
    return 0x10000000 | (immlo << 29) | (immhi << 5) | rd


def _movz(rd: int, imm16: int, shift: int = 0) -> int:
    """MOVZ Xd, #imm16, LSL #shift (64-bit): 1 10 100101 hw imm16 Rd."""
    return 0xD2800000 | ((shift // 16) << 21) | (imm16 << 5) | rd


def _movk(rd: int, imm16: int, shift: int) -> int:
    """MOVK Xd, #imm16, LSL #shift (64-bit): 1 11 100101 hw imm16 Rd."""
    return 0xF2800000 | ((shift // 16) << 21) | (imm16 << 5) | rd


_COND_NE = 0x1
_COND_LE = 0xD


def _aarch64_program(length: int) -> list[_Item]:
    # Linux aarch64 syscall ABI: number in x8, arguments in x0, x1, x2;
    # `svc #0` returns the result in x0 (-errno on error).
    lo, hi = length & 0xFFFF, length >> 16
    return [
        # adr x1, msg               PC-relative address of the message
        ("adr x1, msg", 4, lambda pc, L: _a64(_a64_adr(1, L["msg"], pc))),
        # movz x2, #lo              low 16 bits of the length
        _fixed(f"mov x2, #{lo:#x}", _a64(_movz(2, lo))),
        # movk x2, #hi, lsl #16     high 16 bits of the length
        _fixed(f"movk x2, #{hi:#x}, lsl #16", _a64(_movk(2, hi, 16))),
        # cbz x2, done              1 011010 0 imm19 Rt (empty message)
        ("cbz x2, done", 4,
         lambda pc, L: _a64(0xB4000000 | _a64_imm19(L["done"], pc) | 2)),
        "again",
        # movz x0, #1               fd 1 = standard output
        _fixed("mov x0, #1", _a64(_movz(0, 1))),
        # movz x8, #64              __NR_write = 64
        _fixed("mov x8, #64", _a64(_movz(8, 64))),
        # svc #0                    1101 0100 000 imm16 000 01
        _fixed("svc #0", _a64(0xD4000001)),
        # cmp x0, #0                = subs xzr, x0, #0: 1 1 1 100010 0 imm12 Rn Rd
        _fixed("cmp x0, #0", _a64(0xF1000000 | (0 << 5) | 31)),
        # b.le fail                 0101010 0 imm19 0 cond (x0 <= 0: give up)
        ("b.le fail", 4, lambda pc, L: _a64(
            0x54000000 | _a64_imm19(L["fail"], pc) | _COND_LE)),
        # add x1, x1, x0            1 0 0 01011 00 0 Rm imm6 Rn Rd
        _fixed("add x1, x1, x0", _a64(0x8B000000 | (0 << 16) | (1 << 5) | 1)),
        # subs x2, x2, x0           1 1 1 01011 00 0 Rm imm6 Rn Rd
        _fixed("subs x2, x2, x0", _a64(0xEB000000 | (0 << 16) | (2 << 5) | 2)),
        # b.ne again                bytes left: write the rest
        ("b.ne again", 4, lambda pc, L: _a64(
            0x54000000 | _a64_imm19(L["again"], pc) | _COND_NE)),
        "done",
        # movz x0, #0               status 0
        _fixed("mov x0, #0", _a64(_movz(0, 0))),
        # b exit                    0 00101 imm26
        ("b exit", 4, lambda pc, L: _a64(
            0x14000000 | (((L["exit"] - pc) >> 2) & 0x3FFFFFF))),
        "fail",
        # movz x0, #1               status 1
        _fixed("mov x0, #1", _a64(_movz(0, 1))),
        "exit",
        # movz x8, #93              __NR_exit = 93
        _fixed("mov x8, #93", _a64(_movz(8, 93))),
        # svc #0                    exit(x0); does not return
        _fixed("svc #0", _a64(0xD4000001)),
        "msg",
    ]


_TARGETS = {
    # arch: (e_machine, program builder, p_align)
    "x86_64": (_EM_X86_64, _x86_64_program, 0x1000),
    # 64 KiB: the largest page size an arm64 kernel may use.
    "aarch64": (_EM_AARCH64, _aarch64_program, 0x10000),
}


def elf(arch: str, message: bytes = MESSAGE.encode()) -> bytes:
    """Return a static ELF64 executable that prints ``message`` and exits 0.

    ``arch`` is ``"x86_64"``/``"amd64"`` or ``"aarch64"``/``"arm64"``.  The
    result depends only on its arguments (no timestamps, no randomness).
    The program writes ``message`` to file descriptor 1, calling write again
    after a partial write until every byte is out, then exits 0; if a write
    fails it exits 1.
    """
    e_machine, program, p_align = _TARGETS[normalize_arch(arch)]
    if isinstance(message, str):
        message = message.encode()
    message = bytes(message)
    if len(message) >= 1 << 32:
        raise ValueError("message too long (must be under 4 GiB)")

    entry = LOAD_ADDRESS + _CODE_OFFSET
    code, labels = _assemble(program(len(message)), entry)
    assert labels["msg"] == entry + len(code)
    file_size = _CODE_OFFSET + len(code) + len(message)

    ident = b"\x7fELF" + bytes([
        2,  # EI_CLASS = ELFCLASS64
        1,  # EI_DATA = ELFDATA2LSB (little-endian)
        1,  # EI_VERSION = EV_CURRENT
        0,  # EI_OSABI = ELFOSABI_SYSV
        0,  # EI_ABIVERSION
    ]) + bytes(7)  # EI_PAD
    header = ident + struct.pack(
        "<HHIQQQIHHHHHH",
        2,                     # e_type = ET_EXEC
        e_machine,             # e_machine
        1,                     # e_version = EV_CURRENT
        entry,                 # e_entry
        _ELF_HEADER_SIZE,      # e_phoff: program header right after this
        0,                     # e_shoff: no section headers
        0,                     # e_flags
        _ELF_HEADER_SIZE,      # e_ehsize
        _PROGRAM_HEADER_SIZE,  # e_phentsize
        1,                     # e_phnum
        0,                     # e_shentsize (no section headers)
        0,                     # e_shnum
        0,                     # e_shstrndx = SHN_UNDEF
    )
    phdr = struct.pack(
        "<IIQQQQQQ",
        1,             # p_type = PT_LOAD
        4 | 1,         # p_flags = PF_R | PF_X
        0,             # p_offset: map the file from its first byte
        LOAD_ADDRESS,  # p_vaddr
        LOAD_ADDRESS,  # p_paddr
        file_size,     # p_filesz
        file_size,     # p_memsz (no .bss)
        p_align,       # p_align
    )
    assert len(header) == _ELF_HEADER_SIZE and len(phdr) == _PROGRAM_HEADER_SIZE
    return header + phdr + code + message


_GO_ARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "x64": "amd64",
    "aarch64": "arm64",
    "arm64": "arm64",
    "i386": "386",
    "i486": "386",
    "i586": "386",
    "i686": "386",
    "x86": "386",
    "armv6l": "arm",
    "armv7l": "arm",
    "armv8l": "arm",
    "arm": "arm",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "mips64": "mips64",
    "loongarch64": "loong64",
}


def go_arch(machine: str | None = None) -> str:
    """Return the OCI/Go architecture name of this machine (or of ``machine``).

    ``platform.machine()`` says ``x86_64`` (``AMD64`` on Windows) or
    ``aarch64`` (``arm64`` on macOS); OCI image configs and manifests say
    ``amd64`` and ``arm64``.  A name not in the table is returned lower-cased.
    """
    name = (os.uname().machine if machine is None else machine).strip().lower()
    return _GO_ARCH.get(name, name)
