"""Dockerfiles, read the way BuildKit's frontend reads them.

Three passes, as in BuildKit: parser directives at the very top (`# escape=`,
`# syntax=`, `# check=`), then logical lines (comments dropped, lines ending in the
escape character joined with the next, comment and blank lines inside a continuation
skipped, heredocs read for RUN/COPY/ADD), then each line is split into keyword, leading
`--flags` and arguments, and checked the way Docker checks that instruction (JSON or
shell form, key=value pairs, how many arguments). Errors carry the line, and Docker's
words: "dockerfile parse error on line 3: unknown instruction: RUNN (did you mean RUN?)".
"""
from __future__ import annotations

import json
import re

from .errors import BuildError, ParseError
from .expand import split_words

DIRECTIVE_RE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
DIRECTIVES = ("syntax", "escape", "check")
HEREDOC_RE = re.compile(r"^(\d*)<<(-?)(['\"]?)([A-Za-z0-9_.\-]+)\3$")
STAGE_NAME_RE = re.compile(r"^[a-z][a-z0-9\-_.]*$")

# keyword -> how its arguments are read (BuildKit's parser dispatch table)
FORMS = {
    "ADD": "json_or_words", "ARG": "name_or_pairs", "CMD": "json_or_shell",
    "COPY": "json_or_words", "ENTRYPOINT": "json_or_shell", "ENV": "pairs",
    "EXPOSE": "words", "FROM": "words", "HEALTHCHECK": "healthcheck", "LABEL": "pairs",
    "MAINTAINER": "string", "ONBUILD": "subcommand", "RUN": "json_or_shell",
    "SHELL": "json_or_shell", "STOPSIGNAL": "string", "USER": "string",
    "VOLUME": "json_or_words", "WORKDIR": "string",
}
INSTRUCTIONS = tuple(sorted(FORMS))

# keyword -> {flag: kind}; kind "str", "bool" or "list" (repeatable)
FLAGS = {
    "FROM": {"platform": "str"},
    "RUN": {"mount": "list", "network": "str", "security": "str"},
    "COPY": {"from": "str", "chown": "str", "chmod": "str", "link": "bool",
             "parents": "bool", "exclude": "list"},
    "ADD": {"chown": "str", "chmod": "str", "checksum": "str", "link": "bool",
            "keep-git-dir": "bool", "exclude": "list"},
    "HEALTHCHECK": {"interval": "str", "timeout": "str", "start-period": "str",
                    "start-interval": "str", "retries": "str"},
}

_WS = re.compile(r"[\t\v\f\r ]+")
NOT_STRINGS = "when using JSON array syntax, arrays must be comprised of strings only"


class Heredoc:
    """`<<EOF` ... `EOF`: name, the text between, whether $VARS in it expand (an
    unquoted name), and the word that introduced it."""

    __slots__ = ("name", "content", "expand", "word")

    def __init__(self, name: str, content: str, expand: bool, word: str):
        self.name, self.content, self.expand, self.word = name, content, expand, word


class Instruction:
    """One instruction. cmd: upper-case keyword; keyword: as typed; original: the
    instruction's text with continuations joined (BuildKit names steps by it); start,
    end: its lines; flags: {name: value}; args: the arguments (exec form: the JSON list;
    shell form: one string); json: exec form; pairs: [(key, value or None)] for
    ENV/LABEL/ARG; heredocs; trigger: the instruction inside ONBUILD."""

    __slots__ = ("cmd", "keyword", "original", "start", "end", "flags", "args", "json",
                 "pairs", "heredocs", "trigger", "legacy")

    def __init__(self, cmd: str, keyword: str, original: str, start: int, end: int):
        self.cmd, self.keyword, self.original = cmd, keyword, original
        self.start, self.end = start, end
        self.flags: dict = {}
        self.args: list[str] = []
        self.json = False
        self.pairs: list[tuple[str, str | None]] = []
        self.heredocs: list[Heredoc] = []
        self.trigger: Instruction | None = None
        self.legacy = False          # ENV/LABEL written as `KEY value`

    @property
    def lines(self) -> tuple[int, int]:
        return (self.start, self.end)

    def __repr__(self) -> str:
        return f"<{self.cmd} line {self.start}: {self.original!r}>"


