"""An exact decimal column for pandas: the dtype of every money, rate and percentage column.

``DecimalDtype`` (``str(dtype) == "decimal"``) is a pandas extension type whose values are
``decimal.Decimal`` (missing values are ``pd.NA``). Unlike Arrow ``decimal128`` it supports every
operation an analyst reaches for, each computed with ``Decimal`` arithmetic:

* ``+``, ``-``, unary ``-``, ``abs``, multiplication by an ``int``/``Decimal`` (and division,
  at ``decimal``'s 28 significant digits), comparisons (giving pandas' nullable ``boolean``);
* ``sum``, ``min``, ``max``, ``mean``, ``median``, ``std``, ``var``, ``quantile`` and ``cumsum``,
  ``cummin``, ``cummax``;
* ``groupby(...).sum()`` (and ``min``, ``max``, ``mean``, ``cumsum``, ...), ``sort_values``,
  ``value_counts``, ``merge``, ``pd.concat``.

Sums, differences and multiples by whole numbers are exact whatever their size. ``mean``,
``std``, ``var`` and ``quantile`` are statistics: ``Decimal`` arithmetic at 28 significant
digits. ``describe()`` gives pandas' ``Float64`` summary (pandas makes every numeric summary
a float column); the column itself, and the data it summarises, stay ``Decimal``.

A ``float`` is never turned into money here: mixing one with a column (``df.gap * 1.5``,
``df.gap + 0.1``) raises ``TypeError``; convert it yourself (``Decimal("1.5")``) to say how.
``astype(float)`` is allowed when asked for (for charts).
"""

from __future__ import annotations

import builtins
import decimal
import operator
from decimal import Decimal
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray, ExtensionDtype, register_extension_dtype, take
from pandas.api.indexers import check_array_indexer

__all__ = ["DecimalDtype", "DecimalArray"]


@register_extension_dtype
class DecimalDtype(ExtensionDtype):  # type: ignore[misc]
    """Exact decimals (``decimal.Decimal``); missing values are ``pd.NA``."""

    name = "decimal"
    type = Decimal
    kind = "O"
    na_value = pd.NA
    _is_numeric = True

    @classmethod
    def construct_array_type(cls) -> "builtins.type[DecimalArray]":
        return DecimalArray

    @classmethod
    def construct_from_string(cls, string: str) -> "DecimalDtype":
        if string == cls.name:
            return cls()
        raise TypeError(f"Cannot construct a 'DecimalDtype' from '{string}'")

    def __repr__(self) -> str:
        return "DecimalDtype()"

    def __from_arrow__(self, array: Any) -> "DecimalArray":
        """From an Arrow ``decimal128``/``decimal256`` array (``pd.read_parquet``, pyarrow tables)."""
        return DecimalArray._from_sequence(array.to_pylist())


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, Decimal) and value.is_nan()


def _to_decimal(value: Any) -> Optional[Decimal]:
    """A cell of a decimal column: exact values only (a float is refused, never rounded)."""
    if _is_missing(value):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or isinstance(value, np.bool_):
        raise TypeError(f"a decimal column holds numbers, not {value!r}")
    if isinstance(value, (int, np.integer)):
        return Decimal(int(value))
    if isinstance(value, str):
        try:
            return Decimal(value)
        except decimal.InvalidOperation:
            raise ValueError(f"not a decimal: {value!r}") from None
    if isinstance(value, (float, np.floating)):
        raise TypeError(
            f"a float ({value!r}) is not exact money: give a Decimal or an int, "
            "or convert the float yourself to say how it is rounded"
        )
    raise TypeError(f"a decimal column cannot hold {type(value).__name__} {value!r}")


def _object_array(values: Iterable[Any]) -> np.ndarray:
    items = values if isinstance(values, list) else list(values)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


