//! Workload tool for the benchmarks.
//!
//! ```text
//! fw-bench generate ENTRIES FILE   # write a journal of ENTRIES entries
//! fw-bench replay FILE             # open it (replay + chain check + balances); time and peak memory
//! ```

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
        _ => {
            eprintln!("usage: fw-bench generate ENTRIES FILE | fw-bench replay FILE");
            std::process::exit(2);
        }
    }
}
