"""Legacy links (--link NAME[:ALIAS]) on the default bridge and on user networks, as
Docker 28 makes them: /etc/hosts lines and ALIAS_* variables in the linking container
only, Docker's errors for a missing or stopped target."""
from __future__ import annotations

from tests.integration.cli_helpers import errors, inspect, pull


def test_link_gives_hosts_entry_and_variables_one_way(sh):
    sh.ok("docker run -d --name db -e POSTGRES_DB=shop --expose 5432 busybox sleep 60")
    db_ip = inspect(sh, "db", "{{.NetworkSettings.IPAddress}}")
    db_host = inspect(sh, "db", "{{.Config.Hostname}}")
    out = sh.ok("docker run --name web --link db:database busybox sh -c "
                "'cat /etc/hosts; env | sort; ping -c1 -W2 database >/dev/null && echo reached'")
    assert f"{db_ip}\tdatabase {db_host} db" in out.splitlines()
    for line in (f"DATABASE_PORT=tcp://{db_ip}:5432",
                 f"DATABASE_PORT_5432_TCP=tcp://{db_ip}:5432",
                 f"DATABASE_PORT_5432_TCP_ADDR={db_ip}", "DATABASE_PORT_5432_TCP_PORT=5432",
                 "DATABASE_PORT_5432_TCP_PROTO=tcp", "DATABASE_NAME=/web/database",
                 "DATABASE_ENV_POSTGRES_DB=shop"):
        assert line in out.splitlines(), line
    assert "DATABASE_ENV_PATH" not in out
    assert out.rstrip().endswith("reached")
    assert inspect(sh, "web", "{{json .HostConfig.Links}}") == '["/db:/web/database"]'
    # one direction only: db knows nothing of web
    hosts = sh.ok("docker exec db cat /etc/hosts")
    assert "web" not in hosts and "database" not in hosts
    assert "DATABASE" not in sh.ok("docker exec db env")


def test_link_without_alias_names_the_container_once(sh):
    sh.ok("docker run -d --name cache busybox sleep 60")
    ip = inspect(sh, "cache", "{{.NetworkSettings.IPAddress}}")
    host = inspect(sh, "cache", "{{.Config.Hostname}}")
    out = sh.ok("docker run --rm --link cache busybox sh -c 'tail -1 /etc/hosts; echo $CACHE_NAME'")
    first, name = out.splitlines()
    assert first == f"{ip}\tcache {host}"
    assert name.startswith("/") and name.endswith("/cache")


def test_consecutive_ports_get_start_and_end(sh):
    sh.ok("docker run -d --name svc --expose 8000-8001 --expose 53/udp busybox sleep 60")
    ip = inspect(sh, "svc", "{{.NetworkSettings.IPAddress}}")
    env = sh.ok("docker run --rm --link svc:s busybox env").splitlines()
    assert f"S_PORT=tcp://{ip}:8000" in env
    assert f"S_PORT_8000_TCP_START=tcp://{ip}:8000" in env
    assert f"S_PORT_8000_TCP_END=tcp://{ip}:8001" in env
    assert "S_PORT_8000_TCP_PORT_END=8001" in env
    assert "S_PORT_53_UDP_PROTO=udp" in env


def test_missing_and_stopped_targets_fail_as_docker(sh):
    pull(sh)
    r = sh.run("docker run --rm --link nosuch busybox true")
    assert r.code == 125
    assert errors(r)[0] == ("docker: Error response from daemon: could not get container "
                            "for nosuch: No such container: nosuch")
    assert sh.ok("docker ps -aq") == ""           # nothing made
    sh.ok("docker create --name stopped busybox true")
    r = sh.run("docker run --name web2 --link stopped:st busybox true")
    assert r.code == 125
    assert ("Cannot link to a non running container: /stopped AS /web2/st"
            in r.err), r.err
    r = sh.run("docker run --rm --network host --link stopped busybox true")
    assert r.code == 125
    assert "conflicting options: host type networking can't be used with links" in r.err


def test_link_on_a_user_network_is_an_alias_for_the_linker_only(sh):
    sh.ok("docker network create appnet")
    sh.ok("docker run -d --name api --network appnet busybox sleep 60")
    ip = inspect(sh, "api", "{{.NetworkSettings.Networks.appnet.IPAddress}}")
    sh.ok("docker run -d --name client --network appnet --link api:backend busybox sleep 60")
    out = sh.ok("docker exec client nslookup backend 127.0.0.11")
    assert ip in out
    assert inspect(sh, "client", "{{json .NetworkSettings.Networks.appnet.Links}}") == \
        '["api:backend"]'
    assert inspect(sh, "client", "{{json .HostConfig.Links}}") == "null"
    # the alias is client's alone
    assert sh.run("docker exec api nslookup backend 127.0.0.11").code != 0


def test_parent_hosts_follow_the_child_to_its_new_address(sh):
    sh.ok("docker run -d --name db busybox sleep 60")
    sh.ok("docker run -d --name web --link db busybox sleep 60")
    old = inspect(sh, "db", "{{.NetworkSettings.IPAddress}}")
    sh.ok("docker stop -t 0 db")
    sh.ok("docker run -d --name filler busybox sleep 60")      # takes db's old address
    assert inspect(sh, "filler", "{{.NetworkSettings.IPAddress}}") == old
    sh.ok("docker start db")
    new = inspect(sh, "db", "{{.NetworkSettings.IPAddress}}")
    assert new != old
    line = sh.ok("docker exec web tail -1 /etc/hosts").rstrip("\n")
    assert line.startswith(f"{new}\tdb ")
