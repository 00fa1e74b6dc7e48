"""Errors printed the way the docker CLI prints them, with the exit status it uses.

Four shapes (see the docker CLI's cobra setup): flag errors (exit 125, with the usage
line), argument-count errors (exit 1, "docker: " and the usage line), unknown commands
(exit 1), and everything else: the message alone, exit 1, behind "Error response from
daemon: " when the daemon (here, the engine) refused.

`docker run` and `docker create` wrap their own errors (run.go's withHelp): validation
errors get "docker: " and "Run 'docker run --help'" (or create), and exit 125; so does
everything else that fails inside `docker run`, except the few refusals run.go returns
bare (CliError). `docker create` prints the daemon's errors, and a bad image
reference, bare.
"""
from __future__ import annotations

from engine.errors import CliError, EngineError, NotOwner, StartFailed, UsageError

RUN_LIKE = ("docker run", "docker container run")
CREATE_LIKE = ("docker create", "docker container create")


def message_of(err: EngineError) -> str:
    return f"Error response from daemon: {err}" if err.from_daemon else str(err)


def format_error(err: EngineError, command: str) -> tuple[str, int]:
    """(text to print on stderr, exit status) for an error raised while running `command`
    ("docker run", "docker ps", ...)."""
    if isinstance(err, UsageError):
        return _usage(err)
    text = message_of(err)
    if command in RUN_LIKE and not isinstance(err, CliError):
        code = err.exit_code if isinstance(err, (StartFailed, NotOwner)) else 125
        return _with_help(text, command), code
    return text, 1


def _with_help(text: str, command: str) -> str:
    """withHelp() in run.go and create.go: they name themselves as `docker run` and
    `docker create`, whatever path was typed."""
    name = "docker run" if command in RUN_LIKE else "docker create"
    return f"docker: {text}\n\nRun '{name} --help' for more information"


def _usage(err: UsageError) -> tuple[str, int]:
    if err.kind == "flag":
        return (f"{err}\n\nUsage:  {err.usage}\n\nRun '{err.command} --help' for more "
                "information", 125)
    if err.kind == "args":
        return (f"docker: {err}\n\nUsage:  {err.usage}\n\n{err.see} '{err.command} --help' for "
                "more information", 1)
    if err.kind == "command":
        usage = f"\n\nUsage:  {err.usage}" if err.usage else ""
        return f"docker: {err}{usage}\n\nRun '{err.command} --help' for more information", 1
    if err.kind == "option":       # values the CLI checks itself
        if err.command in RUN_LIKE + CREATE_LIKE:
            return _with_help(str(err), err.command), 125
        return str(err), 1
    if err.kind == "topic":        # `docker help foo`
        return str(err), 1
    return f"docker: {err}", 1     # planned: not in dockerlings yet
