"""Making a Compose project real, and taking it down, through the engine's ordinary
API: every container is a plain engine container with Compose's name and labels
(containers.py makes them); `up` recreates only what no longer matches its file."""
from __future__ import annotations

import threading

from engine.errors import EngineError, NotFound

from . import model
from .containers import (anonymous_mounts, container_name, create_container, create_words,
                         default_image, drop_volumes, labels_of, number_of,
                         project_containers)
from .loader import ComposeError, located
from .model import Project
from .progress import Progress
from .views import follow


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
        progress.working("Network", name, "Creating")
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
        progress.working("Volume", f'"{name}"', "Creating")
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
            stop_all(env, project, containers, None, progress, "Stopped")
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
    if b.get("pull") and "--pull" not in words:
        words.append("--pull")
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
    existing = {number_of(c): c for c in project_containers(eng, project, [service])}
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
            progress.working("Container", container_name(project, service, number),
                             "Recreate" if status == "Recreated" else "Creating")
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
        progress.working("Container", c.name, "Starting")
        eng.start(c.id)
        progress.add("Container", c.name, "Started")


def _wait_completed(eng, project: Project, dep: str) -> None:
    for c in project_containers(eng, project, [dep]):
        code = eng.wait(c.id)
        if code != 0:
            raise ComposeError(f'service "{dep}" didn\'t complete successfully: exit {code}')


# --- down ------------------------------------------------------------------------------------------

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


def given_timeout(inv):
    """-t/--timeout when the command line gave it; None: each container's own."""
    return inv.timeout if "timeout" in inv.given else None


def stop_all(env, project: Project, containers, timeout, progress, status, remove=False,
              volumes=False) -> None:
    eng = env.engine

    def one(c) -> None:
        if eng.container(c.id).state.running:
            progress.working("Container", c.name, "Stopping")
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
        stop_all(env, project, containers, given_timeout(inv), progress, "Removed",
                 remove=True, volumes=inv.volumes)
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
