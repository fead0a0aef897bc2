"""Every core error code has its exception class, and real inputs raise each of them."""

from __future__ import annotations

import os
import pickle
import tempfile
from decimal import Decimal as D
from typing import Any, Callable, Dict

import pytest

import funding_window as fw
from funding_window import errors


def test_every_core_code_has_an_explicit_class() -> None:
    # The exhaustiveness check: a code added to the core fails here until its class exists.
    assert fw._MISSING_ERROR_CLASSES == []
    assert set(fw.ERROR_CODES) == set(fw.ERROR_CLASSES)
    for code in fw.ERROR_CODES:
        cls = fw.ERROR_CLASSES[code]
        assert cls.__name__ == errors.class_name_for_code(code)
        assert cls.code == code
        assert issubclass(cls, fw.LedgerError) and issubclass(cls, ValueError)
        assert getattr(fw, cls.__name__) is cls, f"funding_window.{cls.__name__} is exported"
        assert cls.__name__ in fw.__all__
        assert cls.__doc__


def test_class_names_follow_the_codes() -> None:
    assert errors.class_name_for_code("INSUFFICIENT_FUNDS") == "InsufficientFunds"
    assert errors.class_name_for_code("IO_ERROR") == "IoError"
    assert fw.IoError.code == "IO_ERROR"


def base() -> fw.Ledger:
    ledger = fw.Ledger()
    ledger.register_donor("SE", "Sweden", "member_state")
    ledger.register_donor("EU", "European Union", "multilateral")
    ledger.sign_agreement("CA-1", "SE", "USD", D("1000.00"), "2024-03-01", "0.07", False, earmarked_to=["2/4"])
    ledger.sign_agreement("CA-P", "EU", "USD", D("500.00"), "2024-03-01", "0.07", False, project="P-1", resolution="2/6")
    ledger.sign_agreement("CA-Q", "EU", "USD", D("500.00"), "2024-03-01", "0.07", True, project="P-2", resolution="2/6")
    ledger.record_receipt("CA-P", D("500.00"), "2024-03-05")
    ledger.record_receipt("CA-Q", D("500.00"), "2024-03-05")
    return ledger


def earmarked(amount: str, policy: str, resolutions: Any, **kw: Any) -> Callable[[fw.Ledger], Any]:
    return lambda L: L.allocate("EB-1", "2024-04-01", D(amount), policy, resolutions, source={"earmarked": "2/4"}, **kw)


