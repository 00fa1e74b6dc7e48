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


def underscore_ok(s: str) -> bool:
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
    if re.fullmatch(_DECIMAL_FLOAT, text) and underscore_ok(text):
        value = float(text.replace("_", ""))
    elif re.fullmatch(_HEX_FLOAT, text) and underscore_ok(text):
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

def _parse_uint(s: str, base: int, bits: int):
    """strconv.ParseUint's loop: (value, None), or (None, reason) with reason "invalid
    syntax" or "value out of range" (it stops at the first digit that overflows)."""
    if not s:
        return None, "invalid syntax"
    base0, digits = base == 0, s
    if base0:
        base = 10
        if s[0] == "0":
            if len(s) >= 3 and s[1].lower() in "box":
                base, digits = {"b": 2, "o": 8, "x": 16}[s[1].lower()], s[2:]
            else:
                base, digits = 8, s[1:]
    n, underscores = 0, False
    for ch in digits:
        if ch == "_" and base0:
            underscores = True
            continue
        d = _digit(ch)
        if d >= base:
            return None, "invalid syntax"
        n = n * base + d
        if n >> bits:
            return None, "value out of range"
    if underscores and not underscore_ok(s):
        return None, "invalid syntax"
    return n, None


def go_parse_uint(text: str, base: int = 0, bits: int = 64) -> int:
    """strconv.ParseUint(text, base, bits): no sign; with base 0, 0b, 0o, 0x or a bare
    leading 0 (octal) pick the base and "_" may separate digits."""
    n, reason = _parse_uint(text, base, bits)
    if reason:
        raise ValueError(f"strconv.ParseUint: parsing {go_quote(text)}: {reason}")
    return n


def go_parse_int(text: str, base: int = 0, bits: int = 64) -> int:
    """strconv.ParseInt(text, base, bits): a sign, then what ParseUint takes."""
    negative = text.startswith("-")
    n, reason = _parse_uint(text[1:] if text[:1] in ("+", "-") else text, base, bits)
    limit = 1 << (bits - 1)
    if reason is None and (n > limit or n == limit and not negative):
        reason = "value out of range"
    if reason:
        raise ValueError(f"strconv.ParseInt: parsing {go_quote(text)}: {reason}")
    return -n if negative else n


def go_int(text: str) -> int:
    """strconv.ParseInt(text, 0, 64) as pflag's int flags use it."""
    return go_parse_int(text)


def go_uint16(text: str) -> int:
    """pflag's uint16 flags (--blkio-weight): strconv.ParseUint(text, 0, 16)."""
    return go_parse_uint(text, 0, 16)


def go_uint64(text: str) -> int:
    """pflag's uint flags (--io-maxiops): strconv.ParseUint(text, 0, 64)."""
    return go_parse_uint(text, 0, 64)


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


def go_rat(s: str):
    """big.Rat SetString: "a/b" (each a whole number, b unsigned and not 0) or a float
    with an optional e or p exponent, in base 10, 0b, 0o or 0x, as a Fraction. None
    when not valid."""
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


def ulimit(text: str) -> str:
    """go-units ParseUlimit (--ulimit): name=soft[:hard], each a base-10 int64, soft not
    above hard (-1 is unlimited)."""
    name, eq, limits = text.partition("=")
    if not eq:
        raise ValueError(f"invalid ulimit argument: {text}")
    if name not in _ULIMIT_NAMES:
        raise ValueError(f"invalid ulimit type: {name}")
    parts = limits.split(":")
    if len(parts) > 2:
        raise ValueError(f"too many limit value arguments - {limits}, can only have up to "
                         "two, `soft[:hard]`")
    hard = go_parse_int(parts[1], 10) if len(parts) == 2 else None     # Go parses it first
    soft = go_parse_int(parts[0], 10)
    hard = soft if hard is None else hard
    if hard != -1 and soft == -1:
        raise ValueError("ulimit soft limit must be less than or equal to hard limit: soft: "
                         f"-1 (unlimited), hard: {hard}")
    if hard != -1 and soft > hard:
        raise ValueError(f"ulimit soft limit must be less than or equal to hard limit: "
                         f"{soft} > {hard}")
    return text


