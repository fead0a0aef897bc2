//! The append-only journal and its JSON Lines format.
//!
//! The first line is a header, `{"journal":"funding-window","version":1}`. Every
//! other line is one entry:
//!
//! ```text
//! {"seq":7,"date":"2024-04-02","recorded_at":"2024-04-02T09:00:00Z","recorded_by":"...",
//!  "command":{"type":"record_receipt",...},
//!  "postings":[{"account":"assets:cash:SEK","currency":"SEK","amount":"5000000.00"},...],
//!  "conversions":[...],"hash":"<64 hex digits>"}
//! ```
//!
//! (one line in the file). `hash` is SHA-256 of the previous entry's hash (32
//! bytes; 32 zero bytes before the first entry) followed by the line's bytes
//! without the `,"hash":"..."` member. Entries of a batch carry
//! `"batch":[i,n]`, so an interrupted batch is recognised and dropped whole.
//!
//! An entry is complete when its line ends in a newline; a last line without one
//! is a torn tail (a crash mid-write), reported by `open` and dropped only by an
//! explicit recovery.

use std::borrow::Cow;
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::calendar::iso_date_opt;
use crate::command::Command;
use crate::contract::describe::{contract, Hash, Timestamp};
use crate::error::{LedgerError, Result};
use crate::money::Currency;
use crate::plan::Conversion;
use crate::store::{ChainHead, JournalStore, Position};

pub use crate::store::HEADER;

/// Length of the `,"hash":"<64 hex>"}` suffix of an entry line (without newline).
pub(crate) const HASH_SUFFIX_LEN: usize = 9 + 64 + 2;

contract! {
    /// One leg of an entry as it appears in the journal and in results.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct PostingLine {
        /// Account name (`funds:window:unallocated`).
        pub account: String,
        /// Currency of the amount.
        pub currency: Currency,
        /// Debit-positive amount at the currency's minor unit.
        #[serde(with = "crate::money::decimal_str")]
        pub amount: Decimal,
    }
}

contract! {
    /// A journal entry as stored.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct JournalEntry {
        /// Sequence number, from 1.
        pub seq: u64,
        /// Value date (absent for registrations and settings).
        #[serde(default, with = "iso_date_opt", skip_serializing_if = "Option::is_none")]
        pub date: Option<NaiveDate>,
        /// When it was recorded (RFC 3339, UTC).
        pub recorded_at: Timestamp,
        /// Who recorded it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub recorded_by: Option<String>,
        /// Idempotency key it was submitted with.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub idempotency_key: Option<String>,
        /// Position in its batch and the batch's size, for batches of two or more.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub batch: Option<[u32; 2]>,
        /// The command.
        pub command: Command,
        /// Its postings (balanced in every currency).
        pub postings: Vec<PostingLine>,
        /// Conversions to USD made by the entry, with rate and month.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub conversions: Vec<Conversion>,
        /// SHA-256 chaining the entry to the previous one.
        pub hash: Hash,
    }
}

contract! {
    /// One posting of the journal with its entry's particulars: the journal as a table.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
    pub struct PostingRow {
        /// Sequence number of the entry.
        pub seq: u64,
        /// Its value date.
        #[serde(with = "iso_date_opt")]
        pub date: Option<NaiveDate>,
        /// When it was recorded (RFC 3339, UTC).
        pub recorded_at: Timestamp,
        /// Who recorded it.
        pub recorded_by: Option<String>,
        /// The command type (`record_receipt`).
        pub command: String,
        /// Account name.
        pub account: String,
        /// Currency.
        pub currency: Currency,
        /// Debit-positive amount.
        #[serde(with = "crate::money::decimal_str")]
        pub amount: Decimal,
        /// The entry a reversal undoes (`null` for any other command).
        pub reverses: Option<u64>,
        /// The entry's idempotency key, if it was given one.
        pub idempotency_key: Option<String>,
        /// The entry's hash (the chain head right after it).
        pub hash: Hash,
    }
}

