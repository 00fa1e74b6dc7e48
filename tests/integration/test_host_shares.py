"""host.docker.internal relays only the host ports the learner shared (`host share
PORT`), never the engine's own, never to an --internal network or --network none."""
from __future__ import annotations

import socket
import threading

import pytest


@pytest.fixture
def service():
    """A service listening on the host's loopback only, answering each connection."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            conn.sendall(b"secret from the host\n")
            conn.close()
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield srv.getsockname()[1]
    stop.set()
    t.join()
    srv.close()


def _reach(sh, port: int, network: str = "") -> str:
    net = f"--network {network} " if network else ""
    return sh.ok(f"docker run --rm {net}busybox sh -c "
                 f"'nc -w 2 host.docker.internal {port} </dev/null; true'")


def _reach_address(sh, address: str, port: int, network: str) -> str:
    return sh.ok(f"docker run --rm --network {network} busybox sh -c "
                 f"'nc -w 2 {address} {port} </dev/null; true'")


def test_an_unshared_loopback_service_is_not_reachable(sh, service):
    sh.ok("docker pull busybox")
    assert _reach(sh, service) == ""
    assert sh.ok("host") == ("No host port is shared with containers ('host share PORT' "
                             "shares one).\n")


def test_a_shared_port_is_reachable_and_unshare_closes_it(sh, service):
    sh.ok("docker pull busybox")
    assert sh.ok(f"host share {service}") == ("Containers reach these host ports as "
                                              f"host.docker.internal:PORT: {service}\n")
    assert _reach(sh, service) == "secret from the host\n"
    assert sh.ok("host shares").endswith(f": {service}\n")
    sh.ok(f"host unshare {service}")
    assert _reach(sh, service) == ""
    assert sh.engine.host_shares() == []


def test_internal_and_none_networks_never_reach_a_shared_port(sh, service):
    sh.ok("docker pull busybox")
    sh.ok(f"host share {service}")
    sh.ok("docker network create --internal closed")
    gateway = sh.ok("docker network inspect -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}' "
                    "closed").strip()
    assert _reach(sh, service, "none") == ""
    assert _reach(sh, service, "closed") == ""
    # not even by dialling its bridge's address
    assert _reach_address(sh, gateway, service, "closed") == ""
    assert _reach(sh, service) == "secret from the host\n"


def test_never_an_engine_port(sh):
    sh.ok("docker pull busybox")
    sh.ok("docker run -d --name web -p 127.0.0.1::80 busybox sh -c "
          "'while true; do echo from-web | nc -l -p 80; done'")
    port = int(sh.ok("docker port web 80").rsplit(":", 1)[1])
    r = sh.run(f"host share {port}")
    assert r.code == 1 and f"port {port} is published by container web" in r.err
    # shared before it was published: still never relayed
    sh.ok("docker rm -f web")
    sh.ok(f"host share {port}")
    sh.ok(f"docker run -d --name web -p 127.0.0.1:{port}:80 busybox sh -c "
          "'while true; do echo from-web | nc -l -p 80; done'")
    from engine.network import client
    relayed = client.call(str(sh.engine.paths.run), "shares")["relayed"]   # a look now
    assert sh.engine.host_shares() == [port] and relayed == []
    assert _reach(sh, port) == ""


def test_sharing_a_port_nothing_listens_on_says_so(sh):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    r = sh.run(f"host share {free}")
    assert r.code == 0 and r.err == (f"hint: nothing on this machine listens on {free} yet: "
                                     "containers reach it once something does (on "
                                     "127.0.0.1 or every address)\n")


def test_bad_ports_and_usage(sh):
    assert sh.run("host share 0").code == 1
    assert "invalid port 'x'" in sh.run("host share x").err
    assert sh.run("host frobnicate").code in (1, 2)
    assert sh.run("host share").code == 2
