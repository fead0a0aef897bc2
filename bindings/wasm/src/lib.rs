//! # funding-window-wasm
//!
//! The funding-window ledger for JavaScript (browsers and Node), built with wasm-bindgen.
//!
//! The binding is thin: it turns JavaScript values into the core's JSON contract, calls the core,
//! and hands back the core's JSON. No business rule lives here.
//!
//! * Commands go in as plain objects. They are written as JSON text by a strict walk
//!   ([`convert`]) and parsed by the core ([`funding_window::Request::from_json`]), so a JS number
//!   where a decimal string belongs is refused, never converted.
//! * Reports come out as the core's `serde_json` text: the `...Json()` methods return it as is,
//!   the other methods return `JSON.parse` of that exact text (amounts stay strings).
//! * Exports to files (CSV, IATI 2.03 XML, an hledger journal, the Excel report pack) are not in
//!   this module: they are in the exports module (`bindings/wasm-exports`), which a page loads
//!   only when a user asks for a file, so that this one stays small. Both read JavaScript values
//!   and throw errors with the same code ([`convert`] and [`error`], from
//!   `funding-window-wasm-common`).
//! * A journal given as bytes goes to the core as it is
//!   ([`funding_window::Ledger::from_journal_bytes`]): the core, not the binding, decides what
//!   is UTF-8.
//! * Failures throw an `Error` named `"LedgerError"` carrying the core's code and fields
//!   ([`error`]). What the generated glue or the engine would throw instead is caught by a guard
//!   around every method (`guard.js`): a call on a freed ledger is `LEDGER_FREED`, a call made
//!   from inside another call on the same ledger `LEDGER_BUSY`, a trap of the module
//!   `OUT_OF_MEMORY` or `INTERNAL`, after which that ledger refuses every call.
//! * Memory is counted and may be capped ([`memory`]); the core refuses to grow its large buffers
//!   beyond what is there (`OUT_OF_MEMORY`) rather than trapping.
//! * Nothing here can panic (a panic aborts a WebAssembly module): no unwrapping of options or
//!   results, no panicking macro, no fallible indexing; the clippy lints below deny them.
//!
//! The TypeScript types of every command, report and error are in `contract.d.ts` (generated from
//! the core's description of its contract: `cargo run -p funding-window-codegen`), those of the
//! API's own arguments in `api.d.ts`; both are appended to wasm-bindgen's `funding_window.d.ts`.
//! What the commands do and refuse is specified in the repository's `docs/` (`docs/commands.md`,
//! `docs/errors.md`).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![warn(missing_docs)]

pub use funding_window_wasm_common::{convert, error};
pub mod memory;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use funding_window::calendar::PeriodKind;
use funding_window::calendar::{date_argument, format_date};
use funding_window::command::COMMAND_TYPES;
use funding_window::export::CSV_REPORTS;
use funding_window::{Currency, LedgerError, ReportingPeriod, Request, ERROR_CODES};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const CONTRACT_TYPES: &str = include_str!("contract.d.ts");

#[wasm_bindgen(typescript_custom_section)]
const API_TYPES: &str = include_str!("api.d.ts");

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: memory::Counting = memory::Counting;

#[wasm_bindgen(module = "/src/guard.js")]
extern "C" {
    fn guard(proto: &JsValue, ctor: &JsValue, statics: js_sys::Array, error: &JsValue, arm: &JsValue);
}

#[wasm_bindgen]
extern "C" {
    /// `Date.now()`, which a page may have replaced by a function that throws.
    #[wasm_bindgen(js_namespace = Date, js_name = now, catch)]
    fn date_now() -> Result<f64, JsValue>;
}

/// When the module starts (not part of the API): gives the command walk the core's tables, and
/// wraps every method of `Ledger` in the guard of `guard.js` (reached through the prototype of a
/// ledger made here).
#[wasm_bindgen(start, js_name = __start, skip_typescript)]
fn start() {
    convert::configure();
    let sample = JsValue::from(Ledger::new());
    let get = |target: &JsValue, key: &str| js_sys::Reflect::get(target, &JsValue::from_str(key)).ok();
    let proto = js_sys::Object::get_prototype_of(&sample);
    if let Some(ctor) = get(&proto, "constructor") {
        if let (Some(error), Some(arm)) = (get(&ctor, "__error"), get(&ctor, "__arm")) {
            let statics = js_sys::Array::of1(&JsValue::from_str("fromJournal"));
            guard(&proto, &ctor, statics, &error, &arm);
        }
    }
    if let Some(free) = get(&sample, "free").and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
        let _ = free.call0(&sample);
    }
}

