"""Every entry of the mistakes table (shell/hints.py), triggered by the error Docker
gives for the mistake, with the command line that made it. The last test fails when an
entry is added without a case here. (tests/integration/test_hints.py makes the same
mistakes on a real engine.)"""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from engine import errors
from engine.images import reference
from engine.config import HostConfig, PortBinding
from shell import hints
from shell.cli.parser import parse


def usage_error(argv):
    with pytest.raises(errors.EngineError) as e:
        parse(argv)
    return e.value


class FakeEngine:
    """Just enough engine for the hints that look around: names, one container, and
    its port bindings."""

    def __init__(self, names=("web",), ports=()):
        self.store = SimpleNamespace(names=lambda: {n: n * 8 for n in names})
        self._names = names
        self._ports = ports

    def container(self, ref):
        if ref not in self._names:
            raise errors.NoSuchContainer(ref)
        return SimpleNamespace(name=ref, state=SimpleNamespace(running=ref in self.running))

    def containers(self, all=True):
        host = HostConfig(port_bindings=self._ports)
        return [SimpleNamespace(name=n, host=host, image_id="sha256:" + "b" * 64,
                                state=SimpleNamespace(running=n in self.running))
                for n in self._names]

    running = ()
    tags = ("busybox:latest",)
    entrypoint = None
    network_names = ("bridge", "host", "none")

    def list_images(self):
        return [SimpleNamespace(repo_tags=list(self.tags))]

    def get_image(self, text):
        return SimpleNamespace(id="sha256:" + "b" * 64,
                               run_config={"Entrypoint": self.entrypoint})

    def network(self, name):
        if name not in self.network_names:
            raise errors.NotFound(f"network {name} not found")
        return {"Name": name}


def env_with(engine):
    return SimpleNamespace(engine=engine)


def reference_error(text):
    with pytest.raises(errors.EngineError) as e:
        reference.parse(text)
    return e.value


# (hint name, error, argv, env, words the hint must say)
CASES = [
    ("single-dash-long-option", lambda: usage_error(["run", "-rm", "busybox"]),
     ["run", "-rm", "busybox"], None, ["--rm", "two dashes"]),
    ("unknown-flag-did-you-mean", lambda: usage_error(["run", "--nmae", "x", "busybox"]),
     ["run", "--nmae", "x", "busybox"], None, ["did you mean --name?"]),
    ("unknown-command-did-you-mean", lambda: usage_error(["pss"]), ["pss"], None,
     ["did you mean docker ps?"]),
    ("flag-after-image", lambda: errors.StartFailed(
        'failed to create task for container: exec: "-d": executable file not found in '
        "$PATH: unknown", 127), ["run", "busybox", "-d"], None,
     ["-d came after the image name", "docker run -d busybox"]),
    ("uppercase-image", lambda: reference_error("Busybox"), ["run", "Busybox"], None,
     ["lowercase", "try busybox"]),
    ("remove-running", lambda: errors.Conflict(
        'cannot remove container "web": container is running: stop the container before '
        "removing or force remove"), ["rm", "web"], None, ["docker rm -f"]),
    ("name-in-use", lambda: errors.NameInUse("web", "ab" * 32),
     ["run", "--name", "web", "busybox"], None, ["docker rm web", "another --name"]),
    ("container-not-running", lambda: errors.ContainerNotRunning(
        f"container {'ab' * 32} is not running"), ["exec", "web", "ls"], None,
     ["docker start web", "exec"]),
    ("no-such-container-did-you-mean", lambda: errors.NoSuchContainer("wbe"), ["logs", "wbe"],
     env_with(FakeEngine(("web", "db"))), ["did you mean web?"]),
    ("image-not-local-offline", lambda: errors.ImageNotFoundLocally(
        "nginx", "pull access denied for nginx, repository does not exist or may require "
        "'docker login'", hint="dockerlings works offline: ... Images here now: "
        "busybox:latest."), ["run", "nginx"], None, ["busybox:latest"]),
    ("pid-container-form", lambda: errors.UsageError("--pid: invalid PID mode", kind="option",
                                                     command="docker run"),
     ["run", "--pid", "web:web", "busybox"], None, ["--pid container:web"]),
    ("network-connect-swapped", lambda: errors.NotFound("network web not found"),
     ["network", "connect", "web", "appnet"], env_with(FakeEngine(("web",))),
     ["docker network connect appnet web"]),
    ("port-already-allocated", lambda: errors.EngineError(
        "driver failed programming external connectivity on endpoint p2 (x): Bind for "
        "0.0.0.0:8080 failed: port is already allocated"), ["run", "-p", "8080:80", "busybox"],
     env_with(FakeEngine(("p1",), (("80/tcp", (PortBinding("", "8080"),)),))),
     ["host port 8080", "container p1", "-p 8081:"]),
    ("privileged-port", lambda: errors.EngineError(
        "failed to set up container networking: driver failed programming external "
        "connectivity on endpoint web (x): cannot expose privileged port 80, you can add "
        "'net.ipv4.ip_unprivileged_port_start=80' to /etc/sysctl.conf (currently 1024), or "
        "choose a larger port number (>= 1024): listen tcp4 0.0.0.0:80: bind: permission "
        "denied"), ["run", "-p", "80:80", "busybox"], None,
     ["below 1024", "-p 8080:", "sysctl -w net.ipv4.ip_unprivileged_port_start=80"]),
]


