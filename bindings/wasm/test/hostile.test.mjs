// Hostile input: whatever a caller passes, the module throws a LedgerError (or succeeds) and keeps
// working. A Rust panic would abort the WebAssembly instance (a RuntimeError: unreachable) and
// break every later call, so each case is followed by a call that must still work.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { fingerprint, fw, ledgerError, root, smallLedger } from "./helpers.mjs";

const fixture = readFileSync(join(root, "tests", "fixtures", "window-year.jsonl"), "utf8");
const receipt = { type: "record_receipt", agreement: "CA-NO-1", amount: "1.00", received_on: "2024-03-01" };

/** Calls fn: it must succeed or throw a LedgerError; then the module must still work. */
function survives(fn, label) {
  try {
    fn();
  } catch (err) {
    assert.ok(fw.isLedgerError(err), `${label}: threw ${err && err.name}: ${err && err.message}`);
  }
  const probe = new fw.Ledger();
  probe.apply({ type: "register_donor", id: "SE", name: "Sweden", kind: "member_state" });
  assert.equal(probe.length, 1, `${label}: the module no longer works`);
  probe.free();
}

function nested(depth, leaf) {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { purpose: value };
  return value;
}

test("values JSON cannot carry exactly are refused with the field named", () => {
  const ledger = smallLedger();
  const before = fingerprint(ledger);
  const cases = [
    [{ ...receipt, amount: 1 }, /amount is the JS number 1/],
    [{ ...receipt, amount: 0.1 }, /amount is the JS number 0.1/],
    [{ ...receipt, amount: NaN }, /amount is NaN/],
    [{ ...receipt, amount: Infinity }, /amount is Infinity/],
    [{ ...receipt, amount: -Infinity }, /amount is -Infinity/],
    [{ ...receipt, amount: 10n }, /amount is a BigInt/],
    [{ ...receipt, amount: undefined }, /amount is undefined/],
    [{ ...receipt, amount: Symbol("x") }, /amount is a symbol/],
    [{ ...receipt, amount: () => "1.00" }, /amount is a symbol or a function/],
    [{ ...receipt, amount: new String("1.00") }, /amount is not a plain object/],
    [{ ...receipt, received_on: new Date("2024-03-01") }, /received_on is not a plain object/],
    [{ ...receipt, reference: new Map() }, /reference is not a plain object/],
    [{ ...receipt, reference: "lone \ud800 surrogate" }, /lone surrogate/],
    [{ type: "set_rate", currency: "SEK", month: "2024-03", per_usd: 10.45 }, /per_usd is the JS number/],
    [{ type: "allocate", id: "A", decided_on: "2024-11-01", amount: "1.00", policy: "weights", weights: { "2/2": 1 } },
      /weights.2\/2 is the JS number 1/],
    [{ type: "allocate", id: "A", decided_on: "2024-11-01", amount: "1.00", policy: "explicit", shares: { "2/2": 1 } },
      /shares.2\/2 is the JS number 1/],
    [{ type: "sign_agreement", id: "X", donor: "NO", currency: "USD", amount: "1.00", signed_on: "2024-03-01",
      psc_rate: "0.07", elective_transfer: false, purpose: { window: { earmarked_to: [undefined] } } },
      /purpose.window.earmarked_to\[0\] is undefined/],
    [undefined, /the command is undefined/],
    [null, /invalid command/],
    [42, /invalid command/],
    ["{}", /not a string/],
    [[receipt], /invalid command/],
    [{}, /invalid command/],
  ];
  for (const [command, message] of cases) {
    const err = ledgerError(() => ledger.apply(command));
    assert.equal(err.code, "INVALID_COMMAND", String(message));
    assert.match(err.message, message);
    assert.equal(fingerprint(ledger), before);
  }
});

