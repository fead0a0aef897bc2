//! # funding-window-postgres
//!
//! The funding window's journal in PostgreSQL: several writers (service replicas,
//! analysts' notebooks) on one ledger, several named ledgers in one database.
//!
//! * [`PgLedger`]: the asynchronous handle for services (tokio); cheap to clone, `Send`
//!   futures, one connection per handle, reconnecting after a lost connection.
//! * [`connect`] / [`PgStore`]: the same ledger for programs without an async runtime,
//!   as a core [`funding_window::Ledger`] on a blocking [`funding_window::JournalStore`].
//! * [`import_journal`] / [`export_journal`] (and `fw-pg import|export`): a journal moves
//!   between a file and the database byte for byte.
//!
//! A request handler of a service (the README's example):
//!
//! ```
//! use funding_window::{LedgerError, Request};
//! use funding_window_postgres::PgLedger;
//!
//! async fn handle(ledger: PgLedger, request: Request) -> Result<(), LedgerError> {
//!     let applied = ledger.apply_with_retries(&request, 10).await?;   // CONFLICT -> refresh -> retry
//!     let tracker = ledger.read(|l| l.resolution_tracker("2024-H2".parse().expect("a period"))).await;
//!     println!("entry {} ({} rows in the tracker)", applied.seq, tracker.rows.len());
//!     Ok(())
//! }
//! ```
//!
//! ## How writers share a ledger
//!
//! Each row of `funding_window.journal` is one entry line exactly as a journal file has
//! it. A writer validates a command against its state in memory, writes the entry's line
//! (chained by SHA-256 to the previous one) and inserts it in one transaction, on
//! condition that its last entry is still the database's last: the primary key on
//! `(ledger, seq)` refuses a second writer extending the same entry, and the insert checks
//! the previous entry's hash. A stale writer gets `CONFLICT` with the database's head and
//! nothing is written; it catches up, verifying every entry the others appended exactly as
//! opening a journal does (the hash chain, and each command re-applied and compared with
//! its stored postings and conversions), and retries. Nothing in this crate locks the
//! ledger at the application's level: replicas coordinate through the database only.
//!
//! ## What opening guarantees, and what it cannot
//!
//! Opening reads every row and refuses, naming the entry (`JOURNAL_CORRUPT`, line
//! `seq + 1`), a row whose line was altered with its hash left as it was (the chain
//! breaks), a row whose hash column disagrees with its line, a missing or reordered
//! entry, and an entry whose postings or conversions are not what its command posts,
//! even when every later hash was recomputed. What no self-contained check can catch is
//! a rewrite that is consistent throughout: someone with write access to the table who
//! changes a command and recomputes its postings and every later hash has written another
//! valid history. A running handle does notice (its next append or catch-up finds its
//! last verified entry changed), and so does anyone who kept a chain head
//! ([`funding_window::Ledger::head`]) elsewhere and compares. The triggers that refuse
//! `UPDATE`, `DELETE` and `TRUNCATE` stop mistakes, not the table's owner.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod blocking;
mod db;
mod handle;
mod schema;
mod transfer;

pub use blocking::{connect, PgStore};
pub use db::LEDGER_NAME_BYTES_MAX;
pub use handle::PgLedger;
pub use transfer::{export_journal, import_journal, ledgers};
