"""Report objects: the core's JSON, its table, Python rows, DataFrames, HTML tables and charts.

Every report keeps the forms the core made of the same books:

* :meth:`Report.to_json` returns the exact bytes the Rust core produced (identical from
  Rust, Python and JavaScript);
* :attr:`Report.data` is that JSON as Python values, converted in one documented way by
  key name (``funding_window.AMOUNT_KEYS`` -> ``decimal.Decimal``, ``DATE_KEYS`` ->
  ``datetime.date``, ``AMOUNT_TABLE_KEYS`` -> dicts of ``Decimal``; everything else keeps its
  JSON type);
* the report's **table**, laid out by the core once for every front end (the CSV export, the
  dashboard and this package): :attr:`Report.rows` (one dict per row), :meth:`Report.to_pandas`
  and the HTML table show its columns and cells, and :meth:`~CsvReport.to_csv` is its CSV,
  byte for byte what ``Ledger.export_csv`` gives for the report. ``to_pandas()`` and
  ``to_csv()`` of one report have the same columns and values.

:meth:`Report.to_pandas` builds a DataFrame whose money columns are exact: Arrow
``decimal128`` (with pyarrow) or ``object`` columns of ``Decimal``, never ``float64``; each
column's type follows the kind the core gives it (amount, rate, percent, date, integer, ...).
In Jupyter a report displays as an HTML table with the core's column labels (amounts
right-aligned, with thousands separators). The tracker and the window statement also draw a
chart with :meth:`plot`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Dict, List, Optional, Sequence, Tuple

from . import _frames, _html
from ._native import JournalSnapshot, ReportTable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as _pd
    from matplotlib.axes import Axes

__all__ = [
    "Report",
    "TableReport",
    "CsvReport",
    "CsvTableReport",
    "Table",
    "TrialBalance",
    "ResolutionTracker",
    "WindowStatement",
    "DonorStatement",
    "TransferRegister",
    "AllocationLog",
    "AllocationPreview",
    "Journal",
]


class Report:
    """A report of the ledger: the core's JSON, its Python values and its main table."""

    #: Shown above the table.
    title: ClassVar[str] = "Report"
    #: Columns of the main table, in the core's field order (used when it has no rows).
    columns: ClassVar[Tuple[str, ...]] = ()

    def __init__(self, json_text: str, data: Any) -> None:
        self._json = json_text
        self._data = data

    def to_json(self) -> str:
        """The report exactly as the Rust core serialized it."""
        return self._json

    @property
    def data(self) -> Any:
        """The whole report as Python values (amounts ``Decimal``, dates ``datetime.date``)."""
        return self._data

    @property
    def rows(self) -> List[Dict[str, Any]]:
        """The report's main table: one dict per row, keys in column order."""
        return self._rows()

    def _rows(self) -> List[Dict[str, Any]]:
        rows: List[Dict[str, Any]] = self._data["rows"]
        return rows

    def column_names(self) -> List[str]:
        """The columns of :attr:`rows` (from the rows themselves, else the declared ones)."""
        rows = self.rows
        return list(rows[0].keys()) if rows else list(self.columns)

    def to_pandas(self, decimals: Optional[str] = None) -> "_pd.DataFrame":
        """The main table as a pandas DataFrame with exact money columns.

        ``decimals`` is ``"arrow"`` (Arrow ``decimal128`` columns; needs pyarrow), ``"object"``
        (columns of ``decimal.Decimal``) or ``None`` (``"arrow"`` when pyarrow is installed).
        Dates become Arrow ``date32`` columns (``datetime.date`` objects in ``"object"`` mode).
        """
        return _frames.frame(self.rows, self.column_names(), decimals)

    def _caption(self) -> List[str]:
        return []

    def _footer(self) -> List[Dict[str, Any]]:
        return []

    def _repr_html_(self) -> str:
        return _html.table(self.title, self._caption(), self.column_names(), self.rows, self._footer())

    def __repr__(self) -> str:
        caption = "; ".join(self._caption())
        return f"<{type(self).__name__}{': ' + caption if caption else ''} ({len(self.rows)} rows)>"