test("wrong JSON types and unknown types or fields are INVALID_COMMAND from the core", () => {
  const ledger = smallLedger();
  const cases = [
    { type: "make_money" },
    { type: 7 },
    { type: null },
    { type: ["register_donor"] },
    { type: "register_donor", id: 5, name: "Sweden", kind: "member_state" },
    { type: "register_donor", id: "SE", name: "Sweden", kind: "state" },
    { type: "register_donor", id: "SE", name: "Sweden", kind: "member_state", extra: true },
    { type: "register_donor", id: "SE", name: "Sweden", kind: "member_state", type2: "x" },
    { ...receipt, received_on: "2024-3-1" },
    { ...receipt, recorded_at: "yesterday" },
    { type: "reverse", entry: -1, on: "2024-08-01", reason: "x" },
    { type: "reverse", entry: 1.5, on: "2024-08-01", reason: "x" },
    { type: "reverse", entry: "1", on: "2024-08-01", reason: "x" },
    { type: "sign_agreement", id: "X", donor: "NO", currency: "USD", amount: "1.00", signed_on: "2024-03-01",
      psc_rate: "0.07", elective_transfer: "yes", purpose: { window: { earmarked_to: [] } } },
    { type: "sign_agreement", id: "X", donor: "NO", currency: "USD", amount: "1.00", signed_on: "2024-03-01",
      psc_rate: "0.07", elective_transfer: false, purpose: [] },
    Object.assign(Object.create(null), { type: "make_money" }),
  ];
  for (const command of cases) {
    assert.equal(ledgerError(() => ledger.apply(command)).code, "INVALID_COMMAND", JSON.stringify(command));
  }
  // A null-prototype object is a plain object.
  const plain = Object.assign(Object.create(null), { type: "set_status", resolution: "2/4", status: "started" });
  assert.equal(ledger.apply(plain).seq, 6);
  // Huge integers are numbers JSON carries; the core refuses them where they do not fit.
  assert.ok(fw.isLedgerError(ledgerError(() => ledger.apply({ type: "reverse", entry: 2 ** 64, on: "2024-08-01", reason: "x" }))));
  assert.equal(ledgerError(() => ledger.apply({ type: "reverse", entry: 10 ** 6, on: "2024-08-01", reason: "x" })).code, "UNKNOWN_ENTRY");
});

test("deep nesting, huge strings and huge arrays are refused without a crash", () => {
  const ledger = smallLedger();
  const deep = ledgerError(() => ledger.apply({ type: "sign_agreement", ...nested(100000, "x") }));
  assert.equal(deep.code, "INVALID_COMMAND");
  assert.match(deep.message, /deeper than/);
  const deepText = '{"type":"register_donor","id":' + "[".repeat(100000) + "]".repeat(100000) + "}";
  assert.equal(ledgerError(() => ledger.applyJson(deepText)).code, "INVALID_COMMAND");
  const huge = "x".repeat(8 << 20);
  assert.equal(ledgerError(() => ledger.apply({ ...receipt, reference: huge })).code, "LIMIT_EXCEEDED");
  survives(() => ledger.applyJson(JSON.stringify({ ...receipt, reference: huge })), "huge JSON text");
  survives(() => ledger.apply({ ...receipt, reference: "x".repeat(100000) }), "long reference");
  survives(() => ledger.apply({ type: "register_donor", id: "D".repeat(100000), name: "n", kind: "other" }), "long id");
  const many = new Array(2 ** 20).fill("2/2");
  survives(() => ledger.apply({ type: "allocate", id: "A", decided_on: "2024-11-01", amount: "1.00", policy: "equal", resolutions: many }), "huge list");
  const sparse = [];
  sparse.length = 2 ** 32 - 1;
  assert.equal(ledgerError(() => ledger.apply({ type: "allocate", id: "A", decided_on: "2024-11-01", amount: "1.00", policy: "equal", resolutions: sparse })).code, "INVALID_COMMAND");
  assert.equal(ledgerError(() => ledger.applyBatch(sparse)).code, "LIMIT_EXCEEDED");
  survives(() => fw.Ledger.fromJournal("x".repeat(32 << 20)), "huge garbage journal");
  survives(() => fw.Ledger.fromJournal('{"journal":"funding-window","version":1}\n' + "{".repeat(3 << 20) + "\n"), "huge line");
});

