"""`engine serve -H/--host`: where else the Engine API listens, as dockerd's -H.

- `unix://PATH` (`unix://` alone: /var/run/docker.sock): only where nothing answers. A
  socket file nobody answers on is a dead server's and is replaced; a socket that
  answers (another Docker daemon, another dockerlings) or a file that is not a socket
  is left exactly as it is. The socket is made unreachable (umask 0777 while it is
  bound), then given 0660 as dockerd gives its socket (owner and group).
- `tcp://HOST:PORT` (moby's defaults: localhost, 2375). There is no TLS here, so, as
  dockerd warns, whoever reaches the port drives the engine, which is root on this
  machine. On loopback only this machine can, and each peer's owner is looked up in the
  kernel's TCP table before a byte is read: anyone but the engine's owner is hung up on
  (scripts in the owner's browser are still the owner, and so are the engine's own
  proxies that carry a shared port to containers: the warning says so). Any other
  address needs dockerd's explicit intent, `--tls=false`, and then peers from the
  network are let in unchecked: that is what was acknowledged.

Whoever connects on any of them is checked as on the engine's own socket
(trust.admit): nobody but the owner gets a byte read."""
from __future__ import annotations

import ipaddress
import os
import socket
import socketserver
import stat
import struct
import urllib.parse
from typing import NamedTuple

from engine import trust
from engine.errors import EngineError

from .http import Handler, Listening

DEFAULT_UNIX = "/var/run/docker.sock"
DEFAULT_TCP_HOST, DEFAULT_TCP_PORT = "localhost", 2375
UNIX_MODE = 0o660                 # dockerd's: owner and group
SECURITY = "https://docs.docker.com/go/api-security/"


class HostError(EngineError):
    """A -H that cannot be served (said in dockerd's words where it has some)."""


class Host(NamedTuple):
    proto: str            # "unix" | "tcp"
    address: object       # a path, or (ip, port)
    text: str             # as DOCKER_HOST takes it: unix:///path, tcp://host:port
    loopback: bool = True


def parse(text: str) -> Host:
    """A -H value as moby's ParseDaemonHost reads it (a bare host:port is tcp)."""
    value = text.strip()
    proto, sep, rest = value.partition("://")
    if not sep:
        proto, rest = "tcp", value
    if proto == "unix":
        if "://" in rest:
            raise HostError(f"invalid bind address ({text}): invalid unix address: {rest}")
        path = os.path.abspath(rest or DEFAULT_UNIX)
        return Host("unix", path, f"unix://{path}")
    if proto == "tcp":
        return _tcp(text, value if sep else f"tcp://{value}")
    if proto == "fd":
        raise HostError(f"invalid bind address ({text}): fd:// (systemd's socket activation) "
                        "is not supported by dockerlings")
    raise HostError(f"invalid bind address ({text}): unsupported proto '{proto}'")


def _tcp(text: str, url: str) -> Host:
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    port_text = netloc.rpartition("]")[2] if netloc.startswith("[") else netloc
    port_text = port_text.partition(":")[2] if ":" in port_text else ""
    if port_text and not port_text.isdigit():
        raise HostError(f'invalid bind address ({text}): parse "{url}": invalid port '
                        f'":{port_text}" after host')
    if parts.path or parts.query:
        raise HostError(f"invalid bind address ({text}): should not contain a path element")
    if port_text and int(port_text) == 0:
        raise HostError(f"invalid bind address ({text}): invalid port: {port_text}")
    if port_text and int(port_text) > 65535:
        raise HostError(f'invalid bind address ({text}): parse "{url}": invalid port '
                        f'":{port_text}" after host')
    name = parts.hostname or DEFAULT_TCP_HOST
    port = int(port_text or DEFAULT_TCP_PORT)
    shown = f"[{name}]" if ":" in name else name
    ip = _resolve(text, name)
    return Host("tcp", (ip, port), f"tcp://{shown}:{port}",
                ipaddress.ip_address(ip).is_loopback)


def _resolve(text: str, name: str) -> str:
    if name == "localhost":
        return "127.0.0.1"
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        pass
    try:
        return socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)[0][4][0]
    except OSError:
        raise HostError(f"invalid bind address ({text}): lookup {name}: no such host") \
            from None


