"""docker compose's file reading: which files, the project's name, .env, interpolation,
merging, and the errors, each at file:line:column (shell/compose/loader.py)."""
from __future__ import annotations

import os
import textwrap

import pytest

from engine.errors import EngineError
from shell.cli.parser import Invocation, parse
from shell.compose import loader, model
from shell.env import Env


def write(folder, name: str, text: str) -> str:
    path = os.path.join(str(folder), name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(textwrap.dedent(text).lstrip("\n"))
    return path


def load(folder, environ=None, **opts):
    env = Env.buffered(cwd=str(folder), environ=dict(environ or {}))
    project = loader.load(env, opts)
    return project, env.error_text()


def error(folder, environ=None, **opts) -> str:
    with pytest.raises(EngineError) as e:
        load(folder, environ, **opts)
    return str(e.value)


APP = """
services:
  web:
    image: busybox
    command: httpd -f -p 80
    volumes: [site:/www]
  fetch:
    image: busybox
    depends_on: [web]
volumes:
  site:
"""


def test_the_folder_names_the_project_as_compose_normalises_it(tmp_path):
    folder = tmp_path / "My App.2"
    write(folder, "compose.yaml", APP)
    project, _ = load(folder)
    assert project.name == "myapp2"
    assert project.network_name("default") == "myapp2_default"
    assert project.volume_name("site") == "myapp2_site"
    assert project.order() == ["web", "fetch"]
    assert project.services["web"]["command"] == ["httpd", "-f", "-p", "80"]
    assert project.services["fetch"]["networks"] == {"default": None}


def test_the_name_comes_from_p_then_the_variable_then_the_file(tmp_path):
    write(tmp_path, "compose.yaml", "name: fromfile\n" + textwrap.dedent(APP))
    assert load(tmp_path)[0].name == "fromfile"
    assert load(tmp_path, {"COMPOSE_PROJECT_NAME": "fromenv"})[0].name == "fromenv"
    assert load(tmp_path, {"COMPOSE_PROJECT_NAME": "fromenv"},
                project_name="flag")[0].name == "flag"
    write(tmp_path, ".env", "COMPOSE_PROJECT_NAME=dotenv\n")
    assert load(tmp_path)[0].name == "dotenv"
    assert error(tmp_path, project_name="Bad") == (
        'invalid project name "Bad": must consist only of lowercase alphanumeric '
        "characters, hyphens, and underscores as well as start with a letter or number")


def test_no_file_is_compose_s_error(tmp_path):
    assert error(tmp_path) == "no configuration file provided: not found"
    assert error(tmp_path, file=["nope.yaml"]).startswith("open ")


def test_other_file_names_and_parent_folders_are_found(tmp_path):
    write(tmp_path, "docker-compose.yml", APP)
    (tmp_path / "sub").mkdir()
    project, _ = load(tmp_path / "sub")
    assert project.working_dir == str(tmp_path)
    assert project.files == [str(tmp_path / "docker-compose.yml")]


def test_the_override_file_is_merged_over_the_file(tmp_path):
    write(tmp_path, "compose.yaml", """
        services:
          web:
            image: busybox
            environment: [A=1, B=2]
            ports: ["8080:80"]
            command: ["a"]
        """)
    write(tmp_path, "compose.override.yaml", """
        services:
          web:
            environment: {B: "3", C: x}
            ports: ["8081:81"]
            command: ["b"]
        """)
    project, _ = load(tmp_path)
    web = project.services["web"]
    assert web["environment"] == {"A": "1", "B": "3", "C": "x"}
    assert web["ports"] == ["8080:80", "8081:81"]
    assert web["command"] == ["b"]
    assert len(project.files) == 2


def test_several_f_files_merge_in_order_and_the_first_one_s_folder_is_the_project(tmp_path):
    write(tmp_path, "a/base.yaml", "services:\n  web:\n    image: busybox\n    user: one\n")
    write(tmp_path, "b/more.yaml", "services:\n  web:\n    user: two\n")
    write(tmp_path, "a/compose.override.yaml", "services:\n  web:\n    user: ignored\n")
    project, _ = load(tmp_path, file=["a/base.yaml", "b/more.yaml"])
    assert project.services["web"]["user"] == "two"
    assert project.name == "a"


def test_interpolation(tmp_path):
    write(tmp_path, ".env", "TAG=1.36\n# a comment\nQUOTED='a b'\n")
    write(tmp_path, "compose.yaml", """
        services:
          web:
            image: "busybox:${TAG}"
            environment:
              DEFAULTED: ${NOPE:-fallback}
              DOLLAR: $$HOME
              QUOTED: $QUOTED
              EMPTY: ${UNSET}
              PLUS: ${TAG:+set}
        """)
    project, err = load(tmp_path, {"TAG": "latest"})      # the shell's over .env's
    web = project.services["web"]
    assert web["image"] == "busybox:latest"
    assert web["environment"] == {"DEFAULTED": "fallback", "DOLLAR": "$HOME",
                                  "QUOTED": "a b", "EMPTY": "", "PLUS": "set"}
    assert err == ('WARN[0000] The "UNSET" variable is not set. Defaulting to a blank '
                   "string.\n")


def test_a_required_variable_s_error_says_where(tmp_path):
    path = write(tmp_path, "compose.yaml", """
        services:
          web:
            image: ${IMAGE:?set IMAGE first}
        """)
    assert error(tmp_path) == (f"{path}:3:12: error while interpolating services.web.image: "
                               "required variable IMAGE is missing a value: set IMAGE first")


def test_a_bad_interpolation_says_where(tmp_path):
    path = write(tmp_path, "compose.yaml", "services:\n  web:\n    image: ${bad name}\n")
    assert error(tmp_path) == (f"{path}:3:12: invalid interpolation format for "
                               "services.web.image.\nYou may need to escape any $ with "
                               "another $.\n${bad name}")


def test_yaml_errors_carry_file_line_and_column(tmp_path):
    path = write(tmp_path, "compose.yaml", "services:\n  web:\n    image: [busybox\n")
    message = error(tmp_path)
    assert message.startswith(f"{path}:4:1: not valid YAML")


@pytest.mark.parametrize("text, where, words", [
    ("services:\n  web:\n    image: busybox\n    imgae: x\n", "4:5",
     "services.web additional properties 'imgae' not allowed"),
    ("services:\n  web:\n    image: busybox\n    healthcheck: {test: [CMD, true]}\n", "4:5",
     "services.web.healthcheck: dockerlings cannot honour this key (health checks"),
    ("services:\n  web:\n    image: busybox\n    ulimits: {nofile: 5}\n", "4:5",
     "services.web.ulimits: dockerlings cannot honour this key"),
    ("secrets:\n  a: {file: x}\nservices: {}\n", "1:1", "secrets: dockerlings has no secrets"),
    ("services: {}\nbogus: 1\n", "2:1", "additional properties 'bogus' not allowed"),
    ("services:\n  a:\n    image: busybox\n    depends_on:\n      b: {condition: "
     "service_healthy}\n  b:\n    image: busybox\n", "5:22",
     "services.a.depends_on.b.condition: service_healthy needs health checks"),
    ("services:\n  a:\n    image: busybox\n    networks:\n      default: {priority: 3}\n",
     "5:17", "services.a.networks.default.priority: dockerlings cannot honour this key"),
    ("services:\n  a:\n    image: busybox\n    deploy: {placement: {}}\n", "4:14",
     "services.a.deploy.placement: dockerlings honours deploy.replicas and"),
    ("networks:\n  n: {driver: overlay}\nservices: {}\n", "2:15",
     "networks.n.driver: dockerlings has only the bridge driver"),
    ("services:\n  a:\n    image: 3\n", "3:12", "services.a.image must be a string"),
])
def test_keys_the_engine_cannot_honour_are_refused_with_their_line(tmp_path, text, where,
                                                                   words):
    path = write(tmp_path, "compose.yaml", text)
    message = error(tmp_path)
    assert message.startswith(f"{path}:{where}: {words}"), message


@pytest.mark.parametrize("text, words", [
    ("services:\n  a:\n    command: x\n",
     'service "a" has neither an image nor a build context specified: invalid compose '
     "project"),
    ("services:\n  a:\n    image: busybox\n    volumes: [data:/d]\n",
     'service "a" refers to undefined volume data: invalid compose project'),
    ("services:\n  a:\n    image: busybox\n    networks: [front]\n",
     'service "a" refers to undefined network front: invalid compose project'),
    ("services:\n  a:\n    image: busybox\n    depends_on: [b]\n",
     'service "a" depends on undefined service "b": invalid compose project'),
    ("services:\n  a:\n    image: busybox\n    depends_on: [b]\n  b:\n    image: busybox\n"
     "    depends_on: [a]\n", "dependency cycle detected: a -> b -> a"),
])
def test_an_inconsistent_project_is_refused(tmp_path, text, words):
    write(tmp_path, "compose.yaml", text)
    assert error(tmp_path).endswith(words)


def test_profiles_leave_services_out_until_enabled(tmp_path):
    write(tmp_path, "compose.yaml", """
        services:
          web: {image: busybox}
          debug: {image: busybox, profiles: [tools]}
        """)
    assert list(load(tmp_path)[0].services) == ["web"]
    assert list(load(tmp_path, profile=["tools"])[0].services) == ["web", "debug"]
    assert list(load(tmp_path, {"COMPOSE_PROFILES": "tools"})[0].services) == ["web", "debug"]


def test_relative_paths_become_absolute(tmp_path):
    write(tmp_path, "compose.yaml", """
        services:
          web:
            build: ./app
            volumes: ["./site:/www:ro", "/abs:/x", "anon"]
            env_file: web.env
        """)
    web = load(tmp_path)[0].services["web"]
    assert web["build"] == {"context": str(tmp_path / "app")}
    assert web["volumes"] == [f"{tmp_path}/site:/www:ro", "/abs:/x", "anon"]
    assert web["env_file"] == [str(tmp_path / "web.env")]


def test_the_config_hash_follows_the_configuration_not_the_scale():
    a = {"image": "busybox", "command": ["a"]}
    assert model.config_hash(a) == model.config_hash(dict(a))
    assert model.config_hash(a) != model.config_hash({**a, "command": ["b"]})
    assert model.config_hash(a) == model.config_hash({**a, "scale": 3})


def test_compose_s_options_come_before_its_subcommand():
    inv = parse(["compose", "-f", "x.yaml", "-p", "app", "--profile", "p", "up", "-d", "web"])
    assert isinstance(inv, Invocation)
    assert inv.command.path == ("compose", "up")
    assert inv.file == ["x.yaml"] and inv.project_name == "app" and inv.profile == ["p"]
    assert inv.detach is True and inv.args == ["web"]
    inv = parse(["compose", "exec", "-T", "web", "ls", "-l"])
    assert inv.args == ["web", "ls", "-l"] and inv.no_TTY is True
    with pytest.raises(EngineError, match="unknown flag: --bogus"):
        parse(["compose", "--bogus", "up"])
    with pytest.raises(EngineError, match="unknown command: docker compose nope"):
        parse(["compose", "nope"])


def test_a_subcommand_s_own_shorthand_shadows_compose_s():
    inv = parse(["compose", "-f", "a.yaml", "logs", "-f", "web"])
    assert inv.file == ["a.yaml"] and inv.follow is True and inv.args == ["web"]
    inv = parse(["compose", "--file", "a.yaml", "-f", "b.yaml", "rm", "-f"])
    assert inv.file == ["a.yaml", "b.yaml"] and inv.force is True


def test_a_build_key_the_engine_cannot_honour_is_refused(tmp_path):
    path = write(tmp_path, "compose.yaml", "services:\n  a:\n    build:\n      context: .\n"
                                           "      ssh: [default]\n")
    assert error(tmp_path) == (f"{path}:5:7: services.a.build.ssh: dockerlings cannot honour "
                               "this key")


def test_progress_is_one_block_off_a_terminal_and_redrawn_on_one():
    from shell.compose.progress import Progress
    env = Env.buffered(environ={})
    p = Progress(env)
    p.add("Network", "app_default", "Created")
    p.add("Container", "app-web-1", "Started")
    assert env.error_text() == ""
    p.print()
    assert env.error_text() == ("[+] Running 2/2\n ✔ Network app_default  Created\n"
                                " ✔ Container app-web-1  Started\n")
    env = Env.buffered(environ={}, stderr_tty=True)
    p = Progress(env)
    p.add("Network", "app_default", "Created")
    p.add("Container", "app-web-1", "Started")
    p.print()
    assert env.error_text() == (
        "\r[+] Running 1/1\x1b[K\n\r ✔ Network app_default  Created\x1b[K\n"
        "\x1b[2A\r[+] Running 2/2\x1b[K\n\r ✔ Network app_default  Created\x1b[K\n"
        "\r ✔ Container app-web-1  Started\x1b[K\n")


@pytest.mark.parametrize("key, value, words", [
    ("command", "5", "services.a.command must be a string or a list"),
    ("command", "[1, [2]]", "services.a.command.1 must be a string or a number or a boolean"),
    ("ports", "8080", "services.a.ports must be a list"),
    ("volumes", "[[x]]", "services.a.volumes.0 must be a string or a mapping"),
    ("environment", "{A: [1]}", "services.a.environment.A must be a string, a number, a "
                                "boolean or null"),
    ("privileged", "'yes'", "services.a.privileged must be a boolean"),
    ("tty", "1", "services.a.tty must be a boolean"),
    ("mem_limit", "true", "services.a.mem_limit must be a number or a string"),
    ("depends_on", "{b: 5}", "services.a.depends_on.b must be a mapping"),
    ("networks", "{default: [x]}", "services.a.networks.default must be a mapping or null"),
    ("deploy", "{replicas: x}", "services.a.deploy.replicas must be a number (0 or more)"),
    ("stop_grace_period", "soon", 'services.a.stop_grace_period: time: invalid duration '
                                  '"soon"'),
    ("build", "[x]", "services.a.build must be a string or a mapping"),
])
def test_values_of_the_wrong_kind_are_refused_where_they_are(tmp_path, key, value, words):
    path = write(tmp_path, "compose.yaml", f"services:\n  a:\n    image: busybox\n"
                                           f"    {key}: {value}\n")
    message = error(tmp_path)
    assert message.startswith(f"{path}:4:") and message.endswith(words), message


def test_extension_fields_and_yaml_merge_keys_as_the_compose_docs_use_them(tmp_path):
    write(tmp_path, "compose.yaml", """
        x-common: &common
          image: busybox
          restart: always
          environment: {TIER: shared}
        services:
          web:
            <<: *common
            command: httpd -f
          worker:
            <<: *common
            restart: "no"
        """)
    project, _ = load(tmp_path)
    assert project.services["web"]["restart"] == "always"
    assert project.services["worker"]["restart"] == "no"
    assert project.services["worker"]["environment"] == {"TIER": "shared"}
    assert "x-common" not in project.document()


def test_merge_keys_follow_yaml_and_a_key_written_twice_is_still_an_error(tmp_path):
    write(tmp_path, "compose.yaml", """
        x-a: &a {image: "busybox:a", user: a}
        x-b: &b {image: "busybox:b"}
        services:
          web:
            <<: [*a, *b]
        """)
    web = load(tmp_path)[0].services["web"]
    assert (web["image"], web["user"]) == ("busybox:a", "a")     # the first merged wins
    path = write(tmp_path, "compose.yaml", "services:\n  web:\n    image: a\n    image: b\n")
    assert error(tmp_path) == f"{path}:4:5: 'image' is given twice"


def test_work_under_way_is_marked_failed_when_an_error_ends_it():
    from shell.compose.progress import Progress
    env = Env.buffered(environ={})
    p = Progress(env)
    p.add("Network", "app_default", "Created")
    p.working("Container", "app-web-1", "Creating")
    p.print()
    assert env.error_text() == ("[+] Running 1/2\n ✔ Network app_default  Created\n"
                                " ✘ Container app-web-1  Creating\n")
    env = Env.buffered(environ={}, stderr_tty=True)
    p = Progress(env)
    p.working("Container", "app-web-1", "Starting")
    assert env.error_text() == "\r[+] Running 0/1\x1b[K\n\r ⠿ Container app-web-1  Starting\x1b[K\n"


def test_an_optional_dependency_left_out_by_profiles_is_skipped(tmp_path):
    write(tmp_path, "compose.yaml", """
        services:
          web:
            image: busybox
            depends_on:
              cache: {condition: service_started, required: false}
          cache: {image: busybox, profiles: [full]}
        """)
    assert load(tmp_path)[0].order() == ["web"]
    assert load(tmp_path, profile=["full"])[0].order() == ["cache", "web"]


# --- any file: an error in words, or a project whose containers can be described --------

from hypothesis import HealthCheck, given, settings          # noqa: E402
from hypothesis import strategies as st                      # noqa: E402

_TEXT = st.sampled_from(["", "x", "80", "8080:80", "/data", "a:/b:ro", "1s", "$$X",
                         "${Y:-d}", "web", "busybox", "-1", "1.5", "sh -c 'echo hi'",
                         "bad'quote", "data:/d", "front", "service:web", "container:x"])
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), _TEXT)
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["target", "source", "type", "published", "aliases",
                                     "condition", "context", "x", "web"]), inner,
                    max_size=3)), max_leaves=6)


