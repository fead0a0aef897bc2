//! The invariants of the books, checked on a ledger from the outside.
//!
//! Each check is named after the invariant it enforces, as `DOMAIN.md` states it (its section
//! "Invariants", and "Precisions (December 2026)", which wins where they differ). The checks
//! read only what any front end can read: the journal's entries (their commands and postings,
//! as JSON) and trial balances as of dates. They recompute every balance from the postings, at
//! every date of the journal and the day before each, and compare the trial balance report with
//! it, so they do not trust the ledger's own running totals.
//!
//! Balances are debit-positive, as in the journal: an asset holds a positive balance, a fund a
//! negative one. "Below zero" below means in the account's own sense: cash or a receivable
//! with a credit balance, a fund or a refund liability with a debit balance.
//!
//! [`Checker`] runs every check after each command and also sees the journal only grow;
//! [`replays_to_the_same_books`] is for the end of a stream (it rebuilds the ledger).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use funding_window::Ledger;
use rust_decimal::Decimal;
use serde_json::Value;

/// "Every entry balances per currency."
pub const ENTRY_BALANCES: &str = "every entry balances per currency";
/// "The trial balance sums to zero" (at every date, and it is what the journal posted).
pub const TRIAL_BALANCE_ZERO: &str = "the trial balance sums to zero";
/// "Every amount is at that currency's minor unit", never finer.
pub const MINOR_UNIT: &str = "every amount at its currency's minor unit";
/// "The journal is append-only; nothing is edited or deleted."
pub const APPEND_ONLY: &str = "the journal is append-only";
/// "Replaying the journal yields the same state and the same reports."
pub const REPLAY: &str = "replaying the journal yields the same books";
/// "No fund goes negative" (nor a refund liability), at any date; the window's unallocated
/// fund has its own two checks below.
pub const NO_FUND_NEGATIVE: &str = "no fund goes negative";
/// Precisions: "Only such an FX loss [on a receipt] may take the unallocated fund below zero."
pub const UNALLOCATED_DEFICIT_FROM_FX_ONLY: &str = "the unallocated fund goes below zero only by FX losses on receipts";
/// Precisions: "while it is below zero, allocations from it are refused", and every limit
/// holds at every date: nothing but a receipt takes from the unallocated fund on a date it is
/// below zero, or leaves it below zero on a later date, as the books stood when it was recorded.
pub const NO_TAKING_FROM_UNALLOCATED_IN_DEFICIT: &str =
    "nothing is taken from the unallocated fund while it is below zero";
/// Precisions: "No cash account goes below zero at any date."
pub const NO_CASH_NEGATIVE: &str = "no cash account goes below zero at any date";
/// "A receipt never exceeds what is outstanding": no receivable below zero, at any date.
pub const OUTSTANDING_NOT_NEGATIVE: &str = "a receipt never exceeds what is outstanding";
/// Precisions: "Every limit holds at every date ... (a project cannot spend on 1 February
/// money received on 1 March)": received − spent − PSC − transferred − refunded >= 0.
pub const PROJECT_SPENDS_ONLY_RECEIVED: &str = "a project spends only money it has received, at every date";
/// "Soft earmarks are honoured."
pub const EARMARKS_HONOURED: &str = "soft earmarks are honoured";
/// "A balance transfer needs the clause, the election and a closed project" (and a refund a
/// closed project).
pub const TRANSFER_CONDITIONS: &str = "a balance transfer needs the clause, the election and a closed project";

/// Every invariant name, in the order the checks run.
pub const ALL: &[&str] = &[
    ENTRY_BALANCES,
    TRIAL_BALANCE_ZERO,
    MINOR_UNIT,
    APPEND_ONLY,
    REPLAY,
    NO_FUND_NEGATIVE,
    UNALLOCATED_DEFICIT_FROM_FX_ONLY,
    NO_TAKING_FROM_UNALLOCATED_IN_DEFICIT,
    NO_CASH_NEGATIVE,
    OUTSTANDING_NOT_NEGATIVE,
    PROJECT_SPENDS_ONLY_RECEIVED,
    EARMARKS_HONOURED,
    TRANSFER_CONDITIONS,
];

