//! The core's JSON (reports, results, journal entries) to Python objects.
//!
//! This is the one place that decides Python types for output, by key name:
//!
//! * a string under a key of [`AMOUNT_KEYS`] becomes `decimal.Decimal(text)` (exact: the
//!   scale is kept, `"1250.00"` stays `Decimal('1250.00')`);
//! * an object under a key of [`AMOUNT_TABLE_KEYS`] maps names to amounts (`totals` of the
//!   trial balance, `shares` and `weights` of an allocation): its string values become `Decimal`;
//! * a string under a key of [`DATE_KEYS`] becomes `datetime.date`;
//! * everything else keeps its JSON type: strings (ids, months `"2024-03"`, periods
//!   `"2024-H2"`, timestamps), integers (entry numbers), booleans, `None`, lists, dicts.
//!
//! JSON numbers in the core's output are integers; a fractional one would become a
//! `Decimal` of its text, never a `float`.

use chrono::Datelike;
use funding_window::calendar::parse_date;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDate, PyDict, PyList, PyType};
use serde_json::Value;

/// Keys whose string values are amounts, rates, weights or percentages (`decimal.Decimal`),
/// keys holding tables of them, and keys whose values are dates (`datetime.date`): every
/// such field of the contract, as the core describes it (generated there, never listed here).
pub use funding_window::contract::{AMOUNT_KEYS, AMOUNT_TABLE_KEYS, DATE_KEYS};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Amount,
    AmountTable,
    Date,
    Plain,
}

fn kind_of(key: &str) -> Kind {
    if AMOUNT_KEYS.contains(&key) {
        Kind::Amount
    } else if AMOUNT_TABLE_KEYS.contains(&key) {
        Kind::AmountTable
    } else if DATE_KEYS.contains(&key) {
        Kind::Date
    } else {
        Kind::Plain
    }
}

/// `decimal.Decimal`, imported once.
pub fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    DECIMAL.import(py, "decimal", "Decimal")
}

/// Converts JSON values to Python objects.
pub struct Converter<'py> {
    py: Python<'py>,
    decimal: Bound<'py, PyType>,
    /// `false`: keep every JSON type as it is (error details).
    typed: bool,
}

impl<'py> Converter<'py> {
    /// Amounts as `Decimal` and dates as `date`, by key name.
    pub fn typed(py: Python<'py>) -> PyResult<Self> {
        Ok(Converter { py, decimal: decimal_type(py)?.clone(), typed: true })
    }

    /// JSON types only: strings stay strings (error details keep the core's text).
    pub fn raw(py: Python<'py>) -> PyResult<Self> {
        Ok(Converter { py, decimal: decimal_type(py)?.clone(), typed: false })
    }

    /// The Python object of a whole document.
    pub fn convert(&self, value: &Value) -> PyResult<Bound<'py, PyAny>> {
        self.value(value, Kind::Plain)
    }

    /// A decimal string as `decimal.Decimal`.
    pub fn decimal(&self, text: &str) -> PyResult<Bound<'py, PyAny>> {
        self.decimal.call1((text,))
    }

    /// A `YYYY-MM-DD` string as `datetime.date`.
    pub fn date(&self, text: &str) -> PyResult<Bound<'py, PyAny>> {
        let date = parse_date(text).ok_or_else(|| PyValueError::new_err(format!("not a date: {text:?}")))?;
        let month = u8::try_from(date.month()).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let day = u8::try_from(date.day()).map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(PyDate::new(self.py, date.year(), month, day)?.into_any())
    }

    fn value(&self, value: &Value, kind: Kind) -> PyResult<Bound<'py, PyAny>> {
        let py = self.py;
        Ok(match value {
            Value::Null => py.None().into_bound(py),
            Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => u.into_pyobject(py)?.into_any(),
                (None, Some(i)) => i.into_pyobject(py)?.into_any(),
                // Never a float: the number's own text, exactly.
                _ => self.decimal(&n.to_string())?,
            },
            Value::String(s) => match (self.typed, kind) {
                (true, Kind::Amount) => self.decimal(s)?,
                (true, Kind::Date) => self.date(s)?,
                _ => s.into_pyobject(py)?.into_any(),
            },
            Value::Array(items) => {
                let list = PyList::empty(py);
                for item in items {
                    list.append(self.value(item, kind)?)?;
                }
                list.into_any()
            }
            Value::Object(map) => {
                let dict = PyDict::new(py);
                for (key, item) in map {
                    let inner = if kind == Kind::AmountTable { Kind::Amount } else { kind_of(key) };
                    dict.set_item(key, self.value(item, inner)?)?;
                }
                dict.into_any()
            }
        })
    }
}
