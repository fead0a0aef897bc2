//! Invariants of the books (docs/posting-rules.md) under random command streams (proptest).
//!
//! * every accepted command keeps the trial balance at zero in every currency and
//!   no fund negative, today or at any period end, save the unallocated window by no more than
//!   receipts' FX losses have taken from it;
//! * a rejected command or batch leaves the journal and every report byte-identical;
//! * an idempotency key resubmitted with the same content adds nothing;
//! * replaying the journal gives the same journal and the same reports;
//! * every split sums exactly and each share is the floor or ceiling of its quota.

use funding_window::split::largest_remainder;
use funding_window::{Currency, Ledger, Period, Request};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

const CURRENCIES: [&str; 4] = ["USD", "EUR", "JPY", "KWD"];
const RESOLUTIONS: [&str; 6] = ["1/1", "2/2", "2/4", "2/6", "2/9", "2/10"];

/// An abstract step, turned into a concrete command against what exists so far.
#[derive(Debug, Clone)]
enum Op {
    SignWindow { donor: u8, currency: u8, units: u32, earmarks: Vec<u8> },
    SignProject { donor: u8, currency: u8, units: u32, resolution: u8, clause: bool },
    Receipt { agreement: u8, percent: u8 },
    Spend { project: u8, percent: u8 },
    SpendResolution { resolution: u8, units: u16 },
    Close { project: u8 },
    Transfer { project: u8, percent: Option<u8> },
    Refund { project: u8, percent: Option<u8> },
    Allocate { policy: u8, units: u32, candidates: Vec<u8>, earmark: Option<u8> },
    Requirement { resolution: u8, units: u32 },
    Reverse { back: u8 },
    ClosePeriod,
    Repeat { back: u8 },
    Batch(Vec<Op>),
}

fn simple_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..3, 0u8..4, 1u32..2_000_000, prop::collection::vec(0u8..6, 0..3))
            .prop_map(|(donor, currency, units, earmarks)| Op::SignWindow { donor, currency, units, earmarks }),
        2 => (0u8..3, 0u8..4, 1u32..2_000_000, 0u8..6, any::<bool>())
            .prop_map(|(donor, currency, units, resolution, clause)| Op::SignProject { donor, currency, units, resolution, clause }),
        6 => (any::<u8>(), 1u8..=100).prop_map(|(agreement, percent)| Op::Receipt { agreement, percent }),
        4 => (any::<u8>(), 1u8..=100).prop_map(|(project, percent)| Op::Spend { project, percent }),
        1 => (0u8..6, 1u16..5000).prop_map(|(resolution, units)| Op::SpendResolution { resolution, units }),
        2 => any::<u8>().prop_map(|project| Op::Close { project }),
        2 => (any::<u8>(), prop::option::of(1u8..=100)).prop_map(|(project, percent)| Op::Transfer { project, percent }),
        1 => (any::<u8>(), prop::option::of(1u8..=100)).prop_map(|(project, percent)| Op::Refund { project, percent }),
        3 => (0u8..4, 1u32..100_000, prop::collection::vec(0u8..6, 0..4), prop::option::of(0u8..6), any::<bool>())
            .prop_map(|(policy, units, candidates, earmark, honour)| {
                // Mostly aim earmarked money at its own resolution; sometimes elsewhere, to test the refusal.
                let candidates = match earmark {
                    Some(e) if honour => vec![e],
                    _ => candidates,
                };
                Op::Allocate { policy, units, candidates, earmark }
            }),
        1 => (0u8..6, 0u32..3_000_000).prop_map(|(resolution, units)| Op::Requirement { resolution, units }),
        1 => (0u8..12).prop_map(|back| Op::Reverse { back }),
        1 => Just(Op::ClosePeriod),
        1 => (0u8..8).prop_map(|back| Op::Repeat { back }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![9 => simple_op(), 1 => prop::collection::vec(simple_op(), 0..5).prop_map(Op::Batch)]
}

