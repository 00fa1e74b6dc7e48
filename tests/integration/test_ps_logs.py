"""`docker ps` and `docker logs` on real containers: Docker 28's columns, status texts,
COMMAND quoting and truncation, --format, filters, and the json-file log on disk
(docker-cli.md sections 5.3, 7.1-7.4 and 7.9)."""
from __future__ import annotations

import json
import os
import re
import time

import pytest

from tests.integration.cli_helpers import (RFC3339NANO, errors, human_size, inspect, pull,
                                           table, wait_status, wait_until)

PS_HEADER = ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"]
JUST_NOW = r"(Less than a second|1 second|\d+ seconds)"


@pytest.fixture
def bb(sh):
    pull(sh)
    return sh


def run_d(sh, name: str, command: str, image: str = "busybox") -> str:
    return sh.ok(f"docker run -d --name {name} {image} {command}").strip()


def names(sh, flags: str) -> list[str]:
    return sh.ok(f"docker ps {flags} --format '{{{{.Names}}}}'").split()


# --- the default table -----------------------------------------------------------------------

def test_ps_with_no_containers_prints_the_header(bb):
    assert bb.ok("docker ps") == \
        "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"
    assert bb.ok("docker ps -a -s") == \
        "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES     SIZE\n"
    assert bb.ok("docker ps -q") == ""


def test_ps_shows_a_running_container(bb):
    cid = run_d(bb, "web", "sleep 100")
    out = bb.ok("docker ps")
    assert out == (
        "CONTAINER ID   IMAGE     COMMAND       CREATED                  STATUS                "
        "  PORTS     NAMES\n"
        f'{cid[:12]}   busybox   "sleep 100"   Less than a second ago   Up Less than a second '
        "            web\n")


def test_ps_all_shows_exited_and_created_containers(bb):
    bb.ok("docker create --name fresh busybox echo hello")
    assert bb.run("docker run --name three busybox sh -c 'exit 3'").code == 3
    assert bb.ok("docker ps") == table([PS_HEADER])
    lines = bb.ok("docker ps -a --format '{{.Names}}|{{.Status}}|{{.State}}'").splitlines()
    assert len(lines) == 2
    assert re.fullmatch(rf"three\|Exited \(3\) {JUST_NOW} ago\|exited", lines[0]), lines[0]
    assert lines[1] == "fresh|Created|created"
    header, rows = columns(bb.ok("docker ps -a"), PS_HEADER)
    assert re.split(r" {2,}", header) == PS_HEADER
    assert rows[0][1:3] + rows[0][5:] == ["busybox", '"sh -c \'exit 3\'"', "", "three"]
    assert re.fullmatch(rf"{JUST_NOW} ago", rows[0][3]) and \
        re.fullmatch(rf"Exited \(3\) {JUST_NOW} ago", rows[0][4]), rows[0]
    assert rows[1][1:3] + rows[1][4:] == ["busybox", '"echo hello"', "Created", "", "fresh"]


def columns(text: str, headers: list[str]):
    """Cut each row of a docker table at the header's column starts; every cell but the
    last must be followed by padding, so a misaligned row fails here."""
    lines = text.splitlines()
    starts = [lines[0].index(h) for h in headers]
    rows = []
    for line in lines[1:]:
        for s in starts[1:]:
            assert line[s - 1] == " " and line[s] != " " or line[s:s + 1] in ("", " "), \
                f"misaligned at column {s}: {line!r}"
        ends = starts[1:] + [None]
        rows.append([line[a:b].rstrip() if b else line[a:] for a, b in zip(starts, ends)])
    return lines[0], rows


@pytest.mark.parametrize("command, shown, full", [
    ("sh -c 'while true; do echo hello; sleep 1; done'",
     "\"sh -c 'while true; …\"", "\"sh -c 'while true; do echo hello; sleep 1; done'\""),
    ("echo 123456789012345", '"echo 123456789012345"', '"echo 123456789012345"'),
    ("echo 1234567890123456", '"echo 12345678901234…"', '"echo 1234567890123456"'),
    ("echo 'say \"hi\"'", "\"echo 'say \\\"hi\\\"'\"", "\"echo 'say \\\"hi\\\"'\""),
    ("sleep 100", '"sleep 100"', '"sleep 100"'),
])
def test_ps_command_column_quoting_and_ellipsis(bb, command, shown, full):
    bb.ok(f"docker create --name c1 busybox {command}")
    assert bb.ok("docker ps -a --format '{{.Command}}'") == shown + "\n"
    assert bb.ok("docker ps -a --no-trunc --format '{{.Command}}'") == full + "\n"
    row = bb.ok("docker ps -a").splitlines()[1]
    assert f"   busybox   {shown}   " in row


