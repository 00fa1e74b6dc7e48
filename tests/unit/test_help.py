"""Help pages (shell.cli.help) against the docker CLI 28.2.2's own.

tests/fixtures/docker-help/*.txt are `docker <command> --help` at 80 columns, byte for
byte (tests/fixtures/capture_help.py made them from docker CLI 28.2.2). WIDE_HELP below was captured from the same binary in a pty
of other widths. Where dockerlings has the same flags as docker, the page must be
docker's exactly; where it has fewer, each flag it does show must read as docker's.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from shell.cli import help as cli_help
from shell.cli import spec
from shell.cli.spec import Flag
from tests.help_pages import flag_rows

HELP_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "docker-help"

# Commands whose flag set is docker's exactly: their page must be docker's page.
EXACT = ["attach", "commit", "container_inspect", "container_ls", "container_prune", "diff",
         "exec", "image_prune", "inspect", "kill", "logs", "pause", "ps", "rename", "restart",
         "stats", "container_stats", "system_df", "system_events", "events", "system_prune", "stop", "tag", "top", "unpause", "wait"]


def reference(name: str) -> str:
    path = HELP_DIR / f"{name}.txt"
    if not path.exists():
        pytest.skip(f"reference capture {path} is missing")
    return path.read_text()


def page(name: str, columns: int = 80) -> str:
    words = tuple(name.split("_"))
    return cli_help.command(spec.PATHS[words], columns, words) + "\n"


def command_files() -> list[str]:
    return sorted(p.stem for p in HELP_DIR.glob("*.txt")
                  if tuple(p.stem.split("_")) in spec.PATHS)


@pytest.mark.parametrize("name", EXACT)
def test_page_is_dockers_byte_for_byte(name):
    assert page(name) == reference(name)


def test_alias_pages_differ_only_in_the_usage_line():
    ps, ls = page("ps").split("\n"), page("container_ls").split("\n")
    assert ps[0] == "Usage:  docker ps [OPTIONS]"
    assert ls[0] == "Usage:  docker container ls [OPTIONS]"
    assert ps[1:] == ls[1:]
    words = ("container", "list")
    listed = cli_help.command(spec.PATHS[words], 80, words)
    assert listed.split("\n")[0] == "Usage:  docker container ls [OPTIONS]"


@pytest.mark.parametrize("name", command_files())
def test_usage_summary_and_aliases_are_dockers(name):
    """Everything above "Options:" (usage line, summary, aliases) for every captured page."""
    ours, theirs = page(name), reference(name)
    ours = ours.split("\n\nNot available in dockerlings yet: ")[0]   # planned commands say so
    assert ours.split("\nOptions:\n")[0].rstrip("\n") == theirs.split("\nOptions:\n")[0].rstrip("\n")


@pytest.mark.parametrize("name", command_files())
def test_every_flag_shown_reads_as_dockers(name):
    ours, theirs = flag_rows(page(name)), flag_rows(reference(name))
    for long, (left, desc) in ours.items():
        assert long in theirs, f"docker {name} has no --{long}"
        desc = desc.replace(" (not in dockerlings yet)", "")
        assert (left, desc) == theirs[long], long


def test_hidden_flags_are_not_shown():
    text = page("stop")
    assert "--time " not in text and "--timeout int" in text
    assert "--net " not in page("run")
    assert "--dns-opt " not in page("run") and "--dns-option list" in page("run")


@pytest.mark.parametrize("name", ["run", "create", "rmi", "image_rm"])
def test_page_lists_every_flag_docker_lists(name):
    """run and create list all of docker's options, the ones dockerlings lacks as planned
    ("(not in dockerlings yet)"), so each row reads as docker's."""
    assert list(flag_rows(page(name))) == list(flag_rows(reference(name)))


