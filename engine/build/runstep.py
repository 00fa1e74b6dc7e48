"""RUN: a real container of the step's image, its output streamed into the build log,
its changes committed as the step's layer, and the container removed.

The container is made through the Engine like any other (so it gets the same
namespaces, overlay root, cgroup and monitor), from a snapshot of the step's state, with
the step's environment, working directory, user and shell, and the image's ENTRYPOINT
switched off: RUN never goes through it.
"""
from __future__ import annotations

import json
import re

from ..supervisor import protocol
from ..config import ContainerConfig, HostConfig
from ..errors import EngineError, StartFailed
from .errors import BuildError
from .state import Snapshot, State

HOSTNAME = "buildkitsandbox"       # what BuildKit calls its RUN containers' host
_INIT_ERROR = re.compile(r"error during container init: (.*): unknown$", re.S)


def run(engine, state: State, argv: list[str], env: list[str], vertex, network: str):
    """Run `argv` in a container of `state`, its output going to the step's progress
    vertex. Returns the exited container (its .upper holds the step's changes; call
    .remove() once the layer is made). A failure removes it and raises BuildError with
    Docker's words."""
    config = ContainerConfig(
        cmd=tuple(argv), entrypoint=("",), env=tuple(env), working_dir=state.workdir,
        user=state.user, hostname=HOSTNAME, attach_stdout=True, attach_stderr=True)
    from . import owner
    with Snapshot(engine, state) as image_id:
        done = Exited(engine, engine.create(config._replace(image=image_id),
                                            HostConfig(network_mode=network),
                                            labels_extra={owner.LABEL: owner.token()}))
    try:
        code = _attach_and_wait(engine, done.c, argv, vertex)
    except BaseException:
        done.remove()
        raise
    if code != 0:
        done.remove()
        raise BuildError(f'process "{_shown(argv)}" did not complete successfully: '
                         f"exit code: {code}", exit_code=code)
    return done


class Exited:
    def __init__(self, engine, c):
        self.engine, self.c = engine, c

    @property
    def upper(self):
        return self.engine.paths.container(self.c.id) / "upper"

    def remove(self) -> None:
        try:
            self.engine.remove(self.c.id, force=True)
        except EngineError:
            pass


def _attach_and_wait(engine, c, argv: list[str], vertex) -> int:
    try:
        sock = engine.start(c.id, attach={"stdin": False, "stdout": True, "stderr": True})
    except StartFailed as e:
        raise _start_failed(e, argv) from None
    code = None
    with sock:
        for kind, payload in protocol.read_frames(sock):
            if kind in (protocol.STDOUT, protocol.STDERR):
                vertex.output(payload)
            elif kind == protocol.EXIT:
                code = int(json.loads(payload)["StatusCode"])
    vertex.flush()
    return code if code is not None else engine.wait(c.id)


def _shown(argv: list[str]) -> str:
    return " ".join(argv)


def _start_failed(err: StartFailed, argv: list[str]) -> BuildError:
    m = _INIT_ERROR.search(err.message)
    reason = m.group(1) if m else err.message
    hint = None
    if "no such file or directory" in reason and argv and argv[0] in reason:
        if argv[0] in ("/bin/sh", "/bin/bash"):
            hint = (f"this image has no {argv[0]}, and a RUN written as plain text runs "
                    "through that shell. Use the exec form, RUN [\"/path/to/program\", "
                    "\"arg\"], or start FROM an image that has a shell (busybox has one; "
                    "scratch has nothing at all).")
        else:
            hint = f"{argv[0]} is not in this image. Is the path right?"
    elif "unable to find user" in reason:
        hint = ("the USER above this RUN is not in the image's /etc/passwd: create the "
                "account in a RUN before the USER line, or use a numeric uid.")
    return BuildError(f'process "{_shown(argv)}" did not complete successfully: {reason}',
                      hint=hint, exit_code=err.exit_code)
