"""Tab completion, through the prompt_toolkit completer the REPL uses (Document and
CompleteEvent), on a fake engine listing."""
from __future__ import annotations

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from shell.cli import spec
from shell.completion import Context, DockerCompleter, rank, split_words
from shell.listings import Box, Tag

IMAGE_ID = "sha256:" + "ab" * 32


class FakeListings:
    def __init__(self, boxes=(), tags=(), networks=(), volumes=()):
        self.boxes, self._tags = list(boxes), list(tags)
        self._networks, self._volumes = list(networks), list(volumes)

    def containers(self):
        return self.boxes

    def tags(self):
        return self._tags

    def networks(self):
        return self._networks

    def volumes(self):
        return self._volumes


BOXES = [Box("a1" * 32, "web", "running", "busybox"),
         Box("b2" * 32, "worker", "restarting", "busybox"),
         Box("c3" * 32, "old", "exited", "busybox"),
         Box("d4" * 32, "fresh", "created", "hello-world"),
         Box("e5" * 32, "frozen", "paused", "busybox")]
TAGS = [Tag("busybox:latest", IMAGE_ID), Tag("my-image:v1", IMAGE_ID),
        Tag("hello-world:latest", "sha256:" + "cd" * 32)]


@pytest.fixture
def complete(tmp_path):
    ctx = Context(str(tmp_path), FakeListings(BOXES, TAGS, ["bridge", "host", "none", "appnet"],
                                              ["data"]), environ={"PATH": ""})
    completer = DockerCompleter(lambda: ctx)

    def run(text: str):
        doc = Document(text)
        return list(completer.get_completions(doc, CompleteEvent(completion_requested=True)))
    return run


def texts(completions) -> list[str]:
    return [c.text for c in completions]


def metas(completions) -> dict[str, str]:
    return {c.text: c.display_meta_text for c in completions}


# --- commands -------------------------------------------------------------------------

def test_every_top_level_command_and_group_completes(complete):
    got = set(texts(complete("docker ")))
    assert {n for n, _ in spec.top_level()} | set(spec.GROUP_NAMES) <= got


@pytest.mark.parametrize("group", sorted(spec.GROUP_NAMES))
def test_management_commands_complete(complete, group):
    got = set(texts(complete(f"docker {group} ")))
    assert {n for n, _ in spec.group_commands(group)} == got


def test_commands_carry_their_summary(complete):
    m = metas(complete("docker r"))
    assert m["run"] == "Create and run a new container from an image"
    assert "rmi" in m and "rename" in m
    assert texts(complete("docker container l")) == ["list", "logs", "ls"]


def test_docker_help_completes_topics(complete):
    assert "run" in texts(complete("docker help r"))
    assert "ls" in texts(complete("docker help image "))


def test_first_word_offers_docker_and_the_builtins(complete):
    got = texts(complete(""))
    assert got[:2] == ["docker", "dockerlings"]
    assert {"cd", "pwd", "clear", "help", "exit", "edit", "map"} <= set(got)


def test_dockerlings_subcommands(complete):
    assert {"docker", "engine", "map"} <= set(texts(complete("dockerlings ")))
    assert texts(complete("dockerlings engine ")) == ["info", "fsck", "reset", "serve", "shell"]
    assert "xray" in texts(complete("dockerlings "))
    assert "run" in texts(complete("dockerlings docker r"))


# --- flags ---------------------------------------------------------------------------

def test_flags_with_one_line_descriptions(complete):
    found = complete("docker run --rest")
    assert texts(found) == ["--restart"]
    assert metas(found)["--restart"] == "Restart policy to apply when a container exits"
    fmt = metas(complete("docker ps --form"))["--format"]
    assert "\n" not in fmt and fmt.startswith("Format output")


def test_a_lone_dash_lists_flags_with_their_short_form(complete):
    found = complete("docker run -")
    tty = next(c for c in found if c.text == "--tty")
    assert tty.display_text == "-t, --tty"
    assert "--net" not in texts(found)           # hidden flags stay hidden


def test_one_dash_long_name_is_offered_with_two(complete):
    assert texts(complete("docker run -rm")) == ["--rm"]


