"""Running one line the way the shell does: docker commands in-process, everything else
on the host through /bin/sh.

`run_docker` is "run with error handling" around the plain command functions: it is the
one place that turns engine errors into Docker's messages, exit codes and hints, and
the one place a Python traceback is stopped (shown only with --debug).
"""
from __future__ import annotations

import importlib
import os
import shlex
import sys

from engine.errors import EngineError

from lessons import builtins as lesson_words     # light: yaml and rich load on first use

from . import builtins
from .cli import report
from .cli.parser import HelpRequest, Invocation, display_name, parse
from .conversation import SILENT, UNTRACED, Conversation, untraced
from .env import Env

# Characters that make /bin/sh do something shlex would not: pipes, redirections,
# variables, command substitution, globs, several commands on one line.
SHELL_SPECIAL = set("|&;<>()$`*?[~\n")
SHELL_IN_DOUBLE_QUOTES = set("$`")


def needs_shell(line: str) -> bool:
    """True when `line` uses shell syntax outside quotes (or $ and ` inside double
    quotes); then even a docker command line runs through /bin/sh, with `docker` on
    its PATH being dockerlings."""
    quote = None
    escaped = False
    blank = True        # the last character was an unquoted, unescaped blank
    for i, ch in enumerate(line):
        after_blank, blank = blank, False
        if escaped:
            escaped = False
        elif quote == "'":
            quote = None if ch == "'" else quote
        elif quote == '"':
            if ch == '"':
                quote = None
            elif ch == "\\":
                escaped = True
            elif ch in SHELL_IN_DOUBLE_QUOTES:
                return True
        elif ch in "'\"":
            quote = ch
        elif ch == "\\":
            escaped = True
        elif ch in SHELL_SPECIAL:
            return True
        elif ch == "#" and after_blank:
            return "\n" in line[i:]        # a comment, then more lines: sh's to run
        else:
            blank = ch in " \t"
    return False


# Inside double quotes a backslash escapes only these, as in /bin/sh (shlex keeps it
# before every character but " and \\, so "echo \\$\\$" would reach sh -c as \\$\\$).
ESCAPED_IN_DOUBLE_QUOTES = set('$`"\\\n')


def split_words(line: str) -> list[str]:
    """The words /bin/sh makes of a line without shell syntax (see needs_shell): quotes
    removed, backslashes as POSIX says (a backslash-newline joins lines), and a word
    that begins with # starts a comment. ValueError for an unclosed quote."""
    words: list[str] = []
    word: list[str] | None = None
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch in " \t\n":
            if word is not None:
                words.append("".join(word))
                word = None
            i += 1
            continue
        if ch == "#" and word is None:
            break
        if ch == "\\" and line[i + 1:i + 2] in ("", "\n"):    # joins lines: no character
            i += 2
            continue
        word = [] if word is None else word
        if ch == "\\":
            word.append(line[i + 1])
            i += 2
        elif ch == "'":
            end = line.find("'", i + 1)
            if end < 0:
                raise ValueError("No closing quotation")
            word.append(line[i + 1:end])
            i = end + 1
        elif ch == '"':
            i += 1
            while i < n and line[i] != '"':
                if line[i] == "\\" and i + 1 < n and line[i + 1] in ESCAPED_IN_DOUBLE_QUOTES:
                    if line[i + 1] != "\n":
                        word.append(line[i + 1])
                    i += 2
                else:
                    word.append(line[i])
                    i += 1
            if i >= n:
                raise ValueError("No closing quotation")
            i += 1
        else:
            word.append(ch)
            i += 1
    if word is not None:
        words.append("".join(word))
    return words


def run_line(env: Env, line: str) -> int:
    status = _run_line(env, line)
    env.last_status = status
    if getattr(env, "lesson", None) is not None:    # a lesson runs: did that do its step?
        words = line.split()
        if words and not words[0].startswith("#") and words[0] not in lesson_words.WORDS:
            lesson_words.after_command(env, line, status)
    return status


def _run_line(env: Env, line: str) -> int:
    line = line.strip()
    if not line or line.startswith("#"):
        return 0
    if "\0" in line:
        # no program can take a NUL in its arguments (the kernel's strings end there):
        # say which line, and let the ones after it run
        shown = line.replace("\0", "\\0")
        env.err(f"dockerlings: this line holds a NUL byte (shown as \\0), which no "
                f"command can take; it was not run: {shown}")
        return 2
    try:
        words = split_words(line)
    except ValueError as e:
        env.err(f"dockerlings: {e}")
        return 2
    if not words:
        return 0
    if words[0] == "docker" and not needs_shell(line):
        return run_docker(env, words[1:])
    if words[0] == "dockerlings" and not needs_shell(line):
        from . import main
        return main.run_dockerlings(env, words[1:])
    if words[0] in builtins.TABLE and not needs_shell(line):
        return builtins.run(env, words)
    status = run_host(env, line)
    from . import hints
    hint = hints.shell_word(words[0], status)
    if hint:
        env.err(env.hint(hint))
    return status


def _keep_engine(env: Env) -> None:
    """A rootless shell outlives `engine reset`, which ends the keeper of the engine's
    namespaces: keep them held (engine/runtime/userns.keep)."""
    from engine.runtime import userns
    if os.geteuid() == 0 and userns.rootless():
        try:
            userns.keep(env.engine_paths)
        except (userns.RootlessError, OSError) as e:
            from engine.errors import RootlessUnavailable
            raise RootlessUnavailable(str(e)) from None


