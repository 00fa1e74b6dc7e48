"""Every check type, on a fake engine's state: what passes, what fails, and what the
failure says to an author."""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from engine.util import timeutil
from engine.config import Mount, PortBinding, RestartPolicy
from lessons import checks, format as fmt
from lessons.checks import Context
from lessons.model import Step
from lessons.world import World
from tests.unit.lessons_fixtures.fakes import FakeEngine, check


def run(engine, text: str, **ctx):
    return checks.evaluate(check(text), Context(World(engine), **ctx))


def passes(engine, text: str, **ctx) -> bool:
    return run(engine, text, **ctx).ok


@pytest.fixture
def eng(tmp_path):
    return FakeEngine(tmp_path / "root")


# --- container ------------------------------------------------------------------------------

def test_container_by_name_status_and_exit_code(eng):
    eng.add_container("web", status="running")
    eng.add_container("done", status="exited", exit_code=3)
    assert passes(eng, "container: {name: web, status: running}")
    assert not passes(eng, "container: {name: web, status: exited}")
    assert passes(eng, "container: {status: [exited, dead], exit_code: 3}")
    assert not passes(eng, "container: {name: web, exit_code: 0}")      # still running
    assert not passes(eng, "container: {name: nobody}")


def test_container_image(eng):
    mine = eng.add_image(["my-image:v2"])
    eng.add_container("a", image=mine)
    assert passes(eng, "container: {image: my-image:v2}")
    assert passes(eng, "container: {image: '" + mine.id[7:19] + "'}")
    assert not passes(eng, "container: {image: my-image}")        # :latest is another image
    assert not passes(eng, "container: {image: busybox}")


def test_container_command(eng):
    eng.add_container("s", cmd=("sh", "-c", "sleep 3; echo all done"))
    assert passes(eng, "container: {command: 'sh -c \"sleep 3; echo all done\"'}")
    assert passes(eng, "container: {command: [sh, -c, 'sleep 3; echo all done']}")
    assert passes(eng, "container: {command_contains: echo all}")
    assert not passes(eng, "container: {command: sh}")


def test_container_env_and_labels(eng):
    eng.add_container("e", env=("MODE=prod", "EMPTY="), labels=(("team", "blue"),))
    assert passes(eng, "container: {env: {MODE: prod}}")
    assert passes(eng, "container: {env: [MODE, EMPTY=]}")
    assert not passes(eng, "container: {env: {MODE: dev}}")
    assert not passes(eng, "container: {env: [OTHER]}")
    assert passes(eng, "container: {labels: {team: blue}}")
    assert not passes(eng, "container: {labels: {team: null, owner: null}}")


def test_container_limits_and_policies(eng):
    eng.add_container("lim", memory=64 << 20, cpu_shares=512, nano_cpus=500_000_000,
                      restart_policy=RestartPolicy("on-failure", 3), auto_remove=False)
    eng.add_container("quota", cpu_quota=50000, cpu_period=100000, auto_remove=True)
    assert passes(eng, "container: {memory: 64m, cpu_shares: 512, cpus: 0.5}")
    assert passes(eng, "container: {name: lim, restart: on-failure}")
    assert passes(eng, "container: {name: quota, cpus: 0.5, cpu_quota: 50000, auto_remove: true}")
    assert not passes(eng, "container: {memory: 128m}")
    assert not passes(eng, "container: {name: lim, restart: always}")


def test_container_terminal_and_detached(eng):
    eng.add_container("ti", tty=True, open_stdin=True, attach_stdin=True, attach_stdout=True)
    eng.add_container("bg", tty=True)
    assert passes(eng, "container: {name: ti, tty: true, interactive: true, detached: false}")
    assert passes(eng, "container: {name: bg, detached: true, interactive: false}")
    assert not passes(eng, "container: {name: bg, detached: false}")


def test_container_ports_from_settings_and_engine(eng):
    web = eng.add_container("web", status="running",
                            port_bindings=(("80/tcp", (PortBinding("", "8080"),)),
                                           ("53/udp", (PortBinding("", ""),))))
    eng.port_map[web.id] = [("53/udp", "0.0.0.0:49153")]
    assert passes(eng, "container: {ports: '8080:80'}")
    assert passes(eng, "container: {ports: ['80', '49153:53/udp']}")
    assert not passes(eng, "container: {ports: '9090:80'}")
    assert not passes(eng, "container: {ports: '443'}")


