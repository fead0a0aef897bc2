//! Explicit limits on everything a user can make large.
//!
//! Each limit has a name, a unit in the name where one applies, and an error
//! ([`LedgerError::LimitExceeded`](crate::LedgerError::LimitExceeded) or a
//! more specific one) when input goes past it. The numbers are far above any
//! real funding window and low enough that exact integer arithmetic on
//! amounts never overflows.
//!
//! Every amount entering the books, converted ones included, is below 10^15, so
//! a sum of amounts can only reach `Decimal`'s range (about 7.9 × 10^28) after
//! some 10^13 entries; running balances are nonetheless added with checked
//! arithmetic and refuse the entry (`AMOUNT_TOO_LARGE`) rather than overflow.

/// Longest id (donor, agreement, project, allocation decision, resolution), in bytes.
pub const ID_LENGTH_MAX: usize = 64;

/// Longest free text (names, titles, references, reasons, user names), in bytes.
pub const TEXT_LENGTH_MAX: usize = 512;

/// Most digits before the decimal point in an amount: up to 999 trillion units.
///
/// With at most three decimals (KWD) an amount is below 10^18 minor units, so
/// products with rates and weights stay exact in 128-bit integers.
pub const AMOUNT_INTEGER_DIGITS_MAX: u32 = 15;

/// Most significant digits in any decimal the ledger reads (amounts, rates, weights).
pub const DECIMAL_DIGITS_MAX: u32 = 28;

/// Most decimals in a rate (UNORE units per USD, PSC rate) or a weight.
pub const RATE_SCALE_MAX: u32 = 10;

/// Most commands in one batch.
pub const BATCH_COMMANDS_MAX: usize = 1_000_000;

/// Most resolutions a ledger holds (15 are registered at creation).
pub const RESOLUTIONS_MAX: usize = 1_000;

/// Most resolutions named in one allocation, earmark list or share table.
pub const RESOLUTIONS_PER_COMMAND_MAX: usize = RESOLUTIONS_MAX;

/// Longest journal line the reader accepts, in bytes.
pub const JOURNAL_LINE_BYTES_MAX: usize = 1 << 20;
