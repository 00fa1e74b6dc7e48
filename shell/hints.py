"""Plain-words hints for the mistakes learners make most.

Docker's own message is printed first, always; a hint is one extra line after it. Each
entry of HINTS is a predicate on the error, the command line and the Env, and the text
to show (a function of the same three). Adding a hint is adding an entry; every entry
has a test that triggers it (tests/unit/test_hints.py checks that none is left out).
"""
from __future__ import annotations

import difflib
import re
from collections import namedtuple

from engine import errors

from .cli import spec
from .cli.parser import Invocation, parse

# name; when(error, argv, env) -> bool; text(error, argv, env) -> str
Hint = namedtuple("Hint", "name when text")


def _msg(err) -> str:
    return str(err)


def _invocation(argv):
    """The command line parsed again (the error came after it parsed), to read its
    arguments without mistaking option values for them; None if it does not parse."""
    try:
        result = parse(list(argv))
    except errors.EngineError:
        return None
    return result if isinstance(result, Invocation) else None


def _command_words(argv) -> tuple[tuple[str, ...], list[str]]:
    """(the command as typed: ("network", "connect") or ("ps",), the words after it),
    read without the parser, so it works for lines that do not parse."""
    words = list(argv)
    while words and words[0].startswith("-"):
        words.pop(0)
    if not words:
        return (), []
    if words[0] in spec.GROUP_NAMES and len(words) > 1:
        return (words[0], words[1]), words[2:]
    return (words[0],), words[1:]


def _positionals(words: list[str]) -> list[str]:
    return [w for w in words if not w.startswith("-")]


def _engine(env):
    return getattr(env, "engine", None) if env is not None else None


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, as cobra's "did you mean" measures it."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _closest(word: str, names, n: int = 1) -> list[str]:
    """Names within two edits of `word` (or that it begins), nearest first: cobra's
    SuggestionsFor with its default distance."""
    # The distance is at least the difference in length: names longer or shorter by
    # more than two can only match as a prefix. Leaving the others out before the
    # quadratic measures keeps a 100,000-character word as quick as a short one.
    names = {name for name in names
             if name and (abs(len(name) - len(word)) <= 2 or name.startswith(word))}
    scored = sorted((_distance(word.lower(), name.lower()),
                     -difflib.SequenceMatcher(None, word, name).ratio(), name)
                    for name in names)
    near = [(d, name) for d, _, name in scored
            if d <= 2 or (len(word) > 1 and name.startswith(word))]
    # more than one only when they are equally near (rn: rm or run)
    return [name for d, name in near if d == near[0][0]][:n] if near else []


def _either(names: list[str]) -> str:
    return " or ".join(names)


# --- options written wrongly --------------------------------------------------------

LONG_NAMES = {f.long for c in spec.COMMANDS for f in c.flags}


def _single_dash_word(err, argv) -> str | None:
    """The `-name` word typed for a long option. pflag's message names only the letters
    it had not consumed yet (`-force` -> 'o' in -orce), so the word comes from argv."""
    m = re.match(r"unknown shorthand flag: '.+?' in -(.+)$", _msg(err))
    if not m:
        return None
    return next((w for w in argv if w.startswith("-") and w[1:] in LONG_NAMES and
                 w.endswith(m.group(1))), None)


def _single_dash_long(err, argv, env) -> bool:
    return _single_dash_word(err, argv) is not None


def _single_dash_text(err, argv, env) -> str:
    word = _single_dash_word(err, argv)
    return (f"long options take two dashes: write -{word}. With one dash, {word} reads as "
            f"the short options {', '.join('-' + c for c in word[1:])}.")


def _unknown_flag_guess(err, argv) -> str | None:
    m = re.match(r"unknown flag: --(.+)$", _msg(err))
    if not m:
        return None
    path, _ = _command_words(argv)
    cmd = spec.PATHS.get(path) if path else spec.ROOT
    if cmd is None:
        return None
    found = _closest(m.group(1), [f.long for f in cmd.flags if not f.hidden] + ["help"])
    return found[0] if found else None


