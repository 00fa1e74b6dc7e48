"""The check library: each check type asks the engine whether something is true now.

A matching check (container, image, network, volume) narrows the objects that exist to
those passing every field test; it passes when enough are left, and can capture the
newest of them under a name for later checks. Every result can explain itself for
authors ("closest: 'web' has status running, not exited"); the learner is shown the
check's own message instead, which says what is missing without giving the answer.
"""
from __future__ import annotations

import os
import re
import shlex
import socket
import time

from engine.errors import EngineError

from .format import CHECK_TYPES


class Context:
    """What checks read besides the engine. captures: name -> (kind, id); history: the
    (line, status) pairs typed during the current step; parse: the docker command-line
    parser (lets `typed` checks understand -a and --all alike), given by the shell."""

    def __init__(self, world, captures: dict | None = None, history=(), workdir: str = ".",
                 parse=None, since: str = "", probes: list | None = None):
        self.world = world
        self.captures = dict(captures or {})
        self.history = list(history)
        self.workdir = workdir
        self.parse = parse
        self.since = since          # when the step began (engine time), for logs_since_step
        # (start, end) in ns of the requests port checks made: what a server logs about
        # them is not the learner's doing, so log checks leave it out
        self.probes = probes if probes is not None else []

    def captured(self, name: str, kind: str) -> str | None:
        got = self.captures.get(name)
        return got[1] if got and got[0] == kind else None


class Result:
    """ok, and a detail for authors computed only when asked (it can be costly, and the
    learner's usual case — still failing after a command — never needs it)."""

    def __init__(self, ok: bool, detail=None):
        self.ok = ok
        self._detail = detail

    @property
    def detail(self) -> str:
        d = self._detail
        return (d() if callable(d) else d) or ("passes" if self.ok else "fails")


def evaluate(check, ctx: Context) -> Result:
    if check.kind == "all":
        for child in check.children:
            r = evaluate(child, ctx)
            if not r.ok:
                return r
        return Result(True)
    if check.kind == "any":
        saved = dict(ctx.captures)
        results = []
        for child in check.children:
            r = evaluate(child, ctx)
            if r.ok:
                return r
            ctx.captures = dict(saved)
            results.append(r)
        return Result(False, lambda: "none of these passes: " + "; ".join(
            r.detail for r in results))
    if check.kind == "not":
        saved = dict(ctx.captures)
        r = evaluate(check.children[0], ctx)
        ctx.captures = saved                 # what a negated check matched is not kept
        return Result(not r.ok, lambda: "it should not pass, but it does" if r.ok else "")
    return LEAVES[check.kind](check, ctx)


# --- matching: the shared part of container, image, network and volume checks ----------------

def _match(check, ctx, kind: str, candidates: list, tests: list, describe) -> Result:
    spec = check.spec
    if "captured" in spec:
        wanted = ctx.captured(spec["captured"], kind)
        if wanted is None:
            return Result(False, f"nothing is captured as '{spec['captured']}' (the step "
                                 "that captures it was skipped or not done yet)")
        candidates = [o for o in candidates if o.id == wanted]
    excluded = {ctx.captured(n, kind) for n in spec.get("other_than", ())}
    candidates = [o for o in candidates if o.id not in excluded]
    matched = [o for o in candidates if all(test(o) is None for test in tests)]
    n = len(matched)
    ok = n == spec["count"] if "count" in spec else n >= spec.get("at_least", 1)
    if ok and check.capture and matched:
        ctx.captures[check.capture] = (kind, matched[0].id)
    if ok:
        return Result(True)
    return Result(False, lambda: _why(kind, spec, candidates, matched, tests, describe))