def test_ps_quiet_latest_and_last(bb):
    a = run_d(bb, "alpha", "sleep 100")
    b = bb.ok("docker create --name beta busybox true").strip()
    bb.ok("docker run --name gamma busybox true")
    c = inspect(bb, "gamma", "{{.Id}}")
    assert bb.ok("docker ps -q") == f"{a[:12]}\n"
    assert bb.ok("docker ps -a -q") == f"{c[:12]}\n{b[:12]}\n{a[:12]}\n"
    assert bb.ok("docker ps -a -q --no-trunc") == f"{c}\n{b}\n{a}\n"
    assert bb.ok("docker ps -l -q") == f"{c[:12]}\n"
    latest = bb.ok("docker ps -l").splitlines()
    assert len(latest) == 2 and latest[1].startswith(c[:12]) and latest[1].endswith("gamma")
    assert names(bb, "-n 2") == ["gamma", "beta"]
    assert names(bb, "-n 1") == ["gamma"]
    r = bb.run("docker ps -q --format '{{.Names}}'")
    assert (r.code, r.out, r.err) == (0, f"{a[:12]}\n", "WARNING: Ignoring custom format, "
                                      "because both --format and --quiet are set.\n")


def test_ps_size_column(bb):
    run_d(bb, "writer", "sh -c 'echo hello > /f; sleep 100'")
    upper = inspect(bb, "writer", "{{.GraphDriver.Data.UpperDir}}")
    wait_until(lambda: os.path.exists(os.path.join(upper, "f")), what="/f to be written")
    image_size = int(bb.ok("docker image inspect -f '{{.Size}}' busybox"))
    out = bb.ok("docker ps -s").splitlines()
    assert out[0].split()[-2:] == ["NAMES", "SIZE"]
    assert out[1].endswith(f"   writer    6B (virtual {human_size(image_size + 6)})")
    assert bb.ok("docker ps --format '{{.Size}}'") == \
        f"6B (virtual {human_size(image_size + 6)})\n"


def test_ps_no_trunc_shows_full_ids(bb):
    cid = run_d(bb, "web", "sleep 100")
    out = bb.ok("docker ps --no-trunc").splitlines()
    assert out[0].startswith("CONTAINER ID" + " " * 55 + "IMAGE")
    assert out[1].startswith(cid + "   busybox   ")


def test_ps_format_templates(bb):
    cid = run_d(bb, "web", "sleep 100")
    bb.ok("docker create --name fresh busybox true")
    assert bb.ok("docker ps --format '{{.Names}}'") == "web\n"
    assert bb.ok("docker ps -a --format '{{.Names}}'") == "fresh\nweb\n"
    fresh = inspect(bb, "fresh", "{{.Id}}")
    assert bb.ok("docker ps -a --format 'table {{.ID}}\\t{{.Status}}'") == table([
        ["CONTAINER ID", "STATUS"], [fresh[:12], "Created"],
        [cid[:12], "Up Less than a second"]])
    assert bb.ok("docker ps --format 'table {{.Names}}'") == "NAMES\nweb\n"
    assert bb.ok("docker ps --format '{{.ID}}\\t{{.Image}}'") == f"{cid[:12]}\tbusybox\n"


def test_ps_format_json(bb):
    cid = run_d(bb, "web", "sleep 100")
    lines = bb.ok("docker ps --format json").splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert list(row) == ["Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes",
                         "Mounts", "Names", "Networks", "Platform", "Ports", "RunningFor",
                         "Size", "State", "Status"]
    assert lines[0].startswith('{"Command":"\\"sleep 100\\"","CreatedAt":"')
    assert (row["ID"], row["Image"], row["Names"], row["State"]) == \
        (cid[:12], "busybox", "web", "running")
    assert row["Status"] == "Up Less than a second"
    assert row["RunningFor"] == "Less than a second ago"
    assert (row["Platform"], row["Ports"], row["Mounts"], row["LocalVolumes"]) == \
        (None, "", "", "0")
    assert row["Size"] == "0B"          # --format json does not ask for sizes
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \S+", row["CreatedAt"])
    # {{json .}} uses .Size, so sizes are computed
    image_size = int(bb.ok("docker image inspect -f '{{.Size}}' busybox"))
    row = json.loads(bb.ok("docker ps --format '{{json .}}'"))
    assert row["Size"] == f"0B (virtual {human_size(image_size)})"


