"""What a container is made of, read from the kernel and the store at the moment asked:
its processes (PIDs inside and on the host), namespaces (and whose they are), cgroup
limits and usage, the layers of its root file system and what its mounts hide, its
network, its monitor, its capabilities and seccomp filter. The shell draws these facts
(shell/xray.py); nothing here is a cached description.
"""
from __future__ import annotations

import contextlib
import os

from ..runtime import caps, cgroups

NAMESPACES = ("pid", "net", "mnt", "uts", "ipc", "cgroup", "user")
_j = os.path.join


def _read(path: str) -> str:
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def _inode(path: str) -> int:
    try:
        return os.stat(path).st_ino
    except OSError:
        return 0


def container(engine, ref: str) -> dict:
    c = engine.container(ref)
    running = c.state.running
    pids = engine.processes(c) if running else []
    return {
        "ID": c.id, "Name": c.name, "Image": c.config.image, "Status": c.state.status,
        "Processes": [_process(p) for p in pids],
        "Namespaces": _namespaces(engine, c) if running else [],
        "Cgroup": _cgroup(engine, c, pids),
        "RootFS": _rootfs(engine, c),
        "Network": _network(engine, c),
        "Monitor": {"PID": c.state.monitor_pid, "Log": str(engine.log_path(c.id)),
                    "RestartCount": c.state.restart_count},
        "Capabilities": _capabilities(c.state.pid) if running else None,
        "Seccomp": _seccomp(c.state.pid) if running else None,
        "MaskedPaths": _masked(c)[0], "ReadonlyPaths": _masked(c)[1],
    }


def _process(pid: int) -> dict:
    status = _read(f"/proc/{pid}/status")
    inner = next((l.split()[-1] for l in status.splitlines() if l.startswith("NSpid:")),
                 str(pid))
    argv = _read(f"/proc/{pid}/cmdline").split("\0")
    return {"HostPID": pid, "PID": int(inner), "Command": " ".join(a for a in argv if a)}


def _namespaces(engine, c) -> list[dict]:
    """Each namespace's inode beside the host's (this process's: dockerlings runs on
    the host), whose it is (the container named in --pid/--network container:NAME,
    the host's, the engine's, or its own) and which other containers share it."""
    mode = {"pid": c.host.pid_mode, "net": c.host.network_mode or ""}
    running = [o for o in engine.containers(all=False) if o.id != c.id and o.state.pid]
    engine_net = _inode(_j(str(engine.paths.run), "netns"))
    from ..runtime import userns
    rootless = userns.rootless()     # this process is in the engine's user namespace
    out = []
    for ns in NAMESPACES:
        mine = _inode(f"/proc/{c.state.pid}/ns/{ns}")
        host = _inode(f"/proc/self/ns/{ns}")
        sharing = [o for o in running if _inode(f"/proc/{o.state.pid}/ns/{ns}") == mine]
        joined = mode.get(ns, "")
        target = next((o for o in sharing if joined.startswith("container:") and
                       o.id == joined.split(":", 1)[1]), None)
        if mine == host and ns == "user" and rootless:
            owner = "the engine's (rootless: its root is you)"
        elif mine == host:
            owner = "the host's"
        elif ns == "net" and mine == engine_net:
            owner = "the engine's (Docker's VM)"
        elif target is not None:
            owner = f"{target.name}'s"
        else:
            owner = "its own"
        out.append({"Type": ns, "Inode": mine, "HostInode": host, "Owner": owner,
                    "SharedWith": [o.name for o in sharing if o is not target]
                    if mine != host else []})
    return out


def _cgroup(engine, c, pids: list[int]) -> dict:
    from ..containers import stats
    cg = cgroups.Cgroup(c.id, engine.cgroup_scope)
    h = c.host
    quota, period = h.cpu_quota, h.cpu_period
    if h.nano_cpus:
        quota, period = h.nano_cpus * 100000 // 1_000_000_000, 100000
    sample = stats.sample(engine, c)
    return {"Paths": [d for d in cg.all_dirs() if os.path.isdir(d)],
            "Memory": {"Usage": sample.memory, "Limit": h.memory or None,
                       "OOMKills": cg.oom_kills() if c.state.running else 0},
            "CPU": {"Shares": h.cpu_shares or None, "Quota": quota or None,
                    "Period": period or (100000 if quota else None),
                    "UsageNs": sample.cpu_ns},
            "PIDs": {"Current": sample.pids, "Max": h.pids_limit or None}}


