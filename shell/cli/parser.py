"""The docker grammar, driven by the command table in spec.py.

It follows the docker CLI (cobra + pflag): combined short flags (-ti), --flag=value and
-e=value, a value in the next word, repeated flags, `--` to end options, and for run,
create and exec, options end at the first argument (the image or container): what
follows belongs to the container's command.
"""
from __future__ import annotations

from engine.errors import UsageError

from . import spec, values


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
    target None: the top level; path: the command as typed."""

    def __init__(self, target, to_stderr: bool = False, path: tuple[str, ...] = ()):
        self.target, self.to_stderr, self.path = target, to_stderr, path


def display_name(cmd: spec.Command, path: tuple[str, ...]) -> str:
    """How the docker CLI names the command in errors: a top-level shortcut (`docker
    ps`) as typed; an alias inside a group (`container list`) by its canonical name."""
    return "docker " + (path[0] if len(path) == 1 else cmd.name)


def _flag_error(message: str, cmd: spec.Command | None, path=()) -> UsageError:
    if cmd is None:
        return UsageError(message, kind="flag", command="docker",
                          usage="docker [OPTIONS] COMMAND [ARG...]")
    name = display_name(cmd, path or cmd.path)
    return UsageError(message, kind="flag", command=name, usage=f"{name} {cmd.usage}")


def parse(argv: list[str]) -> Invocation | HelpRequest:
    """Parse the words after "docker"."""
    i, debug = 0, False
    while i < len(argv) and argv[i].startswith("-") and argv[i] != "-":
        word = argv[i]
        if word in ("--help", "-h"):
            return HelpRequest(None)
        if word in ("-v", "--version"):
            return Invocation(spec.PATHS[("version",)], ("version",), _defaults(
                spec.PATHS[("version",)]), debug=debug)
        if word in ("-D", "--debug"):
            debug = True
            i += 1
            continue
        raise _flag_error(_unknown_flag_message(word), None)
    if i == len(argv):
        return HelpRequest(None, to_stderr=True)
    if argv[i] == "help":
        return _help_for(argv[i + 1:])
    path, rest = _resolve(argv[i:])
    if isinstance(path, HelpRequest):
        return path
    cmd = spec.PATHS[path]
    inv = Invocation(cmd, path, _defaults(cmd), debug=debug)
    help_wanted = _parse_flags(cmd, rest, inv)
    if help_wanted:
        return HelpRequest(cmd, path=path)
    _check_planned(cmd, inv)
    _check_arg_count(cmd, inv)
    return inv


def _help_for(words: list[str]) -> HelpRequest:
    if not words:
        return HelpRequest(None)
    if words[0] in spec.GROUP_NAMES and len(words) == 1:
        return HelpRequest(spec.GROUP_NAMES[words[0]])
    path = tuple(words[:2]) if words[0] in spec.GROUP_NAMES else (words[0],)
    if path in spec.PATHS:
        return HelpRequest(spec.PATHS[path], path=path)
    raise UsageError(f"unknown help topic: {' '.join(words)}", kind="command",
                     command="docker")


def _resolve(words: list[str]):
    name = words[0]
    if name in spec.GROUP_NAMES:
        group = spec.GROUP_NAMES[name]
        if len(words) == 1 or words[1] in ("--help", "-h"):
            return HelpRequest(group, to_stderr=len(words) == 1), []
        if group.planned:
            raise UsageError(f"'docker {name}' is not available in dockerlings yet: "
                             f"{group.planned}", kind="planned", command=f"docker {name}")
        path = (name, words[1])
        if path not in spec.PATHS:
            raise UsageError(f"unknown command: docker {name} {words[1]}", kind="command",
                             command=f"docker {name}", usage=f"docker {name}")
        return path, words[2:]
    if (name,) not in spec.PATHS:
        raise UsageError(f"unknown command: docker {name}", kind="command", command="docker")
    return (name,), words[1:]


def _defaults(cmd: spec.Command) -> dict:
    out = {}
    for f in cmd.flags:
        if f.repeated:
            out[f.dest] = []
        elif f.kind == spec.BOOL:
            out[f.dest] = bool(f.default)
        else:
            out[f.dest] = f.default
    return out


def _unknown_flag_message(word: str) -> str:
    if word.startswith("--"):
        return f"unknown flag: {word.split('=', 1)[0]}"
    return f"unknown shorthand flag: '{word[1]}' in {word}"


def _set(inv: Invocation, f: spec.Flag, text: str | None, cmd: spec.Command) -> None:
    if f.kind == spec.BOOL:
        try:
            value = True if text is None else values.parse_bool(text)
        except ValueError as e:
            raise _flag_error(f'invalid argument "{text}" for "{f.label()}" flag: {e}', cmd, inv.path)
    else:
        try:
            value = values.convert(f, text)
        except ValueError as e:
            raise _flag_error(f'invalid argument "{text}" for "{f.label()}" flag: {e}', cmd, inv.path)
    if f.repeated:
        inv.opts[f.dest].append(value)
    else:
        inv.opts[f.dest] = value
    inv.given.add(f.long)


def _parse_flags(cmd: spec.Command, words: list[str], inv: Invocation) -> bool:
    """Fill inv from `words`; True when --help was asked for."""
    k = 0
    while k < len(words):
        word = words[k]
        if word == "--":
            inv.args.extend(words[k + 1:])
            break
        if word.startswith("--") and len(word) > 2:
            name, eq, text = word[2:].partition("=")
            if name == "help":
                return True
            f = cmd.flag(name)
            if f is None:
                raise _flag_error(f"unknown flag: --{name}", cmd, inv.path)
            if f.kind != spec.BOOL and not eq:
                if k + 1 >= len(words):
                    raise _flag_error(f"flag needs an argument: --{name}", cmd, inv.path)
                k += 1
                text = words[k]
            _set(inv, f, text if (eq or f.kind != spec.BOOL) else None, cmd)
        elif word.startswith("-") and len(word) > 1:
            k = _short_flags(cmd, words, k, inv)
            if k < 0:
                return True
        else:
            inv.args.append(word)
            if not cmd.interspersed:
                inv.args.extend(words[k + 1:])
                break
        k += 1
    return False


def _short_flags(cmd: spec.Command, words: list[str], k: int, inv: Invocation) -> int:
    """Parse one word of short flags (-ti, -e=X, -eX, -e X); returns the index of the
    last word used, or -1 for help."""
    word = words[k]
    shorts = word[1:]
    p = 0
    while p < len(shorts):
        ch = shorts[p]
        f = cmd.short_flag(ch)
        if f is None:
            if ch == "h":
                return -1
            raise _flag_error(f"unknown shorthand flag: '{ch}' in {word}", cmd, inv.path)
        if f.kind == spec.BOOL:
            if p + 1 < len(shorts) and shorts[p + 1] == "=":
                _set(inv, f, shorts[p + 2:], cmd)
                return k
            _set(inv, f, None, cmd)
            p += 1
            continue
        if p + 1 < len(shorts):
            text = shorts[p + 2:] if shorts[p + 1] == "=" else shorts[p + 1:]
        elif k + 1 < len(words):
            k += 1
            text = words[k]
        else:
            raise _flag_error(f"flag needs an argument: '{ch}' in -{ch}", cmd, inv.path)
        _set(inv, f, text, cmd)
        return k
    return k


def _check_planned(cmd: spec.Command, inv: Invocation) -> None:
    if cmd.planned:
        raise UsageError(f"'docker {cmd.name}' is not available in dockerlings yet: "
                         f"{cmd.planned}", kind="planned", command=f"docker {cmd.name}")
    for name in sorted(inv.given):
        f = cmd.flag(name)
        if f is not None and f.planned:
            raise UsageError(f"the {f.label()} option is not supported by dockerlings yet: "
                             f"{f.planned}", kind="planned", command=f"docker {cmd.name}")


def _plural(n: int) -> str:
    return f"{n} argument" if n == 1 else f"{n} arguments"


def _check_arg_count(cmd: spec.Command, inv: Invocation) -> None:
    n, lo, hi = len(inv.args), cmd.min_args, cmd.max_args
    message, see = None, "Run"
    if hi == 0 and n > 0:
        message = f"'{inv.name}' accepts no arguments"
    elif lo == hi and n != lo:
        message = f"'{inv.name}' requires {_plural(lo)}"
    elif hi is not None and lo and not lo <= n <= hi:
        message = f"'{inv.name}' requires at least {lo} and at most {_plural(hi)}"
    elif hi is not None and n > hi:
        message = f"'{inv.name}' requires at most {_plural(hi)}"
    elif n < lo:
        message, see = f"'{inv.name}' requires at least {_plural(lo)}", "See"
    if message:
        raise UsageError(message, kind="args", command=inv.name,
                         usage=f"{inv.name} {cmd.usage}", see=see)
