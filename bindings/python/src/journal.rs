//! A snapshot of the journal and its postings as columns (Arrow buffers) for DataFrames.
//!
//! The journal format is the core's (`funding_window::journal`): a header line, then one
//! JSON entry per line. The columns have one row per posting, in journal order.

use std::borrow::Cow;

use chrono::NaiveDate;
use funding_window::calendar::parse_date;
use funding_window::money::parse_decimal;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use serde::Deserialize;
use serde_json::Value;

use crate::values::Converter;

/// The journal text at one moment; reports on it never see later entries.
#[pyclass(name = "JournalSnapshot", module = "funding_window._native", frozen)]
pub struct JournalSnapshot {
    text: String,
}

/// What the columns need of an entry line (other members are skipped).
#[derive(Deserialize)]
struct EntryView<'a> {
    seq: u64,
    #[serde(default, borrow)]
    date: Option<Cow<'a, str>>,
    #[serde(borrow)]
    recorded_at: Cow<'a, str>,
    #[serde(default, borrow)]
    recorded_by: Option<Cow<'a, str>>,
    #[serde(borrow)]
    command: CommandView<'a>,
    #[serde(borrow)]
    postings: Vec<PostingView<'a>>,
}

#[derive(Deserialize)]
struct CommandView<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
}

#[derive(Deserialize)]
struct PostingView<'a> {
    #[serde(borrow)]
    account: Cow<'a, str>,
    #[serde(borrow)]
    currency: Cow<'a, str>,
    #[serde(borrow)]
    amount: Cow<'a, str>,
}

/// A nullable column's validity bitmap (Arrow: bit set = valid, least significant bit first).
#[derive(Default)]
struct Validity {
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
}

/// A string column: 64-bit offsets and UTF-8 data (Arrow `large_string`).
struct Strings {
    offsets: Vec<u8>,
    data: Vec<u8>,
    validity: Validity,
}

impl Strings {
    fn new() -> Self {
        Strings { offsets: 0i64.to_le_bytes().to_vec(), data: Vec::new(), validity: Validity::default() }
    }

    fn push(&mut self, row: usize, text: Option<&str>) {
        self.data.extend_from_slice(text.unwrap_or("").as_bytes());
        let end = i64::try_from(self.data.len()).unwrap_or(i64::MAX);
        self.offsets.extend_from_slice(&end.to_le_bytes());
        self.validity.push(row, text.is_some());
    }
}

/// The posting columns of a journal.
struct Columns {
    rows: usize,
    seq: Vec<u8>,
    date: Vec<u8>,
    date_validity: Validity,
    recorded_at: Strings,
    recorded_by: Strings,
    kind: Strings,
    account: Strings,
    currency: Strings,
    /// (mantissa, scale) per row.
    amounts: Vec<(i128, u32)>,
    amount_text: Strings,
}

const EPOCH: Option<NaiveDate> = NaiveDate::from_ymd_opt(1970, 1, 1);

impl Columns {
    fn read(text: &str) -> Result<Columns, String> {
        let mut c = Columns {
            rows: 0,
            seq: Vec::new(),
            date: Vec::new(),
            date_validity: Validity::default(),
            recorded_at: Strings::new(),
            recorded_by: Strings::new(),
            kind: Strings::new(),
            account: Strings::new(),
            currency: Strings::new(),
            amounts: Vec::new(),
            amount_text: Strings::new(),
        };
        let epoch = EPOCH.ok_or("no epoch")?;
        for (number, line) in entry_lines(text) {
            let entry: EntryView<'_> = serde_json::from_str(line).map_err(|e| format!("journal line {number}: {e}"))?;
            let date = entry.date.as_deref().and_then(parse_date);
            let days = date.and_then(|d| i32::try_from((d - epoch).num_days()).ok());
            for posting in &entry.postings {
                let row = c.rows;
                c.seq.extend_from_slice(&entry.seq.to_le_bytes());
                c.date.extend_from_slice(&days.unwrap_or(0).to_le_bytes());
                c.date_validity.push(row, days.is_some());
                c.recorded_at.push(row, Some(&entry.recorded_at));
                c.recorded_by.push(row, entry.recorded_by.as_deref());
                c.kind.push(row, Some(&entry.command.kind));
                c.account.push(row, Some(&posting.account));
                c.currency.push(row, Some(&posting.currency));
                let amount = parse_decimal(&posting.amount)
                    .map_err(|e| format!("journal line {number}: amount {:?}: {e}", posting.amount))?;
                c.amounts.push((amount.mantissa(), amount.scale()));
                c.amount_text.push(row, Some(&posting.amount));
                c.rows += 1;
            }
        }
        Ok(c)
    }

