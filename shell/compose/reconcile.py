"""Making a Compose project real, and taking it down, through the engine's ordinary
API: every container is a plain engine container with Compose's name and labels, made
from a `docker create` command line built from its service (so Docker's rules for
each option are the shell's own, in shell/commands/options.py)."""
from __future__ import annotations

import re
import threading

from engine.errors import EngineError, NotFound

from . import model
from .loader import ComposeError, located
from .model import Project


# --- what the engine holds for a project -----------------------------------------------

def labels_of(c) -> dict:
    return c.config.label_dict()


def project_containers(eng, project: Project, services=None, oneoff: bool | None = False):
    """The project's containers (of `services`, when given), by service then number;
    oneoff: those of `compose run` (None: both kinds)."""
    out = []
    for c in eng.containers(all=True):
        lab = labels_of(c)
        if lab.get(model.PROJECT) != project.name:
            continue
        if oneoff is not None and (lab.get(model.ONEOFF) == "True") != oneoff:
            continue
        if services is not None and lab.get(model.SERVICE) not in services:
            continue
        out.append(c)
    rank = {s: i for i, s in enumerate(project.order())}
    return sorted(out, key=lambda c: (rank.get(labels_of(c).get(model.SERVICE), 1 << 30),
                                      _number(c)))


def _number(c) -> int:
    try:
        return int(labels_of(c).get(model.NUMBER, "0"))
    except ValueError:
        return 0


# --- progress, as Compose prints it -----------------------------------------------------

class Progress:
    """Compose's progress block on standard error: `[+] Running 3/3` then one line per
    object. On a terminal it is redrawn in place as each object is done; otherwise it
    is printed once, when the work is done (or has failed)."""

    def __init__(self, env, title: str = "Running"):
        self.env, self.title = env, title
        self.rows: list[list] = []
        self.live = bool(getattr(env, "stderr_tty", False))
        self.drawn = 0          # lines of the block on the terminal now

    def add(self, kind: str, name: str, status: str, ok: bool | None = True) -> None:
        for row in self.rows:
            if row[0] == kind and row[1] == name:
                row[2], row[3] = status, ok
                break
        else:
            self.rows.append([kind, name, status, ok])
        if self.live:
            self._draw()

    def lines(self) -> list[str]:
        if not self.rows:
            return []
        done = sum(1 for r in self.rows if r[3] is not False)
        width = max(len(f"{k} {n}".strip()) for k, n, _, _ in self.rows)
        out = [f"[+] {self.title} {done}/{len(self.rows)}"]
        for kind, name, status, ok in self.rows:
            mark = {True: "✔", False: "✘", None: "!"}[ok]
            out.append(f" {mark} {f'{kind} {name}'.strip().ljust(width)}  {status}")
        return out

    def _draw(self) -> None:
        """Up to the block's first line, then every line again (each cleared to its end)."""
        lines = self.lines()
        up = f"\x1b[{self.drawn}A" if self.drawn else ""
        self.env.write_err((up + "".join(f"\r{line}\x1b[K\n" for line in lines)).encode())
        self.drawn = len(lines)

    def print(self) -> None:
        if self.live:
            return          # already on the terminal, as it is now
        for line in self.lines():
            self.env.err(line)


# --- services as `docker create` command lines --------------------------------------------

def container_name(project: Project, service: str, number: int) -> str:
    s = project.services[service]
    return s.get("container_name") or f"{project.name}-{service}-{number}"


def _duration_seconds(text) -> int:
    if isinstance(text, (int, float)):
        return int(text)
    total = 0.0
    for value, unit in re.findall(r"([\d.]+)(h|ms|m|s|us|ns)", str(text)):
        total += float(value) * {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6,
                                 "ns": 1e-9}[unit]
    return int(total)


def _port(p) -> str:
    if not isinstance(p, dict):
        return str(p)
    target = f"{p.get('target')}/{p.get('protocol', 'tcp')}"
    published = p.get("published")
    if published in (None, "") and not p.get("host_ip"):
        return target
    host_ip = f"{p['host_ip']}:" if p.get("host_ip") else ""
    return f"{host_ip}{published if published is not None else ''}:{target}"


