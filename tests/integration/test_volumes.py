"""Volumes, bind mounts and tmpfs: real mounts with Docker's semantics."""
from __future__ import annotations

import json
import os

import pytest


def _volume_names(sh) -> set[str]:
    return set(sh.ok("docker volume ls -q").split())


def test_bind_mount_both_ways(sh, tmp_path):
    host = tmp_path / "shared"
    host.mkdir()
    (host / "from-host.txt").write_text("written on the host\n")
    out = sh.ok(f"docker run --rm -v {host}:/data busybox sh -c "
                "'cat /data/from-host.txt; echo from the container > /data/back.txt'")
    assert out == "written on the host\n"
    assert (host / "back.txt").read_text() == "from the container\n"


def test_missing_host_path_is_created_as_a_directory(sh, tmp_path):
    target = tmp_path / "not" / "there"
    sh.ok(f"docker run --rm -v {target}:/d busybox true")
    assert target.is_dir()


def test_relative_bind_paths_start_at_the_shell_folder(sh):
    os.makedirs(os.path.join(sh.cwd, "site"), exist_ok=True)
    with open(os.path.join(sh.cwd, "site", "index.html"), "w") as f:
        f.write("hi\n")
    assert sh.ok("docker run --rm -v ./site:/www busybox cat /www/index.html") == "hi\n"


def test_read_only_bind_refuses_writes(sh, tmp_path):
    r = sh.run(f"docker run --rm -v {tmp_path}:/data:ro busybox sh -c 'echo x > /data/f'")
    assert r.code == 1
    assert "Read-only file system" in r.err
    assert not (tmp_path / "f").exists()


def test_named_volume_outlives_its_container(sh):
    sh.ok("docker run --name writer -v keep:/data busybox sh -c 'echo kept > /data/f'")
    sh.ok("docker rm -v writer")                        # -v never takes named volumes
    assert "keep" in _volume_names(sh)
    assert sh.ok("docker run --rm -v keep:/data busybox cat /data/f") == "kept\n"
    doc = json.loads(sh.ok("docker volume inspect keep"))[0]
    assert doc["Name"] == "keep" and doc["Driver"] == "local" and doc["Scope"] == "local"
    assert doc["Labels"] is None and doc["Options"] is None     # made on first use
    assert doc["Mountpoint"].endswith("/volumes/keep/_data")
    assert os.path.isfile(os.path.join(doc["Mountpoint"], "f"))


def test_volumes_from_a_stopped_container_shares_its_anonymous_volume(sh):
    sh.ok("docker run --name data -v /shared busybox sh -c 'echo one > /shared/note'")
    assert sh.ok("docker inspect -f '{{.State.Status}}' data") == "exited\n"
    out = sh.ok("docker run --rm --volumes-from data busybox sh -c "
                "'cat /shared/note; echo two >> /shared/note'")
    assert out == "one\n"
    out = sh.ok("docker run --rm --volumes-from data:ro busybox sh -c "
                "'cat /shared/note; touch /shared/x || echo refused'")
    assert out == "one\ntwo\nrefused\n"


def test_copy_up_fills_a_new_volume_from_the_image(sh):
    sh.ok("docker run --name base busybox sh -c 'mkdir /app && echo from-image > /app/conf && "
          "chown 65534:65534 /app && chmod 750 /app'")
    sh.ok("docker commit base withapp")
    out = sh.ok("docker run --rm -v appdata:/app withapp sh -c 'cat /app/conf; stat -c %u:%a /app'")
    assert out == "from-image\n65534:750\n"
    # the volume is no longer empty: a second container sees the volume, not the image
    sh.ok("docker run --rm -v appdata:/app withapp sh -c 'echo changed > /app/conf'")
    assert sh.ok("docker run --rm -v appdata:/app withapp cat /app/conf") == "changed\n"
    # nocopy: the volume stays empty
    assert sh.ok("docker run --rm -v fresh:/app:nocopy withapp ls -A /app") == ""
    # a bind mount is never filled
    assert sh.ok(f"docker run --rm -v {sh.cwd}/empty:/app withapp ls -A /app") == ""


