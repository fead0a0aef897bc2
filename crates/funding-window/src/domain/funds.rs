//! The funds: no credit fund (project, window, resolution fund, refund liability) may be
//! overdrawn, on an entry's value date or any later date, save the unallocated window fund by
//! a receipt's FX loss ([`crate::domain::window`]).

use rust_decimal::Decimal;

use crate::account::AccountKey;
use crate::error::{LedgerError, Result, Shortfall};
use crate::money::{self};
use crate::plan::{Plan, Posting};
use crate::state::State;

impl State {
    /// Every credit fund debited by the plan must hold enough on its value date and after.
    pub fn check_funds(&self, plan: &Plan) -> Result<()> {
        let Some(date) = plan.date else { return Ok(()) };
        let postings = &plan.postings;
        // The net change of each fund, summed at its first posting (nothing to allocate).
        for (i, p) in postings.iter().enumerate() {
            let same = |q: &&Posting| q.account == p.account && q.currency == p.currency;
            if !p.account.is_credit_fund() || postings[..i].iter().any(|q| same(&q)) {
                continue;
            }
            let (account, currency) = (p.account, p.currency);
            // Amounts are far below Decimal's range; an overflow would be refused as too much.
            let delta = postings[i..].iter().filter(same).try_fold(Decimal::ZERO, |sum, q| sum.checked_add(q.amount));
            let mut delta = delta.unwrap_or(Decimal::MAX);
            if account == AccountKey::WindowUnallocated {
                // A receipt's FX loss is a fact: it may overdraw the unallocated fund.
                delta -= plan.fx_loss_on_unallocated;
            }
            if delta > Decimal::ZERO {
                let available = self.fund_available_from(account, currency, date);
                if delta > available {
                    return Err(LedgerError::InsufficientFunds {
                        account: account.name(self, currency),
                        currency: currency.code().into(),
                        available: money::format_amount(available.max(Decimal::ZERO), currency),
                        requested: money::format_amount(delta, currency),
                        shortfall: Shortfall::Debit,
                    });
                }
            }
        }
        Ok(())
    }
}
