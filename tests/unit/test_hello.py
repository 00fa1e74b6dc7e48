"""The hand-assembled hello-world program (engine/images/hello.py).

The binaries are run for real: natively when the host has the same CPU, else
under qemu user-mode emulation (``qemu-aarch64`` / ``qemu-x86_64``, from the
Debian package ``qemu-user``).  Without that emulator those tests skip and
say which command is missing.
"""

from __future__ import annotations

import fcntl
import os
import platform
import shutil
import signal
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest

from engine.images.hello import LOAD_ADDRESS, MESSAGE, elf, go_arch, normalize_arch

ARCHES = ["x86_64", "aarch64"]
EM = {"x86_64": 62, "aarch64": 183}
EXPECTED = MESSAGE.encode()


def _host_arch() -> str | None:
    try:
        return normalize_arch(platform.machine())
    except ValueError:
        return None


def _command(arch: str, tmp_path: Path, message: bytes | None = None) -> list[str]:
    """Write the program for ``arch`` and return the argv that runs it here."""
    path = tmp_path / f"hello-{arch}"
    data = elf(arch) if message is None else elf(arch, message)
    path.write_bytes(data)
    path.chmod(0o755)
    if _host_arch() == arch:
        return [str(path)]
    qemu = shutil.which(f"qemu-{arch}") or shutil.which(f"qemu-{arch}-static")
    if qemu is None:
        pytest.skip(
            f"qemu-{arch} not installed: cannot run an {arch} binary on this "
            f"{platform.machine()} host (apt-get install -y qemu-user)"
        )
    return [qemu, str(path)]


def _read_all(fd: int, chunk: int) -> bytes:
    out = bytearray()
    while True:
        data = os.read(fd, chunk)
        if not data:
            return bytes(out)
        out += data


def _state(pid: int) -> str:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2]


# ------------------------------------------------------------ the message

def test_message_text():
    assert MESSAGE.startswith("\nHello from dockerlings!\n")
    assert MESSAGE.endswith("\n") and not MESSAGE.endswith("\n\n")
    assert MESSAGE.isascii()
    assert all(len(line) < 80 for line in MESSAGE.splitlines())
    for step in (" 1. ", " 2. ", " 3. ", " 4. "):
        assert step in MESSAGE
    for needle in ("hello-world", "FROM scratch", "namespaces", "overlay",
                   "process 1", "docker run -it busybox sh", "docker ps -a"):
        assert needle in MESSAGE
    assert "Docker took the following steps" not in MESSAGE  # our own words
    assert 500 < len(EXPECTED) < 1500


# ------------------------------------------------------------ the ELF file

@pytest.mark.parametrize("arch", ARCHES)
def test_elf_header(arch):
    data = elf(arch)
    ident = data[:16]
    assert ident[:4] == b"\x7fELF"
    assert ident[4] == 2  # ELFCLASS64
    assert ident[5] == 1  # little-endian
    assert ident[6] == 1  # EV_CURRENT
    (e_type, e_machine, e_version, e_entry, e_phoff, e_shoff, _flags,
     e_ehsize, e_phentsize, e_phnum, _shentsize, e_shnum, _shstrndx) = \
        struct.unpack_from("<HHIQQQIHHHHHH", data, 16)
    assert e_type == 2  # ET_EXEC
    assert e_machine == EM[arch]
    assert e_version == 1
    assert (e_phoff, e_ehsize, e_phentsize, e_phnum) == (64, 64, 56, 1)
    assert e_shoff == 0 and e_shnum == 0

    (p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz,
     p_align) = struct.unpack_from("<IIQQQQQQ", data, e_phoff)
    assert p_type == 1  # PT_LOAD
    assert p_flags == 5  # PF_R | PF_X, not writable
    assert p_offset == 0 and p_vaddr == p_paddr == LOAD_ADDRESS
    assert p_filesz == p_memsz == len(data)
    assert p_align & (p_align - 1) == 0 and p_vaddr % p_align == p_offset % p_align
    # The entry point is in the segment, past the headers, on the code.
    assert p_vaddr + 64 + 56 <= e_entry < p_vaddr + p_filesz
    if arch == "aarch64":
        assert e_entry % 4 == 0
    assert data.endswith(EXPECTED)


@pytest.mark.parametrize("arch", ARCHES)
def test_deterministic_and_small(arch):
    first = elf(arch)
    assert elf(arch) == first == elf(arch, MESSAGE.encode())
    assert len(first) < len(EXPECTED) + 300


def test_aliases():
    assert elf("amd64") == elf("x86_64") == elf("AMD64")
    assert elf("arm64") == elf("aarch64")
    assert elf("x86_64") != elf("aarch64")


