"""`docker exec`, `docker top` and `docker inspect` on real containers, with Docker 28's
outputs, messages and exit codes (docker-cli.md sections 5.1, 5.3, 6, 7.7, 7.8, 7.10)."""
from __future__ import annotations

import json
import os
import time

import pytest

from tests.integration.cli_helpers import (ID64, PATH_ENV, RFC3339NANO, SHA256, ZERO_TIME,
                                           errors, inspect, pull, rfc3339_ns, wait_status,
                                           wait_until)


@pytest.fixture
def bb(sh):
    pull(sh)
    return sh


@pytest.fixture
def web(bb):
    """A running busybox `sleep 100` called web."""
    bb.ok("docker run -d --name web busybox sleep 100")
    return bb


# --- exec --------------------------------------------------------------------------------------

def test_exec_env_workdir_and_user(web):
    assert tuple(web.run("docker exec -e FOO=bar web sh -c 'echo $FOO'")) == (0, "bar\n", "")
    assert tuple(web.run("docker exec -w /tmp web pwd")) == (0, "/tmp\n", "")
    r = web.run("docker exec -u nobody web id")
    assert r.code == 0 and r.out.startswith("uid=65534(nobody) gid=65534(nogroup)"), r.out
    assert web.ok("docker exec -u nobody web sh -c 'touch /root/x 2>/dev/null; echo $?'") == "1\n"


def test_exec_environment_is_dockers(web):
    cid = inspect(web, "web", "{{.Id}}")
    assert web.ok("docker exec web env") == f"{PATH_ENV}\nHOSTNAME={cid[:12]}\nHOME=/root\n"
    assert web.ok("docker exec -e A=1 -e HOME=/tmp web env") == \
        f"{PATH_ENV}\nHOSTNAME={cid[:12]}\nA=1\nHOME=/tmp\n"


def test_exec_streams_and_exit_code(web):
    r = web.run("docker exec web sh -c 'echo out; echo err >&2; exit 7'")
    assert (r.code, r.out, r.err) == (7, "out\n", "err\n")
    assert web.run("docker exec web true").code == 0
    assert web.run("docker exec web sh -c 'kill -9 $$'").code == 137


def test_exec_runs_in_the_container(web):
    web.ok("docker exec web sh -c 'echo inside > /tmp/file'")
    assert web.ok("docker exec web cat /tmp/file") == "inside\n"
    upper = inspect(web, "web", "{{.GraphDriver.Data.UpperDir}}")
    with open(os.path.join(upper, "tmp", "file")) as f:
        assert f.read() == "inside\n"
    assert not os.path.exists("/tmp/file") or open("/tmp/file").read() != "inside\n"
    # its own hostname and pid namespace
    cid = inspect(web, "web", "{{.Id}}")
    assert web.ok("docker exec web hostname") == cid[:12] + "\n"
    assert web.ok("docker exec web cat /proc/1/cmdline") == "sleep\x00100\x00"


def test_exec_detached_returns_at_once_and_the_command_runs_on(web):
    t0 = time.monotonic()
    r = web.run("docker exec -d web sh -c 'sleep 0.3; echo done > /tmp/d'")
    assert (r.code, r.out, r.err) == (0, "", "")
    assert time.monotonic() - t0 < 0.3
    wait_until(lambda: web.run("docker exec web cat /tmp/d").out == "done\n",
               what="the detached exec to finish")


def test_exec_missing_command_is_127_with_dockers_message_on_stdout(web):
    r = web.run("docker exec web nosuchcmd")
    assert (r.code, r.err) == (127, "")
    assert r.out == ('OCI runtime exec failed: exec failed: unable to start container process: '
                     'exec: "nosuchcmd": executable file not found in $PATH: unknown\r\n')


def test_exec_not_executable_is_126(web):
    r = web.run("docker exec web /etc/passwd")
    assert (r.code, r.err) == (126, "")
    assert r.out.startswith("OCI runtime exec failed: exec failed: unable to start container "
                            'process: exec: "/etc/passwd": permission denied')
    assert r.out.endswith("\r\n")


