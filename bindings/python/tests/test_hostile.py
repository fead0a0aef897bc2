"""Hostile input never crashes the binding: every failure is a Python exception (no PanicException)."""

from __future__ import annotations

import datetime as dt
import random
from collections import OrderedDict
from decimal import Decimal
from typing import Any, List

import pytest

import funding_window as fw


@pytest.fixture
def books() -> fw.Ledger:
    ledger = fw.Ledger()
    ledger.register_donor("NO", "Norway", "member_state")
    ledger.sign_agreement("CA-1", "NO", "USD", Decimal("1000.00"), "2024-01-01", "0.07", False)
    return ledger


def test_deep_nesting_is_refused_not_recursed(books: fw.Ledger) -> None:
    deep: Any = "2/4"
    for _ in range(10_000):
        deep = [deep]
    with pytest.raises(fw.InvalidCommand, match="nested deeper"):
        books.apply({"type": "set_requirement", "resolution": deep, "amount": "1.00"})
    loop: List[Any] = []
    loop.append(loop)
    with pytest.raises(fw.InvalidCommand):
        books.apply({"type": "set_requirement", "resolution": loop, "amount": "1.00"})
    cycle: dict = {}
    cycle["self"] = cycle
    with pytest.raises(fw.InvalidCommand):
        books.apply({"type": "set_requirement", "resolution": cycle, "amount": "1.00"})


@pytest.mark.parametrize(
    "command, error",
    [
        (None, fw.CommandTypeError),
        (42, fw.CommandTypeError),
        (["type", "register_donor"], fw.CommandTypeError),
        (b'{"type": "close_period"}', fw.CommandTypeError),
        ({1: "register_donor"}, fw.CommandTypeError),
        ({"type": "register_donor", ("id",): "SE"}, fw.CommandTypeError),
        ({"type": object()}, fw.CommandTypeError),
        ({"type": {1, 2}}, fw.CommandTypeError),
        ({"type": b"close_period"}, fw.CommandTypeError),
        ({"type": dt.time(12, 0)}, fw.CommandTypeError),
        ({}, fw.InvalidCommand),
        ({"type": None}, fw.InvalidCommand),
        ({"type": "make_money"}, fw.InvalidCommand),
        ({"type": "register_donor", "id": "SE", "name": "Sweden", "kind": "member_state", "extra": 1},
         fw.InvalidCommand),
        ({"type": "register_donor", "id": "SE", "name": "Sweden", "kind": "emperor"}, fw.InvalidCommand),
        ({"type": "register_donor", "id": ["SE"], "name": "Sweden", "kind": "member_state"}, fw.InvalidCommand),
        ({"type": "reverse", "entry": 2**70, "on": "2024-01-02", "reason": "x"}, fw.InvalidCommand),
        ({"type": "reverse", "entry": -1, "on": "2024-01-02", "reason": "x"}, fw.InvalidCommand),
        ({"type": "reverse", "entry": "1", "on": "2024-01-02", "reason": "x"}, fw.InvalidCommand),
        ({"type": "record_receipt", "agreement": "CA-1", "amount": "9" * 100_000, "received_on": "2024-02-01"},
         fw.InvalidAmount),
        ({"type": "record_receipt", "agreement": "CA-1", "amount": "1.00", "received_on": "2024-02-30"},
         fw.InvalidCommand),
        ({"type": "register_donor", "id": "X" * 1_000_000, "name": "x", "kind": "other"}, fw.InvalidId),
        ({"type": "close_period", "period": "2024-H1", "recorded_at": "yesterday"}, fw.InvalidCommand),
        ('{"type": "close_period"', fw.InvalidCommand),
        ("", fw.InvalidCommand),
        ("[1, 2]", fw.InvalidCommand),
        # A lone surrogate is a str the core cannot take (not UTF-8): its value is wrong, not its type.
        ({"type": "register_donor", "id": "SE\ud800", "name": "x", "kind": "other"}, fw.InvalidCommand),
        ({"type": "register_donor", "id": "SE", "name": "x", "kind": "other", "recorded_by": "\udcff"},
         fw.InvalidCommand),
        ({"type": "register_donor", "id": "SE", "name": "x", "kind": "other", "k\ud800": 1}, fw.InvalidCommand),
        ({"type": "allocate", "id": "A", "decided_on": "2024-02-01", "amount": "1.00", "policy": "explicit",
          "shares": {"2/2\ud800": "1.00"}}, fw.InvalidCommand),
        ('{"type": "close_period", "period": "2024-H1\ud800"}', fw.InvalidCommand),
    ],
)
def test_garbage_raises_a_python_error_and_changes_nothing(books: fw.Ledger, command: Any, error: type) -> None:
    head = books.chain_head
    with pytest.raises(error) as alone:
        books.apply(command)
    assert isinstance(alone.value, fw.LedgerError) and alone.value.code == error.code
    # A value refused for its content is not also a TypeError; one refused for its type is.
    assert isinstance(alone.value, TypeError) == (error is fw.CommandTypeError)
    with pytest.raises(error) as batched:
        books.apply_batch([{"type": "set_requirement", "resolution": "2/4", "amount": "1.00"}, command])
    assert batched.value.index == 1
    assert books.chain_head == head and len(books) == 2