/// What the generator knows of the ledger, to aim commands at things that exist.
#[derive(Default)]
struct Model {
    agreements: Vec<(String, &'static str, u32)>,
    projects: Vec<String>,
    sent: Vec<Value>,
    day: i64,
    closed_half: i64,
    next: u32,
}

impl Model {
    fn date(&self) -> String {
        chrono_date(self.day)
    }

    /// An amount of `units` minor-ish units in a currency (whole units for JPY).
    fn amount(currency: &str, units: u64) -> String {
        match currency {
            "JPY" => format!("{units}"),
            "KWD" => format!("{}.{:03}", units / 1000, units % 1000),
            _ => format!("{}.{:02}", units / 100, units % 100),
        }
    }

    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}-{}", self.next)
    }

    /// Learns what an accepted command created.
    fn record(&mut self, cmd: &Value) {
        if cmd["type"] == "sign_agreement" {
            let currency = CURRENCIES.iter().find(|c| **c == cmd["currency"]).copied().unwrap_or("USD");
            let amount = cmd["amount"].as_str().unwrap_or("0").replace('.', "");
            self.agreements.push((cmd["id"].as_str().unwrap_or("").to_owned(), currency, amount.parse().unwrap_or(0)));
            if let Some(p) = cmd["purpose"]["project"]["id"].as_str() {
                self.projects.push(p.to_owned());
            }
        }
        self.sent.push(cmd.clone());
    }

    fn command(&mut self, op: &Op, entries: usize) -> Option<Value> {
        self.day += 3;
        let date = self.date();
        let pick = |n: usize, i: u8| (n > 0).then(|| i as usize % n);
        Some(match op {
            Op::SignWindow { donor, currency, units, earmarks } => {
                let c = CURRENCIES[*currency as usize];
                let id = self.id("W");
                let earmarks: Vec<&str> = earmarks.iter().map(|&e| RESOLUTIONS[e as usize]).collect();
                json!({"type": "sign_agreement", "id": id, "donor": format!("D{donor}"), "currency": c,
                       "amount": Self::amount(c, u64::from(*units)), "signed_on": date, "psc_rate": "0.07",
                       "elective_transfer": false, "purpose": {"window": {"earmarked_to": earmarks}}})
            }
            Op::SignProject { donor, currency, units, resolution, clause } => {
                let c = CURRENCIES[*currency as usize];
                let id = self.id("PA");
                let project = format!("P{}", self.next);
                json!({"type": "sign_agreement", "id": id, "donor": format!("D{donor}"), "currency": c,
                       "amount": Self::amount(c, u64::from(*units)), "signed_on": date, "psc_rate": "0.13",
                       "elective_transfer": clause,
                       "purpose": {"project": {"id": project, "resolution": RESOLUTIONS[*resolution as usize]}}})
            }
            Op::Receipt { agreement, percent } => {
                let (id, c, units) = self.agreements[pick(self.agreements.len(), *agreement)?].clone();
                let amount = (u64::from(units) * u64::from(*percent) / 100).max(1);
                json!({"type": "record_receipt", "agreement": id, "amount": Self::amount(c, amount), "received_on": date})
            }
            Op::Spend { project, percent } => {
                let i = pick(self.projects.len(), *project)?;
                let (_, c, units) =
                    self.agreements.iter().find(|a| a.0 == format!("PA-{}", &self.projects[i][1..])).cloned()?;
                let amount = (u64::from(units) * u64::from(*percent) / 200).max(1);
                json!({"type": "record_expenditure", "project": self.projects[i], "amount": Self::amount(c, amount), "spent_on": date})
            }
            Op::SpendResolution { resolution, units } => json!({"type": "record_expenditure",
                "resolution": RESOLUTIONS[*resolution as usize], "amount": Self::amount("USD", u64::from(*units)), "spent_on": date}),
            Op::Close { project } => {
                json!({"type": "close_project", "project": self.projects[pick(self.projects.len(), *project)?], "closed_on": date})
            }
            Op::Transfer { project, percent } | Op::Refund { project, percent } => {
                let i = pick(self.projects.len(), *project)?;
                let (_, c, units) =
                    self.agreements.iter().find(|a| a.0 == format!("PA-{}", &self.projects[i][1..])).cloned()?;
                let amount = percent.map(|p| Self::amount(c, (u64::from(units) * u64::from(p) / 1000).max(1)));
                if matches!(op, Op::Transfer { .. }) {
                    json!({"type": "transfer_balance", "project": self.projects[i], "amount": amount,
                           "elected_on": date, "election_ref": "letter", "transferred_on": date})
                } else {
                    json!({"type": "refund_balance", "project": self.projects[i], "amount": amount, "refunded_on": date})
                }
            }
            Op::Allocate { policy, units, candidates, earmark } => {
                let mut cmd = json!({"type": "allocate", "id": self.id("EB"), "decided_on": date,
                    "amount": Self::amount("USD", u64::from(*units)), "approved_by": "Executive Director"});
                let names: Vec<&str> = candidates.iter().map(|&c| RESOLUTIONS[c as usize]).collect();
                let policy = ["explicit", "equal", "gap_pro_rata", "weights"][*policy as usize];
                cmd["policy"] = json!(policy);
                if let Some(e) = earmark {
                    cmd["source"] = json!({"earmarked": RESOLUTIONS[*e as usize]});
                }
                if !names.is_empty() {
                    cmd["resolutions"] = json!(names);
                }
                match policy {
                    "explicit" => {
                        let first = names.first().copied().unwrap_or("2/4");
                        cmd["shares"] = json!({first: Self::amount("USD", u64::from(*units))});
                    }
                    "weights" => {
                        let table: serde_json::Map<String, Value> = names
                            .iter()
                            .enumerate()
                            .map(|(i, n)| (n.to_string(), json!(format!("{}", i + 1))))
                            .collect();
                        cmd["weights"] = Value::Object(table);
                    }
                    _ => {}
                }
                cmd
            }
            Op::Requirement { resolution, units } => json!({"type": "set_requirement",
                "resolution": RESOLUTIONS[*resolution as usize], "amount": Self::amount("USD", u64::from(*units))}),
            Op::Reverse { back } => {
                json!({"type": "reverse", "entry": entries.saturating_sub(*back as usize), "on": date, "reason": "test"})
            }
            Op::ClosePeriod => {
                // Close the half-year before the current one.
                let half = (self.day / 183) - 1;
                if half < self.closed_half {
                    return None;
                }
                self.closed_half = half + 1;
                let year = 2024 + half / 2;
                json!({"type": "close_period", "period": format!("{year}-H{}", half % 2 + 1)})
            }
            Op::Repeat { back } => {
                let i = self.sent.len().checked_sub(1 + *back as usize)?;
                self.sent[i].clone()
            }
            Op::Batch(_) => return None,
        })
    }
}

