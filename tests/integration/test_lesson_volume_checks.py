"""Volume and mount checks on the real engine: named, anonymous and --volumes-from
volumes, bind mounts (absolute and relative to the lesson's folder), --mount and
--tmpfs, files read through them on stopped and running containers, and what commit
keeps — as the lessons' checks see them after real docker commands."""
from __future__ import annotations

import time

import pytest

from lessons import checks
from lessons.world import World
from tests.integration.cli_helpers import pull, wait_status
from tests.unit.lessons_fixtures.fakes import check


@pytest.fixture
def ask(engine, tmp_path):
    def run(text: str) -> checks.Result:
        return checks.evaluate(check(text), checks.Context(World(engine),
                                                           workdir=str(tmp_path)))
    return run


@pytest.fixture
def passes(ask):
    return lambda text: ask(text).ok


def test_named_volume_exists_is_used_and_holds_the_file(sh, passes, ask):
    pull(sh)
    assert not passes("volume: {name: notes}")
    sh.ok("docker volume create notes")
    assert passes("volume: {name: notes, anonymous: false}")
    assert not passes("volume: {name: notes, used_by: writer}")
    sh.ok("docker run --name writer -v notes:/notes busybox sh -c 'echo kept > /notes/a.txt'")
    assert passes("volume: {name: notes, used_by: writer, "
                  "file: {path: /a.txt, equals: kept}}")
    assert passes("container: {name: writer, status: exited, mounts: ['notes:/notes', "
                  "'/notes', 'notes:/notes:rw'], file: {path: /notes/a.txt, equals: kept}}")
    assert not passes("container: {name: writer, mounts: 'notes:/notes:ro'}")
    r = ask("container: {name: writer, mounts: 'other:/notes'}")
    assert not r.ok and "its mounts: notes:/notes" in r.detail

    # the volume outlives its container; the next one sees the file
    sh.ok("docker rm writer")
    assert passes("volume: {name: notes, file: {path: /a.txt}}")
    assert not passes("volume: {name: notes, used_by: writer}")
    sh.ok("docker run --name reader -v notes:/data busybox cat /data/a.txt")
    assert passes("container: {name: reader, logs_contain: kept, "
                  "file: {path: /data/a.txt, equals: kept}}")


def test_a_volume_made_by_run_v_has_the_name_given(sh, passes):
    pull(sh)
    sh.ok("docker run --name w1 -v made-on-the-fly:/x busybox touch /x/here")
    assert passes("volume: {name: made-on-the-fly, anonymous: false, used_by: w1, "
                  "file: {path: /here}}")


def test_anonymous_volume_shared_with_volumes_from(sh, passes):
    pull(sh)
    sh.ok("docker run --name first -v /shared busybox sh -c 'echo one > /shared/f'")
    assert passes("volume: {anonymous: true, used_by: first, count: 1, "
                  "file: {path: /f, equals: one}}")
    # the first container has stopped: its volumes are still there to share
    sh.ok("docker run -d --name second --volumes-from first busybox sleep 30")
    wait_status(sh, "second", "running")
    assert passes("volume: {anonymous: true, used_by: [first, second], count: 1}")
    assert passes("container: {name: second, status: running, mounts: /shared, "
                  "file: {path: /shared/f, equals: one}}")
    sh.ok("docker exec second sh -c 'echo two >> /shared/f'")
    assert passes("container: {name: first, file: {path: /shared/f, contains: two}}")
    assert passes("exec: {container: second, command: cat /shared/f, output: [one, two]}")
    sh.ok("docker rm -f second")
    sh.ok("docker rm -v first")                 # -v: the anonymous volume goes with it
    assert passes("volume: {count: 0}")


def test_bind_mounts_absolute_and_relative(sh, passes, tmp_path):
    pull(sh)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("from the host\n")
    sh.ok(f"docker run --name abs -v {site}:/site:ro busybox cat /site/index.html")
    sh.ok("docker run --name rel -v ./site:/srv busybox sh -c 'echo back > /srv/back.txt'")
    assert passes(f"container: {{name: abs, mounts: ['{site}:/site', '{site}:/site:ro', "
                  "'./site:/site', 'site/:/site'], logs_contain: from the host}")
    assert not passes("container: {name: abs, mounts: 'site:/site'}")    # a volume name
    assert passes("container: {name: rel, mounts: './site:/srv:rw', "
                  "file: {path: /srv/back.txt, equals: back}}")
    assert passes("host_file: {path: site/back.txt, equals: back}")     # on the host too
    assert not passes("volume: {name: site}")                   # a bind is no volume
    assert passes("container: {name: abs, file: {path: /site/index.html, "
                  "contains: from the host}}")


def test_mount_flag_and_tmpfs(sh, passes):
    pull(sh)
    sh.ok("docker run --name mt --mount type=volume,src=cache,dst=/cache --tmpfs /scratch "
          "busybox sh -c 'echo c > /cache/c; echo s > /scratch/s'")
    assert passes("volume: {name: cache, used_by: mt, file: {path: /c}}")
    assert passes("container: {name: mt, mounts: ['cache:/cache', /scratch], "
                  "file: {path: /cache/c, equals: c}}")
    # a tmpfs lives in the container's memory: gone once it stopped, never in its layers
    assert passes("container: {name: mt, file: {path: /scratch/s, exists: false}}")


def test_commit_keeps_no_volume_content(sh, passes):
    pull(sh)
    sh.ok("docker run --name keeper -v /data busybox sh -c "
          "'echo in-volume > /data/v.txt; echo in-layer > /layer.txt'")
    sh.ok("docker commit keeper kept")
    assert passes("image: {ref: kept, made_by: commit, file: [{path: /layer.txt}, "
                  "{path: /data/v.txt, exists: false}]}")
    sh.ok("docker run --name from-kept kept ls /data")
    assert passes("container: {name: from-kept, exit_code: 0, "
                  "file: {path: /data/v.txt, exists: false}}")


def test_volume_checks_are_quick(sh, engine, tmp_path):
    """A round of a step's checks after each command: a few milliseconds."""
    pull(sh)
    for i in range(10):
        sh.ok(f"docker create --name c{i} -v vol{i}:/data -v /anon busybox true")
    step_checks = [check("volume: {name: vol9, used_by: c9}"),
                   check("volume: {anonymous: true, used_by: c3}"),
                   check("container: {name: c5, mounts: ['vol5:/data', /anon], "
                         "file: {path: /data/none, exists: false}}")]
    samples = []
    for _ in range(20):
        t = time.perf_counter()
        ctx = checks.Context(World(engine), workdir=str(tmp_path))
        assert all(checks.evaluate(c, ctx).ok for c in step_checks)
        samples.append(time.perf_counter() - t)
    samples.sort()
    print(f"volume checks, 10 containers + 20 volumes: median "
          f"{samples[len(samples) // 2] * 1000:.2f} ms, max {samples[-1] * 1000:.2f} ms")
    assert samples[len(samples) // 2] < 0.25
