//! The performance targets of the core, measured with criterion:
//!
//! * replay a 100,000-entry journal file with chain verification and compute all
//!   balances (target: 100 ms; peak memory is measured by `fw-bench replay`);
//! * apply commands in memory (target: 1,000,000 postings per second on one core);
//! * the resolution tracker on a 1,000,000-entry ledger (target: 10 ms).
//!
//! `cargo bench -p funding-window-benches` (or `make bench`).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use funding_window::Ledger;
use funding_window_benches::{ledger, postings, requests};

fn replay(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("fw-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("journal-100k.jsonl");
    ledger(100_000).save(&path).unwrap();
    let mut group = c.benchmark_group("replay");
    group.sample_size(20).measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("open_100k_entries_and_trial_balance", |b| {
        b.iter(|| {
            let ledger = Ledger::open(&path).unwrap();
            ledger.trial_balance(None)
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(dir);
}

fn apply(c: &mut Criterion) {
    let batch = requests(20_000);
    let posted = postings(&ledger(20_000)) as u64;
    let mut group = c.benchmark_group("apply");
    group.sample_size(20).measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(posted));
    group.bench_function("apply_20k_commands_in_memory", |b| {
        b.iter_batched(
            || batch.clone(),
            |requests| {
                let mut ledger = Ledger::new();
                for r in requests {
                    ledger.apply(r).unwrap();
                }
                ledger
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn tracker(c: &mut Criterion) {
    let big = ledger(1_000_000);
    let period = "2025-H1".parse().unwrap();
    let mut group = c.benchmark_group("reports");
    group.bench_function("resolution_tracker_1m_entries", |b| b.iter(|| big.resolution_tracker(period)));
    group.bench_function("trial_balance_as_of_1m_entries", |b| b.iter(|| big.trial_balance(Some(period.end()))));
    group.finish();
}

criterion_group!(benches, replay, apply, tracker);
criterion_main!(benches);