fn chrono_date(day: i64) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    (start + chrono::Duration::days(day)).format("%Y-%m-%d").to_string()
}

fn setup() -> Ledger {
    let mut ledger = Ledger::new();
    let mut batch = Vec::new();
    for d in 0..3 {
        batch.push(
            json!({"type": "register_donor", "id": format!("D{d}"), "name": format!("Donor {d}"), "kind": "other"}),
        );
    }
    for year in 2024..=2027 {
        for month in 1..=12 {
            let m = format!("{year}-{month:02}");
            let wobble = (year * 12 + month) % 7;
            batch.push(json!({"type": "set_rate", "currency": "EUR", "month": m, "per_usd": format!("0.9{wobble}1")}));
            batch.push(json!({"type": "set_rate", "currency": "JPY", "month": m, "per_usd": format!("14{wobble}.35")}));
            batch.push(json!({"type": "set_rate", "currency": "KWD", "month": m, "per_usd": format!("0.30{wobble}7")}));
        }
    }
    let requests = batch.into_iter().map(|c| request(c, 0)).collect::<Vec<_>>();
    ledger.apply_batch(requests).unwrap();
    ledger
}

fn request(mut cmd: Value, n: usize) -> Request {
    cmd["recorded_at"] = json!(format!("2025-01-01T00:00:{:02}Z", n % 60));
    Request::from_value(cmd).unwrap()
}

