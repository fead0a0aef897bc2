//! Several writers, one journal.
//!
//! * A journal file has one writer at a time: a second writer, in another process or in
//!   this one, gets `JOURNAL_LOCKED` naming the path, and the file's bytes are unchanged.
//! * A read-only ledger follows the writer with `refresh`, taking in complete entries
//!   only, verified as opening verifies them; what does not verify changes nothing.
//! * `save` refuses a path held by a writer, never writes through a symlink, leaves no
//!   temporary file; a path that is not a regular file is an error at once.
//! * Writers sharing a store append on condition: the stale one gets `CONFLICT` with the
//!   store's head and writes nothing, catches up and retries; idempotency keys make a
//!   retried command apply once.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use funding_window::{Ledger, LedgerError, MemoryStore, Request};
use proptest::prelude::*;
use serde_json::{json, Value};

fn request(cmd: Value) -> Request {
    Request::from_value(cmd).unwrap()
}

fn stamped(mut cmd: Value, n: u32) -> Request {
    cmd["recorded_at"] = json!(format!("2025-01-01T10:{:02}:{:02}Z", n / 60 % 60, n % 60));
    request(cmd)
}

fn donor(id: &str) -> Value {
    json!({"type": "register_donor", "id": id, "name": id, "kind": "other"})
}

/// A ledger with a few entries of every kind, written to `path`.
fn written_journal(path: &Path) -> Ledger {
    let mut ledger = Ledger::create(path).unwrap();
    let commands = [
        donor("SE"),
        json!({"type": "set_rate", "currency": "SEK", "month": "2024-03", "per_usd": "10.4512"}),
        json!({"type": "sign_agreement", "id": "CA-SE", "donor": "SE", "currency": "SEK", "amount": "1000000.00",
               "signed_on": "2024-03-12", "psc_rate": "0.07", "elective_transfer": false,
               "purpose": {"window": {"earmarked_to": []}}}),
        json!({"type": "record_receipt", "agreement": "CA-SE", "amount": "400000.00", "received_on": "2024-03-20"}),
    ];
    for (n, cmd) in commands.into_iter().enumerate() {
        ledger.apply(stamped(cmd, n as u32)).unwrap();
    }
    ledger
}

fn code<T: std::fmt::Debug>(result: Result<T, LedgerError>) -> &'static str {
    result.expect_err("expected an error").code()
}

/// The books as text: every report a finance team reads, and the chain head.
fn books(ledger: &Ledger) -> String {
    format!(
        "{} {} {}",
        ledger.chain_head(),
        serde_json::to_string(&ledger.trial_balance(None)).unwrap(),
        serde_json::to_string(&ledger.window_balance(None)).unwrap()
    )
}

// ----- one writer per journal file ------------------------------------------------------------

/// Run by [`a_second_process_gets_journal_locked_and_the_file_is_untouched`] as a second
/// process: tries every way of writing to the journal it is given and prints the outcomes.
#[test]
#[ignore = "run as a second process by a_second_process_gets_journal_locked_and_the_file_is_untouched"]
fn second_process() {
    let path = std::env::var("FW_SECOND_PROCESS_JOURNAL").expect("run by the test that sets the journal's path");
    let outcome = |r: Result<(), LedgerError>| r.err().map_or("ok", |e| e.code());
    println!("open={}", outcome(Ledger::open(&path).map(drop)));
    println!("recover={}", outcome(Ledger::recover(&path).map(drop)));
    println!("save={}", outcome(Ledger::new().save(&path)));
    let mut reader = Ledger::open_read_only(&path).expect("a reader needs no lock");
    println!("read_only_entries={}", reader.len());
    println!("read_only_apply={}", outcome(reader.apply(request(donor("XX"))).map(drop)));
}

#[test]
fn a_second_process_gets_journal_locked_and_the_file_is_untouched() {
    let dir = support::scratch("writers-two-processes");
    let path = dir.join("journal.jsonl");
    let mut writer = written_journal(&path);
    let before = std::fs::read(&path).unwrap();
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "second_process", "--nocapture", "--test-threads=1"])
        .env("FW_SECOND_PROCESS_JOURNAL", &path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the second process failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "open=JOURNAL_LOCKED",
        "recover=JOURNAL_LOCKED",
        "save=JOURNAL_LOCKED",
        "read_only_entries=4",
        "read_only_apply=READ_ONLY",
    ] {
        // The test harness may print "test second_process ... " before the first line.
        assert!(stdout.lines().any(|l| l.ends_with(expected)), "{expected} not in:\n{stdout}");
    }
    assert_eq!(std::fs::read(&path).unwrap(), before, "the second process changed the file");
    // The writer is unaffected, and once it is gone another can take the journal.
    writer.apply(stamped(donor("NO"), 10)).unwrap();
    drop(writer);
    assert_eq!(Ledger::open(&path).unwrap().len(), 5);
}