def _volume_words(project: Project, v) -> list[str]:
    if isinstance(v, dict):
        kind = v.get("type", "volume")
        parts = [f"type={kind}"]
        source = v.get("source")
        if kind == "volume" and source:
            parts.append(f"source={project.volume_name(source)}")
        elif kind == "bind":
            parts.append(f"source={source}")
        parts.append(f"target={v.get('target')}")
        if v.get("read_only"):
            parts.append("readonly")
        return ["--mount", ",".join(parts)]
    source, sep, rest = str(v).partition(":")
    if sep and not source.startswith("/") and source in project.volumes:
        return ["-v", f"{project.volume_name(source)}:{rest}"]
    return ["-v", str(v)]


_FLAG_OF = {"restart": "--restart", "working_dir": "-w", "user": "-u", "hostname": "-h",
            "domainname": "--domainname", "mem_limit": "-m", "memswap_limit": "--memory-swap",
            "cpus": "--cpus", "cpu_shares": "-c", "cpu_quota": "--cpu-quota",
            "cpu_period": "--cpu-period", "pids_limit": "--pids-limit",
            "stop_signal": "--stop-signal", "pid": "--pid"}
_LISTS = {"expose": "--expose", "dns": "--dns", "cap_add": "--cap-add",
          "cap_drop": "--cap-drop", "security_opt": "--security-opt", "devices": "--device",
          "device_cgroup_rules": "--device-cgroup-rule", "tmpfs": "--tmpfs",
          "env_file": "--env-file"}
_BOOLS = {"init": "--init", "stdin_open": "-i", "tty": "-t", "privileged": "--privileged",
          "read_only": "--read-only"}


def create_words(project: Project, service: str, number: int, eng, *, name: str = "",
                 oneoff: bool = False, ports: bool = True) -> list[str]:
    """The `docker create` words for one container of a service (up to its image; the
    command follows). oneoff: for `compose run` (no ports unless asked)."""
    s = project.services[service]
    words = ["create", "--name", name or container_name(project, service, number)]
    labels = service_labels(project, service, number)
    if oneoff:
        labels[model.ONEOFF] = "True"
    for key, value in labels.items():
        words += ["--label", f"{key}={value}"]
    for key, value in (s.get("labels") or {}).items():
        words += ["--label", f"{key}={value or ''}"]
    for key, flag in _FLAG_OF.items():
        if s.get(key) is not None:
            words += [flag, str(s[key])]
    limits = ((s.get("deploy") or {}).get("resources") or {}).get("limits") or {}
    for key, flag in (("memory", "-m"), ("cpus", "--cpus"), ("pids", "--pids-limit")):
        if key in limits:
            words += [flag, str(limits[key])]
    if "stop_grace_period" in s:
        words += ["--stop-timeout", str(_duration_seconds(s["stop_grace_period"]))]
    for key, flag in _LISTS.items():
        for item in s.get(key) or []:
            words += [flag, str(item)]
    for key, flag in _BOOLS.items():
        if s.get(key):
            words.append(flag)
    for key, value in (s.get("environment") or {}).items():
        if value is None:
            value = project.environment.get(key)
        if value is not None:
            words += ["-e", f"{key}={value}"]
    for p in (s.get("ports") or []) if ports else []:
        words += ["-p", _port(p)]
    for v in s.get("volumes") or []:
        words += _volume_words(project, v)
    hosts = s.get("extra_hosts") or []
    if isinstance(hosts, dict):
        hosts = [f"{k}:{v}" for k, v in hosts.items()]
    for h in hosts:
        words += ["--add-host", str(h).replace("=", ":", 1)]
    for item in s.get("volumes_from") or []:
        src = str(item)
        if not src.startswith("container:"):
            src = container_name(project, src.split(":")[0], 1) + src[len(src.split(":")[0]):]
        else:
            src = src[len("container:"):]
        words += ["--volumes-from", src]
    for link in s.get("links") or []:
        name, _, alias = str(link).partition(":")
        words += ["--link", f"{container_name(project, name, 1)}:{alias or name}"]
    words += _network_words(project, service, eng)
    entrypoint = s.get("entrypoint")
    if entrypoint is not None:
        words += ["--entrypoint", entrypoint[0] if entrypoint else ""]
    words.append(s.get("image") or default_image(project, service))
    return words


