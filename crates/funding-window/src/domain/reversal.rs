//! Reversals: a new entry, dated in an open period, whose postings negate an
//! earlier entry's and whose effect on agreements, projects and allocations
//! undoes the earlier one. Nothing in the journal is edited.
//!
//! A reversal is refused when later activity depends on the entry (a receipt
//! already spent, a closure whose balance has moved, a signature with receipts);
//! reverse the later activity first. Registrations and settings post nothing
//! and are not reversed; a reversal is never reversed itself.

use rust_decimal::Decimal;

use crate::account::AccountKey;
use crate::command::{Command, Reverse};
use crate::domain::settings::four_eyes_approver;
use crate::error::{LedgerError, Result};
use crate::ids::check_text;
use crate::journal::JournalEntry;
use crate::ledger::Ledger;
use crate::plan::{Change, Plan, Posting, SeriesKey};
use crate::records::{AgreementDyn, Funding};
use crate::state::State;

/// Command types whose entries can be reversed.
const REVERSIBLE: &[&str] = &[
    "sign_agreement",
    "record_receipt",
    "record_expenditure",
    "close_project",
    "transfer_balance",
    "refund_balance",
    "allocate",
];

impl Ledger {
    /// Validates a reversal and computes its plan.
    pub(crate) fn plan_reversal(&self, r: &Reverse, recorded_by: Option<&str>, seq: u64) -> Result<Plan> {
        let info = usize::try_from(r.entry)
            .ok()
            .and_then(|e| e.checked_sub(1))
            .and_then(|i| self.state.entries.get(i))
            .copied()
            .ok_or(LedgerError::UnknownEntry { entry: r.entry })?;
        let refuse = |reason: String| Err(LedgerError::NotReversible { entry: r.entry, reason });
        if info.reversal_of().is_some() {
            return refuse("it is itself a reversal; record the original command again instead".into());
        }
        if let Some(by) = info.reversed_by() {
            return Err(LedgerError::AlreadyReversed { entry: r.entry, reversed_by: by });
        }
        if !REVERSIBLE.contains(&info.kind()) {
            return refuse(format!("a {} entry posts nothing; record a new one instead", info.kind()));
        }
        check_text("reason", &r.reason, true)?;
        self.state.check_open(r.on)?;
        State::check_order("reversal", r.on, info.date)?;
        let original = self.journal.entry(r.entry)?;
        // Undoing a command four-eyes control covers needs the same control as the command:
        // otherwise one person could undo an approved allocation, reopen a closed project or
        // take back a transfer alone.
        if four_eyes_approver(&original.command).is_some() {
            self.state.check_approval("reverse", r.approved_by.as_deref(), recorded_by)?;
        } else if let Some(approver) = &r.approved_by {
            check_text("approved_by", approver, true)?;
        }
        let mut plan = Plan::dated(r.on);
        for p in resolve_postings(&self.state, &original)? {
            plan.post(p.account, p.currency, -p.amount);
        }
        self.state.undo_effects(&original, &mut plan, seq)?;
        plan.changes.push(Change::EntryReversed(r.entry, seq));
        self.state.check_funds(&plan)?;
        Ok(plan)
    }
}

/// The postings of a stored entry, with account names resolved.
fn resolve_postings(state: &State, entry: &JournalEntry) -> Result<Vec<Posting>> {
    entry
        .postings
        .iter()
        .map(|p| {
            let (account, _) = AccountKey::parse(state, &p.account).ok_or_else(|| {
                LedgerError::journal_corrupt(entry.seq + 1, format!("unknown account {:?}", p.account))
            })?;
            Ok(Posting { account, currency: p.currency, amount: p.amount })
        })
        .collect()
}

/// Sum of an entry's postings to one account.
fn posted(entry: &JournalEntry, state: &State, account: AccountKey) -> Decimal {
    entry
        .postings
        .iter()
        .filter(|p| AccountKey::parse(state, &p.account).is_some_and(|(k, _)| k == account))
        .map(|p| p.amount)
        .sum()
}

