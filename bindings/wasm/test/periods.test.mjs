// Reports over any period (year, half, quarter, month, date range), the core's period functions,
// and reportTable: the rows and columns the core lays out for every front end.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { fw, fx, ledgerError, root } from "./helpers.mjs";

const fixture = readFileSync(join(root, "tests", "fixtures", "window-year.jsonl"), "utf8");

test("every form of reporting period gives the report of its days", () => {
  const ledger = fw.Ledger.fromJournal(fixture);
  for (const [period, from, to] of [
    ["2024", "2024-01-01", "2024-12-31"],
    ["2024-H2", "2024-07-01", "2024-12-31"],
    ["2024-Q3", "2024-07-01", "2024-09-30"],
    ["2024-02", "2024-02-01", "2024-02-29"],
  ]) {
    assert.deepEqual(fw.periodRange(period), { from, to });
    const named = ledger.windowStatement(period);
    const range = ledger.windowStatement({ from, to });
    assert.equal(named.period, period);
    assert.deepEqual(range.period, { from, to });
    // The same days give the same amounts; only the period's name differs.
    assert.deepEqual({ ...range, period: period }, named);
    assert.equal(ledger.resolutionTrackerJson({ from, to }),
      ledger.resolutionTrackerJson(period).replace(`"period":"${period}"`, `"period":{"from":"${from}","to":"${to}"}`));
  }
});

test("a malformed period is INVALID_ARGUMENT naming it; another type too", () => {
  const ledger = fw.Ledger.fromJournal(fixture);
  for (const period of ["2024-Q5", "2024-7", "24", { from: "2024-09-30", to: "2024-07-01" }, { from: "2024-07-01" },
    { from: "2024-07-01", to: "2024-07-31", step: "month" }, 2024, null, [1, 2], new Date()]) {
    const err = ledgerError(() => ledger.resolutionTracker(period));
    assert.equal(err.code, "INVALID_ARGUMENT", String(period));
    assert.match(err.details.name, /^period/);
  }
  assert.equal(ledgerError(() => fw.periodOf("2024-02-30", "half")).code, "INVALID_ARGUMENT");
  assert.equal(ledgerError(() => fw.periodOf("2024-02-03", "week")).details.name, "kind");
  assert.equal(ledgerError(() => fw.periodsBetween("1000-01-01", "9999-12-31", "month")).code, "LIMIT_EXCEEDED");
});

test("periodOf and periodsBetween count periods as the core does", () => {
  assert.equal(fw.periodOf("2024-06-30", "half"), "2024-H1");
  assert.equal(fw.periodOf("2024-07-01", "half"), "2024-H2");
  assert.equal(fw.periodOf("2024-08-15", "quarter"), "2024-Q3");
  assert.equal(fw.periodOf("2024-08-15", "month"), "2024-08");
  assert.equal(fw.periodOf("2024-08-15", "year"), "2024");
  assert.deepEqual(fw.periodsBetween("2023-11-15", "2024-07-01", "half"), ["2023-H2", "2024-H1", "2024-H2"]);
  assert.deepEqual(fw.periodsBetween("2024-01-31", "2024-03-01", "month"), ["2024-01", "2024-02", "2024-03"]);
  assert.deepEqual(fw.periodsBetween("2024-03-01", "2024-01-31", "month"), []);
});

test("reportTable is the report's CSV as rows of typed cells, with the core's labels", () => {
  const ledger = fw.Ledger.fromJournal(fixture);
  for (const [report, args] of [
    ["resolution_tracker", { period: "2024-H2" }],
    ["window_statement", { period: { from: "2024-07-01", to: "2024-09-30" } }],
    ["donor_statement", { donor: "SE" }],
    ["transfer_register", null],
    ["allocation_log", null],
    ["trial_balance", { as_of: "2024-06-30" }],
  ]) {
    const table = ledger.reportTable(report, args);
    assert.equal(table.report, report);
    const csv = fx.exportCsv(ledger, report, args).split("\r\n").filter(Boolean);
    assert.equal(csv[0], table.columns.map((c) => c.name).join(","));
    assert.equal(csv.length - 1, table.rows.length);
    // Plain cells (no comma or quote) read back as the CSV writes them.
    table.rows.forEach((row, i) => {
      const text = row.map((cell) => (cell === null ? "" : String(cell)));
      if (!text.some((t) => /[",\r\n]/.test(t))) assert.equal(text.join(","), csv[i + 1]);
    });
  }
  const tracker = ledger.reportTable("resolution_tracker", { period: "2024-H2" });
  const gapPct = tracker.columns.find((c) => c.name === "gap_pct");
  assert.deepEqual(gapPct, { name: "gap_pct", label: "Gap %", kind: "percent" });
  const log = ledger.reportTable("allocation_log");
  assert.equal(typeof log.rows[0][log.columns.findIndex((c) => c.name === "entry")], "number");
  assert.equal(typeof log.rows[0][log.columns.findIndex((c) => c.name === "reversal")], "boolean");
  assert.equal(ledgerError(() => ledger.reportTable("balance_sheet")).code, "INVALID_ARGUMENT");
});
