"""Every argument of every public method, given the wrong kind of value.

A sweep, not a list of chosen cases: every public method of :class:`funding_window.Ledger`
(found by introspection, so a new method is swept or this file fails), every one of its
parameters, and each value of ``ATOMS`` (wrong types, ``None``, bools, negative and huge
ints, floats, NaN ``Decimal``s, empty, control and lone-surrogate strings, bytes, sets,
naive datetimes, objects whose own code raises). For each call:

* it succeeds, or raises a :class:`~funding_window.LedgerError` subclass (never a plain
  ``TypeError``, ``OverflowError``, ``UnicodeEncodeError`` or a ``PanicException``);
* when it fails, the ledger is exactly as it was (trial balance, chain head, entry count);
* a value the parameter's annotation does not admit (``None`` for a ``str``, a ``float``
  for an amount, a ``str`` for a list of ids) fails.

The cases named in issue 14 and the class each must raise are checked one by one below.
"""

from __future__ import annotations

import collections.abc as abc
import datetime as dt
import inspect
import os
import sys
import typing
from decimal import Decimal as D
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Literal, Optional, Tuple, Union

import pytest

import funding_window as fw
from funding_window import ledger as ledger_module
from helpers import AT, build_year

UTC = dt.timezone.utc


class RaisingPath(os.PathLike):  # type: ignore[type-arg]
    """A path-like object whose ``__fspath__`` raises."""

    def __fspath__(self) -> str:
        raise RuntimeError("no path today")


class RaisingIter(dict):  # type: ignore[type-arg]
    """A dict whose iteration raises (the binding reads a private copy of it)."""

    def __iter__(self) -> Iterator[Any]:
        raise RuntimeError("no keys today")

    def keys(self) -> Any:
        raise RuntimeError("no keys today")


class RaisingSequence(list):  # type: ignore[type-arg]
    """A list whose iteration raises."""

    def __iter__(self) -> Iterator[Any]:
        raise RuntimeError("no items today")


#: label -> a factory of the value (fresh each call: generators are used up).
ATOMS: Dict[str, Callable[[], Any]] = {
    "None": lambda: None,
    "True": lambda: True,
    "False": lambda: False,
    "int -1": lambda: -1,
    "int 0": lambda: 0,
    "int 2**64": lambda: 2**64,
    "int 2**200": lambda: 2**200,
    "float": lambda: 1250.5,
    "float nan": lambda: float("nan"),
    "Decimal NaN": lambda: D("NaN"),
    "Decimal sNaN": lambda: D("sNaN"),
    "Decimal -Infinity": lambda: D("-Infinity"),
    "Decimal -1": lambda: D("-1"),
    "Decimal 1E+30": lambda: D("1E+30"),
    "empty str": lambda: "",
    "lone surrogate": lambda: "2/4\ud800",
    "surrogate escape": lambda: "x\udcff",
    "control characters": lambda: "a\x00b\x1f",
    "long str": lambda: "x" * 100_000,
    "bytes": lambda: b"2024-H2",
    "bytearray": lambda: bytearray(b"2/4"),
    "list of str": lambda: ["2/4"],
    "list of None": lambda: [None],
    "dict": lambda: {"2/4": "1.00"},
    "set": lambda: {"2/4"},
    "object": lambda: object(),
    "naive datetime": lambda: dt.datetime(2024, 6, 30, 12, 0),
    "aware datetime": lambda: dt.datetime(2024, 6, 30, 12, 0, tzinfo=UTC),
    "date": lambda: dt.date(2024, 6, 30),
    "generator": lambda: (c for c in ["2/4"]),
    "raising path-like": RaisingPath,
    "raising dict": lambda: RaisingIter(a=1),
    "raising list": lambda: RaisingSequence(["2/4"]),
}

