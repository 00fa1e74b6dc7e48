"""Loading lesson files: every broken fixture gives exactly the errors written at its end
(`# error: LINE:COLUMN: message`), and good files load into the model."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lessons import format as fmt
from lessons.loader import LessonErrors, load, load_all
from lessons.model import Command
from lessons.source import LessonError
from tests.unit.lessons_fixtures.fakes import check

FIXTURES = Path(__file__).parent / "lessons_fixtures"
BROKEN = sorted((FIXTURES / "broken").glob("*.yaml"))
ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
format: 1
id: sample
title: Sample
chapter: "1-1"
summary: A sample.
images: [busybox]
files:
  notes.txt: some notes
steps:
  - id: first
    title: First
    text: Do the first thing.
    hints: [one, two]
    checks:
      - container: {image: busybox, status: [exited, running], memory: 64m,
                    env: [A=1, B], file: {path: /x, contains: hi}}
        capture: box
        message: Nothing yet.
    solve:
      - docker run busybox true
      - {run: docker run -ti busybox sh, input: "exit\\n", status: 0}
    explain: Done.
  - id: second
    title: Second
    text: Then this.
    checks:
      - any:
          - image: {from_captured: box, cmd: [sh]}
          - not: {container: {captured: box, status: running}}
        message: Not yet.
      - typed: {docker: ps, flags: all}
        message: Look.
    solve: [docker ps -a]
    explain: Good.
    may_pass_before: the first step already did it
    timeout: 3
recap: Learnt.
explore: [more]
"""


def expected_errors(path: Path) -> list[str]:
    return [line[len("# error: "):].rstrip("\n") for line in path.read_text().splitlines()
            if line.startswith("# error: ")]


def errors_of(path: Path) -> list[str]:
    try:
        load(path)
    except LessonErrors as e:
        return [f"{x.line}:{x.column}: {x.message}" for x in e.errors]
    except LessonError as e:
        return [f"{e.line}:{e.column}: {e.message}"]
    return []


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_lesson_gives_its_error(path):
    wanted = expected_errors(path)
    assert wanted, f"{path.name} says which error it must give"
    assert errors_of(path) == wanted


def test_errors_name_the_file(tmp_path):
    path = FIXTURES / "broken" / "unknown-key.yaml"
    with pytest.raises(LessonErrors) as e:
        load(path)
    assert str(e.value) == f"{path}:8:5: unknown key 'titel' in a step (did you mean 'title'?)"


def test_good_lesson_loads(tmp_path):
    path = tmp_path / "sample.yaml"
    path.write_text(GOOD)
    lesson = load(path)
    assert (lesson.id, lesson.title, lesson.images) == ("sample", "Sample", ["busybox"])
    assert lesson.files["notes.txt"].content() == b"some notes"
    first, second = lesson.steps
    check = first.checks[0]
    assert check.kind == "container" and check.capture == "box"
    assert check.spec == {"image": "busybox", "status": ["exited", "running"],
                          "memory": 64 * 1024 * 1024, "env": {"A": "1", "B": None},
                          "file": [{"path": "/x", "contains": ["hi"]}]}
    assert first.solve == [Command("docker run busybox true"),
                           Command("docker run -ti busybox sh", "exit\n", 0)]
    assert first.hints == ["one", "two"]
    assert [c.kind for c in second.checks[0].walk()] == ["any", "image", "not", "container"]
    assert second.checks[1].spec == {"docker": "ps", "flags": ["all"]}
    assert second.may_pass_before and second.timeout == 3.0
    assert first.captures() == {"box": "container"}
    assert lesson.capture_origins() == {"box": 0}


def test_a_file_copied_from_next_to_the_lesson(tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "Dockerfile").write_text("FROM busybox\n")
    path = tmp_path / "l.yaml"
    path.write_text(GOOD.replace("  notes.txt: some notes",
                                 "  Dockerfile: {from: files/Dockerfile}"))
    assert load(path).files["Dockerfile"].content() == b"FROM busybox\n"


def test_a_folder_with_one_id_twice(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    lessons, errors = load_all([tmp_path])
    assert [l.path.name for l in lessons] == ["a.yaml"]
    assert [str(e) for e in errors] == [
        f"{tmp_path / 'b.yaml'}:2:5: lesson id 'sample' is already used by {tmp_path / 'a.yaml'}"]


def test_all_errors_of_a_file_are_reported(tmp_path):
    path = tmp_path / "l.yaml"
    path.write_text(GOOD.replace("title: First", "titel: First")
                    .replace("memory: 64m", "memory: lots"))
    assert errors_of(path) == [
        "11:5: unknown key 'titel' in a step (did you mean 'title'?)",
        "15:72: 'memory' should be a size like 64m or a number of bytes"]


def test_size_parsing():
    assert fmt.size_bytes("64m") == 64 << 20
    assert fmt.size_bytes("1.5g") == int(1.5 * (1 << 30))
    assert fmt.size_bytes("512k") == 512 << 10
    assert fmt.size_bytes("100") == 100
    assert fmt.size_bytes("64MB") == 64 << 20
    assert fmt.size_bytes("lots") is None


def test_published_schema_is_the_format():
    """content/lesson.schema.json is generated: `dockerlings lessons schema` rewrites it."""
    published = json.loads((ROOT / "content" / "lesson.schema.json").read_text())
    assert published == json.loads(json.dumps(fmt.schema()))


def test_schema_knows_every_check_field():
    schema = fmt.schema()
    for name, check_type in fmt.CHECK_TYPES.items():
        assert set(schema["$defs"][name]["properties"]) == set(check_type.fields)
    assert set(schema["$defs"]["check"]["properties"]) == set(fmt.CHECK_KEYS) | set(fmt.COMMON)


def test_authoring_guide_documents_every_check_type_and_field():
    guide = (ROOT / "docs" / "authoring.md").read_text()
    for name, check_type in fmt.CHECK_TYPES.items():
        assert f"### {name}" in guide, f"docs/authoring.md has no section for '{name}'"
        for field in check_type.fields:
            assert f"`{field}`" in guide, f"docs/authoring.md never mentions '{field}'"
    for field in list(fmt.STEP.fields) + list(fmt.LESSON.fields):
        assert f"`{field}`" in guide, f"docs/authoring.md never mentions '{field}'"


def _guide_check_examples() -> list[str]:
    """The YAML examples of the guide's check reference: blocks that are a list of
    checks (each item starts with a check type)."""
    guide = (ROOT / "docs" / "authoring.md").read_text()
    reference = guide.split("## Checks", 1)[1].split("## Captures", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", reference, re.S)
    return [b for b in blocks if b.startswith("- ")]


def test_every_check_example_in_the_authoring_guide_loads():
    import yaml
    examples = _guide_check_examples()
    assert len(examples) >= 8
    for block in examples:
        for item in yaml.safe_load(block):
            check(yaml.safe_dump(item))          # fails with the validation errors


def test_container_port_may_be_a_number():
    c = check("port: {container: web, container_port: 80, answers: Welcome}")
    assert c.spec["container_port"] == "80"
