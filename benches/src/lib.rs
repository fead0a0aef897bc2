//! Synthetic workloads for the benchmarks: a funding window with many donors,
//! projects and allocations, about three postings per journal entry.

use funding_window::{Ledger, Request};
use serde_json::{json, Value};

/// A deterministic pseudo-random sequence (64-bit LCG), so every run builds the same journal.
pub struct Lcg(u64);

impl Lcg {
    /// Next value below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

fn date(day: u64) -> String {
    let d = chrono_like(day);
    format!("{:04}-{:02}-{:02}", d.0, d.1, d.2)
}

/// Day number from 2015-01-01 to (year, month, day) with 28-day months: simple and always valid.
fn chrono_like(day: u64) -> (u64, u64, u64) {
    let year = 2015 + day / (12 * 28);
    let rest = day % (12 * 28);
    (year, rest / 28 + 1, rest % 28 + 1)
}

/// The commands of a workload of about `entries` journal entries.
pub fn commands(entries: usize) -> Vec<Value> {
    let mut rng = Lcg(42);
    let mut out = Vec::with_capacity(entries + 1000);
    for d in 0..20 {
        out.push(json!({"type": "register_donor", "id": format!("D{d}"), "name": format!("Donor {d}"), "kind": "member_state"}));
    }
    for year in 2015..=2040 {
        for month in 1..=12 {
            let m = format!("{year}-{month:02}");
            out.push(json!({"type": "set_rate", "currency": "EUR", "month": m, "per_usd": format!("0.9{}", 10 + (year + month) % 80)}));
            out.push(json!({"type": "set_rate", "currency": "SEK", "month": m, "per_usd": format!("10.{}", 100 + (year * month) % 800)}));
        }
    }
    out.push(json!({"type": "set_requirement", "resolution": "2/2", "amount": "900000000000000.00"}));
    out.push(json!({"type": "set_requirement", "resolution": "2/9", "amount": "500000000000000.00"}));
    out.push(json!({"type": "set_requirement", "resolution": "2/4", "amount": "300000000000000.00"}));
    let mut day;
    let mut project = 0usize;
    let mut window = 0usize;
    let mut allocation = 0usize;
    // Each cycle: a window contribution and receipt, a project with receipts and
    // spending, closure with a transfer, and an allocation: 14 entries, ~3 postings each.
    let mut cycle = 0u64;
    while out.len() < entries {
        // Ten cycles a day: 100,000 entries span two years, 1,000,000 twenty.
        cycle += 1;
        day = cycle / 10;
        let on = date(day);
        let donor = format!("D{}", rng.below(20));
        window += 1;
        let (currency, amount) = if window.is_multiple_of(2) { ("SEK", "2500000.00") } else { ("USD", "250000.00") };
        let earmark: Vec<&str> = if window.is_multiple_of(3) { vec!["2/4"] } else { vec![] };
        out.push(json!({"type": "sign_agreement", "id": format!("W{window}"), "donor": donor, "currency": currency,
            "amount": amount, "signed_on": on, "psc_rate": "0.07", "elective_transfer": false,
            "purpose": {"window": {"earmarked_to": earmark}}}));
        out.push(
            json!({"type": "record_receipt", "agreement": format!("W{window}"), "amount": amount, "received_on": on}),
        );
        project += 1;
        let p = format!("P{project}");
        let a = format!("PA{project}");
        let resolution = ["2/2", "2/6", "2/9"][project % 3];
        out.push(json!({"type": "sign_agreement", "id": a, "donor": donor, "currency": "EUR", "amount": "100000.00",
            "signed_on": on, "psc_rate": "0.07", "elective_transfer": true,
            "purpose": {"project": {"id": p, "resolution": resolution}}}));
        out.push(json!({"type": "record_receipt", "agreement": a, "amount": "60000.00", "received_on": on}));
        out.push(json!({"type": "record_receipt", "agreement": a, "amount": "40000.00", "received_on": on}));
        for _ in 0..5 {
            let cost = 5000 + rng.below(10000);
            out.push(json!({"type": "record_expenditure", "project": p, "amount": format!("{cost}.{:02}", rng.below(100)), "spent_on": on}));
        }
        out.push(json!({"type": "close_project", "project": p, "closed_on": on}));
        out.push(json!({"type": "transfer_balance", "project": p, "amount": null, "elected_on": on,
            "election_ref": "donor letter", "transferred_on": on}));
        allocation += 1;
        out.push(json!({"type": "allocate", "id": format!("EB{allocation}"), "decided_on": on, "amount": "100000.00",
            "policy": "gap_pro_rata", "resolutions": ["2/2", "2/4", "2/9"], "approved_by": "Executive Director"}));
        out.push(json!({"type": "record_expenditure", "resolution": "2/2", "amount": "1000.00", "spent_on": on}));
    }
    out.truncate(entries);
    out
}

/// Parsed requests of a workload, each stamped with a fixed recording time.
pub fn requests(entries: usize) -> Vec<Request> {
    commands(entries)
        .into_iter()
        .map(|mut c| {
            c["recorded_at"] = json!("2025-01-01T00:00:00Z");
            Request::from_value(c).expect("workload commands are valid")
        })
        .collect()
}

/// A ledger holding a workload of `entries` entries.
pub fn ledger(entries: usize) -> Ledger {
    let mut ledger = Ledger::new();
    for (i, r) in requests(entries).into_iter().enumerate() {
        if let Err(e) = ledger.apply(r) {
            panic!("workload command {i} failed: {e}");
        }
    }
    ledger
}

/// Number of postings in a ledger's journal.
pub fn postings(ledger: &Ledger) -> usize {
    ledger.to_journal().map(|t| t.matches("\"account\":").count()).unwrap_or(0)
}
