"""Reports: exact JSON, rows, DataFrames (never float64 for money), HTML tables and charts."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

import funding_window as fw

ALL = {
    "trial_balance": lambda L: L.trial_balance(),
    "trial_balance_as_of": lambda L: L.trial_balance(dt.date(2024, 6, 30)),
    "resolution_tracker": lambda L: L.resolution_tracker("2024-H2"),
    "window_statement": lambda L: L.window_statement("2024-H2"),
    "donor_statement": lambda L: L.donor_statement("EU"),
    "transfer_register": lambda L: L.transfer_register(),
    "allocation_log": lambda L: L.allocation_log(),
    "preview": lambda L: L.preview_allocation("EB-2", "2024-12-01", Decimal("100.00"), "equal", ["2/1", "2/9"]),
    "journal": lambda L: L.journal(),
    "resolutions": lambda L: L.resolutions(),
    "donors": lambda L: L.donors(),
}


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_report_has_json_rows_frame_and_html(year: fw.Ledger, name: str) -> None:
    report = ALL[name](year)
    assert isinstance(report, fw.Report)
    parsed = json.loads(report.to_json())
    assert parsed
    rows = report.rows
    assert rows and list(rows[0]) == report.column_names()
    if report.columns:
        assert tuple(report.column_names()) == report.columns, "declared columns follow the core"
    frame = report.to_pandas()
    assert list(frame.columns) == report.column_names() and len(frame) == len(rows)
    assert "float" not in " ".join(str(t) for t in frame.dtypes)
    html = report._repr_html_()
    assert html.startswith("<style>") and "<table" in html and html.count("<tr>") >= min(len(rows), 20)
    assert repr(report).startswith("<")


def test_to_json_is_exactly_the_cores_bytes(year: fw.Ledger) -> None:
    tracker = year.resolution_tracker("2024-H2")
    native_json = year._native.resolution_tracker("2024-H2")[0]
    assert tracker.to_json() == native_json
    assert tracker.to_json().startswith('{"period":"2024-H2","currency":"USD","rows":[{"resolution":"1/1"')
    tb = json.loads(year.trial_balance().to_json())
    assert list(tb) == ["as_of", "accounts", "totals", "chain_head"]


def test_tracker_rows_carry_the_gap_arithmetic(year: fw.Ledger) -> None:
    rows = {r["resolution"]: r for r in year.resolution_tracker("2024-H2").rows}
    for r in rows.values():
        if r["requirement"] is None:
            assert r["gap"] is None and r["gap_pct"] is None
        else:
            assert r["gap"] == max(r["requirement"] - r["mobilized"], Decimal("0.00"))
    assert sum(r["allocated_in_period"] for r in rows.values()) == Decimal("600000.00")


def test_tracker_frame_has_exact_decimal_columns(year: fw.Ledger) -> None:
    frame = year.resolution_tracker("2024-H2").to_pandas()
    for column in ["requirement", "mobilized", "gap", "gap_pct", "allocated_in_period", "allocated_to_date"]:
        assert frame[column].dtype == pd.ArrowDtype(pa.decimal128(38, 2)), column
    row = frame.set_index("resolution").loc["2/2"]
    assert row["requirement"] == Decimal("3000000.00")
    assert frame["allocated_in_period"].sum() == Decimal("600000.00")
    objects = year.resolution_tracker("2024-H2").to_pandas(decimals="object")
    assert objects["mobilized"].dtype == object
    assert all(isinstance(v, Decimal) for v in objects["mobilized"])
    assert objects["gap"].tolist() == [r["gap"] for r in year.resolution_tracker("2024-H2").rows]
    with pytest.raises(ValueError):
        year.resolution_tracker("2024-H2").to_pandas(decimals="float")


def test_dates_and_entry_numbers_keep_their_types_in_frames(year: fw.Ledger) -> None:
    frame = year.transfer_register().to_pandas()
    assert frame["transferred_on"].dtype == pd.ArrowDtype(pa.date32())
    assert frame["transferred_on"].iloc[0] == dt.date(2024, 7, 20)
    assert str(frame["entry"].dtype) == "int64" and str(frame["reversed_by"].dtype) == "Int64"
    assert frame["rate"].dtype == pd.ArrowDtype(pa.decimal128(38, 4))
    assert frame["balance"].iloc[0] == year.transfer_register().rows[0]["balance"]
    donor = year.donor_statement("SE").to_pandas(decimals="object")
    assert donor["signed_on"].iloc[0] == dt.date(2024, 3, 12)


def test_the_journal_frame_has_one_exact_row_per_posting(year: fw.Ledger) -> None:
    journal = year.journal()
    frame = journal.to_pandas()
    rows = journal.rows
    assert len(frame) == len(rows) == sum(len(e["postings"]) for e in journal.entries)
    assert list(frame.columns) == ["seq", "date", "recorded_at", "recorded_by", "type", "account", "currency", "amount"]
    assert isinstance(frame["amount"].dtype, pd.ArrowDtype) and pa.types.is_decimal(frame["amount"].dtype.pyarrow_dtype)
    assert frame["date"].dtype == pd.ArrowDtype(pa.date32())
    assert [Decimal(v) for v in frame["amount"]] == [r["amount"] for r in rows]
    assert frame["seq"].tolist() == [r["seq"] for r in rows]
    assert frame["account"].tolist() == [r["account"] for r in rows]
    assert frame["date"].tolist() == [r["date"] for r in rows]
    # Every entry balances per currency, so the postings sum to zero per currency.
    for _, total in frame.groupby("currency")["amount"].sum().items():
        assert total == 0
    objects = journal.to_pandas(decimals="object")
    assert objects["amount"].tolist() == [r["amount"] for r in rows]
    assert objects["recorded_by"].tolist() == [r["recorded_by"] for r in rows]


def test_window_statement_rows_add_up(year: fw.Ledger) -> None:
    statement = year.window_statement("2024-H2")
    d = statement.data
    inflows = d["contributions_total"] + d["transfers_in"] + d["other_income"]
    assert d["closing"]["total"] == d["opening"]["total"] + inflows - d["allocations_total"] - d["refunds"]
    lines = {(r["section"], r["item"]): r["amount"] for r in statement.rows}
    assert lines[("closing", "total")] == d["closing"]["total"]
    # The core's line items, as its CSV lays them out.
    assert lines[("transfers_in", "total")] == d["transfers_in"] > 0


def test_html_is_formatted_for_finance_and_escaped(year: fw.Ledger) -> None:
    html = year.resolution_tracker("2024-H2")._repr_html_()
    assert '<td class="num">3,000,000.00</td>' in html
    assert '<th class="num" title="requirement">Requirement</th>' in html  # the core's label
    tb = year.trial_balance()._repr_html_()
    assert "<tfoot>" in tb and "all entries" in tb
    year.register_resolution("3/1", "<script>alert('x')</script> & more", recorded_at="2025-01-15T09:00:00Z")
    html = year.resolutions()._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; more" in html


def test_html_of_a_long_journal_is_elided(year: fw.Ledger) -> None:
    for i in range(30):
        year.set_requirement("2/7", Decimal(f"{i + 1}.00"), recorded_at="2025-01-15T09:00:00Z")
    html = year.journal()._repr_html_()
    assert "first and last 10 shown" in html and 'class="elided"' in html


def plotted(width: float) -> Decimal:
    """A bar's length back as money: bars are drawn in floats, at least exact to the cent."""
    return Decimal(float(width)).quantize(Decimal("0.01"))


