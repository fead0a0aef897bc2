//! The ledger's state: registries, running balances, and the undo log that
//! makes every command and batch all-or-nothing.
//!
//! Commands never mutate state directly. A command is first turned into a
//! [`Plan`] (postings, flows and [`Change`]s) by reading the state only; the plan
//! is then committed, and every mutation records its inverse in the undo log.
//! Rolling back the log restores the state exactly.

use std::num::NonZeroU64;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::account::AccountKey;
use crate::calendar::{Month, Period};
use crate::command::COMMAND_TYPES;
use crate::error::{LedgerError, Result};
use crate::ids::ASSEMBLY_RESOLUTIONS;
use crate::money::Currency;
use crate::plan::{Change, Effect, Plan, Posting, SeriesKey};
use crate::records::{
    Agreement, AgreementDyn, AllocationRecord, Donor, Idx, Project, ProjectDyn, Rate, Resolution, Settings,
    TransferRecord,
};
use crate::series::{DatedSeries, SeriesUndo};

/// What the ledger knows of each journal entry: kept for every entry, so kept small (40 bytes:
/// a `&str` and two `Option<u64>` took 56 before the effect was kept).
#[derive(Debug, Clone, Copy)]
pub(crate) struct EntryInfo {
    pub date: Option<NaiveDate>,
    /// The command type, as its position in [`COMMAND_TYPES`].
    kind: u8,
    /// What a reversal of the entry undoes in the registers.
    effect: Effect,
    /// End of the entry's postings in [`State::postings`] (they start where the previous
    /// entry's end).
    postings_end: u32,
    reversal_of: Option<NonZeroU64>,
    reversed_by: Option<NonZeroU64>,
}

const _: () = assert!(std::mem::size_of::<EntryInfo>() <= 40);

impl EntryInfo {
    /// An entry of command type `kind` (one of [`COMMAND_TYPES`]), reversing `reversal_of`.
    pub fn new(date: Option<NaiveDate>, kind: &str, reversal_of: Option<u64>) -> EntryInfo {
        let kind = COMMAND_TYPES.iter().position(|t| *t == kind).and_then(|i| u8::try_from(i).ok()).unwrap_or(u8::MAX);
        EntryInfo {
            date,
            kind,
            effect: Effect::PostsNothing,
            postings_end: 0,
            reversal_of: reversal_of.and_then(NonZeroU64::new),
            reversed_by: None,
        }
    }

    /// What a reversal of the entry undoes.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// The command type (`record_receipt`).
    pub fn kind(&self) -> &'static str {
        COMMAND_TYPES.get(usize::from(self.kind)).copied().unwrap_or("")
    }

    /// The entry it reverses, if it is a reversal.
    pub fn reversal_of(&self) -> Option<u64> {
        self.reversal_of.map(NonZeroU64::get)
    }

    /// The entry that reversed it, if any.
    pub fn reversed_by(&self) -> Option<u64> {
        self.reversed_by.map(NonZeroU64::get)
    }
}

/// The inverse of one mutation.
#[derive(Debug)]
pub(crate) enum Undo {
    PopDonor,
    PopResolution,
    PopAgreement,
    PopProject,
    PopAllocation,
    PopTransfer,
    ResolutionStatus(Idx, Option<String>),
    Requirement(Idx, Vec<(NaiveDate, Decimal)>),
    Rate(Currency, Month),
    Settings(Settings),
    ClosedThrough(Option<Period>),
    /// The agreement's previous dynamic state is the last of [`UndoLog::agreements`].
    Agreement(Idx),
    /// The project's previous dynamic state is the last of [`UndoLog::projects`].
    Project(Idx),
    AllocationReversed(Idx),
    TransferReversed(Idx),
    EntryReversed(u64),
    Series(u32, SeriesUndo),
    NewSeries(SeriesKey),
    PopEntry,
    Idempotency(String),
}

/// Undo steps a command records, about (a receipt: two balances, a flow, its agreement, its entry).
const UNDO_STEPS_PER_COMMAND: usize = 5;

/// Undo steps whose memory is kept between operations.
const UNDO_STEPS_KEPT: usize = 1 << 16;

/// The inverses of the mutations of the operation under way, newest last.
///
/// The large previous states of agreements and projects sit in vectors of their own, so
/// that each step stays small (an undo log of a 100,000-command batch holds several
/// hundred thousand steps) without an allocation per step.
#[derive(Debug, Default)]
pub(crate) struct UndoLog {
    steps: Vec<Undo>,
    agreements: Vec<AgreementDyn>,
    projects: Vec<ProjectDyn>,
    /// Nothing is recorded while paused.
    paused: bool,
}