def test_container_networks(eng):
    eng.add_container("a", networks={"learning": {}})
    eng.add_container("b", network_mode="none")
    eng.add_container("c")
    assert passes(eng, "container: {name: a, networks: learning}")
    assert passes(eng, "container: {name: b, networks: [none]}")
    assert passes(eng, "container: {name: c, networks: bridge}")
    assert not passes(eng, "container: {name: c, networks: learning}")


def test_container_mounts(eng, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "note.txt").write_text("kept\n")
    # the record's own mount points, as the engine writes them at create: every mount
    eng.add_container("m", mounts=[{"Type": "volume", "Name": "shared", "Source": str(data),
                                    "Destination": "/data", "RW": True},
                                   {"Type": "bind", "Source": "/srv/site",
                                    "Destination": "/site", "RW": False}],
                      binds=("/srv/site:/site:ro",))
    assert passes(eng, "container: {mounts: /data}")
    assert passes(eng, "container: {mounts: ['shared:/data', '/srv/site:/site']}")
    assert passes(eng, "container: {mounts: ['shared:/data:rw', '/srv/site:/site:ro']}")
    assert not passes(eng, "container: {mounts: '/srv/site:/site:rw'}")
    assert passes(eng, "container: {mounts: ['/site:ro', '/data:rw']}")
    assert not passes(eng, "container: {mounts: '/site:rw'}")
    assert not passes(eng, "container: {mounts: 'other:/data'}")
    assert passes(eng, "container: {file: {path: /data/note.txt, equals: kept}}")


