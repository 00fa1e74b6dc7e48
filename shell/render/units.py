"""Sizes and durations as docker prints them (go-units)."""
from __future__ import annotations

import itertools
import time as _time
import unicodedata

_DECIMAL = ("B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB")


def human_size(size: float, precision: int = 3) -> str:
    """HumanSizeWithPrecision: decimal units, Go's %.*g ("4.26MB", "1e+03kB")."""
    i = 0
    while size >= 1000 and i < len(_DECIMAL) - 1:
        size /= 1000.0
        i += 1
    return f"{size:.{precision}g}{_DECIMAL[i]}"


_BINARY = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")


def bytes_size(size: float) -> str:
    """BytesSize: binary units, Go's %.4g ("1.5MiB", "7.667GiB")."""
    i = 0
    while size >= 1024 and i < len(_BINARY) - 1:
        size /= 1024.0
        i += 1
    return f"{size:.4g}{_BINARY[i]}"


def human_duration(seconds: float) -> str:
    """HumanDuration: "Less than a second", "About a minute", "3 hours", ..."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = int(seconds / 60)
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(seconds / 3600 + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{int(seconds / 3600) // 24 // 365} years"


def since(epoch: float, now: float | None = None) -> str:
    return human_duration((now if now is not None else _time.time()) - epoch)


def go_time_string(epoch: float) -> str:
    """time.Unix(t, 0).String() in local time: "2026-11-27 20:37:26 +0000 UTC"."""
    t = _time.localtime(int(epoch))
    offset = _time.strftime("%z", t)
    return _time.strftime("%Y-%m-%d %H:%M:%S ", t) + offset + " " + _time.strftime("%Z", t)


def rfc3339_local(epoch: float) -> str:
    """time.Unix(t,0).Format(time.RFC3339) in local time: "2026-11-27T20:37:33Z"."""
    t = _time.localtime(int(epoch))
    off = _time.strftime("%z", t)
    zone = "Z" if off in ("+0000", "-0000") else f"{off[:3]}:{off[3:]}"
    return _time.strftime("%Y-%m-%dT%H:%M:%S", t) + zone


def char_width(ch: str) -> int:
    """docker's charWidth: East Asian Wide and Fullwidth characters take two columns."""
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def ellipsis(text: str, width: int) -> str:
    """docker's formatter.Ellipsis: cut to `width` display columns, the last one being
    '…'. A wide character that would straddle that column goes too."""
    if width <= 0:
        return ""
    if width == 1:
        return text[:1]
    ends = list(itertools.accumulate(char_width(ch) for ch in text))
    if not ends or ends[-1] <= width:
        return text
    for i in range(len(ends) - 1):
        if ends[i] <= width - 1 < ends[i + 1]:
            return text[:i + 1] + "…"
    return text     # the first character alone is too wide: docker leaves the text
