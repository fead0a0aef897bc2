//! The exports against independent oracles, on every conformance scenario, the
//! main job's journal and seeded random ledgers:
//!
//! * every CSV export reads back (RFC 4180) to exactly the JSON report's values;
//! * every IATI export is valid against the official 2.03 schema (`xmllint`), and
//!   no date in it is after its cut-off;
//! * `hledger bal` of every journal export is exactly our trial balance;
//! * the exports of `tests/fixtures/window-year.jsonl` are the golden files in
//!   `tests/fixtures/exports/`, which every front end must reproduce byte for byte
//!   (`FW_BLESS=1` rewrites them; check the differences by hand).
//!
//! `xmllint` and `hledger` must be installed (`tests/install-tools.sh`); a missing
//! tool fails the test with the command that installs it.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use funding_window::export::{CsvReport, IatiOptions};
use funding_window::{Ledger, ReportingPeriod};
use serde_json::{json, Value};
use support::{parse_csv, require, scratch};

const PERIODS: [&str; 6] = ["2023-H1", "2023-H2", "2024-H1", "2024-H2", "2025-H1", "2025-H2"];

/// The scenarios' ledgers, the fixture's, and a few random ones, by name.
fn ledgers() -> Vec<(String, Ledger)> {
    let mut all: Vec<(String, Ledger)> = support::scenario_files()
        .iter()
        .map(|p| (p.file_stem().unwrap_or_default().to_string_lossy().into_owned(), support::scenario_ledger(p)))
        .collect();
    all.push(("window-year".into(), support::fixture_ledger()));
    for seed in 1..=6u64 {
        all.push((format!("random-{seed}"), support::random_ledger(seed, 150)));
    }
    all
}

// ----- CSV -----------------------------------------------------------------------------------

/// A JSON value as its CSV field: null empty, lists joined with `;`, `{"earmarked": "2/4"}` as `earmarked:2/4`.
fn field_of(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(field_of).collect::<Vec<_>>().join(";"),
        Value::Object(map) => map.iter().map(|(k, v)| format!("{k}:{}", field_of(v))).collect::<Vec<_>>().join(";"),
    }
}

/// Checks a CSV export against JSON rows: one line per row, each column the row's
/// (or else the report's) field of the same name.
fn check_rows(what: &str, csv: &str, columns: &[&str], report: &Value, rows: &[Value]) {
    let table = parse_csv(csv);
    assert_eq!(table[0], columns, "{what}: header");
    assert_eq!(table.len() - 1, rows.len(), "{what}: one line per row");
    for (i, (line, row)) in table[1..].iter().zip(rows).enumerate() {
        assert_eq!(line.len(), columns.len(), "{what} line {i}: field count");
        for (name, field) in columns.iter().zip(line) {
            let value = row
                .get(*name)
                .or_else(|| report.get(*name))
                .unwrap_or_else(|| panic!("{what}: column {name} is in neither the row nor the report"));
            assert_eq!(field, &field_of(value), "{what} line {i}, column {name}");
        }
    }
}

fn export_csv(ledger: &Ledger, report: &CsvReport) -> String {
    ledger.export_csv(report).unwrap_or_else(|e| panic!("{}: {e}", report.name()))
}

/// The window statement's JSON flattened the documented way, independently of the export.
fn statement_rows(statement: &Value) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut push = |section: &str, item: &str, name: &Value, amount: &Value| {
        rows.push(json!({"section": section, "item": item, "name": name, "amount": amount}));
    };
    let balance = |push: &mut dyn FnMut(&str, &str, &Value, &Value), section: &str, b: &Value| {
        push(section, "unallocated", &Value::Null, &b["unallocated"]);
        for e in b["earmarked"].as_array().unwrap() {
            push(section, &format!("earmarked:{}", e["resolution"].as_str().unwrap()), &e["title"], &e["amount"]);
        }
        push(section, "total", &Value::Null, &b["total"]);
    };
    balance(&mut push, "opening", &statement["opening"]);
    for c in statement["contributions"].as_array().unwrap() {
        push("contributions", c["donor"].as_str().unwrap(), &c["name"], &c["amount"]);
    }
    push("contributions", "total", &Value::Null, &statement["contributions_total"]);
    push("transfers_in", "total", &Value::Null, &statement["transfers_in"]);
    push("other_income", "total", &Value::Null, &statement["other_income"]);
    for a in statement["allocations"].as_array().unwrap() {
        push("allocations", a["resolution"].as_str().unwrap(), &a["title"], &a["amount"]);
    }
    push("allocations", "total", &Value::Null, &statement["allocations_total"]);
    push("refunds", "total", &Value::Null, &statement["refunds"]);
    balance(&mut push, "closing", &statement["closing"]);
    rows
}

