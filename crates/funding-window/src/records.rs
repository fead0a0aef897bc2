//! The registers' records: what the ledger keeps of each donor, resolution, agreement,
//! project, allocation, transfer and rate, and its settings. Data only: the rules that
//! create and change them live in the domain modules ([`crate::domain`]).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::calendar::Month;
use crate::command::{DonorKind, Policy};
use crate::ids::ResolutionId;
use crate::money::{Currency, RoundingRule};

/// Index into one of the registries.
pub(crate) type Idx = u32;

/// A donor.
#[derive(Debug, Clone)]
pub(crate) struct Donor {
    pub id: String,
    pub name: String,
    pub kind: DonorKind,
}

/// A resolution of the Assembly.
#[derive(Debug, Clone)]
pub(crate) struct Resolution {
    pub id: ResolutionId,
    pub id_text: String,
    pub title: String,
    pub status: Option<String>,
    /// Requirement in USD by effective date (`NaiveDate::MIN` for "always").
    pub requirement: Vec<(NaiveDate, Decimal)>,
}

/// What an agreement funds, resolved to indices.
#[derive(Debug, Clone)]
pub(crate) enum Funding {
    /// Window money; earmarks in resolution order (empty: unearmarked).
    Window { earmarks: Vec<Idx> },
    /// One project.
    Project(Idx),
}

/// A signed contribution agreement.
#[derive(Debug, Clone)]
pub(crate) struct Agreement {
    pub id: String,
    pub donor: Idx,
    pub currency: Currency,
    pub amount: Decimal,
    pub signed_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub psc_rate: Decimal,
    pub elective_transfer: bool,
    pub funding: Funding,
    /// UNORE units per USD in the signing month (`None` for USD agreements).
    pub sign_rate: Option<Decimal>,
    /// USD value at the signing month's rate.
    pub usd_value: Decimal,
    pub dynamic: AgreementDyn,
}

/// The parts of an agreement that change after signing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct AgreementDyn {
    pub received: Decimal,
    /// Receivable cancelled when its project closed.
    pub cancelled: Decimal,
    /// Realised FX difference on window receipts, in USD (positive: gain to the window).
    pub fx_usd: Decimal,
    pub last_receipt: Option<NaiveDate>,
    /// The entry that reversed the signature, if any.
    pub reversed_by: Option<u64>,
}

/// A project, created by its agreement.
#[derive(Debug, Clone)]
pub(crate) struct Project {
    pub id: String,
    pub agreement: Idx,
    pub resolution: Idx,
    pub dynamic: ProjectDyn,
}

/// The parts of a project that change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ProjectDyn {
    pub closed_on: Option<NaiveDate>,
    /// Set when the signature of its agreement is reversed.
    pub voided: bool,
    pub spent: Decimal,
    pub psc: Decimal,
    pub transferred: Decimal,
    pub refunded: Decimal,
    /// What the project currently counts as mobilized for its resolution, in USD.
    pub mobilized_usd: Decimal,
    /// Latest date of anything recorded on the project (closure may not precede it).
    pub last_activity: Option<NaiveDate>,
}

/// A UNORE rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rate {
    pub per_usd: Decimal,
    pub source: Option<String>,
}

/// Ledger settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    pub window_psc_rate: Decimal,
    pub rounding: RoundingRule,
    pub four_eyes: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { window_psc_rate: Decimal::new(7, 2), rounding: RoundingRule::HalfEven, four_eyes: false }
    }
}

/// Where an allocation drew its money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Unallocated,
    Earmarked(Idx),
}

/// One resolution's part of an allocation.
#[derive(Debug, Clone)]
pub(crate) struct AllocationLine {
    pub resolution: Idx,
    pub gap_before: Option<Decimal>,
    pub amount: Decimal,
}

/// An applied allocation decision.
#[derive(Debug, Clone)]
pub(crate) struct AllocationRecord {
    pub id: String,
    pub decided_on: NaiveDate,
    pub approved_by: Option<String>,
    pub policy: Policy,
    pub source: Source,
    pub lines: Vec<AllocationLine>,
    pub entry: u64,
    pub reversed: Option<(u64, NaiveDate)>,
}

/// An applied balance transfer.
#[derive(Debug, Clone)]
pub(crate) struct TransferRecord {
    pub project: Idx,
    pub amount: Decimal,
    pub usd: Decimal,
    pub rate: Option<Decimal>,
    pub rate_month: Option<Month>,
    pub elected_on: NaiveDate,
    pub election_ref: String,
    pub transferred_on: NaiveDate,
    pub approved_by: Option<String>,
    pub entry: u64,
    pub reversed: Option<(u64, NaiveDate)>,
}