type JsResult<T> = Result<T, JsValue>;

fn thrown(error: LedgerError) -> JsValue {
    error::to_js(&error, None)
}

/// The core's JSON text of a report or result.
fn json_text<T: Serialize>(value: &T) -> Result<String, LedgerError> {
    serde_json::to_string(value).map_err(|e| LedgerError::Internal { message: format!("serializing a result: {e}") })
}

/// The JSON text of a batch's results, written into memory reserved first for at least its
/// length: results too large for the memory left are `OUT_OF_MEMORY` rather than an abort of
/// the module. The bound is close: hashes are hex and account names are made of validated ids,
/// so nothing in them is escaped; a result's fixed text is at most 160 bytes (with a 20-digit
/// `seq`), a posting's 90 besides its account (with a 40-character amount).
fn results_text(applied: &[funding_window::Applied]) -> Result<String, LedgerError> {
    let bound = 2 + applied
        .iter()
        .map(|a| 160 + a.hash.len() + a.postings.iter().map(|p| 90 + p.account.len()).sum::<usize>())
        .sum::<usize>();
    let mut out = Vec::new();
    out.try_reserve_exact(bound)
        .map_err(|_| LedgerError::OutOfMemory { what: "the results of a batch".into(), bytes: bound as u64 })?;
    let internal = |e: String| LedgerError::Internal { message: format!("serializing a result: {e}") };
    serde_json::to_writer(&mut out, applied).map_err(|e| internal(e.to_string()))?;
    String::from_utf8(out).map_err(|e| internal(e.to_string()))
}

/// `JSON.parse` of the core's text: the object variant of a result.
fn json_object<T: Serialize>(value: &T) -> JsResult<JsValue> {
    parsed(&json_text(value).map_err(thrown)?)
}

/// `JSON.parse` of the core's JSON text.
fn parsed(text: &str) -> JsResult<JsValue> {
    js_sys::JSON::parse(text)
        .map_err(|_| thrown(LedgerError::Internal { message: "JSON.parse refused the core's JSON".into() }))
}

/// `recorded_at` for commands that give none: the JavaScript clock, read when a call begins
/// ([`Ledger::tick`]) and kept in `now`, so that the core never calls into JavaScript (whose
/// `Date.now` a page may have replaced) while it changes the ledger. The core's default clock
/// has nothing to read on bare WebAssembly.
fn js_clock(now: Arc<AtomicI64>) -> funding_window::Clock {
    Arc::new(move || {
        // A clock outside chrono's range falls back to the epoch.
        DateTime::<Utc>::from_timestamp_millis(now.load(Ordering::Relaxed)).map_or(DateTime::<Utc>::UNIX_EPOCH, |t| t)
    })
}

/// A reporting period: text (`"2024-H2"`, `"2024"`, `"2024-Q3"`, `"2024-07"`) or a
/// `{from, to}` object of ISO dates; the core checks it.
fn period_arg(value: &JsValue) -> Result<ReportingPeriod, LedgerError> {
    if value.is_string() {
        let text = convert::string_arg("period", value, "a period such as \"2024-H2\"")?;
        return funding_window::Ledger::parse_period(&text);
    }
    ReportingPeriod::from_value(&convert::options_value("period", value)?)
}

fn date_arg(name: &str, value: &JsValue) -> Result<Option<chrono::NaiveDate>, LedgerError> {
    convert::optional_string_arg(name, value, "a date YYYY-MM-DD")?.map(|text| date_argument(name, &text)).transpose()
}

fn request_of(command: &JsValue) -> Result<Request, LedgerError> {
    Request::from_json(&convert::command_json(command)?)
}

/// The books of a funding window, in memory.
///
/// ```js
/// const ledger = new Ledger();
/// ledger.apply({ type: "register_donor", id: "NO", name: "Norway", kind: "member_state" });
/// ledger.resolutionTracker("2024-H2").rows[0].gap_pct;
/// ```
#[wasm_bindgen]
pub struct Ledger {
    inner: funding_window::Ledger,
    /// Milliseconds since the epoch, as `Date.now()` gave them when the current call began.
    now: Arc<AtomicI64>,
}

impl Ledger {
    fn wrap(mut inner: funding_window::Ledger) -> Ledger {
        let now = Arc::new(AtomicI64::new(0));
        inner.set_clock(js_clock(Arc::clone(&now)));
        Ledger { inner, now }
    }

