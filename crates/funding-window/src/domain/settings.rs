//! The ledger's settings (the window's PSC rate, the rounding rule, four-eyes control) and
//! the four-eyes check of the commands that need an approver: which commands
//! ([`four_eyes_approver`]), and who counts as another person ([`crate::identity`]).

use rust_decimal::Decimal;

use crate::command::{Command, Configure};
use crate::error::{LedgerError, Result};
use crate::identity::{names_someone, same_person};
use crate::ids::check_text;
use crate::money::{self};
use crate::plan::{Change, Plan};
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

/// The approver a command names (`Some(None)` when it names none) if four-eyes control covers
/// its kind, `None` if it does not (DOMAIN.md, Precisions: `allocate`, `transfer_balance`,
/// `refund_balance`, `close_project` and every `configure`, turning the control off
/// included). Exhaustive, so that a new command type is a decision made here.
///
/// Each covered command's plan calls [`State::check_approval`] once it has found what the
/// command names (unknown, withdrawn, not closed come first) and before the books; a reversal
/// of a covered command's entry is checked against this list. Turning the control on is a
/// `configure` made while it is off, and so needs no approver: whether a command needs one is
/// decided by the settings in force before it.
pub(crate) fn four_eyes_approver(command: &Command) -> Option<Option<&str>> {
    match command {
        Command::Allocate(c) => Some(c.approved_by.as_deref()),
        Command::TransferBalance(c) => Some(c.approved_by.as_deref()),
        Command::RefundBalance(c) => Some(c.approved_by.as_deref()),
        Command::CloseProject(c) => Some(c.approved_by.as_deref()),
        Command::Configure(c) => Some(c.approved_by.as_deref()),
        Command::RegisterDonor(_)
        | Command::RegisterResolution(_)
        | Command::SetStatus(_)
        | Command::SetRate(_)
        | Command::SetRequirement(_)
        | Command::SignAgreement(_)
        | Command::RecordReceipt(_)
        | Command::RecordExpenditure(_)
        | Command::Reverse(_)
        | Command::ClosePeriod(_) => None,
    }
}
