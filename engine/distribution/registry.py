"""Talking to a registry: the OCI Distribution Spec / Docker's Registry HTTP API V2.

One `Registry` per host, holding its credentials and the Bearer tokens it was given
(one per scope, as Docker caches them). Authentication as Docker does it: a request is
first sent as it is; a 401 names the scheme in WWW-Authenticate: Basic gets the stored
login, Bearer sends us to the token service (realm, service, scope) with the login if
there is one, anonymously if not.

Plain HTTP only where Docker's daemon allows it without being told: loopback
(127.0.0.0/8, ::1, localhost); anything else needs HTTPS unless the learner lists it in
DOCKERLINGS_INSECURE_REGISTRIES ("host:port,host2", as the daemon's
--insecure-registry). Everything a registry sends is untrusted: JSON documents are size
bounded before parsing and blobs are checked against their digests as they stream in.
"""
from __future__ import annotations

import base64
import http.client
import ipaddress
import json
import os
import re
import socket
import ssl
import urllib.parse

from ..errors import EngineError, Unavailable
from . import credentials

MANIFEST_TYPES = (
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
)
JSON_LIMIT = 16 << 20
TIMEOUT = 30
HUB_REGISTRY = "registry-1.docker.io"


class RegistryError(EngineError):
    """What a registry answered, in Docker's words; `code` is the registry's error code
    (MANIFEST_UNKNOWN, UNAUTHORIZED ...), `status` its HTTP status."""

    def __init__(self, message: str, status: int = 500, code: str = "", *, hint=None):
        super().__init__(message, hint=hint)
        self.status, self.code = status, code


class Unreachable(Unavailable):
    """The registry could not be reached at all (no network, nothing listening)."""


def host_of(domain: str) -> str:
    return HUB_REGISTRY if domain in credentials.HUB_DOMAINS else domain


def insecure(host: str, environ=os.environ) -> bool:
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]")
    if name == "localhost":
        return True
    try:
        if ipaddress.ip_address(name).is_loopback:
            return True
    except ValueError:
        pass
    listed = [h.strip() for h in environ.get("DOCKERLINGS_INSECURE_REGISTRIES", "").split(",")]
    return host in listed or name in listed


