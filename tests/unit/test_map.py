"""The map (`map`, `dockerlings map`) drawn from container records shaped as the engine
writes them, networks, ports and volumes included; and the welcome screen."""
from __future__ import annotations

from types import SimpleNamespace

from engine.config import ContainerConfig, HostConfig, Mount, PortBinding
from engine.store.containers import Container, State
from shell import map as state_map
from shell import welcome
from shell.env import Env

BUSYBOX = "sha256:" + "11" * 32
GONE = "sha256:" + "99" * 32


def container(name, status, image=BUSYBOX, networks=None, mounts=None, **host):
    return Container(id=name.ljust(64, "0"), name=name, created="", path="sh", args=[],
                     config=ContainerConfig(image="busybox"), host=HostConfig(**host),
                     image_id=image, layers=[], state=State(status=status),
                     networks=networks, mounts=mounts)


def image(image_id, tags):
    return SimpleNamespace(id=image_id, repo_tags=tags)


def picture():
    web = container("web", "running",
                    networks={"appnet": {"IPAddress": "172.18.0.2", "Aliases": ["web", "www"]}},
                    mounts=[{"Type": "volume", "Name": "data", "Source": "/x",
                             "Destination": "/data", "RW": True}],
                    port_bindings=(("80/tcp", (PortBinding("0.0.0.0", "8080"),)),))
    db = container("db", "exited", networks={"appnet": {"IPAddress": ""}},
                   mounts=[{"Type": "volume", "Name": "data", "Destination": "/var/db",
                            "RW": False}])
    lone = container("lone", "created", image=GONE, binds=["/srv/site:/site:ro"],
                     mounts=(Mount("tmpfs", "", "/tmp"),))
    return state_map.Picture(
        images=[image(BUSYBOX, ["busybox:latest", "mine:v1"]), image("sha256:" + "22" * 32, [])],
        containers=[web, db, lone],
        networks=[{"Name": "bridge"}, {"Name": "host"}, {"Name": "none"}, {"Name": "appnet"},
                  {"Name": "empty"}],
        volumes=[{"Name": "data"}, {"Name": "spare"}])


def test_images_and_their_containers():
    rows = state_map.containers_by_image(picture())
    labels = [(label, [c.name for c in boxes]) for label, boxes in rows]
    assert labels == [("busybox:latest, mine:v1  111111111111", ["web", "db"]),
                      ("<none>  222222222222", []),
                      ("(image removed) 999999999999", ["lone"])]


def test_containers_by_network_with_addresses():
    groups = state_map.containers_by_network(picture())
    assert [(c.name, ip, aliases) for c, ip, aliases in groups["appnet"]] == [
        ("web", "172.18.0.2", ["www"]), ("db", "", [])]
    assert [c.name for c, _, _ in groups["bridge"]] == ["lone"]
    assert groups["empty"] == []


def test_ports_and_mounts():
    [(host, port, c)] = state_map.published_ports(picture())
    assert (host, port, c.name) == ("0.0.0.0:8080", "80/tcp", "web")
    mounts = state_map.mounts_by_source(picture())
    assert [(c.name, t, ro) for c, t, ro in mounts[("volume", "data")]] == [
        ("web", "/data", False), ("db", "/var/db", True)]
    assert [(c.name, t, ro) for c, t, ro in mounts[("bind", "/srv/site")]] == [
        ("lone", "/site", True)]
    assert mounts[("volume", "spare")] == []
    assert not any(kind == "tmpfs" for kind, _ in mounts)


def test_a_running_container_shows_the_address_and_ports_of_its_start():
    live = {"Networks": {"appnet": {"IPAddress": "172.18.0.7"}},
            "Ports": {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "32768"}]}}
    c = container("web", "running", networks={"appnet": {"NetworkID": "n1"}},
                  port_bindings=(("80/tcp", (PortBinding("", ""),)),))
    c.state = State(status="running", network=live)
    pic = state_map.Picture([], [c], [], [])
    assert [ip for _, ip, _ in state_map.containers_by_network(pic)["appnet"]] == ["172.18.0.7"]
    assert [h for h, _, _ in state_map.published_ports(pic)] == ["0.0.0.0:32768"]


def test_render_draws_every_view_as_plain_text():
    text = state_map.render(picture(), width=100)
    assert "\x1b[" not in text
    for piece in ("dockerlings map", "busybox:latest, mine:v1", "● web  running",
                  "○ db  exited", "appnet", "172.18.0.2  aka www",
                  "0.0.0.0:8080 -> web:80/tcp", "volume data", "at /var/db (read-only)",
                  "bind /srv/site", "not mounted by any container", "empty"):
        assert piece in text, piece
    assert "── host" not in text and "── none" not in text    # nobody there: left out


def test_render_of_an_empty_engine_says_how_to_begin():
    text = state_map.render(state_map.Picture([], [], [], []), width=100)
    assert "docker pull busybox" in text and "docker run -p" in text


def test_engine_without_networks_or_volumes_methods():
    eng = SimpleNamespace(list_images=lambda: [], containers=lambda: [])
    assert state_map.gather(eng) == state_map.Picture([], [], [], [])


# --- welcome -------------------------------------------------------------------------------

def home_env(tmp_path):
    return Env.buffered(cwd=str(tmp_path), environ={"DOCKERLINGS_HOME": str(tmp_path / "h")})


def test_first_start_then_a_short_greeting(tmp_path, monkeypatch):
    env = home_env(tmp_path)
    monkeypatch.setattr(welcome, "full_problems", lambda env: ([], []))
    monkeypatch.setattr(welcome, "quick_problems", lambda: [])
    welcome.show(env)
    first = env.output_text()
    assert "Welcome to dockerlings" in first and "docker run hello-world" in first
    assert "this machine can run containers" in first
    welcome.show(env)
    assert env.output_text()[len(first):] == welcome.SHORT + "\n"


def test_what_is_missing_in_plain_words(tmp_path, monkeypatch):
    env = home_env(tmp_path)
    monkeypatch.setattr(welcome, "full_problems",
                        lambda env: ([welcome.PLAIN["overlayfs"]], ["cgroups: no pids"]))
    welcome.show(env)
    text = " ".join(env.output_text().split())
    assert "cannot run containers yet" in text and "modprobe overlay" in text
    assert "note: cgroups: no pids" in text
    monkeypatch.setattr(welcome, "quick_problems", lambda: [welcome.PLAIN["mode"]])
    welcome.show(env)
    assert "could not make its user namespace" in env.output_text().splitlines()[-2]


def test_anonymous_volumes_are_drawn_with_a_short_id():
    anon = "ab" * 32
    c = container("once", "exited", mounts=[{"Type": "volume", "Name": anon,
                                             "Destination": "/scratch", "RW": True}])
    text = state_map.render(state_map.Picture([], [c], [], [{"Name": anon}]), width=100)
    assert f"volume {anon[:12]} (anonymous)" in text and anon not in text
    assert "○ once  exited  at /scratch" in text


def test_the_map_points_to_xray():
    text = state_map.render(picture(), width=100)
    assert "xray CONTAINER" in " ".join(text.split())
