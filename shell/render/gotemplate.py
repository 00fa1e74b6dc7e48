"""Go's text/template, reimplemented for docker-style ``--format`` strings.

The docker CLI renders ``--format`` with Go's text/template plus a few extra
functions (docker/cli ``templates/templates.go``).  This module parses and
executes the same language on plain Python data so the teaching shell prints
what docker prints, error messages included.

Python data is read through Go's eyes:

* a ``dict`` (any Mapping) is a Go map: ``.Key`` looks the key up and a
  missing key is Go's "invalid value", printed ``<no value>``;
* ``list``/``tuple`` are slices, ``str`` a string, ``int`` an int, ``float``
  a float64, ``bool`` a bool, ``complex`` a complex128;
* ``None`` is a nil pointer: it prints ``<nil>``, is false in ``if`` and
  ranges like an empty list;
* any other object is a struct: ``.Field`` reads a public attribute, and an
  attribute that is a bound method is called with the template's arguments
  (``{{.Label "com.example"}}``).  A class may set ``__go_type__`` to the type
  name shown in error messages, and define ``__json__()`` for ``json``.

Public API: :func:`compile`, :class:`Template`, :class:`TemplateError`,
:data:`HEADER_FUNCS` (docker's table-header overrides), plus the Go ``fmt``
helpers :func:`go_sprint` and :func:`go_sprintf` and :func:`go_json`.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import urllib.parse
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from ..cli.values import go_parse_int, go_parse_uint, underscore_ok   # strconv's, as flags

__all__ = [
    "DOCKER_FUNCS",
    "HEADER_FUNCS",
    "NO_VALUE",
    "FuncError",
    "GoFunc",
    "Template",
    "TemplateError",
    "compile",
    "go_json",
    "go_sprint",
    "go_sprintf",
    "go_type_name",
]


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


# ---------------------------------------------------------------------------
# Go values: type names, quoting, number formatting
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Go fmt: Sprint, Sprintln, Sprintf
# ---------------------------------------------------------------------------

class _Flags:
    """The state of one %-verb: flags, width and precision."""

    def __init__(self) -> None:
        self.plus = self.minus = self.sharp = self.space = self.zero = False
        self.plus_v = self.sharp_v = False
        self.wid: int | None = None
        self.prec: int | None = None

    def copy(self, **changes: Any) -> _Flags:
        f = _Flags()
        f.__dict__.update(self.__dict__)
        f.__dict__.update(changes)
        return f


def _padding(f: _Flags, n: int) -> str:
    if n <= 0:
        return ""
    return ("0" if f.zero and not f.minus else " ") * n


def _pad(s: str, f: _Flags) -> str:
    if not f.wid:
        return s
    fill = _padding(f, f.wid - len(s))
    return s + fill if f.minus else fill + s


def _bad_verb(arg: Any, verb: str, f: _Flags) -> str:
    if arg is None or arg is NO_VALUE:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({go_type_name(arg)}={_print_arg(arg, 'v', f)})"


def _fmt_bool(v: bool, verb: str, f: _Flags) -> str:
    if verb in "tv":
        return _pad("true" if v else "false", f)
    return _bad_verb(v, verb, f)


def _fmt_integer(v: int, base: int, verb: str, f: _Flags, upper: bool = False) -> str:
    negative, u = v < 0, abs(v)
    if f.prec is not None:
        prec = f.prec
        if prec == 0 and u == 0:  # "%.0d" of zero prints only padding
            return " " * (f.wid or 0)
    elif f.zero and not f.minus and f.wid:
        prec = f.wid - (1 if negative or f.plus or f.space else 0)
    else:
        prec = 0
    digits = ""
    while True:
        digits = "0123456789abcdef"[u % base] + digits
        u //= base
        if not u:
            break
    digits = digits.zfill(prec)
    if f.sharp:
        if base == 2:
            digits = "0b" + digits
        elif base == 8 and not digits.startswith("0"):
            digits = "0" + digits
        elif base == 16:
            digits = "0x" + digits
    if verb == "O":
        digits = "0o" + digits
    if upper:
        digits = digits.upper()
    sign = "-" if negative else "+" if f.plus else " " if f.space else ""
    # Zero padding, if any, was applied as precision above.
    return _pad(sign + digits, f.copy(zero=False))


def _valid_rune(code: int) -> bool:
    return 0 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF


def _fmt_int(v: int, verb: str, f: _Flags) -> str:
    bases = {"v": 10, "d": 10, "b": 2, "o": 8, "O": 8, "x": 16, "X": 16}
    if verb in bases:
        return _fmt_integer(v, bases[verb], verb, f, upper=verb == "X")
    ch = chr(v) if _valid_rune(v) else "\ufffd"
    if verb == "c":
        return _pad(ch, f)
    if verb == "q":
        return _pad(go_quote(ch, ascii_only=f.plus, quote="'"), f)
    if verb == "U":
        text = "U+%04X" % v if v >= 0 else "U+%04X" % (v & 0xFFFFFFFFFFFFFFFF)
        if f.prec and f.prec > 4:
            text = "U+" + text[2:].zfill(f.prec)
        if f.sharp and _valid_rune(v) and _go_isprint(ch):
            text += f" '{ch}'"
        return _pad(text, f.copy(zero=False))
    return _bad_verb(v, verb, f)


def _fmt_float_verb(v: float, verb: str, f: _Flags) -> str:
    """fmt's float formatting; verb already validated."""
    fmt_char, prec = ("g", -1) if verb == "v" else (verb, -1 if verb in "gGxX" else 6)
    if f.prec is not None:
        prec = f.prec
    num = format_float(v, fmt_char, prec)
    if num[0] not in "+-":
        num = "+" + num
    if f.space and num[0] == "+" and not f.plus:
        num = " " + num[1:]
    if num[1] in "IN":  # Inf and NaN are never zero padded
        if num[1] == "N" and not f.space and not f.plus:
            num = num[1:]
        return _pad(num, f.copy(zero=False))
    if f.plus or num[0] != "+":
        if f.zero and not f.minus and f.wid and f.wid > len(num):
            return num[0] + "0" * (f.wid - len(num)) + num[1:]
        return _pad(num, f)
    return _pad(num[1:], f)


def _fmt_float(v: float, verb: str, f: _Flags) -> str:
    if verb in "vgGxXfFeE":
        return _fmt_float_verb(v, verb, f)
    return _bad_verb(v, verb, f)


def _fmt_complex(v: complex, verb: str, f: _Flags) -> str:
    if verb not in "vgGxXfFeE":
        return _bad_verb(v, verb, f)
    # The imaginary part always shows its sign.
    return "(" + _fmt_float_verb(v.real, verb, f) + _fmt_float_verb(v.imag, verb, f.copy(plus=True)) + "i)"


def _truncate_prec(s: str, f: _Flags) -> str:
    return s[:f.prec] if f.prec is not None else s


def _fmt_hex_bytes(data: bytes, f: _Flags, upper: bool) -> str:
    if f.prec is not None:
        data = data[:f.prec]
    digits = "0123456789ABCDEF" if upper else "0123456789abcdef"
    prefix = "0X" if upper else "0x"
    if not data:
        return " " * (f.wid or 0)
    parts = []
    for i, byte in enumerate(data):
        if f.space and i > 0:
            parts.append(" " + (prefix if f.sharp else ""))
        parts.append(digits[byte >> 4] + digits[byte & 0xF])
    text = (prefix if f.sharp else "") + "".join(parts)
    return _pad(text, f)


def _fmt_str(s: str, verb: str, f: _Flags) -> str:
    if verb == "v" and f.sharp_v:
        return _pad(go_quote(s), f)
    if verb in "vs":
        return _pad(_truncate_prec(s, f), f)
    if verb in "xX":
        return _fmt_hex_bytes(s.encode("utf-8", "replace"), f, verb == "X")
    if verb == "q":
        s = _truncate_prec(s, f)
        if f.sharp and _can_backquote(s):
            return _pad("`" + s + "`", f)
        return _pad(go_quote(s, ascii_only=f.plus), f)
    return _bad_verb(s, verb, f)


def _public_fields(obj: Any) -> list[tuple[str, Any]]:
    """A struct-like object's exported fields, in definition order."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        names = [field.name for field in dataclasses.fields(obj)]
    else:
        names = list(getattr(obj, "__dict__", {}))
    return [(n, getattr(obj, n)) for n in names if not n.startswith("_")]


def _stringer(v: Any) -> str | None:
    """Call a Go-style String()/Error() method, as fmt does for %v and %s.

    Objects like datetime that define their own __str__ count as Stringers.
    """
    for name in ("Error", "String"):
        method = getattr(v, name, None)
        if inspect.ismethod(method):
            return _safe_text(method, name)
    if type(v).__str__ is not object.__str__ and not dataclasses.is_dataclass(v):
        return _safe_text(lambda: str(v), "String")
    return None


def _safe_text(method: Callable[[], Any], name: str) -> str:
    try:
        return str(method())
    except Exception as exc:  # fmt reports panicking String methods inline
        return f"%!v(PANIC={name} method: {exc})"


def _sorted_items(m: Mapping) -> list[tuple[Any, Any]]:
    """Map entries in Go's fmtsort order (numbers, then strings, ...)."""
    def key(k: Any) -> tuple:
        if isinstance(k, bool):
            return (0, int(k), "")
        if isinstance(k, (int, float)):
            return (1, k, "")
        if isinstance(k, str):
            return (2, 0, k)
        return (3, 0, repr(k))
    return sorted(m.items(), key=lambda kv: key(kv[0]))


def _print_value(v: Any, verb: str, f: _Flags, depth: int) -> str:
    """fmt's printValue for composite values (lists, maps, structs)."""
    if depth > 0 and (v is None or v is NO_VALUE):
        return "<nil>"
    if depth > 0 and not (_is_list(v) or isinstance(v, Mapping) or _is_struct(v)):
        return _print_arg(v, verb, f)
    if _is_list(v):
        if f.sharp_v:
            inner = ", ".join(_print_value(x, verb, f, depth + 1) for x in v)
            return go_type_name(v) + "{" + inner + "}"
        return "[" + " ".join(_print_value(x, verb, f, depth + 1) for x in v) + "]"
    if isinstance(v, Mapping):
        pairs = [
            _print_value(k, verb, f, depth + 1) + ":" + _print_value(x, verb, f, depth + 1)
            for k, x in _sorted_items(v)
        ]
        if f.sharp_v:
            return go_type_name(v) + "{" + ", ".join(pairs) + "}"
        return "map[" + " ".join(pairs) + "]"
    if _is_func(v):
        return "<func>"
    if verb in "vsxXq" and not f.sharp_v:
        text = _stringer(v)
        if text is not None:
            return _fmt_str(text, verb, f)
    fields = []
    for name, value in _public_fields(v):
        shown = _print_value(value, verb, f, depth + 1)
        fields.append(f"{name}:{shown}" if f.plus_v or f.sharp_v else shown)
    return "{" + (", " if f.sharp_v else " ").join(fields) + "}"


