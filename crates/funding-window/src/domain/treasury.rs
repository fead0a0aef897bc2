//! Treasury and FX: the UNORE rates, conversions to USD at the rate of the month (recorded
//! with the entry as provenance), the currency a command names, and cash: no cash account
//! goes below zero on any date, and treasury converts cash between currencies at the bank's
//! amounts (`convert_cash`).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::account::AccountKey;
use crate::calendar::Month;
use crate::command::{ConvertCash, SetRate};
use crate::error::{LedgerError, Result, Shortfall};
use crate::ids::check_text;
use crate::money::{self, Currency};
use crate::plan::{Change, Conversion, Effect, Plan};
use crate::records::Rate;
use crate::state::State;

/// A converted amount and, when a conversion happened, its provenance.
pub(crate) struct Usd {
    pub amount: Decimal,
    pub rate: Option<(Decimal, Month)>,
}

impl State {
    pub(crate) fn plan_set_rate(&self, c: &SetRate) -> Result<Plan> {
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

    /// A conversion of cash: the bank's two amounts, each through `equity:conversion` in its
    /// currency. No fund changes (funds are kept in their own currencies or in USD, whatever
    /// the cash is held in); the cash sold must be held on the value date and every later date.
    pub(crate) fn plan_convert_cash(&self, c: &ConvertCash, recorded_by: Option<&str>) -> Result<Plan> {
        let from = Currency::from_code(&c.from)?;
        let to = Currency::from_code(&c.to)?;
        if from == to {
            return Err(LedgerError::invalid_command(format!(
                "convert_cash converts between two currencies; from and to are both {}",
                from.code()
            )));
        }
        let amount = money::parse_amount("amount", c.amount.as_str(), from)?;
        let received = money::parse_amount("received", c.received.as_str(), to)?;
        if let Some(reference) = &c.reference {
            check_text("reference", reference, false)?;
        }
        self.check_approval("convert_cash", c.approved_by.as_deref(), recorded_by)?;
        self.check_open(c.converted_on)?;
        let mut plan = Plan::dated(c.converted_on, Effect::Conversion);
        plan.post(AccountKey::Cash, from, -amount);
        plan.post(AccountKey::EquityConversion, from, amount);
        plan.post(AccountKey::EquityConversion, to, -received);
        plan.post(AccountKey::Cash, to, received);
        Ok(plan)
    }

    /// No cash account goes below zero on any date: cash the plan pays out of a currency
    /// (spending, a conversion, a receipt reversed) must be held on the value date and every
    /// later date.
    pub fn check_cash(&self, plan: &Plan) -> Result<()> {
        let Some(date) = plan.date else { return Ok(()) };
        let postings = &plan.postings;
        for (i, p) in postings.iter().enumerate() {
            let same = |q: &&crate::plan::Posting| q.account == AccountKey::Cash && q.currency == p.currency;
            if p.account != AccountKey::Cash || postings[..i].iter().any(|q| same(&q)) {
                continue;
            }
            let paid = postings[i..].iter().filter(same).try_fold(Decimal::ZERO, |sum, q| sum.checked_sub(q.amount));
            let paid = paid.unwrap_or(Decimal::MAX);
            if paid <= Decimal::ZERO {
                continue;
            }
            let held = self.least_balance_from(AccountKey::Cash, p.currency, date);
            if paid > held {
                return Err(LedgerError::InsufficientFunds {
                    account: AccountKey::Cash.name(self, p.currency),
                    currency: p.currency.code().into(),
                    available: money::format_amount(held.max(Decimal::ZERO), p.currency),
                    requested: money::format_amount(paid, p.currency),
                    shortfall: Shortfall::Cash,
                });
            }
        }
        Ok(())
    }

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
    pub(crate) fn divide_to_cents(&self, amount: Decimal, rate: Decimal) -> Result<Decimal> {
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

    pub(crate) fn check_currency(expected: Currency, given: Option<&str>) -> Result<()> {
        match given {
            Some(code) if code != expected.code() => {
                Currency::from_code(code)?;
                Err(LedgerError::CurrencyMismatch { expected: expected.code().into(), found: code.into() })
            }
            _ => Ok(()),
        }
    }
}
