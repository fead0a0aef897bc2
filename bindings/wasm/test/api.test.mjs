// The JavaScript API: results, reports, error objects, atomicity of applyBatch, the clock.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { fingerprint, fw, ledgerError, root, smallLedger } from "./helpers.mjs";

const at = "2025-01-15T09:00:00Z";

test("a new ledger knows the 15 Assembly resolutions and has an empty journal", () => {
  const ledger = new fw.Ledger();
  assert.equal(ledger.length, 0);
  assert.equal(ledger.chainHead, "0".repeat(64));
  const ids = ledger.resolutions().map((r) => r.id);
  assert.deepEqual(ids, ["1/1", "1/2", "1/3", "1/4", "1/5", "2/1", "2/2", "2/3", "2/4", "2/5", "2/6", "2/7", "2/8", "2/9", "2/10"]);
  assert.equal(ledger.toJournal(), '{"journal":"funding-window","version":1}\n');
});

test("apply returns the entry with its postings; amounts stay strings", () => {
  const ledger = smallLedger();
  const applied = ledger.apply({
    type: "allocate", id: "EB-1", decided_on: "2024-11-01", amount: "300000.00", policy: "equal",
    resolutions: ["2/2", "2/9"], approved_by: "Executive Director", recorded_at: at,
  });
  assert.equal(applied.seq, 6);
  assert.equal(applied.date, "2024-11-01");
  assert.equal(applied.duplicate, false);
  assert.match(applied.hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(applied.postings, [
    { account: "funds:window:unallocated", currency: "USD", amount: "300000.00" },
    { account: "funds:resolution:2-2", currency: "USD", amount: "-150000.00" },
    { account: "funds:resolution:2-9", currency: "USD", amount: "-150000.00" },
  ]);
  const row = ledger.resolutionTracker("2024-H2").rows.find((r) => r.resolution === "2/2");
  assert.equal(row.allocated_in_period, "150000.00");
  assert.equal(row.gap, "1850000.00");
  assert.equal(ledger.balance("funds:resolution:2-2"), "-150000.00");
  assert.equal(ledger.balance("funds:resolution:2-2", "USD", "2024-10-31"), "0.00");
  assert.deepEqual(ledger.windowBalance(), { unallocated: "600000.00", earmarked: [], total: "600000.00" });
});

test("every report object is JSON.parse of its ...Json() text", () => {
  const ledger = fw.Ledger.fromJournal(readFileSync(join(root, "tests", "fixtures", "window-year.jsonl"), "utf8"));
  const pairs = [
    [ledger.trialBalance(), ledger.trialBalanceJson()],
    [ledger.trialBalance("2024-06-30"), ledger.trialBalanceJson("2024-06-30")],
    [ledger.resolutionTracker("2024-H2"), ledger.resolutionTrackerJson("2024-H2")],
    [ledger.windowStatement("2024-H1"), ledger.windowStatementJson("2024-H1")],
    [ledger.donorStatement("SE"), ledger.donorStatementJson("SE")],
    [ledger.transferRegister(), ledger.transferRegisterJson()],
    [ledger.allocationLog(), ledger.allocationLogJson()],
  ];
  for (const [object, text] of pairs) {
    assert.equal(typeof text, "string");
    assert.deepStrictEqual(object, JSON.parse(text));
  }
  // No amount anywhere is a JS number.
  const numbers = [];
  const walk = (value, path) => {
    if (typeof value === "number" && !/(^|\.)(seq|entry|reversed_by|rank)$/.test(path)) numbers.push(path);
    if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
  };
  pairs.forEach(([object], i) => walk(object, `report${i}`));
  assert.deepEqual(numbers, []);
  const totals = ledger.trialBalance().totals;
  for (const total of Object.values(totals)) assert.match(total, /^0(\.0+)?$/);
});

test("previewAllocation explains the split and changes nothing", () => {
  const ledger = smallLedger();
  const before = fingerprint(ledger);
  const preview = ledger.previewAllocation({
    type: "allocate", id: "EB-2", decided_on: "2024-11-01", amount: "100000.00", policy: "gap_pro_rata",
    resolutions: ["2/2", "2/9"], approved_by: "Executive Director",
  });
  assert.equal(fingerprint(ledger), before);
  assert.equal(preview.available, "900000.00");
  assert.deepEqual(preview.lines.map((l) => [l.resolution, l.gap_before, l.share]), [
    ["2/2", "2000000.00", "66666.67"],
    ["2/9", "1000000.00", "33333.33"],
  ]);
  assert.equal(ledger.previewAllocationJson({
    type: "allocate", id: "EB-2", decided_on: "2024-11-01", amount: "100000.00", policy: "gap_pro_rata",
    resolutions: ["2/2", "2/9"], approved_by: "Executive Director",
  }), JSON.stringify(preview));
  const err = ledgerError(() => ledger.previewAllocation({ type: "close_period", period: "2024-H1" }));
  assert.equal(err.code, "INVALID_COMMAND");
});

test("errors are Error objects named LedgerError with the core's code and fields", () => {
  const ledger = smallLedger();
  const err = ledgerError(() => ledger.apply({
    type: "allocate", id: "EB-3", decided_on: "2024-11-01", amount: "1000000.00", policy: "equal",
    resolutions: ["2/2"], approved_by: "Executive Director",
  }));
  assert.ok(err instanceof Error);
  assert.equal(err.name, "LedgerError");
  assert.equal(err.code, "INSUFFICIENT_FUNDS");
  assert.equal(err.account, "funds:window:unallocated");
  assert.equal(err.currency, "USD");
  assert.equal(err.available, "900000.00");
  assert.equal(err.requested, "1000000.00");
  assert.equal(err.details.code, "INSUFFICIENT_FUNDS");
  assert.equal(err.details.available, "900000.00");
  assert.equal(err.details.message, err.message);
  assert.equal(err.index, undefined);
  assert.match(err.message, /insufficient funds/);
  assert.ok(fw.isLedgerError(err));
  assert.ok(!fw.isLedgerError(new Error("x")));
  assert.ok(!fw.isLedgerError(null));
  assert.ok(!fw.isLedgerError({ name: "LedgerError", code: "INTERNAL" }));

  // INVALID_ARGUMENT keeps its own `name` field in details: the error's name stays LedgerError.
  const arg = ledgerError(() => ledger.resolutionTracker("2024-H3"));
  assert.equal(arg.code, "INVALID_ARGUMENT");
  assert.equal(arg.name, "LedgerError");
  assert.equal(arg.details.name, "period");
  assert.equal(arg.value, "2024-H3");
  assert.equal(ledgerError(() => ledger.donorStatement("XX")).code, "UNKNOWN_DONOR");
  assert.equal(ledgerError(() => ledger.balance("funds:nowhere")).code, "UNKNOWN_ACCOUNT");
  assert.equal(ledgerError(() => ledger.balance("funds:window:unallocated", "usd")).code, "UNKNOWN_CURRENCY");
  assert.equal(ledgerError(() => ledger.trialBalance("2024-02-30")).code, "INVALID_ARGUMENT");
  assert.equal(ledgerError(() => ledger.entry(99)).code, "UNKNOWN_ENTRY");
  assert.equal(ledgerError(() => ledger.entry(1.5)).code, "INVALID_ARGUMENT");
});

test("errorCodes() is the core's list and the ErrorCode type of the .d.ts, in order", () => {
  const codes = fw.errorCodes();
  assert.ok(codes.length >= 30);
  assert.equal(new Set(codes).size, codes.length);
  const dts = readFileSync(join(root, "bindings", "wasm", "pkg", "node", "funding_window.d.ts"), "utf8");
  // One interface per error (generated from the core), each in the LedgerErrorDetails union.
  const errors = dts.slice(dts.indexOf("// ----- Errors -----"), dts.indexOf("export type ErrorCode"));
  const typed = [...errors.matchAll(/code: "([A-Z_]+)"/g)].map((m) => m[1]);
  assert.deepEqual(typed, codes, "contract.d.ts must describe every code of the core, in order");
  const union = errors.slice(errors.indexOf("export type LedgerErrorDetails"));
  assert.equal([...union.matchAll(/\| (\w+Error)/g)].length, codes.length, "LedgerErrorDetails must have every code");
  const types = [...dts.slice(dts.indexOf("export type Command ="), dts.indexOf("export type CommandType"))
    .matchAll(/\| (\w+)/g)].map((m) => m[1]);
  assert.equal(types.length, fw.commandTypes().length, "Command in contract.d.ts must have every command type");
});

test("applyBatch is all or nothing and names the failing index", () => {
  const ledger = smallLedger();
  const before = fingerprint(ledger);
  const journal = ledger.toJournal();
  const good = { type: "record_receipt", agreement: "CA-NO-1", amount: "1.00", received_on: "2024-03-01" };
  const cases = [
    // The core refuses the third command: nothing of the first two stays.
    [[{ type: "register_donor", id: "SE", name: "Sweden", kind: "member_state" },
      { type: "set_requirement", resolution: "2/4", amount: "5.00" },
      { type: "register_donor", id: "SE", name: "Sweden", kind: "member_state" }], 2, "DUPLICATE_ID"],
    // Over-receipt on the fourth command (100,000.00 is outstanding).
    [[{ type: "register_donor", id: "SE", name: "Sweden", kind: "member_state" },
      { type: "set_requirement", resolution: "2/4", amount: "5.00" },
      { type: "set_status", resolution: "2/4", status: "started" }, { ...good, amount: "100000.01" }], 3, "EXCEEDS_OUTSTANDING"],
    // A JS number where an amount belongs, found before anything is applied.
    [[{ type: "register_donor", id: "SE", name: "Sweden", kind: "member_state" },
      { ...good, amount: 1 }], 1, "INVALID_COMMAND"],
    // Not an object.
    [[{ type: "register_donor", id: "SE", name: "Sweden", kind: "member_state" }, null], 1, "INVALID_COMMAND"],
    [[{ type: "register_donor", id: "SE", name: "Sweden", kind: "member_state" }, { type: "nope" }], 1, "INVALID_COMMAND"],
  ];
  for (const [batch, index, code] of cases) {
    const err = ledgerError(() => ledger.applyBatch(batch));
    assert.equal(err.code, code);
    assert.equal(err.index, index);
    assert.equal(fingerprint(ledger), before);
    assert.equal(ledger.toJournal(), journal);
  }
  assert.equal(ledgerError(() => ledger.applyBatch("not a batch")).code, "INVALID_COMMAND");
  assert.equal(ledgerError(() => ledger.applyBatch({ length: 1, 0: good })).code, "INVALID_COMMAND");
  assert.deepEqual(ledger.applyBatch([]), []);
  const applied = ledger.applyBatch([
    { type: "register_donor", id: "SE", name: "Sweden", kind: "member_state" },
    { type: "set_requirement", resolution: "2/4", amount: "5.00" },
  ]);
  assert.deepEqual(applied.map((a) => a.seq), [6, 7]);
  assert.equal(ledger.entry(7).batch.join("/"), "2/2");
});

test("the same command twice under one idempotency key is applied once", () => {
  const ledger = smallLedger();
  const command = { type: "set_status", resolution: "2/4", status: "started", idempotency_key: "k-1" };
  const first = ledger.apply(command);
  const again = ledger.apply(command);
  assert.equal(again.duplicate, true);
  assert.equal(again.seq, first.seq);
  assert.equal(ledger.length, first.seq);
  assert.equal(ledgerError(() => ledger.apply({ ...command, status: "done" })).code, "IDEMPOTENCY_CONFLICT");
});

test("recorded_at defaults to the JavaScript clock, not the Unix epoch", () => {
  const ledger = new fw.Ledger();
  const before = Date.now();
  ledger.apply({ type: "register_donor", id: "SE", name: "Sweden", kind: "member_state" });
  const recorded = Date.parse(ledger.entry(1).recorded_at);
  assert.ok(recorded >= before - 1000 && recorded <= Date.now() + 1000, ledger.entry(1).recorded_at);
  const replayed = fw.Ledger.fromJournal(ledger.toJournal());
  replayed.apply({ type: "register_donor", id: "NO", name: "Norway", kind: "member_state" });
  assert.ok(Date.parse(replayed.entry(2).recorded_at) >= before - 1000);
});

test("applyJson takes the contract as text, with the same checks", () => {
  const ledger = new fw.Ledger();
  const applied = ledger.applyJson('{"type":"register_donor","id":"SE","name":"Sweden","kind":"member_state"}');
  assert.equal(applied.seq, 1);
  assert.equal(ledgerError(() => ledger.applyJson('{"type":"set_requirement","resolution":"2/4","amount":5}')).code, "INVALID_COMMAND");
  assert.equal(ledgerError(() => ledger.applyJson({ type: "register_donor" })).code, "INVALID_ARGUMENT");
});

test("entries() lists the journal, commands without meta fields", () => {
  const ledger = smallLedger();
  const entries = ledger.entries();
  assert.equal(entries.length, 5);
  assert.equal(entries[0].command.type, "register_donor");
  assert.equal(entries[0].recorded_at, at);
  assert.deepEqual(ledger.donors(), [{ id: "NO", name: "Norway", kind: "member_state" }]);
  assert.equal(fw.version(), JSON.parse(readFileSync(join(root, "bindings", "wasm", "pkg", "node", "package.json"), "utf8")).version);
});
