"""A container's life through the docker command line: create, start, stop, kill,
restart, rm, wait, rename, pause/unpause, --rm, -d and names, with Docker 28's output,
messages and exit codes (docker-cli.md sections 2, 5.3, 6 and 7)."""
from __future__ import annotations

import os
import re
import time

import pytest

from tests.conftest import dockerlings
from tests.integration.cli_helpers import (ID64, ZERO_TIME, errors, inspect, pull,
                                           rfc3339_ns, status, table, wait_status, wait_until)

PS_HEADER = ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]


@pytest.fixture
def bb(sh):
    """The shell, with busybox already made (so no pull chatter in later outputs)."""
    pull(sh)
    return sh


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def run_d(sh, name: str, command: str) -> str:
    out = sh.ok(f"docker run -d --name {name} busybox {command}")
    assert ID64.match(out.strip()), out
    return out.strip()


def logs_count(sh, name: str, word: str) -> int:
    return sh.run(f"docker logs {name}").out.split().count(word)


# --- create / start ----------------------------------------------------------------------

def test_create_prints_full_id_and_container_is_created(bb):
    r = bb.run("docker create --name web busybox echo hello")
    assert r.code == 0 and r.err == ""
    cid = r.out.strip()
    assert r.out == cid + "\n" and ID64.match(cid)
    ps_a = bb.run("docker ps -a")
    assert ps_a.out == table([PS_HEADER,
                              [cid[:12], "busybox", '"echo hello"', "Less than a second ago",
                               "Created", "", "web"]])
    # not running: plain `docker ps` shows only the header
    assert bb.ok("docker ps") == table([PS_HEADER])
    assert inspect(bb, "web", "{{.Id}} {{.State.Status}} {{.State.StartedAt}}") == \
        f"{cid} created {ZERO_TIME}"


def test_start_prints_the_name_and_runs_the_container(bb):
    bb.ok("docker create --name web busybox sleep 100")
    r = bb.run("docker start web")
    assert (r.code, r.out, r.err) == (0, "web\n", "")
    assert status(bb, "web") == "running"
    pid = int(inspect(bb, "web", "{{.State.Pid}}"))
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        assert f.read() == b"sleep\x00100\x00"
    # starting a running container is not an error: the name again, exit 0
    assert tuple(bb.run("docker start web")) == (0, "web\n", "")


def test_start_attach_streams_output_and_passes_the_exit_code(bb):
    bb.ok("docker create --name job busybox sh -c 'echo out; echo err >&2; exit 3'")
    r = bb.run("docker start -a job")
    assert (r.code, r.out, r.err) == (3, "out\n", "err\n")
    assert inspect(bb, "job", "{{.State.Status}} {{.State.ExitCode}}") == "exited 3"


def test_start_unknown_container(bb):
    r = bb.run("docker start nosuch")
    assert r.code == 1 and r.out == ""
    assert errors(r) == ["Error response from daemon: No such container: nosuch",
                         "Error: failed to start containers: nosuch"]


# --- stop / kill / restart ----------------------------------------------------------------

def test_stop_waits_the_timeout_then_kills_a_sleep_that_ignores_sigterm(bb):
    run_d(bb, "sleeper", "sleep 100")
    t0 = time.monotonic()
    r = bb.run("docker stop -t 1 sleeper")
    elapsed = time.monotonic() - t0
    assert (r.code, r.out, errors(r)) == (0, "sleeper\n", [])
    # dockerlings says afterwards why it took the whole grace period
    assert r.err.startswith("hint: sleeper's main process (PID 1) ignored SIGTERM")
    assert "waited the 1-second grace period" in r.err and "trap" in r.err
    # sleep as PID 1 ignores SIGTERM: the full second passes, then SIGKILL
    assert 0.9 <= elapsed < 5, elapsed
    assert inspect(bb, "sleeper", "{{.State.Status}} {{.State.ExitCode}}") == "exited 137"
    st = bb.ok("docker ps -a --format '{{.Status}}'").strip()
    assert re.fullmatch(r"Exited \(137\) (Less than a second|\d+ seconds?) ago", st), st


