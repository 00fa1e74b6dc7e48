"""Tab completion, generated from the command table (cli/spec.py).

`candidates(text, ctx)` reads the line up to the cursor the way the parser would read
it (which command, which flags took values, which argument comes next) and answers
with what may be typed there: commands with their summary, flags with a one-line
description, a flag's values (its `complete=` source or its choices), and live engine
objects for arguments (a completion source per Arg.complete). Nothing here knows a
particular docker command: a new command or flag in the table completes by itself.
`DockerCompleter` wraps it for prompt_toolkit.
"""
from __future__ import annotations

import os
import re
import signal
from collections import namedtuple

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from . import builtins
from .cli import spec

# text: what replaces the word typed so far (`start` characters back from the cursor);
# display: what the menu shows (None: text); meta: the grey description beside it.
Candidate = namedtuple("Candidate", "text start display meta", defaults=(None, ""))

PROGRAMS = {"docker": "the docker command line (dockerlings' own engine)",
            "dockerlings": "dockerlings itself: engine checks, the map, lessons"}
DOCKERLINGS_WORDS = {"docker": "run one docker command",
                     "engine": "engine info|fsck|reset|serve|shell",
                     "map": "draw what exists", "xray": "what a container is made of",
                     "-c": "run one line", "help": "usage"}
ENGINE_WORDS = {"info": "what this machine can do, and why not",
                "fsck": "check the engine's store for damage",
                "reset": "stop and remove everything the engine made",
                "serve": "serve the Docker Engine API (-d: in the background; -H: tcp://, unix://)",
                "shell": "a shell in the engine's network namespace (its bridges, routes)"}
SEPARATORS = set("|;&()")

RUNNING = ("running", "restarting")
STOPPED = ("created", "exited", "dead")


class Context:
    """What completion may look at: the working folder and the engine's listings
    (None: no engine objects, as in unit tests of the grammar)."""

    def __init__(self, cwd: str = ".", listings=None, environ: dict | None = None):
        self.cwd, self.listings = cwd, listings
        self.environ = os.environ if environ is None else environ
        self._programs: list[str] | None = None

    def programs(self) -> list[str]:
        """Executables on PATH, read once (they rarely change during a lesson)."""
        if self._programs is None:
            found = set()
            for d in self.environ.get("PATH", "").split(os.pathsep):
                try:
                    found.update(e.name for e in os.scandir(d) if e.is_file())
                except OSError:
                    continue
            self._programs = sorted(found)
        return self._programs


# --- reading the line --------------------------------------------------------------------

def split_words(text: str) -> tuple[list[str], str, str]:
    """(finished words, the word under the cursor unquoted, the same word as typed).
    Tolerates an unclosed quote; restarts after a pipe or `;` (a new command)."""
    words: list[str] = []
    word, raw, quote, in_word = "", "", None, False
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            raw += ch
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"' and i + 1 < len(text):
                i += 1
                word += text[i]
                raw += text[i]
            else:
                word += ch
        elif ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            i += 1
            if nxt == "\n":            # a continued line
                if in_word:
                    words.append(word)
                word, raw, in_word = "", "", False
            else:
                word, raw, in_word = word + nxt, raw + ch + nxt, True
        elif ch.isspace() or ch in SEPARATORS:
            if in_word:
                words.append(word)
            word, raw, in_word = "", "", False
            if ch in SEPARATORS:
                words = []
        elif ch in "'\"":
            quote, raw, in_word = ch, raw + ch, True
        else:
            word, raw, in_word = word + ch, raw + ch, True
        i += 1
    return words, word, raw


def rank(typed: str, name: str) -> int | None:
    """Fuzzy match of what was typed against a name: 0 prefix, 1 substring, 2 the
    letters in order (`wb` finds `web`), None no match."""
    if name.startswith(typed):
        return 0
    low, t = name.lower(), typed.lower()
    if low.startswith(t):
        return 0
    if t in low:
        return 1
    pos = 0
    for ch in t:
        pos = low.find(ch, pos) + 1
        if not pos:
            return None
    return 2


def fuzzy(typed: str, entries, start: int) -> list[Candidate]:
    """entries: (text, meta) pairs; best matches first, then by name."""
    scored = []
    for text, meta in entries:
        r = rank(typed, text)
        if r is not None:
            scored.append((r, text, meta))
    scored.sort()
    return [Candidate(t, start, None, m) for _, t, m in scored]


