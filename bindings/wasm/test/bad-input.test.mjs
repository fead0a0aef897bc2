// Bad input, one table (issue 6): every row is a call that must fail with the core's error code
// (an Error named "LedgerError"), the offending values where the row names them, and a ledger
// left exactly as it was (its trial balance as JSON text, its chain head and its length).
//
// All rows run against one ledger that has every situation the table needs: window money
// (unearmarked and earmarked to 2/4), JPY and KWD agreements, an open project, closed projects
// with and without the elective-transfer clause, one whose balance was transferred and one whose
// donor has not elected, an allocation and its reversal, a closed half-year (2024-H1) and an
// idempotency key. Failed calls change nothing, so the rows do not depend on each other.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fw } from "./helpers.mjs";

const at = "2025-01-15T09:00:00Z";

const windowAgreement = (id, donor, currency, amount, signed_on, earmarked_to = []) => ({
  type: "sign_agreement", id, donor, currency, amount, signed_on, psc_rate: "0.07", elective_transfer: false,
  purpose: { window: { earmarked_to } },
});
const projectAgreement = (id, project, resolution, amount, elective_transfer) => ({
  type: "sign_agreement", id, donor: "NO", currency: "USD", amount, signed_on: "2024-03-10", psc_rate: "0.07",
  elective_transfer, purpose: { project: { id: project, resolution } },
});
const receiptOf = (agreement, amount, received_on) => ({ type: "record_receipt", agreement, amount, received_on });

/** The ledger every row runs against, and the sequence numbers of its allocation and reversal. */
function batteryLedger() {
  const ledger = new fw.Ledger();
  const stamp = (command) => ({ ...command, recorded_at: at });
  ledger.applyBatch([
    { type: "register_donor", id: "NO", name: "Norway", kind: "member_state" },
    { type: "register_donor", id: "JP", name: "Japan", kind: "member_state" },
    { type: "register_donor", id: "KW", name: "Kuwait", kind: "member_state" },
    { type: "set_rate", currency: "EUR", month: "2024-03", per_usd: "0.92" },
    { type: "set_rate", currency: "JPY", month: "2024-03", per_usd: "150.25" },
    { type: "set_rate", currency: "KWD", month: "2024-03", per_usd: "0.307" },
    { type: "set_requirement", resolution: "2/2", amount: "2000000.00" },
    { type: "set_requirement", resolution: "2/4", amount: "1500000.00" },
    { type: "set_requirement", resolution: "2/9", amount: "1000000.00" },
    // Window money: USD 900,000 signed, 800,000 received (100,000 outstanding); 50,000 earmarked to 2/4.
    windowAgreement("CA-NO-1", "NO", "USD", "900000.00", "2024-02-01"),
    receiptOf("CA-NO-1", "800000.00", "2024-02-15"),
    windowAgreement("CA-NO-2", "NO", "USD", "50000.00", "2024-02-01", ["2/4"]),
    receiptOf("CA-NO-2", "50000.00", "2024-02-20"),
    windowAgreement("CA-JP-1", "JP", "JPY", "15000000", "2024-03-05"),
    windowAgreement("CA-KW-1", "KW", "KWD", "30000.000", "2024-03-05"),
    windowAgreement("CA-NO-H2", "NO", "USD", "1000.00", "2024-09-01"),
    // P-OPEN: USD 100,000 received, nothing spent, still open.
    projectAgreement("CA-NO-P1", "P-OPEN", "2/2", "100000.00", true),
    receiptOf("CA-NO-P1", "100000.00", "2024-03-20"),
    // P-NO-CLAUSE: closed, its agreement has no elective-transfer clause.
    projectAgreement("CA-NO-P2", "P-NO-CLAUSE", "2/9", "10000.00", false),
    receiptOf("CA-NO-P2", "10000.00", "2024-03-20"),
    { type: "record_expenditure", project: "P-NO-CLAUSE", amount: "1000.00", spent_on: "2024-04-10" },
    { type: "close_project", project: "P-NO-CLAUSE", closed_on: "2024-07-15" },
    // P-TRANSFERRED: closed, its whole balance already moved to the window.
    projectAgreement("CA-NO-P3", "P-TRANSFERRED", "2/2", "20000.00", true),
    receiptOf("CA-NO-P3", "20000.00", "2024-03-20"),
    { type: "record_expenditure", project: "P-TRANSFERRED", amount: "5000.00", spent_on: "2024-04-10" },
    { type: "close_project", project: "P-TRANSFERRED", closed_on: "2024-07-15" },
    { type: "transfer_balance", project: "P-TRANSFERRED", amount: null, elected_on: "2024-07-20",
      election_ref: "donor letter of 20 July 2024", transferred_on: "2024-07-25" },
    // P-NOT-ELECTED: closed with USD 5,000 left and the clause, but no election recorded.
    projectAgreement("CA-NO-P4", "P-NOT-ELECTED", "2/9", "5000.00", true),
    receiptOf("CA-NO-P4", "5000.00", "2024-03-20"),
    { type: "close_project", project: "P-NOT-ELECTED", closed_on: "2024-07-15" },
  ].map(stamp));
  // P-WITHDRAWN: its agreement's signing reversed; every later command on it is PROJECT_WITHDRAWN.
  const withdrawn = ledger.apply(stamp(projectAgreement("CA-NO-P5", "P-WITHDRAWN", "2/9", "1000.00", true)));
  const withdrawal = ledger.apply(stamp({ type: "reverse", entry: withdrawn.seq, on: "2024-03-25", reason: "agreement withdrawn" }));
  const allocation = ledger.apply(stamp({
    type: "allocate", id: "EB-1", decided_on: "2024-08-01", amount: "100000.00", policy: "equal",
    resolutions: ["2/2", "2/9"], approved_by: "Executive Director",
  }));
  const reversal = ledger.apply(stamp({ type: "reverse", entry: allocation.seq, on: "2024-08-15", reason: "decided twice" }));
  ledger.apply(stamp({ type: "close_period", period: "2024-H1" }));
  ledger.apply(stamp({ type: "set_status", resolution: "2/4", status: "started", idempotency_key: "status-2/4" }));
  return { ledger, allocationSeq: allocation.seq, reversalSeq: reversal.seq, withdrawnBy: withdrawal.seq };
}

