"""The `dockerlings` program.

    dockerlings                    the interactive shell (a terminal), or run the lines
                                   read from standard input (anything else)
    dockerlings -c 'LINE'          run one line, exit with its status
    dockerlings docker ARGS...     run one docker command
    dockerlings map                draw what exists
    dockerlings xray CONTAINER     what a container is made of
    dockerlings lessons [validate|test PATH...]
    dockerlings engine info|fsck|reset|serve|shell
    dockerlings --version
"""
from __future__ import annotations

import os
import sys

from .env import Env

USAGE = """Usage:  dockerlings [--debug] [-c LINE | docker ARGS... | map | lessons ... |
                    engine info|fsck|reset|serve|shell | xray ... | --version]

dockerlings teaches Docker in a terminal: type real docker commands, and they run real
containers on an engine that ships inside dockerlings.

  dockerlings                  start the shell (or run the lines piped into it)
  dockerlings -c 'LINE'        run one line and exit with its status
  dockerlings docker ARGS...   run one docker command
  dockerlings map              draw the images, containers, networks, ports and volumes
  dockerlings xray CONTAINER   what a container is made of, read from the kernel
  dockerlings lessons          the course's lessons, with your progress
  dockerlings lessons validate PATH...   check lesson files (for instructors)
  dockerlings lessons test PATH...       replay lessons' solutions on a throwaway engine
  dockerlings engine info      what this machine can do, and why not
  dockerlings engine fsck      check the engine's store for damage
  dockerlings engine reset     stop and remove everything the engine made
  dockerlings engine serve     serve the Docker Engine API (-d: in the background;
                               -H tcp://127.0.0.1:PORT, -H unix://PATH: there too)
  dockerlings engine shell     a shell in the engine's network namespace (Docker's VM)
  dockerlings --version        the version of dockerlings installed"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    env = Env.from_process()
    if argv and argv[0] == "--debug":
        env.debug = True
        argv = argv[1:]
    try:
        return run_dockerlings(env, argv, top=True)
    except KeyboardInterrupt:
        return 130


def cli() -> None:
    """The program's entry point: main(), then out at once. Once the output is flushed
    nothing is left to do, and an interpreter's orderly shutdown (taking down some 150
    modules one by one) costs more on a small machine than a whole `docker run`: no
    atexit work, no threads to join, and every file is closed where it is written.
    An ordinary user's process first enters its engine's user namespace, while it is
    still single-threaded (engine/runtime/userns.py); not for the words that never
    reach the engine (--version, help), which would only make its keeper."""
    if os.geteuid() != 0 and sys.argv[1:2] not in (["--version"], ["-v"], ["-h"],
                                                   ["--help"], ["help"]):
        from engine.paths import Paths
        from engine.runtime import userns
        userns.enter(Paths.from_env())
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code & 0xFF if isinstance(code, int) else 1)


def run_dockerlings(env: Env, argv: list[str], top: bool = False) -> int:
    from . import runner
    if not argv:
        if top:
            return interactive(env) if env.stdin_tty else run_lines(env, env.stdin)
        env.out(USAGE)
        return 0
    head = argv[0]
    if head == "-c":
        if len(argv) != 2:
            env.err("dockerlings: -c takes one argument, the line to run")
            return 2
        return _until_exit(runner.run_line, env, argv[1])
    if head == "docker":
        return runner.run_docker(env, argv[1:])
    if head == "engine":
        from . import engine_cmd
        return engine_cmd.run(env, argv[1:])
    if head == "map":
        from engine.errors import EngineError
        from . import map as state_map
        try:
            return state_map.show(env)
        except EngineError as e:        # someone else's engine (NotOwner), say
            report_engine_error(env, "dockerlings map", e)
            return 1
    if head == "xray":
        from . import xray
        return xray.run(env, argv[1:])
    if head == "lessons":
        from lessons import cli as lessons_cli
        return lessons_cli.main(env, argv[1:], run_line=runner.run_line, parse=runner.parse)
    if head in ("--version", "-v") and len(argv) == 1:
        env.out(f"dockerlings {version()}")
        return 0
    if head in ("-h", "--help", "help"):
        env.out(USAGE)
        return 0
    env.err(f"dockerlings: unknown command '{head}'\n\n{USAGE}")
    return 2


def version() -> str:
    """The installed package's version; in a clone that was never installed, the one
    its pyproject.toml gives."""
    from importlib import metadata
    try:
        return metadata.version("dockerlings")
    except metadata.PackageNotFoundError:
        import tomllib
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        try:
            with open(os.path.join(here, "pyproject.toml"), "rb") as f:
                return tomllib.load(f)["project"]["version"]
        except (OSError, KeyError, ValueError):
            return "unknown"


def report_engine_error(env: Env, command: str, e) -> None:
    """An engine error met by one of dockerlings' own commands, with its hint."""
    env.err(f"{command}: {e}")
    if e.hint:
        env.err(env.hint(e.hint))


def _until_exit(run, env: Env, line: str) -> int:
    """Run one line; the `exit` built-in ends it with its code."""
    from .builtins import ExitShell
    try:
        return run(env, line)
    except ExitShell as e:
        return 0 if e.code is None else e.code


def run_lines(env: Env, stream) -> int:
    """Standard input is not a terminal: run it line by line, like sh would; a line
    ending in a backslash continues on the next."""
    from . import runner
    from .builtins import ExitShell
    status = 0
    pending = ""
    try:
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            status = runner.run_line(env, pending + line)
            pending = ""
        if pending:
            status = runner.run_line(env, pending)
    except ExitShell as e:
        return status if e.code is None else e.code
    return status


def interactive(env: Env) -> int:
    """The teaching shell (repl.py); prompt_toolkit and rich load only here, so
    `dockerlings -c` stays quick."""
    from . import repl
    return repl.interactive(env, **lesson_hooks(env))


def lesson_hooks(env: Env) -> dict:
    """The lesson runner's hooks into the REPL: the step in the prompt, `solution`'s
    commands put at the prompt, and the lesson the learner left off in, shown once the
    first prompt is up."""
    from lessons import builtins as lesson_words
    from . import runner
    env.prefill_supported = True
    return dict(step=lambda: lesson_words.prompt_hint(env) or None,
                prefill=lambda: lesson_words.take_prefill(env),
                cancel=lambda: lesson_words.drop_prefill(env),
                greeting=lambda: lesson_words.resume_text(env, runner.run_line, runner.parse))
