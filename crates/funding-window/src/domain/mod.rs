//! The rules of the funding window, one module per thing of the domain. Each command is
//! validated and planned by the module of the thing it is about, which owns its rules and
//! the quantities derived from it; beneath them, [`crate::plan`], [`crate::state`],
//! [`crate::journal`], [`crate::replay`] and [`crate::store`] are the mechanism, and know
//! no rule of the domain.
//!
//! | module | the thing | its commands |
//! |---|---|---|
//! | [`donor`] | donors | `register_donor` |
//! | [`resolution`] | resolutions, requirements, mobilized and gaps | `register_resolution`, `set_status`, `set_requirement` |
//! | [`agreement`] | contribution agreements and receipts | `sign_agreement`, `record_receipt` |
//! | [`project`] | projects, expenditure and PSC, closure | `record_expenditure`, `close_project` |
//! | [`transfer`] | a closed project's balance | `transfer_balance`, `refund_balance` |
//! | [`window`] | the window and its earmarks | (sign and receipt post to it) |
//! | [`allocation`] | allocations to resolutions | `allocate` |
//! | [`treasury`] | rates and conversions to USD, FX, cash per currency | `set_rate`, `convert_cash` |
//! | [`settings`] | settings and four-eyes control | `configure` |
//! | [`period`] | closed periods and the order of dates | `close_period` |
//! | [`funds`] | no fund overdrawn | (every posting command) |
//! | [`reversal`] | reversing an entry | `reverse` |

pub(crate) mod agreement;
pub mod allocation;
pub(crate) mod donor;
pub(crate) mod funds;
pub(crate) mod period;
pub(crate) mod project;
pub(crate) mod resolution;
pub(crate) mod reversal;
pub(crate) mod settings;
pub(crate) mod transfer;
pub(crate) mod treasury;
pub(crate) mod window;

use crate::command::{Command, Request};
use crate::error::Result;
use crate::ids::check_text;
use crate::plan::Plan;
use crate::state::State;

impl State {
    /// Validates a command and computes everything it will do.
    pub fn plan(&self, request: &Request, seq: u64) -> Result<Plan> {
        let recorded_by = request.recorded_by.as_deref();
        let plan = match &request.command {
            Command::RegisterDonor(c) => self.plan_register_donor(c)?,
            Command::RegisterResolution(c) => self.plan_register_resolution(c)?,
            Command::SetStatus(c) => self.plan_set_status(c)?,
            Command::SetRate(c) => self.plan_set_rate(c)?,
            Command::SetRequirement(c) => self.plan_set_requirement(c)?,
            Command::Configure(c) => self.plan_configure(c, recorded_by)?,
            Command::SignAgreement(c) => self.plan_sign(c)?,
            Command::RecordReceipt(c) => self.plan_receipt(c)?,
            Command::RecordExpenditure(c) => self.plan_expenditure(c)?,
            Command::CloseProject(c) => self.plan_close(c, recorded_by)?,
            Command::TransferBalance(c) => self.plan_transfer(c, recorded_by, seq)?,
            Command::RefundBalance(c) => self.plan_refund(c, recorded_by)?,
            Command::Allocate(c) => self.plan_allocation(c, recorded_by, seq, false)?.0,
            Command::Reverse(c) => self.plan_reversal(c, recorded_by, seq)?,
            Command::ConvertCash(c) => self.plan_convert_cash(c, recorded_by)?,
            Command::ClosePeriod(c) => self.plan_close_period(c.period)?,
        };
        self.check_limits(&plan)?;
        Ok(plan)
    }

    /// Every limit of the books, at the plan's value date and every later date: no fund
    /// overdrawn ([`funds`]), no project's cash ([`project`]) and no cash account
    /// ([`treasury`]) below zero. Reversals and back-dated commands go through the same checks.
    pub fn check_limits(&self, plan: &Plan) -> Result<()> {
        self.check_funds(plan)?;
        self.check_project_cash(plan)?;
        self.check_cash(plan)
    }

    /// Checks what any request may carry besides its command.
    pub fn check_request(request: &Request) -> Result<()> {
        if let Some(user) = &request.recorded_by {
            check_text("recorded_by", user, true)?;
        }
        if let Some(key) = &request.idempotency_key {
            check_text("idempotency_key", key, true)?;
        }
        Ok(())
    }
}
