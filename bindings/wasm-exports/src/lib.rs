//! # funding-window-exports-wasm
//!
//! The books as files, for browsers and Node: one report as CSV, the window and its projects as
//! IATI 2.03 XML, the journal for hledger and ledger-cli, and the Excel report pack. It is a
//! WebAssembly module of its own, which a page loads only when a user asks for a file, so that the
//! main module (`bindings/wasm`, the ledger) stays small: the exports' writers (and the Excel
//! writer's zip compression) are code that most visits never run.
//!
//! Every function takes the books as a journal (the main module's `ledger.toJournal()`, its text
//! or its bytes, or the ledger itself, whose `toJournal()` is called), replays it with every check
//! the core makes, and returns the core's text (or bytes): the same code, and so the same bytes,
//! as Rust's and Python's exports of the same journal with the same arguments. The module is
//! optimised for size (a file is written once per click), so its replay takes about 1.8 times the
//! main module's `Ledger.fromJournal` of the same journal.
//!
//! Arguments are read as the main module reads them (the strict walk of
//! `funding-window-wasm-common`), and failures throw the same `Error`s, named `LedgerError`, with
//! the core's `code` and fields.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![warn(missing_docs)]

use funding_window::export::XlsxOptions;
use funding_window::{IatiOptions, Ledger, LedgerError};
use funding_window_wasm_common::{convert, error};
use wasm_bindgen::prelude::*;

// The contract's types (generated from the core) and the main package's own, which the
// arguments below use (`CsvReportName`, `CsvArgs`, `ReportingPeriod`, ...); then this module's.
#[wasm_bindgen(typescript_custom_section)]
const CONTRACT_TYPES: &str = include_str!("../../wasm/src/contract.d.ts");

#[wasm_bindgen(typescript_custom_section)]
const API_TYPES: &str = include_str!("../../wasm/src/api.d.ts");

#[wasm_bindgen(typescript_custom_section)]
const EXPORTS_TYPES: &str = include_str!("exports.d.ts");

type JsResult<T> = Result<T, JsValue>;

fn thrown(error: LedgerError) -> JsValue {
    error::to_js(&error, None)
}

/// The books a journal describes, replayed and verified by the core. `journal` is its text, its
/// bytes (a `Uint8Array`), or a ledger of the main module (anything with a `toJournal()` method).
fn books(journal: &JsValue) -> JsResult<Ledger> {
    let bytes = if journal.is_string() || journal.is_instance_of::<js_sys::Uint8Array>() {
        convert::journal_bytes("journal", journal).map_err(thrown)?
    } else {
        let text = journal_of_ledger(journal)?;
        convert::journal_bytes("journal", &text).map_err(thrown)?
    };
    Ledger::from_journal_bytes(&bytes).map_err(thrown)
}

/// The journal of a main-module ledger: what its `toJournal()` returns. An error that method
/// throws as a `LedgerError` (`LEDGER_FREED`, `OUT_OF_MEMORY`) is thrown on unchanged.
fn journal_of_ledger(ledger: &JsValue) -> JsResult<JsValue> {
    let not_a_journal = || {
        thrown(LedgerError::InvalidArgument {
            name: "journal".into(),
            value: convert::describe(ledger),
            reason: "expected a journal (its text or a Uint8Array of its bytes) or a Ledger".into(),
        })
    };
    if !ledger.is_object() {
        return Err(not_a_journal());
    }
    // A getter or a Proxy trap may throw: refused as not a journal.
    let method = js_sys::Reflect::get(ledger, &JsValue::from_str("toJournal")).map_err(|_| not_a_journal())?;
    let method = method.dyn_into::<js_sys::Function>().map_err(|_| not_a_journal())?;
    match method.call0(ledger) {
        Ok(text) if text.is_string() || text.is_instance_of::<js_sys::Uint8Array>() => Ok(text),
        Ok(_) => Err(not_a_journal()),
        Err(thrown_by_ledger) if is_ledger_error(&thrown_by_ledger) => Err(thrown_by_ledger),
        Err(_) => Err(thrown(LedgerError::InvalidArgument {
            name: "journal".into(),
            value: convert::describe(ledger),
            reason: "its toJournal() threw".into(),
        })),
    }
}

