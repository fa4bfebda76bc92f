"""The safe formula language: user-written scores over named fields.

``formula("reach * impact * confidence / effort")`` compiles a Python-like
expression to a `Formula`, a function of the fields it names. The text is
parsed with `ast` and every node is checked against a whitelist; nothing is
ever passed to `eval` or `exec`. What a formula may contain:

- numbers (``3``, ``0.5``, ``1e3``) and field names (identifiers that do not
  start with ``_``);
- ``+ - * / // % **`` and unary ``+ -``, with Python's meaning on floats
  (``%`` and ``//`` round towards minus infinity);
- comparisons ``< <= > >= == !=``, chained as in Python (``0 < x <= 1``); they
  give 1.0 or 0.0;
- ``and``, ``or``, ``not`` and ``a if condition else b``: zero is false, any
  other number true; ``and``/``or`` return one of their operands, as in Python;
- the functions ``min(a, b, ...)``, ``max(a, b, ...)``, ``abs(x)``, ``log(x)``,
  ``log(x, base)``, ``sqrt(x)``, ``round(x)`` and ``round(x, ndigits)``.

Anything else (attribute access, subscripts, strings, ``True``/``False``,
lambdas, comprehensions, other calls, keyword arguments, ``:=``...) is
rejected with an `InvalidInputError` that names the construct and points at
it. Hostile input fails fast: the length is checked before parsing, the
nesting depth right after, and constant exponents at compile time.

Evaluation is vectorised with numpy. The branches of ``if``/``else``, the
right-hand operands of ``and``/``or`` and the later links of a comparison
chain are evaluated only for the items that reach them, so
``reach / effort if effort > 0 else 0`` works for items with no effort.
Errors (division by zero, ``log`` of a number <= 0, overflow...) name the
sub-expression, the field values involved and every item where they happen.
"""

from __future__ import annotations

import ast
import difflib
import functools
import math
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ..errors import InvalidInputError
from ._data import columns
from ._validate import FloatArray, numbers

__all__ = ["Formula", "formula"]

FUNCTIONS: Final = ("abs", "log", "max", "min", "round", "sqrt")
"""The functions a formula may call."""
DEPTH_LIMIT: Final = 100
"""The largest `max_depth` allowed: deeper trees would strain Python's stack."""

_ARITY: Final[dict[str, tuple[int, int | None]]] = {
    "abs": (1, 1),
    "log": (1, 2),
    "max": (2, None),
    "min": (2, None),
    "round": (1, 2),
    "sqrt": (1, 1),
}
_ADDITIVE: Final = frozenset({ast.Add, ast.Sub})
_MULTIPLICATIVE: Final = frozenset({ast.Mult, ast.Div, ast.FloorDiv, ast.Mod})
_DIVISIONS: Final = frozenset({ast.Div, ast.FloorDiv, ast.Mod})
_SYMBOLS: Final[dict[type[ast.AST], str]] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Invert: "~",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}
_COMPARISONS: Final[dict[type[ast.AST], Callable[[Any, Any], Any]]] = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}
_CONSTRUCTS: Final[dict[type[ast.AST], str]] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "a subscript",
    ast.Slice: "a slice",
    ast.Lambda: "a lambda",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.JoinedStr: "an f-string",
    ast.FormattedValue: "an f-string",
    ast.NamedExpr: "an assignment expression (:=)",
    ast.Starred: "a starred expression",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}
_ALLOWED = (
    "numbers, field names, + - * / // % **, comparisons, and/or/not, "
    "if/else and min, max, abs, log, sqrt, round"
)

# A value during evaluation: a float64 scalar or an array; numpy's stubs do not
# follow the mix through the operators, so it is typed loosely.
_Value = Any
_Run = Callable[["_Env"], _Value]
_Label = Callable[[int], str]
"""The name of the item at a position, for error messages (computed lazily)."""


# -- evaluation environment --------------------------------------------------------


class _Env:
    """The field values one evaluation sees, and where they sit among the items.

    The root environment holds every field as a scalar or an array that
    broadcasts to `shape`. Masked evaluation (a branch of ``if``/``else``)
    works on a flat subset: `positions` are then the flat indices, into the
    root's shape, of the elements left.
    """

    __slots__ = ("label", "positions", "root", "shape", "size", "trace", "values")

    def __init__(
        self,
        values: dict[str, _Value],
        shape: tuple[int, ...],
        *,
        label: _Label | None = None,
        trace: dict[str, float] | None = None,
        root: _Env | None = None,
        positions: npt.NDArray[np.intp] | None = None,
    ) -> None:
        self.values = values
        self.shape = shape
        self.size = math.prod(shape)
        self.label = label
        self.trace = trace
        self.root: _Env = self if root is None else root
        self.positions = positions

    def restrict(self, value: _Value, mask: npt.NDArray[np.bool_]) -> _Value:
        """Keep the elements of `value` where `mask` (of this shape) holds."""
        if np.ndim(value) == 0:
            return value
        return np.broadcast_to(value, self.shape)[mask]

    def take(self, mask: npt.NDArray[np.bool_], names: Collection[str]) -> _Env:
        """Return the environment of the elements where `mask` holds, flattened."""
        values = {name: self.restrict(self.values[name], mask) for name in names}
        flat = mask.reshape(-1)
        positions = (
            np.flatnonzero(flat) if self.positions is None else self.positions[flat]
        )
        return _Env(
            values,
            (positions.size,),
            label=self.label,
            trace=self.trace,
            root=self.root,
            positions=positions,
        )

    def flat_positions(self, bad: _Value) -> npt.NDArray[np.intp]:
        """Flat indices, into the root's shape, of the elements where `bad` holds."""
        local = np.flatnonzero(np.broadcast_to(bad, self.shape))
        return local if self.positions is None else self.positions[local]


def _any(mask: _Value) -> bool:
    """Whether `mask` holds anywhere (quicker than ``.any()`` on numpy scalars)."""
    return bool(mask.any()) if isinstance(mask, np.ndarray) else bool(mask)


def _all(mask: _Value) -> bool:
    """Whether `mask` holds everywhere."""
    return bool(mask.all()) if isinstance(mask, np.ndarray) else bool(mask)


def _run(run: _Run, env: _Env) -> _Value:
    with np.errstate(all="ignore"):
        return run(env)


