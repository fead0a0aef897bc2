"""Exports (CSV, IATI 2.03, hledger): the golden files of tests/fixtures/exports/, byte for byte.

tests/fixtures/exports/README.md lists the call that makes each file from the main job's journal
(tests/fixtures/window-year.jsonl); the Python calls below are the same calls and must give the
same bytes. Reports' ``to_csv()`` is the core's CSV of the same report.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Tuple

import pytest

import funding_window as fw
from helpers import REPO

FIXTURES = REPO / "tests" / "fixtures"
GOLDEN = FIXTURES / "exports"
JOURNAL = FIXTURES / "window-year.jsonl"
GENERATED_AT = "2025-01-15T09:00:00Z"

# golden file -> the Python call that must produce it (the README's table)
EXPORTS: Dict[str, Callable[[fw.Ledger], str]] = {
    "trial_balance.csv": lambda L: L.export_csv("trial_balance"),
    "resolution_tracker-2024-H1.csv": lambda L: L.export_csv("resolution_tracker", period="2024-H1"),
    "resolution_tracker-2024-H2.csv": lambda L: L.export_csv("resolution_tracker", period="2024-H2"),
    "window_statement-2024-H1.csv": lambda L: L.export_csv("window_statement", period="2024-H1"),
    "window_statement-2024-H2.csv": lambda L: L.export_csv("window_statement", period="2024-H2"),
    "donor_statement.csv": lambda L: L.export_csv("donor_statement"),
    "transfer_register.csv": lambda L: L.export_csv("transfer_register"),
    "allocation_log.csv": lambda L: L.export_csv("allocation_log"),
    "journal.csv": lambda L: L.export_csv("journal"),
    "iati-activities.xml": lambda L: L.export_iati(GENERATED_AT),
    "window-year.journal": lambda L: L.export_hledger(),
}

# golden file -> the same bytes from a report object's to_csv()
REPORT_CSV: Dict[str, Callable[[fw.Ledger], str]] = {
    "trial_balance.csv": lambda L: L.trial_balance().to_csv(),
    "resolution_tracker-2024-H1.csv": lambda L: L.resolution_tracker("2024-H1").to_csv(),
    "resolution_tracker-2024-H2.csv": lambda L: L.resolution_tracker("2024-H2").to_csv(),
    "window_statement-2024-H1.csv": lambda L: L.window_statement("2024-H1").to_csv(),
    "window_statement-2024-H2.csv": lambda L: L.window_statement("2024-H2").to_csv(),
    "transfer_register.csv": lambda L: L.transfer_register().to_csv(),
    "allocation_log.csv": lambda L: L.allocation_log().to_csv(),
    "journal.csv": lambda L: L.journal().to_csv(),
}


@pytest.fixture(scope="module")
def window_year() -> fw.Ledger:
    """The main job's journal, replayed in memory."""
    return fw.Ledger.from_journal(JOURNAL.read_text(encoding="utf-8"))


@pytest.fixture
def on_file(tmp_path: Path) -> Iterator[fw.Ledger]:
    """The same journal opened as a file (exports then read the file)."""
    path = tmp_path / "window-year.jsonl"
    shutil.copyfile(JOURNAL, path)
    yield fw.Ledger.open(path)


def golden(name: str) -> bytes:
    return (GOLDEN / name).read_bytes()


def test_every_golden_file_has_its_call() -> None:
    files = {p.name for p in GOLDEN.iterdir() if p.name != "README.md" and not p.name.startswith(".")}
    assert files == set(EXPORTS)


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_exports_are_the_golden_bytes(window_year: fw.Ledger, name: str) -> None:
    text = EXPORTS[name](window_year)
    assert isinstance(text, str)
    assert text.encode("utf-8") == golden(name)


@pytest.mark.parametrize("name", ["journal.csv", "iati-activities.xml", "window-year.journal", "donor_statement.csv"])
def test_exports_of_a_ledger_on_a_file_are_the_same(on_file: fw.Ledger, name: str) -> None:
    assert EXPORTS[name](on_file).encode("utf-8") == golden(name)


@pytest.mark.parametrize("name", sorted(REPORT_CSV))
def test_report_to_csv_is_the_golden_bytes(window_year: fw.Ledger, name: str) -> None:
    assert REPORT_CSV[name](window_year).encode("utf-8") == golden(name)