impl UndoLog {
    /// Records a step; agreement and project states go through their own methods.
    pub fn push(&mut self, step: Undo) {
        debug_assert!(!matches!(step, Undo::Agreement(_) | Undo::Project(_)));
        if !self.paused {
            self.steps.push(step);
        }
    }

    /// Records an agreement's previous dynamic state.
    pub fn push_agreement(&mut self, agreement: Idx, old: AgreementDyn) {
        if !self.paused {
            self.agreements.push(old);
            self.steps.push(Undo::Agreement(agreement));
        }
    }

    /// Records a project's previous dynamic state.
    pub fn push_project(&mut self, project: Idx, old: ProjectDyn) {
        if !self.paused {
            self.projects.push(old);
            self.steps.push(Undo::Project(project));
        }
    }

    /// Stops (or resumes) recording. Only for work that is thrown away whole on failure,
    /// such as replaying a journal, where an entry that fails ends the replay.
    pub fn pause(&mut self, paused: bool) {
        debug_assert!(self.steps.is_empty());
        self.paused = paused;
    }

    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Room for the steps of about `commands` commands (a batch about to be applied), or
    /// `OUT_OF_MEMORY` before anything changes.
    pub fn try_reserve_for(&mut self, commands: usize) -> Result<()> {
        if self.paused {
            return Ok(());
        }
        let steps = commands.saturating_mul(UNDO_STEPS_PER_COMMAND);
        self.steps.try_reserve(steps).map_err(|_| LedgerError::OutOfMemory {
            what: "the undo log of a batch".into(),
            bytes: steps.saturating_mul(std::mem::size_of::<Undo>()) as u64,
        })
    }

    /// Gives back the memory of a large batch's steps once none is left: a batch of a million
    /// commands held some 150 MB of undo log, kept until the ledger was dropped.
    pub fn shrink_when_idle(&mut self) {
        if self.steps.is_empty() && self.steps.capacity() > UNDO_STEPS_KEPT {
            self.steps.shrink_to(UNDO_STEPS_KEPT);
            self.agreements.shrink_to(UNDO_STEPS_KEPT / 8);
            self.projects.shrink_to(UNDO_STEPS_KEPT / 8);
        }
    }

    /// Forgets every step (the operation is done).
    pub fn clear(&mut self) {
        self.steps.clear();
        self.agreements.clear();
        self.projects.clear();
    }

    /// Forgets the steps after `mark` without taking them back.
    pub fn forget_after(&mut self, mark: usize) {
        let Some(dropped) = self.steps.get(mark..) else { return };
        let agreements = dropped.iter().filter(|s| matches!(s, Undo::Agreement(_))).count();
        let projects = dropped.iter().filter(|s| matches!(s, Undo::Project(_))).count();
        self.steps.truncate(mark);
        self.agreements.truncate(self.agreements.len().saturating_sub(agreements));
        self.projects.truncate(self.projects.len().saturating_sub(projects));
    }

    fn pop(&mut self) -> Option<(Undo, Option<AgreementDyn>, Option<ProjectDyn>)> {
        let step = self.steps.pop()?;
        let agreement = matches!(step, Undo::Agreement(_)).then(|| self.agreements.pop()).flatten();
        let project = matches!(step, Undo::Project(_)).then(|| self.projects.pop()).flatten();
        Some((step, agreement, project))
    }
}

/// All of the ledger's state except the journal text.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub donors: Vec<Donor>,
    pub donor_index: FxHashMap<String, Idx>,
    pub resolutions: Vec<Resolution>,
    pub resolution_index: FxHashMap<String, Idx>,
    /// Resolution indices in resolution-id order.
    pub resolution_order: Vec<Idx>,
    pub agreements: Vec<Agreement>,
    pub agreement_index: FxHashMap<String, Idx>,
    pub projects: Vec<Project>,
    pub project_index: FxHashMap<String, Idx>,
    pub allocations: Vec<AllocationRecord>,
    pub allocation_index: FxHashMap<String, Idx>,
    pub transfers: Vec<TransferRecord>,
    pub rates: FxHashMap<(Currency, Month), Rate>,
    pub settings: Settings,
    pub closed_through: Option<Period>,
    pub series_index: FxHashMap<SeriesKey, u32>,
    pub series: Vec<DatedSeries>,
    pub entries: Vec<EntryInfo>,
    /// The typed postings of every entry that may be reversed, in entry order (see
    /// [`EntryInfo`]): a reversal negates them without reading the journal back.
    pub postings: Vec<Posting>,
    pub idempotency: FxHashMap<String, u64>,
}

