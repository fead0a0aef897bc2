// Error messages in the user's words (docs/errors.md, "Messages"): the field at fault by its path,
// a batch's command by its 0-based index, a rule's arithmetic with grouped digits. The codes and
// fields are the core's, unchanged; the messages are the core's too, the same as from Rust and Python.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fingerprint, fw, ledgerError } from "./helpers.mjs";

const at = "2025-01-15T09:00:00Z";

function books() {
  const ledger = new fw.Ledger();
  ledger.apply({ type: "register_donor", id: "EU", name: "European Union", kind: "multilateral", recorded_at: at });
  ledger.apply({
    type: "sign_agreement", id: "CA-P", donor: "EU", currency: "USD", amount: "500.00", signed_on: "2024-03-01",
    psc_rate: "0.07", elective_transfer: false, purpose: { project: { id: "P-1", resolution: "2/6" } }, recorded_at: at,
  });
  ledger.apply({ type: "record_receipt", agreement: "CA-P", amount: "500.00", received_on: "2024-03-05", recorded_at: at });
  return ledger;
}

test("a bad field deep in a batch is named by its path, the command by its 0-based index", () => {
  const ledger = books();
  const before = fingerprint(ledger);
  const err = ledgerError(() => ledger.applyBatch([
    { type: "record_expenditure", project: "P-1", amount: "10.00", spent_on: "2024-03-10", recorded_at: at },
    {
      type: "sign_agreement", id: "CA-3", donor: "EU", currency: "USD", amount: "10.00", signed_on: "2024-04-01",
      psc_rate: "0.07", elective_transfer: false, purpose: { project: { id: "P-3", resolution: 2 } }, recorded_at: at,
    },
  ]));
  assert.equal(err.code, "INVALID_COMMAND");
  assert.equal(err.index, 1);
  assert.equal(err.details.message,
    "invalid command: field purpose.project.resolution: invalid type: integer `2`, expected a string");
  assert.equal(err.message, `command 1 of the batch (counting from 0): ${err.details.message}`);
  assert.doesNotMatch(err.message, /line \d+ column \d+/);
  assert.equal(fingerprint(ledger), before);
});

test("an overspend states the cost plus PSC against what the agreement received", () => {
  const ledger = books();
  ledger.apply({ type: "record_expenditure", project: "P-1", amount: "300.00", spent_on: "2024-03-10", recorded_at: at });
  const err = ledgerError(() => ledger.apply({
    type: "record_expenditure", project: "P-1", amount: "170.00", spent_on: "2024-03-11", recorded_at: at,
  }));
  assert.equal(err.code, "INSUFFICIENT_FUNDS");
  assert.equal(err.available, "179.00");
  assert.equal(err.requested, "181.90");
  assert.equal(err.message,
    "insufficient funds in funds:project:P-1: the cost of 170.00 USD plus 7% PSC of 11.90 USD is 181.90 USD " +
    "requested, and 179.00 USD is available (received 500.00 USD less spent 321.00 USD with PSC)");
});

test("an allocation beyond what is available says both, digits grouped in the message only", () => {
  const ledger = new fw.Ledger();
  ledger.apply({ type: "register_donor", id: "NO", name: "Norway", kind: "member_state", recorded_at: at });
  ledger.apply({
    type: "sign_agreement", id: "CA-NO", donor: "NO", currency: "USD", amount: "1250000.00", signed_on: "2024-02-01",
    psc_rate: "0.07", elective_transfer: false, purpose: { window: { earmarked_to: [] } }, recorded_at: at,
  });
  const err = ledgerError(() => ledger.apply({
    type: "allocate", id: "EB-1", decided_on: "2024-03-01", amount: "1500000.00", policy: "equal",
    resolutions: ["2/2", "2/9"], approved_by: "ED", recorded_at: at,
  }));
  assert.equal(err.code, "INSUFFICIENT_FUNDS");
  assert.equal(err.available, "1250000.00");
  assert.equal(err.requested, "1500000.00");
  assert.equal(err.message,
    "insufficient funds in funds:window:unallocated: 1,500,000.00 USD requested, and 1,250,000.00 USD is " +
    "available (the least the fund holds from the value date on)");
});
