"""Words and variables the way the Dockerfile frontend reads them.

Two jobs. `split_words` cuts an instruction's arguments at whitespace while keeping
quoted parts (and their quotes) together, as BuildKit's parser does for ENV, LABEL and
ARG. `expand` is the builder's small shell: $VAR, ${VAR}, ${VAR:-word} and friends,
single and double quotes, and the escape character — applied only to the instructions
Docker substitutes in (ENV, ARG, LABEL, WORKDIR, USER, COPY, ADD, EXPOSE, VOLUME,
STOPSIGNAL, FROM), never to RUN, CMD or ENTRYPOINT, whose shell does its own.
"""
from __future__ import annotations

from .errors import BuildError

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def split_words(text: str, escape: str = "\\") -> list[str]:
    """Whitespace-separated words; quotes and escapes stay in the words (they are
    removed later, by `expand`)."""
    words: list[str] = []
    word: list[str] = []
    quote = ""
    started = False        # a quoted empty string ("") is still a word
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if quote:
            word.append(ch)
            if ch == quote:
                quote = ""
            elif ch == escape and quote != "'" and i + 1 < n:
                i += 1
                word.append(text[i])
        elif ch.isspace():
            if word or started:
                words.append("".join(word))
            word, started = [], False
        else:
            if ch in "'\"":
                quote, started = ch, True
            elif ch == escape:
                if i + 1 == n:
                    break
                word.append(ch)
                i += 1
                ch = text[i]
            word.append(ch)
        i += 1
    if word or started:
        words.append("".join(word))
    return words


class _Lexer:
    """One word, processed left to right: quotes removed, escapes applied, variables
    replaced from `env` (unset ones by nothing, as a shell does)."""

    def __init__(self, text: str, env: dict[str, str], escape: str, raw: bool = False):
        self.s, self.env, self.esc, self.raw = text, env, escape, raw
        self.i = 0

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def take(self) -> str:
        ch = self.peek()
        self.i += 1
        return ch

    def word(self, stop: str = "") -> str:
        out: list[str] = []
        while self.i < len(self.s):
            ch = self.peek()
            if stop and ch in stop:
                break
            self.i += 1
            if self.raw and ch != "$":
                out.append(self.take() if ch == self.esc and self.peek() == "$" else ch)
            elif ch == "'":
                out.append(self.single_quoted())
            elif ch == '"':
                out.append(self.double_quoted())
            elif ch == "$":
                out.append(self.dollar())
            elif ch == self.esc:
                out.append(self.take())
            else:
                out.append(ch)
        return "".join(out)

    def single_quoted(self) -> str:
        end = self.s.find("'", self.i)
        if end < 0:
            raise BuildError("unexpected end of statement while looking for matching "
                             "single-quote")
        text = self.s[self.i:end]
        self.i = end + 1
        return text

    def double_quoted(self) -> str:
        out: list[str] = []
        while True:
            if self.i >= len(self.s):
                raise BuildError("unexpected end of statement while looking for matching "
                                 "double-quote")
            ch = self.take()
            if ch == '"':
                return "".join(out)
            if ch == "$":
                out.append(self.dollar())
            elif ch == self.esc and self.peek() in ('"', "$", self.esc):
                out.append(self.take())
            else:
                out.append(ch)

    def dollar(self) -> str:
        ch = self.peek()
        if ch == "{":
            self.i += 1
            return self.braced()
        name = self.name()
        if not name:
            return "$"
        return self.env.get(name, "")

    def name(self) -> str:
        """A variable name; one that starts with a digit is all digits ($1x is $1, x)."""
        start = self.i
        chars = "0123456789" if self.peek().isdigit() else _NAME_CHARS
        while self.i < len(self.s) and self.s[self.i] in chars:
            self.i += 1
        return self.s[start:self.i]

    def braced(self) -> str:
        name = self.name()
        if not name:
            raise BuildError("missing ':' in substitution")
        ch = self.take()
        if ch == "}":
            return self.env.get(name, "")
        colon = ch == ":"
        op = self.take() if colon else ch
        if op not in "-+?":
            raise BuildError(f"unsupported modifier ({op}) in substitution")
        word = self.word(stop="}")
        if self.take() != "}":
            raise BuildError("syntax error: missing '}'")
        value = self.env.get(name)
        unset = value is None or (colon and value == "")
        if op == "-":
            return word if unset else value
        if op == "+":
            return "" if unset else word
        if unset:
            raise BuildError(f"{name}: {word or 'is not allowed to be unset'}")
        return value


def expand(text: str, env: dict[str, str], escape: str = "\\") -> str:
    """Process one word: variables replaced, quotes and escapes removed."""
    return _Lexer(text, env, escape).word()


def expand_raw(text: str, env: dict[str, str]) -> str:
    """Variables replaced, everything else (quotes, backslashes) left as written: the
    body of a heredoc that COPY writes out."""
    return _Lexer(text, env, "\\", raw=True).word()


def referenced(text: str, escape: str = "\\") -> set[str]:
    """The names a word refers to as $NAME or ${NAME...} (for lint warnings)."""
    seen: set[str] = set()

    class _Probe(dict):
        def get(self, key, default=None):
            seen.add(key)
            return default
    try:
        expand(text, _Probe(), escape)
    except BuildError:
        pass
    return seen
