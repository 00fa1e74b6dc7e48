"""Timestamps as Docker writes them: RFC 3339 with nanoseconds, in UTC."""
from __future__ import annotations

import time

ZERO = "0001-01-01T00:00:00Z"


def format_ns(ns: int, fixed: bool = False) -> str:
    """Go's time.RFC3339Nano (trailing zeros of the fraction dropped), or with
    `fixed`, the docker CLI's RFC3339NanoFixed (always nine digits) used by `logs -t`."""
    secs, frac = divmod(ns, 1_000_000_000)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs))
    if fixed:
        return f"{base}.{frac:09d}Z"
    if frac:
        return f"{base}.{frac:09d}".rstrip("0") + "Z"
    return base + "Z"


def now() -> str:
    return format_ns(time.time_ns())


def parse_ns(text: str | None) -> int:
    """Nanoseconds since the epoch; 0 for Docker's zero time or nothing."""
    if not text or text.startswith("0001-01-01"):
        return 0
    main, _, rest = text.partition(".")
    frac = ""
    tz = "Z"
    if rest:
        digits = ""
        for i, ch in enumerate(rest):
            if not ch.isdigit():
                tz = rest[i:]
                break
            digits += ch
        frac = digits
    elif not main.endswith("Z"):
        main, tz = main[:19], main[19:]
    main = main.rstrip("Z")
    from datetime import datetime, timedelta, timezone   # not needed by the monitor
    dt = datetime.strptime(main, "%Y-%m-%dT%H:%M:%S")
    if tz in ("Z", ""):
        dt = dt.replace(tzinfo=timezone.utc)
    else:
        sign = 1 if tz[0] == "+" else -1
        hh, mm = tz[1:].split(":")
        dt = dt.replace(tzinfo=timezone(sign * timedelta(hours=int(hh), minutes=int(mm))))
    ns = int(dt.timestamp()) * 1_000_000_000
    return ns + int((frac + "000000000")[:9] or 0)


def parse(text: str | None) -> float:
    return parse_ns(text) / 1e9


def is_zero(text: str | None) -> bool:
    return parse_ns(text) == 0
