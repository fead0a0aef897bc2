//! The `Ledger` class: the core's ledger behind a lock, worked on with the interpreter released.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use chrono::NaiveDate;
use funding_window::calendar::date_argument;
use funding_window::export::{CsvReport, IatiOptions};
use funding_window::table::Table;
use funding_window::{Applied, BatchError, Currency, Ledger, LedgerError, ReportingPeriod, Request};
use pyo3::exceptions::{PyIndexError, PyOverflowError, PyTypeError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDate, PyDateAccess, PyDateTime, PyDict, PyFrozenSet, PyIterator, PyList,
    PyMemoryView, PySet, PySlice, PyString, PyTuple,
};
use serde::Serialize;
use serde_json::Value;

use crate::command;
use crate::errors::{batch_to_pyerr, to_pyerr};
use crate::journal::JournalSnapshot;
use crate::table::PyTable;
use crate::values::Converter;

/// A report as the core's JSON text and the same document parsed, for Python objects.
type Document = (String, Value);

/// A report as Python receives it: the core's JSON text and its Python values.
type PyDocument<'py> = (String, Bound<'py, PyAny>);

/// A report with a table: the core's JSON text, its Python values and the core's table of the
/// same report (rows, columns and CSV), made under one lock (so they always show the same books).
type PyReport<'py> = (String, Bound<'py, PyAny>, PyTable);

const BROKEN: &str = "this ledger stopped after an internal failure; reopen it from its journal";

/// The funding window's books (the core's `Ledger`).
///
/// Methods that do real work (applying, replaying, reports) release the interpreter while
/// the core runs; the ledger is locked meanwhile, so calls from several threads queue up.
#[pyclass(name = "Ledger", module = "funding_window._native", frozen)]
pub struct PyLedger {
    inner: Mutex<Ledger>,
    /// Set when the core failed unexpectedly mid-operation: the state is not trusted after it.
    broken: AtomicBool,
}

/// What applying one command did (the core's `Applied`).
#[pyclass(name = "Applied", module = "funding_window._native", frozen)]
pub struct PyApplied {
    inner: Applied,
}

impl PyLedger {
    fn wrap(ledger: Ledger) -> Self {
        PyLedger { inner: Mutex::new(ledger), broken: AtomicBool::new(false) }
    }

    /// Runs `f` on the ledger, interpreter released and ledger locked. A panic in the core
    /// (a defect) becomes `INTERNAL`, and the ledger refuses further work.
    pub(crate) fn with_ledger<T: Send>(&self, py: Python<'_>, f: impl FnOnce(&mut Ledger) -> T + Send) -> PyResult<T> {
        let outcome = py.detach(|| {
            let mut ledger = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            if self.broken.load(Ordering::Acquire) {
                return Err(BROKEN.to_owned());
            }
            catch_unwind(AssertUnwindSafe(|| f(&mut ledger))).map_err(|payload| {
                self.broken.store(true, Ordering::Release);
                panic_message(payload.as_ref())
            })
        });
        outcome.map_err(|message| to_pyerr(py, &LedgerError::Internal { message }, None))
    }

    fn document<'py, T: Serialize>(
        &self,
        py: Python<'py>,
        f: impl FnOnce(&mut Ledger) -> Result<T, LedgerError> + Send,
    ) -> PyResult<PyDocument<'py>> {
        let document = self.with_ledger(py, |ledger| f(ledger).and_then(|report| serialize(&report)))?;
        to_python(py, document)
    }

    /// As [`PyLedger::document`], with the core's table of the same report (`f` gives both).
    fn report<'py, T: Serialize>(
        &self,
        py: Python<'py>,
        f: impl FnOnce(&mut Ledger) -> Result<(T, Table), LedgerError> + Send,
    ) -> PyResult<PyReport<'py>> {
        let outcome = self.with_ledger(py, move |ledger| {
            let (report, table) = f(ledger)?;
            Ok((serialize(&report)?, table))
        })?;
        let (document, table) = outcome.map_err(|e| to_pyerr(py, &e, None))?;
        let (json, data) = to_python(py, Ok(document))?;
        Ok((json, data, PyTable::new(table)))
    }
}

/// A report and its table.
fn with_table<T>(report: T, table: impl FnOnce(&T) -> Table) -> (T, Table) {
    let table = table(&report);
    (report, table)
}

