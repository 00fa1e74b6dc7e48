"""Plain-words hints for the mistakes learners make most.

Docker's own message is printed first, always; a hint is one extra line after it. Each
entry of HINTS is a predicate on the error and the command line, and the text to show
(a string, or a function of the error and the line). Adding a hint is adding an entry.
"""
from __future__ import annotations

import re
from collections import namedtuple

from engine import errors

from .cli import spec
from .cli.parser import Invocation, parse


# name; when(error, argv) -> bool; text(error, argv, env) -> str
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


LONG_NAMES = {f.long for c in spec.COMMANDS for f in c.flags}


def _single_dash_word(err, argv) -> str | None:
    """The `-name` word typed for a long option. pflag's message names only the letters
    it had not consumed yet (`-force` -> 'o' in -orce), so the word comes from argv."""
    m = re.match(r"unknown shorthand flag: '.+?' in -(.+)$", _msg(err))
    if not m:
        return None
    return next((w for w in argv if w.startswith("-") and w[1:] in LONG_NAMES and
                 w.endswith(m.group(1))), None)


def _single_dash_long(err, argv) -> bool:
    return _single_dash_word(err, argv) is not None


def _single_dash_text(err, argv, env) -> str:
    word = _single_dash_word(err, argv)
    return (f"long options take two dashes: write -{word}. With one dash, {word} reads as "
            f"the short options {', '.join('-' + c for c in word[1:])}.")


def _flag_after_image(err, argv) -> bool:
    m = re.search(r'exec: "(-[^"]*)"', _msg(err))
    return bool(m) and isinstance(err, errors.StartFailed)


def _flag_after_image_text(err, argv, env) -> str:
    flag = re.search(r'exec: "(-[^"]*)"', _msg(err)).group(1)
    inv = _invocation(argv)
    runs = inv is not None and inv.command.name in ("container run", "container create")
    image = inv.args[0] if runs else "IMAGE"
    return (f"{flag} came after the image name, so Docker passed it to the container as its "
            f"command. Options go before the image: docker run {flag} {image} ...")


def _uppercase(err, argv) -> bool:
    return "must be lowercase" in _msg(err)


def _uppercase_text(err, argv, env) -> str:
    m = re.search(r"repository name \(([^)]*)\)", _msg(err))
    name = m.group(1).split("/")[-1] if m else ""
    return (f"image names are all lowercase: try {name.lower()}" if name else
            "image names (repositories) are all lowercase") + \
        "; capitals are allowed only in tags, after the colon."


def _rm_running(err, argv) -> bool:
    return "container is running: stop the container before removing" in _msg(err)


def _name_in_use(err, argv) -> bool:
    return isinstance(err, errors.NameInUse)


def _name_in_use_text(err, argv, env) -> str:
    return (f"every container needs its own name. Remove the old one (docker rm {err.name}), "
            "or choose another --name.")


NEEDS_RUNNING = ("container exec", "container attach", "container kill", "container pause",
                 "container top")


def _not_running(err, argv) -> bool:
    inv = _invocation(argv) if isinstance(err, errors.ContainerNotRunning) else None
    return inv is not None and inv.command.name in NEEDS_RUNNING and bool(inv.args)


def _not_running_text(err, argv, env) -> str:
    target = _invocation(argv).args[0]
    return (f"the container has stopped (its main process ended). Start it again with "
            f"docker start {target}, then try once more.")


def _image_offline(err, argv) -> bool:
    return isinstance(err, errors.ImageNotFoundLocally)


def _pid_form(err, argv) -> bool:
    return "invalid PID mode" in _msg(err)


HINTS: tuple[Hint, ...] = (
    Hint("single-dash-long-option", _single_dash_long, _single_dash_text),
    Hint("flag-after-image", _flag_after_image, _flag_after_image_text),
    Hint("uppercase-image", _uppercase, _uppercase_text),
    Hint("remove-running", _rm_running, lambda e, a, env: (
        "a running container can't be removed. Stop it first (docker stop NAME), or "
        "remove it by force: docker rm -f NAME")),
    Hint("name-in-use", _name_in_use, _name_in_use_text),
    Hint("container-not-running", _not_running, _not_running_text),
    Hint("image-not-local-offline", _image_offline, lambda e, a, env: e.hint or ""),
    Hint("pid-container-form", _pid_form, lambda e, a, env: (
        "to share another container's processes, write --pid container:NAME (the word "
        "'container', a colon, then the container's name or ID); --pid host shares the "
        "host's")),
)


def find(err: errors.EngineError, argv: list[str], env=None) -> str | None:
    for h in HINTS:
        try:
            if h.when(err, argv):
                text = h.text(err, argv, env)
                if text:
                    return text
        except Exception:
            continue
    return err.hint
