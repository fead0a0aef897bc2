//! Random sequences of well-formed commands: after every step the invariants of
//! the books hold (docs/posting-rules.md: balanced in every currency, no fund negative, refusals change
//! nothing; and every invariant of `tests/support/invariants.rs`, at every date: no cash account,
//! project cash or receivable below zero, ...), and the journal replays to the same state.
#![no_main]

#[path = "../../support/invariants.rs"]
#[allow(dead_code)]
mod invariants;

use arbitrary::Arbitrary;
use funding_window::{Ledger, Request};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

const RES: [&str; 4] = ["2/2", "2/4", "2/6", "2/9"];
const CCY: [&str; 3] = ["USD", "EUR", "JPY"];

#[derive(Arbitrary, Debug)]
enum Op {
    Window { ccy: u8, units: u32, earmark: Option<u8> },
    Project { ccy: u8, units: u32, res: u8, clause: bool },
    Receipt { agreement: u8, units: u32 },
    Spend { project: u8, units: u32 },
    Close { project: u8 },
    Transfer { project: u8 },
    Refund { project: u8 },
    Allocate { policy: u8, units: u32, res: Vec<u8>, earmark: Option<u8> },
    Requirement { res: u8, units: u32 },
    Reverse { back: u8 },
    ClosePeriod { half: u8 },
    Spendres { res: u8, units: u16 },
    Convert { from: u8, to: u8, units: u32, received: u32 },
}