test("getters that throw, proxies and re-entrant calls become LedgerErrors", () => {
  const ledger = smallLedger();
  const before = fingerprint(ledger);
  const throwing = { ...receipt };
  Object.defineProperty(throwing, "amount", { enumerable: true, get() { throw new Error("boom"); } });
  assert.equal(ledgerError(() => ledger.apply(throwing)).code, "INVALID_COMMAND");
  const trap = new Proxy({}, { ownKeys() { throw new Error("no keys"); } });
  assert.equal(ledgerError(() => ledger.apply(trap)).code, "INVALID_COMMAND");
  const proto = new Proxy({}, { getPrototypeOf() { throw new Error("no proto"); } });
  assert.equal(ledgerError(() => ledger.apply(proto)).code, "INVALID_COMMAND");
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  assert.equal(ledgerError(() => ledger.apply(proxy)).code, "INVALID_COMMAND");
  assert.equal(ledgerError(() => ledger.applyBatch(proxy)).code, "INVALID_COMMAND");
  // A getter calling back into the same ledger while it is borrowed.
  const reentrant = { ...receipt };
  Object.defineProperty(reentrant, "reference", { enumerable: true, get() { ledger.apply(receipt); return "x"; } });
  assert.equal(ledgerError(() => ledger.apply(reentrant)).code, "INVALID_COMMAND");
  assert.equal(ledgerError(() => ledger.previewAllocation(reentrant)).code, "INVALID_COMMAND");
  const proxied = new Proxy({ ...receipt }, {});
  assert.equal(ledger.apply(proxied).seq, 6, "a transparent proxy of a plain object is a plain object");
  assert.notEqual(fingerprint(ledger), before);
  class Receipt { constructor() { Object.assign(this, receipt); } }
  assert.equal(ledgerError(() => ledger.apply(new Receipt())).code, "INVALID_COMMAND");
  // The ledger is still usable.
  assert.equal(ledger.apply({ ...receipt, amount: "2.00" }).seq, 7);
});

test("method arguments of the wrong type are INVALID_ARGUMENT, never coerced", () => {
  const ledger = smallLedger();
  for (const bad of [undefined, null, 2024, {}, ["2024-H2"], 10n, Symbol("p")]) {
    assert.equal(ledgerError(() => ledger.resolutionTracker(bad)).code, "INVALID_ARGUMENT");
    assert.equal(ledgerError(() => ledger.windowStatementJson(bad)).code, "INVALID_ARGUMENT");
    assert.equal(ledgerError(() => ledger.donorStatement(bad)).code, "INVALID_ARGUMENT");
    assert.equal(ledgerError(() => ledger.balance(bad)).code, "INVALID_ARGUMENT");
    assert.equal(ledgerError(() => ledger.applyJson(bad)).code, "INVALID_ARGUMENT");
  }
  for (const bad of [undefined, null, "1", 0, -1, 1.5, NaN, 2 ** 60, 1n, {}]) {
    assert.equal(ledgerError(() => ledger.entry(bad)).code, "INVALID_ARGUMENT");
  }
  for (const bad of [2024, {}, ["2024-06-30"], true]) {
    assert.equal(ledgerError(() => ledger.trialBalance(bad)).code, "INVALID_ARGUMENT");
    assert.equal(ledgerError(() => ledger.windowBalance(bad)).code, "INVALID_ARGUMENT");
    assert.equal(ledgerError(() => ledger.balance("funds:window:unallocated", bad)).code, "INVALID_ARGUMENT");
  }
  for (const period of ["2024-H3", "2024-h2", "24-H2", "", "2024-H2 ", "\u0000"]) {
    assert.equal(ledgerError(() => ledger.resolutionTracker(period)).code, "INVALID_ARGUMENT");
  }
  assert.equal(ledger.trialBalance(null).as_of, null);
  assert.equal(ledger.trialBalance(undefined).as_of, null);
});

