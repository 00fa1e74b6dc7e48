"""What is missing on the machine, named with the one command that installs it
(shell/needs.py): the finders are the engine's own, made to find nothing here."""
from __future__ import annotations

import pytest

from engine.errors import Unavailable
from engine.images import offline
from engine.supervisor import launch
from shell import needs, welcome
from shell.env import Env


def _absent():
    raise Unavailable("not here")


@pytest.fixture
def bare(tmp_path, monkeypatch):
    """A machine with none of the packages: no programs on PATH or in sbin, and the
    engine's finders finding nothing."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(needs, "SBIN", str(empty))
    for finder in (offline, "find_busybox"), (offline, "find_registry"), \
            (offline, "find_curl"), (launch, "init_binary"):
        monkeypatch.setattr(*finder, _absent)
    monkeypatch.setattr(needs, "_subordinate_ids", lambda uid: True)
    return {"PATH": str(empty)}


def _os(tmp_path, monkeypatch, text: str) -> None:
    path = tmp_path / "os-release"
    path.write_text(text)
    monkeypatch.setattr(needs, "OS_RELEASE", str(path))


def test_an_ordinary_user_on_debian_gets_every_package_and_one_apt_command(
        bare, tmp_path, monkeypatch):
    _os(tmp_path, monkeypatch, 'PRETTY_NAME="Debian GNU/Linux 12"\nID=debian\n')
    found = needs.missing(bare, uid=1000)
    assert [n.package for n in found] == ["busybox-static", "uidmap", "tini",
                                          "docker-registry", "curl", "procps"]
    assert [n.blocking for n in found[:2]] == [True, True]
    lines = needs.report(found, uid=1000)
    assert lines[0] == "Missing on this machine:"
    assert lines[1].startswith("  busybox-static   the busybox image")
    assert lines[3].startswith("  tini ") and lines[3].endswith("(optional)")
    assert "Install with:  sudo apt-get install busybox-static uidmap tini docker-registry " \
           "curl procps" in lines
    assert lines[-1] == "Installing them needs root; nothing else in dockerlings does."


def test_root_needs_no_uidmap_and_no_sudo(bare, tmp_path, monkeypatch):
    _os(tmp_path, monkeypatch, "ID=ubuntu\nID_LIKE=debian\n")
    found = needs.missing(bare, uid=0)
    assert "uidmap" not in [n.package for n in found]
    lines = needs.report(found, uid=0)
    assert lines[-1].startswith("Install with:  apt-get install busybox-static ")


def test_without_subordinate_ids_uidmap_only_limits(bare, monkeypatch):
    monkeypatch.setattr(needs, "_subordinate_ids", lambda uid: False)
    uidmap = [n for n in needs.missing(bare, uid=1000) if n.package == "uidmap"][0]
    assert not uidmap.blocking and "several users" in uidmap.what


def test_elsewhere_the_packages_usual_names(bare, tmp_path, monkeypatch):
    _os(tmp_path, monkeypatch, 'ID=fedora\n')
    lines = needs.report(needs.missing(bare, uid=1000), uid=1000)
    assert lines[1].startswith("  busybox (a static build)  ")
    assert any(l.startswith("  newuidmap and newgidmap (shadow-utils or shadow)") for l in lines)
    assert "Install them with this system's package manager (the names vary)." in lines
    assert not any("apt-get" in l for l in lines)


def test_the_uplink_packages_only_when_the_uplink_is_asked_for(bare):
    assert "slirp4netns" not in [n.package for n in needs.missing(bare, uid=0)]
    found = needs.missing(dict(bare, DOCKERLINGS_UPLINK="auto"), uid=0)
    assert {"slirp4netns", "nftables"} <= {n.package for n in found}


def test_nothing_missing_says_nothing():
    assert needs.report([]) == []


def test_the_welcome_screen_names_them_with_the_command(bare, tmp_path, monkeypatch):
    _os(tmp_path, monkeypatch, "ID=debian\n")
    env = Env.buffered(cwd=str(tmp_path), environ=dict(bare, DOCKERLINGS_HOME=str(tmp_path / "h")))
    monkeypatch.setattr(welcome, "full_problems",
                        lambda env: ([welcome.PLAIN["busybox image (offline)"]], []))
    welcome.show(env)
    text = env.output_text()
    assert "there is no static busybox on this machine" in text
    assert "busybox-static" in text and "apt-get install busybox-static" in text
    assert "as root" not in text and "sudo dockerlings" not in text
