"""docker build: read the Dockerfile and the options, run the engine's builder, and show
what BuildKit shows — the plain progress on stderr, the image ID with -q, and a failed
build as the failing step, the Dockerfile lines around it and one `ERROR:` line."""
from __future__ import annotations

import os

from engine.images import reference
from engine.errors import CliError, InvalidReference

from ..cli.parser import Invocation
from ..conversation import go_json

BUILD_ERROR = "ERROR: failed to build: "


def build(env, inv: Invocation) -> int:
    from engine.build import builder
    from engine.build.errors import BuildError
    o = inv.opts
    env.api.ping()              # the docker CLI asks which builder the daemon has first
    opts = builder.BuildOptions(**_sources(env, inv.args[0], o["file"]),
                                tags=tuple(_tags(o["tag"])),
                                build_args=_pairs(env, o["build_arg"], from_env=True),
                                labels=_labels(env, o["label"]),
                                target=o["target"] or None, no_cache=o["no_cache"],
                                pull=o["pull"], network=_network(o["network"]))
    _check_platform(o["platform"])
    quiet = o["quiet"] or o["progress"] == "quiet"
    if o["progress"] == "rawjson":
        raise CliError("dockerlings shows build progress as plain text only: use "
                       "--progress=plain")
    write = None if quiet else env.err
    failed = None
    with env.api.request("POST", "/build", **_build_params(env, inv, opts)):
        try:
            result = builder.build(env.engine, opts, write)
        except BuildError as e:         # the stream had begun: its last message says
            failed = e
    if failed is not None:
        _warnings(env, failed.warnings)
        env.err(report(failed))
        for h in failed.hints + ([failed.hint] if failed.hint else []):
            env.err(f"hint: {h}")
        return 1
    _warnings(env, result.warnings)
    for h in result.hints:
        env.err(f"hint: {h}")
    if o["iidfile"]:
        _write_iidfile(env, o["iidfile"], result.image_id)
    if o["quiet"]:
        env.out(result.image_id)
    return 0


def _build_params(env, inv: Invocation, opts) -> dict:
    """POST /build's query as the docker CLI's classic builder sends it: the Dockerfile
    by its path in the context (one from elsewhere goes in under a random name), build
    args with null for a bare name the environment lacks, the tags as typed."""
    o = inv.opts
    if opts.context is None or o["file"] == "-":
        dockerfile = "Dockerfile" if opts.context is None else None
    else:
        dockerfile = os.path.relpath(opts.filename, opts.context)
    if dockerfile is None or dockerfile.startswith(".."):
        dockerfile = ".dockerfile." + os.urandom(10).hex()
    args = {}
    for text in o["build_arg"]:
        key, eq, value = text.partition("=")
        args[key] = value if eq else env.environ.get(key)
    network = o["network"] if o["network"] not in ("", "default") else None
    return {"buildargs": go_json(args) if args else None, "dockerfile": dockerfile,
            "labels": go_json(opts.labels) if opts.labels else None,
            "networkmode": network, "nocache": o["no_cache"],
            "platform": ",".join(o["platform"]) or None, "pull": o["pull"],
            "q": o["quiet"], "t": list(o["tag"]), "target": o["target"] or None,
            "version": "1"}


# --- the command line ----------------------------------------------------------------------

def _sources(env, path: str, file: str | None) -> dict:
    """The context folder and the Dockerfile's bytes, as the docker CLI finds them: -f
    relative to the current folder, PATH/Dockerfile by default, `-` for stdin."""
    if path == "-":
        if file:
            raise CliError("ERROR: failed to build: unable to prepare context: "
                           "DOCKERFILE cannot be specified with - as the context")
        return {"context": None, "dockerfile": _stdin(env), "filename": "Dockerfile"}
    if path.startswith(("http://", "https://", "git@", "git://")):
        raise CliError("ERROR: dockerlings builds from a folder on this machine, not from "
                       f"a URL: {path}")
    ctx = os.path.join(env.cwd, path)
    if not os.path.isdir(ctx):
        raise CliError(f'ERROR: unable to prepare context: path "{path}" not found')
    if file == "-":
        return {"context": ctx, "dockerfile": _stdin(env), "filename": "Dockerfile"}
    name = os.path.join(env.cwd, file) if file else os.path.join(ctx, "Dockerfile")
    try:
        with open(name, "rb") as f:
            data = f.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        shown = file or "Dockerfile"
        raise CliError(f"{BUILD_ERROR}failed to solve: failed to read dockerfile: open "
                       f"{os.path.basename(shown)}: no such file or directory",
                       hint=None if file else "docker build looks for a file named "
                       f"Dockerfile in {path}. Name another file with -f.") from None
    except OSError as e:        # a name too long, no permission: Go's words for the errno
        raise CliError(f"{BUILD_ERROR}failed to solve: failed to read dockerfile: open "
                       f"{os.path.basename(file or 'Dockerfile')}: "
                       f"{os.strerror(e.errno).lower()}") from None
    return {"context": ctx, "dockerfile": data, "filename": name}


