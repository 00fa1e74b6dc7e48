"""`docker run` / `docker create` options -> the engine's ContainerConfig and HostConfig.

Checks the docker CLI makes itself raise UsageError(kind="option") with its words;
checks the daemon makes are left to the engine.
"""
from __future__ import annotations

import os

from engine.config import (
    ContainerConfig,
    DeviceMapping,
    HostConfig,
    PortBinding,
    RestartPolicy,
)
from engine.errors import InvalidParameter, UsageError
from engine.runtime.caps import NAMES as CAP_NAMES

from ..cli.parser import Invocation, display_name
from ..cli.values import go_json_compact, go_quote


def _option_error(inv: Invocation, message: str) -> UsageError:
    return UsageError(message, kind="option", command=display_name(inv.command, inv.path))


def _read_lines(inv: Invocation, path: str, cwd: str) -> list[str]:
    full = path if os.path.isabs(path) else os.path.join(cwd, path)
    try:
        with open(full, encoding="utf-8") as f:
            return f.read().splitlines()
    except FileNotFoundError:
        raise _option_error(inv, f"open {path}: no such file or directory") from None
    except IsADirectoryError:
        raise _option_error(inv, f"read {path}: is a directory") from None
    except OSError as e:        # a name too long, no permission: Go's words for the errno
        raise _option_error(inv, f"open {path}: {os.strerror(e.errno).lower()}") from None
    except UnicodeDecodeError as e:
        line = e.object[:e.start].count(b"\n") + 1
        raise _option_error(inv, f"env file {path} contains invalid utf8 bytes at line "
                                 f"{line}") from None


def env_list(inv: Invocation, env, files: list[str], values: list[str]) -> list[str]:
    """--env-file then -e, as Docker merges them; a bare NAME takes the shell's value.
    (The parser has checked the -e values already, as docker's opts.ValidateEnv does.)"""
    out: list[str] = []
    for path in files:
        for line in _read_lines(inv, path, env.cwd):
            line = line.lstrip()
            if line and not line.startswith("#"):
                _check_env_file_line(inv, path, line)
                out.extend(_env_item(env, line))
    for item in values:
        out.extend(_env_item(env, item))
    return out


def _check_env_file_line(inv: Invocation, path: str, line: str) -> None:
    """docker's parseKeyValueFile: each line needs a variable name without blanks."""
    name = line.partition("=")[0]
    if " " in name or "\t" in name:
        raise _option_error(inv, f"invalid env file ({path}): variable '{name}' contains "
                                 "whitespaces")
    if not name:
        raise _option_error(inv, f"invalid env file ({path}): no variable name on line "
                                 f"'{line}'")


def _env_item(env, item: str) -> list[str]:
    key, sep, _ = item.partition("=")
    if sep:
        return [item]
    if key in env.environ:
        return [f"{key}={env.environ[key]}"]
    return []


