"""Go literals: strconv.Unquote, ParseInt, ParseFloat."""
from __future__ import annotations

import math

from ...cli.values import go_parse_int, go_parse_uint, underscore_ok   # strconv's, as flags
from .fmt import _valid_rune


class _SyntaxError(Exception):
    pass


_CHAR_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}


def _decode_go_bytes(data: bytes) -> str:
    """Go string bytes as text: each byte of invalid UTF-8 becomes one U+FFFD,
    as Go's rune decoding (and so range, width and printing) sees it."""
    text = data.decode("utf-8", "surrogateescape")
    return "".join("\ufffd" if "\udc80" <= ch <= "\udcff" else ch for ch in text)


def _unquote_char(s: str, quote: str) -> tuple[int, bool, str]:
    """strconv.UnquoteChar: (value, is_byte, tail); is_byte for \\x and octal."""
    if not s:
        raise _SyntaxError
    c = s[0]
    if c == quote and quote in "'\"":
        raise _SyntaxError
    if c != "\\":
        return ord(c), False, s[1:]
    if len(s) <= 1:
        raise _SyntaxError
    c, s = s[1], s[2:]
    if c in _CHAR_ESCAPES:
        return _CHAR_ESCAPES[c], False, s
    if c in "xuU":
        n = {"x": 2, "u": 4, "U": 8}[c]
        if len(s) < n or any(ch not in "0123456789abcdefABCDEF" for ch in s[:n]):
            raise _SyntaxError
        value = int(s[:n], 16)
        if c != "x" and not _valid_rune(value):
            raise _SyntaxError
        return value, c == "x", s[n:]
    if "0" <= c <= "7":
        if len(s) < 2 or any(ch not in "01234567" for ch in s[:2]):
            raise _SyntaxError
        value = int(c + s[:2], 8)
        if value > 255:
            raise _SyntaxError
        return value, True, s[2:]
    if c in "'\"" and c == quote:
        return ord(c), False, s
    raise _SyntaxError


def _unquote(text: str) -> str:
    """strconv.Unquote for "..." and `...` literals."""
    if text[0] == "`":
        return text[1:-1].replace("\r", "")
    body, buf = text[1:-1], bytearray()
    while body:
        value, is_byte, body = _unquote_char(body, '"')
        buf += bytes([value]) if is_byte else chr(value).encode("utf-8", "surrogatepass")
    return _decode_go_bytes(bytes(buf))  # \x escapes may make invalid UTF-8


def _parse_uint(s: str) -> int | None:
    """strconv.ParseUint(s, 0, 64), or None on error."""
    try:
        return go_parse_uint(s)
    except ValueError:
        return None


def _parse_int(s: str) -> int | None:
    """strconv.ParseInt(s, 0, 64), or None on error."""
    try:
        return go_parse_int(s)
    except ValueError:
        return None


def _parse_float(s: str) -> float | None:
    """strconv.ParseFloat(s, 64), or None on error (including overflow)."""
    if not s or ("_" in s and not underscore_ok(s)):
        return None
    body = s.replace("_", "")
    unsigned = body.lstrip("+-")
    if len(body) - len(unsigned) > 1:
        return None
    try:
        if unsigned[:2].lower() == "0x":
            if "p" not in unsigned.lower():
                return None
            value = float.fromhex(body)
        else:
            if not unsigned or unsigned[0] not in "0123456789." or unsigned.lower() in ("inf", "nan"):
                return None
            value = float(body)
    except (ValueError, OverflowError):
        return None
    return None if math.isinf(value) else value
