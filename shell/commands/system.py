"""docker version and docker info."""
from __future__ import annotations

import os
import platform

from ..cli.parser import Invocation
from ..conversation import filters_param
from ..render import gotemplate

VERSION = "0.1.0"


def version(env, inv: Invocation) -> int:
    env.api.said("GET", "/version")
    info = {"Client": {"Version": VERSION, "Os": "linux", "Arch": platform.machine()},
            "Server": {"Engine": {"Version": VERSION}}}
    if inv.format:
        env.out(gotemplate.compile(inv.format).execute(info))
        return 0
    env.out(f"Client: dockerlings\n Version:           {VERSION}\n OS/Arch:           "
            f"linux/{platform.machine()}\n\nServer: dockerlings engine (in-process, no "
            f"daemon)\n Engine:\n  Version:          {VERSION}\n  Root:             "
            f"{env.engine.paths.root}")
    return 0


def info(env, inv: Invocation) -> int:
    """docker info: the docker CLI's sections, every value this engine's own."""
    with env.api.request("GET", "/info"):
        facts = server_facts(env.engine, env.environ)
    if inv.format:
        env.out(gotemplate.compile(inv.format).execute(facts))
        return 0
    env.out("\n".join(["Client: dockerlings", f" Version:    {VERSION}",
                       " Context:    default", " Debug Mode: false", "", "Server:",
                       *_server_lines(facts), ""]))
    for warning in facts["Warnings"]:
        env.err(warning)
    return 0


def server_facts(eng, environ) -> dict:
    """The daemon's /info, in its field names: what `docker info --format` sees, and
    what the Engine API's /info answers (shell/api/system.py), from one place."""
    import socket
    from engine.runtime import cgroups
    from engine.containers.stats import host_memory
    from ..engine_cmd import _features
    containers = eng.containers(all=True)
    running = sum(1 for c in containers if c.state.status in ("running", "restarting"))
    paused = sum(1 for c in containers if c.state.status == "paused")
    layout = cgroups.layout()
    insecure = [h.strip() for h in environ.get("DOCKERLINGS_INSECURE_REGISTRIES", "")
                .split(",") if h.strip()]
    return {
        "Containers": len(containers), "ContainersRunning": running,
        "ContainersPaused": paused, "ContainersStopped": len(containers) - running - paused,
        "Images": len(eng.list_images()), "ServerVersion": VERSION, "Driver": "overlay2",
        "DriverStatus": [["Backing Filesystem", _backing_fs(str(eng.paths.root))],
                         ["Supports d_type", "true"], ["Using metacopy", "false"],
                         ["Native Overlay Diff", "true"], ["userxattr", "false"]],
        "LoggingDriver": "json-file",
        "CgroupDriver": "none" if layout.undelegated else "cgroupfs",
        "CgroupVersion": "2" if layout.v2_controllers else "1",
        "Plugins": {"Volume": ["local"], "Network": ["bridge", "host", "null"],
                    "Log": ["json-file"]},
        "Swarm": {"LocalNodeState": "inactive"}, "Runtimes": {"dockerlings": {}},
        "DefaultRuntime": "dockerlings", "SecurityOptions": _security_names(),
        "KernelVersion": os.uname().release, "OperatingSystem": _os_name(),
        "OSType": "linux", "Architecture": platform.machine(), "NCPU": os.cpu_count(),
        "MemTotal": host_memory(), "Name": socket.gethostname(),
        "DockerRootDir": str(eng.paths.root), "Debug": False, "ExperimentalBuild": False,
        "InsecureRegistries": insecure + ["::1/128", "127.0.0.0/8"],
        # containers outlive the shell that started them: each has its own monitor
        "LiveRestoreEnabled": True,
        "Warnings": _rootless_warnings(layout) +
                    [f"WARNING: {name}: {why}" if why else f"WARNING: no {name}"
                     for name, ok, why in _features(eng)
                     if not ok and not (layout.undelegated and name.startswith("cgroups"))],
    }


def _rootless_warnings(layout) -> list[str]:
    """What rootless dockerd says of itself without cgroups (moby's fillDebugInfo)."""
    if not layout.undelegated:
        return []
    if layout.unified:
        return ["WARNING: Running in rootless-mode without cgroups. Systemd is required to "
                "enable cgroups in rootless-mode."]
    return ["WARNING: Running in rootless-mode without cgroups. To enable cgroups in "
            "rootless-mode, you need to boot the system in cgroup v2 mode."]


