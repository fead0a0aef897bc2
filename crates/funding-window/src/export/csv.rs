//! Reports as CSV (RFC 4180): the report's [`Table`] written out (see [`crate::table`],
//! where the rows, columns and cells of every report are made), and the journal
//! streamed entry by entry with the same columns.

use chrono::NaiveDate;
use serde_json::Value;

use crate::calendar::{date_argument, ReportingPeriod};
use crate::error::{LedgerError, Result};
use crate::ledger::Ledger;
use crate::report::{DonorStatement, REPORT_ARGUMENTS};
use crate::table::{self, Table};

/// A report to export as CSV, with its arguments.
///
/// The names are those of the JSON reports (and of the conformance scenarios),
/// plus `journal`: see [`CSV_REPORTS`] and [`CsvReport::from_args`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CsvReport {
    /// `trial_balance`: one row per account and currency (`as_of`: `None` for after every entry).
    TrialBalance {
        /// Balances as of this date.
        as_of: Option<NaiveDate>,
    },
    /// `resolution_tracker`: one row per resolution.
    ResolutionTracker {
        /// The period.
        period: ReportingPeriod,
    },
    /// `window_statement`: one row per line item (section, item, name, amount).
    WindowStatement {
        /// The period.
        period: ReportingPeriod,
    },
    /// `donor_statement`: one row per agreement of the donor (of every donor, in
    /// registration order, when `None`).
    DonorStatement {
        /// Donor id.
        donor: Option<String>,
    },
    /// `transfer_register`: one row per balance transfer.
    TransferRegister,
    /// `allocation_log`: one row per resolution per decision (and per reversal).
    AllocationLog,
    /// `journal`: one row per posting, in journal order.
    Journal,
}

/// The report names [`CsvReport::from_args`] accepts: every report of the contract.
pub const CSV_REPORTS: &[&str] = &report_names::<{ REPORT_ARGUMENTS.len() }>();

const fn report_names<const N: usize>() -> [&'static str; N] {
    let mut names = [""; N];
    let mut i = 0;
    while i < N {
        names[i] = REPORT_ARGUMENTS[i].0;
        i += 1;
    }
    names
}

impl CsvReport {
    /// The report's name (`trial_balance`).
    pub fn name(&self) -> &'static str {
        match self {
            CsvReport::TrialBalance { .. } => "trial_balance",
            CsvReport::ResolutionTracker { .. } => "resolution_tracker",
            CsvReport::WindowStatement { .. } => "window_statement",
            CsvReport::DonorStatement { .. } => "donor_statement",
            CsvReport::TransferRegister => "transfer_register",
            CsvReport::AllocationLog => "allocation_log",
            CsvReport::Journal => "journal",
        }
    }

    /// A report from its name and an `args` object (or `null`), as bindings receive them:
    /// `trial_balance` takes an optional `as_of` date; `resolution_tracker` and
    /// `window_statement` a `period` (`"2024-H2"`, `"2024"`, `"2024-Q3"`, `"2024-07"` or
    /// `{"from": "2024-07-01", "to": "2024-09-30"}`); `donor_statement` an optional
    /// `donor` (all donors when absent); the others nothing.
    ///
    /// An unknown name, an unknown or malformed argument is `INVALID_ARGUMENT`.
    ///
    /// ```
    /// use funding_window::export::CsvReport;
    /// use serde_json::json;
    ///
    /// let report = CsvReport::from_args("donor_statement", &json!({"donor": "SE"})).unwrap();
    /// assert_eq!(report, CsvReport::DonorStatement { donor: Some("SE".into()) });
    /// assert_eq!(CsvReport::from_args("journal", &json!(null)).unwrap(), CsvReport::Journal);
    /// let err = CsvReport::from_args("window_statement", &json!({"period": "2024-Q5"})).unwrap_err();
    /// assert_eq!(err.code(), "INVALID_ARGUMENT");
    /// ```
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn from_args(name: &str, args: &Value) -> Result<CsvReport> {
        let empty = serde_json::Map::new();
        let args = match args {
            Value::Null => &empty,
            Value::Object(map) => map,
            other => return Err(invalid("args", &other.to_string(), "expected an object or null")),
        };
        let Some((_, takes)) = REPORT_ARGUMENTS.iter().find(|r| r.0 == name) else {
            return Err(invalid("report", name, &format!("expected one of {}", CSV_REPORTS.join(", "))));
        };
        let allowed: Vec<&str> = takes.iter().map(|a| a.name).collect();
        if let Some(key) = args.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(invalid("args", key, &format!("{name} takes no argument {key:?}")));
        }
        let text = |key: &str| -> Result<Option<&str>> {
            match args.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.as_str())),
                Some(other) => Err(invalid(key, &other.to_string(), "expected a string")),
            }
        };
        let period = || -> Result<ReportingPeriod> {
            match args.get("period") {
                None | Some(Value::Null) => Err(invalid("period", "", "a period such as 2024-H2 is required")),
                Some(given) => ReportingPeriod::from_value(given),
            }
        };
        Ok(match name {
            "trial_balance" => {
                CsvReport::TrialBalance { as_of: text("as_of")?.map(|d| date_argument("as_of", d)).transpose()? }
            }
            "resolution_tracker" => CsvReport::ResolutionTracker { period: period()? },
            "window_statement" => CsvReport::WindowStatement { period: period()? },
            "donor_statement" => CsvReport::DonorStatement { donor: text("donor")?.map(str::to_owned) },
            "transfer_register" => CsvReport::TransferRegister,
            "allocation_log" => CsvReport::AllocationLog,
            _ => CsvReport::Journal,
        })
    }

    /// The header row of the report's CSV, column by column.
    pub fn columns(&self) -> Vec<&'static str> {
        let empty = match self {
            CsvReport::Journal => table::journal_table(),
            CsvReport::DonorStatement { .. } => DonorStatement::tables([]),
            _ => match self.table_of(&Ledger::new()) {
                Ok(table) => table,
                Err(_) => return Vec::new(),
            },
        };
        empty.columns.iter().map(|c| c.name).collect()
    }

    /// The report's table on `ledger` (the journal's with one row per posting).
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    fn table_of(&self, ledger: &Ledger) -> Result<Table> {
        Ok(match self {
            CsvReport::TrialBalance { as_of } => ledger.trial_balance(*as_of).table(),
            CsvReport::ResolutionTracker { period } => ledger.resolution_tracker(*period).table(),
            CsvReport::WindowStatement { period } => ledger.window_statement(*period).table(),
            CsvReport::DonorStatement { donor } => {
                let statements = match donor {
                    Some(d) => vec![ledger.donor_statement(d)?],
                    None => {
                        ledger.donors().iter().map(|d| ledger.donor_statement(&d.id)).collect::<Result<Vec<_>>>()?
                    }
                };
                DonorStatement::tables(&statements)
            }
            CsvReport::TransferRegister => ledger.transfer_register().table(),
            CsvReport::AllocationLog => ledger.allocation_log().table(),
            CsvReport::Journal => {
                let mut table = table::journal_table();
                super::format::for_each_entry(ledger, |entry| {
                    table::push_journal_entry(&mut table, &entry);
                    Ok(())
                })?;
                table
            }
        })
    }
}

