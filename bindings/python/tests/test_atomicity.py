"""A failed apply or apply_batch leaves the ledger exactly as it was; idempotency keys apply once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Tuple

import pytest

import funding_window as fw


def state(ledger: fw.Ledger) -> Tuple[str, str, str, str, int]:
    return (
        ledger.trial_balance().to_json(),
        ledger.chain_head,
        ledger.to_journal(),
        ledger.resolution_tracker("2024-H2").to_json(),
        len(ledger),
    )


FAILING = [
    {"type": "record_receipt", "agreement": "CA-SE-2024-01", "amount": "99999999.00", "received_on": "2024-04-03"},
    {"type": "allocate", "id": "EB-X", "decided_on": "2024-11-02", "amount": "99999999.00", "policy": "equal",
     "approved_by": "Executive Director"},
    {"type": "allocate", "id": "EB-X", "decided_on": "2024-11-02", "amount": "10.00", "policy": "equal",
     "resolutions": ["2/5"], "source": {"earmarked": "2/4"}, "approved_by": "Executive Director"},
    {"type": "transfer_balance", "project": "P-EU-07", "transferred_on": "2024-08-01", "elected_on": "2024-07-15",
     "election_ref": "again"},
    {"type": "reverse", "entry": 1, "on": "2024-08-01", "reason": "registrations stay"},
    {"type": "register_donor", "id": "SE", "name": "Sweden", "kind": "member_state"},
    {"type": "record_receipt", "agreement": "CA-SE-2024-01", "amount": Decimal("NaN"), "received_on": "2024-04-03"},
]


@pytest.mark.parametrize("command", FAILING)
def test_a_failed_apply_changes_nothing(year: fw.Ledger, command: dict) -> None:
    before = state(year)
    with pytest.raises(fw.LedgerError):
        year.apply(command)
    assert state(year) == before


def test_a_type_error_changes_nothing(year: fw.Ledger) -> None:
    before = state(year)
    with pytest.raises(TypeError):
        year.record_receipt("CA-SE-2024-01", 12.5, "2024-04-03")  # type: ignore[arg-type]
    assert state(year) == before


@pytest.mark.parametrize("failing", FAILING)
def test_a_failed_batch_changes_nothing(year: fw.Ledger, failing: dict) -> None:
    before = state(year)
    good = [
        {"type": "set_requirement", "resolution": "2/7", "amount": "100.00"},
        {"type": "record_receipt", "agreement": "CA-SE-2024-01", "amount": "1000.00", "received_on": "2024-04-03"},
    ]
    with pytest.raises(fw.LedgerError) as info:
        year.apply_batch(good + [failing] + good[:1])
    assert info.value.index == 2
    assert state(year) == before


def test_a_type_error_in_a_batch_names_the_command_and_changes_nothing(year: fw.Ledger) -> None:
    before = state(year)
    batch = [
        {"type": "set_requirement", "resolution": "2/7", "amount": "100.00"},
        {"type": "set_requirement", "resolution": "2/8", "amount": 100.0},
    ]
    with pytest.raises(TypeError) as info:
        year.apply_batch(batch)
    assert getattr(info.value, "index") == 1
    assert state(year) == before


def test_a_failed_batch_leaves_the_journal_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    ledger = fw.Ledger.create(path)
    ledger.register_donor("NO", "Norway", "member_state")
    on_disk = path.read_bytes()
    with pytest.raises(fw.UnknownDonor):
        ledger.apply_batch([
            {"type": "register_donor", "id": "SE", "name": "Sweden", "kind": "member_state"},
            {"type": "sign_agreement", "id": "CA-1", "donor": "XX", "currency": "USD", "amount": "1.00",
             "signed_on": "2024-01-01", "psc_rate": "0.07", "elective_transfer": False,
             "purpose": {"window": {"earmarked_to": []}}},
        ])
    assert path.read_bytes() == on_disk
    assert fw.Ledger.open(path, read_only=True).chain_head == ledger.chain_head


def test_a_batch_sees_its_own_earlier_commands(ledger: fw.Ledger) -> None:
    applied = ledger.apply_batch([
        {"type": "register_donor", "id": "NO", "name": "Norway", "kind": "member_state"},
        {"type": "sign_agreement", "id": "CA-1", "donor": "NO", "currency": "USD", "amount": Decimal("500.00"),
         "signed_on": "2024-01-01", "psc_rate": "0.07", "elective_transfer": False,
         "purpose": {"window": {"earmarked_to": []}}},
        {"type": "record_receipt", "agreement": "CA-1", "amount": 500, "received_on": "2024-01-02"},
    ])
    assert [a.seq for a in applied] == [1, 2, 3]
    assert ledger.balance("assets:cash:USD") == Decimal("500.00")


def test_an_idempotency_key_applies_once(ledger: fw.Ledger) -> None:
    ledger.register_donor("NO", "Norway", "member_state")
    first = ledger.set_requirement("2/4", Decimal("100.00"), idempotency_key="req-2/4")
    again = ledger.set_requirement("2/4", Decimal("100.00"), idempotency_key="req-2/4")
    assert (again.duplicate, again.seq, again.hash) == (True, first.seq, first.hash)
    assert len(ledger) == 2
    head = ledger.chain_head
    with pytest.raises(fw.IdempotencyConflict):
        ledger.set_requirement("2/4", Decimal("200.00"), idempotency_key="req-2/4")
    assert ledger.chain_head == head


def test_batch_results_are_a_sequence_of_applied(ledger: fw.Ledger) -> None:
    import collections.abc

    results = ledger.apply_batch(
        [{"type": "register_donor", "id": f"D{i}", "name": f"Donor {i}", "kind": "other"} for i in range(5)]
    )
    assert isinstance(results, collections.abc.Sequence) and len(results) == 5
    assert [a.seq for a in results] == [1, 2, 3, 4, 5]
    assert results[-1].seq == 5 and [a.seq for a in results[1:4:2]] == [2, 4]
    assert results[0].hash != results[1].hash and results[4].hash == ledger.chain_head
    with pytest.raises(IndexError):
        results[5]
    assert repr(results) == "AppliedBatch(5 entries, seq 1..5)"


def test_large_batches_are_converted_and_parsed_in_parallel_with_the_same_errors(ledger: fw.Ledger) -> None:
    ledger.register_donor("NO", "Norway", "member_state")
    good = [{"type": "set_requirement", "resolution": "2/4", "amount": f"{i + 1}.00"} for i in range(10_000)]
    head = ledger.chain_head
    with pytest.raises(fw.InvalidCommand) as parse_error:
        ledger.apply_batch(good[:6000] + [{"type": "set_requirement"}] + good[:100])
    assert parse_error.value.index == 6000
    with pytest.raises(TypeError) as type_error:  # a conversion error wins over an earlier parse error
        ledger.apply_batch(good[:10] + [{"type": "nope"}] + good[:8000] + [{"type": 1.5}])
    assert getattr(type_error.value, "index") == 8011
    assert ledger.chain_head == head
    assert len(ledger.apply_batch(good)) == 10_000
