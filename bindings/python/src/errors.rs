//! Core errors as Python exceptions.
//!
//! The mapping is a table, not a `match`: the error's JSON form (`code`, `message` and the
//! offending values, from [`LedgerError::to_json_value`]) goes to
//! `funding_window.errors._from_core`, which picks the class registered for the code (one
//! class per entry of the core's `ERROR_CODES`). A code added to the core and not yet to the
//! Python classes still raises a `LedgerError` carrying that code; the test suite fails
//! until the class exists.

use funding_window::{BatchError, LedgerError};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::values::Converter;

/// The Python exception for a core error; `index` is the failing command of a batch.
pub fn to_pyerr(py: Python<'_>, error: &LedgerError, index: Option<usize>) -> PyErr {
    match build(py, error, index) {
        Ok(err) => err,
        // Only if the Python half of the package cannot be imported: still a ValueError
        // that says what the core said.
        Err(_) => PyValueError::new_err(format!("{} ({})", error, error.code())),
    }
}

/// The Python exception for a failed batch.
pub fn batch_to_pyerr(py: Python<'_>, error: &BatchError) -> PyErr {
    to_pyerr(py, &error.error, Some(error.index))
}

fn build(py: Python<'_>, error: &LedgerError, index: Option<usize>) -> PyResult<PyErr> {
    static FROM_CORE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let from_core = FROM_CORE
        .get_or_try_init(py, || py.import("funding_window.errors")?.getattr("_from_core").map(Bound::unbind))?
        .bind(py);
    let details = Converter::raw(py)?.convert(&error.to_json_value())?;
    let exception = from_core.call1((details, index))?;
    Ok(PyErr::from_value(exception))
}
