"""Errors as the docker CLI prints them (shell.cli.report) and the learner hints that
follow them (shell.hints).

Expected texts are docker 28.2.2's stderr without the final newline (run with
no daemon; the `docker container run|create` variants too). The expected texts are the
record.
"""
from __future__ import annotations

import pytest

from engine import errors
from engine.errors import (
    CliError,
    Conflict,
    ContainerNotRunning,
    ImageNotFoundLocally,
    InvalidParameter,
    InvalidReference,
    NameInUse,
    NoSuchContainer,
    NoSuchImage,
    StartFailed,
    Unavailable,
    UsageError,
)
from shell import hints
from shell.cli import report
from shell.cli.parser import parse
from shell.env import Env
from shell.runner import run_docker

ID64 = "ca0fc2430c45d5e5774994665dad35f4834282aacdf669e62174f933d2ca084e"
RUN_HELP = "Run 'docker run --help' for more information"
CREATE_HELP = "Run 'docker create --help' for more information"

NOT_FOUND = ('failed to create task for container: failed to create shim task: OCI runtime '
             'create failed: runc create failed: unable to start container process: error '
             'during container init: exec: "nosuchcmd": executable file not found in $PATH: '
             'unknown')
NOT_EXECUTABLE = ('failed to create task for container: failed to create shim task: OCI '
                  'runtime create failed: runc create failed: unable to start container '
                  'process: error during container init: exec: "/etc/passwd": permission '
                  'denied: unknown')


# --- the four shapes of usage errors -------------------------------------------------

def test_flag_error():
    err = UsageError("unknown flag: --foo", kind="flag", command="docker run",
                     usage="docker run [OPTIONS] IMAGE [COMMAND] [ARG...]")
    assert report.format_error(err, "docker") == (
        "unknown flag: --foo\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n"
        "Run 'docker run --help' for more information", 125)


def test_top_level_flag_error():
    err = UsageError("unknown flag: --foo", kind="flag", command="docker",
                     usage="docker [OPTIONS] COMMAND [ARG...]")
    assert report.format_error(err, "docker") == (
        "unknown flag: --foo\n\nUsage:  docker [OPTIONS] COMMAND [ARG...]\n\n"
        "Run 'docker --help' for more information", 125)


@pytest.mark.parametrize("see", ["See", "Run", "SRun"])
def test_argument_count_error(see):
    err = UsageError("'docker run' requires at least 1 argument", kind="args",
                     command="docker run", usage="docker run [OPTIONS] IMAGE [COMMAND] [ARG...]",
                     see=see)
    assert report.format_error(err, "docker") == (
        "docker: 'docker run' requires at least 1 argument\n\n"
        "Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n"
        f"{see} 'docker run --help' for more information", 1)


def test_unknown_command_errors():
    err = UsageError("unknown command: docker foo", kind="command", command="docker")
    assert report.format_error(err, "docker") == (
        "docker: unknown command: docker foo\n\nRun 'docker --help' for more information", 1)
    err = UsageError("unknown command: docker container foo", kind="command",
                     command="docker container", usage="docker container")
    assert report.format_error(err, "docker") == (
        "docker: unknown command: docker container foo\n\nUsage:  docker container\n\n"
        "Run 'docker container --help' for more information", 1)


def test_usage_errors_ignore_the_command_argument():
    err = UsageError("unknown flag: --foo", kind="flag", command="docker ps",
                     usage="docker ps [OPTIONS]")
    assert report.format_error(err, "docker ps") == report.format_error(err, "docker")


# --- `docker run` ----------------------------------------------------------------------

def option_error(message: str, command: str) -> UsageError:
    return UsageError(message, kind="option", command=command)


@pytest.mark.parametrize("message", [
    "--pid: invalid PID mode",
    "invalid restart policy format: maximum retry count must be an integer",
    "conflicting options: cannot specify both --restart and --rm",
    "open /nonexistent: no such file or directory",
    "invalid pull option: 'bogus': must be one of \"always\", \"missing\" or \"never\"",
])
def test_run_option_errors(message):
    assert report.format_error(option_error(message, "docker run"), "docker run") == (
        f"docker: {message}\n\n{RUN_HELP}", 125)


def test_run_invalid_reference():
    err = InvalidReference("invalid reference format: repository name (library/Busybox) must "
                           "be lowercase")
    assert report.format_error(err, "docker run") == (
        "docker: invalid reference format: repository name (library/Busybox) must be "
        f"lowercase\n\n{RUN_HELP}", 125)


