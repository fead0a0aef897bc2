//! Reports as tables: the rows, columns, labels and typed cells of every report, made
//! once here.
//!
//! Each report lays itself out as a [`Table`]: its columns (a name, which is the CSV
//! header and the DataFrame column, a label for people, and a [`CellKind`]) and one row
//! of [`Cell`]s per line item. The CSV export writes the table; the Python binding's
//! `to_pandas`, `rows` and HTML tables and the dashboard read the same table, so a
//! report shows the same columns and values in every form. Nested reports are
//! flattened here once: the window statement has one row per line item (`section`,
//! `item`, `name`, `amount`), a donor statement one row per agreement, the journal one
//! row per posting.
//!
//! ```
//! use funding_window::table::{Cell, CellKind};
//! use funding_window::{Ledger, ReportingPeriod};
//!
//! let ledger = Ledger::new();
//! let table = ledger.resolution_tracker("2024-H2".parse::<ReportingPeriod>().unwrap()).table();
//! assert_eq!(table.columns[8].name, "gap_pct");
//! assert_eq!((table.columns[8].label, table.columns[8].kind), ("Gap %", CellKind::Percent));
//! assert_eq!(table.rows[0][2], Cell::Text("1/1".into()));
//! assert!(table.to_csv().starts_with("period,currency,resolution,title,"));
//! ```

use std::borrow::Cow;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::ser::{Serialize, Serializer};

use crate::calendar::format_date;
use crate::command::{AllocationSource, Command};
use crate::contract::describe::{contract, contract_choice, Described, Shape};
use crate::domain::allocation::{AllocationPreview, PreviewLine};
use crate::journal::{JournalEntry, PostingLine};
use crate::report::{
    AllocationLog, AllocationRow, DonorAgreement, DonorStatement, ResolutionTracker, TrackerRow, TransferRegister,
    TransferRow, TrialBalance, TrialBalanceLine, WindowStatement,
};

contract_choice! {
    /// What a column holds: how to show it and what type a DataFrame gives it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    pub enum CellKind {
        /// Text (ids, names, codes, references).
        Text = "text",
        /// Money, at its currency's minor unit (a decimal string).
        Amount = "amount",
        /// An exchange rate or a weight (a decimal string).
        Rate = "rate",
        /// A percentage with two decimals (a decimal string).
        Percent = "percent",
        /// A date `YYYY-MM-DD`.
        Date = "date",
        /// A month `YYYY-MM` (text).
        Month = "month",
        /// A reporting period (text: `2024-H2`, or `2024-07-01/2024-09-30` for a range).
        Period = "period",
        /// A whole number (entry numbers, ranks).
        Integer = "integer",
        /// `true` or `false`.
        Bool = "bool",
        /// An RFC 3339 timestamp (text).
        Timestamp = "timestamp",
    }
}

/// One value of a table. Decimals are exact; `Null` is an empty CSV field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// No value (`null` in the report's JSON).
    Null,
    /// Text, and months, periods and timestamps as text.
    Text(String),
    /// An exact decimal, written as the reports write it.
    Decimal(Decimal),
    /// A date.
    Date(NaiveDate),
    /// A whole number.
    Integer(u64),
    /// A yes/no value.
    Bool(bool),
}

impl Cell {
    /// The cell as CSV writes it (`None` for an empty field): decimals and dates exactly as
    /// in the JSON reports, booleans `true`/`false`.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn text(&self) -> Option<String> {
        match self {
            Cell::Null => None,
            Cell::Text(text) => Some(text.clone()),
            Cell::Decimal(value) => Some(decimal(*value)),
            Cell::Date(date) => Some(format_date(*date)),
            Cell::Integer(n) => Some(n.to_string()),
            Cell::Bool(b) => Some(if *b { "true" } else { "false" }.to_owned()),
        }
    }
}

/// The characters with which a spreadsheet reads a cell as a formula (or, tab and carriage
/// return, may be stripped before it does): `=`, `+`, `-`, `@`, tab, CR.
pub const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

impl CellKind {
    /// Whether the column holds text the ledger was given or made (ids, names, references,
    /// months, periods, timestamps), as opposed to amounts, rates, dates, numbers and booleans,
    /// which are written exactly as computed.
    pub fn is_text(self) -> bool {
        matches!(self, CellKind::Text | CellKind::Month | CellKind::Period | CellKind::Timestamp)
    }
}

