// Runs in a new project where the packed Node package was installed: require() by name.
const assert = require("node:assert/strict");
const { readFileSync } = require("node:fs");
const { dirname, join, sep } = require("node:path");
const { test } = require("node:test");

test("require('funding-window') loads the installed package and its ledger works", () => {
  const resolved = require.resolve("funding-window");
  assert.ok(resolved.includes(`${sep}node_modules${sep}funding-window${sep}`), resolved);
  const fw = require("funding-window");
  const manifest = JSON.parse(readFileSync(join(dirname(resolved), "package.json"), "utf8"));
  assert.equal(fw.version(), manifest.version);
  assert.equal(manifest.repository, undefined, "no repository URL is claimed");

  const ledger = new fw.Ledger();
  ledger.applyBatch([
    { type: "register_donor", id: "NO", name: "Norway", kind: "member_state" },
    {
      type: "sign_agreement", id: "CA-NO-1", donor: "NO", currency: "USD", amount: "900000.00",
      signed_on: "2024-02-01", psc_rate: "0.07", elective_transfer: false,
      purpose: { window: { earmarked_to: [] } },
    },
  ]);
  assert.equal(ledger.windowBalance().unallocated, "900000.00");
  assert.equal(fw.addDecimals("0.1", "0.2"), "0.3");
  assert.equal(fw.sumDecimals(ledger.trialBalance().accounts.map((a) => a.balance)), "0.00");
  assert.throws(() => ledger.apply({ type: "register_donor", id: "NO", name: "Norway", kind: "member_state" }),
    (err) => fw.isLedgerError(err) && err.code === "DUPLICATE_ID");
});

test("require('funding-window-exports') loads the installed exports module, which exports the ledger's books", () => {
  const resolved = require.resolve("funding-window-exports");
  assert.ok(resolved.includes(`${sep}node_modules${sep}funding-window-exports${sep}`), resolved);
  const fw = require("funding-window");
  const { exportCsv, exportHledger } = require("funding-window-exports");
  const ledger = new fw.Ledger();
  ledger.apply({ type: "register_donor", id: "NO", name: "Norway", kind: "member_state" });
  ledger.apply({
    type: "sign_agreement", id: "CA-NO-1", donor: "NO", currency: "USD", amount: "900000.00",
    signed_on: "2024-02-01", psc_rate: "0.07", elective_transfer: false,
    purpose: { window: { earmarked_to: [] } },
  });
  assert.equal(
    exportCsv(ledger, "trial_balance"),
    "account,currency,balance\r\nassets:receivable:CA-NO-1,USD,900000.00\r\nfunds:window:unallocated,USD,-900000.00\r\n",
  );
  assert.equal(exportHledger(ledger.toJournal()), exportHledger(ledger));
  assert.throws(() => exportCsv(ledger, "balance_sheet"), (err) => fw.isLedgerError(err) && err.code === "INVALID_ARGUMENT");
});