@pytest.mark.parametrize("err, text", [
    (InvalidParameter("Minimum memory limit allowed is 6MB"),
     "Minimum memory limit allowed is 6MB"),
    (InvalidParameter("invalid restart policy: unknown policy 'bogus'; use one of 'no', "
                      "'always', 'on-failure', or 'unless-stopped'"),
     "invalid restart policy: unknown policy 'bogus'; use one of 'no', 'always', "
     "'on-failure', or 'unless-stopped'"),
    (NameInUse("web", ID64),
     f'Conflict. The container name "/web" is already in use by container "{ID64}". You have '
     "to remove (or rename) that container to be able to reuse that name."),
    (NoSuchImage("nosuch:latest"), "No such image: nosuch:latest"),
    (ImageNotFoundLocally("nosuch", "pull access denied for nosuch, repository does not "
                                    "exist or may require 'docker login'"),
     "pull access denied for nosuch, repository does not exist or may require 'docker login'"),
    (Conflict("Conflicting options: Nano CPUs and CPU Period cannot both be set"),
     "Conflicting options: Nano CPUs and CPU Period cannot both be set"),
])
def test_run_daemon_errors(err, text):
    assert report.format_error(err, "docker run") == (
        f"docker: Error response from daemon: {text}\n\n{RUN_HELP}", 125)


@pytest.mark.parametrize("message, code", [
    (NOT_FOUND, 127),
    (NOT_EXECUTABLE, 126),
    ("failed to create task for container: something else broke", 125),
])
def test_run_start_failures_keep_their_exit_code(message, code):
    err = StartFailed(message, code)
    assert report.format_error(err, "docker run") == (
        f"docker: Error response from daemon: {message}\n\n{RUN_HELP}", code)


@pytest.mark.parametrize("message", [
    "conflicting options: cannot specify both --attach and --detach",
    "the input device is not a TTY",
])
def test_run_cli_refusals_are_bare_and_exit_1(message):
    # run.go returns these without withHelp(): no "docker: ", no help line, exit 1
    assert report.format_error(CliError(message), "docker run") == (message, 1)
    assert report.format_error(CliError(message), "docker container run") == (message, 1)


def test_container_run_points_to_docker_run_help():
    # withHelp() in run.go names "docker run", whatever path was typed
    assert report.format_error(option_error("--pid: invalid PID mode", "docker container run"),
                               "docker container run") == (
        f"docker: --pid: invalid PID mode\n\n{RUN_HELP}", 125)
    assert report.format_error(NoSuchImage("x:latest"), "docker container run") == (
        f"docker: Error response from daemon: No such image: x:latest\n\n{RUN_HELP}", 125)


# --- `docker create` ---------------------------------------------------------------------

def test_create_option_errors():
    err = option_error("conflicting options: cannot specify both --restart and --rm",
                       "docker create")
    assert report.format_error(err, "docker create") == (
        f"docker: conflicting options: cannot specify both --restart and --rm\n\n{CREATE_HELP}",
        125)


def test_container_create_points_to_docker_create_help():
    err = option_error("--pid: invalid PID mode", "docker container create")
    assert report.format_error(err, "docker container create") == (
        f"docker: --pid: invalid PID mode\n\n{CREATE_HELP}", 125)


def test_create_daemon_errors_are_bare():
    err = NameInUse("web", ID64)
    assert report.format_error(err, "docker create") == (f"Error response from daemon: {err}", 1)
    err = NoSuchImage("nosuch:latest")
    assert report.format_error(err, "docker container create") == (
        "Error response from daemon: No such image: nosuch:latest", 1)


@pytest.mark.parametrize("command", ["docker create", "docker container create"])
def test_create_invalid_reference_is_bare(command):
    # `docker create Busybox` prints the reference error alone and exits 1
    err = InvalidReference("invalid reference format: repository name (library/Busybox) must "
                           "be lowercase")
    assert report.format_error(err, command) == (
        "invalid reference format: repository name (library/Busybox) must be lowercase", 1)
    assert report.format_error(InvalidReference("invalid reference format"), command) == (
        "invalid reference format", 1)


# --- everything else: the bare message, exit 1 -------------------------------------------

