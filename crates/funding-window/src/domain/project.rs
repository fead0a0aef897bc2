//! Projects and PSC: spending (cost plus programme support cost, within the money received),
//! and closing a project, which cancels its open receivable.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::account::AccountKey;
use crate::command::{CloseProject, RecordExpenditure};
use crate::error::{LedgerError, Result, Shortfall, Spending};
use crate::ids::check_text;
use crate::money::{self, Currency};
use crate::plan::{Change, Effect, Plan};
use crate::records::{Agreement, Funding, Idx, Project};
use crate::state::State;

impl State {
    /// A project that is not withdrawn (its agreement's signing reversed): every command on a
    /// withdrawn project is refused with the one code `PROJECT_WITHDRAWN`.
    pub(crate) fn live_project(&self, id: &str) -> Result<(Idx, &Project)> {
        let p = self.project(id)?;
        let project = &self.projects[p as usize];
        if project.dynamic.voided {
            return Err(self.withdrawn(project));
        }
        Ok((p, project))
    }

    /// The refusal of a command on a withdrawn project.
    pub(crate) fn withdrawn(&self, project: &Project) -> LedgerError {
        let agreement = &self.agreements[project.agreement as usize];
        LedgerError::ProjectWithdrawn {
            project: project.id.clone(),
            agreement: agreement.id.clone(),
            reversed_by: agreement.dynamic.reversed_by.unwrap_or_default(),
        }
    }

    pub(crate) fn open_project(&self, id: &str) -> Result<(Idx, &Project, &Agreement)> {
        let (p, project) = self.live_project(id)?;
        if project.dynamic.closed_on.is_some() {
            return Err(LedgerError::ProjectClosed { project: id.into() });
        }
        Ok((p, project, &self.agreements[project.agreement as usize]))
    }

    pub(crate) fn closed_project(&self, id: &str) -> Result<(Idx, &Project, &Agreement, NaiveDate)> {
        let (p, project) = self.live_project(id)?;
        match project.dynamic.closed_on {
            Some(closed_on) => Ok((p, project, &self.agreements[project.agreement as usize], closed_on)),
            None => Err(LedgerError::ProjectNotClosed { project: id.into() }),
        }
    }

    /// A project's cash: what its agreement has received less what the project has spent with
    /// PSC and moved out (transferred, refunded). The books hold it as the project's fund less
    /// what is still receivable on its agreement; it never goes below zero, so what the project
    /// can pay on `date` is the least it holds on `date` or any later date.
    pub(crate) fn project_cash_from(&self, p: Idx, date: NaiveDate) -> Decimal {
        let agreement = self.projects[p as usize].agreement;
        let currency = self.agreements[agreement as usize].currency;
        -self.largest_sum_from((AccountKey::ProjectFund(p), AccountKey::Receivable(agreement)), currency, date)
    }

    /// No project's cash goes below zero on any date: every project the plan takes cash from
    /// (spending, a balance moved out, a receipt reversed) holds it from the value date on.
    pub fn check_project_cash(&self, plan: &Plan) -> Result<()> {
        let Some(date) = plan.date else { return Ok(()) };
        let project_of = |account: AccountKey| match account {
            AccountKey::ProjectFund(p) => Some(p),
            // An agreement being signed is not registered yet: its signing takes no cash.
            AccountKey::Receivable(a) => match self.agreements.get(a as usize)?.funding {
                Funding::Project(p) => Some(p),
                Funding::Window { .. } => None,
            },
            _ => None,
        };
        let mut seen: Vec<Idx> = Vec::new();
        for posting in &plan.postings {
            let Some(p) = project_of(posting.account) else { continue };
            if seen.contains(&p) {
                continue;
            }
            seen.push(p);
            // Its cash falls by the debits to the fund and to the receivable (both negative when held).
            let taken = plan
                .postings
                .iter()
                .filter(|q| project_of(q.account) == Some(p))
                .try_fold(Decimal::ZERO, |sum, q| sum.checked_add(q.amount))
                .unwrap_or(Decimal::MAX);
            // A project being created (its signing) or one whose cash grows is not checked.
            if taken <= Decimal::ZERO || p as usize >= self.projects.len() {
                continue;
            }
            let available = self.project_cash_from(p, date);
            if taken > available {
                let currency = self.agreements[self.projects[p as usize].agreement as usize].currency;
                return Err(LedgerError::InsufficientFunds {
                    account: AccountKey::ProjectFund(p).name(self, currency),
                    currency: currency.code().into(),
                    available: money::format_amount(available.max(Decimal::ZERO), currency),
                    requested: money::format_amount(taken, currency),
                    shortfall: Shortfall::ProjectCash,
                });
            }
        }
        Ok(())
    }

    pub(crate) fn psc(&self, cost: Decimal, rate: Decimal, currency: Currency) -> Result<Decimal> {
        money::mul_round(cost, rate, currency.minor_unit(), self.settings.rounding).ok_or_else(|| {
            LedgerError::AmountTooLarge {
                field: "psc".into(),
                value: cost.to_string(),
                max_integer_digits: crate::limits::AMOUNT_INTEGER_DIGITS_MAX,
            }
        })
    }

