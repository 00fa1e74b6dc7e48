"""Flag values: text -> value, with the docker CLI's error messages.

Each converter raises ValueError whose text is what pflag puts after
`invalid argument "X" for "-m, --memory" flag: `. The number parsers follow the Go
code docker uses (go-units v0.5.0, strconv, math/big, time) rule for rule, because a
learner's odd value should be accepted or refused exactly as Docker would.
"""
from __future__ import annotations

import re

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1

# unicode.IsSpace, which Go's strings.TrimSpace uses (Python's strip() also takes \x1c-\x1f)
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008" \
           "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def go_quote(text: str, quote: str = '"') -> str:
    """Go's %q (strconv.Quote, or QuoteRune with quote="'"), as pflag and strconv quote
    values in their messages."""
    from ..render.gotemplate import go_quote as _go_quote   # a big module: errors only
    return _go_quote(text, quote=quote)


def _underscore_ok(s: str) -> bool:
    """strconv's underscoreOK: "_" only between digits, or after a base prefix."""
    if s[:1] in ("+", "-"):
        s = s[1:]
    saw, i, hexa = "^", 0, False      # ^ start, 0 digit or prefix, _ underscore, ! other
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        saw, i, hexa = "0", 2, s[1].lower() == "x"
    for ch in s[i:]:
        if "0" <= ch <= "9" or hexa and ch.lower() in "abcdef":
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
    return saw != "_"


def _digit(ch: str) -> int:
    """A digit's value in bases up to 36 (a-z, A-Z are 10-35); 99 for anything else."""
    return int(ch, 36) if ch.isascii() and ch.isalnum() else 99


def _go_int64(x: float) -> int:
    """Go's int64(x) on amd64: truncates; NaN and out-of-range values become -2**63."""
    return int(x) if INT64_MIN <= x < -INT64_MIN else INT64_MIN


# --- strconv.ParseFloat ------------------------------------------------------------------

# Patterns are compiled on first use (re caches them): parsing must start fast.
_DECIMAL_FLOAT = r"[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9][0-9_]*)?"
_HEX_FLOAT = r"[+-]?0[xX](?:[0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+)[pP][+-]?[0-9][0-9_]*"
_SPECIAL_FLOAT = r"(?i)[+-]?(?:inf|infinity)|nan"


def go_parse_float(text: str) -> float:
    """strconv.ParseFloat(text, 64): Go's float literal syntax (a hex mantissa needs a
    p exponent), Inf and NaN; too large a value is an error, not infinity."""
    def error(reason: str) -> ValueError:
        return ValueError(f"strconv.ParseFloat: parsing {go_quote(text)}: {reason}")

    if re.fullmatch(_SPECIAL_FLOAT, text):
        return float(text)
    if re.fullmatch(_DECIMAL_FLOAT, text) and _underscore_ok(text):
        value = float(text.replace("_", ""))
    elif re.fullmatch(_HEX_FLOAT, text) and _underscore_ok(text):
        try:
            value = float.fromhex(text.replace("_", ""))
        except OverflowError:
            raise error("value out of range") from None
    else:
        raise error("invalid syntax")
    if value in (float("inf"), float("-inf")):
        raise error("value out of range")
    return value


# --- sizes -------------------------------------------------------------------------------

_UNITS = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def ram_in_bytes(text: str) -> int:
    """go-units v0.5.0 RAMInBytes: "64m" -> 67108864 (binary multiples). The number is
    what strconv.ParseFloat takes, up to the last digit, "." or space; one space may
    separate it from the suffix."""
    sep = max(text.rfind(c) for c in "0123456789. ")
    if sep < 0:
        raise ValueError(f"invalid size: '{text}'")
    number = text[:sep] if text[sep] == " " else text[:sep + 1]
    size = go_parse_float(number)
    if size < 0:
        raise ValueError(f"invalid size: '{text}'")
    suffix = text[sep + 1:]
    if suffix:
        size *= _size_multiplier(suffix)
    return _go_int64(size)