def default_image(project: Project, service: str) -> str:
    """The image Compose names a built service's image by."""
    return f"{project.name}-{service}"


def _network_words(project: Project, service: str, eng) -> list[str]:
    s = project.services[service]
    mode = s.get("network_mode")
    if mode:
        if mode.startswith("service:"):
            return ["--network", "container:" + container_name(project, mode[8:], 1)]
        return ["--network", mode]
    first, how = next(iter(s["networks"].items()))
    how = how or {}
    words = ["--network", project.network_name(first), "--network-alias", service]
    for alias in how.get("aliases") or []:
        words += ["--network-alias", str(alias)]
    if how.get("ipv4_address"):
        words += ["--ip", str(how["ipv4_address"])]
    return words


def service_labels(project: Project, service: str, number: int) -> dict[str, str]:
    return {model.PROJECT: project.name, model.SERVICE: service,
            model.NUMBER: str(number), model.ONEOFF: "False",
            model.CONFIG_HASH: model.config_hash(project.services[service]),
            model.WORKING_DIR: project.working_dir,
            model.CONFIG_FILES: ",".join(project.files)}


ANONYMOUS = "com.docker.volume.anonymous"      # the engine's label on anonymous volumes


def anonymous_mounts(eng, c) -> list[tuple[str, str]]:
    """(volume, path) of the anonymous volumes a container has, carried over or not."""
    out = []
    for m in c.mounts:
        if m.get("Type") != "volume" or not m.get("Name"):
            continue
        try:
            labels = eng.volume(m["Name"]).get("Labels") or {}
        except NotFound:
            continue
        if ANONYMOUS in labels:
            out.append((m["Name"], m["Destination"]))
    return out


def drop_volumes(eng, names) -> None:
    """Anonymous volumes no container uses any more (carried ones are mounted by name,
    so removing their container with -v does not take them)."""
    used = eng.volume_users()
    for name in names:
        if not used.get(name):
            try:
                eng.remove_volume(name)
            except NotFound:
                pass


def create_container(env, project: Project, service: str, number: int,
                     carry: list[tuple[str, str]] = ()):
    """One container of a service, made by the engine as `docker create` would make it;
    joined to the service's other networks. carry: the anonymous volumes of the
    container it replaces, mounted at their paths again, as Compose carries them over."""
    from ..cli.parser import parse
    from ..commands import options
    words = create_words(project, service, number, env.engine)
    image = words.pop()
    paths = {path for _, path in carry}
    k = 0
    while k < len(words) - 1:            # the service's own anonymous volume at that path
        parts = words[k + 1].split(":")
        if words[k] == "-v" and parts[0] in paths and parts[1:] in ([], ["ro"], ["rw"]):
            del words[k:k + 2]
            continue
        k += 1
    for name, path in carry:
        words += ["--mount", f"type=volume,source={name},target={path}"]
    words.append(image)
    words += [str(w) for w in project.services[service].get("command") or []]
    where = project.where.get(next((k for k in project.where if k[:2] ==
                                    ("services", service)), None))
    try:
        inv = parse(words)
        config, host, name = options.build(env, inv, run=False)
    except EngineError as e:
        raise located(where, f"service \"{service}\": {e}") from None
    entrypoint = project.services[service].get("entrypoint")
    if entrypoint is not None:
        config = config.with_(entrypoint=tuple(str(w) for w in entrypoint) or ("",))
    eng = env.engine
    c = eng.create(config, host, name, **options.networking(inv))
    s = project.services[service]
    for net, how in list((s.get("networks") or {}).items())[1:]:
        how = how or {}
        eng.network_connect(project.network_name(net), c.id, how.get("ipv4_address"),
                            [service] + list(how.get("aliases") or []))
    return c


# --- up ----------------------------------------------------------------------------------------

def _scale(project: Project, service: str, scales: dict) -> int:
    if service in scales:
        return scales[service]
    s = project.services[service]
    replicas = (s.get("deploy") or {}).get("replicas")
    return int(s.get("scale", replicas if replicas is not None else 1))


