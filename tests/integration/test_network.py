"""Networks and published ports, with real packets. Traffic only goes to loopback and to
the engine's own namespace."""
from __future__ import annotations

import os
import socket
import threading
import time

from tests.integration.cli_helpers import free_port
from tests.integration.conftest import host_routes



def _recv_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


def _tcp_roundtrip(port: int, payload: bytes, timeout: float = 5.0) -> bytes:
    deadline = time.time() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)          # half-close: the server sees EOF
                return _recv_all(s)
        except (ConnectionError, OSError):      # not listening inside yet
            if time.time() > deadline:
                raise
            time.sleep(0.05)


def test_network_ls_shows_the_three_networks(sh):
    out = sh.ok("docker network ls")
    lines = out.splitlines()
    assert lines[0].split() == ["NETWORK", "ID", "NAME", "DRIVER", "SCOPE"]
    rows = {l.split()[1]: l.split()[2:] for l in lines[1:]}
    assert rows == {"bridge": ["bridge", "local"], "host": ["host", "local"],
                    "none": ["null", "local"]}


def test_default_bridge_addresses_like_docker(sh):
    out = sh.ok("docker run --rm busybox sh -c 'ip -o -4 addr show eth0; ip route'")
    assert "inet 172.17.0.2/16" in out
    assert "default via 172.17.0.1 dev eth0" in out


def test_user_network_takes_the_next_pool_and_names_resolve(sh):
    sh.ok("docker network create mynet")
    assert '"Subnet": "172.18.0.0/16"' in sh.ok("docker network inspect mynet")
    sh.ok("docker run -d --name server --network mynet busybox sh -c "
          "'echo hello-by-name | nc -l -p 7000'")
    out = sh.ok("docker run --rm --network mynet busybox sh -c "
                "'ping -c1 -W2 server >/dev/null && nc server 7000'")
    assert out == "hello-by-name\n"


def test_different_networks_are_isolated_until_connected(sh):
    """As in Docker: containers on two networks cannot reach each other, even by
    address, until one joins the other's network."""
    sh.ok("docker network create left")
    sh.ok("docker network create right")
    sh.ok("docker run -d --name far --network right busybox sleep 60")
    ip = sh.ok("docker inspect -f '{{.NetworkSettings.Networks.right.IPAddress}}' far").strip()
    sh.ok("docker run -d --name near --network left busybox sleep 60")
    assert sh.run(f"docker exec near ping -c1 -W1 {ip}").code == 1
    sh.ok("docker network connect right near")
    assert sh.run(f"docker exec near ping -c1 -W2 {ip}").code == 0


def test_names_do_not_resolve_on_the_default_bridge_but_addresses_work(sh, engine):
    sh.ok("docker run -d --name target busybox sh -c 'echo by-ip | nc -l -p 7001'")
    started = time.monotonic()
    r = sh.run("docker run --rm busybox ping -c1 -W1 target")
    assert r.code == 1 and "bad address 'target'" in r.err
    assert time.monotonic() - started < 3         # an answer, not a timeout
    ip = sh.ok("docker inspect -f '{{.NetworkSettings.IPAddress}}' target").strip()
    assert ip.startswith("172.17.0.")
    assert sh.ok(f"docker run --rm busybox nc {ip} 7001") == "by-ip\n"


def test_published_tcp_port_with_half_close(sh):
    port = free_port()
    sh.ok(f"docker run -d --name echo -p {port}:80 busybox sh -c "
          "'while true; do nc -l -p 80 -e cat; done'")
    assert _tcp_roundtrip(port, b"round trip\n") == b"round trip\n"
    assert sh.ok("docker ps --format '{{.Ports}}'") == f"0.0.0.0:{port}->80/tcp\n"
    assert sh.ok("docker port echo") == f"80/tcp -> 0.0.0.0:{port}\n"


