"""The lesson runner on a fake engine: showing steps, checking after every command,
hints, solutions, moving between steps, resets, finishing, resuming, and several shells
sharing one learner's progress. Commands are recorded, not run."""
from __future__ import annotations

import os

import pytest

from lessons import builtins
from lessons.loader import load
from lessons.progress import Store
from lessons.session import Session
from shell.cli.parser import parse
from shell.env import Env
from tests.unit.lessons_fixtures.fakes import FakeEngine

LESSON = """\
format: 1
id: demo
title: Demo lesson
chapter: "0-1"
summary: A lesson for tests.
images: [busybox]
files:
  notes.txt: hello notes
steps:
  - id: make-box
    title: Make a box
    text: Make a container named **box**.
    hints: [first hint, second hint]
    checks:
      - container: {name: box}
        capture: box
        message: There is no box yet.
    solve:
      - docker run --name box busybox true
    setup: [echo setting up]
    cleanup: [echo cleaning up]
    explain: A box was made.
  - id: make-web
    title: Make web
    text: Now web.
    checks:
      - container: {name: web}
        message: There is no web yet.
    solve:
      - {run: docker run -ti --name web busybox sh, input: "exit\\n"}
    explain: Web was made.
  - id: look
    title: Look around
    text: Look at them.
    checks:
      - typed: {docker: ps}
        message: Look at the containers.
    solve: [docker ps]
    explain: You looked.
recap: Recap text.
explore: [try things]
"""


class Shell:
    """One learner's shell: an Env on the fake engine, and the commands it was asked to
    run (lessons run setup, cleanup and solutions through the shell)."""

    def __init__(self, eng, home, lesson, answer: bytes = b""):
        self.env = Env.buffered(stdin=answer, cwd=str(home / "start"),
                                environ={"DOCKERLINGS_HOME": str(home), "PATH": "/nowhere"})
        self.env.engine = eng
        self.ran = []
        self.session = Session(self.env, {lesson.id: lesson}, Store(home),
                               run_line=self.run_line, parse=parse)

    def run_line(self, env, line):
        self.ran.append((line, env.owner, env.stdin.read(), env.cwd))
        return 0

    def typed(self, line: str, status: int = 0) -> None:
        """The learner ran `line`: the shell calls the lesson hook after it."""
        builtins.after_command(self.env, line, status)

    def output(self) -> str:
        text = self.env.output_text()
        self.env.stdout.seek(0)
        self.env.stdout.truncate()
        return text


@pytest.fixture
def world(tmp_path):
    (tmp_path / "start").mkdir()
    path = tmp_path / "demo.yaml"
    path.write_text(LESSON)
    return FakeEngine(tmp_path / "root"), tmp_path / "home", load(path)


@pytest.fixture
def sh(world):
    eng, home, lesson = world
    return Shell(eng, home, lesson)


def test_start_shows_the_first_step_and_prepares_the_work_folder(world, sh):
    eng, home, _ = world
    assert sh.session.start("demo") == 0
    out = sh.output()
    assert "Demo lesson · step 1 of 3" in out and "Make a container named box." in out
    work = home / "work" / "demo"
    assert sh.env.cwd == str(work)
    assert (work / "notes.txt").read_text() == "hello notes"
    assert eng.made == ["busybox"]
    assert sh.env.lesson is sh.session
    assert eng.owner == sh.env.owner == "demo/make-box"
    assert sh.env.environ["DOCKERLINGS_OWNER"] == "demo/make-box"
    assert [r[0] for r in sh.ran] == ["echo setting up"]
    assert sh.ran[0][1] == "demo/make-box"
    assert Store(home).read().current == "demo"


