"""Docker's rules for -v, --mount, --tmpfs and --volumes-from, and docker cp's path
rules, without containers."""
from __future__ import annotations

import pytest

from engine.config import Mount
from engine.errors import InvalidParameter
from engine.volumes import specs
from shell.cli import values
from shell.commands import cp


@pytest.mark.parametrize("raw, kind, name, source, dest, mode, rw, prop", [
    ("/h:/c", "bind", None, "/h", "/c", "", True, "rprivate"),
    ("/h:/c:ro", "bind", None, "/h", "/c", "ro", False, "rprivate"),
    ("/h/:/c/:ro,rshared", "bind", None, "/h", "/c", "ro,rshared", False, "rshared"),
    ("data:/c", "volume", "data", "", "/c", "z", True, ""),
    ("data:/c:ro", "volume", "data", "", "/c", "ro", False, ""),
    ("data:/c:nocopy", "volume", "data", "", "/c", "nocopy", True, ""),
    ("/c", "volume", "", "", "/c", "z", True, ""),
])
def test_parse_bind(raw, kind, name, source, dest, mode, rw, prop):
    mp = specs.parse_bind(raw)
    assert (mp["Type"], mp.get("Name"), mp["Source"], mp["Destination"], mp["Mode"], mp["RW"],
            mp["Propagation"]) == (kind, name, source, dest, mode, rw, prop)
    assert mp["Spec"]["Source"] == ("" if raw == "/c" else raw.split(":")[0])


def test_named_volumes_are_filled_from_the_image_unless_nocopy():
    assert specs.parse_bind("d1:/c")["CopyData"] is True
    assert specs.parse_bind("d1:/c:nocopy")["CopyData"] is False
    assert specs.parse_bind("/h:/c")["CopyData"] is False


@pytest.mark.parametrize("raw, message", [
    ("a:b:c:d", "invalid volume specification: 'a:b:c:d'"),
    ("/data:ro", "invalid volume specification: '/data:ro'"),
    (":/x", "invalid volume specification: ':/x'"),
    ("/h:/c:rw,ro", "invalid mode: rw,ro"),
    ("/h:/c:rwz", "invalid mode: rwz"),
    ("/h:rel", "invalid volume specification: '/h:rel': invalid mount config for type "
               "\"bind\": invalid mount path: 'rel' mount path must be absolute"),
    ("/h:/", "invalid volume specification: '/h:/': invalid mount config for type \"bind\": "
             "invalid specification: destination can't be '/'"),
    ("v1:/p:shared", "invalid volume specification: 'v1:/p:shared': invalid mount config for "
                     "type \"volume\": field BindOptions must not be specified"),
    ("/h:/p:nocopy", "invalid volume specification: '/h:/p:nocopy': invalid mount config for "
                     "type \"bind\": field VolumeOptions must not be specified"),
])
def test_parse_bind_errors(raw, message):
    with pytest.raises(InvalidParameter) as e:
        specs.parse_bind(raw)
    assert e.value.message == message


def test_parse_mount():
    mp = specs.parse_mount(Mount("volume", "", "/cache"))
    assert (mp["Type"], mp["Name"], mp["Mode"], mp["Spec"]["Source"]) == ("volume", "", "z", "")
    mp = specs.parse_mount(Mount("bind", "/h", "/c", True))
    assert (mp["RW"], mp["Propagation"], mp["SkipMountpointCreation"]) == (False, "rprivate",
                                                                           True)
    mp = specs.parse_mount(Mount("tmpfs", "", "/t", tmpfs_options={"SizeBytes": 1 << 20,
                                                                   "Mode": 0o700}))
    assert specs.tmpfs_options(mp) == "size=1024k,mode=700"


@pytest.mark.parametrize("m, message", [
    (Mount("tmpfs", "x", "/t"), 'invalid mount config for type "tmpfs": field Source must not '
                                "be specified"),
    (Mount("volume", "", "/t", True), 'invalid mount config for type "volume": must not set '
                                      "ReadOnly mode when using anonymous volumes"),
    (Mount("bind", "", "/t"), 'invalid mount config for type "bind": field Source must not be '
                              "empty"),
    (Mount("bind", "/h", "/t", bind_options={"Propagation": "odd"}),
     'invalid mount config for type "bind": invalid propagation mode: odd'),
    (Mount("npipe", "", "/t"), 'invalid mount config for type "npipe": mount type unknown'),
])
def test_parse_mount_errors(m, message):
    with pytest.raises(InvalidParameter) as e:
        specs.parse_mount(m)
    assert e.value.message == message