def prefixed(typed: str, entries, start: int) -> list[Candidate]:
    return [Candidate(t, start, None, m) for t, m in entries if t.startswith(typed)]


# --- the whole line -------------------------------------------------------------------

def candidates(text: str, ctx: Context) -> list[Candidate]:
    words, cur, raw = split_words(text)
    start = -len(raw)
    if not words:
        return _first_word(cur, start, ctx)
    head, rest = words[0], words[1:]
    if head == "docker":
        return docker(rest, cur, start, ctx)
    if head == "dockerlings":
        return _dockerlings(rest, cur, start, ctx)
    if head == "help":
        return _help_topics(rest, cur, start) if not rest else []
    if head == "cd":
        return paths(cur, start, ctx, dirs_only=True)
    if head == "host":
        return prefixed(cur, builtins.HOST_WORDS.items(), start) if not rest else []
    if head == "set":
        if not rest:
            return prefixed(cur, builtins.SETTINGS.items(), start)
        if len(rest) == 1 and rest[0] in builtins.SETTINGS:
            return prefixed(cur, builtins.SETTING_VALUES.items(), start)
        return []
    return paths(cur, start, ctx)


def _first_word(cur: str, start: int, ctx: Context) -> list[Candidate]:
    mine = list(PROGRAMS.items()) + sorted((n, b.summary) for n, b in builtins.TABLE.items())
    out = prefixed(cur, mine, start)
    if cur and "/" not in cur:
        seen = {c.text for c in out}
        out += [Candidate(p, start) for p in ctx.programs()
                if p.startswith(cur) and p not in seen]
    elif "/" in cur:
        out += paths(cur, start, ctx)
    return out


def _dockerlings(rest: list[str], cur: str, start: int, ctx: Context) -> list[Candidate]:
    if not rest:
        return prefixed(cur, DOCKERLINGS_WORDS.items(), start)
    if rest[0] == "docker":
        return docker(rest[1:], cur, start, ctx)
    if rest[0] == "engine" and len(rest) == 1:
        return prefixed(cur, ENGINE_WORDS.items(), start)
    return []


def _summary(cmd) -> str:
    return cmd.summary + (" (not in dockerlings yet)" if cmd.planned else "")


def _help_topics(rest: list[str], cur: str, start: int) -> list[Candidate]:
    if rest and rest[0] in spec.GROUP_NAMES:
        if len(rest) > 1:
            return []
        return prefixed(cur, [(n, _summary(c)) for n, c in spec.group_commands(rest[0])],
                        start)
    if rest:
        return []
    entries = [(n, _summary(c)) for n, c in spec.top_level()]
    entries += [(g.name, g.summary) for g in spec.GROUPS]
    return prefixed(cur, sorted(entries), start)


def docker(words: list[str], cur: str, start: int, ctx: Context) -> list[Candidate]:
    """The words after `docker`, and the word being typed."""
    k = 0
    while k < len(words) and words[k].startswith("-"):
        k += 1
    if k == len(words):                        # the command name comes next
        if cur.startswith("-"):
            return flags(spec.ROOT, cur, start)
        return _help_topics([], cur, start)
    name, rest = words[k], words[k + 1:]
    if name == "help":
        return _help_topics(rest, cur, start)
    if name == "compose":
        waiting = rest and _compose_waiting(rest)
        if waiting:                     # a global option's value is being typed: -f <TAB>
            return values(waiting, cur, start, ctx, spec.COMPOSE)
        rest = _after_compose_globals(rest)
        if not rest:
            if cur.startswith("-"):
                return flags(spec.COMPOSE, cur, start)
            return _help_topics([name], cur, start)
    if name in spec.GROUP_NAMES:
        if not rest:
            return _help_topics([name], cur, start)
        path, rest = (name, rest[0]), rest[1:]
    else:
        path = (name,)
    cmd = spec.PATHS.get(path)
    return command(cmd, rest, cur, start, ctx) if cmd else []


def _compose_waiting(words: list[str]):
    """The compose option the last word leaves waiting for its value, if the words are
    still compose's own options."""
    if _after_compose_globals(words) is not None:
        return None
    last = words[-1]
    if last.startswith("--"):
        return spec.COMPOSE.flag(last[2:])
    return _short_waiting(spec.COMPOSE, last)