class Dockerfile:
    """The parsed file: its instructions, directives, escape character, source text
    (for error context) and lint warnings [(rule, message, line)]."""

    def __init__(self, instructions: list[Instruction], directives: dict, escape: str,
                 source: str, warnings: list[tuple[str, str, int]]):
        self.instructions = instructions
        self.directives = directives
        self.escape = escape
        self.source = source
        self.warnings = warnings


# --- directives and logical lines ---------------------------------------------------

class _Directives:
    """Parser directives are read only until the first line that is not one."""

    def __init__(self):
        self.values: dict[str, str] = {}
        self.done = False
        self.escape = "\\"

    def see(self, line: str, lineno: int) -> None:
        if self.done:
            return
        m = DIRECTIVE_RE.match(line)
        if not m or m.group(1).lower() not in DIRECTIVES:
            self.done = True
            return
        key, value = m.group(1).lower(), m.group(2)
        if key in self.values:
            raise ParseError(f"only one {key} parser directive can be used", lineno)
        self.values[key] = value
        if key == "escape":
            if value not in ("`", "\\"):
                raise ParseError(f"invalid escape token '{value}' does not match ` or \\",
                                 lineno)
            self.escape = value


def _continues(line: str, escape: str) -> tuple[str, bool]:
    """(line without a trailing escape character, whether the next line continues it)."""
    body = line.rstrip(" \t")
    if body.endswith(escape):
        return body[:-1], True
    return line, False


def _is_comment(raw: str) -> bool:
    return raw.lstrip().startswith("#")


def parse(data: bytes | str, filename: str = "Dockerfile") -> Dockerfile:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    text = text.removeprefix("\ufeff")
    raw = [l.removesuffix("\r") for l in text.split("\n")]
    directives = _Directives()
    out: list[Instruction] = []
    warnings: list[tuple[str, str, int]] = []
    i = 0
    try:
        while i < len(raw):
            line = raw[i].lstrip()
            i += 1
            start = i
            directives.see(line, start)
            if line.startswith("#"):
                continue
            line, more = _continues(line, directives.escape)
            if not more and not line.strip():
                continue
            while more and i < len(raw):
                nxt = raw[i]
                i += 1
                if _is_comment(nxt) or not nxt.strip():
                    continue
                part, more = _continues(nxt, directives.escape)
                line += part
            inst = _instruction(line, start, i, directives.escape)
            if inst.cmd in ("RUN", "COPY", "ADD"):
                i = _read_heredocs(inst, raw, i)
            out.append(inst)
            warnings += _lint(inst)
    except BuildError as e:
        e.source, e.filename = text, filename
        raise
    return Dockerfile(out, directives.values, directives.escape, text, warnings)


def _read_heredocs(inst: Instruction, raw: list[str], i: int) -> int:
    """Consume the bodies of the heredocs the line opened; returns the next line."""
    text = " ".join(inst.args) if not inst.json else ""
    for word in split_words(text) if "<<" in text else []:
        m = HEREDOC_RE.match(word)
        if not m:
            continue
        strip_tabs, quoted, name = m.group(2) == "-", bool(m.group(3)), m.group(4)
        body = []
        while True:
            if i >= len(raw):
                raise ParseError(f"unterminated heredoc {name}", inst.start, i)
            line = raw[i]
            i += 1
            if strip_tabs:
                line = line.lstrip("\t")
            if line == name:
                break
            body.append(line)
        inst.heredocs.append(Heredoc(name, "".join(l + "\n" for l in body), not quoted, word))
    inst.end = max(inst.end, i)
    return i


# --- one instruction --------------------------------------------------------------------

def _instruction(line: str, start: int, end: int, escape: str) -> Instruction:
    parts = _WS.split(line.strip(), 1)
    keyword = parts[0]
    rest = parts[1] if len(parts) > 1 else ""
    cmd = keyword.upper()
    inst = Instruction(cmd, keyword, line.strip(), start, end)
    if cmd not in FORMS:
        raise ParseError(f"unknown instruction: {keyword}{suggest(keyword)}", start, end)
    flag_words, rest = extract_flags(rest)
    inst.flags = _flags(cmd, flag_words, start, end)
    try:
        _arguments(inst, FORMS[cmd], rest, escape)
        _check(inst)
    except ParseError:
        raise
    except BuildError as e:
        raise ParseError(e.message, start, end) from None
    return inst


