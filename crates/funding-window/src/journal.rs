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
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::calendar::iso_date_opt;
use crate::command::Command;
use crate::error::{LedgerError, Result};
use crate::money::Currency;
use crate::state::Conversion;

/// First line of every journal.
pub const HEADER: &str = "{\"journal\":\"funding-window\",\"version\":1}\n";

/// Length of the `,"hash":"<64 hex>"}` suffix of an entry line (without newline).
pub(crate) const HASH_SUFFIX_LEN: usize = 9 + 64 + 2;

/// One leg of an entry as it appears in the journal and in results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostingLine {
    /// Account name (`funds:window:unallocated`).
    pub account: String,
    /// Currency of the amount.
    pub currency: Currency,
    /// Debit-positive amount at the currency's minor unit.
    #[serde(with = "crate::text::decimal_str")]
    pub amount: Decimal,
}

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
    pub recorded_at: String,
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
    pub hash: String,
}

/// What an entry line is made from.
#[derive(Serialize)]
pub(crate) struct EntryOut<'a> {
    pub seq: u64,
    #[serde(with = "iso_date_opt", skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    pub recorded_at: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<[u32; 2]>,
    pub command: &'a Command,
    pub postings: &'a [PostingLine],
    #[serde(skip_serializing_if = "<[Conversion]>::is_empty")]
    pub conversions: &'a [Conversion],
}

/// The parts of a stored line that replay needs. The line's bytes are checked by
/// its hash; its postings are compared with what the replayed command posts.
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
    #[serde(borrow)]
    pub postings: &'a serde_json::value::RawValue,
    #[serde(default)]
    #[allow(dead_code)]
    pub conversions: IgnoredAny,
}

/// Where the journal stood, to roll back to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JournalMark {
    committed: u64,
    pending: usize,
    entries: usize,
    head: [u8; 32],
}

/// Where committed entries live.
#[derive(Debug)]
enum Storage {
    /// All of the text in memory (ledgers built in memory or from text).
    Memory(String),
    /// In a file, appended to and synced entry by entry; read back on demand.
    File { path: PathBuf, file: File },
}