def _why(kind, spec, candidates, matched, tests, describe) -> str:
    if "count" in spec:
        return f"{len(matched)} {kind}(s) match, {spec['count']} should"
    if matched:
        return f"{len(matched)} {kind}(s) match, at least {spec.get('at_least', 1)} should"
    if not candidates:
        return f"there is no {kind} to look at"
    scored = []
    for o in candidates:
        failures = [f for f in (test(o) for test in tests) if f]
        # the object the author named is the closest, whatever else is wrong with it
        named = "name" in spec and getattr(o, "name", None) == spec["name"]
        scored.append((not named, len(failures), failures, o))
    scored.sort(key=lambda s: s[:2])
    _, _, failures, best = scored[0]
    return f"no {kind} matches; closest: {describe(best)}: {'; '.join(failures)}"


def _is(label: str, actual, wanted):
    return None if actual == wanted else f"{label} is {actual!r}, not {wanted!r}"


def _key_values(label: str, actual: dict, wanted: dict):
    for k, v in wanted.items():
        if k not in actual:
            return f"has no {label} {k}"
        if v is not None and actual[k] != v:
            return f"{label} {k} is {actual[k]!r}, not {v!r}"
    return None


def _env_dict(items) -> dict:
    return {kv.partition("=")[0]: kv.partition("=")[2] for kv in items or ()}


def _same_command(actual: list[str], wanted) -> bool:
    """A list is the exact words; text is read as a shell would split it (so quotes
    work as typed), and also matches the shell form Dockerfiles give (sh -c TEXT)."""
    if isinstance(wanted, list):
        return actual == wanted
    try:
        words = shlex.split(wanted)
    except ValueError:
        words = None
    return actual == words or wanted == " ".join(actual) or \
        actual == ["/bin/sh", "-c", wanted]


def _files(spec_files, read) -> list:
    """A test per file match; `read(obj, path)` gives (exists, content or None)."""
    tests = []
    for f in spec_files or ():
        tests.append(lambda o, f=f: file_problem(f, *read(o, f["path"])))
    return tests


def file_problem(f: dict, exists: bool, content: bytes | None) -> str | None:
    path = f["path"]
    if not f.get("exists", True):
        return f"{path} exists" if exists else None
    if not exists:
        return f"{path} does not exist"
    wants_text = any(k in f for k in ("contains", "equals", "matches"))
    if wants_text and content is None:
        return f"{path} is not a regular file"
    text = (content or b"").decode("utf-8", "replace")
    for piece in f.get("contains", ()):
        if piece not in text:
            return f"{path} does not contain {piece!r}"
    if "equals" in f and text.rstrip("\n") != f["equals"].rstrip("\n"):
        return f"{path} holds {_short(text)!r}, not {f['equals']!r}"
    if "matches" in f and not re.search(f["matches"], text):
        return f"{path} does not match /{f['matches']}/"
    return None


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[:n] + "…"


# --- container -------------------------------------------------------------------------------

def _port_spec(text: str) -> tuple[str, str | None]:
    """"8080:80" -> ("80/tcp", "8080"); "80" -> ("80/tcp", None); an IP first is allowed."""
    parts = text.split(":")
    port = parts[-1] if "/" in parts[-1] else parts[-1] + "/tcp"
    host = parts[-2] if len(parts) > 1 and parts[-2] else None
    return port, host


