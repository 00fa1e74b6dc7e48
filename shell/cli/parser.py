"""The docker grammar, driven by the command table in spec.py.

It follows the docker CLI (cobra + pflag): combined short flags (-ti), --flag=value and
-e=value, a value in the next word, repeated flags, `--` to end options, and for run,
create, exec and a few others, options end at the first argument (the image or
container): what follows belongs to the container's command. docker's own options
(-D, -v) are parsed the same way, up to the command name. As in cobra, every flag is
parsed before --help is looked at, so a bad flag next to --help is still an error.
"""
from __future__ import annotations

from engine.errors import UsageError

from . import planned, spec, values


class Invocation:
    """A parsed command line: the command, the path as typed (("ps",) or ("container",
    "ls")), option values by dest name, the long names of the flags given, arguments."""

    def __init__(self, command: spec.Command, path: tuple[str, ...], opts: dict | None = None,
                 given: set | None = None, args: list[str] | None = None, debug: bool = False):
        self.command, self.path = command, path
        self.opts = {} if opts is None else opts
        self.given = set() if given is None else given
        self.args = [] if args is None else args
        self.debug = debug

    @property
    def name(self) -> str:
        return "docker " + " ".join(self.path)

    def __getattr__(self, item):
        # inv.detach, inv.no_trunc ... read the options like attributes
        opts = self.__dict__.get("opts", {})
        if item in opts:
            return opts[item]
        raise AttributeError(item)


class HelpRequest:
    """`docker`, `docker --help`, `docker run --help`, `docker help run`, `docker container`.
    target None: the top level; path: the command as typed; notices: how many times -h
    was used, which docker reports as deprecated before the page."""

    def __init__(self, target, to_stderr: bool = False, path: tuple[str, ...] = (),
                 notices: int = 0):
        self.target, self.to_stderr, self.path = target, to_stderr, path
        self.notices = notices


def display_name(cmd: spec.Command, path: tuple[str, ...]) -> str:
    """How the docker CLI names the command in errors: a top-level shortcut (`docker
    ps`) as typed; an alias inside a group (`container list`) by its canonical name;
    the root as plain `docker`."""
    return " ".join(("docker",) + (path if len(path) == 1 else cmd.path))


def _flag_error(message: str, cmd: spec.Command, path: tuple[str, ...]) -> UsageError:
    name = display_name(cmd, path)
    return UsageError(message, kind="flag", command=name, usage=f"{name} {cmd.usage}")


def parse(argv: list[str]) -> Invocation | HelpRequest:
    """Parse the words after "docker"."""
    root = Invocation(spec.ROOT, (), _defaults(spec.ROOT))
    top = _Flags(spec.ROOT, root)
    top.parse(argv)
    debug = root.opts["debug"]
    if top.help:
        return HelpRequest(None, notices=top.notices)
    if root.opts["version"] and not root.args:     # cobra's --version: only on its own
        version = spec.PATHS[("version",)]
        return Invocation(version, ("version",), _defaults(version), debug=debug)
    if not root.args:
        return HelpRequest(None, to_stderr=True, notices=top.notices)
    if root.args[0] == "help":
        return _help_for(root.args[1:])
    path, rest = _resolve(root.args)
    if isinstance(path, HelpRequest):
        return path
    cmd = spec.PATHS[path]
    inv = Invocation(cmd, path, _defaults(cmd), debug=debug)
    flags = _Flags(cmd, inv)
    flags.parse(rest)
    if flags.help:
        return HelpRequest(cmd, path=path, notices=flags.notices)
    _check_arg_count(cmd, inv)
    _check_pull(cmd, inv)
    planned.check(cmd, inv, display_name(cmd, path))
    return inv


def _help_for(words: list[str]) -> HelpRequest:
    """`docker help [COMMAND]`: the page of the command the words name; any words left
    over make an unknown topic (docker names just those)."""
    target, path, rest = None, (), words
    if rest and rest[0] in spec.GROUP_NAMES:
        target, rest = spec.GROUP_NAMES[rest[0]], rest[1:]
        if rest and (target.name, rest[0]) in spec.PATHS:
            path, rest = (target.name, rest[0]), rest[1:]
    elif rest and (rest[0],) in spec.PATHS:
        path, rest = (rest[0],), rest[1:]
    if rest:
        raise UsageError(f"unknown help topic: {' '.join(rest)}", kind="topic")
    return HelpRequest(spec.PATHS[path] if path else target, path=path)


