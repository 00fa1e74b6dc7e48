"""`xray CONTAINER`: what a container is made of (engine/system/xray.py's facts), drawn in
plain lines that fit 80 columns, or as JSON with --format json."""
from __future__ import annotations

import json
import textwrap

from .render.units import bytes_size, ellipsis, human_size

USAGE = "Usage:  xray [image|network] NAME | xray engine  [--format json]"


def run(env, args: list[str]) -> int:
    from engine.system import xray
    from engine.errors import EngineError
    fmt = None
    if "--format" in args:
        i = args.index("--format")
        fmt = args[i + 1] if i + 1 < len(args) else ""
        args = args[:i] + args[i + 2:]
    if args == ["engine"]:
        facts = xray.engine_facts(env.engine)
        if fmt == "json":
            env.out(json.dumps(facts, indent=2))
        else:
            text = engine_lines(facts)
            env.out(tree(text, min(env.columns, 120), not env.environ.get("NO_COLOR"))
                    if env.stdout_tty else plain(text))
        return 0
    kind = args[0] if len(args) == 2 and args[0] in ("image", "network") else "container"
    if len(args) != (1 if kind == "container" else 2) or fmt not in (None, "json"):
        env.err(USAGE)
        return 2
    gather, draw = {"container": (xray.container, lines), "image": (xray.image, image_lines),
                    "network": (xray.network, network_lines)}[kind]
    try:
        facts = gather(env.engine, args[-1])
    except EngineError as e:
        env.err(f"xray: {e}")
        return 1
    if fmt == "json":
        env.out(json.dumps(facts, indent=2))
    elif env.stdout_tty:
        env.out(tree(draw(facts), min(env.columns, 120),
                     not env.environ.get("NO_COLOR")))
    else:
        env.out(plain(draw(facts)))
    return 0


def tree(lines: list[str], width: int, color: bool) -> str:
    """The lines as a rich tree on a terminal: a line indented deeper than the one
    before hangs under it; the sections in bold."""
    from rich.console import Console
    from rich.text import Text
    from rich.tree import Tree
    joined: list[str] = []
    for line in lines:
        if line.startswith(MORE) and joined:
            joined[-1] += " " + line.strip(MORE + " ")
        else:
            joined.append(line)
    root = Tree(Text(joined[0], style="bold"))
    stack = [(-1, root)]
    for line in joined[1:]:
        depth = len(line) - len(line.lstrip(" "))
        while stack[-1][0] >= depth:
            stack.pop()
        node = stack[-1][1].add(Text(line.strip(), style="bold" if depth == 0 else ""))
        stack.append((depth, node))
    console = Console(width=width, no_color=not color, force_terminal=color,
                      color_system="standard" if color else None, highlight=False)
    with console.capture() as cap:
        console.print(root)
    return cap.get().rstrip("\n")


def image_lines(f: dict) -> list[str]:
    out = [f"image {f['ID'][7:19]} ({', '.join(f['Tags']) or 'untagged'}), "
           f"{human_size(f['Size'])} in {len(f['Layers'])} layer(s), bottom first"]
    for i, l in enumerate(f["Layers"], 1):
        out.append(ellipsis(f"  layer {i} {human_size(l['Size']):>7}  {l['CreatedBy']}", 80))
        out.append(f"    {l['Layer'][7:19]}: adds {l['Added']}, changes {l['Changed']}, "
                   f"removes {l['Removed']} file(s)")
        if l["Examples"]:
            out += _wrap("    for example: ", ", ".join(l["Examples"]))
        out += _wrap("    used by: ", ", ".join(l["UsedBy"]) or "no container")
    return out


def network_lines(f: dict) -> list[str]:
    kind = "internal, " if f["Internal"] else ""
    out = [f"network {f['Name']} ({f['ID'][:12]}), {f['Driver']}, {kind}subnet "
           f"{f['Subnet'] or '-'}, gateway {f['Gateway'] or '-'}"]
    k = f["Kernel"]
    if f["Bridge"]:
        if k is None:
            out.append(f"  Linux bridge {f['Bridge']}: none yet (made when a container "
                       "starts on it)")
        else:
            out.append(f"  Linux bridge {f['Bridge']} in the engine's network namespace: "
                       f"{k['State']}, {' '.join(k['Addresses']) or 'no address'}")
            out += [f"    port {p['Name']} {p['State']}" for p in k["Ports"]]
            out += [f"    route {r} via {f['Bridge']}" for r in k["Routes"]]
            out += _filtering_lines(k, "    ")
    out.append("  members" + ("" if f["Members"] else ": none"))
    out += [f"    {m['Container']:<20} {m['Address']:<18} {m['MacAddress']}"
            for m in f["Members"]]
    return out


MORE = "\0"       # marks a wrapped line's continuation: the tree joins it back


def _wrap(head: str, text: str) -> list[str]:
    first, *rest = textwrap.wrap(text, 80, initial_indent=head,
                                 subsequent_indent=" " * len(head)) or [head.rstrip()]
    return [first] + [MORE + line for line in rest]


def plain(lines: list[str]) -> str:
    return "\n".join(line.lstrip(MORE) for line in lines)


