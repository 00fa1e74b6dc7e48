"""The uplink's pure parts: settings, the choice of tool, slirp4netns's arguments, the
nftables table, and the embedded DNS server's forwarding (against a fake upstream on
loopback)."""
from __future__ import annotations

import selectors
import socket
import struct
import threading

import pytest

from engine.network import dns, uplink
from engine.network.uplink import Settings, UplinkError


def test_off_by_default():
    s = Settings.from_env({})
    assert s == Settings("off", False, "") and not s.on
    assert uplink.requested({}) is None
    assert Settings.from_env({"DOCKERLINGS_UPLINK": "no"}).mode == "off"


def test_settings_are_parsed():
    s = Settings.from_env({"DOCKERLINGS_UPLINK": " Slirp4netns ",
                           "DOCKERLINGS_UPLINK_HOST_LOOPBACK": "yes",
                           "DOCKERLINGS_UPLINK_OUTBOUND": "127.0.0.1"})
    assert s == Settings("slirp4netns", True, "127.0.0.1") and s.on
    assert uplink.requested({"DOCKERLINGS_UPLINK": "auto"}) == {
        "mode": "auto", "host_loopback": False, "outbound": ""}


@pytest.mark.parametrize("env, word", [
    ({"DOCKERLINGS_UPLINK": "sometimes"}, "DOCKERLINGS_UPLINK=sometimes"),
    ({"DOCKERLINGS_UPLINK_HOST_LOOPBACK": "maybe"}, "HOST_LOOPBACK=maybe"),
    ({"DOCKERLINGS_UPLINK_OUTBOUND": "eth0"}, "OUTBOUND=eth0"),
])
def test_bad_settings_are_refused_by_name(env, word):
    with pytest.raises(UplinkError, match=word):
        Settings.from_env(env)


def _which(*installed):
    return lambda name: f"/usr/bin/{name}" if name in installed else None


@pytest.fixture(autouse=True)
def tun_opens(monkeypatch):
    """The tool's choice without this machine's /dev/net/tun (tested on its own)."""
    monkeypatch.setattr(uplink, "tun_problem", lambda: None)


def test_without_a_tun_device_to_open_auto_takes_none_and_an_explicit_mode_fails(
        monkeypatch, tmp_path):
    node = tmp_path / "tun"
    node.write_text("")
    node.chmod(0o600)
    monkeypatch.undo()
    monkeypatch.setattr(uplink, "TUN", str(tmp_path / "absent"))
    path, why = uplink.choose_tool("auto", _which("slirp4netns"))
    assert path is None and why.startswith(f"slirp4netns cannot open {tmp_path}/absent: "
                                           "No such file or directory")
    with pytest.raises(UplinkError, match="DOCKERLINGS_UPLINK=slirp4netns: slirp4netns "
                                          "cannot open"):
        uplink.choose_tool("slirp4netns", _which("slirp4netns"))
    monkeypatch.setattr(uplink, "TUN", str(node))
    assert uplink.tun_problem() is None          # a file its user may open: no problem


def test_choose_tool():
    assert uplink.choose_tool("off", _which("slirp4netns")) == (None, "off")
    assert uplink.choose_tool("auto", _which("slirp4netns", "pasta"))[0] == \
        "/usr/bin/slirp4netns"
    assert uplink.choose_tool("slirp4netns", _which("slirp4netns"))[0] == \
        "/usr/bin/slirp4netns"
    path, why = uplink.choose_tool("auto", _which())
    assert path is None and "neither" in why
    path, why = uplink.choose_tool("auto", _which("pasta"))
    assert path is None and "only slirp4netns" in why


@pytest.mark.parametrize("mode, installed, word", [
    ("slirp4netns", (), "slirp4netns is not installed"),
    ("pasta", (), "pasta is not installed"),
    ("pasta", ("pasta", "slirp4netns"), "drives only slirp4netns"),
])
def test_an_explicit_mode_that_cannot_be_had_is_an_error(mode, installed, word):
    with pytest.raises(UplinkError, match=word):
        uplink.choose_tool(mode, _which(*installed))


def test_slirp_arguments():
    args = uplink.slirp_args("/usr/bin/slirp4netns", "/run/x/netns",
                             Settings("auto", False, ""), 5, 6)
    assert args[0] == "/usr/bin/slirp4netns" and args[-2:] == ["/run/x/netns", "tap0"]
    for a in ("--configure", "--mtu=65520", "--netns-type=path", "--ready-fd=5",
              "--exit-fd=6", "--disable-host-loopback"):
        assert a in args
    assert not any(a.startswith("--outbound-addr") or a == "--enable-ipv6" for a in args)
    args = uplink.slirp_args("s", "p", Settings("auto", True, "127.0.0.1"), 5, 6)
    assert "--disable-host-loopback" not in args and "--outbound-addr=127.0.0.1" in args