/// Runs a constructor with the interpreter released; a panic becomes `INTERNAL`.
pub(crate) fn guarded<T: Send>(py: Python<'_>, f: impl FnOnce() -> Result<T, LedgerError> + Send) -> PyResult<T> {
    let outcome = py.detach(|| {
        catch_unwind(AssertUnwindSafe(f))
            .unwrap_or_else(|payload| Err(LedgerError::Internal { message: panic_message(payload.as_ref()) }))
    });
    outcome.map_err(|e| to_pyerr(py, &e, None))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown failure".to_owned());
    format!("the core failed unexpectedly: {text}")
}

/// The core's JSON bytes of a report, and the same parsed (field order kept).
fn serialize<T: Serialize>(report: &T) -> Result<Document, LedgerError> {
    let internal = |e: serde_json::Error| LedgerError::Internal { message: format!("report serialization: {e}") };
    let json = serde_json::to_string(report).map_err(internal)?;
    let value = serde_json::from_str(&json).map_err(internal)?;
    Ok((json, value))
}

fn to_python(py: Python<'_>, document: Result<Document, LedgerError>) -> PyResult<PyDocument<'_>> {
    let (json, value) = document.map_err(|e| to_pyerr(py, &e, None))?;
    let data = Converter::typed(py)?.convert(&value)?;
    Ok((json, data))
}

/// `None`, a `datetime.date` or a `YYYY-MM-DD` string; a `datetime` is refused
/// (`ArgumentTypeError`, `INVALID_ARGUMENT`).
fn date_arg(py: Python<'_>, name: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<NaiveDate>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let text: String = if value.is_instance_of::<PyDateTime>() {
        return Err(command::argument_type_error(
            py,
            name,
            value,
            "a datetime.date or \"YYYY-MM-DD\" (a date, not a time)",
        ));
    } else if let Ok(date) = value.cast::<PyDate>() {
        // The date's fields, not its isoformat(): a subclass does not get to choose its text.
        format!("{:04}-{:02}-{:02}", date.get_year(), date.get_month(), date.get_day())
    } else if let Ok(s) = value.cast::<PyString>() {
        str_text(py, name, s)?
    } else {
        return Err(command::argument_type_error(py, name, value, "a datetime.date or \"YYYY-MM-DD\""));
    };
    date_argument(name, &text).map(Some).map_err(|e| to_pyerr(py, &e, None))
}

/// The text of a `str` argument; one holding a lone surrogate (which no UTF-8 text can
/// carry) is `InvalidArgument`.
fn str_text(py: Python<'_>, name: &str, s: &Bound<'_, PyString>) -> PyResult<String> {
    s.to_cow().map(Cow::into_owned).map_err(|_| {
        let error = LedgerError::InvalidArgument {
            name: name.to_owned(),
            value: "a str with a lone surrogate".to_owned(),
            reason: "a str with a lone surrogate (U+D800 to U+DFFF) is not valid Unicode text".to_owned(),
        };
        to_pyerr(py, &error, None)
    })
}

/// A text argument (period, donor, account): `str` only (else `ArgumentTypeError`).
fn text_arg(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    match value.cast::<PyString>() {
        Ok(s) => str_text(py, name, s),
        Err(_) => Err(command::argument_type_error(py, name, value, "a str")),
    }
}

