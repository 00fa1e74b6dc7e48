"""ADD <url>: download a file for the build, with Docker's words when that fails.

dockerlings is offline first: the engine's containers never reach the internet, and
neither does a build unless this machine can. A URL that cannot be fetched gives
BuildKit's message and a hint that says what to do instead.
"""
from __future__ import annotations

import hashlib
import os
import posixpath

from .errors import BuildError

TIMEOUT = 15


def is_url(src: str) -> bool:
    return src.startswith(("http://", "https://"))


def is_git(src: str) -> bool:
    return src.startswith(("git@", "git://")) or (is_url(src) and src.endswith(".git"))


def file_name(url: str) -> str:
    """The name the downloaded file gets in a destination directory (BuildKit's rule)."""
    import urllib.parse
    base = posixpath.basename(urllib.parse.urlparse(url).path)
    return base if base not in ("", ".", "/") else "__unnamed__"


def download(url: str, directory: str) -> tuple[str, str, float]:
    """Fetch `url` into `directory`; returns (path, sha256 hex, mtime). The file gets
    mode 0600 and the server's Last-Modified time, as in Docker."""
    import urllib.error
    import urllib.request       # only now: it costs a build 50 ms to import
    path = os.path.join(directory, f"download-{os.urandom(6).hex()}")
    h = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as resp, \
                open(path, "wb") as out:
            while chunk := resp.read(1 << 20):
                h.update(chunk)
                out.write(chunk)
            modified = resp.headers.get("Last-Modified")
    except urllib.error.HTTPError as e:
        raise _failed(url, f"invalid response status {e.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise _failed(url, _reason(url, e)) from None
    os.chmod(path, 0o600)
    mtime = _mtime(modified)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path, h.hexdigest(), mtime or 0.0


def _mtime(header: str | None) -> float | None:
    if not header:
        return None
    import email.utils
    try:
        return email.utils.parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError):
        return None


def _reason(url: str, err: Exception) -> str:
    """Go's net/http wording for the common failures."""
    import socket
    import urllib.parse
    parts = urllib.parse.urlparse(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    inner = getattr(err, "reason", err)
    if isinstance(inner, socket.gaierror):
        return f"dial tcp: lookup {host}: no such host"
    if isinstance(inner, ConnectionRefusedError):
        return f"dial tcp {host}:{port}: connect: connection refused"
    if isinstance(inner, (socket.timeout, TimeoutError)):
        return f"dial tcp {host}:{port}: i/o timeout"
    return str(inner)


def _failed(url: str, reason: str) -> BuildError:
    err = BuildError(f'failed to load cache key: Get "{url}": {reason}',
                     hint="ADD could not download this URL: dockerlings builds work offline "
                     "unless this machine can reach the address. Download the file into the "
                     "build context yourself and COPY it instead.")
    err.detail = f'Get "{url}": {reason}'
    return err
