//! Contribution agreements and receipts: signing (the receivable and the fund it is for,
//! window money in USD at the signing month's rate), receiving cash against what is
//! outstanding, and the FX difference a window receipt makes.

use rust_decimal::Decimal;

use crate::account::AccountKey;
use crate::calendar::Month;
use crate::command::{Purpose, RecordReceipt, SignAgreement};
use crate::domain::treasury::Usd;
use crate::error::{LedgerError, Result};
use crate::ids::{check_id, check_text};
use crate::money::{self, Currency};
use crate::plan::{Change, Effect, Plan, SeriesKey};
use crate::records::{Agreement, AgreementDyn, Funding, Idx, Project, ProjectDyn};
use crate::state::State;

impl State {
    pub(crate) fn plan_sign(&self, c: &SignAgreement) -> Result<Plan> {
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
        let usd = self.to_usd(amount, currency, c.signed_on)?;
        let agreement_idx = self.agreements.len() as Idx;
        let mut plan = Plan::dated(c.signed_on, Effect::Signature(agreement_idx));
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
                State::count_new_project(&mut plan, resolution, &mut dynamic, usd.amount);
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

    pub(crate) fn plan_receipt(&self, c: &RecordReceipt) -> Result<Plan> {
        let a = self.agreement(&c.agreement)?;
        let agreement = &self.agreements[a as usize];
        if let Funding::Project(p) = agreement.funding {
            let project = &self.projects[p as usize];
            if project.dynamic.voided {
                return Err(self.withdrawn(project));
            }
        }
        let currency = agreement.currency;
        Self::check_currency(currency, c.currency.as_deref())?;
        let amount = money::parse_amount("amount", c.amount.as_str(), currency)?;
        if let Some(reference) = &c.reference {
            check_text("reference", reference, false)?;
        }
        self.check_open(c.received_on)?;
        Self::check_order("receipt", c.received_on, Some(agreement.signed_on))?;
        let outstanding = self.outstanding_from(a, c.received_on);
        if amount > outstanding {
            return Err(LedgerError::ExceedsOutstanding {
                agreement: agreement.id.clone(),
                currency: currency.code().into(),
                outstanding: money::format_amount(outstanding, currency),
                amount: money::format_amount(amount, currency),
            });
        }
        let mut plan = Plan::dated(c.received_on, Effect::Receipt(a));
        plan.post(AccountKey::Cash, currency, amount);
        plan.post(AccountKey::Receivable(a), currency, -amount);
        let mut dynamic = agreement.dynamic;
        dynamic.received += amount;
        dynamic.last_receipt = Some(dynamic.last_receipt.map_or(c.received_on, |d| d.max(c.received_on)));
        match (&agreement.funding, agreement.sign_rate) {
            (Funding::Window { earmarks }, Some(sign_rate)) => {
                let fx = self.receipt_fx(agreement.dynamic.received, amount, sign_rate, currency, c.received_on)?;
                let usd = Usd { amount: fx.slice + fx.difference, rate: Some((fx.rate, Month::of(c.received_on))) };
                Self::note_conversion(&mut plan, amount, currency, &usd);
                self.post_fx_to_window(&mut plan, earmarks, fx.difference)?;
                plan.post(AccountKey::EquityFx, Currency::USD, fx.difference);
                plan.flow(SeriesKey::OtherIncome, fx.difference);
                dynamic.fx_usd += fx.difference;
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
}

impl State {
    /// What may still be received on an agreement on `date`: the least of its amount less what is
    /// received and cancelled on `date` and every later date (the receivable never goes below
    /// zero, so a receipt back-dated before later receipts is covered by what they leave).
    pub(crate) fn outstanding_from(&self, a: Idx, date: chrono::NaiveDate) -> Decimal {
        let currency = self.agreements[a as usize].currency;
        self.least_balance_from(AccountKey::Receivable(a), currency, date).max(Decimal::ZERO)
    }
}

/// What a window receipt in another currency is worth, against what the signing booked for it.
pub(crate) struct ReceiptFx {
    /// The receipt month's rate.
    pub rate: Decimal,
    /// The USD the signing credited for this receipt's part of the agreement.
    pub slice: Decimal,
    /// The receipt's USD value less `slice`: positive a gain, negative a loss.
    pub difference: Decimal,
}

impl State {
    /// The FX difference of a window receipt of `amount` after `received_before` (DOMAIN.md:
    /// the receipt month's rate against the signing month's).
    ///
    /// The signing credited `round(amount / sign_rate)` for the whole agreement; a receipt
    /// releases the slice of it that the running total of receipts adds, so that the slices of
    /// all receipts add up to exactly what the signing credited. The receipt is worth
    /// `round(amount / rate)` at the receipt month's rate, except at the signing month's rate,
    /// where it is worth exactly its slice: rounding the receipt alone there made equal rates
    /// book stray cents (SEK 10.00, 10.00 and 80.00 at 3.0000: 3.33 against a slice of 3.34,
    /// then 26.67 against 26.66). So the difference is zero whenever the rates are equal, and
    /// the differences of all receipts add up to what they were worth less what the signing
    /// credited, to the cent.
    pub(crate) fn receipt_fx(
        &self,
        received_before: Decimal,
        amount: Decimal,
        sign_rate: Decimal,
        currency: Currency,
        received_on: chrono::NaiveDate,
    ) -> Result<ReceiptFx> {
        let rate = self.rate_on(currency, received_on)?;
        let received = received_before + amount;
        let slice = self.divide_to_cents(received, sign_rate)? - self.divide_to_cents(received_before, sign_rate)?;
        let value = if rate == sign_rate { slice } else { self.divide_to_cents(amount, rate)? };
        Ok(ReceiptFx { rate, slice, difference: value - slice })
    }
}

impl Agreement {
    /// Amount − receipts − cancelled (zero once the signature is reversed).
    pub fn outstanding(&self) -> Decimal {
        if self.dynamic.reversed_by.is_some() {
            return Decimal::ZERO;
        }
        self.amount - self.dynamic.received - self.dynamic.cancelled
    }
}