def _rootfs(engine, c) -> dict:
    """The overlay: lower layers bottom first with the step that made each, the
    container's upper layer, and its mounts with the image files each one hides."""
    from ..util.fsutil import dir_size
    steps = []
    try:
        history = engine.get_image(c.image_id).config.get("history") or []
        steps = [h.get("created_by", "") for h in history if not h.get("empty_layer")]
    except Exception:      # the image was removed: its layers stay, the steps are gone
        steps = []
    layers = []
    for i, chain in enumerate(c.layers):
        size = engine.layers.get(chain).size if engine.layers.exists(chain) else 0
        layers.append({"Layer": chain, "Size": size,
                       "CreatedBy": steps[i] if i < len(steps) else ""})
    upper = engine.paths.container(c.id) / "upper"
    changes = sum(len(files) + len(dirs) for _, dirs, files in os.walk(upper))
    mounts = []
    for m in c.mounts:
        dest = m.get("Destination", "")
        mounts.append({"Type": m.get("Type", ""), "Source": m.get("Name") or m.get("Source", ""),
                       "Destination": dest, "Hides": _hidden(engine, c, dest)})
    return {"Layers": layers, "Upper": {"Path": str(upper), "Size": dir_size(upper),
                                        "Changes": changes}, "Mounts": mounts}


def _hidden(engine, c, dest: str) -> list[str]:
    """The image's files at `dest` that a mount there hides (from the topmost layer
    that has the folder)."""
    rel = dest.lstrip("/")
    for chain in reversed(c.layers):
        if not engine.layers.exists(chain):
            continue
        d = _j(str(engine.layers.diff_dir(chain)), rel)
        if os.path.isdir(d) and not os.path.islink(d):
            return sorted(os.listdir(d))
        if os.path.lexists(d):
            return [os.path.basename(rel)]
    return []


def _network(engine, c) -> dict:
    from ..network.store import NetworkStore
    live = (c.state.network or {}).get("Networks") or {}
    store = NetworkStore(str(engine.paths.root))
    interfaces = []
    for i, (name, settings) in enumerate(live.items()):
        net = store.find(name) or {}
        interfaces.append({"Interface": f"eth{i}", "Network": name,
                           "Bridge": net.get("Bridge", ""),
                           "Address": f"{settings.get('IPAddress')}/{settings.get('IPPrefixLen')}",
                           "Gateway": settings.get("Gateway", ""),
                           "MacAddress": settings.get("MacAddress", "")})
    resolv = _read(str(engine.paths.container(c.id) / "resolv.conf"))
    dns = [l.split()[1] for l in resolv.splitlines() if l.startswith("nameserver ")]
    if interfaces and c.state.running:
        _veth_ends(engine, c.state.pid, interfaces)
    ports = (c.state.network or {}).get("Ports") or {}
    published = [f"{b['HostIp']}:{b['HostPort']} -> {port}" for port, bs in ports.items()
                 for b in (bs or ())]
    proxies = []
    for port, bs in ports.items():
        for b in bs or ():
            owner = _listener_owner(int(b["HostPort"]), port.partition("/")[2] or "tcp",
                                    c.state.monitor_pid)
            proxies.append({"Port": f"{b['HostIp']}:{b['HostPort']}", "Target": port,
                            "ProxyPID": owner})
    return {"Mode": c.host.network_mode or "bridge", "Interfaces": interfaces, "DNS": dns,
            "Ports": published, "Proxies": proxies}


def _veth_ends(engine, pid: int, interfaces: list[dict]) -> None:
    """Name each interface's other end: the veth in the engine's namespace, found by
    the peer index the container's own sysfs reports (iflink)."""
    peers = {}
    for i in interfaces:
        text = _read(f"/proc/{pid}/root/sys/class/net/{i['Interface']}/iflink").strip()
        if text.isdigit():
            peers[i["Interface"]] = int(text)
    if not peers:
        return
    try:
        with _engine_netlink(engine) as (_, ipr):
            names = {l["index"]: l.get_attr("IFLA_IFNAME") for l in ipr.get_links()}
    except OSError:
        return
    for i in interfaces:
        i["HostVeth"] = names.get(peers.get(i["Interface"]), "")


