"""Rows of `docker ps`, `docker images` and `docker history` (shell.render.views).

Expectations from moby's State.String() (status strings) and the formatter contexts of
docker/cli 28.2.2.
"""
from __future__ import annotations

import calendar
import json
import time

import pytest

from engine.util import timeutil
from engine.config import ContainerConfig, HostConfig
from engine.store.containers import Container, State
from engine.store.images import Image
from shell.render.views import ContainerRow, HistoryRow, ImageRow, command_text, status_text

NOW = float(calendar.timegm((2026, 11, 27, 20, 37, 26, 0, 0, 0)))
CID = "ca0fc2430c45d5e5774994665dad35f4834282aacdf669e62174f933d2ca084e"
IMG = "sha256:b81fb415e35c0d3c5a4b6a1a8d4e1c6f7a2b3c4d5e6f708192a3b4c5d6e7f809"


def iso(epoch: float) -> str:
    return timeutil.format_ns(int(round(epoch * 1e9)))


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# --- status strings (§7.1) ---------------------------------------------------------------

@pytest.mark.parametrize("state, text", [
    (State(status="running", started_at=iso(NOW - 0.3)), "Up Less than a second"),
    (State(status="running", started_at=iso(NOW - 1)), "Up 1 second"),
    (State(status="running", started_at=iso(NOW - 26)), "Up 26 seconds"),
    (State(status="running", started_at=iso(NOW - 90)), "Up About a minute"),
    (State(status="running", started_at=iso(NOW - 120)), "Up 2 minutes"),
    (State(status="running", started_at=iso(NOW - 3600)), "Up About an hour"),
    (State(status="running", started_at=iso(NOW - 5 * 3600)), "Up 5 hours"),
    (State(status="running", started_at=iso(NOW - 3 * 86400)), "Up 3 days"),
    (State(status="paused", started_at=iso(NOW - 300)), "Up 5 minutes (Paused)"),
    (State(status="restarting", exit_code=1, started_at=iso(NOW - 10),
           finished_at=iso(NOW - 3)), "Restarting (1) 3 seconds ago"),
    (State(status="removing", started_at=iso(NOW - 10), finished_at=iso(NOW - 5)),
     "Removal In Progress"),
    (State(status="dead", started_at=iso(NOW - 10), finished_at=iso(NOW - 5)), "Dead"),
    (State(status="created"), "Created"),
    (State(status="exited", exit_code=0, started_at=iso(NOW - 10), finished_at=iso(NOW - 5)),
     "Exited (0) 5 seconds ago"),
    (State(status="exited", exit_code=137, started_at=iso(NOW - 200),
           finished_at=iso(NOW - 90)), "Exited (137) About a minute ago"),
    (State(status="exited", exit_code=3, started_at=iso(NOW - 9000),
           finished_at=iso(NOW - 7200)), "Exited (3) 2 hours ago"),
    # a start that failed: StartedAt stays zero, so docker shows "Created" (§7.5)
    (State(status="exited", exit_code=127, finished_at=iso(NOW - 5)), "Created"),
    # started, not running, but no finish time: the empty string
    (State(status="exited", started_at=iso(NOW - 10)), ""),
])
def test_status_text(state, text):
    assert status_text(state, NOW) == text


def test_status_text_defaults_to_the_current_time():
    state = State(status="running", started_at=iso(time.time() - 26))
    assert status_text(state) in ("Up 26 seconds", "Up 27 seconds")


# --- the command string and its quoting ------------------------------------------------

@pytest.mark.parametrize("path, args, text", [
    ("sh", [], "sh"),
    ("sh", ["-c", "echo hi"], "sh -c 'echo hi'"),
    ("sleep", ["1000"], "sleep 1000"),
    ("/bin/my prog", ["a"], "/bin/my prog a"),        # the path is never quoted
    ("echo", ["a\tb"], "echo a\tb"),                  # only a space makes quotes
    ("echo", ["it's here"], "echo 'it's here'"),      # and nothing is escaped
    ("echo", [""], "echo "),
    ("echo", ["a", "b c", "d"], "echo a 'b c' d"),
])
def test_command_text(path, args, text):
    assert command_text(path, args) == text


