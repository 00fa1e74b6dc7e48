"""engine.images.reference against Docker's own behaviour.

Every row of CASES was checked against the real docker CLI (client 28.2.2) with
`docker pull -- TEXT` and no daemon: an invalid reference prints the message below,
a valid one gets as far as "Cannot connect to the Docker daemon". test_cli_agrees
re-checks the table when a docker binary is on this machine (it never reaches a
daemon: DOCKER_HOST points at a socket that does not exist).
"""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.errors import InvalidParameter, InvalidReference
from engine.images.reference import (
    Reference,
    is_image_id_like,
    parse,
    parse_canonical,
    parse_repository,
)
from engine.images import reference as refmod

H = "0123456789abcdef" * 4                  # 64 lower-case hex digits
D = "sha256:" + H
D512 = "sha512:" + H + H
D384 = "sha384:" + H + H[:32]
IRF = "invalid reference format"
LOWER = "repository name must be lowercase"
TOO_LONG = "repository name must not be more than 255 characters"


def _upper(name: str) -> str:
    return f"invalid reference format: repository name ({name}) must be lowercase"


# (input, str(parse(input)), parse(input).familiar())  -- valid references
VALID = [
    ("busybox", "docker.io/library/busybox:latest", "busybox:latest"),
    ("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"),
    ("library/busybox", "docker.io/library/busybox:latest", "busybox:latest"),
    ("docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"),
    ("docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest"),
    ("docker.io/library/busybox:latest", "docker.io/library/busybox:latest", "busybox:latest"),
    ("index.docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"),
    ("index.docker.io/library/busybox:musl", "docker.io/library/busybox:musl", "busybox:musl"),
    ("user/app", "docker.io/user/app:latest", "user/app:latest"),
    ("docker.io/user/app:v2", "docker.io/user/app:v2", "user/app:v2"),
    ("library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest"),
    ("localhost/foo", "localhost/foo:latest", "localhost/foo:latest"),
    ("localhost:5000/foo/bar:tag", "localhost:5000/foo/bar:tag", "localhost:5000/foo/bar:tag"),
    ("host:5000/a/b:tag", "host:5000/a/b:tag", "host:5000/a/b:tag"),
    ("example.com/foo", "example.com/foo:latest", "example.com/foo:latest"),
    ("EXAMPLE.com/foo", "EXAMPLE.com/foo:latest", "EXAMPLE.com/foo:latest"),
    ("Foo/bar", "Foo/bar:latest", "Foo/bar:latest"),           # upper case => a domain
    ("UPPER/x", "UPPER/x:latest", "UPPER/x:latest"),
    ("192.168.1.1:5000/x", "192.168.1.1:5000/x:latest", "192.168.1.1:5000/x:latest"),
    ("[::1]:5000/foo", "[::1]:5000/foo:latest", "[::1]:5000/foo:latest"),
    ("[::1]/foo", "[::1]/foo:latest", "[::1]/foo:latest"),
    ("[2001:db8::1]:443/ns/img:1", "[2001:db8::1]:443/ns/img:1", "[2001:db8::1]:443/ns/img:1"),
    ("a-b.example:80/x", "a-b.example:80/x:latest", "a-b.example:80/x:latest"),
    ("localhost:5000", "docker.io/library/localhost:5000", "localhost:5000"),   # a tag!
    ("localhost", "docker.io/library/localhost:latest", "localhost:latest"),
    ("busybox:Tag_1.0-rc", "docker.io/library/busybox:Tag_1.0-rc", "busybox:Tag_1.0-rc"),
    ("busybox:_x", "docker.io/library/busybox:_x", "busybox:_x"),
    ("busybox:" + "t" * 128, "docker.io/library/busybox:" + "t" * 128, "busybox:" + "t" * 128),
    ("busybox@" + D, "docker.io/library/busybox@" + D, "busybox@" + D),
    ("busybox:1@" + D, "docker.io/library/busybox:1@" + D, "busybox:1@" + D),
    ("host:5000/a/b:t@" + D, "host:5000/a/b:t@" + D, "host:5000/a/b:t@" + D),
    ("busybox@" + D512, "docker.io/library/busybox@" + D512, "busybox@" + D512),
    ("busybox@" + D384, "docker.io/library/busybox@" + D384, "busybox@" + D384),
    ("sha256:" + H, "docker.io/library/sha256:" + H, "sha256:" + H),            # a tag!
    ("a.b_c/foo", "a.b_c/foo:latest", "a.b_c/foo:latest"),   # domain "" (see module)
    ("a__b/c--d", "docker.io/a__b/c--d:latest", "a__b/c--d:latest"),
    ("a-b---c/x.y_z", "docker.io/a-b---c/x.y_z:latest", "a-b---c/x.y_z:latest"),
    ("0/1", "docker.io/0/1:latest", "0/1:latest"),
    ("a" * 247, "docker.io/library/" + "a" * 247 + ":latest", "a" * 247 + ":latest"),
    ("docker.io/foo.bar/baz", "docker.io/foo.bar/baz:latest", "foo.bar/baz:latest"),
    ("abc123", "docker.io/library/abc123:latest", "abc123:latest"),
    (H[:63], f"docker.io/library/{H[:63]}:latest", f"{H[:63]}:latest"),
]