def test_donor_statements_to_csv_make_up_the_all_donor_export(window_year: fw.Ledger) -> None:
    header, *rows = golden("donor_statement.csv").decode("utf-8").split("\r\n")
    combined = [header]
    for donor in window_year.donors().rows:
        csv = window_year.donor_statement(donor["id"]).to_csv()
        assert csv == window_year.export_csv("donor_statement", donor=donor["id"])
        first, *own = csv.split("\r\n")
        assert first == header
        combined += own[:-1]  # each ends in CRLF
    assert combined + [""] == [header] + rows


def test_dates_and_datetimes_are_accepted_as_the_contract_says(window_year: fw.Ledger) -> None:
    assert window_year.export_csv("trial_balance", as_of=dt.date(2024, 6, 30)) == window_year.export_csv(
        "trial_balance", as_of="2024-06-30"
    ) == window_year.trial_balance(dt.date(2024, 6, 30)).to_csv()
    assert window_year.export_csv("trial_balance", as_of=None) == window_year.export_csv("trial_balance")
    utc = dt.datetime(2025, 1, 15, 9, 0, tzinfo=dt.timezone.utc)
    nairobi = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    for generated_at in (utc, nairobi, "2025-01-15T12:00:00+03:00"):
        assert window_year.export_iati(generated_at).encode("utf-8") == golden("iati-activities.xml")


def test_iati_options_reach_the_core(window_year: fw.Ledger) -> None:
    xml = window_year.export_iati(
        GENERATED_AT, dt.date(2024, 6, 30), reporting_org_ref="XM-TEST-1", window_suffix="W",
        include_projects=False, language="fr", window_title="Guichet",
    )
    assert "<iati-identifier>XM-TEST-1-W</iati-identifier>" in xml
    assert "XM-TEST-1-P-EU" not in xml, "projects left out"
    assert 'xml:lang="fr"' in xml and "Guichet" in xml
    # Nothing after as_of: the H2 allocation is not in the file.
    assert "2024-11-01" not in xml and "2024-11-01" in window_year.export_iati(GENERATED_AT)


def test_the_csv_is_rfc_4180(window_year: fw.Ledger) -> None:
    ledger = fw.Ledger()
    ledger.register_donor("Q", 'Quoted "donor", with a comma', "other", recorded_at=GENERATED_AT)
    ledger.sign_agreement("CA-Q", "Q", "USD", Decimal("10.00"), "2024-01-02", "0.07", False,
                          recorded_at=GENERATED_AT)
    text = ledger.donor_statement("Q").to_csv()
    assert text.endswith("\r\n") and '"Quoted ""donor"", with a comma"' in text
    # Read back by an RFC 4180 reader: every record has the header's fields, the name is whole.
    import csv

    records = list(csv.reader(io.StringIO(text, newline="")))
    assert all(len(record) == len(records[0]) for record in records) and len(records) == 2
    assert dict(zip(records[0], records[1]))["name"] == 'Quoted "donor", with a comma'
    assert text.count("\r\n") == len(records) and "\n" not in text.replace("\r\n", "")


def test_to_csv_shows_the_books_of_its_report_after_the_ledger_moved_on(tmp_path: Path) -> None:
    for ledger in (fw.Ledger.from_journal(JOURNAL.read_text(encoding="utf-8")), fw.Ledger.open(copy(tmp_path))):
        tb, tracker, journal = ledger.trial_balance(), ledger.resolution_tracker("2024-H2"), ledger.journal()
        before = (tb.to_csv(), tracker.to_csv(), journal.to_csv())
        assert before == (golden("trial_balance.csv").decode(), golden("resolution_tracker-2024-H2.csv").decode(),
                          golden("journal.csv").decode())
        ledger.set_requirement("2/7", Decimal("12345.00"), recorded_at=GENERATED_AT)
        ledger.sign_agreement("CA-NO-2024-09", "NO", "USD", Decimal("10.00"), "2024-12-20", "0.07", False,
                              recorded_at=GENERATED_AT)
        assert (tb.to_csv(), tracker.to_csv(), journal.to_csv()) == before
        assert ledger.trial_balance().to_csv() != before[0]
        assert ledger.resolution_tracker("2024-H2").to_csv() != before[1]
        assert ledger.journal().to_csv().startswith(before[2]) and ledger.journal().to_csv() != before[2]


def copy(folder: Path) -> Path:
    path = folder / "copy.jsonl"
    shutil.copyfile(JOURNAL, path)
    return path