const UNALLOCATED: &str = "funds:window:unallocated";

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The invariant's name (one of [`ALL`]).
    pub invariant: &'static str,
    /// What it concerns, for counting alike violations together: an account
    /// (`assets:cash:USD`), a project, an entry's command type.
    pub subject: String,
    /// The particulars: dates, amounts, entries.
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}]: {}", self.invariant, self.subject, self.detail)
    }
}

/// Runs the checks after every command of a stream; remembers the journal to see it only grow.
#[derive(Default)]
pub struct Checker {
    journal: String,
}

impl Checker {
    /// A checker that has seen an empty journal.
    pub fn new() -> Checker {
        Checker::default()
    }

    /// Every invariant on the ledger as it is now, and the journal's growth since the last call.
    pub fn check(&mut self, ledger: &Ledger) -> Vec<Violation> {
        let journal = ledger.to_journal().map(|j| j.into_owned()).unwrap_or_default();
        let mut out = Vec::new();
        if !journal.starts_with(&self.journal) {
            let at = self.journal.lines().zip(journal.lines()).position(|(a, b)| a != b).map_or(0, |i| i + 1);
            out.push(violation(APPEND_ONLY, "journal", format!("line {at} changed, or lines were removed")));
        }
        self.journal = journal;
        out.extend(check(ledger));
        out
    }
}

/// One entry of the journal, as the checks need it.
struct Entry {
    seq: u64,
    date: Option<NaiveDate>,
    kind: String,
    command: Value,
    /// (account, currency, amount, the currency's minor unit)
    postings: Vec<(String, String, Decimal, u32)>,
}

fn violation(invariant: &'static str, subject: impl Into<String>, detail: String) -> Violation {
    Violation { invariant, subject: subject.into(), detail }
}

fn entries(ledger: &Ledger) -> Result<Vec<Entry>, Violation> {
    let parsed =
        ledger.entries().map_err(|e| violation(REPLAY, "journal", format!("the journal does not read: {e}")))?;
    Ok(parsed
        .into_iter()
        .map(|e| {
            let command = serde_json::to_value(&e.command).unwrap_or(Value::Null);
            Entry {
                seq: e.seq,
                date: e.date,
                kind: e.command.type_name().to_owned(),
                command,
                postings: e
                    .postings
                    .iter()
                    .map(|p| (p.account.clone(), p.currency.code().to_owned(), p.amount, p.currency.minor_unit()))
                    .collect(),
            }
        })
        .collect())
}

/// Every invariant that the ledger's present state shows (all but [`APPEND_ONLY`], which needs
/// the journal as it was before, and [`REPLAY`], which rebuilds the ledger).
pub fn check(ledger: &Ledger) -> Vec<Violation> {
    let entries = match entries(ledger) {
        Ok(entries) => entries,
        Err(v) => return vec![v],
    };
    let mut out = Vec::new();
    entry_checks(&entries, &mut out);
    dated_checks(ledger, &entries, &mut out);
    unallocated_takings(&entries, &mut out);
    earmarks(&entries, &mut out);
    transfers(&entries, &mut out);
    out
}

/// [`ENTRY_BALANCES`] and [`MINOR_UNIT`], entry by entry.
fn entry_checks(entries: &[Entry], out: &mut Vec<Violation>) {
    for e in entries {
        let mut sums: BTreeMap<&str, Decimal> = BTreeMap::new();
        for (account, currency, amount, minor) in &e.postings {
            *sums.entry(currency).or_default() += *amount;
            if amount.scale() > *minor {
                out.push(violation(MINOR_UNIT, account.clone(), format!("entry {} posts {amount} {currency}", e.seq)));
            }
        }
        for (currency, sum) in sums.into_iter().filter(|(_, s)| !s.is_zero()) {
            out.push(violation(ENTRY_BALANCES, e.kind.clone(), format!("entry {} sums to {sum} {currency}", e.seq)));
        }
    }
}

/// Balances per (account, currency), debit-positive.
type Balances = BTreeMap<(String, String), Decimal>;