# (input, exact InvalidReference message)
INVALID = [
    ("Busybox", _upper("library/Busybox")),
    ("Busybox:latest", _upper("library/Busybox")),
    ("docker.io/Library/busybox", _upper("Library/busybox")),
    ("localhost:5000/Foo", _upper("Foo")),
    ("Foo:5000/Bar", _upper("Bar")),
    ("a/B/c", _upper("a/B/c")),
    ("Busybox@" + D, _upper("library/Busybox@sha256")),
    ("busybox@Foo:" + H, _upper("library/busybox@Foo")),
    ("\u00dcnicode", _upper("library/\u00dcnicode")),
    ("Foo_x/bar", LOWER),
    ("Foo_x/bar:latest", LOWER),
    ("\u212a/x", LOWER),               # KELVIN SIGN lower-cases to ASCII "k"
    ("\u0130x.com/a", LOWER),          # Go maps U+0130 to plain "i"
    ("", IRF),
    ("busybox:", IRF),
    (":tag", IRF),
    ("a/", IRF),
    ("/a", IRF),
    ("a//b", IRF),
    ("a:b:c", IRF),
    ("busybox:tag/x", IRF),
    ("busybox:bad@", IRF),
    ("busybox:-x", IRF),
    ("busybox:.x", IRF),
    ("busybox:" + "t" * 129, IRF),
    ("_a", IRF),
    ("a_", IRF),
    ("a___b", IRF),
    ("a..b", IRF),
    ("-a", IRF),
    ("busybox ", IRF),
    ("busybox\n", IRF),
    ("\u00fcnicode", IRF),
    ("busybox@sha256:abc", IRF),
    ("busybox@", IRF),
    ("[fe80::1%eth0]:5000/foo", IRF),
    ("ex_ample.com:5000/foo", IRF),
    ("host:port/foo", IRF),
    ("busybox:tag:tag", IRF),
    (H, f"invalid repository name ({H}), cannot specify 64-byte hexadecimal strings"),
    ("a" * 248, TOO_LONG),
    ("docker.io/" + "a" * 248, TOO_LONG),
    ("a" * 248 + "@md5:" + H[:32], TOO_LONG),          # length is checked before digest
    ("busybox@md5:" + H[:32], "unsupported digest algorithm"),
    ("busybox@foo+bar:" + H, "unsupported digest algorithm"),
    ("busybox:tag@SHA256:" + H, "invalid checksum digest format"),
    ("busybox@sha256:" + H.upper(), "invalid checksum digest format"),
    ("busybox@sha256:" + H[:40], "invalid checksum digest length"),
    ("busybox@sha256:" + H + H, "invalid checksum digest length"),
    ("busybox@sha512:" + H, "invalid checksum digest length"),
]


def test_table_is_big_enough():
    assert len(VALID) + len(INVALID) >= 60


@pytest.mark.parametrize("text,full,familiar", VALID)
def test_valid(text, full, familiar):
    ref = parse(text)
    assert str(ref) == full
    assert ref.familiar() == familiar
    assert parse(full) == ref


