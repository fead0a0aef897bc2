//! Where a ledger's journal is kept, and how several writers share one.
//!
//! A [`JournalStore`] keeps the journal's lines exactly as the file format writes them
//! (see [`crate::journal`]) and appends only on condition: the lines of a command or
//! batch are written if the store's last entry is still the one the writer extends,
//! otherwise nothing is written and the writer gets `CONFLICT` with the store's head.
//! The writer then catches up ([`crate::Ledger::refresh`]), which verifies what the
//! others appended exactly as opening a journal does (hash chain, and every command
//! re-applied and compared with its stored postings and conversions), and retries.
//!
//! Stores in this crate:
//!
//! * a journal file (`Ledger::create`, `Ledger::open`, `Ledger::open_read_only`): one
//!   writer at a time, by an exclusive lock held for the writer's lifetime; a second
//!   writer gets `JOURNAL_LOCKED` and the file is untouched; readers need no lock and
//!   take in what the writer appends with `refresh`;
//! * [`MemoryStore`]: a journal in memory shared by ledgers of one process (tests,
//!   demonstrations of conflicts and catching up);
//!
//! and PostgreSQL in the `funding-window-postgres` crate (several named ledgers in one
//! database; the primary key on `(ledger, seq)` is what makes appends conditional).
//!
//! Every method here is synchronous. An asynchronous store drives a ledger with the
//! two-phase API instead: [`crate::Ledger::stage`] validates and stages a command in
//! memory, producing its exact journal lines and the head they extend; the caller awaits
//! its conditional append, then commits the stage (or drops it, which rolls it back), and
//! [`crate::Ledger::take_in`] verifies lines that others appended.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{Cursor, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;

use crate::error::{LedgerError, Result};

/// First line of every journal (what a store holds before the first entry).
pub const HEADER: &str = "{\"journal\":\"funding-window\",\"version\":1}\n";

/// Hash of the empty journal's head: 64 zeros.
pub const EMPTY_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The last entry of a journal: its sequence number and hash (0 and 64 zeros when empty).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ChainHead {
    /// Sequence number of the last entry.
    pub seq: u64,
    /// Its hash, 64 lower-case hex digits.
    pub hash: String,
}

impl ChainHead {
    /// The head of an empty journal.
    pub fn empty() -> ChainHead {
        ChainHead { seq: 0, hash: EMPTY_HASH.to_owned() }
    }
}

impl fmt::Display for ChainHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "entry {} ({})", self.seq, self.hash)
    }
}

/// A place in a journal: the chain head there and the byte offset after it in the file
/// format (the header line included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The last entry before this place.
    pub head: ChainHead,
    /// Bytes of the journal up to here, as a file would hold them.
    pub offset: u64,
}

impl Position {
    /// The start of a journal, before its header line.
    pub fn start() -> Position {
        Position { head: ChainHead::empty(), offset: 0 }
    }

    /// Whether this is the start of the journal (reading from here includes the header line).
    pub fn is_start(&self) -> bool {
        self.offset == 0
    }
}

/// Where a journal is kept: read in order, appended to only on condition.
///
/// Implementations store the journal's lines byte for byte as the file format has them,
/// so that a journal moves between stores unchanged. Methods take `&mut self` because a
/// store is used by one ledger at a time (the ledger is behind a lock when shared).
pub trait JournalStore: Send + Sync + fmt::Debug {
    /// What the store is, for messages and errors: a file's path, `postgresql ledger "main"`.
    fn describe(&self) -> String;

    /// The journal file, for a store that is one.
    fn path(&self) -> Option<&Path> {
        None
    }

    /// Whether this handle only reads: its ledger refuses commands with `READ_ONLY`.
    fn read_only(&self) -> bool {
        false
    }

    /// The journal from `at` on: the header line first when `at` is the start, then the
    /// entry lines after entry `at.head.seq`, each ending in a newline. A trailing line
    /// without a newline is a write under way (or a crash's leftover) and is not read in.
    ///
    /// A store that finds its entry `at.head.seq` no longer has the hash `at.head.hash`
    /// reports `JOURNAL_CORRUPT`: what this ledger verified was rewritten.
    fn read_from(&mut self, at: &Position) -> Result<Box<dyn Read + Send>>;

