"""Image references, parsed and normalised exactly as Docker does.

This is a Python rendering of the grammar and the normalisation rules of
github.com/distribution/reference v0.6.0 (reference.go, normalize.go, regexp.go),
which the docker CLI vendors, with digest validation as github.com/opencontainers/
go-digest v1.0.0 does it (sha256, sha384 and sha512 registered). Grammar::

    reference        := name [ ":" tag ] [ "@" digest ]
    name             := [domain "/"] remote-name
    domain           := host [":" port-number]
    host             := domain-name | IPv4address | "[" IPv6address "]"
    domain-name      := domain-component ["." domain-component]*
    domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
    port-number      := /[0-9]+/
    path-component   := alpha-numeric [separator alpha-numeric]*
    remote-name      := path-component ["/" path-component]*
    alpha-numeric    := /[a-z0-9]+/
    separator        := /[_.]|__|[-]+/
    tag              := /[\\w][\\w.-]{0,127}/
    digest           := algorithm ":" /[0-9a-fA-F]{32,}/
    algorithm        := /[A-Za-z][A-Za-z0-9]*/ ( /[-_+.]/ /[A-Za-z][A-Za-z0-9]*/ )*

Normalisation (ParseNormalizedNamed): the text before the first "/" is a domain when
it is "localhost", contains "." or ":", or is not all lower case (so "Foo/bar" is the
repository "bar" on a registry called "Foo"); "index.docker.io" becomes "docker.io";
anything else lives on "docker.io", and a one-component docker.io path gets
"library/" in front. Quirks kept on purpose, because Docker has them too:

- "localhost:5000" alone is docker.io/library/localhost with tag "5000".
- "sha256:<64 hex>" alone is docker.io/library/sha256 with a 64-character tag
  (`docker run` and `docker create` treat it as an image ID first; see
  `is_image_id_like`).
- A first component that is read as a domain but does not match the domain
  grammar, yet is a valid path component (e.g. "a.b_c/foo"), leaves the reference
  with an empty `domain` and path "a.b_c/foo".
- `familiar()` of a docker.io path whose first component looks like a domain
  ("docker.io/foo.bar/baz" -> "foo.bar/baz") does not parse back to the same name.

What the real docker CLI (client 28.2.2, no daemon running) prints, checked by hand:

    $ docker run Busybox                      (exit 125)
    docker: invalid reference format: repository name (library/Busybox) must be lowercase

    Run 'docker run --help' for more information
    $ docker run busybox:                     (exit 125)  docker: invalid reference format
    $ docker run ''                           (exit 125)  docker: invalid reference format
    $ docker run Foo_x/bar                    (exit 125)  docker: repository name must be lowercase
    $ docker run busybox@md5:<32 hex>         (exit 125)  docker: unsupported digest algorithm
    $ docker run busybox@sha256:<40 hex>      (exit 125)  docker: invalid checksum digest length
    $ docker pull Busybox                     (exit 1)
    invalid reference format: repository name (library/Busybox) must be lowercase
    $ docker create Busybox / docker push Busybox   (exit 1)  same line as pull
    $ docker pull docker.io/Library/busybox   (exit 1)
    invalid reference format: repository name (Library/busybox) must be lowercase
    $ docker pull localhost:5000/Foo          (exit 1)
    invalid reference format: repository name (Foo) must be lowercase
    $ docker pull Foo:5000/Bar                (exit 1)
    invalid reference format: repository name (Bar) must be lowercase
    $ docker pull a/B/c                       (exit 1)
    invalid reference format: repository name (a/B/c) must be lowercase
    $ docker pull Busybox@sha256:<64 hex>     (exit 1)
    invalid reference format: repository name (library/Busybox@sha256) must be lowercase
    $ docker pull busybox:tag@SHA256:<64 hex> (exit 1)  invalid checksum digest format
    $ docker pull busybox@sha256:ABCDEF...    (exit 1)  invalid checksum digest format
    $ docker pull busybox@sha256:abc          (exit 1)  invalid reference format
    $ docker pull <64 hex>                    (exit 1)
    invalid repository name (<64 hex>), cannot specify 64-byte hexadecimal strings
    $ docker pull <248 x "a">                 (exit 1)
    repository name must not be more than 255 characters      ("library/" counts)
    $ docker tag busybox Foo                  (exit 1)
    Error parsing reference: "Foo" is not a valid repository/tag: invalid reference
    format: repository name (library/Foo) must be lowercase        (one line)
    $ docker build -t Busybox .               (exit 125)
    invalid argument "Busybox" for "-t, --tag" flag: invalid reference format:
    repository name (library/Busybox) must be lowercase            (one line)

Valid (the CLI goes on to contact the daemon): "Foo/bar:latest", "UPPER/x",
"EXAMPLE.com/foo", "busybox:Tag", "a.b_c/foo", "[::1]:5000/foo", "[::1]/foo",
"sha256:<64 hex>", busybox@sha384:<96 hex>, busybox@sha512:<128 hex>.
`docker run <64 hex>` / `docker create <64 hex>` accept the string as an image ID
(ParseAnyReference); `docker images X`, `docker rmi X`, `docker save X` and
`docker image inspect X` send X to the daemon unparsed.
"""
from __future__ import annotations