def _resolve(words: list[str]):
    name = words[0]
    if name == "compose":
        words = _compose_globals_after(words)
        if isinstance(words, HelpRequest):
            return words, []
    if name in spec.GROUP_NAMES:
        group = spec.GROUP_NAMES[name]
        if len(words) == 1 or words[1] in ("--help", "-h"):
            return HelpRequest(group, to_stderr=len(words) == 1,
                               notices=int(words[1:2] == ["-h"])), []
        if group.planned:
            raise UsageError(f"'docker {name}' is not available in dockerlings yet: "
                             f"{group.planned}", kind="planned", command=f"docker {name}")
        path = (name, words[1])
        if path not in spec.PATHS:
            raise UsageError(f"unknown command: docker {name} {words[1]}", kind="command",
                             command=f"docker {name}",
                             usage=_GROUP_USE.get(name, f"docker {name}"))
        return path, words[2:]
    if (name,) not in spec.PATHS:
        raise UsageError(f"unknown command: docker {name}", kind="command", command="docker")
    return (name,), words[1:]


def _compose_globals_after(words: list[str]):
    """`docker compose -f x.yaml -p app up -d`: Compose's own options come before its
    subcommand; they are moved after it, where every subcommand takes them."""
    inv = Invocation(spec.COMPOSE, ("compose",), _defaults(spec.COMPOSE))
    flags = _Flags(spec.COMPOSE, inv)
    flags.parse(words[1:])
    if flags.help or not inv.args:
        return HelpRequest(spec.GROUP_NAMES["compose"], to_stderr=not flags.help,
                           notices=flags.notices)
    moved = []      # by long name: a subcommand's own -f (rm --force, logs --follow) wins
    for f in spec.COMPOSE.flags:
        if f.long in inv.given:
            value = inv.opts[f.dest]
            moved += [f"--{f.long}={v}" for v in (value if f.repeated else [value])]
    return ["compose", inv.args[0]] + moved + inv.args[1:]


# cobra's Use line of each management command, as an unknown subcommand's error shows
# it: docker/cli declares "volume COMMAND" but plain "container", "image" ... elsewhere.
_GROUP_USE = {"volume": "docker volume COMMAND"}


def _defaults(cmd: spec.Command) -> dict:
    """Every option's value when not given (repeated ones start as new lists)."""
    known = _DEFAULTS.get(id(cmd))
    if known is None:
        known = _DEFAULTS[id(cmd)] = (
            {f.dest: None if f.repeated else bool(f.default) if f.kind == spec.BOOL
             else f.default for f in cmd.flags},
            [f.dest for f in cmd.flags if f.repeated])
    out = dict(known[0])
    for dest in known[1]:
        out[dest] = []
    return out


_DEFAULTS: dict[int, tuple[dict, list]] = {}   # per command (they live for good): once


# cobra gives every command a bool --help flag, with the shorthand -h where the command
# leaves "h" free (docker marks that shorthand deprecated). It never lands in opts.
HELP = spec.Flag("help", help="Print usage")