class TableReport(Report):
    """A report with the core's table: :attr:`rows`, :meth:`to_pandas` and the HTML table show
    the columns, labels and cells the core laid out (made together with the JSON, from the
    same books)."""

    def __init__(self, json_text: str, data: Any, table: ReportTable) -> None:
        super().__init__(json_text, data)
        self._table = table
        self._table_rows: Optional[List[Dict[str, Any]]] = None

    def _rows(self) -> List[Dict[str, Any]]:
        if self._table_rows is None:
            names = self.column_names()
            self._table_rows = [dict(zip(names, row)) for row in self._table.rows()]
        return self._table_rows

    def column_names(self) -> List[str]:
        """The table's columns: the CSV header and the DataFrame's columns."""
        return [name for name, _, _ in self._table.columns()]

    def column_labels(self) -> List[str]:
        """The columns' labels for people (``"Gap %"``), as the core and the dashboard name them."""
        return [label for _, label, _ in self._table.columns()]

    def column_kinds(self) -> Dict[str, str]:
        """What each column holds: ``amount``, ``rate``, ``percent``, ``date``, ``integer``, ``bool``, ``text``, ..."""
        return {name: kind for name, _, kind in self._table.columns()}

    def to_pandas(self, decimals: Optional[str] = None) -> "_pd.DataFrame":
        """The table as a pandas DataFrame with exact money columns: the columns of :meth:`to_csv`.

        ``decimals`` is ``"arrow"`` (Arrow ``decimal128`` columns; needs pyarrow), ``"object"``
        (columns of ``decimal.Decimal``) or ``None`` (``"arrow"`` when pyarrow is installed).
        Dates become Arrow ``date32`` columns (``datetime.date`` objects in ``"object"`` mode).
        """
        return _frames.table_frame(self.rows, self.column_names(), self.column_kinds(), decimals)

    def _repr_html_(self) -> str:
        labels = dict(zip(self.column_names(), self.column_labels()))
        title = self._table.title
        return _html.table(title, self._caption(), self.column_names(), self.rows, self._footer(), labels=labels)


class CsvReport(Report):
    """A report with a CSV form in the core; :meth:`to_csv` gives it."""

    def to_csv(self) -> str:
        """The report as CSV (RFC 4180: CRLF line ends, a header row, quoted when needed),
        exactly as the core writes it (``Ledger.export_csv`` with this report's name and arguments).

        Amounts are written as in the JSON (``-956827.92``), dates ``YYYY-MM-DD``, ``null`` as
        an empty field; nested reports are flattened (see :meth:`Ledger.export_csv`).
        """
        raise NotImplementedError


class CsvTableReport(TableReport, CsvReport):
    """A report whose table the core also writes as CSV: :meth:`to_csv` and :meth:`to_pandas`
    have the same columns and values."""

    def to_csv(self) -> str:
        """The report's table as CSV, exactly as ``Ledger.export_csv`` writes the report."""
        return self._table.to_csv()


def _period_text(period: Any) -> str:
    """A report's period as text: ``"2024-H2"``, or ``"2024-07-01/2024-09-30"`` for a date range."""
    if isinstance(period, dict):
        return f"{period.get('from')}/{period.get('to')}"
    return str(period)


class Table(Report):
    """A plain list from the ledger (resolutions, donors)."""

    def __init__(self, title: str, json_text: str, data: Any) -> None:
        super().__init__(json_text, data)
        self._title = title

    def _rows(self) -> List[Dict[str, Any]]:
        rows: List[Dict[str, Any]] = self._data
        return rows

    def _repr_html_(self) -> str:
        return _html.table(self._title, [], self.column_names(), self.rows, [])


class TrialBalance(CsvTableReport):
    """Every account with a non-zero balance per currency; the totals are zero in every currency."""

    @property
    def as_of(self) -> Any:
        """The date of the balances (``None``: after every entry)."""
        return self._data["as_of"]

    @property
    def totals(self) -> Dict[str, Any]:
        """Sum of the balances per currency (all ``Decimal`` zeros)."""
        totals: Dict[str, Any] = self._data["totals"]
        return totals

    def _caption(self) -> List[str]:
        as_of = self.as_of
        return [f"as of {as_of.isoformat()}" if as_of is not None else "all entries", _html.chain(self._data)]

    def _footer(self) -> List[Dict[str, Any]]:
        return [{"account": "total", "currency": c, "balance": t} for c, t in self.totals.items()]


class ResolutionTracker(CsvTableReport):
    """The resolution tracker of a period: requirement, mobilized, gap and window allocations (USD)."""

    @property
    def period(self) -> str:
        """The period (``"2024-H2"``, ``"2024-Q3"``, ...; a date range as ``"2024-07-01/2024-09-30"``);
        amounts are as at its last day."""
        return _period_text(self._data["period"])

    def _caption(self) -> List[str]:
        return [f"{self.period} ({self._data['currency']})", _html.chain(self._data)]

    def plot(self, ax: Optional["Axes"] = None) -> "Axes":
        """A bar chart of the funding gap by resolution (mobilized and gap, stacked to the requirement)."""
        from . import _plot

        return _plot.tracker_chart(self, ax)


class WindowStatement(CsvTableReport):
    """The window over a period: opening balance, inflows, allocations, closing balance (USD).

    :attr:`rows` is the core's layout of the statement as lines ``period, currency, section,
    item, name, amount`` (as its CSV); the sections are ``opening``, ``contributions``,
    ``transfers_in``, ``other_income``, ``allocations``, ``refunds`` and ``closing``.
    """

    @property
    def period(self) -> str:
        """The period (``"2024-H2"``, ...; a date range as ``"2024-07-01/2024-09-30"``)."""
        return _period_text(self._data["period"])

    def _caption(self) -> List[str]:
        return [f"{self.period} ({self._data['currency']})", _html.chain(self._data)]

    def plot(self, ax: Optional["Axes"] = None) -> "Axes":
        """A bar chart of the window's inflows (by donor, transfers, other income) and allocations (by resolution)."""
        from . import _plot

        return _plot.window_chart(self, ax)


