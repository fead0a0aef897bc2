//! Benchmarks of the PostgreSQL journal store, each side by side with a journal file in
//! the same run. `FW_PG_URL` names the server (`make bench-postgres` starts a throwaway one).
//!
//! ```text
//! fw-pg-bench open [ENTRIES]           open a ledger of ENTRIES (100,000) from PostgreSQL and from a file
//! fw-pg-bench single [COMMANDS]        one command per transaction (2,000), against one fsync per command
//! fw-pg-bench batch [COMMANDS] [SIZE]  batches of SIZE (1,000) commands, 100,000 in all
//! fw-pg-bench writers [W] [COMMANDS]   W (4) concurrent writers of COMMANDS (500) each: throughput, conflicts
//! fw-pg-bench all                      each of the above with its defaults
//! ```
//!
//! Timings are wall-clock on a machine that may be shared: each prints every round, so
//! that a range is reported rather than one number.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use funding_window::{Ledger, LedgerError, Request};
use funding_window_postgres::PgLedger;
use serde_json::json;

/// Rounds of the open benchmark (file and database alternately).
const OPEN_ROUNDS: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Ok(dsn) = std::env::var("FW_PG_URL") else {
        eprintln!("fw-pg-bench: set FW_PG_URL (or run `make bench-postgres`, which starts a server)");
        std::process::exit(2);
    };
    let number = |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let dir = std::env::temp_dir().join(format!("fw-pg-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let run = Bench { dsn, dir: dir.clone(), runtime };
    match args.get(1).map(String::as_str) {
        Some("open") => run.open(number(2, 100_000)),
        Some("single") => run.single(number(2, 2_000)),
        Some("batch") => run.batch(number(2, 100_000), number(3, 1_000)),
        Some("writers") => run.writers(number(2, 4), number(3, 500)),
        Some("all") => {
            run.open(100_000);
            run.single(2_000);
            run.batch(100_000, 1_000);
            run.writers(4, 500);
        }
        _ => {
            eprintln!("usage: fw-pg-bench open [ENTRIES] | single [COMMANDS] | batch [COMMANDS] [SIZE] | writers [W] [COMMANDS] | all");
            std::process::exit(2);
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

struct Bench {
    dsn: String,
    dir: PathBuf,
    runtime: tokio::runtime::Runtime,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn ledger_name(what: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("bench-{what}-{}-{nanos}", std::process::id())
}

fn summary(label: &str, mut values: Vec<f64>, unit: &str) {
    values.sort_by(f64::total_cmp);
    let median = values[values.len() / 2];
    let rounds: Vec<String> = values.iter().map(|v| format!("{v:.1}")).collect();
    println!(
        "{label}: median {median:.1} {unit}, range {:.1}-{:.1} (rounds: {})",
        values[0],
        values[values.len() - 1],
        rounds.join(", ")
    );
}

impl Bench {
    /// Opening a ledger of `entries` entries: from a file (`Ledger::open`), from PostgreSQL
    /// with the async handle and with the blocking store; rounds alternate. Also the replay
    /// alone of the same bytes in memory (`Ledger::from_journal_bytes`, which the PostgreSQL
    /// handle runs once the rows are read): the difference is the reading.
    fn open(&self, entries: usize) {
        let file = self.dir.join("open.jsonl");
        let ledger = funding_window_benches::ledger(entries);
        ledger.save(&file).expect("write the journal");
        let name = ledger_name("open");
        self.runtime.block_on(funding_window_postgres::import_journal(&self.dsn, &name, &file)).expect("import");
        println!(
            "## open a {entries}-entry ledger ({} bytes of journal)",
            std::fs::metadata(&file).map_or(0, |m| m.len())
        );
        let bytes = std::fs::read(&file).expect("read the journal");
        let (mut from_file, mut from_pg, mut blocking, mut replay) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..OPEN_ROUNDS {
            let start = Instant::now();
            let opened = Ledger::open(&file).expect("open the file");
            from_file.push(ms(start.elapsed()));
            let head = opened.head();
            drop(opened);
            let start = Instant::now();
            let opened = self.runtime.block_on(PgLedger::open(&self.dsn, &name)).expect("open from PostgreSQL");
            from_pg.push(ms(start.elapsed()));
            assert_eq!(self.runtime.block_on(opened.head()), head);
            drop(opened);
            let start = Instant::now();
            let opened = funding_window_postgres::connect(&self.dsn, &name).expect("open with the blocking store");
            blocking.push(ms(start.elapsed()));
            assert_eq!(opened.head(), head);
            drop(opened);
            let start = Instant::now();
            let opened = Ledger::from_journal_bytes(&bytes).expect("replay in memory");
            replay.push(ms(start.elapsed()));
            assert_eq!(opened.head(), head);
        }
        summary("file (Ledger::open)", from_file, "ms");
        summary("PostgreSQL (PgLedger::open)", from_pg, "ms");
        summary("PostgreSQL (blocking connect)", blocking, "ms");
        summary("of which replay in memory (Ledger::from_journal_bytes)", replay, "ms");
    }

    /// One command per transaction: the workload's first `commands` commands applied one by
    /// one to a new PostgreSQL ledger, and to a new journal file (one fsync per command).
    fn single(&self, commands: usize) {
        println!("## {commands} commands, one per transaction");
        let requests = funding_window_benches::requests(commands);
        let name = ledger_name("single");
        let pg = self.runtime.block_on(PgLedger::connect(&self.dsn, &name)).expect("connect");
        let start = Instant::now();
        self.runtime.block_on(async {
            for r in &requests {
                pg.apply(r).await.expect("apply");
            }
        });
        let pg_rate = requests.len() as f64 / start.elapsed().as_secs_f64();
        let file_rate = file_rate(&self.dir.join("single.jsonl"), &requests, 1);
        println!("PostgreSQL: {pg_rate:.0} commands/s; journal file: {file_rate:.0} commands/s");
    }

    /// Batches of `size` commands, `commands` in all.
    fn batch(&self, commands: usize, size: usize) {
        println!("## {commands} commands in batches of {size}");
        let requests = funding_window_benches::requests(commands);
        let name = ledger_name("batch");
        let pg = self.runtime.block_on(PgLedger::connect(&self.dsn, &name)).expect("connect");
        let start = Instant::now();
        self.runtime.block_on(async {
            for chunk in requests.chunks(size) {
                pg.apply_batch(chunk).await.expect("apply a batch");
            }
        });
        let pg_rate = requests.len() as f64 / start.elapsed().as_secs_f64();
        let file_rate = file_rate(&self.dir.join("batch.jsonl"), &requests, size);
        println!("PostgreSQL: {pg_rate:.0} commands/s; journal file: {file_rate:.0} commands/s");
    }

    /// `writers` handles (one connection each) on one ledger at once, each applying
    /// `commands` commands and retrying after conflicts: catching up only after a conflict,
    /// then catching up before every command (as `apply_with_retries` does).
    fn writers(&self, writers: usize, commands: usize) {
        for catch_up_first in [false, true] {
            self.writers_once(writers, commands, catch_up_first);
        }
    }

    fn writers_once(&self, writers: usize, commands: usize, catch_up_first: bool) {
        let how = if catch_up_first { "catching up before each command" } else { "catching up after a conflict" };
        println!("## {writers} concurrent writers x {commands} commands on one ledger, {how}");
        let name = ledger_name("writers");
        let start = Instant::now();
        let conflicts: u64 = self.runtime.block_on(async {
            PgLedger::connect(&self.dsn, &name).await.expect("connect");
            let tasks: Vec<_> = (0..writers)
                .map(|w| {
                    let (dsn, name) = (self.dsn.clone(), name.clone());
                    tokio::spawn(async move {
                        let ledger = PgLedger::connect(&dsn, &name).await.expect("connect");
                        let mut conflicts = 0u64;
                        for i in 0..commands {
                            let request = writer_command(w, i);
                            loop {
                                if catch_up_first {
                                    ledger.refresh().await.expect("catch up");
                                }
                                match ledger.apply(&request).await {
                                    Ok(_) => break,
                                    Err(LedgerError::Conflict { .. }) => {
                                        conflicts += 1;
                                        ledger.refresh().await.expect("catch up");
                                    }
                                    Err(e) => panic!("writer {w}: {e}"),
                                }
                            }
                        }
                        conflicts
                    })
                })
                .collect();
            let mut total = 0;
            for task in tasks {
                total += task.await.expect("a writer");
            }
            total
        });
        let elapsed = start.elapsed().as_secs_f64();
        let total = writers * commands;
        println!(
            "{total} commands in {elapsed:.2} s: {:.0} commands/s in all; {conflicts} conflicts ({:.2} per command)",
            total as f64 / elapsed,
            conflicts as f64 / total as f64
        );
    }
}

/// Commands per second applying `requests` to a new journal file, `size` at a time.
fn file_rate(path: &Path, requests: &[Request], size: usize) -> f64 {
    let mut ledger = Ledger::create(path).expect("create the journal file");
    let start = Instant::now();
    for chunk in requests.chunks(size) {
        if size == 1 {
            ledger.apply(chunk[0].clone()).expect("apply");
        } else {
            ledger.apply_batch(chunk.to_vec()).expect("apply a batch");
        }
    }
    requests.len() as f64 / start.elapsed().as_secs_f64()
}

/// The `i`-th command of writer `w`, independent of the other writers' (any interleaving applies).
fn writer_command(w: usize, i: usize) -> Request {
    let c = i / 4;
    let cmd = match (i == 0, i % 4) {
        (true, _) => json!({"type": "register_donor", "id": format!("D{w}"), "name": "donor", "kind": "other"}),
        (false, 0) => {
            json!({"type": "set_requirement", "resolution": "2/2", "amount": format!("{}.00", 1_000_000 + w * 100_000 + c)})
        }
        (false, 1) => json!({"type": "sign_agreement", "id": format!("CA-{w}-{c}"), "donor": format!("D{w}"),
                             "currency": "USD", "amount": "100.00", "signed_on": "2024-03-01", "psc_rate": "0.07",
                             "elective_transfer": false, "purpose": {"window": {"earmarked_to": []}}}),
        (false, 2) => json!({"type": "record_receipt", "agreement": format!("CA-{w}-{c}"), "amount": "100.00",
                             "received_on": "2024-03-02"}),
        _ => json!({"type": "allocate", "id": format!("EB-{w}-{c}"), "decided_on": "2024-04-01", "amount": "50.00",
                    "policy": "explicit", "shares": {"2/9": "50.00"}, "resolutions": ["2/9"],
                    "approved_by": "Executive Director"}),
    };
    let mut cmd = cmd;
    cmd["idempotency_key"] = json!(format!("w{w}-{i}"));
    cmd["recorded_at"] = json!("2025-01-01T00:00:00Z");
    Request::from_value(cmd).expect("a valid command")
}
