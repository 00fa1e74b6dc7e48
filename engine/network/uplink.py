"""The optional uplink: containers reach the internet through slirp4netns, as with
rootless Docker.

Off unless DOCKERLINGS_UPLINK asks for it. When on, dl-netd starts one slirp4netns per
engine root, attached to the engine's namespace, where it makes `tap0` (10.0.2.100/24,
default route via 10.0.2.2, DNS at 10.0.2.3). Inside that namespace, and only there,
forwarding is switched on and an nftables table masquerades container traffic leaving
through tap0; only bridges marked with UPLINK_GROUP may leave (an --internal network's
bridge never carries the mark), and from tap0 only replies come in. slirp4netns is the
helper's child: it is restarted if it dies, it ends when the helper ends (its exit fd
is a pipe the helper holds), and `engine reset` ends it. Its pid is in <run>/uplink.pid
and its state in <run>/uplink.json. Nothing here touches the host's own interfaces,
routes, sysctls or firewall.

Settings (read by the process that starts a container):
  DOCKERLINGS_UPLINK               off (default) | auto | slirp4netns | pasta
  DOCKERLINGS_UPLINK_HOST_LOOPBACK 1 lets 10.0.2.2 reach the host's 127.0.0.1 (default 0)
  DOCKERLINGS_UPLINK_OUTBOUND      a host IPv4 address slirp4netns binds its outbound
                                   sockets to (tests use 127.0.0.1: nothing can leave)
"""
from __future__ import annotations

import errno
import json
import os
import signal
import sys
import time
from collections import namedtuple

from . import netns

MODES = ("off", "auto", "slirp4netns", "pasta")
TAP = "tap0"
ADDRESS = "10.0.2.100"
GATEWAY = "10.0.2.2"          # the host, as slirp4netns shows it
DNS = "10.0.2.3"              # slirp4netns's DNS forwarder
MTU = 65520
UPLINK_GROUP = 0x646c         # interface group of bridges whose containers may go out
TABLE = "dockerlings"
READY_TIMEOUT = 10.0
MAX_RESTARTS = 3              # within RESTART_WINDOW seconds, then it is reported failed
RESTART_WINDOW = 60.0


class UplinkError(Exception):
    pass


class Settings(namedtuple("Settings", "mode host_loopback outbound")):
    """What the environment asks for; `mode` is one of MODES."""

    __slots__ = ()

    @classmethod
    def from_env(cls, environ=os.environ) -> "Settings":
        mode = (environ.get("DOCKERLINGS_UPLINK") or "off").strip().lower()
        if mode in ("0", "no", "false", "none"):
            mode = "off"
        if mode not in MODES:
            raise UplinkError(f"DOCKERLINGS_UPLINK={environ.get('DOCKERLINGS_UPLINK')}: "
                              f"expected one of {', '.join(MODES)}")
        loopback = (environ.get("DOCKERLINGS_UPLINK_HOST_LOOPBACK") or "0").strip().lower()
        if loopback not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
            raise UplinkError(f"DOCKERLINGS_UPLINK_HOST_LOOPBACK={loopback}: expected 0 or 1")
        outbound = (environ.get("DOCKERLINGS_UPLINK_OUTBOUND") or "").strip()
        if outbound:
            import ipaddress
            try:
                ipaddress.IPv4Address(outbound)
            except ValueError:
                raise UplinkError(f"DOCKERLINGS_UPLINK_OUTBOUND={outbound}: expected an "
                                  "IPv4 address") from None
        return cls(mode, loopback in ("1", "true", "yes", "on"), outbound)

    @property
    def on(self) -> bool:
        return self.mode != "off"

    def as_dict(self) -> dict:
        return self._asdict()


def requested(environ=os.environ) -> dict | None:
    """The settings to send with an attach request, or None when the uplink is off."""
    s = Settings.from_env(environ)
    return s.as_dict() if s.on else None


def check(environ=os.environ) -> None:
    """Raise UplinkError when the setting is malformed or names a tool this machine
    cannot run (checked before a container starts, so the start fails cleanly)."""
    s = Settings.from_env(environ)
    if s.on:
        choose_tool(s.mode)


