"""The network of an ordinary user's engine (issue 20): what differs from root's.

The engine's network namespace, bridges, veths, names and published ports work as for
root (test_core_flows runs those flows both ways). What an ordinary user cannot have:
a host port below net.ipv4.ip_unprivileged_port_start (refused in rootless Docker's
words, with a hint, and nothing left half-made). These tests read that sysctl and pick
ports on either side of it; they never change it.

The uplink runs slirp4netns as the user, which needs /dev/net/tun open to it. This
machine's may be root's alone (crw-------) where most machines open it to everyone: the
uplink tests give the user's engine a device node of their own, with the mode they need,
bound over /dev/net/tun in a mount namespace of the engine's alone (never the host's).
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import socket
import subprocess
import sys

import pytest

from engine.network import endpoints
from tests.integration.cli_helpers import free_port, http_get
from tests.conftest import ROOT, Result
from tests.integration.test_uplink import Listener


def _limit() -> int:
    start = endpoints.unprivileged_port_start()
    if not start:
        pytest.skip("net.ipv4.ip_unprivileged_port_start is 0 here: anyone may bind any port")
    return start



def _bindable(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("0.0.0.0", port))
            return True
        except OSError:
            return False


def _refusal(port: int, start: int, name: str) -> str:
    return ("docker: Error response from daemon: failed to set up container networking: "
            f"driver failed programming external connectivity on endpoint {name} "
            r"\([0-9a-f]{64}\): " + re.escape(
                f"cannot expose privileged port {port}, you can add "
                f"'net.ipv4.ip_unprivileged_port_start={port}' to /etc/sysctl.conf "
                f"(currently {start}), or choose a larger port number (>= {start}): "
                f"listen tcp4 0.0.0.0:{port}: bind: permission denied"))


def test_the_kernel_refuses_below_the_limit_to_a_process_without_the_capability():
    """As root, the kernel's own refusal, the one a rootless engine meets: a process
    without CAP_NET_BIND_SERVICE (taken away by setpriv) binds the port at the limit,
    not the one below it, and the engine says why in Docker's words."""
    start = _limit()
    if not shutil.which("setpriv"):
        pytest.skip("needs setpriv (util-linux) to drop CAP_NET_BIND_SERVICE")
    code = ("import sys\nfrom engine.network import endpoints\n"
            "for port in sys.argv[1:]:\n"
            "    try:\n"
            "        sock, _ = endpoints._listen('0.0.0.0', port, 'tcp')\n"
            "        print(port, 'bound'); sock.close()\n"
            "    except endpoints.PortError as e:\n"
            "        print(port, type(e).__name__, e)\n")
    r = subprocess.run(["setpriv", "--inh-caps", "-net_bind_service", "--bounding-set",
                        "-net_bind_service", sys.executable, "-c", code, str(start - 1),
                        str(start)], cwd=ROOT, capture_output=True, text=True, timeout=30)
    below, at = r.stdout.splitlines()
    assert below == (f"{start - 1} PrivilegedPort cannot expose privileged port {start - 1}, "
                     f"you can add 'net.ipv4.ip_unprivileged_port_start={start - 1}' to "
                     f"/etc/sysctl.conf (currently {start}), or choose a larger port number "
                     f"(>= {start}): listen tcp4 0.0.0.0:{start - 1}: bind: permission denied")
    # at the limit: bound, or taken by something else, never "privileged"
    assert at in (f"{start} bound", ) or "PortInUse" in at, at


def test_a_privileged_port_for_an_ordinary_user(user_engine):
    """Below the limit: rootless Docker's refusal, a hint with both ways out, and
    nothing half-made: the port bound before it is free again, the address given back,
    the container created but never started (removed, with --rm). The status is 126,
    the docker CLI's for an error that says "permission denied" (toStatusError)."""
    start = _limit()
    low, free = start - 1, free_port()
    user_engine.ok("docker pull -q busybox")
    r = user_engine.run(f"docker run -d --name web -p {free}:8080 -p {low}:80 busybox "
                        "sleep 60")
    assert r.code == 126, r
    assert re.fullmatch(_refusal(low, start, "web"), r.err.splitlines()[0]), r.err
    hint = [line for line in r.err.splitlines() if line.startswith("hint:")]
    assert hint and f"-p {low + 8000 if low + 8000 < 65536 else start}:" in hint[0] and \
        f"sysctl -w net.ipv4.ip_unprivileged_port_start={low}" in hint[0], r.err
    assert user_engine.ok("docker ps -a --format '{{.Names}} {{.State}} [{{.Ports}}]'") == \
        "web created []\n"
    assert _bindable(free)                      # the first port was let go
    bridge = json.loads(user_engine.ok("docker network inspect bridge"))[0]
    assert bridge["Containers"] == {}            # and the address given back
    user_engine.ok("docker rm web")
    r = user_engine.run(f"docker run --rm -p {low}:80 busybox true")
    assert r.code == 126 and re.fullmatch(_refusal(low, start, r"[a-z]+_[a-z]+"),
                                          r.err.splitlines()[0]), r.err
    assert user_engine.ok("docker ps -aq") == ""
    # the port the first try bound is published now, as anyone's would be
    user_engine.ok(f"docker run -d --name web -p {free}:80 busybox sleep 60")
    assert user_engine.ok("docker port web") == f"80/tcp -> 0.0.0.0:{free}\n"