/// The days to look at: every value date and the day before each, in order.
fn check_dates(entries: &[Entry]) -> BTreeSet<NaiveDate> {
    let mut dates = BTreeSet::new();
    for d in entries.iter().filter_map(|e| e.date) {
        dates.insert(d);
        if let Some(before) = d.pred_opt() {
            dates.insert(before);
        }
    }
    dates
}

/// Adds the postings of the entries dated on or before `date` that `taken` has not yet passed
/// (entries sorted by date).
fn advance(balances: &mut Balances, dated: &[&Entry], taken: &mut usize, date: NaiveDate) {
    while let Some(e) = dated.get(*taken).filter(|e| e.date.is_some_and(|d| d <= date)) {
        for (account, currency, amount, _) in &e.postings {
            *balances.entry((account.clone(), currency.clone())).or_default() += *amount;
        }
        *taken += 1;
    }
}

/// The checks of balances at every date: [`TRIAL_BALANCE_ZERO`], [`NO_FUND_NEGATIVE`],
/// [`UNALLOCATED_DEFICIT_FROM_FX_ONLY`], [`NO_CASH_NEGATIVE`], [`OUTSTANDING_NOT_NEGATIVE`],
/// [`PROJECT_SPENDS_ONLY_RECEIVED`]. Each reports its first date only, per account.
fn dated_checks(ledger: &Ledger, entries: &[Entry], out: &mut Vec<Violation>) {
    let mut dated: Vec<&Entry> = entries.iter().filter(|e| e.date.is_some()).collect();
    dated.sort_by_key(|e| (e.date, e.seq));
    let projects = project_agreements(entries);
    let mut balances = Balances::new();
    let mut taken = 0;
    let mut fx_losses = Decimal::ZERO;
    let mut reported: BTreeSet<(&'static str, String)> = BTreeSet::new();
    let mut report = |out: &mut Vec<Violation>, invariant: &'static str, subject: String, detail: String| {
        if reported.insert((invariant, subject.clone())) {
            out.push(violation(invariant, subject, detail));
        }
    };
    for date in check_dates(entries) {
        let before = taken;
        advance(&mut balances, &dated, &mut taken, date);
        fx_losses += dated[before..taken]
            .iter()
            .filter(|e| e.kind == "record_receipt")
            .flat_map(|e| &e.postings)
            .filter(|(account, _, amount, _)| account == UNALLOCATED && amount.is_sign_positive())
            .map(|(_, _, amount, _)| *amount)
            .sum::<Decimal>();

        // The report agrees with the journal, and sums to zero.
        if before != taken {
            let tb = ledger.trial_balance(Some(date));
            for (currency, total) in tb.totals.iter().filter(|(_, t)| !t.is_zero()) {
                report(out, TRIAL_BALANCE_ZERO, currency.clone(), format!("{total} {currency} as of {date}"));
            }
            let reported_lines: Balances =
                tb.accounts.iter().map(|l| ((l.account.clone(), l.currency.code().to_owned()), l.balance)).collect();
            let posted: Balances =
                balances.iter().filter(|(_, b)| !b.is_zero()).map(|(k, b)| (k.clone(), *b)).collect();
            if reported_lines != posted {
                let differ: Vec<String> = posted
                    .keys()
                    .chain(reported_lines.keys())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .filter(|k| posted.get(*k) != reported_lines.get(*k))
                    .map(|k| {
                        format!("{} {}: posted {:?}, reported {:?}", k.0, k.1, posted.get(k), reported_lines.get(k))
                    })
                    .collect();
                report(out, TRIAL_BALANCE_ZERO, "report".into(), format!("as of {date}: {}", differ.join("; ")));
            }
        }

        for ((account, currency), balance) in &balances {
            let subject = format!("{account} {currency}");
            let credit_balance = balance.is_sign_negative() && !balance.is_zero();
            let debit_balance = balance.is_sign_positive() && !balance.is_zero();
            if account.starts_with("assets:cash:") && credit_balance {
                report(out, NO_CASH_NEGATIVE, account.clone(), format!("{balance} {currency} on {date}"));
            } else if account.starts_with("assets:receivable:") && credit_balance {
                report(out, OUTSTANDING_NOT_NEGATIVE, subject, format!("{balance} on {date}"));
            } else if account == UNALLOCATED && debit_balance {
                // The deficit may not exceed the FX losses receipts have booked to it.
                if *balance > fx_losses {
                    report(
                        out,
                        UNALLOCATED_DEFICIT_FROM_FX_ONLY,
                        account.clone(),
                        format!("a deficit of {balance} on {date}, FX losses of receipts {fx_losses}"),
                    );
                }
            } else if (account.starts_with("funds:") || account.starts_with("liabilities:")) && debit_balance {
                report(out, NO_FUND_NEGATIVE, fund_kind(account), format!("{account} {balance} {currency} on {date}"));
            }
        }

        for (project, (agreement, currency)) in &projects {
            let fund =
                balances.get(&(format!("funds:project:{project}"), currency.clone())).copied().unwrap_or_default();
            let receivable = balances
                .get(&(format!("assets:receivable:{agreement}"), currency.clone()))
                .copied()
                .unwrap_or_default();
            // -fund = signed - spent - cancelled - moved out; receivable = signed - received - cancelled.
            let cash = -fund - receivable;
            if cash.is_sign_negative() && !cash.is_zero() {
                report(
                    out,
                    PROJECT_SPENDS_ONLY_RECEIVED,
                    format!("project {currency}"),
                    format!("{project}: received less spent, PSC and balances moved is {cash} {currency} on {date}"),
                );
            }
        }
    }
}