@contextlib.contextmanager
def _engine_netlink(engine):
    """(the engine's network namespace fd, a netlink socket inside it), both closed
    afterwards; OSError when the engine has no namespace yet."""
    from pyroute2 import IPRoute
    from ..network import netns
    fd = netns.open_ns(netns.pin_path(str(engine.paths.run)))
    try:
        with netns.iproute(fd, IPRoute) as ipr:
            yield fd, ipr
    finally:
        os.close(fd)


def _listener_owner(port: int, proto: str, monitor_pid: int) -> int:
    """The pid holding the host socket that listens on `port` (the container's monitor,
    which proxies it into the engine's namespace), or 0."""
    inodes = set()
    for table in (f"/proc/net/{proto}", f"/proc/net/{proto}6"):
        for line in _read(table).splitlines()[1:]:
            f = line.split()
            if len(f) > 9 and int(f[1].rsplit(":", 1)[1], 16) == port and \
                    (proto != "tcp" or f[3] == "0A"):
                inodes.add(f[9])
    for pid in [monitor_pid] if monitor_pid else []:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return pid
        except OSError:
            pass
    return 0


def _capabilities(pid: int) -> dict:
    status = _read(f"/proc/{pid}/status")
    eff = next((int(l.split()[1], 16) for l in status.splitlines()
                if l.startswith("CapEff:")), 0)
    names = [n for i, n in enumerate(caps.NAMES) if eff >> i & 1]
    return {"Effective": names, "Count": len(names),
            "DockerDefault": sorted(names) == sorted(caps.DOCKER_DEFAULT)}


def _seccomp(pid: int) -> str:
    mode = next((l.split()[1] for l in _read(f"/proc/{pid}/status").splitlines()
                 if l.startswith("Seccomp:")), "0")
    return {"0": "off", "1": "strict", "2": "filter"}.get(mode, mode)


def _masked(c) -> tuple[list[str], list[str]]:
    from ..runtime.rootfs import MASKED_PATHS, READONLY_PATHS
    if c.host.privileged:
        return [], []
    return list(MASKED_PATHS), list(READONLY_PATHS)


# --- images --------------------------------------------------------------------------

def image(engine, ref: str) -> dict:
    """An image's layers bottom first: size, the step that made each, what it added,
    changed and removed against the layers below, and the containers stacked on it."""
    img = engine.get_image(ref)
    history = img.config.get("history") or []
    steps = [h.get("created_by", "") for h in history if not h.get("empty_layer")]
    users: dict[str, list[str]] = {}
    for c in engine.containers(all=True):
        for chain in c.layers:
            users.setdefault(chain, []).append(c.name)
    below: list[str] = []
    layers = []
    for i, chain in enumerate(img.layers):
        d = str(engine.layers.diff_dir(chain)) if engine.layers.exists(chain) else ""
        added, changed, removed = _layer_changes(d, below) if d else ([], [], [])
        layers.append({"Layer": chain, "DiffID": img.diff_ids[i] if i < len(img.diff_ids)
                       else "", "Size": engine.layers.get(chain).size if d else 0,
                       "CreatedBy": steps[i] if i < len(steps) else "",
                       "Added": len(added), "Changed": len(changed), "Removed": len(removed),
                       "Examples": (added + changed + removed)[:5],
                       "UsedBy": users.get(chain, [])})
        if d:
            below.append(d)
    return {"ID": img.id, "Tags": img.repo_tags, "Size": img.size, "Layers": layers}


def _layer_changes(d: str, below: list[str]) -> tuple[list, list, list]:
    """Paths a layer adds, changes (present below it) and removes (its whiteouts)."""
    added, changed, removed = [], [], []
    for dirpath, dirs, files in os.walk(d):
        rel_dir = os.path.relpath(dirpath, d)
        for name in files + [x for x in dirs if os.path.islink(_j(dirpath, x))]:
            rel = os.path.normpath(_j(rel_dir, name))
            if name.startswith(".wh."):          # an OCI whiteout
                removed.append("/" + os.path.normpath(_j(rel_dir, name[4:])).lstrip("./"))
            elif _overlay_whiteout(_j(dirpath, name)):   # overlay's: a 0/0 device
                removed.append("/" + rel)
            elif any(os.path.lexists(_j(b, rel)) for b in below):
                changed.append("/" + rel)
            else:
                added.append("/" + rel)
    return added, changed, removed


