//! The checks behind the fuzz targets, shared with `tests/fuzz_regressions.rs` so
//! that every input that once failed stays a regression test.

use std::sync::OnceLock;

use funding_window::{Ledger, Request};

/// Any bytes as a journal: reading never panics; it builds a ledger or names what is wrong.
pub fn journal_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Ledger::from_journal(text) {
        Ok(ledger) => {
            // Whatever replays must balance and write itself back identically.
            let tb = ledger.trial_balance(None);
            assert!(tb.totals.values().all(|t| t.is_zero()));
            let again = ledger.to_journal().unwrap();
            let reread = Ledger::from_journal(&again).unwrap();
            assert_eq!(reread.chain_head(), ledger.chain_head());
        }
        Err(e) => assert!(matches!(e.code(), "JOURNAL_CORRUPT" | "JOURNAL_TORN_TAIL" | "IO_ERROR"), "{e:?}"),
    }
}

fn base() -> &'static str {
    static JOURNAL: OnceLock<String> = OnceLock::new();
    JOURNAL.get_or_init(|| {
        let mut ledger = Ledger::new();
        for json in [
            r#"{"type":"register_donor","id":"SE","name":"Sweden","kind":"member_state","recorded_at":"2025-01-01T00:00:00Z"}"#,
            r#"{"type":"set_rate","currency":"SEK","month":"2024-03","per_usd":"10.4512","recorded_at":"2025-01-01T00:00:00Z"}"#,
            r#"{"type":"sign_agreement","id":"CA-1","donor":"SE","currency":"SEK","amount":"1000000.00","signed_on":"2024-03-12","psc_rate":"0.07","elective_transfer":true,"purpose":{"window":{"earmarked_to":["2/4"]}},"recorded_at":"2025-01-01T00:00:00Z"}"#,
            r#"{"type":"sign_agreement","id":"CA-2","donor":"SE","currency":"USD","amount":"5000.00","signed_on":"2024-03-12","psc_rate":"0.07","elective_transfer":true,"purpose":{"project":{"id":"P-1","resolution":"2/6"}},"recorded_at":"2025-01-01T00:00:00Z"}"#,
            r#"{"type":"record_receipt","agreement":"CA-2","amount":"5000.00","received_on":"2024-03-13","recorded_at":"2025-01-01T00:00:00Z"}"#,
        ] {
            ledger.apply(Request::from_json(json).unwrap()).unwrap();
        }
        ledger.to_journal().unwrap().into_owned()
    })
}

/// Any bytes as a command, against a ledger with some history: never a panic; an
/// accepted command keeps the books balanced, a refused one changes nothing.
pub fn command_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut ledger = Ledger::from_journal(base()).unwrap();
    let before = ledger.to_journal().unwrap().into_owned();
    let result = Request::from_json(text).and_then(|r| ledger.apply(r));
    match result {
        Ok(_) => {
            assert!(ledger.trial_balance(None).totals.values().all(|t| t.is_zero()));
            let journal = ledger.to_journal().unwrap();
            assert_eq!(Ledger::from_journal(&journal).unwrap().chain_head(), ledger.chain_head());
        }
        Err(_) => assert_eq!(ledger.to_journal().unwrap(), before),
    }
}
