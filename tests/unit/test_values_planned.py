"""shell.cli.values: the value types of docker's run/create options that dockerlings
lists as planned (--ulimit, --sysctl, --gpus, the device throttles ...), Go's integer
and CSV parsing beneath them, and the MAC and platform parsers run after parsing.

Expected texts are the docker CLI 28.2.2's, from this machine with no daemon (`docker run
--ulimit VALUE busybox` ...), or where the CLI needs a daemon first, from its source
(docker/cli v28.2.2, containerd/platforms v1.0.0-rc.1, Go's strconv, net, encoding/csv).
"""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shell.cli import spec, values


def error_of(func, text: str) -> str:
    with pytest.raises(ValueError) as info:
        func(text)
    return str(info.value)


# --- strconv.ParseInt / ParseUint with a base and a size ------------------------------

@pytest.mark.parametrize("text, base, bits, expected", [
    ("10", 10, 64, 10), ("010", 10, 64, 10), ("-1", 10, 64, -1), ("+7", 10, 64, 7),
    ("0x10", 0, 64, 16), ("1_000", 0, 64, 1000), ("127", 0, 8, 127), ("-128", 0, 8, -128),
])
def test_go_parse_int_accepts(text, base, bits, expected):
    assert values.go_parse_int(text, base, bits) == expected


@pytest.mark.parametrize("text, base, bits, reason", [
    ("0x10", 10, 64, "invalid syntax"), ("1_000", 10, 64, "invalid syntax"),
    ("", 10, 64, "invalid syntax"), ("-", 10, 64, "invalid syntax"),
    ("128", 0, 8, "value out of range"), ("-129", 0, 8, "value out of range"),
])
def test_go_parse_int_errors(text, base, bits, reason):
    assert error_of(lambda t: values.go_parse_int(t, base, bits), text) == \
        f"strconv.ParseInt: parsing {values.go_quote(text)}: {reason}"


@pytest.mark.parametrize("text, reason", [
    ("x", "invalid syntax"), ("-1", "invalid syntax"), ("+1", "invalid syntax"),
    ("70000", "value out of range"),
    ("700000x", "value out of range"),      # Go stops at the first digit that overflows
])
def test_uint16_errors(text, reason):
    assert error_of(values.go_uint16, text) == f'strconv.ParseUint: parsing "{text}": {reason}'


def test_uint_kinds():
    assert values.go_uint16("0x10") == 16 and values.go_uint16("65535") == 65535
    assert values.go_uint64("18446744073709551615") == (1 << 64) - 1
    run = spec.PATHS[("run",)]
    assert values.convert(run.flag("blkio-weight"), "500") == 500
    assert values.convert(run.flag("io-maxiops"), "10") == 10


@given(st.integers(min_value=values.INT64_MIN, max_value=values.INT64_MAX))
def test_go_parse_int_base_10_round_trips(n):
    assert values.go_parse_int(str(n), 10) == n


# --- --ulimit, --sysctl ----------------------------------------------------------------

@pytest.mark.parametrize("text", ["nofile=1024", "nofile=1024:2048", "nproc=-1",
                                  "core=-1:-1", "stack=1:-1"])
def test_ulimit_accepts(text):
    assert values.ulimit(text) == text


@pytest.mark.parametrize("text, message", [
    ("bad", "invalid ulimit argument: bad"),
    ("foo=1", "invalid ulimit type: foo"),
    ("as=1", "invalid ulimit type: as"),
    ("nofile=x", 'strconv.ParseInt: parsing "x": invalid syntax'),
    ("nofile=x:y", 'strconv.ParseInt: parsing "y": invalid syntax'),    # hard comes first
    ("nofile=0x10", 'strconv.ParseInt: parsing "0x10": invalid syntax'),
    ("nofile=2:1", "ulimit soft limit must be less than or equal to hard limit: 2 > 1"),
    ("nofile=-1:1", "ulimit soft limit must be less than or equal to hard limit: soft: -1 "
     "(unlimited), hard: 1"),
    ("nofile=1:2:3", "too many limit value arguments - 1:2:3, can only have up to two, "
     "`soft[:hard]`"),
])
def test_ulimit_errors(text, message):
    assert error_of(values.ulimit, text) == message


@pytest.mark.parametrize("text", ["net.ipv4.ip_forward=1", "kernel.shmmax=1", "fs.mqueue.x=",
                                  "net.=1"])
def test_sysctl_accepts(text):
    assert values.sysctl(text) == text


@pytest.mark.parametrize("text", ["bad", "=1", "kernel.foo=1", "net.ipv4.ip_forward",
                                  "fs.file-max=1"])
def test_sysctl_errors(text):
    assert error_of(values.sysctl, text) == f"sysctl '{text}' is not allowed"


# --- encoding/csv and --gpus ---------------------------------------------------------------

@pytest.mark.parametrize("text, fields", [
    ("a", ["a"]), ("a,b", ["a", "b"]), ("a,", ["a", ""]), ('"a,b",c', ["a,b", "c"]),
    ('"a""b"', ['a"b']), ("a\nb", ["a"]), ("\n\na", ["a"]), ("a\r\n", ["a"]),
    ('"a\nb"', ["a\nb"]), ("é,ü", ["é", "ü"]),
])
def test_go_csv_record(text, fields):
    assert values.go_csv_record(text) == fields


@pytest.mark.parametrize("text, message", [
    ("", "EOF"), ("\n", "EOF"),
    ('a"b', 'parse error on line 1, column 2: bare " in non-quoted-field'),
    ('"a', 'parse error on line 1, column 3: extraneous or missing " in quoted-field'),
    ('"a"x', 'parse error on line 1, column 3: extraneous or missing " in quoted-field'),
    ('"a\nb', 'record on line 1; parse error on line 2, column 2: extraneous or missing " '
     "in quoted-field"),
])
def test_go_csv_record_errors(text, message):
    assert error_of(values.go_csv_record, text) == message


