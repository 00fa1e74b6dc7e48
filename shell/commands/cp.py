"""docker cp, the docker CLI's half: which side is the container, where the archive
is unpacked and under what name (go-archive's CopyInfo rules), and the closing
"Successfully copied" line. The engine's half (engine/containers/cp.py) reads and writes the
container's files."""
from __future__ import annotations

import os
import stat as _stat
import tarfile

from engine.containers import cp as engine_cp
from engine.errors import CliError, EngineError

from ..cli.parser import Invocation
from ..render.units import human_size


def split_arg(arg: str) -> tuple[str, str]:
    """CONTAINER:PATH -> (container, path); a local path -> ("", path). An absolute
    path, or one starting with ".", is always local (`./file:name.txt`)."""
    if arg.startswith("/"):
        return "", arg
    ctr, sep, path = arg.partition(":")
    if not sep or ctr.startswith("."):
        return "", arg
    return ctr, path


def cp(env, inv: Invocation) -> int:
    src, dst = inv.args
    if not src:
        raise CliError("source can not be empty")
    if not dst:
        raise CliError("destination can not be empty")
    src_ctr, src_path = split_arg(src)
    dst_ctr, dst_path = split_arg(dst)
    if src_ctr and dst_ctr:
        raise CliError("copying between containers is not supported")
    if not src_ctr and not dst_ctr:
        raise CliError("must specify at least one container source")
    quiet = inv.quiet or not env.stdout_tty
    if src_ctr:
        return _from_container(env, inv, src_ctr, src_path, dst_path, quiet)
    return _to_container(env, inv, src_path, dst_ctr, dst_path, quiet)


# --- paths ---------------------------------------------------------------------------------

def _dot_or_slash(original: str, path: str) -> str:
    """go-archive PreserveTrailingDotOrSeparator."""
    if (original.endswith("/.") or original == ".") and not path.endswith("/."):
        path = path.rstrip("/") + "/."
    elif original.endswith("/") and not path.endswith("/"):
        path += "/"
    return path


def _local(env, path: str) -> str:
    full = os.path.normpath(os.path.join(env.cwd, path))
    return _dot_or_slash(path, full)


def _split_dir_entry(path: str) -> tuple[str, str]:
    """go-archive SplitPathDirEntry: ("/a", "b") for "/a/b/", ("/a/b", ".") for "/a/b/."."""
    clean = os.path.normpath(path)
    if path.endswith("/.") or path == ".":
        clean = clean.rstrip("/") + "/."
    return os.path.dirname(clean) or "/", os.path.basename(clean)


def _rebase_name(path: str, resolved: str) -> tuple[str, str]:
    """go-archive GetRebaseName: the followed path, and the name the copy keeps."""
    if (path.endswith("/.") or path == ".") and not resolved.endswith("/."):
        resolved += "/."
    if path.endswith("/") and not resolved.endswith("/"):
        resolved += "/"
    base = os.path.basename(os.path.normpath(path))
    rebase = base if base != os.path.basename(os.path.normpath(resolved)) else ""
    return resolved, rebase


def _prepare(src_path: str, src_is_dir: bool, rebase: str, dst_path: str,
             dst_exists: bool, dst_is_dir: bool) -> tuple[str, tuple[str, str] | None]:
    """go-archive PrepareArchiveCopy: (directory to unpack into, (old, new) name of the
    archive's top entry) for each kind of source and destination."""
    dst_dir, dst_base = _split_dir_entry(dst_path)
    _, src_base = _split_dir_entry(src_path)
    top = rebase or src_base
    if dst_exists and dst_is_dir:
        return dst_path, ((src_base, rebase) if rebase else None)
    if dst_exists and src_is_dir:
        raise CliError("cannot copy directory")
    if not dst_exists and not src_is_dir and (dst_path.endswith("/") or
                                              dst_path.endswith("/.")):
        raise CliError("no such directory")
    return dst_dir, (src_base, dst_base) if top != dst_base or rebase else None


