//! A table's columns laid out for DataFrames in one go: buffers that numpy and pyarrow
//! read without a Python object per cell. Money goes as one text of decimal strings, which
//! Python turns into `decimal.Decimal`s with `map` (three times quicker than one call into
//! Python per cell from here).
//!
//! Each column becomes a tuple whose first item names its layout (`funding_window._frames`
//! reads them):
//!
//! | layout | items | from cells of kind |
//! |---|---|---|
//! | `"decimal"` | the decimals' text, one per line (an empty line for none), their count, the number missing | amount, rate, percent |
//! | `"date"` | `int64` days since 1970-01-01, little-endian, `i64::MIN` (numpy's `NaT`) for none | date |
//! | `"integer"` | `int64` values, little-endian; a mask (`1` = missing) or `None` | integer |
//! | `"bool"` | one byte per row, `0` or `1` | bool |
//! | `"text"` | Arrow `large_string`: 64-bit offsets, UTF-8 data, validity bitmap or `None`, null count | text, month, period, timestamp |

use chrono::NaiveDate;
use funding_window::table::{Cell, CellKind};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

/// `NaT` of numpy's `datetime64`: the smallest `int64`.
const NOT_A_TIME: i64 = i64::MIN;

const EPOCH: Option<NaiveDate> = NaiveDate::from_ymd_opt(1970, 1, 1);

/// The layout of a column of `kind`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Decimal,
    Date,
    Integer,
    Bool,
    Text,
}

impl Layout {
    pub fn of(kind: CellKind) -> Layout {
        match kind {
            CellKind::Amount | CellKind::Rate | CellKind::Percent => Layout::Decimal,
            CellKind::Date => Layout::Date,
            CellKind::Integer => Layout::Integer,
            CellKind::Bool => Layout::Bool,
            CellKind::Text | CellKind::Month | CellKind::Period | CellKind::Timestamp => Layout::Text,
        }
    }
}

/// A validity bitmap (Arrow: bit set = valid, least significant bit first).
#[derive(Default)]
pub struct Validity {
    bits: Vec<u8>,
    nulls: usize,
}

impl Validity {
    fn push(&mut self, row: usize, valid: bool) {
        if row / 8 >= self.bits.len() {
            self.bits.push(0);
        }
        if valid {
            if let Some(byte) = self.bits.get_mut(row / 8) {
                *byte |= 1 << (row % 8);
            }
        } else {
            self.nulls += 1;
        }
    }

    /// The bitmap, or `None` when every row is valid (Arrow's convention).
    fn buffer<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        (self.nulls > 0).then(|| PyBytes::new(py, &self.bits))
    }
}

/// One column being filled, row by row.
pub enum Column {
    Decimal { text: String, rows: usize, nulls: usize },
    Date(Vec<u8>),
    Integer { data: Vec<u8>, mask: Vec<u8>, nulls: usize },
    Bool(Vec<u8>),
    Text { offsets: Vec<u8>, data: Vec<u8>, validity: Validity, rows: usize },
}

impl Column {
    pub fn new(layout: Layout, rows: usize) -> Self {
        match layout {
            Layout::Decimal => Column::Decimal { text: String::with_capacity(rows * 12), rows: 0, nulls: 0 },
            Layout::Date => Column::Date(Vec::with_capacity(rows * 8)),
            Layout::Integer => {
                Column::Integer { data: Vec::with_capacity(rows * 8), mask: Vec::with_capacity(rows), nulls: 0 }
            }
            Layout::Bool => Column::Bool(Vec::with_capacity(rows)),
            Layout::Text => {
                let mut offsets = Vec::with_capacity((rows + 1) * 8);
                offsets.extend_from_slice(&0i64.to_le_bytes());
                Column::Text { offsets, data: Vec::with_capacity(rows * 16), validity: Validity::default(), rows: 0 }
            }
        }
    }