def _after_compose_globals(words: list[str]) -> list[str] | None:
    """The words from compose's subcommand on, past its own options (`docker compose -f
    x.yaml up`); None while the last option still waits for its value."""
    k = 0
    while k < len(words) and words[k].startswith("-"):
        word = words[k]
        if word.startswith("--"):
            f = spec.COMPOSE.flag(word[2:].partition("=")[0])
            takes = f is not None and f.kind != spec.BOOL and "=" not in word
        else:
            takes = _short_waiting(spec.COMPOSE, word) is not None
        k += 2 if takes else 1
    return None if k > len(words) else words[k:]


def _services(ctx, cur, start, cmd=None, kind=None):
    """The services of the compose file in this folder (or the nearest parent's)."""
    from .compose import loader
    try:
        files = loader._find_files(ctx.cwd)
        from lessons.source import read
        names = list((read(files[0]).data or {}).get("services") or {})
    except Exception:        # no file, or one being written: nothing to offer
        return []
    return prefixed(cur, [(str(n), "service") for n in names], start)


# --- one command's words ------------------------------------------------------------

def read_words(cmd: spec.Command, words: list[str]):
    """(arguments so far, the flag waiting for its value or None, options over?) as the
    parser would see them."""
    args: list[str] = []
    waiting, over = None, False
    for w in words:
        if waiting is not None:
            waiting = None
        elif over or not w.startswith("-") or w == "-":
            args.append(w)
            over = over or not cmd.interspersed
        elif w == "--":
            over = True
        elif w.startswith("--"):
            name, eq, _ = w[2:].partition("=")
            f = cmd.flag(name)
            if f is not None and f.kind != spec.BOOL and not eq:
                waiting = f
        else:
            waiting = _short_waiting(cmd, w)
    return args, waiting, over


def _short_waiting(cmd: spec.Command, word: str):
    """-ti, -e X, -eX: the flag that still wants the next word as its value."""
    letters = word[1:]
    for i, ch in enumerate(letters):
        f = cmd.short_flag(ch)
        if f is None:
            return None
        if f.kind != spec.BOOL:
            return f if i == len(letters) - 1 else None
    return None


def command(cmd: spec.Command, words: list[str], cur: str, start: int,
            ctx: Context) -> list[Candidate]:
    args, waiting, over = read_words(cmd, words)
    if waiting is not None:
        return values(waiting, cur, start, ctx, cmd)
    if not over and cur.startswith("--") and "=" in cur:
        name, _, value = cur[2:].partition("=")
        f = cmd.flag(name)
        return values(f, value, -len(value), ctx, cmd) if f else []
    if not over and cur.startswith("-"):
        return flags(cmd, cur, start)
    arg = _arg_at(cmd, len(args))
    if arg is None or not arg.complete:
        return []
    given = set(args) if arg.many else set()
    return [c for c in SOURCES.get(arg.complete, _nothing)(ctx, cur, start, cmd)
            if c.text not in given]


def _arg_at(cmd: spec.Command, index: int):
    if index < len(cmd.args):
        return cmd.args[index]
    if cmd.args and cmd.args[-1].many:
        return cmd.args[-1]
    return None


def _one_line(f: spec.Flag) -> str:
    text = f.help.split("\n", 1)[0]
    return text + (" (not in dockerlings yet)" if f.planned else "")


def flags(cmd: spec.Command, cur: str, start: int) -> list[Candidate]:
    shown = [f for f in cmd.flags if not f.hidden]
    if len(cur) == 2 and cur[1] != "-":        # "-t": say what it is
        f = cmd.short_flag(cur[1])
        return [Candidate(cur, start, f.label(), _one_line(f))] if f else []
    # "-rm" (one dash, a long name) is offered as --rm: a common slip, mended here
    typed = "--" + cur.lstrip("-")
    out = []
    for f in shown:
        long = "--" + f.long
        if long.startswith(typed):
            out.append(Candidate(long, start, f.label() if cur == "-" else long,
                                 _one_line(f)))
    return out


# --- flag values -----------------------------------------------------------------------

RESTART = (("no", "never restart (the default)"), ("always", "restart whenever it stops"),
           ("on-failure", "restart when it exits with an error"),
           ("on-failure:3", "... at most 3 times"),
           ("unless-stopped", "like always, but not after docker stop"))