/// `funds:project:P` → `funds:project`, `funds:window:earmarked:2-4` → `funds:window:earmarked`.
fn fund_kind(account: &str) -> String {
    let parts: Vec<&str> = account.split(':').collect();
    match parts.as_slice() {
        ["funds", "window", kind, ..] => format!("funds:window:{kind}"),
        [a, b, ..] => format!("{a}:{b}"),
        _ => account.to_owned(),
    }
}

/// Each project's agreement and currency, from the signings in the journal.
fn project_agreements(entries: &[Entry]) -> BTreeMap<String, (String, String)> {
    entries
        .iter()
        .filter(|e| e.kind == "sign_agreement")
        .filter_map(|e| {
            let project = e.command["purpose"]["project"]["id"].as_str()?;
            let agreement = e.command["id"].as_str()?;
            let currency = e.command["currency"].as_str()?;
            Some((project.to_owned(), (agreement.to_owned(), currency.to_owned())))
        })
        .collect()
}

/// [`NO_TAKING_FROM_UNALLOCATED_IN_DEFICIT`]: each entry other than a receipt that takes from
/// the unallocated fund, dated D, must leave it at or above zero on D and every later date, in
/// the books as they stood when it was recorded (a receipt recorded later may take it below).
fn unallocated_takings(entries: &[Entry], out: &mut Vec<Violation>) {
    for (i, e) in entries.iter().enumerate() {
        let taken: Decimal =
            e.postings.iter().filter(|(account, ..)| account == UNALLOCATED).map(|(_, _, amount, _)| *amount).sum();
        let Some(date) = e.date else { continue };
        if e.kind == "record_receipt" || !taken.is_sign_positive() || taken.is_zero() {
            continue;
        }
        let mut dated: Vec<&Entry> = entries[..=i].iter().filter(|x| x.date.is_some()).collect();
        dated.sort_by_key(|x| (x.date, x.seq));
        let mut balance = Decimal::ZERO;
        for (n, x) in dated.iter().enumerate() {
            balance +=
                x.postings.iter().filter(|(a, ..)| a == UNALLOCATED).map(|(_, _, amount, _)| *amount).sum::<Decimal>();
            let day_ends = dated.get(n + 1).is_none_or(|next| next.date != x.date);
            if day_ends && x.date >= Some(date) && balance.is_sign_positive() && !balance.is_zero() {
                out.push(violation(
                    NO_TAKING_FROM_UNALLOCATED_IN_DEFICIT,
                    e.kind.clone(),
                    format!(
                        "entry {} ({}) takes {taken} on {date}; the fund is {balance} in deficit on {}",
                        e.seq,
                        e.kind,
                        x.date.map_or_else(String::new, |d| d.to_string())
                    ),
                ));
                break;
            }
        }
    }
}