/// What [`Journal::posting_rows`] reads of an entry line; everything else is skipped.
#[derive(Deserialize)]
struct RowsIn<'a> {
    seq: u64,
    #[serde(default, borrow)]
    date: Option<&'a str>,
    #[serde(borrow)]
    recorded_at: &'a str,
    #[serde(default)]
    recorded_by: Option<String>,
    #[serde(default)]
    idempotency_key: Option<String>,
    #[serde(borrow)]
    command: CommandType<'a>,
    postings: Vec<PostingLine>,
    #[serde(borrow)]
    hash: &'a str,
}

#[derive(Deserialize)]
struct CommandType<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    /// A reversal's entry (no other command has a field of this name).
    #[serde(default)]
    entry: Option<u64>,
}

/// What an entry line is made from (written as `serde_json` would write it; see
/// [`EntryOut::write_body`]).
#[cfg_attr(test, derive(Serialize))]
pub(crate) struct EntryOut<'a> {
    pub seq: u64,
    #[cfg_attr(test, serde(with = "iso_date_opt", skip_serializing_if = "Option::is_none"))]
    pub date: Option<NaiveDate>,
    pub recorded_at: &'a str,
    #[cfg_attr(test, serde(skip_serializing_if = "Option::is_none"))]
    pub recorded_by: Option<&'a str>,
    #[cfg_attr(test, serde(skip_serializing_if = "Option::is_none"))]
    pub idempotency_key: Option<&'a str>,
    #[cfg_attr(test, serde(skip_serializing_if = "Option::is_none"))]
    pub batch: Option<[u32; 2]>,
    pub command: &'a Command,
    pub postings: &'a [PostingLine],
    #[cfg_attr(test, serde(skip_serializing_if = "<[Conversion]>::is_empty"))]
    pub conversions: &'a [Conversion],
}

/// The head of a stored line (up to its command) that replay parses. The line's
/// bytes are checked by its hash; its postings are compared with what the
/// replayed command posts.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LineIn<'a> {
    pub seq: u64,
    #[serde(default, borrow)]
    pub date: Option<&'a str>,
    #[serde(borrow)]
    pub recorded_at: &'a str,
    #[serde(default)]
    pub recorded_by: Option<String>,
    #[serde(default)]
    pub idempotency_key: Option<String>,
    #[serde(default)]
    pub batch: Option<[u32; 2]>,
    pub command: Command,
}

/// Where the journal stood, to roll back to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JournalMark {
    committed: u64,
    committed_entries: usize,
    committed_head: [u8; 32],
    end: u64,
    entries: usize,
    head: [u8; 32],
}

/// Where committed entries live.
#[derive(Debug)]
enum Storage {
    /// All of the text in memory (ledgers built in memory or from text); lines of the
    /// operation under way are appended in place and cut off on rollback.
    Memory(String),
    /// In a store (a file, a database), appended to per command or batch. `text` keeps the
    /// committed journal in memory when the store cannot read it back cheaply.
    Store { store: Box<dyn JournalStore>, text: Option<String> },
}

/// The journal: committed lines in memory or in a store, lines of the command or batch
/// under way, and the end offset of every entry.
#[derive(Debug)]
pub(crate) struct Journal {
    storage: Storage,
    /// Bytes committed, header included.
    committed: u64,
    /// Entries committed, and the hash of the last of them (what pending lines extend).
    committed_entries: usize,
    committed_head: [u8; 32],
    /// In a store: lines of the operation under way, not yet written.
    pending: String,
    /// End offset (after the newline) of each entry line.
    ends: Vec<u64>,
    head: [u8; 32],
}

impl Journal {
    /// An empty journal in memory.
    pub fn memory() -> Journal {
        Journal {
            storage: Storage::Memory(HEADER.to_owned()),
            committed: HEADER.len() as u64,
            committed_entries: 0,
            committed_head: [0; 32],
            pending: String::new(),
            ends: Vec::new(),
            head: [0; 32],
        }
    }

    /// An empty journal kept in `store`, before its lines are read in.
    pub fn on_store(store: Box<dyn JournalStore>) -> Journal {
        let text = (!store.reads_back()).then(|| HEADER.to_owned());
        Journal { storage: Storage::Store { store, text }, ..Journal::memory() }
    }