import re
from collections import namedtuple

from ..errors import InvalidReference

__all__ = [
    "DEFAULT_DOMAIN", "DEFAULT_TAG", "LEGACY_DEFAULT_DOMAIN", "NAME_TOTAL_LENGTH_MAX",
    "Reference", "parse", "parse_repository", "parse_canonical", "is_image_id_like",
]

DEFAULT_DOMAIN = "docker.io"
LEGACY_DEFAULT_DOMAIN = "index.docker.io"
OFFICIAL_REPO_PREFIX = "library/"
DEFAULT_TAG = "latest"
LOCALHOST = "localhost"
NAME_TOTAL_LENGTH_MAX = 255

# --- the grammar (regexp.go); ASCII-only classes, like Go's RE2 ---------------------

_ALPHANUMERIC = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_DOMAIN_NAME_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_OPTIONAL_PORT = r"(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}"
_IDENTIFIER = r"[a-f0-9]{64}"
_IPV6_ADDRESS = r"\[(?:[a-fA-F0-9:]+)\]"
_DOMAIN_NAME = _DOMAIN_NAME_COMPONENT + r"(?:\." + _DOMAIN_NAME_COMPONENT + r")*"
_HOST = r"(?:" + _DOMAIN_NAME + r"|" + _IPV6_ADDRESS + r")"
_DOMAIN_AND_PORT = _HOST + _OPTIONAL_PORT
_PATH_COMPONENT = _ALPHANUMERIC + r"(?:" + _SEPARATOR + _ALPHANUMERIC + r")*"
_REMOTE_NAME = _PATH_COMPONENT + r"(?:/" + _PATH_COMPONENT + r")*"
_NAME = r"(?:" + _DOMAIN_AND_PORT + r"/)?" + _REMOTE_NAME

# Always used with fullmatch: Python's "$" would also match before a final newline.
# The full grammar is compiled on first use: "busybox" and "name:tag", the common case,
# never need it, and compiling it costs a few milliseconds of every dockerlings start.
class _Lazy:
    def __init__(self, pattern: str):
        self.pattern, self.compiled = pattern, None

    def fullmatch(self, text: str):
        if self.compiled is None:
            self.compiled = re.compile(self.pattern, re.ASCII)
        return self.compiled.fullmatch(text)


_REFERENCE_RE = _Lazy(r"(" + _NAME + r")(?::(" + _TAG + r"))?(?:@(" + _DIGEST + r"))?")
_ANCHORED_NAME_RE = _Lazy(r"(?:(" + _DOMAIN_AND_PORT + r")/)?(" + _REMOTE_NAME + r")")
_IDENTIFIER_RE = re.compile(_IDENTIFIER, re.ASCII)

# go-digest v1.0.0: the algorithms the docker CLI has registered, with hex lengths.
_GO_DIGEST_RE = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+", re.ASCII)
_DIGEST_HEX_LENGTH = {"sha256": 64, "sha384": 96, "sha512": 128}
# one lowercase path component, an optional tag: always an official docker.io image
_SIMPLE = re.compile(r"(" + _PATH_COMPONENT + r")(?::(" + _TAG + r"))?\Z", re.ASCII)
_LOWER_HEX_RE = re.compile(r"[a-f0-9]+", re.ASCII)
_SHORT_ID_RE = re.compile(r"(?:sha256:)?[a-f0-9]{1,64}", re.ASCII)