def test_many_unknown_fields_are_one_invalid_command(books: fw.Ledger) -> None:
    command = {"type": "close_period", "period": "2024-H1", **{f"k{i}": i for i in range(100_000)}}
    with pytest.raises(fw.InvalidCommand, match="unknown field"):
        books.apply(command)


def test_values_that_run_python_code_cannot_break_the_conversion(books: fw.Ledger) -> None:
    command = {"type": "close_period", "period": "2024-H1", "idempotency_key": "k"}

    class Meddler(dt.tzinfo):
        def utcoffset(self, d: Any) -> dt.timedelta:
            command.clear()  # mutates the dict being converted
            command.update({f"x{i}": i for i in range(100)})
            return dt.timedelta(0)

    command["recorded_at"] = dt.datetime(2024, 7, 1, tzinfo=Meddler())
    books.apply(command)  # the binding converted a private copy
    assert books.entry(3)["command"] == {"type": "close_period", "period": "2024-H1"}

    class Failing(dt.tzinfo):
        def utcoffset(self, d: Any) -> dt.timedelta:
            raise RuntimeError("no offset today")

    # The value's own exception is the cause of the ledger's error, which names the field.
    with pytest.raises(fw.InvalidCommand, match="recorded_at: reading it raised RuntimeError: no offset") as info:
        books.apply({"type": "close_period", "period": "2024-H2", "recorded_at": dt.datetime(2024, 7, 1, tzinfo=Failing())})
    assert isinstance(info.value.__cause__, RuntimeError)

    class Impostor:
        __class__ = Decimal  # type: ignore[assignment]

    with pytest.raises(fw.InvalidCommand, match="amount: reading it raised TypeError") as impostor:
        books.apply({"type": "record_receipt", "agreement": "CA-1", "amount": Impostor(), "received_on": "2024-02-01"})
    assert isinstance(impostor.value.__cause__, TypeError)
    assert len(books) == 3


