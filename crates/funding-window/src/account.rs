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

use crate::records::Idx;

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
}
