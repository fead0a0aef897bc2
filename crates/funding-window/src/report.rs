//! Reports, as serde structs so every front end emits the same JSON bytes.
//!
//! Amounts are decimal strings at their currency's minor unit; dates are
//! `YYYY-MM-DD`. Every report carries the journal's `chain_head` (the hash of
//! the last entry it reflects). Reports read running balances and registries;
//! none rescans the journal.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::account::AccountKey;
use crate::calendar::{iso_date, iso_date_opt, Month, ReportingPeriod};
use crate::command::{AllocationSource, DonorKind, Policy};
use crate::contract::describe::{contract, Described, Field, Hash, Object, ReportInfo, Shape};
use crate::error::{LedgerError, Result};
use crate::ledger::Ledger;
use crate::money::{self, Currency, RoundingRule};
use crate::plan::SeriesKey;
use crate::records::{Funding, Idx, Source};
use crate::state::State;

use crate::money::{decimal_opt as amount_opt, decimal_str as amount};

/// Brings an amount to its currency's minor unit for display (never drops digits) and avoids `-0`.
fn at(value: Decimal, currency: Currency) -> Decimal {
    let mut v = value;
    if v.scale() < currency.minor_unit() {
        v.rescale(currency.minor_unit());
    }
    if v.is_zero() {
        v.set_sign_positive(true);
    }
    v
}

fn usd(value: Decimal) -> Decimal {
    at(value, Currency::USD)
}

contract! {
    /// Trial balance: every account with a non-zero balance, per currency.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct TrialBalance {
        /// Balances as of this date (`null`: after every entry).
        #[serde(with = "iso_date_opt")]
        pub as_of: Option<NaiveDate>,
        /// Accounts sorted by name, then currency; zero balances left out.
        pub accounts: Vec<TrialBalanceLine>,
        /// Sum of the balances per currency: zero in every currency.
        pub totals: BTreeMap<String, Decimal>,
        /// Hash of the journal's last entry.
        pub chain_head: Hash,
    }
}

contract! {
    /// One account of the trial balance.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct TrialBalanceLine {
        /// Account name.
        pub account: String,
        /// Currency.
        pub currency: Currency,
        /// Debit-positive balance.
        #[serde(with = "amount")]
        pub balance: Decimal,
    }
}

contract! {
    /// The semi-annual resolution tracker.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct ResolutionTracker {
        /// The period; amounts are as at its last day.
        pub period: ReportingPeriod,
        /// Always `USD`.
        pub currency: Currency,
        /// One row per resolution, in resolution order.
        pub rows: Vec<TrackerRow>,
        /// Hash of the journal's last entry.
        pub chain_head: Hash,
    }
}

contract! {
    /// One resolution in the tracker.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct TrackerRow {
        /// Resolution id.
        pub resolution: String,
        /// Title.
        pub title: String,
        /// Implementation status (`null` until set).
        pub status: Option<String>,
        /// Resource requirement (`null` until set).
        #[serde(with = "amount_opt")]
        pub requirement: Option<Decimal>,
        /// Resources mobilized.
        #[serde(with = "amount")]
        pub mobilized: Decimal,
        /// max(requirement − mobilized, 0) (`null` without a requirement).
        #[serde(with = "amount_opt")]
        pub gap: Option<Decimal>,
        /// gap ÷ requirement as a percentage, two decimals half-to-even (`null` when the requirement is zero or unset).
        #[serde(with = "amount_opt")]
        pub gap_pct: Option<Decimal>,
        /// Window allocations dated in the period, net of reversals.
        #[serde(with = "amount")]
        pub allocated_in_period: Decimal,
        /// Window allocations to the end of the period, net of reversals.
        #[serde(with = "amount")]
        pub allocated_to_date: Decimal,
    }
}

contract! {
    /// The window's balance at a date.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct WindowBalance {
        /// Money free to allocate.
        #[serde(with = "amount")]
        pub unallocated: Decimal,
        /// Money soft-earmarked, per resolution (non-zero only).
        pub earmarked: Vec<ResolutionAmount>,
        /// Unallocated plus earmarked.
        #[serde(with = "amount")]
        pub total: Decimal,
        /// How far `unallocated` is below zero, present only then: an FX loss on window
        /// receipts that their earmarks could not cover. Nothing is allocated from
        /// unallocated money until later money has made it good.
        #[serde(default, with = "amount_opt", skip_serializing_if = "Option::is_none")]
        pub deficit: Option<Decimal>,
    }
}

