//! The blocking store: a [`JournalStore`] on PostgreSQL for programs without an async
//! runtime (the Python binding, scripts, command-line tools).

use std::io::{Cursor, Read};

use funding_window::journal::HEADER;
use funding_window::store::Position;
use funding_window::{ChainHead, JournalStore, Ledger, LedgerError};
use tokio::runtime::Runtime;

use crate::db::{self, Db, Row};

/// A ledger's journal in PostgreSQL, behind the core's synchronous [`JournalStore`]: each
/// call waits for the database on a runtime of its own. Open a [`Ledger`] on it with
/// [`connect`] (or `Ledger::open_store`); that ledger's `apply` appends on condition, and
/// `refresh` catches up.
///
/// Not for use inside an asynchronous runtime (its calls would block the runtime's
/// thread): there, use [`crate::PgLedger`]. Called from one, it refuses with `IO_ERROR`.
pub struct PgStore {
    /// Always `Some` until dropped (see the `Drop` impl).
    runtime: Option<Runtime>,
    db: Db,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // A runtime dropped the ordinary way inside an async context panics; a ledger on
        // this store may well be dropped there. Its connection task is simply abandoned.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("db", &self.db).finish()
    }
}

/// Opens the ledger `name` of the database of `dsn` as a [`Ledger`] that appends there,
/// creating the tables and the ledger when missing; its journal is read and verified.
///
/// ```no_run
/// use funding_window::{LedgerError, Request};
///
/// let mut ledger = funding_window_postgres::connect("host=/run/postgresql dbname=books", "window")?;
/// let request = Request::from_json(r#"{"type": "register_donor", "id": "NO", "name": "Norway", "kind": "member_state"}"#)?;
/// match ledger.apply(request.clone()) {
///     Err(LedgerError::Conflict { .. }) => {
///         ledger.refresh()?; // another writer came first: take in its entries, then retry
///         ledger.apply(request)?;
///     }
///     other => { other?; }
/// }
/// # Ok::<(), LedgerError>(())
/// ```
pub fn connect(dsn: &str, name: &str) -> Result<Ledger, LedgerError> {
    Ledger::open_store(PgStore::connect(dsn, name)?)
}

impl PgStore {
    /// Connects to the ledger `name`, creating the tables and the ledger when missing.
    pub fn connect(dsn: &str, name: &str) -> Result<PgStore, LedgerError> {
        Self::connect_with(dsn, name, true)
    }

    /// Connects to the ledger `name`, which must exist (`INVALID_ARGUMENT` if not).
    pub fn open(dsn: &str, name: &str) -> Result<PgStore, LedgerError> {
        Self::connect_with(dsn, name, false)
    }

    fn connect_with(dsn: &str, name: &str, create: bool) -> Result<PgStore, LedgerError> {
        let db = Db::new(db::parse_config(dsn)?, name)?;
        refuse_inside_runtime(&db)?;
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| {
            LedgerError::Io { path: db.describe(), message: format!("cannot start the database client: {e}") }
        })?;
        let mut store = PgStore { runtime: Some(runtime), db };
        let (runtime, db) = store.parts()?;
        runtime.block_on(db.setup(create))?;
        Ok(store)
    }

    /// The runtime to wait on and the database, refused inside an async runtime (where
    /// waiting would block its thread, and tokio forbids it).
    fn parts(&mut self) -> Result<(&Runtime, &mut Db), LedgerError> {
        refuse_inside_runtime(&self.db)?;
        let runtime = self.runtime.as_ref().ok_or_else(|| LedgerError::Internal { message: "no runtime".into() })?;
        Ok((runtime, &mut self.db))
    }
}

fn refuse_inside_runtime(db: &Db) -> Result<(), LedgerError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(LedgerError::Io {
            path: db.describe(),
            message: "the blocking PostgreSQL store was called inside an async runtime; use PgLedger there".into(),
        });
    }
    Ok(())
}

impl JournalStore for PgStore {
    fn describe(&self) -> String {
        self.db.describe()
    }

    fn read_from(&mut self, at: &Position) -> Result<Box<dyn Read + Send>, LedgerError> {
        let (after, prefix) =
            if at.is_start() { (ChainHead::empty(), HEADER.as_bytes()) } else { (at.head.clone(), &b""[..]) };
        let (runtime, db) = self.parts()?;
        let bytes = runtime.block_on(db.read_after(&after, prefix))?;
        Ok(Box::new(Cursor::new(bytes)))
    }

    fn append(&mut self, at: &Position, lines: &str, _head: &ChainHead) -> Result<(), LedgerError> {
        let first = at.head.seq + 1;
        let rows: Vec<Row<'_>> = lines
            .lines()
            .enumerate()
            .map(|(i, line)| Row { seq: first + i as u64, hash: db::line_hash(line), line })
            .collect();
        let (runtime, db) = self.parts()?;
        runtime.block_on(db.append(&at.head, &rows))
    }
}
