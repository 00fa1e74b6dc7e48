"""shell.render.formatter against the docker CLI's --format handling.

DOCKER_OUTPUTS and DOCKER_ERRORS were recorded from the real docker CLI (client
28.2.2, no daemon) with `docker context ls --format FORMAT`, with the contexts in
CONTEXT_ROWS (`docker context ls --format json` gave the rows).  `context ls`
goes through the same formatter.Context.Write as ps, images, volume ls, ...
test_cli_agrees re-creates the contexts in a scratch DOCKER_CONFIG and checks the
tables again when a docker binary is on this machine.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

from shell.render import gotemplate
from shell.render.formatter import FormatError, format_rows, is_table
from shell.render.gotemplate import TemplateError

# docker's header context for `context ls`, and its default table format.
HEADERS = {"Name": "NAME", "Description": "DESCRIPTION", "DockerEndpoint": "DOCKER ENDPOINT", "Error": "ERROR"}
DEFAULT_TABLE = "table {{.Name}}{{if .Current}} *{{end}}\t{{.Description}}\t{{.DockerEndpoint}}\t{{.Error}}"


def rows_output(fmt: str, rows=None, headers=HEADERS, **kwargs) -> str:
    return format_rows(fmt, CONTEXT_ROWS if rows is None else rows, headers, default_table=DEFAULT_TABLE, **kwargs)


CONTEXT_ROWS = [
    {'Current': False, 'Description': '日本語テスト', 'DockerEndpoint': 'unix:///tmp/x.sock', 'Error': '', 'Name': 'ctxa'},
    {'Current': False, 'Description': 'é✓', 'DockerEndpoint': 'unix:///tmp/y.sock', 'Error': '', 'Name': 'ctxbb'},
    {'Current': True, 'Description': 'Current DOCKER_HOST based configuration', 'DockerEndpoint': 'unix:///var/run/docker.sock', 'Error': '', 'Name': 'default'},
    {'Current': False, 'Description': 'éx', 'DockerEndpoint': 'unix:///tmp/w.sock', 'Error': '', 'Name': 'w1'},
    {'Current': False, 'Description': '👨\u200d👩\u200d👧', 'DockerEndpoint': 'unix:///tmp/w.sock', 'Error': '', 'Name': 'w3'},
    {'Current': False, 'Description': '🇯🇵', 'DockerEndpoint': 'unix:///tmp/w.sock', 'Error': '', 'Name': 'w5'},
    {'Current': False, 'Description': '❤️', 'DockerEndpoint': 'unix:///tmp/w.sock', 'Error': '', 'Name': 'w7'},
]

# (--format, what `docker context ls` printed)
DOCKER_OUTPUTS = [
    (
        'table',
        'NAME        DESCRIPTION                               DOCKER ENDPOINT               ERROR\n'
        'ctxa        日本語テスト                              unix:///tmp/x.sock            \n'
        'ctxbb       é✓                                        unix:///tmp/y.sock            \n'
        'default *   Current DOCKER_HOST based configuration   unix:///var/run/docker.sock   \n'
        'w1          éx                                        unix:///tmp/w.sock            \n'
        'w3          👨\u200d👩\u200d👧                                        unix:///tmp/w.sock            \n'
        'w5          🇯🇵                                         unix:///tmp/w.sock            \n'
        'w7          ❤️                                         unix:///tmp/w.sock            \n',
    ),
    (
        'json',
        '{"Current":false,"Description":"日本語テスト","DockerEndpoint":"unix:///tmp/x.sock","Error":"","Name":"ctxa"}\n'
        '{"Current":false,"Description":"é✓","DockerEndpoint":"unix:///tmp/y.sock","Error":"","Name":"ctxbb"}\n'
        '{"Current":true,"Description":"Current DOCKER_HOST based configuration","DockerEndpoint":"unix:///var/run/docker.sock","Error":"","Name":"default"}\n'
        '{"Current":false,"Description":"éx","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w1"}\n'
        '{"Current":false,"Description":"👨\u200d👩\u200d👧","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w3"}\n'
        '{"Current":false,"Description":"🇯🇵","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w5"}\n'
        '{"Current":false,"Description":"❤️","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w7"}\n',
    ),
    (
        ' json',
        'json\n'
        'json\n'
        'json\n'
        'json\n'
        'json\n'
        'json\n'
        'json\n',
    ),
    (
        '{{json .}}',
        '{"Current":false,"Description":"日本語テスト","DockerEndpoint":"unix:///tmp/x.sock","Error":"","Name":"ctxa"}\n'
        '{"Current":false,"Description":"é✓","DockerEndpoint":"unix:///tmp/y.sock","Error":"","Name":"ctxbb"}\n'
        '{"Current":true,"Description":"Current DOCKER_HOST based configuration","DockerEndpoint":"unix:///var/run/docker.sock","Error":"","Name":"default"}\n'
        '{"Current":false,"Description":"éx","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w1"}\n'
        '{"Current":false,"Description":"👨\u200d👩\u200d👧","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w3"}\n'
        '{"Current":false,"Description":"🇯🇵","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w5"}\n'
        '{"Current":false,"Description":"❤️","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w7"}\n',
    ),
    (
        '{{.Name}}',
        'ctxa\n'
        'ctxbb\n'
        'default\n'
        'w1\n'
        'w3\n'
        'w5\n'
        'w7\n',
    ),
    (
        '{{.Name}}\\t{{.Current}}',
        'ctxa\tfalse\n'
        'ctxbb\tfalse\n'
        'default\ttrue\n'
        'w1\tfalse\n'
        'w3\tfalse\n'
        'w5\tfalse\n'
        'w7\tfalse\n',
    ),
    (
        ' table {{.Name}}',
        'table ctxa\n'
        'table ctxbb\n'
        'table default\n'
        'table w1\n'
        'table w3\n'
        'table w5\n'
        'table w7\n',
    ),
    (
        'table {{.Name}}',
        'NAME\n'
        'ctxa\n'
        'ctxbb\n'
        'default\n'
        'w1\n'
        'w3\n'
        'w5\n'
        'w7\n',
    ),
    (
        'table  {{.Name}}  ',
        'NAME\n'
        'ctxa\n'
        'ctxbb\n'
        'default\n'
        'w1\n'
        'w3\n'
        'w5\n'
        'w7\n',
    ),
    (
        'table{{.Name}}',
        'NAME\n'
        'ctxa\n'
        'ctxbb\n'
        'default\n'
        'w1\n'
        'w3\n'
        'w5\n'
        'w7\n',
    ),
    (
        'table {{.Name}}\\t{{.Description}}\\t{{.DockerEndpoint}}',
        'NAME      DESCRIPTION                               DOCKER ENDPOINT\n'
        'ctxa      日本語テスト                              unix:///tmp/x.sock\n'
        'ctxbb     é✓                                        unix:///tmp/y.sock\n'
        'default   Current DOCKER_HOST based configuration   unix:///var/run/docker.sock\n'
        'w1        éx                                        unix:///tmp/w.sock\n'
        'w3        👨\u200d👩\u200d👧                                        unix:///tmp/w.sock\n'
        'w5        🇯🇵                                         unix:///tmp/w.sock\n'
        'w7        ❤️                                         unix:///tmp/w.sock\n',
    ),
    (
        'table {{.Name | upper}}\\t{{json .Name}}\\t{{pad .Name 1 2}}|\\t{{.Current}}',
        'NAME      NAME         NAME  |      <no value>\n'
        'CTXA      "ctxa"       ctxa  |      false\n'
        'CTXBB     "ctxbb"      ctxbb  |     false\n'
        'DEFAULT   "default"    default  |   true\n'
        'W1        "w1"         w1  |        false\n'
        'W3        "w3"         w3  |        false\n'
        'W5        "w5"         w5  |        false\n'
        'W7        "w7"         w7  |        false\n',
    ),
    (
        'table {{.Name}}\\n{{.Description}}',
        'NAME\n'
        'DESCRIPTION\n'
        'ctxa\n'
        '日本語テスト\n'
        'ctxbb\n'
        'é✓\n'
        'default\n'
        'Current DOCKER_HOST based configuration\n'
        'w1\n'
        'éx\n'
        'w3\n'
        '👨\u200d👩\u200d👧\n'
        'w5\n'
        '🇯🇵\n'
        'w7\n'
        '❤️\n',
    ),
    (
        'table {{printf "%s|" .Name}}\\t{{split .Name "e"}}\\t{{truncate .Name 2}}\\t{{title .Name}}\\t{{lower .Name}}',
        'NAME|      NAME        NAME      NAME      NAME\n'
        'ctxa|      [ctxa]      ct        Ctxa      ctxa\n'
        'ctxbb|     [ctxbb]     ct        Ctxbb     ctxbb\n'
        'default|   [d fault]   de        Default   default\n'
        'w1|        [w1]        w1        W1        w1\n'
        'w3|        [w3]        w3        W3        w3\n'
        'w5|        [w5]        w5        W5        w5\n'
        'w7|        [w7]        w7        W7        w7\n',
    ),
    (
        'table {{.Name}} {{.Error}}',
        'NAME ERROR\n'
        'ctxa \n'
        'ctxbb \n'
        'default \n'
        'w1 \n'
        'w3 \n'
        'w5 \n'
        'w7 \n',
    ),
    (
        'table {{json .}}',
        '\n'
        '{"Current":false,"Description":"日本語テスト","DockerEndpoint":"unix:///tmp/x.sock","Error":"","Name":"ctxa"}\n'
        '{"Current":false,"Description":"é✓","DockerEndpoint":"unix:///tmp/y.sock","Error":"","Name":"ctxbb"}\n'
        '{"Current":true,"Description":"Current DOCKER_HOST based configuration","DockerEndpoint":"unix:///var/run/docker.sock","Error":"","Name":"default"}\n'
        '{"Current":false,"Description":"éx","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w1"}\n'
        '{"Current":false,"Description":"👨\u200d👩\u200d👧","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w3"}\n'
        '{"Current":false,"Description":"🇯🇵","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w5"}\n'
        '{"Current":false,"Description":"❤️","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w7"}\n',
    ),
    (
        'table {{.Name}}\\t{{json .}}\\t{{.Description}}',
        'NAME      \n'
        'ctxa      {"Current":false,"Description":"日本語テスト","DockerEndpoint":"unix:///tmp/x.sock","Error":"","Name":"ctxa"}                                         日本語テスト\n'
        'ctxbb     {"Current":false,"Description":"é✓","DockerEndpoint":"unix:///tmp/y.sock","Error":"","Name":"ctxbb"}                                                  é✓\n'
        'default   {"Current":true,"Description":"Current DOCKER_HOST based configuration","DockerEndpoint":"unix:///var/run/docker.sock","Error":"","Name":"default"}   Current DOCKER_HOST based configuration\n'
        'w1        {"Current":false,"Description":"éx","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w1"}                                                     éx\n'
        'w3        {"Current":false,"Description":"👨\u200d👩\u200d👧","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w3"}                                                     👨\u200d👩\u200d👧\n'
        'w5        {"Current":false,"Description":"🇯🇵","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w5"}                                                      🇯🇵\n'
        'w7        {"Current":false,"Description":"❤️","DockerEndpoint":"unix:///tmp/w.sock","Error":"","Name":"w7"}                                                      ❤️\n',
    ),
    (
        'table {{join (split .Name "t") "-"}}\\t{{.Name}}',
        'NAME      NAME\n'
        'c-xa      ctxa\n'
        'c-xbb     ctxbb\n'
        'defaul-   default\n'
        'w1        w1\n'
        'w3        w3\n'
        'w5        w5\n'
        'w7        w7\n',
    ),
    (
        'table {{.Name}}\\t{{len .Name}}\\t{{.Description}}',
        'NAME      4         DESCRIPTION\n'
        'ctxa      4         日本語テスト\n'
        'ctxbb     5         é✓\n'
        'default   7         Current DOCKER_HOST based configuration\n'
        'w1        2         éx\n'
        'w3        2         👨\u200d👩\u200d👧\n'
        'w5        2         🇯🇵\n'
        'w7        2         ❤️\n',
    ),
    (
        'table {{if .Current}}*{{end}}\\t{{.Name}}',
        '          NAME\n'
        '          ctxa\n'
        '          ctxbb\n'
        '*         default\n'
        '          w1\n'
        '          w3\n'
        '          w5\n'
        '          w7\n',
    ),
    (
        'table \\t{{.Name}}\\t\\t{{.Description}}',
        '          NAME                DESCRIPTION\n'
        '          ctxa                日本語テスト\n'
        '          ctxbb               é✓\n'
        '          default             Current DOCKER_HOST based configuration\n'
        '          w1                  éx\n'
        '          w3                  👨\u200d👩\u200d👧\n'
        '          w5                  🇯🇵\n'
        '          w7                  ❤️\n',
    ),
    (
        'table {{.Name}}\\t\\t{{.DockerEndpoint}}\\t',
        'NAME                DOCKER ENDPOINT               \n'
        'ctxa                unix:///tmp/x.sock            \n'
        'ctxbb               unix:///tmp/y.sock            \n'
        'default             unix:///var/run/docker.sock   \n'
        'w1                  unix:///tmp/w.sock            \n'
        'w3                  unix:///tmp/w.sock            \n'
        'w5                  unix:///tmp/w.sock            \n'
        'w7                  unix:///tmp/w.sock            \n',
    ),
    (
        'table {{range $i, $e := split .Name "t"}}{{$i}}:{{$e}}\\t{{end}}',
        '\n'
        '0:c        1:xa      \n'
        '0:c        1:xbb     \n'
        '0:defaul   1:        \n'
        '0:w1       \n'
        '0:w3       \n'
        '0:w5       \n'
        '0:w7       \n',
    ),
    (
        'table {{.Name}}:{{.Name}}',
        'NAME:NAME\n'
        'ctxa:ctxa\n'
        'ctxbb:ctxbb\n'
        'default:default\n'
        'w1:w1\n'
        'w3:w3\n'
        'w5:w5\n'
        'w7:w7\n',
    ),
    (
        'table {{.Description}}\\t{{.Name}}',
        'DESCRIPTION                               NAME\n'
        '日本語テスト                              ctxa\n'
        'é✓                                        ctxbb\n'
        'Current DOCKER_HOST based configuration   default\n'
        'éx                                        w1\n'
        '👨\u200d👩\u200d👧                                        w3\n'
        '🇯🇵                                         w5\n'
        '❤️                                         w7\n',
    ),
    (
        'table {{truncate .Description 5}}\\t{{.Name}}',
        'DESCRIPTION   NAME\n'
        '日��          ctxa\n'
        'é✓            ctxbb\n'
        'Curre         default\n'
        'éx            w1\n'
        '👨�           w3\n'
        '🇯�            w5\n'
        '❤��           w7\n',
    ),
    (
        'table {{.Name}}\\t{{upper .Description}}\\t{{.Error}}',
        'NAME      DESCRIPTION                               ERROR\n'
        'ctxa      日本語テスト                              \n'
        'ctxbb     É✓                                        \n'
        'default   CURRENT DOCKER_HOST BASED CONFIGURATION   \n'
        'w1        ÉX                                        \n'
        'w3        👨\u200d👩\u200d👧                                        \n'
        'w5        🇯🇵                                         \n'
        'w7        ❤️                                         \n',
    ),
    (
        'table {{.Name}}\t{{.Description}}',
        'NAME      DESCRIPTION\n'
        'ctxa      日本語テスト\n'
        'ctxbb     é✓\n'
        'default   Current DOCKER_HOST based configuration\n'
        'w1        éx\n'
        'w3        👨\u200d👩\u200d👧\n'
        'w5        🇯🇵\n'
        'w7        ❤️\n',
    ),
    (
        '\\t{{.Name}}\\n',
        '\tctxa\n'
        '\n'
        '\tctxbb\n'
        '\n'
        '\tdefault\n'
        '\n'
        '\tw1\n'
        '\n'
        '\tw3\n'
        '\n'
        '\tw5\n'
        '\n'
        '\tw7\n'
        '\n',
    ),
    (
        'table {{$x := .Name}}{{$x}}\\t{{.Description}}',
        'NAME      DESCRIPTION\n'
        'ctxa      日本語テスト\n'
        'ctxbb     é✓\n'
        'default   Current DOCKER_HOST based configuration\n'
        'w1        éx\n'
        'w3        👨\u200d👩\u200d👧\n'
        'w5        🇯🇵\n'
        'w7        ❤️\n',
    ),
    (
        'table {{.Name}}\\t{{.Name | printf "%.3s"}}\\t{{lower .Name}}',
        'NAME      NAM       NAME\n'
        'ctxa      ctx       ctxa\n'
        'ctxbb     ctx       ctxbb\n'
        'default   def       default\n'
        'w1        w1        w1\n'
        'w3        w3        w3\n'
        'w5        w5        w5\n'
        'w7        w7        w7\n',
    ),
    (
        'table {{.Name}}\\t{{eq .Name "default"}}',
        'NAME      false\n'
        'ctxa      false\n'
        'ctxbb     false\n'
        'default   true\n'
        'w1        false\n'
        'w3        false\n'
        'w5        false\n'
        'w7        false\n',
    ),
]

# (--format, docker's error message)
DOCKER_ERRORS = [
    ('{{.Name', 'template parsing error: template: :1: unclosed action'),
    (
        'table {{.Name}}\\t{{.Description | truncate 5}}',
        'template parsing error: template: :1:36: executing "" at <5>: expected string; found 5',
    ),
    (
        'table {{.Name}}\\t{{call .Name}}',
        'template parsing error: template: :1:12: executing "" at <call .Name>: error calling call: non-function .Name of type string',
    ),
    ('{{', 'template parsing error: template: :1: unclosed action'),
    ('table {{end}}', 'template parsing error: template: :1: unexpected {{end}}'),
]

@pytest.mark.parametrize(("fmt", "expected"), DOCKER_OUTPUTS)
def test_docker_output(fmt, expected):
    assert rows_output(fmt) == expected


@pytest.mark.parametrize(("fmt", "expected"), DOCKER_ERRORS)
def test_docker_error(fmt, expected):
    with pytest.raises(FormatError) as info:
        rows_output(fmt)
    assert str(info.value) == expected


def _docker(args: list[str], config_dir: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["DOCKER_CONFIG"] = config_dir
    return subprocess.run(["docker", *args], capture_output=True, env=env, timeout=30)


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI on this machine")
def test_cli_agrees():
    with tempfile.TemporaryDirectory() as config_dir:
        for row in CONTEXT_ROWS:
            if row["Name"] != "default":
                host = "host=" + row["DockerEndpoint"]
                _docker(["context", "create", row["Name"], "--description", row["Description"], "--docker", host],
                        config_dir).check_returncode()
        for fmt, expected in DOCKER_OUTPUTS:
            proc = _docker(["context", "ls", "--format", fmt], config_dir)
            assert (proc.returncode, gotemplate.literals._decode_go_bytes(proc.stdout)) == (0, expected), fmt
        for fmt, expected in DOCKER_ERRORS:
            proc = _docker(["context", "ls", "--format", fmt], config_dir)
            assert (proc.returncode, gotemplate.literals._decode_go_bytes(proc.stderr).strip()) == (1, expected), fmt


# --- beyond what `context ls` can show ----------------------------------------


class ContainerRow:
    """A `docker ps` row with docker's method-style fields."""

    __go_type__ = "*formatter.ContainerContext"

    def __init__(self, cid, image, names, labels):
        self._id, self._image, self._names, self._labels = cid, image, names, labels

    def ID(self):  # noqa: N802 - docker's field names
        return self._id

    def Image(self):  # noqa: N802
        return self._image

    def Names(self):  # noqa: N802
        return self._names

    def Label(self, name):  # noqa: N802
        return self._labels.get(name, "")

    def __json__(self):
        return {"ID": self._id, "Image": self._image, "Names": self._names}