/// The reproduction: two writers on one file in one process used to both append
/// and leave a journal that no longer opened. The second now gets `JOURNAL_LOCKED`.
#[test]
fn a_second_writer_in_the_same_process_gets_journal_locked() {
    let dir = support::scratch("writers-same-process");
    let path = dir.join("journal.jsonl");
    drop(written_journal(&path));
    let mut first = Ledger::open(&path).unwrap();
    let before = std::fs::read(&path).unwrap();
    match Ledger::open(&path) {
        Err(LedgerError::JournalLocked { path: named }) => assert_eq!(named, path.display().to_string()),
        other => panic!("expected JOURNAL_LOCKED, got {other:?}"),
    }
    assert_eq!(code(Ledger::create(&path)), "IO_ERROR", "create never replaces a journal");
    assert_eq!(code(Ledger::recover(&path)), "JOURNAL_LOCKED");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    first.apply(stamped(donor("NO"), 10)).unwrap();
    first.apply(stamped(donor("DK"), 11)).unwrap();
    let expected = books(&first);
    drop(first);
    assert_eq!(books(&Ledger::open(&path).unwrap()), expected, "the journal opens with every entry");
}

#[test]
fn a_read_only_ledger_follows_the_writer_with_refresh() {
    let dir = support::scratch("writers-refresh");
    let path = dir.join("journal.jsonl");
    let mut writer = written_journal(&path);
    let mut reader = Ledger::open_read_only(&path).unwrap();
    assert!(reader.is_read_only() && !writer.is_read_only());
    assert_eq!(books(&reader), books(&writer));
    assert_eq!(reader.refresh().unwrap(), 0);
    assert_eq!(code(reader.apply(request(donor("XX")))), "READ_ONLY");
    assert_eq!(code(reader.apply_batch([request(donor("XX"))]).map_err(|e| e.error)), "READ_ONLY");

    writer.apply(stamped(donor("NO"), 10)).unwrap();
    writer
        .apply_batch([
            stamped(
                json!({"type": "record_receipt", "agreement": "CA-SE", "amount": "100000.00",
                           "received_on": "2024-03-25", "idempotency_key": "r-2"}),
                11,
            ),
            stamped(
                json!({"type": "allocate", "id": "EB-1", "decided_on": "2024-04-03", "amount": "1000.00",
                           "policy": "equal", "resolutions": ["2/2", "2/9"], "approved_by": "ED"}),
                12,
            ),
        ])
        .unwrap();
    assert_eq!(reader.refresh().unwrap(), 3);
    assert_eq!(books(&reader), books(&writer));
    assert_eq!(reader.to_journal().unwrap(), writer.to_journal().unwrap());
    // A reversal reads the entry it reverses back from the file; so does the reader.
    writer
        .apply(stamped(json!({"type": "reverse", "entry": 7, "on": "2024-04-04", "reason": "duplicate"}), 13))
        .unwrap();
    assert_eq!(reader.refresh().unwrap(), 1);
    assert_eq!(books(&reader), books(&writer));
    // Saving a copy elsewhere is fine for a reader; saving over the writer's file is not.
    let copy = dir.join("copy.jsonl");
    reader.save(&copy).unwrap();
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&path).unwrap());
    assert_eq!(code(reader.save(&path)), "READ_ONLY");
    // Even with no writer: the reader's view may be older than the file.
    drop(writer);
    let before = std::fs::read(&path).unwrap();
    assert_eq!(code(reader.save(&path)), "READ_ONLY");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn refresh_takes_in_complete_entries_only() {
    let dir = support::scratch("writers-partial");
    let path = dir.join("journal.jsonl");
    drop(written_journal(&path));
    // The lines a writer will append: two single entries and a batch of three.
    let mut source = Ledger::open(&path).unwrap();
    let start = source.to_journal().unwrap().len();
    source.apply(stamped(donor("NO"), 20)).unwrap();
    source.apply(stamped(donor("DK"), 21)).unwrap();
    source.apply_batch([stamped(donor("FI"), 22), stamped(donor("IS"), 23), stamped(donor("EE"), 24)]).unwrap();
    let full = source.to_journal().unwrap().into_owned();
    drop(source);
    std::fs::write(&path, &full[..start]).unwrap();

    let mut reader = Ledger::open_read_only(&path).unwrap();
    let appended = &full.as_bytes()[start..];
    let line_ends: Vec<usize> = appended.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1).collect();
    // Written a few bytes at a time, as a slow writer would: at every cut the reader has
    // exactly the complete entries, and none of the batch until all of it is there.
    let mut file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    let mut written = 0;
    for cut in (0..=appended.len()).step_by(97).chain([appended.len()]) {
        use std::io::Write;
        file.write_all(&appended[written..cut]).unwrap();
        written = cut;
        reader.refresh().unwrap();
        let complete_lines = line_ends.iter().filter(|&&e| e <= cut).count();
        let expected = 4 + if complete_lines >= 5 { 5 } else { complete_lines.min(2) };
        assert_eq!(reader.len(), expected, "after {cut} of {} bytes", appended.len());
    }
    assert_eq!(reader.to_journal().unwrap(), full);
}

