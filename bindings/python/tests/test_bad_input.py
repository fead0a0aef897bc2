"""Bad input, as one table: what an analyst might get wrong, and what the ledger says.

Every case runs against the example year of ``helpers.build_year`` (after its ``setup``
commands, if any) twice: alone through ``apply``, and second in a batch through
``apply_batch``. Each must raise exactly the class in the table, carrying the code in the
table (the same code the core and the WebAssembly binding give for that mistake), and leave
the books exactly as they were: the trial balance's JSON, the chain head and the entry count.

Python values with no faithful JSON form (a ``float``, a ``bool`` where money belongs, a
``datetime`` where a date belongs) are refused by the binding as
:class:`funding_window.CommandTypeError` (``INVALID_COMMAND``, also a ``TypeError``);
everything else is the core's judgement of the command.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any, Dict, List, NamedTuple, Optional, Tuple, Type

import pytest

import funding_window as fw
from helpers import AT

# Agreements of the example year: CA-SE-2024-01 (SEK, window, earmarked to 2/4, 5,000,000.00 of
# 10,000,000.00 received), CA-EU-2023-07 (EUR, project P-EU-07, closed, balance transferred),
# CA-NO-2024-01 (USD, window, fully received). Rates: SEK 2024-03 and 2024-04, EUR 2023-01 and 2024-07.
# Entry 16 is Norway's receipt; entry 22 the allocation EB-2024-H2-01.


def receipt(**fields: Any) -> Dict[str, Any]:
    """A receipt against Sweden's agreement (SEK), with ``fields`` changed."""
    return {"type": "record_receipt", "agreement": "CA-SE-2024-01", "amount": "1000.00",
            "received_on": "2024-04-03", **fields}


def agreement(**fields: Any) -> Dict[str, Any]:
    """A USD window agreement with Norway, with ``fields`` changed."""
    return {"type": "sign_agreement", "id": "CA-NO-2024-02", "donor": "NO", "currency": "USD",
            "amount": "1000.00", "signed_on": "2024-03-01", "psc_rate": "0.07", "elective_transfer": False,
            "purpose": {"window": {"earmarked_to": []}}, **fields}


def project(clause: bool, **fields: Any) -> Dict[str, Any]:
    """Norway funds project P-NO-1 (USD 100.00, resolution 2/2), with or without the transfer clause."""
    return agreement(id="CA-NO-P1", amount="100.00", elective_transfer=clause,
                     purpose={"project": {"id": "P-NO-1", "resolution": "2/2"}}, **fields)


def allocate(**fields: Any) -> Dict[str, Any]:
    """An equal allocation of USD 10.00 of unallocated money to 2/2, with ``fields`` changed."""
    return {"type": "allocate", "id": "EB-2024-H2-02", "decided_on": "2024-11-02", "amount": "10.00",
            "policy": "equal", "resolutions": ["2/2"], "approved_by": "Executive Director", **fields}


def transfer(project_id: str, **fields: Any) -> Dict[str, Any]:
    return {"type": "transfer_balance", "project": project_id, "transferred_on": "2024-08-01",
            "elected_on": "2024-07-30", "election_ref": "donor letter", **fields}


def reverse(entry: Any, on: str = "2024-11-05") -> Dict[str, Any]:
    return {"type": "reverse", "entry": entry, "on": on, "reason": "entered twice"}


def close(project_id: str, on: str = "2024-04-01") -> Dict[str, Any]:
    return {"type": "close_project", "project": project_id, "closed_on": on}


def rate(currency: str, per_usd: str, month: str = "2024-03") -> Dict[str, Any]:
    return {"type": "set_rate", "currency": currency, "month": month, "per_usd": per_usd}


def requirement(amount: Any, **fields: Any) -> Dict[str, Any]:
    return {"type": "set_requirement", "resolution": "2/4", "amount": amount, **fields}


RECEIPT_NO_1 = {"type": "record_receipt", "agreement": "CA-NO-P1", "amount": "100.00", "received_on": "2024-03-02"}
ID_65 = "X" * 65  # one byte over the core's 64


class Case(NamedTuple):
    command: Any
    error: Type[fw.LedgerError]
    code: str
    setup: Tuple[Any, ...] = ()