def test_image_volume_gives_each_container_an_anonymous_volume(sh):
    sh.ok("docker run --name vv busybox true")
    sh.ok("docker commit -c 'VOLUME /cache' vv withvol")
    cid = sh.ok("docker create withvol true").strip()
    mounts = json.loads(sh.ok(f"docker inspect -f '{{{{json .Mounts}}}}' {cid}"))
    assert len(mounts) == 1
    m = mounts[0]
    assert list(m) == ["Type", "Name", "Source", "Destination", "Driver", "Mode", "RW",
                       "Propagation"]
    assert m["Type"] == "volume" and m["Destination"] == "/cache" and len(m["Name"]) == 64
    assert m["Mode"] == "" and m["RW"] is True and m["Propagation"] == ""
    labels = json.loads(sh.ok(f"docker volume inspect {m['Name']}"))[0]["Labels"]
    assert labels == {"com.docker.volume.anonymous": ""}
    sh.ok(f"docker rm -v {cid}")
    assert m["Name"] not in _volume_names(sh)


def test_inspect_mounts_like_docker(sh, tmp_path):
    cid = sh.ok(f"docker create -v {tmp_path}:/b:ro -v named:/n --mount type=tmpfs,dst=/t "
                "--tmpfs /run busybox true").strip()
    doc = json.loads(sh.ok(f"docker inspect {cid}"))[0]
    by_dest = {m["Destination"]: m for m in doc["Mounts"]}
    assert set(by_dest) == {"/b", "/n", "/t"}            # --tmpfs is not a mount point
    assert by_dest["/b"] == {"Type": "bind", "Source": str(tmp_path), "Destination": "/b",
                             "Mode": "ro", "RW": False, "Propagation": "rprivate"}
    assert by_dest["/n"]["Mode"] == "z" and by_dest["/n"]["Name"] == "named"
    assert by_dest["/t"] == {"Type": "tmpfs", "Source": "", "Destination": "/t", "Mode": "",
                             "RW": True, "Propagation": ""}
    assert doc["HostConfig"]["Binds"] == [f"{tmp_path}:/b:ro", "named:/n"]
    assert doc["HostConfig"]["Tmpfs"] == {"/run": ""}
    assert doc["HostConfig"]["Mounts"] == [{"Type": "tmpfs", "Source": "", "Target": "/t"}]


def test_tmpfs_is_a_real_tmpfs(sh):
    out = sh.ok("docker run --rm --tmpfs /scratch:size=2m busybox sh -c "
                "'grep \" /scratch \" /proc/mounts'")
    fields = out.split()
    assert fields[2] == "tmpfs"
    opts = fields[3].split(",")
    assert {"nosuid", "nodev", "noexec", "size=2048k"} <= set(opts)


def test_rm_v_and_rm_keep_named_volumes_and_drop_anonymous_ones(sh):
    before = _volume_names(sh)
    sh.ok("docker run --rm -v /anon -v named:/named busybox true")
    after = _volume_names(sh)
    assert after - before == {"named"}
    sh.ok("docker run --name plain -v /anon2 busybox true")
    anon = (_volume_names(sh) - after).pop()
    sh.ok("docker rm plain")                             # without -v: the volume stays
    assert anon in _volume_names(sh)
    assert anon in sh.ok("docker volume ls -q -f dangling=true").split()


def test_rm_v_keeps_an_anonymous_volume_another_container_uses(sh):
    sh.ok("docker create --name first -v /data busybox true")
    sh.ok("docker create --name second --volumes-from first busybox true")
    name = json.loads(sh.ok("docker inspect -f '{{json .Mounts}}' first"))[0]["Name"]
    sh.ok("docker rm -v first")
    assert name in _volume_names(sh)
    sh.ok("docker rm -v second")
    assert name not in _volume_names(sh)