def suggest(word: str) -> str:
    """" (did you mean RUN?)" for a keyword one or two typos away from a real one."""
    upper = word.upper()
    best, best_d = None, 3
    for name in INSTRUCTIONS:
        d = _distance(upper, name)
        if d < best_d:
            best, best_d = name, d
    if best is None or best_d > max(1, len(upper) // 3 + 1):
        return ""
    return f" (did you mean {best}?)"


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def extract_flags(text: str) -> tuple[list[str], str]:
    """Leading `--name[=value]` words (quotes removed), and the rest of the line."""
    words: list[str] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if not text.startswith("--", i):
            return words, text[i:]
        word, i = _flag_word(text, i)
        if word == "--":
            return words, text[i:].lstrip()
        words.append(word)
    return words, ""


def _flag_word(text: str, i: int) -> tuple[str, int]:
    out: list[str] = []
    quote = ""
    while i < len(text):
        ch = text[i]
        if not quote and ch.isspace():
            break
        if ch in "'\"" and (not quote or ch == quote):
            quote = "" if quote else ch
        elif ch == "\\" and i + 1 < len(text):
            i += 1
            out.append(text[i])
        else:
            out.append(ch)
        i += 1
    return "".join(out), i


def _flags(cmd: str, words: list[str], start: int, end: int) -> dict:
    known = FLAGS.get(cmd, {})
    out: dict = {}
    for word in words:
        name, eq, value = word[2:].partition("=")
        kind = known.get(name)
        if kind is None:
            raise ParseError(f"unknown flag: {name}", start, end)
        if kind == "bool":
            out[name] = value.lower() not in ("false", "0") if eq else True
        elif not eq:
            raise ParseError(f"missing a value on flag: {name}", start, end)
        elif kind == "list":
            out.setdefault(name, []).append(value)
        else:
            out[name] = value
    return out


def _json_list(text: str) -> list[str] | None:
    text = text.lstrip()
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(v, str) for v in value):
        raise BuildError(NOT_STRINGS)
    return value


def _arguments(inst: Instruction, form: str, rest: str, escape: str) -> None:
    if form == "json_or_shell":
        as_list = _json_list(rest)
        inst.json = as_list is not None
        inst.args = as_list if as_list is not None else ([rest] if rest else [])
    elif form == "json_or_words":
        as_list = _json_list(rest)
        inst.json = as_list is not None
        inst.args = as_list if as_list is not None else [w for w in _WS.split(rest) if w]
    elif form == "words":
        inst.args = [w for w in _WS.split(rest) if w]
    elif form == "string":
        inst.args = [rest] if rest else []
    elif form == "pairs":
        inst.pairs, inst.legacy = _pairs(inst.cmd, rest, escape)
    elif form == "name_or_pairs":
        inst.pairs = _arg_pairs(rest, escape)
    elif form == "healthcheck":
        _healthcheck(inst, rest)
    elif form == "subcommand":
        if rest:
            inst.trigger = _instruction(rest, inst.start, inst.end, escape)
            inst.args = [rest]


def _pairs(cmd: str, rest: str, escape: str) -> tuple[list[tuple[str, str]], bool]:
    """ENV and LABEL: `k=v k2="v 2"`, or the legacy `KEY value with spaces`."""
    words = split_words(rest, escape)
    if not words:
        raise BuildError(f"{cmd} requires at least one argument")
    if "=" not in words[0]:
        parts = _WS.split(rest.strip(), 1)
        if len(parts) < 2:
            raise BuildError(f"{cmd} must have two arguments")
        return [(parts[0], parts[1])], True
    out = []
    for w in words:
        if "=" not in w:
            raise BuildError(f"Syntax error - can't find = in \"{w}\". Must be of the form: "
                             "name=value")
        key, _, value = w.partition("=")
        if not key:
            raise BuildError(f"{cmd} names can not be blank")
        out.append((key, value))
    return out, False


def _arg_pairs(rest: str, escape: str) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for w in split_words(rest, escape):
        key, eq, value = w.partition("=")
        if not key:
            raise BuildError("ARG names can not be blank")
        out.append((key, value if eq else None))
    if not out:
        raise BuildError("ARG requires at least one argument")
    return out


