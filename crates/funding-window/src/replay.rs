//! Reading a journal back into a ledger.
//!
//! Every line is checked three ways: its SHA-256 chains to the previous line (so no
//! byte was altered, dropped or reordered), its command applies to the state rebuilt
//! so far, and the postings and value date that command produces are exactly the
//! ones stored. One thread reads, verifies hashes and parses while another applies,
//! so replay costs about the larger of the two.

use std::io::BufRead;

use chrono::NaiveDate;

use crate::calendar::parse_date;
use crate::command::{parse_timestamp, Request};
use crate::error::LedgerError;
use crate::journal::{verify_line, LineIn, HASH_SUFFIX_LEN, HEADER};
use crate::ledger::{Ledger, Mark};
use crate::limits::JOURNAL_LINE_BYTES_MAX;
use crate::state::{Posting, State};
use crate::text::{decimal, DecimalBuf};

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
    ReplayError::Ledger(LedgerError::JournalCorrupt { line, reason: reason.into() })
}

/// A line whose hash is verified, parsed into what replay needs.
struct Parsed {
    line: u64,
    bytes: u64,
    seq: u64,
    date: Option<NaiveDate>,
    batch: Option<[u32; 2]>,
    request: Request,
    /// Hash of the stored postings' bytes, compared with the replayed command's.
    postings: u64,
    hash: [u8; 32],
}

/// Where an entry's postings start, and its conversions (if any) after them.
const POSTINGS_KEY: &str = ",\"postings\":[";
const CONVERSIONS_KEY: &str = "],\"conversions\":[";

fn fingerprint(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(bytes);
    h.finish()
}

// Lines travel by value in chunks; boxing them would cost an allocation per line.
#[allow(clippy::large_enum_variant)]
enum Step {
    Line(Parsed),
    Torn(Torn),
}

/// Reads lines, verifies the hash chain and parses each entry.
struct Reader<R> {
    reader: R,
    buf: Vec<u8>,
    prev: [u8; 32],
    offset: u64,
    line: u64,
}

impl<R: BufRead> Reader<R> {
    fn new(reader: R) -> Reader<R> {
        Reader { reader, buf: Vec::with_capacity(1024), prev: [0; 32], offset: 0, line: 0 }
    }

    /// Reads one line with its newline, bounded in length.
    fn read(&mut self) -> Result<usize, ReplayError> {
        self.buf.clear();
        let mut limited = std::io::Read::take(self.reader.by_ref(), JOURNAL_LINE_BYTES_MAX as u64 + 1);
        limited.read_until(b'\n', &mut self.buf).map_err(ReplayError::Io)
    }

    fn header(&mut self) -> Result<(), ReplayError> {
        let n = self.read()?;
        self.line = 1;
        if n == 0 || self.buf != HEADER.as_bytes() {
            return Err(corrupt(1, "not a funding-window journal (bad or missing header line)"));
        }
        self.offset = n as u64;
        Ok(())
    }

    fn next(&mut self) -> Result<Option<Step>, ReplayError> {
        let n = self.read()?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        let line = self.line;
        if self.buf.last() != Some(&b'\n') {
            if n > JOURNAL_LINE_BYTES_MAX {
                return Err(corrupt(line, format!("line longer than {JOURNAL_LINE_BYTES_MAX} bytes")));
            }
            return Ok(Some(Step::Torn(Torn { line, offset: self.offset, bytes: n as u64 })));
        }
        let hash = verify_line(&self.buf[..n - 1], &self.prev).map_err(|reason| corrupt(line, reason))?;
        // The hash is verified, so the line is as this library wrote it: the head of the
        // entry (up to the command), then `,"postings":[...]`, maybe `,"conversions":[...]`.
        // Parse only the head, closing the object where the postings start; the postings'
        // bytes are compared with the replayed command's by the applier.
        let body = std::str::from_utf8(&self.buf[..n - 1 - HASH_SUFFIX_LEN]).map_err(|_| corrupt(line, "not UTF-8"))?;
        let Some(split) = body.find(POSTINGS_KEY) else {
            return Err(corrupt(line, "malformed entry: no postings"));
        };
        let rest = &body[split + POSTINGS_KEY.len() - 1..];
        let postings = match rest.find(CONVERSIONS_KEY) {
            Some(c) => &rest[..c + 1],
            None => rest,
        };
        let postings = fingerprint(postings.as_bytes());
        self.buf[split] = b'}';
        let parsed: LineIn<'_> =
            serde_json::from_slice(&self.buf[..=split]).map_err(|e| corrupt(line, format!("malformed entry: {e}")))?;
        let recorded_at = parse_timestamp(parsed.recorded_at)
            .ok_or_else(|| corrupt(line, format!("recorded_at {:?} is not RFC 3339", parsed.recorded_at)))?;
        let date = match parsed.date {
            Some(d) => Some(parse_date(d).ok_or_else(|| corrupt(line, format!("date {d:?} is not YYYY-MM-DD")))?),
            None => None,
        };
        let step = Parsed {
            line,
            bytes: n as u64,
            seq: parsed.seq,
            date,
            batch: parsed.batch,
            request: Request {
                command: parsed.command,
                idempotency_key: parsed.idempotency_key,
                recorded_by: parsed.recorded_by,
                recorded_at: Some(recorded_at),
            },
            postings,
            hash,
        };
        self.prev = hash;
        self.offset += n as u64;
        Ok(Some(Step::Line(step)))
    }
}