    /// Reads the JavaScript clock for the commands of this call that give no `recorded_at`.
    fn tick(&self) -> Result<(), LedgerError> {
        let millis = date_now()
            .map_err(|_| LedgerError::Internal { message: "Date.now() threw: no time to record commands at".into() })?;
        // `as` saturates.
        self.now.store(millis as i64, Ordering::Relaxed);
        Ok(())
    }
}

impl Default for Ledger {
    fn default() -> Self {
        Ledger::new()
    }
}

#[wasm_bindgen]
impl Ledger {
    /// An empty ledger that knows the 15 Assembly resolutions.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Ledger {
        Ledger::wrap(funding_window::Ledger::new())
    }

    /// Rebuilds a ledger from a journal (JSON Lines, as `toJournal` and the Rust core write it),
    /// verifying the hash chain and that every entry replays to its exact bytes. The journal is
    /// its text, or its bytes (a `Uint8Array`, such as the `Buffer` of `fs.readFileSync` or the
    /// `arrayBuffer()` of a file), which is faster for large journals: the bytes go to the core
    /// as they are, and a line that is not UTF-8 is `JOURNAL_CORRUPT` at that line.
    /// Throws `JOURNAL_CORRUPT` (with `line`) or `JOURNAL_TORN_TAIL` (with `line`, `offset`, `bytes`).
    #[wasm_bindgen(js_name = fromJournal)]
    pub fn from_journal(
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] journal: JsValue,
    ) -> JsResult<Ledger> {
        let bytes = convert::journal_bytes("journal", &journal).map_err(thrown)?;
        let ledger = funding_window::Ledger::from_journal_bytes(&bytes);
        // The copy goes before an error is made: after OUT_OF_MEMORY, there is room for it.
        drop(bytes);
        ledger.map(Ledger::wrap).map_err(thrown)
    }

    /// The whole journal as JSON Lines, byte for byte what the Rust core writes.
    #[wasm_bindgen(js_name = toJournal)]
    pub fn to_journal(&self) -> JsResult<String> {
        let text = self.inner.to_journal().map_err(thrown)?;
        // A copy for JavaScript, in memory reserved first: OUT_OF_MEMORY rather than an abort.
        let mut copy = String::new();
        copy.try_reserve_exact(text.len()).map_err(|_| {
            thrown(LedgerError::OutOfMemory { what: "a copy of the journal".into(), bytes: text.len() as u64 })
        })?;
        copy.push_str(&text);
        Ok(copy)
    }

    /// Number of journal entries.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }

    /// Hash of the last entry (64 zeros for an empty journal).
    #[wasm_bindgen(getter, js_name = chainHead)]
    pub fn chain_head(&self) -> String {
        self.inner.chain_head()
    }

    /// Validates a command of the contract and appends one balanced entry; on error nothing changes.
    #[wasm_bindgen(unchecked_return_type = "Applied")]
    pub fn apply(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "CommandRequest")] command: JsValue,
    ) -> JsResult<JsValue> {
        let request = request_of(&command).map_err(thrown)?;
        self.tick().map_err(thrown)?;
        let applied = self.inner.apply(request).map_err(thrown)?;
        json_object(&applied)
    }

    /// Like `apply`, for a command given as JSON text.
    #[wasm_bindgen(js_name = applyJson, unchecked_return_type = "Applied")]
    pub fn apply_json(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] json: JsValue) -> JsResult<JsValue> {
        let text = convert::string_arg("json", &json, "JSON text of a command").map_err(thrown)?;
        self.tick().map_err(thrown)?;
        let applied = self.inner.apply_json(&text).map_err(thrown)?;
        json_object(&applied)
    }

    /// Applies commands all or nothing. On failure nothing is applied and the error's `index`
    /// is the position of the failing command.
    #[wasm_bindgen(js_name = applyBatch, unchecked_return_type = "Applied[]")]
    pub fn apply_batch(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "CommandRequest[]")] commands: JsValue,
    ) -> JsResult<JsValue> {
        let requests = convert::batch_requests(&commands).map_err(|(index, e)| error::to_js(&e, Some(index)))?;
        self.tick().map_err(thrown)?;
        // The results' JSON is written before the batch is committed: if it does not fit in
        // memory, the batch is rolled back and the error is OUT_OF_MEMORY.
        let text = self
            .inner
            .apply_batch_then(requests, |applied| results_text(&applied))
            .map_err(|e| error::batch_to_js(&e))?;
        parsed(&text)
    }

    /// Dry run of an `allocate` command: the split with its explanation. Nothing changes.
    #[wasm_bindgen(js_name = previewAllocation, unchecked_return_type = "AllocationPreview")]
    pub fn preview_allocation(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AllocateRequest")] command: JsValue,
    ) -> JsResult<JsValue> {
        parsed(&self.preview_allocation_json(command)?)
    }

    /// Dry run of an `allocate` command, as the core's JSON text.
    #[wasm_bindgen(js_name = previewAllocationJson)]
    pub fn preview_allocation_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AllocateRequest")] command: JsValue,
    ) -> JsResult<String> {
        let request = request_of(&command).map_err(thrown)?;
        json_text(&self.inner.preview_request(&request).map_err(thrown)?).map_err(thrown)
    }

    // ----- reports -----

    /// Every account with a non-zero balance, per currency, as of a date (absent: after every entry).
    #[wasm_bindgen(js_name = trialBalance, unchecked_return_type = "TrialBalance")]
    pub fn trial_balance(&self, #[wasm_bindgen(js_name = asOf)] as_of: Option<js_sys::JsString>) -> JsResult<JsValue> {
        parsed(&self.trial_balance_json(as_of)?)
    }

    /// `trialBalance` as the core's JSON text.
    #[wasm_bindgen(js_name = trialBalanceJson)]
    pub fn trial_balance_json(
        &self,
        #[wasm_bindgen(js_name = asOf)] as_of: Option<js_sys::JsString>,
    ) -> JsResult<String> {
        json_text(&self.trial_balance_report(as_of)?).map_err(thrown)
    }

    /// The resolution tracker of a period (amounts at the period's end): a half-year
    /// (`"2024-H2"`), a year, a quarter (`"2024-Q3"`), a month (`"2024-07"`) or `{from, to}`.
    #[wasm_bindgen(js_name = resolutionTracker, unchecked_return_type = "ResolutionTracker")]
    pub fn resolution_tracker(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ReportingPeriod")] period: JsValue,
    ) -> JsResult<JsValue> {
        parsed(&self.resolution_tracker_json(period)?)
    }

    /// `resolutionTracker` as the core's JSON text.
    #[wasm_bindgen(js_name = resolutionTrackerJson)]
    pub fn resolution_tracker_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ReportingPeriod")] period: JsValue,
    ) -> JsResult<String> {
        json_text(&self.inner.resolution_tracker(period_arg(&period).map_err(thrown)?)).map_err(thrown)
    }

    /// The window statement of a period (as `resolutionTracker` takes it).
    #[wasm_bindgen(js_name = windowStatement, unchecked_return_type = "WindowStatement")]
    pub fn window_statement(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ReportingPeriod")] period: JsValue,
    ) -> JsResult<JsValue> {
        parsed(&self.window_statement_json(period)?)
    }

    /// `windowStatement` as the core's JSON text.
    #[wasm_bindgen(js_name = windowStatementJson)]
    pub fn window_statement_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ReportingPeriod")] period: JsValue,
    ) -> JsResult<String> {
        json_text(&self.inner.window_statement(period_arg(&period).map_err(thrown)?)).map_err(thrown)
    }

    /// A donor's agreements and what became of them.
    #[wasm_bindgen(js_name = donorStatement, unchecked_return_type = "DonorStatement")]
    pub fn donor_statement(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] donor: JsValue,
    ) -> JsResult<JsValue> {
        parsed(&self.donor_statement_json(donor)?)
    }

    /// `donorStatement` as the core's JSON text.
    #[wasm_bindgen(js_name = donorStatementJson)]
    pub fn donor_statement_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] donor: JsValue,
    ) -> JsResult<String> {
        let donor = convert::string_arg("donor", &donor, "a donor id").map_err(thrown)?;
        json_text(&self.inner.donor_statement(&donor).map_err(thrown)?).map_err(thrown)
    }

    /// Every balance transfer into the window.
    #[wasm_bindgen(js_name = transferRegister, unchecked_return_type = "TransferRegister")]
    pub fn transfer_register(&self) -> JsResult<JsValue> {
        parsed(&self.transfer_register_json()?)
    }

    /// `transferRegister` as the core's JSON text.
    #[wasm_bindgen(js_name = transferRegisterJson)]
    pub fn transfer_register_json(&self) -> JsResult<String> {
        json_text(&self.inner.transfer_register()).map_err(thrown)
    }

    /// Every allocation, one row per resolution, reversals as negative rows.
    #[wasm_bindgen(js_name = allocationLog, unchecked_return_type = "AllocationLog")]
    pub fn allocation_log(&self) -> JsResult<JsValue> {
        parsed(&self.allocation_log_json()?)
    }

    /// `allocationLog` as the core's JSON text.
    #[wasm_bindgen(js_name = allocationLogJson)]
    pub fn allocation_log_json(&self) -> JsResult<String> {
        json_text(&self.inner.allocation_log()).map_err(thrown)
    }

    /// The window's balance (unallocated and per earmark) as of a date (absent: after every entry).
    #[wasm_bindgen(js_name = windowBalance, unchecked_return_type = "WindowBalance")]
    pub fn window_balance(&self, #[wasm_bindgen(js_name = asOf)] as_of: Option<js_sys::JsString>) -> JsResult<JsValue> {
        let as_of = date_arg("as_of", &optional(as_of)).map_err(thrown)?;
        json_object(&self.inner.window_balance(as_of))
    }

    /// One account's debit-positive balance, at the currency's minor unit. The currency defaults
    /// to the account's own (USD for window and resolution funds).
    #[wasm_bindgen(unchecked_return_type = "DecimalString")]
    pub fn balance(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] account: JsValue,
        currency: Option<js_sys::JsString>,
        #[wasm_bindgen(js_name = asOf)] as_of: Option<js_sys::JsString>,
    ) -> JsResult<String> {
        let account = convert::string_arg("account", &account, "an account name").map_err(thrown)?;
        let currency = convert::optional_string_arg("currency", &optional(currency), "an ISO 4217 code")
            .map_err(thrown)?
            .map(|code| Currency::from_code(&code))
            .transpose()
            .map_err(thrown)?;
        let as_of = date_arg("as_of", &optional(as_of)).map_err(thrown)?;
        let amount = self.inner.balance(&account, currency, as_of).map_err(thrown)?;
        Ok(amount.to_string())
    }

    /// The registered resolutions, in resolution order.
    #[wasm_bindgen(unchecked_return_type = "ResolutionInfo[]")]
    pub fn resolutions(&self) -> JsResult<JsValue> {
        json_object(&self.inner.resolutions())
    }

    /// The registered donors, in registration order.
    #[wasm_bindgen(unchecked_return_type = "DonorInfo[]")]
    pub fn donors(&self) -> JsResult<JsValue> {
        json_object(&self.inner.donors())
    }

    /// One journal entry, parsed (`seq` from 1).
    #[wasm_bindgen(unchecked_return_type = "JournalEntry")]
    pub fn entry(&self, #[wasm_bindgen(unchecked_param_type = "number")] seq: JsValue) -> JsResult<JsValue> {
        let seq = convert::sequence_arg("seq", &seq).map_err(thrown)?;
        json_object(&self.inner.entry(seq).map_err(thrown)?)
    }

    /// Every journal entry, parsed, in order.
    #[wasm_bindgen(unchecked_return_type = "JournalEntry[]")]
    pub fn entries(&self) -> JsResult<JsValue> {
        json_object(&self.inner.entries().map_err(thrown)?)
    }

    /// The first and last value dates of the journal, `[first, last]` as ISO dates, or `null`
    /// while no entry is dated (registrations and settings have no value date).
    #[wasm_bindgen(js_name = dateRange, unchecked_return_type = "[IsoDate, IsoDate] | null")]
    pub fn date_range(&self) -> JsValue {
        match self.inner.date_range() {
            Some((first, last)) => js_sys::Array::of2(&format_date(first).into(), &format_date(last).into()).into(),
            None => JsValue::NULL,
        }
    }

    /// Every posting of the journal as a flat row with its entry's particulars (seq, date,
    /// recorded_at, recorded_by, command type, account, currency, amount), in journal order.
    #[wasm_bindgen(js_name = postingRows, unchecked_return_type = "PostingRow[]")]
    pub fn posting_rows(&self) -> JsResult<JsValue> {
        json_object(&self.inner.posting_rows().map_err(thrown)?)
    }

    /// One report laid out as a table by the core: its columns (name, label, kind) and rows of
    /// cells, the same rows its CSV (the exports module's `exportCsv`) and the Python DataFrames
    /// show. `report` is one of `csvReports()`; `args` are the report's arguments (`{period}` for
    /// the tracker and the window statement, optional `{as_of}` for the trial balance, optional
    /// `{donor}` for the donor statement: every donor when absent). An unknown report or argument
    /// is `INVALID_ARGUMENT`.
    #[wasm_bindgen(js_name = reportTable, unchecked_return_type = "Table")]
    pub fn report_table(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CsvReportName")] report: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CsvArgs | null")] args: JsValue,
    ) -> JsResult<JsValue> {
        let report = convert::report_arg(&report, &args).map_err(thrown)?;
        json_object(&self.inner.report_table(&report).map_err(thrown)?)
    }

    /// The error the guard of `guard.js` throws (not part of the API): `kind` is `freed`,
    /// `busy`, `unbound`, `failed` (JavaScript threw after the module answered), `stopped` (a
    /// ledger whose earlier call trapped) or `trap`.
    #[wasm_bindgen(js_name = __error, skip_typescript)]
    pub fn guard_error(kind: &str, method: &str, detail: &str) -> JsValue {
        let method = method.to_owned();
        let error = match kind {
            "freed" => LedgerError::LedgerFreed { method },
            "busy" => LedgerError::LedgerBusy { method },
            "unbound" => LedgerError::InvalidArgument {
                name: "this".into(),
                value: "not a Ledger".into(),
                reason: format!("call {method} on a ledger (ledger.{method}(...)), not detached from it"),
            },
            "failed" => LedgerError::Internal {
                message: format!("{method} failed in JavaScript ({detail}); the ledger is as it was"),
            },
            "stopped" => LedgerError::Internal {
                message: format!(
                    "this ledger stopped after the WebAssembly module failed in an earlier call ({detail}); \
                     rebuild it from its journal"
                ),
            },
            _ => match memory::last_failure() {
                Some(bytes) => LedgerError::OutOfMemory {
                    what: format!("{method} (the module ran out of memory mid-call: the ledger stopped)"),
                    bytes: bytes as u64,
                },
                None => LedgerError::Internal {
                    message: format!("the WebAssembly module failed in {method} ({detail}); the ledger stopped"),
                },
            },
        };
        error::to_js(&error, None)
    }

    /// Clears the record of a failed allocation before a call (the guard's; not part of the API).
    #[wasm_bindgen(js_name = __arm, skip_typescript)]
    pub fn guard_arm() {
        let _ = memory::last_failure();
    }
}

