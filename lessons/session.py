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
import shlex
import shutil
import tempfile
import time

from engine.util import timeutil
from engine.errors import EngineError

from . import checks, claims, cleanup
from .model import Command
from .progress import LessonProgress, Store, home
from .view import View
from .world import World

# Checks a started container may meet only a moment after its command returned: a server
# answering on its port, a command run inside (exec) finding what its program writes;
# and how long the check after a command waits for them.
SETTLING = frozenset({"port", "exec"})
SETTLE_SECONDS = 3.0


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
        self._hold = None           # the state at `back`: the step stays while it is so
        self._probes: list = []     # when port checks asked (their traces in logs)

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
        lp = self.store.read().lessons.get(lesson_id)
        again = lp is not None and not lp.open
        if again and not self._ask(f"You finished {lesson.title}. Take it again from step "
                                   "1? What its last run left is removed first; it stays "
                                   "finished in `lessons`. [Y/n] "):
            self.view.say("Not started.")
            return 0
        fresh = again or lp is None or lesson.step_index(lp.at) is None
        with self.store.change() as p:
            p.current = lesson_id
            if again:               # a new run; the record of the finished one stays
                p.lessons[lesson_id] = LessonProgress(lesson_id, "done", again=True)
        self._activate(lesson)
        if again:                   # a clean state: nothing of the last run passes a step
            self._report_removed(cleanup.remove_owned(self.env.engine, lesson.id),
                                 None, "what its last run left")
        self._write_files(overwrite=again)
        if not self._ensure_images():
            self._deactivate()
            return 1
        if not fresh:
            return self._resume()
        self._clear_claims()
        status = self._enter(0)
        if again:
            self._hold = self._state()
        return status

    def _clear_claims(self) -> None:
        """What holds the names and host ports the lesson's steps will take: offered for
        removal, saying whose it is (a lesson's, or the learner's own)."""
        if self.parse is None:
            return
        engine = self.env.engine
        try:
            found = claims.holders(engine, claims.of_lesson(self.lesson, self.parse),
                                   self.lesson.id)
        except (EngineError, OSError):
            return
        if not found:
            return
        self.view.say("This lesson makes these names and ports, which are taken now:\n"
                      + "\n".join(f"  {_escape(h.what)} ({_escape(h.whose)})"
                                  for h in found))
        if all(h.kind == "outside" for h in found):
            self.view.say("Free them to follow the lesson as written.")
            return
        if not self._ask("Remove them? [Y/n] "):
            self.view.say("Kept them: steps that make them may fail (`docker rm -f NAME` "
                          "frees a container's name later).")
            return
        gone, left = claims.remove(engine, found)
        self._report_removed(gone, None)
        if left:
            self.view.say("Still taken: " + _escape(", ".join(left)))

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
        self._hold = None
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
        """The step is finished (passed or skipped): the next step not passed yet, or the
        end: the lesson is complete when no step is left skipped."""
        lp = self.progress()
        for i in range(self.index + 1, len(self.lesson.steps)):
            if self.lesson.steps[i].id not in lp.passed:
                self._enter(i)
                return
        skipped = [s for s in self.lesson.steps if s.id in lp.skipped]
        with self.store.change() as p:
            lp = p.of(self.lesson.id)
            if skipped:
                lp.at = skipped[0].id
            else:
                lp.status, lp.again = "done", False
            if p.current == self.lesson.id:
                p.current = None
        if skipped:
            self.view.open_end(self.lesson, skipped)
        else:
            self.view.finished(self.lesson)
            self._offer_cleanup()
        self._deactivate()

    def _offer_cleanup(self) -> None:
        """At the end: remove what the lesson made (the default), or keep it."""
        engine = self.env.engine
        mine = cleanup.owned(engine, self.lesson.id)
        if not mine:
            return
        words = ", ".join(cleanup.describe(engine, mine))
        if self._ask(f"Remove what this lesson made ({words})? [Y/keep] "):
            self._report_removed(cleanup.remove_owned(engine, self.lesson.id), None)
        else:
            self.view.say("Kept them. A lesson that needs their names offers to remove "
                          "them; `docker rm -f NAME` removes a container now.")

    def _sync(self) -> None:
        """Another shell may have moved this lesson on: follow it."""
        stamp = self.store.stamp()
        if stamp == self._stamp:
            return
        self._stamp = stamp
        lp = self.progress()
        at = self.lesson.step_index(lp.at)
        if not lp.open:
            self.view.say(f"(lesson {self.lesson.id} was finished in another shell)")
            self._deactivate()
        elif at is not None and at != self.index:
            self.index = at
            self._clear_step_state()
            self._own()
            self.view.say("(another shell moved this lesson on)")
            self.view.step(self.lesson, self.index)

    # --- checking ---------------------------------------------------------------------------
    def evaluate(self, every: bool = True):
        lp = self.progress()
        ctx = checks.Context(World(self.env.engine), captures=lp.captured,
                             history=self.history, workdir=self.workdir(), parse=self.parse,
                             since=lp.since, probes=self._probes)
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
        if self._held(line):
            return
        if not self._check_and_move(quiet=True) and not self._only_looks(line):
            self._settle()

    def _settle(self) -> None:
        """A command that started something: its server may need a moment before it
        answers (a port, a file it writes). When only such checks fail, look again for
        a few seconds before the prompt comes back, so the ✓ comes without `check`."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while time.monotonic() < deadline:
            outcome = self.evaluate()
            if outcome.passed:
                self._check_and_move(quiet=True)
                return
            if any(check.kind not in SETTLING for check, _ in outcome.failures):
                return          # something the learner has still to do
            time.sleep(0.1)

    # After `back` (or a lesson taken again), the step stays even though its checks
    # pass (they passed before): until `next`, or until the learner's own command
    # changes something: a docker command that is not only a look, or a change in
    # the engine's objects or the lesson's work folder.
    def _held(self, line: str) -> bool:
        if self._hold is None:
            return False
        if not self._only_looks(line) or self._state() != self._hold:
            self._hold = None
            return False
        return True

    def _only_looks(self, line: str) -> bool:
        try:
            words = shlex.split(line)
        except ValueError:
            return False
        if not words or words[0] != "docker":
            return True             # a host command: its changes show in _state
        if self.parse is None:
            return False
        try:
            inv = self.parse(words[1:])
        except Exception:
            return True             # it did not run
        path = tuple(getattr(getattr(inv, "command", None), "path", None) or ())
        return not path or path[-1] in LOOKS

    def _state(self):
        """A fingerprint of what the checks can see change: the engine's objects and
        their states, and the files of the work folder."""
        eng = self.env.engine
        try:
            seen = [tuple(sorted((c.id, c.name, c.state.status, str(c.state.exit_code),
                                  tuple(sorted(c.networks or {})))
                                 for c in eng.containers(all=True))),
                    tuple(sorted((i.id, tuple(i.repo_tags)) for i in eng.list_images()))]
            for name in ("networks", "volumes"):
                listing = getattr(eng, name, None)
                seen.append(tuple(sorted(str(x.get("Id") or x.get("Name"))
                                         for x in (listing() if callable(listing) else ()))))
        except (EngineError, OSError, AttributeError, TypeError):
            return None
        files = []
        for top, _, names in os.walk(self.workdir()):
            for n in names:
                try:
                    st = os.stat(os.path.join(top, n))
                except OSError:
                    continue
                files.append((top, n, st.st_mtime_ns, st.st_size))
        return tuple(seen) + (tuple(sorted(files)),)

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
        if self._hold is not None and self._state() == self._hold:
            if self.evaluate().passed:
                self.view.say("This step's checks pass (from when you did it before). "
                              "`next` goes on; change something and it is checked again.")
                return 0
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
        status = self._enter(self.index - 1)
        self._hold = self._state()
        return status

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
            self.view.say("The first command is waiting at your prompt: press Enter to "
                          "run it (or change it first)"
                          + ("; the next one follows" if more else "")
                          + ". Ctrl-C drops it.")
        return 0

    def _confirm(self, question: str) -> bool:
        """A question whose answer is no unless the learner says yes."""
        return self._answer(question).lower() in ("y", "yes")

    def _ask(self, question: str) -> bool:
        """A question whose answer is yes unless the learner says no (or keep)."""
        return self._answer(question).lower() not in ("n", "no", "keep", "k")

    def _answer(self, question: str) -> str:
        self.env.out(question, end="")
        try:
            answer = self.env.stdin.readline()
        except (OSError, ValueError):
            return ""
        if isinstance(answer, bytes):
            answer = answer.decode("utf-8", "replace")
        if not answer.endswith("\n"):
            self.env.out("")        # nothing typed (the end of the input): end the line
        return answer.strip()

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
                old = p.lessons.pop(self.lesson.id, None)
                if old is not None and old.status == "done":      # finished stays so
                    p.lessons[self.lesson.id] = LessonProgress(self.lesson.id, "done",
                                                               again=True)
                p.current = self.lesson.id
            os.makedirs(self.workdir(), exist_ok=True)
            self._write_files()
            self._report_removed(removed, "this lesson has made nothing yet.")
            self._ensure_images()
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

    def _report_removed(self, removed: list[str], nothing: str | None,
                        what: str = "") -> None:
        """Say what went (`what`: whose it was); `nothing`: what to say if nothing did
        (None: say nothing)."""
        if removed:
            self.view.say(f"Removed {what + ': ' if what else ''}"
                          + _escape(", ".join(removed)) + ".")
        elif nothing:
            self.view.say("Nothing to remove: " + nothing)

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


# docker commands that only look: after `back`, they leave the step where it is
LOOKS = frozenset({"ls", "ps", "images", "inspect", "logs", "port", "top", "diff", "history",
                   "version", "info", "stats", "events", "df", "search"})


def _escape(text: str) -> str:
    from rich.markup import escape
    return escape(text)


def default_store(env) -> Store:
    return Store(home(env.environ))
