"""Reading a Compose project: which files, the project's name, .env, interpolation,
merging several files, and checking every key against what the engine can honour.

Files are read with the lessons' loader (lessons/source.py), which keeps the line and
column of every value, so each error names the file, line and column to fix.
"""
from __future__ import annotations

import os
import re
import shlex

from engine.errors import CliError

from . import interpolate
from .model import Project

FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_NAMES = ("compose.override.yaml", "compose.override.yml",
                  "docker-compose.override.yaml", "docker-compose.override.yml")


class ComposeError(CliError):
    """A problem with the project: Compose prints these bare and exits 1."""


def located(where: str | None, message: str) -> ComposeError:
    return ComposeError(f"{where}: {message}" if where else message)


# --- what the engine can honour ------------------------------------------------------

# Service keys dockerlings honours, and the `docker create` flag each becomes (None:
# Compose itself uses it).
SERVICE_KEYS = {
    "image": None, "build": None, "command": None, "entrypoint": None,
    "environment": "env", "env_file": "env-file", "ports": "publish", "expose": "expose",
    "volumes": "volume", "tmpfs": "tmpfs", "networks": "network", "depends_on": None,
    "restart": "restart", "working_dir": "workdir", "user": "user", "hostname": "hostname",
    "domainname": "domainname", "labels": "label", "container_name": None,
    "mem_limit": "memory", "memswap_limit": "memory-swap", "cpus": "cpus",
    "cpu_shares": "cpu-shares", "cpu_quota": "cpu-quota", "cpu_period": "cpu-period",
    "pids_limit": "pids-limit", "deploy": None, "stop_signal": "stop-signal",
    "stop_grace_period": "stop-timeout", "init": "init", "stdin_open": "interactive",
    "tty": "tty", "profiles": None, "scale": None, "extra_hosts": "add-host", "dns": "dns",
    "privileged": "privileged", "read_only": "read-only", "cap_add": "cap-add",
    "cap_drop": "cap-drop", "pid": "pid", "security_opt": "security-opt",
    "devices": "device", "device_cgroup_rules": "device-cgroup-rule",
    "volumes_from": "volumes-from", "network_mode": "network", "links": "link",
}
# The Compose Specification's other service keys: known, but not honoured here.
NOT_HONOURED = {
    "healthcheck": "health checks arrive in a later dockerlings chapter, so "
                   "depends_on's service_healthy cannot be waited for either",
    "secrets": "dockerlings has no secrets", "configs": "dockerlings has no configs",
    "logging": "dockerlings keeps every container's log itself (json-file)",
    "ulimits": "dockerlings limits memory, CPU and processes only",
    "sysctls": "dockerlings does not set sysctls", "platform": "one platform only",
    "extends": "dockerlings does not read extends yet", "develop": "no watch mode",
}
for _k in ("annotations", "attach", "blkio_config", "cgroup", "cgroup_parent", "cpu_count",
           "cpu_percent", "cpu_rt_period", "cpu_rt_runtime", "cpuset", "credential_spec",
           "dns_opt", "dns_search", "external_links", "gpus", "group_add", "ipc",
           "isolation", "label_file", "mac_address", "mem_reservation", "mem_swappiness",
           "oom_kill_disable", "oom_score_adj", "post_start", "pre_stop", "pull_policy",
           "runtime", "shm_size", "storage_opt", "userns_mode", "uts"):
    NOT_HONOURED.setdefault(_k, "the engine does not model it")

TOP_KEYS = {"version", "name", "services", "networks", "volumes"}
TOP_NOT_HONOURED = {"secrets": "dockerlings has no secrets",
                    "configs": "dockerlings has no configs",
                    "include": "dockerlings does not read include yet"}
NETWORK_KEYS = {"driver", "internal", "external", "name", "labels", "attachable", "ipam"}
VOLUME_KEYS = {"external", "name", "labels", "driver"}
SERVICE_NETWORK_KEYS = {"aliases", "ipv4_address"}
DEPENDS_KEYS = {"condition", "restart", "required"}
BUILD_KEYS = {"context", "dockerfile", "args", "target", "labels", "no_cache", "pull"}
CONDITIONS = ("service_started", "service_completed_successfully", "service_healthy")


