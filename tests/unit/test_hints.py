"""Every entry of the mistakes table (shell/hints.py), triggered by the error Docker
gives for the mistake, with the command line that made it. The last test fails when an
entry is added without a case here. (tests/integration/test_hints.py makes the same
mistakes on a real engine.)"""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from engine import errors, reference
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
        return SimpleNamespace(name=ref)

    def containers(self, all=True):
        host = HostConfig(port_bindings=self._ports)
        return [SimpleNamespace(name=n, host=host) for n in self._names]


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


def test_every_hint_in_the_table_has_a_case():
    tested = {c[0] for c in CASES}
    assert {h.name for h in hints.HINTS} == tested