# id -> (command, exception class, code, setup commands)
CASES: Dict[str, Case] = {
    # ----- money of the wrong Python type: refused by the binding --------------------------------
    "float amount": Case(receipt(amount=1250.10), fw.CommandTypeError, "INVALID_COMMAND"),
    "float NaN": Case(receipt(amount=float("nan")), fw.CommandTypeError, "INVALID_COMMAND"),
    "float infinity": Case(receipt(amount=float("inf")), fw.CommandTypeError, "INVALID_COMMAND"),
    "float -infinity": Case(receipt(amount=float("-inf")), fw.CommandTypeError, "INVALID_COMMAND"),
    "float PSC rate": Case(agreement(psc_rate=0.07), fw.CommandTypeError, "INVALID_COMMAND"),
    "float in explicit shares": Case(allocate(policy="explicit", shares={"2/2": 10.0}), fw.CommandTypeError,
                                     "INVALID_COMMAND"),
    "float entry number": Case(reverse(16.0), fw.CommandTypeError, "INVALID_COMMAND"),
    "bool amount True": Case(receipt(amount=True), fw.CommandTypeError, "INVALID_COMMAND"),
    "bool amount False": Case(receipt(amount=False), fw.CommandTypeError, "INVALID_COMMAND"),
    "bool weight": Case(allocate(policy="weights", weights={"2/2": True}), fw.CommandTypeError, "INVALID_COMMAND"),
    "list amount": Case(receipt(amount=["1000.00"]), fw.CommandTypeError, "INVALID_COMMAND"),
    "Decimal entry number": Case(reverse(D(16)), fw.CommandTypeError, "INVALID_COMMAND"),
    "datetime as a date": Case(receipt(received_on=dt.datetime(2024, 4, 3, 9, 0)), fw.CommandTypeError,
                               "INVALID_COMMAND"),
    "naive recorded_at": Case(receipt(recorded_at=dt.datetime(2024, 4, 3, 9, 0)), fw.CommandTypeError,
                              "INVALID_COMMAND"),
    "command not a dict": Case(42, fw.CommandTypeError, "INVALID_COMMAND"),
    # ----- amounts the core refuses -----------------------------------------------------------------
    "Decimal NaN": Case(receipt(amount=D("NaN")), fw.InvalidAmount, "INVALID_AMOUNT"),
    "Decimal sNaN": Case(receipt(amount=D("sNaN")), fw.InvalidAmount, "INVALID_AMOUNT"),
    "Decimal Infinity": Case(receipt(amount=D("Infinity")), fw.InvalidAmount, "INVALID_AMOUNT"),
    "Decimal -Infinity": Case(receipt(amount=D("-Infinity")), fw.InvalidAmount, "INVALID_AMOUNT"),
    "string NaN": Case(receipt(amount="NaN"), fw.InvalidAmount, "INVALID_AMOUNT"),
    "string exponent": Case(receipt(amount="1e5"), fw.InvalidAmount, "INVALID_AMOUNT"),
    "huge int (10**20)": Case(receipt(amount=10**20), fw.AmountTooLarge, "AMOUNT_TOO_LARGE"),
    "huge Decimal (1E+20)": Case(receipt(amount=D("1E+20")), fw.AmountTooLarge, "AMOUNT_TOO_LARGE"),
    "huge Decimal (1E+100)": Case(receipt(amount=D("1E+100")), fw.InvalidAmount, "INVALID_AMOUNT"),
    "huge int (10**5000)": Case(receipt(amount=10**5000), fw.InvalidAmount, "INVALID_AMOUNT"),
    "negative Decimal": Case(receipt(amount=D("-5.00")), fw.InvalidAmount, "INVALID_AMOUNT"),
    "negative int": Case(receipt(amount=-5), fw.InvalidAmount, "INVALID_AMOUNT"),
    "zero Decimal": Case(receipt(amount=D("0.00")), fw.InvalidAmount, "INVALID_AMOUNT"),
    "zero int": Case(receipt(amount=0), fw.InvalidAmount, "INVALID_AMOUNT"),
    "USD with 3 decimals": Case(agreement(amount=D("1000.005")), fw.PrecisionExceeded, "PRECISION_EXCEEDED"),
    "SEK with 3 decimals": Case(receipt(amount=D("1000.005")), fw.PrecisionExceeded, "PRECISION_EXCEEDED"),
    "JPY with decimals": Case(agreement(currency="JPY", amount=D("1000.5")), fw.PrecisionExceeded,
                              "PRECISION_EXCEEDED", (rate("JPY", "149.800"),)),
    "KWD with 4 decimals": Case(agreement(currency="KWD", amount=D("1000.1234")), fw.PrecisionExceeded,
                                "PRECISION_EXCEEDED", (rate("KWD", "0.3071"),)),
    "zero rate": Case(rate("JPY", "0"), fw.InvalidRate, "INVALID_RATE"),
    # ----- currencies and rates ---------------------------------------------------------------------
    "unknown currency": Case(agreement(currency="XYZ"), fw.UnknownCurrency, "UNKNOWN_CURRENCY"),
    "lower-case currency": Case(agreement(currency="usd"), fw.UnknownCurrency, "UNKNOWN_CURRENCY"),
    "rate of an unknown currency": Case(rate("XYZ", "1.5"), fw.UnknownCurrency, "UNKNOWN_CURRENCY"),
    "missing rate (receipt)": Case(receipt(received_on="2024-05-03"), fw.MissingRate, "MISSING_RATE"),
    "missing rate (signing)": Case(agreement(currency="CHF"), fw.MissingRate, "MISSING_RATE"),
    "rate set twice": Case(rate("SEK", "10.5000"), fw.RateAlreadySet, "RATE_ALREADY_SET"),
    # ----- ids ------------------------------------------------------------------------------------
    "empty donor id": Case({"type": "register_donor", "id": "", "name": "x", "kind": "other"}, fw.InvalidId,
                           "INVALID_ID"),
    "65-byte donor id": Case({"type": "register_donor", "id": ID_65, "name": "x", "kind": "other"}, fw.InvalidId,
                             "INVALID_ID"),
    "empty agreement id": Case(agreement(id=""), fw.InvalidId, "INVALID_ID"),
    "65-byte agreement id": Case(agreement(id=ID_65), fw.InvalidId, "INVALID_ID"),
    "65-byte project id": Case(agreement(purpose={"project": {"id": ID_65, "resolution": "2/2"}}), fw.InvalidId,
                               "INVALID_ID"),
    "65-byte allocation id": Case(allocate(id=ID_65), fw.InvalidId, "INVALID_ID"),
    "duplicate donor": Case({"type": "register_donor", "id": "SE", "name": "Sweden", "kind": "member_state"},
                            fw.DuplicateId, "DUPLICATE_ID"),
    # ----- unknown things ---------------------------------------------------------------------------
    "unknown donor": Case(agreement(donor="XX"), fw.UnknownDonor, "UNKNOWN_DONOR"),
    "unknown agreement": Case(receipt(agreement="CA-XX"), fw.UnknownAgreement, "UNKNOWN_AGREEMENT"),
    "unknown project": Case({"type": "record_expenditure", "project": "P-XX", "amount": "1.00",
                             "spent_on": "2024-04-03"}, fw.UnknownProject, "UNKNOWN_PROJECT"),
    "unknown resolution (requirement)": Case({"type": "set_requirement", "resolution": "9/9", "amount": "1.00"},
                                             fw.UnknownResolution, "UNKNOWN_RESOLUTION"),
    "unknown resolution (allocation)": Case(allocate(resolutions=["9/9"]), fw.UnknownResolution,
                                            "UNKNOWN_RESOLUTION"),
    "unknown entry": Case(reverse(999), fw.UnknownEntry, "UNKNOWN_ENTRY"),
    # ----- the rules of the books ------------------------------------------------------------------
    "over-allocation": Case(allocate(amount="99999999.00"), fw.InsufficientFunds, "INSUFFICIENT_FUNDS"),
    "project overspent": Case({"type": "record_expenditure", "project": "P-NO-1", "amount": "100.00",
                               "spent_on": "2024-04-03"}, fw.InsufficientFunds, "INSUFFICIENT_FUNDS",
                              (project(True), RECEIPT_NO_1)),
    "earmark violation": Case(allocate(resolutions=["2/5"], source={"earmarked": "2/4"}), fw.EarmarkViolation,
                              "EARMARK_VIOLATION"),
    "transfer without clause": Case(transfer("P-NO-1"), fw.NoTransferClause, "NO_TRANSFER_CLAUSE",
                                    (project(False), RECEIPT_NO_1, close("P-NO-1"))),
    "transfer without election": Case({"type": "transfer_balance", "project": "P-NO-1",
                                       "transferred_on": "2024-08-01"}, fw.TransferNotElected,
                                      "TRANSFER_NOT_ELECTED", (project(True), RECEIPT_NO_1, close("P-NO-1"))),
    "transfer before closure": Case(transfer("P-NO-1"), fw.ProjectNotClosed, "PROJECT_NOT_CLOSED",
                                    (project(True), RECEIPT_NO_1)),
    "double transfer": Case(transfer("P-EU-07"), fw.NoBalance, "NO_BALANCE"),
    "refund after the transfer": Case({"type": "refund_balance", "project": "P-EU-07",
                                       "refunded_on": "2024-08-01"}, fw.NoBalance, "NO_BALANCE"),
    "spending on a closed project": Case({"type": "record_expenditure", "project": "P-EU-07", "amount": "1.00",
                                          "spent_on": "2024-08-01"}, fw.ProjectClosed, "PROJECT_CLOSED"),
    "receipt beyond outstanding": Case(receipt(amount="5000000.01"), fw.ExceedsOutstanding, "EXCEEDS_OUTSTANDING"),
    "receipt on a fully paid agreement": Case(receipt(agreement="CA-NO-2024-01", amount="0.01"),
                                              fw.ExceedsOutstanding, "EXCEEDS_OUTSTANDING"),
    "receipt before signing": Case(receipt(agreement="CA-NO-2024-01", amount="0.01", received_on="2024-01-03"),
                                   fw.DateOutOfOrder, "DATE_OUT_OF_ORDER"),
    "posting in a closed period": Case(receipt(), fw.PeriodClosed, "PERIOD_CLOSED",
                                       ({"type": "close_period", "period": "2024-H1"},)),
    "reversal dated in a closed period": Case(reverse(16, on="2024-05-01"), fw.PeriodClosed, "PERIOD_CLOSED",
                                              ({"type": "close_period", "period": "2024-H1"},)),
    "reversal of a reversal": Case(reverse(23, on="2024-11-06"), fw.NotReversible, "NOT_REVERSIBLE",
                                   (reverse(16),)),
    "reversal of a registration": Case(reverse(1), fw.NotReversible, "NOT_REVERSIBLE"),
    "second reversal": Case(reverse(16, on="2024-11-06"), fw.AlreadyReversed, "ALREADY_REVERSED", (reverse(16),)),
    # ----- malformed JSON text (the string form of apply) ----------------------------------------------
    "truncated JSON": Case('{"type": "close_period", "period": "2024-H1"', fw.InvalidCommand, "INVALID_COMMAND"),
    "empty JSON text": Case("", fw.InvalidCommand, "INVALID_COMMAND"),
    "JSON array": Case('[{"type": "close_period", "period": "2024-H1"}]', fw.InvalidCommand, "INVALID_COMMAND"),
    "JSON number amount": Case('{"type": "set_requirement", "resolution": "2/4", "amount": 12.5}',
                               fw.InvalidCommand, "INVALID_COMMAND"),
    "JSON NaN literal": Case('{"type": "set_requirement", "resolution": "2/4", "amount": NaN}',
                             fw.InvalidCommand, "INVALID_COMMAND"),
    "JSON duplicate key": Case('{"type": "set_requirement", "resolution": "2/4", "amount": "1.00", "amount": "2.00"}',
                               fw.InvalidCommand, "INVALID_COMMAND"),
    # ----- wrong field types, unknown types and fields ------------------------------------------------
    "id as a number": Case({"type": "register_donor", "id": 7, "name": "x", "kind": "other"}, fw.InvalidCommand,
                           "INVALID_COMMAND"),
    "clause as a string": Case(agreement(elective_transfer="yes"), fw.InvalidCommand, "INVALID_COMMAND"),
    "candidates as a string": Case(allocate(resolutions="2/2"), fw.InvalidCommand, "INVALID_COMMAND"),
    "entry number beyond 64 bits": Case(reverse(2**70), fw.InvalidCommand, "INVALID_COMMAND"),
    "impossible date": Case(receipt(received_on="2024-02-30"), fw.InvalidCommand, "INVALID_COMMAND"),
    "unknown donor kind": Case({"type": "register_donor", "id": "X", "name": "x", "kind": "emperor"},
                               fw.InvalidCommand, "INVALID_COMMAND"),
    "unknown command type": Case({"type": "print_money", "amount": "1.00"}, fw.InvalidCommand, "INVALID_COMMAND"),
    "command type not a string": Case({"type": 7}, fw.InvalidCommand, "INVALID_COMMAND"),
    "unknown field": Case(receipt(colour="red"), fw.InvalidCommand, "INVALID_COMMAND"),
    "missing field": Case({"type": "record_receipt", "agreement": "CA-SE-2024-01", "amount": "1.00"},
                          fw.InvalidCommand, "INVALID_COMMAND"),
    "text over 512 bytes": Case({"type": "register_donor", "id": "X", "name": "x" * 513, "kind": "other"},
                                fw.LimitExceeded, "LIMIT_EXCEEDED"),
    # ----- idempotency ------------------------------------------------------------------------------
    "key reused with another amount": Case(requirement("2.00", idempotency_key="req-2/4"), fw.IdempotencyConflict,
                                           "IDEMPOTENCY_CONFLICT", (requirement("1.00", idempotency_key="req-2/4"),)),
    "key reused for another command": Case(receipt(idempotency_key="req-2/4"), fw.IdempotencyConflict,
                                           "IDEMPOTENCY_CONFLICT", (requirement("1.00", idempotency_key="req-2/4"),)),
}

