"""The daemon's words for the mistakes of the course, against moby's own, recorded in
tests/fixtures/daemon-errors.txt (podman's API words differ from Docker's daemon, so
these are compared with the recording, not with podman). Line by line, the 12- and 64-hex
IDs normalised, dockerlings' hint: lines (conftest.INTENDED) the only addition."""
from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

from .conftest import run_dockerlings, without_hints

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "daemon-errors.txt"
CAN_RUN = os.geteuid() == 0 and shutil.which("busybox") is not None


def cases() -> list[dict]:
    out, case = [], None
    for line in FIXTURE.read_text().splitlines():
        if line.startswith("## "):
            case = {"title": line[3:], "setup": [], "line": None, "out": [], "err": []}
            out.append(case)
        elif case is None or not line or line.startswith("#"):
            continue
        elif line.startswith("> "):
            case["setup"].append(line[2:])
        elif line.startswith("$ "):
            case["line"] = line[2:]
        elif line.startswith(("1> ", "2> ")) or line in ("1>", "2>"):
            case["out" if line[0] == "1" else "err"].append(line[3:])
        elif line.startswith("exit "):
            case["code"] = int(line[5:])
        else:
            raise AssertionError(f"{FIXTURE.name}: cannot read {line!r}")
    return out


def norm(text: str) -> str:
    text = re.sub(r"\b[0-9a-f]{64}\b", "<LONGID>", text)
    return re.sub(r"\b[0-9a-f]{12}\b", "<ID>", text)


def _free_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def test_the_recording_reads_whole():
    got = cases()
    assert len(got) >= 10
    for c in got:
        assert c["line"] and "code" in c and (c["out"] or c["err"]), c["title"]
        assert re.search(r"\(.+\.go", c["title"]), f"say where the words come from: {c}"


@pytest.mark.skipif(not CAN_RUN, reason="real containers: needs root and a static busybox")
@pytest.mark.parametrize("case", cases(), ids=lambda c: c["title"].split(" (")[0])
def test_the_daemons_words(case):
    from engine.engine import Engine
    from engine.paths import Paths
    port = _free_port()
    fill = lambda text: text.replace("{PORT}", port)        # noqa: E731
    root = tempfile.mkdtemp(prefix="dlw-", dir="/tmp")
    old = os.environ.get("DOCKERLINGS_ROOT")
    os.environ["DOCKERLINGS_ROOT"] = root
    eng = Engine(Paths.from_env())
    try:
        run = lambda line: run_dockerlings(shlex.split(fill(line))[1:], engine=eng,   # noqa
                                           cwd=root)
        assert run("docker pull -q busybox").code == 0
        for line in case["setup"]:
            r = run(line)
            assert r.code == 0, f"{line}: {r.err}"
        r = run(case["line"])
        assert r.code == case["code"], r.err
        assert norm(without_hints(r.err)).splitlines() == [fill(l) for l in case["err"]]
        assert norm(r.out).replace("\r\n", "\n").splitlines() == [fill(l) for l in case["out"]]
    finally:
        eng.reset()
        if old is None:
            os.environ.pop("DOCKERLINGS_ROOT", None)
        else:
            os.environ["DOCKERLINGS_ROOT"] = old
        shutil.rmtree(root, ignore_errors=True)
