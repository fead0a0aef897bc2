
// ----- Types of the package's API beyond the contract (written by hand; the contract's types are
// generated into contract.d.ts from the core). -----

/** A resolution id, `"2/4"` (`session/number`). */
export type ResolutionId = string;

/** The module's heap (`memoryUsage()`), in bytes. */
export interface MemoryUsage {
  /** Live on the heap now. */
  allocated: number;
  /** Most live at once since the module started, or since the last `memoryUsage(true)`. */
  peak: number;
  /** The size of the module's WebAssembly memory (it grows, never shrinks; at most 4 GiB). */
  memory: number;
  /** The limit set by `setMemoryLimit`, or `null`. */
  limit: number | null;
}

/** Which kind of named period `periodOf` and `periodsBetween` give. */
export type PeriodKind = "year" | "half" | "quarter" | "month";

type FieldsOf<T> = T extends unknown ? Omit<T, "message" | "name"> : never;

/**
 * What every method throws on failure: an `Error` named `"LedgerError"` with the core's `code`,
 * the offending values as properties (narrow on `code`), all of them in `details`, and for
 * `applyBatch` the 0-based `index` of the failing command. (`INVALID_ARGUMENT` keeps its `name`
 * field in `details.name`, since `name` is the error's own.)
 */
export type LedgerError = Error & { name: "LedgerError"; details: LedgerErrorDetails; index?: number } & FieldsOf<LedgerErrorDetails>;