def _server_lines(f: dict) -> list[str]:
    from ..render.units import bytes_size
    lines = [f" Containers: {f['Containers']}", f"  Running: {f['ContainersRunning']}",
             f"  Paused: {f['ContainersPaused']}", f"  Stopped: {f['ContainersStopped']}",
             f" Images: {f['Images']}", f" Server Version: {f['ServerVersion']}",
             f" Storage Driver: {f['Driver']}"]
    lines += [f"  {k}: {v}" for k, v in f["DriverStatus"]]
    lines += [f" Logging Driver: {f['LoggingDriver']}", f" Cgroup Driver: {f['CgroupDriver']}",
              f" Cgroup Version: {f['CgroupVersion']}", " Plugins:",
              "  Volume: " + " ".join(f["Plugins"]["Volume"]),
              "  Network: " + " ".join(f["Plugins"]["Network"]),
              "  Log: " + " ".join(f["Plugins"]["Log"]),
              f" Swarm: {f['Swarm']['LocalNodeState']}",
              " Runtimes: " + " ".join(f["Runtimes"]), f" Default Runtime: {f['DefaultRuntime']}"]
    lines += _security_options()
    lines += [f" Kernel Version: {f['KernelVersion']}",
              f" Operating System: {f['OperatingSystem']}", f" OSType: {f['OSType']}",
              f" Architecture: {f['Architecture']}", f" CPUs: {f['NCPU']}",
              f" Total Memory: {bytes_size(f['MemTotal'])}", f" Name: {f['Name']}",
              f" Docker Root Dir: {f['DockerRootDir']}", " Debug Mode: false",
              " Experimental: false", " Insecure Registries:"]
    lines += [f"  {r}" for r in f["InsecureRegistries"]]
    lines.append(" Live Restore Enabled: true")
    return lines


def _backing_fs(path: str) -> str:
    """The file system the root lives on, named as the daemon names it ("extfs")."""
    best, fstype = "", "unknown"
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                pre, _, post = line.partition(" - ")
                point = pre.split()[4]
                inside = path == point or path.startswith(point.rstrip("/") + "/")
                if inside and len(point) >= len(best):
                    best, fstype = point, post.split()[0]
    except OSError:
        pass
    return "extfs" if fstype in ("ext2", "ext3", "ext4") else fstype


def _os_name() -> str:
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "Linux"


def _security_names() -> list[str]:
    from engine.runtime import seccomp, userns
    names = [f"name=seccomp,profile={seccomp.BUILTIN}"] if seccomp.supported() else []
    return names + (["name=rootless"] if userns.rootless() else [])


def _security_options() -> list[str]:
    """As the docker CLI prints the daemon's SecurityOptions (name=seccomp,profile=builtin,
    name=rootless)."""
    from engine.runtime import seccomp, userns
    lines = ["  seccomp", f"   Profile: {seccomp.BUILTIN}"] if seccomp.supported() else []
    lines += ["  rootless"] if userns.rootless() else []
    return [" Security Options:"] + lines if lines else []


# --- docker system df ------------------------------------------------------------------

class DiskUsageRow:
    __go_type__ = "*formatter.diskUsageContainersContext"
    HEADERS = {"Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE",
               "Reclaimable": "RECLAIMABLE"}
    DEFAULT = "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"

    def __init__(self, kind: str, total: int, active: int, size: int, reclaimable: int,
                 percent: bool = True):
        from ..render.units import human_size
        self.Type, self.TotalCount, self.Active = kind, str(total), str(active)
        self.Size = human_size(size, 4)
        self.Reclaimable = human_size(reclaimable, 4)
        if percent and size > 0:
            self.Reclaimable += f" ({reclaimable * 100 // size}%)"

    def __json__(self):
        return {k: getattr(self, k) for k in sorted(self.HEADERS)}


