"""Images through the docker command line: images, tag, rmi, history, image inspect,
image prune, pull, commit, diff, and whiteouts that really hide files, with Docker 28's
output (docker-cli.md sections 5.3, 6, 7.2, 7.3 and 7.8)."""
from __future__ import annotations

import hashlib
import json
import os
import re

import pytest

from tests.integration.cli_helpers import (PATH_ENV, RFC3339NANO, SHA256, ZERO_TIME, errors,
                                           human_size, inspect, pull, table, wait_until)

IMAGES_HEADER = ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]
HISTORY_HEADER = ["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"]
AGO = r"(Less than a second|About an? \w+|\d+ \w+) ago"


@pytest.fixture
def bb(sh):
    pull(sh)
    return sh


def image_id(sh, ref: str) -> str:
    return sh.ok(f"docker image inspect -f '{{{{.Id}}}}' {ref}").strip()


def image_json(sh, ref: str, template: str):
    return json.loads(sh.ok(f"docker image inspect -f '{{{{json {template}}}}}' {ref}"))


def chain_id(parent: str | None, diff_id: str) -> str:
    if parent is None:
        return diff_id
    return "sha256:" + hashlib.sha256(f"{parent} {diff_id}".encode()).hexdigest()


def top_chain(sh, ref: str) -> str:
    chain = None
    for diff in image_json(sh, ref, ".RootFS.Layers"):
        chain = chain_id(chain, diff)
    return chain


def columns(text: str, headers: list[str]) -> list[list[str]]:
    """Rows of a docker table cut at the header's column starts (checks alignment)."""
    lines = text.splitlines()
    starts = [lines[0].index(h) for h in headers]
    assert re.split(r" {2,}", lines[0].rstrip()) == headers, lines[0]
    rows = []
    for line in lines[1:]:
        for s in starts[1:]:
            assert line[s - 1] == " ", f"misaligned at column {s}: {line!r}"
        ends = starts[1:] + [None]
        rows.append([line[a:b].rstrip() if b else line[a:] for a, b in zip(starts, ends)])
    return rows


def committed(sh, name: str, script: str, ref: str | None = None, flags: str = "") -> str:
    """Run `script` in a busybox container called `name`, commit it; the new image ID."""
    r = sh.run(f"docker run --name {name} busybox sh -c '{script}'")
    assert r.code == 0, r.err
    out = sh.ok(f"docker commit {flags} {name} {ref or ''}")
    assert SHA256.match(out.strip()), out
    return out.strip()


# --- pull ----------------------------------------------------------------------------------

def test_pull_makes_busybox_and_hello_world_offline(sh):
    r = sh.run("docker pull busybox")
    assert (r.code, r.err) == (0, "")
    lines = r.out.splitlines()
    assert lines[:2] == ["Using default tag: latest", "latest: Pulling from library/busybox"]
    assert re.fullmatch(r"Digest: sha256:[0-9a-f]{64}", lines[-3]), lines
    assert lines[-2:] == ["Status: Downloaded newer image for busybox:latest",
                          "docker.io/library/busybox:latest"]
    again = sh.ok("docker pull busybox:latest").splitlines()
    assert again[0] == "latest: Pulling from library/busybox"
    assert again[-2:] == ["Status: Image is up to date for busybox:latest",
                          "docker.io/library/busybox:latest"]
    r = sh.run("docker pull hello-world")
    assert r.code == 0 and r.out.splitlines()[-2:] == [
        "Status: Downloaded newer image for hello-world:latest",
        "docker.io/library/hello-world:latest"]
    r = sh.run("docker run --rm hello-world")
    assert r.code == 0 and "Hello from" in r.out and r.err == ""
    assert sorted(sh.ok("docker images --format '{{.Repository}}:{{.Tag}}'").split()) == \
        ["busybox:latest", "hello-world:latest"]


def test_pull_of_an_unknown_image_fails_clearly(sh):
    r = sh.run("docker pull nosuchimage")
    assert (r.code, r.out) == (1, "Using default tag: latest\n")
    err = errors(r)
    assert err[0].startswith("Error response from daemon: pull access denied for nosuchimage, "
                             "repository does not exist or may require 'docker login'"), err
    r = sh.run("docker pull nosuchimage:1.0")
    assert (r.code, r.out) == (1, "")
    assert sh.ok("docker images") == table([IMAGES_HEADER])


# --- images --------------------------------------------------------------------------------