# code -> (what raises it, details it must carry)
CASES: Dict[str, Any] = {
    "INVALID_COMMAND": (lambda L: L.apply({"type": "make_money"}), {}),
    "INVALID_ARGUMENT": (lambda L: L.resolution_tracker("2024-H3"), {"name": "period", "value": "2024-H3"}),
    "INVALID_AMOUNT": (lambda L: L.record_receipt("CA-1", D("NaN"), "2024-04-01"), {"field": "amount", "value": "NaN"}),
    "PRECISION_EXCEEDED": (
        lambda L: L.record_receipt("CA-1", D("1.005"), "2024-04-01"),
        {"field": "amount", "value": "1.005", "currency": "USD", "minor_unit": 2},
    ),
    "AMOUNT_TOO_LARGE": (
        lambda L: L.record_receipt("CA-1", 10**20, "2024-04-01"),
        {"value": "100000000000000000000", "max_integer_digits": 15},
    ),
    "INVALID_RATE": (lambda L: L.set_rate("SEK", "2024-03", "0"), {"field": "per_usd", "value": "0"}),
    "UNKNOWN_CURRENCY": (lambda L: L.set_rate("XYZ", "2024-03", "1.5"), {"currency": "XYZ"}),
    "CURRENCY_MISMATCH": (
        lambda L: L.record_receipt("CA-1", D("1.00"), "2024-04-01", currency="EUR"),
        {"expected": "USD", "found": "EUR"},
    ),
    "MISSING_RATE": (
        lambda L: L.sign_agreement("CA-2", "SE", "SEK", D("1000.00"), "2024-03-01", "0.07", False),
        {"currency": "SEK", "month": "2024-03"},
    ),
    "RATE_ALREADY_SET": (
        lambda L: (L.set_rate("SEK", "2024-03", "10.5"), L.set_rate("SEK", "2024-03", "10.6")),
        {"currency": "SEK", "month": "2024-03"},
    ),
    "INVALID_ID": (lambda L: L.register_donor("has space", "X", "other"), {"kind": "donor", "id": "has space"}),
    "DUPLICATE_ID": (lambda L: L.register_donor("SE", "Sweden", "member_state"), {"kind": "donor", "id": "SE"}),
    "UNKNOWN_DONOR": (
        lambda L: L.sign_agreement("CA-2", "XX", "USD", D("1.00"), "2024-03-01", "0.07", False),
        {"donor": "XX"},
    ),
    "UNKNOWN_AGREEMENT": (lambda L: L.record_receipt("CA-9", D("1.00"), "2024-04-01"), {"agreement": "CA-9"}),
    "UNKNOWN_PROJECT": (lambda L: L.close_project("P-9", "2024-04-01"), {"project": "P-9"}),
    "UNKNOWN_RESOLUTION": (lambda L: L.set_requirement("9/9", D("1.00")), {"resolution": "9/9"}),
    "UNKNOWN_ENTRY": (lambda L: L.reverse(99, "2024-04-01", "typo"), {"entry": 99}),
    "UNKNOWN_ACCOUNT": (lambda L: L.balance("funds:nowhere"), {"account": "funds:nowhere"}),
    "INSUFFICIENT_FUNDS": (
        earmarked("2000.00", "equal", ["2/4"], approved_by="ED"),
        {"account": "funds:window:earmarked:2-4", "currency": "USD", "available": "1000.00", "requested": "2000.00"},
    ),
    "EXCEEDS_OUTSTANDING": (
        lambda L: L.record_receipt("CA-1", D("1000.01"), "2024-04-01"),
        {"agreement": "CA-1", "outstanding": "1000.00", "amount": "1000.01"},
    ),
    "EARMARK_VIOLATION": (earmarked("100.00", "equal", ["2/5"], approved_by="ED"), {"earmarked_to": "2/4", "resolution": "2/5"}),
    "TRANSFER_NOT_ELECTED": (
        lambda L: (L.close_project("P-2", "2024-04-01"), L.transfer_balance("P-2", "2024-04-02")),
        {"project": "P-2"},
    ),
    "NO_TRANSFER_CLAUSE": (
        lambda L: (
            L.close_project("P-1", "2024-04-01"),
            L.transfer_balance("P-1", "2024-04-02", elected_on="2024-04-02", election_ref="letter"),
        ),
        {"project": "P-1", "agreement": "CA-P"},
    ),
    "PROJECT_NOT_CLOSED": (
        lambda L: L.transfer_balance("P-2", "2024-04-02", elected_on="2024-04-02", election_ref="letter"),
        {"project": "P-2"},
    ),
    "PROJECT_CLOSED": (
        lambda L: (L.close_project("P-1", "2024-04-01"), L.record_expenditure(D("1.00"), "2024-04-02", project="P-1")),
        {"project": "P-1"},
    ),
    "PROJECT_WITHDRAWN": (
        lambda L: (
            L.sign_agreement("CA-W", "EU", "USD", D("9.00"), "2024-03-01", "0.07", True, project="P-W", resolution="2/6"),
            L.reverse(len(L), "2024-03-02", "agreement withdrawn"),
            L.record_expenditure(D("1.00"), "2024-04-02", project="P-W"),
        ),
        {"project": "P-W", "agreement": "CA-W", "reversed_by": 9},
    ),
    "NO_BALANCE": (
        lambda L: (
            L.close_project("P-1", "2024-04-01"),
            L.refund_balance("P-1", "2024-04-02"),
            L.refund_balance("P-1", "2024-04-03"),
        ),
        {"project": "P-1"},
    ),
    "PERIOD_CLOSED": (
        lambda L: (L.close_period("2024-H1"), L.record_receipt("CA-1", D("1.00"), "2024-04-01")),
        {"period": "2024-H1", "date": "2024-04-01"},
    ),
    "DATE_OUT_OF_ORDER": (
        lambda L: L.record_receipt("CA-1", D("1.00"), "2024-02-01"),
        {"date": "2024-02-01", "earliest": "2024-03-01"},
    ),
    "INVALID_ALLOCATION": (earmarked("100.00", "explicit", ["2/4"], shares={"2/4": D("90.00")}, approved_by="ED"), {}),
    "NO_FUNDING_GAP": (earmarked("100.00", "gap_pro_rata", ["2/4"], approved_by="ED"), {"resolutions": ["2/4"]}),
    "ALREADY_REVERSED": (
        lambda L: (L.reverse(6, "2024-04-01", "duplicate"), L.reverse(6, "2024-04-01", "duplicate")),
        {"entry": 6, "reversed_by": 8},
    ),
    "NOT_REVERSIBLE": (lambda L: L.reverse(1, "2024-04-01", "no"), {"entry": 1}),
    "IDEMPOTENCY_CONFLICT": (
        lambda L: (
            L.set_requirement("2/4", D("1.00"), idempotency_key="k"),
            L.set_requirement("2/4", D("2.00"), idempotency_key="k"),
        ),
        {"key": "k", "entry": 8},
    ),
    "APPROVAL_REQUIRED": (
        lambda L: (L.configure(four_eyes=True), earmarked("100.00", "equal", ["2/4"])(L)),
        {"command": "allocate"},
    ),
    "LIMIT_EXCEEDED": (lambda L: L.register_donor("X", "x" * 600, "other"), {"max": 512, "actual": 600}),
    "JOURNAL_CORRUPT": (lambda L: fw.Ledger.from_journal("garbage\n"), {"line": 1}),
    "JOURNAL_TORN_TAIL": (lambda L: fw.Ledger.from_journal(L.to_journal()[:-5]), {"line": 8}),
    "IO_ERROR": (lambda L: fw.Ledger.open("/nonexistent/dir/journal.jsonl"), {"path": "/nonexistent/dir/journal.jsonl"}),
    "JOURNAL_LOCKED": (lambda L: opened_twice(L), {}),
    "READ_ONLY": (lambda L: read_only(L).set_status("2/4", "x"), {}),
    "STORE_UNAVAILABLE": (
        lambda L: fw.Ledger.connect("host=/nonexistent/fw-no-server user=postgres", "books"),
        {"store": 'postgresql ledger "books"'},
    ),
}