def _scales(inv) -> dict[str, int]:
    out = {}
    for item in inv.opts.get("scale") or []:
        name, sep, n = item.partition("=")
        if not sep or not n.isdigit():
            raise ComposeError(f"invalid --scale option {item!r}: must be SERVICE=NUM")
        out[name] = int(n)
    return out


def ensure_networks(env, project: Project, services, progress: Progress) -> None:
    eng = env.engine
    wanted = {n for s in services for n in (project.services[s].get("networks") or {})}
    for key in project.networks:
        if key not in wanted:
            continue
        spec = project.networks[key]
        name = project.network_name(key)
        try:
            eng.network(name)
            continue
        except NotFound:
            if spec.get("external"):
                raise ComposeError(f"network {name} declared as external, but could not be "
                                   "found") from None
        labels = {model.NETWORK: key, model.PROJECT: project.name, **_str_map(spec.get("labels"))}
        subnet = ((spec.get("ipam") or {}).get("config") or [{}])[0].get("subnet")
        eng.create_network(name, internal=bool(spec.get("internal")), labels=labels,
                           driver="bridge", subnet=subnet)
        progress.add("Network", name, "Created")


def _str_map(value) -> dict:
    if isinstance(value, list):
        return dict(str(v).partition("=")[::2] for v in value)
    return {str(k): str(v) for k, v in (value or {}).items()}


def ensure_volumes(env, project: Project, services, progress: Progress) -> None:
    eng = env.engine
    wanted = set()
    for s in services:
        for v in project.services[s].get("volumes") or []:
            from .loader import _named_source
            source = _named_source(v)
            if source:
                wanted.add(source)
    for key in project.volumes:
        if key not in wanted:
            continue
        spec = project.volumes[key]
        name = project.volume_name(key)
        try:
            eng.volume(name)
            continue
        except NotFound:
            if spec.get("external"):
                raise ComposeError(f"external volume \"{name}\" not found") from None
        eng.create_volume(name, labels={model.VOLUME: key, model.PROJECT: project.name,
                                        **_str_map(spec.get("labels"))})
        progress.add("Volume", f'"{name}"', "Created")


def up(env, project: Project, inv) -> int:
    if inv.force_recreate and inv.no_recreate:
        raise ComposeError("--force-recreate and --no-recreate are incompatible")
    if inv.build and inv.no_build:
        raise ComposeError("--build and --no-build are incompatible")
    scales = _scales(inv)
    for name in scales:
        if name not in project.services:
            raise ComposeError(f"no such service: {name}")
    services = project.order(inv.args or None)
    pull_missing(env, project, services)
    progress = Progress(env)
    before = {c.id for c in project_containers(env.engine, project) if c.state.running}
    try:
        _orphans(env, project, inv, progress)
        ensure_networks(env, project, services, progress)
        ensure_volumes(env, project, services, progress)
        for service in services:
            _build_if_needed(env, project, service, inv, progress)
            _converge(env, project, service, _scale(project, service, scales), inv, progress)
    except EngineError:
        progress.print()
        raise
    progress.print()
    if inv.detach or inv.no_start:
        return 0
    return _attached(env, project, services, before)


def _attached(env, project: Project, services, before: set) -> int:
    """`up` without -d: the services' output with Compose's prefixes until every
    container has exited; Ctrl-C stops them, as Compose does."""
    containers = [c for c in project_containers(env.engine, project, services)]
    env.out(f"Attaching to {', '.join(c.name for c in containers)}")
    try:
        follow(env, containers, tails={c.id: 0 for c in containers if c.id in before},
               on_exit=lambda c: env.out(f"{c.name} exited with code {c.state.exit_code}"))
    except KeyboardInterrupt:
        env.out("Gracefully stopping... (press Ctrl+C again to force)")
        progress = Progress(env, "Stopping")
        try:
            _stop_all(env, project, containers, None, progress, "Stopped")
        finally:
            progress.print()
        return 130
    return 0


def pull_missing(env, project: Project, services) -> None:
    """The images the services name and the engine has not got, pulled first, in a
    block of their own as Compose pulls them (a service that builds is built instead)."""
    eng = env.engine
    progress = Progress(env, "Pulling")
    try:
        for service in services:
            s = project.services[service]
            if "build" in s or eng.images.find(s["image"]) is not None:
                continue
            try:
                eng.pull(s["image"])
            except EngineError:
                progress.add("", service, "Error", ok=False)
                raise
            progress.add("", service, "Pulled")
    finally:
        progress.print()


