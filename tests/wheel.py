"""The package as a learner installs it: the wheel built from this tree, and a fresh
virtualenv with it. Used by tests/unit/test_package.py and the rootless harness
(tests/integration/as_user.py)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

# what the wheel is made from: the packages and what pyproject.toml reads
SOURCES = ("pyproject.toml", "README.md", "engine", "shell", "lessons", "content")
PACKAGES = ("engine", "shell", "lessons", "content")
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def build_wheel(out: Path) -> Path:
    """The wheel of this tree, built (as pip builds it, in an isolated environment)
    from a copy of its sources: a build leaves build/ and egg-info where it runs."""
    src = out / "src"
    src.mkdir(parents=True)
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=JUNK)
        else:
            shutil.copy2(ROOT / name, src / name)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                        "--disable-pip-version-check", str(src), "-w", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"pip wheel failed:\n{r.stdout}\n{r.stderr}"
    shutil.rmtree(src)
    wheels = list(out.glob("dockerlings-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def install(wheel: Path, venv: Path, python: str) -> Path:
    """A fresh virtualenv of `python` with the wheel and its dependencies; returns its
    `dockerlings` program."""
    r = subprocess.run([python, "-m", "venv", str(venv)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, f"venv failed: {r.stderr}"
    r = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                        "--disable-pip-version-check", str(wheel)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"pip install failed:\n{r.stdout}\n{r.stderr}"
    return venv / "bin" / "dockerlings"


def package_files() -> list[str]:
    """Every file of the packages in this tree, as a wheel names them."""
    out = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            rel = path.relative_to(ROOT)
            if path.is_file() and "__pycache__" not in rel.parts and path.suffix != ".pyc":
                out.append(rel.as_posix())
    return out
