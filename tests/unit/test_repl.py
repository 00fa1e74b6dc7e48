"""The REPL end to end with prompt_toolkit's pipe input: keys in, lines run, the
prompt and toolbar it draws. Only built-ins and host commands here (no engine);
tests/integration/test_repl.py runs docker commands through it."""
from __future__ import annotations

import os
import threading
import time

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import ColorDepth, DummyOutput

from shell.env import Env
from shell.repl import Repl, fit, folder_name, join_continued

CTRL_C, CTRL_D, CTRL_R, UP = "\x03", "\x04", "\x12", "\x1b[A"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKERLINGS_ROOT", str(tmp_path / "engine"))
    (tmp_path / "work").mkdir()
    return Env.buffered(cwd=str(tmp_path / "work"),
                        environ={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                 "DOCKERLINGS_HOME": str(tmp_path / "home")})


def drive(env, keys: str, **kw) -> tuple[int, Repl]:
    """Type `keys` into a fresh REPL; returns its exit status (Ctrl-D added at the end
    so it always leaves)."""
    with create_pipe_input() as inp:
        inp.send_text(keys + CTRL_D)
        repl = Repl(env, input=inp, output=DummyOutput(), **kw)
        return repl.run(), repl


def type_slowly(env, chunks: list[str], pause: float = 0.2) -> Repl:
    """Type chunk after chunk with a pause, as a person does: searching and completing
    react to keys on the next turn of prompt_toolkit's loop, not at once."""
    with create_pipe_input() as inp:
        repl = Repl(env, input=inp, output=DummyOutput())

        def typing():
            for keys in chunks + [CTRL_D]:
                time.sleep(pause)
                inp.send_text(keys)
        t = threading.Thread(target=typing)
        t.start()
        repl.run()
        t.join()
    return repl


def test_lines_run_in_order_and_exit_gives_its_code(env):
    code, _ = drive(env, "pwd\recho hello\rexit 3\r")
    assert code == 3
    assert env.output_text() == f"{env.cwd}\nhello\n"


def test_ctrl_d_leaves_with_the_last_status(env):
    code, _ = drive(env, "false\r")
    assert code == 1


def test_ctrl_c_drops_the_line(env):
    code, _ = drive(env, "echo dropped" + CTRL_C + "echo kept\r")
    assert env.output_text() == "kept\n"


def test_trailing_backslash_continues_the_line(env):
    drive(env, "echo one \\\rtwo\r")
    assert env.output_text() == "one two\n"
    assert join_continued("docker run \\\n--rm busybox") == "docker run  --rm busybox"


def test_cd_changes_the_folder_commands_run_in_and_the_prompt(env):
    os.mkdir(os.path.join(env.cwd, "sub"))
    _, repl = drive(env, "cd sub\rpwd\r")
    assert env.cwd.endswith("/work/sub")
    assert env.output_text() == env.cwd + "\n"
    assert "".join(t for _, t in repl.prompt()) == "sub $ "


def test_history_persists_between_sessions_and_up_recalls(env):
    drive(env, "echo first\r")
    history = os.path.join(env.environ["DOCKERLINGS_HOME"], "history")
    assert "echo first" in open(history).read()
    drive(env, UP + "\r")                 # a new session: Up brings back the old line
    assert env.output_text() == "first\nfirst\n"


def test_ctrl_r_searches_the_history(env):
    # Enter takes the line found, a second Enter runs it
    type_slowly(env, ["echo needle\r", "echo other\r", CTRL_R, "need", "\r", "\r"])
    assert env.output_text() == "needle\nother\nneedle\n"


def test_tab_completes_from_the_command_table(env):
    env.environ["PATH"] = ""              # no programs on PATH: only the built-ins match
    type_slowly(env, ["pw", "\t", "\r"])
    assert env.output_text() == env.cwd + "\n"


def test_prompt_shows_the_folder_and_the_lesson_step(env):
    _, repl = drive(env, "", step=lambda: "1.2 Run it")
    text = "".join(t for _, t in repl.prompt())
    assert text == "[1.2 Run it] work $ "
    toolbar = "".join(t for _, t in repl.toolbar())
    assert "1.2 Run it" in toolbar and "running" in toolbar and "images" in toolbar


def test_toolbar_note_and_prefill_hooks(env):
    offers = ["echo from-the-lesson"]
    _, repl = drive(env, "\r", toolbar_note=lambda: "Lesson 1: step 2 of 5",
                    prefill=lambda: offers.pop() if offers else None)
    assert env.output_text() == "from-the-lesson\n"      # prefilled, then Enter ran it
    assert "Lesson 1: step 2 of 5" in "".join(t for _, t in repl.toolbar())


def test_a_broken_lesson_hook_does_not_break_the_prompt(env):
    def broken():
        raise RuntimeError("boom")
    _, repl = drive(env, "", step=broken)
    assert "".join(t for _, t in repl.prompt()) == "work $ "


def test_after_line_hook_sees_every_line(env):
    seen = []
    drive(env, "true\rfalse\r", after_line=lambda e, line, status: seen.append((line, status)))
    assert seen == [("true", 0), ("false", 1)]


def test_toolbar_counts_the_engine(env):
    _, repl = drive(env, "")
    repl.listings.warm()
    toolbar = "".join(t for _, t in repl.toolbar(width=400))
    assert " 0 running · 0 containers · 0 images · engine " in toolbar
    assert str(env.engine.paths.root) in toolbar


