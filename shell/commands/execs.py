"""docker exec."""
from __future__ import annotations

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
    c = eng.container(inv.args[0])
    try:
        proc = execs.start(eng, c, inv.args[1:], env=env_vars, user=o["user"],
                           workdir=o["workdir"], tty=o["tty"], interactive=o["interactive"],
                           detach=o["detach"], privileged=o["privileged"], name=inv.args[0])
    except StartFailed as e:
        # Docker writes the runtime's message to the exec's output stream
        env.write_out(f"{e}\r\n".encode())
        return e.exit_code
    if o["detach"]:
        return 0
    code = pump(env, ProcessChannel(proc), tty=o["tty"], stdin=o["interactive"],
                detach_keys=o["detach_keys"])
    return 0 if code is None else code
