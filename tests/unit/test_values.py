"""shell.cli.values: flag text -> value, with the words pflag and docker print.

Every expectation here was checked against the real docker CLI 28.2.2 on this machine:
errors with `docker run -m VALUE busybox` (and --cpus, -c, --health-interval, ps -a=,
ps -f) with no daemon, and accepted values by pointing DOCKER_HOST at a socket that
logs the create request (so "64m" -> "Memory":67108864 is what docker really sends).
docker 28.2.2 vendors docker/go-units v0.5.0, whose RAMInBytes reports a bad suffix
("invalid suffix: 'x'") and passes strconv.ParseFloat's own errors through.
"""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shell.cli import spec, values

KiB, MiB, GiB, TiB, PiB = 1 << 10, 1 << 20, 1 << 30, 1 << 40, 1 << 50


def error_of(func, text: str) -> str:
    with pytest.raises(ValueError) as info:
        func(text)
    return str(info.value)


# --- ram_in_bytes (go-units RAMInBytes, used by -m/--memory) -----------------------

@pytest.mark.parametrize("text, expected", [
    ("64m", 64 * MiB),
    ("1.5g", int(1.5 * GiB)),
    ("1k", KiB),
    ("1kb", KiB),
    ("1KiB", KiB),
    ("1KB", KiB),
    ("1kib", KiB),
    ("1kB", KiB),
    ("1Kb", KiB),
    ("1b", 1),
    ("1B", 1),
    ("0", 0),
    ("-0", 0),
    ("1.5", 1),           # truncated to whole bytes
    ("1.", 1),
    (".5k", 512),
    ("+1k", KiB),
    ("1t", TiB),
    ("1p", PiB),
    ("1 k", KiB),         # one space between number and unit is allowed
    ("1 ", 1),
    ("1e3", 1000),        # strconv.ParseFloat takes exponents
    ("1e3k", 1000 * KiB),
    ("1_000", 1000),      # ... and Go digit separators
    ("64M", 64 * MiB),
    ("2G", 2 * GiB),
])
def test_ram_in_bytes_accepts(text, expected):
    assert values.ram_in_bytes(text) == expected


@pytest.mark.parametrize("text, message", [
    ("foo", "invalid size: 'foo'"),
    ("-1", "invalid size: '-1'"),
    ("", "invalid size: ''"),
    ("k", "invalid size: 'k'"),
    ("NaN", "invalid size: 'NaN'"),
    ("Inf", "invalid size: 'Inf'"),
    ('a"b', "invalid size: 'a\"b'"),
    ("1x", "invalid suffix: 'x'"),
    ("1kx", "invalid suffix: 'kx'"),
    ("1ki", "invalid suffix: 'ki'"),
    ("1bb", "invalid suffix: 'bb'"),
    ("1kibb", "invalid suffix: 'kibb'"),
    ("1KIBB", "invalid suffix: 'KIBB'"),   # too long: reported before lower-casing
    ("1é", "invalid suffix: 'é'"),
    ("1.2.3", 'strconv.ParseFloat: parsing "1.2.3": invalid syntax'),
    (" 1", 'strconv.ParseFloat: parsing " 1": invalid syntax'),
    ("1  k", 'strconv.ParseFloat: parsing "1 ": invalid syntax'),
    ("1m2", 'strconv.ParseFloat: parsing "1m2": invalid syntax'),
    ("0x10", 'strconv.ParseFloat: parsing "0x10": invalid syntax'),
    ("é1", 'strconv.ParseFloat: parsing "é1": invalid syntax'),
    ("1e400", 'strconv.ParseFloat: parsing "1e400": value out of range'),
])
def test_ram_in_bytes_errors(text, message):
    assert error_of(values.ram_in_bytes, text) == message


@given(st.integers(min_value=0, max_value=10**6),
       st.sampled_from(["", "b", "k", "kb", "kib", "m", "mb", "mib", "g", "gb", "gib"]),
       st.booleans())
def test_ram_in_bytes_binary_multiples(n, unit, upper):
    mult = {"": 1, "b": 1, "k": KiB, "m": MiB, "g": GiB}[unit[:1]]
    text = f"{n}{unit.upper() if upper else unit}"
    assert values.ram_in_bytes(text) == n * mult


# --- memory_swap (MemSwapBytes) ------------------------------------------------------

