"""A container's place on its networks, from the moment it starts until it stops.

Before the container's first process exists its monitor `prepare`s: addresses are
allocated on each network, published ports are bound on the host (a port in use fails
the start before anything runs, as in Docker), and the container's /etc/hosts and
/etc/resolv.conf are written. While the process waits, `plug` has the network helper
make its veth pairs. When it stops, `release` gives the addresses back.
"""
from __future__ import annotations

import errno
import json
import os
import socket

from . import dns, netns
from .store import BRIDGE, HOST, NONE, NetworkStore

HOST_INTERNAL = "host.docker.internal"


class Plan:
    """What one start of a container needs from the network side."""

    def __init__(self):
        self.endpoints: list[dict] = []       # for the helper: veth pairs to make
        self.interfaces: list[tuple] = []     # for the container: (ifname, ip, prefix, gw)
        self.dns = False                      # serve 127.0.0.11 in the container
        self.networks: dict[str, dict] = {}   # runtime settings, shown by inspect
        self.ports: dict[str, list] = {}      # "80/tcp" -> [{"HostIp":..., "HostPort":...}]
        self.listeners: list[tuple] = []      # (socket, proto, container ip, container port)
        self.attachable = True                # on bridge networks (now or by connect)
        self.uplink: dict | None = None       # the starter's uplink settings (uplink.py)

    def close(self) -> None:
        for sock, *_ in self.listeners:
            sock.close()
        self.listeners.clear()


class PortError(Exception):
    """A published port the host would not give: the start fails before anything runs."""


class PortInUse(PortError):
    pass


class PrivilegedPort(PortError):
    """A port below net.ipv4.ip_unprivileged_port_start, for an ordinary user's engine."""


def mode(c) -> str:
    return c.host.network_mode or BRIDGE


def prepare(engine, c) -> Plan:
    plan = Plan()
    m = mode(c)
    plan.attachable = m not in (HOST, NONE) and not m.startswith("container:")
    if m == HOST or m == NONE:
        _write_etc(engine, c, [], plan, host_network=m == HOST)
        return plan
    if m.startswith("container:"):        # it lives in the other one's (launch.py)
        return plan
    plan.uplink = _uplink()
    store = NetworkStore(str(engine.paths.root))
    try:
        for i, (name, requested) in enumerate(c.networks.items()):
            net = store.get(requested.get("NetworkID") or name)
            ip = (requested.get("IPAMConfig") or {}).get("IPv4Address") or None
            ep = store.attach(net, c.id, c.name, ip, requested.get("Aliases"),
                              requested.get("Links"))
            _event(str(engine.paths.root), "connect", net, c.id)
            _plan_endpoint(plan, net, ep, c, first=(i == 0), index=i)
        _bind_ports(c, plan)
        _write_etc(engine, c, [ip for ip in _addresses(plan)], plan)
    except BaseException:       # (a container removed meanwhile has no folder to write)
        release(str(engine.paths.root), c.id)
        plan.close()
        raise
    return plan


def _uplink() -> dict | None:
    """The uplink settings of the process starting the container (not of the monitor,
    which a spawner made earlier, perhaps with other settings). One that cannot be had
    fails the start before anything runs."""
    if not os.environ.get("DOCKERLINGS_UPLINK"):
        return None
    from . import uplink
    try:
        uplink.check()
        return uplink.requested()
    except uplink.UplinkError as e:
        from ..runtime.init import LaunchError
        raise LaunchError(str(e), 125, runtime=False) from None


def _plan_endpoint(plan: Plan, net: dict, ep: dict, c, first: bool, index: int) -> None:
    address, prefix = ep["IPv4Address"].split("/")
    gateway = None if net.get("Internal") else net["Gateway"]
    ifname = f"eth{index}"
    plan.endpoints.append({"bridge": net["Bridge"], "ifname": ifname, "mac": ep["MacAddress"],
                           "bridge_address": net["Gateway"],
                           "prefix": int(prefix), "internal": bool(net.get("Internal"))})
    plan.interfaces.append((ifname, address, int(prefix), gateway if first else None))
    # Every bridged container asks the embedded DNS server, the default bridge's too
    # (Docker gives those the host's servers): there is no way out of the engine's
    # namespace, so a host server would only make every lookup hang until it times
    # out. The server still answers no container names on the default bridge.
    plan.dns = True
    plan.networks[net["Name"]] = {
        "NetworkID": net["Id"], "EndpointID": ep["EndpointID"], "Gateway": net["Gateway"],
        "IPAddress": address, "IPPrefixLen": int(prefix), "MacAddress": ep["MacAddress"],
        "Aliases": ep.get("Aliases") or [], "DNSNames": _dns_names(c, net, ep)}


