//! One error type for every way an operation can fail.
//!
//! Each variant is a failure a user can act on; it carries the offending values
//! and a stable upper-case code ([`LedgerError::code`]) that the Python and
//! JavaScript bindings reuse unchanged. The error serializes to JSON as
//! `{"code": "...", <fields>}`, which is how the bindings obtain the values.

use serde::Serialize;

use crate::contract::describe::{Described, ErrorInfo, Field};

/// Result alias used throughout the crate.
pub type Result<T, E = LedgerError> = std::result::Result<T, E>;

/// Declares the error enum with each variant's code, and derives from that one list
/// everything else that names codes: `code()` (one exhaustive `match`), [`ERROR_CODES`],
/// the contract's description of every error ([`ERRORS`]) and, for tests, one value of
/// every variant. A variant is written `Name = "CODE" { fields }`: a variant without a
/// code does not compile. The serde tag of each variant is its code.
///
/// A variant may add `+ message { fields }`: what its message explains and its JSON does not
/// carry (the cost and PSC behind a fund's shortfall). They are not fields of the contract:
/// skipped by serde and absent from [`ERRORS`], so the bindings never see them apart from the
/// message.
macro_rules! ledger_errors {
    (
        $(#[$attr:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[doc = $doc:literal])*
                #[error($($message:tt)*)]
                $variant:ident = $code:literal {
                    $(
                        $(#[doc = $fdoc:literal])*
                        $field:ident : $fty:ty
                    ),* $(,)?
                }
                $(+ message {
                    $(
                        $(#[doc = $mdoc:literal])*
                        $mfield:ident : $mty:ty
                    ),* $(,)?
                })?
            ),* $(,)?
        }
    ) => {
        $(#[$attr])*
        $vis enum $name {
            $(
                $(#[doc = $doc])*
                #[error($($message)*)]
                #[serde(rename = $code)]
                $variant {
                    $(
                        $(#[doc = $fdoc])*
                        $field: $fty,
                    )*
                    $($(
                        $(#[doc = $mdoc])*
                        #[serde(skip)]
                        $mfield: $mty,
                    )*)?
                },
            )*
        }

        /// Every error code, in declaration order. Bindings check their mapping against this list.
        pub const ERROR_CODES: &[&str] = &[$($code,)*];

        /// Every error code with the fields its JSON carries (besides `code` and `message`).
        pub(crate) const ERRORS: &[ErrorInfo] = &[$(
            ErrorInfo {
                code: $code,
                variant: stringify!($variant),
                doc: concat!($($doc, "\n",)*),
                fields: &[$(
                    Field {
                        name: stringify!($field),
                        doc: concat!($($fdoc, "\n",)*),
                        shape: <$fty as Described>::SHAPE,
                        rust_type: stringify!($fty),
                        default: false,
                        skipped_when_empty: false,
                    },
                )*],
            },
        )*];

        impl $name {
            /// The stable upper-case code of this error, identical in every binding.
            pub fn code(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => $code,)*
                }
            }

            /// One value of every variant (fields at their defaults), in declaration order.
            #[cfg(test)]
            fn every_variant() -> Vec<$name> {
                vec![$(Self::$variant { $($field: Default::default(),)* $($($mfield: Default::default(),)*)? },)*]
            }
        }
    };
}

ledger_errors! {
    /// Everything that can go wrong, one variant per actionable failure.
    ///
    /// Amounts in the fields are decimal strings exactly as the ledger sees them.
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
    #[serde(tag = "code")]
    #[non_exhaustive]
    pub enum LedgerError {
        /// The command is not well-formed JSON of the contract (unknown type or field,
        /// missing field, wrong JSON type).
        #[error("invalid command: {message}")]
        InvalidCommand = "INVALID_COMMAND" {
            /// What the parser found, with the path to the offending field.
            message: String,
        },
        /// An argument of a library call (not a command field) is malformed.
        #[error("invalid {name} {value:?}: {reason}")]
        InvalidArgument = "INVALID_ARGUMENT" {
            /// The argument's name.
            name: String,
            /// The value given.
            value: String,
            /// Why it was refused.
            reason: String,
        },
        /// A decimal string is not a plain decimal (exponent, NaN, sign, spaces) or
        /// an amount is not positive.
        #[error("invalid amount {value:?} in {field}: {reason}")]
        InvalidAmount = "INVALID_AMOUNT" {
            /// Command field holding the amount.
            field: String,
            /// The text given.
            value: String,
            /// Why it was refused.
            reason: String,
        },
        /// An amount has more decimals than its currency's minor unit.
        #[error("{field} {value} has more decimals than {currency} allows ({minor_unit})")]
        PrecisionExceeded = "PRECISION_EXCEEDED" {
            /// Command field holding the amount.
            field: String,
            /// The text given.
            value: String,
            /// The amount's currency.
            currency: String,
            /// Decimals the currency allows.
            minor_unit: u32,
        },
        /// An amount is larger than the ledger accepts, or a computation on it
        /// would leave exact arithmetic.
        #[error("{field} {value} is too large (at most {max_integer_digits} integer digits)")]
        AmountTooLarge = "AMOUNT_TOO_LARGE" {
            /// Command field or quantity that overflowed.
            field: String,
            /// The value given or reached.
            value: String,
            /// Integer digits allowed.
            max_integer_digits: u32,
        },
        /// A rate or weight is out of range or too precise.
        #[error("invalid rate {value:?} in {field}: {reason}")]
        InvalidRate = "INVALID_RATE" {
            /// Command field holding the rate.
            field: String,
            /// The text given.
            value: String,
            /// Why it was refused.
            reason: String,
        },
        /// The currency code is not an ISO 4217 currency the ledger knows.
        #[error("unknown currency {currency:?}")]
        UnknownCurrency = "UNKNOWN_CURRENCY" {
            /// The code given.
            currency: String,
        },
        /// A command names a currency other than the one of the agreement it concerns.
        #[error("currency mismatch: expected {expected}, found {found}")]
        CurrencyMismatch = "CURRENCY_MISMATCH" {
            /// The currency the ledger expects.
            expected: String,
            /// The currency given.
            found: String,
        },
        /// No UNORE rate is recorded for the currency and month a conversion needs.
        #[error("no UNORE rate for {currency} in {month}")]
        MissingRate = "MISSING_RATE" {
            /// Currency to convert.
            currency: String,
            /// Month (YYYY-MM) of the value date.
            month: String,
        },
        /// A rate for this currency and month is already recorded.
        #[error("a rate for {currency} in {month} is already set")]
        RateAlreadySet = "RATE_ALREADY_SET" {
            /// Currency.
            currency: String,
            /// Month (YYYY-MM).
            month: String,
        },
        /// An id is empty, too long or has characters an account name cannot hold.
        #[error("invalid {kind} id {id:?}: {reason}")]
        InvalidId = "INVALID_ID" {
            /// What the id names (donor, agreement, ...).
            kind: String,
            /// The id given.
            id: String,
            /// Why it was refused.
            reason: String,
        },
        /// An id is already taken.
        #[error("{kind} {id:?} already exists")]
        DuplicateId = "DUPLICATE_ID" {
            /// What the id names.
            kind: String,
            /// The id given.
            id: String,
        },
        /// No donor with this id.
        #[error("unknown donor {donor:?}")]
        UnknownDonor = "UNKNOWN_DONOR" {
            /// The id given.
            donor: String,
        },
        /// No agreement with this id.
        #[error("unknown agreement {agreement:?}")]
        UnknownAgreement = "UNKNOWN_AGREEMENT" {
            /// The id given.
            agreement: String,
        },
        /// No project with this id.
        #[error("unknown project {project:?}")]
        UnknownProject = "UNKNOWN_PROJECT" {
            /// The id given.
            project: String,
        },
        /// No resolution with this id.
        #[error("unknown resolution {resolution:?}")]
        UnknownResolution = "UNKNOWN_RESOLUTION" {
            /// The id given.
            resolution: String,
        },
        /// No journal entry with this sequence number.
        #[error("unknown journal entry {entry}")]
        UnknownEntry = "UNKNOWN_ENTRY" {
            /// The sequence number given.
            entry: u64,
        },
        /// No account with this name has ever been posted to.
        #[error("unknown account {account:?}")]
        UnknownAccount = "UNKNOWN_ACCOUNT" {
            /// The name given.
            account: String,
        },
        /// A fund holds less than the operation takes.
        #[error("insufficient funds in {account}: {}", shortfall.explain(available, requested, currency))]
        InsufficientFunds = "INSUFFICIENT_FUNDS" {
            /// The fund account.
            account: String,
            /// Its currency.
            currency: String,
            /// What it holds.
            available: String,
            /// What the operation needs.
            requested: String,
        } + message {
            /// What `requested` and `available` are made of.
            shortfall: Shortfall,
        },
        /// A receipt exceeds what is still outstanding on its agreement.
        #[error(
            "a receipt of {} {currency} exceeds the {} {currency} outstanding on agreement {agreement} \
             (its amount less what was received and cancelled)",
            grouped(amount),
            grouped(outstanding)
        )]
        ExceedsOutstanding = "EXCEEDS_OUTSTANDING" {
            /// The agreement.
            agreement: String,
            /// Its currency.
            currency: String,
            /// Amount − receipts − cancelled.
            outstanding: String,
            /// The receipt amount.
            amount: String,
        },
        /// Soft-earmarked window money was directed to a resolution outside its earmark.
        #[error("money earmarked to {earmarked_to} cannot go to resolution {resolution}")]
        EarmarkViolation = "EARMARK_VIOLATION" {
            /// The earmark of the source.
            earmarked_to: String,
            /// The resolution asked for.
            resolution: String,
        },
        /// A balance transfer has no recorded election (date and reference) by the donor.
        #[error("the donor has not elected to transfer the balance of project {project}")]
        TransferNotElected = "TRANSFER_NOT_ELECTED" {
            /// The project.
            project: String,
        },
        /// A balance transfer on an agreement without the elective-transfer clause.
        #[error("agreement {agreement} of project {project} has no elective-transfer clause")]
        NoTransferClause = "NO_TRANSFER_CLAUSE" {
            /// The project.
            project: String,
            /// Its agreement.
            agreement: String,
        },
        /// The operation needs a closed project.
        #[error("project {project} is not closed")]
        ProjectNotClosed = "PROJECT_NOT_CLOSED" {
            /// The project.
            project: String,
        },
        /// The operation needs an open project.
        #[error("project {project} is closed")]
        ProjectClosed = "PROJECT_CLOSED" {
            /// The project.
            project: String,
        },
        /// The project's agreement had its signing reversed: the project is withdrawn, and every
        /// later command on it (spending, closing, a transfer or refund, a receipt on its
        /// agreement) gets this one code.
        #[error("project {project} is withdrawn: the signing of agreement {agreement} was reversed by entry {reversed_by}")]
        ProjectWithdrawn = "PROJECT_WITHDRAWN" {
            /// The project.
            project: String,
            /// Its agreement.
            agreement: String,
            /// The entry that reversed the agreement's signing.
            reversed_by: u64,
        },
        /// A closed project has no balance left to transfer or refund.
        #[error("project {project} has no balance left")]
        NoBalance = "NO_BALANCE" {
            /// The project.
            project: String,
        },
        /// The value date falls in a closed period.
        #[error("period {period} is closed; {date} cannot be posted")]
        PeriodClosed = "PERIOD_CLOSED" {
            /// The closed period (YYYY-H1/H2).
            period: String,
            /// The date refused.
            date: String,
        },
        /// A date comes before an event it must follow (a receipt before signing, ...).
        #[error("{what} on {date} cannot precede {earliest}")]
        DateOutOfOrder = "DATE_OUT_OF_ORDER" {
            /// The event refused.
            what: String,
            /// Its date.
            date: String,
            /// The earliest date allowed.
            earliest: String,
        },
        /// An allocation's shares, weights or candidates do not fit its policy.
        #[error("invalid allocation: {reason}")]
        InvalidAllocation = "INVALID_ALLOCATION" {
            /// What does not fit.
            reason: String,
        },
        /// A gap-pro-rata allocation over resolutions whose funding gaps are all zero.
        #[error("no funding gap among {resolutions:?}")]
        NoFundingGap = "NO_FUNDING_GAP" {
            /// The candidates.
            resolutions: Vec<String>,
        },
        /// The entry has already been reversed.
        #[error("entry {entry} is already reversed by entry {reversed_by}")]
        AlreadyReversed = "ALREADY_REVERSED" {
            /// The entry asked for.
            entry: u64,
            /// The reversing entry.
            reversed_by: u64,
        },
        /// The entry cannot be reversed (a reversal, a registration, or later activity depends on it).
        #[error("entry {entry} cannot be reversed: {reason}")]
        NotReversible = "NOT_REVERSIBLE" {
            /// The entry asked for.
            entry: u64,
            /// Why not.
            reason: String,
        },
        /// The idempotency key was used before with different content.
        #[error("idempotency key {key:?} was used by entry {entry} with different content")]
        IdempotencyConflict = "IDEMPOTENCY_CONFLICT" {
            /// The key.
            key: String,
            /// The entry recorded under it.
            entry: u64,
        },
        /// The four-eyes policy requires an approver distinct from the recorder.
        #[error("{command} needs approval: {reason}")]
        ApprovalRequired = "APPROVAL_REQUIRED" {
            /// The command type.
            command: String,
            /// What is missing.
            reason: String,
        },
        /// A named limit (see [`crate::limits`]) was exceeded.
        #[error("{limit} exceeded: {actual} > {max}")]
        LimitExceeded = "LIMIT_EXCEEDED" {
            /// The limit's name.
            limit: String,
            /// Its value.
            max: u64,
            /// What was given.
            actual: u64,
        },
        /// A journal line is malformed, altered, or does not replay to itself.
        #[error("journal corrupt at line {line}{}: {reason}", entry_named(*entry))]
        JournalCorrupt = "JOURNAL_CORRUPT" {
            /// 1-based line number in the journal file (line 1 is its header).
            line: u64,
            /// The sequence number of the entry at fault (`line - 1`: the number a
            /// PostgreSQL store keys its rows by); 0 when the fault is not in an entry
            /// (the header, or a file cut under its reader).
            entry: u64,
            /// What is wrong.
            reason: String,
        },
        /// The journal ends in an incomplete line (a write interrupted by a crash).
        #[error("journal ends in a torn line {line} ({bytes} bytes from offset {offset}); recover explicitly to drop it")]
        JournalTornTail = "JOURNAL_TORN_TAIL" {
            /// 1-based line number of the torn line.
            line: u64,
            /// Byte offset where it starts.
            offset: u64,
            /// Its length in bytes.
            bytes: u64,
        },
        /// Another writer holds the journal file: one writer per journal. The file is untouched.
        /// Open it read-only, or wait until that writer has closed it.
        #[error("journal {path} is held by another writer (open it read-only, or wait until that writer closes it)")]
        JournalLocked = "JOURNAL_LOCKED" {
            /// The journal file.
            path: String,
        },
        /// The ledger was opened read-only: it takes in what its writer appends (`refresh`),
        /// and records nothing itself.
        #[error("ledger on {store} is read-only")]
        ReadOnly = "READ_ONLY" {
            /// Where its journal is kept (a file path, a PostgreSQL ledger).
            store: String,
        },
        /// Another writer appended to the shared journal first: nothing was written. Catch up
        /// (`refresh`), which verifies what the others appended, then retry the command; with
        /// an idempotency key it lands once however often it is retried.
        #[error("journal in {store} has moved on to entry {seq} ({hash}); catch up and retry")]
        Conflict = "CONFLICT" {
            /// Where the journal is kept.
            store: String,
            /// The store's last entry.
            seq: u64,
            /// That entry's hash (the store's chain head).
            hash: String,
        },
        /// The journal's store cannot be reached (connection refused or lost, server shut
        /// down). Nothing was changed in this ledger; the handle reconnects on its next call.
        /// If the connection was lost while committing, the command may have been stored:
        /// catch up (`refresh`), then retry it with its idempotency key.
        #[error("journal store {store} is unavailable: {message}")]
        StoreUnavailable = "STORE_UNAVAILABLE" {
            /// Where the journal is kept.
            store: String,
            /// What failed.
            message: String,
        },
        /// An internal consistency check failed. This is a defect; nothing was changed.
        #[error("internal error: {message}")]
        Internal = "INTERNAL" {
            /// What failed.
            message: String,
        },
        /// Reading or writing the journal file failed.
        #[error("i/o error on {path}: {message}")]
        Io = "IO_ERROR" {
            /// The file.
            path: String,
            /// The operating system's message.
            message: String,
        },
        /// Memory ran out before the operation could grow one of the ledger's large buffers
        /// (the journal, its index, a batch's commands or results); nothing was changed. In
        /// WebAssembly, whose memory is at most 4 GiB, this bounds an in-memory ledger's size.
        #[error("out of memory: {what} needs {bytes} more bytes; nothing was changed")]
        OutOfMemory = "OUT_OF_MEMORY" {
            /// The buffer that could not grow.
            what: String,
            /// The bytes it asked for.
            bytes: u64,
        },
        /// A call on a ledger was made while another call on the same ledger was under way
        /// (from a getter of a command, or a callback the call ran): refused, nothing was
        /// changed. Only the WebAssembly binding can see this: elsewhere calls on a ledger
        /// wait for each other.
        #[error("the ledger is busy: {method} was called while another call on it was under way; nothing was changed")]
        LedgerBusy = "LEDGER_BUSY" {
            /// The refused call.
            method: String,
        },
        /// A call on a ledger whose memory was released (`free()` in JavaScript). Only the
        /// WebAssembly binding can see this.
        #[error("this ledger was freed (free() was called): {method} cannot be used on it")]
        LedgerFreed = "LEDGER_FREED" {
            /// The refused call.
            method: String,
        },
    }
}

impl LedgerError {
    /// The error as a JSON object: `{"code": ..., "message": ..., <fields>}`.
    ///
    /// This is what the bindings attach to the exceptions they raise.
    pub fn to_json_value(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_else(|_| serde_json::json!({}));
        if let serde_json::Value::Object(map) = &mut value {
            map.insert("code".into(), self.code().into());
            map.insert("message".into(), self.to_string().into());
        }
        value
    }

    /// `JOURNAL_CORRUPT` at a 1-based line of a journal; the entry is the line's (line 1 is
    /// the header, so entry `n` is line `n + 1`).
    pub fn journal_corrupt(line: u64, reason: impl Into<String>) -> Self {
        Self::JournalCorrupt { line, entry: line.saturating_sub(1), reason: reason.into() }
    }

    /// This error's message as the failure of command `index` (0-based) of a batch, as
    /// [`BatchError`] and the bindings show it: `command 1 of the batch (counting from 0): ...`.
    pub fn batch_message(&self, index: usize) -> String {
        format!("command {index} of the batch (counting from 0): {self}")
    }

    pub(crate) fn io(path: &std::path::Path, err: &std::io::Error) -> Self {
        Self::Io { path: path.display().to_string(), message: err.to_string() }
    }

    pub(crate) fn invalid_command(message: impl Into<String>) -> Self {
        Self::InvalidCommand { message: message.into() }
    }

    pub(crate) fn limit(limit: &str, max: usize, actual: usize) -> Self {
        Self::LimitExceeded { limit: limit.into(), max: max as u64, actual: actual as u64 }
    }
}

/// What a fund's shortfall ([`LedgerError::InsufficientFunds`]) is made of, for its message:
/// the arithmetic in the domain's terms. Amounts are decimal strings as the fields hold them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Shortfall {
    /// A debit of a fund (an allocation from the window, spending from a resolution's fund):
    /// `available` is the least the fund holds from the value date on, so that no later
    /// entry is left uncovered.
    #[default]
    Debit,
    /// Spending on a project: its cost plus the PSC on it, against what the agreement has
    /// received less what the project has spent with PSC.
    Spending(Box<Spending>),
    /// A part of a closed project's balance moved out (transferred or refunded).
    Balance,
    /// Cash paid out of a currency's cash account: `available` is the least it holds from the
    /// value date on.
    Cash,
    /// Money taken from a project's cash (a receipt reversed): `available` is the least the
    /// project holds from the value date on, received less spent with PSC and moved out.
    ProjectCash,
}

