"""Network operations with Docker's rules: the networks a new container asks for, and
network create / rm / prune / connect / disconnect, and `docker port`."""
from __future__ import annotations

from ..errors import Conflict, ContainerNotRunning, InvalidParameter, NoSuchContainer
from ..runtime import syscalls as sc
from ..store import lock
from . import client, endpoints
from .store import BRIDGE, HOST, NONE, NetworkError, NetworkStore


def _store(engine) -> NetworkStore:
    return NetworkStore(str(engine.paths.root))


def requested(engine, mode: str, aliases: list[str] | None, ip: str | None) -> tuple[str, dict]:
    """(network mode to record, the container's Networks) for `--network MODE`, with
    Docker's refusals for options that only user-defined networks take."""
    mode = mode or BRIDGE
    if mode.startswith("container:"):
        if aliases or ip:
            raise InvalidParameter("conflicting options: network-scoped aliases and IP "
                                   "addresses cannot be used with --network container:")
        target = engine.container(mode.split(":", 1)[1])
        return f"container:{target.id}", {}
    net = _store(engine).get(mode)
    user_defined = net["Name"] not in (BRIDGE, HOST, NONE)
    if ip and not user_defined:
        raise InvalidParameter("user specified IP address is supported on user defined "
                               "networks only")
    if aliases and not user_defined:
        raise InvalidParameter("network-scoped alias is supported only for containers in "
                               "user defined networks")
    return net["Name"], {net["Name"]: _settings(net, aliases, ip)}


def hostname(engine, mode: str, asked: str) -> str | None:
    """The hostname a network mode gives a container when it asks for none (Docker's
    create and start): on the host's network, the host's name; in another container's
    namespace, that one's, and asking for one there is a conflict. None: its ID."""
    if mode.startswith("container:"):
        if asked:
            raise InvalidParameter("conflicting options: hostname and the network mode")
        return engine.container(mode.split(":", 1)[1]).config.hostname
    if mode == HOST and not asked:
        import os
        return os.uname().nodename
    return None


def _settings(net: dict, aliases, ip) -> dict:
    return {"IPAMConfig": {"IPv4Address": ip} if ip else None, "Links": None,
            "Aliases": list(aliases) if aliases else None, "NetworkID": net["Id"]}


# --- networks --------------------------------------------------------------------------

def create(engine, name: str, **options) -> dict:
    return _store(engine).create(name, **options)


def remove(engine, ref: str) -> dict:
    store = _store(engine)
    net = store.get(ref)
    store.remove(net)
    if net.get("Bridge") and client.running(str(engine.paths.run)):
        client.call(str(engine.paths.run), "remove_bridge", name=net["Bridge"])
    return net


def prune(engine) -> list[str]:
    removed = []
    for net in _store(engine).all():
        if net["Name"] in (BRIDGE, HOST, NONE) or net["Containers"] or _wanted(engine, net):
            continue
        remove(engine, net["Id"])
        removed.append(net["Name"])
    return removed


def _wanted(engine, net: dict) -> bool:
    """A stopped container that will join the network at its next start keeps it."""
    return any(net["Id"] == s.get("NetworkID") for c in engine.containers(all=True)
               for s in c.networks.values())


# --- connect and disconnect ------------------------------------------------------------------

