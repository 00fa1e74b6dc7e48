"""A published port below net.ipv4.ip_unprivileged_port_start, refused to an ordinary
user's engine: rootless Docker's words (RootlessKit's port driver, as Podman shows
them), with the limit read from the sysctl, never written. The kernel's refusal itself
is proven in tests/integration (as root without CAP_NET_BIND_SERVICE, and as the test
user)."""
from __future__ import annotations

import errno

from engine.network import endpoints


def test_the_words_name_the_port_the_limit_and_both_ways_out():
    assert endpoints.privileged_port(80, "tcp", "0.0.0.0", start=1024) == (
        "cannot expose privileged port 80, you can add "
        "'net.ipv4.ip_unprivileged_port_start=80' to /etc/sysctl.conf (currently 1024), "
        "or choose a larger port number (>= 1024): listen tcp4 0.0.0.0:80: bind: "
        "permission denied")


def test_the_limit_is_the_one_read_raised_or_lowered():
    low = endpoints.privileged_port(80, "udp", "127.0.0.1", start=443)
    assert "(currently 443)" in low and "(>= 443)" in low
    assert low.endswith("listen udp4 127.0.0.1:80: bind: permission denied")
    six = endpoints.privileged_port(22, "tcp", "::1", start=1024)
    assert six.endswith("listen tcp6 [::1]:22: bind: permission denied")


def test_a_refusal_above_the_limit_is_not_blamed_on_it():
    """(As RootlessKit: a port at or above the limit was refused for another reason.)"""
    assert endpoints.privileged_port(1024, "tcp", "0.0.0.0", start=1024) is None
    assert endpoints.privileged_port(80, "tcp", "0.0.0.0", start=80) is None
    assert endpoints.privileged_port(80, "tcp", "0.0.0.0", start=None) is None
    assert endpoints.privileged_port(0, "tcp", "0.0.0.0", start=1024) is None


def test_the_limit_is_read_from_the_hosts_sysctl():
    with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
        assert endpoints.unprivileged_port_start() == int(f.read())


def test_any_refused_bind_becomes_a_port_error_never_a_traceback(monkeypatch):
    monkeypatch.setattr(endpoints, "unprivileged_port_start", lambda: 1024)

    def refuse(self, address):
        raise PermissionError(errno.EACCES, "Permission denied")
    monkeypatch.setattr(endpoints.socket.socket, "bind", refuse)
    for port, words in (("80", "cannot expose privileged port 80"),
                        ("8080", "listen tcp4 0.0.0.0:8080: bind: permission denied")):
        try:
            endpoints._listen("0.0.0.0", port, "tcp")
        except endpoints.PortError as e:
            assert words in str(e)
        else:
            raise AssertionError("bind was refused, yet no PortError")
