"""DataFrames with exact money columns (pandas, optionally pyarrow).

Column types are chosen by column name, with the same tables that convert the core's JSON
(``AMOUNT_KEYS`` -> exact decimal, ``DATE_KEYS`` -> date; entry numbers -> nullable ``Int64``
when some are missing):

* ``decimals="arrow"``: money is ``pd.ArrowDtype(pa.decimal128(38, s))`` where ``s`` is the
  largest number of decimals in the column (a column of USD amounts has ``s = 2``); dates are
  ``pd.ArrowDtype(pa.date32())``;
* ``decimals="object"``: money is an ``object`` column of ``decimal.Decimal``, dates of
  ``datetime.date``.

Binary floating point is never used for money: a value that does not fit ``decimal128``
exactly makes its column ``object``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence

from . import _native
from ._native import AMOUNT_KEYS, DATE_KEYS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as _pd

_AMOUNT_KEYS = frozenset(AMOUNT_KEYS)
_DATE_KEYS = frozenset(DATE_KEYS)
#: Columns of journal entry numbers and ranks: nullable integers even when all missing.
INTEGER_COLUMNS = frozenset({"seq", "entry", "reversed_by", "rank"})

#: Decimals of an empty (all ``None``) money column in Arrow mode.
EMPTY_DECIMAL_SCALE = 2
#: Digits of Arrow's decimal128.
DECIMAL128_PRECISION = 38


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
    """``"arrow"`` or ``"object"``: the requested mode, or the best one available."""
    if decimals is None:
        return "arrow" if _pyarrow() is not None else "object"
    if not isinstance(decimals, str):
        raise _native.argument_error("decimals", type(decimals).__name__, "expected 'arrow', 'object' or None", True)
    if decimals not in ("arrow", "object"):
        raise _native.argument_error("decimals", decimals, "expected 'arrow', 'object' or None")
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


def decimal_series(values: Sequence[Any], mode: str, name: Optional[str] = None) -> "_pd.Series":
    """An exact money column: Arrow decimal128 (``mode="arrow"``) or ``object`` Decimals."""
    pd = _pandas()
    if mode == "arrow":
        pa = _pyarrow()
        present = [v for v in values if v is not None]
        scale = _scale(present) if present else EMPTY_DECIMAL_SCALE
        try:
            dtype = pa.decimal128(DECIMAL128_PRECISION, scale)
            array = pa.array(values, type=dtype)
            return pd.Series(array, dtype=pd.ArrowDtype(dtype), name=name)
        except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError):
            pass  # too many digits for decimal128: stay exact with objects
    return pd.Series(list(values), dtype=object, name=name)


def _date_series(values: Sequence[Any], mode: str, name: str) -> "_pd.Series":
    pd = _pandas()
    if mode == "arrow":
        pa = _pyarrow()
        return pd.Series(pa.array(values, type=pa.date32()), dtype=pd.ArrowDtype(pa.date32()), name=name)
    return pd.Series(list(values), dtype=object, name=name)


def _other_series(values: Sequence[Any], name: str) -> "_pd.Series":
    pd = _pandas()
    present = [v for v in values if v is not None]
    if name in INTEGER_COLUMNS or (present and all(isinstance(v, int) and not isinstance(v, bool) for v in present)):
        # Entry numbers: nullable integers, so a missing one does not turn the column into floats.
        return pd.Series(values, dtype="Int64" if len(present) < len(values) else "int64", name=name)
    if present and all(isinstance(v, bool) for v in present) and len(present) == len(values):
        return pd.Series(values, dtype=bool, name=name)
    if present and all(isinstance(v, str) for v in present):
        return pd.Series(values, name=name)
    # Lists (earmarks), dicts (allocation sources), None: kept as they are.
    return pd.Series(list(values), dtype=object, name=name)


def frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], decimals: Optional[str]) -> "_pd.DataFrame":
    """A DataFrame of report rows, money and dates typed by column name."""
    pd = _pandas()
    mode = resolve_mode(decimals)
    data: Dict[str, Any] = {}
    for name in columns:
        values = [row.get(name) for row in rows]
        if name in _AMOUNT_KEYS:
            data[name] = decimal_series(values, mode, name)
        elif name in _DATE_KEYS:
            data[name] = _date_series(values, mode, name)
        else:
            data[name] = _other_series(values, name)
    return pd.DataFrame(data, columns=list(columns))


#: Kinds of table columns (the core's ``CellKind``) holding exact decimals.
DECIMAL_KINDS = frozenset({"amount", "rate", "percent"})


def table_frame(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], kinds: Mapping[str, str], decimals: Optional[str]
) -> "_pd.DataFrame":
    """A DataFrame of a report's table, each column typed by the kind the core gives it."""
    pd = _pandas()
    mode = resolve_mode(decimals)
    data: Dict[str, Any] = {}
    for name in columns:
        values = [row.get(name) for row in rows]
        kind = kinds.get(name, "text")
        if kind in DECIMAL_KINDS:
            data[name] = decimal_series(values, mode, name)
        elif kind == "date":
            data[name] = _date_series(values, mode, name)
        elif kind == "integer":
            present = sum(v is not None for v in values)
            data[name] = pd.Series(values, dtype="int64" if present == len(values) else "Int64", name=name)
        else:
            data[name] = _other_series(values, name)
    return pd.DataFrame(data, columns=list(columns))


