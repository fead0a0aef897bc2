//! Reading a journal back into a ledger.
//!
//! Every line is checked three ways: its SHA-256 chains to the previous line (so no
//! byte was altered, dropped or reordered), its command applies to the state rebuilt
//! so far, and the postings, conversions and value date that command produces are
//! exactly the ones stored. One thread reads the journal a block at a time, verifies
//! hashes and parses while another applies, so replay costs about the larger of the two.

use std::io::Read;
use std::ops::Range;
use std::path::Path;

use chrono::NaiveDate;

use crate::command::{parse_timestamp, read_journal_command, Command, Request};
use crate::error::{LedgerError, Result};
use crate::journal::Journal;
use crate::journal::{verify_line, LineIn, HASH_SUFFIX_LEN, HEADER};
use crate::ledger::{Ledger, Mark, Recovery};
use crate::limits::JOURNAL_LINE_BYTES_MAX;
use crate::plan::Posting;
use crate::state::State;
use crate::store::{FileStore, JournalStore};
use crate::text::{decimal_bytes, push_decimal, DecimalBuf};
use crate::written::Dates;

/// An incomplete tail: the last line (or batch) of a journal interrupted mid-write.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Torn {
    /// 1-based line number of the first incomplete line.
    pub line: u64,
    /// Byte offset where it starts.
    pub offset: u64,
    /// Bytes from there to the end.
    pub bytes: u64,
}

/// Why a replay stopped.
pub(crate) enum ReplayError {
    Io(std::io::Error),
    Ledger(LedgerError),
}

fn corrupt(line: u64, reason: impl Into<String>) -> ReplayError {
    ReplayError::Ledger(LedgerError::journal_corrupt(line, reason))
}

/// A line whose hash is verified, parsed into what replay needs.
struct Parsed {
    line: u64,
    /// Where the line starts in its block.
    start: usize,
    bytes: u64,
    seq: u64,
    date: Option<NaiveDate>,
    batch: Option<[u32; 2]>,
    request: Request,
    hash: [u8; 32],
    /// Where the stored postings (`[...]`) sit in the block, compared with the replayed command's.
    postings: Range<usize>,
    /// Where the stored conversions sit, if the entry has any.
    conversions: Option<Range<usize>>,
}

/// Where an entry's postings start, and its conversions (if any) after them.
const POSTINGS_KEY: &[u8] = b",\"postings\":[";
const CONVERSIONS_KEY: &[u8] = b"],\"conversions\":[";

/// Where `key` (a member's `,"name":` or `],"name":`) first occurs in `bytes`.
///
/// Only the commas of the line are candidates: there are a few dozen, so this is quicker
/// than a general substring search and much smaller in WebAssembly.
fn find_member(bytes: &[u8], key: &[u8]) -> Option<usize> {
    let comma = key.iter().position(|&b| b == b',')?;
    memchr::memchr_iter(b',', bytes).filter_map(|i| i.checked_sub(comma)).find(|&start| bytes[start..].starts_with(key))
}

/// Bytes read at a time; lines are handed to the applier a block at a time.
const BLOCK: usize = 1 << 18;

// Lines travel by value in blocks; boxing them would cost an allocation per line.
#[allow(clippy::large_enum_variant)]
enum Step {
    Line(Parsed),
    Torn(Torn),
}

/// Whole lines of the journal and what was parsed from them.
#[derive(Default)]
struct Block {
    bytes: Vec<u8>,
    steps: Vec<Step>,
}

/// Reads the journal a block at a time, verifies the hash chain and parses each entry.
struct Reader<R> {
    reader: R,
    /// The start of a line that did not fit in the last block.
    carry: Vec<u8>,
    eof: bool,
    /// A read error to report once the lines read before it are replayed.
    failed: Option<std::io::Error>,
    /// Offset of the next line in the journal.
    offset: u64,
    /// Number of the last line parsed (the header is line 1).
    line: u64,
    /// Hash of the last line verified.
    prev: [u8; 32],
    /// Bytes to read at a time.
    block: usize,
    dates: Dates,
}

impl<R: Read> Reader<R> {
    fn new(reader: R, block: usize) -> Reader<R> {
        Reader {
            block: block.max(1),
            reader,
            carry: Vec::new(),
            eof: false,
            failed: None,
            offset: 0,
            line: 0,
            prev: [0; 32],
            dates: Dates::default(),
        }
    }

    /// Fills `bytes` with whole lines: the carried start of a line, then a block read
    /// up to its last newline. At the end of the journal (or after a line longer than
    /// the limit) `bytes` may hold a line without a newline; empty means the end.
    fn fill(&mut self, bytes: &mut Vec<u8>) -> Result<(), ReplayError> {
        bytes.clear();
        bytes.extend_from_slice(&self.carry);
        self.carry.clear();
        let mut searched = 0;
        loop {
            if let Some(e) = self.failed.take() {
                return Err(ReplayError::Io(e));
            }
            if !self.eof {
                match (&mut self.reader).take(self.block as u64).read_to_end(bytes) {
                    Ok(n) => self.eof = n < self.block,
                    // Lines read before the failure are replayed first: an error on one of
                    // them comes before the read error.
                    Err(e) if memchr::memchr(b'\n', &bytes[searched..]).is_some() => {
                        self.failed = Some(e);
                    }
                    Err(e) => return Err(ReplayError::Io(e)),
                }
            }
            if let Some(last) = memchr::memrchr(b'\n', &bytes[searched..]) {
                let end = searched + last + 1;
                self.carry.extend_from_slice(&bytes[end..]);
                bytes.truncate(end);
                return Ok(());
            }
            searched = bytes.len();
            if self.eof || bytes.len() > JOURNAL_LINE_BYTES_MAX {
                return Ok(());
            }
        }
    }

