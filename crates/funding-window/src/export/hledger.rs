//! The journal as plain text in hledger / ledger-cli syntax.
//!
//! ```text
//! ; funding-window journal, exported in hledger / ledger-cli syntax
//! ; entries: 3, chain head: 5f1e…
//!
//! commodity 1000.00 SEK
//! commodity 1000.00 USD
//!
//! 2024-03-12 (3) sign_agreement CA-SE-2024-01 SE  ; seq:3, hash:8b2a…
//!     assets:receivable:CA-SE-2024-01  10000000.00 SEK
//!     equity:conversion  -10000000.00 SEK
//!     equity:conversion  956827.92 USD
//!     funds:window:earmarked:2-4  -956827.92 USD
//! ```
//!
//! The one-line `commodity 1000.00 USD` form (no thousands mark, decimal point,
//! the currency's minor unit; `1000.` for currencies without decimals) is read by
//! both hledger and ledger-cli. Descriptions hold only the command type and ids
//! (letters, digits, `.`, `_`, `-`, `/`), so nothing in them can be read as a
//! comment, a code or a payee/note separator.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::format::{date, decimal};
use crate::command::Command;
use crate::error::Result;
use crate::journal::JournalEntry;
use crate::ledger::Ledger;
use crate::money::Currency;

#[cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), optimize(size))]
pub(super) fn export(ledger: &Ledger) -> Result<String> {
    let mut currencies: BTreeSet<&'static str> = BTreeSet::new();
    let mut entries = 0usize;
    let mut body = String::new();
    super::format::for_each_entry(ledger, |entry| {
        entries += 1;
        let Some(on) = entry.date.filter(|_| !entry.postings.is_empty()) else { return Ok(()) };
        let _ = writeln!(
            body,
            "\n{} ({}) {}  ; seq:{}, hash:{}",
            date(on),
            entry.seq,
            description(&entry),
            entry.seq,
            entry.hash
        );
        for p in &entry.postings {
            currencies.insert(p.currency.code());
            let _ = writeln!(body, "    {}  {} {}", p.account, decimal(p.amount), p.currency.code());
        }
        Ok(())
    })?;
    let mut out = String::with_capacity(body.len() + 256);
    out.push_str("; funding-window journal, exported in hledger / ledger-cli syntax\n");
    let _ = writeln!(out, "; entries: {entries}, chain head: {}", ledger.chain_head());
    if !currencies.is_empty() {
        out.push('\n');
    }
    for code in currencies {
        if let Ok(currency) = Currency::from_code(code) {
            let _ = writeln!(out, "commodity {} {code}", sample_amount(currency));
        }
    }
    out.push_str(&body);
    Ok(out)
}

/// `1000.00` at the currency's minor unit; `1000.` without decimals (hledger needs the point).
fn sample_amount(currency: Currency) -> String {
    format!("1000.{}", "0".repeat(currency.minor_unit() as usize))
}

/// The command type and the ids it concerns.
fn description(entry: &JournalEntry) -> String {
    let kind = entry.command.type_name();
    let ids: Vec<&str> = match &entry.command {
        Command::SignAgreement(c) => vec![&c.id, &c.donor],
        Command::RecordReceipt(c) => vec![&c.agreement],
        Command::RecordExpenditure(c) => c.project.iter().chain(&c.resolution).map(String::as_str).collect(),
        Command::CloseProject(c) => vec![&c.project],
        Command::TransferBalance(c) => vec![&c.project],
        Command::RefundBalance(c) => vec![&c.project],
        Command::Allocate(c) => vec![&c.id],
        Command::ConvertCash(c) => vec![&c.from, &c.to],
        Command::Reverse(c) => return format!("{kind} {}", c.entry),
        _ => Vec::new(),
    };
    let mut text = kind.to_owned();
    for id in ids {
        text.push(' ');
        text.push_str(id);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commodity_samples_follow_the_minor_unit() {
        let code = |c: &str| Currency::from_code(c).unwrap();
        assert_eq!(sample_amount(code("USD")), "1000.00");
        assert_eq!(sample_amount(code("JPY")), "1000.");
        assert_eq!(sample_amount(code("KWD")), "1000.000");
    }
}
