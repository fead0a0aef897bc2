// The journal: a Rust-written file round-trips byte for byte, replays to the Rust reports, and a
// corrupted or torn text is refused with the core's codes. Bytes go to the core as they are
// (Ledger::from_journal_bytes); dateRange() and postingRows() read the journal for the caller.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { fw, ledgerError, root } from "./helpers.mjs";

const fixture = join(root, "tests", "fixtures", "window-year.jsonl");
const text = readFileSync(fixture, "utf8");
// Written by test.sh: the Rust example's journal and reports, fresh from the core.
const rustOut = process.env.FW_RUST_EXAMPLE_OUT;

test("the Rust-written fixture round-trips byte for byte", () => {
  const ledger = fw.Ledger.fromJournal(text);
  assert.equal(ledger.length, text.trimEnd().split("\n").length - 1);
  assert.equal(ledger.toJournal(), text);
  const lastHash = JSON.parse(text.trimEnd().split("\n").at(-1)).hash;
  assert.equal(ledger.chainHead, lastHash);
  // Appending in JavaScript extends the same chain; the Rust format is kept.
  ledger.apply({ type: "set_status", resolution: "2/3", status: "in preparation", recorded_at: "2025-02-01T00:00:00Z" });
  const again = fw.Ledger.fromJournal(ledger.toJournal());
  assert.equal(again.toJournal(), ledger.toJournal());
  assert.ok(again.toJournal().startsWith(text));
});

test("the Rust example's journal replays in JavaScript to the Rust example's reports", { skip: !rustOut && "FW_RUST_EXAMPLE_OUT not set (test.sh sets it)" }, () => {
  const journal = readFileSync(join(rustOut, "window-year.jsonl"), "utf8");
  const ledger = fw.Ledger.fromJournal(journal);
  assert.equal(ledger.toJournal(), journal);
  const reports = readdirSync(rustOut).filter((f) => f.endsWith(".json"));
  // Every kind of report the example writes is compared below, not only some.
  const kinds = new Set(reports.map((f) => f.replace(/(-\d{4}-H[12]|-[A-Z]+)?\.json$/, "")));
  assert.deepEqual([...kinds].sort(), ["allocation-log", "donor-statement", "tracker", "transfer-register",
    "trial-balance", "window-statement"], `reports in ${rustOut}: ${reports}`);
  for (const file of reports) {
    const expected = JSON.parse(readFileSync(join(rustOut, file), "utf8"));
    const name = file.replace(/\.json$/, "");
    let actual;
    if (name === "trial-balance") actual = ledger.trialBalance();
    else if (name === "transfer-register") actual = ledger.transferRegister();
    else if (name === "allocation-log") actual = ledger.allocationLog();
    else if (name.startsWith("tracker-")) actual = ledger.resolutionTracker(name.slice("tracker-".length));
    else if (name.startsWith("window-statement-")) actual = ledger.windowStatement(name.slice("window-statement-".length));
    else if (name.startsWith("donor-statement-")) actual = ledger.donorStatement(name.slice("donor-statement-".length));
    else assert.fail(`unexpected report file ${file}`);
    assert.deepStrictEqual(actual, expected, file);
  }
});

test("a journal may be given as its UTF-8 bytes (a Buffer or Uint8Array)", () => {
  const fromText = fw.Ledger.fromJournal(text);
  const fromBuffer = fw.Ledger.fromJournal(readFileSync(fixture));
  const fromArray = fw.Ledger.fromJournal(new Uint8Array(Buffer.from(text)));
  assert.equal(fromBuffer.toJournal(), text);
  assert.equal(fromArray.toJournal(), text);
  assert.equal(fromBuffer.chainHead, fromText.chainHead);

  // Non-ASCII text survives both ways; bytes that are not UTF-8 never load (the core refuses them).
  const ledger = new fw.Ledger();
  ledger.apply({ type: "register_donor", id: "CI", name: "Côte d’Ivoire", kind: "member_state", recorded_at: "2025-01-01T00:00:00Z" });
  ledger.apply({ type: "register_donor", id: "TR", name: "Türkiye", kind: "member_state", recorded_at: "2025-01-01T00:00:00Z" });
  const journal = ledger.toJournal();
  const bytes = Buffer.from(journal);
  assert.equal(fw.Ledger.fromJournal(bytes).toJournal(), journal);
  const damaged = Buffer.from(bytes);
  damaged[bytes.indexOf("Côte") + 1] = 0xff; // inside entry 1 (line 2)
  const corrupt = ledgerError(() => fw.Ledger.fromJournal(damaged));
  assert.equal(corrupt.code, "JOURNAL_CORRUPT");
  assert.equal(corrupt.line, 2);
  // A crash in the middle of "ü" of the last line: a torn tail, not corruption.
  const cut = bytes.lastIndexOf(Buffer.from("ü")) + 1;
  const torn = ledgerError(() => fw.Ledger.fromJournal(bytes.subarray(0, cut)));
  assert.equal(torn.code, "JOURNAL_TORN_TAIL");
  assert.equal(torn.line, 3);
  assert.equal(torn.offset, bytes.indexOf("\n", bytes.indexOf("Côte")) + 1);
});