_ULIMIT_NAMES = frozenset("core cpu data fsize locks memlock msgqueue nice nofile nproc rss "
                          "rtprio rttime sigpending stack".split())

_SYSCTLS = frozenset(("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                      "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
                      "kernel.shm_rmid_forced"))


def sysctl(text: str) -> str:
    """opts.ValidateSysctl (--sysctl): key=value, for the namespaced keys docker allows."""
    key, eq, _ = text.partition("=")
    if not eq or not (key in _SYSCTLS or key.startswith(("net.", "fs.mqueue."))):
        raise ValueError(f"sysctl '{text}' is not allowed")
    return text


def _device_value(text: str) -> str:
    """The part after "/dev/...:" of a --blkio-weight-device or --device-*-bps/iops value."""
    path, sep, value = text.partition(":")
    if not sep or not path:
        raise ValueError(f"bad format: {text}")
    if not path.startswith("/dev/"):
        raise ValueError(f"bad format for device path: {text}")
    return value


def weight_device(text: str) -> str:
    """opts.ValidateWeightDevice: /dev/...:weight, the weight 0 or 10 to 1000."""
    n, reason = _parse_uint(_device_value(text), 10, 16)
    if reason or 0 < n < 10 or n > 1000:
        raise ValueError(f"invalid weight for device: {text}")
    return text


def throttle_bps_device(text: str) -> str:
    """opts.ValidateThrottleBpsDevice: /dev/...:rate, the rate a size (64m)."""
    value = _device_value(text)
    try:
        ram_in_bytes(value)
    except ValueError:
        raise ValueError(f"invalid rate for device: {text}. The correct format is "
                         "<device-path>:<number>[<unit>]. Number must be a positive integer. "
                         "Unit is optional and can be kb, mb, or gb") from None
    return text


def throttle_iops_device(text: str) -> str:
    """opts.ValidateThrottleIOpsDevice: /dev/...:rate, the rate a whole number."""
    if _parse_uint(_device_value(text), 10, 64)[1]:
        raise ValueError(f"invalid rate for device: {text}. The correct format is "
                         "<device-path>:<number>. Number must be a positive integer")
    return text


def device_cgroup_rule(text: str) -> str:
    """validateDeviceCgroupRule: 'type major:minor mode' (c 1:3 rwm, a *:* m)."""
    if not re.fullmatch(r"[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}", text):
        raise ValueError(f"invalid device cgroup format '{text}'")
    return text


# opts' domainRegexp, "(:?" typos included (they allow a ":"); \s and $ as RE2 reads them
_DOMAIN = (r"(:?(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9]))"
           r"(:?\.(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])))*)\.?[\t\n\f\r ]*\Z")


def dns_search(text: str) -> str:
    """opts.ValidateDNSSearch: "." or a domain name."""
    val = text.strip(" ")
    if val == ".":
        return val
    m = re.match(_DOMAIN, val) if re.search("[a-zA-Z]", val) else None
    if m is None or len(m.group(1).encode("utf-8", "surrogateescape")) >= 255:
        raise ValueError(f"{val} is not a valid domain")
    return m.group(1)


def link(text: str) -> str:
    """opts.ValidateLink (--link name[:alias])."""
    if not text:
        raise ValueError("empty string specified for links")
    if text.count(":") > 1:
        raise ValueError(f"bad format for links: {text}")
    return text


# --- encoding/csv, for the values docker reads as one CSV record ------------------------

def _csv_lines(raw: bytes) -> list[bytes]:
    """encoding/csv's readLine over the whole text: lines keep their "\n" ("\r\n" becomes
    "\n"; a last line's lone "\r" is dropped)."""
    lines = []
    while raw:
        i = raw.find(b"\n")
        line, raw = (raw, b"") if i < 0 else (raw[:i + 1], raw[i + 1:])
        if line.endswith(b"\r\n"):
            line = line[:-2] + b"\n"
        elif i < 0 and line.endswith(b"\r"):
            line = line[:-1]
        lines.append(line)
    return lines


