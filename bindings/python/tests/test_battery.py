"""The contract's bad-input battery, through the Python binding.

``contract/bad-input.json`` is generated from the core (``funding_window::contract::battery``,
written by ``cargo run -p funding-window-codegen``): a known state, and for every field of every
command each kind of bad value with the error code the ledger answers. The core's tests and the
WebAssembly binding's run the same cases, so the three front ends must agree.

Every case is given to one ledger in the known state three ways where it can be: as a dict (what
``json.loads`` makes of the case; not for a repeated key, which a dict cannot hold), as JSON text,
and through the command's keyword method (when the bad value sits in a top-level field the method
takes as it is). Each must raise the class of the case's code, carrying the code (and the field,
for the errors that name one), and leave the books exactly as they were.
"""

from __future__ import annotations

import inspect
import json
import keyword
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

import funding_window as fw
from helpers import REPO

BATTERY: Dict[str, Any] = json.loads((REPO / "contract" / "bad-input.json").read_text(encoding="utf-8"))
CASES: List[Dict[str, Any]] = BATTERY["cases"]

#: (command, field) whose values are lists or tables in the bases: their keyword methods take them as
#: arguments of their own and refuse another Python type as ``ArgumentTypeError`` (``INVALID_ARGUMENT``).
CONTAINERS = {
    (base["type"], key)
    for base in map(json.loads, BATTERY["bases"])
    for key, value in base.items()
    if isinstance(value, (list, dict))
}


def books(ledger: fw.Ledger) -> Tuple[str, str, int]:
    """What a refused command must leave as it was."""
    return ledger.trial_balance().to_json(), ledger.chain_head, len(ledger)


@pytest.fixture(scope="module")
def state() -> fw.Ledger:
    ledger = fw.Ledger()
    ledger.apply_batch(BATTERY["setup"])
    return ledger


def keyword_call(ledger: fw.Ledger, case: Dict[str, Any]) -> Optional[Callable[[], Any]]:
    """The case as a call of its keyword method, when the bad value is a top-level field's own
    value that the method passes on unchanged; else ``None``."""
    field = case["field"]
    if not case["object"] or not field or "." in field or "[" in field or field == "type":
        return None
    if case["kind"] in ("missing", "unknown_field"):
        return None
    if (case["command"], field) in CONTAINERS:
        return None
    command = json.loads(case["json"])
    if command[field] is None:
        return None  # None leaves a field out
    # A field named after a Python keyword is the parameter with a trailing underscore (from_).
    kwargs = {(k + "_" if keyword.iskeyword(k) else k): v for k, v in command.items() if k != "type"}
    purpose = kwargs.pop("purpose", None)
    if purpose is not None:
        if "window" in purpose:
            kwargs["earmarked_to"] = purpose["window"]["earmarked_to"]
        else:
            kwargs["project"] = purpose["project"]["id"]
            kwargs["resolution"] = purpose["project"]["resolution"]
    method = getattr(ledger, case["command"])
    if not set(kwargs) <= set(inspect.signature(method).parameters):
        return None
    return lambda: method(**kwargs)


def ways(ledger: fw.Ledger, case: Dict[str, Any]) -> List[Tuple[str, Callable[[], Any]]]:
    out: List[Tuple[str, Callable[[], Any]]] = [("text", lambda: ledger.apply(case["json"]))]
    if case["object"]:
        command = json.loads(case["json"])
        out.append(("dict", lambda: ledger.apply(command)))
    by_keywords = keyword_call(ledger, case)
    if by_keywords is not None:
        out.append(("keywords", by_keywords))
    return out


def test_the_battery_covers_every_command_with_hundreds_of_cases() -> None:
    assert len(CASES) >= 500
    commands = {json.loads(base)["type"] for base in BATTERY["bases"]}
    assert {c["command"] for c in CASES} == commands
    # Every command type of the contract has its keyword method, hence its cases.
    methods = {name for name in commands if callable(getattr(fw.Ledger, name, None))}
    assert methods == commands
    assert len({c["name"] for c in CASES}) == len(CASES)


def test_each_base_is_accepted_by_the_state() -> None:
    for base in BATTERY["bases"]:
        ledger = fw.Ledger()
        ledger.apply_batch(BATTERY["setup"])
        ledger.apply(base)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_each_case_is_refused_with_its_code_and_changes_nothing(state: fw.Ledger, case: Dict[str, Any]) -> None:
    before = books(state)
    for way, call in ways(state, case):
        with pytest.raises(fw.LedgerError) as info:
            call()
        error = info.value
        assert error.code == case["code"], f"{way}: {error}"
        assert type(error).code == case["code"], f"{way}: {type(error)}"
        if "error_field" in case:
            assert error.details.get("field") == case["error_field"], f"{way}: {error.details}"
        assert books(state) == before, way


def test_every_way_is_used() -> None:
    ledger = fw.Ledger()
    counts: Dict[str, int] = {}
    for case in CASES:
        for way, _ in ways(ledger, case):
            counts[way] = counts.get(way, 0) + 1
    assert counts["text"] == len(CASES)
    assert counts["dict"] >= 500 and counts["keywords"] >= 300, counts