def container(path="sh", args=("-c", "echo hello world"), state=None, labels=(), mounts=(),
              networks=None, name="web", created=NOW - 3600) -> Container:
    return Container(
        id=CID, name=name, created=iso(created), path=path, args=list(args),
        config=ContainerConfig(image="busybox", labels=tuple(labels)), host=HostConfig(),
        image_id=IMG, layers=[],
        state=state or State(status="running", started_at=iso(NOW - 26)),
        networks=networks if networks is not None else {"bridge": {}}, mounts=list(mounts))


def row(**kw) -> ContainerRow:
    opts = {k: kw.pop(k) for k in ("trunc", "size", "ports") if k in kw}
    return ContainerRow(container(**kw), "busybox", now=NOW, **opts)


@pytest.mark.parametrize("args, shown", [
    (("-c", "echo hello world"), "\"sh -c 'echo hello w…\""),
    (("-c", "true"), "\"sh -c true\""),
    (("-c", 'echo "hi"'), "\"sh -c 'echo \\\"hi\\\"'\""),
    (("a\\b",), '"sh a\\\\b"'),
    (("a\nb",), '"sh a\\nb"'),
    (("a\tb",), '"sh a\\tb"'),
    (("\x1b[0m",), '"sh \\x1b[0m"'),
    (("\x7f",), '"sh \\x7f"'),
    (("é✓",), '"sh é✓"'),                           # printable non-ASCII is kept
])
def test_command_column_is_ellipsis_then_strconv_quote(args, shown):
    assert row(args=args).Command == shown


@pytest.mark.parametrize("char, escaped", [
    ("\r", "\\r"), ("\a", "\\a"), ("\b", "\\b"), ("\f", "\\f"), ("\v", "\\v"),
    ("\u00a0", "\\u00a0"), ("\u200b", "\\u200b"), ("\u2028", "\\u2028"),
])
def test_command_column_escapes_like_go(char, escaped):
    # strconv.Quote: Go's own escapes for control characters, \u for non-printable runes
    assert row(args=(f"a{char}b",)).Command == f'"sh a{escaped}b"'


def test_command_not_truncated_with_no_trunc():
    assert row(trunc=False).Command == "\"sh -c 'echo hello world'\""


# --- ContainerRow ------------------------------------------------------------------------

def test_container_row_fields():
    r = ContainerRow(
        container(labels=(("b", "2"), ("a", "1")),
                  mounts=[{"Name": "a-very-long-volume-name", "Driver": "local"},
                          {"Source": "/srv/data", "Driver": ""}],
                  networks={"net2": {}, "bridge": {}}),
        "busybox", ports="0.0.0.0:8080->80/tcp", now=NOW)
    assert r.ID == CID[:12]
    assert r.Image == "busybox"
    assert r.CreatedAt == "2026-11-27 19:37:26 +0000 UTC"
    assert r.RunningFor == "About an hour ago"
    assert r.Ports == "0.0.0.0:8080->80/tcp"
    assert r.State == "running"
    assert r.Status == "Up 26 seconds"
    assert r.Names == "web"
    assert r.Labels == "a=1,b=2"
    assert r.Label("a") == "1" and r.Label("nope") == ""
    assert r.Mounts == "a-very-long-vo…,/srv/data"
    assert r.LocalVolumes == "1"
    assert r.Networks == "bridge,net2"
    assert r.Platform is None
    assert r.Size == "0B"


def test_container_row_no_trunc():
    r = ContainerRow(container(mounts=[{"Name": "a-very-long-volume-name"}]), "busybox",
                     trunc=False, now=NOW)
    assert r.ID == CID
    assert r.Mounts == "a-very-long-volume-name"