def test_stop_of_a_process_that_handles_sigterm_is_quick_and_gives_no_hint(bb):
    run_d(bb, "trapper", "sh -c \"trap 'exit 0' TERM; while true; do sleep 0.1; done\"")
    t0 = time.monotonic()
    r = bb.run("docker stop -t 5 trapper")
    assert (r.code, r.out, r.err) == (0, "trapper\n", "")
    assert time.monotonic() - t0 < 4


def test_stop_of_a_stopped_container_prints_its_name(bb):
    bb.ok("docker run --name done busybox true")
    r = bb.run("docker stop done")
    assert (r.code, r.out, r.err) == (0, "done\n", "")


def test_stop_several_reports_the_missing_one_at_the_end(bb):
    bb.ok("docker create --name one busybox true")
    r = bb.run("docker stop one nosuch")
    assert (r.code, r.out) == (1, "one\n")
    assert errors(r) == ["Error response from daemon: No such container: nosuch"]


TRAPS = "sh -c 'trap \"exit 5\" HUP; trap \"exit 7\" TERM; echo ready; " \
        "while true; do sleep 0.05; done'"


@pytest.mark.parametrize("flags, code", [
    ("-s HUP", 5), ("-s 15", 7), ("-s sigterm", 7), ("-s SIGTERM", 7), ("-s 9", 137),
    ("-s KILL", 137), ("", 137),
])
def test_kill_sends_the_signal_named_or_numbered(bb, flags, code):
    run_d(bb, "sig", TRAPS)
    wait_until(lambda: logs_count(bb, "sig", "ready") == 1, what="the traps to be set")
    r = bb.run(f"docker kill {flags} sig")
    assert (r.code, r.out, r.err) == (0, "sig\n", "")
    wait_status(bb, "sig", "exited")
    assert bb.run("docker wait sig").out == f"{code}\n"


def test_kill_of_a_stopped_container_is_refused(bb):
    bb.ok("docker run --name done busybox true")
    cid = inspect(bb, "done", "{{.Id}}")
    r = bb.run("docker kill done")
    assert (r.code, r.out) == (1, "")
    assert errors(r) == [f"Error response from daemon: cannot kill container: done: "
                         f"container {cid} is not running"]


def test_kill_of_an_unknown_container(bb):
    r = bb.run("docker kill nosuch")
    assert (r.code, r.out) == (1, "")
    # the API router wraps every kill error: "cannot kill container: <name as typed>: ..."
    assert errors(r) == ["Error response from daemon: cannot kill container: nosuch: "
                         "No such container: nosuch"]


@pytest.mark.parametrize("sig", ["FOO", "0"])
def test_kill_with_an_invalid_signal(bb, sig):
    run_d(bb, "web", "sleep 100")
    r = bb.run(f"docker kill -s {sig} web")
    assert (r.code, r.out) == (1, "")
    assert errors(r) == [f"Error response from daemon: cannot kill container: web: "
                         f"invalid signal: {sig}"]
    assert status(bb, "web") == "running"


def test_restart_runs_the_container_again(bb):
    run_d(bb, "web", "sleep 100")
    pid1 = inspect(bb, "web", "{{.State.Pid}}")
    started1 = inspect(bb, "web", "{{.State.StartedAt}}")
    r = bb.run("docker restart -t 0 web")
    assert (r.code, r.out, r.err) == (0, "web\n", "")
    assert status(bb, "web") == "running"
    assert inspect(bb, "web", "{{.State.Pid}}") != pid1
    assert rfc3339_ns(inspect(bb, "web", "{{.State.StartedAt}}")) > rfc3339_ns(started1)
    # an exited container is simply started again
    bb.ok("docker run --name done busybox true")
    assert bb.run("docker restart done").out == "done\n"
    wait_until(lambda: inspect(bb, "done", "{{.State.StartedAt}}") != ZERO_TIME)


