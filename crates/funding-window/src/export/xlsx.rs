//! The report pack as an Excel workbook (`.xlsx`): one sheet per report, made from the
//! reports' tables ([`crate::table`]), so each sheet has the columns, labels and values of
//! the report's CSV.
//!
//! How cells are written:
//!
//! * **money, rates and percentages** are numbers when Excel holds them exactly: the value
//!   has at most 15 significant digits (Excel keeps 15) and the number written in the file
//!   (the shortest text of the nearest IEEE double, which is what Excel reads) is the value
//!   itself; each is shown with its own decimals (`#,##0.00` for USD, `#,##0` for JPY, a
//!   rate's four decimals). Any other value is written as **text**, right-aligned, with a
//!   **note** on the cell giving the exact amount and why it is text, so that nothing is
//!   rounded silently;
//! * **dates** are Excel dates (`yyyy-mm-dd`); entry numbers are whole numbers; yes/no
//!   values are booleans; everything else is text (never a formula);
//! * the header row (the columns' labels) is bold and frozen; columns are as wide as their
//!   longest value (within limits).
//!
//! The workbook's creation time is the options' `generated_at`: the same books and options
//! give the same bytes (nothing reads a clock). Built with `rust_xlsxwriter`, behind the
//! crate's `xlsx` feature.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Note, Workbook, Worksheet, XlsxError,
};
use serde::Deserialize;
use serde_json::Value;

use crate::calendar::ReportingPeriod;
use crate::error::{LedgerError, Result};
use crate::export::csv::CsvReport;
use crate::ledger::Ledger;
use crate::report::DonorStatement;
use crate::table::{Cell, CellKind, Table};

/// Significant digits Excel keeps in a number.
pub const EXCEL_SIGNIFICANT_DIGITS: u32 = 15;

/// Rows of an Excel worksheet, the header included.
pub const EXCEL_ROWS_MAX: usize = 1_048_576;

/// Narrowest and widest column, in characters.
const COLUMN_WIDTH_MIN: usize = 8;
const COLUMN_WIDTH_MAX: usize = 60;

/// What goes into the report pack.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct XlsxOptions {
    /// When the workbook is made (RFC 3339); written as its creation time.
    pub generated_at: DateTime<Utc>,
    /// The period of the resolution tracker and the window statement.
    pub period: ReportingPeriod,
    /// The date of the trial balance (`None`: after every entry).
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
    /// Whether to add the journal, one row per posting.
    #[serde(default)]
    pub journal: bool,
}

impl XlsxOptions {
    /// Options from a JSON object: `generated_at` and `period` are required, `as_of` and
    /// `journal` optional. Unknown or malformed fields are `INVALID_ARGUMENT`.
    ///
    /// ```
    /// use funding_window::export::XlsxOptions;
    ///
    /// let options = XlsxOptions::from_value(&serde_json::json!({
    ///     "generated_at": "2025-01-15T09:00:00Z", "period": "2024-H2"
    /// })).unwrap();
    /// assert!(!options.journal);
    /// ```
    pub fn from_value(value: &Value) -> Result<XlsxOptions> {
        XlsxOptions::deserialize(value).map_err(|e| LedgerError::InvalidArgument {
            name: "options".into(),
            value: value.to_string(),
            reason: e.to_string(),
        })
    }
}

/// The sheets of the pack, in order: the report (as `export_csv` names it) and the sheet's name.
pub const SHEETS: &[(&str, &str)] = &[
    ("resolution_tracker", "Resolution tracker"),
    ("window_statement", "Window statement"),
    ("donor_statement", "Donor statements"),
    ("transfer_register", "Transfer register"),
    ("allocation_log", "Allocation log"),
    ("trial_balance", "Trial balance"),
    ("journal", "Journal"),
];

fn failed(e: XlsxError) -> LedgerError {
    LedgerError::Internal { message: format!("writing the workbook: {e}") }
}

/// The value as the number Excel would hold exactly, if there is one (see the module's
/// documentation). The one place a binary float meets money: the `.xlsx` format stores
/// numbers as doubles, so each is checked to come back as the same decimal.
pub fn excel_number(value: Decimal) -> Option<f64> {
    let digits = value.normalize().mantissa().unsigned_abs().checked_ilog10().map_or(1, |d| d + 1);
    if digits > EXCEL_SIGNIFICANT_DIGITS {
        return None;
    }
    let number: f64 = value.to_string().parse().ok()?;
    // `{}` of an f64 is the shortest text that reads back as the same double: the file's text.
    let written: Decimal = format!("{number}").parse().ok()?;
    (written == value).then_some(number)
}

