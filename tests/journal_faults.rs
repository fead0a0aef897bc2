//! Crashes and tampering: the journal file tells exactly what went wrong.
//!
//! * truncated at every byte offset inside its last entry (or inside a batch),
//!   `open` reports a torn tail and `recover` keeps exactly the complete entries;
//! * any single byte changed anywhere (a sample of offsets across the file) makes
//!   `open` fail with `JOURNAL_CORRUPT` naming the line holding that byte;
//! * appending after a recovery continues the hash chain.

use std::path::{Path, PathBuf};

use funding_window::{Ledger, LedgerError, Request};
use serde_json::{json, Value};

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("fw-faults-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn request(mut cmd: Value, n: usize) -> Request {
    cmd["recorded_at"] = json!(format!("2025-01-01T10:00:{:02}Z", n % 60));
    cmd["recorded_by"] = json!("finance officer");
    Request::from_value(cmd).unwrap()
}

/// A small but varied journal: registrations, rates, window and project money, a
/// transfer, an allocation and a reversal.
fn commands() -> Vec<Value> {
    vec![
        json!({"type": "register_donor", "id": "SE", "name": "Sweden", "kind": "member_state"}),
        json!({"type": "register_donor", "id": "EU", "name": "European Union", "kind": "multilateral"}),
        json!({"type": "set_rate", "currency": "SEK", "month": "2024-03", "per_usd": "10.4512"}),
        json!({"type": "set_rate", "currency": "EUR", "month": "2024-03", "per_usd": "0.9200"}),
        json!({"type": "set_rate", "currency": "EUR", "month": "2024-07", "per_usd": "0.9240"}),
        json!({"type": "sign_agreement", "id": "CA-SE", "donor": "SE", "currency": "SEK", "amount": "1000000.00",
               "signed_on": "2024-03-12", "psc_rate": "0.07", "elective_transfer": false,
               "purpose": {"window": {"earmarked_to": []}}}),
        json!({"type": "sign_agreement", "id": "CA-EU", "donor": "EU", "currency": "EUR", "amount": "50000.00",
               "signed_on": "2024-03-15", "psc_rate": "0.07", "elective_transfer": true,
               "purpose": {"project": {"id": "P-EU", "resolution": "2/6"}}}),
        json!({"type": "record_receipt", "agreement": "CA-EU", "amount": "50000.00", "received_on": "2024-03-20"}),
        json!({"type": "record_expenditure", "project": "P-EU", "amount": "40000.00", "spent_on": "2024-05-31"}),
        json!({"type": "close_project", "project": "P-EU", "closed_on": "2024-06-30"}),
        json!({"type": "transfer_balance", "project": "P-EU", "amount": null, "elected_on": "2024-07-01",
               "election_ref": "EU letter", "transferred_on": "2024-07-02"}),
        json!({"type": "allocate", "id": "EB-1", "decided_on": "2024-07-10", "amount": "5000.00",
               "policy": "equal", "resolutions": ["2/2", "2/9"], "approved_by": "Executive Director"}),
        json!({"type": "reverse", "entry": 12, "on": "2024-07-11", "reason": "decision withdrawn"}),
    ]
}

fn write_journal(path: &Path, commands: &[Value]) -> Ledger {
    let mut ledger = Ledger::create(path).unwrap();
    for (i, c) in commands.iter().enumerate() {
        ledger.apply(request(c.clone(), i)).unwrap();
    }
    ledger
}

/// Everything observable of a ledger, for comparisons.
fn state(ledger: &Ledger) -> String {
    format!(
        "{}\n{}\n{}\n{}",
        ledger.to_journal().unwrap(),
        serde_json::to_string(&ledger.trial_balance(None)).unwrap(),
        serde_json::to_string(&ledger.resolution_tracker("2024-H2".parse().unwrap())).unwrap(),
        serde_json::to_string(&ledger.allocation_log()).unwrap()
    )
}

fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1));
    starts
}

#[test]
fn truncation_anywhere_in_the_last_entry_is_a_torn_tail_and_recovery_keeps_the_rest() {
    let dir = TempDir::new("truncate");
    let full = dir.file("full.jsonl");
    let all = commands();
    write_journal(&full, &all);
    let expected = state(&write_journal(&dir.file("prefix.jsonl"), &all[..all.len() - 1]));
    let bytes = std::fs::read(&full).unwrap();
    let starts = line_starts(&bytes);
    let last_start = starts[starts.len() - 2];
    let last_line = (starts.len() - 1) as u64;
    let path = dir.file("cut.jsonl");
    for cut in last_start + 1..bytes.len() {
        std::fs::write(&path, &bytes[..cut]).unwrap();
        match Ledger::open(&path) {
            Err(LedgerError::JournalTornTail { line, offset, bytes: torn }) => {
                assert_eq!(
                    (line, offset, torn),
                    (last_line, last_start as u64, (cut - last_start) as u64),
                    "cut at {cut}"
                );
            }
            other => panic!("cut at {cut}: expected a torn tail, got {other:?}"),
        }
        let (recovered, recovery) = Ledger::recover(&path).unwrap();
        assert_eq!(recovery.dropped_bytes, (cut - last_start) as u64);
        assert_eq!(recovery.entries, all.len() as u64 - 1);
        assert_eq!(state(&recovered), expected, "cut at {cut}");
        assert_eq!(std::fs::read(&path).unwrap(), &bytes[..last_start], "the file keeps the complete entries");
    }
    // Cut exactly after a complete line: nothing is torn, the journal is just shorter.
    std::fs::write(&path, &bytes[..last_start]).unwrap();
    assert_eq!(state(&Ledger::open(&path).unwrap()), expected);
}

#[test]
fn an_interrupted_batch_is_dropped_whole() {
    let dir = TempDir::new("batch");
    let path = dir.file("batch.jsonl");
    let all = commands();
    let mut ledger = write_journal(&path, &all[..5]);
    let before = state(&ledger);
    let batch: Vec<Request> = all[5..8].iter().enumerate().map(|(i, c)| request(c.clone(), 50 + i)).collect();
    ledger.apply_batch(batch).unwrap();
    drop(ledger);
    let bytes = std::fs::read(&path).unwrap();
    let starts = line_starts(&bytes);
    let batch_start = starts[starts.len() - 4];
    // Cut inside the second and inside the third line of the batch, and right after its second line.
    for cut in [starts[starts.len() - 3] + 10, starts[starts.len() - 2] + 1, starts[starts.len() - 2]] {
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let err = Ledger::open(&path).unwrap_err();
        assert!(
            matches!(err, LedgerError::JournalTornTail { offset, .. } if offset == batch_start as u64),
            "cut at {cut}: {err:?}"
        );
        let (recovered, recovery) = Ledger::recover(&path).unwrap();
        assert_eq!(recovery.entries, 5);
        assert_eq!(state(&recovered), before, "cut at {cut}");
    }
}

