//! A report's table (the core's [`Table`]): its columns and typed rows, for `rows`,
//! DataFrames and HTML tables, and its CSV, all made by the core from the same rows.

use funding_window::table::{Cell, Table};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::values::Converter;

/// The rows, columns, labels and cells of one report, as the core laid them out.
#[pyclass(name = "ReportTable", module = "funding_window._native", frozen)]
pub struct PyTable {
    inner: Table,
}

impl PyTable {
    pub fn new(inner: Table) -> Self {
        PyTable { inner }
    }
}

#[pymethods]
impl PyTable {
    /// The report's name (`"resolution_tracker"`).
    #[getter]
    fn report(&self) -> &'static str {
        self.inner.report
    }

    /// The report's title (`"Resolution tracker"`).
    #[getter]
    fn title(&self) -> &'static str {
        self.inner.title
    }

    /// Each column as `(name, label, kind)`: the CSV header and DataFrame column, the label for
    /// people, and what it holds (`amount`, `percent`, `rate`, `date`, `integer`, `text`, ...).
    fn columns(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        self.inner.columns.iter().map(|c| (c.name, c.label, c.kind.name())).collect()
    }

    /// The rows, each a list of cells: `decimal.Decimal`, `datetime.date`, `int`, `bool`, `str`
    /// or `None`.
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let convert = Converter::typed(py)?;
        let rows = PyList::empty(py);
        for row in &self.inner.rows {
            let cells = PyList::empty(py);
            for cell in row {
                let value = match cell {
                    Cell::Null => py.None().into_bound(py),
                    Cell::Decimal(_) => convert.decimal(&cell.text().unwrap_or_default())?,
                    Cell::Date(_) => convert.date(&cell.text().unwrap_or_default())?,
                    Cell::Integer(n) => n.into_pyobject(py)?.into_any(),
                    Cell::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
                    Cell::Text(text) => text.into_pyobject(py)?.into_any(),
                };
                cells.append(value)?;
            }
            rows.append(cells)?;
        }
        Ok(rows)
    }

    /// The table as CSV (RFC 4180), exactly as the core's `export_csv` writes the report.
    fn to_csv(&self) -> String {
        self.inner.to_csv()
    }

    fn __len__(&self) -> usize {
        self.inner.rows.len()
    }
}
