"""Parse tree nodes (text/template/parse/node.go); str() gives Go's String()."""
from __future__ import annotations

from .values import go_quote
from .lexer import I_CHAR_CONSTANT, I_COMPLEX
from .literals import _parse_float, _parse_int, _parse_uint, _unquote_char


class Node:
    pos = 0


class ListNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos, self.nodes = pos, []

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


class TextNode(Node):
    def __init__(self, pos: int, text: str) -> None:
        self.pos, self.text = pos, text

    def __str__(self) -> str:
        return self.text


class PipeNode(Node):
    def __init__(self, pos: int, line: int) -> None:
        self.pos, self.line = pos, line
        self.is_assign = False
        self.decl: list[VariableNode] = []
        self.cmds: list[CommandNode] = []

    def __str__(self) -> str:
        out = ""
        if self.decl:
            out = ", ".join(str(v) for v in self.decl) + " := "
        return out + " | ".join(str(c) for c in self.cmds)


class ActionNode(Node):
    def __init__(self, pos: int, pipe: PipeNode) -> None:
        self.pos, self.pipe = pos, pipe

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


class CommandNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos, self.args = pos, []

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, PipeNode) else str(a) for a in self.args)


class IdentifierNode(Node):
    def __init__(self, pos: int, ident: str) -> None:
        self.pos, self.ident = pos, ident

    def __str__(self) -> str:
        return self.ident


class VariableNode(Node):
    def __init__(self, pos: int, ident: str) -> None:
        self.pos, self.ident = pos, ident.split(".")

    def __str__(self) -> str:
        return ".".join(self.ident)


class DotNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos = pos

    def __str__(self) -> str:
        return "."


class NilNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos = pos

    def __str__(self) -> str:
        return "nil"


class FieldNode(Node):
    def __init__(self, pos: int, ident: str) -> None:
        self.pos, self.ident = pos, ident[1:].split(".")

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


class ChainNode(Node):
    def __init__(self, pos: int, node: Node) -> None:
        self.pos, self.node, self.fields = pos, node, []

    def __str__(self) -> str:
        head = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return head + "".join("." + f for f in self.fields)


class BoolNode(Node):
    def __init__(self, pos: int, value: bool) -> None:
        self.pos, self.value = pos, value

    def __str__(self) -> str:
        return "true" if self.value else "false"


class NumberNode(Node):
    def __init__(self, pos: int, text: str) -> None:
        self.pos, self.text = pos, text
        self.is_int = self.is_uint = self.is_float = self.is_complex = False
        self.int64 = self.uint64 = 0
        self.float64 = 0.0
        self.complex128 = 0j

    def __str__(self) -> str:
        return self.text


class StringNode(Node):
    def __init__(self, pos: int, quoted: str, text: str) -> None:
        self.pos, self.quoted, self.text = pos, quoted, text

    def __str__(self) -> str:
        return self.quoted


class BranchNode(Node):
    keyword = ""

    def __init__(self, pos: int, pipe: PipeNode, body: ListNode, else_body: ListNode | None) -> None:
        self.pos, self.pipe, self.list, self.else_list = pos, pipe, body, else_body

    def __str__(self) -> str:
        out = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            out += "{{else}}" + str(self.else_list)
        return out + "{{end}}"


class IfNode(BranchNode):
    keyword = "if"


class RangeNode(BranchNode):
    keyword = "range"


class WithNode(BranchNode):
    keyword = "with"


class TemplateNode(Node):
    def __init__(self, pos: int, name: str, pipe: PipeNode | None) -> None:
        self.pos, self.name, self.pipe = pos, name, pipe

    def __str__(self) -> str:
        pipe = " " + str(self.pipe) if self.pipe is not None else ""
        return "{{template " + go_quote(self.name) + pipe + "}}"


class BreakNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos = pos

    def __str__(self) -> str:
        return "{{break}}"


class ContinueNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos = pos

    def __str__(self) -> str:
        return "{{continue}}"


class _EndNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos = pos

    def __str__(self) -> str:
        return "{{end}}"


class _ElseNode(Node):
    def __init__(self, pos: int) -> None:
        self.pos = pos

    def __str__(self) -> str:
        return "{{else}}"


def _new_number(pos: int, text: str, typ: str) -> NumberNode:
    """Parse a number literal the way Go's parse.newNumber does."""
    n = NumberNode(pos, text)
    if typ == I_CHAR_CONSTANT:
        value, _, tail = _unquote_char(text[1:], "'")
        if tail != "'":
            raise _ParseFailure(f"malformed character constant: {text}")
        n.int64 = n.uint64 = value
        n.float64 = float(value)
        n.is_int = n.is_uint = n.is_float = True
        return n
    if typ == I_COMPLEX:
        split = _complex_split(text)
        real, imag = _parse_float(text[:split]), _parse_float(text[split:-1])
        if real is None or imag is None:
            raise _ParseFailure(f"illegal number syntax: {go_quote(text)}")
        return _simplify_complex(n, complex(real, imag))
    if text.endswith("i"):
        imag = _parse_float(text[:-1])
        if imag is not None:
            return _simplify_complex(n, complex(0, imag))
    unsigned, signed = _parse_uint(text), _parse_int(text)
    if unsigned is not None:
        n.is_uint, n.uint64 = True, unsigned
    if signed is not None:
        n.is_int, n.int64 = True, signed
        if signed == 0:  # "-0" is an unsigned zero too
            n.is_uint, n.uint64 = True, 0
    if n.is_int or n.is_uint:
        n.is_float, n.float64 = True, float(n.int64 if n.is_int else n.uint64)
        return n
    value = _parse_float(text)
    if value is None:
        raise _ParseFailure(f"illegal number syntax: {go_quote(text)}")
    if not any(c in text for c in ".eEpP"):
        raise _ParseFailure(f"integer overflow: {go_quote(text)}")
    n.is_float, n.float64 = True, value
    if value.is_integer() and -(2 ** 63) <= value < 2 ** 63:
        n.is_int, n.int64 = True, int(value)
    if value.is_integer() and 0 <= value < 2 ** 64:
        n.is_uint, n.uint64 = True, int(value)
    return n


def _complex_split(text: str) -> int:
    """Index of the sign starting the imaginary part of "1e-3+2i"."""
    for i in range(len(text) - 1, 0, -1):
        if text[i] in "+-" and text[i - 1] not in "eEpP":
            return i
    return 0


def _simplify_complex(n: NumberNode, value: complex) -> NumberNode:
    n.is_complex, n.complex128 = True, value
    if value.imag == 0:
        n.is_float, n.float64 = True, value.real
        if value.real.is_integer() and -(2 ** 63) <= value.real < 2 ** 63:
            n.is_int, n.int64 = True, int(value.real)
        if value.real.is_integer() and 0 <= value.real < 2 ** 64:
            n.is_uint, n.uint64 = True, int(value.real)
    return n


class _ParseFailure(Exception):
    """An error message without the "template: :LINE:" prefix."""