    /// Appends `lines` (entries `at.head.seq + 1 ..= head.seq`, each a complete line) if
    /// the store's last entry is still `at.head`: all of them, or nothing. When another
    /// writer appended first, nothing is written and the error is `CONFLICT` with the
    /// store's current head.
    fn append(&mut self, at: &Position, lines: &str, head: &ChainHead) -> Result<()>;

    /// Whether [`JournalStore::read_back`] reads committed bytes back cheaply (a file);
    /// otherwise the ledger keeps its journal text in memory.
    fn reads_back(&self) -> bool {
        false
    }

    /// Bytes `start..end` of the journal (only called when [`JournalStore::reads_back`]).
    fn read_back(&self, start: u64, end: u64) -> Result<String> {
        let _ = (start, end);
        Err(LedgerError::Internal { message: format!("{} cannot read its journal back", self.describe()) })
    }
}

// ----- in memory ----------------------------------------------------------------------------

/// A journal in memory that several ledgers of one process share: each clone is a handle
/// on the same journal, and appends are conditional on the writer's chain head exactly as
/// in a database. Useful to try out conflicts and catching up without a server.
///
/// ```
/// use funding_window::{Ledger, LedgerError, MemoryStore, Request};
///
/// let store = MemoryStore::new();
/// let mut a = Ledger::open_store(store.clone())?;
/// let mut b = Ledger::open_store(store.clone())?;
/// let donor = |id: &str| {
///     Request::from_json(&format!(r#"{{"type": "register_donor", "id": "{id}", "name": "{id}", "kind": "other"}}"#))
/// };
/// a.apply(donor("SE")?)?;
/// // `b` has not seen a's entry: its append is refused, and nothing is written.
/// let Err(LedgerError::Conflict { seq, .. }) = b.apply(donor("NO")?) else { panic!("expected CONFLICT") };
/// assert_eq!(seq, 1);
/// assert_eq!(b.refresh()?, 1); // verifies and takes in a's entry
/// b.apply(donor("NO")?)?;
/// assert_eq!(store.head().seq, 2);
/// # Ok::<(), LedgerError>(())
/// ```
#[derive(Clone, Default)]
pub struct MemoryStore {
    shared: Arc<Mutex<MemoryJournal>>,
}

#[derive(Default)]
struct MemoryJournal {
    /// Entry lines (the header is not kept: every journal has the same one).
    lines: String,
    head: Option<ChainHead>,
}

impl MemoryStore {
    /// An empty journal.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// The store's chain head.
    pub fn head(&self) -> ChainHead {
        self.journal().head.clone().unwrap_or_else(ChainHead::empty)
    }

    /// The whole journal as the file format has it.
    pub fn to_journal(&self) -> String {
        format!("{HEADER}{}", self.journal().lines)
    }

    fn journal(&self) -> std::sync::MutexGuard<'_, MemoryJournal> {
        // A panic while holding the lock cannot leave the journal half-appended (the
        // append is one push), so the data is still good.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore").field("head", &self.head()).finish()
    }
}

impl JournalStore for MemoryStore {
    fn describe(&self) -> String {
        "memory store".to_owned()
    }

    fn read_from(&mut self, at: &Position) -> Result<Box<dyn Read + Send>> {
        let journal = self.journal();
        let start = usize::try_from(at.offset.saturating_sub(HEADER.len() as u64)).unwrap_or(usize::MAX);
        let Some(rest) = journal.lines.get(start..) else {
            return Err(LedgerError::Internal { message: format!("memory store has no offset {}", at.offset) });
        };
        let text = if at.is_start() { format!("{HEADER}{rest}") } else { rest.to_owned() };
        Ok(Box::new(Cursor::new(text.into_bytes())))
    }

    fn append(&mut self, at: &Position, lines: &str, head: &ChainHead) -> Result<()> {
        let mut journal = self.journal();
        let current = journal.head.clone().unwrap_or_else(ChainHead::empty);
        if current != at.head {
            return Err(LedgerError::Conflict { store: self.describe(), seq: current.seq, hash: current.hash });
        }
        journal.lines.push_str(lines);
        journal.head = Some(head.clone());
        Ok(())
    }
}

// ----- journal files ------------------------------------------------------------------------