@pytest.mark.parametrize("text, expected", [("-1", -1), ("1g", GiB), ("0", 0), ("512m", 512 * MiB)])
def test_memory_swap_accepts(text, expected):
    assert values.memory_swap(text) == expected


@pytest.mark.parametrize("text, message", [
    ("-2", "invalid size: '-2'"),
    ("foo", "invalid size: 'foo'"),
    ("-1k", "invalid size: '-1k'"),
])
def test_memory_swap_errors(text, message):
    assert error_of(values.memory_swap, text) == message


def test_convert_uses_memory_swap_only_for_that_flag():
    run = spec.PATHS[("run",)]
    assert values.convert(run.flag("memory-swap"), "-1") == -1
    assert error_of(lambda t: values.convert(run.flag("memory"), t), "-1") == "invalid size: '-1'"


# --- go_int (strconv.ParseInt(s, 0, 64), pflag's int and int64 flags) -------------

@pytest.mark.parametrize("text, expected", [
    ("0", 0), ("5", 5), ("-5", -5), ("+5", 5),
    ("0x10", 16), ("0X1F", 31), ("-0x10", -16),
    ("010", 8), ("0o10", 8), ("0O10", 8), ("0b101", 5), ("0B11", 3),
    ("1_000", 1000), ("0_1", 1), ("0x_1F", 31),
    ("9223372036854775807", 9223372036854775807),
    ("-9223372036854775808", -9223372036854775808),
])
def test_go_int_accepts(text, expected):
    assert values.go_int(text) == expected


@pytest.mark.parametrize("text", [
    "x", "", "abc", "_1", "1_", "1__0", "08", "0x", "0b", "0o", "0xg", "1.5", " 1", "1 ",
    "1e3", "é", "--1", "0b2",
])
def test_go_int_invalid_syntax(text):
    assert error_of(values.go_int, text) == f'strconv.ParseInt: parsing "{text}": invalid syntax'


@pytest.mark.parametrize("text", ["9223372036854775808", "99999999999999999999",
                                  "-9223372036854775809", "0x8000000000000000"])
def test_go_int_out_of_range(text):
    assert error_of(values.go_int, text) == f'strconv.ParseInt: parsing "{text}": value out of range'


def test_go_int_quotes_like_go():
    # strconv.NumError quotes the input with strconv.Quote
    assert error_of(values.go_int, 'a"b') == 'strconv.ParseInt: parsing "a\\"b": invalid syntax'
    assert error_of(values.go_int, "\x01") == 'strconv.ParseInt: parsing "\\x01": invalid syntax'


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_go_int_round_trips_every_int64(n):
    assert values.go_int(str(n)) == n
    assert values.go_int(hex(n)) == n


# --- nano_cpus (--cpus: big.Rat SetString, then * 1e9) --------------------------------

@pytest.mark.parametrize("text, expected", [
    ("1.5", 1_500_000_000),
    ("3/2", 1_500_000_000),
    ("2/4", 500_000_000),
    ("0.000000001", 1),
    ("1e-9", 1),
    ("-1", -1_000_000_000),
    ("+1", 1_000_000_000),
    ("1.", 1_000_000_000),
    (".5", 500_000_000),
    ("1e3", 1_000_000_000_000),
    ("-3/2", -1_500_000_000),
    ("0x10", 16_000_000_000),
    ("0x1p-2", 250_000_000),
    ("1_0", 10_000_000_000),
    ("0o7", 7_000_000_000),
    ("0b11/1", 3_000_000_000),
    ("010/4", 2_000_000_000),       # in a fraction a leading 0 means octal
])
def test_nano_cpus_accepts(text, expected):
    assert values.nano_cpus(text) == expected


@pytest.mark.parametrize("text", ["abc", "", ".", " 1.5", "1/0", "3/-2", "Inf", "NaN", "1.5e",
                                  "1e", "1,5"])
def test_nano_cpus_not_rational(text):
    assert error_of(values.nano_cpus, text) == f"failed to parse {text} as a rational number"


@pytest.mark.parametrize("text", ["0.0000000001", "1e-10", "1/3", "0.0000000015"])
def test_nano_cpus_too_precise(text):
    assert error_of(values.nano_cpus, text) == "value is too precise"


# --- key_value_filter (docker/cli opts.FilterOpt.Set) ----------------------------------
# Checked with a logging fake daemon: `docker ps -f ' Status = exited ' -f '=x' -f 'A==b'`
# sends filters={"":{"x":true},"a":{"=b":true},"status":{"exited":true}}.