def test_a_step_passes_after_the_command_that_does_it(world, sh):
    eng, home, _ = world
    sh.session.start("demo")
    sh.output()
    sh.typed("docker ps")
    assert sh.output() == ""                         # still failing: nothing is said
    box = eng.add_container("box")
    sh.typed("docker run --name box busybox true")
    out = sh.output()
    assert "✓ Make a box" in out and "A box was made." in out
    assert "Demo lesson · step 2 of 3" in out
    assert [r[0] for r in sh.ran][-1] == "echo cleaning up"
    lp = Store(home).read().lessons["demo"]
    assert lp.passed == ["make-box"] and lp.at == "make-web"
    assert lp.captured == {"box": ("container", box.id)}
    assert eng.owner == "demo/make-web"


def test_a_learner_who_is_ahead_passes_several_steps_at_once(world, sh):
    eng, _, _ = world
    sh.session.start("demo")
    eng.add_container("box")
    eng.add_container("web")
    sh.output()
    sh.typed("docker ps")
    out = sh.output()
    assert "✓ Make a box" in out and "✓ Make web" in out
    assert "step 3 of 3" in out and "✓ Look around" not in out   # typed checks need typing


def test_hints_one_at_a_time(sh):
    sh.session.start("demo")
    sh.output()
    for expected in ("Hint 1 of 2:\nfirst hint", "Hint 2 of 2:\nsecond hint",
                     "No more hints for this step"):
        sh.session.hint()
        assert expected in sh.output()


def test_check_says_what_is_missing(sh):
    sh.session.start("demo")
    sh.output()
    assert sh.session.check() == 1
    assert sh.output() == "✗ There is no box yet.\n"


def test_solution_asks_first(world):
    eng, home, lesson = world
    no = Shell(eng, home, lesson, answer=b"n\n")
    no.session.start("demo")
    no.output()
    no.session.solution()
    out = no.output()
    assert "Show it? [y/N]" in out and "docker run" not in out
    yes = Shell(eng, home, lesson, answer=b"y\n")
    yes.session.start("demo")
    yes.output()
    yes.session.solution()
    assert "$ docker run --name box busybox true" in yes.output()
    assert builtins.take_prefill(yes.env) == "docker run --name box busybox true"
    assert builtins.take_prefill(yes.env) is None


def test_solution_shows_what_to_type_inside(world, sh):
    eng, _, _ = world
    sh.session.start("demo")
    eng.add_container("box")
    sh.typed("docker run --name box busybox true")
    sh.output()
    sh.session.solution(confirmed=True)
    out = sh.output()
    assert "$ docker run -ti --name web busybox sh" in out and "then type: exit" in out


def test_a_typed_solution_line_leaves_the_prefill_queue(sh):
    sh.session.start("demo")
    sh.session.solution(confirmed=True)
    assert sh.session.prefill == ["docker run --name box busybox true"]
    sh.typed("docker run --name box busybox true")
    assert sh.session.prefill == []


def test_next_back_and_skip(world, sh):
    eng, home, _ = world
    sh.session.start("demo")
    sh.output()
    assert sh.session.next() == 1
    assert "This step is not done yet" in sh.output()
    assert sh.session.back() == 1
    sh.session.skip()
    out = sh.output()
    assert "↷ skipped: Make a box" in out and "step 2 of 3" in out
    assert Store(home).read().lessons["demo"].skipped == ["make-box"]
    assert sh.session.back() == 0 and "step 1 of 3" in sh.output()
    assert sh.session.next() == 0 and "step 2 of 3" in sh.output()


def test_going_back_to_a_finished_step_does_not_run_its_setup_again(world, sh):
    eng, _, _ = world
    sh.session.start("demo")
    eng.add_container("box")
    sh.typed("x")
    sh.ran.clear()
    sh.session.back()
    assert sh.ran == []


def test_reset_step_removes_only_what_the_step_made(world, sh):
    eng, home, _ = world
    eng.add_container("mine")                                  # the learner's own
    sh.session.start("demo")
    eng.add_container("box")                                   # the engine notes: step 1's
    eng.add_container("other-step", owner="demo/look")
    sh.output()
    sh.session.reset()
    assert "Removed container box." in sh.output()
    assert sorted(c.name for c in eng.containers()) == ["mine", "other-step"]
    assert [r[0] for r in sh.ran] == ["echo setting up", "echo setting up"]