def test_mappings_and_sequences_of_other_kinds(books: fw.Ledger) -> None:
    books.apply(OrderedDict([("type", "set_requirement"), ("resolution", "2/4"), ("amount", "5.00")]))
    books.apply_batch(
        {"type": "set_requirement", "resolution": r, "amount": "5.00"} for r in ("2/5", "2/6")
    )
    for batch in [None, 42, {"type": "close_period"}, "not a batch", b"[]", {"x"}, frozenset()]:
        with pytest.raises(fw.ArgumentTypeError) as info:
            books.apply_batch(batch)  # type: ignore[arg-type]
        assert info.value.name == "commands"
    assert len(books.apply_batch([])) == 0


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda L: L.resolution_tracker(None), fw.ArgumentTypeError),
        (lambda L: L.resolution_tracker(2024), fw.ArgumentTypeError),
        (lambda L: L.resolution_tracker(""), fw.InvalidArgument),
        (lambda L: L.window_statement("2024-h2"), fw.InvalidArgument),
        (lambda L: L.donor_statement(7), fw.ArgumentTypeError),
        (lambda L: L.trial_balance(20240101), fw.ArgumentTypeError),
        (lambda L: L.trial_balance("31/12/2024"), fw.InvalidArgument),
        (lambda L: L.balance(None), fw.ArgumentTypeError),
        (lambda L: L.balance("assets:cash:USD", 840), fw.ArgumentTypeError),
        (lambda L: L.balance("assets:cash:USD", "EUR"), fw.CurrencyMismatch),
        (lambda L: L.entry(-1), fw.InvalidArgument),
        (lambda L: L.entry(2**80), fw.InvalidArgument),
        (lambda L: L.entry(0), fw.InvalidArgument),
        (lambda L: fw.Ledger.open(42), fw.ArgumentTypeError),
        (lambda L: fw.Ledger.open("bad\0path"), fw.IoError),
        (lambda L: fw.Ledger.from_journal("\n" * 1000), fw.JournalCorrupt),
        (lambda L: fw.Ledger.from_journal('{"journal":"funding-window","version":1}\n{"seq":1}\n'), fw.JournalCorrupt),
    ],
)
def test_bad_arguments_raise_python_errors(books: fw.Ledger, call: Any, error: Any) -> None:
    with pytest.raises(error) as info:
        call(books)
    assert type(info.value) is error and info.value.code == error.code


def test_journal_slices_take_any_bounds(books: fw.Ledger) -> None:
    snapshot = books.journal()._snapshot
    assert [e["seq"] for e in snapshot.entries(-1)] == [2]
    assert snapshot.entries(5, 1) == [] and snapshot.entries(-100, 100)[0]["seq"] == 1


ATOMS: List[Any] = [
    None, True, False, 0, -1, 7, 2**64, 2**200, "", "2/4", "SE", "CA-1", "USD", "2024-02-01", "2024-H1",
    "1.00", "-1.00", "NaN", "1e9", "\x00", "é", Decimal("1.00"), Decimal("NaN"), Decimal("-0"), 1.5,
    dt.date(2024, 2, 1), dt.datetime(2024, 2, 1), dt.datetime(2024, 2, 1, tzinfo=dt.timezone.utc), [], {},
]
KEYS = ["type", "id", "name", "kind", "amount", "agreement", "received_on", "signed_on", "currency", "purpose",
        "window", "earmarked_to", "project", "resolution", "resolutions", "shares", "weights", "policy",
        "source", "entry", "on", "period", "recorded_at", "idempotency_key", "psc_rate", "per_usd", "month"]


def random_value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.6:
        return rng.choice(ATOMS)
    if roll < 0.8:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(KEYS): random_value(rng, depth + 1) for _ in range(rng.randrange(5))}


def test_random_structures_never_escape_as_anything_but_exceptions(books: fw.Ledger) -> None:
    rng = random.Random(20240210)
    types = list(fw.COMMAND_TYPES)
    for _ in range(3000):
        command = {k: random_value(rng, 1) for k in rng.sample(KEYS, rng.randrange(1, 8))}
        if rng.random() < 0.8:
            command["type"] = rng.choice(types)
        before = (books.chain_head, len(books))
        try:
            books.apply(command)
        except fw.LedgerError:
            # Anything else (a TypeError of the interpreter, a PanicException) fails the test.
            assert (books.chain_head, len(books)) == before
    assert all(total == 0 for total in books.trial_balance().totals.values())
    fw.Ledger.from_journal(books.to_journal())
