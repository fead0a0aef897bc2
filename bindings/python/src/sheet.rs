//! Commands from spreadsheet rows: the core's columns of each command type and a row's text
//! cells turned into a command's JSON (`funding_window::contract::sheet`). Reading files and
//! DataFrames, and the Python types of cells, are `funding_window._sheets`'s.

use funding_window::contract::sheet::{self, CellKind};
use pyo3::intern;
use pyo3::prelude::*;

use crate::errors::to_pyerr;

/// A column as Python receives it: name, kind, required, doc, choices.
type PyColumn = (&'static str, &'static str, bool, &'static str, Vec<String>);

/// The columns of a command type, each `(name, kind, required, doc, choices)`: `choices` are
/// the names a choice column takes (or the forms of a variant column), else empty. An unknown
/// type is `InvalidCommand`.
#[pyfunction]
pub fn sheet_columns(py: Python<'_>, command: &str) -> PyResult<Vec<PyColumn>> {
    let columns = sheet::columns(command).ok_or_else(|| {
        let error =
            funding_window::LedgerError::InvalidCommand { message: format!("{command:?} is not a command type") };
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
#[pyfunction]
pub fn sheet_command(py: Python<'_>, command: &str, cells: Vec<(String, Option<String>)>) -> PyResult<String> {
    let cells: Vec<(&str, Option<&str>)> = cells.iter().map(|(c, t)| (c.as_str(), t.as_deref())).collect();
    match sheet::command(command, &cells) {
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
