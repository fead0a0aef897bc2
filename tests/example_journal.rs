//! The main job's journal is a fixture the other front ends read: the commands of
//! `examples/window_year.json` must still produce exactly `tests/fixtures/window-year.jsonl`,
//! and opening that file must rebuild the same ledger.

use std::path::Path;

use funding_window::{Ledger, Request};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn example_ledger() -> Ledger {
    let text = std::fs::read_to_string(root().join("examples/window_year.json")).unwrap();
    let scenario: Value = serde_json::from_str(&text).unwrap();
    let mut ledger = Ledger::new();
    for command in scenario["commands"].as_array().unwrap() {
        ledger.apply(Request::from_value(command.clone()).unwrap()).unwrap();
    }
    ledger
}

#[test]
fn the_example_still_writes_the_fixture_journal() {
    let fixture = std::fs::read_to_string(root().join("tests/fixtures/window-year.jsonl")).unwrap();
    let ledger = example_ledger();
    assert!(
        ledger.to_journal().unwrap() == fixture,
        "the example's journal changed; if intended, regenerate with `make run` and copy \
         examples/out/window-year.jsonl to tests/fixtures/"
    );
}

#[test]
fn opening_the_fixture_rebuilds_the_same_reports() {
    let live = example_ledger();
    let opened = Ledger::open_read_only(root().join("tests/fixtures/window-year.jsonl")).unwrap();
    assert_eq!(opened.chain_head(), live.chain_head());
    for period in ["2023-H2", "2024-H1", "2024-H2"] {
        let p = period.parse().unwrap();
        assert_eq!(
            serde_json::to_string(&opened.resolution_tracker(p)).unwrap(),
            serde_json::to_string(&live.resolution_tracker(p)).unwrap()
        );
        assert_eq!(
            serde_json::to_string(&opened.window_statement(p)).unwrap(),
            serde_json::to_string(&live.window_statement(p)).unwrap()
        );
    }
    assert_eq!(
        serde_json::to_string(&opened.trial_balance(None)).unwrap(),
        serde_json::to_string(&live.trial_balance(None)).unwrap()
    );
}

#[test]
fn posting_rows_add_up_to_the_trial_balance_and_dates_span_the_journal() {
    let ledger = example_ledger();
    let rows = ledger.posting_rows().unwrap();
    let entries = ledger.entries().unwrap();
    assert_eq!(rows.len(), entries.iter().map(|e| e.postings.len()).sum::<usize>());
    let mut sums: std::collections::BTreeMap<(String, String), rust_decimal::Decimal> = Default::default();
    for row in &rows {
        let entry = &entries[(row.seq - 1) as usize];
        assert_eq!(row.command, entry.command.type_name());
        assert_eq!(row.date, entry.date);
        *sums.entry((row.account.clone(), row.currency.code().to_owned())).or_default() += row.amount;
    }
    let tb = ledger.trial_balance(None);
    let nonzero: Vec<_> = sums.into_iter().filter(|(_, v)| !v.is_zero()).collect();
    assert_eq!(nonzero.len(), tb.accounts.len());
    for ((account, currency), amount) in nonzero {
        let line = tb.accounts.iter().find(|l| l.account == account && l.currency.code() == currency).unwrap();
        assert_eq!(line.balance, amount, "{account} {currency}");
    }
    let (first, last) = ledger.date_range().unwrap();
    assert_eq!((first.to_string(), last.to_string()), ("2023-01-10".to_owned(), "2024-12-15".to_owned()));
    assert_eq!(Ledger::new().date_range(), None);
}

#[test]
fn journal_bytes_that_are_not_utf8_are_corrupt_at_their_line() {
    let ledger = example_ledger();
    let mut bytes = ledger.to_journal().unwrap().into_owned().into_bytes();
    let third_line = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(1).unwrap().0 + 1;
    bytes[third_line + 10] = 0xff;
    let err = Ledger::from_journal_bytes(&bytes).unwrap_err();
    assert!(matches!(err, funding_window::LedgerError::JournalCorrupt { line: 3, .. }), "{err:?}");
    let fine = Ledger::from_journal_bytes(ledger.to_journal().unwrap().as_bytes()).unwrap();
    assert_eq!(fine.chain_head(), ledger.chain_head());
}
