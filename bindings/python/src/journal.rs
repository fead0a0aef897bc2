//! A snapshot of the journal, for the journal report: its text, and its postings as columns
//! (Arrow buffers) for DataFrames.
//!
//! The columns come from the core's [`Ledger::posting_rows`] (one row per posting, in
//! journal order); the binding only lays them out as Arrow buffers. A snapshot keeps the
//! journal's text and its number of entries: the rows are read from the ledger when asked
//! for and cut at that number, so a report never sees later entries (the journal is
//! append-only, and an entry's number never changes).

use chrono::NaiveDate;
use funding_window::export::CsvReport;
use funding_window::{Ledger, LedgerError, PostingRow};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PySlice};
use serde_json::Value;

use crate::errors::to_pyerr;
use crate::ledger::{guarded, PyLedger};
use crate::values::Converter;

/// `start` and `stop` as the bounds of `sequence[start:stop]` on a sequence of `len` items,
/// with Python's own rules (`None`, negative and huge bounds, `__index__`). A bound that is
/// not an integer is `ArgumentTypeError`.
fn slice_range(
    py: Python<'_>,
    start: Option<&Bound<'_, PyAny>>,
    stop: Option<&Bound<'_, PyAny>>,
    len: usize,
) -> PyResult<(usize, usize)> {
    let none = py.None().into_bound(py);
    let (start, stop) = (start.unwrap_or(&none), stop.unwrap_or(&none));
    let refuse = |name: &str, value: &Bound<'_, PyAny>| {
        crate::command::argument_type_error(py, name, value, "an int (a position, negative from the end) or None")
    };
    for (name, bound) in [("start", start), ("stop", stop)] {
        if !bound.is_none() && bound.call_method0(intern!(py, "__index__")).is_err() {
            return Err(refuse(name, bound));
        }
    }
    let slice = py.get_type::<PySlice>().call1((start, stop))?;
    let slice = slice.cast::<PySlice>().map_err(|_| refuse("start", start))?;
    let range = slice.indices(isize::try_from(len).unwrap_or(isize::MAX)).map_err(|_| refuse("start", start))?;
    let from = usize::try_from(range.start).unwrap_or(0);
    let to = usize::try_from(range.stop).unwrap_or(0);
    Ok((from, to.max(from)))
}

/// The journal at one moment; reports on it never see later entries.
#[pyclass(name = "JournalSnapshot", module = "funding_window._native", frozen)]
pub struct JournalSnapshot {
    /// The journal file's text (header line first), as the core wrote it.
    text: String,
    /// Entries in the snapshot.
    entries: u64,
    /// The ledger it was taken from (for its posting rows and exports).
    ledger: Py<PyLedger>,
}

/// A nullable column's validity bitmap (Arrow: bit set = valid, least significant bit first).
#[derive(Default)]
struct Validity {
    bits: Vec<u8>,
    nulls: usize,
}

impl Validity {
    fn with_capacity(rows: usize) -> Self {
        Validity { bits: Vec::with_capacity(rows.div_ceil(8)), nulls: 0 }
    }

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

/// A string column: 64-bit offsets and UTF-8 data (Arrow `large_string`).
struct Strings {
    offsets: Vec<u8>,
    data: Vec<u8>,
    validity: Validity,
}

impl Strings {
    fn with_capacity(rows: usize, bytes_per_row: usize) -> Self {
        let mut offsets = Vec::with_capacity((rows + 1) * 8);
        offsets.extend_from_slice(&0i64.to_le_bytes());
        Strings { offsets, data: Vec::with_capacity(rows * bytes_per_row), validity: Validity::with_capacity(rows) }
    }

    fn push(&mut self, row: usize, text: Option<&str>) {
        self.data.extend_from_slice(text.unwrap_or("").as_bytes());
        let end = i64::try_from(self.data.len()).unwrap_or(i64::MAX);
        self.offsets.extend_from_slice(&end.to_le_bytes());
        self.validity.push(row, text.is_some());
    }

