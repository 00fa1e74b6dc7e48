"""Commands and options docker has and dockerlings does not support yet ("planned").

A planned option is parsed like any other, its value converted as docker converts it
(values.py), so a bad value is already a flag error in docker's words. Some values the
docker CLI checks only after parsing, still before it would contact a daemon: run and
create's parse() (--uts, --storage-opt, the health checks ...), --platform when the
container is created, `docker rmi --platform`. Those checks are made here, in docker's
order, so a learner's bad value gets docker's answer; a good one gets "not supported by
dockerlings yet".

A check runs only while one of its options is given and still planned: an option that
dockerlings comes to support takes its check along to its command's handler.
"""
from __future__ import annotations

from engine.errors import CliError, UsageError

from . import spec, values

RUN_PATHS = (("container", "run"), ("container", "create"))


def check(cmd: spec.Command, inv, display: str) -> None:
    """Refuse a planned command, or the first planned option given (after docker's own
    checks of the planned options' values). display: the command as docker names it."""
    if cmd.planned:
        raise UsageError(f"'docker {cmd.name}' is not available in dockerlings yet: "
                         f"{cmd.planned}", kind="planned", command=f"docker {cmd.name}")
    planned = [f for f in (cmd.flag(n) for n in sorted(inv.given)) if f and f.planned]
    if not planned:
        return
    for names, checker in CHECKS.get(cmd.path, ()):
        if any(n in inv.given and cmd.flag(n).planned for n in names):
            checker(_Context(cmd, inv, display))
    f = planned[0]
    raise UsageError(f"the {f.label()} option is not supported by dockerlings yet: "
                     f"{f.planned}", kind="planned", command=f"docker {cmd.name}")


class _Context:
    def __init__(self, cmd: spec.Command, inv, display: str):
        self.cmd, self.opts, self.given, self.display = cmd, inv.opts, inv.given, display

    def option_error(self, message: str) -> UsageError:
        """An error of run/create's parse(): "docker: ..." and exit 125."""
        return UsageError(message, kind="option", command=self.display)

    def late_error(self, message: str) -> Exception:
        """An error returned after parsing: `docker run` wraps it as parse()'s errors,
        `docker create` and the others print it bare (exit 1)."""
        if self.cmd.path == ("container", "run"):
            return self.option_error(message)
        return CliError(message)


# --- docker run / create: parse() in docker/cli's cli/command/container/opts.go ----------

def _mac_address(c: _Context) -> None:
    text = c.opts["mac_address"]
    if text and not values.go_parse_mac(text.strip(values.GO_SPACE)):
        raise c.option_error(f"{text} is not a valid mac address")


def _swappiness(c: _Context) -> None:
    n = c.opts["memory_swappiness"]
    if n != -1 and not 0 <= n <= 100:
        raise c.option_error(f"invalid value: {n}. Valid memory swappiness range is 0-100")


def device_mode(mode: str) -> bool:
    """r, w and m, each at most once."""
    return bool(mode) and set(mode) <= set("rwm") and len(set(mode)) == len(mode)


def is_cdi_name(text: str) -> bool:
    """container-device-interface's IsQualifiedName: vendor/class=name."""
    import re
    return re.fullmatch(r"[A-Za-z](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?/"
                        r"[A-Za-z](?:[A-Za-z0-9_-]*[A-Za-z0-9])?="
                        r"[A-Za-z0-9](?:[A-Za-z0-9_.:-]*[A-Za-z0-9])?", text) is not None


def _namespace_modes(c: _Context) -> None:
    for name, valid, word in (("uts", ("", "host"), "UTS"), ("userns", ("", "host"), "USER"),
                              ("cgroupns", ("", "host", "private"), "CGROUP")):
        if name in c.given and c.opts[name] not in valid:
            raise c.option_error(f"--{name}: invalid {word} mode")


def _logging(c: _Context) -> None:
    if c.opts["log_driver"] == "none" and c.opts["log_opt"]:
        raise c.option_error("invalid logging opts for driver none")


def _storage_opts(c: _Context) -> None:
    if any("=" not in text for text in c.opts["storage_opt"]):
        raise c.option_error("invalid storage option")


HEALTH_TIMES = ("health-interval", "health-timeout", "health-start-period",
                "health-start-interval")


def _healthcheck(c: _Context) -> None:
    o = c.opts
    times = {name: o[name.replace("-", "_")] or 0 for name in HEALTH_TIMES}
    settings = bool(o["health_cmd"]) or any(times.values()) or bool(o["health_retries"])
    if o["no_healthcheck"] and settings:
        raise c.option_error("--no-healthcheck conflicts with --health-* options")
    if o["no_healthcheck"] or not settings:
        return
    for name in ("health-interval", "health-timeout"):
        if times[name] < 0:
            raise c.option_error(f"--{name} cannot be negative")
    if (o["health_retries"] or 0) < 0:
        raise c.option_error("--health-retries cannot be negative")
    for name in ("health-start-period", "health-start-interval"):
        if times[name] < 0:
            raise c.option_error(f"--{name} cannot be negative")


def _platform(c: _Context) -> None:
    """createContainer's platforms.Parse, after parse() (empty: no platform)."""
    text = c.opts["platform"]
    if text:
        try:
            values.go_platform(text)
        except ValueError as e:
            raise c.late_error(f"error parsing specified platform: {e}") from None


HEALTH_FLAGS = ("no-healthcheck", "health-cmd", "health-retries") + HEALTH_TIMES

# In the order docker makes them (parse(), then createContainer).
RUN_CHECKS = (
    (("mac-address",), _mac_address),
    (("memory-swappiness",), _swappiness),
    (("uts", "userns", "cgroupns"), _namespace_modes),
    (("log-driver", "log-opt"), _logging),
    (("storage-opt",), _storage_opts),
    (HEALTH_FLAGS, _healthcheck),
    (("platform",), _platform),
)


# --- docker rmi --platform -----------------------------------------------------------------

def _rmi_platforms(c: _Context) -> None:
    """A string slice (CSV, as pflag splits it), each parsed before anything is removed;
    the error is printed bare."""
    for text in c.opts["platform"]:
        try:
            items = values.go_csv_record(text) if text else []
        except ValueError as e:
            name = c.cmd.flag("platform").label()
            raise UsageError(f'invalid argument {values.go_quote(text)} for "{name}" flag: '
                             f"{e}", kind="flag", command=c.display,
                             usage=f"{c.display} {c.cmd.usage}") from None
        for item in items:
            try:
                values.go_platform(item)
            except ValueError as e:
                raise CliError(str(e)) from None


CHECKS = {path: RUN_CHECKS for path in RUN_PATHS}
CHECKS[("image", "rm")] = ((("platform",), _rmi_platforms),)