def run_docker(env: Env, argv: list[str]) -> int:
    command = "docker"
    debug, api = env.debug, env.api
    try:
        inv = parse(argv)
        if isinstance(inv, HelpRequest):
            from .cli import help as cli_help
            text = cli_help.render(inv.target, env.columns, inv.path)
            # pflag's notice for -h comes first: on stderr for docker itself, else stdout
            notice = env.err if inv.target is None else env.out
            for _ in range(inv.notices):
                notice("Flag shorthand -h has been deprecated, use --help")
            (env.err if inv.to_stderr else env.out)(text)
            return 0
        command = display_name(inv.command, inv.path)
        env.debug = debug or inv.debug           # -D: for this command only
        if (inv.debug or env.api_trace) and api is SILENT:    # not inside another command
            note = untraced(inv.command.handler, command)
            env.api = UNTRACED if note else Conversation(env.err)
            if note:
                env.err(note)
        _keep_engine(env)
        code = _call(env, inv)
        from . import hints
        hint = hints.after(argv, inv, code, env)
        if hint:
            env.err(env.hint(hint))
        return code
    except EngineError as e:
        text, code = report.format_error(e, command)
        env.err(text)
        from . import hints
        hint = hints.find(e, argv, env)
        if hint:
            env.err(env.hint(hint))
        if env.debug:
            import traceback
            env.err(traceback.format_exc())
        return code
    except KeyboardInterrupt:
        env.err("")
        return 130
    except BrokenPipeError:
        return 141
    except Exception:
        env.err(f"dockerlings: internal error while running 'docker {' '.join(argv)}'. "
                "Run it again with 'docker --debug ...' to see the details, and please "
                "report it.")
        if env.debug:
            import traceback
            env.err(traceback.format_exc())
        return 125
    finally:
        env.debug, env.api = debug, api


def _call(env: Env, inv: Invocation) -> int:
    module_name, func_name = inv.command.handler.split(":")
    module = importlib.import_module(f"shell.commands.{module_name}")
    result = getattr(module, func_name)(env, inv)
    return int(result or 0)


def shim_dir(env: Env) -> str:
    """A directory holding a `docker` program that runs dockerlings' docker, so host
    command lines like `docker ps -q | xargs docker rm` work as they would with Docker."""
    d = os.path.join(str(env.engine.paths.run), "bin")
    path = os.path.join(d, "docker")
    script = (f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m shell docker \"$@\"\n")
    try:
        with open(path) as f:
            if f.read() == script:
                return d
    except OSError:
        pass
    os.makedirs(d, exist_ok=True)
    tmp = path + f".{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(script)
    os.chmod(tmp, 0o755)
    os.replace(tmp, path)
    return d


def run_host(env: Env, line: str, extra: dict | None = None) -> int:
    """Anything that is not dockerlings' own runs on the host, in the shell's folder
    (`extra`: more environment variables for it)."""
    import subprocess
    environ = dict(env.environ, **(extra or {}))
    _same_engine(env, environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    environ["PATH"] = shim_dir(env) + os.pathsep + environ.get("PATH", os.defpath)
    environ["PYTHONPATH"] = root + (os.pathsep + environ["PYTHONPATH"]
                                    if environ.get("PYTHONPATH") else "")
    streams = [_fileno(s) for s in (env.stdin, env.stdout, env.stderr)]
    if env.last_status:         # $? starts as the last line's status, as in a shell
        line = f"(exit {env.last_status & 255}); {line}"
    try:
        proc = subprocess.run(
            ["/bin/sh", "-c", line], cwd=env.cwd, env=environ,
            stdin=streams[0] if streams[0] is not None else subprocess.DEVNULL,
            stdout=streams[1] if streams[1] is not None else subprocess.PIPE,
            stderr=streams[2] if streams[2] is not None else subprocess.PIPE)
    except KeyboardInterrupt:
        return 130
    if streams[1] is None and proc.stdout:
        env.write_out(proc.stdout)
    if streams[2] is None and proc.stderr:
        env.write_err(proc.stderr)
    return proc.returncode if proc.returncode >= 0 else 128 - proc.returncode


def _same_engine(env: Env, environ: dict) -> None:
    """A `docker` in a host pipeline talks to the engine this shell talks to, even when
    that engine's root came from somewhere other than the environment (tests, lessons)."""
    from engine.paths import DEFAULT_ROOT
    root = env.engine_paths.root
    if root != DEFAULT_ROOT:
        environ["DOCKERLINGS_ROOT"] = str(root)


def _fileno(stream) -> int | None:
    """The stream's file descriptor, or None for in-memory streams (tests)."""
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _lesson_word(name: str):
    """A lesson word as a shell built-in. When no lesson runs, a host program of the
    same name (`reset`) still runs as it would without dockerlings."""
    def run(env, args: list[str]) -> int:
        status = lesson_words.handle(env, [name, *args], run_line, parse)
        return run_host(env, shlex.join([name, *args])) if status is None else status
    return run


for _name, _summary in lesson_words.SUMMARIES.items():
    builtins.register(_name, _summary)(_lesson_word(_name))