    /// Checks the header line at the start of the first block; returns its length.
    fn header(&mut self, bytes: &[u8]) -> Result<usize, ReplayError> {
        self.line = 1;
        if !bytes.starts_with(HEADER.as_bytes()) {
            return Err(corrupt(1, "not a funding-window journal (bad or missing header line)"));
        }
        self.offset = HEADER.len() as u64;
        Ok(HEADER.len())
    }

    /// Parses the lines of `block.bytes` from `from` into `block.steps`, stopping at the
    /// first error (the steps before it are kept).
    fn parse_block(&mut self, block: &mut Block, from: usize) -> Result<(), ReplayError> {
        let mut start = from;
        while start < block.bytes.len() {
            self.line += 1;
            let line = self.line;
            let rest = &block.bytes[start..];
            let Some(newline) = memchr::memchr(b'\n', rest) else {
                if rest.len() > JOURNAL_LINE_BYTES_MAX {
                    return Err(corrupt(line, format!("line longer than {JOURNAL_LINE_BYTES_MAX} bytes")));
                }
                block.steps.push(Step::Torn(Torn { line, offset: self.offset, bytes: rest.len() as u64 }));
                return Ok(());
            };
            if newline > JOURNAL_LINE_BYTES_MAX {
                return Err(corrupt(line, format!("line longer than {JOURNAL_LINE_BYTES_MAX} bytes")));
            }
            let parsed = self.parse(&mut block.bytes, start..start + newline, line)?;
            block.steps.push(Step::Line(parsed));
            start += newline + 1;
            self.offset += newline as u64 + 1;
        }
        Ok(())
    }

    /// Verifies one entry line (without its newline) and parses what replay needs.
    fn parse(&mut self, bytes: &mut [u8], range: Range<usize>, line: u64) -> Result<Parsed, ReplayError> {
        let content = &bytes[range.clone()];
        let hash = verify_line(content, &self.prev).map_err(|reason| corrupt(line, reason))?;
        self.prev = hash;
        // A line as this library writes it: the head of the entry (up to the command), then
        // `,"postings":[...]`, maybe `,"conversions":[...]`, then the hash. Parse only the head,
        // closing the object where the postings start; the applier compares the postings and
        // conversions with what the replayed command produces. (`,"` cannot occur inside a
        // JSON string, so the first match is the member. A line altered so that it still
        // parses is caught there; one that does not parse is as corrupt as one whose hash fails.)
        let body = &content[..content.len() - HASH_SUFFIX_LEN];
        let Some(split) = find_member(body, POSTINGS_KEY) else {
            return Err(corrupt(line, "malformed entry: no postings"));
        };
        let list = split + POSTINGS_KEY.len() - 1;
        let (postings, conversions) = match find_member(&body[list..], CONVERSIONS_KEY) {
            Some(c) => (list..list + c + 1, Some(list + c + CONVERSIONS_KEY.len() - 1..body.len())),
            None => (list..body.len(), None),
        };
        let at = range.start;
        let head = match written_head(&body[..split]) {
            Some(h) => {
                // Text rather than bytes for serde too: `Request::from_json` reads text, and one
                // reader type instantiates serde's code for every command once, not twice.
                let text = std::str::from_utf8(&body[h.command..split])
                    .map_err(|_| corrupt(line, "malformed entry: the command is not UTF-8"))?;
                let command = match read_journal_command(text, &mut self.dates) {
                    Some(command) => command,
                    None => serde_json::from_str::<Command>(text)
                        .map_err(|e| corrupt(line, format!("malformed entry: {e}")))?,
                };
                let owned = |s: Option<&str>| s.map(str::to_owned);
                Head::new(
                    line,
                    h.seq,
                    h.date,
                    h.recorded_at,
                    owned(h.recorded_by),
                    owned(h.idempotency_key),
                    h.batch,
                    command,
                    &mut self.dates,
                )
            }
            None => {
                // Laid out otherwise: serde reads the head, closed where the postings start.
                let split = at + split;
                bytes[split] = b'}';
                let head = match std::str::from_utf8(&bytes[at..=split]).map(serde_json::from_str::<LineIn<'_>>) {
                    Err(_) => Err(corrupt(line, "malformed entry: not UTF-8")),
                    Ok(Err(e)) => Err(corrupt(line, format!("malformed entry: {e}"))),
                    Ok(Ok(p)) => Head::new(
                        line,
                        p.seq,
                        p.date,
                        p.recorded_at,
                        p.recorded_by,
                        p.idempotency_key,
                        p.batch,
                        p.command,
                        &mut self.dates,
                    ),
                };
                bytes[split] = b',';
                head
            }
        }?;
        Ok(Parsed {
            line,
            start: range.start,
            bytes: range.len() as u64 + 1,
            seq: head.seq,
            date: head.date,
            batch: head.batch,
            request: head.request,
            hash,
            postings: at + postings.start..at + postings.end,
            conversions: conversions.map(|c| at + c.start..at + c.end),
        })
    }
}

/// What replay takes from the head of an entry (everything before its postings).
struct Head {
    seq: u64,
    date: Option<NaiveDate>,
    batch: Option<[u32; 2]>,
    request: Request,
}

