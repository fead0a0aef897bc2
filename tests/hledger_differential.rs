//! Differential test against hledger, an independent double-entry engine.
//!
//! Seeded random ledgers (at least 200 per run: every command type, five
//! currencies with 0, 2 and 3 decimals, every allocation policy, conversions of cash, reversals,
//! period closes, batches and repeated idempotency keys) are exported to the
//! plain-text journal; `hledger bal` of each must list exactly our trial
//! balance — every account, every currency, every balance — and total zero,
//! after every entry and as of a date inside the ledger's history.
//!
//! `FW_DIFF_LEDGERS` (default 200) and `FW_DIFF_SEED` (default 1) change the
//! run; a failure names the seed that reproduces it. hledger must be installed
//! (`tests/install-tools.sh`); without it the test fails saying so.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use funding_window::Ledger;

const LEDGERS_DEFAULT: u64 = 200;
const STEPS_PER_LEDGER: usize = 120;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Compares one ledger with hledger; a failure message, or the entries by command type.
fn compare(hledger: &Path, dir: &Path, seed: u64) -> Result<BTreeMap<String, usize>, String> {
    let ledger: Ledger = support::random_ledger(seed, STEPS_PER_LEDGER);
    let path = dir.join(format!("seed-{seed}.journal"));
    let text = ledger.export_hledger().map_err(|e| format!("seed {seed}: export failed: {e}"))?;
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    let entries = ledger.entries().map_err(|e| e.to_string())?;
    // One date inside the history: the value date of the entry in the middle.
    let dated: Vec<chrono::NaiveDate> =
        entries.iter().filter(|e| !e.postings.is_empty()).filter_map(|e| e.date).collect();
    let middle = dated.get(dated.len() / 2).copied();
    let mut checks = vec![(None, None)];
    if let Some(day) = middle {
        // hledger's -e is exclusive: the day after gives balances as of `day`.
        checks.push((Some(day), day.succ_opt().map(|d| d.to_string())));
    }
    for (as_of, end) in checks {
        let (theirs, totals) = support::hledger_balances(hledger, &path, end.as_deref());
        let ours = support::trial_balance_rows(&ledger, as_of);
        if theirs != ours {
            let only_theirs: Vec<_> = theirs.iter().filter(|r| !ours.contains(r)).collect();
            let only_ours: Vec<_> = ours.iter().filter(|r| !theirs.contains(r)).collect();
            return Err(format!(
                "seed {seed} (as of {as_of:?}): hledger bal differs from the trial balance\n  only in hledger: \
                 {only_theirs:?}\n  only in ours: {only_ours:?}\n  journal: {}",
                path.display()
            ));
        }
        if !totals.iter().all(|t| support::is_zero(t)) {
            return Err(format!("seed {seed}: hledger's total is {totals:?}"));
        }
    }
    let mut kinds = BTreeMap::new();
    for e in entries.iter().filter(|e| !e.postings.is_empty()) {
        *kinds.entry(e.command.type_name().to_owned()).or_insert(0) += 1;
    }
    let _ = std::fs::remove_file(&path);
    Ok(kinds)
}

#[test]
fn hledger_balances_equal_ours_on_random_ledgers() {
    let hledger = support::require("hledger", "hledger");
    let count = env_number("FW_DIFF_LEDGERS", LEDGERS_DEFAULT);
    let first = env_number("FW_DIFF_SEED", 1);
    let dir = support::scratch("hledger-differential");
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8) as u64;
    let results: Vec<Result<BTreeMap<String, usize>, String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (hledger, dir) = (&hledger, &dir);
                scope.spawn(move || {
                    (first..first + count)
                        .filter(|s| s % threads == t)
                        .map(|s| compare(hledger, dir, s))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("a worker panicked")).collect()
    });
    let failures: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {count} ledgers differ:\n{}",
        failures.len(),
        failures.iter().map(|f| f.as_str()).collect::<Vec<_>>().join("\n")
    );
    assert_eq!(results.len() as u64, count);
    // The run is only as good as what it covered: every posting command, many times.
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for k in results.iter().flatten() {
        for (kind, n) in k {
            *kinds.entry(kind.clone()).or_insert(0) += n;
        }
    }
    eprintln!("{count} ledgers compared with hledger; entries by type: {kinds:?}");
    for kind in [
        "sign_agreement",
        "record_receipt",
        "record_expenditure",
        "close_project",
        "transfer_balance",
        "refund_balance",
        "allocate",
        "convert_cash",
        "reverse",
    ] {
        assert!(kinds.get(kind).copied().unwrap_or(0) >= 20, "too few {kind} entries in the run: {kinds:?}");
    }
}