def _print_arg(arg: Any, verb: str, f: _Flags) -> str:
    """fmt's printArg: format one operand for one verb."""
    if arg is None or arg is NO_VALUE:
        return _pad("<nil>", f) if verb in "Tv" else _bad_verb(arg, verb, f)
    if verb == "T":
        return _pad(_truncate_prec(go_type_name(arg), f), f)
    if isinstance(arg, bool):
        return _fmt_bool(arg, verb, f)
    if isinstance(arg, int):
        return _fmt_int(arg, verb, f)
    if isinstance(arg, float):
        return _fmt_float(arg, verb, f)
    if isinstance(arg, complex):
        return _fmt_complex(arg, verb, f)
    if isinstance(arg, str):
        return _fmt_str(arg, verb, f)
    if isinstance(arg, (bytes, bytearray)):
        if verb in "sqxX":
            return _fmt_str(bytes(arg).decode("utf-8", "replace"), verb, f)
        return _print_value(list(arg), verb, f, 0)
    return _print_value(arg, verb, f, 0)


def format_value(v: Any) -> str:
    """fmt.Sprint of one value: how ``{{.}}`` prints it."""
    return _print_arg(v, "v", _Flags())


def go_sprint(args: list) -> str:
    """fmt.Sprint: spaces go between operands when neither is a string."""
    out, prev_string = [], False
    for i, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if i > 0 and not is_string and not prev_string:
            out.append(" ")
        out.append(format_value(arg))
        prev_string = is_string
    return "".join(out)


def go_sprintln(args: list) -> str:
    return " ".join(format_value(a) for a in args) + "\n"


def _parsenum(s: str, start: int, end: int) -> tuple[int, bool, int]:
    if start >= end:
        return 0, False, end
    num, isnum, i = 0, False, start
    while i < end and "0" <= s[i] <= "9":
        if num > 1_000_000:  # Go's tooLarge: a crazy long number
            return 0, False, end
        num, isnum, i = num * 10 + int(s[i]), True, i + 1
    return num, isnum, i


class _Printf:
    """fmt.Sprintf, ported from Go's doPrintf."""

    def __init__(self, fmt: str, args: list) -> None:
        self.fmt, self.args = fmt, args
        self.out: list[str] = []
        self.reordered = False
        self.good_arg_num = True

    def arg_number(self, arg_num: int, i: int) -> tuple[int, int, bool]:
        s = self.fmt
        if i >= len(s) or s[i] != "[":
            return arg_num, i, False
        self.reordered = True
        index, wid, ok = 0, 1, False
        if len(s) - i >= 3:
            close = s.find("]", i + 1)
            if close >= 0:
                width, isnum, newi = _parsenum(s, i + 1, close)
                wid = close - i + 1
                if isnum and newi == close:
                    index, ok = width - 1, True
        if ok and 0 <= index < len(self.args):
            return index, i + wid, True
        self.good_arg_num = False
        return arg_num, i + wid, ok

    def int_from_arg(self, arg_num: int) -> tuple[int | None, int]:
        if arg_num >= len(self.args):
            return None, arg_num
        value = self.args[arg_num]
        if not _is_int(value) or abs(value) > 1_000_000:
            return None, arg_num + 1
        return value, arg_num + 1

    def run(self) -> str:
        s, end = self.fmt, len(self.fmt)
        arg_num, i, after_index = 0, 0, False
        while i < end:
            self.good_arg_num = True
            pct = s.find("%", i)
            if pct < 0:
                self.out.append(s[i:])
                break
            self.out.append(s[i:pct])
            i, f = pct + 1, _Flags()
            while i < end and s[i] in "#0+- ":
                self._set_flag(f, s[i])
                i += 1
            arg_num, i, after_index = self.arg_number(arg_num, i)
            if i < end and s[i] == "*":
                i += 1
                f.wid, arg_num = self.int_from_arg(arg_num)
                if f.wid is None:
                    self.out.append("%!(BADWIDTH)")
                elif f.wid < 0:
                    f.wid, f.minus, f.zero = -f.wid, True, False
                after_index = False
            else:
                wid, present, i = _parsenum(s, i, end)
                f.wid = wid if present else None
                if after_index and present:
                    self.good_arg_num = False
            if i + 1 < end and s[i] == ".":
                i += 1
                if after_index:
                    self.good_arg_num = False
                arg_num, i, after_index = self.arg_number(arg_num, i)
                if i < end and s[i] == "*":
                    i += 1
                    f.prec, arg_num = self.int_from_arg(arg_num)
                    if f.prec is None or f.prec < 0:  # Go reports negative ones too
                        f.prec = None
                        self.out.append("%!(BADPREC)")
                    after_index = False
                else:
                    prec, present, i = _parsenum(s, i, end)
                    f.prec = prec if present else 0
            if not after_index:
                arg_num, i, after_index = self.arg_number(arg_num, i)
            if i >= end:
                self.out.append("%!(NOVERB)")
                break
            verb, i = s[i], i + 1
            arg_num = self._verb(verb, f, arg_num)
        if not self.reordered and arg_num < len(self.args):
            extra = [
                "<nil>" if a is None else f"{go_type_name(a)}={format_value(a)}"
                for a in self.args[arg_num:]
            ]
            self.out.append("%!(EXTRA " + ", ".join(extra) + ")")
        return "".join(self.out)

    @staticmethod
    def _set_flag(f: _Flags, c: str) -> None:
        if c == "#":
            f.sharp = True
        elif c == "0":
            f.zero = not f.minus  # zero padding only pads on the left
        elif c == "+":
            f.plus = True
        elif c == "-":
            f.minus, f.zero = True, False
        else:
            f.space = True

    def _verb(self, verb: str, f: _Flags, arg_num: int) -> int:
        if verb == "%":  # does not consume an operand
            self.out.append("%")
        elif not self.good_arg_num:
            self.out.append(f"%!{verb}(BADINDEX)")
        elif arg_num >= len(self.args):
            self.out.append(f"%!{verb}(MISSING)")
        else:
            if verb == "v":
                f.sharp_v, f.sharp = f.sharp, False
                f.plus_v, f.plus = f.plus, False
            self.out.append(_print_arg(self.args[arg_num], verb, f))
            arg_num += 1
        return arg_num


def go_sprintf(fmt: str, args: list) -> str:
    """fmt.Sprintf with Go's verbs, flags and %!-error notation."""
    return _Printf(fmt, list(args)).run()


# ---------------------------------------------------------------------------
# encoding/json, as docker's ``json`` template function uses it
# ---------------------------------------------------------------------------