def test_ps_json_escapes_html_characters_as_go_does(bb):
    bb.ok("docker create --name arrow busybox sh -c 'echo a > /f'")
    line = bb.ok("docker ps -a --format json").strip()
    # the row context marshals itself with json.Marshal: <, > and & become \u003c ...
    assert '"Command":"\\"sh -c \'echo a \\u003e /f\'\\""' in line, line
    assert json.loads(line)["Command"] == "\"sh -c 'echo a > /f'\""


# --- filters ---------------------------------------------------------------------------------

@pytest.fixture
def zoo(bb):
    """web (running), three (exited 3), fresh (created), kidc (from an image committed
    on busybox) and hw (hello-world), oldest first."""
    run_d(bb, "web", "sleep 100")
    assert bb.run("docker run --name three busybox sh -c 'exit 3'").code == 3
    bb.ok("docker create --name fresh busybox true")
    bb.ok("docker commit three kid:1")
    bb.ok("docker run --name kidc kid:1 true")
    bb.run("docker run --name hw hello-world")
    wait_status(bb, "hw", "exited")
    return bb


PS_FILTER_CASES = [
    ("-a -f status=exited", ["hw", "kidc", "three"]),
    ("-f status=exited", ["hw", "kidc", "three"]),       # a status filter implies -a
    ("-a -f status=created", ["fresh"]),
    ("-a -f status=running", ["web"]),
    ("-a -f status=exited -f status=created", ["hw", "kidc", "fresh", "three"]),
    ("-a -f exited=3", ["three"]),
    ("-a -f exited=0", ["hw", "kidc"]),
    ("-a -f name=^web$", ["web"]),
    ("-a -f name=e", ["fresh", "three", "web"]),
    ("-a -f name=nosuch", []),
    ("-a -f ancestor=busybox", ["kidc", "fresh", "three", "web"]),   # children count too
    ("-a -f ancestor=kid:1", ["kidc"]),
    ("-a -f ancestor=hello-world", ["hw"]),
    ("-f ancestor=busybox", ["web"]),
]


def test_ps_filters(zoo):
    wrong = [(flags, expected, got) for flags, expected in PS_FILTER_CASES
             if (got := names(zoo, flags)) != expected]
    assert not wrong, "\n".join(f"docker ps {f}: expected {e}, got {g}" for f, e, g in wrong)


def test_ps_filter_table_when_nothing_matches(zoo):
    assert zoo.ok("docker ps -a -f name=nosuch") == table([PS_HEADER])
    assert zoo.ok("docker ps -a -q -f name=nosuch") == ""


def test_ps_invalid_status_filter(bb):
    r = bb.run("docker ps -a -f status=bogus")
    assert (r.code, r.out) == (1, "")
    assert errors(r) == ["Error response from daemon: invalid filter 'status=bogus': invalid "
                         "value for state (bogus): must be one of created, running, paused, "
                         "restarting, removing, exited, dead"]


def test_ps_unknown_filter(bb):
    r = bb.run("docker ps -a -f bogus=1")
    assert (r.code, r.out) == (1, "")
    assert errors(r) == ["Error response from daemon: invalid filter 'bogus'"]


# --- logs ------------------------------------------------------------------------------------

# stdout and stderr are two pipes, so lines written back to back on both can reach the
# log in either order (in Docker too): the pauses make the order the test expects real
LOGGER = "sh -c 'echo one; echo two; sleep 0.2; echo three >&2; sleep 0.2; echo four'"


@pytest.fixture
def logged(bb):
    r = bb.run(f"docker run --name lg busybox {LOGGER}")
    assert (r.code, r.out, r.err) == (0, "one\ntwo\nfour\n", "three\n")
    return bb


def test_logs_keeps_stdout_and_stderr_apart(logged):
    r = logged.run("docker logs lg")
    assert (r.code, r.out, r.err) == (0, "one\ntwo\nfour\n", "three\n")


