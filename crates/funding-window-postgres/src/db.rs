//! The database side: one connection, reconnected when lost, and the few statements a
//! ledger needs. Everything here is asynchronous; [`crate::PgLedger`] and the blocking
//! [`crate::PgStore`] drive it.

use std::time::Duration;

use funding_window::{ChainHead, LedgerError};
use futures_util::{pin_mut, TryStreamExt};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, NoTls};

use crate::schema;

/// Longest wait for a connection when the DSN sets none.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Rows per `INSERT` statement of an append; a larger batch takes several statements in
/// its one transaction (a statement's parameters stay well below PostgreSQL's 1 GB).
pub(crate) const APPEND_ROWS_MAX: usize = 10_000;

/// Bytes handed to a streaming replay at a time.
pub(crate) const STREAM_CHUNK_BYTES: usize = 256 * 1024;

/// Longest ledger name, in bytes (the table checks it too).
pub const LEDGER_NAME_BYTES_MAX: usize = 200;

/// A connection to one ledger of a database.
pub(crate) struct Db {
    config: Config,
    name: String,
    client: Option<Client>,
    /// Set while a transaction is open on the connection: if the operation is cancelled
    /// (its future dropped) before it ends, the connection is dropped rather than reused
    /// inside the abandoned transaction; the server rolls that back.
    in_transaction: bool,
    /// Whether the connection was made by the last `connect` (rather than reused).
    fresh: bool,
    /// Set once an append has sent its `COMMIT`: a failure after it leaves the outcome unknown.
    committing: bool,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("ledger", &self.name).field("connected", &self.client.is_some()).finish()
    }
}

/// One entry to append: its sequence number, hash and line (without newline).
pub(crate) struct Row<'a> {
    pub seq: u64,
    pub hash: &'a str,
    pub line: &'a str,
}

/// How the store is named in messages.
pub(crate) fn describe(name: &str) -> String {
    format!("postgresql ledger {name:?}")
}