def test_planned_rows_keep_dockers_defaults():
    text = page("run")
    for row in ("--ulimit ulimit ", "--gpus gpu-request ", "--blkio-weight uint16 ",
                "--io-maxiops uint ", "--sysctl map ", "--health-interval duration "):
        assert row in text, row
    rows = flag_rows(text)
    assert rows["ulimit"][1] == "Ulimit options (default []) (not in dockerlings yet)"
    assert rows["memory-swappiness"][1].endswith("(0 to 100) (default -1) (not in "
                                                 "dockerlings yet)")
    assert rows["disable-content-trust"][1] == ("Skip image verification (default true) "
                                                "(not in dockerlings yet)")


def test_flags_are_sorted_by_long_name():
    for name in ["run", "ps", "exec", "logs"]:
        longs = list(flag_rows(page(name)))
        assert longs == sorted(longs), name


def test_help_row_only_where_h_is_taken():
    assert "      --help " in page("run") and "      --help " in page("create")
    assert "--help" not in page("ps").split("Options:")[1]


def test_planned_flags_and_commands_say_so():
    assert "Remove the specified link (not in dockerlings yet)" in page("rm")
    # every docker command works now; a planned one would still say so
    later = spec.Command(("later",), "[OPTIONS]", "Not yet", None, planned="it comes later")
    assert "Not available in dockerlings yet: " in cli_help.command(later, 80, ("later",))


def test_no_trailing_newline_from_command():
    for name in EXACT:
        words = tuple(name.split("_"))
        assert not cli_help.command(spec.PATHS[words], 80, words).endswith("\n")


# --- other terminal widths ------------------------------------------------------------

