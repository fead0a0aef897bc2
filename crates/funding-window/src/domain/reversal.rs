//! Reversals: a new entry, dated in an open period, whose postings negate an
//! earlier entry's and whose effect on agreements, projects and allocations
//! undoes the earlier one. Nothing in the journal is edited.
//!
//! A reversal is refused when later activity depends on the entry (a receipt
//! already spent, a closure whose balance has moved, a signature with receipts);
//! reverse the later activity first. A signature is also refused on a date from
//! which a receipt stood until its own reversal: the receivable would be below
//! zero in between. Registrations and settings post nothing
//! and are not reversed; a reversal is never reversed itself.

use rust_decimal::Decimal;

use crate::account::AccountKey;
use crate::command::Reverse;
use crate::domain::settings::four_eyes_covers;
use crate::error::{LedgerError, Result};
use crate::ids::check_text;
use crate::plan::{Change, Effect, Plan, Posting, SeriesKey};
use crate::records::{AgreementDyn, Funding, ProjectDyn};
use crate::state::State;

impl State {
    /// Validates a reversal and computes its plan from the typed postings and effect kept
    /// with the entry it reverses.
    pub(crate) fn plan_reversal(&self, r: &Reverse, recorded_by: Option<&str>, seq: u64) -> Result<Plan> {
        let info = usize::try_from(r.entry)
            .ok()
            .and_then(|e| e.checked_sub(1))
            .and_then(|i| self.entries.get(i))
            .copied()
            .ok_or(LedgerError::UnknownEntry { entry: r.entry })?;
        let refuse = |reason: String| Err(LedgerError::NotReversible { entry: r.entry, reason });
        if info.reversal_of().is_some() {
            return refuse("it is itself a reversal; record the original command again instead".into());
        }
        if let Some(by) = info.reversed_by() {
            return Err(LedgerError::AlreadyReversed { entry: r.entry, reversed_by: by });
        }
        if !info.effect().keeps_postings() {
            return refuse(format!("a {} entry posts nothing; record a new one instead", info.kind()));
        }
        check_text("reason", &r.reason, true)?;
        self.check_open(r.on)?;
        State::check_order("reversal", r.on, info.date)?;
        // Undoing a command four-eyes control covers needs the same control as the command:
        // otherwise one person could undo an approved allocation, reopen a closed project or
        // take back a transfer alone.
        if four_eyes_covers(info.effect()) {
            self.check_approval("reverse", r.approved_by.as_deref(), recorded_by)?;
        } else if let Some(approver) = &r.approved_by {
            check_text("approved_by", approver, true)?;
        }
        let original = self.entry_postings(r.entry);
        let mut plan = Plan::dated(r.on, Effect::Reversal);
        for p in original {
            plan.post(p.account, p.currency, -p.amount);
        }
        self.undo_effects(r.entry, info.effect(), original, &mut plan, seq)?;
        plan.changes.push(Change::EntryReversed(r.entry, seq));
        Ok(plan)
    }

    /// Adds to `plan` the changes that undo the effect of entry `entry` (`original`: its
    /// postings) on the registers and flows.
    fn undo_effects(&self, entry: u64, effect: Effect, original: &[Posting], plan: &mut Plan, seq: u64) -> Result<()> {
        let refuse = |reason: &str| Err(LedgerError::NotReversible { entry, reason: reason.into() });
        match effect {
            Effect::Signature(a) => {
                let agreement = &self.agreements[a as usize];
                if !agreement.dynamic.received.is_zero() || !agreement.dynamic.cancelled.is_zero() {
                    return refuse("receipts or a closure are recorded against the agreement; reverse them first");
                }
                // Every limit holds at every date: the reversal takes the whole amount off the
                // receivable from its date on, so all of it must be outstanding on that date and
                // every later one. A receipt or closure reversed since still stands on the dates
                // between it and its reversal.
                if let Some(on) = plan.date {
                    if self.outstanding_from(a, on) < agreement.amount {
                        return refuse(
                            "receipts or a closure against the agreement stood on or after this date until they \
                             were reversed; date the reversal on or after theirs",
                        );
                    }
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
                        // A voided project counts nothing as mobilized.
                        self.remobilize(plan, *p, agreement.dynamic.cancelled, ProjectDyn { voided: true, ..d })?;
                    }
                    Funding::Window { .. } => plan.flow(SeriesKey::Contribution(agreement.donor), -agreement.usd_value),
                }
                plan.changes.push(Change::Agreement(a, AgreementDyn { reversed_by: Some(seq), ..agreement.dynamic }));
            }
            Effect::Receipt(a) => {
                let agreement = &self.agreements[a as usize];
                let amount = posted(original, AccountKey::Cash);
                let fx = posted(original, AccountKey::EquityFx);
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
            Effect::Expenditure(project) => {
                if let Some(p) = project {
                    let mut dynamic = self.projects[p as usize].dynamic;
                    dynamic.spent += posted(original, AccountKey::Cash);
                    dynamic.psc += posted(original, AccountKey::IncomePsc);
                    plan.changes.push(Change::Project(p, dynamic));
                }
            }
            Effect::Closure(p) => {
                let project = &self.projects[p as usize];
                if !project.dynamic.transferred.is_zero() || !project.dynamic.refunded.is_zero() {
                    return refuse("the project's balance has been transferred or refunded; reverse that first");
                }
                let agreement = &self.agreements[project.agreement as usize];
                let cancelled = -posted(original, AccountKey::Receivable(project.agreement));
                let a_dyn = AgreementDyn { cancelled: agreement.dynamic.cancelled - cancelled, ..agreement.dynamic };
                let dynamic = ProjectDyn { closed_on: None, ..project.dynamic };
                self.remobilize(plan, p, a_dyn.cancelled, dynamic)?;
                plan.changes.push(Change::Agreement(project.agreement, a_dyn));
            }
            Effect::Transfer { project: p, transfer: t } => {
                let transfer = &self.transfers[t as usize];
                let project = &self.projects[p as usize];
                let dynamic =
                    ProjectDyn { transferred: project.dynamic.transferred - transfer.amount, ..project.dynamic };
                let cancelled = self.agreements[project.agreement as usize].dynamic.cancelled;
                self.remobilize(plan, p, cancelled, dynamic)?;
                plan.flow(SeriesKey::TransferIn, -transfer.usd);
                plan.changes.push(Change::TransferReversed(t, seq, plan.date.unwrap_or_default()));
            }
            Effect::Refund(p) => {
                let project = &self.projects[p as usize];
                let amount = posted(original, AccountKey::ProjectFund(p));
                let dynamic = ProjectDyn { refunded: project.dynamic.refunded - amount, ..project.dynamic };
                let cancelled = self.agreements[project.agreement as usize].dynamic.cancelled;
                self.remobilize(plan, p, cancelled, dynamic)?;
            }
            Effect::Allocation(a) => {
                for line in &self.allocations[a as usize].lines {
                    State::count_allocation(plan, line.resolution, -line.amount);
                }
                plan.changes.push(Change::AllocationReversed(a, seq, plan.date.unwrap_or_default()));
            }
            // A conversion changes cash only: its negated postings are the whole reversal.
            Effect::Conversion => {}
            // Refused before: a reversal of these is never planned.
            Effect::PostsNothing | Effect::Reversal => {
                return refuse("it posts nothing");
            }
        }
        Ok(())
    }
}

/// Sum of an entry's postings to one account.
fn posted(postings: &[Posting], account: AccountKey) -> Decimal {
    postings.iter().filter(|p| p.account == account).map(|p| p.amount).sum()
}