def connect(engine, net_ref: str, container_ref: str, ip: str | None = None,
            aliases: list[str] | None = None) -> None:
    store = _store(engine)
    net = store.get(net_ref)
    c = engine.container(container_ref)
    mode = c.host.network_mode
    if net["Name"] in (HOST, NONE) or mode in (HOST, NONE):
        raise InvalidParameter("container cannot be disconnected from host network or "
                               "connected to host network" if HOST in (net["Name"], mode) else
                               "container cannot be connected to multiple networks with one "
                               "of the networks in private (none) mode")
    if mode.startswith("container:"):
        raise InvalidParameter("container sharing network namespace with another container "
                               "or host cannot be connected to any other network")
    if net["Name"] in c.networks:
        raise Conflict(f"endpoint with name {c.name} already exists in network "
                       f"{net['Name']}")
    if ip and net["Name"] == BRIDGE:
        raise InvalidParameter("user specified IP address is supported on user defined "
                               "networks only")
    with lock.locked(engine.paths.lock):
        fresh = engine.load_quiet(c.id)
        if fresh is None:                  # removed meanwhile
            raise NoSuchContainer(container_ref)
        fresh.networks[net["Name"]] = _settings(net, aliases, ip)
        engine.store.save(fresh)
    if c.state.running:
        _plug_running(engine, c, container_ref, net, ip, aliases)


def _plug_running(engine, c, ref: str, net: dict, ip, aliases) -> None:
    """Give a running container one more interface, and names on that network.

    All under the engine lock, checking first that its process still lives: its
    monitor gives the addresses back (endpoints.release, under the same lock) only
    after the process ended, so an address taken here is either plugged or given back,
    never left behind by a `rm -f` racing this."""
    store = _store(engine)
    run = str(engine.paths.run)
    with lock.locked(engine.paths.lock):
        fresh = engine.load_quiet(c.id)
        if fresh is None:
            raise NoSuchContainer(ref)
        if not _process_lives(fresh):
            return              # it stopped meanwhile: it joins at its next start
        pid = fresh.state.pid
        ep = store.attach(net, c.id, c.name, ip, aliases)
        address, prefix = ep["IPv4Address"].split("/")
        ifname = f"eth{len((fresh.state.network or {}).get('Networks') or {})}"
        try:
            client.call(run, "attach", pid=pid, endpoints=[{
                "bridge": net["Bridge"], "ifname": ifname, "mac": ep["MacAddress"],
                "bridge_address": net["Gateway"], "prefix": int(prefix),
                "internal": bool(net.get("Internal"))}])
            client.call(run, "configure", pid=pid, ifname=ifname, address=address,
                        prefix=int(prefix))
        except client.ProcessGone:
            store.detach(net["Id"], c.id)
            if engine.load_quiet(c.id) is None:
                raise NoSuchContainer(ref) from None
            raise ContainerNotRunning(f"container {c.id} is not running") from None
        except BaseException:
            store.detach(net["Id"], c.id)
            raise
        runtime = {"NetworkID": net["Id"], "EndpointID": ep["EndpointID"],
                   "Gateway": net["Gateway"], "IPAddress": address, "IPPrefixLen": int(prefix),
                   "MacAddress": ep["MacAddress"], "Aliases": ep.get("Aliases") or [],
                   "DNSNames": [c.name, *(aliases or []), c.id[:12]]}
        _update_runtime(engine, c.id, lambda nets: nets.__setitem__(net["Name"], runtime))
    if not net.get("DefaultBridge"):
        try:
            engine.connect(c, {"op": "open_dns"}).close()
        except (ContainerNotRunning, NoSuchContainer):
            pass                # it ended meanwhile; its monitor gave the address back


def _process_lives(c) -> bool:
    """Whether the container's process is there: running by its record, and its pid
    still a child of its monitor (not a number reused by some other process)."""
    if not c.state.running or not c.state.pid:
        return False
    return sc.parent_pid(c.state.pid) == c.state.monitor_pid


