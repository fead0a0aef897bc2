// Exports (issue 5): CSV, IATI 2.03 XML, the hledger journal and the Excel report pack are the
// core's text (or bytes), written by the exports module (bindings/wasm-exports) from the books of
// a journal, so they must be exactly the golden files of tests/fixtures/exports/ and
// tests/fixtures/xlsx/ (their READMEs list the call making each one from
// tests/fixtures/window-year.jsonl), whether the books are given as the journal's bytes, its text
// or a ledger of the main module. Bad arguments throw LedgerError with the core's code and change
// nothing.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { fingerprint, fw, fx, ledgerError, root, smallLedger } from "./helpers.mjs";

const goldenDir = join(root, "tests", "fixtures", "exports");
const journal = readFileSync(join(root, "tests", "fixtures", "window-year.jsonl"));
const generated_at = "2025-01-15T09:00:00Z";

/** The call making each golden file (tests/fixtures/exports/README.md), in JavaScript. */
const GOLDEN = {
  "trial_balance.csv": (books) => fx.exportCsv(books, "trial_balance"),
  "resolution_tracker-2024-H1.csv": (books) => fx.exportCsv(books, "resolution_tracker", { period: "2024-H1" }),
  "resolution_tracker-2024-H2.csv": (books) => fx.exportCsv(books, "resolution_tracker", { period: "2024-H2" }),
  "window_statement-2024-H1.csv": (books) => fx.exportCsv(books, "window_statement", { period: "2024-H1" }),
  "window_statement-2024-H2.csv": (books) => fx.exportCsv(books, "window_statement", { period: "2024-H2" }),
  "donor_statement.csv": (books) => fx.exportCsv(books, "donor_statement", null),
  "transfer_register.csv": (books) => fx.exportCsv(books, "transfer_register"),
  "allocation_log.csv": (books) => fx.exportCsv(books, "allocation_log"),
  "journal.csv": (books) => fx.exportCsv(books, "journal"),
  "iati-activities.xml": (books) => fx.exportIati(books, { generated_at }),
  "window-year.journal": (books) => fx.exportHledger(books),
};

const ledger = fw.Ledger.fromJournal(journal);

/** The same books in each form the exports take. */
const FORMS = {
  "the journal's bytes": journal,
  "the journal's text": journal.toString("utf8"),
  "a ledger of the main module": ledger,
};

test("every golden file has its call here, and csvReports() lists the core's reports", () => {
  const files = readdirSync(goldenDir).filter((f) => f !== "README.md" && !f.startsWith(".")).sort();
  assert.deepEqual(files, Object.keys(GOLDEN).sort());
  const readme = readFileSync(join(goldenDir, "README.md"), "utf8");
  for (const file of files) assert.ok(readme.includes(file.split("-2024-")[0]), `${file} in the README`);
  assert.deepEqual(fw.csvReports(), [
    "trial_balance", "resolution_tracker", "window_statement", "donor_statement", "transfer_register", "allocation_log", "journal",
  ]);
});

for (const [file, exportOf] of Object.entries(GOLDEN)) {
  test(`${file} is the golden file byte for byte, from bytes, text and a ledger`, () => {
    const golden = readFileSync(join(goldenDir, file));
    for (const [form, books] of Object.entries(FORMS)) {
      const text = exportOf(books);
      assert.equal(typeof text, "string");
      if (!Buffer.from(text, "utf8").equals(golden)) {
        // Show where, as text.
        assert.equal(text, golden.toString("utf8"), `${file} from ${form}`);
        assert.fail(`${file} from ${form}: same text, other bytes`);
      }
    }
  });
}

test("the Excel report pack is the golden workbook, the same bytes as Rust's and Python's", () => {
  const golden = readFileSync(join(root, "tests", "fixtures", "xlsx", "report-pack-2024-H2.xlsx"));
  const options = { generated_at, period: "2024-H2" };
  for (const [form, books] of Object.entries(FORMS)) {
    const bytes = fx.exportXlsx(books, options);
    assert.ok(bytes instanceof Uint8Array, form);
    assert.ok(Buffer.from(bytes).equals(golden), `tests/fixtures/xlsx/report-pack-2024-H2.xlsx from ${form}`);
  }
});

test("the main module has no exports: they are the exports module's", () => {
  for (const name of ["exportCsv", "exportIati", "exportHledger", "exportXlsx"]) {
    assert.equal(fw.Ledger.prototype[name], undefined, `Ledger.prototype.${name}`);
    assert.equal(fw[name], undefined, name);
    assert.equal(typeof fx[name], "function", name);
  }
});

