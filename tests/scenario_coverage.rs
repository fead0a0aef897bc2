//! What the conformance scenarios must cover, checked so that it stays covered:
//! at least 30 scenarios; every command type applied successfully somewhere; every
//! allocation policy and source; every error code a command can cause expected
//! somewhere (the journal, I/O and internal codes come from files, not commands,
//! and are tested in `journal_faults.rs`; the codes of several writers sharing a
//! journal in `writers.rs` and in the PostgreSQL crate's tests; memory running out and
//! the WebAssembly binding's own codes come from the machine and the binding, and are
//! tested in `bindings/wasm/test/guard.test.mjs`); every form of reporting period (year,
//! half, quarter, month, date range) in a report that succeeds, for the tracker and the
//! window statement.

mod support;

use std::collections::BTreeSet;

use funding_window::command::COMMAND_TYPES;
use funding_window::ERROR_CODES;
use serde_json::Value;

/// Codes no command can cause: they come from reading journal files, from several writers
/// sharing a journal, from defects, from memory running out, or from the WebAssembly binding
/// (a re-entrant call, a freed ledger).
const NOT_FROM_COMMANDS: &[&str] = &[
    "JOURNAL_CORRUPT",
    "JOURNAL_TORN_TAIL",
    "JOURNAL_LOCKED",
    "READ_ONLY",
    "CONFLICT",
    "STORE_UNAVAILABLE",
    "INTERNAL",
    "IO_ERROR",
    "OUT_OF_MEMORY",
    "LEDGER_BUSY",
    "LEDGER_FREED",
];

/// Scenarios of the Precisions (December 2026), each the conformance test of one rule: they
/// must stay (a rule without its scenario is a rule nobody checks in Python and Node).
const PRECISIONS: &[(&str, &str)] = &[
    ("40_project_spends_only_money_received_by_its_date.json", "a project spends only money received by its date"),
    ("41_cash_never_below_zero.json", "no cash account goes below zero at any date"),
    ("42_convert_cash.json", "convert_cash"),
    ("43_receipts_within_what_is_outstanding_at_every_date.json", "a receipt never exceeds what is outstanding"),
    ("44_balances_move_from_their_date.json", "transfers and refunds take what is held from their date on"),
    (
        "45_a_signing_reversed_only_where_nothing_was_received.json",
        "a signing is reversed only from where all of it is outstanding",
    ),
];