/// Everything observable: journal bytes and every report.
fn snapshot(ledger: &Ledger) -> String {
    let mut out = ledger.to_journal().unwrap().into_owned();
    out += &serde_json::to_string(&ledger.trial_balance(None)).unwrap();
    for p in periods() {
        out += &serde_json::to_string(&ledger.resolution_tracker(p.into())).unwrap();
        out += &serde_json::to_string(&ledger.window_statement(p.into())).unwrap();
        out += &serde_json::to_string(&ledger.trial_balance(Some(p.end()))).unwrap();
    }
    for d in 0..3 {
        out += &serde_json::to_string(&ledger.donor_statement(&format!("D{d}")).unwrap()).unwrap();
    }
    out += &serde_json::to_string(&ledger.transfer_register()).unwrap();
    out += &serde_json::to_string(&ledger.allocation_log()).unwrap();
    out
}

fn periods() -> Vec<Period> {
    ["2024-H1", "2024-H2", "2025-H1", "2025-H2"].iter().map(|p| p.parse().unwrap()).collect()
}

/// What receipts' exchange losses have taken from `funds:window:unallocated` up to `as_of`
/// (net of their reversals): the one way it may go below zero (DOMAIN.md, Precisions).
fn fx_losses_on_unallocated(ledger: &Ledger, as_of: Option<chrono::NaiveDate>) -> Decimal {
    let entries = ledger.entries().unwrap();
    let receipt =
        |seq: u64| entries.iter().find(|e| e.seq == seq).is_some_and(|e| e.command.type_name() == "record_receipt");
    entries
        .iter()
        .filter(|e| as_of.is_none_or(|d| e.date.is_some_and(|date| date <= d)))
        .filter(|e| match &e.command {
            funding_window::Command::Reverse(r) => receipt(r.entry),
            other => other.type_name() == "record_receipt",
        })
        .flat_map(|e| &e.postings)
        .filter(|p| p.account == "funds:window:unallocated")
        .map(|p| p.amount)
        .sum()
}