    /// Whether lines read in must come with their text (kept in memory).
    pub fn keeps_text(&self) -> bool {
        match &self.storage {
            Storage::Memory(_) => true,
            Storage::Store { text, .. } => text.is_some(),
        }
    }

    /// The store, for a journal kept in one.
    pub fn store_mut(&mut self) -> Option<&mut dyn JournalStore> {
        match &mut self.storage {
            Storage::Store { store, .. } => Some(store.as_mut()),
            Storage::Memory(_) => None,
        }
    }

    /// Whether the journal's store only reads.
    pub fn read_only(&self) -> bool {
        matches!(&self.storage, Storage::Store { store, .. } if store.read_only())
    }

    /// What keeps the journal, for messages.
    pub fn describe(&self) -> String {
        match &self.storage {
            Storage::Store { store, .. } => store.describe(),
            Storage::Memory(_) => "<memory>".to_owned(),
        }
    }

    /// Where the committed journal ends: its head and length.
    pub fn position(&self) -> Position {
        Position {
            head: ChainHead { seq: self.committed_entries as u64, hash: to_hex(&self.committed_head) },
            offset: self.committed,
        }
    }

    /// The head after every line, committed or not.
    pub fn head(&self) -> ChainHead {
        ChainHead { seq: self.ends.len() as u64, hash: to_hex(&self.head) }
    }

    /// Records a line of `bytes` bytes (newline included, hash verified) read by replay.
    /// Its `text` is kept when the journal keeps text; in a store that reads back it is
    /// already there.
    pub fn push_stored(&mut self, bytes: u64, text: Option<&str>, hash: [u8; 32]) {
        if let (Some(kept), Some(line)) = (self.kept_text(), text) {
            kept.push_str(line);
        }
        self.committed += bytes;
        self.ends.push(self.committed);
        self.committed_entries = self.ends.len();
        self.head = hash;
        self.committed_head = hash;
    }

    /// The journal's text when it is kept in memory.
    fn kept_text(&mut self) -> Option<&mut String> {
        match &mut self.storage {
            Storage::Memory(text) => Some(text),
            Storage::Store { text, .. } => text.as_mut(),
        }
    }

    /// Makes room for `bytes` more bytes of kept text and `entries` more entries in the index
    /// (lines about to be read in): `OUT_OF_MEMORY` before anything is read if they do not fit.
    pub fn reserve_text(&mut self, bytes: usize, entries: usize) -> Result<()> {
        if let Some(text) = self.kept_text() {
            reserve_line(text, bytes)?;
        }
        self.reserve_entries(entries)
    }

    /// Makes room in the index for `entries` more entries (a batch about to be applied).
    pub fn reserve_entries(&mut self, entries: usize) -> Result<()> {
        self.ends.try_reserve(entries).map_err(|_| out_of_memory("the journal's index", entries.saturating_mul(8)))
    }

    /// Makes room for the lines of `entries` more entries at the journal's average line length
    /// (a batch about to be applied): the text then moves once, not at every growth step, and a
    /// batch far too large for the memory left is `OUT_OF_MEMORY` before anything is applied.
    pub fn reserve_lines(&mut self, entries: usize) -> Result<()> {
        const LINE_BYTES_GUESS: usize = 512;
        let (committed, lines) = (self.committed as usize - HEADER.len(), self.ends.len());
        let average = committed.checked_div(lines).map_or(LINE_BYTES_GUESS, |a| a + 1);
        let tail = match &mut self.storage {
            Storage::Memory(text) => text,
            Storage::Store { .. } => &mut self.pending,
        };
        reserve_line(tail, entries.saturating_mul(average))
    }

