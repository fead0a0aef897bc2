// Runs in a new project where the packed browser package was installed: the ES module by name,
// instantiated from its own .wasm as a bundler or a page would do.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import init, { Ledger, initSync, sumDecimals } from "funding-window";
import initExports, { exportCsv, initSync as initExportsSync } from "funding-window-exports";

test("the browser package imports by name and runs from its .wasm", () => {
  assert.equal(typeof init, "function");
  const wasm = fileURLToPath(import.meta.resolve("funding-window/funding_window_bg.wasm"));
  initSync({ module: readFileSync(wasm) });
  const ledger = new Ledger();
  ledger.apply({ type: "register_donor", id: "SE", name: "Sweden", kind: "member_state" });
  assert.equal(ledger.length, 1);
  assert.equal(sumDecimals(["1.10", "2.20"]), "3.30");
});

test("the browser exports module imports by name and runs from its .wasm", () => {
  assert.equal(typeof initExports, "function");
  initSync({ module: readFileSync(fileURLToPath(import.meta.resolve("funding-window/funding_window_bg.wasm"))) });
  const wasm = fileURLToPath(import.meta.resolve("funding-window-exports/funding_window_exports_bg.wasm"));
  initExportsSync({ module: readFileSync(wasm) });
  const ledger = new Ledger();
  ledger.apply({ type: "register_donor", id: "SE", name: "Sweden", kind: "member_state" });
  assert.ok(exportCsv(ledger, "transfer_register").startsWith("project,donor,agreement,"));
  assert.throws(() => exportCsv(ledger, "balance_sheet"), (err) => err.name === "LedgerError" && err.code === "INVALID_ARGUMENT");
});
