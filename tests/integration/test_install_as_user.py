"""dockerlings installed by an ordinary user from a clone, as the README says: `pipx
install .` (and `pip install --user .`), then used as that user: the program in
~/.local/bin, the course from the installed package, a container run rootless."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import ROOT
from tests.wheel import JUNK, SOURCES

pytestmark = pytest.mark.slow

HOW = {
    "pipx": ["pipx", "install", "."],
    # Debian marks its Python externally managed; a --user install touches only ~/.local
    "pip --user": ["/usr/bin/python3", "-m", "pip", "install", "-q", "--user",
                   "--break-system-packages", "."],
}


def _clone(user) -> str:
    """The project's files in a folder of the user's, as a clone would be."""
    import os
    clone = user.dir / "clone"
    clone.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, clone / name, ignore=JUNK)
        else:
            shutil.copy2(ROOT / name, clone / name)
    for dirpath, dirnames, filenames in os.walk(clone):
        for name in [dirpath, *(os.path.join(dirpath, n) for n in dirnames + filenames)]:
            os.lchown(name, user.uid, user.gid)
    return str(clone)


@pytest.mark.parametrize("how", sorted(HOW))
def test_installed_by_the_user_from_a_clone(user_engine, how):
    if not shutil.which(HOW[how][0]):
        pytest.skip(f"needs {HOW[how][0]} (.ci/setup installs pipx)")
    user = user_engine
    clone = _clone(user)
    r = user.as_user(HOW[how], cwd=clone, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    program = str(user.home / ".local" / "bin" / "dockerlings")

    def run(*args):
        return user.as_user([program, *args], capture_output=True, text=True, timeout=120)
    assert run("--version").stdout.startswith("dockerlings ")
    listed = run("lessons")
    assert listed.returncode == 0 and "hello-world" in listed.stdout, listed.stderr
    ran = run("-c", "docker run --rm busybox sh -c 'echo hi from $(id -un)'")
    assert (ran.returncode, ran.stdout) == (0, "hi from root\n"), ran.stderr
    info = run("engine", "info")
    assert "mode: rootless" in info.stdout and "Missing on this machine" not in info.stdout


def test_engine_info_names_what_the_user_lacks(user_engine):
    """With newuidmap and ps out of reach (a PATH without them), engine info as the user
    names uidmap (blocking: the user has subordinate ids) and procps, the one command
    that installs them, and that only that needs root."""
    from shell import needs
    r = user_engine.command("engine", "info", env_extra={"PATH": "/nonexistent"})
    lines = r.out.splitlines()
    at = lines.index("Missing on this machine:")
    assert lines[at + 1].split()[0] == "uidmap" and not lines[at + 1].endswith("(optional)")
    assert lines[at + 2].split()[0] == "procps" and lines[at + 2].endswith("(optional)")
    if needs.debian_like():
        assert "Install with:  sudo apt-get install uidmap procps" in lines
    assert lines[-1] == "Installing them needs root; nothing else in dockerlings does."
    assert r.code == 1
