"""The moments `logs --since/--until` take, read as the docker CLI's API client reads them
(GetTimestamp in moby's api/types/time): a Go duration before now ("10m", "1h30m"), an
RFC 3339 time or date, with or without a zone ("2020-01-01", "2020-01-01T10:00",
"2020-01-01T10:00:00.5+02:00"), or Unix seconds ("1600000000", "1600000000.25").

Times and dates without a zone are in the zone the machine is in now. What does not
parse is refused with Go's own words, as docker prints them.
"""
from __future__ import annotations

import time

# The layouts GetTimestamp picks from, written as Go writes them.
_LOCAL = {0: "2006-01-02T15", 1: "2006-01-02T15:04", 2: "2006-01-02T15:04:05"}
_ZONED = {0: "2006-01-02T15Z07:00", 1: "2006-01-02T15:04Z07:00", 2: "2006-01-02T15:04:05Z07:00"}
_NANO_LOCAL = "2006-01-02T15:04:05.999999999"
_NANO_ZONED = "2006-01-02T15:04:05.999999999Z07:00"
_DATE_LOCAL = "2006-01-02"
_DATE_ZONED = "2006-01-02Z07:00"
# Go's layout elements these layouts use; the longest is tried first
_ELEMENTS = (".999999999", "Z07:00", "2006", "01", "02", "15", "04", "05")
_RANGES = {"01": ("month", 1, 12), "02": ("day", 1, 31), "15": ("hour", 0, 23),
           "04": ("minute", 0, 59), "05": ("second", 0, 59)}


def parse(value: str, now: float | None = None) -> float:
    """Seconds since the epoch; ValueError in Go's words when `value` is none of the
    above."""
    from .values import go_duration
    now = time.time() if now is None else now
    if value != "0":
        try:
            return now - go_duration(value)
        except ValueError:
            pass
    in_location = not any(c in value for c in "zZ+") and value.count("-") != 3
    layout = _layout(value, in_location)
    try:
        return _go_parse(layout, value, _local_offset(now) if in_location else None)
    except ValueError:
        if "-" in value:          # it was meant as a time: Go's complaint about it
            raise
    try:
        return _unix(value)
    except ValueError:
        raise ValueError(f'failed to parse value as time or duration: "{value}"') from None


def option(text: str | None, flag: str) -> float | None:
    """--since/--until of logs and events: None when not given, else the time, or the
    docker CLI's error (`invalid value for "since": ...`)."""
    if not text:
        return None
    try:
        return parse(text)
    except ValueError as e:
        from engine.errors import CliError
        raise CliError(f'invalid value for "{flag}": {e}') from None


def _layout(value: str, in_location: bool) -> str:
    if "." in value:
        return _NANO_LOCAL if in_location else _NANO_ZONED
    if "T" in value:
        colons = value.count(":")
        if not in_location and not any(c in value for c in "zZ") and colons > 0:
            colons -= 1          # the zone's own colon
        return (_LOCAL if in_location else _ZONED)[min(colons, 2)]
    return _DATE_LOCAL if in_location else _DATE_ZONED


def _local_offset(now: float) -> int:
    """The machine's UTC offset at `now`, in seconds (Go's FixedZone(now.Zone()))."""
    return time.localtime(now).tm_gmtoff


def _unix(value: str) -> float:
    """"SECONDS[.FRACTION]", both whole numbers as strconv.ParseInt takes them."""
    seconds, dot, fraction = value.partition(".")
    for part in (seconds, fraction) if dot else (seconds,):
        digits = part[1:] if part[:1] in "+-" else part
        if not digits or not digits.isascii() or not digits.isdigit() or \
                abs(int(part)) >= 1 << 63:
            raise ValueError(value)
    nanos = int(fraction) * 10 ** (9 - len(fraction)) if dot else 0
    return int(seconds) + nanos / 1e9


def _tokens(layout: str) -> list[str]:
    out, i = [], 0
    while i < len(layout):
        element = next((e for e in _ELEMENTS if layout.startswith(e, i)), None)
        if element:
            out.append(element)
            i += len(element)
        elif out and out[-1] not in _ELEMENTS:
            out[-1] += layout[i]
            i += 1
        else:
            out.append(layout[i])
            i += 1
    return out


def _error(layout: str, value: str, element: str, rest: str, message: str = "") -> ValueError:
    """Go's time.ParseError text."""
    if message:
        return ValueError(f'parsing time "{value}"{message}')
    return ValueError(f'parsing time "{value}" as "{layout}": cannot parse "{rest}" as '
                      f'"{element}"')


def _digits(text: str, n: int) -> bool:
    return len(text) >= n and all("0" <= c <= "9" for c in text[:n])


def _go_parse(layout: str, value: str, offset: int | None) -> float:
    """Go's time.Parse (offset None: the value carries its zone) or ParseInLocation in a
    fixed zone `offset` seconds east of UTC, for the layouts above."""
    fields = {"2006": 1, "01": 1, "02": 1, "15": 0, "04": 0, "05": 0}
    nanos, zone = 0, offset
    rest = value
    for element in _tokens(layout):
        if element in ("2006", "01", "02", "15", "04", "05"):
            width = 4 if element == "2006" else 2
            if not _digits(rest, width):
                raise _error(layout, value, element, rest)
            number, rest = int(rest[:width]), rest[width:]
            if element in _RANGES:
                name, low, high = _RANGES[element]
                if not low <= number <= high:
                    raise _error(layout, value, element, rest, f": {name} out of range")
            fields[element] = number
            if element == "05" and rest[:1] in (".", ",") and _digits(rest[1:], 1) and \
                    ".999999999" not in layout:
                nanos, rest = _fraction(rest)     # Go reads a fraction it was not asked for
        elif element == ".999999999":
            if rest[:1] in (".", ",") and _digits(rest[1:], 1):
                nanos, rest = _fraction(rest)
        elif element == "Z07:00":
            if rest[:1] == "Z":
                zone, rest = 0, rest[1:]
            elif len(rest) >= 6 and rest[0] in "+-" and rest[3] == ":" and \
                    _digits(rest[1:], 2) and _digits(rest[4:], 2):
                sign = -1 if rest[0] == "-" else 1
                zone, rest = sign * (int(rest[1:3]) * 3600 + int(rest[4:6]) * 60), rest[6:]
            else:
                raise _error(layout, value, element, rest)
        elif rest.startswith(element):
            rest = rest[len(element):]
        else:
            raise _error(layout, value, element, rest)
    if rest:
        raise _error(layout, value, "", rest, f': extra text: "{rest}"')
    year, month, day = fields["2006"], fields["01"], fields["02"]
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if day > (29 if leap else 28) if month == 2 else day > (30 if month in (4, 6, 9, 11) else 31):
        raise _error(layout, value, "", "", ": day out of range")
    seconds = (_days(year, month, day) * 86400 + fields["15"] * 3600 + fields["04"] * 60 +
               fields["05"])
    return seconds - (zone or 0) + nanos / 1e9


def _days(y: int, m: int, d: int) -> int:
    """Days from 1970-01-01 to a date of the proleptic Gregorian calendar, any year Go
    takes (0000 to 9999): Howard Hinnant's days_from_civil."""
    y -= m <= 2
    era, yoe = divmod(y, 400)
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _fraction(text: str) -> tuple[int, str]:
    """".123..." -> (nanoseconds, what follows); digits past the ninth are dropped."""
    end = 1
    while end < len(text) and "0" <= text[end] <= "9":
        end += 1
    return int((text[1:end] + "000000000")[:9]), text[end:]