class DecimalArray(ExtensionArray):  # type: ignore[misc]
    """The values of a :class:`DecimalDtype` column: ``Decimal`` or ``None`` (missing) in an object array."""

    _dtype = DecimalDtype()
    __array_priority__ = 1000

    def __init__(self, values: np.ndarray, copy: bool = False) -> None:
        # `values` is an object array of Decimal or None (see _from_sequence for anything else).
        self._data = values.copy() if copy else values

    # ----- construction ---------------------------------------------------------------------

    @classmethod
    def _from_sequence(cls, scalars: Any, *, dtype: Any = None, copy: bool = False) -> "DecimalArray":
        if isinstance(scalars, DecimalArray):
            return scalars.copy() if copy else scalars
        return cls(_object_array(_to_decimal(v) for v in scalars))

    @classmethod
    def _from_decimals(cls, values: List[Optional[Decimal]]) -> "DecimalArray":
        """From values that are already ``Decimal`` or ``None`` (the core's columns): no checks."""
        return cls(_object_array(values))

    @classmethod
    def _from_sequence_of_strings(cls, strings: Any, *, dtype: Any = None, copy: bool = False) -> "DecimalArray":
        return cls._from_sequence(strings)

    @classmethod
    def _from_factorized(cls, values: np.ndarray, original: "DecimalArray") -> "DecimalArray":
        return cls(_object_array(values))

    @classmethod
    def _concat_same_type(cls, to_concat: Sequence["DecimalArray"]) -> "DecimalArray":
        return cls(np.concatenate([a._data for a in to_concat]) if to_concat else _object_array([]))

    # ----- the array protocol ---------------------------------------------------------------

    @property
    def dtype(self) -> DecimalDtype:
        return self._dtype

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes) + sum(int(v.__sizeof__()) for v in self._data if v is not None)

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, (int, np.integer)):
            value = self._data[item]
            return pd.NA if value is None else value
        item = check_array_indexer(self, item)
        return type(self)(self._data[item])

    def __setitem__(self, key: Any, value: Any) -> None:
        key = check_array_indexer(self, key)
        if pd.api.types.is_list_like(value) and not isinstance(value, (str, Decimal)):
            self._data[key] = _object_array(_to_decimal(v) for v in value)
        else:
            self._data[key] = _to_decimal(value)

    def __iter__(self) -> Any:
        for value in self._data:
            yield pd.NA if value is None else value

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if dtype is None or np.dtype(dtype) == object:
            return _object_array(pd.NA if v is None else v for v in self._data)
        # An explicit numeric conversion (astype(float) for a chart): asked for, so allowed.
        return np.array([np.nan if v is None else v for v in self._data], dtype=dtype)

    def __arrow_array__(self, type: Any = None) -> Any:
        """An Arrow decimal array (for ``to_parquet``, polars, pyarrow) at the column's largest scale."""
        import pyarrow as pa

        if type is None:
            exponents = [v.as_tuple().exponent for v in self._data if v is not None]
            scale = max([-e for e in exponents if isinstance(e, int)] + [0])
            type = pa.decimal128(38, scale)
            try:
                return pa.array(list(self._data), type=type)
            except (pa.ArrowInvalid, OverflowError):
                type = pa.decimal256(76, scale)
        return pa.array(list(self._data), type=type)

    def isna(self) -> np.ndarray:
        return np.fromiter((v is None for v in self._data), dtype=bool, count=len(self._data))

    def take(self, indices: Sequence[int], allow_fill: bool = False, fill_value: Any = None) -> "DecimalArray":
        fill = None if allow_fill and _is_missing(fill_value) else _to_decimal(fill_value) if allow_fill else None
        return type(self)(take(self._data, indices, allow_fill=allow_fill, fill_value=fill))

    def copy(self) -> "DecimalArray":
        return type(self)(self._data.copy())

    def _values_for_factorize(self) -> Tuple[np.ndarray, Any]:
        return self._data.copy(), None

    def _values_for_argsort(self) -> np.ndarray:
        # Missing values are sorted apart by pandas (by isna()); any placeholder will do.
        return _object_array(Decimal(0) if v is None else v for v in self._data)

    def _formatter(self, boxed: bool = False) -> Callable[[Any], str]:
        return lambda v: "<NA>" if _is_missing(v) else format(v, "f")

    def _reduce(self, name: str, *, skipna: bool = True, keepdims: bool = False, **kwargs: Any) -> Any:
        present = [v for v in self._data if v is not None]
        if not skipna and len(present) < len(self._data):
            result: Any = pd.NA
        else:
            result = _statistic(name, present, kwargs)
        if keepdims:
            return type(self)._from_sequence([result])
        return result

    def _accumulate(self, name: str, *, skipna: bool = True, **kwargs: Any) -> "DecimalArray":
        step = _STEPS.get(name)
        if step is None:
            raise TypeError(f"{name} is not defined for exact decimals (cumsum, cummin and cummax are)")
        return type(self)(_object_array(_accumulated(list(self._data), step, skipna)))

    def _quantile(self, qs: np.ndarray, interpolation: str) -> "DecimalArray":
        present = sorted(v for v in self._data if v is not None)
        return type(self)(_object_array(_quantile(present, float(q)) for q in qs))

    def _groupby_op(
        self, *, how: str, has_dropped_na: bool, min_count: int, ngroups: int, ids: np.ndarray, **kwargs: Any
    ) -> Any:
        if how in ("first", "last"):
            return super()._groupby_op(
                how=how, has_dropped_na=has_dropped_na, min_count=min_count, ngroups=ngroups, ids=ids, **kwargs
            )
        if how in ("cumsum", "cummin", "cummax"):
            step = _STEPS[how]
            out: List[Optional[Decimal]] = [None] * len(self._data)
            running: Dict[int, Decimal] = {}
            for i, (group, value) in enumerate(zip(ids, self._data)):
                if group < 0 or value is None:
                    continue
                running[group] = value if group not in running else step(running[group], value)
                out[i] = running[group]
            return type(self)(_object_array(out))
        groups: List[List[Decimal]] = [[] for _ in range(ngroups)]
        for group, value in zip(ids, self._data):
            if group >= 0 and value is not None:
                groups[group].append(value)
        results = [_statistic(how, values, kwargs) if len(values) >= min_count else None for values in groups]
        return type(self)._from_sequence(results)

    # ----- arithmetic and comparisons ---------------------------------------------------------

    def _operand(self, other: Any) -> Union[List[Optional[Decimal]], Optional[Decimal]]:
        if isinstance(other, DecimalArray):
            return list(other._data)
        if pd.api.types.is_list_like(other) and not isinstance(other, (str, Decimal)):
            values = list(other)
            if len(values) != len(self):
                raise ValueError(f"operands have lengths {len(self)} and {len(values)}")
            return [_to_decimal(v) for v in values]
        return _to_decimal(other)

    def _binary(self, other: Any, op: Callable[[Any, Any], Any]) -> List[Any]:
        right = self._operand(other)
        if isinstance(right, list):
            return [None if a is None or b is None else op(a, b) for a, b in zip(self._data, right)]
        return [None if a is None or right is None else op(a, right) for a in self._data]

    def _arith(self, other: Any, op: Callable[[Any, Any], Any]) -> Any:
        if isinstance(other, (pd.Series, pd.Index, pd.DataFrame)):
            return NotImplemented
        return type(self)(_object_array(self._binary(other, op)))

    def _compare(self, other: Any, op: Callable[[Any, Any], Any]) -> Any:
        if isinstance(other, (pd.Series, pd.Index, pd.DataFrame)):
            return NotImplemented
        results = self._binary(other, op)
        mask = np.fromiter((r is None for r in results), dtype=bool, count=len(results))
        values = np.fromiter((bool(r) if r is not None else False for r in results), dtype=bool, count=len(results))
        return pd.arrays.BooleanArray(values, mask)

    def __add__(self, other: Any) -> Any:
        return self._arith(other, operator.add)

    def __radd__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: b + a)

    def __sub__(self, other: Any) -> Any:
        return self._arith(other, operator.sub)

    def __rsub__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: b - a)

    def __mul__(self, other: Any) -> Any:
        return self._arith(other, operator.mul)

    def __rmul__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: b * a)

    def __truediv__(self, other: Any) -> Any:
        return self._arith(other, operator.truediv)

    def __rtruediv__(self, other: Any) -> Any:
        return self._arith(other, lambda a, b: b / a)

    def __floordiv__(self, other: Any) -> Any:
        return self._arith(other, operator.floordiv)

    def __mod__(self, other: Any) -> Any:
        return self._arith(other, operator.mod)

    def __neg__(self) -> "DecimalArray":
        return type(self)(_object_array(None if v is None else -v for v in self._data))

    def __pos__(self) -> "DecimalArray":
        return self.copy()

    def __abs__(self) -> "DecimalArray":
        return type(self)(_object_array(None if v is None else abs(v) for v in self._data))

    def __eq__(self, other: Any) -> Any:
        return self._compare(other, operator.eq)

    def __ne__(self, other: Any) -> Any:
        return self._compare(other, operator.ne)

    def __lt__(self, other: Any) -> Any:
        return self._compare(other, operator.lt)

    def __le__(self, other: Any) -> Any:
        return self._compare(other, operator.le)

    def __gt__(self, other: Any) -> Any:
        return self._compare(other, operator.gt)

    def __ge__(self, other: Any) -> Any:
        return self._compare(other, operator.ge)

    def round(self, decimals: int = 0, *args: Any, **kwargs: Any) -> "DecimalArray":
        """Rounded half to even to ``decimals`` places (as ``Decimal.quantize``), asked for explicitly."""
        exponent = Decimal(1).scaleb(-decimals)
        return type(self)(
            _object_array(None if v is None else v.quantize(exponent, rounding=decimal.ROUND_HALF_EVEN) for v in self._data)
        )


