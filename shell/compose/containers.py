"""A Compose project's containers in the engine: finding them by Compose's labels, and
making one from its service as a `docker create` command line (so Docker's rules for
each option are the shell's own, in shell/commands/options.py)."""
from __future__ import annotations

import re

from engine.errors import EngineError, NotFound

from . import model
from .loader import located
from .model import Project


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
                                      number_of(c)))


def number_of(c) -> int:
    try:
        return int(labels_of(c).get(model.NUMBER, "0"))
    except ValueError:
        return 0


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


def _culprit(env, project: Project, service: str) -> str | None:
    """The key whose `docker create` words the shell refuses (only asked after a refusal:
    each key is tried alone), so the error points at the line to fix."""
    import dataclasses
    from ..cli.parser import parse
    from ..commands import options
    s = project.services[service]
    base = {k: s[k] for k in ("image", "build", "networks", "network_mode") if k in s}
    for key in s:
        if key in base:
            continue
        alone = dataclasses.replace(project, services={**project.services,
                                                       service: {**base, key: s[key]}})
        try:
            options.build(env, parse(create_words(alone, service, 1, env.engine)), run=False)
        except EngineError:
            return key
    return None


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
        key = _culprit(env, project, service)
        if key is not None:
            where = project.where.get(("services", service, key), where)
        name = f"services.{service}.{key}" if key else f'service "{service}"'
        raise located(where, f"{name}: {e}") from None
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