const { ledger, allocationSeq, reversalSeq, withdrawnBy } = batteryLedger();

// ----- how a row calls the ledger -----
const apply = (command) => ({ call: `apply(${show(command)})`, run: (l) => l.apply(command) });
const applyJson = (text) => ({ call: `applyJson(${JSON.stringify(text)})`, run: (l) => l.applyJson(text) });
const batch = (commands) => ({ call: `applyBatch([${commands.map(show).join(", ")}])`, run: (l) => l.applyBatch(commands) });
const call = (what, run) => ({ call: what, run });
const HEADER = '{"journal":"funding-window","version":1}\n';

function show(value) {
  const text = JSON.stringify(value, (_, v) => {
    if (typeof v === "number" && !Number.isFinite(v)) return `«${v}»`;
    if (typeof v === "bigint") return `«${v}n»`;
    return v;
  });
  return text.length > 140 ? `${text.slice(0, 140)}…` : text;
}

// ----- commands the rows vary -----
const receipt = (fields) => ({ type: "record_receipt", agreement: "CA-NO-1", amount: "1.00", received_on: "2024-09-10", ...fields });
const signWindow = (fields) => ({ ...windowAgreement("CA-NEW", "NO", "USD", "1000.00", "2024-09-01"), ...fields });
const allocate = (fields) => ({ type: "allocate", id: "EB-NEW", decided_on: "2024-09-10", amount: "100.00", policy: "equal", resolutions: ["2/2", "2/9"], ...fields });
const transfer = (fields) => ({ type: "transfer_balance", project: "P-OPEN", amount: null, elected_on: "2024-09-01", election_ref: "donor letter", transferred_on: "2024-09-10", ...fields });
const spend = (fields) => ({ type: "record_expenditure", project: "P-OPEN", amount: "1.00", spent_on: "2024-09-10", ...fields });
const reverse = (entry) => ({ type: "reverse", entry, on: "2024-09-10", reason: "correction" });
const donor = (id) => ({ type: "register_donor", id, name: "A donor", kind: "other" });

