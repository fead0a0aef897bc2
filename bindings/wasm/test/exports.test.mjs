// Exports (issue 5): CSV, IATI 2.03 XML and the hledger journal are the core's text, so the
// package must give exactly the golden files of tests/fixtures/exports/ (their README lists the
// call making each one from tests/fixtures/window-year.jsonl). Bad arguments throw LedgerError
// with the core's code and change nothing.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { fingerprint, fw, ledgerError, root, smallLedger } from "./helpers.mjs";

const goldenDir = join(root, "tests", "fixtures", "exports");
const journal = readFileSync(join(root, "tests", "fixtures", "window-year.jsonl"));
const generated_at = "2025-01-15T09:00:00Z";

/** The call making each golden file (tests/fixtures/exports/README.md), in JavaScript. */
const GOLDEN = {
  "trial_balance.csv": (l) => l.exportCsv("trial_balance"),
  "resolution_tracker-2024-H1.csv": (l) => l.exportCsv("resolution_tracker", { period: "2024-H1" }),
  "resolution_tracker-2024-H2.csv": (l) => l.exportCsv("resolution_tracker", { period: "2024-H2" }),
  "window_statement-2024-H1.csv": (l) => l.exportCsv("window_statement", { period: "2024-H1" }),
  "window_statement-2024-H2.csv": (l) => l.exportCsv("window_statement", { period: "2024-H2" }),
  "donor_statement.csv": (l) => l.exportCsv("donor_statement", null),
  "transfer_register.csv": (l) => l.exportCsv("transfer_register"),
  "allocation_log.csv": (l) => l.exportCsv("allocation_log"),
  "journal.csv": (l) => l.exportCsv("journal"),
  "iati-activities.xml": (l) => l.exportIati({ generated_at }),
  "window-year.journal": (l) => l.exportHledger(),
};

const ledger = fw.Ledger.fromJournal(journal);

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
  test(`${file} is the golden file byte for byte`, () => {
    const golden = readFileSync(join(goldenDir, file));
    const text = exportOf(ledger);
    assert.equal(typeof text, "string");
    if (!Buffer.from(text, "utf8").equals(golden)) {
      // Show where, as text.
      assert.equal(text, golden.toString("utf8"), file);
      assert.fail(`${file}: same text, other bytes`);
    }
  });
}

test("exports only read the ledger and are the same after a replay", () => {
  const before = fingerprint(ledger);
  const replayed = fw.Ledger.fromJournal(ledger.toJournal());
  for (const [file, exportOf] of Object.entries(GOLDEN)) assert.equal(exportOf(replayed), exportOf(ledger), file);
  assert.equal(fingerprint(ledger), before);
  replayed.free();
});

test("argument forms: absent, null and {} args; IATI options as JSON text", () => {
  const tb = ledger.exportCsv("trial_balance");
  assert.equal(ledger.exportCsv("trial_balance", undefined), tb);
  assert.equal(ledger.exportCsv("trial_balance", null), tb);
  assert.equal(ledger.exportCsv("trial_balance", {}), tb);
  assert.equal(ledger.exportCsv("trial_balance", { as_of: null }), tb);
  assert.ok(tb.startsWith("account,currency,balance\r\n"));
  const mid = ledger.exportCsv("trial_balance", { as_of: "2024-06-30" });
  assert.notEqual(mid, tb);
  assert.equal(mid.split("\r\n")[0], "account,currency,balance");
  const sweden = ledger.exportCsv("donor_statement", { donor: "SE" });
  const all = ledger.exportCsv("donor_statement");
  // Sweden's statement is the header and exactly Sweden's rows of every donor's.
  const [header, ...rows] = all.trimEnd().split("\r\n");
  const swedish = rows.filter((row) => row.startsWith("SE,"));
  assert.ok(swedish.length > 0 && swedish.length < rows.length);
  assert.equal(sweden, [header, ...swedish].join("\r\n") + "\r\n");
  assert.equal(ledger.exportIati(JSON.stringify({ generated_at })), ledger.exportIati({ generated_at }));
  // Options the core takes: the window alone, up to a date.
  const windowOnly = ledger.exportIati({ generated_at, as_of: "2024-06-30", include_projects: false });
  assert.equal((windowOnly.match(/<iati-activity /g) ?? []).length, 1);
  assert.ok(windowOnly.includes("<iati-identifier>XM-DAC-41120-UAFW</iati-identifier>"));
  assert.ok(!windowOnly.includes('iso-date="2024-07'), "nothing after as_of");
});