def choose_tool(mode: str, which=None) -> tuple[str | None, str]:
    """(path of slirp4netns or None, why not). 'auto' quietly takes none; an explicit
    mode whose tool is missing, not driven by this engine, or cannot run here (no
    /dev/net/tun to open) raises UplinkError."""
    if mode == "off":
        return None, "off"
    if which is None:
        from shutil import which
    slirp, pasta = which("slirp4netns"), which("pasta")
    if mode in ("auto", "slirp4netns") and slirp:
        problem = tun_problem()
        if problem and mode == "slirp4netns":
            raise UplinkError(f"DOCKERLINGS_UPLINK=slirp4netns: {problem}")
        return (None, problem) if problem else (slirp, "")
    if mode == "slirp4netns":
        raise UplinkError("DOCKERLINGS_UPLINK=slirp4netns, but slirp4netns is not installed")
    if mode == "pasta":
        raise UplinkError("DOCKERLINGS_UPLINK=pasta: " + (
            "pasta is installed, but this engine drives only slirp4netns so far; install "
            "slirp4netns and use DOCKERLINGS_UPLINK=slirp4netns" if pasta else
            "pasta is not installed (and this engine drives only slirp4netns so far)"))
    return None, ("pasta is installed, but this engine drives only slirp4netns"
                  if pasta else "neither slirp4netns nor pasta is installed")


TUN = "/dev/net/tun"