def _min(a: Decimal, b: Decimal) -> Decimal:
    return min(a, b)


def _max(a: Decimal, b: Decimal) -> Decimal:
    return max(a, b)


#: The running step of each accumulation.
_STEPS: Dict[str, Callable[[Decimal, Decimal], Decimal]] = {"cumsum": operator.add, "cummin": _min, "cummax": _max}


def _accumulated(values: Sequence[Optional[Decimal]], step: Callable[[Any, Any], Any], skipna: bool) -> List[Any]:
    out: List[Optional[Decimal]] = []
    running: Optional[Decimal] = None
    broken = False
    for value in values:
        if value is None or broken:
            out.append(None)
            broken = broken or not skipna
            continue
        running = value if running is None else step(running, value)
        out.append(running)
    return out


def _sum(values: Sequence[Decimal]) -> Decimal:
    # Exact whatever the decimal context: integer arithmetic on the digits at the finest scale.
    with decimal.localcontext() as context:
        context.prec = decimal.MAX_PREC
        context.traps[decimal.Inexact] = True
        return sum(values, Decimal(0))


def _statistic(name: str, values: Sequence[Decimal], kwargs: Any) -> Any:
    """A reduction of present values (``None`` when it has none to work on)."""
    if name == "sum":
        return _sum(values) if values else Decimal(0)
    if name == "count":
        return len(values)
    if not values:
        return pd.NA
    if name == "min":
        return min(values)
    if name == "max":
        return max(values)
    if name == "mean":
        return _sum(values) / len(values)
    if name == "median":
        return _quantile(sorted(values), 0.5)
    if name in ("var", "std", "sem"):
        ddof = int(kwargs.get("ddof", 1))
        n = len(values)
        if n - ddof <= 0:
            return pd.NA
        mean = _sum(values) / n
        variance = sum(((v - mean) ** 2 for v in values), Decimal(0)) / (n - ddof)
        if name == "var":
            return variance
        std = variance.sqrt()
        return std if name == "std" else std / Decimal(n).sqrt()
    if name in ("any", "all"):
        test = any if name == "any" else all
        return test(v != 0 for v in values)
    raise TypeError(f"{name} is not defined for exact decimals")


def _quantile(ordered: Sequence[Decimal], q: float) -> Optional[Decimal]:
    """Linear interpolation between the two nearest values (pandas' default), in Decimal."""
    if not ordered:
        return None
    position = Decimal(repr(q)) * (len(ordered) - 1)
    below = int(position)
    fraction = position - below
    if fraction == 0 or below + 1 >= len(ordered):
        return ordered[below]
    return ordered[below] + (ordered[below + 1] - ordered[below]) * fraction

