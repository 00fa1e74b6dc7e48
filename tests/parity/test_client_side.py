"""What the docker CLI decides on its own, compared byte for byte with dockerlings.

Every line below is run twice: by the real docker CLI with DOCKER_HOST pointing at a
socket that does not exist, and by dockerlings (shell.runner.run_docker, in this
process, with a buffered Env). The CLI rejects all of them before it would connect
(flag errors, argument counts, its own value checks, unknown commands) or answers
them alone (help pages), so stdout, stderr and the exit status must be the same.

A line the real CLI answers by trying to connect is not client-side: the test then
fails and asks for the line to be removed from the table, instead of comparing a
connection error (those invocations are excluded by design).

Differences that are intended are listed, with their reasons, in the EXCLUDED_*
tables and in conftest.without_hints / without_legacy_banner; known mismatches that
are reported but not fixed are strict xfails in KNOWN_MISMATCHES.
"""
from __future__ import annotations


import pytest

from shell.cli import spec
from tests.help_pages import flag_rows

from .conftest import (argv_of, contacted_daemon, run_dockerlings, without_hints,
                       without_legacy_banner)

pytestmark = pytest.mark.usefixtures("offline_engine_root")


# --- hand-written invocations, by command ----------------------------------------------

CASES = [
    # the top level and unknown commands
    "docker --foo",
    "docker -x",
    "docker foo",
    "docker psa",
    "docker container foo",
    "docker image foo",
    "docker network foo",
    "docker volume foo",
    "docker system foo",
    "docker ps -h",
    "docker container list -x",
    # run
    "docker run",
    "docker run --foo",
    "docker run -rm busybox",
    "docker run ---rm busybox",
    "docker run -e",
    "docker run -h",
    "docker run --name",
    "docker run --rm=maybe busybox",
    "docker run -P=x busybox",
    "docker run --read-only=maybe busybox",
    "docker run -m foo busybox",
    "docker run -m -1 busybox",
    "docker run -m=-5 busybox",
    "docker run -m 1g --memory-swap x busybox",
    "docker run --cpus abc busybox",
    "docker run --cpus 1.2.3 busybox",
    "docker run -c abc busybox",
    "docker run -c 1.5 busybox",
    "docker run --cpu-quota x busybox",
    "docker run --cpu-period x busybox",
    "docker run --pids-limit x busybox",
    "docker run --stop-timeout x busybox",
    "docker run --restart on-failure:x busybox",
    "docker run --restart=on-failure:3x busybox",
    "docker run --rm --restart always busybox",
    "docker run --rm --restart on-failure busybox",
    "docker run -p 99999:1 busybox",
    "docker run -p 80:99999 busybox",
    "docker run -p abc busybox",
    "docker run -p 70000 busybox",
    "docker run -p 80: busybox",
    "docker run -p 80:80/xyz busybox",
    "docker run -p 1.2.3:80:80 busybox",
    "docker run -p 1-3:4-5 busybox",
    "docker run --expose x busybox",
    "docker run --pid foo busybox",
    "docker run --pid container: busybox",
    "docker run --env-file /nonexistent busybox",
    "docker run --label-file /nonexistent busybox",
    "docker run -e= busybox",
    "docker run -a bogus busybox",
    "docker run -d -a stdout busybox",
    "docker run -d --rm -a stdout busybox",
    "docker run -d -a stderr busybox",
    "docker run -a stdin -a stdout -d busybox",
    "docker run -it busybox",
    "docker run -ti busybox",
    "docker run --pull bogus busybox",
    "docker run --mount bad busybox",
    "docker run --mount type=foo busybox",
    "docker run --mount type=bind busybox",
    "docker run --mount type=bind,src=/tmp busybox",
    "docker run --mount type=volume,target= busybox",
    "docker run -v '' busybox",
    "docker run --add-host bad busybox",
    "docker run --add-host foo busybox",
    "docker run --add-host foo:bar busybox",
    "docker run --add-host =1.2.3.4 busybox",
    "docker run --dns bad busybox",
    "docker run Busybox",
    "docker run 'a b'",
    "docker run ' busybox'",
    "docker run busybox:",
    "docker run :x",
    "docker run busybox@sha256:abc",
    "docker run --cidfile",
    "docker run --cap-add",
    "docker run --tmpfs",
    "docker run --network",
    "docker run --entrypoint",
    "docker run -w",
    "docker run -u",
    "docker run -l",
    "docker run --label-file",
    "docker run --stop-signal",
    "docker run --pid",
    "docker run --volumes-from",
    "docker run -v",
    "docker run --detach-keys",
    "docker run --pull",
    "docker run -a",
    "docker run --dns",
    "docker run --network-alias",
    # create
    "docker create",
    "docker create --foo",
    "docker create -rm busybox",
    "docker create -d busybox",
    "docker create -m foo busybox",
    "docker create --rm --restart always busybox",
    "docker create -p 99999:1 busybox",
    "docker create Busybox",
    "docker create --pull bogus busybox",
    # run/create options dockerlings lists as planned: docker's checks of their values
    # (a good value gets "not supported by dockerlings yet" instead of a daemon's answer)
    "docker run --uts foo busybox",
    "docker run --userns foo busybox",
    "docker run --cgroupns foo busybox",
    "docker create --uts foo busybox",
    "docker run --health-interval -1s busybox",
    "docker run --health-timeout -1s busybox",
    "docker run --health-retries -1 busybox",
    "docker run --health-start-period -1s busybox",
    "docker run --health-interval x busybox",
    "docker run --no-healthcheck --health-cmd true busybox",
    "docker create --no-healthcheck --health-cmd true busybox",
    "docker run --ulimit bad busybox",
    "docker run --ulimit nofile=1:x busybox",
    "docker run --ulimit foo=1 busybox",
    "docker run --ulimit nofile=2:1 busybox",
    "docker run --ulimit nofile=-1:1 busybox",
    "docker run --ulimit nofile=1:2:3 busybox",
    "docker create --ulimit bad busybox",
    "docker run --shm-size foo busybox",
    "docker run --memory-reservation -1 busybox",
    "docker run --kernel-memory x busybox",
    "docker run --sysctl bad busybox",
    "docker run --sysctl =1 busybox",
    "docker run --sysctl kernel.foo=1 busybox",
    "docker run --storage-opt x busybox",
    "docker run --gpus bad busybox",
    "docker run --gpus 'a\"b' busybox",
    "docker run --gpus '\"a' busybox",
    "docker run --gpus count=1,count=2 busybox",
    "docker run --gpus 1,count=2 busybox",
    "docker run --gpus foo=1 busybox",
    "docker run --gpus 99999999999999999999 busybox",
    "docker run --gpus '' busybox",
    "docker run --platform foo busybox",
    "docker create --platform foo busybox",
    "docker run --platform 'a*' busybox",
    "docker run --platform a/b/c/d busybox",
    "docker run --platform 'lin(ux' busybox",
    "docker run --platform linux/a@ busybox",
    "docker run --mac-address zz busybox",
    "docker run --mac-address 92:d0-c6:0a:29:33 busybox",
    "docker run --memory-swappiness 101 busybox",
    "docker run --memory-swappiness x busybox",
    "docker run --log-driver none --log-opt a=b busybox",
    "docker run --security-opt foo busybox",
    "docker run --security-opt foo= busybox",
    "docker run --security-opt seccomp=/nonexistent/profile.json busybox",
    "docker create --security-opt seccomp=/nonexistent/profile.json busybox",
    "docker run --security-opt seccomp=/ busybox",
    "docker run --security-opt seccomp= busybox",
    # a file that is not JSON: encoding/json's scanner error
    "docker run --security-opt seccomp=/etc/hostname busybox",
    "docker run --security-opt seccomp=/etc/passwd busybox",
    "docker run --security-opt no-new-privileges=maybe= --security-opt x busybox",
    "docker run --blkio-weight 70000 busybox",
    "docker run --blkio-weight x busybox",
    "docker run --io-maxiops -1 busybox",
    "docker run --link a:b:c busybox",
    "docker run --link '' busybox",
    "docker run --dns-search -bad busybox",
    "docker run --device-cgroup-rule x busybox",
    "docker run --device-read-bps /dev/sda:x busybox",
    "docker run --device-read-bps sda:1 busybox",
    "docker run --device-write-iops x busybox",
    "docker run --blkio-weight-device /dev/sda:5 busybox",
    "docker run --cpu-count x busybox",
    "docker run --oom-score-adj 1e3 busybox",
    "docker run --disable-content-trust=maybe busybox",
    "docker run --uts foo --storage-opt x busybox",
    "docker run --pull bogus --uts foo busybox",
    "docker run --uts",
    "docker run --ulimit",
    "docker run --gpus",
    # exec
    "docker exec",
    "docker exec c",
    "docker exec --foo c ls",
    "docker exec -e",
    "docker exec -u",
    "docker exec -w",
    "docker exec -it c",
    "docker exec --detach-keys",
    # ps
    "docker ps --foo",
    "docker ps x",
    "docker ps -s x",
    "docker ps -f",
    "docker ps -f bogus",
    "docker ps -n x",
    "docker ps --last",
    "docker ps --format '{{'",
    "docker ps --format 'table {{'",
    "docker ps --format '{{.Names}'",
    "docker ps --format '{{json .}'",
    "docker ps --format '{{.Foo}}'",
    "docker ps -q --format '{{.Foo}}'",
    "docker ps --format 'table {{.Foo}}'",
    "docker ps --format 'table {{.Names}}\\t{{.Foo}}'",
    "docker ps --format '{{.Names}}\\n{{.Bar}}'",
    "docker ps --format '{{.Label \"a\" | .Foo}}'",
    "docker ps --format '{{index .Labels 1}}'",
    "docker ps --format '{{.Names.X}}'",
    "docker ps --format '{{range .Foo}}{{end}}'",
    "docker ps --format '{{upper .Names}}{{.Nope}}'",
    "docker ps --format '{{.Label}}'",
    "docker ps --format '{{join .Names \",\"}}'",
    # images
    "docker images --foo",
    "docker images a b",
    "docker images -q --format x a b",
    "docker images -f bogus",
    # rm, rmi
    "docker rm",
    "docker rm --foo c",
    "docker rm -rf c",
    "docker rm -f",
    "docker rm --volumes",
    "docker rmi",
    "docker rmi -rf x",
    "docker rmi -f",
    "docker rmi --platform x a",
    "docker rmi --platform linux,foo a",
    "docker rmi --platform 'a*b' a",
    "docker image import",
    "docker import",
    # logs
    "docker logs",
    "docker logs a b",
    "docker logs --foo c",
    "docker logs -f",
    "docker logs --tail",
    # start, stop, kill, restart
    "docker start",
    "docker start --foo",
    "docker start -a",
    "docker start --detach-keys",
    "docker start c1 c2 -a",
    "docker stop",
    "docker stop -t",
    "docker stop -s",
    "docker stop -t x c",
    "docker stop --time x c",
    "docker kill",
    "docker kill -s",
    "docker kill --signal",
    "docker restart",
    "docker restart -t x c",
    # commit, tag
    "docker commit",
    "docker commit --foo c",
    "docker commit -c",
    "docker commit a b c",
    "docker commit -p=maybe c",
    "docker tag",
    "docker tag a",
    "docker tag a b c",
    "docker tag --foo a b",
    # network
    "docker network create",
    "docker network create --foo n",
    "docker network create -d",
    "docker network create a b",
    "docker network rm",
    "docker network inspect",
    "docker network connect n",
    "docker network disconnect n",
    "docker network ls x",
    "docker network ls -f bogus",
    "docker network prune x",
    # volume
    "docker volume create a b",
    "docker volume create --foo",
    "docker volume rm",
    "docker volume inspect",
    "docker volume ls x",
    "docker volume ls -f bogus",
    "docker volume prune x",
    # cp
    "docker cp",
    "docker cp a",
    "docker cp a b",
    "docker cp a b c",
    "docker cp --foo a:b c",
    "docker cp a:/x b:/y",
    "docker cp - -",
    # build (legacy-builder banner removed, see conftest)
    "docker build --foo .",
    "docker build -t",
    # inspect, port, attach, wait, rename, pause, top, diff, history, pull
    "docker inspect",
    "docker inspect --foo x",
    "docker inspect -f",
    "docker port",
    "docker port a b c",
    "docker port --foo a",
    "docker attach",
    "docker attach a b",
    "docker attach --foo a",
    "docker wait",
    "docker wait --foo a",
    "docker rename",
    "docker rename a",
    "docker rename a b c",
    "docker pause",
    "docker unpause",
    "docker top",
    "docker top --foo c",
    "docker diff",
    "docker diff a b",
    "docker history",
    "docker history a b",
    "docker history --foo a",
    "docker history -H=x a",
    "docker pull",
    "docker pull a b",
    "docker pull --foo a",
    "docker pull Busybox",
    "docker pull 'a b'",
]


