"""dl-netd: the engine's network helper, one small process per engine root.

pyroute2 takes a quarter of a second to import, far too long to pay on every `docker
run`, so the netlink work lives in this long-lived helper (podman's aardvark-dns and
netavark split the same way): it keeps a netlink socket inside the engine's namespace,
makes bridges and veth pairs on request, and mirrors services that listen on the host's
loopback into the engine's namespace so containers reach them as host.docker.internal
(only the ports the learner shared: shares.py).
It serves one JSON request per connection on a unix socket. Nothing here touches the
host's own interfaces, routes or firewall.
"""
from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import struct
import sys
import time

from .. import trust
from . import netns, proxy, shares

# Seconds between looks at the host's listening sockets: often for a minute after each
# request (a learner starting `nc -l` and then a container), seldom when all is quiet,
# so an idle engine costs next to no CPU.
MIRROR_POLL = 0.2
MIRROR_POLL_IDLE = 1.0
MIRROR_BUSY = 60.0


def read_message(sock: socket.socket) -> bytes:
    """One request or reply of this helper's protocol: a line of JSON."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def socket_path(run: str) -> str:
    return os.path.join(run, "netd.sock")


class Helper:
    def __init__(self, run: str):
        from pyroute2 import IPRoute, NetlinkError     # the reason this process exists
        self.IPRoute, self.NetlinkError = IPRoute, NetlinkError
        self.run = run
        self.engine_ns = netns.open_ns(netns.pin_path(run))
        self.ipr = netns.iproute(self.engine_ns, IPRoute)
        self.sel = selectors.DefaultSelector()
        self.mirrors: dict[int, proxy.TcpProxy] = {}
        self.seen_inodes: set[int] = set()       # listeners on shared ports, last look
        self.engine_inodes: set[int] = set()     # ...of which these are the engine's
        self.bridges: dict[str, int] = {}
        self.next_poll = 0.0
        self.busy_until = 0.0
        from .uplink import UPLINK_GROUP, Uplink  # here: clients import this module
        self.uplink = Uplink(run, self.engine_ns)
        self.uplink_group = UPLINK_GROUP
        self.owner = trust.owner(run)
        self.listener = self._listen()

    def _listen(self) -> socket.socket:
        path = socket_path(self.run)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        trust.bind_unix(s, path)
        s.listen(64)
        self.sel.register(s, selectors.EVENT_READ, self._accept)
        return s

    def serve(self) -> None:
        while True:
            timeout = max(0.0, self.next_poll - time.monotonic())
            for key, mask in self.sel.select(timeout):
                key.data(key.fileobj, mask)
            now = time.monotonic()
            if now >= self.next_poll:
                busy = now < self.busy_until
                self.next_poll = now + (MIRROR_POLL if busy else MIRROR_POLL_IDLE)
                if not os.path.exists(socket_path(self.run)):
                    self._shutdown()        # its engine root was deleted under it
                self._mirror_host_listeners()
                self.uplink.poll()

    # --- requests ------------------------------------------------------------------
    def _accept(self, listener, mask) -> None:
        conn, _ = listener.accept()
        if not trust.admit(conn, self.owner):   # op_attach takes any pid: owner only
            return
        self.busy_until = time.monotonic() + MIRROR_BUSY
        self.next_poll = 0.0                # look again right after this request
        with conn:
            conn.settimeout(5)
            data = read_message(conn)
            try:
                request = json.loads(data)
                reply = {"ok": True, **(getattr(self, "op_" + request["op"])(**request["args"])
                                        or {})}
            except Exception as e:          # the caller turns this into an engine error
                reply = {"ok": False, "error": f"{type(e).__name__}: {e}",
                         "gone": isinstance(e, ProcessLookupError)}
            try:
                conn.sendall(json.dumps(reply).encode() + b"\n")
            except OSError:
                pass
        if request_quit(data):
            self._shutdown()

    def op_ping(self) -> dict:
        return {"pid": os.getpid()}

    def op_quit(self) -> None:
        return None

    def op_ensure_bridge(self, name: str, address: str, prefix: int,
                         internal: bool = False) -> None:
        if not self.ipr.link_lookup(ifname=name):
            self.ipr.link("add", ifname=name, kind="bridge")
        index = self.ipr.link_lookup(ifname=name)[0]
        have = [a.get_attr("IFA_ADDRESS") for a in self.ipr.get_addr(index=index)]
        if address not in have:
            self.ipr.addr("add", index=index, address=address, mask=prefix)
        # the uplink's firewall lets out only bridges in this group: never --internal
        self.ipr.link("set", index=index, state="up",
                      group=0 if internal else self.uplink_group)

    def op_remove_bridge(self, name: str) -> None:
        self.bridges.pop(name, None)
        for index in self.ipr.link_lookup(ifname=name):
            self.ipr.link("del", index=index)

    def op_attach(self, pid: int, endpoints: list[dict], uplink: dict | None = None) -> None:
        """Give the container of `pid` one interface per endpoint: a veth pair whose host
        end joins the network's bridge here and whose other end is born in the
        container's namespace, already named ethN with its MAC (one netlink request).
        The container gives it its address and route itself. `uplink`: the settings of
        the starter when it asks for the uplink (started here on first use)."""
        if uplink:
            self.uplink.want(uplink)
        ns_fd = _net_ns_of(pid)
        try:
            for ep in endpoints:
                try:
                    self._veth(ep, ns_fd, self._bridge(ep, check=False))
                except self.NetlinkError:
                    # the bridge this helper knew is gone (engine reset by another
                    # process, say): make it again, then try once more
                    self._veth(ep, ns_fd, self._bridge(ep, check=True))
        finally:
            os.close(ns_fd)

    def _veth(self, ep: dict, ns_fd: int, bridge: int) -> None:
        self.ipr.link("add", ifname="veth" + os.urandom(4).hex()[:7], kind="veth",
                      peer={"ifname": ep["ifname"], "net_ns_fd": ns_fd, "address": ep["mac"]},
                      master=bridge, state="up")

    def _bridge(self, ep: dict, check: bool) -> int:
        """The bridge's index, making it first if this is its first use. The index is
        remembered: looking it up again costs a netlink dump on every container start."""
        name = ep["bridge"]
        index = self.bridges.get(name)
        if index is None or check:
            self.op_ensure_bridge(name, ep["bridge_address"], ep["prefix"],
                                  bool(ep.get("internal")))
            index = self.bridges[name] = self.ipr.link_lookup(ifname=name)[0]
        return index

    def op_configure(self, pid: int, ifname: str, address: str, prefix: int) -> None:
        """Address an interface of a container that is already running (network
        connect): its first process can no longer do it itself."""
        ns_fd = _net_ns_of(pid)
        try:
            inside = netns.iproute(ns_fd, self.IPRoute)
            try:
                index = inside.link_lookup(ifname=ifname)[0]
                inside.addr("add", index=index, address=address, mask=prefix)
                inside.link("set", index=index, state="up")
            finally:
                inside.close()
        finally:
            os.close(ns_fd)

    def op_detach(self, pid: int, ifname: str) -> None:
        ns_fd = _net_ns_of(pid)
        try:
            inside = netns.iproute(ns_fd, self.IPRoute)
            try:
                for index in inside.link_lookup(ifname=ifname):
                    inside.link("del", index=index)
            finally:
                inside.close()
        finally:
            os.close(ns_fd)

    # --- host.docker.internal ------------------------------------------------------------
    def op_shares(self) -> dict:
        """Apply the shares file now (host share / unshare wait for this)."""
        self._mirror_host_listeners()
        return {"relayed": sorted(self.mirrors)}

    def _mirror_host_listeners(self) -> None:
        """Every shared TCP port the host listens on (loopback or all addresses) is
        also listened on inside the engine's namespace, relayed to the host's
        127.0.0.1; nothing else is (shares.py says why)."""
        ports = self._relayable(shares.read(self.run))
        for port in set(self.mirrors) - ports:
            self.mirrors.pop(port).close()
        for port in ports - set(self.mirrors):
            try:
                s = netns.inside(self.engine_ns, socket.socket, socket.AF_INET,
                                 socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("0.0.0.0", port))
                s.listen(64)
            except OSError:
                continue
            self.mirrors[port] = proxy.TcpProxy(self.sel, s, _host_connector(port),
                                                admit=self._admit)

    def _relayable(self, shared: set[int]) -> set[int]:
        """The shared ports something on the host listens on, but not the engine."""
        if not shared:
            return set()            # the usual case: not even a look at the sockets
        listening = {p: inodes for p, inodes in host_listeners().items() if p in shared}
        inodes = set().union(*listening.values()) if listening else set()
        if inodes != self.seen_inodes:   # new listeners: whose are they?
            self.seen_inodes = inodes
            self.engine_inodes = shares.engine_socket_inodes()
        return {p for p, i in listening.items() if not i & self.engine_inodes}

    def _admit(self, client: socket.socket) -> bool:
        """A connection from a network with a way out only: never from an --internal
        one (its bridge is not in the uplink's group), whatever address it dialled."""
        try:
            peer = client.getpeername()[0]
            route = self.ipr.route("get", dst=peer)[0]
            link = self.ipr.link("get", index=route.get_attr("RTA_OIF"))[0]
            return link.get_attr("IFLA_GROUP") == self.uplink_group
        except (OSError, IndexError, self.NetlinkError):
            return False

    def _shutdown(self) -> None:
        self.uplink.stop()
        for p in self.mirrors.values():
            p.close()
        self.listener.close()
        try:
            os.unlink(socket_path(self.run))
        except FileNotFoundError:
            pass
        os._exit(0)


def _net_ns_of(pid: int) -> int:
    """The network namespace of a container's process; ProcessLookupError (told to
    the caller as "gone") when the process ended meanwhile."""
    try:
        return os.open(f"/proc/{pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ProcessLookupError(f"process {pid} is gone") from None


def request_quit(data: bytes) -> bool:
    try:
        return json.loads(data).get("op") == "quit"
    except ValueError:
        return False


def _host_connector(port: int):
    def connect() -> socket.socket:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        return s
    return connect


def host_listening_ports() -> set[int]:
    return set(host_listeners())


def host_listeners() -> dict[int, set[int]]:
    """TCP ports in LISTEN state on the host (this process's namespace), on loopback or
    on every address, IPv4 and IPv6, with the inodes of their sockets: asked of the
    kernel's sock_diag, which walks the listening sockets only. (Reading /proc/net/tcp
    walks every established socket's hash bucket too: about a millisecond a read on a
    small machine, which this process does every second.)"""
    out: dict[int, set[int]] = {}
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC,
                       NETLINK_SOCK_DIAG) as s:
        for family, wanted in ((socket.AF_INET, (bytes(4), socket.inet_aton("127.0.0.1"))),
                               (socket.AF_INET6, (bytes(16), socket.inet_pton(
                                   socket.AF_INET6, "::1")))):
            for port, address, inode in _listeners(s, family):
                if address[:len(wanted[0])] in wanted:
                    out.setdefault(port, set()).add(inode)
    return out


NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY = 4, 20
_NLM_F_DUMP_REQUEST = 0x301
_NLMSG_DONE, _NLMSG_ERROR = 3, 2
_TCP_LISTEN = 10


def _listeners(s: socket.socket, family: int):
    """(port, address bytes, inode) of every listening TCP socket of `family`."""
    req = struct.pack("=BBBBI48x", family, socket.IPPROTO_TCP, 0, 0, 1 << _TCP_LISTEN)
    s.send(struct.pack("=IHHII", 16 + len(req), SOCK_DIAG_BY_FAMILY, _NLM_F_DUMP_REQUEST,
                       1, 0) + req)
    while True:
        data = s.recv(65536)
        offset = 0
        while offset + 16 <= len(data):
            length, kind = struct.unpack_from("=IH", data, offset)
            if kind == _NLMSG_DONE or kind == _NLMSG_ERROR or length < 16:
                return
            # inet_diag_msg: family, state, timer, retrans, then the socket id (48
            # bytes: sport, dport (big endian), src address (16 bytes), ...), then
            # expires, rqueue, wqueue, uid and inode (32 bits each)
            body = offset + 16
            port = struct.unpack_from("!H", data, body + 4)[0]
            inode = struct.unpack_from("=I", data, body + 68)[0]
            yield port, data[body + 8:body + 24], inode
            offset += (length + 3) & ~3


def main(run: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with open("/proc/self/comm", "w") as f:
            f.write("dl-netd")
    except OSError:
        pass
    # first thing, so `engine reset` can stop a helper that is still starting up
    with open(os.path.join(run, "netd.pid"), "w") as f:
        f.write(str(os.getpid()))
    # a background helper: when the CPUs are short, a starting container goes first
    # (each start pokes this process, right when the start needs both CPUs)
    os.nice(10)
    Helper(run).serve()


if __name__ == "__main__":
    main(sys.argv[1])
