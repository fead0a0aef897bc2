"""Python values to the contract and back: exact, strict, documented in one place."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

import funding_window as fw

SIGN = {
    "type": "sign_agreement",
    "id": "CA-1",
    "donor": "NO",
    "currency": "USD",
    "signed_on": "2024-02-01",
    "psc_rate": "0.07",
    "elective_transfer": False,
    "purpose": {"window": {"earmarked_to": []}},
}


@pytest.fixture
def norway(ledger: fw.Ledger) -> fw.Ledger:
    ledger.register_donor("NO", "Norway", "member_state")
    return ledger


def receipt(amount: object, **extra: object) -> dict:
    return {"type": "record_receipt", "agreement": "CA-1", "amount": amount, "received_on": "2024-03-01", **extra}


# ----- money in ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        (Decimal("1250000.00"), "1250000.00"),
        (Decimal("5"), "5"),
        (Decimal("1E+3"), "1000"),
        (Decimal("1.0E+3"), "1000"),
        (Decimal("0.0000001"), "0.0000001"),
        (Decimal("-12.50"), "-12.50"),
        (1250000, "1250000"),
        (10**40, "1" + "0" * 40),
        ("1250000.00", "1250000.00"),
        ("1e5", "1e5"),  # strings pass as written: the core judges them
    ],
)
def test_money_becomes_a_decimal_string(value: object, text: str) -> None:
    assert json.loads(fw.command_to_json(receipt(value)))["amount"] == text


def test_decimal_nan_and_infinities_pass_as_text_for_the_core_to_refuse() -> None:
    for value, text in [(Decimal("NaN"), "NaN"), (Decimal("sNaN"), "sNaN"), (Decimal("Infinity"), "Infinity"),
                        (Decimal("-Infinity"), "-Infinity"), (Decimal("1E+999999999"), "1E+999999999")]:
        assert json.loads(fw.command_to_json(receipt(value)))["amount"] == text


@pytest.mark.parametrize(
    "amount, error, seen",
    [
        # (the Python value, the core's error, the text the core was given: its `value` detail)
        (Decimal("NaN"), fw.InvalidAmount, "NaN"),
        (Decimal("sNaN"), fw.InvalidAmount, "sNaN"),
        (Decimal("Infinity"), fw.InvalidAmount, "Infinity"),
        (Decimal("-Infinity"), fw.InvalidAmount, "-Infinity"),
        (Decimal("1E+999999999"), fw.InvalidAmount, "1E+999999999"),
        (Decimal("-5.00"), fw.InvalidAmount, "-5.00"),
        (Decimal("0"), fw.InvalidAmount, "0"),
        ("1e5", fw.InvalidAmount, "1e5"),
        (" 5.00", fw.InvalidAmount, " 5.00"),
        (Decimal("1.005"), fw.PrecisionExceeded, "1.005"),
        (Decimal("0.001"), fw.PrecisionExceeded, "0.001"),
        ("1.005", fw.PrecisionExceeded, "1.005"),
        (10**20, fw.AmountTooLarge, "100000000000000000000"),
        (10**40, fw.InvalidAmount, "1" + "0" * 40),
        # beyond Python's int-to-text limit: hexadecimal text, still the core's error
        pytest.param(10**5000, fw.InvalidAmount, "0x", id="int-of-5001-digits"),
    ],
)
def test_bad_money_raises_the_cores_error(norway: fw.Ledger, amount: object, error: type, seen: str) -> None:
    with pytest.raises(error) as info:
        norway.apply({**SIGN, "amount": amount})
    assert type(info.value) is error
    # Every money error names the field and the exact text the binding handed to the core.
    assert info.value.field == "amount"
    assert info.value.value.startswith(seen) if seen == "0x" else info.value.value == seen
    assert len(norway) == 1


def test_precision_follows_the_currency(norway: fw.Ledger) -> None:
    norway.set_rate("JPY", "2024-02", "150.25")
    norway.set_rate("KWD", "2024-02", "0.307")
    with pytest.raises(fw.PrecisionExceeded) as jpy:
        norway.apply({**SIGN, "id": "CA-J", "currency": "JPY", "amount": Decimal("1000.5")})
    assert (jpy.value.currency, jpy.value.minor_unit) == ("JPY", 0)
    norway.apply({**SIGN, "id": "CA-J", "currency": "JPY", "amount": Decimal("1000")})
    norway.apply({**SIGN, "id": "CA-K", "currency": "KWD", "amount": Decimal("1000.125")})
    with pytest.raises(fw.PrecisionExceeded):
        norway.apply({**SIGN, "id": "CA-K2", "currency": "KWD", "amount": "1000.1255"})
    rows = {r["agreement"]: r for r in norway.donor_statement("NO").rows}
    assert rows["CA-J"]["amount"] == Decimal("1000") and rows["CA-K"]["amount"] == Decimal("1000.125")


@pytest.mark.parametrize("value", [1250.0, float("nan"), float("inf"), 0.07])
def test_a_float_where_money_belongs_is_a_type_error(norway: fw.Ledger, value: float) -> None:
    with pytest.raises(TypeError, match="float"):
        norway.apply({**SIGN, "amount": value})
    with pytest.raises(TypeError, match="float"):
        norway.apply({**SIGN, "amount": "1.00", "psc_rate": value})
    with pytest.raises(TypeError, match="float"):
        fw.command_to_json({"type": "allocate", "shares": {"2/4": value}})
    assert len(norway) == 1


def test_a_float_anywhere_is_a_type_error(norway: fw.Ledger) -> None:
    with pytest.raises(TypeError, match="float"):
        norway.apply({"type": "reverse", "entry": 1.0, "on": "2024-03-01", "reason": "x"})
    with pytest.raises(TypeError, match=r"purpose\.window\.earmarked_to\[0\]"):
        norway.apply({**SIGN, "amount": "1.00", "purpose": {"window": {"earmarked_to": [2.4]}}})


@pytest.mark.parametrize("value", [True, False])
def test_a_bool_where_money_belongs_is_a_type_error(norway: fw.Ledger, value: bool) -> None:
    with pytest.raises(TypeError, match="bool"):
        norway.apply({**SIGN, "amount": value})
    with pytest.raises(TypeError, match="bool"):
        fw.command_to_json({"type": "allocate", "weights": {"2/4": value}})


def test_bools_outside_money_are_json_booleans() -> None:
    assert json.loads(fw.command_to_json({**SIGN, "amount": "1.00", "elective_transfer": True}))["elective_transfer"] is True


def test_a_decimal_outside_money_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="money field"):
        fw.command_to_json({"type": "reverse", "entry": Decimal(4), "on": "2024-03-01", "reason": "x"})


def test_money_tables_take_decimals_ints_and_strings() -> None:
    text = fw.command_to_json(
        {"type": "allocate", "shares": {"2/4": Decimal("100.50"), "2/5": 7, "2/6": "1.00"}, "weights": None}
    )
    assert json.loads(text)["shares"] == {"2/4": "100.50", "2/5": "7", "2/6": "1.00"}
    assert json.loads(text)["weights"] is None


def test_money_subclasses_do_not_choose_their_text() -> None:
    class Shouting(Decimal):
        def __str__(self) -> str:
            return "LOUD"

    class Flag(int):
        def __str__(self) -> str:
            return "flag"

    assert json.loads(fw.command_to_json(receipt(Shouting("12.50"))))["amount"] == "12.50"
    assert json.loads(fw.command_to_json(receipt(Flag(12))))["amount"] == "12"


# ----- dates and times in ----------------------------------------------------------------------


def test_dates_become_iso_strings(norway: fw.Ledger) -> None:
    applied = norway.apply({**SIGN, "amount": Decimal("100.00"), "signed_on": dt.date(2024, 2, 1)})
    assert applied.date == dt.date(2024, 2, 1)
    assert json.loads(fw.command_to_json({"type": "x", "on": dt.date(2024, 12, 31)}))["on"] == "2024-12-31"


def test_a_datetime_where_a_date_belongs_is_a_type_error(norway: fw.Ledger) -> None:
    with pytest.raises(TypeError, match="datetime"):
        norway.apply({**SIGN, "amount": "100.00", "signed_on": dt.datetime(2024, 2, 1, 12, 0)})
    with pytest.raises(TypeError, match="datetime"):
        norway.apply({**SIGN, "amount": "100.00", "signed_on": dt.datetime(2024, 2, 1, tzinfo=dt.timezone.utc)})
    with pytest.raises(TypeError, match="datetime"):
        norway.trial_balance(as_of=dt.datetime(2024, 2, 1))
    with pytest.raises(TypeError):
        norway.apply({**SIGN, "amount": dt.date(2024, 2, 1)})
    assert len(norway) == 1


def test_recorded_at_takes_aware_datetimes_and_refuses_naive_ones(norway: fw.Ledger) -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    norway.apply({**SIGN, "amount": "100.00", "recorded_at": dt.datetime(2024, 7, 1, 10, 0, tzinfo=plus_two)})
    assert norway.entry(2)["recorded_at"] == "2024-07-01T08:00:00Z"
    with pytest.raises(TypeError, match="naive"):
        norway.apply({**SIGN, "id": "CA-2", "amount": "100.00", "recorded_at": dt.datetime(2024, 7, 1, 10, 0)})
    with pytest.raises(TypeError, match="timestamp"):
        norway.apply({**SIGN, "id": "CA-2", "amount": "100.00", "recorded_at": dt.date(2024, 7, 1)})
    norway.register_donor("SE", "Sweden", "member_state", recorded_at="2024-07-01T09:30:00.250+00:00")
    assert norway.entry(3)["recorded_at"] == "2024-07-01T09:30:00.250Z"


# ----- other shapes ------------------------------------------------------------------------------


def test_tuples_are_lists_and_keys_may_come_in_any_order(norway: fw.Ledger) -> None:
    command = {"purpose": {"window": {"earmarked_to": ("2/4", "2/5")}}, **SIGN, "amount": "10.00"}
    command["purpose"] = {"window": {"earmarked_to": ("2/4", "2/5")}}
    norway.apply(command)
    assert norway.donor_statement("NO").data["agreements"][0]["resolutions"] == ["2/4", "2/5"]


def test_json_text_commands_go_to_the_core_unchanged(norway: fw.Ledger) -> None:
    norway.apply(json.dumps({**SIGN, "amount": "10.00"}))
    with pytest.raises(fw.InvalidCommand, match="decimal string"):
        norway.apply(json.dumps(receipt(5)))  # a JSON number where money belongs
    assert fw.command_to_json('{"type": "x"}') == '{"type": "x"}'


def test_strings_are_escaped_exactly() -> None:
    name = 'Quote " backslash \\ newline \n tab \t bell \x07 é 中文 \U0001f600'
    assert json.loads(fw.command_to_json({"type": "register_donor", "name": name}))["name"] == name


# ----- values out --------------------------------------------------------------------------------


def test_report_values_are_exact_decimals_and_dates(year: fw.Ledger) -> None:
    tb = year.trial_balance()
    assert all(isinstance(r["balance"], Decimal) for r in tb.rows)
    assert all(t == 0 and isinstance(t, Decimal) for t in tb.totals.values())
    row = next(r for r in year.donor_statement("SE").rows)
    assert row["signed_on"] == dt.date(2024, 3, 12)
    assert row["rate"] == Decimal("10.4512") and str(row["amount"]) == "10000000.00"
    assert row["ends_on"] is None
    log = year.allocation_log().rows
    assert log[0]["date"] == dt.date(2024, 11, 1) and isinstance(log[0]["entry"], int)
    assert sum(r["amount"] for r in log) == Decimal("600000.00")


def test_applied_results_convert_the_same_way(ledger: fw.Ledger) -> None:
    ledger.register_donor("NO", "Norway", "member_state")
    applied = ledger.sign_agreement("CA-1", "NO", "USD", 900000, "2024-02-01", "0.07", False)
    assert applied.seq == 2 and len(applied.hash) == 64 and applied.duplicate is False
    assert applied.postings == [
        {"account": "assets:receivable:CA-1", "currency": "USD", "amount": Decimal("900000.00")},
        {"account": "funds:window:unallocated", "currency": "USD", "amount": Decimal("-900000.00")},
    ]
    as_json = json.loads(applied.to_json())
    assert as_json["date"] == "2024-02-01" and as_json["postings"][0]["amount"] == "900000.00"
    assert applied.to_dict()["date"] == dt.date(2024, 2, 1)
    assert repr(applied) == "Applied(seq=2, date=2024-02-01, postings=2, duplicate=False)"


def test_conversion_tables_are_exported() -> None:
    assert "amount" in fw.AMOUNT_KEYS and "gap_pct" in fw.AMOUNT_KEYS
    assert "signed_on" in fw.DATE_KEYS and "totals" in fw.AMOUNT_TABLE_KEYS
    assert set(fw.DECIMAL_FIELDS) <= set(fw.AMOUNT_KEYS)
    assert set(fw.DECIMAL_TABLE_FIELDS) <= set(fw.AMOUNT_TABLE_KEYS)
    assert "allocate" in fw.COMMAND_TYPES
