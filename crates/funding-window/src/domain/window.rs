//! The window and its earmarks: window money is kept in USD, unallocated or soft-earmarked to
//! resolutions, split equally over an agreement's earmarks.

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
}