/// A journal file: a writer holds an exclusive lock on it for its lifetime; a reader
/// takes none and reads what the writer has completed.
#[derive(Debug)]
pub(crate) struct FileStore {
    path: PathBuf,
    file: File,
    read_only: bool,
}

impl FileStore {
    /// Creates a new journal file (never replacing anything at `path`), locked, with its header.
    pub fn create(path: &Path) -> Result<FileStore> {
        let io = |e: std::io::Error| LedgerError::io(path, &e);
        let mut file = OpenOptions::new().read(true).append(true).create_new(true).open(path).map_err(io)?;
        lock(&file, path)?;
        file.write_all(HEADER.as_bytes()).and_then(|()| file.sync_all()).map_err(io)?;
        sync_parent(path);
        Ok(FileStore { path: path.to_owned(), file, read_only: false })
    }

    /// Opens a journal file to append to it, taking its lock (`JOURNAL_LOCKED` if another
    /// writer holds it).
    pub fn open(path: &Path) -> Result<FileStore> {
        let file = open_regular(path, true)?;
        lock(&file, path)?;
        Ok(FileStore { path: path.to_owned(), file, read_only: false })
    }

    /// Opens a journal file to read it only (no lock: a writer may hold it meanwhile).
    pub fn open_read_only(path: &Path) -> Result<FileStore> {
        let file = open_regular(path, false)?;
        Ok(FileStore { path: path.to_owned(), file, read_only: true })
    }

    /// A second handle on the open (and locked) file, to cut a torn tail off after replay.
    pub fn cutter(&self) -> Result<FileCutter> {
        let file = self.file.try_clone().map_err(|e| self.io(&e))?;
        Ok(FileCutter { path: self.path.clone(), file })
    }

    fn io(&self, e: &std::io::Error) -> LedgerError {
        LedgerError::io(&self.path, e)
    }

    /// Checks that the path still names the file this handle has open and that the file
    /// holds at least `offset` bytes: a journal replaced or cut under a reader is an
    /// error, not a silent stop.
    fn check_same_file(&self, offset: u64) -> Result<()> {
        let ours = self.file.metadata().map_err(|e| self.io(&e))?;
        if ours.len() < offset {
            return Err(LedgerError::journal_corrupt(
                0,
                format!(
                    "{} is {} bytes, shorter than the {offset} bytes already read: it was cut or replaced",
                    self.path.display(),
                    ours.len()
                ),
            ));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if let Ok(now) = std::fs::metadata(&self.path) {
                if (now.dev(), now.ino()) != (ours.dev(), ours.ino()) {
                    return Err(LedgerError::Io {
                        path: self.path.display().to_string(),
                        message: "the journal file was replaced since it was opened; open it again".into(),
                    });
                }
            }
        }
        Ok(())
    }
}

/// Cuts a journal file held by its writer (see [`FileStore::cutter`]).
pub(crate) struct FileCutter {
    path: PathBuf,
    file: File,
}

impl FileCutter {
    /// Cuts the file to `len` bytes (dropping a torn tail), synced.
    pub fn truncate(&self, len: u64) -> Result<()> {
        self.file.set_len(len).and_then(|()| self.file.sync_all()).map_err(|e| LedgerError::io(&self.path, &e))
    }
}

impl JournalStore for FileStore {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn path(&self) -> Option<&Path> {
        Some(&self.path)
    }

    fn read_only(&self) -> bool {
        self.read_only
    }

    fn read_from(&mut self, at: &Position) -> Result<Box<dyn Read + Send>> {
        if !at.is_start() {
            self.check_same_file(at.offset)?;
        }
        // A second handle on the same open file: it reads from its own position (shared
        // with `file`, which is only read with positioned reads and appended to).
        let mut reader = self.file.try_clone().map_err(|e| self.io(&e))?;
        reader.seek(SeekFrom::Start(at.offset)).map_err(|e| self.io(&e))?;
        Ok(Box::new(reader))
    }

