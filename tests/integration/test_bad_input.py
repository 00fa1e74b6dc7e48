"""Bad input on a real engine gets Docker's words and Docker's exit status, never
"internal error": names longer than a file name may be, a NUL inside a name, host paths
too long for the file system, and every --since/--until form docker takes (issue 12 §4)."""
from __future__ import annotations

import pytest

from engine.errors import InvalidParameter, NoSuchContainer
from tests.conftest import dockerlings
from tests.integration.cli_helpers import errors, pull

LONG = "a" * 300


@pytest.mark.parametrize("command", [
    f"exec {LONG} true", f"logs {LONG}", f"commit {LONG}", f"rename {LONG} other",
    f"rm {LONG}", f"start {LONG}", f"stop {LONG}", f"kill {LONG}", f"port {LONG}",
    f"top {LONG}", f"wait {LONG}", f"diff {LONG}", f"cp {LONG}:/etc/hostname .",
    f"cp /etc/hostname {LONG}:/tmp", f"container inspect {LONG}",
])
def test_a_name_longer_than_a_file_name_is_no_such_container(sh, command):
    r = sh.run(f"docker {command}")
    assert r.code == 1
    first = errors(r)[0]        # kill says "cannot kill container: NAME: " before it
    assert first.startswith("Error response from daemon: ")
    assert first.endswith(f"No such container: {LONG}")


def test_inspect_of_a_long_name_is_no_such_object(sh):
    r = sh.run(f"docker inspect {LONG}")
    assert (r.code, r.out, errors(r)) == (1, "[]\n", [f"Error: No such object: {LONG}"])


@pytest.mark.parametrize("text", [f"sha256:{LONG}", f"sha256:{'a' * 64}/x"])
def test_an_image_id_that_cannot_be_one_is_no_such_image(sh, engine, text):
    r = sh.run(f"docker rmi {text}")
    assert (r.code, errors(r)) == (1, [f"Error response from daemon: No such image: {text}"])
    r = sh.run(f"docker inspect --type image {text}")
    assert (r.code, errors(r)) == (1, [f"Error response from daemon: No such image: {text}"])
    assert engine.images.find("sha256:ab\0cd") is None


def test_a_nul_in_a_name_is_looked_up_as_nothing(engine):
    """Another door than the shell (the shell refuses NUL lines before they run)."""
    with pytest.raises(NoSuchContainer):
        engine.container("we\0b")
    with pytest.raises(NoSuchContainer):
        engine.container("/" + LONG)
    assert engine.store.name_owner("a/../../etc") is None


def test_names_a_container_cannot_take(sh, engine):
    pull(sh)
    r = sh.run(f"docker create --name {LONG} busybox")
    assert (r.code, errors(r)) == (1, [
        f"Error response from daemon: Invalid container name ({LONG}), a name is at most "
        "255 characters long in dockerlings"])
    with pytest.raises(InvalidParameter, match=r"only \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\] are"):
        from engine.config import ContainerConfig
        engine.create(ContainerConfig(image="busybox"), name="we\0b")
    sh.ok("docker create --name web busybox")
    r = sh.run(f"docker rename web {LONG}")
    assert (r.code, errors(r)) == (1, [
        "Error response from daemon: Error when allocating new name: Invalid container "
        f"name (/{LONG}), a name is at most 255 characters long in dockerlings",
        "Error: failed to rename container named web"])
    assert sh.ok("docker ps -a --format '{{.Names}}'") == "web\n"
    name = "b" * 255                            # the longest a file name may be
    sh.ok(f"docker rename web {name}")
    assert sh.ok(f"docker inspect -f '{{{{.Name}}}}' {name}") == f"/{name}\n"


def test_a_volume_name_too_long_for_a_folder_gets_mkdirs_words(sh, engine):
    r = sh.run(f"docker volume create {LONG}")
    folder = engine.paths.root / "volumes" / LONG
    # moby's volume/local/local.go Create and volume/service/store.go OpErr
    words = (f"create {LONG}: error while creating volume root path '{folder}': mkdir "
             f"{folder}: file name too long")
    assert (r.code, errors(r)) == (1, [f"Error response from daemon: {words}"])
    pull(sh)
    r = sh.run(f"docker run --rm -v {LONG}:/data busybox true")
    assert r.code == 125
    assert errors(r)[0] == f"docker: Error response from daemon: {words}"
    assert sh.ok("docker volume ls -q") == ""


def test_cp_host_paths_too_long_get_the_clis_words(sh, tmp_path):
    pull(sh)
    sh.ok("docker create --name box busybox")
    long_path = tmp_path / LONG
    r = sh.run(f"docker cp box:/etc/hostname {long_path}")
    assert (r.code, errors(r)) == (1, [f"stat {long_path}: file name too long"])
    r = sh.run(f"docker cp {long_path} box:/tmp")
    assert (r.code, errors(r)) == (1, [f"lstat {long_path}: file name too long"])
    r = sh.run(f"docker cp box:/etc/hostname {long_path}/x")
    assert (r.code, errors(r)) == (
        1, [f'invalid output path: directory "{long_path}" does not exist'])