@pytest.mark.parametrize("err, command, text", [
    (NoSuchContainer("web"), "docker stop", "Error response from daemon: No such container: web"),
    (NoSuchContainer("nosuch"), "docker container rm",
     "Error response from daemon: No such container: nosuch"),
    (Conflict('cannot remove container "web": container is running: stop the container before '
              "removing or force remove"), "docker rm",
     'Error response from daemon: cannot remove container "web": container is running: stop '
     "the container before removing or force remove"),
    (ContainerNotRunning(f"container {ID64} is not running"), "docker exec",
     f"Error response from daemon: container {ID64} is not running"),
    (NoSuchImage("nosuch:latest"), "docker rmi", "Error response from daemon: No such image: "
                                                 "nosuch:latest"),
    (errors.AmbiguousPrefix("multiple IDs found with provided prefix: ab"), "docker inspect",
     "Error response from daemon: multiple IDs found with provided prefix: ab"),
    (StartFailed(NOT_FOUND, 127), "docker start", f"Error response from daemon: {NOT_FOUND}"),
    (Unavailable("cgroups are not available"), "docker ps",
     "Error response from daemon: cgroups are not available"),
    (InvalidReference("invalid reference format: repository name (library/Busybox) must be "
                      "lowercase"), "docker pull",
     "invalid reference format: repository name (library/Busybox) must be lowercase"),
    (InvalidReference('Error parsing reference: "B" is not a valid repository/tag: invalid '
                      "reference format: repository name (library/B) must be lowercase"),
     "docker tag",
     'Error parsing reference: "B" is not a valid repository/tag: invalid reference format: '
     "repository name (library/B) must be lowercase"),
    (CliError("You cannot attach to a stopped container, start it first"), "docker attach",
     "You cannot attach to a stopped container, start it first"),
    (CliError("you cannot start and attach multiple containers at once"), "docker start",
     "you cannot start and attach multiple containers at once"),
])
def test_errors_outside_run(err, command, text):
    assert report.format_error(err, command) == (text, 1)


def test_option_errors_outside_run_and_create_exit_1():
    err = option_error("invalid value", "docker logs")
    text, code = report.format_error(err, "docker logs")
    assert code == 1 and "invalid value" in text


def test_planned_errors():
    err = UsageError("'docker network' is not available in dockerlings yet: networks arrive "
                     "with the networking chapter of dockerlings", kind="planned",
                     command="docker network")
    assert report.format_error(err, "docker") == (f"docker: {err}", 1)


def test_message_of():
    assert report.message_of(NoSuchContainer("web")) == \
        "Error response from daemon: No such container: web"
    assert report.message_of(InvalidReference("invalid reference format")) == \
        "invalid reference format"
    assert report.message_of(CliError("the input device is not a TTY")) == \
        "the input device is not a TTY"


# --- hints ------------------------------------------------------------------------------

def usage_error(*argv: str) -> UsageError:
    with pytest.raises(UsageError) as info:
        parse(list(argv))
    return info.value


def fired(err, argv, env=None) -> list[str]:
    return [h.name for h in hints.HINTS if h.when(err, list(argv), env)]


OFFLINE = ("dockerlings works offline: it can make busybox and hello-world itself, but "
           "cannot download other images. Images here now: busybox:latest.")

# One learner mistake per hint: (the error Docker/the engine raises, the command line,
# words the hint must contain).
CASES = {
    "single-dash-long-option": (
        UsageError("unknown shorthand flag: 'r' in -rm", kind="flag", command="docker run",
                   usage="docker run [OPTIONS] IMAGE [COMMAND] [ARG...]"),
        ["run", "-rm", "busybox"], ["--rm"]),
    "flag-after-image": (
        StartFailed('failed to create task for container: failed to create shim task: OCI '
                    'runtime create failed: runc create failed: unable to start container '
                    'process: error during container init: exec: "-d": executable file not '
                    'found in $PATH: unknown', 127),
        ["run", "busybox", "-d"], ["docker run -d busybox"]),
    "uppercase-image": (
        InvalidReference("invalid reference format: repository name (library/Busybox) must be "
                         "lowercase"),
        ["run", "Busybox"], ["busybox", "lowercase"]),
    "remove-running": (
        Conflict('cannot remove container "web": container is running: stop the container '
                 "before removing or force remove"),
        ["rm", "web"], ["docker stop", "docker rm -f"]),
    "name-in-use": (NameInUse("web", ID64), ["run", "--name", "web", "busybox"],
                    ["docker rm web", "--name"]),
    "container-not-running": (
        ContainerNotRunning(f"container {ID64} is not running"), ["exec", "web", "ls"],
        ["docker start web"]),
    "image-not-local-offline": (
        ImageNotFoundLocally("nginx", "pull access denied for nginx, repository does not exist "
                             "or may require 'docker login'", hint=OFFLINE),
        ["run", "nginx"], ["offline", "busybox"]),
    "pid-container-form": (
        UsageError("--pid: invalid PID mode", kind="option", command="docker run"),
        ["run", "--pid", "contianer:web", "busybox"], ["--pid container:"]),
}


