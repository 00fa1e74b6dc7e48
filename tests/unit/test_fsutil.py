"""engine/util/fsutil.py: rm -rf that never follows a symlink, and writes of new files."""
from __future__ import annotations

import os

from engine.util.fsutil import remove_tree, write_new


def test_remove_tree_takes_everything_below_and_nothing_a_symlink_points_at(tmp_path):
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "precious").write_text("x")
    top = tmp_path / "top"
    (top / "empty").mkdir(parents=True)
    (top / "full" / "deeper").mkdir(parents=True)
    (top / "full" / "deeper" / "f").write_text("y")
    (top / "file").write_text("z")
    os.symlink(keep, top / "link-to-dir")
    os.symlink(tmp_path / "nowhere", top / "dangling")
    remove_tree(top)
    assert not os.path.lexists(top)
    assert (keep / "precious").read_text() == "x"


def test_remove_tree_of_a_file_a_symlink_or_nothing(tmp_path):
    f = tmp_path / "f"
    f.write_text("x")
    remove_tree(f)
    assert not f.exists()
    target = tmp_path / "d"
    target.mkdir()
    os.symlink(target, tmp_path / "l")
    remove_tree(tmp_path / "l")
    assert target.is_dir() and not os.path.lexists(tmp_path / "l")
    remove_tree(tmp_path / "missing")            # nothing there: nothing to do


def test_write_new_writes_the_bytes_with_the_mode(tmp_path):
    path = tmp_path / "n"
    old = os.umask(0o022)
    try:
        write_new(path, b"data", sync=True, mode=0o640)
    finally:
        os.umask(old)
    assert path.read_bytes() == b"data"
    assert os.stat(path).st_mode & 0o777 == 0o640