def _orphans(env, project: Project, inv, progress: Progress) -> None:
    orphans = [c for c in project_containers(env.engine, project)
               if labels_of(c).get(model.SERVICE) not in project.services]
    if not orphans:
        return
    if inv.remove_orphans:
        for c in orphans:
            env.engine.remove(c.id, force=True)
            progress.add("Container", c.name, "Removed")
    else:
        env.err(f"WARN[0000] Found orphan containers ([{' '.join(c.name for c in orphans)}]) "
                "for this project. If you removed or renamed this service in your compose "
                "file, you can run this command with the --remove-orphans flag to clean it up.")


def _build_if_needed(env, project: Project, service: str, inv, progress: Progress) -> None:
    s = project.services[service]
    if "build" not in s or inv.no_build:
        return
    image = s.get("image") or default_image(project, service)
    if not inv.build and env.engine.images.find(image) is not None:
        return
    build_service(env, project, service)
    progress.add("Service", service, "Built")


def build_service(env, project: Project, service: str, quiet: bool = True,
                  extra: list[str] | None = None) -> None:
    """`docker build` of the service's context, through the shell's build command."""
    from ..runner import run_docker
    b = project.services[service]["build"]
    words = ["build", "-t", project.services[service].get("image")
             or default_image(project, service)] + (["-q"] if quiet else []) + (extra or [])
    for k, v in _str_map(b.get("labels")).items():
        words += ["--label", f"{k}={v}"]
    if b.get("no_cache"):
        words.append("--no-cache")
    if b.get("dockerfile"):
        words += ["-f", str(b["dockerfile"]) if str(b["dockerfile"]).startswith("/")
                  else f"{b['context']}/{b['dockerfile']}"]
    if b.get("target"):
        words += ["--target", str(b["target"])]
    for k, v in (b.get("args") or {}).items():
        words += ["--build-arg", f"{k}={v}" if v is not None else k]
    words.append(b["context"])
    import io
    saved = env.stdout
    if quiet:
        env.stdout = io.BytesIO()
    try:
        code = run_docker(env, words)
    finally:
        env.stdout = saved
    if code:
        raise ComposeError(f'failed to solve: service "{service}" could not be built')


def _converge(env, project: Project, service: str, scale: int, inv, progress: Progress):
    eng = env.engine
    if scale > 1 and project.services[service].get("container_name"):
        raise located(project.where.get(("services", service, "container_name")),
                      f'services.{service}: can\'t set container_name and {service} as '
                      "container name must be unique: invalid compose project")
    digest = model.config_hash(project.services[service])
    existing = {_number(c): c for c in project_containers(eng, project, [service])}
    for number, c in sorted(existing.items()):
        if number > scale:          # scaled down: it goes with its anonymous volumes
            anonymous = anonymous_mounts(eng, c)
            eng.remove(c.id, force=True, volumes=True)
            drop_volumes(eng, [name for name, _ in anonymous])
            progress.add("Container", c.name, "Removed")
    for dep, how in project.services[service].get("depends_on", {}).items():
        if how.get("condition") == "service_completed_successfully":
            _wait_completed(eng, project, dep)
    image = eng.images.find(project.services[service].get("image")
                            or default_image(project, service))
    for number in range(1, scale + 1):
        c = existing.get(number)
        # a changed configuration, or an image rebuilt or pulled since: recreate
        stale = c is not None and (inv.force_recreate or
                                   labels_of(c).get(model.CONFIG_HASH) != digest or
                                   (image is not None and c.image_id != image.id))
        carry: list = []
        if c is not None and stale and not inv.no_recreate:
            # its anonymous volumes pass to the new container, unless -V renews them
            anonymous = anonymous_mounts(eng, c)
            eng.remove(c.id, force=True)
            if getattr(inv, "renew_anon_volumes", False):
                drop_volumes(eng, [name for name, _ in anonymous])
            else:
                carry = anonymous
            c = None
            status = "Recreated"
        else:
            status = "Created"
        if c is None:
            c = create_container(env, project, service, number, carry)
            progress.add("Container", c.name, status)
        if inv.no_start:
            continue
        c = eng.container(c.id)
        if c.state.running:
            if status != "Created" or number not in existing:
                progress.add("Container", c.name, "Started")
            else:
                progress.add("Container", c.name, "Running")
            continue
        eng.start(c.id)
        progress.add("Container", c.name, "Started")


