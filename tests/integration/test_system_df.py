"""docker system df: the store's sizes, measured, in the docker CLI's table."""
from __future__ import annotations

import json
import subprocess

from engine.system.diskusage import usage


def _du(path) -> int:
    """Apparent bytes as du counts them (directories included)."""
    return int(subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True,
                              check=True).stdout.split()[0])


def _files(path) -> int:
    """Bytes of everything but directories, by find (hard links once, as -links says)."""
    out = subprocess.run(["find", str(path), "!", "-type", "d", "-printf", "%i %s\n"],
                         capture_output=True, text=True, check=True).stdout
    return sum(int(size) for size in dict(l.split() for l in out.splitlines()).values())


def test_df_matches_the_store(sh, engine):
    sh.ok("docker volume create data")
    sh.ok("docker volume create spare")
    sh.ok("docker run -v data:/d --name writer busybox sh -c "
          "'head -c 300000 /dev/urandom > /d/x; head -c 50000 /dev/urandom > /y'")
    sh.ok("docker run -d --name up busybox sleep 60")
    du = usage(engine)
    writer = next(c for c in du.containers if c.container.name == "writer")
    assert 50000 <= writer.size_rw <= 50000 + 4096
    assert abs(_du(engine.paths.container(writer.container.id) / "upper") - writer.size_rw) \
        <= 4096 * 4           # du also counts the directories the write made
    data = next(v for v in du.volumes if v.volume["Name"] == "data")
    assert data.size == 300000 and data.refs == 1
    assert abs(_du(data.volume["Mountpoint"]) - data.size) <= 4096
    (img,) = du.images
    layer_dirs = [engine.layers.diff_dir(l) for l in img.image.layers]
    assert sum(_files(d) for d in layer_dirs) == du.layers_size
    assert img.containers == 2

    rows = {r["Type"]: r for r in map(json.loads, sh.ok("docker system df --format json")
                                      .splitlines())}
    assert rows["Containers"]["TotalCount"] == "2" and rows["Containers"]["Active"] == "1"
    assert rows["Containers"]["Reclaimable"].endswith("(100%)")     # only writer's layer
    assert rows["Local Volumes"] == {"Active": "1", "Reclaimable": "0B (0%)", "Size": "300kB",
                                     "TotalCount": "2", "Type": "Local Volumes"}
    assert rows["Images"]["Active"] == "1" and rows["Build Cache"]["Reclaimable"] == "0B"
    table = sh.ok("docker system df").splitlines()
    assert table[0].split() == ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"]
    assert [l.split("  ")[0] for l in table[1:]] == ["Images", "Containers", "Local Volumes",
                                                     "Build Cache"]


def test_df_verbose_sections(sh):
    sh.ok("docker volume create vol1")
    sh.ok("docker create --name box -v vol1:/v busybox true")
    out = sh.ok("docker system df -v")
    for title in ("Images space usage:", "Containers space usage:",
                  "Local Volumes space usage:", "Build cache usage: 0B"):
        assert title in out
    lines = out.splitlines()
    images_header = lines[lines.index("Images space usage:") + 2]
    assert images_header.split() == ["REPOSITORY", "TAG", "IMAGE", "ID", "CREATED", "SIZE",
                                     "SHARED", "SIZE", "UNIQUE", "SIZE", "CONTAINERS"]
    assert lines[lines.index("Images space usage:") + 3].split()[:2] == ["busybox", "latest"]
    vols = lines[lines.index("Local Volumes space usage:") + 2:]
    assert vols[0].split() == ["VOLUME", "NAME", "LINKS", "SIZE"]
    assert vols[1].split() == ["vol1", "1", "0B"]


def test_df_verbose_templates(sh):
    sh.ok("docker create --name box busybox true")
    out = sh.ok("docker system df -v --format "
                "'{{range .Images}}{{.Repository}} {{.Containers}}{{end}}'")
    assert out == "busybox 1\n"
    doc = json.loads(sh.ok("docker system df -v --format json"))
    assert sorted(doc) == ["BuildCache", "Containers", "Images", "Volumes"]
    assert doc["Containers"][0]["Names"] == "box" and len(doc["Containers"][0]["ID"]) == 64
    r = sh.run("docker system df -v --format '{{.Nope}}'")
    assert r.code == 1 and "can't evaluate field Nope in type *formatter.diskUsageContext" \
        in r.err