class _JSONUnsupported(Exception):
    pass


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def _json_string(s: str, html: bool = False) -> str:
    out = ['"']
    for ch in s:
        code = ord(ch)
        if html and ch in _HTML_ESCAPES:
            out.append(_HTML_ESCAPES[ch])
        elif ch in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[ch])
        elif code < 0x20:
            out.append("\\u%04x" % code)
        elif code in (0x2028, 0x2029):  # Go escapes these even without HTML escaping
            out.append("\\u%04x" % code)
        elif 0xD800 <= code <= 0xDFFF:  # not valid UTF-8: Go writes U+FFFD
            out.append("\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _json_float(v: float) -> str:
    if math.isnan(v) or math.isinf(v):
        raise _JSONUnsupported(f"json: unsupported value: {format_value(v)}")
    a = abs(v)
    fmt = "e" if a != 0 and (a < 1e-6 or a >= 1e21) else "f"
    text = format_float(v, fmt, -1)
    if fmt == "e" and len(text) >= 4 and text[-4] == "e" and text[-3] == "-" and text[-2] == "0":
        text = text[:-2] + text[-1]  # e-07 becomes e-7, as Go does
    return text


def _json_key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if _is_int(k):
        return str(k)
    raise _JSONUnsupported(f"json: unsupported type: {go_type_name(k)}")


def _json_object(v: Any) -> Any:
    """What a struct-like object marshals as: ``__json__()`` or its fields."""
    hook = getattr(v, "__json__", None)
    if callable(hook):
        try:
            return hook()
        except Exception as exc:  # reported like a failing MarshalJSON
            raise _JSONUnsupported(f"json: error calling MarshalJSON for type {go_type_name(v)}: {exc}") from None
    return dict(_public_fields(v))


def _to_json(v: Any, depth: int = 0, html: bool = False) -> str:
    """`html`: escape <, > and & as Go's json.Marshal does. The docker CLI's row contexts
    (ps, images ...) marshal themselves with json.Marshal, so their output is escaped,
    while the template's own `json` function is not."""
    if depth > 200:  # Go detects cycles the same way, by nesting depth
        raise _JSONUnsupported("json: unsupported value: encountered a cycle")
    if v is None or v is NO_VALUE:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _json_float(v)
    if isinstance(v, str):
        return _json_string(v, html)
    if _is_list(v):
        return "[" + ",".join(_to_json(x, depth + 1, html) for x in v) + "]"
    if isinstance(v, Mapping):
        items = (_json_string(_json_key(k), html) + ":" + _to_json(x, depth + 1, html)
                 for k, x in v.items())
        return "{" + ",".join(items) + "}"
    if isinstance(v, complex) or _is_func(v) or not _is_struct(v):
        raise _JSONUnsupported(f"json: unsupported type: {go_type_name(v)}")
    return _to_json(_json_object(v), depth + 1, html or callable(getattr(v, "__json__", None)))


def go_json(v: Any) -> str:
    """json.Marshal-like compact JSON without HTML escaping.

    Dict keys keep their insertion order.  Raises ValueError for values Go
    cannot encode (NaN, complex numbers, functions).
    """
    try:
        return _to_json(v)
    except _JSONUnsupported as exc:
        raise ValueError(str(exc)) from None


# ---------------------------------------------------------------------------
# Lexer (a port of text/template/parse/lex.go)
# ---------------------------------------------------------------------------

class Item(NamedTuple):
    typ: str
    pos: int
    val: str
    line: int


I_ERROR, I_BOOL, I_CHAR, I_CHAR_CONSTANT, I_COMMENT = "error", "bool", "char", "charconst", "comment"
I_COMPLEX, I_ASSIGN, I_DECLARE, I_EOF, I_FIELD = "complex", "assign", "declare", "EOF", "field"
I_IDENTIFIER, I_LEFT_DELIM, I_LEFT_PAREN, I_NUMBER = "identifier", "leftdelim", "leftparen", "number"
I_PIPE, I_RAW_STRING, I_RIGHT_DELIM, I_RIGHT_PAREN = "pipe", "rawstring", "rightdelim", "rightparen"
I_SPACE, I_STRING, I_TEXT, I_VARIABLE = "space", "string", "text", "variable"

# Keywords, keyed by spelling; their item type is "kw:<spelling>".
_KEYWORDS = {w: "kw:" + w for w in (".", "block", "break", "continue", "define", "else", "end",
                                      "if", "nil", "range", "template", "with")}
I_DOT, I_NIL = _KEYWORDS["."], _KEYWORDS["nil"]

_LEFT_DELIM, _RIGHT_DELIM = "{{", "}}"
_SPACE_CHARS = " \t\r\n"


def _item_str(it: Item) -> str:
    """How Go's parser names a token in messages."""
    if it.typ == I_EOF:
        return "EOF"
    if it.typ == I_ERROR:
        return it.val
    if it.typ.startswith("kw:"):
        return f"<{it.val}>"
    if len(it.val.encode("utf-8")) > 10:
        return go_quote(it.val[:10]) + "..."
    return go_quote(it.val)


def _is_space(r: str | None) -> bool:
    return r is not None and r in _SPACE_CHARS


def _is_alnum(r: str | None) -> bool:
    return r is not None and (r == "_" or r.isalpha() or r.isdecimal())


def _rune_desc(r: str) -> str:
    """Go's %#U: U+0021 '!'."""
    return f"U+{ord(r):04X} '{r}'" if _go_isprint(r) else f"U+{ord(r):04X}"


class _Lexer:
    """Splits template text into items; see Go's lex.go for the design."""

    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = self.start = 0
        self.at_eof = False
        self.paren_depth = 0
        self.line = self.start_line = 1
        self.item: Item | None = None
        self.inside_action = False

    # -- low level -----------------------------------------------------------

    def next(self) -> str | None:
        if self.pos >= len(self.input):
            self.at_eof = True
            return None
        r = self.input[self.pos]
        self.pos += 1
        if r == "\n":
            self.line += 1
        return r

    def peek(self) -> str | None:
        r = self.next()
        self.backup()
        return r

    def backup(self) -> None:
        if not self.at_eof and self.pos > 0:
            self.pos -= 1
            if self.input[self.pos] == "\n":
                self.line -= 1

    def this_item(self, typ: str) -> Item:
        it = Item(typ, self.start, self.input[self.start:self.pos], self.start_line)
        self.start, self.start_line = self.pos, self.line
        return it

    def emit(self, typ: str):
        return self.emit_item(self.this_item(typ))

    def emit_item(self, it: Item):
        self.item = it
        return None

    def ignore(self) -> None:
        self.line += self.input.count("\n", self.start, self.pos)
        self.start, self.start_line = self.pos, self.line

    def accept(self, valid: str) -> bool:
        r = self.next()
        if r is not None and r in valid:
            return True
        self.backup()
        return False

    def accept_run(self, valid: str) -> None:
        while True:
            r = self.next()
            if r is None or r not in valid:
                break
        self.backup()

    def errorf(self, message: str):
        self.item = Item(I_ERROR, self.start, message, self.start_line)
        self.start = self.pos = 0
        self.input = ""
        return None

    def next_item(self) -> Item:
        self.item = Item(I_EOF, self.pos, "EOF", self.start_line)
        state = self.lex_inside_action if self.inside_action else self.lex_text
        while state is not None:
            state = state()
        return self.item

    # -- helpers ---------------------------------------------------------------

    def has_left_trim_marker(self, i: int) -> bool:
        return self.input[i:i + 1] == "-" and _is_space(self.input[i + 1:i + 2] or None)

    def has_right_trim_marker(self, i: int) -> bool:
        return _is_space(self.input[i:i + 1] or None) and self.input[i + 1:i + 2] == "-"

    def at_right_delim(self) -> tuple[bool, bool]:
        if self.has_right_trim_marker(self.pos) and self.input.startswith(_RIGHT_DELIM, self.pos + 2):
            return True, True
        if self.input.startswith(_RIGHT_DELIM, self.pos):
            return True, False
        return False, False

    def at_terminator(self) -> bool:
        r = self.peek()
        if _is_space(r) or r is None or r in ".,|:)(":
            return True
        return self.input.startswith(_RIGHT_DELIM, self.pos)

    def left_trim_length(self, i: int) -> int:
        rest = self.input[i:]
        return len(rest) - len(rest.lstrip(_SPACE_CHARS))

    # -- states ----------------------------------------------------------------

    def lex_text(self):
        x = self.input.find(_LEFT_DELIM, self.pos)
        if x < 0:
            self.pos = len(self.input)
            if self.pos > self.start:
                self.line += self.input.count("\n", self.start, self.pos)
                return self.emit(I_TEXT)
            return self.emit(I_EOF)
        if x > self.pos:
            self.pos = x
            trim = 0
            if self.has_left_trim_marker(self.pos + len(_LEFT_DELIM)):
                text = self.input[self.start:self.pos]
                trim = len(text) - len(text.rstrip(_SPACE_CHARS))
            self.pos -= trim
            self.line += self.input.count("\n", self.start, self.pos)
            it = self.this_item(I_TEXT)
            self.pos += trim
            self.ignore()
            if it.val:
                return self.emit_item(it)
        return self.lex_left_delim

    def lex_left_delim(self):
        self.pos += len(_LEFT_DELIM)
        after_marker = 2 if self.has_left_trim_marker(self.pos) else 0
        if self.input.startswith("/*", self.pos + after_marker):
            self.pos += after_marker
            self.ignore()
            return self.lex_comment
        it = self.this_item(I_LEFT_DELIM)
        self.inside_action = True
        self.pos += after_marker
        self.ignore()
        self.paren_depth = 0
        return self.emit_item(it)

    def lex_comment(self):
        self.pos += 2
        x = self.input.find("*/", self.pos)
        if x < 0:
            return self.errorf("unclosed comment")
        self.pos = x + 2
        delim, trim = self.at_right_delim()
        if not delim:
            return self.errorf("comment ends before closing delimiter")
        self.line += self.input.count("\n", self.start, self.pos)
        self.this_item(I_COMMENT)  # comments are dropped, as Go does by default
        if trim:
            self.pos += 2
        self.pos += len(_RIGHT_DELIM)
        if trim:
            self.pos += self.left_trim_length(self.pos)
        self.ignore()
        return self.lex_text

    def lex_right_delim(self):
        _, trim = self.at_right_delim()
        if trim:
            self.pos += 2
            self.ignore()
        self.pos += len(_RIGHT_DELIM)
        it = self.this_item(I_RIGHT_DELIM)
        if trim:
            self.pos += self.left_trim_length(self.pos)
            self.ignore()
        self.inside_action = False
        return self.emit_item(it)

    def lex_inside_action(self):
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim
            return self.errorf("unclosed left paren")
        r = self.next()
        if r is None:
            return self.errorf("unclosed action")
        if _is_space(r):
            self.backup()  # the space may start a " -}}"
            return self.lex_space
        simple = {"=": I_ASSIGN, "|": I_PIPE}
        if r in simple:
            return self.emit(simple[r])
        if r == ":":
            if self.next() != "=":
                return self.errorf("expected :=")
            return self.emit(I_DECLARE)
        states = {'"': self.lex_quote, "`": self.lex_raw_quote, "$": self.lex_variable, "'": self.lex_char}
        if r in states:
            return states[r]
        if r == "." and self.pos < len(self.input) and not "0" <= self.input[self.pos] <= "9":
            return self.lex_field
        if r in ".+-" or "0" <= r <= "9":
            self.backup()
            return self.lex_number
        if _is_alnum(r):
            self.backup()
            return self.lex_identifier
        if r == "(":
            self.paren_depth += 1
            return self.emit(I_LEFT_PAREN)
        if r == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.errorf("unexpected right paren")
            return self.emit(I_RIGHT_PAREN)
        if ord(r) < 0x80 and _go_isprint(r):
            return self.emit(I_CHAR)
        return self.errorf(f"unrecognized character in action: {_rune_desc(r)}")

    def lex_space(self):
        num_spaces = 0
        while _is_space(self.peek()):
            self.next()
            num_spaces += 1
        # A space followed by "-}}" belongs to the trim-marked delimiter.
        if self.has_right_trim_marker(self.pos - 1) and self.input.startswith(_RIGHT_DELIM, self.pos + 1):
            self.backup()
            if num_spaces == 1:
                return self.lex_right_delim
        return self.emit(I_SPACE)

    def lex_identifier(self):
        while True:
            r = self.next()
            if not _is_alnum(r):
                self.backup()
                word = self.input[self.start:self.pos]
                if not self.at_terminator():
                    return self.errorf(f"bad character {_rune_desc(r)}")
                if word in _KEYWORDS:
                    return self.emit(_KEYWORDS[word])
                if word in ("true", "false"):
                    return self.emit(I_BOOL)
                return self.emit(I_IDENTIFIER)

    def lex_field(self):
        return self.lex_field_or_variable(I_FIELD)

    def lex_variable(self):
        if self.at_terminator():  # just "$"
            return self.emit(I_VARIABLE)
        return self.lex_field_or_variable(I_VARIABLE)

    def lex_field_or_variable(self, typ: str):
        if self.at_terminator():  # just "." or "$"
            return self.emit(I_VARIABLE if typ == I_VARIABLE else I_DOT)
        while True:
            r = self.next()
            if not _is_alnum(r):
                self.backup()
                break
        if not self.at_terminator():
            return self.errorf(f"bad character {_rune_desc(r)}")
        return self.emit(typ)

    def lex_char(self):
        while True:
            r = self.next()
            if r == "\\":
                r = self.next()
                if r is not None and r != "\n":
                    continue
            if r is None or r == "\n":
                return self.errorf("unterminated character constant")
            if r == "'":
                return self.emit(I_CHAR_CONSTANT)

    def lex_number(self):
        if not self.scan_number():
            return self.errorf(f"bad number syntax: {go_quote(self.input[self.start:self.pos])}")
        if self.peek() in ("+", "-"):
            # Complex: 1+2i. No spaces, must end in 'i'.
            if not self.scan_number() or self.input[self.pos - 1] != "i":
                return self.errorf(f"bad number syntax: {go_quote(self.input[self.start:self.pos])}")
            return self.emit(I_COMPLEX)
        return self.emit(I_NUMBER)

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if _is_alnum(self.peek()):
            self.next()
            return False
        return True

    def lex_quote(self):
        while True:
            r = self.next()
            if r == "\\":
                r = self.next()
                if r is not None and r != "\n":
                    continue
            if r is None or r == "\n":
                return self.errorf("unterminated quoted string")
            if r == '"':
                return self.emit(I_STRING)

    def lex_raw_quote(self):
        while True:
            r = self.next()
            if r is None:
                return self.errorf("unterminated raw quoted string")
            if r == "`":
                return self.emit(I_RAW_STRING)


# ---------------------------------------------------------------------------
# Go literals: strconv.Unquote, ParseInt, ParseFloat
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Parse tree nodes (text/template/parse/node.go); str() gives Go's String()
# ---------------------------------------------------------------------------

class Node:
    pos = 0


class ListNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos, self.nodes = pos, []

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


class TextNode(Node):
    def __init__(self, pos: int, text: str) -> None:
        self.pos, self.text = pos, text

    def __str__(self) -> str:
        return self.text


class PipeNode(Node):
    def __init__(self, pos: int, line: int) -> None:
        self.pos, self.line = pos, line
        self.is_assign = False
        self.decl: list[VariableNode] = []
        self.cmds: list[CommandNode] = []

    def __str__(self) -> str:
        out = ""
        if self.decl:
            out = ", ".join(str(v) for v in self.decl) + " := "
        return out + " | ".join(str(c) for c in self.cmds)


class ActionNode(Node):
    def __init__(self, pos: int, pipe: PipeNode) -> None:
        self.pos, self.pipe = pos, pipe

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


class CommandNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos, self.args = pos, []

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, PipeNode) else str(a) for a in self.args)


