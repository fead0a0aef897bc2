//! [`Ledger`]: applies commands atomically and keeps the hash-chained journal, in memory
//! or in a journal store (a JSON Lines file, a store shared by several writers).

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::account::AccountKey;
use crate::calendar::iso_date_opt;
use crate::command::{format_timestamp, Allocate, Command, Request};
use crate::contract::{contract, Hash};
use crate::domain::allocation::AllocationPreview;
use crate::error::{BatchError, LedgerError, Result};
use crate::journal::{EntryOut, Journal, JournalEntry, JournalMark, PostingLine, HASH_SUFFIX_LEN};
use crate::limits::BATCH_COMMANDS_MAX;
use crate::money::Currency;
use crate::plan::{Plan, Posting};
use crate::replay::{ReplayError, Torn};
use crate::state::{EntryInfo, State, UndoLog};
use crate::store::{ChainHead, FileStore, JournalStore};

/// Where the ledger takes `recorded_at` from when a command does not say.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

fn system_clock() -> Clock {
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    {
        Arc::new(Utc::now)
    }
    // There is no system clock on bare WebAssembly; the binding installs one.
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    {
        Arc::new(|| DateTime::<Utc>::UNIX_EPOCH)
    }
}

contract! {
    /// What applying a command did.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Applied {
        /// Sequence number of the journal entry.
        pub seq: u64,
        /// Its hash (the journal's chain head right after it).
        pub hash: Hash,
        /// Its value date.
        #[serde(with = "iso_date_opt")]
        pub date: Option<NaiveDate>,
        /// Its postings.
        pub postings: Vec<PostingLine>,
        /// `true` when an idempotency key matched an earlier entry, which is returned unchanged.
        pub duplicate: bool,
    }
}

contract! {
    /// What [`Ledger::recover`] dropped.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct Recovery {
        /// Bytes cut from the end of the file (0 when the journal was complete).
        pub dropped_bytes: u64,
        /// First line dropped, if any.
        pub dropped_from_line: Option<u64>,
        /// Complete entries kept.
        pub entries: u64,
    }
}

/// The funding window's books.
///
/// ```
/// use funding_window::{Ledger, Request};
///
/// let mut ledger = Ledger::new();
/// for json in [
///     r#"{"type": "register_donor", "id": "NO", "name": "Norway", "kind": "member_state"}"#,
///     r#"{"type": "sign_agreement", "id": "CA-NO-1", "donor": "NO", "currency": "USD", "amount": "900000.00",
///         "signed_on": "2024-02-01", "psc_rate": "0.07", "elective_transfer": false,
///         "purpose": {"window": {"earmarked_to": []}}}"#,
///     r#"{"type": "set_requirement", "resolution": "2/2", "amount": "2000000.00"}"#,
///     r#"{"type": "allocate", "id": "EB-1", "decided_on": "2024-11-01", "amount": "300000.00",
///         "policy": "equal", "resolutions": ["2/2", "2/9"], "approved_by": "Executive Director"}"#,
/// ] {
///     ledger.apply(Request::from_json(json).unwrap()).unwrap();
/// }
/// let tracker = ledger.resolution_tracker("2024-H2".parse().unwrap());
/// let row = tracker.rows.iter().find(|r| r.resolution == "2/2").unwrap();
/// assert_eq!(row.allocated_in_period.to_string(), "150000.00");
/// assert_eq!(row.gap.unwrap().to_string(), "1850000.00");
/// assert!(ledger.trial_balance(None).totals.values().all(|t| t.is_zero()));
/// ```
pub struct Ledger {
    pub(crate) state: State,
    pub(crate) journal: Journal,
    pub(crate) undo: UndoLog,
    clock: Clock,
}

impl Default for Ledger {
    fn default() -> Self {
        Ledger::new()
    }
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("entries", &self.journal.len())
            .field("chain_head", &self.journal.head_hex())
            .field("path", &self.journal.path())
            .finish()
    }
}

// A ledger can be shared between threads (behind a lock) and moved into worker threads.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Ledger>();
};

