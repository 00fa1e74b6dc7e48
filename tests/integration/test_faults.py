"""Faults that used to leave state behind: a failed `run --cidfile`, a `network
connect` racing `rm -f`, a killed `docker build`. Each leaves nothing, or what it leaves
is found and removed by `engine fsck`."""
from __future__ import annotations

import os

from tests.integration.cli_helpers import errors


def test_failed_run_removes_its_cidfile(sh, tmp_path):
    f = tmp_path / "cid"
    r = sh.run(f"docker run --cidfile {f} nosuch:img")
    assert r.code == 125
    assert "internal error" not in r.err and "Traceback" not in r.err
    assert not f.exists()
    # so the next run with the same file is not refused
    sh.ok("docker pull busybox")
    sh.ok(f"docker run --rm --cidfile {f} busybox true")
    assert len(f.read_text()) == 64


def test_cidfile_in_a_missing_folder_in_dockers_words(sh, tmp_path):
    f = tmp_path / "nosuch" / "cid"
    r = sh.run(f"docker run --rm --cidfile {f} busybox true")
    assert r.code == 125
    assert errors(r)[0] == (f"docker: failed to create the container ID file: open {f}: "
                            "no such file or directory")
    assert sh.engine.containers(all=True) == []


def test_existing_cidfile_is_refused_in_dockers_words(sh, tmp_path):
    f = tmp_path / "cid"
    f.write_text("")
    r = sh.run(f"docker run --rm --cidfile {f} busybox true")
    assert r.code == 125
    assert errors(r)[0] == ("docker: container ID file found, make sure the other container "
                            f"isn't running or delete {f}")
    assert f.exists()


# --- network connect racing rm -f ------------------------------------------------------

_CONNECTER = """
import os, sys, time
from shell.env import Env
from shell.runner import run_line
import shell.commands.containers, shell.commands.network
from engine.engine import Engine
env = Env.buffered()
env.engine = Engine()
go = sys.argv[1]
while not os.path.exists(go):
    pass
time.sleep(float(sys.argv[2]))
code = run_line(env, "docker network connect racenet racer")
sys.stdout.write(f"{code}\\n{env.error_text()}")
"""


def test_network_connect_racing_rm_f_leaves_no_endpoint(engine_root, engine, sh, tmp_path):
    import random
    import subprocess
    import sys
    import time

    from tests.conftest import ROOT
    sh.ok("docker pull busybox")
    sh.ok("docker network create racenet")
    environ = dict(os.environ, DOCKERLINGS_ROOT=engine_root, PYTHONPATH=str(ROOT))
    rng = random.Random(12)
    outcomes = []
    for attempt in range(30):
        sh.ok("docker run -d --name racer busybox sleep 60")
        go = tmp_path / f"go{attempt}"
        p = subprocess.Popen([sys.executable, "-c", _CONNECTER, str(go),
                              "0"], env=environ,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.25)                   # the connecter is up and spinning on `go`
        go.touch()
        time.sleep(rng.uniform(0, 0.08))
        sh.ok("docker rm -f racer")
        out, err = p.communicate(timeout=60)
        code, _, text = out.partition("\n")
        outcomes.append(code)
        assert "Traceback" not in err, err
        assert "network setup failed" not in text and "internal error" not in text, text
        if code != "0":
            assert text.startswith("Error response from daemon: No such container: racer") \
                or "is not running" in text, text
        from engine.network.store import NetworkStore
        members = NetworkStore(engine_root).get("racenet")["Containers"]
        assert members == {}, f"attempt {attempt}: stale endpoint {members} ({outcomes})"
    sh.ok("docker network rm racenet")
    assert sh.engine.containers(all=True) == []


def test_start_racing_rm_f_leaves_no_endpoint_and_no_process(engine_root, engine, sh,
                                                              tmp_path):
    import random
    import subprocess
    import sys
    import time

    from engine.network.store import NetworkStore
    from engine.runtime import cgroups
    from tests.conftest import ROOT
    sh.ok("docker pull busybox")
    environ = dict(os.environ, DOCKERLINGS_ROOT=engine_root, PYTHONPATH=str(ROOT))
    rng = random.Random(7)
    starter = _CONNECTER.replace("docker network connect racenet racer", "docker start racer")
    for attempt in range(25):
        sh.ok("docker create --name racer busybox sleep 60")
        go = tmp_path / f"go{attempt}"
        p = subprocess.Popen([sys.executable, "-c", starter, str(go), "0"], env=environ,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.25)
        go.touch()
        time.sleep(rng.uniform(0, 0.06))
        sh.ok("docker rm -f racer")
        out, err = p.communicate(timeout=60)
        code, _, text = out.partition("\n")
        assert "Traceback" not in err and "internal error" not in text, err + text
        if code != "0":
            assert text.startswith("Error response from daemon: No such container: racer"), \
                text
        held = [ep for n in NetworkStore(engine_root).all() for ep in n["Containers"]]
        assert held == [], f"attempt {attempt}: stale endpoint ({code} {text})"
        assert sh.engine.containers(all=True) == []
        # nothing of it runs on: no cgroup holds a process of it
        time.sleep(0.05)
        assert cgroups.leftover_dirs(sh.engine.cgroup_scope) == [], f"attempt {attempt}"