contract! {
    /// An amount for a resolution.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct ResolutionAmount {
        /// Resolution id.
        pub resolution: String,
        /// Title.
        pub title: String,
        /// Amount (USD).
        #[serde(with = "amount")]
        pub amount: Decimal,
    }
}

contract! {
    /// An amount from a donor.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct DonorAmount {
        /// Donor id.
        pub donor: String,
        /// Donor name.
        pub name: String,
        /// Amount (USD).
        #[serde(with = "amount")]
        pub amount: Decimal,
    }
}

contract! {
    /// The window statement of a period: sources, uses and balances, in USD.
    ///
    /// `closing.total = opening.total + contributions_total + transfers_in +
    /// other_income − allocations_total − refunds`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct WindowStatement {
        /// The period.
        pub period: ReportingPeriod,
        /// Always `USD`.
        pub currency: Currency,
        /// Balance at the start of the period.
        pub opening: WindowBalance,
        /// Contributions signed in the period, by donor (net of reversals).
        pub contributions: Vec<DonorAmount>,
        /// Their total.
        #[serde(with = "amount")]
        pub contributions_total: Decimal,
        /// Project balances transferred in.
        #[serde(with = "amount")]
        pub transfers_in: Decimal,
        /// Other income: exchange differences realised on window receipts.
        #[serde(with = "amount")]
        pub other_income: Decimal,
        /// Allocations by resolution (net of reversals).
        pub allocations: Vec<ResolutionAmount>,
        /// Their total.
        #[serde(with = "amount")]
        pub allocations_total: Decimal,
        /// Window money returned to donors (no command returns window money; always zero).
        #[serde(with = "amount")]
        pub refunds: Decimal,
        /// Balance at the end of the period.
        pub closing: WindowBalance,
        /// Hash of the journal's last entry.
        pub chain_head: Hash,
    }
}

contract! {
    /// A donor's agreements and what became of them.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct DonorStatement {
        /// Donor id.
        pub donor: String,
        /// Name.
        pub name: String,
        /// Kind.
        pub kind: DonorKind,
        /// One line per agreement, in signing order.
        pub agreements: Vec<DonorAgreement>,
        /// Hash of the journal's last entry.
        pub chain_head: Hash,
    }
}

contract! {
    /// One agreement of a donor statement. Amounts in the agreement's currency unless named `usd`.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct DonorAgreement {
        /// Agreement id.
        pub agreement: String,
        /// `window` or `project`.
        pub purpose: String,
        /// The project, for project agreements.
        pub project: Option<String>,
        /// The project's resolution, or the window earmarks.
        pub resolutions: Vec<String>,
        /// Signing date.
        #[serde(with = "iso_date")]
        pub signed_on: NaiveDate,
        /// End date, if any.
        #[serde(with = "iso_date_opt")]
        pub ends_on: Option<NaiveDate>,
        /// `open`, `closed` (project closed) or `reversed`.
        pub status: String,
        /// Currency.
        pub currency: Currency,
        /// Amount committed.
        #[serde(with = "amount")]
        pub amount: Decimal,
        /// USD value at the signing month's rate.
        #[serde(with = "amount")]
        pub usd_value: Decimal,
        /// UNORE rate at signing (`null` for USD).
        #[serde(with = "amount_opt")]
        pub rate: Option<Decimal>,
        /// Received.
        #[serde(with = "amount")]
        pub received: Decimal,
        /// Still receivable.
        #[serde(with = "amount")]
        pub outstanding: Decimal,
        /// Receivable cancelled at project closure.
        #[serde(with = "amount")]
        pub cancelled: Decimal,
        /// Project expenditure (before PSC).
        #[serde(with = "amount")]
        pub spent: Decimal,
        /// PSC charged.
        #[serde(with = "amount")]
        pub psc: Decimal,
        /// Project balance transferred to the window.
        #[serde(with = "amount")]
        pub transferred_to_window: Decimal,
        /// Project balance refunded.
        #[serde(with = "amount")]
        pub refunded: Decimal,
        /// Project balance not yet moved (after closure) or unspent (while open).
        #[serde(with = "amount")]
        pub balance: Decimal,
        /// Exchange difference realised on receipts, in USD (positive: gain to the window).
        #[serde(with = "amount")]
        pub fx_gain_loss_usd: Decimal,
    }
}

