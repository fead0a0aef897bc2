"""Commands from spreadsheets: CSV files, Excel workbooks and DataFrames as pd.read_csv gives them.
Amounts never pass through floats; errors name the row (as the spreadsheet shows it) and the
column; a sheet is applied all or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, List

import numpy as np
import openpyxl
import pandas as pd
import pytest

import funding_window as fw
from helpers import AT, build_year

RECEIPTS = (
    "agreement,amount,received_on,reference,recorded_at\r\n"
    f"CA-SE-2024-01,1000000.00,2024-05-02,SEB ref 2,{AT}\r\n"
    f"CA-SE-2024-01,250000.50,2024-05-03,,{AT}\r\n"
)


def snapshot(ledger: fw.Ledger) -> tuple:
    return len(ledger), ledger.chain_head


@pytest.fixture
def seeded() -> fw.Ledger:
    ledger = build_year(fw.Ledger())
    ledger.set_rate("SEK", "2024-05", Decimal("10.7000"), recorded_at=AT)
    return ledger


def test_every_command_type_has_a_template_from_the_contract(tmp_path: Path) -> None:
    for command in fw.COMMAND_TYPES:
        columns = fw.sheet_columns(command)
        names = [c.name for c in columns]
        assert names[-3:] == ["idempotency_key", "recorded_by", "recorded_at"], command
        assert len(set(names)) == len(names)
        template = tmp_path / f"{command}.csv"
        fw.write_template(command, template)
        assert template.read_text().strip() == ",".join(names)
    agreement = {c.name: c for c in fw.sheet_columns("sign_agreement")}
    assert agreement["amount"].kind == "decimal" and agreement["amount"].required
    assert agreement["earmarked_to"].kind == "list" and not agreement["project"].required
    assert fw.sheet_columns("allocate")[3].choices == ("explicit", "equal", "gap_pro_rata", "weights") or \
        "gap_pro_rata" in fw.sheet_columns("allocate")[3].choices
    with pytest.raises(fw.InvalidCommand):
        fw.sheet_columns("record_reciept")


def test_a_csv_file_is_applied_as_one_batch(seeded: fw.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "receipts.csv"
    path.write_text(RECEIPTS, newline="")
    commands = fw.read_commands(path, "record_receipt")
    assert commands[1] == {"type": "record_receipt", "agreement": "CA-SE-2024-01", "amount": "250000.50",
                           "received_on": "2024-05-03", "recorded_at": AT}
    before = seeded.donor_statement("SE").rows[0]["received"]
    applied = seeded.apply_sheet(path, "record_receipt")
    assert len(applied) == 2
    assert seeded.donor_statement("SE").rows[0]["received"] == before + Decimal("1250000.50")


def test_a_mixed_sheet_names_each_rows_type(ledger: fw.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "year.csv"
    path.write_text(
        "type,id,name,kind,donor,currency,amount,signed_on,psc_rate,elective_transfer,earmarked_to,project,resolution\n"
        "register_donor,NO,Norway,member_state,,,,,,,,,\n"
        "sign_agreement,CA-NO-1,,,NO,USD,900000.00,2024-02-01,0.07,false,2/2;2/9,,\n"
        "\n"
        "sign_agreement,CA-NO-2,,,NO,USD,500.00,2024-02-02,0.07,TRUE,,P-NO-1,2/6\n"
    )
    ledger.apply_sheet(path)
    statement = ledger.donor_statement("NO").rows
    assert [(a["agreement"], a["purpose"], a["resolutions"]) for a in statement] == [
        ("CA-NO-1", "window", "2/2;2/9"), ("CA-NO-2", "project", "2/6")]


def test_a_dataframe_as_read_csv_gives_it(seeded: fw.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "receipts.csv"
    path.write_text(RECEIPTS, newline="")
    frame = pd.read_csv(path, dtype=str)
    assert frame["reference"].isna().iloc[1]  # NaN for the empty cell: an absent field
    seeded.apply_sheet(frame, "record_receipt")
    assert seeded.journal().entries[-1]["command"]["amount"] == Decimal("250000.50")
    assert "reference" not in seeded.journal().entries[-1]["command"]


def test_default_read_csv_types_are_taken_exactly_or_refused(seeded: fw.Ledger) -> None:
    # Integers (np.int64) are exact money; whole-number fields take them too; dates as Timestamps.
    frame = pd.DataFrame({"agreement": ["CA-SE-2024-01"], "amount": np.array([1000], dtype=np.int64),
                          "received_on": [pd.Timestamp("2024-05-02")], "recorded_at": [AT]})
    assert fw.read_commands(frame, "record_receipt")[0]["amount"] == "1000"
    reversal = pd.DataFrame({"entry": [np.int64(9), np.nan], "on": ["2024-12-20", None], "reason": ["typo", None]})
    assert fw.read_commands(reversal.iloc[:1], "reverse")[0]["entry"] == 9
    # 12.5 parsed as float64: refused, naming the row and the column.
    floats = pd.read_csv(pd.io.common.StringIO("agreement,amount,received_on\nCA-SE-2024-01,100,2024-05-02\n"
                                               "CA-SE-2024-01,12.5,2024-05-03\n"))
    assert floats["amount"].dtype == "float64"
    before = snapshot(seeded)
    with pytest.raises(fw.CommandTypeError) as info:
        seeded.apply_sheet(floats, "record_receipt")
    err = info.value
    assert (err.row, err.column, err.index, err.label) == (2, "amount", 0, 0)  # 100.0 is a float too
    assert isinstance(err, TypeError) and err.code == "INVALID_COMMAND"
    assert "dtype=str" in str(err) and str(err).startswith("row 2, column amount:")
    assert snapshot(seeded) == before
    timed = pd.DataFrame({"agreement": ["CA-SE-2024-01"], "amount": ["5.00"],
                          "received_on": [pd.Timestamp("2024-05-02 13:30")]})
    with pytest.raises(fw.CommandTypeError, match="time of day") as info:
        fw.read_commands(timed, "record_receipt")
    assert info.value.column == "received_on"


def test_an_error_names_the_row_and_column_and_nothing_is_applied(seeded: fw.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "receipts.csv"
    path.write_text(
        "agreement,amount,received_on\n"
        "CA-SE-2024-01,1000.00,2024-05-02\n"
        "CA-SE-2024-01,10.001,2024-05-03\n",  # more decimals than SEK has: the core refuses it
    )
    before = snapshot(seeded)
    with pytest.raises(fw.PrecisionExceeded) as info:
        seeded.apply_sheet(path, "record_receipt")
    assert (info.value.row, info.value.column, info.value.index) == (3, "amount", 1)
    assert str(info.value).startswith("row 3, column amount:")
    assert snapshot(seeded) == before  # the first row was not applied either
    path.write_text("agreement,amount,received_on\nCA-SE-2024-01,1000.00,2/5/2024\n")
    with pytest.raises(fw.InvalidCommand) as info:
        seeded.apply_sheet(path, "record_receipt")
    assert (info.value.row, info.value.column) == (2, "received_on")
    path.write_text("agreement,amount,received_on,refrence\nCA-SE-2024-01,1.00,2024-05-02,x\n")
    with pytest.raises(fw.InvalidCommand, match="not a column of record_receipt") as info:
        seeded.apply_sheet(path, "record_receipt")
    assert info.value.column == "refrence"
    path.write_text("agreement,amount,received_on\nCA-XX,1.00,2024-05-02\n")
    with pytest.raises(fw.UnknownAgreement) as info:
        seeded.apply_sheet(path, "record_receipt")
    assert (info.value.row, info.value.column, info.value.agreement) == (2, None, "CA-XX")
    assert snapshot(seeded) == before


def excel(path: Path, rows: List[List[Any]], text_columns: int = 0) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.number_format = "@"
    book.save(path)
    return path


def test_excel_money_must_be_text_cells(seeded: fw.Ledger, tmp_path: Path) -> None:
    header = ["agreement", "amount", "received_on", "recorded_at"]
    good = excel(tmp_path / "good.xlsx", [header, ["CA-SE-2024-01", "1000.00", dt.datetime(2024, 5, 2), AT]])
    assert fw.read_commands(good, "record_receipt")[0]["received_on"] == "2024-05-02"
    before = snapshot(seeded)
    for number in (1000, 1000.5):
        bad = excel(tmp_path / "bad.xlsx", [header, ["CA-SE-2024-01", "5.00", "2024-05-02", AT],
                                            ["CA-SE-2024-01", number, "2024-05-03", AT]])
        with pytest.raises(fw.CommandTypeError) as info:
            seeded.apply_sheet(bad, "record_receipt")
        assert (info.value.row, info.value.column) == (3, "amount")
        assert "text" in str(info.value)
    assert snapshot(seeded) == before
    seeded.apply_sheet(good, "record_receipt")
    assert len(seeded) == before[0] + 1


def test_the_excel_template_keeps_typed_amounts_as_text(tmp_path: Path) -> None:
    path = tmp_path / "receipts.xlsx"
    fw.write_template("record_receipt", path)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header == [c.name for c in fw.sheet_columns("record_receipt")]
    assert sheet["B2"].number_format == "@" and sheet.freeze_panes == "A2"
    assert sheet["B1"].comment is not None and "Required" in sheet["B1"].comment.text
    assert sheet["B1"].font.bold and not sheet["D1"].font.bold  # amount required, reference not


# Wrong arguments to the spreadsheet functions: each is a LedgerError of its own class (never a
# plain TypeError, OSError or UnicodeEncodeError), and nothing is applied.
WRONG = [None, 1250.5, 7, True, b"receipts.csv", "x\ud800", ["receipts.csv"], object()]


def test_wrong_arguments_are_typed_errors(seeded: fw.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "receipts.csv"
    path.write_text(RECEIPTS, newline="")
    before = snapshot(seeded)
    calls = {
        "source": lambda v: seeded.apply_sheet(v, "record_receipt"),
        "command": lambda v: seeded.apply_sheet(path, v),
        "sheet": lambda v: seeded.apply_sheet(path, "record_receipt", sheet=v),
        "read_commands(source)": lambda v: fw.read_commands(v, "record_receipt"),
        "sheet_columns(command)": lambda v: fw.sheet_columns(v),
        "write_template(command)": lambda v: fw.write_template(v, tmp_path / "t.csv"),
        "write_template(path)": lambda v: fw.write_template("record_receipt", v),
        "to_excel(path)": lambda v: seeded.to_excel(v, "2024-H2", dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)),
    }
    for what, run in calls.items():
        for value in WRONG:
            if what in ("command", "sheet") and value is None:
                continue  # optional: the sheet's type column, the workbook's first worksheet
            with pytest.raises(fw.LedgerError) as info:
                run(value)
            error = info.value
            if isinstance(value, str):  # a lone surrogate: no file or command type has one
                assert type(error) in (fw.InvalidArgument, fw.InvalidCommand), (what, error)
            else:
                assert type(error) is fw.ArgumentTypeError, (what, value, error)
    assert snapshot(seeded) == before
    with pytest.raises(fw.IoError) as info:
        seeded.apply_sheet(tmp_path / "missing.csv", "record_receipt")
    assert info.value.path.endswith("missing.csv")
    with pytest.raises(fw.IoError):
        seeded.to_excel(tmp_path / "no-such-directory" / "pack.xlsx", "2024-H2")
    with pytest.raises(fw.InvalidArgument) as info:
        seeded.apply_sheet(path, "record_receipt", sheet="Receipts")
    assert info.value.name == "sheet"
    book = excel(tmp_path / "receipts.xlsx", [["agreement", "amount", "received_on"]])
    with pytest.raises(fw.InvalidArgument, match="no such worksheet") as info:
        seeded.apply_sheet(book, "record_receipt", sheet="Receipts")
    assert info.value.name == "sheet"
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip archive")
    with pytest.raises(fw.InvalidArgument, match="not an Excel workbook") as info:
        seeded.apply_sheet(tmp_path / "broken.xlsx", "record_receipt")
    assert info.value.name == "source"
    (tmp_path / "latin1.csv").write_bytes("agreement,amount,received_on\nCA-\xe9,1.00,2024-05-02\n".encode("latin-1"))
    with pytest.raises(fw.InvalidArgument, match="UTF-8") as info:
        seeded.apply_sheet(tmp_path / "latin1.csv", "record_receipt")
    assert snapshot(seeded) == before