# A public method's valid call, by name: (positional arguments, keyword arguments). The paths
# are relative: the sweep runs in a temporary directory holding FIXTURES.
BASELINES: Dict[str, Tuple[Tuple[Any, ...], Dict[str, Any]]] = {
    "open": (("year.jsonl",), {}),
    # No server answers there: a valid call reaches the store and is STORE_UNAVAILABLE
    # (test_postgres.py connects for real).
    "connect": (("host=/nonexistent/fw-arguments user=postgres",), {"ledger": "books"}),
    "refresh": ((), {}),
    "create": (("new.jsonl",), {}),
    "recover": (("year.jsonl",), {}),
    "from_journal": ((None,), {}),  # the year's journal text, filled in by the fixture
    "save": (("saved.jsonl",), {}),
    "to_journal": ((), {}),
    "apply": (({"type": "set_status", "resolution": "2/4", "status": "started", "recorded_at": AT},), {}),
    "apply_batch": (([{"type": "set_status", "resolution": "2/9", "status": "started", "recorded_at": AT}],), {}),
    "preview": (({"type": "allocate", "id": "EB-P", "decided_on": "2024-11-02", "amount": "10.00",
                  "policy": "equal", "resolutions": ["2/2"], "approved_by": "ED"},), {}),
    "register_donor": (("DK", "Denmark", "member_state"), {"recorded_at": AT}),
    "register_resolution": (("3/1", "A new resolution"), {"recorded_at": AT}),
    "set_status": (("2/4", "started"), {"recorded_at": AT}),
    "set_rate": (("SEK", "2024-05", D("10.7000")), {"recorded_at": AT}),
    "set_requirement": (("2/4", D("1600000.00")), {"recorded_at": AT}),
    "configure": ((), {"rounding": "half_up", "recorded_at": AT}),
    "sign_agreement": (("CA-NO-2024-09", "NO", "USD", D("1000.00"), "2024-09-01", D("0.07"), False),
                       {"recorded_at": AT}),
    "record_receipt": (("CA-SE-2024-01", D("1000.00"), "2024-04-03"), {"recorded_at": AT}),
    "record_expenditure": ((D("10.00"), "2024-11-05"), {"resolution": "2/2", "recorded_at": AT}),
    "close_project": (("P-NO-9", "2024-10-01"), {"recorded_at": AT}),
    "transfer_balance": (("P-NO-8", "2024-10-05"), {"elected_on": "2024-10-02", "election_ref": "letter",
                                                    "recorded_at": AT}),
    "refund_balance": (("P-NO-8", "2024-10-05"), {"recorded_at": AT}),
    "allocate": (("EB-2024-H2-09", "2024-11-02", D("10.00"), "equal", ["2/2"]),
                 {"approved_by": "Executive Director", "recorded_at": AT}),
    "preview_allocation": (("EB-2024-H2-09", "2024-11-02", D("10.00"), "equal", ["2/2"]),
                           {"approved_by": "Executive Director"}),
    "convert_cash": (("USD", "EUR", D("100.00"), D("91.00"), "2024-12-02"), {"reference": "deal",
                                                                             "recorded_at": AT}),
    "reverse": ((16, "2024-11-05", "entered twice"), {"recorded_at": AT}),
    "close_period": (("2024-H1",), {"recorded_at": AT}),
    "trial_balance": ((), {"as_of": "2024-06-30"}),
    "resolution_tracker": (("2024-H2",), {}),
    "window_statement": (("2024-H2",), {}),
    "donor_statement": (("SE",), {}),
    "transfer_register": ((), {}),
    "allocation_log": ((), {}),
    "journal": ((), {}),
    "export_csv": (("trial_balance",), {"as_of": "2024-06-30"}),
    "export_iati": ((dt.datetime(2025, 1, 15, 9, 0, tzinfo=UTC),), {"as_of": "2024-12-31"}),
    "export_hledger": ((), {}),
    "export_xlsx": (("2024-H2", dt.datetime(2025, 1, 15, 9, 0, tzinfo=UTC)), {"as_of": "2024-12-31"}),
    "to_excel": (("pack.xlsx", "2024-H2", dt.datetime(2025, 1, 15, 9, 0, tzinfo=UTC)), {}),
    "apply_sheet": (("status.csv", "set_status"), {}),
    "resolutions": ((), {}),
    "donors": ((), {}),
    "window_balance": (("2024-06-30",), {}),
    "entry": ((1,), {}),
    "balance": (("assets:cash:USD", "USD", "2024-06-30"), {}),
}

#: The files of the sweep's directory: the year's journal, and a spreadsheet of one command.
FIXTURES = ("year.jsonl", "status.csv")


def write_fixtures(workdir: Path, journal_text: str) -> None:
    (workdir / "year.jsonl").write_text(journal_text, encoding="utf-8")
    (workdir / "status.csv").write_text(f"resolution,status,recorded_at\r\n2/9,started,{AT}\r\n", encoding="utf-8")


PUBLIC_METHODS = sorted(
    name for name, member in inspect.getmembers(fw.Ledger)
    if not name.startswith("_") and callable(member)
)