def test_toolbar_says_1_container_and_1_image(env, monkeypatch):
    _, repl = drive(env, "")
    repl.listings.warm()
    monkeypatch.setattr(repl.listings, "containers", lambda: [type("B", (), {"status": "exited"})])
    monkeypatch.setattr(repl.listings, "image_count", lambda: 1)
    toolbar = "".join(t for _, t in repl.toolbar(width=200))
    assert " 0 running · 1 container · 1 image " in toolbar


def test_toolbar_keeps_to_the_width_without_cutting_a_word(env):
    """In a lesson at 80 columns the toolbar ended in `map draws i`: what does not fit
    is left out whole, the lesson's step and the counts first."""
    for width in (60, 80, 100, 120):
        _, repl = drive(env, "", step=lambda: "publishing-ports 1/3")
        repl.listings.warm()
        toolbar = "".join(t for _, t in repl.toolbar(width=width))
        assert len(toolbar) <= width
        assert toolbar.startswith(" publishing-ports 1/3 | 0 running")
        assert not toolbar.rstrip().endswith(("map draws i", "map draws", "·"))
        assert "map draws it all" in toolbar or "Tab completes" not in toolbar
    assert "".join(t for _, t in fit([[("", "x" * 50)]], 10)) == "x" * 9 + "…"


def test_long_input_wraps_without_continuation_marks(env):
    _, repl = drive(env, "")
    assert repl.continuation(6, 0, 1) == [] and repl.continuation(6, 1, 2) == []
    assert "".join(t for _, t in repl.continuation(6, 1, 0)) == "    > "


def test_dollar_question_mark_keeps_the_last_status(env):
    """`$?` on a line of its own is the status of the line before, as in a shell."""
    drive(env, "sh -c 'exit 137'\recho $?\recho $?\rfalse\rtrue\recho $?\r")
    assert env.output_text() == "137\n0\n0\n"
    env.stdout.truncate(0), env.stdout.seek(0)
    drive(env, "false\recho \"was $?\"\r")
    assert env.output_text() == "was 1\n"


def test_no_color_gives_monochrome(env):
    env.environ["NO_COLOR"] = "1"
    _, repl = drive(env, "")
    assert repl.session.color_depth == ColorDepth.DEPTH_1_BIT


def test_folder_name_is_the_last_part_as_bash_shows_it():
    assert folder_name("/home/ann/x", "/home/ann") == "x"
    assert folder_name("/home/ann", "/home/ann") == "~"
    assert folder_name("/home/ann/", "/home/ann") == "~"
    assert folder_name("/home/annie", "/home/ann") == "annie"
    assert folder_name("/tmp", "/") == "tmp"
    assert folder_name("/", "/home/ann") == "/"
    long = "/root/.local/share/dockerlings/work/running-processes"
    assert folder_name(long, "/root") == "running-processes"


def test_greeting_is_shown_once_before_the_first_lines_output(env):
    asked = []

    def greeting():
        asked.append(1)
        return "where you left off\n"
    drive(env, "echo one\recho two\r", greeting=greeting)
    assert env.output_text() == "where you left off\none\ntwo\n"
    assert asked == [1]


def test_greeting_appears_above_a_waiting_prompt(env):
    """Nothing typed yet: the greeting is printed while the prompt waits."""
    with create_pipe_input() as inp:
        repl = Repl(env, input=inp, output=DummyOutput(), greeting=lambda: "hello again\n")

        def learner():
            deadline = time.monotonic() + 10
            while "hello again" not in env.output_text() and time.monotonic() < deadline:
                time.sleep(0.02)
            inp.send_text(CTRL_D)
        t = threading.Thread(target=learner)
        t.start()
        repl.run()
        t.join()
    assert env.output_text() == "hello again\n"


def test_ctrl_c_calls_the_cancel_hook(env):
    offers, cancelled = ["echo first", "echo second"], []
    drive(env, CTRL_C + "\r", prefill=lambda: offers.pop(0) if offers else None,
          cancel=lambda: (cancelled.append(True), offers.clear()))
    assert cancelled == [True] and env.output_text() == ""


def test_the_completion_menu_and_suggestions_use_the_terminals_own_colours(env):
    """prompt_toolkit's defaults are 256-colour greys (bg:#bbbbbb): the README promises
    only the terminal's own colours, bold and reverse."""
    from prompt_toolkit.styles import ANSI_COLOR_NAMES
    from prompt_toolkit.styles.defaults import default_ui_style
    _, repl = drive(env, "")
    style = repl.session.app._merged_style
    shown = ("completion-menu", "completion-toolbar", "scrollbar", "auto-suggestion",
             "validation-toolbar", "window-too-small", "matching-bracket", "aborting",
             "exiting", "bottom-toolbar")
    rules = [r for r, _ in default_ui_style().style_rules if r.startswith(shown)]
    assert len(rules) > 10
    for rule in rules:
        attrs = style.get_attrs_for_style_str(" ".join("class:" + c for c in rule.split()))
        for colour in (attrs.color, attrs.bgcolor):
            assert colour in ("", "default", None) or colour in ANSI_COLOR_NAMES, (rule, colour)


def test_hint_lines_are_bold_labels_in_normal_text_never_faint():
    tty = Env.buffered(environ={}, stderr_tty=True)
    assert tty.hint("look") == "\x1b[1mhint:\x1b[22m look"
    assert "\x1b[2m" not in tty.hint("look")
    assert Env.buffered(environ={"NO_COLOR": "1"}, stderr_tty=True).hint("x") == "hint: x"
    assert Env.buffered(environ={}).hint("x") == "hint: x"
