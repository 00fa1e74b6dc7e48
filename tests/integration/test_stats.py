"""docker stats: numbers read from the kernel that move when a container works."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.integration.cli_helpers import errors, inspect, wait_until

UNITS = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30,
         "kB": 1000, "MB": 1000 ** 2, "GB": 1000 ** 3}


def _bytes(text: str) -> float:
    for unit in sorted(UNITS, key=len, reverse=True):
        if text.endswith(unit):
            return float(text[:-len(unit)]) * UNITS[unit]
    raise AssertionError(text)


def _row(sh, name: str) -> dict:
    return json.loads(sh.ok(f"docker stats --no-stream --format json {name}"))


def test_cpu_moves_for_a_busy_container_only(sh):
    sh.ok("docker run -d --name burner busybox sh -c 'while :; do :; done'")
    sh.ok("docker run -d --name idle busybox sleep 60")
    rows = [json.loads(line) for line in
            sh.ok("docker stats --no-stream --format json burner idle").splitlines()]
    cpu = {r["Name"]: float(r["CPUPerc"].rstrip("%")) for r in rows}
    assert cpu["burner"] > 5.0, cpu
    assert cpu["idle"] < 5.0, cpu
    assert rows[0]["PIDs"] == "1"


def test_memory_moves_when_a_container_allocates(sh):
    script = ("'while [ ! -e /go ]; do sleep 0.05; done; "
              "(head -c 40000000 /dev/zero; sleep 60) | tail'")
    sh.ok(f"docker run -d --name limited -m 200m --memory-swap 200m busybox sh -c {script}")
    sh.ok(f"docker run -d --name free busybox sh -c {script}")
    for name, limit in (("limited", "200MiB"), ("free", None)):
        used, cap = _row(sh, name)["MemUsage"].split(" / ")
        assert _bytes(used) < 10 << 20, (name, used)
        if limit:
            assert cap == limit
        sh.ok(f"docker exec {name} touch /go")
        wait_until(lambda: _bytes(_row(sh, name)["MemUsage"].split(" / ")[0]) > 35_000_000,
                   timeout=15, what=f"{name}'s memory to grow")
    percent = float(_row(sh, "limited")["MemPerc"].rstrip("%"))
    assert 15.0 < percent < 30.0, percent     # ~40 MB of 200 MiB


def test_network_counters_move(sh):
    sh.ok("docker run -d --name talker busybox sleep 60")
    before = _bytes(_row(sh, "talker")["NetIO"].split(" / ")[1])
    sh.ok("docker exec talker ping -c 3 -s 1000 -i 0.2 172.17.0.1")
    after = _bytes(_row(sh, "talker")["NetIO"].split(" / ")[1])
    assert after - before >= 3000, (before, after)


def test_table_all_and_errors(sh):
    assert sh.ok("docker stats --no-stream") == ""          # nothing: not even a header
    sh.ok("docker create --name resting busybox true")
    sh.ok("docker run -d --name up busybox sleep 60")
    lines = sh.ok("docker stats --no-stream").splitlines()
    assert lines[0].split("   ")[0] == "CONTAINER ID"
    assert [h.strip() for h in lines[0].split("  ") if h.strip()] == [
        "CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O",
        "BLOCK I/O", "PIDS"]
    assert len(lines) == 2 and " up " in lines[1]
    full = sh.ok("docker stats --no-stream -a --no-trunc --format '{{.ID}} {{.Name}} "
                 "{{.CPUPerc}} {{.MemUsage}} {{.PIDs}}'").splitlines()
    resting = inspect(sh, "resting", "{{.Id}}")
    assert f"{resting} resting 0.00% 0B / 0B 0" in full
    r = sh.run("docker stats --no-stream up nosuch")
    assert (r.code, r.out, errors(r)) == (1, "", ["Error response from daemon: No such "
                                                  "container: nosuch"])


def test_stream_redraws_in_place(sh):
    sh.ok("docker run -d --name live busybox sleep 60")
    proc = subprocess.Popen([sys.executable, "-m", "shell", "-c", "docker stats live"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, _ = proc.communicate(timeout=2.6)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    frames = out.split("\033[H")[1:]
    assert len(frames) >= 2, out
    first = frames[0].split("\033[K\n")
    assert first[0].startswith("CONTAINER ID") and " live " in first[1]
    assert frames[0].endswith("\033[J")
