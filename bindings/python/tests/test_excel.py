"""The report pack as an Excel workbook, read back with openpyxl: every sheet is its report's table,
money is a number in its currency's decimals where Excel holds it exactly and flagged text where
not, dates are Excel dates, headers are frozen; the bytes are the same for the same books."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List

import openpyxl
import pytest

import funding_window as fw
from helpers import AT

GENERATED = dt.datetime(2025, 1, 15, 9, 30, tzinfo=dt.timezone.utc)

SHEETS = ["About", "Resolution tracker", "Window statement", "Donor statements", "Transfer register",
          "Allocation log", "Trial balance"]


def workbook(ledger: fw.Ledger, **kwargs: Any) -> openpyxl.Workbook:
    data = ledger.export_xlsx("2024-H2", GENERATED, **kwargs)
    return openpyxl.load_workbook(io.BytesIO(data))


def expected_cell(value: Any) -> Any:
    """A table cell as openpyxl reads it back when written exactly (numbers, dates, booleans, text)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return value


def read_back(cell: Any) -> Any:
    value = cell.value
    if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool) and cell.number_format != "0"):
        # The file holds the number as text; openpyxl reads it as a float: compare as the shortest
        # decimal of that float, which is the file's text.
        return Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)
    return value


def test_every_report_is_a_sheet_with_the_reports_table(year: fw.Ledger) -> None:
    book = workbook(year)
    assert book.sheetnames == SHEETS
    reports: Dict[str, Any] = {
        "Resolution tracker": year.resolution_tracker("2024-H2"),
        "Window statement": year.window_statement("2024-H2"),
        "Transfer register": year.transfer_register(),
        "Allocation log": year.allocation_log(),
        "Trial balance": year.trial_balance(),
    }
    for name, report in reports.items():
        sheet = book[name]
        rows = list(sheet.iter_rows())
        assert [c.value for c in rows[0]] == report.column_labels(), name
        assert len(rows) - 1 == len(report.rows), name
        for row, expected in zip(rows[1:], report.rows):
            got = [read_back(c) for c in row]
            want = [expected_cell(expected[n]) for n in report.column_names()]
            # Integers (entry numbers) come back as ints; empty cells as None.
            assert [g if not isinstance(g, Decimal) else g.normalize() for g in got] == \
                [w if not isinstance(w, Decimal) else w.normalize() for w in want], name
    donors = book["Donor statements"]
    donor_rows = sum(len(year.donor_statement(d["id"]).rows) for d in year.donors().rows)
    assert donors.max_row - 1 == donor_rows


def test_money_has_its_currencys_decimals_and_dates_are_dates(year: fw.Ledger) -> None:
    book = workbook(year)
    tracker = book["Resolution tracker"]
    labels = [c.value for c in tracker[1]]
    mobilized = tracker.cell(row=2, column=labels.index("Mobilized") + 1)
    assert mobilized.data_type == "n" and mobilized.number_format == "#,##0.00"
    row_2_2 = next(r for r in range(2, tracker.max_row + 1) if tracker.cell(row=r, column=3).value == "2/2")
    gap_pct = tracker.cell(row=row_2_2, column=labels.index("Gap %") + 1)
    assert gap_pct.number_format == "0.00"
    assert Decimal(repr(gap_pct.value)) == year.resolution_tracker("2024-H2").to_pandas().loc["2/2", "gap_pct"]
    register = book["Transfer register"]
    labels = [c.value for c in register[1]]
    rate = register.cell(row=2, column=labels.index("Rate") + 1)
    assert rate.value == 0.92 and rate.number_format == "0.0000"
    transferred = register.cell(row=2, column=labels.index("Transferred") + 1)
    assert transferred.is_date and transferred.value == dt.datetime(2024, 7, 20)
    assert transferred.number_format == "yyyy-mm-dd"
    entry = register.cell(row=2, column=labels.index("Entry") + 1)
    assert entry.value == year.transfer_register().rows[0]["entry"] and entry.number_format == "0"
    log = book["Allocation log"]
    reversal = log.cell(row=2, column=[c.value for c in log[1]].index("Reversal") + 1)
    assert reversal.value is False and reversal.data_type == "b"


