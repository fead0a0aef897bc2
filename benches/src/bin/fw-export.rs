//! Converts a funding-window journal for the peer ledgers of the side-by-side benchmark.
//!
//! ```text
//! fw-export hledger JOURNAL OUT     # hledger / ledger-cli journal (the core's export)
//! fw-export beancount JOURNAL OUT   # beancount ledger (open directives, Capitalized accounts)
//! fw-export balances JOURNAL        # our trial balance as CSV: account,currency,balance
//! ```
//!
//! JOURNAL is the JSON Lines journal (`fw-bench generate` writes one). Amounts are
//! copied as decimal text, never through binary floating point.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::process::ExitCode;

use funding_window::{JournalEntry, Ledger};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [_, "hledger", journal, out] => open(journal).and_then(|l| write(out, &export_hledger(&l)?)),
        [_, "beancount", journal, out] => open(journal).and_then(|l| write(out, &beancount(&l)?)),
        [_, "balances", journal] => open(journal).map(|l| print!("{}", balances(&l))),
        _ => Err("usage: fw-export hledger JOURNAL OUT | beancount JOURNAL OUT | balances JOURNAL".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("fw-export: {message}");
            ExitCode::FAILURE
        }
    }
}

fn open(path: &str) -> Result<Ledger, String> {
    Ledger::open_read_only(path).map_err(|e| format!("{path}: {e}"))
}

fn write(path: &str, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{path}: {e}"))
}

fn export_hledger(ledger: &Ledger) -> Result<String, String> {
    ledger.export_hledger().map_err(|e| e.to_string())
}

/// The trial balance as CSV, in the order and form `hledger bal -O csv --layout=bare` uses.
fn balances(ledger: &Ledger) -> String {
    let mut out = String::from("account,currency,balance\n");
    for line in ledger.trial_balance(None).accounts {
        let _ = writeln!(out, "{},{},{}", line.account, line.currency.code(), line.balance);
    }
    out
}

/// A beancount account name for one of ours: roots become beancount's five
/// (`funds` is a liability of the window to the purposes its money is for), each
/// component starts with a capital letter or digit, and characters beancount does
/// not allow in names (`.`, `_`) become `-`.
fn beancount_account(account: &str) -> String {
    let mut parts = account.split(':');
    let root = match parts.next().unwrap_or_default() {
        "assets" => "Assets".to_owned(),
        "liabilities" => "Liabilities".to_owned(),
        "equity" => "Equity".to_owned(),
        "income" => "Income".to_owned(),
        "funds" => "Liabilities:Funds".to_owned(),
        other => format!("Equity:{}", component(other)),
    };
    parts.fold(root, |mut name, part| {
        name.push(':');
        name.push_str(&component(part));
        name
    })
}

fn component(part: &str) -> String {
    let mut out: String = part.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
    match out.chars().next() {
        Some(c) if c.is_ascii_lowercase() => out.replace_range(..1, &c.to_ascii_uppercase().to_string()),
        Some(c) if c.is_ascii_alphanumeric() => {}
        _ => out.insert(0, 'X'),
    }
    out
}

/// The journal as a beancount ledger: currencies declared, every account opened
/// on the first date of the journal, one transaction per entry that posts.
fn beancount(ledger: &Ledger) -> Result<String, String> {
    let text = ledger.to_journal().map_err(|e| e.to_string())?;
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut currencies: BTreeSet<&'static str> = BTreeSet::new();
    let mut first = None;
    let mut body = String::with_capacity(text.len() / 2);
    for (i, line) in text.lines().enumerate().skip(1) {
        let entry: JournalEntry = serde_json::from_str(line).map_err(|e| format!("journal line {}: {e}", i + 1))?;
        let Some(on) = entry.date.filter(|_| !entry.postings.is_empty()) else { continue };
        first = Some(match first {
            Some(f) if f < on => f,
            _ => on,
        });
        let _ = writeln!(body, "\n{on} * \"{} {}\"", entry.command.type_name(), entry.seq);
        for p in &entry.postings {
            let name = names.entry(p.account.clone()).or_insert_with(|| beancount_account(&p.account));
            currencies.insert(p.currency.code());
            let _ = writeln!(body, "  {name}  {} {}", p.amount, p.currency.code());
        }
    }
    let distinct: BTreeSet<&String> = names.values().collect();
    if distinct.len() != names.len() {
        return Err("two accounts map to one beancount name; rename the ids".into());
    }
    let opened = first.map_or_else(|| "2000-01-01".to_owned(), |d| d.to_string());
    let mut out = String::with_capacity(body.len() + names.len() * 64 + 256);
    out.push_str("; funding-window journal, converted for beancount by fw-export\n");
    out.push_str("option \"title\" \"Urban action funding window\"\n");
    out.push_str("option \"operating_currency\" \"USD\"\n\n");
    for code in &currencies {
        let _ = writeln!(out, "{opened} commodity {code}");
    }
    out.push('\n');
    for name in distinct {
        let _ = writeln!(out, "{opened} open {name}");
    }
    out.push_str(&body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_become_beancount_names() {
        assert_eq!(beancount_account("assets:cash:USD"), "Assets:Cash:USD");
        assert_eq!(beancount_account("assets:receivable:CA-SE-2024-01"), "Assets:Receivable:CA-SE-2024-01");
        assert_eq!(beancount_account("funds:resolution:2-4"), "Liabilities:Funds:Resolution:2-4");
        assert_eq!(beancount_account("funds:window:unallocated"), "Liabilities:Funds:Window:Unallocated");
        assert_eq!(beancount_account("funds:project:p_1.a"), "Liabilities:Funds:Project:P-1-a");
        assert_eq!(beancount_account("equity:fx"), "Equity:Fx");
        assert_eq!(beancount_account("income:psc"), "Income:Psc");
    }
}