contract! {
    /// The balance-transfer register.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct TransferRegister {
        /// One row per transfer, in journal order.
        pub rows: Vec<TransferRow>,
        /// Hash of the journal's last entry.
        pub chain_head: Hash,
    }
}

contract! {
    /// One balance transfer.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct TransferRow {
        /// Project.
        pub project: String,
        /// Donor.
        pub donor: String,
        /// Agreement.
        pub agreement: String,
        /// Project closure date.
        #[serde(with = "iso_date_opt")]
        pub closed_on: Option<NaiveDate>,
        /// Balance transferred, in the project's currency.
        #[serde(with = "amount")]
        pub balance: Decimal,
        /// The project's currency.
        pub currency: Currency,
        /// USD value credited to the window.
        #[serde(with = "amount")]
        pub usd: Decimal,
        /// UNORE rate used (`null` for USD projects).
        #[serde(with = "amount_opt")]
        pub rate: Option<Decimal>,
        /// Month of the rate.
        pub rate_month: Option<Month>,
        /// Date of the donor's election.
        #[serde(with = "iso_date")]
        pub elected_on: NaiveDate,
        /// Reference of the election.
        pub election_ref: String,
        /// Transfer date.
        #[serde(with = "iso_date")]
        pub transferred_on: NaiveDate,
        /// Approver, if recorded.
        pub approved_by: Option<String>,
        /// Journal entry.
        pub entry: u64,
        /// Entry that reversed the transfer, if any.
        pub reversed_by: Option<u64>,
    }
}

contract! {
    /// The allocation log.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct AllocationLog {
        /// One row per resolution per decision (and per reversal), in journal order.
        pub rows: Vec<AllocationRow>,
        /// Hash of the journal's last entry.
        pub chain_head: Hash,
    }
}

contract! {
    /// One resolution's part of an allocation decision (negative for a reversal).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct AllocationRow {
        /// Decision reference.
        pub decision: String,
        /// Date of the decision (of the reversal, for reversal rows).
        #[serde(with = "iso_date")]
        pub date: NaiveDate,
        /// Approver.
        pub approver: Option<String>,
        /// Policy.
        pub policy: Policy,
        /// Source of the money.
        pub source: AllocationSource,
        /// Resolution.
        pub resolution: String,
        /// Its title.
        pub title: String,
        /// Funding gap before the decision (`null` without a requirement).
        #[serde(with = "amount_opt")]
        pub gap_before: Option<Decimal>,
        /// Amount (USD).
        #[serde(with = "amount")]
        pub amount: Decimal,
        /// Journal entry.
        pub entry: u64,
        /// Whether this row records a reversal.
        pub reversal: bool,
    }
}

contract! {
    /// A registered resolution.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct ResolutionInfo {
        /// Resolution id.
        pub id: String,
        /// Title.
        pub title: String,
        /// Implementation status.
        pub status: Option<String>,
        /// Current requirement (USD).
        #[serde(with = "amount_opt")]
        pub requirement: Option<Decimal>,
    }
}

contract! {
    /// A registered donor.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct DonorInfo {
        /// Donor id.
        pub id: String,
        /// Name.
        pub name: String,
        /// Kind.
        pub kind: DonorKind,
    }
}

const fn object(shape: Shape) -> Option<&'static Object> {
    match shape {
        Shape::Object(object) => Some(object),
        _ => None,
    }
}

const fn argument(name: &'static str, doc: &'static str, shape: Shape, default: bool) -> Field {
    Field { name, doc, shape, rust_type: "", default, skipped_when_empty: false }
}

const AS_OF: Field = argument(
    "as_of",
    "Balances as of this date; after every entry when absent.\n",
    Shape::Nullable(&Shape::Date),
    true,
);
const PERIOD: Field = argument(
    "period",
    "The period: a year, half, quarter, month or date range (amounts at its last day).\n",
    Shape::Period,
    false,
);
const DONOR: Field = argument("donor", "Donor id.\n", Shape::Text, false);

/// Every report by name (as the scenarios, the CSV export and the bindings call it) and the
/// arguments it takes, as callers check them. `journal` is a report for the CSV export only.
pub(crate) const REPORT_ARGUMENTS: &[(&str, &[Field])] = &[
    ("trial_balance", &[AS_OF]),
    ("resolution_tracker", &[PERIOD]),
    ("window_statement", &[PERIOD]),
    ("donor_statement", &[DONOR]),
    ("transfer_register", &[]),
    ("allocation_log", &[]),
    ("journal", &[]),
];