#[test]
fn any_changed_byte_is_corruption_on_its_line() {
    let dir = TempDir::new("flip");
    let full = dir.file("full.jsonl");
    write_journal(&full, &commands());
    let bytes = std::fs::read(&full).unwrap();
    let starts = line_starts(&bytes);
    let line_of = |offset: usize| starts.partition_point(|&s| s <= offset) as u64;
    let path = dir.file("flipped.jsonl");
    // Every byte of the first two lines and of the last line, and every 11th byte elsewhere.
    let last_start = starts[starts.len() - 2];
    let offsets = (0..bytes.len() - 1).filter(|&o| o < starts[2] || o >= last_start || o % 11 == 0);
    let mut checked = 0;
    for offset in offsets {
        for flip in [0x01u8, 0x20, 0x80] {
            let mut tampered = bytes.clone();
            tampered[offset] ^= flip;
            std::fs::write(&path, &tampered).unwrap();
            match Ledger::open(&path) {
                Err(LedgerError::JournalCorrupt { line, .. }) => {
                    assert_eq!(line, line_of(offset), "byte {offset} ^ {flip:#x}");
                }
                other => panic!("byte {offset} ^ {flip:#x}: expected JOURNAL_CORRUPT, got {other:?}"),
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked} tamperings checked");
    // The final newline is the one byte whose change reads as a crash, not tampering.
    let mut tampered = bytes.clone();
    *tampered.last_mut().unwrap() = b' ';
    std::fs::write(&path, &tampered).unwrap();
    assert!(matches!(Ledger::open(&path), Err(LedgerError::JournalTornTail { .. })));
}

#[test]
fn appending_after_recovery_continues_the_chain() {
    let dir = TempDir::new("append");
    let path = dir.file("journal.jsonl");
    let all = commands();
    write_journal(&path, &all);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 20]).unwrap();
    let (mut ledger, _) = Ledger::recover(&path).unwrap();
    let last = all.last().unwrap().clone();
    let applied = ledger.apply(request(last, 99)).unwrap();
    assert_eq!(applied.seq, all.len() as u64);
    assert_eq!(applied.hash, ledger.chain_head());
    drop(ledger);
    let reopened = Ledger::open(&path).unwrap();
    assert_eq!(reopened.chain_head(), applied.hash);
    assert_eq!(reopened.len(), all.len());
}

#[test]
fn a_file_that_is_not_a_journal_is_refused() {
    let dir = TempDir::new("header");
    let path = dir.file("other.jsonl");
    for content in ["", "{}\n", "{\"journal\":\"funding-window\",\"version\":2}\n", "hello"] {
        std::fs::write(&path, content).unwrap();
        let err = Ledger::open(&path).unwrap_err();
        assert!(matches!(err, LedgerError::JournalCorrupt { line: 1, .. }), "{content:?}: {err:?}");
    }
    assert_eq!(Ledger::open(dir.file("missing.jsonl")).unwrap_err().code(), "IO_ERROR");
    write_journal(&dir.file("exists.jsonl"), &commands()[..1]);
    assert_eq!(Ledger::create(dir.file("exists.jsonl")).unwrap_err().code(), "IO_ERROR");
}

#[test]
fn a_reopened_ledger_still_takes_back_a_failed_batch_whole() {
    // Replay records nothing to undo outside batches; the ledger it returns must undo as any other.
    let dir = TempDir::new("reopen");
    let path = dir.file("reopen.jsonl");
    let all = commands();
    let mut ledger = write_journal(&path, &all[..5]);
    let batch: Vec<Request> = all[5..8].iter().enumerate().map(|(i, c)| request(c.clone(), 50 + i)).collect();
    ledger.apply_batch(batch).unwrap();
    for (i, c) in all[8..10].iter().enumerate() {
        ledger.apply(request(c.clone(), 60 + i)).unwrap();
    }
    let written = state(&ledger);
    drop(ledger);
    let mut reopened = Ledger::open(&path).unwrap();
    assert_eq!(state(&reopened), written);
    let failing = vec![
        request(all[10].clone(), 70),
        request(
            json!({"type": "record_receipt", "agreement": "CA-SE", "amount": "1.00", "received_on": "2024-07-03"}),
            71,
        ),
        request(
            json!({"type": "record_expenditure", "project": "P-EU", "amount": "1.00", "spent_on": "2024-07-03"}),
            72,
        ),
    ];
    assert!(reopened.apply_batch(failing).is_err(), "spending on a closed project is refused");
    assert_eq!(state(&reopened), written, "nothing of the failed batch is left");
    reopened.apply(request(all[10].clone(), 73)).unwrap();
    assert_eq!(Ledger::open_read_only(&path).unwrap().len(), reopened.len());
}
