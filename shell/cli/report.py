"""Errors printed the way the docker CLI prints them, with the exit status it uses.

Four shapes (see the docker CLI's cobra setup): flag errors (exit 125, with the usage
line), argument-count errors (exit 1, "docker: " and the usage line), unknown commands
(exit 1), and everything else: the message alone, behind "Error response from daemon: "
when the daemon (here, the engine) refused. Inside `docker run` and `docker create`
validation errors get "docker: " and "Run 'docker run --help'", and exit 125.
"""
from __future__ import annotations

from engine.errors import EngineError, StartFailed, UsageError

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
    if command in RUN_LIKE:
        code = err.exit_code if isinstance(err, StartFailed) else 125
        return f"docker: {text}\n\nRun '{command} --help' for more information", code
    if command in CREATE_LIKE and not err.from_daemon:
        return f"docker: {text}\n\nRun '{command} --help' for more information", 125
    return text, 1


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
    if err.kind == "option":       # values the CLI checks itself inside run/create
        return f"docker: {err}\n\nRun '{err.command} --help' for more information", 125
    return f"docker: {err}", 1     # planned: not in dockerlings yet