/** [what, call, code, fields the error must carry (optional)] */
const CASES = [
  // JavaScript values that are not decimal strings (refused by the binding before the core sees them)
  ["amount as a JS number", apply(receipt({ amount: 1250000 })), "INVALID_COMMAND"],
  ["amount as a JS fraction", apply(receipt({ amount: 0.1 })), "INVALID_COMMAND"],
  ["amount NaN", apply(receipt({ amount: NaN })), "INVALID_COMMAND"],
  ["amount Infinity", apply(receipt({ amount: Infinity })), "INVALID_COMMAND"],
  ["amount -Infinity", apply(receipt({ amount: -Infinity })), "INVALID_COMMAND"],
  ["amount as a BigInt", apply(receipt({ amount: 10n })), "INVALID_COMMAND"],
  ["amount undefined", apply(receipt({ amount: undefined })), "INVALID_COMMAND"],
  ["amount as a boolean", apply(receipt({ amount: true })), "INVALID_COMMAND"],
  ["rate as a JS number", apply({ type: "set_rate", currency: "EUR", month: "2024-10", per_usd: 0.92 }), "INVALID_COMMAND"],
  ["weight as a JS number", apply(allocate({ policy: "weights", weights: { "2/2": 2, "2/9": "1" } })), "INVALID_COMMAND"],
  ["share as a JS number", apply(allocate({ policy: "explicit", shares: { "2/2": 100 } })), "INVALID_COMMAND"],
  // Decimal strings the core refuses
  ["16 integer digits (limit 15)", apply(receipt({ amount: "1000000000000000.00" })), "AMOUNT_TOO_LARGE", { max_integer_digits: 15 }],
  ["32 digits (beyond 28 significant)", apply(receipt({ amount: "9".repeat(32) })), "INVALID_AMOUNT"],
  ["negative amount", apply(receipt({ amount: "-5.00" })), "INVALID_AMOUNT", { value: "-5.00" }],
  ["zero amount", apply(receipt({ amount: "0.00" })), "INVALID_AMOUNT"],
  ["zero as an integer string", apply(receipt({ amount: "0" })), "INVALID_AMOUNT"],
  ["exponent notation", apply(receipt({ amount: "1e5" })), "INVALID_AMOUNT"],
  ["spaces around an amount", apply(receipt({ amount: " 1.00" })), "INVALID_AMOUNT"],
  ["USD with 3 decimals", apply(receipt({ amount: "1.001" })), "PRECISION_EXCEEDED", { currency: "USD", minor_unit: 2 }],
  ["JPY with a decimal", apply(receipt({ agreement: "CA-JP-1", amount: "1.5" })), "PRECISION_EXCEEDED", { currency: "JPY", minor_unit: 0 }],
  ["KWD with 4 decimals", apply(receipt({ agreement: "CA-KW-1", amount: "1.0001" })), "PRECISION_EXCEEDED", { currency: "KWD", minor_unit: 3 }],
  ["zero rate", apply({ type: "set_rate", currency: "EUR", month: "2024-10", per_usd: "0" }), "INVALID_RATE"],
  ["negative rate", apply({ type: "set_rate", currency: "EUR", month: "2024-10", per_usd: "-1" }), "INVALID_RATE"],
  ["PSC rate of 150%", apply(signWindow({ psc_rate: "1.5" })), "INVALID_RATE", { field: "psc_rate" }],
  ["zero weight", apply(allocate({ policy: "weights", weights: { "2/2": "0", "2/9": "1" } })), "INVALID_RATE"],
  // Currencies
  ["unknown currency", apply(signWindow({ currency: "XYZ" })), "UNKNOWN_CURRENCY", { currency: "XYZ" }],
  ["lower-case currency code", apply(signWindow({ currency: "usd" })), "UNKNOWN_CURRENCY"],
  ["receipt in another currency", apply(receipt({ currency: "EUR" })), "CURRENCY_MISMATCH", { expected: "USD", found: "EUR" }],
  ["no EUR rate for 2024-09", apply(signWindow({ currency: "EUR" })), "MISSING_RATE", { currency: "EUR", month: "2024-09" }],
  ["a rate set twice", apply({ type: "set_rate", currency: "EUR", month: "2024-03", per_usd: "0.93" }), "RATE_ALREADY_SET"],
  // Ids
  ["empty id", apply(donor("")), "INVALID_ID", { kind: "donor" }],
  ["65-byte id (limit 64)", apply(donor("D".repeat(65))), "INVALID_ID"],
  ["66-byte id in 33 characters", apply(donor("é".repeat(33))), "INVALID_ID"],
  ["donor registered twice", apply(donor("NO")), "DUPLICATE_ID", { kind: "donor", id: "NO" }],
  ["allocation decision reused", apply(allocate({ id: "EB-1" })), "DUPLICATE_ID"],
  ["reference of 513 bytes (limit 512)", apply(receipt({ reference: "r".repeat(513) })), "LIMIT_EXCEEDED"],
  // Unknown things
  ["unknown donor", apply(signWindow({ donor: "XX" })), "UNKNOWN_DONOR", { donor: "XX" }],
  ["unknown agreement", apply(receipt({ agreement: "CA-NOPE" })), "UNKNOWN_AGREEMENT", { agreement: "CA-NOPE" }],
  ["unknown project", apply(spend({ project: "P-NOPE" })), "UNKNOWN_PROJECT", { project: "P-NOPE" }],
  ["unknown resolution", apply({ type: "set_requirement", resolution: "9/9", amount: "1.00" }), "UNKNOWN_RESOLUTION", { resolution: "9/9" }],
  ["unknown journal entry", apply(reverse(9999)), "UNKNOWN_ENTRY", { entry: 9999 }],
  // Money that is not there
  ["over-allocation", apply(allocate({ amount: "10000000.00" })), "INSUFFICIENT_FUNDS",
    { account: "funds:window:unallocated", available: "1113203.48", requested: "10000000.00" }],
  ["earmarked money to another resolution", apply(allocate({ source: { earmarked: "2/4" }, resolutions: ["2/2"] })), "EARMARK_VIOLATION",
    { earmarked_to: "2/4", resolution: "2/2" }],
  ["project spending beyond its fund", apply(spend({ amount: "200000.00" })), "INSUFFICIENT_FUNDS",
    { account: "funds:project:P-OPEN", available: "100000.00", requested: "214000.00" }],
  ["receipt beyond what is outstanding", apply(receipt({ amount: "100000.01" })), "EXCEEDS_OUTSTANDING",
    { outstanding: "100000.00", amount: "100000.01" }],
  ["explicit shares not summing to the amount", apply(allocate({ policy: "explicit", shares: { "2/2": "60.00", "2/9": "30.00" } })), "INVALID_ALLOCATION"],
  ["gap pro rata with no gap", apply(allocate({ policy: "gap_pro_rata", resolutions: ["2/3"] })), "NO_FUNDING_GAP"],
  // Balance transfers
  ["transfer without the clause", apply(transfer({ project: "P-NO-CLAUSE" })), "NO_TRANSFER_CLAUSE", { agreement: "CA-NO-P2" }],
  ["transfer without an election", apply(transfer({ project: "P-NOT-ELECTED", elected_on: null, election_ref: null })), "TRANSFER_NOT_ELECTED"],
  ["transfer before closure", apply(transfer({ project: "P-OPEN" })), "PROJECT_NOT_CLOSED", { project: "P-OPEN" }],
  ["the same balance transferred twice", apply(transfer({ project: "P-TRANSFERRED" })), "NO_BALANCE", { project: "P-TRANSFERRED" }],
  ["transfer of more than is left", apply(transfer({ project: "P-NOT-ELECTED", amount: "5000.01" })), "INSUFFICIENT_FUNDS",
    { available: "5000.00", requested: "5000.01" }],
  ["spending by a closed project", apply(spend({ project: "P-NO-CLAUSE" })), "PROJECT_CLOSED"],
  ["spending by a withdrawn project", apply(spend({ project: "P-WITHDRAWN" })), "PROJECT_WITHDRAWN",
    { project: "P-WITHDRAWN", agreement: "CA-NO-P5", reversed_by: withdrawnBy }],
  ["closing a withdrawn project", apply({ type: "close_project", project: "P-WITHDRAWN", closed_on: "2024-09-10" }), "PROJECT_WITHDRAWN"],
  ["transfer from a withdrawn project", apply(transfer({ project: "P-WITHDRAWN" })), "PROJECT_WITHDRAWN"],
  ["receipt on a withdrawn project's agreement", apply(receipt({ agreement: "CA-NO-P5" })), "PROJECT_WITHDRAWN"],
  // Dates and periods
  ["receipt dated in a closed half-year", apply(receipt({ received_on: "2024-05-01" })), "PERIOD_CLOSED", { period: "2024-H1" }],
  ["closing a closed half-year", apply({ type: "close_period", period: "2024-H1" }), "PERIOD_CLOSED"],
  ["receipt before its agreement is signed", apply(receipt({ agreement: "CA-NO-H2", received_on: "2024-08-20" })), "DATE_OUT_OF_ORDER"],
  ["a date that does not exist", apply(receipt({ received_on: "2024-02-30" })), "INVALID_COMMAND"],
  // Reversals
  ["reversal of a reversal", apply(reverse(reversalSeq)), "NOT_REVERSIBLE", { entry: reversalSeq }],
  ["an entry reversed twice", apply(reverse(allocationSeq)), "ALREADY_REVERSED", { entry: allocationSeq, reversed_by: reversalSeq }],
  ["reversal of a registration", apply(reverse(1)), "NOT_REVERSIBLE"],
  // JSON and the shape of commands
  ["malformed JSON", applyJson("{not json"), "INVALID_COMMAND"],
  ["empty JSON text", applyJson(""), "INVALID_COMMAND"],
  ["JSON with trailing text", applyJson('{"type":"register_donor","id":"SE","name":"Sweden","kind":"member_state"} x'), "INVALID_COMMAND"],
  ["JSON array instead of a command", applyJson("[]"), "INVALID_COMMAND"],
  ["JSON number as an amount", applyJson('{"type":"record_receipt","agreement":"CA-NO-1","amount":5,"received_on":"2024-09-10"}'), "INVALID_COMMAND"],
  ["boolean field given a string", apply(signWindow({ elective_transfer: "yes" })), "INVALID_COMMAND"],
  ["id given a number", apply({ type: "register_donor", id: 5, name: "A donor", kind: "other" }), "INVALID_COMMAND"],
  ["earmarks given a string", apply(signWindow({ purpose: { window: { earmarked_to: "2/4" } } })), "INVALID_COMMAND"],
  ["entry given a string", apply(reverse("1")), "INVALID_COMMAND"],
  ["missing field", apply({ type: "record_receipt", agreement: "CA-NO-1", amount: "1.00" }), "INVALID_COMMAND"],
  ["unknown field", apply(receipt({ colour: "red" })), "INVALID_COMMAND"],
  ["unknown command type", apply({ type: "make_money", amount: "1.00" }), "INVALID_COMMAND"],
  ["no command type", apply({ agreement: "CA-NO-1", amount: "1.00" }), "INVALID_COMMAND"],
  ["a command that is not an object", apply("record_receipt"), "INVALID_COMMAND"],
  ["configure with nothing to set", apply({ type: "configure" }), "INVALID_COMMAND"],
  // Idempotency
  ["idempotency key reused with other content", apply({ type: "set_status", resolution: "2/4", status: "done", idempotency_key: "status-2/4" }),
    "IDEMPOTENCY_CONFLICT", { key: "status-2/4" }],
  ["idempotency key reused by another command type", apply({ type: "set_requirement", resolution: "2/4", amount: "1.00", idempotency_key: "status-2/4" }),
    "IDEMPOTENCY_CONFLICT"],
  // Batches: all or nothing, the failing command named
  ["batch failing at its third command", batch([donor("SE"), receipt({}), signWindow({ donor: "XX" })]), "UNKNOWN_DONOR", { index: 2 }],
  ["batch with a JS number in its second command", batch([donor("SE"), receipt({ amount: 5 })]), "INVALID_COMMAND", { index: 1 }],
  // Arguments of methods, and accounts
  ["a half-year that does not exist", call("resolutionTracker(\"2024-H3\")", (l) => l.resolutionTracker("2024-H3")),
    "INVALID_ARGUMENT", { value: "2024-H3" }],
  ["an account never posted to", call("balance(\"funds:nowhere\")", (l) => l.balance("funds:nowhere")), "UNKNOWN_ACCOUNT",
    { account: "funds:nowhere" }],
  // Four eyes (on a ledger of its own: the table's must not change)
  ["an allocation recorded and approved by one person under four eyes", call("allocate without a second person", () => {
    const own = batteryLedger().ledger;
    own.apply({ type: "configure", four_eyes: true, recorded_at: at });
    return own.apply(allocate({ approved_by: "Ann", recorded_by: "Ann" }));
  }), "APPROVAL_REQUIRED"],
  // Journals
  ["a journal line that is not an entry", call("fromJournal(...)", () => fw.Ledger.fromJournal(`${HEADER}{"seq":1}\n`)),
    "JOURNAL_CORRUPT", { line: 2 }],
  ["a journal cut in the middle of its last line", call("fromJournal(cut)", (l) => fw.Ledger.fromJournal(l.toJournal().slice(0, -40))),
    "JOURNAL_TORN_TAIL"],
  // What the module itself refuses: memory, a re-entrant call, a freed ledger, a clock that throws
  ["a batch larger than the memory left", call("applyBatch(200,000 receipts) within 1 MiB", (l) => {
    const batch = Array.from({ length: 200_000 }, (_, i) => receipt({ reference: `r${i}` }));
    fw.setMemoryLimit(fw.memoryUsage().allocated + (1 << 20));
    try {
      return l.applyBatch(batch);
    } finally {
      fw.setMemoryLimit(null);
    }
  }), "OUT_OF_MEMORY"],
  ["a call from inside a call on the same ledger", call("previewAllocation whose getter calls the ledger", (l) => {
    let inner;
    const command = allocate({});
    Object.defineProperty(command, "approved_by", {
      enumerable: true,
      get() {
        try {
          l.trialBalance();
        } catch (err) {
          inner = err;
        }
        return "Executive Director";
      },
    });
    l.previewAllocation(command);
    throw inner;
  }), "LEDGER_BUSY", { method: "trialBalance" }],
  ["a call on a freed ledger", call("free(); length", () => {
    const freed = new fw.Ledger();
    freed.free();
    return freed.length;
  }), "LEDGER_FREED", { method: "length" }],
  ["a clock that throws", call("apply with Date.now throwing", (l) => {
    const now = Date.now;
    Date.now = () => {
      throw new Error("no clock");
    };
    try {
      return l.apply(donor("SE"));
    } finally {
      Date.now = now;
    }
  }), "INTERNAL"],
];