/// A reporting period: a `str` (`"2024"`, `"2024-H2"`, `"2024-Q3"`, `"2024-07"`), a dict
/// `{"from": ..., "to": ...}` or a `(from, to)` pair, the dates `datetime.date` or
/// `"YYYY-MM-DD"`. The core checks it (`INVALID_ARGUMENT` naming the period); another
/// Python type is `ArgumentTypeError`.
fn period_arg(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<ReportingPeriod> {
    const EXPECTED: &str = "a str such as \"2024-H2\", a {\"from\", \"to\"} dict or a (from, to) pair of dates";
    if let Ok(text) = value.cast::<PyString>() {
        return Ledger::parse_period(&str_text(py, "period", text)?).map_err(|e| to_pyerr(py, &e, None));
    }
    let mut range = serde_json::Map::new();
    if let Ok(dict) = value.cast::<PyDict>() {
        for (key, item) in dict.iter() {
            let key = text_arg(py, "period", &key)?;
            // Keys other than from and to go to the core as they are named, which refuses them.
            let date = if key == "from" || key == "to" { period_date(py, &item)? } else { Value::Null };
            range.insert(key, date);
        }
    } else if value.is_instance_of::<PyTuple>() || value.is_instance_of::<PyList>() {
        if value.len()? != 2 {
            return Err(command::argument_type_error(py, "period", value, EXPECTED));
        }
        range.insert("from".into(), period_date(py, &value.get_item(0)?)?);
        range.insert("to".into(), period_date(py, &value.get_item(1)?)?);
    } else {
        return Err(command::argument_type_error(py, "period", value, EXPECTED));
    }
    ReportingPeriod::from_value(&Value::Object(range)).map_err(|e| to_pyerr(py, &e, None))
}

/// One end of a period's date range: a `datetime.date` or text (the core checks the text).
fn period_date(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Value> {
    if value.is_instance_of::<PyDateTime>() {
        return Err(command::argument_type_error(py, "period", value, "dates (a datetime.date, not a datetime)"));
    }
    if let Ok(date) = value.cast::<PyDate>() {
        // The date's fields, not its isoformat(): a subclass does not get to choose its text.
        return Ok(Value::String(format!("{:04}-{:02}-{:02}", date.get_year(), date.get_month(), date.get_day())));
    }
    match value.cast::<PyString>() {
        Ok(text) => Ok(Value::String(str_text(py, "period", text)?)),
        Err(_) => Err(command::argument_type_error(py, "period", value, "dates: datetime.date or \"YYYY-MM-DD\"")),
    }
}

/// A file path: a `str` or an `os.PathLike` giving one (`pathlib.Path`). Anything else is
/// `ArgumentTypeError`; a `str` holding a lone surrogate that is not a surrogate escape
/// (those stand for the bytes of a file name that is not UTF-8) is `InvalidArgument`.
fn path_arg(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    let expected = "a path: a str or an os.PathLike such as pathlib.Path";
    let os = py.import(intern!(py, "os"))?;
    let path = os.call_method1(intern!(py, "fspath"), (value,)).map_err(|e| {
        if e.is_instance_of::<PyTypeError>(py) {
            command::argument_type_error(py, name, value, expected)
        } else {
            command::argument_raised(py, name, value, e)
        }
    })?;
    let Ok(text) = path.cast::<PyString>() else {
        return Err(command::argument_type_error(py, name, &path, expected));
    };
    if let Ok(text) = text.to_cow() {
        return Ok(PathBuf::from(text.as_ref()));
    }
    // Surrogate escapes (os.listdir of a file name that is not UTF-8): the name's bytes.
    let invalid = || {
        let error = LedgerError::InvalidArgument {
            name: name.to_owned(),
            value: "a str with a lone surrogate".to_owned(),
            reason: "the path holds a lone surrogate that names no file".to_owned(),
        };
        to_pyerr(py, &error, None)
    };
    let bytes = os.call_method1(intern!(py, "fsencode"), (text,)).map_err(|_| invalid())?;
    let bytes = bytes.cast::<PyBytes>().map_err(|_| invalid())?;
    path_from_bytes(bytes.as_bytes()).ok_or_else(invalid)
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> Option<PathBuf> {
    std::str::from_utf8(bytes).ok().map(PathBuf::from)
}

/// A flag: `True` or `False` only (anything else, an `int` included, is `ArgumentTypeError`).
fn bool_arg(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<bool> {
    match value.cast::<PyBool>() {
        Ok(flag) => Ok(flag.is_true()),
        Err(_) => Err(command::argument_type_error(py, name, value, "True or False")),
    }
}

/// A journal entry's sequence number: an `int` (or an object with `__index__`) from 1 to
/// 2**64 - 1. A `bool` or any other type is `ArgumentTypeError`; an int out of range is
/// `InvalidArgument` (as from JavaScript).
fn seq_arg(py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<u64> {
    let expected = "a positive int (an entry's sequence number, from 1)";
    if value.is_instance_of::<PyBool>() {
        return Err(command::argument_type_error(py, name, value, expected));
    }
    let out_of_range = |text: String| {
        let error =
            LedgerError::InvalidArgument { name: name.to_owned(), value: text, reason: format!("expected {expected}") };
        to_pyerr(py, &error, None)
    };
    match value.extract::<u64>() {
        Ok(0) => Err(out_of_range("0".to_owned())),
        Ok(seq) => Ok(seq),
        Err(e) if e.is_instance_of::<PyOverflowError>(py) => {
            let text = value.str().ok().and_then(|t| t.to_cow().ok().map(Cow::into_owned));
            Err(out_of_range(text.unwrap_or_else(|| "an int out of range".to_owned())))
        }
        Err(_) => Err(command::argument_type_error(py, name, value, expected)),
    }
}

/// A journal given to `from_journal`: its text (`str`) or its bytes (`bytes`, `bytearray`,
/// `memoryview`), as the WebAssembly binding takes a string or a `Uint8Array`.
enum JournalArg {
    Text(String),
    Bytes(Vec<u8>),
}

fn journal_arg(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<JournalArg> {
    if let Ok(text) = value.cast::<PyString>() {
        return str_text(py, "journal", text).map(JournalArg::Text);
    }
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(JournalArg::Bytes(bytes.as_bytes().to_vec()));
    }
    if value.is_instance_of::<PyByteArray>() || value.is_instance_of::<PyMemoryView>() {
        let copied =
            py.get_type::<PyBytes>().call1((value,)).map_err(|e| command::argument_raised(py, "journal", value, e))?;
        if let Ok(bytes) = copied.cast::<PyBytes>() {
            return Ok(JournalArg::Bytes(bytes.as_bytes().to_vec()));
        }
    }
    Err(command::argument_type_error(py, "journal", value, "the journal's text (a str) or its bytes"))
}

#[pymethods]
impl PyLedger {
    /// An empty in-memory ledger (USD reporting) that knows the 15 Assembly resolutions.
    #[new]
    fn py_new() -> Self {
        PyLedger::wrap(Ledger::new())
    }

    /// Opens a journal file: replays and verifies every entry; new entries are appended to it,
    /// under the file's lock (`JOURNAL_LOCKED` if another writer holds it). With `read_only`,
    /// takes no lock and refuses commands (`READ_ONLY`); `refresh` follows the writer.
    #[staticmethod]
    #[pyo3(signature = (path, read_only))]
    fn open(py: Python<'_>, path: &Bound<'_, PyAny>, read_only: &Bound<'_, PyAny>) -> PyResult<Self> {
        let path = path_arg(py, "path", path)?;
        let read_only = bool_arg(py, "read_only", read_only)?;
        guarded(py, move || if read_only { Ledger::open_read_only(&path) } else { Ledger::open(&path) })
            .map(PyLedger::wrap)
    }

    /// Connects to the ledger `ledger` of the PostgreSQL database of `dsn`, creating the
    /// tables and the ledger when missing; its journal is read and verified. Appends are
    /// conditional (`CONFLICT` when another writer came first: `refresh`, then retry).
    #[staticmethod]
    fn connect(py: Python<'_>, dsn: &Bound<'_, PyAny>, ledger: &Bound<'_, PyAny>) -> PyResult<Self> {
        let dsn = text_arg(py, "dsn", dsn)?;
        let ledger = text_arg(py, "ledger", ledger)?;
        guarded(py, move || funding_window_postgres::connect(&dsn, &ledger)).map(PyLedger::wrap)
    }

    /// Takes in what other writers appended since (verified as opening verifies); returns
    /// the number of entries taken in.
    fn refresh(&self, py: Python<'_>) -> PyResult<u64> {
        self.with_ledger(py, |ledger| ledger.refresh())?.map_err(|e| to_pyerr(py, &e, None))
    }

    /// Whether the ledger was opened read-only.
    #[getter]
    fn read_only(&self, py: Python<'_>) -> PyResult<bool> {
        self.with_ledger(py, |ledger| ledger.is_read_only())
    }

    /// Where the journal is kept: a file's path, `postgresql ledger "name"`, `<memory>`.
    #[getter]
    fn store(&self, py: Python<'_>) -> PyResult<String> {
        self.with_ledger(py, |ledger| ledger.store_description())
    }

    /// Creates a new journal file (never overwriting one) and a ledger appending to it.
    #[staticmethod]
    fn create(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        let path = path_arg(py, "path", path)?;
        guarded(py, move || Ledger::create(&path)).map(PyLedger::wrap)
    }

    /// Opens a journal file, cutting off a torn tail left by a crash; returns what was dropped.
    #[staticmethod]
    fn recover<'py>(py: Python<'py>, path: &Bound<'py, PyAny>) -> PyResult<(Self, Bound<'py, PyAny>)> {
        let path = path_arg(py, "path", path)?;
        let (ledger, recovery) = guarded(py, move || {
            let (ledger, recovery) = Ledger::recover(&path)?;
            Ok((ledger, serialize(&recovery)?))
        })?;
        let (_, recovery) = to_python(py, Ok(recovery))?;
        Ok((PyLedger::wrap(ledger), recovery))
    }

    /// Rebuilds a ledger from a journal (its text as `to_journal` returns it, or its bytes as
    /// read from a file), verifying it.
    #[staticmethod]
    fn from_journal(py: Python<'_>, journal: &Bound<'_, PyAny>) -> PyResult<Self> {
        match journal_arg(py, journal)? {
            JournalArg::Text(text) => guarded(py, move || Ledger::from_journal(&text)),
            JournalArg::Bytes(bytes) => guarded(py, move || Ledger::from_journal_bytes(&bytes)),
        }
        .map(PyLedger::wrap)
    }

    /// Writes the whole journal to `path` atomically.
    fn save(&self, py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<()> {
        let path = path_arg(py, "path", path)?;
        self.with_ledger(py, move |ledger| ledger.save(&path))?.map_err(|e| to_pyerr(py, &e, None))
    }

    /// The journal as JSON Lines, exactly as `save` writes it.
    fn to_journal(&self, py: Python<'_>) -> PyResult<String> {
        self.with_ledger(py, |ledger| ledger.to_journal().map(Cow::into_owned))?.map_err(|e| to_pyerr(py, &e, None))
    }

    /// A snapshot of the journal, for the journal report.
    fn journal(slf: &Bound<'_, Self>) -> PyResult<JournalSnapshot> {
        let py = slf.py();
        let taken = slf.get().with_ledger(py, |ledger| ledger.to_journal().map(|t| (t.into_owned(), ledger.len())))?;
        let (text, entries) = taken.map_err(|e| to_pyerr(py, &e, None))?;
        Ok(JournalSnapshot::new(slf.clone().unbind(), text, entries))
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.with_ledger(py, |ledger| ledger.len())
    }

    /// Hash of the last journal entry (64 zeros for an empty journal).
    #[getter]
    fn chain_head(&self, py: Python<'_>) -> PyResult<String> {
        self.with_ledger(py, |ledger| ledger.chain_head())
    }

    /// The journal file the ledger appends to, if any.
    #[getter]
    fn path(&self, py: Python<'_>) -> PyResult<Option<String>> {
        self.with_ledger(py, |ledger| ledger.path().map(|p| p.display().to_string()))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        self.with_ledger(py, |ledger| {
            format!("Ledger(entries={}, chain_head={:.12}…)", ledger.len(), ledger.chain_head())
        })
    }

    /// Applies one command dict of the contract; on error nothing changes.
    fn apply(&self, py: Python<'_>, command: &Bound<'_, PyAny>) -> PyResult<PyApplied> {
        let text = command::to_json(command).map_err(|r| r.into_pyerr(py, None))?;
        self.with_ledger(py, move |ledger| Request::from_json(&text).and_then(|request| ledger.apply(request)))?
            .map(|inner| PyApplied { inner })
            .map_err(|e| to_pyerr(py, &e, None))
    }

    /// Applies commands (dicts or JSON texts) all or nothing; a failure names the command's `index`.
    fn apply_batch(&self, py: Python<'_>, commands: &Bound<'_, PyAny>) -> PyResult<AppliedBatch> {
        let requests = match commands.len() {
            Ok(n) if n >= PIPELINE_COMMANDS_MIN => convert_and_parse_in_parallel(py, commands)?,
            _ => convert_then_parse(py, commands)?,
        };
        let outcome = self.with_ledger(py, move |ledger| requests.and_then(|r| ledger.apply_batch(r)))?;
        match outcome {
            Ok(items) => Ok(AppliedBatch { items }),
            Err(e) => Err(batch_to_pyerr(py, &e)),
        }
    }

    /// Dry run of an `allocate` command dict: the split and its explanation; nothing changes.
    fn preview<'py>(&self, py: Python<'py>, command: &Bound<'py, PyAny>) -> PyResult<PyReport<'py>> {
        let text = command::to_json(command).map_err(|r| r.into_pyerr(py, None))?;
        self.report(py, move |ledger| {
            let preview = Request::from_json(&text).and_then(|r| ledger.preview_request(&r))?;
            let table = preview.table();
            Ok((preview, table))
        })
    }

    /// Trial balance as of a date (`None`: after every entry), with its table.
    #[pyo3(signature = (as_of=None))]
    fn trial_balance<'py>(&self, py: Python<'py>, as_of: Option<&Bound<'py, PyAny>>) -> PyResult<PyReport<'py>> {
        let as_of = date_arg(py, "as_of", as_of)?;
        self.report(py, move |ledger| Ok(with_table(ledger.trial_balance(as_of), |r| r.table())))
    }

    /// The resolution tracker of a period (`"2024-H2"`, or any reporting period), with its table.
    fn resolution_tracker<'py>(&self, py: Python<'py>, period: &Bound<'py, PyAny>) -> PyResult<PyReport<'py>> {
        let period = period_arg(py, period)?;
        self.report(py, move |ledger| Ok(with_table(ledger.resolution_tracker(period), |r| r.table())))
    }

    /// The window statement of a period (`"2024-H2"`, or any reporting period), with its table.
    fn window_statement<'py>(&self, py: Python<'py>, period: &Bound<'py, PyAny>) -> PyResult<PyReport<'py>> {
        let period = period_arg(py, period)?;
        self.report(py, move |ledger| Ok(with_table(ledger.window_statement(period), |r| r.table())))
    }

    /// A donor's statement, with its table.
    fn donor_statement<'py>(&self, py: Python<'py>, donor: &Bound<'py, PyAny>) -> PyResult<PyReport<'py>> {
        let donor = text_arg(py, "donor", donor)?;
        self.report(py, move |ledger| ledger.donor_statement(&donor).map(|r| with_table(r, |r| r.table())))
    }

    /// The balance-transfer register, with its table.
    fn transfer_register<'py>(&self, py: Python<'py>) -> PyResult<PyReport<'py>> {
        self.report(py, |ledger| Ok(with_table(ledger.transfer_register(), |r| r.table())))
    }

    /// The allocation log, with its table.
    fn allocation_log<'py>(&self, py: Python<'py>) -> PyResult<PyReport<'py>> {
        self.report(py, |ledger| Ok(with_table(ledger.allocation_log(), |r| r.table())))
    }

    /// One report as CSV (RFC 4180), exactly as the core writes it: `report` is one of the
    /// core's `CSV_REPORTS`, `args` its arguments (`period`, `as_of`, `donor`) as a dict.
    #[pyo3(signature = (report, args=None))]
    fn export_csv(
        &self,
        py: Python<'_>,
        report: &Bound<'_, PyAny>,
        args: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let name = text_arg(py, "report", report)?;
        let args = command::arguments(py, "args", args, &[])?;
        let report = CsvReport::from_args(&name, &args).map_err(|e| to_pyerr(py, &e, None))?;
        self.with_ledger(py, move |ledger| ledger.export_csv(&report))?.map_err(|e| to_pyerr(py, &e, None))
    }

    /// The window and its projects as an IATI 2.03 activity file; `options` are the core's
    /// `IatiOptions` as a dict (`generated_at` a timezone-aware `datetime` or RFC 3339 text).
    fn export_iati(&self, py: Python<'_>, options: &Bound<'_, PyAny>) -> PyResult<String> {
        let options = command::arguments(py, "options", Some(options), &["generated_at"])?;
        let options = IatiOptions::from_value(&options).map_err(|e| to_pyerr(py, &e, None))?;
        self.with_ledger(py, move |ledger| ledger.export_iati(&options))?.map_err(|e| to_pyerr(py, &e, None))
    }

    /// The journal in hledger / ledger-cli syntax.
    fn export_hledger(&self, py: Python<'_>) -> PyResult<String> {
        self.with_ledger(py, |ledger| ledger.export_hledger())?.map_err(|e| to_pyerr(py, &e, None))
    }

    /// The registered resolutions.
    fn resolutions<'py>(&self, py: Python<'py>) -> PyResult<PyDocument<'py>> {
        self.document(py, |ledger| Ok(ledger.resolutions()))
    }

    /// The registered donors.
    fn donors<'py>(&self, py: Python<'py>) -> PyResult<PyDocument<'py>> {
        self.document(py, |ledger| Ok(ledger.donors()))
    }

    /// The window's balance (unallocated and per earmark) as of a date.
    #[pyo3(signature = (as_of=None))]
    fn window_balance<'py>(&self, py: Python<'py>, as_of: Option<&Bound<'py, PyAny>>) -> PyResult<PyDocument<'py>> {
        let as_of = date_arg(py, "as_of", as_of)?;
        self.document(py, move |ledger| Ok(ledger.window_balance(as_of)))
    }

    /// One journal entry, by sequence number.
    fn entry<'py>(&self, py: Python<'py>, seq: &Bound<'py, PyAny>) -> PyResult<PyDocument<'py>> {
        let seq = seq_arg(py, "seq", seq)?;
        self.document(py, move |ledger| ledger.entry(seq))
    }

    /// The debit-positive balance of an account, as `decimal.Decimal`.
    #[pyo3(signature = (account, currency=None, as_of=None))]
    fn balance<'py>(
        &self,
        py: Python<'py>,
        account: &Bound<'py, PyAny>,
        currency: Option<&Bound<'py, PyAny>>,
        as_of: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let account = text_arg(py, "account", account)?;
        let currency = currency.filter(|c| !c.is_none()).map(|c| text_arg(py, "currency", c)).transpose()?;
        let as_of = date_arg(py, "as_of", as_of)?;
        let amount = self.with_ledger(py, move |ledger| {
            let currency = currency.as_deref().map(str::parse::<Currency>).transpose()?;
            ledger.balance(&account, currency, as_of).map(|a| a.to_string())
        })?;
        let amount = amount.map_err(|e| to_pyerr(py, &e, None))?;
        Converter::typed(py)?.decimal(&amount)
    }
}