test("exports only read the ledger they are given, and are the same after a replay", () => {
  const before = fingerprint(ledger);
  const replayed = fw.Ledger.fromJournal(ledger.toJournal());
  for (const [file, exportOf] of Object.entries(GOLDEN)) assert.equal(exportOf(replayed), exportOf(ledger), file);
  assert.equal(fingerprint(ledger), before);
  replayed.free();
});

test("exports follow the ledger: an allocation applied shows in the next export", () => {
  const small = smallLedger();
  const before = fx.exportCsv(small, "allocation_log");
  small.apply({
    type: "allocate", id: "EB-1", decided_on: "2024-03-01", amount: "300.00", policy: "equal",
    resolutions: ["2/2", "2/9"], recorded_at: generated_at,
  });
  const after = fx.exportCsv(small, "allocation_log");
  assert.notEqual(after, before);
  assert.match(after, /^EB-1,2024-03-01,.*2\/2,/m);
  assert.equal(fx.exportCsv(small.toJournal(), "allocation_log"), after);
  small.free();
});

test("argument forms: absent, null and {} args; IATI options as JSON text", () => {
  const tb = fx.exportCsv(journal, "trial_balance");
  assert.equal(fx.exportCsv(journal, "trial_balance", undefined), tb);
  assert.equal(fx.exportCsv(journal, "trial_balance", null), tb);
  assert.equal(fx.exportCsv(journal, "trial_balance", {}), tb);
  assert.equal(fx.exportCsv(journal, "trial_balance", { as_of: null }), tb);
  assert.ok(tb.startsWith("account,currency,balance\r\n"));
  const mid = fx.exportCsv(journal, "trial_balance", { as_of: "2024-06-30" });
  assert.notEqual(mid, tb);
  assert.equal(mid.split("\r\n")[0], "account,currency,balance");
  const sweden = fx.exportCsv(journal, "donor_statement", { donor: "SE" });
  const all = fx.exportCsv(journal, "donor_statement");
  // Sweden's statement is the header and exactly Sweden's rows of every donor's.
  const [header, ...rows] = all.trimEnd().split("\r\n");
  const swedish = rows.filter((row) => row.startsWith("SE,"));
  assert.ok(swedish.length > 0 && swedish.length < rows.length);
  assert.equal(sweden, [header, ...swedish].join("\r\n") + "\r\n");
  assert.equal(fx.exportIati(journal, JSON.stringify({ generated_at })), fx.exportIati(journal, { generated_at }));
  // Options the core takes: the window alone, up to a date.
  const windowOnly = fx.exportIati(journal, { generated_at, as_of: "2024-06-30", include_projects: false });
  assert.equal((windowOnly.match(/<iati-activity /g) ?? []).length, 1);
  assert.ok(windowOnly.includes("<iati-identifier>XM-DAC-41120-UAFW</iati-identifier>"));
  assert.ok(!windowOnly.includes('iso-date="2024-07'), "nothing after as_of");
});