def _size_multiplier(suffix: str) -> int:
    """b, or k/m/g/t/p alone or followed by b or ib, in any case."""
    if len(suffix.encode("utf-8", "surrogateescape")) > 3:    # too long: as typed
        raise ValueError(f"invalid suffix: '{suffix}'")
    low = suffix.lower()
    if low == "b":
        return 1
    if low[0] in _UNITS and low[1:] in ("", "b", "ib"):
        return _UNITS[low[0]]
    raise ValueError(f"invalid suffix: '{low}'")


def memory_swap(text: str) -> int:
    """MemSwapBytes: like a size, and "-1" for unlimited."""
    return -1 if text == "-1" else ram_in_bytes(text)


# --- integers ----------------------------------------------------------------------------

def go_int(text: str) -> int:
    """strconv.ParseInt(text, 0, 64) as pflag's int flags use it: a sign, then 0b, 0o,
    0x or a bare leading 0 (octal) pick the base; "_" may separate digits."""
    def error(reason: str) -> ValueError:
        return ValueError(f"strconv.ParseInt: parsing {go_quote(text)}: {reason}")

    negative = text.startswith("-")
    s = text[1:] if text[:1] in ("+", "-") else text
    if not s:
        raise error("invalid syntax")
    base, digits = 10, s
    if len(s) >= 3 and s[0] == "0" and s[1].lower() in "box":
        base, digits = {"b": 2, "o": 8, "x": 16}[s[1].lower()], s[2:]
    elif s[0] == "0":
        base, digits = 8, s[1:]
    n = 0
    for ch in digits:
        if ch == "_":
            continue
        d = _digit(ch)
        if d >= base:
            raise error("invalid syntax")
        n = n * base + d
        if n >> 64:                      # ParseUint stops at the first overflow
            raise error("value out of range")
    if "_" in s and not _underscore_ok(s):
        raise error("invalid syntax")
    if n > (-INT64_MIN if negative else INT64_MAX):
        raise error("value out of range")
    return -n if negative else n


# --- --cpus: math/big's Rat.SetString -------------------------------------------------------

def _scan_nat(s: str, i: int, frac_ok: bool):
    """big.nat's scan with base 0, from s[i]: an optional 0b/0o/0x prefix (a bare leading
    0 is octal too unless frac_ok), digits with "_" between them, and with frac_ok one
    ".". Returns (value of the digits, base, digits after the ".", index after the number),
    or None for no digits or a misplaced "_"."""
    base, octal_zero, count, prev, bad_sep = 10, False, 0, ".", False
    if s[i:i + 1] == "0":
        prev, count, i = "0", 1, i + 1
        if s[i:i + 1] and s[i].lower() in "box":
            base, count, i = {"b": 2, "o": 8, "x": 16}[s[i].lower()], 0, i + 1
        elif not frac_ok:
            base, octal_zero, count = 8, True, 0
    value, point = 0, -1
    while i < len(s):
        ch = s[i]
        if ch == "." and frac_ok and point < 0:
            point, prev = count, "."
        elif ch == "_":
            bad_sep, prev = bad_sep or prev != "0", "_"
        elif _digit(ch) < base:
            value, prev, count = value * base + _digit(ch), "0", count + 1
        else:
            break
        i += 1
    if bad_sep or prev == "_" or (count == 0 and not octal_zero):
        return None
    return value, (10 if count == 0 else base), (count - point if point >= 0 else 0), i


def _scan_exponent(s: str, i: int):
    """An optional e (decimal) or p (binary) exponent from s[i]: (exponent, its base,
    index after it), or None when it is malformed."""
    if s[i:i + 1] not in ("e", "E", "p", "P"):
        return 0, 10, i
    ebase, i = (10 if s[i] in "eE" else 2), i + 1
    digits = ""
    if s[i:i + 1] in ("+", "-"):
        digits, i = ("-" if s[i] == "-" else ""), i + 1
    prev, bad_sep, seen = ".", False, False
    while i < len(s) and ("0" <= s[i] <= "9" or s[i] == "_"):
        if s[i] == "_":
            bad_sep, prev = bad_sep or prev != "0", "_"
        else:
            digits, prev, seen = digits + s[i], "0", True
        i += 1
    if not seen or bad_sep or prev == "_" or len(digits.lstrip("-0")) > 19:
        return None
    exp = int(digits)
    return (exp, ebase, i) if INT64_MIN <= exp <= INT64_MAX else None