/// Batches of at least this many commands are parsed by a second thread while the first
/// converts the Python objects (which needs the interpreter); smaller ones are not worth a thread.
const PIPELINE_COMMANDS_MIN: usize = 4096;

/// Commands handed to the parsing thread at a time.
const PIPELINE_CHUNK_COMMANDS: usize = 512;

/// Converts every command, then parses them all (with the interpreter released).
///
/// The outer error is a conversion error (`TypeError`, ...), which comes before any parse error.
fn convert_then_parse(py: Python<'_>, commands: &Bound<'_, PyAny>) -> PyResult<Result<Vec<Request>, BatchError>> {
    let mut writer = command::Writer::new(py)?;
    let mut texts = Vec::new();
    for (index, command) in batch_items(py, commands)?.enumerate() {
        let text =
            command.map_err(|e| command::Refusal::unreadable(py, index, e)).and_then(|c| writer.write_command(&c));
        texts.push(text.map_err(|r| r.into_pyerr(py, Some(index)))?);
    }
    drop(writer);
    Ok(py.detach(move || parse_all(texts)))
}

/// As [`convert_then_parse`], with the parsing on a second thread as the texts come.
fn convert_and_parse_in_parallel(
    py: Python<'_>,
    commands: &Bound<'_, PyAny>,
) -> PyResult<Result<Vec<Request>, BatchError>> {
    let mut writer = command::Writer::new(py)?;
    let iterator = batch_items(py, commands)?;
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<String>>(64);
        // When the parser stops at an error it drops the receiver, and sending fails at once.
        let parser = scope.spawn(move || parse_all(receiver.into_iter().flatten()));
        let mut conversion_error = None;
        let mut chunk = Vec::with_capacity(PIPELINE_CHUNK_COMMANDS);
        for (index, command) in iterator.enumerate() {
            match command.map_err(|e| command::Refusal::unreadable(py, index, e)).and_then(|c| writer.write_command(&c))
            {
                Ok(text) => {
                    chunk.push(text);
                    if chunk.len() == PIPELINE_CHUNK_COMMANDS {
                        let full = std::mem::replace(&mut chunk, Vec::with_capacity(PIPELINE_CHUNK_COMMANDS));
                        let _ = sender.send(full);
                    }
                }
                Err(refusal) => {
                    conversion_error = Some(refusal.into_pyerr(py, Some(index)));
                    break;
                }
            }
        }
        if !chunk.is_empty() {
            let _ = sender.send(chunk);
        }
        drop(sender);
        let parsed = py.detach(move || parser.join());
        match (conversion_error, parsed) {
            (Some(e), _) => Err(e),
            (None, Ok(parsed)) => Ok(parsed),
            (None, Err(payload)) => {
                Err(to_pyerr(py, &LedgerError::Internal { message: panic_message(payload.as_ref()) }, None))
            }
        }
    })
}

