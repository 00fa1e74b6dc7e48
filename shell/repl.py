"""The interactive teaching shell: a prompt_toolkit session around runner.run_line.

The prompt shows the working folder (and the current lesson step, when the lesson
runner gives one); the toolbar what the engine holds now. Tab completion comes from the
command table (completion.py); history persists under Env.home with Ctrl-R search; a
line ending in a backslash continues on the next.

While a command runs, prompt_toolkit is not running: `session.prompt()` has returned
and put the terminal back as it found it, so `docker run -ti` can take the terminal
into raw mode itself (commands/attach.py) and hand it back; the next prompt redraws
from a clean line.
"""
from __future__ import annotations

import os
import signal
import threading

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.filters import Condition
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.styles import Style

from . import runner
from .builtins import ExitShell
from .completion import Context, DockerCompleter, RUNNING
from .listings import Listings

# Only the terminal's own colours (ANSI names), bold and reverse: they are chosen by
# the terminal's theme, so they stay readable on light and dark backgrounds alike.
# prompt_toolkit's own defaults for the completion menu, the suggestion from history
# and the error bar are 256-colour greys: replaced here by reverse video and ANSI names.
STYLE = Style.from_dict({
    "cwd": "bold",
    "sign": "",
    "step": "ansigreen bold",
    "continuation": "",
    "bottom-toolbar": "reverse",
    "bottom-toolbar.count": "bold",
    "bottom-toolbar.step": "bold",
    # noinherit: the defaults' colours for the same class are dropped, not merged
    "completion-menu": "noinherit reverse",
    "completion-menu.completion.current": "noinherit bold",
    "completion-menu.meta.completion": "noinherit reverse",
    "completion-menu.meta.completion.current": "noinherit",
    "completion-menu.multi-column-meta": "noinherit reverse",
    "completion-menu.completion fuzzymatch.outside": "noinherit reverse",
    "completion-toolbar": "noinherit reverse",
    "completion-toolbar.arrow": "noinherit reverse bold",
    "completion-toolbar.completion": "noinherit reverse",
    "completion-toolbar.completion.current": "noinherit bold",
    "scrollbar.background": "noinherit reverse",
    "scrollbar.button": "noinherit",
    "auto-suggestion": "noinherit ansibrightblack",
    "validation-toolbar": "noinherit ansired reverse",
    "window-too-small": "noinherit ansired reverse",
    "matching-bracket.other": "noinherit underline",
    "matching-bracket.cursor": "noinherit bold underline",
    "aborting": "noinherit",
    "exiting": "noinherit",
})


def interactive(env, **hooks) -> int:
    """`dockerlings` in a terminal: the welcome, then the prompt until Ctrl-D or exit.
    hooks: Repl's step, toolbar_note, prefill, cancel, greeting and after_line."""
    from . import welcome
    welcome.show(env)
    return Repl(env, **hooks).run()


def history_path(env) -> str | None:
    try:
        os.makedirs(env.home, exist_ok=True)
    except OSError:
        return None
    return os.path.join(env.home, "history")


def join_continued(text: str) -> str:
    """`docker run \\` + newline + `-d busybox` is one line, as in sh."""
    return text.replace("\\\n", " ")


def no_color(env) -> bool:
    """https://no-color.org: NO_COLOR present and not empty."""
    return bool(env.environ.get("NO_COLOR"))


