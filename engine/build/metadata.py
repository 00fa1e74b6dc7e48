"""The instructions that only change the image's config: ENV, LABEL, CMD, ENTRYPOINT,
EXPOSE, VOLUME, USER, STOPSIGNAL, SHELL, HEALTHCHECK, ONBUILD, MAINTAINER.

Each `apply_X(state, inst, env)` changes the state and returns what the step's cache
key and history entry need: the instruction's effect as data, and its CREATED BY text
in BuildKit's form (`CMD ["node" "timers/up.js"]`, `EXPOSE map[3000/tcp:{}]`, `ENV
MODE=prod`), which BuildKit writes with Go's %q and %v; these helpers reproduce them.
"""
from __future__ import annotations

import re
import signal as _signal

from .errors import BuildError
from .expand import expand

_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
          "m": 60_000_000_000, "h": 3_600_000_000_000}


# --- Go's formatting, as BuildKit's history strings use it ----------------------------------

def go_quote(s: str) -> str:
    """strconv.Quote for the strings Dockerfiles hold."""
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_quoted_list(items: list[str]) -> str:
    """fmt's %q of a []string: ["node" "timers/up.js"]."""
    return "[" + " ".join(go_quote(i) for i in items) + "]"


def go_list(items) -> str:
    """fmt's %v of a slice: [/data /logs]."""
    return "[" + " ".join(str(i) for i in items) + "]"


def go_quote_rune(n: int) -> str:
    """%q of an int (HEALTHCHECK's Retries in BuildKit's history line): '\\x03'."""
    named = {7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r",
             39: "\\'", 92: "\\\\"}
    if n in named:
        return f"'{named[n]}'"
    if n < 0x20 or n == 0x7f:
        return f"'\\x{n:02x}'"
    return f"'{chr(n)}'"


def go_duration(ns: int) -> str:
    """time.Duration's String(): 30s, 1m30s, 1h0m0s, 500ms, 0s."""
    if ns == 0:
        return "0s"
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return f"{_trim(ns / size)}{unit}"
    h, rest = divmod(ns, 3_600_000_000_000)
    m, rest = divmod(rest, 60_000_000_000)
    s = _trim(rest / 1_000_000_000) + "s"
    if h:
        return f"{h}h{m}m{s}"
    if m:
        return f"{m}m{s}"
    return s


def _trim(x: float) -> str:
    text = f"{x:.9f}".rstrip("0").rstrip(".")
    return text or "0"


def parse_duration(text: str) -> int:
    """Go's time.ParseDuration, in nanoseconds."""
    if text in ("0", ""):
        return 0
    pos, total = 0, 0
    for m in _DURATION.finditer(text):
        if m.start() != pos:
            break
        total += int(float(m.group(1)) * _UNITS[m.group(2)])
        pos = m.end()
    if pos != len(text) or pos == 0:
        raise BuildError(f'time: invalid duration "{text}"')
    return total


# --- shell and exec forms ---------------------------------------------------------------------

def command_line(state, inst) -> list[str]:
    """The argv of CMD, ENTRYPOINT or RUN: exec form as written, shell form through the
    stage's SHELL (/bin/sh -c by default)."""
    if inst.json:
        return list(inst.args)
    return state.shell() + [inst.args[0]] if inst.args else []


# --- the instructions -----------------------------------------------------------------------

def _pairs(inst, env: dict) -> list[tuple[str, str]]:
    """ENV and LABEL: every pair sees the values from before the instruction (Docker's
    rule: `ENV a=1 b=$a` gives b the old a)."""
    return [(expand(k, env), expand(v or "", env)) for k, v in inst.pairs]


def apply_env(state, inst, env):
    pairs = _pairs(inst, env)
    for k, v in pairs:
        state.set_env(k, v)
    return pairs, "ENV " + " ".join(f"{k}={v}" for k, v in pairs)


def apply_label(state, inst, env):
    pairs = _pairs(inst, env)
    labels = dict(state.config.get("Labels") or {})
    for k, v in pairs:
        labels[k] = v
    state.config["Labels"] = labels
    return pairs, "LABEL " + " ".join(f"{k}={v}" for k, v in pairs)


def apply_cmd(state, inst, env):
    argv = command_line(state, inst)
    state.config["Cmd"] = argv
    state.cmd_set = True
    return argv, f"CMD {go_quoted_list(argv)}"


def apply_entrypoint(state, inst, env):
    argv = command_line(state, inst)
    state.config["Entrypoint"] = argv
    if not state.cmd_set:          # a base image's CMD does not fit a new ENTRYPOINT
        state.config["Cmd"] = None
    return argv, f"ENTRYPOINT {go_quoted_list(argv)}"


