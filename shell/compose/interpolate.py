"""Compose's variable interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
${VAR:?error}, ${VAR?error}, ${VAR:+replacement}, ${VAR+replacement} and $$ for a
dollar, in every string value of the file (keys are left alone, as Compose does)."""
from __future__ import annotations

import re

_NAME = r"[_a-zA-Z][_a-zA-Z0-9]*"
_TOKEN = re.compile(r"\$(?:(?P<escaped>\$)|(?P<named>" + _NAME + r")|\{(?P<braced>[^}]*)\}"
                    r"|(?P<invalid>))")
_BRACED = re.compile(r"(?P<name>" + _NAME + r")(?:(?P<op>:?[-?+])(?P<arg>.*))?\Z", re.S)


class InterpolationError(ValueError):
    """message: Compose's words; the caller adds where."""


def substitute(text: str, lookup, missing) -> str:
    """`text` with its variables replaced. lookup(name) -> value or None; missing(name)
    is told of each unset variable that defaulted to a blank string."""
    def one(m) -> str:
        if m.group("escaped"):
            return "$"
        if m.group("named"):
            return _value(m.group("named"), lookup, missing)
        braced = m.group("braced")
        if braced is None:
            raise InterpolationError("invalid interpolation format")
        b = _BRACED.match(braced)
        if b is None:
            raise InterpolationError("invalid interpolation format")
        name, op, arg = b.group("name"), b.group("op"), b.group("arg") or ""
        value = lookup(name)
        if not op:
            return _value(name, lookup, missing)
        empty = value is None or (op.startswith(":") and value == "")
        kind = op[-1]
        if kind == "-":
            return substitute(arg, lookup, missing) if empty else value
        if kind == "+":
            return "" if empty else substitute(arg, lookup, missing)
        if empty:       # "?": a required variable
            raise InterpolationError(f"required variable {name} is missing a value"
                                     + (f": {substitute(arg, lookup, missing)}" if arg else ""))
        return value
    return _TOKEN.sub(one, text)


def _value(name: str, lookup, missing) -> str:
    value = lookup(name)
    if value is None:
        missing(name)
        return ""
    return value
