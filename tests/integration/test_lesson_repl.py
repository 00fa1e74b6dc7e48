"""The lesson runner inside the REPL, on a real engine, typed through prompt_toolkit's pipe
input with the hooks `dockerlings` itself wires (shell.main.lesson_hooks): `solution`
puts its commands at the prompt without running them, Enter runs them, Ctrl-C drops
them; a learner who left off in a lesson finds it again when the shell starts."""
from __future__ import annotations

import threading
import time

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from lessons.progress import Store
from shell.env import Env
from shell.main import lesson_hooks
from shell.repl import Repl

CTRL_C, CTRL_D = "\x03", "\x04"


@pytest.fixture
def make_env(engine, tmp_path):
    def make(answers: bytes = b"") -> Env:
        (tmp_path / "work").mkdir(exist_ok=True)
        e = Env.buffered(stdin=answers, cwd=str(tmp_path / "work"),
                         environ={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                  "DOCKERLINGS_HOME": str(tmp_path / "home")})
        e.engine = engine
        return e
    return make


def drive(env, keys: str) -> Repl:
    with create_pipe_input() as inp:
        inp.send_text(keys + CTRL_D)
        repl = Repl(env, input=inp, output=DummyOutput(), **lesson_hooks(env))
        repl.run()
    return repl


def test_solution_waits_at_the_prompt_and_enter_runs_it(make_env):
    env = make_env(answers=b"y\n")
    drive(env, "lesson start hello-world\rsolution\r\r")
    out = env.output_text()
    assert "Show it? [y/N]" in out and "$ docker version" in out
    assert "waiting at your prompt" in out
    shown, ran = out.index("waiting at your prompt"), out.index("Client:")
    assert shown < ran                        # run only by the Enter that followed
    assert "✓ Meet the client and the engine" in out[ran:]
    assert Store(env.home).read().lessons["hello-world"].passed == ["client-and-engine"]


def test_ctrl_c_drops_the_offered_solution(make_env):
    env = make_env(answers=b"y\n")
    drive(env, "lesson start hello-world\rsolution\r" + CTRL_C)
    out = env.output_text()
    assert "$ docker version" in out and "Client:" not in out
    assert env.lesson.prefill == []
    assert Store(env.home).read().lessons["hello-world"].passed == []


def test_a_solution_of_two_commands_is_offered_one_after_the_other(make_env):
    env = make_env(answers=b"y\n")
    # step 4 finds the stopped container step 2 left: run it, skip the rest
    drive(env, "lesson start hello-world\rskip\rdocker run hello-world\rskip\rsolution\r\r\r")
    out = env.output_text()
    assert "the next one follows" in out
    tail = out[out.index("the next one follows"):]
    assert tail.count("CONTAINER ID") == 2      # docker ps, then docker ps -a
    assert "✓ Find the stopped container" in tail


def test_declining_puts_nothing_at_the_prompt(make_env):
    env = make_env(answers=b"n\n")
    repl = drive(env, "lesson start hello-world\rsolution\r")
    assert "Not shown." in env.output_text()
    assert repl.prefill() is None


def _left_off_at_step_two(env) -> None:
    """A learner who did the first step of hello-world in an earlier session."""
    drive(env, "lesson start hello-world\rdocker version\r")
    assert env.lesson.index == 1
    env.lesson = None


def test_the_lesson_left_off_in_comes_back_at_start(make_env):
    _left_off_at_step_two(make_env())
    env = make_env()
    repl = drive(env, "pwd\r")
    out = env.output_text()
    assert "Run your first container  (where you left off)" in out
    assert out.index("where you left off") < out.index("/work/hello-world\n")
    assert env.cwd.endswith("/work/hello-world")          # the lesson's own folder
    assert "[hello-world 2/5]" in "".join(t for _, t in repl.prompt())
    drive(env, "docker run hello-world\r")
    assert "✓ Run your first container" in env.output_text()


def test_the_lesson_shows_above_a_prompt_already_waiting(make_env):
    """Nothing typed: the step appears above the waiting prompt, from the background."""
    _left_off_at_step_two(make_env())
    env = make_env()
    with create_pipe_input() as inp:
        repl = Repl(env, input=inp, output=DummyOutput(), **lesson_hooks(env))

        def learner():
            deadline = time.monotonic() + 20
            while "where you left off" not in env.output_text() and \
                    time.monotonic() < deadline:
                time.sleep(0.05)
            inp.send_text(CTRL_D)
        t = threading.Thread(target=learner)
        t.start()
        repl.run()
        t.join()
    assert "Run your first container  (where you left off)" in env.output_text()


def test_no_lesson_no_greeting(make_env):
    env = make_env()
    drive(env, "pwd\r")
    assert env.output_text() == env.cwd + "\n"