test("bad export arguments throw LedgerError with the core's code and change nothing", () => {
  const small = smallLedger();
  const before = fingerprint(small);
  const xlsx = { generated_at, period: "2024-H2" };
  const cases = [
    // [call, code, argument named in details.name]
    [() => fx.exportCsv(small, "balance_sheet"), "INVALID_ARGUMENT", "report"],
    [() => fx.exportCsv(small, 42), "INVALID_ARGUMENT", "report"],
    [() => fx.exportCsv(small, undefined), "INVALID_ARGUMENT", "report"],
    [() => fx.exportCsv(small, "resolution_tracker"), "INVALID_ARGUMENT", "period"],
    [() => fx.exportCsv(small, "resolution_tracker", { period: "2024-H3" }), "INVALID_ARGUMENT", "period"],
    [() => fx.exportCsv(small, "resolution_tracker", { period: 2024 }), "INVALID_ARGUMENT", "period"],
    [() => fx.exportCsv(small, "resolution_tracker", "2024-H2"), "INVALID_ARGUMENT", "args"],
    [() => fx.exportCsv(small, "resolution_tracker", ["2024-H2"]), "INVALID_ARGUMENT", "args"],
    [() => fx.exportCsv(small, "trial_balance", { period: "2024-H2" }), "INVALID_ARGUMENT", "args"],
    [() => fx.exportCsv(small, "trial_balance", { as_of: "2024-02-30" }), "INVALID_ARGUMENT", "as_of"],
    [() => fx.exportCsv(small, "journal", { extra: true }), "INVALID_ARGUMENT", "args"],
    [() => fx.exportCsv(small, "donor_statement", { donor: "XX" }), "UNKNOWN_DONOR", undefined],
    // Values JSON cannot carry exactly are refused by the shared walk, naming the argument.
    [() => fx.exportCsv(small, "trial_balance", { as_of: undefined }), "INVALID_ARGUMENT", "args.as_of"],
    [() => fx.exportCsv(small, "resolution_tracker", { period: NaN }), "INVALID_ARGUMENT", "args.period"],
    [() => fx.exportCsv(small, "trial_balance", { as_of: new Date("2024-06-30") }), "INVALID_ARGUMENT", "args.as_of"],
    [() => fx.exportCsv(small, "trial_balance", new Map()), "INVALID_ARGUMENT", "args"],
    [() => fx.exportIati(small), "INVALID_ARGUMENT", "options"],
    [() => fx.exportIati(small, null), "INVALID_ARGUMENT", "options"],
    [() => fx.exportIati(small, {}), "INVALID_ARGUMENT", "options"],
    [() => fx.exportIati(small, { generated_at: "yesterday" }), "INVALID_ARGUMENT", "options"],
    [() => fx.exportIati(small, { generated_at: new Date() }), "INVALID_ARGUMENT", "options.generated_at"],
    [() => fx.exportIati(small, { generated_at, as_of: "2025-02-01" }), "INVALID_ARGUMENT", "as_of"],
    [() => fx.exportIati(small, { generated_at, colour: "blue" }), "INVALID_ARGUMENT", "options"],
    [() => fx.exportIati(small, { generated_at, include_projects: "yes" }), "INVALID_ARGUMENT", "options"],
    [() => fx.exportIati(small, { generated_at, window_suffix: "UA FW" }), "INVALID_ARGUMENT", "window_suffix"],
    [() => fx.exportIati(small, { generated_at, reporting_org_name: " " }), "INVALID_ARGUMENT", "reporting_org_name"],
    [() => fx.exportIati(small, "{not json"), "INVALID_ARGUMENT", "options"],
    [() => fx.exportIati(small, 42), "INVALID_ARGUMENT", "options"],
    [() => fx.exportXlsx(small, { period: "2024-H2" }), "INVALID_ARGUMENT", "options"],
    [() => fx.exportXlsx(small, { generated_at, period: "2024-H3" }), "INVALID_ARGUMENT", "options"],
    [() => fx.exportXlsx(small, { ...xlsx, journal: undefined }), "INVALID_ARGUMENT", "options.journal"],
    [() => fx.exportXlsx(small, { ...xlsx, generated_at: new Date() }), "INVALID_ARGUMENT", "options.generated_at"],
    // The books: a journal, its bytes or a ledger, nothing else.
    [() => fx.exportHledger(), "INVALID_ARGUMENT", "journal"],
    [() => fx.exportHledger(42), "INVALID_ARGUMENT", "journal"],
    [() => fx.exportHledger({}), "INVALID_ARGUMENT", "journal"],
    [() => fx.exportHledger({ toJournal: () => 42 }), "INVALID_ARGUMENT", "journal"],
    [() => fx.exportHledger({ toJournal() { throw new Error("no journal here"); } }), "INVALID_ARGUMENT", "journal"],
    [() => fx.exportHledger(new Proxy({}, { get() { throw new Error("trap"); } })), "INVALID_ARGUMENT", "journal"],
    [() => fx.exportHledger("not a journal"), "JOURNAL_CORRUPT", undefined],
    [() => fx.exportHledger(small.toJournal().slice(0, -1)), "JOURNAL_TORN_TAIL", undefined],
    [() => fx.exportXlsx("not a journal", xlsx), "JOURNAL_CORRUPT", undefined],
    // The arguments are checked before the journal is replayed.
    [() => fx.exportCsv("not a journal", "balance_sheet"), "INVALID_ARGUMENT", "report"],
  ];
  for (const [call, code, name] of cases) {
    const err = ledgerError(call);
    assert.equal(err.name, "LedgerError");
    assert.equal(err.code, code, `${call}: ${err.message}`);
    if (name !== undefined) assert.equal(err.details.name, name, `${call}: ${err.message}`);
    assert.equal(fingerprint(small), before);
  }
  // A freed ledger: its toJournal()'s LEDGER_FREED, thrown on unchanged.
  const freed = smallLedger();
  freed.free();
  const err = ledgerError(() => fx.exportHledger(freed));
  assert.equal(err.code, "LEDGER_FREED");
  // The module still works.
  assert.match(fx.exportHledger(small), /^; funding-window journal/);
  small.free();
});
