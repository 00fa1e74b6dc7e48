"""HTTP/1.1 for the Engine API, by hand on the standard library: one thread per
connection, the owner checked before a byte is read, every request bounded.

A socket peer is hostile until proven the owner, and even the owner's requests are
parsed defensively: a request line or header longer than the limits, a body larger
than MAX_BODY, JSON that does not parse: each gets a 400 with moby's `{"message"}` body,
never a traceback (not in the answer, not in the log), and the server stays up."""
from __future__ import annotations

import json
import re
import socket
import socketserver
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlsplit

from engine import trust
from engine.errors import EngineError, InvalidParameter

MIN_VERSION = "1.24"
MAX_VERSION = "1.51"
SERVER_VERSION = "28.3.0"         # the Docker release whose API this server speaks
MAX_BODY = 4 << 20                # a create body is a few KiB; nothing here needs more
IDLE = 60.0                       # seconds a connection may sit between requests
_VERSIONED = re.compile(r"^/v(\d+)\.(\d+)(/.*)$")


def _version_tuple(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


class Request:
    """One request as the routes see it: method, path (without the version), query,
    the API version asked for, and the body read on demand."""

    def __init__(self, handler: "Handler", method: str, path: str, query: dict,
                 version: str):
        self.handler, self.method, self.path = handler, method, path
        self.query, self.version = query, version

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def flag(self, name: str, default: bool = False) -> bool:
        """Go's strconv.ParseBool as moby's httputils.BoolValue reads it: anything but
        "", "0", "no", "false", "none" is true."""
        value = self.arg(name)
        if value is None:
            return default
        return value.strip().lower() not in ("", "0", "no", "false", "none")

    def int_arg(self, name: str, default: int | None = None) -> int | None:
        value = self.arg(name)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except ValueError:
            raise InvalidParameter(f'invalid value for "{name}": {value!r} is not a '
                                   f"number") from None

    def body(self) -> bytes:
        return self.handler.read_body()

    def json(self, default=None):
        raw = self.body()
        if not raw.strip():
            return default
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError) as e:
            raise InvalidParameter(f"invalid JSON: {e}") from None


