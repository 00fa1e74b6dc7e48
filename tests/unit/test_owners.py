"""The engine's ownership records (engine/system/owners.py): noted only while an owner is named
for that engine root, forgotten when the object goes, read back as (kind, id) -> owner."""
from __future__ import annotations

from engine.system import owners


def test_noted_only_while_an_owner_is_named(tmp_path):
    root, other = tmp_path / "a", tmp_path / "b"
    root.mkdir()
    other.mkdir()
    owners.note(root, "container", "c1")                     # nobody named: nothing
    owners.set_active(root, "volumes/run-site")
    try:
        owners.note(root, "container", "c2")
        owners.note(root, "volume", "sitedata")
        owners.note(other, "volume", "elsewhere")            # another engine: its own
        assert owners.read(root) == {("container", "c2"): "volumes/run-site",
                                     ("volume", "sitedata"): "volumes/run-site"}
        assert owners.read(other) == {}
    finally:
        owners.set_active(root, None)
    assert owners.active(root) is None


def test_forgotten_when_the_object_goes(tmp_path):
    owners.set_active(tmp_path, "l/s")
    try:
        owners.note(tmp_path, "volume", "data")
        owners.note(tmp_path, "image", "sha256:ab")
    finally:
        owners.set_active(tmp_path, None)
    owners.forget(tmp_path, "volume", "data")
    owners.forget(tmp_path, "volume", "never-noted")
    assert owners.read(tmp_path) == {("image", "sha256:ab"): "l/s"}
    assert (tmp_path / owners.FILE).read_text() == "image sha256:ab l/s\n"
