"""docker run, create, start, stop, restart, kill, rm, wait, rename, pause, unpause, ps,
logs, top, diff and container prune."""
from __future__ import annotations

import os
import re
import signal
import time

from engine.util import timeutil
from engine.errors import (
    CliError,
    ContainerNotRunning,
    EngineError,
    NoSuchContainer,
    UsageError,
)

from ..cli.parser import Invocation, display_name
from ..conversation import filters_param, pull_params, timestamp_param
from ..render.units import human_size
from . import options
from .attach import Interrupts, MonitorChannel, detach_sequence, pump


# --- create and run ------------------------------------------------------------------

def _pull_progress(env, inv):
    if inv.opts.get("quiet"):
        return None
    return lambda line: env.err(line)


def _create(env, inv: Invocation, run: bool):
    config, host, name = options.build(env, inv, run)
    # as the docker CLI: its terminal's size goes with every create, so a -t container's
    # pty starts at it (a resize after the start would race a quick `stty size`)
    host = host._replace(console_size=terminal_size(env))
    eng = env.engine
    api = env.api
    cidfile = _open_cidfile(env, inv) if inv.opts.get("cidfile") else None
    try:
        policy = inv.pull
        if policy == "always":
            with api.request("POST", "/images/create", **pull_params(config.image)):
                eng.pull(config.image, _pull_progress(env, inv))
        elif (policy == "never" or api.on) and eng.images.find(config.image) is None:
            # the docker CLI asks for the container first; the daemon's 404 makes it
            # pull (unless --pull never) and ask again
            api.said("POST", "/containers/create", 404, name=name)
            if policy == "never":
                from engine.errors import NoSuchImage
                raise NoSuchImage(config.image)
            with api.request("POST", "/images/create", **pull_params(config.image)):
                eng.ensure_image(config.image, _pull_progress(env, inv))
        warnings: list[str] = []
        with api.request("POST", "/containers/create", 201, name=name):
            c = eng.create(config, host, name, progress=_pull_progress(env, inv),
                           warnings=warnings, **options.networking(inv))
    except BaseException:
        if cidfile:
            cidfile.discard()
        raise
    if cidfile:
        cidfile.write(c.id)
    _warn(env, warnings)
    return c


def _warn(env, warnings: list[str]) -> None:
    """The daemon's warnings, as the docker CLI prints them; why, when it is because
    the engine runs rootless without cgroups."""
    for w in warnings:
        env.err(f"WARNING: {w}")
    from engine.containers.limits import why_no_limits
    from engine.runtime import cgroups
    why = why_no_limits(cgroups.layout()) if warnings else None
    if why:
        env.err(env.hint(why))


class _CidFile:
    """The --cidfile, claimed before anything is made and removed again if nothing
    was (as the docker CLI's cidFile.Close does), so the next run may use it."""

    def __init__(self, path: str, fd: int):
        self.path, self.fd = path, fd

    def write(self, cid: str) -> None:
        try:
            os.write(self.fd, cid.encode())
        finally:
            os.close(self.fd)

    def discard(self) -> None:
        os.close(self.fd)
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def _open_cidfile(env, inv: Invocation):
    """Docker claims the --cidfile before it creates anything, so a second container
    started with the same file is refused and nothing is made."""
    path = inv.cidfile
    full = path if os.path.isabs(path) else os.path.join(env.cwd, path)
    command = display_name(inv.command, inv.path)
    try:
        fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
    except FileExistsError:
        raise UsageError(f"container ID file found, make sure the other container isn't "
                         f"running or delete {path}", kind="option", command=command) from None
    except OSError as e:        # Go's words for the errno: "no such file or directory"
        reason = (e.strerror or str(e)).lower()
        raise UsageError(f"failed to create the container ID file: open {path}: {reason}",
                         kind="option", command=command) from None
    return _CidFile(full, fd)


def create(env, inv: Invocation) -> int:
    c = _create(env, inv, run=False)
    env.out(c.id)
    return 0