/// The commands of a batch, one at a time: any iterable (a list, a tuple, a generator) but
/// a `str`, bytes, a dict or a set, which are refused as `ArgumentTypeError` (a dict or a
/// set would be iterated in an order the caller did not write).
fn batch_items<'py>(py: Python<'py>, commands: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyIterator>> {
    let expected = "a list (or other iterable) of command dicts or JSON texts, in order";
    let refused = commands.is_instance_of::<PyDict>()
        || commands.is_instance_of::<PyString>()
        || commands.is_instance_of::<PyBytes>()
        || commands.is_instance_of::<PyByteArray>()
        || commands.is_instance_of::<PyMemoryView>()
        || commands.is_instance_of::<PySet>()
        || commands.is_instance_of::<PyFrozenSet>();
    if refused {
        return Err(command::argument_type_error(py, "commands", commands, expected));
    }
    commands.try_iter().map_err(|e| {
        if e.is_instance_of::<PyTypeError>(py) {
            command::argument_type_error(py, "commands", commands, expected)
        } else {
            command::argument_raised(py, "commands", commands, e)
        }
    })
}

/// Parses command texts; the first that fails names its position.
fn parse_all(texts: impl IntoIterator<Item = String>) -> Result<Vec<Request>, BatchError> {
    texts
        .into_iter()
        .enumerate()
        .map(|(index, text)| Request::from_json(&text).map_err(|error| BatchError { index, error }))
        .collect()
}

