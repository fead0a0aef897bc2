
// ----- The JSON contract of the funding window (DOMAIN.md), as TypeScript types. -----
//
// Amounts, rates and weights are decimal strings, never numbers: a JS number where a decimal
// string belongs is refused (INVALID_COMMAND), never converted. Dates are ISO strings.

/** An exact decimal as text: `"1250000.00"`, `"10.4512"`. Never a JS number. */
export type DecimalString = string;
/** A calendar date, `"YYYY-MM-DD"`. */
export type IsoDate = string;
/** A month, `"YYYY-MM"` (UNORE rates are monthly). */
export type IsoMonth = string;
/** A half-year reporting period, `"2024-H1"` or `"2024-H2"`. */
export type PeriodId = string;
/** An RFC 3339 timestamp, `"2024-07-01T09:00:00Z"`. */
export type Timestamp = string;
/** An ISO 4217 currency code, `"USD"`, `"SEK"`. */
export type CurrencyCode = string;
/** A resolution id, `"2/4"`. */
export type ResolutionId = string;
/** SHA-256 of a journal entry chained to the previous one, 64 hex digits. */
export type Hash = string;

export type DonorKind = "member_state" | "multilateral" | "private" | "other";
export type RoundingRule = "half_even" | "half_up" | "half_down" | "down" | "up";
export type Policy = "explicit" | "equal" | "gap_pro_rata" | "weights";
/** Which window money an allocation draws on. */
export type AllocationSource = "unallocated" | { earmarked: ResolutionId };

/** Fields any command may carry besides its own. */
export interface RequestMeta {
  /** Submitted twice with one key, a command is applied once. */
  idempotency_key?: string | null;
  /** Who records the command. */
  recorded_by?: string | null;
  /** When it is recorded; the ledger's clock (the browser's or Node's time) when absent. */
  recorded_at?: Timestamp | null;
}

export interface RegisterDonor {
  type: "register_donor";
  id: string;
  name: string;
  kind: DonorKind;
}

export interface RegisterResolution {
  type: "register_resolution";
  id: ResolutionId;
  title: string;
  status?: string | null;
}

export interface SetStatus {
  type: "set_status";
  resolution: ResolutionId;
  status: string;
}

export interface SetRate {
  type: "set_rate";
  currency: CurrencyCode;
  month: IsoMonth;
  /** Units of the currency per one US dollar. */
  per_usd: DecimalString;
  source?: string | null;
}

export interface SetRequirement {
  type: "set_requirement";
  resolution: ResolutionId;
  /** USD. */
  amount: DecimalString;
  effective_on?: IsoDate | null;
}

/** Ledger settings; at least one must be given. */
export interface Configure {
  type: "configure";
  window_psc_rate?: DecimalString | null;
  rounding?: RoundingRule | null;
  four_eyes?: boolean | null;
}

export interface WindowPurpose {
  window: {
    /** `[]` for unearmarked money. */
    earmarked_to: ResolutionId[];
  };
}

export interface ProjectPurpose {
  project: {
    /** The agreement creates this project. */
    id: string;
    resolution: ResolutionId;
  };
}

export interface SignAgreement {
  type: "sign_agreement";
  id: string;
  donor: string;
  currency: CurrencyCode;
  amount: DecimalString;
  signed_on: IsoDate;
  ends_on?: IsoDate | null;
  psc_rate: DecimalString;
  elective_transfer: boolean;
  purpose: WindowPurpose | ProjectPurpose;
}

export interface RecordReceipt {
  type: "record_receipt";
  agreement: string;
  amount: DecimalString;
  received_on: IsoDate;
  reference?: string | null;
  /** Optional cross-check: the agreement's currency. */
  currency?: CurrencyCode | null;
}

interface ExpenditureFields {
  type: "record_expenditure";
  /** Cost before PSC. */
  amount: DecimalString;
  spent_on: IsoDate;
  description?: string | null;
  currency?: CurrencyCode | null;
}