def _dns_names(c, net: dict, ep: dict) -> list[str] | None:
    if net.get("DefaultBridge"):
        return None
    return [c.name, *(ep.get("Aliases") or []), c.id[:12]]


def _addresses(plan: Plan) -> list[str]:
    return [i[1] for i in plan.interfaces]


# --- published ports ---------------------------------------------------------------

def _bind_ports(c, plan: Plan) -> None:
    if not plan.interfaces:
        return
    target = plan.interfaces[0][1]
    wanted = [(port, b.host_ip, b.host_port) for port, bs in c.host.port_bindings for b in bs]
    if c.host.publish_all_ports:           # -P: every exposed port, on a random host port
        bound = {port for port, _, _ in wanted}
        wanted += [(port, "", "") for port in c.config.exposed_ports if port not in bound]
    for port_proto, host_ip, host_port in wanted:
        port, _, proto = port_proto.partition("/")
        sock, chosen = _listen(host_ip or "0.0.0.0", host_port, proto or "tcp")
        plan.listeners.append((sock, proto or "tcp", target, int(port)))
        plan.ports.setdefault(port_proto, []).append(
            {"HostIp": host_ip or "0.0.0.0", "HostPort": str(chosen)})
    for port_proto in c.config.exposed_ports:
        plan.ports.setdefault(port_proto, None)


def _listen(host_ip: str, host_port: str, proto: str) -> tuple[socket.socket, int]:
    """Bind the host port ("" for one the kernel picks, "8000-8010" for the first free
    one of a range)."""
    if "-" in host_port:
        lo, hi = (int(x) for x in host_port.split("-"))
        for candidate in range(lo, hi + 1):
            try:
                return _listen_one(host_ip, str(candidate), proto)
            except PortInUse:
                continue
        raise PortInUse(f"Bind for {host_ip}:{host_port} failed: port is already allocated")
    return _listen_one(host_ip, host_port, proto)


def _listen_one(host_ip: str, host_port: str, proto: str) -> tuple[socket.socket, int]:
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    family = socket.AF_INET6 if ":" in host_ip else socket.AF_INET
    sock = socket.socket(family, kind | socket.SOCK_CLOEXEC)
    if kind == socket.SOCK_STREAM:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host_ip, int(host_port or 0)))
    except OSError as e:
        sock.close()
        if e.errno == errno.EACCES:
            port = int(host_port or 0)
            limit = unprivileged_port_start()
            raise PrivilegedPort(privileged_port(port, proto, host_ip, limit) or
                                 f"{_go_listen(proto, host_ip, port)}: bind: permission "
                                 "denied") from None
        if e.errno == errno.EADDRINUSE:
            raise PortInUse(f"Bind for {host_ip}:{host_port} failed: port is already "
                            "allocated") from None
        if e.errno == errno.EADDRNOTAVAIL:
            raise PortInUse(f"listen {proto} {host_ip}:{host_port}: bind: cannot assign "
                            "requested address") from None
        raise
    if kind == socket.SOCK_STREAM:
        sock.listen(128)
    return sock, sock.getsockname()[1]


def unprivileged_port_start() -> int | None:
    """The host's net.ipv4.ip_unprivileged_port_start: below it only a process with
    CAP_NET_BIND_SERVICE in the host's user namespace may bind, which a rootless
    engine never has (its proxies live in the host's network namespace)."""
    try:
        with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
            return int(f.read())
    except (OSError, ValueError):
        return None


def privileged_port(port: int, proto: str, host_ip: str, start: int | None) -> str | None:
    """Rootless Docker's words for a bind refused below the limit `start`: those of
    RootlessKit's port driver, without what names RootlessKit itself (there is none
    here): the "error while calling RootlessKit PortManager.AddPort(): " before them
    and "or set CAP_NET_BIND_SERVICE on rootlesskit binary", which RootlessKit too
    leaves out when the proxy is not its binary (under Podman). None when the port is
    not below the limit: then the limit is not why."""
    if start is None or not port or port >= start:   # 0: the kernel's choice
        return None
    return (f"cannot expose privileged port {port}, you can add "
            f"'net.ipv4.ip_unprivileged_port_start={port}' to /etc/sysctl.conf (currently "
            f"{start}), or choose a larger port number (>= {start}): "
            f"{_go_listen(proto, host_ip, port)}: bind: permission denied")


def _go_listen(proto: str, host_ip: str, port: int) -> str:
    """How Go's net.Listen names what it failed to listen on (tcp4 0.0.0.0:80)."""
    if ":" in host_ip:
        return f"listen {proto}6 [{host_ip}]:{port}"
    return f"listen {proto}4 {host_ip}:{port}"


# --- /etc/hosts and /etc/resolv.conf ---------------------------------------------------

