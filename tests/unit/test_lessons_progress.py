"""The progress file: plain text that survives restarts and is shared by several shells."""
from __future__ import annotations

import multiprocessing
from pathlib import Path

from lessons.progress import LessonProgress, Progress, Store, home


def test_round_trip(tmp_path):
    store = Store(tmp_path)
    with store.change() as p:
        p.current = "hello-world"
        lp = p.of("hello-world")
        lp.at = "run-again"
        lp.mark("meet")
        lp.mark("run-hello")
        lp.mark("list", skipped=True)
        lp.captured["hello"] = ("container", "ab" * 32)
        lp.since = "2026-01-01T00:00:00.5Z"
        p.of("images").status = "done"
    again = Store(tmp_path).read()
    assert again.current == "hello-world"
    lp = again.lessons["hello-world"]
    assert (lp.status, lp.at, lp.passed, lp.skipped) == ("started", "run-again",
                                                         ["meet", "run-hello"], ["list"])
    assert lp.captured == {"hello": ("container", "ab" * 32)}
    assert lp.since == "2026-01-01T00:00:00.5Z"
    assert again.lessons["images"].status == "done"
    assert lp.finished("list") and lp.finished("meet") and not lp.finished("run-again")


def test_the_file_is_plain_text(tmp_path):
    store = Store(tmp_path)
    with store.change() as p:
        p.current = "a"
        p.of("a").at = "two"
        p.of("a").mark("one")
    lines = store.path.read_text().splitlines()
    assert lines[0].startswith("# dockerlings progress")
    assert lines[1:] == ["current a", "lesson a started at=two passed=one"]


def test_a_person_can_edit_it(tmp_path):
    (tmp_path / "progress.txt").write_text(
        "# my notes\n\nlesson a done at=x passed=x,y futurekey=1\nlesson b\ngarbage line\n")
    p = Store(tmp_path).read()
    assert p.current is None
    assert p.lessons["a"].status == "done" and p.lessons["a"].passed == ["x", "y"]
    assert p.lessons["b"].status == "started"
    assert set(p.lessons) == {"a", "b"}


def test_marking_again_moves_between_passed_and_skipped():
    lp = LessonProgress("a")
    lp.mark("s", skipped=True)
    lp.mark("s")
    assert (lp.passed, lp.skipped) == (["s"], [])


def test_missing_file_is_no_progress(tmp_path):
    assert Store(tmp_path / "nowhere").read().lessons == {}
    assert Store(tmp_path / "nowhere").stamp() == ()


def test_stamp_changes_when_another_shell_writes(tmp_path):
    store = Store(tmp_path)
    with store.change() as p:
        p.current = "a"
    before = store.stamp()
    with Store(tmp_path).change() as p:
        p.current = "bb"
    assert store.stamp() != before


def _mark_many(directory: str, worker: int) -> None:
    store = Store(Path(directory))
    for i in range(20):
        with store.change() as p:
            p.of("shared").mark(f"w{worker}-{i}")


def test_several_shells_never_lose_each_others_progress(tmp_path):
    procs = [multiprocessing.Process(target=_mark_many, args=(str(tmp_path), w))
             for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    passed = Store(tmp_path).read().lessons["shared"].passed
    assert sorted(passed) == sorted(f"w{w}-{i}" for w in range(4) for i in range(20))


def test_home():
    assert home({"DOCKERLINGS_HOME": "/x"}) == Path("/x")
    assert home({"XDG_DATA_HOME": "/data", "HOME": "/h"}) == Path("/data/dockerlings")
    assert home({"HOME": "/h"}) == Path("/h/.local/share/dockerlings")


def test_parse_and_text_agree():
    text = "current b\nlesson b started at=s2 passed=s1 captured=c=container:ff,i=image:ee\n"
    p = Progress.parse(text)
    assert p.lessons["b"].captured == {"c": ("container", "ff"), "i": ("image", "ee")}
    assert Progress.parse(p.to_text()).to_text() == p.to_text()


def test_an_older_files_made_words_are_ignored(tmp_path):
    (tmp_path / "progress.txt").write_text(
        "lesson volumes started at=two passed=one made=volume:data@one\n")
    lp = Store(tmp_path).read().lessons["volumes"]
    assert (lp.at, lp.passed) == ("two", ["one"])
    assert "made=" not in lp.to_line()


def test_a_finished_lesson_taken_again_keeps_done(tmp_path):
    store = Store(tmp_path)
    with store.change() as p:
        p.lessons["volumes"] = LessonProgress("volumes", "done", at="one", again=True)
    lp = Store(tmp_path).read().lessons["volumes"]
    assert lp.status == "done" and lp.again and lp.open
    assert "lesson volumes done again at=one" in (tmp_path / "progress.txt").read_text()
    assert not LessonProgress("x", "done").open and LessonProgress("x").open
