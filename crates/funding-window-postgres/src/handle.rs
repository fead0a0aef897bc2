//! [`PgLedger`]: a ledger kept in PostgreSQL, for asynchronous services.

use std::sync::Arc;

use funding_window::journal::HEADER;
use funding_window::{Applied, BatchError, ChainHead, Ledger, LedgerError, Request};
use tokio::sync::Mutex;

use crate::db::{self, Db, Row};

/// A ledger kept in PostgreSQL, for asynchronous services: one connection and the ledger's
/// state in memory, behind an asynchronous lock. Clones share both (an `Arc`), so a web
/// service keeps one handle and clones it into every request handler; every future is `Send`.
///
/// Commands are validated against the state in memory, then appended to the database on
/// condition that no other writer (another replica) appended first; otherwise
/// `CONFLICT` carrying the database's head, and nothing is written.
/// [`PgLedger::apply_with_retries`] catches up (verifying what the others appended, as
/// opening does) and retries; with an idempotency key a retried command is applied once.
///
/// A lost connection is `STORE_UNAVAILABLE`; the next call reconnects. Reports read the
/// state in memory ([`PgLedger::read`]) and work while the database is down.
///
/// ```no_run
/// use funding_window::{LedgerError, Request};
/// use funding_window_postgres::PgLedger;
///
/// # async fn example() -> Result<(), LedgerError> {
/// let ledger = PgLedger::connect("host=/run/postgresql dbname=books", "window").await?;
/// let request = Request::from_json(
///     r#"{"type": "register_donor", "id": "NO", "name": "Norway", "kind": "member_state",
///         "idempotency_key": "donor-NO"}"#,
/// )?;
/// let applied = ledger.apply_with_retries(&request, 10).await?;
/// let tracker = ledger.read(|l| l.resolution_tracker("2024-H2".parse().expect("a period"))).await;
/// # let _ = (applied, tracker);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct PgLedger {
    shared: Arc<Shared>,
}

struct Shared {
    name: String,
    state: Mutex<State>,
}

struct State {
    ledger: Ledger,
    db: Db,
}

impl std::fmt::Debug for PgLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgLedger").field("ledger", &self.shared.name).finish()
    }
}

impl PgLedger {
    /// Connects to the database of `dsn` (`host=/run/postgresql dbname=books user=fw`, or
    /// a `postgresql://` URL) and opens the ledger `name`, creating the tables and the
    /// ledger when missing. Reads the whole journal and verifies it as opening a file
    /// does (the replay runs on tokio's blocking threads).
    pub async fn connect(dsn: &str, name: &str) -> Result<PgLedger, LedgerError> {
        Self::connect_with(dsn, name, true).await
    }

    /// As [`PgLedger::connect`], for a ledger that must already exist (`INVALID_ARGUMENT` if not).
    pub async fn open(dsn: &str, name: &str) -> Result<PgLedger, LedgerError> {
        Self::connect_with(dsn, name, false).await
    }

    async fn connect_with(dsn: &str, name: &str, create: bool) -> Result<PgLedger, LedgerError> {
        let mut db = Db::new(db::parse_config(dsn)?, name)?;
        db.setup(create).await?;
        // The replay runs on a blocking thread while the rows arrive: reading and replaying
        // overlap rather than follow each other.
        let (chunks, arriving) = tokio::sync::mpsc::channel(STREAM_CHUNKS_IN_FLIGHT);
        let replay = tokio::task::spawn_blocking(move || Ledger::from_reader(Arriving::new(arriving)));
        let read = db.stream_after(&ChainHead::empty(), HEADER.as_bytes(), &chunks).await;
        drop(chunks); // the end of the journal, for the replay
        let replayed =
            replay.await.map_err(|e| LedgerError::Internal { message: format!("replay did not finish: {e}") })?;
        // A failed read leaves the replay a short journal: the read's error is the one.
        read?;
        let ledger = replayed?;
        Ok(PgLedger { shared: Arc::new(Shared { name: name.to_owned(), state: Mutex::new(State { ledger, db }) }) })
    }

    /// The ledger's name in the database.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// Applies one command: validated against this handle's state, then appended if no
    /// other writer appended first. A handle that is behind may refuse a command that the
    /// others' entries would allow (a donor another replica registered): services use
    /// [`PgLedger::apply_with_retries`], which catches up first.
    ///
    /// Errors: the command's own (nothing changes), `CONFLICT` (nothing written: catch up
    /// with [`PgLedger::refresh`] and retry, or use [`PgLedger::apply_with_retries`]),
    /// `STORE_UNAVAILABLE` (the connection failed; if it failed while committing, the
    /// command may be in the database: retry it with its idempotency key after catching up).
    pub async fn apply(&self, request: &Request) -> Result<Applied, LedgerError> {
        let mut applied = self.submit(std::slice::from_ref(request)).await.map_err(|e| e.error)?;
        applied.pop().ok_or_else(|| LedgerError::Internal { message: "a command staged no result".into() })
    }