# Captured with `script -qc 'stty cols N; docker CMD --help'` (docker 28.2.2): the help
# of a terminal N columns wide (flag text wraps at N-1). Trailing blanks are docker's.
WIDE_HELP = {
    ('ps', 45): (
        'Usage:  docker ps [OPTIONS]\n'
        '\n'
        'List containers\n'
        '\n'
        'Aliases:\n'
        '  docker container ls, docker container list, docker container ps, docker ps\n'
        '\n'
        'Options:\n'
        '  -a, --all             \n'
        '                Show all containers\n'
        '                (default shows just\n'
        '                running)\n'
        '  -f, --filter filter   \n'
        '                Filter output based on\n'
        '                conditions provided\n'
        '      --format string   \n'
        '                Format output using a\n'
        '                custom template:\n'
        "                'table':           \n"
        '                Print output in table\n'
        '                format with column\n'
        '                headers (default)\n'
        "                'table TEMPLATE':  \n"
        '                Print output in table\n'
        '                format using the given\n'
        '                Go template\n'
        "                'json':            \n"
        '                Print in JSON format\n'
        "                'TEMPLATE':        \n"
        '                Print output using the\n'
        '                given Go template.\n'
        '                Refer to\n'
        '                https://docs.docker.com/go/formatting/ for more information about formatting output with templates\n'
        '  -n, --last int        \n'
        '                Show n last created\n'
        '                containers (includes\n'
        '                all states) (default -1)\n'
        '  -l, --latest          \n'
        '                Show the latest\n'
        '                created container\n'
        '                (includes all states)\n'
        '      --no-trunc        \n'
        "                Don't truncate output\n"
        '  -q, --quiet           \n'
        '                Only display container IDs\n'
        '  -s, --size            \n'
        '                Display total file sizes\n'
    ),
    ('ps', 120): (
        'Usage:  docker ps [OPTIONS]\n'
        '\n'
        'List containers\n'
        '\n'
        'Aliases:\n'
        '  docker container ls, docker container list, docker container ps, docker ps\n'
        '\n'
        'Options:\n'
        '  -a, --all             Show all containers (default shows just running)\n'
        '  -f, --filter filter   Filter output based on conditions provided\n'
        '      --format string   Format output using a custom template:\n'
        "                        'table':            Print output in table format with column headers (default)\n"
        "                        'table TEMPLATE':   Print output in table format using the given Go template\n"
        "                        'json':             Print in JSON format\n"
        "                        'TEMPLATE':         Print output using the given Go template.\n"
        '                        Refer to https://docs.docker.com/go/formatting/ for more information about formatting\n'
        '                        output with templates\n'
        '  -n, --last int        Show n last created containers (includes all states) (default -1)\n'
        '  -l, --latest          Show the latest created container (includes all states)\n'
        "      --no-trunc        Don't truncate output\n"
        '  -q, --quiet           Only display container IDs\n'
        '  -s, --size            Display total file sizes\n'
    ),
    ('logs', 30): (
        'Usage:  docker logs [OPTIONS] CONTAINER\n'
        '\n'
        'Fetch the logs of a container\n'
        '\n'
        'Aliases:\n'
        '  docker container logs, docker logs\n'
        '\n'
        'Options:\n'
        '      --details        Show extra details provided to logs\n'
        '  -f, --follow         Follow log output\n'
        '      --since string   Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)\n'
        '  -n, --tail string    Number of lines to show from the end of the logs (default "all")\n'
        '  -t, --timestamps     Show timestamps\n'
        '      --until string   Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)\n'
    ),
    ('logs', 60): (
        'Usage:  docker logs [OPTIONS] CONTAINER\n'
        '\n'
        'Fetch the logs of a container\n'
        '\n'
        'Aliases:\n'
        '  docker container logs, docker logs\n'
        '\n'
        'Options:\n'
        '      --details        Show extra details provided to logs\n'
        '  -f, --follow         Follow log output\n'
        '      --since string   Show logs since timestamp\n'
        '                       (e.g. "2013-01-02T13:23:37Z")\n'
        '                       or relative (e.g. "42m" for 42\n'
        '                       minutes)\n'
        '  -n, --tail string    Number of lines to show from\n'
        '                       the end of the logs (default "all")\n'
        '  -t, --timestamps     Show timestamps\n'
        '      --until string   Show logs before a timestamp\n'
        '                       (e.g. "2013-01-02T13:23:37Z")\n'
        '                       or relative (e.g. "42m" for 42\n'
        '                       minutes)\n'
    ),
    ('exec', 100): (
        'Usage:  docker exec [OPTIONS] CONTAINER COMMAND [ARG...]\n'
        '\n'
        'Execute a command in a running container\n'
        '\n'
        'Aliases:\n'
        '  docker container exec, docker exec\n'
        '\n'
        'Options:\n'
        '  -d, --detach               Detached mode: run command in the background\n'
        '      --detach-keys string   Override the key sequence for detaching a container\n'
        '  -e, --env list             Set environment variables\n'
        '      --env-file list        Read in a file of environment variables\n'
        '  -i, --interactive          Keep STDIN open even if not attached\n'
        '      --privileged           Give extended privileges to the command\n'
        '  -t, --tty                  Allocate a pseudo-TTY\n'
        '  -u, --user string          Username or UID (format: "<name|uid>[:<group|gid>]")\n'
        '  -w, --workdir string       Working directory inside the container\n'
    ),
    ('commit', 45): (
        'Usage:  docker commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]\n'
        '\n'
        "Create a new image from a container's changes\n"
        '\n'
        'Aliases:\n'
        '  docker container commit, docker commit\n'
        '\n'
        'Options:\n'
        '  -a, --author string    \n'
        '                Author (e.g., "John\n'
        '                Hannibal Smith\n'
        '                <hannibal@a-team.com>")\n'
        '  -c, --change list      \n'
        '                Apply Dockerfile\n'
        '                instruction to the\n'
        '                created image\n'
        '  -m, --message string   \n'
        '                Commit message\n'
        '  -p, --pause            \n'
        '                Pause container during\n'
        '                commit (default true)\n'
    ),
    ('stop', 200): (
        'Usage:  docker stop [OPTIONS] CONTAINER [CONTAINER...]\n'
        '\n'
        'Stop one or more running containers\n'
        '\n'
        'Aliases:\n'
        '  docker container stop, docker stop\n'
        '\n'
        'Options:\n'
        '  -s, --signal string   Signal to send to the container\n'
        '  -t, --timeout int     Seconds to wait before killing the container\n'
    ),
    ('inspect', 60): (
        'Usage:  docker inspect [OPTIONS] NAME|ID [NAME|ID...]\n'
        '\n'
        'Return low-level information on Docker objects\n'
        '\n'
        'Options:\n'
        '  -f, --format string   Format output using a custom\n'
        '                        template:\n'
        "                        'json':             Print in\n"
        '                        JSON format\n'
        "                        'TEMPLATE':         Print\n"
        '                        output using the given Go\n'
        '                        template.\n'
        '                        Refer to\n'
        '                        https://docs.docker.com/go/formatting/ for more information about formatting output with templates\n'
        '  -s, --size            Display total file sizes if\n'
        '                        the type is container\n'
        '      --type string     Only inspect objects of the\n'
        '                        given type\n'
    ),
    ('container_prune', 45): (
        'Usage:  docker container prune [OPTIONS]\n'
        '\n'
        'Remove all stopped containers\n'
        '\n'
        'Options:\n'
        '      --filter filter   \n'
        '                Provide filter values\n'
        '                (e.g. "until=<timestamp>")\n'
        '  -f, --force           \n'
        '                Do not prompt for\n'
        '                confirmation\n'
    ),
    ('image_prune', 120): (
        'Usage:  docker image prune [OPTIONS]\n'
        '\n'
        'Remove unused images\n'
        '\n'
        'Options:\n'
        '  -a, --all             Remove all unused images, not just dangling ones\n'
        '      --filter filter   Provide filter values (e.g. "until=<timestamp>")\n'
        '  -f, --force           Do not prompt for confirmation\n'
    ),
    ('attach', 45): (
        'Usage:  docker attach [OPTIONS] CONTAINER\n'
        '\n'
        'Attach local standard input, output, and error streams to a running container\n'
        '\n'
        'Aliases:\n'
        '  docker container attach, docker attach\n'
        '\n'
        'Options:\n'
        '      --detach-keys string   \n'
        '                Override the key\n'
        '                sequence for detaching\n'
        '                a container\n'
        '      --no-stdin             \n'
        '                Do not attach STDIN\n'
        '      --sig-proxy            \n'
        '                Proxy all received\n'
        '                signals to the process\n'
        '                (default true)\n'
    ),
    ('top', 30): (
        'Usage:  docker top CONTAINER [ps OPTIONS]\n'
        '\n'
        'Display the running processes of a container\n'
        '\n'
        'Aliases:\n'
        '  docker container top, docker top\n'
    ),
}


