//! Invariants of the books (docs/posting-rules.md) under random command streams (proptest).
//!
//! * every accepted command keeps the trial balance at zero in every currency and
//!   no fund negative, today or at any period end, save the unallocated window by no more than
//!   receipts' FX losses have taken from it;
//! * a rejected command or batch leaves the journal and every report byte-identical;
//! * an idempotency key resubmitted with the same content adds nothing;
//! * replaying the journal gives the same journal and the same reports;
//! * every split sums exactly and each share is the floor or ceiling of its quota;
//! * every invariant of `support::invariants` holds after every command, back-dated ones and
//!   conversions of cash included, at every date.

mod support;

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
    SignWindow {
        donor: u8,
        currency: u8,
        units: u32,
        earmarks: Vec<u8>,
    },
    SignProject {
        donor: u8,
        currency: u8,
        units: u32,
        resolution: u8,
        clause: bool,
    },
    Receipt {
        agreement: u8,
        percent: u8,
    },
    Spend {
        project: u8,
        percent: u8,
    },
    SpendResolution {
        resolution: u8,
        units: u16,
    },
    Close {
        project: u8,
    },
    Transfer {
        project: u8,
        percent: Option<u8>,
    },
    Refund {
        project: u8,
        percent: Option<u8>,
    },
    Allocate {
        policy: u8,
        units: u32,
        candidates: Vec<u8>,
        earmark: Option<u8>,
    },
    Requirement {
        resolution: u8,
        units: u32,
    },
    Reverse {
        back: u8,
    },
    ClosePeriod,
    Repeat {
        back: u8,
    },
    Batch(Vec<Op>),
    /// The command of `op`, dated `days` before the stream's current day (not before its start).
    Backdated {
        days: u8,
        op: Box<Op>,
    },
    /// Converts `percent` (more than 100 now and then, to be refused) of the cash held now in
    /// `from` into `to`, the bank crediting about 1.1 of a minor unit per minor unit sold.
    Convert {
        from: u8,
        to: u8,
        percent: u8,
    },
    /// Allocates `percent` of what a window fund holds now (the unallocated fund, or the
    /// `earmark`-th earmarked fund), emptying it often, so that later receipts' exchange losses
    /// meet empty funds.
    AllocateHoldings {
        earmark: Option<u8>,
        percent: u8,
    },
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
        2 => (0u8..4, 0u8..4, 1u8..=120).prop_map(|(from, to, percent)| Op::Convert { from, to, percent }),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![9 => simple_op(), 1 => prop::collection::vec(simple_op(), 0..5).prop_map(Op::Batch)]
}

