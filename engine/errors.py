"""One exception hierarchy for everything the engine refuses or fails at.

The kinds follow the Docker API's error classes (errdefs), so the shell can print each
one the way the docker CLI does and pick the same exit status. `str(err)` is Docker's
own wording; `hint` is an optional plain-words explanation for a learner.
"""
from __future__ import annotations

import errno as _errno


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""

    status = 500          # the HTTP status Docker's API would answer with
    from_daemon = True    # printed as "Error response from daemon: ..." by the CLI

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class InvalidParameter(EngineError):
    status = 400


class NotFound(EngineError):
    status = 404


class Conflict(EngineError):
    status = 409


class Unavailable(EngineError):
    """A capability this machine lacks (a package, a kernel feature)."""

    status = 503


class System(EngineError):
    """An operating-system failure, wrapped with what the engine was doing."""

    def __init__(self, message: str, *, errno: int | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.errno = errno

    @classmethod
    def from_oserror(cls, doing: str, err: OSError) -> "System":
        reason = err.strerror or _errno.errorcode.get(err.errno or 0, str(err))
        return cls(f"{doing}: {reason}", errno=err.errno)


# --- references and images -------------------------------------------------

class InvalidReference(InvalidParameter):
    """A malformed image reference; the docker CLI reports these itself."""

    from_daemon = False


class NoSuchImage(NotFound):
    def __init__(self, ref: str, *, hint: str | None = None):
        super().__init__(f"No such image: {ref}", hint=hint)
        self.ref = ref


class InvalidArchive(InvalidParameter):
    """An image archive `docker load` or `docker import` cannot take (Docker's words)."""


class ImageNotFoundLocally(NotFound):
    """`run`/`create`/`pull` of an image that is neither local nor obtainable."""

    def __init__(self, ref: str, reason: str, *, hint: str | None = None):
        super().__init__(reason, hint=hint)
        self.ref = ref


class ImageInUse(Conflict):
    pass


# --- containers --------------------------------------------------------------

class NoSuchContainer(NotFound):
    def __init__(self, ref: str, *, hint: str | None = None):
        super().__init__(f"No such container: {ref}", hint=hint)
        self.ref = ref


class NameInUse(Conflict):
    def __init__(self, name: str, holder: str, *, hint: str | None = None):
        super().__init__(
            f'Conflict. The container name "/{name}" is already in use by container '
            f'"{holder}". You have to remove (or rename) that container to be able to '
            f"reuse that name.", hint=hint)
        self.name = name
        self.holder = holder


class ContainerRunning(Conflict):
    """Raised when an operation needs a stopped container."""


class ContainerNotRunning(Conflict):
    """Raised when an operation needs a running container."""


class ContainerPaused(Conflict):
    pass


class StartFailed(EngineError):
    """The container's process could not be started (exec failed, bad user, ...).

    `exit_code` is what `docker run` exits with: 127 command not found, 126 not
    executable, 125 anything else.
    """

    def __init__(self, message: str, exit_code: int = 125, *, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.exit_code = exit_code


class NotOwner(EngineError):
    """Someone other than its owner ran dockerlings against an engine (trust.py). The
    docker CLI's "permission denied while trying to connect to the Docker daemon
    socket", saying whose engine it is instead of the socket's dial error."""

    from_daemon = False
    exit_code = 126        # docker run's status for it (toStatusError: permission denied)

    def __init__(self, root: str, owner_uid: int):
        import os
        name = user_name(owner_uid)
        own = os.geteuid() != 0               # an ordinary user has an engine of their own
        super().__init__(
            f"permission denied while trying to connect to the engine at {root}: "
            f"this engine belongs to {name}",
            hint=f"only {name} may use it: run dockerlings as {name}"
                 + (" (sudo dockerlings)" if owner_uid == 0 else "")
                 + ("; without DOCKERLINGS_ROOT, dockerlings uses an engine of your own"
                    if own else ""))


class RootlessUnavailable(Unavailable):
    """An ordinary user's engine could not enter its user namespace (runtime/userns.py):
    everything it does as root it does there, so without it nothing can run."""

    from_daemon = False

    def __init__(self, reason: str):
        super().__init__(f"cannot start the rootless engine: {reason}",
                         hint="dockerlings runs as an ordinary user inside a user namespace "
                              "of its own; `dockerlings engine info` shows what this machine "
                              "lacks for it")


def user_name(uid: int) -> str:
    import pwd
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


class AmbiguousPrefix(InvalidParameter):
    pass


# --- the command line ------------------------------------------------------------

class UsageError(InvalidParameter):
    """A command line the docker CLI itself refuses before doing anything.

    kind: "flag" (exit 125, usage shown), "args" (exit 1, usage shown), "command"
    (unknown command, exit 1), "option" (a value the CLI validates itself: exit 125
    in run/create, else 1).
    """

    from_daemon = False

    def __init__(self, message: str, *, kind: str, command: str = "docker",
                 usage: str | None = None, see: str = "Run", hint: str | None = None):
        super().__init__(message, hint=hint)
        self.kind = kind
        self.command = command      # "docker run", "docker container ls"
        self.usage = usage          # "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]"
        self.see = see


class CliError(EngineError):
    """A refusal the docker CLI makes itself, printed bare, exit 1 ("You cannot attach to
    a stopped container, start it first", "the input device is not a TTY")."""

    from_daemon = False