# --- finding the files and the name ----------------------------------------------------

def load(env, opts: dict) -> Project:
    """The project the command line and the folder describe. opts: file (list),
    project_name, project_directory, env_file, profile (list)."""
    files = [_absolute(env.cwd, f) for f in opts.get("file") or []]
    workdir = opts.get("project_directory")
    workdir = _absolute(env.cwd, workdir) if workdir else None
    if not files:
        files = _find_files(workdir or env.cwd)
    workdir = workdir or os.path.dirname(files[0])
    variables = _variables(env, workdir, opts.get("env_file"))
    profiles = set(opts.get("profile") or []) | {
        p for p in variables.get("COMPOSE_PROFILES", "").split(",") if p}
    warned: set[str] = set()

    def missing(name: str) -> None:
        if name not in warned:
            warned.add(name)
            env.err(f'WARN[0000] The "{name}" variable is not set. Defaulting to a blank '
                    "string.")

    merged: dict = {}
    where: dict = {}
    for path in files:
        doc = _read(path, variables, missing, env, where, workdir)
        merged = _merge(merged, doc, ())
    name = _project_name(opts.get("project_name"), variables, merged.get("name"), workdir)
    return _project(name, workdir, files, merged, where, variables, profiles)


def _absolute(cwd: str, path: str) -> str:
    return os.path.normpath(os.path.join(cwd, os.path.expanduser(path)))


def _find_files(folder: str) -> list[str]:
    """compose.yaml (or its other names) in the folder or the nearest parent, and the
    override file beside it, as Compose looks for them."""
    d = folder
    while True:
        for name in FILE_NAMES:
            path = os.path.join(d, name)
            if os.path.isfile(path):
                found = [path]
                for over in OVERRIDE_NAMES:
                    if os.path.isfile(os.path.join(d, over)):
                        found.append(os.path.join(d, over))
                        break
                return found
        parent = os.path.dirname(d)
        if parent == d:
            raise ComposeError("no configuration file provided: not found",
                               hint="docker compose reads compose.yaml in this folder (or a "
                                    "folder above it): write one here, or name yours with "
                                    "-f FILE")
        d = parent


def normalize_name(text: str) -> str:
    """compose-go's NormalizeProjectName: lower case, only [a-z0-9_-], starting with a
    letter or digit."""
    return re.sub(r"[^-_a-z0-9]", "", text.lower()).lstrip("-_")


def _project_name(flag: str | None, variables: dict, in_file, workdir: str) -> str:
    if flag is not None or variables.get("COMPOSE_PROJECT_NAME"):
        name = flag if flag is not None else variables["COMPOSE_PROJECT_NAME"]
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
            raise ComposeError(f'invalid project name "{name}": must consist only of '
                               "lowercase alphanumeric characters, hyphens, and underscores "
                               "as well as start with a letter or number")
        return name
    if isinstance(in_file, str) and in_file:
        return normalize_name(in_file)
    name = normalize_name(os.path.basename(workdir))
    if not name:
        raise ComposeError(f'project name must not be empty: the folder "{workdir}" has no '
                           "letters or digits to name it by (use -p NAME)")
    return name


def _variables(env, workdir: str, env_file: str | None) -> dict[str, str]:
    """The variables interpolation sees: the shell's environment over the .env file."""
    path = _absolute(env.cwd, env_file) if env_file else os.path.join(workdir, ".env")
    out = {}
    if env_file or os.path.isfile(path):
        out.update(read_env_file(path))
    out.update(env.environ)
    return out