/// The JSON of each report of [`REPORT_ARGUMENTS`], in its order (`None` for the journal, whose
/// JSON is its entries). Kept apart: only the contract's description reads it, so a build that
/// runs reports without describing them (the WebAssembly module) carries none of it.
const REPORT_OBJECTS: [Option<&Object>; 7] = [
    object(TrialBalance::SHAPE),
    object(ResolutionTracker::SHAPE),
    object(WindowStatement::SHAPE),
    object(DonorStatement::SHAPE),
    object(TransferRegister::SHAPE),
    object(AllocationLog::SHAPE),
    None,
];

/// Every report with its arguments and its JSON, for the contract's description.
pub(crate) const REPORTS: [ReportInfo; REPORT_ARGUMENTS.len()] = {
    let mut out = [ReportInfo { name: "", args: &[], object: None }; REPORT_ARGUMENTS.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = ReportInfo { name: REPORT_ARGUMENTS[i].0, args: REPORT_ARGUMENTS[i].1, object: REPORT_OBJECTS[i] };
        i += 1;
    }
    out
};

impl State {
    fn window_balance(&self, date: Option<NaiveDate>) -> WindowBalance {
        let unallocated = usd(self.fund(AccountKey::WindowUnallocated, Currency::USD, date));
        let earmarked: Vec<ResolutionAmount> = self
            .resolution_order
            .iter()
            .map(|&r| (r, self.fund(AccountKey::WindowEarmarked(r), Currency::USD, date)))
            .filter(|(_, a)| !a.is_zero())
            .map(|(r, a)| self.resolution_amount(r, a))
            .collect();
        let total = usd(unallocated + earmarked.iter().map(|e| e.amount).sum::<Decimal>());
        let deficit = (unallocated < Decimal::ZERO).then(|| -unallocated);
        WindowBalance { unallocated, earmarked, total, deficit }
    }

    fn resolution_amount(&self, r: Idx, amount: Decimal) -> ResolutionAmount {
        let res = &self.resolutions[r as usize];
        ResolutionAmount { resolution: res.id_text.clone(), title: res.title.clone(), amount: usd(amount) }
    }

    fn source_of(&self, source: Source) -> AllocationSource {
        match source {
            Source::Unallocated => AllocationSource::Unallocated,
            Source::Earmarked(r) => AllocationSource::Earmarked(self.res_id(r).to_owned()),
        }
    }

    /// Change of a flow series over a period.
    fn in_period(&self, key: SeriesKey, period: ReportingPeriod) -> Decimal {
        let before = period.start().pred_opt();
        let opening = before.map_or(Decimal::ZERO, |d| self.series_at(key, Some(d)));
        self.series_at(key, Some(period.end())) - opening
    }
}

impl Ledger {
    /// Trial balance as of a date (`None`: after every entry).
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn trial_balance(&self, as_of: Option<NaiveDate>) -> TrialBalance {
        let state = &self.state;
        let mut accounts: Vec<TrialBalanceLine> = state
            .series_index
            .iter()
            .filter_map(|(key, &i)| match key {
                SeriesKey::Balance(account, currency) => {
                    let balance = state.series[i as usize].at(as_of);
                    (!balance.is_zero()).then(|| TrialBalanceLine {
                        account: account.name(state, *currency),
                        currency: *currency,
                        balance: at(balance, *currency),
                    })
                }
                _ => None,
            })
            .collect();
        accounts.sort_by(|a, b| a.account.cmp(&b.account).then_with(|| a.currency.code().cmp(b.currency.code())));
        let mut totals: BTreeMap<String, Decimal> = BTreeMap::new();
        for line in &accounts {
            let total =
                totals.entry(line.currency.code().to_owned()).or_insert_with(|| at(Decimal::ZERO, line.currency));
            *total += line.balance;
        }
        for (code, total) in totals.iter_mut() {
            if let Ok(c) = Currency::from_code(code) {
                *total = at(*total, c);
            }
        }
        TrialBalance { as_of, accounts, totals, chain_head: self.chain_head() }
    }