def _csv_error(start: int, line: int, column: int, quoted: bool) -> ValueError:
    what = 'extraneous or missing " in quoted-field' if quoted else 'bare " in non-quoted-field'
    where = f"record on line {start}; parse error on line {line}" if start != line else \
        f"parse error on line {line}"
    return ValueError(f"{where}, column {column}: {what}")


def go_csv_record(text: str) -> list[str]:
    """encoding/csv Reader.Read (comma-separated, strict quotes): the first record of the
    text, as docker reads --gpus, --mount and pflag's string slices."""
    lines = _csv_lines(text.encode("utf-8", "surrogateescape"))
    k = 0
    while k < len(lines) and lines[k] in (b"", b"\n"):     # empty lines are skipped
        k += 1
    if k == len(lines):
        raise ValueError("EOF")
    line, k = lines[k], k + 1
    start = num = pos_line = k
    col, fields = 1, []

    def nl(b: bytes) -> int:
        return 1 if b.endswith(b"\n") else 0

    while True:
        if not line.startswith(b'"'):
            i = line.find(b",")
            field = line[:i] if i >= 0 else line[:len(line) - nl(line)]
            if b'"' in field:
                raise _csv_error(start, num, col + field.find(b'"'), quoted=False)
            fields.append(field)
            if i < 0:
                break
            line, col = line[i + 1:], col + i + 1
            continue
        buf, line, col = b"", line[1:], col + 1
        while True:
            i = line.find(b'"')
            if i >= 0:
                buf, line, col = buf + line[:i], line[i + 1:], col + i + 1
                if line.startswith(b'"'):
                    buf, line, col = buf + b'"', line[1:], col + 1
                    continue
                if line.startswith(b","):
                    line, col = line[1:], col + 1
                    break
                if nl(line) == len(line):
                    line = None
                    break
                raise _csv_error(start, num, col - 1, quoted=True)
            if not line:
                raise _csv_error(start, pos_line, col, quoted=True)
            buf, col = buf + line, col + len(line)
            line = lines[k] if k < len(lines) else b""
            if line:
                k, num, pos_line, col = k + 1, num + 1, pos_line + 1, 1
        fields.append(buf)
        if line is None:
            break
    return [f.decode("utf-8", "surrogateescape") for f in fields]


def _gpu_count(text: str) -> None:
    if text != "all":
        n, reason = _parse_uint(text[1:] if text[:1] in ("+", "-") else text, 10, 64)
        if reason is None and (n > INT64_MAX + (text[:1] == "-")):
            reason = "value out of range"
        if reason:
            raise ValueError(f'invalid count ({text}): value must be either "all" or an '
                             f"integer: {reason}")


def gpu_request(text: str) -> str:
    """opts.GpuOpts (--gpus): all, a count, or CSV of driver=, count=, device=,
    capabilities=, options= (each once)."""
    seen = set()
    for field in go_csv_record(text):
        key, eq, value = field.partition("=")
        if key in seen:
            raise ValueError(f"gpu request key '{key}' can be specified only once")
        seen.add(key)
        if not eq:
            seen.add("count")
            _gpu_count(key)
        elif key == "count":
            _gpu_count(value)
        elif key == "options":
            try:
                go_csv_record(value)
            except ValueError as e:
                raise ValueError(f"failed to read gpu options: {e}") from None
        elif key not in ("driver", "device", "capabilities"):
            raise ValueError(f"unexpected key '{key}' in '{field}'")
    return text


# --- values docker checks after parsing (run/create's parse(), --platform) ------------------

