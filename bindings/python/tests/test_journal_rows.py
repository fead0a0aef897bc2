"""The journal report's DataFrame comes from the core's posting rows, cut at its snapshot."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd

import funding_window as fw
from helpers import AT, build_year


def frame_rows(journal: fw.Journal) -> list:
    frame = journal.to_pandas(decimals="object")
    return [tuple(row) for row in frame.itertuples(index=False)]


def frame_rows_plain(journal: fw.Journal) -> list:
    """The frame's rows with missing values as None (pandas shows them as pd.NA)."""
    return [tuple(None if v is pd.NA else v for v in row) for row in frame_rows(journal)]


def rows_from_text(text: str) -> list:
    """The posting rows as read from the journal's JSON Lines (an independent reading), in the
    columns of the journal's CSV."""
    rows = []
    for line in text.splitlines()[1:]:
        e = json.loads(line)
        reverses = e["command"]["entry"] if e["command"]["type"] == "reverse" else None
        for p in e["postings"]:
            rows.append((e["seq"], e.get("date"), e["command"]["type"], p["account"], p["currency"],
                         Decimal(p["amount"]), reverses, e["recorded_at"], e.get("recorded_by"),
                         e.get("idempotency_key"), e["hash"]))
    return rows


def test_the_frame_is_every_posting_of_the_journal(year: fw.Ledger) -> None:
    year.register_donor("CH", "Switzerland", "member_state", recorded_at=AT)  # no recorded_by: a null
    year.sign_agreement("CA-CH-1", "CH", "USD", Decimal("250.00"), "2024-12-01", "0.13", False, recorded_at=AT)
    year.record_receipt("CA-CH-1", Decimal("1.00"), "2024-12-02", idempotency_key="bank-77", recorded_at=AT)
    year.reverse(len(year), "2024-12-03", "entered twice", recorded_at=AT)
    journal = year.journal()
    got = [(s, d.isoformat() if d is not None else None, *rest) for s, d, *rest in frame_rows_plain(journal)]
    assert got == rows_from_text(journal.to_jsonl())
    assert got[-3][8] is None and got[0][8] == "finance officer"
    assert got[-1][6] == len(year) - 1 and got[-3][9] == "bank-77"
    # The frame and the CSV are the same table.
    csv_lines = journal.to_csv().splitlines()
    assert csv_lines[0].split(",") == list(journal.to_pandas().columns)
    assert len(csv_lines) == len(got) + 1


def test_a_snapshot_never_shows_later_entries(year: fw.Ledger) -> None:
    journal = year.journal()
    rows, csv, text = frame_rows(journal), journal.to_csv(), journal.to_json()
    year.record_receipt("CA-SE-2024-01", Decimal("1000.00"), "2024-04-03", recorded_at=AT)
    assert frame_rows(journal) == rows and journal.to_csv() == csv and journal.to_json() == text
    assert len(journal.entries) == journal.entry_count == len(year) - 1
    later = year.journal()
    assert len(frame_rows(later)) > len(rows) and frame_rows(later)[: len(rows)] == rows
    assert later.to_csv().startswith(csv)


def test_a_ledger_on_a_file_gives_the_same_frame(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    on_file = build_year(fw.Ledger.create(path))
    in_memory = build_year(fw.Ledger())
    assert frame_rows(on_file.journal()) == frame_rows(in_memory.journal())
    assert on_file.journal().to_pandas().equals(in_memory.journal().to_pandas())
    assert on_file.journal().to_csv() == in_memory.journal().to_csv() == in_memory.export_csv("journal")


def test_an_empty_journal_has_an_empty_frame() -> None:
    journal = fw.Ledger().journal()
    frame = journal.to_pandas()
    assert len(frame) == 0 and list(frame.columns) == list(fw.Journal.columns)
    assert journal.to_csv().startswith("seq,date,type,account,currency,amount")