/// [`EARMARKS_HONOURED`]: an allocation from the money earmarked to a resolution goes to that
/// resolution only.
fn earmarks(entries: &[Entry], out: &mut Vec<Violation>) {
    for e in entries.iter().filter(|e| e.kind == "allocate") {
        let sources: BTreeSet<&str> = e
            .postings
            .iter()
            .filter(|(_, _, amount, _)| amount.is_sign_positive())
            .filter_map(|(account, ..)| account.strip_prefix("funds:window:earmarked:"))
            .collect();
        if sources.is_empty() {
            continue;
        }
        for (account, _, amount, _) in e.postings.iter().filter(|(_, _, amount, _)| amount.is_sign_negative()) {
            let to = account.strip_prefix("funds:resolution:").unwrap_or(account);
            if !sources.contains(to) {
                out.push(violation(
                    EARMARKS_HONOURED,
                    "allocate",
                    format!("entry {}: money earmarked to {sources:?} goes to {account} ({amount})", e.seq),
                ));
            }
        }
    }
}

/// [`TRANSFER_CONDITIONS`]: a transfer's agreement has the clause, the donor's election is
/// recorded, and the project was closed before (a refund, too, needs the closure).
fn transfers(entries: &[Entry], out: &mut Vec<Violation>) {
    let clause: BTreeMap<&str, bool> = entries
        .iter()
        .filter(|e| e.kind == "sign_agreement")
        .filter_map(|e| Some((e.command["purpose"]["project"]["id"].as_str()?, e.command["elective_transfer"] == true)))
        .collect();
    for e in entries.iter().filter(|e| e.kind == "transfer_balance" || e.kind == "refund_balance") {
        let project = e.command["project"].as_str().unwrap_or_default();
        let mut missing = Vec::new();
        let closed_before = entries
            .iter()
            .any(|c| c.seq < e.seq && c.kind == "close_project" && c.command["project"] == project && c.date <= e.date);
        if !closed_before {
            missing.push("a closure before it");
        }
        if e.kind == "transfer_balance" {
            if clause.get(project) != Some(&true) {
                missing.push("the elective-transfer clause");
            }
            let election = e.command["elected_on"].is_string()
                && e.command["election_ref"].as_str().is_some_and(|r| !r.trim().is_empty());
            if !election {
                missing.push("the donor's election");
            }
        }
        if !missing.is_empty() {
            out.push(violation(
                TRANSFER_CONDITIONS,
                e.kind.clone(),
                format!("entry {} moves project {project}'s balance without {}", e.seq, missing.join(", ")),
            ));
        }
    }
}

/// [`REPLAY`]: the journal, read back, gives the same journal and the same trial balance at
/// every date (the property tests compare every report too).
pub fn replays_to_the_same_books(ledger: &Ledger) -> Vec<Violation> {
    let fail = |detail: String| vec![violation(REPLAY, "journal", detail)];
    let Ok(text) = ledger.to_journal() else { return fail("the journal cannot be written".into()) };
    let replayed = match Ledger::from_journal(&text) {
        Ok(replayed) => replayed,
        Err(e) => return fail(format!("the journal does not replay: {e}")),
    };
    if replayed.to_journal().ok().as_deref() != Some(&*text) {
        return fail("the replayed journal differs".into());
    }
    let Ok(entries) = entries(ledger) else { return fail("the journal does not read".into()) };
    let mut dates: Vec<Option<NaiveDate>> = check_dates(&entries).into_iter().map(Some).collect();
    dates.push(None);
    for as_of in dates {
        let live = serde_json::to_string(&ledger.trial_balance(as_of)).unwrap_or_default();
        let again = serde_json::to_string(&replayed.trial_balance(as_of)).unwrap_or_default();
        if live != again {
            return fail(format!("the trial balance as of {as_of:?} differs after replay"));
        }
    }
    Vec::new()
}