def engine_with(**attrs):
    eng = FakeEngine(attrs.pop("names", ("web",)))
    for k, v in attrs.items():
        setattr(eng, k, v)
    return env_with(eng)


CASES += [
    ("word-order", lambda: errors.ImageNotFoundLocally("network", "pull access denied"),
     ["create", "network", "learning"], None, ["docker network create learning"]),
    ("short-option-case", lambda: usage_error(["ps", "-A"]), ["ps", "-A"], None,
     ["did you mean -a (--all)?"]),
    ("image-tag-did-you-mean", lambda: errors.ImageNotFoundLocally("timers", "pull access "
                                                                   "denied for timers"),
     ["run", "timers"], engine_with(tags=("timers:v1", "busybox:latest")),
     ["did you mean timers:v1?", "no timers:latest"]),
    ("build-without-context", lambda: usage_error(["build", "-t", "name"]),
     ["build", "-t", "name"], None, ["docker build -t name ."]),
    ("format-template-unquoted", lambda: usage_error(["ps", "--format", "{{.Names}}",
                                                      "{{.Image}}"]),
     ["ps", "--format", "{{.Names}}", "{{.Image}}"], None,
     ["docker ps --format '{{.Names}} {{.Image}}'"]),
    ("format-field-did-you-mean", lambda: errors.CliError(
        'template: :1:2: executing "" at <.Name>: can\'t evaluate field Name in type '
        "*formatter.ContainerContext"), ["ps", "--format", "{{.Name}}"], None,
     ["did you mean .Names?"]),
    ("memory-without-unit", lambda: errors.InvalidParameter(
        "Minimum memory limit allowed is 6MB"), ["run", "-m", "64", "busybox"], None,
     ["64 bytes", "-m 64m"]),
    ("image-in-use", lambda: errors.Conflict(
        'conflict: unable to remove repository reference "busybox" (must force) - container '
        "0123456789ab is using its referenced image bbbbbbbbbbbb"), ["rmi", "busybox"],
     engine_with(names=("web", "db")), ["web, db", "docker rm web db",
                                        "docker ps -a --filter ancestor=busybox"]),
]


@pytest.mark.parametrize("name,make,argv,env,words", CASES, ids=[c[0] for c in CASES])
def test_hint_triggers(name, make, argv, env, words):
    err = make()
    h = hints.match(err, argv, env)
    assert h is not None and h.name == name
    text = hints.find(err, argv, env)
    for w in words:
        assert w in text


def test_attach_to_a_stopped_container_gets_the_same_hint():
    err = errors.CliError("You cannot attach to a stopped container, start it first")
    assert hints.match(err, ["attach", "web"]).name == "container-not-running"
    assert "docker start web" in hints.find(err, ["attach", "web"])


def test_swapped_connect_only_when_the_first_argument_is_a_container():
    err = errors.NotFound("network appnet not found")
    env = env_with(FakeEngine(("web",)))
    assert hints.find(err, ["network", "connect", "appnet", "web"], env) is None


def test_no_guess_when_nothing_is_close():
    assert hints.find(usage_error(["frobnicate"]), ["frobnicate"]) is None
    assert hints.find(usage_error(["run", "--zzzzzz", "busybox"]),
                      ["run", "--zzzzzz", "busybox"]) is None


def test_a_broken_predicate_never_hides_the_error():
    err = errors.NoSuchContainer("x")
    # env without an engine: the did-you-mean predicate fails quietly
    assert hints.find(err, ["logs", "x"], SimpleNamespace()) is None


def test_the_name_conflict_says_rm_f_when_the_holder_runs():
    err = errors.NameInUse("web", "ab" * 32)
    argv = ["run", "--name", "web", "busybox"]
    assert "docker rm -f web" in hints.find(err, argv, engine_with(running=("web",)))
    assert "docker rm web)" in hints.find(err, argv, engine_with())