class IdentifierNode(Node):
    def __init__(self, pos: int, ident: str) -> None:
        self.pos, self.ident = pos, ident

    def __str__(self) -> str:
        return self.ident


class VariableNode(Node):
    def __init__(self, pos: int, ident: str) -> None:
        self.pos, self.ident = pos, ident.split(".")

    def __str__(self) -> str:
        return ".".join(self.ident)


class DotNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos = pos

    def __str__(self) -> str:
        return "."


class NilNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos = pos

    def __str__(self) -> str:
        return "nil"


class FieldNode(Node):
    def __init__(self, pos: int, ident: str) -> None:
        self.pos, self.ident = pos, ident[1:].split(".")

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


class ChainNode(Node):
    def __init__(self, pos: int, node: Node) -> None:
        self.pos, self.node, self.fields = pos, node, []

    def __str__(self) -> str:
        head = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return head + "".join("." + f for f in self.fields)


class BoolNode(Node):
    def __init__(self, pos: int, value: bool) -> None:
        self.pos, self.value = pos, value

    def __str__(self) -> str:
        return "true" if self.value else "false"


class NumberNode(Node):
    def __init__(self, pos: int, text: str) -> None:
        self.pos, self.text = pos, text
        self.is_int = self.is_uint = self.is_float = self.is_complex = False
        self.int64 = self.uint64 = 0
        self.float64 = 0.0
        self.complex128 = 0j

    def __str__(self) -> str:
        return self.text


class StringNode(Node):
    def __init__(self, pos: int, quoted: str, text: str) -> None:
        self.pos, self.quoted, self.text = pos, quoted, text

    def __str__(self) -> str:
        return self.quoted


class BranchNode(Node):
    keyword = ""

    def __init__(self, pos: int, pipe: PipeNode, body: ListNode, else_body: ListNode | None) -> None:
        self.pos, self.pipe, self.list, self.else_list = pos, pipe, body, else_body

    def __str__(self) -> str:
        out = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            out += "{{else}}" + str(self.else_list)
        return out + "{{end}}"


class IfNode(BranchNode):
    keyword = "if"


class RangeNode(BranchNode):
    keyword = "range"


class WithNode(BranchNode):
    keyword = "with"


class TemplateNode(Node):
    def __init__(self, pos: int, name: str, pipe: PipeNode | None) -> None:
        self.pos, self.name, self.pipe = pos, name, pipe

    def __str__(self) -> str:
        pipe = " " + str(self.pipe) if self.pipe is not None else ""
        return "{{template " + go_quote(self.name) + pipe + "}}"


class BreakNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos = pos

    def __str__(self) -> str:
        return "{{break}}"


class ContinueNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos = pos

    def __str__(self) -> str:
        return "{{continue}}"


class _EndNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos = pos

    def __str__(self) -> str:
        return "{{end}}"


class _ElseNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos = pos

    def __str__(self) -> str:
        return "{{else}}"


def _new_number(pos: int, text: str, typ: str) -> NumberNode:
    """Parse a number literal the way Go's parse.newNumber does."""
    n = NumberNode(pos, text)
    if typ == I_CHAR_CONSTANT:
        value, _, tail = _unquote_char(text[1:], "'")
        if tail != "'":
            raise _ParseFailure(f"malformed character constant: {text}")
        n.int64 = n.uint64 = value
        n.float64 = float(value)
        n.is_int = n.is_uint = n.is_float = True
        return n
    if typ == I_COMPLEX:
        split = _complex_split(text)
        real, imag = _parse_float(text[:split]), _parse_float(text[split:-1])
        if real is None or imag is None:
            raise _ParseFailure(f"illegal number syntax: {go_quote(text)}")
        return _simplify_complex(n, complex(real, imag))
    if text.endswith("i"):
        imag = _parse_float(text[:-1])
        if imag is not None:
            return _simplify_complex(n, complex(0, imag))
    unsigned, signed = _parse_uint(text), _parse_int(text)
    if unsigned is not None:
        n.is_uint, n.uint64 = True, unsigned
    if signed is not None:
        n.is_int, n.int64 = True, signed
        if signed == 0:  # "-0" is an unsigned zero too
            n.is_uint, n.uint64 = True, 0
    if n.is_int or n.is_uint:
        n.is_float, n.float64 = True, float(n.int64 if n.is_int else n.uint64)
        return n
    value = _parse_float(text)
    if value is None:
        raise _ParseFailure(f"illegal number syntax: {go_quote(text)}")
    if not any(c in text for c in ".eEpP"):
        raise _ParseFailure(f"integer overflow: {go_quote(text)}")
    n.is_float, n.float64 = True, value
    if value.is_integer() and -(2 ** 63) <= value < 2 ** 63:
        n.is_int, n.int64 = True, int(value)
    if value.is_integer() and 0 <= value < 2 ** 64:
        n.is_uint, n.uint64 = True, int(value)
    return n


def _complex_split(text: str) -> int:
    """Index of the sign starting the imaginary part of "1e-3+2i"."""
    for i in range(len(text) - 1, 0, -1):
        if text[i] in "+-" and text[i - 1] not in "eEpP":
            return i
    return 0


def _simplify_complex(n: NumberNode, value: complex) -> NumberNode:
    n.is_complex, n.complex128 = True, value
    if value.imag == 0:
        n.is_float, n.float64 = True, value.real
        if value.real.is_integer() and -(2 ** 63) <= value.real < 2 ** 63:
            n.is_int, n.int64 = True, int(value.real)
        if value.real.is_integer() and 0 <= value.real < 2 ** 64:
            n.is_uint, n.uint64 = True, int(value.real)
    return n


# ---------------------------------------------------------------------------
# Parser (text/template/parse/parse.go)
# ---------------------------------------------------------------------------

class _ParseFailure(Exception):
    """An error message without the "template: :LINE:" prefix."""


