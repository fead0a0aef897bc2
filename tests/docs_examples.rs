//! Runs the worked examples of the specification in `docs/` through the ledger, so the numbers
//! in the documentation are the ledger's and cannot drift from it.
//!
//! A page marks what it shows with HTML comments (invisible when the page is rendered), each
//! followed by the block it applies to:
//!
//! | marker | next block | check |
//! |---|---|---|
//! | `<!-- check: new ledger -->` | none | later examples on the page start from an empty ledger |
//! | `<!-- check: apply -->` | ```` ```json ```` commands | each is applied and must succeed |
//! | `<!-- check: postings -->` | a table `account \| currency \| amount` | exactly the postings of the last command applied |
//! | `<!-- check: refused CODE -->` | ```` ```json ```` one command | it fails with `CODE` and changes nothing |
//! | `<!-- check: batch -->` | ```` ```json ```` commands | applied as one batch; it must succeed |
//! | `<!-- check: batch refused CODE INDEX -->` | ```` ```json ```` commands | the batch fails at `INDEX` (0-based; a command that does not parse fails it too) with `CODE`, changing nothing; the kept error's `message` is the batch's |
//! | `<!-- check: preview -->` | ```` ```json ```` an `allocate` command | previewed (nothing changes); the result is kept |
//! | `<!-- check: report NAME {ARGS} -->` | none | the report is computed and kept |
//! | `<!-- check: report-fails CODE NAME {ARGS} -->` | none | the report is refused with `CODE` |
//! | `<!-- check: entry SEQ -->` | none | the journal entry `SEQ`, parsed, is kept |
//! | `<!-- check: result -->` | a table, or ```` ```json ```` | the kept result: see below |
//! | `<!-- check: csv NAME {ARGS} -->` | ```` ```csv ```` | exactly the CSV export (CRLF shown as line ends) |
//! | `<!-- check: journal line SEQ -->` | ```` ```text ```` | exactly line `SEQ` of the journal |
//! | `<!-- check: hledger -->` | ```` ```text ```` | exactly the hledger export, hashes shortened to `abcd…` |
//! | `<!-- check: parses -->` | ```` ```json ```` commands | each parses as a command of the contract (not applied) |
//!
//! A `result` table lists rows of the kept result's main list (`postings`, `rows`, `accounts`,
//! `agreements` or `lines`), with field names as column headers: each table row must match the
//! next such row, in order, on every column shown (other rows may be left out; `null` is written
//! `null`). A ```` ```json ```` result must match the kept value on every key it shows (objects may
//! leave keys out; arrays are compared in full).
//!
//! Commands without `recorded_at` get a fixed one, so journal lines and hashes are the same on
//! every run. Every ```` ```json ```` block in `docs/` must carry a marker: an example that is not
//! run is not allowed. Failures print what the ledger gives, ready to paste.

use std::path::{Path, PathBuf};

use funding_window::export::CsvReport;
use funding_window::{BatchError, Ledger, LedgerError, Request};
use serde_json::value::RawValue;
use serde_json::{json, Value};

/// `recorded_at` of every command that gives none.
const RECORDED_AT: &str = "2025-01-15T09:00:00Z";

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("docs")
}

/// A fenced block or a table of a page, with the line it starts on (1-based).
#[derive(Debug)]
enum Block {
    Fence { info: String, text: String },
    Table { header: Vec<String>, rows: Vec<Vec<String>> },
}

/// A marker and the block after it (if the marker takes one).
struct Check {
    line: usize,
    directive: String,
    block: Option<(usize, Block)>,
}

/// What a page is made of, for the checks: markers with their blocks, and the line of every
/// ```json block (to find the unmarked ones).
struct Page {
    checks: Vec<Check>,
    json_blocks: Vec<usize>,
}

fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| c.trim().trim_matches('`').to_owned()).collect()
}

