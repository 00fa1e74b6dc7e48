"""The course's commands, run in order by the real docker CLI in front of podman's Docker
API and by dockerlings, each on a world of its own, compared line by line.

What may differ is said once, with its reason:
* conftest.INTENDED: dockerlings' `hint:` lines (removed before comparing);
* NORMALISED: data that legitimately differs between two engines (IDs, times, sizes,
  addresses, podman's name for the busybox it imported): replaced by placeholders;
* PODMAN: where podman's API is not Docker. Those lines still run on both sides (later
  lines need what they make) but are compared elsewhere or not at all, as the reason
  says; the daemon's words for mistakes are compared with moby's in test_daemon_words.

A course line is used as the lessons have it, except where a terminal is needed (-ti
with a shell: the tests have no terminal), which ADAPTED lists.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

import pytest

from shell.runner import split_words

from .conftest import run_dockerlings, without_hints, without_legacy_banner

CAN_RUN = os.geteuid() == 0 and shutil.which("busybox") is not None

SAME = None
DAEMON_WORDS = "daemon-words"

PODMAN = {
    DAEMON_WORDS: "podman's API answers a refused request in its own words; Docker's daemon's "
                  "words are compared with moby's, recorded in tests/fixtures/daemon-errors.txt "
                  "(test_daemon_words.py)",
    "version": "`docker version` shows the server's own name and versions",
    "hello-world": "podman's store here holds busybox only (offline: nothing can be pulled); "
                   "not run on either side, so the worlds stay alike",
    "commit": "podman 4.3's compat API refuses a commit the docker CLI sends (Decode(): EOF), "
              "so neither the commit nor what uses its image can be compared",
    "build": "a build prints its builder's progress: BuildKit's (docker), buildah's (podman) "
             "and dockerlings' (BuildKit's plain form) differ by design",
    "host-network": "podman here is rootful: a container network or a published port would "
                    "make bridges, veths and firewall rules on the host itself, which tests "
                    "never touch; podman's containers run with --network none, and these "
                    "lines run on dockerlings only",
    "offline-pull": "an image neither side has: Docker asks the registry, podman too but in "
                    "its own words, dockerlings works offline",
}

NOT_RUN = ("hello-world",)            # on neither side
PODMAN_NOT_RUN = ("host-network",)     # on dockerlings only

ADAPTED = {
    "docker run -ti busybox sh": "docker run -d --name first busybox sleep 1000",
    "docker exec -ti box sh": "docker exec box ps",
    'docker run -ti busybox sh -c "sleep 3; echo all done"':
        'docker run --rm busybox sh -c "sleep 1; echo all done"',
}

# (lesson, line, why it is not compared line by line: SAME when it is)
COURSE = [
    ("01", "docker version", "version"),
    ("01", "docker run hello-world", "hello-world"),
    ("01", "docker images", SAME),
    ("01", "docker ps", SAME),
    ("01", "docker ps -a", SAME),
    ("02", ADAPTED["docker run -ti busybox sh"], SAME),
    ("02", "docker run -d --name sleeper busybox sleep 1000", SAME),
    ("02", "docker ps", SAME),
    ("02", "docker ps -a", SAME),
    ("02", "docker ps -l", SAME),
    ("02", "docker ps -q", SAME),
    ("02", "docker ps -a --format '{{.Names}} {{.Image}} {{.Status}}'", SAME),
    ("03", "docker run --name greeter busybox sh -c 'echo hello > /greeting.txt'", SAME),
    ("03", "docker commit greeter my-image", "commit"),
    ("03", "docker run my-image cat /greeting.txt", "commit"),
    ("04", ADAPTED['docker run -ti busybox sh -c "sleep 3; echo all done"'], SAME),
    ("04", 'docker run --rm busybox echo "gone without a trace"', SAME),
    ("04", "docker run -d -ti --name box busybox sh", SAME),
    ("04", ADAPTED["docker exec -ti box sh"], SAME),
    ("05", "docker run -d --name ticker busybox sh -c 'while true; do date; sleep 1; done'",
     SAME),
    ("05", "docker logs --tail 1 ticker", SAME),
    ("05", "docker kill ticker", SAME),
    ("05", "docker start ticker", SAME),
    ("05", "docker rm ticker", DAEMON_WORDS),
    ("05", "docker rm -f ticker", SAME),
    ("05", "docker run --name web busybox true", SAME),
    ("05", "docker run --name web busybox true", DAEMON_WORDS),
    ("05", "docker rename web web-old", SAME),
    ("05", "docker run --name web busybox true", SAME),
    ("05", "docker run -d --name small --memory 64m busybox sleep 1000", SAME),
    ("05", "docker inspect --format '{{.HostConfig.Memory}}' small", SAME),
    ("05", "docker run -d --name capped --cpu-shares 512 --cpus 0.5 busybox sleep 1000", SAME),
    ("05", "docker inspect --format '{{.HostConfig.CpuShares}} {{.HostConfig.NanoCpus}}' "
           "capped", SAME),
    ("06", "docker run -d --name web2 -p 80 busybox sh -c 'echo \"Hello from web2\" > "
           "/index.html; httpd -f -h /'", "host-network"),
    ("06", "docker port web2", "host-network"),
    ("07", "docker network ls", "host-network"),
    ("07", "docker network create learning", "host-network"),
    ("07", "docker run -dti --net learning --name container-a busybox sh", "host-network"),
    ("07", "docker run -dti --net learning --name container-b busybox sh", "host-network"),
    ("07", "docker exec container-b ping -c 2 container-a", "host-network"),
    ("07", "docker network create catwalk", "host-network"),
    ("07", "docker network connect catwalk container-a", "host-network"),
    # "$PWD" is the lesson's folder: a folder of the test's own, with shared/hello.txt
    ("08", 'docker run --rm -v "$PWD/shared:/from-host" busybox cat /from-host/hello.txt',
     SAME),
    ("08", 'docker run --rm -v "$PWD/shared:/from-host" busybox sh -c '
           "'echo replied > /from-host/reply.txt; cat /from-host/reply.txt'", SAME),
    ("08", "docker volume create notes", SAME),
    ("08", "docker run --name writer -v notes:/notes busybox sh -c 'echo \"kept in a "
           "volume\" > /notes/kept.txt'", SAME),
    ("08", "docker rm writer", SAME),
    ("08", "docker run --name reader -v notes:/data busybox cat /data/kept.txt", SAME),
    ("08", "docker volume ls", SAME),
    ("08", "docker run --name packer -v notes:/notes busybox touch /layer.txt "
           "/notes/packed.txt", SAME),
    ("08", "docker commit packer packed", "commit"),
    ("09", "docker build -t timers:v1 .", "build"),
    # the mistakes of issue 14: Docker's words, then (only in dockerlings) a hint: line
    ("mistakes", "docker ps -A", SAME),
    ("mistakes", "docker build -t name", SAME),
    ("mistakes", "docker ps --format {{.Names}} {{.Image}}", SAME),
    ("mistakes", "docker ps --format '{{.Name}}'", SAME),
    ("mistakes", "docker run -rm busybox", SAME),
    ("mistakes", "docker imagse", SAME),
    ("mistakes", "docker run busybox sleep 1000 -d", SAME),
    ("mistakes", "docker run busybox echo hi -p 1234:1234", SAME),
    ("mistakes", "docker create network learning", "offline-pull"),
    ("mistakes", "docker exec box -ti sh", DAEMON_WORDS),
    ("mistakes", 'docker run --rm busybox sh -c "echo \\$\\$"', SAME),
    ("mistakes", "docker run --rm -u nobody busybox id", SAME),
    # (podman's busybox, imported from a tar, has no CMD: the command is given)
    ("mistakes", "docker create --name labelled -l zeta=1 -l alpha=2 -l mid=3 busybox true",
     SAME),
    ("mistakes", "docker inspect --format '{{json .Config.Labels}}' labelled", SAME),
]


# --- what legitimately differs between two engines ------------------------------------------

NORMALISED = [
    # (pattern, placeholder, why)
    (r'"?org\.dockerlings\.source"?[=:]"?[^"\n]*?made offline by dockerlings"?,?', "",
     "dockerlings' offline busybox says where it came from in a label; podman's import has "
     "none"),
    (r"localhost/busybox(:latest)?|busybox:latest", "busybox",
     "podman imported busybox as localhost/busybox, and its API sends the normalised name"),
    (r"\b[0-9a-f]{64}\b", "<LONGID>", "IDs are random"),
    (r"\b[0-9a-f]{12}\b", "<ID>", "IDs are random"),
    (r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \S+", "<TIME>", "clock times"),
    (r"\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \w+ \d{4}", "<DATE>", "`date` in a container"),
    (r"Less than a second|About a minute|About an hour|"
     r"\d+ (second|minute|hour|day|week|month|year)s?", "<T>", "durations"),
    (r"\b\d+(\.\d+)?(B|kB|MB|GB)\b", "<SIZE>", "images differ in size (each side's busybox)"),
    (r"(?m)^ *\d+ (?=root )", "<PID> ", "an exec's pid is the next free one in each engine"),
    (r" {2,}", "   ", "table columns are as wide as their (normalised) widest cell"),
]


# podman's API lists containers in an order of its own; Docker lists the newest first, as
# dockerlings does (test_podman_formats.test_ps_lists_newest_first checks it): the rows of
# a `ps` are compared as a set, its header still first
ROWS_IN_ANY_ORDER = ("ps",)


def rows(words: list[str], lines: list[str]) -> list[str]:
    if words[0] in ROWS_IN_ANY_ORDER and lines:
        head = [] if any(w.startswith("--format") for w in words) else lines[:1]
        return head + sorted(lines[len(head):])
    return lines


def norm(text: str) -> list[str]:
    """The text with conftest.INTENDED's differences removed and NORMALISED applied."""
    text = without_legacy_banner(without_hints(text)).replace("\r\n", "\n")
    for pattern, placeholder, _ in NORMALISED:
        text = re.sub(pattern, placeholder, text)
    return [line.rstrip() for line in text.splitlines()]


