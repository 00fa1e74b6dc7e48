"""dockerlings installed like any Python tool: the wheel holds the whole package (the
course, its schema, the engine's data files), and a fresh virtualenv with only that
wheel gives a `dockerlings` that works from any folder, with no clone in sight."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT
from tests.wheel import PACKAGES, build_wheel, install, package_files

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return build_wheel(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    venv = tmp_path_factory.mktemp("pkg") / "venv"
    return install(wheel, venv, sys.executable)


def version() -> str:
    import tomllib
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def test_the_wheel_holds_every_file_of_the_package_and_nothing_else(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/", 1)[0] for n in names}
    assert tops == set(PACKAGES) | {f"dockerlings-{version()}.dist-info"}
    missing = sorted(set(package_files()) - set(names))
    assert not missing, f"not in the wheel: {missing}"
    for data in ("content/lesson.schema.json", "content/01-hello-world.yaml",
                 "engine/runtime/seccomp_default.json", "engine/runtime/syscall_numbers.json"):
        assert data in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    entry = zipfile.ZipFile(wheel).read(
        f"dockerlings-{version()}.dist-info/entry_points.txt").decode()
    assert "dockerlings = shell.main:cli" in entry


def _run(program, *args, cwd):
    """The installed program, from `cwd`, on an engine root there (an ordinary user's
    dockerlings makes its user namespace, and a keeper holding it, at every start)."""
    return subprocess.run([str(program), *args], capture_output=True, text=True, cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "LANG": "C.UTF-8",
                               "DOCKERLINGS_ROOT": str(cwd / "engine")}, timeout=60)


@pytest.fixture
def outside(installed, tmp_path):
    """A folder far from the clone; the engine there is reset afterwards."""
    try:
        yield tmp_path
    finally:
        _run(installed, "engine", "reset", cwd=tmp_path)


def test_installed_dockerlings_works_from_outside_the_clone(installed, outside):
    tmp_path = outside
    venv = installed.parent.parent
    r = _run(installed, "--version", cwd=tmp_path)
    assert (r.returncode, r.stdout) == (0, f"dockerlings {version()}\n"), r.stderr

    # the packages are the installed ones, not this tree's
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import engine, shell, lessons, content; print(content.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path,
                           env={"PATH": "/usr/bin:/bin"})
    assert where.stdout.startswith(str(venv)), where.stdout + where.stderr

    # the course from the wheel: listed, valid, and its schema
    r = _run(installed, "lessons", cwd=tmp_path)
    assert r.returncode == 0 and "hello-world" in r.stdout and "compose" in r.stdout, r.stderr
    content = where.stdout.strip().rsplit("/", 1)[0]
    r = _run(installed, "lessons", "validate", content, cwd=tmp_path)
    lessons = len(list((ROOT / "content").glob("*.yaml")))
    assert r.returncode == 0 and r.stdout.startswith(f"{lessons} lesson(s)"), r.stderr
    r = _run(installed, "lessons", "schema", cwd=tmp_path)
    assert json.loads(r.stdout) == json.loads((ROOT / "content/lesson.schema.json").read_text())

    # the engine's data files: Docker's seccomp profile compiled with the syscall table
    r = subprocess.run([str(venv / "bin" / "python"), "-c",
                        "from engine.runtime import seccomp, caps\n"
                        "print(len(seccomp.program(seccomp.BUILTIN, caps.effective_set(False))))"],
                       capture_output=True, text=True, cwd=tmp_path, env={"PATH": "/usr/bin:/bin"})
    assert r.returncode == 0 and int(r.stdout) > 1000, r.stderr

    # a docker command line that needs no container, with an engine root of the test's
    r = _run(installed, "-c", "docker images", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.split() == ["REPOSITORY", "TAG", "IMAGE", "ID",
                                                      "CREATED", "SIZE"], r.stderr