def read_env_file(path: str) -> dict[str, str]:
    """A dotenv file as Compose reads it: KEY=VALUE lines, # comments, `export `,
    single quotes literal, double quotes with \\n escapes."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        raise ComposeError(f"couldn't find env file: {path}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ComposeError(f"failed to read {path}: {e}") from None
    out = {}
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[7:].lstrip()
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", key):
            raise ComposeError(f"failed to read {path}: line {number}: unexpected character "
                               f"in variable name {key!r}")
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
        elif len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace("\\n", "\n").replace('\\"', '"')
        else:
            value = value.split(" #", 1)[0].rstrip()
        out[key] = value
    return out


# --- one file --------------------------------------------------------------------------

def _read(path: str, variables: dict, missing, env, where: dict, workdir: str) -> dict:
    from lessons.source import LessonError, read
    try:
        source = read(path)
    except LessonError as e:
        if e.line == 0 and "cannot read" in e.message:
            raise ComposeError(f"open {path}: no such file or directory") from None
        raise ComposeError(str(e).replace("a lesson", "a Compose file")) from None
    if source.data is None:
        return {}
    if not isinstance(source.data, dict):
        raise _at(source, (), "Top-level object must be a mapping")

    def lookup(name):
        return variables.get(name)
    doc = _interpolate(source, source.data, (), lookup, missing)
    _check(source, doc, env, where)
    return _normalise(source, doc, workdir)


def _at(source, path: tuple, message: str, key: bool = False) -> ComposeError:
    line, col = source.where(path, key)
    return ComposeError(f"{source.path}:{line}:{col}: {message}")


def _dotted(path: tuple) -> str:
    return ".".join(str(p) for p in path)


def _interpolate(source, value, path: tuple, lookup, missing):
    if isinstance(value, dict):
        return {k: _interpolate(source, v, path + (k,), lookup, missing)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(source, v, path + (i,), lookup, missing)
                for i, v in enumerate(value)]
    if not isinstance(value, str) or "$" not in value:
        return value
    try:
        return interpolate.substitute(value, lookup, missing)
    except interpolate.InterpolationError as e:
        if str(e).startswith("required"):
            raise _at(source, path, f"error while interpolating {_dotted(path)}: {e}") from None
        raise _at(source, path, f"invalid interpolation format for {_dotted(path)}.\nYou "
                  f"may need to escape any $ with another $.\n{value}") from None


def _check(source, doc: dict, env, where: dict) -> None:
    """Every key against the Specification and what the engine can honour."""
    for key in doc:
        if key.startswith("x-"):
            continue
        if key in TOP_NOT_HONOURED:
            raise _at(source, (key,), f"{key}: {TOP_NOT_HONOURED[key]}", key=True)
        if key not in TOP_KEYS:
            raise _at(source, (key,), f"additional properties '{key}' not allowed", key=True)
    if "version" in doc:
        env.err(f"WARN[0000] {source.path}: the attribute `version` is obsolete, it will be "
                "ignored, please remove it to avoid potential confusion")
    for top in ("services", "networks", "volumes"):
        section = doc.get(top)
        if section is not None and not isinstance(section, dict):
            raise _at(source, (top,), f"{top} must be a mapping")
    for name, service in (doc.get("services") or {}).items():
        path = ("services", name)
        if not isinstance(service, dict):
            raise _at(source, path, f"services.{name} must be a mapping")
        for key in service:
            kpath = path + (key,)
            line, col = source.where(kpath, key=True)
            where[kpath] = f"{source.path}:{line}:{col}"
            if key.startswith("x-"):
                continue
            if key in NOT_HONOURED:
                raise _at(source, kpath, f"services.{name}.{key}: dockerlings cannot honour "
                          f"this key ({NOT_HONOURED[key]})", key=True)
            if key not in SERVICE_KEYS:
                raise _at(source, kpath, f"services.{name} additional properties '{key}' "
                          "not allowed", key=True)
            _check_planned(source, name, key, kpath)
        _check_nested(source, name, service)
    for top, allowed in (("networks", NETWORK_KEYS), ("volumes", VOLUME_KEYS)):
        for name, item in (doc.get(top) or {}).items():
            if item is None:
                continue
            if not isinstance(item, dict):
                raise _at(source, (top, name), f"{top}.{name} must be a mapping")
            for key in item:
                if key not in allowed and not key.startswith("x-"):
                    raise _at(source, (top, name, key), f"{top}.{name}.{key}: dockerlings "
                              "cannot honour this key", key=True)
            if "name" in item and not isinstance(item["name"], str):
                raise _at(source, (top, name, "name"), f"{top}.{name}.name must be a string")
            ipam = item.get("ipam")
            if ipam is not None and not (isinstance(ipam, dict) and set(ipam) <= {"config"}
                                         and isinstance(ipam.get("config", []), list)
                                         and all(isinstance(c, dict) and set(c) <= {"subnet"}
                                                 for c in ipam.get("config", []))):
                raise _at(source, (top, name, "ipam"), f"{top}.{name}.ipam: dockerlings "
                          "honours ipam.config with one subnet only")
            driver = item.get("driver")
            if driver not in (None, "bridge" if top == "networks" else "local"):
                raise _at(source, (top, name, "driver"), f"{top}.{name}.driver: dockerlings "
                          f"has only the {'bridge' if top == 'networks' else 'local'} driver")


def _check_planned(source, service: str, key: str, kpath: tuple) -> None:
    """A key whose `docker create` flag dockerlings has not got yet."""
    from ..cli import spec
    flag = SERVICE_KEYS[key]
    if flag is None:
        return
    f = spec.PATHS[("create",)].flag(flag)
    if f is not None and f.planned:
        raise _at(source, kpath, f"services.{service}.{key}: dockerlings cannot honour this "
                  f"key ({f.planned})", key=True)


# What each service key's value may be, in the Specification's words for the error.
_STR, _NUM, _BOOL, _LIST, _MAP = (str,), (int, float, str), (bool,), (list,), (dict,)
_SCALAR = (str, int, float, bool)
VALUE_KINDS = {
    "image": _STR, "container_name": _STR, "restart": _STR, "working_dir": _STR,
    "user": _STR + (int,), "hostname": _STR, "domainname": _STR, "stop_signal": _STR,
    "pid": _STR, "network_mode": _STR, "mem_limit": _NUM, "memswap_limit": _NUM,
    "cpus": _NUM, "stop_grace_period": _NUM, "cpu_shares": _NUM, "cpu_quota": _NUM,
    "cpu_period": _NUM, "pids_limit": _NUM, "scale": (int,),
    "command": _STR + _LIST, "entrypoint": _STR + _LIST, "env_file": _STR + _LIST,
    "dns": _STR + _LIST, "tmpfs": _STR + _LIST, "expose": _LIST, "ports": _LIST,
    "volumes": _LIST, "profiles": _LIST, "cap_add": _LIST, "cap_drop": _LIST,
    "security_opt": _LIST, "devices": _LIST, "device_cgroup_rules": _LIST,
    "volumes_from": _LIST, "links": _LIST, "environment": _MAP + _LIST,
    "labels": _MAP + _LIST, "depends_on": _MAP + _LIST, "networks": _MAP + _LIST,
    "extra_hosts": _MAP + _LIST, "build": _STR + _MAP, "deploy": _MAP,
    "init": _BOOL, "stdin_open": _BOOL, "tty": _BOOL, "privileged": _BOOL,
    "read_only": _BOOL,
}
# the long syntax's keys dockerlings honours, and the one that says its kind
LONG_SYNTAX = {
    "ports": ({"target", "published", "host_ip", "protocol", "mode"},
              ("mode", (None, "ingress", "host"))),
    "volumes": ({"type", "source", "target", "read_only"},
                ("type", (None, "volume", "bind", "tmpfs"))),
}
# what each item of a list may be
ITEM_KINDS = {"ports": _SCALAR + _MAP, "volumes": _STR + _MAP, "env_file": _STR + _MAP}


def _kind_words(kinds: tuple) -> str:
    words = {str: "a string", int: "a number", float: "a number", bool: "a boolean",
             list: "a list", dict: "a mapping"}
    return " or ".join(dict.fromkeys(words[k] for k in kinds))


def _check_values(source, name: str, service: dict) -> None:
    """Each value of the kind its key takes, so nothing later meets one it cannot use."""
    base = ("services", name)
    for key, value in service.items():
        kinds = VALUE_KINDS.get(key)
        if kinds is None:
            continue
        if value is None or not isinstance(value, kinds) or \
                (isinstance(value, bool) and bool not in kinds):
            raise _at(source, base + (key,), f"services.{name}.{key} must be "
                      f"{_kind_words(kinds)}")
        if isinstance(value, list):
            items = ITEM_KINDS.get(key, _SCALAR)
            for i, item in enumerate(value):
                if not isinstance(item, items):
                    raise _at(source, base + (key, i), f"services.{name}.{key}.{i} must be "
                              f"{_kind_words(items)}")
        if key in LONG_SYNTAX and isinstance(value, list):
            allowed, kinds = LONG_SYNTAX[key]
            for i, item in enumerate(value):
                if not isinstance(item, dict):
                    continue
                for k in item:
                    if k not in allowed:
                        raise _at(source, base + (key, i, k), f"services.{name}.{key}.{i}."
                                  f"{k}: dockerlings cannot honour this key", key=True)
                kind = item.get(kinds[0]) if kinds else None
                if kinds and kind not in kinds[1]:
                    raise _at(source, base + (key, i, kinds[0]), f"services.{name}.{key}.{i}."
                              f"{kinds[0]} must be one of: {', '.join(kinds[1][1:])}")
        if key == "env_file" and isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict) and (set(item) - {"path", "required"} or
                                               not isinstance(item.get("path"), str)):
                    raise _at(source, base + (key, i), f"services.{name}.env_file.{i} takes a "
                              "path (a string) and required (true or false)")
        if isinstance(value, dict) and key in ("environment", "labels", "extra_hosts"):
            for k, item in value.items():
                if item is not None and not isinstance(item, _SCALAR):
                    raise _at(source, base + (key, k), f"services.{name}.{key}.{k} must "
                              "be a string, a number, a boolean or null")


def _check_nested(source, name: str, service: dict) -> None:
    base = ("services", name)
    _check_values(source, name, service)
    grace = service.get("stop_grace_period")
    if isinstance(grace, str) and not re.fullmatch(r"(\d+(\.\d+)?(h|m|s|ms|us|ns))+", grace):
        raise _at(source, base + ("stop_grace_period",), f"services.{name}.stop_grace_period: "
                  f'time: invalid duration "{grace}"')
    deps = service.get("depends_on")
    if isinstance(deps, dict):
        for dep, how in deps.items():
            if how is not None and not isinstance(how, dict):
                raise _at(source, base + ("depends_on", dep), f"services.{name}.depends_on."
                          f"{dep} must be a mapping")
            for key in (how or {}):
                if key not in DEPENDS_KEYS:
                    raise _at(source, base + ("depends_on", dep, key), f"services.{name}."
                              f"depends_on.{dep} additional properties '{key}' not allowed",
                              key=True)
            if (how or {}).get("restart"):
                raise _at(source, base + ("depends_on", dep, "restart"), f"services.{name}."
                          f"depends_on.{dep}.restart: dockerlings does not restart a service "
                          "when what it depends on is recreated yet", key=True)
            condition = (how or {}).get("condition", "service_started")
            if condition not in CONDITIONS:
                raise _at(source, base + ("depends_on", dep, "condition"),
                          f"services.{name}.depends_on.{dep}.condition must be one of the "
                          f"following: {', '.join(CONDITIONS)}")
            if condition == "service_healthy":
                raise _at(source, base + ("depends_on", dep, "condition"),
                          f"services.{name}.depends_on.{dep}.condition: service_healthy "
                          "needs health checks, which arrive in a later dockerlings chapter")
    build = service.get("build")
    if isinstance(build, dict):
        for key in build:
            if key not in BUILD_KEYS and not key.startswith("x-"):
                raise _at(source, base + ("build", key), f"services.{name}.build.{key}: "
                          "dockerlings cannot honour this key", key=True)
    elif build is not None and not isinstance(build, str):
        raise _at(source, base + ("build",), f"services.{name}.build must be a string or a "
                  "mapping")
    nets = service.get("networks")
    if isinstance(nets, dict):
        for net, how in nets.items():
            if how is not None and not isinstance(how, dict):
                raise _at(source, base + ("networks", net), f"services.{name}.networks.{net} "
                          "must be a mapping or null")
            if isinstance(how, dict) and not isinstance(how.get("aliases", []), list):
                raise _at(source, base + ("networks", net, "aliases"), f"services.{name}."
                          f"networks.{net}.aliases must be a list")
            for key in (how or {}):
                if key not in SERVICE_NETWORK_KEYS:
                    raise _at(source, base + ("networks", net, key), f"services.{name}."
                              f"networks.{net}.{key}: dockerlings cannot honour this key",
                              key=True)
    deploy = service.get("deploy")
    if isinstance(deploy, dict):
        for key, value in deploy.items():
            if key == "replicas":
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise _at(source, base + ("deploy", key), f"services.{name}.deploy."
                              "replicas must be a number (0 or more)")
                continue
            if key != "resources" or not isinstance(value, dict) or set(value) - {"limits"} \
                    or set(value.get("limits") or {}) - {"cpus", "memory", "pids"}:
                raise _at(source, base + ("deploy", key), f"services.{name}.deploy.{key}: "
                          "dockerlings honours deploy.replicas and deploy.resources.limits "
                          "(cpus, memory, pids) only", key=True)


# --- normal forms, so that files merge key by key -------------------------------------

def _normalise(source, doc: dict, workdir: str) -> dict:
    services = {}
    for name, service in (doc.get("services") or {}).items():
        s = dict(service)
        base = ("services", name)
        for key in ("environment", "labels"):
            if key in s:
                s[key] = _mapping(source, base + (key,), s[key])
        if "depends_on" in s:
            deps = s["depends_on"]
            if isinstance(deps, list):
                deps = {d: None for d in deps}
            s["depends_on"] = {d: {"condition": "service_started", "required": True,
                                   **(how or {})} for d, how in deps.items()}
        if "networks" in s and isinstance(s["networks"], list):
            s["networks"] = {n: None for n in s["networks"]}
        for key in ("command", "entrypoint"):
            if isinstance(s.get(key), str):
                try:
                    s[key] = shlex.split(s[key])
                except ValueError as e:
                    raise _at(source, base + (key,), f"services.{name}.{key}: {e}") from None
        for key in ("env_file", "expose", "dns", "tmpfs", "extra_hosts", "profiles",
                    "cap_add", "cap_drop"):
            if isinstance(s.get(key), (str, int)):
                s[key] = [s[key]]
        if "env_file" in s:             # an optional file that is not there is left out
            files = [(f, True) if isinstance(f, str) else (f["path"], f.get("required", True))
                     for f in s["env_file"]]
            s["env_file"] = [_absolute(workdir, f) for f, required in files
                             if required is not False or os.path.exists(_absolute(workdir, f))]
        if "build" in s:
            build = {"context": s["build"]} if isinstance(s["build"], str) else dict(s["build"])
            build["context"] = _absolute(workdir, str(build.get("context", ".")))
            if isinstance(build.get("args"), list):
                build["args"] = _mapping(source, base + ("build", "args"), build["args"])
            s["build"] = build
        if "volumes" in s:
            s["volumes"] = [_volume(v, workdir) for v in s["volumes"]]
        services[name] = s
    out = dict(doc)
    if "services" in doc:
        out["services"] = services
    for top in ("networks", "volumes"):
        if top in doc:
            out[top] = {k: dict(v or {}) for k, v in (doc[top] or {}).items()}
    return out


def _mapping(source, path: tuple, value) -> dict:
    if isinstance(value, dict):
        return {str(k): None if v is None else _scalar(v) for k, v in value.items()}
    if isinstance(value, list):
        out = {}
        for item in value:
            k, sep, v = str(item).partition("=")
            out[k] = v if sep else None
        return out
    raise _at(source, path, f"{_dotted(path)} must be a mapping or a list")


def _scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _volume(v, workdir: str):
    """A short-syntax bind with a relative source becomes absolute, as Compose makes it."""
    if isinstance(v, str):
        source, sep, rest = v.partition(":")
        if sep and source.startswith((".", "~")):
            return _absolute(workdir, source) + ":" + rest
        return v
    if isinstance(v, dict) and v.get("type") == "bind" and isinstance(v.get("source"), str):
        return {**v, "source": _absolute(workdir, v["source"])}
    return v


_APPENDED = ("ports", "expose", "dns", "cap_add", "cap_drop", "extra_hosts", "env_file",
             "tmpfs", "devices", "security_opt", "profiles", "volumes_from", "links")


def _merge(base, over, path: tuple):
    """Compose's merge of a later file over an earlier one: mappings key by key,
    sequences like ports appended, volumes by target, everything else replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base[k], v, path + (k,)) if k in base else v
        return out
    if isinstance(base, list) and isinstance(over, list) and path and len(path) == 3:
        if path[-1] in _APPENDED:
            return base + [v for v in over if v not in base]
        if path[-1] == "volumes":
            targets = {_target(v) for v in over}
            return [v for v in base if _target(v) not in targets] + over
    return over