class _Flags:
    """pflag's parse of one command's words into an Invocation: options, the flags
    given, and the arguments."""

    def __init__(self, cmd: spec.Command, inv: Invocation):
        self.cmd, self.inv = cmd, inv
        self.help = False       # --help or -h given (and not =false)
        self.notices = 0        # uses of -h

    def parse(self, words: list[str]) -> None:
        """Take flags until `--` (or, when not interspersed, the first argument)."""
        k = 0
        while k < len(words):
            word, k = words[k], k + 1
            if word == "--":
                self.inv.args.extend(words[k:])
                return
            if word.startswith("--"):
                k = self._long(word, words, k)
            elif word.startswith("-") and word != "-":
                k = self._short(word, words, k)
            else:
                self.inv.args.append(word)
                if not self.cmd.interspersed:
                    self.inv.args.extend(words[k:])
                    return

    def _long(self, word: str, words: list[str], k: int) -> int:
        """--flag, --flag=value or --flag value; returns the index of the next word."""
        if word[2] in "-=":
            raise self._error(f"bad flag syntax: {word}")
        name, eq, text = word[2:].partition("=")
        f = self.cmd.flag(name) or (HELP if name == "help" else None)
        if f is None:
            raise self._error(f"unknown flag: --{name}")
        if eq:
            value = text
        elif f.kind == spec.BOOL:
            value = None
        elif k < len(words):
            value, k = words[k], k + 1
        else:
            raise self._error(f"flag needs an argument: {word}")
        self._set(f, value)
        return k

    def _short(self, word: str, words: list[str], k: int) -> int:
        """One word of shorthands: -ti, -e=X, -eX, -e X; bool letters may be followed by
        more letters. Errors name only the letters not consumed yet, as pflag's do."""
        shorts = word[1:]
        while shorts:
            ch = shorts[0]
            f = self.cmd.short_flag(ch) or (HELP if ch == "h" else None)
            if f is None:
                raise self._error(f"unknown shorthand flag: {_quote_letter(ch)} in -{shorts}")
            if len(shorts) > 2 and shorts[1] == "=":    # "-a=" is -a, then a flag "="
                value, shorts = shorts[2:], ""
            elif f.kind == spec.BOOL:
                value, shorts = None, shorts[1:]
            elif len(shorts) > 1:
                value, shorts = shorts[1:], ""
            elif k < len(words):
                value, k, shorts = words[k], k + 1, ""
            else:
                raise self._error(f"flag needs an argument: {_quote_letter(ch)} in -{shorts}")
            if f is HELP:
                self.notices += 1
            self._set(f, value)
        return k

    def _set(self, f: spec.Flag, text: str | None) -> None:
        """Store a flag's value (text None: a bool flag given bare)."""
        try:
            if text is None:
                value = True
            elif f.kind == spec.BOOL:
                value = values.parse_bool(text)
            else:
                value = values.convert(f, text)
        except ValueError as e:
            raise self._error(f'invalid argument {values.go_quote(text)} for "{f.label()}" '
                              f"flag: {e}") from None
        if f is HELP:
            self.help = value
            return
        if not f.repeated:
            self.inv.opts[f.dest] = value
        elif value is not None:
            self.inv.opts[f.dest].append(value)
        self.inv.given.add(f.long)

    def _error(self, message: str) -> UsageError:
        return _flag_error(message, self.cmd, self.inv.path)


def _quote_letter(ch: str) -> str:
    """pflag's %q of the shorthand: it reads bytes, so a non-ASCII letter shows as its
    first UTF-8 byte ('é' -> 'Ã')."""
    raw = ch.encode("utf-8", "surrogateescape" if "\udc80" <= ch <= "\udcff" else "surrogatepass")
    return values.go_quote(chr(raw[0]), quote="'")


def _plural(n: int) -> str:
    return f"{n} argument" if n == 1 else f"{n} arguments"


def _check_arg_count(cmd: spec.Command, inv: Invocation) -> None:
    n, lo, hi = len(inv.args), cmd.min_args, cmd.max_args
    name = display_name(cmd, inv.path)
    message, see = None, "Run"
    if hi == 0 and n > 0:
        message = f"'{name}' accepts no arguments"
    elif lo == hi and n != lo:
        message = f"'{name}' requires {_plural(lo)}"
    elif hi is not None and lo and not lo <= n <= hi:
        message = f"'{name}' requires at least {lo} and at most {_plural(hi)}"
    elif hi is not None and n > hi:
        # "SRun" is a typo in docker/cli v28.2.2's RequiresMaxArgs; the real CLI prints it
        message, see = f"'{name}' requires at most {_plural(hi)}", "SRun"
    elif n < lo:
        message, see = f"'{name}' requires at least {_plural(lo)}", "See"
    if message:
        raise UsageError(message, kind="args", command=name, usage=f"{name} {cmd.usage}",
                         see=see)


def _check_pull(cmd: spec.Command, inv: Invocation) -> None:
    """run and create check --pull themselves before anything else they do (so here,
    ahead of the handlers' own checks of --attach and the TTY)."""
    f = cmd.flag("pull")
    if f is not None and f.choices and inv.opts["pull"] not in f.choices:
        raise UsageError(f"invalid pull option: '{inv.opts['pull']}': must be one of "
                         '"always", "missing" or "never"', kind="option",
                         command=display_name(cmd, inv.path))
