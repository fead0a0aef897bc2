//! Runs every JSON scenario in `tests/scenarios/` against the Rust core.
//!
//! `FW_BLESS=1` fills `"expect": null` (and rewrites differing expectations) from
//! the current output; every blessed number must then be checked by hand.

use std::path::{Path, PathBuf};

use funding_window::{Ledger, LedgerError, ReportingPeriod, Request};
use serde_json::{json, Value};

fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn request(cmd: &Value, recorded_at: &Value) -> Result<Request, LedgerError> {
    let mut cmd = cmd.clone();
    if let (Value::Object(map), Value::String(_)) = (&mut cmd, recorded_at) {
        map.entry("recorded_at").or_insert_with(|| recorded_at.clone());
    }
    Request::from_value(cmd)
}

fn arg<'a>(step: &'a Value, name: &str) -> Option<&'a str> {
    step.get("args").and_then(|a| a.get(name)).and_then(Value::as_str)
}

/// Runs a report step; the exact JSON text the core emits.
fn report_text(ledger: &Ledger, step: &Value) -> Result<String, LedgerError> {
    let name = step["report"].as_str().expect("report name");
    // A period is text (`"2024-H2"`, `"2024-Q3"`, ...) or a `{"from", "to"}` range of dates.
    let period = || ReportingPeriod::from_value(step.get("args").and_then(|a| a.get("period")).unwrap_or(&Value::Null));
    let text = match name {
        "trial_balance" => {
            let as_of = arg(step, "as_of").map(|d| funding_window::calendar::date_argument("as_of", d)).transpose()?;
            serde_json::to_string(&ledger.trial_balance(as_of))
        }
        "resolution_tracker" => serde_json::to_string(&ledger.resolution_tracker(period()?)),
        "window_statement" => serde_json::to_string(&ledger.window_statement(period()?)),
        "donor_statement" => serde_json::to_string(&ledger.donor_statement(arg(step, "donor").unwrap_or(""))?),
        "transfer_register" => serde_json::to_string(&ledger.transfer_register()),
        "allocation_log" => serde_json::to_string(&ledger.allocation_log()),
        other => panic!("unknown report {other}"),
    };
    Ok(text.expect("reports serialize"))
}

/// Runs a report step; the output as a JSON value (object keys in emission order).
fn report(ledger: &Ledger, step: &Value) -> Result<Value, LedgerError> {
    report_text(ledger, step).map(|t| serde_json::from_str(&t).expect("reports are JSON"))
}

fn balance(ledger: &Ledger, spec: &Value) -> Result<Value, LedgerError> {
    let currency = spec.get("currency").and_then(Value::as_str).map(str::parse).transpose()?;
    let as_of = spec
        .get("as_of")
        .and_then(Value::as_str)
        .map(|d| funding_window::calendar::date_argument("as_of", d))
        .transpose()?;
    let amount = ledger.balance(spec["account"].as_str().unwrap_or(""), currency, as_of)?;
    Ok(Value::String(amount.to_string()))
}

fn fingerprint(ledger: &Ledger) -> String {
    format!("{}|{}", serde_json::to_string(&ledger.trial_balance(None)).unwrap(), ledger.chain_head())
}

/// Compares (or, blessing, records) an expectation. Returns a failure message.
fn check(step: &mut Value, actual: Value, bless: bool, what: &str) -> Option<String> {
    let expected = step.get("expect").cloned().unwrap_or(Value::Null);
    if expected == actual {
        return None;
    }
    if bless {
        step["expect"] = actual;
        return None;
    }
    Some(format!(
        "{what}: expected\n{}\ngot\n{}",
        serde_json::to_string_pretty(&expected).unwrap(),
        serde_json::to_string_pretty(&actual).unwrap()
    ))
}

fn check_error(step: &Value, result: Result<(), LedgerError>, what: &str) -> Option<String> {
    let want = step.get("error").and_then(Value::as_str);
    match (want, result) {
        (None, Ok(())) => None,
        (Some(code), Err(e)) if e.code() == code => check_error_fields(step, &e, what),
        (Some(code), Ok(())) => Some(format!("{what}: expected error {code}, it succeeded")),
        (_, Err(e)) => Some(format!("{what}: expected {want:?}, got {} ({e})", e.code())),
    }
}

/// Compares the step's `error_fields` (if any) with the error's fields, as `to_json_value()` gives
/// them: every field the step names must be there with that value; others are not compared.
fn check_error_fields(step: &Value, error: &LedgerError, what: &str) -> Option<String> {
    let expected = step.get("error_fields")?.as_object()?;
    let actual = error.to_json_value();
    let differ: Vec<String> = expected
        .iter()
        .filter(|(key, value)| actual.get(key.as_str()) != Some(value))
        .map(|(key, value)| {
            format!("{key}: expected {value}, got {}", actual.get(key.as_str()).unwrap_or(&Value::Null))
        })
        .collect();
    (!differ.is_empty()).then(|| format!("{what}: error fields differ: {}", differ.join("; ")))
}