def test_volumes_from_specs():
    assert specs.parse_volumes_from("data") == ("data", "rw")
    assert specs.parse_volumes_from("data:ro") == ("data", "ro")
    for bad in ("data:shared", "data:nocopy", "data:xyz"):
        with pytest.raises(InvalidParameter, match="invalid mode"):
            specs.parse_volumes_from(bad)
    inherited = specs.inherited(specs.parse_bind("d1:/c"), "ro")
    assert (inherited["RW"], inherited["Mode"], inherited["CopyData"]) == (False, "", False)


def test_public_view_has_dockers_keys_in_order():
    assert list(specs.public(specs.parse_bind("d1:/c"))) == [
        "Type", "Name", "Source", "Destination", "Driver", "Mode", "RW", "Propagation"]
    assert list(specs.public(specs.parse_bind("/h:/c"))) == [
        "Type", "Source", "Destination", "Mode", "RW", "Propagation"]


# --- the CLI's side -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("type=bind,src=/a,dst=/b", Mount("bind", "/a", "/b")),
    ("type=bind,source=/a,target=/b,readonly", Mount("bind", "/a", "/b", True)),
    ("type=bind,src=/a,dst=/b,ro=false", Mount("bind", "/a", "/b", False)),
    ("src=v1,destination=/b,volume-nocopy", Mount("volume", "v1", "/b", False, None,
                                                  {"NoCopy": True})),
    ("type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770",
     Mount("tmpfs", "", "/t", False, None, None, {"SizeBytes": 64 << 20, "Mode": 0o1770})),
    ('"type=bind","src=/a,b",dst=/c', Mount("bind", "/a,b", "/c")),
])
def test_mount_flag_values(text, expected):
    assert values.mount(text) == expected


@pytest.mark.parametrize("text, message", [
    ("bad", "invalid field 'bad' must be a key=value pair"),
    ("foo=bar", "unexpected key 'foo' in 'foo=bar'"),
    ("type=bind", "target is required"),
    ("type=,dst=/x", "type is required"),
    ("type=bind,dst=/x,ro=maybe", "invalid value for ro: maybe"),
    ("type=tmpfs,dst=/x,tmpfs-mode=9", "invalid value for tmpfs-mode: 9"),
    ("type=volume,dst=/x,bind-propagation=shared",
     "cannot mix 'bind-*' options with mount type 'volume'"),
])
def test_mount_flag_errors(text, message):
    with pytest.raises(ValueError) as e:
        values.mount(text)
    assert str(e.value) == message


@pytest.mark.parametrize("arg, expected", [
    ("box:/etc", ("box", "/etc")), ("box:etc", ("box", "etc")), ("/abs:x", ("", "/abs:x")),
    ("./file:name", ("", "./file:name")), ("plain", ("", "plain")), ("-", ("", "-")),
])
def test_cp_split_arg(arg, expected):
    assert cp.split_arg(arg) == expected


@pytest.mark.parametrize("src, src_dir, dst, exists, dst_dir, result", [
    # a file into an existing directory: unpacked there as it is
    ("/a/f", False, "/d", True, True, ("/d", None)),
    # a file onto a new name: renamed
    ("/a/f", False, "/d/g", False, False, ("/d", ("f", "g"))),
    # a file over an existing file: renamed to it
    ("/a/f", False, "/d/g", True, False, ("/d", ("f", "g"))),
    # a directory to a new path: created under that name
    ("/a/dir", True, "/d/new", False, False, ("/d", ("dir", "new"))),
    # a directory's content (/.) into an existing directory
    ("/a/dir/.", True, "/d", True, True, ("/d", None)),
    # a directory's content to a new path
    ("/a/dir/.", True, "/d/new", False, False, ("/d", (".", "new"))),
])
def test_cp_prepare(src, src_dir, dst, exists, dst_dir, result):
    assert cp._prepare(src, src_dir, "", dst, exists, dst_dir) == result


def test_cp_prepare_refusals():
    from engine.errors import CliError
    with pytest.raises(CliError, match="cannot copy directory"):
        cp._prepare("/a/dir", True, "", "/d/file", True, False)
    with pytest.raises(CliError, match="no such directory"):
        cp._prepare("/a/f", False, "", "/d/new/", False, False)