impl Ledger {
    fn trial_balance_report(&self, as_of: Option<js_sys::JsString>) -> JsResult<funding_window::report::TrialBalance> {
        let as_of = date_arg("as_of", &optional(as_of)).map_err(thrown)?;
        Ok(self.inner.trial_balance(as_of))
    }
}

/// An optional argument as the JavaScript value it was (`undefined` when absent). The value is
/// checked by the `convert` functions: wasm-bindgen does not check the types of imported types.
fn optional(value: Option<js_sys::JsString>) -> JsValue {
    value.map_or(JsValue::UNDEFINED, JsValue::from)
}

/// Every error code of the core, in declaration order (the `code` of a `LedgerError`).
#[wasm_bindgen(js_name = errorCodes, unchecked_return_type = "ErrorCode[]")]
pub fn error_codes() -> JsValue {
    ERROR_CODES.iter().map(|code| JsValue::from_str(code)).collect::<js_sys::Array>().into()
}

/// Every command `type` of the contract.
#[wasm_bindgen(js_name = commandTypes, unchecked_return_type = "CommandType[]")]
pub fn command_types() -> JsValue {
    COMMAND_TYPES.iter().map(|name| JsValue::from_str(name)).collect::<js_sys::Array>().into()
}

/// The report names `reportTable` (and the exports module's `exportCsv`) take.
#[wasm_bindgen(js_name = csvReports, unchecked_return_type = "CsvReportName[]")]
pub fn csv_reports() -> JsValue {
    CSV_REPORTS.iter().map(|name| JsValue::from_str(name)).collect::<js_sys::Array>().into()
}