def check(hosts: list[Host], network_acknowledged: bool) -> list[str]:
    """The warnings to print for these hosts (dockerd's facts); refuses a non-loopback
    address nobody acknowledged."""
    warnings = []
    for host in hosts:
        if host.proto != "tcp":
            continue
        if not host.loopback and not network_acknowledged:
            raise HostError(f"refusing to serve {host.text} without TLS: anyone who can reach "
                            "it from the network gets root on this machine",
                            hint="dockerlings has no TLS; to expose the engine anyway, say "
                            "so as dockerd asks: --tls=false. On this machine alone, use "
                            f"tcp://127.0.0.1:PORT. See {SECURITY}")
        if host.loopback:
            warnings.append(f"WARNING: {host.text} has no TLS: every program of yours on "
                            "this machine can drive the engine through it (as root), a "
                            "script on a web page in your browser included, and containers "
                            "too once its port is shared with them (`host share`, "
                            "DOCKERLINGS_UPLINK_HOST_LOOPBACK=1). Other users are hung up "
                            f"on. See {SECURITY}")
        else:
            warnings.append(f"WARNING: {host.text} has no TLS and is open to the network: "
                            "everyone who can reach it gets root access on this machine "
                            f"(--tls=false said so). See {SECURITY}")
    return warnings


# --- unix -------------------------------------------------------------------------------

def claim_unix(path: str) -> None:
    """Make `path` free for our socket: nothing there, or a dead server's socket (removed
    here). Anything else is refused and left as it is."""
    from engine.supervisor.protocol import ShortPath
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as e:
        raise HostError(f"can't create unix socket {path}: {e.strerror.lower()}") from None
    if not stat.S_ISSOCK(st.st_mode):
        raise HostError(f"can't create unix socket {path}: the file there is not a socket")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(2)
    try:
        with ShortPath(path) as short:
            probe.connect(short)
    except ConnectionRefusedError:            # bound once, nobody listening: stale
        os.unlink(path)
        return
    except socket.timeout:                    # a listener with a full queue: it lives
        pass
    except OSError as e:
        raise HostError(f"can't create unix socket {path}: {e.strerror}") from None
    finally:
        probe.close()
    raise HostError(f"unix://{path}: something already answers on this socket (another "
                    "Docker daemon?); dockerlings does not take it over")


def bind_unix(sock: socket.socket, path: str) -> None:
    """Bind with nobody able to connect until the mode is set (umask 0777, as moby's
    sockets package does), then owner and group; the socket is the engine owner's."""
    from engine.supervisor.protocol import ShortPath
    try:
        with ShortPath(path) as short:
            old = os.umask(0o777)
            try:
                sock.bind(short)
            finally:
                os.umask(old)
            os.chmod(short, UNIX_MODE)
    except OSError as e:
        raise HostError(f"can't create unix socket {path}: listen unix {path}: bind: "
                        f"{os.strerror(e.errno).lower()}") from None


# --- tcp --------------------------------------------------------------------------------

def _hex(ip: str) -> str:
    """An address as /proc/net/tcp{,6} prints it: 32-bit words in host byte order."""
    packed = socket.inet_pton(socket.AF_INET6 if ":" in ip else socket.AF_INET, ip)
    return "".join("%08X" % struct.unpack("=I", packed[i:i + 4])[0]
                   for i in range(0, len(packed), 4))


def tcp_peer_uid(sock: socket.socket) -> int | None:
    """The uid owning the other end of an accepted TCP connection when that end is on
    this machine (its socket in the kernel's table, with our end as its peer); None when
    it is not (the network)."""
    peer, ours = sock.getpeername()[:2], sock.getsockname()[:2]
    table = "/proc/net/tcp6" if sock.family == socket.AF_INET6 else "/proc/net/tcp"
    want = (f"{_hex(peer[0])}:{peer[1]:04X}", f"{_hex(ours[0])}:{ours[1]:04X}")
    try:
        with open(table) as f:
            next(f)
            for line in f:
                fields = line.split()
                if (fields[1], fields[2]) == want:
                    return int(fields[7])
    except (OSError, ValueError, IndexError, StopIteration):
        pass
    return None


class TCPServer(Listening, socketserver.ThreadingMixIn, socketserver.TCPServer):
    """The API on a TCP address. Local peers must be the owner; peers from the network
    only reach an address that was acknowledged (--tls=false)."""

    allow_reuse_address = True            # as Go's listeners: a restart finds its port

    def __init__(self, host: Host, routes, owner: int, log=None):
        self.routes, self.owner, self._log, self.host = routes, owner, log, host
        self.address_family = socket.AF_INET6 if ":" in host.address[0] else socket.AF_INET
        try:
            socketserver.TCPServer.__init__(self, host.address, Handler)
        except OSError as e:
            ip, port = host.address
            where = f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
            raise HostError(f"listen tcp {where}: bind: {os.strerror(e.errno).lower()}") \
                from None
        self.socket.set_inheritable(False)

    def verify_request(self, request, client_address) -> bool:
        uid = tcp_peer_uid(request)
        if uid == self.owner or (uid is None and not self.host.loopback):
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return True
        request.close()                   # unread, as the unix sockets' check
        return False