class DonorStatement(CsvTableReport):
    """A donor's agreements: amounts, receipts, spending, PSC, transfers, refunds, FX."""

    def _caption(self) -> List[str]:
        d = self._data
        return [f"{d['name']} ({d['donor']}, {d['kind']})", _html.chain(d)]


class TransferRegister(CsvTableReport):
    """Every balance transfer from a closed project into the window."""

    def _caption(self) -> List[str]:
        return [_html.chain(self._data)]


class AllocationLog(CsvTableReport):
    """Every allocation decision, one row per resolution; reversals are negative rows."""

    def _caption(self) -> List[str]:
        return [_html.chain(self._data)]


class AllocationPreview(TableReport):
    """A dry run of an allocation: per candidate its gap, weight, exact quota, floor, remainder, rank and share."""

    @property
    def shares(self) -> Dict[str, Any]:
        """Resolution id -> share (``Decimal``)."""
        return {line["resolution"]: line["share"] for line in self.rows}

    def _caption(self) -> List[str]:
        d = self._data
        source = d["source"] if isinstance(d["source"], str) else f"earmarked {d['source'].get('earmarked')}"
        return [
            f"{d['decision']} of {d['decided_on'].isoformat()}: {d['policy']} split of {_html.money(d['amount'])} "
            f"{d['currency']} from {source} ({_html.money(d['available'])} available)"
        ]


class Journal(CsvReport):
    """The journal as a report: one row per posting, in journal order.

    :meth:`to_json` is a JSON array whose elements are the journal's entry lines, byte for
    byte; :meth:`to_jsonl` is the journal file itself; :meth:`to_csv` the core's CSV of its
    postings. :meth:`to_pandas` is built from the core's posting rows, laid out as Arrow
    columns in Rust (fast for large journals).
    """

    title = "Journal"
    columns = ("seq", "date", "recorded_at", "recorded_by", "type", "account", "currency", "amount")

    #: Entries shown at each end of the HTML table of a long journal.
    HTML_ENTRIES_EACH_END: ClassVar[int] = 10

    def __init__(self, snapshot: JournalSnapshot) -> None:
        super().__init__("", None)  # JSON and CSV come from the snapshot when asked for
        self._snapshot = snapshot
        self._entries: Optional[List[Dict[str, Any]]] = None

    def to_json(self) -> str:
        """A JSON array of the entries, each exactly as the core wrote its journal line."""
        return self._snapshot.to_json()

    def to_jsonl(self) -> str:
        """The journal file's text (JSON Lines, header line first), as ``Ledger.save`` writes it."""
        return self._snapshot.text()

    def to_csv(self) -> str:
        """One CSV row per posting (``seq``, ``date``, ``type``, ``account``, ``currency``,
        ``amount``, ``reverses``, ``recorded_at``, ``recorded_by``, ``idempotency_key``,
        ``hash``), exactly as ``Ledger.export_csv("journal")`` writes it for these entries."""
        return self._snapshot.to_csv()

    @property
    def entry_count(self) -> int:
        """Number of journal entries."""
        return len(self._snapshot)

    @property
    def entries(self) -> List[Dict[str, Any]]:
        """Every entry as a dict: ``seq``, ``date``, ``recorded_at``, ``command``, ``postings``, ``hash``, ..."""
        if self._entries is None:
            self._entries = self._snapshot.entries()
        return self._entries

    @property
    def data(self) -> Any:
        """``{"entries": [...]}``."""
        return {"entries": self.entries}

    def _rows(self) -> List[Dict[str, Any]]:
        return _posting_rows(self.entries)

    def column_names(self) -> List[str]:
        return list(self.columns)

    def to_pandas(self, decimals: Optional[str] = None) -> "_pd.DataFrame":
        """One row per posting: seq, date, recorded_at, recorded_by, type, account, currency, amount.

        Exact amounts as in :meth:`Report.to_pandas`; with pyarrow the columns come straight
        from Arrow buffers made in Rust.
        """
        return _frames.journal_frame(self._snapshot.columns(), self.column_names(), decimals)

    def _repr_html_(self) -> str:
        n = self.entry_count
        k = self.HTML_ENTRIES_EACH_END
        if n <= 2 * k:
            rows = self.rows
            return _html.table(self.title, [f"{n} entries"], self.column_names(), rows, [])
        head = _posting_rows(self._snapshot.entries(0, k))
        tail = _posting_rows(self._snapshot.entries(n - k, n))
        caption = [f"{n} entries; the first and last {k} shown"]
        return _html.table(self.title, caption, self.column_names(), head, [], tail=tail)

    def __repr__(self) -> str:
        return f"<Journal ({self.entry_count} entries)>"


def _posting_rows(entries: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    rows: List[Dict[str, Any]] = []
    for e in entries:
        for p in e["postings"]:
            rows.append(
                {
                    "seq": e["seq"],
                    "date": e.get("date"),
                    "recorded_at": e["recorded_at"],
                    "recorded_by": e.get("recorded_by"),
                    "type": e["command"]["type"],
                    "account": p["account"],
                    "currency": p["currency"],
                    "amount": p["amount"],
                }
            )
    return rows