    pub fn path(&self) -> Option<&Path> {
        match &self.storage {
            Storage::Store { store, .. } => store.path(),
            Storage::Memory(_) => None,
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn head_hex(&self) -> String {
        to_hex(&self.head)
    }

    /// The hash of the last line, committed or not.
    pub fn head_bytes(&self) -> [u8; 32] {
        self.head
    }

    /// Offset after the last line, committed or not.
    fn end(&self) -> u64 {
        match &self.storage {
            Storage::Memory(text) => text.len() as u64,
            Storage::Store { .. } => self.committed + self.pending.len() as u64,
        }
    }

    pub fn mark(&self) -> JournalMark {
        JournalMark {
            committed: self.committed,
            committed_entries: self.committed_entries,
            committed_head: self.committed_head,
            end: self.end(),
            entries: self.ends.len(),
            head: self.head,
        }
    }

    /// Forgets what was appended after `mark` (lines under way, or stored lines during replay).
    pub fn rollback(&mut self, mark: JournalMark) {
        self.ends.truncate(mark.entries);
        self.head = mark.head;
        self.committed = mark.committed;
        self.committed_entries = mark.committed_entries;
        self.committed_head = mark.committed_head;
        match &mut self.storage {
            Storage::Memory(text) => text.truncate(mark.end as usize),
            Storage::Store { text, .. } => {
                if let Some(text) = text {
                    text.truncate(mark.committed as usize);
                }
                self.pending.truncate((mark.end - mark.committed) as usize);
            }
        }
    }

    /// The lines of the operation under way (since `mark`), not yet committed.
    pub fn staged(&self, mark: &JournalMark) -> &str {
        match &self.storage {
            Storage::Memory(text) => text.get(mark.end as usize..).unwrap_or_default(),
            Storage::Store { .. } => self.pending.get((mark.end - mark.committed) as usize..).unwrap_or_default(),
        }
    }

    /// Commits the lines under way: in memory they are kept; in a store they are appended
    /// on condition that the store's head is still the committed head (written and synced,
    /// for a file). On error nothing is committed; the caller rolls the lines back.
    pub fn persist(&mut self) -> Result<()> {
        match &mut self.storage {
            Storage::Memory(text) => self.committed = text.len() as u64,
            Storage::Store { store, text } => {
                if self.pending.is_empty() {
                    return Ok(());
                }
                let at = Position {
                    head: ChainHead { seq: self.committed_entries as u64, hash: to_hex(&self.committed_head) },
                    offset: self.committed,
                };
                let head = ChainHead { seq: self.ends.len() as u64, hash: to_hex(&self.head) };
                store.append(&at, &self.pending, &head)?;
                if let Some(text) = text {
                    text.push_str(&self.pending);
                }
                self.committed += self.pending.len() as u64;
                self.pending.clear();
            }
        }
        self.committed_entries = self.ends.len();
        self.committed_head = self.head;
        Ok(())
    }

    /// The line of entry `seq` (1-based), without its newline.
    pub fn line(&self, seq: u64) -> Result<Cow<'_, str>> {
        let i = usize::try_from(seq).ok().and_then(|s| s.checked_sub(1)).filter(|&i| i < self.ends.len());
        let i = i.ok_or(LedgerError::UnknownEntry { entry: seq })?;
        let start = if i == 0 { HEADER.len() as u64 } else { self.ends[i - 1] };
        let end = self.ends[i] - 1;
        let missing =
            || LedgerError::Internal { message: format!("journal line {} is not where its index says", seq + 1) };
        match &self.storage {
            Storage::Memory(text) => text.get(start as usize..end as usize).map(Cow::Borrowed).ok_or_else(missing),
            Storage::Store { .. } if start >= self.committed => {
                let range = (start - self.committed) as usize..(end - self.committed) as usize;
                self.pending.get(range).map(Cow::Borrowed).ok_or_else(missing)
            }
            Storage::Store { text: Some(text), .. } => {
                text.get(start as usize..end as usize).map(Cow::Borrowed).ok_or_else(missing)
            }
            Storage::Store { store, text: None } => store.read_back(start, end).map(Cow::Owned),
        }
    }

    /// The whole journal text.
    pub fn text(&self) -> Result<Cow<'_, str>> {
        match &self.storage {
            Storage::Memory(text) => Ok(Cow::Borrowed(text)),
            Storage::Store { text: Some(text), .. } if self.pending.is_empty() => Ok(Cow::Borrowed(text)),
            Storage::Store { store, text } => {
                let mut all = match text {
                    Some(text) => text.clone(),
                    None => store.read_back(0, self.committed)?,
                };
                all.push_str(&self.pending);
                Ok(Cow::Owned(all))
            }
        }
    }

