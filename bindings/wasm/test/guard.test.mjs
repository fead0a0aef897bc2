// What the generated glue or the engine would throw as a plain Error is a LedgerError with a code,
// for every method: calls on a freed ledger (LEDGER_FREED), calls made from inside another call on
// the same ledger (LEDGER_BUSY), a method called detached from its ledger (INVALID_ARGUMENT), and
// memory running out (OUT_OF_MEMORY, refused before anything changes where the core can see it
// coming; a trap otherwise, after which that ledger refuses every call). Each leaves the ledger as
// it was, and the module working.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fingerprint, fw, ledgerError, smallLedger } from "./helpers.mjs";

const at = "2025-01-15T09:00:00Z";
const receipt = { type: "record_receipt", agreement: "CA-NO-1", amount: "1.00", received_on: "2024-03-01", recorded_at: at };

/** Every method and accessor of a ledger, with arguments it accepts on the small ledger. */
const CALLS = {
  allocationLog: [],
  allocationLogJson: [],
  apply: [receipt],
  applyBatch: [[receipt]],
  applyJson: [JSON.stringify(receipt)],
  balance: ["assets:cash:USD"],
  chainHead: null, // an accessor
  dateRange: [],
  donorStatement: ["NO"],
  donorStatementJson: ["NO"],
  donors: [],
  entries: [],
  entry: [1],
  length: null,
  postingRows: [],
  previewAllocation: [{ type: "allocate", id: "EB-9", decided_on: "2024-11-01", amount: "10.00", policy: "equal", resolutions: ["2/2"] }],
  previewAllocationJson: [{ type: "allocate", id: "EB-9", decided_on: "2024-11-01", amount: "10.00", policy: "equal", resolutions: ["2/2"] }],
  reportTable: ["resolution_tracker", { period: "2024-H2" }],
  resolutionTracker: ["2024-H2"],
  resolutionTrackerJson: ["2024-H2"],
  resolutions: [],
  toJournal: [],
  transferRegister: [],
  transferRegisterJson: [],
  trialBalance: [],
  trialBalanceJson: [],
  windowBalance: [],
  windowStatement: ["2024-H2"],
  windowStatementJson: ["2024-H2"],
};

/** Calls `name` on `ledger` as CALLS says (a property read for an accessor). */
function call(ledger, name) {
  const args = CALLS[name];
  return args === null ? ledger[name] : ledger[name](...args);
}

const members = Object.getOwnPropertyNames(fw.Ledger.prototype).filter(
  (name) => name !== "constructor" && name !== "free" && !name.startsWith("__"),
);

test("every method of a ledger is in this file's table, and works on the small ledger", () => {
  assert.deepEqual([...members].sort(), Object.keys(CALLS).sort());
  for (const name of members) {
    const ledger = smallLedger();
    call(ledger, name); // throws if the table's arguments are not a valid call
    ledger.free();
  }
});

// Every kind of wrong value a caller can pass.
const ATOMS = {
  undefined: () => undefined,
  null: () => null,
  true: () => true,
  "0": () => 0,
  "-1": () => -1,
  "2**64": () => 2 ** 64,
  NaN: () => NaN,
  "1.5": () => 1.5,
  "empty string": () => "",
  "lone surrogate": () => "2024-H2\ud800",
  "object": () => ({}),
  "array": () => ["2024-H2"],
  "function": () => () => "2024-H2",
  "symbol": () => Symbol("x"),
  "BigInt": () => 10n,
  "Date": () => new Date("2024-06-30"),
  "throwing proxy": () => new Proxy({}, { get() { throw new Error("no"); }, ownKeys() { throw new Error("no"); } }),
};

/** Every function of the package, with arguments it accepts. */
const FUNCTIONS = {
  memoryUsage: [false],
  setMemoryLimit: [null],
  isLedgerError: [new Error("x")],
  errorCodes: [],
  commandTypes: [],
  csvReports: [],
  version: [],
  periodOf: ["2024-08-15", "half"],
  periodsBetween: ["2024-01-01", "2024-12-31", "quarter"],
  periodRange: ["2024-H1"],
  compareDecimals: ["1.00", "2.5"],
  addDecimals: ["1.00", "2.5"],
  subtractDecimals: ["1.00", "2.5"],
  sumDecimals: [["1.00", "2.5"]],
};