def test_volume_rm_in_use_is_refused_and_changes_nothing(sh):
    cid = sh.ok("docker create -v busy:/data busybox true").strip()
    r = sh.run("docker volume rm busy")
    assert r.code == 1
    assert r.err == f"Error response from daemon: remove busy: volume is in use - [{cid}]\n"
    r = sh.run("docker volume rm -f busy")              # -f does not override it
    assert r.code == 1
    assert "busy" in _volume_names(sh)
    sh.ok(f"docker rm {cid}")
    assert sh.ok("docker volume rm busy") == "busy\n"
    r = sh.run("docker volume rm busy")
    assert (r.code, r.err) == (1, "Error response from daemon: get busy: no such volume\n")
    assert sh.run("docker volume rm -f busy").code == 0


def test_volume_commands(sh):
    assert sh.ok("docker volume create --label team=a vol2") == "vol2\n"
    assert sh.ok("docker volume create vol10") == "vol10\n"
    anon = sh.ok("docker volume create").strip()
    assert len(anon) == 64
    lines = sh.ok("docker volume ls").splitlines()
    assert lines[0] == "DRIVER    VOLUME NAME"
    assert [l.split()[1] for l in lines[1:]] == [anon, "vol2", "vol10"]   # natural order
    assert sh.ok("docker volume ls -q -f label=team=a") == "vol2\n"
    assert sh.ok("docker volume ls --format '{{.Name}} {{.Labels}}' -f name=vol2") == \
        "vol2 team=a\n"
    doc = json.loads(sh.ok("docker volume inspect vol2"))[0]
    assert list(doc) == ["CreatedAt", "Driver", "Labels", "Mountpoint", "Name", "Options",
                         "Scope"]
    assert doc["Labels"] == {"team": "a"} and doc["Options"] == {}
    # prune takes anonymous volumes only, unless -a
    out = sh.ok("docker volume prune -f")
    assert out == f"Deleted Volumes:\n{anon}\n\nTotal reclaimed space: 0B\n"
    out = sh.ok("docker volume prune -af --filter label=team=a")
    assert out.startswith("Deleted Volumes:\nvol2\n")
    assert _volume_names(sh) == {"vol10"}


@pytest.mark.parametrize("line, message", [
    ("docker run --rm -v a:b:c:d busybox true",
     "docker: Error response from daemon: invalid volume specification: 'a:b:c:d'"),
    ("docker run --rm -v /data:ro busybox true",
     "docker: Error response from daemon: invalid volume specification: '/data:ro'"),
    ("docker run --rm -v /h:/c:bogus busybox true",
     "docker: Error response from daemon: invalid mode: bogus"),
    ("docker run --rm -v /h:rel busybox true",
     "docker: Error response from daemon: invalid volume specification: '/h:rel': invalid "
     "mount config for type \"bind\": invalid mount path: 'rel' mount path must be absolute"),
    ("docker run --rm -v /h:/ busybox true",
     "docker: Error response from daemon: invalid volume specification: '/h:/': invalid "
     "mount config for type \"bind\": invalid specification: destination can't be '/'"),
    ("docker run --rm -v x/y:/d busybox true",
     'docker: Error response from daemon: create x/y: "x/y" includes invalid characters for '
     'a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to '
     "pass a host directory, use absolute path"),
    ("docker run --rm --mount src=a,dst=/d busybox true",
     "docker: Error response from daemon: create a: volume name is too short, names should "
     "be at least two alphanumeric characters"),
    ("docker run --rm -v rel busybox true",
     "docker: Error response from daemon: invalid volume specification: 'rel': invalid mount "
     "config for type \"volume\": invalid mount path: 'rel' mount path must be absolute"),
    ("docker run --rm -v /h:/d -v other:/d busybox true",
     "docker: Error response from daemon: Duplicate mount point: /d"),
    ("docker run --rm --mount type=bind,src=/does/not/exist,dst=/d busybox true",
     'docker: Error response from daemon: invalid mount config for type "bind": bind source '
     "path does not exist: /does/not/exist"),
    ("docker run --rm --mount type=tmpfs,src=x,dst=/d busybox true",
     'docker: Error response from daemon: invalid mount config for type "tmpfs": field '
     "Source must not be specified"),
    ("docker run --rm --volumes-from nosuch busybox true",
     "docker: Error response from daemon: No such container: nosuch"),
    ("docker run --rm -v '' busybox true", "docker: invalid empty volume spec"),
    ("docker run --rm -v /x: busybox true",
     "docker: invalid spec: /x:: empty section between colons"),
])
def test_bad_mounts_get_dockers_error_and_change_nothing(sh, line, message):
    containers = sh.ok("docker ps -aq")
    r = sh.run(line)
    assert r.code == 125
    assert r.err.splitlines()[0] == message
    assert sh.ok("docker ps -aq") == containers
    assert _volume_names(sh) == set()
    assert not os.path.exists("/does/not/exist")