/** Spending by a project, or of window money allocated to a resolution (exactly one of the two). */
export type RecordExpenditure =
  | (ExpenditureFields & { project: string; resolution?: null })
  | (ExpenditureFields & { resolution: ResolutionId; project?: null });

export interface CloseProject {
  type: "close_project";
  project: string;
  closed_on: IsoDate;
}

export interface TransferBalance {
  type: "transfer_balance";
  project: string;
  /** In the project's currency; `null` (or absent) for the whole balance left. */
  amount?: DecimalString | null;
  elected_on?: IsoDate | null;
  election_ref?: string | null;
  transferred_on: IsoDate;
  approved_by?: string | null;
}

export interface RefundBalance {
  type: "refund_balance";
  project: string;
  /** In the project's currency; `null` (or absent) for the whole balance left. */
  amount?: DecimalString | null;
  refunded_on: IsoDate;
}

interface AllocateFields {
  type: "allocate";
  /** Decision reference (unique). */
  id: string;
  decided_on: IsoDate;
  /** USD. */
  amount: DecimalString;
  /** Candidate resolutions; every registered one when absent. */
  resolutions?: ResolutionId[] | null;
  source?: AllocationSource;
  approved_by?: string | null;
}

/** A decision moving window money to resolutions; `shares` go with `explicit`, `weights` with `weights`. */
export type Allocate =
  | (AllocateFields & { policy: "explicit"; shares: Record<ResolutionId, DecimalString>; weights?: null })
  | (AllocateFields & { policy: "weights"; weights: Record<ResolutionId, DecimalString>; shares?: null })
  | (AllocateFields & { policy: "equal" | "gap_pro_rata"; shares?: null; weights?: null });

export interface Reverse {
  type: "reverse";
  /** Sequence number of the entry to reverse. */
  entry: number;
  on: IsoDate;
  reason: string;
}

export interface ClosePeriod {
  type: "close_period";
  period: PeriodId;
}

/** A command of the contract, as stored in the journal (discriminated on `type`). */
export type Command =
  | RegisterDonor
  | RegisterResolution
  | SetStatus
  | SetRate
  | SetRequirement
  | Configure
  | SignAgreement
  | RecordReceipt
  | RecordExpenditure
  | CloseProject
  | TransferBalance
  | RefundBalance
  | Allocate
  | Reverse
  | ClosePeriod;

/** Every `type` of the contract. */
export type CommandType = Command["type"];

/** What `apply` and `applyBatch` take: a command with the optional meta fields. */
export type CommandRequest = Command & RequestMeta;

/** What `previewAllocation` takes. */
export type AllocateRequest = Allocate & RequestMeta;

// ----- Results -----

/** One leg of a journal entry (debit-positive). */
export interface PostingLine {
  account: string;
  currency: CurrencyCode;
  amount: DecimalString;
}

/** A conversion to USD made by an entry, with its provenance. */
export interface Conversion {
  amount: DecimalString;
  currency: CurrencyCode;
  rate: DecimalString;
  month: IsoMonth;
  usd: DecimalString;
}

/** What applying a command did. */
export interface Applied {
  seq: number;
  hash: Hash;
  /** Value date; `null` for registrations and settings. */
  date: IsoDate | null;
  postings: PostingLine[];
  /** `true` when an idempotency key matched an earlier entry, returned unchanged. */
  duplicate: boolean;
}

/** A journal entry as stored (one line of the JSON Lines journal). */
export interface JournalEntry {
  seq: number;
  date?: IsoDate;
  recorded_at: Timestamp;
  recorded_by?: string;
  idempotency_key?: string;
  /** Position in its batch and the batch's size. */
  batch?: [number, number];
  command: Command;
  postings: PostingLine[];
  conversions?: Conversion[];
  hash: Hash;
}