#: A valid command placed before the bad one in the batch form.
GOOD = {"type": "set_requirement", "resolution": "2/7", "amount": "100.00"}


def with_time(command: Any) -> Any:
    """The command with a fixed ``recorded_at`` (when it is a dict without one): deterministic journals."""
    if isinstance(command, dict) and "recorded_at" not in command:
        return {**command, "recorded_at": AT}
    return command


def books(ledger: fw.Ledger) -> Tuple[str, str, int]:
    """What must not change: the trial balance's JSON, the chain head and the number of entries."""
    return ledger.trial_balance().to_json(), ledger.chain_head, len(ledger)


def test_the_table_is_large_and_every_code_matches_its_class() -> None:
    assert len(CASES) >= 40
    for name, case in CASES.items():
        assert case.error.code == case.code, name


@pytest.mark.parametrize("via", ["apply", "apply_batch"])
@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_raises_its_class_and_code_and_changes_nothing(year: fw.Ledger, name: str, via: str) -> None:
    case = CASES[name]
    for command in case.setup:
        year.apply(with_time(command))
    before = books(year)
    index: Optional[int] = None
    with pytest.raises(fw.LedgerError) as info:
        if via == "apply":
            year.apply(with_time(case.command))
        else:
            index = 1
            year.apply_batch([with_time(GOOD), with_time(case.command)])
    err = info.value
    assert type(err) is case.error, f"{name}: {type(err).__name__}: {err}"
    assert err.code == case.code
    assert err.index == index
    assert err.message and str(err).endswith(err.message)
    assert books(year) == before, f"{name} changed the books"


