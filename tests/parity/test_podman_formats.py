"""The docker CLI's own rendering (columns, time strings, --format), over podman's Docker
API, against dockerlings' rendering of the same small world.

Both sides get the same world: three busybox containers — created, exited (1) and
running — with names and labels, a volume and a network, all labelled with this run's
token (podman's containers are kept off the network with --network none, and so are
dockerlings', to match). The data legitimately differs (IDs, times, podman's
localhost/busybox, podman's ordering of `ps`), so the tests compare structure: header
text, column starts under the tabwriter rule (minwidth 10, padding 3), the shape of
STATUS/CREATED strings, the key sets of `--format json`, and values only where both
engines must agree (names, states, labels, exit codes, commands).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import shutil
import tempfile

import pytest

from .conftest import run_dockerlings

CAN_RUN = os.geteuid() == 0 and shutil.which("busybox") is not None

TOKEN = "par" + secrets.token_hex(3)
NAMES = {"created": f"{TOKEN}-created", "exited": f"{TOKEN}-exited",
         "running": f"{TOKEN}-running"}
VOLUME, NETWORK = f"{TOKEN}-vol", f"{TOKEN}-net"
LABEL = f"label=parity={TOKEN}"


def world_lines(image: str) -> list[str]:
    lab = f"-l parity={TOKEN}"
    return [
        f"docker create --network none --name {NAMES['created']} {lab} -l tier=web {image} true",
        # `false`, not `sh -c 'exit 3'`: for an argument with a space, Docker's COMMAND
        # quotes it ("sh -c 'exit 3'", as dockerlings does) and podman's API does not
        f"docker run --network none --name {NAMES['exited']} {lab} -l tier=db {image} false",
        f"docker run -d --network none --name {NAMES['running']} {lab} -l tier=web {image} "
        "sleep 300",
        f"docker volume create --label parity={TOKEN} {VOLUME}",
        f"docker network create --label parity={TOKEN} {NETWORK}",
    ]


class Side:
    """One engine behind the docker command line: run(line) -> Out."""

    def __init__(self, name, run):
        self.name, self._run = name, run

    def __call__(self, line: str):
        words = shlex.split(line)
        assert words[0] == "docker"
        return self._run(words[1:])


@pytest.fixture(scope="module")
def podman_side(podman_docker):
    side = Side("podman", podman_docker.run)
    try:
        for line in world_lines("localhost/busybox"):
            r = side(line)
            assert r.code in (0, 1) and "Error" not in r.err, f"podman: {line}: {r.err}"
        yield side
    finally:
        for name in NAMES.values():
            side(f"docker rm -f {name}")
        side(f"docker volume rm -f {VOLUME}")
        side(f"docker network rm {NETWORK}")


@pytest.fixture(scope="module")
def dockerlings_side():
    if not CAN_RUN:
        pytest.skip("real containers in dockerlings: needs root and a static busybox")
    from engine.engine import Engine
    from engine.paths import Paths
    root = tempfile.mkdtemp(prefix="dlq-", dir="/tmp")
    old = os.environ.get("DOCKERLINGS_ROOT")
    os.environ["DOCKERLINGS_ROOT"] = root
    eng = Engine(Paths.from_env())
    side = Side("dockerlings", lambda argv: run_dockerlings(argv, engine=eng, cwd=root))
    try:
        assert side("docker pull -q busybox").code == 0     # made offline, quietly
        for line in world_lines("busybox"):
            r = side(line)
            assert r.code in (0, 1) and r.err == "", f"dockerlings: {line}: {r.err}"
        yield side
    finally:
        eng.reset()
        if old is None:
            os.environ.pop("DOCKERLINGS_ROOT", None)
        else:
            os.environ["DOCKERLINGS_ROOT"] = old
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def sides(podman_side, dockerlings_side):
    return podman_side, dockerlings_side


def both(sides, line: str):
    theirs, ours = (side(line) for side in sides)
    assert theirs.code == 0, f"podman's API refused {line!r}: {theirs.err}"
    assert ours.code == theirs.code, ours.err
    assert ours.err == theirs.err
    return theirs.out, ours.out


# --- normalising what legitimately differs -----------------------------------------------

DURATION = re.compile(r"Less than a second|About a minute|About an hour|"
                      r"\d+ (?:second|minute|hour|day|week|month|year)s?")
GO_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? [+-]\d{4} \S+")


# dockerlings' offline busybox image carries a label saying where it came from, which
# its containers inherit (as Docker's do an image's labels); podman's import has none.
SOURCE_LABEL = re.compile(r"org\.dockerlings\.source[=:].*?made offline by dockerlings[, ]?")


def norm(text: str) -> str:
    """Times become <T>, IDs <ID>, podman's image name dockerlings'."""
    text = SOURCE_LABEL.sub("", text)
    text = GO_TIME.sub("<TIME>", text)
    text = DURATION.sub("<T>", text)
    text = re.sub(r"\b[0-9a-f]{64}\b", "<LONGID>", text)
    text = re.sub(r"\b[0-9a-f]{12}\b", "<ID>", text)
    return text.replace("localhost/busybox", "busybox")


def ps_norm(text: str) -> str:
    """ps's IMAGE is the reference as the user typed it (Config.Image) in Docker and
    dockerlings; podman's API sends the normalised name."""
    return re.sub(r"busybox:latest\b", "busybox", norm(text))