def test_exec_into_a_stopped_container_is_refused(bb):
    bb.ok("docker run --name done busybox true")
    bb.ok("docker create --name fresh busybox true")
    for name in ("done", "fresh"):
        cid = inspect(bb, name, "{{.Id}}")
        r = bb.run(f"docker exec {name} ls")
        assert (r.code, r.out) == (1, "")
        assert errors(r) == [f"Error response from daemon: container {cid} is not running"]


def test_exec_into_a_paused_container_is_refused(web):
    web.ok("docker pause web")
    r = web.run("docker exec web ls")
    assert (r.code, r.out) == (1, "")
    # moby errExecPaused(name): the name as typed, not the ID
    assert errors(r) == ["Error response from daemon: Container web is paused, unpause the "
                         "container before exec"]


def test_exec_unknown_container(bb):
    r = bb.run("docker exec nosuch ls")
    assert (r.code, r.out, errors(r)) == (1, "", ["Error response from daemon: No such "
                                                  "container: nosuch"])


# --- top ---------------------------------------------------------------------------------------

TOP_HEADER = ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]


def _top_rows(out: str) -> list[list[str]]:
    lines = out.splitlines()
    assert lines[0] == "".join(h.ljust(20) for h in TOP_HEADER[:-1]) + "CMD"
    rows = []
    for line in lines[1:]:
        cells = [line[i * 20:(i + 1) * 20] for i in range(7)] + [line[140:]]
        assert all(c.endswith(" ") for c in cells[:-1]), f"misaligned: {line!r}"
        rows.append([c.strip() for c in cells])
    return rows


def test_top_lists_the_containers_processes_only(web):
    web.ok("docker run -d --name other busybox sleep 200")
    pid = inspect(web, "web", "{{.State.Pid}}")
    other = inspect(web, "other", "{{.State.Pid}}")
    rows = _top_rows(web.ok("docker top web"))
    assert [(r[0], r[1], r[7]) for r in rows] == [("root", pid, "sleep 100")]
    web.ok("docker exec -d web sleep 50")
    rows = wait_until(lambda: (lambda rows: rows if len(rows) == 2 else None)(
        _top_rows(web.ok("docker top web"))), what="the exec'd process to show")
    assert sorted(r[7] for r in rows) == ["sleep 100", "sleep 50"]
    listed = {r[1] for r in rows}
    assert other not in listed and str(os.getpid()) not in listed
    assert [r[7] for r in _top_rows(web.ok("docker top other"))] == ["sleep 200"]


def test_top_of_a_paused_container_works(web):
    web.ok("docker pause web")
    rows = _top_rows(web.ok("docker top web"))
    assert [r[7] for r in rows] == ["sleep 100"]


def test_top_of_a_stopped_container_is_refused(bb):
    bb.ok("docker run --name done busybox true")
    cid = inspect(bb, "done", "{{.Id}}")
    r = bb.run("docker top done")
    assert (r.code, r.out) == (1, "")
    assert errors(r) == [f"Error response from daemon: container {cid} is not running"]
    r = bb.run("docker top nosuch")
    assert (r.code, errors(r)) == (1, ["Error response from daemon: No such container: nosuch"])


# --- inspect -----------------------------------------------------------------------------------

TOP_KEYS = ["Id", "Created", "Path", "Args", "State", "Image", "ResolvConfPath", "HostnamePath",
            "HostsPath", "LogPath", "Name", "RestartCount", "Driver", "Platform", "MountLabel",
            "ProcessLabel", "AppArmorProfile", "ExecIDs", "HostConfig", "GraphDriver",
            "Mounts", "Config", "NetworkSettings"]
STATE_KEYS = ["Status", "Running", "Paused", "Restarting", "OOMKilled", "Dead", "Pid",
              "ExitCode", "Error", "StartedAt", "FinishedAt"]