/// The results of a batch: a sequence of `Applied`, made into Python objects when read.
#[pyclass(name = "AppliedBatch", module = "funding_window._native", frozen, sequence)]
pub struct AppliedBatch {
    items: Vec<Applied>,
}

#[pymethods]
impl AppliedBatch {
    fn __len__(&self) -> usize {
        self.items.len()
    }

    fn __getitem__<'py>(&self, py: Python<'py>, index: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let len = isize::try_from(self.items.len()).unwrap_or(isize::MAX);
        let refused = || command::argument_type_error(py, "index", index, "an int or a slice of ints");
        if let Ok(slice) = index.cast::<PySlice>() {
            let range = slice.indices(len).map_err(|_| refused())?;
            let list = PyList::empty(py);
            let mut i = range.start;
            for _ in 0..range.slicelength {
                if let Some(item) = usize::try_from(i).ok().and_then(|i| self.items.get(i)) {
                    list.append(PyApplied { inner: item.clone() })?;
                }
                i += range.step;
            }
            return Ok(list.into_any());
        }
        // As for a list: a bool is an int, an int too large for any index is out of range.
        let i: isize = match index.extract() {
            Ok(i) => i,
            Err(e) if e.is_instance_of::<PyOverflowError>(py) => {
                return Err(PyIndexError::new_err("batch index out of range"));
            }
            Err(_) => return Err(refused()),
        };
        let position = if i < 0 { i + len } else { i };
        match usize::try_from(position).ok().and_then(|p| self.items.get(p)) {
            Some(item) => Ok(Bound::new(py, PyApplied { inner: item.clone() })?.into_any()),
            None => Err(PyIndexError::new_err("batch index out of range")),
        }
    }

    fn __repr__(&self) -> String {
        match (self.items.first(), self.items.last()) {
            (Some(first), Some(last)) => {
                format!("AppliedBatch({} entries, seq {}..{})", self.items.len(), first.seq, last.seq)
            }
            _ => "AppliedBatch(0 entries)".to_owned(),
        }
    }
}