@pytest.mark.parametrize("name, columns", sorted(WIDE_HELP))
def test_page_at_other_widths_is_dockers(name, columns):
    assert page(name, columns) == WIDE_HELP[(name, columns)]


# --- the flag table and its wrapping rule (pflag FlagUsagesWrapped) -----------------------

def table(flags, width):
    return cli_help.flag_table(list(flags), width)


def test_table_columns():
    flags = [Flag("all", "a", help="Show all"), Flag("format", kind=spec.STRING, help="Format")]
    assert table(flags, 79) == ("  -a, --all             Show all\n"
                                "      --format string   Format")


def test_description_column_is_longest_left_part_plus_three():
    flags = [Flag("x", "x", help="X"), Flag("a-long-name", kind=spec.INT, help="Y")]
    lines = table(flags, 79).split("\n")
    assert lines == ["  -x, --x                 X", "      --a-long-name int   Y"]
    assert lines[0].index("X") == len("      --a-long-name int") + 3


def test_type_words():
    flags = [Flag(k, kind=k, help="h") for k in
             (spec.STRING, spec.INT, spec.LIST, spec.BYTES, spec.DECIMAL, spec.FILTER,
              spec.DURATION, spec.MAP, spec.BOOL)]
    flags.append(Flag("mnt", kind=spec.STRING, metavar="mount", help="h"))
    got = [line.split()[0:2] for line in table(flags, 200).split("\n")]
    assert got == [["--string", "string"], ["--int", "int"], ["--list", "list"],
                   ["--bytes", "bytes"], ["--decimal", "decimal"], ["--filter", "filter"],
                   ["--duration", "duration"], ["--map", "map"], ["--bool", "h"],
                   ["--mnt", "mount"]]