def _wait_completed(eng, project: Project, dep: str) -> None:
    for c in project_containers(eng, project, [dep]):
        code = eng.wait(c.id)
        if code != 0:
            raise ComposeError(f'service "{dep}" didn\'t complete successfully: exit {code}')


# --- down and the other lifecycle commands ------------------------------------------------

def _levels(project: Project, containers) -> list[list]:
    """Containers grouped for stopping: dependents before what they depend on; each group
    stops at once, as Compose stops in parallel (a PID 1 that ignores SIGTERM costs its
    grace period once, not once per container)."""
    depth: dict[str, int] = {}

    def level(name: str) -> int:
        if name not in depth:
            deps = project.services.get(name, {}).get("depends_on", {})
            depth[name] = 1 + max((level(d) for d in deps if d in project.services),
                                  default=-1)
        return depth[name]
    groups: dict[int, list] = {}
    for c in containers:
        service = labels_of(c).get(model.SERVICE)
        groups.setdefault(level(service) if service in project.services else 1 << 30,
                          []).append(c)
    return [groups[k] for k in sorted(groups, reverse=True)]


def _parallel(action, items) -> None:
    """action(item) for every item at once; the first error is raised when all are done."""
    errors: list[BaseException] = []

    def one(item) -> None:
        try:
            action(item)
        except BaseException as e:      # handed to the caller's thread
            errors.append(e)
    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def _stop_all(env, project: Project, containers, timeout, progress, status, remove=False,
              volumes=False) -> None:
    eng = env.engine

    def one(c) -> None:
        if eng.container(c.id).state.running:
            eng.stop(c.id, timeout)
        if remove:
            anonymous = anonymous_mounts(eng, c) if volumes else []
            eng.remove(c.id, force=True, volumes=volumes)
            drop_volumes(eng, [name for name, _ in anonymous])
        progress.add("Container", c.name, status)
    for group in _levels(project, containers):
        _parallel(one, group)


def down(env, project: Project, inv) -> int:
    eng = env.engine
    progress = Progress(env)
    if inv.rmi not in (None, "local", "all"):
        raise ComposeError(f"invalid value for --rmi: {inv.rmi}")
    containers = project_containers(eng, project, inv.args or None, oneoff=None)
    orphans = [c for c in containers if labels_of(c).get(model.SERVICE) not in project.services]
    if orphans and not inv.remove_orphans:
        containers = [c for c in containers if c not in orphans]
        env.err(f"WARN[0000] Found orphan containers ([{' '.join(c.name for c in orphans)}]) "
                "for this project. If you removed or renamed this service in your compose "
                "file, you can run this command with the --remove-orphans flag to clean it up.")
    try:
        _stop_all(env, project, containers, inv.timeout if "timeout" in inv.given else None,
                  progress, "Removed", remove=True, volumes=inv.volumes)
        if inv.args:            # `down SERVICE...`: those services' containers only
            return 0
        if inv.rmi:
            _remove_images(env, project, inv.rmi, progress)
        if inv.volumes:
            for key, spec in project.volumes.items():
                if spec.get("external"):
                    continue
                name = project.volume_name(key)
                try:
                    eng.remove_volume(name)
                except NotFound:
                    continue
                progress.add("Volume", name, "Removed")
        for key, spec in project.networks.items():
            if spec.get("external"):
                continue
            name = project.network_name(key)
            try:
                eng.remove_network(name)
            except NotFound:
                continue
            progress.add("Network", name, "Removed")
    finally:
        progress.print()
    return 0