def labels(inv: Invocation, env, files: list[str], values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in files:
        for line in _read_lines(inv, path, env.cwd):
            line = line.strip()
            if line and not line.startswith("#"):
                k, _, v = line.partition("=")
                out[k] = v
    for item in values:
        k, _, v = item.partition("=")
        out[k] = v
    return out


def restart_policy(inv: Invocation, text: str) -> RestartPolicy:
    name, sep, count = (text or "no").partition(":")
    if sep:
        try:
            n = int(count)
        except ValueError:
            raise _option_error(inv, "invalid restart policy format: maximum retry count must "
                                     "be an integer") from None
    else:
        n = 0
    return checked_restart_policy(name, n)


def checked_restart_policy(name: str, n: int) -> RestartPolicy:
    """A policy by the daemon's rules (the command line's and the API's alike)."""
    if name not in ("no", "always", "on-failure", "unless-stopped", ""):
        raise InvalidParameter(f"invalid restart policy: unknown policy '{name}'; use one of "
                               "'no', 'always', 'on-failure', or 'unless-stopped'")
    if n < 0:
        raise InvalidParameter("invalid restart policy: maximum retry count cannot be negative")
    if n and name != "on-failure":
        raise InvalidParameter("invalid restart policy: maximum retry count can only be used "
                               "with 'on-failure'")
    return RestartPolicy(name or "no", n)


def pid_mode(inv: Invocation, text: str | None) -> str:
    if not text:
        return ""
    if text == "host" or (text.startswith("container:") and len(text) > len("container:")):
        return text
    raise _option_error(inv, "--pid: invalid PID mode")


def exposed_ports(inv: Invocation, values: list[str]) -> tuple[str, ...]:
    out = []
    for item in values:
        port, _, proto = item.partition("/")
        proto = proto or "tcp"
        if proto not in ("tcp", "udp", "sctp"):
            raise _option_error(inv, f"invalid proto: {proto}")
        lo, _, hi = port.partition("-")
        try:
            start, end = int(lo), int(hi or lo)
        except ValueError:
            raise _option_error(inv, f"invalid range format for --expose: {item}, error: "
                                     f"strconv.ParseUint: parsing \"{port}\": invalid syntax") \
                from None
        out.extend(f"{p}/{proto}" for p in range(start, end + 1))
    return tuple(out)


def _port_range(text: str) -> tuple[int, int] | None:
    """nat.ParsePortRange: "80" or "8000-8010" -> (start, end); None when malformed."""
    lo, sep, hi = text.partition("-")
    try:
        start, end = int(lo), int(hi) if sep else int(lo)
    except ValueError:
        return None
    if not (0 < start <= 65535 and 0 < end <= 65535) or end < start:
        return None
    return start, end


def port_bindings(inv: Invocation, specs: list[str]):
    """-p values as Docker's nat.ParsePortSpecs reads them: [ip:][hostPort:]containerPort
    [/proto], with ranges. Returns (exposed ports, {"80/tcp": [(ip, host port)]})."""
    exposed: list[str] = []
    bindings: dict[str, list[tuple[str, str]]] = {}
    for spec in specs:
        raw, _, proto = spec.rpartition("/") if "/" in spec else (spec, "", "tcp")
        proto = proto or "tcp"
        if proto not in ("tcp", "udp", "sctp"):
            raise _option_error(inv, f"invalid proto: {proto}")
        ip, host, container = _split_port_spec(raw)
        if ip:
            import ipaddress
            try:
                ipaddress.ip_address(ip.strip("[]"))
            except ValueError:
                raise _option_error(inv, f"invalid IP address: {ip}") from None
        if not container:
            raise _option_error(inv, f"no port specified: {spec}<empty>")
        c_range = _port_range(container)
        if c_range is None:
            raise _option_error(inv, f"invalid containerPort: {container}")
        h_range = _port_range(host) if host else None
        if host and h_range is None:
            raise _option_error(inv, f"invalid hostPort: {host}")
        c_count = c_range[1] - c_range[0]
        if h_range and h_range[1] - h_range[0] != c_count and c_count:
            raise _option_error(inv, f"invalid ranges specified for container and host Ports: "
                                     f"{container} and {host}")
        for i, port in enumerate(range(c_range[0], c_range[1] + 1)):
            key = f"{port}/{proto}"
            if key not in exposed:
                exposed.append(key)
            host_port = ""
            if h_range:
                host_port = str(h_range[0] + i) if c_count else (
                    str(h_range[0]) if h_range[0] == h_range[1] else f"{h_range[0]}-{h_range[1]}")
            bindings.setdefault(key, []).append((ip.strip("[]"), host_port))
    return tuple(exposed), bindings


def _split_port_spec(raw: str) -> tuple[str, str, str]:
    """"ip:host:container", "host:container" or "container" (an IPv6 ip in brackets)."""
    if raw.startswith("["):
        end = raw.find("]")
        ip, rest = raw[:end + 1], raw[end + 2:]
        host, _, container = rest.rpartition(":")
        return ip, host, container
    parts = raw.split(":")
    if len(parts) == 1:
        return "", "", parts[0]
    if len(parts) == 2:
        return "", parts[0], parts[1]
    return ":".join(parts[:-2]), parts[-2], parts[-1]


def capabilities(inv: Invocation, values: list[str]) -> tuple[str, ...] | None:
    if not values:
        return None
    out = []
    for v in values:
        name = v.upper()
        if name == "ALL":
            out.append("ALL")
            continue
        short = name[4:] if name.startswith("CAP_") else name
        if short not in CAP_NAMES:
            raise InvalidParameter(f'unknown capability: "{v}"')
        out.append("CAP_" + short)
    return tuple(out)


def build(env, inv: Invocation, run: bool) -> tuple[ContainerConfig, HostConfig, str | None]:
    o = inv.opts
    if o["rm"] and o["restart"] not in ("no", "", None):
        raise _option_error(inv, "conflicting options: cannot specify both --restart and --rm")
    if o["workdir"] and not o["workdir"].startswith("/"):
        raise InvalidParameter(f"the working directory '{o['workdir']}' is invalid, it needs "
                               "to be an absolute path")
    image, *command = inv.args
    detached = run and o.get("detach")
    attach = [a.lower() for a in o["attach"]]      # checked by the parser, in any case
    if not attach and not detached:
        attach = ["stdout", "stderr"] + (["stdin"] if o["interactive"] else [])
    entrypoint = None
    if "entrypoint" in inv.given:
        entrypoint = (o["entrypoint"],) if o["entrypoint"] else ("",)
    config = ContainerConfig(
        image=image, cmd=tuple(command) or None, entrypoint=entrypoint,
        env=tuple(env_list(inv, env, o["env_file"], o["env"])),
        working_dir=o["workdir"] or "", user=o["user"] or "", hostname=o["hostname"] or "",
        domainname=o["domainname"] or "",
        labels=tuple(labels(inv, env, o["label_file"], o["label"]).items()),
        exposed_ports=exposed_ports(inv, o["expose"]), tty=o["tty"],
        open_stdin=o["interactive"], stdin_once=o["interactive"] and "stdin" in attach and
        not detached, attach_stdin="stdin" in attach, attach_stdout="stdout" in attach,
        attach_stderr="stderr" in attach, stop_signal=o["stop_signal"] or None,
        stop_timeout=o["stop_timeout"] if "stop-timeout" in inv.given else None)
    binds, anonymous = volumes(inv, env.cwd, o["volume"])
    if anonymous:
        config = config.with_(volumes=anonymous)
    pids = o["pids_limit"] if "pids-limit" in inv.given else None
    published_exposed, bindings = port_bindings(inv, o["publish"])
    if published_exposed:
        config = config.with_(exposed_ports=tuple(dict.fromkeys(
            config.exposed_ports + published_exposed)))
    host = HostConfig(
        auto_remove=o["rm"], restart_policy=restart_policy(inv, o["restart"]),
        privileged=o["privileged"], readonly_rootfs=o["read_only"],
        pid_mode=pid_mode(inv, o["pid"]), memory=o["memory"] or 0,
        memory_swap=o["memory_swap"] or 0, cpu_shares=o["cpu_shares"] or 0,
        cpu_quota=o["cpu_quota"] or 0, cpu_period=o["cpu_period"] or 0,
        nano_cpus=o["cpus"] or 0, pids_limit=None if pids is None else (pids if pids > 0 else 0),
        cap_add=capabilities(inv, o["cap_add"]), cap_drop=capabilities(inv, o["cap_drop"]),
        network_mode=o["network"] or o["net"] or "bridge",
        port_bindings=tuple((port, tuple(PortBinding(ip, hp) for ip, hp in bs))
                            for port, bs in bindings.items()),
        publish_all_ports=o["publish_all"], dns=tuple(o["dns"]),
        extra_hosts=tuple(o["add_host"]) or None, links=tuple(o["link"]) or None,
        init=True if o["init"] else None,
        binds=binds,
        mounts=tuple(_absolute_source(m, env.cwd) for m in o["mount"]),
        tmpfs=tmpfs(o["tmpfs"]), volumes_from=tuple(o["volumes_from"]) or None,
        devices=devices(inv, o["device"]),
        device_cgroup_rules=tuple(o["device_cgroup_rule"]) or None,
        security_opt=security_opts(inv, env.cwd, o["security_opt"]))
    return config, host, o["name"]


def security_opts(inv: Invocation, cwd: str, values: list[str]) -> tuple[str, ...] | None:
    """The docker CLI's parseSecurityOpts: KEY=VALUE (or KEY:VALUE), no-new-privileges
    alone; a seccomp profile's file is read here and sent as its compact JSON (so
    `inspect` shows the profile itself, as Docker's does)."""
    out = []
    for text in values:
        key, sep, value = text.partition("=")
        if not sep and key != "no-new-privileges":
            key, sep, value = text.partition(":")
        if (not sep or not value) and key != "no-new-privileges":
            raise _option_error(inv, f"Invalid --security-opt: {go_quote(text)}")
        if key == "seccomp" and value not in ("builtin", "unconfined"):
            text = "seccomp=" + _seccomp_profile(inv, cwd, value)
        out.append(text)
    return tuple(out) or None


def _seccomp_profile(inv: Invocation, cwd: str, path: str) -> str:
    try:
        with open(os.path.join(cwd, path), "rb") as f:
            raw = f.read().decode("utf-8", errors="replace")
    except OSError as e:
        what = "read" if isinstance(e, IsADirectoryError) else "open"
        reason = (e.strerror or str(e)).lower()
        raise _option_error(inv, f"opening seccomp profile ({path}) failed: {what} {path}: "
                                 f"{reason}") from None
    try:
        return go_json_compact(raw)
    except ValueError as e:
        raise _option_error(inv, f"compacting json for seccomp profile ({path}) failed: "
                                 f"{e}") from None


def devices(inv: Invocation, values: list[str]) -> tuple[DeviceMapping, ...]:
    """--device HOST[:CONTAINER][:PERMS], checked and split as the docker CLI does for a
    Linux daemon."""
    from ..cli.planned import is_cdi_name
    out = []
    for text in values:
        if is_cdi_name(text):
            raise UsageError(f"the CDI device {text} cannot be added: dockerlings has no "
                             "Container Device Interface", kind="planned",
                             command=display_name(inv.command, inv.path))
        out.append(_parse_device(_validate_device(inv, text)))
    return tuple(out)


def _validate_device(inv: Invocation, text: str) -> str:
    """docker/cli's validateLinuxPath: [host:]container[:mode] with an absolute container
    path and a valid mode; returns the value with its paths cleaned as docker cleans them."""
    from ..cli.planned import device_mode
    parts = text.split(":")
    if len(parts) > 3 or not parts[0]:
        raise _option_error(inv, f"bad format for path: {text}")
    if len(parts) == 1:
        target, text = parts[0], _go_clean(parts[0])
    elif len(parts) == 2 and device_mode(parts[1]):
        target, text = parts[0], f"{_go_clean(parts[0])}:{parts[1]}"
    elif len(parts) == 2:
        target, text = parts[1], f"{parts[0]}:{_go_clean(parts[1])}"
    else:
        target = parts[1]
        if not device_mode(parts[2]):
            raise _option_error(inv, f"bad mode specified: {parts[2]}")
    if not target.startswith("/"):
        raise _option_error(inv, f"{target} is not an absolute path")
    return text


def _parse_device(text: str) -> DeviceMapping:
    """docker/cli's parseLinuxDevice (after validation): the container path defaults to
    the host's, the permissions to rwm."""
    from ..cli.planned import device_mode
    parts = text.split(":")
    access, target = (parts[2] if len(parts) == 3 else "rwm"), ""
    if len(parts) > 1:
        if device_mode(parts[1]):
            access = parts[1]
        else:
            target = parts[1]
    return DeviceMapping(parts[0], target or parts[0], access)


def _go_clean(path: str) -> str:
    """Go's path.Clean: one leading slash, no "." or "..", no trailing slash."""
    import posixpath
    clean = posixpath.normpath(path)
    return clean[1:] if clean.startswith("//") else clean


def _relative(path: str) -> bool:
    """The docker CLI makes "." and "./x" absolute; other relative names are volumes."""
    return path == "." or path.startswith("./")


def volumes(inv: Invocation, cwd: str, values: list[str]):
    """-v values -> (HostConfig.Binds, Config.Volumes), split as the docker CLI does:
    SOURCE:TARGET[:MODE] are binds (named volumes included), a lone TARGET an anonymous
    volume. The daemon's rules for each are the engine's to apply."""
    binds, anonymous = [], []
    for spec in values:
        source = _volume_source(inv, spec)
        if not source:
            anonymous.append(spec)
            continue
        if _relative(source):
            spec = os.path.normpath(os.path.join(cwd, source)) + spec[len(source):]
        binds.append(spec)
    return tuple(binds) or None, tuple(anonymous)


def _volume_source(inv: Invocation, spec: str) -> str:
    """The source part of a -v value by the docker CLI's reading (compose's
    ParseVolume): "" for an anonymous volume. A single letter before a colon is a
    Windows drive, so "c:..." does not end the source there."""
    if not spec:
        raise _option_error(inv, "invalid empty volume spec")
    if len(spec) <= 2:
        return ""
    fields, buffer = [], ""
    for ch in spec + "\0":
        if ch == ":" and len(buffer) == 1 and buffer.isalpha():
            buffer += ch
        elif ch in ":\0":
            if not buffer:
                raise _option_error(inv, f"invalid spec: {spec}: empty section between colons")
            if len(fields) == 2 and ch == ":":
                raise _option_error(inv, f"invalid spec: {spec}: too many colons")
            fields.append(buffer)
            buffer = ""
        else:
            buffer += ch
    return fields[0] if len(fields) > 1 else ""


def _absolute_source(m, cwd: str):
    if m.type == "bind" and _relative(m.source):
        return m._replace(source=os.path.normpath(os.path.join(cwd, m.source)))
    return m


def tmpfs(values: list[str]) -> tuple:
    """--tmpfs DEST[:OPTIONS] -> HostConfig.Tmpfs items."""
    out = {}
    for v in values:
        dest, _, opts = v.partition(":")
        out[dest] = opts
    return tuple(out.items())


def networking(inv: Invocation) -> dict:
    """--network-alias and --ip: settings for the network the container starts on."""
    o = inv.opts
    return {"aliases": o["network_alias"] + o["net_alias"] or None, "ip": o["ip"] or None}