def _overlay_whiteout(path: str) -> bool:
    import stat
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == 0


# --- networks ------------------------------------------------------------------------

def network(engine, ref: str) -> dict:
    """A network's record (subnet, gateway, members) and, from the engine's network
    namespace, its Linux bridge: state, addresses, the veth ends plugged into it and
    the routes through it."""
    net = engine.network(ref)
    members = [{"Container": ep.get("Name", ""), "ID": cid,
                "Address": ep.get("IPv4Address", ""), "MacAddress": ep.get("MacAddress", "")}
               for cid, ep in (net.get("Containers") or {}).items()]
    return {"ID": net["Id"], "Name": net["Name"], "Driver": net.get("Driver", ""),
            "Subnet": net.get("Subnet", ""), "Gateway": net.get("Gateway", ""),
            "Internal": bool(net.get("Internal")), "Bridge": net.get("Bridge", ""),
            "Members": members, "Kernel": _bridge_facts(engine, net.get("Bridge", ""))}


def _bridge_facts(engine, bridge: str) -> dict | None:
    """The bridge as the kernel has it (None: no bridge, or no engine namespace yet)."""
    if not bridge:
        return None
    try:
        with _engine_netlink(engine) as (fd, ipr):
            found = ipr.link_lookup(ifname=bridge)
            if not found:
                return None
            index = found[0]
            link = ipr.get_links(index)[0]
            ports = [{"Name": l.get_attr("IFLA_IFNAME"),
                      "State": l.get_attr("IFLA_OPERSTATE")}
                     for l in ipr.get_links() if l.get_attr("IFLA_MASTER") == index]
            addresses = [f"{a.get_attr('IFA_ADDRESS')}/{a['prefixlen']}"
                         for a in ipr.get_addr(index=index, family=2)]
            routes = [f"{r.get_attr('RTA_DST')}/{r['dst_len']}"
                      for r in ipr.get_routes(family=2, oif=index, table=254)
                      if r.get_attr("RTA_DST")]
            facts = {"Index": index, "State": link.get_attr("IFLA_OPERSTATE"),
                     "Addresses": addresses, "Ports": ports, "Routes": routes}
            facts.update(_filtering(fd))
            return facts
    except OSError:
        return None


def _filtering(fd: int) -> dict:
    """What decides whether packets cross between bridges or leave: IPv4 forwarding in
    the engine's namespace (off unless the uplink is on) and its nftables rules."""
    from ..network import netns, uplink
    try:
        forwarding = netns.inside(fd, _read_forwarding)
    except OSError:
        forwarding = None
    return {"Forwarding": forwarding, "Rules": uplink.list_rules(fd)}


def _read_forwarding() -> bool:
    with open("/proc/sys/net/ipv4/ip_forward") as f:
        return f.read().strip() == "1"


# --- the engine ----------------------------------------------------------------------

def engine_facts(engine) -> dict:
    """The engine's network namespace ("Docker's VM" here): its interfaces, addresses
    and routes through netlink, and the one kernel every container shares."""
    running = engine.containers(all=False)
    facts = {"Root": str(engine.paths.root), "Kernel": os.uname().release,
             "Containers": len(running), "Namespace": None}
    try:
        with _engine_netlink(engine) as (fd, ipr):
            names = {l["index"]: l.get_attr("IFLA_IFNAME") for l in ipr.get_links()}
            links = []
            for l in ipr.get_links():
                links.append({"Name": l.get_attr("IFLA_IFNAME"),
                              "State": l.get_attr("IFLA_OPERSTATE"),
                              "Master": names.get(l.get_attr("IFLA_MASTER"), ""),
                              "Addresses": [f"{a.get_attr('IFA_ADDRESS')}/{a['prefixlen']}"
                                            for a in ipr.get_addr(index=l["index"],
                                                                  family=2)]})
            routes = []
            for r in ipr.get_routes(family=2, table=254):
                dst = r.get_attr("RTA_DST")
                routes.append({"Destination": f"{dst}/{r['dst_len']}" if dst else "default",
                               "Gateway": r.get_attr("RTA_GATEWAY") or "",
                               "Device": names.get(r.get_attr("RTA_OIF"), "")})
            facts["Namespace"] = {"Inode": os.fstat(fd).st_ino, "Interfaces": links,
                                  "Routes": routes, **_filtering(fd)}
    except OSError:
        pass
    return facts