def test_images_lists_one_row_per_tag_newest_first(bb):
    pull(bb, "hello-world")
    bb.ok("docker tag busybox mybox:v1")
    bid, hid = image_id(bb, "busybox"), image_id(bb, "hello-world")
    bsize = int(bb.ok("docker image inspect -f '{{.Size}}' busybox"))
    hsize = int(bb.ok("docker image inspect -f '{{.Size}}' hello-world"))
    rows = columns(bb.ok("docker images"), IMAGES_HEADER)
    assert len(rows) == 3
    assert sorted(tuple(r[:3]) for r in rows[:2]) == [("busybox", "latest", bid[7:19]),
                                                      ("mybox", "v1", bid[7:19])]
    assert rows[2][:3] == ["hello-world", "latest", hid[7:19]]
    for r in rows:
        assert re.fullmatch(AGO, r[3]), r
    assert [r[4] for r in rows] == [human_size(bsize)] * 2 + [human_size(hsize)]


def test_images_quiet_no_trunc_and_all(bb):
    bb.ok("docker tag busybox mybox:v1")
    bid = image_id(bb, "busybox")
    assert bb.ok("docker images -q") == f"{bid[7:19]}\n{bid[7:19]}\n"
    assert bb.ok("docker images -q --no-trunc") == f"{bid}\n{bid}\n"
    rows = columns(bb.ok("docker images --no-trunc"), IMAGES_HEADER)
    assert {r[2] for r in rows} == {bid}
    assert bb.ok("docker images -a -q") == f"{bid[7:19]}\n{bid[7:19]}\n"