fn check_invariants(ledger: &Ledger) -> Result<(), TestCaseError> {
    let mut dates: Vec<Option<chrono::NaiveDate>> = periods().iter().map(|p| Some(p.end())).collect();
    dates.push(None);
    for as_of in dates {
        let tb = ledger.trial_balance(as_of);
        for (currency, total) in &tb.totals {
            prop_assert!(total.is_zero(), "trial balance in {currency} sums to {total} as of {as_of:?}");
        }
        for line in &tb.accounts {
            let is_fund = line.account.starts_with("funds:") || line.account.starts_with("liabilities:");
            if line.account == "funds:window:unallocated" && line.balance > Decimal::ZERO {
                let losses = fx_losses_on_unallocated(ledger, as_of);
                prop_assert!(
                    line.balance <= losses,
                    "the unallocated window is {} below zero as of {as_of:?}, more than the {losses} of receipts' FX losses",
                    line.balance
                );
                continue;
            }
            prop_assert!(
                !is_fund || line.balance < Decimal::ZERO,
                "{} is {} as of {as_of:?}",
                line.account,
                line.balance
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_streams_keep_every_invariant(ops in prop::collection::vec(op(), 1..80)) {
        let mut ledger = setup();
        let mut model = Model::default();
        let mut n = 0usize;
        for op in &ops {
            let commands: Vec<Value> = match op {
                Op::Batch(inner) => inner.iter().filter_map(|o| model.command(o, ledger.len())).collect(),
                single => model.command(single, ledger.len()).into_iter().collect(),
            };
            let with_keys: Vec<Value> = commands
                .into_iter()
                .map(|mut c| {
                    n += 1;
                    if n.is_multiple_of(3) && c.get("idempotency_key").is_none() {
                        c["idempotency_key"] = json!(format!("k{n}"));
                    }
                    c
                })
                .collect();
            let before = snapshot(&ledger);
            let journal_before = ledger.to_journal().unwrap().into_owned();
            let requests: Vec<Request> = with_keys.iter().map(|c| request(c.clone(), n)).collect();
            let result = if matches!(op, Op::Batch(_)) {
                ledger.apply_batch(requests).map(|a| a.iter().all(|x| x.duplicate)).map_err(|e| e.error)
            } else if let Some(r) = requests.into_iter().next() {
                ledger.apply(r).map(|a| a.duplicate)
            } else {
                continue;
            };
            if let (Err(e), Some(_)) = (&result, std::env::var_os("FW_STATS")) {
                eprintln!("ERR {} {}", e.code(), e);
            }
            match result {
                Err(_) => prop_assert!(snapshot(&ledger) == before, "a rejected {:?} changed the ledger", op),
                Ok(true) => prop_assert!(ledger.to_journal().unwrap() == journal_before, "a repeated key added an entry"),
                Ok(false) => {
                    with_keys.iter().for_each(|c| model.record(c));
                    check_invariants(&ledger)?;
                }
            }
        }
        if std::env::var_os("FW_STATS").is_some() {
            let kinds: std::collections::BTreeMap<String, usize> = ledger.entries().unwrap().iter().fold(Default::default(), |mut m, e| {
                *m.entry(e.command.type_name().to_owned()).or_default() += 1;
                m
            });
            eprintln!("{} ops -> {} entries {:?}", ops.len(), ledger.len(), kinds);
        }
        let replayed = Ledger::from_journal(&ledger.to_journal().unwrap()).unwrap();
        prop_assert!(snapshot(&replayed) == snapshot(&ledger), "replay differs from the live ledger");
    }

    #[test]
    fn splits_sum_exactly_and_round_each_quota_down_or_up(
        units in 0u64..10_000_000_000,
        currency in prop::sample::select(vec!["USD", "JPY", "KWD"]),
        weights in prop::collection::vec((0u64..1_000_000, 0u32..4), 1..12),
    ) {
        let currency = Currency::from_code(currency).unwrap();
        let total = Decimal::from_i128_with_scale(i128::from(units), currency.minor_unit());
        let ws: Vec<Decimal> = weights.iter().map(|&(m, s)| Decimal::from_i128_with_scale(i128::from(m), s)).collect();
        let Ok(lines) = largest_remainder(total, currency, &ws) else {
            prop_assert!(ws.iter().all(|w| w.is_zero()));
            return Ok(());
        };
        let sum: Decimal = lines.iter().map(|l| l.share).sum();
        prop_assert_eq!(sum, total);
        // share × Σw must be within Σw of total × w (floor or ceiling of the exact quota),
        // checked in integers at a common scale, independently of the implementation.
        let scale = ws.iter().map(|w| w.scale()).max().unwrap();
        let ints: Vec<i128> = ws.iter().map(|w| w.mantissa() * 10i128.pow(scale - w.scale())).collect();
        let sum_w: i128 = ints.iter().sum();
        let minor = 10i128.pow(currency.minor_unit());
        for (line, w) in lines.iter().zip(&ints) {
            let share_units = line.share.mantissa() * minor / 10i128.pow(line.share.scale());
            let exact = i128::from(units) * w;
            prop_assert!((share_units * sum_w - exact).abs() < sum_w, "share {} is not the floor or ceiling of its quota", line.share);
        }
    }
}
