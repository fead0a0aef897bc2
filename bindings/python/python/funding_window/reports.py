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

:meth:`Report.to_pandas` builds a DataFrame whose money columns are exact: the package's
``decimal`` dtype (:class:`funding_window.DecimalDtype`, ``Decimal`` arithmetic for ``+``, ``sum``,
``cumsum``, ``describe``, ``groupby``), never ``float64``; dates are ``datetime64``; each column's
type follows the kind the core gives it (amount, rate, percent, date, integer, ...), and reports
with a natural key are indexed by it. :meth:`TableReport.to_polars` gives the same table in polars.
In Jupyter a report displays as an HTML table with the core's column labels (amounts
right-aligned, with thousands separators). The tracker and the window statement also draw a
chart with :meth:`plot`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Dict, List, Optional, Sequence, Tuple

from . import _frames, _html
from ._native import JournalSnapshot, ReportTable, report_data

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
        rows: List[Dict[str, Any]] = self.data["rows"]
        return rows

    def column_names(self) -> List[str]:
        """The columns of :attr:`rows` (from the rows themselves, else the declared ones)."""
        rows = self.rows
        return list(rows[0].keys()) if rows else list(self.columns)

    def to_pandas(self, decimals: Optional[str] = None) -> "_pd.DataFrame":
        """The main table as a pandas DataFrame with exact money columns (``decimals`` as
        :meth:`TableReport.to_pandas` takes it)."""
        return _frames.rows_frame(self.rows, self.column_names(), decimals)

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

    #: The columns that identify a row, which become the DataFrame's index (none: a RangeIndex).
    index: ClassVar[Tuple[str, ...]] = ()

    def __init__(self, json_text: str, table: ReportTable) -> None:
        # The JSON's Python values are made when first asked for: a DataFrame needs only the table.
        super().__init__(json_text, None)
        self._table = table
        self._table_rows: Optional[List[Dict[str, Any]]] = None

    @property
    def data(self) -> Any:
        """The whole report as Python values (amounts ``Decimal``, dates ``datetime.date``)."""
        if self._data is None:
            self._data = report_data(self._json)
        return self._data

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

    def to_pandas(self, decimals: Optional[str] = None, index: bool = True) -> "_pd.DataFrame":
        """The table as a pandas DataFrame: the columns and values of :meth:`to_csv`.

        Money, rates and percentages are exact: by default (``decimals="exact"`` or ``None``)
        columns of the ``decimal`` dtype (:class:`funding_window.DecimalDtype`), whose ``+``,
        ``-``, ``*`` by an ``int``, ``sum``, ``cumsum``, comparisons and ``groupby(...).sum()``
        are ``Decimal`` arithmetic; ``"arrow"`` gives Arrow ``decimal128`` columns (fast, but
        without ``cumsum`` or ``describe``), ``"object"`` plain ``object`` columns of ``Decimal``
        (and ``datetime.date`` dates). Dates are ``datetime64[s]`` (``NaT`` when missing), so
        ``df[df.date >= pd.Timestamp("2024-07-01")]`` and ``resample`` work; entry numbers
        ``int64`` (``Int64`` when some are missing); text pandas' string dtype.

        With ``index=True`` the columns that identify a row (:attr:`index`: the tracker's
        ``resolution``, a donor statement's ``agreement``, ...) become the index;
        ``df.reset_index()`` gives them back as columns.
        """
        return _frames.frame(
            self.column_names(), self._table.column_data(), decimals, self.index if index else ()
        )

    def to_polars(self) -> Any:
        """The table as a polars DataFrame: money as ``pl.Decimal`` (exact), dates as ``pl.Date``,
        the columns of :meth:`to_csv` (needs polars: ``pip install 'funding-window[polars]'``)."""
        return _frames.polars_frame(self.column_names(), self._table.column_data())

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

    index = ("account", "currency")

    @property
    def as_of(self) -> Any:
        """The date of the balances (``None``: after every entry)."""
        return self.data["as_of"]

    @property
    def totals(self) -> Dict[str, Any]:
        """Sum of the balances per currency (all ``Decimal`` zeros)."""
        totals: Dict[str, Any] = self.data["totals"]
        return totals

    def _caption(self) -> List[str]:
        as_of = self.as_of
        return [f"as of {as_of.isoformat()}" if as_of is not None else "all entries", _html.chain(self.data)]

    def _footer(self) -> List[Dict[str, Any]]:
        return [{"account": "total", "currency": c, "balance": t} for c, t in self.totals.items()]


class ResolutionTracker(CsvTableReport):
    """The resolution tracker of a period: requirement, mobilized, gap and window allocations (USD)."""

    index = ("resolution",)

    @property
    def period(self) -> str:
        """The period (``"2024-H2"``, ``"2024-Q3"``, ...; a date range as ``"2024-07-01/2024-09-30"``);
        amounts are as at its last day."""
        return _period_text(self.data["period"])

    def _caption(self) -> List[str]:
        return [f"{self.period} ({self.data['currency']})", _html.chain(self.data)]

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

    index = ("section", "item")

    @property
    def period(self) -> str:
        """The period (``"2024-H2"``, ...; a date range as ``"2024-07-01/2024-09-30"``)."""
        return _period_text(self.data["period"])

    def _caption(self) -> List[str]:
        return [f"{self.period} ({self.data['currency']})", _html.chain(self.data)]

    def plot(self, ax: Optional["Axes"] = None) -> "Axes":
        """A bar chart of the window's inflows (by donor, transfers, other income) and allocations (by resolution)."""
        from . import _plot

        return _plot.window_chart(self, ax)