def test_relative_bind_sources_are_in_the_work_folder(eng, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("hello\n")
    eng.add_container("b", mounts=[{"Type": "bind", "Source": str(site),
                                    "Destination": "/site", "RW": True}])
    for text in ("./site:/site", "site/:/site", f"{site}:/site"):
        assert passes(eng, f"container: {{mounts: '{text}'}}", workdir=str(tmp_path)), text
    assert not passes(eng, "container: {mounts: './site:/site'}", workdir="/elsewhere")
    assert passes(eng, "container: {file: {path: /site/index.html, contains: hello}}")


def test_nothing_is_read_under_a_tmpfs(eng):
    eng.add_container("t", files={"tmp/old.txt": "in the layer"}, tmpfs=(("/tmp", ""),))
    assert passes(eng, "container: {mounts: /tmp}")
    assert passes(eng, "container: {file: {path: /tmp/old.txt, exists: false}}")


def test_container_mounts_from_host_config(eng):
    c = eng.add_container("h")
    c.host = c.host._replace(mounts=(Mount("volume", "cache", "/cache"),))
    assert passes(eng, "container: {name: h, mounts: 'cache:/cache'}")


def test_container_files_through_layers(eng):
    base = eng.add_image(["base"], files={"etc/motd": "hello\n", "bin/tool": "#!x",
                                          "usr/bin/alias": "->/bin/tool"})
    eng.add_container("f", image=base, files={"hello.txt": "hello from here\n",
                                              "etc/motd": "changed\n"})
    assert passes(eng, "container: {file: {path: /hello.txt, contains: from here}}")
    assert passes(eng, "container: {file: {path: /etc/motd, equals: changed}}")
    assert passes(eng, "container: {file: {path: /usr/bin/alias, equals: '#!x'}}")
    assert passes(eng, "container: {file: {path: /hello.txt, matches: '^hello'}}")
    assert passes(eng, "container: {file: [{path: /bin/tool}, {path: /nope, exists: false}]}")
    assert not passes(eng, "container: {file: {path: /etc/motd, contains: hello}}")
    assert not passes(eng, "container: {file: {path: /nope}}")


@pytest.mark.skipif(os.geteuid() != 0, reason="a whiteout is a 0/0 character device: mknod "
                                              "needs root")
def test_container_file_deleted_by_a_whiteout(eng):
    base = eng.add_image(["base"], files={"etc/gone": "x"})
    eng.add_container("w", image=base, files={"etc/gone": None})
    assert passes(eng, "container: {file: {path: /etc/gone, exists: false}}")


def test_container_logs(eng):
    eng.add_container("talker", logs="line 1\nall done\n")
    assert passes(eng, "container: {logs_contain: all done}")
    assert passes(eng, "container: {logs_contain: [line 1, done]}")
    assert not passes(eng, "container: {logs_contain: nothing}")


def test_counting_matches(eng):
    for name in ("a", "b", "c"):
        eng.add_container(name)
    assert passes(eng, "container: {image: busybox, at_least: 3}")
    assert not passes(eng, "container: {image: busybox, at_least: 4}")
    assert passes(eng, "container: {image: busybox, count: 3}")
    assert passes(eng, "container: {name: d, count: 0}")
    assert run(eng, "container: {count: 2}").detail == "3 container(s) match, 2 should"


def test_capture_then_captured_and_other_than(eng):
    older = eng.add_container("older", created="2020-01-01T00:00:00Z")
    newer = eng.add_container("newer", created="2021-01-01T00:00:00Z")
    ctx = Context(World(eng))
    assert checks.evaluate(check("{container: {image: busybox}, capture: first}"), ctx).ok
    assert ctx.captures["first"] == ("container", newer.id)       # the newest match
    assert checks.evaluate(check("container: {other_than: first}"), ctx).ok
    assert not checks.evaluate(check("container: {other_than: first, name: newer}"), ctx).ok
    assert checks.evaluate(check("container: {captured: first, name: newer}"), ctx).ok
    r = checks.evaluate(check("container: {captured: ghost}"), ctx)
    assert not r.ok and "nothing is captured as 'ghost'" in r.detail
    assert older.id != newer.id


def test_failure_detail_names_the_closest_container(eng):
    eng.add_container("web", status="running")
    eng.add_container("db", status="exited")
    r = run(eng, "container: {name: web, status: exited}")
    assert r.detail == "no container matches; closest: 'web': its status is running, not exited"
    assert run(eng, "container: {name: x}").detail.startswith("no container matches; closest")


def test_no_containers_at_all(eng):
    assert run(eng, "container: {}").detail == "there is no container to look at"


# --- image ------------------------------------------------------------------------------------

def test_image_made_by(eng):
    pulled = eng.add_image(["busybox"])
    box = eng.add_container("box", image=pulled)
    committed = eng.add_image(["snap"], parent=pulled, container_id=box.id,
                              history=pulled.history + [{"created_by": "sh"}])
    built = eng.add_image(["built"], parent=pulled, history=pulled.history + [
        {"created_by": "RUN /bin/sh -c touch /x # buildkit",
         "comment": "buildkit.dockerfile.v0"}])
    assert passes(eng, "image: {ref: busybox, made_by: pull}")
    assert passes(eng, "image: {ref: snap, made_by: commit, from_container: box}")
    assert passes(eng, "image: {ref: built, made_by: build, parent: busybox}")
    assert not passes(eng, "image: {ref: built, made_by: commit}")
    assert committed.parent == pulled.id and built


def test_image_from_captured_container(eng):
    box = eng.add_container("box")
    eng.add_image([], container_id=box.id)
    ctx = Context(World(eng), captures={"box": ("container", box.id)})
    assert checks.evaluate(check("{image: {from_captured: box, untagged: true}, capture: s}"),
                           ctx).ok
    assert ctx.captures["s"][0] == "image"
    ctx = Context(World(eng), captures={"box": ("container", "f" * 64)})
    assert not checks.evaluate(check("image: {from_captured: box}"), ctx).ok


def test_image_parent_by_layers(eng):
    base = eng.add_image(["base"])
    child = eng.add_image(["child"], parent=base)
    child.parent = None                            # as after a pull: only the layers tell
    assert passes(eng, "image: {ref: child, parent: base}")
    assert not passes(eng, "image: {ref: base, parent: child}")
    assert not passes(eng, "image: {ref: base, parent: base}")


def test_image_names(eng):
    img = eng.add_image(["my-image", "my-image:v1"])
    eng.add_image([])
    assert passes(eng, "image: {ref: my-image, tags: ['my-image:latest', my-image:v1]}")
    assert not passes(eng, "image: {ref: my-image, tags: my-image:v2}")
    assert passes(eng, "image: {untagged: true}")
    assert passes(eng, "image: {ref: '" + img.id + "'}")
    assert run(eng, "image: {ref: nothing}").detail == "there is no image nothing"


def test_image_config(eng):
    eng.add_image(["app"], config={
        "Cmd": ["/bin/sh", "-c", "serve --port 80"], "Entrypoint": ["tini", "--"],
        "Env": ["PATH=/bin", "MODE=prod"], "WorkingDir": "/app", "User": "nobody",
        "ExposedPorts": {"80/tcp": {}, "53/udp": {}}, "Labels": {"team": "blue"}})
    assert passes(eng, "image: {ref: app, cmd: serve --port 80, entrypoint: [tini, --]}")
    assert passes(eng, "image: {ref: app, env: {MODE: prod}, workdir: /app, user: nobody}")
    assert passes(eng, "image: {ref: app, exposed_ports: ['80', 53/udp], labels: [team]}")
    assert not passes(eng, "image: {ref: app, cmd: [serve]}")
    assert not passes(eng, "image: {ref: app, exposed_ports: '443'}")
    assert not passes(eng, "image: {ref: app, workdir: /}")


def test_image_files_layers_and_history(eng):
    base = eng.add_image(["base"], files={"etc/motd": "hi\n"})
    v2 = eng.add_image(["app:v2"], parent=base, files={"greeting.txt": "made here\n"},
                       history=base.history + [{"created_by": "sh -c echo"}])
    assert passes(eng, "image: {ref: app:v2, file: [{path: /etc/motd}, "
                       "{path: /greeting.txt, contains: made}]}")
    assert passes(eng, "image: {ref: app:v2, layers: 2, min_layers: 2, history: [ADD, echo]}")
    assert not passes(eng, "image: {ref: app:v2, layers: 3}")
    assert not passes(eng, "image: {ref: base, file: {path: /greeting.txt}}")
    assert not passes(eng, "image: {ref: app:v2, history: RUN}")
    assert v2


# --- network and volume ---------------------------------------------------------------------------

def test_network_from_the_engine(eng):
    eng.net_list = [
        {"Name": "bridge", "Id": "b" * 64, "Driver": "bridge", "Subnet": "172.17.0.0/16",
         "Containers": {}},
        {"Name": "learning", "Id": "l" * 64, "Driver": "bridge",
         "IPAM": {"Config": [{"Subnet": "172.18.0.0/16"}]},
         "Containers": {"x" * 64: {"Name": "container-a"}}}]
    eng.add_container("container-b", networks={"learning": {}})
    assert passes(eng, "network: {name: learning, driver: bridge, subnet: 172.18.0.0/16}")
    assert passes(eng, "network: {name: learning, members: [container-a, container-b]}")
    assert not passes(eng, "network: {name: bridge, members: container-b}")
    ctx = Context(World(eng))
    assert checks.evaluate(check("{network: {name: learning}, capture: net}"), ctx).ok
    assert ctx.captures["net"] == ("network", "l" * 64)


def test_networks_before_the_engine_has_them(eng):
    eng.add_container("a", networks={"learning": {}})
    assert passes(eng, "network: {name: bridge, driver: bridge}")
    assert passes(eng, "network: {name: none, driver: 'null'}")
    assert passes(eng, "network: {name: learning, members: a}")


def test_volumes(eng, tmp_path):
    mountpoint = tmp_path / "vol"
    mountpoint.mkdir()
    (mountpoint / "note.txt").write_text("hi there\n")
    eng.vol_list = [{"Name": "shared", "Driver": "local", "Mountpoint": str(mountpoint)},
                    {"Name": "empty", "Driver": "local", "Mountpoint": ""}]
    eng.add_container("writer", mounts=[{"Type": "volume", "Name": "shared",
                                         "Source": str(mountpoint), "Destination": "/data"}])
    assert passes(eng, "volume: {name: shared, used_by: writer, "
                       "file: {path: /note.txt, contains: hi}}")
    assert not passes(eng, "volume: {name: empty, used_by: writer}")
    assert not passes(eng, "volume: {name: empty, file: {path: /note.txt}}")
    assert passes(eng, "volume: {count: 2}")


def test_anonymous_volumes(eng):
    anon = "ab" * 32
    eng.vol_list = [{"Name": anon, "Mountpoint": "",
                     "Labels": {"com.docker.volume.anonymous": ""}},
                    {"Name": "named", "Mountpoint": "", "Labels": None}]
    eng.add_container("first", mounts=[{"Type": "volume", "Name": anon, "Destination": "/x"}])
    eng.add_container("second", mounts=[{"Type": "volume", "Name": anon, "Destination": "/x"}])
    assert passes(eng, "volume: {anonymous: true, used_by: [first, second], count: 1}")
    assert passes(eng, "volume: {anonymous: false, name: named}")
    assert not passes(eng, "volume: {anonymous: true, name: named}")


# --- port, exec, host_file, typed ---------------------------------------------------------------

@pytest.fixture
def server():
    """A local server answering "hello, NAME" to "NAME"."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                data = conn.recv(100)
                conn.sendall(b"hello, " + data)
    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()


def test_port_answers(eng, server):
    web = eng.add_container("web", status="running",
                            port_bindings=(("80/tcp", (PortBinding("", str(server)),)),))
    assert passes(eng, "port: {container: web, send: learner, answers: 'hello, learner'}")
    assert passes(eng, f"port: {{host_port: {server}, send: x, answers: [hello]}}")
    assert passes(eng, "port: {captured: w, container_port: '80', send: x, answers: hello}",
                  captures={"w": ("container", web.id)})
    assert not passes(eng, "port: {container: web, send: x, answers: goodbye}")
    assert not passes(eng, "port: {container: web, container_port: '81', answers: hello}")
    r = run(eng, "port: {container: nobody, answers: x}")
    assert r.detail == "no such container"


def test_port_nothing_listening(eng):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = run(eng, f"port: {{host_port: {port}, timeout: 0.2}}")
    assert not r.ok and r.detail == f"nothing answers on port {port}"


def test_exec(eng, monkeypatch):
    eng.add_container("box", status="running")
    eng.add_container("stopped")
    ran = []

    def fake_exec(self, c, command, timeout=5.0):
        ran.append((c.name, command))
        return (0, "hostname: box\n") if "hostname" in str(command) else (1, "no such file\n")
    monkeypatch.setattr(World, "exec", fake_exec)
    assert passes(eng, "exec: {container: box, command: hostname, output: box}")
    assert passes(eng, "exec: {container: box, command: [hostname], "
                       "output_equals: 'hostname: box'}")
    assert passes(eng, "exec: {container: box, command: ls /x, status: 1}")
    assert not passes(eng, "exec: {container: box, command: ls /x}")
    r = run(eng, "exec: {container: stopped, command: ls}")
    assert r.detail == "stopped is not running (it is exited)"
    assert ran[0] == ("box", "hostname")


def test_host_file(tmp_path, eng):
    (tmp_path / "Dockerfile").write_text("FROM busybox\nCMD [\"sh\"]\n")
    ctx = {"workdir": str(tmp_path)}
    assert passes(eng, "host_file: {path: Dockerfile, contains: FROM busybox}", **ctx)
    assert passes(eng, "host_file: {path: missing.txt, exists: false}", **ctx)
    assert not passes(eng, "host_file: {path: Dockerfile, matches: '^FROM alpine'}", **ctx)
    r = run(eng, "host_file: {path: missing.txt}", **ctx)
    assert r.detail == "missing.txt does not exist"


def test_typed_understands_docker_options(eng):
    from shell.cli.parser import parse
    history = [("docker container ls -aq", 0), ("docker logs --tail 3 ticker", 0),
               ("docker run --rm busybox true", 125)]
    ctx = {"history": history, "parse": parse}
    assert passes(eng, "typed: {docker: ps, flags: all}", **ctx)
    assert passes(eng, "typed: {docker: container list, flags: [all, quiet]}", **ctx)
    assert passes(eng, "typed: {docker: logs, args: ticker, status: 0}", **ctx)
    assert not passes(eng, "typed: {docker: logs, args: other}", **ctx)
    assert not passes(eng, "typed: {docker: run, flags: rm, status: 0}", **ctx)
    assert passes(eng, "typed: {docker: run, flags: rm}", **ctx)
    assert passes(eng, "typed: {matches: 'ls -a'}", **ctx)
    assert not passes(eng, "typed: {docker: images}", **ctx)
    assert not passes(eng, "typed: {docker: ps}", history=[], parse=parse)


# --- combinators and steps ------------------------------------------------------------------

def test_all_any_not(eng):
    box = eng.add_container("box", status="exited")
    eng.add_image([], container_id=box.id)
    assert passes(eng, "all: [{container: {name: box}}, {image: {from_container: box}}]")
    assert not passes(eng, "all: [{container: {name: box}}, {container: {name: web}}]")
    assert passes(eng, "any: [{container: {name: web}}, {container: {name: box}}]")
    assert not passes(eng, "any: [{container: {name: web}}, {container: {name: db}}]")
    assert passes(eng, "not: {container: {name: web}}")
    assert not passes(eng, "not: {container: {name: box}}")


def test_captures_flow_through_all_but_not_out_of_not(eng):
    box = eng.add_container("box")
    eng.add_image(["snap"], container_id=box.id)
    ctx = Context(World(eng))
    c = check("all: [{container: {name: box}, capture: b}, {image: {from_captured: b}}]")
    assert checks.evaluate(c, ctx).ok and ctx.captures == {"b": ("container", box.id)}
    ctx = Context(World(eng))
    assert not checks.evaluate(check("not: {container: {name: box}, capture: b}"), ctx).ok
    assert ctx.captures == {}


def test_a_step_reports_its_failing_messages(eng):
    eng.add_container("box")
    step = Step("s", "S", "text", [
        check("{container: {name: box}, message: no box}"),
        check("{container: {name: web}, message: no web}"),
        check("{not: {container: {name: box}}, message: box is still there}")],
        solve=[], explain="")
    outcome = checks.run_step(step, Context(World(eng)))
    assert not outcome.passed
    assert outcome.messages() == ["no web"]            # the first: the next thing to do
    assert outcome.messages(every=True) == ["no web", "box is still there"]
    assert outcome.seconds < 0.05


def test_costly_checks_wait_for_the_cheap_ones(eng, monkeypatch):
    eng.add_container("box", status="running")
    ran = []
    monkeypatch.setattr(World, "exec", lambda self, c, cmd, timeout=5.0: ran.append(cmd) or
                        (0, ""))
    step = Step("s", "S", "text", [
        check("{container: {name: web}, message: no web}"),
        check("{exec: {container: box, command: 'true'}, message: exec fails}")],
        solve=[], explain="")
    quick = checks.run_step(step, Context(World(eng)), every=False)
    assert not quick.passed and quick.messages() == ["no web"] and ran == []
    full = checks.run_step(step, Context(World(eng)))
    assert full.messages() == ["no web"] and ran == ["true"]


def test_every_check_type_is_tested_here():
    source = Path(__file__).read_text()
    for name in fmt.CHECK_TYPES:
        assert f'"{name}: ' in source or f"'{name}: " in source or f'"{{{name}: ' in source, name


# --- the check fields instructors reached for (issue 13 §4) -----------------------------------

def _log(eng, c, line: str, when: str) -> None:
    import json
    with open(eng.log_path(c.id), "a") as f:
        f.write(json.dumps({"log": line, "stream": "stdout", "time": when}) + "\n")


def test_container_logs_match_a_regular_expression(eng):
    eng.add_container("talker", logs="served 3 requests\n")
    assert passes(eng, r"container: {logs_match: 'served \d+ requests'}")
    assert not passes(eng, r"container: {logs_match: '^\d+ served'}")


def test_container_logs_since_the_step_began(eng):
    c = eng.add_container("talker")
    _log(eng, c, "old hello\n", "2026-01-01T00:00:00.000000000Z")
    _log(eng, c, "new hello\n", "2026-01-01T00:10:00.000000000Z")
    since = "2026-01-01T00:05:00Z"
    assert passes(eng, "container: {logs_contain: old hello}", since=since)
    assert not passes(eng, "container: {logs_contain: old hello, logs_since_step: true}",
                      since=since)
    assert passes(eng, "container: {logs_contain: new hello, logs_since_step: true}",
                  since=since)
    assert passes(eng, "container: {logs_match: 'new', logs_since_step: true}", since=since)


def test_container_restart_count(eng):
    eng.add_container("flaky", status="running")
    eng.containers()[0].state.restart_count = 2
    assert passes(eng, "container: {name: flaky, restart_count: 2}")
    assert passes(eng, "container: {name: flaky, min_restart_count: 1}")
    assert not passes(eng, "container: {name: flaky, min_restart_count: 3}")
    assert run(eng, "container: {name: flaky, restart_count: 0}").detail.endswith(
        "its restart count is 2, not 0")


@pytest.fixture
def http_server():
    """A local web server: 200 and a page for /, 404 for anything else; it logs each
    request into `log` (a list) as a web server writes its log."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    log = []

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                request = conn.recv(1000).decode()
                path = request.split(" ")[1] if " " in request else "/"
                log.append(request.split("\r\n")[0])
                status = "200 OK" if path == "/" else "404 Not Found"
                conn.sendall(f"HTTP/1.0 {status}\r\n\r\nWelcome, visitor 42".encode())
    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1], log
    listener.close()