def _destination_info(path: str) -> tuple[str, bool, bool]:
    """go-archive CopyInfoDestinationPath: follow symlinks at the end; the parent must
    exist. Returns (path, exists, is_dir)."""
    for _ in range(11):
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            parent = os.path.dirname(os.path.normpath(path)) or "/"
            if not os.path.exists(parent):
                raise CliError(f"stat {parent}: no such file or directory") from None
            if not os.path.isdir(parent):
                raise CliError("not a directory") from None
            return path, False, False
        except (OSError, ValueError) as e:
            raise _go_error("lstat", path, e) from None
        if not _stat.S_ISLNK(st.st_mode):
            return path, True, _stat.S_ISDIR(st.st_mode)
        target = os.readlink(path)
        path = target if target.startswith("/") else os.path.join(
            _split_dir_entry(path)[0], target)
    raise CliError(f"too many symlinks in {path}")


def _validate_output(path: str) -> None:
    """The docker CLI's ValidateOutputPath."""
    parent = os.path.dirname(os.path.normpath(path))
    if parent and not os.path.exists(parent):
        raise CliError(f'invalid output path: directory "{parent}" does not exist')
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    except (OSError, ValueError) as e:
        raise _go_error("stat", path, e) from None
    if not (_stat.S_ISDIR(st.st_mode) or _stat.S_ISREG(st.st_mode)):
        raise CliError(f'invalid output path: "{path}" must be a directory or a regular '
                       f"file: got {_kind(st.st_mode)}")


def _go_error(op: str, path: str, e: Exception) -> CliError:
    """A failed system call on a host path as Go's os package words it ("stat PATH:
    file name too long"); a NUL in a path is what Go's syscall calls EINVAL."""
    reason = e.strerror if isinstance(e, OSError) and e.strerror else "invalid argument"
    return CliError(f"{op} {path}: {reason[:1].lower()}{reason[1:]}")


def _kind(mode: int) -> str:
    if _stat.S_ISCHR(mode) or _stat.S_ISBLK(mode):
        return "a device"
    if _stat.S_ISFIFO(mode):
        return "a named pipe"
    if _stat.S_ISSOCK(mode):
        return "a socket"
    return "an irregular file"


# --- container -> host -------------------------------------------------------------------------

def _from_container(env, inv, ctr: str, path: str, dst: str, quiet: bool) -> int:
    eng = env.engine
    if dst != "-":
        dst = _local(env, dst)
        _validate_output(dst)
    archive = f"/containers/{ctr}/archive"       # HEAD: a stat; GET: the path as a tar
    rebase = ""
    if inv.follow_link:
        with env.api.request("HEAD", archive, path=path):
            info = engine_cp.stat(eng, ctr, path)
        if _stat.S_ISLNK(info["mode"]):
            link = info["linkTarget"]
            if not link.startswith("/"):
                link = os.path.join(_split_dir_entry(path)[0], link)
            path, rebase = _rebase_name(path, link)
    with env.api.request("GET", archive, path=path):
        info = engine_cp.stat(eng, ctr, path)
    r, w = os.pipe2(os.O_CLOEXEC)
    child = engine_cp.read_archive(eng, ctr, path, w, parent_fds=(r,))
    os.close(w)
    try:
        with os.fdopen(r, "rb") as stream:
            if dst == "-":
                while chunk := stream.read(65536):
                    env.write_out(chunk)
            else:
                _unpack(stream, path, _stat.S_ISDIR(info["mode"]), rebase, dst)
    except BaseException:
        _abandon(child)
        raise
    done = child.finish()
    if not quiet and dst != "-":
        env.err(f"Successfully copied {human_size(done['archive_size'])} to {dst}")
    return 0


def _unpack(stream, src_path: str, src_is_dir: bool, rebase: str, dst: str) -> None:
    dst_path, exists, is_dir = _destination_info(dst)
    into, renamed = _prepare(src_path, src_is_dir, rebase, dst_path, exists, is_dir)
    try:
        engine_cp.extract(stream, into, owner=None, renamed=renamed)
    except tarfile.ReadError:
        return                  # nothing came: the engine's error says why
    except OSError as e:
        raise CliError(f"{e.strerror}: {e.filename}" if e.filename else str(e)) from None


