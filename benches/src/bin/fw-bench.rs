//! Workload tool for the benchmarks.
//!
//! ```text
//! fw-bench generate ENTRIES FILE   # write a journal of ENTRIES entries
//! fw-bench replay FILE             # open it (replay + chain check + balances); time and peak memory
//! fw-bench apply ENTRIES           # apply a workload in memory; postings per second
//! fw-bench tracker ENTRIES         # time the resolution tracker on a ledger of ENTRIES entries
//! ```
//!
//! Timing here is measurement, not computation on money: the f64s are seconds and rates.

use std::time::Instant;

use funding_window::Ledger;

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("generate") if args.len() == 4 => {
            let entries: usize = args[2].parse().expect("ENTRIES is a number");
            let ledger = funding_window_benches::ledger(entries);
            ledger.save(&args[3]).expect("write the journal");
            println!(
                "wrote {} entries, {} postings, {} bytes to {}",
                ledger.len(),
                funding_window_benches::postings(&ledger),
                ledger.to_journal().map(|t| t.len()).unwrap_or(0),
                args[3]
            );
        }
        Some("replay") if args.len() == 3 => {
            let start = Instant::now();
            let ledger = Ledger::open(&args[2]).expect("open the journal");
            let balances = ledger.trial_balance(None);
            let elapsed = start.elapsed();
            println!(
                "replayed {} entries ({} accounts) in {:.1} ms, peak RSS {:.1} MiB",
                ledger.len(),
                balances.accounts.len(),
                elapsed.as_secs_f64() * 1000.0,
                peak_rss_mib().unwrap_or(0.0)
            );
        }
        Some("apply") if args.len() == 3 => {
            let entries: usize = args[2].parse().expect("ENTRIES is a number");
            let requests = funding_window_benches::requests(entries);
            let start = Instant::now();
            let mut ledger = Ledger::new();
            for r in requests {
                ledger.apply(r).expect("workload commands apply");
            }
            let elapsed = start.elapsed().as_secs_f64();
            let postings = funding_window_benches::postings(&ledger);
            println!(
                "applied {} commands ({postings} postings) in {:.1} ms: {:.0} postings/s",
                ledger.len(),
                elapsed * 1000.0,
                postings as f64 / elapsed
            );
        }
        Some("tracker") if args.len() == 3 => {
            let entries: usize = args[2].parse().expect("ENTRIES is a number");
            let ledger = funding_window_benches::ledger(entries);
            let period = "2025-H1".parse().expect("a period");
            let start = Instant::now();
            let runs = 100;
            for _ in 0..runs {
                std::hint::black_box(ledger.resolution_tracker(period));
            }
            println!(
                "resolution tracker on {} entries: {:.3} ms",
                ledger.len(),
                start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs)
            );
        }
        _ => {
            eprintln!("usage: fw-bench generate ENTRIES FILE | replay FILE | apply ENTRIES | tracker ENTRIES");
            std::process::exit(2);
        }
    }
}
