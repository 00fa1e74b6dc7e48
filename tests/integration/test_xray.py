"""xray CONTAINER: each fact made for real and checked against the kernel."""
from __future__ import annotations

import json
import os

from tests.integration.cli_helpers import inspect, wait_until


def _facts(sh, name: str) -> dict:
    return json.loads(sh.ok(f"xray {name} --format json"))


def test_namespaces_shared_with_pid_host_and_container(sh):
    sh.ok("docker run -d --name db busybox sleep 60")
    sh.ok("docker run -d --name side --pid container:db --network container:db busybox "
          "sleep 60")
    sh.ok("docker run -d --name hostpid --pid host busybox sleep 60")
    db = {n["Type"]: n for n in _facts(sh, "db")["Namespaces"]}
    side = {n["Type"]: n for n in _facts(sh, "side")["Namespaces"]}
    host = {n["Type"]: n for n in _facts(sh, "hostpid")["Namespaces"]}
    pid = int(inspect(sh, "db", "{{.State.Pid}}"))
    assert db["pid"]["Inode"] == os.stat(f"/proc/{pid}/ns/pid").st_ino
    assert (db["pid"]["Owner"], db["pid"]["SharedWith"]) == ("its own", ["side"])
    assert side["pid"]["Owner"] == side["net"]["Owner"] == "db's"
    assert side["pid"]["Inode"] == db["pid"]["Inode"] and side["mnt"]["Owner"] == "its own"
    assert host["pid"]["Owner"] == "the host's"
    assert host["pid"]["Inode"] == os.stat("/proc/self/ns/pid").st_ino
    assert "the host's" in sh.ok("xray hostpid")


def test_processes_cgroup_and_capabilities(sh):
    sh.ok("docker run -d --name lim -m 64m --pids-limit 20 --cpus 0.5 busybox sh -c "
          "'sleep 60 & sleep 61'")
    f = wait_until(lambda: (lambda x: x if len(x["Processes"]) >= 2 else None)(
        _facts(sh, "lim")), timeout=10, what="both sleeps to start")
    pid = int(inspect(sh, "lim", "{{.State.Pid}}"))
    assert {"HostPID": pid, "PID": 1} == {k: f["Processes"][0][k] for k in ("HostPID", "PID")}
    mem, cpu, pids = f["Cgroup"]["Memory"], f["Cgroup"]["CPU"], f["Cgroup"]["PIDs"]
    assert mem["Limit"] == 64 << 20 and pids["Max"] == 20
    assert (cpu["Quota"], cpu["Period"]) == (50000, 100000)
    assert pids["Current"] == len(f["Processes"])
    assert all(os.path.isdir(p) for p in f["Cgroup"]["Paths"])
    assert f["Capabilities"]["DockerDefault"] and f["Capabilities"]["Count"] == 14
    assert f["Seccomp"] == "filter"
    sh.ok("docker run -d --name priv --privileged busybox sleep 60")
    p = _facts(sh, "priv")
    with open("/proc/self/status") as st:      # --privileged: all the host can give
        bounding = next(int(l.split()[1], 16) for l in st if l.startswith("CapBnd:"))
    assert p["Capabilities"]["Count"] == bin(bounding).count("1") > 14
    assert p["MaskedPaths"] == []


def test_layers_volume_hides_image_files_and_network(sh, engine):
    sh.ok("docker volume create etcvol")
    sh.ok("docker run -d --name web -v etcvol:/etc -p 18181:80 busybox sh -c "
          "'echo x > /made; sleep 60'")
    f = _facts(sh, "web")
    rootfs = f["RootFS"]
    assert len(rootfs["Layers"]) == len(json.loads(inspect(sh, "busybox",
                                                           "{{json .RootFS.Layers}}")))
    steps = sh.ok("docker history --no-trunc --format '{{.CreatedBy}}' busybox").splitlines()
    assert rootfs["Layers"][0]["CreatedBy"] == steps[-1]           # the bottom layer's step
    assert rootfs["Upper"]["Changes"] >= 1 and rootfs["Upper"]["Size"] == 2     # /made
    (mount,) = rootfs["Mounts"]
    image_etc = os.listdir(engine.layers.diff_dir(rootfs["Layers"][-1]["Layer"]) / "etc")
    assert mount["Destination"] == "/etc" and sorted(image_etc) == mount["Hides"]
    assert "passwd" in mount["Hides"]
    (eth0,) = f["Network"]["Interfaces"]
    assert eth0["Bridge"] == json.loads(sh.ok("docker network inspect bridge"))[0][
        "Options"]["com.docker.network.bridge.name"]
    assert eth0["Address"] == inspect(sh, "web", "{{.NetworkSettings.IPAddress}}") + "/16"
    assert f["Network"]["Ports"] == ["0.0.0.0:18181 -> 80/tcp"]
    bridge = json.loads(sh.ok("xray network bridge --format json"))["Kernel"]
    assert eth0["HostVeth"] in [p["Name"] for p in bridge["Ports"]]       # the veth pair
    (proxy,) = f["Network"]["Proxies"]
    assert proxy["ProxyPID"] == f["Monitor"]["PID"] > 0                  # who listens
    import socket
    with socket.create_connection(("127.0.0.1", 18181), timeout=5):
        pass
    text = sh.ok("xray web")
    assert "hides the image's: " in text and "eth0  172.17." in text
    assert max(len(l) for l in text.splitlines() if "/" not in l.split()[-1]) <= 80