/**
 * Codes no input from JavaScript can produce: WebAssembly has no journal files (IO_ERROR,
 * JOURNAL_LOCKED, READ_ONLY: a file's lock and read-only opening) and no shared store
 * (CONFLICT, STORE_UNAVAILABLE: the PostgreSQL store of Rust and Python).
 */
const UNREACHABLE = ["IO_ERROR", "JOURNAL_LOCKED", "READ_ONLY", "CONFLICT", "STORE_UNAVAILABLE"];

const state = (l) => ({ trialBalance: l.trialBalanceJson(), chainHead: l.chainHead, length: l.length });

test("every error code of the core is what some row of the table makes the module throw", () => {
  // Each row below asserts its code from a real call, so every code is shown reachable from
  // JavaScript input, and a code the core gains fails here until a row produces it.
  const codes = new Set([...CASES.map(([, , code]) => code), ...UNREACHABLE]);
  assert.deepEqual([...codes].sort(), [...fw.errorCodes()].sort());
  assert.equal(new Set(CASES.map(([what]) => what)).size, CASES.length, "every case has its own name");
});

for (const [what, { call, run }, code, fields = {}] of CASES) {
  test(`${what}: ${code}`, () => {
    const before = state(ledger);
    let error;
    try {
      run(ledger);
    } catch (err) {
      error = err;
    }
    assert.ok(error, `${call} succeeded; expected ${code}`);
    assert.ok(error instanceof Error, `${call} threw a non-Error: ${error}`);
    assert.equal(error.name, "LedgerError", `${call}: ${error.name}: ${error.message}`);
    assert.ok(fw.isLedgerError(error));
    assert.equal(error.code, code, `${call}: ${error.message}`);
    assert.equal(error.details.code, code);
    for (const [name, value] of Object.entries(fields)) {
      assert.deepEqual(error[name], value, `${call}: ${name} of ${JSON.stringify(error.details)}`);
    }
    assert.deepEqual(state(ledger), before, `${call} changed the ledger`);
  });
}

test("after the whole table the ledger is the one built, and still takes commands", () => {
  const fresh = batteryLedger().ledger;
  assert.equal(ledger.toJournal(), fresh.toJournal());
  assert.equal(ledger.apply(receipt({ recorded_at: at })).seq, fresh.length + 1);
  fresh.free();
});
