//! One error type for every way an operation can fail.
//!
//! Each variant is a failure a user can act on; it carries the offending values
//! and a stable upper-case code ([`LedgerError::code`]) that the Python and
//! JavaScript bindings reuse unchanged. The error serializes to JSON as
//! `{"code": "...", <fields>}`, which is how the bindings obtain the values.

use serde::Serialize;

/// Result alias used throughout the crate.
pub type Result<T, E = LedgerError> = std::result::Result<T, E>;

/// Everything that can go wrong, one variant per actionable failure.
///
/// Amounts in the fields are decimal strings exactly as the ledger sees them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum LedgerError {
    /// The command is not well-formed JSON of the contract (unknown type or field,
    /// missing field, wrong JSON type).
    #[error("invalid command: {message}")]
    InvalidCommand {
        /// What the parser found, with the path to the offending field.
        message: String,
    },
    /// An argument of a library call (not a command field) is malformed.
    #[error("invalid {name} {value:?}: {reason}")]
    InvalidArgument {
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
    InvalidAmount {
        /// Command field holding the amount.
        field: String,
        /// The text given.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// An amount has more decimals than its currency's minor unit.
    #[error("{field} {value} has more decimals than {currency} allows ({minor_unit})")]
    PrecisionExceeded {
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
    AmountTooLarge {
        /// Command field or quantity that overflowed.
        field: String,
        /// The value given or reached.
        value: String,
        /// Integer digits allowed.
        max_integer_digits: u32,
    },
    /// A rate or weight is out of range or too precise.
    #[error("invalid rate {value:?} in {field}: {reason}")]
    InvalidRate {
        /// Command field holding the rate.
        field: String,
        /// The text given.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// The currency code is not an ISO 4217 currency the ledger knows.
    #[error("unknown currency {currency:?}")]
    UnknownCurrency {
        /// The code given.
        currency: String,
    },
    /// A command names a currency other than the one of the agreement it concerns.
    #[error("currency mismatch: expected {expected}, found {found}")]
    CurrencyMismatch {
        /// The currency the ledger expects.
        expected: String,
        /// The currency given.
        found: String,
    },
    /// No UNORE rate is recorded for the currency and month a conversion needs.
    #[error("no UNORE rate for {currency} in {month}")]
    MissingRate {
        /// Currency to convert.
        currency: String,
        /// Month (YYYY-MM) of the value date.
        month: String,
    },
    /// A rate for this currency and month is already recorded.
    #[error("a rate for {currency} in {month} is already set")]
    RateAlreadySet {
        /// Currency.
        currency: String,
        /// Month (YYYY-MM).
        month: String,
    },
    /// An id is empty, too long or has characters an account name cannot hold.
    #[error("invalid {kind} id {id:?}: {reason}")]
    InvalidId {
        /// What the id names (donor, agreement, ...).
        kind: String,
        /// The id given.
        id: String,
        /// Why it was refused.
        reason: String,
    },
    /// An id is already taken.
    #[error("{kind} {id:?} already exists")]
    DuplicateId {
        /// What the id names.
        kind: String,
        /// The id given.
        id: String,
    },
    /// No donor with this id.
    #[error("unknown donor {donor:?}")]
    UnknownDonor {
        /// The id given.
        donor: String,
    },
    /// No agreement with this id.
    #[error("unknown agreement {agreement:?}")]
    UnknownAgreement {
        /// The id given.
        agreement: String,
    },
    /// No project with this id.
    #[error("unknown project {project:?}")]
    UnknownProject {
        /// The id given.
        project: String,
    },
    /// No resolution with this id.
    #[error("unknown resolution {resolution:?}")]
    UnknownResolution {
        /// The id given.
        resolution: String,
    },
    /// No journal entry with this sequence number.
    #[error("unknown journal entry {entry}")]
    UnknownEntry {
        /// The sequence number given.
        entry: u64,
    },
    /// No account with this name has ever been posted to.
    #[error("unknown account {account:?}")]
    UnknownAccount {
        /// The name given.
        account: String,
    },
    /// A fund holds less than the operation takes.
    #[error("insufficient funds in {account}: {available} {currency} available, {requested} requested")]
    InsufficientFunds {
        /// The fund account.
        account: String,
        /// Its currency.
        currency: String,
        /// What it holds.
        available: String,
        /// What the operation needs.
        requested: String,
    },
    /// A receipt exceeds what is still outstanding on its agreement.
    #[error("receipt of {amount} {currency} exceeds the {outstanding} outstanding on {agreement}")]
    ExceedsOutstanding {
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
    EarmarkViolation {
        /// The earmark of the source.
        earmarked_to: String,
        /// The resolution asked for.
        resolution: String,
    },
    /// A balance transfer has no recorded election (date and reference) by the donor.
    #[error("the donor has not elected to transfer the balance of project {project}")]
    TransferNotElected {
        /// The project.
        project: String,
    },
    /// A balance transfer on an agreement without the elective-transfer clause.
    #[error("agreement {agreement} of project {project} has no elective-transfer clause")]
    NoTransferClause {
        /// The project.
        project: String,
        /// Its agreement.
        agreement: String,
    },
    /// The operation needs a closed project.
    #[error("project {project} is not closed")]
    ProjectNotClosed {
        /// The project.
        project: String,
    },
    /// The operation needs an open project.
    #[error("project {project} is closed")]
    ProjectClosed {
        /// The project.
        project: String,
    },
    /// A closed project has no balance left to transfer or refund.
    #[error("project {project} has no balance left")]
    NoBalance {
        /// The project.
        project: String,
    },
    /// The value date falls in a closed period.
    #[error("period {period} is closed; {date} cannot be posted")]
    PeriodClosed {
        /// The closed period (YYYY-H1/H2).
        period: String,
        /// The date refused.
        date: String,
    },
    /// A date comes before an event it must follow (a receipt before signing, ...).
    #[error("{what} on {date} cannot precede {earliest}")]
    DateOutOfOrder {
        /// The event refused.
        what: String,
        /// Its date.
        date: String,
        /// The earliest date allowed.
        earliest: String,
    },
    /// An allocation's shares, weights or candidates do not fit its policy.
    #[error("invalid allocation: {reason}")]
    InvalidAllocation {
        /// What does not fit.
        reason: String,
    },
    /// A gap-pro-rata allocation over resolutions whose funding gaps are all zero.
    #[error("no funding gap among {resolutions:?}")]
    NoFundingGap {
        /// The candidates.
        resolutions: Vec<String>,
    },
    /// The entry has already been reversed.
    #[error("entry {entry} is already reversed by entry {reversed_by}")]
    AlreadyReversed {
        /// The entry asked for.
        entry: u64,
        /// The reversing entry.
        reversed_by: u64,
    },
    /// The entry cannot be reversed (a reversal, a registration, or later activity depends on it).
    #[error("entry {entry} cannot be reversed: {reason}")]
    NotReversible {
        /// The entry asked for.
        entry: u64,
        /// Why not.
        reason: String,
    },
    /// The idempotency key was used before with different content.
    #[error("idempotency key {key:?} was used by entry {entry} with different content")]
    IdempotencyConflict {
        /// The key.
        key: String,
        /// The entry recorded under it.
        entry: u64,
    },
    /// The four-eyes policy requires an approver distinct from the recorder.
    #[error("{command} needs approval: {reason}")]
    ApprovalRequired {
        /// The command type.
        command: String,
        /// What is missing.
        reason: String,
    },
    /// A named limit (see [`crate::limits`]) was exceeded.
    #[error("{limit} exceeded: {actual} > {max}")]
    LimitExceeded {
        /// The limit's name.
        limit: String,
        /// Its value.
        max: u64,
        /// What was given.
        actual: u64,
    },
    /// A journal line is malformed, altered, or does not replay to itself.
    #[error("journal corrupt at line {line}: {reason}")]
    JournalCorrupt {
        /// 1-based line number in the journal file.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// The journal ends in an incomplete line (a write interrupted by a crash).
    #[error("journal ends in a torn line {line} ({bytes} bytes from offset {offset}); recover explicitly to drop it")]
    JournalTornTail {
        /// 1-based line number of the torn line.
        line: u64,
        /// Byte offset where it starts.
        offset: u64,
        /// Its length in bytes.
        bytes: u64,
    },
    /// Another writer holds the journal file: one writer per journal. The file is untouched.
    #[error("journal {path} is held by another writer (open it read-only, or wait until that writer closes it)")]
    JournalLocked {
        /// The journal file.
        path: String,
    },
    /// The ledger was opened read-only: it takes in what its writer appends (`refresh`),
    /// and records nothing itself.
    #[error("ledger on {store} is read-only")]
    ReadOnly {
        /// Where its journal is kept (a file path, a PostgreSQL ledger).
        store: String,
    },
    /// Another writer appended to the shared journal first: nothing was written. Catch up
    /// (`refresh`), which verifies what the others appended, then retry the command.
    #[error("journal in {store} has moved on to entry {seq} ({hash}); catch up and retry")]
    Conflict {
        /// Where the journal is kept.
        store: String,
        /// The store's last entry.
        seq: u64,
        /// That entry's hash (the store's chain head).
        hash: String,
    },
    /// The journal's store cannot be reached (connection refused or lost, server shut
    /// down). Nothing was changed in this ledger; the handle reconnects on its next call.
    #[error("journal store {store} is unavailable: {message}")]
    StoreUnavailable {
        /// Where the journal is kept.
        store: String,
        /// What failed.
        message: String,
    },
    /// An internal consistency check failed. This is a defect; nothing was changed.
    #[error("internal error: {message}")]
    Internal {
        /// What failed.
        message: String,
    },
    /// Reading or writing the journal file failed.
    #[serde(rename = "IO_ERROR")]
    #[error("i/o error on {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

/// Every error code, in declaration order. Bindings check their mapping against this list.
pub const ERROR_CODES: &[&str] = &[
    "INVALID_COMMAND",
    "INVALID_ARGUMENT",
    "INVALID_AMOUNT",
    "PRECISION_EXCEEDED",
    "AMOUNT_TOO_LARGE",
    "INVALID_RATE",
    "UNKNOWN_CURRENCY",
    "CURRENCY_MISMATCH",
    "MISSING_RATE",
    "RATE_ALREADY_SET",
    "INVALID_ID",
    "DUPLICATE_ID",
    "UNKNOWN_DONOR",
    "UNKNOWN_AGREEMENT",
    "UNKNOWN_PROJECT",
    "UNKNOWN_RESOLUTION",
    "UNKNOWN_ENTRY",
    "UNKNOWN_ACCOUNT",
    "INSUFFICIENT_FUNDS",
    "EXCEEDS_OUTSTANDING",
    "EARMARK_VIOLATION",
    "TRANSFER_NOT_ELECTED",
    "NO_TRANSFER_CLAUSE",
    "PROJECT_NOT_CLOSED",
    "PROJECT_CLOSED",
    "NO_BALANCE",
    "PERIOD_CLOSED",
    "DATE_OUT_OF_ORDER",
    "INVALID_ALLOCATION",
    "NO_FUNDING_GAP",
    "ALREADY_REVERSED",
    "NOT_REVERSIBLE",
    "IDEMPOTENCY_CONFLICT",
    "APPROVAL_REQUIRED",
    "LIMIT_EXCEEDED",
    "JOURNAL_CORRUPT",
    "JOURNAL_TORN_TAIL",
    "JOURNAL_LOCKED",
    "READ_ONLY",
    "CONFLICT",
    "STORE_UNAVAILABLE",
    "INTERNAL",
    "IO_ERROR",
];

impl LedgerError {
    /// The stable upper-case code of this error, identical in every binding.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidCommand { .. } => "INVALID_COMMAND",
            Self::InvalidArgument { .. } => "INVALID_ARGUMENT",
            Self::InvalidAmount { .. } => "INVALID_AMOUNT",
            Self::PrecisionExceeded { .. } => "PRECISION_EXCEEDED",
            Self::AmountTooLarge { .. } => "AMOUNT_TOO_LARGE",
            Self::InvalidRate { .. } => "INVALID_RATE",
            Self::UnknownCurrency { .. } => "UNKNOWN_CURRENCY",
            Self::CurrencyMismatch { .. } => "CURRENCY_MISMATCH",
            Self::MissingRate { .. } => "MISSING_RATE",
            Self::RateAlreadySet { .. } => "RATE_ALREADY_SET",
            Self::InvalidId { .. } => "INVALID_ID",
            Self::DuplicateId { .. } => "DUPLICATE_ID",
            Self::UnknownDonor { .. } => "UNKNOWN_DONOR",
            Self::UnknownAgreement { .. } => "UNKNOWN_AGREEMENT",
            Self::UnknownProject { .. } => "UNKNOWN_PROJECT",
            Self::UnknownResolution { .. } => "UNKNOWN_RESOLUTION",
            Self::UnknownEntry { .. } => "UNKNOWN_ENTRY",
            Self::UnknownAccount { .. } => "UNKNOWN_ACCOUNT",
            Self::InsufficientFunds { .. } => "INSUFFICIENT_FUNDS",
            Self::ExceedsOutstanding { .. } => "EXCEEDS_OUTSTANDING",
            Self::EarmarkViolation { .. } => "EARMARK_VIOLATION",
            Self::TransferNotElected { .. } => "TRANSFER_NOT_ELECTED",
            Self::NoTransferClause { .. } => "NO_TRANSFER_CLAUSE",
            Self::ProjectNotClosed { .. } => "PROJECT_NOT_CLOSED",
            Self::ProjectClosed { .. } => "PROJECT_CLOSED",
            Self::NoBalance { .. } => "NO_BALANCE",
            Self::PeriodClosed { .. } => "PERIOD_CLOSED",
            Self::DateOutOfOrder { .. } => "DATE_OUT_OF_ORDER",
            Self::InvalidAllocation { .. } => "INVALID_ALLOCATION",
            Self::NoFundingGap { .. } => "NO_FUNDING_GAP",
            Self::AlreadyReversed { .. } => "ALREADY_REVERSED",
            Self::NotReversible { .. } => "NOT_REVERSIBLE",
            Self::IdempotencyConflict { .. } => "IDEMPOTENCY_CONFLICT",
            Self::ApprovalRequired { .. } => "APPROVAL_REQUIRED",
            Self::LimitExceeded { .. } => "LIMIT_EXCEEDED",
            Self::JournalCorrupt { .. } => "JOURNAL_CORRUPT",
            Self::JournalTornTail { .. } => "JOURNAL_TORN_TAIL",
            Self::JournalLocked { .. } => "JOURNAL_LOCKED",
            Self::ReadOnly { .. } => "READ_ONLY",
            Self::Conflict { .. } => "CONFLICT",
            Self::StoreUnavailable { .. } => "STORE_UNAVAILABLE",
            Self::Internal { .. } => "INTERNAL",
            Self::Io { .. } => "IO_ERROR",
        }
    }

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

/// A failed batch: the index of the command that failed and why. Nothing of
/// the batch was applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("command {index} of the batch failed: {error}")]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_serialized_as_the_code() {
        let samples = [
            LedgerError::InvalidCommand { message: "x".into() },
            LedgerError::InsufficientFunds {
                account: "funds:window:unallocated".into(),
                currency: "USD".into(),
                available: "1.00".into(),
                requested: "2.00".into(),
            },
            LedgerError::Io { path: "p".into(), message: "m".into() },
            LedgerError::JournalTornTail { line: 3, offset: 10, bytes: 4 },
        ];
        for e in samples {
            let json = e.to_json_value();
            assert_eq!(json["code"], e.code());
            assert!(ERROR_CODES.contains(&e.code()));
        }
        let mut sorted = ERROR_CODES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ERROR_CODES.len());
    }

    #[test]
    fn serde_tag_matches_code_for_io() {
        // The serde tag is derived from the variant name; IO_ERROR is the one exception,
        // which to_json_value overrides.
        let e = LedgerError::Io { path: "p".into(), message: "m".into() };
        assert_eq!(e.to_json_value()["code"], "IO_ERROR");
        assert_eq!(e.to_json_value()["path"], "p");
    }
}