/// Splits a page into markers and blocks.
fn parse_page(text: &str) -> Result<Page, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut checks = Vec::new();
    let mut json_blocks = Vec::new();
    let mut i = 0;
    // Reads the block starting at line `i` (a fence or a table), returning it and the next line.
    let read_block = |start: usize| -> Result<(Block, usize), String> {
        let first = lines[start];
        if let Some(info) = first.strip_prefix("```") {
            let mut j = start + 1;
            let mut body = Vec::new();
            while j < lines.len() && !lines[j].starts_with("```") {
                body.push(lines[j]);
                j += 1;
            }
            if j == lines.len() {
                return Err(format!("line {}: unclosed code block", start + 1));
            }
            Ok((Block::Fence { info: info.trim().to_owned(), text: body.join("\n") }, j + 1))
        } else if first.trim_start().starts_with('|') {
            let header = cells(first);
            let mut j = start + 2; // the |---| line
            let mut rows = Vec::new();
            while j < lines.len() && lines[j].trim_start().starts_with('|') {
                rows.push(cells(lines[j]));
                j += 1;
            }
            Ok((Block::Table { header, rows }, j))
        } else {
            Err(format!("line {}: expected a code block or a table", start + 1))
        }
    };
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("```") {
            let (block, next) = read_block(i)?;
            if matches!(&block, Block::Fence { info, .. } if info == "json") {
                json_blocks.push(i + 1);
            }
            i = next;
        } else if let Some(rest) = line.trim().strip_prefix("<!-- check:") {
            let directive = rest.trim_end_matches("-->").trim().to_owned();
            let takes_block = !(directive == "new ledger"
                || directive.starts_with("report ")
                || directive.starts_with("report-fails ")
                || directive == "report"
                || directive.starts_with("entry "));
            let mut block = None;
            let mut next = i + 1;
            if takes_block {
                while next < lines.len() && lines[next].trim().is_empty() {
                    next += 1;
                }
                if next == lines.len() {
                    return Err(format!("line {}: `{directive}` is not followed by a block", i + 1));
                }
                let (b, after) = read_block(next).map_err(|e| format!("`{directive}` on line {}: {e}", i + 1))?;
                block = Some((next + 1, b));
                next = after;
            }
            checks.push(Check { line: i + 1, directive, block });
            i = next;
        } else {
            i += 1;
        }
    }
    Ok(Page { checks, json_blocks })
}

/// The JSON values of a ```json block (one or more, one after the other), each as its text:
/// commands go to the ledger as written (a key written twice stays twice).
fn json_values(text: &str) -> Result<Vec<String>, String> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Box<RawValue>>()
        .map(|v| v.map(|raw| raw.get().to_owned()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not JSON: {e}"))
}

/// A command of a page, with the fixed `recorded_at` when it gives none.
fn request(cmd: &str) -> Result<Request, LedgerError> {
    match cmd.strip_prefix('{') {
        Some(rest) if !cmd.contains("\"recorded_at\"") => {
            Request::from_json(&format!("{{\"recorded_at\": \"{RECORDED_AT}\", {rest}"))
        }
        _ => Request::from_json(cmd),
    }
}

fn fingerprint(ledger: &Ledger) -> String {
    format!("{}|{}", serde_json::to_string(&ledger.trial_balance(None)).unwrap_or_default(), ledger.chain_head())
}

fn text_arg<'a>(args: &'a Value, name: &str) -> Option<&'a str> {
    args.get(name).and_then(Value::as_str)
}

/// A result as the JSON every front end gets (`null` if it could not be written, which the
/// comparison then reports).
macro_rules! to_value {
    ($value:expr) => {
        serde_json::to_value($value).unwrap_or(Value::Null)
    };
}

/// A report by name, as the JSON every front end gets.
fn report(ledger: &Ledger, name: &str, args: &Value) -> Result<Value, LedgerError> {
    let date = |name: &str| text_arg(args, name).map(|d| funding_window::calendar::date_argument(name, d)).transpose();
    let period = || Ledger::parse_period(text_arg(args, "period").unwrap_or(""));
    Ok(match name {
        "trial_balance" => to_value!(&ledger.trial_balance(date("as_of")?)),
        "resolution_tracker" => to_value!(&ledger.resolution_tracker(period()?)),
        "window_statement" => to_value!(&ledger.window_statement(period()?)),
        "donor_statement" => to_value!(&ledger.donor_statement(text_arg(args, "donor").unwrap_or(""))?),
        "transfer_register" => to_value!(&ledger.transfer_register()),
        "allocation_log" => to_value!(&ledger.allocation_log()),
        "window_balance" => to_value!(&ledger.window_balance(date("as_of")?)),
        "resolutions" => to_value!(&ledger.resolutions()),
        "donors" => to_value!(&ledger.donors()),
        other => panic!("the docs name an unknown report {other:?}"),
    })
}

