//! The ledger's settings (the window's PSC rate, the rounding rule, four-eyes control) and
//! the four-eyes check of the commands that need an approver.

use rust_decimal::Decimal;

use crate::command::Configure;
use crate::error::{LedgerError, Result};
use crate::ids::check_text;
use crate::money::{self};
use crate::plan::{Change, Plan};
use crate::records::Settings;
use crate::state::State;

impl State {
    pub(crate) fn plan_configure(&self, c: &Configure) -> Result<Plan> {
        if c.window_psc_rate.is_none() && c.rounding.is_none() && c.four_eyes.is_none() {
            return Err(LedgerError::invalid_command("configure needs at least one setting"));
        }
        let mut settings: Settings = self.settings.clone();
        if let Some(rate) = &c.window_psc_rate {
            settings.window_psc_rate = money::parse_rate("window_psc_rate", rate.as_str(), true, Some(Decimal::ONE))?;
        }
        if let Some(rounding) = c.rounding {
            settings.rounding = rounding;
        }
        if let Some(four_eyes) = c.four_eyes {
            settings.four_eyes = four_eyes;
        }
        Ok(Plan::undated(Change::Settings(settings)))
    }

    /// Under four-eyes control, refuses a command without an approver distinct from its recorder.
    pub fn check_approval(&self, command: &str, approved_by: Option<&str>, recorded_by: Option<&str>) -> Result<()> {
        if let Some(approver) = approved_by {
            check_text("approved_by", approver, true)?;
        }
        if !self.settings.four_eyes {
            return Ok(());
        }
        let refuse =
            |reason: &str| Err(LedgerError::ApprovalRequired { command: command.into(), reason: reason.into() });
        match (approved_by.map(str::trim), recorded_by.map(str::trim)) {
            (None, _) => refuse("approved_by is required under four-eyes control"),
            (Some(_), None) => refuse("recorded_by is required under four-eyes control"),
            (Some(a), Some(r)) if a == r => refuse("the approver must differ from the recorder"),
            _ => Ok(()),
        }
    }
}