def table_columns(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """(header titles, rows as {title: cell}), after checking the text is laid out as
    docker's tabwriter does it: each column is as wide as its widest cell plus 3
    spaces of padding, and never narrower than 10."""
    lines = text.rstrip("\n").split("\n")
    header = lines[0]
    spans = [(m.start(), m.group()) for m in re.finditer(r"\S+(?: \S+)*", header)]
    starts = [s for s, _ in spans] + [None]
    rows = []
    for line in lines:
        cells = [line[starts[i]:starts[i + 1]] for i in range(len(spans))]
        for i, cell in enumerate(cells[:-1]):
            assert cell.endswith("   ") or cell.strip() == "", f"cell overflows: {line!r}"
        rows.append([c.rstrip() for c in cells])
    for i in range(len(spans) - 1):
        widest = max(len(r[i]) for r in rows)
        assert starts[i + 1] - starts[i] == max(10, widest + 3), (
            f"column {spans[i][1]!r} starts are not tabwriter's:\n{text}")
    titles = [t for _, t in spans]
    return titles, [dict(zip(titles, r)) for r in rows[1:]]


# --- ps -------------------------------------------------------------------------------------

def test_ps_default_table(sides):
    theirs, ours = both(sides, f"docker ps -a --filter {LABEL}")
    their_titles, their_rows = table_columns(theirs)
    our_titles, our_rows = table_columns(ours)
    assert our_titles == their_titles
    # podman orders its list its own way; compare the rows by name
    def rows_by_name(rows):
        return {r["NAMES"]: {c: ps_norm(v) for c, v in r.items()} for r in rows}
    assert rows_by_name(our_rows) == rows_by_name(their_rows)


def test_ps_lists_newest_first(dockerlings_side):
    out = dockerlings_side(f"docker ps -a --filter {LABEL} --format '{{{{.Names}}}}'").out
    assert out.split() == [NAMES["running"], NAMES["exited"], NAMES["created"]]


PS_FORMATS = [
    "{{.Names}}",
    "{{.Status}}",
    "{{.State}}",
    "{{.Labels}}",
    '{{.Label "tier"}}',
    "{{.Command}}",
    "{{.Image}}",
    "{{.Ports}}",
    "{{.ID}}",
    "{{.RunningFor}}",
    "{{.CreatedAt}}",
    "{{.LocalVolumes}}",
    "{{.Names}}: {{.State}} {{.Status}}",
    '{{.Names}}\\t{{.Label "parity"}}',
    "{{json .Labels}}",
    "{{upper .State}} {{len .Names}}",
    '{{if eq .State "running"}}up{{else}}down{{end}} {{.Names}}',
]


@pytest.mark.parametrize("fmt", PS_FORMATS)
def test_ps_template(sides, fmt):
    theirs, ours = both(sides, f"docker ps -a --filter {LABEL} --format {shlex.quote(fmt)}")
    assert sorted(ps_norm(ours).splitlines()) == sorted(ps_norm(theirs).splitlines())


def test_ps_no_trunc_id(sides):
    theirs, ours = both(sides, f"docker ps -a --no-trunc --filter {LABEL} --format '{{{{.ID}}}}'")
    assert ps_norm(ours) == ps_norm(theirs) == "<LONGID>\n" * 3


TABLE_FORMATS = [
    'table {{.Names}}\\t{{.Status}}\\t{{.Label "tier"}}',
    "table {{.ID}}\\t{{.State}}\\t{{.RunningFor}}",
    "table {{.Names}}\\t{{.Labels}}\\t{{.Ports}}",
    "table",
    'table {{.Names}}\\t{{.Label "org.example.image-title"}}\\t{{.Label "tier"}}',
]


@pytest.mark.parametrize("fmt", TABLE_FORMATS)
def test_ps_table_template(sides, fmt):
    theirs, ours = both(sides, f"docker ps -a --filter {LABEL} --format {shlex.quote(fmt)}")
    their_titles, their_rows = table_columns(theirs)
    our_titles, our_rows = table_columns(ours)
    assert our_titles == their_titles
    key = lambda r: sorted((k, ps_norm(v)) for k, v in r.items())   # noqa: E731
    assert sorted(map(key, our_rows)) == sorted(map(key, their_rows))


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


# Keys whose values come from the engine's own data and legitimately differ.
PS_JSON_ENGINE_VALUES = {
    "ID", "CreatedAt", "RunningFor", "Status",        # times and IDs: compared by shape
    "Networks",      # podman reports "" for --network none where Docker says "none"
    "Size",          # podman's sizes (its layer is an import of the static busybox)
}


def test_ps_json(sides):
    theirs, ours = both(sides, f"docker ps -a --filter {LABEL} --format json")
    their_rows, our_rows = json_lines(theirs), json_lines(ours)
    assert [sorted(r) for r in our_rows] == [sorted(r) for r in their_rows]
    shape = lambda r: {k: (ps_norm(v) if isinstance(v, str) else v) for k, v in r.items()  # noqa
                       if k not in PS_JSON_ENGINE_VALUES or k in ("Status", "RunningFor")}
    assert (sorted(map(json.dumps, map(shape, our_rows)))
            == sorted(map(json.dumps, map(shape, their_rows))))


@pytest.mark.parametrize("line", [
    f"docker ps --filter {LABEL} --format '{{{{.Names}}}}'",
    f"docker ps -a --filter {LABEL} --filter status=exited "
    "--format '{{.Names}} {{.Status}}'",
    f"docker ps -a --filter {LABEL} --filter label=tier=web --format '{{{{.Names}}}}'",
    f"docker ps -a --filter name={TOKEN}-ex --format '{{{{.Names}}}}'",
])
def test_ps_filters(sides, line):
    theirs, ours = both(sides, line)
    assert sorted(ps_norm(ours).splitlines()) == sorted(ps_norm(theirs).splitlines())


def test_ps_quiet(sides):
    theirs, ours = both(sides, f"docker ps -a -q --filter {LABEL}")
    assert ps_norm(ours) == ps_norm(theirs) == "<ID>\n" * 3


# --- images ----------------------------------------------------------------------------------

IMAGE_REF = {"podman": "localhost/busybox", "dockerlings": "busybox"}


def image_both(sides, args: str):
    outs = []
    for side in sides:
        r = side(f"docker images {args} {IMAGE_REF[side.name]}")
        assert r.code == 0 and r.err == "", (side.name, r.err)
        outs.append(r.out)
    return outs


def test_images_default_table(sides):
    theirs, ours = image_both(sides, "")
    their_titles, their_rows = table_columns(theirs)
    our_titles, our_rows = table_columns(ours)
    assert our_titles == their_titles == ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]
    assert len(our_rows) == len(their_rows) == 1
    o, t = our_rows[0], their_rows[0]
    assert norm(o["REPOSITORY"]) == norm(t["REPOSITORY"]) and o["TAG"] == t["TAG"]
    assert norm(o["IMAGE ID"]) == norm(t["IMAGE ID"]) == "<ID>"
    assert norm(o["CREATED"]) == norm(t["CREATED"]) == "<T> ago"
    size = re.compile(r"^\d+(\.\d+)?(B|kB|MB|GB)$")
    assert size.match(o["SIZE"]) and size.match(t["SIZE"])