impl Head {
    #[allow(clippy::too_many_arguments)]
    fn new(
        line: u64,
        seq: u64,
        date: Option<&str>,
        recorded_at: &str,
        recorded_by: Option<String>,
        idempotency_key: Option<String>,
        batch: Option<[u32; 2]>,
        command: Command,
        dates: &mut Dates,
    ) -> Result<Head, ReplayError> {
        let at = parse_timestamp(recorded_at)
            .ok_or_else(|| corrupt(line, format!("recorded_at {recorded_at:?} is not RFC 3339")))?;
        let date = match date {
            Some(d) => Some(dates.parse(d).ok_or_else(|| corrupt(line, format!("date {d:?} is not YYYY-MM-DD")))?),
            None => None,
        };
        Ok(Head { seq, date, batch, request: Request { command, idempotency_key, recorded_by, recorded_at: Some(at) } })
    }
}

/// The members before the command, as [`crate::journal`] writes them.
struct WrittenHead<'a> {
    seq: u64,
    date: Option<&'a str>,
    recorded_at: &'a str,
    recorded_by: Option<&'a str>,
    idempotency_key: Option<&'a str>,
    batch: Option<[u32; 2]>,
    /// Where the command object starts.
    command: usize,
}

/// Reads the head of an entry laid out exactly as this library writes it (members in
/// order, no whitespace, strings without escapes), without serde; `None` for any other
/// layout, which serde then reads (and accepts or refuses) as before. Whatever this
/// accepts, serde accepts with the same values.
fn written_head(bytes: &[u8]) -> Option<WrittenHead<'_>> {
    let mut at = 0;
    let eat = |expected: &[u8], at: &mut usize| -> bool {
        let found = bytes.get(*at..).is_some_and(|rest| rest.starts_with(expected));
        if found {
            *at += expected.len();
        }
        found
    };
    // A JSON number without sign, fraction, exponent or leading zero.
    let unsigned = |at: &mut usize| -> Option<u64> {
        let digits = bytes.get(*at..)?.iter().take_while(|b| b.is_ascii_digit()).count();
        let text = bytes.get(*at..*at + digits)?;
        if digits == 0 || (digits > 1 && text[0] == b'0') {
            return None;
        }
        *at += digits;
        text.iter().try_fold(0u64, |n, d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))
    };
    // The rest of a string whose opening quote was read: plain text up to the closing quote.
    let string = |at: &mut usize| -> Option<&str> {
        let rest = bytes.get(*at..)?;
        let end = rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest[end] != b'"' {
            return None;
        }
        *at += end + 1;
        std::str::from_utf8(&rest[..end]).ok()
    };
    if !eat(b"{\"seq\":", &mut at) {
        return None;
    }
    let seq = unsigned(&mut at)?;
    let date = if eat(b",\"date\":\"", &mut at) { Some(string(&mut at)?) } else { None };
    if !eat(b",\"recorded_at\":\"", &mut at) {
        return None;
    }
    let recorded_at = string(&mut at)?;
    let recorded_by = if eat(b",\"recorded_by\":\"", &mut at) { Some(string(&mut at)?) } else { None };
    let idempotency_key = if eat(b",\"idempotency_key\":\"", &mut at) { Some(string(&mut at)?) } else { None };
    let batch = if eat(b",\"batch\":[", &mut at) {
        let i = u32::try_from(unsigned(&mut at)?).ok()?;
        let n = if eat(b",", &mut at) { u32::try_from(unsigned(&mut at)?).ok()? } else { return None };
        if !eat(b"]", &mut at) {
            return None;
        }
        Some([i, n])
    } else {
        None
    };
    if !eat(b",\"command\":", &mut at) {
        return None;
    }
    Some(WrittenHead { seq, date, recorded_at, recorded_by, idempotency_key, batch, command: at })
}

/// Applies parsed lines to a ledger and checks them against what they produce.
struct Applier<'s> {
    ledger: &'s mut Ledger,
    /// Taking in lines after the ledger's head (rather than replaying a whole journal): every
    /// step is recorded to undo, as the caller rolls back all of it on error.
    resume: bool,
    /// Journal offset of the first byte of `source`.
    base: u64,
    /// Whether the ledger keeps its journal text in memory (lines come from `source`, or
    /// from the blocks read when there is none).
    keeps_text: bool,
    /// The journal's bytes, when the ledger keeps its text in memory.
    source: Option<&'s [u8]>,
    /// The same as text, when all of it is UTF-8 (checked once rather than line by line).
    source_text: Option<&'s str>,
    /// Mark, first line and offset of a batch being read.
    open_batch: Option<(Mark, u64, u64)>,
    offset: u64,
    /// Room for an account name while comparing postings (and for their text in an error).
    postings: String,
    /// The replayed command's conversions as the journal writes them.
    conversions: Vec<u8>,
}