PS_FILTERS = {"status": "created, running, paused, exited ...", "name": "container name",
              "ancestor": "made from this image", "id": "container ID",
              "label": "label key or key=value", "exited": "exit code",
              "before": "created before this container", "since": "created after this one"}
STATUSES = ("created", "restarting", "running", "removing", "paused", "exited", "dead")
IMAGE_FILTERS = {"dangling": "true: untagged images", "reference": "name pattern",
                 "label": "label key or key=value", "before": "older than this image",
                 "since": "newer than this image"}


def values(f: spec.Flag, cur: str, start: int, ctx: Context, cmd) -> list[Candidate]:
    if f.complete:
        kind = f.complete.split(":", 1)[0]
        return SOURCES.get(kind, _nothing)(ctx, cur, start, cmd, f.complete)
    if f.choices:
        return prefixed(cur, [(c, "") for c in f.choices], start)
    return []


def _nothing(*_a) -> list[Candidate]:
    return []


def _restart(ctx, cur, start, cmd, kind=None):
    return prefixed(cur, RESTART, start)


def _signals(ctx, cur, start, cmd, kind=None):
    names = sorted(s.name for s in signal.Signals if not s.name.startswith("SIG_"))
    typed = cur.upper()
    entries = [(n, str(int(signal.Signals[n]))) for n in names]
    return [Candidate(n, start, None, m) for n, m in entries
            if n.startswith(typed) or n[3:].startswith(typed)]


def _capabilities(ctx, cur, start, cmd, kind=None):
    from engine.runtime import caps
    entries = [("ALL", "every capability")] + [(n, "") for n in caps.NAMES]
    return [Candidate(n, start, None, m) for n, m in entries
            if n.startswith(cur.upper().removeprefix("CAP_"))]


def _pid_modes(ctx, cur, start, cmd, kind=None):
    if cur.startswith("container:"):
        name = cur[len("container:"):]
        return [c._replace(text="container:" + c.text, display=c.text)
                for c in containers(ctx, name, start, RUNNING)]
    return prefixed(cur, [("host", "share the host's processes"),
                          ("container:", "share a running container's processes")], start)


def _filters(entries: dict, by_key):
    def source(ctx, cur, start, cmd, kind=None):
        key, eq, value = cur.partition("=")
        if not eq:
            return prefixed(cur, [(k + "=", m) for k, m in entries.items()], start)
        found = by_key.get(key, _nothing)(ctx, value, -len(value), cmd)
        return found
    return source


def _status_values(ctx, cur, start, cmd, kind=None):
    return prefixed(cur, [(s, "") for s in STATUSES], start)


def _dangling_values(ctx, cur, start, cmd, kind=None):
    return prefixed(cur, [("true", ""), ("false", "")], start)


# Fields of the rows `--format` templates see (render/views.py), for "{{." completion.
FORMAT_FIELDS = {
    "container": ("ID", "Image", "Command", "CreatedAt", "RunningFor", "Ports", "State",
                  "Status", "Size", "Names", "Labels", "Mounts", "Networks", "LocalVolumes"),
    "image": ("ID", "Repository", "Tag", "Digest", "CreatedSince", "CreatedAt", "Size",
              "Containers", "VirtualSize"),
    "history": ("ID", "CreatedSince", "CreatedAt", "CreatedBy", "Size", "Comment"),
    "network": ("ID", "Name", "Driver", "Scope", "IPv6", "Internal", "Labels", "CreatedAt"),
    "inspect": ("Id", "Name", "State.Status", "State.Running", "State.ExitCode", "State.Pid",
                "Config.Image", "Config.Cmd", "Config.Env", "Config.Hostname",
                "HostConfig.RestartPolicy.Name", "NetworkSettings.IPAddress",
                "NetworkSettings.Networks", "Mounts", "RepoTags", "Created", "Size"),
}
FORMAT_STARTS = (("table", "a table with column headers (the default)"),
                 ("json", "one JSON object per line"),
                 ("{{json .}}", "everything, as JSON"))


