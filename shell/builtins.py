"""The shell's own commands: cd, pwd, clear, help, exit, edit, map, host, xray, set.

They run in the shell's process because they change or show the shell itself (its
working folder, the screen, whether it goes on); everything else goes to /bin/sh. A
line is a built-in only when it has no shell syntax (`cd x && ls` runs in /bin/sh, as a
subshell would). Other parts of dockerlings add their own (the lesson runner adds
`lessons`, `lesson`, `next` ...) with `register`.
"""
from __future__ import annotations

import os
import shlex
import shutil
from collections import namedtuple

# run(env, args) -> exit status; summary: one line for `help` and completion
Builtin = namedtuple("Builtin", "run summary")
TABLE: dict[str, Builtin] = {}


class ExitShell(Exception):
    """`exit [N]`: leave the shell; code None means the last command's status."""

    def __init__(self, code: int | None = None):
        super().__init__(code)
        self.code = code


def register(name: str, summary: str):
    def add(fn):
        TABLE[name] = Builtin(fn, summary)
        return fn
    return add


def run(env, words: list[str]) -> int:
    return TABLE[words[0]].run(env, words[1:])


@register("cd", "change the shell's working folder (cd, cd -, cd ~/x)")
def cd(env, args: list[str]) -> int:
    if len(args) > 1:
        env.err("cd: too many arguments")
        return 1
    target = args[0] if args else env.environ.get("HOME", "/")
    if target == "-":
        target = env.environ.get("OLDPWD", env.cwd)
        env.out(target)
    path = os.path.normpath(os.path.join(env.cwd, os.path.expanduser(target)))
    if not os.path.exists(path):
        env.err(f"cd: {target}: No such file or directory")
        return 1
    if not os.path.isdir(path):
        env.err(f"cd: {target}: Not a directory")
        return 1
    if not os.access(path, os.X_OK):
        env.err(f"cd: {target}: Permission denied")
        return 1
    env.chdir(path)
    return 0


@register("pwd", "print the working folder")
def pwd(env, args: list[str]) -> int:
    env.out(env.cwd)
    return 0


@register("clear", "clear the screen")
def clear(env, args: list[str]) -> int:
    env.write_out(b"\x1b[H\x1b[2J\x1b[3J")
    return 0


@register("exit", "leave dockerlings (Ctrl-D does too)")
def exit_(env, args: list[str]) -> int:
    if args and not args[0].lstrip("-").isdigit():
        env.err(f"exit: Illegal number: {args[0]}")
        return 2
    raise ExitShell(int(args[0]) & 0xFF if args else None)


@register("edit", "edit a file: $EDITOR, or a small built-in editor")
def edit(env, args: list[str]) -> int:
    if len(args) != 1:
        env.err("Usage:  edit FILE")
        return 2
    path = os.path.join(env.cwd, os.path.expanduser(args[0]))
    if os.path.isdir(path):
        env.err(f"edit: {args[0]}: Is a directory")
        return 1
    editor = env.environ.get("VISUAL") or env.environ.get("EDITOR")
    if editor:
        from . import runner
        return runner.run_host(env, f'{editor} "$DOCKERLINGS_EDIT"',
                               extra={"DOCKERLINGS_EDIT": path})
    if not env.stdin_tty:
        env.err("edit: no editor: set EDITOR, or use edit in a terminal")
        return 1
    from . import editor as builtin_editor
    return builtin_editor.edit(path)


@register("map", "draw what exists: images, containers, networks, ports, volumes")
def map_(env, args: list[str]) -> int:
    from . import map as state_map
    return state_map.show(env)


@register("xray", "show what a container is made of: processes, namespaces, cgroup, "
                  "layers, network")
def xray_(env, args: list[str]) -> int:
    from . import xray
    return xray.run(env, args)


HOST_WORDS = {"share": "let containers reach a host port as host.docker.internal:PORT",
              "unshare": "stop sharing a host port",
              "shares": "list the host ports containers may reach"}
