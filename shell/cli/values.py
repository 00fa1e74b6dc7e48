"""Flag values: text -> value, with the docker CLI's error messages.

Each converter raises ValueError whose text is what pflag puts after
`invalid argument "X" for "-m, --memory" flag: `.
"""
from __future__ import annotations

import re

_SIZE = re.compile(r"^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$")
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def ram_in_bytes(text: str) -> int:
    """go-units RAMInBytes: "64m" -> 67108864 (binary multiples)."""
    m = _SIZE.match(text)
    if not m:
        raise ValueError(f"invalid size: '{text}'")
    number = float(m.group(1)) if m.group(1).count(".") <= 1 else None
    if number is None:
        raise ValueError(f"invalid size: '{text}'")
    return int(number * _UNITS[(m.group(2) or "").lower()])


def memory_swap(text: str) -> int:
    """MemSwapBytes: like a size, and "-1" for unlimited."""
    return -1 if text == "-1" else ram_in_bytes(text)


def go_int(text: str) -> int:
    """strconv.ParseInt(text, 0, 64) as pflag's int flags use it."""
    try:
        t = text.replace("_", "") if "_" in text and not text.startswith("_") else text
        if re.fullmatch(r"[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9]\d*|0)", t):
            return int(t, 0) if not re.fullmatch(r"[+-]?0[0-7]+", t) else int(t, 8)
    except ValueError:
        pass
    raise ValueError(f'strconv.ParseInt: parsing "{text}": invalid syntax')


def nano_cpus(text: str) -> int:
    """--cpus: a decimal (or a/b) number of CPUs -> nano CPUs."""
    from fractions import Fraction
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"failed to parse {text} as a rational number") from None
    nano = value * 1_000_000_000
    if nano.denominator != 1:
        raise ValueError("value is too precise")
    return int(nano)


def key_value_filter(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise ValueError("bad format of filter (expected name=value)")
    return key.strip().lower(), value


_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_DUR_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def go_duration(text: str) -> float:
    """time.ParseDuration -> seconds."""
    s = text
    sign = -1 if s.startswith("-") else 1
    s = s.lstrip("+-")
    if s == "0":
        return 0.0
    pos, total = 0, 0.0
    for m in _DURATION.finditer(s):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _DUR_UNITS[m.group(2)]
        pos = m.end()
    if pos != len(s) or not s:
        raise ValueError(f'time: invalid duration "{text}"')
    return sign * total


def parse_bool(text: str) -> bool:
    """strconv.ParseBool."""
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    raise ValueError(f'strconv.ParseBool: parsing "{text}": invalid syntax')


CONVERTERS = {
    "string": str,
    "list": str,
    "int": go_int,
    "bytes": ram_in_bytes,
    "decimal": nano_cpus,
    "filter": key_value_filter,
    "duration": go_duration,
    "map": str,
}


def convert(flag, text: str):
    if flag.long == "memory-swap":
        return memory_swap(text)
    return CONVERTERS[flag.kind](text)