def _stale_endpoint(engine_root: str) -> str:
    """An address held for a container that does not exist, as the race used to leave."""
    from engine.network.store import NetworkStore
    store = NetworkStore(engine_root)
    ep = store.attach(store.get("stale"), "ab" * 32, "ghost")
    return ep["IPv4Address"].split("/")[0]


def test_fsck_frees_the_endpoints_of_gone_containers(engine_root, sh):
    from engine.system import fsck
    sh.ok("docker network create stale")
    address = _stale_endpoint(engine_root)
    r = sh.run("docker network rm stale")
    assert "has active endpoints" in r.err
    report = fsck.check(sh.engine)
    assert report.problems == []
    assert report.cleaned == [f"freed {address} on network stale, held by gone container "
                              "abababababab"]
    assert fsck.check(sh.engine).cleaned == []
    sh.ok("docker network rm stale")


def test_disconnect_f_drops_the_endpoint_of_a_gone_container(engine_root, sh):
    sh.ok("docker network create stale")
    _stale_endpoint(engine_root)
    r = sh.run("docker network disconnect stale ghost")
    assert errors(r) == ["Error response from daemon: No such container: ghost"]
    sh.ok("docker network disconnect -f stale ghost")
    sh.ok("docker network rm stale")


# --- a killed docker build ---------------------------------------------------------------

def test_killed_build_leaves_what_fsck_removes(engine_root, engine, sh, tmp_path):
    import signal
    import subprocess
    import sys

    from engine.system import fsck
    from engine.runtime import cgroups, syscalls
    from tests.conftest import ROOT
    from tests.integration.cli_helpers import wait_until
    from tests.integration.conftest import snapshot
    sh.ok("docker pull busybox")
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM busybox\nENV STEP=1\nRUN echo one > /one\n"
                                    "RUN sleep 60\nCMD [\"sh\"]\n")
    before = snapshot(engine_root)
    environ = dict(os.environ, DOCKERLINGS_ROOT=engine_root, PYTHONPATH=str(ROOT))
    p = subprocess.Popen([sys.executable, "-m", "shell", "-c", f"docker build -t k {ctx}"],
                         env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def step_running():
        return [c for c in engine.containers(all=False) if c.config.hostname ==
                "buildkitsandbox" and "sleep 60" in " ".join(c.args)]
    step = wait_until(step_running, timeout=30, what="the RUN step's container")[0]
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert engine.containers(all=True)          # the step container outlived its build
    report = fsck.check(engine)
    assert report.problems == []
    assert f"removed build step container {step.id[:12]}, left by an interrupted build" \
        in report.cleaned
    again = fsck.check(engine)
    assert (again.problems, again.cleaned) == ([], [])
    assert engine.containers(all=True) == []
    assert [i for i in sh.ok("docker images -a -q").split()] == \
        [sh.ok("docker images -q busybox").strip()]
    assert not [n for n in os.listdir(os.path.join(engine_root, "image"))
                if n.startswith(".snapshot-")]
    assert not syscalls.alive_pid(step.state.pid)
    after = snapshot(engine_root)
    assert after["mounts"] == before["mounts"]
    assert after["cgroups"] == before["cgroups"] == []
    (ctx / "Dockerfile").write_text("FROM busybox\nRUN true\n")     # builds go on
    sh.ok(f"docker build -q -t k {ctx}")


def test_killed_build_while_its_snapshot_is_made(engine_root, engine, sh):
    """The snapshot image of a build that died before dropping it again."""
    from engine.system import fsck
    from engine.build import owner
    from engine.build.state import Snapshot, State
    sh.ok("docker pull busybox")
    img = engine.images.find("busybox")
    state = State.of_image(engine, img, "k").child("k2")
    state.config["Env"] = ["A=1"]
    state.image_id = None
    snap = Snapshot(engine, state)
    image_id = snap.__enter__()                 # ...and the build dies here
    os.rename(snap.mark, str(snap.mark).replace(owner.token(), "1-1"))   # a dead owner
    assert engine.images.exists(image_id)
    report = fsck.check(engine)
    assert report.cleaned == [f"removed snapshot image {image_id[7:19]}, left by an "
                              "interrupted build"]
    assert not engine.images.exists(image_id)
    assert fsck.check(engine).cleaned == []
