"""dockerlings in a real terminal (tmux): a learner runs `docker run -ti busybox sh`,
types inside, resizes the window, interrupts a command with Ctrl-C, detaches with
Ctrl-P Ctrl-Q, and gets the dockerlings prompt back with the container still running.

The tmux server runs on a socket of this test's own (`tmux -L`), so no other tmux
session is ever touched, and only that server is killed at the end.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT
from tests.integration.cli_helpers import wait_until

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None,
                                reason="needs tmux (apt-get install tmux)")


class Terminal:
    def __init__(self, socket_name: str):
        self.socket = socket_name

    def tmux(self, *args: str, check: bool = True) -> str:
        r = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                           capture_output=True, text=True, timeout=10)
        if check and r.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: {r.stderr}")
        return r.stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "learner", *keys)

    def type(self, text: str) -> None:
        """Type a line and Enter, with a breath between: a person does not type a
        whole line in one instant, and completion reacts between keys."""
        self.tmux("send-keys", "-t", "learner", "-l", text)
        time.sleep(0.1)
        self.keys("Enter")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "learner", "-S", "-200", check=False)

    def lines(self) -> list[str]:
        return [l.rstrip() for l in self.screen().splitlines() if l.strip()]

    def wait_for(self, predicate, what: str, timeout: float = 15.0):
        try:
            return wait_until(lambda: predicate(self.lines()), timeout, 0.05, what)
        except AssertionError:
            raise AssertionError(f"waiting for {what}; the screen:\n{self.screen()}") from None

    def at_prompt(self, lines: list[str]) -> bool:
        """The dockerlings prompt is the last line above the toolbar, and empty."""
        return len(lines) >= 2 and lines[-2].endswith(" $") and "running" in lines[-1]


def start_terminal(engine, tmp_path) -> Terminal:
    name = f"dlt-{os.getpid()}-{os.urandom(4).hex()}"
    term = Terminal(name)
    environ = {"DOCKERLINGS_ROOT": str(engine.paths.root),
               "DOCKERLINGS_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT),
               "HOME": str(tmp_path)}
    command = " ".join([f"{k}={v}" for k, v in environ.items()] +
                       [sys.executable, "-m", "shell"])
    term.tmux("new-session", "-d", "-s", "learner", "-x", "100", "-y", "30", "-c",
              str(tmp_path), f"env {command}")
    return term


@pytest.fixture
def terminal(engine, tmp_path):
    term = start_terminal(engine, tmp_path)
    try:
        yield term
    finally:
        term.tmux("kill-server", check=False)     # only this test's own server


@pytest.fixture
def terminal_mid_lesson(engine, tmp_path):
    """dockerlings started by a learner who did the first step of hello-world earlier."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "progress.txt").write_text("current hello-world\nlesson hello-world started "
                                       "at=run-hello passed=client-and-engine\n")
    term = start_terminal(engine, tmp_path)
    try:
        yield term
    finally:
        term.tmux("kill-server", check=False)


def test_run_ti_type_inside_detach_and_get_the_prompt_back(terminal, engine):
    t = terminal
    t.wait_for(t.at_prompt, "the first prompt")
    assert any("Welcome to dockerlings" in l for l in t.lines())

    t.type("docker run -ti --name box busybox sh")
    t.wait_for(lambda ls: ls[-1].endswith("/ #"), "the container's shell")
    t.type("echo inside-$((6*7))")
    t.wait_for(lambda ls: "inside-42" in ls, "output from inside the container")

    # the window size is passed on, now and after a resize
    t.type("stty size")
    t.wait_for(lambda ls: "30 100" in ls, "the terminal's size inside")
    t.tmux("resize-window", "-t", "learner", "-x", "120", "-y", "40")
    time.sleep(0.3)
    t.type("stty size")
    t.wait_for(lambda ls: "40 120" in ls, "the new size inside")

    # Ctrl-C goes to the container's process, not to dockerlings
    t.type("sleep 60")
    time.sleep(0.5)
    t.keys("C-c")
    t.wait_for(lambda ls: ls[-1].endswith("/ #") and ls[-3].endswith("sleep 60"),
               "sleep interrupted")

    t.keys("C-p")
    t.keys("C-q")
    t.wait_for(t.at_prompt, "the dockerlings prompt after detaching")
    assert engine.container("box").state.status == "running"

    t.type("docker ps --format '{{.Names}} {{.Status}}'")
    t.wait_for(lambda ls: any(l.startswith("box Up") for l in ls) and t.at_prompt(ls),
               "box listed as running")

    # back in, and out with exit this time: the prompt comes back once more
    t.type("docker attach box")
    time.sleep(0.5)
    t.type("exit")
    t.wait_for(t.at_prompt, "the prompt after the container exited")
    wait_until(lambda: engine.container("box").state.status == "exited", 5,
               what="box to exit")

    # logs -f streams until Ctrl-C, then the prompt is back
    t.type("docker run -d --name ticker busybox sh -c 'while true; do echo tick; sleep 0.1; "
           "done'")
    t.wait_for(t.at_prompt, "the prompt after run -d")
    t.type("docker logs -f ticker")
    t.wait_for(lambda ls: ls[-1] == "tick" and ls.count("tick") >= 5, "ticks streaming")
    t.keys("C-c")
    t.wait_for(t.at_prompt, "the prompt after Ctrl-C")

    t.keys("C-d")
    wait_until(lambda: t.tmux("has-session", "-t", "learner", check=False) == "" and
               subprocess.run(["tmux", "-L", t.socket, "has-session"],
                              capture_output=True).returncode != 0, 10,
               what="dockerlings to leave on Ctrl-D")