/// Text with every 64-digit hash shortened to its first four digits and `…`, as pages show them.
fn shorten_hashes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_hexdigit()) {
        let run = rest[start..].find(|c: char| !c.is_ascii_hexdigit()).map_or(rest.len() - start, |n| n);
        out.push_str(&rest[..start]);
        let digits = &rest[start..start + run];
        if run == 64 {
            out.push_str(&digits[..4]);
            out.push('…');
        } else {
            out.push_str(digits);
        }
        rest = &rest[start + run..];
    }
    out.push_str(rest);
    out
}

/// A cell as a table shows it.
fn cell(value: Option<&Value>) -> String {
    match value {
        None => "(absent)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The list a table is compared with.
fn main_list(value: &Value) -> Option<&Vec<Value>> {
    if let Value::Array(list) = value {
        return Some(list);
    }
    ["postings", "rows", "accounts", "agreements", "lines"].iter().find_map(|k| value.get(*k)?.as_array())
}

fn render_table(header: &[String], rows: &[Value]) -> String {
    let mut out = format!("| {} |\n|{}\n", header.join(" | "), "---|".repeat(header.len()));
    for row in rows {
        let cells: Vec<String> = header.iter().map(|h| cell(row.get(h))).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// Compares a table with a list: every table row must match the next list row on its columns
/// (`exact`: the table is the whole list, in order).
fn compare_table(header: &[String], rows: &[Vec<String>], actual: &[Value], exact: bool) -> Result<(), String> {
    let matches = |want: &[String], got: &Value| header.iter().zip(want).all(|(h, w)| &cell(got.get(h)) == w);
    let mismatch = || format!("the ledger gives:\n{}", render_table(header, actual));
    if exact {
        if rows.len() != actual.len() || !rows.iter().zip(actual).all(|(w, g)| matches(w, g)) {
            return Err(mismatch());
        }
        return Ok(());
    }
    let mut from = 0;
    for want in rows {
        if want.len() != header.len() {
            return Err(format!("a row has {} cells for {} columns: {want:?}", want.len(), header.len()));
        }
        match actual[from..].iter().position(|got| matches(want, got)) {
            Some(p) => from += p + 1,
            None => return Err(format!("no row {want:?} (in order) among the rows; {}", mismatch())),
        }
    }
    Ok(())
}

/// Whether `actual` shows everything `expected` shows (objects may leave keys out).
fn contains(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().all(|(k, v)| a.get(k).is_some_and(|x| contains(v, x))),
        (Value::Array(e), Value::Array(a)) => e.len() == a.len() && e.iter().zip(a).all(|(x, y)| contains(x, y)),
        _ => expected == actual,
    }
}

/// One page's ledger and what the last check produced.
struct Run {
    ledger: Ledger,
    last_applied: Option<Value>,
    kept: Option<Value>,
}

impl Run {
    fn new() -> Run {
        Run { ledger: Ledger::new(), last_applied: None, kept: None }
    }

    fn check(&mut self, check: &Check) -> Result<(), String> {
        let words: Vec<&str> = check.directive.split_whitespace().collect();
        let fence = |want: &str| -> Result<&str, String> {
            match &check.block {
                Some((_, Block::Fence { info, text })) if info == want => Ok(text),
                _ => Err(format!("expects a ```{want} block")),
            }
        };
        let args_after = |n: usize| -> Result<Value, String> {
            let rest: Vec<&str> = check.directive.splitn(n + 1, ' ').collect();
            match rest.get(n) {
                Some(json) if !json.trim().is_empty() => {
                    serde_json::from_str(json).map_err(|e| format!("arguments: {e}"))
                }
                _ => Ok(Value::Null),
            }
        };
        match words.as_slice() {
            ["new", "ledger"] => *self = Run::new(),
            ["apply"] => {
                for cmd in json_values(fence("json")?)? {
                    let applied = request(&cmd)
                        .and_then(|r| self.ledger.apply(r))
                        .map_err(|e| format!("{} refused {}: {e}", e.code(), cmd))?;
                    self.last_applied = Some(to_value!(&applied));
                    self.kept = self.last_applied.clone();
                }
            }
            ["parses"] => {
                for cmd in json_values(fence("json")?)? {
                    Request::from_json(&cmd).map_err(|e| format!("does not parse: {cmd}: {e}"))?;
                }
            }
            ["batch"] | ["batch", "refused", _, _] => {
                // A command that does not parse fails the batch at its index, as in the bindings.
                let requests = json_values(fence("json")?)?
                    .iter()
                    .enumerate()
                    .map(|(index, c)| request(c).map_err(|error| BatchError { index, error }))
                    .collect::<Result<Vec<_>, _>>();
                let before = fingerprint(&self.ledger);
                match (requests.and_then(|r| self.ledger.apply_batch(r)), words.get(2..4)) {
                    (Ok(applied), None) => {
                        self.last_applied = applied.last().map(|a| to_value!(a));
                        self.kept = Some(to_value!(&applied));
                    }
                    (Err(e), Some([code, index])) => {
                        if e.code() != *code || e.index.to_string() != *index {
                            return Err(format!("the batch failed at {} with {} ({e})", e.index, e.code()));
                        }
                        if fingerprint(&self.ledger) != before {
                            return Err("the failed batch changed the ledger".into());
                        }
                        // The message as Python's str() and JavaScript's message show it.
                        let mut kept = e.error.to_json_value();
                        kept["message"] = e.to_string().into();
                        self.kept = Some(kept);
                    }
                    (Ok(_), Some(_)) => return Err("the batch succeeded".into()),
                    (Err(e), _) => return Err(format!("the batch failed at {}: {} ({e})", e.index, e.code())),
                }
            }
            ["refused", code] => {
                let cmds = json_values(fence("json")?)?;
                let [cmd] = cmds.as_slice() else { return Err("expects exactly one command".into()) };
                let before = fingerprint(&self.ledger);
                match request(cmd).and_then(|r| self.ledger.apply(r)) {
                    Ok(_) => return Err(format!("{cmd} was applied, not refused with {code}")),
                    Err(e) if e.code() != *code => return Err(format!("refused with {}, not {code}: {e}", e.code())),
                    Err(e) => self.kept = Some(e.to_json_value()),
                }
                if fingerprint(&self.ledger) != before {
                    return Err("the refused command changed the ledger".into());
                }
            }
            ["preview"] => {
                let cmds = json_values(fence("json")?)?;
                let [cmd] = cmds.as_slice() else { return Err("expects exactly one command".into()) };
                let preview = request(cmd)
                    .and_then(|r| self.ledger.preview_request(&r))
                    .map_err(|e| format!("{}: {e}", e.code()))?;
                self.kept = Some(to_value!(&preview));
            }
            ["report", name, ..] => {
                let value = report(&self.ledger, name, &args_after(2)?).map_err(|e| format!("{}: {e}", e.code()))?;
                self.kept = Some(value);
            }
            ["report-fails", code, name, ..] => match report(&self.ledger, name, &args_after(3)?) {
                Ok(_) => return Err(format!("the report was computed, not refused with {code}")),
                Err(e) if e.code() != *code => return Err(format!("refused with {}, not {code}: {e}", e.code())),
                Err(e) => self.kept = Some(e.to_json_value()),
            },
            ["entry", seq] => {
                let seq: u64 = seq.parse().map_err(|_| format!("not an entry number: {seq}"))?;
                self.kept = Some(to_value!(&self.ledger.entry(seq).map_err(|e| e.to_string())?));
            }
            ["postings"] => {
                let applied = self.last_applied.as_ref().ok_or("no command was applied before")?;
                let Some((_, Block::Table { header, rows })) = &check.block else {
                    return Err("expects a table".into());
                };
                let postings = main_list(applied).cloned().unwrap_or_default();
                compare_table(header, rows, &postings, true)?;
            }
            ["result"] | ["result", "all"] => {
                let kept = self.kept.as_ref().ok_or("nothing was computed before")?;
                match &check.block {
                    Some((_, Block::Table { header, rows })) => {
                        let list =
                            main_list(kept).ok_or_else(|| format!("no list to compare a table with in {kept}"))?;
                        compare_table(header, rows, list, words.len() == 2)?;
                    }
                    Some((_, Block::Fence { info, text })) if info == "json" => {
                        let expected: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
                        if !contains(&expected, kept) {
                            return Err(format!(
                                "the ledger gives:\n{}",
                                serde_json::to_string_pretty(kept).unwrap_or_default()
                            ));
                        }
                    }
                    _ => return Err("expects a table or a ```json block".into()),
                }
            }
            ["csv", name, ..] => {
                let report = CsvReport::from_args(name, &args_after(2)?).map_err(|e| e.to_string())?;
                let csv = self.ledger.export_csv(&report).map_err(|e| e.to_string())?.replace("\r\n", "\n");
                let want = fence("csv")?;
                if csv.trim_end() != want.trim_end() {
                    return Err(format!("the ledger gives:\n{csv}"));
                }
            }
            ["hledger"] => {
                let text = self.ledger.export_hledger().map_err(|e| e.to_string())?;
                let shown = shorten_hashes(&text);
                if shown.trim_end() != fence("text")?.trim_end() {
                    return Err(format!("the ledger gives:\n{shown}"));
                }
            }
            ["journal", "line", seq] => {
                let seq: usize = seq.parse().map_err(|_| format!("not an entry number: {seq}"))?;
                let journal = self.ledger.to_journal().map_err(|e| e.to_string())?;
                // Line 1 is the header; entry n is line n + 1.
                let line = journal.lines().nth(seq).ok_or_else(|| format!("no entry {seq}"))?;
                if line != fence("text")?.trim_end() {
                    return Err(format!("the ledger gives:\n{line}"));
                }
            }
            _ => return Err("unknown marker".into()),
        }
        Ok(())
    }
}

fn run_page(path: &Path) -> Vec<String> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let page = match parse_page(&text) {
        Ok(page) => page,
        Err(e) => return vec![format!("{name}: {e}")],
    };
    let mut failures = Vec::new();
    let checked: Vec<usize> = page.checks.iter().filter_map(|c| c.block.as_ref().map(|b| b.0)).collect();
    for line in page.json_blocks.iter().filter(|l| !checked.contains(l)) {
        failures.push(format!("{name}:{line}: a ```json block without a `<!-- check: ... -->` marker"));
    }
    let mut run = Run::new();
    for check in &page.checks {
        if let Err(e) = run.check(check) {
            failures.push(format!("{name}:{}: `{}`: {e}", check.line, check.directive));
        }
    }
    // The page's ledger replays from its journal to the same books.
    let replayed = run
        .ledger
        .to_journal()
        .map_err(|e| e.to_string())
        .and_then(|j| Ledger::from_journal(&j).map_err(|e| e.to_string()));
    match replayed {
        Ok(again) if fingerprint(&again) == fingerprint(&run.ledger) => {}
        Ok(_) => failures.push(format!("{name}: the page's ledger replays to other books")),
        Err(e) => failures.push(format!("{name}: the page's ledger does not replay: {e}")),
    }
    failures
}

#[test]
fn every_worked_example_in_the_docs_is_what_the_ledger_computes() {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(docs_dir())
        .unwrap_or_else(|e| panic!("{}: {e}", docs_dir().display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    // FW_DOCS_PAGE=name.md checks one page (while writing it).
    if let Some(only) = std::env::var_os("FW_DOCS_PAGE") {
        pages.retain(|p| p.file_name() == Some(only.as_os_str()));
        let failures: Vec<String> = pages.iter().flat_map(|p| run_page(p)).collect();
        assert!(failures.is_empty(), "{} failures:\n\n{}", failures.len(), failures.join("\n\n"));
        return;
    }
    assert!(pages.len() >= 8, "docs/ has {} pages", pages.len());
    let checks: usize = pages
        .iter()
        .map(|p| parse_page(&std::fs::read_to_string(p).unwrap_or_default()).map_or(0, |page| page.checks.len()))
        .sum();
    assert!(checks >= 40, "only {checks} checked examples in docs/");
    let failures: Vec<String> = pages.iter().flat_map(|p| run_page(p)).collect();
    assert!(failures.is_empty(), "{} failures:\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn the_checker_catches_a_wrong_number() {
    // The same machinery on a page with a mistake: a wrong amount and a wrong code both fail.
    let page = "<!-- check: apply -->\n```json\n\
        {\"type\": \"register_donor\", \"id\": \"NO\", \"name\": \"Norway\", \"kind\": \"member_state\"}\n\
        {\"type\": \"sign_agreement\", \"id\": \"CA-1\", \"donor\": \"NO\", \"currency\": \"USD\", \"amount\": \"900.00\", \
         \"signed_on\": \"2024-02-01\", \"psc_rate\": \"0.07\", \"elective_transfer\": false, \
         \"purpose\": {\"window\": {\"earmarked_to\": []}}}\n```\n\n\
        <!-- check: postings -->\n\
        | account | currency | amount |\n|---|---|---|\n\
        | assets:receivable:CA-1 | USD | 900.00 |\n| funds:window:unallocated | USD | -900.01 |\n\n\
        <!-- check: refused UNKNOWN_DONOR -->\n```json\n\
        {\"type\": \"register_donor\", \"id\": \"NO\", \"name\": \"Norway\", \"kind\": \"member_state\"}\n```\n";
    let parsed = parse_page(page).unwrap();
    let mut run = Run::new();
    let results: Vec<Result<(), String>> = parsed.checks.iter().map(|c| run.check(c)).collect();
    assert!(results[0].is_ok(), "{results:?}");
    assert!(results[1].as_ref().unwrap_err().contains("-900.00"), "{results:?}");
    assert!(results[2].as_ref().unwrap_err().contains("DUPLICATE_ID"), "{results:?}");
    assert!(contains(&json!({"a": "1"}), &json!({"a": "1", "b": 2})));
    assert!(!contains(&json!({"a": ["1"]}), &json!({"a": ["1", "2"]})));
}

#[test]
fn every_error_code_and_command_type_is_documented() {
    let read = |page: &str| std::fs::read_to_string(docs_dir().join(page)).unwrap_or_default();
    let errors = read("errors.md");
    let missing: Vec<&&str> =
        funding_window::ERROR_CODES.iter().filter(|code| !errors.contains(&format!("| `{code}` |"))).collect();
    assert!(missing.is_empty(), "docs/errors.md has no row for {missing:?}");
    let commands = read("commands.md");
    let missing: Vec<&&str> = funding_window::command::COMMAND_TYPES
        .iter()
        .filter(|name| !commands.contains(&format!("\n## {name}\n")))
        .collect();
    assert!(missing.is_empty(), "docs/commands.md has no section for {missing:?}");
}

/// The anchor GitHub gives a heading: lower case, punctuation other than `-` and `_` dropped,
/// spaces as `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[test]
fn every_link_between_pages_resolves() {
    let root = docs_dir().join("..");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(docs_dir())
        .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    for readme in [
        "README.md",
        "bindings/python/README.md",
        "bindings/wasm/README.md",
        "bindings/wasm-exports/README.md",
        "examples/dashboard/README.md",
        "tests/scenarios/README.md",
        "tests/fuzz/README.md",
    ] {
        pages.push(root.join(readme));
    }
    let mut broken = Vec::new();
    for page in pages.iter().filter(|p| p.extension().is_some_and(|x| x == "md")) {
        let text = std::fs::read_to_string(page).unwrap_or_default();
        let mut in_fence = false;
        for line in text.lines() {
            if line.starts_with("```") {
                in_fence = !in_fence;
            }
            if in_fence {
                continue;
            }
            let mut rest = line;
            while let Some(at) = rest.find("](") {
                let after = &rest[at + 2..];
                let Some(end) = after.find(')') else { break };
                let target = &after[..end];
                rest = &after[end..];
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
                let path = if file.is_empty() { page.clone() } else { page.parent().unwrap_or(&root).join(file) };
                let Ok(content) =
                    std::fs::read_to_string(&path).or_else(|e| if path.is_dir() { Ok(String::new()) } else { Err(e) })
                else {
                    broken.push(format!("{}: {target}", page.display()));
                    continue;
                };
                if !fragment.is_empty() {
                    let found = content
                        .lines()
                        .filter_map(|l| l.strip_prefix('#').map(|h| h.trim_start_matches('#')))
                        .any(|h| anchor(h) == fragment);
                    if !found {
                        broken.push(format!("{}: {target} (no such heading)", page.display()));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
