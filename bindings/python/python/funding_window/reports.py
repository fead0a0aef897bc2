"""Report objects: the core's JSON, Python rows, DataFrames, HTML tables and charts.

Every report keeps two forms of the same content:

* :meth:`Report.to_json` returns the exact bytes the Rust core produced (identical from
  Rust, Python and JavaScript);
* :attr:`Report.data` is that JSON as Python values, converted in one documented way by
  key name (``funding_window.AMOUNT_KEYS`` -> ``decimal.Decimal``, ``DATE_KEYS`` ->
  ``datetime.date``, ``AMOUNT_TABLE_KEYS`` -> dicts of ``Decimal``; everything else keeps its
  JSON type). :attr:`Report.rows` is the report's main table as a list of dicts.

:meth:`Report.to_pandas` builds a DataFrame whose money columns are exact: Arrow
``decimal128`` (with pyarrow) or ``object`` columns of ``Decimal``, never ``float64``.
The reports the core exports as CSV (all but the allocation preview and the registries)
also have :meth:`~CsvReport.to_csv`: the core's CSV of the same report, byte for byte what
``Ledger.export_csv`` gives for it.
In Jupyter a report displays as an HTML table (amounts right-aligned, with thousands
separators). The tracker and the window statement also draw a chart with :meth:`plot`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Dict, List, Optional, Sequence, Tuple

from . import _frames, _html
from ._native import JournalSnapshot

if TYPE_CHECKING:  # pragma: no cover
    import pandas as _pd
    from matplotlib.axes import Axes

__all__ = [
    "Report",
    "CsvReport",
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


class CsvReport(Report):
    """A report with a CSV form in the core; :meth:`to_csv` gives it.

    The CSV is made by the core together with the JSON, from the same books (the journal's
    from its snapshot), so it shows what :meth:`to_json` shows even after the ledger has
    moved on.
    """

    def __init__(self, json_text: str, data: Any, csv: str) -> None:
        super().__init__(json_text, data)
        self._csv = csv

    def to_csv(self) -> str:
        """The report as CSV (RFC 4180: CRLF line ends, a header row, quoted when needed),
        exactly as the core writes it (``Ledger.export_csv`` with this report's name and arguments).

        Amounts are written as in the JSON (``-956827.92``), dates ``YYYY-MM-DD``, ``null`` as
        an empty field; nested reports are flattened (see :meth:`Ledger.export_csv`).
        """
        return self._csv


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


class TrialBalance(CsvReport):
    """Every account with a non-zero balance per currency; the totals are zero in every currency."""

    title = "Trial balance"
    columns = ("account", "currency", "balance")

    def _rows(self) -> List[Dict[str, Any]]:
        rows: List[Dict[str, Any]] = self._data["accounts"]
        return rows

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


class ResolutionTracker(CsvReport):
    """The semi-annual resolution tracker: requirement, mobilized, gap and window allocations (USD)."""

    title = "Resolution tracker"
    columns = (
        "resolution",
        "title",
        "status",
        "requirement",
        "mobilized",
        "gap",
        "gap_pct",
        "allocated_in_period",
        "allocated_to_date",
    )

    @property
    def period(self) -> str:
        """The half-year (``"2024-H2"``); amounts are as at its last day."""
        period: str = self._data["period"]
        return period

    def _caption(self) -> List[str]:
        return [f"{self.period} ({self._data['currency']})", _html.chain(self._data)]

    def plot(self, ax: Optional["Axes"] = None) -> "Axes":
        """A bar chart of the funding gap by resolution (mobilized and gap, stacked to the requirement)."""
        from . import _plot

        return _plot.tracker_chart(self, ax)


class WindowStatement(CsvReport):
    """The window over a half-year: opening balance, inflows, allocations, closing balance (USD).

    :attr:`rows` lays the statement out as lines ``section, item, name, amount``; the sections
    are ``opening``, ``contributions``, ``transfers_in``, ``other_income``, ``allocations``,
    ``refunds`` and ``closing``.
    """

    title = "Window statement"
    columns = ("section", "item", "name", "amount")

    @property
    def period(self) -> str:
        """The half-year (``"2024-H2"``)."""
        period: str = self._data["period"]
        return period

    def _rows(self) -> List[Dict[str, Any]]:
        d = self._data
        rows: List[Dict[str, Any]] = []

        def line(section: str, item: str, name: str, amount: Any) -> None:
            rows.append({"section": section, "item": item, "name": name, "amount": amount})

        def balance(section: str, b: Dict[str, Any]) -> None:
            line(section, "unallocated", "", b["unallocated"])
            for e in b["earmarked"]:
                line(section, f"earmarked {e['resolution']}", e["title"], e["amount"])
            line(section, "total", "", b["total"])

        balance("opening", d["opening"])
        for c in d["contributions"]:
            line("contributions", c["donor"], c["name"], c["amount"])
        line("contributions", "total", "", d["contributions_total"])
        line("transfers_in", "balance transfers", "", d["transfers_in"])
        line("other_income", "exchange differences", "", d["other_income"])
        for a in d["allocations"]:
            line("allocations", a["resolution"], a["title"], a["amount"])
        line("allocations", "total", "", d["allocations_total"])
        line("refunds", "refunds", "", d["refunds"])
        balance("closing", d["closing"])
        return rows

    def _caption(self) -> List[str]:
        return [f"{self.period} ({self._data['currency']})", _html.chain(self._data)]

    def plot(self, ax: Optional["Axes"] = None) -> "Axes":
        """A bar chart of the window's inflows (by donor, transfers, other income) and allocations (by resolution)."""
        from . import _plot

        return _plot.window_chart(self, ax)


class DonorStatement(CsvReport):
    """A donor's agreements: amounts, receipts, spending, PSC, transfers, refunds, FX."""

    title = "Donor statement"
    columns = (
        "agreement",
        "purpose",
        "project",
        "resolutions",
        "signed_on",
        "ends_on",
        "status",
        "currency",
        "amount",
        "usd_value",
        "rate",
        "received",
        "outstanding",
        "cancelled",
        "spent",
        "psc",
        "transferred_to_window",
        "refunded",
        "balance",
        "fx_gain_loss_usd",
    )

    def _rows(self) -> List[Dict[str, Any]]:
        rows: List[Dict[str, Any]] = self._data["agreements"]
        return rows

    def _caption(self) -> List[str]:
        d = self._data
        return [f"{d['name']} ({d['donor']}, {d['kind']})", _html.chain(d)]


class TransferRegister(CsvReport):
    """Every balance transfer from a closed project into the window."""

    title = "Balance-transfer register"
    columns = (
        "project",
        "donor",
        "agreement",
        "closed_on",
        "balance",
        "currency",
        "usd",
        "rate",
        "rate_month",
        "elected_on",
        "election_ref",
        "transferred_on",
        "approved_by",
        "entry",
        "reversed_by",
    )

    def _caption(self) -> List[str]:
        return [_html.chain(self._data)]


class AllocationLog(CsvReport):
    """Every allocation decision, one row per resolution; reversals are negative rows."""

    title = "Allocation log"
    columns = (
        "decision",
        "date",
        "approver",
        "policy",
        "source",
        "resolution",
        "title",
        "gap_before",
        "amount",
        "entry",
        "reversal",
    )

    def _caption(self) -> List[str]:
        return [_html.chain(self._data)]


class AllocationPreview(Report):
    """A dry run of an allocation: per candidate its gap, weight, exact quota, floor, remainder, rank and share."""

    title = "Allocation preview"
    columns = (
        "resolution",
        "title",
        "gap_before",
        "weight",
        "quota",
        "floor",
        "remainder",
        "rank",
        "extra_unit",
        "share",
    )

    def _rows(self) -> List[Dict[str, Any]]:
        rows: List[Dict[str, Any]] = self._data["lines"]
        return rows

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
        super().__init__("", None, "")  # JSON and CSV come from the snapshot when asked for
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