def _healthcheck(inst: Instruction, rest: str) -> None:
    parts = rest.split(None, 1)
    if not parts:
        raise BuildError("HEALTHCHECK requires at least one argument")
    kind = parts[0].upper()
    body = parts[1] if len(parts) > 1 else ""
    if kind == "NONE":
        if body or inst.flags:
            raise BuildError("HEALTHCHECK NONE takes no arguments")
        inst.args = ["NONE"]
        return
    if kind != "CMD":
        raise BuildError(f'Unknown type "{kind}" in HEALTHCHECK (try CMD)')
    as_list = _json_list(body)
    inst.json = as_list is not None
    command = as_list if as_list is not None else ([body] if body.strip() else [])
    if not command:
        raise BuildError("Missing command after HEALTHCHECK CMD")
    inst.args = ["CMD"] + command


def _check(inst: Instruction) -> None:
    """How many arguments each instruction takes, in Docker's words."""
    cmd, n = inst.cmd, len(inst.args)
    if cmd == "FROM":
        if n not in (1, 3):
            raise BuildError("FROM requires either one or three arguments")
        if n == 3:
            if inst.args[1].lower() != "as":
                raise BuildError(f"Expected AS, got \"{inst.args[1]}\"")
            name = inst.args[2].lower()
            if not STAGE_NAME_RE.match(name):
                raise BuildError(f'invalid name for build stage: "{inst.args[2]}", name '
                                 "can't start with a number or contain symbols")
    elif cmd in ("COPY", "ADD") and n < 2:
        raise BuildError(f"{cmd} requires at least two arguments, but only one was "
                         "provided. Destination could not be determined.")
    elif cmd in ("WORKDIR", "USER", "STOPSIGNAL", "MAINTAINER") and n != 1:
        raise BuildError(f"{cmd} requires exactly one argument")
    elif cmd == "SHELL":
        if not inst.json:
            raise BuildError("SHELL requires the arguments to be in JSON form")
        if not n:
            raise BuildError("SHELL requires at least one argument")
    elif cmd == "ONBUILD":
        _check_trigger(inst)
    elif cmd in ("RUN", "CMD", "ENTRYPOINT", "EXPOSE", "VOLUME") and n == 0 and \
            not inst.json:
        raise BuildError(f"{cmd} requires at least one argument")
    if cmd == "VOLUME" and any(not v.strip() for v in inst.args):
        raise BuildError("VOLUME specified can not be an empty string")


def _check_trigger(inst: Instruction) -> None:
    if inst.trigger is None:
        raise BuildError("ONBUILD requires at least one argument")
    t = inst.trigger.cmd
    if t == "ONBUILD":
        raise BuildError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
    if t in ("FROM", "MAINTAINER"):
        raise BuildError(f"{t} isn't allowed as an ONBUILD trigger")


# --- lint warnings (BuildKit's build checks) ----------------------------------------------

def _lint(inst: Instruction) -> list[tuple[str, str, int]]:
    out = []
    if inst.cmd in ("CMD", "ENTRYPOINT") and not inst.json and inst.args:
        out.append(("JSONArgsRecommended", "JSON arguments recommended for "
                    f"{inst.cmd} to prevent unintended behavior related to OS signals",
                    inst.start))
    if inst.cmd in ("ENV", "LABEL") and inst.legacy:
        out.append(("LegacyKeyValueFormat", f'"{inst.cmd} key=value" should be used '
                    f'instead of legacy "{inst.cmd} key value" format', inst.start))
    if inst.cmd == "MAINTAINER":
        out.append(("MaintainerDeprecated", "Maintainer instruction is deprecated in favor "
                    "of using label", inst.start))
    if inst.cmd == "FROM" and len(inst.args) == 3:
        as_word = inst.args[1]
        if (inst.keyword.isupper() and as_word.islower()) or \
                (inst.keyword.islower() and as_word.isupper()):
            out.append(("FromAsCasing", "'as' and 'FROM' keywords' casing do not match",
                        inst.start))
        if inst.args[2] != inst.args[2].lower():
            out.append(("StageNameCasing", f"Stage name '{inst.args[2]}' should be "
                        "lowercase", inst.start))
    return out


__all__ = ["parse", "Dockerfile", "Instruction", "Heredoc", "ParseError", "INSTRUCTIONS",
           "extract_flags", "suggest"]