def _of_kind(key: str):
    """Mostly values of the kind the key takes (so the words get made), sometimes any."""
    kinds = loader.VALUE_KINDS.get(key, ())
    text = _TEXT
    options = []
    if str in kinds:
        options.append(text)
    if int in kinds:
        options.append(st.integers(-5, 70000))
    if bool in kinds:
        options.append(st.booleans())
    if list in kinds:
        options.append(st.lists(st.one_of(text, st.integers(0, 70000), st.dictionaries(
            st.sampled_from(["target", "source", "type", "published", "host_ip",
                             "read_only", "protocol", "path"]), _SCALARS, max_size=3)),
            max_size=3))
    if dict in kinds:
        options.append(st.dictionaries(st.sampled_from(["web", "other", "front", "default",
                                                        "A", "context", "resources"]),
                                       _VALUES, max_size=3))
    return st.one_of(*options) if options else _VALUES


_SERVICE = st.sampled_from(sorted(loader.SERVICE_KEYS)).flatmap(
    lambda k: st.tuples(st.just(k), _of_kind(k))).map(lambda kv: {kv[0]: kv[1]})
_SERVICE = st.lists(_SERVICE, max_size=5).map(lambda ds: {k: v for d in ds
                                                          for k, v in d.items()})


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(web=_SERVICE, other=_SERVICE)
def test_any_service_gives_words_or_an_error_never_a_crash(tmp_path, web, other):
    import yaml
    from shell.compose.containers import create_words
    from shell.commands import options
    doc = {"services": {"web": {"image": "busybox", **web},
                        "other": {"image": "busybox", **other}},
           "volumes": {"data": None}, "networks": {"front": None}}
    (tmp_path / "compose.yaml").write_text(yaml.safe_dump(doc))
    env = Env.buffered(cwd=str(tmp_path), environ={})
    try:
        project = loader.load(env, {})
        for service in project.order():
            words = create_words(project, service, 1, None)
            inv = parse(words)
            options.build(env, inv, run=False)
    except EngineError:
        pass


def test_depends_on_restart_is_refused_rather_than_ignored(tmp_path):
    path = write(tmp_path, "compose.yaml", "services:\n  a:\n    image: busybox\n"
                 "    depends_on:\n      b: {condition: service_started, restart: true}\n"
                 "  b: {image: busybox}\n")
    assert error(tmp_path).startswith(f"{path}:5:39: services.a.depends_on.b.restart: "
                                      "dockerlings does not restart")


def test_long_syntax_keys_the_engine_cannot_honour_are_refused(tmp_path):
    path = write(tmp_path, "compose.yaml", "services:\n  a:\n    image: busybox\n"
                 "    volumes:\n      - type: bind\n        source: .\n        target: /x\n"
                 "        bind: {propagation: rshared}\n")
    assert error(tmp_path) == (f"{path}:8:9: services.a.volumes.0.bind: dockerlings cannot "
                               "honour this key")
    path = write(tmp_path, "compose.yaml", "services:\n  a:\n    image: busybox\n"
                 "    volumes:\n      - {type: npipe, target: /x}\n")
    assert error(tmp_path) == (f"{path}:5:16: services.a.volumes.0.type must be one of: "
                               "volume, bind, tmpfs")