def _formats(ctx, cur, start, cmd, kind="format:container"):
    fields = FORMAT_FIELDS.get(kind.partition(":")[2], ())
    opened = cur.rfind("{{")
    if opened >= 0 and "}}" not in cur[opened:]:
        inside = cur[opened + 2:].lstrip()
        for lead in (".", "json ."):
            if inside.startswith(lead):
                partial = inside[len(lead):]      # a dotted path: State.Sta
                return [Candidate(f + "}}", -len(partial), f, "field")
                        for f in fields if f.startswith(partial)]
        return []
    entries = list(FORMAT_STARTS) if kind != "format:inspect" else []
    entries += [("{{." + f + "}}", "") for f in fields]
    return [c._replace(text=_quote(c.text)) for c in prefixed(cur, entries, start)]


def _quote(text: str) -> str:
    return f"'{text}'" if any(ch in text for ch in " {}$\\\"") else text


# --- engine objects -------------------------------------------------------------------------

def containers(ctx, cur, start, statuses=None) -> list[Candidate]:
    if ctx.listings is None:
        return []
    boxes = [b for b in ctx.listings.containers() if statuses is None or b.status in statuses]
    out = fuzzy(cur, [(b.name, f"{b.status} · {b.image}") for b in boxes], start)
    if len(cur) >= 2 and all(ch in "0123456789abcdef" for ch in cur):
        out += [Candidate(b.id[:12], start, None, f"{b.name} · {b.status}")
                for b in boxes if b.id.startswith(cur)]
    return out


def _container_source(statuses):
    def source(ctx, cur, start, cmd=None, kind=None):
        return containers(ctx, cur, start, statuses)
    return source


OFFLINE = (("busybox", "made offline on first use"),
           ("hello-world", "made offline on first use"),
           ("curlimages/curl", "made offline on first use"))
PULLS = ("container run", "container create", "image pull")


def images(ctx, cur, start, cmd=None, kind=None) -> list[Candidate]:
    tags = ctx.listings.tags() if ctx.listings is not None else []
    entries = {}
    for t in tags:
        entries[t.ref] = t.id[7:19]
        if t.ref.endswith(":latest"):
            entries.setdefault(t.ref[:-len(":latest")], t.id[7:19])
    if cmd is not None and cmd.name in PULLS:
        for name, meta in OFFLINE:
            entries.setdefault(name, meta)
    out = fuzzy(cur, sorted(entries.items()), start)
    if len(cur) >= 2 and all(ch in "0123456789abcdef" for ch in cur):
        out += [Candidate(t.id[7:19], start, None, t.ref) for t in tags
                if t.id[7:].startswith(cur)]
    return out


def _repositories(ctx, cur, start, cmd=None, kind=None):
    tags = ctx.listings.tags() if ctx.listings is not None else []
    repos = sorted({t.ref.rpartition(":")[0] for t in tags})
    return fuzzy(cur, [(r, "") for r in repos], start)


def _objects(ctx, cur, start, cmd=None, kind=None):
    return containers(ctx, cur, start) + images(ctx, cur, start)


DEFAULT_NETWORKS = (("bridge", "the default network"), ("host", "the host's network"),
                    ("none", "no network at all"))


def _networks(ctx, cur, start, cmd=None, kind=None):
    entries = dict(DEFAULT_NETWORKS)
    if ctx.listings is not None:
        for n in ctx.listings.networks():
            entries.setdefault(n, "network")
    return fuzzy(cur, sorted(entries.items()), start)


def _anonymous(name: str) -> bool:
    """The engine names an anonymous volume with 64 hex digits, as Docker does."""
    return len(name) == 64 and all(ch in "0123456789abcdef" for ch in name)


def _volumes(ctx, cur, start, cmd=None, kind=None):
    names = ctx.listings.volumes() if ctx.listings is not None else []
    return fuzzy(cur, [(n, "anonymous volume" if _anonymous(n) else "volume")
                       for n in names], start)


VOLUME_MODES = (("ro", "read-only inside the container"), ("rw", "read-write (the default)"))
BIND_STARTS = (("./", "a folder here, shared with the container (bind mount)"),
               ("/", "a host folder by its full path (bind mount)"))


def _volume_spec(ctx, cur, start, cmd=None, kind=None):
    """-v NAME:/path, -v /host/path:/path[:ro] or -v /path (an anonymous volume): volume
    names and host paths before the first colon, nothing to guess for the container
    path after it, and the modes after a second colon."""
    if ":" in cur:
        head, _, mode = cur.rpartition(":")
        if ":" in head:
            return prefixed(mode, VOLUME_MODES, -len(mode))
        return []
    out = [c._replace(text=c.text + ":") for c in _volumes(ctx, cur, start)
           if not _anonymous(c.text) or (cur and c.text.startswith(cur))]
    if cur.startswith((".", "/", "~")):
        out += paths(cur, start, ctx)
    elif not cur:
        out += [Candidate(t, start, None, m) for t, m in BIND_STARTS]
    return out


