"""Go values read from Python data: type names, quoting, number formatting."""
from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


class TemplateError(Exception):
    """A parse or execution error, worded like Go's text/template.

    ``partial_output`` holds what an execution wrote before it failed; docker
    keeps that text when rendering table headers.
    """

    def __init__(self, message: str, partial_output: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.partial_output = partial_output


class _NoValue:
    """Go's invalid reflect.Value: what a missing map key evaluates to."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<no value>"

    def __bool__(self) -> bool:
        return False


NO_VALUE = _NoValue()

# Marks "no value piped in from the previous command" (Go's missingVal).
_MISSING = object()

# Guards against Python's recursion limit; Go allows deeper nesting, but no
# real --format string comes close to these.
_MAX_PAREN_DEPTH = 100
_MAX_EXEC_DEPTH = 100


def _is_list(v: Any) -> bool:
    return isinstance(v, (list, tuple))


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_func(v: Any) -> bool:
    """A Go func value: a callable that is data, not a struct or class."""
    return callable(v) and (inspect.isroutine(v) or isinstance(v, type(lambda: 0)))


def _map_method(receiver: Mapping, name: str):
    """An exported method a mapping type defines itself (docker's SubHeaderContext, a
    map[string]string with a Label method), or None."""
    if not name[:1].isupper() or not hasattr(type(receiver), name):
        return None
    attr = getattr(receiver, name)
    return attr if inspect.ismethod(attr) else None


def _is_struct(v: Any) -> bool:
    """Objects whose attributes templates may read (Go structs)."""
    basic = (type(None), bool, int, float, complex, str, bytes, bytearray, list, tuple, _NoValue)
    if isinstance(v, basic) or isinstance(v, Mapping):
        return False
    return not (isinstance(v, type) or inspect.ismodule(v) or _is_func(v))


def go_type_name(v: Any) -> str:
    """The Go type name a value shows in messages and ``%T``."""
    if v is None or v is NO_VALUE:
        return "<nil>"
    simple = {bool: "bool", int: "int", float: "float64", complex: "complex128", str: "string"}
    for py_type, name in simple.items():
        if type(v) is py_type:
            return name
    if _is_list(v):
        return "[]string" if v and all(isinstance(x, str) for x in v) else "[]interface {}"
    if isinstance(v, Mapping):
        if v and all(isinstance(x, str) for x in v.values()):
            return "map[string]string"
        return "map[string]interface {}"
    if _is_func(v):
        return "func()"
    return getattr(type(v), "__go_type__", None) or type(v).__name__


def _go_isprint(ch: str) -> bool:
    # Python's isprintable matches Go's unicode.IsPrint: letters, marks,
    # numbers, punctuation, symbols and the ASCII space.
    return ch.isprintable()


_SIMPLE_ESCAPES = {"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t", "\v": r"\v"}


def _escape_rune(ch: str, quote: str, ascii_only: bool) -> str:
    code = ord(ch)
    if ch == quote or ch == "\\":
        return "\\" + ch
    if (code < 0x80 or not ascii_only) and _go_isprint(ch) and not 0xD800 <= code <= 0xDFFF:
        return ch
    if ch in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[ch]
    if code < 0x80:
        return "\\x%02x" % code
    if code < 0x10000:
        return "\\u%04x" % code
    return "\\U%08x" % code


def go_quote(s: str, ascii_only: bool = False, quote: str = '"') -> str:
    """strconv.Quote: a double-quoted Go string literal."""
    return quote + "".join(_escape_rune(ch, quote, ascii_only) for ch in s) + quote


def _can_backquote(s: str) -> bool:
    return all(ch == "\t" or (ch != "`" and ch != "\ufeff" and ord(ch) >= 0x20 and ch != "\x7f") for ch in s)


def _shortest_digits(a: float) -> tuple[str, int]:
    """Shortest round-trip digits of ``a >= 0`` and the decimal point position.

    The value is ``0.DIGITS * 10**dp``, as in Go's strconv decimal.
    """
    if a == 0:
        return "", 0
    _, digits, exp = Decimal(repr(a)).as_tuple()
    text = "".join(map(str, digits))
    stripped = text.rstrip("0")
    exp += len(text) - len(stripped)
    return stripped, len(stripped) + exp


def _fmt_e(digits: str, dp: int, prec: int, letter: str) -> str:
    out = digits[0] if digits else "0"
    if prec > 0:
        out += "." + digits[1:1 + prec].ljust(prec, "0")
    exp = dp - 1 if digits else 0
    sign = "-" if exp < 0 else "+"
    return f"{out}{letter}{sign}{abs(exp):02d}"


def _fmt_f(digits: str, dp: int, prec: int) -> str:
    out = digits[:dp].ljust(dp, "0") if dp > 0 else "0"
    if prec > 0:
        frac = "".join(digits[dp + i] if 0 <= dp + i < len(digits) else "0" for i in range(prec))
        out += "." + frac
    return out


def _hex_float(a: float, upper: bool, prec: int) -> str:
    """strconv's %x for a float64 ``a >= 0``: 0x1.8p+01, rounded to prec digits."""
    lead, bits, exp = 0, 0, 0
    if a:
        m, exp = math.frexp(a)  # a = m * 2**exp, 0.5 <= m < 1, subnormals included
        lead, bits, exp = 1, int((m * 2 - 1) * (1 << 52)), exp - 1
    if prec < 0:
        digits = ("%013x" % bits).rstrip("0")
    elif prec < 13:
        shift = 4 * (13 - prec)
        q, r = divmod(bits, 1 << shift)
        half = 1 << (shift - 1)
        if r > half or (r == half and q & 1):  # round half to even
            q += 1
        if q >> (4 * prec):  # carried into the leading digit
            q, exp = 0, exp + 1
        digits = ("%0*x" % (prec, q)) if prec else ""
    else:
        digits = "%013x" % bits + "0" * (prec - 13)
    mant = str(lead) + ("." + digits if digits else "")
    sign = "-" if exp < 0 else "+"
    out = f"0x{mant}p{sign}{abs(exp):02d}"
    return out.upper() if upper else out


def format_float(v: float, fmt: str, prec: int) -> str:
    """strconv.FormatFloat(v, fmt, prec, 64) for fmt in e E f F g G x X."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, v) < 0 else ""
    a = abs(v)
    if fmt in "xX":
        return sign + _hex_float(a, fmt == "X", prec)
    if prec >= 0:
        return sign + format(a, f".{prec}{fmt}")
    digits, dp = _shortest_digits(a)
    if fmt in "eE":
        return sign + _fmt_e(digits, dp, len(digits) - 1, fmt)
    if fmt in "fF":
        return sign + _fmt_f(digits, dp, max(len(digits) - dp, 0))
    # %g with the shortest digits switches to %e at exponent < -4 or >= 6.
    exp = dp - 1
    if exp < -4 or exp >= 6:
        return sign + _fmt_e(digits, dp, len(digits) - 1, "e" if fmt == "g" else "E")
    return sign + _fmt_f(digits, dp, max(len(digits) - dp, 0))