# CLI plugins the reference docker CLI was installed without (docker compose): their
# words are checked against Compose's own in tests/integration/test_compose.py.
PLUGINS = {g.name for g in spec.GROUPS if g.plugin}


def generated_cases() -> list[str]:
    """For every command and alias dockerlings knows: an unknown flag, too few and too
    many arguments."""
    out = []
    for path, cmd in spec.PATHS.items():
        if path[0] in PLUGINS:
            continue
        name = " ".join(path)
        out.append(f"docker {name} --bogus")
        if cmd.min_args:
            out.append(f"docker {name}")
        if cmd.max_args is not None:
            out.append(f"docker {name} " + " ".join(["a"] * (cmd.max_args + 1)))
    return out


# Mismatches found and reported, not fixed (too big for a parity fix): strict xfails, so
# whoever fixes one is told to move it back into the table. None at the moment.
KNOWN_MISMATCHES: dict[str, str] = {}


def all_cases():
    seen = set()
    for line in CASES + generated_cases():
        if line not in seen:
            seen.add(line)
            yield line
    for line, reason in KNOWN_MISMATCHES.items():
        yield pytest.param(line, marks=pytest.mark.xfail(strict=True, reason=reason))


def normalised(line: str, result) -> dict:
    err = without_hints(result.err)
    argv = argv_of(line)
    if argv[:1] == ["build"] or argv[:2] == ["image", "build"]:
        err = without_legacy_banner(err)
    return {"exit": result.code, "stdout": result.out, "stderr": err}


