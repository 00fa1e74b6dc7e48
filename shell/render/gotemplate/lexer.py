"""The template lexer (a port of text/template/parse/lex.go)."""
from __future__ import annotations

from typing import NamedTuple

from .values import _go_isprint, go_quote


class Item(NamedTuple):
    typ: str
    pos: int
    val: str
    line: int


I_ERROR, I_BOOL, I_CHAR, I_CHAR_CONSTANT, I_COMMENT = "error", "bool", "char", "charconst", "comment"
I_COMPLEX, I_ASSIGN, I_DECLARE, I_EOF, I_FIELD = "complex", "assign", "declare", "EOF", "field"
I_IDENTIFIER, I_LEFT_DELIM, I_LEFT_PAREN, I_NUMBER = "identifier", "leftdelim", "leftparen", "number"
I_PIPE, I_RAW_STRING, I_RIGHT_DELIM, I_RIGHT_PAREN = "pipe", "rawstring", "rightdelim", "rightparen"
I_SPACE, I_STRING, I_TEXT, I_VARIABLE = "space", "string", "text", "variable"

# Keywords, keyed by spelling; their item type is "kw:<spelling>".
_KEYWORDS = {w: "kw:" + w for w in (".", "block", "break", "continue", "define", "else", "end",
                                      "if", "nil", "range", "template", "with")}
I_DOT, I_NIL = _KEYWORDS["."], _KEYWORDS["nil"]

_LEFT_DELIM, _RIGHT_DELIM = "{{", "}}"
_SPACE_CHARS = " \t\r\n"


def _item_str(it: Item) -> str:
    """How Go's parser names a token in messages."""
    if it.typ == I_EOF:
        return "EOF"
    if it.typ == I_ERROR:
        return it.val
    if it.typ.startswith("kw:"):
        return f"<{it.val}>"
    if len(it.val.encode("utf-8")) > 10:
        return go_quote(it.val[:10]) + "..."
    return go_quote(it.val)


def _is_space(r: str | None) -> bool:
    return r is not None and r in _SPACE_CHARS


def _is_alnum(r: str | None) -> bool:
    return r is not None and (r == "_" or r.isalpha() or r.isdecimal())


def _rune_desc(r: str) -> str:
    """Go's %#U: U+0021 '!'."""
    return f"U+{ord(r):04X} '{r}'" if _go_isprint(r) else f"U+{ord(r):04X}"


