//! Exports: the books in the formats finance teams already use.
//!
//! Three formats, one call each on [`Ledger`]; every front end (Rust, Python,
//! JavaScript) gets the same bytes because the text is made here, in the core:
//!
//! | call | format |
//! |---|---|
//! | [`Ledger::export_csv`]`(&`[`CsvReport`]`)` | one report as CSV (RFC 4180: CRLF, quoted when needed, header row; formulas neutralised) |
//! | [`Ledger::export_iati`]`(&`[`IatiOptions`]`)` | IATI 2.03 activity XML: the window (and its projects) with their transactions |
//! | [`Ledger::export_hledger`]`()` | a plain-text journal that `hledger` and `ledger` read; `hledger bal` gives our trial balance |
//! | `Ledger::export_xlsx(&XlsxOptions)` (feature `xlsx`) | the report pack as an Excel workbook, one sheet per report |
//!
//! Bindings pass their arguments as JSON-like values: [`CsvReport::from_args`]
//! takes a report name and an `args` object (the names and arguments of the
//! conformance scenarios, plus `journal`); [`IatiOptions::from_value`] takes an
//! options object. Exports only read the ledger.
//!
//! ```
//! use funding_window::{export::CsvReport, Ledger, Request};
//!
//! let mut ledger = Ledger::new();
//! for json in [
//!     r#"{"type": "register_donor", "id": "NO", "name": "Norway", "kind": "member_state"}"#,
//!     r#"{"type": "sign_agreement", "id": "CA-NO-1", "donor": "NO", "currency": "USD", "amount": "900000.00",
//!         "signed_on": "2024-02-01", "psc_rate": "0.07", "elective_transfer": false,
//!         "purpose": {"window": {"earmarked_to": []}}}"#,
//! ] {
//!     ledger.apply(Request::from_json(json).unwrap()).unwrap();
//! }
//! let csv = ledger.export_csv(&CsvReport::TrialBalance { as_of: None }).unwrap();
//! assert_eq!(
//!     csv,
//!     "account,currency,balance\r\n\
//!      assets:receivable:CA-NO-1,USD,900000.00\r\n\
//!      funds:window:unallocated,USD,-900000.00\r\n"
//! );
//! let journal = ledger.export_hledger().unwrap();
//! assert!(journal.contains("    funds:window:unallocated  -900000.00 USD\n"));
//! ```

mod csv;
mod format;
mod hledger;
mod iati;
#[cfg(feature = "xlsx")]
mod xlsx;

#[cfg(feature = "xlsx")]
pub use self::xlsx::{excel_number, XlsxOptions, EXCEL_ROWS_MAX, EXCEL_SIGNIFICANT_DIGITS, SHEETS};

pub use self::csv::{CsvReport, CSV_REPORTS};
pub use self::iati::{
    IatiOptions, UN_HABITAT_ORG_NAME, UN_HABITAT_ORG_REF, UN_HABITAT_ORG_TYPE, WINDOW_ACTIVITY_SUFFIX,
};

use crate::error::Result;
use crate::ledger::Ledger;

impl Ledger {
    /// One report as CSV text (RFC 4180).
    ///
    /// Lines end in CRLF; a field holding `"`, `,`, CR or LF is quoted, with inner
    /// quotes doubled; the first line names the columns. Amounts are written
    /// exactly as in the JSON reports (`"-956827.92"`), dates as `YYYY-MM-DD`,
    /// and `null` as an empty field. A text cell that begins with `=`, `+`, `-`, `@`,
    /// a tab or a CR, which a spreadsheet would run as a formula, is written with a
    /// leading apostrophe (amount and date cells never are). Nested reports are flattened: the window
    /// statement has one row per line item (`section`, `item`, `name`, `amount`),
    /// the donor statement one row per agreement, the journal one row per posting.
    /// The columns of each report are listed by [`CsvReport::columns`].
    ///
    /// Fails as the report does (`UNKNOWN_DONOR` for a donor statement of an unknown donor).
    ///
    /// ```
    /// use funding_window::{export::CsvReport, Ledger};
    ///
    /// let ledger = Ledger::new();
    /// let report = CsvReport::from_args("resolution_tracker", &serde_json::json!({"period": "2024-H2"})).unwrap();
    /// let csv = ledger.export_csv(&report).unwrap();
    /// let mut lines = csv.split("\r\n");
    /// assert_eq!(
    ///     lines.next(),
    ///     Some("period,currency,resolution,title,status,requirement,mobilized,gap,gap_pct,allocated_in_period,allocated_to_date")
    /// );
    /// assert_eq!(lines.next(), Some("2024-H2,USD,1/1,UN-Habitat strategic plan for the period 2020–2023,,,0.00,,,0.00,0.00"));
    /// ```
    pub fn export_csv(&self, report: &CsvReport) -> Result<String> {
        csv::export(self, report)
    }