# Docker's error texts.
ERR_REFERENCE_INVALID_FORMAT = "invalid reference format"
ERR_NAME_CONTAINS_UPPERCASE = "repository name must be lowercase"
ERR_NAME_EMPTY = "repository name must have at least one component"
ERR_NAME_TOO_LONG = f"repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters"
ERR_NAME_NOT_CANONICAL = "repository name must be canonical"
ERR_DIGEST_INVALID_FORMAT = "invalid checksum digest format"
ERR_DIGEST_INVALID_LENGTH = "invalid checksum digest length"
ERR_DIGEST_UNSUPPORTED = "unsupported digest algorithm"


class Reference(namedtuple("Reference", "domain path tag digest", defaults=(None, None))):
    """A parsed, normalised image reference.

    `domain` is "" only in the rare case described in the module docstring.
    """

    __slots__ = ()

    @property
    def name(self) -> str:
        """The full repository name: "docker.io/library/busybox"."""
        return f"{self.domain}/{self.path}" if self.domain else self.path

    @property
    def familiar_name(self) -> str:
        """The name as Docker's UI shows it: "busybox", "user/app", "host:5000/a/b"."""
        domain, path = self.domain, self.path
        if domain == DEFAULT_DOMAIN:
            domain = ""
            if path.startswith(OFFICIAL_REPO_PREFIX):
                rest = path[len(OFFICIAL_REPO_PREFIX):]
                if "/" not in rest:
                    path = rest
        return f"{domain}/{path}" if domain else path

    def _suffix(self) -> str:
        out = ""
        if self.tag is not None:
            out += ":" + self.tag
        if self.digest is not None:
            out += "@" + self.digest
        return out

    def __str__(self) -> str:
        return self.name + self._suffix()

    def familiar(self) -> str:
        """What `docker images` / `docker ps` show: "busybox:latest"."""
        return self.familiar_name + self._suffix()


# --- helpers -------------------------------------------------------------------------

def _go_lower(s: str) -> str:
    """strings.ToLower: the simple (one rune to one rune) Unicode lower-case mapping."""
    if s.isascii():
        return s.lower()
    out = []
    for ch in s:
        low = ch.lower()
        if len(low) != 1:           # only U+0130 has a longer full mapping
            low = "i" if ch == "\u0130" else ch
        out.append(low)
    return "".join(out)


def _validate_digest(d: str) -> None:
    """go-digest's Digest.Validate, with sha256/sha384/sha512 available."""
    i = d.find(":")
    if i <= 0 or i + 1 == len(d):
        raise InvalidReference(ERR_DIGEST_INVALID_FORMAT)
    algorithm, encoded = d[:i], d[i + 1:]
    size = _DIGEST_HEX_LENGTH.get(algorithm)
    if size is None:
        if not _GO_DIGEST_RE.fullmatch(d):
            raise InvalidReference(ERR_DIGEST_INVALID_FORMAT)
        raise InvalidReference(ERR_DIGEST_UNSUPPORTED)
    if len(encoded) != size:
        raise InvalidReference(ERR_DIGEST_INVALID_LENGTH)
    if not _LOWER_HEX_RE.fullmatch(encoded):
        raise InvalidReference(ERR_DIGEST_INVALID_FORMAT)


def _parse_plain(s: str) -> Reference:
    """reference.Parse: the grammar, no normalisation. Tag/digest are None if absent."""
    if s == "":
        raise InvalidReference(ERR_NAME_EMPTY)
    m = _REFERENCE_RE.fullmatch(s)
    if m is None:
        low = _go_lower(s)
        if low != s and _REFERENCE_RE.fullmatch(low):
            raise InvalidReference(ERR_NAME_CONTAINS_UPPERCASE)
        raise InvalidReference(ERR_REFERENCE_INVALID_FORMAT)
    name, tag, digest = m.group(1), m.group(2), m.group(3)
    nm = _ANCHORED_NAME_RE.fullmatch(name)
    assert nm is not None  # same grammar as the name group above
    domain, path = nm.group(1) or "", nm.group(2)
    if len(path) > NAME_TOTAL_LENGTH_MAX:
        raise InvalidReference(ERR_NAME_TOO_LONG)
    if digest is not None:
        _validate_digest(digest)
    return Reference(domain, path, tag, digest)