    /// Applies commands all or nothing, as one append (one transaction).
    pub async fn apply_batch(&self, requests: &[Request]) -> Result<Vec<Applied>, BatchError> {
        self.submit(requests).await
    }

    /// [`PgLedger::apply`] as a service wants it: catches up first (so the command is
    /// validated against what every writer has appended, not against what this handle
    /// last saw), and after `CONFLICT` catches up and retries, up to `attempts` times in
    /// all. Give the command an idempotency key: a retry then applies it once even if an
    /// earlier attempt's outcome was unknown.
    pub async fn apply_with_retries(&self, request: &Request, attempts: u32) -> Result<Applied, LedgerError> {
        let mut applied =
            self.submit_with_retries(std::slice::from_ref(request), attempts).await.map_err(|e| e.error)?;
        applied.pop().ok_or_else(|| LedgerError::Internal { message: "a command staged no result".into() })
    }

    /// [`PgLedger::apply_batch`], catching up first and retrying after `CONFLICT`.
    pub async fn apply_batch_with_retries(
        &self,
        requests: &[Request],
        attempts: u32,
    ) -> Result<Vec<Applied>, BatchError> {
        self.submit_with_retries(requests, attempts).await
    }

    async fn submit_with_retries(&self, requests: &[Request], attempts: u32) -> Result<Vec<Applied>, BatchError> {
        let mut attempt = 1;
        loop {
            self.refresh().await.map_err(|error| BatchError { index: 0, error })?;
            match self.submit(requests).await {
                Err(BatchError { error: LedgerError::Conflict { .. }, .. }) if attempt < attempts => attempt += 1,
                other => return other,
            }
        }
    }

    async fn submit(&self, requests: &[Request]) -> Result<Vec<Applied>, BatchError> {
        let whole = |error| BatchError { index: 0, error };
        let mut state = self.shared.state.lock().await;
        let State { ledger, db } = &mut *state;
        // A batch of one is staged as a single command (no batch marks in its line).
        let staged = match requests {
            [one] => ledger.stage(one).map_err(whole)?,
            many => ledger.stage_batch(many)?,
        };
        let rows: Vec<Row<'_>> = staged.entries().map(|e| Row { seq: e.seq, hash: e.hash, line: e.line }).collect();
        // If this future is dropped while appending, `staged` is dropped with it and the
        // ledger rolls back; the database transaction is abandoned with its connection.
        db.append(&staged.base(), &rows).await.map_err(whole)?;
        drop(rows);
        staged.commit().map_err(whole)
    }

    /// Catches up: verifies and takes in what other writers appended since this handle
    /// last read the journal. Returns the number of entries taken in.
    pub async fn refresh(&self) -> Result<u64, LedgerError> {
        let mut state = self.shared.state.lock().await;
        let State { ledger, db } = &mut *state;
        let lines = db.read_after(&ledger.head(), &[]).await?;
        ledger.take_in(&lines)
    }

    /// Runs `f` on the ledger (reports, balances, previews). Commands wait meanwhile.
    pub async fn read<T>(&self, f: impl FnOnce(&Ledger) -> T) -> T {
        let state = self.shared.state.lock().await;
        f(&state.ledger)
    }

    /// The chain head of this handle's ledger (what it last wrote or read).
    pub async fn head(&self) -> ChainHead {
        self.shared.state.lock().await.ledger.head()
    }

    /// The chain head in the database now.
    pub async fn store_head(&self) -> Result<ChainHead, LedgerError> {
        self.shared.state.lock().await.db.head().await
    }
}

/// Chunks of rows read ahead of the replay (of `STREAM_CHUNK_BYTES` each).
const STREAM_CHUNKS_IN_FLIGHT: usize = 16;

/// The journal's bytes as they arrive from the database, for a replay on a blocking thread.
struct Arriving {
    chunks: tokio::sync::mpsc::Receiver<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
}

impl Arriving {
    fn new(chunks: tokio::sync::mpsc::Receiver<Vec<u8>>) -> Arriving {
        Arriving { chunks, current: Vec::new(), at: 0 }
    }
}

impl std::io::Read for Arriving {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.current.len() {
            match self.chunks.blocking_recv() {
                Some(chunk) => {
                    self.current = chunk;
                    self.at = 0;
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.at);
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

// Futures of the handle must be `Send`, so that services can spawn them on any thread.
#[allow(dead_code)]
fn futures_are_send(ledger: &PgLedger, request: &Request) {
    fn send<T: Send>(_: T) {}
    send(ledger.apply(request));
    send(ledger.apply_with_retries(request, 1));
    send(ledger.apply_batch(std::slice::from_ref(request)));
    send(ledger.refresh());
    send(ledger.read(|l| l.len()));
    send(PgLedger::connect("", ""));
}

const _: () = {
    const fn send_sync<T: Send + Sync + Clone>() {}
    send_sync::<PgLedger>();
};