def _container_tests(spec: dict, ctx: Context) -> list:
    w = ctx.world
    h = lambda c: c.host                       # noqa: E731 - short accessors read better
    tests = []
    add = tests.append
    if "name" in spec:
        add(lambda c: _is("its name", c.name, spec["name"]))
    if "status" in spec:
        add(lambda c: None if c.state.status in spec["status"] else
            f"its status is {c.state.status}, not {' or '.join(spec['status'])}")
    if "image" in spec:
        add(lambda c: None if _from_image(w, c, spec["image"]) else
            f"it was made from {c.config.image}, not {spec['image']}")
    if "image_captured" in spec:
        add(lambda c: None if c.image_id == ctx.captured(spec["image_captured"], "image")
            else f"it was not made from the image captured as {spec['image_captured']}")
    if "exit_code" in spec:
        add(lambda c: f"it has not exited (it is {c.state.status})"
            if c.state.status not in ("exited", "dead") else
            _is("its exit code", c.state.exit_code, spec["exit_code"]))
    if "command" in spec:
        add(lambda c: None if _same_command([c.path] + list(c.args), spec["command"]) else
            f"its command is {shlex.join([c.path] + list(c.args))!r}")
    if "command_contains" in spec:
        add(lambda c: None if spec["command_contains"] in " ".join([c.path] + list(c.args))
            else f"its command {shlex.join([c.path] + list(c.args))!r} lacks "
                 f"{spec['command_contains']!r}")
    if "env" in spec:
        add(lambda c: _key_values("variable", _env_dict(c.config.env), spec["env"]))
    if "labels" in spec:
        add(lambda c: _key_values("label", c.config.label_dict(), spec["labels"]))
    for field, attr in (("memory", "memory"), ("cpu_shares", "cpu_shares"),
                        ("cpu_quota", "cpu_quota"), ("auto_remove", "auto_remove")):
        if field in spec:
            add(lambda c, f=field, a=attr: _is(f"its {f}", getattr(h(c), a), spec[f]))
    if "cpus" in spec:
        add(lambda c: None if _cpus(c) == round(spec["cpus"], 3) else
            f"its CPU limit is {_cpus(c) or 'not set'}, not {spec['cpus']}")
    if "restart" in spec:
        add(lambda c: _is("its restart policy", c.host.restart_policy.name, spec["restart"]))
    for field, attr in (("tty", "tty"), ("interactive", "open_stdin")):
        if field in spec:
            add(lambda c, f=field, a=attr: _is(f"its {f} setting", getattr(c.config, a),
                                               spec[f]))
    if "detached" in spec:
        add(lambda c: _is("detached", _detached(c), spec["detached"]))
    for port in spec.get("ports", ()):
        add(lambda c, p=port: None if _publishes(w, c, p) else f"it does not publish {p}")
    for net in spec.get("networks", ()):
        add(lambda c, n=net: None if n in w.networks_of(c) else f"it is not on network {n}")
    for mount in spec.get("mounts", ()):
        add(lambda c, m=mount: None if _mounts(w, c, m, ctx.workdir) else
            f"nothing is mounted as {m} (its mounts: {_mount_list(w, c)})")
    tests.extend(_files(spec.get("file"), w.container_file))
    logs = lambda c: w.logs(c, since=ctx.since if spec.get("logs_since_step") else "",  # noqa
                            quiet=ctx.probes)
    when = " since this step began" if spec.get("logs_since_step") else ""
    for text in spec.get("logs_contain", ()):
        add(lambda c, t=text: None if t in logs(c) else f"its output{when} lacks {t!r}")
    for pattern in spec.get("logs_match", ()):
        add(lambda c, p=pattern: None if re.search(p, logs(c)) else
            f"its output{when} does not match /{p}/")
    if "restart_count" in spec:
        add(lambda c: _is("its restart count", c.state.restart_count, spec["restart_count"]))
    if "min_restart_count" in spec:
        add(lambda c: None if c.state.restart_count >= spec["min_restart_count"] else
            f"it was restarted {c.state.restart_count} time(s), fewer than "
            f"{spec['min_restart_count']}")
    return tests


def _from_image(world, c, ref: str) -> bool:
    img = world.image(ref)
    if img is not None and c.image_id == img.id:
        return True
    from engine.images import reference
    try:
        return str(reference.parse(c.config.image)) == str(reference.parse(ref))
    except EngineError:
        return c.config.image == ref


def _cpus(c) -> float:
    """The CPU limit however it was given: --cpus, or --cpu-quota over --cpu-period."""
    if c.host.nano_cpus:
        return round(c.host.nano_cpus / 1e9, 3)
    if c.host.cpu_quota > 0:
        return round(c.host.cpu_quota / (c.host.cpu_period or 100000), 3)
    return 0


def _detached(c) -> bool:
    cfg = c.config
    return not (cfg.attach_stdin or cfg.attach_stdout or cfg.attach_stderr)


