"""`dockerlings lessons ...`: the author tools' own words (help, usage)."""
from __future__ import annotations

import pytest

from lessons import cli
from shell.env import Env


@pytest.mark.parametrize("tool", ["validate", "test"])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_author_tools_print_their_help(tool, flag):
    env = Env.buffered(environ={})
    assert cli.main(env, [tool, flag]) == 0
    out = env.output_text()
    assert f"dockerlings lessons {tool}" in out and "Usage:" in out
    assert env.error_text() == ""


def test_test_help_says_ports_are_shared():
    env = Env.buffered(environ={})
    cli.main(env, ["test", "--help"])
    assert "host's ports" in env.output_text()


def test_an_unknown_option_is_not_a_file_name(tmp_path):
    env = Env.buffered(environ={})
    assert cli.main(env, ["validate", "--verbose", str(tmp_path)]) == 2
    assert "unknown flag: --verbose" in env.error_text()


LONG = "docker run -d --name web -p 45678:80 busybox sh -c 'echo \"Hello from inside\" > /i'"


def test_validate_warns_about_a_code_line_longer_than_76_characters(tmp_path):
    lesson = tmp_path / "01-long.yaml"
    lesson.write_text(f"""format: 1
id: long
title: Long
chapter: "1"
summary: A long line.
steps:
  - id: one
    title: One
    text: |
      Run it:

      ```
      {LONG}
      docker run -d --name web -p 45678:80 busybox sh -c \\
        'echo "Hello from inside" > /i'
      ```
    checks:
      - container: {{name: web}}
        message: No web.
    solve:
      - docker run --name web busybox true
    explain: Done.
recap: Done.
explore: [Nothing.]
""")
    env = Env.buffered(environ={})
    assert cli.main(env, ["validate", str(tmp_path)]) == 0      # a warning, not an error
    assert env.output_text() == "1 lesson(s), 1 step(s): valid\n"
    assert env.error_text().splitlines() == [
        f"{lesson}:13:7: warning: this code line is {len(LONG)} characters long (more "
        "than 76): break it at a space with a trailing ' \\' (the shell joins the lines), "
        "or keep it shorter"]