impl Applier<'_> {
    fn apply(&mut self, p: &Parsed, bytes: &[u8]) -> Result<(), ReplayError> {
        let ledger = &mut *self.ledger;
        let expected = ledger.len() as u64 + 1;
        if p.seq != expected {
            return Err(corrupt(p.line, format!("sequence {} where {expected} was expected", p.seq)));
        }
        match (p.batch, &self.open_batch) {
            (Some([1, size]), None) if size > 1 => self.open_batch = Some((ledger.mark(), p.line, self.offset)),
            (Some([i, size]), Some((_, first, _))) if i > 1 && i <= size && u64::from(i) == p.line - first + 1 => {}
            (None, None) => {}
            (batch, _) => return Err(corrupt(p.line, format!("batch position {batch:?} out of sequence"))),
        }
        if let Some(key) = &p.request.idempotency_key {
            if ledger.state.idempotency.contains_key(key) {
                return Err(corrupt(p.line, format!("idempotency key {key:?} is used twice")));
            }
        }
        // Outside a batch nothing needs undoing: an entry that fails ends the replay, and
        // the ledger is thrown away. A batch is recorded, to drop it whole if it is torn.
        // Taking in lines records everything: on error the ledger goes back to where it was.
        if !self.resume && ledger.undo.len() == 0 {
            ledger.undo.pause(self.open_batch.is_none());
        }
        let plan =
            ledger.commit_request(&p.request).map_err(|e| corrupt(p.line, format!("entry does not replay: {e}")))?;
        if plan.date != p.date {
            return Err(corrupt(p.line, "the value date differs from the command's"));
        }
        let stored = bytes.get(p.postings.clone()).unwrap_or_default();
        if !postings_match(&ledger.state, &plan.postings, stored, &mut self.postings) {
            write_postings(&ledger.state, &plan.postings, &mut self.postings);
            return Err(corrupt(p.line, format!("the stored postings differ from the command's, {}", self.postings)));
        }
        let conversions = match (&p.conversions, plan.conversions.is_empty()) {
            (None, true) => true,
            (Some(stored), false) => {
                self.conversions.clear();
                serde_json::to_writer(&mut self.conversions, &plan.conversions).is_ok()
                    && bytes.get(stored.clone()) == Some(self.conversions.as_slice())
            }
            _ => false,
        };
        if !conversions {
            return Err(corrupt(p.line, "the stored conversions differ from the command's"));
        }
        let range = (self.offset - self.base) as usize..(self.offset - self.base + p.bytes) as usize;
        let text = match (self.source_text, self.source) {
            (Some(all), _) => Some(all.get(range).ok_or_else(|| corrupt(p.line, "not UTF-8"))?),
            (None, Some(source)) => {
                let line = source.get(range).and_then(|b| std::str::from_utf8(b).ok());
                Some(line.ok_or_else(|| corrupt(p.line, "not UTF-8"))?)
            }
            // Read from a stream into a ledger that keeps its text: the line as read.
            (None, None) if self.keeps_text => {
                let line = bytes.get(p.start..p.start + p.bytes as usize).and_then(|b| std::str::from_utf8(b).ok());
                Some(line.ok_or_else(|| corrupt(p.line, "not UTF-8"))?)
            }
            (None, None) => None,
        };
        ledger.journal.push_stored(p.bytes, text, p.hash);
        self.offset += p.bytes;
        let batch_done = p.batch.is_none_or(|[i, size]| i == size);
        if batch_done {
            self.open_batch = None;
            if !self.resume {
                ledger.undo.clear();
            }
        }
        Ok(())
    }

    /// Ends the replay: an incomplete batch is dropped whole, with any torn line after it.
    fn finish(mut self, torn: Option<Torn>) -> Option<Torn> {
        let mut torn = torn;
        if let Some((mark, line, offset)) = self.open_batch.take() {
            self.ledger.rollback(&mark);
            if self.resume {
                self.ledger.undo.forget_after(mark.undo_len());
            } else {
                self.ledger.undo.clear();
            }
            let end = torn.map_or(self.offset, |t| t.offset + t.bytes);
            torn = Some(Torn { line, offset, bytes: end - offset });
        }
        if !self.resume {
            self.ledger.undo.pause(false);
        }
        torn
    }

    /// Applies a block's lines; a torn line ends the journal.
    fn apply_block(&mut self, block: &Block) -> Result<Option<Torn>, ReplayError> {
        for step in &block.steps {
            match step {
                Step::Line(p) => self.apply(p, &block.bytes)?,
                Step::Torn(t) => return Ok(Some(*t)),
            }
        }
        Ok(None)
    }
}

/// Writes postings exactly as the journal stores them (`serde_json` of `[PostingLine]`).
///
/// Account names are made of validated ids (ASCII letters, digits, `.`, `_`, `-`),
/// so they need no escaping.
fn write_postings(state: &State, postings: &[Posting], out: &mut String) {
    out.clear();
    out.push('[');
    for (i, p) in postings.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"account\":\"");
        p.account.write_name(state, p.currency, out);
        out.push_str("\",\"currency\":\"");
        out.push_str(p.currency.code());
        out.push_str("\",\"amount\":\"");
        push_decimal(out, &p.amount);
        out.push_str("\"}");
    }
    out.push(']');
}

/// Whether `stored` is exactly what [`write_postings`] writes for `postings`, compared
/// piece by piece rather than writing it all out. `name` is room for an account name.
fn postings_match(state: &State, postings: &[Posting], stored: &[u8], name: &mut String) -> bool {
    // The pieces are a few bytes long: a loop here is quicker than calling memcmp.
    fn eat(rest: &mut &[u8], expected: &[u8]) -> bool {
        match rest.get(..expected.len()) {
            Some(head) if head.iter().zip(expected).all(|(a, b)| a == b) => {
                *rest = &rest[expected.len()..];
                true
            }
            _ => false,
        }
    }
    let mut rest = stored;
    if !eat(&mut rest, b"[") {
        return false;
    }
    for (i, p) in postings.iter().enumerate() {
        name.clear();
        p.account.write_name(state, p.currency, name);
        let same = (i == 0 || eat(&mut rest, b","))
            && eat(&mut rest, b"{\"account\":\"")
            && eat(&mut rest, name.as_bytes())
            && eat(&mut rest, b"\",\"currency\":\"")
            && eat(&mut rest, p.currency.code().as_bytes())
            && eat(&mut rest, b"\",\"amount\":\"")
            && eat(&mut rest, decimal_bytes(&p.amount, &mut DecimalBuf::default()))
            && eat(&mut rest, b"\"}");
        if !same {
            return false;
        }
    }
    rest == b"]"
}

