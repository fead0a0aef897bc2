//! Commands from spreadsheet rows: the core's columns of each command type and a row's text
//! cells turned into a command's JSON (`funding_window::contract::sheet`). Reading files and
//! DataFrames, and the Python types of cells, are `funding_window._sheets`'s.

use std::io::Write;
use std::path::Path;

use funding_window::contract::sheet::{self, CellKind};
use funding_window::LedgerError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::errors::to_pyerr;
use crate::ledger::{path_arg, str_text, text_arg};

/// A column as Python receives it: name, kind, required, doc, choices.
type PyColumn = (&'static str, &'static str, bool, &'static str, Vec<String>);

/// The columns of a command type, each `(name, kind, required, doc, choices)`: `choices` are
/// the names a choice column takes (or the forms of a variant column), else empty. An unknown
/// type is `InvalidCommand`.
/// A `command` that is not a `str` is `ArgumentTypeError`.
#[pyfunction]
pub fn sheet_columns(py: Python<'_>, command: &Bound<'_, PyAny>) -> PyResult<Vec<PyColumn>> {
    let command = text_arg(py, "command", command)?;
    let columns = sheet::columns(&command).ok_or_else(|| {
        let error = LedgerError::InvalidCommand { message: format!("{command:?} is not a command type") };
        to_pyerr(py, &error, None)
    })?;
    Ok(columns
        .iter()
        .map(|c| {
            let choices = match c.kind {
                CellKind::Choice(choice) => choice.values.iter().map(|(v, _)| (*v).to_owned()).collect(),
                CellKind::Variant(union) => union
                    .variants
                    .iter()
                    .map(|v| if v.payload.is_some() { format!("{}:", v.name) } else { v.name.to_owned() })
                    .collect(),
                _ => Vec::new(),
            };
            (c.name, c.kind.name(), c.required, c.doc.trim_end(), choices)
        })
        .collect())
}

/// The JSON text of a command of type `command` from one row's cells, `(column, text or
/// None)`. A refused cell raises the core's `InvalidCommand` with the column as `.column`.
/// A header or cell holding a lone surrogate (a DataFrame's, which no file can carry) is
/// `InvalidArgument` naming its column.
#[pyfunction]
pub fn sheet_command(
    py: Python<'_>,
    command: &Bound<'_, PyAny>,
    cells: Vec<(Bound<'_, PyString>, Option<Bound<'_, PyString>>)>,
) -> PyResult<String> {
    let command = text_arg(py, "command", command)?;
    let mut texts = Vec::with_capacity(cells.len());
    for (column, text) in &cells {
        let name = str_text(py, "column", column)?;
        let text = text.as_ref().map(|t| str_text(py, &name, t)).transpose()?;
        texts.push((name, text));
    }
    let cells: Vec<(&str, Option<&str>)> = texts.iter().map(|(c, t)| (c.as_str(), t.as_deref())).collect();
    match sheet::command(&command, &cells) {
        Ok(value) => Ok(value.to_string()),
        Err(refused) => {
            let error = to_pyerr(py, &refused.error(), None);
            error.value(py).setattr(intern!(py, "column"), refused.column)?;
            Err(error)
        }
    }
}

/// The column a command field (as an error names it: `amount`, `purpose.project.id`) is read
/// from, in the sheet of `command`; `None` if none.
#[pyfunction]
pub fn sheet_column_of_field(command: &str, field: &str) -> Option<&'static str> {
    sheet::column_of_field(command, field)
}

/// The bytes of the file at `path` (argument `name`): a path that is not a `str` or
/// `os.PathLike` is `ArgumentTypeError`, a file that cannot be read `IoError`, as for
/// `Ledger.open`.
#[pyfunction]
pub fn read_file<'py>(py: Python<'py>, name: &str, path: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyBytes>> {
    let path = path_arg(py, name, path)?;
    let bytes = py.detach(|| std::fs::read(&path)).map_err(|e| to_pyerr(py, &io_error(&path, &e), None))?;
    Ok(PyBytes::new(py, &bytes))
}

/// Writes `data` to the file at `path` (argument `name`) atomically, as `Ledger.save` writes a
/// journal: a temporary file beside it, synced, then renamed over it, so that a failed write
/// leaves no half-written workbook. Errors as for [`read_file`].
#[pyfunction]
pub fn write_file(py: Python<'_>, name: &str, path: &Bound<'_, PyAny>, data: &[u8]) -> PyResult<()> {
    let path = path_arg(py, name, path)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let written = py.detach(|| {
        let write = || -> std::io::Result<()> {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(data)?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)
        };
        write().inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    });
    written.map_err(|e| to_pyerr(py, &io_error(&path, &e), None))
}

fn io_error(path: &Path, error: &std::io::Error) -> LedgerError {
    LedgerError::Io { path: path.display().to_string(), message: error.to_string() }
}