/** The dry run of an allocation: the split and why. */
export interface AllocationPreview {
  decision: string;
  decided_on: IsoDate;
  policy: Policy;
  source: AllocationSource;
  currency: "USD";
  amount: DecimalString;
  /** What the source holds on the decision date (and every later date). */
  available: DecimalString;
  /** One line per candidate, in resolution order. */
  lines: PreviewLine[];
}

export interface PreviewLine {
  resolution: ResolutionId;
  title: string;
  gap_before: DecimalString | null;
  /** The gap, the given weight, 1 for equal shares, the amount for explicit shares. */
  weight: DecimalString;
  /** Exact quota, to six places beyond the cent. */
  quota: DecimalString;
  /** Quota rounded down to the cent. */
  floor: DecimalString;
  /** Fraction of a cent the floor leaves. */
  remainder: DecimalString;
  /** Rank of the remainder (1 = largest; ties to the lower resolution id). */
  rank: number;
  /** Whether the line received one of the cents left over. */
  extra_unit: boolean;
  share: DecimalString;
}

// ----- Reports (the core's JSON, byte for byte in the ...Json() variants) -----

export interface TrialBalanceLine {
  account: string;
  currency: CurrencyCode;
  balance: DecimalString;
}

export interface TrialBalance {
  as_of: IsoDate | null;
  /** Sorted by account, then currency; zero balances left out. */
  accounts: TrialBalanceLine[];
  /** Zero in every currency. */
  totals: Record<CurrencyCode, DecimalString>;
  chain_head: Hash;
}

export interface TrackerRow {
  resolution: ResolutionId;
  title: string;
  status: string | null;
  requirement: DecimalString | null;
  mobilized: DecimalString;
  gap: DecimalString | null;
  /** Percentage with two decimals; `null` where the requirement is zero or unset. */
  gap_pct: DecimalString | null;
  allocated_in_period: DecimalString;
  allocated_to_date: DecimalString;
}

export interface ResolutionTracker {
  period: PeriodId;
  currency: "USD";
  rows: TrackerRow[];
  chain_head: Hash;
}

export interface ResolutionAmount {
  resolution: ResolutionId;
  title: string;
  amount: DecimalString;
}

export interface DonorAmount {
  donor: string;
  name: string;
  amount: DecimalString;
}

export interface WindowBalance {
  unallocated: DecimalString;
  /** Non-zero earmarks only, in resolution order. */
  earmarked: ResolutionAmount[];
  total: DecimalString;
}

export interface WindowStatement {
  period: PeriodId;
  currency: "USD";
  opening: WindowBalance;
  contributions: DonorAmount[];
  contributions_total: DecimalString;
  transfers_in: DecimalString;
  other_income: DecimalString;
  allocations: ResolutionAmount[];
  allocations_total: DecimalString;
  refunds: DecimalString;
  closing: WindowBalance;
  chain_head: Hash;
}

export interface DonorAgreement {
  agreement: string;
  purpose: "window" | "project";
  project: string | null;
  resolutions: ResolutionId[];
  signed_on: IsoDate;
  ends_on: IsoDate | null;
  status: "open" | "closed" | "reversed";
  currency: CurrencyCode;
  amount: DecimalString;
  usd_value: DecimalString;
  rate: DecimalString | null;
  received: DecimalString;
  outstanding: DecimalString;
  cancelled: DecimalString;
  spent: DecimalString;
  psc: DecimalString;
  transferred_to_window: DecimalString;
  refunded: DecimalString;
  balance: DecimalString;
  fx_gain_loss_usd: DecimalString;
}

export interface DonorStatement {
  donor: string;
  name: string;
  kind: DonorKind;
  agreements: DonorAgreement[];
  chain_head: Hash;
}

export interface TransferRow {
  project: string;
  donor: string;
  agreement: string;
  closed_on: IsoDate | null;
  balance: DecimalString;
  currency: CurrencyCode;
  usd: DecimalString;
  rate: DecimalString | null;
  rate_month: IsoMonth | null;
  elected_on: IsoDate;
  election_ref: string;
  transferred_on: IsoDate;
  approved_by: string | null;
  entry: number;
  reversed_by: number | null;
}