#[test]
fn what_does_not_verify_is_refused_by_refresh_and_changes_nothing() {
    let dir = support::scratch("writers-refresh-corrupt");
    let path = dir.join("journal.jsonl");
    let mut writer = written_journal(&path);
    let mut reader = Ledger::open_read_only(&path).unwrap();
    let before = books(&reader);
    writer.apply(stamped(donor("NO"), 10)).unwrap();
    writer.apply(stamped(donor("DK"), 11)).unwrap();
    drop(writer);
    // Change the last entry's donor name: its hash no longer matches.
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("\"name\":\"DK\"", "\"name\":\"XX\"")).unwrap();
    match reader.refresh() {
        Err(LedgerError::JournalCorrupt { line, entry, .. }) => assert_eq!((line, entry), (7, 6), "entry 6 is line 7"),
        other => panic!("expected JOURNAL_CORRUPT, got {other:?}"),
    }
    assert_eq!(books(&reader), before, "nothing was taken in, not even the good entry before");
    assert_eq!(reader.len(), 4);
}

#[test]
fn a_journal_replaced_under_a_reader_is_an_error_not_a_silent_stop() {
    let dir = support::scratch("writers-replaced");
    let path = dir.join("journal.jsonl");
    let writer = written_journal(&path);
    let mut reader = Ledger::open_read_only(&path).unwrap();
    let copy = dir.join("other.jsonl");
    writer.save(&copy).unwrap();
    drop(writer);
    std::fs::rename(&copy, &path).unwrap();
    assert_eq!(code(reader.refresh()), "IO_ERROR");
}

// ----- save -----------------------------------------------------------------------------------

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn save_refuses_a_journal_held_by_a_writer_and_never_writes_through_a_symlink() {
    let dir = support::scratch("writers-save");
    let held = dir.join("held.jsonl");
    let writer = written_journal(&held);
    let before = std::fs::read(&held).unwrap();
    let mut other = Ledger::new();
    other.apply(stamped(donor("NO"), 1)).unwrap();
    match other.save(&held) {
        Err(LedgerError::JournalLocked { path }) => assert_eq!(path, held.display().to_string()),
        e => panic!("expected JOURNAL_LOCKED, got {e:?}"),
    }
    assert_eq!(std::fs::read(&held).unwrap(), before);
    assert_eq!(names_in(&dir), ["held.jsonl"], "no temporary file is left");
    // The writer saving to its own file has nothing to do.
    writer.save(&held).unwrap();
    drop(writer);
    other.save(&held).unwrap();
    assert_eq!(Ledger::open(&held).unwrap().chain_head(), other.chain_head());

    // Saving over a symlink replaces the link; the file it pointed to is untouched.
    #[cfg(unix)]
    {
        let victim = dir.join("victim.txt");
        std::fs::write(&victim, "not a journal").unwrap();
        let link = dir.join("link.jsonl");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        other.save(&link).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "not a journal");
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_file());
        assert_eq!(Ledger::open(&link).unwrap().chain_head(), other.chain_head());
    }
    assert!(names_in(&dir).iter().all(|n| !n.ends_with(".tmp")), "{:?}", names_in(&dir));
}

/// Runs `f` on another thread and waits for it a bounded time: an open that blocks (as
/// opening a FIFO for reading does) fails the test instead of hanging it.
fn within_a_minute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(60)).expect("the call hung")
}

