"""Executing a parsed template (a port of text/template/exec.go)."""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from .values import (
    NO_VALUE, TemplateError, _MAX_EXEC_DEPTH, _MISSING, _is_func, _is_int, _is_list,
    _is_struct, _map_method, go_quote, go_type_name,
)
from .fmt import _sorted_items, format_value
from .nodes import (
    ActionNode, BoolNode, BranchNode, BreakNode, ChainNode, CommandNode, ContinueNode,
    DotNode, FieldNode, IdentifierNode, IfNode, ListNode, NilNode, Node, NumberNode,
    PipeNode, RangeNode, StringNode, TemplateNode, TextNode, VariableNode, WithNode,
)
from .parser import _Parser
from .funcs import (
    DOCKER_FUNCS, FuncError, GoFunc, _BUILTINS, _KIND_TYPE_NAMES, _call_python,
    _py_arity, _truth,
)


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _State:
    """One execution of a template: output, variables, current node."""

    def __init__(self, tmpl: Template, name: str, funcs: dict[str, GoFunc], out: list[str],
                 depth: int = 0) -> None:
        self.tmpl = tmpl
        self.name = name
        self.funcs = funcs
        self.out = out
        self.depth = depth
        self.node: Node | None = None
        self.vars: list[list[Any]] = []

    # -- variables -----------------------------------------------------------------

    def push(self, name: str, value: Any) -> None:
        self.vars.append([name, value])

    def mark(self) -> int:
        return len(self.vars)

    def pop(self, mark: int) -> None:
        del self.vars[mark:]

    def set_var(self, name: str, value: Any) -> None:
        for var in reversed(self.vars):
            if var[0] == name:
                var[1] = value
                return
        self.errorf(f"undefined variable: {name}")

    def set_top_var(self, n: int, value: Any) -> None:
        self.vars[-n][1] = value

    def var_value(self, name: str) -> Any:
        for var_name, value in reversed(self.vars):
            if var_name == name:
                return value
        self.errorf(f"undefined variable: {name}")

    # -- errors ----------------------------------------------------------------------

    def at(self, node: Node) -> None:
        self.node = node

    def errorf(self, message: str):
        if self.node is None:
            raise TemplateError(f"template: {self.name}: {message}")
        location = self.tmpl.error_location(self.node)
        raise TemplateError(
            f"template: {location}: executing {go_quote(self.name)} at <{self.node}>: {message}"
        )

    # -- walking -----------------------------------------------------------------------

    def walk(self, dot: Any, node: Node) -> None:
        self.at(node)
        if isinstance(node, ActionNode):
            value = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:  # declarations print nothing
                self.print_value(node, value)
        elif isinstance(node, ListNode):
            for child in node.nodes:
                self.walk(dot, child)
        elif isinstance(node, TextNode):
            self.out.append(node.text)
        elif isinstance(node, (IfNode, WithNode)):
            self.walk_if_or_with(dot, node)
        elif isinstance(node, RangeNode):
            self.walk_range(dot, node)
        elif isinstance(node, TemplateNode):
            self.walk_template(dot, node)
        elif isinstance(node, BreakNode):
            raise _Break
        elif isinstance(node, ContinueNode):
            raise _Continue
        else:
            self.errorf(f"unknown node: {node}")

    def walk_if_or_with(self, dot: Any, node: BranchNode) -> None:
        mark = self.mark()
        try:
            value = self.eval_pipeline(dot, node.pipe)
            if _truth(value):
                self.walk(value if isinstance(node, WithNode) else dot, node.list)
            elif node.else_list is not None:
                self.walk(dot, node.else_list)
        finally:
            self.pop(mark)

    def walk_range(self, dot: Any, node: RangeNode) -> None:
        self.at(node)
        outer_mark = self.mark()
        try:
            value = self.eval_pipeline(dot, node.pipe)
            if not self.range_over(value, node):
                if node.else_list is not None:
                    self.walk(dot, node.else_list)
        except _Break:
            pass
        finally:
            self.pop(outer_mark)

    def range_over(self, value: Any, node: RangeNode) -> bool:
        """Run the body once per element; False if nothing was iterated."""
        mark = self.mark()
        if _is_list(value):
            pairs = list(enumerate(value))
        elif isinstance(value, Mapping):
            pairs = _sorted_items(value)
        elif _is_int(value):
            if len(node.pipe.decl) > 1:
                self.errorf(f"can't use {format_value(value)} to iterate over more than one variable")
            pairs = [(NO_VALUE, i) for i in range(value)]
        elif value is None or value is NO_VALUE:
            pairs = []  # nil acts like an empty collection
        else:
            self.errorf(f"range can't iterate over {format_value(value)}")
        for index, elem in pairs:
            self.one_iteration(node, mark, index, elem)
        return bool(pairs)

    def one_iteration(self, node: RangeNode, mark: int, index: Any, elem: Any) -> None:
        decl, assign = node.pipe.decl, node.pipe.is_assign
        if decl:
            if assign:
                self.set_var(decl[0].ident[0], index if len(decl) > 1 else elem)
            else:
                self.set_top_var(1, elem)  # lexically the last variable
        if len(decl) > 1:
            if assign:
                self.set_var(decl[1].ident[0], elem)
            else:
                self.set_top_var(2, index)
        try:
            self.walk(elem, node.list)
        except _Continue:
            pass
        finally:
            self.pop(mark)

    def walk_template(self, dot: Any, node: TemplateNode) -> None:
        self.at(node)
        body = self.tmpl.trees.get(node.name)
        if body is None:
            self.errorf(f"template {go_quote(node.name)} not defined")
        if self.depth >= _MAX_EXEC_DEPTH:
            self.errorf(f"exceeded maximum template depth ({_MAX_EXEC_DEPTH})")
        dot = self.eval_pipeline(dot, node.pipe)
        # Templates see no variables from their caller, only "$".
        state = _State(self.tmpl, node.name, self.funcs, self.out, self.depth + 1)
        state.push("$", dot)
        state.walk(dot, body)

    # -- evaluation ------------------------------------------------------------------------

    def eval_pipeline(self, dot: Any, pipe: PipeNode | None) -> Any:
        if pipe is None:
            return NO_VALUE
        self.at(pipe)
        value: Any = _MISSING
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)  # the previous value is the final arg
        for var in pipe.decl:
            if pipe.is_assign:
                self.set_var(var.ident[0], value)
            else:
                self.push(var.ident[0], value)
        return value

    def not_a_function(self, args: list[Node], final: Any) -> None:
        if len(args) > 1 or final is not _MISSING:
            self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: Any, cmd: CommandNode, final: Any) -> Any:
        first = cmd.args[0]
        if isinstance(first, FieldNode):
            return self.eval_field_node(dot, first, cmd.args, final)
        if isinstance(first, ChainNode):
            return self.eval_chain_node(dot, first, cmd.args, final)
        if isinstance(first, IdentifierNode):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, PipeNode):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, VariableNode):
            return self.eval_variable_node(dot, first, cmd.args, final)
        self.at(first)
        self.not_a_function(cmd.args, final)
        if isinstance(first, BoolNode):
            return first.value
        if isinstance(first, DotNode):
            return dot
        if isinstance(first, NilNode):
            self.errorf("nil is not a command")
        if isinstance(first, NumberNode):
            return self.ideal_constant(first)
        if isinstance(first, StringNode):
            return first.text
        self.errorf(f"can't evaluate command {go_quote(str(first))}")

    def ideal_constant(self, c: NumberNode) -> Any:
        """A number literal's value when no parameter type guides it."""
        self.at(c)
        if c.is_complex:
            return c.complex128
        is_hex_int = c.text[:2].lower() == "0x" and "p" not in c.text.lower()
        if c.is_float and not is_hex_int and not c.text.startswith("'") and any(ch in c.text for ch in ".eEpP"):
            return c.float64
        if c.is_int:
            return c.int64
        if c.is_uint:
            self.errorf(f"{c.text} overflows int")
        return NO_VALUE

    def eval_field_node(self, dot: Any, field: FieldNode, args: list[Node] | None, final: Any) -> Any:
        self.at(field)
        return self.eval_field_chain(dot, dot, field, field.ident, args, final)

    def eval_chain_node(self, dot: Any, chain: ChainNode, args: list[Node] | None, final: Any) -> Any:
        self.at(chain)
        if isinstance(chain.node, NilNode):
            self.errorf(f"indirection through explicit nil in {chain}")
        receiver = self.eval_arg(dot, None, chain.node)
        return self.eval_field_chain(dot, receiver, chain, chain.fields, args, final)

    def eval_variable_node(self, dot: Any, var: VariableNode, args: list[Node] | None, final: Any) -> Any:
        self.at(var)
        value = self.var_value(var.ident[0])
        if len(var.ident) == 1:
            self.not_a_function(args or [var], final)
            return value
        return self.eval_field_chain(dot, value, var, var.ident[1:], args, final)

    def eval_field_chain(self, dot: Any, receiver: Any, node: Node, idents: list[str],
                         args: list[Node] | None, final: Any) -> Any:
        for name in idents[:-1]:
            receiver = self.eval_field(dot, name, node, None, _MISSING, receiver)
        return self.eval_field(dot, idents[-1], node, args, final, receiver)

    def eval_function(self, dot: Any, ident: IdentifierNode, cmd: Node, args: list[Node] | None,
                      final: Any) -> Any:
        self.at(ident)
        name = ident.ident
        if name in self.funcs:
            return self.eval_call(dot, self.funcs[name], False, cmd, name, args, final)
        if name in _BUILTINS:
            return self.eval_call(dot, _BUILTINS[name], True, cmd, name, args, final)
        self.errorf(f"{go_quote(name)} is not a defined function")

    def eval_field(self, dot: Any, name: str, node: Node, args: list[Node] | None, final: Any,
                   receiver: Any) -> Any:
        """Evaluate .Name on receiver: a map key, a field or a method call."""
        if receiver is NO_VALUE:
            return NO_VALUE
        if receiver is None:
            self.errorf(f"nil pointer evaluating interface {{}}.{name}")
        has_args = (args is not None and len(args) > 1) or final is not _MISSING
        if isinstance(receiver, Mapping):
            method = _map_method(receiver, name)
            if method is not None:         # Go looks for a method before a map key
                return self.eval_call(dot, method, False, node, name, args, final)
            if has_args:
                self.errorf(f"{name} is not a method but has arguments")
            return receiver.get(name, NO_VALUE)
        if _is_struct(receiver) and not name.startswith("_"):
            try:
                attr = getattr(receiver, name)
            except AttributeError:
                attr = _MISSING
            except Exception as exc:  # a failing property, like a panicking getter
                self.errorf(f"error calling {name}: {exc}")
            if attr is not _MISSING:
                if inspect.ismethod(attr) or inspect.isbuiltin(attr):
                    return self.eval_call(dot, attr, False, node, name, args, final)
                if has_args:
                    self.errorf(f"{name} has arguments but cannot be invoked as function")
                return attr
        self.errorf(f"can't evaluate field {name} in type {go_type_name(receiver)}")

    def eval_call(self, dot: Any, fun: GoFunc | Callable, is_builtin: bool, node: Node, name: str,
                  args: list[Node] | None, final: Any) -> Any:
        """Call a template function or a Python method with evaluated args."""
        arg_nodes = list(args[1:]) if args is not None else []
        if not isinstance(fun, GoFunc):
            return self.call_method(dot, fun, node, name, arg_nodes, final)
        num_in = len(arg_nodes) + (final is not _MISSING)
        num_fixed = len(fun.params)
        if fun.variadic is not None:
            if num_in < num_fixed:
                self.errorf(f"wrong number of args for {name}: want at least {num_fixed} got {len(arg_nodes)}")
        elif num_in != num_fixed:
            self.errorf(f"wrong number of args for {name}: want {num_fixed} got {num_in}")
        if is_builtin and name in ("and", "or"):
            return self.and_or(dot, name, arg_nodes, final)
        argv = [self.eval_arg(dot, kind, n) for kind, n in zip(fun.params, arg_nodes)]
        argv += [self.eval_arg(dot, fun.variadic, n) for n in arg_nodes[num_fixed:]]
        if final is not _MISSING:
            kind = fun.variadic if fun.variadic is not None and num_in - 1 >= num_fixed else fun.params[-1]
            argv.append(self.validate_type(final, kind))
        if is_builtin and name == "call":
            argv.insert(0, str(arg_nodes[0]) if arg_nodes else "")
        try:
            return fun.fn(*argv)
        except FuncError as exc:
            self.at(node)
            self.errorf(f"error calling {name}: {exc}")

    def and_or(self, dot: Any, name: str, arg_nodes: list[Node], final: Any) -> Any:
        """and/or return the deciding operand and skip the rest, as in Go."""
        value: Any = NO_VALUE
        for n in arg_nodes:
            value = self.eval_arg(dot, "value", n)
            if _truth(value) == (name == "or"):
                return value
        if final is not _MISSING:
            value = self.validate_type(final, "value")
        return value

    def call_method(self, dot: Any, method: Callable, node: Node, name: str, arg_nodes: list[Node],
                    final: Any) -> Any:
        num_in = len(arg_nodes) + (final is not _MISSING)
        arity = _py_arity(method)
        if arity is not None:  # checked before evaluating arguments, as in Go
            required, positional, variadic = arity
            if variadic and num_in < required:
                self.errorf(f"wrong number of args for {name}: want at least {required} got {len(arg_nodes)}")
            if not variadic and not required <= num_in <= positional:
                self.errorf(f"wrong number of args for {name}: want {positional} got {num_in}")
        argv = [self.eval_arg(dot, "any", n) for n in arg_nodes]
        if final is not _MISSING:
            argv.append(self.validate_type(final, "any"))
        try:
            return _call_python(method, argv)
        except FuncError as exc:
            self.at(node)
            self.errorf(f"error calling {name}: {exc}")

    def validate_type(self, value: Any, kind: str | None) -> Any:
        """Check a computed value against a parameter kind (Go's validateType)."""
        if kind is None or kind == "value":
            return value
        if value is NO_VALUE:
            if kind == "any":
                return None
            if kind == "strings":
                return []
            self.errorf(f"invalid value; expected {_KIND_TYPE_NAMES[kind]}")
        if kind == "any":
            return value
        ok = {
            "string": isinstance(value, str),
            "int": _is_int(value),
            "strings": _is_list(value) and all(isinstance(x, str) for x in value),
        }[kind]
        if not ok:
            self.errorf(f"wrong type for value; expected {_KIND_TYPE_NAMES[kind]}; got {go_type_name(value)}")
        return list(value) if kind == "strings" else value

    def eval_arg(self, dot: Any, kind: str | None, n: Node) -> Any:
        """Evaluate an argument node for a parameter of the given kind."""
        self.at(n)
        if isinstance(n, DotNode):
            return self.validate_type(dot, kind)
        if isinstance(n, NilNode):
            if kind in ("value", None):
                return NO_VALUE
            if kind in ("any", "strings"):
                return None if kind == "any" else []
            self.errorf(f"cannot assign nil to {_KIND_TYPE_NAMES[kind]}")
        if isinstance(n, FieldNode):
            return self.validate_type(self.eval_field_node(dot, n, [n], _MISSING), kind)
        if isinstance(n, VariableNode):
            return self.validate_type(self.eval_variable_node(dot, n, None, _MISSING), kind)
        if isinstance(n, PipeNode):
            return self.validate_type(self.eval_pipeline(dot, n), kind)
        if isinstance(n, IdentifierNode):
            return self.validate_type(self.eval_function(dot, n, n, None, _MISSING), kind)
        if isinstance(n, ChainNode):
            return self.validate_type(self.eval_chain_node(dot, n, None, _MISSING), kind)
        return self.eval_literal(kind, n)

    def eval_literal(self, kind: str | None, n: Node) -> Any:
        if kind == "string":
            if isinstance(n, StringNode):
                return n.text
            self.errorf(f"expected string; found {n}")
        if kind == "int":
            if isinstance(n, NumberNode) and n.is_int:
                return n.int64
            self.errorf(f"expected integer; found {n}")
        if kind == "strings":
            self.errorf(f"can't handle {n} for arg of type []string")
        if isinstance(n, BoolNode):
            return n.value
        if isinstance(n, NumberNode):
            return self.ideal_constant(n)
        if isinstance(n, StringNode):
            return n.text
        self.errorf(f"can't handle assignment of {n} to empty interface argument")

    def print_value(self, node: Node, value: Any) -> None:
        self.at(node)
        if value is NO_VALUE:
            self.out.append("<no value>")
            return
        if _is_func(value):
            self.errorf(f"can't print {node} of type {go_type_name(value)}")
        self.out.append(format_value(value))


