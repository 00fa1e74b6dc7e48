"""/networks/... and /volumes/...: list, inspect, create, remove."""
from __future__ import annotations

from engine.containers import inspect as documents
from engine.errors import InvalidParameter

from .containers import filters
from .http import Reply


def _pairs(req) -> list[tuple[str, str]]:
    return [(k, v) for k, values in filters(req).items() for v in values]


def _body(req) -> dict:
    body = req.json({})
    if not isinstance(body, dict):
        raise InvalidParameter("invalid JSON: the body must be an object")
    return body


def networks(req, eng):
    from ..commands.network import _matches
    pairs = _pairs(req)
    nets = sorted(eng.networks(), key=lambda n: n["Name"])
    return Reply(200, [documents.network(n) for n in nets if _matches(n, pairs)])


def network(req, eng, ref):
    return Reply(200, documents.network(eng.network(ref)))


def network_create(req, eng):
    body = _body(req)
    name = body.get("Name")
    if not isinstance(name, str) or not name:
        raise InvalidParameter("network name is required")
    configs = ((body.get("IPAM") or {}).get("Config") or [{}])
    if len(configs) > 1:
        raise InvalidParameter("dockerlings networks take one subnet")
    first = configs[0] if configs and isinstance(configs[0], dict) else {}
    net = eng.create_network(name, subnet=first.get("Subnet") or None,
                             gateway=first.get("Gateway") or None,
                             internal=bool(body.get("Internal")),
                             labels=dict(body.get("Labels") or {}),
                             driver=body.get("Driver") or "bridge")
    return Reply(201, {"Id": net["Id"], "Warning": ""})


def network_remove(req, eng, ref):
    eng.remove_network(ref)
    return Reply(204)


def network_connect(req, eng, ref):
    body = _body(req)
    ipam = (body.get("EndpointConfig") or {}).get("IPAMConfig") or {}
    aliases = (body.get("EndpointConfig") or {}).get("Aliases") or None
    eng.network_connect(ref, str(body.get("Container") or ""),
                        ip=ipam.get("IPv4Address") or None, aliases=aliases)
    return Reply(200)


def network_disconnect(req, eng, ref):
    body = _body(req)
    eng.network_disconnect(ref, str(body.get("Container") or ""), force=bool(body.get("Force")))
    return Reply(200)


def volumes(req, eng):
    from ..commands.volume import _keep, _natural
    keep = _keep(_pairs(req), eng.volume_users())
    return Reply(200, {"Volumes": [v for v in _natural(eng.volumes()) if keep(v)],
                       "Warnings": None})


def volume(req, eng, name):
    return Reply(200, eng.volume(name))


def volume_create(req, eng):
    body = _body(req)
    vol = eng.create_volume(body.get("Name") or None, driver=body.get("Driver") or "local",
                            labels=dict(body.get("Labels") or {}),
                            options=dict(body.get("DriverOpts") or {}))
    return Reply(201, vol)


def volume_remove(req, eng, name):
    eng.remove_volume(name, force=req.flag("force"))
    return Reply(204)


def network_prune(req, eng):
    return Reply(200, {"NetworksDeleted": eng.prune_networks() or None})


def volume_prune(req, eng):
    from ..commands.volume import _keep
    pairs = _pairs(req)
    everything = any(k == "all" and v.lower() in ("true", "1") for k, v in pairs)
    keep = _keep([p for p in pairs if p[0] != "all"], {}, allowed=("label", "label!"))
    removed, reclaimed = eng.prune_volumes(everything, keep)
    return Reply(200, {"VolumesDeleted": removed or None, "SpaceReclaimed": reclaimed})


ROUTES = [
    ("POST", r"/networks/prune", network_prune),
    ("POST", r"/volumes/prune", volume_prune),
    ("GET", r"/networks", networks),
    ("POST", r"/networks/create", network_create),
    ("POST", r"/networks/([^/]+)/connect", network_connect),
    ("POST", r"/networks/([^/]+)/disconnect", network_disconnect),
    ("GET", r"/networks/([^/]+)", network),
    ("DELETE", r"/networks/([^/]+)", network_remove),
    ("GET", r"/volumes", volumes),
    ("POST", r"/volumes/create", volume_create),
    ("GET", r"/volumes/([^/]+)", volume),
    ("DELETE", r"/volumes/([^/]+)", volume_remove),
]
