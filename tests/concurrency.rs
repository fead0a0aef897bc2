//! Rust services share one ledger between threads: `Arc<RwLock<Ledger>>`, commands
//! under the write lock, reports under the read lock. Several writers and readers
//! at once keep every invariant, and the journal they leave replays to the same state.

use std::sync::{Arc, RwLock};
use std::thread;

use funding_window::{Ledger, Request};
use serde_json::json;

fn request(cmd: serde_json::Value) -> Request {
    Request::from_value(cmd).unwrap()
}

#[test]
fn writers_and_readers_in_parallel_keep_the_books_and_the_journal_replays() {
    let dir = std::env::temp_dir().join(format!("fw-concurrency-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("journal.jsonl");
    let ledger = Arc::new(RwLock::new(Ledger::create(&path).unwrap()));
    {
        let mut l = ledger.write().unwrap();
        l.apply(request(json!({"type": "set_requirement", "resolution": "2/2", "amount": "100000000.00"}))).unwrap();
        l.apply(request(json!({"type": "set_requirement", "resolution": "2/9", "amount": "50000000.00"}))).unwrap();
    }
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let ledger = Arc::clone(&ledger);
            thread::spawn(move || {
                let donor = format!("D{w}");
                ledger
                    .write()
                    .unwrap()
                    .apply(request(json!({"type": "register_donor", "id": donor, "name": donor, "kind": "other"})))
                    .unwrap();
                let mut refused = 0;
                for i in 0..60 {
                    let id = format!("CA-{w}-{i}");
                    let day = format!("2024-03-{:02}", 1 + i % 28);
                    let commands = [
                        json!({"type": "sign_agreement", "id": id, "donor": donor, "currency": "USD", "amount": "1000.00",
                               "signed_on": day, "psc_rate": "0.07", "elective_transfer": false,
                               "purpose": {"window": {"earmarked_to": []}}}),
                        json!({"type": "record_receipt", "agreement": id, "amount": "1000.00", "received_on": day,
                               "idempotency_key": format!("rcpt-{w}-{i}")}),
                        json!({"type": "record_receipt", "agreement": id, "amount": "1000.00", "received_on": day,
                               "idempotency_key": format!("rcpt-{w}-{i}")}),
                        json!({"type": "allocate", "id": format!("EB-{w}-{i}"), "decided_on": "2024-04-01",
                               "amount": "1700.00", "policy": "gap_pro_rata", "resolutions": ["2/2", "2/9"],
                               "approved_by": "Executive Director"}),
                    ];
                    for c in commands {
                        // Allocations may find the window empty at times: refused, and nothing changes.
                        if ledger.write().unwrap().apply(request(c)).is_err() {
                            refused += 1;
                        }
                    }
                }
                refused
            })
        })
        .collect();
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let ledger = Arc::clone(&ledger);
            thread::spawn(move || {
                for _ in 0..200 {
                    let l = ledger.read().unwrap();
                    let tb = l.trial_balance(None);
                    assert!(tb.totals.values().all(|t| t.is_zero()), "unbalanced: {:?}", tb.totals);
                    let window = l.window_balance(None);
                    assert!(window.unallocated >= rust_decimal::Decimal::ZERO);
                    let tracker = l.resolution_tracker("2024-H1".parse().unwrap());
                    let allocated: rust_decimal::Decimal = tracker.rows.iter().map(|r| r.allocated_to_date).sum();
                    let log: rust_decimal::Decimal = l.allocation_log().rows.iter().map(|r| r.amount).sum();
                    assert_eq!(allocated, log, "tracker and allocation log disagree");
                }
            })
        })
        .collect();
    let refused: i32 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    for r in readers {
        r.join().unwrap();
    }
    let live = ledger.read().unwrap();
    // 4 donors, 60 agreements and 60 receipts each (repeats are idempotent), allocations that fit.
    assert_eq!(live.len(), 2 + 4 + 4 * 60 * 2 + (4 * 60 - refused as usize));
    let window = live.window_balance(None);
    let contributed = rust_decimal::Decimal::from(4 * 60 * 1000);
    let allocated: rust_decimal::Decimal = live.allocation_log().rows.iter().map(|r| r.amount).sum();
    assert_eq!(window.total + allocated, contributed);
    let reopened = Ledger::open_read_only(&path).unwrap();
    assert_eq!(reopened.chain_head(), live.chain_head());
    assert_eq!(
        serde_json::to_string(&reopened.trial_balance(None)).unwrap(),
        serde_json::to_string(&live.trial_balance(None)).unwrap()
    );
    assert_eq!(
        serde_json::to_string(&reopened.allocation_log()).unwrap(),
        serde_json::to_string(&live.allocation_log()).unwrap()
    );
    drop(live);
    let _ = std::fs::remove_dir_all(dir);
}
