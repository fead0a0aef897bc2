//! Validation: each command becomes a [`Plan`] (postings, flows, changes) or a
//! typed error, reading the state only.
//!
//! The accounting of each command (the repository's `docs/posting-rules.md`):
//! signing debits the receivable and credits the fund it is for (window money
//! in USD through `equity:conversion`); a receipt moves receivable to cash
//! (window money in another currency adjusts the window fund by the FX
//! difference, against `equity:fx`); an expenditure debits the fund for cost +
//! PSC; closing a project cancels its open receivable; a transfer moves a
//! project fund into the window; a refund moves it to a liability to the donor.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::account::AccountKey;
use crate::calendar::{format_date, Month, Period};
use crate::command::{
    CloseProject, Command, Configure, Purpose, RecordExpenditure, RecordReceipt, RefundBalance, RegisterDonor,
    RegisterResolution, Request, SetRate, SetRequirement, SetStatus, SignAgreement, TransferBalance,
};
use crate::error::{LedgerError, Result};
use crate::ids::{check_id, check_text, ResolutionId};
use crate::limits::{RESOLUTIONS_MAX, RESOLUTIONS_PER_COMMAND_MAX};
use crate::money::{self, Currency};
use crate::split::largest_remainder;
use crate::state::{
    Agreement, AgreementDyn, Change, Conversion, Donor, Funding, Idx, Plan, Posting, Project, ProjectDyn, Rate,
    Resolution, SeriesKey, Settings, State, TransferRecord,
};

