//! Native side of `benches/wasm_replay.mjs`: the same work the WebAssembly package does in Node.
//!
//! ```text
//! replay_file FILE [RUNS]   # per run: read FILE, Ledger::from_journal (in memory), trial balance
//! ```
//!
//! Prints one line per run: `replayed N entries in X ms`.

use std::time::Instant;

use funding_window::Ledger;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), runs) = (args.get(1), args.get(2).and_then(|r| r.parse::<usize>().ok()).unwrap_or(1)) else {
        eprintln!("usage: replay_file FILE [RUNS]");
        std::process::exit(2);
    };
    for _ in 0..runs {
        let start = Instant::now();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        };
        let ledger = match Ledger::from_journal(&text) {
            Ok(ledger) => ledger,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        };
        let balances = ledger.trial_balance(None);
        let elapsed = start.elapsed();
        println!(
            "replayed {} entries ({} accounts) in {:.1} ms",
            ledger.len(),
            balances.accounts.len(),
            elapsed.as_secs_f64() * 1000.0
        );
    }
}