    pub(crate) fn plan_expenditure(&self, c: &RecordExpenditure) -> Result<Plan> {
        if let Some(description) = &c.description {
            check_text("description", description, false)?;
        }
        match (&c.project, &c.resolution) {
            (Some(project), None) => self.plan_project_expenditure(project, c),
            (None, Some(resolution)) => self.plan_resolution_expenditure(resolution, c),
            _ => Err(LedgerError::invalid_command("record_expenditure needs exactly one of project and resolution")),
        }
    }

    pub(crate) fn plan_project_expenditure(&self, id: &str, c: &RecordExpenditure) -> Result<Plan> {
        let (p, project, agreement) = self.open_project(id)?;
        let currency = agreement.currency;
        Self::check_currency(currency, c.currency.as_deref())?;
        let cost = money::parse_amount("amount", c.amount.as_str(), currency)?;
        self.check_open(c.spent_on)?;
        Self::check_order("expenditure", c.spent_on, Some(agreement.signed_on))?;
        let psc = self.psc(cost, agreement.psc_rate, currency)?;
        let total = cost + psc;
        // Only money received can be spent: cost + PSC within the project's cash on the value
        // date and every later date (a project cannot spend in February money received in March).
        let cash = self.project_cash_from(p, c.spent_on);
        if total > cash {
            let in_all = agreement.dynamic.received - project.dynamic.spent - project.dynamic.psc;
            return Err(LedgerError::InsufficientFunds {
                account: AccountKey::ProjectFund(p).name(self, currency),
                currency: currency.code().into(),
                available: money::format_amount(cash.max(Decimal::ZERO), currency),
                requested: money::format_amount(total, currency),
                shortfall: overspent(
                    [cost, psc, agreement.dynamic.received, project.dynamic.spent + project.dynamic.psc],
                    agreement.psc_rate,
                    currency,
                    (cash != in_all).then_some(c.spent_on),
                ),
            });
        }
        let mut plan = Plan::dated(c.spent_on, Effect::Expenditure(Some(p)));
        plan.post(AccountKey::ProjectFund(p), currency, total);
        plan.post(AccountKey::Cash, currency, -cost);
        plan.post(AccountKey::IncomePsc, currency, -psc);
        let mut dynamic = project.dynamic;
        dynamic.spent += cost;
        dynamic.psc += psc;
        dynamic.last_activity = dynamic.last_activity.max(Some(c.spent_on));
        plan.changes.push(Change::Project(p, dynamic));
        Ok(plan)
    }

    pub(crate) fn plan_resolution_expenditure(&self, id: &str, c: &RecordExpenditure) -> Result<Plan> {
        let r = self.resolution(id)?;
        Self::check_currency(Currency::USD, c.currency.as_deref())?;
        let cost = money::parse_amount("amount", c.amount.as_str(), Currency::USD)?;
        self.check_open(c.spent_on)?;
        let psc = self.psc(cost, self.settings.window_psc_rate, Currency::USD)?;
        let mut plan = Plan::dated(c.spent_on, Effect::Expenditure(None));
        plan.post(AccountKey::ResolutionFund(r), Currency::USD, cost + psc);
        plan.post(AccountKey::Cash, Currency::USD, -cost);
        plan.post(AccountKey::IncomePsc, Currency::USD, -psc);
        Ok(plan)
    }

    pub(crate) fn plan_close(&self, c: &CloseProject, recorded_by: Option<&str>) -> Result<Plan> {
        let (p, project, agreement) = self.open_project(&c.project)?;
        self.check_approval("close_project", c.approved_by.as_deref(), recorded_by)?;
        self.check_open(c.closed_on)?;
        Self::check_order("closure", c.closed_on, project.dynamic.last_activity)?;
        let currency = agreement.currency;
        let cancelled = agreement.outstanding();
        let mut plan = Plan::dated(c.closed_on, Effect::Closure(p));
        plan.post(AccountKey::ProjectFund(p), currency, cancelled);
        plan.post(AccountKey::Receivable(project.agreement), currency, -cancelled);
        let mut a_dyn = agreement.dynamic;
        a_dyn.cancelled += cancelled;
        let mut dynamic = project.dynamic;
        dynamic.closed_on = Some(c.closed_on);
        self.remobilize(&mut plan, p, a_dyn.cancelled, dynamic)?;
        plan.changes.push(Change::Agreement(project.agreement, a_dyn));
        Ok(plan)
    }
}

/// The message's account of a project's overspending: `[cost, psc, received, spent]` (spent
/// with PSC) and the PSC rate. Out of line: it runs only for a refusal.
#[cold]
#[inline(never)]
fn overspent(amounts: [Decimal; 4], psc_rate: Decimal, currency: Currency, from: Option<NaiveDate>) -> Shortfall {
    let [cost, psc, received, spent] = amounts.map(|a| money::format_amount(a, currency));
    let psc_rate = crate::text::decimal(&psc_rate, &mut crate::text::DecimalBuf::default()).to_owned();
    let from = from.map(crate::calendar::format_date);
    Shortfall::Spending(Box::new(Spending { cost, psc_rate, psc, received, spent, from }))
}
