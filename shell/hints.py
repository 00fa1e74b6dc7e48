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


# name; when(error, argv) -> bool; text(error, argv, env) -> str
Hint = namedtuple("Hint", "name when text")


def _msg(err) -> str:
    return str(err)


def _single_dash_long(err, argv) -> bool:
    m = re.match(r"unknown shorthand flag: '.' in (-[a-z][a-z-]+)$", _msg(err))
    return bool(m) and any(f.long == m.group(1)[1:] for c in spec.COMMANDS for f in c.flags)


def _single_dash_text(err, argv, env) -> str:
    word = re.search(r"in (-[a-z][a-z-]+)$", _msg(err)).group(1)
    return (f"long options take two dashes: write -{word}. With one dash, {word} reads as "
            f"the short options {', '.join('-' + c for c in word[1:])}.")


def _flag_after_image(err, argv) -> bool:
    m = re.search(r'exec: "(-[^"]*)"', _msg(err))
    return bool(m) and isinstance(err, errors.StartFailed)


def _flag_after_image_text(err, argv, env) -> str:
    flag = re.search(r'exec: "(-[^"]*)"', _msg(err)).group(1)
    image = next((w for w in argv[1:] if not w.startswith("-")), "IMAGE")
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


def _not_running(err, argv) -> bool:
    return isinstance(err, errors.ContainerNotRunning) and bool(argv) and \
        argv[0] in ("exec", "attach", "kill", "pause", "top")


def _not_running_text(err, argv, env) -> str:
    target = next((w for w in argv[1:] if not w.startswith("-")), "CONTAINER")
    return (f"the container has stopped (its main process ended). Start it again with "
            f"docker start {target}, then try once more.")


def _image_offline(err, argv) -> bool:
    return isinstance(err, errors.ImageNotFoundLocally)


def _pid_form(err, argv) -> bool:
    return "invalid PID mode" in _msg(err) and any(":" in w for w in argv)


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
        "'container', a colon, then the container's name or ID)")),
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
