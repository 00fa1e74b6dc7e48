"""Registry credentials where the docker CLI keeps them, in its format, so a learner's
Docker login works here and a dockerlings login works for Docker.

`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`: `auths` holds
base64("user:password") per server (Docker Hub's key is https://index.docker.io/v1/);
`credsStore` names a helper for every server and `credHelpers` one per server: the
program `docker-credential-<name>` on PATH, spoken to with `get`, `store` and `erase`
on its standard input, as the docker CLI does.
"""
from __future__ import annotations

import base64
import json
import os
import subprocess

from ..errors import InvalidParameter
from ..util.fsutil import write_atomic

HUB_KEY = "https://index.docker.io/v1/"
HUB_DOMAINS = ("docker.io", "index.docker.io", "registry-1.docker.io")


def server_key(domain: str) -> str:
    """The config key of a registry: Docker Hub's legacy URL, else the host[:port]."""
    return HUB_KEY if domain in HUB_DOMAINS else domain


def domain_of(server: str) -> str:
    """The registry's domain from a login's server (a host[:port], or a URL; empty or
    any of Docker Hub's names: docker.io)."""
    import urllib.parse
    text = server.strip()
    if "://" in text:
        text = urllib.parse.urlsplit(text).netloc
    text = text.rstrip("/")
    if not text or text in HUB_DOMAINS:
        return "docker.io"
    return text.split("/")[0]


def config_path(environ=os.environ) -> str:
    folder = environ.get("DOCKER_CONFIG") or os.path.join(
        environ.get("HOME") or os.path.expanduser("~"), ".docker")
    return os.path.join(folder, "config.json")


def _read(path: str) -> dict:
    try:
        with open(path, "rb") as f:
            data = f.read(4 << 20)
    except FileNotFoundError:
        return {}
    try:
        doc = json.loads(data or b"{}")
    except ValueError as e:
        raise InvalidParameter(f"loading config file: {path}: {e}") from None
    return doc if isinstance(doc, dict) else {}


def _helper(doc: dict, key: str) -> str | None:
    helpers = doc.get("credHelpers") or {}
    return helpers.get(key) or doc.get("credsStore") or None


def get(domain: str, environ=os.environ) -> tuple[str, str] | None:
    """(user, secret) for the registry at `domain`, or None."""
    key = server_key(domain)
    doc = _read(config_path(environ))
    helper = _helper(doc, key)
    if helper:
        out = _call(helper, "get", key.encode(), environ)
        if out is None:
            return None
        try:
            found = json.loads(out)
            return found.get("Username", ""), found.get("Secret", "")
        except ValueError:
            return None
    entry = (doc.get("auths") or {}).get(key) or {}
    if entry.get("auth"):
        try:
            user, _, secret = base64.b64decode(entry["auth"]).decode().partition(":")
            return user, secret
        except (ValueError, UnicodeDecodeError):
            return None
    if entry.get("username"):
        return entry["username"], entry.get("password", "")
    return None


def store(domain: str, user: str, secret: str, environ=os.environ) -> str | None:
    """Keep the login; returns the file the secret went to in clear text, if it did."""
    key = server_key(domain)
    path = config_path(environ)
    doc = _read(path)
    helper = _helper(doc, key)
    if helper:
        payload = json.dumps({"ServerURL": key, "Username": user, "Secret": secret})
        if _call(helper, "store", payload.encode(), environ) is None:
            raise InvalidParameter(f"error storing credentials - err: docker-credential-"
                                   f"{helper} store failed")
        doc.setdefault("auths", {})[key] = {}
        _write(path, doc)
        return None
    token = base64.b64encode(f"{user}:{secret}".encode()).decode()
    doc.setdefault("auths", {})[key] = {"auth": token}
    _write(path, doc)
    return path


def erase(domain: str, environ=os.environ) -> bool:
    """Forget the login; False when there was none."""
    key = server_key(domain)
    path = config_path(environ)
    doc = _read(path)
    auths = doc.get("auths") or {}
    helper = _helper(doc, key)
    had = key in auths
    if helper:
        had = (_call(helper, "erase", key.encode(), environ) is not None) or had
    if key in auths:
        del auths[key]
        _write(path, doc)
    return had


def _write(path: str, doc: dict) -> None:
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    write_atomic(path, (json.dumps(doc, indent="\t") + "\n").encode(), mode=0o600)


def _call(helper: str, verb: str, data: bytes, environ) -> bytes | None:
    try:
        p = subprocess.run([f"docker-credential-{helper}", verb], input=data,
                           capture_output=True, timeout=60, env=dict(environ))
    except (OSError, subprocess.TimeoutExpired):
        return None
    return p.stdout if p.returncode == 0 else None