/// Formats shared by a workbook's sheets, made once each.
struct Formats {
    header: Format,
    date: Format,
    integer: Format,
    text_number: Format,
    /// Number formats by kind and decimals.
    numbers: BTreeMap<(bool, u32), Format>,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold().set_border_bottom(FormatBorder::Thin),
            date: Format::new().set_num_format("yyyy-mm-dd").set_align(FormatAlign::Left),
            integer: Format::new().set_num_format("0"),
            text_number: Format::new().set_align(FormatAlign::Right),
            numbers: BTreeMap::new(),
        }
    }

    /// `#,##0.00` for an amount with two decimals; rates and percentages without grouping.
    fn number(&mut self, kind: CellKind, scale: u32) -> &Format {
        let grouped = kind == CellKind::Amount;
        self.numbers.entry((grouped, scale)).or_insert_with(|| {
            let integer = if grouped { "#,##0" } else { "0" };
            let pattern =
                if scale == 0 { integer.to_owned() } else { format!("{integer}.{}", "0".repeat(scale as usize)) };
            Format::new().set_num_format(pattern)
        })
    }
}

/// Writes one table as a sheet: the labels as a frozen header row, then the rows.
fn write_table(sheet: &mut Worksheet, name: &str, table: &Table, formats: &mut Formats) -> Result<()> {
    if table.rows.len() >= EXCEL_ROWS_MAX {
        return Err(LedgerError::LimitExceeded {
            limit: format!("rows of the {name} sheet"),
            max: (EXCEL_ROWS_MAX - 1) as u64,
            actual: table.rows.len() as u64,
        });
    }
    sheet.set_name(name).map_err(failed)?;
    let mut widths: Vec<usize> = table.columns.iter().map(|c| c.label.chars().count() + 2).collect();
    for (c, column) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, col(c), column.label, &formats.header).map_err(failed)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let at = u32::try_from(r + 1).map_err(|_| LedgerError::Internal { message: "row number".into() })?;
        for (c, (cell, column)) in row.iter().zip(&table.columns).enumerate() {
            let shown = write_cell(sheet, at, col(c), cell, column.kind, formats)?;
            if let Some(width) = widths.get_mut(c) {
                *width = (*width).max(shown + 2);
            }
        }
    }
    for (c, width) in widths.iter().enumerate() {
        let width = (*width).clamp(COLUMN_WIDTH_MIN, COLUMN_WIDTH_MAX);
        sheet.set_column_width(col(c), u16::try_from(width).unwrap_or(60)).map_err(failed)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    Ok(())
}

fn col(c: usize) -> u16 {
    // Tables have a few dozen columns at most, far below Excel's 16,384.
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// Writes one cell; returns how many characters it shows (for the column's width).
fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    cell: &Cell,
    kind: CellKind,
    formats: &mut Formats,
) -> Result<usize> {
    let text = cell.text().unwrap_or_default();
    match cell {
        Cell::Null => return Ok(0),
        Cell::Decimal(value) => match excel_number(*value) {
            Some(number) => {
                let format = formats.number(kind, value.scale());
                sheet.write_number_with_format(row, column, number, format).map_err(failed)?;
                // Grouping separators widen amounts by about a third.
                return Ok(text.len() + text.len() / 3);
            }
            None => {
                sheet.write_string_with_format(row, column, text.as_str(), &formats.text_number).map_err(failed)?;
                let note = Note::new(format!(
                    "Exact value {text}, written as text: it has more than {EXCEL_SIGNIFICANT_DIGITS} significant \
                     digits, and Excel, which keeps {EXCEL_SIGNIFICANT_DIGITS}, would round it."
                ))
                .set_author("funding-window")
                .add_author_prefix(false);
                sheet.insert_note(row, column, &note).map_err(failed)?;
            }
        },
        Cell::Date(date) => {
            sheet.write_date_with_format(row, column, excel_date(*date)?, &formats.date).map_err(failed)?;
        }
        Cell::Integer(n) => match u32::try_from(*n) {
            // Entry numbers: whole numbers far below 2^53, exact as doubles.
            Ok(small) => {
                sheet.write_number_with_format(row, column, small, &formats.integer).map_err(failed)?;
            }
            Err(_) => {
                sheet.write_string(row, column, text.as_str()).map_err(failed)?;
            }
        },
        Cell::Bool(b) => {
            sheet.write_boolean(row, column, *b).map_err(failed)?;
        }
        Cell::Text(value) => {
            sheet.write_string(row, column, value.as_str()).map_err(failed)?;
        }
    }
    Ok(text.chars().count())
}