/// Applies parsed lines to a ledger and checks them against what they produce.
struct Applier<'s> {
    ledger: Ledger,
    /// The journal's bytes, when the ledger keeps its text in memory.
    source: Option<&'s [u8]>,
    /// Mark, first line and offset of a batch being read.
    open_batch: Option<(Mark, u64, u64)>,
    offset: u64,
    postings: String,
}

impl Applier<'_> {
    fn apply(&mut self, p: &Parsed) -> Result<(), ReplayError> {
        let ledger = &mut self.ledger;
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
        let plan =
            ledger.commit_request(&p.request).map_err(|e| corrupt(p.line, format!("entry does not replay: {e}")))?;
        if plan.date != p.date {
            return Err(corrupt(p.line, "the value date differs from the command's"));
        }
        write_postings(&ledger.state, &plan.postings, &mut self.postings);
        if fingerprint(self.postings.as_bytes()) != p.postings {
            return Err(corrupt(p.line, format!("the stored postings differ from the command's, {}", self.postings)));
        }
        let text = match self.source {
            Some(source) => {
                let range = self.offset as usize..(self.offset + p.bytes) as usize;
                let line = source.get(range).and_then(|b| std::str::from_utf8(b).ok());
                Some(line.ok_or_else(|| corrupt(p.line, "not UTF-8"))?)
            }
            None => None,
        };
        ledger.journal.push_stored(p.bytes, text, p.hash);
        self.offset += p.bytes;
        let batch_done = p.batch.is_none_or(|[i, size]| i == size);
        if batch_done {
            self.open_batch = None;
            ledger.undo.clear();
        }
        Ok(())
    }

    /// Ends the replay: an incomplete batch is dropped whole, with any torn line after it.
    fn finish(mut self, torn: Option<Torn>) -> (Ledger, Option<Torn>) {
        let mut torn = torn;
        if let Some((mark, line, offset)) = self.open_batch.take() {
            self.ledger.rollback(&mark);
            self.ledger.undo.clear();
            let end = torn.map_or(self.offset, |t| t.offset + t.bytes);
            torn = Some(Torn { line, offset, bytes: end - offset });
        }
        (self.ledger, torn)
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
        out.push_str(decimal(&p.amount, &mut DecimalBuf::default()));
        out.push_str("\"}");
    }
    out.push(']');
}

/// Replays a journal into `ledger`: an empty ledger on the journal's own file (so
/// that reversals can read the entries they reverse), or an empty in-memory
/// ledger given the journal's bytes as `source`, which it keeps.
pub(crate) fn replay<R: BufRead + Send>(
    reader: R,
    ledger: Ledger,
    source: Option<&[u8]>,
) -> Result<(Ledger, Option<Torn>), ReplayError> {
    let mut reader = Reader::new(reader);
    reader.header()?;
    let mut applier = Applier { ledger, source, open_batch: None, offset: reader.offset, postings: String::new() };
    let torn = pipeline(&mut reader, &mut applier)?;
    Ok(applier.finish(torn))
}

/// Reads on one thread and applies on the caller's, handing lines over in chunks.
#[cfg(not(target_arch = "wasm32"))]
fn pipeline<R: BufRead + Send>(reader: &mut Reader<R>, applier: &mut Applier<'_>) -> Result<Option<Torn>, ReplayError> {
    use std::sync::mpsc::sync_channel;
    const CHUNK: usize = 256;
    std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Result<Vec<Step>, ReplayError>>(8);
        scope.spawn(move || {
            let mut chunk = Vec::with_capacity(CHUNK);
            loop {
                match reader.next() {
                    Ok(Some(step)) => {
                        let last = matches!(step, Step::Torn(_));
                        chunk.push(step);
                        if last || chunk.len() == CHUNK {
                            let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                            if tx.send(Ok(full)).is_err() || last {
                                return;
                            }
                        }
                    }
                    Ok(None) => {
                        let _ = tx.send(Ok(chunk));
                        return;
                    }
                    Err(e) => {
                        let _ = tx.send(Ok(chunk)).and_then(|()| tx.send(Err(e)));
                        return;
                    }
                }
            }
        });
        for chunk in rx {
            for step in chunk? {
                match step {
                    Step::Line(p) => applier.apply(&p)?,
                    Step::Torn(t) => return Ok(Some(t)),
                }
            }
        }
        Ok(None)
    })
}

/// Bare WebAssembly has no threads: read and apply in turn.
#[cfg(target_arch = "wasm32")]
fn pipeline<R: BufRead + Send>(reader: &mut Reader<R>, applier: &mut Applier<'_>) -> Result<Option<Torn>, ReplayError> {
    while let Some(step) = reader.next()? {
        match step {
            Step::Line(p) => applier.apply(&p)?,
            Step::Torn(t) => return Ok(Some(t)),
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
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
    }
}