@pytest.mark.parametrize("fmt", ["{{.Repository}}:{{.Tag}}", "{{.ID}}", "{{.CreatedSince}}",
                                 "{{.CreatedAt}}"])
# (not {{.Containers}}, {{.Digest}} or {{.Size}}: podman's API sends a container count
# where Docker sends -1 (shown N/A), a digest for an imported image, its own sizes)
def test_images_template(sides, fmt):
    theirs, ours = image_both(sides, f"--format {shlex.quote(fmt)}")
    assert norm(ours) == norm(theirs)


def test_images_table_template(sides):
    theirs, ours = image_both(sides, "--format 'table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}'")
    their_titles, their_rows = table_columns(theirs)
    our_titles, our_rows = table_columns(ours)
    assert our_titles == their_titles == ["REPOSITORY", "TAG", "IMAGE ID"]
    assert ([{k: norm(v) for k, v in r.items()} for r in our_rows]
            == [{k: norm(v) for k, v in r.items()} for r in their_rows])


def test_images_json_keys(sides):
    theirs, ours = image_both(sides, "--format json")
    assert [sorted(r) for r in json_lines(ours)] == [sorted(r) for r in json_lines(theirs)]


def test_images_quiet(sides):
    theirs, ours = image_both(sides, "-q")
    assert norm(ours) == norm(theirs) == "<ID>\n"


