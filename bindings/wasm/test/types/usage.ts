// Compiled by test.sh with `tsc --noEmit --strict` against the generated funding_window.d.ts (and the
// exports module's funding_window_exports.d.ts): the typed API accepts the contract and rejects what the contract refuses. Every
// `@ts-expect-error` line must be an error, or tsc fails.
import {
  Ledger,
  addDecimals,
  compareDecimals,
  csvReports,
  errorCodes,
  isLedgerError,
  memoryUsage,
  setMemoryLimit,
  subtractDecimals,
  sumDecimals,
  periodOf,
  periodRange,
  periodsBetween,
  type AllocationPreview,
  type Applied,
  type CommandRequest,
  type CsvReportName,
  type DecimalString,
  type ErrorCode,
  type IsoDate,
  type MemoryUsage,
  type PostingRow,
  type ReportingPeriod,
  type ResolutionTracker,
  type Table,
  type TrialBalance,
} from "../../pkg/node/funding_window.js";
import {
  exportCsv,
  exportHledger,
  exportIati,
  exportXlsx,
  type IatiOptions,
  type JournalSource,
  type XlsxOptions,
} from "../../../wasm-exports/pkg/node/funding_window_exports.js";

const ledger: Ledger = new Ledger();

const commands: CommandRequest[] = [
  { type: "register_donor", id: "SE", name: "Sweden", kind: "member_state" },
  { type: "set_rate", currency: "SEK", month: "2024-03", per_usd: "10.4512", source: "UNORE" },
  {
    type: "sign_agreement", id: "CA-SE-2024-01", donor: "SE", currency: "SEK", amount: "10000000.00",
    signed_on: "2024-03-12", psc_rate: "0.07", elective_transfer: false,
    purpose: { window: { earmarked_to: ["2/4"] } }, recorded_by: "finance officer",
  },
  {
    type: "sign_agreement", id: "CA-EU-2023-07", donor: "EU", currency: "EUR", amount: "2500000.00",
    signed_on: "2023-01-10", psc_rate: "0.07", elective_transfer: true,
    purpose: { project: { id: "P-EU-07", resolution: "2/6" } },
  },
  { type: "record_receipt", agreement: "CA-SE-2024-01", amount: "5000000.00", received_on: "2024-04-02", reference: "bank ref" },
  { type: "record_expenditure", project: "P-EU-07", amount: "1900000.00", spent_on: "2024-05-31" },
  { type: "record_expenditure", resolution: "2/4", amount: "10000.00", spent_on: "2024-12-01" },
  { type: "close_project", project: "P-EU-07", closed_on: "2024-06-30" },
  {
    type: "transfer_balance", project: "P-EU-07", amount: null, elected_on: "2024-07-15",
    election_ref: "donor letter of 15 July 2024", transferred_on: "2024-07-20",
  },
  { type: "refund_balance", project: "P-X", amount: null, refunded_on: "2024-08-01" },
  {
    type: "allocate", id: "EB-2024-H2-01", decided_on: "2024-11-01", amount: "1000000.00", policy: "gap_pro_rata",
    resolutions: ["2/1", "2/2", "2/9"], source: "unallocated", approved_by: "Executive Director",
  },
  {
    type: "allocate", id: "A2", decided_on: "2024-11-01", amount: "300.00", policy: "explicit",
    source: { earmarked: "2/4" }, shares: { "2/4": "300.00" },
  },
  { type: "allocate", id: "A3", decided_on: "2024-11-01", amount: "3.00", policy: "weights", weights: { "2/4": "2", "2/5": "1" } },
  {
    type: "convert_cash", from: "EUR", to: "USD", amount: "100000.00", received: "108695.65",
    converted_on: "2024-09-02", reference: "FX deal 2024-0902", approved_by: "Treasurer",
  },
  { type: "reverse", entry: 42, on: "2024-08-01", reason: "duplicate receipt" },
  { type: "close_period", period: "2024-H1", idempotency_key: "close-2024-H1" },
  { type: "configure", window_psc_rate: "0.07", rounding: "half_even", four_eyes: true },
  { type: "set_requirement", resolution: "2/4", amount: "1500000.00", effective_on: "2024-01-01" },
  { type: "set_status", resolution: "2/4", status: "under implementation" },
  { type: "register_resolution", id: "3/1", title: "A resolution of the third session" },
];