@pytest.mark.parametrize("flag, suffix", [
    (Flag("s", kind=spec.STRING, help="h", default="all"), 'h (default "all")'),
    (Flag("n", kind=spec.INT, help="h", default=-1), "h (default -1)"),
    (Flag("b", help="h", default=True), "h (default true)"),
    (Flag("z", kind=spec.INT, help="h", default=0), "h"),
    (Flag("e", kind=spec.STRING, help="h", default=""), "h"),
    (Flag("f", help="h", default=False), "h"),
    (Flag("l", kind=spec.LIST, help="h"), "h"),
])
def test_defaults_are_shown_unless_zero(flag, suffix):
    assert table([flag], 200).endswith("   " + suffix)


def test_wraps_at_the_last_space_and_indents_to_the_column():
    flags = [Flag("all", "a", help="aaaa bbbb cccc dddd eeee ffff gggg")]
    # description column 14, width 40: 26 columns of room, 21 after the 5-column slop
    assert table(flags, 40) == ("  -a, --all   aaaa bbbb cccc dddd\n"
                                "              eeee ffff gggg")


def test_slop_keeps_a_short_last_word_on_the_line():
    fits = [Flag("all", "a", help="aaaa bbbb cccc dddd eeeee")]        # 25 < 21 + 5
    assert table(fits, 40) == "  -a, --all   aaaa bbbb cccc dddd eeeee"
    spills = [Flag("all", "a", help="aaaa bbbb cccc dddd eeeeee")]     # 26: no longer
    assert table(spills, 40) == ("  -a, --all   aaaa bbbb cccc dddd\n"
                                 "              eeeeee")


def test_embedded_newlines_start_new_lines_at_the_column():
    flags = [Flag("all", "a", help="line one\nline two")]
    assert table(flags, 79) == ("  -a, --all   line one\n"
                                "              line two")


def test_a_word_longer_than_the_room_is_not_broken():
    flags = [Flag("all", "a", help="see https://docs.docker.com/go/formatting/ for more")]
    assert table(flags, 40) == ("  -a, --all   see\n"
                                "              https://docs.docker.com/go/formatting/ for more")


def test_narrow_column_moves_the_text_to_the_next_line():
    flags = [Flag("a-very-long-flag-name", kind=spec.STRING,
                  help="aaaa bbbb cccc dddd eeee ffff gggg hhhh")]
    # column 39 leaves 11 of 50: pflag restarts at column 16 on a new line
    assert table(flags, 50) == ("      --a-very-long-flag-name string   \n"
                                "                aaaa bbbb cccc dddd eeee\n"
                                "                ffff gggg hhhh")


def test_too_narrow_to_wrap_at_all():
    flags = [Flag("all", "a", help="aaaa bbbb cccc dddd eeee ffff gggg\nnext")]
    # neither column 14 nor 16 leaves 24 columns: the text is left as it is (and, as in
    # pflag, its newlines are indented to column 16)
    assert table(flags, 30) == ("  -a, --all   aaaa bbbb cccc dddd eeee ffff gggg\n"
                                "                next")


# --- group pages and the top level ----------------------------------------------------

def group_page(name: str) -> str:
    return cli_help.group(spec.GROUP_NAMES[name]) + "\n"


def section(text: str, title: str) -> list[str]:
    lines = text.split("\n")
    start = lines.index(title) + 1
    end = lines.index("", start)
    return lines[start:end]


def test_container_group_page_is_dockers():
    # dockerlings lists every `docker container` command docker has
    assert group_page("container") == reference("container")