# --- rm ------------------------------------------------------------------------------------

def test_rm_refuses_a_running_container(bb):
    run_d(bb, "web", "sleep 100")
    r = bb.run("docker rm web")
    assert (r.code, r.out) == (1, "")
    # moby: fmt.Errorf("cannot remove container %q: %w", name, err) with the name as typed
    assert errors(r) == ['Error response from daemon: cannot remove container "web": '
                         'container is running: stop the container before removing or '
                         'force remove']
    assert status(bb, "web") == "running"


def test_rm_force_removes_a_running_container(bb):
    run_d(bb, "web", "sleep 100")
    pid = int(inspect(bb, "web", "{{.State.Pid}}"))
    t0 = time.monotonic()
    r = bb.run("docker rm -f web")
    assert (r.code, r.out, r.err) == (0, "web\n", "")
    assert time.monotonic() - t0 < 3          # SIGKILL at once, no 10 s grace
    assert bb.ok("docker ps -a -q") == ""
    wait_until(lambda: not _alive(pid), what="the container's process to be gone")


def test_rm_of_a_stopped_container_and_of_unknown_ones(bb):
    bb.ok("docker run --name done busybox true")
    r = bb.run("docker rm done nosuch")
    assert (r.code, r.out) == (1, "done\n")
    assert errors(r) == ["Error response from daemon: No such container: nosuch"]
    r = bb.run("docker rm x")
    assert (r.code, r.out, errors(r)) == (1, "", ["Error response from daemon: No such "
                                                  "container: x"])
    # with -f a missing container is reported but is not a failure
    r = bb.run("docker rm -f x")
    assert (r.code, r.out, errors(r)) == (0, "", ["Error response from daemon: No such "
                                                  "container: x"])


# --- wait ----------------------------------------------------------------------------------

def test_wait_prints_exit_codes(bb):
    run_d(bb, "slow", "sh -c 'sleep 0.3; exit 4'")
    bb.ok("docker run --name ok busybox true")
    t0 = time.monotonic()
    r = bb.run("docker wait slow ok")
    assert (r.code, r.out, r.err) == (0, "4\n0\n", "")
    assert time.monotonic() - t0 < 5


def test_wait_on_a_created_container_returns_zero_at_once(bb):
    bb.ok("docker create --name fresh busybox true")
    t0 = time.monotonic()
    r = bb.run("docker wait fresh")
    assert (r.code, r.out) == (0, "0\n")
    assert time.monotonic() - t0 < 1
    assert status(bb, "fresh") == "created"


def test_wait_unknown(bb):
    assert bb.run("docker run --name ok busybox sh -c 'exit 2'").code == 2
    r = bb.run("docker wait ok nosuch")
    assert (r.code, r.out) == (1, "2\n")
    assert errors(r) == ["Error response from daemon: No such container: nosuch"]


# --- rename --------------------------------------------------------------------------------

def test_rename(bb):
    cid = bb.ok("docker create --name old busybox true").strip()
    r = bb.run("docker rename old new-name")
    assert (r.code, r.out, r.err) == (0, "", "")
    assert inspect(bb, "new-name", "{{.Id}} {{.Name}}") == f"{cid} /new-name"
    assert bb.ok("docker ps -a --format '{{.Names}}'") == "new-name\n"
    r = bb.run("docker inspect old")
    assert r.code == 1 and errors(r) == ["Error: No such object: old"]


def test_rename_to_the_same_name(bb):
    bb.ok("docker create --name same busybox true")
    r = bb.run("docker rename same same")
    assert (r.code, r.out) == (1, "")
    assert errors(r) == ["Error response from daemon: Renaming a container with the same "
                         "name as its current name",
                         "Error: failed to rename container named same"]


