"""docker save, load, export and import: the docker CLI's half (where the bytes come from
and go, its checks and words); the engine's half is engine/distribution."""
from __future__ import annotations

import os
import stat
import threading

from engine.distribution import archives, filesystems
from engine.errors import CliError, EngineError

from ..cli.parser import Invocation

TERMINAL = "cowardly refusing to save to a terminal. Use the -o flag or redirect"


class AtomicFile:
    """moby/sys atomicwriter: a temp file beside the target, renamed over it once
    everything was written (0600, as the docker CLI creates it), removed on failure."""

    def __init__(self, path: str, doing: str):
        _validate_destination(path, doing)
        folder = os.path.dirname(os.path.abspath(path))
        self.path = os.path.abspath(path)
        self.tmp = os.path.join(folder, f".tmp-{os.path.basename(path)}{os.urandom(5).hex()}")
        try:
            fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        except OSError as e:       # a name that fits, but not with the temp file's prefix
            raise CliError(f"{doing}: createtemp {folder}/.tmp-{os.path.basename(path)}*: "
                           f"{os.strerror(e.errno).lower()}") from None
        self.file = os.fdopen(fd, "wb", buffering=1 << 20)

    def commit(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self.file.close()
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass


def _validate_destination(path: str, doing: str) -> None:
    folder = os.path.dirname(path)
    if folder and folder not in (".", ".."):
        try:
            st = os.stat(folder)
        except OSError as e:
            raise CliError(f"{doing}: invalid output path: stat {folder}: "
                           f"{os.strerror(e.errno).lower()}") from None
        except ValueError:                # a NUL in the name
            raise CliError(f"{doing}: invalid output path: stat {folder}: invalid "
                           "argument") from None
        if not stat.S_ISDIR(st.st_mode):
            raise CliError(f"{doing}: invalid output path: stat {folder}: not a directory")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as e:           # a name too long for the file system
        raise CliError(f"{doing}: failed to stat output path: lstat {path}: "
                       f"{os.strerror(e.errno).lower()}") from None
    except ValueError:             # a NUL in the name
        raise CliError(f"{doing}: failed to stat output path: lstat {path}: invalid "
                       "argument") from None
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return
    what = ("a directory" if stat.S_ISDIR(mode) else "a symbolic link directly"
            if stat.S_ISLNK(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else
            "a socket" if stat.S_ISSOCK(mode) else "a character device file"
            if stat.S_ISCHR(mode) else "a block device file")
    raise CliError(f"{doing}: cannot write to {what}")


def _local(env, path: str) -> str:
    return path if os.path.isabs(path) else os.path.join(env.cwd, path)


def _output(env, inv: Invocation, doing: str):
    """(binary stream, AtomicFile or None) for -o or standard output."""
    if inv.output:
        f = AtomicFile(_local(env, inv.output), doing)
        return f.file, f
    if env.stdout_tty:
        raise CliError(TERMINAL)
    return env.stdout, None


def _write_out(env, inv: Invocation, doing: str, produce) -> None:
    """produce(stream) into -o (all or nothing, as the CLI's atomic writer) or stdout."""
    out, atomic = _output(env, inv, doing)
    try:
        produce(out)
        out.flush()
    except BaseException:
        if atomic:
            atomic.discard()
        raise
    if atomic:
        atomic.commit()


def save(env, inv: Invocation) -> int:
    def produce(out):
        with env.api.request("GET", "/images/get", names=list(inv.args)):
            archives.save(env.engine, list(inv.args), out)
    _write_out(env, inv, "failed to save image", produce)
    _gzip_hint(env, inv)
    return 0


def _gzip_name(path: str | None) -> bool:
    return bool(path) and path.endswith((".gz", ".tgz"))


def _gzip_hint(env, inv: Invocation) -> None:
    """The course's own slip: `docker save -o x.tar.gz` writes a plain tar."""
    if _gzip_name(inv.output):
        env.err(env.hint(f"docker save writes a plain tar, not gzip, whatever the name: "
                         f"{inv.output} is not compressed. To compress it: docker save "
                         f"{' '.join(inv.args)} | gzip > {inv.output} (docker load reads "
                         "both)."))


def _open_input(env, name: str):
    """A file the docker CLI opens itself, with Go's os.Open words when it cannot."""
    try:
        return open(_local(env, name), "rb")
    except OSError as e:
        raise CliError(f"open {name}: {os.strerror(e.errno).lower()}") from None
    except ValueError:                    # a NUL in the name: the kernel's EINVAL
        raise CliError(f"open {name}: invalid argument") from None


def load(env, inv: Invocation) -> int:
    if inv.input:
        stream = _open_input(env, inv.input)
    else:
        if env.stdin_tty:
            raise CliError("requested load from stdin, but stdin is empty")
        stream = env.stdin
    quiet = inv.quiet or not env.stdout_tty

    def progress(diff_id: str, size: int) -> None:
        if not quiet:
            env.out(f"{diff_id[7:19]}: Loading layer {_size(size)}")
    try:
        with env.api.request("POST", "/images/load", quiet=quiet):
            archives.load(env.engine, stream, say=env.out, progress=progress)
    finally:
        if inv.input:
            stream.close()
    return 0


def _size(n: int) -> str:
    from ..render.units import human_size
    return human_size(n)


def export(env, inv: Invocation) -> int:
    def produce(out):
        with env.api.request("GET", f"/containers/{inv.args[0]}/export"):
            stream_from_fd(lambda fd: filesystems.export(env.engine, inv.args[0], fd), out)
    _write_out(env, inv, "failed to export container", produce)
    return 0


def stream_from_fd(produce, out) -> None:
    """produce(fd) writes into a file descriptor; `out` may be any binary stream. A real
    file gets the bytes directly; anything else through a pipe and a reader thread."""
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError):
        fd = None
    if fd is not None:
        out.flush()
        produce(fd)
        return
    r, w = os.pipe2(os.O_CLOEXEC)
    failure: list[BaseException] = []

    def pump():
        try:
            with os.fdopen(r, "rb") as src:
                while chunk := src.read(1 << 20):
                    out.write(chunk)
        except BaseException as e:   # noqa: BLE001 - handed to the caller's thread
            failure.append(e)
    t = threading.Thread(target=pump, daemon=True)
    t.start()
    try:
        produce(w)
    finally:
        os.close(w)
        t.join()
    if failure:
        raise failure[0]


def offline_source(source: str) -> None:
    """`docker import URL` asks the daemon to download: refused here, in its words."""
    if source.startswith(("http://", "https://")):
        raise EngineError(f'Get "{source}": dockerlings works offline and cannot download '
                          "files; download it on the host and import the file")


def import_(env, inv: Invocation) -> int:
    source = inv.args[0]
    repository = inv.args[1] if len(inv.args) > 1 else None
    offline_source(source)
    if source == "-":
        stream, name = env.stdin, "-"
    else:
        stream = _open_input(env, source)
        name = "-"                        # the docker CLI sends a local file as a stream
    try:
        with env.api.request("POST", "/images/create", changes=list(inv.change or ()),
                             fromSrc="-", message=inv.message or None, repo=repository):
            image_id = filesystems.import_image(env.engine, stream, repository,
                                                changes=inv.change or (),
                                                message=inv.message or "", source=name)
    finally:
        if stream is not env.stdin:
            stream.close()
    env.out(image_id)
    return 0