def _fmt(value: float) -> str:
    return f"{value:g}"


def _report(
    problem: str,
    *,
    shape: tuple[int, ...],
    label: _Label | None,
    flat: npt.NDArray[np.intp],
    shown: Mapping[str, _Value],
) -> InvalidInputError:
    """Build an error naming every item where `problem` happens, with its values."""

    def values_at(position: int) -> str:
        return ", ".join(
            f"{name}={_fmt(float(np.broadcast_to(value, shape).flat[position]))}"
            for name, value in shown.items()
        )

    if not shape:
        where = f" for item {label(0)!r}" if label is not None else ""
        detail = values_at(0)
        return InvalidInputError(
            f"{problem}{where}" + (f" ({detail})" if detail else "")
        )
    items = shape[-1]
    cases = math.prod(shape[:-1])
    hits: dict[int, list[int]] = {}
    for position in flat.tolist():
        hits.setdefault(position % items, []).append(position)
    parts = []
    for item in sorted(hits):
        name = repr(label(item)) if label is not None else f"#{item}"
        details = [values_at(hits[item][0])] if shown else []
        if len(shape) > 1:
            details.append(f"in {len(hits[item])} of {cases} cases")
        detail = "; ".join(details)
        parts.append(f"{name} ({detail})" if detail else name)
    noun = "item" if len(parts) == 1 else "items"
    return InvalidInputError(f"{problem} for {len(parts)} {noun}: " + ", ".join(parts))


def _failure(
    env: _Env, bad: _Value, problem: str, names: Sequence[str]
) -> InvalidInputError:
    root = env.root
    return _report(
        problem,
        shape=root.shape,
        label=root.label,
        flat=env.flat_positions(bad),
        shown={name: root.values[name] for name in names},
    )


# -- compiled nodes ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Node:
    """A compiled sub-expression."""

    run: _Run
    names: tuple[str, ...]
    """Field names it reads, in order of first appearance."""
    text: str
    """Its source text, whitespace collapsed."""
    value: float | None = None
    """Its value, when it reads no field and could be computed at compile time."""


@dataclass(frozen=True, slots=True)
class _Step:
    """One operation of a chain like ``a * b / c``: the operator and its right side."""

    apply: Callable[[_Env, _Value, _Value, _Step], _Value]
    right: _Node
    text: str
    """Source text of the chain up to and including this operation."""
    names: tuple[str, ...]
    """Field names of the chain up to and including this operation."""


def _union(*groups: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for group in groups for name in group))


def _finite(env: _Env, result: _Value, text: str, names: Sequence[str]) -> _Value:
    if not _all(np.isfinite(result)):
        problem = f"`{text}` overflows: the result is too large to represent"
        raise _failure(env, ~np.isfinite(result), problem, names)
    return result


def _nonzero(env: _Env, denominator: _Value, step: _Step) -> None:
    zero = denominator == 0
    if _any(zero):
        problem = f"division by zero in `{step.text}`: `{step.right.text}` is 0"
        raise _failure(env, zero, problem, step.right.names)


def _add(env: _Env, a: _Value, b: _Value, step: _Step) -> _Value:
    return _finite(env, a + b, step.text, step.names)


def _subtract(env: _Env, a: _Value, b: _Value, step: _Step) -> _Value:
    return _finite(env, a - b, step.text, step.names)


def _multiply(env: _Env, a: _Value, b: _Value, step: _Step) -> _Value:
    return _finite(env, a * b, step.text, step.names)


def _divide(env: _Env, a: _Value, b: _Value, step: _Step) -> _Value:
    _nonzero(env, b, step)
    return _finite(env, a / b, step.text, step.names)


def _floor_divide(env: _Env, a: _Value, b: _Value, step: _Step) -> _Value:
    _nonzero(env, b, step)
    return _finite(env, np.floor_divide(a, b), step.text, step.names)


def _modulo(env: _Env, a: _Value, b: _Value, step: _Step) -> _Value:
    _nonzero(env, b, step)
    return _finite(env, np.mod(a, b), step.text, step.names)


_OPERATIONS: Final[
    dict[type[ast.AST], Callable[[_Env, _Value, _Value, _Step], _Value]]
] = {
    ast.Add: _add,
    ast.Sub: _subtract,
    ast.Mult: _multiply,
    ast.Div: _divide,
    ast.FloorDiv: _floor_divide,
    ast.Mod: _modulo,
}


def _fill(env: _Env, out: FloatArray | None, index: Any, value: _Value) -> _Value:
    """Finish a partly decided result: `value` goes to the undecided elements."""
    if out is None:
        return value
    out[index] = value
    return out.reshape(env.shape)


def _branch(env: _Env, truth: _Value, then: _Node, otherwise: _Node) -> _Value:
    """``then`` where `truth` holds, ``otherwise`` elsewhere; each only where needed."""
    if np.ndim(truth) == 0:
        return then.run(env) if truth else otherwise.run(env)
    mask = np.broadcast_to(truth, env.shape)
    if mask.all():
        return then.run(env)
    if not mask.any():
        return otherwise.run(env)
    out = np.empty(env.shape)
    out[mask] = then.run(env.take(mask, then.names))
    inverse = ~mask
    out[inverse] = otherwise.run(env.take(inverse, otherwise.names))
    return out


def _short_circuit(
    env: _Env, operands: Sequence[_Node], names: Sequence[str], *, stop_on_true: bool
) -> _Value:
    """Python's ``and`` (stop at the first false) or ``or`` (first true), masked."""
    current = env
    out: FloatArray | None = None
    index: npt.NDArray[np.intp] | None = None
    for node in operands[:-1]:
        value = node.run(current)
        stop = (value != 0) if stop_on_true else (value == 0)
        if np.ndim(stop) == 0:
            if stop:
                return _fill(env, out, index, value)
            continue
        stop = np.broadcast_to(stop, current.shape)
        if stop.all():
            return _fill(env, out, index, value)
        if not stop.any():
            continue
        flat = stop.reshape(-1)
        if out is None:
            out = np.empty(env.size)
        target = np.flatnonzero(flat) if index is None else index[flat]
        out[target] = np.broadcast_to(value, current.shape).reshape(-1)[flat]
        go = ~stop
        index = np.flatnonzero(go) if index is None else index[go.reshape(-1)]
        current = current.take(go, names)
    return _fill(env, out, index, operands[-1].run(current))