fn invalid(name: &str, value: &str, reason: &str) -> LedgerError {
    LedgerError::InvalidArgument { name: name.into(), value: value.into(), reason: reason.into() }
}

impl Ledger {
    /// One report as a [`Table`]: the rows, columns, labels and typed cells that its CSV
    /// export writes and that DataFrames, HTML tables and the dashboard show.
    ///
    /// Fails as the report does (`UNKNOWN_DONOR` for a donor statement of an unknown donor).
    ///
    /// ```
    /// use funding_window::{export::CsvReport, table::Cell, Ledger};
    ///
    /// let report = CsvReport::from_args("resolution_tracker", &serde_json::json!({"period": "2024-Q3"})).unwrap();
    /// let table = Ledger::new().report_table(&report).unwrap();
    /// assert_eq!(table.columns.len(), 11);
    /// assert_eq!(table.rows[0][0], Cell::Text("2024-Q3".into()));
    /// ```
    pub fn report_table(&self, report: &CsvReport) -> Result<Table> {
        report.table_of(self)
    }
}

#[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
pub(super) fn export(ledger: &Ledger, report: &CsvReport) -> Result<String> {
    Ok(match report {
        // Streamed: a long journal is never held as one table.
        CsvReport::Journal => {
            let mut out = table::journal_table().to_csv();
            super::format::for_each_entry(ledger, |entry| {
                table::journal_csv_lines(&mut out, &entry);
                Ok(())
            })?;
            out
        }
        other => other.table_of(ledger)?.to_csv(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_and_names_itself() {
        for name in CSV_REPORTS {
            let args = match *name {
                "resolution_tracker" | "window_statement" => serde_json::json!({"period": "2024-H1"}),
                _ => Value::Null,
            };
            let report = CsvReport::from_args(name, &args).unwrap();
            assert_eq!(report.name(), *name);
            assert!(!report.columns().is_empty());
        }
        for (name, args) in [
            ("balance_sheet", Value::Null),
            ("trial_balance", serde_json::json!({"as_of": "2024-13-01"})),
            ("trial_balance", serde_json::json!({"period": "2024-H1"})),
            ("resolution_tracker", Value::Null),
            ("resolution_tracker", serde_json::json!({"period": "2024-Q5"})),
            ("window_statement", serde_json::json!({"period": {"from": "2024-07-02", "to": "2024-07-01"}})),
            ("donor_statement", serde_json::json!({"donor": 7})),
            ("journal", serde_json::json!([1])),
        ] {
            assert_eq!(CsvReport::from_args(name, &args).unwrap_err().code(), "INVALID_ARGUMENT", "{name} {args}");
        }
        let range = serde_json::json!({"period": {"from": "2024-07-01", "to": "2024-09-30"}});
        assert!(matches!(
            CsvReport::from_args("window_statement", &range).unwrap(),
            CsvReport::WindowStatement { period: ReportingPeriod::Range { .. } }
        ));
    }
}