def test_a_short_flag_says_what_it_is(complete):
    found = complete("docker run -t")
    assert found[0].display_text == "-t, --tty"


@pytest.mark.parametrize("cmd", [c for c in spec.COMMANDS if c.flags], ids=lambda c: c.name)
def test_every_flag_of_every_command_completes(complete, cmd):
    for f in cmd.flags:
        if f.hidden:
            continue
        assert f"--{f.long}" in texts(complete(f"docker {cmd.name} --{f.long[:2]}")), f.long


def test_no_flags_after_the_image(complete):
    assert complete("docker run -ti busybox -") == []
    assert complete("docker exec web -") == []


# --- flag values -----------------------------------------------------------------------

def test_restart_policies(complete):
    assert texts(complete("docker run --restart ")) == [
        "no", "always", "on-failure", "on-failure:3", "unless-stopped"]
    assert texts(complete("docker run --restart=un")) == ["unless-stopped"]
    assert complete("docker run --restart=un")[0].start_position == -2


def test_signals(complete):
    assert texts(complete("docker kill -s SIGK")) == ["SIGKILL"]
    assert "SIGTERM" in texts(complete("docker stop --signal TE"))
    assert "SIGTERM" in texts(complete("docker run --stop-signal "))


def test_choices_and_capabilities(complete):
    assert texts(complete("docker run --pull ")) == ["always", "missing", "never"]
    assert texts(complete("docker run -a std")) == ["stdin", "stdout", "stderr"]
    assert "NET_ADMIN" in texts(complete("docker run --cap-add net_a"))


def test_format_fields(complete):
    found = complete("docker ps --format '{{.Na")
    assert texts(found) == ["Names}}"] and found[0].start_position == -2
    assert "Repository}}" in texts(complete("docker images --format '{{."))
    dotted = complete("docker inspect -f '{{.State.")
    assert "State.Status}}" in texts(dotted) and dotted[0].start_position == -len("State.")
    starts = texts(complete("docker ps --format "))
    assert "table" in starts and "json" in starts


def test_ps_filters(complete):
    assert "status=" in texts(complete("docker ps -f "))
    assert texts(complete("docker ps --filter status=ru")) == ["running"]
    assert texts(complete("docker ps -f name=wo")) == ["worker"]
    assert "busybox" in texts(complete("docker ps -f ancestor=bu"))


def test_pid_modes_name_running_containers(complete):
    assert texts(complete("docker run --pid ")) == ["host", "container:"]
    got = texts(complete("docker run --pid container:"))
    assert "container:web" in got and "container:old" not in got


def test_security_opt_values(complete, tmp_path):
    (tmp_path / "profile.json").write_text("{}")
    assert texts(complete("docker run --security-opt ")) == [
        "seccomp=unconfined", "seccomp=", "no-new-privileges"]
    assert texts(complete("docker run --security-opt seccomp=pro")) == [
        "seccomp=profile.json"]
    assert texts(complete("docker run --security-opt seccomp=un")) == ["seccomp=unconfined"]


def test_networks_include_the_engines(complete):
    got = texts(complete("docker run --network "))
    assert {"bridge", "host", "none", "appnet"} <= set(got)


# --- engine objects -----------------------------------------------------------------------

@pytest.mark.parametrize("command", ["exec", "attach", "stop", "kill", "pause", "top"])
def test_only_running_containers_where_only_they_make_sense(complete, command):
    got = set(texts(complete(f"docker {command} ")))
    assert got == {"web", "worker"}


def test_start_offers_stopped_containers(complete):
    assert set(texts(complete("docker start "))) == {"old", "fresh"}


def test_unpause_offers_paused_containers(complete):
    assert texts(complete("docker unpause ")) == ["frozen"]


def test_rm_offers_all_but_those_already_named(complete):
    assert set(texts(complete("docker rm web "))) == {"worker", "old", "fresh", "frozen"}


def test_container_meta_says_state_and_image(complete):
    assert metas(complete("docker logs we"))["web"] == "running · busybox"