test("every function of the package is in this file's table, and works", () => {
  // `Ledger` is the class; `__start` runs once when the module loads (not part of the API).
  const exported = Object.keys(fw).filter((name) => typeof fw[name] === "function" && name !== "Ledger" && name !== "__start");
  assert.deepEqual(exported.sort(), Object.keys(FUNCTIONS).sort());
  for (const [name, args] of Object.entries(FUNCTIONS)) fw[name](...args); // throws if not a valid call
});

test("every argument of every method and function, given every kind of wrong value", () => {
  const ledger = smallLedger();
  const statics = { fromJournal: [ledger.toJournal()] };
  const functions = FUNCTIONS;
  let calls = 0;
  const sweep = (label, run, args, state) => {
    for (let position = 0; position < Math.max(args.length, 1); position++) {
      for (const [kind, make] of Object.entries(ATOMS)) {
        const given = [...args];
        given[position] = make();
        const before = state();
        try {
          run(given);
        } catch (err) {
          assert.ok(fw.isLedgerError(err), `${label}(argument ${position} = ${kind}) threw ${err && err.name}: ${err && err.message}`);
          assert.equal(state(), before, `${label}(argument ${position} = ${kind}) failed but changed the ledger`);
        }
        calls++;
      }
    }
  };
  for (const name of members.filter((name) => CALLS[name] !== null)) {
    sweep(name, (args) => ledger[name](...args), CALLS[name], () => fingerprint(ledger));
  }
  for (const [name, args] of Object.entries(statics)) sweep(name, (given) => fw.Ledger[name](...given), args, () => "");
  for (const [name, args] of Object.entries(functions)) {
    // A limit set by the sweep is lifted before the next call.
    sweep(name, (given) => { try { return fw[name](...given); } finally { fw.setMemoryLimit(null); } }, args, () => "");
  }
  assert.ok(calls > 500, `${calls} calls`);
  // The module and the ledger still work.
  assert.equal(ledger.apply({ ...receipt, reference: "after the sweep" }).date, "2024-03-01");
  assert.equal(fw.Ledger.fromJournal(ledger.toJournal()).chainHead, ledger.chainHead);
});

test("every call on a freed ledger is LEDGER_FREED, and free() again does nothing", () => {
  const ledger = smallLedger();
  ledger.free();
  for (const name of members) {
    const err = ledgerError(() => call(ledger, name));
    assert.equal(err.code, "LEDGER_FREED", name);
    assert.equal(err.method, name);
    assert.match(err.message, /was freed/);
  }
  ledger.free();
  ledger[Symbol.dispose]?.();
  // The module is untouched: other ledgers work.
  assert.equal(smallLedger().length, 5);
});

test("a call made while another call on the same ledger is under way is LEDGER_BUSY", () => {
  for (const name of [...members, "free"]) {
    const ledger = smallLedger();
    const before = fingerprint(ledger);
    let inner;
    const command = { ...receipt };
    Object.defineProperty(command, "reference", {
      enumerable: true,
      get() {
        try {
          if (name === "free") ledger.free();
          else call(ledger, name);
        } catch (err) {
          inner = err;
        }
        return "bank ref";
      },
    });
    // The outer call goes on: the getter caught the refusal of the inner one.
    const applied = ledger.apply(command);
    assert.ok(fw.isLedgerError(inner), `${name}: ${inner}`);
    assert.equal(inner.code, "LEDGER_BUSY", name);
    assert.equal(inner.method, name);
    assert.equal(applied.seq, 6, `${name}: the inner call changed nothing, the outer applied once`);
    assert.notEqual(fingerprint(ledger), before);
    assert.equal(ledger.length, 6);
    ledger.free();
  }
});