impl Cell {
    /// The cell as a CSV field in a column of `kind` (spreadsheet safety, DOMAIN.md): a text
    /// cell of a text column that begins with one of [`FORMULA_STARTS`] gets a leading
    /// apostrophe, so that a donor named `=HYPERLINK(...)` is shown, not run; everything
    /// else is [`Cell::text`] (an amount such as `-250.00`, a date, is never altered).
    ///
    /// ```
    /// use funding_window::table::{Cell, CellKind};
    /// use rust_decimal::Decimal;
    ///
    /// let name = Cell::Text("=HYPERLINK(\"http://evil.example\")".into());
    /// assert_eq!(name.csv_text(CellKind::Text).unwrap(), "'=HYPERLINK(\"http://evil.example\")");
    /// let refund = Cell::Decimal(Decimal::new(-25000, 2));
    /// assert_eq!(refund.csv_text(CellKind::Amount).unwrap(), "-250.00");
    /// ```
    pub fn csv_text(&self, kind: CellKind) -> Option<String> {
        match self {
            Cell::Text(text) if kind.is_text() && text.starts_with(FORMULA_STARTS) => Some(format!("'{text}")),
            other => other.text(),
        }
    }
}

/// In JSON a cell is a string (text, decimals, dates), a number, a boolean or `null`.
impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Null => s.serialize_none(),
            Cell::Integer(n) => s.serialize_u64(*n),
            Cell::Bool(b) => s.serialize_bool(*b),
            other => s.serialize_str(&other.text().unwrap_or_default()),
        }
    }
}

impl Described for Cell {
    const SHAPE: Shape = Shape::Cell;
}

contract! {
    /// A column of a report's table.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
    pub struct Column {
        /// Its name: the CSV header and the DataFrame column (`gap_pct`).
        pub name: &'static str,
        /// Its label for people (`Gap %`).
        pub label: &'static str,
        /// What it holds.
        pub kind: CellKind,
    }
}

contract! {
    /// A report laid out as a table: columns, then one row of cells per line item.
    #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
    pub struct Table {
        /// The report's name (`resolution_tracker`).
        pub report: &'static str,
        /// Its title (`Resolution tracker`).
        pub title: &'static str,
        /// The columns.
        pub columns: Vec<Column>,
        /// The rows, each with one cell per column.
        pub rows: Vec<Vec<Cell>>,
    }
}

impl Table {
    /// The table as CSV (RFC 4180): a header row of column names, then one line per row,
    /// each ending in CRLF; a field holding `"`, `,`, CR or LF is quoted, inner quotes
    /// doubled; an empty field for `null`; a text cell that a spreadsheet would take for a
    /// formula written with a leading apostrophe ([`Cell::csv_text`]).
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        csv_line(&mut out, self.columns.iter().map(|c| Some(c.name.to_owned())));
        for row in &self.rows {
            csv_line(&mut out, row.iter().zip(&self.columns).map(|(cell, column)| cell.csv_text(column.kind)));
        }
        out
    }

    /// The index of the column named `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    fn new<O, I>(report: &'static str, title: &'static str, columns: &[Col<O, I>]) -> Table {
        Table { report, title, columns: erased_columns(columns.len(), &|i| columns[i].0), rows: Vec::new() }
    }

    fn push_rows<'r, O: 'r, I: 'r>(&mut self, columns: &[Col<O, I>], report: &'r O, items: &'r [I]) {
        self.push_erased_rows(columns.len(), items.len(), &|c, i| (columns[c].1)(report, &items[i]));
    }

    /// One loop for the rows of every report: tables are made once per call, and one
    /// function instead of one per report keeps the WebAssembly module small.
    #[inline(never)]
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    fn push_erased_rows(&mut self, width: usize, count: usize, cell: &dyn Fn(usize, usize) -> Cell) {
        self.rows.reserve(count);
        for i in 0..count {
            self.rows.push((0..width).map(|c| cell(c, i)).collect());
        }
    }
}

#[inline(never)]
#[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
fn erased_columns(width: usize, column: &dyn Fn(usize) -> Column) -> Vec<Column> {
    (0..width).map(column).collect()
}