def test_fuzzy_names_prefix_first(complete):
    assert texts(complete("docker logs wr")) == ["worker"]          # w..r in order
    assert texts(complete("docker logs o"))[0] == "old"              # prefix before the rest
    assert "frozen" in texts(complete("docker logs o"))              # substring too


def test_container_ids_by_prefix(complete):
    got = complete("docker logs c3c3")
    assert texts(got) == ["c3c3c3c3c3c3"]


def test_images_with_tags(complete):
    got = texts(complete("docker rmi "))
    assert {"busybox:latest", "busybox", "my-image:v1", "hello-world"} <= set(got)
    assert texts(complete("docker image history my")) == ["my-image:v1"]


def test_run_offers_the_images_made_offline(tmp_path):
    ctx = Context(str(tmp_path), FakeListings(), environ={"PATH": ""})
    completer = DockerCompleter(lambda: ctx)
    got = [c.text for c in completer.get_completions(Document("docker run "), CompleteEvent())]
    assert got == ["busybox", "curlimages/curl", "hello-world"]
    assert [c.text for c in completer.get_completions(Document("docker rmi "),
                                                         CompleteEvent())] == []


def test_inspect_offers_containers_and_images(complete):
    got = set(texts(complete("docker inspect ")))
    assert {"web", "old", "busybox:latest"} <= got


def test_image_then_command(complete):
    assert texts(complete("docker run -ti --name x bu")) == ["busybox", "busybox:latest"]
    assert complete("docker run busybox s") == []


def test_option_values_are_not_arguments(complete):
    # --name takes "web" as its value: the next word is still the image
    assert "busybox" in texts(complete("docker run --name web "))
    assert "busybox" in texts(complete("docker run -e A=1 -ti "))


# --- host paths ---------------------------------------------------------------------------

def test_paths_relative_to_the_shell_folder(complete, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM busybox\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "run.sh").write_text("")
    (tmp_path / "my file").write_text("")
    assert texts(complete("cat Do")) == ["Dockerfile"]
    assert texts(complete("cat a")) == ["app/"]
    assert texts(complete("cat app/")) == ["app/run.sh"]
    assert texts(complete("cat my")) == ["my\\ file"]
    assert texts(complete("cd ")) == ["app/"]
    assert texts(complete("docker run --cidfile D")) == ["Dockerfile"]
    assert texts(complete("edit app/r")) == ["app/run.sh"]


# --- reading the line ----------------------------------------------------------------------

def test_split_words_handles_quotes_continuations_and_pipes():
    assert split_words("docker run 'a b' c") == (["docker", "run", "a b"], "c", "c")
    assert split_words('docker ps --format "{{.Na') == (["docker", "ps", "--format"], "{{.Na",
                                                        '"{{.Na')
    assert split_words("docker run \\\n  --rm ") == (["docker", "run", "--rm"], "", "")
    assert split_words("docker ps -q | xargs docker rm w")[0] == ["xargs", "docker", "rm"]


def test_completion_after_a_pipe_and_a_continuation(complete):
    assert "start" in texts(complete("echo hi; docker st"))
    assert texts(complete("docker run \\\n   --rest")) == ["--restart"]


def test_rank():
    assert rank("we", "web") == 0
    assert rank("eb", "web") == 1
    assert rank("wb", "web") == 2
    assert rank("x", "web") is None


# --- volumes, bind mounts and docker cp --------------------------------------------------

ANON = "f9" * 32


@pytest.fixture
def complete_volumes(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "notes.txt").write_text("hi")
    ctx = Context(str(tmp_path), FakeListings(BOXES, TAGS, ["bridge"], ["data", "cache", ANON]),
                  environ={"PATH": ""})
    completer = DockerCompleter(lambda: ctx)

    def run(text: str):
        doc = Document(text)
        return list(completer.get_completions(doc, CompleteEvent(completion_requested=True)))
    return run


def test_v_offers_volume_names_then_a_colon_and_ways_to_a_host_folder(complete_volumes):
    got = complete_volumes("docker run -v ")
    assert texts(got) == ["cache:", "data:", "./", "/"]       # anonymous ones not offered
    assert metas(got)["./"].startswith("a folder here")
    assert texts(complete_volumes("docker run -v da")) == ["data:"]
    assert texts(complete_volumes("docker run --volume=ca")) == ["cache:"]
    assert texts(complete_volumes("docker run -dv da")) == ["data:"]
    assert texts(complete_volumes("docker run -v f9")) == [ANON + ":"]   # typed: offered