def _publishes(world, c, text: str) -> bool:
    port, host = _port_spec(text)
    return any(p == port and (host is None or str(hp) == host)
               for p, _, hp in world.published(c))


def _mount_spec(text: str, workdir: str) -> tuple[str, str, str | None]:
    """"/data", "/data:ro", "NAME:/data", "/host/dir:/data:ro" or "./site:/site" (a host
    path relative to the lesson's work folder) -> (source or "", target, "ro"/"rw" or
    None). A target is absolute, so a last part "ro" or "rw" is always the mode."""
    parts = text.split(":")
    mode = parts.pop() if len(parts) >= 2 and parts[-1] in ("ro", "rw") else None
    target, source = parts[-1], ":".join(parts[:-1])
    if source.startswith("~"):
        source = os.path.expanduser(source)
    if "/" in source and not source.startswith("/"):     # volume names have no slash
        source = os.path.normpath(os.path.join(workdir, source))
    return source, target, mode


def _same_path(a: str, b: str) -> bool:
    return bool(a and b) and os.path.realpath(a) == os.path.realpath(b)


def _mounts(world, c, text: str, workdir: str = ".") -> bool:
    source, target, mode = _mount_spec(text, workdir)
    for m in world.container_mounts(c):
        if m.get("Destination", "").rstrip("/") != target.rstrip("/"):
            continue
        if mode is not None and (mode == "rw") != bool(m.get("RW", True)):
            continue
        if not source or source == m.get("Name") or \
                (source.startswith("/") and _same_path(source, m.get("Source", ""))):
            return True
    return False


def _mount_list(world, c) -> str:
    found = [f"{m.get('Name') or m.get('Source') or m.get('Type')}:{m.get('Destination')}"
             for m in world.container_mounts(c)]
    return ", ".join(found) or "none"


def check_container(check, ctx: Context) -> Result:
    return _match(check, ctx, "container", ctx.world.containers(),
                  _container_tests(check.spec, ctx), lambda c: f"'{c.name}'")


# --- image -------------------------------------------------------------------------------------

def _image_tests(spec: dict, ctx: Context) -> list:
    w = ctx.world
    rc = lambda i: i.run_config                # noqa: E731
    tests = []
    add = tests.append
    if "made_by" in spec:
        add(lambda i: _is("it was made by", w.made_by(i), spec["made_by"]))
    if "from_container" in spec:
        add(lambda i: None if _committed_from(w.container(spec["from_container"]), i) else
            f"it was not committed from {spec['from_container']}")
    if "from_captured" in spec:
        add(lambda i: None if i.config.get("container") and i.config.get("container") ==
            ctx.captured(spec["from_captured"], "container") else
            f"it was not committed from the container captured as {spec['from_captured']}")
    if "parent" in spec:
        add(lambda i: None if _built_on(w, i, spec["parent"]) else
            f"it was not made on top of {spec['parent']}")
    for tag in spec.get("tags", ()):
        add(lambda i, t=tag: None if _familiar(t) in i.repo_tags else f"it is not named {t}")
    if "untagged" in spec:
        add(lambda i: _is("untagged", not i.repo_tags, spec["untagged"]))
    for field, key in (("cmd", "Cmd"), ("entrypoint", "Entrypoint")):
        if field in spec:
            add(lambda i, f=field, k=key: None if _same_command(rc(i).get(k) or [], spec[f])
                else f"its {f} is {rc(i).get(k)!r}")
    if "env" in spec:
        add(lambda i: _key_values("variable", _env_dict(rc(i).get("Env")), spec["env"]))
    if "labels" in spec:
        add(lambda i: _key_values("label", rc(i).get("Labels") or {}, spec["labels"]))
    if "workdir" in spec:
        add(lambda i: _is("its workdir", rc(i).get("WorkingDir") or "", spec["workdir"]))
    if "user" in spec:
        add(lambda i: _is("its user", rc(i).get("User") or "", spec["user"]))
    for port in spec.get("exposed_ports", ()):
        p = port if "/" in port else port + "/tcp"
        add(lambda i, p=p: None if p in (rc(i).get("ExposedPorts") or {}) else
            f"it does not expose {p}")
    if "layers" in spec:
        add(lambda i: _is("its number of layers", len(i.layers), spec["layers"]))
    if "min_layers" in spec:
        add(lambda i: None if len(i.layers) >= spec["min_layers"] else
            f"it has {len(i.layers)} layers, fewer than {spec['min_layers']}")
    for text in spec.get("history", ()):
        add(lambda i, t=text: None if any(t in (h.get("created_by") or "") for h in i.history)
            else f"its history has no {t!r}")
    tests.extend(_files(spec.get("file"), w.image_file))
    return tests


