"""A handoff carries pickled parts and the fds they name to another process, which
finds every fd at the number it had in the sender."""
from __future__ import annotations

import json
import os
import socket
import stat

import pytest

from engine.supervisor import handoff


class Box:
    """What a start pickles: plain objects holding fd numbers, and sockets."""

    def __init__(self, read_fd: int, sock: socket.socket):
        self.read_fd, self.sock = read_fd, sock


def _through_a_child(parts, fds, head, which, crowd=0):
    """Send in this process, receive in a forked child (with `crowd` fds opened first
    so the numbers collide); the child reports what it found."""
    data, sent = handoff.pack(parts, fds, head)
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    report_r, report_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            a.close()
            for fd in sent:                # the numbers are taken by other files here
                if fd != b.fileno() and fd != report_w:
                    os.dup2(os.open("/dev/null", os.O_RDONLY), fd)
            for _ in range(crowd):
                os.open("/dev/null", os.O_RDONLY)
            got, fds_in = handoff.receive(b)
            obj, (conn, rep) = handoff.unpack(got, fds_in, which, [b.detach(), report_w])
            os.write(rep, repr(_describe(obj, conn)).encode())
        finally:
            os._exit(0)
    b.close()
    os.close(report_w)
    socket.send_fds(a, [data], sent)
    out = b""
    while chunk := os.read(report_r, 4096):
        out += chunk
    os.waitpid(pid, 0)
    a.close()
    os.close(report_r)
    return sent, eval(out.decode())


def _describe(obj, conn: int):
    box = obj
    data = os.read(box.read_fd, 100)
    box.sock.sendall(b"pong")
    return {"data": data, "sock_fd": box.sock.fileno(), "read_fd": box.read_fd,
            "conn_is_socket": stat.S_ISSOCK(os.fstat(conn).st_mode)}


def test_fds_land_at_their_numbers_and_sockets_travel(monkeypatch):
    monkeypatch.setattr(handoff, "MODULES", (*handoff.MODULES, __name__))   # Box's
    r, w = os.pipe()
    os.write(w, b"hello")
    mine, theirs = socket.socketpair()
    box = Box(r, theirs)
    try:
        sent, got = _through_a_child([{"skip": 1}, box], [r], {"staged": True}, 1, crowd=5)
        assert sorted(sent) == sorted({r, theirs.fileno()})
        assert got["data"] == b"hello"
        assert got["read_fd"] == r and got["sock_fd"] == theirs.fileno()
        assert got["conn_is_socket"]     # the receiver's own socket survived the landing
        assert mine.recv(10) == b"pong"
    finally:
        for fd in (r, w):
            os.close(fd)
        mine.close()
        theirs.close()


def test_head_and_parts_are_read_apart():
    data, sent = handoff.pack([("a", 1), ["b"]], [], {"staged": False})
    assert sent == []
    assert handoff.head(data)["staged"] is False
    assert handoff.part(data, 0) == ("a", 1)
    assert handoff.part(data, 1) == ["b"]


def test_land_moves_own_fds_out_of_the_way():
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    try:
        # this process's own r1 sits where the received fd (a copy of r2) must go
        received = [os.dup(r2)]
        moved, = handoff.land(received, [r1], [r1])
        assert moved != r1 and moved > max(r1, w1, r2, w2)
        os.write(w1, b"o")
        assert os.read(moved, 1) == b"o"     # it is still r1's pipe, elsewhere
        os.write(w2, b"x")
        assert os.read(r1, 1) == b"x"        # and r1 is now the received copy of r2
        os.close(moved)
    finally:
        for fd in (r1, w1, r2, w2):
            os.close(fd)


def test_cut_off_fds_are_an_error():
    data, _ = handoff.pack([1], [0], None)
    with pytest.raises(OSError):
        handoff.unpack(data, [], 0, [])


class Evil:
    def __init__(self, call, arg):
        self.call, self.arg = call, arg

    def __reduce__(self):
        return self.call, (self.arg,)


@pytest.mark.parametrize("call", [os.system, eval, handoff.land])
def test_a_part_that_would_call_anything_is_refused_unrun(call, tmp_path):
    marker = tmp_path / "ran"
    data, _ = handoff.pack([Evil(call, f"touch {marker}")], [])
    with pytest.raises(Exception, match="a handoff may not carry"):
        handoff.part(data, 0)
    assert not marker.exists()


def test_a_part_imports_nothing():
    """A class of an engine module this process has not imported is refused, not
    imported (an import runs the module's code)."""
    blob = b"cengine.nosuchmod\nX\n)\x81."      # GLOBAL, EMPTY_TUPLE, NEWOBJ, STOP
    data = json.dumps({"fds": [], "sizes": [len(blob)]}).encode() + b"\n" + blob
    with pytest.raises(Exception, match="a handoff may not carry engine.nosuchmod.X"):
        handoff.part(data, 0)
