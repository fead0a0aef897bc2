// Shared by the Node tests: loads the --target nodejs builds (CommonJS) of the main module and of
// the exports module, and locates the repository.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** The package built by build.sh for Node. */
export const fw = require("../pkg/node/funding_window.js");

/** The exports module (CSV, IATI XML, hledger, Excel) built by bindings/wasm-exports/build.sh for Node. */
export const fx = require("../../wasm-exports/pkg/node/funding_window_exports.js");

/** The repository root. */
export const root = join(here, "..", "..", "..");

/** Calls `fn` and returns the LedgerError it throws; fails when it returns or throws anything else. */
export function ledgerError(fn) {
  let result;
  try {
    result = fn();
  } catch (err) {
    if (!fw.isLedgerError(err)) {
      throw new Error(`expected a LedgerError, got ${err && err.name}: ${err && err.message}`, { cause: err });
    }
    return err;
  }
  throw new Error(`expected a LedgerError, the call returned ${JSON.stringify(result)?.slice(0, 200)}`);
}

/** What must not change when an operation fails: balances, chain head and journal. */
export function fingerprint(ledger) {
  return `${ledger.trialBalanceJson()}|${ledger.chainHead}|${ledger.length}`;
}

/** A small valid ledger: donor, USD 900,000 window agreement (800,000 received), two requirements. */
export function smallLedger() {
  const ledger = new fw.Ledger();
  ledger.applyBatch([
    { type: "register_donor", id: "NO", name: "Norway", kind: "member_state" },
    {
      type: "sign_agreement", id: "CA-NO-1", donor: "NO", currency: "USD", amount: "900000.00",
      signed_on: "2024-02-01", psc_rate: "0.07", elective_transfer: false,
      purpose: { window: { earmarked_to: [] } },
    },
    { type: "record_receipt", agreement: "CA-NO-1", amount: "800000.00", received_on: "2024-02-15" },
    { type: "set_requirement", resolution: "2/2", amount: "2000000.00" },
    { type: "set_requirement", resolution: "2/9", amount: "1000000.00" },
  ].map((c) => ({ ...c, recorded_at: "2025-01-15T09:00:00Z" })));
  return ledger;
}
