"""DataFrames of the core's report tables: exact money, real dates, one column per table column.

The native module lays each column out in one go (``ReportTable.column_data`` and
``JournalSnapshot.column_data``; see ``bindings/python/src/columns.rs``), and this module turns
each into a pandas (or polars) column by the kind the core gives it:

============================  ===============================================  ===========================
core kind                     pandas (``decimals="exact"``, the default)        polars
============================  ===============================================  ===========================
amount, rate, percent         ``decimal`` (:class:`~funding_window.DecimalDtype`:   ``Decimal(38, s)``
                              ``decimal.Decimal`` values, ``pd.NA`` missing)
date                          ``datetime64[s]`` (``NaT`` missing)               ``Date``
integer                       ``int64``, or ``Int64`` with missing values        ``Int64``
bool                          ``bool``                                           ``Boolean``
text, month, period,          pandas' string dtype                               ``String``
timestamp
============================  ===============================================  ===========================

``decimals="arrow"`` gives money as ``pd.ArrowDtype(pa.decimal128(38, s))`` instead, and
``decimals="object"`` as ``object`` columns of ``Decimal`` and ``datetime.date`` dates (the
package README compares what each supports). Binary floating point is never used for money.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from . import _native

if TYPE_CHECKING:  # pragma: no cover
    import pandas as _pd

#: The ``decimals=`` choices of ``to_pandas``.
MODES = ("exact", "arrow", "object")

#: Decimals of an empty money column in Arrow mode.
EMPTY_DECIMAL_SCALE = 2
#: Digits of Arrow's decimal128.
DECIMAL128_PRECISION = 38

#: A column as the native module lays it out: ``(layout, buffers...)``.
ColumnData = Tuple[Any, ...]


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("to_pandas needs pandas: pip install 'funding-window[pandas]'") from err
    return pandas


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return pyarrow


def resolve_mode(decimals: Optional[str]) -> str:
    """``"exact"``, ``"arrow"`` or ``"object"`` (``None`` is ``"exact"``)."""
    if decimals is None:
        return "exact"
    if not isinstance(decimals, str):
        raise _native.argument_error(
            "decimals", type(decimals).__name__, "expected 'exact', 'arrow', 'object' or None", True
        )
    if decimals not in MODES:
        shown = decimals.encode("utf-8", "backslashreplace").decode("utf-8")
        raise _native.argument_error("decimals", shown, "expected 'exact', 'arrow', 'object' or None")
    if decimals == "arrow" and _pyarrow() is None:
        raise ImportError("decimals='arrow' needs pyarrow: pip install 'funding-window[pandas]'")
    return decimals


def _scale(values: Sequence[Any]) -> int:
    scale = 0
    for v in values:
        if isinstance(v, Decimal):
            exponent = v.as_tuple().exponent
            if isinstance(exponent, int):
                scale = max(scale, -exponent)
    return scale


def _decimal_series(values: List[Any], mode: str, name: str, checked: bool = False) -> "_pd.Series":
    """A money column; ``checked``: the values are already ``Decimal`` or ``None`` (from the core)."""
    pd = _pandas()
    if mode == "exact":
        from ._decimal import DecimalArray

        array = DecimalArray._from_decimals(values) if checked else DecimalArray._from_sequence(values)
        return pd.Series(array, name=name, copy=False)
    if mode == "arrow":
        pa = _pyarrow()
        present = [v for v in values if v is not None]
        scale = _scale(present) if present else EMPTY_DECIMAL_SCALE
        try:
            dtype = pa.decimal128(DECIMAL128_PRECISION, scale)
            return pd.Series(pa.array(values, type=dtype), dtype=pd.ArrowDtype(dtype), name=name)
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError):
            pass  # too many digits for decimal128: stay exact with objects
    return pd.Series(values, dtype=object, name=name)


def _decimals(column: ColumnData) -> List[Optional[Decimal]]:
    """A money column's values: the native module's text, one decimal per line, made ``Decimal``s."""
    _, text, rows, nulls = column
    if rows == 0:
        return []
    lines = text.split("\n")
    if nulls == 0:
        return list(map(Decimal, lines))
    return [Decimal(line) if line else None for line in lines]


def _decimal_array(column: ColumnData) -> Any:
    """A money column as the ``decimal`` dtype's array, made in one pass (no intermediate list)."""
    import numpy as np

    from ._decimal import DecimalArray

    _, text, rows, nulls = column
    if rows == 0 or nulls > 0:
        return DecimalArray._from_decimals(_decimals(column))
    return DecimalArray(np.fromiter(map(Decimal, text.split("\n")), dtype=object, count=rows))