/// Parses a connection string (`host=/run/postgresql dbname=books` or a
/// `postgresql://` URL); a malformed one is `INVALID_ARGUMENT`.
pub(crate) fn parse_config(dsn: &str) -> Result<Config, LedgerError> {
    let mut config: Config = dsn.parse().map_err(|e: tokio_postgres::Error| LedgerError::InvalidArgument {
        name: "dsn".into(),
        value: redact(dsn),
        reason: e.to_string(),
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    if config.get_application_name().is_none() {
        config.application_name("funding-window");
    }
    Ok(config)
}

/// A connection string for messages, without its password.
fn redact(dsn: &str) -> String {
    if dsn.contains("password") || dsn.contains('@') {
        "<connection string with credentials>".to_owned()
    } else {
        dsn.to_owned()
    }
}

/// Checks a ledger name: non-empty, at most [`LEDGER_NAME_BYTES_MAX`] bytes, printable.
pub(crate) fn check_name(name: &str) -> Result<(), LedgerError> {
    let reason = if name.is_empty() {
        Some("is empty")
    } else if name.len() > LEDGER_NAME_BYTES_MAX {
        Some("is longer than 200 bytes")
    } else if name.chars().any(char::is_control) {
        Some("has control characters")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(LedgerError::InvalidArgument {
            name: "ledger".into(),
            value: name.chars().take(LEDGER_NAME_BYTES_MAX).collect(),
            reason: reason.into(),
        }),
        None => Ok(()),
    }
}

impl Db {
    pub fn new(config: Config, name: &str) -> Result<Db, LedgerError> {
        check_name(name)?;
        Ok(Db { config, name: name.to_owned(), client: None, in_transaction: false, fresh: false, committing: false })
    }

    pub fn describe(&self) -> String {
        describe(&self.name)
    }

    /// Whether a connection is open (it may still turn out to be broken).
    pub fn connected(&self) -> bool {
        self.client.as_ref().is_some_and(|c| !c.is_closed())
    }

    /// Makes sure a connection is open: the open one, or a new one (`STORE_UNAVAILABLE`
    /// when it cannot be made). The connection's task runs on the caller's runtime.
    pub async fn connect(&mut self) -> Result<(), LedgerError> {
        if self.in_transaction {
            self.client = None;
            self.in_transaction = false;
        }
        self.fresh = false;
        if !self.connected() {
            self.fresh = true;
            self.client = None;
            let (client, connection) =
                self.config.connect(NoTls).await.map_err(|e| unavailable(&self.describe(), &e))?;
            // The connection ends when the client is dropped or the server goes away;
            // the next call then reconnects. Its error reaches the caller through the client.
            tokio::spawn(async move {
                let _ = connection.await;
            });
            self.client = Some(client);
        }
        Ok(())
    }

    /// Maps an error of the connection, dropping it when it is broken.
    fn fail(&mut self, e: &tokio_postgres::Error) -> LedgerError {
        let error = to_ledger_error(&self.describe(), e);
        if matches!(error, LedgerError::StoreUnavailable { .. }) {
            self.client = None;
        }
        error
    }

    /// Creates the schema when missing and the ledger (when `create`); a missing ledger
    /// without `create` is `INVALID_ARGUMENT`.
    pub async fn setup(&mut self, create: bool) -> Result<(), LedgerError> {
        let name = self.name.clone();
        let result = async {
            self.connect().await?;
            let client = conn(&self.client)?;
            let exists = client.query_opt(schema::EXISTS, &[&name]).await;
            // An error here may be tables that do not exist yet: they are set up below.
            if let Ok(Some(_)) = exists {
                return Ok(());
            }
            if !create {
                return Err(Failure::Ledger(LedgerError::InvalidArgument {
                    name: "ledger".into(),
                    value: name.clone(),
                    reason: "no such ledger in this database".into(),
                }));
            }
            self.connect().await?;
            let client = conn(&self.client)?;
            // One transaction: the advisory lock serialises concurrent setups.
            let setup =
                format!("BEGIN; SELECT pg_advisory_xact_lock({}); {} COMMIT;", schema::SETUP_LOCK, schema::SETUP);
            self.in_transaction = true;
            client.batch_execute(&setup).await.map_err(Failure::Db)?;
            self.in_transaction = false;
            client.execute(schema::CREATE_LEDGER, &[&name]).await.map_err(Failure::Db)?;
            Ok(())
        }
        .await;
        result.map_err(|f: Failure| self.fail_with(f))
    }

    fn fail_with(&mut self, f: Failure) -> LedgerError {
        match f {
            Failure::Db(e) => self.fail(&e),
            Failure::Ledger(e) => {
                if matches!(e, LedgerError::StoreUnavailable { .. }) {
                    self.client = None;
                }
                e
            }
        }
    }

    /// `prefix`, then the lines after `after` (each with its newline), checking that the
    /// store's entry `after.seq` still has `after.hash` and that every row is what its
    /// line says. A connection found broken is replaced once (reading changes nothing).
    pub async fn read_after(&mut self, after: &ChainHead, prefix: &[u8]) -> Result<Vec<u8>, LedgerError> {
        match self.read_after_once(after, prefix).await {
            Err(LedgerError::StoreUnavailable { .. }) if !self.fresh => self.read_after_once(after, prefix).await,
            other => other,
        }
    }

    async fn read_after_once(&mut self, after: &ChainHead, prefix: &[u8]) -> Result<Vec<u8>, LedgerError> {
        self.read_rows(after, prefix, None).await
    }

    /// As [`Db::read_after`], handing the bytes to `chunks` a piece at a time as the rows
    /// arrive (for a replay that runs meanwhile). Stops early, without error, when the
    /// receiver is gone (the replay stopped: its error is the one to report).
    pub async fn stream_after(
        &mut self,
        after: &ChainHead,
        prefix: &[u8],
        chunks: &tokio::sync::mpsc::Sender<Vec<u8>>,
    ) -> Result<(), LedgerError> {
        self.read_rows(after, prefix, Some(chunks)).await.map(drop)
    }

    async fn read_rows(
        &mut self,
        after: &ChainHead,
        prefix: &[u8],
        chunks: Option<&tokio::sync::mpsc::Sender<Vec<u8>>>,
    ) -> Result<Vec<u8>, LedgerError> {
        let name = self.name.clone();
        let describe = self.describe();
        let result = async {
            self.connect().await?;
            let client = conn(&self.client)?;
            let from = i64::try_from(after.seq.max(1)).map_err(|_| corrupt(after.seq, "sequence out of range"))?;
            let rows = client.query_raw(schema::READ_FROM, [&name as &(dyn ToSql + Sync), &from]).await?;
            pin_mut!(rows);
            let mut bytes = prefix.to_vec();
            let mut expected = after.seq.max(1);
            while let Some(row) = rows.try_next().await? {
                let seq: i64 = row.try_get(0)?;
                let hash: &str = row.try_get(1)?;
                let line: &[u8] = row.try_get(2)?;
                let seq = u64::try_from(seq).map_err(|_| corrupt(after.seq, "negative sequence number"))?;
                if seq != expected {
                    return Err(Failure::Ledger(corrupt(
                        expected,
                        &format!("entry {expected} is missing (next is {seq})"),
                    )));
                }
                if after.seq > 0 && seq == after.seq {
                    if hash != after.hash {
                        return Err(Failure::Ledger(corrupt(
                            seq,
                            &format!(
                                "entry {seq} in {describe} is not the one this ledger verified (hash {hash}, \
                                 verified {}): the journal was rewritten",
                                after.hash
                            ),
                        )));
                    }
                } else {
                    check_row(seq, hash, line)?;
                    bytes.extend_from_slice(line);
                    bytes.push(b'\n');
                    if let Some(chunks) = chunks.filter(|_| bytes.len() >= STREAM_CHUNK_BYTES) {
                        let full = std::mem::replace(&mut bytes, Vec::with_capacity(STREAM_CHUNK_BYTES + 4096));
                        if chunks.send(full).await.is_err() {
                            return Ok(Vec::new());
                        }
                    }
                }
                expected += 1;
            }
            if let Some(chunks) = chunks {
                if !bytes.is_empty() && chunks.send(std::mem::take(&mut bytes)).await.is_err() {
                    return Ok(Vec::new());
                }
            }
            if after.seq > 0 && expected == after.seq {
                return Err(Failure::Ledger(corrupt(
                    after.seq,
                    &format!("entry {} this ledger verified is gone from {describe}", after.seq),
                )));
            }
            Ok(bytes)
        }
        .await;
        result.map_err(|f| self.fail_with(f))
    }

    /// The store's head.
    pub async fn head(&mut self) -> Result<ChainHead, LedgerError> {
        match self.head_once().await {
            Err(LedgerError::StoreUnavailable { .. }) if !self.fresh => self.head_once().await,
            other => other,
        }
    }

    async fn head_once(&mut self) -> Result<ChainHead, LedgerError> {
        let name = self.name.clone();
        let result = async {
            self.connect().await?;
            let client = conn(&self.client)?;
            let row = client.query_opt(schema::HEAD, &[&name]).await?;
            Ok(match row {
                Some(row) => {
                    ChainHead { seq: u64::try_from(row.try_get::<_, i64>(0)?).unwrap_or(0), hash: row.try_get(1)? }
                }
                None => ChainHead::empty(),
            })
        }
        .await;
        result.map_err(|f| self.fail_with(f))
    }

    /// Appends `rows` (entries `base.seq + 1 ..`) in one transaction if the store's head is
    /// still `base`; `CONFLICT` with the store's head otherwise, nothing written.
    ///
    /// A reused connection found broken before the commit was sent (the server restarted
    /// since it was last used) is replaced once and the append made on the new one: nothing
    /// had been committed. A connection lost while committing is `STORE_UNAVAILABLE`, and
    /// the outcome is unknown until the writer catches up.
    pub async fn append(&mut self, base: &ChainHead, rows: &[Row<'_>]) -> Result<(), LedgerError> {
        if rows.is_empty() {
            return Ok(());
        }
        self.committing = false;
        match self.append_once(base, rows).await {
            Err(LedgerError::StoreUnavailable { .. }) if !self.fresh && !self.committing => {
                self.append_once(base, rows).await
            }
            other => other,
        }
    }

    async fn append_once(&mut self, base: &ChainHead, rows: &[Row<'_>]) -> Result<(), LedgerError> {
        let name = self.name.clone();
        let outcome = async {
            self.connect().await?;
            let client = conn(&self.client)?;
            let base_seq = i64::try_from(base.seq).map_err(|_| corrupt(base.seq, "sequence out of range"))?;
            self.in_transaction = true;
            let mut first = true;
            for chunk in rows.chunks(APPEND_ROWS_MAX) {
                let seqs: Vec<i64> = chunk.iter().map(|r| i64::try_from(r.seq).unwrap_or(i64::MAX)).collect();
                let hashes: Vec<&str> = chunk.iter().map(|r| r.hash).collect();
                let lines: Vec<&[u8]> = chunk.iter().map(|r| r.line.as_bytes()).collect();
                let inserted = if first {
                    // BEGIN and the first insert go out together (one round trip); COMMIT is
                    // sent only once every insert has succeeded.
                    let (begun, inserted) = futures_util::future::join(
                        client.batch_execute("BEGIN"),
                        client.execute(schema::APPEND, &[&name, &seqs, &hashes, &lines, &base_seq, &base.hash]),
                    )
                    .await;
                    begun?;
                    inserted
                } else {
                    client.execute(schema::APPEND_MORE, &[&name, &seqs, &hashes, &lines]).await
                };
                first = false;
                match inserted {
                    Ok(n) if n == chunk.len() as u64 => {}
                    // The head moved on: the condition held for no row.
                    Ok(_) => {
                        client.batch_execute("ROLLBACK").await?;
                        return Ok(false);
                    }
                    Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                        client.batch_execute("ROLLBACK").await?;
                        return Ok(false);
                    }
                    Err(e) => {
                        let _ = client.batch_execute("ROLLBACK").await;
                        return Err(Failure::Db(e));
                    }
                }
            }
            self.committing = true;
            client.batch_execute("COMMIT").await?;
            Ok(true)
        }
        .await;
        if outcome.is_ok() {
            self.in_transaction = false;
        }
        match outcome {
            Ok(true) => Ok(()),
            Ok(false) => {
                let head = self.head().await?;
                Err(LedgerError::Conflict { store: self.describe(), seq: head.seq, hash: head.hash })
            }
            Err(f) => Err(self.fail_with(f)),
        }
    }

    /// Imports a whole journal's entry lines into this ledger, which must have none, in one
    /// transaction (binary `COPY`). `lines` are the entry lines (each with its newline).
    pub async fn import(&mut self, lines: &str) -> Result<ChainHead, LedgerError> {
        use futures_util::SinkExt;
        let name = self.name.clone();
        let describe = self.describe();
        let result = async {
            self.connect().await?;
            let client = conn(&self.client)?;
            self.in_transaction = true;
            client.batch_execute("BEGIN").await?;
            client.execute(schema::CREATE_LEDGER, &[&name]).await?;
            // Locks the ledger's row against a concurrent import; writers are kept out by the
            // primary key as always.
            client.execute("SELECT 1 FROM funding_window.ledgers WHERE name = $1 FOR UPDATE", &[&name]).await?;
            if client.query_opt(schema::HEAD, &[&name]).await?.is_some() {
                return Err(Failure::Ledger(LedgerError::DuplicateId {
                    kind: "ledger with entries".into(),
                    id: name.clone(),
                }));
            }
            let sink = client
                .copy_in("COPY funding_window.journal (ledger, seq, hash, line) FROM STDIN (FORMAT binary)")
                .await?;
            let mut data = Vec::with_capacity(lines.len() + lines.len() / 4);
            binary_copy(&mut data, &name, lines).map_err(|e| Failure::Ledger(corrupt(e.0, &e.1)))?;
            pin_mut!(sink);
            sink.send(bytes::Bytes::from(data)).await?;
            let copied = sink.finish().await?;
            client.batch_execute("COMMIT").await?;
            let _ = (copied, &describe);
            Ok(())
        }
        .await;
        match result {
            Ok(()) => {
                self.in_transaction = false;
                self.head().await
            }
            // The transaction is abandoned with its connection (see `in_transaction`).
            Err(f) => Err(self.fail_with(f)),
        }
    }

    /// Every ledger of the database with its number of entries.
    pub async fn ledgers(&mut self) -> Result<Vec<(String, u64)>, LedgerError> {
        let result = async {
            self.connect().await?;
            let client = conn(&self.client)?;
            let rows = client.query(schema::LEDGERS, &[]).await?;
            rows.iter()
                .map(|r| Ok((r.try_get(0)?, u64::try_from(r.try_get::<_, i64>(1)?).unwrap_or(0))))
                .collect::<Result<Vec<_>, Failure>>()
        }
        .await;
        result.map_err(|f| self.fail_with(f))
    }
}

/// The open connection (after [`Db::connect`]).
fn conn(client: &Option<Client>) -> Result<&Client, LedgerError> {
    client.as_ref().ok_or_else(|| LedgerError::Internal { message: "no connection after connecting".into() })
}

/// A failure inside an operation: of the database (mapped once, with the connection
/// dropped if broken) or already the ledger's.
enum Failure {
    Db(tokio_postgres::Error),
    Ledger(LedgerError),
}

impl From<tokio_postgres::Error> for Failure {
    fn from(e: tokio_postgres::Error) -> Self {
        Failure::Db(e)
    }
}

impl From<LedgerError> for Failure {
    fn from(e: LedgerError) -> Self {
        Failure::Ledger(e)
    }
}

/// `JOURNAL_CORRUPT` for entry `seq` (line `seq + 1` of the journal, after its header).
fn corrupt(seq: u64, reason: &str) -> LedgerError {
    LedgerError::journal_corrupt(seq + 1, reason)
}

/// Length of the `,"hash":"<64 hex>"}` that ends an entry line.
const HASH_SUFFIX_LEN: usize = 9 + 64 + 2;

/// The hash an entry line ends with (empty if it has none).
pub(crate) fn line_hash(line: &str) -> &str {
    line.len().checked_sub(HASH_SUFFIX_LEN).and_then(|at| line.get(at + 9..at + 9 + 64)).unwrap_or("")
}

/// Checks that a row's `hash` column is the hash its line ends with.
fn check_row(seq: u64, hash: &str, line: &[u8]) -> Result<(), Failure> {
    let claimed = line.len().checked_sub(HASH_SUFFIX_LEN).and_then(|at| line.get(at + 9..at + 9 + 64));
    if claimed != Some(hash.as_bytes()) {
        return Err(Failure::Ledger(corrupt(
            seq,
            &format!("entry {seq}: the row's hash column is not the hash its line ends with"),
        )));
    }
    Ok(())
}

/// Writes entry lines as PostgreSQL binary `COPY` data: (ledger, seq, hash, line) per
/// line. Each line must end with its hash (as journal lines do); its seq is read from it.
fn binary_copy(out: &mut Vec<u8>, name: &str, lines: &str) -> Result<(), (u64, String)> {
    out.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    out.extend_from_slice(&0i32.to_be_bytes()); // flags
    out.extend_from_slice(&0i32.to_be_bytes()); // header extension
    let field = |out: &mut Vec<u8>, bytes: &[u8]| {
        out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
        out.extend_from_slice(bytes);
    };
    for (i, line) in lines.lines().enumerate() {
        let seq = i as u64 + 1;
        let hash = Some(line_hash(line))
            .filter(|h| h.len() == 64)
            .ok_or_else(|| (seq, format!("entry {seq} has no hash at its end")))?;
        out.extend_from_slice(&4i16.to_be_bytes());
        field(out, name.as_bytes());
        field(out, &(seq as i64).to_be_bytes());
        field(out, hash.as_bytes());
        field(out, line.as_bytes());
    }
    out.extend_from_slice(&(-1i16).to_be_bytes());
    Ok(())
}

/// The ledger's error for a database error: `STORE_UNAVAILABLE` for a connection that
/// cannot be made or was lost (the server down, restarting or refusing connections),
/// `IO_ERROR` naming the store for any other failure.
pub(crate) fn to_ledger_error(store: &str, e: &tokio_postgres::Error) -> LedgerError {
    let unavailable_state = e.code().is_some_and(|code| {
        let code = code.code();
        code.starts_with("08") // connection exception
            || code.starts_with("57P") // operator intervention: shutdown, crash, cannot connect now
            || code == "53300" // too many connections
    });
    if e.as_db_error().is_none() || unavailable_state || e.is_closed() {
        return unavailable(store, e);
    }
    LedgerError::Io { path: store.to_owned(), message: error_text(e) }
}

fn unavailable(store: &str, e: &tokio_postgres::Error) -> LedgerError {
    LedgerError::StoreUnavailable { store: store.to_owned(), message: error_text(e) }
}

/// What went wrong, in full: the server's message and code for a database error (the
/// client's own text is only "db error"), else the client's text and its cause.
pub(crate) fn error_text(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {} (SQLSTATE {})", db.severity(), db.message(), db.code().code()),
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}