# (key, always present?) in Docker's order
CONFIG_KEYS = [("Hostname", 1), ("Domainname", 1), ("User", 1), ("AttachStdin", 1),
               ("AttachStdout", 1), ("AttachStderr", 1), ("ExposedPorts", 0), ("Tty", 1),
               ("OpenStdin", 1), ("StdinOnce", 1), ("Env", 1), ("Cmd", 1),
               ("Healthcheck", 0), ("ArgsEscaped", 0), ("Image", 1), ("Volumes", 1),
               ("WorkingDir", 1), ("Entrypoint", 1), ("NetworkDisabled", 0),
               ("MacAddress", 0), ("OnBuild", 1), ("Labels", 1), ("StopSignal", 0),
               ("StopTimeout", 0), ("Shell", 0)]
HOST_KEYS = [("Binds", 1), ("ContainerIDFile", 1), ("LogConfig", 1), ("NetworkMode", 1),
             ("PortBindings", 1), ("RestartPolicy", 1), ("AutoRemove", 1), ("VolumeDriver", 1),
             ("VolumesFrom", 1), ("ConsoleSize", 1), ("Annotations", 0), ("CapAdd", 1),
             ("CapDrop", 1), ("CgroupnsMode", 1), ("Dns", 1), ("DnsOptions", 1),
             ("DnsSearch", 1), ("ExtraHosts", 1), ("GroupAdd", 1), ("IpcMode", 1),
             ("Cgroup", 1), ("Links", 1), ("OomScoreAdj", 1), ("PidMode", 1),
             ("Privileged", 1), ("PublishAllPorts", 1), ("ReadonlyRootfs", 1),
             ("SecurityOpt", 1), ("StorageOpt", 0), ("Tmpfs", 0), ("UTSMode", 1),
             ("UsernsMode", 1), ("ShmSize", 1), ("Sysctls", 0), ("Runtime", 0),
             ("Isolation", 1), ("CpuShares", 1), ("Memory", 1), ("NanoCpus", 1),
             ("CgroupParent", 1), ("BlkioWeight", 1), ("BlkioWeightDevice", 1),
             ("BlkioDeviceReadBps", 1), ("BlkioDeviceWriteBps", 1),
             ("BlkioDeviceReadIOps", 1), ("BlkioDeviceWriteIOps", 1), ("CpuPeriod", 1),
             ("CpuQuota", 1), ("CpuRealtimePeriod", 1), ("CpuRealtimeRuntime", 1),
             ("CpusetCpus", 1), ("CpusetMems", 1), ("Devices", 1), ("DeviceCgroupRules", 1),
             ("DeviceRequests", 1), ("KernelMemory", 0), ("KernelMemoryTCP", 0),
             ("MemoryReservation", 1), ("MemorySwap", 1), ("MemorySwappiness", 1),
             ("OomKillDisable", 1), ("PidsLimit", 1), ("Ulimits", 1), ("CpuCount", 1),
             ("CpuPercent", 1), ("IOMaximumIOps", 1), ("IOMaximumBandwidth", 1),
             ("Mounts", 0), ("MaskedPaths", 1), ("ReadonlyPaths", 1), ("Init", 0)]
NETWORK_KEYS = ["Bridge", "SandboxID", "SandboxKey", "Ports", "HairpinMode",
                "LinkLocalIPv6Address", "LinkLocalIPv6PrefixLen", "SecondaryIPAddresses",
                "SecondaryIPv6Addresses", "EndpointID", "Gateway", "GlobalIPv6Address",
                "GlobalIPv6PrefixLen", "IPAddress", "IPPrefixLen", "IPv6Gateway",
                "MacAddress", "Networks"]


def _ordered(text: str):
    """The JSON with every object as a list of (key, value) pairs, order kept."""
    return json.loads(text, object_pairs_hook=list)


def _keys(pairs) -> list[str]:
    return [k for k, _ in pairs]


def _assert_docker_order(pairs, spec, what: str) -> None:
    keys = _keys(pairs)
    order = [k for k, _ in spec]
    assert all(k in order for k in keys), f"{what}: keys Docker never sends: " \
        f"{[k for k in keys if k not in order]}"
    assert keys == sorted(keys, key=order.index), f"{what}: not in Docker's order: {keys}"
    missing = [k for k, always in spec if always and k not in keys]
    assert not missing, f"{what}: missing {missing}"