test("random hostile commands never crash the module (fuzz, seeded)", () => {
  let seed = 20240611;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const atoms = [undefined, null, NaN, Infinity, -0, 0, 1, -1, 2 ** 53, 1e308, 1.5, "", "0", "1.00", "-1.00", "1e5",
    "999999999999999999999999999999.99", "2024-02-30", "2024-H2", "USD", "SEK", "2/2", "2/10", "\u0000", "é", "\ud83d\ude00",
    true, false, [], {}, 10n, "CA-NO-1", "P-1", "funds:window:unallocated"];
  const valid = [
    receipt,
    { type: "allocate", id: "EB-9", decided_on: "2024-11-01", amount: "10.00", policy: "gap_pro_rata", resolutions: ["2/2", "2/9"] },
    { type: "sign_agreement", id: "X-1", donor: "NO", currency: "EUR", amount: "1000.00", signed_on: "2024-03-01",
      psc_rate: "0.07", elective_transfer: true, purpose: { project: { id: "P-1", resolution: "2/2" } } },
    { type: "set_rate", currency: "EUR", month: "2024-03", per_usd: "0.92" },
    { type: "record_expenditure", project: "P-1", amount: "10.00", spent_on: "2024-04-01" },
    { type: "close_project", project: "P-1", closed_on: "2024-05-01" },
    { type: "transfer_balance", project: "P-1", amount: null, elected_on: "2024-05-02", election_ref: "x", transferred_on: "2024-05-03" },
    { type: "reverse", entry: 3, on: "2024-08-01", reason: "x" },
    { type: "close_period", period: "2024-H1" },
    { type: "configure", window_psc_rate: "0.07", rounding: "half_up", four_eyes: true },
  ];
  const ledger = smallLedger();
  let applied = 0;
  for (let i = 0; i < 3000; i++) {
    const command = structuredClone(valid[rand(valid.length)]);
    const keys = Object.keys(command);
    for (let k = rand(3); k > 0; k--) {
      const key = rand(4) === 0 ? "extra" : keys[rand(keys.length)];
      command[key] = atoms[rand(atoms.length)];
    }
    const use = rand(5);
    const before = fingerprint(ledger);
    try {
      if (use === 0) ledger.previewAllocation(command);
      else if (use === 1) ledger.applyBatch([valid[0], command]);
      else ledger.apply(command);
      applied++;
    } catch (err) {
      assert.ok(fw.isLedgerError(err), `case ${i} ${JSON.stringify(command, (k, v) => (typeof v === "bigint" ? `${v}n` : v))}: ${err}`);
      assert.equal(fingerprint(ledger), before, `case ${i}: a refused call changed the ledger`);
    }
  }
  assert.ok(applied > 0);
  // Whatever was applied replays to the same journal, and the books balance.
  const replayed = fw.Ledger.fromJournal(ledger.toJournal());
  assert.equal(replayed.toJournal(), ledger.toJournal());
  for (const total of Object.values(ledger.trialBalance().totals)) assert.match(total, /^-?0(\.0+)?$/);
});

test("random cuts and byte flips of a real journal never crash the module (fuzz, seeded)", () => {
  let seed = 7;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const bytes = Buffer.from(fixture);
  const codes = new Set();
  for (let i = 0; i < 300; i++) {
    let mutated = Buffer.from(bytes);
    if (i % 3 === 0) {
      mutated = mutated.subarray(0, rand(mutated.length));
    } else {
      for (let k = 0; k <= rand(3); k++) mutated[rand(mutated.length)] = rand(256);
    }
    // Half the time the bytes as they are (not UTF-8 after a flip), half the time as text.
    const input = i % 2 === 0 ? mutated : mutated.toString("utf8");
    try {
      const ledger = fw.Ledger.fromJournal(input);
      assert.ok(Buffer.from(ledger.toJournal()).equals(Buffer.from(input)), `case ${i}: a loaded journal is the input`);
      ledger.free();
    } catch (err) {
      assert.ok(fw.isLedgerError(err), `case ${i}: ${err}`);
      codes.add(err.code);
    }
  }
  assert.ok(codes.has("JOURNAL_CORRUPT"));
  assert.ok(codes.has("JOURNAL_TORN_TAIL"));
  survives(() => null, "after the journal fuzz");
});
