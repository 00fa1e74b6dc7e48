"""Plain-words hints for the mistakes learners make most.

Docker's own message is printed first, always; a hint is one extra line after it. Each
entry of HINTS is a predicate on the error, the command line and the Env, and the text
to show (a function of the same three). AFTER holds the mistakes Docker runs without a
word (an option the container got instead of Docker): predicates on the command line,
its parse, its exit status and the Env. Adding a hint is adding an entry; every entry
has a test that triggers it (tests/unit/test_hints.py checks that none is left out).
A hint that suggests a command builds it from the parsed words (command_line), so it
keeps every value and quoting.
"""
from __future__ import annotations

import difflib
import os
import re
import shlex
from collections import namedtuple

from engine import errors
from engine.images import reference

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


def command_line(words) -> str:
    """A docker command line to suggest, quoted so the shell gives back these words."""
    return "docker " + shlex.join(words)


PROGRAM_COMMANDS = ("container run", "container create", "container exec")


def _split_program(argv):
    """A run/create/exec line as (the words up to the image or container, the image or
    container, the words after it: the container's command); None for other lines."""
    inv = _invocation(argv)
    if inv is None or inv.command.name not in PROGRAM_COMMANDS or not inv.args:
        return None
    k = len(argv) - len(inv.args)
    if "--" in argv[:k]:
        return None
    return list(argv[:k]), argv[k], list(argv[k + 1:])


def _parses_as(words, target, rest) -> bool:
    """True when `words` parse with every word before `target` taken as options."""
    inv = _invocation(words)
    return inv is not None and inv.args == [target, *rest]


def _leading_options(argv):
    """For `docker run busybox --name web echo hi`: (head, ["--name", "web"], image,
    ["echo", "hi"]), the longest run of words after the image that the command table
    parses as the command's own options once they stand before it; None if none does."""
    split = _split_program(argv)
    if split is None or not split[2] or not split[2][0].startswith("-"):
        return None
    head, target, tail = split
    for j in range(len(tail), 0, -1):
        if _parses_as(head + tail[:j] + [target] + tail[j:], target, tail[j:]):
            return head, tail[:j], target, tail[j:]
    return None


def _where(argv) -> str:
    inv = _invocation(argv)
    return "container name" if inv is not None and \
        inv.command.name == "container exec" else "image name"


def _options_first_text(argv, flag: str) -> str:
    where = _where(argv)
    text = (f"{flag} came after the {where}, so Docker passed it to the container as its "
            f"command. Options go before the {where.split()[0]}")
    moved = _leading_options(argv)
    if moved is None:
        return text + "."
    head, options, target, rest = moved
    return text + ": " + command_line(head + options + [target] + rest)


def _flag_after_image(err, argv, env) -> bool:
    m = re.search(r'exec: "(-[^"]*)"', _msg(err))
    return bool(m) and isinstance(err, errors.StartFailed)


