"""Who may talk to the engine and read its store: its owner, and nobody else.

The engine belongs to the user who owns its root folder (root, for /var/lib/dockerlings).
Docker lets its socket's group (`docker`) in as well; this engine has no such group, so
everything here is owner-only, whatever the umask of whoever started it:

- every folder is made with an explicit mode: the root 0710 (as /var/lib/docker), every
  folder beneath and the run folder 0700. Nobody else can reach a file beneath, so a
  setuid program a container leaves in its upper layer stays out of their reach.
- every unix socket (the spawner's, dl-netd's, each container's attach.sock) is bound in
  such a 0700 folder, then given mode 0600; and each server asks the kernel who is on
  the other end (SO_PEERCRED) before it reads a single byte, and hangs up on anyone but
  the owner. The folder alone would keep others out; the check holds even if a folder
  was opened by hand. What the owner sends may start containers as root: that is what
  the owner of a root engine may do anyway, so nothing is gained by getting through.
- files holding a container's environment (config.v2.json) or an image's (its config
  blob) are 0600.

Kept small: the monitor's slim interpreter imports this module (os, socket and struct).
"""
from __future__ import annotations

import os
import socket
import struct

ROOT_MODE = 0o710      # the engine root, as /var/lib/docker
PRIVATE = 0o700        # every folder beneath it, and the run folder
SOCKET_MODE = 0o600
SECRET = 0o600         # files holding environments (a container's, an image's)

_UCRED = struct.Struct("3i")   # struct ucred: pid, uid, gid


def owner(path) -> int:
    """The engine's owner: the user who owns its root (or run) folder; with the folder
    gone (the engine deleted under a server), the server's own user, who started it
    (only the owner gets that far: paths.Paths.ensure)."""
    try:
        return os.stat(path).st_uid
    except OSError:
        return os.geteuid()


def peer_uid(sock: socket.socket) -> int:
    """The uid of the process that connected `sock` (as it was at connect time)."""
    return _UCRED.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                         _UCRED.size))[1]


def admit(sock: socket.socket, uid: int) -> bool:
    """Whether the peer of a just-accepted `sock` is `uid`. When it is not, `sock` is
    closed with everything the peer sent unread (the peer sees ECONNRESET)."""
    if peer_uid(sock) == uid:
        return True
    sock.close()
    return False


def make_dir(path, mode: int = PRIVATE) -> bool:
    """Make folder `path` (its parent exists) with exactly `mode`, whatever the umask;
    an existing folder is left as it is. True if it was made here."""
    try:
        os.mkdir(path, mode)
    except FileExistsError:
        return False
    os.chmod(path, mode)          # the umask may have taken bits away
    return True


def bind_unix(sock: socket.socket, path: str) -> None:
    """Bind `sock` at `path` (in a 0700 folder: until the chmod, the umask rules) and
    give the socket SOCKET_MODE."""
    from .supervisor.protocol import ShortPath
    with ShortPath(path) as short:
        sock.bind(short)
        os.chmod(short, SOCKET_MODE)