fn excel_date(date: NaiveDate) -> Result<ExcelDateTime> {
    let (year, month, day) = (date.year(), date.month(), date.day());
    let year = u16::try_from(year).map_err(|_| LedgerError::Internal { message: format!("year {year}") })?;
    ExcelDateTime::from_ymd(year, month as u8, day as u8).map_err(failed)
}

/// The "About" sheet: what the pack holds and how to read its amounts.
fn write_about(sheet: &mut Worksheet, ledger: &Ledger, options: &XlsxOptions, formats: &Formats) -> Result<()> {
    sheet.set_name("About").map_err(failed)?;
    let as_of = options.as_of.map_or_else(|| "after every entry".to_owned(), crate::calendar::format_date);
    let lines: [(&str, String); 7] = [
        ("Report pack", "Urban action funding window (UN-Habitat Assembly resolution 2/10)".to_owned()),
        ("Generated at", options.generated_at.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        ("Period", options.period.to_string()),
        ("Trial balance as of", as_of),
        ("Journal entries", ledger.len().to_string()),
        ("Chain head", ledger.chain_head()),
        (
            "Amounts",
            format!(
                "Numbers in their currency's decimals. An amount Excel cannot hold exactly (more than \
                 {EXCEL_SIGNIFICANT_DIGITS} significant digits) is text, right-aligned, with a note."
            ),
        ),
    ];
    for (r, (key, value)) in lines.iter().enumerate() {
        let r = r as u32;
        sheet.write_string_with_format(r, 0, *key, &formats.header).map_err(failed)?;
        sheet.write_string(r, 1, value.as_str()).map_err(failed)?;
    }
    sheet.set_column_width(0, 22).map_err(failed)?;
    sheet.set_column_width(1, 90).map_err(failed)?;
    Ok(())
}

/// The report pack: an "About" sheet, then one sheet per report of [`SHEETS`] (the journal
/// only when asked for), as `.xlsx` bytes.
pub(super) fn export(ledger: &Ledger, options: &XlsxOptions) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let at = options.generated_at;
    let created =
        excel_date(at.date_naive())?.and_hms(at.hour() as u16, at.minute() as u8, at.second()).map_err(failed)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&created).set_author("funding-window"));
    let mut formats = Formats::new();
    write_about(workbook.add_worksheet(), ledger, options, &formats)?;
    for (report, name) in SHEETS {
        let table = match *report {
            "resolution_tracker" => ledger.resolution_tracker(options.period).table(),
            "window_statement" => ledger.window_statement(options.period).table(),
            "donor_statement" => {
                let statements =
                    ledger.donors().iter().map(|d| ledger.donor_statement(&d.id)).collect::<Result<Vec<_>>>()?;
                DonorStatement::tables(&statements)
            }
            "transfer_register" => ledger.transfer_register().table(),
            "allocation_log" => ledger.allocation_log().table(),
            "trial_balance" => ledger.trial_balance(options.as_of).table(),
            "journal" if options.journal => ledger.report_table(&CsvReport::Journal)?,
            _ => continue,
        };
        write_table(workbook.add_worksheet(), name, &table, &mut formats)?;
    }
    workbook.save_to_buffer().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn amounts_excel_holds_exactly_are_numbers_the_rest_text() {
        for exact in ["0.00", "1250.00", "-956827.92", "999999999999.99", "0.9200", "10.4512", "92.50", "1"] {
            let number = excel_number(d(exact)).unwrap_or_else(|| panic!("{exact} should be a number"));
            assert_eq!(format!("{number}").parse::<Decimal>().unwrap(), d(exact));
        }
        // 16 and 17 significant digits: Excel would show 1234567890123460 / round the cents.
        for text in ["1234567890123456", "123456789012345.67", "999999999999999.99", "0.1234567890123456"] {
            assert_eq!(excel_number(d(text)), None, "{text}");
        }
    }
}
