"""Functions callable from templates: Go's builtins and docker's own."""
from __future__ import annotations

import inspect
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from .values import (
    NO_VALUE, _go_isprint, _is_func, _is_int, _is_list, _is_struct, go_type_name,
)
from .fmt import _Flags, _print_arg, go_sprint, go_sprintf, go_sprintln
from .gojson import _JSONUnsupported, _to_json
from .literals import _decode_go_bytes


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