def _chain_compare(
    env: _Env,
    operands: Sequence[_Node],
    tests: Sequence[Callable[[Any, Any], Any]],
    names: Sequence[str],
) -> _Value:
    """Evaluate ``a < b <= c``, each link only where the earlier ones hold."""
    current = env
    out: FloatArray | None = None
    index: npt.NDArray[np.intp] | None = None
    left = operands[0].run(env)
    last = len(tests) - 1
    for k, test in enumerate(tests):
        right = operands[k + 1].run(current)
        holds = test(left, right)
        if np.ndim(holds) == 0:
            if not holds:
                return _fill(env, out, index, np.float64(0.0))
            if k == last:
                return _fill(env, out, index, np.float64(1.0))
            left = right
            continue
        holds = np.broadcast_to(holds, current.shape)
        if k == last:
            return _fill(env, out, index, holds.astype(np.float64))
        if not holds.any():
            return _fill(env, out, index, np.float64(0.0))
        if holds.all():
            left = right
            continue
        flat = holds.reshape(-1)
        if out is None:
            out = np.empty(env.size)
        out[np.flatnonzero(~flat) if index is None else index[~flat]] = 0.0
        left = current.restrict(right, holds)
        index = np.flatnonzero(flat) if index is None else index[flat]
        current = current.take(holds, names)
    raise AssertionError  # pragma: no cover - the loop always returns


def _round_digits(value: _Value, ndigits: int) -> _Value:
    """Python's ``round(x, ndigits)`` (correctly rounded, half to even), vectorised.

    ``np.round`` scales by a power of ten first, which can move a value across
    a rounding boundary (``np.round(2.675, 2)`` is 2.68, Python says 2.67).
    Elements close to a boundary, or too large to scale, are redone with
    Python's `round`.
    """
    if np.ndim(value) == 0:
        return np.float64(round(float(value), ndigits))
    array = np.asarray(value, dtype=np.float64)
    if abs(ndigits) > 22:  # 10**ndigits is no longer exact
        return np.array([round(v, ndigits) for v in array.tolist()])
    scaled = array * 10.0**ndigits if ndigits >= 0 else array / 10.0 ** (-ndigits)
    result = np.round(array, ndigits)
    fraction = np.abs(scaled - np.floor(scaled))
    doubtful = (np.abs(fraction - 0.5) <= 1e-9 * np.maximum(np.abs(scaled), 1.0)) | (
        np.abs(scaled) >= 2.0**52
    )
    for position in np.flatnonzero(doubtful).tolist():
        result.flat[position] = round(float(array.flat[position]), ndigits)
    return result


# -- parsing and compiling ----------------------------------------------------------