def _familiar(ref: str) -> str:
    from engine.images import reference
    try:
        return reference.parse(ref).familiar()
    except EngineError:
        return ref


def _committed_from(c, img) -> bool:
    return c is not None and img.config.get("container") == c.id


def _built_on(world, img, ref: str) -> bool:
    base = world.image(ref)
    if base is None or base.id == img.id:
        return False
    if img.parent == base.id:
        return True
    return len(img.layers) > len(base.layers) and img.layers[:len(base.layers)] == base.layers


def check_image(check, ctx: Context) -> Result:
    spec = check.spec
    if "ref" in spec:
        img = ctx.world.image(spec["ref"])
        if img is None:
            return Result(False, f"there is no image {spec['ref']}")
        candidates = [img]
    else:
        candidates = ctx.world.images()
    return _match(check, ctx, "image", candidates, _image_tests(spec, ctx),
                  lambda i: (i.repo_tags or [i.id[7:19]])[0])


# --- network and volume --------------------------------------------------------------------------

def check_network(check, ctx: Context) -> Result:
    spec = check.spec
    tests = []
    if "name" in spec:
        tests.append(lambda n: _is("its name", n.name, spec["name"]))
    if "driver" in spec:
        tests.append(lambda n: _is("its driver", n.driver, spec["driver"]))
    if "subnet" in spec:
        tests.append(lambda n: _is("its subnet", n.subnet, spec["subnet"]))
    for member in spec.get("members", ()):
        tests.append(lambda n, m=member: None if m in n.members else f"{m} is not on it")
    nets = [n._replace(id=n.id or n.name) for n in ctx.world.networks()]
    return _match(check, ctx, "network", nets, tests, lambda n: f"'{n.name}'")


def check_volume(check, ctx: Context) -> Result:
    spec = check.spec
    w = ctx.world
    tests = []
    if "name" in spec:
        tests.append(lambda v: _is("its name", v.name, spec["name"]))
    if "anonymous" in spec:
        tests.append(lambda v: _is("anonymous", v.anonymous, spec["anonymous"]))
    for user in spec.get("used_by", ()):
        tests.append(lambda v, u=user: None if u in w.volume_users(v.name) else
                     f"{u} does not use it")
    tests.extend(_files(spec.get("file"), _volume_file))
    vols = [_VolumeRef(v) for v in w.volumes()]
    return _match(check, ctx, "volume", vols, tests, lambda v: f"'{v.name}'")


class _VolumeRef:
    """A volume with an `id` (its name) for captures."""

    def __init__(self, v):
        from .world import ANONYMOUS_LABEL
        self.v, self.id, self.name = v, v.name, v.name
        self.anonymous = ANONYMOUS_LABEL in (v.labels or {})


def _volume_file(vol: _VolumeRef, path: str):
    from . import layerfs
    if not vol.v.mountpoint:
        return False, None
    root = [vol.v.mountpoint]
    return layerfs.exists(root, path), layerfs.read(root, path)


# --- port, exec, host file, typed -------------------------------------------------------------

def _target_container(spec: dict, ctx: Context):
    if "captured" in spec:
        cid = ctx.captured(spec["captured"], "container")
        return ctx.world.container(cid) if cid else None
    if "container" in spec:
        return ctx.world.container(spec["container"])
    return None


