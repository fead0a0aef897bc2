//! The Assembly's resolutions: registering them, their status and funding requirement, and
//! what is mobilized for each (projects counted at their agreement's signing rate, window
//! allocations as allocated) and the funding gap that follows.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::command::{RegisterResolution, SetRequirement, SetStatus};
use crate::error::{LedgerError, Result};
use crate::ids::{check_text, ResolutionId};
use crate::limits::{RESOLUTIONS_MAX, RESOLUTIONS_PER_COMMAND_MAX};
use crate::money::{self, Currency};
use crate::plan::{Change, Plan, SeriesKey};
use crate::records::{Agreement, Idx, ProjectDyn, Resolution};
use crate::state::State;

impl State {
    pub(crate) fn plan_register_resolution(&self, c: &RegisterResolution) -> Result<Plan> {
        let id: ResolutionId = c.id.parse()?;
        check_text("title", &c.title, true)?;
        if let Some(status) = &c.status {
            check_text("status", status, true)?;
        }
        if self.resolution_index.contains_key(&c.id) {
            return Err(LedgerError::DuplicateId { kind: "resolution".into(), id: c.id.clone() });
        }
        if self.resolutions.len() >= RESOLUTIONS_MAX {
            return Err(LedgerError::limit("RESOLUTIONS_MAX", RESOLUTIONS_MAX, self.resolutions.len() + 1));
        }
        Ok(Plan::undated(Change::PushResolution(Resolution {
            id,
            id_text: c.id.clone(),
            title: c.title.clone(),
            status: c.status.clone(),
            requirement: Vec::new(),
        })))
    }

    pub(crate) fn plan_set_status(&self, c: &SetStatus) -> Result<Plan> {
        let r = self.resolution(&c.resolution)?;
        check_text("status", &c.status, true)?;
        Ok(Plan::undated(Change::ResolutionStatus(r, Some(c.status.clone()))))
    }

    pub(crate) fn plan_set_requirement(&self, c: &SetRequirement) -> Result<Plan> {
        let r = self.resolution(&c.resolution)?;
        let amount = parse_non_negative("amount", c.amount.as_str(), Currency::USD)?;
        let effective = c.effective_on.unwrap_or(NaiveDate::MIN);
        if let Some(date) = c.effective_on {
            self.check_open(date)?;
        }
        let mut requirement = self.resolutions[r as usize].requirement.clone();
        let at = requirement.partition_point(|x| x.0 < effective);
        match requirement.get_mut(at) {
            Some(x) if x.0 == effective => x.1 = amount,
            _ => requirement.insert(at, (effective, amount)),
        }
        let mut plan = Plan::undated(Change::Requirement(r, requirement));
        plan.date = c.effective_on;
        Ok(plan)
    }

    /// Resolves a list of resolution ids into indices in resolution order, refusing duplicates.
    pub fn resolve_list(&self, ids: &[String], field: &str) -> Result<Vec<Idx>> {
        if ids.len() > RESOLUTIONS_PER_COMMAND_MAX {
            return Err(LedgerError::limit("RESOLUTIONS_PER_COMMAND_MAX", RESOLUTIONS_PER_COMMAND_MAX, ids.len()));
        }
        let mut out = ids.iter().map(|id| self.resolution(id)).collect::<Result<Vec<Idx>>>()?;
        self.sort_resolutions(&mut out);
        if out.windows(2).any(|w| w[0] == w[1]) {
            return Err(LedgerError::invalid_command(format!("{field} lists a resolution twice")));
        }
        Ok(out)
    }

    /// Sorts resolution indices by resolution id (1/1 < ... < 2/10).
    pub fn sort_resolutions(&self, list: &mut [Idx]) {
        list.sort_by_key(|&r| self.resolutions[r as usize].id);
    }

    /// A resolution's funding gap and requirement as of `date`.
    pub fn gap(&self, r: Idx, date: Option<NaiveDate>) -> (Option<Decimal>, Decimal, Option<Decimal>) {
        let requirement = self.resolutions[r as usize].requirement_at(date);
        let mobilized = self.series_at(SeriesKey::Mobilized(r), date);
        let gap = requirement.map(|req| (req - mobilized).max(Decimal::ZERO));
        (requirement, mobilized, gap)
    }

    /// A new project counts its agreement's amount at the signing month's rate (`usd`) as
    /// mobilized for its resolution.
    pub(crate) fn count_new_project(plan: &mut Plan, resolution: Idx, project: &mut ProjectDyn, usd: Decimal) {
        project.mobilized_usd = usd;
        plan.flow(SeriesKey::Mobilized(resolution), usd);
    }

    /// Counts a window allocation of `amount` to resolution `r` (negative: its reversal) as
    /// allocated and, so, as mobilized.
    pub(crate) fn count_allocation(plan: &mut Plan, r: Idx, amount: Decimal) {
        plan.flow(SeriesKey::Allocated(r), amount);
        plan.flow(SeriesKey::Mobilized(r), amount);
    }

    /// What a project counts as mobilized for its resolution, given its state:
    /// agreement amount less cancelled receivable, transfers and refunds, in the
    /// agreement's currency, converted once at the signing month's rate.
    pub fn project_mobilized(
        &self,
        agreement: &Agreement,
        cancelled: Decimal,
        project: &ProjectDyn,
    ) -> Result<Decimal> {
        if project.voided {
            return Ok(Decimal::ZERO);
        }
        let net = agreement.amount - cancelled - project.transferred - project.refunded;
        match agreement.sign_rate {
            None => Ok(net),
            Some(rate) => self.divide_to_cents(net, rate),
        }
    }

    /// Recomputes what project `p` counts as mobilized and records the change of
    /// the project (with its new mobilized amount) and the flow to its resolution.
    pub fn remobilize(&self, plan: &mut Plan, p: Idx, cancelled: Decimal, mut dynamic: ProjectDyn) -> Result<()> {
        let project = &self.projects[p as usize];
        let agreement = &self.agreements[project.agreement as usize];
        let mobilized = self.project_mobilized(agreement, cancelled, &dynamic)?;
        plan.flow(SeriesKey::Mobilized(project.resolution), mobilized - project.dynamic.mobilized_usd);
        dynamic.mobilized_usd = mobilized;
        plan.changes.push(Change::Project(p, dynamic));
        Ok(())
    }
}

impl Resolution {
    /// The requirement in force on `date` (the latest one when `None`).
    pub fn requirement_at(&self, date: Option<NaiveDate>) -> Option<Decimal> {
        let n = match date {
            Some(d) => self.requirement.partition_point(|r| r.0 <= d),
            None => self.requirement.len(),
        };
        n.checked_sub(1).map(|i| self.requirement[i].1)
    }
}

/// Parses a USD amount that may be zero (a requirement).
fn parse_non_negative(field: &str, text: &str, currency: Currency) -> Result<Decimal> {
    let value = money::parse_decimal(text).map_err(|reason| LedgerError::InvalidAmount {
        field: field.into(),
        value: text.into(),
        reason: reason.to_string(),
    })?;
    if value.is_zero() {
        return Ok(money::zero_at(currency.minor_unit()));
    }
    money::parse_amount(field, text, currency)
}