def test_running_users_of_an_image_are_removed_with_rm_f():
    err = errors.Conflict('conflict: unable to remove repository reference "busybox" (must '
                          "force) - container 0123456789ab is using its referenced image x")
    assert "docker rm -f web" in hints.find(err, ["rmi", "busybox"],
                                            engine_with(running=("web",)))


def test_no_word_order_hint_when_the_group_has_no_such_command():
    err = errors.ImageNotFoundLocally("volume", "pull access denied")
    assert hints.match(err, ["run", "volume"]) is None


def test_word_order_only_for_a_command_that_would_run():
    assert hints.find(usage_error(["ls", "network"]), ["ls", "network"]) == \
        "the group's name comes first: docker network ls"
    err = errors.NoSuchContainer("volume")
    assert hints.match(err, ["rm", "volume"]) is None        # volume rm needs a name
    assert "docker volume rm data" in hints.find(err, ["rm", "volume", "data"])


def test_ps_minus_capital_letter_without_a_lowercase_twin_gets_no_guess():
    assert hints.match(usage_error(["ps", "-Z"]), ["ps", "-Z"]) is None


def test_a_quoted_template_gets_no_quoting_hint():
    assert hints.match(usage_error(["ps", "--format", "{{.Names}}", "extra"]),
                       ["ps", "--format", "{{.Names}}", "extra"]) is None


def test_memory_with_a_unit_gets_no_hint():
    err = errors.InvalidParameter("Minimum memory limit allowed is 6MB")
    assert hints.match(err, ["run", "-m", "1k", "busybox"]) is None


# --- the option-after-the-image hint builds its command from the parsed words ------------

def test_the_suggestion_keeps_every_value():
    err = errors.StartFailed('failed to create task for container: exec: "--name": '
                             "executable file not found in $PATH: unknown", 127)
    text = hints.find(err, ["run", "busybox", "--name", "oops", "echo", "hi"])
    assert text.endswith("docker run --name oops busybox echo hi")
    err = errors.StartFailed('exec: "-e": executable file not found in $PATH: unknown', 127)
    text = hints.find(err, ["run", "timers:v2", "-e", "COUNT_TO=5"])
    assert text.endswith("docker run -e COUNT_TO=5 timers:v2")


def _suggested_argv(text: str) -> list[str]:
    import shlex
    words = shlex.split(text.rsplit(": docker ", 1)[1])
    return words


def _options_of(path):
    """A command's options drawn from the command table, each as the words that give it
    and the long name the parser records: (words, long)."""
    from hypothesis import strategies as st
    from shell.cli import spec
    cmd = spec.PATHS[path]
    samples = {"name": "web", "env": "A=b c", "publish": "8080:80", "volume": "data:/data",
               "workdir": "/tmp", "user": "nobody", "hostname": "box", "label": "k=v",
               "network": "appnet", "entrypoint": "sh", "memory": "64m", "restart": "no",
               "detach-keys": "ctrl-x"}
    choices = []
    for f in cmd.flags:
        if f.hidden or f.planned:
            continue
        if f.kind == spec.BOOL:
            choices.append(([f"--{f.long}"], f.long))
            if f.short:
                choices.append(([f"-{f.short}"], f.long))
        elif f.long in samples:
            choices.append(([f"--{f.long}", samples[f.long]], f.long))
            choices.append(([f"--{f.long}={samples[f.long]}"], f.long))
            if f.short:
                choices.append(([f"-{f.short}", samples[f.long]], f.long))
    return st.sampled_from(choices)


@pytest.mark.parametrize("path", [("run",), ("create",), ("exec",), ("container", "run")])
def test_the_suggestion_parses_back_to_the_meant_command(path):
    """Property: for any options typed after the image (the container, for exec), the
    suggested command parses with those options set, the same image and the same
    program words."""
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=120, deadline=None)
    @given(before=st.lists(_options_of(path), max_size=2),
           after=st.lists(_options_of(path), min_size=1, max_size=3),
           # exec needs a command; run and create may have none
           program=st.lists(st.sampled_from(["echo", "hi there", "sh", "-c", "$HOME", "'"]),
                            min_size=int(path == ("exec",)), max_size=3)
           .filter(lambda p: not p or not p[0].startswith("-")))
    def check(before, after, program):
        head = [*path] + [w for words, _ in before for w in words]
        target = "box" if path == ("exec",) else "busybox"
        argv = head + [target] + [w for words, _ in after for w in words] + program
        assert hints._leading_options(argv) is not None
        text = hints._options_first_text(argv, argv[len(head) + 1])
        back = parse(_suggested_argv(text))
        assert back.command is parse(argv).command
        assert back.args == [target, *program]
        for _, long in before + after:
            assert long in back.given
    check()