/// [`op`], and one step in five back-dated by up to 120 days: commands recorded out of date
/// order, as the rules "every limit holds at every date" must withstand.
fn dated_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => op(),
        1 => (prop::option::of(any::<u8>()), prop_oneof![3 => Just(100u8), 1 => 50u8..100])
            .prop_map(|(earmark, percent)| Op::AllocateHoldings { earmark, percent }),
        1 => (1u8..=120, simple_op()).prop_map(|(days, op)| Op::Backdated { days, op: Box::new(op) }),
    ]
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

    fn command(&mut self, op: &Op, ledger: &Ledger) -> Option<Value> {
        let entries = ledger.len();
        if let Op::Backdated { days, op } = op {
            // The inner command moves the day on by 3 and the stream's day stays where it was.
            let today = self.day;
            self.day = (today - i64::from(*days)).max(0) - 3;
            let command = self.command(op, ledger);
            self.day = today;
            return command;
        }
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
            Op::Convert { from, to, percent } => {
                let (from, to) = (CURRENCIES[*from as usize], CURRENCIES[*to as usize]);
                let minor = |c: &str| Currency::from_code(c).map_or(2, |c| c.minor_unit());
                let held = ledger
                    .trial_balance(None)
                    .accounts
                    .iter()
                    .find(|l| l.account == format!("assets:cash:{from}"))
                    .map_or(Decimal::ZERO, |l| l.balance);
                let sold = (held * Decimal::from(*percent) / Decimal::from(100)).round_dp(minor(from));
                let units: u64 =
                    (sold * Decimal::from(10u64.pow(minor(from)))).trunc().normalize().to_string().parse().ok()?;
                if units == 0 {
                    return None;
                }
                json!({"type": "convert_cash", "from": from, "to": to, "amount": Self::amount(from, units),
                       "received": Self::amount(to, (units * 11 / 10).max(1)), "converted_on": date,
                       "reference": "deal"})
            }
            Op::AllocateHoldings { earmark, percent } => {
                let window = ledger.window_balance(None);
                let (source, resolution, held) = match earmark {
                    None => (json!("unallocated"), "2/2".to_owned(), window.unallocated),
                    Some(i) => {
                        let fund = window.earmarked.get(pick(window.earmarked.len(), *i)?)?;
                        (json!({"earmarked": fund.resolution}), fund.resolution.clone(), fund.amount)
                    }
                };
                let amount = (held * Decimal::from(*percent) / Decimal::from(100)).round_dp(2);
                if amount <= Decimal::ZERO {
                    return None;
                }
                json!({"type": "allocate", "id": self.id("EB"), "decided_on": date, "amount": amount.to_string(),
                       "policy": "explicit", "source": source, "shares": {resolution: amount.to_string()},
                       "approved_by": "Executive Director"})
            }
            Op::Batch(_) | Op::Backdated { .. } => return None,
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
/// (less what reversals of those receipts gave back): the one way it may go below zero
/// (DOMAIN.md, Precisions). Gains do not offset losses here: a receipt's gain is money of the
/// fund like any other, which may be allocated before a later receipt's loss, and the deficit
/// that loss leaves is still an FX loss's alone.
fn fx_losses_on_unallocated(ledger: &Ledger, as_of: Option<chrono::NaiveDate>) -> Decimal {
    let entries = ledger.entries().unwrap();
    let receipt =
        |seq: u64| entries.iter().find(|e| e.seq == seq).is_some_and(|e| e.command.type_name() == "record_receipt");
    entries
        .iter()
        .filter(|e| as_of.is_none_or(|d| e.date.is_some_and(|date| date <= d)))
        .flat_map(|e| {
            // A receipt's loss is a debit to the fund; its reversal's credit gives it back.
            let loss = match &e.command {
                funding_window::Command::Reverse(r) if receipt(r.entry) => |a: Decimal| a.min(Decimal::ZERO),
                other if other.type_name() == "record_receipt" => |a: Decimal| a.max(Decimal::ZERO),
                _ => |_: Decimal| Decimal::ZERO,
            };
            e.postings.iter().filter(|p| p.account == "funds:window:unallocated").map(move |p| loss(p.amount))
        })
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

/// The commands of one step of a stream, written by the model from the ledger as it stands;
/// every third command of the stream (`n` counts them) goes under an idempotency key.
fn step_commands(op: &Op, model: &mut Model, ledger: &Ledger, n: &mut usize) -> Vec<Value> {
    let commands: Vec<Value> = match op {
        Op::Batch(inner) => inner.iter().filter_map(|o| model.command(o, ledger)).collect(),
        single => model.command(single, ledger).into_iter().collect(),
    };
    commands
        .into_iter()
        .map(|mut c| {
            *n += 1;
            if n.is_multiple_of(3) && c.get("idempotency_key").is_none() {
                c["idempotency_key"] = json!(format!("k{n}"));
            }
            c
        })
        .collect()
}

/// Runs a stream of steps on a fresh ledger (every third command under an idempotency key, as
/// in the first property) and calls `after` with the ledger, the step's commands and, for a
/// refused step, the refused command and its error code (a refused step changes nothing: the
/// first property proves it).
fn run_stream(
    ops: &[Op],
    mut after: impl FnMut(&Ledger, &[Value], Option<(&Value, &str)>) -> Result<(), TestCaseError>,
) -> Result<Ledger, TestCaseError> {
    let mut ledger = setup();
    let mut model = Model::default();
    let mut n = 0usize;
    for op in ops {
        let commands = step_commands(op, &mut model, &ledger, &mut n);
        let requests: Vec<Request> = commands.iter().map(|c| request(c.clone(), n)).collect();
        let refused = if matches!(op, Op::Batch(_)) {
            if requests.is_empty() {
                continue;
            }
            ledger.apply_batch(requests).err().map(|e| (e.index, e.error))
        } else {
            let Some(r) = requests.into_iter().next() else { continue };
            ledger.apply(r).err().map(|e| (0, e))
        };
        match &refused {
            None => {
                commands.iter().for_each(|c| model.record(c));
                after(&ledger, &commands, None)?;
            }
            Some((index, error)) => {
                let refused_command = commands.get(*index).unwrap_or(&Value::Null);
                after(&ledger, &commands, Some((refused_command, error.code())))?;
            }
        }
    }
    Ok(ledger)
}

/// The streams' invariants, checked after every accepted step (and replay at the end).
fn every_invariant_after_every_step(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut checker = support::invariants::Checker::new();
    checker.check(&setup());
    let ledger = run_stream(ops, |ledger, commands, refused| {
        // "A receipt is a fact and is never refused for lack of funds."
        if let Some((command, code)) = refused {
            prop_assert!(
                !(command["type"] == "record_receipt" && code == "INSUFFICIENT_FUNDS"),
                "a receipt was refused for lack of funds: {}",
                command
            );
        }
        let violations = checker.check(ledger);
        prop_assert!(
            violations.is_empty(),
            "after {}:\n{}",
            serde_json::to_string(commands).unwrap_or_default(),
            violations.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
        );
        Ok(())
    })?;
    let replay = support::invariants::replays_to_the_same_books(&ledger);
    prop_assert!(replay.is_empty(), "{:?}", replay);
    Ok(())
}

/// Precisions: "A receipt is a fact and is never refused for lack of funds" (a rule on what is
/// refused, so checked on the stream, not on the books).
const RECEIPT_NEVER_REFUSED: &str = "a receipt is never refused for lack of funds";

/// How often today's rules break each invariant: over 200 random streams (a fixed seed), the
/// streams in which each invariant, on each subject, is first broken, and by which command.
/// `cargo test -p funding-window-tests --test properties invariant_census -- --ignored --nocapture`
#[test]
#[ignore = "a census for people, not a check: prints how often each invariant breaks"]
fn invariant_census() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    use std::collections::{BTreeMap, BTreeSet};

    let streams = 200;
    let mut runner = TestRunner::deterministic();
    let strategy = prop::collection::vec(dated_op(), 1..80);
    // (invariant, subject) -> streams; (invariant, subject, command types) -> streams
    let mut broken: BTreeMap<(&str, String), usize> = BTreeMap::new();
    let mut by_command: BTreeMap<(&str, String, String), usize> = BTreeMap::new();
    let mut examples: BTreeMap<(&str, String), String> = BTreeMap::new();
    for _ in 0..streams {
        let ops = strategy.new_tree(&mut runner).expect("a stream").current();
        let mut checker = support::invariants::Checker::new();
        checker.check(&setup());
        let mut seen: BTreeSet<(&str, String)> = BTreeSet::new();
        let ledger = run_stream(&ops, |ledger, commands, refused| {
            if let Some((command, code)) = refused {
                if command["type"] == "record_receipt" && code == "INSUFFICIENT_FUNDS" {
                    seen.insert((RECEIPT_NEVER_REFUSED, "record_receipt INSUFFICIENT_FUNDS".into()));
                }
                return Ok(());
            }
            for v in checker.check(ledger) {
                let key = (v.invariant, v.subject.clone());
                if seen.insert(key.clone()) {
                    let kinds: Vec<&str> = commands.iter().filter_map(|c| c["type"].as_str()).collect();
                    *by_command.entry((v.invariant, v.subject.clone(), kinds.join("+"))).or_default() += 1;
                    examples.entry(key).or_insert_with(|| v.detail.clone());
                }
            }
            Ok(())
        })
        .expect("the census asserts nothing");
        for v in support::invariants::replays_to_the_same_books(&ledger) {
            seen.insert((v.invariant, v.subject));
        }
        for key in seen {
            *broken.entry(key).or_default() += 1;
        }
    }
    println!("invariants broken in {streams} random streams (today's rules):");
    for ((invariant, subject), count) in &broken {
        println!(
            "  {count:>3} streams: {invariant} [{subject}], e.g. {}",
            examples.get(&(*invariant, subject.clone())).map_or("", |s| s)
        );
        for ((i, s, kinds), n) in &by_command {
            if i == invariant && s == subject {
                println!("        {n:>3} first after {kinds}");
            }
        }
    }
    let untouched: Vec<&&str> =
        support::invariants::ALL.iter().filter(|name| !broken.keys().any(|(i, _)| i == *name)).collect();
    println!("never broken: {untouched:?}");
}

/// The stream `random_streams_keep_every_invariant` failed on, shrunk: a receipt's FX gain
/// credited to the unallocated fund is allocated with the rest of it, then another receipt's
/// FX loss takes the fund below zero. The deficit is that loss's alone (DOMAIN.md, Precisions:
/// "Only such an FX loss may take the unallocated fund below zero"), though the gain and the
/// loss net to nothing; the check must not net them.
#[test]
fn a_gain_allocated_before_a_loss_does_not_offset_the_loss() {
    let mut ledger = setup();
    let window = |id: &str, amount: &str, signed_on: &str| {
        json!({"type": "sign_agreement", "id": id, "donor": "D0", "currency": "EUR", "amount": amount,
               "signed_on": signed_on, "psc_rate": "0.07", "elective_transfer": false,
               "purpose": {"window": {"earmarked_to": []}}})
    };
    let receipt = |id: &str, amount: &str, received_on: &str| json!({"type": "record_receipt", "agreement": id, "amount": amount, "received_on": received_on});
    let unallocated = |ledger: &Ledger| ledger.window_balance(None).unallocated;
    let on_unallocated = |ledger: &Ledger| -> Decimal {
        let entries = ledger.entries().unwrap();
        let last = entries.last().unwrap();
        last.postings.iter().filter(|p| p.account == "funds:window:unallocated").map(|p| p.amount).sum()
    };
    // Signed at January's EUR rate (0.961), received at February's (0.901): a gain.
    ledger.apply(request(window("W-A", "2.34", "2024-01-10"), 1)).unwrap();
    ledger.apply(request(receipt("W-A", "0.14", "2024-02-24"), 2)).unwrap();
    let gain = -on_unallocated(&ledger);
    assert!(gain > Decimal::ZERO, "the first receipt books a gain");
    // Signed at February's rate, received at March's (0.911): a loss.
    ledger.apply(request(window("W-B", "1.70", "2024-02-03"), 3)).unwrap();
    let held = unallocated(&ledger);
    ledger
        .apply(request(
            json!({"type": "allocate", "id": "EB-1", "decided_on": "2024-02-27", "amount": held.to_string(),
                   "policy": "explicit", "source": "unallocated", "shares": {"2/2": held.to_string()},
                   "approved_by": "Executive Director"}),
            4,
        ))
        .unwrap();
    assert!(unallocated(&ledger).is_zero());
    ledger.apply(request(receipt("W-B", "0.51", "2024-03-01"), 5)).unwrap();
    let loss = on_unallocated(&ledger);
    assert!(loss > Decimal::ZERO, "the second receipt books a loss");
    assert_eq!(unallocated(&ledger), -loss, "the loss alone is the deficit");
    assert_eq!(fx_losses_on_unallocated(&ledger, None), loss);
    check_invariants(&ledger).unwrap();
    let mut checker = support::invariants::Checker::new();
    assert_eq!(checker.check(&ledger), Vec::new());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_streams_keep_every_invariant(ops in prop::collection::vec(dated_op(), 1..80)) {
        let mut ledger = setup();
        let mut model = Model::default();
        let mut n = 0usize;
        for op in &ops {
            let with_keys = step_commands(op, &mut model, &ledger, &mut n);
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

    /// Every invariant of the books after every command, at every date, on streams with
    /// back-dated commands and conversions of cash: no cash account, project's cash,
    /// receivable or fund below zero on any date (the unallocated fund only by an FX loss on a
    /// window receipt, never refused), as `support::invariants` checks them.
    #[test]
    fn every_invariant_holds_after_every_command(ops in prop::collection::vec(dated_op(), 1..80)) {
        every_invariant_after_every_step(&ops)?;
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