def test_images_format(bb):
    bb.ok("docker tag busybox mybox:v1")
    bid = image_id(bb, "busybox")
    size = int(bb.ok("docker image inspect -f '{{.Size}}' busybox"))
    assert sorted(bb.ok("docker images --format '{{.Repository}}:{{.Tag}}'").split()) == \
        ["busybox:latest", "mybox:v1"]
    out = bb.ok("docker images --format 'table {{.Repository}}\\t{{.ID}}' busybox")
    assert out == table([["REPOSITORY", "IMAGE ID"], ["busybox", bid[7:19]]])
    lines = bb.ok("docker images --format json busybox").splitlines()
    assert len(lines) == 1
    row = json.loads(lines[0])
    assert list(row) == ["Containers", "CreatedAt", "CreatedSince", "Digest", "ID",
                         "Repository", "SharedSize", "Size", "Tag", "UniqueSize",
                         "VirtualSize"]
    assert (row["ID"], row["Repository"], row["Tag"], row["Digest"]) == \
        (bid[7:19], "busybox", "latest", "<none>")
    assert (row["Containers"], row["SharedSize"], row["UniqueSize"]) == ("N/A", "N/A", "N/A")
    assert (row["Size"], row["VirtualSize"]) == (human_size(size), human_size(size, 4))
    assert re.fullmatch(AGO, row["CreatedSince"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \S+", row["CreatedAt"])
    # the row context marshals itself with json.Marshal, which escapes <, > and &
    assert '"Digest":"\\u003cnone\\u003e"' in lines[0]


def test_images_reference_filter(bb):
    pull(bb, "hello-world")
    bb.ok("docker tag busybox mybox:v1")
    bb.ok("docker tag busybox mybox:v2")
    repo_tags = lambda flags: sorted(bb.ok(
        f"docker images --format '{{{{.Repository}}}}:{{{{.Tag}}}}' {flags}").split())
    assert repo_tags("busybox") == ["busybox:latest"]
    assert repo_tags("mybox") == ["mybox:v1", "mybox:v2"]
    assert repo_tags("mybox:v1") == ["mybox:v1"]
    assert repo_tags("'my*'") == ["mybox:v1", "mybox:v2"]
    assert repo_tags("-f reference=hello-world") == ["hello-world:latest"]
    assert repo_tags("-f reference='*:v2'") == ["mybox:v2"]
    assert bb.ok("docker images nosuch") == table([IMAGES_HEADER])
    assert bb.ok("docker images -q nosuch") == ""
    r = bb.run("docker images ls")
    assert (r.code, r.err) == (0, '\nNo images found matching "ls": did you mean '
                                  '"docker image ls"?\n')


def test_images_dangling_and_intermediate_images(bb):
    loose = committed(bb, "c1", "echo loose > /loose")              # no tag: dangling
    rows = columns(bb.ok("docker images"), IMAGES_HEADER)
    assert ["<none>", "<none>", loose[7:19]] in [r[:3] for r in rows]
    assert bb.ok("docker images -f dangling=true -q") == loose[7:19] + "\n"
    # busybox untagged while a child image is built on it: an intermediate image,
    # listed with -a only
    bb.ok("docker rm c1")
    bid = image_id(bb, "busybox")
    bb.ok("docker image prune -f")
    committed(bb, "c2", "echo kid > /kid", "kid:1")
    bb.ok("docker rm c2")
    bb.run("docker rmi busybox")
    assert bb.ok("docker images --format '{{.Repository}}:{{.Tag}}'") == "kid:1\n"
    rows = columns(bb.ok("docker images -a"), IMAGES_HEADER)
    assert [r[:3] for r in rows] == [["kid", "1", image_id(bb, "kid:1")[7:19]],
                                     ["<none>", "<none>", bid[7:19]]]


# --- tag -------------------------------------------------------------------------------------

def test_tag(bb):
    bid = image_id(bb, "busybox")
    assert tuple(bb.run("docker tag busybox mybox:v1")) == (0, "", "")
    assert tuple(bb.run("docker tag mybox:v1 mybox")) == (0, "", "")
    assert tuple(bb.run("docker tag busybox localhost:5000/team/box:1.0")) == (0, "", "")
    assert image_id(bb, "mybox:v1") == image_id(bb, "mybox:latest") == bid
    assert sorted(image_json(bb, "busybox", ".RepoTags")) == [
        "busybox:latest", "localhost:5000/team/box:1.0", "mybox:latest", "mybox:v1"]
    assert "localhost:5000/team/box:1.0" in bb.ok(
        "docker images --format '{{.Repository}}:{{.Tag}}'").split()


def test_tag_moves_an_existing_tag(bb):
    kid = committed(bb, "c1", "echo kid > /kid", "kid:1")
    bb.ok("docker tag busybox kid:1")
    assert image_id(bb, "kid:1") == image_id(bb, "busybox")
    assert bb.ok("docker images -q kid") == image_id(bb, "busybox")[7:19] + "\n"
    assert bb.ok("docker images -f dangling=true -q") == kid[7:19] + "\n"


def test_tag_invalid_target(bb):
    r = bb.run("docker tag busybox Bad")
    assert (r.code, r.out) == (1, "")
    assert errors(r) == ['Error parsing reference: "Bad" is not a valid repository/tag: '
                         'invalid reference format: repository name (library/Bad) must be '
                         'lowercase']


@pytest.mark.parametrize("command, stdout", [
    ("docker tag nosuch x:1", ""),
    ("docker rmi nosuch", ""),
    ("docker history nosuch", ""),
    ("docker image inspect nosuch", "[]\n"),
])
def test_unknown_image_errors_name_the_tag(bb, command, stdout):
    r = bb.run(command)
    assert (r.code, r.out) == (1, stdout)
    # moby ErrImageDoesNotExist: reference.TagNameOnly adds ":latest"
    assert errors(r) == ["Error response from daemon: No such image: nosuch:latest"]


# --- rmi -------------------------------------------------------------------------------------

def test_rmi_of_one_of_several_tags_only_untags(bb):
    bb.ok("docker tag busybox mybox:v1")
    r = bb.run("docker rmi mybox:v1")
    assert (r.code, r.out, r.err) == (0, "Untagged: mybox:v1\n", "")
    assert image_json(bb, "busybox", ".RepoTags") == ["busybox:latest"]


def test_rmi_deletes_the_image_and_its_layer(bb):
    img = committed(bb, "c1", "echo solo > /solo", "solo:1")
    layer = top_chain(bb, "solo:1")
    bb.ok("docker rm c1")
    r = bb.run("docker rmi solo:1")
    assert (r.code, r.err) == (0, "")
    assert r.out == f"Untagged: solo:1\nDeleted: {img}\nDeleted: {layer}\n"
    assert bb.run("docker image inspect solo:1").code == 1
    assert bb.ok("docker images --format '{{.Repository}}'") == "busybox\n"
    # and busybox itself: its one layer's chain ID is its diff ID
    bid, diff = image_id(bb, "busybox"), image_json(bb, "busybox", ".RootFS.Layers")[0]
    r = bb.run("docker rmi busybox")
    assert (r.code, r.out) == (0, f"Untagged: busybox:latest\nDeleted: {bid}\nDeleted: {diff}\n")
    assert bb.ok("docker images -a -q") == ""


def test_rmi_refuses_an_image_a_container_uses_then_force(bb):
    bb.ok("docker run --name user busybox true")
    cid, bid = inspect(bb, "user", "{{.Id}}"), image_id(bb, "busybox")
    r = bb.run("docker rmi busybox")
    assert (r.code, r.out) == (1, "")
    assert errors(r) == [f'Error response from daemon: conflict: unable to remove repository '
                         f'reference "busybox" (must force) - container {cid[:12]} is using '
                         f'its referenced image {bid[7:19]}']
    assert image_id(bb, "busybox") == bid
    r = bb.run(f"docker rmi {bid[7:19]}")
    assert (r.code, errors(r)) == (1, [f"Error response from daemon: conflict: unable to "
                                       f"delete {bid[7:19]} (must be forced) - image is being "
                                       f"used by stopped container {cid[:12]}"])
    # forced: a stopped container is only a soft conflict, the image goes; its layer stays
    # because the container still stands on it
    r = bb.run("docker rmi -f busybox")
    assert (r.code, r.out, r.err) == (0, f"Untagged: busybox:latest\nDeleted: {bid}\n", "")
    assert bb.ok("docker ps -a --format '{{.Image}}'") == bid[7:19] + "\n"
    assert bb.run("docker start -a user").code == 0


def test_rmi_force_keeps_an_image_a_running_container_uses(bb):
    bb.ok("docker run -d --name web busybox sleep 100")
    cid, bid = inspect(bb, "web", "{{.Id}}"), image_id(bb, "busybox")
    r = bb.run(f"docker rmi -f {bid[7:19]}")
    assert (r.code, errors(r)) == (1, [f"Error response from daemon: conflict: unable to "
                                       f"delete {bid[7:19]} (cannot be forced) - image is "
                                       f"being used by running container {cid[:12]}"])
    r = bb.run("docker rmi -f busybox")
    assert (r.code, r.out, r.err) == (0, "Untagged: busybox:latest\n", "")
    rows = columns(bb.ok("docker images"), IMAGES_HEADER)
    assert [r[:3] for r in rows] == [["<none>", "<none>", bid[7:19]]]
    assert bb.ok("docker ps --format '{{.Image}}'") == bid[7:19] + "\n"


def test_rmi_by_id_with_tags_in_several_repositories(bb):
    bb.ok("docker tag busybox mybox:v1")
    bid = image_id(bb, "busybox")
    diff = image_json(bb, "busybox", ".RootFS.Layers")[0]
    r = bb.run(f"docker rmi {bid[7:19]}")
    assert (r.code, r.out) == (1, "")
    assert errors(r) == [f"Error response from daemon: conflict: unable to delete "
                         f"{bid[7:19]} (must be forced) - image is referenced in multiple "
                         f"repositories"]
    r = bb.run(f"docker rmi -f {bid[7:19]}")
    assert r.code == 0
    lines = r.out.splitlines()
    assert sorted(lines[:2]) == ["Untagged: busybox:latest", "Untagged: mybox:v1"]
    assert lines[2:] == [f"Deleted: {bid}", f"Deleted: {diff}"]


def test_rmi_of_the_last_tag_of_an_image_with_children_only_untags(bb):
    committed(bb, "c1", "echo kid > /kid", "kid:1")
    bb.ok("docker rm c1")
    r = bb.run("docker rmi busybox")
    # moby imageDeleteHelper: the conflict (dependent child images) is ignored quietly
    # because the untagged image is not dangling (it has children)
    assert (r.code, r.out, r.err) == (0, "Untagged: busybox:latest\n", "")


def test_rmi_several_and_missing(bb):
    bb.ok("docker tag busybox a:1")
    bb.ok("docker tag busybox b:1")
    r = bb.run("docker rmi a:1 nosuch:2 b:1")
    assert (r.code, r.out) == (1, "Untagged: a:1\nUntagged: b:1\n")
    assert errors(r) == ["Error response from daemon: No such image: nosuch:2"]
    r = bb.run("docker rmi -f nosuch:2")
    assert (r.code, r.out, errors(r)) == (0, "", ["Error response from daemon: No such "
                                                  "image: nosuch:2"])


# --- history ---------------------------------------------------------------------------------

def test_history_of_busybox(bb):
    bid = image_id(bb, "busybox")
    rows = columns(bb.ok("docker history busybox"), HISTORY_HEADER)
    assert rows[0][0] == bid[7:19]
    assert all(r[0] == "<missing>" for r in rows[1:]) and len(rows) >= 2
    for r in rows:
        assert re.fullmatch(AGO, r[1]), r
        assert len(r[2]) <= 45
    by = bb.ok("docker history --no-trunc --format '{{.CreatedBy}}' busybox").splitlines()
    for short, full in zip([r[2] for r in rows], by):
        assert short == full if len(full) <= 45 else short == full[:44] + "…"
    ids = bb.ok("docker history --no-trunc --format '{{.ID}}' busybox").split()
    assert ids[0] == bid and all(i == "<missing>" for i in ids[1:])


def test_history_of_a_committed_image(bb):
    img = committed(bb, "c1", "echo hi > /hi.txt", "kid:1", flags="-m 'first commit'")
    bid = image_id(bb, "busybox")
    base = columns(bb.ok("docker history busybox"), HISTORY_HEADER)
    rows = columns(bb.ok("docker history kid:1"), HISTORY_HEADER)
    assert len(rows) == len(base) + 1
    assert rows[0][0] == img[7:19] and rows[1][0] == bid[7:19]
    assert rows[0][1] == "Less than a second ago"
    assert rows[0][2] == "sh -c echo hi > /hi.txt"
    assert rows[0][4] == "first commit"
    size = int(bb.ok("docker history -H=false --format '{{.Size}}' kid:1").split()[0])
    assert size > 0 and rows[0][3] == human_size(size)
    assert [r[2:] for r in rows[1:]] == [r[2:] for r in base]
    assert bb.ok("docker history -q kid:1").split() == [r[0] for r in rows]
    out = bb.ok("docker history -H=false kid:1").splitlines()
    assert re.split(r" {2,}", out[0].rstrip()) == ["IMAGE", "CREATED AT", "CREATED BY", "SIZE",
                                                   "COMMENT"]
    assert re.match(rf"{img[7:19]}   \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)   ",
                    out[1]), out[1]


# --- image inspect ---------------------------------------------------------------------------

IMAGE_KEYS = ["Id", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "DockerVersion",
              "Author", "Config", "Architecture", "Os", "Size", "GraphDriver", "RootFS",
              "Metadata"]
OCI_CONFIG_ORDER = ["User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes",
                    "WorkingDir", "Labels", "StopSignal", "ArgsEscaped", "Healthcheck",
                    "OnBuild", "Shell"]


def test_image_inspect(bb):
    out = bb.ok("docker image inspect busybox")
    doc = json.loads(out, object_pairs_hook=list)[0]
    assert [k for k, _ in doc] == IMAGE_KEYS
    d = json.loads(out)[0]
    assert SHA256.match(d["Id"]) and d["RepoTags"] == ["busybox:latest"]
    assert (d["Parent"], d["Architecture"], d["Os"]) == ("", "amd64", "linux")
    assert RFC3339NANO.match(d["Created"])
    cfg_keys = [k for k, _ in dict(doc)["Config"]]
    assert cfg_keys == sorted(cfg_keys, key=OCI_CONFIG_ORDER.index)
    assert (d["Config"]["Cmd"], d["Config"]["Env"]) == (["sh"], [PATH_ENV])
    assert d["RootFS"]["Type"] == "layers" and all(SHA256.match(l)
                                                   for l in d["RootFS"]["Layers"])
    assert d["Metadata"] == {"LastTagTime": ZERO_TIME}
    assert d["GraphDriver"]["Name"] == "overlay2"
    upper = d["GraphDriver"]["Data"]["UpperDir"]
    assert os.path.isfile(os.path.join(upper, "bin", "busybox"))
    assert bb.ok("docker image inspect -f '{{.Id}} {{.Size}}' busybox") == \
        f"{d['Id']} {d['Size']}\n"
    # the generic inspect finds images too
    assert bb.ok("docker inspect -f '{{.Id}}' busybox") == d["Id"] + "\n"


def test_image_inspect_last_tag_time_is_set_by_docker_tag(bb):
    bb.ok("docker tag busybox mybox:v1")
    t = bb.ok("docker image inspect -f '{{.Metadata.LastTagTime}}' mybox:v1").strip()
    assert t != ZERO_TIME and RFC3339NANO.match(t), t


# --- image prune -----------------------------------------------------------------------------

def test_image_prune_removes_dangling_images(bb):
    img = committed(bb, "c1", "echo loose > /loose")
    layer = top_chain(bb, img)
    size = int(bb.ok(f"docker history -H=false --format '{{{{.Size}}}}' {img}").split()[0])
    bb.ok("docker rm c1")
    r = bb.run("docker image prune -f")
    assert (r.code, r.err) == (0, "")
    assert r.out == (f"Deleted Images:\ndeleted: {img}\ndeleted: {layer}\n\n"
                     f"Total reclaimed space: {human_size(size, 4)}\n")
    assert bb.ok("docker images -a --format '{{.Repository}}'") == "busybox\n"
    assert bb.ok("docker image prune -f") == "Total reclaimed space: 0B\n"


def test_image_prune_all_removes_unused_images(bb):
    bb.ok("docker tag busybox mybox:v1")
    pull(bb, "hello-world")
    bb.ok("docker create --name user hello-world")      # hello-world is in use
    bid = image_id(bb, "busybox")
    diff = image_json(bb, "busybox", ".RootFS.Layers")[0]
    size = int(bb.ok("docker image inspect -f '{{.Size}}' busybox"))
    r = bb.run("docker image prune -a -f")
    assert r.code == 0
    lines = r.out.splitlines()
    assert lines[0] == "Deleted Images:"
    assert sorted(lines[1:3]) == ["untagged: busybox:latest", "untagged: mybox:v1"]
    assert lines[3:] == [f"deleted: {bid}", f"deleted: {diff}", "",
                         f"Total reclaimed space: {human_size(size, 4)}"]
    assert bb.ok("docker images --format '{{.Repository}}'") == "hello-world\n"


def test_image_prune_asks_first(bb):
    committed(bb, "c1", "echo loose > /loose")
    bb.ok("docker rm c1")
    r = bb.run("docker image prune", stdin=b"n\n")
    assert r.code == 0
    assert r.out.startswith("WARNING! This will remove all dangling images.\n"
                            "Are you sure you want to continue? [y/N] ")
    assert len(bb.ok("docker images -q").split()) == 2
    r = bb.run("docker image prune", stdin=b"y\n")
    assert r.code == 0 and "Deleted Images:" in r.out
    assert len(bb.ok("docker images -q").split()) == 1


# --- commit ----------------------------------------------------------------------------------

def test_commit_makes_an_image_with_the_containers_files(bb):
    img = committed(bb, "c1", "echo hi > /hello.txt", "myimg:1",
                    flags="-m 'add hello' -a 'Ann <ann@example.com>' "
                          "-c 'CMD [\"cat\",\"/hello.txt\"]' -c 'ENV A=1'")
    assert image_id(bb, "myimg:1") == img
    assert bb.ok("docker images --format '{{.Repository}}:{{.Tag}}' myimg") == "myimg:1\n"
    d = json.loads(bb.ok("docker image inspect myimg:1"))[0]
    assert (d["Comment"], d["Author"]) == ("add hello", "Ann <ann@example.com>")
    assert d["Parent"] == image_id(bb, "busybox")
    assert (d["Config"]["Cmd"], d["Config"]["Env"]) == (["cat", "/hello.txt"],
                                                        [PATH_ENV, "A=1"])
    assert '"Author": "Ann \\u003cann@example.com\\u003e"' in bb.ok(
        "docker image inspect myimg:1")
    # the image really holds the file, and runs with the new CMD and ENV
    assert tuple(bb.run("docker run --rm myimg:1")) == (0, "hi\n", "")
    assert bb.ok("docker run --rm myimg:1 sh -c 'echo $A'") == "1\n"
    assert bb.run("docker run --rm busybox cat /hello.txt").code == 1


def test_commit_cmd_change(bb):
    committed(bb, "c1", "true", "echoer:1", flags="-c 'CMD [\"echo\",\"x\"]'")
    assert tuple(bb.run("docker run --rm echoer:1")) == (0, "x\n", "")


def test_commit_config_changes(bb):
    committed(bb, "c1", "true", "myimg:2",
              flags="-c 'WORKDIR /tmp' -c 'USER nobody' -c 'EXPOSE 8080' -c 'LABEL a=b' "
                    "-c 'ENTRYPOINT [\"echo\"]'")
    out = bb.ok("docker image inspect -f '{{json .Config}}' myimg:2")
    cfg = json.loads(out)
    assert list(cfg) == sorted(cfg, key=OCI_CONFIG_ORDER.index)
    assert (cfg["User"], cfg["ExposedPorts"], cfg["WorkingDir"], cfg["Entrypoint"]) == \
        ("nobody", {"8080/tcp": {}}, "/tmp", ["echo"])
    assert cfg["Labels"]["a"] == "b"
    assert "Cmd" not in cfg             # a new ENTRYPOINT drops the old default arguments
    assert bb.ok("docker run --rm myimg:2 hello") == "hello\n"
    assert bb.ok("docker run --rm --entrypoint sh myimg:2 -c 'pwd; id -un'") == \
        "/tmp\nnobody\n"


def test_commit_of_a_running_container_pauses_it_only_meanwhile(bb):
    bb.ok("docker run -d --name web busybox sh -c 'echo live > /live; sleep 100'")
    wait_until(lambda: bb.run("docker exec web cat /live").out == "live\n")
    img = bb.ok("docker commit web live:1").strip()
    assert SHA256.match(img)
    assert inspect(bb, "web", "{{.State.Status}}") == "running"
    assert bb.ok("docker run --rm live:1 cat /live") == "live\n"


def test_commit_errors(bb):
    r = bb.run("docker commit nosuch")
    assert (r.code, r.out, errors(r)) == (1, "", ["Error response from daemon: No such "
                                                  "container: nosuch"])
    bb.ok("docker create --name c1 busybox true")
    r = bb.run("docker commit c1 Busybox")
    assert (r.code, r.out, errors(r)) == (1, "", ["invalid reference format: repository name "
                                                  "(library/Busybox) must be lowercase"])


# --- diff and whiteouts ----------------------------------------------------------------------

def test_diff_lists_added_changed_and_deleted_paths(bb):
    bb.ok("docker run --name c1 busybox sh -c 'echo hi > /hello.txt; rm /bin/vi; "
          "echo x >> /etc/passwd; mkdir -p /root/dir; touch /root/dir/f'")
    r = bb.run("docker diff c1")
    assert (r.code, r.err) == (0, "")
    assert r.out == ("C /bin\nD /bin/vi\nC /etc\nC /etc/passwd\nA /hello.txt\nC /root\n"
                     "A /root/dir\nA /root/dir/f\n")


def test_diff_is_empty_for_a_container_that_only_ran_true(bb):
    bb.ok("docker run --name quiet busybox true")
    bb.ok("docker create --name fresh busybox true")
    assert tuple(bb.run("docker diff quiet")) == (0, "", "")
    assert tuple(bb.run("docker diff fresh")) == (0, "", "")
    r = bb.run("docker diff nosuch")
    assert (r.code, errors(r)) == (1, ["Error response from daemon: No such container: "
                                       "nosuch"])


def test_deleted_files_are_really_gone_in_the_committed_image(bb):
    committed(bb, "c1", "rm /bin/vi; rm -rf /home; echo new > /etc/motd", "gone:1")
    r = bb.run("docker run --rm gone:1 sh -c 'ls /bin/vi; ls -d /home; cat /etc/motd'")
    assert r.out == "new\n"
    assert "/bin/vi" in r.err and "/home" in r.err
    # the base image still has them
    assert bb.run("docker run --rm busybox ls -d /bin/vi /home").out == "/bin/vi\n/home\n"


def test_whiteouts_across_layers_and_opaque_directories(bb):
    committed(bb, "c1", "mkdir /data; echo a > /data/a; echo b > /data/b; echo k > /keep",
              "layer:1")
    r = bb.run("docker run --name c2 layer:1 sh -c 'rm /data/a; rm -rf /usr; mkdir /usr; "
               "echo only > /usr/only'")
    assert r.code == 0, r.err
    bb.ok("docker commit c2 layer:2")
    assert bb.ok("docker run --rm layer:2 sh -c 'ls -A /data; ls -A /usr; cat /keep'") == \
        "b\nonly\nk\n"
    assert bb.ok("docker run --rm layer:1 ls -A /data") == "a\nb\n"
    assert bb.ok("docker run --rm layer:1 ls -A /usr") == "sbin\n"
    assert len(image_json(bb, "layer:2", ".RootFS.Layers")) == \
        len(image_json(bb, "busybox", ".RootFS.Layers")) + 2