def test_refused_python_types_are_also_type_errors(year: fw.Ledger) -> None:
    refused: List[str] = [name for name, case in CASES.items() if case.error is fw.CommandTypeError]
    assert len(refused) >= 10
    for name in refused:
        with pytest.raises(TypeError) as info:
            year.apply(with_time(CASES[name].command))
        assert isinstance(info.value, fw.InvalidCommand) and info.value.code == "INVALID_COMMAND"


# Arguments of reports and exports: read-only calls, refused the same way.
ARGUMENTS: Dict[str, Tuple[Any, Type[fw.LedgerError], str]] = {
    "period not a half-year": (lambda L: L.resolution_tracker("2024-H3"), fw.InvalidArgument, "INVALID_ARGUMENT"),
    "period not a str": (lambda L: L.window_statement(2024), fw.ArgumentTypeError, "INVALID_ARGUMENT"),
    "as_of a datetime": (lambda L: L.trial_balance(dt.datetime(2024, 6, 30, 12, 0)), fw.ArgumentTypeError,
                         "INVALID_ARGUMENT"),
    "as_of not a date": (lambda L: L.trial_balance("31/12/2024"), fw.InvalidArgument, "INVALID_ARGUMENT"),
    "unknown donor statement": (lambda L: L.donor_statement("XX"), fw.UnknownDonor, "UNKNOWN_DONOR"),
    "unknown CSV report": (lambda L: L.export_csv("balance_sheet"), fw.InvalidArgument, "INVALID_ARGUMENT"),
    "CSV argument unknown": (lambda L: L.export_csv("journal", period="2024-H1"), fw.InvalidArgument,
                             "INVALID_ARGUMENT"),
    "IATI naive datetime": (lambda L: L.export_iati(dt.datetime(2025, 1, 15, 9, 0)), fw.ArgumentTypeError,
                            "INVALID_ARGUMENT"),
    "IATI as_of in the future": (lambda L: L.export_iati("2025-01-15T09:00:00Z", as_of="2025-02-01"),
                                 fw.InvalidArgument, "INVALID_ARGUMENT"),
    "balance of an unknown account": (lambda L: L.balance("funds:nowhere"), fw.UnknownAccount, "UNKNOWN_ACCOUNT"),
    "batch not a list": (lambda L: L.apply_batch(GOOD), fw.ArgumentTypeError, "INVALID_ARGUMENT"),
}