def _unknown_flag(err, argv, env) -> bool:
    return _unknown_flag_guess(err, argv) is not None


def _unknown_flag_text(err, argv, env) -> str:
    path, _ = _command_words(argv)
    return (f"did you mean --{_unknown_flag_guess(err, argv)}? "
            f"(docker {' '.join(path)} --help lists every option)")


def _command_guess(err) -> tuple[str, str] | None:
    """(what was typed, the closest real command) for "unknown command: docker X"."""
    m = re.match(r"unknown command: docker (?:(\S+) )?(\S+)$", _msg(err))
    if not isinstance(err, errors.UsageError) or err.kind != "command" or not m:
        return None
    group, word = m.group(1), m.group(2)
    if group:
        names = [n for n, _ in spec.group_commands(group)]
    else:
        names = [n for n, _ in spec.top_level()] + list(spec.GROUP_NAMES)
    found = _closest(word, names, n=2)
    prefix = f"docker {group} " if group else "docker "
    return (word, _either([prefix + f for f in found])) if found else None


def _flag_after_image(err, argv, env) -> bool:
    m = re.search(r'exec: "(-[^"]*)"', _msg(err))
    return bool(m) and isinstance(err, errors.StartFailed)


def _flag_after_image_text(err, argv, env) -> str:
    flag = re.search(r'exec: "(-[^"]*)"', _msg(err)).group(1)
    inv = _invocation(argv)
    runs = inv is not None and inv.command.name in ("container run", "container create")
    image = inv.args[0] if runs else "IMAGE"
    return (f"{flag} came after the image name, so Docker passed it to the container as its "
            f"command. Options go before the image: docker run {flag} {image} ...")


def _pid_form(err, argv, env) -> bool:
    return "invalid PID mode" in _msg(err)


def _pid_text(err, argv, env) -> str:
    inv = _invocation(argv)
    typed = (inv.opts.get("pid") or "") if inv is not None else ""
    target = typed.rpartition(":")[2] or "NAME"
    return (f"to share another container's processes, write --pid container:{target} (the "
            "word 'container', a colon, then the container's name or ID); --pid host "
            "shares the host's")


# --- names and objects ------------------------------------------------------------------

def _uppercase(err, argv, env) -> bool:
    return "must be lowercase" in _msg(err)


def _uppercase_text(err, argv, env) -> str:
    m = re.search(r"repository name \(([^)]*)\)", _msg(err))
    name = m.group(1).split("/")[-1] if m else ""
    return (f"image names are all lowercase: try {name.lower()}" if name else
            "image names (repositories) are all lowercase") + \
        "; capitals are allowed only in tags, after the colon."


def _rm_running(err, argv, env) -> bool:
    return "container is running: stop the container before removing" in _msg(err)


def _name_in_use(err, argv, env) -> bool:
    return isinstance(err, errors.NameInUse)


def _name_in_use_text(err, argv, env) -> str:
    return (f"every container needs its own name. Remove the old one (docker rm {err.name}), "
            "or choose another --name.")


NEEDS_RUNNING = ("container exec", "container attach", "container kill", "container pause",
                 "container top")
ATTACH_STOPPED = "You cannot attach to a stopped container"


def _not_running(err, argv, env) -> bool:
    if not (isinstance(err, errors.ContainerNotRunning) or ATTACH_STOPPED in _msg(err)):
        return False
    inv = _invocation(argv)
    return inv is not None and inv.command.name in NEEDS_RUNNING and bool(inv.args)


def _not_running_text(err, argv, env) -> str:
    inv = _invocation(argv)
    verb = inv.command.path[-1]
    return (f"{verb} needs a running container, and this one is not running (never started, "
            f"or its main process has ended). Start it with docker start {inv.args[0]}, then "
            f"{verb} once more.")


def _no_such_container_guess(err, env) -> str | None:
    eng = _engine(env)
    if not isinstance(err, errors.NoSuchContainer) or eng is None:
        return None
    found = _closest(err.ref, eng.store.names())
    return found[0] if found else None