#[pymethods]
impl PyApplied {
    /// Sequence number of the journal entry.
    #[getter]
    fn seq(&self) -> u64 {
        self.inner.seq
    }

    /// The entry's hash (the journal's chain head right after it).
    #[getter]
    fn hash(&self) -> String {
        self.inner.hash.clone()
    }

    /// Value date (`None` for registrations and settings).
    #[getter]
    fn date<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.date.map(|d| Converter::typed(py)?.date(&d.format("%Y-%m-%d").to_string())).transpose()
    }

    /// `True` when an idempotency key matched an earlier entry, returned unchanged.
    #[getter]
    fn duplicate(&self) -> bool {
        self.inner.duplicate
    }

    /// The postings: dicts of `account`, `currency` and `amount` (`Decimal`, debit-positive).
    #[getter]
    fn postings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let value = serde_json::to_value(&self.inner.postings).map_err(|e| {
            to_pyerr(py, &LedgerError::Internal { message: format!("postings serialization: {e}") }, None)
        })?;
        Converter::typed(py)?.convert(&value)
    }

    /// The core's JSON of the result.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        serde_json::to_string(&self.inner)
            .map_err(|e| to_pyerr(py, &LedgerError::Internal { message: format!("serialization: {e}") }, None))
    }

    /// The result as a dict (amounts `Decimal`, dates `datetime.date`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, serialize(&self.inner)).map(|(_, data)| data)
    }

    fn __repr__(&self) -> String {
        let date = self.inner.date.map_or_else(|| "None".to_owned(), |d| d.format("%Y-%m-%d").to_string());
        format!(
            "Applied(seq={}, date={}, postings={}, duplicate={})",
            self.inner.seq,
            date,
            self.inner.postings.len(),
            if self.inner.duplicate { "True" } else { "False" }
        )
    }
}