@pytest.mark.parametrize("text", ["all", "2", "-1", "+3", "count=2,driver=nvidia",
                                  '"device=0,1"', "capabilities=compute",
                                  "options=a=b"])
def test_gpu_request_accepts(text):
    assert values.gpu_request(text) == text


@pytest.mark.parametrize("text, message", [
    ("bad", 'invalid count (bad): value must be either "all" or an integer: invalid syntax'),
    ("99999999999999999999", 'invalid count (99999999999999999999): value must be either '
     '"all" or an integer: value out of range'),
    ("count=1,count=2", "gpu request key 'count' can be specified only once"),
    ("1,count=2", "gpu request key 'count' can be specified only once"),
    ("foo=1", "unexpected key 'foo' in 'foo=1'"),
    ("", "EOF"),
    ('a"b', 'parse error on line 1, column 2: bare " in non-quoted-field'),
    ('"options=""a"', 'failed to read gpu options: parse error on line 1, column 3: extraneous '
     'or missing " in quoted-field'),
])
def test_gpu_request_errors(text, message):
    assert error_of(values.gpu_request, text) == message


# --- devices, links, DNS search domains ---------------------------------------------------

RATE = ("The correct format is <device-path>:<number>[<unit>]. Number must be a positive "
        "integer. Unit is optional and can be kb, mb, or gb")


@pytest.mark.parametrize("func, text, message", [
    (values.weight_device, "x", "bad format: x"),
    (values.weight_device, ":5", "bad format: :5"),
    (values.weight_device, "sda:500", "bad format for device path: sda:500"),
    (values.weight_device, "/dev/sda:5", "invalid weight for device: /dev/sda:5"),
    (values.weight_device, "/dev/sda:1001", "invalid weight for device: /dev/sda:1001"),
    (values.throttle_bps_device, "/dev/sda:x", f"invalid rate for device: /dev/sda:x. {RATE}"),
    (values.throttle_bps_device, "/dev/sda:-1",
     f"invalid rate for device: /dev/sda:-1. {RATE}"),
    (values.throttle_iops_device, "/dev/sda:1k", "invalid rate for device: /dev/sda:1k. The "
     "correct format is <device-path>:<number>. Number must be a positive integer"),
    (values.device_cgroup_rule, "x", "invalid device cgroup format 'x'"),
    (values.device_cgroup_rule, "c 1:3 rwmr", "invalid device cgroup format 'c 1:3 rwmr'"),
    (values.link, "", "empty string specified for links"),
    (values.link, "a:b:c", "bad format for links: a:b:c"),
    (values.dns_search, "-bad", "-bad is not a valid domain"),
    (values.dns_search, "123", "123 is not a valid domain"),
    (values.dns_search, " a..b ", "a..b is not a valid domain"),
])
def test_device_link_and_domain_errors(func, text, message):
    assert error_of(func, text) == message


def test_device_link_and_domain_values():
    assert values.weight_device("/dev/sda:0") == "/dev/sda:0"
    assert values.weight_device("/dev/sda:500") == "/dev/sda:500"
    assert values.throttle_bps_device("/dev/sda:1mb") == "/dev/sda:1mb"
    assert values.throttle_iops_device("/dev/sda:1000") == "/dev/sda:1000"
    assert values.device_cgroup_rule("a *:* m") == "a *:* m"
    assert values.link("db:database") == "db:database"
    assert values.dns_search("example.com.") == "example.com"
    assert values.dns_search(" . ") == "."


# --- after parsing: MAC addresses and platforms ---------------------------------------------

@pytest.mark.parametrize("text, valid", [
    ("92:d0:c6:0a:29:33", True), ("92-D0-C6-0A-29-33", True), ("92d0.c60a.2933", True),
    ("00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01", True),
    ("92:d0-c6:0a:29:33", False), ("92d0.c60a:2933", False), ("92:d0:c6:0a:29:3g", False),
    ("92:d0:c6:0a:29", False), ("zz", False), ("92:d0:c6:0a:29:33:44", False),
])
def test_go_parse_mac(text, valid):
    assert values.go_parse_mac(text) is valid


@pytest.mark.parametrize("text", ["linux", "Linux", "windows(10.0)", "amd64", "x86_64",
                                  "armhf", "macos", "linux/amd64", "linux/arm/v7",
                                  "foo/bar", "a/b/c"])
def test_go_platform_accepts(text):
    assert values.go_platform(text) == text


@pytest.mark.parametrize("text, message", [
    ("foo", '"foo": unknown operating system or architecture'),
    ("a*", '"a*": wildcards not yet supported'),
    ("a/b/c/d", '"a/b/c/d": cannot parse platform specifier'),
    ("lin(ux", '"lin(ux" is an invalid OS component of "lin(ux": OSAndVersion specifier '
     'component must match "^([A-Za-z0-9_-]+)(?:\\\\(([A-Za-z0-9_.-]*)\\\\))?$"'),
    ("linux/a@", '"a@" is an invalid component of "linux/a@": platform specifier component '
     'must match "^[A-Za-z0-9_.-]+$"'),
    ("a/b/c/d/e", '"d/e" is an invalid component of "a/b/c/d/e": platform specifier '
     'component must match "^[A-Za-z0-9_.-]+$"'),
])
def test_go_platform_errors(text, message):
    assert error_of(values.go_platform, text) == message + ": invalid argument"
