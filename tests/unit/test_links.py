"""moby's links.ToEnv and opts.ParseLink, reproduced by engine/containers/links.py."""
import pytest

from engine.containers import links


def test_link_env_orders_tcp_first_and_groups_runs():
    env = links.link_env("/web/my-db", "172.17.0.2", ["PATH=/bin", "HOME=/root", "PW=x=y"],
                         ["6379/udp", "5433/tcp", "5432/tcp"])
    assert env == [
        "MY_DB_PORT=tcp://172.17.0.2:5432",
        "MY_DB_PORT_5432_TCP=tcp://172.17.0.2:5432", "MY_DB_PORT_5432_TCP_ADDR=172.17.0.2",
        "MY_DB_PORT_5432_TCP_PORT=5432", "MY_DB_PORT_5432_TCP_PROTO=tcp",
        "MY_DB_PORT_5433_TCP=tcp://172.17.0.2:5433", "MY_DB_PORT_5433_TCP_ADDR=172.17.0.2",
        "MY_DB_PORT_5433_TCP_PORT=5433", "MY_DB_PORT_5433_TCP_PROTO=tcp",
        # moby closes a run only at the next port that breaks it, after that port's lines
        "MY_DB_PORT_6379_UDP=udp://172.17.0.2:6379", "MY_DB_PORT_6379_UDP_ADDR=172.17.0.2",
        "MY_DB_PORT_6379_UDP_PORT=6379", "MY_DB_PORT_6379_UDP_PROTO=udp",
        "MY_DB_PORT_5432_TCP_START=tcp://172.17.0.2:5432", "MY_DB_PORT_5432_TCP_PORT_START=5432",
        "MY_DB_PORT_5432_TCP_END=tcp://172.17.0.2:5433", "MY_DB_PORT_5432_TCP_PORT_END=5433",
        "MY_DB_NAME=/web/my-db", "MY_DB_ENV_PW=x=y"]


def test_link_env_without_ports():
    assert links.link_env("/a/b", "10.0.0.2", None, ()) == ["B_NAME=/a/b"]


@pytest.mark.parametrize("text, want", [
    ("db", ("db", "db")), ("db:data", ("db", "data")), ("/db:/web/data", ("db", "data"))])
def test_parse(text, want):
    assert links.parse(text) == want


@pytest.mark.parametrize("text", ["", "a:b:c"])
def test_parse_errors(text):
    with pytest.raises(ValueError):
        links.parse(text)