def test_save_and_export_to_a_name_too_long_get_the_clis_words(sh, tmp_path):
    pull(sh)
    sh.ok("docker create --name box busybox")
    for command, doing in (("save busybox", "failed to save image"),
                           ("export box", "failed to export container")):
        r = sh.run(f"docker {command} -o {tmp_path / LONG}")
        assert (r.code, errors(r)) == (1, [f"{doing}: failed to stat output path: lstat "
                                           f"{tmp_path / LONG}: file name too long"])
        name = "b" * 250             # fits, but the temp file beside it would not
        r = sh.run(f"docker {command} -o {tmp_path / name}")
        assert (r.code, errors(r)) == (1, [f"{doing}: createtemp {tmp_path}/.tmp-{name}*: "
                                           "file name too long"])
    assert list(tmp_path.iterdir()) == []


def test_host_files_named_too_long_get_gos_words(sh, tmp_path):
    pull(sh)
    long_path = tmp_path / LONG
    for flag in ("--env-file", "--label-file"):
        r = sh.run(f"docker run {flag} {long_path} busybox true")
        assert r.code == 125
        assert errors(r)[0] == f"docker: open {long_path}: file name too long"
    r = sh.run(f"docker build -f {long_path} .")
    assert (r.code, errors(r)) == (1, ["ERROR: failed to build: failed to solve: failed to "
                                       f"read dockerfile: open {LONG}: file name too long"])
    (tmp_path / "bad.env").write_bytes(b"A=1\nB=\xff\n")
    r = sh.run("docker run --env-file bad.env busybox true")
    assert errors(r)[0] == "docker: env file bad.env contains invalid utf8 bytes at line 2"


def test_build_iidfile_that_cannot_be_written_gets_gos_words(sh, tmp_path):
    pull(sh)
    (tmp_path / "Dockerfile").write_text("FROM busybox\n")
    for path, why in ((tmp_path / LONG, "file name too long"),
                      (tmp_path / "nowhere" / "id", "no such file or directory")):
        r = sh.run(f"docker build -q --iidfile {path} .")
        assert (r.code, errors(r)[-1]) == (1, f"ERROR: open {path}: {why}")


def test_a_bind_source_that_cannot_be_made_gets_the_daemons_words(sh, tmp_path):
    pull(sh)
    source = tmp_path / LONG
    for rm in ("", "--rm "):
        r = sh.run(f"docker run {rm}-v {source}:/x busybox true")
        assert r.code == 125
        assert errors(r)[0] == (f"docker: Error response from daemon: error while creating "
                                f"mount source path '{source}': mkdir {source}: file name "
                                "too long")
    # moby's containerStart removes a --rm container whose start failed; the other stays
    assert sh.ok("docker ps -a --format '{{.Status}}'") == "Created\n"


def test_logs_since_and_until_take_every_form_docker_does(sh):
    pull(sh)
    sh.ok("docker run --name talk busybox echo hello")
    for when in ("2000-01-01", "2000-01-01T10", "2000-01-01T10:00", "2000-01-01T10:00:00",
                 "2000-01-01T10:00:00.5", "2000-01-01Z", "2000-01-01T10:00:00+02:00",
                 "946684800", "946684800.5", "100000h"):
        assert sh.ok(f"docker logs --since {when} talk") == "hello\n", when
        assert sh.ok(f"docker logs --until {when} talk") == "", when
    assert sh.ok("docker logs --since 2999-12-31 talk") == ""
    assert sh.ok("docker logs --until 2999-12-31 talk") == "hello\n"
    assert sh.ok("docker logs --since 0 talk") == "hello\n"


@pytest.mark.parametrize("when, message", [
    ("2020-13-01", 'parsing time "2020-13-01": month out of range'),
    ("2021-02-29", 'parsing time "2021-02-29": day out of range'),
    ("2020-01-01T25", 'parsing time "2020-01-01T25": hour out of range'),
    ("2020-1-1", 'parsing time "2020-1-1" as "2006-01-02": cannot parse "1-1" as "01"'),
    ("2020-01-01x", 'parsing time "2020-01-01x": extra text: "x"'),
    ("yesterday", 'failed to parse value as time or duration: "yesterday"'),
])
def test_logs_with_a_time_docker_refuses(sh, when, message):
    pull(sh)
    sh.ok("docker create --name box busybox")
    r = sh.run(f"docker logs --until {when} box")
    assert (r.code, errors(r)) == (1, [f'invalid value for "until": {message}'])


def test_a_piped_line_with_a_nul_is_reported_and_the_rest_run(engine_root):
    p = dockerlings(root=engine_root, stdin=b"echo a\0b\necho next\ndocker ps -q\0\necho last\n")
    assert p.returncode == 0
    assert p.stdout == b"next\nlast\n"
    assert p.stderr.decode().splitlines() == [
        "dockerlings: this line holds a NUL byte (shown as \\0), which no command can "
        "take; it was not run: echo a\\0b",
        "dockerlings: this line holds a NUL byte (shown as \\0), which no command can "
        "take; it was not run: docker ps -q\\0"]