def test_the_engines_network_namespace_belongs_to_its_user_namespace(user_engine):
    """dl-netd runs in the engine's user namespace, and the engine's network namespace
    (its pin is seen in the engine's mount namespace only) is owned by it: the bridges
    and veths are made there as root of that namespace, never on the host."""
    if not (shutil.which("nsenter") and shutil.which("ip")):
        pytest.skip("needs nsenter (util-linux) and ip (iproute2) to look inside")
    user_engine.ok("docker network create appnet")
    user_engine.ok("docker run -d --name web --network appnet busybox sleep 60")
    run = os.path.join(user_engine.root, "run")
    with open(os.path.join(run, "netd.pid")) as f:
        netd = int(f.read())
    pin = os.open(f"/proc/{netd}/root{run}/netns", os.O_RDONLY)
    try:
        owner = fcntl.ioctl(pin, 0xB701)                  # NS_GET_USERNS
        try:
            assert os.fstat(owner).st_ino == os.stat(f"/proc/{netd}/ns/user").st_ino
        finally:
            os.close(owner)
    finally:
        os.close(pin)
    assert os.stat(f"/proc/{netd}/ns/user").st_ino != os.stat("/proc/self/ns/user").st_ino
    r = subprocess.run(["nsenter", f"--net=/proc/{netd}/root{run}/netns", "ip", "-o",
                        "link"], capture_output=True, text=True, timeout=20)
    bridge = user_engine.ok("docker network inspect -f '{{.Id}}' appnet")[:12]
    assert f"br-{bridge}" in r.stdout and "master br-" in r.stdout, r.stdout + r.stderr
    assert f"br-{bridge}" not in os.listdir("/sys/class/net")
    user_engine.ok("docker rm -f web")


def _listener_uid(port: int) -> int | None:
    """Who owns the socket listening on TCP `port` in the host's namespace (this one)."""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == port and fields[3] == "0A":
                return int(fields[7])
    return None


def test_a_published_port_listens_on_the_host_as_the_user(user_engine):
    """The proxy's socket is in the host's network namespace, made by the user's
    engine: the kernel counts it as the user's, not root's."""
    port = free_port()
    user_engine.ok(f"docker run -d --name web -p {port}:80 busybox sleep 60")
    assert _listener_uid(port) == user_engine.uid
    user_engine.ok("docker rm -f web")
    assert _listener_uid(port) is None


# --- --network host, none, container: as rootless Docker has them ------------------------


def test_host_network_is_the_hosts_own_for_an_ordinary_user(user_engine):
    """As rootless Docker since Engine 29.5 (RootlessKit's detached network namespace,
    its default): --network host is the host's network namespace, not the engine's. A
    server there listens on the host as the user: from the limit up it is reached on
    the host's loopback with no -p; below it the kernel refuses the program itself."""
    start = _limit()
    with open("/etc/hosts") as f:
        hosts = f.read()
    out = user_engine.ok("docker run --rm --network host busybox sh -c "
                         "'ls /sys/class/net; echo; hostname; echo; cat /etc/hosts'")
    links, name, etc_hosts = out.split("\n\n", 2)
    assert links.split() == sorted(os.listdir("/sys/class/net"))
    assert name == os.uname().nodename            # Docker: the host's name
    assert etc_hosts == hosts                     # ... and the host's /etc/hosts
    port = free_port()
    user_engine.ok(f"docker run -d --name web --network host busybox sh -c 'mkdir /www && "
                   f"echo on-the-host > /www/index.html && exec httpd -f -p 127.0.0.1:{port} "
                   "-h /www'")
    from tests.integration.cli_helpers import wait_until
    body = wait_until(lambda: http_get(port), 10, 0.1, what="the server on the host's loopback")
    assert body.endswith(b"on-the-host\n"), body
    r = user_engine.run(f"docker run --rm --network host busybox httpd -f -p "
                        f"127.0.0.1:{start - 1}")
    assert r.code == 1 and "httpd: bind: Permission denied" in r.err, r
    user_engine.ok("docker rm -f web")


