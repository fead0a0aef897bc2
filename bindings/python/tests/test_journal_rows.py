"""The journal report's DataFrame comes from the core's posting rows, cut at its snapshot."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import funding_window as fw
from helpers import AT, build_year


def frame_rows(journal: fw.Journal) -> list:
    frame = journal.to_pandas(decimals="object")
    return [tuple(row) for row in frame.itertuples(index=False)]


def rows_from_text(text: str) -> list:
    """The posting rows as read from the journal's JSON Lines (an independent reading)."""
    rows = []
    for line in text.splitlines()[1:]:
        e = json.loads(line)
        for p in e["postings"]:
            date = e.get("date")
            rows.append((e["seq"], date, e["recorded_at"], e.get("recorded_by"), e["command"]["type"],
                         p["account"], p["currency"], Decimal(p["amount"])))
    return rows


def test_the_frame_is_every_posting_of_the_journal(year: fw.Ledger) -> None:
    year.register_donor("CH", "Switzerland", "member_state", recorded_at=AT)  # no recorded_by: a null
    year.sign_agreement("CA-CH-1", "CH", "USD", Decimal("250.00"), "2024-12-01", "0.13", False, recorded_at=AT)
    journal = year.journal()
    got = [(s, d.isoformat() if d is not None else None, *rest) for s, d, *rest in frame_rows(journal)]
    assert got == rows_from_text(journal.to_jsonl())
    assert got[-1][3] is None and got[0][3] == "finance officer"


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
