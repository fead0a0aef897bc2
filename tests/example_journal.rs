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
    let opened = Ledger::open(root().join("tests/fixtures/window-year.jsonl")).unwrap();
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