class _Parser:
    """Builds the parse tree for one template (and any {{define}}d ones)."""

    def __init__(self, name: str, text: str, funcs: set[str], trees: dict[str, ListNode],
                 lexer: _Lexer | None = None) -> None:
        self.name = name
        self.text = text
        self.funcs = funcs
        self.trees = trees
        self.lex = lexer or _Lexer(text)
        self.token: list[Item] = [Item(I_EOF, 0, "", 1)] * 3
        self.peek_count = 0
        self.vars = ["$"]
        self.action_line = 0
        self.range_depth = 0
        self.paren_depth = 0
        self.root: ListNode | None = None

    # -- token stream ------------------------------------------------------------

    def next(self) -> Item:
        if self.peek_count > 0:
            self.peek_count -= 1
        else:
            self.token[0] = self.lex.next_item()
        return self.token[self.peek_count]

    def backup(self) -> None:
        self.peek_count += 1

    def backup2(self, t1: Item) -> None:
        self.token[1] = t1
        self.peek_count = 2

    def backup3(self, t2: Item, t1: Item) -> None:
        self.token[1], self.token[2] = t1, t2
        self.peek_count = 3

    def peek(self) -> Item:
        if self.peek_count > 0:
            return self.token[self.peek_count - 1]
        self.peek_count = 1
        self.token[0] = self.lex.next_item()
        return self.token[0]

    def next_non_space(self) -> Item:
        while True:
            token = self.next()
            if token.typ != I_SPACE:
                return token

    def peek_non_space(self) -> Item:
        token = self.next_non_space()
        self.backup()
        return token

    # -- errors ------------------------------------------------------------------

    def errorf(self, message: str):
        raise TemplateError(f"template: {self.name}:{self.token[0].line}: {message}")

    def expect(self, typ: str, context: str) -> Item:
        token = self.next_non_space()
        if token.typ != typ:
            self.unexpected(token, context)
        return token

    def unexpected(self, token: Item, context: str):
        if token.typ == I_ERROR:
            extra = ""
            if self.action_line and self.action_line != token.line:
                extra = f" in action started at {self.name}:{self.action_line}"
                if token.val.endswith(" action"):
                    extra = extra[len(" in action"):]  # avoid "action in action"
            self.errorf(f"{token.val}{extra}")
        self.errorf(f"unexpected {_item_str(token)} in {context}")

    # -- grammar -----------------------------------------------------------------

    def parse(self) -> ListNode:
        self.root = ListNode(self.peek().pos)
        while self.peek().typ != I_EOF:
            if self.peek().typ == I_LEFT_DELIM:
                delim = self.next()
                if self.next_non_space().typ == _KEYWORDS["define"]:
                    sub = _Parser("definition", self.text, self.funcs, self.trees, self.lex)
                    sub.name = self.name
                    sub.parse_definition()
                    continue
                self.backup2(delim)
            node = self.text_or_action()
            if isinstance(node, (_EndNode, _ElseNode)):
                self.errorf(f"unexpected {node}")
            self.root.nodes.append(node)
        self.add(self.name, self.root)
        return self.root

    def add(self, name: str, root: ListNode) -> None:
        existing = self.trees.get(name)
        if existing is None or _is_empty_tree(existing):
            self.trees[name] = root
        elif not _is_empty_tree(root):
            self.errorf(f"template: multiple definition of template {go_quote(name)}")

    def parse_definition(self) -> None:
        context = "define clause"
        token = self.next_non_space()
        if token.typ not in (I_STRING, I_RAW_STRING):
            self.unexpected(token, context)
        name = self.unquote(token)
        self.expect(I_RIGHT_DELIM, context)
        body, end = self.item_list()
        if not isinstance(end, _EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.add(name, body)

    def unquote(self, token: Item) -> str:
        try:
            return _unquote(token.val)
        except _SyntaxError:
            self.errorf("invalid syntax")

    def item_list(self) -> tuple[ListNode, Node]:
        body = ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ != I_EOF:
            node = self.text_or_action()
            if isinstance(node, (_EndNode, _ElseNode)):
                return body, node
            body.nodes.append(node)
        self.errorf("unexpected EOF")

    def text_or_action(self) -> Node:
        token = self.next_non_space()
        if token.typ == I_TEXT:
            return TextNode(token.pos, token.val)
        if token.typ == I_LEFT_DELIM:
            self.action_line = token.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(token, "input")

    def action(self) -> Node:
        token = self.next_non_space()
        controls = {
            "kw:block": self.block_control,
            "kw:else": self.else_control,
            "kw:end": self.end_control,
            "kw:if": lambda: IfNode(*self.parse_control("if")),
            "kw:range": lambda: RangeNode(*self.parse_control("range")),
            "kw:template": self.template_control,
            "kw:with": lambda: WithNode(*self.parse_control("with")),
        }
        if token.typ in ("kw:break", "kw:continue"):
            return self.loop_control(token)
        if token.typ in controls:
            return controls[token.typ]()
        self.backup()
        token = self.peek()
        # Variables declared here stay in scope until the enclosing {{end}}.
        return ActionNode(token.pos, self.pipeline("command", I_RIGHT_DELIM))

    def loop_control(self, token: Item) -> Node:
        word = token.val
        after = self.next_non_space()
        if after.typ != I_RIGHT_DELIM:
            self.unexpected(after, "{{" + word + "}}")
        if self.range_depth == 0:
            self.errorf("{{" + word + "}} outside {{range}}")
        return BreakNode(token.pos) if word == "break" else ContinueNode(token.pos)

    def pipeline(self, context: str, end: str) -> PipeNode:
        token = self.peek_non_space()
        pipe = PipeNode(token.pos, token.line)
        self.parse_declarations(pipe, context)
        while True:
            token = self.next_non_space()
            if token.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if token.typ in (I_BOOL, I_CHAR_CONSTANT, I_COMPLEX, I_DOT, I_FIELD, I_IDENTIFIER,
                             I_NUMBER, I_NIL, I_RAW_STRING, I_STRING, I_VARIABLE, I_LEFT_PAREN):
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(token, context)

    def parse_declarations(self, pipe: PipeNode, context: str) -> None:
        """Handle "$x :=", "$x =" and range's "$i, $e :=" prefixes."""
        while True:
            v = self.peek_non_space()
            if v.typ != I_VARIABLE:
                return
            self.next()
            # Spaces are tokens, so "$x foo" needs a three-token look-ahead to
            # tell an argument from a declaration.
            token_after_variable = self.peek()
            nxt = self.peek_non_space()
            if nxt.typ in (I_ASSIGN, I_DECLARE):
                pipe.is_assign = nxt.typ == I_ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, v.val))
                self.vars.append(v.val)
                return
            if nxt.typ == I_CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, v.val))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (I_VARIABLE, I_RIGHT_DELIM, I_RIGHT_PAREN):
                        continue  # the second variable of "range $i, $e :="
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            if token_after_variable.typ == I_SPACE:
                self.backup3(v, token_after_variable)
            else:
                self.backup2(v)
            return

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], (BoolNode, DotNode, NilNode, NumberNode, StringNode)):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def parse_control(self, context: str) -> tuple[int, PipeNode, ListNode, ListNode | None]:
        mark = len(self.vars)
        try:
            pipe = self.pipeline(context, I_RIGHT_DELIM)
            if context == "range":
                self.range_depth += 1
            body, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_body = None
            if isinstance(nxt, _ElseNode):
                # "{{else if x}}" and "{{else with x}}" nest a new if/with in
                # the else branch; its {{end}} closes both.
                if context in ("if", "with") and self.peek().typ == "kw:" + context:
                    self.next()
                    else_body = ListNode(nxt.pos)
                    node_type = IfNode if context == "if" else WithNode
                    else_body.nodes.append(node_type(*self.parse_control(context)))
                else:
                    else_body, nxt = self.item_list()
                    if not isinstance(nxt, _EndNode):
                        self.errorf(f"expected end; found {nxt}")
            return pipe.pos, pipe, body, else_body
        finally:
            del self.vars[mark:]

    def end_control(self) -> Node:
        return _EndNode(self.expect(I_RIGHT_DELIM, "end").pos)

    def else_control(self) -> Node:
        peek = self.peek_non_space()
        if peek.typ in ("kw:if", "kw:with"):
            return _ElseNode(peek.pos)
        return _ElseNode(self.expect(I_RIGHT_DELIM, "else").pos)

    def block_control(self) -> Node:
        context = "block clause"
        token = self.next_non_space()
        name = self.parse_template_name(token, context)
        pipe = self.pipeline(context, I_RIGHT_DELIM)
        sub = _Parser(name, self.text, self.funcs, self.trees, self.lex)
        sub.name = self.name
        body, end = sub.item_list()
        if not isinstance(end, _EndNode):
            self.errorf(f"unexpected {end} in {context}")
        sub.add(name, body)
        return TemplateNode(token.pos, name, pipe)

    def template_control(self) -> Node:
        context = "template clause"
        token = self.next_non_space()
        name = self.parse_template_name(token, context)
        pipe = None
        if self.next_non_space().typ != I_RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, I_RIGHT_DELIM)
        return TemplateNode(token.pos, name, pipe)

    def parse_template_name(self, token: Item, context: str) -> str:
        if token.typ not in (I_STRING, I_RAW_STRING):
            self.unexpected(token, context)
        return self.unquote(token)

    def command(self) -> CommandNode:
        cmd = CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()  # skip leading spaces
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            token = self.next()
            if token.typ == I_SPACE:
                continue
            if token.typ in (I_RIGHT_DELIM, I_RIGHT_PAREN):
                self.backup()
            elif token.typ != I_PIPE:
                self.unexpected(token, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == I_FIELD:
            chain = ChainNode(self.peek().pos, node)
            while self.peek().typ == I_FIELD:
                chain.fields.append(self.next().val[1:])
            # Like Go, fold .X.Y and $x.Y into one node; the position is
            # that of the first chained field.
            if isinstance(node, FieldNode):
                return FieldNode(chain.pos, str(chain))
            if isinstance(node, VariableNode):
                return VariableNode(chain.pos, str(chain))
            if isinstance(node, (BoolNode, StringNode, NumberNode, NilNode, DotNode)):
                self.errorf(f"unexpected . after term {go_quote(str(node))}")
            return chain
        return node

    def term(self) -> Node | None:
        token = self.next_non_space()
        typ = token.typ
        if typ == I_IDENTIFIER:
            if token.val not in self.funcs:
                self.errorf(f"function {go_quote(token.val)} not defined")
            return IdentifierNode(token.pos, token.val)
        if typ == I_DOT:
            return DotNode(token.pos)
        if typ == I_NIL:
            return NilNode(token.pos)
        if typ == I_VARIABLE:
            return self.use_var(token.pos, token.val)
        if typ == I_FIELD:
            return FieldNode(token.pos, token.val)
        if typ == I_BOOL:
            return BoolNode(token.pos, token.val == "true")
        if typ in (I_CHAR_CONSTANT, I_COMPLEX, I_NUMBER):
            try:
                return _new_number(token.pos, token.val, typ)
            except _ParseFailure as exc:
                self.errorf(str(exc))
            except _SyntaxError:
                self.errorf("invalid syntax")
        if typ == I_LEFT_PAREN:
            if self.paren_depth >= _MAX_PAREN_DEPTH:
                self.errorf("max expression depth exceeded")
            self.paren_depth += 1
            try:
                return self.pipeline("parenthesized pipeline", I_RIGHT_PAREN)
            finally:
                self.paren_depth -= 1
        if typ in (I_STRING, I_RAW_STRING):
            return StringNode(token.pos, token.val, self.unquote(token))
        self.backup()
        return None

    def use_var(self, pos: int, name: str) -> Node:
        v = VariableNode(pos, name)
        if v.ident[0] not in self.vars:
            self.errorf(f"undefined variable {go_quote(v.ident[0])}")
        return v


def _is_empty_tree(node: Node) -> bool:
    if isinstance(node, ListNode):
        return all(_is_empty_tree(n) for n in node.nodes)
    if isinstance(node, TextNode):
        return not node.text.strip()
    return False


# ---------------------------------------------------------------------------
# Functions callable from templates
# ---------------------------------------------------------------------------

# Parameter kinds, mirroring the Go parameter types that matter:
#   "value"   reflect.Value: receives the raw value, invalid (NO_VALUE) included
#   "any"     interface{}: a missing value arrives as None (nil)
#   "string", "int", "strings" ([]string): checked like Go's validateType.
_KIND_TYPE_NAMES = {"value": "reflect.Value", "any": "interface {}", "string": "string",
                    "int": "int", "strings": "[]string"}


class FuncError(Exception):
    """Raised by a template function; becomes "error calling NAME: msg"."""


class GoFunc(NamedTuple):
    """A template function: a Python callable plus its Go signature."""

    fn: Callable[..., Any]
    params: tuple[str, ...]
    variadic: str | None = None


def _truth(v: Any) -> bool:
    """Go's isTrue: the zero value of any type is false."""
    if v is None or v is NO_VALUE:
        return False
    if isinstance(v, (bool, int, float, complex)):
        return v != 0
    if isinstance(v, (str, bytes, list, tuple, Mapping)):
        return len(v) > 0
    return True


def _fn_not(arg: Any) -> bool:
    return not _truth(arg)


def _fn_len(item: Any) -> int:
    if item is NO_VALUE:
        raise FuncError("reflect: call of reflect.Value.Type on zero Value")
    if item is None:
        raise FuncError("len of nil pointer")
    if isinstance(item, str):
        return len(item.encode("utf-8", "surrogatepass"))  # Go counts bytes
    if isinstance(item, (list, tuple, Mapping, bytes)):
        return len(item)
    raise FuncError(f"len of type {go_type_name(item)}")


def _index_arg(index: Any, cap: int) -> int:
    if index is None or index is NO_VALUE:
        raise FuncError("cannot index slice/array with nil")
    if not _is_int(index):
        raise FuncError(f"cannot index slice/array with type {go_type_name(index)}")
    if index < 0 or index > cap:
        raise FuncError(f"index out of range: {index}")
    return index


def _map_zero(m: Mapping) -> Any:
    """The zero value Go's index returns for a missing key.

    Go knows the map's element type; we infer it from the values.  Empty maps
    are taken as map[string]string (docker's label maps), so they give "".
    """
    values = list(m.values())
    for py_type, zero in ((str, ""), (bool, False), (int, 0), (float, 0.0)):
        if all(type(v) is py_type for v in values):
            return zero
    return NO_VALUE


def _fn_index(item: Any, *indexes: Any) -> Any:
    if item is NO_VALUE:
        raise FuncError("index of untyped nil")
    for index in indexes:
        if item is None or item is NO_VALUE:
            raise FuncError("index of nil pointer")
        if isinstance(item, (str, list, tuple)):
            seq = item.encode("utf-8", "surrogatepass") if isinstance(item, str) else item
            x = _index_arg(index, len(seq))
            if x == len(seq):
                kind = "string" if isinstance(item, str) else "slice"
                raise FuncError(f"reflect: {kind} index out of range")
            item = seq[x]  # indexing a Go string yields a byte
        elif isinstance(item, Mapping):
            if index is None or index is NO_VALUE:
                raise FuncError("value is nil; should be of type string")
            try:
                item = item[index] if index in item else _map_zero(item)
            except TypeError:
                raise FuncError(f"value has type {go_type_name(index)}; should be string") from None
        else:
            raise FuncError(f"can't index item of type {go_type_name(item)}")
    return item


def _fn_slice(item: Any, *indexes: Any) -> Any:
    if item is NO_VALUE or item is None:
        raise FuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise FuncError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise FuncError("cannot 3-index slice a string")
        seq: Any = item.encode("utf-8", "surrogatepass")
    elif _is_list(item):
        seq = item
    else:
        raise FuncError(f"can't slice item of type {go_type_name(item)}")
    idx = [0, len(seq), len(seq)]
    for i, index in enumerate(indexes):
        idx[i] = _index_arg(index, len(seq))
    if idx[0] > idx[1]:
        raise FuncError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise FuncError(f"invalid slice index: {idx[1]} > {idx[2]}")
    part = seq[idx[0]:idx[1]]
    return _decode_go_bytes(part) if isinstance(item, str) else list(part)


def _basic_kind(v: Any) -> str | None:
    for py_type, kind in ((bool, "bool"), (int, "int"), (float, "float"), (complex, "complex"), (str, "string")):
        if isinstance(v, py_type):
            return kind
    return None


def _is_nil(v: Any) -> bool:
    return v is None or v is NO_VALUE


def _eq_one(a: Any, b: Any) -> bool:
    ka, kb = _basic_kind(a), _basic_kind(b)
    if ka != kb:
        if _is_nil(a) or _is_nil(b):
            return False
        raise FuncError("incompatible types for comparison")
    if ka is not None:
        return a == b
    if _is_nil(a) or _is_nil(b):
        return _is_nil(a) and _is_nil(b)
    if _is_list(a) or _is_list(b) or isinstance(a, Mapping) or isinstance(b, Mapping):
        if type(a) is not type(b) and not (_is_list(a) and _is_list(b)):
            raise FuncError("incompatible types for comparison")
        shown = _print_arg(b, "s", _Flags())
        raise FuncError(f"non-comparable type {shown}: {go_type_name(b)}")
    return a is b  # structs are compared by identity, like Go pointers


def _fn_eq(arg1: Any, *args: Any) -> bool:
    if not args:
        raise FuncError("missing argument for comparison")
    return any(_eq_one(arg1, arg) for arg in args)


def _fn_ne(a: Any, b: Any) -> bool:
    return not _eq_one(a, b)


def _fn_lt(a: Any, b: Any) -> bool:
    ka, kb = _basic_kind(a), _basic_kind(b)
    if ka is None or kb is None:
        raise FuncError("invalid type for comparison")
    if ka != kb:
        raise FuncError("incompatible types for comparison")
    if ka in ("bool", "complex"):
        raise FuncError("invalid type for comparison")
    return a < b


def _fn_le(a: Any, b: Any) -> bool:
    return _fn_lt(a, b) or _eq_one(a, b)


def _fn_gt(a: Any, b: Any) -> bool:
    return not _fn_le(a, b)


def _fn_ge(a: Any, b: Any) -> bool:
    return not _fn_lt(a, b)


def _eval_args(args: tuple) -> str:
    """The text html/js/urlquery escape: fmt.Sprint of the arguments."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return go_sprint(["<no value>" if a is None else a for a in args])


def _fn_html(*args: Any) -> str:
    table = {'"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;", "\0": "\ufffd"}
    return "".join(table.get(ch, ch) for ch in _eval_args(args))


def _js_escape_char(ch: str) -> str:
    table = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "=": "\\u003D"}
    if ch in table:
        return table[ch]
    code = ord(ch)
    if code < 0x20:
        return "\\u%04X" % code
    if code >= 0x80 and not _go_isprint(ch):
        return "\\u%04X" % code
    return ch


def _fn_js(*args: Any) -> str:
    return "".join(_js_escape_char(ch) for ch in _eval_args(args))


def _fn_urlquery(*args: Any) -> str:
    return urllib.parse.quote_plus(_eval_args(args), safe="", errors="replace")


def _fn_print(*args: Any) -> str:
    return go_sprint(list(args))


def _fn_printf(fmt: str, *args: Any) -> str:
    return go_sprintf(fmt, list(args))


def _fn_println(*args: Any) -> str:
    return go_sprintln(list(args))


def _py_arity(fn: Callable) -> tuple[int, int, bool] | None:
    """(required, positional, variadic) for a Python callable, if knowable."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    required = positional = 0
    variadic = False
    for p in sig.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            positional += 1
            required += p.default is p.empty
        elif p.kind == p.VAR_POSITIONAL:
            variadic = True
    return required, positional, variadic


def _call_python(fn: Callable, args: list) -> Any:
    try:
        return fn(*args)
    except FuncError:
        raise
    except Exception as exc:  # a method failing is an execution error, like a Go panic
        raise FuncError(str(exc) or type(exc).__name__) from None


def _fn_call(name: str, fn: Any, *args: Any) -> Any:
    if fn is None or fn is NO_VALUE:
        raise FuncError("call of nil")
    if not callable(fn) or not (_is_func(fn) or _is_struct(fn)):
        raise FuncError(f"non-function {name} of type {go_type_name(fn)}")
    arity = _py_arity(fn)
    if arity is not None:
        required, positional, variadic = arity
        if variadic and len(args) < required:
            raise FuncError(f"wrong number of args for {name}: got {len(args)} want at least {required}")
        if not variadic and not required <= len(args) <= positional:
            raise FuncError(f"wrong number of args for {name}: got {len(args)} want {positional}")
    return _call_python(fn, [None if a is NO_VALUE else a for a in args])


_BUILTINS: dict[str, GoFunc] = {
    "and": GoFunc(lambda *a: None, ("value",), "value"),  # short-circuits in _State
    "or": GoFunc(lambda *a: None, ("value",), "value"),
    "call": GoFunc(_fn_call, ("value",), "value"),
    "html": GoFunc(_fn_html, (), "any"),
    "index": GoFunc(_fn_index, ("value",), "value"),
    "slice": GoFunc(_fn_slice, ("value",), "value"),
    "js": GoFunc(_fn_js, (), "any"),
    "len": GoFunc(_fn_len, ("value",)),
    "not": GoFunc(_fn_not, ("value",)),
    "print": GoFunc(_fn_print, (), "any"),
    "printf": GoFunc(_fn_printf, ("string",), "any"),
    "println": GoFunc(_fn_println, (), "any"),
    "urlquery": GoFunc(_fn_urlquery, (), "any"),
    "eq": GoFunc(_fn_eq, ("value",), "value"),
    "ge": GoFunc(_fn_ge, ("value", "value")),
    "gt": GoFunc(_fn_gt, ("value", "value")),
    "le": GoFunc(_fn_le, ("value", "value")),
    "lt": GoFunc(_fn_lt, ("value", "value")),
    "ne": GoFunc(_fn_ne, ("value", "value")),
}


# -- docker's additions (docker/cli templates/templates.go) --------------------

def _map_runes(s: str, convert: Callable[[str], str]) -> str:
    """strings.ToUpper/ToLower: rune by rune, never growing a rune (ß stays ß)."""
    out = []
    for ch in s:
        mapped = convert(ch)
        out.append(mapped if len(mapped) == 1 else ch)
    return "".join(out)


def _go_title(s: str) -> str:
    """strings.Title: upper-case the first letter of every word."""
    def is_separator(ch: str) -> bool:
        if ord(ch) < 0x80:
            return not (ch.isalnum() or ch == "_")
        if ch.isalpha() or ch.isdecimal():
            return False
        return ch.isspace()

    out, prev = [], " "
    for ch in s:
        out.append(_map_runes(ch, str.title) if is_separator(prev) else ch)
        prev = ch
    return "".join(out)


def _docker_json(v: Any) -> str:
    try:
        return _to_json(v)
    except _JSONUnsupported as exc:
        raise FuncError(str(exc)) from None


def _docker_split(s: str, sep: str) -> list[str]:
    return list(s) if sep == "" else s.split(sep)


def _docker_pad(source: str, prefix: int, suffix: int) -> str:
    if source == "":
        return source
    if prefix < 0 or suffix < 0:
        raise FuncError("strings: negative Repeat count")
    return " " * prefix + source + " " * suffix


def _docker_truncate(source: str, length: int) -> str:
    # Go slices bytes, so a cut can split a multi-byte rune; the stray bytes
    # become U+FFFD, one per byte, like Go's own rune decoding.
    data = source.encode("utf-8", "surrogatepass")
    if len(data) < length:
        return source
    if length < 0:
        raise FuncError(f"runtime error: slice bounds out of range [:{length}]")
    return _decode_go_bytes(data[:length])


DOCKER_FUNCS: dict[str, GoFunc] = {
    "json": GoFunc(_docker_json, ("any",)),
    "split": GoFunc(_docker_split, ("string", "string")),
    "join": GoFunc(lambda elems, sep: sep.join(elems), ("strings", "string")),
    "title": GoFunc(_go_title, ("string",)),
    "lower": GoFunc(lambda s: _map_runes(s, str.lower), ("string",)),
    "upper": GoFunc(lambda s: _map_runes(s, str.upper), ("string",)),
    "pad": GoFunc(_docker_pad, ("string", "int", "int")),
    "truncate": GoFunc(_docker_truncate, ("string", "int")),
}

# docker's HeaderFunctions: table headers keep the column titles intact, so
# these replace the string functions (pad is deliberately not replaced).
HEADER_FUNCS: dict[str, GoFunc] = {
    "json": GoFunc(lambda v: v, ("string",)),
    "split": GoFunc(lambda v, _: v, ("string", "string")),
    "join": GoFunc(lambda v, _: v, ("string", "string")),
    "title": GoFunc(lambda v: v, ("string",)),
    "lower": GoFunc(lambda v: v, ("string",)),
    "upper": GoFunc(lambda v: v, ("string",)),
    "truncate": GoFunc(lambda v, _: v, ("string", "int")),
}


# ---------------------------------------------------------------------------
# Execution (text/template/exec.go)
# ---------------------------------------------------------------------------

class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _State:
    """One execution of a template: output, variables, current node."""

    def __init__(self, tmpl: Template, name: str, funcs: dict[str, GoFunc], out: list[str],
                 depth: int = 0) -> None:
        self.tmpl = tmpl
        self.name = name
        self.funcs = funcs
        self.out = out
        self.depth = depth
        self.node: Node | None = None
        self.vars: list[list[Any]] = []

    # -- variables -----------------------------------------------------------------

    def push(self, name: str, value: Any) -> None:
        self.vars.append([name, value])

    def mark(self) -> int:
        return len(self.vars)

    def pop(self, mark: int) -> None:
        del self.vars[mark:]

    def set_var(self, name: str, value: Any) -> None:
        for var in reversed(self.vars):
            if var[0] == name:
                var[1] = value
                return
        self.errorf(f"undefined variable: {name}")

    def set_top_var(self, n: int, value: Any) -> None:
        self.vars[-n][1] = value

    def var_value(self, name: str) -> Any:
        for var_name, value in reversed(self.vars):
            if var_name == name:
                return value
        self.errorf(f"undefined variable: {name}")

    # -- errors ----------------------------------------------------------------------

    def at(self, node: Node) -> None:
        self.node = node

    def errorf(self, message: str):
        if self.node is None:
            raise TemplateError(f"template: {self.name}: {message}")
        location = self.tmpl.error_location(self.node)
        raise TemplateError(
            f"template: {location}: executing {go_quote(self.name)} at <{self.node}>: {message}"
        )

    # -- walking -----------------------------------------------------------------------

    def walk(self, dot: Any, node: Node) -> None:
        self.at(node)
        if isinstance(node, ActionNode):
            value = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:  # declarations print nothing
                self.print_value(node, value)
        elif isinstance(node, ListNode):
            for child in node.nodes:
                self.walk(dot, child)
        elif isinstance(node, TextNode):
            self.out.append(node.text)
        elif isinstance(node, (IfNode, WithNode)):
            self.walk_if_or_with(dot, node)
        elif isinstance(node, RangeNode):
            self.walk_range(dot, node)
        elif isinstance(node, TemplateNode):
            self.walk_template(dot, node)
        elif isinstance(node, BreakNode):
            raise _Break
        elif isinstance(node, ContinueNode):
            raise _Continue
        else:
            self.errorf(f"unknown node: {node}")

    def walk_if_or_with(self, dot: Any, node: BranchNode) -> None:
        mark = self.mark()
        try:
            value = self.eval_pipeline(dot, node.pipe)
            if _truth(value):
                self.walk(value if isinstance(node, WithNode) else dot, node.list)
            elif node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            self.pop(mark)

    def walk_range(self, dot: Any, node: RangeNode) -> None:
        self.at(node)
        outer_mark = self.mark()
        try:
            value = self.eval_pipeline(dot, node.pipe)
            if not self.range_over(value, node):
                if node.else_list is not None:
                    self.walk(dot, node.else_list)
        except _Break:
            pass
        finally:
            self.pop(outer_mark)

    def range_over(self, value: Any, node: RangeNode) -> bool:
        """Run the body once per element; False if nothing was iterated."""
        mark = self.mark()
        if _is_list(value):
            pairs = list(enumerate(value))
        elif isinstance(value, Mapping):
            pairs = _sorted_items(value)
        elif _is_int(value):
            if len(node.pipe.decl) > 1:
                self.errorf(f"can't use {format_value(value)} to iterate over more than one variable")
            pairs = [(NO_VALUE, i) for i in range(value)]
        elif value is None or value is NO_VALUE:
            pairs = []  # nil acts like an empty collection
        else:
            self.errorf(f"range can't iterate over {format_value(value)}")
        for index, elem in pairs:
            self.one_iteration(node, mark, index, elem)
        return bool(pairs)

    def one_iteration(self, node: RangeNode, mark: int, index: Any, elem: Any) -> None:
        decl, assign = node.pipe.decl, node.pipe.is_assign
        if decl:
            if assign:
                self.set_var(decl[0].ident[0], index if len(decl) > 1 else elem)
            else:
                self.set_top_var(1, elem)  # lexically the last variable
        if len(decl) > 1:
            if assign:
                self.set_var(decl[1].ident[0], elem)
            else:
                self.set_top_var(2, index)
        try:
            self.walk(elem, node.list)
        except _Continue:
            pass
        finally:
            self.pop(mark)

    def walk_template(self, dot: Any, node: TemplateNode) -> None:
        self.at(node)
        body = self.tmpl.trees.get(node.name)
        if body is None:
            self.errorf(f"template {go_quote(node.name)} not defined")
        if self.depth >= _MAX_EXEC_DEPTH:
            self.errorf(f"exceeded maximum template depth ({_MAX_EXEC_DEPTH})")
        dot = self.eval_pipeline(dot, node.pipe)
        # Templates see no variables from their caller, only "$".
        state = _State(self.tmpl, node.name, self.funcs, self.out, self.depth + 1)
        state.push("$", dot)
        state.walk(dot, body)

    # -- evaluation ------------------------------------------------------------------------

    def eval_pipeline(self, dot: Any, pipe: PipeNode | None) -> Any:
        if pipe is None:
            return NO_VALUE
        self.at(pipe)
        value: Any = _MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)  # the previous value is the final arg
        for var in pipe.decl:
            if pipe.is_assign:
                self.set_var(var.ident[0], value)
            else:
                self.push(var.ident[0], value)
        return value

    def not_a_function(self, args: list[Node], final: Any) -> None:
        if len(args) > 1 or final is not _MISSING:
            self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: Any, cmd: CommandNode, final: Any) -> Any:
        first = cmd.args[0]
        if isinstance(first, FieldNode):
            return self.eval_field_node(dot, first, cmd.args, final)
        if isinstance(first, ChainNode):
            return self.eval_chain_node(dot, first, cmd.args, final)
        if isinstance(first, IdentifierNode):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, PipeNode):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, VariableNode):
            return self.eval_variable_node(dot, first, cmd.args, final)
        self.at(first)
        self.not_a_function(cmd.args, final)
        if isinstance(first, BoolNode):
            return first.value
        if isinstance(first, DotNode):
            return dot
        if isinstance(first, NilNode):
            self.errorf("nil is not a command")
        if isinstance(first, NumberNode):
            return self.ideal_constant(first)
        if isinstance(first, StringNode):
            return first.text
        self.errorf(f"can't evaluate command {go_quote(str(first))}")

    def ideal_constant(self, c: NumberNode) -> Any:
        """A number literal's value when no parameter type guides it."""
        self.at(c)
        if c.is_complex:
            return c.complex128
        is_hex_int = c.text[:2].lower() == "0x" and "p" not in c.text.lower()
        if c.is_float and not is_hex_int and not c.text.startswith("'") and any(ch in c.text for ch in ".eEpP"):
            return c.float64
        if c.is_int:
            return c.int64
        if c.is_uint:
            self.errorf(f"{c.text} overflows int")
        return NO_VALUE

    def eval_field_node(self, dot: Any, field: FieldNode, args: list[Node] | None, final: Any) -> Any:
        self.at(field)
        return self.eval_field_chain(dot, dot, field, field.ident, args, final)

    def eval_chain_node(self, dot: Any, chain: ChainNode, args: list[Node] | None, final: Any) -> Any:
        self.at(chain)
        if isinstance(chain.node, NilNode):
            self.errorf(f"indirection through explicit nil in {chain}")
        receiver = self.eval_arg(dot, None, chain.node)
        return self.eval_field_chain(dot, receiver, chain, chain.fields, args, final)

    def eval_variable_node(self, dot: Any, var: VariableNode, args: list[Node] | None, final: Any) -> Any:
        self.at(var)
        value = self.var_value(var.ident[0])
        if len(var.ident) == 1:
            self.not_a_function(args or [var], final)
            return value
        return self.eval_field_chain(dot, value, var, var.ident[1:], args, final)

    def eval_field_chain(self, dot: Any, receiver: Any, node: Node, idents: list[str],
                         args: list[Node] | None, final: Any) -> Any:
        for name in idents[:-1]:
            receiver = self.eval_field(dot, name, node, None, _MISSING, receiver)
        return self.eval_field(dot, idents[-1], node, args, final, receiver)

    def eval_function(self, dot: Any, ident: IdentifierNode, cmd: Node, args: list[Node] | None,
                      final: Any) -> Any:
        self.at(ident)
        name = ident.ident
        if name in self.funcs:
            return self.eval_call(dot, self.funcs[name], False, cmd, name, args, final)
        if name in _BUILTINS:
            return self.eval_call(dot, _BUILTINS[name], True, cmd, name, args, final)
        self.errorf(f"{go_quote(name)} is not a defined function")

    def eval_field(self, dot: Any, name: str, node: Node, args: list[Node] | None, final: Any,
                   receiver: Any) -> Any:
        """Evaluate .Name on receiver: a map key, a field or a method call."""
        if receiver is NO_VALUE:
            return NO_VALUE
        if receiver is None:
            self.errorf(f"nil pointer evaluating interface {{}}.{name}")
        has_args = (args is not None and len(args) > 1) or final is not _MISSING
        if isinstance(receiver, Mapping):
            method = _map_method(receiver, name)
            if method is not None:         # Go looks for a method before a map key
                return self.eval_call(dot, method, False, node, name, args, final)
            if has_args:
                self.errorf(f"{name} is not a method but has arguments")
            return receiver.get(name, NO_VALUE)
        if _is_struct(receiver) and not name.startswith("_"):
            try:
                attr = getattr(receiver, name)
            except AttributeError:
                attr = _MISSING
            except Exception as exc:  # a failing property, like a panicking getter
                self.errorf(f"error calling {name}: {exc}")
            if attr is not _MISSING:
                if inspect.ismethod(attr) or inspect.isbuiltin(attr):
                    return self.eval_call(dot, attr, False, node, name, args, final)
                if has_args:
                    self.errorf(f"{name} has arguments but cannot be invoked as function")
                return attr
        self.errorf(f"can't evaluate field {name} in type {go_type_name(receiver)}")

    def eval_call(self, dot: Any, fun: GoFunc | Callable, is_builtin: bool, node: Node, name: str,
                  args: list[Node] | None, final: Any) -> Any:
        """Call a template function or a Python method with evaluated args."""
        arg_nodes = list(args[1:]) if args is not None else []
        if not isinstance(fun, GoFunc):
            return self.call_method(dot, fun, node, name, arg_nodes, final)
        num_in = len(arg_nodes) + (final is not _MISSING)
        num_fixed = len(fun.params)
        if fun.variadic is not None:
            if num_in < num_fixed:
                self.errorf(f"wrong number of args for {name}: want at least {num_fixed} got {len(arg_nodes)}")
        elif num_in != num_fixed:
            self.errorf(f"wrong number of args for {name}: want {num_fixed} got {num_in}")
        if is_builtin and name in ("and", "or"):
            return self.and_or(dot, name, arg_nodes, final)
        argv = [self.eval_arg(dot, kind, n) for kind, n in zip(fun.params, arg_nodes)]
        argv += [self.eval_arg(dot, fun.variadic, n) for n in arg_nodes[num_fixed:]]
        if final is not _MISSING:
            kind = fun.variadic if fun.variadic is not None and num_in - 1 >= num_fixed else fun.params[-1]
            argv.append(self.validate_type(final, kind))
        if is_builtin and name == "call":
            argv.insert(0, str(arg_nodes[0]) if arg_nodes else "")
        try:
            return fun.fn(*argv)
        except FuncError as exc:
            self.at(node)
            self.errorf(f"error calling {name}: {exc}")

    def and_or(self, dot: Any, name: str, arg_nodes: list[Node], final: Any) -> Any:
        """and/or return the deciding operand and skip the rest, as in Go."""
        value: Any = NO_VALUE
        for n in arg_nodes:
            value = self.eval_arg(dot, "value", n)
            if _truth(value) == (name == "or"):
                return value
        if final is not _MISSING:
            value = self.validate_type(final, "value")
        return value

    def call_method(self, dot: Any, method: Callable, node: Node, name: str, arg_nodes: list[Node],
                    final: Any) -> Any:
        num_in = len(arg_nodes) + (final is not _MISSING)
        arity = _py_arity(method)
        if arity is not None:  # checked before evaluating arguments, as in Go
            required, positional, variadic = arity
            if variadic and num_in < required:
                self.errorf(f"wrong number of args for {name}: want at least {required} got {len(arg_nodes)}")
            if not variadic and not required <= num_in <= positional:
                self.errorf(f"wrong number of args for {name}: want {positional} got {num_in}")
        argv = [self.eval_arg(dot, "any", n) for n in arg_nodes]
        if final is not _MISSING:
            argv.append(self.validate_type(final, "any"))
        try:
            return _call_python(method, argv)
        except FuncError as exc:
            self.at(node)
            self.errorf(f"error calling {name}: {exc}")

    def validate_type(self, value: Any, kind: str | None) -> Any:
        """Check a computed value against a parameter kind (Go's validateType)."""
        if kind is None or kind == "value":
            return value
        if value is NO_VALUE:
            if kind == "any":
                return None
            if kind == "strings":
                return []
            self.errorf(f"invalid value; expected {_KIND_TYPE_NAMES[kind]}")
        if kind == "any":
            return value
        ok = {
            "string": isinstance(value, str),
            "int": _is_int(value),
            "strings": _is_list(value) and all(isinstance(x, str) for x in value),
        }[kind]
        if not ok:
            self.errorf(f"wrong type for value; expected {_KIND_TYPE_NAMES[kind]}; got {go_type_name(value)}")
        return list(value) if kind == "strings" else value

    def eval_arg(self, dot: Any, kind: str | None, n: Node) -> Any:
        """Evaluate an argument node for a parameter of the given kind."""
        self.at(n)
        if isinstance(n, DotNode):
            return self.validate_type(dot, kind)
        if isinstance(n, NilNode):
            if kind in ("value", None):
                return NO_VALUE
            if kind in ("any", "strings"):
                return None if kind == "any" else []
            self.errorf(f"cannot assign nil to {_KIND_TYPE_NAMES[kind]}")
        if isinstance(n, FieldNode):
            return self.validate_type(self.eval_field_node(dot, n, [n], _MISSING), kind)
        if isinstance(n, VariableNode):
            return self.validate_type(self.eval_variable_node(dot, n, None, _MISSING), kind)
        if isinstance(n, PipeNode):
            return self.validate_type(self.eval_pipeline(dot, n), kind)
        if isinstance(n, IdentifierNode):
            return self.validate_type(self.eval_function(dot, n, n, None, _MISSING), kind)
        if isinstance(n, ChainNode):
            return self.validate_type(self.eval_chain_node(dot, n, None, _MISSING), kind)
        return self.eval_literal(kind, n)

    def eval_literal(self, kind: str | None, n: Node) -> Any:
        if kind == "string":
            if isinstance(n, StringNode):
                return n.text
            self.errorf(f"expected string; found {n}")
        if kind == "int":
            if isinstance(n, NumberNode) and n.is_int:
                return n.int64
            self.errorf(f"expected integer; found {n}")
        if kind == "strings":
            self.errorf(f"can't handle {n} for arg of type []string")
        if isinstance(n, BoolNode):
            return n.value
        if isinstance(n, NumberNode):
            return self.ideal_constant(n)
        if isinstance(n, StringNode):
            return n.text
        self.errorf(f"can't handle assignment of {n} to empty interface argument")

    def print_value(self, node: Node, value: Any) -> None:
        self.at(node)
        if value is NO_VALUE:
            self.out.append("<no value>")
            return
        if _is_func(value):
            self.errorf(f"can't print {node} of type {go_type_name(value)}")
        self.out.append(format_value(value))


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------