def test_reset_step_says_what_other_steps_made(world, sh):
    eng, home, _ = world
    sh.session.start("demo")
    eng.add_container("box")
    sh.typed("docker run --name box busybox true")          # step 2 now
    sh.output()
    sh.session.reset()
    said = " ".join(sh.output().split())
    assert "this lesson has made nothing yet" not in said
    assert "Nothing to remove: this step has made nothing yet (the lesson's other steps " \
           "made 1 object(s), which stay; `reset lesson` removes everything" in said


def test_reset_lesson_removes_everything_of_the_lesson_and_starts_over(world, sh):
    eng, home, _ = world
    eng.add_container("mine")
    eng.add_image(["my-own"])
    eng.add_network("my-net")
    sh.session.start("demo")
    eng.add_network("lesson-net")
    box = eng.add_container("box")
    eng.add_image(["snap"], container_id=box.id)
    sh.typed("docker run --name box busybox true")
    (home / "work" / "demo" / "notes.txt").write_text("scribbled")
    sh.output()
    sh.session.reset("lesson")
    assert "Removed container box, image snap:latest, network lesson-net." in sh.output()
    assert [c.name for c in eng.containers()] == ["mine"]
    assert [n["Name"] for n in eng.net_list] == ["my-net"]
    assert sorted(t for i in eng.list_images() for t in i.repo_tags) == \
        ["busybox:latest", "my-own:latest"]
    assert (home / "work" / "demo" / "notes.txt").read_text() == "hello notes"
    lp = Store(home).read().lessons["demo"]
    assert lp.at == "make-box" and lp.passed == [] and lp.captured == {}


def test_finishing_the_lesson(world, sh):
    eng, home, _ = world
    start_cwd = sh.env.cwd
    sh.session.start("demo")
    eng.add_container("box")
    eng.add_container("web")
    sh.typed("docker ps")           # passes steps 1 and 2; typed during step 1, not 3
    sh.typed("docker ps")
    out = sh.output()
    assert "✓ Look around" in out and "Recap text." in out and "try things" in out
    assert sh.env.lesson is None and sh.env.owner is None and eng.owner is None
    assert "DOCKERLINGS_OWNER" not in sh.env.environ and sh.env.cwd == start_cwd
    p = Store(home).read()
    assert p.lessons["demo"].status == "done" and p.current is None


def test_resuming_in_a_new_shell(world, sh):
    eng, home, lesson = world
    sh.session.start("demo")
    eng.add_container("box")
    sh.typed("docker run --name box busybox true")
    later = Shell(eng, home, lesson)
    assert later.session.resume()
    out = later.output()
    assert "step 2 of 3" in out and "(where you left off)" in out
    assert later.ran == []                             # no setup runs again on resume
    assert later.env.owner == "demo/make-web"


def test_two_shells_share_progress(world, sh):
    eng, home, lesson = world
    sh.session.start("demo")
    other = Shell(eng, home, lesson)
    other.session.start("demo")
    eng.add_container("box")
    sh.typed("docker run --name box busybox true")
    other.output()
    other.typed("ls")
    out = other.output()
    assert "another shell moved this lesson on" in out and "step 2 of 3" in out
    assert other.session.index == 1


def test_starting_a_finished_lesson_starts_it_over(world, sh):
    eng, home, _ = world
    sh.session.start("demo")
    eng.add_container("box")
    eng.add_container("web")
    sh.typed("docker ps")
    sh.typed("docker ps")
    assert sh.env.lesson is None
    sh.output()
    sh.session.start("demo")
    assert "step 1 of 3" in sh.output()