impl State {
    /// Adds to `plan` the changes that undo `original`'s effect on the registries and flows.
    fn undo_effects(&self, original: &JournalEntry, plan: &mut Plan, seq: u64) -> Result<()> {
        let refuse = |reason: &str| Err(LedgerError::NotReversible { entry: original.seq, reason: reason.into() });
        match &original.command {
            Command::SignAgreement(c) => {
                let a = self.agreement(&c.id)?;
                let agreement = &self.agreements[a as usize];
                if !agreement.dynamic.received.is_zero() || !agreement.dynamic.cancelled.is_zero() {
                    return refuse("receipts or a closure are recorded against the agreement; reverse them first");
                }
                match &agreement.funding {
                    Funding::Project(p) => {
                        let project = &self.projects[*p as usize];
                        let d = project.dynamic;
                        if d.closed_on.is_some()
                            || !d.spent.is_zero()
                            || !d.transferred.is_zero()
                            || !d.refunded.is_zero()
                        {
                            return refuse("the project has activity; reverse it first");
                        }
                        plan.flow(SeriesKey::Mobilized(project.resolution), -d.mobilized_usd);
                        let dynamic = crate::records::ProjectDyn { voided: true, mobilized_usd: Decimal::ZERO, ..d };
                        plan.changes.push(Change::Project(*p, dynamic));
                    }
                    Funding::Window { .. } => plan.flow(SeriesKey::Contribution(agreement.donor), -agreement.usd_value),
                }
                plan.changes.push(Change::Agreement(a, AgreementDyn { reversed_by: Some(seq), ..agreement.dynamic }));
            }
            Command::RecordReceipt(c) => {
                let a = self.agreement(&c.agreement)?;
                let agreement = &self.agreements[a as usize];
                let amount = posted(original, self, AccountKey::Cash);
                let fx = posted(original, self, AccountKey::EquityFx);
                let mut dynamic = agreement.dynamic;
                dynamic.received -= amount;
                dynamic.fx_usd -= fx;
                if let Funding::Project(p) = agreement.funding {
                    let d = self.projects[p as usize].dynamic;
                    if d.closed_on.is_some() {
                        return refuse("the project is closed; reverse the closure first");
                    }
                    if dynamic.received < d.spent + d.psc {
                        return refuse("the money received has been spent; reverse the expenditure first");
                    }
                }
                plan.flow(SeriesKey::OtherIncome, -fx);
                plan.changes.push(Change::Agreement(a, dynamic));
            }
            Command::RecordExpenditure(c) => {
                if let Some(id) = &c.project {
                    let p = self.project(id)?;
                    let mut dynamic = self.projects[p as usize].dynamic;
                    dynamic.spent += posted(original, self, AccountKey::Cash);
                    dynamic.psc += posted(original, self, AccountKey::IncomePsc);
                    plan.changes.push(Change::Project(p, dynamic));
                }
            }
            Command::CloseProject(c) => {
                let p = self.project(&c.project)?;
                let project = &self.projects[p as usize];
                if !project.dynamic.transferred.is_zero() || !project.dynamic.refunded.is_zero() {
                    return refuse("the project's balance has been transferred or refunded; reverse that first");
                }
                let agreement = &self.agreements[project.agreement as usize];
                let cancelled = -posted(original, self, AccountKey::Receivable(project.agreement));
                let a_dyn = AgreementDyn { cancelled: agreement.dynamic.cancelled - cancelled, ..agreement.dynamic };
                let dynamic = crate::records::ProjectDyn { closed_on: None, ..project.dynamic };
                self.remobilize(plan, p, a_dyn.cancelled, dynamic)?;
                plan.changes.push(Change::Agreement(project.agreement, a_dyn));
            }
            Command::TransferBalance(c) => {
                let p = self.project(&c.project)?;
                let t = self
                    .transfers
                    .iter()
                    .rposition(|t| t.entry == original.seq)
                    .ok_or(LedgerError::UnknownEntry { entry: original.seq })?;
                let transfer = &self.transfers[t];
                let project = &self.projects[p as usize];
                let dynamic = crate::records::ProjectDyn {
                    transferred: project.dynamic.transferred - transfer.amount,
                    ..project.dynamic
                };
                let cancelled = self.agreements[project.agreement as usize].dynamic.cancelled;
                self.remobilize(plan, p, cancelled, dynamic)?;
                plan.flow(SeriesKey::TransferIn, -transfer.usd);
                plan.changes.push(Change::TransferReversed(t as u32, seq, plan.date.unwrap_or_default()));
            }
            Command::RefundBalance(c) => {
                let p = self.project(&c.project)?;
                let project = &self.projects[p as usize];
                let amount = posted(original, self, AccountKey::ProjectFund(p));
                let dynamic =
                    crate::records::ProjectDyn { refunded: project.dynamic.refunded - amount, ..project.dynamic };
                let cancelled = self.agreements[project.agreement as usize].dynamic.cancelled;
                self.remobilize(plan, p, cancelled, dynamic)?;
            }
            Command::Allocate(c) => {
                let a = *self.allocation_index.get(&c.id).ok_or(LedgerError::UnknownEntry { entry: original.seq })?;
                for line in &self.allocations[a as usize].lines {
                    plan.flow(SeriesKey::Allocated(line.resolution), -line.amount);
                    plan.flow(SeriesKey::Mobilized(line.resolution), -line.amount);
                }
                plan.changes.push(Change::AllocationReversed(a, seq, plan.date.unwrap_or_default()));
            }
            other => {
                return Err(LedgerError::NotReversible {
                    entry: original.seq,
                    reason: format!("{} is not reversible", other.type_name()),
                })
            }
        }
        Ok(())
    }
}
