"""The template parser (a port of text/template/parse/parse.go)."""
from __future__ import annotations

from .values import TemplateError, _MAX_PAREN_DEPTH, go_quote
from .lexer import (
    I_ASSIGN, I_BOOL, I_CHAR, I_CHAR_CONSTANT, I_COMPLEX, I_DECLARE, I_DOT, I_EOF,
    I_ERROR, I_FIELD, I_IDENTIFIER, I_LEFT_DELIM, I_LEFT_PAREN, I_NIL, I_NUMBER, I_PIPE,
    I_RAW_STRING, I_RIGHT_DELIM, I_RIGHT_PAREN, I_SPACE, I_STRING, I_TEXT, I_VARIABLE,
    Item, _KEYWORDS, _Lexer, _item_str,
)
from .literals import _SyntaxError, _unquote
from .nodes import (
    ActionNode, BoolNode, BreakNode, ChainNode, CommandNode, ContinueNode, DotNode,
    FieldNode, IdentifierNode, IfNode, ListNode, NilNode, Node, NumberNode, PipeNode,
    RangeNode, StringNode, TemplateNode, TextNode, VariableNode, WithNode, _ElseNode,
    _EndNode, _ParseFailure, _new_number,
)


class _Parser:
    """Builds the parse tree for one template (and any {{define}}d ones)."""

    def __init__(self, name: str, text: str, funcs: set[str], trees: dict[str, ListNode],
                 lexer: _Lexer | None = None) -> None:
        self.name = name
        self.text = text
        self.funcs = funcs
        self.trees = trees
        self.lex = lexer or _Lexer(text)
        self.token: list[Item] = [Item(I_EOF, 0, "", 1)] * 3
        self.peek_count = 0
        self.vars = ["$"]
        self.action_line = 0
        self.range_depth = 0
        self.paren_depth = 0
        self.root: ListNode | None = None

    # -- token stream ------------------------------------------------------------

    def next(self) -> Item:
        if self.peek_count > 0:
            self.peek_count -= 1
        else:
            self.token[0] = self.lex.next_item()
        return self.token[self.peek_count]

    def backup(self) -> None:
        self.peek_count += 1

    def backup2(self, t1: Item) -> None:
        self.token[1] = t1
        self.peek_count = 2

    def backup3(self, t2: Item, t1: Item) -> None:
        self.token[1], self.token[2] = t1, t2
        self.peek_count = 3

    def peek(self) -> Item:
        if self.peek_count > 0:
            return self.token[self.peek_count - 1]
        self.peek_count = 1
        self.token[0] = self.lex.next_item()
        return self.token[0]

    def next_non_space(self) -> Item:
        while True:
            token = self.next()
            if token.typ != I_SPACE:
                return token

    def peek_non_space(self) -> Item:
        token = self.next_non_space()
        self.backup()
        return token

    # -- errors ------------------------------------------------------------------

    def errorf(self, message: str):
        raise TemplateError(f"template: {self.name}:{self.token[0].line}: {message}")

    def expect(self, typ: str, context: str) -> Item:
        token = self.next_non_space()
        if token.typ != typ:
            self.unexpected(token, context)
        return token

    def unexpected(self, token: Item, context: str):
        if token.typ == I_ERROR:
            extra = ""
            if self.action_line and self.action_line != token.line:
                extra = f" in action started at {self.name}:{self.action_line}"
                if token.val.endswith(" action"):
                    extra = extra[len(" in action"):]  # avoid "action in action"
            self.errorf(f"{token.val}{extra}")
        self.errorf(f"unexpected {_item_str(token)} in {context}")

    # -- grammar -----------------------------------------------------------------

    def parse(self) -> ListNode:
        self.root = ListNode(self.peek().pos)
        while self.peek().typ != I_EOF:
            if self.peek().typ == I_LEFT_DELIM:
                delim = self.next()
                if self.next_non_space().typ == _KEYWORDS["define"]:
                    sub = _Parser("definition", self.text, self.funcs, self.trees, self.lex)
                    sub.name = self.name
                    sub.parse_definition()
                    continue
                self.backup2(delim)
            node = self.text_or_action()
            if isinstance(node, (_EndNode, _ElseNode)):
                self.errorf(f"unexpected {node}")
            self.root.nodes.append(node)
        self.add(self.name, self.root)
        return self.root

    def add(self, name: str, root: ListNode) -> None:
        existing = self.trees.get(name)
        if existing is None or _is_empty_tree(existing):
            self.trees[name] = root
        elif not _is_empty_tree(root):
            self.errorf(f"template: multiple definition of template {go_quote(name)}")

    def parse_definition(self) -> None:
        context = "define clause"
        token = self.next_non_space()
        if token.typ not in (I_STRING, I_RAW_STRING):
            self.unexpected(token, context)
        name = self.unquote(token)
        self.expect(I_RIGHT_DELIM, context)
        body, end = self.item_list()
        if not isinstance(end, _EndNode):
            self.errorf(f"unexpected {end} in {context}")
        self.add(name, body)

    def unquote(self, token: Item) -> str:
        try:
            return _unquote(token.val)
        except _SyntaxError:
            self.errorf("invalid syntax")

    def item_list(self) -> tuple[ListNode, Node]:
        body = ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ != I_EOF:
            node = self.text_or_action()
            if isinstance(node, (_EndNode, _ElseNode)):
                return body, node
            body.nodes.append(node)
        self.errorf("unexpected EOF")

    def text_or_action(self) -> Node:
        token = self.next_non_space()
        if token.typ == I_TEXT:
            return TextNode(token.pos, token.val)
        if token.typ == I_LEFT_DELIM:
            self.action_line = token.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(token, "input")

    def action(self) -> Node:
        token = self.next_non_space()
        controls = {
            "kw:block": self.block_control,
            "kw:else": self.else_control,
            "kw:end": self.end_control,
            "kw:if": lambda: IfNode(*self.parse_control("if")),
            "kw:range": lambda: RangeNode(*self.parse_control("range")),
            "kw:template": self.template_control,
            "kw:with": lambda: WithNode(*self.parse_control("with")),
        }
        if token.typ in ("kw:break", "kw:continue"):
            return self.loop_control(token)
        if token.typ in controls:
            return controls[token.typ]()
        self.backup()
        token = self.peek()
        # Variables declared here stay in scope until the enclosing {{end}}.
        return ActionNode(token.pos, self.pipeline("command", I_RIGHT_DELIM))

    def loop_control(self, token: Item) -> Node:
        word = token.val
        after = self.next_non_space()
        if after.typ != I_RIGHT_DELIM:
            self.unexpected(after, "{{" + word + "}}")
        if self.range_depth == 0:
            self.errorf("{{" + word + "}} outside {{range}}")
        return BreakNode(token.pos) if word == "break" else ContinueNode(token.pos)

    def pipeline(self, context: str, end: str) -> PipeNode:
        token = self.peek_non_space()
        pipe = PipeNode(token.pos, token.line)
        self.parse_declarations(pipe, context)
        while True:
            token = self.next_non_space()
            if token.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if token.typ in (I_BOOL, I_CHAR_CONSTANT, I_COMPLEX, I_DOT, I_FIELD, I_IDENTIFIER,
                             I_NUMBER, I_NIL, I_RAW_STRING, I_STRING, I_VARIABLE, I_LEFT_PAREN):
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(token, context)

    def parse_declarations(self, pipe: PipeNode, context: str) -> None:
        """Handle "$x :=", "$x =" and range's "$i, $e :=" prefixes."""
        while True:
            v = self.peek_non_space()
            if v.typ != I_VARIABLE:
                return
            self.next()
            # Spaces are tokens, so "$x foo" needs a three-token look-ahead to
            # tell an argument from a declaration.
            token_after_variable = self.peek()
            nxt = self.peek_non_space()
            if nxt.typ in (I_ASSIGN, I_DECLARE):
                pipe.is_assign = nxt.typ == I_ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, v.val))
                self.vars.append(v.val)
                return
            if nxt.typ == I_CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, v.val))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (I_VARIABLE, I_RIGHT_DELIM, I_RIGHT_PAREN):
                        continue  # the second variable of "range $i, $e :="
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            if token_after_variable.typ == I_SPACE:
                self.backup3(v, token_after_variable)
            else:
                self.backup2(v)
            return

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], (BoolNode, DotNode, NilNode, NumberNode, StringNode)):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def parse_control(self, context: str) -> tuple[int, PipeNode, ListNode, ListNode | None]:
        mark = len(self.vars)
        try:
            pipe = self.pipeline(context, I_RIGHT_DELIM)
            if context == "range":
                self.range_depth += 1
            body, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_body = None
            if isinstance(nxt, _ElseNode):
                # "{{else if x}}" and "{{else with x}}" nest a new if/with in
                # the else branch; its {{end}} closes both.
                if context in ("if", "with") and self.peek().typ == "kw:" + context:
                    self.next()
                    else_body = ListNode(nxt.pos)
                    node_type = IfNode if context == "if" else WithNode
                    else_body.nodes.append(node_type(*self.parse_control(context)))
                else:
                    else_body, nxt = self.item_list()
                    if not isinstance(nxt, _EndNode):
                        self.errorf(f"expected end; found {nxt}")
            return pipe.pos, pipe, body, else_body
        finally:
            del self.vars[mark:]

    def end_control(self) -> Node:
        return _EndNode(self.expect(I_RIGHT_DELIM, "end").pos)

    def else_control(self) -> Node:
        peek = self.peek_non_space()
        if peek.typ in ("kw:if", "kw:with"):
            return _ElseNode(peek.pos)
        return _ElseNode(self.expect(I_RIGHT_DELIM, "else").pos)

    def block_control(self) -> Node:
        context = "block clause"
        token = self.next_non_space()
        name = self.parse_template_name(token, context)
        pipe = self.pipeline(context, I_RIGHT_DELIM)
        sub = _Parser(name, self.text, self.funcs, self.trees, self.lex)
        sub.name = self.name
        body, end = sub.item_list()
        if not isinstance(end, _EndNode):
            self.errorf(f"unexpected {end} in {context}")
        sub.add(name, body)
        return TemplateNode(token.pos, name, pipe)

    def template_control(self) -> Node:
        context = "template clause"
        token = self.next_non_space()
        name = self.parse_template_name(token, context)
        pipe = None
        if self.next_non_space().typ != I_RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, I_RIGHT_DELIM)
        return TemplateNode(token.pos, name, pipe)

    def parse_template_name(self, token: Item, context: str) -> str:
        if token.typ not in (I_STRING, I_RAW_STRING):
            self.unexpected(token, context)
        return self.unquote(token)

    def command(self) -> CommandNode:
        cmd = CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()  # skip leading spaces
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            token = self.next()
            if token.typ == I_SPACE:
                continue
            if token.typ in (I_RIGHT_DELIM, I_RIGHT_PAREN):
                self.backup()
            elif token.typ != I_PIPE:
                self.unexpected(token, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == I_FIELD:
            chain = ChainNode(self.peek().pos, node)
            while self.peek().typ == I_FIELD:
                chain.fields.append(self.next().val[1:])
            # Like Go, fold .X.Y and $x.Y into one node; the position is
            # that of the first chained field.
            if isinstance(node, FieldNode):
                return FieldNode(chain.pos, str(chain))
            if isinstance(node, VariableNode):
                return VariableNode(chain.pos, str(chain))
            if isinstance(node, (BoolNode, StringNode, NumberNode, NilNode, DotNode)):
                self.errorf(f"unexpected . after term {go_quote(str(node))}")
            return chain
        return node

    def term(self) -> Node | None:
        token = self.next_non_space()
        typ = token.typ
        if typ == I_IDENTIFIER:
            if token.val not in self.funcs:
                self.errorf(f"function {go_quote(token.val)} not defined")
            return IdentifierNode(token.pos, token.val)
        if typ == I_DOT:
            return DotNode(token.pos)
        if typ == I_NIL:
            return NilNode(token.pos)
        if typ == I_VARIABLE:
            return self.use_var(token.pos, token.val)
        if typ == I_FIELD:
            return FieldNode(token.pos, token.val)
        if typ == I_BOOL:
            return BoolNode(token.pos, token.val == "true")
        if typ in (I_CHAR_CONSTANT, I_COMPLEX, I_NUMBER):
            try:
                return _new_number(token.pos, token.val, typ)
            except _ParseFailure as exc:
                self.errorf(str(exc))
            except _SyntaxError:
                self.errorf("invalid syntax")
        if typ == I_LEFT_PAREN:
            if self.paren_depth >= _MAX_PAREN_DEPTH:
                self.errorf("max expression depth exceeded")
            self.paren_depth += 1
            try:
                return self.pipeline("parenthesized pipeline", I_RIGHT_PAREN)
            finally:
                self.paren_depth -= 1
        if typ in (I_STRING, I_RAW_STRING):
            return StringNode(token.pos, token.val, self.unquote(token))
        self.backup()
        return None

    def use_var(self, pos: int, name: str) -> Node:
        v = VariableNode(pos, name)
        if v.ident[0] not in self.vars:
            self.errorf(f"undefined variable {go_quote(v.ident[0])}")
        return v


def _is_empty_tree(node: Node) -> bool:
    if isinstance(node, ListNode):
        return all(_is_empty_tree(n) for n in node.nodes)
    if isinstance(node, TextNode):
        return not node.text.strip()
    return False