impl Default for State {
    fn default() -> Self {
        let mut state = State {
            donors: Vec::new(),
            donor_index: FxHashMap::default(),
            resolutions: Vec::new(),
            resolution_index: FxHashMap::default(),
            resolution_order: Vec::new(),
            agreements: Vec::new(),
            agreement_index: FxHashMap::default(),
            projects: Vec::new(),
            project_index: FxHashMap::default(),
            allocations: Vec::new(),
            allocation_index: FxHashMap::default(),
            transfers: Vec::new(),
            rates: FxHashMap::default(),
            settings: Settings::default(),
            closed_through: None,
            series_index: FxHashMap::default(),
            series: Vec::new(),
            entries: Vec::new(),
            postings: Vec::new(),
            idempotency: FxHashMap::default(),
        };
        for (id, title) in ASSEMBLY_RESOLUTIONS {
            // The built-in ids are valid (unit-tested in `ids`).
            if let Ok(parsed) = id.parse() {
                state.push_resolution(Resolution {
                    id: parsed,
                    id_text: id.to_owned(),
                    title: title.to_owned(),
                    status: None,
                    requirement: Vec::new(),
                });
            }
        }
        state
    }
}

impl State {
    // ----- lookups -------------------------------------------------------------------------

    pub fn donor(&self, id: &str) -> Result<Idx> {
        self.donor_index.get(id).copied().ok_or_else(|| LedgerError::UnknownDonor { donor: id.into() })
    }

    pub fn agreement(&self, id: &str) -> Result<Idx> {
        self.agreement_index.get(id).copied().ok_or_else(|| LedgerError::UnknownAgreement { agreement: id.into() })
    }

    pub fn project(&self, id: &str) -> Result<Idx> {
        self.project_index.get(id).copied().ok_or_else(|| LedgerError::UnknownProject { project: id.into() })
    }

    pub fn resolution(&self, id: &str) -> Result<Idx> {
        self.resolution_index.get(id).copied().ok_or_else(|| LedgerError::UnknownResolution { resolution: id.into() })
    }

    pub fn resolution_by_account_part(&self, part: &str) -> Option<Idx> {
        self.resolution_index.get(&part.replacen('-', "/", 1)).copied()
    }

    pub fn res_id(&self, r: Idx) -> &str {
        &self.resolutions[r as usize].id_text
    }

    pub fn series(&self, key: SeriesKey) -> Option<&DatedSeries> {
        self.series_index.get(&key).map(|&i| &self.series[i as usize])
    }

    /// Total of a series as of `date` (all of it when `None`).
    pub fn series_at(&self, key: SeriesKey, date: Option<NaiveDate>) -> Decimal {
        self.series(key).map_or(Decimal::ZERO, |s| s.at(date))
    }

    pub fn balance(&self, account: AccountKey, currency: Currency, date: Option<NaiveDate>) -> Decimal {
        self.series_at(SeriesKey::Balance(account, currency), date)
    }

    /// The typed postings of entry `seq` (none for an entry that is never reversed).
    pub fn entry_postings(&self, seq: u64) -> &[Posting] {
        let index = usize::try_from(seq).ok().and_then(|s| s.checked_sub(1));
        let Some(i) = index.filter(|&i| i < self.entries.len()) else { return &[] };
        let start = i.checked_sub(1).map_or(0, |p| self.entries[p].postings_end as usize);
        self.postings.get(start..self.entries[i].postings_end as usize).unwrap_or_default()
    }

    /// A credit fund's balance as a positive amount (what the fund holds).
    pub fn fund(&self, account: AccountKey, currency: Currency, date: Option<NaiveDate>) -> Decimal {
        -self.balance(account, currency, date)
    }

    /// What a credit fund can give on `date` without going negative on any later date.
    pub fn fund_available_from(&self, account: AccountKey, currency: Currency, date: NaiveDate) -> Decimal {
        self.series(SeriesKey::Balance(account, currency)).map_or(Decimal::ZERO, |s| -s.max_from(date))
    }

    /// The least balance a debit-positive account (cash, a receivable) has on `date` or any
    /// later date: what a credit on `date` may take without leaving any date below zero.
    pub fn least_balance_from(&self, account: AccountKey, currency: Currency, date: NaiveDate) -> Decimal {
        self.series(SeriesKey::Balance(account, currency)).map_or(Decimal::ZERO, |s| s.min_from(date))
    }