PS_HEADERS = {"ID": "CONTAINER ID", "Image": "IMAGE", "Names": "NAMES", "Labels": "LABELS"}
PS_ROWS = [
    ContainerRow("4f66ad9a0b2e", "nginx:latest", "web", {"tier": "front"}),
    ContainerRow("1c2d", "busybox", "db-primary", {}),
]


def test_ps_table():
    out = format_rows("table {{.ID}}\\t{{.Image}}\\t{{.Names}}", PS_ROWS, PS_HEADERS)
    assert out == (
        "CONTAINER ID   IMAGE          NAMES\n"
        "4f66ad9a0b2e   nginx:latest   web\n"
        "1c2d           busybox        db-primary\n"
    )


def test_table_with_no_rows_prints_the_header():
    assert format_rows("table {{.ID}}\\t{{.Names}}", [], PS_HEADERS) == "CONTAINER ID   NAMES\n"


def test_plain_template_has_no_header_and_no_alignment():
    assert format_rows("{{.ID}}\\t{{.Names}}", PS_ROWS, PS_HEADERS) == "4f66ad9a0b2e\tweb\n1c2d\tdb-primary\n"
    assert format_rows("{{.ID}}", [], PS_HEADERS) == ""


def test_method_with_arguments_in_a_table():
    # docker's header object (SubHeaderContext) is a map with a Label method: the
    # column title is the label's last dotted part, - and _ read as spaces (checked
    # with the docker CLI 28.2.2: "NAMES     tier      my label x").
    out = format_rows('table {{.Names}}\\t{{.Label "tier"}}', PS_ROWS, PS_HEADERS)
    assert out == "NAMES        tier\nweb          front\ndb-primary   \n"
    out = format_rows('table {{.Label "com.example.my_label-x"}}', [], PS_HEADERS)
    assert out == "my label x\n"