def _strings(offsets: bytes, data: bytes, validity: Optional[bytes], nulls: int, n: int) -> Any:
    """A text column: an Arrow ``large_string`` array, or a list of ``str`` without pyarrow."""
    pa = _pyarrow()
    if pa is not None:
        valid = None if validity is None else pa.py_buffer(validity)
        return pa.Array.from_buffers(
            pa.large_string(), n, [valid, pa.py_buffer(offsets), pa.py_buffer(data)], null_count=nulls
        )
    ends = [int.from_bytes(offsets[8 * i : 8 * i + 8], "little", signed=True) for i in range(n + 1)]
    out: List[Optional[str]] = []
    for i in range(n):
        if validity is not None and not (validity[i // 8] >> (i % 8)) & 1:
            out.append(None)
        else:
            out.append(data[ends[i] : ends[i + 1]].decode("utf-8"))
    return out


def _pandas_column(column: ColumnData, n: int, mode: str, name: str) -> "_pd.Series":
    import numpy as np

    pd = _pandas()
    layout = column[0]
    if layout == "decimal":
        if mode == "exact":
            return pd.Series(_decimal_array(column), name=name, copy=False)
        return _decimal_series(_decimals(column), mode, name, checked=True)
    if layout == "date":
        days = np.frombuffer(column[1], dtype="datetime64[D]")
        if mode == "object":
            return pd.Series([None if np.isnat(d) else d.astype(_dt.date) for d in days], dtype=object, name=name)
        return pd.Series(days.astype("datetime64[s]"), name=name)
    if layout == "integer":
        values = np.frombuffer(column[1], dtype="<i8").copy()
        if column[2] is None:
            return pd.Series(values, name=name)
        mask = np.frombuffer(column[2], dtype=bool).copy()
        return pd.Series(pd.arrays.IntegerArray(values, mask), name=name)
    if layout == "bool":
        return pd.Series(np.frombuffer(column[1], dtype=bool).copy(), name=name)
    if layout == "text":
        strings = _strings(column[1], column[2], column[3], column[4], n)
        if isinstance(strings, list):
            return pd.Series(strings, dtype=object if mode == "object" else None, name=name)
        if mode == "object":
            return pd.Series(strings.to_pylist(), dtype=object, name=name)
        return pd.Series(strings.to_pandas(types_mapper=lambda t: pd.StringDtype("pyarrow")), name=name)
    raise ValueError(f"unknown column layout {layout!r}")


def _length(column: ColumnData) -> int:
    layout = column[0]
    if layout == "decimal":
        return int(column[2])
    if layout in ("date", "integer"):
        return len(column[1]) // 8
    if layout == "bool":
        return len(column[1])
    return len(column[1]) // 8 - 1


def frame(
    names: Sequence[str],
    columns: Sequence[ColumnData],
    decimals: Optional[str],
    index: Sequence[str] = (),
) -> "_pd.DataFrame":
    """A DataFrame of a table's columns (as ``column_data`` lays them out), indexed by ``index``."""
    pd = _pandas()
    mode = resolve_mode(decimals)
    n = _length(columns[0]) if columns else 0
    data: Dict[str, Any] = {name: _pandas_column(c, n, mode, name) for name, c in zip(names, columns)}
    out = pd.DataFrame(data, columns=list(names), copy=False)
    return out.set_index(list(index)) if index else out


def polars_frame(names: Sequence[str], columns: Sequence[ColumnData]) -> Any:
    """A polars DataFrame of a table's columns: money as ``pl.Decimal``, dates as ``pl.Date``."""
    try:
        import polars as pl
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("to_polars needs polars: pip install 'funding-window[polars]'") from err
    import numpy as np

    n = _length(columns[0]) if columns else 0
    series = []
    for name, column in zip(names, columns):
        layout = column[0]
        if layout == "decimal":
            values = _decimals(column)
            present = [v for v in values if v is not None]
            scale = _scale(present) if present else EMPTY_DECIMAL_SCALE
            # Values finer than the column's scale cannot occur (the scale is the largest); polars
            # reads each Decimal exactly at that scale.
            series.append(pl.Series(name, values, dtype=pl.Decimal(DECIMAL128_PRECISION, scale)))
        elif layout == "date":
            days = np.frombuffer(column[1], dtype="<i8")
            mask = days == np.iinfo(np.int64).min
            dates = pl.Series(name, np.where(mask, 0, days).astype(np.int32)).cast(pl.Date)
            series.append(dates.set(pl.Series(mask), None) if mask.any() else dates)
        elif layout == "integer":
            s = pl.Series(name, np.frombuffer(column[1], dtype="<i8"), dtype=pl.Int64)
            if column[2] is not None:
                s = s.set(pl.Series(np.frombuffer(column[2], dtype=bool)), None)
            series.append(s)
        elif layout == "bool":
            series.append(pl.Series(name, np.frombuffer(column[1], dtype=bool), dtype=pl.Boolean))
        else:
            strings = _strings(column[1], column[2], column[3], column[4], n)
            series.append(pl.Series(name, strings).cast(pl.String))
    return pl.DataFrame(series)


def rows_frame(rows: Sequence[Dict[str, Any]], names: Sequence[str], decimals: Optional[str]) -> "_pd.DataFrame":
    """A DataFrame of Python rows (the registries), typed by key name as the core's JSON is
    (``AMOUNT_KEYS`` -> exact decimals, ``DATE_KEYS`` -> dates)."""
    from ._native import AMOUNT_KEYS, DATE_KEYS

    pd = _pandas()
    mode = resolve_mode(decimals)
    data: Dict[str, Any] = {}
    for name in names:
        values = [row.get(name) for row in rows]
        if name in AMOUNT_KEYS:
            data[name] = _decimal_series(values, mode, name)
        elif name in DATE_KEYS and mode != "object":
            data[name] = pd.Series(pd.to_datetime(values).as_unit("s"), name=name)
        else:
            present = [v for v in values if v is not None]
            if present and all(isinstance(v, str) for v in present) and mode != "object":
                data[name] = pd.Series(values, name=name)
            else:
                data[name] = pd.Series(values, dtype=object, name=name)
    return pd.DataFrame(data, columns=list(names))