/// Where a command or batch started, to roll back to.
pub(crate) struct Mark {
    undo: usize,
    journal: JournalMark,
}

impl Mark {
    /// Steps in the undo log at the mark.
    pub(crate) fn undo_len(&self) -> usize {
        self.undo
    }
}

impl Ledger {
    /// An empty in-memory ledger that knows the 15 Assembly resolutions.
    pub fn new() -> Ledger {
        Ledger { state: State::default(), journal: Journal::memory(), undo: UndoLog::default(), clock: system_clock() }
    }

    /// Replaces the clock used for `recorded_at` when a command gives none.
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// Number of journal entries.
    pub fn len(&self) -> usize {
        self.journal.len()
    }

    /// Whether the journal has no entries.
    pub fn is_empty(&self) -> bool {
        self.journal.len() == 0
    }

    /// Hash of the last entry (64 zeros for an empty journal).
    pub fn chain_head(&self) -> String {
        self.journal.head_hex()
    }

    /// The whole journal as JSON Lines, exactly as `save` writes it. A ledger on a
    /// file reads it back from the file.
    pub fn to_journal(&self) -> Result<Cow<'_, str>> {
        self.journal.text()
    }

    /// The file the ledger appends to, if it was opened or created on one.
    pub fn path(&self) -> Option<&Path> {
        self.journal.path()
    }

    // ----- applying commands ---------------------------------------------------------------

    /// Validates a command and, if it is valid, appends one balanced journal entry.
    ///
    /// On error nothing changes. With a journal file the entry is written and synced
    /// before this returns; with a shared store it is appended only if no other writer
    /// appended first (else `CONFLICT`: [`Ledger::refresh`], then retry).
    pub fn apply(&mut self, request: impl Into<Request>) -> Result<Applied> {
        // What `stage(..)?.commit()` does, without the stage's list of results: this is the
        // path of every single command, in memory as on a store.
        let request = request.into();
        self.check_writable()?;
        let mark = self.mark();
        let result = self.apply_entry(&request, None).and_then(|applied| self.journal.persist().map(|()| applied));
        self.finish(&mark, result)
    }

    /// Parses one command of the contract from JSON and applies it.
    pub fn apply_json(&mut self, json: &str) -> Result<Applied> {
        self.apply(Request::from_json(json)?)
    }

    /// Applies commands all or nothing: if one fails, none is applied and the
    /// error names its position. The batch is one append to the journal.
    pub fn apply_batch(&mut self, requests: impl IntoIterator<Item = Request>) -> Result<Vec<Applied>, BatchError> {
        self.apply_batch_then(requests, Ok)
    }

    /// [`Ledger::apply_batch`], handing the results to `then` before the batch is committed: if
    /// `then` fails (a binding that cannot find the memory to return a million results), the
    /// batch is rolled back and its error is the batch's, at index 0.
    pub fn apply_batch_then<T>(
        &mut self,
        requests: impl IntoIterator<Item = Request>,
        then: impl FnOnce(Vec<Applied>) -> Result<T>,
    ) -> Result<T, BatchError> {
        let requests: Vec<Request> = requests.into_iter().collect();
        let mut staged = self.stage_batch(&requests)?;
        let applied = std::mem::take(&mut staged.applied);
        // A failing `then` drops the stage, which takes the batch back.
        let out = then(applied).map_err(|error| BatchError { index: 0, error })?;
        staged.commit().map(|_| out).map_err(|error| BatchError { index: 0, error })
    }

    /// Validates a command and applies it to this ledger in memory, writing its journal
    /// line, without committing it: the first half of [`Ledger::apply`], for a caller that
    /// appends the line to its store itself (an asynchronous database client).
    ///
    /// The [`Staged`] holds the line, the chain head it extends and the result. Append the
    /// line to the store on condition that the store's head is still [`Staged::base`],
    /// then [`Staged::commit`]; dropping the stage instead takes the command back, leaving
    /// the ledger exactly as it was. A repeated idempotency key stages no line.
    ///
    /// ```
    /// use funding_window::{Ledger, Request};
    ///
    /// let mut ledger = Ledger::new();
    /// let request = Request::from_json(r#"{"type": "register_donor", "id": "SE", "name": "Sweden", "kind": "member_state"}"#)?;
    /// let staged = ledger.stage(&request)?;
    /// assert_eq!(staged.base().seq, 0);
    /// assert_eq!(staged.head().seq, 1);
    /// assert!(staged.lines().starts_with(r#"{"seq":1,"recorded_at":"#) && staged.lines().ends_with("\n"));
    /// drop(staged); // the store refused it, say: nothing happened
    /// assert_eq!(ledger.len(), 0);
    /// let staged = ledger.stage(&request)?;
    /// let applied = staged.commit()?; // the store took it
    /// assert_eq!((ledger.len(), applied[0].seq), (1, 1));
    /// # Ok::<(), funding_window::LedgerError>(())
    /// ```
    pub fn stage(&mut self, request: &Request) -> Result<Staged<'_>> {
        self.check_writable()?;
        let mark = self.mark();
        match self.apply_entry(request, None) {
            Ok(applied) => Ok(Staged { ledger: self, mark: Some(mark), applied: vec![applied] }),
            Err(e) => {
                self.end_operation(&mark, true);
                Err(e)
            }
        }
    }

    /// Stages a batch (all or nothing) as [`Ledger::stage`] stages one command: one
    /// append to the store, whose lines mark the batch so that replay recognises an
    /// incomplete one.
    pub fn stage_batch(&mut self, requests: &[Request]) -> Result<Staged<'_>, BatchError> {
        if requests.len() > BATCH_COMMANDS_MAX {
            return Err(BatchError {
                index: 0,
                error: LedgerError::limit("BATCH_COMMANDS_MAX", BATCH_COMMANDS_MAX, requests.len()),
            });
        }
        self.check_writable().map_err(|error| BatchError { index: 0, error })?;
        self.reserve_for(requests.len()).map_err(|error| BatchError { index: 0, error })?;
        let mark = self.mark();
        // Entries of a batch are marked [position, count] so that replay can tell an
        // interrupted batch. A request repeating an idempotency key (of an earlier entry
        // or of an earlier request in the batch) adds no entry, so count those out first.
        let mut keys = std::collections::HashSet::new();
        let adds_entry: Vec<bool> = requests
            .iter()
            .map(|r| match &r.idempotency_key {
                Some(k) => !self.state.idempotency.contains_key(k) && keys.insert(k.as_str()),
                None => true,
            })
            .collect();
        let size = u32::try_from(adds_entry.iter().filter(|a| **a).count()).unwrap_or(u32::MAX);
        let mut position = 0u32;
        let mut applied = Vec::new();
        applied.try_reserve_exact(requests.len()).map_err(|_| BatchError {
            index: 0,
            error: LedgerError::OutOfMemory {
                what: "the results of a batch".into(),
                bytes: requests.len().saturating_mul(std::mem::size_of::<Applied>()) as u64,
            },
        })?;
        for (index, request) in requests.iter().enumerate() {
            position += u32::from(adds_entry[index]);
            let batch = (size > 1 && adds_entry[index]).then_some([position, size]);
            match self.apply_entry(request, batch) {
                Ok(a) => applied.push(a),
                Err(error) => {
                    self.end_operation(&mark, true);
                    return Err(BatchError { index, error });
                }
            }
        }
        Ok(Staged { ledger: self, mark: Some(mark), applied })
    }

    fn check_writable(&self) -> Result<()> {
        if self.journal.read_only() {
            return Err(LedgerError::ReadOnly { store: self.journal.describe() });
        }
        Ok(())
    }

    /// Dry run of an allocation: the split with its explanation; nothing changes.
    pub fn preview_allocation(&self, command: &Allocate) -> Result<AllocationPreview> {
        self.preview_allocation_by(command, None)
    }

    /// Dry run of an allocation recorded by `recorded_by` (for the four-eyes check).
    pub fn preview_allocation_by(&self, command: &Allocate, recorded_by: Option<&str>) -> Result<AllocationPreview> {
        let seq = self.journal.len() as u64 + 1;
        let (plan, preview) = self.state.plan_allocation(command, recorded_by, seq, true)?;
        self.state.check_funds(&plan)?;
        preview.ok_or_else(|| LedgerError::Internal { message: "an explained allocation has no explanation".into() })
    }

    /// Dry run of an allocation given as a request of the contract (`"type": "allocate"`).
    pub fn preview_request(&self, request: &Request) -> Result<AllocationPreview> {
        match &request.command {
            Command::Allocate(c) => self.preview_allocation_by(c, request.recorded_by.as_deref()),
            other => Err(LedgerError::invalid_command(format!(
                "a preview takes an allocate command, not {}",
                other.type_name()
            ))),
        }
    }

    /// Room for `commands` more entries in the ledger's indexes and the undo log, made before a
    /// batch changes anything: a batch too large for the memory left is `OUT_OF_MEMORY` at once.
    fn reserve_for(&mut self, commands: usize) -> Result<()> {
        self.journal.reserve_entries(commands)?;
        self.journal.reserve_lines(commands)?;
        let entries = std::mem::size_of::<EntryInfo>();
        self.state.entries.try_reserve(commands).map_err(|_| LedgerError::OutOfMemory {
            what: "the entries".into(),
            bytes: commands.saturating_mul(entries) as u64,
        })?;
        self.undo.try_reserve_for(commands)
    }

    pub(crate) fn mark(&self) -> Mark {
        Mark { undo: self.undo.len(), journal: self.journal.mark() }
    }

    pub(crate) fn rollback(&mut self, mark: &Mark) {
        self.state.rollback(&mut self.undo, mark.undo);
        self.journal.rollback(mark.journal);
    }

    /// Ends the operation begun at `mark`: rolled back if it failed, its undo steps forgotten
    /// either way (and their memory given back after a large batch).
    fn end_operation(&mut self, mark: &Mark, failed: bool) {
        if failed {
            self.rollback(mark);
        }
        self.undo.forget_after(mark.undo);
        self.undo.shrink_when_idle();
    }

    fn finish<T>(&mut self, mark: &Mark, result: Result<T>) -> Result<T> {
        self.end_operation(mark, result.is_err());
        result
    }

    /// Validates a command and commits its effect on the state (not the journal);
    /// the caller rolls back on error. Returns the plan, or `None` for a repeated
    /// idempotency key.
    pub(crate) fn commit_request(&mut self, request: &Request) -> Result<Plan> {
        let seq = self.journal.len() as u64 + 1;
        State::check_request(request)?;
        let (mut plan, reversal_of) = match &request.command {
            Command::Reverse(r) => (self.plan_reversal(r, request.recorded_by.as_deref(), seq)?, Some(r.entry)),
            _ => (self.state.plan(request, seq)?, None),
        };
        if !balanced(&plan.postings) {
            return Err(LedgerError::Internal {
                message: format!("unbalanced entry planned for {}", request.command.type_name()),
            });
        }
        let info = EntryInfo::new(plan.date, request.command.type_name(), reversal_of);
        self.state.commit(&mut plan, info, &mut self.undo)?;
        if let Some(key) = &request.idempotency_key {
            self.state.remember_key(key.clone(), seq, &mut self.undo);
        }
        Ok(plan)
    }

    /// Validates and commits one command and appends its journal line; the caller
    /// rolls back on error.
    fn apply_entry(&mut self, request: &Request, batch: Option<[u32; 2]>) -> Result<Applied> {
        if let Some(key) = &request.idempotency_key {
            if let Some(&seq) = self.state.idempotency.get(key) {
                return self.earlier_result(seq, key, request);
            }
        }
        let seq = self.journal.len() as u64 + 1;
        let plan = self.commit_request(request)?;
        let postings: Vec<PostingLine> = plan
            .postings
            .iter()
            .map(|p| PostingLine {
                account: p.account.name(&self.state, p.currency),
                currency: p.currency,
                amount: p.amount,
            })
            .collect();
        let recorded_at = format_timestamp(&request.recorded_at.unwrap_or_else(|| (self.clock)()));
        let hash = self.journal.append(&EntryOut {
            seq,
            date: plan.date,
            recorded_at: &recorded_at,
            recorded_by: request.recorded_by.as_deref(),
            idempotency_key: request.idempotency_key.as_deref(),
            batch,
            command: &request.command,
            postings: &postings,
            conversions: &plan.conversions,
        })?;
        Ok(Applied { seq, hash, date: plan.date, postings, duplicate: false })
    }

    /// The result of an entry submitted again under the same idempotency key.
    fn earlier_result(&self, seq: u64, key: &str, request: &Request) -> Result<Applied> {
        let entry = self.journal.entry(seq)?;
        if entry.command != request.command {
            return Err(LedgerError::IdempotencyConflict { key: key.into(), entry: seq });
        }
        Ok(Applied { seq, hash: entry.hash, date: entry.date, postings: entry.postings, duplicate: true })
    }

    // ----- journal files and stores ----------------------------------------------------------

    /// Creates a new journal file (refusing to overwrite one) and a ledger appending to it,
    /// holding the file's lock for its lifetime.
    pub fn create(path: impl AsRef<Path>) -> Result<Ledger> {
        let store = FileStore::create(path.as_ref())?;
        let mut ledger = Ledger::new();
        ledger.journal = Journal::on_store(Box::new(store));
        Ok(ledger)
    }

    /// Opens a journal file to append to it: takes the file's exclusive lock (held for the
    /// ledger's lifetime; `JOURNAL_LOCKED` if another writer holds it, and the file is left
    /// untouched), then replays every entry, verifying the hash chain and that each entry's
    /// postings are what its command posts. New entries are appended to the file, which
    /// keeps the journal (memory holds the state and an index of entries, not the text).
    ///
    /// A malformed or altered line is `JOURNAL_CORRUPT` naming its line; an
    /// incomplete last line (or batch) is `JOURNAL_TORN_TAIL`, which only
    /// [`Ledger::recover`] drops. A path that is not a regular file (a directory, a
    /// FIFO, a device) is an `IO_ERROR` at once.
    pub fn open(path: impl AsRef<Path>) -> Result<Ledger> {
        let (ledger, torn) = Self::replay_store(Box::new(FileStore::open(path.as_ref())?))?;
        if let Some(t) = torn {
            return Err(LedgerError::JournalTornTail { line: t.line, offset: t.offset, bytes: t.bytes });
        }
        Ok(ledger)
    }

    /// Opens a journal file to read it only, verifying it as [`Ledger::open`] does, while
    /// a writer may hold it. Commands are refused (`READ_ONLY`); [`Ledger::refresh`] takes
    /// in what the writer has appended since. An incomplete last line or batch is a write
    /// under way: it is left out until it is complete.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Ledger> {
        Self::replay_store(Box::new(FileStore::open_read_only(path.as_ref())?)).map(|(ledger, _)| ledger)
    }

    /// Opens a journal file, cutting off a torn tail (an incomplete last line or
    /// batch left by a crash) if there is one. Complete entries are all kept;
    /// corruption anywhere else is still an error. Takes the lock as [`Ledger::open`] does.
    pub fn recover(path: impl AsRef<Path>) -> Result<(Ledger, Recovery)> {
        let store = FileStore::open(path.as_ref())?;
        let cutter = store.cutter()?;
        let (ledger, torn) = Self::replay_store(Box::new(store))?;
        let mut recovery = Recovery { dropped_bytes: 0, dropped_from_line: None, entries: ledger.len() as u64 };
        if let Some(t) = torn {
            cutter.truncate(t.offset)?;
            recovery.dropped_bytes = t.bytes;
            recovery.dropped_from_line = Some(t.line);
        }
        Ok((ledger, recovery))
    }

    /// Opens a ledger on a journal store (see [`crate::store`]): reads the whole journal
    /// and verifies it as [`Ledger::open`] does. Commands are appended to the store on
    /// condition that no other writer appended first (`CONFLICT` otherwise:
    /// [`Ledger::refresh`], then retry).
    pub fn open_store(store: impl JournalStore + 'static) -> Result<Ledger> {
        let (ledger, torn) = Self::replay_store(Box::new(store))?;
        match torn {
            Some(t) => Err(LedgerError::JournalTornTail { line: t.line, offset: t.offset, bytes: t.bytes }),
            None => Ok(ledger),
        }
    }

    /// Reads and verifies a store's whole journal into a new ledger kept in it.
    fn replay_store(mut store: Box<dyn JournalStore>) -> Result<(Ledger, Option<Torn>)> {
        let reader = store.read_from(&crate::store::Position::start())?;
        let describe = store.describe();
        let mut ledger = Ledger::new();
        // The ledger reads entries back from the store while replaying (reversals do), or
        // keeps the lines as it reads them, for a store that cannot read them back.
        ledger.journal = Journal::on_store(store);
        crate::replay::replay(reader, ledger, None).map_err(|e| replay_error(e, &describe))
    }

    /// Takes in what other writers appended to the journal since this ledger last read
    /// it, verifying it exactly as opening does (the hash chain, and every command
    /// re-applied and compared with its stored postings and conversions). Returns the
    /// number of entries taken in.
    ///
    /// For a read-only ledger on a file, this follows the writer; on a shared store it is
    /// how a writer catches up after `CONFLICT`. On a file this ledger writes, or in
    /// memory, there is nothing to take in. If what was appended does not verify, nothing
    /// is taken in and the error names the line (`JOURNAL_CORRUPT`; entry `seq` is line
    /// `seq + 1`, after the header).
    pub fn refresh(&mut self) -> Result<u64> {
        let at = self.journal.position();
        let Some(store) = self.journal.store_mut() else { return Ok(0) };
        let describe = store.describe();
        let reader = store.read_from(&at)?;
        self.take_in_lines(reader, None, &describe)
    }

    /// Verifies and takes in journal lines that follow this ledger's head, as
    /// [`Ledger::refresh`] does, for a caller that read them from its store itself (an
    /// asynchronous database client). `lines` are complete entry lines, each ending in a
    /// newline, starting with entry `len() + 1`; an incomplete last line or batch is left
    /// out. All or nothing: on error the ledger is unchanged. Returns the number of
    /// entries taken in.
    ///
    /// Only for a ledger in memory: a ledger on a store takes in through [`Ledger::refresh`].
    pub fn take_in(&mut self, lines: &[u8]) -> Result<u64> {
        if self.journal.store_mut().is_some() {
            return Err(LedgerError::InvalidArgument {
                name: "lines".into(),
                value: format!("{} bytes", lines.len()),
                reason: format!("this ledger reads its journal from {}: use refresh()", self.journal.describe()),
            });
        }
        self.take_in_lines(lines, Some(lines), "<text>")
    }

    fn take_in_lines<R: std::io::Read + Send>(
        &mut self,
        reader: R,
        source: Option<&[u8]>,
        describe: &str,
    ) -> Result<u64> {
        let before = self.len();
        let mark = self.mark();
        let taken = crate::replay::take_in(reader, self, source);
        self.end_operation(&mark, taken.is_err());
        taken.map_err(|e| replay_error(e, describe))?;
        Ok((self.len() - before) as u64)
    }

    /// The journal's chain head: its last entry's sequence number and hash.
    pub fn head(&self) -> ChainHead {
        self.journal.head()
    }

    /// Whether commands are refused because the ledger was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.journal.read_only()
    }

    /// Where the journal is kept, for messages: a file's path, `postgresql ledger "main"`,
    /// `<memory>`.
    pub fn store_description(&self) -> String {
        self.journal.describe()
    }

    /// Rebuilds a ledger from journal text (as written by [`Ledger::to_journal`]),
    /// verifying it as [`Ledger::open`] does. The ledger is in memory.
    pub fn from_journal(text: &str) -> Result<Ledger> {
        Self::from_journal_bytes(text.as_bytes())
    }

    /// [`Ledger::from_journal`] on bytes: a line that is not UTF-8 is
    /// `JOURNAL_CORRUPT` naming the line.
    pub fn from_journal_bytes(bytes: &[u8]) -> Result<Ledger> {
        let (ledger, torn) =
            crate::replay::replay(bytes, Ledger::new(), Some(bytes)).map_err(|e| replay_error(e, "<text>"))?;
        match torn {
            Some(t) => Err(LedgerError::JournalTornTail { line: t.line, offset: t.offset, bytes: t.bytes }),
            None => Ok(ledger),
        }
    }

    /// [`Ledger::from_journal`] on a stream (a socket, a pipe, rows arriving from a
    /// database): read a block at a time and verified as it comes. The ledger is in memory.
    pub fn from_reader(reader: impl std::io::Read + Send) -> Result<Ledger> {
        let (ledger, torn) =
            crate::replay::replay(reader, Ledger::new(), None).map_err(|e| replay_error(e, "<stream>"))?;
        match torn {
            Some(t) => Err(LedgerError::JournalTornTail { line: t.line, offset: t.offset, bytes: t.bytes }),
            None => Ok(ledger),
        }
    }

    /// The first and last value dates in the journal (`None` while nothing is dated).
    pub fn date_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        let mut dates = self.state.entries.iter().filter_map(|e| e.date);
        let first = dates.next()?;
        Some(dates.fold((first, first), |(lo, hi), d| (lo.min(d), hi.max(d))))
    }

    /// Every posting of the journal as a flat row (seq, date, recorded_at,
    /// recorded_by, command type, account, currency, amount, the entry a reversal
    /// reverses, idempotency key, hash), in journal order:
    /// the journal as a table, without parsing each command in full.
    pub fn posting_rows(&self) -> Result<Vec<crate::journal::PostingRow>> {
        self.journal.posting_rows()
    }

    /// Writes the whole journal to `path` atomically: a temporary file created exclusively
    /// in the same folder (never through a symlink), synced, then renamed over `path`.
    ///
    /// A path held by a writer (another ledger appending to it) is `JOURNAL_LOCKED` and
    /// is left as it was; a path that is not a regular file is `IO_ERROR`. Saving to the
    /// file this ledger writes does nothing: every entry is already there. A read-only
    /// ledger saving over the journal it reads is `READ_ONLY`: its view may be older.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        if let Some(own) = self.journal.path() {
            if same_file(own, path) {
                if self.journal.read_only() {
                    // Its view may be older than the file: saving would drop what was appended.
                    return Err(LedgerError::ReadOnly { store: self.journal.describe() });
                }
                return Ok(()); // already written and synced entry by entry
            }
        }
        let text = self.journal.text()?;
        crate::store::save_atomically(path, &text)
    }

    /// A parsed journal entry.
    pub fn entry(&self, seq: u64) -> Result<JournalEntry> {
        self.journal.entry(seq)
    }

    /// Every journal entry, parsed, in order.
    pub fn entries(&self) -> Result<Vec<JournalEntry>> {
        self.journal.entries()
    }

    /// The balance of an account (debit-positive) in a currency, as of a date
    /// (`None`: after every entry). The currency of `assets:cash:CCY` is in its name.
    pub fn balance(&self, account: &str, currency: Option<Currency>, as_of: Option<NaiveDate>) -> Result<Decimal> {
        let (key, named) = AccountKey::parse(&self.state, account)
            .ok_or_else(|| LedgerError::UnknownAccount { account: account.into() })?;
        let currency = match (named, currency) {
            (Some(n), Some(c)) if n != c => {
                return Err(LedgerError::CurrencyMismatch { expected: n.code().into(), found: c.code().into() })
            }
            (Some(n), _) => n,
            (None, Some(c)) => c,
            (None, None) => self.default_currency(key),
        };
        Ok(crate::money::at_minor_unit("balance", self.state.balance(key, currency, as_of), currency)
            .unwrap_or_default())
    }

    fn default_currency(&self, key: AccountKey) -> Currency {
        match key {
            AccountKey::Receivable(a) => self.state.agreements[a as usize].currency,
            AccountKey::ProjectFund(p) => {
                self.state.agreements[self.state.projects[p as usize].agreement as usize].currency
            }
            _ => Currency::USD,
        }
    }
}