class Template:
    """A parsed template; :meth:`execute` renders it against data."""

    def __init__(self, name: str, text: str, trees: dict[str, ListNode]) -> None:
        self.name = name
        self.text = text
        self.trees = trees

    def error_location(self, node: Node) -> str:
        """"name:line:col" of a node; col counts bytes, as in Go."""
        before = self.text[:node.pos]
        line_start = before.rfind("\n") + 1
        column = len(before[line_start:].encode("utf-8", "surrogatepass"))
        return f"{self.name}:{before.count(chr(10)) + 1}:{column}"

    def execute(self, data: Any, funcs: Mapping[str, GoFunc] | None = None) -> str:
        """Render the template; ``funcs`` overrides docker's functions.

        Raises TemplateError (with ``partial_output``) on execution errors.
        """
        table = dict(DOCKER_FUNCS)
        table.update(funcs or {})
        if data is None:
            data = NO_VALUE  # Go's Execute(w, nil): {{.}} prints <no value>
        out: list[str] = []
        state = _State(self, self.name, table, out)
        state.push("$", data)
        try:
            state.walk(data, self.trees[self.name])
        except TemplateError as exc:
            exc.partial_output = "".join(out)
            raise
        except RecursionError:
            raise TemplateError(f"template: {self.name}: data nested too deeply to print",
                                "".join(out)) from None
        return "".join(out)


def compile(text: str, name: str = "") -> Template:  # noqa: A001 - mirrors re.compile
    """Parse a template; raises TemplateError with Go's parse error text."""
    trees: dict[str, ListNode] = {}
    parser = _Parser(name, text, set(DOCKER_FUNCS) | set(_BUILTINS), trees)
    try:
        parser.parse()
    except RecursionError:
        raise TemplateError(f"template: {name}: max expression depth exceeded") from None
    return Template(name, text, trees)