export interface TransferRegister {
  rows: TransferRow[];
  chain_head: Hash;
}

export interface AllocationRow {
  decision: string;
  date: IsoDate;
  approver: string | null;
  policy: Policy;
  source: AllocationSource;
  resolution: ResolutionId;
  title: string;
  gap_before: DecimalString | null;
  amount: DecimalString;
  entry: number;
  reversal: boolean;
}

export interface AllocationLog {
  rows: AllocationRow[];
  chain_head: Hash;
}

/** One posting of the journal with its entry's particulars (`postingRows()`): the journal as a table. */
export interface PostingRow {
  seq: number;
  /** Value date of the entry. */
  date: IsoDate | null;
  recorded_at: Timestamp;
  recorded_by: string | null;
  /** The command type of the entry. */
  command: CommandType;
  account: string;
  currency: CurrencyCode;
  /** Debit-positive. */
  amount: DecimalString;
}

// ----- Exports (the core's text: the same bytes from Rust, Python and JavaScript) -----

/** The reports `exportCsv` writes; `csvReports()` returns the same list at run time. */
export type CsvReportName =
  | "trial_balance"
  | "resolution_tracker"
  | "window_statement"
  | "donor_statement"
  | "transfer_register"
  | "allocation_log"
  | "journal";

/**
 * Arguments of `exportCsv`, as the conformance scenarios name them: `period` for
 * `resolution_tracker` and `window_statement` (required there), `as_of` for `trial_balance`,
 * `donor` for `donor_statement` (every donor when absent). An argument the report does not take
 * is `INVALID_ARGUMENT`.
 */
export interface CsvArgs {
  period?: PeriodId;
  as_of?: IsoDate | null;
  donor?: string | null;
}

/** Options of `exportIati`; only `generated_at` is required (the export reads no clock). */
export interface IatiOptions {
  /** `iati-activities/@generated-datetime`. */
  generated_at: Timestamp;
  /** Last value date included; the date of `generated_at` by default, never after it. */
  as_of?: IsoDate | null;
  /** Default `"XM-DAC-41120"` (UN-Habitat). */
  reporting_org_ref?: string;
  reporting_org_name?: string;
  /** IATI organisation type code, default `"40"` (multilateral). */
  reporting_org_type?: string;
  /** The window's activity is `{reporting_org_ref}-{window_suffix}`; default `"UAFW"`. */
  window_suffix?: string;
  window_title?: string;
  window_description?: string;
  /** Each project as an activity of its own (default `true`). */
  include_projects?: boolean;
  /** `xml:lang` of the narratives, default `"en"`. */
  language?: string;
}

export interface ResolutionInfo {
  id: ResolutionId;
  title: string;
  status: string | null;
  requirement: DecimalString | null;
}

export interface DonorInfo {
  id: string;
  name: string;
  kind: DonorKind;
}

// ----- Errors -----