def _flag_after_image_text(err, argv, env) -> str:
    return _options_first_text(argv, re.search(r'exec: "(-[^"]*)"', _msg(err)).group(1))


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
    eng = _engine(env)
    running = False
    if eng is not None:
        try:
            running = eng.container(err.name).state.running
        except errors.EngineError:
            pass
    remove = f"docker rm -f {err.name}: it is running" if running else f"docker rm {err.name}"
    return (f"every container needs its own name. Remove the old one ({remove}), "
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


def _privileged_port(err, argv, env) -> bool:
    return "cannot expose privileged port" in _msg(err)


def _privileged_port_text(err, argv, env) -> str:
    """A rootless engine binds host ports as its user: below the host's limit only root
    may. The usual way out is a higher port (8080 for 80); the other, for root, is the
    sysctl the error names."""
    m = re.search(r"privileged port (\d+),.*\(>= (\d+)\)", _msg(err))
    port, start = (int(m.group(1)), int(m.group(2))) if m else (80, 1024)
    higher = port + 8000 if start <= port + 8000 < 65536 else start
    return (f"your engine runs as you, not root, and host ports below {start} are root's: "
            f"publish on a port from {start} up (-p {higher}:...), or, as root, let users "
            f"bind from {port} up: sysctl -w net.ipv4.ip_unprivileged_port_start={port}")


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


# --- words in the wrong place -------------------------------------------------------

def _word_order(argv) -> str | None:
    """`docker create network learning`: a group's command written verb first. The
    suggestion, if the group has that command (`docker network create learning`)."""
    path, rest = _command_words(argv)
    args = _positionals(rest)
    if len(path) != 1 or not args or args[0] not in spec.GROUP_NAMES:
        return None
    group = spec.GROUP_NAMES[args[0]].name
    if (group, path[0]) not in spec.PATHS:
        return None
    words = list(rest)
    words.remove(args[0])
    words = [group, path[0], *words]
    # only a command that would run (`docker rm volume` alone names no volume)
    return command_line(words) if _invocation(words) is not None else None


def _build_context(err, argv, env) -> bool:
    path, _ = _command_words(argv)
    return (isinstance(err, errors.UsageError) and bool(path) and path[-1] == "build" and
            "requires 1 argument" in _msg(err))


def _build_context_text(err, argv, env) -> str:
    return ("docker build needs the folder to build from (the build context, where the "
            "Dockerfile is), usually . for this folder: " + command_line([*argv, "."]))


TEMPLATE = re.compile(r"{{|}}")


def _split_template(argv):
    """`docker ps --format {{.Names}} {{.Image}}`: the template the shell cut at its
    spaces, as (index of its first word, number of its words); None if it is whole."""
    path, _ = _command_words(argv)
    cmd = spec.PATHS.get(path)
    fmt = cmd.flag("format") if cmd is not None else None
    if fmt is None:
        return None
    names = {"--format"} | ({f"-{fmt.short}"} if fmt.short else set())
    for i, word in enumerate(argv):
        if word in names and i + 1 < len(argv):
            start = i + 1
        elif word.startswith("--format="):
            start = i
        else:
            continue
        after = argv[start + 1:]
        ends = [j for j, w in enumerate(after) if TEMPLATE.search(w)]
        n = ends[-1] + 1 if ends else 0
        if n and not any(w.startswith("-") for w in after[:n]):
            return start, n + 1
    return None


def _template_text(err, argv, env) -> str:
    start, n = _split_template(argv)
    whole = " ".join(argv[start:start + n])
    words = argv[:start] + [whole] + argv[start + n:]
    return ("the template has spaces, so the shell cut it into separate words and Docker "
            "read the rest as arguments. Put the whole template in quotes: " +
            command_line(words))


def _row_fields(go_type: str) -> list[str]:
    """The fields a --format template can use on a listing's rows, by Go type name."""
    import importlib
    fields = set()
    for module in ("shell.render.views", "shell.commands.containers",
                   "shell.commands.volume", "shell.commands.network"):
        for obj in vars(importlib.import_module(module)).values():
            if isinstance(obj, type) and getattr(obj, "__go_type__", None) == go_type:
                fields |= set(getattr(obj, "HEADERS", {}))
    return sorted(fields)


def _field_guess(err) -> str | None:
    m = re.search(r"can't evaluate field (\w+) in type (\S+)", _msg(err))
    if not m:
        return None
    found = _closest(m.group(1), _row_fields(m.group(2)))
    return found[0] if found and found[0] != m.group(1) else None


def _short_case_guess(err, argv) -> str | None:
    """`docker ps -A`: the letter exists in the other case (-a)."""
    m = re.match(r"unknown shorthand flag: '(.)' in -", _msg(err))
    if not m or not m.group(1).isalpha():
        return None
    path, _ = _command_words(argv)
    cmd = spec.PATHS.get(path) if path else spec.ROOT
    f = cmd.short_flag(m.group(1).swapcase()) if cmd is not None else None
    return None if f is None or f.hidden else f"-{f.short} (--{f.long})"


def _memory_number(argv) -> str | None:
    """The -m value typed without a unit, if any."""
    inv = _invocation(argv)
    typed = [argv[i + 1] for i, w in enumerate(argv[:-1]) if w in ("-m", "--memory")]
    typed += [w.partition("=")[2] for w in argv if w.startswith("--memory=")]
    return next((v for v in typed if v.isdigit()), None) if inv is not None else None


def _memory_bytes(err, argv, env) -> bool:
    return "Minimum memory limit allowed is" in _msg(err) and \
        _memory_number(argv) is not None


def _memory_text(err, argv, env) -> str:
    value = _memory_number(argv)
    return (f"a memory limit without a unit counts bytes: -m {value} is {value} bytes. Add "
            f"the unit: -m {value}m for {value} megabytes (b, k, m or g).")


def _image_users(err, env) -> tuple[str, list] | None:
    """rmi of an image that containers were made from: (the image as typed, those
    containers)."""
    m = re.search(r'unable to (?:remove repository reference "([^"]+)"|delete (\S+))',
                  _msg(err))
    eng = _engine(env)
    if not isinstance(err, errors.Conflict) or not m or eng is None:
        return None
    text = m.group(1) or m.group(2)
    img = eng.get_image(text)
    users = [c for c in eng.containers(all=True) if c.image_id == img.id]
    return (text, users) if users else None


def _image_users_text(err, argv, env) -> str:
    text, users = _image_users(err, env)
    names = [c.name for c in users]
    force = " -f" if any(c.state.running for c in users) else ""
    return (f"containers made from this image still exist ({', '.join(names)}): remove them "
            f"first (docker rm{force} {' '.join(names)}), then docker rmi {text}. "
            f"docker ps -a --filter ancestor={text} lists them.")


def _tag_guess(err, env) -> list[str]:
    """`docker run timers` when only timers:v1 exists: the tags that do."""
    eng = _engine(env)
    if not isinstance(err, errors.ImageNotFoundLocally) or eng is None:
        return []
    wanted = reference.parse(err.ref)
    return sorted(t for img in eng.list_images() for t in img.repo_tags
                  if reference.parse(t).name == wanted.name and
                  reference.parse(t).tag != wanted.tag)


def _tag_text(err, argv, env) -> str:
    wanted = reference.parse(err.ref)
    return (f"there is no {wanted.familiar()} here (a name without a tag means :latest); "
            f"did you mean {_either(_tag_guess(err, env))}?")


HINTS: tuple[Hint, ...] = (
    Hint("word-order", lambda e, a, env: _word_order(a) is not None,
         lambda e, a, env: f"the group's name comes first: {_word_order(a)}"),
    Hint("short-option-case", lambda e, a, env: _short_case_guess(e, a) is not None,
         lambda e, a, env: f"did you mean {_short_case_guess(e, a)}? Options are "
                           "case-sensitive."),
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
    Hint("image-tag-did-you-mean", lambda e, a, env: bool(_tag_guess(e, env)), _tag_text),
    Hint("image-not-local-offline", _image_offline, lambda e, a, env: e.hint or ""),
    Hint("build-without-context", _build_context, _build_context_text),
    Hint("format-template-unquoted", lambda e, a, env: _split_template(a) is not None,
         _template_text),
    Hint("format-field-did-you-mean", lambda e, a, env: _field_guess(e) is not None,
         lambda e, a, env: f"did you mean .{_field_guess(e)}? (docker "
                           f"{' '.join(_command_words(a)[0])} --format json shows every "
                           "field)"),
    Hint("memory-without-unit", _memory_bytes, _memory_text),
    Hint("image-in-use", lambda e, a, env: _image_users(e, env) is not None,
         _image_users_text),
    Hint("pid-container-form", _pid_form, _pid_text),
    Hint("network-connect-swapped", _connect_swapped, _connect_swapped_text),
    Hint("port-already-allocated", _port_taken, _port_taken_text),
    Hint("privileged-port", _privileged_port, _privileged_port_text),
)


# --- after a command that ran ---------------------------------------------------------
# Mistakes Docker does not call errors: the command ran, but not as the learner meant.
# Each entry is a predicate on (argv, the parsed invocation, the exit status, the Env).

def _exec_flag_first(argv, inv, code, env) -> bool:
    """`docker exec box -ti sh`: exec ran "-ti" as the program (the runtime's error went
    to the exec's output, as Docker's does)."""
    return inv.command.name == "container exec" and code in (126, 127) and \
        len(inv.args) > 1 and inv.args[1].startswith("-")


def _image_entrypoint(inv, env) -> list[str]:
    eng = _engine(env)
    if inv.opts.get("entrypoint") is not None or eng is None:
        return []
    return list(eng.get_image(inv.args[0]).run_config.get("Entrypoint") or [])


SHELLS = ("sh", "ash", "bash")


def _shell_twice(argv, inv, code, env) -> bool:
    """`docker run IMAGE sh -c ...` when the image's ENTRYPOINT is already sh: sh ran
    `sh sh -c ...` and looked for a script named sh."""
    if inv.command.name != "container run" or code == 0 or len(inv.args) < 2:
        return False
    entry = _image_entrypoint(inv, env)
    return bool(entry) and os.path.basename(entry[0]) in SHELLS and \
        os.path.basename(inv.args[1]) in SHELLS


def _shell_twice_text(argv, inv, code, env) -> str:
    head, image, rest = _split_program(argv)
    entry = " ".join(_image_entrypoint(inv, env))
    return (f"this image's ENTRYPOINT is already {entry}, and Docker puts the command you "
            f"give (the CMD) after it, so it ran {entry} {' '.join(rest)}: {rest[0]} became "
            f"a script name. Leave it out: {command_line(head + [image] + rest[1:])}")


PORT = re.compile(r"^(\[?[0-9a-fA-F.:]*\]?:)?\d*(-\d+)?:\d+(-\d+)?(/(tcp|udp|sctp))?$")
ENV = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
VOLUME = re.compile(r"^[^:\s]+:/")


def _own_syntax(words: list[str], i: int, code: int, env) -> int:
    """How many words at words[i] are a docker run option that only Docker could mean
    (its value has the option's own syntax: a port mapping, KEY=VALUE, A:/B, a network
    that exists); 0 when it may well be the program's own (ls -p, sort -t)."""
    word = words[i]
    value = words[i + 1] if i + 1 < len(words) else None
    name, eq, inline = word.partition("=")
    checks = {("-p", "--publish"): PORT.match, ("-e", "--env"): ENV.match,
              ("-v", "--volume"): VOLUME.match, ("--name",): lambda v: v != "",
              ("--network", "--net"): lambda v: _network_exists(env, v)}
    for names, ok in checks.items():
        if name in names:
            if eq and name.startswith("--"):
                return 1 if ok(inline) else 0
            return 2 if value is not None and ok(value) else 0
    if word in ("--rm", "--detach"):
        return 1
    # a bare -d, -it ...: only when the program refused it, as the last word
    # (`sleep 1000 -d`: sleep: invalid number '-d')
    if code != 0 and i == len(words) - 1 and re.fullmatch(r"-[dit]{1,3}", word):
        return 1
    return 0


def _network_exists(env, name: str) -> bool:
    eng = _engine(env)
    try:
        return eng is not None and bool(eng.network(name))
    except errors.EngineError:
        return False


def _passed_on(argv, inv, code, env):
    """The docker options typed after the image of a run/create that ran: (head, image,
    their words, the command without them); None if there are none."""
    split = _split_program(argv)
    if split is None or inv.command.name == "container exec":
        return None
    head, image, rest = split
    moved, kept, i = [], [], 0
    while i < len(rest):
        n = _own_syntax(rest, i, code, env)
        (moved if n else kept).extend(rest[i:i + (n or 1)])
        i += n or 1
    return (head, image, moved, kept) if moved else None


def _passed_on_text(argv, inv, code, env) -> str:
    head, image, moved, kept = _passed_on(argv, inv, code, env)
    return (f"{' '.join(moved)} came after the image name, so Docker gave it to the "
            f"container's program instead of using it. Options go before the image: "
            f"{command_line(head + moved + [image] + kept)}")


def _folder_as_volume(argv, inv, code, env) -> str | None:
    """`-v shared:/data` with a folder ./shared here: the name made a named volume."""
    if inv.command.name not in ("container run", "container create"):
        return None
    cwd = getattr(env, "cwd", None)
    for spec_text in inv.opts.get("volume") or ():
        source, colon, target = spec_text.partition(":")
        if colon and source and "/" not in source and not source.startswith(("~", ".")) \
                and cwd and os.path.isdir(os.path.join(cwd, source)):
            return spec_text
    return None


def _folder_as_volume_text(argv, inv, code, env) -> str:
    source, _, rest = _folder_as_volume(argv, inv, code, env).partition(":")
    return (f"{source} is a name, not a path, so Docker used a named volume called {source}, "
            f"not your folder ./{source}. To mount the folder, give its path: "
            f"-v \"$PWD/{source}\":{rest}")


AFTER: tuple[Hint, ...] = (
    Hint("exec-options-after-container", _exec_flag_first,
         lambda a, inv, code, env: _options_first_text(a, inv.args[1])),
    Hint("entrypoint-is-a-shell", _shell_twice, _shell_twice_text),
    Hint("options-after-image-passed-on",
         lambda a, inv, code, env: _passed_on(a, inv, code, env) is not None,
         _passed_on_text),
    Hint("folder-name-as-volume",
         lambda a, inv, code, env: _folder_as_volume(a, inv, code, env) is not None,
         _folder_as_volume_text),
    # `docker images --format {{.Repository}} {{.Tag}}` lists nothing (the second word
    # became a repository to look for); `inspect -f {{.Name}} {{.Id}} box` an object
    Hint("format-template-split", lambda a, inv, code, env: _split_template(a) is not None,
         lambda a, inv, code, env: _template_text(None, a, env)),
)


def after(argv: list[str], inv, code: int, env=None) -> str | None:
    """The hint for a command that ran (exit status `code`) but likely not as meant."""
    for h in AFTER:
        try:
            if h.when(argv, inv, code, env):
                return h.text(argv, inv, code, env)
        except Exception:
            continue
    return None


def shell_word(word: str, status: int) -> str | None:
    """`dokcer ps` at the prompt: the host's shell found no such program, and the word is
    docker with one letter wrong or two swapped (dokcer, dcoker, docekr, dockr)."""
    near = _distance(word, "docker") == 1 or (word != "docker" and
                                              sorted(word) == sorted("docker"))
    if status == 127 and word == "docker-compose":    # Compose v1's program, retired
        return "Compose is part of docker now: type docker compose (with a space)"
    return "did you mean docker?" if status == 127 and near else None


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
