"""The conversation behind a docker command (shell/conversation.py): each request in
the form the docker CLI sends it, Go's query encoding, and the shell's setting."""
from __future__ import annotations

import pytest

from engine.errors import NoSuchContainer
from shell import builtins
from shell.conversation import (SILENT, Conversation, filters_param, line, pull_params,
                                query, timestamp_param, untraced)
from shell.env import Env


def test_query_as_go_encodes_it():
    assert query({"stream": True, "stdout": True, "stdin": False, "stderr": True}) == \
        "stderr=1&stdout=1&stream=1"
    assert query({"fromImage": "docker.io/library/busybox", "tag": "latest"}) == \
        "fromImage=docker.io%2Flibrary%2Fbusybox&tag=latest"
    assert query({"comment": "two words", "author": "", "t": None}) == "author=&comment=two+words"
    assert query({"changes": ["CMD a", "ENV b=c"]}) == "changes=CMD+a&changes=ENV+b%3Dc"


def test_filters_as_go_marshals_them():
    assert filters_param([]) is None
    assert filters_param([("status", "exited"), ("label", "a=<b>"), ("status", "created")]) == \
        '{"label":{"a=\\u003cb\\u003e":true},"status":{"created":true,"exited":true}}'


def test_the_line_carries_the_version_but_the_ping_does_not():
    assert line("HEAD", "/_ping", 200) == "HEAD /_ping -> 200"
    assert line("POST", "/containers/create", 201, {"name": "web"}) == \
        "POST /v1.50/containers/create?name=web -> 201"


def test_pull_parameters_name_the_repository_and_tag():
    assert pull_params("busybox") == {"fromImage": "docker.io/library/busybox", "tag": "latest"}
    assert pull_params("localhost:5000/a/b:v1") == {"fromImage": "localhost:5000/a/b",
                                                     "tag": "v1"}


def test_timestamps_as_the_cli_sends_them():
    assert timestamp_param(None, None) is None
    assert timestamp_param("10m", 1700000000.75) == "1700000000"
    assert timestamp_param("2024-01-02T03:04:05.5Z", 1704164645.5) == "1704164645.500000000"
    assert timestamp_param("1700000000", 1700000000.0) == "1700000000"


def test_a_request_reports_the_errors_status_and_lets_it_go_on():
    said = []
    talk = Conversation(said.append)
    with talk.request("POST", "/containers/web/stop", 204, t=3) as answer:
        answer.status = 304
    with pytest.raises(NoSuchContainer):
        with talk.request("DELETE", "/containers/gone", 204):
            raise NoSuchContainer("gone")
    assert said == ["HEAD /_ping -> 200", "POST /v1.50/containers/web/stop?t=3 -> 304",
                    "DELETE /v1.50/containers/gone -> 404"]


def test_a_query_parameter_may_be_called_path_or_status():
    said = []
    Conversation(said.append).said("HEAD", "/containers/web/archive", 404, path="/tmp/")
    with Conversation(said.append).request("GET", "/x", 200, status="running"):
        pass
    with SILENT.request("PUT", "/containers/web/archive", 200, path="/tmp"):
        pass
    assert said[1] == "HEAD /v1.50/containers/web/archive?path=%2Ftmp%2F -> 404"
    assert said[3] == "GET /v1.50/x?status=running -> 200"


def test_silence_runs_every_step_and_says_nothing():
    ran = []
    with SILENT.request("GET", "/containers/json") as answer:
        ran.append(answer.status)
    SILENT.said("GET", "/info")
    assert ran == [200] and not SILENT.on


def test_commands_not_traced_say_so():
    assert untraced("containers:run", "docker run") is None
    assert untraced("stats:stats", "docker stats") == \
        "(api-trace: the requests behind 'docker stats' are not shown yet)"


def test_the_setting():
    env = Env.buffered(environ={})
    assert builtins.run(env, ["set"]) == 0
    assert builtins.run(env, ["set", "api-trace", "on"]) == 0
    assert env.api_trace and env.environ["DOCKERLINGS_API_TRACE"] == "1"
    assert builtins.run(env, ["set", "api-trace", "off"]) == 0
    assert not env.api_trace and "DOCKERLINGS_API_TRACE" not in env.environ
    assert builtins.run(env, ["set", "api-trace", "maybe"]) == 2
    assert builtins.run(env, ["set", "-e"]) == 2
    assert env.output_text() == "api-trace off\napi-trace on\napi-trace off\n"
    assert env.error_text() == "Usage:  set [api-trace [on|off]]\n" * 2


def test_every_traced_handler_is_a_command_of_the_table():
    from shell.cli import spec
    from shell.conversation import TRACED
    handlers = {c.handler for c in spec.COMMANDS}
    assert TRACED <= handlers, TRACED - handlers


def test_an_error_after_the_answer_began_keeps_its_status():
    said = []
    talk = Conversation(said.append)
    with pytest.raises(NoSuchContainer):
        with talk.request("POST", "/images/x/push") as answer:
            answer.begun = True              # a stream: the error goes in it
            raise NoSuchContainer("x")
    assert said[-1] == "POST /v1.50/images/x/push -> 200"