/// The period of `kind` (`"year"`, `"half"`, `"quarter"`, `"month"`) that a date falls in:
/// `periodOf("2024-08-15", "half")` is `"2024-H2"`.
#[wasm_bindgen(js_name = periodOf, unchecked_return_type = "PeriodId")]
pub fn period_of(
    #[wasm_bindgen(unchecked_param_type = "IsoDate")] date: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PeriodKind")] kind: JsValue,
) -> JsResult<String> {
    let date = date_argument("date", &convert::string_arg("date", &date, "a date YYYY-MM-DD").map_err(thrown)?)
        .map_err(thrown)?;
    let kind = period_kind(&kind).map_err(thrown)?;
    Ok(ReportingPeriod::containing(date, kind).to_string())
}

/// Every period of `kind` from the one holding `first` to the one holding `last`, in order.
#[wasm_bindgen(js_name = periodsBetween, unchecked_return_type = "PeriodId[]")]
pub fn periods_between(
    #[wasm_bindgen(unchecked_param_type = "IsoDate")] first: JsValue,
    #[wasm_bindgen(unchecked_param_type = "IsoDate")] last: JsValue,
    #[wasm_bindgen(unchecked_param_type = "PeriodKind")] kind: JsValue,
) -> JsResult<JsValue> {
    let date = |name: &str, value: &JsValue| {
        convert::string_arg(name, value, "a date YYYY-MM-DD").and_then(|text| date_argument(name, &text))
    };
    let (first, last) = (date("first", &first).map_err(thrown)?, date("last", &last).map_err(thrown)?);
    let periods = ReportingPeriod::between(first, last, period_kind(&kind).map_err(thrown)?).map_err(thrown)?;
    Ok(periods.iter().map(|p| JsValue::from_str(&p.to_string())).collect::<js_sys::Array>().into())
}

