"""Networks and their addresses (IPAM), as records on disk.

One JSON file per network under networks/. The three networks every Docker host has
(bridge, host, none) are made on first use. A user network takes the next free pool of
Docker's defaults (172.18.0.0/16 first ... 172.31.0.0/16, then 192.168.x.0/20), its
gateway is .1 and containers get addresses from .2 up. Endpoints (which container has
which address, MAC and aliases on the network) live in the network's record, so any
process — a shell, a monitor answering DNS — reads who is where from one place.
Mutations happen under the engine lock.
"""
from __future__ import annotations

import os

from ..system import owners
from ..util import timeutil
from .. import trust
from ..errors import Conflict, InvalidParameter, NotFound, Unavailable
from ..util.fsutil import read_json, unlink_quiet, write_json
from ..store import lock

BRIDGE, HOST, NONE = "bridge", "host", "none"
PREDEFINED = (BRIDGE, HOST, NONE)
DEFAULT_BRIDGE_SUBNET = "172.17.0.0/16"
DEFAULT_BRIDGE_IF = "docker0"


def default_pools():
    """Docker's default-address-pools, in order (172.17 is the default bridge's)."""
    import ipaddress
    for second in range(18, 32):
        yield ipaddress.ip_network(f"172.{second}.0.0/16")
    for third in range(0, 256, 16):
        yield ipaddress.ip_network(f"192.168.{third}.0/20")


def mac_for(ip: str) -> str:
    """Docker's classic MAC for an address: 02:42 followed by the IPv4 bytes."""
    return "02:42:" + ":".join(f"{int(b):02x}" for b in ip.split("."))


class NetworkError(NotFound):
    pass


