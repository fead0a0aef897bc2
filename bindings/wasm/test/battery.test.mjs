// The contract's bad-input battery, through the WebAssembly binding.
//
// contract/bad-input.json is generated from the core (funding_window::contract::battery, written by
// `cargo run -p funding-window-codegen`): a known state, and for every field of every command each
// kind of bad value with the error code the ledger answers. The core's tests and the Python
// binding's run the same cases, so the three front ends must agree.
//
// Every case is given to one ledger in the known state as JSON text (applyJson) and, unless it
// repeats a key (which a JS object cannot hold), as a plain object (apply) and inside a batch after a
// valid command (applyBatch). Each must throw a LedgerError with the case's code (and the field, for
// the errors that name one) and leave the ledger exactly as it was.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { fingerprint, fw, ledgerError, root } from "./helpers.mjs";

const battery = JSON.parse(readFileSync(join(root, "contract", "bad-input.json"), "utf8"));

function state() {
  const ledger = new fw.Ledger();
  ledger.applyBatch(battery.setup.map((text) => JSON.parse(text)));
  return ledger;
}

/** A valid command put before the bad one in the batch form; the batch must fail at index 1. */
const good = { type: "set_requirement", resolution: "2/7", amount: "100.00" };

test("the battery has hundreds of cases over every command type", () => {
  assert.ok(battery.cases.length >= 500, `${battery.cases.length} cases`);
  const commands = new Set(battery.bases.map((text) => JSON.parse(text).type));
  assert.deepEqual(new Set(battery.cases.map((c) => c.command)), commands);
  assert.equal(new Set(battery.cases.map((c) => c.name)).size, battery.cases.length);
});

test("the state accepts every base", () => {
  for (const base of battery.bases) {
    state().applyJson(base);
  }
});

test("every case is refused with its code, as text, object and batch, changing nothing", () => {
  const ledger = state();
  const before = fingerprint(ledger);
  let calls = 0;
  for (const c of battery.cases) {
    const ways = [["applyJson", () => ledger.applyJson(c.json)]];
    if (c.object) {
      ways.push(["apply", () => ledger.apply(JSON.parse(c.json))]);
      ways.push(["applyBatch", () => ledger.applyBatch([good, JSON.parse(c.json)])]);
    }
    for (const [way, run] of ways) {
      const error = ledgerError(run);
      assert.equal(error.code, c.code, `${c.name} via ${way}: ${error.message}`);
      if (way === "applyBatch") assert.equal(error.index, 1, `${c.name} via ${way}`);
      if (c.error_field !== undefined) assert.equal(error.field, c.error_field, `${c.name} via ${way}`);
      assert.equal(fingerprint(ledger), before, `${c.name} via ${way}`);
      calls += 1;
    }
  }
  assert.ok(calls >= 1500, `${calls} calls`);
});
