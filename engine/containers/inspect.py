"""`docker inspect` documents, in Docker's key order and with its zero values, built from
the engine's records so what a learner reads here is what Docker would show."""
from __future__ import annotations

from . import links
from ..util.fsutil import dir_size
from ..supervisor.launch import INIT_LAYER
from ..runtime.rootfs import MASKED_PATHS, READONLY_PATHS
from ..store.containers import Container
from ..store.images import Image
from ..util import timeutil


def go_map(m):
    """A Go map, as encoding/json writes it (and so the daemon's answer): keys sorted.
    Documents are dicts for structs too, which keep their field order; only the fields
    that are maps in Docker's types go through here."""
    return dict(sorted(m.items())) if m else m


def _host_config(engine, c: Container) -> dict:
    h = c.host.to_dict()
    return {
        "Binds": h["Binds"], "ContainerIDFile": "",
        "LogConfig": {"Type": "json-file", "Config": {}},
        "NetworkMode": h["NetworkMode"], "PortBindings": go_map(h["PortBindings"]),
        "RestartPolicy": h["RestartPolicy"], "AutoRemove": h["AutoRemove"],
        "VolumeDriver": "", "VolumesFrom": h["VolumesFrom"],
        "ConsoleSize": list(c.host.console_size), "CapAdd": h["CapAdd"], "CapDrop": h["CapDrop"],
        "CgroupnsMode": "host", "Dns": h["Dns"], "DnsOptions": [], "DnsSearch": [],
        "ExtraHosts": h["ExtraHosts"], "GroupAdd": None, "IpcMode": "private", "Cgroup": "",
        "Links": links.inspect(engine, c), "OomScoreAdj": 0, "PidMode": h["PidMode"],
        "Privileged": h["Privileged"], "PublishAllPorts": h["PublishAllPorts"],
        "ReadonlyRootfs": h["ReadonlyRootfs"], "SecurityOpt": h["SecurityOpt"],
        **({"Tmpfs": h["Tmpfs"]} if h["Tmpfs"] else {}),
        "UTSMode": "", "UsernsMode": "", "ShmSize": 67108864, "Runtime": "dockerlings",
        "Isolation": "", "CpuShares": h["CpuShares"], "Memory": h["Memory"],
        "NanoCpus": h["NanoCpus"], "CgroupParent": "", "BlkioWeight": 0,
        "BlkioWeightDevice": [], "BlkioDeviceReadBps": [], "BlkioDeviceWriteBps": [],
        "BlkioDeviceReadIOps": [], "BlkioDeviceWriteIOps": [], "CpuPeriod": h["CpuPeriod"],
        "CpuQuota": h["CpuQuota"], "CpuRealtimePeriod": 0, "CpuRealtimeRuntime": 0,
        "CpusetCpus": "", "CpusetMems": "", "Devices": h["Devices"],
        "DeviceCgroupRules": h["DeviceCgroupRules"],
        "DeviceRequests": None, "MemoryReservation": 0, "MemorySwap": h["MemorySwap"],
        "MemorySwappiness": None, "OomKillDisable": None, "PidsLimit": h["PidsLimit"],
        "Ulimits": [], "CpuCount": 0, "CpuPercent": 0, "IOMaximumIOps": 0,
        "IOMaximumBandwidth": 0,
        **({"Mounts": h["Mounts"]} if h["Mounts"] else {}),
        "MaskedPaths": [] if c.host.privileged else list(MASKED_PATHS),
        "ReadonlyPaths": [] if c.host.privileged else list(READONLY_PATHS),
        **({"Init": True} if c.host.init else {}),        # a *bool, omitted when unset
    }


def graph_driver(engine, c: Container) -> dict:
    d = engine.paths.container(c.id)
    lowers = [str(engine.paths.root / INIT_LAYER)] + \
        [str(engine.layers.diff_dir(l)) for l in reversed(c.layers)]
    return {"Data": {"LowerDir": ":".join(lowers), "MergedDir": str(d / "merged"),
                     "UpperDir": str(d / "upper"), "WorkDir": str(d / "work")},
            "Name": "overlay2"}


def _network_settings(engine, c: Container) -> dict:
    """Docker's NetworkSettings: what the container asked for (its networks), with the
    addresses of its current start filled in; the default bridge's endpoint is also
    repeated at the top level, as Docker does."""
    runtime = c.state.network or {}
    live = runtime.get("Networks") or {}
    networks = {}
    for name, asked in c.networks.items():
        now = live.get(name, {})
        networks[name] = {
            "IPAMConfig": asked.get("IPAMConfig"), "Links": asked.get("Links"),
            "Aliases": asked.get("Aliases"), "MacAddress": now.get("MacAddress", ""),
            "DriverOpts": None, "GwPriority": 0, "NetworkID": asked.get("NetworkID", ""),
            "EndpointID": now.get("EndpointID", ""), "Gateway": now.get("Gateway", ""),
            "IPAddress": now.get("IPAddress", ""), "IPPrefixLen": now.get("IPPrefixLen", 0),
            "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
            "DNSNames": now.get("DNSNames")}
    bridge = networks.get("bridge", {})
    ports = runtime.get("Ports")
    if ports is None:
        ports = {p: None for p in c.config.exposed_ports}
    return {
        "Bridge": "", "SandboxID": "", "SandboxKey": "", "Ports": go_map(ports),
        "HairpinMode": False,
        "LinkLocalIPv6Address": "", "LinkLocalIPv6PrefixLen": 0,
        "SecondaryIPAddresses": None, "SecondaryIPv6Addresses": None,
        "EndpointID": bridge.get("EndpointID", ""), "Gateway": bridge.get("Gateway", ""),
        "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
        "IPAddress": bridge.get("IPAddress", ""), "IPPrefixLen": bridge.get("IPPrefixLen", 0),
        "IPv6Gateway": "", "MacAddress": bridge.get("MacAddress", ""),
        "Networks": go_map(networks),
    }


