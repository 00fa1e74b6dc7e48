"""/_ping, /version, /info."""
from __future__ import annotations

import os
import platform
import socket

from .http import MAX_VERSION, MIN_VERSION, SERVER_VERSION, Reply


def ping(req, eng):
    # HEAD gets no body and says so (Content-Length: 0), as moby's ping does
    # Builder-Version 1: the classic builder's /build (no BuildKit session here)
    return Reply(200, raw=b"" if req.method == "HEAD" else b"OK",
                 content_type="text/plain; charset=utf-8", headers={"Builder-Version": "1"})


def version(req, eng):
    details = {"ApiVersion": MAX_VERSION, "Arch": _arch(), "BuildTime": "",
               "Experimental": "false", "GitCommit": "", "GoVersion": "",
               "KernelVersion": platform.release(), "MinAPIVersion": MIN_VERSION, "Os": "linux"}
    return Reply(200, {
        "Platform": {"Name": "dockerlings"},
        "Components": [{"Name": "Engine", "Version": SERVER_VERSION, "Details": details}],
        "Version": SERVER_VERSION, "ApiVersion": MAX_VERSION, "MinAPIVersion": MIN_VERSION,
        "GitCommit": "", "GoVersion": "", "Os": "linux", "Arch": _arch(),
        "KernelVersion": platform.release(), "BuildTime": ""})


def _arch() -> str:
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())


def info(req, eng):
    containers = eng.containers(all=True)
    states = [c.state.status for c in containers]
    from engine.runtime import cgroups
    layout = cgroups.layout()
    return Reply(200, {
        "ID": "", "Containers": len(containers),
        "ContainersRunning": states.count("running") + states.count("restarting"),
        "ContainersPaused": states.count("paused"),
        "ContainersStopped": sum(s not in ("running", "restarting", "paused") for s in states),
        "Images": len(eng.list_images()), "Driver": "overlay2",
        "DriverStatus": [["Backing Filesystem", "extfs"]],
        "Plugins": {"Volume": ["local"], "Network": ["bridge", "host", "none"],
                    "Authorization": None, "Log": ["json-file"]},
        "MemoryLimit": True, "SwapLimit": True, "CpuCfsPeriod": True, "CpuCfsQuota": True,
        "CPUShares": True, "CPUSet": True, "PidsLimit": True, "IPv4Forwarding": True,
        "Debug": False, "NFd": len(os.listdir("/proc/self/fd")),
        "OomKillDisable": False, "NGoroutines": 0, "SystemTime": _now(),
        "LoggingDriver": "json-file",
        "CgroupDriver": "cgroupfs", "CgroupVersion": "2" if layout.v2 and not layout.v1 else "1",
        "NEventsListener": 0, "KernelVersion": platform.release(),
        "OperatingSystem": _os_name(), "OSVersion": "", "OSType": "linux",
        "Architecture": platform.machine(), "IndexServerAddress": "https://index.docker.io/v1/",
        "RegistryConfig": None, "NCPU": os.cpu_count() or 1, "MemTotal": _mem_total(),
        "GenericResources": None, "DockerRootDir": str(eng.paths.root),
        "HttpProxy": "", "HttpsProxy": "", "NoProxy": "", "Name": socket.gethostname(),
        "Labels": [], "ExperimentalBuild": False, "ServerVersion": SERVER_VERSION,
        "Runtimes": {"dockerlings": {"path": "dockerlings"}}, "DefaultRuntime": "dockerlings",
        "Swarm": {"NodeID": "", "NodeAddr": "", "LocalNodeState": "inactive",
                  "ControlAvailable": False, "Error": "", "RemoteManagers": None},
        "LiveRestoreEnabled": False, "Isolation": "", "InitBinary": "",
        "SecurityOptions": ["name=seccomp,profile=builtin"], "Warnings": None})


def _now() -> str:
    from engine.util import timeutil
    return timeutil.now()


def _os_name() -> str:
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "Linux"


def _mem_total() -> int:
    try:
        with open("/proc/meminfo") as f:
            return int(f.readline().split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return 0


def df(req, eng):
    """GET /system/df: engine/diskusage's measures in the daemon's shapes."""
    from engine.system.diskusage import usage

    from .containers import summary as container_summary
    from .images import summary as image_summary
    du = usage(eng)
    images = [{**image_summary(u.image), "SharedSize": u.shared, "Containers": u.containers}
              for u in du.images]
    containers = []
    for u in du.containers:
        doc = container_summary(eng, u.container)
        doc["SizeRw"] = u.size_rw
        containers.append(doc)
    volumes = [{**u.volume, "UsageData": {"Size": u.size, "RefCount": u.refs}}
               for u in du.volumes]
    cache = [{"ID": u.key, "Parents": None, "Type": "regular", "Description": "",
              "InUse": False, "Shared": u.shared, "Size": u.size, "CreatedAt": u.created,
              "LastUsedAt": u.created, "UsageCount": 0} for u in du.build_cache]
    return Reply(200, {"LayersSize": du.layers_size, "Images": images,
                       "Containers": containers, "Volumes": volumes, "BuildCache": cache})


ROUTES = [
    ("GET", r"/system/df", df),
    ("GET", r"/_ping", ping),
    ("GET", r"/version", version),
    ("GET", r"/info", info),
]