def _go_int_literal(s: str):
    """big.Int SetString(s, 0): a sign, then a whole number (a leading 0 is octal)."""
    scanned = _scan_nat(s, 1 if s[:1] in ("+", "-") else 0, frac_ok=False)
    if not s or scanned is None or scanned[3] != len(s):
        return None
    return -scanned[0] if s[0] == "-" else scanned[0]


def go_rat(s: str) -> Fraction | None:
    """big.Rat SetString: "a/b" (each a whole number, b unsigned and not 0) or a float
    with an optional e or p exponent, in base 10, 0b, 0o or 0x. None when not valid."""
    from fractions import Fraction     # only --cpus needs it: kept off the start-up path
    if "/" in s:
        num_text, _, den_text = s.partition("/")
        num, den = _go_int_literal(num_text), _scan_nat(den_text, 0, frac_ok=False)
        if num is None or den is None or den[3] != len(den_text) or den[0] == 0:
            return None
        return Fraction(num, den[0])
    negative = s.startswith("-")
    mantissa = _scan_nat(s, 1 if s[:1] in ("+", "-") else 0, frac_ok=True)
    if mantissa is None:
        return None
    value, base, frac_digits, i = mantissa
    exponent = _scan_exponent(s, i)
    if exponent is None or exponent[2] != len(s):
        return None
    exp, ebase, _ = exponent
    if value == 0:
        return Fraction(0)
    # the point divides by base**frac_digits; 10**n is 5**n * 2**n
    exp5 = -frac_digits if base == 10 else 0
    exp2 = -frac_digits * {2: 1, 8: 3, 10: 1, 16: 4}[base]
    exp5, exp2 = (exp5 + exp, exp2 + exp) if ebase == 10 else (exp5, exp2 + exp)
    if abs(exp5) > 10**6 or abs(exp2) > 10**7:      # Go refuses such exponents
        return None
    result = value * Fraction(5) ** exp5 * Fraction(2) ** exp2
    return -result if negative else result


def nano_cpus(text: str) -> int:
    """--cpus (opts.NanoCPUs): a rational number of CPUs -> whole nano CPUs."""
    value = go_rat(text)
    if value is None:
        raise ValueError(f"failed to parse {text} as a rational number")
    nano = value * 1_000_000_000
    if nano.denominator != 1:
        raise ValueError("value is too precise")
    return _wrap_int64(nano.numerator)


def _wrap_int64(n: int) -> int:
    """big.Int's Int64(): the low 64 bits of the magnitude, negated if negative, as Go's
    int64 arithmetic wraps them."""
    low = abs(n) & ((1 << 64) - 1)
    return ((-low if n < 0 else low) - INT64_MIN) % (1 << 64) + INT64_MIN


# --- filters, durations, booleans ------------------------------------------------------------

def key_value_filter(text: str) -> tuple[str, str] | None:
    """opts.FilterOpt: "name=value", both trimmed, the name lower-cased. An empty text
    is no filter at all: None."""
    if not text:
        return None
    if "=" not in text:
        raise ValueError("bad format of filter (expected name=value)")
    key, _, value = text.partition("=")
    return key.strip(GO_SPACE).lower(), value.strip(GO_SPACE)


_NANOSECONDS = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9,
                "m": 60 * 10**9, "h": 3600 * 10**9}    # micro sign U+00B5 and Greek mu U+03BC
_DURATION_PART = r"([0-9]*)(?:\.([0-9]*))?([^0-9.]*)"


