"""Commands from spreadsheets: CSV files, Excel workbooks and pandas DataFrames.

Each command type has a template: one column per field, laid out by the core from the contract
(:func:`sheet_columns`, :func:`write_template`; ``docs/spreadsheets.md`` lists them). A sheet
holds commands of one type (given as ``command=``) or of several, named in a ``type`` column.
Rows are read all or nothing: every cell is checked, then the commands are applied as one batch
(:meth:`Ledger.apply_sheet`), so a refused row leaves the ledger as it was.

Amounts are read as text, never through binary floating point:

* **CSV** is read with the ``csv`` module: every cell is text.
* **Excel** (``.xlsx``, with openpyxl): a money cell must be stored as text. Excel stores every
  number as a binary float, so a number cell where an amount belongs is refused, naming its row
  and column (the templates format every column as text, so typed amounts stay text). Number
  cells are accepted for whole-number fields (``entry``), date cells for dates when they carry
  no time of day, and TRUE/FALSE cells for yes/no fields.
* **DataFrames** as ``pd.read_csv`` gives them by default: ``NaN``, ``None``, ``pd.NA`` and
  ``NaT`` are empty cells (absent fields); ``int`` and ``np.int64`` are accepted for money and
  whole numbers; a ``float`` is refused wherever money belongs (``12.5`` parsed as ``float64``:
  read with ``dtype=str``), and accepted for a whole-number field only when it is whole;
  ``Timestamp`` and ``datetime.date`` dates are accepted when they have no time of day;
  ``Decimal`` is accepted for money.

Errors are the ledger's exception classes (:class:`CommandTypeError` for a cell of the wrong
type, ``InvalidCommand`` for a malformed cell, the core's class for a refused command), with
``.row`` and ``.column`` (``None`` when the whole row is at fault) and ``.index`` (the row's
0-based position among the commands). ``row`` is the row number as a spreadsheet shows it: the
header is row 1, the first command row 2; for a DataFrame, the row of the CSV or Excel file it
was read from (its position + 2), with its index label as ``.label``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import math
import os
from decimal import Decimal
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple, Union

from . import _native
from ._native import sheet_column_of_field, sheet_columns as _native_sheet_columns, sheet_command
from .errors import ERROR_CLASSES, CommandTypeError, LedgerError

__all__ = ["SheetColumn", "sheet_columns", "write_template", "read_commands"]

#: A file path, or a DataFrame.
Source = Union[str, "os.PathLike[str]", Any]

#: Rows of an Excel template formatted as text (typed amounts stay text).
TEMPLATE_TEXT_ROWS = 1000


class SheetColumn(NamedTuple):
    """One column of a command type's template."""

    #: Its header.
    name: str
    #: What its cells hold: ``text``, ``decimal``, ``date``, ``integer``, ``bool``, ``choice``
    #: (one of ``choices``), ``list`` (ids separated by ``;``), ``table`` (``id=amount`` pairs
    #: separated by ``;``) or ``variant`` (``unallocated`` or ``earmarked:2/4``).
    kind: str
    #: Whether every row must fill it.
    required: bool
    #: The field's documentation.
    doc: str
    #: The names a ``choice`` column takes, or the forms of a ``variant`` column.
    choices: Tuple[str, ...]


def sheet_columns(command: str) -> List[SheetColumn]:
    """The columns of ``command``'s template, in order (the core's layout of its fields).

    >>> [c.name for c in sheet_columns("record_receipt")][:5]
    ['agreement', 'amount', 'received_on', 'reference', 'currency']
    """
    return [SheetColumn(n, k, r, d, tuple(c)) for n, k, r, d, c in _native_sheet_columns(command)]


def write_template(command: str, path: Union[str, "os.PathLike[str]"]) -> None:
    """Writes an empty template of ``command`` to ``path``: ``.csv`` (the header row) or ``.xlsx``
    (the header row, each header with a note describing the column, every column formatted as
    text so that typed amounts are stored as text; needs openpyxl)."""
    columns = sheet_columns(command)
    if _path_text(path).lower().endswith(".xlsx"):
        openpyxl = _openpyxl()
        from openpyxl.comments import Comment
        from openpyxl.styles import Font

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = command[:31]
        for i, column in enumerate(columns, start=1):
            cell = sheet.cell(row=1, column=i, value=column.name)
            cell.font = Font(bold=column.required)
            note = f"{'Required. ' if column.required else ''}{column.doc} ({_describe(column)})"
            cell.comment = Comment(note, "funding-window")
            cell.number_format = "@"
            letter = cell.column_letter
            sheet.column_dimensions[letter].width = max(12, len(column.name) + 4)
            for row in range(2, TEMPLATE_TEXT_ROWS + 2):
                sheet.cell(row=row, column=i).number_format = "@"
        sheet.freeze_panes = "A2"
        data = io.BytesIO()
        book.save(data)
        _native.write_file("path", path, data.getvalue())
        return
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerow([c.name for c in columns])
    _native.write_file("path", path, text.getvalue().encode("utf-8"))


