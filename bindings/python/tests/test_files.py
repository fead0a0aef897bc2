"""Journal files: save/open round trip, create and append, corruption, torn tails, recovery,
one writer per file (the lock), read-only ledgers following their writer."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import funding_window as fw

REPORTS = [
    lambda L: L.trial_balance(),
    lambda L: L.trial_balance("2024-06-30"),
    lambda L: L.resolution_tracker("2024-H1"),
    lambda L: L.resolution_tracker("2024-H2"),
    lambda L: L.window_statement("2024-H2"),
    lambda L: L.donor_statement("SE"),
    lambda L: L.donor_statement("EU"),
    lambda L: L.transfer_register(),
    lambda L: L.allocation_log(),
    lambda L: L.journal(),
]


def same_books(a: fw.Ledger, b: fw.Ledger) -> None:
    assert a.to_journal() == b.to_journal()
    assert a.chain_head == b.chain_head and len(a) == len(b)
    for report in REPORTS:
        assert report(a).to_json() == report(b).to_json()


def test_save_then_open_gives_the_same_books(year: fw.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "year.jsonl"
    year.save(path)
    assert path.read_text(encoding="utf-8") == year.to_journal()
    opened = fw.Ledger.open(path)
    same_books(year, opened)
    assert opened.path == str(path)
    assert year.path is None


def test_an_opened_ledger_appends_to_its_file(year: fw.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "year.jsonl"
    year.save(str(path))
    opened = fw.Ledger.open(path)
    opened.set_status("2/4", "under implementation", recorded_at="2025-01-15T09:00:00Z")
    again = fw.Ledger.open(path, read_only=True)
    same_books(opened, again)
    assert len(again) == len(year) + 1


def test_create_starts_a_journal_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "new.jsonl"
    ledger = fw.Ledger.create(path)
    ledger.register_donor("NO", "Norway", "member_state")
    assert fw.Ledger.open(path, read_only=True).chain_head == ledger.chain_head
    with pytest.raises(fw.IoError) as info:
        fw.Ledger.create(path)
    assert info.value.path == str(path)


def test_opening_a_missing_file_is_an_io_error(tmp_path: Path) -> None:
    with pytest.raises(fw.IoError):
        fw.Ledger.open(tmp_path / "missing.jsonl")


def test_an_altered_journal_is_refused_naming_its_line(year: fw.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "year.jsonl"
    year.save(path)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[9] = lines[9].replace("5000000.00", "5000001.00")
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(fw.JournalCorrupt) as info:
        fw.Ledger.open(path)
    assert info.value.line == 10


def test_a_torn_tail_is_reported_and_recovered_explicitly(year: fw.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "year.jsonl"
    year.save(path)
    complete = path.read_bytes()
    path.write_bytes(complete + b'{"seq":99,"da')
    with pytest.raises(fw.JournalTornTail) as info:
        fw.Ledger.open(path)
    assert info.value.line == len(year) + 2 and info.value.offset == len(complete)
    recovered, recovery = fw.Ledger.recover(path)
    assert recovery == {"dropped_bytes": 13, "dropped_from_line": len(year) + 2, "entries": len(year)}
    assert path.read_bytes() == complete
    same_books(year, recovered)


def test_from_journal_and_pickle_rebuild_the_books(year: fw.Ledger) -> None:
    same_books(year, fw.Ledger.from_journal(year.to_journal()))
    same_books(year, pickle.loads(pickle.dumps(year)))
    with pytest.raises(fw.JournalCorrupt):
        fw.Ledger.from_journal(year.to_journal().replace("Sweden", "Swedem"))


def test_the_journal_report_is_the_journal(year: fw.Ledger) -> None:
    journal = year.journal()
    assert journal.to_jsonl() == year.to_journal()
    lines = year.to_journal().splitlines()[1:]
    assert journal.to_json() == "[" + ",".join(lines) + "]"
    assert journal.entry_count == len(year) == len(journal.entries)
    assert journal.entries[0]["seq"] == 1 and journal.entries[-1]["hash"] == year.chain_head


# ----- one writer per journal file ------------------------------------------------------------


def test_a_second_writer_gets_journal_locked_and_the_file_is_untouched(year: fw.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "year.jsonl"
    year.save(path)
    writer = fw.Ledger.open(path)
    before = path.read_bytes()
    for attempt in (lambda: fw.Ledger.open(path), lambda: fw.Ledger.recover(path), lambda: fw.Ledger().save(path)):
        with pytest.raises(fw.JournalLocked) as info:
            attempt()
        assert info.value.code == "JOURNAL_LOCKED" and info.value.path == str(path)
    assert path.read_bytes() == before
    writer.set_status("2/4", "under implementation", recorded_at="2025-01-15T09:00:00Z")
    del writer  # the lock goes with the ledger
    assert len(fw.Ledger.open(path)) == len(year) + 1


SECOND_PROCESS = """
import sys
import funding_window as fw
path = sys.argv[1]
for name, attempt in [("open", lambda: fw.Ledger.open(path)), ("save", lambda: fw.Ledger().save(path))]:
    try:
        attempt()
        print(name, "ok")
    except fw.LedgerError as err:
        print(name, type(err).__name__, err.code)
reader = fw.Ledger.open(path, read_only=True)
print("entries", len(reader))
"""


def test_a_second_process_gets_journal_locked(year: fw.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "year.jsonl"
    year.save(path)
    writer = fw.Ledger.open(path)
    before = path.read_bytes()
    done = subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS, str(path)], capture_output=True, text=True, timeout=120, env=os.environ
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "open JournalLocked JOURNAL_LOCKED",
        "save JournalLocked JOURNAL_LOCKED",
        f"entries {len(year)}",
    ]
    assert path.read_bytes() == before
    assert writer.path == str(path)


def test_a_read_only_ledger_follows_its_writer(year: fw.Ledger, tmp_path: Path) -> None:
    path = tmp_path / "year.jsonl"
    year.save(path)
    writer = fw.Ledger.open(path)
    reader = fw.Ledger.open(path, read_only=True)
    assert reader.read_only and not writer.read_only and reader.store == str(path)
    with pytest.raises(fw.ReadOnly) as info:
        reader.set_status("2/4", "x")
    assert info.value.store == str(path)
    assert reader.refresh() == 0
    writer.set_status("2/4", "under implementation", recorded_at="2025-01-15T09:00:00Z")
    writer.apply_batch(
        [{"type": "register_donor", "id": d, "name": d, "kind": "other", "recorded_at": "2025-01-15T09:00:00Z"} for d in "ABC"]
    )
    assert reader.refresh() == 4
    same_books(writer, reader)


def test_a_path_that_is_not_a_regular_file_is_an_io_error(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    for path in (tmp_path, fifo):
        for attempt in (lambda: fw.Ledger.open(path), lambda: fw.Ledger.open(path, read_only=True), lambda: fw.Ledger().save(path)):
            with pytest.raises(fw.IoError) as info:
                attempt()
            assert "not a regular file" in info.value.message
