"""client.poke: a container start tells dl-netd to look at the host's listeners, without
waiting for it, and at most once per half of the helper's busy minute."""
from __future__ import annotations

import os
import socket
import tempfile

from engine.network import client, helper


def test_a_poke_is_a_request_sent_once_per_half_busy_period():
    run = tempfile.mkdtemp(prefix="dlp-", dir="/tmp")   # short: unix socket paths
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(helper.socket_path(run))
        listener.listen(8)
        listener.settimeout(2)
        client.poke(run)
        conn, _ = listener.accept()
        with conn:
            assert helper.read_message(conn) == b'{"op": "ping", "args": {}}\n'
        client.poke(run)                       # right after: not again
        listener.settimeout(0.2)
        try:
            listener.accept()
            raise AssertionError("poked twice within the busy period")
        except TimeoutError:
            pass
        stamp = os.path.join(run, "netd.poked")
        old = os.stat(stamp).st_mtime - helper.MIRROR_BUSY
        os.utime(stamp, (old, old))            # half a busy period later: again
        client.poke(run)
        listener.settimeout(2)
        conn, _ = listener.accept()
        conn.close()
    finally:
        listener.close()
        for name in os.listdir(run):
            os.unlink(os.path.join(run, name))
        os.rmdir(run)