def test_v_completes_host_paths_for_bind_mounts(complete_volumes):
    got = complete_volumes("docker run -v ./")
    assert texts(got) == ["./notes.txt", "./site/"]
    assert texts(complete_volumes("docker run -v ./si")) == ["./site/"]


def test_v_after_the_colon_offers_nothing_then_the_modes(complete_volumes):
    assert complete_volumes("docker run -v data:/da") == []
    assert texts(complete_volumes("docker run -v ./site:/site:")) == ["ro", "rw"]
    got = complete_volumes("docker run -v data:/data:r")
    assert texts(got) == ["ro", "rw"] and got[0].start_position == -1


def test_volumes_from_completes_containers(complete_volumes):
    got = texts(complete_volumes("docker run --volumes-from "))
    assert {"web", "old", "fresh"} <= set(got)
    assert texts(complete_volumes("docker run --volumes-from ol")) == ["old"]


@pytest.mark.parametrize("line", ["docker volume rm ", "docker volume inspect ",
                                  "docker volume remove "])
def test_volume_commands_complete_volume_names(complete_volumes, line):
    got = complete_volumes(line)
    assert texts(got) == sorted(["cache", "data", ANON])
    assert metas(got)[ANON] == "anonymous volume" and metas(got)["data"] == "volume"
    assert texts(complete_volumes(line + "data ")) == sorted(["cache", ANON])   # not twice


def test_cp_completes_containers_with_a_colon_and_host_paths(complete_volumes):
    got = texts(complete_volumes("docker cp "))
    assert {"web:", "old:", "fresh:"} <= set(got)
    assert {"notes.txt", "site/"} <= set(got)
    assert texts(complete_volumes("docker cp we")) == ["web:", "worker:"]   # fuzzy
    assert texts(complete_volumes("docker cp no")) == ["notes.txt"]
    assert texts(complete_volumes("docker cp ./s")) == ["./site/"]
    assert complete_volumes("docker cp web:/etc") == []          # inside the container
    assert texts(complete_volumes("docker cp web:/etc/hosts ./s")) == ["./site/"]
    assert texts(complete_volumes("docker container cp notes.txt ol")) == ["old:"]


def test_host_completes_its_words(complete):
    assert texts(complete("host s")) == ["share", "shares"]
    assert texts(complete("host u")) == ["unshare"]
    assert texts(complete("host share ")) == []


# --- docker compose -------------------------------------------------------------------

def test_compose_subcommands_their_flags_and_the_folder_s_services(complete, tmp_path):
    assert "up" in texts(complete("docker compose u"))
    assert "up" in texts(complete("docker compose -f compose.yaml -p app u"))
    assert "--project-name" in texts(complete("docker compose --pro"))
    assert "--remove-orphans" in texts(complete("docker compose up --rem"))
    assert complete("docker compose up ") == []            # no compose.yaml here yet
    (tmp_path / "compose.yaml").write_text("services:\n  web: {image: busybox}\n"
                                           "  worker: {image: busybox}\n")
    assert texts(complete("docker compose up -d w")) == ["web", "worker"]
    assert texts(complete("docker compose -f compose.yaml logs -f wo")) == ["worker"]
    assert texts(complete("docker compose exec w")) == ["web", "worker"]


def test_compose_s_own_option_values_complete(complete, tmp_path):
    (tmp_path / "other.yaml").write_text("services: {}\n")
    assert "other.yaml" in texts(complete("docker compose -f oth"))
    assert "other.yaml" in texts(complete("docker compose -p x --file oth"))


def test_set_completes_the_api_trace_setting_and_its_values(complete):
    assert texts(complete("set ")) == ["api-trace"]
    assert texts(complete("set api-trace ")) == ["on", "off"]
    assert texts(complete("set api-trace o")) == ["on", "off"]
    assert texts(complete("set api-trace on ")) == []
    assert "--debug" in texts(complete("docker --d"))