def _time_quote(s: str) -> str:
    """The time package's own quote(): every byte of a control or non-ASCII character
    as \\xNN."""
    out = []
    for ch in s:
        if " " <= ch < "\x80":
            out.append("\\" + ch if ch in '"\\' else ch)
        else:
            try:
                raw = ch.encode("utf-8", "surrogateescape")
            except UnicodeEncodeError:          # a lone surrogate: Go sees U+FFFD
                raw = "\ufffd".encode()
            out.append("".join(f"\\x{b:02x}" for b in raw))
    return '"' + "".join(out) + '"'


def go_duration(text: str) -> float:
    """time.ParseDuration -> seconds: [-+]?([0-9]*(\\.[0-9]*)?[a-z]+)+, in whole
    nanoseconds that must fit an int64."""
    invalid = ValueError(f"time: invalid duration {_time_quote(text)}")
    negative = text.startswith("-")
    s = text[1:] if text[:1] in ("+", "-") else text
    if s == "0":
        return 0.0
    if not s:
        raise invalid
    total = 0
    while s:
        whole, frac, unit = re.match(_DURATION_PART, s).groups()
        if not whole and not frac:           # no digits, or something else entirely
            raise invalid
        if not unit:
            raise ValueError(f"time: missing unit in duration {_time_quote(text)}")
        if unit not in _NANOSECONDS:
            raise ValueError(f"time: unknown unit {_time_quote(unit)} in duration "
                             f"{_time_quote(text)}")
        s = s[len(whole) + (len(frac) + 1 if frac is not None else 0) + len(unit):]
        total += _duration_part(whole, frac or "", _NANOSECONDS[unit], invalid)
        if total > 1 << 63:
            raise invalid
    if not negative and total > INT64_MAX:
        raise invalid
    return (-total if negative else total) / 1e9


def _duration_part(whole: str, frac: str, unit: int, invalid: ValueError) -> int:
    """One number-and-unit of a duration in nanoseconds, with Go's overflow checks."""
    if len(whole.lstrip("0")) > 19:
        raise invalid
    v = int(whole or "0")
    if v > (1 << 63) // unit:
        raise invalid
    v *= unit
    f, scale = 0, 1
    for ch in frac:                   # leadingFraction: digits past int64 are dropped
        if f > INT64_MAX // 10 or f * 10 + int(ch) > 1 << 63:
            break
        f, scale = f * 10 + int(ch), scale * 10
    if f:
        v += int(float(f) * (float(unit) / float(scale)))
        if v > 1 << 63:
            raise invalid
    return v


def parse_bool(text: str) -> bool:
    """strconv.ParseBool."""
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    raise ValueError(f"strconv.ParseBool: parsing {go_quote(text)}: invalid syntax")


# --- list flags docker validates while parsing ------------------------------------------------

def env_var(text: str) -> str:
    """opts.ValidateEnv: NAME or NAME=VALUE; the name may not be empty."""
    if not text.partition("=")[0]:
        raise ValueError(f"invalid environment variable: {text}")
    return text


def label(text: str) -> str:
    """opts.ValidateLabel: the name before "=" may not be empty or blank."""
    if not text.partition("=")[0].strip(GO_SPACE):
        raise ValueError(f"invalid label '{text}': empty name")
    return text


def attach_stream(text: str) -> str:
    """opts.ValidateAttach: stdin, stdout or stderr, in any case (kept as typed)."""
    if text.lower() not in ("stdin", "stdout", "stderr"):
        raise ValueError("valid streams are STDIN, STDOUT and STDERR")
    return text


CONVERTERS = {
    "string": str,
    "list": str,
    "int": go_int,
    "bytes": ram_in_bytes,
    "decimal": nano_cpus,
    "filter": key_value_filter,
    "duration": go_duration,
    "map": str,
}

# Flags with a converter of their own, whatever their kind: in docker these have their
# own value type or validator, so a bad value is a flag error (exit 125, with usage).
def ip_address(text: str) -> str:
    """opts.ValidateIPAddress (--dns)."""
    import ipaddress
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        raise ValueError(f"IP address is not correctly formatted: {text}") from None