def go_parse_mac(text: str) -> bool:
    """net.ParseMAC: 6, 8 or 20 octets as 00:00:5e:00:53:01, 00-00-5e-00-53-01 or
    0000.5e00.5301."""
    s = text.encode("utf-8", "surrogateescape")
    hexa = b"0123456789abcdefABCDEF"

    def pair(i: int) -> bool:
        return len(s) >= i + 2 and s[i] in hexa and s[i + 1] in hexa

    if len(s) < 14:
        return False
    if s[2] in b":-":
        n = (len(s) + 1) // 3
        if (len(s) + 1) % 3 or n not in (6, 8, 20):
            return False
        return all(pair(3 * i) and (i == n - 1 or s[3 * i + 2] == s[2]) for i in range(n))
    if s[4] == ord("."):
        n = 2 * (len(s) + 1) // 5
        if (len(s) + 1) % 5 or n not in (6, 8, 20):
            return False
        return all(pair(5 * i) and pair(5 * i + 2) and (i == n // 2 - 1 or s[5 * i + 4] == s[4])
                   for i in range(n // 2))
    return False


_KNOWN_OS = frozenset("aix android darwin dragonfly freebsd hurd illumos ios js linux nacl "
                      "netbsd openbsd plan9 solaris windows zos".split())
_KNOWN_ARCH = frozenset("386 amd64 amd64p32 arm armbe arm64 arm64be ppc64 ppc64le loong64 mips "
                        "mipsle mips64 mips64le mips64p32 mips64p32le ppc riscv riscv64 s390 "
                        "s390x sparc sparc64 wasm".split())
_OS_AND_VERSION = r"^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.-]*)\))?$"
_PLATFORM_PART = r"^[A-Za-z0-9_.-]+$"


def go_platform(text: str) -> str:
    """containerd's platforms.Parse (v1.0.0-rc.1, as docker 28.2.2 vendors it):
    os[(version)][/arch[/variant]], or an OS or an architecture alone. The error is its
    text, ": invalid argument" included."""
    def invalid(reason: str) -> ValueError:
        return ValueError(f"{reason}: invalid argument")

    if "*" in text:
        raise invalid(f"{go_quote(text)}: wildcards not yet supported")
    parts = text.split("/", 3)
    for i, part in enumerate(parts):
        if i == 0 and not re.fullmatch(_OS_AND_VERSION[1:-1], part):
            raise invalid(f"{go_quote(part)} is an invalid OS component of {go_quote(text)}: "
                          f"OSAndVersion specifier component must match "
                          f"{go_quote(_OS_AND_VERSION)}")
        if i > 0 and not re.fullmatch(_PLATFORM_PART[1:-1], part):
            raise invalid(f"{go_quote(part)} is an invalid component of {go_quote(text)}: "
                          f"platform specifier component must match {go_quote(_PLATFORM_PART)}")
    if len(parts) > 3:
        raise invalid(f"{go_quote(text)}: cannot parse platform specifier")
    if len(parts) == 1:
        name = re.fullmatch(_OS_AND_VERSION[1:-1], parts[0]).group(1).lower()
        arch = {"i386": "386", "x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64",
                "armhf": "arm", "armel": "arm"}.get(parts[0].lower(), parts[0].lower())
        if name not in ("macos", *_KNOWN_OS) and arch not in _KNOWN_ARCH:
            raise invalid(f"{go_quote(text)}: unknown operating system or architecture")
    return text


CONVERTERS = {
    "string": str,
    "uint16": go_uint16,
    "uint": go_uint64,
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
    "ulimit": ulimit,
    "sysctl": sysctl,
    "gpus": gpu_request,
    "blkio-weight-device": weight_device,
    "device-read-bps": throttle_bps_device,
    "device-write-bps": throttle_bps_device,
    "device-read-iops": throttle_iops_device,
    "device-write-iops": throttle_iops_device,
    "device-cgroup-rule": device_cgroup_rule,
    "dns-search": dns_search,
    "link": link,
}


def convert(flag, text: str):
    """The value of a non-bool flag; None (for an empty --filter) adds nothing."""
    return BY_NAME.get(flag.long, CONVERTERS[flag.kind])(text)


# --- encoding/json's Compact, with its scanner's error messages -----------------------

_JSON_SPACE = " \t\r\n"


def _json_char(ch: str) -> str:
    """encoding/json's quoteChar."""
    if ch == "'":
        return "'\\''"
    if ch == '"':
        return "'\"'"
    return "'" + go_quote(ch)[1:-1] + "'"


class _JsonScan:
    """A recursive reading of JSON as Go's scanner reads it: the first error it
    meets, in its words (ValueError), or the text without insignificant space."""

    def __init__(self, text: str):
        self.s, self.i, self.out = text, 0, []

    def fail(self, context: str):
        if self.i >= len(self.s):
            raise ValueError("unexpected end of JSON input")
        raise ValueError(f"invalid character {_json_char(self.s[self.i])} {context}")

    def space(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in _JSON_SPACE:
            self.i += 1

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def take(self) -> str:
        ch = self.s[self.i]
        self.out.append(ch)
        self.i += 1
        return ch

    def value(self, context: str = "looking for beginning of value") -> None:
        self.space()
        ch = self.peek()
        if ch == "{":
            self.obj()
        elif ch == "[":
            self.array()
        elif ch == '"':
            self.string()
        elif ch == "-" or ch.isdigit() and ch.isascii():
            self.number()
        elif ch in ("t", "f", "n"):
            self.literal({"t": "true", "f": "false", "n": "null"}[ch])
        else:
            self.fail(context)

    def obj(self) -> None:
        self.take()
        self.space()
        if self.peek() == "}":
            self.take()
            return
        while True:
            self.space()
            if self.peek() != '"':
                self.fail("looking for beginning of object key string")
            self.string()
            self.space()
            if self.peek() != ":":
                self.fail("after object key")
            self.take()
            self.value()
            self.space()
            if self.peek() == "}":
                self.take()
                return
            if self.peek() != ",":
                self.fail("after object key:value pair")
            self.take()

    def array(self) -> None:
        self.take()
        self.space()
        if self.peek() == "]":
            self.take()
            return
        while True:
            self.value()
            self.space()
            if self.peek() == "]":
                self.take()
                return
            if self.peek() != ",":
                self.fail("after array element")
            self.take()

    def string(self) -> None:
        self.take()
        while True:
            ch = self.peek()
            if ch == '"':
                self.take()
                return
            if ch == "\\":
                self.take()
                esc = self.peek()
                if esc == "u":
                    self.take()
                    for _ in range(4):
                        if not self.peek() or self.peek() not in "0123456789abcdefABCDEF":
                            self.fail("in \\u hexadecimal character escape")
                        self.take()
                elif esc and esc in '"\\/bfnrt':
                    self.take()
                else:
                    self.fail("in string escape code")
            elif not ch or ch < " ":
                self.fail("in string literal")
            else:
                self.take()

    def number(self) -> None:
        if self.peek() == "-":
            self.take()
            if not (self.peek().isdigit() and self.peek().isascii()):
                self.fail("in numeric literal")
        if self.take() != "0":
            self.digits()
        if self.peek() == ".":
            self.take()
            if not (self.peek().isdigit() and self.peek().isascii()):
                self.fail("after decimal point in numeric literal")
            self.digits()
        if self.peek() in ("e", "E") and self.peek():
            self.take()
            if self.peek() in ("+", "-") and self.peek():
                self.take()
            if not (self.peek().isdigit() and self.peek().isascii()):
                self.fail("in exponent of numeric literal")
            self.digits()

    def digits(self) -> None:
        while self.peek().isdigit() and self.peek().isascii():
            self.take()

    def literal(self, word: str) -> None:
        for expected in word:
            if self.peek() != expected:
                self.fail(f"in literal {word} (expecting {_json_char(expected)})")
            self.take()


def go_json_compact(text: str) -> str:
    """encoding/json.Compact: `text` without insignificant white space, or ValueError
    with the scanner's message for the first syntax error."""
    scan = _JsonScan(text)
    scan.value()
    scan.space()
    if scan.i < len(text):
        scan.fail("after top-level value")
    return "".join(scan.out)
