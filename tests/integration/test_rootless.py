"""The engine run by an ordinary user (issue 20), beyond the core flows that
test_core_flows.py runs both as root and as the user: what only the rootless engine
does (engine/runtime/userns.py). It works as root inside a user namespace of its own;
these tests prove it does the real things there (overlay roots, layers whose files have
several owners, builds with whiteouts and opaque directories), that it can do nothing
the user could not (a root-only file stays closed), that limits it cannot apply are
dropped in rootless Docker's words, and that `engine reset` ends its keeper and leaves
nothing (the user_engine fixture's leak check, tests/integration/as_user.py).
"""
from __future__ import annotations

import os

import pytest


def keeper(eng) -> int | None:
    try:
        with open(os.path.join(eng.root, "run", "keeper.pid")) as f:
            return int(f.read().split()[0])
    except OSError:
        return None


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_container_runs_for_an_ordinary_user(user_engine):
    assert user_engine.ok("docker run --rm busybox echo hi") == "hi\n"
    pid = keeper(user_engine)
    assert pid is not None and alive(pid)
    with open(f"/proc/{pid}/status") as f:
        uid = next(line for line in f if line.startswith("Uid:")).split()[1]
    assert int(uid) == user_engine.uid                  # nothing runs as the host's root
    # root in the container is the user outside; its other ids, the subordinate ones
    mapped = user_engine.ok("docker run --rm busybox cat /proc/self/uid_map").split()
    assert mapped[:3] == ["0", str(user_engine.uid), "1"] and mapped[3] == "1"
    info = user_engine.ok("docker info")
    assert "\n  rootless\n" in info
    assert "mode: rootless" in user_engine.command("engine", "info").out


def test_top_of_a_container_without_a_cgroup(user_engine):
    user_engine.ok("docker run -d --name web busybox sh -c 'sleep 60 & sleep 61'")
    xray = user_engine.command("xray", "web").out
    assert "the engine's (rootless: its root is you)" in xray
    top = user_engine.ok("docker top web")       # no cgroup: its pid namespace says who
    assert "sleep 60" in top and "sleep 61" in top
    assert user_engine.ok("docker stats --no-stream --format '{{.PIDs}}' web").strip() == "2"
    user_engine.ok("docker rm -f web")


def test_a_build_keeps_the_owners_of_its_files(user_engine):
    ctx = user_engine.cwd / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(
        "FROM busybox\n"
        "RUN mkdir /data && echo a > /data/a && echo b > /data/b && "
        "chown 1000:1000 /data/a && chown 65534:65534 /data/b && mkdir /tree && "
        "touch /tree/old\n"
        "COPY --chown=2000:3000 hello.txt /hello.txt\n"
        "RUN rm /data/b && rm -rf /tree && mkdir /tree && touch /tree/new\n")
    (ctx / "hello.txt").write_text("hello\n")
    for p in (ctx, ctx / "Dockerfile", ctx / "hello.txt"):
        os.chown(p, user_engine.uid, user_engine.gid)
    user_engine.ok("docker build -q -t owners ctx")
    listing = user_engine.ok("docker run --rm owners ls -ln /data /hello.txt /tree")
    assert " 1000 " in listing and " 2000 " in listing and " 3000 " in listing
    assert " b\n" not in listing and " old\n" not in listing      # whiteout, opaque dir
    assert " new\n" in listing
    # the files belong to subordinate ids on the host: neither to root nor all the user's
    owners = {os.lstat(os.path.join(top, name)).st_uid
              for top, _, files in os.walk(os.path.join(user_engine.root, "layers"))
              for name in files}
    assert user_engine.uid in owners and len(owners) > 1 and 0 not in owners


def test_commit_keeps_a_deleted_file_deleted(user_engine):
    user_engine.ok("docker run --name c1 busybox sh -c 'rm /etc/group; echo mine > /note'")
    user_engine.ok("docker commit c1 snap")
    assert user_engine.ok("docker run --rm snap cat /note") == "mine\n"
    assert user_engine.run("docker run --rm snap ls /etc/group").code == 1


def test_limits_are_dropped_with_docker_rootless_words(user_engine):
    if user_engine.ok("docker info --format '{{.CgroupDriver}}'").strip() != "none":
        pytest.skip("a cgroup is delegated to the test user here: limits work")
    done = user_engine.run("docker run --rm --memory 64m --pids-limit 10 busybox echo ran")
    assert done.code == 0 and done.out == "ran\n"
    assert "WARNING: Your kernel does not support memory limit capabilities or the cgroup " \
           "is not mounted. Limitation discarded." in done.err
    assert "WARNING: Your kernel does not support PIDs limit capabilities" in done.err
    assert "hint:" in done.err and "sudo dockerlings" in done.err
    cpus = user_engine.run("docker run --rm --cpus 1 busybox true")
    assert cpus.code == 125
    assert "NanoCPUs can not be set, as your kernel does not support CPU CFS scheduler or " \
           "the cgroup is not mounted" in cpus.err
    user_engine.ok("docker run -d --name frozen busybox sleep 30")
    paused = user_engine.run("docker pause frozen")
    assert paused.code == 1 and "cgroups not configured for container" in paused.err
    user_engine.ok("docker commit frozen still")     # unpaused, as Docker's goes on
    info = user_engine.run("docker info")
    assert "Cgroup Driver: none" in info.out
    assert "Running in rootless-mode without cgroups" in info.err
    user_engine.ok("docker rm -f frozen")


