"""Go's fmt: Sprint, Sprintln and Sprintf, with Go's verbs, flags and error texts."""
from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from .values import (
    NO_VALUE, _can_backquote, _go_isprint, _is_func, _is_int, _is_list, _is_struct,
    format_float, go_quote, go_type_name,
)


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