def test_image_group_page_structure():
    ours, theirs = group_page("image"), reference("image")
    lines = ours.split("\n")
    assert lines[:5] == ["Usage:  docker image COMMAND", "", "Manage images", "", "Commands:"]
    assert ours.endswith("\n\nRun 'docker image COMMAND --help' for more information on a "
                         "command.\n")
    rows = section(ours, "Commands:")
    docker_rows = section(theirs, "Commands:")
    assert rows and all(row in docker_rows for row in rows)
    assert rows == [r for r in docker_rows if r in rows]          # docker's order


def test_group_rows_pad_names_like_cobra():
    # cobra pads command names to 11 columns (minNamePadding), then one space
    for row in section(group_page("container"), "Commands:"):
        name = row.split()[0]
        assert row.startswith("  " + name.ljust(11) + " "), row


def test_volume_group_page():
    text = group_page("volume")
    assert text.startswith("Usage:  docker volume COMMAND\n\nManage volumes\n")
    for name in ("create", "inspect", "ls", "prune", "rm"):
        assert f"\n  {name} " in text
    assert "Not available in dockerlings yet" not in text
    assert text.endswith("Run 'docker volume COMMAND --help' for more information on a "
                         "command.\n")


TOP_SECTIONS = ["Common Commands:", "Management Commands:", "Commands:", "Global Options:"]


def test_top_level_sections_in_dockers_order():
    lines = cli_help.top_level(80).split("\n")
    assert lines[0] == "Usage:  docker [OPTIONS] COMMAND"
    assert lines[1] == ""
    assert lines[2].startswith("A self-sufficient runtime for containers")
    positions = [lines.index(t) for t in TOP_SECTIONS]
    assert positions == sorted(positions)
    for p in positions:
        assert lines[p - 1] == ""


@pytest.mark.parametrize("title", ["Common Commands:", "Management Commands:", "Commands:"])
def test_top_level_rows_are_dockers_rows_in_dockers_order(title):
    # plugins (compose*) are not in the reference: its docker was captured without them
    ours = [r for r in section(cli_help.top_level(80), title) if "* " not in r]
    theirs = section(reference("docker"), title)
    assert ours
    assert all(row in theirs for row in ours), [r for r in ours if r not in theirs]
    assert ours == [r for r in theirs if r in ours]


def test_top_level_lists_every_top_level_command_once():
    text = cli_help.top_level(80)
    names = [row.split()[0] for t in ("Common Commands:", "Commands:") for row in section(text, t)]
    assert len(names) == len(set(names))
    assert set(names) == {p[0] for p in spec.PATHS if len(p) == 1}
    groups = [row.split()[0].rstrip("*") for row in section(text, "Management Commands:")]
    assert set(groups) == set(spec.GROUP_NAMES)


def test_top_level_global_options_read_as_dockers():
    ours = flag_rows("Options:\n" + "\n".join(section(cli_help.top_level(80), "Global Options:")))
    theirs = flag_rows("Options:\n" + "\n".join(section(reference("docker"), "Global Options:")))
    assert set(ours) == {"debug", "version"}
    for long, row in ours.items():
        assert row == theirs[long]


def test_top_level_ends_like_dockers():
    assert cli_help.top_level(80).endswith(
        "\n\nRun 'docker COMMAND --help' for more information on a command.\n\n"
        "For more help on how to use Docker, head to https://docs.docker.com/go/guides/")


def test_render_dispatches():
    assert cli_help.render(None, 80) == cli_help.top_level(80)
    group = spec.GROUP_NAMES["container"]
    assert cli_help.render(group, 80) == cli_help.group(group)
    cmd = spec.PATHS[("ps",)]
    assert cli_help.render(cmd, 80, ("ps",)) == cli_help.command(cmd, 80, ("ps",))
    assert cli_help.render(cmd, 60, ("ps",)) == cli_help.command(cmd, 60, ("ps",))