def test_reports_with_a_csv_form_are_csv_reports(year: fw.Ledger) -> None:
    with_csv = [year.trial_balance(), year.resolution_tracker("2024-H2"), year.window_statement("2024-H2"),
                year.donor_statement("EU"), year.transfer_register(), year.allocation_log(), year.journal()]
    for report in with_csv:
        assert isinstance(report, fw.CsvReport)
        header = report.to_csv().split("\r\n", 1)[0]
        assert header and "," in header
    for report in [year.resolutions(), year.donors(),
                   year.preview_allocation("EB-2", "2024-12-01", Decimal("100.00"), "equal", ["2/1", "2/9"])]:
        assert not isinstance(report, fw.CsvReport) and not hasattr(report, "to_csv")


EXPORT_ERRORS: Dict[str, Tuple[Callable[[fw.Ledger], Any], type, str]] = {
    "unknown report": (lambda L: L.export_csv("balance_sheet"), fw.InvalidArgument, "INVALID_ARGUMENT"),
    "missing period": (lambda L: L.export_csv("resolution_tracker"), fw.InvalidArgument, "INVALID_ARGUMENT"),
    "malformed period": (lambda L: L.export_csv("window_statement", period="2024-Q5"), fw.InvalidArgument,
                         "INVALID_ARGUMENT"),
    "argument the report does not take": (lambda L: L.export_csv("trial_balance", period="2024-H1"),
                                          fw.InvalidArgument, "INVALID_ARGUMENT"),
    "donor as a number": (lambda L: L.export_csv("donor_statement", donor=7), fw.InvalidArgument,
                          "INVALID_ARGUMENT"),
    "unknown donor": (lambda L: L.export_csv("donor_statement", donor="XX"), fw.UnknownDonor, "UNKNOWN_DONOR"),
    "malformed as_of": (lambda L: L.export_csv("trial_balance", as_of="2024-13-01"), fw.InvalidArgument,
                        "INVALID_ARGUMENT"),
    "as_of a datetime": (lambda L: L.export_csv("trial_balance", as_of=dt.datetime(2024, 6, 30)),
                         fw.ArgumentTypeError, "INVALID_ARGUMENT"),
    "as_of a float": (lambda L: L.export_csv("trial_balance", as_of=20240630.0), fw.ArgumentTypeError,
                      "INVALID_ARGUMENT"),
    "report name not a str": (lambda L: L.export_csv(7), fw.ArgumentTypeError, "INVALID_ARGUMENT"),
    "generated_at naive": (lambda L: L.export_iati(dt.datetime(2025, 1, 15, 9, 0)), fw.ArgumentTypeError,
                           "INVALID_ARGUMENT"),
    "generated_at a date": (lambda L: L.export_iati(dt.date(2025, 1, 15)), fw.ArgumentTypeError,
                            "INVALID_ARGUMENT"),
    "generated_at not RFC 3339": (lambda L: L.export_iati("15 January 2025"), fw.InvalidArgument,
                                  "INVALID_ARGUMENT"),
    "generated_at missing": (lambda L: L.export_iati(None), fw.InvalidArgument, "INVALID_ARGUMENT"),
    "as_of after generation": (lambda L: L.export_iati(GENERATED_AT, as_of="2025-01-16"), fw.InvalidArgument,
                               "INVALID_ARGUMENT"),
    "as_of a datetime (IATI)": (lambda L: L.export_iati(GENERATED_AT, as_of=dt.datetime(2024, 12, 31)),
                                fw.ArgumentTypeError, "INVALID_ARGUMENT"),
    "organisation ref with a space": (lambda L: L.export_iati(GENERATED_AT, reporting_org_ref="XM DAC"),
                                      fw.InvalidArgument, "INVALID_ARGUMENT"),
    "include_projects not a bool": (lambda L: L.export_iati(GENERATED_AT, include_projects="yes"),  # type: ignore
                                    fw.InvalidArgument, "INVALID_ARGUMENT"),
}


@pytest.mark.parametrize("name", sorted(EXPORT_ERRORS))
def test_export_errors_map_to_their_classes(year: fw.Ledger, name: str) -> None:
    call, error, code = EXPORT_ERRORS[name]
    head = year.chain_head
    with pytest.raises(fw.LedgerError) as info:
        call(year)
    assert type(info.value) is error and info.value.code == code
    if error is fw.ArgumentTypeError:
        assert isinstance(info.value, TypeError)
    assert year.chain_head == head


def test_unknown_keyword_arguments_of_export_iati_are_python_type_errors(year: fw.Ledger) -> None:
    with pytest.raises(TypeError):
        year.export_iati(GENERATED_AT, colour="red")  # type: ignore[call-arg]
