"""The optional uplink through slirp4netns, turned on for these tests' engines only.

Traffic goes to the host's loopback and nowhere else: slirp4netns maps 10.0.2.2 to the
host's 127.0.0.1 (host loopback is allowed here, it is off by default), and its outbound
sockets are bound to 127.0.0.1 (DOCKERLINGS_UPLINK_OUTBOUND), so even a stray packet
could not leave the machine. No test here looks a name up."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time

import pytest

from engine.network import uplink

pytestmark = pytest.mark.skipif(
    not (shutil.which("slirp4netns") and shutil.which("nft") and shutil.which("nsenter")
         and shutil.which("ip")),
    reason="the uplink tests need slirp4netns, nft, nsenter and ip")


@pytest.fixture
def uplink_on(engine_root, monkeypatch):
    """After engine_root, which clears any DOCKERLINGS_UPLINK* of the caller's."""
    monkeypatch.setenv("DOCKERLINGS_UPLINK", "slirp4netns")
    monkeypatch.setenv("DOCKERLINGS_UPLINK_HOST_LOOPBACK", "1")
    monkeypatch.setenv("DOCKERLINGS_UPLINK_OUTBOUND", "127.0.0.1")


class Listener:
    """A one-line TCP server on the host's 127.0.0.1 that answers each client."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.heard: list[bytes] = []
        self.done = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.done:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(5)
                data = b""
                try:
                    while not data.endswith(b"\n"):
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    self.heard.append(data)
                    conn.sendall(b"hello-from-host\n")
                except OSError:
                    pass

    def close(self):
        self.done = True
        self.thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    lis = Listener()
    yield lis
    lis.close()


def in_engine_ns(engine, *cmd: str) -> str:
    """Run a read-only command (ip, nft list, cat) inside the engine's namespace."""
    r = subprocess.run(["nsenter", f"--net={engine.paths.run}/netns", *cmd],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    return r.stdout


def host_forwarding() -> str:
    with open("/proc/sys/net/ipv4/ip_forward") as f:
        return f.read()


def slirp_pid(engine) -> int:
    with open(uplink.pid_path(str(engine.paths.run))) as f:
        return int(f.read())


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


def test_container_reaches_the_host_loopback_through_nat_and_slirp4netns(
        uplink_on, sh, engine, listener):
    forwarding = host_forwarding()
    out = sh.ok(f"docker run --rm busybox sh -c "
                f"'echo hi-from-container | nc 10.0.2.2 {listener.port}'")
    assert out == "hello-from-host\n"
    assert listener.heard == [b"hi-from-container\n"]

    addr = in_engine_ns(engine, "ip", "-o", "-4", "addr", "show", "dev", "tap0")
    assert "inet 10.0.2.100/24" in addr
    assert "default via 10.0.2.2 dev tap0" in in_engine_ns(engine, "ip", "route")
    assert in_engine_ns(engine, "cat", "/proc/sys/net/ipv4/ip_forward").strip() == "1"
    table = in_engine_ns(engine, "nft", "list", "table", "ip", "dockerlings")
    masq = next(line for line in table.splitlines() if "masquerade" in line)
    assert 'oifname "tap0"' in masq
    assert int(masq.split("packets")[1].split()[0]) > 0      # the packets went this way

    pid = slirp_pid(engine)
    assert uplink.is_slirp(pid, str(engine.paths.run))
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        args = f.read().split(b"\0")
    assert b"--outbound-addr=127.0.0.1" in args and b"--disable-host-loopback" not in args
    assert host_forwarding() == forwarding       # the host's own setting is untouched

    r = sh.run("dockerlings engine info")
    assert f"Uplink:        slirp4netns running (pid {pid}" in r.out


def test_an_internal_network_cannot_use_the_uplink(uplink_on, sh, engine, listener):
    sh.ok("docker network create --internal inner")
    sh.ok(f"docker run --rm busybox sh -c 'echo up | nc 10.0.2.2 {listener.port}'")
    assert wait_for(lambda: listener.heard == [b"up\n"])
    gateway = sh.ok("docker network inspect -f '{{(index .IPAM.Config 0).Gateway}}' "
                    "inner").strip()
    # even with a route of its own to the gateway, the firewall keeps it in
    out = sh.ok(f"docker run --rm --network inner --cap-add NET_ADMIN busybox sh -c "
                f"'ip route add default via {gateway} && ip route && "
                f"echo leak | nc -w 2 10.0.2.2 {listener.port}; echo nc=$?'")
    assert f"default via {gateway}" in out and out.endswith("nc=1\n")
    time.sleep(0.3)
    assert listener.heard == [b"up\n"]


def test_host_loopback_stays_closed_unless_asked_for(engine_root, monkeypatch, sh, engine,
                                                     listener):
    monkeypatch.setenv("DOCKERLINGS_UPLINK", "slirp4netns")
    monkeypatch.setenv("DOCKERLINGS_UPLINK_OUTBOUND", "127.0.0.1")
    out = sh.ok(f"docker run --rm busybox sh -c "
                f"'echo hi | nc -w 2 10.0.2.2 {listener.port}; echo nc=$?'")
    assert out.endswith("nc=1\n") and listener.heard == []
    with open(f"/proc/{slirp_pid(engine)}/cmdline", "rb") as f:
        assert b"--disable-host-loopback" in f.read().split(b"\0")
    # host.docker.internal goes through the engine's own relay, uplink or not
    sh.ok(f"host share {listener.port}")
    out = sh.ok(f"docker run --rm busybox sh -c "
                f"'echo hi | nc host.docker.internal {listener.port}'")
    assert out == "hello-from-host\n"


def test_slirp4netns_is_restarted_when_it_dies(uplink_on, sh, engine, listener):
    sh.ok(f"docker run --rm busybox sh -c 'echo one | nc 10.0.2.2 {listener.port}'")
    first = slirp_pid(engine)
    os.kill(first, signal.SIGKILL)          # this test's own slirp4netns
    run = str(engine.paths.run)
    second = wait_for(lambda: (uplink.up(run) or {}).get("pid") not in (None, first)
                      and slirp_pid(engine))
    assert second and second != first
    assert uplink.state(run)["restarts"] == 1
    out = sh.ok(f"docker run --rm busybox sh -c 'echo two | nc 10.0.2.2 {listener.port}'")
    assert out == "hello-from-host\n"


def test_slirp4netns_ends_with_its_helper_and_with_reset(uplink_on, sh, engine):
    sh.ok("docker run --rm busybox true")
    run = str(engine.paths.run)
    first = slirp_pid(engine)
    with open(os.path.join(run, "netd.pid")) as f:
        helper = int(f.read())
    os.kill(helper, signal.SIGKILL)          # this test's own dl-netd: its exit fd closes
    assert wait_for(lambda: not uplink.is_slirp(first, run))
    sh.ok("docker run --rm busybox true")    # a new helper, a new uplink
    second = slirp_pid(engine)
    assert second != first and uplink.is_slirp(second, run)
    engine.reset()
    assert not uplink.is_slirp(second, run)


def test_uplink_off_by_default_leaves_nothing_of_it(sh, engine):
    sh.ok("docker run --rm busybox true")
    assert "tap0" not in in_engine_ns(engine, "ip", "-o", "link")
    assert "dockerlings" not in in_engine_ns(engine, "nft", "list", "tables")
    run = str(engine.paths.run)
    assert not os.path.exists(uplink.pid_path(run))
    assert not os.path.exists(uplink.state_path(run))
    r = sh.run("dockerlings engine info")
    assert "Uplink:        off" in r.out


def test_a_missing_tool_is_an_error_when_asked_for_by_name(engine_root, monkeypatch, sh):
    monkeypatch.setenv("DOCKERLINGS_UPLINK", "pasta")
    r = sh.run("docker run --rm busybox true")
    assert r.code == 125 and "pasta" in r.err
    monkeypatch.setenv("DOCKERLINGS_UPLINK", "sometimes")
    r = sh.run("docker run --rm busybox true")
    assert r.code != 0 and "DOCKERLINGS_UPLINK=sometimes" in r.err


class FakeResolver:
    """A resolver listening inside the engine's own namespace (port 53 on every address
    there), answering A queries with 192.0.2.7: the container's --dns points at it, so
    forwarded queries never reach slirp4netns's resolver."""

    def __init__(self, engine):
        from engine.network import netns
        ns = netns.open_ns(netns.pin_path(str(engine.paths.run)))
        try:
            with netns.entered(ns):
                self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        finally:
            os.close(ns)
        self.sock.bind(("0.0.0.0", 53))
        self.sock.settimeout(0.2)
        self.asked: list[str] = []
        self.done = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        from engine.network import dns
        while not self.done:
            try:
                packet, addr = self.sock.recvfrom(4096)
            except OSError:
                continue
            self.asked.append(dns._question(packet)[0])
            self.sock.sendto(dns.answer(packet, lambda name: ["192.0.2.7"]), addr)

    def close(self):
        self.done = True
        self.thread.join()
        self.sock.close()


@pytest.mark.parametrize("on", [True, False], ids=["uplink-on", "uplink-off"])
def test_unknown_names_are_forwarded_only_while_the_uplink_is_up(on, engine_root,
                                                                  monkeypatch, sh, engine):
    if on:
        monkeypatch.setenv("DOCKERLINGS_UPLINK", "slirp4netns")
        monkeypatch.setenv("DOCKERLINGS_UPLINK_OUTBOUND", "127.0.0.1")
    sh.ok("docker run --rm busybox true")          # the engine's namespace and docker0
    resolver = FakeResolver(engine)
    try:
        r = sh.run("docker run --rm --dns 172.17.0.1 busybox nslookup -type=a example.test")
    finally:
        resolver.close()
    if on:
        assert r.code == 0 and "192.0.2.7" in r.out
        assert resolver.asked and set(resolver.asked) == {"example.test"}
    else:
        assert r.code != 0 and "192.0.2.7" not in r.out
        assert resolver.asked == []


def test_the_setting_travels_with_each_start(engine_root, monkeypatch, sh, engine, listener):
    """The uplink is the setting of the shell that starts the container, not of the
    spawner an earlier start left running (its monitors plug the veths)."""
    sh.ok("docker run --rm busybox true")        # a spawner without the setting
    monkeypatch.setenv("DOCKERLINGS_UPLINK", "slirp4netns")
    monkeypatch.setenv("DOCKERLINGS_UPLINK_HOST_LOOPBACK", "1")
    monkeypatch.setenv("DOCKERLINGS_UPLINK_OUTBOUND", "127.0.0.1")
    out = sh.ok(f"docker run --rm busybox sh -c 'echo late | nc -w 5 10.0.2.2 "
                f"{listener.port}'")
    assert out == "hello-from-host\n" and listener.heard == [b"late\n"]


def test_networks_stay_apart_with_the_uplink_on(uplink_on, sh, listener):
    """Forwarding is on for the uplink, yet, as in Docker, a container reaches no other
    network's containers: only its own (bridged) and the way out (routed to tap0)."""
    sh.ok("docker network create apart")
    sh.ok("docker run -d --name one --network apart busybox sleep 60")
    sh.ok("docker run -d --name two --network apart busybox sleep 60")
    ip = sh.ok("docker inspect -f '{{.NetworkSettings.Networks.apart.IPAddress}}' "
               "one").strip()
    assert "1 packets received" in sh.ok(f"docker exec two ping -c 1 -W 2 {ip}")
    r = sh.run(f"docker run --rm busybox ping -c 1 -W 1 {ip}")
    assert r.code == 1 and "0 packets received" in r.out, r
    out = sh.ok(f"docker run --rm busybox sh -c 'echo out | nc 10.0.2.2 {listener.port}'")
    assert out == "hello-from-host\n"
