"""Talking to dl-netd (helper.py), starting it when it is not there yet."""
from __future__ import annotations

import fcntl
import json
import os
import socket
import time

from .. import trust
from ..errors import ContainerNotRunning, InvalidParameter, System, Unavailable
from ..supervisor.protocol import ShortPath
from . import helper, netns

START_TIMEOUT = 20.0


class ProcessGone(ContainerNotRunning):
    """The container process a request named ended before the helper reached it (it
    was stopped or removed meanwhile). The caller knows which container that was."""


def call(run: str, op: str, **args) -> dict:
    """One request to the helper (started on demand); raises System on its errors."""
    if op == "attach" and "uplink" not in args:   # this process starts the container
        args["uplink"] = _uplink_settings()
    reply = _request(run, op, args)
    if reply is None:
        ensure(run)
        reply = _request(run, op, args)
        if reply is None:
            raise Unavailable("the engine's network helper (dl-netd) is not answering")
    if not reply.get("ok"):
        if reply.get("gone"):
            raise ProcessGone("container is not running")
        raise System(f"network setup failed: {reply.get('error')}")
    return reply


def poke(run: str) -> None:
    """Tell the helper containers are starting, without waiting for it: a request
    has it look at the host's listening sockets at once and then often for a while
    (helper.MIRROR_BUSY), so host.docker.internal reaches a server started a moment
    ago. Poked again only when that while is half over: waking an idle process on
    every start costs a start about two milliseconds on a small machine. A helper
    that is not there is started."""
    stamp = os.path.join(run, "netd.poked")
    try:
        if time.time() - os.stat(stamp).st_mtime < helper.MIRROR_BUSY / 2:
            return
    except FileNotFoundError:
        pass
    with open(stamp, "w"):
        pass
    try:
        _send(run, "ping", {}, timeout=None).close()
    except OSError:
        ensure(run)


def _uplink_settings() -> dict | None:
    if not os.environ.get("DOCKERLINGS_UPLINK"):
        return None                 # off: the usual case costs no import
    from . import uplink
    try:
        return uplink.requested()
    except uplink.UplinkError as e:
        raise InvalidParameter(str(e)) from None


def _send(run: str, op: str, args: dict, timeout: float | None) -> socket.socket:
    """One request sent to the helper; returns the connection its reply comes on."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
    try:
        s.settimeout(timeout)
        with ShortPath(helper.socket_path(run)) as path:
            s.connect(path)
        s.sendall(json.dumps({"op": op, "args": args}).encode() + b"\n")
        return s
    except BaseException:
        s.close()
        raise


def _request(run: str, op: str, args: dict, timeout: float = 30.0) -> dict | None:
    try:
        with _send(run, op, args, timeout) as s:
            data = helper.read_message(s)
        return json.loads(data) if data else None
    except (FileNotFoundError, ConnectionRefusedError):
        return None


def running(run: str) -> bool:
    return _request(run, "ping", {}, timeout=2) is not None


def ensure(run: str) -> None:
    """Start the helper if it is not running (one starter at a time, by a lock file:
    the namespace too is made under it, or two starters could each pin one)."""
    trust.make_dir(run)
    lock_fd = os.open(os.path.join(run, "netd.lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                      0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        netns.create(run)
        if running(run):
            return
        _spawn(run)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if running(run):
                return
            time.sleep(0.02)
        raise Unavailable("the engine's network helper (dl-netd) did not start; see "
                          f"{os.path.join(run, 'netd.log')}")
    finally:
        os.close(lock_fd)


def _spawn(run: str) -> None:
    from ..supervisor import detach
    detach.start("engine.network.helper", [run], os.path.join(run, "netd.log"))


def stop(run: str) -> None:
    """Make the helper leave (engine reset): ask it, and end it by its pid if it does not
    answer (it may still be starting); return once it and its uplink are gone."""
    _request(run, "quit", {}, timeout=5)
    try:
        _stop_helper(run)
    finally:
        from . import uplink
        uplink.kill_leftover(run)


def _stop_helper(run: str) -> None:
    try:
        with open(os.path.join(run, "netd.pid")) as f:
            pid = int(f.read())
    except (FileNotFoundError, ValueError):
        return
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _is_helper(pid):
        if time.monotonic() > deadline - 4.5:
            os.kill(pid, 9)
        time.sleep(0.02)


def _is_helper(pid: int) -> bool:
    from ..runtime import syscalls as sc
    return sc.running_as(pid, "dl-netd")