def lines(f: dict) -> list[str]:
    out = [f"{f['Name']} ({f['ID'][:12]}), from {f['Image']}, {f['Status']}"]
    out.append("Processes (PID inside, PID on the host, command)")
    out += [f"  {p['PID']:<6} {p['HostPID']:<8} {p['Command']}"[:80] for p in f["Processes"]]
    if not f["Processes"]:
        out.append("  none: it is not running")
    if f["Namespaces"]:
        out.append("Namespaces (inode, whose; the host's inode)")
        for n in f["Namespaces"]:
            shared = f", shared with {', '.join(n['SharedWith'])}" if n["SharedWith"] else ""
            out.append(f"  {n['Type']:<7} {n['Inode']:<11} {n['Owner'] + shared:<40} "
                       f"{n['HostInode']}"[:80])
    out += _cgroup(f["Cgroup"])
    out += _rootfs(f["RootFS"])
    out += _network(f["Network"])
    m = f["Monitor"]
    out.append(f"Monitor  pid {m['PID'] or '-'}, restarts {m['RestartCount']}")
    out.append(f"  log  {m['Log']}")
    c = f["Capabilities"]
    if c:
        kind = "Docker's default 14" if c["DockerDefault"] else f"{c['Count']}"
        out += _wrap(f"Capabilities ({kind}): ", ", ".join(c["Effective"]) or "none")
    if f["Seccomp"]:
        out.append(f"Seccomp  {f['Seccomp']}")
    out += _wrap("Masked paths: ", " ".join(f["MaskedPaths"]) or "none (privileged)")
    out += _wrap("Read-only paths: ", " ".join(f["ReadonlyPaths"]) or "none (privileged)")
    return out


def _cgroup(g: dict) -> list[str]:
    out = ["Cgroup"] + [f"  {p}" for p in g["Paths"]]
    mem, cpu, pids = g["Memory"], g["CPU"], g["PIDs"]
    limit = bytes_size(mem["Limit"]) if mem["Limit"] else "no limit"
    out.append(f"  memory  {bytes_size(mem['Usage'])} used of {limit}, "
               f"OOM kills {mem['OOMKills']}")
    quota = f"{cpu['Quota']}/{cpu['Period']} us" if cpu["Quota"] else "no quota"
    out.append(f"  cpu     shares {cpu['Shares'] or 'default (1024)'}, {quota}, "
               f"used {cpu['UsageNs'] / 1e9:.2f} s")
    out.append(f"  pids    {pids['Current']} of {pids['Max'] or 'no limit'}")
    return out


def _rootfs(r: dict) -> list[str]:
    out = ["Root file system (overlay: image layers below, its own layer on top)"]
    for i, layer in enumerate(r["Layers"], 1):
        out.append(ellipsis(f"  layer {i} {human_size(layer['Size']):>7}  "
                            f"{layer['CreatedBy'] or layer['Layer'][:19]}", 80))
    u = r["Upper"]
    out.append(f"  upper   {human_size(u['Size']):>7}  {u['Changes']} entries changed")
    for m in r["Mounts"]:
        hides = ", ".join(m["Hides"][:8]) + (" ..." if len(m["Hides"]) > 8 else "")
        out += _wrap(f"  mount   {m['Type']} {m['Source']} on {m['Destination']}",
                     f" hides the image's: {hides}" if hides else "")
    return out


def _network(n: dict) -> list[str]:
    out = [f"Network ({n['Mode']})"]
    for i in n["Interfaces"]:
        out.append(f"  {i['Interface']}  {i['Address']} on {i['Network']}, gateway "
                   f"{i['Gateway'] or 'none'}")
        veth = f"veth pair: {i['Interface']} here, {i['HostVeth']} on" if i.get("HostVeth") \
            else "plugged into"
        out.append(f"        {veth} bridge {i['Bridge']} (engine's namespace)")
    if n["DNS"]:
        out.append("  DNS   " + " ".join(n["DNS"]))
    for p in n.get("Proxies", ()):
        by = f"proxied by its monitor (pid {p['ProxyPID']})" if p["ProxyPID"] else "no proxy"
        out.append(f"  port  {p['Port']} -> {p['Target']}, {by}")
    return out


def engine_lines(f: dict) -> list[str]:
    out = [f"engine at {f['Root']}", f"  {f['Containers']} running container(s), all on "
           f"one kernel: this machine's, Linux {f['Kernel']}"]
    ns = f["Namespace"]
    if ns is None:
        out.append("  no network namespace yet: it is made with the first container on a "
                   "network")
        return out
    out += _wrap("  ", "Its network namespace plays the part of Docker Desktop's VM: the "
                 "bridges, veths and routes below exist only there, never on this "
                 "machine's own network (dockerlings engine shell opens a shell in it).")
    out.append(f"  namespace inode {ns['Inode']}")
    for i in ns["Interfaces"]:
        master = f" on {i['Master']}" if i["Master"] else ""
        out.append(f"  {i['Name']:<16} {i['State']:<8} {' '.join(i['Addresses'])}{master}")
    for r in ns["Routes"]:
        via = f" via {r['Gateway']}" if r["Gateway"] else ""
        out.append(f"  route {r['Destination']}{via} dev {r['Device']}")
    out += _filtering_lines(ns, "  ")
    return out


def _filtering_lines(k: dict, indent: str) -> list[str]:
    """Forwarding and NAT in the engine's namespace, in words, then the rules as nft
    prints them."""
    out = []
    if k.get("Forwarding") is not None:
        out += _wrap(indent, "forwarding on, for the uplink: the rules below route "
                     "packets only out through it and its replies back, never from one "
                     "bridge to another" if k["Forwarding"] else
                     "forwarding off: nothing is routed between bridges or out of the "
                     "engine, so containers on different networks cannot reach each other "
                     "and none reaches the internet")
    rules = k.get("Rules")
    if rules is None:
        out.append(f"{indent}nftables rules: nft is not installed, so none can be shown")
    elif not rules:
        out.append(f"{indent}nftables rules: none (no NAT: published ports are proxies in "
                   "userspace)")
    else:
        out.append(f"{indent}nftables rules (nft list ruleset):")
        out += [f"{indent}  {line}" for line in rules.splitlines()]
    return out
