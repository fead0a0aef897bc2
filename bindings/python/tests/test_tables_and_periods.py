"""The core's report tables in Python (rows, DataFrames, HTML, CSV agree) and reports over any period."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

import funding_window as fw

WITH_TABLES: Dict[str, Callable[[fw.Ledger], Any]] = {
    "trial_balance": lambda L: L.trial_balance(),
    "resolution_tracker": lambda L: L.resolution_tracker("2024-H2"),
    "window_statement": lambda L: L.window_statement("2024-H2"),
    "donor_statement": lambda L: L.donor_statement("SE"),
    "transfer_register": lambda L: L.transfer_register(),
    "allocation_log": lambda L: L.allocation_log(),
}


def csv_text(value: Any) -> str:
    """A DataFrame cell as the core's CSV writes it (a missing value is an empty field)."""
    import pandas as pd

    if value is None or (isinstance(value, type(pd.NA)) or (isinstance(value, float) and value != value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@pytest.mark.parametrize("name", sorted(WITH_TABLES))
def test_to_pandas_and_to_csv_of_one_report_agree(year: fw.Ledger, name: str) -> None:
    report = WITH_TABLES[name](year)
    table = list(csv.reader(io.StringIO(report.to_csv(), newline="")))
    header, lines = table[0], table[1:]
    frame = report.to_pandas(decimals="object")
    assert list(frame.columns) == header == report.column_names()
    assert len(frame) == len(lines) == len(report.rows) > 0
    for line, (_, row) in zip(lines, frame.iterrows()):
        assert [csv_text(v) for v in row.tolist()] == line
    assert report.to_csv() == year.export_csv(name, **({"period": "2024-H2"} if "period" in header else {}) |
                                              ({"donor": "SE"} if name == "donor_statement" else {}))


def test_the_window_statement_rows_are_the_cores_line_items(year: fw.Ledger) -> None:
    statement = year.window_statement("2024-H2")
    items = [(r["section"], r["item"]) for r in statement.rows]
    assert items[0] == ("opening", "unallocated") and items[-1] == ("closing", "total")
    assert ("transfers_in", "total") in items and ("refunds", "total") in items
    assert all(r["period"] == "2024-H2" and r["currency"] == "USD" for r in statement.rows)


def test_columns_carry_the_cores_labels_and_kinds(year: fw.Ledger) -> None:
    tracker = year.resolution_tracker("2024-H2")
    labels = dict(zip(tracker.column_names(), tracker.column_labels()))
    assert labels["gap_pct"] == "Gap %" and labels["allocated_in_period"] == "Allocated in period"
    kinds = tracker.column_kinds()
    assert (kinds["gap_pct"], kinds["mobilized"], kinds["period"]) == ("percent", "amount", "period")
    html = tracker._repr_html_()
    assert '<th class="num" title="gap_pct">Gap %</th>' in html and "<caption>Resolution tracker" in html
    log = year.allocation_log().to_pandas()
    assert str(log["entry"].dtype) == "int64" and log["reversal"].dtype == bool
    assert year.allocation_log().rows[0]["source"] == "unallocated"


def test_the_preview_is_a_table_without_csv(year: fw.Ledger) -> None:
    preview = year.preview_allocation("EB-2", "2024-12-01", Decimal("100.00"), "equal", ["2/1", "2/9"])
    assert preview.column_names()[:3] == ["resolution", "title", "gap_before"]
    assert [r["share"] for r in preview.rows] == [Decimal("50.00"), Decimal("50.00")]
    assert preview.shares == {"2/1": Decimal("50.00"), "2/9": Decimal("50.00")}


@pytest.mark.parametrize(
    "period, start, end",
    [
        ("2024", "2024-01-01", "2024-12-31"),
        ("2024-H2", "2024-07-01", "2024-12-31"),
        ("2024-Q4", "2024-10-01", "2024-12-31"),
        ("2024-11", "2024-11-01", "2024-11-30"),
    ],
)
def test_every_named_period_is_a_report_period(year: fw.Ledger, period: str, start: str, end: str) -> None:
    tracker = year.resolution_tracker(period)
    assert tracker.period == period and tracker.data["period"] == period
    same = year.resolution_tracker({"from": start, "to": end})
    assert same.data["period"] == {"from": start, "to": end} and same.period == f"{start}/{end}"
    # Same days, same amounts: only the period's name differs.
    assert [r[1:] for r in same.to_pandas(decimals="object").itertuples(index=False)] == [
        r[1:] for r in tracker.to_pandas(decimals="object").itertuples(index=False)
    ]


def test_a_range_may_be_a_dict_or_a_pair_of_dates_or_text(year: fw.Ledger) -> None:
    text = year.window_statement({"from": "2024-11-01", "to": "2024-11-30"}).to_json()
    assert year.window_statement({"from": dt.date(2024, 11, 1), "to": dt.date(2024, 11, 30)}).to_json() == text
    assert year.window_statement((dt.date(2024, 11, 1), "2024-11-30")).to_json() == text
    assert year.window_statement(["2024-11-01", "2024-11-30"]).to_json() == text
    assert '"period":{"from":"2024-11-01","to":"2024-11-30"}' in text
    csv_text = year.export_csv("window_statement", period=(dt.date(2024, 11, 1), dt.date(2024, 11, 30)))
    assert csv_text == year.window_statement("2024-11").to_csv().replace("2024-11,", "2024-11-01/2024-11-30,")


@pytest.mark.parametrize(
    "period",
    ["2024-Q5", "2024-13", "24", {"from": "2024-09-30", "to": "2024-07-01"}, {"from": "2024-07-01"},
     {"from": "2024-07-01", "to": "2024-07-31", "step": "month"}, ("2024-07-01", "2024-02-30")],
)
def test_a_malformed_period_is_invalid_argument_naming_it(year: fw.Ledger, period: Any) -> None:
    with pytest.raises(fw.InvalidArgument) as info:
        year.resolution_tracker(period)
    assert info.value.code == "INVALID_ARGUMENT" and info.value.details["name"] == "period"


@pytest.mark.parametrize("period", [2024, None, ("2024-07-01",), (dt.datetime(2024, 7, 1), "2024-07-31"), {1: "x"}])
def test_a_period_of_another_type_is_an_argument_type_error(year: fw.Ledger, period: Any) -> None:
    with pytest.raises(fw.ArgumentTypeError) as info:
        year.window_statement(period)
    assert info.value.code == "INVALID_ARGUMENT" and isinstance(info.value, TypeError)


def test_the_keyword_methods_follow_the_contract() -> None:
    # Generated from the core: every command has its method, taking every field of the command.
    for name in fw.COMMAND_TYPES:
        assert callable(getattr(fw.Ledger, name)), name
    import inspect

    params = inspect.signature(fw.Ledger.record_expenditure).parameters
    assert list(params)[:3] == ["self", "amount", "spent_on"]
    assert {"project", "resolution", "description", "currency", "idempotency_key"} <= set(params)
    assert params["project"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["amount"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD


def test_mypy_checks_a_command_written_as_a_dict(tmp_path: Path) -> None:
    good = 'ledger.apply({"type": "record_receipt", "agreement": "CA-1", "amount": "5.00", "received_on": "2024-04-02"})'
    bad_float = 'ledger.apply({"type": "record_receipt", "agreement": "CA-1", "amount": 5.0, "received_on": "2024-04-02"})'
    bad_field = 'ledger.apply({"type": "record_receipt", "agreement": "CA-1", "amount": "5.00", "receivedon": "2024-04-02"})'
    bad_kind = 'ledger.apply({"type": "register_donor", "id": "SE", "name": "Sweden", "kind": "state"})'
    results: List[int] = []
    for line in [good, bad_float, bad_field, bad_kind]:
        path = tmp_path / "usage.py"
        path.write_text(textwrap.dedent(f"""\
            import funding_window as fw
            ledger = fw.Ledger()
            {line}
            """))
        run = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
                             capture_output=True, text=True)
        results.append(run.returncode)
    assert results == [0, 1, 1, 1], results
