"""docker compose ps, logs, port, top, images and ls: what the engine holds for a
project, in Compose's columns."""
from __future__ import annotations

import threading

from . import model
from .containers import labels_of, number_of, project_containers
from .loader import ComposeError
from .model import Project


class ServiceRow:
    """A row of `docker compose ps`: the container's row plus its service."""
    DEFAULT = ("table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t"
               "{{.Status}}\t{{.Ports}}")


def ps(env, project: Project, inv) -> int:
    from ..commands.containers import _image_text, render_rows
    from ..render import views
    eng = env.engine
    # -a adds the stopped containers and those of `compose run`, as Compose's does
    containers = project_containers(eng, project, inv.args or None,
                                    oneoff=None if inv.all else False)
    if not inv.all:
        containers = [c for c in containers if c.state.running]
    if inv.services:
        env.out("\n".join(dict.fromkeys(labels_of(c)[model.SERVICE] for c in containers)))
        return 0
    if inv.quiet:
        for c in containers:
            env.out(c.id)
        return 0

    class Row(views.ContainerRow):
        HEADERS = {**views.ContainerRow.HEADERS, "Name": "NAME", "Service": "SERVICE"}

        def __init__(self, c):
            super().__init__(c, _image_text(eng, c, True), True, ports=views.ports_text(c))
            self.Name = c.name
            self.Service = labels_of(c).get(model.SERVICE, "")
            self.Project = project.name

        def __json__(self):
            return {**super().__json__(), "Name": self.Name, "Service": self.Service,
                    "Project": self.Project}
    rows = [Row(c) for c in containers]
    if inv.format == "json":
        import json
        for r in rows:
            env.out(json.dumps(r.__json__(), separators=(",", ":")))
        return 0
    fmt = ServiceRow.DEFAULT if inv.format == "table" else inv.format
    out = render_rows(fmt, rows, Row)
    if out:
        env.out(out, end="")
    return 0


def logs(env, project: Project, inv) -> int:
    from engine.containers import logs as engine_logs
    containers = project_containers(env.engine, project, inv.args or None)
    tail = engine_logs.parse_tail(None if inv.tail == "all" else inv.tail)
    follow(env, containers, tail=tail, live=inv.follow, prefix=not inv.no_log_prefix,
           timestamps=inv.timestamps)
    return 0


# Compose's rainbow for the prefixes on a terminal: each container its own colour
COLOURS = ("36", "33", "32", "35", "34", "1;36", "1;33", "1;32", "1;35", "1;34")


def follow(env, containers, *, tail: int = -1, tails: dict | None = None, live: bool = True,
           prefix: bool = True, timestamps: bool = False, on_exit=None) -> None:
    """The containers' logs, each line behind `name  | ` (names padded to one width), in
    the order written when `live`; on_exit(container) when one's output ends."""
    from engine.containers import logs as engine_logs
    eng = env.engine
    width = max((len(c.name) for c in containers), default=0)
    lock = threading.Lock()

    colour = {c.id: COLOURS[i % len(COLOURS)] for i, c in enumerate(containers)} \
        if getattr(env, "stdout_tty", False) else {}

    def pump(c) -> None:
        head = f"{c.name.ljust(width)}  | " if prefix else ""
        if head and c.id in colour:
            head = f"\x1b[{colour[c.id]}m{head[:-1]}\x1b[0m "
        head = head.encode()
        pending = b""
        for e in engine_logs.read(eng, c, follow=live, tail=(tails or {}).get(c.id, tail)):
            pending += e.data
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                stamp = e.time.encode() + b" " if timestamps else b""
                with lock:
                    env.write_out(head + stamp + line + b"\n")
        with lock:
            if pending:
                env.write_out(head + pending + b"\n")
            if on_exit is not None:
                on_exit(eng.container(c.id))
    if not live:
        for c in containers:
            pump(c)
        return
    threads = [threading.Thread(target=pump, args=(c,), daemon=True) for c in containers]
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():
            t.join(0.2)


def port(env, project: Project, inv) -> int:
    service, private = inv.args
    if service not in project.services:
        raise ComposeError(f"no such service: {service}")
    found = [c for c in project_containers(env.engine, project, [service])
             if number_of(c) == inv.index]
    if not found:
        raise ComposeError(f'service "{service}" is not running')
    for _, bound in env.engine.ports(found[0].id, f"{private}/{inv.protocol}"):
        env.out(bound)
        return 0
    raise ComposeError(f"no port {private}/{inv.protocol} for container {found[0].name}")


def top(env, project: Project, inv) -> int:
    from ..commands.containers import processes_table
    from ..render.tabwriter import tabulate
    for c in project_containers(env.engine, project, inv.args or None):
        if not c.state.running:
            continue
        header, rows = processes_table(env.engine, c.id, [])
        lines = ["\t".join(header)] + ["\t".join(r) for r in rows]
        env.out(c.name)
        env.out(tabulate("\n".join(lines) + "\n", minwidth=3, padding=3), end="")
        env.out()
    return 0


def images(env, project: Project, inv) -> int:
    from ..render.tabwriter import tabulate
    from ..render.units import human_size
    eng = env.engine
    rows = []
    for c in project_containers(eng, project, inv.args or None):
        img = eng.images.find(c.image_id)
        ref = c.config.image
        repo, _, tag = ref.rpartition(":") if ":" in ref.rsplit("/", 1)[-1] else (ref, "", "latest")
        size = human_size(img.size) if img is not None else ""
        rows.append((c.name, repo, tag, c.image_id.removeprefix("sha256:")[:12], size))
    if inv.quiet:
        for r in dict.fromkeys(r[3] for r in rows):
            env.out(r)
        return 0
    if inv.format == "json":
        import json
        env.out(json.dumps([{"ContainerName": r[0], "Repository": r[1], "Tag": r[2],
                             "ID": r[3], "Size": r[4]} for r in rows]))
        return 0
    lines = ["CONTAINER\tREPOSITORY\tTAG\tIMAGE ID\tSIZE"] + ["\t".join(r) for r in rows]
    env.out(tabulate("\n".join(lines) + "\n", minwidth=3, padding=3), end="")
    return 0


def ls(env, inv) -> int:
    from ..render.tabwriter import tabulate
    projects: dict[str, dict] = {}
    for c in env.engine.containers(all=True):
        lab = labels_of(c)
        name = lab.get(model.PROJECT)
        if not name:
            continue
        p = projects.setdefault(name, {"states": {}, "files": lab.get(model.CONFIG_FILES, "")})
        p["states"][c.state.status] = p["states"].get(c.state.status, 0) + 1
    shown = {n: p for n, p in sorted(projects.items())
             if inv.all or "running" in p["states"]}
    if inv.quiet:
        for n in shown:
            env.out(n)
        return 0
    status = {n: ", ".join(f"{s}({k})" for s, k in sorted(p["states"].items()))
              for n, p in shown.items()}
    if inv.format == "json":
        import json
        env.out(json.dumps([{"Name": n, "Status": status[n], "ConfigFiles": p["files"]}
                            for n, p in shown.items()]))
        return 0
    lines = ["NAME\tSTATUS\tCONFIG FILES"] + [f"{n}\t{status[n]}\t{p['files']}"
                                               for n, p in shown.items()]
    env.out(tabulate("\n".join(lines) + "\n", minwidth=3, padding=3), end="")
    return 0
