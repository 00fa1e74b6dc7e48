"""Naming who holds a host port (lessons/holders.py), from /proc."""
from __future__ import annotations

import os
import socket

from lessons.holders import port_holder


def test_a_listening_socket_is_named_by_its_program_and_pid():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    try:
        port = s.getsockname()[1]
        with open("/proc/self/comm") as f:
            comm = f.read().strip()
        assert port_holder(port) == f"{comm} (pid {os.getpid()})"
    finally:
        s.close()
    assert port_holder(port) is None