def _remove_images(env, project: Project, which: str, progress: Progress) -> None:
    """--rmi local: the images Compose named for built services; all: every service's."""
    names = []
    for service, s in project.services.items():
        if "image" not in s:
            names.append(default_image(project, service))
        elif which == "all":
            names.append(s["image"])
    for name in dict.fromkeys(names):
        try:
            env.engine.remove_image(name)
        except NotFound:
            continue
        except EngineError as e:
            progress.add("Image", name, f"Error {e}", ok=False)
            continue
        progress.add("Image", name, "Removed")


def _selected(env, project: Project, inv, running: bool | None = None):
    out = project_containers(env.engine, project, inv.args or None)
    if running is not None:
        out = [c for c in out if c.state.running == running]
    return out


def start(env, project: Project, inv) -> int:
    progress = Progress(env)
    try:
        for c in _selected(env, project, inv, running=False):
            env.engine.start(c.id)
            progress.add("Container", c.name, "Started")
    finally:
        progress.print()
    return 0


def stop(env, project: Project, inv) -> int:
    progress = Progress(env, "Stopping")
    timeout = inv.timeout if "timeout" in inv.given else None
    try:
        _stop_all(env, project, _selected(env, project, inv), timeout, progress, "Stopped")
    finally:
        progress.print()
    return 0


def restart(env, project: Project, inv) -> int:
    progress = Progress(env, "Restarting")
    timeout = inv.timeout if "timeout" in inv.given else None
    try:
        for c in _selected(env, project, inv):
            env.engine.restart(c.id, timeout)
            progress.add("Container", c.name, "Started")
    finally:
        progress.print()
    return 0


def rm(env, project: Project, inv) -> int:
    eng = env.engine
    if inv.stop:
        for c in _selected(env, project, inv, running=True):
            eng.stop(c.id)
    stopped = _selected(env, project, inv, running=False)
    if not stopped:
        env.err("No stopped containers")
        return 0
    if not inv.force:
        env.out(f"Going to remove {', '.join(c.name for c in stopped)}")
        env.out("? Are you sure? (y/N) ", end="")
        answer = env.stdin.readline().decode(errors="replace").strip().lower()
        if answer not in ("y", "yes"):
            return 0
    progress = Progress(env, "Removing")
    try:
        for c in stopped:
            anonymous = anonymous_mounts(eng, c) if inv.volumes else []
            eng.remove(c.id, volumes=inv.volumes)
            drop_volumes(eng, [name for name, _ in anonymous])
            progress.add("Container", c.name, "Removed")
    finally:
        progress.print()
    return 0


def exec_(env, project: Project, inv) -> int:
    from ..runner import _call
    from ..cli.parser import parse
    service, *command = inv.args
    if service not in project.services:
        raise ComposeError(f"service \"{service}\" is not running")
    running = [c for c in project_containers(env.engine, project, [service])
               if c.state.running and _number(c) == inv.index]
    if not running:
        raise ComposeError(f"service \"{service}\" is not running")
    words = ["exec", "-i"]
    if not inv.no_TTY and env.stdin_tty:
        words.append("-t")
    if inv.detach:
        words.append("-d")
    for e in inv.env:
        words += ["-e", e]
    if inv.user:
        words += ["-u", inv.user]
    if inv.workdir:
        words += ["-w", inv.workdir]
    return _call(env, parse(words + [running[0].name] + command))


# --- ps and logs ---------------------------------------------------------------------------

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
    from engine import logs as engine_logs
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
    from engine import logs as engine_logs
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


# --- kill, port, top, images, ls -----------------------------------------------------------

def kill(env, project: Project, inv) -> int:
    progress = Progress(env, "Killing")
    try:
        for c in _selected(env, project, inv, running=True):
            env.engine.kill(c.id, inv.signal)
            progress.add("Container", c.name, "Killed")
    finally:
        progress.print()
    return 0


def port(env, project: Project, inv) -> int:
    service, private = inv.args
    if service not in project.services:
        raise ComposeError(f"no such service: {service}")
    found = [c for c in project_containers(env.engine, project, [service])
             if _number(c) == inv.index]
    if not found:
        raise ComposeError(f'service "{service}" is not running')
    for _, bound in env.engine.ports(found[0].id, f"{private}/{inv.protocol}"):
        env.out(bound)
        return 0
    raise ComposeError(f"no port {private}/{inv.protocol} for container {found[0].name}")