def test_exec_options_after_the_container_are_moved_before_it():
    from types import SimpleNamespace
    argv = ["exec", "box", "-ti", "sh"]
    inv = parse(argv)
    assert hints.after(argv, inv, 127, None).endswith("docker exec -ti box sh")
    assert hints.after(argv, inv, 0, None) is None


# --- after a command that ran ------------------------------------------------------------

def after(line, code=0, env=None):
    import shlex
    argv = shlex.split(line)
    return hints.after(argv, parse(argv), code, env)


AFTER_CASES = [
    ("exec-options-after-container", "exec box -ti sh", 127, None, ["docker exec -ti box sh"]),
    ("entrypoint-is-a-shell", "run shimage sh -c 'echo hi'", 127,
     engine_with(entrypoint=["sh"]), ["ENTRYPOINT is already sh",
                                      "docker run shimage -c 'echo hi'"]),
    ("options-after-image-passed-on", "run -d busybox sleep 100 -p 8080:80", 0, None,
     ["-p 8080:80 came after the image", "docker run -d -p 8080:80 busybox sleep 100"]),
    ("folder-name-as-volume", "run -v shared:/data busybox ls /data", 0, "folder",
     ["named volume called shared", '-v "$PWD/shared":/data']),
    ("format-template-split", "images --format {{.Repository}} {{.Tag}}", 0, None,
     ["docker images --format '{{.Repository}} {{.Tag}}'"]),
]


@pytest.mark.parametrize("name,line,code,env,words", AFTER_CASES,
                         ids=[c[0] for c in AFTER_CASES])
def test_after_hint_triggers(name, line, code, env, words, tmp_path):
    import shlex
    if env == "folder":
        (tmp_path / "shared").mkdir()
        env = SimpleNamespace(engine=None, cwd=str(tmp_path))
    argv = shlex.split(line)
    names = [h.name for h in hints.AFTER if h.when(argv, parse(argv), code, env)]
    assert names[:1] == [name]
    text = hints.after(argv, parse(argv), code, env)
    for w in words:
        assert w in text


@pytest.mark.parametrize("line,code", [
    ("run busybox ls -p /", 0),                  # a program's own flag
    ("run busybox ls -d /nope", 1),              # failed, but -d is not the last word
    ("run busybox ls -d", 0),
    ("run busybox sort -t :", 0),
    ("run busybox grep -e x /etc/passwd", 0),   # -e's value is not KEY=VALUE
    ("run busybox echo --network nowhere", 0),   # no such network
    ("run -p 8080:80 busybox echo hi", 0),
])
def test_a_programs_own_flags_get_no_hint(line, code):
    assert after(line, code, engine_with()) is None


@pytest.mark.parametrize("line,code,moved", [
    ("run busybox sleep 1000 -d", 1, "docker run -d busybox sleep 1000"),
    ("run busybox echo hi -p 1234:1234", 0, "docker run -p 1234:1234 busybox echo hi"),
    ("run busybox echo hi --name web --rm", 0, "docker run --name web --rm busybox echo hi"),
    ("run busybox env -e A=1", 0, "docker run -e A=1 busybox env"),
    ("create busybox ls -v data:/data", 0, "docker create -v data:/data busybox ls"),
    ("run busybox ping -c1 x --network bridge", 1,
     "docker run --network bridge busybox ping -c1 x"),
])
def test_options_silently_passed_on_are_moved(line, code, moved):
    assert after(line, code, engine_with()).endswith(moved)


def test_a_split_template_in_inspect_keeps_the_object_apart():
    text = after("inspect -f {{.Name}} {{.Id}} box", 1)
    assert text.endswith("docker inspect -f '{{.Name}} {{.Id}}' box")
    assert after("images --format '{{.Repository}} {{.Tag}}'", 0) is None


def test_no_folder_hint_for_a_path_or_without_the_folder(tmp_path):
    env = SimpleNamespace(engine=None, cwd=str(tmp_path))
    assert after("run -v shared:/data busybox true", 0, env) is None
    (tmp_path / "shared").mkdir()
    assert after(f"run -v {tmp_path}/shared:/data busybox true", 0, env) is None


@pytest.mark.parametrize("word,hint", [("dokcer", True), ("dcoker", True), ("docekr", True),
                                       ("dockr", True), ("dockerr", True), ("ls", False),
                                       ("docker", False), ("podman", False)])
def test_docker_misspelt_at_the_prompt(word, hint):
    assert (hints.shell_word(word, 127) == "did you mean docker?") is hint
    assert hints.shell_word(word, 0) is None


def test_every_hint_in_the_table_has_a_case():
    tested = {c[0] for c in CASES}
    assert {h.name for h in hints.HINTS} == tested
    assert {h.name for h in hints.AFTER} == {c[0] for c in AFTER_CASES}