def test_port_http_status_and_a_regular_expression(eng, http_server):
    port, _ = http_server
    assert passes(eng, f"port: {{host_port: {port}, http_status: 200}}")
    assert passes(eng, f"port: {{host_port: {port}, http_status: 200, "
                       "answers_match: 'visitor \\d+'}")
    assert not passes(eng, f"port: {{host_port: {port}, http_status: 200, "
                           "answers_match: 'visitor [a-z]+'}")
    r = run(eng, f"port: {{host_port: {port}, send: \"GET /gone HTTP/1.0\\r\\n\\r\\n\", "
                 "http_status: 200}")
    assert not r.ok and r.detail == f"port {port} answered with HTTP status 404, not 200"


def test_a_port_checks_own_request_is_not_seen_by_a_log_check(eng, http_server):
    """The port check's request lands in the server's log; a logs_contain check (of
    this round or a later one) must not count it as the learner's."""
    port, requests = http_server
    web = eng.add_container("web", status="running",
                            port_bindings=(("80/tcp", (PortBinding("", str(port)),)),))
    probes = []

    def logged_by_server():
        while requests:
            _log(eng, web, requests.pop(0) + "\n", timeutil.now())

    assert passes(eng, "port: {container: web, http_status: 200}", probes=probes)
    logged_by_server()
    assert probes, "the port check says when it asked"
    assert not passes(eng, "container: {name: web, logs_contain: 'GET /'}", probes=probes)
    time.sleep(0.6)
    with socket.create_connection(("127.0.0.1", port)) as s:     # the learner's own
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        s.recv(100)
    logged_by_server()
    assert passes(eng, "container: {name: web, logs_contain: 'GET /'}", probes=probes)