def top(env, project: Project, inv) -> int:
    from ..commands.containers import processes_table
    from ..render.tabwriter import tabulate
    for c in _selected(env, project, inv, running=True):
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


# --- run -------------------------------------------------------------------------------------

class _Plain:
    """`up`'s choices, as `compose run` makes the services it depends on."""
    force_recreate = no_recreate = no_start = build = no_build = False


def run(env, project: Project, inv) -> int:
    """A one-off container of a service (`<project>-<service>-run-<id>`), after the
    services it depends on are up, run as `docker run` runs it."""
    import os as _os
    from ..cli.parser import parse
    from ..runner import _call
    service, *command = inv.args
    if service not in project.services:
        raise ComposeError(f"no such service: {service}")
    deps = [] if inv.no_deps else [d for d in project.order([service]) if d != service]
    progress = Progress(env, "Creating")
    try:
        ensure_networks(env, project, [service] + deps, progress)
        ensure_volumes(env, project, [service] + deps, progress)
        for dep in deps:
            _build_if_needed(env, project, dep, _Plain, progress)
            _converge(env, project, dep, _scale(project, dep, {}), _Plain, progress)
        _build_if_needed(env, project, service, _Plain, progress)
    finally:
        progress.print()
    s = project.services[service]
    name = inv.opts["name"] or f"{project.name}-{service}-run-{_os.urandom(6).hex()}"
    words = create_words(project, service, 1, env.engine, name=name, oneoff=True,
                         ports=inv.service_ports)
    words[0] = "run"
    image = words.pop()
    if "entrypoint" in inv.given:
        k = words.index("--entrypoint") if "--entrypoint" in words else None
        if k is not None:
            del words[k:k + 2]
        words += ["--entrypoint", inv.entrypoint]
    flags = (["--rm"] if inv.rm else []) + (["-d"] if inv.detach else ["-i"])
    if not inv.no_TTY and not inv.detach and env.stdin_tty:
        flags.append("-t")
    for item in inv.env:
        flags += ["-e", item]
    for item in inv.label:
        flags += ["-l", item]
    for item in inv.publish:
        flags += ["-p", item]
    if inv.user:
        flags += ["-u", inv.user]
    if inv.workdir:
        flags += ["-w", inv.workdir]
    entry_rest = [] if "entrypoint" in inv.given else [str(w) for w in
                                                        (s.get("entrypoint") or [])[1:]]
    command = command or ([] if "entrypoint" in inv.given and not command
                          else [str(w) for w in s.get("command") or []])
    return _call(env, parse(words + flags + [image] + entry_rest + command))


# --- build, pull, push ----------------------------------------------------------------------

def build(env, project: Project, inv) -> int:
    extra = (["--no-cache"] if inv.no_cache else []) + (["--pull"] if inv.pull else [])
    for item in inv.build_arg:
        extra += ["--build-arg", item]
    for service in project.order(inv.args or None):
        if "build" in project.services[service]:
            build_service(env, project, service, quiet=inv.quiet, extra=extra)
    return 0


def pull(env, project: Project, inv) -> int:
    progress = Progress(env, "Pulling")
    failed = None
    try:
        for service in project.order(inv.args or None):
            image = project.services[service].get("image")
            if not image:
                continue
            try:
                env.engine.pull(image)
            except EngineError as e:
                # an image the file can build is only a warning, as in Compose
                buildable = "build" in project.services[service]
                progress.add("", service, f"{'Warning' if buildable else 'Error'} {e}",
                             ok=None if buildable else False)
                if not inv.ignore_pull_failures and not buildable:
                    failed = failed or e
                continue
            progress.add("", service, "Pulled")
    finally:
        if not inv.quiet:
            progress.print()
    if failed is not None:
        raise failed
    return 0


def push(env, project: Project, inv) -> int:
    from ..runner import run_docker
    status = 0
    for service in project.order(inv.args or None):
        s = project.services[service]
        if "build" not in s or not s.get("image"):
            continue
        code = run_docker(env, ["push"] + (["-q"] if inv.quiet else []) + [s["image"]])
        if code and not inv.ignore_push_failures:
            return code
        status = status or code
    return 0
