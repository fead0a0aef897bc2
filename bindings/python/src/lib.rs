//! `funding_window._native`: the Python extension module of the funding-window ledger.
//!
//! The binding converts types and calls the core; it holds no business rule.
//!
//! * [`command`]: Python command dicts to the JSON of the contract, strictly (money is
//!   `decimal.Decimal`, `int` or a decimal string, never a `float` or a `bool`).
//! * [`values`]: the core's JSON (reports, results, journal entries) to Python objects,
//!   amounts as `decimal.Decimal` and dates as `datetime.date`, chosen by key name.
//! * [`errors`]: every `LedgerError` becomes the `funding_window.errors` class of its code.
//! * [`ledger`]: the `Ledger` class; long work runs with the interpreter released.
//! * [`journal`]: a journal snapshot and its columns for DataFrames.
//!
//! Nothing here panics: every fallible call returns a Python exception, and calls into the
//! core are guarded so that even a defect surfaces as `funding_window.errors.Internal`.

mod command;
mod errors;
mod journal;
mod ledger;
mod table;
mod values;

use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<ledger::PyLedger>()?;
    m.add_class::<ledger::PyApplied>()?;
    m.add_class::<ledger::AppliedBatch>()?;
    m.add_class::<journal::JournalSnapshot>()?;
    m.add_class::<table::PyTable>()?;
    m.add_function(wrap_pyfunction!(command::command_to_json, m)?)?;
    m.add_function(wrap_pyfunction!(command::argument_error, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ERROR_CODES", PyTuple::new(py, funding_window::ERROR_CODES)?)?;
    m.add("COMMAND_TYPES", PyTuple::new(py, funding_window::command::COMMAND_TYPES)?)?;
    m.add("DECIMAL_FIELDS", PyTuple::new(py, funding_window::DECIMAL_FIELDS)?)?;
    m.add("DECIMAL_TABLE_FIELDS", PyTuple::new(py, funding_window::DECIMAL_TABLE_FIELDS)?)?;
    m.add("AMOUNT_KEYS", PyTuple::new(py, values::AMOUNT_KEYS)?)?;
    m.add("AMOUNT_TABLE_KEYS", PyTuple::new(py, values::AMOUNT_TABLE_KEYS)?)?;
    m.add("DATE_KEYS", PyTuple::new(py, values::DATE_KEYS)?)?;
    m.add("COMMAND_DEPTH_MAX", command::COMMAND_DEPTH_MAX)?;
    Ok(())
}