    /// Appends a decimal (as the reports write it) or nothing.
    pub fn push_decimal(&mut self, value: Option<&str>) {
        match self {
            Column::Decimal { text, rows, nulls } => {
                if *rows > 0 {
                    text.push('\n');
                }
                // The core's decimals never hold a line break; text that did would fail to parse.
                text.push_str(value.unwrap_or(""));
                *rows += 1;
                *nulls += usize::from(value.is_none());
            }
            other => other.push_text(value),
        }
    }

    /// Appends a date or nothing.
    pub fn push_date(&mut self, value: Option<NaiveDate>) {
        match self {
            Column::Date(data) => {
                let days = value.zip(EPOCH).map_or(NOT_A_TIME, |(d, epoch)| (d - epoch).num_days());
                data.extend_from_slice(&days.to_le_bytes());
            }
            other => other.push_text(value.map(|d| d.format("%Y-%m-%d").to_string()).as_deref()),
        }
    }

    /// Appends a whole number or nothing.
    pub fn push_integer(&mut self, value: Option<u64>) {
        match self {
            Column::Integer { data, mask, nulls } => {
                // Entry numbers and ranks are far below 2^63; a larger one would be a defect.
                let number = value.map(|v| i64::try_from(v).unwrap_or(i64::MAX));
                data.extend_from_slice(&number.unwrap_or(0).to_le_bytes());
                mask.push(u8::from(number.is_none()));
                *nulls += usize::from(number.is_none());
            }
            other => other.push_text(value.map(|v| v.to_string()).as_deref()),
        }
    }

    /// Appends a yes/no value.
    pub fn push_bool(&mut self, value: bool) {
        match self {
            Column::Bool(data) => {
                data.push(u8::from(value));
            }
            other => other.push_text(Some(if value { "true" } else { "false" })),
        }
    }

    /// Appends text or nothing (any layout: a decimal column parses it).
    pub fn push_text(&mut self, value: Option<&str>) {
        match self {
            Column::Text { offsets, data, validity, rows } => {
                data.extend_from_slice(value.unwrap_or("").as_bytes());
                let end = i64::try_from(data.len()).unwrap_or(i64::MAX);
                offsets.extend_from_slice(&end.to_le_bytes());
                validity.push(*rows, value.is_some());
                *rows += 1;
            }
            Column::Decimal { .. } => self.push_decimal(value),
            Column::Date(data) => {
                let date = value.and_then(funding_window::calendar::parse_date);
                let days = date.zip(EPOCH).map_or(NOT_A_TIME, |(d, epoch)| (d - epoch).num_days());
                data.extend_from_slice(&days.to_le_bytes());
            }
            Column::Integer { .. } => self.push_integer(value.and_then(|v| v.parse().ok())),
            Column::Bool(data) => {
                data.push(u8::from(value == Some("true")));
            }
        }
    }

    /// Appends one cell of a core table.
    pub fn push_cell(&mut self, cell: &Cell) {
        match cell {
            Cell::Null => match self {
                Column::Bool(data) => {
                    data.push(0);
                }
                _ => self.push_text(None),
            },
            Cell::Decimal(_) => self.push_decimal(cell.text().as_deref()),
            Cell::Date(date) => self.push_date(Some(*date)),
            Cell::Integer(n) => self.push_integer(Some(*n)),
            Cell::Bool(b) => self.push_bool(*b),
            Cell::Text(text) => self.push_text(Some(text)),
        }
    }

    /// The column as its layout's tuple (see the module's table).
    pub fn into_python(self, py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
        match self {
            Column::Decimal { text, rows, nulls } => ("decimal", text, rows, nulls).into_pyobject(py),
            Column::Date(data) => ("date", PyBytes::new(py, &data)).into_pyobject(py),
            Column::Integer { data, mask, nulls } => {
                let mask = (nulls > 0).then(|| PyBytes::new(py, &mask));
                ("integer", PyBytes::new(py, &data), mask).into_pyobject(py)
            }
            Column::Bool(data) => ("bool", PyBytes::new(py, &data)).into_pyobject(py),
            Column::Text { offsets, data, validity, .. } => {
                ("text", PyBytes::new(py, &offsets), PyBytes::new(py, &data), validity.buffer(py), validity.nulls)
                    .into_pyobject(py)
            }
        }
    }
}