@pytest.mark.parametrize("line", list(all_cases()))
def test_client_side_output_is_dockers(line, offline_docker):
    theirs = offline_docker.line(line)
    if contacted_daemon(theirs):
        pytest.fail(f"docker checks {line!r} only after connecting to the daemon: it is not "
                    "client-side; remove it from this table")
    ours = run_dockerlings(argv_of(line))
    assert normalised(line, ours) == normalised(line, theirs)


# --- help pages ---------------------------------------------------------------------------

# Flags docker shows on a page that dockerlings does not list (so its page is a subset of
# docker's: every row it shows must read as docker's, in docker's order). Keyed by the
# canonical command path; kept exact so a flag added to or dropped from the table shows.
MISSING_FLAGS = {
    "container start": {"checkpoint", "checkpoint-dir"},           # experimental CRIU
    "image ls": {"tree"},                                           # experimental
    "image pull": {"disable-content-trust"},                # no Notary: content trust
    "image push": {"disable-content-trust", "platform"},    # single-platform images
    "image history": {"platform"},
    "image inspect": {"platform"},
    "network create": {"aux-address", "config-from", "config-only", "ingress",   # swarm,
                       "ipam-driver", "ipam-opt", "ipv4", "scope"},              # plugins
    "network connect": {"driver-opt", "gw-priority", "ip6", "link", "link-local-ip"},
    "volume create": {"availability", "group", "limit-bytes", "required-bytes",  # cluster
                      "scope", "secret", "sharing", "topology-preferred",        # volumes
                      "topology-required", "type"},
    "volume ls": {"cluster"},                                                    # only
}