# --- the two worlds -------------------------------------------------------------------------

def _podman_line(words: list[str]) -> list[str]:
    """podman's store holds busybox as localhost/busybox: say so where an image is named;
    its containers never get a network (PODMAN["host-network"])."""
    words = ["localhost/busybox" if w == "busybox" else w for w in words]
    if words[:1] in (["run"], ["create"]):
        words = [words[0], "--network", "none", *words[1:]]
    return words


def _name_of(words: list[str]) -> str | None:
    return next((words[i + 1] for i, w in enumerate(words[:-1]) if w == "--name"), None)


@pytest.fixture(scope="module")
def podman_run(podman_docker):
    def run(words):
        """podman 4.3's API now and then never ends the attach of a container that ends
        at once (the docker CLI then waits for good): such a line is tried once more."""
        for attempt in (1, 2):
            try:
                return podman_docker.run(_podman_line(words), timeout=20)
            except subprocess.TimeoutExpired:
                if _name_of(words):
                    podman_docker.run(["rm", "-f", _name_of(words)])
        pytest.skip(f"podman's API hung twice on {' '.join(words)!r}")
    yield run
    for cid in run(["ps", "-aq"]).out.split():
        run(["rm", "-f", cid])
    run(["volume", "rm", "-f", "notes"])


@pytest.fixture(scope="module")
def dockerlings_run():
    if not CAN_RUN:
        pytest.skip("real containers in dockerlings: needs root and a static busybox")
    from engine.engine import Engine
    from engine.paths import Paths
    root = tempfile.mkdtemp(prefix="dlc-", dir="/tmp")
    old = os.environ.get("DOCKERLINGS_ROOT")
    os.environ["DOCKERLINGS_ROOT"] = root
    eng = Engine(Paths.from_env())
    run = lambda words: run_dockerlings(words, engine=eng, cwd=root)   # noqa: E731
    try:
        assert run(["pull", "-q", "busybox"]).code == 0
        yield run
    finally:
        eng.reset()
        if old is None:
            os.environ.pop("DOCKERLINGS_ROOT", None)
        else:
            os.environ["DOCKERLINGS_ROOT"] = old
        shutil.rmtree(root, ignore_errors=True)