/// Writes one CSV line ending in CRLF.
#[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
pub(crate) fn csv_line(out: &mut String, fields: impl Iterator<Item = Option<String>>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if let Some(field) = field {
            push_csv_field(out, &field);
        }
    }
    out.push_str("\r\n");
}

/// A field as RFC 4180 wants it: quoted when it holds a quote, comma, CR or LF.
#[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
fn push_csv_field(out: &mut String, field: &str) {
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

/// A column and how a row fills it. A row is an item `I` of a report `O` (an account of
/// the trial balance, an agreement of a donor statement, a posting of a journal entry), so
/// that a cell can take what it needs from either.
type Col<O, I> = (Column, fn(&O, &I) -> Cell);

const fn col(name: &'static str, label: &'static str, kind: CellKind) -> Column {
    Column { name, label, kind }
}

fn decimal(value: Decimal) -> String {
    crate::text::decimal(&value, &mut crate::text::DecimalBuf::default()).to_owned()
}

fn text(value: &str) -> Cell {
    Cell::Text(value.to_owned())
}

fn text_opt(value: Option<&String>) -> Cell {
    value.map_or(Cell::Null, |v| Cell::Text(v.clone()))
}

fn amount(value: Decimal) -> Cell {
    Cell::Decimal(value)
}

fn amount_opt(value: Option<Decimal>) -> Cell {
    value.map_or(Cell::Null, Cell::Decimal)
}

fn date_opt(value: Option<NaiveDate>) -> Cell {
    value.map_or(Cell::Null, Cell::Date)
}

/// A decimal carried as text (previews): a cell of its value; text that is not a decimal
/// (which the core never writes) stays text.
fn decimal_text(value: &str) -> Cell {
    value.parse().map_or_else(|_| Cell::Text(value.to_owned()), Cell::Decimal)
}

use CellKind::{Amount, Bool, Date, Integer, Month, Percent, Period, Rate, Text, Timestamp};

const TRIAL_BALANCE: &[Col<TrialBalance, TrialBalanceLine>] = &[
    (col("account", "Account", Text), |_, l| text(&l.account)),
    (col("currency", "Currency", Text), |_, l| text(l.currency.code())),
    (col("balance", "Balance", Amount), |_, l| amount(l.balance)),
];

const RESOLUTION_TRACKER: &[Col<ResolutionTracker, TrackerRow>] = &[
    (col("period", "Period", Period), |t, _| Cell::Text(t.period.to_string())),
    (col("currency", "Currency", Text), |t, _| text(t.currency.code())),
    (col("resolution", "Resolution", Text), |_, r| text(&r.resolution)),
    (col("title", "Title", Text), |_, r| text(&r.title)),
    (col("status", "Status", Text), |_, r| text_opt(r.status.as_ref())),
    (col("requirement", "Requirement", Amount), |_, r| amount_opt(r.requirement)),
    (col("mobilized", "Mobilized", Amount), |_, r| amount(r.mobilized)),
    (col("gap", "Gap", Amount), |_, r| amount_opt(r.gap)),
    (col("gap_pct", "Gap %", Percent), |_, r| amount_opt(r.gap_pct)),
    (col("allocated_in_period", "Allocated in period", Amount), |_, r| amount(r.allocated_in_period)),
    (col("allocated_to_date", "Allocated to date", Amount), |_, r| amount(r.allocated_to_date)),
];

/// One line item of the window statement (borrowing its texts from the statement).
struct StatementLine<'s> {
    section: &'static str,
    item: Cow<'s, str>,
    name: Option<&'s str>,
    amount: Decimal,
}