def _describe(column: SheetColumn) -> str:
    if column.kind == "choice":
        return "one of " + ", ".join(column.choices)
    if column.kind == "variant":
        return " or ".join(c + "ID" if c.endswith(":") else c for c in column.choices)
    return {
        "text": "text",
        "decimal": "a decimal, as text",
        "date": "a date, YYYY-MM-DD",
        "integer": "a whole number",
        "bool": "true or false",
        "list": "ids separated by ;",
        "table": "id=amount pairs separated by ;",
    }.get(column.kind, column.kind)


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("Excel files need openpyxl: pip install 'funding-window[excel]'") from err
    return openpyxl


# ----- reading ------------------------------------------------------------------------------------


class _Row(NamedTuple):
    number: int  # as the spreadsheet shows it (header: row 1)
    cells: Dict[str, Any]
    label: Any  # a DataFrame's index label, else None


class _Refused(Exception):
    """A cell of a type that has no faithful text where it stands."""


def _rows(source: Source, sheet: Optional[str]) -> Tuple[str, List[_Row]]:
    """(``"csv"``, ``"excel"`` or ``"frame"``, the rows) of a file or DataFrame."""
    if hasattr(source, "itertuples") and hasattr(source, "columns"):
        names = [str(c) for c in source.columns]
        rows = [
            _Row(position + 2, dict(zip(names, values)), label)
            for position, (label, *values) in enumerate(source.itertuples(index=True, name=None))
        ]
        return "frame", rows
    # Read natively: a path of the wrong type is ArgumentTypeError, a missing file IoError.
    data = _native.read_file("source", source)
    path = _path_text(source)
    if path.lower().endswith((".xlsx", ".xlsm")):
        openpyxl = _openpyxl()
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as err:  # noqa: BLE001 - openpyxl and zipfile raise many kinds
            raise _native.argument_error("source", _shown(path), f"not an Excel workbook ({type(err).__name__}: {err})")
        try:
            if sheet is not None and sheet not in book.sheetnames:
                present = ", ".join(repr(n) for n in book.sheetnames)
                raise _native.argument_error("sheet", _shown(sheet), f"the workbook has no such worksheet (it has {present})")
            worksheet = book[sheet] if sheet is not None else book.worksheets[0]
            values = list(worksheet.iter_rows(min_row=1, values_only=True))
        finally:
            book.close()
        return "excel", _records(values)
    if sheet is not None:
        raise _native.argument_error("sheet", _shown(sheet), "names a worksheet of an Excel file, and this is a CSV file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise _native.argument_error("source", _shown(path), f"a CSV file is read as UTF-8 text, and this is not ({err})")
    return "csv", _records(list(csv.reader(io.StringIO(text, newline=""))))


def _shown(text: str) -> str:
    """``text`` as an error can carry it: a lone surrogate (no UTF-8 text holds one) escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _path_text(path: Any) -> str:
    """The text of a path that ``_native.read_file`` or ``write_file`` accepts (or will refuse,
    with the typed error: the text of anything else is never used)."""
    try:
        text = os.fspath(path)
    except Exception:  # noqa: BLE001 - refused by the native call, with its typed error
        return ""
    return text if isinstance(text, str) else ""


def _records(records: Sequence[Sequence[Any]]) -> List[_Row]:
    if not records:
        return []
    header = [("" if h is None else str(h)).strip() for h in records[0]]
    while header and header[-1] == "":
        header.pop()  # Excel's formatted but empty columns
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if all(v is None or (isinstance(v, str) and v.strip() == "") for v in record):
            continue  # a blank row is no command
        values = list(record) + [None] * (len(header) - len(record))
        extra = [v for v in values[len(header):] if v is not None and str(v).strip() != ""]
        if extra:
            raise CommandTypeError(
                f"row {number}: {len(values)} cells under a header of {len(header)} columns",
                {"row": number, "column": None},
            )
        rows.append(_Row(number, dict(zip(header, values)), None))
    return rows


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        return False
    return value is pd.NA or value is pd.NaT


def _cell_text(value: Any, kind: str, origin: str) -> Optional[str]:
    """A cell as the text of its column's kind, or ``None`` for an empty cell."""
    import numbers

    if _missing(value):
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        if kind == "bool":
            return "true" if value else "false"
        raise _Refused(f"{value!r} is a true/false cell where {_kind_text(kind)} belongs")
    if isinstance(value, Decimal):
        if kind == "decimal":
            return format(value, "f")
        raise _Refused(f"{value!r} is a Decimal where {_kind_text(kind)} belongs")
    if isinstance(value, numbers.Integral):
        if origin == "excel" and kind == "decimal":
            raise _Refused(
                f"{value} is a number cell: Excel stores numbers as binary floating point, so an amount "
                "must be a text cell (format the column as Text and type it again, or use the template)"
            )
        if kind in ("decimal", "integer", "text"):
            return str(int(value))
        raise _Refused(f"{value!r} is a number where {_kind_text(kind)} belongs")
    if isinstance(value, numbers.Real):
        number = float(value)
        if kind == "integer" and number.is_integer():
            return str(int(number))
        how = (
            "a number cell of an Excel file (Excel stores numbers as binary floating point): type it as text"
            if origin == "excel"
            else "read the file with dtype=str (pd.read_csv(path, dtype=str)) to keep amounts exact"
        )
        raise _Refused(f"{value!r} is a binary floating-point number, which is not exact money: {how}")
    if isinstance(value, _dt.datetime):
        if kind == "date" and value.tzinfo is None and value.time() == _dt.time(0):
            return value.date().isoformat()
        if kind == "date":
            raise _Refused(f"{value} has a time of day where a date belongs")
        raise _Refused(f"{value} is a date and time where {_kind_text(kind)} belongs: write it as text")
    if isinstance(value, _dt.date):
        if kind == "date":
            return value.isoformat()
        raise _Refused(f"{value} is a date where {_kind_text(kind)} belongs")
    raise _Refused(f"a {type(value).__name__} cell ({value!r}) has no place in a command")


def _kind_text(kind: str) -> str:
    return {"decimal": "an amount", "integer": "a whole number", "bool": "true or false", "date": "a date"}.get(
        kind, "text"
    )


def _located(error: LedgerError, row: _Row, column: Optional[str], index: int) -> LedgerError:
    """The error again, naming the row (and column) it comes from."""
    named = column is None or f"column {column}:" in error.message
    where = f"row {row.number}" + ("" if named else f", column {column}")
    details = {**error.details, "row": row.number, "column": column}
    if row.label is not None:
        details["label"] = row.label
    if isinstance(error, TypeError):
        located: LedgerError = type(error)(f"{where}: {error.message}", details)
    else:
        located = ERROR_CLASSES.get(error.code, LedgerError)(f"{where}: {error.message}", details)
    located.index = index
    return located


def _optional_text(name: str, value: Any) -> None:
    """Refuses an argument that must be ``None`` or a ``str``, with the typed error of a method's argument."""
    if value is not None and not isinstance(value, str):
        raise _native.argument_error(name, type(value).__name__, "expected a str or None", True)


def _commands(source: Source, command: Optional[str], sheet: Optional[str]) -> Tuple[List[str], List[_Row], List[str]]:
    """Every row's command JSON text, the rows and their command types; the first refused cell raises."""
    _optional_text("command", command)
    _optional_text("sheet", sheet)
    if command is not None:
        sheet_columns(command)  # an unknown type is refused before the file is read
    origin, rows = _rows(source, sheet)
    kinds: Dict[str, Dict[str, str]] = {}
    texts: List[str] = []
    types: List[str] = []
    for index, row in enumerate(rows):
        given = row.cells.get("type")
        row_type = command if command is not None else given
        if _missing(row_type) or not isinstance(row_type, str) or not row_type.strip():
            error = CommandTypeError(
                "no command type: give command= or fill a type column", {"row": row.number, "column": "type"}
            )
            raise _located(error, row, "type", index)
        if command is not None and not _missing(given) and str(given).strip() not in ("", command):
            error = CommandTypeError(f"a {given} row in a sheet of {command} commands", {})
            raise _located(error, row, "type", index)
        row_type = row_type.strip()
        if row_type not in kinds:
            try:
                kinds[row_type] = {c.name: c.kind for c in sheet_columns(row_type)}
            except LedgerError as error:
                raise _located(error, row, "type", index) from None
        cells: List[Tuple[str, Optional[str]]] = []
        for name, value in row.cells.items():
            if name == "type":
                continue
            try:
                cells.append((name, _cell_text(value, kinds[row_type].get(name, "text"), origin)))
            except _Refused as refused:
                raise _located(CommandTypeError(str(refused), {"value": repr(value)}), row, name, index) from None
        try:
            texts.append(sheet_command(row_type, cells))
        except LedgerError as error:
            raise _located(error, row, getattr(error, "column", None), index) from None
        types.append(row_type)
    return texts, rows, types


def read_commands(source: Source, command: Optional[str] = None, *, sheet: Optional[str] = None) -> List[Dict[str, Any]]:
    """The commands of a CSV file, an Excel workbook (its first worksheet, or ``sheet``) or a
    DataFrame, one per non-blank row, as the contract's dicts (amounts as decimal strings),
    without applying them. ``command`` is the type of every row; without it, a ``type`` column
    names each row's. A refused cell raises the ledger's error with ``.row`` and ``.column``."""
    texts, _, _ = _commands(source, command, sheet)
    return [json.loads(t) for t in texts]


def apply_rows(ledger: Any, source: Source, command: Optional[str], sheet: Optional[str]) -> Any:
    """Reads every row, then applies the commands as one batch (see :meth:`Ledger.apply_sheet`)."""
    texts, rows, types = _commands(source, command, sheet)
    try:
        return ledger.apply_batch(texts)
    except LedgerError as error:
        index = error.index
        if index is None or not 0 <= index < len(rows):
            raise
        field = error.details.get("field")
        column = sheet_column_of_field(types[index], field) if isinstance(field, str) else None
        raise _located(error, rows[index], column, index) from None

