//! A snapshot of the journal, for the journal report: its text, and its postings as columns
//! for DataFrames.
//!
//! The columns are the core's journal table's (the journal CSV's header: names, labels,
//! kinds); the values come from the core's [`Ledger::posting_rows`] (one row per posting, in
//! journal order), laid out by `columns.rs`. A snapshot keeps the
//! journal's text and its number of entries: the rows are read from the ledger when asked
//! for and cut at that number, so a report never sees later entries (the journal is
//! append-only, and an entry's number never changes).

use funding_window::export::CsvReport;
use funding_window::{Ledger, LedgerError, PostingRow};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyList, PySlice};
use serde_json::Value;

use crate::columns::{Column, Layout};
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

/// The journal table's columns as the core lays them out (its CSV header): name, label, kind.
fn journal_columns() -> Result<Vec<funding_window::table::Column>, LedgerError> {
    Ok(Ledger::new().report_table(&CsvReport::Journal)?.columns)
}

/// The fields of a posting row, one per column of the core's journal table.
#[derive(Clone, Copy)]
enum RowField {
    Seq,
    Date,
    Type,
    Account,
    Currency,
    Amount,
    Reverses,
    RecordedAt,
    RecordedBy,
    IdempotencyKey,
    Hash,
}

impl RowField {
    /// The field shown in the journal table's column `name`; a column the rows do not hold is
    /// a defect here, reported as `INTERNAL`.
    fn of(name: &str) -> Result<RowField, LedgerError> {
        Ok(match name {
            "seq" => RowField::Seq,
            "date" => RowField::Date,
            "type" => RowField::Type,
            "account" => RowField::Account,
            "currency" => RowField::Currency,
            "amount" => RowField::Amount,
            "reverses" => RowField::Reverses,
            "recorded_at" => RowField::RecordedAt,
            "recorded_by" => RowField::RecordedBy,
            "idempotency_key" => RowField::IdempotencyKey,
            "hash" => RowField::Hash,
            other => {
                let message = format!("the journal's table has a column the posting rows lack: {other}");
                return Err(LedgerError::Internal { message });
            }
        })
    }
}

/// The posting rows as DataFrame columns, one per column of the core's journal table (see
/// `columns.rs`), filled in one pass over the rows.
fn journal_column_data(
    columns: &[funding_window::table::Column],
    rows: &[PostingRow],
) -> Result<Vec<Column>, LedgerError> {
    let fields = columns.iter().map(|c| RowField::of(c.name)).collect::<Result<Vec<_>, _>>()?;
    let mut out: Vec<Column> = columns.iter().map(|c| Column::new(Layout::of(c.kind), rows.len())).collect();
    let mut amount = String::new();
    for row in rows {
        for (values, field) in out.iter_mut().zip(&fields) {
            match field {
                RowField::Seq => values.push_integer(Some(row.seq)),
                RowField::Date => values.push_date(row.date),
                RowField::Type => values.push_text(Some(&row.command)),
                RowField::Account => values.push_text(Some(&row.account)),
                RowField::Currency => values.push_text(Some(row.currency.code())),
                RowField::Amount => {
                    use std::fmt::Write as _;
                    amount.clear();
                    let _ = write!(amount, "{}", row.amount);
                    values.push_decimal(Some(&amount));
                }
                RowField::Reverses => values.push_integer(row.reverses),
                RowField::RecordedAt => values.push_text(Some(&row.recorded_at)),
                RowField::RecordedBy => values.push_text(row.recorded_by.as_deref()),
                RowField::IdempotencyKey => values.push_text(row.idempotency_key.as_deref()),
                RowField::Hash => values.push_text(Some(&row.hash)),
            }
        }
    }
    Ok(out)
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

    /// The journal table's columns as `(name, label, kind)`: the CSV header's, from the core.
    fn column_names(&self, py: Python<'_>) -> PyResult<Vec<(&'static str, &'static str, &'static str)>> {
        let columns = journal_columns().map_err(|e| to_pyerr(py, &e, None))?;
        Ok(columns.iter().map(|c| (c.name, c.label, c.kind.name())).collect())
    }

    /// One row per posting, column by column, laid out for DataFrames (see `columns.rs`), in
    /// the order of `column_names()`.
    ///
    /// The rows are the core's (`Ledger.posting_rows`), read with the interpreter released.
    fn column_data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let entries = self.entries;
        let built = self.ledger.get().with_ledger(py, |ledger| {
            let mut rows = ledger.posting_rows()?;
            // Rows of later entries are left out: the snapshot ends at its last entry.
            rows.truncate(rows.partition_point(|r| r.seq <= entries));
            Ok::<_, LedgerError>(rows)
        })?;
        let rows = built.map_err(|e| to_pyerr(py, &e, None))?;
        let columns = py.detach(|| journal_column_data(&journal_columns()?, &rows));
        let out = PyList::empty(py);
        for column in columns.map_err(|e| to_pyerr(py, &e, None))? {
            out.append(column.into_python(py)?)?;
        }
        Ok(out)
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