def _summary(du) -> list[DiskUsageRow]:
    """The docker CLI's four rows. Images: reclaimable is everything but the unique
    size of the images containers use; containers: the writable layers of those not
    running; volumes: the ones no container mounts; build cache: what is not shared."""
    used = sum(i.size - i.shared for i in du.images if i.containers)
    active_c = [c for c in du.containers if c.container.state.status in
                ("running", "paused", "restarting")]
    cache = sum(b.size for b in du.build_cache if not b.shared)
    return [
        DiskUsageRow("Images", len(du.images), sum(1 for i in du.images if i.containers),
                     du.layers_size, du.layers_size - used),
        DiskUsageRow("Containers", len(du.containers), len(active_c),
                     sum(c.size_rw for c in du.containers),
                     sum(c.size_rw for c in du.containers if c not in active_c)),
        DiskUsageRow("Local Volumes", len(du.volumes), sum(1 for v in du.volumes if v.refs),
                     sum(v.size for v in du.volumes),
                     sum(v.size for v in du.volumes if not v.refs)),
        DiskUsageRow("Build Cache", len(du.build_cache), 0, cache, cache, percent=False),
    ]


class BuildCacheRow:
    __go_type__ = "*formatter.buildCacheContext"
    HEADERS = {"ID": "CACHE ID", "CacheType": "CACHE TYPE", "Size": "SIZE",
               "CreatedSince": "CREATED", "LastUsedSince": "LAST USED", "UsageCount": "USAGE",
               "Shared": "SHARED"}
    DEFAULT = ("table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t"
               "{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}")

    def __init__(self, b, now: float):
        from engine.util import timeutil
        from ..render.units import human_duration, human_size
        self.ID, self.CacheType, self.Size = b.key[:12], "regular", human_size(b.size)
        self.CreatedSince = human_duration(now - timeutil.parse(b.created)) + " ago"
        # the engine's cache records keep no use times or counts
        self.LastUsedSince, self.UsageCount = "", "0"
        self.Shared = "true" if b.shared else "false"


def _verbose_rows(env, du, trunc: bool) -> dict:
    """`docker system df -v`'s rows: images, containers, volumes and build cache."""
    import time
    from ..render import views
    from ..render.units import human_size
    from .containers import _image_text
    from .volume import VolumeRow
    now = time.time()
    eng = env.engine
    images = []
    for u in du.images:
        repo, tag = "<none>", "<none>"
        if u.image.repo_tags:
            repo, _, tag = u.image.repo_tags[0].rpartition(":")
        row = views.ImageRow(u.image, repo, tag, trunc, now=now)
        row.SharedSize, row.UniqueSize = human_size(u.shared, 4), human_size(u.size - u.shared, 4)
        row.Containers = str(u.containers)
        images.append(row)
    containers = [views.ContainerRow(u.container, _image_text(eng, u.container, trunc), trunc,
                                     (u.size_rw, 0), ports=views.ports_text(u.container),
                                     now=now) for u in du.containers]
    volumes = []
    for u in du.volumes:
        row = VolumeRow(u.volume)
        row.Links, row.Size = str(u.refs), human_size(u.size, 4)
        volumes.append(row)
    return {"Images": images, "Containers": containers, "Volumes": volumes,
            "BuildCache": [BuildCacheRow(b, now) for b in du.build_cache]}


class _VerboseContext:
    """What a -v template sees: the docker CLI's diskUsageContext."""
    __go_type__ = "*formatter.diskUsageContext"

    def __init__(self, rows: dict):
        self.Images, self.Containers = rows["Images"], rows["Containers"]
        self.Volumes, self.BuildCache = rows["Volumes"], rows["BuildCache"]

    def __json__(self):
        return {"Images": self.Images, "Containers": self.Containers,
                "Volumes": self.Volumes, "BuildCache": self.BuildCache}


def _verbose_sections(env, du) -> str:
    """`docker system df -v`: the images, containers, volumes and build cache tables."""
    from ..render import views
    from ..render.units import human_size
    from .containers import render_rows
    from .volume import VolumeRow
    rows = _verbose_rows(env, du, True)
    image_fmt = ("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t"
                 "{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}")
    container_fmt = ("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t"
                     "{{.RunningFor}}\t{{.Status}}\t{{.Names}}")
    cache_total = sum(b.size for b in du.build_cache if not b.shared)
    return ("Images space usage:\n\n" + render_rows(image_fmt, rows["Images"], views.ImageRow) +
            "\nContainers space usage:\n\n" +
            render_rows(container_fmt, rows["Containers"], views.ContainerRow) +
            "\nLocal Volumes space usage:\n\n" +
            render_rows("table {{.Name}}\t{{.Links}}\t{{.Size}}", rows["Volumes"], VolumeRow) +
            f"\nBuild cache usage: {human_size(cache_total, 4)}\n\n" +
            render_rows(BuildCacheRow.DEFAULT, rows["BuildCache"], BuildCacheRow))