def test_rename_to_a_taken_name(bb):
    bb.ok("docker create --name first busybox true")
    taken = bb.ok("docker create --name second busybox true").strip()
    r = bb.run("docker rename first second")
    assert (r.code, r.out) == (1, "")
    # moby daemon/rename.go: errors.Wrap(err, "Error when allocating new name")
    assert errors(r) == [f'Error response from daemon: Error when allocating new name: '
                         f'Conflict. The container name "/second" is already in use by '
                         f'container "{taken}". You have to remove (or rename) that '
                         f'container to be able to reuse that name.',
                         "Error: failed to rename container named first"]
    assert bb.ok("docker ps -a --format '{{.Names}}'") == "second\nfirst\n"


def test_rename_to_an_invalid_name(bb):
    bb.ok("docker create --name first busybox true")
    r = bb.run("docker rename first 'bad name'")
    assert (r.code, r.out) == (1, "")
    assert errors(r) == ["Error response from daemon: Error when allocating new name: "
                         "Invalid container name (/bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] "
                         "are allowed",
                         "Error: failed to rename container named first"]


def test_rename_unknown(bb):
    r = bb.run("docker rename nosuch other")
    assert (r.code, r.out) == (1, "")
    assert errors(r) == ["Error response from daemon: No such container: nosuch",
                         "Error: failed to rename container named nosuch"]


# --- pause / unpause ------------------------------------------------------------------------

# the counter is renamed into place, so a freeze never catches a half-written file
COUNTER = ("sh -c 'i=0; while true; do i=$((i+1)); echo $i > /tmp/n.new; mv /tmp/n.new /tmp/n; "
           "sleep 0.02; done'")


def _counter(upper: str) -> int:
    def read():
        try:
            with open(os.path.join(upper, "tmp", "n")) as f:
                text = f.read().strip()
        except FileNotFoundError:
            return None
        return int(text) if text.isdigit() else None
    return wait_until(read, what="the counter file")


def test_pause_freezes_the_processes_and_unpause_thaws_them(bb):
    cid = run_d(bb, "cnt", COUNTER)
    upper = inspect(bb, "cnt", "{{.GraphDriver.Data.UpperDir}}")
    wait_until(lambda: _counter(upper) > 3, what="the counter to run")
    r = bb.run("docker pause cnt")
    assert (r.code, r.out, r.err) == (0, "cnt\n", "")
    line = bb.ok("docker ps --format '{{.Status}}|{{.State}}'").strip()
    assert re.fullmatch(r"Up (Less than a second|\d+ seconds?) \(Paused\)\|paused", line), line
    assert inspect(bb, "cnt", "{{.State.Status}} {{.State.Running}} {{.State.Paused}}") == \
        "paused true true"
    frozen = _counter(upper)
    time.sleep(0.3)
    assert _counter(upper) == frozen, "the counter advanced while the container was paused"
    # Docker's refusals while paused
    r = bb.run("docker pause cnt")
    assert (r.code, errors(r)) == (1, [f"Error response from daemon: Container {cid} is "
                                       "already paused"])
    r = bb.run("docker unpause cnt")
    assert (r.code, r.out, r.err) == (0, "cnt\n", "")
    wait_until(lambda: _counter(upper) > frozen + 2, what="the counter to advance again")
    assert status(bb, "cnt") == "running"
    r = bb.run("docker unpause cnt")
    assert (r.code, errors(r)) == (1, [f"Error response from daemon: Container {cid} is not "
                                       "paused"])


def test_rm_refuses_a_paused_container(bb):
    run_d(bb, "web", "sleep 100")
    bb.ok("docker pause web")
    r = bb.run("docker rm web")
    assert (r.code, r.out) == (1, "")
    assert errors(r) == ['Error response from daemon: cannot remove container "web": '
                         'container is paused and must be unpaused first']
    assert status(bb, "web") == "paused"