def books() -> fw.Ledger:
    """The example year, plus USD projects with 500.00 received: P-NO-9 open, P-NO-8 closed
    (with the elective-transfer clause)."""
    ledger = build_year(fw.Ledger())
    for n in (8, 9):
        ledger.sign_agreement(f"CA-NO-{n}", "NO", "USD", D("500.00"), "2024-09-01", "0.07", True,
                              project=f"P-NO-{n}", resolution="2/2", recorded_at=AT)
        ledger.record_receipt(f"CA-NO-{n}", D("500.00"), "2024-09-02", recorded_at=AT)
    ledger.close_project("P-NO-8", "2024-09-30", recorded_at=AT)
    return ledger


def state(ledger: fw.Ledger) -> Tuple[str, str, int]:
    return ledger.trial_balance().to_json(), ledger.chain_head, len(ledger)


# ----- what an annotation admits ---------------------------------------------------------------


def admits(hint: Any, value: Any) -> bool:
    """Whether ``value`` has a type the annotation ``hint`` names (its content may still be wrong).

    Stricter than ``isinstance`` where the library is: a ``bool`` is not an ``int``, a
    ``datetime`` is not a ``date``, and a ``str`` or bytes is not a sequence of items.
    """
    if hint is Any:
        return True
    if typing.get_origin(hint) is Literal:
        return any(type(value) is type(v) and value == v for v in typing.get_args(hint))
    if typing.is_typeddict(hint):
        return isinstance(value, dict)  # its keys and values are the core's to check
    if isinstance(hint, typing.ForwardRef):
        hint = eval(hint.__forward_arg__, {"os": os})  # noqa: S307 - an annotation of the package
    origin = typing.get_origin(hint)
    if origin is Union:
        return any(admits(h, value) for h in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is dt.date:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if origin in (abc.Sequence, abc.Iterable):
        (item,) = typing.get_args(hint)
        if isinstance(value, (str, bytes, bytearray, memoryview, abc.Mapping, abc.Set)):
            return False
        if not isinstance(value, (list, tuple)):
            return isinstance(value, abc.Iterator)  # a generator: its items are not looked at here
        return all(admits(item, v) for v in value)
    if origin is abc.Mapping:
        key, item = typing.get_args(hint)
        if not isinstance(value, abc.Mapping) or isinstance(value, (RaisingIter,)):
            return False  # not a mapping, or one that cannot even be read
        return all(admits(key, k) and admits(item, v) for k, v in value.items())
    if origin is os.PathLike:
        return isinstance(value, os.PathLike) and type(value) is not RaisingPath
    if isinstance(hint, type):
        return isinstance(value, hint)
    raise AssertionError(f"no rule for the annotation {hint!r}")


def hints(name: str) -> Dict[str, Any]:
    method = getattr(fw.Ledger, name)
    # The keyword methods are generated into another module (_commands) than ledger.py, which
    # imports the names their return annotations use.
    namespace = {**vars(ledger_module), **vars(sys.modules[method.__module__]), "os": os}
    return typing.get_type_hints(method, globalns=namespace)


def parameters(name: str) -> List[inspect.Parameter]:
    signature = inspect.signature(getattr(fw.Ledger, name))
    return [p for p in signature.parameters.values() if p.name != "self" and p.kind is not p.VAR_KEYWORD]


# ----- the sweep -------------------------------------------------------------------------------


def test_every_public_method_has_a_valid_call_to_vary() -> None:
    assert PUBLIC_METHODS == sorted(BASELINES), "a public method of Ledger is missing from BASELINES"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def call(ledger: fw.Ledger, name: str, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Any:
    method = getattr(fw.Ledger, name)
    if isinstance(inspect.getattr_static(fw.Ledger, name), (classmethod, staticmethod)):
        return method(*args, **kwargs)
    return method(ledger, *args, **kwargs)


def test_the_valid_calls_are_valid(workdir: Path) -> None:
    year = books()
    write_fixtures(workdir, year.to_journal())
    for name in PUBLIC_METHODS:
        args, kwargs = BASELINES[name]
        if name == "from_journal":
            args = (year.to_journal(),)
        ledger = books()
        if name == "connect":
            with pytest.raises(fw.StoreUnavailable):
                call(ledger, name, args, kwargs)
            continue
        call(ledger, name, args, kwargs)  # raises if the baseline is not a valid call
        for leftover in ("new.jsonl", "saved.jsonl", "pack.xlsx"):
            (workdir / leftover).unlink(missing_ok=True)


@pytest.mark.parametrize("name", PUBLIC_METHODS)
def test_every_parameter_with_every_kind_of_wrong_value(workdir: Path, name: str) -> None:
    ledger = books()
    journal_text = ledger.to_journal()
    write_fixtures(workdir, journal_text)
    base_args, base_kwargs = BASELINES[name]
    if name == "from_journal":
        base_args = (journal_text,)
    types = hints(name)
    params = parameters(name)
    failures = 0
    for param in params:
        for label, make in ATOMS.items():
            value = make()
            args, kwargs = list(base_args), dict(base_kwargs)
            position = params.index(param)
            if param.kind is param.POSITIONAL_OR_KEYWORD and position < len(args):
                args[position] = value
            else:
                kwargs[param.name] = value
            before = state(ledger)
            case = f"{name}({param.name}={label})"
            try:
                call(ledger, name, tuple(args), kwargs)
            except fw.LedgerError:
                failures += 1
                assert state(ledger) == before, f"{case} failed but changed the ledger"
                continue
            except BaseException as err:  # noqa: BLE001 - the point of the test
                pytest.fail(f"{case} raised {type(err).__name__} (not a LedgerError): {err}")
            finally:
                for leftover in workdir.iterdir():
                    if leftover.name not in FIXTURES:
                        leftover.unlink()
            assert admits(types[param.name], value), f"{case} succeeded with a value its annotation does not admit"
    assert failures > 0 or not params


# ----- the cases of issue 14, one by one --------------------------------------------------------

CASES: List[Tuple[str, Callable[[fw.Ledger], Any], type, str]] = [
    # (what, call, the exact class, the name of the argument or the field named in the message)
    ("lone surrogate in a command field", lambda L: L.apply({"type": "set_status", "resolution": "2/4",
                                                              "status": "started\ud800"}), fw.InvalidCommand, "status"),
    ("lone surrogate in a keyword method", lambda L: L.register_donor("DK\udcff", "Denmark", "member_state"),
     fw.InvalidCommand, "id"),
    ("lone surrogate in a command key", lambda L: L.apply({"type": "close_period", "period\ud800": "2024-H1"}),
     fw.InvalidCommand, "command"),
    ("lone surrogate as a period", lambda L: L.resolution_tracker("2024-H2\ud800"), fw.InvalidArgument, "period"),
    ("lone surrogate as a date", lambda L: L.trial_balance("2024-06-30\ud800"), fw.InvalidArgument, "as_of"),
    ("lone surrogate as a donor", lambda L: L.donor_statement("SE\ud800"), fw.InvalidArgument, "donor"),
    ("lone surrogate as an account", lambda L: L.balance("assets:cash:\ud800"), fw.InvalidArgument, "account"),
    ("lone surrogate in CSV arguments", lambda L: L.export_csv("donor_statement", donor="SE\ud800"),
     fw.InvalidArgument, "donor"),
    ("lone surrogate as a journal", lambda L: fw.Ledger.from_journal("\ud800"), fw.InvalidArgument, "journal"),
    ("lone surrogate as a path", lambda L: fw.Ledger.open("\ud800.jsonl"), fw.InvalidArgument, "path"),
    ("entry(-1)", lambda L: L.entry(-1), fw.InvalidArgument, "seq"),
    ("entry(0)", lambda L: L.entry(0), fw.InvalidArgument, "seq"),
    ("entry(2**64)", lambda L: L.entry(2**64), fw.InvalidArgument, "seq"),
    ("entry('1')", lambda L: L.entry("1"), fw.ArgumentTypeError, "seq"),
    ("entry(True)", lambda L: L.entry(True), fw.ArgumentTypeError, "seq"),
    ("entry(1.0)", lambda L: L.entry(1.0), fw.ArgumentTypeError, "seq"),
    ("entry(Decimal(1))", lambda L: L.entry(D(1)), fw.ArgumentTypeError, "seq"),
    ("entry(None)", lambda L: L.entry(None), fw.ArgumentTypeError, "seq"),
    ("from_journal(None)", lambda L: fw.Ledger.from_journal(None), fw.ArgumentTypeError, "journal"),
    ("from_journal(b'')", lambda L: fw.Ledger.from_journal(b""), fw.JournalCorrupt, ""),
    ("from_journal(['lines'])", lambda L: fw.Ledger.from_journal(["lines"]), fw.ArgumentTypeError, "journal"),
    ("Ledger.open(None)", lambda L: fw.Ledger.open(None), fw.ArgumentTypeError, "path"),
    ("Ledger.open(b'path')", lambda L: fw.Ledger.open(b"year.jsonl"), fw.ArgumentTypeError, "path"),
    ("Ledger.create(3)", lambda L: fw.Ledger.create(3), fw.ArgumentTypeError, "path"),
    ("save(None)", lambda L: L.save(None), fw.ArgumentTypeError, "path"),
    ("a path-like that raises", lambda L: fw.Ledger.open(RaisingPath()), fw.InvalidArgument, "path"),
    ("apply_batch(None)", lambda L: L.apply_batch(None), fw.ArgumentTypeError, "commands"),
    ("apply_batch(a set)", lambda L: L.apply_batch({"{}"}), fw.ArgumentTypeError, "commands"),
    ("apply_batch(bytes)", lambda L: L.apply_batch(b"[]"), fw.ArgumentTypeError, "commands"),
    ("earmarked_to as a str", lambda L: L.sign_agreement("CA-X", "NO", "USD", "1.00", "2024-09-01", "0.07", False,
                                                          earmarked_to="2/4"), fw.ArgumentTypeError, "earmarked_to"),
    ("earmarked_to with a project", lambda L: L.sign_agreement("CA-X", "NO", "USD", "1.00", "2024-09-01", "0.07",
                                                                False, project="P-X", resolution="2/2",
                                                                earmarked_to=["2/4"]),
     fw.ArgumentTypeError, "earmarked_to"),
    ("resolution without a project", lambda L: L.sign_agreement("CA-X", "NO", "USD", "1.00", "2024-09-01", "0.07",
                                                                 False, resolution="2/2"),
     fw.ArgumentTypeError, "resolution"),
    ("resolutions as a str", lambda L: L.allocate("EB-X", "2024-11-02", "10.00", "equal", "2/2"),
     fw.ArgumentTypeError, "resolutions"),
    ("shares as a list", lambda L: L.allocate("EB-X", "2024-11-02", "10.00", "explicit", shares=[("2/2", "10.00")]),
     fw.ArgumentTypeError, "shares"),
    ("NaN Decimal as an amount", lambda L: L.record_receipt("CA-SE-2024-01", D("NaN"), "2024-04-03"),
     fw.InvalidAmount, ""),
    ("bool as an entry number", lambda L: L.reverse(True, "2024-11-05", "x"), fw.InvalidCommand, ""),
    ("bool as an amount", lambda L: L.record_receipt("CA-SE-2024-01", True, "2024-04-03"), fw.CommandTypeError,
     "amount"),
    ("bytes as a reference", lambda L: L.record_receipt("CA-SE-2024-01", "1.00", "2024-04-03", b"ref"),
     fw.CommandTypeError, "reference"),
    ("huge int as an entry number", lambda L: L.reverse(2**64, "2024-11-05", "x"), fw.InvalidCommand, "entry"),
    ("negative int as an entry number", lambda L: L.reverse(-1, "2024-11-05", "x"), fw.InvalidCommand, ""),
]


@pytest.mark.parametrize("what, run, error, named", CASES, ids=[c[0] for c in CASES])
def test_each_case_of_the_issue_is_its_typed_error(
    workdir: Path, what: str, run: Callable[[fw.Ledger], Any], error: type, named: str
) -> None:
    ledger = books()
    write_fixtures(workdir, ledger.to_journal())
    before = state(ledger)
    with pytest.raises(fw.LedgerError) as info:
        run(ledger)
    assert type(info.value) is error, f"{what}: {type(info.value).__name__}: {info.value}"
    assert info.value.code == error.code
    if issubclass(error, fw.InvalidArgument):
        assert info.value.name == named
    elif named:
        assert named in info.value.message
    assert state(ledger) == before


def test_what_a_value_raises_becomes_the_cause() -> None:
    ledger = books()
    before = state(ledger)

    def commands() -> Iterator[Dict[str, Any]]:
        yield {"type": "set_status", "resolution": "2/4", "status": "started"}
        raise KeyError("the spreadsheet ran out")

    with pytest.raises(fw.InvalidCommand) as batch:
        ledger.apply_batch(commands())
    assert batch.value.index == 1 and isinstance(batch.value.__cause__, KeyError)
    with pytest.raises(fw.InvalidCommand, match="reading it raised RuntimeError") as field:
        ledger.apply({"type": "allocate", "id": "EB-X", "decided_on": "2024-11-02", "amount": "10.00",
                      "policy": "explicit", "shares": RaisingIter({"2/2": "10.00"})})
    assert isinstance(field.value.__cause__, RuntimeError)
    with pytest.raises(fw.InvalidCommand) as listed:
        ledger.apply({"type": "set_status", "resolution": RaisingSequence(["2/4"]), "status": "started"})
    assert isinstance(listed.value.__cause__, RuntimeError)
    assert state(ledger) == before


def test_an_interrupt_is_not_turned_into_a_ledger_error() -> None:
    ledger = books()
    before = state(ledger)

    def interrupted() -> Iterator[Dict[str, Any]]:
        yield {"type": "set_status", "resolution": "2/4", "status": "started"}
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ledger.apply_batch(interrupted())
    assert state(ledger) == before


def test_a_journal_as_bytes_is_the_journal() -> None:
    year = books()
    text = year.to_journal()
    for journal in (text.encode(), bytearray(text.encode()), memoryview(text.encode())):
        assert fw.Ledger.from_journal(journal).to_journal() == text
    broken = text.encode().replace(b"Sweden", b"Sw\xffden")
    with pytest.raises(fw.JournalCorrupt) as info:
        fw.Ledger.from_journal(broken)
    assert info.value.line == 2


def test_a_path_with_a_surrogate_escape_names_its_file(workdir: Path) -> None:
    name = os.fsdecode(b"caf\xe9.jsonl")  # a file name that is not UTF-8, as os.listdir gives it
    books().save(name)
    assert os.fsencode(name) in os.listdir(os.fsencode(str(workdir)))
    assert len(fw.Ledger.open(name)) == len(books())


def test_batch_results_index_like_a_list() -> None:
    batch = fw.Ledger().apply_batch([{"type": "set_status", "resolution": r, "status": "started"}
                                     for r in ("2/2", "2/4", "2/9")])
    assert [a.seq for a in batch[True:]] == [2, 3] and batch[-1].seq == 3
    with pytest.raises(IndexError):
        batch[2**100]
    with pytest.raises(IndexError):
        batch[3]
    with pytest.raises(fw.ArgumentTypeError) as info:
        batch["1"]  # type: ignore[call-overload]
    assert info.value.name == "index"
    with pytest.raises(fw.ArgumentTypeError):
        batch["a":]  # type: ignore[misc]


def test_journal_slices_refuse_bounds_that_are_not_ints() -> None:
    snapshot = books().journal()._snapshot
    assert [e["seq"] for e in snapshot.entries(2**100 * -1, 2)] == [1, 2]
    with pytest.raises(fw.ArgumentTypeError) as info:
        snapshot.entries("1")  # type: ignore[arg-type]
    assert info.value.name == "start"
    with pytest.raises(fw.ArgumentTypeError):
        snapshot.entries(0, 2.5)  # type: ignore[arg-type]


def test_report_options_are_typed_errors() -> None:
    pytest.importorskip("pandas")
    tracker = books().resolution_tracker("2024-H2")
    with pytest.raises(fw.InvalidArgument) as mode:
        tracker.to_pandas(decimals="float")
    assert mode.value.name == "decimals" and not isinstance(mode.value, TypeError)
    with pytest.raises(fw.ArgumentTypeError):
        tracker.to_pandas(decimals=5)  # type: ignore[arg-type]
    pytest.importorskip("matplotlib")
    with pytest.raises(fw.ArgumentTypeError) as axes:
        tracker.plot(ax="the left one")  # type: ignore[arg-type]
    assert axes.value.name == "ax"


def test_command_to_json_refuses_as_apply_does() -> None:
    with pytest.raises(fw.InvalidCommand):
        fw.command_to_json({"type": "close_period", "period": "\ud800"})
    with pytest.raises(fw.CommandTypeError):
        fw.command_to_json({"type": "close_period", "period": b"2024-H1"})


def test_the_annotation_rules_of_this_file() -> None:
    # The sweep's last assertion is only as good as `admits`: check it on known cases.
    assert admits(Optional[str], None) and not admits(str, None)
    assert admits(fw.Amount, D("1.00")) and admits(fw.Amount, 5) and not admits(fw.Amount, True)
    assert not admits(fw.Amount, 1.5) and not admits(fw.DateLike, dt.datetime(2024, 1, 1))
    assert not admits(typing.Sequence[str], "2/4") and admits(typing.Sequence[str], ["2/4"])
    assert not admits(typing.Mapping[str, fw.Amount], {"2/2": 1.5})
    assert admits(ledger_module.PathLike, Path("x")) and not admits(ledger_module.PathLike, b"x")
