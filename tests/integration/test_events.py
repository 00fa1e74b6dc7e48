"""docker events: what every process on the engine root does, streamed to another."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

from tests.integration.cli_helpers import errors, pull

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) (\w+) (\w+) (\S+)"
                  r"( \(.*\))?$")


def test_a_second_process_sees_the_events(sh):
    pull(sh)
    watcher = subprocess.Popen(
        [sys.executable, "-m", "shell", "-c",
         "docker events --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}'"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)                       # it is following the log now
        assert sh.run("docker run --name one busybox sh -c 'exit 2'").code == 2
        sh.ok("docker rm one")
        sh.ok("docker network create side")
        time.sleep(0.6)
    finally:
        watcher.kill()
        out, err = watcher.communicate()
    got = out.splitlines()
    want = ["container create one", "network connect bridge", "container start one",
            "container die one", "network disconnect bridge", "container destroy one",
            "network create side"]
    assert [g for g in got if g in want] == want, (got, err)


def test_history_filters_and_formats(sh):
    pull(sh)
    start = time.time()
    sh.ok("docker run --name a1 -l tier=web busybox true")
    sh.ok("docker run --name b1 busybox true")
    sh.ok("docker volume create v1")
    time.sleep(0.05)
    window = f"--since {start:.3f} --until {time.time():.3f}"
    lines = sh.ok(f"docker events {window}").splitlines()
    assert all(LINE.match(l) for l in lines), lines
    die = next(l for l in lines if " container die " in l and "name=a1" in l)
    assert die.endswith(", tier=web)") and "(exitCode=0, image=busybox, name=a1, " in die
    assert lines[-1].split(" ", 1)[1] == "volume create v1 (driver=local)"
    only = sh.ok(f"docker events {window} -f type=container -f event=start "
                 "--format '{{.Actor.Attributes.name}}'").split()
    assert only == ["a1", "b1"]
    labelled = sh.ok(f"docker events {window} -f label=tier=web --format '{{{{.Action}}}}'")
    assert labelled.split() == ["create", "start", "die"]
    doc = json.loads(sh.ok(f"docker events {window} -f container=b1 -f event=create "
                           "--format json"))
    assert (doc["status"], doc["from"], doc["Type"], doc["scope"]) == \
        ("create", "busybox", "container", "local")
    assert list(doc["Actor"]["Attributes"]) == sorted(doc["Actor"]["Attributes"])
    r = sh.run("docker events --since 1s --until 0s -f colour=red")
    assert (r.code, errors(r)) == (1, ["Error response from daemon: invalid filter 'colour'"])


def test_the_log_stays_bounded(engine):
    from engine.system import events
    for i in range(12000):
        events.emit(engine.paths.root, "volume", "create", f"v{i:05d}" + "x" * 60)
    assert os.path.getsize(events.path(engine.paths.root)) <= events.LIMIT
    got, _ = events.read(engine.paths.root)
    assert got[-1]["Actor"]["ID"].startswith("v11999")


def test_reset_forgets_the_events(sh, engine):
    from engine.system import events
    sh.ok("docker volume create gone")
    assert os.path.exists(events.path(engine.paths.root))
    engine.reset()
    assert not os.path.exists(events.path(engine.paths.root))
    assert sh.ok("docker events --since 1h --until 0s") == ""


def test_exec_events(sh):
    start = time.time()
    sh.ok("docker run -d --name ex busybox sleep 60")
    assert sh.run("docker exec ex sh -c 'exit 4'").code == 4
    window = f"--since {start:.3f} --until {time.time() + 0.01:.3f}"
    got = sh.ok(f"docker events {window} -f container=ex --format "
                "'{{.Action}}|{{.Actor.Attributes.exitCode}}'").splitlines()
    execs = [g for g in got if g.startswith("exec_")]
    assert execs == ["exec_create: sh -c exit 4|<no value>", "exec_start: sh -c exit 4|<no value>",
                     "exec_die|4"]


def test_volume_commit_attach_and_archive_events(sh, tmp_path):
    """moby's events for what else happens to things: a volume created on first use,
    mounted as its container starts and unmounted as it stops; commit, attach, save,
    load, export and import."""
    pull(sh)
    sh.ok("docker run --name ev -v evvol:/data busybox sh -c 'echo x > /data/x'")
    image_id = sh.ok("docker commit -m note ev evimg").strip()
    sh.ok("docker run -d --name att busybox sleep 30")
    sh.ok("docker save -o ev.tar evimg")
    sh.ok("docker load -i ev.tar")
    sh.ok("docker export -o evx.tar ev")
    imported = sh.ok("docker import evx.tar").strip()
    att = sh.engine.container("att")                     # what docker attach asks for
    sh.engine.connect(att, {"op": "attach", "stdin": False, "stdout": True,
                            "stderr": True}).close()
    sh.ok("docker rm -f att")
    lines = sh.ok("docker events --since 1m --until 0s --format "
                  "'{{.Type}} {{.Action}} {{.Actor.ID}} {{json .Actor.Attributes}}'")
    got = [l.split(" ", 3) for l in lines.splitlines()]
    seen = [(t, a) for t, a, _, _ in got]
    for want in [("volume", "create"), ("volume", "mount"), ("volume", "unmount"),
                 ("container", "commit"), ("image", "save"), ("image", "load"),
                 ("container", "export"), ("image", "import"), ("container", "attach")]:
        assert want in seen, (want, seen)
    assert seen.index(("volume", "mount")) < seen.index(("container", "start"))
    mount = next(json.loads(attrs) for t, a, actor, attrs in got if (t, a) == ("volume", "mount"))
    assert mount["destination"] == "/data" and mount["read/write"] == "true"
    commit = next(json.loads(attrs) for t, a, actor, attrs in got if a == "commit")
    assert commit["imageID"] == image_id and commit["comment"] == "note"
    assert any(a == "import" and actor == imported for t, a, actor, _ in got)
    sh.ok("docker rm ev")