HOST_USAGE = "Usage:  host [shares | share PORT... | unshare PORT...]"


@register("host", "share a host port with containers (host.docker.internal)")
def host(env, args: list[str]) -> int:
    """Containers reach a port listening on this machine as host.docker.internal only
    once it is shared (engine/network/shares.py says why)."""
    word, ports = (args[0], args[1:]) if args else ("shares", [])
    if word not in HOST_WORDS and shutil.which("host", path=env.environ.get("PATH")):
        from . import runner            # `host example.com`: the DNS lookup program
        return runner.run_host(env, shlex.join(["host", *args]))
    if word not in HOST_WORDS or (word == "shares") != (not ports):
        env.err(HOST_USAGE)
        return 2
    from engine.errors import EngineError
    try:
        now = env.engine.host_shares()
        for port in ports:
            now = env.engine.host_share(port, share=(word == "share"))
    except EngineError as e:
        env.err(f"host: {e}")
        if e.hint:
            env.err(f"hint: {e.hint}")
        return 1
    if now:
        env.out("Containers reach these host ports as host.docker.internal:PORT: "
                + ", ".join(map(str, now)))
        if word == "share":
            _say_if_nothing_listens(env, [int(p) for p in ports])
    else:
        env.out("No host port is shared with containers ('host share PORT' shares one).")
    return 0


def _say_if_nothing_listens(env, ports: list[int]) -> None:
    from engine.network.helper import host_listening_ports
    idle = [str(p) for p in ports if p not in host_listening_ports()]
    if idle:
        env.err(env.hint(f"nothing on this machine listens on {', '.join(idle)} yet: "
                         "containers reach it once something does (on 127.0.0.1 or every "
                         "address)"))


SETTINGS = {"api-trace": "on: each docker command prints the Engine API requests behind it"}
SETTING_VALUES = {"on": "turn it on", "off": "turn it off"}
SET_USAGE = "Usage:  set [api-trace [on|off]]"


@register("set", "shell settings: `set api-trace on` shows the API requests behind each "
                 "docker command")
def set_(env, args: list[str]) -> int:
    """The shell's own settings, kept for the session (and by host pipelines' docker,
    through the environment). `docker --debug ...` traces one command."""
    if not args:
        env.out(f"api-trace {'on' if env.api_trace else 'off'}")
        return 0
    if args[0] not in SETTINGS or len(args) > 2 or args[1:] not in ([], ["on"], ["off"]):
        env.err(SET_USAGE)
        return 2
    if len(args) == 2:
        env.api_trace = args[1] == "on"
    env.out(f"api-trace {'on' if env.api_trace else 'off'}")
    return 0


HELP = """dockerlings: type docker commands as you would with Docker; they run real
containers on dockerlings' own engine.

  docker ...            any docker command (docker --help lists them, docker run --help
                        explains one); Tab completes commands, options and names
  map                   a picture of what exists now
  host share PORT       let containers reach this machine's PORT as host.docker.internal
  set api-trace on      show the Engine API requests behind each docker command
                        (docker --debug ... shows them for one command)
  anything else         runs on this machine through /bin/sh, in the shell's folder

Built-ins:
{builtins}

Keys: Tab completes · Ctrl-R searches the history · Ctrl-C cancels the line ·
Ctrl-D leaves · a line ending in \\ continues on the next. Inside a container started
with -ti, Ctrl-P Ctrl-Q detaches and leaves it running."""


@register("help", "this help; help COMMAND shows a docker command's help")
def help_(env, args: list[str]) -> int:
    if args:
        from . import runner
        return runner.run_docker(env, ["help", *args])
    width = max(len(n) for n in TABLE) + 2
    rows = "\n".join(f"  {n.ljust(width)}{b.summary}" for n, b in sorted(TABLE.items()))
    env.out(HELP.format(builtins=rows))
    return 0