def _publisher(world, port: int):
    """The container that publishes this host port, or None (a program of the host)."""
    for c in world.containers():
        if c.state.status == "running" and any(hp == port for _, _, hp in world.published(c)):
            return c
    return None


def check_port(check, ctx: Context) -> Result:
    spec = check.spec
    port = spec.get("host_port")
    c = _target_container(spec, ctx)
    if port is None:
        if c is None:
            return Result(False, "no such container")
        wanted = _port_spec(spec.get("container_port", ""))[0] if "container_port" in spec \
            else None
        ports = [hp for p, _, hp in ctx.world.published(c) if hp and (wanted in (None, p))]
        if not ports:
            return Result(False, f"{c.name} publishes no port"
                          + (f" for {wanted}" if wanted else ""))
        port = ports[0]
    send = spec.get("send")
    if send is None and "http_status" in spec:
        send = HTTP_GET
    started = time.time_ns()
    try:
        answer = _ask(port, send, float(spec.get("timeout", 2)))
    finally:       # whose log the request lands in: the container asked, if any
        if c is None:
            c = _publisher(ctx.world, port)
        if c is not None:
            ctx.probes.append((started, time.time_ns(), c.id))
        del ctx.probes[:-MAX_PROBES]        # a check after every command: keep the recent
    if answer is None:
        return Result(False, f"nothing answers on port {port}")
    if "http_status" in spec:
        m = re.match(r"HTTP/\d(?:\.\d)? (\d{3})", answer)
        if not m:
            return Result(False, f"port {port} answered {_short(answer)!r}, not HTTP")
        if int(m.group(1)) != spec["http_status"]:
            return Result(False, f"port {port} answered with HTTP status {m.group(1)}, "
                                 f"not {spec['http_status']}")
    for text in spec.get("answers", ()):
        if text not in answer:
            return Result(False, f"port {port} answered {_short(answer)!r}, without {text!r}")
    if "answers_match" in spec and not re.search(spec["answers_match"], answer):
        return Result(False, f"port {port} answered {_short(answer)!r}, which does not "
                             f"match /{spec['answers_match']}/")
    return Result(True)


HTTP_GET = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"
MAX_PROBES = 500        # older requests' log lines have left the logs checks read


def _ask(port: int, send: str | None, timeout: float) -> str | None:
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            if send:
                s.sendall(send.encode())
            chunks = []
            while time.monotonic() < deadline:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                try:
                    data = s.recv(65536)
                except socket.timeout:
                    break
                if not data:
                    break
                chunks.append(data)
            return b"".join(chunks).decode("utf-8", "replace")
    except OSError:
        return None


def check_exec(check, ctx: Context) -> Result:
    spec = check.spec
    c = _target_container(spec, ctx)
    if c is None:
        return Result(False, "no such container")
    if c.state.status != "running":
        return Result(False, f"{c.name} is not running (it is {c.state.status})")
    try:
        status, output = ctx.world.exec(c, spec["command"])
    except EngineError as e:
        return Result(False, f"the command could not run: {e}")
    want = spec.get("status", 0)
    if status != want:
        return Result(False, f"it exited {status}, not {want}: {_short(output.strip())!r}")
    for text in spec.get("output", ()):
        if text not in output:
            return Result(False, f"its output {_short(output.strip())!r} lacks {text!r}")
    if "output_equals" in spec and output.strip() != spec["output_equals"].strip():
        return Result(False, f"its output is {_short(output.strip())!r}")
    return Result(True)


def check_host_file(check, ctx: Context) -> Result:
    path = os.path.join(ctx.workdir, check.spec["path"])
    exists = os.path.lexists(path)
    content = None
    if os.path.isfile(path):
        with open(path, "rb") as f:
            content = f.read(1 << 20)
    problem = file_problem(check.spec, exists, content)
    return Result(problem is None, problem)


