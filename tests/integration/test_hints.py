"""Each mistake of the mistakes table made for real, on an engine of the test's own:
Docker's own message first, then one plain-words `hint:` line."""
from __future__ import annotations


import pytest

from shell.cli import spec
from tests.integration.cli_helpers import free_port, pull, wait_status


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



def test_port_already_allocated(sh):
    run = spec.PATHS[("run",)]
    if run.flag("publish").planned:
        pytest.skip("published ports: not in this engine yet")
    pull(sh)
    port = free_port()
    sh.ok(f"docker run -d --name first -p {port}:80 busybox sleep 30")
    wait_status(sh, "first", "running")
    r = sh.run(f"docker run -d --name second -p {port}:80 busybox sleep 30")
    assert f"Bind for 0.0.0.0:{port} failed: port is already allocated" in r.err
    assert f"host port {port}" in hint_of(r) and "container first" in hint_of(r)


# --- issue 14: hints that were wrong, and mistakes that had none ------------------------

def test_the_options_first_hint_keeps_the_values(sh):
    pull(sh)
    r = sh.run("docker run busybox --name oops echo hi")
    assert hint_of(r).endswith("Options go before the image: docker run --name oops busybox "
                               "echo hi")
    sh.ok("docker tag busybox timers:v2")
    r = sh.run("docker run timers:v2 -e COUNT_TO=5")
    assert hint_of(r).endswith("docker run -e COUNT_TO=5 timers:v2")


def test_verb_before_the_group(sh):
    r = sh.run("docker create network learning")
    assert "pull access denied for network" in r.err
    assert hint_of(r) == "hint: the group's name comes first: docker network create learning"


def test_an_image_with_another_tag(sh):
    pull(sh)
    sh.ok("docker tag busybox timers:v1")
    r = sh.run("docker run timers")
    assert "pull access denied for timers" in r.err
    assert "did you mean timers:v1?" in hint_of(r)


@pytest.mark.parametrize("line,code,moved", [
    ("docker run busybox sleep 1000 -d", 1, "docker run -d busybox sleep 1000"),
    ("docker run busybox echo hi -p 1234:1234", 0, "docker run -p 1234:1234 busybox echo hi"),
])
def test_an_option_the_container_got_instead_of_docker(sh, line, code, moved):
    pull(sh)
    r = sh.run(line)
    assert r.code == code
    assert hint_of(r).endswith(moved)


def test_a_programs_own_flag_is_left_alone(sh):
    pull(sh)
    r = sh.run("docker run --rm busybox ls -p /")
    assert r.code == 0 and "etc/" in r.out
    assert "hint:" not in r.err


def test_exec_options_after_the_container(sh):
    pull(sh)
    sh.ok("docker run -d --name box busybox sleep 30")
    r = sh.run("docker exec box -ti sh")
    assert r.code == 127 and 'exec: "-ti": executable file not found' in r.out
    assert hint_of(r).endswith("Options go before the container: docker exec -ti box sh")


def test_sh_when_the_entrypoint_is_already_sh(sh, tmp_path):
    pull(sh)
    (tmp_path / "Dockerfile").write_text('FROM busybox\nENTRYPOINT ["sh"]\n')
    sh.ok("docker build -q -t shimage .")
    r = sh.run("docker run --rm shimage sh -c 'echo hi'")
    assert r.code != 0 and "can't open 'sh'" in r.out + r.err
    assert "ENTRYPOINT is already sh" in hint_of(r)
    assert hint_of(r).endswith("docker run --rm shimage -c 'echo hi'")
    assert sh.ok("docker run --rm shimage -c 'echo hi'") == "hi\n"


def test_a_folder_name_given_as_a_volume(sh, tmp_path):
    pull(sh)
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "note.txt").write_text("hello\n")
    r = sh.run("docker run --rm -v shared:/data busybox ls /data")
    assert r.code == 0 and r.out == ""
    assert '-v "$PWD/shared":/data' in hint_of(r)
    assert sh.ok('docker run --rm -v "$PWD/shared":/data busybox ls /data') == "note.txt\n"


def test_build_without_a_context(sh):
    r = sh.run("docker build -t name")
    assert docker_lines(r)[0] == "docker: 'docker build' requires 1 argument"
    assert hint_of(r).endswith("docker build -t name .")


def test_format_templates(sh):
    pull(sh)
    r = sh.run("docker ps --format {{.Names}} {{.Image}}")
    assert docker_lines(r)[0] == "docker: 'docker ps' accepts no arguments"
    assert hint_of(r).endswith("docker ps --format '{{.Names}} {{.Image}}'")
    sh.ok("docker run -d --name box busybox sleep 30")
    r = sh.run("docker ps --format '{{.Name}}'")
    assert "can't evaluate field Name" in r.err
    assert "did you mean .Names?" in hint_of(r)


def test_a_split_template_that_ran(sh):
    pull(sh)
    r = sh.run("docker images --format {{.Repository}} {{.Tag}}")
    assert r.code == 0 and r.out == ""         # {{.Tag}} was taken for a repository
    assert hint_of(r).endswith("docker images --format '{{.Repository}} {{.Tag}}'")
    sh.ok("docker create --name box busybox")
    r = sh.run("docker inspect -f {{.Name}} {{.Id}} box")
    assert r.out == "/box\n" and "No such object: {{.Id}}" in r.err
    assert hint_of(r).endswith("docker inspect -f '{{.Name}} {{.Id}}' box")


def test_capital_a_and_memory_in_bytes(sh):
    pull(sh)
    assert "did you mean -a (--all)?" in hint_of(sh.run("docker ps -A"))
    r = sh.run("docker run -m 64 busybox true")
    assert "Minimum memory limit allowed is 6MB" in r.err
    assert "-m 64m" in hint_of(r)


def test_top_on_a_stopped_container(sh):
    pull(sh)
    sh.ok("docker create --name box busybox")
    r = sh.run("docker top box")
    assert r.code == 1 and "is not running" in docker_lines(r)[0]
    assert "docker start box" in hint_of(r)


def test_rmi_of_an_image_in_use(sh):
    pull(sh)
    sh.ok("docker create --name web busybox")
    r = sh.run("docker rmi busybox")
    assert r.code == 1 and "(must force)" in docker_lines(r)[0]
    assert "(web)" in hint_of(r) and "docker ps -a --filter ancestor=busybox" in hint_of(r)


def test_name_conflict_with_a_running_container(sh):
    pull(sh)
    sh.ok("docker run -d --name web busybox sleep 30")
    r = sh.run("docker run --name web busybox true")
    assert "docker rm -f web" in hint_of(r)


@pytest.mark.parametrize("word", ["dokcer", "dcoker", "docekr"])
def test_docker_misspelt_at_the_prompt(sh, word):
    r = sh.run(f"{word} ps")
    assert r.code == 127
    assert hint_of(r) == "hint: did you mean docker?"


def test_escapes_in_double_quotes_mean_what_they_mean_to_sh(sh):
    pull(sh)
    assert sh.ok(r'docker run --rm busybox sh -c "echo \$\$"') == "1\n"
    assert sh.ok(r'docker run --rm busybox echo "a \"b\" \\ \`c\`"') == 'a "b" \\ `c`\n'
