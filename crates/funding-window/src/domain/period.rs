//! Periods and dates: closing a half-year, refusing dates in a closed period, and the order of
//! dates within a thing's life (a receipt not before its signature, ...).

use chrono::NaiveDate;

use crate::calendar::{format_date, Period};
use crate::error::{LedgerError, Result};
use crate::plan::{Change, Plan};
use crate::state::State;

impl State {
    pub(crate) fn plan_close_period(&self, period: Period) -> Result<Plan> {
        if let Some(closed) = self.closed_through {
            if period <= closed {
                return Err(LedgerError::PeriodClosed { period: period.to_string(), date: format_date(period.end()) });
            }
        }
        let mut plan = Plan::undated(Change::ClosedThrough(period));
        plan.date = Some(period.end());
        Ok(plan)
    }

    /// Refuses dates in a closed period.
    pub fn check_open(&self, date: NaiveDate) -> Result<()> {
        match self.closed_through {
            Some(closed) if date <= closed.end() => {
                Err(LedgerError::PeriodClosed { period: Period::containing(date).to_string(), date: format_date(date) })
            }
            _ => Ok(()),
        }
    }

    /// Refuses `date` before `earliest`.
    pub fn check_order(what: &str, date: NaiveDate, earliest: Option<NaiveDate>) -> Result<()> {
        match earliest {
            Some(e) if date < e => Err(LedgerError::DateOutOfOrder {
                what: what.into(),
                date: format_date(date),
                earliest: format_date(e),
            }),
            _ => Ok(()),
        }
    }
}