class Repl:
    """Hooks for the lesson runner, all optional: step: () -> str | None, the current
    step for the prompt (and the toolbar, unless toolbar_note gives its own line);
    prefill: () -> str | None, text to put at the next prompt (a solution to edit);
    cancel: () -> None, called when Ctrl-C drops a line (so a solution offered command
    after command stops being offered);
    greeting: () -> str | None, text to show once above the first prompt, computed in
    the background after the prompt is drawn (the lesson the learner left off in: it
    loads YAML and rich, which would hold the first prompt back);
    after_line: (env, line, status) -> None, called after every line.
    input/output: prompt_toolkit's, for tests."""

    def __init__(self, env, step=None, after_line=None, toolbar_note=None, prefill=None,
                 cancel=None, greeting=None, input=None, output=None, history=None):
        self.env = env
        self.step, self.after_line = step, after_line
        self.toolbar_note, self.prefill, self.cancel = toolbar_note, prefill, cancel
        self.greeting = greeting
        self._greeted = greeting is None       # asked for it already (or nothing to ask)
        self._pending: str | None = None       # greeting text not yet on the screen
        self.status = 0
        self.listings = Listings(lambda: env.engine)
        self._ctx = None
        self._warming = None
        if history is None:
            path = history_path(env)
            history = FileHistory(path) if path else InMemoryHistory()
        self.session = PromptSession(
            message=self.prompt, prompt_continuation=self.continuation,
            history=history, completer=DockerCompleter(self.context),
            complete_while_typing=True, auto_suggest=AutoSuggestFromHistory(),
            bottom_toolbar=self.toolbar, key_bindings=load_bindings(),
            style=STYLE, include_default_pygments_style=False,
            color_depth=ColorDepth.DEPTH_1_BIT if no_color(env) else None,
            search_ignore_case=True, refresh_interval=2.0, input=input, output=output)

    def context(self) -> Context:
        if self._ctx is None or self._ctx.cwd != self.env.cwd:
            old = self._ctx
            self._ctx = Context(self.env.cwd, self.listings, self.env.environ)
            if old is not None:             # PATH's programs do not change with cd
                self._ctx._programs = old._programs
        return self._ctx

    # --- what the learner sees ----------------------------------------------------------
    @staticmethod
    def _ask(hook) -> str | None:
        if hook is None:
            return None
        try:
            return hook()
        except Exception:
            return None         # a broken lesson hook must not break the prompt

    def _step_text(self) -> str | None:
        return self._ask(self.step)

    def prompt(self):
        parts = []
        step = self._step_text()
        if step:
            parts.append(("class:step", f"[{step}] "))
        parts += [("class:cwd", folder_name(self.env.cwd, self.env.environ.get("HOME"))),
                  ("class:sign", " $ ")]
        return parts

    def continuation(self, width, line_number, wrap_count):
        """A line continued after a backslash gets `> ` (sh's PS2); a long line that
        only wraps on the screen gets nothing, so it reads as the one line it is."""
        if wrap_count:
            return []
        return [("class:continuation", "> ".rjust(width))]

    def toolbar(self, width: int | None = None):
        """The lesson's step, the engine's counts, where the engine lives and two tips:
        as many of these, in this order, as the terminal's width holds."""
        if self.listings.ready:
            boxes = self.listings.containers()
            running = str(sum(1 for b in boxes if b.status in RUNNING))
            total = _count(len(boxes), "container")
            images = _count(self.listings.image_count(), "image")
        else:
            running, total, images = "…", "… containers", "… images"  # still counting
        groups = [[("class:bottom-toolbar.count", f" {running} running"),
                   ("", f" · {total} · "), ("class:bottom-toolbar.count", images),
                   ("", " ")],
                  [("", f"· engine {self.env.engine_paths.root} ")],
                  [("", "· Tab completes · map draws it all ")]]
        note = self._ask(self.toolbar_note) if self.toolbar_note else self._step_text()
        if note:
            groups.insert(0, [("class:bottom-toolbar.step", f" {note} |")])
        return fit(groups, width or self._columns())

    def _columns(self) -> int:
        try:
            return self.session.app.output.get_size().columns
        except Exception:
            return self.env.columns

    # --- the loop -------------------------------------------------------------------------
    def _warm_up(self) -> None:
        """Read the engine's listings (and PATH, for first words) in the background,
        once the first prompt is on the screen: with hundreds of containers the first
        read takes a moment, and the prompt must not wait for it."""
        app = self.session.app

        def work():
            self._prepare_greeting(app)
            try:
                self.listings.warm()
                self.context().programs()
            except Exception:
                return              # completion will try again when asked
            if app.is_running:
                app.invalidate()

        def start(_sender):
            app.after_render -= start
            self._warming = threading.Thread(target=work, name="listings", daemon=True)
            self._warming.start()

        app.after_render += start

    def _prepare_greeting(self, app) -> None:
        """Compute the greeting (in the warm-up thread) and show it above the prompt
        while the prompt is up; if the prompt has gone meanwhile, run_text shows it
        before the line runs."""
        if self._greeted:
            return
        self._greeted = True
        self._pending = self._ask(self.greeting) or None
        if self._pending is None or app is None:
            return
        try:
            if app.is_running and app.loop is not None:
                app.loop.call_soon_threadsafe(self._greet_in_app, app)
        except RuntimeError:
            pass                            # the loop closed: run_text shows it

    def _greet_in_app(self, app) -> None:
        """On the prompt's own loop: print the greeting above the prompt, which is then
        drawn again below it."""
        if self._pending is None or not app.is_running:
            return
        from prompt_toolkit.application import run_in_terminal
        from prompt_toolkit.application.current import set_app
        with set_app(app):
            run_in_terminal(self._flush_greeting)
        app.invalidate()                    # the prompt now shows the lesson's step

    def _flush_greeting(self) -> None:
        text, self._pending = self._pending, None
        if text:
            self.env.write_out(text.encode("utf-8", "replace"))

    def run(self) -> int:
        self._warm_up()
        keep_shell_alive_on_quit()
        while True:
            try:
                text = self.session.prompt(default=self._ask(self.prefill) or "")
            except KeyboardInterrupt:
                self._ask(self.cancel)
                continue                    # Ctrl-C: the line is dropped
            except EOFError:
                return self.status          # Ctrl-D
            try:
                self.status = self.run_text(text)
            except ExitShell as e:
                return self.status if e.code is None else e.code

    def run_text(self, text: str) -> int:
        if self._warming is not None:
            # commands may fork (a container's monitor): never while another thread is
            # half-way through an import or a read
            self._warming.join()
            self._warming = None
        self._prepare_greeting(None)        # the prompt never drew (input came first)
        self._flush_greeting()
        line = join_continued(text)
        try:
            status = runner.run_line(self.env, line)
        except KeyboardInterrupt:
            self.env.out("")
            status = 130
        finally:
            self.listings.invalidate()
        if self.after_line is not None:
            self.after_line(self.env, line, status)
        return status


