"""The docker grammar (shell.cli.parser) against the real docker CLI 28.2.2.

Every expected error text below is docker's stderr (without the final newline) and its
exit status, as printed by the docker CLI 28.2.2 with no daemon (run on this project's machines; the
expected texts are the record).
Errors are compared after shell.cli.report.format_error, i.e. exactly as the shell
prints them.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import CliError, EngineError, Unavailable, UsageError
from shell.cli import report, spec
from shell.cli.parser import HelpRequest, Invocation, parse
from shell.env import Env
from shell.runner import run_docker

RUN_USAGE = "docker run [OPTIONS] IMAGE [COMMAND] [ARG...]"


def ok(*argv: str) -> Invocation:
    result = parse(list(argv))
    assert isinstance(result, Invocation), result
    return result


def helps(*argv: str) -> HelpRequest:
    result = parse(list(argv))
    assert isinstance(result, HelpRequest), result
    return result


def fails(*argv: str) -> UsageError:
    with pytest.raises(UsageError) as info:
        parse(list(argv))
    return info.value


def shown(*argv: str) -> tuple[str, int]:
    """What the shell prints for a command line the parser refuses, and the exit code."""
    return report.format_error(fails(*argv), "docker")


def flag_error(message: str, usage: str, command: str) -> tuple[str, int]:
    return (f"{message}\n\nUsage:  {usage}\n\nRun '{command} --help' for more information", 125)


def args_error(message: str, usage: str, command: str, see: str = "Run") -> tuple[str, int]:
    return (f"docker: {message}\n\nUsage:  {usage}\n\n{see} '{command} --help' for more "
            "information", 1)


class NoEngine:
    """An engine that refuses everything, the way an unreachable daemon would."""

    def __getattr__(self, name):
        raise Unavailable(f"the test engine has no {name}")


class TouchedEngine(Exception):
    pass


class ForbiddenEngine:
    """For command lines docker rejects before it contacts the daemon."""

    def __getattr__(self, name):
        raise TouchedEngine(name)


def run(argv: list[str], engine=None) -> tuple[int, str, str]:
    env = Env.buffered(cwd="/nonexistent-dockerlings-test-dir", environ={})
    env.engine = engine if engine is not None else ForbiddenEngine()
    code = run_docker(env, list(argv))
    return code, env.output_text(), env.error_text()


# --- combined short flags, values, repetition -------------------------------------------

def test_combined_short_flags():
    inv = ok("run", "-ti", "busybox", "sh")
    assert inv.tty and inv.interactive and not inv.detach
    assert inv.args == ["busybox", "sh"]
    inv = ok("run", "-itd", "busybox")
    assert inv.tty and inv.interactive and inv.detach
    assert inv.given >= {"tty", "interactive", "detach"}


@pytest.mark.parametrize("argv", [
    ["run", "-e=X", "busybox"],
    ["run", "-eX", "busybox"],
    ["run", "-e", "X", "busybox"],
    ["run", "--env=X", "busybox"],
    ["run", "--env", "X", "busybox"],
    ["run", "-ite", "X", "busybox"],
    ["run", "-iteX", "busybox"],
])
def test_every_way_to_give_a_short_or_long_value(argv):
    inv = ok(*argv)
    assert inv.env == ["X"]
    assert inv.args == ["busybox"]


def test_values_keep_their_equals_signs():
    assert ok("run", "-e", "A=B=C", "busybox").env == ["A=B=C"]
    assert ok("run", "-e=A=B", "busybox").env == ["A=B"]
    assert ok("run", "--env=A=B", "busybox").env == ["A=B"]
    assert ok("run", "-eA=B", "busybox").env == ["A=B"]


def test_a_value_may_look_like_a_flag():
    inv = ok("run", "--name", "-d", "busybox")
    assert inv.opts["name"] == "-d" and not inv.detach
    assert ok("run", "-e", "--rm", "busybox").env == ["--rm"]


def test_repeated_flags_accumulate_in_order():
    inv = ok("run", "-e", "A=1", "--env", "B=2", "-eC=3", "--env=D=4", "busybox")
    assert inv.env == ["A=1", "B=2", "C=3", "D=4"]
    inv = ok("ps", "-f", "status=exited", "--filter", "name=web", "-fid=ab")
    assert inv.filter == [("status", "exited"), ("name", "web"), ("id", "ab")]
    inv = ok("run", "-l", "a=b", "--label", "c=d", "busybox")
    assert inv.label == ["a=b", "c=d"]


def test_a_repeated_single_value_flag_keeps_the_last():
    assert ok("run", "--name", "a", "--name", "b", "busybox").opts["name"] == "b"
    assert ok("stop", "-t", "1", "-t", "2", "c").timeout == 2


def test_empty_values():
    # (inv.name is the command's name; the --name flag is read from opts)
    assert ok("run", "--name=", "busybox").opts["name"] == ""
    assert ok("run", "--name", "", "busybox").opts["name"] == ""


def test_int_flags_take_go_integer_syntax():
    assert ok("ps", "-n", "0x10").last == 16
    assert ok("ps", "-n=3").last == 3
    assert ok("ps", "-n3").last == 3
    assert ok("ps", "--last", "3").last == 3
    assert ok("stop", "-t=5", "c").timeout == 5
    assert ok("stop", "-t5", "c").timeout == 5
    assert ok("stop", "--time", "3", "c").time == 3      # hidden, but accepted
    assert ok("restart", "-t", "0", "c").timeout == 0


def test_defaults():
    inv = ok("ps")
    assert inv.last == -1 and inv.all is False and inv.filter == [] and inv.format is None
    assert inv.given == set()
    assert ok("logs", "c").tail == "all"
    assert ok("attach", "c").sig_proxy is True
    assert ok("commit", "c").pause is True
    assert ok("history", "busybox").human is True
    inv = ok("run", "busybox")
    assert inv.pull == "missing" and inv.restart == "no" and inv.sig_proxy is True
    assert inv.env == [] and inv.rm is False


def test_bytes_and_decimal_flags_are_converted():
    inv = ok("run", "-m", "64m", "--cpus", "1.5", "-c", "512", "busybox")
    assert inv.memory == 64 << 20
    assert inv.cpus == 1_500_000_000
    assert inv.cpu_shares == 512
    assert ok("run", "-m=1g", "busybox").memory == 1 << 30
    assert ok("run", "--memory-swap", "-1", "busybox").memory_swap == -1


# --- bool flags with values ---------------------------------------------------------------

@pytest.mark.parametrize("argv, dest, value", [
    (["run", "--rm=false", "busybox"], "rm", False),
    (["run", "--rm=true", "busybox"], "rm", True),
    (["ps", "-a=false"], "all", False),
    (["ps", "-a=0"], "all", False),
    (["ps", "-a=T"], "all", True),
    (["ps", "--all=1"], "all", True),
    (["attach", "--sig-proxy=false", "c"], "sig_proxy", False),
    (["commit", "--pause=false", "c"], "pause", False),
    (["history", "-H=false", "busybox"], "human", False),
    (["run", "-d=false", "busybox"], "detach", False),
])
def test_bool_flag_with_a_value(argv, dest, value):
    inv = ok(*argv)
    assert inv.opts[dest] is value
    assert dest.replace("_", "-") in inv.given


def test_bool_value_ends_the_shorthand_word():
    inv = ok("rm", "-fv=false", "c")
    assert inv.force is True and inv.volumes is False


def test_a_bool_flag_never_takes_the_next_word():
    inv = ok("rm", "-f", "false")
    assert inv.force is True and inv.args == ["false"]


# --- where options end ---------------------------------------------------------------------

def test_options_end_at_the_image_for_run_and_create():
    inv = ok("run", "busybox", "-rm")
    assert inv.rm is False and inv.args == ["busybox", "-rm"]
    inv = ok("run", "--rm", "busybox", "sh", "-c", "echo hi", "-d")
    assert inv.rm and not inv.detach
    assert inv.args == ["busybox", "sh", "-c", "echo hi", "-d"]
    inv = ok("create", "busybox", "--name", "x")
    assert inv.opts["name"] is None and inv.args == ["busybox", "--name", "x"]


def test_run_help_after_the_image_belongs_to_the_container():
    inv = ok("run", "busybox", "--help")
    assert inv.args == ["busybox", "--help"]


def test_options_end_at_the_container_for_exec_and_top():
    inv = ok("exec", "-it", "web", "ls", "-la", "-d")
    assert inv.tty and inv.interactive and not inv.detach
    assert inv.args == ["web", "ls", "-la", "-d"]
    inv = ok("top", "web", "-o", "pid")
    assert inv.args == ["web", "-o", "pid"]


def test_interspersed_flags_elsewhere():
    inv = ok("rm", "c1", "-f")
    assert inv.force and inv.args == ["c1"]
    inv = ok("rm", "c1", "-f", "c2", "-v")
    assert inv.force and inv.volumes and inv.args == ["c1", "c2"]
    inv = ok("logs", "web", "-n", "5", "--timestamps")
    assert inv.tail == "5" and inv.timestamps and inv.args == ["web"]
    inv = ok("images", "busybox", "-q")
    assert inv.quiet and inv.args == ["busybox"]


def test_commit_and_tag_take_options_only_before_their_arguments():
    # docker/cli sets SetInterspersed(false) on commit and tag: `docker commit web img:tag
    # -m msg` is four arguments to docker 28.2.2, not a message
    assert shown("commit", "web", "img:tag", "-m", "msg") == args_error(
        "'docker commit' requires at least 1 and at most 2 arguments",
        "docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]", "docker commit")
    assert ok("commit", "-m", "msg", "web", "img:tag").message == "msg"
    assert ok("tag", "a", "-x").args == ["a", "-x"]


def test_double_dash_ends_options():
    inv = ok("rm", "--", "-f")
    assert inv.force is False and inv.args == ["-f"]
    inv = ok("run", "--", "busybox")
    assert inv.args == ["busybox"]
    inv = ok("run", "--rm", "--", "busybox", "-d")
    assert inv.rm and not inv.detach and inv.args == ["busybox", "-d"]
    inv = ok("ps", "--")
    assert inv.args == []
    inv = ok("rm", "-f", "--", "--", "x")
    assert inv.force and inv.args == ["--", "x"]


def test_a_lone_dash_is_an_argument():
    assert ok("rm", "-").args == ["-"]
    assert ok("rm", "a", "-", "b").args == ["a", "-", "b"]


def test_double_dash_before_the_command():
    # `docker -- ps` runs ps: cobra drops the `--` in front of the command name
    inv = ok("--", "ps")
    assert inv.command.path == ("container", "ls")


# --- commands, groups and aliases -------------------------------------------------------

@pytest.mark.parametrize("argv", [["ps"], ["container", "ls"], ["container", "list"],
                                  ["container", "ps"]])
def test_container_ls_and_its_aliases(argv):
    inv = ok(*argv)
    assert inv.command is spec.PATHS[("container", "ls")]
    assert inv.path == tuple(argv)


@pytest.mark.parametrize("argv", [["rmi", "x"], ["image", "rm", "x"], ["image", "remove", "x"]])
def test_image_rm_and_its_aliases(argv):
    inv = ok(*argv)
    assert inv.command.path == ("image", "rm")
    assert inv.args == ["x"]


@pytest.mark.parametrize("argv, canonical", [
    (["images"], ("image", "ls")),
    (["image", "list"], ("image", "ls")),
    (["run", "busybox"], ("container", "run")),
    (["container", "run", "busybox"], ("container", "run")),
    (["container", "remove", "c"], ("container", "rm")),
    (["rm", "c"], ("container", "rm")),
    (["exec", "c", "ls"], ("container", "exec")),
    (["container", "exec", "c", "ls"], ("container", "exec")),
    (["tag", "a", "b"], ("image", "tag")),
    (["image", "tag", "a", "b"], ("image", "tag")),
    (["pull", "busybox"], ("image", "pull")),
    (["history", "busybox"], ("image", "history")),
    (["info"], ("system", "info")),
    (["system", "info"], ("system", "info")),
    (["inspect", "x"], ("inspect",)),
    (["container", "inspect", "x"], ("container", "inspect")),
    (["image", "inspect", "x"], ("image", "inspect")),
    (["container", "prune"], ("container", "prune")),
    (["image", "prune"], ("image", "prune")),
])
def test_paths_resolve_to_their_canonical_command(argv, canonical):
    assert ok(*argv).command.path == canonical


def test_invocation_name_is_the_path_as_typed():
    assert ok("ps").name == "docker ps"
    assert ok("container", "ls").name == "docker container ls"


def test_every_alias_in_the_table_parses():
    for path, cmd in spec.PATHS.items():
        if cmd.planned or cmd.min_args:
            continue
        inv = parse(list(path))
        assert isinstance(inv, Invocation) and inv.command is cmd, path


def test_global_options():
    inv = ok("-D", "ps")
    assert inv.debug is True and inv.command.path == ("container", "ls")
    assert ok("--debug", "ps").debug is True
    assert ok("ps").debug is False
    assert ok("-v").command.path == ("version",)
    assert ok("--version").command.path == ("version",)


def test_version_flag_only_without_a_command():
    # cobra acts on --version only when no command follows: `docker -v ps` runs ps
    assert ok("-v", "ps").command.path == ("container", "ls")
    assert ok("-Dv").command.path == ("version",)


# --- help requests --------------------------------------------------------------------------

def test_bare_docker_is_help_on_stderr():
    req = helps()
    assert req.target is None and req.to_stderr is True
    assert helps("-D").to_stderr is True


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["help"]])
def test_top_level_help_on_stdout(argv):
    req = helps(*argv)
    assert req.target is None and req.to_stderr is False


@pytest.mark.parametrize("argv, path", [
    (["run", "--help"], ("run",)),
    (["help", "run"], ("run",)),
    (["ps", "--help"], ("ps",)),
    (["ps", "-h"], ("ps",)),                     # ps has no -h flag: cobra's help shorthand
    (["ps", "-ah"], ("ps",)),
    (["ps", "-ha"], ("ps",)),
    (["rm", "-hf"], ("rm",)),
    (["exec", "-ih"], ("exec",)),
    (["wait", "-h"], ("wait",)),
    (["ps", "-q", "--help", "x"], ("ps",)),
    (["container", "ls", "--help"], ("container", "ls")),
    (["help", "container", "ls"], ("container", "ls")),
    (["container", "list", "--help"], ("container", "list")),
    (["image", "rm", "--help"], ("image", "rm")),
    (["help", "rmi"], ("rmi",)),
])
def test_command_help(argv, path):
    req = helps(*argv)
    assert req.target is spec.PATHS[path]
    assert req.path == path
    assert req.to_stderr is False


def test_group_help():
    req = helps("container")
    assert req.target is spec.GROUP_NAMES["container"] and req.to_stderr is True
    req = helps("image")
    assert req.target is spec.GROUP_NAMES["image"] and req.to_stderr is True
    req = helps("container", "--help")
    assert req.target is spec.GROUP_NAMES["container"] and req.to_stderr is False
    req = helps("help", "container")
    assert req.target is spec.GROUP_NAMES["container"] and req.to_stderr is False


def test_group_alone_shows_its_help():
    req = helps("volume")
    assert req.target is spec.GROUP_NAMES["volume"] and req.to_stderr is True


def test_dash_h_is_hostname_where_the_command_has_it():
    inv = ok("run", "-h", "box", "busybox")
    assert inv.hostname == "box" and inv.args == ["busybox"]
    assert ok("run", "-dh", "box", "busybox").hostname == "box"
    assert ok("create", "-hbox", "busybox").hostname == "box"
    assert shown("run", "-h", "x") == args_error(
        "'docker run' requires at least 1 argument", RUN_USAGE, "docker run", "See")
    assert shown("run", "-h") == flag_error("flag needs an argument: 'h' in -h", RUN_USAGE,
                                            "docker run")


def test_help_flag_with_a_false_value_is_not_a_help_request():
    # pflag's --help is a bool flag: --help=false just sets it to false
    inv = ok("ps", "--help=false")
    assert inv.command.path == ("container", "ls")


# --- flag errors (exit 125, with the usage line) -----------------------------------------

@pytest.mark.parametrize("argv, message, usage, command", [
    (["run", "--foo"], "unknown flag: --foo", RUN_USAGE, "docker run"),
    (["run", "--foo=bar", "busybox"], "unknown flag: --foo", RUN_USAGE, "docker run"),
    (["run", "-rm", "busybox"], "unknown shorthand flag: 'r' in -rm", RUN_USAGE, "docker run"),
    (["create", "-rm", "busybox"], "unknown shorthand flag: 'r' in -rm",
     "docker create [OPTIONS] IMAGE [COMMAND] [ARG...]", "docker create"),
    (["create", "-d", "busybox"], "unknown shorthand flag: 'd' in -d",
     "docker create [OPTIONS] IMAGE [COMMAND] [ARG...]", "docker create"),
    (["rm", "-rf", "c"], "unknown shorthand flag: 'r' in -rf",
     "docker rm [OPTIONS] CONTAINER [CONTAINER...]", "docker rm"),
    (["rmi", "-rf", "x"], "unknown shorthand flag: 'r' in -rf",
     "docker rmi [OPTIONS] IMAGE [IMAGE...]", "docker rmi"),
    (["rm", "c1", "-f", "-x"], "unknown shorthand flag: 'x' in -x",
     "docker rm [OPTIONS] CONTAINER [CONTAINER...]", "docker rm"),
    (["start", "--foo"], "unknown flag: --foo",
     "docker start [OPTIONS] CONTAINER [CONTAINER...]", "docker start"),
    (["exec", "--foo", "c", "ls"], "unknown flag: --foo",
     "docker exec [OPTIONS] CONTAINER COMMAND [ARG...]", "docker exec"),
    (["ps", "--foo"], "unknown flag: --foo", "docker ps [OPTIONS]", "docker ps"),
    (["images", "--foo"], "unknown flag: --foo", "docker images [OPTIONS] [REPOSITORY[:TAG]]",
     "docker images"),
    (["container", "prune", "--foo"], "unknown flag: --foo", "docker container prune [OPTIONS]",
     "docker container prune"),
    (["container", "run", "--foo"], "unknown flag: --foo",
     "docker container run [OPTIONS] IMAGE [COMMAND] [ARG...]", "docker container run"),
    (["container", "ls", "--foo"], "unknown flag: --foo", "docker container ls [OPTIONS]",
     "docker container ls"),
    # an alias inside a group is named by its canonical name
    (["container", "list", "-x"], "unknown shorthand flag: 'x' in -x",
     "docker container ls [OPTIONS]", "docker container ls"),
    (["image", "ls", "--foo"], "unknown flag: --foo",
     "docker image ls [OPTIONS] [REPOSITORY[:TAG]]", "docker image ls"),
    (["image", "list", "--foo"], "unknown flag: --foo",
     "docker image ls [OPTIONS] [REPOSITORY[:TAG]]", "docker image ls"),
    (["--foo"], "unknown flag: --foo", "docker [OPTIONS] COMMAND [ARG...]", "docker"),
    (["-x"], "unknown shorthand flag: 'x' in -x", "docker [OPTIONS] COMMAND [ARG...]", "docker"),
])
def test_unknown_flags(argv, message, usage, command):
    assert shown(*argv) == flag_error(message, usage, command)


@pytest.mark.parametrize("argv, message, usage, command", [
    # pflag names only the shorthands not yet consumed: "in -x", not "in -fx"
    (["rm", "-fx", "c"], "unknown shorthand flag: 'x' in -x",
     "docker rm [OPTIONS] CONTAINER [CONTAINER...]", "docker rm"),
    (["run", "-dix", "busybox"], "unknown shorthand flag: 'x' in -x", RUN_USAGE, "docker run"),
    (["ps", "-aqz"], "unknown shorthand flag: 'z' in -z", "docker ps [OPTIONS]", "docker ps"),
    (["-Dx"], "unknown shorthand flag: 'x' in -x", "docker [OPTIONS] COMMAND [ARG...]", "docker"),
    # "-a=" is -a then an unknown shorthand "="
    (["ps", "-a="], "unknown shorthand flag: '=' in -=", "docker ps [OPTIONS]", "docker ps"),
])
def test_unknown_shorthand_names_the_rest_of_the_word(argv, message, usage, command):
    assert shown(*argv) == flag_error(message, usage, command)


@pytest.mark.parametrize("word, message", [
    ('-"', "unknown shorthand flag: '\"' in -\""),
    ("-'", "unknown shorthand flag: '\\'' in -'"),
    ("-\t", "unknown shorthand flag: '\\t' in -\t"),
    ("--é", "unknown flag: --é"),
])
def test_unknown_flag_names_are_quoted_like_go(word, message):
    assert shown("ps", word) == flag_error(message, "docker ps [OPTIONS]", "docker ps")


@pytest.mark.parametrize("argv, message", [
    (["ps", "---a"], "bad flag syntax: ---a"),
    (["ps", "--=x"], "bad flag syntax: --=x"),
])
def test_bad_flag_syntax(argv, message):
    assert shown(*argv) == flag_error(message, "docker ps [OPTIONS]", "docker ps")


@pytest.mark.parametrize("argv, message, usage, command", [
    (["run", "-e"], "flag needs an argument: 'e' in -e", RUN_USAGE, "docker run"),
    (["run", "-tie"], "flag needs an argument: 'e' in -e", RUN_USAGE, "docker run"),
    (["run", "--name"], "flag needs an argument: --name", RUN_USAGE, "docker run"),
    (["exec", "-e"], "flag needs an argument: 'e' in -e",
     "docker exec [OPTIONS] CONTAINER COMMAND [ARG...]", "docker exec"),
    (["kill", "-s"], "flag needs an argument: 's' in -s",
     "docker kill [OPTIONS] CONTAINER [CONTAINER...]", "docker kill"),
    (["ps", "-f"], "flag needs an argument: 'f' in -f", "docker ps [OPTIONS]", "docker ps"),
    (["ps", "-q", "-f"], "flag needs an argument: 'f' in -f", "docker ps [OPTIONS]", "docker ps"),
    (["ps", "--filter"], "flag needs an argument: --filter", "docker ps [OPTIONS]", "docker ps"),
    (["ps", "--format"], "flag needs an argument: --format", "docker ps [OPTIONS]", "docker ps"),
])
def test_flag_needs_an_argument(argv, message, usage, command):
    assert shown(*argv) == flag_error(message, usage, command)


@pytest.mark.parametrize("argv, message, usage, command", [
    (["run", "-m", "foo", "busybox"],
     """invalid argument "foo" for "-m, --memory" flag: invalid size: 'foo'""",
     RUN_USAGE, "docker run"),
    (["run", "-m", "-1", "busybox"],
     """invalid argument "-1" for "-m, --memory" flag: invalid size: '-1'""",
     RUN_USAGE, "docker run"),
    (["create", "-m", "foo", "busybox"],
     """invalid argument "foo" for "-m, --memory" flag: invalid size: 'foo'""",
     "docker create [OPTIONS] IMAGE [COMMAND] [ARG...]", "docker create"),
    (["run", "--memory-swap", "-2", "busybox"],
     """invalid argument "-2" for "--memory-swap" flag: invalid size: '-2'""",
     RUN_USAGE, "docker run"),
    (["run", "--cpus", "abc", "busybox"],
     'invalid argument "abc" for "--cpus" flag: failed to parse abc as a rational number',
     RUN_USAGE, "docker run"),
    (["run", "--cpus", "0.0000000001", "busybox"],
     'invalid argument "0.0000000001" for "--cpus" flag: value is too precise',
     RUN_USAGE, "docker run"),
    (["run", "-c", "abc", "busybox"],
     'invalid argument "abc" for "-c, --cpu-shares" flag: strconv.ParseInt: parsing "abc": '
     'invalid syntax', RUN_USAGE, "docker run"),
    (["run", "--stop-timeout", "x", "busybox"],
     'invalid argument "x" for "--stop-timeout" flag: strconv.ParseInt: parsing "x": '
     'invalid syntax', RUN_USAGE, "docker run"),
    (["run", "--pids-limit", "x", "busybox"],
     'invalid argument "x" for "--pids-limit" flag: strconv.ParseInt: parsing "x": '
     'invalid syntax', RUN_USAGE, "docker run"),
    (["run", "--cpu-period", "x", "busybox"],
     'invalid argument "x" for "--cpu-period" flag: strconv.ParseInt: parsing "x": '
     'invalid syntax', RUN_USAGE, "docker run"),
    (["stop", "-t", "x", "c"],
     'invalid argument "x" for "-t, --timeout" flag: strconv.ParseInt: parsing "x": '
     'invalid syntax', "docker stop [OPTIONS] CONTAINER [CONTAINER...]", "docker stop"),
    (["stop", "--time", "x", "c"],
     'invalid argument "x" for "--time" flag: strconv.ParseInt: parsing "x": invalid syntax',
     "docker stop [OPTIONS] CONTAINER [CONTAINER...]", "docker stop"),
    (["restart", "-t", "x", "c"],
     'invalid argument "x" for "-t, --timeout" flag: strconv.ParseInt: parsing "x": '
     'invalid syntax', "docker restart [OPTIONS] CONTAINER [CONTAINER...]", "docker restart"),
    (["ps", "-n", "x"],
     'invalid argument "x" for "-n, --last" flag: strconv.ParseInt: parsing "x": invalid syntax',
     "docker ps [OPTIONS]", "docker ps"),
    (["ps", "-f", "bogus"],
     'invalid argument "bogus" for "-f, --filter" flag: bad format of filter '
     '(expected name=value)', "docker ps [OPTIONS]", "docker ps"),
    (["images", "-f", "bogus"],
     'invalid argument "bogus" for "-f, --filter" flag: bad format of filter '
     '(expected name=value)', "docker images [OPTIONS] [REPOSITORY[:TAG]]", "docker images"),
    (["container", "prune", "-f", "--filter", "bogus"],
     'invalid argument "bogus" for "--filter" flag: bad format of filter (expected name=value)',
     "docker container prune [OPTIONS]", "docker container prune"),
    (["ps", "-a=bogus"],
     'invalid argument "bogus" for "-a, --all" flag: strconv.ParseBool: parsing "bogus": '
     'invalid syntax', "docker ps [OPTIONS]", "docker ps"),
    (["ps", "--all=bogus"],
     'invalid argument "bogus" for "-a, --all" flag: strconv.ParseBool: parsing "bogus": '
     'invalid syntax', "docker ps [OPTIONS]", "docker ps"),
    (["ps", "--all="],
     'invalid argument "" for "-a, --all" flag: strconv.ParseBool: parsing "": invalid syntax',
     "docker ps [OPTIONS]", "docker ps"),
    (["ps", "-n", "0x10", "-q=bogus"],
     'invalid argument "bogus" for "-q, --quiet" flag: strconv.ParseBool: parsing "bogus": '
     'invalid syntax', "docker ps [OPTIONS]", "docker ps"),
    (["rm", "-fv=x", "c"],
     'invalid argument "x" for "-v, --volumes" flag: strconv.ParseBool: parsing "x": '
     'invalid syntax', "docker rm [OPTIONS] CONTAINER [CONTAINER...]", "docker rm"),
])
def test_invalid_flag_values(argv, message, usage, command):
    assert shown(*argv) == flag_error(message, usage, command)


@pytest.mark.parametrize("argv, message, usage, command", [
    # "-m=" is not "-m ''": pflag needs more than one character after the letter to see
    # "=value", so the value is "="
    (["run", "-m=", "busybox"],
     """invalid argument "=" for "-m, --memory" flag: invalid size: '='""", RUN_USAGE,
     "docker run"),
    # values are quoted with Go's %q
    (["ps", "-a=a\"b"],
     'invalid argument "a\\"b" for "-a, --all" flag: strconv.ParseBool: parsing "a\\"b": '
     'invalid syntax', "docker ps [OPTIONS]", "docker ps"),
    (["ps", "-n", "\x01"],
     'invalid argument "\\x01" for "-n, --last" flag: strconv.ParseInt: parsing "\\x01": '
     'invalid syntax', "docker ps [OPTIONS]", "docker ps"),
    # docker validates these list values while parsing (opts.ValidateEnv, ValidateLabel,
    # the --attach stream check): flag errors, not "docker: ..." errors
    (["run", "-e", "=x", "busybox"],
     'invalid argument "=x" for "-e, --env" flag: invalid environment variable: =x',
     RUN_USAGE, "docker run"),
    (["run", "-e=", "busybox"],
     'invalid argument "=" for "-e, --env" flag: invalid environment variable: =',
     RUN_USAGE, "docker run"),
    (["exec", "-e", "=x", "c", "ls"],
     'invalid argument "=x" for "-e, --env" flag: invalid environment variable: =x',
     "docker exec [OPTIONS] CONTAINER COMMAND [ARG...]", "docker exec"),
    (["run", "-l", "=x", "busybox"],
     """invalid argument "=x" for "-l, --label" flag: invalid label '=x': empty name""",
     RUN_USAGE, "docker run"),
    (["run", "-a", "bogus", "busybox"],
     'invalid argument "bogus" for "-a, --attach" flag: valid streams are STDIN, STDOUT and '
     'STDERR', RUN_USAGE, "docker run"),
    (["create", "-a", "bogus", "busybox"],
     'invalid argument "bogus" for "-a, --attach" flag: valid streams are STDIN, STDOUT and '
     'STDERR', "docker create [OPTIONS] IMAGE [COMMAND] [ARG...]", "docker create"),
])
def test_invalid_flag_values_fine_points(argv, message, usage, command):
    assert shown(*argv) == flag_error(message, usage, command)


@pytest.mark.parametrize("value", ["STDOUT", "stdin", "Stderr"])
def test_attach_streams_any_case(value):
    assert ok("run", "-a", value, "busybox").attach == [value]


def test_empty_filter_is_ignored_and_keys_are_trimmed():
    assert ok("ps", "-f", "").filter == []
    assert ok("ps", "-f", "=x").filter == [("", "x")]
    assert ok("ps", "-f", " Status = exited ").filter == [("status", "exited")]


def test_flag_errors_come_before_argument_counts():
    assert shown("ps", "x", "--foo") == flag_error("unknown flag: --foo", "docker ps [OPTIONS]",
                                                   "docker ps")


# --- argument counts (exit 1, "docker: " prefix) -------------------------------------------

@pytest.mark.parametrize("argv, message, usage, command, see", [
    (["run"], "'docker run' requires at least 1 argument", RUN_USAGE, "docker run", "See"),
    (["create"], "'docker create' requires at least 1 argument",
     "docker create [OPTIONS] IMAGE [COMMAND] [ARG...]", "docker create", "See"),
    (["start"], "'docker start' requires at least 1 argument",
     "docker start [OPTIONS] CONTAINER [CONTAINER...]", "docker start", "See"),
    (["stop"], "'docker stop' requires at least 1 argument",
     "docker stop [OPTIONS] CONTAINER [CONTAINER...]", "docker stop", "See"),
    (["rm"], "'docker rm' requires at least 1 argument",
     "docker rm [OPTIONS] CONTAINER [CONTAINER...]", "docker rm", "See"),
    (["rmi"], "'docker rmi' requires at least 1 argument",
     "docker rmi [OPTIONS] IMAGE [IMAGE...]", "docker rmi", "See"),
    (["image", "rm"], "'docker image rm' requires at least 1 argument",
     "docker image rm [OPTIONS] IMAGE [IMAGE...]", "docker image rm", "See"),
    (["container", "rm"], "'docker container rm' requires at least 1 argument",
     "docker container rm [OPTIONS] CONTAINER [CONTAINER...]", "docker container rm", "See"),
    (["wait"], "'docker wait' requires at least 1 argument",
     "docker wait CONTAINER [CONTAINER...]", "docker wait", "See"),
    (["top"], "'docker top' requires at least 1 argument",
     "docker top CONTAINER [ps OPTIONS]", "docker top", "See"),
    (["pause"], "'docker pause' requires at least 1 argument",
     "docker pause CONTAINER [CONTAINER...]", "docker pause", "See"),
    (["inspect"], "'docker inspect' requires at least 1 argument",
     "docker inspect [OPTIONS] NAME|ID [NAME|ID...]", "docker inspect", "See"),
    (["exec"], "'docker exec' requires at least 2 arguments",
     "docker exec [OPTIONS] CONTAINER COMMAND [ARG...]", "docker exec", "See"),
    (["exec", "c"], "'docker exec' requires at least 2 arguments",
     "docker exec [OPTIONS] CONTAINER COMMAND [ARG...]", "docker exec", "See"),
    (["exec", "-it", "c"], "'docker exec' requires at least 2 arguments",
     "docker exec [OPTIONS] CONTAINER COMMAND [ARG...]", "docker exec", "See"),
    (["logs"], "'docker logs' requires 1 argument", "docker logs [OPTIONS] CONTAINER",
     "docker logs", "Run"),
    (["logs", "a", "b"], "'docker logs' requires 1 argument", "docker logs [OPTIONS] CONTAINER",
     "docker logs", "Run"),
    (["attach"], "'docker attach' requires 1 argument", "docker attach [OPTIONS] CONTAINER",
     "docker attach", "Run"),
    (["diff", "a", "b"], "'docker diff' requires 1 argument", "docker diff CONTAINER",
     "docker diff", "Run"),
    (["history"], "'docker history' requires 1 argument", "docker history [OPTIONS] IMAGE",
     "docker history", "Run"),
    (["pull"], "'docker pull' requires 1 argument", "docker pull [OPTIONS] NAME[:TAG|@DIGEST]",
     "docker pull", "Run"),
    (["pull", "a", "b"], "'docker pull' requires 1 argument",
     "docker pull [OPTIONS] NAME[:TAG|@DIGEST]", "docker pull", "Run"),
    (["tag"], "'docker tag' requires 2 arguments", "docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
     "docker tag", "Run"),
    (["tag", "a"], "'docker tag' requires 2 arguments",
     "docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", "docker tag", "Run"),
    (["tag", "a", "b", "c"], "'docker tag' requires 2 arguments",
     "docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", "docker tag", "Run"),
    (["rename", "a"], "'docker rename' requires 2 arguments", "docker rename CONTAINER NEW_NAME",
     "docker rename", "Run"),
    (["rename", "a", "b", "c"], "'docker rename' requires 2 arguments",
     "docker rename CONTAINER NEW_NAME", "docker rename", "Run"),
    (["commit"], "'docker commit' requires at least 1 and at most 2 arguments",
     "docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]", "docker commit", "Run"),
    (["commit", "a", "b", "c"], "'docker commit' requires at least 1 and at most 2 arguments",
     "docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]", "docker commit", "Run"),
    (["ps", "x"], "'docker ps' accepts no arguments", "docker ps [OPTIONS]", "docker ps", "Run"),
    (["ps", "-a=false", "x"], "'docker ps' accepts no arguments", "docker ps [OPTIONS]",
     "docker ps", "Run"),
    (["ps", "--", "-a"], "'docker ps' accepts no arguments", "docker ps [OPTIONS]", "docker ps",
     "Run"),
    (["ps", "-"], "'docker ps' accepts no arguments", "docker ps [OPTIONS]", "docker ps", "Run"),
    (["-D", "ps", "x"], "'docker ps' accepts no arguments", "docker ps [OPTIONS]", "docker ps",
     "Run"),
    (["image", "prune", "x"], "'docker image prune' accepts no arguments",
     "docker image prune [OPTIONS]", "docker image prune", "Run"),
    (["container", "ls", "x"], "'docker container ls' accepts no arguments",
     "docker container ls [OPTIONS]", "docker container ls", "Run"),
])
def test_argument_counts(argv, message, usage, command, see):
    assert shown(*argv) == args_error(message, usage, command, see)


@pytest.mark.parametrize("argv, message, usage, command, see", [
    # RequiresMaxArgs in docker/cli v28.2.2 really prints "SRun"
    (["images", "a", "b"], "'docker images' requires at most 1 argument",
     "docker images [OPTIONS] [REPOSITORY[:TAG]]", "docker images", "SRun"),
    (["image", "ls", "a", "b"], "'docker image ls' requires at most 1 argument",
     "docker image ls [OPTIONS] [REPOSITORY[:TAG]]", "docker image ls", "SRun"),
    # an alias inside a group is named by its canonical name (cobra's CommandPath)
    (["image", "list", "a", "b"], "'docker image ls' requires at most 1 argument",
     "docker image ls [OPTIONS] [REPOSITORY[:TAG]]", "docker image ls", "SRun"),
    (["container", "list", "x"], "'docker container ls' accepts no arguments",
     "docker container ls [OPTIONS]", "docker container ls", "Run"),
    (["container", "ps", "x"], "'docker container ls' accepts no arguments",
     "docker container ls [OPTIONS]", "docker container ls", "Run"),
    (["image", "remove"], "'docker image rm' requires at least 1 argument",
     "docker image rm [OPTIONS] IMAGE [IMAGE...]", "docker image rm", "See"),
    (["container", "remove"], "'docker container rm' requires at least 1 argument",
     "docker container rm [OPTIONS] CONTAINER [CONTAINER...]", "docker container rm", "See"),
])
def test_argument_counts_fine_points(argv, message, usage, command, see):
    assert shown(*argv) == args_error(message, usage, command, see)


# --- unknown commands ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["foo", "psa", "Run", "container-ls"])
def test_unknown_top_level_command(name):
    assert shown(name) == (f"docker: unknown command: docker {name}\n\n"
                           "Run 'docker --help' for more information", 1)


@pytest.mark.parametrize("group", ["container", "image"])
def test_unknown_command_in_a_group(group):
    assert shown(group, "foo") == (
        f"docker: unknown command: docker {group} foo\n\nUsage:  docker {group}\n\n"
        f"Run 'docker {group} --help' for more information", 1)


def test_shortcut_names_do_not_nest_in_groups():
    # `docker container images` is not a command, though `docker images` is
    assert shown("container", "images") == (
        "docker: unknown command: docker container images\n\nUsage:  docker container\n\n"
        "Run 'docker container --help' for more information", 1)


# --- planned: in Docker, not in dockerlings yet -------------------------------------------

@pytest.mark.parametrize("argv, flag", [
    (["run", "--ipc", "host", "busybox"], "--ipc"),
    (["create", "--ipc", "host", "busybox"], "--ipc"),
    (["rm", "-l", "c"], "-l, --link"),
])
def test_planned_flags(argv, flag):
    err = fails(*argv)
    assert err.kind == "planned"
    assert flag in str(err) and "not supported by dockerlings yet" in str(err)
    cmd = parse([argv[0], "--help"]).target
    assert cmd.flag(flag.split("--")[-1]).planned in str(err)


PLANNED = [c for c in spec.COMMANDS if c.planned] or [pytest.param(
    None, marks=pytest.mark.skip(reason="no docker command is planned now: every one works"))]


@pytest.mark.parametrize("cmd", PLANNED, ids=lambda c: c.name if c else "none")
def test_planned_commands(cmd):
    argv = [*cmd.path, *["x"] * cmd.min_args]
    err = fails(*argv)
    assert err.kind == "planned"
    assert "not available in dockerlings yet" in str(err)
    text, code = report.format_error(err, "docker")
    assert text.startswith("docker: ") and code == 1


@pytest.mark.parametrize("cmd", PLANNED, ids=lambda c: c.name if c else "none")
def test_planned_commands_still_show_their_help(cmd):
    req = helps(*cmd.path, "--help")
    assert req.target.planned


# Planned options whose values docker checks itself: a bad value gets docker's error, a
# good one the planned message (texts from docker 28.2.2 with no daemon).
RUN_HELP = "\n\nRun 'docker run --help' for more information"


@pytest.mark.parametrize("argv, expected", [
    (["--uts", "foo"], "docker: --uts: invalid UTS mode" + RUN_HELP),
    (["--userns", "foo"], "docker: --userns: invalid USER mode" + RUN_HELP),
    (["--cgroupns", "foo"], "docker: --cgroupns: invalid CGROUP mode" + RUN_HELP),
    (["--storage-opt", "x"], "docker: invalid storage option" + RUN_HELP),
    (["--health-interval", "-1s"], "docker: --health-interval cannot be negative" + RUN_HELP),
    (["--health-retries", "-1"], "docker: --health-retries cannot be negative" + RUN_HELP),
    (["--no-healthcheck", "--health-cmd", "true"],
     "docker: --no-healthcheck conflicts with --health-* options" + RUN_HELP),
    (["--mac-address", "zz"], "docker: zz is not a valid mac address" + RUN_HELP),
    (["--memory-swappiness", "101"],
     "docker: invalid value: 101. Valid memory swappiness range is 0-100" + RUN_HELP),
    (["--log-driver", "none", "--log-opt", "a=b"],
     "docker: invalid logging opts for driver none" + RUN_HELP),
    (["--platform", "foo"], 'docker: error parsing specified platform: "foo": unknown '
     "operating system or architecture: invalid argument" + RUN_HELP),
    # docker's order: parse() checks the namespaces before the storage options
    (["--storage-opt", "x", "--uts", "foo"], "docker: --uts: invalid UTS mode" + RUN_HELP),
])
def test_planned_option_values_docker_checks_after_parsing(argv, expected):
    assert shown("run", *argv, "busybox") == (expected, 125)


@pytest.mark.parametrize("argv, message", [
    (["--ulimit", "bad"], "invalid ulimit argument: bad"),
    (["--shm-size", "foo"], "invalid size: 'foo'"),
    (["--sysctl", "bad"], "sysctl 'bad' is not allowed"),
    (["--gpus", "bad"], 'invalid count (bad): value must be either "all" or an integer: '
     "invalid syntax"),
    (["--blkio-weight", "70000"], 'strconv.ParseUint: parsing "70000": value out of range'),
    (["--link", "a:b:c"], "bad format for links: a:b:c"),
])
def test_planned_option_values_docker_checks_while_parsing(argv, message):
    assert shown("run", *argv, "busybox") == flag_error(
        f'invalid argument "{argv[1]}" for "{argv[0]}" flag: {message}', RUN_USAGE,
        "docker run")


@pytest.mark.parametrize("argv", [
    ["--uts", "host"], ["--userns", "host"], ["--cgroupns", "private"],
    ["--storage-opt", "size=1g"], ["--health-cmd", "true", "--health-interval", "5s"],
    ["--no-healthcheck"], ["--ulimit", "nofile=1024:2048"], ["--shm-size", "64m"],
    ["--sysctl", "net.ipv4.ip_forward=1"], ["--gpus", "all"], ["--platform", "linux/amd64"],
    ["--mac-address", "92:d0:c6:0a:29:33"], ["--memory-swappiness", "10"],
])
def test_planned_option_good_values_are_not_supported_yet(argv):
    for command in ("run", "create"):
        err = fails(command, *argv, "busybox")
        assert err.kind == "planned", (command, argv)
        assert f"the --{argv[0][2:]} option is not supported by dockerlings yet" in str(err)


def test_create_prints_a_platform_error_bare():
    # createContainer's error is returned as it is by create, wrapped by run
    with pytest.raises(EngineError) as info:
        parse(["create", "--platform", "foo", "busybox"])
    assert report.format_error(info.value, "docker create") == (
        'error parsing specified platform: "foo": unknown operating system or architecture: '
        "invalid argument", 1)


def test_pull_is_checked_before_planned_options():
    assert shown("run", "--uts", "foo", "--pull", "bogus", "busybox")[0].startswith(
        "docker: invalid pull option: 'bogus'")


@pytest.mark.parametrize("value, expected", [
    ("x", '"x": unknown operating system or architecture: invalid argument'),
    ("linux,foo", '"foo": unknown operating system or architecture: invalid argument'),
    ("a*b", '"a*b": wildcards not yet supported: invalid argument'),
])
def test_rmi_platform_values(value, expected):
    with pytest.raises(EngineError) as info:
        parse(["rmi", "--platform", value, "a"])
    assert report.format_error(info.value, "docker rmi") == (expected, 1)
    err = fails("rmi", "--platform", "linux/amd64", "a")
    assert err.kind == "planned"


def test_hidden_planned_flag_is_still_parsed():
    assert fails("run", "--dns-opt", "x", "busybox").kind == "planned"


# --- run_docker: streams and exit codes of what fails before the engine --------------------

def test_run_docker_bare_docker_prints_help_on_stderr():
    code, out, err = run([])
    assert code == 0 and out == ""
    assert err.startswith("Usage:  docker [OPTIONS] COMMAND\n")


def test_run_docker_help_goes_to_stdout():
    code, out, err = run(["ps", "--help"])
    assert code == 0 and err == ""
    assert out.startswith("Usage:  docker ps [OPTIONS]\n\nList containers\n")
    code, out, err = run(["container"])
    assert code == 0 and out == ""
    assert err.startswith("Usage:  docker container COMMAND\n")


def test_run_docker_dash_h_prints_the_deprecation_line_first():
    # pflag marks cobra's -h shorthand deprecated; the notice goes to stdout before the help
    code, out, err = run(["ps", "-h"])
    assert code == 0 and err == ""
    assert out.startswith("Flag shorthand -h has been deprecated, use --help\n"
                          "Usage:  docker ps [OPTIONS]\n")


@pytest.mark.parametrize("argv, text, code", [
    (["run", "-rm", "busybox"],
     "unknown shorthand flag: 'r' in -rm\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]"
     "\n\nRun 'docker run --help' for more information\n", 125),
    (["ps", "x"], "docker: 'docker ps' accepts no arguments\n\nUsage:  docker ps [OPTIONS]\n\n"
                  "Run 'docker ps --help' for more information\n", 1),
    (["foo"], "docker: unknown command: docker foo\n\nRun 'docker --help' for more information\n",
     1),
    (["run", "--pid", "foo", "busybox"],
     "docker: --pid: invalid PID mode\n\nRun 'docker run --help' for more information\n", 125),
    (["run", "--restart", "on-failure:x", "busybox"],
     "docker: invalid restart policy format: maximum retry count must be an integer\n\n"
     "Run 'docker run --help' for more information\n", 125),
    (["run", "--rm", "--restart", "always", "busybox"],
     "docker: conflicting options: cannot specify both --restart and --rm\n\n"
     "Run 'docker run --help' for more information\n", 125),
    (["run", "--env-file", "/nonexistent", "busybox"],
     "docker: open /nonexistent: no such file or directory\n\n"
     "Run 'docker run --help' for more information\n", 125),
    (["ps", "--format", "{{"], "failed to parse template: template: :1: unclosed action\n", 1),
])
def test_run_docker_errors_before_the_engine(argv, text, code):
    got_code, out, err = run(argv)
    assert (got_code, out) == (code, "")
    assert err.split("hint: ")[0] == text


@pytest.mark.parametrize("argv, text, code", [
    # docker prints these two bare, exit 1, even inside `docker run`
    (["run", "-d", "-a", "stdout", "busybox"],
     "conflicting options: cannot specify both --attach and --detach\n", 1),
    (["run", "-d", "--rm", "-a", "stdout", "busybox"],
     "conflicting options: cannot specify both --attach and --detach\n", 1),
    (["run", "-it", "busybox"], "the input device is not a TTY\n", 1),
    # checked by the CLI before it contacts the daemon
    (["run", "--pull", "bogus", "busybox"],
     "docker: invalid pull option: 'bogus': must be one of \"always\", \"missing\" or \"never\""
     "\n\nRun 'docker run --help' for more information\n", 125),
    (["start", "c1", "c2", "-a"], "you cannot start and attach multiple containers at once\n", 1),
])
def test_run_docker_cli_checks(argv, text, code):
    got_code, out, err = run(argv)
    assert (got_code, out) == (code, "")
    assert err.split("hint: ")[0] == text


@pytest.mark.parametrize("argv, text", [
    (["help", "foo"], "unknown help topic: foo\n"),
    (["help", "run", "ps"], "unknown help topic: ps\n"),
    (["help", "container", "foo"], "unknown help topic: foo\n"),
    (["help", "container", "foo", "bar"], "unknown help topic: foo bar\n"),
])
def test_run_docker_unknown_help_topic(argv, text):
    assert run(argv) == (1, "", text)


# --- properties: nothing but UsageError ever escapes ---------------------------------------

COMMAND_WORDS = sorted({w for p in spec.PATHS for w in p} | set(spec.GROUP_NAMES) | {"help"})
FLAG_WORDS = sorted({f"--{f.long}" for c in spec.COMMANDS for f in c.flags} |
                    {f"-{f.short}" for c in spec.COMMANDS for f in c.flags if f.short} |
                    {"-h", "--help", "-D", "--debug", "-v", "--version"})
SPECIAL = ["-", "--", "=", "---", "-=", "--=", "=-", "", " ", "busybox", "web", "a=b",
           "status=exited", "1", "-1", "0x10", "1.5", "3/2", "64m", "{{", "{{.ID}}", "é", "日本",
           "\x00", "\n", "-é", "--é", "-\u0301"]

words = st.one_of(
    st.sampled_from(COMMAND_WORDS),
    st.sampled_from(FLAG_WORDS),
    st.sampled_from(SPECIAL),
    st.builds(lambda f, v: f"{f}={v}", st.sampled_from(FLAG_WORDS), st.text(max_size=6)),
    st.builds(lambda f, v: f + v, st.sampled_from(FLAG_WORDS), st.text(max_size=4)),
    st.builds(lambda a, b: "-" + a + b, st.text("abcdefghijklmnopqrstuvwxyzACDHPTV", max_size=4),
              st.sampled_from(["", "=", "=x", "=1", "x"])),
    st.text(max_size=10),
)
argvs = st.one_of(
    st.lists(words, max_size=10),
    st.builds(lambda p, rest: list(p) + rest, st.sampled_from(sorted(spec.PATHS)),
              st.lists(words, max_size=8)),
)


@settings(max_examples=1500, deadline=None)
@given(argvs)
def test_parse_returns_or_raises_usage_error(argv):
    try:
        result = parse(argv)
    except (UsageError, CliError) as e:     # CliError: checks docker makes after parse()
        text, code = report.format_error(e, "docker")
        assert isinstance(text, str) and text
        assert code in (1, 125)
        return
    assert isinstance(result, (Invocation, HelpRequest))
    if isinstance(result, Invocation):
        cmd = result.command
        assert cmd.min_args <= len(result.args)
        assert cmd.max_args is None or len(result.args) <= cmd.max_args
        assert result.given <= {f.long for f in cmd.flags}


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(argvs)
def test_run_docker_never_raises(argv):
    env = Env.buffered(cwd="/nonexistent-dockerlings-test-dir", environ={})
    env.engine = NoEngine()
    code = run_docker(env, argv)
    assert isinstance(code, int)
    # an engine that refuses everything is an EngineError like any other: it is reported,
    # never turned into "internal error"
    assert "internal error" not in env.error_text()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=6))
def test_run_docker_on_arbitrary_text(argv):
    env = Env.buffered(cwd="/nonexistent-dockerlings-test-dir", environ={})
    env.engine = NoEngine()
    assert isinstance(run_docker(env, argv), int)


def test_run_docker_reports_engine_errors_with_docker_words():
    code, out, err = run(["ps"], engine=NoEngine())
    assert code == 1 and out == ""
    assert err.startswith("Error response from daemon: the test engine has no ")


def test_run_docker_survives_a_crashing_engine():
    class Crashing:
        def __getattr__(self, name):
            raise RuntimeError("boom")
    code, out, err = run(["ps"], engine=Crashing())
    assert isinstance(code, int) and code != 0
    assert "internal error" in err and "Traceback" not in err
