"""Every conformance scenario of tests/scenarios/ through the Python API (see its README.md).

Reports are compared byte for byte: the expectation written compactly (no spaces, keys in the
order the file lists them, non-ASCII as UTF-8) must equal the report's ``to_json()`` exactly.
Previews and balances are compared as JSON values (their amounts are strings, so exactly).

Commands go through the dict API, the way an analyst calls the binding. A command whose
money field holds a JSON number (``"amount": 100``) or that holds a fractional JSON number
anywhere has no dict form with the same meaning (in Python an ``int`` is money and a
``float`` is refused with ``TypeError``), so it goes to the core as its JSON text, which the
binding also accepts: the core then judges the very JSON the scenario gives, as in Rust.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import funding_window as fw

from helpers import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.json"))


def test_there_are_scenarios() -> None:
    assert len(FILES) >= 30, f"at least 30 scenarios in {SCENARIOS}, found {len(FILES)}"


def test_reports_are_compared_byte_for_byte() -> None:
    # Same values, other bytes: key order, spacing and escaping all count.
    assert compact({"b": "1.00", "a": "é"}) == '{"b":"1.00","a":"é"}'
    assert compact({"b": "1.00", "a": "é"}) != compact({"a": "é", "b": "1.00"})
    ledger = fw.Ledger()
    step = {"report": "trial_balance", "args": {}}
    text = report_text(ledger, step)
    assert text == compact(json.loads(text))
    reordered = dict(reversed(list(json.loads(text).items())))
    failures, _ = run({"steps": [{**step, "expect": reordered}]})
    assert failures and "byte for byte" in failures[0]


def _has_json_number_without_dict_form(command: Any) -> bool:
    if not isinstance(command, dict):
        return False

    def fractional(value: Any) -> bool:
        if isinstance(value, float):
            return True
        if isinstance(value, dict):
            return any(fractional(v) for v in value.values())
        if isinstance(value, list):
            return any(fractional(v) for v in value)
        return False

    def money_number(key: str, value: Any) -> bool:
        if key in fw.DECIMAL_FIELDS:
            return isinstance(value, (int, float)) and not isinstance(value, bool)
        if key in fw.DECIMAL_TABLE_FIELDS and isinstance(value, dict):
            return any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values())
        return False

    return fractional(command) or any(money_number(k, v) for k, v in command.items())


def command(cmd: Any, recorded_at: Any) -> Any:
    """The scenario's command with its ``recorded_at`` (when it has none), as the binding takes it."""
    if isinstance(cmd, dict) and isinstance(recorded_at, str) and "recorded_at" not in cmd:
        cmd = {**cmd, "recorded_at": recorded_at}
    return json.dumps(cmd) if _has_json_number_without_dict_form(cmd) else cmd


def plain(value: Any) -> Any:
    """Python report values back to JSON types (checks that the conversion loses nothing)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def run_report(ledger: fw.Ledger, step: Dict[str, Any]) -> fw.Report:
    name = step["report"]
    args = step.get("args") or {}

    def text(key: str) -> Optional[str]:
        value = args.get(key)
        return value if isinstance(value, str) else None

    if name == "trial_balance":
        return ledger.trial_balance(text("as_of"))
    # A period is text ("2024-H2", "2024-Q3", ...) or a {"from", "to"} range of dates: as given.
    period = args.get("period", "")
    if name == "resolution_tracker":
        return ledger.resolution_tracker(period)
    if name == "window_statement":
        return ledger.window_statement(period)
    if name == "donor_statement":
        return ledger.donor_statement(text("donor") or "")
    if name == "transfer_register":
        return ledger.transfer_register()
    if name == "allocation_log":
        return ledger.allocation_log()
    raise AssertionError(f"unknown report {name}")


def report_text(ledger: fw.Ledger, step: Dict[str, Any]) -> str:
    """The report's exact JSON text (after checking that its Python values are the same report)."""
    report = run_report(ledger, step)
    text = report.to_json()
    assert plain(report.data) == json.loads(text)
    return text


def compact(expectation: Any) -> str:
    """An expectation written as the README says reports are compared: compact, keys in file order, UTF-8."""
    return json.dumps(expectation, separators=(",", ":"), ensure_ascii=False)


def fingerprint(ledger: fw.Ledger) -> str:
    return ledger.trial_balance().to_json() + "|" + ledger.chain_head


