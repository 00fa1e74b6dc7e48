"""The Engine: the one API the shell and the lessons call.

It is daemonless: every call works directly on the store under the engine root, and
each running container has its own monitor process (see monitor.py) that the calls
talk to for attach, wait, stop and kill.
"""
from __future__ import annotations

import os
import re
import signal as _signal
import socket
import time

from .system import events, owners
from .supervisor import launch, monitor, protocol
from .images import reference
from .util import timeutil
from . import trust
from .config import ContainerConfig, HostConfig
from .errors import (RootlessUnavailable,
    Conflict,
    ContainerNotRunning,
    EngineError,
    InvalidParameter,
    NameInUse,
    NoSuchContainer,
    NoSuchImage,
    StartFailed,
    System,
)
from .util.fsutil import remove_tree, unlink_quiet
from .supervisor.lifecycle import Lifecycle
from .containers.names import generate as generate_name
from .paths import Paths
from .runtime import cgroups, rootfs, syscalls as sc, userns
from .store import lock
from .store.containers import Container, ContainerStore, name_problem
from .store.images import Image, ImageStore
from .store.layers import LayerStore

DEFAULT_STOP_TIMEOUT = 10


def signal_number(sig: str | int) -> int:
    """'KILL', 'SIGKILL', '9' or 9 -> 9, with Docker's error for anything else."""
    if isinstance(sig, int):
        return sig
    text = sig.strip().upper()
    if text.isdigit():
        n = int(text)
        if 0 < n < 65:
            return n
    else:
        name = text if text.startswith("SIG") else "SIG" + text
        if hasattr(_signal.Signals, name):
            return int(getattr(_signal.Signals, name))
    raise InvalidParameter(f"invalid signal: {sig}")


def run_exit_code(message: str) -> int:
    """The exit status `docker run` gives for a start failure (the CLI's toStatusError)."""
    if any(s in message for s in ("executable file not found", "no such file or directory",
                                  "system cannot find the file specified")):
        return 127
    if "permission denied" in message or "is a directory" in message:
        return 126
    return 125


def _go_quote(text: str) -> str:
    """Go's %q for the names Docker quotes in messages (only errors need it)."""
    from .build.metadata import go_quote
    return go_quote(text)


def _image_name(text: str) -> str:
    """How Docker names a missing image: with ":latest" when no tag was given."""
    try:
        ref = reference.parse(text, default_tag=None)
    except EngineError:
        return text
    return text + ":latest" if ref.tag is None and ref.digest is None else text