@pytest.mark.parametrize("size, text", [
    (None, "0B"),
    ((12, 1984234), "12B (virtual 1.98MB)"),
    ((0, 1984234), "0B (virtual 1.98MB)"),
    ((8704, 0), "8.7kB"),
])
def test_container_row_size(size, text):
    assert row(size=size).Size == text


def test_container_row_state_follows_the_container():
    r = row(state=State(status="exited", exit_code=0, started_at=iso(NOW - 10),
                        finished_at=iso(NOW - 5)))
    assert (r.State, r.Status) == ("exited", "Exited (0) 5 seconds ago")
    r = row(state=State(status="created"))
    assert (r.State, r.Status) == ("created", "Created")


CONTAINER_KEYS = ["Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes", "Mounts",
                  "Names", "Networks", "Platform", "Ports", "RunningFor", "Size", "State",
                  "Status"]


def test_container_row_json_keys_in_dockers_order():
    data = row().__json__()
    assert list(data) == CONTAINER_KEYS
    assert data["Platform"] is None
    assert all(isinstance(v, str) for k, v in data.items() if k != "Platform")
    assert json.dumps(data).startswith('{"Command": ')


def test_container_row_headers_and_default():
    assert ContainerRow.DEFAULT == ("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t"
                                    "{{.Status}}\t{{.Ports}}\t{{.Names}}")
    h = ContainerRow.HEADERS
    assert [h[k] for k in ("ID", "Image", "Command", "RunningFor", "Status", "Ports", "Names",
                           "Size", "CreatedAt", "State", "Labels", "Mounts", "LocalVolumes",
                           "Networks", "Platform")] == [
        "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES", "SIZE",
        "CREATED AT", "STATE", "LABELS", "MOUNTS", "LOCAL VOLUMES", "NETWORKS", "PLATFORM"]
    assert ContainerRow.__go_type__ == "*formatter.ContainerContext"


# --- ImageRow ------------------------------------------------------------------------------

def image(created=NOW - 2 * 86400, size=1984234) -> Image:
    text = iso(created) if isinstance(created, float) else created
    return Image(id=IMG, config={"created": text},
                 parent=None, layers=[], size=size, manifest="sha256:" + "0" * 64,
                 repo_tags=["busybox:latest"])


def test_image_row_fields():
    r = ImageRow(image(), "busybox", "latest", now=NOW)
    assert r.ID == IMG[7:19]
    assert (r.Repository, r.Tag) == ("busybox", "latest")
    assert r.Digest == "<none>"
    assert r.CreatedSince == "2 days ago"
    assert r.CreatedAt == "2026-11-25 20:37:26 +0000 UTC"
    assert r.Size == "1.98MB"
    assert r.VirtualSize == "1.984MB"
    assert (r.Containers, r.SharedSize, r.UniqueSize) == ("N/A", "N/A", "N/A")


def test_image_row_no_trunc_keeps_the_algorithm():
    assert ImageRow(image(), "busybox", "latest", trunc=False, now=NOW).ID == IMG


def test_image_row_dangling_and_zero_time():
    r = ImageRow(image(created=timeutil.ZERO), "<none>", "<none>", now=NOW)
    assert (r.Repository, r.Tag) == ("<none>", "<none>")
    assert r.CreatedSince == ""          # the default table prints N/A for it


def test_image_row_created_at_the_unix_epoch_is_a_real_time():
    # time.Unix(0, 0) is not Go's zero time: docker says "56 years ago", not N/A
    r = ImageRow(image(created=0.0), "distroless", "latest", now=NOW)
    assert r.CreatedSince == "56 years ago"
    assert r.CreatedAt == "1970-01-01 00:00:00 +0000 UTC"


IMAGE_KEYS = ["Containers", "CreatedAt", "CreatedSince", "Digest", "ID", "Repository",
              "SharedSize", "Size", "Tag", "UniqueSize", "VirtualSize"]


def test_image_row_json_keys_in_dockers_order():
    data = ImageRow(image(), "busybox", "latest", now=NOW).__json__()
    assert list(data) == IMAGE_KEYS
    assert data["Digest"] == "<none>"