/// The arithmetic of a project's overspending (see [`Shortfall::Spending`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Spending {
    /// The expenditure's cost.
    pub cost: String,
    /// The agreement's PSC rate (`0.07`).
    pub psc_rate: String,
    /// The PSC on the cost.
    pub psc: String,
    /// What the agreement has received.
    pub received: String,
    /// What the project has spent so far, PSC included.
    pub spent: String,
    /// The value date, when what is available from it on is less than received less spent
    /// (money received after it, or spent after it).
    pub from: Option<String>,
}

impl Shortfall {
    /// The message's account of `requested` against `available` (grouped digits).
    fn explain(&self, available: &str, requested: &str, currency: &str) -> String {
        let (available, requested) = (grouped(available), grouped(requested));
        match self {
            Shortfall::Debit => format!(
                "{requested} {currency} requested, and {available} {currency} is available \
                 (the least the fund holds from the value date on)"
            ),
            Shortfall::Spending(spending) => {
                let available = match &spending.from {
                    None => format!("{available} {currency} is available"),
                    Some(date) => format!("{available} {currency} is available on {date} and every later date"),
                };
                format!(
                    "the cost of {} {currency} plus {} PSC of {} {currency} is {requested} {currency} requested, \
                     and {available} (received {} {currency} less spent {} {currency} with PSC{})",
                    grouped(&spending.cost),
                    percent(&spending.psc_rate),
                    grouped(&spending.psc),
                    grouped(&spending.received),
                    grouped(&spending.spent),
                    if spending.from.is_some() { " in all" } else { "" }
                )
            }
            Shortfall::Cash => format!(
                "{requested} {currency} to pay, and {available} {currency} is held \
                 (the least cash in {currency} from the value date on; convert cash from another currency first)"
            ),
            Shortfall::ProjectCash => format!(
                "{requested} {currency} requested, and the project holds {available} {currency} \
                 (the least of received less spent with PSC and moved out, from the value date on)"
            ),
            Shortfall::Balance => {
                format!("{requested} {currency} requested, and the project has {available} {currency} left")
            }
        }
    }
}