/// The first and last day of a reporting period: `periodRange("2024-H1")` is
/// `{from: "2024-01-01", to: "2024-06-30"}`. Throws `INVALID_ARGUMENT` for a malformed period.
#[wasm_bindgen(js_name = periodRange, unchecked_return_type = "DateRange")]
pub fn period_range(#[wasm_bindgen(unchecked_param_type = "ReportingPeriod")] period: JsValue) -> JsResult<JsValue> {
    let period = period_arg(&period).map_err(thrown)?;
    let range = js_sys::Object::new();
    for (key, day) in [("from", period.start()), ("to", period.end())] {
        js_sys::Reflect::set(&range, &JsValue::from_str(key), &JsValue::from_str(&format_date(day)))?;
    }
    Ok(range.into())
}

fn period_kind(kind: &JsValue) -> Result<PeriodKind, LedgerError> {
    PeriodKind::parse(&convert::string_arg("kind", kind, "year, half, quarter or month")?)
}

/// Whether a caught value is an error thrown by this package.
#[wasm_bindgen(js_name = isLedgerError, unchecked_return_type = "value is LedgerError")]
pub fn is_ledger_error(#[wasm_bindgen(unchecked_param_type = "unknown")] value: &JsValue) -> bool {
    // Compared as JavaScript values, allocating nothing: this also answers when memory is short.
    let get = |key: &str| js_sys::Reflect::get(value, &JsValue::from_str(key)).ok();
    value.is_instance_of::<js_sys::Error>()
        && get("name").is_some_and(|name| name == JsValue::from_str("LedgerError"))
        && get("code").is_some_and(|code| ERROR_CODES.iter().any(|c| code == JsValue::from_str(c)))
}

