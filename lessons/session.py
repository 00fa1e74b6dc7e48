"""The lesson runner: one shell's guided lesson.

A Session holds the lesson being followed and the current step; it shows steps, hints
and solutions, checks the step after every command the learner runs, and moves on when
the checks pass. Progress is the shared progress file's (another shell may move it on);
what the lesson makes is noted as its step's by the engine (cleanup.py), so a reset
removes exactly that.

The shell hands in `run_line` (to run setup, cleanup and solution commands as if typed)
and `parse` (the docker command-line parser, for `typed` checks): lessons never import
the shell.
"""
from __future__ import annotations

import io
import os
import shutil
import tempfile

from engine import timeutil
from engine.errors import EngineError

from . import checks, cleanup
from .model import Command
from .progress import Store, home
from .view import View
from .world import World


class Session:
    def __init__(self, env, lessons: dict, store: Store, run_line=None, parse=None,
                 view: View | None = None):
        self.env = env
        self.lessons = lessons               # id -> Lesson
        self.store = store
        self.run_line, self.parse = run_line, parse
        self.view = view or View(env)
        self.lesson = None
        self.index = 0
        self.hints_shown = 0
        self.history: list[tuple[str, int]] = []
        self.prefill: list[str] = []
        self.last_seconds: float | None = None
        self._stamp: tuple = ()
        self._busy = False
        self._saved_cwd: str | None = None

    # --- where we are -------------------------------------------------------------------
    @property
    def step(self):
        return self.lesson.steps[self.index]

    def progress(self):
        return self.store.read().of(self.lesson.id)

    def workdir(self) -> str:
        return str(self.store.dir / "work" / self.lesson.id)

    # --- starting and stopping --------------------------------------------------------------
    def start(self, lesson_id: str) -> int:
        lesson = self.lessons.get(lesson_id)
        if lesson is None:
            self.view.say(f"[red]There is no lesson '{lesson_id}'.[/red] "
                          "`lessons` lists them.")
            return 1
        with self.store.change() as p:
            lp = p.lessons.get(lesson_id)
            p.current = lesson_id
            fresh = lp is None or lp.status == "done" or lesson.step_index(lp.at) is None
            if lp is not None and lp.status == "done":       # once more, from the start
                p.lessons.pop(lesson_id)
        self._activate(lesson)
        self._write_files(overwrite=False)
        if not self._ensure_images():
            self._deactivate()
            return 1
        if fresh:
            return self._enter(0)
        return self._resume()

    def resume(self) -> bool:
        """Take up the lesson the progress file names as current; False if there is none."""
        current = self.store.read().current
        lesson = self.lessons.get(current or "")
        if lesson is None:
            return False
        self._activate(lesson)
        self._resume()
        return True

    def _resume(self) -> int:
        lp = self.progress()
        self.index = self.lesson.step_index(lp.at) or 0
        self._clear_step_state()
        self._own()
        self._stamp = self.store.stamp()
        self.view.step(self.lesson, self.index, resumed=True)
        return 0

    def stop(self) -> int:
        """Leave the guided lesson; progress stays for `lesson start ID` later."""
        if self.lesson is None:
            return 0
        with self.store.change() as p:
            if p.current == self.lesson.id:
                p.current = None
        self.view.say(f"Left lesson [bold]{self.lesson.id}[/bold]; `lesson start "
                      f"{self.lesson.id}` takes you back to this step.")
        self._deactivate()
        return 0

    def _activate(self, lesson) -> None:
        self.lesson = lesson
        self.env.lesson = self
        if self._saved_cwd is None:
            self._saved_cwd = self.env.cwd
        os.makedirs(self.workdir(), exist_ok=True)
        self._chdir(self.workdir())

    def _deactivate(self) -> None:
        self.env.lesson = None
        self.env.owner = None
        if self._saved_cwd is not None:
            self._chdir(self._saved_cwd)
            self._saved_cwd = None
        self.lesson = None

    def _chdir(self, path: str) -> None:
        """As the shell's `cd` does it (PWD and OLDPWD too), when the Env can."""
        if callable(getattr(self.env, "chdir", None)):
            self.env.chdir(path)
        else:
            self.env.cwd = path

    def _own(self) -> None:
        """Everything the engine makes from now on is noted as this step's (also what a
        `docker` inside a host pipeline makes, through the environment)."""
        self.env.owner = cleanup.owner_of(self.lesson.id, self.step.id)

    def _write_files(self, overwrite: bool = True) -> None:
        """The lesson's files in its work folder; a learner's edits stay unless a reset
        asks for the files as they were."""
        work = self.workdir()
        for name, spec in self.lesson.files.items():
            path = os.path.join(work, name)
            if not overwrite and os.path.exists(path):
                continue
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(spec.content())

    def _ensure_images(self) -> bool:
        for ref in self.lesson.images:
            try:
                self.env.engine.ensure_image(ref)
            except EngineError as e:
                self.view.say(f"[red]This lesson needs the image {ref}, which cannot be "
                              f"made here:[/red] {e}")
                return False
        return True

    # --- moving between steps -------------------------------------------------------------
    def _clear_step_state(self) -> None:
        self.hints_shown = 0
        self.history = []
        self.prefill = []

    def _enter(self, index: int, setup: bool = True, show: bool = True) -> int:
        self.index = index
        self._clear_step_state()
        with self.store.change() as p:
            lp = p.of(self.lesson.id)
            lp.at, lp.since = self.step.id, timeutil.now()
            p.current = self.lesson.id
        self._own()
        status = self._run_all(self.step.setup, "setup") if setup and \
            not self.progress().finished(self.step.id) else 0
        self._stamp = self.store.stamp()
        if show:
            self.view.step(self.lesson, self.index)
        return status

    def _advance(self) -> None:
        """The step is finished (passed or skipped): the next one, or the end."""
        if self.index + 1 < len(self.lesson.steps):
            self._enter(self.index + 1)
            return
        with self.store.change() as p:
            lp = p.of(self.lesson.id)
            lp.status = "done"
            if p.current == self.lesson.id:
                p.current = None
        self.view.finished(self.lesson)
        self._deactivate()

    def _sync(self) -> None:
        """Another shell may have moved this lesson on: follow it."""
        stamp = self.store.stamp()
        if stamp == self._stamp:
            return
        self._stamp = stamp
        lp = self.progress()
        at = self.lesson.step_index(lp.at)
        if lp.status == "done":
            self.view.say(f"[dim](lesson {self.lesson.id} was finished in another shell)[/dim]")
            self._deactivate()
        elif at is not None and at != self.index:
            self.index = at
            self._clear_step_state()
            self._own()
            self.view.say("[dim](another shell moved this lesson on)[/dim]")
            self.view.step(self.lesson, self.index)

    # --- checking ---------------------------------------------------------------------------
    def evaluate(self, every: bool = True):
        lp = self.progress()
        ctx = checks.Context(World(self.env.engine), captures=lp.captured,
                             history=self.history, workdir=self.workdir(), parse=self.parse)
        outcome = checks.run_step(self.step, ctx, every)
        self.last_seconds = outcome.seconds
        return outcome

    def after_command(self, line: str, status: int) -> None:
        """Called by the shell after each line the learner ran."""
        if self._busy or self.lesson is None:
            return
        self._sync()
        if self.lesson is None:
            return
        self.record(line, status)
        self._check_and_move(quiet=True)

    def record(self, line: str, status: int) -> None:
        self.history.append((line.strip(), status))
        # a shell that cannot prefill: the learner typed the solution's next command
        # themselves (a prefilling shell has already taken it off the list)
        if not getattr(self.env, "prefill_supported", False) and self.prefill and \
                self.prefill[0].strip() == line.strip():
            self.prefill.pop(0)

    def _check_and_move(self, quiet: bool, every: bool = False) -> bool:
        """Check the step; while steps pass (a learner may be ahead), move on."""
        outcome = self.evaluate(every=not quiet)
        if not outcome.passed:
            if not quiet:
                self.view.failing(outcome.messages(every),
                                  outcome.seconds if self.env.debug else None)
            return False
        while outcome.passed and self.lesson is not None:
            self.pass_step(outcome)
            if self.lesson is None:
                break
            outcome = self.evaluate()
        return True

    def pass_step(self, outcome) -> None:
        step = self.step
        with self.store.change() as p:
            lp = p.of(self.lesson.id)
            lp.mark(step.id)
            lp.captured.update(outcome.captures)
        self.view.passed(step)
        self._run_all(step.cleanup, "cleanup")
        self._advance()

    # --- the learner's words -----------------------------------------------------------------
    def show(self) -> int:
        self._sync()
        if self.lesson is not None:
            self.view.step(self.lesson, self.index)
        return 0

    def check(self, every: bool = False) -> int:
        """The first failing check's message (or, with every, all of them)."""
        self._sync()
        return 0 if self._check_and_move(quiet=False, every=every) else 1

    def next(self) -> int:
        self._sync()
        if not self.progress().finished(self.step.id):
            self.view.say("This step is not done yet. `check` shows what is missing, `hint` "
                          "helps, and `skip` moves on without it.")
            return 1
        if self.index + 1 >= len(self.lesson.steps):
            self.view.say("This is the last step.")
            return 1
        return self._enter(self.index + 1)

    def back(self) -> int:
        self._sync()
        if self.index == 0:
            self.view.say("This is the first step.")
            return 1
        return self._enter(self.index - 1)

    def hint(self) -> int:
        hints = self.step.hints
        if self.hints_shown >= len(hints):
            self.view.say("No more hints for this step. `solution` shows the commands that "
                          "solve it." if hints else
                          "This step has no hints. `solution` shows the commands that solve it.")
            return 0
        self.hints_shown += 1
        self.view.hint(self.hints_shown, len(hints), hints[self.hints_shown - 1])
        return 0

    def solution(self, confirmed: bool = False) -> int:
        if not confirmed and not self._confirm("See the solution? Trying first teaches more, "
                                               "and `hint` gives a nudge. Show it? [y/N] "):
            self.view.say("Not shown.")
            return 0
        self.view.solution(self.step.solve)
        self.prefill = [c.line for c in self.step.solve]
        if getattr(self.env, "prefill_supported", False) and self.prefill:
            more = len(self.prefill) > 1
            self.view.say("[dim]The first command is waiting at your prompt: press Enter to "
                          "run it (or change it first)"
                          + ("; the next one follows" if more else "")
                          + ". Ctrl-C drops it.[/dim]")
        return 0

    def _confirm(self, question: str) -> bool:
        self.env.out(question, end="")
        try:
            answer = self.env.stdin.readline()
        except (OSError, ValueError):
            return False
        if isinstance(answer, bytes):
            answer = answer.decode("utf-8", "replace")
        return answer.strip().lower() in ("y", "yes")

    def skip(self) -> int:
        step = self.step
        with self.store.change() as p:
            p.of(self.lesson.id).mark(step.id, skipped=True)
        self.view.skipped(step)
        self._advance()
        return 0

    def reset(self, scope: str = "step") -> int:
        engine = self.env.engine
        if scope == "lesson":
            removed = cleanup.remove_owned(engine, self.lesson.id)
            shutil.rmtree(self.workdir(), ignore_errors=True)
            with self.store.change() as p:
                p.lessons.pop(self.lesson.id, None)
                p.current = self.lesson.id
            os.makedirs(self.workdir(), exist_ok=True)
            self._write_files()
            self._report_removed(removed, "this lesson has made nothing yet.")
            return self._enter(0)
        removed = cleanup.remove_owned(engine, self.lesson.id, self.step.id)
        with self.store.change() as p:
            lp = p.of(self.lesson.id)
            for name in self.step.captures():
                lp.captured.pop(name, None)
            if self.step.id in lp.passed:
                lp.passed.remove(self.step.id)
        earlier = len(cleanup.owned(engine, self.lesson.id))
        self._report_removed(removed, "this step has made nothing yet" + (
            f" (the lesson's other steps made {earlier} object(s), which stay; `reset "
            "lesson` removes everything the lesson made)." if earlier else "."))
        return self._enter(self.index)

    def _report_removed(self, removed: list[str], nothing: str) -> None:
        self.view.say("Removed " + ", ".join(removed) + "." if removed else
                      "Nothing to remove: " + nothing)

    # --- running commands as if typed ------------------------------------------------------------
    def run(self, cmd: Command) -> tuple[int, str, str]:
        """Run a command line through the shell, quietly: (status, output, errors).
        Its `input` is typed into it through a file, as if at a terminal (a file, not a
        pipe: attach reads it with select, and detach keys in it are seen)."""
        if self.run_line is None:
            raise RuntimeError("this session cannot run commands (no shell given)")
        stdin = tempfile.TemporaryFile()
        if cmd.input:
            stdin.write(cmd.input.encode())
            stdin.seek(0)
        child = self._child_env(stdin, tty=True)     # as if typed at the learner's terminal
        self._busy = True
        try:
            status = self.run_line(child, cmd.line)
        finally:
            self._busy = False
            stdin.close()
        return status, child.output_text(), child.error_text()

    def _child_env(self, stdin, tty: bool):
        env = self.env
        child = type(env)(stdin=stdin, stdout=io.BytesIO(), stderr=io.BytesIO(), cwd=env.cwd,
                          environ=dict(env.environ), stdin_tty=tty, engine=env.engine,
                          columns=80)
        return child

    def _run_all(self, commands: list[Command], what: str) -> int:
        for cmd in commands:
            status, out, err = self.run(cmd)
            if status != cmd.status:
                self.view.say(f"[red]The lesson's {what} command failed[/red] "
                              f"({cmd.line!r} exited {status}): {err.strip() or out.strip()}")
                return status or 1
        return 0

    # --- for the prompt and the toolbar -----------------------------------------------------------
    def prompt_hint(self) -> str:
        """`ports 2/3`: short, so the prompt leaves the line to what the learner types."""
        return f"{short_id(self.lesson.id)} {self.index + 1}/{len(self.lesson.steps)}"

    def toolbar_text(self) -> str:
        return (f"{self.lesson.title} · step {self.index + 1}/{len(self.lesson.steps)}: "
                f"{self.step.title}  —  hint · check · solution · lesson")


def short_id(lesson_id: str, longest: int = 12) -> str:
    """A long lesson id by its last word (publishing-ports: ports); the toolbar and
    `lessons` give it whole."""
    if len(lesson_id) <= longest:
        return lesson_id
    return lesson_id.replace("_", "-").rsplit("-", 1)[-1] or lesson_id


def default_store(env) -> Store:
    return Store(home(env.environ))
