"""Each mistake of the mistakes table made for real, on an engine of the test's own:
Docker's own message first, then one plain-words `hint:` line."""
from __future__ import annotations

import socket

import pytest

from shell.cli import spec
from tests.integration.cli_helpers import pull, wait_status


def hint_of(result) -> str:
    lines = [l for l in result.err.splitlines() if l.startswith("hint: ")]
    assert len(lines) == 1, result.err
    return lines[0]


def docker_lines(result) -> list[str]:
    return [l for l in result.err.splitlines() if l and not l.startswith("hint: ")]


def test_flag_after_the_image(sh):
    pull(sh)
    r = sh.run("docker run busybox --rm")
    assert r.code == 127
    assert 'exec: "--rm": executable file not found in $PATH' in r.err
    assert "--rm came after the image name" in hint_of(r)
    assert "docker run --rm busybox" in hint_of(r)


def test_rm_with_one_dash(sh):
    r = sh.run("docker run -rm busybox")
    assert docker_lines(r)[0] == "unknown shorthand flag: 'r' in -rm"
    assert "write --rm" in hint_of(r)


def test_uppercase_image_name(sh):
    r = sh.run("docker run Busybox")
    assert "must be lowercase" in docker_lines(r)[0]
    assert "try busybox" in hint_of(r)


def test_removing_a_running_container(sh):
    pull(sh)
    sh.ok("docker run -d --name web busybox sleep 30")
    r = sh.run("docker rm web")
    assert r.code == 1 and "container is running" in docker_lines(r)[0]
    assert "docker rm -f" in hint_of(r)


def test_name_in_use(sh):
    pull(sh)
    sh.ok("docker create --name web busybox")
    r = sh.run("docker create --name web busybox")
    assert 'The container name "/web" is already in use' in docker_lines(r)[0]
    assert "docker rm web" in hint_of(r)


@pytest.mark.parametrize("line", ["docker exec box ls", "docker attach box"])
def test_exec_or_attach_into_a_stopped_container(sh, line):
    pull(sh)
    sh.ok("docker run --name box busybox true")
    r = sh.run(line)
    assert r.code == 1
    assert "docker start box" in hint_of(r)


def test_pid_written_as_name_colon_name(sh):
    pull(sh)
    r = sh.run("docker run --pid web:web busybox true")
    assert docker_lines(r)[0] == "docker: --pid: invalid PID mode"
    assert "--pid container:web" in hint_of(r)


def test_image_not_found_offline_names_the_images_here(sh):
    pull(sh)
    r = sh.run("docker run nginx")
    assert "pull access denied for nginx" in r.err
    assert "Images here now: busybox:latest" in hint_of(r)


def test_mistyped_command_and_flag(sh):
    r = sh.run("docker imagse")
    assert docker_lines(r)[0] == "docker: unknown command: docker imagse"
    assert hint_of(r) == "hint: did you mean docker image? (docker --help lists them all)"
    assert "did you mean docker run or docker rm?" in hint_of(sh.run("docker rn"))
    r = sh.run("docker ps --al")
    assert docker_lines(r)[0] == "unknown flag: --al"
    assert "did you mean --all?" in hint_of(r)


def test_mistyped_container_name(sh):
    pull(sh)
    sh.ok("docker create --name web busybox")
    r = sh.run("docker logs wbe")
    assert docker_lines(r) == ["Error response from daemon: No such container: wbe"]
    assert "did you mean web?" in hint_of(r)


def test_network_connect_with_the_arguments_swapped(sh):
    pull(sh)
    sh.ok("docker create --name web busybox")
    r = sh.run("docker network connect web appnet")
    assert r.code != 0
    assert "Try: docker network connect appnet web" in hint_of(r)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_port_already_allocated(sh):
    run = spec.PATHS[("run",)]
    if run.flag("publish").planned:
        pytest.skip("published ports: not in this engine yet")
    pull(sh)
    port = _free_port()
    sh.ok(f"docker run -d --name first -p {port}:80 busybox sleep 30")
    wait_status(sh, "first", "running")
    r = sh.run(f"docker run -d --name second -p {port}:80 busybox sleep 30")
    assert f"Bind for 0.0.0.0:{port} failed: port is already allocated" in r.err
    assert f"host port {port}" in hint_of(r) and "container first" in hint_of(r)