@pytest.mark.parametrize("bad", ["riscv64", "i386", "arm", "", "x86-64"])
def test_unknown_arch(bad):
    with pytest.raises(ValueError):
        elf(bad)


def test_other_message_changes_only_length_and_tail():
    a, b = elf("x86_64", b"a\n"), elf("x86_64", b"bb\n")
    assert a.endswith(b"a\n") and b.endswith(b"bb\n")
    assert len(b) == len(a) + 1


# ------------------------------------------------------------ go_arch

@pytest.mark.parametrize("machine, expected", [
    ("x86_64", "amd64"), ("AMD64", "amd64"), ("amd64", "amd64"),
    ("aarch64", "arm64"), ("arm64", "arm64"), ("ARM64", "arm64"),
    ("armv7l", "arm"), ("i686", "386"), ("ppc64le", "ppc64le"),
    ("s390x", "s390x"), ("riscv64", "riscv64"),
])
def test_go_arch_table(machine, expected):
    assert go_arch(machine) == expected


def test_go_arch_host():
    assert go_arch() == go_arch(platform.machine())
    if _host_arch() is not None:
        assert go_arch() in ("amd64", "arm64")
        assert normalize_arch(go_arch()) == _host_arch()


# ------------------------------------------------------------ running it

@pytest.mark.parametrize("arch", ARCHES)
def test_runs_and_prints_message(arch, tmp_path):
    proc = subprocess.run(_command(arch, tmp_path), capture_output=True,
                          timeout=30)
    assert proc.stdout == EXPECTED
    assert proc.stdout.decode() == MESSAGE
    assert proc.stderr == b""
    assert proc.returncode == 0


@pytest.mark.parametrize("arch", ARCHES)
def test_through_pipe_in_small_chunks(arch, tmp_path):
    proc = subprocess.Popen(_command(arch, tmp_path), stdout=subprocess.PIPE,
                            bufsize=0)
    try:
        out = _read_all(proc.stdout.fileno(), 7)
    finally:
        proc.stdout.close()
        rc = proc.wait(timeout=30)
    assert out == EXPECTED
    assert rc == 0


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize("message", [b"", b"x", b"hi\n", bytes(range(256)) * 40])
def test_other_messages(arch, message, tmp_path):
    proc = subprocess.run(_command(arch, tmp_path, message),
                          capture_output=True, timeout=30)
    assert proc.stdout == message
    assert proc.returncode == 0


@pytest.mark.parametrize("arch", ARCHES)
def test_partial_write_is_resumed(arch, tmp_path):
    """A write cut short is continued until every byte is out.

    The message is larger than a pipe, so the program blocks in write() once
    the pipe is full.  A SIGSTOP/SIGCONT pair then makes the kernel return
    that write() early with a partial count; a program that did not loop
    would exit having written only the first pipe-full.
    """
    message = bytes(range(256)) * 4096  # 1 MiB
    proc = subprocess.Popen(_command(arch, tmp_path, message),
                            stdout=subprocess.PIPE, bufsize=0)
    fd = proc.stdout.fileno()
    try:
        deadline = time.monotonic() + 20
        while True:  # wait until the pipe is full and the writer sleeps
            pending = struct.unpack("i", fcntl.ioctl(
                fd, termios.FIONREAD, b"\0\0\0\0"))[0]
            if pending >= 4096 and _state(proc.pid) == "S":
                break
            assert time.monotonic() < deadline, "program never blocked"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGSTOP)
        while _state(proc.pid) not in "Tt":
            assert time.monotonic() < deadline, "program never stopped"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGCONT)
        out = _read_all(fd, 4093)
    finally:
        proc.stdout.close()
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGCONT)
        rc = proc.wait(timeout=30)
    assert len(out) == len(message)
    assert out == message
    assert rc == 0


@pytest.mark.parametrize("arch", ARCHES)
def test_write_error_exits_nonzero(arch, tmp_path):
    """stdout closed: write() fails with EBADF and the program exits 1."""
    cmd = _command(arch, tmp_path)
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, timeout=30,
                          preexec_fn=lambda: os.close(1))
    assert proc.returncode == 1


def test_the_message_is_true_whether_the_image_was_there_or_just_made():
    """It is printed right after `Unable to find image 'hello-world:latest' locally`
    the first time, and with no such line later: it must not say the image was found."""
    from engine.images.hello import MESSAGE
    assert "found the" not in MESSAGE
    assert "if it was missing" in MESSAGE
    assert max(len(line) for line in MESSAGE.splitlines()) <= 76