def _column(line: str, byte_offset: int) -> int:
    """Character column of a UTF-8 byte offset (what `ast` reports)."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))


def _pointer(text: str, lineno: int, start: int, end: int) -> str:
    """`` (column N):`` plus the source line and a caret line under ``start:end``."""
    lines = text.split("\n")
    lineno = min(max(lineno, 1), len(lines))
    line = lines[lineno - 1]
    start = min(max(start, 0), len(line))
    end = min(max(end, start + 1), max(len(line), start + 1))
    where = f"column {start + 1}"
    if len(lines) > 1:
        where = f"line {lineno}, {where}"
    pad = "".join(c if c == "\t" else " " for c in line[:start])
    return f" ({where}):\n    {line}\n    {pad}{'^' * (end - start)}"


def _locate(text: str, node: ast.AST) -> str:
    lineno = getattr(node, "lineno", 1)
    line = text.split("\n")[lineno - 1]
    start = _column(line, getattr(node, "col_offset", 0))
    if getattr(node, "end_lineno", lineno) == lineno:
        end = _column(line, getattr(node, "end_col_offset", len(line)))
    else:
        end = len(line)
    return _pointer(text, lineno, start, end)


def _suggest(name: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _parse(source: Any, *, max_length: int, max_depth: int) -> tuple[str, ast.expr]:
    """Check the bounds and the syntax; return the stripped text and its tree."""
    if not isinstance(source, str):
        msg = f"source: expected the formula as a string, got {type(source).__name__}"
        raise InvalidInputError(msg)
    if len(source) > max_length:
        msg = (
            f"the formula is {len(source)} characters long; the limit is "
            f"max_length={max_length}"
        )
        raise InvalidInputError(msg)
    text = source.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        msg = "the formula is empty"
        raise InvalidInputError(msg)
    try:
        with warnings.catch_warnings():
            # Invalid escapes and the like warn while parsing; they are errors here.
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        start = (exc.offset or 1) - 1
        end = (
            exc.end_offset - 1 if exc.end_lineno == exc.lineno and exc.end_offset else 0
        )
        msg = f"invalid formula: {exc.msg}" + _pointer(
            text, exc.lineno or 1, start, end
        )
        raise InvalidInputError(msg) from None
    except (RecursionError, MemoryError):
        msg = "the formula is nested too deeply for Python's parser"
        raise InvalidInputError(msg) from None
    except ValueError as exc:  # e.g. characters the parser cannot encode
        msg = f"invalid formula: {exc}"
        raise InvalidInputError(msg) from None
    _check_depth(text, tree.body, max_depth)
    return text, tree.body


def _group(node: ast.AST) -> frozenset[type[ast.AST]] | None:
    """Return the chainable operator group of a binary operation, if any."""
    if isinstance(node, ast.BinOp):
        for group in (_ADDITIVE, _MULTIPLICATIVE):
            if type(node.op) in group:
                return group
    return None


def _chain(node: ast.BinOp) -> tuple[ast.expr, list[ast.BinOp]]:
    """Flatten ``a - b + c`` (left-nested, one precedence level) into its steps."""
    group = _group(node)
    spine = [node]
    left = node.left
    while isinstance(left, ast.BinOp) and _group(left) is group:
        spine.append(left)
        left = left.left
    spine.reverse()
    return left, spine


def _children(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp) and _group(node) is not None:
        first, spine = _chain(node)
        return [first, *(step.right for step in spine)]
    return [
        child for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr)
    ]


def _check_depth(text: str, root: ast.expr, max_depth: int) -> None:
    """Reject trees deeper than `max_depth`, without recursion.

    A chain of one precedence level (``a + b - c + d``) counts as one level,
    so long sums stay legal.
    """
    stack: list[tuple[ast.AST, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            msg = (
                f"the formula is nested more than max_depth={max_depth} levels deep"
                + _locate(text, node)
            )
            raise InvalidInputError(msg)
        stack.extend((child, depth + 1) for child in _children(node))


class _Compiler:
    """Turn a checked tree into `_Node` closures, rejecting what is not allowed."""

    def __init__(
        self,
        text: str,
        *,
        known: Collection[str] | None,
        max_exponent: float,
        traced: bool = False,
    ) -> None:
        self.text = text
        self.known = known
        self.max_exponent = max_exponent
        self.traced = traced
        self.seen: list[tuple[int, int, str]] = []
        self.lines = [line.encode("utf-8") for line in text.split("\n")]

    # -- helpers

    def error(self, node: ast.AST, what: str) -> InvalidInputError:
        return InvalidInputError(what + _locate(self.text, node))

    def source(self, node: ast.expr) -> str:
        """Return the source text of `node`, whitespace collapsed."""
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        end = node.end_col_offset
        if first == last:
            segment = self.lines[first][node.col_offset : end]
        else:
            middle = self.lines[first + 1 : last]
            segment = b" ".join(
                [self.lines[first][node.col_offset :], *middle, self.lines[last][:end]]
            )
        return " ".join(segment.decode("utf-8").split())

    def node(self, run: _Run, names: tuple[str, ...], text: str) -> _Node:
        if not self.traced:
            return _Node(run, names, text)

        def recorded(env: _Env) -> _Value:
            value = run(env)
            if env.trace is not None:
                env.trace[text] = float(value)
            return value

        return _Node(recorded, names, text)

    def constant(self, value: float, text: str) -> _Node:
        number = np.float64(value)
        return _Node(lambda _env: number, (), text, float(number))

    # -- entry point

    def compile(self, node: ast.expr, *, conditional: bool = False) -> _Node:
        """Compile `node`; `conditional` when it runs only for some items."""
        compiled = self.dispatch(node, conditional=conditional)
        if compiled.names or compiled.value is not None:
            return compiled
        try:
            value = float(_run(compiled.run, _Env({}, ())))
        except InvalidInputError as exc:
            if conditional:  # it may never be reached: leave it to run time
                return compiled
            raise self.error(node, str(exc)) from None
        return self.constant(value, compiled.text)

    def dispatch(self, node: ast.expr, *, conditional: bool) -> _Node:
        if isinstance(node, ast.Constant):
            return self.literal(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, conditional=conditional)
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                return self.power(node, conditional=conditional)
            return self.arithmetic(node, conditional=conditional)
        if isinstance(node, ast.BoolOp):
            return self.boolean(node, conditional=conditional)
        if isinstance(node, ast.Compare):
            return self.comparison(node, conditional=conditional)
        if isinstance(node, ast.IfExp):
            return self.if_else(node, conditional=conditional)
        if isinstance(node, ast.Call):
            return self.call(node, conditional=conditional)
        what = _CONSTRUCTS.get(type(node), f"a {type(node).__name__} expression")
        raise self.error(node, f"{what} is not allowed in a formula; use {_ALLOWED}")

    # -- leaves

    def literal(self, node: ast.Constant) -> _Node:
        value = node.value
        if isinstance(value, bool):
            what = "True and False are not allowed: write 1 or 0"
        elif isinstance(value, int | float):
            try:
                number = float(value)
            except OverflowError:
                number = math.inf
            if math.isfinite(number):
                return self.constant(number, self.source(node))
            what = "the number is too large"
        elif isinstance(value, complex):
            what = "complex numbers are not allowed"
        elif isinstance(value, str | bytes):
            what = "strings are not allowed in a formula"
        else:
            what = f"{value!r} is not allowed in a formula"
        raise self.error(node, what)

    def name(self, node: ast.Name) -> _Node:
        name = node.id
        if name.startswith("_"):
            raise self.error(node, f"names starting with '_' are not allowed: {name!r}")
        if name in _ARITY:
            what = f"{name!r} is a function: call it, as in {name}(x)"
            raise self.error(node, what)
        if self.known is not None and name not in self.known:
            known = ", ".join(sorted(self.known))
            what = f"unknown name {name!r}{_suggest(name, self.known)} (known: {known})"
            raise self.error(node, what)
        self.seen.append((node.lineno, node.col_offset, name))

        def run(env: _Env) -> _Value:
            return env.values[name]

        return self.node(run, (name,), name)

    # -- operators

    def unary(self, node: ast.UnaryOp, *, conditional: bool) -> _Node:
        operand = self.compile(node.operand, conditional=conditional)
        inner = operand.run
        run: _Run
        if isinstance(node.op, ast.USub):
            run = lambda env: -inner(env)  # noqa: E731
        elif isinstance(node.op, ast.UAdd):
            run = inner
        elif isinstance(node.op, ast.Not):
            run = lambda env: (inner(env) == 0).astype(np.float64)  # noqa: E731
        else:
            raise self.error(node, "the operator '~' is not allowed in a formula")
        return self.node(run, operand.names, self.source(node))

    def arithmetic(self, node: ast.BinOp, *, conditional: bool) -> _Node:
        if _group(node) is None:
            symbol = _SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise self.error(
                node, f"the operator {symbol!r} is not allowed in a formula"
            )
        first_ast, spine = _chain(node)
        first = self.compile(first_ast, conditional=conditional)
        names = first.names
        steps = []
        for binop in spine:
            right = self.compile(binop.right, conditional=conditional)
            if type(binop.op) in _DIVISIONS and right.value == 0 and not conditional:
                what = f"division by zero: `{right.text}` is 0"
                raise self.error(binop.right, what)
            names = _union(names, right.names)
            operation = _OPERATIONS[type(binop.op)]
            steps.append(_Step(operation, right, self.source(binop), names))
        start = first.run
        traced = self.traced

        def run(env: _Env) -> _Value:
            value = start(env)
            for step in steps:
                value = step.apply(env, value, step.right.run(env), step)
                if traced and env.trace is not None:
                    env.trace[step.text] = float(value)
            return value

        return _Node(run, names, self.source(node))

    def power(self, node: ast.BinOp, *, conditional: bool) -> _Node:
        base = self.compile(node.left, conditional=conditional)
        exponent = self.compile(node.right, conditional=conditional)
        limit = self.max_exponent
        if exponent.value is not None and abs(exponent.value) > limit:
            what = (
                f"the exponent {_fmt(exponent.value)} is outside "
                f"[-{_fmt(limit)}, {_fmt(limit)}] (max_exponent)"
            )
            raise self.error(node.right, what)
        text = self.source(node)
        names = _union(base.names, exponent.names)

        def run(env: _Env) -> _Value:
            a = base.run(env)
            b = exponent.run(env)
            big = np.abs(b) > limit
            if _any(big):
                problem = (
                    f"the exponent `{exponent.text}` in `{text}` is outside "
                    f"[-{_fmt(limit)}, {_fmt(limit)}] (max_exponent)"
                )
                raise _failure(env, big, problem, exponent.names)
            zero = (a == 0) & (b < 0)
            if _any(zero):
                problem = f"zero raised to a negative power in `{text}`"
                raise _failure(env, zero, problem, names)
            complex_ = (a < 0) & (b != np.floor(b))
            if _any(complex_):
                problem = (
                    f"a negative number raised to a fractional power in `{text}` "
                    "(the result would be complex)"
                )
                raise _failure(env, complex_, problem, names)
            if np.ndim(a) == 0 and np.ndim(b) == 0:
                try:  # Python's float power, for the same numbers as Python
                    result: _Value = np.float64(float(a) ** float(b))
                except OverflowError:
                    result = np.float64(np.inf)
            else:
                result = np.power(a, b)
            return _finite(env, result, text, names)

        return self.node(run, names, text)

    def boolean(self, node: ast.BoolOp, *, conditional: bool) -> _Node:
        operands = [
            self.compile(value, conditional=conditional or position > 0)
            for position, value in enumerate(node.values)
        ]
        names = _union(*(operand.names for operand in operands))
        stop_on_true = isinstance(node.op, ast.Or)

        def run(env: _Env) -> _Value:
            return _short_circuit(env, operands, names, stop_on_true=stop_on_true)

        return self.node(run, names, self.source(node))

    def comparison(self, node: ast.Compare, *, conditional: bool) -> _Node:
        tests = []
        for op in node.ops:
            if type(op) not in _COMPARISONS:
                symbol = _SYMBOLS.get(type(op), type(op).__name__)
                what = f"the operator {symbol!r} is not allowed in a formula"
                raise self.error(node, what)
            tests.append(_COMPARISONS[type(op)])
        operands = [
            self.compile(value, conditional=conditional or position > 1)
            for position, value in enumerate([node.left, *node.comparators])
        ]
        names = _union(*(operand.names for operand in operands))

        def run(env: _Env) -> _Value:
            return _chain_compare(env, operands, tests, names)

        return self.node(run, names, self.source(node))

    def if_else(self, node: ast.IfExp, *, conditional: bool) -> _Node:
        test = self.compile(node.test, conditional=conditional)
        then = self.compile(node.body, conditional=True)
        otherwise = self.compile(node.orelse, conditional=True)
        names = _union(then.names, test.names, otherwise.names)

        def run(env: _Env) -> _Value:
            return _branch(env, test.run(env) != 0, then, otherwise)

        return self.node(run, names, self.source(node))

    # -- functions

    def call(self, node: ast.Call, *, conditional: bool) -> _Node:
        func = node.func
        if not isinstance(func, ast.Name):
            what = f"only the functions {', '.join(FUNCTIONS)} can be called"
            raise self.error(func, what)
        if func.id not in _ARITY:
            what = (
                f"unknown function {func.id!r}{_suggest(func.id, FUNCTIONS)} "
                f"(functions: {', '.join(FUNCTIONS)})"
            )
            raise self.error(func, what)
        if node.keywords:
            what = f"keyword arguments are not allowed: call {func.id}() with positions"
            raise self.error(node.keywords[0], what)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.error(
                    arg, "a starred expression is not allowed in a formula"
                )
        low, high = _ARITY[func.id]
        count = len(node.args)
        if count < low or (high is not None and count > high):
            expected = f"at least {low}" if high is None else f"{low}"
            if high is not None and high != low:
                expected = f"{low} or {high}"
            noun = "argument" if expected == "1" else "arguments"
            what = f"{func.id}() takes {expected} {noun}, got {count}"
            raise self.error(node, what)
        args = [self.compile(arg, conditional=conditional) for arg in node.args]
        text = self.source(node)
        build = getattr(self, f"function_{func.id}")
        run: _Run = build(node, args, text)
        return self.node(run, _union(*(arg.names for arg in args)), text)

    def function_abs(self, _node: ast.Call, args: list[_Node], _text: str) -> _Run:
        inner = args[0].run
        return lambda env: np.abs(inner(env))

    def function_min(self, _node: ast.Call, args: list[_Node], _text: str) -> _Run:
        runs = [arg.run for arg in args]
        return lambda env: functools.reduce(np.minimum, [run(env) for run in runs])

    def function_max(self, _node: ast.Call, args: list[_Node], _text: str) -> _Run:
        runs = [arg.run for arg in args]
        return lambda env: functools.reduce(np.maximum, [run(env) for run in runs])

    def function_sqrt(self, _node: ast.Call, args: list[_Node], text: str) -> _Run:
        argument = args[0]

        def run(env: _Env) -> _Value:
            x = argument.run(env)
            negative = x < 0
            if _any(negative):
                problem = f"square root of a negative number in `{text}`"
                raise _failure(env, negative, problem, argument.names)
            return np.sqrt(x)

        return run

    def function_log(self, _node: ast.Call, args: list[_Node], text: str) -> _Run:
        argument = args[0]
        base = args[1] if len(args) > 1 else None

        def logarithm(x: _Value) -> _Value:
            if np.ndim(x) == 0:  # Python's math.log, for the same numbers
                return np.float64(math.log(float(x)))
            return np.log(x)

        def run(env: _Env) -> _Value:
            x = argument.run(env)
            b: _Value = 0.0 if base is None else base.run(env)  # Python's order
            nonpositive = x <= 0
            if _any(nonpositive):
                problem = f"logarithm of a number <= 0 in `{text}`"
                raise _failure(env, nonpositive, problem, argument.names)
            if base is None:
                return logarithm(x)
            bad_base = (b <= 0) | (b == 1)
            if _any(bad_base):
                problem = f"the base `{base.text}` in `{text}` must be > 0 and not 1"
                raise _failure(env, bad_base, problem, base.names)
            return _finite(env, logarithm(x) / logarithm(b), text, argument.names)

        return run

    def function_round(self, node: ast.Call, args: list[_Node], _text: str) -> _Run:
        argument = args[0]
        inner = argument.run
        if len(args) == 1:

            def whole(env: _Env) -> _Value:
                x = inner(env)
                if np.ndim(x) == 0:
                    return np.float64(round(float(x)))
                return np.rint(x)

            return whole
        digits = args[1].value
        if digits is None or digits != int(digits):
            what = "round(): ndigits must be a constant whole number"
            raise self.error(node.args[1], what)
        # Beyond 400 digits either way, rounding keeps every float or none.
        ndigits = max(-400, min(400, int(digits)))
        return lambda env: _round_digits(inner(env), ndigits)


def _compile(
    source: str,
    *,
    names: Collection[str] | None,
    max_length: int,
    max_depth: int,
    max_exponent: float,
    traced: bool = False,
) -> tuple[_Node, tuple[str, ...]]:
    text, tree = _parse(source, max_length=max_length, max_depth=max_depth)
    compiler = _Compiler(text, known=names, max_exponent=max_exponent, traced=traced)
    node = compiler.compile(tree)
    order = tuple(dict.fromkeys(name for *_, name in sorted(compiler.seen)))
    return node, order


def _check_limits(max_length: Any, max_depth: Any, max_exponent: Any) -> None:
    problems = []
    if (
        isinstance(max_length, bool)
        or not isinstance(max_length, int)
        or max_length < 1
    ):
        problems.append(f"max_length: expected a whole number >= 1, got {max_length!r}")
    if (
        isinstance(max_depth, bool)
        or not isinstance(max_depth, int)
        or not 1 <= max_depth <= DEPTH_LIMIT
    ):
        problems.append(
            f"max_depth: expected a whole number from 1 to {DEPTH_LIMIT}, "
            f"got {max_depth!r}"
        )
    if (
        isinstance(max_exponent, bool)
        or not isinstance(max_exponent, int | float)
        or not math.isfinite(max_exponent)
        or max_exponent <= 0
    ):
        problems.append(f"max_exponent: expected a number > 0, got {max_exponent!r}")
    if problems:
        raise InvalidInputError("; ".join(problems))


def _unknown_values(given: Collection[str], names: Sequence[str], what: str) -> None:
    unknown = [name for name in given if name not in names]
    if unknown:
        shown = ", ".join(f"{name!r}{_suggest(name, names)}" for name in unknown)
        uses = ", ".join(names) or "no fields"
        msg = f"{what}: the formula does not use {shown} (it uses {uses})"
        raise InvalidInputError(msg)


# -- reading items ------------------------------------------------------------------


def _read(
    items: Any, names: Sequence[str]
) -> tuple[int, _Label, dict[str, FloatArray]]:
    """Read the fields `names` of every item: count, labels and one array each.

    Raises
    ------
    InvalidInputError
        Listing every item without a value for a field, or with a value that is
        not a finite number.
    """
    table = columns(items, names)
    if table.incomplete().any():
        msg = (
            f"missing values: {table.missing_message()}; pass params= (or keywords) "
            "for names the items do not carry"
        )
        raise InvalidInputError(msg)
    values = {name: table.values[name] for name in names}
    return len(table), table.labels.__getitem__, values


def _scalar(name: str, value: Any) -> np.float64:
    """Check one finite number given by keyword."""
    if type(value) is float and math.isfinite(value):  # the common case, quickly
        return np.float64(value)
    if type(value) is int:
        try:
            return _scalar(name, float(value))
        except OverflowError:
            msg = f"{name}: {value} is too large for a float"
            raise InvalidInputError(msg) from None
    try:
        array = numbers(name, value)
    except OverflowError:
        msg = f"{name}: the number is too large for a float"
        raise InvalidInputError(msg) from None
    if array.ndim:
        msg = f"{name}: expected one number; use evaluate() for many items"
        raise InvalidInputError(msg)
    return np.float64(array)


def _param(name: str, value: Any, size: int, label: _Label) -> FloatArray:
    """Check a value of `params`: one number, or one finite number per item."""
    try:
        array = numbers(f"params[{name!r}]", value)
    except InvalidInputError:
        if np.ndim(value) != 1 or len(value) != size:
            raise
        labels = [label(position) for position in range(size)]  # name the items
        numbers(f"params[{name!r}]", value, labels=labels)
        raise
    if array.ndim == 1 and array.size != size:
        msg = (
            f"params[{name!r}]: {array.size} values for {size} items; "
            "give one number, or one per item"
        )
        raise InvalidInputError(msg)
    return array


def _rebuild(source: str, max_exponent: float) -> Formula:
    """Unpickle a formula: compile its source again."""
    return Formula(
        source,
        max_length=max(len(source), 1),
        max_depth=DEPTH_LIMIT,
        max_exponent=max_exponent,
    )


@dataclass(frozen=True, slots=True, init=False, repr=False)
class Formula:
    """A compiled formula: a function of the named fields of an item.

    Create one with `formula` (or ``Formula(source, ...)``, which takes the same
    arguments). Call it on one item, `evaluate` it on many, or ask it to
    `explain` its arithmetic. Formulas are immutable and hashable; two are
    equal when their source and `max_exponent` are.

    Attributes
    ----------
    source : str
        The formula as written.
    names : tuple of str
        The field names it reads, in order of first appearance.
    max_exponent : float
        The largest magnitude an exponent of ``**`` may have.

    Examples
    --------
    >>> import productops as po
    >>> rice = po.scoring.formula("reach * impact * confidence / effort")
    >>> rice
    Formula('reach * impact * confidence / effort')
    >>> rice.names
    ('reach', 'impact', 'confidence', 'effort')
    >>> rice(reach=450, impact=3, confidence=1.0, effort=2)
    675.0
    """

    source: str
    names: tuple[str, ...]
    max_exponent: float
    _node: _Node = field(compare=False)

    def __init__(
        self,
        source: str,
        *,
        names: Collection[str] | None = None,
        max_length: int = 1000,
        max_depth: int = 32,
        max_exponent: float = 100,
    ) -> None:
        _check_limits(max_length, max_depth, max_exponent)
        if names is not None:
            given: frozenset[Any] = frozenset(names)
            bad = sorted(repr(n) for n in given if not isinstance(n, str))
            names = given
            if bad:
                msg = f"names: expected strings, got {', '.join(bad)}"
                raise InvalidInputError(msg)
        node, order = _compile(
            source,
            names=names,
            max_length=max_length,
            max_depth=max_depth,
            max_exponent=float(max_exponent),
        )
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "names", order)
        object.__setattr__(self, "max_exponent", float(max_exponent))
        object.__setattr__(self, "_node", node)

    def __repr__(self) -> str:
        return f"Formula({self.source!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.source, self.max_exponent))

    def __call__(self, item: Any = None, /, **values: float) -> float:
        """Evaluate the formula for one item.

        Parameters
        ----------
        item : object, optional
            A record with the fields as attributes (an `Initiative`), or a
            mapping of field names to numbers.
        **values : float
            Values for fields by name; they override the item's fields.

        Returns
        -------
        float
            The formula's value, computed as Python computes it on floats.

        Raises
        ------
        InvalidInputError
            If a field is missing or not a finite number, a keyword names no
            field of the formula, or the arithmetic fails (division by zero,
            ``log`` of a number <= 0, overflow...).

        Examples
        --------
        >>> import productops as po
        >>> rice = po.scoring.formula("reach * impact * confidence / effort")
        >>> rice({"reach": 2000, "impact": 1, "confidence": 0.8, "effort": 4})
        400.0
        >>> rice({"reach": 2000, "impact": 1, "confidence": 0.8, "effort": 4}, effort=8)
        200.0
        """
        return float(_run(self._node.run, self._scalar_env(item, values)))

    def evaluate(
        self, items: Any, *, params: Mapping[str, npt.ArrayLike] | None = None
    ) -> FloatArray:
        """Evaluate the formula for many items at once.

        Parameters
        ----------
        items : sequence, mapping of columns or DataFrame
            Records with the fields as attributes (`Initiative`), mappings
            (JSON rows), a mapping of column names to sequences, or a pandas
            DataFrame. Items are named in errors by their ``key``, else by
            position (``'#3'``).
        params : mapping of str to number or sequence, optional
            Values for names the items do not carry (weights, constants): a
            number for every item, or one number per item. A name given here
            is not read from the items.

        Returns
        -------
        numpy.ndarray
            One float per item, in order; empty for no items.

        Raises
        ------
        InvalidInputError
            Listing every item that lacks a field the formula reads (pass it in
            `params` if the items do not carry it), every value that is not a
            finite number, or every item where the arithmetic fails.

        Examples
        --------
        >>> import productops as po
        >>> score = po.scoring.formula("w * reach / effort if effort > 0 else 0")
        >>> items = [{"key": "A", "reach": 100, "effort": 2},
        ...          {"key": "B", "reach": 50, "effort": 0}]
        >>> score.evaluate(items, params={"w": 1.5})
        array([75.,  0.])
        """
        if items is None:
            msg = (
                "items: expected records, mappings, a mapping of columns or a DataFrame"
            )
            raise InvalidInputError(msg)
        given = {} if params is None else dict(params)
        _unknown_values(given, self.names, "params")
        read = [name for name in self.names if name not in given]
        size, label, values = _read(items, read)
        arrays: dict[str, _Value] = dict(values)
        for name, value in given.items():
            array = _param(name, value, size, label)
            arrays[name] = array if array.ndim else np.float64(array)
        env = _Env(arrays, (size,), label=label)
        return np.array(np.broadcast_to(_run(self._node.run, env), (size,)))

    def evaluate_arrays(
        self,
        values: Mapping[str, npt.ArrayLike],
        *,
        labels: Sequence[str] | None = None,
    ) -> FloatArray:
        """Evaluate the formula on arrays of field values (the low-level path).

        Parameters
        ----------
        values : mapping of str to array-like
            One array (or number) per field the formula reads; arrays of any
            shapes that broadcast together, e.g. ``(trials, items)`` samples
            next to ``(items,)`` constants. Other keys are ignored.
        labels : sequence of str, optional
            Names of the items along the LAST axis, used in error messages
            (default ``#position``).

        Returns
        -------
        numpy.ndarray
            The formula's value for every element of the broadcast shape.

        Raises
        ------
        InvalidInputError
            If a field has no array, a value is not a finite number, the shapes
            do not broadcast, `labels` does not match the last axis, or the
            arithmetic fails somewhere (naming every item concerned).

        Examples
        --------
        >>> import numpy as np
        >>> import productops as po
        >>> ratio = po.scoring.formula("value / size")
        >>> samples = {"value": np.array([[8.0, 3.0], [4.0, 6.0]]), "size": [2.0, 3.0]}
        >>> ratio.evaluate_arrays(samples)
        array([[4., 1.],
               [2., 2.]])
        """
        missing = [name for name in self.names if name not in values]
        if missing:
            msg = f"values: no array for {', '.join(map(repr, missing))}"
            raise InvalidInputError(msg)
        arrays = {name: self._array(name, values[name], labels) for name in self.names}
        try:
            shape = np.broadcast_shapes(*(np.shape(a) for a in arrays.values()))
        except ValueError:
            shapes = ", ".join(f"{n} {np.shape(a)}" for n, a in arrays.items())
            msg = f"values: shapes do not broadcast together: {shapes}"
            raise InvalidInputError(msg) from None
        if labels is not None and shape and len(labels) != shape[-1]:
            msg = f"labels: {len(labels)} labels for {shape[-1]} items (the last axis)"
            raise InvalidInputError(msg)
        label = labels.__getitem__ if labels is not None and shape else None
        env = _Env(arrays, shape, label=label)
        return np.array(np.broadcast_to(_run(self._node.run, env), shape))

    def explain(self, item: Any = None, /, **values: float) -> dict[str, float]:
        """Show the value of every sub-expression for one item.

        Takes the same arguments as calling the formula.

        Parameters
        ----------
        item : object, optional
            A record or a mapping, as for calling the formula.
        **values : float
            Values for fields by name; they override the item's fields.

        Returns
        -------
        dict of str to float
            Source text of each field and sub-expression evaluated, mapped to
            its value, in evaluation order; the last entry is the whole
            formula. Branches not taken do not appear; constant parts are
            folded into their result.

        Raises
        ------
        InvalidInputError
            As calling the formula does.

        Examples
        --------
        >>> import productops as po
        >>> rice = po.scoring.formula("reach * impact * confidence / effort")
        >>> for text, value in rice.explain(reach=450, impact=3, confidence=1,
        ...                                 effort=2).items():
        ...     print(f"{text} = {value:g}")
        reach = 450
        impact = 3
        reach * impact = 1350
        confidence = 1
        reach * impact * confidence = 1350
        effort = 2
        reach * impact * confidence / effort = 675
        """
        node, _ = _compile(
            self.source,
            names=None,
            max_length=max(len(self.source), 1),
            max_depth=DEPTH_LIMIT,
            max_exponent=self.max_exponent,
            traced=True,
        )
        env = self._scalar_env(item, values)
        trace: dict[str, float] = {}
        env.trace = trace
        result = float(_run(node.run, env))
        trace.pop(node.text, None)
        trace[node.text] = result
        return trace

    # -- input

    def _scalar_env(self, item: Any, values: Mapping[str, Any]) -> _Env:
        _unknown_values(values, self.names, "keywords")
        read = [name for name in self.names if name not in values]
        env_values: dict[str, _Value] = {}
        label: _Label | None = None
        if item is not None:
            _, row_label, arrays = _read([item], read)
            env_values = {name: np.float64(arrays[name][0]) for name in read}
            if row_label(0) != "#0":
                label = row_label
        elif read:
            msg = (
                f"missing values for {', '.join(map(repr, read))}: pass an item "
                "or keyword values"
            )
            raise InvalidInputError(msg)
        for name, value in values.items():
            env_values[name] = _scalar(name, value)
        return _Env(env_values, (), label=label)

    @staticmethod
    def _array(name: str, value: Any, labels: Sequence[str] | None) -> _Value:
        if isinstance(value, bool) or (
            isinstance(value, np.ndarray) and value.dtype == np.bool_
        ):
            msg = f"{name}: expected numbers, got booleans"
            raise InvalidInputError(msg)
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            msg = f"{name}: expected numbers, got {type(value).__name__}"
            raise InvalidInputError(msg) from None
        bad = ~np.isfinite(array)
        if bad.any():
            fits = labels is not None and array.ndim and array.shape[-1] == len(labels)
            msg = f"{name}: not a finite number"
            raise _report(
                msg,
                shape=array.shape,
                label=labels.__getitem__ if labels is not None and fits else None,
                flat=np.flatnonzero(bad),
                shown={name: array},
            )
        return array if array.ndim else np.float64(array)


def formula(
    source: str,
    *,
    names: Collection[str] | None = None,
    max_length: int = 1000,
    max_depth: int = 32,
    max_exponent: float = 100,
) -> Formula:
    """Compile a user-written scoring formula.

    The formula is a Python-like expression over field names: numbers,
    ``+ - * / // % **``, comparisons (chained, giving 1.0 or 0.0), ``and``,
    ``or``, ``not``, ``a if condition else b`` and the functions ``min``,
    ``max``, ``abs``, ``log`` (natural, or ``log(x, base)``), ``sqrt`` and
    ``round`` (half to even, like Python's: ``round(2.5)`` is 2). Zero is
    false and any other number true. Nothing else is accepted, and the text is
    never given to `eval`.

    Parameters
    ----------
    source : str
        The formula, e.g. ``"reach * impact * confidence / effort"``.
        Surrounding whitespace is ignored; inside parentheses it may span lines.
    names : collection of str, optional
        The field names the formula may use (e.g. ``Initiative.model_fields``).
        An unknown name is then an error at once, with the closest known name
        suggested; without it, unknown names are found at evaluation.
    max_length : int, default 1000
        The longest source accepted, checked before parsing.
    max_depth : int, default 32
        The deepest nesting accepted (at most 100). A chain of operators of one
        precedence, like ``a + b - c + d``, counts as one level.
    max_exponent : float, default 100
        The largest magnitude an exponent may have: checked now when it is a
        constant, at evaluation otherwise.

    Returns
    -------
    Formula
        Callable on one item; `Formula.evaluate` scores many items at once.

    Raises
    ------
    InvalidInputError
        If the source is too long, too deep, not valid syntax, uses a
        construct, operator, function or name that is not allowed, or has a
        constant part that cannot be computed (``x / 0``, ``2 ** 1000``). The
        message points at the offending part with a caret.

    See Also
    --------
    Formula : the compiled formula, its `evaluate` and `explain` methods.

    Notes
    -----
    ``and`` and ``or`` return one of their operands, as in Python. The branches
    of ``if``/``else``, the right operands of ``and``/``or`` and the later links
    of a comparison chain are only evaluated for the items that reach them.
    ``True`` and ``False`` are not accepted (write 1 or 0), and `round` takes a
    constant ``ndigits``. The text is parsed with the standard library's `ast`
    module (Python Software Foundation, "ast - Abstract Syntax Trees", Python 3
    documentation, https://docs.python.org/3/library/ast.html) and checked
    node by node against a whitelist. Formula fields of this kind are what
    product tools offer: Productboard, "Formulas" (2022),
    https://support.productboard.com/hc/en-us/articles/4607447362963, and
    Atlassian, "Expression-based formulas", Jira Product Discovery
    documentation (2024),
    https://support.atlassian.com/jira-product-discovery/docs/expression-based-formulas/.

    References
    ----------
    .. [1] S. McBride, "RICE: Simple prioritization for product managers",
       Intercom blog, 2016,
       https://www.intercom.com/blog/rice-simple-prioritization-for-product-managers/

    Examples
    --------
    The RICE score of Intercom's project 1 [1]_:

    >>> import productops as po
    >>> rice = po.scoring.formula("reach * impact * confidence / effort")
    >>> rice(reach=450, impact=3, confidence=1.0, effort=2)
    675.0

    Hostile or mistaken input fails with a pointer to the problem:

    >>> po.scoring.formula("reach.__class__")
    Traceback (most recent call last):
    ...
    productops.errors.InvalidInputError: attribute access is not allowed ...
    """
    return Formula(
        source,
        names=names,
        max_length=max_length,
        max_depth=max_depth,
        max_exponent=max_exponent,
    )