def check_typed(check, ctx: Context) -> Result:
    spec = check.spec
    wanted_path = _docker_path(spec["docker"], ctx.parse) if "docker" in spec else None
    for line, status in reversed(ctx.history):
        if "status" in spec and status != spec["status"]:
            continue
        if "matches" in spec and not re.search(spec["matches"], line):
            continue
        if wanted_path is not None or "flags" in spec or "args" in spec:
            inv = _parse_line(line, ctx.parse)
            if inv is None:
                continue
            if wanted_path is not None and tuple(inv.command.path) != wanted_path:
                continue
            if not set(spec.get("flags", ())) <= set(inv.given):
                continue
            if not set(spec.get("args", ())) <= set(inv.args):
                continue
        return Result(True)
    return Result(False, f"none of the {len(ctx.history)} command(s) typed in this step "
                         "matches")


def _parse_line(line: str, parse):
    try:
        words = shlex.split(line)
    except ValueError:
        return None
    if not words or words[0] != "docker" or parse is None:
        return None
    try:
        inv = parse(words[1:])
    except Exception:           # a line that does not parse matches nothing
        return None
    return inv if hasattr(inv, "given") else None


def _docker_path(text: str, parse) -> tuple | None:
    """The canonical command path for "ps", "container ls", "images" ..."""
    if parse is None:
        return tuple(text.split())
    try:
        # asking for its help page names the command without needing its arguments
        page = parse(text.split() + ["--help"])
    except Exception:
        return tuple(text.split())
    command = getattr(page, "target", None) or getattr(page, "command", None)
    return tuple(getattr(command, "path", None) or text.split())


LEAVES = {
    "container": check_container, "image": check_image, "network": check_network,
    "volume": check_volume, "port": check_port, "exec": check_exec,
    "host_file": check_host_file, "typed": check_typed,
}
assert set(LEAVES) == set(CHECK_TYPES), "every check type declared in format.py is evaluated"


# --- a step's checks ---------------------------------------------------------------------------

class StepOutcome:
    """passed; failures: [(check, Result)] for the step-level checks that fail;
    captures: what passing checks captured (kept when the step passes); seconds."""

    def __init__(self, passed: bool, failures: list, captures: dict, seconds: float):
        self.passed, self.failures = passed, failures
        self.captures, self.seconds = captures, seconds

    def messages(self, every: bool = False) -> list[str]:
        """What the learner is shown: the first failing check's message (the next thing
        to do; later messages may assume it passed), or every one."""
        shown = self.failures if every else self.failures[:1]
        return [_with_limits_note(check, check.message or r.detail) for check, r in shown]


LIMIT_FIELDS = {"memory", "cpu_shares", "cpu_quota", "cpus"}


def _with_limits_note(check, message: str) -> str:
    """A check that asks for a container's limits cannot pass on an engine without
    cgroups (rootless: Docker drops the limits with a warning); it says so, and how to
    go on, instead of failing for no reason the learner can see."""
    if not any(c.kind == "container" and LIMIT_FIELDS & set(c.spec) for c in check.walk()):
        return message
    from engine.runtime import cgroups
    if not cgroups.layout().undelegated:
        return message
    return (f"{message} (This step needs cgroup limits, and dockerlings runs rootless "
            "here, without cgroups: Docker drops the limits, as the WARNING after docker "
            "run said. `skip` moves on; as root the step works.)")


COSTLY = ("exec", "port")      # they start a process or wait on a socket: tens of ms


def _costly(check) -> bool:
    return any(c.kind in COSTLY for c in check.walk())


def run_step(step, ctx: Context, every: bool = True) -> StepOutcome:
    """Evaluate the step's checks in order. With every=False (the check after each
    command, where only pass or fail matters), a costly check is skipped once an
    earlier check has failed."""
    start = time.perf_counter()
    failures = []
    for check in step.checks:
        if failures and not every and _costly(check):
            continue
        r = evaluate(check, ctx)
        if not r.ok:
            failures.append((check, r))
    return StepOutcome(not failures, failures, ctx.captures, time.perf_counter() - start)