def test_nft_table_lets_out_only_marked_bridges_and_lets_in_only_replies():
    """... and routes nothing else: not from one network to another (policy drop)."""
    text = uplink.nft_ruleset()
    assert text.startswith("add table ip dockerlings\ndelete table ip dockerlings\n")
    lines = [line.strip() for line in text.splitlines()]
    forward = lines[lines.index("chain forward {") + 1:]
    assert forward[:5] == [
        "type filter hook forward priority filter; policy drop;",
        'iifname "tap0" ct state established,related accept',
        'iifname "tap0" drop',
        f'oifname "tap0" iifgroup {uplink.UPLINK_GROUP:#x} accept',
        'oifname "tap0" drop']
    assert 'oifname "tap0" counter masquerade' in lines


def test_describe_when_off(tmp_path):
    assert uplink.describe(str(tmp_path), {}).startswith("off")
    assert "invalid setting" in uplink.describe(str(tmp_path), {"DOCKERLINGS_UPLINK": "x"})


# --- the embedded DNS server's forwarding ----------------------------------------------

def _query(name: str, qid: int = 0x1234) -> bytes:
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack(">HH", 1, 1)


class FakeUpstream:
    """A resolver on loopback that answers every query with one A record."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(5)
        self.address = self.sock.getsockname()
        self.asked: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            packet, addr = self.sock.recvfrom(4096)
        except OSError:
            return
        if len(packet) < 12:            # close() waking it up
            return
        self.asked.append(dns._question(packet)[0])
        self.sock.sendto(dns.answer(packet, lambda name: ["192.0.2.7"]), addr)

    def close(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as poke:
            poke.sendto(b"", self.address)
        self.thread.join()
        self.sock.close()


def _serve_one(server: dns.Server, sel, packet: bytes) -> bytes:
    """Send `packet` as a container would, run the server until it has answered."""
    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind(("127.0.0.1", 0))
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.settimeout(5)
    try:
        client.sendto(packet, front.getsockname())
        data, addr = front.recvfrom(4096)
        server.handle(front, data, addr)
        for _ in range(50):
            for key, mask in sel.select(0.1):
                key.data(key.fileobj, mask)
            client.setblocking(False)
            try:
                return client.recv(4096)
            except BlockingIOError:
                client.setblocking(True)
        raise AssertionError("no answer")
    finally:
        front.close()
        client.close()


def _server(sel, upstreams, known=None):
    def lookup(name):
        return (known or {}).get(name)
    return dns.Server(sel, lookup, lambda: upstreams,
                      lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))


def test_unknown_dotted_names_go_upstream_while_there_is_an_uplink():
    sel = selectors.DefaultSelector()
    up = FakeUpstream()
    try:
        reply = _serve_one(_server(sel, [up.address]), sel, _query("example.org", 0x4242))
    finally:
        up.close()
    assert up.asked == ["example.org"]
    assert reply[:2] == b"\x42\x42" and dns.rcode(reply) == dns.NOERROR
    assert reply.endswith(bytes([192, 0, 2, 7]))


def test_known_names_and_single_labels_never_leave():
    sel = selectors.DefaultSelector()
    up = FakeUpstream()
    try:
        server = _server(sel, [up.address], known={"web": ["172.18.0.2"]})
        assert _serve_one(server, sel, _query("web")).endswith(bytes([172, 18, 0, 2]))
        assert dns.rcode(_serve_one(server, sel, _query("nosuch"))) == dns.NXDOMAIN
    finally:
        up.close()
    assert up.asked == []


def test_without_an_uplink_unknown_names_get_nxdomain_at_once():
    sel = selectors.DefaultSelector()
    reply = _serve_one(_server(sel, []), sel, _query("example.org"))
    assert dns.rcode(reply) == dns.NXDOMAIN


def test_forwarded_queries_that_get_no_answer_are_dropped_after_the_timeout():
    sel = selectors.DefaultSelector()
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    server = _server(sel, [silent.getsockname()])
    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        assert server._forward(_query("example.org"), front, ("127.0.0.1", 9))
        assert len(server.pending) == 1
        server._expire(float("inf"))
        assert server.pending == {} and not sel.get_map()
    finally:
        silent.close()
        front.close()


def test_upstreams_prefer_the_containers_dns_servers(tmp_path, monkeypatch):
    root, run, cid = tmp_path / "root", str(tmp_path / "run"), "c" * 64
    (root / "containers" / cid).mkdir(parents=True)
    monkeypatch.setattr(uplink, "up", lambda run: None)
    assert dns.upstreams(str(root), run, cid) == []
    monkeypatch.setattr(uplink, "up", lambda run: {"dns": "10.0.2.3"})
    assert dns.upstreams(str(root), run, cid) == [("10.0.2.3", 53)]
    (root / "containers" / cid / "resolv.conf").write_text(
        "# upstream: 9.9.9.9\n# upstream: 2001:db8::1\nnameserver 127.0.0.11\n")
    assert dns.upstreams(str(root), run, cid) == [("9.9.9.9", 53)]