class DonorStatement(CsvTableReport):
    """A donor's agreements: amounts, receipts, spending, PSC, transfers, refunds, FX."""

    index = ("agreement",)

    def _caption(self) -> List[str]:
        d = self.data
        return [f"{d['name']} ({d['donor']}, {d['kind']})", _html.chain(d)]


class TransferRegister(CsvTableReport):
    """Every balance transfer from a closed project into the window."""

    index = ("entry",)

    def _caption(self) -> List[str]:
        return [_html.chain(self.data)]


class AllocationLog(CsvTableReport):
    """Every allocation decision, one row per resolution; reversals are negative rows."""

    def _caption(self) -> List[str]:
        return [_html.chain(self.data)]


class AllocationPreview(TableReport):
    """A dry run of an allocation: per candidate its gap, weight, exact quota, floor, remainder, rank and share."""

    index = ("resolution",)

    @property
    def shares(self) -> Dict[str, Any]:
        """Resolution id -> share (``Decimal``)."""
        return {line["resolution"]: line["share"] for line in self.rows}

    def _caption(self) -> List[str]:
        d = self.data
        source = d["source"] if isinstance(d["source"], str) else f"earmarked {d['source'].get('earmarked')}"
        return [
            f"{d['decision']} of {d['decided_on'].isoformat()}: {d['policy']} split of {_html.money(d['amount'])} "
            f"{d['currency']} from {source} ({_html.money(d['available'])} available)"
        ]


class Journal(CsvReport):
    """The journal as a report: one row per posting, in journal order.

    :meth:`to_json` is a JSON array whose elements are the journal's entry lines, byte for
    byte; :meth:`to_jsonl` is the journal file itself; :meth:`to_csv` the core's CSV of its
    postings. :meth:`to_pandas` and :meth:`to_polars` have the columns of :meth:`to_csv` (the
    core's journal table), filled from the core's posting rows column by column in Rust (fast
    for large journals).
    """

    title = "Journal"
    columns = (
        "seq", "date", "type", "account", "currency", "amount", "reverses",
        "recorded_at", "recorded_by", "idempotency_key", "hash",
    )

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
        """The columns of :meth:`to_csv`, :meth:`to_pandas` and :attr:`rows` (the core's journal table)."""
        return [name for name, _, _ in self._snapshot.column_names()]

    def to_pandas(self, decimals: Optional[str] = None, index: bool = True) -> "_pd.DataFrame":
        """One row per posting, with the columns of :meth:`to_csv`: ``seq``, ``date``, ``type``,
        ``account``, ``currency``, ``amount``, ``reverses``, ``recorded_at``, ``recorded_by``,
        ``idempotency_key``, ``hash``.

        Types as :meth:`TableReport.to_pandas` gives them (``amount`` exact, ``date``
        ``datetime64[s]``, ``reverses`` ``Int64``); the index is a RangeIndex (a posting has no
        key of its own), so ``index`` changes nothing.
        """
        return _frames.frame(self.column_names(), self._snapshot.column_data(), decimals)

    def to_polars(self) -> Any:
        """One row per posting as a polars DataFrame (the columns of :meth:`to_pandas`)."""
        return _frames.polars_frame(self.column_names(), self._snapshot.column_data())

    def _repr_html_(self) -> str:
        n = self.entry_count
        k = self.HTML_ENTRIES_EACH_END
        if n <= 2 * k:
            rows = self.rows
            return _html.table(self.title, [f"{n} entries"], list(self.columns), rows, [])
        head = _posting_rows(self._snapshot.entries(0, k))
        tail = _posting_rows(self._snapshot.entries(n - k, n))
        caption = [f"{n} entries; the first and last {k} shown"]
        return _html.table(self.title, caption, list(self.columns), head, [], tail=tail)

    def __repr__(self) -> str:
        return f"<Journal ({self.entry_count} entries)>"


def _posting_rows(entries: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The postings of entries as rows with the journal table's columns (as its CSV has them)."""
    rows: List[Dict[str, Any]] = []
    for e in entries:
        command = e["command"]
        reverses = command.get("entry") if command["type"] == "reverse" else None
        for p in e["postings"]:
            rows.append(
                {
                    "seq": e["seq"],
                    "date": e.get("date"),
                    "type": command["type"],
                    "account": p["account"],
                    "currency": p["currency"],
                    "amount": p["amount"],
                    "reverses": reverses,
                    "recorded_at": e["recorded_at"],
                    "recorded_by": e.get("recorded_by"),
                    "idempotency_key": e.get("idempotency_key"),
                    "hash": e["hash"],
                }
            )
    return rows
