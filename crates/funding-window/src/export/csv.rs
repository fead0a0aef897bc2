//! Reports as CSV (RFC 4180).
//!
//! Each report's columns are defined once, as a table of (header, cell) pairs
//! ([`Column`]); the writer takes the headers from the same table as the cells,
//! so a column cannot be named in one place and filled in another.

use chrono::NaiveDate;
use serde_json::Value;

use super::{date, decimal};
use crate::calendar::{date_argument, Period};
use crate::command::{AllocationSource, Command, DonorKind};
use crate::error::{LedgerError, Result};
use crate::journal::{JournalEntry, PostingLine};
use crate::ledger::Ledger;
use crate::report::{
    AllocationLog, AllocationRow, DonorAgreement, DonorStatement, ResolutionTracker, TrackerRow, TransferRegister,
    TransferRow, TrialBalance, TrialBalanceLine, WindowStatement,
};

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
        /// The half-year.
        period: Period,
    },
    /// `window_statement`: one row per line item (section, item, name, amount).
    WindowStatement {
        /// The half-year.
        period: Period,
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

/// The report names [`CsvReport::from_args`] accepts.
pub const CSV_REPORTS: &[&str] = &[
    "trial_balance",
    "resolution_tracker",
    "window_statement",
    "donor_statement",
    "transfer_register",
    "allocation_log",
    "journal",
];

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
    /// `window_statement` a `period` (`"2024-H2"`); `donor_statement` an optional
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
    /// let err = CsvReport::from_args("window_statement", &json!({"period": "2024-Q3"})).unwrap_err();
    /// assert_eq!(err.code(), "INVALID_ARGUMENT");
    /// ```
    pub fn from_args(name: &str, args: &Value) -> Result<CsvReport> {
        let empty = serde_json::Map::new();
        let args = match args {
            Value::Null => &empty,
            Value::Object(map) => map,
            other => return Err(invalid("args", &other.to_string(), "expected an object or null")),
        };
        let allowed: &[&str] = match name {
            "trial_balance" => &["as_of"],
            "resolution_tracker" | "window_statement" => &["period"],
            "donor_statement" => &["donor"],
            "transfer_register" | "allocation_log" | "journal" => &[],
            other => {
                return Err(invalid("report", other, &format!("expected one of {}", CSV_REPORTS.join(", "))));
            }
        };
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
        let period = || -> Result<Period> {
            let given = text("period")?.ok_or_else(|| invalid("period", "", "a period such as 2024-H2 is required"))?;
            Ledger::parse_period(given).map_err(|e| invalid("period", given, &e.to_string()))
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
        fn names<O, I>(columns: &[Column<O, I>]) -> Vec<&'static str> {
            columns.iter().map(|c| c.0).collect()
        }
        match self {
            CsvReport::TrialBalance { .. } => names(TRIAL_BALANCE),
            CsvReport::ResolutionTracker { .. } => names(RESOLUTION_TRACKER),
            CsvReport::WindowStatement { .. } => names(WINDOW_STATEMENT),
            CsvReport::DonorStatement { .. } => names(DONOR_STATEMENT),
            CsvReport::TransferRegister => names(TRANSFER_REGISTER),
            CsvReport::AllocationLog => names(ALLOCATION_LOG),
            CsvReport::Journal => names(JOURNAL),
        }
    }
}

fn invalid(name: &str, value: &str, reason: &str) -> LedgerError {
    LedgerError::InvalidArgument { name: name.into(), value: value.into(), reason: reason.into() }
}