// @ts-expect-error a JS number where a decimal string belongs
const numberAmount: CommandRequest = { type: "record_receipt", agreement: "A", amount: 5, received_on: "2024-01-01" };
// @ts-expect-error a JS number where the bank's decimal string belongs
const numberReceived: CommandRequest = { type: "convert_cash", from: "EUR", to: "USD", amount: "1.00", received: 1.08, converted_on: "2024-09-02" };
// @ts-expect-error an unknown command type
const unknownType: CommandRequest = { type: "make_money" };
// @ts-expect-error a missing field
const missingField: CommandRequest = { type: "register_donor", id: "SE", name: "Sweden" };
// @ts-expect-error an unknown donor kind
const badKind: CommandRequest = { type: "register_donor", id: "SE", name: "Sweden", kind: "state" };
// @ts-expect-error explicit shares need the explicit policy
const sharesWithEqual: CommandRequest = { type: "allocate", id: "A", decided_on: "2024-11-01", amount: "1.00", policy: "equal", shares: { "2/4": "1.00" } };
// @ts-expect-error the weights policy needs weights
const weightsMissing: CommandRequest = { type: "allocate", id: "A", decided_on: "2024-11-01", amount: "1.00", policy: "weights" };
// @ts-expect-error an expenditure names a project or a resolution
const noTarget: CommandRequest = { type: "record_expenditure", amount: "1.00", spent_on: "2024-01-01" };
// @ts-expect-error the window purpose lists its earmarks
const noEarmarks: CommandRequest = { type: "sign_agreement", id: "X", donor: "SE", currency: "USD", amount: "1.00", signed_on: "2024-01-01", psc_rate: "0.07", elective_transfer: false, purpose: { window: {} } };

export function demo(): DecimalString {
  const applied: Applied[] = ledger.applyBatch(commands.slice(0, 3));
  const seq: number = applied[0].seq;
  const one: Applied = ledger.apply({ type: "set_status", resolution: "2/4", status: "started" });
  const tracker: ResolutionTracker = ledger.resolutionTracker("2024-H2");
  const gap: DecimalString | null = tracker.rows[0].gap;
  const tb: TrialBalance = ledger.trialBalance();
  const tbAt: TrialBalance = ledger.trialBalance("2024-06-30");
  const text: string = ledger.trialBalanceJson();
  const preview: AllocationPreview = ledger.previewAllocation({
    type: "allocate", id: "EB-1", decided_on: "2024-11-01", amount: "10.00", policy: "equal",
  });
  const rank: number = preview.lines[0].rank;
  // @ts-expect-error amounts in reports are strings, not numbers
  const asNumber: number = tracker.rows[0].mobilized;
  // @ts-expect-error previewAllocation takes an allocate command only
  ledger.previewAllocation({ type: "close_period", period: "2024-H1" });
  try {
    ledger.apply({ type: "close_period", period: "2024-H1" });
  } catch (err) {
    if (isLedgerError(err)) {
      const code: ErrorCode = err.code;
      const index: number | undefined = err.index;
      if (err.code === "INSUFFICIENT_FUNDS") {
        const available: DecimalString = err.available;
        return available;
      }
      if (err.code === "OUT_OF_MEMORY") {
        const bytes: number = err.bytes;
        return `${err.what} ${bytes}`;
      }
      if (err.code === "LEDGER_BUSY" || err.code === "LEDGER_FREED") {
        const method: string = err.method;
        return method;
      }
      if (err.details.code === "JOURNAL_TORN_TAIL") {
        const offset: number = err.details.offset;
        return String(offset);
      }
      return `${code} ${index ?? ""} ${err.message}`;
    }
  }
  const codes: ErrorCode[] = errorCodes();
  const restored: Ledger = Ledger.fromJournal(ledger.toJournal());
  const fromBytes: Ledger = Ledger.fromJournal(new TextEncoder().encode(ledger.toJournal()));
  // @ts-expect-error a journal is text or its bytes
  Ledger.fromJournal(42);
  const journal: string = restored.toJournal();
  const range: [IsoDate, IsoDate] | null = restored.dateRange();
  const firstDate: IsoDate | undefined = range?.[0];
  const rows: PostingRow[] = restored.postingRows();
  const rowAmount: DecimalString = rows[0].amount;
  // Exports are the exports module's: the books as a ledger, its journal or the journal's bytes.
  const books: JournalSource[] = [restored, journal, new TextEncoder().encode(journal)];
  const csv: string = exportCsv(restored, "resolution_tracker", { period: "2024-H2" });
  const csvAll: string = exportCsv(journal, "donor_statement") + exportCsv(books[2], "trial_balance", { as_of: "2024-06-30" });
  const options: IatiOptions = { generated_at: "2025-01-15T09:00:00Z", as_of: "2024-12-31", include_projects: false };
  const xml: string = exportIati(restored, options) + exportIati(journal, '{"generated_at": "2025-01-15T09:00:00Z"}');
  const hledger: string = exportHledger(restored);
  const pack: XlsxOptions = { generated_at: "2025-01-15T09:00:00Z", period: { from: "2024-01-01", to: "2024-06-30" } };
  const workbook: Uint8Array = exportXlsx(restored, pack);
  const reports: CsvReportName[] = csvReports();
  // @ts-expect-error an unknown report
  exportCsv(restored, "balance_sheet");
  // @ts-expect-error a period is a string
  exportCsv(restored, "resolution_tracker", { period: 2024 });
  // @ts-expect-error IATI options need generated_at
  exportIati(restored, { as_of: "2024-12-31" });
  // @ts-expect-error the books are a journal or a ledger, not a number
  exportHledger(42);
  // @ts-expect-error the Excel pack needs a period
  exportXlsx(restored, { generated_at: "2025-01-15T09:00:00Z" });
  // @ts-expect-error the ledger has no exports of its own
  restored.exportCsv("trial_balance");
  // @ts-expect-error posting amounts are strings
  const rowNumber: number = rows[0].amount;
  const head: string = restored.chainHead;
  const entries: number = restored.length;
  const statements = ledger.donors().map((d) => ledger.donorStatement(d.id).agreements.map((a) => a.balance));
  // Any reporting period: a year, half, quarter, month or an inclusive range of dates.
  const periods: ReportingPeriod[] = ["2024", "2024-H2", "2024-Q3", "2024-07", { from: "2024-07-01", to: "2024-09-30" }];
  const quarter: ResolutionTracker = ledger.resolutionTracker(periods[2]);
  const rangePeriod: ReportingPeriod = ledger.windowStatement({ from: "2024-07-01", to: "2024-09-30" }).period;
  // @ts-expect-error a date range needs both ends
  ledger.windowStatement({ from: "2024-07-01" });
  // @ts-expect-error a period is not a number
  ledger.resolutionTracker(2024);
  const table: Table = ledger.reportTable("resolution_tracker", { period: { from: "2024-07-01", to: "2024-09-30" } });
  const label: string = table.columns[0].label;
  const cell: string | number | boolean | null = table.rows[0][0];
  const halves: string[] = periodsBetween("2024-01-15", "2024-12-31", "half");
  const lastDay: IsoDate = periodRange(periodOf("2024-08-15", "quarter")).to;
  // @ts-expect-error a period kind is year, half, quarter or month
  periodOf("2024-08-15", "week");
  return [fromBytes.length, seq, one.hash, gap, tb.totals.USD, tbAt.as_of, text, rank, asNumber, codes, journal, head, entries, statements,
    firstDate, rowAmount, csv, csvAll, xml, hledger, workbook, reports, rowNumber,
    numberAmount, unknownType, missingField, badKind, sharesWithEqual, weightsMissing, noTarget, noEarmarks,
    ledger.windowBalance().unallocated, ledger.balance("funds:window:unallocated"), ledger.transferRegister().rows.length,
    ledger.allocationLog().rows.map((r) => r.amount), ledger.windowStatement("2024-H2").closing.total,
    ledger.entries().map((e) => e.command.type), ledger.resolutions().map((r) => r.requirement),
    quarter.period, rangePeriod, label, cell, halves, lastDay].join();
}

