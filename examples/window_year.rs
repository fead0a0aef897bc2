//! The main job: a realistic year and a half of the urban action funding window.
//!
//! Applies the commands of `examples/window_year.json` to a new journal file,
//! prints the semi-annual resolution tracker and the window statement as tables,
//! and writes the journal and every report (JSON) to the output directory.
//!
//! ```text
//! cargo run --release -p funding-window-examples --bin window-year -- examples/out
//! ```

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use funding_window::report::{ResolutionTracker, WindowStatement};
use funding_window::{Ledger, ReportingPeriod, Request};
use serde_json::Value;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("window-year: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "examples/out".into()));
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("window_year.json");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let journal = out.join("window-year.jsonl");
    if journal.exists() {
        std::fs::remove_file(&journal).map_err(|e| format!("{}: {e}", journal.display()))?;
    }

    let scenario: Value = serde_json::from_str(&read(&input)?).map_err(|e| format!("{}: {e}", input.display()))?;
    let mut ledger = Ledger::create(&journal).map_err(|e| e.to_string())?;
    let commands = scenario["commands"].as_array().ok_or("window_year.json has no commands")?;
    for (i, command) in commands.iter().enumerate() {
        let request = Request::from_value(command.clone()).map_err(|e| format!("command {i}: {e}"))?;
        ledger.apply(request).map_err(|e| format!("command {i} ({}): {e}", command["type"]))?;
    }

    println!("{}\n", scenario["name"].as_str().unwrap_or_default());
    println!("Journal: {} entries, chain head {}\n", ledger.len(), ledger.chain_head());
    for period in ["2024-H1", "2024-H2"] {
        print!("{}", tracker_table(&ledger.resolution_tracker(parse(period)?)));
    }
    let statement = ledger.window_statement(parse("2024-H2")?);
    print!("{}", statement_table(&statement));

    let trial_balance = ledger.trial_balance(None);
    let totals_zero = trial_balance.totals.values().all(|t| t.is_zero());
    println!("Trial balance: {} accounts, totals zero in every currency: {totals_zero}", trial_balance.accounts.len());

    let mut reports: Vec<(String, Value)> = vec![
        ("trial-balance".into(), to_value(&trial_balance)?),
        ("tracker-2024-H1".into(), to_value(&ledger.resolution_tracker(parse("2024-H1")?))?),
        ("tracker-2024-H2".into(), to_value(&ledger.resolution_tracker(parse("2024-H2")?))?),
        ("window-statement-2024-H1".into(), to_value(&ledger.window_statement(parse("2024-H1")?))?),
        ("window-statement-2024-H2".into(), to_value(&statement)?),
        ("transfer-register".into(), to_value(&ledger.transfer_register())?),
        ("allocation-log".into(), to_value(&ledger.allocation_log())?),
    ];
    for donor in ledger.donors() {
        let statement = ledger.donor_statement(&donor.id).map_err(|e| e.to_string())?;
        reports.push((format!("donor-statement-{}", donor.id), to_value(&statement)?));
    }
    for (name, value) in &reports {
        let path = out.join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())? + "\n";
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    println!("Wrote {} and {} reports to {}", journal.display(), reports.len(), out.display());
    if !totals_zero {
        return Err("the trial balance does not sum to zero".into());
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn parse(period: &str) -> Result<ReportingPeriod, String> {
    period.parse().map_err(|e: funding_window::LedgerError| e.to_string())
}

fn to_value<T: serde::Serialize>(report: &T) -> Result<Value, String> {
    serde_json::to_value(report).map_err(|e| e.to_string())
}

/// `1234567.5` → `1,234,567.50`-style grouping of an exact decimal string (display only).
fn grouped(amount: &str) -> String {
    let (sign, digits) = amount.strip_prefix('-').map_or(("", amount), |d| ("-", d));
    let (int, frac) = digits.split_once('.').map_or((digits, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// Renders rows as a text table; columns listed in `right` are right-aligned.
fn table(title: &str, headers: &[&str], rows: &[Vec<String>], right: &[usize]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            let pad = w - cell.chars().count();
            if right.contains(&i) {
                let _ = write!(s, "{}{cell}  ", " ".repeat(pad));
            } else {
                let _ = write!(s, "{cell}{}  ", " ".repeat(pad));
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut out = format!("{title}\n");
    out += &line(headers.to_vec());
    out += &line(widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().iter().map(String::as_str).collect());
    for row in rows {
        out += &line(row.iter().map(String::as_str).collect());
    }
    out + "\n"
}

fn opt(value: Option<String>) -> String {
    value.unwrap_or_else(|| "-".into())
}

fn tracker_table(tracker: &ResolutionTracker) -> String {
    let rows: Vec<Vec<String>> = tracker
        .rows
        .iter()
        .map(|r| {
            let title: String = r.title.chars().take(44).collect();
            vec![
                r.resolution.clone(),
                title,
                grouped(&opt(r.requirement.map(|d| d.to_string()))),
                grouped(&r.mobilized.to_string()),
                grouped(&opt(r.gap.map(|d| d.to_string()))),
                opt(r.gap_pct.map(|d| format!("{d}%"))),
                grouped(&r.allocated_in_period.to_string()),
                grouped(&r.allocated_to_date.to_string()),
            ]
        })
        .collect();
    table(
        &format!("Resolution tracker {} (USD, as at the period's end)", tracker.period),
        &["res.", "title", "requirement", "mobilized", "gap", "gap %", "alloc. period", "alloc. to date"],
        &rows,
        &[2, 3, 4, 5, 6, 7],
    )
}

fn statement_table(s: &WindowStatement) -> String {
    let money = |d: &funding_window::report::WindowBalance| grouped(&d.total.to_string());
    let mut rows = vec![vec!["Opening balance".to_string(), money(&s.opening)]];
    for c in &s.contributions {
        rows.push(vec![format!("  contribution: {}", c.name), grouped(&c.amount.to_string())]);
    }
    rows.push(vec!["  balance transfers in".into(), grouped(&s.transfers_in.to_string())]);
    rows.push(vec!["  other income (exchange differences)".into(), grouped(&s.other_income.to_string())]);
    for a in &s.allocations {
        rows.push(vec![format!("  allocation to {}", a.resolution), grouped(&format!("-{}", a.amount))]);
    }
    rows.push(vec!["  refunds".into(), grouped(&s.refunds.to_string())]);
    rows.push(vec!["Closing balance".into(), money(&s.closing)]);
    rows.push(vec!["  of which unallocated".into(), grouped(&s.closing.unallocated.to_string())]);
    for e in &s.closing.earmarked {
        rows.push(vec![format!("  of which earmarked to {}", e.resolution), grouped(&e.amount.to_string())]);
    }
    table(&format!("Window statement {} (USD)", s.period), &["", "amount"], &rows, &[1])
}