/// The journal: committed lines in memory or in a file, lines of the command or
/// batch under way in `pending`, and the end offset of every entry.
#[derive(Debug)]
pub(crate) struct Journal {
    storage: Storage,
    /// Bytes committed to the storage, header included.
    committed: u64,
    /// Lines appended by the operation under way, not yet committed.
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
            pending: String::new(),
            ends: Vec::new(),
            head: [0; 32],
        }
    }

    /// Moves the journal onto a file that holds exactly its committed bytes.
    pub fn attach(&mut self, path: PathBuf, file: File) {
        self.storage = Storage::File { path, file };
    }

    /// Records a line of `bytes` bytes (newline included, hash verified) read by replay.
    /// In memory its `text` is kept; on a file it is already there.
    pub fn push_stored(&mut self, bytes: u64, text: Option<&str>, hash: [u8; 32]) {
        if let (Storage::Memory(kept), Some(line)) = (&mut self.storage, text) {
            kept.push_str(line);
        }
        self.committed += bytes;
        self.ends.push(self.committed);
        self.head = hash;
    }

    pub fn path(&self) -> Option<&Path> {
        match &self.storage {
            Storage::File { path, .. } => Some(path),
            Storage::Memory(_) => None,
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn head_hex(&self) -> String {
        to_hex(&self.head)
    }

    pub fn mark(&self) -> JournalMark {
        JournalMark {
            committed: self.committed,
            pending: self.pending.len(),
            entries: self.ends.len(),
            head: self.head,
        }
    }

    /// Forgets what was appended after `mark` (pending lines, or stored lines during replay).
    pub fn rollback(&mut self, mark: JournalMark) {
        self.pending.truncate(mark.pending);
        self.ends.truncate(mark.entries);
        self.head = mark.head;
        if self.committed != mark.committed {
            self.committed = mark.committed;
            if let Storage::Memory(text) = &mut self.storage {
                text.truncate(mark.committed as usize);
            }
        }
    }

    /// Commits the pending lines: appended to the text, or written to the file and synced.
    pub fn persist(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        match &mut self.storage {
            Storage::Memory(text) => text.push_str(&self.pending),
            Storage::File { file, .. } => {
                let written = file.write_all(self.pending.as_bytes()).and_then(|()| file.sync_data());
                if let Err(e) = written {
                    // Leave the file as it was; the caller rolls the pending lines back.
                    let _ = file.set_len(self.committed);
                    return Err(e);
                }
            }
        }
        self.committed += self.pending.len() as u64;
        self.pending.clear();
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
        if start >= self.committed {
            let range = (start - self.committed) as usize..(end - self.committed) as usize;
            return self.pending.get(range).map(Cow::Borrowed).ok_or_else(missing);
        }
        match &self.storage {
            Storage::Memory(text) => text.get(start as usize..end as usize).map(Cow::Borrowed).ok_or_else(missing),
            Storage::File { path, .. } => read_range(path, start, end).map(Cow::Owned),
        }
    }

    /// The whole journal text.
    pub fn text(&self) -> Result<Cow<'_, str>> {
        match &self.storage {
            Storage::Memory(text) if self.pending.is_empty() => Ok(Cow::Borrowed(text)),
            Storage::Memory(text) => Ok(Cow::Owned(format!("{text}{}", self.pending))),
            Storage::File { path, .. } => {
                let mut text = read_range(path, 0, self.committed)?;
                text.push_str(&self.pending);
                Ok(Cow::Owned(text))
            }
        }
    }

    /// Appends an entry to the pending lines: serializes it, chains its hash and
    /// returns the hash in hex.
    pub fn append(&mut self, entry: &EntryOut<'_>) -> Result<String> {
        let body = serde_json::to_string(entry)
            .map_err(|e| LedgerError::Internal { message: format!("cannot serialize entry {}: {e}", entry.seq) })?;
        let hash = chain(&self.head, body.as_bytes());
        let hex = to_hex(&hash);
        self.pending.push_str(&body[..body.len() - 1]);
        self.pending.push_str(",\"hash\":\"");
        self.pending.push_str(&hex);
        self.pending.push_str("\"}\n");
        self.head = hash;
        self.ends.push(self.committed + self.pending.len() as u64);
        Ok(hex)
    }

    /// Parses a stored entry.
    pub fn entry(&self, seq: u64) -> Result<JournalEntry> {
        let line = self.line(seq)?;
        parse_entry(&line, seq + 1)
    }

    /// Parses every entry, in order.
    pub fn entries(&self) -> Result<Vec<JournalEntry>> {
        let text = self.text()?;
        text.lines().skip(1).enumerate().map(|(i, line)| parse_entry(line, i as u64 + 2)).collect()
    }
}

fn parse_entry(line: &str, line_no: u64) -> Result<JournalEntry> {
    serde_json::from_str(line)
        .map_err(|e| LedgerError::JournalCorrupt { line: line_no, reason: format!("malformed entry: {e}") })
}

fn read_range(path: &Path, start: u64, end: u64) -> Result<String> {
    let io = |e: std::io::Error| LedgerError::io(path, &e);
    let mut file = File::open(path).map_err(io)?;
    file.seek(SeekFrom::Start(start)).map_err(io)?;
    let mut bytes = vec![0; (end - start) as usize];
    file.read_exact(&mut bytes).map_err(io)?;
    String::from_utf8(bytes).map_err(|_| LedgerError::JournalCorrupt { line: 0, reason: "not UTF-8".into() })
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
    let claimed = from_hex(&suffix[9..9 + 64]).ok_or("the hash is not 64 hex digits")?;
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(content);
    hasher.update(b"}");
    let actual: [u8; 32] = hasher.finalize().into();
    if actual == claimed {
        Ok(actual)
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