    /// Appends an entry's line: writes it, chains its hash and returns the hash in hex.
    pub fn append(&mut self, entry: &EntryOut<'_>) -> Result<String> {
        let command = serde_json::to_string(entry.command)
            .map_err(|e| LedgerError::Internal { message: format!("cannot serialize entry {}: {e}", entry.seq) })?;
        let conversions =
            if entry.conversions.is_empty() {
                None
            } else {
                Some(serde_json::to_string(entry.conversions).map_err(|e| LedgerError::Internal {
                    message: format!("cannot serialize entry {}: {e}", entry.seq),
                })?)
            };
        let head = self.head;
        let tail = match &mut self.storage {
            Storage::Memory(text) => text,
            Storage::Store { .. } => &mut self.pending,
        };
        reserve_line(tail, entry.line_bytes_max(&command, conversions.as_deref()))?;
        let start = tail.len();
        entry.write_body(tail, &command, conversions.as_deref());
        let hash = chain(&head, &tail.as_bytes()[start..]);
        let hex = to_hex(&hash);
        tail.pop(); // the closing brace: the hash member goes before it
        tail.push_str(",\"hash\":\"");
        tail.push_str(&hex);
        tail.push_str("\"}\n");
        self.head = hash;
        self.ends.push(self.end());
        Ok(hex)
    }

    /// Parses a stored entry.
    pub fn entry(&self, seq: u64) -> Result<JournalEntry> {
        let line = self.line(seq)?;
        parse_entry(&line, seq + 1)
    }

    /// Every posting as a row with its entry's particulars, in order.
    pub fn posting_rows(&self) -> Result<Vec<PostingRow>> {
        let text = self.text()?;
        let mut rows = Vec::with_capacity(self.ends.len() * 3);
        for (i, line) in text.lines().skip(1).enumerate() {
            let line_no = i as u64 + 2;
            let corrupt = |reason: String| LedgerError::journal_corrupt(line_no, reason);
            let entry: RowsIn<'_> = serde_json::from_str(line).map_err(|e| corrupt(format!("malformed entry: {e}")))?;
            let date = match entry.date {
                Some(d) => Some(crate::calendar::parse_date(d).ok_or_else(|| corrupt(format!("bad date {d:?}")))?),
                None => None,
            };
            for p in entry.postings {
                rows.push(PostingRow {
                    seq: entry.seq,
                    date,
                    recorded_at: entry.recorded_at.to_owned(),
                    recorded_by: entry.recorded_by.clone(),
                    command: entry.command.kind.to_owned(),
                    account: p.account,
                    currency: p.currency,
                    amount: p.amount,
                    reverses: if entry.command.kind == "reverse" { entry.command.entry } else { None },
                    idempotency_key: entry.idempotency_key.clone(),
                    hash: entry.hash.to_owned(),
                });
            }
        }
        Ok(rows)
    }

    /// Parses every entry, in order.
    pub fn entries(&self) -> Result<Vec<JournalEntry>> {
        let text = self.text()?;
        text.lines().skip(1).enumerate().map(|(i, line)| parse_entry(line, i as u64 + 2)).collect()
    }
}

/// Text of the journal from which it grows by a quarter of its size at a time rather than
/// doubling (bytes).
const GENTLE_GROWTH_FROM_BYTES: usize = 64 << 20;

/// Makes room in the journal's text for a line of at most `needed` bytes. Below
/// [`GENTLE_GROWTH_FROM_BYTES`] the text doubles, as a `String` does; above, it grows by a
/// quarter: a journal of a gigabyte then holds at most a quarter of slack (not as much again)
/// and needs 2.25 times its size while it moves, not 3 times, which matters within the 4 GiB of
/// WebAssembly. Memory that runs out is `OUT_OF_MEMORY` (nothing written yet), not an abort.
fn reserve_line(text: &mut String, needed: usize) -> Result<()> {
    if text.capacity() - text.len() >= needed {
        return Ok(());
    }
    let step = if text.capacity() < GENTLE_GROWTH_FROM_BYTES { text.capacity() } else { text.capacity() / 4 };
    let grow = needed.max(step);
    text.try_reserve_exact(grow).map_err(|_| out_of_memory("the journal's text", grow))
}