def test_a_port_check_hides_only_what_the_container_it_asked_wrote(eng, http_server):
    """A worker that talks to web writes its own output while a port check asks web:
    that output is the worker's, not the check's, and a log check still sees it."""
    port, requests = http_server
    eng.add_container("web", status="running",
                      port_bindings=(("80/tcp", (PortBinding("", str(port)),)),))
    worker = eng.add_container("worker", status="running")
    probes = []
    assert passes(eng, "port: {container: web, http_status: 200}", probes=probes)
    _log(eng, worker, "hello from web\n", timeutil.now())
    assert passes(eng, "container: {name: worker, logs_contain: hello from web}",
                  probes=probes)


def test_a_port_check_by_host_port_hides_what_the_publishing_container_wrote(eng,
                                                                          http_server):
    """host_port alone: the container that publishes the port is the one asked; a
    port no container publishes (a program of the host, like the Engine API server)
    hides no container's output."""
    port, requests = http_server
    web = eng.add_container("web", status="running",
                            port_bindings=(("80/tcp", (PortBinding("", str(port)),)),))
    lister = eng.add_container("lister", status="exited")
    probes = []
    assert passes(eng, f"port: {{host_port: {port}, http_status: 200}}", probes=probes)
    _log(eng, web, requests.pop(0) + "\n", timeutil.now())
    _log(eng, lister, "listed web\n", timeutil.now())
    assert not passes(eng, "container: {name: web, logs_contain: 'GET /'}", probes=probes)
    assert passes(eng, "container: {name: lister, logs_contain: listed web}", probes=probes)