// Exact decimal helpers: decimal strings in, a decimal string (or -1 | 0 | 1) out.
export function decimals(rows: PostingRow[]): string {
  const total: DecimalString = sumDecimals(rows.map((r) => r.amount));
  const difference: DecimalString = subtractDecimals(addDecimals(total, "0.01"), "0.01");
  const order: -1 | 0 | 1 = compareDecimals(total, difference);
  const sorted = [...rows].sort((x, y) => compareDecimals(x.amount, y.amount));
  // @ts-expect-error a JS number where a decimal string belongs
  addDecimals(1, "2");
  // @ts-expect-error sumDecimals takes an array of decimal strings
  sumDecimals(["1", 2]);
  // @ts-expect-error the helpers return strings, not numbers
  const asNumber: number = addDecimals("1", "2");
  return [total, difference, order, sorted.length, asNumber].join();
}

// The module's heap: counted, and optionally capped.
export function memory(): number {
  const usage: MemoryUsage = memoryUsage();
  const peak: number = memoryUsage(true).peak;
  const limit: number | null = usage.limit;
  setMemoryLimit(usage.allocated + 64 * 1024 * 1024);
  setMemoryLimit(null);
  // @ts-expect-error a limit is a number of bytes, or null
  setMemoryLimit("64 MiB");
  // @ts-expect-error resetPeak is a boolean
  memoryUsage("yes");
  return usage.allocated + usage.memory + peak + (limit ?? 0);
}