@pytest.mark.parametrize("text,message", INVALID)
def test_invalid(text, message):
    with pytest.raises(InvalidReference) as info:
        parse(text)
    assert str(info.value) == message
    assert info.value.message == message
    assert isinstance(info.value, InvalidParameter) and info.value.from_daemon is False


def test_fields():
    r = parse("busybox")
    assert r == Reference("docker.io", "library/busybox", "latest", None)
    assert (r.name, r.familiar_name) == ("docker.io/library/busybox", "busybox")
    r = parse("host:5000/a/b:tag@" + D)
    assert r == Reference("host:5000", "a/b", "tag", D)
    assert (r.name, r.familiar_name) == ("host:5000/a/b", "host:5000/a/b")
    r = parse("busybox@" + D)
    assert r.tag is None and r.digest == D
    r = parse("docker.io/user/app")
    assert (r.name, r.familiar_name) == ("docker.io/user/app", "user/app")
    r = parse("a.b_c/foo")
    assert (r.domain, r.path, r.name) == ("", "a.b_c/foo", "a.b_c/foo")
    r = parse("Foo/bar")
    assert (r.domain, r.path) == ("Foo", "bar")
    with pytest.raises(Exception):
        r.tag = "x"  # frozen


def test_default_tag():
    assert parse("busybox", default_tag=None) == Reference("docker.io", "library/busybox", None, None)
    assert str(parse("busybox", default_tag=None)) == "docker.io/library/busybox"
    assert parse("busybox", default_tag="1.0").tag == "1.0"
    assert parse("busybox:2", default_tag="1.0").tag == "2"
    assert parse("busybox@" + D, default_tag="1.0").tag is None


def test_parse_repository():
    assert parse_repository("busybox") == Reference("docker.io", "library/busybox", None, None)
    assert parse_repository("host:5000/a/b") == Reference("host:5000", "a/b", None, None)
    for text, message in [("busybox:latest", IRF), ("busybox@" + D, IRF),
                          ("Busybox", _upper("library/Busybox")), ("", IRF)]:
        with pytest.raises(InvalidReference) as info:
            parse_repository(text)
        assert str(info.value) == message


def test_parse_canonical():
    assert parse_canonical("docker.io/library/busybox:latest") == parse("busybox")
    assert parse_canonical("docker.io/library/busybox") == parse("busybox", default_tag=None)
    for text in ["busybox", "busybox:latest", "index.docker.io/library/busybox:latest",
                 "docker.io/busybox:latest"]:
        with pytest.raises(InvalidReference) as info:
            parse_canonical(text)
        assert str(info.value) == "repository name must be canonical"


def test_plain_parse_empty():
    # reference.Parse (no normalisation) is the only way to an empty name.
    with pytest.raises(InvalidReference) as info:
        refmod._parse_plain("")
    assert str(info.value) == "repository name must have at least one component"


def test_familiar_quirk_is_dockers():
    # Docker's FamiliarString has this ambiguity too; it is kept, not "fixed".
    r = parse("docker.io/foo.bar/baz")
    assert r.familiar() == "foo.bar/baz:latest"
    assert parse(r.familiar()) == Reference("foo.bar", "baz", "latest", None)


@pytest.mark.parametrize("text,expected", [
    (H, True), ("sha256:" + H, True), ("abc123", True), ("0", True), ("sha256:abc", True),
    ("ABC123", False), ("abcg", False), ("", False), (H + "0", False), ("sha512:" + H, False),
    ("busybox", False), ("sha256:", False), (" abc", False), ("abc\n", False),
])
def test_is_image_id_like(text, expected):
    assert is_image_id_like(text) is expected


def test_pathological_inputs_are_fast():
    for s in ["a" * 20000 + "!", "a-" * 10000 + "!", "a." * 10000, "a/" * 10000 + "!",
              "a-a." * 5000 + ":/b", "[" + ":" * 10000, ("a" * 30 + ".") * 300 + "/x!"]:
        with pytest.raises(InvalidReference):
            parse(s)


# --- properties ----------------------------------------------------------------------

def _familiar_reparses(r: Reference) -> bool:
    """False exactly for Docker's familiar-name ambiguity (see test_familiar_quirk)."""
    first, slash, _ = r.familiar_name.partition("/")
    if r.domain != "docker.io" or not slash:
        return True
    return not ("." in first or ":" in first or first == "localhost")


