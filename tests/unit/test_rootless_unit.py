"""The rootless engine's decisions that need no kernel: the id maps, where its state
goes, which cgroups it may use, and the limits it drops (with the daemon's words)."""
from __future__ import annotations

import os

import pytest

from engine.config import HostConfig
from engine.containers import limits
from engine.errors import InvalidParameter
from engine.paths import Paths
from engine.runtime import cgroups, userns


def test_the_map_puts_the_user_at_0_and_the_subordinate_ids_after(tmp_path):
    sub = tmp_path / "subuid"
    sub.write_text("alice:100000:65536\nbob:165536:65536\n1001:300000:10\nbad:x:1\n"
                   "alice:500000:0\n")
    ranges = userns.subordinate("uid", "alice", 1001, str(sub))
    assert ranges == [(100000, 65536), (300000, 10)]        # by name and by id; no empty
    assert userns.mapping("uid", 1001, ranges) == [(0, 1001, 1), (1, 100000, 65536),
                                                   (65537, 300000, 10)]
    assert userns.subordinate("uid", "carol", 1002, str(sub)) == []
    assert userns.subordinate("uid", "carol", 1002, str(tmp_path / "missing")) == []


def test_an_ordinary_users_state_lives_in_their_folders(tmp_path):
    home = tmp_path / "home"
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    env = {"HOME": str(home), "XDG_RUNTIME_DIR": str(runtime)}
    p = Paths.for_user(os.geteuid(), env)
    assert p.root == home / ".local" / "share" / "dockerlings"
    assert p.run == runtime / "dockerlings"
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    assert Paths.for_user(os.geteuid(), env).root == tmp_path / "data" / "dockerlings"
    # a runtime folder that is not ours (left by su or sudo) is passed over for /tmp
    env["XDG_RUNTIME_DIR"] = str(tmp_path / "nonexistent")
    assert Paths.for_user(1234, env).run.as_posix() == "/tmp/dockerlings-1234"
    # DOCKERLINGS_ROOT still decides when set
    env["DOCKERLINGS_ROOT"] = str(tmp_path / "x")
    assert Paths.from_env(env).run == tmp_path / "x" / "run"


def _mountinfo(tmp_path, lines: list[str]) -> str:
    path = tmp_path / "mountinfo"
    path.write_text("".join(f"30 20 0:26 / {point} rw - {fs} {fs} rw{opts}\n"
                            for point, fs, opts in lines))
    return str(path)


def test_a_rootless_engine_uses_no_cgroup(tmp_path):
    (tmp_path / "unified").mkdir()
    (tmp_path / "unified" / "cgroup.controllers").write_text("\n")
    info = _mountinfo(tmp_path, [(str(tmp_path / "memory"), "cgroup", ",memory"),
                                 (str(tmp_path / "freezer"), "cgroup", ",freezer"),
                                 (str(tmp_path / "unified"), "cgroup2", "")])
    lay = cgroups.Layout(info, rootless=True)
    assert lay.none and lay.undelegated and lay.controller_home("memory") is None
    assert lay.name.startswith("none (rootless")
    assert not lay.unified                                  # what the host boots with
    root = cgroups.Layout(info, rootless=False)
    assert {"memory", "freezer"} <= root.v1.keys() and not root.none


def test_no_cgroups_means_no_work_and_no_error(tmp_path):
    lay = cgroups.Layout(_mountinfo(tmp_path, []), rootless=True)
    assert lay.none and lay.name.startswith("none")
    cg = cgroups.Cgroup("c" * 64, "scope")
    cg.layout = lay
    cg.create(cgroups.Limits(memory=1 << 26))
    assert cg.track_dir is None and cg.all_dirs() == [] and not cg.exists()
    assert cg.pids() == [] and cg.pids(os.getpid()) != []   # its pid namespace, then
    cg.destroy()
    cg.kill_all()
    assert not cg.frozen()


def test_limits_without_a_controller_are_dropped_in_the_daemons_words(tmp_path):
    lay = cgroups.Layout(_mountinfo(tmp_path, []), rootless=True)
    host = HostConfig(memory=64 << 20, cpu_shares=512, cpu_quota=50000, pids_limit=10)
    kept, warnings = limits.discard_unsupported(host, lay)
    assert (kept.memory, kept.cpu_shares, kept.cpu_quota, kept.pids_limit) == (0, 0, 0, None)
    assert warnings == [limits.NO_MEMORY, limits.NO_SHARES, limits.NO_CFS, limits.NO_PIDS]
    assert "Limitation discarded." in limits.NO_MEMORY
    with pytest.raises(InvalidParameter) as e:
        limits.discard_unsupported(HostConfig(nano_cpus=10 ** 9), lay)
    assert str(e.value) == limits.NO_NANO_CPUS and "sudo dockerlings" in e.value.hint
    plain = HostConfig()
    assert limits.discard_unsupported(plain, lay) == (plain, [])


def test_a_kernel_too_old_for_overlayfs_in_a_user_namespace_is_named():
    userns._check_kernel("6.1.0-18-amd64")
    userns._check_kernel("5.11.0")
    with pytest.raises(userns.RootlessError) as e:
        userns._check_kernel("5.10.0-28-amd64")
    assert "5.11 or newer" in str(e.value) and "fuse-overlayfs" in str(e.value)


def test_a_step_asking_for_limits_says_why_it_cannot_pass_without_cgroups(monkeypatch,
                                                                             tmp_path):
    from lessons.checks import Result, StepOutcome
    from lessons.model import Check
    limit = Check("container", {"memory": 64 << 20}, message="No container has 64m.")
    other = Check("container", {"name": "web"}, message="No container web.")
    outcome = StepOutcome(False, [(limit, Result(False, "")), (other, Result(False, ""))],
                          {}, 0.0)
    none = cgroups.Layout(_mountinfo(tmp_path, []), rootless=True)
    monkeypatch.setattr(cgroups, "_layout", none)
    first, second = outcome.messages(every=True)
    assert first.startswith("No container has 64m. (This step needs cgroup limits")
    assert "`skip` moves on" in first and second == "No container web."
    monkeypatch.setattr(cgroups, "_layout", cgroups.Layout(_mountinfo(tmp_path, []),
                                                           rootless=False))
    assert outcome.messages() == ["No container has 64m."]


def test_without_newuidmap_the_uidmap_package_is_named(monkeypatch):
    import shutil
    monkeypatch.setattr(userns, "subordinate", lambda kind, user, uid: [(100000, 65536)])
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(userns.RootlessError) as e:
        userns.write_maps(os.getpid())          # refused before it touches the process
    assert "newuidmap not found" in str(e.value) and "uidmap package" in str(e.value)