def _doc(sh, name: str, flags: str = "") -> dict:
    r = sh.run(f"docker inspect {flags} {name}")
    assert r.code == 0, r.err
    docs = json.loads(r.out)
    assert isinstance(docs, list) and len(docs) == 1
    return docs[0]


def test_inspect_prints_dockers_keys_in_dockers_order(web):
    out = web.ok("docker inspect web")
    assert out.startswith('[\n    {\n        "Id": "') and out.endswith("    }\n]\n")
    doc = _ordered(out)[0]
    assert _keys(doc) == TOP_KEYS
    d = dict(doc)
    assert _keys(d["State"]) == STATE_KEYS
    _assert_docker_order(d["Config"], CONFIG_KEYS, "Config")
    _assert_docker_order(d["HostConfig"], HOST_KEYS, "HostConfig")
    assert _keys(d["NetworkSettings"]) == NETWORK_KEYS
    assert _keys(d["GraphDriver"]) == ["Data", "Name"]
    assert _keys(dict(d["GraphDriver"])["Data"]) == ["LowerDir", "MergedDir", "UpperDir",
                                                    "WorkDir"]
    # `-s` adds SizeRw and SizeRootFs right after GraphDriver
    sized = _ordered(web.ok("docker inspect -s web"))[0]
    assert _keys(sized) == TOP_KEYS[:20] + ["SizeRw", "SizeRootFs"] + TOP_KEYS[20:]


def test_inspect_graph_driver_dirs_are_the_real_overlay_dirs(web):
    data = _doc(web, "web")["GraphDriver"]["Data"]
    lowers = data["LowerDir"].split(":")
    for path in lowers + [data["UpperDir"], data["WorkDir"], data["MergedDir"]]:
        assert os.path.isabs(path) and os.path.isdir(path), path
    # the image's files are in a lower dir, what the container writes in the upper dir
    assert any(os.path.exists(os.path.join(l, "bin", "busybox")) for l in lowers)
    web.ok("docker exec web sh -c 'echo x > /written'")
    assert os.path.isfile(os.path.join(data["UpperDir"], "written"))
    assert not any(os.path.exists(os.path.join(l, "written")) for l in lowers)


def test_inspect_of_a_created_container(bb):
    cid = bb.ok("docker create --name fresh busybox echo hello").strip()
    image_id = bb.ok("docker image inspect -f '{{.Id}}' busybox").strip()
    d = _doc(bb, "fresh")
    assert d["Id"] == cid and ID64.match(cid)
    assert RFC3339NANO.match(d["Created"]), d["Created"]
    assert (d["Path"], d["Args"]) == ("echo", ["hello"])
    assert d["State"] == {"Status": "created", "Running": False, "Paused": False,
                          "Restarting": False, "OOMKilled": False, "Dead": False, "Pid": 0,
                          "ExitCode": 0, "Error": "", "StartedAt": ZERO_TIME,
                          "FinishedAt": ZERO_TIME}
    assert d["Image"] == image_id and SHA256.match(image_id)
    assert (d["Name"], d["RestartCount"], d["Platform"]) == ("/fresh", 0, "linux")
    assert d["ExecIDs"] is None and d["Mounts"] == []
    assert d["HostConfig"]["RestartPolicy"] == {"Name": "no", "MaximumRetryCount": 0}
    assert d["HostConfig"]["LogConfig"] == {"Type": "json-file", "Config": {}}
    assert (d["HostConfig"]["ShmSize"], d["HostConfig"]["AutoRemove"]) == (67108864, False)
    c = d["Config"]
    assert (c["Hostname"], c["Image"], c["Cmd"], c["Entrypoint"]) == \
        (cid[:12], "busybox", ["echo", "hello"], None)
    assert (c["Env"], c["User"], c["WorkingDir"], c["Tty"]) == ([PATH_ENV], "", "", False)