def test_image_row_headers_and_defaults():
    assert ImageRow.DEFAULT == ("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}"
                                "{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}")
    assert ImageRow.DEFAULT_DIGESTS == (
        "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}"
        "{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}")
    h = ImageRow.HEADERS
    assert [h[k] for k in ("Repository", "Tag", "ID", "CreatedSince", "Size", "Digest",
                           "CreatedAt")] == ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE",
                                             "DIGEST", "CREATED AT"]
    assert ImageRow.__go_type__ == "*formatter.ImageContext"


# --- HistoryRow ----------------------------------------------------------------------------

def history(**kw) -> dict:
    out = {"Id": IMG, "Created": iso(NOW - 3 * 3600),
           "CreatedBy": "/bin/sh -c #(nop)\tCMD [\"sh\"]", "Size": 1984234, "Comment": ""}
    out.update(kw)
    return out


def test_history_row_fields():
    r = HistoryRow(history(), now=NOW)
    assert r.ID == IMG[7:19]
    assert r.CreatedSince == "3 hours ago"
    assert r.CreatedAt == "2026-11-27T17:37:26Z"
    assert r.CreatedBy == '/bin/sh -c #(nop) CMD ["sh"]'
    assert r.Size == "1.98MB"
    assert r.Comment == ""


def test_history_row_missing_layer_id():
    assert HistoryRow(history(Id="<missing>"), now=NOW).ID == "<missing>"


def test_history_row_created_by_is_cut_at_45_columns():
    long_by = "/bin/sh -c #(nop) ADD file:9598f0d380de74d25fa0d1b0b2fa9b8a5c17c5e6 in / "
    r = HistoryRow(history(CreatedBy=long_by), now=NOW)
    assert r.CreatedBy == "/bin/sh -c #(nop) ADD file:9598f0d380de74d25…"
    assert HistoryRow(history(CreatedBy=long_by), trunc=False, now=NOW).CreatedBy == long_by


def test_history_row_no_trunc_and_raw():
    r = HistoryRow(history(), trunc=False, human=False, now=NOW)
    assert r.ID == IMG
    assert r.CreatedSince == r.CreatedAt == "2026-11-27T17:37:26Z"
    assert r.Size == "1984234"


@pytest.mark.parametrize("created, text", [
    (calendar.timegm((1999, 12, 31, 0, 0, 0, 0, 0, 0)), "N/A"),
    (calendar.timegm((2000, 1, 1, 0, 0, 0, 0, 0, 0)), "N/A"),     # <= 2000-01-01 is N/A
    (calendar.timegm((2000, 1, 1, 0, 0, 1, 0, 0, 0)), "26 years ago"),
])
def test_history_row_before_2000_is_not_applicable(created, text):
    assert HistoryRow(history(Created=iso(created)), now=NOW).CreatedSince == text


HISTORY_KEYS = ["Comment", "CreatedAt", "CreatedBy", "CreatedSince", "ID", "Size"]


def test_history_row_json_keys_in_dockers_order():
    assert list(HistoryRow(history(), now=NOW).__json__()) == HISTORY_KEYS


def test_history_row_headers_and_defaults():
    assert HistoryRow.DEFAULT == ("table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t"
                                  "{{.Comment}}")
    assert HistoryRow.DEFAULT_RAW == ("table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t"
                                      "{{.Size}}\t{{.Comment}}")
    h = HistoryRow.HEADERS
    assert [h[k] for k in ("ID", "CreatedSince", "CreatedAt", "CreatedBy", "Size",
                           "Comment")] == ["IMAGE", "CREATED", "CREATED AT", "CREATED BY",
                                           "SIZE", "COMMENT"]


def test_rows_expose_no_private_fields_in_json():
    for data in (row().__json__(), ImageRow(image(), "b", "l", now=NOW).__json__(),
                 HistoryRow(history(), now=NOW).__json__()):
        assert not any(k.startswith("_") for k in data)