@pytest.mark.parametrize("name", list(ARGUMENTS))
def test_bad_arguments_raise_their_class_and_code_and_change_nothing(year: fw.Ledger, name: str) -> None:
    call, error, code = ARGUMENTS[name]
    before = books(year)
    with pytest.raises(fw.LedgerError) as info:
        call(year)
    assert type(info.value) is error and info.value.code == code
    assert books(year) == before


def test_refused_types_keep_their_class_through_pickle(year: fw.Ledger) -> None:
    import pickle

    for call in (lambda: year.apply(with_time(receipt(amount=12.5))), lambda: year.trial_balance(dt.datetime(2024, 1, 1))):
        with pytest.raises(TypeError) as info:
            call()
        again = pickle.loads(pickle.dumps(info.value))
        assert type(again) is type(info.value) and again.code == info.value.code
        assert again.details == info.value.details and isinstance(again, TypeError)


@pytest.mark.parametrize("text, key", [
    ('{"type": "close_period", "period": "2024-H2", "recorded_by": "alice", "recorded_by": "mallory"}',
     'duplicate key "recorded_by"'),
    ('{"type": "close_period", "period": "2024-H2", "idempotency_key": "k", "idempotency_key": "k"}',
     'duplicate key "idempotency_key"'),
    ('{"period": "2024-H2", "recorded_at": null, "recorded_at": "2025-01-15T09:00:00Z", "type": "close_period"}',
     'duplicate key "recorded_at"'),
    ('{"type": "allocate", "id": "EB-9", "decided_on": "2024-11-02", "amount": "10.00", "policy": "weights",'
     ' "approved_by": "Executive Director", "weights": {"2/2": "1", "2/2": "9"}}',
     'duplicate key "2/2" in weights'),
    ('{"type": "sign_agreement", "id": "CA-NO-9", "donor": "NO", "currency": "USD", "amount": "1.00",'
     ' "signed_on": "2024-03-01", "psc_rate": "0.07", "elective_transfer": false,'
     ' "purpose": {"project": {"id": "P-9", "resolution": "2/2", "id": "P-10"}}}',
     'duplicate key "id" in purpose.project'),
])
def test_a_key_repeated_in_json_text_is_refused_and_named(year: fw.Ledger, text: str, key: str) -> None:
    """Strict JSON: a dict cannot repeat a key, but JSON text can; the core refuses it, naming it."""
    before = books(year)
    for call in (lambda: year.apply(text), lambda: year.apply_batch([text])):
        with pytest.raises(fw.LedgerError) as info:
            call()
        error = info.value
        assert type(error) is fw.InvalidCommand and error.code == "INVALID_COMMAND"
        assert key in str(error), str(error)
    assert books(year) == before