test("a refused inner call leaves the outer call's refusal typed, and the ledger unchanged", () => {
  const ledger = smallLedger();
  const before = fingerprint(ledger);
  const command = { ...receipt };
  Object.defineProperty(command, "amount", { enumerable: true, get: () => ledger.apply(receipt) });
  // The getter throws LEDGER_BUSY: the command cannot be read.
  const err = ledgerError(() => ledger.applyBatch([receipt, command]));
  assert.equal(err.code, "INVALID_COMMAND");
  assert.equal(err.index, 1);
  assert.match(err.message, /cannot be read at "amount"/);
  assert.equal(fingerprint(ledger), before);
  // Another ledger, and the static functions, may be used from inside a call.
  const other = smallLedger();
  const nested = { ...receipt };
  Object.defineProperty(nested, "reference", { enumerable: true, get: () => `${other.apply(receipt).seq}` });
  assert.equal(ledger.apply(nested).seq, 6);
  assert.equal(other.length, 6);
});

test("a replaced Date.now that re-enters the ledger cannot change it half-way", () => {
  const ledger = smallLedger();
  const before = fingerprint(ledger);
  const now = Date.now;
  try {
    Date.now = () => ledger.length; // LEDGER_BUSY, thrown inside the call that reads the clock
    const err = ledgerError(() => ledger.apply({ type: "set_status", resolution: "2/4", status: "x" }));
    assert.equal(err.code, "INTERNAL");
    assert.match(err.message, /Date\.now\(\) threw/);
    assert.equal(fingerprint(ledger), before);
  } finally {
    Date.now = now;
  }
  assert.equal(ledger.apply({ type: "set_status", resolution: "2/4", status: "x" }).seq, 6);
});

test("JavaScript failing after the module answered is INTERNAL, and the ledger goes on", () => {
  // As when the journal's text is longer than the engine's longest string: the glue's decoding of
  // the module's answer throws a RangeError.
  const ledger = smallLedger();
  const decode = TextDecoder.prototype.decode;
  TextDecoder.prototype.decode = () => {
    TextDecoder.prototype.decode = decode; // once: the error is then made as usual
    throw new RangeError("Invalid string length");
  };
  let err;
  try {
    err = ledgerError(() => ledger.toJournal());
  } finally {
    TextDecoder.prototype.decode = decode;
  }
  assert.equal(err.code, "INTERNAL");
  assert.match(err.message, /toJournal failed in JavaScript \(RangeError: Invalid string length\); the ledger is as it was/);
  assert.equal(ledger.apply(receipt).seq, 6);
});

test("a method called detached from its ledger is INVALID_ARGUMENT naming `this`", () => {
  const ledger = smallLedger();
  const { apply, trialBalance } = ledger;
  for (const detached of [() => apply(receipt), () => trialBalance.call({}), () => apply.call(null, receipt)]) {
    const err = ledgerError(detached);
    assert.equal(err.code, "INVALID_ARGUMENT");
    assert.equal(err.details.name, "this");
  }
  assert.equal(ledger.length, 5);
});

// ----- memory -----

/**
 * What `fn` throws with the module's heap capped at what is allocated now plus `headroom` bytes
 * (the cap is lifted before the error is looked at).
 */
function thrownWithin(headroom, fn) {
  fw.setMemoryLimit(fw.memoryUsage().allocated + headroom);
  let thrown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  } finally {
    fw.setMemoryLimit(null);
  }
  return ledgerError(() => {
    if (thrown) throw thrown;
    return "nothing was thrown";
  });
}

const receipts = (n) => Array.from({ length: n }, (_, i) => ({ ...receipt, amount: "0.01", reference: `r${i}` }));

test("a batch too large for the memory left is OUT_OF_MEMORY, and changes nothing", () => {
  const ledger = smallLedger();
  const before = fingerprint(ledger);
  const journal = ledger.toJournal();
  const batch = receipts(200_000);
  for (const headroom of [8 << 20, 40 << 20, 80 << 20]) {
    // The batch's text, its commands, the journal's growth or the results' JSON: whichever does
    // not fit is refused before the batch is committed.
    const err = thrownWithin(headroom, () => ledger.applyBatch(batch));
    assert.equal(err.code, "OUT_OF_MEMORY", `${headroom}: ${err.message}`);
    assert.ok(err.bytes > 0 && typeof err.what === "string", JSON.stringify(err.details));
    assert.equal(fingerprint(ledger), before);
    assert.equal(ledger.toJournal(), journal);
  }
  // With the memory back, the same ledger takes the same batch.
  assert.equal(ledger.applyBatch(batch).length, 200_000);
  assert.equal(ledger.balance("assets:cash:USD"), "802000.00");
});