// (Spelled out rather than `Col`: the cells take lines of any lifetime.)
#[allow(clippy::type_complexity)]
const WINDOW_STATEMENT: &[(Column, fn(&WindowStatement, &StatementLine<'_>) -> Cell)] = &[
    (col("period", "Period", Period), |s, _| Cell::Text(s.period.to_string())),
    (col("currency", "Currency", Text), |s, _| text(s.currency.code())),
    (col("section", "Section", Text), |_, l| text(l.section)),
    (col("item", "Item", Text), |_, l| text(&l.item)),
    (col("name", "Name", Text), |_, l| l.name.map_or(Cell::Null, text)),
    (col("amount", "Amount", Amount), |_, l| amount(l.amount)),
];

const DONOR_STATEMENT: &[Col<DonorStatement, DonorAgreement>] = &[
    (col("donor", "Donor", Text), |s, _| text(&s.donor)),
    (col("name", "Name", Text), |s, _| text(&s.name)),
    (col("kind", "Kind", Text), |s, _| text(s.kind.name())),
    (col("agreement", "Agreement", Text), |_, a| text(&a.agreement)),
    (col("purpose", "Purpose", Text), |_, a| text(&a.purpose)),
    (col("project", "Project", Text), |_, a| text_opt(a.project.as_ref())),
    (col("resolutions", "Resolutions", Text), |_, a| Cell::Text(a.resolutions.join(";"))),
    (col("signed_on", "Signed", Date), |_, a| Cell::Date(a.signed_on)),
    (col("ends_on", "Ends", Date), |_, a| date_opt(a.ends_on)),
    (col("status", "Status", Text), |_, a| text(&a.status)),
    (col("currency", "Currency", Text), |_, a| text(a.currency.code())),
    (col("amount", "Amount", Amount), |_, a| amount(a.amount)),
    (col("usd_value", "USD value", Amount), |_, a| amount(a.usd_value)),
    (col("rate", "Rate", Rate), |_, a| amount_opt(a.rate)),
    (col("received", "Received", Amount), |_, a| amount(a.received)),
    (col("outstanding", "Outstanding", Amount), |_, a| amount(a.outstanding)),
    (col("cancelled", "Cancelled", Amount), |_, a| amount(a.cancelled)),
    (col("spent", "Spent", Amount), |_, a| amount(a.spent)),
    (col("psc", "PSC", Amount), |_, a| amount(a.psc)),
    (col("transferred_to_window", "To window", Amount), |_, a| amount(a.transferred_to_window)),
    (col("refunded", "Refunded", Amount), |_, a| amount(a.refunded)),
    (col("balance", "Balance", Amount), |_, a| amount(a.balance)),
    (col("fx_gain_loss_usd", "FX gain/loss (USD)", Amount), |_, a| amount(a.fx_gain_loss_usd)),
];

const TRANSFER_REGISTER: &[Col<TransferRegister, TransferRow>] = &[
    (col("project", "Project", Text), |_, r| text(&r.project)),
    (col("donor", "Donor", Text), |_, r| text(&r.donor)),
    (col("agreement", "Agreement", Text), |_, r| text(&r.agreement)),
    (col("closed_on", "Closed", Date), |_, r| date_opt(r.closed_on)),
    (col("balance", "Balance", Amount), |_, r| amount(r.balance)),
    (col("currency", "Currency", Text), |_, r| text(r.currency.code())),
    (col("usd", "USD", Amount), |_, r| amount(r.usd)),
    (col("rate", "Rate", Rate), |_, r| amount_opt(r.rate)),
    (col("rate_month", "Rate month", Month), |_, r| r.rate_month.map_or(Cell::Null, |m| Cell::Text(m.to_string()))),
    (col("elected_on", "Elected", Date), |_, r| Cell::Date(r.elected_on)),
    (col("election_ref", "Election", Text), |_, r| text(&r.election_ref)),
    (col("transferred_on", "Transferred", Date), |_, r| Cell::Date(r.transferred_on)),
    (col("approved_by", "Approved by", Text), |_, r| text_opt(r.approved_by.as_ref())),
    (col("entry", "Entry", Integer), |_, r| Cell::Integer(r.entry)),
    (col("reversed_by", "Reversed by", Integer), |_, r| r.reversed_by.map_or(Cell::Null, Cell::Integer)),
];

const ALLOCATION_LOG: &[Col<AllocationLog, AllocationRow>] = &[
    (col("decision", "Decision", Text), |_, r| text(&r.decision)),
    (col("date", "Date", Date), |_, r| Cell::Date(r.date)),
    (col("approver", "Approver", Text), |_, r| text_opt(r.approver.as_ref())),
    (col("policy", "Policy", Text), |_, r| text(r.policy.name())),
    (col("source", "Source", Text), |_, r| {
        Cell::Text(match &r.source {
            AllocationSource::Unallocated => "unallocated".to_owned(),
            AllocationSource::Earmarked(resolution) => format!("earmarked:{resolution}"),
        })
    }),
    (col("resolution", "Resolution", Text), |_, r| text(&r.resolution)),
    (col("title", "Title", Text), |_, r| text(&r.title)),
    (col("gap_before", "Gap before", Amount), |_, r| amount_opt(r.gap_before)),
    (col("amount", "Amount", Amount), |_, r| amount(r.amount)),
    (col("entry", "Entry", Integer), |_, r| Cell::Integer(r.entry)),
    (col("reversal", "Reversal", Bool), |_, r| Cell::Bool(r.reversal)),
];

const ALLOCATION_PREVIEW: &[Col<AllocationPreview, PreviewLine>] = &[
    (col("resolution", "Resolution", Text), |_, l| text(&l.resolution)),
    (col("title", "Title", Text), |_, l| text(&l.title)),
    (col("gap_before", "Gap before", Amount), |_, l| {
        l.gap_before.as_ref().map_or(Cell::Null, |g| decimal_text(g.as_str()))
    }),
    (col("weight", "Weight", Rate), |_, l| decimal_text(l.weight.as_str())),
    (col("quota", "Quota", Rate), |_, l| decimal_text(l.quota.as_str())),
    (col("floor", "Floor", Amount), |_, l| decimal_text(l.floor.as_str())),
    (col("remainder", "Remainder", Rate), |_, l| decimal_text(l.remainder.as_str())),
    (col("rank", "Rank", Integer), |_, l| Cell::Integer(l.rank as u64)),
    (col("extra_unit", "+1 cent", Bool), |_, l| Cell::Bool(l.extra_unit)),
    (col("share", "Share", Amount), |_, l| decimal_text(l.share.as_str())),
];

/// The journal's columns: one row per posting, with its entry's particulars.
pub(crate) const JOURNAL: &[Col<JournalEntry, PostingLine>] = &[
    (col("seq", "Entry", Integer), |e, _| Cell::Integer(e.seq)),
    (col("date", "Date", Date), |e, _| date_opt(e.date)),
    (col("type", "Type", Text), |e, _| text(e.command.type_name())),
    (col("account", "Account", Text), |_, p| text(&p.account)),
    (col("currency", "Currency", Text), |_, p| text(p.currency.code())),
    (col("amount", "Amount", Amount), |_, p| amount(p.amount)),
    (col("reverses", "Reverses", Integer), |e, _| match &e.command {
        Command::Reverse(c) => Cell::Integer(c.entry),
        _ => Cell::Null,
    }),
    (col("recorded_at", "Recorded at", Timestamp), |e, _| text(&e.recorded_at)),
    (col("recorded_by", "Recorded by", Text), |e, _| text_opt(e.recorded_by.as_ref())),
    (col("idempotency_key", "Idempotency key", Text), |e, _| text_opt(e.idempotency_key.as_ref())),
    (col("hash", "Hash", Text), |e, _| text(&e.hash)),
];

/// The journal table with no rows: its columns (rows are added entry by entry).
pub(crate) fn journal_table() -> Table {
    Table::new("journal", "Journal", JOURNAL)
}

/// Appends the postings of one journal entry to a journal table.
pub(crate) fn push_journal_entry(table: &mut Table, entry: &JournalEntry) {
    table.push_rows(JOURNAL, entry, &entry.postings);
}

/// Writes the CSV lines of one journal entry's postings.
pub(crate) fn journal_csv_lines(out: &mut String, entry: &JournalEntry) {
    for posting in &entry.postings {
        csv_line(out, JOURNAL.iter().map(|c| (c.1)(entry, posting).csv_text(c.0.kind)));
    }
}

impl TrialBalance {
    /// One row per account and currency.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn table(&self) -> Table {
        let mut table = Table::new("trial_balance", "Trial balance", TRIAL_BALANCE);
        table.push_rows(TRIAL_BALANCE, self, &self.accounts);
        table
    }
}

impl ResolutionTracker {
    /// One row per resolution, with the period and currency on every row.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn table(&self) -> Table {
        let mut table = Table::new("resolution_tracker", "Resolution tracker", RESOLUTION_TRACKER);
        table.push_rows(RESOLUTION_TRACKER, self, &self.rows);
        table
    }
}

