//! Moving a journal between a file and the database, byte for byte.

use std::path::Path;

use funding_window::journal::HEADER;
use funding_window::{ChainHead, Ledger, LedgerError};

use crate::db::{self, Db};

/// Copies the journal file at `path` into the ledger `name` of the database of `dsn`
/// (created when missing; it must have no entries, else `DUPLICATE_ID`), in one
/// transaction. The file is verified first, as opening it does; it may have a writer
/// meanwhile (what is complete is copied). Returns the ledger's head.
pub async fn import_journal(dsn: &str, name: &str, path: impl AsRef<Path>) -> Result<ChainHead, LedgerError> {
    let path = path.as_ref().to_owned();
    let mut db = Db::new(db::parse_config(dsn)?, name)?;
    let text = blocking(move || Ledger::open_read_only(&path)?.to_journal().map(|t| t.into_owned())).await?;
    db.setup(true).await?;
    let lines = text.strip_prefix(HEADER).unwrap_or(&text);
    db.import(lines).await
}

/// Writes the journal of the ledger `name` of the database of `dsn` to the file at `path`,
/// after verifying it as opening does: atomically, as `Ledger::save` writes (refused for a
/// path another writer holds). The file then holds the same bytes the database does.
/// Returns the ledger's head.
pub async fn export_journal(dsn: &str, name: &str, path: impl AsRef<Path>) -> Result<ChainHead, LedgerError> {
    let path = path.as_ref().to_owned();
    let mut db = Db::new(db::parse_config(dsn)?, name)?;
    db.setup(false).await?;
    let journal = db.read_after(&ChainHead::empty(), HEADER.as_bytes()).await?;
    blocking(move || {
        let ledger = Ledger::from_journal_bytes(&journal)?;
        ledger.save(&path)?;
        Ok(ledger.head())
    })
    .await
}

/// Every ledger in the database of `dsn`, with its number of entries.
pub async fn ledgers(dsn: &str) -> Result<Vec<(String, u64)>, LedgerError> {
    let mut db = Db::new(db::parse_config(dsn)?, "-")?;
    db.connect().await?;
    match db.ledgers().await {
        // No tables yet: no ledgers.
        Err(LedgerError::Io { message, .. }) if message.contains("does not exist") => Ok(Vec::new()),
        other => other,
    }
}

/// Runs file and replay work on tokio's blocking threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, LedgerError> + Send + 'static,
) -> Result<T, LedgerError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| LedgerError::Internal { message: format!("a blocking task did not finish: {e}") })?
}
