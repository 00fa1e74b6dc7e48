"""Small helpers shared by the docker command-line integration tests: Docker's table
layout, polling with a deadline, stderr without dockerlings' own hint lines, and a free
port on loopback with a plain HTTP GET to it."""
from __future__ import annotations

import re
import socket
import time

ID64 = re.compile(r"^[0-9a-f]{64}$")
SHA256 = re.compile(r"^sha256:[0-9a-f]{64}$")
RFC3339NANO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
ZERO_TIME = "0001-01-01T00:00:00Z"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def rfc3339_ns(text: str) -> int:
    """Nanoseconds since the epoch of an RFC 3339 UTC time with up to nine decimals."""
    from datetime import datetime, timezone
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z", text)
    assert m, f"not an RFC 3339 UTC time: {text!r}"
    secs = int(datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
               .replace(tzinfo=timezone.utc).timestamp())
    return secs * 1_000_000_000 + int((m.group(2) or "").ljust(9, "0"))


def errors(result) -> list[str]:
    """stderr lines, leaving out the `hint:` lines dockerlings adds for learners
    (Docker has none; everything else must be Docker's text)."""
    return [l for l in result.err.splitlines() if not l.startswith("hint: ")]


def wait_until(predicate, timeout: float = 5.0, interval: float = 0.02, what: str = ""):
    """Poll `predicate` until it returns something truthy; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
        time.sleep(interval)


def inspect(sh, name: str, template: str) -> str:
    return sh.ok(f"docker inspect -f '{template}' {name}").rstrip("\n")


def status(sh, name: str) -> str:
    return inspect(sh, name, "{{.State.Status}}")


def wait_status(sh, name: str, want: str, timeout: float = 5.0) -> None:
    wait_until(lambda: status(sh, name) == want, timeout, what=f"{name} to be {want}")


def pull(sh, image: str = "busybox") -> None:
    """Make the offline image up front, so later commands print nothing about it."""
    sh.ok(f"docker pull {image}")


def table(rows: list[list[str]]) -> str:
    """The docker CLI's table writer (minwidth 10, padding 3; the last field of a row is
    printed as is): every row, header included, as the CLI prints it."""
    widths = [max(10, max(len(r[i]) for r in rows) + 3) for i in range(len(rows[0]) - 1)]
    out = []
    for r in rows:
        out.append("".join(cell.ljust(w) for cell, w in zip(r, widths)) + r[-1])
    return "\n".join(out) + "\n"


def human_size(size: float, precision: int = 3) -> str:
    """go-units HumanSizeWithPrecision (decimal units, %g formatting)."""
    units = ["B", "kB", "MB", "GB", "TB"]
    i = 0
    while size >= 1000 and i < len(units) - 1:
        size /= 1000
        i += 1
    return f"{size:.{precision}g}{units[i]}"


def free_port() -> int:
    """A TCP port nothing listens on at the moment, on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port: int) -> bytes:
    """`GET /` on 127.0.0.1:PORT, the whole answer; b"" when nothing answers."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as c:
            c.sendall(b"GET / HTTP/1.0\r\n\r\n")
            data = b""
            while chunk := c.recv(4096):
                data += chunk
            return data
    except OSError:
        return b""