fn out_of_memory(what: &str, bytes: usize) -> LedgerError {
    LedgerError::OutOfMemory { what: what.into(), bytes: bytes as u64 }
}

impl EntryOut<'_> {
    /// At least the bytes of the entry's line: its variable parts as written (a string escaped
    /// at worst six bytes a byte) and an allowance for the rest (keys, numbers, a posting's
    /// currency and amount, the hash).
    fn line_bytes_max(&self, command: &str, conversions: Option<&str>) -> usize {
        const FIXED: usize = 320;
        const PER_POSTING: usize = 96;
        let escaped = |text: &str| 6 * text.len();
        FIXED
            + command.len()
            + conversions.map_or(0, str::len)
            + escaped(self.recorded_at)
            + self.recorded_by.map_or(0, escaped)
            + self.idempotency_key.map_or(0, escaped)
            + self.postings.iter().map(|p| PER_POSTING + escaped(&p.account)).sum::<usize>()
    }

    /// Writes the entry without its hash, exactly as `serde_json` writes this struct.
    fn write_body(&self, out: &mut String, command: &str, conversions: Option<&str>) {
        out.push_str("{\"seq\":");
        out.push_str(crate::text::unsigned(self.seq, &mut [0; 20]));
        if let Some(date) = self.date {
            out.push_str(",\"date\":\"");
            out.push_str(crate::text::date(date, &mut [0; 10]));
            out.push('"');
        }
        out.push_str(",\"recorded_at\":");
        push_json_str(out, self.recorded_at);
        if let Some(user) = self.recorded_by {
            out.push_str(",\"recorded_by\":");
            push_json_str(out, user);
        }
        if let Some(key) = self.idempotency_key {
            out.push_str(",\"idempotency_key\":");
            push_json_str(out, key);
        }
        if let Some([i, n]) = self.batch {
            out.push_str(",\"batch\":[");
            out.push_str(crate::text::unsigned(u64::from(i), &mut [0; 20]));
            out.push(',');
            out.push_str(crate::text::unsigned(u64::from(n), &mut [0; 20]));
            out.push(']');
        }
        out.push_str(",\"command\":");
        out.push_str(command);
        out.push_str(",\"postings\":[");
        for (i, p) in self.postings.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"account\":");
            push_json_str(out, &p.account);
            out.push_str(",\"currency\":\"");
            out.push_str(p.currency.code());
            out.push_str("\",\"amount\":\"");
            crate::text::push_decimal(out, &p.amount);
            out.push_str("\"}");
        }
        out.push(']');
        if let Some(conversions) = conversions {
            out.push_str(",\"conversions\":");
            out.push_str(conversions);
        }
        out.push('}');
    }
}

/// Appends `s` as a JSON string, escaped exactly as `serde_json` escapes it.
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    out.push('"');
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            0x00..=0x1f => None,
            _ => continue,
        };
        out.push_str(&s[from..i]);
        match escape {
            Some(e) => out.push_str(e),
            None => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[(b >> 4) as usize]));
                out.push(char::from(HEX[(b & 15) as usize]));
            }
        }
        from = i + 1;
    }
    out.push_str(&s[from..]);
    out.push('"');
}

fn parse_entry(line: &str, line_no: u64) -> Result<JournalEntry> {
    serde_json::from_str(line).map_err(|e| LedgerError::journal_corrupt(line_no, format!("malformed entry: {e}")))
}

/// Checks a stored line (without its newline) against the previous hash; returns its hash.
pub(crate) fn verify_line(line: &[u8], prev: &[u8; 32]) -> std::result::Result<[u8; 32], String> {
    if line.len() < HASH_SUFFIX_LEN + 2 || !line.ends_with(b"\"}") {
        return Err("malformed entry line".into());
    }
    let split = line.len() - HASH_SUFFIX_LEN;
    let (content, suffix) = line.split_at(split);
    if !suffix.starts_with(b",\"hash\":\"") {
        return Err("the hash is not the last member of the entry".into());
    }
    let claimed = &suffix[9..9 + 64];
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(content);
    hasher.update(b"}");
    let actual: [u8; 32] = hasher.finalize().into();
    // Comparing hex text (a table lookup per byte) is cheaper than decoding the claim.
    if crate::text::hex32(&actual) == claimed {
        Ok(actual)
    } else if from_hex(claimed).is_none() {
        Err("the hash is not 64 hex digits".into())
    } else {
        Err("hash does not match the entry and the previous hash (altered line or broken chain)".into())
    }
}