def test_lesson_stop_keeps_progress(world, sh):
    eng, home, lesson = world
    sh.session.start("demo")
    eng.add_container("box")
    sh.typed("x")
    sh.session.stop()
    assert sh.env.lesson is None
    p = Store(home).read()
    assert p.current is None and p.lessons["demo"].at == "make-web"


def test_prompt_and_toolbar(sh):
    assert builtins.prompt_hint(sh.env) == "" and builtins.toolbar_text(sh.env) == ""
    sh.session.start("demo")
    assert builtins.prompt_hint(sh.env) == "demo 1/3"
    assert builtins.toolbar_text(sh.env).startswith("Demo lesson · step 1/3: Make a box")


def test_checks_are_quick(world, sh):
    eng, _, _ = world
    for i in range(30):
        eng.add_container(f"c{i}", files={"f": "x"})
    sh.session.start("demo")
    sh.typed("docker ps")
    assert sh.session.last_seconds < 0.05


# --- the words, as the shell hands them over ---------------------------------------------------

@pytest.fixture
def course(tmp_path, monkeypatch):
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "demo.yaml").write_text(LESSON)
    env = Env.buffered(cwd=str(tmp_path), environ={
        "DOCKERLINGS_HOME": str(tmp_path / "home"), "PATH": str(tmp_path / "bin"),
        "DOCKERLINGS_LESSONS": str(tmp_path / "course")})
    env.engine = FakeEngine(tmp_path / "root")
    return env


def quiet_run(env, line):
    return 0


def test_handle_ignores_other_words(course):
    assert builtins.handle(course, ["ls", "-l"]) is None


def test_step_words_need_a_lesson(course, tmp_path):
    assert builtins.handle(course, ["hint"]) == 1
    assert "hint: no lesson is running" in course.error_text()
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "reset").write_text("#!/bin/sh\n")
    os.chmod(tmp_path / "bin" / "reset", 0o755)
    assert builtins.handle(course, ["reset"]) is None    # the terminal's own reset runs


def test_lessons_and_lesson_words(course):
    assert builtins.handle(course, ["lessons"]) == 0
    listing = course.output_text()
    assert "demo" in listing and "Demo lesson" in listing and "0/3" in listing
    assert builtins.handle(course, ["lesson", "start", "demo"], quiet_run, parse) == 0
    assert course.lesson is not None
    assert builtins.handle(course, ["hint"]) == 0
    assert builtins.handle(course, ["hint", "more"]) == 2
    assert builtins.handle(course, ["reset", "everything"]) == 2
    assert builtins.handle(course, ["lesson", "stop"]) == 0 and course.lesson is None
    assert builtins.handle(course, ["lesson"]) == 0            # nothing current: says so
    assert builtins.handle(course, ["lesson", "demo"], quiet_run) == 0   # starts it too
    assert course.lesson.lesson.id == "demo"
    assert builtins.handle(course, ["lesson", "start", "nothing"]) == 1


def test_on_start_resumes_the_current_lesson(course):
    assert builtins.on_start(course) is False
    builtins.handle(course, ["lesson", "start", "demo"], quiet_run)
    fresh = Env.buffered(cwd=course.cwd, environ=dict(course.environ))
    fresh.engine = course.engine
    assert builtins.on_start(fresh) is True
    assert fresh.lesson is not None and "(where you left off)" in fresh.output_text()


def test_the_shell_runs_lesson_words_and_checks_after_each_line(course):
    """Through shell/runner.py, as the REPL and `dockerlings -c` call it."""
    from shell import runner
    assert runner.run_line(course, "lesson start demo") == 0
    session = course.lesson
    assert session is not None
    runner.run_line(course, "true")
    assert session.history == [("true", 0)]
    runner.run_line(course, "hint")                   # lesson words are not "commands"
    assert session.history == [("true", 0)]
    from shell import builtins as shell_builtins
    assert "lessons" in shell_builtins.TABLE and "hint" in shell_builtins.TABLE


