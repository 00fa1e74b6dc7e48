"""docker exec."""
from __future__ import annotations

import os

from engine.containers import execs
from engine.errors import CliError, StartFailed

from ..cli.parser import Invocation
from . import options
from .attach import ProcessChannel, detach_sequence, pump


def exec(env, inv: Invocation) -> int:
    o = inv.opts
    # the CLI's own checks and files come before any question to the engine
    if o["tty"] and o["interactive"] and not o["detach"] and not env.stdin_tty:
        raise CliError("the input device is not a TTY")
    if o["detach_keys"]:
        detach_sequence(o["detach_keys"])
    if o["workdir"] and not o["workdir"].startswith("/"):
        from engine.errors import InvalidParameter
        raise InvalidParameter(f"the working directory '{o['workdir']}' is invalid, it needs "
                               "to be an absolute path")
    env_vars = options.env_list(inv, env, o["env_file"], o["env"])
    eng = env.engine
    api = env.api
    name = inv.args[0]
    with api.request("GET", f"/containers/{name}/json"):
        c = eng.container(name)
    # the docker CLI creates the exec, starts it and asks for its exit code; the engine
    # starts the process in one call. An exec has no record in-process: the trace names
    # it by a fresh ID, as the daemon would.
    made = f"/exec/{os.urandom(32).hex()}"
    failed = None
    from .containers import terminal_size
    with api.request("POST", f"/containers/{name}/exec", 201):
        try:
            proc = execs.start(eng, c, inv.args[1:], env=env_vars, user=o["user"],
                               workdir=o["workdir"], tty=o["tty"],
                               interactive=o["interactive"], detach=o["detach"],
                               privileged=o["privileged"], name=name,
                               console_size=terminal_size(env) if o["tty"] else (0, 0))
        except StartFailed as e:        # made, but its program could not start
            failed = e
    api.said("POST", f"{made}/start", 200 if o["detach"] else 101)
    if failed is not None:
        # Docker writes the runtime's message to the exec's output stream
        env.write_out(f"{failed}\r\n".encode())
        api.said("GET", f"{made}/json")
        return failed.exit_code
    if o["detach"]:
        return 0
    if o["tty"]:
        from .containers import _said_resize
        _said_resize(env, f"{made}/resize")
    code = pump(env, ProcessChannel(proc), tty=o["tty"], stdin=o["interactive"],
                detach_keys=o["detach_keys"])
    if code is not None:
        api.said("GET", f"{made}/json")
    return 0 if code is None else code