test("a changed byte is JOURNAL_CORRUPT at its line; nothing is half-loaded", () => {
  const lines = text.split("\n");
  // Change an amount in entry 10 (line 11): the hash no longer matches.
  const target = lines.findIndex((l, i) => i >= 10 && l.includes('"amount":"'));
  const changed = [...lines];
  changed[target] = changed[target].replace(/"amount":"(\d)/, (m, d) => `"amount":"${(Number(d) + 1) % 10}`);
  const err = ledgerError(() => fw.Ledger.fromJournal(changed.join("\n")));
  assert.equal(err.code, "JOURNAL_CORRUPT");
  assert.equal(err.line, target + 1);
  assert.equal(err.details.line, target + 1);
  assert.equal(typeof err.reason, "string");
});

test("a journal cut inside its last line is JOURNAL_TORN_TAIL with the offset to cut at", () => {
  const cut = text.length - 40;
  const err = ledgerError(() => fw.Ledger.fromJournal(text.slice(0, cut)));
  assert.equal(err.code, "JOURNAL_TORN_TAIL");
  const lastStart = text.slice(0, -1).lastIndexOf("\n") + 1;
  assert.equal(err.offset, Buffer.byteLength(text.slice(0, lastStart)));
  // Cutting at the offset (in bytes) recovers every complete entry.
  const bytes = Buffer.from(text);
  const recovered = fw.Ledger.fromJournal(bytes.subarray(0, err.offset).toString("utf8"));
  assert.equal(recovered.length, err.line - 2);
});

test("texts that are not journals are refused", () => {
  const cases = [
    ["", "JOURNAL_CORRUPT"],
    ["hello\n", "JOURNAL_CORRUPT"],
    ['{"journal":"funding-window","version":2}\n', "JOURNAL_CORRUPT"],
    [text.replace(/\n/g, "\r\n"), "JOURNAL_CORRUPT"],
    [text.split("\n").slice(0, 3).join("\n") + "\n" + text.split("\n")[2] + "\n", "JOURNAL_CORRUPT"],
    [text.split("\n").filter((_, i) => i !== 5).join("\n"), "JOURNAL_CORRUPT"],
  ];
  for (const [input, code] of cases) {
    assert.equal(ledgerError(() => fw.Ledger.fromJournal(input)).code, code, JSON.stringify(input.slice(0, 60)));
  }
  assert.equal(fw.Ledger.fromJournal('{"journal":"funding-window","version":1}\n').length, 0);
  for (const bad of [undefined, null, 42, {}, ["x"], new ArrayBuffer(8), [...Buffer.from(text)]]) {
    assert.equal(ledgerError(() => fw.Ledger.fromJournal(bad)).code, "INVALID_ARGUMENT");
  }
});

test("journal bytes reach the core unchanged: a line that is not UTF-8 is JOURNAL_CORRUPT at that line", () => {
  const bytes = readFileSync(fixture);
  const lines = text.split("\n").length - 1;
  const lineStart = (n) => {
    let offset = 0;
    for (let i = 1; i < n; i++) offset = bytes.indexOf(0x0a, offset) + 1;
    return offset;
  };
  const cases = [
    // [line, bytes written at the start of that line's reference or first string, what]
    [1, [0xef, 0xbb, 0xbf], "a UTF-8 byte-order mark before the header"],
    [2, [0xff], "a byte that is never UTF-8"],
    [7, [0xc0, 0xaf], "an overlong encoding of /"],
    [12, [0xed, 0xa0, 0x80], "an encoded UTF-16 surrogate"],
    [lines, [0xe2, 0x82], "a truncated sequence inside the last complete line"],
  ];
  for (const [line, inserted, what] of cases) {
    const start = lineStart(line);
    // Inside the line's first string value (after the header's or the entry's first quote pair).
    const at = line === 1 ? start : bytes.indexOf(0x22, bytes.indexOf(0x3a, start)) + 1;
    const damaged = Buffer.concat([bytes.subarray(0, at), Buffer.from(inserted), bytes.subarray(at)]);
    const err = ledgerError(() => fw.Ledger.fromJournal(damaged));
    assert.equal(err.code, "JOURNAL_CORRUPT", `${what}: ${err.message}`);
    assert.equal(err.line, line, `${what}: ${err.message}`);
    // The same damage given as text (decoded with replacement characters) is refused at the same line.
    const asText = ledgerError(() => fw.Ledger.fromJournal(damaged.toString("utf8")));
    assert.equal(asText.code, "JOURNAL_CORRUPT", what);
    assert.equal(asText.line, line, what);
  }
  // A Uint8Array view into a larger buffer is read within its bounds.
  const padded = new Uint8Array(bytes.length + 20);
  padded.set(bytes, 10);
  assert.equal(fw.Ledger.fromJournal(padded.subarray(10, 10 + bytes.length)).toJournal(), text);
  assert.equal(ledgerError(() => fw.Ledger.fromJournal(new Uint8Array(0))).code, "JOURNAL_CORRUPT", "no header line");
});

test("dateRange() gives the first and last value dates as ISO strings, or null", () => {
  assert.equal(new fw.Ledger().dateRange(), null);
  const undated = new fw.Ledger();
  undated.apply({ type: "register_donor", id: "SE", name: "Sweden", kind: "member_state", recorded_at: "2025-01-01T00:00:00Z" });
  assert.equal(undated.dateRange(), null, "registrations have no value date");
  const ledger = fw.Ledger.fromJournal(text);
  const dates = ledger.entries().map((e) => e.date).filter(Boolean).sort();
  assert.deepStrictEqual(ledger.dateRange(), [dates[0], dates.at(-1)]);
  assert.match(ledger.dateRange()[0], /^\d{4}-\d{2}-\d{2}$/);
  // The range is of dates, not of journal order: an entry dated earlier than the last widens nothing.
  const [first, last] = ledger.dateRange();
  ledger.apply({ type: "set_status", resolution: "2/3", status: "in preparation", recorded_at: "2025-02-01T00:00:00Z" });
  assert.deepStrictEqual(ledger.dateRange(), [first, last]);
});

test("postingRows() is the journal's postings as flat rows, amounts as strings", () => {
  assert.deepStrictEqual(new fw.Ledger().postingRows(), []);
  const ledger = fw.Ledger.fromJournal(text);
  // The rows as the journal's own lines give them, read here with JSON.parse (not by the module).
  const expected = text.trimEnd().split("\n").slice(1).map((line) => JSON.parse(line)).flatMap((e) =>
    e.postings.map((p) => ({
      seq: e.seq, date: e.date ?? null, recorded_at: e.recorded_at, recorded_by: e.recorded_by ?? null,
      command: e.command.type, account: p.account, currency: p.currency, amount: p.amount,
    })));
  const rows = ledger.postingRows();
  assert.ok(expected.length > ledger.length, "the fixture posts more than one line per entry");
  assert.deepStrictEqual(rows, expected);
  for (const row of rows) assert.equal(typeof row.amount, "string");
  // Per currency, the postings of the journal sum to zero: the rows are complete.
  const cents = new Map();
  for (const row of rows) {
    const [whole, fraction = ""] = row.amount.replace("-", "").split(".");
    const minor = BigInt(whole + fraction.padEnd(3, "0")) * (row.amount.startsWith("-") ? -1n : 1n);
    cents.set(row.currency, (cents.get(row.currency) ?? 0n) + minor);
  }
  for (const [currency, total] of cents) assert.equal(total, 0n, currency);
});