def test_inspect_of_a_created_container_has_no_paths_yet(bb):
    bb.ok("docker create --name fresh busybox echo hello")
    d = _doc(bb, "fresh")
    # filled in when networking is set up at the first start (moby §7.8)
    assert (d["ResolvConfPath"], d["HostnamePath"], d["HostsPath"], d["LogPath"]) == \
        ("", "", "", "")


def test_inspect_times_through_run_stop_and_restart(bb):
    bb.ok("docker run -d --name web busybox sleep 100")
    d = _doc(bb, "web")
    s = d["State"]
    assert (s["Status"], s["Running"], s["ExitCode"]) == ("running", True, 0)
    assert RFC3339NANO.match(s["StartedAt"]) and s["StartedAt"] != ZERO_TIME
    assert s["FinishedAt"] == ZERO_TIME
    assert s["Pid"] > 0 and os.path.exists(f"/proc/{s['Pid']}")
    assert d["LogPath"].endswith(f"{d['Id']}-json.log")
    bb.ok("docker kill web")
    wait_status(bb, "web", "exited")
    s = _doc(bb, "web")["State"]
    assert (s["Status"], s["Running"], s["Pid"], s["ExitCode"]) == ("exited", False, 0, 137)
    assert rfc3339_ns(s["FinishedAt"]) >= rfc3339_ns(s["StartedAt"])
    first_finish = s["FinishedAt"]
    bb.ok("docker start web")
    s = _doc(bb, "web")["State"]
    # while it runs again, FinishedAt keeps the previous exit time
    assert (s["Status"], s["FinishedAt"]) == ("running", first_finish)
    assert rfc3339_ns(s["StartedAt"]) > rfc3339_ns(first_finish)


def test_inspect_format_templates(bb):
    bb.ok("docker run -d --name web -e FOO=bar busybox sleep 100")
    cid = inspect(bb, "web", "{{.Id}}")
    assert inspect(bb, "web", "{{.State.Status}}") == "running"
    assert inspect(bb, "web", "{{json .Config.Env}}") == f'["FOO=bar","{PATH_ENV}"]'
    assert inspect(bb, "web", "{{json .Config.Cmd}}") == '["sleep","100"]'
    assert inspect(bb, "web", "{{.Name}} {{.Config.Hostname}} {{.State.Running}}") == \
        f"/web {cid[:12]} true"
    state = inspect(bb, "web", "{{json .State}}")
    assert state.startswith('{"Status":"running","Running":true,"Paused":false,'
                            '"Restarting":false,"OOMKilled":false,"Dead":false,"Pid":')
    bb.ok("docker create --name fresh busybox true")
    assert bb.ok("docker inspect -f '{{.Name}}={{.State.Status}}' web fresh") == \
        "/web=running\n/fresh=created\n"


def test_inspect_escaping(bb):
    bb.ok("docker create --name odd -e 'X=a<b>&c' busybox true")
    # the daemon's JSON escapes <, > and &; the template json function does not
    assert '"X=a\\u003cb\\u003e\\u0026c",' in bb.ok("docker inspect odd")
    assert inspect(bb, "odd", "{{json .Config.Env}}") == f'["X=a<b>&c","{PATH_ENV}"]'
    assert inspect(bb, "odd", "{{index .Config.Env 0}}") == "X=a<b>&c"


def test_inspect_template_errors(web):
    r = web.run("docker inspect -f '{{' web")
    assert (r.code, r.out) == (64, "")
    assert errors(r) == ["template parsing error: template: :1: unclosed action"]


def test_inspect_unknown_objects(web):
    r = web.run("docker inspect nosuch")
    assert (r.code, r.out, errors(r)) == (1, "[]\n", ["Error: No such object: nosuch"])
    r = web.run("docker container inspect nosuch")
    assert (r.code, r.out, errors(r)) == (1, "[]\n", ["Error response from daemon: No such "
                                                      "container: nosuch"])
    r = web.run("docker inspect web nosuch")
    assert r.code == 1 and errors(r) == ["Error: No such object: nosuch"]
    assert [d["Name"] for d in json.loads(r.out)] == ["/web"]