def run(env, inv: Invocation) -> int:
    o = inv.opts
    env.api.ping()              # the docker CLI's run asks the daemon before its own checks
    if o["detach"] and o["attach"]:
        raise CliError("conflicting options: cannot specify both --attach and --detach")
    if not o["detach"] and o["tty"] and o["interactive"] and not env.stdin_tty:
        raise CliError("the input device is not a TTY")
    if o["detach_keys"]:
        detach_sequence(o["detach_keys"])
    c = _create(env, inv, run=True)
    eng = env.engine
    api = env.api
    # the docker CLI attaches, waits for the exit and starts in three requests; the
    # engine starts with the streams attached in one call
    condition = "removed" if c.host.auto_remove else "next-exit"
    if o["detach"]:
        env.out(c.id)
        api.said("POST", f"/containers/{c.id}/wait", condition=condition)
        with api.request("POST", f"/containers/{c.id}/start", 204):
            eng.start(c)
        return 0
    want = {"stdin": c.config.attach_stdin, "stdout": c.config.attach_stdout,
            "stderr": c.config.attach_stderr}
    api.said("POST", f"/containers/{c.id}/attach", 101, stream=True, **want)
    api.said("POST", f"/containers/{c.id}/wait", condition=condition)
    with api.request("POST", f"/containers/{c.id}/start", 204):
        sock = eng.start(c, attach=want)
    if c.config.tty:
        _said_resize(env, f"/containers/{c.id}/resize")
    channel = MonitorChannel(sock)
    interrupts = Interrupts(env, c) if o["sig_proxy"] else None
    code = pump(env, channel, tty=c.config.tty, stdin=want["stdin"],
                detach_keys=o["detach_keys"], on_signal=interrupts)
    if code is None:           # detached: the container runs on
        return 130 if interrupts and interrupts.gave_up else 0
    if code < 0:               # the monitor went away without an answer
        return _final_exit_code(eng, c.id)
    return code