class Engine:
    def __init__(self, paths: Paths | None = None):
        self.paths = paths or Paths.from_env()
        if userns.failure():
            raise RootlessUnavailable(userns.failure())
        self.paths.ensure()
        self.layers = LayerStore(self.paths)
        self.images = ImageStore(self.paths, self.layers)
        self.store = ContainerStore(self.paths)
        self.life = Lifecycle(str(self.paths.root), str(self.paths.run))
        self.cgroup_scope = self.life.scope

    # ============================================================= ownership ===
    @property
    def owner(self) -> str | None:
        """Who the objects made from now on are made for ("LESSON/STEP" while a lesson
        runs, else None): noted in the engine's own records (owners.py), never on the
        objects."""
        return owners.active(self.paths.root)

    @owner.setter
    def owner(self, value: str | None) -> None:
        owners.set_active(self.paths.root, value)

    def owners(self) -> dict[tuple[str, str], str]:
        """(kind, id) -> owner of the objects that exist and were made for someone
        (kind: container, image, network, volume, tag; a volume's id is its name, a
        tag's its full reference)."""
        noted = owners.read(self.paths.root)
        if not noted:
            return {}
        exists = {"container": {c.id for c in self.store.all()},
                  "image": set(self.images.ids()), "tag": set(self.images.refs()),
                  "network": {n["Id"] for n in self.networks()},
                  "volume": {v["Name"] for v in self.volumes()}}
        return {k: o for k, o in noted.items() if k[1] in exists.get(k[0], ())}

    # ================================================================= images ===
    def get_image(self, text: str) -> Image:
        img = self.images.find(text)
        if img is None:
            raise NoSuchImage(_image_name(text))
        return img

    def list_images(self) -> list[Image]:
        return self.images.all()

    def pull(self, text: str, progress=None, event=None, platform: str | None = None,
             environ=None, login: tuple[str, str] | None = None) -> Image:
        """environ: where registry logins are looked up (DOCKER_CONFIG, HOME); login: the
        one the client sent instead (the API; () for none)."""
        from .images import ops
        img = ops.pull(self, text, progress, event=event, platform=platform, environ=environ,
                       login=login)
        name = reference.parse(text).familiar()
        events.emit(self.paths.root, "image", "pull", name, {"name": name})
        return img

    def ensure_image(self, text: str, progress=None) -> Image:
        """The image to create a container from: local, or made offline like a pull."""
        img = self.images.find(text)
        if img is not None:
            return img
        ref = reference.parse(text)
        if progress:
            progress(f"Unable to find image '{ref.familiar()}' locally")
        return self.pull(text, progress)

    def tag(self, source: str, target: str) -> None:
        from .images import ops
        ops.tag(self, source, target)
        img = self.images.find(target)
        if img is not None:
            events.emit(self.paths.root, "image", "tag", img.id,
                        {"name": reference.parse(target).familiar()})

    def remove_image(self, text: str, force: bool = False, prune: bool = True):
        from .images import ops
        img = self.images.find(text)
        records = ops.remove(self, text, force, prune)
        for kind, what in records if img is not None else ():
            if kind == "Untagged" or what == img.id:
                action = "untag" if kind == "Untagged" else "delete"
                events.emit(self.paths.root, "image", action, img.id, {"name": img.id})
        return records

    def prune_images(self, all_images: bool = False):
        from .images import ops
        return ops.prune(self, all_images)

    def history(self, text: str) -> list[dict]:
        from .images import ops
        return ops.history(self, text)

    def layers_in_use(self) -> set[str]:
        used: set[str] = set()
        for c in self.store.all():
            used.update(c.layers)
        return used

    # ============================================================= containers ===
    def container(self, ref: str) -> Container:
        try:
            return self.reconcile(self.store.load(self.store.resolve(ref)))
        except NoSuchContainer as e:    # removed between the two: named as asked
            if e.ref == ref:
                raise
            raise NoSuchContainer(ref) from None

    def containers(self, all: bool = True) -> list[Container]:
        out = [self.reconcile(c) for c in self.store.all()]
        out = [c for c in out if self.store.dir(c.id).exists()]
        if not all:
            out = [c for c in out if c.state.running]
        out.sort(key=lambda c: c.created, reverse=True)
        return out

    def load_quiet(self, cid: str) -> Container | None:
        try:
            return self.store.load(cid)
        except NoSuchContainer:
            return None

    def reconcile(self, c: Container) -> Container:
        """A container whose monitor is gone is reported exited, never stuck running.

        Its process died with the monitor (PDEATHSIG); whatever is left in its cgroup is
        killed here, and --rm is applied. A commit that paused it and died is undone.
        """
        if c.state.paused_by and not sc.alive_pid(c.state.paused_by):
            self._release_orphan_pause(c)
        if not c.state.running or sc.alive(c.state.monitor_pid, c.state.monitor_start):
            return c
        with lock.locked(self.paths.lock):
            fresh = self.load_quiet(c.id)
            if fresh is None:
                return c
            s = fresh.state
            if not s.running or sc.alive(s.monitor_pid, s.monitor_start):
                return fresh
            cgroups.Cgroup(c.id, self.cgroup_scope).destroy()
            from .network import endpoints
            endpoints.release(str(self.paths.root), c.id)
            s.network = None
            s.status, s.pid, s.monitor_pid, s.monitor_start = "exited", 0, 0, 0
            s.exit_code = 137 if s.exit_code == 0 else s.exit_code
            s.error = "the container's monitor process exited unexpectedly"
            s.finished_at = timeutil.now()
            if fresh.host.auto_remove:
                self._remove_stopped(fresh, volumes=True)
            else:
                self.store.save_state(fresh)
            return fresh

    def _release_orphan_pause(self, c: Container) -> None:
        """A commit paused the container and died before unpausing it: thaw it."""
        with lock.locked(self.paths.lock):
            fresh = self.load_quiet(c.id)
            if fresh and fresh.state.status == "paused" and fresh.state.paused_by and \
                    not sc.alive_pid(fresh.state.paused_by):
                cgroups.Cgroup(c.id, self.cgroup_scope).thaw()
                fresh.state.status, fresh.state.paused_by = "running", 0
                self.store.save_state(fresh)
                c.state = fresh.state

    def log_path(self, cid: str):
        return self.paths.container(cid) / f"{cid}-json.log"

    def mounts_for(self, c: Container) -> list:
        if not (c.mounts or c.host.tmpfs):
            return []            # most containers: nothing to import in the monitor
        from .volumes import mounts
        return mounts.for_start(self, c)

    # --- create -------------------------------------------------------------------
    def create(self, config: ContainerConfig, host: HostConfig | None = None,
               name: str | None = None, progress=None, labels_extra: dict | None = None,
               aliases: list[str] | None = None, ip: str | None = None,
               warnings: list | None = None) -> Container:
        """A new container. `aliases` and `ip` are its --network-alias and --ip on the
        network it starts on; `warnings`, if given, gets the daemon's warnings (limits
        this host cannot apply, and so dropped)."""
        host = host or HostConfig()
        problem = name_problem(name[1:] if name[:1] == "/" else name) \
            if name is not None else None
        if problem:
            raise InvalidParameter(f"Invalid container name ({name}), {problem}")
        self._validate_host(host)
        from .containers import limits as container_limits
        host, dropped = container_limits.discard_unsupported(host, cgroups.layout())
        if warnings is not None:
            warnings.extend(dropped)
        requested = self._mount_check(config, host)
        img = self.ensure_image(config.image, progress)
        cid = os.urandom(32).hex()
        merged = self._merge_image_config(config, img, cid)
        if labels_extra:
            merged = merged.with_(labels=tuple({**dict(merged.labels), **labels_extra}.items()))
        entry = list(merged.entrypoint or ()) + list(merged.cmd or ())
        if not entry:
            raise InvalidParameter("no command specified")
        host = self._resolve_host_refs(_security_defaults(host))
        from .network import endpoints, ops as network_ops
        mode, networks = network_ops.requested(self, host.network_mode, aliases, ip)
        host = host._replace(network_mode=mode)
        implied = network_ops.hostname(self, mode, config.hostname)
        if implied:
            merged = merged.with_(hostname=implied)
        host = self._links(host, networks)
        points = self._mount_plan(merged, host, requested)
        c = Container(id=cid, name="", created=timeutil.now(), path=entry[0], args=entry[1:],
                      config=merged, host=host, image_id=img.id, layers=list(img.layers),
                      networks=networks)
        self._ensure_init_layer()
        with lock.locked(self.paths.lock):
            c.name = self._claim_name(name, cid)
            if points:
                from .volumes import mounts
                c.mounts = mounts.claim(self, points)
            try:
                self.store.create(c, files={"hostname": c.config.hostname + "\n",
                                            "hosts": endpoints.hosts_text(c, [], None),
                                            "resolv.conf": self._resolv_conf()})
            except BaseException:
                if points:
                    mounts.release_new(self, c.mounts)
                raise
        if c.host.links:
            from .containers import links
            links.note_parent(self, c)
        events.of_container(self.paths.root, "create", c)
        if points:
            try:
                mounts.populate(self, c)
            except BaseException:
                self.remove(c.id, force=True, volumes=True)
                raise
        return c

    def _links(self, host: HostConfig, networks: dict) -> HostConfig:
        """--link: children by ID on the default bridge; on a user-defined network an
        alias of the container's endpoint (links.py)."""
        from .containers import links
        first = next(iter(networks), None)
        if host.links and first not in (None, "bridge", "host", "none"):
            networks[first]["Links"] = list(host.links)
            return host._replace(links=None)
        return host._replace(links=links.register(self, host.links, host.network_mode))

    def _mount_check(self, config: ContainerConfig, host: HostConfig) -> list[dict] | None:
        if not (config.volumes or host.binds or host.mounts or host.volumes_from or
                host.tmpfs):
            return None
        from .volumes import mounts
        return mounts.check(self, host, config.volumes)

    def _mount_plan(self, config: ContainerConfig, host: HostConfig,
                    requested: list[dict] | None) -> list[dict]:
        if requested is None and not config.volumes:
            return []
        from .volumes import mounts
        return mounts.plan(self, config, host, requested or [])

    def _claim_name(self, name: str | None, cid: str) -> str:
        if name is not None:
            name = name.lstrip("/")
            holder = self.store.name_owner(name)
            if holder and self.store.dir(holder).exists():
                raise NameInUse(name, holder)
            return name
        for attempt in range(10):
            candidate = generate_name(retry=attempt)
            if not self.store.name_owner(candidate):
                return candidate
        return generate_name(retry=1) + cid[:6]

    @staticmethod
    def _validate_host(host: HostConfig) -> None:
        if host.memory and host.memory < 6 * 1024 * 1024:
            raise InvalidParameter("Minimum memory limit allowed is 6MB")
        if host.memory_swap and host.memory_swap != -1 and host.memory and \
                host.memory_swap < host.memory:
            raise InvalidParameter("Minimum memoryswap limit should be larger than memory "
                                   "limit, see usage")
        if host.cpu_quota and host.cpu_quota < 1000:
            raise InvalidParameter("CPU cfs quota can not be less than 1ms (i.e. 1000)")
        if host.cpu_period and not 1000 <= host.cpu_period <= 1000000:
            raise InvalidParameter("CPU cfs period can not be less than 1ms (i.e. 1000) or "
                                   "larger than 1s (i.e. 1000000)")
        if host.nano_cpus and (host.cpu_quota or host.cpu_period):
            raise InvalidParameter("Conflicting options: Nano CPUs and CPU Period cannot both "
                                   "be set")
        if host.nano_cpus:
            ncpu = os.cpu_count() or 1
            if host.nano_cpus > ncpu * 1_000_000_000:
                raise InvalidParameter(
                    f"range of CPUs is from 0.01 to {ncpu}.00, as there are only {ncpu} "
                    "CPUs available")
        policy = host.restart_policy
        if host.auto_remove and policy.name not in ("", "no"):
            raise InvalidParameter("can't create 'AutoRemove' container with restart policy")
        if policy.maximum_retry_count and policy.name != "on-failure":
            raise InvalidParameter("invalid restart policy: maximum retry count can only be "
                                   "used with 'on-failure'")
        from .runtime import caps, seccomp
        try:
            seccomp.check(host.security_opt, host.privileged,
                          caps.effective_set(host.privileged, host.cap_add, host.cap_drop))
        except seccomp.ProfileError as e:
            raise InvalidParameter(str(e)) from None

    def _resolve_host_refs(self, host: HostConfig) -> HostConfig:
        if host.pid_mode.startswith("container:"):
            target = self.container(host.pid_mode.split(":", 1)[1])
            return host._replace(pid_mode=f"container:{target.id}")
        return host

    @staticmethod
    def _merge_image_config(config: ContainerConfig, img: Image, cid: str) -> ContainerConfig:
        """Fill what the user left out from the image, as Docker's merge does."""
        ic = img.run_config
        entrypoint = config.entrypoint
        cmd = config.cmd
        if entrypoint == ("",):
            entrypoint = ()
        if not entrypoint:
            if not cmd:
                cmd = tuple(ic.get("Cmd") or ()) or None
            if config.entrypoint is None:
                entrypoint = tuple(ic.get("Entrypoint") or ()) or None
        env = list(config.env)
        user_keys = {kv.partition("=")[0] for kv in env}
        env += [kv for kv in (ic.get("Env") or []) if kv.partition("=")[0] not in user_keys]
        labels = {**(ic.get("Labels") or {}), **dict(config.labels)}
        exposed = tuple(sorted(set(config.exposed_ports) | set(ic.get("ExposedPorts") or {})))
        volumes = tuple(sorted(set(config.volumes) | set(ic.get("Volumes") or {})))
        return config.with_(
            cmd=cmd, entrypoint=entrypoint or None, env=tuple(env), labels=tuple(labels.items()),
            working_dir=config.working_dir or ic.get("WorkingDir") or "",
            user=config.user or ic.get("User") or "",
            hostname=config.hostname or cid[:12], exposed_ports=exposed, volumes=volumes,
            stop_signal=config.stop_signal or ic.get("StopSignal"),
            on_build=config.on_build)

    def _ensure_init_layer(self) -> None:
        path = self.paths.root / launch.INIT_LAYER
        if path.exists():
            return
        tmp = self.paths.root / f".init-{os.getpid()}-{os.urandom(8).hex()}"
        trust.make_dir(tmp, 0o755)
        rootfs.make_init_layer(str(tmp))
        try:
            os.rename(tmp, path)
        except OSError:
            remove_tree(tmp)

    @staticmethod
    def _resolv_conf() -> str:
        """The host's resolv.conf without loopback resolvers (unreachable from inside),
        as Docker does."""
        try:
            with open("/etc/resolv.conf") as f:
                lines = f.read().splitlines()
        except OSError:
            lines = []
        keep = [l for l in lines if not re.match(r"\s*nameserver\s+(127\.|::1)", l)]
        if not any(l.strip().startswith("nameserver") for l in keep):
            keep += ["nameserver 8.8.8.8", "nameserver 8.8.4.4"]
        return "\n".join(keep) + "\n"

    # --- start / run ------------------------------------------------------------------
    def start(self, ref: str | Container, attach: dict | None = None) -> socket.socket | None:
        """Start a created or stopped container. With `attach` (a request like
        {"stdin": True, "stdout": True, "stderr": True}), returns a socket that already
        receives the container's output from its first byte. `ref` may be the Container
        create() just returned: `docker run` then reads nothing back from the store."""
        c = ref if isinstance(ref, Container) else self.container(ref)
        if c.state.status == "paused":
            raise Conflict("cannot start a paused container, try unpause instead")
        if c.state.running:
            return None
        if c.state.status in ("removing", "dead"):
            raise Conflict("container is marked for removal and cannot be started")
        first, client = None, None
        if attach is not None:
            client, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            first = (theirs, {"op": "attach", **attach})
        shown = ref if isinstance(ref, str) else c.id
        try:
            result = monitor.spawn(self, c, first)
        except NoSuchContainer:                     # removed as it started
            if client:
                client.close()
                first[0].close()
            raise NoSuchContainer(shown) from None
        except EngineError:
            # refused before its process existed (a mount source that cannot be made):
            # a --rm container goes, as moby's containerStart removes it on failure
            if client:
                client.close()
                first[0].close()
            if c.host.auto_remove and self.load_quiet(c.id) is not None:
                self.remove(c.id, force=True, volumes=True)
            raise
        if not result.get("ok"):
            if client:
                client.close()
            # removed as it started (a failed --rm start removes it: not that)
            if not c.host.auto_remove and self.load_quiet(c.id) is None:
                raise NoSuchContainer(shown)
            message = result.get("message", "")
            if not result.get("runtime", True):     # the daemon's own words
                raise StartFailed(message, run_exit_code(message))
            raise StartFailed(self._start_error(message), run_exit_code(message))
        return client

    @staticmethod
    def _start_error(message: str) -> str:
        # Docker 28's words, with runc 1.2 under containerd (runc names its own command)
        return ("failed to create task for container: failed to create shim task: OCI runtime "
                "create failed: runc create failed: unable to start container process: error "
                f"during container init: {message}: unknown")

    def prepare_launch(self, c: Container) -> launch.Prepared:
        """What a start needs before the container's process exists (launch.py)."""
        pid_ns = None
        if c.host.pid_mode.startswith("container:"):
            other = self.container(c.host.pid_mode.split(":", 1)[1])
            if not other.state.running:      # the daemon's own refusal, as in moby
                from .runtime.init import LaunchError
                raise LaunchError(f"container {other.id} is not running", 125, runtime=False)
            pid_ns = os.open(f"/proc/{other.state.pid}/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
        return launch.prepare(self, c, pid_ns)

    def launch(self, cid: str | Container, while_starting=None,
               prepared: launch.Prepared | None = None, child=None) -> launch.Started:
        """Called inside the monitor: start the container's process (given as the record
        the monitor was forked with, or an ID to read it again, as a restart does), or
        see the one it cloned already (`child`) through."""
        c = cid if isinstance(cid, Container) else self.store.load(cid)
        return launch.start(self, c, prepared or self.prepare_launch(c), while_starting,
                            child)

    # --- talking to a running container's monitor -------------------------------------------
    def _monitor_socket(self, c: Container) -> str:
        return str(self.paths.container_run(c.id) / "attach.sock")

    def connect(self, c: Container, request: dict) -> socket.socket:
        try:
            sock = protocol.connect(self._monitor_socket(c), request)
            if request.get("op") == "attach":
                events.of_container(self.paths.root, "attach", c)
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            self.reconcile(self.store.load(c.id))
            raise ContainerNotRunning(f"Container {c.id} is not running") from None

    def _wait_exit(self, sock: socket.socket) -> dict | None:
        with sock:
            for kind, payload in protocol.read_frames(sock):
                if kind == protocol.EXIT:
                    import json
                    return json.loads(payload)
        return None

    def wait(self, ref: str) -> int:
        c = self.container(ref)
        if not c.state.running:
            return c.state.exit_code
        try:
            sock = self.connect(c, {"op": "wait"})
        except ContainerNotRunning:
            return self.container(c.id).state.exit_code if self.store.dir(c.id).exists() else 0
        result = self._wait_exit(sock)
        if result is not None:
            return int(result["StatusCode"])
        fresh = self.load_quiet(c.id)
        return fresh.state.exit_code if fresh else 0

    def stop(self, ref: str, timeout: int | None = None, signal: str | int | None = None,
             keep: bool = False) -> Container:
        """Stop a container; `keep`: it is about to start again (docker restart), so a
        --rm container is not removed, as in Docker."""
        c = self.container(ref)
        if not c.state.running:
            return c
        if timeout is None:
            timeout = c.config.stop_timeout if c.config.stop_timeout is not None \
                else DEFAULT_STOP_TIMEOUT
        sig = signal_number(signal or c.config.stop_signal or "SIGTERM")
        try:
            sock = self.connect(c, {"op": "stop", "signal": sig, "keep": keep,
                                    "timeout": timeout if timeout >= 0 else 10 ** 9})
        except ContainerNotRunning:
            return c
        events.of_container(self.paths.root, "kill", c, signal=str(sig))
        self._wait_exit(sock)
        events.of_container(self.paths.root, "stop", c)
        return c

    def kill(self, ref: str, signal: str | int = "KILL") -> Container:
        """Docker's API wraps every kill error as "cannot kill container: REF: ..."."""
        try:
            return self._kill(ref, signal)
        except EngineError as e:
            e.message = f"cannot kill container: {ref}: {e.message}"
            e.args = (e.message,)
            raise

    def _kill(self, ref: str, signal: str | int) -> Container:
        c = self.container(ref)
        sig = signal_number(signal)
        if not c.state.running or c.state.status == "restarting":
            if c.state.status == "restarting":
                sock = self.connect(c, {"op": "stop", "signal": sig, "timeout": 0})
                self._wait_exit(sock)
                return c
            raise ContainerNotRunning(f"container {c.id} is not running")
        # any signal sent by `docker kill` counts as a manual stop (Docker's killWithSignal)
        sock = self.connect(c, {"op": "kill", "signal": sig, "manual": True})
        events.of_container(self.paths.root, "kill", c, signal=str(sig))
        with sock:
            for kind, _ in protocol.read_frames(sock):
                if kind == protocol.REPLY:
                    break
        if sig == _signal.SIGKILL:
            self._wait_until_stopped(c.id, 10)
        return c

    def _wait_until_stopped(self, cid: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            c = self.load_quiet(cid)
            if c is None or not c.state.running or c.state.status == "restarting":
                return
            time.sleep(0.005)

    def restart(self, ref: str, timeout: int | None = None) -> Container:
        c = self.container(ref)
        if c.state.running:
            self.stop(c.id, timeout, keep=True)
        self.start(c.id)
        events.of_container(self.paths.root, "restart", c)
        return c

    def remove(self, ref: str, force: bool = False, volumes: bool = False) -> Container:
        c = self.container(ref)
        if c.state.running:
            if not force:
                if c.state.status == "paused":
                    raise Conflict(f"cannot remove container {_go_quote(ref)}: container is "
                                   "paused and must be unpaused first")
                raise Conflict(f"cannot remove container {_go_quote(ref)}: container is "
                               "running: stop the container before removing or force remove")
            self._force_stop(c)
        with lock.locked(self.paths.lock):
            fresh = self.load_quiet(c.id)
            if fresh is not None:
                self._remove_stopped(fresh, volumes)
        events.of_container(self.paths.root, "destroy", c)
        return c

    def _force_stop(self, c: Container) -> None:
        deadline = time.monotonic() + 2
        while True:
            try:
                sock = self.connect(c, {"op": "stop", "signal": int(_signal.SIGKILL),
                                        "timeout": 0})
                break
            except ContainerNotRunning:
                # a monitor recording the start opens its socket a moment later: wait
                # for it rather than remove a container whose process is about to run
                fresh = self.load_quiet(c.id)
                if fresh is None or not fresh.state.running or time.monotonic() > deadline \
                        or not sc.alive(fresh.state.monitor_pid, fresh.state.monitor_start):
                    return
                time.sleep(0.01)
        self._wait_exit(sock)

    def _remove_stopped(self, c: Container, volumes: bool = False) -> None:
        with lock.locked(self.paths.lock):
            cgroups.Cgroup(c.id, self.cgroup_scope).destroy()
            from .network import endpoints  # addresses a racing start took
            endpoints.release(str(self.paths.root), c.id)
            self.store.remove(c)
            if volumes and c.mounts:
                from .volumes.store import VolumeStore
                VolumeStore(str(self.paths.root)).drop_anonymous(c.mounts)

    def rename(self, ref: str, new_name: str) -> None:
        new_name = new_name.lstrip("/")
        with lock.locked(self.paths.lock):
            c = self.container(ref)
            if c.name == new_name:
                raise InvalidParameter("Renaming a container with the same name as its "
                                       "current name")
            allocating = "Error when allocating new name: "
            problem = name_problem(new_name)
            if problem:
                raise InvalidParameter(f"{allocating}Invalid container name (/{new_name}), "
                                       f"{problem}")
            try:
                self.store.claim_name(new_name, c.id)
            except NameInUse as e:
                e.message = allocating + e.message
                e.args = (e.message,)
                raise
            old = c.name
            c.name = new_name
            self.store.save(c)
            self.store.release_name(old, c.id)
            from .network.store import NetworkStore
            NetworkStore(str(self.paths.root)).rename_endpoints(c.id, new_name)
        events.of_container(self.paths.root, "rename", c, oldName="/" + old)

    def pause(self, ref: str, owner: int = 0) -> bool:
        """Freeze the container. `owner` is the pid of an operation that pauses it for a
        moment (commit): if that process dies, the container is thawed again. False if
        such an operation must go on without (no freezer)."""
        with lock.locked(self.paths.lock):
            c = self.container(ref)
            if not c.state.running:
                raise ContainerNotRunning(f"container {c.id} is not running")
            if c.state.status == "paused":
                raise Conflict(f"Container {c.id} is already paused")
            if c.state.status == "restarting":
                raise Conflict(f"Container {c.id} is restarting, wait until the container is "
                               "running")
            if cgroups.layout().none:        # rootless: no cgroup, no freezer
                if owner:
                    return False             # commit goes on unpaused, as Docker's does
                from .containers.limits import why_no_limits
                raise System(f"cannot pause container {c.id}: OCI runtime pause failed: "
                             "cannot toggle freezer: cgroups not configured for container",
                             hint=why_no_limits(cgroups.layout()))
            cgroups.Cgroup(c.id, self.cgroup_scope).freeze()
            c.state.status, c.state.paused_by = "paused", owner
            self.store.save_state(c)
        events.of_container(self.paths.root, "pause", c)
        return True

    def unpause(self, ref: str) -> None:
        with lock.locked(self.paths.lock):
            c = self.container(ref)
            if c.state.status != "paused":
                raise Conflict(f"Container {c.id} is not paused")
            cgroups.Cgroup(c.id, self.cgroup_scope).thaw()
            c.state.status, c.state.paused_by = "running", 0
            self.store.save_state(c)
        events.of_container(self.paths.root, "unpause", c)

    def update(self, ref: str, change) -> Container:
        """`docker update` (limits.py): the record, and a running container's cgroups."""
        from .containers import limits
        from .config import HostConfig
        ch = change
        self._validate_host(HostConfig(memory=ch.memory, memory_swap=ch.memory_swap,
                                       cpu_shares=ch.cpu_shares, cpu_quota=ch.cpu_quota,
                                       cpu_period=ch.cpu_period, nano_cpus=ch.nano_cpus))
        with lock.locked(self.paths.lock):
            c = self.container(ref)
            old, c.host = c.host, limits.applied(c, ch)
            if c.state.running and c.state.status != "restarting":
                limits.write_cgroups(self, c, old)
            self.store.save(c)
        events.of_container(self.paths.root, "update", c)
        return c

    def processes(self, c: Container) -> list[int]:
        return cgroups.Cgroup(c.id, self.cgroup_scope).pids(c.state.pid) \
            if c.state.running else []

    # =============================================================== networks ===
    # --- volumes -------------------------------------------------------------------------
    def volumes(self) -> list[dict]:
        from .volumes import ops
        return ops.all_volumes(self)

    def volume(self, name: str) -> dict:
        from .volumes import ops
        return ops.get(self, name)

    def volume_users(self) -> dict[str, list[str]]:
        """Volume name -> IDs of the containers that mount it."""
        from .volumes import ops
        return ops.users(self)

    def create_volume(self, name: str | None = None, **options) -> dict:
        from .volumes import ops
        return ops.create(self, name, **options)        # the store says "volume create"

    def remove_volume(self, name: str, force: bool = False) -> None:
        from .volumes import ops
        ops.remove(self, name, force)
        events.emit(self.paths.root, "volume", "destroy", name, {"driver": "local"})

    def prune_volumes(self, everything: bool = False, keep=lambda doc: True):
        from .volumes import ops
        return ops.prune(self, everything, keep)

    # --- networks ------------------------------------------------------------------------
    def networks(self) -> list[dict]:
        from .network.store import NetworkStore
        return NetworkStore(str(self.paths.root)).all()

    def network(self, ref: str) -> dict:
        from .network.store import NetworkStore
        return NetworkStore(str(self.paths.root)).get(ref)

    def create_network(self, name: str, **options) -> dict:
        from .network import ops
        net = ops.create(self, name, **options)
        self._network_event("create", net)
        return net

    def remove_network(self, ref: str) -> dict:
        from .network import ops
        net = ops.remove(self, ref)
        self._network_event("destroy", net)
        return net

    def _network_event(self, action: str, net: dict, container: str | None = None) -> None:
        attributes = {"name": net["Name"], "type": net.get("Driver", "bridge")}
        if container:
            attributes["container"] = container
        events.emit(self.paths.root, "network", action, net["Id"], attributes)

    def prune_networks(self) -> list[str]:
        from .network import ops
        return ops.prune(self)

    def network_connect(self, net: str, container: str, ip: str | None = None,
                        aliases: list[str] | None = None) -> None:
        from .network import ops
        ops.connect(self, net, container, ip, aliases)
        self._network_event("connect", self.network(net), self.container(container).id)

    def network_disconnect(self, net: str, container: str, force: bool = False) -> None:
        from .network import ops
        ops.disconnect(self, net, container, force)
        try:
            cid = self.container(container).id
        except NoSuchContainer:       # -f on the endpoint of a container gone
            cid = container
        self._network_event("disconnect", self.network(net), cid)

    def ports(self, container: str, private: str | None = None) -> list[tuple[str, str]]:
        from .network import ops
        return ops.ports(self, container, private)

    def host_shares(self) -> list[int]:
        """Host ports containers may reach as host.docker.internal (network/shares.py)."""
        from .network import ops
        return ops.host_shares(self)

    def host_share(self, port: str, share: bool = True) -> list[int]:
        """Share a host port with containers (or stop: share=False); the relay is in
        place (or gone) when this returns. Returns the shares now."""
        from .network import ops
        return ops.host_share(self, port, share)

    # ================================================================= system ===
    def reset(self) -> list[str]:
        """Stop and remove everything this engine made. Returns what it removed."""
        removed = []
        for c in self.store.all():
            try:
                self.remove(c.id, force=True)
                removed.append(f"container {c.name}")
            except EngineError:
                pass
        for img in self.images.all():
            removed.append(f"image {img.repo_tags[0] if img.repo_tags else img.id[7:19]}")
        removed += [f"volume {v['Name']}" for v in self.volumes()]
        cgroups.remove_scope(self.cgroup_scope)
        from .supervisor import spawner
        from .network import client, netns
        run = str(self.paths.run)
        spawner.stop(run)
        if netns.exists(run):
            client.stop(run)
            netns.remove(run)
            removed.append("the engine's network namespace")
        if userns.stop_keeper(run):     # rootless: its namespaces go with the last process
            removed.append("the engine's user namespace")
        with lock.locked(self.paths.lock):
            for sub in ("image", "layers", "containers", "names", "networks", "volumes",
                        "tmp", launch.INIT_LAYER):
                remove_tree(self.paths.root / sub)
            remove_tree(self.paths.run)
            unlink_quiet(self.paths.root / owners.FILE)
            unlink_quiet(events.path(self.paths.root))      # a fresh engine has no past
        self.images._cache.clear()
        self.paths.ensure()
        return removed


__all__ = ["Engine", "signal_number", "System", "sc"]


def _security_defaults(host: HostConfig) -> HostConfig:
    """moby's generateSecurityOpt: a container sharing the host's pid namespace, or
    privileged, gets "label=disable" unless it names a label itself."""
    opts = list(host.security_opt or ())
    if (host.privileged or host.pid_mode == "host") and \
            not any(o.split("=")[0] == "label" for o in opts):
        return host._replace(security_opt=tuple(opts + ["label=disable"]))
    return host