def test_json_rows():
    out = format_rows("json", PS_ROWS, PS_HEADERS)
    assert out == (
        '{"ID":"4f66ad9a0b2e","Image":"nginx:latest","Names":"web"}\n'
        '{"ID":"1c2d","Image":"busybox","Names":"db-primary"}\n'
    )


def test_dict_rows_marshal_with_sorted_keys():
    rows = [{"Names": "web", "ID": "abc", "Labels": {"z": "1", "a": "2"}}]
    assert format_rows("json", rows, PS_HEADERS) == '{"ID":"abc","Labels":{"z":"1","a":"2"},"Names":"web"}\n'


def test_header_titles_survive_string_functions():
    out = format_rows("table {{lower .Names}}\\t{{truncate .Image 3}}", PS_ROWS, PS_HEADERS)
    assert out == "NAMES        IMAGE\nweb          ngi\ndb-primary   bus\n"


def test_unknown_header_field_prints_no_value():
    rows = [{"Names": "web", "Extra": 1}]
    assert format_rows("table {{.Names}}\\t{{.Extra}}", rows, PS_HEADERS) == "NAMES     <no value>\nweb       1\n"


def test_bare_table_uses_the_command_default():
    out = format_rows("table", PS_ROWS, PS_HEADERS, default_table="table {{.Names}}")
    assert out == "NAMES\nweb\ndb-primary\n"