fn open_everything(path: PathBuf) -> Vec<(String, String)> {
    within_a_minute(move || {
        let mut memory = Ledger::new();
        memory.apply(stamped(donor("NO"), 1)).unwrap();
        let outcomes: [(&str, Result<(), LedgerError>); 4] = [
            ("open", Ledger::open(&path).map(drop)),
            ("open_read_only", Ledger::open_read_only(&path).map(drop)),
            ("recover", Ledger::recover(&path).map(drop)),
            ("save", memory.save(&path)),
        ];
        outcomes
            .into_iter()
            .map(|(what, r)| {
                let e = r.expect_err(what);
                (format!("{what}: {}", e.code()), e.to_string())
            })
            .collect()
    })
}

#[test]
fn a_path_that_is_not_a_regular_file_is_refused_at_once() {
    let dir = support::scratch("writers-not-a-file");
    let folder = dir.join("folder.jsonl");
    std::fs::create_dir(&folder).unwrap();
    let mut cases = vec![(folder, "directory")];
    #[cfg(unix)]
    {
        let fifo = dir.join("fifo.jsonl");
        support::run(Command::new("mkfifo").arg(&fifo));
        cases.push((fifo, "FIFO"));
        cases.push((PathBuf::from("/dev/null"), "device"));
    }
    for (path, kind) in cases {
        for (what, message) in open_everything(path.clone()) {
            assert!(what.ends_with("IO_ERROR"), "{}: {what}", path.display());
            assert!(message.contains(&format!("not a regular file (a {kind})")), "{what}: {message}");
        }
    }
}

// ----- writers sharing a store ----------------------------------------------------------------

#[test]
fn a_stale_writer_gets_conflict_writes_nothing_catches_up_and_retries_once() {
    let store = MemoryStore::new();
    let mut a = Ledger::open_store(store.clone()).unwrap();
    let mut b = Ledger::open_store(store.clone()).unwrap();
    a.apply(stamped(donor("SE"), 1)).unwrap();
    let head = store.head();
    let b_before = books(&b);
    // A stale single command and a stale batch: CONFLICT with the store's head, nothing written.
    let keyed = || {
        stamped(
            json!({"type": "register_donor", "id": "NO", "name": "Norway", "kind": "member_state",
                       "idempotency_key": "donor-NO"}),
            2,
        )
    };
    match b.apply(keyed()) {
        Err(LedgerError::Conflict { store: named, seq, hash }) => {
            assert_eq!((named.as_str(), seq, hash.as_str()), ("memory store", head.seq, head.hash.as_str()))
        }
        other => panic!("expected CONFLICT, got {other:?}"),
    }
    let batch = vec![stamped(donor("DK"), 3), stamped(donor("FI"), 4)];
    assert_eq!(b.apply_batch(batch.clone()).unwrap_err().code(), "CONFLICT");
    assert_eq!(store.head(), head);
    assert_eq!(books(&b), b_before, "the refused writer is as it was");
    // Catching up takes in a's entry; the retry goes through.
    assert_eq!(b.refresh().unwrap(), 1);
    let applied = b.apply(keyed()).unwrap();
    assert!(!applied.duplicate);
    b.apply_batch(batch).unwrap();
    // a is stale now: its retry of the same key is applied once.
    assert_eq!(code(a.apply(keyed())), "CONFLICT");
    assert_eq!(a.refresh().unwrap(), 3);
    let again = a.apply(keyed()).unwrap();
    assert!(again.duplicate);
    assert_eq!(again.seq, applied.seq);
    assert_eq!(books(&a), books(&b));
    let replayed = Ledger::from_journal(&store.to_journal()).unwrap();
    assert_eq!(books(&replayed), books(&a));
    assert_eq!(replayed.len(), 4);
}