def _image_offline(err, argv, env) -> bool:
    return isinstance(err, errors.ImageNotFoundLocally)


# --- networks and ports --------------------------------------------------------------------

def _connect_swapped(err, argv, env) -> bool:
    """`docker network connect web mynet`: the container came first. Docker reads the
    first argument as the network, so its error names the container as a network."""
    path, rest = _command_words(argv)
    args = _positionals(rest)
    eng = _engine(env)
    if path != ("network", "connect") or len(args) != 2 or eng is None:
        return False
    try:
        eng.container(args[0])
    except errors.EngineError:
        return False
    return True


def _connect_swapped_text(err, argv, env) -> str:
    first, second = _positionals(_command_words(argv)[1])
    return (f"{first} is a container: the network comes first, then the container. "
            f"Try: docker network connect {second} {first}")


def _port_taken(err, argv, env) -> bool:
    return "port is already allocated" in _msg(err)


def _port_taken_text(err, argv, env) -> str:
    m = re.search(r"Bind for (\S+):(\d+) failed", _msg(err))
    port = m.group(2) if m else "that"
    holder = _port_holder(env, port) if m else None
    who = f"container {holder} already publishes it" if holder else \
        "another container or program already uses it"
    return (f"host port {port} can be published once only: {who}. Choose another host port "
            f"(-p {int(port) + 1 if port.isdigit() else 'OTHER'}:...) or stop "
            f"{holder or 'the one using it'} first.")


def _port_holder(env, port: str) -> str | None:
    """The running container that publishes host port `port`, read from the records."""
    eng = _engine(env)
    if eng is None:
        return None
    for c in eng.containers(all=False):
        bindings = c.host.port_bindings
        items = bindings.items() if isinstance(bindings, dict) else bindings or ()
        for _, bs in items:
            for b in bs or ():
                host_port = b.get("HostPort") if isinstance(b, dict) else \
                    getattr(b, "host_port", "")
                if str(host_port) == port:
                    return c.name
    return None


HINTS: tuple[Hint, ...] = (
    Hint("single-dash-long-option", _single_dash_long, _single_dash_text),
    Hint("unknown-flag-did-you-mean", _unknown_flag, _unknown_flag_text),
    Hint("unknown-command-did-you-mean", lambda e, a, env: _command_guess(e) is not None,
         lambda e, a, env: f"did you mean {_command_guess(e)[1]}? (docker --help lists "
                           "them all)"),
    Hint("flag-after-image", _flag_after_image, _flag_after_image_text),
    Hint("uppercase-image", _uppercase, _uppercase_text),
    Hint("remove-running", _rm_running, lambda e, a, env: (
        "a running container can't be removed. Stop it first (docker stop NAME), or "
        "remove it by force: docker rm -f NAME")),
    Hint("name-in-use", _name_in_use, _name_in_use_text),
    Hint("container-not-running", _not_running, _not_running_text),
    Hint("no-such-container-did-you-mean",
         lambda e, a, env: _no_such_container_guess(e, env) is not None,
         lambda e, a, env: f"did you mean {_no_such_container_guess(e, env)}? (docker ps -a "
                           "lists every container)"),
    Hint("image-not-local-offline", _image_offline, lambda e, a, env: e.hint or ""),
    Hint("pid-container-form", _pid_form, _pid_text),
    Hint("network-connect-swapped", _connect_swapped, _connect_swapped_text),
    Hint("port-already-allocated", _port_taken, _port_taken_text),
)


def match(err: errors.EngineError, argv: list[str], env=None) -> Hint | None:
    """The first entry that applies (a broken predicate counts as not applying: a hint
    must never hide Docker's message behind a traceback)."""
    for h in HINTS:
        try:
            if h.when(err, argv, env) and h.text(err, argv, env):
                return h
        except Exception:
            continue
    return None


def find(err: errors.EngineError, argv: list[str], env=None) -> str | None:
    h = match(err, argv, env)
    if h is not None:
        try:
            return h.text(err, argv, env)
        except Exception:
            pass
    return err.hint
