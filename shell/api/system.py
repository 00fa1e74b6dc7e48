"""/_ping, /version, /info."""
from __future__ import annotations

import os
import platform

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
    """The daemon's /info: the fields `docker info` reads come from the command line's
    own facts (shell/commands/system.server_facts); the rest are moby's constants."""
    from ..commands.system import server_facts
    doc = {
        "ID": "", "MemoryLimit": True, "SwapLimit": True, "CpuCfsPeriod": True,
        "CpuCfsQuota": True, "CPUShares": True, "CPUSet": True, "PidsLimit": True,
        "IPv4Forwarding": True, "NFd": len(os.listdir("/proc/self/fd")),
        "OomKillDisable": False, "NGoroutines": 0, "SystemTime": _now(),
        "NEventsListener": 0, "OSVersion": "",
        "IndexServerAddress": "https://index.docker.io/v1/", "RegistryConfig": None,
        "GenericResources": None, "HttpProxy": "", "HttpsProxy": "", "NoProxy": "",
        "Labels": [], "Isolation": "", "InitBinary": "docker-init",
    }
    doc.update(server_facts(eng, os.environ))
    doc["ServerVersion"] = SERVER_VERSION
    return Reply(200, doc)


def _now() -> str:
    from engine.util import timeutil
    return timeutil.now()


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