/// The module's heap: bytes allocated now, their peak (since the module started, or since the last
/// call with `resetPeak`), the size of its WebAssembly memory, and the limit, if any.
#[wasm_bindgen(js_name = memoryUsage, unchecked_return_type = "MemoryUsage")]
pub fn memory_usage(
    #[wasm_bindgen(js_name = resetPeak, unchecked_optional_param_type = "boolean")] reset_peak: JsValue,
) -> JsResult<JsValue> {
    let reset_peak = match reset_peak.as_bool() {
        Some(flag) => flag,
        None if reset_peak.is_undefined() || reset_peak.is_null() => false,
        None => {
            return Err(thrown(LedgerError::InvalidArgument {
                name: "resetPeak".into(),
                value: convert::describe(&reset_peak),
                reason: "expected a boolean".into(),
            }))
        }
    };
    let usage = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&usage, &JsValue::from_str(key), &value);
    };
    set("allocated", JsValue::from_f64(memory::live() as f64));
    set("peak", JsValue::from_f64(memory::peak() as f64));
    let pages = wasm_memory_bytes();
    set("memory", JsValue::from_f64(pages as f64));
    set("limit", memory::limit().map_or(JsValue::NULL, |l| JsValue::from_f64(l as f64)));
    if reset_peak {
        memory::reset_peak();
    }
    Ok(usage.into())
}