    /// Amounts as Arrow decimal128 at one scale (the largest in the column), or `None` if a
    /// value would not fit 38 digits at that scale.
    fn decimal128(&self) -> Option<(Vec<u8>, u32)> {
        let scale = self.amounts.iter().map(|a| a.1).max().unwrap_or(0);
        let limit = 10i128.checked_pow(38)?;
        let mut out = Vec::with_capacity(self.amounts.len() * 16);
        for &(mantissa, s) in &self.amounts {
            let value = 10i128.checked_pow(scale - s).and_then(|f| mantissa.checked_mul(f))?;
            if value.checked_abs()? >= limit {
                return None;
            }
            out.extend_from_slice(&value.to_le_bytes());
        }
        Some((out, scale))
    }
}

/// `(1-based line number, line)` of every entry line (the header is line 1).
fn entry_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n').enumerate().skip(1).filter(|(_, line)| !line.is_empty()).map(|(i, line)| (i + 1, line))
}

/// A Python slice bound (negative counts from the end) clamped to `0..=len`.
fn slice_bound(bound: Option<isize>, len: usize, default: usize) -> usize {
    match bound {
        None => default,
        Some(b) if b >= 0 => b.unsigned_abs().min(len),
        Some(b) => len.saturating_sub(b.unsigned_abs()),
    }
}

fn strings<'py>(py: Python<'py>, s: &Strings) -> PyResult<Bound<'py, PyAny>> {
    let validity = if s.validity.nulls > 0 { Some(PyBytes::new(py, &s.validity.bits)) } else { None };
    let fields = ("large_string", PyBytes::new(py, &s.offsets), PyBytes::new(py, &s.data), validity, s.validity.nulls);
    Ok(fields.into_pyobject(py)?.into_any())
}

impl JournalSnapshot {
    /// A snapshot of journal text (as `Ledger::to_journal` returns it).
    pub fn new(text: String) -> Self {
        JournalSnapshot { text }
    }
}

#[pymethods]
impl JournalSnapshot {
    /// Number of entries.
    fn __len__(&self) -> usize {
        entry_lines(&self.text).count()
    }

    /// The journal as JSON Lines, exactly as the core writes it (header line first).
    fn text(&self) -> &str {
        &self.text
    }

    /// The entries as one JSON array: each element is an entry line's bytes, unchanged.
    fn to_json(&self, py: Python<'_>) -> String {
        py.detach(|| {
            let mut out = String::with_capacity(self.text.len() + 2);
            out.push('[');
            for (i, (_, line)) in entry_lines(&self.text).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(line);
            }
            out.push(']');
            out
        })
    }

    /// The entries `[start, stop)` (0-based, Python slice bounds) as dicts (amounts
    /// `Decimal`, dates `datetime.date`).
    #[pyo3(signature = (start=None, stop=None))]
    fn entries<'py>(&self, py: Python<'py>, start: Option<isize>, stop: Option<isize>) -> PyResult<Bound<'py, PyAny>> {
        let parsed: Result<Vec<Value>, String> = py.detach(|| {
            let len = entry_lines(&self.text).count();
            let (from, to) = (slice_bound(start, len, 0), slice_bound(stop, len, len));
            entry_lines(&self.text)
                .skip(from)
                .take(to.saturating_sub(from))
                .map(|(number, line)| serde_json::from_str(line).map_err(|e| format!("journal line {number}: {e}")))
                .collect()
        });
        let parsed = parsed.map_err(pyo3::exceptions::PyValueError::new_err)?;
        let converter = Converter::typed(py)?;
        let list = PyList::empty(py);
        for value in &parsed {
            list.append(converter.convert(value)?)?;
        }
        Ok(list.into_any())
    }

    /// One row per posting, as Arrow buffers: a dict of column name to a tuple
    /// `(arrow type, buffers...)`; see `funding_window._frames.journal_frame`.
    fn columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let columns = py.detach(|| Columns::read(&self.text).map(|c| (c.decimal128(), c)));
        let (decimals, c) = columns.map_err(pyo3::exceptions::PyValueError::new_err)?;
        let out = PyDict::new(py);
        out.set_item("rows", c.rows)?;
        out.set_item("seq", ("uint64", PyBytes::new(py, &c.seq)))?;
        let date_validity =
            if c.date_validity.nulls > 0 { Some(PyBytes::new(py, &c.date_validity.bits)) } else { None };
        out.set_item("date", ("date32", PyBytes::new(py, &c.date), date_validity, c.date_validity.nulls))?;
        out.set_item("recorded_at", strings(py, &c.recorded_at)?)?;
        out.set_item("recorded_by", strings(py, &c.recorded_by)?)?;
        out.set_item("type", strings(py, &c.kind)?)?;
        out.set_item("account", strings(py, &c.account)?)?;
        out.set_item("currency", strings(py, &c.currency)?)?;
        match decimals {
            Some((data, scale)) => out.set_item("amount", ("decimal128", PyBytes::new(py, &data), scale))?,
            // Too wide for decimal128: the exact text, which becomes Decimal objects.
            None => out.set_item("amount", strings(py, &c.amount_text)?)?,
        }
        Ok(out)
    }
}