/// A report as a JSON value.
macro_rules! value {
    ($report:expr) => {
        serde_json::to_value($report).expect("reports serialize")
    };
}

fn check_csv_exports(name: &str, ledger: &Ledger) {
    let tb = ledger.trial_balance(None);
    let report = CsvReport::TrialBalance { as_of: None };
    let json = value!(&tb);
    check_rows(name, &export_csv(ledger, &report), &report.columns(), &json, json["accounts"].as_array().unwrap());
    for period in PERIODS {
        let p: ReportingPeriod = period.parse().unwrap();
        let report = CsvReport::ResolutionTracker { period: p };
        let json = value!(&ledger.resolution_tracker(p));
        check_rows(name, &export_csv(ledger, &report), &report.columns(), &json, json["rows"].as_array().unwrap());
        let report = CsvReport::WindowStatement { period: p };
        let json = value!(&ledger.window_statement(p));
        check_rows(name, &export_csv(ledger, &report), &report.columns(), &json, &statement_rows(&json));
        let report = CsvReport::TrialBalance { as_of: Some(p.end()) };
        let json = value!(&ledger.trial_balance(Some(p.end())));
        check_rows(name, &export_csv(ledger, &report), &report.columns(), &json, json["accounts"].as_array().unwrap());
    }
    let mut all_agreements = Vec::new();
    for donor in ledger.donors() {
        let statement = value!(&ledger.donor_statement(&donor.id).unwrap());
        let rows: Vec<Value> = statement["agreements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let mut row = a.clone();
                for key in ["donor", "name", "kind"] {
                    row[key] = statement[key].clone();
                }
                row
            })
            .collect();
        let report = CsvReport::DonorStatement { donor: Some(donor.id.clone()) };
        check_rows(name, &export_csv(ledger, &report), &report.columns(), &Value::Null, &rows);
        all_agreements.extend(rows);
    }
    let report = CsvReport::DonorStatement { donor: None };
    check_rows(name, &export_csv(ledger, &report), &report.columns(), &Value::Null, &all_agreements);
    let report = CsvReport::TransferRegister;
    let json = value!(&ledger.transfer_register());
    check_rows(name, &export_csv(ledger, &report), &report.columns(), &json, json["rows"].as_array().unwrap());
    let report = CsvReport::AllocationLog;
    let json = value!(&ledger.allocation_log());
    check_rows(name, &export_csv(ledger, &report), &report.columns(), &json, json["rows"].as_array().unwrap());
    let mut postings = Vec::new();
    for entry in ledger.entries().unwrap() {
        let entry = serde_json::to_value(&entry).unwrap();
        for p in entry["postings"].as_array().unwrap() {
            let mut row = p.clone();
            for key in ["seq", "date", "recorded_at", "recorded_by", "idempotency_key", "hash"] {
                row[key] = entry.get(key).cloned().unwrap_or(Value::Null);
            }
            row["type"] = entry["command"]["type"].clone();
            row["reverses"] =
                if entry["command"]["type"] == "reverse" { entry["command"]["entry"].clone() } else { Value::Null };
            postings.push(row);
        }
    }
    let report = CsvReport::Journal;
    check_rows(name, &export_csv(ledger, &report), &report.columns(), &Value::Null, &postings);
}

#[test]
fn every_csv_export_reads_back_to_the_json_report() {
    for (name, ledger) in ledgers() {
        let before = ledger.chain_head();
        check_csv_exports(&name, &ledger);
        assert_eq!(ledger.chain_head(), before, "{name}: an export changed the ledger");
    }
}

