//! What every export writes alike: journal entries read one at a time, decimals and dates
//! as the JSON reports write them, resolution ids from account names.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::{LedgerError, Result};
use crate::journal::JournalEntry;
use crate::ledger::Ledger;

/// Calls `f` with every journal entry, in order, parsing one line at a time (a
/// journal of a million entries is never held parsed all at once).
pub(super) fn for_each_entry(ledger: &Ledger, mut f: impl FnMut(JournalEntry) -> Result<()>) -> Result<()> {
    let text = ledger.to_journal()?;
    for (i, line) in text.lines().enumerate().skip(1) {
        let entry: JournalEntry = serde_json::from_str(line)
            .map_err(|e| LedgerError::journal_corrupt(i as u64 + 1, format!("malformed entry: {e}")))?;
        f(entry)?;
    }
    Ok(())
}

/// A decimal exactly as the JSON reports write it (never `-0`).
pub(super) fn decimal(value: Decimal) -> String {
    crate::text::decimal(&value, &mut crate::text::DecimalBuf::default()).to_owned()
}

/// A date as `YYYY-MM-DD`.
pub(super) fn date(value: NaiveDate) -> String {
    crate::calendar::format_date(value)
}

/// The resolution id (`2/4`) named by the account part of a resolution account (`2-4`).
pub(super) fn resolution_of_account_part(part: &str) -> String {
    part.replacen('-', "/", 1)
}