def test_start_of_a_paused_container(bb):
    run_d(bb, "web", "sleep 100")
    bb.ok("docker pause web")
    r = bb.run("docker start web")
    assert (r.code, r.out) == (1, "")
    assert errors(r) == ["Error response from daemon: cannot start a paused container, try "
                         "unpause instead",
                         "Error: failed to start containers: web"]


def test_pause_of_a_container_that_is_not_running(bb):
    cid = bb.ok("docker create --name fresh busybox true").strip()
    r = bb.run("docker pause fresh")
    assert (r.code, r.out) == (1, "")
    # container.GetRunningTask: "container %s is not running" (lower case)
    assert errors(r) == [f"Error response from daemon: container {cid} is not running"]


# --- --rm, -d -------------------------------------------------------------------------------

def test_run_rm_removes_the_container_after_it_exits(bb):
    r = bb.run("docker run --rm --name tmp busybox sh -c 'echo bye; exit 42'")
    assert (r.code, r.out, r.err) == (42, "bye\n", "")
    assert bb.ok("docker ps -a -q") == ""
    # the name is free again
    assert bb.run("docker create --name tmp busybox true").code == 0


def test_a_mount_that_fails_says_why_and_leaves_nothing(bb, tmp_path):
    """The container's process builds its root while its monitor plans the network;
    when a mount fails there, its own error is the one shown, on a bridge too (several
    times: the failure races the monitor's "go")."""
    d = tmp_path / "adir"
    d.mkdir()
    for net in ("", "--network none ") * 3:
        r = bb.run(f"docker run --rm {net}-v {d}:/bin/sh busybox true")
        assert r.code == 125, r.err
        assert (f'error mounting "{d}" to rootfs at "/bin/sh": mount src={d}, dst=/bin/sh, '
                "flags=0x5000: not a directory") in r.err
    assert bb.ok("docker ps -aq") == ""


def test_joining_a_stopped_containers_namespaces_fails_in_dockers_words(bb):
    """moby's refusals, before any runtime runs; a --rm container that could not start
    is removed, as the daemon removes it."""
    idle = bb.ok("docker create --name idle busybox true").strip()
    r = bb.run("docker run --rm --network container:idle busybox true")
    assert (r.code, r.err.splitlines()[0]) == (
        125, "docker: Error response from daemon: cannot join network namespace of a non "
             "running container: container idle is created")
    r = bb.run("docker run --rm --pid container:idle busybox true")
    assert (r.code, r.err.splitlines()[0]) == (
        125, f"docker: Error response from daemon: container {idle} is not running")
    assert bb.ok("docker ps -aq --no-trunc") == idle + "\n"


def test_restart_keeps_a_rm_container_and_stop_removes_it(bb):
    """As in Docker: --rm applies when the container stops, not when `docker restart`
    stops it to start it again."""
    bb.ok("docker run -d --rm --name again busybox sleep 30")
    assert bb.ok("docker restart -t 0 again") == "again\n"
    assert bb.ok("docker ps --format '{{.Names}} {{.State}}'") == "again running\n"
    bb.ok("docker stop -t 0 again")
    wait_until(lambda: bb.ok("docker ps -aq") == "", what="the --rm container to go")


def test_only_a_rm_containers_root_skips_syncs(bb):
    """A --rm container's overlay is mounted "volatile" (its upper layer is thrown away,
    so unmounting it need not sync the host's file system); a kept one's is not."""
    overlay = "grep -E '^overlay / ' /proc/mounts"
    assert "volatile" in bb.ok(f"docker run --rm busybox {overlay}")
    assert "volatile" not in bb.ok(f"docker run --name kept busybox {overlay}")
    bb.ok("docker start -a kept")            # and it mounts again after its first run


