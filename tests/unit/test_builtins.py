"""The shell's own commands (cd, pwd, clear, help, exit, edit), the built-in editor,
and the promise that `dockerlings -c` loads neither prompt_toolkit nor rich."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from shell import editor, main
from shell.builtins import ExitShell
from shell.env import Env
from shell.runner import run_line
from tests.conftest import ROOT

CTRL_S, CTRL_Q = "\x13", "\x11"


@pytest.fixture
def env(tmp_path):
    return Env.buffered(cwd=str(tmp_path), environ={"PATH": "/usr/bin:/bin",
                                                    "HOME": str(tmp_path)})


def test_cd_and_pwd(env, tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert run_line(env, "cd a/b") == 0
    assert env.cwd == str(tmp_path / "a" / "b")
    assert env.environ["PWD"] == env.cwd and env.environ["OLDPWD"] == str(tmp_path)
    assert run_line(env, "cd ..") == 0 and env.cwd == str(tmp_path / "a")
    assert run_line(env, "cd -") == 0 and env.cwd == str(tmp_path / "a" / "b")
    assert run_line(env, "cd") == 0 and env.cwd == str(tmp_path)       # $HOME
    run_line(env, "pwd")
    assert env.output_text().splitlines()[-1] == str(tmp_path)


def test_host_commands_run_in_the_shell_folder(env, tmp_path):
    (tmp_path / "sub").mkdir()
    run_line(env, "cd sub")
    run_line(env, "echo hi > f")
    assert (tmp_path / "sub" / "f").read_text() == "hi\n"


def test_cd_errors(env, tmp_path):
    (tmp_path / "file").write_text("")
    assert run_line(env, "cd nowhere") == 1
    assert run_line(env, "cd file") == 1
    assert run_line(env, "cd a b") == 1
    assert env.error_text().splitlines() == [
        "cd: nowhere: No such file or directory", "cd: file: Not a directory",
        "cd: too many arguments"]
    assert env.cwd == str(tmp_path)


def test_cd_with_shell_syntax_runs_in_sh_and_changes_nothing(env, tmp_path):
    (tmp_path / "x").mkdir()
    assert run_line(env, "cd x && pwd") == 0
    assert env.output_text() == f"{tmp_path}/x\n" and env.cwd == str(tmp_path)


def test_exit(env):
    with pytest.raises(ExitShell) as e:
        run_line(env, "exit 4")
    assert e.value.code == 4
    with pytest.raises(ExitShell) as e:
        run_line(env, "exit")
    assert e.value.code is None
    assert run_line(env, "exit x") == 2


def test_exit_ends_dockerlings_c_and_piped_lines(env):
    assert main.run_dockerlings(env, ["-c", "exit 5"]) == 5
    assert main.run_lines(env, io.BytesIO(b"true\nexit 6\necho never\n")) == 6
    assert main.run_lines(env, io.BytesIO(b"false\nexit\n")) == 1
    assert "never" not in env.output_text()


def test_clear_and_help(env):
    run_line(env, "clear")
    assert env.stdout.getvalue() == b"\x1b[H\x1b[2J\x1b[3J"
    run_line(env, "help")
    text = env.output_text()
    for name in ("cd", "pwd", "clear", "help", "exit", "edit", "map"):
        assert f"\n  {name} " in text
    assert "Ctrl-P Ctrl-Q" in text


def test_help_command_shows_the_docker_page(env):
    run_line(env, "help run")
    assert env.output_text().startswith("Usage:  docker run [OPTIONS] IMAGE")


def test_edit_uses_editor(env, tmp_path):
    env.environ["EDITOR"] = "sh -c 'echo edited > \"$1\"' editor"
    assert run_line(env, "edit notes.txt") == 0
    assert (tmp_path / "notes.txt").read_text() == "edited\n"


def test_edit_without_editor_or_terminal(env, tmp_path):
    assert run_line(env, "edit notes.txt") == 1
    assert "set EDITOR" in env.error_text()
    (tmp_path / "d").mkdir()
    env.environ["EDITOR"] = "true"
    assert run_line(env, "edit d") == 1
    assert "d: Is a directory" in env.error_text()


def run_editor(path, keys: str) -> int:
    with create_pipe_input() as inp:
        inp.send_text(keys)
        return editor.edit(str(path), input=inp, output=DummyOutput())


def test_builtin_editor_saves_and_quits(tmp_path):
    path = tmp_path / "Dockerfile"
    assert run_editor(path, "FROM busybox\rCMD [\"sh\"]" + CTRL_S + CTRL_Q) == 0
    assert path.read_text() == 'FROM busybox\nCMD ["sh"]'


def test_builtin_editor_asks_before_dropping_changes(tmp_path):
    path = tmp_path / "f"
    path.write_text("keep\n")
    ed = None
    with create_pipe_input() as inp:
        inp.send_text("x" + CTRL_Q)
        ed = editor.Editor(str(path), inp, DummyOutput())
        inp.send_text(CTRL_Q)                  # the second Ctrl-Q quits without saving
        assert ed.run() == 0
    assert path.read_text() == "keep\n"
    assert ed.dirty


def _modules_after(line: str, tmp_path) -> set[str]:
    code = ("import sys\nfrom shell.main import main\nmain(['-c', %r])\n"
            "print(' '.join(sorted(sys.modules)))" % line)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env=dict(os.environ, DOCKERLINGS_ROOT=str(tmp_path),
                                            PYTHONPATH=str(ROOT)))
    return set(out.stdout.split()[-1:] and out.stdout.splitlines()[-1].split())


def test_dockerlings_c_loads_neither_prompt_toolkit_nor_rich(tmp_path):
    for line in ("pwd", "docker ps", "docker pss"):
        mods = _modules_after(line, tmp_path)
        assert "shell.main" in mods
        assert not any(m.split(".")[0] in ("prompt_toolkit", "rich") for m in mods), line


def test_host_usage_is_refused_before_the_engine(env):
    """`host share` without a port, or `shares` with one, is a usage error (status 2);
    `host WORD` for another word runs the host's own `host` program when there is one
    (here PATH has none, so it is a usage error too)."""
    env.environ["PATH"] = ""
    for line in ("host share", "host unshare", "host shares 80", "host lookup.example"):
        assert run_line(env, line) == 2
    assert env.error_text().splitlines()[-1] == ("Usage:  host [shares | share PORT... | "
                                                 "unshare PORT...]")