def _cp_path(ctx, cur, start, cmd=None, kind=None):
    """docker cp's SRC and DEST: CONTAINER: (a path inside it follows the colon) or a
    host path."""
    if ":" in cur and not cur.startswith((".", "/", "~")):
        return []                     # a path inside the container: not read from here
    out = [] if cur.startswith((".", "/", "~")) else \
        [c._replace(text=c.text + ":") for c in containers(ctx, cur, start)]
    return out + paths(cur, start, ctx)


# --- host paths -----------------------------------------------------------------------

def paths(cur: str, start: int, ctx: Context, dirs_only: bool = False, cmd=None
          ) -> list[Candidate]:
    folder, _, base = cur.rpartition("/")
    shown = folder + "/" if "/" in cur else ""
    where = os.path.expanduser(folder) if folder else ("/" if cur.startswith("/") else ".")
    where = where if os.path.isabs(where) else os.path.join(ctx.cwd, where)
    try:
        entries = sorted(os.scandir(where), key=lambda e: e.name)
    except OSError:
        return []
    out = []
    for e in entries:
        if not e.name.startswith(base) or (e.name.startswith(".") and not base):
            continue
        is_dir = e.is_dir()
        if dirs_only and not is_dir:
            continue
        text = _escape(shown + e.name) + ("/" if is_dir else "")
        out.append(Candidate(text, start, e.name + ("/" if is_dir else ""), ""))
    return out


def _escape(text: str) -> str:
    return re.sub(r"([\s'\"\\$`|&;<>()*?\[\]#])", r"\\\1", text)


def _path_source(ctx, cur, start, cmd=None, kind=None):
    return paths(cur, start, ctx)


def _security_opts(ctx, cur, start, cmd=None, kind=None):
    """--security-opt: seccomp=unconfined, seccomp=PROFILE.json (a path), and
    no-new-privileges."""
    if cur.startswith("seccomp=") and cur != "seccomp=":
        rest = cur[len("seccomp="):]
        found = prefixed(cur, [("seccomp=unconfined", "run without a seccomp filter")], start)
        return found + [c._replace(text="seccomp=" + c.text, display=c.text)
                        for c in paths(rest, start, ctx)]
    return prefixed(cur, [("seccomp=unconfined", "run without a seccomp filter"),
                          ("seccomp=", "a seccomp profile (Docker's JSON format)"),
                          ("no-new-privileges", "no privileges gained on exec (setuid)")],
                    start)


# Arg.complete and Flag.complete names -> the function that answers them.
SOURCES = {
    "container": _container_source(None),
    "running-container": _container_source(RUNNING),
    "stopped-container": _container_source(STOPPED),
    "paused-container": _container_source(("paused",)),
    "image": images,
    "repository": _repositories,
    "object": _objects,
    "network": _networks,
    "service": _services,
    "volume": _volumes,
    "volume-spec": _volume_spec,
    "cp-path": _cp_path,
    "path": _path_source,
    "signal": _signals,
    "restart": _restart,
    "capability": _capabilities,
    "pid-mode": _pid_modes,
    "security-opt": _security_opts,
    "format": _formats,
    "ps-filter": _filters(PS_FILTERS, {"status": _status_values,
                                       "name": _container_source(None),
                                       "ancestor": images, "before": _container_source(None),
                                       "since": _container_source(None)}),
    "images-filter": _filters(IMAGE_FILTERS, {"dangling": _dangling_values,
                                              "reference": _repositories,
                                              "before": images, "since": images}),
}


class DockerCompleter(Completer):
    """The completer the REPL uses; `ctx_of()` gives the current Context (the working
    folder changes with `cd`)."""

    def __init__(self, ctx_of):
        self.ctx_of = ctx_of

    def get_completions(self, document: Document, complete_event: CompleteEvent):
        for c in candidates(document.text_before_cursor, self.ctx_of()):
            yield Completion(c.text, start_position=c.start, display=c.display,
                             display_meta=c.meta or None)