def test_headers_are_frozen_and_columns_sized(year: fw.Ledger) -> None:
    book = workbook(year)
    for name in SHEETS[1:]:
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        assert all(c.font.bold for c in sheet[1]), name
    title = book["Resolution tracker"].column_dimensions["D"]
    assert 8 <= title.width <= 61


def test_an_amount_excel_cannot_hold_is_text_with_a_note(ledger: fw.Ledger) -> None:
    # 17 significant digits: a double holds it only to about 16, and Excel shows 15.
    huge = Decimal("123456789012345.67")
    ledger.register_donor("NO", "Norway", "member_state", recorded_at=AT)
    ledger.sign_agreement("CA-NO-1", "NO", "USD", huge, "2024-07-01", "0.07", False, recorded_at=AT)
    ledger.sign_agreement("CA-NO-2", "NO", "USD", Decimal("1250.10"), "2024-07-02", "0.07", False, recorded_at=AT)
    sheet = workbook(ledger)["Trial balance"]
    cells = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=3) for r in range(2, sheet.max_row + 1)}
    flagged = cells["assets:receivable:CA-NO-1"]
    assert flagged.data_type == "s" and flagged.value == "123456789012345.67"
    assert flagged.comment is not None and "123456789012345.67" in flagged.comment.text
    assert "15 significant digits" in flagged.comment.text
    assert flagged.alignment.horizontal == "right"
    window = cells["funds:window:unallocated"]  # -123456789012345.67 - 1250.10: text too
    assert window.data_type == "s" and Decimal(window.value) == -(huge + Decimal("1250.10"))
    exact = cells["assets:receivable:CA-NO-2"]
    assert exact.data_type == "n" and exact.comment is None and Decimal(repr(exact.value)) == Decimal("1250.1")


def test_the_same_books_give_the_same_bytes(year: fw.Ledger, tmp_path: Path) -> None:
    first = year.export_xlsx("2024-H2", GENERATED)
    assert first == year.export_xlsx("2024-H2", "2025-01-15T09:30:00Z")
    path = tmp_path / "pack.xlsx"
    year.to_excel(path, "2024-H2", GENERATED)
    assert path.read_bytes() == first
    about = openpyxl.load_workbook(path)["About"]
    values = {about.cell(row=r, column=1).value: about.cell(row=r, column=2).value for r in range(1, about.max_row + 1)}
    assert values["Period"] == "2024-H2" and values["Chain head"] == year.chain_head
    assert values["Generated at"] == "2025-01-15T09:30:00Z"


def test_options_and_the_journal_sheet(year: fw.Ledger) -> None:
    book = workbook(year, journal=True, as_of=dt.date(2024, 6, 30))
    journal = book["Journal"]
    assert [c.value for c in journal[1]][:3] == ["Entry", "Date", "Type"]
    assert journal.max_row - 1 == len(year.journal().rows)
    tb = book["Trial balance"]
    assert tb.max_row - 1 == len(year.trial_balance(dt.date(2024, 6, 30)).rows)
    ranged = openpyxl.load_workbook(io.BytesIO(year.export_xlsx((dt.date(2024, 7, 1), dt.date(2024, 9, 30)), GENERATED)))
    assert ranged["Resolution tracker"]["A2"].value == "2024-07-01/2024-09-30"


@pytest.mark.parametrize(
    "args, error",
    [
        (("2024-Q5", GENERATED), fw.InvalidArgument),
        (("2024-H2", dt.datetime(2025, 1, 15)), fw.ArgumentTypeError),  # naive: no time zone
        (("2024-H2", "yesterday"), fw.InvalidArgument),
    ],
)
def test_bad_options_are_typed_errors(year: fw.Ledger, args: Any, error: type) -> None:
    with pytest.raises(error):
        year.export_xlsx(*args)


def test_the_fixture_journal_gives_the_golden_pack() -> None:
    # The same file as the dashboard's Excel module makes (tests/fixtures/xlsx/README.md).
    from helpers import REPO
    import os

    golden = REPO / "tests" / "fixtures" / "xlsx" / "report-pack-2024-H2.xlsx"
    journal = (REPO / "tests" / "fixtures" / "window-year.jsonl").read_text(encoding="utf-8")
    pack = fw.Ledger.from_journal(journal).export_xlsx("2024-H2", "2025-01-15T09:00:00Z")
    if os.environ.get("FW_BLESS"):
        golden.write_bytes(pack)
    assert pack == golden.read_bytes()