LOG_TAIL_CASES = [
    ("--tail 2", "four\n", "three\n"),       # counted over both streams together
    ("-n 1", "four\n", ""),
    ("--tail 0", "", ""),
    ("--tail all", "one\ntwo\nfour\n", "three\n"),
    ("--tail -1", "one\ntwo\nfour\n", "three\n"),
    ("--tail x", "one\ntwo\nfour\n", "three\n"),   # unparsable: everything
    ("--tail 10", "one\ntwo\nfour\n", "three\n"),
]


def test_logs_tail(logged):
    wrong = []
    for flag, out, err in LOG_TAIL_CASES:
        r = logged.run(f"docker logs {flag} lg")
        if (r.code, r.out, r.err) != (0, out, err):
            wrong.append(f"docker logs {flag} lg: expected {(0, out, err)}, got {tuple(r)}")
    assert not wrong, "\n".join(wrong)


def _log_file(sh, name: str) -> list[dict]:
    path = inspect(sh, name, "{{.LogPath}}")
    with open(path) as f:
        return [json.loads(l) for l in f.read().splitlines()]


def test_logs_timestamps_have_nine_digits_and_match_the_log_file(logged):
    r = logged.run("docker logs -t lg")
    assert r.code == 0
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z"
    out = r.out.splitlines()
    assert [l.split(" ", 1)[1] for l in out] == ["one", "two", "four"]
    for line in out + r.err.splitlines():
        assert re.fullmatch(stamp + r" \w+", line), line
    on_disk = {}
    for e in _log_file(logged, "lg"):
        sec, _, frac = e["time"].rstrip("Z").partition(".")
        on_disk[e["log"].strip()] = f"{sec}.{frac.ljust(9, '0')}Z"
    for line in out + r.err.splitlines():
        t, word = line.split(" ")
        assert on_disk[word] == t


def test_logs_of_a_created_container_and_of_an_unknown_one(bb):
    bb.ok("docker create --name fresh busybox echo hello")
    assert tuple(bb.run("docker logs fresh")) == (0, "", "")
    r = bb.run("docker logs nosuch")
    assert (r.code, r.out, errors(r)) == (1, "", ["Error response from daemon: No such "
                                                  "container: nosuch"])


def test_logs_follow_ends_when_the_container_exits(bb):
    run_d(bb, "fl", "sh -c 'echo a; sleep 0.5; echo b >&2; sleep 0.3; echo c'")
    t0 = time.monotonic()
    r = bb.run("docker logs -f fl")
    elapsed = time.monotonic() - t0
    assert (r.code, r.out, r.err) == (0, "a\nc\n", "b\n")
    assert 0.5 <= elapsed < 5, elapsed
    assert inspect(bb, "fl", "{{.State.Status}}") == "exited"
    # on an exited container -f returns at once
    t0 = time.monotonic()
    assert bb.run("docker logs -f fl").out == "a\nc\n"
    assert time.monotonic() - t0 < 1


def test_json_file_log_on_disk(bb):
    cid = bb.ok(r"""docker run -d --name lg busybox sh -c 'printf "a\tb<c>&\n"; """
                r"""echo "\"q\"" >&2; printf "no newline"'""").strip()
    wait_status(bb, "lg", "exited")
    path = inspect(bb, "lg", "{{.LogPath}}")
    assert os.path.basename(path) == f"{cid}-json.log"
    with open(path, "rb") as f:
        raw = f.read().decode()
    lines = raw.split("\n")
    assert lines[-1] == "" and len(lines) == 4, raw
    got = []
    for line in lines[:3]:
        # moby's jsonlog: compact, keys log, stream, time; < > & and controls as \u00XX
        m = re.fullmatch(r'\{("log":"(?:[^"\\]|\\.)*"),"stream":"(stdout|stderr)",'
                         r'"time":"([^"]+)"\}', line)
        assert m, f"not Docker's compact json-file line: {line!r}"
        assert RFC3339NANO.match(m.group(3)) and not re.search(r"\.\d*0Z$", m.group(3)), line
        got.append((m.group(1), m.group(2)))
    assert sorted(got) == sorted([(r'"log":"a\u0009b\u003cc\u003e\u0026\n"', "stdout"),
                                  (r'"log":"\"q\"\n"', "stderr"),
                                  (r'"log":"no newline"', "stdout")])
    r = bb.run("docker logs lg")
    assert (r.out, r.err) == ("a\tb<c>&\nno newline", '"q"\n')