# --- volumes and networks ---------------------------------------------------------------

@pytest.mark.parametrize("args", [
    "", "-q", "--format '{{.Name}} {{.Driver}} {{.Labels}} {{.Scope}}'",
    "--format '{{.Label \"parity\"}}'", "--format 'table {{.Name}}\\t{{.Driver}}'",
])
def test_volume_ls(sides, args):
    theirs, ours = both(sides, f"docker volume ls --filter {LABEL} {args}")
    assert ours == theirs


# Volume keys podman's API fills with its own values: its Mountpoint is under
# /var/lib/containers, dockerlings' under its engine root.
def test_volume_ls_json(sides):
    theirs, ours = both(sides, f"docker volume ls --filter {LABEL} --format json")
    their_rows, our_rows = json_lines(theirs), json_lines(ours)
    assert [sorted(r) for r in our_rows] == [sorted(r) for r in their_rows]
    drop = lambda r: {k: v for k, v in r.items() if k != "Mountpoint"}   # noqa: E731
    assert list(map(drop, our_rows)) == list(map(drop, their_rows))


@pytest.mark.parametrize("args", [
    "", "-q", "--no-trunc -q", "--format '{{.Name}} {{.Driver}} {{.Scope}}'",
    "--format '{{.Name}} {{.Labels}} {{.Internal}} {{.IPv6}}'",
    "--format 'table {{.Name}}\\t{{.Driver}}'",
])
def test_network_ls(sides, args):
    theirs, ours = both(sides, f"docker network ls --filter {LABEL} {args}")
    assert norm(ours) == norm(theirs)


# podman's API (1.41) has no EnableIPv4, so the CLI shows "false" where Docker 28 (and
# dockerlings) say "true" for a bridge network.
def test_network_ls_json(sides):
    theirs, ours = both(sides, f"docker network ls --filter {LABEL} --format json")
    their_rows, our_rows = json_lines(theirs), json_lines(ours)
    assert [sorted(r) for r in our_rows] == [sorted(r) for r in their_rows]
    shape = lambda r: {k: norm(v) for k, v in r.items() if k != "IPv4"}   # noqa: E731
    assert list(map(shape, our_rows)) == list(map(shape, their_rows))


# --- inspect ----------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", [
    "{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{.State.Running}}",
    "{{.Config.Labels}} {{index .Config.Labels \"tier\"}}",
    "{{.Config.Cmd}} {{json .Config.Cmd}}",
    "{{.HostConfig.NetworkMode}}",
])
def test_inspect_template(sides, fmt):
    names = " ".join(NAMES.values())
    theirs, ours = both(sides, f"docker inspect --format {shlex.quote(fmt)} {names}")
    assert norm(ours) == norm(theirs)