def test_published_udp_port(sh, engine):
    """busybox has no UDP server, so the test opens one inside the container's own
    network namespace; the datagrams go host -> proxy -> engine namespace -> container."""
    from engine.network import netns
    port = free_port()
    sh.ok(f"docker run -d --name udp -p {port}:5000/udp busybox sleep 60")
    pid = engine.container("udp").state.pid
    ns = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY)
    with netns.entered(ns):
        server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    os.close(ns)
    server.bind(("0.0.0.0", 5000))

    def echo():
        data, addr = server.recvfrom(100)
        server.sendto(data.upper(), addr)
    threading.Thread(target=echo, daemon=True).start()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.sendto(b"ping\n", ("127.0.0.1", port))
        data, _ = s.recvfrom(100)
    server.close()
    assert data == b"PING\n"
    assert sh.ok("docker port udp") == f"5000/udp -> 0.0.0.0:{port}\n"


def test_random_host_port_and_publish_all(sh):
    sh.ok("docker run -d --name r1 -p 80 --expose 90 -P busybox sleep 30")
    out = sh.ok("docker port r1")
    lines = sorted(out.splitlines())
    assert lines[0].startswith("80/tcp -> 0.0.0.0:") and lines[1].startswith("90/tcp -> ")
    host_port = int(lines[0].rsplit(":", 1)[1])
    assert host_port > 1024


def test_port_already_allocated_and_freed_when_stopped(sh):
    port = free_port()
    sh.ok(f"docker run -d --name first -p {port}:80 busybox sleep 30")
    r = sh.run(f"docker run -d --name second -p {port}:80 busybox sleep 30")
    assert r.code == 125
    assert f"Bind for 0.0.0.0:{port} failed: port is already allocated" in r.err
    assert sh.ok("docker inspect -f '{{.State.Status}}' second") == "created\n"
    sh.ok("docker stop -t 0 first")
    with socket.socket() as s:          # free the moment the container stops
        s.bind(("0.0.0.0", port))
    sh.ok("docker start second")


def test_host_docker_internal_reaches_the_hosts_loopback(sh):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]

    def answer():
        conn, _ = srv.accept()
        conn.sendall(b"hello from the host\n")
        conn.close()
    t = threading.Thread(target=answer, daemon=True)
    t.start()
    try:
        sh.ok(f"host share {port}")     # nothing is relayed unless shared
        out = sh.ok(f"docker run --rm busybox sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do "
                    f"nc host.docker.internal {port} && break; sleep 0.2; done'")
        assert out == "hello from the host\n"
    finally:
        srv.close()


def test_network_connect_reaches_a_new_network(sh):
    sh.ok("docker network create backend")
    sh.ok("docker run -d --name db --network backend busybox sh -c "
          "'while true; do echo db-answer | nc -l -p 5432; done'")
    sh.ok("docker run -d --name app busybox sleep 60")
    assert sh.run("docker exec app nc -w 1 db 5432").code != 0
    sh.ok("docker network connect backend app")
    assert sh.ok("docker exec app nc db 5432") == "db-answer\n"
    assert "backend" in sh.ok("docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}"
                              "{{$k}} {{end}}' app")
    sh.ok("docker network disconnect backend app")
    assert sh.run("docker exec app nc -w 1 db 5432").code != 0


def test_restarted_container_keeps_name_resolution(sh):
    sh.ok("docker network create stable")
    sh.ok("docker run -d --name named --network stable busybox sleep 60")
    sh.ok("docker run -d --name asker --network stable busybox sleep 60")
    sh.ok("docker restart -t 0 named")
    assert sh.run("docker exec asker ping -c1 -W2 named").code == 0
    sh.ok("docker rename named renamed")
    assert sh.run("docker exec asker ping -c1 -W2 renamed").code == 0
    assert sh.run("docker exec asker ping -c1 -W1 named").code != 0