/// A column: its header and how a row fills it (`None`: an empty field, for `null`).
///
/// A row is an item `I` of a report `O` (an account of the trial balance, an
/// agreement of a donor statement, a posting of a journal entry), so that a cell
/// can take what it needs from either.
type Column<O, I> = (&'static str, fn(&O, &I) -> Option<String>);

fn text(value: &str) -> Option<String> {
    Some(value.to_owned())
}

const TRIAL_BALANCE: &[Column<TrialBalance, TrialBalanceLine>] = &[
    ("account", |_, l| text(&l.account)),
    ("currency", |_, l| text(l.currency.code())),
    ("balance", |_, l| Some(decimal(l.balance))),
];

const RESOLUTION_TRACKER: &[Column<ResolutionTracker, TrackerRow>] = &[
    ("period", |t, _| Some(t.period.to_string())),
    ("currency", |t, _| text(t.currency.code())),
    ("resolution", |_, l| text(&l.resolution)),
    ("title", |_, l| text(&l.title)),
    ("status", |_, l| l.status.clone()),
    ("requirement", |_, l| l.requirement.map(decimal)),
    ("mobilized", |_, l| Some(decimal(l.mobilized))),
    ("gap", |_, l| l.gap.map(decimal)),
    ("gap_pct", |_, l| l.gap_pct.map(decimal)),
    ("allocated_in_period", |_, l| Some(decimal(l.allocated_in_period))),
    ("allocated_to_date", |_, l| Some(decimal(l.allocated_to_date))),
];

/// One line item of the window statement.
struct StatementLine {
    section: &'static str,
    item: String,
    name: Option<String>,
    amount: rust_decimal::Decimal,
}

const WINDOW_STATEMENT: &[Column<WindowStatement, StatementLine>] = &[
    ("period", |s, _| Some(s.period.to_string())),
    ("currency", |s, _| text(s.currency.code())),
    ("section", |_, l| text(l.section)),
    ("item", |_, l| text(&l.item)),
    ("name", |_, l| l.name.clone()),
    ("amount", |_, l| Some(decimal(l.amount))),
];

const DONOR_STATEMENT: &[Column<DonorStatement, DonorAgreement>] = &[
    ("donor", |s, _| text(&s.donor)),
    ("name", |s, _| text(&s.name)),
    ("kind", |s, _| text(donor_kind(s.kind))),
    ("agreement", |_, a| text(&a.agreement)),
    ("purpose", |_, a| text(&a.purpose)),
    ("project", |_, a| a.project.clone()),
    ("resolutions", |_, a| Some(a.resolutions.join(";"))),
    ("signed_on", |_, a| Some(date(a.signed_on))),
    ("ends_on", |_, a| a.ends_on.map(date)),
    ("status", |_, a| text(&a.status)),
    ("currency", |_, a| text(a.currency.code())),
    ("amount", |_, a| Some(decimal(a.amount))),
    ("usd_value", |_, a| Some(decimal(a.usd_value))),
    ("rate", |_, a| a.rate.map(decimal)),
    ("received", |_, a| Some(decimal(a.received))),
    ("outstanding", |_, a| Some(decimal(a.outstanding))),
    ("cancelled", |_, a| Some(decimal(a.cancelled))),
    ("spent", |_, a| Some(decimal(a.spent))),
    ("psc", |_, a| Some(decimal(a.psc))),
    ("transferred_to_window", |_, a| Some(decimal(a.transferred_to_window))),
    ("refunded", |_, a| Some(decimal(a.refunded))),
    ("balance", |_, a| Some(decimal(a.balance))),
    ("fx_gain_loss_usd", |_, a| Some(decimal(a.fx_gain_loss_usd))),
];

const TRANSFER_REGISTER: &[Column<TransferRegister, TransferRow>] = &[
    ("project", |_, r| text(&r.project)),
    ("donor", |_, r| text(&r.donor)),
    ("agreement", |_, r| text(&r.agreement)),
    ("closed_on", |_, r| r.closed_on.map(date)),
    ("balance", |_, r| Some(decimal(r.balance))),
    ("currency", |_, r| text(r.currency.code())),
    ("usd", |_, r| Some(decimal(r.usd))),
    ("rate", |_, r| r.rate.map(decimal)),
    ("rate_month", |_, r| r.rate_month.map(|m| m.to_string())),
    ("elected_on", |_, r| Some(date(r.elected_on))),
    ("election_ref", |_, r| text(&r.election_ref)),
    ("transferred_on", |_, r| Some(date(r.transferred_on))),
    ("approved_by", |_, r| r.approved_by.clone()),
    ("entry", |_, r| Some(r.entry.to_string())),
    ("reversed_by", |_, r| r.reversed_by.map(|e| e.to_string())),
];

const ALLOCATION_LOG: &[Column<AllocationLog, AllocationRow>] = &[
    ("decision", |_, r| text(&r.decision)),
    ("date", |_, r| Some(date(r.date))),
    ("approver", |_, r| r.approver.clone()),
    ("policy", |_, r| text(r.policy.name())),
    ("source", |_, r| {
        Some(match &r.source {
            AllocationSource::Unallocated => "unallocated".to_owned(),
            AllocationSource::Earmarked(resolution) => format!("earmarked:{resolution}"),
        })
    }),
    ("resolution", |_, r| text(&r.resolution)),
    ("title", |_, r| text(&r.title)),
    ("gap_before", |_, r| r.gap_before.map(decimal)),
    ("amount", |_, r| Some(decimal(r.amount))),
    ("entry", |_, r| Some(r.entry.to_string())),
    ("reversal", |_, r| text(if r.reversal { "true" } else { "false" })),
];

const JOURNAL: &[Column<JournalEntry, PostingLine>] = &[
    ("seq", |e, _| Some(e.seq.to_string())),
    ("date", |e, _| e.date.map(date)),
    ("type", |e, _| text(e.command.type_name())),
    ("account", |_, p| text(&p.account)),
    ("currency", |_, p| text(p.currency.code())),
    ("amount", |_, p| Some(decimal(p.amount))),
    ("reverses", |e, _| match &e.command {
        Command::Reverse(c) => Some(c.entry.to_string()),
        _ => None,
    }),
    ("recorded_at", |e, _| text(&e.recorded_at)),
    ("recorded_by", |e, _| e.recorded_by.clone()),
    ("idempotency_key", |e, _| e.idempotency_key.clone()),
    ("hash", |e, _| text(&e.hash)),
];

fn donor_kind(kind: DonorKind) -> &'static str {
    match kind {
        DonorKind::MemberState => "member_state",
        DonorKind::Multilateral => "multilateral",
        DonorKind::Private => "private",
        DonorKind::Other => "other",
    }
}