    /// The window (and, by default, every project) as an IATI 2.03 activity file.
    ///
    /// The window is one `iati-activity` identified as
    /// `{reporting_org_ref}-{window_suffix}` (`XM-DAC-41120-UAFW` by default) with
    /// these transactions, each value in its original currency with its value date:
    ///
    /// * incoming commitment (11) when a window agreement is signed;
    /// * incoming funds (1) for each receipt of window money and each project balance transferred in (USD);
    /// * outgoing commitment (2) for each resolution's share of an allocation, the resolution named as receiver;
    /// * expenditure (4) of window money allocated to a resolution (cost + PSC, the amount its fund gives).
    ///
    /// Each project is an activity `{reporting_org_ref}-{project}` with its signing
    /// (11), receipts (1), expenditure (4, cost + PSC), the receivable cancelled at
    /// closure (negative 11), a balance transfer to the window (3, the window as
    /// receiver) and refunds (negative 3, the donor as provider). A reversal is
    /// reported as the negated transactions of the entry it reverses, on its own date.
    ///
    /// Nothing is dated in the future: entries whose value date is after
    /// `options.as_of` (by default the date of `options.generated_at`) are left
    /// out, and `as_of` after the generation date is `INVALID_ARGUMENT`.
    ///
    /// ```
    /// use funding_window::{export::IatiOptions, Ledger};
    ///
    /// let options = IatiOptions::from_value(&serde_json::json!({"generated_at": "2025-01-15T09:00:00Z"})).unwrap();
    /// let xml = Ledger::new().export_iati(&options).unwrap();
    /// assert!(xml.contains(r#"<iati-activities version="2.03" generated-datetime="2025-01-15T09:00:00Z">"#));
    /// assert!(xml.contains("<iati-identifier>XM-DAC-41120-UAFW</iati-identifier>"));
    /// ```
    pub fn export_iati(&self, options: &IatiOptions) -> Result<String> {
        iati::export(self, options)
    }

    /// The journal in hledger / ledger-cli syntax.
    ///
    /// One transaction per journal entry that posts (registrations, settings and
    /// period closures post nothing and are left out), dated at its value date,
    /// in journal order:
    ///
    /// ```text
    /// 2024-04-02 (5) record_receipt CA-SE-2024-01  ; seq:5, hash:1f0c…
    ///     assets:cash:SEK  5000000.00 SEK
    ///     assets:receivable:CA-SE-2024-01  -5000000.00 SEK
    /// ```
    ///
    /// Accounts are named as in the ledger, amounts are exact decimals with the
    /// currency code after them, and a `commodity` directive per currency fixes
    /// its display precision (JPY 0, USD 2, KWD 3), so that
    /// `hledger -f FILE bal --flat --layout=bare` lists exactly the accounts,
    /// currencies and balances of [`Ledger::trial_balance`].
    ///
    /// ```
    /// use funding_window::Ledger;
    ///
    /// let journal = Ledger::new().export_hledger().unwrap();
    /// assert!(journal.starts_with("; funding-window journal"));
    /// ```
    pub fn export_hledger(&self) -> Result<String> {
        hledger::export(self)
    }

    /// The report pack as an Excel workbook (`.xlsx` bytes): an "About" sheet, then the
    /// resolution tracker and window statement of `options.period`, every donor's statement,
    /// the balance-transfer register, the allocation log, the trial balance and, if asked
    /// for, the journal; each sheet the report's table (as its CSV). Money is a number in its
    /// currency's decimals where Excel holds it exactly, else text with a note; dates are
    /// Excel dates. The same books and options give the same bytes. (Feature `xlsx`.)
    ///
    /// ```
    /// use funding_window::{export::XlsxOptions, Ledger};
    ///
    /// let options = XlsxOptions::from_value(&serde_json::json!({
    ///     "generated_at": "2025-01-15T09:00:00Z", "period": "2024-H2"
    /// })).unwrap();
    /// let bytes = Ledger::new().export_xlsx(&options).unwrap();
    /// assert_eq!(&bytes[..2], b"PK"); // a zip archive, as every .xlsx is
    /// assert_eq!(bytes, Ledger::new().export_xlsx(&options).unwrap());
    /// ```
    #[cfg(feature = "xlsx")]
    pub fn export_xlsx(&self, options: &XlsxOptions) -> Result<Vec<u8>> {
        xlsx::export(self, options)
    }
}