def test_aliases_and_fixed_ip(sh):
    sh.ok("docker network create --subnet 10.77.0.0/24 aliased")
    sh.ok("docker run -d --name a1 --network aliased --ip 10.77.0.50 --network-alias db "
          "busybox sleep 60")
    out = sh.ok("docker run --rm --network aliased busybox ping -c1 -W2 db")
    assert "10.77.0.50" in out


def test_fifty_containers_all_resolve_each_other(sh):
    sh.ok("docker network create crowd")
    for i in range(50):
        sh.ok(f"docker run -d --name c{i:02d} --network crowd busybox sleep 120")
    names = " ".join(f"c{i:02d}" for i in range(50))
    script = f"for n in {names}; do nslookup $n 127.0.0.11 >/dev/null || echo MISSING $n; done"
    for asker in ("c00", "c25", "c49"):
        r = sh.run(f"docker exec {asker} sh -c '{script}'")
        assert "MISSING" not in r.out, r.out


def test_bad_network_input_changes_nothing(sh, engine):
    before = sh.ok("docker network ls -q")
    r = sh.run("docker run -p 99999:80 busybox true")
    assert (r.code, r.err.splitlines()[0]) == (125, "docker: invalid hostPort: 99999")
    r = sh.run("docker run --network nosuch busybox true")
    assert r.code == 125 and "network nosuch not found" in r.err
    sh.ok("docker network create --subnet 10.9.0.0/16 one")
    r = sh.run("docker network create --subnet 10.9.128.0/24 two")
    assert r.code == 1
    assert "Pool overlaps with other one on this address space" in r.err
    sh.ok("docker create --name box --network one busybox true")
    r = sh.run("docker network connect one box")
    assert r.code == 1 and "already exists in network one" in r.err
    r = sh.run("docker network rm bridge")
    assert r.code == 1 and "bridge is a pre-defined network and cannot be removed" in r.err
    assert len(sh.ok("docker network ls -q").split()) == len(before.split()) + 1
    assert sh.ok("docker ps -aq").count("\n") == 1


def test_network_rm_in_use_and_prune(sh):
    sh.ok("docker network create busy")
    sh.ok("docker network create idle")
    sh.ok("docker run -d --name user --network busy busybox sleep 30")
    r = sh.run("docker network rm busy")
    assert r.code == 1 and 'has active endpoints (name:"user"' in r.err
    out = sh.ok("docker network prune -f")
    assert "idle" in out and "busy" not in out


def test_reset_removes_the_namespace_and_host_is_untouched(engine, sh):
    links, routes = sorted(os.listdir("/sys/class/net")), host_routes()
    sh.ok("docker network create tmpnet")
    sh.ok(f"docker run -d --network tmpnet -p {free_port()}:80 busybox sleep 30")
    sh.ok("docker run --rm busybox true")
    pin = engine.paths.run / "netns"
    assert pin.exists()
    engine.reset()
    assert not pin.exists()
    assert sorted(os.listdir("/sys/class/net")) == links
    assert host_routes() == routes


def test_host_and_container_networks_name_the_container_as_docker_does(sh):
    """Docker's create: on the host's network a container is named as the host and gets
    a copy of its /etc/hosts; in another container's namespace, that one's name, and -h
    there is a conflict."""
    with open("/etc/hosts") as f:
        hosts = f.read()
    assert sh.ok("docker run --rm --network host busybox hostname") == \
        os.uname().nodename + "\n"
    assert sh.ok("docker run --rm --network host busybox cat /etc/hosts") == hosts
    assert sh.ok("docker run --rm --network host -h mine busybox hostname") == "mine\n"
    sh.ok("docker run -d --name web -h webhost busybox sleep 60")
    assert sh.ok("docker run --rm --network container:web busybox hostname") == "webhost\n"
    r = sh.run("docker run --rm --network container:web -h other busybox true")
    assert (r.code, r.err.splitlines()[0]) == (125, "docker: Error response from daemon: "
                                               "conflicting options: hostname and the "
                                               "network mode")
    assert sh.ok("docker ps -aq").count("\n") == 1
