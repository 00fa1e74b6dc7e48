"""Per-layer progress as the docker CLI draws it: in place on a terminal, plain lines
(no download progress) anywhere else."""
from __future__ import annotations

from shell.env import Env
from shell.render.progress import LayerProgress


def test_plain_lines_leave_download_progress_out():
    env = Env.buffered()
    p = LayerProgress(env)
    p("aaa", "Pulling fs layer")
    p("aaa", "Downloading", "[=>   ] 1MB/2MB")
    p("aaa", "Pull complete")
    p.say("Digest: sha256:x")
    assert env.output_text() == ("aaa: Pulling fs layer\naaa: Pull complete\n"
                                 "Digest: sha256:x\n")


def test_a_terminal_redraws_each_layer_on_its_own_line():
    env = Env.buffered(stdout_tty=True)
    p = LayerProgress(env)
    p("aaa", "Pulling fs layer")
    p("bbb", "Pulling fs layer")
    p("aaa", "Downloading", "[=>   ] 1MB/2MB")
    p("bbb", "Pull complete")
    out = env.output_text()
    assert out.startswith("aaa: Pulling fs layer\nbbb: Pulling fs layer\n")
    # aaa is two lines up from the cursor, bbb one: up, clear, write, back down
    assert "\x1b[2A\x1b[2K\raaa: Downloading [=>   ] 1MB/2MB\x1b[2B\r" in out
    assert out.endswith("\x1b[1A\x1b[2K\rbbb: Pull complete\x1b[1B\r")