def test_the_prompt_names_a_long_lesson_by_its_last_word():
    from lessons.session import short_id
    assert short_id("publishing-ports") == "ports"
    assert short_id("running-processes") == "processes"
    assert short_id("hello-world") == "hello-world"
    assert short_id("volumes") == "volumes"


ORDERED = """\
format: 1
id: ordered
title: Ordered checks
chapter: "0-1"
summary: Checks that build on each other.
steps:
  - id: build
    title: Build and run
    text: Build site:v1 and run it.
    checks:
      - image: {ref: "site:v1"}
        capture: site
        message: There is no image site:v1 yet.
      - image: {captured: site, made_by: build}
        message: site:v1 exists, but it was not built from the Dockerfile.
      - container: {image_captured: site, status: running}
        message: No container of site:v1 is running yet.
    solve: [docker build -t site:v1 .]
    explain: Built.
recap: Done.
explore: [more]
"""


@pytest.fixture
def ordered(tmp_path):
    (tmp_path / "start").mkdir()
    path = tmp_path / "ordered.yaml"
    path.write_text(ORDERED)
    eng = FakeEngine(tmp_path / "root")
    return eng, Shell(eng, tmp_path / "home", load(path))


def test_check_shows_the_first_failing_check_only(ordered):
    eng, sh = ordered
    sh.session.start("ordered")
    sh.output()
    assert sh.session.check() == 1
    assert sh.output() == "✗ There is no image site:v1 yet.\n"
    eng.add_image(["site:v1"])                  # pulled, not built
    sh.session.check()
    assert sh.output() == "✗ site:v1 exists, but it was not built from the Dockerfile.\n"


def test_a_capture_made_by_an_earlier_check_of_the_step_is_seen_by_later_ones(ordered):
    eng, sh = ordered
    sh.session.start("ordered")
    site = eng.add_image(["site:v1"], history=[{"created_by": "RUN x",
                                                "comment": "buildkit.dockerfile.v0"}])
    sh.output()
    sh.session.check()
    assert sh.output() == "✗ No container of site:v1 is running yet.\n"
    eng.add_container("web", image=site, status="running")
    assert sh.session.check() == 0
    assert "✓ Build and run" in sh.output()


def test_check_all_shows_every_failing_check(ordered):
    eng, sh = ordered
    sh.session.start("ordered")
    sh.output()
    assert builtins.handle(sh.env, ["check", "--all"]) == 1
    out = sh.output()
    assert out.count("✗") == 3 and "There is no image site:v1 yet." in out
    assert "No container of site:v1 is running yet." in out


# --- lessons that follow each other (issue 13 §1) ------------------------------------------

def finish(sh, eng):
    """Make the demo's objects and pass its three steps."""
    eng.add_container("box")
    eng.add_container("web")
    sh.typed("docker ps")
    sh.typed("docker ps")


def said(sh) -> str:
    return " ".join(sh.output().split())


def test_the_end_offers_to_remove_what_the_lesson_made(world):
    eng, home, lesson = world
    eng.add_container("mine")
    sh = Shell(eng, home, lesson, answer=b"\n")              # Enter: the default, yes
    sh.session.start("demo")
    finish(sh, eng)
    out = said(sh)
    assert "Demo lesson: done" in out
    assert "Remove what this lesson made (container box, container web)? [Y/keep]" in out
    assert "Removed container box, container web." in out
    assert [c.name for c in eng.containers()] == ["mine"]


def test_keep_keeps_what_the_lesson_made(world):
    eng, home, lesson = world
    sh = Shell(eng, home, lesson, answer=b"keep\n")
    sh.session.start("demo")
    finish(sh, eng)
    assert "Kept them" in said(sh)
    assert sorted(c.name for c in eng.containers()) == ["box", "web"]