def terminal_size(env) -> tuple[int, int]:
    """(rows, columns) of the terminal the output goes to; (0, 0) off a terminal, as the
    docker CLI's GetTtySize."""
    if not env.stdout_tty:
        return (0, 0)
    try:
        size = os.get_terminal_size(env.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        return (0, 0)
    return (size.lines, size.columns)


def _said_resize(env, path: str, grow: int = 0) -> None:
    """A tty on a terminal: the docker CLI sends the terminal's size once started (an
    attach first one line and column more, to make the program redraw)."""
    if not env.api.on:
        return
    rows, cols = terminal_size(env)
    if rows:
        env.api.said("POST", path, h=rows + grow, w=cols + grow)


def _final_exit_code(eng, cid: str) -> int:
    c = eng.load_quiet(cid)
    return c.state.exit_code if c else 0


# --- start / stop / kill / restart / rm / wait / pause -----------------------------------

def report_all(env, inv: Invocation, errors: list[EngineError]) -> None:
    """Print collected errors as Docker joins them, then the hint for each, if any."""
    from .. import hints
    from ..cli.report import message_of
    env.err("\n".join(message_of(e) for e in errors))
    argv = list(inv.path) + list(inv.args)
    for text in dict.fromkeys(filter(None, (hints.find(e, argv, env) for e in errors))):
        env.err(env.hint(text))


def each(env, inv: Invocation, action, *, exit_zero_missing: bool = False,
         ignore: type | None = None) -> int:
    """Run `action` on every argument; print each one that worked as typed, then every
    error (Docker's errors.Join), exit 1 if any failed. Errors of kind `ignore` (a
    forced removal of what is not there) are passed over in silence."""
    errors = []
    for name in inv.args:
        try:
            action(name)
            env.out(name)
        except EngineError as e:
            if ignore is not None and isinstance(e, ignore):
                continue
            if exit_zero_missing and isinstance(e, NoSuchContainer):
                report_all(env, inv, [e])
                continue
            errors.append(e)
    if errors:
        report_all(env, inv, errors)
        return 1
    return 0


def start(env, inv: Invocation) -> int:
    eng = env.engine
    if (inv.attach or inv.interactive) and len(inv.args) > 1:
        raise CliError("you cannot start and attach multiple containers at once")
    api = env.api
    if inv.attach or inv.interactive:
        if inv.detach_keys:
            detach_sequence(inv.detach_keys)
        with api.request("GET", f"/containers/{inv.args[0]}/json"):
            c = eng.container(inv.args[0])
        if c.state.running:
            return _attach_running(env, inv, c)
        want_stdin = bool(inv.interactive and c.config.open_stdin)
        api.said("POST", f"/containers/{c.id}/attach", 101, stream=True, stdin=want_stdin,
                 stdout=True, stderr=True)
        api.said("POST", f"/containers/{c.id}/wait", condition="next-exit")
        with api.request("POST", f"/containers/{c.id}/start", 204):
            sock = eng.start(c.id, attach={"stdin": want_stdin, "stdout": True,
                                           "stderr": True})
        interrupts = Interrupts(env, c)
        code = pump(env, MonitorChannel(sock), tty=c.config.tty, stdin=want_stdin,
                    detach_keys=inv.detach_keys, on_signal=interrupts)
        if code is None:
            return 130 if interrupts.gave_up else 0
        return code if code >= 0 else _final_exit_code(eng, c.id)
    failed = []
    for name in inv.args:
        try:
            with api.request("POST", f"/containers/{name}/start", 204) as answer:
                if api.on and eng.container(name).state.running:
                    answer.status = 304
                eng.start(name)
            env.out(name)
        except EngineError as e:
            from ..cli.report import message_of
            env.err(message_of(e))
            failed.append(name)
    if failed:
        env.err(f"Error: failed to start containers: {', '.join(failed)}")
        return 1
    return 0


def _attach_running(env, inv, c) -> int:
    from .attach import attach
    sub = Invocation(inv.command, inv.path, {"detach_keys": inv.detach_keys,
                                             "no_stdin": not inv.interactive,
                                             "sig_proxy": True}, set(), [c.id])
    return attach(env, sub)


def _timeout(inv: Invocation):
    if "time" in inv.given:
        return inv.time
    return inv.timeout if "timeout" in inv.given else None


def stop(env, inv: Invocation) -> int:
    eng = env.engine
    killed = []

    def one(name):
        with env.api.request("POST", f"/containers/{name}/stop", 204, signal=inv.signal,
                             t=_timeout(inv)) as answer:
            c = eng.container(name)
            if not c.state.running:
                answer.status = 304
            started = time.monotonic()
            eng.stop(name, _timeout(inv), inv.signal)
        grace = _grace(c, inv)
        if grace and c.state.running and time.monotonic() - started >= grace:
            killed.append((c, grace))
    status = each(env, inv, one)
    for c, grace in killed:
        env.err(env.hint(_stop_waited(c, grace, inv)))
    return status


def _stop_signal(c, inv: Invocation) -> signal.Signals:
    from engine.engine import signal_number
    return signal.Signals(signal_number(inv.signal or c.config.stop_signal or "SIGTERM"))


def _grace(c, inv: Invocation) -> int:
    """The seconds `docker stop` gave the container before SIGKILL (0: none to wait)."""
    from engine.engine import DEFAULT_STOP_TIMEOUT
    given = _timeout(inv)
    grace = given if given is not None else (
        c.config.stop_timeout if c.config.stop_timeout is not None else DEFAULT_STOP_TIMEOUT)
    return grace if grace > 0 and _stop_signal(c, inv) != signal.SIGKILL else 0


def _stop_waited(c, grace: int, inv: Invocation) -> str:
    """`docker stop` of a `sh -c 'while ...'` takes ten silent seconds: say why."""
    sig = _stop_signal(c, inv).name
    return (f"{c.name}'s main process (PID 1) ignored {sig}: a program running as PID 1 "
            f"gets no default action for signals it does not handle, so Docker waited the "
            f"{grace}-second grace period, then killed it (SIGKILL, exit code 137). What "
            f"helps: `exec` in a script, so the program that handles {sig} is PID 1; "
            f"`trap 'exit' TERM` in a shell loop; `docker run --init`, whose small init "
            f"passes {sig} on; `docker stop -t 1` to wait less.")


def restart(env, inv: Invocation) -> int:
    eng = env.engine

    def again(name):
        with env.api.request("POST", f"/containers/{name}/restart", 204, signal=inv.signal,
                             t=_timeout(inv)):
            c = eng.container(name)
            if c.state.running:
                eng.stop(c.id, _timeout(inv), inv.signal, keep=True)   # --rm: not removed
            eng.start(c.id)
    return each(env, inv, again)


def kill(env, inv: Invocation) -> int:
    eng = env.engine

    def one(name):
        with env.api.request("POST", f"/containers/{name}/kill", 204, signal=inv.signal):
            eng.kill(name, inv.signal or "KILL")
    return each(env, inv, one)


def rm(env, inv: Invocation) -> int:
    eng = env.engine

    def one(name):
        with env.api.request("DELETE", f"/containers/{name}", 204, force=inv.force,
                             link=inv.link, v=inv.volumes):
            eng.remove(name, force=inv.force, volumes=inv.volumes)
    return each(env, inv, one, exit_zero_missing=inv.force)


def pause(env, inv: Invocation) -> int:
    def one(name):
        with env.api.request("POST", f"/containers/{name}/pause", 204):
            env.engine.pause(name)
    return each(env, inv, one)


def unpause(env, inv: Invocation) -> int:
    def one(name):
        with env.api.request("POST", f"/containers/{name}/unpause", 204):
            env.engine.unpause(name)
    return each(env, inv, one)


def wait(env, inv: Invocation) -> int:
    eng = env.engine
    errors = []
    for name in inv.args:
        try:
            with env.api.request("POST", f"/containers/{name}/wait"):
                code = eng.wait(name)
            env.out(str(code))
        except EngineError as e:
            from ..cli.report import message_of
            errors.append(message_of(e))
    if errors:
        env.err("\n".join(errors))
        return 1
    return 0


def rename(env, inv: Invocation) -> int:
    try:
        with env.api.request("POST", f"/containers/{inv.args[0]}/rename", 204,
                             name=inv.args[1]):
            env.engine.rename(inv.args[0], inv.args[1])
    except EngineError as e:
        from ..cli.report import message_of
        env.err(message_of(e))
        env.err(f"Error: failed to rename container named {inv.args[0]}")
        return 1
    return 0


# --- ps ------------------------------------------------------------------------------

def _ps_filters(inv: Invocation) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in inv.filter:
        if key not in ("status", "name", "ancestor", "id", "label", "exited", "before", "since",
                       "volume", "network"):
            raise daemon_error(f"invalid filter '{key}'")
        out.setdefault(key, []).append(value)
    states = ("created", "running", "paused", "restarting", "removing", "exited", "dead")
    for status in out.get("status", []):
        if status not in states:
            raise daemon_error(f"invalid filter 'status={status}': invalid value for state "
                               f"({status}): must be one of {', '.join(states)}")
    return out


def daemon_error(message: str, status: int = 400) -> CliError:
    """The daemon's refusal of a request, in the words the docker CLI prints it."""
    error = CliError(f"Error response from daemon: {message}")
    error.status = status
    return error


def _ancestors(eng, text: str) -> set[str]:
    img = eng.images.find(text)
    if img is None:
        return set()
    out = {img.id}
    # images built on top of it (children, grandchildren ...) count too
    frontier = [img.id]
    while frontier:
        nxt = []
        for i in frontier:
            for child in eng.images.children(i):
                if child not in out:
                    out.add(child)
                    nxt.append(child)
        frontier = nxt
    return out


def _matches(eng, c, filters) -> bool:
    if "status" in filters and c.state.status not in filters["status"]:
        return False
    if "name" in filters and not any(re.search(p, c.name) for p in filters["name"]):
        return False
    if "id" in filters and not any(c.id.startswith(p) for p in filters["id"]):
        return False
    if "exited" in filters and not (c.state.status == "exited" and
                                    str(c.state.exit_code) in filters["exited"]):
        return False
    if "label" in filters:
        labels = c.config.label_dict()
        for want in filters["label"]:
            k, sep, v = want.partition("=")
            if k not in labels or (sep and labels[k] != v):
                return False
    if "volume" in filters and not any(
            want in (m.get("Name"), m.get("Source"), m.get("Destination"))
            for m in c.mounts for want in filters["volume"]):
        return False
    if "network" in filters and not any(
            want == name or (s.get("NetworkID") or "").startswith(want)
            for name, s in c.networks.items() for want in filters["network"]):
        return False
    if "ancestor" in filters:
        ids = set()
        for a in filters["ancestor"]:
            ids |= _ancestors(eng, a)
        if c.image_id not in ids:
            return False
    return True


def _image_text(eng, c, trunc: bool) -> str:
    """What IMAGE shows: the reference as typed, unless it now names another image."""
    typed = c.config.image
    img = eng.images.find(typed) if typed else None
    if img is not None and img.id == c.image_id:
        return typed
    return c.image_id[7:19] if trunc else c.image_id


def ls(env, inv: Invocation) -> int:
    from ..render import views
    eng = env.engine
    fmt = inv.format or ""
    if inv.quiet and fmt:
        env.err("WARNING: Ignoring custom format, because both --format and --quiet are set.")
    if fmt:
        _dry_run(fmt)
    if inv.quiet:
        fmt = "{{.ID}}"
    fmt = fmt or views.ContainerRow.DEFAULT + ("\t{{.Size}}" if inv.size else "")
    template_check(fmt, views.ContainerRow.__go_type__)
    # Docker asks for sizes when the template reads .Size, or the whole row as JSON
    want_size = inv.size or ".Size" in fmt or "{{json.}}" in fmt.replace(" ", "")
    last = inv.last if inv.last != -1 else (1 if inv.latest else -1)
    with env.api.request("GET", "/containers/json", all=inv.all,
                         limit=last if last > 0 else None,
                         filters=filters_param(inv.filter), size=want_size):
        filters = _ps_filters(inv)
        containers = eng.containers(all=True)
    everything = inv.all or inv.latest or inv.last != -1 or bool(filters.get("status"))
    if inv.latest:
        containers = containers[:1]
    elif inv.last != -1:
        containers = containers[:max(inv.last, 0)]
    if not everything:
        containers = [c for c in containers if c.state.running]
    containers = [c for c in containers if _matches(eng, c, filters)]
    now = time.time()
    rows = [views.ContainerRow(c, _image_text(eng, c, not inv.no_trunc), not inv.no_trunc,
                               _sizes(eng, c) if want_size else None,
                               ports=views.ports_text(c), now=now)
            for c in containers]
    out = render_rows(fmt, rows, views.ContainerRow)
    if out:
        env.out(out, end="")
    return 0


def _sizes(eng, c) -> tuple[int, int]:
    from engine.util.fsutil import dir_size
    rw = dir_size(eng.paths.container(c.id) / "upper")
    root = sum(eng.layers.get(l).size for l in c.layers if eng.layers.exists(l))
    return rw, rw + root


def template_check(fmt: str, go_type: str) -> None:
    """Parse (and dry-run) a --format before doing any work, as the docker CLI does."""
    if fmt in ("json", "table", "") or not fmt:
        return
    from ..render import gotemplate
    body = fmt[5:] if fmt.startswith("table") else fmt
    try:
        gotemplate.compile(body.strip(" ").replace("\\t", "\t").replace("\\n", "\n"))
    except gotemplate.TemplateError as e:
        raise CliError(f"failed to parse template: {e}") from None


class _BlankRow:
    """An empty row, as docker's `ps` dry-runs a --format against a zero
    ContainerContext (so `{{.Foo}}` fails even when no container is listed)."""
    __go_type__ = "*formatter.ContainerContext"

    def __init__(self):
        from ..render import views
        for name in views.ContainerRow.HEADERS:
            if name != "Label":
                setattr(self, name, "")

    def Label(self, name: str) -> str:
        return ""


def _dry_run(fmt: str) -> None:
    """docker ps parses the --format as typed ("table" and \\t stay literal text) and
    executes it once on an empty row before asking for any container."""
    from ..render import gotemplate
    try:
        tmpl = gotemplate.compile(fmt)
    except gotemplate.TemplateError as e:
        raise CliError(f"failed to parse template: {e}") from None
    try:
        tmpl.execute(_BlankRow())
    except gotemplate.TemplateError as e:
        raise CliError(f"failed to execute template: {e}") from None


def render_rows(fmt: str, rows, row_class) -> str:
    from ..render import formatter
    try:
        return formatter.format_rows(fmt, rows, row_class.HEADERS,
                                     default_table=row_class.DEFAULT)
    except formatter.FormatError as e:
        message = str(e).replace("template parsing error: ", "", 1)
        raise CliError(f"failed to execute template: {message}") from None


# --- logs -----------------------------------------------------------------------------

def logs(env, inv: Invocation) -> int:
    from engine.containers import logs as engine_logs
    eng = env.engine
    api = env.api
    with api.request("GET", f"/containers/{inv.args[0]}/json"):
        c = eng.container(inv.args[0])
    from ..cli import timestamps
    since, until = timestamps.option(inv.since, "since"), timestamps.option(inv.until, "until")
    tail = engine_logs.parse_tail(inv.tail)
    api.said("GET", f"/containers/{c.id}/logs", details=inv.details, follow=inv.follow,
             since=timestamp_param(inv.since, since), stderr=True, stdout=True,
             tail=inv.tail or "all", timestamps=inv.timestamps,
             until=timestamp_param(inv.until, until))
    for e in engine_logs.read(eng, c, follow=inv.follow, tail=tail, since=since, until=until):
        prefix = b""
        if inv.timestamps:
            prefix = timeutil.format_ns(timeutil.parse_ns(e.time), fixed=True).encode() + b" "
        if inv.details:
            prefix += b" "
        data = prefix + e.data
        if e.stream == "stderr" and not c.config.tty:
            env.write_err(data)
        else:
            env.write_out(data)
    return 0


# --- top, diff, prune -------------------------------------------------------------------

def top(env, inv: Invocation) -> int:
    from ..render.tabwriter import tabulate
    with env.api.request("GET", f"/containers/{inv.args[0]}/top",
                         ps_args=" ".join(inv.args[1:]) or None):
        header, rows = processes_table(env.engine, inv.args[0], inv.args[1:])
    lines = ["\t".join(header)] + ["\t".join(r) for r in rows]
    env.out(tabulate("\n".join(lines) + "\n", minwidth=20), end="")
    return 0


def processes_table(eng, ref: str, ps_args: list[str]) -> tuple[list[str], list[list[str]]]:
    """`docker top`: the host's ps, cut down to the container's processes (as the
    daemon does it; the API's /top answers with the same titles and rows)."""
    import subprocess
    c = eng.container(ref)
    if not c.state.running or c.state.status == "restarting":
        raise ContainerNotRunning(f"container {c.id} is not running")
    pids = set(eng.processes(c))
    try:
        out = subprocess.run(["ps", *(ps_args or ["-ef"])], capture_output=True, text=True,
                             timeout=10)
    except FileNotFoundError:
        raise EngineError("ps is not installed on this machine (apt-get install procps)") \
            from None
    if out.returncode != 0:
        raise EngineError(f"ps: exit status {out.returncode}: {out.stderr.strip()}")
    lines = out.stdout.splitlines()
    header = lines[0].split()
    if "PID" not in header:
        raise EngineError("Couldn't find PID field in ps output")
    col = header.index("PID")
    rows = []
    for line in lines[1:]:
        fields = line.split(None, len(header) - 1)
        if len(fields) > col and fields[col].isdigit() and int(fields[col]) in pids:
            rows.append(fields)
    return header, rows


def diff(env, inv: Invocation) -> int:
    from engine.containers import commit as commits
    eng = env.engine
    with env.api.request("GET", f"/containers/{inv.args[0]}/changes"):
        c = eng.container(inv.args[0])
        changes = commits.diff(eng, c)
    for kind, path in changes:
        env.out(f"{kind} {path}")
    return 0


def prune(env, inv: Invocation) -> int:
    eng = env.engine
    if not inv.force and not _confirm(env, "WARNING! This will remove all stopped containers."):
        return 0
    with env.api.request("POST", "/containers/prune", filters=filters_param(inv.filter)):
        done = prune_stopped(eng)
    return pruned(env, "Containers", *done)


def prune_stopped(eng) -> tuple[list[str], int]:
    """Remove every stopped container: (their IDs, the bytes their layers took)."""
    deleted, reclaimed = [], 0
    for c in eng.containers(all=True):
        if c.state.running:
            continue
        size = _sizes(eng, c)[0]
        try:
            eng.remove(c.id)
        except EngineError:
            continue
        deleted.append(c.id)
        reclaimed += size
    return deleted, reclaimed


def pruned(env, kind: str, lines: list[str], reclaimed: int) -> int:
    """What `docker container/image/volume prune` print once done."""
    if lines:
        env.out(f"Deleted {kind}:")
        for line in lines:
            env.out(line)
        env.out("")
    env.out(f"Total reclaimed space: {human_size(reclaimed, 4)}")
    return 0


def _confirm(env, warning: str) -> bool:
    env.out(f"{warning}\nAre you sure you want to continue? [y/N] ", end="")
    line = env.stdin.readline() if hasattr(env.stdin, "readline") else b""
    answer = line.decode(errors="replace").strip().lower() if isinstance(line, bytes) else ""
    return answer in ("y", "yes")