class _Lexer:
    """Splits template text into items; see Go's lex.go for the design."""

    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = self.start = 0
        self.at_eof = False
        self.paren_depth = 0
        self.line = self.start_line = 1
        self.item: Item | None = None
        self.inside_action = False

    # -- low level -----------------------------------------------------------

    def next(self) -> str | None:
        if self.pos >= len(self.input):
            self.at_eof = True
            return None
        r = self.input[self.pos]
        self.pos += 1
        if r == "\n":
            self.line += 1
        return r

    def peek(self) -> str | None:
        r = self.next()
        self.backup()
        return r

    def backup(self) -> None:
        if not self.at_eof and self.pos > 0:
            self.pos -= 1
            if self.input[self.pos] == "\n":
                self.line -= 1

    def this_item(self, typ: str) -> Item:
        it = Item(typ, self.start, self.input[self.start:self.pos], self.start_line)
        self.start, self.start_line = self.pos, self.line
        return it

    def emit(self, typ: str):
        return self.emit_item(self.this_item(typ))

    def emit_item(self, it: Item):
        self.item = it
        return None

    def ignore(self) -> None:
        self.line += self.input.count("\n", self.start, self.pos)
        self.start, self.start_line = self.pos, self.line

    def accept(self, valid: str) -> bool:
        r = self.next()
        if r is not None and r in valid:
            return True
        self.backup()
        return False

    def accept_run(self, valid: str) -> None:
        while True:
            r = self.next()
            if r is None or r not in valid:
                break
        self.backup()

    def errorf(self, message: str):
        self.item = Item(I_ERROR, self.start, message, self.start_line)
        self.start = self.pos = 0
        self.input = ""
        return None

    def next_item(self) -> Item:
        self.item = Item(I_EOF, self.pos, "EOF", self.start_line)
        state = self.lex_inside_action if self.inside_action else self.lex_text
        while state is not None:
            state = state()
        return self.item

    # -- helpers ---------------------------------------------------------------

    def has_left_trim_marker(self, i: int) -> bool:
        return self.input[i:i + 1] == "-" and _is_space(self.input[i + 1:i + 2] or None)

    def has_right_trim_marker(self, i: int) -> bool:
        return _is_space(self.input[i:i + 1] or None) and self.input[i + 1:i + 2] == "-"

    def at_right_delim(self) -> tuple[bool, bool]:
        if self.has_right_trim_marker(self.pos) and self.input.startswith(_RIGHT_DELIM, self.pos + 2):
            return True, True
        if self.input.startswith(_RIGHT_DELIM, self.pos):
            return True, False
        return False, False

    def at_terminator(self) -> bool:
        r = self.peek()
        if _is_space(r) or r is None or r in ".,|:)(":
            return True
        return self.input.startswith(_RIGHT_DELIM, self.pos)

    def left_trim_length(self, i: int) -> int:
        rest = self.input[i:]
        return len(rest) - len(rest.lstrip(_SPACE_CHARS))

    # -- states ----------------------------------------------------------------

    def lex_text(self):
        x = self.input.find(_LEFT_DELIM, self.pos)
        if x < 0:
            self.pos = len(self.input)
            if self.pos > self.start:
                self.line += self.input.count("\n", self.start, self.pos)
                return self.emit(I_TEXT)
            return self.emit(I_EOF)
        if x > self.pos:
            self.pos = x
            trim = 0
            if self.has_left_trim_marker(self.pos + len(_LEFT_DELIM)):
                text = self.input[self.start:self.pos]
                trim = len(text) - len(text.rstrip(_SPACE_CHARS))
            self.pos -= trim
            self.line += self.input.count("\n", self.start, self.pos)
            it = self.this_item(I_TEXT)
            self.pos += trim
            self.ignore()
            if it.val:
                return self.emit_item(it)
        return self.lex_left_delim

    def lex_left_delim(self):
        self.pos += len(_LEFT_DELIM)
        after_marker = 2 if self.has_left_trim_marker(self.pos) else 0
        if self.input.startswith("/*", self.pos + after_marker):
            self.pos += after_marker
            self.ignore()
            return self.lex_comment
        it = self.this_item(I_LEFT_DELIM)
        self.inside_action = True
        self.pos += after_marker
        self.ignore()
        self.paren_depth = 0
        return self.emit_item(it)

    def lex_comment(self):
        self.pos += 2
        x = self.input.find("*/", self.pos)
        if x < 0:
            return self.errorf("unclosed comment")
        self.pos = x + 2
        delim, trim = self.at_right_delim()
        if not delim:
            return self.errorf("comment ends before closing delimiter")
        self.line += self.input.count("\n", self.start, self.pos)
        self.this_item(I_COMMENT)  # comments are dropped, as Go does by default
        if trim:
            self.pos += 2
        self.pos += len(_RIGHT_DELIM)
        if trim:
            self.pos += self.left_trim_length(self.pos)
        self.ignore()
        return self.lex_text

    def lex_right_delim(self):
        _, trim = self.at_right_delim()
        if trim:
            self.pos += 2
            self.ignore()
        self.pos += len(_RIGHT_DELIM)
        it = self.this_item(I_RIGHT_DELIM)
        if trim:
            self.pos += self.left_trim_length(self.pos)
            self.ignore()
        self.inside_action = False
        return self.emit_item(it)

    def lex_inside_action(self):
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim
            return self.errorf("unclosed left paren")
        r = self.next()
        if r is None:
            return self.errorf("unclosed action")
        if _is_space(r):
            self.backup()  # the space may start a " -}}"
            return self.lex_space
        simple = {"=": I_ASSIGN, "|": I_PIPE}
        if r in simple:
            return self.emit(simple[r])
        if r == ":":
            if self.next() != "=":
                return self.errorf("expected :=")
            return self.emit(I_DECLARE)
        states = {'"': self.lex_quote, "`": self.lex_raw_quote, "$": self.lex_variable, "'": self.lex_char}
        if r in states:
            return states[r]
        if r == "." and self.pos < len(self.input) and not "0" <= self.input[self.pos] <= "9":
            return self.lex_field
        if r in ".+-" or "0" <= r <= "9":
            self.backup()
            return self.lex_number
        if _is_alnum(r):
            self.backup()
            return self.lex_identifier
        if r == "(":
            self.paren_depth += 1
            return self.emit(I_LEFT_PAREN)
        if r == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.errorf("unexpected right paren")
            return self.emit(I_RIGHT_PAREN)
        if ord(r) < 0x80 and _go_isprint(r):
            return self.emit(I_CHAR)
        return self.errorf(f"unrecognized character in action: {_rune_desc(r)}")

    def lex_space(self):
        num_spaces = 0
        while _is_space(self.peek()):
            self.next()
            num_spaces += 1
        # A space followed by "-}}" belongs to the trim-marked delimiter.
        if self.has_right_trim_marker(self.pos - 1) and self.input.startswith(_RIGHT_DELIM, self.pos + 1):
            self.backup()
            if num_spaces == 1:
                return self.lex_right_delim
        return self.emit(I_SPACE)

    def lex_identifier(self):
        while True:
            r = self.next()
            if not _is_alnum(r):
                self.backup()
                word = self.input[self.start:self.pos]
                if not self.at_terminator():
                    return self.errorf(f"bad character {_rune_desc(r)}")
                if word in _KEYWORDS:
                    return self.emit(_KEYWORDS[word])
                if word in ("true", "false"):
                    return self.emit(I_BOOL)
                return self.emit(I_IDENTIFIER)

    def lex_field(self):
        return self.lex_field_or_variable(I_FIELD)

    def lex_variable(self):
        if self.at_terminator():  # just "$"
            return self.emit(I_VARIABLE)
        return self.lex_field_or_variable(I_VARIABLE)

    def lex_field_or_variable(self, typ: str):
        if self.at_terminator():  # just "." or "$"
            return self.emit(I_VARIABLE if typ == I_VARIABLE else I_DOT)
        while True:
            r = self.next()
            if not _is_alnum(r):
                self.backup()
                break
        if not self.at_terminator():
            return self.errorf(f"bad character {_rune_desc(r)}")
        return self.emit(typ)

    def lex_char(self):
        while True:
            r = self.next()
            if r == "\\":
                r = self.next()
                if r is not None and r != "\n":
                    continue
            if r is None or r == "\n":
                return self.errorf("unterminated character constant")
            if r == "'":
                return self.emit(I_CHAR_CONSTANT)

    def lex_number(self):
        if not self.scan_number():
            return self.errorf(f"bad number syntax: {go_quote(self.input[self.start:self.pos])}")
        if self.peek() in ("+", "-"):
            # Complex: 1+2i. No spaces, must end in 'i'.
            if not self.scan_number() or self.input[self.pos - 1] != "i":
                return self.errorf(f"bad number syntax: {go_quote(self.input[self.start:self.pos])}")
            return self.emit(I_COMPLEX)
        return self.emit(I_NUMBER)

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if _is_alnum(self.peek()):
            self.next()
            return False
        return True

    def lex_quote(self):
        while True:
            r = self.next()
            if r == "\\":
                r = self.next()
                if r is not None and r != "\n":
                    continue
            if r is None or r == "\n":
                return self.errorf("unterminated quoted string")
            if r == '"':
                return self.emit(I_STRING)

    def lex_raw_quote(self):
        while True:
            r = self.next()
            if r is None:
                return self.errorf("unterminated raw quoted string")
            if r == "`":
                return self.emit(I_RAW_STRING)