impl WindowStatement {
    /// One row per line item, in the order of the JSON: opening balance (unallocated,
    /// each earmark, total, and the deficit while there is one), contributions by donor and their total, transfers in, other
    /// income, allocations by resolution and their total, refunds, closing balance.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn table(&self) -> Table {
        let mut table = Table::new("window_statement", "Window statement", WINDOW_STATEMENT);
        table.push_rows(WINDOW_STATEMENT, self, &self.lines());
        table
    }

    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    fn lines<'s>(&'s self) -> Vec<StatementLine<'s>> {
        let mut lines = Vec::new();
        let mut push = |section: &'static str, item: Cow<'s, str>, name: Option<&'s str>, amount: Decimal| {
            lines.push(StatementLine { section, item, name, amount });
        };
        for (section, balance) in [("opening", &self.opening), ("closing", &self.closing)] {
            if section == "closing" {
                push("transfers_in", "total".into(), None, self.transfers_in);
                push("other_income", "total".into(), None, self.other_income);
                for a in &self.allocations {
                    push("allocations", a.resolution.as_str().into(), Some(&a.title), a.amount);
                }
                push("allocations", "total".into(), None, self.allocations_total);
                push("refunds", "total".into(), None, self.refunds);
            }
            push(section, "unallocated".into(), None, balance.unallocated);
            for e in &balance.earmarked {
                push(section, format!("earmarked:{}", e.resolution).into(), Some(&e.title), e.amount);
            }
            push(section, "total".into(), None, balance.total);
            if let Some(deficit) = balance.deficit {
                push(section, "deficit".into(), None, deficit);
            }
            if section == "opening" {
                for c in &self.contributions {
                    push("contributions", c.donor.as_str().into(), Some(&c.name), c.amount);
                }
                push("contributions", "total".into(), None, self.contributions_total);
            }
        }
        lines
    }
}