def apply_expose(state, inst, env):
    ports: dict[str, dict] = {}
    for word in inst.args:
        for port in _port_specs(expand(word, env)):
            ports[port] = {}
    state.config["ExposedPorts"] = {**(state.config.get("ExposedPorts") or {}), **ports}
    shown = " ".join(f"{p}:{{}}" for p in sorted(ports))
    return sorted(ports), f"EXPOSE map[{shown}]"


def _port_specs(text: str) -> list[str]:
    port, _, proto = text.partition("/")
    proto = (proto or "tcp").lower()
    if proto not in ("tcp", "udp", "sctp"):
        raise BuildError(f"invalid proto: {proto}")
    low, dash, high = port.partition("-")
    if not low.isdigit() or (dash and not high.isdigit()):
        raise BuildError(f"invalid containerPort: {port}")
    first, last = int(low), int(high) if dash else int(low)
    if first > 65535 or last > 65535 or last < first:
        raise BuildError(f"invalid containerPort: {port}")
    return [f"{p}/{proto}" for p in range(first, last + 1)]


def apply_volume(state, inst, env):
    vols = [expand(v, env) for v in inst.args]
    if any(not v for v in vols):
        raise BuildError("VOLUME specified can not be an empty string")
    state.config["Volumes"] = {**(state.config.get("Volumes") or {}), **{v: {} for v in vols}}
    return vols, f"VOLUME {go_list(vols)}"


def apply_user(state, inst, env):
    user = expand(inst.args[0], env)
    state.config["User"] = user
    return user, f"USER {user}"


def apply_stopsignal(state, inst, env):
    sig = expand(inst.args[0], env)
    if not _valid_signal(sig):
        raise BuildError(f'failed to process "{sig}": invalid signal')
    state.config["StopSignal"] = sig
    return sig, f"STOPSIGNAL {sig}"


def _valid_signal(text: str) -> bool:
    if text.isdigit():
        return 0 < int(text) < 65
    name = text.upper()
    name = name if name.startswith("SIG") else "SIG" + name
    return hasattr(_signal.Signals, name) or name.startswith("SIGRTM")


def apply_shell(state, inst, env):
    state.config["Shell"] = list(inst.args)
    return inst.args, f"SHELL {go_list(inst.args)}"


def apply_healthcheck(state, inst, env):
    if inst.args[0] == "NONE":
        test = ["NONE"]
    elif inst.json:
        test = ["CMD"] + inst.args[1:]
    else:
        test = ["CMD-SHELL", inst.args[1]]
    health: dict = {"Test": test}
    times = {}
    for flag, key in (("interval", "Interval"), ("timeout", "Timeout"),
                      ("start-period", "StartPeriod"), ("start-interval", "StartInterval")):
        ns = parse_duration(inst.flags.get(flag, "0"))
        if 0 < ns < 1_000_000:
            raise BuildError(f"{key} \"{inst.flags[flag]}\" cannot be less than 1ms")
        times[key] = ns
        if ns:
            health[key] = ns
    retries = _retries(inst.flags.get("retries", "0"))
    if retries:
        health["Retries"] = retries
    state.config["Healthcheck"] = health
    shown = " ".join(go_quote(go_duration(times[k])) for k in
                     ("Interval", "Timeout", "StartPeriod", "StartInterval"))
    return health, f"HEALTHCHECK &{{{go_quoted_list(test)} {shown} {go_quote_rune(retries)}}}"


def _retries(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise BuildError(f'strconv.ParseInt: parsing "{text}": invalid syntax') from None
    if n < 0:
        raise BuildError("--retries cannot be negative")
    return n


def apply_onbuild(state, inst, env):
    expression = inst.args[0]
    state.config["OnBuild"] = list(state.config.get("OnBuild") or []) + [expression]
    return expression, f"ONBUILD {expression}"


def apply_maintainer(state, inst, env):
    state.author = inst.args[0]
    return inst.args[0], f"MAINTAINER {inst.args[0]}"


APPLY = {
    "ENV": apply_env, "LABEL": apply_label, "CMD": apply_cmd, "ENTRYPOINT": apply_entrypoint,
    "EXPOSE": apply_expose, "VOLUME": apply_volume, "USER": apply_user,
    "STOPSIGNAL": apply_stopsignal, "SHELL": apply_shell, "HEALTHCHECK": apply_healthcheck,
    "ONBUILD": apply_onbuild, "MAINTAINER": apply_maintainer,
}