/// Whether a thrown value is an `Error` named `LedgerError` (as both modules throw them).
fn is_ledger_error(value: &JsValue) -> bool {
    value.is_instance_of::<js_sys::Error>()
        && js_sys::Reflect::get(value, &JsValue::from_str("name"))
            .is_ok_and(|name| name == JsValue::from_str("LedgerError"))
}

/// One report as CSV (RFC 4180: CRLF line ends, a header row; a text cell that a spreadsheet
/// would run as a formula, one beginning with `=`, `+`, `-`, `@`, a tab or a CR, gets a leading
/// apostrophe, amounts and dates never do). `report` is one of `trial_balance`,
/// `resolution_tracker`, `window_statement`, `donor_statement`, `transfer_register`,
/// `allocation_log`, `journal` (the main module's `csvReports()`); `args` are the report's
/// arguments, as the main module's `reportTable` takes them (`{period}` for the tracker and the
/// window statement, optional `{as_of}` for the trial balance, optional `{donor}` for the donor
/// statement: every donor when absent). An unknown report or argument is `INVALID_ARGUMENT`;
/// the arguments are checked before the journal is replayed.
#[wasm_bindgen(js_name = exportCsv)]
pub fn export_csv(
    #[wasm_bindgen(unchecked_param_type = "JournalSource")] journal: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CsvReportName")] report: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CsvArgs | null")] args: JsValue,
) -> JsResult<String> {
    let report = convert::report_arg(&report, &args).map_err(thrown)?;
    books(&journal)?.export_csv(&report).map_err(thrown)
}

/// The window and its projects as an IATI 2.03 activity file (XML). `options` is an object (or
/// its JSON text) with `generated_at` (RFC 3339, required: the export reads no clock) and
/// optional `as_of`, `reporting_org_ref`, `reporting_org_name`, `reporting_org_type`,
/// `window_suffix`, `window_title`, `window_description`, `include_projects`, `language`.
/// Unknown or malformed options are `INVALID_ARGUMENT`.
#[wasm_bindgen(js_name = exportIati)]
pub fn export_iati(
    #[wasm_bindgen(unchecked_param_type = "JournalSource")] journal: JsValue,
    #[wasm_bindgen(unchecked_param_type = "IatiOptions | string")] options: JsValue,
) -> JsResult<String> {
    let options = if options.is_string() {
        let text = convert::string_arg("options", &options, "IATI options or their JSON text").map_err(thrown)?;
        IatiOptions::from_json(&text)
    } else {
        convert::options_value("options", &options).and_then(|value| IatiOptions::from_value(&value))
    }
    .map_err(thrown)?;
    books(&journal)?.export_iati(&options).map_err(thrown)
}

/// The journal as a plain-text hledger / ledger-cli journal: `hledger bal` on it gives the
/// trial balance.
#[wasm_bindgen(js_name = exportHledger)]
pub fn export_hledger(#[wasm_bindgen(unchecked_param_type = "JournalSource")] journal: JsValue) -> JsResult<String> {
    books(&journal)?.export_hledger().map_err(thrown)
}

/// The report pack as `.xlsx` bytes (see `XlsxOptions`): every report of the period, one sheet
/// each, written by the core's `Ledger::export_xlsx`. Malformed options are `INVALID_ARGUMENT`.
#[wasm_bindgen(js_name = exportXlsx)]
pub fn export_xlsx(
    #[wasm_bindgen(unchecked_param_type = "JournalSource")] journal: JsValue,
    #[wasm_bindgen(unchecked_param_type = "XlsxOptions")] options: JsValue,
) -> JsResult<Vec<u8>> {
    let value = convert::options_value("options", &options).map_err(thrown)?;
    let options = XlsxOptions::from_value(&value).map_err(thrown)?;
    books(&journal)?.export_xlsx(&options).map_err(thrown)
}
