"""The lesson words of the shell (lessons, lesson, next, back, hint, check, solution,
reset, skip) and the hooks the shell calls: after each command, and for its prompt and
toolbar.

This module is imported on the shell's start-up path, so it imports nothing heavy at
the top: yaml and rich load when a lesson word is first used.
"""
from __future__ import annotations

WORDS = frozenset({"lessons", "lesson", "next", "back", "hint", "check", "solution",
                   "reset", "skip"})
NEEDS_LESSON = ("next", "back", "hint", "check", "solution", "reset", "skip")
SUMMARIES = {
    "lessons": "the course's lessons, with your progress",
    "lesson": "lesson start ID (begin or resume) · lesson (the step again) · lesson stop",
    "hint": "a hint for the current step (one more each time)",
    "check": "check the current step now, and see what is still missing (--all: every "
             "failing check)",
    "solution": "the commands that solve the current step (after asking)",
    "next": "go to the next step (when this one is done)",
    "back": "go back to the previous step",
    "skip": "skip the current step",
    "reset": "remove what this step made, start it again (reset lesson: the whole lesson)",
}

USAGE = {
    "lesson": "lesson [start ID | stop]",
    "reset": "reset [step | lesson]",
    "solution": "solution [-y]",
    "check": "check [--all]",
}


def handle(env, words: list[str], run_line=None, parse=None) -> int | None:
    """Run a lesson word; None when `words` is not one (the shell runs them as usual)."""
    word, args = words[0], words[1:]
    if word not in WORDS:
        return None
    session = getattr(env, "lesson", None)
    if word in NEEDS_LESSON and session is None:
        import shutil
        if shutil.which(word, path=env.environ.get("PATH")):
            return None               # a host program of that name (`reset`) runs as usual
        env.err(f"{word}: no lesson is running. `lessons` lists them; `lesson start ID` "
                "begins one.")
        return 1
    if word == "lessons":
        return _list(env, args)
    if word == "lesson":
        return _lesson(env, args, run_line, parse)
    return _step_word(env, session, word, args)


def _list(env, args) -> int:
    if args:
        env.err("lessons: takes no arguments here (the author tools are `dockerlings "
                "lessons validate|test PATH`)")
        return 2
    from . import catalog
    from .session import default_store
    from .view import View
    View(env).catalog(catalog.load(env.environ), default_store(env).read())
    return 0


def _lesson(env, args, run_line, parse) -> int:
    session = getattr(env, "lesson", None)
    if not args:
        if session is not None:
            return session.show()
        made = new_session(env, run_line, parse)
        if made.resume():
            return 0
        env.out("No lesson is running. `lessons` lists them; `lesson start ID` begins one.")
        return 0
    if args[0] == "start" and len(args) == 2:
        if session is not None and session.lesson.id != args[1]:
            session.stop()
        made = session if session is not None else new_session(env, run_line, parse)
        return made.start(args[1])
    if args[0] == "stop" and len(args) == 1:
        return session.stop() if session is not None else 0
    if len(args) == 1 and args[0] not in ("start", "stop"):
        return _lesson(env, ["start", args[0]], run_line, parse)
    env.err(f"usage: {USAGE['lesson']}")
    return 2


def _step_word(env, session, word: str, args: list[str]) -> int:
    if word == "reset":
        if args not in ([], ["step"], ["lesson"]):
            env.err(f"usage: {USAGE['reset']}")
            return 2
        return session.reset(args[0] if args else "step")
    if word == "solution":
        if args not in ([], ["-y"], ["--yes"]):
            env.err(f"usage: {USAGE['solution']}")
            return 2
        return session.solution(confirmed=bool(args))
    if word == "check":
        if args not in ([], ["--all"], ["-a"]):
            env.err(f"usage: {USAGE['check']}")
            return 2
        return session.check(every=bool(args))
    if args:
        env.err(f"{word}: takes no arguments")
        return 2
    return getattr(session, word)()


def new_session(env, run_line=None, parse=None):
    from . import catalog
    from .session import Session, default_store
    course = catalog.load(env.environ)
    return Session(env, course.by_id, default_store(env), run_line=run_line, parse=parse)


# --- hooks for the shell ------------------------------------------------------------------

def after_command(env, line: str, status: int) -> None:
    """Call after every line the learner ran: checks the current step, if a lesson runs."""
    session = getattr(env, "lesson", None)
    if session is not None:
        session.after_command(line, status)


def _following(env) -> bool:
    """Does the progress file name a lesson the learner is following? (Cheap: no YAML.)"""
    from .progress import Store, home
    store = Store(home(env.environ))
    return store.path.exists() and bool(store.read().current)


def on_start(env, run_line=None, parse=None) -> bool:
    """For an interactive shell starting up: take up the lesson the learner was following,
    showing its current step. False if they were following none."""
    if not _following(env):
        return False
    return new_session(env, run_line, parse).resume()


class _Screen:
    """Stands in for the shell's Env while a step is drawn into text (same width and
    colours as the terminal it will go to)."""

    def __init__(self, env):
        self.columns, self.stdout_tty = env.columns, env.stdout_tty
        self.chunks: list[bytes] = []

    def write_out(self, data: bytes) -> None:
        self.chunks.append(data)

    def out(self, text: str = "", end: str = "\n") -> None:
        self.chunks.append((text + end).encode("utf-8", "replace"))


def resume_text(env, run_line=None, parse=None) -> str | None:
    """on_start for a shell whose screen is busy drawing its prompt: take up the lesson
    the learner was following and return its step as text to show, or None if they were
    following none. The shell calls this in the background, after its first prompt is
    drawn, since loading the lessons (YAML) and drawing the step (rich) take longer than
    the rest of the start."""
    if not _following(env):
        return None
    from .view import View
    session = new_session(env, run_line, parse)
    screen = _Screen(env)
    session.view = View(screen)
    try:
        if not session.resume():
            return None
    finally:
        session.view = View(env)
    return b"".join(screen.chunks).decode("utf-8", "replace")


def prompt_hint(env) -> str:
    """A short mark for the prompt ("hello-world 2/5"), or "" outside lessons."""
    session = getattr(env, "lesson", None)
    return session.prompt_hint() if session is not None else ""


def toolbar_text(env) -> str:
    """A line for a toolbar: the lesson and the current step, or "" outside lessons."""
    session = getattr(env, "lesson", None)
    return session.toolbar_text() if session is not None else ""


def take_prefill(env) -> str | None:
    """The next solution command to put at the prompt (once), if `solution` showed one."""
    session = getattr(env, "lesson", None)
    if session is None or not session.prefill:
        return None
    return session.prefill.pop(0)


def drop_prefill(env) -> None:
    """The learner dropped a prefilled line (Ctrl-C): offer the rest no more."""
    session = getattr(env, "lesson", None)
    if session is not None:
        session.prefill = []
