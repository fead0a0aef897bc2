//! The accounts of the books and their names, which are part of the contract.
//!
//! | account | meaning |
//! |---|---|
//! | `assets:cash:CCY` | cash held, per currency |
//! | `assets:receivable:AGREEMENT` | committed by a signed agreement, not yet received |
//! | `funds:project:PROJECT` | restricted to a project |
//! | `funds:window:unallocated` | window money free to allocate (USD) |
//! | `funds:window:earmarked:RES` | window money soft-earmarked to a resolution (USD) |
//! | `funds:resolution:RES` | allocated from the window to a resolution (USD) |
//! | `income:psc` | programme support cost earned |
//! | `liabilities:refund:DONOR` | balances owed back to donors |
//! | `equity:fx` | realised exchange differences |
//! | `equity:conversion` | the two legs of a currency conversion |
//!
//! Balances are debit-positive: assets positive; funds, income and liabilities negative.

use crate::money::Currency;
use crate::state::{Idx, State};

/// An account, with ids interned as indices into the ledger's registries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum AccountKey {
    Cash,
    Receivable(Idx),
    ProjectFund(Idx),
    WindowUnallocated,
    WindowEarmarked(Idx),
    ResolutionFund(Idx),
    IncomePsc,
    RefundLiability(Idx),
    EquityFx,
    EquityConversion,
}

impl AccountKey {
    /// Funds (and refund liabilities) are credit balances that may never turn into debits.
    pub fn is_credit_fund(self) -> bool {
        matches!(
            self,
            AccountKey::ProjectFund(_)
                | AccountKey::WindowUnallocated
                | AccountKey::WindowEarmarked(_)
                | AccountKey::ResolutionFund(_)
                | AccountKey::RefundLiability(_)
        )
    }

    /// The contract name of the account (`funds:resolution:2-4`).
    pub fn name(self, state: &State, currency: Currency) -> String {
        match self {
            AccountKey::Cash => format!("assets:cash:{currency}"),
            AccountKey::Receivable(a) => {
                format!("assets:receivable:{}", state.agreements[a as usize].id)
            }
            AccountKey::ProjectFund(p) => {
                format!("funds:project:{}", state.projects[p as usize].id)
            }
            AccountKey::WindowUnallocated => "funds:window:unallocated".to_owned(),
            AccountKey::WindowEarmarked(r) => {
                format!("funds:window:earmarked:{}", state.resolutions[r as usize].id.account_part())
            }
            AccountKey::ResolutionFund(r) => {
                format!("funds:resolution:{}", state.resolutions[r as usize].id.account_part())
            }
            AccountKey::IncomePsc => "income:psc".to_owned(),
            AccountKey::RefundLiability(d) => {
                format!("liabilities:refund:{}", state.donors[d as usize].id)
            }
            AccountKey::EquityFx => "equity:fx".to_owned(),
            AccountKey::EquityConversion => "equity:conversion".to_owned(),
        }
    }

    /// Resolves an account name. Cash names carry their currency, returned alongside.
    pub fn parse(state: &State, name: &str) -> Option<(AccountKey, Option<Currency>)> {
        let key = match name {
            "funds:window:unallocated" => AccountKey::WindowUnallocated,
            "income:psc" => AccountKey::IncomePsc,
            "equity:fx" => AccountKey::EquityFx,
            "equity:conversion" => AccountKey::EquityConversion,
            _ => {
                let resolution = |part: &str| state.resolution_by_account_part(part);
                if let Some(code) = name.strip_prefix("assets:cash:") {
                    return Currency::from_code(code).ok().map(|c| (AccountKey::Cash, Some(c)));
                } else if let Some(id) = name.strip_prefix("assets:receivable:") {
                    AccountKey::Receivable(*state.agreement_index.get(id)?)
                } else if let Some(id) = name.strip_prefix("funds:project:") {
                    AccountKey::ProjectFund(*state.project_index.get(id)?)
                } else if let Some(part) = name.strip_prefix("funds:window:earmarked:") {
                    AccountKey::WindowEarmarked(resolution(part)?)
                } else if let Some(part) = name.strip_prefix("funds:resolution:") {
                    AccountKey::ResolutionFund(resolution(part)?)
                } else if let Some(id) = name.strip_prefix("liabilities:refund:") {
                    AccountKey::RefundLiability(*state.donor_index.get(id)?)
                } else {
                    return None;
                }
            }
        };
        Some((key, None))
    }
}