/// Writes the header and one line per row.
fn table<'r, O: 'r, I: 'r>(columns: &[Column<O, I>], rows: impl IntoIterator<Item = (&'r O, &'r I)>) -> String {
    let mut out = String::new();
    line(&mut out, columns.iter().map(|c| Some(c.0.to_owned())));
    for (report, item) in rows {
        line(&mut out, columns.iter().map(|c| (c.1)(report, item)));
    }
    out
}

/// Every item of one report, paired with the report.
fn each<'r, O, I>(report: &'r O, items: &'r [I]) -> impl Iterator<Item = (&'r O, &'r I)> {
    items.iter().map(move |item| (report, item))
}

/// Writes one CSV line ending in CRLF.
fn line(out: &mut String, fields: impl Iterator<Item = Option<String>>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if let Some(field) = field {
            push_field(out, &field);
        }
    }
    out.push_str("\r\n");
}

/// A field as RFC 4180 wants it: quoted when it holds a quote, comma, CR or LF.
fn push_field(out: &mut String, field: &str) {
    if field.contains(['"', ',', '\r', '\n']) {
        out.push('"');
        for c in field.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(field);
    }
}

pub(super) fn export(ledger: &Ledger, report: &CsvReport) -> Result<String> {
    Ok(match report {
        CsvReport::TrialBalance { as_of } => {
            let tb = ledger.trial_balance(*as_of);
            table(TRIAL_BALANCE, each(&tb, &tb.accounts))
        }
        CsvReport::ResolutionTracker { period } => {
            let tracker = ledger.resolution_tracker(*period);
            table(RESOLUTION_TRACKER, each(&tracker, &tracker.rows))
        }
        CsvReport::WindowStatement { period } => {
            let statement = ledger.window_statement(*period);
            table(WINDOW_STATEMENT, each(&statement, &statement_lines(&statement)))
        }
        CsvReport::DonorStatement { donor } => {
            let statements = match donor {
                Some(d) => vec![ledger.donor_statement(d)?],
                None => ledger.donors().iter().map(|d| ledger.donor_statement(&d.id)).collect::<Result<Vec<_>>>()?,
            };
            table(DONOR_STATEMENT, statements.iter().flat_map(|s| each(s, &s.agreements)))
        }
        CsvReport::TransferRegister => {
            let register = ledger.transfer_register();
            table(TRANSFER_REGISTER, each(&register, &register.rows))
        }
        CsvReport::AllocationLog => {
            let log = ledger.allocation_log();
            table(ALLOCATION_LOG, each(&log, &log.rows))
        }
        CsvReport::Journal => {
            let mut out = table(JOURNAL, std::iter::empty());
            super::for_each_entry(ledger, |entry| {
                for posting in &entry.postings {
                    line(&mut out, JOURNAL.iter().map(|c| (c.1)(&entry, posting)));
                }
                Ok(())
            })?;
            out
        }
    })
}

/// The window statement flattened in the order of its JSON: opening balance,
/// contributions by donor, transfers in, other income, allocations by
/// resolution, refunds, closing balance; each list followed by its total.
fn statement_lines(statement: &WindowStatement) -> Vec<StatementLine> {
    let mut lines = Vec::new();
    let mut push = |section: &'static str, item: &str, name: Option<&str>, amount| {
        lines.push(StatementLine { section, item: item.to_owned(), name: name.map(str::to_owned), amount });
    };
    for (section, balance) in [("opening", &statement.opening), ("closing", &statement.closing)] {
        if section == "closing" {
            push("transfers_in", "total", None, statement.transfers_in);
            push("other_income", "total", None, statement.other_income);
            for a in &statement.allocations {
                push("allocations", &a.resolution, Some(&a.title), a.amount);
            }
            push("allocations", "total", None, statement.allocations_total);
            push("refunds", "total", None, statement.refunds);
        }
        push(section, "unallocated", None, balance.unallocated);
        for e in &balance.earmarked {
            push(section, &format!("earmarked:{}", e.resolution), Some(&e.title), e.amount);
        }
        push(section, "total", None, balance.total);
        if section == "opening" {
            for c in &statement.contributions {
                push("contributions", &c.donor, Some(&c.name), c.amount);
            }
            push("contributions", "total", None, statement.contributions_total);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(text: &str) -> String {
        let mut out = String::new();
        push_field(&mut out, text);
        out
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("cr\r"), "\"cr\r\"");
        assert_eq!(field(""), "");
        assert_eq!(field("-0.05"), "-0.05");
    }

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
            ("donor_statement", serde_json::json!({"donor": 7})),
            ("journal", serde_json::json!([1])),
        ] {
            assert_eq!(CsvReport::from_args(name, &args).unwrap_err().code(), "INVALID_ARGUMENT", "{name} {args}");
        }
    }
}
