//! A report's table (the core's [`Table`]): its columns and typed rows, for `rows`,
//! DataFrames and HTML tables, and its CSV, all made by the core from the same rows.

use funding_window::table::{Cell, Table};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::columns::{Column, Layout};
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

    /// The columns' values, column by column, laid out for DataFrames (see `columns.rs`):
    /// one tuple per column, in the order of `columns()`.
    fn column_data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let table = &self.inner;
        let columns: Vec<Column> = py.detach(|| {
            let mut columns: Vec<Column> =
                table.columns.iter().map(|c| Column::new(Layout::of(c.kind), table.rows.len())).collect();
            for row in &table.rows {
                for (column, cell) in columns.iter_mut().zip(row) {
                    column.push_cell(cell);
                }
            }
            columns
        });
        let out = PyList::empty(py);
        for column in columns {
            out.append(column.into_python(py)?)?;
        }
        Ok(out)
    }

    /// The table as CSV (RFC 4180), exactly as the core's `export_csv` writes the report.
    fn to_csv(&self) -> String {
        self.inner.to_csv()
    }

    fn __len__(&self) -> usize {
        self.inner.rows.len()
    }
}
