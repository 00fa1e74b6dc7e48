"""encoding/json, as docker's ``json`` template function uses it."""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .values import (
    NO_VALUE, _is_func, _is_int, _is_list, _is_struct, format_float, go_type_name,
)
from .fmt import _public_fields, format_value


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
