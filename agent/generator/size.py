"""A size the generator knows by its value and writes into code as an expression.

agent/generator/leading.py renders a plan with the sizes a call reads at run time
(`kw_lead`, `kw_shape[2]`) as `Size`: the heuristics compute with the value, the
templates print the expression. Imports nothing, so templates can tell such a
size from a number without importing the planner.
"""

from __future__ import annotations


def _code(value: int) -> str:
    return value.expr if isinstance(value, Size) else repr(int(value))


def _binary(symbol: str, function, reflected: bool = False):
    identity = {"*": 1, "+": 0, "-": 0, "//": 1}[symbol]

    def method(self, other):
        if not isinstance(other, int) or isinstance(other, bool):
            return NotImplemented
        if other == identity and not isinstance(other, Size) and (symbol in "*+" or not reflected):
            return self  # `kw_lead * 1` reads as `kw_lead`
        left, right = (other, self) if reflected else (self, other)
        return Size(function(int(left), int(right)), f"({_code(left)} {symbol} {_code(right)})")

    return method


class Size(int):
    """A size known here by its value and written into code as an expression."""

    expr: str

    def __new__(cls, value: int, expr: str) -> Size:
        size = super().__new__(cls, value)
        size.expr = expr
        return size

    __mul__ = _binary("*", lambda a, b: a * b)
    __rmul__ = _binary("*", lambda a, b: a * b, reflected=True)
    __add__ = _binary("+", lambda a, b: a + b)
    __radd__ = _binary("+", lambda a, b: a + b, reflected=True)
    __sub__ = _binary("-", lambda a, b: a - b)
    __rsub__ = _binary("-", lambda a, b: a - b, reflected=True)
    __floordiv__ = _binary("//", lambda a, b: a // b)
    __rfloordiv__ = _binary("//", lambda a, b: a // b, reflected=True)

    def __neg__(self) -> Size:
        return Size(-int(self), f"(-{self.expr})")

    def __repr__(self) -> str:
        return self.expr

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(int(self), spec) if spec else self.expr