def _stdin(env) -> bytes:
    data = env.stdin.read()
    return data if isinstance(data, bytes) else data.encode()


def _tags(texts: list[str]) -> list[str]:
    out = []
    for t in texts:
        try:
            ref = reference.parse(t)
        except InvalidReference as e:
            raise CliError(f'invalid argument "{t}" for "-t, --tag" flag: {e.message}') from None
        if ref.digest:
            raise CliError(f'invalid argument "{t}" for "-t, --tag" flag: invalid reference '
                           "format")
        out.append(str(ref))
    return out


def _pairs(env, texts: list[str], from_env: bool) -> dict[str, str]:
    """--build-arg K=V (a bare K takes K from the environment, or is left out) and
    --label k=v (a bare k is an empty label)."""
    out = {}
    for t in texts:
        key, eq, value = t.partition("=")
        if eq:
            out[key] = value
        elif not from_env:
            out[key] = ""
        elif key in env.environ:
            out[key] = env.environ[key]
    return out


def _labels(env, texts: list[str]) -> dict[str, str]:
    """--label k=v on the image."""
    return _pairs(env, texts, from_env=False)


def _network(mode: str) -> str:
    if mode in ("", "default", "none"):
        return "none" if mode == "none" else "default"
    raise CliError(f'ERROR: network mode "{mode}" not supported by dockerlings builds: use '
                   '"default" or "none"')


def _check_platform(platforms: list[str]) -> None:
    machine = os.uname().machine
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)
    for p in platforms:
        for one in p.split(","):
            if one.strip() and one.strip() not in (f"linux/{arch}", "linux"):
                raise CliError(f"ERROR: dockerlings builds for this machine only (linux/"
                               f"{arch}), not {one.strip()}")


def _write_iidfile(env, path: str, image_id: str) -> None:
    full = path if os.path.isabs(path) else os.path.join(env.cwd, path)
    try:
        with open(full, "w") as f:
            f.write(image_id)
    except OSError as e:        # no such folder, a name too long: os.WriteFile's words
        raise CliError(f"ERROR: open {path}: {os.strerror(e.errno).lower()}") from None


# --- output ----------------------------------------------------------------------------

def _warnings(env, warnings: list) -> None:
    if not warnings:
        return
    n = len(warnings)
    env.err("")
    env.err(f" {n} warning{'s' if n > 1 else ''} found (use docker --debug to expand):")
    for rule, message, line in warnings:
        env.err(f" - {rule}: {message} (line {line})")


def report(e) -> str:
    """A failed build as BuildKit prints it."""
    parts = []
    if e.step:
        parts.append("------")
        parts.append(f" > {e.step}:")
        parts.extend(e.logs)
        parts.append("------")
    if e.lines and e.source:
        parts.append(source_block(e.source, e.filename, e.lines))
    parts.append(f"{BUILD_ERROR}failed to solve: {e.message}")
    return "\n".join(parts)


def source_block(source: str, filename: str, lines: tuple[int, int]) -> str:
    """The Dockerfile lines around the failing instruction, `>>>` at it: two lines of
    context either side for a one-line instruction, one for a longer one."""
    text = source.split("\n")
    start, end = lines
    if start > len(text) or start < 1:
        return ""
    end = min(end, len(text))
    first, last = start, end
    pad = 4 if end == start else 2
    p = 0
    while p < pad:
        if first > 1:
            first -= 1
            p += 1
        if last != len(text):
            last += 1
            p += 1
        p += 1
    out = [f"{filename}:{start}", "--------------------"]
    for i in range(first, last + 1):
        mark = ">>>" if start <= i <= end else "   "
        out.append(f" {i:3d} | {mark} {text[i - 1]}")
    out.append("--------------------")
    return "\n".join(out)
