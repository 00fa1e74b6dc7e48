"""The `dockerlings` program itself: -c, lines on standard input, engine info/fsck/reset."""
from __future__ import annotations

from tests.conftest import dockerlings


def test_dash_c_exits_with_the_lines_status(engine_root, engine):
    p = dockerlings("-c", "docker run --rm busybox sh -c 'echo hi; exit 4'", root=engine_root)
    assert (p.returncode, p.stdout) == (4, b"hi\n")


def test_lines_from_standard_input_run_one_by_one(engine_root, engine):
    script = (b"docker run --name one busybox echo first\n"
              b"docker ps -a --format '{{.Names}}'\n"
              b"docker \\\n  rm one\n"
              b"echo from the host\n")
    p = dockerlings(root=engine_root, stdin=script)
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode().splitlines()[-4:] == ["first", "one", "one", "from the host"]


def test_host_pipelines_can_call_docker(engine_root, engine):
    dockerlings("-c", "docker create --name box busybox true", root=engine_root)
    p = dockerlings("-c", "docker ps -aq | wc -l", root=engine_root)
    assert p.stdout.strip() == b"1"


def test_engine_info_names_the_features(engine_root, engine):
    p = dockerlings("engine", "info", root=engine_root)
    text = p.stdout.decode()
    assert f"Engine root:   {engine_root}" in text
    for feature in ("overlayfs", "busybox image", "cgroups", "pid namespace"):
        assert feature in text
    assert p.returncode == 0, text


def test_engine_info_names_what_is_missing_and_the_command_that_installs_it(
        sh, monkeypatch):
    """Without a static busybox: the feature line says no, and the report under it names
    Debian's package and the apt-get line (shell/needs.py; no sudo for root)."""
    from engine.errors import Unavailable
    from engine.images import offline
    from shell import needs

    def absent():
        raise Unavailable("cannot make the busybox image offline: no busybox binary")
    monkeypatch.setattr(offline, "find_busybox", absent)
    r = sh.run("dockerlings engine info")
    lines = r.out.splitlines()
    assert r.code == 1 and any(l.startswith("  NO  busybox image (offline)") for l in lines)
    at = lines.index("Missing on this machine:")
    assert lines[at + 1].startswith("  busybox-static  ")
    if needs.debian_like():
        assert lines[-1].startswith("Install with:  apt-get install busybox-static")


def test_engine_fsck_and_reset(engine_root, engine):
    dockerlings("-c", "docker run -d --name web busybox sleep 30", root=engine_root)
    p = dockerlings("engine", "fsck", root=engine_root)
    assert p.returncode == 0 and b"The store is consistent." in p.stdout
    p = dockerlings("engine", "reset", root=engine_root)
    assert p.returncode == 0 and b"removed container web" in p.stdout
    p = dockerlings("-c", "docker ps -aq", root=engine_root)
    assert p.stdout == b""


def test_fsck_reports_a_damaged_store(engine_root, engine, sh):
    sh.ok("docker create --name victim busybox true")
    c = engine.container("victim")
    (engine.paths.container(c.id) / "config.v2.json").write_text("{not json")
    p = dockerlings("engine", "fsck", root=engine_root)
    assert p.returncode == 1 and b"unreadable record" in p.stdout


def test_no_traceback_ever_reaches_the_user(engine_root, engine):
    p = dockerlings("-c", "docker inspect --format '{{.Nope' x", root=engine_root)
    assert b"Traceback" not in p.stderr and p.returncode != 0