def disconnect(engine, net_ref: str, container_ref: str, force: bool = False) -> None:
    store = _store(engine)
    net = store.get(net_ref)
    try:
        c = engine.container(container_ref)
    except NoSuchContainer:
        # -f on a container that is gone drops its endpoint still (moby's
        # ForceEndpointDelete), so an address left behind can be freed by hand
        if force and _drop_endpoint(store, net, container_ref):
            return
        raise
    if net["Name"] not in c.networks:
        raise Conflict(f"container {c.id} is not connected to network {net['Name']}")
    if c.state.running and net["Name"] not in (HOST, NONE):
        runtime = ((c.state.network or {}).get("Networks") or {}).get(net["Name"])
        names = list(((c.state.network or {}).get("Networks") or {}))
        if runtime is not None:
            ifname = f"eth{names.index(net['Name'])}"
            try:
                client.call(str(engine.paths.run), "detach", pid=c.state.pid, ifname=ifname)
            except client.ProcessGone:
                pass            # it ended meanwhile: its interfaces went with it
        store.detach(net["Id"], c.id)
        _update_runtime(engine, c.id, lambda nets: nets.pop(net["Name"], None))
    with lock.locked(engine.paths.lock):
        fresh = engine.container(c.id)
        fresh.networks.pop(net["Name"], None)
        engine.store.save(fresh)


def _drop_endpoint(store: NetworkStore, net: dict, ref: str) -> bool:
    """Remove the endpoint on `net` named `ref` (or of the container ID `ref`)."""
    for cid, ep in net["Containers"].items():
        if ep.get("Name") == ref or cid == ref:
            store.detach(net["Id"], cid)
            return True
    return False


def _update_runtime(engine, cid: str, change) -> None:
    with lock.locked(engine.paths.lock):
        c = engine.store.load(cid)
        network = c.state.network or {"Networks": {}, "Ports": {}}
        change(network.setdefault("Networks", {}))
        c.state.network = network
        engine.store.save_state(c)


# --- host ports shared with containers (host.docker.internal) -----------------------------

def host_shares(engine) -> list[int]:
    from . import shares
    return sorted(shares.read(str(engine.paths.run)))


def host_share(engine, text: str, share: bool = True) -> list[int]:
    from . import shares
    port = _host_port(text)
    run = str(engine.paths.run)
    with lock.locked(engine.paths.lock):
        if share:
            _refuse_published(engine, port)
        now = shares.read(run)
        now = now | {port} if share else now - {port}
        shares.write(run, now)
    if client.running(run):          # else the helper reads the file when it starts
        client.call(run, "shares")
    return sorted(now)


def _host_port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise InvalidParameter(f"invalid port {text!r}: a host port is a number from 1 "
                               "to 65535")
    return int(text)


def _refuse_published(engine, port: int) -> None:
    """A port the engine itself publishes belongs to a container: never shared."""
    for c in engine.containers(all=False):
        for bindings in ((c.state.network or {}).get("Ports") or {}).values():
            if any(b.get("HostPort") == str(port) for b in bindings or ()):
                raise Conflict(f"port {port} is published by container {c.name}: it is the "
                               "engine's own, and never shared",
                               hint=f"another container reaches {c.name} directly, on a "
                                    "network they share (docker network create, --network)")


# --- ports -------------------------------------------------------------------------------------

def ports(engine, container_ref: str, private: str | None = None) -> list[tuple[str, str]]:
    """[("80/tcp", "0.0.0.0:8080"), ...] as `docker port` lists them."""
    c = engine.container(container_ref)
    published = (c.state.network or {}).get("Ports") or {}
    if private:
        port, _, proto = private.partition("/")
        key = f"{port}/{proto or 'tcp'}"
        bindings = published.get(key)
        if not bindings:
            raise InvalidParameter(f"No public port '{key}' published for {container_ref}")
        return [(key, f"{b['HostIp']}:{b['HostPort']}") for b in bindings]
    out = []
    for key, bindings in sorted(published.items(), key=lambda kv: _port_order(kv[0])):
        for b in bindings or ():
            out.append((key, f"{b['HostIp']}:{b['HostPort']}"))
    return out


def _port_order(key: str):
    port, _, proto = key.partition("/")
    return (int(port), proto)


__all__ = ["requested", "create", "remove", "prune", "connect", "disconnect", "ports",
           "NetworkError", "NoSuchContainer", "endpoints"]