class NetworkStore:
    def __init__(self, root: str):
        self.root = str(root)
        self.dir = os.path.join(self.root, "networks")
        self.lock = os.path.join(self.root, "lock")

    # --- records ----------------------------------------------------------------------
    def _path(self, nid: str) -> str:
        return os.path.join(self.dir, nid + ".json")

    def _save(self, net: dict, sync: bool = True) -> None:
        write_json(self._path(net["Id"]), net, sync=sync)

    def _save_endpoints(self, net: dict) -> None:
        """Endpoints belong to running containers, which a power cut ends anyway: they
        are written atomically but not flushed to disk, a millisecond off every start."""
        self._save(net, sync=False)

    def all(self) -> list[dict]:
        self.ensure_defaults()
        out = []
        for name in sorted(os.listdir(self.dir)):
            if name.endswith(".json") and not name.startswith("."):
                try:
                    out.append(read_json(os.path.join(self.dir, name)))
                except (FileNotFoundError, ValueError):
                    continue
        return out

    def ensure_defaults(self) -> None:
        if os.path.isdir(self.dir) and any(n.endswith(".json") for n in os.listdir(self.dir)):
            return
        with lock.locked(self.lock):
            trust.make_dir(self.dir)
            names = set()
            for n in os.listdir(self.dir):
                if n.endswith(".json"):
                    names.add(read_json(os.path.join(self.dir, n))["Name"])
            if BRIDGE not in names:
                self._save(_record(BRIDGE, "bridge", DEFAULT_BRIDGE_SUBNET, "172.17.0.1",
                                   bridge=DEFAULT_BRIDGE_IF, default_bridge=True))
            if HOST not in names:
                self._save(_record(HOST, "host"))
            if NONE not in names:
                self._save(_record(NONE, "null"))

    def get(self, text: str) -> dict:
        """By full ID, name, or unique ID prefix, as Docker looks networks up."""
        if len(text) == 64:                  # a full ID names its file: one read
            try:
                return read_json(self._path(text))
            except (FileNotFoundError, ValueError):
                pass
        nets = self.all()
        for key in ("Id", "Name"):
            for n in nets:
                if n[key] == text:
                    return n
        matches = [n for n in nets if text and n["Id"].startswith(text)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise InvalidParameter(f"network {text} is ambiguous ({len(matches)} matches found "
                                   "based on ID prefix)")
        raise NetworkError(f"network {text} not found")

    def find(self, text: str) -> dict | None:
        try:
            return self.get(text)
        except NetworkError:
            return None

    # --- create and remove --------------------------------------------------------------
    def create(self, name: str, subnet: str | None = None, gateway: str | None = None,
               internal: bool = False, labels: dict | None = None,
               driver: str = "bridge") -> dict:
        if driver != "bridge":
            raise InvalidParameter(f"plugin \"{driver}\" not found" if driver not in
                                   ("host", "null") else
                                   f"only one instance of \"{driver}\" network is allowed")
        with lock.locked(self.lock):
            nets = self.all()
            if any(n["Name"] == name for n in nets):
                raise Conflict(f"network with name {name} already exists")
            import ipaddress     # not at the top: the slim monitor imports this module
            used = [ipaddress.ip_network(n["Subnet"]) for n in nets if n.get("Subnet")]
            net = self._pool(subnet, used)
            gw = self._gateway(net, gateway)
            record = _record(name, "bridge", str(net), gw, internal=internal,
                             labels=labels or {})
            record["Bridge"] = "br-" + record["Id"][:12]
            self._save(record)
            owners.note(self.root, "network", record["Id"])
            return record

    @staticmethod
    def _pool(subnet: str | None, used: list):
        import ipaddress
        if subnet:
            try:
                net = ipaddress.ip_network(subnet, strict=False)
            except ValueError:
                raise InvalidParameter(f"invalid CIDR address: {subnet}") from None
            if net.version != 4:
                raise InvalidParameter("dockerlings networks are IPv4 only")
            if any(net.overlaps(u) for u in used):
                raise InvalidParameter("invalid pool request: Pool overlaps with other one on "
                                       "this address space")
            return net
        for candidate in default_pools():
            if not any(candidate.overlaps(u) for u in used):
                return candidate
        raise InvalidParameter("could not find an available, non-overlapping IPv4 address pool "
                               "among the defaults to assign to the network")

    @staticmethod
    def _gateway(net, gateway: str | None) -> str:
        import ipaddress
        if not gateway:
            return str(net.network_address + 1)
        try:
            gw = ipaddress.ip_address(gateway)
        except ValueError:
            raise InvalidParameter(f"invalid gateway address {gateway}") from None
        if gw not in net:
            raise InvalidParameter(f"no matching subnet for gateway {gateway}")
        return str(gw)

    def remove(self, net: dict) -> None:
        if net["Name"] in PREDEFINED:
            raise Conflict(f"{net['Name']} is a pre-defined network and cannot be removed")
        with lock.locked(self.lock):
            fresh = self.get(net["Id"])
            if fresh["Containers"]:
                cid, ep = next(iter(fresh["Containers"].items()))
                raise Conflict(f"error while removing network: network {fresh['Name']} has "
                               f"active endpoints (name:\"{ep['Name']}\" id:\"{cid[:12]}\")")
            unlink_quiet(self._path(fresh["Id"]))
            owners.forget(self.root, "network", fresh["Id"])

    # --- endpoints -------------------------------------------------------------------------
    def attach(self, net: dict, cid: str, name: str, ip: str | None = None,
               aliases: list[str] | None = None, links: list[str] | None = None) -> dict:
        """Give container `cid` an address on `net`; returns its endpoint. `links`:
        its --link NAME:ALIAS, names only it resolves (dns.py)."""
        with lock.locked(self.lock):
            fresh = self.get(net["Id"])
            if cid in fresh["Containers"]:
                raise Conflict(f"endpoint with name {name} already exists in network "
                               f"{fresh['Name']}")
            address = self._pick(fresh, ip)
            prefix = int(fresh["Subnet"].split("/")[1])
            ep = {"Name": name, "EndpointID": os.urandom(32).hex(), "MacAddress": mac_for(address),
                  "IPv4Address": f"{address}/{prefix}", "IPv6Address": "",
                  "Aliases": list(aliases or [])}
            if links:
                ep["Links"] = list(links)
            fresh["Containers"][cid] = ep
            self._save_endpoints(fresh)
            return ep

    @staticmethod
    def _pick(net: dict, wanted: str | None) -> str:
        import ipaddress
        subnet = ipaddress.ip_network(net["Subnet"])
        taken = {net["Gateway"]} | {e["IPv4Address"].split("/")[0]
                                     for e in net["Containers"].values()}
        if wanted:
            try:
                addr = ipaddress.ip_address(wanted)
            except ValueError:
                raise InvalidParameter(f"invalid IPv4 address: {wanted}") from None
            if addr not in subnet:
                raise InvalidParameter(f"no configured subnet contains IP address {wanted}")
            if str(addr) in taken:
                raise Conflict("Address already in use")
            return str(addr)
        for host in subnet.hosts():
            if str(host) not in taken:
                return str(host)
        raise Unavailable("no available IPv4 addresses on this network's address pools: "
                          f"{net['Name']}")

    def detach(self, net_id: str, cid: str) -> None:
        with lock.locked(self.lock):
            try:
                fresh = self.get(net_id)
            except NetworkError:
                return
            if fresh["Containers"].pop(cid, None) is not None:
                self._save_endpoints(fresh)

    def rename_endpoints(self, cid: str, name: str) -> None:
        with lock.locked(self.lock):
            for net in self.all():
                ep = net["Containers"].get(cid)
                if ep is not None:
                    ep["Name"] = name
                    self._save(net)

    def endpoints_of(self, cid: str) -> list[tuple[dict, dict]]:
        return [(n, n["Containers"][cid]) for n in self.all() if cid in n["Containers"]]


def _record(name: str, driver: str, subnet: str | None = None, gateway: str | None = None,
            internal: bool = False, labels: dict | None = None, bridge: str = "",
            default_bridge: bool = False) -> dict:
    return {
        "Name": name, "Id": os.urandom(32).hex(), "Created": timeutil.now(), "Scope": "local",
        "Driver": driver, "EnableIPv6": False, "Subnet": subnet, "Gateway": gateway,
        "Internal": internal, "Attachable": False, "Ingress": False, "Labels": labels or {},
        "Bridge": bridge, "DefaultBridge": default_bridge, "Containers": {},
    }
