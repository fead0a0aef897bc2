//! A closed project's balance: transferred into the window (under the agreement's elective
//! transfer clause, by the donor's election) or refunded to the donor.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::account::AccountKey;
use crate::command::{RefundBalance, TransferBalance};
use crate::error::{LedgerError, Result, Shortfall};
use crate::ids::check_text;
use crate::money::{self, Currency};
use crate::plan::{Change, Effect, Plan, SeriesKey};
use crate::records::{Idx, TransferRecord};
use crate::state::State;

impl State {
    /// The amount of a transfer or refund on `date`: all that is left (`None`) or a part of it.
    /// What is left is the project's cash on `date` and every later date (a balance moved out
    /// later, or a reversal, leaves less to move earlier).
    pub(crate) fn balance_to_move(
        &self,
        p: Idx,
        id: &str,
        amount: Option<&str>,
        currency: Currency,
        date: NaiveDate,
    ) -> Result<Decimal> {
        let left = self.project_cash_from(p, date);
        if left <= Decimal::ZERO {
            return Err(LedgerError::NoBalance { project: id.into() });
        }
        let Some(text) = amount else { return Ok(left) };
        let amount = money::parse_amount("amount", text, currency)?;
        if amount > left {
            return Err(LedgerError::InsufficientFunds {
                account: AccountKey::ProjectFund(p).name(self, currency),
                currency: currency.code().into(),
                available: money::format_amount(left, currency),
                requested: money::format_amount(amount, currency),
                shortfall: Shortfall::Balance,
            });
        }
        Ok(amount)
    }

    pub(crate) fn plan_transfer(&self, c: &TransferBalance, recorded_by: Option<&str>, seq: u64) -> Result<Plan> {
        let (p, project, agreement, closed_on) = self.closed_project(&c.project)?;
        if !agreement.elective_transfer {
            return Err(LedgerError::NoTransferClause { project: c.project.clone(), agreement: agreement.id.clone() });
        }
        let (elected_on, election_ref) = match (c.elected_on, c.election_ref.as_deref().map(str::trim)) {
            (Some(date), Some(reference)) if !reference.is_empty() => (date, reference),
            _ => return Err(LedgerError::TransferNotElected { project: c.project.clone() }),
        };
        check_text("election_ref", election_ref, true)?;
        self.check_approval("transfer_balance", c.approved_by.as_deref(), recorded_by)?;
        self.check_open(c.transferred_on)?;
        Self::check_order("transfer", c.transferred_on, Some(closed_on.max(elected_on)))?;
        let currency = agreement.currency;
        let amount =
            self.balance_to_move(p, &c.project, c.amount.as_ref().map(|a| a.as_str()), currency, c.transferred_on)?;
        let usd = self.to_usd(amount, currency, c.transferred_on)?;
        let mut plan =
            Plan::dated(c.transferred_on, Effect::Transfer { project: p, transfer: self.transfers.len() as Idx });
        plan.post(AccountKey::ProjectFund(p), currency, amount);
        if currency != Currency::USD {
            plan.post(AccountKey::EquityConversion, currency, -amount);
            plan.post(AccountKey::EquityConversion, Currency::USD, usd.amount);
        }
        plan.post(AccountKey::WindowUnallocated, Currency::USD, -usd.amount);
        plan.flow(SeriesKey::TransferIn, usd.amount);
        Self::note_conversion(&mut plan, amount, currency, &usd);
        let mut dynamic = project.dynamic;
        dynamic.transferred += amount;
        self.remobilize(&mut plan, p, agreement.dynamic.cancelled, dynamic)?;
        plan.changes.push(Change::PushTransfer(TransferRecord {
            project: p,
            amount,
            usd: usd.amount,
            rate: usd.rate.map(|r| r.0),
            rate_month: usd.rate.map(|r| r.1),
            elected_on,
            election_ref: election_ref.to_owned(),
            transferred_on: c.transferred_on,
            approved_by: c.approved_by.clone(),
            entry: seq,
            reversed: None,
        }));
        Ok(plan)
    }

    pub(crate) fn plan_refund(&self, c: &RefundBalance, recorded_by: Option<&str>) -> Result<Plan> {
        let (p, project, agreement, closed_on) = self.closed_project(&c.project)?;
        self.check_approval("refund_balance", c.approved_by.as_deref(), recorded_by)?;
        self.check_open(c.refunded_on)?;
        Self::check_order("refund", c.refunded_on, Some(closed_on))?;
        let currency = agreement.currency;
        let amount =
            self.balance_to_move(p, &c.project, c.amount.as_ref().map(|a| a.as_str()), currency, c.refunded_on)?;
        let mut plan = Plan::dated(c.refunded_on, Effect::Refund(p));
        plan.post(AccountKey::ProjectFund(p), currency, amount);
        plan.post(AccountKey::RefundLiability(agreement.donor), currency, -amount);
        let mut dynamic = project.dynamic;
        dynamic.refunded += amount;
        self.remobilize(&mut plan, p, agreement.dynamic.cancelled, dynamic)?;
        Ok(plan)
    }
}