def check_error(step: Dict[str, Any], error: Optional[BaseException], what: str) -> List[str]:
    want = step.get("error")
    if want is None and error is None:
        return []
    if want is not None and error is None:
        return [f"{what}: expected error {want}, it succeeded"]
    code = getattr(error, "code", None)
    if want is not None and code == want:
        # The step's error_fields, if any: each named field must have that value.
        fields = {"code": code, **(getattr(error, "details", None) or {})}
        differ = [f"{key}: expected {value!r}, got {fields.get(key)!r}"
                  for key, value in step.get("error_fields", {}).items() if fields.get(key) != value]
        return [f"{what}: error fields differ: {'; '.join(differ)}"] if differ else []
    return [f"{what}: expected {want!r}, got {type(error).__name__} {code} ({error})"]


def run(scenario: Dict[str, Any]) -> Tuple[List[str], fw.Ledger]:
    recorded_at = scenario.get("recorded_at")
    ledger = fw.Ledger()
    failures: List[str] = []
    for i, step in enumerate(scenario["steps"]):
        what = f"step {i}"
        before = fingerprint(ledger)
        expects_error = "error" in step
        if "apply" in step:
            applied = None
            error: Optional[BaseException] = None
            try:
                applied = ledger.apply(command(step["apply"], recorded_at))
            except fw.LedgerError as e:
                error = e
            step_failures = check_error(step, error, what)
            if applied is not None and not step_failures:
                result = json.loads(applied.to_json())
                if "postings" in step and result["postings"] != step["postings"]:
                    step_failures.append(f"{what} postings: expected {step['postings']}, got {result['postings']}")
                if plain(applied.postings) != result["postings"]:
                    step_failures.append(f"{what}: Python postings differ from the JSON")
                if applied.duplicate != step.get("duplicate", False):
                    step_failures.append(f"{what}: duplicate flag {applied.duplicate}")
            failures += step_failures
        elif "batch" in step:
            error = None
            try:
                ledger.apply_batch([command(c, recorded_at) for c in step["batch"]])
            except fw.LedgerError as e:
                error = e
            step_failures = check_error(step, error, what)
            if error is not None and not step_failures and "index" in step:
                if getattr(error, "index", None) != step["index"]:
                    step_failures.append(f"{what}: failed at {getattr(error, 'index', None)} not {step['index']}")
            failures += step_failures
        elif "preview" in step:
            try:
                preview = ledger.preview(command(step["preview"], recorded_at))
            except fw.LedgerError as e:
                failures += check_error(step, e, what)
            else:
                if expects_error:
                    failures += check_error(step, None, what)
                else:
                    value = json.loads(preview.to_json())
                    assert plain(preview.data) == value
                    if value != step.get("expect"):
                        failures.append(f"{what}: expected {step.get('expect')}, got {value}")
        elif "report" in step:
            try:
                text = report_text(ledger, step)
            except fw.LedgerError as e:
                failures += check_error(step, e, what)
            else:
                if expects_error:
                    failures += check_error(step, None, what)
                elif text != compact(step.get("expect")):
                    failures.append(f"{what}: {step['report']} is not byte for byte its expectation:\n"
                                    f"expected {compact(step.get('expect'))}\ngot      {text}")
        elif "balance" in step:
            spec = step["balance"]
            text = lambda key: spec.get(key) if isinstance(spec.get(key), str) else None  # noqa: E731
            try:
                amount = ledger.balance(text("account") or "", text("currency"), text("as_of"))
            except fw.LedgerError as e:
                failures += check_error(step, e, what)
            else:
                if expects_error:
                    failures += check_error(step, None, what)
                elif format(amount, "f") != step.get("expect"):
                    failures.append(f"{what}: balance {amount} where {step.get('expect')} was expected")
        else:
            failures.append(f"{what}: unknown step {step}")
        if expects_error and fingerprint(ledger) != before:
            failures.append(f"{what}: a failed step changed the ledger")
    return failures, ledger


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_scenario(path: Path) -> None:
    scenario = json.loads(path.read_text(encoding="utf-8"))
    failures, ledger = run(scenario)
    # Replay: the journal text rebuilds a ledger whose every report is the same.
    replayed = fw.Ledger.from_journal(ledger.to_journal())
    assert replayed.to_journal() == ledger.to_journal()
    assert replayed.chain_head == ledger.chain_head
    for step in scenario["steps"]:
        if "report" in step:
            live = again = None
            try:
                live = run_report(ledger, step).to_json()
            except fw.LedgerError as e:
                live = e.code  # the same refusal after replay
            try:
                again = run_report(replayed, step).to_json()
            except fw.LedgerError as e:
                again = e.code
            if live != again:
                failures.append(f"replay changes report {step['report']}")
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(failures)