def _check_round_trip(r: Reference) -> None:
    assert parse(str(r)) == r
    assert str(parse(str(r))) == str(r)
    assert parse_canonical(str(r)) == r
    if _familiar_reparses(r):
        assert parse(r.familiar()) == r


def _try(text: str) -> Reference | None:
    try:
        return parse(text)
    except InvalidReference:
        return None


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_only_raises_invalid_reference(text):
    r = _try(text)
    if r is not None:
        _check_round_trip(r)


@settings(max_examples=1000)
@given(st.text(alphabet="aAbzZ09._-/:@[]%+ \n\u212a\u0130", max_size=40))
def test_dense_text_only_raises_invalid_reference(text):
    r = _try(text)
    if r is not None:
        _check_round_trip(r)
        assert r.tag is not None or r.digest is not None


_ALNUM = "abcz0189"
_WORD = "aAzZ09_"
_alnum = st.text(alphabet=_ALNUM, min_size=1, max_size=6)
_component = st.builds(
    lambda first, rest: first + "".join(sep + a for sep, a in rest),
    _alnum, st.lists(st.tuples(st.sampled_from([".", "_", "__", "-", "--", "---"]), _alnum),
                     max_size=3))
_domain = st.one_of(
    st.sampled_from(["docker.io", "index.docker.io", "localhost", "localhost:5000",
                     "host:5000", "Example.COM", "UP", "[::1]", "[fe80::1]:5000", "10.0.0.1"]),
    st.builds(lambda labels, port: ".".join(labels) + port,
              st.lists(st.sampled_from(["a", "b-1", "Reg", "x--y", "0"]), min_size=2, max_size=3),
              st.sampled_from(["", ":5000", ":1"])),
)
_tag = st.builds(lambda first, rest: first + rest, st.sampled_from(_WORD),
                 st.text(alphabet=_WORD + ".-", max_size=127))
_digest = st.one_of(
    st.binary(min_size=32, max_size=32).map(lambda b: "sha256:" + b.hex()),
    st.binary(min_size=64, max_size=64).map(lambda b: "sha512:" + b.hex()),
)


@st.composite
def valid_refs(draw):
    domain = draw(st.none() | _domain)
    path = "/".join(draw(st.lists(_component, min_size=1, max_size=3)))
    text = f"{domain}/{path}" if domain else path
    tag = draw(st.none() | _tag)
    digest = draw(st.none() | _digest)
    if tag is not None:
        text += ":" + tag
    if digest is not None:
        text += "@" + digest
    return text, tag, digest


@settings(max_examples=400)
@given(valid_refs())
def test_generated_valid_references(case):
    text, tag, digest = case
    assume(not refmod._IDENTIFIER_RE.fullmatch(text))
    r = parse(text)
    assert r.digest == digest
    assert r.tag == (tag if tag is not None or digest is not None else "latest")
    assert r.domain != "index.docker.io"
    if r.domain == "docker.io":
        assert "/" in r.path
    _check_round_trip(r)


# --- the real docker CLI, when there is one -------------------------------------------

_DOCKER = shutil.which("docker") or ("/usr/local/bin/docker"
                                     if os.access("/usr/local/bin/docker", os.X_OK) else None)


@pytest.mark.skipif(_DOCKER is None, reason="no docker CLI on this machine")
@pytest.mark.parametrize("text,expected", [(t, None) for t, _, _ in VALID] + INVALID)
def test_cli_agrees(text, expected, tmp_path):
    env = dict(os.environ, DOCKER_HOST=f"unix://{tmp_path}/no-such.sock",
               DOCKER_CONFIG=str(tmp_path / "config"))
    env.pop("DOCKER_CONTEXT", None)
    p = subprocess.run([_DOCKER, "pull", "--", text], env=env, capture_output=True,
                       text=True, timeout=30)
    out = (p.stdout + p.stderr).strip()
    assert p.returncode == 1
    if expected is None:
        assert "Cannot connect to the Docker daemon" in out
        bare = parse(text, default_tag=None)
        assert ("Using default tag: latest" in out) == (bare.tag is None and bare.digest is None)
    else:
        assert out == expected