    /// `("large_string", offsets, data, validity or None, null count)`.
    fn to_python<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let fields = (
            "large_string",
            PyBytes::new(py, &self.offsets),
            PyBytes::new(py, &self.data),
            self.validity.buffer(py),
            self.validity.nulls,
        );
        Ok(fields.into_pyobject(py)?.into_any())
    }
}

/// The amount column: Arrow `decimal128(38, scale)` when every amount fits, else the exact text.
enum Amounts {
    Decimal128 { data: Vec<u8>, scale: u32 },
    Text(Strings),
}

/// Digits of Arrow's decimal128.
const DECIMAL128_DIGITS: u32 = 38;

/// The posting columns of a journal, laid out for Arrow.
struct Columns {
    rows: usize,
    seq: Vec<u8>,
    /// Days since 1970-01-01 (Arrow `date32`).
    date: Vec<u8>,
    date_validity: Validity,
    recorded_at: Strings,
    recorded_by: Strings,
    kind: Strings,
    account: Strings,
    currency: Strings,
    amount: Amounts,
}

const EPOCH: Option<NaiveDate> = NaiveDate::from_ymd_opt(1970, 1, 1);

impl Columns {
    /// The columns of `rows` (the core's posting rows, in journal order).
    fn from_rows(rows: &[PostingRow]) -> Columns {
        let n = rows.len();
        let mut c = Columns {
            rows: n,
            seq: Vec::with_capacity(n * 8),
            date: Vec::with_capacity(n * 4),
            date_validity: Validity::with_capacity(n),
            recorded_at: Strings::with_capacity(n, 20),
            recorded_by: Strings::with_capacity(n, 0),
            kind: Strings::with_capacity(n, 16),
            account: Strings::with_capacity(n, 28),
            currency: Strings::with_capacity(n, 3),
            amount: Amounts::Text(Strings::with_capacity(0, 0)),
        };
        for (i, row) in rows.iter().enumerate() {
            c.seq.extend_from_slice(&row.seq.to_le_bytes());
            let days = row.date.zip(EPOCH).and_then(|(d, epoch)| i32::try_from((d - epoch).num_days()).ok());
            c.date.extend_from_slice(&days.unwrap_or(0).to_le_bytes());
            c.date_validity.push(i, days.is_some());
            c.recorded_at.push(i, Some(&row.recorded_at));
            c.recorded_by.push(i, row.recorded_by.as_deref());
            c.kind.push(i, Some(&row.command));
            c.account.push(i, Some(&row.account));
            c.currency.push(i, Some(row.currency.code()));
        }
        c.amount = match decimal128(rows) {
            Some((data, scale)) => Amounts::Decimal128 { data, scale },
            None => {
                let mut text = Strings::with_capacity(n, 12);
                for (i, row) in rows.iter().enumerate() {
                    text.push(i, Some(&row.amount.to_string()));
                }
                Amounts::Text(text)
            }
        };
        c
    }

    /// `{"rows": n, column name: (arrow type, buffers...)}`; see `funding_window._frames.journal_frame`.
    fn to_python<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = PyDict::new(py);
        out.set_item("rows", self.rows)?;
        out.set_item("seq", ("uint64", PyBytes::new(py, &self.seq)))?;
        let date = ("date32", PyBytes::new(py, &self.date), self.date_validity.buffer(py), self.date_validity.nulls);
        out.set_item("date", date)?;
        out.set_item("recorded_at", self.recorded_at.to_python(py)?)?;
        out.set_item("recorded_by", self.recorded_by.to_python(py)?)?;
        out.set_item("type", self.kind.to_python(py)?)?;
        out.set_item("account", self.account.to_python(py)?)?;
        out.set_item("currency", self.currency.to_python(py)?)?;
        match &self.amount {
            Amounts::Decimal128 { data, scale } => {
                out.set_item("amount", ("decimal128", PyBytes::new(py, data), scale))?
            }
            // Too wide for decimal128: the exact text, which becomes Decimal objects.
            Amounts::Text(text) => out.set_item("amount", text.to_python(py)?)?,
        }
        Ok(out)
    }
}