# Pages compared only down to their aliases, by design:
# * planned commands show "Not available in dockerlings yet: ..." instead of options;
# * `build`: dockerlings builds as BuildKit (`docker buildx build`) does, while the CLI
#   on this machine has no buildx and shows the legacy builder's page (other flags, an
#   extra `docker builder build` alias).
HEAD_ONLY = {"image build"}

PLANNED_NOTE = " (not in dockerlings yet)"


def split_page(text: str) -> tuple[str, str]:
    """(everything down to "Options:", everything after the options block)."""
    head, sep, rest = text.partition("\nOptions:\n")
    if not sep:
        return text, ""
    lines = rest.split("\n")
    end = lines.index("") if "" in lines else len(lines)
    return head, "\n".join(lines[end:])


def help_paths() -> list[str]:
    return sorted(" ".join(p) for p in spec.PATHS if p[0] not in PLUGINS)


@pytest.mark.parametrize("name", help_paths())
def test_help_page_is_dockers(name, offline_docker):
    path = tuple(name.split())
    cmd = spec.PATHS[path]
    theirs = offline_docker.run([*path, "--help"])
    ours = run_dockerlings([*path, "--help"])
    assert (ours.code, ours.err) == (theirs.code, without_legacy_banner(theirs.err))
    canonical = cmd.name
    if cmd.planned:
        assert ours.out.split("\n")[0] == theirs.out.split("\n")[0]
        return
    if canonical in HEAD_ONLY:
        assert ours.out.split("\nAliases:")[0] == theirs.out.split("\nAliases:")[0]
        return
    missing = MISSING_FLAGS.get(canonical, set())
    if not missing and not any(f.planned for f in cmd.flags if not f.hidden):
        assert ours.out == theirs.out
        return
    # a planned flag's row says "(not in dockerlings yet)", which may wrap it otherwise
    our_head, our_tail = split_page(ours.out)
    their_head, their_tail = split_page(theirs.out)
    assert (our_head, our_tail) == (their_head, their_tail)
    our_rows, their_rows = flag_rows(ours.out), flag_rows(theirs.out)
    assert set(their_rows) - set(our_rows) == missing
    assert list(our_rows) == [k for k in their_rows if k in our_rows]
    for long, (left, desc) in our_rows.items():
        assert (left, desc.replace(PLANNED_NOTE, "")) == their_rows[long], long


