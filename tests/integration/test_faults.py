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