/// A converted amount and, when a conversion happened, its provenance.
pub(crate) struct Usd {
    pub amount: Decimal,
    pub rate: Option<(Decimal, Month)>,
}

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
            Command::Configure(c) => self.plan_configure(c)?,
            Command::SignAgreement(c) => self.plan_sign(c)?,
            Command::RecordReceipt(c) => self.plan_receipt(c)?,
            Command::RecordExpenditure(c) => self.plan_expenditure(c)?,
            Command::CloseProject(c) => self.plan_close(c)?,
            Command::TransferBalance(c) => self.plan_transfer(c, recorded_by, seq)?,
            Command::RefundBalance(c) => self.plan_refund(c)?,
            Command::Allocate(c) => self.plan_allocation(c, recorded_by, seq, false)?.0,
            Command::Reverse(_) => {
                return Err(LedgerError::invalid_command(
                    "reversals are planned by the ledger, which reads the journal",
                ))
            }
            Command::ClosePeriod(c) => self.plan_close_period(c.period)?,
        };
        self.check_funds(&plan)?;
        Ok(plan)
    }

    // ----- shared checks -------------------------------------------------------------------

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

    fn check_currency(expected: Currency, given: Option<&str>) -> Result<()> {
        match given {
            Some(code) if code != expected.code() => {
                Currency::from_code(code)?;
                Err(LedgerError::CurrencyMismatch { expected: expected.code().into(), found: code.into() })
            }
            _ => Ok(()),
        }
    }

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
            let delta = delta.unwrap_or(Decimal::MAX);
            if delta > Decimal::ZERO {
                let available = self.fund_available_from(account, currency, date);
                if delta > available {
                    return Err(LedgerError::InsufficientFunds {
                        account: account.name(self, currency),
                        currency: currency.code().into(),
                        available: money::format_amount(available.max(Decimal::ZERO), currency),
                        requested: money::format_amount(delta, currency),
                    });
                }
            }
        }
        Ok(())
    }

    // ----- conversions ---------------------------------------------------------------------

    /// The UNORE rate of `currency` in the month of `date`.
    pub fn rate_on(&self, currency: Currency, date: NaiveDate) -> Result<Decimal> {
        let month = Month::of(date);
        self.rates
            .get(&(currency, month))
            .map(|r| r.per_usd)
            .ok_or_else(|| LedgerError::MissingRate { currency: currency.code().into(), month: month.to_string() })
    }

    /// Converts to USD at the rate of the month of `date` (identity for USD).
    pub fn to_usd(&self, amount: Decimal, currency: Currency, date: NaiveDate) -> Result<Usd> {
        if currency == Currency::USD {
            return Ok(Usd { amount, rate: None });
        }
        let rate = self.rate_on(currency, date)?;
        let usd = self.divide_to_cents(amount, rate)?;
        Ok(Usd { amount: usd, rate: Some((rate, Month::of(date))) })
    }

    /// Converts at a rate to USD cents. The result must itself be an amount the ledger
    /// accepts (a tiny rate could otherwise blow an amount up past the limits that keep
    /// every sum in the books far from `Decimal`'s range).
    fn divide_to_cents(&self, amount: Decimal, rate: Decimal) -> Result<Decimal> {
        let usd =
            money::div_round(amount, rate, Currency::USD.minor_unit(), self.settings.rounding).ok_or_else(|| {
                LedgerError::AmountTooLarge {
                    field: "conversion".into(),
                    value: amount.to_string(),
                    max_integer_digits: crate::limits::AMOUNT_INTEGER_DIGITS_MAX,
                }
            })?;
        money::check_magnitude("conversion to USD", usd)?;
        Ok(usd)
    }

    /// Records a conversion's provenance in the plan.
    pub fn note_conversion(plan: &mut Plan, amount: Decimal, currency: Currency, usd: &Usd) {
        if let Some((rate, month)) = usd.rate {
            plan.conversions.push(Conversion {
                amount: money::format_amount(amount, currency).into(),
                currency,
                rate: rate.into(),
                month,
                usd: money::format_amount(usd.amount, Currency::USD).into(),
            });
        }
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

    // ----- registry commands ---------------------------------------------------------------

    fn plan_register_donor(&self, c: &RegisterDonor) -> Result<Plan> {
        check_id("donor", &c.id)?;
        check_text("name", &c.name, true)?;
        if self.donor_index.contains_key(&c.id) {
            return Err(LedgerError::DuplicateId { kind: "donor".into(), id: c.id.clone() });
        }
        Ok(Plan::undated(Change::PushDonor(Donor { id: c.id.clone(), name: c.name.clone(), kind: c.kind })))
    }

    fn plan_register_resolution(&self, c: &RegisterResolution) -> Result<Plan> {
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

    fn plan_set_status(&self, c: &SetStatus) -> Result<Plan> {
        let r = self.resolution(&c.resolution)?;
        check_text("status", &c.status, true)?;
        Ok(Plan::undated(Change::ResolutionStatus(r, Some(c.status.clone()))))
    }

    fn plan_set_rate(&self, c: &SetRate) -> Result<Plan> {
        let currency = Currency::from_code(&c.currency)?;
        if currency == Currency::USD {
            return Err(LedgerError::InvalidRate {
                field: "per_usd".into(),
                value: c.per_usd.to_string(),
                reason: "USD is the reporting currency; its rate is always 1".into(),
            });
        }
        let per_usd = money::parse_rate("per_usd", c.per_usd.as_str(), false, None)?;
        if let Some(source) = &c.source {
            check_text("source", source, false)?;
        }
        if self.rates.contains_key(&(currency, c.month)) {
            return Err(LedgerError::RateAlreadySet { currency: c.currency.clone(), month: c.month.to_string() });
        }
        Ok(Plan::undated(Change::Rate(currency, c.month, Rate { per_usd, source: c.source.clone() })))
    }

    fn plan_set_requirement(&self, c: &SetRequirement) -> Result<Plan> {
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

    fn plan_configure(&self, c: &Configure) -> Result<Plan> {
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

    fn plan_close_period(&self, period: Period) -> Result<Plan> {
        if let Some(closed) = self.closed_through {
            if period <= closed {
                return Err(LedgerError::PeriodClosed { period: period.to_string(), date: format_date(period.end()) });
            }
        }
        let mut plan = Plan::undated(Change::ClosedThrough(period));
        plan.date = Some(period.end());
        Ok(plan)
    }

    // ----- agreements ----------------------------------------------------------------------

    fn plan_sign(&self, c: &SignAgreement) -> Result<Plan> {
        check_id("agreement", &c.id)?;
        if self.agreement_index.contains_key(&c.id) {
            return Err(LedgerError::DuplicateId { kind: "agreement".into(), id: c.id.clone() });
        }
        let donor = self.donor(&c.donor)?;
        let currency = Currency::from_code(&c.currency)?;
        let amount = money::parse_amount("amount", c.amount.as_str(), currency)?;
        let psc_rate = money::parse_rate("psc_rate", c.psc_rate.as_str(), true, Some(Decimal::ONE))?;
        self.check_open(c.signed_on)?;
        if let Some(end) = c.ends_on {
            Self::check_order("agreement end", end, Some(c.signed_on))?;
        }
        let mut plan = Plan::dated(c.signed_on);
        let usd = self.to_usd(amount, currency, c.signed_on)?;
        let agreement_idx = self.agreements.len() as Idx;
        let mut agreement = Agreement {
            id: c.id.clone(),
            donor,
            currency,
            amount,
            signed_on: c.signed_on,
            ends_on: c.ends_on,
            psc_rate,
            elective_transfer: c.elective_transfer,
            funding: Funding::Window { earmarks: Vec::new() },
            sign_rate: usd.rate.map(|r| r.0),
            usd_value: usd.amount,
            dynamic: AgreementDyn::default(),
        };
        plan.post(AccountKey::Receivable(agreement_idx), currency, amount);
        match &c.purpose {
            Purpose::Project(p) => {
                check_id("project", &p.id)?;
                if self.project_index.contains_key(&p.id) {
                    return Err(LedgerError::DuplicateId { kind: "project".into(), id: p.id.clone() });
                }
                let resolution = self.resolution(&p.resolution)?;
                let project_idx = self.projects.len() as Idx;
                agreement.funding = Funding::Project(project_idx);
                plan.post(AccountKey::ProjectFund(project_idx), currency, -amount);
                let mut dynamic = ProjectDyn { last_activity: Some(c.signed_on), ..ProjectDyn::default() };
                dynamic.mobilized_usd = usd.amount;
                plan.flow(SeriesKey::Mobilized(resolution), usd.amount);
                Self::note_conversion(&mut plan, amount, currency, &usd);
                plan.changes.push(Change::PushAgreement(agreement));
                plan.changes.push(Change::PushProject(Project {
                    id: p.id.clone(),
                    agreement: agreement_idx,
                    resolution,
                    dynamic,
                }));
            }
            Purpose::Window(w) => {
                let earmarks = self.resolve_list(&w.earmarked_to, "earmarked_to")?;
                if currency != Currency::USD {
                    plan.post(AccountKey::EquityConversion, currency, -amount);
                    plan.post(AccountKey::EquityConversion, Currency::USD, usd.amount);
                }
                self.post_to_window(&mut plan, &earmarks, -usd.amount)?;
                plan.flow(SeriesKey::Contribution(donor), usd.amount);
                Self::note_conversion(&mut plan, amount, currency, &usd);
                agreement.funding = Funding::Window { earmarks };
                plan.changes.push(Change::PushAgreement(agreement));
            }
        }
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

    fn plan_receipt(&self, c: &RecordReceipt) -> Result<Plan> {
        let a = self.agreement(&c.agreement)?;
        let agreement = &self.agreements[a as usize];
        let currency = agreement.currency;
        Self::check_currency(currency, c.currency.as_deref())?;
        let amount = money::parse_amount("amount", c.amount.as_str(), currency)?;
        if let Some(reference) = &c.reference {
            check_text("reference", reference, false)?;
        }
        self.check_open(c.received_on)?;
        Self::check_order("receipt", c.received_on, Some(agreement.signed_on))?;
        let outstanding = agreement.outstanding();
        if amount > outstanding {
            return Err(LedgerError::ExceedsOutstanding {
                agreement: agreement.id.clone(),
                currency: currency.code().into(),
                outstanding: money::format_amount(outstanding, currency),
                amount: money::format_amount(amount, currency),
            });
        }
        let mut plan = Plan::dated(c.received_on);
        plan.post(AccountKey::Cash, currency, amount);
        plan.post(AccountKey::Receivable(a), currency, -amount);
        let mut dynamic = agreement.dynamic;
        dynamic.received += amount;
        dynamic.last_receipt = Some(dynamic.last_receipt.map_or(c.received_on, |d| d.max(c.received_on)));
        match (&agreement.funding, agreement.sign_rate) {
            (Funding::Window { earmarks }, Some(sign_rate)) => {
                // The window fund was credited at the signing month's rate; the receipt is
                // worth what the receipt month's rate says. The difference adjusts the fund.
                let at_receipt = self.to_usd(amount, currency, c.received_on)?;
                let before = self.divide_to_cents(agreement.dynamic.received, sign_rate)?;
                let after = self.divide_to_cents(dynamic.received, sign_rate)?;
                let fx = at_receipt.amount - (after - before);
                Self::note_conversion(&mut plan, amount, currency, &at_receipt);
                self.post_to_window(&mut plan, earmarks, -fx)?;
                plan.post(AccountKey::EquityFx, Currency::USD, fx);
                plan.flow(SeriesKey::OtherIncome, fx);
                dynamic.fx_usd += fx;
            }
            (Funding::Project(p), _) => {
                let mut project = self.projects[*p as usize].dynamic;
                project.last_activity = project.last_activity.max(Some(c.received_on));
                plan.changes.push(Change::Project(*p, project));
            }
            (Funding::Window { .. }, None) => {}
        }
        plan.changes.push(Change::Agreement(a, dynamic));
        Ok(plan)
    }

    // ----- projects ------------------------------------------------------------------------

    fn open_project(&self, id: &str) -> Result<(Idx, &Project, &Agreement)> {
        let p = self.project(id)?;
        let project = &self.projects[p as usize];
        if project.dynamic.closed_on.is_some() || project.dynamic.voided {
            return Err(LedgerError::ProjectClosed { project: id.into() });
        }
        Ok((p, project, &self.agreements[project.agreement as usize]))
    }

    fn closed_project(&self, id: &str) -> Result<(Idx, &Project, &Agreement, NaiveDate)> {
        let p = self.project(id)?;
        let project = &self.projects[p as usize];
        match project.dynamic.closed_on {
            Some(closed_on) if !project.dynamic.voided => {
                Ok((p, project, &self.agreements[project.agreement as usize], closed_on))
            }
            _ => Err(LedgerError::ProjectNotClosed { project: id.into() }),
        }
    }

    fn psc(&self, cost: Decimal, rate: Decimal, currency: Currency) -> Result<Decimal> {
        money::mul_round(cost, rate, currency.minor_unit(), self.settings.rounding).ok_or_else(|| {
            LedgerError::AmountTooLarge {
                field: "psc".into(),
                value: cost.to_string(),
                max_integer_digits: crate::limits::AMOUNT_INTEGER_DIGITS_MAX,
            }
        })
    }

    fn plan_expenditure(&self, c: &RecordExpenditure) -> Result<Plan> {
        if let Some(description) = &c.description {
            check_text("description", description, false)?;
        }
        match (&c.project, &c.resolution) {
            (Some(project), None) => self.plan_project_expenditure(project, c),
            (None, Some(resolution)) => self.plan_resolution_expenditure(resolution, c),
            _ => Err(LedgerError::invalid_command("record_expenditure needs exactly one of project and resolution")),
        }
    }

    fn plan_project_expenditure(&self, id: &str, c: &RecordExpenditure) -> Result<Plan> {
        let (p, project, agreement) = self.open_project(id)?;
        let currency = agreement.currency;
        Self::check_currency(currency, c.currency.as_deref())?;
        let cost = money::parse_amount("amount", c.amount.as_str(), currency)?;
        self.check_open(c.spent_on)?;
        Self::check_order("expenditure", c.spent_on, Some(agreement.signed_on))?;
        let psc = self.psc(cost, agreement.psc_rate, currency)?;
        let total = cost + psc;
        // Only money received can be spent: cost + PSC within received − spent − PSC so far.
        let cash = agreement.dynamic.received - project.dynamic.spent - project.dynamic.psc;
        if total > cash {
            return Err(LedgerError::InsufficientFunds {
                account: AccountKey::ProjectFund(p).name(self, currency),
                currency: currency.code().into(),
                available: money::format_amount(cash, currency),
                requested: money::format_amount(total, currency),
            });
        }
        let mut plan = Plan::dated(c.spent_on);
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

    fn plan_resolution_expenditure(&self, id: &str, c: &RecordExpenditure) -> Result<Plan> {
        let r = self.resolution(id)?;
        Self::check_currency(Currency::USD, c.currency.as_deref())?;
        let cost = money::parse_amount("amount", c.amount.as_str(), Currency::USD)?;
        self.check_open(c.spent_on)?;
        let psc = self.psc(cost, self.settings.window_psc_rate, Currency::USD)?;
        let mut plan = Plan::dated(c.spent_on);
        plan.post(AccountKey::ResolutionFund(r), Currency::USD, cost + psc);
        plan.post(AccountKey::Cash, Currency::USD, -cost);
        plan.post(AccountKey::IncomePsc, Currency::USD, -psc);
        Ok(plan)
    }

    fn plan_close(&self, c: &CloseProject) -> Result<Plan> {
        let (p, project, agreement) = self.open_project(&c.project)?;
        self.check_open(c.closed_on)?;
        Self::check_order("closure", c.closed_on, project.dynamic.last_activity)?;
        let currency = agreement.currency;
        let cancelled = agreement.outstanding();
        let mut plan = Plan::dated(c.closed_on);
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

    /// The amount of a transfer or refund: all that is left (`None`) or a part of it.
    fn balance_to_move(&self, p: Idx, id: &str, amount: Option<&str>, currency: Currency) -> Result<Decimal> {
        let left = self.fund(AccountKey::ProjectFund(p), currency, None);
        if left <= Decimal::ZERO {
            return Err(LedgerError::NoBalance { project: id.into() });
        }
        let Some(text) = amount else { return Ok(left) };
        let amount = money::parse_amount("amount", text, currency)?;
        if amount > left {
            return Err(LedgerError::InsufficientFunds {
                account: AccountKey::ProjectFund(p).name(self, currency),
                currency: currency.code().into(),
                available: money::format_amount(left, currency),
                requested: money::format_amount(amount, currency),
            });
        }
        Ok(amount)
    }

    fn plan_transfer(&self, c: &TransferBalance, recorded_by: Option<&str>, seq: u64) -> Result<Plan> {
        let (p, project, agreement, closed_on) = self.closed_project(&c.project)?;
        if !agreement.elective_transfer {
            return Err(LedgerError::NoTransferClause { project: c.project.clone(), agreement: agreement.id.clone() });
        }
        let (elected_on, election_ref) = match (c.elected_on, c.election_ref.as_deref().map(str::trim)) {
            (Some(date), Some(reference)) if !reference.is_empty() => (date, reference),
            _ => return Err(LedgerError::TransferNotElected { project: c.project.clone() }),
        };
        check_text("election_ref", election_ref, true)?;
        self.check_approval("transfer_balance", c.approved_by.as_deref(), recorded_by)?;
        self.check_open(c.transferred_on)?;
        Self::check_order("transfer", c.transferred_on, Some(closed_on.max(elected_on)))?;
        let currency = agreement.currency;
        let amount = self.balance_to_move(p, &c.project, c.amount.as_ref().map(|a| a.as_str()), currency)?;
        let usd = self.to_usd(amount, currency, c.transferred_on)?;
        let mut plan = Plan::dated(c.transferred_on);
        plan.post(AccountKey::ProjectFund(p), currency, amount);
        if currency != Currency::USD {
            plan.post(AccountKey::EquityConversion, currency, -amount);
            plan.post(AccountKey::EquityConversion, Currency::USD, usd.amount);
        }
        plan.post(AccountKey::WindowUnallocated, Currency::USD, -usd.amount);
        plan.flow(SeriesKey::TransferIn, usd.amount);
        Self::note_conversion(&mut plan, amount, currency, &usd);
        let mut dynamic = project.dynamic;
        dynamic.transferred += amount;
        self.remobilize(&mut plan, p, agreement.dynamic.cancelled, dynamic)?;
        plan.changes.push(Change::PushTransfer(TransferRecord {
            project: p,
            amount,
            usd: usd.amount,
            rate: usd.rate.map(|r| r.0),
            rate_month: usd.rate.map(|r| r.1),
            elected_on,
            election_ref: election_ref.to_owned(),
            transferred_on: c.transferred_on,
            approved_by: c.approved_by.clone(),
            entry: seq,
            reversed: None,
        }));
        Ok(plan)
    }

    fn plan_refund(&self, c: &RefundBalance) -> Result<Plan> {
        let (p, project, agreement, closed_on) = self.closed_project(&c.project)?;
        self.check_open(c.refunded_on)?;
        Self::check_order("refund", c.refunded_on, Some(closed_on))?;
        let currency = agreement.currency;
        let amount = self.balance_to_move(p, &c.project, c.amount.as_ref().map(|a| a.as_str()), currency)?;
        let mut plan = Plan::dated(c.refunded_on);
        plan.post(AccountKey::ProjectFund(p), currency, amount);
        plan.post(AccountKey::RefundLiability(agreement.donor), currency, -amount);
        let mut dynamic = project.dynamic;
        dynamic.refunded += amount;
        self.remobilize(&mut plan, p, agreement.dynamic.cancelled, dynamic)?;
        Ok(plan)
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