def df(env, inv: Invocation) -> int:
    from engine.system.diskusage import usage
    from engine.errors import CliError
    from .containers import render_rows, template_check
    fmt = inv.opts["format"] or "table"
    if inv.opts["verbose"] and fmt != "table":      # one template over all four lists
        try:
            tmpl = gotemplate.compile("{{json .}}" if fmt == "json" else fmt)
        except gotemplate.TemplateError as e:
            raise CliError(f"failed to parse template: {e}") from None
        rows = _VerboseContext(_verbose_rows(env, usage(env.engine), False))
        try:
            env.out(tmpl.execute(rows))
        except gotemplate.TemplateError as e:
            raise CliError(f"failed to execute template: {e}") from None
        return 0
    template_check(fmt, DiskUsageRow.__go_type__)
    with env.api.request("GET", "/system/df"):
        du = usage(env.engine)
    if inv.opts["verbose"]:
        env.out(_verbose_sections(env, du), end="")
        return 0
    env.out(render_rows(fmt, _summary(du), DiskUsageRow), end="")
    return 0


# --- docker system prune ---------------------------------------------------------------

def prune(env, inv: Invocation) -> int:
    """Stopped containers, unused networks, (anonymous volumes), dangling or unused
    images and the build cache, in the docker CLI's order and words."""
    from engine.errors import UsageError
    from ..render.units import human_size
    from .containers import _confirm, prune_stopped
    o = inv.opts
    if o["filter"]:
        raise UsageError("dockerlings' system prune takes no --filter yet (the prune of "
                         "each kind does)", kind="planned", command="docker system prune")
    warnings = ["all stopped containers", "all networks not used by at least one container"]
    if o["volumes"]:
        warnings.append("all anonymous volumes not used by at least one container")
    warnings.append("all images without at least one container associated to them"
                    if o["all"] else "all dangling images")
    warnings.append("all build cache" if o["all"] else "unused build cache")
    text = "WARNING! This will remove:\n" + "".join(f"  - {w}\n" for w in warnings)
    if not o["force"] and not _confirm(env, text):
        return 0
    eng = env.engine
    api = env.api
    total = 0
    with api.request("POST", "/containers/prune"):
        ids, reclaimed = prune_stopped(eng)
    total += reclaimed
    with api.request("POST", "/networks/prune"):
        sections = [("Deleted Containers:", ids), ("Deleted Networks:", eng.prune_networks())]
    if o["volumes"]:
        with api.request("POST", "/volumes/prune"):
            removed, reclaimed = eng.prune_volumes(False, lambda doc: True)
        total += reclaimed
        sections.append(("Deleted Volumes:", removed))
    with api.request("POST", "/images/prune",
                     filters=filters_param([("dangling", str(not o["all"]).lower())])):
        records, reclaimed = eng.prune_images(all_images=o["all"])
    total += reclaimed
    sections.append(("Deleted Images:", [f"{kind}: {what}" for kind, what in records]))
    with api.request("POST", "/build/prune", all=o["all"], filters=""):
        keys, reclaimed = prune_build_cache(eng)
    total += reclaimed
    sections.append(("Deleted build cache objects:", keys))
    for title, lines in sections:
        if lines:
            env.out("\n".join([title, *lines]) + "\n")
    env.out(f"Total reclaimed space: {human_size(total, 4)}")
    return 0


def prune_build_cache(eng) -> tuple[list[str], int]:
    """Forget the builder's records and free the layers only they kept."""
    from engine.build.cache import BuildCache
    from engine.system.diskusage import usage
    records = usage(eng).build_cache
    if not records:
        return [], 0
    from engine.store import lock
    freed = sum(r.size for r in records if not r.shared)
    with lock.locked(eng.paths.lock):
        BuildCache(eng).prune()
        eng.images.collect_garbage(eng.layers_in_use())
    return [r.key for r in records], freed