# --- management command pages and the top level ----------------------------------------

# Rows of `docker <group>` that dockerlings does not list.
EXCLUDED_GROUP_ROWS = {
    "volume": {"update"},                        # cluster volumes only (swarm)
}


def without_rows(text: str, names: set[str]) -> str:
    return "".join(line for line in text.splitlines(True)
                   if not (line.startswith("  ") and line.split()[0] in names))


@pytest.mark.parametrize("group", sorted(set(spec.GROUP_NAMES) - PLUGINS))
@pytest.mark.parametrize("how", ["alone", "--help"])
def test_group_page_is_dockers(group, how, offline_docker):
    argv = [group] if how == "alone" else [group, "--help"]
    theirs, ours = offline_docker.run(argv), run_dockerlings(argv)
    excluded = EXCLUDED_GROUP_ROWS.get(group, set())
    # alone: the page goes to stderr (exit 0); with --help to stdout
    assert ours.code == theirs.code == 0
    assert ours.out == without_rows(theirs.out, excluded)
    assert ours.err == without_rows(theirs.err, excluded)


# The top-level page: rows of commands dockerlings does not have, and what else differs.
EXCLUDED_TOP_ROWS = {
    "builder", "checkpoint", "context", "manifest", "plugin", "trust",   # management
}
EXCLUDED_TOP_SECTIONS = {"Swarm Commands:"}          # no swarm in dockerlings
# Global options other than --debug and --version are about reaching a daemon.
EXCLUDED_GLOBAL_OPTIONS = {"config", "context", "host", "log-level", "tls", "tlscacert",
                           "tlscert", "tlskey", "tlsverify"}
# dockerlings says which engine answers: "A self-sufficient runtime for containers
# (here: dockerlings' own engine)".
OUR_TAGLINE = " (here: dockerlings' own engine)"


def sections(text: str) -> list[tuple[str, list[str]]]:
    """[(title or "", lines)] split at blank lines."""
    out, block = [], []
    for line in text.split("\n") + [""]:
        if line == "":
            if block:
                title = block[0] if block[0].endswith(":") and not block[0].startswith(" ") else ""
                out.append((title, block[1:] if title else block))
            block = []
        else:
            block.append(line)
    return out


@pytest.mark.parametrize("how", ["alone", "--help"])
def test_top_level_page_is_dockers(how, offline_docker):
    argv = [] if how == "alone" else ["--help"]
    theirs, ours = offline_docker.run(argv), run_dockerlings(argv)
    assert ours.code == theirs.code == 0
    stream = "err" if how == "alone" else "out"
    assert (ours.out if stream == "err" else ours.err) == ""
    their_text, our_text = getattr(theirs, stream), getattr(ours, stream)
    ours_s, theirs_s = sections(our_text), sections(their_text)
    expected = []
    for title, lines in theirs_s:
        if title in EXCLUDED_TOP_SECTIONS:
            continue
        if title == "Global Options:":
            continue                      # compared row by row below
        if title.endswith("Commands:"):
            lines = [l for l in lines if l.split()[0] not in EXCLUDED_TOP_ROWS]
        expected.append((title, lines))
    got = [(t, [r for r in l if r.split()[0].rstrip("*") not in PLUGINS])
           for t, l in ours_s if t != "Global Options:"]
    expected[1] = ("", [expected[1][1][0] + OUR_TAGLINE])
    assert got == expected
    ours_g = flag_rows("Options:\n" + "\n".join(dict(ours_s)["Global Options:"]))
    theirs_g = flag_rows("Options:\n" + "\n".join(dict(theirs_s)["Global Options:"]))
    assert set(theirs_g) - set(ours_g) == EXCLUDED_GLOBAL_OPTIONS
    assert {k: theirs_g[k] for k in ours_g} == ours_g