#[test]
fn each_rule_of_the_precisions_has_its_scenario() {
    let files = support::scenario_files();
    let names: BTreeSet<String> =
        files.iter().filter_map(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
    for (file, rule) in PRECISIONS {
        assert!(names.contains(*file), "no scenario {file} for the rule: {rule}");
    }
}

#[derive(Default)]
struct Seen {
    applied: BTreeSet<String>,
    errors: BTreeSet<String>,
    policies: BTreeSet<String>,
    sources: BTreeSet<String>,
    steps: BTreeSet<String>,
    /// (report, form of its period) of the report steps that succeed.
    periods: BTreeSet<(String, &'static str)>,
}

/// The form of a period argument: `year`, `half`, `quarter`, `month` or `range`.
fn period_form(period: &Value) -> &'static str {
    match period {
        Value::Object(_) => "range",
        Value::String(text) if text.len() == 4 => "year",
        Value::String(text) if text.contains("-H") => "half",
        Value::String(text) if text.contains("-Q") => "quarter",
        Value::String(_) => "month",
        _ => "other",
    }
}

impl Seen {
    fn command(&mut self, cmd: &Value, succeeds: bool) {
        let kind = cmd["type"].as_str().unwrap_or_default().to_owned();
        if succeeds {
            if kind == "allocate" {
                self.policies.insert(cmd["policy"].as_str().unwrap_or_default().to_owned());
                let source = match &cmd["source"] {
                    Value::Object(_) => "earmarked",
                    _ => "unallocated",
                };
                self.sources.insert(source.to_owned());
            }
            self.applied.insert(kind);
        }
    }
}

#[test]
fn the_scenarios_cover_every_command_policy_and_error_code() {
    let files = support::scenario_files();
    assert!(files.len() >= 30, "at least 30 conformance scenarios, found {}", files.len());
    let mut seen = Seen::default();
    for path in &files {
        let scenario: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for step in scenario["steps"].as_array().unwrap() {
            let fails = step.get("error").and_then(Value::as_str);
            if let Some(code) = fails {
                seen.errors.insert(code.to_owned());
            }
            for kind in ["apply", "batch", "preview", "report", "balance"] {
                if step.get(kind).is_some() {
                    seen.steps.insert(kind.to_owned());
                }
            }
            if let (Some(report), Some(period), None) =
                (step.get("report").and_then(Value::as_str), step.pointer("/args/period"), fails)
            {
                seen.periods.insert((report.to_owned(), period_form(period)));
            }
            if let Some(cmd) = step.get("apply") {
                seen.command(cmd, fails.is_none());
            }
            if let Some(cmds) = step.get("batch").and_then(Value::as_array) {
                for cmd in cmds {
                    seen.command(cmd, fails.is_none());
                }
            }
        }
    }
    let missing: Vec<&&str> = COMMAND_TYPES.iter().filter(|t| !seen.applied.contains(**t)).collect();
    assert!(missing.is_empty(), "command types never applied successfully by a scenario: {missing:?}");
    let missing: Vec<&&str> =
        ERROR_CODES.iter().filter(|c| !NOT_FROM_COMMANDS.contains(c) && !seen.errors.contains(**c)).collect();
    assert!(missing.is_empty(), "error codes no scenario expects: {missing:?}");
    for policy in ["explicit", "equal", "gap_pro_rata", "weights"] {
        assert!(seen.policies.contains(policy), "no scenario allocates by {policy}");
    }
    for source in ["unallocated", "earmarked"] {
        assert!(seen.sources.contains(source), "no scenario allocates {source} money");
    }
    for kind in ["apply", "batch", "preview", "report", "balance"] {
        assert!(seen.steps.contains(kind), "no scenario has a {kind} step");
    }
    let forms = ["year", "half", "quarter", "month", "range"];
    for report in ["resolution_tracker", "window_statement"] {
        let missing: Vec<&str> =
            forms.iter().copied().filter(|f| !seen.periods.contains(&(report.to_owned(), *f))).collect();
        assert!(missing.is_empty(), "{report} is never reported over a period of the form {missing:?}");
    }
}

/// The rules of DOMAIN.md's "Precisions (December 2026)" on receipts, four-eyes control and
/// withdrawn projects: each has its scenario, and each scenario holds the step that proves it
/// (a pointer into the JSON and the value found there in some step).
const PRECISION_SCENARIOS: &[(&str, &str, &str, &str)] = &[
    (
        "a receipt is never refused; an uncovered FX loss is a deficit of unallocated money",
        "50_receipts_are_never_refused.json",
        "/expect/closing/deficit",
        "900.00",
    ),
    (
        "no FX at the signing month's rate, partial receipts included",
        "51_no_fx_on_receipts_at_the_signing_rate.json",
        "/expect",
        "-6.66",
    ),
    (
        "every command on a withdrawn project gets one code",
        "52_withdrawn_project_answers_one_code.json",
        "/error",
        "PROJECT_WITHDRAWN",
    ),
    (
        "four-eyes control: turning it off needs an approver, who is another person after NFKC and case folding",
        "53_four_eyes_on_every_controlled_command.json",
        "/apply/approved_by",
        "\u{ff21}\u{ff4e}\u{ff41} \u{ff24}\u{ed}\u{ff41}\u{ff5a}",
    ),
];

#[test]
fn each_precision_on_receipts_four_eyes_and_withdrawn_projects_has_its_scenario() {
    let files = support::scenario_files();
    for (rule, file, pointer, value) in PRECISION_SCENARIOS {
        let path = files.iter().find(|p| p.file_name().is_some_and(|n| n == *file));
        let path = path.unwrap_or_else(|| panic!("{rule}: no scenario {file}"));
        let scenario: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let steps = scenario["steps"].as_array().unwrap();
        assert!(
            steps.iter().any(|s| s.pointer(pointer).and_then(Value::as_str) == Some(value)),
            "{rule}: no step of {file} has {pointer} = {value}"
        );
    }
}