    fn append(&mut self, at: &Position, lines: &str, _head: &ChainHead) -> Result<()> {
        if self.read_only {
            return Err(LedgerError::ReadOnly { store: self.describe() });
        }
        // The lock keeps other writers of this library out; a file that grew anyway was
        // written by something that ignores the lock, and appending would interleave.
        let len = self.file.metadata().map_err(|e| self.io(&e))?.len();
        if len != at.offset {
            return Err(LedgerError::Io {
                path: self.describe(),
                message: format!(
                    "the journal is {len} bytes where its writer wrote {}: something else wrote to it",
                    at.offset
                ),
            });
        }
        let written = (&self.file).write_all(lines.as_bytes()).and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            // Leave the file as it was; the ledger rolls the lines back.
            let _ = self.file.set_len(at.offset);
            return Err(self.io(&e));
        }
        Ok(())
    }

    fn reads_back(&self) -> bool {
        true
    }

    fn read_back(&self, start: u64, end: u64) -> Result<String> {
        let mut bytes = vec![0; usize::try_from(end.saturating_sub(start)).unwrap_or(0)];
        read_exact_at(&self.file, &self.path, &mut bytes, start).map_err(|e| self.io(&e))?;
        String::from_utf8(bytes).map_err(|_| LedgerError::journal_corrupt(0, "not UTF-8"))
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, _path: &Path, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_exact_at(_file: &File, path: &Path, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

/// Takes the exclusive lock on a journal file, without waiting.
fn lock(file: &File, path: &Path) -> Result<()> {
    match file.try_lock() {
        Ok(()) => Ok(()),
        Err(std::fs::TryLockError::WouldBlock) => Err(LedgerError::JournalLocked { path: path.display().to_string() }),
        Err(std::fs::TryLockError::Error(e)) => Err(LedgerError::io(path, &e)),
    }
}

/// Opens an existing file that must be a regular file: a directory, FIFO, socket or
/// device is refused at once. A FIFO is opened without waiting for a writer, so that
/// it can be refused rather than hang.
fn open_regular(path: &Path, write: bool) -> Result<File> {
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() {
            return Err(not_regular(path, &meta));
        }
    }
    let mut options = OpenOptions::new();
    options.read(true).append(write);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| LedgerError::io(path, &e))?;
    // Checked again on the open file: the path may have changed since.
    let meta = file.metadata().map_err(|e| LedgerError::io(path, &e))?;
    if !meta.is_file() {
        return Err(not_regular(path, &meta));
    }
    Ok(file)
}

/// The error for a path that is not a regular file.
pub(crate) fn not_regular(path: &Path, meta: &std::fs::Metadata) -> LedgerError {
    let kind = file_kind(meta);
    LedgerError::Io { path: path.display().to_string(), message: format!("not a regular file (a {kind})") }
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_dir() {
        return "directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "FIFO";
        }
        if kind.is_socket() {
            return "socket";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "device";
        }
    }
    "special file"
}

/// Writes `text` to `path` atomically, for `Ledger::save`: refuses a path held by a writer
/// (`JOURNAL_LOCKED`) or that is not a regular file, writes a temporary file created
/// exclusively in the same folder (never through a symlink), syncs it and renames it over
/// `path`. The target's lock is held until the rename, so no writer opens it meanwhile.
pub(crate) fn save_atomically(path: &Path, text: &str) -> Result<()> {
    let io = |e: std::io::Error| LedgerError::io(path, &e);
    let _held = match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => return Err(not_regular(path, &meta)),
        Ok(_) => {
            let target = open_regular(path, false)?;
            lock(&target, path)?;
            Some(target)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    let (tmp, mut file) = create_temporary(path).map_err(io)?;
    let written = file.write_all(text.as_bytes()).and_then(|()| file.sync_all()).and_then(|()| {
        drop(file);
        std::fs::rename(&tmp, path)
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    sync_parent(path);
    Ok(())
}

/// Attempts at a fresh temporary name before giving up.
const TEMPORARY_ATTEMPTS_MAX: u32 = 64;

/// A new file beside `path` (same folder, so the rename is atomic), created exclusively:
/// an existing file or symlink of that name is never opened.
fn create_temporary(path: &Path) -> std::io::Result<(PathBuf, File)> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "journal".into());
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let mut last = std::io::Error::other("no temporary name was tried");
    for _ in 0..TEMPORARY_ATTEMPTS_MAX {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}-{nanos:08x}-{n}.tmp", std::process::id()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW).mode(0o644);
        }
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// Makes a directory entry durable (best effort; not every platform allows it).
pub(crate) fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}