/// Caps the bytes the module's heap may hold (`null` or `undefined`: no cap but WebAssembly's 4
/// GiB). Beyond it, growing a ledger's journal, a batch or a report is `OUT_OF_MEMORY`; a page
/// can keep a ledger from taking all of a tab's memory. A cap below what is allocated now is
/// `INVALID_ARGUMENT`; one that leaves little room makes most calls fail.
#[wasm_bindgen(js_name = setMemoryLimit)]
pub fn set_memory_limit(#[wasm_bindgen(unchecked_param_type = "number | null")] bytes: JsValue) -> JsResult<()> {
    if bytes.is_undefined() || bytes.is_null() {
        memory::set_limit(None);
        return Ok(());
    }
    let live = memory::live();
    match bytes.as_f64() {
        Some(n) if n.fract() == 0.0 && (live as f64..=4_294_967_296.0).contains(&n) => {
            memory::set_limit(Some(n as usize));
            Ok(())
        }
        _ => Err(thrown(LedgerError::InvalidArgument {
            name: "bytes".into(),
            value: convert::describe(&bytes),
            reason: format!("expected a number of bytes from the {live} allocated now to 4 GiB, or null"),
        })),
    }
}

/// The size of the module's WebAssembly memory, in bytes.
fn wasm_memory_bytes() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size::<0>() * 65536
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

// ----- exact decimal helpers: the core's arithmetic on decimal strings -----

/// What a decimal argument should be, for messages.
const DECIMAL_ARG: &str = "a decimal string such as \"1250.00\"";

/// The two string arguments of a decimal helper.
// Shared by the three helpers (not inlined): the module stays small.
#[inline(never)]
fn decimal_args(a: &JsValue, b: &JsValue) -> JsResult<(String, String)> {
    let a = convert::string_arg("a", a, DECIMAL_ARG).map_err(thrown)?;
    let b = convert::string_arg("b", b, DECIMAL_ARG).map_err(thrown)?;
    Ok((a, b))
}

/// Compares two decimal strings exactly: -1, 0 or 1 as `a` is less than, equal to or greater
/// than `b` (`"1.0"` equals `"1.00"`). Sorts amounts without turning them into numbers:
/// `rows.sort((x, y) => compareDecimals(x.gap, y.gap))`.
///
/// A JS number (or anything but a string) is `INVALID_ARGUMENT`; text that is not a plain
/// decimal is `INVALID_AMOUNT`.
#[wasm_bindgen(js_name = compareDecimals, unchecked_return_type = "-1 | 0 | 1")]
pub fn compare_decimals(
    #[wasm_bindgen(unchecked_param_type = "DecimalString")] a: JsValue,
    #[wasm_bindgen(unchecked_param_type = "DecimalString")] b: JsValue,
) -> JsResult<i32> {
    let (a, b) = decimal_args(&a, &b)?;
    funding_window::money::compare_decimals(&a, &b).map(|order| order as i32).map_err(thrown)
}

/// `a + b`, exactly, at the larger of the two scales (`addDecimals("0.1", "0.20")` is `"0.30"`).
/// A result needing more than 28 significant digits is `LIMIT_EXCEEDED`, never rounded.
#[wasm_bindgen(js_name = addDecimals, unchecked_return_type = "DecimalString")]
pub fn add_decimals(
    #[wasm_bindgen(unchecked_param_type = "DecimalString")] a: JsValue,
    #[wasm_bindgen(unchecked_param_type = "DecimalString")] b: JsValue,
) -> JsResult<String> {
    let (a, b) = decimal_args(&a, &b)?;
    funding_window::money::add_decimals(&a, &b).map_err(thrown)
}

/// `a - b`, exactly (as `addDecimals`).
#[wasm_bindgen(js_name = subtractDecimals, unchecked_return_type = "DecimalString")]
pub fn subtract_decimals(
    #[wasm_bindgen(unchecked_param_type = "DecimalString")] a: JsValue,
    #[wasm_bindgen(unchecked_param_type = "DecimalString")] b: JsValue,
) -> JsResult<String> {
    let (a, b) = decimal_args(&a, &b)?;
    funding_window::money::subtract_decimals(&a, &b).map_err(thrown)
}

/// The exact sum of an array of decimal strings, at the largest of their scales; `"0"` for an
/// empty array. An element that is not a string is `INVALID_ARGUMENT` naming it (`values[3]`),
/// one that is not a plain decimal `INVALID_AMOUNT`; more than 1,000,000 values is
/// `LIMIT_EXCEEDED`.
#[wasm_bindgen(js_name = sumDecimals, unchecked_return_type = "DecimalString")]
pub fn sum_decimals(#[wasm_bindgen(unchecked_param_type = "DecimalString[]")] values: JsValue) -> JsResult<String> {
    let values = convert::string_array_arg("values", &values, DECIMAL_ARG).map_err(thrown)?;
    funding_window::money::sum_decimals(&values).map_err(thrown)
}

/// The package version (the core's workspace version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