@pytest.mark.parametrize("text, expected", [
    ("status=exited", ("status", "exited")),
    ("name=web", ("name", "web")),
    ("label=a=b", ("label", "a=b")),
    ("ID=abc", ("id", "abc")),
    (" Status = exited ", ("status", "exited")),
    ("A==b", ("a", "=b")),
    ("=x", ("", "x")),
    ("a=", ("a", "")),
    ("=", ("", "")),
])
def test_key_value_filter_accepts(text, expected):
    assert values.key_value_filter(text) == expected


@pytest.mark.parametrize("text", ["bogus", "status", " ", "a:b"])
def test_key_value_filter_needs_an_equals_sign(text):
    assert error_of(values.key_value_filter, text) == "bad format of filter (expected name=value)"


# --- go_duration (time.ParseDuration) --------------------------------------------------

@pytest.mark.parametrize("text, seconds", [
    ("1s", 1.0), ("0", 0.0), ("+0", 0.0), ("-0", 0.0), ("1.5h", 5400.0),
    ("1h2m3.5s", 3723.5), ("90m", 5400.0), ("1m1m", 120.0), ("-1s", -1.0), ("+5s", 5.0),
    ("500ms", 0.5), (".5s", 0.5), ("1.s", 1.0), ("1ns", 1e-9),
    ("1us", 1e-6), ("1µs", 1e-6), ("1μs", 1e-6),   # micro sign U+00B5 and Greek mu U+03BC
])
def test_go_duration_accepts(text, seconds):
    assert values.go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text, message", [
    ("x", 'time: invalid duration "x"'),
    ("", 'time: invalid duration ""'),
    (".", 'time: invalid duration "."'),
    ("-", 'time: invalid duration "-"'),
    ("1", 'time: missing unit in duration "1"'),
    ("1h1", 'time: missing unit in duration "1h1"'),
    ("1x", 'time: unknown unit "x" in duration "1x"'),
    ("1S", 'time: unknown unit "S" in duration "1S"'),
    ("1e3s", 'time: unknown unit "e" in duration "1e3s"'),
    ("1 s", 'time: unknown unit " s" in duration "1 s"'),
    ("9999999999h", 'time: invalid duration "9999999999h"'),
])
def test_go_duration_errors(text, message):
    assert error_of(values.go_duration, text) == message


# --- parse_bool (strconv.ParseBool) ----------------------------------------------------

@pytest.mark.parametrize("text", ["1", "t", "T", "TRUE", "true", "True"])
def test_parse_bool_true(text):
    assert values.parse_bool(text) is True


@pytest.mark.parametrize("text", ["0", "f", "F", "FALSE", "false", "False"])
def test_parse_bool_false(text):
    assert values.parse_bool(text) is False


@pytest.mark.parametrize("text", ["", "yes", "no", "tRUE", "2", "on", " true", "bogus", "é"])
def test_parse_bool_errors(text):
    assert error_of(values.parse_bool, text) == f'strconv.ParseBool: parsing "{text}": invalid syntax'


def test_parse_bool_quotes_like_go():
    assert error_of(values.parse_bool, 'a"b') == 'strconv.ParseBool: parsing "a\\"b": invalid syntax'
    assert error_of(values.parse_bool, "\t") == 'strconv.ParseBool: parsing "\\t": invalid syntax'


# --- convert: the kind -> converter table ----------------------------------------------

def test_convert_dispatches_on_the_flag_kind():
    run, ps = spec.PATHS[("run",)], spec.PATHS[("ps",)]
    assert values.convert(run.flag("memory"), "64m") == 64 * MiB
    assert values.convert(run.flag("cpus"), "1.5") == 1_500_000_000
    assert values.convert(run.flag("cpu-shares"), "0x10") == 16
    assert values.convert(run.flag("env"), "A=B") == "A=B"
    assert values.convert(run.flag("name"), "web") == "web"
    assert values.convert(ps.flag("filter"), "status=exited") == ("status", "exited")
    assert values.convert(ps.flag("last"), "3") == 3


def test_every_kind_in_the_table_has_a_converter():
    kinds = {f.kind for c in spec.COMMANDS for f in c.flags if f.kind != spec.BOOL}
    assert kinds <= set(values.CONVERTERS)