    /// The resolution tracker for a period (a half-year, as the tracking system reports,
    /// or any [`ReportingPeriod`]): amounts as at the period's last day, allocations in
    /// the period and to its end.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn resolution_tracker(&self, period: ReportingPeriod) -> ResolutionTracker {
        let state = &self.state;
        let end = Some(period.end());
        let rows = state
            .resolution_order
            .iter()
            .map(|&r| {
                let res = &state.resolutions[r as usize];
                let (requirement, mobilized, gap) = state.gap(r, end);
                let gap_pct = match (requirement, gap) {
                    (Some(req), Some(gap)) if !req.is_zero() => gap
                        .checked_mul(Decimal::ONE_HUNDRED)
                        .and_then(|g| money::div_round(g, req, 2, RoundingRule::HalfEven)),
                    _ => None,
                };
                TrackerRow {
                    resolution: res.id_text.clone(),
                    title: res.title.clone(),
                    status: res.status.clone(),
                    requirement: requirement.map(usd),
                    mobilized: usd(mobilized),
                    gap: gap.map(usd),
                    gap_pct: gap_pct.map(usd),
                    allocated_in_period: usd(state.in_period(SeriesKey::Allocated(r), period)),
                    allocated_to_date: usd(state.series_at(SeriesKey::Allocated(r), end)),
                }
            })
            .collect();
        ResolutionTracker { period, currency: Currency::USD, rows, chain_head: self.chain_head() }
    }

    /// The window statement of a period (any [`ReportingPeriod`]).
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn window_statement(&self, period: ReportingPeriod) -> WindowStatement {
        let state = &self.state;
        let opening = state.window_balance(period.start().pred_opt());
        let closing = state.window_balance(Some(period.end()));
        let contributions: Vec<DonorAmount> = (0..state.donors.len() as Idx)
            .map(|d| (d, state.in_period(SeriesKey::Contribution(d), period)))
            .filter(|(_, a)| !a.is_zero())
            .map(|(d, amount)| {
                let donor = &state.donors[d as usize];
                DonorAmount { donor: donor.id.clone(), name: donor.name.clone(), amount: usd(amount) }
            })
            .collect();
        let allocations: Vec<ResolutionAmount> = state
            .resolution_order
            .iter()
            .map(|&r| (r, state.in_period(SeriesKey::Allocated(r), period)))
            .filter(|(_, a)| !a.is_zero())
            .map(|(r, a)| state.resolution_amount(r, a))
            .collect();
        WindowStatement {
            period,
            currency: Currency::USD,
            contributions_total: usd(contributions.iter().map(|c| c.amount).sum()),
            transfers_in: usd(state.in_period(SeriesKey::TransferIn, period)),
            other_income: usd(state.in_period(SeriesKey::OtherIncome, period)),
            allocations_total: usd(allocations.iter().map(|a| a.amount).sum()),
            refunds: usd(Decimal::ZERO),
            opening,
            contributions,
            allocations,
            closing,
            chain_head: self.chain_head(),
        }
    }

    /// A donor's statement: every agreement and what became of it.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn donor_statement(&self, donor: &str) -> Result<DonorStatement> {
        let state = &self.state;
        let d = state.donor(donor)?;
        let agreements = state
            .agreements
            .iter()
            .filter(|a| a.donor == d)
            .map(|a| {
                let c = a.currency;
                let (purpose, project, resolutions) = match &a.funding {
                    Funding::Window { earmarks } => {
                        ("window", None, earmarks.iter().map(|&r| state.res_id(r).to_owned()).collect())
                    }
                    Funding::Project(p) => {
                        let project = &state.projects[*p as usize];
                        ("project", Some(*p), vec![state.res_id(project.resolution).to_owned()])
                    }
                };
                let p_dyn = project.map(|p| state.projects[p as usize].dynamic).unwrap_or_default();
                let status = if a.dynamic.reversed_by.is_some() {
                    "reversed"
                } else if p_dyn.closed_on.is_some() {
                    "closed"
                } else {
                    "open"
                };
                let balance = project.map_or(Decimal::ZERO, |p| {
                    if p_dyn.closed_on.is_some() {
                        state.fund(AccountKey::ProjectFund(p), c, None)
                    } else {
                        a.dynamic.received - p_dyn.spent - p_dyn.psc
                    }
                });
                DonorAgreement {
                    agreement: a.id.clone(),
                    purpose: purpose.into(),
                    project: project.map(|p| state.projects[p as usize].id.clone()),
                    resolutions,
                    signed_on: a.signed_on,
                    ends_on: a.ends_on,
                    status: status.into(),
                    currency: c,
                    amount: at(a.amount, c),
                    usd_value: usd(a.usd_value),
                    rate: a.sign_rate,
                    received: at(a.dynamic.received, c),
                    outstanding: at(a.outstanding(), c),
                    cancelled: at(a.dynamic.cancelled, c),
                    spent: at(p_dyn.spent, c),
                    psc: at(p_dyn.psc, c),
                    transferred_to_window: at(p_dyn.transferred, c),
                    refunded: at(p_dyn.refunded, c),
                    balance: at(balance, c),
                    fx_gain_loss_usd: usd(a.dynamic.fx_usd),
                }
            })
            .collect();
        let info = &state.donors[d as usize];
        Ok(DonorStatement {
            donor: info.id.clone(),
            name: info.name.clone(),
            kind: info.kind,
            agreements,
            chain_head: self.chain_head(),
        })
    }

    /// Every balance transfer into the window.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn transfer_register(&self) -> TransferRegister {
        let state = &self.state;
        let rows = state
            .transfers
            .iter()
            .map(|t| {
                let project = &state.projects[t.project as usize];
                let agreement = &state.agreements[project.agreement as usize];
                TransferRow {
                    project: project.id.clone(),
                    donor: state.donors[agreement.donor as usize].id.clone(),
                    agreement: agreement.id.clone(),
                    closed_on: project.dynamic.closed_on,
                    balance: at(t.amount, agreement.currency),
                    currency: agreement.currency,
                    usd: usd(t.usd),
                    rate: t.rate,
                    rate_month: t.rate_month,
                    elected_on: t.elected_on,
                    election_ref: t.election_ref.clone(),
                    transferred_on: t.transferred_on,
                    approved_by: t.approved_by.clone(),
                    entry: t.entry,
                    reversed_by: t.reversed.map(|r| r.0),
                }
            })
            .collect();
        TransferRegister { rows, chain_head: self.chain_head() }
    }

    /// Every allocation, one row per resolution, with reversals as negative rows.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn allocation_log(&self) -> AllocationLog {
        let state = &self.state;
        let mut rows = Vec::new();
        for a in &state.allocations {
            let mut push = |date: NaiveDate, entry: u64, sign: Decimal, reversal: bool| {
                for line in &a.lines {
                    let res = &state.resolutions[line.resolution as usize];
                    rows.push(AllocationRow {
                        decision: a.id.clone(),
                        date,
                        approver: a.approved_by.clone(),
                        policy: a.policy,
                        source: state.source_of(a.source),
                        resolution: res.id_text.clone(),
                        title: res.title.clone(),
                        gap_before: line.gap_before.map(usd),
                        amount: usd(line.amount * sign),
                        entry,
                        reversal,
                    });
                }
            };
            push(a.decided_on, a.entry, Decimal::ONE, false);
            if let Some((entry, date)) = a.reversed {
                push(date, entry, Decimal::NEGATIVE_ONE, true);
            }
        }
        rows.sort_by_key(|r| r.entry);
        AllocationLog { rows, chain_head: self.chain_head() }
    }

    /// The registered resolutions in resolution order.
    pub fn resolutions(&self) -> Vec<ResolutionInfo> {
        let state = &self.state;
        state
            .resolution_order
            .iter()
            .map(|&r| {
                let res = &state.resolutions[r as usize];
                ResolutionInfo {
                    id: res.id_text.clone(),
                    title: res.title.clone(),
                    status: res.status.clone(),
                    requirement: res.requirement_at(None).map(usd),
                }
            })
            .collect()
    }

    /// The registered donors in registration order.
    pub fn donors(&self) -> Vec<DonorInfo> {
        self.state.donors.iter().map(|d| DonorInfo { id: d.id.clone(), name: d.name.clone(), kind: d.kind }).collect()
    }

    /// The window's balance (unallocated and per earmark) as of a date.
    pub fn window_balance(&self, as_of: Option<NaiveDate>) -> WindowBalance {
        self.state.window_balance(as_of)
    }

    /// Validates a period argument given as text: `"2024"`, `"2024-H2"`, `"2024-Q3"` or
    /// `"2024-07"` (a date range is [`ReportingPeriod::from_value`]'s).
    pub fn parse_period(text: &str) -> Result<ReportingPeriod> {
        text.parse().map_err(|e: LedgerError| e)
    }
}
