//! What a command will do, computed before anything changes: a [`Plan`] of postings,
//! flows of the running series and [`Change`]s of the registers, which the state commits
//! ([`crate::state`]). The domain modules ([`crate::domain`]) make plans; this module
//! knows no rule of the domain.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::account::AccountKey;
use crate::calendar::{Month, Period};
use crate::command::DecimalString;
use crate::contract::describe::contract;
use crate::money::Currency;
use crate::records::{
    Agreement, AgreementDyn, AllocationRecord, Donor, Idx, Project, ProjectDyn, Rate, Resolution, Settings,
    TransferRecord,
};

/// Running totals kept besides account balances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum SeriesKey {
    /// An account's balance in one currency.
    Balance(AccountKey, Currency),
    /// Money mobilized for a resolution (USD).
    Mobilized(Idx),
    /// Window allocations to a resolution, net of reversals (USD).
    Allocated(Idx),
    /// Window contributions by a donor (USD).
    Contribution(Idx),
    /// Project balances transferred into the window (USD).
    TransferIn,
    /// FX differences on window receipts (USD).
    OtherIncome,
}

/// One leg of a journal entry, debit-positive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Posting {
    pub account: AccountKey,
    pub currency: Currency,
    pub amount: Decimal,
}

contract! {
    /// A conversion to USD, kept with the entry as provenance.
    #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
    pub struct Conversion {
        /// Original amount.
        pub amount: DecimalString,
        /// Original currency.
        pub currency: Currency,
        /// UNORE units per USD.
        pub rate: DecimalString,
        /// Month of the rate.
        pub month: Month,
        /// USD value, rounded to the cent.
        pub usd: DecimalString,
    }
}

/// A mutation of the registries, with a well-defined inverse.
#[derive(Debug, Clone)]
pub(crate) enum Change {
    PushDonor(Donor),
    PushResolution(Resolution),
    PushAgreement(Agreement),
    PushProject(Project),
    PushAllocation(AllocationRecord),
    PushTransfer(TransferRecord),
    ResolutionStatus(Idx, Option<String>),
    Requirement(Idx, Vec<(NaiveDate, Decimal)>),
    Rate(Currency, Month, Rate),
    Settings(Settings),
    ClosedThrough(Period),
    Agreement(Idx, AgreementDyn),
    Project(Idx, ProjectDyn),
    AllocationReversed(Idx, u64, NaiveDate),
    TransferReversed(Idx, u64, NaiveDate),
    EntryReversed(u64, u64),
}

/// What an entry changed in the registers, kept with its postings for every entry so that a
/// reversal undoes it from typed data, without reading the journal back. Each command that
/// posts names its effect when its plan is made ([`Plan::dated`] takes one); the reversal
/// matches on it with no fall-through ([`crate::domain::reversal`]), so a new kind of effect
/// does not compile until its reversal is decided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Posts nothing (a registration, a rate, a setting, a requirement, a period closed):
    /// not reversed; a new command says what it means instead.
    #[default]
    PostsNothing,
    /// A reversal, never reversed itself.
    Reversal,
    /// The agreement signed.
    Signature(Idx),
    /// The agreement a receipt was recorded against.
    Receipt(Idx),
    /// The project charged (`None`: a resolution's expenditure).
    Expenditure(Option<Idx>),
    /// The project closed.
    Closure(Idx),
    /// The project whose balance was transferred, and the transfer's record.
    Transfer {
        /// The project.
        project: Idx,
        /// Its record among the transfers.
        transfer: Idx,
    },
    /// The project whose balance was refunded.
    Refund(Idx),
    /// The allocation's record.
    Allocation(Idx),
    /// A conversion of cash between currencies: it moves cash only, so its negated postings
    /// undo all of it.
    Conversion,
}

impl Effect {
    /// Whether the entry's postings are kept for a later reversal (a reversal, and a command
    /// that posts nothing, is never reversed).
    pub fn keeps_postings(self) -> bool {
        !matches!(self, Effect::PostsNothing | Effect::Reversal)
    }
}

/// Everything one command does, computed before anything changes.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub date: Option<NaiveDate>,
    /// What a reversal of the entry will undo.
    pub effect: Effect,
    pub postings: Vec<Posting>,
    /// Deltas of non-balance series, dated at `date`.
    pub flows: Vec<(SeriesKey, Decimal)>,
    pub conversions: Vec<Conversion>,
    pub changes: Vec<Change>,
    /// The part of a window receipt's FX loss that its earmarks could not cover: the one debit
    /// `funds:window:unallocated` takes even below zero (see [`crate::domain::window`]).
    pub fx_loss_on_unallocated: Decimal,
}

impl Plan {
    /// A plan that posts on `date`, with the effect a reversal of it will undo.
    pub fn dated(date: NaiveDate, effect: Effect) -> Plan {
        Plan { date: Some(date), effect, ..Plan::default() }
    }

    /// A plan that changes the registers and posts nothing (never reversed).
    pub fn undated(change: Change) -> Plan {
        Plan { changes: vec![change], ..Plan::default() }
    }

    /// Adds a posting; zero amounts are left out.
    pub fn post(&mut self, account: AccountKey, currency: Currency, amount: Decimal) {
        if !amount.is_zero() {
            self.postings.push(Posting { account, currency, amount });
        }
    }

    /// Adds a flow; zero amounts are left out.
    pub fn flow(&mut self, key: SeriesKey, amount: Decimal) {
        if !amount.is_zero() {
            self.flows.push((key, amount));
        }
    }
}