# INTERNAL is a defect of the core: no input reaches it (see test_internal_maps_like_any_other).
# Codes Python cannot produce on purpose: a defect of the core (INTERNAL), memory running out
# (OUT_OF_MEMORY, tested in WebAssembly, whose memory is 4 GiB), and the WebAssembly binding's
# own (a re-entrant call, a freed ledger: a Python ledger's calls wait for each other, and it is
# never freed while in use).
UNREACHABLE = {"INTERNAL", "OUT_OF_MEMORY", "LEDGER_BUSY", "LEDGER_FREED"}
# CONFLICT needs two writers on a PostgreSQL ledger: tests/test_postgres.py raises it.
NEEDS_A_SERVER = {"CONFLICT"}

_KEPT: list = []


def _saved(L: fw.Ledger) -> str:
    path = os.path.join(tempfile.mkdtemp(prefix="fw-errors-"), "journal.jsonl")
    L.save(path)
    return path


def opened_twice(L: fw.Ledger) -> None:
    path = _saved(L)
    _KEPT.append(fw.Ledger.open(path))  # the first writer stays alive while the second tries
    fw.Ledger.open(path)


def read_only(L: fw.Ledger) -> fw.Ledger:
    return fw.Ledger.open(_saved(L), read_only=True)


def test_every_reachable_code_is_exercised() -> None:
    assert set(CASES) | UNREACHABLE | NEEDS_A_SERVER == set(fw.ERROR_CODES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_real_input_raises_the_class_of_its_code(code: str) -> None:
    action, expected = CASES[code]
    ledger = base()
    with pytest.raises(fw.LedgerError) as info:
        action(ledger)
    err = info.value
    assert type(err) is fw.ERROR_CLASSES[code]
    assert err.code == code
    assert isinstance(err, ValueError)
    assert err.message and str(err) == err.message
    assert err.index is None
    for name, value in expected.items():
        assert err.details[name] == value
        assert getattr(err, name) == value


def test_internal_maps_like_any_other() -> None:
    err = errors._from_core({"code": "INTERNAL", "message": "internal error: x"})
    assert type(err) is fw.Internal and err.code == "INTERNAL" and str(err) == "internal error: x"


def test_a_code_without_a_class_still_keeps_its_code() -> None:
    err = errors._from_core({"code": "SOMETHING_NEW", "message": "m", "value": 1})
    assert isinstance(err, fw.LedgerError) and err.code == "SOMETHING_NEW" and err.value == 1
    assert type(err).__name__ == "SomethingNew"
    del errors.ERROR_CLASSES["SOMETHING_NEW"]


def test_batch_errors_carry_the_index_and_the_inner_class() -> None:
    ledger = base()
    batch = [
        {"type": "set_requirement", "resolution": "2/4", "amount": "100.00"},
        {"type": "record_receipt", "agreement": "CA-9", "amount": "1.00", "received_on": "2024-04-01"},
    ]
    with pytest.raises(fw.UnknownAgreement) as info:
        ledger.apply_batch(batch)
    assert info.value.index == 1
    assert info.value.agreement == "CA-9"
    assert str(info.value) == f"command 1 of the batch (counting from 0): {info.value.message}"


def test_errors_pickle_with_their_details() -> None:
    ledger = base()
    with pytest.raises(fw.InsufficientFunds) as info:
        earmarked("2000.00", "equal", ["2/4"], approved_by="ED")(ledger)
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is fw.InsufficientFunds
    assert again.details == info.value.details and again.requested == "2000.00"


# ----- messages in the user's words (docs/errors.md, "Messages") ---------------------------------


def test_a_bad_field_deep_in_a_batch_is_named_with_the_commands_0_based_index() -> None:
    ledger = base()
    before = (len(ledger), ledger.chain_head)
    batch = [
        {"type": "record_receipt", "agreement": "CA-1", "amount": D("100.00"), "received_on": "2024-04-01"},
        {"type": "sign_agreement", "id": "CA-3", "donor": "SE", "currency": "USD", "amount": D("10.00"),
         "signed_on": "2024-04-01", "psc_rate": D("0.07"), "elective_transfer": False,
         "purpose": {"project": {"id": "P-3", "resolution": 2}}},
    ]
    with pytest.raises(fw.InvalidCommand) as info:
        ledger.apply_batch(batch)
    error = info.value
    assert error.index == 1
    assert error.message == (
        "invalid command: field purpose.project.resolution: invalid type: integer `2`, expected a string"
    )
    assert str(error) == f"command 1 of the batch (counting from 0): {error.message}"
    assert "line" not in str(error) and "column" not in str(error)
    assert (len(ledger), ledger.chain_head) == before


def test_an_overspend_states_the_cost_plus_psc_against_what_was_received() -> None:
    ledger = base()
    ledger.record_expenditure(D("300.00"), "2024-03-10", project="P-1")  # 321.00 with PSC
    with pytest.raises(fw.InsufficientFunds) as info:
        ledger.record_expenditure(D("170.00"), "2024-03-11", project="P-1")
    error = info.value
    assert (error.available, error.requested) == ("179.00", "181.90")  # the fields: plain decimals
    assert str(error) == (
        "insufficient funds in funds:project:P-1: the cost of 170.00 USD plus 7% PSC of 11.90 USD is "
        "181.90 USD requested, and 179.00 USD is available (received 500.00 USD less spent 321.00 USD with PSC)"
    )


def test_an_allocation_beyond_what_is_available_says_both_with_grouped_digits() -> None:
    ledger = fw.Ledger()
    ledger.register_donor("NO", "Norway", "member_state")
    ledger.sign_agreement("CA-NO", "NO", "USD", D("1250000.00"), "2024-02-01", "0.07", False)
    with pytest.raises(fw.InsufficientFunds) as info:
        ledger.allocate("EB-1", "2024-03-01", D("1500000.00"), "equal", ["2/2", "2/9"], approved_by="ED")
    assert (info.value.available, info.value.requested) == ("1250000.00", "1500000.00")
    assert str(info.value) == (
        "insufficient funds in funds:window:unallocated: 1,500,000.00 USD requested, and 1,250,000.00 USD is "
        "available (the least the fund holds from the value date on)"
    )
