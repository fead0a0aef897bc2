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

use std::fmt::Write as _;

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
const HASH_SUFFIX_LEN: usize = 9 + 64 + 2;

/// One leg of an entry as it appears in the journal and in results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostingLine {
    /// Account name (`funds:window:unallocated`).
    pub account: String,
    /// Currency of the amount.
    pub currency: Currency,
    /// Debit-positive amount at the currency's minor unit.
    #[serde(with = "rust_decimal::serde::str")]
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

/// The parts of a stored line that replay needs; the rest is checked by comparing bytes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LineIn<'a> {
    pub seq: u64,
    #[serde(default)]
    #[allow(dead_code)]
    pub date: IgnoredAny,
    #[serde(borrow)]
    pub recorded_at: &'a str,
    #[serde(default)]
    pub recorded_by: Option<String>,
    #[serde(default)]
    pub idempotency_key: Option<String>,
    #[serde(default)]
    pub batch: Option<[u32; 2]>,
    pub command: Command,
    #[allow(dead_code)]
    pub postings: IgnoredAny,
    #[serde(default)]
    #[allow(dead_code)]
    pub conversions: IgnoredAny,
    #[allow(dead_code)]
    pub hash: IgnoredAny,
}

/// Where the journal stood, to roll back to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JournalMark {
    text_len: usize,
    entries: usize,
    head: [u8; 32],
}

/// The journal text kept in memory (it is what `save` writes and replay compares).
#[derive(Debug, Clone)]
pub(crate) struct Journal {
    text: String,
    /// End offset (after the newline) of each entry line.
    ends: Vec<usize>,
    head: [u8; 32],
}

impl JournalMark {
    /// The chain head at the mark.
    pub fn head(&self) -> [u8; 32] {
        self.head
    }
}

impl Journal {
    pub fn with_capacity(bytes: usize) -> Journal {
        let mut text = String::with_capacity(bytes.max(HEADER.len()));
        text.push_str(HEADER);
        Journal { text, ends: Vec::new(), head: [0; 32] }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn head_hex(&self) -> String {
        to_hex(&self.head)
    }

    pub fn mark(&self) -> JournalMark {
        JournalMark { text_len: self.text.len(), entries: self.ends.len(), head: self.head }
    }

    pub fn rollback(&mut self, mark: JournalMark) {
        self.text.truncate(mark.text_len);
        self.ends.truncate(mark.entries);
        self.head = mark.head;
    }

    /// Bytes appended since `mark`.
    pub fn since(&self, mark: JournalMark) -> &[u8] {
        &self.text.as_bytes()[mark.text_len..]
    }

    /// The line of entry `seq` (1-based), without its newline.
    pub fn line(&self, seq: u64) -> Option<&str> {
        let i = usize::try_from(seq).ok()?.checked_sub(1)?;
        let end = *self.ends.get(i)?;
        let start = if i == 0 { HEADER.len() } else { self.ends[i - 1] };
        Some(&self.text[start..end - 1])
    }

    /// The line just appended, with its newline.
    pub fn last_line(&self) -> &str {
        let start = if self.ends.len() < 2 { HEADER.len() } else { self.ends[self.ends.len() - 2] };
        &self.text[start..]
    }

    /// Appends an entry: serializes it, chains its hash and returns the hash in hex.
    pub fn append(&mut self, entry: &EntryOut<'_>) -> Result<String> {
        let start = self.text.len();
        // Serializing plain structs into a String cannot fail; treat a failure as corrupt output.
        let body = serde_json::to_string(entry).map_err(|e| LedgerError::JournalCorrupt {
            line: self.ends.len() as u64 + 2,
            reason: format!("cannot serialize entry: {e}"),
        })?;
        let hash = chain(&self.head, body.as_bytes());
        self.text.push_str(&body[..body.len() - 1]);
        self.text.push_str(",\"hash\":\"");
        let hex = to_hex(&hash);
        self.text.push_str(&hex);
        self.text.push_str("\"}\n");
        self.head = hash;
        self.ends.push(self.text.len());
        debug_assert!(self.text[start..].ends_with('\n'));
        Ok(hex)
    }

    /// Parses a stored entry.
    pub fn entry(&self, seq: u64) -> Result<JournalEntry> {
        let line = self.line(seq).ok_or(LedgerError::UnknownEntry { entry: seq })?;
        serde_json::from_str(line)
            .map_err(|e| LedgerError::JournalCorrupt { line: seq + 1, reason: format!("malformed entry: {e}") })
    }
}

/// SHA-256 of the previous hash followed by the entry without its hash member.
fn chain(prev: &[u8; 32], body: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(body);
    hasher.finalize().into()
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Explains why a stored line (without newline) differs from its replay.
pub(crate) fn diagnose(stored: &str, prev: &[u8; 32]) -> String {
    let bytes = stored.as_bytes();
    if bytes.len() < HASH_SUFFIX_LEN + 2 || !stored.ends_with("\"}") {
        return "malformed entry line".into();
    }
    let split = bytes.len() - HASH_SUFFIX_LEN;
    let (content, suffix) = bytes.split_at(split);
    if !suffix.starts_with(b",\"hash\":\"") {
        return "the hash is not the last member of the entry".into();
    }
    let claimed = &stored[split + 9..split + 9 + 64];
    let mut body = content.to_vec();
    body.push(b'}');
    if to_hex(&chain(prev, &body)) != claimed {
        "hash does not match the entry and the previous hash (altered line or broken chain)".into()
    } else {
        "the entry's hash is consistent but its content differs from its replay".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Period;
    use crate::command::ClosePeriod;

    #[test]
    fn lines_chain_and_diagnose_tampering() {
        let mut journal = Journal::with_capacity(0);
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
        let line = journal.line(1).unwrap().to_owned();
        assert!(line.ends_with(&format!(",\"hash\":\"{hash}\"}}")));
        assert_eq!(diagnose(&line, &[0; 32]), "the entry's hash is consistent but its content differs from its replay");
        let tampered = line.replace("2024-H1", "2024-H2");
        assert!(diagnose(&tampered, &[0; 32]).starts_with("hash does not match"));
        assert!(diagnose(&line, &[1; 32]).starts_with("hash does not match"));
        let entry = journal.entry(1).unwrap();
        assert_eq!(entry.hash, hash);
        assert_eq!(entry.command, command);
    }
}