/// Replays a journal into `ledger`: an empty ledger on the journal's own store, or an
/// empty in-memory ledger given the journal's bytes as `source`, which it keeps.
pub(crate) fn replay<R: Read + Send>(
    reader: R,
    mut ledger: Ledger,
    source: Option<&[u8]>,
) -> Result<(Ledger, Option<Torn>), ReplayError> {
    let torn = replay_in_blocks(reader, &mut ledger, source, BLOCK, false)?;
    Ok((ledger, torn))
}

/// Takes in the entry lines that follow `ledger`'s head (no header), verified exactly as a
/// replay verifies them; an incomplete last line or batch is left out. On error the
/// caller rolls the ledger back to where it was (every step is recorded to undo).
pub(crate) fn take_in<R: Read + Send>(
    reader: R,
    ledger: &mut Ledger,
    source: Option<&[u8]>,
) -> Result<(), ReplayError> {
    replay_in_blocks(reader, ledger, source, BLOCK, true).map(|_| ())
}

fn replay_in_blocks<R: Read + Send>(
    reader: R,
    ledger: &mut Ledger,
    source: Option<&[u8]>,
    block: usize,
    resume: bool,
) -> Result<Option<Torn>, ReplayError> {
    let mut reader = Reader::new(reader, block);
    let mut first = Block::default();
    // `from` is where the lines of the first block start; 0 has the pipeline read it.
    let from = if resume {
        // Lines after the ledger's head: numbered after its entries (the header is line 1),
        // chained to its head, at its end.
        let at = ledger.journal.position();
        reader.line = at.head.seq + 1;
        reader.offset = at.offset;
        reader.prev = ledger.journal.head_bytes();
        0
    } else {
        reader.fill(&mut first.bytes)?;
        reader.header(&first.bytes)?
    };
    if let Some(source) = source {
        // The text is kept: room for all of it, and an index entry per line, at once rather than
        // growing by doubling (and, in WebAssembly, OUT_OF_MEMORY now rather than an abort later).
        let lines = memchr::memchr_iter(b'\n', source).count();
        ledger.journal.reserve_text(source.len().saturating_sub(from), lines).map_err(ReplayError::Ledger)?;
        ledger.state.entries.try_reserve(lines).map_err(|_| {
            ReplayError::Ledger(LedgerError::OutOfMemory {
                what: "the entries".into(),
                bytes: lines.saturating_mul(std::mem::size_of::<crate::state::EntryInfo>()) as u64,
            })
        })?;
    }
    let source_text = source.and_then(|s| std::str::from_utf8(s).ok());
    let keeps_text = ledger.journal.keeps_text();
    let mut applier = Applier {
        ledger,
        resume,
        keeps_text,
        base: reader.offset - from as u64,
        source,
        source_text,
        open_batch: None,
        offset: reader.offset,
        postings: String::new(),
        conversions: Vec::new(),
    };
    let torn = pipeline(&mut reader, &mut applier, first, from)?;
    Ok(applier.finish(torn))
}

/// Reads and parses on one thread and applies on the caller's, handing lines over a
/// block at a time. Blocks come back to the reader to be reused, so the memory of
/// their parsed commands is freed by the thread that allocated it.
#[cfg(not(target_arch = "wasm32"))]
fn pipeline<R: Read + Send>(
    reader: &mut Reader<R>,
    applier: &mut Applier<'_>,
    first: Block,
    from: usize,
) -> Result<Option<Torn>, ReplayError> {
    use std::sync::mpsc::{channel, sync_channel};
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Result<Block, ReplayError>>(4);
        let (back_tx, back_rx) = channel::<Block>();
        scope.spawn(move || {
            let mut block = first;
            let mut from = from;
            loop {
                if from == 0 {
                    if let Err(e) = reader.fill(&mut block.bytes) {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
                if block.bytes.is_empty() {
                    return;
                }
                let parsed = reader.parse_block(&mut block, from);
                from = 0;
                let torn = matches!(block.steps.last(), Some(Step::Torn(_)));
                if tx.send(Ok(block)).is_err() {
                    return;
                }
                if let Err(e) = parsed {
                    let _ = tx.send(Err(e));
                    return;
                }
                if torn {
                    return;
                }
                block = back_rx.try_recv().unwrap_or_default();
                block.steps.clear();
            }
        });
        for block in rx {
            let block = block?;
            let torn = applier.apply_block(&block)?;
            if torn.is_some() {
                return Ok(torn);
            }
            let _ = back_tx.send(block);
        }
        Ok(None)
    })
}