def test_bare_table_without_default_is_rejected():
    with pytest.raises(FormatError, match='format "table" needs a template'):
        format_rows("table", PS_ROWS, PS_HEADERS)


def test_row_errors_print_nothing():
    with pytest.raises(FormatError) as info:
        format_rows("{{.ID}} {{.Nope}}", PS_ROWS, PS_HEADERS)
    assert str(info.value) == (
        'template parsing error: template: :1:10: executing "" at <.Nope>: '
        "can't evaluate field Nope in type *formatter.ContainerContext"
    )


def test_parse_errors_use_docker_wording():
    with pytest.raises(FormatError) as info:
        format_rows("table {{.ID}", PS_ROWS, PS_HEADERS)
    assert str(info.value) == "template parsing error: template: :1: bad character U+007D '}'"
    assert isinstance(info.value, TemplateError)


def test_escapes_are_expanded_everywhere():
    # docker replaces \t and \n before parsing, even inside string literals.
    assert format_rows('{{printf "%s\\t%s" .ID .Names}}', PS_ROWS[:1], PS_HEADERS) == "4f66ad9a0b2e\tweb\n"
    assert format_rows("{{.Names}}\\n", PS_ROWS[:1], PS_HEADERS) == "web\n\n"


@pytest.mark.parametrize(
    ("fmt", "table"),
    [("table", True), ("table {{.ID}}", True), ("tableau", True), (" table {{.ID}}", False), ("{{.ID}}", False)],
)
def test_is_table(fmt, table):
    assert is_table(fmt) is table
