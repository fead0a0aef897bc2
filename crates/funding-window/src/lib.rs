//! # funding-window
//!
//! The books of UN-Habitat's urban action funding window, the pooled fund set
//! up by Assembly resolution 2/10 to finance underfunded resolutions.
//!
//! Donors sign contribution agreements (to the window, unearmarked or
//! soft-earmarked, or to a project); cash is received; projects spend with
//! programme support cost; a closed project's balance is refunded or, by the
//! donor's election under the agreement's clause, transferred into the window;
//! the window allocates money to the Assembly's resolutions by explicit
//! amounts, equal shares, pro rata to funding gaps or by weights; finance teams
//! report twice a year.
//!
//! The crate keeps those books exactly:
//!
//! * money is [`rust_decimal::Decimal`] at each currency's minor unit, parsed
//!   strictly and rounded only in named conversions and splits ([`money`], [`split`]);
//! * every [`Command`] is validated first and then appended as one balanced
//!   journal entry, or refused with a typed [`LedgerError`] leaving the ledger
//!   unchanged; [`Ledger::apply_batch`] is all or nothing;
//! * the journal is append-only and hash-chained (SHA-256); stored as JSON Lines
//!   it replays to the same state and the same report bytes ([`journal`]);
//! * reports are serde structs, identical from Rust, Python and JavaScript ([`report`]),
//!   over any [`ReportingPeriod`] (a year, half, quarter, month or range of dates), and each
//!   lays out its rows once, as a [`table::Table`] that the CSV export, the Python DataFrames
//!   and the dashboard all show;
//! * the contract (commands, requests, reports, results, errors) is declared once and
//!   described as data ([`contract`]), from which the bindings' types and tables are generated.
//!
//! The specification for users (every command, the posting rules, reports, periods, limits,
//! error codes and the journal format, with worked examples the test suite runs) is in the
//! repository's `docs/` directory, starting at `docs/README.md`.
//!
//! ```
//! use funding_window::{Ledger, Request};
//!
//! let mut ledger = Ledger::new();
//! let commands = r#"[
//!   {"type": "register_donor", "id": "SE", "name": "Sweden", "kind": "member_state"},
//!   {"type": "set_rate", "currency": "SEK", "month": "2024-03", "per_usd": "10.4512"},
//!   {"type": "sign_agreement", "id": "CA-SE-2024-01", "donor": "SE", "currency": "SEK",
//!    "amount": "10000000.00", "signed_on": "2024-03-12", "psc_rate": "0.07", "elective_transfer": false,
//!    "purpose": {"window": {"earmarked_to": ["2/4"]}}}
//! ]"#;
//! let batch: Vec<Request> = serde_json::from_str(commands).unwrap();
//! ledger.apply_batch(batch).unwrap();
//!
//! let window = ledger.window_balance(None);
//! assert_eq!(window.earmarked[0].resolution, "2/4");
//! assert_eq!(window.earmarked[0].amount.to_string(), "956827.92"); // SEK 10,000,000 at 10.4512
//! let tb = ledger.trial_balance(None);
//! assert!(tb.totals.values().all(|total| total.is_zero()));
//! ```
#![forbid(unsafe_code)]
// The WebAssembly build (Debian's compiler with RUSTC_BOOTSTRAP, bindings/wasm/build.sh) keeps the
// core at opt-level 3 for replay, and optimizes for size the code that runs once per call (reports,
// tables, exports, period arithmetic): the module must stay under 300 KB gzipped.
#![cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), feature(optimize_attribute))]
#![warn(missing_docs)]

mod account;
pub mod calendar;
pub mod command;
pub mod contract;
mod domain;
pub mod error;
pub mod export;
pub mod identity;
pub mod ids;
pub mod journal;
mod ledger;
pub mod limits;
pub mod money;
mod names;
mod plan;
mod records;
mod replay;
pub mod report;
mod series;
pub mod split;
mod state;
pub mod store;
pub mod table;
mod text;
pub(crate) mod written;

pub use allocation::{AllocationPreview, PreviewLine};
pub use calendar::{Month, Period, ReportingPeriod};
pub use command::{
    Allocate, AllocationSource, ClosePeriod, CloseProject, Command, Configure, DecimalString, DonorKind, Policy,
    ProjectPurpose, Purpose, RecordExpenditure, RecordReceipt, RefundBalance, RegisterDonor, RegisterResolution,
    Request, Reverse, SetRate, SetRequirement, SetStatus, SignAgreement, TransferBalance, WindowPurpose,
    DECIMAL_FIELDS, DECIMAL_TABLE_FIELDS,
};
pub use domain::allocation;
pub use error::{BatchError, LedgerError, Result, ERROR_CODES};
pub use export::{CsvReport, IatiOptions};
pub use journal::{JournalEntry, PostingLine, PostingRow};
pub use ledger::{Applied, Clock, Ledger, Recovery, Staged, StagedLine};
pub use money::{Currency, Money, RoundingRule};
pub use plan::Conversion;
pub use store::{ChainHead, JournalStore, MemoryStore};
