//! The window and its earmarks: window money is kept in USD, unallocated or soft-earmarked to
//! resolutions, split equally over an agreement's earmarks; and the one way the unallocated
//! fund may fall below zero, an FX loss on a window receipt that its earmarks cannot cover.

use rust_decimal::Decimal;

use crate::account::AccountKey;
use crate::error::{LedgerError, Result};
use crate::money::Currency;
use crate::plan::Plan;
use crate::records::Idx;
use crate::split::largest_remainder;
use crate::state::State;

impl State {
    /// Splits `amount` (USD, any sign) equally over `n` earmarks, by largest remainder.
    pub fn split_equally(amount: Decimal, n: usize) -> Result<Vec<Decimal>> {
        let weights = vec![Decimal::ONE; n.max(1)];
        let lines = largest_remainder(amount.abs(), Currency::USD, &weights)
            .map_err(|_| LedgerError::invalid_command("cannot split the amount over the earmarks"))?;
        Ok(lines.into_iter().map(|l| if amount.is_sign_negative() { -l.share } else { l.share }).collect())
    }

    /// Posts a USD amount to the window fund(s) of an agreement (split over its earmarks).
    pub fn post_to_window(&self, plan: &mut Plan, earmarks: &[Idx], usd: Decimal) -> Result<()> {
        if earmarks.is_empty() {
            plan.post(AccountKey::WindowUnallocated, Currency::USD, usd);
        } else {
            for (&r, share) in earmarks.iter().zip(Self::split_equally(usd, earmarks.len())?) {
                plan.post(AccountKey::WindowEarmarked(r), Currency::USD, share);
            }
        }
        Ok(())
    }

    /// Posts a window receipt's FX difference (USD, a gain when positive).
    ///
    /// A receipt is a fact and is never refused for lack of funds (DOMAIN.md, Precisions): a
    /// gain goes where the agreement's money went (split over its earmarks); a loss is taken
    /// from each earmark's share as far as that earmark holds it on the receipt date and every
    /// later date, and the rest from `funds:window:unallocated`, which this alone may take
    /// below zero. While it is below zero nothing can be allocated from it.
    pub fn post_fx_to_window(&self, plan: &mut Plan, earmarks: &[Idx], fx: Decimal) -> Result<()> {
        if fx >= Decimal::ZERO {
            return self.post_to_window(plan, earmarks, -fx);
        }
        let mut uncovered = Decimal::ZERO;
        if earmarks.is_empty() {
            uncovered = -fx;
        } else if let Some(date) = plan.date {
            for (&r, share) in earmarks.iter().zip(Self::split_equally(-fx, earmarks.len())?) {
                let account = AccountKey::WindowEarmarked(r);
                let held = self.fund_available_from(account, Currency::USD, date).max(Decimal::ZERO);
                let covered = share.min(held);
                plan.post(account, Currency::USD, covered);
                uncovered += share - covered;
            }
        }
        plan.post(AccountKey::WindowUnallocated, Currency::USD, uncovered);
        plan.fx_loss_on_unallocated = uncovered;
        Ok(())
    }
}