fn balanced(postings: &[Posting]) -> bool {
    // Each currency summed once, at its first posting: entries have a handful of
    // postings, so this beats collecting the sums (and allocates nothing).
    postings.iter().enumerate().all(|(i, p)| {
        postings[..i].iter().any(|q| q.currency == p.currency)
            || postings[i..]
                .iter()
                .filter(|q| q.currency == p.currency)
                .try_fold(Decimal::ZERO, |sum, q| sum.checked_add(q.amount))
                .is_some_and(|sum| sum.is_zero())
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn replay_error(e: ReplayError, describe: &str) -> LedgerError {
    match e {
        ReplayError::Io(err) => LedgerError::Io { path: describe.to_owned(), message: err.to_string() },
        ReplayError::Ledger(err) => err,
    }
}

/// A command or batch applied to a ledger in memory, with its journal lines, not yet
/// committed: see [`Ledger::stage`]. Dropping it takes the command or batch back.
#[must_use = "a stage is rolled back when dropped: commit it once its lines are stored"]
pub struct Staged<'a> {
    ledger: &'a mut Ledger,
    mark: Option<Mark>,
    applied: Vec<Applied>,
}

/// One entry line of a [`Staged`] command or batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StagedLine<'a> {
    /// Its sequence number.
    pub seq: u64,
    /// Its hash (64 hex digits).
    pub hash: &'a str,
    /// The line, without its newline.
    pub line: &'a str,
}

impl Staged<'_> {
    /// The chain head the lines extend: the store's head must still be this for them to be appended.
    pub fn base(&self) -> ChainHead {
        self.ledger.journal.position().head
    }

    /// The chain head after the lines.
    pub fn head(&self) -> ChainHead {
        self.ledger.journal.head()
    }

    /// Byte length of the journal before the lines, in the file format (header included).
    pub fn base_offset(&self) -> u64 {
        self.ledger.journal.position().offset
    }

    /// The journal lines, each ending in a newline, exactly as a journal file stores them
    /// (empty when every command repeated an idempotency key).
    pub fn lines(&self) -> &str {
        match &self.mark {
            Some(mark) => self.ledger.journal.staged(&mark.journal),
            None => "",
        }
    }

    /// Each entry line with its sequence number and hash.
    pub fn entries(&self) -> impl Iterator<Item = StagedLine<'_>> + '_ {
        let first = self.base().seq + 1;
        self.lines().lines().enumerate().map(move |(i, line)| {
            let hash = line.len().checked_sub(HASH_SUFFIX_LEN).map_or("", |at| &line[at + 9..at + 9 + 64]);
            StagedLine { seq: first + i as u64, hash, line }
        })
    }

    /// What each command did (for a batch, in order).
    pub fn applied(&self) -> &[Applied] {
        &self.applied
    }

    /// Commits the stage: a ledger on a store appends the lines to it (on condition, as
    /// [`Ledger::apply`] does; on error the stage is rolled back and the error returned);
    /// a ledger in memory keeps them, the caller having stored them.
    pub fn commit(mut self) -> Result<Vec<Applied>> {
        let Some(mark) = self.mark.take() else { return Ok(std::mem::take(&mut self.applied)) };
        let ledger = &mut *self.ledger;
        let persisted = ledger.journal.persist();
        ledger.finish(&mark, persisted)?;
        Ok(std::mem::take(&mut self.applied))
    }
}

impl Drop for Staged<'_> {
    fn drop(&mut self) {
        if let Some(mark) = self.mark.take() {
            self.ledger.end_operation(&mark, true);
        }
    }
}

impl std::fmt::Debug for Staged<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staged").field("base", &self.base()).field("head", &self.head()).finish()
    }
}