def test_unknown_container(sh):
    r = sh.run("xray nosuch")
    assert (r.code, r.err) == (1, "xray: No such container: nosuch\n")


def test_image_layers_add_change_remove_and_users(sh, tmp_path):
    (tmp_path / "Dockerfile").write_text(
        "FROM busybox\nRUN rm /etc/shadow && echo root:x:0:0::/:/bin/sh > /etc/passwd && "
        "echo n > /new\n")
    sh.ok(f"docker build -q -t layered {tmp_path}")
    sh.ok("docker create --name user1 layered")
    f = json.loads(sh.ok("xray image layered --format json"))
    base, top = f["Layers"]
    assert base["Added"] > 100 and base["Changed"] == base["Removed"] == 0
    assert (top["Added"], top["Changed"], top["Removed"]) == (1, 1, 1)
    assert sorted(top["Examples"]) == ["/etc/passwd", "/etc/shadow", "/new"]
    assert top["CreatedBy"].startswith("RUN /bin/sh -c rm /etc/shadow")
    assert top["UsedBy"] == ["user1"] and "user1" in base["UsedBy"]
    assert "adds 1, changes 1, removes 1 file(s)" in sh.ok("xray image layered")


def test_network_bridge_from_the_kernel(sh):
    sh.ok("docker network create xnet")
    assert json.loads(sh.ok("xray network xnet --format json"))["Kernel"] is None
    sh.ok("docker run -d --name member --network xnet busybox sleep 60")
    f = json.loads(sh.ok("xray network xnet --format json"))
    k = f["Kernel"]
    assert f["Bridge"].startswith("br-") and k["State"] == "UP"
    assert k["Addresses"] == [f"{f['Gateway']}/16"] and f["Subnet"] in k["Routes"]
    assert len(k["Ports"]) == 1 and k["Ports"][0]["Name"].startswith("veth")
    (m,) = f["Members"]
    ip = inspect(sh, "member", "{{.NetworkSettings.Networks.xnet.IPAddress}}")
    assert (m["Container"], m["Address"]) == ("member", f"{ip}/16")
    sh.ok("docker rm -f member")          # the kernel takes the veth down with the netns
    wait_until(lambda: json.loads(sh.ok("xray network xnet --format json"))["Kernel"]
               ["Ports"] == [], timeout=5, what="the veth to leave the bridge")


def test_engine_namespace_and_engine_shell(sh, engine):
    import subprocess
    import sys
    sh.ok("docker run -d --name inside busybox sleep 60")
    f = json.loads(sh.ok("xray engine --format json"))
    links = {i["Name"]: i for i in f["Namespace"]["Interfaces"]}
    assert links["docker0"]["Addresses"] == ["172.17.0.1/16"]
    assert [n for n, i in links.items() if i["Master"] == "docker0"]      # the veth
    assert {"Destination": "172.17.0.0/16", "Gateway": "", "Device": "docker0"} in \
        f["Namespace"]["Routes"]
    out = subprocess.run([sys.executable, "-m", "shell", "engine", "shell", "readlink",
                          "/proc/self/ns/net"], capture_output=True, text=True, timeout=30)
    assert (out.returncode, out.stdout.strip()) == (0, f"net:[{f['Namespace']['Inode']}]")
    dev = subprocess.run([sys.executable, "-m", "shell", "engine", "shell", "cat",
                          "/proc/net/dev"], capture_output=True, text=True, timeout=30)
    assert "docker0:" in dev.stdout
    missing = subprocess.run([sys.executable, "-m", "shell", "engine", "shell", "nosuchcmd"],
                             capture_output=True, text=True, timeout=30)
    assert missing.returncode == 127 and "nosuchcmd" in missing.stderr


def test_forwarding_and_rules_as_the_engine_namespace_has_them(sh, engine):
    """xray says whether the engine's namespace forwards and which nftables rules it
    holds, as the kernel has them: the same as a shell in that namespace reads."""
    import shutil
    import subprocess
    import sys
    from engine.network import netns
    sh.ok("docker run -d --name fw busybox sleep 60")
    f = json.loads(sh.ok("xray engine --format json"))["Namespace"]
    k = json.loads(sh.ok("xray network bridge --format json"))["Kernel"]

    def inside(*argv: str) -> str:
        p = subprocess.run([sys.executable, "-m", "shell", "engine", "shell", *argv],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, p.stderr
        return p.stdout.strip()
    forwarding = inside("cat", "/proc/sys/net/ipv4/ip_forward") == "1"
    assert f["Forwarding"] is forwarding and k["Forwarding"] is forwarding
    assert forwarding is False                  # no uplink: nothing is routed
    if shutil.which("nft") or os.path.exists("/usr/sbin/nft"):
        assert f["Rules"] == inside("nft", "list", "ruleset") == k["Rules"]
        # a rule made in the namespace shows at once: read from the kernel when asked
        fd = netns.open_ns(netns.pin_path(str(engine.paths.run)))
        try:
            from engine.network import uplink
            uplink._run_nft(fd, "table ip xraytest { chain c { type filter hook forward "
                                "priority 0; policy accept; }; }")
            rules = json.loads(sh.ok("xray engine --format json"))["Namespace"]["Rules"]
            assert "table ip xraytest" in rules
            assert "nftables rules (nft list ruleset):" in sh.ok("xray engine")
            uplink._run_nft(fd, "delete table ip xraytest")
        finally:
            os.close(fd)
    else:
        assert f["Rules"] is None and "nft is not installed" in sh.ok("xray engine")
    sh.ok("docker rm -f fw")