class Reply:
    """What a route answers when it is not a stream: a status and a JSON document (or
    raw bytes with their content type)."""

    def __init__(self, status: int = 200, doc=None, raw: bytes | None = None,
                 content_type: str = "application/json", headers: dict | None = None):
        self.status, self.doc, self.raw, self.content_type = status, doc, raw, content_type
        self.headers = headers or {}

    def payload(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.doc is None:
            return b""
        return json.dumps(self.doc).encode() + b"\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"Docker/{SERVER_VERSION}"
    sys_version = "(linux)"
    timeout = IDLE

    # --- reading ----------------------------------------------------------------------
    def read_body(self) -> bytes:
        if getattr(self, "_body", None) is not None:
            return self._body
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._body = self._read_chunked()
            return self._body
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit():
            raise InvalidParameter(f"invalid Content-Length: {length[:40]!r}")
        if int(length) > MAX_BODY:
            raise InvalidParameter(f"request body too large (more than {MAX_BODY} bytes)")
        self._body = self.rfile.read(int(length))
        return self._body

    def body_chunks(self, size: int = 1 << 16):
        """The body as it comes, for the routes that pass it on (an archive for a
        container): any size, never held whole."""
        self._body = b""                  # consumed here: nothing left to drain
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            while True:
                line = self.rfile.readline(100).strip().split(b";")[0]
                try:
                    n = int(line, 16)
                except ValueError:
                    raise InvalidParameter("malformed chunked body") from None
                if n == 0:
                    while self.rfile.readline(1000).strip():
                        pass
                    return
                while n:
                    data = self.rfile.read(min(n, size))
                    if not data:
                        raise InvalidParameter("unexpected end of the request body")
                    n -= len(data)
                    yield data
                self.rfile.readline(10)
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit():
            raise InvalidParameter(f"invalid Content-Length: {length[:40]!r}")
        left = int(length)
        while left:
            data = self.rfile.read(min(left, size))
            if not data:
                raise InvalidParameter("unexpected end of the request body")
            left -= len(data)
            yield data

    def _read_chunked(self) -> bytes:
        out = bytearray()
        while True:
            line = self.rfile.readline(100).strip().split(b";")[0]
            try:
                size = int(line, 16)
            except ValueError:
                raise InvalidParameter("malformed chunked body") from None
            if len(out) + size > MAX_BODY:
                raise InvalidParameter(f"request body too large (more than {MAX_BODY} bytes)")
            if size == 0:
                while self.rfile.readline(1000).strip():   # trailers, then the blank line
                    pass
                return bytes(out)
            out += self.rfile.read(size)
            self.rfile.readline(10)

    def _drain(self) -> None:
        """Read what is left of the body, so the next request on this connection starts
        where it should; a body we will not read closes the connection instead."""
        try:
            self.read_body()
        except (EngineError, OSError):
            self.close_connection = True

    # --- dispatch ---------------------------------------------------------------------
    def do_request(self) -> None:
        self._body = None
        url = urlsplit(self.path)
        path, version = unquote(url.path), None
        m = _VERSIONED.match(path)
        if m:
            version, path = f"{m.group(1)}.{m.group(2)}", m.group(3)
        try:
            if version is not None:
                _check_version(version)
            query = parse_qs(url.query, keep_blank_values=True, max_num_fields=200)
            req = Request(self, self.command, path, query, version or MAX_VERSION)
            reply = self.server.routes.dispatch(req)
        except EngineError as e:
            reply = Reply(e.status, {"message": e.message})
        except ValueError as e:          # parse_qs beyond its field limit, and the like
            reply = Reply(400, {"message": str(e)})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return
        except Exception as e:           # a bug: one line in the log, a 500 to the client
            self.server.note(f"{self.command} {path}: {type(e).__name__}: {e}")
            reply = Reply(500, {"message": f"{type(e).__name__}: {e}"})
        if reply is None:                # the route answered on its own (a stream)
            self.close_connection = True
            return
        self._drain()
        self.send(reply)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_request

    def send(self, reply: Reply) -> None:
        data = reply.payload()
        self.send_response(reply.status)
        self.common_headers()
        if data or reply.status not in (204, 304):
            self.send_header("Content-Type", reply.content_type)
        if reply.status not in (204, 304):
            self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and reply.status not in (204, 304):
            self.wfile.write(data)

    def common_headers(self) -> None:
        self.send_header("Api-Version", MAX_VERSION)
        self.send_header("Docker-Experimental", "false")
        self.send_header("Ostype", "linux")

    # --- streams ----------------------------------------------------------------------
    def start_stream(self, content_type: str, status: int = 200,
                     headers: dict | None = None) -> "Chunked":
        """Headers now, the body in chunks as it comes (as Go's server streams)."""
        self._drain()
        self.send_response(status)
        self.common_headers()
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        return Chunked(self.wfile)

    def client_gone(self) -> bool:
        """Whether the client hung up (a long stream notices it between its writes)."""
        import select
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and not self.connection.recv(1, socket.MSG_PEEK)
        except OSError:
            return True

    def hijack(self, content_type: str) -> socket.socket:
        """Take the connection over for raw bytes both ways (attach, exec start): 101
        when the client asked to upgrade, as moby answers, else 200."""
        upgrade = "upgrade" in (self.headers.get("Connection") or "").lower()
        if upgrade:
            self.send_response(101, "UPGRADED")
            self.send_header("Connection", "Upgrade")
            self.send_header("Upgrade", self.headers.get("Upgrade") or "tcp")
        else:
            self.send_response(200)
        self.common_headers()
        self.send_header("Content-Type", content_type)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        self.connection.settimeout(None)
        return self.connection

    # --- errors and the log -----------------------------------------------------------
    def send_error(self, code, message=None, explain=None):
        """http.server's own refusals (a request line too long, a malformed header, an
        unknown method) in moby's shape instead of an HTML page."""
        self.close_connection = True
        self.request_version = "HTTP/1.1"   # never HTTP/0.9's bare body: Go answers 1.1
        try:
            self.send(Reply(code, {"message": message or self.responses.get(code, ("",))[0]}))
        except OSError:
            pass

    def log_message(self, format, *args):
        self.server.note(format % args)

    def log_request(self, code="-", size="-"):
        self.server.log_line(self, code)

    def address_string(self):
        return "unix"


def _check_version(version: str) -> None:
    asked = _version_tuple(version)
    if asked < _version_tuple(MIN_VERSION):
        raise InvalidParameter(f"client version {version} is too old. Minimum supported API "
                               f"version is {MIN_VERSION}, please upgrade your client to a "
                               f"newer version")
    if asked > _version_tuple(MAX_VERSION):
        raise InvalidParameter(f"client version {version} is too new. Maximum supported API "
                               f"version is {MAX_VERSION}")


class Chunked:
    """A response body in HTTP/1.1 chunks; close() ends it."""

    def __init__(self, wfile):
        self.wfile = wfile

    def write(self, data: bytes) -> None:
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def json(self, doc) -> None:
        self.write(json.dumps(doc).encode() + b"\n")

    def close(self) -> None:
        try:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            pass


class Listening:
    """What every listener of the server shares: the routes, the owner, the log."""

    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        import sys
        e = sys.exc_info()[1]
        self.note(f"connection ended: {type(e).__name__}: {e}")

    def note(self, text: str) -> None:
        if self._log:
            self._log(text)

    def log_line(self, handler: Handler, code) -> None:
        if self._log:
            path = getattr(handler, "path", "") or ""
            self._log(f"{handler.command} {path[:200]} -> {code}")


class Server(Listening, socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """A threading unix-socket HTTP server that lets in the engine's owner only; `bind`
    puts the socket at its path with its mode (the engine's own: 0600 in the 0700 run
    folder)."""

    def __init__(self, path: str, routes, owner: int, log=None, bind=trust.bind_unix):
        self.routes, self.owner, self._log = routes, owner, log
        socketserver.UnixStreamServer.__init__(self, path, Handler, bind_and_activate=False)
        try:
            self.socket.set_inheritable(False)
            bind(self.socket, path)
            self.server_activate()
        except BaseException:
            self.server_close()
            raise

    def verify_request(self, request, client_address) -> bool:
        # before a byte is read: anyone but the owner is hung up on, unread
        return trust.admit(request, self.owner)