test("bad export arguments throw LedgerError with the core's code and change nothing", () => {
  const small = smallLedger();
  const before = fingerprint(small);
  const cases = [
    // [call, code, argument named in details.name]
    [() => small.exportCsv("balance_sheet"), "INVALID_ARGUMENT", "report"],
    [() => small.exportCsv(42), "INVALID_ARGUMENT", "report"],
    [() => small.exportCsv(undefined), "INVALID_ARGUMENT", "report"],
    [() => small.exportCsv("resolution_tracker"), "INVALID_ARGUMENT", "period"],
    [() => small.exportCsv("resolution_tracker", { period: "2024-H3" }), "INVALID_ARGUMENT", "period"],
    [() => small.exportCsv("resolution_tracker", { period: 2024 }), "INVALID_ARGUMENT", "period"],
    [() => small.exportCsv("resolution_tracker", "2024-H2"), "INVALID_ARGUMENT", "args"],
    [() => small.exportCsv("resolution_tracker", ["2024-H2"]), "INVALID_ARGUMENT", "args"],
    [() => small.exportCsv("trial_balance", { period: "2024-H2" }), "INVALID_ARGUMENT", "args"],
    [() => small.exportCsv("trial_balance", { as_of: "2024-02-30" }), "INVALID_ARGUMENT", "as_of"],
    [() => small.exportCsv("journal", { extra: true }), "INVALID_ARGUMENT", "args"],
    [() => small.exportCsv("donor_statement", { donor: "XX" }), "UNKNOWN_DONOR", undefined],
    // Values JSON cannot carry exactly are refused by the binding, naming the argument.
    [() => small.exportCsv("trial_balance", { as_of: undefined }), "INVALID_ARGUMENT", "args.as_of"],
    [() => small.exportCsv("resolution_tracker", { period: NaN }), "INVALID_ARGUMENT", "args.period"],
    [() => small.exportCsv("trial_balance", { as_of: new Date("2024-06-30") }), "INVALID_ARGUMENT", "args.as_of"],
    [() => small.exportCsv("trial_balance", new Map()), "INVALID_ARGUMENT", "args"],
    [() => small.exportIati(), "INVALID_ARGUMENT", "options"],
    [() => small.exportIati(null), "INVALID_ARGUMENT", "options"],
    [() => small.exportIati({}), "INVALID_ARGUMENT", "options"],
    [() => small.exportIati({ generated_at: "yesterday" }), "INVALID_ARGUMENT", "options"],
    [() => small.exportIati({ generated_at: new Date() }), "INVALID_ARGUMENT", "options.generated_at"],
    [() => small.exportIati({ generated_at, as_of: "2025-02-01" }), "INVALID_ARGUMENT", "as_of"],
    [() => small.exportIati({ generated_at, colour: "blue" }), "INVALID_ARGUMENT", "options"],
    [() => small.exportIati({ generated_at, include_projects: "yes" }), "INVALID_ARGUMENT", "options"],
    [() => small.exportIati({ generated_at, window_suffix: "UA FW" }), "INVALID_ARGUMENT", "window_suffix"],
    [() => small.exportIati({ generated_at, reporting_org_name: " " }), "INVALID_ARGUMENT", "reporting_org_name"],
    [() => small.exportIati("{not json"), "INVALID_ARGUMENT", "options"],
    [() => small.exportIati(42), "INVALID_ARGUMENT", "options"],
  ];
  for (const [call, code, name] of cases) {
    const err = ledgerError(call);
    assert.equal(err.name, "LedgerError");
    assert.equal(err.code, code, `${call}: ${err.message}`);
    if (name !== undefined) assert.equal(err.details.name, name, `${call}: ${err.message}`);
    assert.equal(fingerprint(small), before);
  }
  // The module still works.
  assert.match(small.exportHledger(), /^; funding-window journal/);
  small.free();
});