impl DonorStatement {
    /// One row per agreement, with the donor on every row.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn table(&self) -> Table {
        let mut table = Table::new("donor_statement", "Donor statement", DONOR_STATEMENT);
        table.push_rows(DONOR_STATEMENT, self, &self.agreements);
        table
    }

    /// The rows of several donors' statements in one table (every donor's, for the CSV export).
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn tables<'s>(statements: impl IntoIterator<Item = &'s DonorStatement>) -> Table {
        let mut table = Table::new("donor_statement", "Donor statement", DONOR_STATEMENT);
        for s in statements {
            table.push_rows(DONOR_STATEMENT, s, &s.agreements);
        }
        table
    }
}

impl TransferRegister {
    /// One row per balance transfer.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn table(&self) -> Table {
        let mut table = Table::new("transfer_register", "Balance-transfer register", TRANSFER_REGISTER);
        table.push_rows(TRANSFER_REGISTER, self, &self.rows);
        table
    }
}

impl AllocationLog {
    /// One row per resolution per decision (and per reversal); the source as
    /// `unallocated` or `earmarked:2/4`.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn table(&self) -> Table {
        let mut table = Table::new("allocation_log", "Allocation log", ALLOCATION_LOG);
        table.push_rows(ALLOCATION_LOG, self, &self.rows);
        table
    }
}

impl AllocationPreview {
    /// One row per candidate resolution: the split and why.
    #[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
    pub fn table(&self) -> Table {
        let mut table = Table::new("allocation_preview", "Allocation preview", ALLOCATION_PREVIEW);
        table.push_rows(ALLOCATION_PREVIEW, self, &self.lines);
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(text: &str) -> String {
        let mut out = String::new();
        push_csv_field(&mut out, text);
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
    fn cells_are_written_as_the_reports_write_them() {
        let d = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
        let cells = [
            Cell::Null,
            Cell::Text("a,b".into()),
            Cell::Decimal("-956827.920".parse().unwrap()),
            Cell::Date(d),
            Cell::Integer(42),
            Cell::Bool(false),
        ];
        let texts: Vec<Option<String>> = cells.iter().map(Cell::text).collect();
        assert_eq!(
            texts,
            [
                None,
                Some("a,b".into()),
                Some("-956827.920".into()),
                Some("2024-07-01".into()),
                Some("42".into()),
                Some("false".into())
            ]
        );
        assert_eq!(serde_json::to_string(&cells).unwrap(), r#"[null,"a,b","-956827.920","2024-07-01",42,false]"#);
    }
}