#[test]
fn csv_quotes_what_needs_quoting() {
    let ledger = support::random_ledger(3, 40);
    let csv = ledger.export_csv(&CsvReport::DonorStatement { donor: None }).unwrap();
    // Donor names hold a comma, quotes, <, > and &.
    assert!(csv.contains("\"Donor 0 <member_state> & \"\"partners\"\", ltd\""), "{csv}");
    let tracker = ledger.export_csv(&CsvReport::ResolutionTracker { period: "2024-H1".parse().unwrap() }).unwrap();
    // The title of 2/9 holds commas.
    assert!(tracker.contains(",\"Human settlements resilience framework (early warning, "), "{tracker}");
    assert!(tracker.lines().count() > 15 && tracker.ends_with("\r\n"));
    assert_eq!(
        ledger.export_csv(&CsvReport::DonorStatement { donor: Some("XX".into()) }).unwrap_err().code(),
        "UNKNOWN_DONOR"
    );
}

// ----- IATI ----------------------------------------------------------------------------------

fn schema() -> PathBuf {
    support::root().join("tests/standards/iati-2.03/iati-activities-schema.xsd")
}

/// Validates files against the IATI 2.03 activity schema in one `xmllint` run.
fn validate(files: &[PathBuf]) {
    let xmllint = require("xmllint", "libxml2-utils");
    for chunk in files.chunks(200) {
        let mut command = Command::new(&xmllint);
        command.arg("--noout").arg("--schema").arg(schema()).args(chunk);
        let output = command.output().unwrap_or_else(|e| panic!("cannot run xmllint: {e}"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "IATI exports fail the 2.03 schema:\n{stderr}");
        assert_eq!(stderr.matches(" validates").count(), chunk.len(), "{stderr}");
    }
}

/// Every date attribute (`iso-date`, `value-date`) of an IATI file.
fn dates_in(xml: &str) -> Vec<&str> {
    let mut dates = Vec::new();
    for key in ["iso-date=\"", "value-date=\""] {
        for (at, _) in xml.match_indices(key) {
            dates.push(&xml[at + key.len()..at + key.len() + 10]);
        }
    }
    dates
}

fn options(generated_at: &str, extra: Value) -> IatiOptions {
    let mut value = json!({"generated_at": generated_at});
    if let (Value::Object(map), Value::Object(more)) = (&mut value, extra) {
        map.extend(more);
    }
    IatiOptions::from_value(&value).unwrap()
}

#[test]
fn every_iati_export_is_valid_and_never_dated_in_the_future() {
    let dir = scratch("iati");
    let mut files = Vec::new();
    let variants = [
        ("all", options("2030-01-01T00:00:00Z", json!({}))),
        ("window", options("2030-01-01T00:00:00Z", json!({"include_projects": false}))),
        ("mid-2024", options("2024-07-01T12:00:00Z", json!({"as_of": "2024-06-30"}))),
    ];
    for (name, ledger) in ledgers() {
        for (variant, options) in &variants {
            let xml = ledger.export_iati(options).unwrap_or_else(|e| panic!("{name} {variant}: {e}"));
            let cutoff = options.as_of.map_or_else(|| "2030-01-01".to_owned(), |d| d.to_string());
            for date in dates_in(&xml) {
                assert!(*date <= *cutoff, "{name} {variant}: {date} is after {cutoff}");
            }
            let allocations = ledger
                .allocation_log()
                .rows
                .iter()
                .filter(|r| r.date.to_string() <= cutoff && !r.amount.is_zero())
                .count();
            assert_eq!(
                xml.matches("<transaction-type code=\"2\"/>").count(),
                allocations,
                "{name} {variant}: one outgoing commitment per allocation line"
            );
            let path = dir.join(format!("{name}-{variant}.xml"));
            std::fs::write(&path, xml).unwrap();
            files.push(path);
        }
    }
    validate(&files);
}

#[test]
fn iati_export_leaves_out_what_is_after_its_cutoff_and_refuses_the_future() {
    let ledger = support::fixture_ledger();
    let full = ledger.export_iati(&options("2025-01-15T09:00:00Z", json!({}))).unwrap();
    let early = ledger.export_iati(&options("2025-01-15T09:00:00Z", json!({"as_of": "2024-03-31"}))).unwrap();
    assert!(early.matches("<transaction ").count() < full.matches("<transaction ").count());
    assert!(dates_in(&early).iter().all(|d| *d <= "2024-03-31"));
    let future =
        IatiOptions::from_value(&json!({"generated_at": "2024-01-01T00:00:00Z", "as_of": "2024-06-30"})).unwrap();
    assert_eq!(ledger.export_iati(&future).unwrap_err().code(), "INVALID_ARGUMENT");
    let own = options("2025-01-15T09:00:00Z", json!({"reporting_org_ref": "XI-IATI-EXAMPLE", "window_suffix": "POOL"}));
    let xml = ledger.export_iati(&own).unwrap();
    assert!(xml.contains("<iati-identifier>XI-IATI-EXAMPLE-POOL</iati-identifier>"));
    assert!(!xml.contains("XM-DAC-41120"));
}

// ----- hledger -------------------------------------------------------------------------------

/// Checks that `hledger bal` of the journal export is exactly the trial balance (and sums to zero).
pub fn check_hledger(hledger: &Path, dir: &Path, name: &str, ledger: &Ledger) {
    let path = dir.join(format!("{name}.journal"));
    std::fs::write(&path, ledger.export_hledger().unwrap()).unwrap();
    let (rows, totals) = support::hledger_balances(hledger, &path, None);
    assert_eq!(rows, support::trial_balance_rows(ledger, None), "{name}: hledger bal differs from the trial balance");
    assert!(totals.iter().all(|t| support::is_zero(t)), "{name}: hledger's total is {totals:?}");
}

#[test]
fn hledger_reads_every_journal_export_as_our_trial_balance() {
    let hledger = require("hledger", "hledger");
    let dir = scratch("hledger-scenarios");
    for (name, ledger) in ledgers() {
        check_hledger(&hledger, &dir, &name, &ledger);
    }
}

// ----- golden files --------------------------------------------------------------------------

/// The exports of the fixture journal, by file name.
fn fixture_exports() -> Vec<(String, String)> {
    let ledger = support::fixture_ledger();
    let mut out = Vec::new();
    let csv = |args: Value, name: &str| {
        let report = CsvReport::from_args(name, &args).unwrap();
        ledger.export_csv(&report).unwrap()
    };
    out.push(("trial_balance.csv".into(), csv(Value::Null, "trial_balance")));
    for period in ["2024-H1", "2024-H2"] {
        out.push((format!("resolution_tracker-{period}.csv"), csv(json!({"period": period}), "resolution_tracker")));
        out.push((format!("window_statement-{period}.csv"), csv(json!({"period": period}), "window_statement")));
    }
    out.push(("donor_statement.csv".into(), csv(Value::Null, "donor_statement")));
    out.push(("transfer_register.csv".into(), csv(Value::Null, "transfer_register")));
    out.push(("allocation_log.csv".into(), csv(Value::Null, "allocation_log")));
    out.push(("journal.csv".into(), csv(Value::Null, "journal")));
    let iati = IatiOptions::from_value(&json!({"generated_at": "2025-01-15T09:00:00Z"})).unwrap();
    out.push(("iati-activities.xml".into(), ledger.export_iati(&iati).unwrap()));
    out.push(("window-year.journal".into(), ledger.export_hledger().unwrap()));
    out
}

#[test]
fn the_fixture_journal_exports_the_golden_files() {
    let dir = support::root().join("tests/fixtures/exports");
    let bless = std::env::var_os("FW_BLESS").is_some();
    if bless {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut stale = Vec::new();
    for (file, text) in fixture_exports() {
        let path = dir.join(&file);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if bless {
                std::fs::write(&path, &text).unwrap();
            } else {
                stale.push(file);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "exports differ from tests/fixtures/exports/: {stale:?} (FW_BLESS=1 rewrites them; check by hand)"
    );
    validate(&[dir.join("iati-activities.xml")]);
}