#[test]
fn a_dropped_stage_leaves_the_ledger_exactly_as_it_was() {
    let mut ledger = support::random_ledger(7, 60);
    let before = (ledger.to_journal().unwrap().into_owned(), books(&ledger));
    let requests = vec![stamped(donor("NEW-1"), 1), stamped(donor("NEW-2"), 2)];
    {
        let staged = ledger.stage_batch(&requests).unwrap();
        assert_eq!(staged.head().seq, staged.base().seq + 2);
        let lines: Vec<_> = staged.entries().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].hash, staged.head().hash);
        assert!(lines[0].line.contains("\"batch\":[1,2]"));
    }
    assert_eq!((ledger.to_journal().unwrap().into_owned(), books(&ledger)), before);
    let staged = ledger.stage_batch(&requests).unwrap();
    let lines = staged.lines().to_owned();
    staged.commit().unwrap();
    assert_eq!(ledger.to_journal().unwrap(), format!("{}{lines}", before.0));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any valid journal taken in piece by piece, cut anywhere (mid-line, mid-batch),
    /// gives the ledger that replaying it whole gives.
    #[test]
    fn taking_in_piece_by_piece_is_replaying_whole(seed in 0u64..1000, cuts in proptest::collection::vec(0usize..100_000, 1..12)) {
        let whole = support::random_ledger(seed, 80);
        let text = whole.to_journal().unwrap().into_owned();
        let header = text.find('\n').unwrap() + 1;
        let mut ledger = Ledger::from_journal(&text[..header]).unwrap();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| header + c % (text.len() - header + 1)).collect();
        cuts.sort_unstable();
        cuts.push(text.len());
        for cut in cuts {
            let at = ledger.to_journal().unwrap().len();
            if cut > at {
                ledger.take_in(&text.as_bytes()[at..cut]).unwrap();
            }
        }
        prop_assert_eq!(ledger.to_journal().unwrap(), text.as_str());
        prop_assert_eq!(books(&ledger), books(&whole));
    }

    /// Two writers on one store, interleaved at random, each retrying after catching up:
    /// every command lands once, and both end with the journal the store replays to.
    #[test]
    fn two_writers_interleaved_end_with_the_same_books(order in proptest::collection::vec(any::<bool>(), 1..40)) {
        let store = MemoryStore::new();
        let mut writers = [Ledger::open_store(store.clone()).unwrap(), Ledger::open_store(store.clone()).unwrap()];
        let mut sent = [0u32; 2];
        let mut conflicts = 0;
        for (n, w) in order.iter().map(|&b| usize::from(b)).enumerate() {
            sent[w] += 1;
            let cmd = json!({"type": "register_donor", "id": format!("D{w}-{}", sent[w]), "name": "x", "kind": "other",
                             "idempotency_key": format!("k{w}-{}", sent[w])});
            // Sometimes a writer sends its previous command again (a retry after a lost answer).
            let repeat = n % 5 == 4 && sent[w] > 1;
            let cmd = if repeat {
                sent[w] -= 1;
                let mut c = cmd;
                c["id"] = json!(format!("D{w}-{}", sent[w]));
                c["idempotency_key"] = json!(format!("k{w}-{}", sent[w]));
                c
            } else { cmd };
            let req = stamped(cmd, n as u32);
            loop {
                match writers[w].apply(req.clone()) {
                    Ok(_) => break,
                    Err(LedgerError::Conflict { .. }) => {
                        conflicts += 1;
                        writers[w].refresh().unwrap();
                    }
                    Err(e) => panic!("{e}"),
                }
            }
        }
        for w in &mut writers {
            w.refresh().unwrap();
        }
        let replayed = Ledger::from_journal(&store.to_journal()).unwrap();
        prop_assert_eq!(replayed.len() as u32, sent[0] + sent[1]);
        prop_assert_eq!(books(&writers[0]), books(&replayed));
        prop_assert_eq!(books(&writers[1]), books(&replayed));
        prop_assert!(conflicts <= order.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// A journal read from a stream, in pieces of any size, is the journal read whole; a
    /// changed byte is refused on its line either way.
    #[test]
    fn a_journal_read_from_a_stream_is_the_journal_read_whole(seed in 0u64..1000, piece in 1usize..5000, flip in 0usize..100_000) {
        /// Yields at most `piece` bytes per read, as a socket may.
        struct Pieces<'a>(&'a [u8], usize);
        impl std::io::Read for Pieces<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(self.1).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let whole = support::random_ledger(seed, 80);
        let text = whole.to_journal().unwrap().into_owned();
        let streamed = Ledger::from_reader(Pieces(text.as_bytes(), piece)).unwrap();
        prop_assert_eq!(streamed.to_journal().unwrap(), text.as_str());
        prop_assert_eq!(books(&streamed), books(&whole));
        let mut changed = text.clone().into_bytes();
        let at = text.find('\n').unwrap() + 1 + flip % (text.len() - text.find('\n').unwrap() - 2);
        changed[at] ^= 0x01;
        let line = text[..at].matches('\n').count() as u64 + 1;
        match (Ledger::from_reader(Pieces(&changed, piece)), Ledger::from_journal_bytes(&changed)) {
            (Err(LedgerError::JournalCorrupt { line: a, .. }), Err(LedgerError::JournalCorrupt { line: b, .. })) => {
                prop_assert_eq!(a, line);
                prop_assert_eq!(b, line);
            }
            (a, b) => prop_assert!(false, "expected JOURNAL_CORRUPT twice, got {:?} and {:?}", a.map(|l| l.len()), b.map(|l| l.len())),
        }
    }
}