def tun_problem() -> str | None:
    """Why slirp4netns could not make its tap device here, or None. It opens /dev/net/tun
    as the engine's user: root may always; an ordinary user's engine only where the
    device is open to everyone (crw-rw-rw-, as most machines have it). Asked before a
    start, so a start that wants the uplink fails at once and cleanly, not after
    slirp4netns's child gave up."""
    try:
        fd = os.open(TUN, os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        import stat
        try:
            mode = f" ({stat.filemode(os.stat(TUN).st_mode)}: open to its owner only)" \
                if e.errno in (errno.EACCES, errno.EPERM) else ""
        except OSError:
            mode = ""
        return (f"slirp4netns cannot open {TUN}: {e.strerror}{mode}; an ordinary user's "
                "uplink needs it open to every user (crw-rw-rw-, as on most machines)")
    os.close(fd)
    return None


def slirp_args(path: str, pin: str, settings: Settings, ready_fd: int,
               exit_fd: int) -> list[str]:
    args = [path, "--configure", f"--mtu={MTU}", "--netns-type=path",
            f"--ready-fd={ready_fd}", f"--exit-fd={exit_fd}", "--enable-sandbox",
            "--enable-seccomp"]
    if not settings.host_loopback:
        args.append("--disable-host-loopback")
    if settings.outbound:
        args.append(f"--outbound-addr={settings.outbound}")
    return args + [pin, TAP]


def nft_ruleset(tap: str = TAP, group: int = UPLINK_GROUP) -> str:
    """Replaces the engine's table (in the engine's namespace): marked bridges may go
    out through the tap, with masquerade; from the tap only replies come in; nothing
    else is routed, so one network's containers never reach another's (Docker's
    isolation; what a bridge carries between its own ports is not routed, and with
    br_netfilter off in the namespace it never meets this chain)."""
    return f"""add table ip {TABLE}
delete table ip {TABLE}
table ip {TABLE} {{
    chain forward {{
        type filter hook forward priority filter; policy drop;
        iifname "{tap}" ct state established,related accept
        iifname "{tap}" drop
        oifname "{tap}" iifgroup {group:#x} accept
        oifname "{tap}" drop
    }}
    chain postrouting {{
        type nat hook postrouting priority srcnat; policy accept;
        oifname "{tap}" counter masquerade
    }}
}}
"""


# --- state under <run> -------------------------------------------------------------------

def pid_path(run: str) -> str:
    return os.path.join(run, "uplink.pid")


def state_path(run: str) -> str:
    return os.path.join(run, "uplink.json")


def state(run: str) -> dict | None:
    try:
        with open(state_path(run)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _write_state(run: str, **fields) -> None:
    tmp = state_path(run) + ".tmp"
    with open(tmp, "w") as f:
        json.dump(fields, f)
    os.replace(tmp, state_path(run))


def is_slirp(pid: int, run: str) -> bool:
    """Whether `pid` is a living slirp4netns of this engine root."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().split(b"\0")
    except OSError:
        return False
    comm, rest = stat.split("(", 1)[1].rsplit(")", 1)
    return (comm == "slirp4netns" and rest.split()[0] != "Z"
            and netns.pin_path(run).encode() in cmdline)


def up(run: str) -> dict | None:
    """The uplink's state when it is running now, else None."""
    s = state(run)
    if s and s.get("state") == "up" and is_slirp(s.get("pid", 0), run):
        return s
    return None


def kill_leftover(run: str) -> None:
    """End this engine's slirp4netns if it is still there (its helper was killed before
    it could stop it; normally it ends with the helper's exit fd)."""
    try:
        with open(pid_path(run)) as f:
            pid = int(f.read())
    except (OSError, ValueError):
        return
    deadline = time.monotonic() + 3
    sig = signal.SIGTERM
    while is_slirp(pid, run) and time.monotonic() < deadline:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        time.sleep(0.05)
        if time.monotonic() > deadline - 2:
            sig = signal.SIGKILL


# --- in dl-netd -------------------------------------------------------------------------

def _check_inside(engine_ns: int, home_ino: int) -> None:
    """Refuse to go on unless this thread is in the engine's namespace: a sysctl or a
    firewall rule written anywhere else would change the host."""
    here = os.stat("/proc/thread-self/ns/net").st_ino
    if here != os.fstat(engine_ns).st_ino or here == home_ino:
        raise UplinkError("not inside the engine's network namespace; refusing to "
                          "configure it")


def _write_sysctl(engine_ns: int, name: str, value: str) -> None:
    """A per-namespace sysctl (net.*), written from inside the engine's namespace."""
    home_ino = os.stat("/proc/thread-self/ns/net").st_ino

    def write() -> None:
        _check_inside(engine_ns, home_ino)
        with open(f"/proc/sys/net/{name}", "w") as f:
            f.write(value)
    netns.inside(engine_ns, write)


def _run_nft(engine_ns: int, ruleset: str) -> None:
    import shutil
    import subprocess
    nft = shutil.which("nft") or shutil.which("nft", path="/usr/sbin:/sbin")
    if not nft:
        raise UplinkError("nft (nftables) is not installed; the uplink needs it for NAT")
    home_ino = os.stat("/proc/thread-self/ns/net").st_ino

    def enter():                      # in the forked child, before exec
        from ..runtime import syscalls as sc
        sc.setns(engine_ns, sc.CLONE_NEWNET)
        _check_inside(engine_ns, home_ino)

    r = subprocess.run([nft, "-f", "-"], input=ruleset.encode(), capture_output=True,
                       preexec_fn=enter, pass_fds=(engine_ns,), timeout=20)
    if r.returncode:
        raise UplinkError("nft failed: " + r.stderr.decode(errors="replace").strip())


def list_rules(engine_ns: int) -> str | None:
    """The nftables ruleset of the engine's namespace as `nft list ruleset` prints it
    ("" when it has none; None when nft is not installed)."""
    import shutil
    import subprocess
    nft = shutil.which("nft") or shutil.which("nft", path="/usr/sbin:/sbin")
    if not nft:
        return None
    home_ino = os.stat("/proc/thread-self/ns/net").st_ino

    def enter():
        from ..runtime import syscalls as sc
        sc.setns(engine_ns, sc.CLONE_NEWNET)
        _check_inside(engine_ns, home_ino)
    r = subprocess.run([nft, "list", "ruleset"], capture_output=True, preexec_fn=enter,
                       pass_fds=(engine_ns,), timeout=20)
    return r.stdout.decode(errors="replace").strip() if r.returncode == 0 else None


def configure_namespace(engine_ns: int) -> None:
    """Forwarding on and the NAT table in, both in the engine's namespace only. Where
    br_netfilter is loaded, a new namespace hands bridged frames to the IP hooks too:
    off there (the namespace's own setting), so the forward chain sees only routed
    packets and may drop all but the uplink's."""
    try:
        _write_sysctl(engine_ns, "bridge/bridge-nf-call-iptables", "0")
    except FileNotFoundError:
        pass                  # no br_netfilter: bridged frames never meet the IP hooks
    _write_sysctl(engine_ns, "ipv4/ip_forward", "1")
    _run_nft(engine_ns, nft_ruleset())


class Uplink:
    """dl-netd's slirp4netns: started on the first request that wants it, watched,
    restarted, stopped with the helper."""

    def __init__(self, run: str, engine_ns: int, log=None):
        import subprocess
        self.subprocess = subprocess
        self.run = run
        self.engine_ns = engine_ns
        self.log = log or (lambda msg: print(f"uplink: {msg}", file=sys.stderr, flush=True))
        self.proc: subprocess.Popen | None = None
        self.exit_w = -1
        self.settings: Settings | None = None
        self.tool = ""
        self.configured = False
        self.restarts: list[float] = []
        self.unavailable = ""

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def want(self, settings: dict) -> None:
        """Make sure the uplink runs; raises UplinkError for an explicit mode that
        cannot be had ('auto' without a tool just records why)."""
        s = Settings(**settings)
        if self.running or not s.on or (s == self.settings and self.unavailable):
            return
        self.settings = s
        self.restarts.clear()
        try:
            path, why = choose_tool(s.mode)
            if path is None:          # 'auto' on a machine without a tool: say it once
                self.unavailable = why
                self._record("unavailable", error=why)
                return
            self.tool = path
            self._start()
        except (UplinkError, OSError, self.subprocess.SubprocessError) as e:
            self._record("failed", error=str(e))
            if s.mode != "auto":
                raise UplinkError(str(e)) from None
            self.log(f"not started: {e}")

    def _start(self) -> None:
        self._close_exit_fd()           # a previous slirp4netns's, if it died unseen
        if not self.configured:
            configure_namespace(self.engine_ns)
            self.configured = True
        ready_r, ready_w = os.pipe()
        exit_r, self.exit_w = os.pipe2(os.O_CLOEXEC)
        try:
            self.proc = self.subprocess.Popen(
                slirp_args(self.tool, netns.pin_path(self.run), self.settings, ready_w,
                           exit_r),
                stdin=self.subprocess.DEVNULL, pass_fds=(ready_w, exit_r),
                start_new_session=True)
        except OSError:
            os.close(self.exit_w)
            self.exit_w = -1
            raise
        finally:
            os.close(ready_w)
            os.close(exit_r)
        with open(pid_path(self.run), "w") as f:
            f.write(str(self.proc.pid))
        try:
            import select
            ready = select.select([ready_r], [], [], READY_TIMEOUT)[0]
            ok = bool(ready) and os.read(ready_r, 1) == b"1"
        finally:
            os.close(ready_r)
        if not ok:
            self._end()
            raise UplinkError("slirp4netns did not come up; see netd.log")
        self._record("up")
        self.log(f"slirp4netns {self.proc.pid} up on {TAP}")

    def _record(self, status: str, error: str = "") -> None:
        s = self.settings
        _write_state(self.run, state=status, tool="slirp4netns" if self.tool else "",
                     mode=s.mode if s else "off", pid=self.proc.pid if self.proc else 0,
                     address=f"{ADDRESS}/24", gateway=GATEWAY, dns=DNS, tap=TAP,
                     host_loopback=bool(s and s.host_loopback),
                     outbound=s.outbound if s else "", restarts=len(self.restarts),
                     error=error)

    def poll(self) -> None:
        """Called often: restart slirp4netns if it died, a few times, then report."""
        if self.proc is None or self.proc.poll() is None:
            return
        code = self.proc.returncode
        self._close_exit_fd()
        self.proc = None
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < RESTART_WINDOW]
        if len(self.restarts) >= MAX_RESTARTS:
            why = f"slirp4netns exited ({code}) {MAX_RESTARTS + 1} times within a minute"
            self.log(why + "; not restarting it (the next container start tries again)")
            self._record("failed", error=why)
            return
        self.restarts.append(now)
        self.log(f"slirp4netns exited ({code}); restarting it")
        try:
            self._start()
        except (UplinkError, OSError, self.subprocess.SubprocessError) as e:
            self.log(f"restart failed: {e}")
            self._record("failed", error=str(e))

    def _close_exit_fd(self) -> None:
        if self.exit_w >= 0:
            os.close(self.exit_w)
            self.exit_w = -1

    def _end(self) -> None:
        """Close the exit fd (slirp4netns leaves on its own) and wait for it."""
        self._close_exit_fd()
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=3)
        except self.subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        self._end()
        self._record("stopped")
        try:
            os.unlink(pid_path(self.run))
        except FileNotFoundError:
            pass


def describe(run: str, environ=os.environ) -> str:
    """One line for `dockerlings engine info`."""
    try:
        s = Settings.from_env(environ)
    except UplinkError as e:
        return f"invalid setting: {e}"
    live = up(run)
    if live:
        extra = ", host loopback at 10.0.2.2" if live.get("host_loopback") else ""
        return (f"slirp4netns running (pid {live['pid']}, {live['address']} via "
                f"{live['gateway']}, DNS {live['dns']}{extra})")
    if not s.on:
        return "off (DOCKERLINGS_UPLINK=auto|slirp4netns turns it on)"
    try:
        path, why = choose_tool(s.mode)
    except UplinkError as e:
        return f"{s.mode}: {e}"
    if path is None:
        return f"{s.mode}: none ({why})"
    last = state(run) or {}
    if last.get("state") == "failed":
        return f"{s.mode}: slirp4netns failed: {last.get('error')}"
    return f"{s.mode}: slirp4netns starts with the first container on a bridge network"