def test_every_difference_is_listed_with_its_reason():
    for _, line, why in COURSE:
        assert why is SAME or why in PODMAN, line
    used = {why for _, _, why in COURSE}
    assert set(PODMAN) <= used, "a listed difference no line needs: remove it"


def test_the_course_line_by_line(podman_run, dockerlings_run, tmp_path):
    """One test, the lines in order (each depends on the world the ones before made);
    every mismatch is reported, not only the first."""
    import time
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "hello.txt").write_text("hello from the host\n")
    mismatches = []
    for lesson, line, why in COURSE:
        if why in NOT_RUN:
            continue
        words = split_words(line.replace("$PWD", str(tmp_path)))[1:]
        ours = dockerlings_run(words)
        if why in PODMAN_NOT_RUN:
            continue
        theirs = podman_run(words)
        if why is not SAME:
            continue
        got = (ours.code, rows(words, norm(ours.out)), norm(ours.err))
        want = (theirs.code, rows(words, norm(theirs.out)), norm(theirs.err))
        if got != want:
            mismatches.append(f"[{lesson}] {line}\n  docker:      {want}\n"
                              f"  dockerlings: {got}")
        if "ticker" in words and words[0] == "run":
            time.sleep(1.5)     # `docker logs --tail 1 ticker` needs a line to show
    assert not mismatches, "\n".join(mismatches)