def _target(v) -> str:
    if isinstance(v, dict):
        return str(v.get("target"))
    parts = str(v).split(":")
    return parts[1] if len(parts) > 1 else parts[0]


# --- the project -------------------------------------------------------------------------

def _project(name, workdir, files, doc, where, variables, profiles) -> Project:
    services = doc.get("services") or {}
    active = {n: s for n, s in services.items()
              if not s.get("profiles") or set(s["profiles"]) & profiles or "*" in profiles}
    networks = {k: v for k, v in (doc.get("networks") or {}).items()}
    volumes = {k: v for k, v in (doc.get("volumes") or {}).items()}
    for sname, s in active.items():
        if "image" not in s and "build" not in s:
            first = next((v for k, v in where.items() if k[:2] == ("services", sname)), None)
            raise located(first, f'service "{sname}" has neither an image nor a build '
                          "context specified: invalid compose project")
        if s.get("network_mode") and s.get("networks"):
            raise located(where.get(("services", sname, "network_mode")), f'service {sname} '
                          "declares mutually exclusive `network_mode` and `networks`: invalid "
                          "compose project")
        if not s.get("network_mode"):
            s.pop("network_mode", None)
            if not s.get("networks"):       # none named (or an empty list): the default
                s["networks"] = {"default": None}
            for net in s["networks"]:
                if net == "default":
                    networks.setdefault("default", {})
                elif net not in networks:
                    raise located(where.get(("services", sname, "networks")),
                                  f'service "{sname}" refers to undefined network {net}: '
                                  "invalid compose project")
        for v in s.get("volumes", []):
            source = _named_source(v)
            if source and source not in volumes:
                raise located(where.get(("services", sname, "volumes")),
                              f'service "{sname}" refers to undefined volume {source}: '
                              "invalid compose project")
        named = [(key, str(v).split(":")[0]) for key in ("volumes_from", "links")
                 for v in s.get(key) or [] if not str(v).startswith("container:")]
        if str(s.get("network_mode", "")).startswith("service:"):
            named.append(("network_mode", s["network_mode"][len("service:"):]))
        for key, other in named:
            if other not in active:
                raise located(where.get(("services", sname, key)), f'service "{sname}" '
                              f'refers to undefined service "{other}" in {key}: invalid '
                              "compose project")
        for dep, how in s.get("depends_on", {}).items():
            if dep not in services:
                raise located(where.get(("services", sname, "depends_on")),
                              f'service "{sname}" depends on undefined service "{dep}": '
                              "invalid compose project")
            if dep not in active and how.get("required", True):
                raise located(where.get(("services", sname, "depends_on")),
                              f'service "{sname}" depends on service "{dep}", which is not '
                              "enabled by the active profiles")
    _check_cycles(active, where)
    return Project(name, workdir, files, active, networks, volumes, variables, where)


def _named_source(v) -> str | None:
    """The volume a service's volume entry names, if it names one."""
    if isinstance(v, dict):
        return v.get("source") if v.get("type", "volume") == "volume" else None
    source, sep, _ = str(v).partition(":")
    if not sep or source.startswith(("/", ".", "~")):
        return None
    return source


def _check_cycles(services: dict, where: dict) -> None:
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = trail[trail.index(name):] + [name]
            raise located(where.get(("services", name, "depends_on")),
                          f"dependency cycle detected: {' -> '.join(cycle)}")
        state[name] = 1
        for dep in services.get(name, {}).get("depends_on", {}):
            if dep in services:
                visit(dep, trail + [name])
        state[name] = 2
    for name in services:
        visit(name, [])