def extra_host(text: str) -> str:
    """opts.ValidateExtraHost (--add-host host:ip, host=ip, or host:host-gateway)."""
    sep = "=" if "=" in text and (":" not in text or text.index("=") < text.index(":")) else ":"
    name, found, address = text.partition(sep)
    if not found or not name:
        raise ValueError(f'bad format for add-host: "{text}"')
    if address != "host-gateway":
        try:
            ip_address(address.strip("[]"))
        except ValueError:
            raise ValueError(f'invalid IP address in add-host: "{address}"') from None
    return f"{name}:{address}"


def mount(text: str):
    """opts.MountOpt: comma-separated key=value fields (CSV) -> an engine Mount."""
    import csv
    from engine.config import Mount
    try:
        fields = next(csv.reader([text]), [])
    except csv.Error as e:
        raise ValueError(str(e)) from None
    kind, source, target, read_only = "volume", "", "", False
    opts: dict[str, dict] = {"bind": {}, "volume": {}, "tmpfs": {}}
    for field in fields:
        key, has_value, val = field.partition("=")
        key = key.lower()
        if not has_value:
            if key in ("readonly", "ro"):
                read_only = True
            elif key == "volume-nocopy":
                opts["volume"]["NoCopy"] = True
            elif key == "bind-nonrecursive":
                opts["bind"]["NonRecursive"] = True
            else:
                raise ValueError(f"invalid field '{field}' must be a key=value pair")
            continue
        if key == "type":
            kind = val.lower()
        elif key in ("source", "src"):
            source = val
        elif key in ("target", "dst", "destination"):
            target = val
        elif key in ("readonly", "ro"):
            read_only = _mount_bool(key, val)
        elif key == "bind-propagation":
            opts["bind"]["Propagation"] = val.lower()
        elif key == "bind-nonrecursive":
            opts["bind"]["NonRecursive"] = _mount_bool(key, val)
        elif key == "volume-nocopy":
            opts["volume"]["NoCopy"] = _mount_bool(key, val)
        elif key == "volume-label":
            name, _, value = val.partition("=")
            opts["volume"].setdefault("Labels", {})
            if name:
                opts["volume"]["Labels"][name] = value
        elif key == "volume-driver":
            opts["volume"]["DriverConfig"] = {"Name": val}
        elif key == "tmpfs-size":
            try:
                opts["tmpfs"]["SizeBytes"] = ram_in_bytes(val)
            except ValueError:
                raise ValueError(f"invalid value for {key}: {val}") from None
        elif key == "tmpfs-mode":
            try:
                opts["tmpfs"]["Mode"] = int(val, 8)
            except ValueError:
                raise ValueError(f"invalid value for {key}: {val}") from None
        elif key == "consistency":
            pass
        else:
            raise ValueError(f"unexpected key '{key}' in '{field}'")
    if not kind:
        raise ValueError("type is required")
    if not target:
        raise ValueError("target is required")
    for family in ("volume", "bind", "tmpfs"):
        if opts[family] and kind != family:
            raise ValueError(f"cannot mix '{family}-*' options with mount type '{kind}'")
    return Mount(kind, source, target, read_only, opts["bind"] or None,
                 opts["volume"] or None, opts["tmpfs"] or None)


def _mount_bool(key: str, val: str) -> bool:
    try:
        return parse_bool(val)
    except ValueError:
        raise ValueError(f"invalid value for {key}: {val}") from None


BY_NAME = {
    "mount": mount,
    "memory-swap": memory_swap,
    "env": env_var,
    "label": label,
    "attach": attach_stream,
    "dns": ip_address,
    "add-host": extra_host,
}


def convert(flag, text: str):
    """The value of a non-bool flag; None (for an empty --filter) adds nothing."""
    return BY_NAME.get(flag.long, CONVERTERS[flag.kind])(text)
