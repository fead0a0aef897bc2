// Runs in a new project where the packed Node package was installed: import by name, from ESM.
import assert from "node:assert/strict";
import { test } from "node:test";

import fw, { Ledger, compareDecimals, errorCodes } from "funding-window";

test("import from 'funding-window' gives the same package, named and default", () => {
  assert.equal(fw.Ledger, Ledger);
  assert.ok(import.meta.resolve("funding-window").includes("/node_modules/funding-window/"));
  assert.equal(new Ledger().resolutions().length, 15);
  assert.equal(compareDecimals("10", "9.99"), 1);
  assert.ok(errorCodes().includes("INSUFFICIENT_FUNDS"));
});
