"""DataFrames an analyst can compute with: each pandas operation on money is checked against the
same arithmetic in ``decimal.Decimal`` on the report's rows; dates are datetime64; polars too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, List, Optional

import pandas as pd
import polars as pl
import pytest

import funding_window as fw
from helpers import AT

MONEY = ["requirement", "mobilized", "gap", "allocated_in_period", "allocated_to_date"]


def column(rows: List[dict], name: str) -> List[Optional[Decimal]]:
    return [r[name] for r in rows]


def plain(values: Any) -> List[Any]:
    """A Series' values with pandas' missing marker as None."""
    return [None if v is pd.NA else v for v in values]


@pytest.fixture
def tracker(year: fw.Ledger) -> fw.ResolutionTracker:
    return year.resolution_tracker("2024-H2")


def test_money_columns_are_exact_decimals_with_missing_values(tracker: fw.ResolutionTracker) -> None:
    df = tracker.to_pandas()
    for name in MONEY + ["gap_pct"]:
        assert str(df[name].dtype) == "decimal", name
        assert plain(df[name]) == column(tracker.rows, name), name
    # 1/1 has no requirement: its requirement, gap and gap % are missing, not zero.
    assert df.loc["1/1", "requirement"] is pd.NA and df["gap"].isna().sum() == 10


def test_addition_and_subtraction(tracker: fw.ResolutionTracker) -> None:
    df = tracker.to_pandas()
    rows = tracker.rows
    total = df["mobilized"] + df["gap"]
    assert str(total.dtype) == "decimal"
    expected = [None if r["gap"] is None else r["mobilized"] + r["gap"] for r in rows]
    assert plain(total) == expected
    # Where there is a requirement, mobilized + gap is at least the requirement (gap floors at 0).
    assert all(t >= r["requirement"] for t, r in zip(plain(total), rows) if t is not None)
    difference = df["allocated_to_date"] - df["allocated_in_period"]
    assert plain(difference) == [r["allocated_to_date"] - r["allocated_in_period"] for r in rows]
    assert plain(-df["mobilized"]) == [-r["mobilized"] for r in rows]
    assert plain(df["mobilized"] + Decimal("0.01")) == [r["mobilized"] + Decimal("0.01") for r in rows]


def test_multiplication_by_an_int(tracker: fw.ResolutionTracker) -> None:
    df = tracker.to_pandas()
    expected = [None if r["gap"] is None else r["gap"] * 2 for r in tracker.rows]
    assert plain(df["gap"] * 2) == expected and plain(2 * df["gap"]) == expected
    import numpy as np

    assert plain(df["gap"] * np.int64(3)) == [None if g is None else g * 3 for g in column(tracker.rows, "gap")]


def test_sums_are_exact_even_where_floats_are_not() -> None:
    # 0.10 + 0.20 is 0.30000000000000004 in binary floating point; ten million cents of 0.10 too.
    values = [Decimal("0.10"), Decimal("0.20")] * 50_000
    series = pd.Series(fw.DecimalArray._from_sequence(values))
    assert series.sum() == Decimal("15000.00") and sum(float(v) for v in values) != 15000.0
    big = pd.Series(fw.DecimalArray._from_sequence([Decimal("999999999999999.99")] * 3))
    assert big.sum() == Decimal("2999999999999999.97")  # 18 digits: beyond a float's 15 to 17


def test_sum_and_cumsum(tracker: fw.ResolutionTracker) -> None:
    df = tracker.to_pandas()
    rows = tracker.rows
    assert df["mobilized"].sum() == sum(column(rows, "mobilized"), Decimal(0))
    assert df["gap"].sum() == sum((g for g in column(rows, "gap") if g is not None), Decimal(0))
    running, expected = Decimal(0), []
    for r in rows:
        if r["gap"] is None:
            expected.append(None)
        else:
            running += r["gap"]
            expected.append(running)
    assert plain(df["gap"].cumsum()) == expected
    assert df["allocated_in_period"].cumsum().iloc[-1] == Decimal("600000.00")


def test_comparisons(tracker: fw.ResolutionTracker) -> None:
    df = tracker.to_pandas()
    big_gap = df["gap"] > Decimal("1000000")
    assert str(big_gap.dtype) == "boolean"
    assert plain(big_gap) == [None if r["gap"] is None else r["gap"] > Decimal("1000000") for r in tracker.rows]
    assert list(df[df["gap"] > 1_000_000].index) == [r["resolution"] for r in tracker.rows
                                                      if r["gap"] is not None and r["gap"] > 1_000_000]
    assert (df["mobilized"] == df["mobilized"]).all()


def test_describe_summarises_without_touching_the_money(tracker: fw.ResolutionTracker) -> None:
    df = tracker.to_pandas()
    before = plain(df["mobilized"])
    summary = df.describe()
    assert set(MONEY) <= set(summary.columns)
    gaps = [g for g in column(tracker.rows, "gap") if g is not None]
    assert summary.loc["count", "gap"] == len(gaps)
    # The summary is pandas' Float64 (pandas makes every numeric summary a float), computed
    # from the exact values: the mean is Decimal arithmetic, then shown as a float.
    assert summary.loc["mean", "gap"] == float(sum(gaps, Decimal(0)) / len(gaps))
    assert summary.loc["max", "requirement"] == 3_000_000.0
    assert plain(df["mobilized"]) == before and str(df["mobilized"].dtype) == "decimal"
    assert df["gap"].mean() == sum(gaps, Decimal(0)) / len(gaps) and isinstance(df["gap"].mean(), Decimal)
    assert isinstance(df["gap"].std(), Decimal)


def test_groupby_sum(year: fw.Ledger) -> None:
    journal = year.journal()
    df = journal.to_pandas()
    sums = df.groupby(["account", "currency"])["amount"].sum()
    expected: dict = {}
    for r in journal.rows:
        key = (r["account"], r["currency"])
        expected[key] = expected.get(key, Decimal(0)) + r["amount"]
    assert {k: v for k, v in sums.items()} == expected
    assert str(sums.dtype) == "decimal"
    # The trial balance is the same sums, less the zero ones.
    tb = {(r["account"], r["currency"]): r["balance"] for r in year.trial_balance().rows}
    assert {k: v for k, v in expected.items() if v != 0} == tb
    by_type = df.groupby("type")["amount"].agg(["sum", "min", "max"])
    assert by_type.loc["record_receipt", "max"] == max(r["amount"] for r in journal.rows if r["type"] == "record_receipt")


def test_a_float_never_becomes_money(tracker: fw.ResolutionTracker) -> None:
    df = tracker.to_pandas()
    with pytest.raises(TypeError, match="float"):
        df["gap"] * 1.5
    with pytest.raises(TypeError, match="float"):
        df["gap"] + 0.1
    # Asked for explicitly, a float copy is allowed (charts), and leaves the column as it was.
    floats = df["mobilized"].astype(float)
    assert floats.dtype == "float64" and str(df["mobilized"].dtype) == "decimal"


def test_dates_are_datetime64_for_filters_and_resampling(year: fw.Ledger) -> None:
    df = year.journal().to_pandas()
    assert str(df["date"].dtype) == "datetime64[s]"
    second_half = df[df["date"] >= pd.Timestamp("2024-07-01")]
    assert len(second_half) == sum(1 for r in year.journal().rows if r["date"] is not None
                                   and r["date"] >= dt.date(2024, 7, 1))
    # Registrations have no value date: NaT, left out of date filters and resampling.
    assert df["date"].isna().sum() == sum(1 for r in year.journal().rows if r["date"] is None)
    cash = df[df["account"] == "assets:cash:USD"].set_index("date")["amount"]
    quarterly = cash.resample("QE").sum()
    expected: dict = {}
    for r in year.journal().rows:
        if r["account"] == "assets:cash:USD":
            quarter_end = pd.Timestamp(r["date"]) + pd.offsets.QuarterEnd(0)
            expected[quarter_end] = expected.get(quarter_end, Decimal(0)) + r["amount"]
    assert {k: v for k, v in quarterly.items() if k in expected} == expected


def test_reports_are_indexed_by_what_identifies_a_row(year: fw.Ledger) -> None:
    assert list(year.resolution_tracker("2024").to_pandas().index[:2]) == ["1/1", "1/2"]
    assert year.donor_statement("SE").to_pandas().index.name == "agreement"
    assert year.transfer_register().to_pandas().index.name == "entry"
    tb = year.trial_balance().to_pandas()
    assert tb.index.names == ["account", "currency"]
    assert tb.loc[("assets:cash:USD", "USD"), "balance"] == year.balance("assets:cash:USD", "USD")
    statement = year.window_statement("2024-H2").to_pandas()
    assert statement.loc[("closing", "total"), "amount"] == year.window_statement("2024-H2").data["closing"]["total"]
    # index=False keeps the CSV's columns in their order.
    assert list(year.resolution_tracker("2024").to_pandas(index=False).columns) == \
        year.resolution_tracker("2024").column_names()


def test_polars_frames_are_exact(year: fw.Ledger) -> None:
    tracker = year.resolution_tracker("2024-H2")
    frame = tracker.to_polars()
    assert frame.columns == tracker.column_names()
    assert frame.schema["gap"] == pl.Decimal(38, 2) and frame.schema["period"] == pl.String
    assert frame["gap"].to_list() == column(tracker.rows, "gap")
    assert frame["mobilized"].sum() == sum(column(tracker.rows, "mobilized"), Decimal(0))
    journal = year.journal().to_polars()
    assert journal.schema["date"] == pl.Date and journal.schema["reverses"] == pl.Int64
    assert journal.columns == list(fw.Journal.columns)
    assert journal["amount"].to_list() == [r["amount"] for r in year.journal().rows]
    assert journal.filter(pl.col("date") >= dt.date(2024, 7, 1)).height == \
        sum(1 for r in year.journal().rows if r["date"] is not None and r["date"] >= dt.date(2024, 7, 1))
    register = year.transfer_register().to_polars()
    assert register["rate"].dtype == pl.Decimal(38, 4) and register["rate"].to_list() == [Decimal("0.9200")]


def test_an_empty_report_has_typed_empty_columns() -> None:
    ledger = fw.Ledger()
    log = ledger.allocation_log().to_pandas()
    assert len(log) == 0 and str(log["amount"].dtype) == "decimal" and log["amount"].sum() == 0
    assert str(log["date"].dtype) == "datetime64[s]"
    ledger.register_donor("NO", "Norway", "member_state", recorded_at=AT)
    assert len(ledger.journal().to_pandas()) == 0 and ledger.journal().to_polars().height == 0