test("a journal too large to copy for JavaScript is OUT_OF_MEMORY, and the ledger goes on", () => {
  const ledger = smallLedger();
  ledger.applyBatch(receipts(10_000));
  const before = fingerprint(ledger);
  const err = thrownWithin(1 << 20, () => ledger.toJournal());
  assert.equal(err.code, "OUT_OF_MEMORY", err.message);
  assert.equal(fingerprint(ledger), before);
  assert.equal(fw.Ledger.fromJournal(ledger.toJournal()).chainHead, ledger.chainHead);
});

test("a journal too large for the memory left is OUT_OF_MEMORY before it is read", () => {
  const ledger = smallLedger();
  ledger.applyBatch(receipts(20_000));
  const journal = Buffer.from(ledger.toJournal());
  for (const input of [journal, journal.toString("utf8")]) {
    // Room for a copy of the journal, not for the text the ledger keeps besides.
    const err = thrownWithin(journal.length + (1 << 20), () => fw.Ledger.fromJournal(input));
    assert.equal(err.code, "OUT_OF_MEMORY", err.message);
    assert.equal(err.what, "the journal's text");
  }
  assert.equal(fw.Ledger.fromJournal(journal).chainHead, ledger.chainHead);
});

test("memory that runs out where the core cannot refuse first stops that ledger, with a code", () => {
  const ledger = smallLedger();
  ledger.applyBatch(receipts(10_000));
  const other = smallLedger();
  // entries() parses the 10,005 entries into a list of some megabytes: with 64 KiB to spare, the
  // module traps mid-call.
  const err = thrownWithin(64 << 10, () => ledger.entries());
  assert.equal(err.code, "OUT_OF_MEMORY", err.message);
  assert.match(err.what, /entries .*stopped/);
  assert.ok(err.bytes > 0);
  // That ledger refuses everything from now on, with a code; nothing else is affected.
  for (const name of ["trialBalance", "apply", "length", "toJournal"]) {
    const stopped = ledgerError(() => call(ledger, name));
    assert.equal(stopped.code, "INTERNAL", name);
    assert.match(stopped.message, /stopped after the WebAssembly module failed/);
  }
  assert.equal(other.apply(receipt).seq, 6);
  assert.equal(fw.Ledger.fromJournal(other.toJournal()).length, 6);
  ledger.free(); // a stopped ledger can still be freed
  assert.equal(ledgerError(() => ledger.length).code, "LEDGER_FREED");
});

test("memoryUsage counts the heap and setMemoryLimit checks its argument", () => {
  const before = fw.memoryUsage(true);
  assert.equal(before.limit, null);
  assert.ok(before.allocated > 0 && before.memory >= before.allocated && before.peak >= before.allocated);
  const ledger = smallLedger();
  ledger.applyBatch(receipts(10_000));
  const grown = fw.memoryUsage();
  // 10,000 entries of about 400 bytes of journal text each, and more: counted.
  assert.ok(grown.allocated - before.allocated > 4_000_000, JSON.stringify({ before, grown }));
  ledger.free();
  assert.ok(fw.memoryUsage().allocated < grown.allocated);
  for (const bad of [-1, 0, 1024, 1.5, "1", NaN, 2 ** 40, {}]) {
    // 0 and 1024 bytes: below what the module has allocated already.
    assert.equal(ledgerError(() => fw.setMemoryLimit(bad)).code, "INVALID_ARGUMENT", String(bad));
  }
  assert.equal(ledgerError(() => fw.memoryUsage("yes")).code, "INVALID_ARGUMENT");
  fw.setMemoryLimit(1 << 30);
  assert.equal(fw.memoryUsage().limit, 1 << 30);
  fw.setMemoryLimit(undefined);
  assert.equal(fw.memoryUsage().limit, null);
});