@pytest.mark.parametrize("value, message", [
    ("bad", "invalid field 'bad' must be a key=value pair"),
    ("type=bind,foo=bar", "unexpected key 'foo' in 'foo=bar'"),
    ("type=bind", "target is required"),
    ("type=bind,dst=/x,volume-nocopy", "cannot mix 'volume-*' options with mount type 'bind'"),
    ("type=tmpfs,dst=/x,tmpfs-size=lots", "invalid value for tmpfs-size: lots"),
])
def test_mount_flag_errors_are_flag_errors(sh, value, message):
    r = sh.run(f"docker run --rm --mount {value} busybox true")
    assert r.code == 125
    assert r.err.startswith(f'invalid argument "{value}" for "--mount" flag: {message}\n')
    assert "Usage:  docker run" in r.err


def test_commit_never_takes_volume_content(sh, tmp_path):
    sh.ok(f"docker run --name src -v data:/data -v {tmp_path}:/bind busybox sh -c "
          "'echo secret > /data/in-volume; echo host > /bind/in-bind; echo mine > /own'")
    sh.ok("docker commit src snapshot")
    out = sh.ok("docker run --rm snapshot sh -c 'cat /own; ls -A /data /bind'")
    assert out == "mine\n/bind:\n\n/data:\n"
    assert "in-volume" not in sh.ok("docker diff src")


def test_mounts_stay_private_to_the_container(sh, tmp_path):
    """Nothing a container mounts shows up on the host, even under a bind mount."""
    def host_mounts():
        # other engines (parallel test runs) may mount and unmount meanwhile: look at
        # what this test's container could have made on the host
        with open("/proc/self/mountinfo") as f:
            return [l for l in f if str(tmp_path) in l or str(sh.engine.paths.root) in
                    l.split()[4] and "/netns" not in l]
    assert host_mounts() == []
    sh.ok(f"docker run --rm --privileged -v {tmp_path}:/h busybox sh -c "
          "'mkdir -p /h/inner && mount -t tmpfs none /h/inner && touch /h/inner/x'")
    assert host_mounts() == []
    assert not os.path.exists(tmp_path / "inner" / "x")


def test_ps_mounts_column_and_volume_filter(sh, tmp_path):
    sh.ok(f"docker create --name mm -v named:/n -v {tmp_path}:/b busybox true")
    out = sh.ok("docker ps -a --format '{{.Names}} {{.Mounts}} {{.LocalVolumes}}'")
    names, mounts, local = out.split()
    assert len(str(tmp_path)) > 15                     # so the column cuts it, as Docker
    assert set(mounts.split(",")) == {"named", str(tmp_path)[:14] + "…"}
    assert local == "1"
    assert sh.ok("docker ps -aq -f volume=named") != ""
    assert sh.ok("docker ps -aq -f volume=other") == ""