/// A decimal string with its integer digits grouped by thousands, as messages show amounts:
/// `1234567.50` -> `1,234,567.50`. Fields keep the plain decimal; text that is not a plain
/// decimal is returned as it is.
pub fn grouped(decimal: &str) -> String {
    let digits = decimal.strip_prefix('-').unwrap_or(decimal);
    let integer = digits.split_once('.').map_or(digits, |(i, _)| i);
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !plain(integer) || !digits.get(integer.len() + 1..).is_none_or(plain) {
        return decimal.to_owned();
    }
    let mut out = String::with_capacity(decimal.len() + integer.len() / 3);
    out.push_str(decimal.get(..decimal.len() - digits.len()).unwrap_or_default()); // the sign
                                                                                   // Whole groups of three after a first group of one to three digits.
    let mut cut = match integer.len() % 3 {
        0 => 3,
        n => n,
    };
    out.push_str(integer.get(..cut).unwrap_or_default());
    while let Some(group) = integer.get(cut..cut + 3) {
        out.push(',');
        out.push_str(group);
        cut += 3;
    }
    out.push_str(digits.get(integer.len()..).unwrap_or_default()); // the point and the fraction
    out
}

/// A rate as a percentage: `0.07` -> `7%`, `0.065` -> `6.5%` (on the text: the point moved
/// two places; rust_decimal's parsing and printing would add kilobytes to the WebAssembly module).
fn percent(rate: &str) -> String {
    let (integer, fraction) = rate.split_once('.').unwrap_or((rate, ""));
    if integer.is_empty() || !integer.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
        return rate.to_owned();
    }
    let fraction = format!("{fraction:0<2}");
    let (moved, rest) = fraction.split_at(2);
    let whole = format!("{integer}{moved}");
    let whole = whole.trim_start_matches('0');
    let rest = rest.trim_end_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    if rest.is_empty() {
        format!("{whole}%")
    } else {
        format!("{whole}.{rest}%")
    }
}