/// Bare WebAssembly has no threads: read and apply in turn.
#[cfg(target_arch = "wasm32")]
fn pipeline<R: Read + Send>(
    reader: &mut Reader<R>,
    applier: &mut Applier<'_>,
    mut block: Block,
    mut from: usize,
) -> Result<Option<Torn>, ReplayError> {
    loop {
        if from == 0 {
            reader.fill(&mut block.bytes)?;
        }
        if block.bytes.is_empty() {
            return Ok(None);
        }
        block.steps.clear();
        let parsed = reader.parse_block(&mut block, from);
        from = 0;
        if let Some(torn) = applier.apply_block(&block)? {
            return Ok(Some(torn));
        }
        parsed?;
    }
}

impl Ledger {
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
        // On the store from the start: a ledger on a store that cannot read its lines back
        // keeps them as it reads them (replay itself reads nothing back: a reversal works
        // from the postings and effect kept with the entry it reverses).
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
}

fn replay_error(e: ReplayError, describe: &str) -> LedgerError {
    match e {
        ReplayError::Io(err) => LedgerError::Io { path: describe.to_owned(), message: err.to_string() },
        ReplayError::Ledger(err) => err,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::account::AccountKey;
    use crate::journal::PostingLine;
    use crate::money::Currency;

    #[test]
    fn postings_are_written_as_serde_writes_them() {
        let state = State::default();
        let postings = [
            Posting {
                account: AccountKey::WindowEarmarked(9),
                currency: Currency::USD,
                amount: "-956827.92".parse().unwrap(),
            },
            Posting {
                account: AccountKey::Cash,
                currency: Currency::from_code("JPY").unwrap(),
                amount: "150000000".parse().unwrap(),
            },
        ];
        let mut ours = String::new();
        write_postings(&state, &postings, &mut ours);
        let lines: Vec<PostingLine> = postings
            .iter()
            .map(|p| PostingLine {
                account: p.account.name(&state, p.currency),
                currency: p.currency,
                amount: p.amount,
            })
            .collect();
        assert_eq!(ours, serde_json::to_string(&lines).unwrap());
        assert!(ours.contains("funds:window:earmarked:2-5"));
        // The comparison piece by piece accepts exactly that text: not a byte more, less or other.
        let mut name = String::new();
        assert!(postings_match(&state, &postings, ours.as_bytes(), &mut name));
        assert!(!postings_match(&state, &postings[..1], ours.as_bytes(), &mut name));
        assert!(!postings_match(&state, &[], ours.as_bytes(), &mut name));
        assert!(postings_match(&state, &[], b"[]", &mut name));
        for i in 0..ours.len() {
            let mut changed = ours.clone().into_bytes();
            changed[i] = if changed[i] == b'0' { b'1' } else { b'0' };
            assert!(!postings_match(&state, &postings, &changed, &mut name), "byte {i} changed");
            let mut shorter = ours.clone().into_bytes();
            shorter.remove(i);
            assert!(!postings_match(&state, &postings, &shorter, &mut name), "byte {i} removed");
            let mut longer = ours.clone().into_bytes();
            longer.insert(i, b' ');
            assert!(!postings_match(&state, &postings, &longer, &mut name), "byte {i} added");
        }
    }

    /// Recomputes every hash, as someone rewriting a journal could (tests of other modules use it too).
    pub(crate) fn rechain(text: &str) -> String {
        use sha2::{Digest, Sha256};
        let mut lines = text.lines();
        let mut out = format!("{}\n", lines.next().unwrap());
        let mut prev = [0u8; 32];
        for line in lines {
            let body = &line[..line.len() - HASH_SUFFIX_LEN];
            let mut hasher = Sha256::new();
            hasher.update(prev);
            hasher.update(body.as_bytes());
            hasher.update(b"}");
            prev = hasher.finalize().into();
            out.push_str(&format!("{body},\"hash\":\"{}\"}}\n", crate::text::hex(&prev)));
        }
        out
    }

    fn corrupt_line(text: &str) -> (u64, String) {
        match Ledger::from_journal(text) {
            Err(LedgerError::JournalCorrupt { line, reason, .. }) => (line, reason),
            other => panic!("expected JOURNAL_CORRUPT, got {:?}", other.map(|l| l.len())),
        }
    }

    #[test]
    fn stored_postings_and_conversions_must_be_what_the_commands_produce() {
        let text = include_str!("../../../tests/fixtures/window-year.jsonl");
        assert_eq!(rechain(text), text);
        let (index, line) = text.lines().enumerate().find(|(_, l)| l.contains("\"conversions\":[")).unwrap();
        let line_no = index as u64 + 1;
        let usd = line.find("\"usd\":\"").unwrap() + 7;
        let mut changed = line.to_owned();
        let digit = if &line[usd..=usd] == "1" { "2" } else { "1" };
        changed.replace_range(usd..=usd, digit);
        let (at, reason) = corrupt_line(&rechain(&text.replace(line, &changed)));
        assert_eq!(at, line_no);
        assert!(reason.contains("conversions"), "{reason}");

        let dropped = line.find(",\"conversions\":[").unwrap();
        let without = format!("{}{}", &line[..dropped], &line[line.len() - HASH_SUFFIX_LEN..]);
        let (at, reason) = corrupt_line(&rechain(&text.replace(line, &without)));
        assert_eq!(at, line_no);
        assert!(reason.contains("conversions"), "{reason}");

        let amount = line.find("\"postings\":[{\"account\"").unwrap();
        let amount = amount + line[amount..].find("\"amount\":\"").unwrap() + 10;
        let mut changed = line.to_owned();
        changed.insert(amount, '1');
        let (at, reason) = corrupt_line(&rechain(&text.replace(line, &changed)));
        assert_eq!(at, line_no);
        assert!(reason.contains("postings"), "{reason}");
    }

    /// Replays a whole journal into a new ledger, `block` bytes at a time.
    fn replay_whole<R: Read + Send>(
        reader: R,
        source: Option<&[u8]>,
        block: usize,
    ) -> Result<(Ledger, Option<Torn>), ReplayError> {
        let mut ledger = Ledger::new();
        let torn = replay_in_blocks(reader, &mut ledger, source, block, false)?;
        Ok((ledger, torn))
    }

    #[test]
    fn lines_may_straddle_blocks_of_any_size() {
        let text = include_str!("../../../tests/fixtures/window-year.jsonl");
        let bytes = text.as_bytes();
        let whole = Ledger::from_journal(text).unwrap();
        let lines = text.lines().count() as u64;
        let last = text[..text.len() - 1].rfind('\n').unwrap() + 1;
        for block in [1, 7, 64, 333, 4096, BLOCK] {
            let replayed = |bytes: &[u8]| match replay_whole(bytes, Some(bytes), block) {
                Ok(done) => done,
                Err(_) => panic!("block {block}: the journal does not replay"),
            };
            let (ledger, torn) = replayed(bytes);
            assert!(torn.is_none());
            assert_eq!(ledger.to_journal().unwrap(), text, "block {block}");
            assert_eq!(ledger.trial_balance(None), whole.trial_balance(None), "block {block}");
            // Cut inside the last line: it is torn, whatever the block size.
            for cut in [last + 1, last + 100, text.len() - 1] {
                let (ledger, torn) = replayed(&bytes[..cut]);
                let torn = torn.expect("a torn tail");
                assert_eq!((torn.line, torn.offset, torn.bytes), (lines, last as u64, (cut - last) as u64));
                assert_eq!(ledger.len() as u64, lines - 2, "block {block}");
            }
            // A changed byte in the middle is corruption on its line.
            let mut changed = bytes.to_vec();
            let middle = text.len() / 2;
            changed[middle] ^= 0x01;
            let line = text[..middle].matches('\n').count() as u64 + 1;
            match replay_whole(&changed[..], Some(&changed), block) {
                Err(ReplayError::Ledger(LedgerError::JournalCorrupt { line: at, .. })) => assert_eq!(at, line),
                _ => panic!("block {block}: a changed byte is not corruption"),
            }
        }
    }

    /// Yields `data` up to `limit` bytes, then fails.
    struct FailingRead<'a> {
        data: &'a [u8],
        limit: usize,
    }

    impl std::io::Read for FailingRead<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.limit == 0 {
                return Err(std::io::Error::other("the disk went away"));
            }
            let n = buf.len().min(self.limit).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            self.limit -= n;
            Ok(n)
        }
    }

    #[test]
    fn an_error_on_a_line_read_before_a_read_error_comes_first() {
        let text = include_str!("../../../tests/fixtures/window-year.jsonl");
        // Line 6 claims the wrong sequence number (with the chain recomputed, so only replay sees it).
        let line = text.lines().nth(5).unwrap();
        let tampered = rechain(&text.replace(line, &line.replacen("{\"seq\":5,", "{\"seq\":50,", 1)));
        let bytes = tampered.as_bytes();
        let after_line_8: usize = tampered.lines().take(8).map(|l| l.len() + 1).sum();
        for block in [64, 4096, BLOCK] {
            let reader = FailingRead { data: bytes, limit: after_line_8 + 5 };
            match replay_whole(reader, None, block) {
                Err(ReplayError::Ledger(LedgerError::JournalCorrupt { line, .. })) => {
                    assert_eq!(line, 6, "block {block}")
                }
                Err(ReplayError::Io(e)) => panic!("block {block}: the read error came first: {e}"),
                _ => panic!("block {block}: expected JOURNAL_CORRUPT"),
            }
            // Without the bad line, the read error is what is reported.
            let reader = FailingRead { data: text.as_bytes(), limit: after_line_8 + 5 };
            assert!(matches!(replay_whole(reader, None, block), Err(ReplayError::Io(_))));
        }
    }

    /// The part of an entry line before its postings.
    fn head_of(line: &str) -> &str {
        &line[..find_member(line.as_bytes(), POSTINGS_KEY).unwrap()]
    }

    #[test]
    fn the_head_as_written_reads_as_serde_reads_it() {
        let mut ledger = Ledger::new();
        let request = |json: &str| Request::from_json(json).unwrap();
        ledger
            .apply(request(
                r#"{"type":"register_donor","id":"SE","name":"Sweden","kind":"member_state",
                    "recorded_by":"Ann \"the auditor\" \\ finance","recorded_at":"2024-01-02T09:00:00Z"}"#,
            ))
            .unwrap();
        ledger
            .apply_batch([
                request(r#"{"type":"register_donor","id":"NO","name":"Norway","kind":"member_state","idempotency_key":"k-1","recorded_by":"Bo","recorded_at":"2024-01-02T09:00:00Z"}"#),
                request(r#"{"type":"register_donor","id":"DK","name":"Denmark","kind":"member_state","idempotency_key":"é-2","recorded_at":"2024-01-02T09:00:00Z"}"#),
            ])
            .unwrap();
        let ours = ledger.to_journal().unwrap().into_owned();
        let fixture = include_str!("../../../tests/fixtures/window-year.jsonl");
        let (mut fast, mut slow) = (0, 0);
        for line in fixture.lines().skip(1).chain(ours.lines().skip(1)) {
            let head = head_of(line);
            let closed = format!("{head}}}");
            let serde: LineIn<'_> = serde_json::from_str(&closed).unwrap();
            match written_head(head.as_bytes()) {
                Some(h) => {
                    fast += 1;
                    assert_eq!(h.seq, serde.seq);
                    assert_eq!(h.date, serde.date);
                    assert_eq!(h.recorded_at, serde.recorded_at);
                    assert_eq!(h.recorded_by, serde.recorded_by.as_deref());
                    assert_eq!(h.idempotency_key, serde.idempotency_key.as_deref());
                    assert_eq!(h.batch, serde.batch);
                    let command: Command = serde_json::from_str(&head[h.command..]).unwrap();
                    assert_eq!(command, serde.command);
                }
                None => {
                    slow += 1;
                    assert!(head.contains('\\'), "only heads with escapes take serde's path: {head}");
                }
            }
        }
        assert_eq!(slow, 1);
        assert!(fast > 60);
        assert_eq!(Ledger::from_journal(&ours).unwrap().to_journal().unwrap(), ours);
    }

    #[test]
    fn other_layouts_are_left_to_serde() {
        let written = r#"{"seq":12,"date":"2024-01-02","recorded_at":"2024-01-02T09:00:00Z","batch":[1,2],"command":{"#;
        assert!(written_head(written.as_bytes()).is_some());
        for other in [
            r#"{"seq":012,"recorded_at":"2024-01-02T09:00:00Z","command":{"#,
            r#"{"seq":1.0,"recorded_at":"2024-01-02T09:00:00Z","command":{"#,
            r#"{"seq":18446744073709551616,"recorded_at":"2024-01-02T09:00:00Z","command":{"#,
            r#"{"seq":1,"date":null,"recorded_at":"2024-01-02T09:00:00Z","command":{"#,
            r#"{"seq": 1,"recorded_at":"2024-01-02T09:00:00Z","command":{"#,
            r#"{"recorded_at":"2024-01-02T09:00:00Z","seq":1,"command":{"#,
            r#"{"seq":1,"seq":2,"recorded_at":"2024-01-02T09:00:00Z","command":{"#,
            r#"{"seq":1,"recorded_at":"2024-01-02T09:00:00Z","batch":[1, 2],"command":{"#,
            r#"{"seq":1,"recorded_at":"2024-01-02T09:00:00Z","batch":[1,4294967296],"command":{"#,
            r#"{"seq":1,"recorded_at":"2024-01-02T09:00:00Z","recorded_by":"a\u0041","command":{"#,
            "{\"seq\":1,\"recorded_at\":\"2024-01-02T09:00:00Z\",\"recorded_by\":\"a\tb\",\"command\":{",
            r#"{"seq":1,"recorded_at":"2024-01-02T09:00:00Z","extra":1,"command":{"#,
            r#"{"seq":1,"recorded_at":"2024-01-02T09:00:00Z""#,
        ] {
            assert!(written_head(other.as_bytes()).is_none(), "{other}");
        }
    }

    proptest::proptest! {
        /// Heads as the journal writes them, with any text in the free-form members: whatever
        /// the direct reading accepts, serde reads the same; what it declines has escapes.
        #[test]
        fn the_direct_reading_agrees_with_serde(
            seq in proptest::prelude::any::<u64>(),
            date in proptest::option::of((1i32..9999, 1u32..13, 1u32..29)),
            by in proptest::option::of(".{0,12}"),
            key in proptest::option::of(".{0,12}"),
            batch in proptest::option::of((proptest::prelude::any::<u32>(), proptest::prelude::any::<u32>())),
        ) {
            let mut head = format!("{{\"seq\":{seq}");
            if let Some((y, m, d)) = date {
                head.push_str(&format!(",\"date\":\"{y:04}-{m:02}-{d:02}\""));
            }
            head.push_str(",\"recorded_at\":\"2024-01-02T09:00:00Z\"");
            for (name, value) in [("recorded_by", &by), ("idempotency_key", &key)] {
                if let Some(value) = value {
                    head.push_str(&format!(",\"{name}\":"));
                    crate::journal::push_json_str(&mut head, value);
                }
            }
            if let Some((i, n)) = batch {
                head.push_str(&format!(",\"batch\":[{i},{n}]"));
            }
            head.push_str(",\"command\":{\"type\":\"close_period\",\"period\":\"2024-H1\"}");
            let closed = format!("{head}}}");
            let serde: LineIn<'_> = serde_json::from_str(&closed).unwrap();
            match written_head(head.as_bytes()) {
                Some(h) => {
                    proptest::prop_assert_eq!(h.seq, serde.seq);
                    proptest::prop_assert_eq!(h.date, serde.date);
                    proptest::prop_assert_eq!(h.recorded_at, serde.recorded_at);
                    proptest::prop_assert_eq!(h.recorded_by, serde.recorded_by.as_deref());
                    proptest::prop_assert_eq!(h.idempotency_key, serde.idempotency_key.as_deref());
                    proptest::prop_assert_eq!(h.batch, serde.batch);
                    let command: Command = serde_json::from_str(&head[h.command..]).unwrap();
                    proptest::prop_assert_eq!(command, serde.command);
                }
                None => proptest::prop_assert!(head.contains('\\'), "declined without an escape: {}", head),
            }
        }
    }
}