def network(net: dict) -> dict:
    """`docker network inspect` of one network record."""
    ipam = [{"Subnet": net["Subnet"], "Gateway": net["Gateway"]}] if net.get("Subnet") else []
    options = {}
    if net.get("DefaultBridge"):
        options = {"com.docker.network.bridge.default_bridge": "true",
                   "com.docker.network.bridge.enable_icc": "true",
                   "com.docker.network.bridge.enable_ip_masquerade": "true",
                   "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0",
                   "com.docker.network.bridge.name": "docker0",
                   "com.docker.network.driver.mtu": "1500"}
    return {
        "Name": net["Name"], "Id": net["Id"], "Created": net["Created"], "Scope": "local",
        "Driver": net["Driver"], "EnableIPv4": True, "EnableIPv6": False,
        "IPAM": {"Driver": "default", "Options": None if net["Driver"] != "bridge" else {},
                 "Config": ipam},
        "Internal": net.get("Internal", False), "Attachable": False, "Ingress": False,
        "ConfigFrom": {"Network": ""}, "ConfigOnly": False,
        "Containers": go_map({cid: {k: ep[k] for k in ("Name", "EndpointID", "MacAddress",
                                                        "IPv4Address", "IPv6Address")}
                              for cid, ep in net.get("Containers", {}).items()}),
        "Options": go_map(options), "Labels": go_map(net.get("Labels") or {}),
    }


def _config(c: Container) -> dict:
    cfg = c.config.to_dict()
    out = {}
    for key in ("Hostname", "Domainname", "User", "AttachStdin", "AttachStdout",
                "AttachStderr", "ExposedPorts", "Tty", "OpenStdin", "StdinOnce", "Env", "Cmd",
                "Image", "Volumes", "WorkingDir", "Entrypoint", "OnBuild", "Labels",
                "StopSignal", "StopTimeout"):
        if key == "ExposedPorts" and not cfg.get(key):
            continue
        if key in ("StopSignal", "StopTimeout") and cfg.get(key) is None:
            continue
        out[key] = go_map(cfg.get(key)) if key in _MAPS else cfg.get(key)
    return out


_MAPS = ("ExposedPorts", "Volumes", "Labels")     # the maps among a Config's fields


def container(engine, c: Container, size: bool = False) -> dict:
    d = engine.paths.container(c.id)
    started = not timeutil.is_zero(c.state.started_at) or c.state.running
    doc = {
        "Id": c.id, "Created": c.created, "Path": c.path, "Args": list(c.args),
        "State": _state(c),
        "Image": c.image_id,
        # Docker fills these in when it sets the network up, at the first start
        "ResolvConfPath": str(d / "resolv.conf") if started else "",
        "HostnamePath": str(d / "hostname") if started else "",
        "HostsPath": str(d / "hosts") if started else "",
        "LogPath": str(engine.log_path(c.id)) if started else "",
        "Name": "/" + c.name, "RestartCount": c.state.restart_count, "Driver": "overlay2",
        "Platform": "linux", "MountLabel": "", "ProcessLabel": "", "AppArmorProfile": "",
        "ExecIDs": None, "HostConfig": _host_config(engine, c),
        "GraphDriver": graph_driver(engine, c),
    }
    if size:
        doc["SizeRw"] = dir_size(d / "upper")
        doc["SizeRootFs"] = doc["SizeRw"] + sum(engine.layers.get(l).size for l in c.layers
                                                if engine.layers.exists(l))
    from ..volumes.specs import public
    doc["Mounts"] = [public(m) for m in c.mounts]
    doc["Config"] = _config(c)
    doc["NetworkSettings"] = _network_settings(engine, c)
    return doc


def _state(c: Container) -> dict:
    s = c.state.to_docker()
    return s


_IMAGE_CONFIG_ORDER = ("User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes",
                       "WorkingDir", "Labels", "StopSignal", "ArgsEscaped", "Healthcheck",
                       "OnBuild", "Shell")


def image(engine, img: Image) -> dict:
    rc = img.run_config
    cfg = {k: go_map(rc[k]) if k in _MAPS else rc[k]
           for k in _IMAGE_CONFIG_ORDER if rc.get(k) not in (None, "", [], {})}
    lowers = [str(engine.layers.diff_dir(l)) for l in reversed(img.layers)]
    data = {"MergedDir": "", "UpperDir": lowers[0] if lowers else "", "WorkDir": ""}
    if len(lowers) > 1:
        data = {"LowerDir": ":".join(lowers[1:]), **data}
    history = img.history
    comment = history[-1].get("comment", "") if history else ""
    return {
        "Id": img.id, "RepoTags": list(img.repo_tags), "RepoDigests": list(img.repo_digests),
        "Parent": img.parent or "", "Comment": comment, "Created": img.created,
        "DockerVersion": "", "Author": img.config.get("author", ""), "Config": cfg,
        "Architecture": img.config.get("architecture", ""), "Os": img.config.get("os", ""),
        "Size": img.size,
        "GraphDriver": {"Data": data, "Name": "overlay2"},
        "RootFS": {"Type": "layers", "Layers": img.diff_ids},
        "Metadata": {"LastTagTime": img.last_tag_time or timeutil.ZERO},
    }