fn from_hex(text: &[u8]) -> Option<[u8; 32]> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in text.chunks_exact(2).enumerate() {
        *out.get_mut(i)? = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    (text.len() == 64).then_some(out)
}

/// SHA-256 of the previous hash followed by the entry without its hash member.
fn chain(prev: &[u8; 32], body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(body);
    hasher.finalize().into()
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    crate::text::hex(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Period;
    use crate::command::ClosePeriod;

    #[test]
    fn the_hand_written_line_is_what_serde_writes() {
        use crate::command::{Request, SetStatus};
        let command = Command::SetStatus(SetStatus {
            resolution: "2/4".into(),
            status: "a \"quoted\" \\ \n\t\u{1} é ✓".into(),
        });
        let postings = [
            PostingLine {
                account: "funds:window:earmarked:2-4".into(),
                currency: crate::money::Currency::USD,
                amount: "-956827.92".parse().unwrap(),
            },
            PostingLine {
                account: "assets:cash:JPY".into(),
                currency: crate::money::Currency::from_code("JPY").unwrap(),
                amount: "15".parse().unwrap(),
            },
        ];
        let conversions = [Conversion {
            amount: "10.00".into(),
            currency: crate::money::Currency::from_code("SEK").unwrap(),
            rate: "10.4512".into(),
            month: "2024-03".parse().unwrap(),
            usd: "0.96".into(),
        }];
        for (date, by, key, batch, conv) in [
            (None, None, None, None, &conversions[..0]),
            (
                chrono::NaiveDate::from_ymd_opt(2024, 3, 12),
                Some("ana \"x\""),
                Some("k\u{7f}"),
                Some([2, 3]),
                &conversions[..],
            ),
        ] {
            let out = EntryOut {
                seq: 12345,
                date,
                recorded_at: "2024-03-12T09:00:00Z",
                recorded_by: by,
                idempotency_key: key,
                batch,
                command: &command,
                postings: &postings,
                conversions: conv,
            };
            let mut ours = String::new();
            let conv_text = (!conv.is_empty()).then(|| serde_json::to_string(conv).unwrap());
            out.write_body(&mut ours, &serde_json::to_string(&command).unwrap(), conv_text.as_deref());
            assert_eq!(ours, serde_json::to_string(&out).unwrap());
        }
        let _ = Request::new(command);
    }

    #[test]
    fn lines_chain_and_tampering_is_detected() {
        let mut journal = Journal::memory();
        let command = Command::ClosePeriod(ClosePeriod { period: "2024-H1".parse::<Period>().unwrap() });
        let out = EntryOut {
            seq: 1,
            date: None,
            recorded_at: "2024-07-01T00:00:00Z",
            recorded_by: None,
            idempotency_key: None,
            batch: None,
            command: &command,
            postings: &[],
            conversions: &[],
        };
        let hash = journal.append(&out).unwrap();
        journal.persist().unwrap();
        let line = journal.line(1).unwrap().into_owned();
        assert!(line.ends_with(&format!(",\"hash\":\"{hash}\"}}")));
        assert_eq!(to_hex(&verify_line(line.as_bytes(), &[0; 32]).unwrap()), hash);
        let tampered = line.replace("2024-H1", "2024-H2");
        assert!(verify_line(tampered.as_bytes(), &[0; 32]).unwrap_err().starts_with("hash does not match"));
        assert!(verify_line(line.as_bytes(), &[1; 32]).unwrap_err().starts_with("hash does not match"));
        assert!(verify_line(&line.as_bytes()[..line.len() - 1], &[0; 32]).is_err());
        let entry = journal.entry(1).unwrap();
        assert_eq!(entry.hash, hash);
        assert_eq!(entry.command, command);
        assert_eq!(journal.text().unwrap(), format!("{HEADER}{line}\n"));
    }
}
