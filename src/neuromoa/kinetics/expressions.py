"""Rate expressions as data: a tiny, safe arithmetic language evaluated with numpy.

A rate is written as text in a model file, e.g. ``"a0 * exp(V / sa)"`` or ``"kon * drug"``.
Allowed: numbers, names (parameters or conditions), ``+ - * / **``, unary minus and the
functions ``exp``, ``log``, ``sqrt``. Anything else (attributes, subscripts, other calls) is
rejected when the expression is parsed, so evaluating a model file never runs arbitrary code.
Names are looked up first in the conditions (arrays, broadcast together) and then in the
parameters (floats, SI units).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from neuromoa.errors import InputError

__all__ = ["Expression", "to_myokit"]

_FUNCS = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt}
_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.Constant, ast.Call,
          ast.USub, ast.UAdd, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)


def _validate(node: ast.AST, text: str, where: str) -> None:
    for sub in ast.walk(node):
        ok = isinstance(sub, _NODES)
        if isinstance(sub, ast.Constant) and not isinstance(sub.value, int | float):
            ok = False
        if isinstance(sub, ast.Call):
            ok = (isinstance(sub.func, ast.Name) and sub.func.id in _FUNCS
                  and len(sub.args) == 1 and not sub.keywords)
        if not ok:
            raise InputError(f"{where}: rate expression {text!r} uses {type(sub).__name__}, "
                             "which is not allowed (use numbers, names, + - * / ** and exp/log/sqrt).")


@dataclass(frozen=True)
class Expression:
    """A parsed, validated rate expression.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"a0 * exp(V / sa)"`` (rates in 1/s, voltages in V).
    where : str
        Where it was declared (for error messages), e.g. ``"nav_drg.toml, transition C1->O"``.

    Examples
    --------
    >>> e = Expression("k0 * exp(V / s)")
    >>> float(e.evaluate({"V": 0.0}, {"k0": 2.0, "s": 0.01}))
    2.0
    """

    text: str
    where: str = "expression"
    names: frozenset[str] = field(init=False, compare=False)
    _code: object = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            tree = ast.parse(self.text.strip(), mode="eval")
        except SyntaxError as exc:
            raise InputError(f"{self.where}: cannot parse rate expression {self.text!r}: "
                             f"{exc.msg}.") from exc
        _validate(tree, self.text, self.where)
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(_FUNCS)
        object.__setattr__(self, "names", frozenset(names))
        object.__setattr__(self, "_code", compile(tree, f"<{self.where}>", "eval"))

    def evaluate(self, conditions: Mapping[str, object], parameters: Mapping[str, float]):
        """Evaluate with numpy broadcasting; missing names raise :class:`InputError`."""
        scope: dict[str, object] = {}
        for name in self.names:
            if name in conditions:
                scope[name] = np.asarray(conditions[name], dtype=float)
            elif name in parameters:
                scope[name] = float(parameters[name])
            else:
                raise InputError(f"{self.where}: rate expression {self.text!r} needs {name!r}, "
                                 "which is neither a parameter nor a condition; declare it.")
        scope.update(_FUNCS)
        with np.errstate(over="ignore"):
            return eval(self._code, {"__builtins__": {}}, scope)  # noqa: S307 (AST validated)


class _MyokitPrinter(ast.NodeVisitor):
    def __init__(self, rename: Mapping[str, str]) -> None:
        self.rename = rename

    def visit_Expression(self, node: ast.Expression) -> str:
        return self.visit(node.body)

    def visit_BinOp(self, node: ast.BinOp) -> str:
        ops = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}
        return f"({self.visit(node.left)} {ops[type(node.op)]} {self.visit(node.right)})"

    def visit_UnaryOp(self, node: ast.UnaryOp) -> str:
        return f"(-{self.visit(node.operand)})" if isinstance(node.op, ast.USub) else self.visit(node.operand)

    def visit_Name(self, node: ast.Name) -> str:
        return self.rename.get(node.id, node.id)

    def visit_Constant(self, node: ast.Constant) -> str:
        return repr(float(node.value))

    def visit_Call(self, node: ast.Call) -> str:
        return f"{node.func.id}({self.visit(node.args[0])})"


def to_myokit(text: str, rename: Mapping[str, str]) -> str:
    """Translate an expression to Myokit syntax (``^`` for power), renaming variables."""
    return _MyokitPrinter(rename).visit(ast.parse(text.strip(), mode="eval"))