def folder_name(path: str, home: str | None) -> str:
    """The prompt's folder, as bash's \\W shows it: `~` for home, else the last part."""
    if home and home != "/" and path.rstrip("/") == home.rstrip("/"):
        return "~"
    return os.path.basename(path.rstrip("/")) or "/"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def fit(groups: list[list[tuple[str, str]]], width: int) -> list[tuple[str, str]]:
    """The leading groups of fragments that fit in `width` columns, each one whole; a
    first group too long on its own is cut with `…`."""
    parts: list[tuple[str, str]] = []
    used = 0
    for group in groups:
        size = sum(len(text) for _, text in group)
        if used + size > width:
            if not parts:
                style, text = group[0]
                parts.append((style, text[:max(width - 1, 0)] + "…"))
            break
        parts += group
        used += size
    return parts


def keep_shell_alive_on_quit() -> None:
    """Ctrl-\\ sends SIGQUIT to the whole foreground group: to a host program or a
    container, never to this shell (bash ignores it too). A handler, not SIG_IGN, so
    programs started from here get the default back when they exec."""
    try:
        signal.signal(signal.SIGQUIT, lambda _signum, _frame: None)
    except ValueError:
        pass                                # not the main thread (tests)


def load_continuation_bindings() -> KeyBindings:
    """Enter after a trailing backslash starts a new line instead of running."""
    kb = KeyBindings()

    @Condition
    def continued() -> bool:
        from prompt_toolkit.application import get_app
        buf = get_app().current_buffer
        return buf.document.is_cursor_at_the_end and buf.text.endswith("\\")

    @kb.add("enter", filter=continued)
    def _(event):
        event.current_buffer.insert_text("\n")

    return kb


def load_bindings():
    return merge_key_bindings([load_continuation_bindings()])