fn amount(ccy: &str, units: u32) -> String {
    if ccy == "JPY" {
        units.to_string()
    } else {
        format!("{}.{:02}", units / 100, units % 100)
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let mut ledger = Ledger::new();
    let mut setup = vec![json!({"type": "register_donor", "id": "D", "name": "Donor", "kind": "other"})];
    for m in 1..=12 {
        setup.push(json!({"type": "set_rate", "currency": "EUR", "month": format!("2024-{m:02}"), "per_usd": "0.9213"}));
        setup.push(json!({"type": "set_rate", "currency": "JPY", "month": format!("2024-{m:02}"), "per_usd": "151.37"}));
    }
    let req = |mut c: Value| {
        c["recorded_at"] = json!("2025-01-01T00:00:00Z");
        Request::from_value(c).unwrap()
    };
    ledger.apply_batch(setup.into_iter().map(req)).unwrap();
    let (mut agreements, mut projects) = (0usize, 0usize);
    let mut checker = invariants::Checker::new();
    for (i, op) in ops.iter().take(64).enumerate() {
        let day = format!("2024-{:02}-{:02}", 1 + (i / 28) % 12, 1 + i % 28);
        let cmd = match op {
            Op::Window { ccy, units, earmark } => {
                let c = CCY[*ccy as usize % 3];
                agreements += 1;
                let ear: Vec<&str> = earmark.iter().map(|e| RES[*e as usize % 4]).collect();
                json!({"type": "sign_agreement", "id": format!("A{agreements}"), "donor": "D", "currency": c,
                       "amount": amount(c, units % 10_000_000 + 1), "signed_on": day, "psc_rate": "0.07",
                       "elective_transfer": false, "purpose": {"window": {"earmarked_to": ear}}})
            }
            Op::Project { ccy, units, res, clause } => {
                let c = CCY[*ccy as usize % 3];
                agreements += 1;
                projects += 1;
                json!({"type": "sign_agreement", "id": format!("A{agreements}"), "donor": "D", "currency": c,
                       "amount": amount(c, units % 10_000_000 + 1), "signed_on": day, "psc_rate": "0.13",
                       "elective_transfer": clause,
                       "purpose": {"project": {"id": format!("P{projects}"), "resolution": RES[*res as usize % 4]}}})
            }
            Op::Receipt { agreement, units } => json!({"type": "record_receipt",
                "agreement": format!("A{}", *agreement as usize % (agreements + 1)), "amount": amount("JPY", units % 1_000_000 + 1), "received_on": day}),
            Op::Spend { project, units } => json!({"type": "record_expenditure",
                "project": format!("P{}", *project as usize % (projects + 1)), "amount": amount("JPY", units % 100_000 + 1), "spent_on": day}),
            Op::Close { project } => json!({"type": "close_project", "project": format!("P{}", *project as usize % (projects + 1)), "closed_on": day}),
            Op::Transfer { project } => json!({"type": "transfer_balance", "project": format!("P{}", *project as usize % (projects + 1)),
                "amount": null, "elected_on": day, "election_ref": "letter", "transferred_on": day}),
            Op::Refund { project } => json!({"type": "refund_balance", "project": format!("P{}", *project as usize % (projects + 1)),
                "amount": null, "refunded_on": day}),
            Op::Allocate { policy, units, res, earmark } => {
                let names: Vec<&str> = res.iter().take(4).map(|r| RES[*r as usize % 4]).collect();
                let policy_name = ["equal", "gap_pro_rata", "weights"][*policy as usize % 3];
                let mut c = json!({"type": "allocate", "id": format!("EB{i}"), "decided_on": day,
                    "amount": amount("USD", units % 1_000_000 + 1), "policy": policy_name, "resolutions": names});
                if *policy as usize % 3 == 2 {
                    c["weights"] = Value::Object(names.iter().map(|n| (n.to_string(), json!("1.5"))).collect());
                }
                if let Some(e) = earmark {
                    c["source"] = json!({"earmarked": RES[*e as usize % 4]});
                }
                c
            }
            Op::Requirement { res, units } => json!({"type": "set_requirement", "resolution": RES[*res as usize % 4], "amount": amount("USD", *units)}),
            Op::Reverse { back } => json!({"type": "reverse", "entry": ledger.len().saturating_sub(*back as usize % 8), "on": day, "reason": "fuzz"}),
            Op::ClosePeriod { half } => json!({"type": "close_period", "period": if half % 2 == 0 { "2023-H2" } else { "2024-H1" }}),
            Op::Convert { from, to, units, received } => {
                let (from, to) = (CCY[*from as usize % 3], CCY[*to as usize % 3]);
                json!({"type": "convert_cash", "from": from, "to": to, "amount": amount(from, units % 1_000_000 + 1),
                       "received": amount(to, received % 1_000_000 + 1), "converted_on": day})
            }
            Op::Spendres { res, units } => json!({"type": "record_expenditure", "resolution": RES[*res as usize % 4], "amount": amount("USD", u32::from(*units) + 1), "spent_on": day}),
        };
        let before = ledger.to_journal().unwrap().into_owned();
        let tb_before = serde_json::to_string(&ledger.trial_balance(None)).unwrap();
        match ledger.apply(req(cmd)) {
            Ok(_) => {
                let tb = ledger.trial_balance(None);
                assert!(tb.totals.values().all(|t| t.is_zero()), "unbalanced after {op:?}");
                for line in &tb.accounts {
                    if line.account.starts_with("funds:") || line.account.starts_with("liabilities:") {
                        assert!(line.balance.is_sign_negative(), "{} went negative after {op:?}", line.account);
                    }
                }
                let violations = checker.check(&ledger);
                assert!(violations.is_empty(), "after {op:?}: {violations:?}");
            }
            Err(_) => {
                assert_eq!(ledger.to_journal().unwrap(), before);
                assert_eq!(serde_json::to_string(&ledger.trial_balance(None)).unwrap(), tb_before);
            }
        }
    }
    let replayed = Ledger::from_journal(&ledger.to_journal().unwrap()).unwrap();
    assert_eq!(replayed.chain_head(), ledger.chain_head());
    assert_eq!(
        serde_json::to_string(&replayed.trial_balance(None)).unwrap(),
        serde_json::to_string(&ledger.trial_balance(None)).unwrap()
    );
});
