//! The ledger's settings (the window's PSC rate, the rounding rule, four-eyes control) and
//! the four-eyes check of the commands that need an approver: which commands
//! ([`four_eyes_approver`]), and who counts as another person ([`crate::identity`]).

use rust_decimal::Decimal;

use crate::command::Configure;
use crate::error::{LedgerError, Result};
use crate::identity::{names_someone, same_person};
use crate::ids::check_text;
use crate::money::{self};
use crate::plan::{Change, Effect, Plan};
use crate::records::Settings;
use crate::state::State;

impl State {
    pub(crate) fn plan_configure(&self, c: &Configure, recorded_by: Option<&str>) -> Result<Plan> {
        if c.window_psc_rate.is_none() && c.rounding.is_none() && c.four_eyes.is_none() {
            return Err(LedgerError::invalid_command("configure needs at least one setting"));
        }
        // Decided by the settings in force: turning the control on needs no approver, off does.
        self.check_approval("configure", c.approved_by.as_deref(), recorded_by)?;
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

    /// Under four-eyes control, refuses a command without an approver who is another person
    /// than its recorder ([`crate::identity::same_person`]: `"Ann\u{200b}"` and `"Ａnn"` are
    /// `"Ann"`). An approver given is checked as text whether or not the control is on.
    pub fn check_approval(&self, command: &str, approved_by: Option<&str>, recorded_by: Option<&str>) -> Result<()> {
        if let Some(approver) = approved_by {
            check_text("approved_by", approver, true)?;
        }
        if !self.settings.four_eyes {
            return Ok(());
        }
        let refuse =
            |reason: &str| Err(LedgerError::ApprovalRequired { command: command.into(), reason: reason.into() });
        // A name of nothing but spaces and invisible characters names nobody: as if missing.
        match (approved_by.filter(|a| names_someone(a)), recorded_by.filter(|r| names_someone(r))) {
            (None, _) => refuse("approved_by is required under four-eyes control"),
            (Some(_), None) => refuse("recorded_by is required under four-eyes control"),
            (Some(a), Some(r)) if same_person(a, r) => refuse(
                "the approver must be another person than the recorder (names are compared \
                 ignoring case, letter width, spaces and invisible characters)",
            ),
            _ => Ok(()),
        }
    }
}

/// Whether reversing an entry with this effect needs an approver under four-eyes control: it
/// does when the command that made it is one the control covers (DOMAIN.md, Precisions:
/// `allocate`, `transfer_balance`, `refund_balance`, `close_project`, `convert_cash` and every
/// `configure`, which posts nothing and is never reversed). Each covered command's plan calls
/// [`State::check_approval`] once it has found what the command names (unknown, withdrawn, not
/// closed come first) and before the books. Exhaustive, so a new kind of effect is a decision
/// made here.
pub(crate) fn four_eyes_covers(effect: Effect) -> bool {
    match effect {
        Effect::Closure(_)
        | Effect::Transfer { .. }
        | Effect::Refund(_)
        | Effect::Allocation(_)
        | Effect::Conversion => true,
        Effect::PostsNothing
        | Effect::Reversal
        | Effect::Signature(_)
        | Effect::Receipt(_)
        | Effect::Expenditure(_) => false,
    }
}