class Template:
    """A parsed template; :meth:`execute` renders it against data."""

    def __init__(self, name: str, text: str, trees: dict[str, ListNode]) -> None:
        self.name = name
        self.text = text
        self.trees = trees

    def error_location(self, node: Node) -> str:
        """"name:line:col" of a node; col counts bytes, as in Go."""
        before = self.text[:node.pos]
        line_start = before.rfind("\n") + 1
        column = len(before[line_start:].encode("utf-8", "surrogatepass"))
        return f"{self.name}:{before.count(chr(10)) + 1}:{column}"

    def execute(self, data: Any, funcs: Mapping[str, GoFunc] | None = None) -> str:
        """Render the template; ``funcs`` overrides docker's functions.

        Raises TemplateError (with ``partial_output``) on execution errors.
        """
        table = dict(DOCKER_FUNCS)
        table.update(funcs or {})
        if data is None:
            data = NO_VALUE  # Go's Execute(w, nil): {{.}} prints <no value>
        out: list[str] = []
        state = _State(self, self.name, table, out)
        state.push("$", data)
        try:
            state.walk(data, self.trees[self.name])
        except TemplateError as exc:
            exc.partial_output = "".join(out)
            raise
        except RecursionError:
            raise TemplateError(f"template: {self.name}: data nested too deeply to print",
                                "".join(out)) from None
        return "".join(out)


def compile(text: str, name: str = "") -> Template:  # noqa: A001 - mirrors re.compile
    """Parse a template; raises TemplateError with Go's parse error text."""
    trees: dict[str, ListNode] = {}
    parser = _Parser(name, text, set(DOCKER_FUNCS) | set(_BUILTINS), trees)
    try:
        parser.parse()
    except RecursionError:
        raise TemplateError(f"template: {name}: max expression depth exceeded") from None
    return Template(name, text, trees)