/// Runs a scenario; returns failures and the report outputs (for the replay check).
fn run(scenario: &mut Value, bless: bool) -> (Vec<String>, Ledger) {
    let recorded_at = scenario.get("recorded_at").cloned().unwrap_or(Value::Null);
    let mut ledger = Ledger::new();
    let mut failures = Vec::new();
    let steps = scenario["steps"].as_array_mut().expect("steps");
    for (i, step) in steps.iter_mut().enumerate() {
        let what = format!("step {i}");
        let before = fingerprint(&ledger);
        let expects_error = step.get("error").is_some();
        let failure = if let Some(cmd) = step.get("apply").cloned() {
            let result = request(&cmd, &recorded_at).and_then(|r| ledger.apply(r));
            let mut failure = check_error(step, result.as_ref().map(|_| ()).map_err(Clone::clone), &what);
            if let (Ok(applied), None) = (&result, &failure) {
                if let Some(expected) = step.get("postings") {
                    let actual = serde_json::to_value(&applied.postings).unwrap();
                    if &actual != expected {
                        failure = check(&mut json!({"expect": expected}), actual, false, &format!("{what} postings"));
                    }
                }
                let duplicate = step.get("duplicate").and_then(Value::as_bool).unwrap_or(false);
                if applied.duplicate != duplicate {
                    failure =
                        Some(format!("{what}: duplicate flag {} where {duplicate} was expected", applied.duplicate));
                }
            }
            failure
        } else if let Some(cmds) = step.get("batch").cloned() {
            let requests: Result<Vec<Request>, LedgerError> =
                cmds.as_array().expect("batch").iter().map(|c| request(c, &recorded_at)).collect();
            match requests {
                Err(e) => check_error(step, Err(e), &what),
                Ok(requests) => match ledger.apply_batch(requests) {
                    Ok(_) => check_error(step, Ok(()), &what),
                    Err(e) => {
                        let index = step.get("index").and_then(Value::as_u64);
                        check_error(step, Err(e.error.clone()), &what).or_else(|| {
                            (index != Some(e.index as u64))
                                .then(|| format!("{what}: failed at {} not {index:?}", e.index))
                        })
                    }
                },
            }
        } else if let Some(cmd) = step.get("preview").cloned() {
            match request(&cmd, &recorded_at).and_then(|r| ledger.preview_request(&r)) {
                Ok(preview) if !expects_error => check(step, serde_json::to_value(preview).unwrap(), bless, &what),
                Ok(_) => check_error(step, Ok(()), &what),
                Err(e) => check_error(step, Err(e), &what),
            }
        } else if step.get("report").is_some() {
            match report_text(&ledger, step) {
                // Byte for byte: the expectation, written compactly in its key order, must be
                // exactly what the core emits (every front end checks the same).
                Ok(text) if !expects_error => {
                    let expected = step.get("expect").map(|e| serde_json::to_string(e).unwrap());
                    if expected.as_deref() == Some(text.as_str()) {
                        None
                    } else {
                        check(step, serde_json::from_str(&text).unwrap(), bless, &what)
                            .or_else(|| (!bless).then(|| format!("{what}: same values, other bytes:\n{text}")))
                    }
                }
                Ok(_) => check_error(step, Ok(()), &what),
                Err(e) => check_error(step, Err(e), &what),
            }
        } else if let Some(spec) = step.get("balance").cloned() {
            match balance(&ledger, &spec) {
                Ok(value) if !expects_error => check(step, value, bless, &what),
                Ok(_) => check_error(step, Ok(()), &what),
                Err(e) => check_error(step, Err(e), &what),
            }
        } else {
            Some(format!("{what}: unknown step {step}"))
        };
        if let Some(f) = failure {
            failures.push(f);
        }
        if expects_error && fingerprint(&ledger) != before {
            failures.push(format!("{what}: a failed step changed the ledger"));
        }
    }
    (failures, ledger)
}

#[test]
fn every_scenario_passes_and_replays_to_the_same_reports() {
    let bless = std::env::var_os("FW_BLESS").is_some();
    let files = scenario_files();
    assert!(files.len() >= 12, "at least 12 scenarios, found {}", files.len());
    let mut all = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut scenario: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (mut failures, ledger) = run(&mut scenario, bless);
        // Replay: the journal text rebuilds a ledger whose every report is the same.
        match Ledger::from_journal(&ledger.to_journal().unwrap()) {
            Err(e) => failures.push(format!("replay failed: {e}")),
            Ok(replayed) => {
                assert_eq!(replayed.to_journal().unwrap(), ledger.to_journal().unwrap());
                for step in scenario["steps"].as_array().unwrap().iter().filter(|s| s.get("report").is_some()) {
                    let live = report(&ledger, step).ok();
                    let again = report(&replayed, step).ok();
                    if live != again {
                        failures.push(format!("replay changes report {}", step["report"]));
                    }
                }
            }
        }
        if bless {
            let pretty = serde_json::to_string_pretty(&scenario).unwrap() + "\n";
            if pretty != text {
                std::fs::write(&path, pretty).unwrap();
            }
        }
        all.extend(failures.into_iter().map(|f| format!("{}: {f}", path.file_name().unwrap().to_string_lossy())));
    }
    assert!(all.is_empty(), "{} failures:\n{}", all.len(), all.join("\n\n"));
}