class Response:
    def __init__(self, resp: http.client.HTTPResponse, conn):
        self.resp, self.conn = resp, conn
        self.status = resp.status
        self.headers = resp.headers

    def read(self, n: int = -1) -> bytes:
        return self.resp.read(n)

    def json(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > JSON_LIMIT:
            raise RegistryError("manifest too big")
        data = self.resp.read(JSON_LIMIT + 1)
        if len(data) > JSON_LIMIT:
            raise RegistryError("manifest too big")
        try:
            return json.loads(data)
        except ValueError:
            raise RegistryError("invalid JSON from the registry") from None

    def close(self) -> None:
        self.conn.close()


class Registry:
    def __init__(self, domain: str, environ=os.environ, user: tuple[str, str] | None = None):
        """user: the login to use; None looks up the one stored for `domain` (the command
        line, as the docker CLI does), () is nobody (the API: the client sent none)."""
        self.domain = domain
        self.host = host_of(domain)
        self.scheme = "http" if insecure(self.host, environ) else "https"
        self.login = user if user is not None else credentials.get(domain, environ)
        self.tokens: dict[str, str] = {}
        self.basic = False

    # --- the wire ---------------------------------------------------------------------
    def _connect(self, netloc: str, scheme: str):
        host, _, port = netloc.rpartition(":") if re.search(r":\d+$", netloc) else (netloc, "", "")
        host = host.strip("[]")
        if scheme == "https":
            return http.client.HTTPSConnection(host, int(port or 443), timeout=TIMEOUT,
                                               context=ssl.create_default_context())
        return http.client.HTTPConnection(host, int(port or 80), timeout=TIMEOUT)

    def raw(self, method: str, url: str, headers: dict | None = None, body=None,
            redirects: int = 5) -> Response:
        parts = urllib.parse.urlsplit(url)
        conn = self._connect(parts.netloc, parts.scheme)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request(method, path or "/", body=body, headers=headers or {})
            resp = conn.getresponse()
        except ssl.SSLError as e:
            conn.close()
            raise Unreachable(f'Get "{url}": {e.reason or e}', hint=self._insecure_hint()) from None
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            # the daemon pings /v2/ before anything else: that is the request it names
            shown = f"{parts.scheme}://{parts.netloc}/v2/" if parts.path.startswith("/v2/") \
                else url
            raise Unreachable(f'Get "{shown}": {_net_words(e, parts.netloc)}') from None
        if resp.status in (301, 302, 303, 307, 308) and redirects > 0:
            location = urllib.parse.urljoin(url, resp.headers.get("Location", ""))
            conn.close()
            keep = {k: v for k, v in (headers or {}).items() if k.lower() != "authorization"}
            same = urllib.parse.urlsplit(location).netloc == parts.netloc
            return self.raw(method if resp.status in (307, 308) else "GET", location,
                            headers if same else keep, body, redirects - 1)
        return Response(resp, conn)

    def _insecure_hint(self) -> str:
        return (f"{self.host} is not on loopback, so it must speak HTTPS. If it is a "
                "registry of your own without TLS, list it in "
                f"DOCKERLINGS_INSECURE_REGISTRIES={self.host} (as Docker's "
                "--insecure-registry).")

    def url(self, path: str) -> str:
        return f"{self.scheme}://{self.host}{path}"

    def request(self, method: str, path_or_url: str, scope: str = "", headers: dict | None = None,
                body=None, ok=(200,)) -> Response:
        """A request with Docker's authentication dance; RegistryError unless the status
        is in `ok`."""
        url = path_or_url if "://" in path_or_url else self.url(path_or_url)
        resp = self.raw(method, url, self._auth(scope, headers), body)
        if resp.status == 401 and (body is None or isinstance(body, (bytes, str))):
            challenge = resp.headers.get("WWW-Authenticate", "")
            resp.close()
            self._answer(challenge, scope)
            resp = self.raw(method, url, self._auth(scope, headers), body)
        if resp.status not in ok:
            err = self._error(resp, method, url)
            resp.close()
            raise err
        return resp

    def _auth(self, scope: str, headers: dict | None) -> dict:
        out = dict(headers or {})
        if scope in self.tokens:
            out["Authorization"] = f"Bearer {self.tokens[scope]}"
        elif self.basic and self.login:
            out["Authorization"] = "Basic " + base64.b64encode(
                f"{self.login[0]}:{self.login[1]}".encode()).decode()
        return out

    def _answer(self, challenge: str, scope: str) -> None:
        scheme, _, rest = challenge.strip().partition(" ")
        if scheme.lower() == "basic":
            if not self.login:
                raise RegistryError("no basic auth credentials", 401, "UNAUTHORIZED")
            self.basic = True
            return
        if scheme.lower() != "bearer":
            raise RegistryError(f"unsupported authentication scheme {scheme!r}", 401)
        params = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        realm = params.get("realm")
        if not realm or urllib.parse.urlsplit(realm).scheme not in ("http", "https"):
            raise RegistryError("the registry asked for a token without saying where", 401)
        query = {"service": params.get("service", "")}
        want = scope or params.get("scope", "")
        if want:
            query["scope"] = want
        headers = {}
        if self.login:
            headers["Authorization"] = "Basic " + base64.b64encode(
                f"{self.login[0]}:{self.login[1]}".encode()).decode()
        token_url = realm + ("&" if "?" in realm else "?") + urllib.parse.urlencode(query)
        resp = self.raw("GET", token_url, headers)
        try:
            if resp.status != 200:
                raise RegistryError(_auth_words(resp.status, self.login), resp.status,
                                    "UNAUTHORIZED")
            doc = resp.json()
        finally:
            resp.close()
        token = doc.get("token") or doc.get("access_token") if isinstance(doc, dict) else None
        if not isinstance(token, str) or not token:
            raise RegistryError("the token service answered without a token", 401)
        self.tokens[scope] = token

    def _error(self, resp: Response, method: str, url: str) -> RegistryError:
        code, message = "", ""
        try:
            doc = json.loads(resp.read(1 << 20) or b"{}")
            first = (doc.get("errors") or [{}])[0]
            code, message = first.get("code", ""), first.get("message", "")
        except (ValueError, AttributeError, TypeError, IndexError):
            pass
        if resp.status == 401:
            return RegistryError(_auth_words(401, self.login), 401, code or "UNAUTHORIZED")
        if resp.status == 404:
            return RegistryError(message.lower() if message else "not found", 404,
                                 code or "NOT_FOUND")
        words = f"{code.lower().replace('_', ' ')}: {message}" if code else \
            f"received unexpected HTTP status: {resp.status} {resp.resp.reason}"
        return RegistryError(words, resp.status, code)

    # --- the API ------------------------------------------------------------------------
    def ping(self) -> None:
        """GET /v2/: the registry is there and speaks V2 (and takes our login)."""
        resp = self.request("GET", "/v2/", scope="")
        resp.close()

    def manifest(self, repo: str, ref: str) -> tuple[bytes, str, str]:
        """(bytes, media type, digest) of a manifest or index by tag or digest."""
        resp = self.request("GET", f"/v2/{repo}/manifests/{ref}", scope=pull_scope(repo),
                            headers={"Accept": ", ".join(MANIFEST_TYPES)})
        try:
            length = int(resp.headers.get("Content-Length") or 0)
            if length > JSON_LIMIT:
                raise RegistryError("manifest too big")
            data = resp.read(JSON_LIMIT + 1)
        finally:
            resp.close()
        if len(data) > JSON_LIMIT:
            raise RegistryError("manifest too big")
        media = (resp.headers.get("Content-Type") or "").split(";")[0].strip()
        return data, media, resp.headers.get("Docker-Content-Digest", "")

    def blob(self, repo: str, digest: str) -> Response:
        return self.request("GET", f"/v2/{repo}/blobs/{digest}", scope=pull_scope(repo))

    def has_blob(self, repo: str, digest: str, scope: str) -> bool:
        resp = self.request("HEAD", f"/v2/{repo}/blobs/{digest}", scope=scope, ok=(200, 404))
        resp.close()
        return resp.status == 200

    def tags(self, repo: str) -> list[str]:
        resp = self.request("GET", f"/v2/{repo}/tags/list", scope=pull_scope(repo))
        try:
            doc = resp.json()
        finally:
            resp.close()
        return [t for t in (doc.get("tags") or []) if isinstance(t, str)]


def check_login(domain: str, login: tuple[str, str], environ=os.environ) -> None:
    """`docker login`, the daemon's half: the registry takes this login (GET /v2/ with
    it), or the daemon's words for why not."""
    reg = Registry(domain, environ, user=login)
    try:
        reg.ping()
    except RegistryError as e:
        if e.status == 401:
            if reg.basic:
                raise RegistryError(f"login attempt to {reg.url('/v2/')} failed with "
                                    "status: 401 Unauthorized", 401, e.code) from None
            raise RegistryError(f'Get "{reg.url("/v2/")}": {e.message}', 401, e.code) \
                from None
        raise


def pull_scope(repo: str) -> str:
    return f"repository:{repo}:pull"


def push_scope(repo: str, mount_from: str | None = None) -> str:
    scope = f"repository:{repo}:pull,push"
    return scope + (f" repository:{mount_from}:pull" if mount_from else "")


def _auth_words(status: int, login) -> str:
    if login:
        return "unauthorized: incorrect username or password"
    return "unauthorized: authentication required"


def _net_words(err: Exception, netloc: str) -> str:
    if isinstance(err, socket.gaierror):
        host = netloc.rsplit(":", 1)[0]
        return f"dial tcp: lookup {host}: no such host"
    if isinstance(err, ConnectionRefusedError):
        return f"dial tcp {netloc}: connect: connection refused"
    if isinstance(err, (socket.timeout, TimeoutError)):
        return f"dial tcp {netloc}: i/o timeout"
    if isinstance(err, http.client.HTTPException):
        return "EOF" if "closed" in str(err).lower() or not str(err) else str(err)
    if isinstance(err, OSError) and err.strerror:
        return f"dial tcp {netloc}: connect: {err.strerror.lower()}"
    return str(err)