/// Amounts as Arrow decimal128 at one scale (the largest in the column), or `None` if a
/// value would not fit 38 digits at that scale.
fn decimal128(rows: &[PostingRow]) -> Option<(Vec<u8>, u32)> {
    let scale = rows.iter().map(|r| r.amount.scale()).max().unwrap_or(0);
    let limit = 10i128.checked_pow(DECIMAL128_DIGITS)?;
    let mut out = Vec::with_capacity(rows.len() * 16);
    for row in rows {
        let factor = 10i128.checked_pow(scale - row.amount.scale())?;
        let value = row.amount.mantissa().checked_mul(factor)?;
        if value.checked_abs()? >= limit {
            return None;
        }
        out.extend_from_slice(&value.to_le_bytes());
    }
    Some((out, scale))
}

/// The entry lines of journal text: every line after the header, without its newline.
fn entry_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n').enumerate().skip(1).filter(|(_, line)| !line.is_empty()).map(|(i, line)| (i + 1, line))
}

impl JournalSnapshot {
    /// A snapshot of `ledger`: its journal text (as `Ledger::to_journal` returns it) and
    /// its number of entries, read together.
    pub fn new(ledger: Py<PyLedger>, text: String, entries: usize) -> Self {
        JournalSnapshot { text, entries: entries as u64, ledger }
    }
}

#[pymethods]
impl JournalSnapshot {
    /// Number of entries.
    fn __len__(&self) -> usize {
        usize::try_from(self.entries).unwrap_or(usize::MAX)
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
    fn entries<'py>(
        &self,
        py: Python<'py>,
        start: Option<&Bound<'py, PyAny>>,
        stop: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (from, to) = slice_range(py, start, stop, self.__len__())?;
        let parsed: Result<Vec<Value>, LedgerError> = py.detach(|| {
            entry_lines(&self.text)
                .skip(from)
                .take(to.saturating_sub(from))
                .map(|(number, line)| {
                    serde_json::from_str(line)
                        .map_err(|e| LedgerError::journal_corrupt(number as u64, format!("malformed entry: {e}")))
                })
                .collect()
        });
        let parsed = parsed.map_err(|e| to_pyerr(py, &e, None))?;
        let converter = Converter::typed(py)?;
        let list = PyList::empty(py);
        for value in &parsed {
            list.append(converter.convert(value)?)?;
        }
        Ok(list.into_any())
    }

    /// One row per posting, as Arrow buffers: a dict of column name to a tuple
    /// `(arrow type, buffers...)`; see `funding_window._frames.journal_frame`.
    ///
    /// The rows are the core's (`Ledger.posting_rows`), read with the interpreter released.
    fn columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let entries = self.entries;
        let rows = self.ledger.get().with_ledger(py, |ledger| ledger.posting_rows())?;
        let rows = rows.map_err(|e| to_pyerr(py, &e, None))?;
        let columns = py.detach(move || {
            // Rows of later entries are left out: the snapshot ends at its last entry.
            let kept = rows.partition_point(|r| r.seq <= entries);
            Columns::from_rows(&rows[..kept])
        });
        columns.to_python(py)
    }

    /// The journal as CSV (one row per posting), exactly as the core's `export_csv` writes
    /// it: from the ledger while it has no later entries, else from this snapshot's text.
    fn to_csv(&self, py: Python<'_>) -> PyResult<String> {
        let entries = self.entries;
        let live = self.ledger.get().with_ledger(py, move |ledger| {
            (ledger.len() as u64 == entries).then(|| ledger.export_csv(&CsvReport::Journal))
        })?;
        match live {
            Some(csv) => csv.map_err(|e| to_pyerr(py, &e, None)),
            // The ledger has moved on: the snapshot's own journal, replayed.
            None => guarded(py, || Ledger::from_journal(&self.text)?.export_csv(&CsvReport::Journal)),
        }
    }
}