def test_starting_offers_to_clear_what_holds_the_lessons_names(world):
    eng, home, lesson = world
    eng.add_container("box")                                      # the learner's own
    eng.add_container("web", owner="managing-containers/rename")  # another lesson's
    eng.add_container("unrelated")
    sh = Shell(eng, home, lesson, answer=b"\n")
    assert sh.session.start("demo") == 0
    out = said(sh)
    assert "container box (your own)" in out
    assert "container web (made in lesson managing-containers)" in out
    assert "Remove them? [Y/n]" in out and "Removed container box, container web." in out
    assert [c.name for c in eng.containers()] == ["unrelated"]
    assert sh.session.index == 0 and "step 1 of 3" in out


def test_declining_to_clear_keeps_them_and_says_what_may_fail(world):
    eng, home, lesson = world
    eng.add_container("web")
    sh = Shell(eng, home, lesson, answer=b"n\n")
    sh.session.start("demo")
    assert "Kept them: steps that make them may fail" in said(sh)
    assert [c.name for c in eng.containers()] == ["web"]


def test_a_finished_lesson_stays_finished_and_starts_again_clean(world):
    eng, home, lesson = world
    sh = Shell(eng, home, lesson, answer=b"keep\n\n")     # keep at the end; yes, again
    sh.session.start("demo")
    finish(sh, eng)
    sh.output()
    assert sh.session.start("demo") == 0
    out = said(sh)
    assert "You finished Demo lesson. Take it again from step 1?" in out
    assert "✓" not in out and "step 1 of 3" in out
    assert eng.containers() == []                         # its leftovers: a clean state
    lp = Store(home).read().lessons["demo"]
    assert lp.status == "done" and lp.again and lp.passed == [] and lp.captured == {}
    sh.typed("docker ps")
    assert "✓" not in sh.output() and sh.session.index == 0
    from lessons.catalog import Catalog
    from lessons.view import View
    View(sh.env).catalog(Catalog([lesson], []), Store(home).read())
    assert "✓ 0-1 demo" in said(sh)


def test_a_finished_lesson_is_not_started_again_without_asking(world):
    eng, home, lesson = world
    sh = Shell(eng, home, lesson, answer=b"keep\nn\n")
    sh.session.start("demo")
    finish(sh, eng)
    sh.output()
    sh.session.start("demo")
    assert sh.env.lesson is None and "Not started" in said(sh)
    assert Store(home).read().lessons["demo"].status == "done"
    assert sorted(c.name for c in eng.containers()) == ["box", "web"]


def test_back_stays_until_next_or_a_command_that_changes_something(world, sh):
    eng, _, _ = world
    sh.session.start("demo")
    eng.add_container("box")
    sh.typed("docker run --name box busybox true")
    assert sh.session.index == 1
    sh.session.back()
    sh.output()
    for line in ("clear", "docker ps -a", "docker inspect box"):
        sh.typed(line)
        assert sh.session.index == 0, line
    assert "✓" not in sh.output()
    assert sh.session.next() == 0 and sh.session.index == 1
    sh.session.back()
    eng.add_container("box2")
    sh.typed("docker run --name box2 busybox true")       # the learner's own change
    assert "✓ Make a box" in sh.output() and sh.session.index == 1


def test_skipped_steps_show_and_keep_the_lesson_open(world, sh):
    eng, home, lesson = world
    sh.session.start("demo")
    sh.session.skip()
    eng.add_container("web")
    sh.typed("docker ps")                 # passes make-web, then look (typed ps)
    sh.typed("docker ps")
    out = said(sh)
    assert "Demo lesson: done" not in out
    assert "1 step skipped: ↷ Make a box" in out
    lp = Store(home).read().lessons["demo"]
    assert lp.status == "started" and lp.at == "make-box" and lp.skipped == ["make-box"]
    from lessons.catalog import Catalog
    from lessons.view import View
    View(sh.env).catalog(Catalog([lesson], []), Store(home).read())
    listing = said(sh)
    assert "↷ 0-1 demo" in listing and "2/3 ↷1" in listing