def journal_frame(columns: Mapping[str, Any], names: Sequence[str], decimals: Optional[str]) -> "_pd.DataFrame":
    """The journal's posting rows from the native module's Arrow buffers (see ``JournalSnapshot.columns``)."""
    pd = _pandas()
    mode = resolve_mode(decimals)
    if mode == "object":
        return _journal_frame_objects(columns, names)
    pa = _pyarrow()
    n = columns["rows"]
    arrays: List[Any] = []
    for name in names:
        kind, *buffers = columns[name]
        arrays.append(_arrow_array(pa, kind, n, buffers))
    table = pa.Table.from_arrays(arrays, names=list(names))
    string = pd.StringDtype("pyarrow")

    def types(t: Any) -> Any:
        if pa.types.is_decimal(t) or pa.types.is_date(t):
            return pd.ArrowDtype(t)
        if pa.types.is_large_string(t) or pa.types.is_string(t):
            return string
        return None

    return table.to_pandas(types_mapper=types)


def _arrow_array(pa: Any, kind: str, n: int, buffers: List[Any]) -> Any:
    if kind == "uint64":
        return pa.Array.from_buffers(pa.uint64(), n, [None, pa.py_buffer(buffers[0])])
    if kind == "date32":
        data, validity, nulls = buffers
        valid = None if validity is None else pa.py_buffer(validity)
        return pa.Array.from_buffers(pa.date32(), n, [valid, pa.py_buffer(data)], null_count=nulls)
    if kind == "large_string":
        offsets, data, validity, nulls = buffers
        valid = None if validity is None else pa.py_buffer(validity)
        return pa.Array.from_buffers(
            pa.large_string(), n, [valid, pa.py_buffer(offsets), pa.py_buffer(data)], null_count=nulls
        )
    if kind == "decimal128":
        data, scale = buffers
        return pa.Array.from_buffers(pa.decimal128(DECIMAL128_PRECISION, scale), n, [None, pa.py_buffer(data)])
    raise ValueError(f"unknown column kind {kind!r}")


def _decode_strings(offsets: bytes, data: bytes, validity: Optional[bytes], n: int) -> List[Optional[str]]:
    ends = [int.from_bytes(offsets[8 * i : 8 * i + 8], "little", signed=True) for i in range(n + 1)]
    out: List[Optional[str]] = []
    for i in range(n):
        if validity is not None and not (validity[i // 8] >> (i % 8)) & 1:
            out.append(None)
        else:
            out.append(data[ends[i] : ends[i + 1]].decode("utf-8"))
    return out


def _journal_frame_objects(columns: Mapping[str, Any], names: Sequence[str]) -> "_pd.DataFrame":
    """The object-mode journal frame (no pyarrow): ``Decimal`` amounts, ``date`` dates."""
    import datetime as dt

    pd = _pandas()
    n = columns["rows"]
    epoch = dt.date(1970, 1, 1)
    data: Dict[str, Any] = {}
    for name in names:
        kind, *buffers = columns[name]
        if kind == "uint64":
            raw = buffers[0]
            data[name] = pd.Series([int.from_bytes(raw[8 * i : 8 * i + 8], "little") for i in range(n)], dtype="int64")
        elif kind == "date32":
            raw, validity, _ = buffers
            dates: List[Optional[dt.date]] = []
            for i in range(n):
                if validity is not None and not (validity[i // 8] >> (i % 8)) & 1:
                    dates.append(None)
                else:
                    days = int.from_bytes(raw[4 * i : 4 * i + 4], "little", signed=True)
                    dates.append(epoch + dt.timedelta(days=days))
            data[name] = pd.Series(dates, dtype=object)
        elif kind == "large_string":
            offsets, raw, validity, _ = buffers
            texts = _decode_strings(offsets, raw, validity, n)
            data[name] = pd.Series([Decimal(t) if t is not None else None for t in texts], dtype=object) if (
                name in _AMOUNT_KEYS
            ) else pd.Series(texts, dtype=object)
        elif kind == "decimal128":
            raw, scale = buffers
            # Decimal(text) is exact whatever the decimal context's precision.
            amounts = [
                Decimal(f"{int.from_bytes(raw[16 * i : 16 * i + 16], 'little', signed=True)}E-{scale}")
                for i in range(n)
            ]
            data[name] = pd.Series(amounts, dtype=object)
        else:
            raise ValueError(f"unknown column kind {kind!r}")
    return pd.DataFrame(data, columns=list(names))