def test_run_detached_rm_is_removed_when_done(bb):
    run_d(bb, "bg", "sh -c 'sleep 0.2'")                  # without --rm: stays
    bb.ok("docker run -d --rm --name bgrm busybox sh -c 'sleep 0.2'")
    assert "bgrm" in bb.ok("docker ps --format '{{.Names}}'").split()
    wait_until(lambda: "bgrm" not in bb.ok("docker ps -a --format '{{.Names}}'").split(),
               what="the --rm container to go")
    wait_status(bb, "bg", "exited")
    assert bb.ok("docker ps -a --format '{{.Names}}'") == "bg\n"


def test_detached_container_outlives_the_dockerlings_process(bb, engine_root):
    p = dockerlings("docker", "run", "-d", "--name", "bg", "busybox", "sleep", "100",
                    root=engine_root)
    assert p.returncode == 0, p.stderr
    cid = p.stdout.decode().strip()
    assert p.stdout.decode() == cid + "\n" and ID64.match(cid)
    # that dockerlings process has exited; the container runs on
    assert bb.ok("docker ps --format '{{.ID}} {{.Names}} {{.State}}'") == \
        f"{cid[:12]} bg running\n"
    pid = int(inspect(bb, "bg", "{{.State.Pid}}"))
    os.kill(pid, 0)
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        assert f.read() == b"sleep\x00100\x00"
    # and a second dockerlings sees it too
    p = dockerlings("docker", "ps", "-q", root=engine_root)
    assert (p.returncode, p.stdout.decode()) == (0, cid[:12] + "\n")


# --- names ----------------------------------------------------------------------------------

def test_generated_names_look_like_adjective_animal_and_are_unique(bb):
    ids = [bb.ok("docker create busybox true").strip() for _ in range(6)]
    names = bb.ok("docker ps -a --format '{{.Names}}'").split()
    assert len(names) == 6 and len(set(names)) == 6
    for n in names:
        assert re.fullmatch(r"[a-z]+_[a-z]+\d?", n), n
    assert inspect(bb, ids[0], "{{.Name}}") == "/" + names[-1]   # oldest is listed last


def test_name_conflict_in_run_and_create(bb):
    first = bb.ok("docker run --name web busybox true")
    assert first == ""
    holder = inspect(bb, "web", "{{.Id}}")
    conflict = (f'Error response from daemon: Conflict. The container name "/web" is already '
                f'in use by container "{holder}". You have to remove (or rename) that '
                f'container to be able to reuse that name.')
    r = bb.run("docker run --name web busybox true")
    assert (r.code, r.out) == (125, "")
    assert errors(r) == [f"docker: {conflict}", "", "Run 'docker run --help' for more "
                                                    "information"]
    r = bb.run("docker create --name web busybox true")
    assert (r.code, r.out) == (1, "")
    assert errors(r) == [conflict]
    assert bb.ok("docker ps -a -q") == holder[:12] + "\n"


def test_init_runs_tini_as_pid_1_and_passes_signals_on(sh):
    """--init: Docker's small init (tini, from the host) is PID 1, the command its
    child; it passes SIGTERM on, so a program that ignores it as PID 1 still stops at
    once, and it reaps orphans."""
    import time

    import pytest
    from engine.supervisor import launch
    try:
        launch.init_binary()
    except Exception:
        pytest.skip("no static tini on this machine (.ci/setup installs tini)")
    out = sh.ok("docker run --rm --init busybox ps -o pid,args")
    assert "1 /sbin/docker-init -- ps -o pid,args" in out
    sh.ok("docker run -d --name tini1 --init busybox sleep 100")
    assert inspect(sh, "tini1", "{{.HostConfig.Init}} {{.Path}}") == "true sleep"
    t = time.monotonic()
    sh.ok("docker stop -t 5 tini1")
    assert time.monotonic() - t < 3                       # not the whole grace period
    assert inspect(sh, "tini1", "{{.State.ExitCode}}") == "143"
    sh.ok("docker run -d --name plain1 busybox sleep 100")
    assert inspect(sh, "plain1", "{{json .HostConfig.Init}}") == "null"
    sh.ok("docker rm -f tini1 plain1")