def test_the_engine_reads_only_what_the_user_may(user_engine):
    secret = user_engine.dir / "secret"
    secret.write_text("root's\n")
    os.chmod(secret, 0o600)                 # root's, in a folder the user owns
    try:
        denied = user_engine.run(f"docker run --rm -v {secret}:/s busybox cat /s")
        assert denied.code == 1 and "Permission denied" in denied.err
        wrote = user_engine.run(f"docker run --rm -v {secret}:/s busybox sh -c 'echo x > /s'")
        assert wrote.code != 0 and secret.read_text() == "root's\n"
        shadow = user_engine.run("docker run --rm -v /etc/shadow:/s busybox cat /s")
        assert shadow.code == 1 and "Permission denied" in shadow.err
    finally:
        secret.unlink()


def test_reset_ends_the_keeper_and_its_namespaces(user_engine):
    user_engine.ok("docker run -d --name bg busybox sleep 60")
    first = keeper(user_engine)
    assert first is not None
    reset = user_engine.reset()
    assert reset.code == 0 and "the engine's user namespace" in reset.out
    for _ in range(100):
        if not alive(first):
            break
        import time
        time.sleep(0.05)
    assert not alive(first)
    assert keeper(user_engine) is None
    # the next command makes a fresh one (the fixture checks nothing is left after)
    assert user_engine.ok("docker run --rm busybox echo again") == "again\n"
    assert keeper(user_engine) not in (None, first)


def test_an_engine_of_roots_is_refused_in_words(user_engine, tmp_path):
    roots = tmp_path / "roots-engine"        # as the default root's: root's, 0710
    roots.mkdir(mode=0o710)
    r = user_engine.command("-c", "docker run --rm busybox true",
                            env_extra={"DOCKERLINGS_ROOT": str(roots)})
    assert r.code == 126 and "Traceback" not in r.err
    assert f"the engine at {roots}: this engine belongs to root" in r.err
    assert not (roots / "run").exists()


def test_a_shell_that_outlives_a_reset_keeps_the_engine_reachable(user_engine):
    """`engine reset` typed in a running shell ends the keeper; the shell is still in
    the namespaces, so it keeps them held (a new keeper) and a fresh process joins them,
    reaching the container the shell started after the reset."""
    lines = (f"docker run -d --name before busybox sleep 60\n"
             f"{user_engine.program} engine reset\n"
             f"docker run -d --name after busybox sleep 60\n")
    r = user_engine.command(stdin=lines.encode())
    assert r.code == 0, r.err
    assert "the engine's user namespace" in r.out
    assert user_engine.ok("docker exec after echo reachable") == "reachable\n"
    assert user_engine.ok("docker ps --format '{{.Names}}'") == "after\n"


def test_devices_are_the_hosts_own_nodes_and_as_closed(user_engine):
    """No node can be made in a user namespace: --device and --privileged get the host's
    own, bound in (as runc does rootless), opened only if the user could open them."""
    null = user_engine.ok("docker run --rm busybox sh -c 'echo x > /dev/null && ls -l /dev/null'")
    assert null.startswith("crw-rw-rw-") and " 1,   3 " in null
    host = os.stat("/dev/fuse") if os.path.exists("/dev/fuse") else None
    if host is None or host.st_mode & 0o006:
        pytest.skip("needs a /dev/fuse the user may not open")
    listing = user_engine.ok("docker run --rm --device /dev/fuse busybox ls -l /dev/fuse")
    assert "nobody" in listing and "10, 229" in listing
    opened = user_engine.run("docker run --rm --device /dev/fuse busybox cat /dev/fuse")
    assert opened.code == 1 and "Permission denied" in opened.err
    assert user_engine.ok("docker run --rm --privileged busybox id -u") == "0\n"


def test_words_that_never_reach_the_engine_make_no_keeper(user_engine):
    for words in (["--version"], ["--help"]):
        r = user_engine.command(*words)
        assert r.code == 0, r.err
    assert keeper(user_engine) is None and not os.path.exists(user_engine.root)


def test_without_newuidmap_the_engine_says_which_package_and_leaves_no_keeper(user_engine):
    """The keeper's maps failing must say why (its cleanup closed a pipe twice, and
    'Bad file descriptor' was all the learner saw)."""
    done = user_engine.command("-c", "docker ps", env_extra={"PATH": "/nonexistent"})
    assert done.code != 0
    assert "newuidmap not found" in done.err and "uidmap package" in done.err, done.err
    assert "Bad file descriptor" not in done.err
    assert not os.path.exists(os.path.join(user_engine.root, "run", "keeper.pid"))
    info = user_engine.command("engine", "info", env_extra={"PATH": "/nonexistent"})
    assert "newuidmap not found" in info.out, info.out