/** The fields of each error, by code (`details` of a LedgerError). */
export type LedgerErrorDetails =
  | { code: "INVALID_COMMAND"; message: string }
  | { code: "INVALID_ARGUMENT"; message: string; name: string; value: string; reason: string }
  | { code: "INVALID_AMOUNT"; message: string; field: string; value: string; reason: string }
  | { code: "PRECISION_EXCEEDED"; message: string; field: string; value: string; currency: CurrencyCode; minor_unit: number }
  | { code: "AMOUNT_TOO_LARGE"; message: string; field: string; value: string; max_integer_digits: number }
  | { code: "INVALID_RATE"; message: string; field: string; value: string; reason: string }
  | { code: "UNKNOWN_CURRENCY"; message: string; currency: string }
  | { code: "CURRENCY_MISMATCH"; message: string; expected: CurrencyCode; found: CurrencyCode }
  | { code: "MISSING_RATE"; message: string; currency: CurrencyCode; month: IsoMonth }
  | { code: "RATE_ALREADY_SET"; message: string; currency: CurrencyCode; month: IsoMonth }
  | { code: "INVALID_ID"; message: string; kind: string; id: string; reason: string }
  | { code: "DUPLICATE_ID"; message: string; kind: string; id: string }
  | { code: "UNKNOWN_DONOR"; message: string; donor: string }
  | { code: "UNKNOWN_AGREEMENT"; message: string; agreement: string }
  | { code: "UNKNOWN_PROJECT"; message: string; project: string }
  | { code: "UNKNOWN_RESOLUTION"; message: string; resolution: string }
  | { code: "UNKNOWN_ENTRY"; message: string; entry: number }
  | { code: "UNKNOWN_ACCOUNT"; message: string; account: string }
  | { code: "INSUFFICIENT_FUNDS"; message: string; account: string; currency: CurrencyCode; available: DecimalString; requested: DecimalString }
  | { code: "EXCEEDS_OUTSTANDING"; message: string; agreement: string; currency: CurrencyCode; outstanding: DecimalString; amount: DecimalString }
  | { code: "EARMARK_VIOLATION"; message: string; earmarked_to: ResolutionId; resolution: ResolutionId }
  | { code: "TRANSFER_NOT_ELECTED"; message: string; project: string }
  | { code: "NO_TRANSFER_CLAUSE"; message: string; project: string; agreement: string }
  | { code: "PROJECT_NOT_CLOSED"; message: string; project: string }
  | { code: "PROJECT_CLOSED"; message: string; project: string }
  | { code: "NO_BALANCE"; message: string; project: string }
  | { code: "PERIOD_CLOSED"; message: string; period: PeriodId; date: IsoDate }
  | { code: "DATE_OUT_OF_ORDER"; message: string; what: string; date: IsoDate; earliest: IsoDate }
  | { code: "INVALID_ALLOCATION"; message: string; reason: string }
  | { code: "NO_FUNDING_GAP"; message: string; resolutions: ResolutionId[] }
  | { code: "ALREADY_REVERSED"; message: string; entry: number; reversed_by: number }
  | { code: "NOT_REVERSIBLE"; message: string; entry: number; reason: string }
  | { code: "IDEMPOTENCY_CONFLICT"; message: string; key: string; entry: number }
  | { code: "APPROVAL_REQUIRED"; message: string; command: CommandType; reason: string }
  | { code: "LIMIT_EXCEEDED"; message: string; limit: string; max: number; actual: number }
  | { code: "JOURNAL_CORRUPT"; message: string; line: number; reason: string }
  | { code: "JOURNAL_TORN_TAIL"; message: string; line: number; offset: number; bytes: number }
  | { code: "JOURNAL_LOCKED"; message: string; path: string }
  | { code: "READ_ONLY"; message: string; store: string }
  | { code: "CONFLICT"; message: string; store: string; seq: number; hash: string }
  | { code: "STORE_UNAVAILABLE"; message: string; store: string }
  | { code: "INTERNAL"; message: string }
  | { code: "IO_ERROR"; message: string; path: string };

/** Every error code; `errorCodes()` returns the same list at run time. */
export type ErrorCode = LedgerErrorDetails["code"];

type FieldsOf<T> = T extends unknown ? Omit<T, "message" | "name"> : never;

/**
 * What every method throws on failure: an `Error` named `"LedgerError"` with the core's `code`,
 * the offending values as properties (narrow on `code`), all of them in `details`, and for
 * `applyBatch` the 0-based `index` of the failing command. (`INVALID_ARGUMENT` keeps its `name`
 * field in `details.name`, since `name` is the error's own.)
 */
export type LedgerError = Error & { name: "LedgerError"; details: LedgerErrorDetails; index?: number } & FieldsOf<LedgerErrorDetails>;