def test_every_hint_has_a_case():
    # these are the first entries of the table; tests/unit/test_hints.py checks that
    # every entry, the later ones included, has a case that triggers it
    assert set(CASES) <= {h.name for h in hints.HINTS}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_hint_fires_for_its_mistake(name):
    err, argv, words = CASES[name]
    assert name in fired(err, argv)
    text = hints.find(err, argv)
    assert text
    for w in words:
        assert w in text, (w, text)


def test_single_dash_hint_on_the_real_parser_error():
    err = usage_error("run", "-rm", "busybox")
    text = hints.find(err, ["run", "-rm", "busybox"])
    assert text and "--rm" in text
    err = usage_error("run", "-name", "web", "busybox")
    text = hints.find(err, ["run", "-name", "web", "busybox"])
    assert text and "--name" in text


def test_single_dash_hint_when_the_first_letters_are_flags():
    # `docker rm -force c`: -f is --force, so pflag reports the rest: 'o' in -orce
    err = UsageError("unknown shorthand flag: 'o' in -orce", kind="flag", command="docker rm",
                     usage="docker rm [OPTIONS] CONTAINER [CONTAINER...]")
    text = hints.find(err, ["rm", "-force", "c"])
    assert text and "--force" in text


def test_no_single_dash_hint_for_a_plain_unknown_letter():
    err = usage_error("run", "-x", "busybox")
    assert "single-dash-long-option" not in fired(err, ["run", "-x", "busybox"])


def test_flag_after_image_names_the_image_not_an_option_value():
    err = CASES["flag-after-image"][0]
    argv = ["run", "--name", "web", "busybox", "-d"]
    text = hints.find(err, argv)
    assert text and text.endswith("docker run --name web -d busybox")


@pytest.mark.parametrize("argv", [
    ["exec", "-it", "web", "sh"],
    ["exec", "-u", "root", "web", "sh"],
    ["exec", "--workdir", "/tmp", "web", "ls"],
    ["container", "exec", "web", "ls"],
    ["attach", "web"],
])
def test_not_running_hint_names_the_container(argv):
    err = ContainerNotRunning(f"container {ID64} is not running")
    text = hints.find(err, argv)
    assert text and "docker start web" in text


@pytest.mark.parametrize("value", ["container=web", "web"])
def test_pid_hint_for_other_wrong_forms(value):
    err = UsageError("--pid: invalid PID mode", kind="option", command="docker run")
    text = hints.find(err, ["run", "--pid", value, "busybox"])
    assert text and "--pid container:" in text


def test_uppercase_hint_for_tag_and_repositories():
    err = InvalidReference('Error parsing reference: "MyApp" is not a valid repository/tag: '
                           "invalid reference format: repository name (library/MyApp) must be "
                           "lowercase")
    text = hints.find(err, ["tag", "busybox", "MyApp"])
    assert text and "myapp" in text


def test_find_falls_back_to_the_errors_own_hint():
    assert hints.find(NoSuchContainer("web", hint="check the name with docker ps -a"),
                      ["stop", "web"]) == "check the name with docker ps -a"
    assert hints.find(NoSuchContainer("web"), ["stop", "web"]) is None


def test_offline_hint_without_text_is_no_hint():
    err = ImageNotFoundLocally("nginx", "pull access denied for nginx")
    assert hints.find(err, ["run", "nginx"]) is None


def test_hints_never_raise():
    weird = [UsageError("unknown shorthand flag: '-' in --", kind="flag", command="docker"),
             StartFailed('exec: "-": nope', 127), InvalidReference("must be lowercase"),
             NameInUse("", ""), ContainerNotRunning("x")]
    for err in weird:
        for argv in ([], ["exec"], ["run"], ["-"], ["exec", "-it"]):
            result = hints.find(err, argv)
            assert result is None or isinstance(result, str)


def test_run_docker_prints_the_hint_after_dockers_message():
    env = Env.buffered(cwd="/nonexistent-dockerlings-test-dir", environ={})
    code = run_docker(env, ["run", "-rm", "busybox"])
    assert code == 125
    lines = env.error_text().split("\n")
    assert lines[:5] == ["unknown shorthand flag: 'r' in -rm", "",
                         "Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]", "",
                         "Run 'docker run --help' for more information"]
    assert lines[5].startswith("hint: ") and "--rm" in lines[5]
    assert lines[6:] == [""]
