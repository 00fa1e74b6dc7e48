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