def write_in_place(path, text: str) -> None:
    """Overwrite keeping the inode: the file is bind-mounted into the container."""
    with open(path, "r+" if os.path.exists(path) else "w") as f:
        f.seek(0)
        f.write(text)
        f.truncate()


def hosts_text(c, addresses: list[str], gateway: str | None, links=()) -> str:
    """Docker's order: localhost, --add-host, the gateway's name, the container's own
    addresses, then its legacy links' children (links.hosts_entries)."""
    lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback",
             "fe00::0\tip6-localnet", "ff00::0\tip6-mcastprefix",
             "ff02::1\tip6-allnodes", "ff02::2\tip6-allrouters"]
    for host in c.host.extra_hosts or ():
        name, _, ip = host.partition(":")
        lines.append(f"{ip}\t{name}")
    if gateway:
        lines.append(f"{gateway}\t{HOST_INTERNAL}")
    for ip in addresses:
        lines.append(f"{ip}\t{c.config.hostname}")
    lines += links
    return "\n".join(lines) + "\n"


def resolv_text(c, host_resolv: str, embedded: bool) -> str:
    if embedded:     # Docker's embedded DNS: it forwards what it cannot answer
        servers = "".join(f"# upstream: {s}\n" for s in c.host.dns)
        return f"{servers}nameserver {dns.ADDRESS}\noptions ndots:0\n"
    if c.host.dns:
        return "".join(f"nameserver {s}\n" for s in c.host.dns)
    return host_resolv


def _write_etc(engine, c, addresses: list[str], plan: Plan, host_network: bool = False) -> None:
    d = engine.paths.container(c.id)
    gateway = next((i[3] for i in plan.interfaces if i[3]), None)
    linked = ()
    if c.host.links and "bridge" in plan.networks:
        from ..containers import links
        linked = links.hosts_entries(engine, c)
    if host_network and not c.host.extra_hosts:     # Docker: a copy of the host's
        with open("/etc/hosts") as f:
            text = f.read()
    else:
        text = hosts_text(c, addresses, gateway, linked)
    write_in_place(d / "hosts", text)
    bridge = plan.networks.get("bridge")
    if bridge and (d / "linked-by").exists():     # containers linking to this one
        from ..containers import links
        links.refresh_parents(engine, c, bridge["IPAddress"])
    write_in_place(d / "resolv.conf", resolv_text(c, engine._resolv_conf(), plan.dns))


# --- after the process exists, and after it ends ------------------------------------------

def plug(run: str, endpoints: list[dict], pid: int, uplink: dict | None = None) -> None:
    """Make the container's veth pairs (Plan.endpoints) before it configures them:
    here, in one netlink request each, when their bridges are there; else (and for the
    `uplink` the starter asked for, which the helper runs) through the helper, which
    makes the bridges first."""
    if not endpoints:
        return
    from . import client, veth
    if not uplink:
        try:
            ns_fd = netns.open_ns(netns.pin_path(run))
        except FileNotFoundError:
            ns_fd = -1
        if ns_fd >= 0:
            try:
                veth.make(ns_fd, endpoints, pid)
                client.poke(run)
                return
            except veth.BridgeMissing:
                pass
            except OSError as e:
                from ..errors import System
                raise System(f"network setup failed: {e}") from None
            finally:
                os.close(ns_fd)
    client.call(run, "attach", pid=pid, endpoints=endpoints, uplink=uplink)


def use_embedded_dns(root: str, cid: str) -> None:
    """Point a running container's resolv.conf at 127.0.0.11 (it joined a user network)."""
    path = os.path.join(root, "containers", cid, "resolv.conf")
    try:
        with open(path) as f:
            if f"nameserver {dns.ADDRESS}" in f.read():
                return
    except FileNotFoundError:
        return
    write_in_place(path, f"nameserver {dns.ADDRESS}\noptions ndots:0\n")


def release(root: str, cid: str) -> None:
    """Give every address of container `cid` back (light: the slim monitor calls it)."""
    d = os.path.join(root, "networks")
    try:
        names = os.listdir(d)
    except FileNotFoundError:
        return
    store = NetworkStore(root)
    for n in names:
        if n.endswith(".json") and not n.startswith("."):
            try:
                with open(os.path.join(d, n), "rb") as f:
                    data = f.read()
                    if cid.encode() not in data:     # most networks: not a member
                        continue
            except FileNotFoundError:
                continue
            store.detach(n[:-5], cid)
            try:
                _event(root, "disconnect", json.loads(data), cid)
            except (ValueError, KeyError):
                pass


def _event(root: str, action: str, net: dict, cid: str) -> None:
    from ..system import events
    events.emit(root, "network", action, net["Id"],
                {"container": cid, "name": net["Name"], "type": net.get("Driver", "bridge")})


__all__ = ["prepare", "plug", "release", "Plan", "PortError", "PortInUse", "PrivilegedPort"]