    /// The largest sum of two accounts' balances on `date` or any later date.
    pub fn largest_sum_from(&self, a: (AccountKey, AccountKey), currency: Currency, date: NaiveDate) -> Decimal {
        let empty = DatedSeries::default();
        let series = |k| self.series(SeriesKey::Balance(k, currency)).unwrap_or(&empty);
        DatedSeries::max_of_sum_from(series(a.0), series(a.1), date)
    }

    // ----- commit and undo -----------------------------------------------------------------

    fn push_resolution(&mut self, resolution: Resolution) {
        let idx = self.resolutions.len() as Idx;
        let id = resolution.id;
        self.resolution_index.insert(resolution.id_text.clone(), idx);
        let at = self.resolution_order.partition_point(|&o| self.resolutions[o as usize].id < id);
        self.resolution_order.insert(at, idx);
        self.resolutions.push(resolution);
    }

    fn add_to_series(&mut self, key: SeriesKey, date: NaiveDate, delta: Decimal, undo: &mut UndoLog) -> Result<()> {
        let index = match self.series_index.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.series.len() as u32;
                self.series.push(DatedSeries::default());
                self.series_index.insert(key, i);
                undo.push(Undo::NewSeries(key));
                i
            }
        };
        let token = self.series[index as usize].add(date, delta).ok_or_else(|| LedgerError::AmountTooLarge {
            field: "balance".into(),
            value: delta.to_string(),
            max_integer_digits: crate::limits::AMOUNT_INTEGER_DIGITS_MAX,
        })?;
        undo.push(Undo::Series(index, token));
        Ok(())
    }

    /// Applies a plan, recording inverses in `undo`. On error the caller rolls back.
    /// The plan's changes are moved out of it; its postings and flows stay.
    pub fn commit(&mut self, plan: &mut Plan, entry: EntryInfo, undo: &mut UndoLog) -> Result<()> {
        if let Some(date) = plan.date {
            for p in &plan.postings {
                self.add_to_series(SeriesKey::Balance(p.account, p.currency), date, p.amount, undo)?;
            }
            for &(key, delta) in &plan.flows {
                self.add_to_series(key, date, delta, undo)?;
            }
        }
        for change in std::mem::take(&mut plan.changes) {
            self.apply_change(change, undo);
        }
        let mut entry = entry;
        entry.effect = plan.effect;
        let out_of_memory = |postings: usize| LedgerError::OutOfMemory {
            what: "the postings kept for reversals".into(),
            bytes: postings.saturating_mul(std::mem::size_of::<Posting>()) as u64,
        };
        let kept = if plan.effect.keeps_postings() { plan.postings.as_slice() } else { &[] };
        // Checked before anything is kept, so that an error leaves the postings as they were;
        // running out of memory is an error, not an abort (WebAssembly).
        let end = self.postings.len() + kept.len();
        entry.postings_end = u32::try_from(end).map_err(|_| out_of_memory(end))?;
        self.postings.try_reserve(kept.len()).map_err(|_| out_of_memory(end))?;
        self.postings.extend_from_slice(kept);
        self.entries.push(entry);
        undo.push(Undo::PopEntry);
        Ok(())
    }

    fn apply_change(&mut self, change: Change, undo: &mut UndoLog) {
        match change {
            Change::PushDonor(d) => {
                self.donor_index.insert(d.id.clone(), self.donors.len() as Idx);
                self.donors.push(d);
                undo.push(Undo::PopDonor);
            }
            Change::PushResolution(r) => {
                self.push_resolution(r);
                undo.push(Undo::PopResolution);
            }
            Change::PushAgreement(a) => {
                self.agreement_index.insert(a.id.clone(), self.agreements.len() as Idx);
                self.agreements.push(a);
                undo.push(Undo::PopAgreement);
            }
            Change::PushProject(p) => {
                self.project_index.insert(p.id.clone(), self.projects.len() as Idx);
                self.projects.push(p);
                undo.push(Undo::PopProject);
            }
            Change::PushAllocation(a) => {
                self.allocation_index.insert(a.id.clone(), self.allocations.len() as Idx);
                self.allocations.push(a);
                undo.push(Undo::PopAllocation);
            }
            Change::PushTransfer(t) => {
                self.transfers.push(t);
                undo.push(Undo::PopTransfer);
            }
            Change::ResolutionStatus(r, status) => {
                let old = std::mem::replace(&mut self.resolutions[r as usize].status, status);
                undo.push(Undo::ResolutionStatus(r, old));
            }
            Change::Requirement(r, requirement) => {
                let old = std::mem::replace(&mut self.resolutions[r as usize].requirement, requirement);
                undo.push(Undo::Requirement(r, old));
            }
            Change::Rate(currency, month, rate) => {
                self.rates.insert((currency, month), rate);
                undo.push(Undo::Rate(currency, month));
            }
            Change::Settings(settings) => {
                let old = std::mem::replace(&mut self.settings, settings);
                undo.push(Undo::Settings(old));
            }
            Change::ClosedThrough(period) => {
                let old = self.closed_through.replace(period);
                undo.push(Undo::ClosedThrough(old));
            }
            Change::Agreement(a, dynamic) => {
                let old = std::mem::replace(&mut self.agreements[a as usize].dynamic, dynamic);
                undo.push_agreement(a, old);
            }
            Change::Project(p, dynamic) => {
                let old = std::mem::replace(&mut self.projects[p as usize].dynamic, dynamic);
                undo.push_project(p, old);
            }
            Change::AllocationReversed(a, entry, date) => {
                self.allocations[a as usize].reversed = Some((entry, date));
                undo.push(Undo::AllocationReversed(a));
            }
            Change::TransferReversed(t, entry, date) => {
                self.transfers[t as usize].reversed = Some((entry, date));
                undo.push(Undo::TransferReversed(t));
            }
            Change::EntryReversed(original, by) => {
                self.entries[(original - 1) as usize].reversed_by = NonZeroU64::new(by);
                undo.push(Undo::EntryReversed(original));
            }
        }
    }

    /// Records an idempotency key (undone with the rest on failure).
    pub fn remember_key(&mut self, key: String, seq: u64, undo: &mut UndoLog) {
        self.idempotency.insert(key.clone(), seq);
        undo.push(Undo::Idempotency(key));
    }

    /// Takes back every mutation recorded after `mark`, newest first.
    pub fn rollback(&mut self, undo: &mut UndoLog, mark: usize) {
        while undo.len() > mark {
            let Some((step, agreement, project)) = undo.pop() else { break };
            self.undo_one(step, agreement, project);
        }
    }

    fn undo_one(&mut self, step: Undo, agreement: Option<AgreementDyn>, project: Option<ProjectDyn>) {
        match step {
            Undo::PopDonor => {
                if let Some(d) = self.donors.pop() {
                    self.donor_index.remove(&d.id);
                }
            }
            Undo::PopResolution => {
                if let Some(r) = self.resolutions.pop() {
                    self.resolution_index.remove(&r.id_text);
                    let idx = self.resolutions.len() as Idx;
                    self.resolution_order.retain(|&o| o != idx);
                }
            }
            Undo::PopAgreement => {
                if let Some(a) = self.agreements.pop() {
                    self.agreement_index.remove(&a.id);
                }
            }
            Undo::PopProject => {
                if let Some(p) = self.projects.pop() {
                    self.project_index.remove(&p.id);
                }
            }
            Undo::PopAllocation => {
                if let Some(a) = self.allocations.pop() {
                    self.allocation_index.remove(&a.id);
                }
            }
            Undo::PopTransfer => {
                self.transfers.pop();
            }
            Undo::ResolutionStatus(r, old) => self.resolutions[r as usize].status = old,
            Undo::Requirement(r, old) => self.resolutions[r as usize].requirement = old,
            Undo::Rate(currency, month) => {
                self.rates.remove(&(currency, month));
            }
            Undo::Settings(old) => self.settings = old,
            Undo::ClosedThrough(old) => self.closed_through = old,
            Undo::Agreement(a) => {
                if let Some(old) = agreement {
                    self.agreements[a as usize].dynamic = old;
                }
            }
            Undo::Project(p) => {
                if let Some(old) = project {
                    self.projects[p as usize].dynamic = old;
                }
            }
            Undo::AllocationReversed(a) => self.allocations[a as usize].reversed = None,
            Undo::TransferReversed(t) => self.transfers[t as usize].reversed = None,
            Undo::EntryReversed(original) => self.entries[(original - 1) as usize].reversed_by = None,
            Undo::Series(index, token) => self.series[index as usize].undo(token),
            Undo::NewSeries(key) => {
                self.series_index.remove(&key);
                self.series.pop();
            }
            Undo::PopEntry => {
                self.entries.pop();
                let end = self.entries.last().map_or(0, |e| e.postings_end as usize);
                self.postings.truncate(end);
            }
            Undo::Idempotency(key) => {
                self.idempotency.remove(&key);
            }
        }
    }
}