def _abandon(child) -> None:
    try:
        child.finish()
    except Exception:           # noqa: BLE001 - the first error is the one to report
        pass


# --- host -> container -------------------------------------------------------------------------

def _container_destination(env, ctr: str, path: str) -> tuple[str, bool, bool]:
    """Stat the destination in the container, following a symlink at its end."""
    def stat(path):
        with env.api.request("HEAD", f"/containers/{ctr}/archive", path=path):
            return engine_cp.stat(env.engine, ctr, path)
    try:
        info = stat(path)
    except EngineError:
        return path, False, False       # as the docker CLI: the copy itself will tell
    if _stat.S_ISLNK(info["mode"]):
        link = info["linkTarget"]
        path = link if link.startswith("/") else os.path.join(_split_dir_entry(path)[0], link)
        try:
            info = stat(path)
        except EngineError:
            return path, False, False
    return path, True, _stat.S_ISDIR(info["mode"])


def _to_container(env, inv, src: str, ctr: str, path: str, quiet: bool) -> int:
    eng = env.engine
    try:
        eng.container(ctr)                       # No such container: before anything else
    except EngineError as e:                     # what the CLI's stat is answered
        env.api.said("HEAD", f"/containers/{ctr}/archive", e.status, path=path)
        raise
    dst_path, exists, is_dir = _container_destination(env, ctr, path)
    if src == "-":
        if not is_dir:
            raise CliError(f'destination "{ctr}:{path}" must be a directory')
        size = _send(env, ctr, dst_path, lambda out: _copy_stdin(env, out), inv.archive)
    else:
        local = _local(env, src)
        resolved, rebase = local, ""
        if inv.follow_link:
            resolved, rebase = _rebase_name(local, os.path.realpath(local))
        try:
            st = os.lstat((resolved[:-2] if resolved.endswith("/.") else resolved) or "/")
        except FileNotFoundError:
            raise CliError(f"lstat {resolved}: no such file or directory") from None
        except (OSError, ValueError) as e:
            raise _go_error("lstat", resolved, e) from None
        src_is_dir = _stat.S_ISDIR(st.st_mode)
        into, renamed = _prepare(resolved, src_is_dir, rebase, dst_path, exists, is_dir)
        name = renamed[1] if renamed else _split_dir_entry(resolved)[1]
        size = _send(env, ctr, into, lambda out: _tar(resolved, name, out), inv.archive)
    if not quiet:
        env.err(f"Successfully copied {human_size(size)} to {ctr}:{path}")
    return 0


def _send(env, ctr: str, into: str, produce, keep_owner: bool) -> int:
    with env.api.request("PUT", f"/containers/{ctr}/archive",
                         copyUIDGID=keep_owner and "true", noOverwriteDirNonDir="true",
                         path=into):
        r, w = os.pipe2(os.O_CLOEXEC)
        child = engine_cp.write_archive(env.engine, ctr, into, r, keep_owner=keep_owner,
                                        parent_fds=(w,))
        os.close(r)
        size = 0
        try:
            with os.fdopen(w, "wb") as out:
                size = produce(out)
        except BrokenPipeError:
            pass                 # the engine stopped reading: its error says why
        except BaseException:
            _abandon(child)
            raise
        child.finish()
    return size


def _tar(path: str, name: str, out) -> int:
    source = (path[:-2] if path.endswith("/.") else path.rstrip("/")) or "/"
    tar = tarfile.open(fileobj=out, mode="w|", format=tarfile.GNU_FORMAT)
    tar.add(source, arcname=name)
    size = tar.offset + engine_cp.TAR_TRAILER
    tar.close()
    return size


def _copy_stdin(env, out) -> int:
    """`-`: the learner's tar, as it comes (Docker reports 0B for it)."""
    read = getattr(env.stdin, "read1", None) or env.stdin.read
    while chunk := read(65536):
        out.write(chunk)
    return 0