def test_the_tracker_plots_the_funding_gap(year: fw.Ledger) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    tracker = year.resolution_tracker("2024-H2")
    ax = tracker.plot()
    assert isinstance(ax, Axes)
    rows = tracker.rows
    assert [t.get_text() for t in ax.get_yticklabels()] == [r["resolution"] for r in rows]
    assert ax.get_title() == "Funding gap by resolution, 2024-H2"
    mobilized, gaps = ax.containers  # two stacked bar series, one bar per resolution, in row order
    assert len(mobilized) == len(gaps) == len(rows) == 15
    for row, m, g in zip(rows, mobilized, gaps):
        assert plotted(m.get_width()) == row["mobilized"], row["resolution"]
        assert plotted(g.get_x()) == row["mobilized"], f"{row['resolution']}: the gap starts where mobilized ends"
        assert plotted(g.get_width()) == (row["gap"] if row["gap"] is not None else 0), row["resolution"]
        assert m.get_y() == g.get_y()
    # The example year: 2/2 has a requirement of 3,000,000.00 and a gap of 84.24 %.
    by_id = {r["resolution"]: (m, g) for r, m, g in zip(rows, mobilized, gaps)}
    m22, g22 = by_id["2/2"]
    assert plotted(m22.get_width() + g22.get_width()) == Decimal("3000000.00")
    labels = [t.get_text() for t in ax.texts]
    assert labels.count("no requirement") == sum(r["requirement"] is None for r in rows)
    assert f"gap {next(r for r in rows if r['resolution'] == '2/2')['gap_pct']}%" in labels
    plt.close(ax.figure)


def test_the_window_statement_plots_inflows_and_allocations(year: fw.Ledger) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    statement = year.window_statement("2024-H2")
    fig, ax = plt.subplots()
    returned = statement.plot(ax=ax)
    assert returned is ax
    d = statement.data
    expected = [(f"{c['donor']} contribution", c["amount"]) for c in d["contributions"]]
    if d["transfers_in"] != 0:
        expected.append(("balance transfers in", d["transfers_in"]))
    if d["other_income"] != 0:
        expected.append(("other income (FX)", d["other_income"]))
    expected += [(f"allocated to {a['resolution']}", a["amount"]) for a in d["allocations"]]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    (bars,) = ax.containers
    assert [(label, plotted(bar.get_width())) for label, bar in zip(labels, bars)] == expected
    assert len(bars) == len(expected)
    # The example year's second half: the EU project's balance moves in, 600,000.00 is allocated.
    assert ("balance transfers in", d["transfers_in"]) in expected and d["transfers_in"] > 0
    assert sum(amount for label, amount in expected if label.startswith("allocated")) == Decimal("600000.00")
    assert [t.get_text() for t in ax.texts] == [f"{amount:,}" for _, amount in expected]
    plt.close(fig)