def _split_docker_domain(name: str) -> tuple[str, str]:
    """normalize.go splitDockerDomain."""
    maybe_domain, slash, maybe_remote = name.partition("/")
    if not slash:
        return DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + name
    if maybe_domain == LOCALHOST:
        domain, remote = maybe_domain, maybe_remote
    elif maybe_domain == LEGACY_DEFAULT_DOMAIN:
        domain, remote = DEFAULT_DOMAIN, maybe_remote
    elif "." in maybe_domain or ":" in maybe_domain:
        domain, remote = maybe_domain, maybe_remote
    elif _go_lower(maybe_domain) != maybe_domain:
        domain, remote = maybe_domain, maybe_remote
    else:
        domain, remote = DEFAULT_DOMAIN, name
    if domain == DEFAULT_DOMAIN and "/" not in remote:
        remote = OFFICIAL_REPO_PREFIX + remote
    return domain, remote


def _parse_normalized(s: str) -> Reference:
    """normalize.go ParseNormalizedNamed (no default tag)."""
    if not isinstance(s, str):
        raise TypeError(f"image reference must be a str, not {type(s).__name__}")
    if _IDENTIFIER_RE.fullmatch(s):
        raise InvalidReference(
            f"invalid repository name ({s}), cannot specify 64-byte hexadecimal strings")
    domain, remainder = _split_docker_domain(s)
    remote = remainder.split(":", 1)[0]
    if _go_lower(remote) != remote:
        raise InvalidReference(
            f"invalid reference format: repository name ({remote}) must be lowercase")
    return _parse_plain(domain + "/" + remainder)


# --- public API ------------------------------------------------------------------------

def parse(text: str, default_tag: str | None = DEFAULT_TAG) -> Reference:
    """ParseNormalizedNamed + TagNameOnly: "busybox" -> docker.io/library/busybox:latest.

    `default_tag` is added only when the text has neither a tag nor a digest; pass None
    to leave such a reference untagged. Raises InvalidReference with Docker's message.
    """
    # "busybox", "busybox:1.36" and the stored "docker.io/library/busybox:1.36": the
    # common cases, without the full grammar
    canonical = DEFAULT_DOMAIN + "/" + OFFICIAL_REPO_PREFIX
    short = text[len(canonical):] if text.startswith(canonical) else text
    simple = _SIMPLE.match(short)
    if simple and len(simple.group(1)) < NAME_TOTAL_LENGTH_MAX - len(OFFICIAL_REPO_PREFIX) \
            and (short is not text or not _IDENTIFIER_RE.fullmatch(simple.group(1))):
        return Reference(DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + simple.group(1),
                         simple.group(2) or default_tag, None)
    ref = _parse_normalized(text)
    if ref.tag is None and ref.digest is None and default_tag is not None:
        ref = Reference(ref.domain, ref.path, default_tag, None)
    return ref


def parse_repository(text: str) -> Reference:
    """A bare repository name ("busybox", "host:5000/a/b"): tag and digest are refused
    with "invalid reference format" (as reference.WithName does). `tag` is None."""
    ref = _parse_normalized(text)
    if ref.tag is not None or ref.digest is not None:
        raise InvalidReference(ERR_REFERENCE_INVALID_FORMAT)
    return ref


def parse_canonical(text: str) -> Reference:
    """reference.ParseNamed: the text must already be in full normalised form
    ("docker.io/library/busybox:latest"), else "repository name must be canonical".
    No default tag is added."""
    ref = _parse_normalized(text)
    if str(ref) != text:
        raise InvalidReference(ERR_NAME_NOT_CANONICAL)
    return ref


def is_image_id_like(text: str) -> bool:
    """Whether `text` could name an image by ID: 1 to 64 lower-case hex digits,
    optionally after "sha256:" (the daemon matches IDs and ID prefixes this way).
    A string can be both ID-like and a valid name ("abc123", "cafe")."""
    return isinstance(text, str) and _SHORT_ID_RE.fullmatch(text) is not None