/// A failed batch: the index of the command that failed and why. Nothing of
/// the batch was applied.
///
/// Its message names the command by its 0-based position, as `index` (and the Python and
/// JavaScript `index`) does: `command 1 of the batch (counting from 0): ...`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", error.batch_message(*index))]
pub struct BatchError {
    /// 0-based position of the failing command in the batch.
    pub index: usize,
    /// The failure.
    pub error: LedgerError,
}

impl BatchError {
    /// The code of the underlying error.
    pub fn code(&self) -> &'static str {
        self.error.code()
    }
}

/// ", entry N" in a `JOURNAL_CORRUPT` message when the fault is in an entry.
fn entry_named(entry: u64) -> String {
    if entry == 0 {
        String::new()
    } else {
        format!(" (entry {entry})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_one_code_which_its_json_carries() {
        let all = LedgerError::every_variant();
        assert_eq!(all.len(), ERROR_CODES.len());
        assert_eq!(all.len(), ERRORS.len());
        let mut seen = std::collections::BTreeSet::new();
        for (e, info) in all.iter().zip(ERRORS) {
            assert!(seen.insert(e.code()), "{} twice", e.code());
            assert_eq!(e.code(), info.code);
            let json = serde_json::to_value(e).unwrap();
            // serde's tag is the code itself, without the help of to_json_value.
            assert_eq!(json["code"], e.code());
            // (Sorted: serde_json's map may or may not keep the order, by its features.)
            let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
            keys.retain(|k| *k != "code");
            keys.sort_unstable();
            let mut described: Vec<&str> = info.fields.iter().map(|f| f.name).collect();
            described.sort_unstable();
            assert_eq!(keys, described, "{}", e.code());
            let full = e.to_json_value();
            assert_eq!(full["code"], e.code());
            assert_eq!(full["message"], e.to_string());
            assert!(!info.doc.trim().is_empty(), "{} has no documentation", e.code());
        }
        assert_eq!(seen.len(), ERROR_CODES.len());
        assert!(ERROR_CODES.iter().all(|c| c.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')));
    }

    #[test]
    fn messages_group_digits_and_fields_do_not() {
        assert_eq!(grouped("105930.00"), "105,930.00");
        assert_eq!(grouped("-1234567.5"), "-1,234,567.5");
        assert_eq!(grouped("999.99"), "999.99");
        assert_eq!(grouped("1000"), "1,000");
        assert_eq!(grouped("overflow"), "overflow");
        assert_eq!(grouped("1e5"), "1e5");
        assert_eq!(percent("0.07"), "7%");
        assert_eq!(percent("0.065"), "6.5%");
        assert_eq!(percent("0.1"), "10%");
        assert_eq!(percent("0"), "0%");
        assert_eq!(percent("1.25"), "125%");
        assert_eq!(percent("0.0005"), "0.05%");
        assert_eq!(percent("x"), "x");
        let e = LedgerError::InsufficientFunds {
            account: "funds:projects:P-1".into(),
            currency: "USD".into(),
            available: "100000.00".into(),
            requested: "105930.00".into(),
            shortfall: Shortfall::Spending(Box::new(Spending {
                cost: "99000.00".into(),
                psc_rate: "0.07".into(),
                psc: "6930.00".into(),
                received: "150000.00".into(),
                spent: "50000.00".into(),
                from: None,
            })),
        };
        assert_eq!(
            e.to_string(),
            "insufficient funds in funds:projects:P-1: the cost of 99,000.00 USD plus 7% PSC of 6,930.00 USD \
             is 105,930.00 USD requested, and 100,000.00 USD is available (received 150,000.00 USD less \
             spent 50,000.00 USD with PSC)"
        );
        let json = e.to_json_value();
        assert_eq!(json["requested"], "105930.00");
        assert!(json.get("shortfall").is_none() && json.get("cost").is_none());
        let batch = BatchError { index: 2, error: e };
        assert!(batch.to_string().starts_with("command 2 of the batch (counting from 0): insufficient funds"));
    }

    #[test]
    fn io_errors_carry_their_path() {
        let e = LedgerError::Io { path: "p".into(), message: "m".into() };
        assert_eq!(e.to_json_value()["code"], "IO_ERROR");
        assert_eq!(e.to_json_value()["path"], "p");
    }
}