def test_a_program_that_asks_at_once_sees_the_terminals_size(terminal, engine):
    """The size goes with the create and the exec (as the docker CLI sends ConsoleSize),
    not only in a resize after the start, which a quick `stty size` outran (24 80)."""
    t = terminal
    t.wait_for(t.at_prompt, "the first prompt")
    t.type("docker run --rm -ti busybox stty size")
    t.wait_for(lambda ls: t.at_prompt(ls) and "30 100" in ls, "run -ti's size")
    t.type("docker run -d --name quick busybox sleep 60")
    t.wait_for(lambda ls: t.at_prompt(ls) and len(ls[-3]) == 64, "quick started")
    t.type("docker exec -ti quick stty size")
    t.wait_for(lambda ls: t.at_prompt(ls) and ls.count("30 100") == 2, "exec -ti's size")
    # the docker CLI sends its terminal's size with every create, -t or not
    assert engine.container("quick").host.console_size == (30, 100)


def test_the_lesson_comes_back_and_solution_waits_at_the_prompt(terminal_mid_lesson):
    t = terminal_mid_lesson
    t.wait_for(lambda ls: any("(where you left off)" in l for l in ls) and t.at_prompt(ls),
               "the step left off at, above the prompt")
    assert any("Run your first container" in l for l in t.lines())
    t.wait_for(lambda ls: "[hello-world 2/5]" in ls[-2], "the step in the prompt")

    t.type("solution")
    t.wait_for(lambda ls: ls[-1].endswith("Show it? [y/N]"), "the question")
    t.type("y")
    # the command is typed into the prompt, not run: it waits for Enter
    t.wait_for(lambda ls: ls[-2].endswith("$ docker run hello-world") and "running" in ls[-1],
               "the solution at the prompt")
    time.sleep(0.3)
    assert not any("Hello from dockerlings!" in l for l in t.lines())
    t.keys("Enter")
    t.wait_for(lambda ls: any("✓ Run your first container" in l for l in ls) and
               t.at_prompt(ls), "the step to pass")
    assert any("Hello from dockerlings!" in l for l in t.lines())
    t.keys("C-d")


def status_of(engine, name: str) -> str | None:
    from engine.errors import NoSuchContainer
    try:
        return engine.container(name).state.status
    except NoSuchContainer:
        return None


def test_ctrl_backslash_goes_to_the_container_and_never_kills_the_shell(terminal, engine):
    """Ctrl-\\ during an attached `docker run` (no -t) killed the whole shell; it goes
    to the container (Docker's sig-proxy), and $? on the next line is its status."""
    t = terminal
    t.wait_for(t.at_prompt, "the first prompt")
    t.type("docker run --name quitter busybox sh -c 'trap \"echo got-quit; exit 3\" QUIT; "
           "echo ready; while true; do sleep 0.1; done'")
    t.wait_for(lambda ls: ls[-1] == "ready", "the container to start")
    t.keys("C-\\")
    t.wait_for(lambda ls: any(l.endswith("got-quit") for l in ls) and t.at_prompt(ls),
               "the prompt after Ctrl-\\")
    t.type("echo status=$?")
    t.wait_for(lambda ls: "status=3" in ls, "$? to be the container's status")
    # a host program gets Ctrl-\ too, and the shell lives on
    t.type("sleep 30")
    time.sleep(0.5)
    t.keys("C-\\")
    t.wait_for(t.at_prompt, "the prompt after Ctrl-\\ ended sleep")
    t.type("echo alive")
    t.wait_for(lambda ls: "alive" in ls and t.at_prompt(ls), "the shell still alive")


def test_ctrl_c_on_pid_1_that_ignores_it_says_why_then_detaches(terminal, engine):
    """httpd as PID 1 ignores SIGINT: Docker leaves the learner stuck. The second
    Ctrl-C says why, the third detaches and says how to stop it; `docker stop` then
    waits the grace period and says why afterwards."""
    t = terminal
    t.wait_for(t.at_prompt, "the first prompt")
    t.type("docker run --name web busybox httpd -f -p 8080")
    wait_until(lambda: status_of(engine, "web") == "running", 20, what="web to run")
    time.sleep(0.5)
    t.keys("C-c")
    time.sleep(0.5)
    assert not any("hint:" in l for l in t.lines())
    assert engine.container("web").state.status == "running"
    t.keys("C-c")
    t.wait_for(lambda ls: any("PID 1 ignores Ctrl-C (SIGINT)" in l for l in ls),
               "why Ctrl-C does nothing")
    t.keys("C-c")
    t.wait_for(lambda ls: any("web is still running" in l for l in ls) and t.at_prompt(ls),
               "the prompt after the third Ctrl-C")
    assert any("docker stop web" in l for l in t.lines())
    assert engine.container("web").state.status == "running"
    # attached again (docker attach), the same three presses lead out
    t.tmux("clear-history", "-t", "learner")
    t.type("clear")
    t.type("docker attach web")
    time.sleep(0.5)
    for _ in range(3):
        t.keys("C-c")
        time.sleep(0.3)
    t.wait_for(lambda ls: any("web is still running" in l for l in ls) and t.at_prompt(ls),
               "the prompt after three Ctrl-C in docker attach")
    assert engine.container("web").state.status == "running"
    t.type("docker stop -t 1 web")
    t.wait_for(lambda ls: any("ignored SIGTERM" in l for l in ls) and t.at_prompt(ls),
               "why the stop waited")
    assert any("1-second grace period" in l for l in t.lines())
    assert engine.container("web").state.exit_code == 137
