//! Core errors as Python exceptions.
//!
//! The mapping is a table, not a `match`: the error's JSON form (`code`, `message` and the
//! offending values, from [`LedgerError::to_json_value`]) goes to
//! `funding_window.errors._from_core`, which picks the class registered for the code (one
//! class per entry of the core's `ERROR_CODES`). A code added to the core and not yet to the
//! Python classes still raises a `LedgerError` carrying that code; the test suite fails
//! until the class exists.
//!
//! A Python value the binding refuses for its type (a `float` amount, a naive `datetime`)
//! is the core's error for the same mistake (`INVALID_COMMAND` in a command,
//! `INVALID_ARGUMENT` in a method's argument) raised through
//! `funding_window.errors._type_error_from_core`, whose classes are also `TypeError`s.

use funding_window::{BatchError, LedgerError};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::values::Converter;

/// The Python exception for a core error; `index` is the failing command of a batch.
pub fn to_pyerr(py: Python<'_>, error: &LedgerError, index: Option<usize>) -> PyErr {
    match build(py, error, index, Kind::Core) {
        Ok(err) => err,
        // Only if the Python half of the package cannot be imported: still a ValueError
        // that says what the core said.
        Err(_) => PyValueError::new_err(format!("{} ({})", error, error.code())),
    }
}

/// The Python exception for a value refused for its Python type: the class of `error`'s
/// code that is also a `TypeError` (`CommandTypeError`, `ArgumentTypeError`).
pub fn to_type_error(py: Python<'_>, error: &LedgerError, index: Option<usize>) -> PyErr {
    match build(py, error, index, Kind::Type) {
        Ok(err) => err,
        Err(_) => PyTypeError::new_err(format!("{} ({})", error, error.code())),
    }
}

/// The Python exception for a failed batch.
pub fn batch_to_pyerr(py: Python<'_>, error: &BatchError) -> PyErr {
    to_pyerr(py, &error.error, Some(error.index))
}

#[derive(Clone, Copy)]
enum Kind {
    Core,
    Type,
}

fn build(py: Python<'_>, error: &LedgerError, index: Option<usize>, kind: Kind) -> PyResult<PyErr> {
    static FROM_CORE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    static TYPE_ERROR_FROM_CORE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let (cell, name) = match kind {
        Kind::Core => (&FROM_CORE, "_from_core"),
        Kind::Type => (&TYPE_ERROR_FROM_CORE, "_type_error_from_core"),
    };
    let factory =
        cell.get_or_try_init(py, || py.import("funding_window.errors")?.getattr(name).map(Bound::unbind))?.bind(py);
    let details = Converter::raw(py)?.convert(&error.to_json_value())?;
    // What str() shows: for a batch, the core's message naming the command's 0-based index.
    let text = index.map(|i| error.batch_message(i));
    let exception = factory.call1((details, index, text))?;
    Ok(PyErr::from_value(exception))
}