def test_none_and_another_containers_network_for_an_ordinary_user(user_engine):
    assert user_engine.ok("docker run --rm --network none busybox ls /sys/class/net") == "lo\n"
    user_engine.ok("docker run -d --name web busybox sleep 60")
    ip = user_engine.ok("docker inspect -f '{{.NetworkSettings.IPAddress}}' web").strip()
    out = user_engine.ok("docker run --rm --network container:web busybox sh -c "
                         "'ip -o -4 addr show eth0; hostname'")
    address, name = out.splitlines()
    assert f"inet {ip}/16" in address
    assert name == user_engine.ok("docker inspect -f '{{.Config.Hostname}}' web").strip()
    user_engine.ok("docker rm -f web")


# --- the uplink, as the user ---------------------------------------------------------------

UPLINK = {"DOCKERLINGS_UPLINK": "slirp4netns", "DOCKERLINGS_UPLINK_HOST_LOOPBACK": "1",
          "DOCKERLINGS_UPLINK_OUTBOUND": "127.0.0.1"}     # nothing can leave the machine


@pytest.fixture
def listener():
    lis = Listener()
    yield lis
    lis.close()


@pytest.fixture
def tun(tmp_path):
    """tun(mode): a node of the tun device with `mode`, in the test's own folder (root's
    alone), removed afterwards."""
    if not (shutil.which("slirp4netns") and shutil.which("nft") and shutil.which("setpriv")):
        pytest.skip("the uplink as a user needs slirp4netns, nft and setpriv")
    node = tmp_path / "tun"

    def make(mode: int) -> str:
        os.mknod(node, 0o020000 | mode, os.makedev(10, 200))
        os.chmod(node, mode)
        return str(node)
    yield make
    node.unlink(missing_ok=True)


def _first_with_tun(user_engine, node: str, line: str, env: dict) -> Result:
    """The user engine's first command, in a mount namespace where `node` is
    /dev/net/tun: the keeper it leaves holds that view for the engine's life, and
    every later command joins it."""
    script = ('mount --bind "$0" /dev/net/tun && umask 022 && exec setpriv --reuid "$1" '
              '--regid "$2" --clear-groups --inh-caps=-all -- "$3" -c "$4"')
    r = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                        node, str(user_engine.uid), str(user_engine.gid),
                        user_engine.program, line], capture_output=True, timeout=120,
                       cwd=user_engine.cwd, env=dict(user_engine.environ, **env))
    return Result(r.returncode, r.stdout.decode(), r.stderr.decode())


def test_the_uplink_of_an_ordinary_users_engine(user_engine, tun, listener):
    """slirp4netns runs as the user, attached to the engine's namespace (which the
    user's namespace owns): a container reaches the host's loopback through it."""
    node = tun(0o666)
    r = _first_with_tun(user_engine, node, "docker run --rm busybox sh -c 'echo hi-as-user "
                        f"| nc -w 5 10.0.2.2 {listener.port}'", UPLINK)
    assert r.code == 0 and r.out == "hello-from-host\n", r
    assert listener.heard == [b"hi-as-user\n"]
    info = user_engine.command("engine", "info", env_extra=UPLINK).out
    pid = int(re.search(r"slirp4netns running \(pid (\d+)", info).group(1))
    with open(f"/proc/{pid}/status") as f:
        uids = next(line for line in f if line.startswith("Uid:")).split()[1:]
    assert set(uids) == {str(user_engine.uid)}       # the user's, not root's


def test_an_uplink_this_machine_cannot_give_the_user(user_engine, tun):
    """Asked for by name, it fails the start at once, in words that say why and what
    most machines have; nothing is left (no slirp4netns, no container). 'auto' starts
    the container without it, and engine info says why."""
    node = tun(0o600)
    r = _first_with_tun(user_engine, node, "docker run --rm busybox true", UPLINK)
    assert r.code == 125, r
    assert ("DOCKERLINGS_UPLINK=slirp4netns: slirp4netns cannot open /dev/net/tun: "
            "Permission denied (crw-------: open to its owner only); an ordinary user's "
            "uplink needs it open to every user (crw-rw-rw-, as on most machines)") in r.err
    assert user_engine.ok("docker ps -aq") == ""
    auto = dict(UPLINK, DOCKERLINGS_UPLINK="auto")
    r = user_engine.command("-c", "docker run --rm busybox echo fine", env_extra=auto)
    assert r.code == 0 and r.out == "fine\n", r
    info = user_engine.command("engine", "info", env_extra=auto).out
    assert "auto: none (slirp4netns cannot open /dev/net/tun" in info, info
