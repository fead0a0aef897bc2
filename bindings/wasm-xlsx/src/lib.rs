//! The Excel report pack for browsers: a WebAssembly module of its own, which the dashboard
//! loads only when the user asks for Excel, so that the main module stays small (the writer
//! and its zip compression are about as large as the rest of the ledger).
//!
//! It takes the journal (the main module's `ledger.toJournal()`), replays it with every check
//! the core makes, and writes the pack with the core's `Ledger::export_xlsx`: the same code,
//! and so the same bytes, as Rust and Python's `export_xlsx` for the same journal and options.
//! Errors are thrown as `Error`s named `LedgerError` with the core's `code`, as the main
//! module throws them.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![warn(missing_docs)]

use funding_window::export::XlsxOptions;
use funding_window::{Ledger, LedgerError};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** What goes into the pack: `generated_at` (RFC 3339, the workbook's creation time) and `period`
 * (as the reports take it) are required; `as_of` (the trial balance's date) and `journal` (add the
 * journal's sheet) are optional. */
export interface XlsxOptions {
  generated_at: string;
  period: string | { from: string; to: string };
  as_of?: string | null;
  journal?: boolean;
}
"#;

/// The core's error as a JavaScript `Error` named `LedgerError`, with `code` and `details`.
fn thrown(error: &LedgerError) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("LedgerError");
    let _ = js_sys::Reflect::set(&js, &"code".into(), &JsValue::from_str(error.code()));
    let details = serde_json::to_string(&error.to_json_value())
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .unwrap_or(JsValue::NULL);
    let _ = js_sys::Reflect::set(&js, &"details".into(), &details);
    js.into()
}

fn invalid(name: &str, reason: &str) -> LedgerError {
    LedgerError::InvalidArgument { name: name.into(), value: String::new(), reason: reason.into() }
}

/// The report pack as `.xlsx` bytes, from a journal (text or UTF-8 bytes) and options (see
/// `XlsxOptions`). A journal that does not verify is `JOURNAL_CORRUPT`; malformed options are
/// `INVALID_ARGUMENT`.
#[wasm_bindgen(js_name = exportXlsx)]
pub fn export_xlsx(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] journal: JsValue,
    #[wasm_bindgen(unchecked_param_type = "XlsxOptions")] options: JsValue,
) -> Result<Vec<u8>, JsValue> {
    let bytes = if let Some(text) = journal.as_string() {
        text.into_bytes()
    } else if journal.is_instance_of::<js_sys::Uint8Array>() {
        js_sys::Uint8Array::new(&journal).to_vec()
    } else {
        return Err(thrown(&invalid("journal", "expected the journal as a string or a Uint8Array")));
    };
    let text = js_sys::JSON::stringify(&options)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| thrown(&invalid("options", "expected an object of options")))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| thrown(&invalid("options", &e.to_string())))?;
    let options = XlsxOptions::from_value(&value).map_err(|e| thrown(&e))?;
    let ledger = Ledger::from_journal_bytes(&bytes).map_err(|e| thrown(&e))?;
    ledger.export_xlsx(&options).map_err(|e| thrown(&e))
}
