
// ----- Types of the exports module (written by hand; the contract's types above are generated
// from the core, the main package's own are its api.d.ts). -----

/**
 * The books to export: a journal as the main module's `ledger.toJournal()` writes it (its text, or
 * its bytes as a `Uint8Array`), or that ledger itself (its `toJournal()` is called). The journal is
 * replayed and verified first: one that does not verify throws `JOURNAL_CORRUPT` or
 * `JOURNAL_TORN_TAIL`.
 */
export type JournalSource = string | Uint8Array | { toJournal(): string };

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

/**
 * Options of `exportXlsx`: `generated_at` (RFC 3339, the workbook's creation time) and `period`
 * (as the reports take it) are required; `as_of` (the trial balance's date) and `journal` (add the
 * journal's sheet) are optional.
 */
export interface XlsxOptions {
  generated_at: Timestamp;
  period: ReportingPeriod;
  as_of?: IsoDate | null;
  journal?: boolean;
}
