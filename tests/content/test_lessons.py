"""The course in content/: every lesson valid, and every step replayed by its solution on
a throwaway engine (`dockerlings lessons test content/`, as CI runs it)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lessons.catalog import content_dir
from lessons.loader import load_all

ROOT = Path(__file__).resolve().parents[2]
CAN_RUN = os.geteuid() == 0 and shutil.which("busybox") is not None
WHY_NOT = ("needs root" if os.geteuid() != 0 else
           "needs a static busybox (apt-get install busybox-static)")


COURSE = ["hello-world", "one-kernel", "images-to-containers", "containers-to-images",
          "running-processes", "managing-containers", "publishing-ports", "container-networks",
          "legacy-links", "image-names", "volumes", "registries", "dockerfiles", "multi-stage",
          "golden-images", "client-server", "networking", "processes", "storage", "compose", "capstone"]


def dockerlings(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    environ = dict(os.environ, PYTHONPATH=str(ROOT))
    environ.pop("DOCKERLINGS_OWNER", None)
    return subprocess.run([sys.executable, "-m", "shell", *args], capture_output=True,
                          text=True, env=environ, timeout=timeout, cwd=ROOT)


def test_content_is_the_installed_course():
    assert content_dir() == ROOT / "content"


def test_every_lesson_is_valid():
    result = dockerlings("lessons", "validate", "content/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{len(COURSE)} lesson(s)")


def test_lessons_follow_the_course_in_order():
    lessons, errors = load_all([ROOT / "content"])
    assert not errors
    assert [l.id for l in lessons] == COURSE
    for lesson in lessons:
        assert lesson.recap.strip() and lesson.explore
        for step in lesson.steps:
            assert step.hints, f"{lesson.id}/{step.id} has no hints"


@pytest.mark.skipif(not CAN_RUN, reason=f"real containers: {WHY_NOT}")
def test_every_step_is_solvable_and_its_checks_take_at_most_50_ms():
    """Checks run after every command a learner types. `lessons test` times each step's
    checks alone, as they run then, at their best of three rounds and more while over
    the budget (a loaded machine slows some rounds, not all), and names the slowest."""
    result = dockerlings("lessons", "test", "content/")
    assert result.returncode == 0, result.stdout + result.stderr
    summary = next(line for line in result.stdout.splitlines() if " lesson(s), " in line)
    assert "all pass" in summary
    slowest = re.search(r"the slowest (\d+\.\d) ms \(([\w-]+/[\w-]+)\)$", summary)
    assert slowest, summary
    assert float(slowest.group(1)) <= 50, f"{slowest.group(2)}'s checks take " \
        f"{slowest.group(1)} ms (best of 3); every step's must take at most 50"


def test_no_code_line_in_the_course_is_too_wide_to_type_from_the_screen():
    from lessons.advice import warnings
    lessons, _ = load_all([ROOT / "content"])
    assert [w for lesson in lessons for w in warnings(lesson)] == []
