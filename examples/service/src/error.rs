//! Every refusal the service answers, as JSON `{"code", "message", <fields>}` with its HTTP status.
//!
//! The ledger's own errors pass through unchanged: their JSON is the core's
//! (`serde_json::to_value(&LedgerError)`, the same fields the bindings read) plus `message`,
//! and their status comes from [`ledger_status`], one table over every code of
//! [`funding_window::ERROR_CODES`] (a test checks that the table and the core's list are the
//! same set). The service adds its own codes ([`ServiceCode`]) for what only HTTP has:
//! authentication, roles, routes, bodies and proposals.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use funding_window::{BatchError, LedgerError};
use serde_json::{Map, Value};

/// Where a core error arose: a command (an unknown donor is a refused command, 422) or a
/// read (an unknown donor is an unknown entity, 404).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum During {
    /// Submitting or approving a command.
    Command,
    /// Reading a report, the journal or an export.
    Read,
}

/// The HTTP status of every error code of the core, by the kind of failure.
///
/// `None` for a code this table does not know: a code added to the core later. The test
/// `every_core_code_has_a_status` fails until it is placed here, and meanwhile such an error
/// answers 500 rather than a guess.
pub fn ledger_status(code: &str, during: During) -> Option<StatusCode> {
    let unknown_entity = match during {
        During::Command => StatusCode::UNPROCESSABLE_ENTITY,
        During::Read => StatusCode::NOT_FOUND,
    };
    Some(match code {
        // Malformed input: the request itself is wrong, whatever the ledger holds.
        "INVALID_COMMAND" | "INVALID_ARGUMENT" | "INVALID_AMOUNT" | "PRECISION_EXCEEDED" | "AMOUNT_TOO_LARGE"
        | "INVALID_RATE" | "UNKNOWN_CURRENCY" | "INVALID_ID" | "LIMIT_EXCEEDED" => StatusCode::BAD_REQUEST,
        // Something named does not exist.
        "UNKNOWN_DONOR" | "UNKNOWN_AGREEMENT" | "UNKNOWN_PROJECT" | "UNKNOWN_RESOLUTION" | "UNKNOWN_ENTRY"
        | "UNKNOWN_ACCOUNT" => unknown_entity,
        // Already there, or another writer got there first.
        "DUPLICATE_ID" | "RATE_ALREADY_SET" | "ALREADY_REVERSED" | "IDEMPOTENCY_CONFLICT" | "CONFLICT" => {
            StatusCode::CONFLICT
        }
        // Well-formed, refused by a rule of the books.
        "CURRENCY_MISMATCH"
        | "MISSING_RATE"
        | "INSUFFICIENT_FUNDS"
        | "EXCEEDS_OUTSTANDING"
        | "EARMARK_VIOLATION"
        | "TRANSFER_NOT_ELECTED"
        | "NO_TRANSFER_CLAUSE"
        | "PROJECT_NOT_CLOSED"
        | "PROJECT_CLOSED"
        | "PROJECT_WITHDRAWN"
        | "NO_BALANCE"
        | "PERIOD_CLOSED"
        | "DATE_OUT_OF_ORDER"
        | "INVALID_ALLOCATION"
        | "NO_FUNDING_GAP"
        | "NOT_REVERSIBLE"
        | "APPROVAL_REQUIRED" => StatusCode::UNPROCESSABLE_ENTITY,
        // The store or the process cannot serve it now; retrying later may succeed.
        "STORE_UNAVAILABLE" | "JOURNAL_LOCKED" | "READ_ONLY" | "OUT_OF_MEMORY" | "LEDGER_BUSY" => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        // Defects and damaged journals: nothing the client can fix.
        "JOURNAL_CORRUPT" | "JOURNAL_TORN_TAIL" | "INTERNAL" | "IO_ERROR" | "LEDGER_FREED" => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        _ => return None,
    })
}

/// The service's own error codes (documented in the OpenAPI document's `ServiceError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceCode {
    /// No `Authorization: Bearer` header, or a token the service does not know.
    Unauthenticated,
    /// The token's role may not do this.
    Forbidden,
    /// No such route.
    NotFound,
    /// The route exists, not with this method.
    MethodNotAllowed,
    /// The body is larger than the configured limit.
    BodyTooLarge,
    /// A body that is not `application/json`.
    UnsupportedMediaType,
    /// The body sets a field the service sets from the authenticated identity.
    FieldSetByService,
    /// The `Idempotency-Key` header and the body's `idempotency_key` differ.
    IdempotencyKeyMismatch,
    /// An idempotency key already names a different proposal.
    IdempotencyKeyReused,
    /// No proposal with this id in this ledger.
    ProposalNotFound,
    /// The recorder of a proposal tried to approve or reject it.
    ProposalSelfApproval,
    /// The proposal was already approved, applied or rejected by someone else.
    ProposalDecided,
    /// The request took longer than the configured timeout (its command may still complete).
    Timeout,
}

impl ServiceCode {
    /// Every service code, for the OpenAPI document and the tests.
    pub const ALL: [ServiceCode; 13] = [
        ServiceCode::Unauthenticated,
        ServiceCode::Forbidden,
        ServiceCode::NotFound,
        ServiceCode::MethodNotAllowed,
        ServiceCode::BodyTooLarge,
        ServiceCode::UnsupportedMediaType,
        ServiceCode::FieldSetByService,
        ServiceCode::IdempotencyKeyMismatch,
        ServiceCode::IdempotencyKeyReused,
        ServiceCode::ProposalNotFound,
        ServiceCode::ProposalSelfApproval,
        ServiceCode::ProposalDecided,
        ServiceCode::Timeout,
    ];

    /// The stable upper-case code.
    pub fn code(self) -> &'static str {
        match self {
            ServiceCode::Unauthenticated => "UNAUTHENTICATED",
            ServiceCode::Forbidden => "FORBIDDEN",
            ServiceCode::NotFound => "NOT_FOUND",
            ServiceCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ServiceCode::BodyTooLarge => "BODY_TOO_LARGE",
            ServiceCode::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            ServiceCode::FieldSetByService => "FIELD_SET_BY_SERVICE",
            ServiceCode::IdempotencyKeyMismatch => "IDEMPOTENCY_KEY_MISMATCH",
            ServiceCode::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            ServiceCode::ProposalNotFound => "PROPOSAL_NOT_FOUND",
            ServiceCode::ProposalSelfApproval => "PROPOSAL_SELF_APPROVAL",
            ServiceCode::ProposalDecided => "PROPOSAL_DECIDED",
            ServiceCode::Timeout => "TIMEOUT",
        }
    }

    /// Its HTTP status.
    pub fn status(self) -> StatusCode {
        match self {
            ServiceCode::Unauthenticated => StatusCode::UNAUTHORIZED,
            ServiceCode::Forbidden | ServiceCode::ProposalSelfApproval => StatusCode::FORBIDDEN,
            ServiceCode::NotFound | ServiceCode::ProposalNotFound => StatusCode::NOT_FOUND,
            ServiceCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ServiceCode::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ServiceCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ServiceCode::FieldSetByService | ServiceCode::IdempotencyKeyMismatch => StatusCode::BAD_REQUEST,
            ServiceCode::IdempotencyKeyReused | ServiceCode::ProposalDecided => StatusCode::CONFLICT,
            ServiceCode::Timeout => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// What the code means, for the OpenAPI document.
    pub fn description(self) -> &'static str {
        match self {
            ServiceCode::Unauthenticated => "No `Authorization: Bearer` header, or a token the service does not know.",
            ServiceCode::Forbidden => "The token's role may not do this (field `role`, `needed`).",
            ServiceCode::NotFound => "No such route.",
            ServiceCode::MethodNotAllowed => "The route exists, not with this method.",
            ServiceCode::BodyTooLarge => "The body is larger than the limit (field `limit`, in bytes).",
            ServiceCode::UnsupportedMediaType => "A body that is not `application/json`.",
            ServiceCode::FieldSetByService => {
                "The body sets `recorded_by`, `approved_by` or `recorded_at`, which the service sets (field `field`)."
            }
            ServiceCode::IdempotencyKeyMismatch => {
                "The `Idempotency-Key` header and the body's `idempotency_key` differ (fields `header`, `body`)."
            }
            ServiceCode::IdempotencyKeyReused => {
                "The idempotency key already names a proposal with other content (field `proposal`)."
            }
            ServiceCode::ProposalNotFound => "No proposal with this id in this ledger (field `proposal`).",
            ServiceCode::ProposalSelfApproval => "The recorder of a proposal may not approve or reject it.",
            ServiceCode::ProposalDecided => {
                "The proposal was already decided (fields `status`, `decided_by`); nothing was changed."
            }
            ServiceCode::Timeout => {
                "The request took longer than the timeout; a command it carried may still complete (retry with the same idempotency key)."
            }
        }
    }
}

/// An error answer: a status and the JSON body.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Map<String, Value>,
}

impl ApiError {
    /// The service's own error, with extra fields.
    pub fn service(code: ServiceCode, message: impl Into<String>, fields: Value) -> ApiError {
        let mut body = Map::new();
        body.insert("code".into(), code.code().into());
        body.insert("message".into(), Value::String(message.into()));
        if let Value::Object(fields) = fields {
            body.extend(fields);
        }
        ApiError { status: code.status(), body }
    }

    /// A core error with the core's JSON and a status from [`ledger_status`].
    pub fn ledger(error: &LedgerError, during: During) -> ApiError {
        let mut body = match serde_json::to_value(error) {
            Ok(Value::Object(map)) => map,
            _ => {
                let mut map = Map::new();
                map.insert("code".into(), error.code().into());
                map
            }
        };
        body.insert("message".into(), Value::String(error.to_string()));
        let status = ledger_status(error.code(), during).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError { status, body }
    }

    /// A failed batch: the core's error of the failing command and its `index`.
    pub fn batch(error: &BatchError) -> ApiError {
        let mut answer = ApiError::ledger(&error.error, During::Command);
        answer.body.insert("index".into(), error.index.into());
        answer.body.insert("message".into(), Value::String(error.to_string()));
        answer
    }

    /// The same error, naming the command of a batch it concerns.
    pub fn with_index(mut self, index: usize) -> ApiError {
        self.body.insert("index".into(), index.into());
        self
    }

    /// A defect of the service: `INTERNAL`, 500.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::ledger(&LedgerError::Internal { message: message.into() }, During::Read)
    }

    /// A malformed argument of a route (a query parameter, a path segment): `INVALID_ARGUMENT`, 400.
    pub fn argument(name: &str, value: &str, reason: impl Into<String>) -> ApiError {
        ApiError::ledger(
            &LedgerError::InvalidArgument { name: name.into(), value: value.into(), reason: reason.into() },
            During::Read,
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The error code.
    pub fn code(&self) -> &str {
        self.body.get("code").and_then(Value::as_str).unwrap_or("INTERNAL")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let unauthenticated = self.status == StatusCode::UNAUTHORIZED;
        let mut response = (self.status, axum::Json(Value::Object(self.body))).into_response();
        if unauthenticated {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The answer to a panic caught by the last-resort layer: `INTERNAL`, and no detail of the panic.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("the request failed inside the service; nothing was changed by it").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_code_has_a_status() {
        for code in funding_window::ERROR_CODES {
            for during in [During::Command, During::Read] {
                assert!(ledger_status(code, during).is_some(), "{code} has no HTTP status");
            }
        }
    }

    #[test]
    fn the_table_names_no_code_the_core_lacks() {
        // Every code the table could answer for is one of the core's (a renamed code fails here).
        let table = [
            "INVALID_COMMAND",
            "INVALID_ARGUMENT",
            "INVALID_AMOUNT",
            "PRECISION_EXCEEDED",
            "AMOUNT_TOO_LARGE",
            "INVALID_RATE",
            "UNKNOWN_CURRENCY",
            "INVALID_ID",
            "LIMIT_EXCEEDED",
            "UNKNOWN_DONOR",
            "UNKNOWN_AGREEMENT",
            "UNKNOWN_PROJECT",
            "UNKNOWN_RESOLUTION",
            "UNKNOWN_ENTRY",
            "UNKNOWN_ACCOUNT",
            "DUPLICATE_ID",
            "RATE_ALREADY_SET",
            "ALREADY_REVERSED",
            "IDEMPOTENCY_CONFLICT",
            "CONFLICT",
            "CURRENCY_MISMATCH",
            "MISSING_RATE",
            "INSUFFICIENT_FUNDS",
            "EXCEEDS_OUTSTANDING",
            "EARMARK_VIOLATION",
            "TRANSFER_NOT_ELECTED",
            "NO_TRANSFER_CLAUSE",
            "PROJECT_NOT_CLOSED",
            "PROJECT_CLOSED",
            "PROJECT_WITHDRAWN",
            "NO_BALANCE",
            "PERIOD_CLOSED",
            "DATE_OUT_OF_ORDER",
            "INVALID_ALLOCATION",
            "NO_FUNDING_GAP",
            "NOT_REVERSIBLE",
            "APPROVAL_REQUIRED",
            "STORE_UNAVAILABLE",
            "JOURNAL_LOCKED",
            "READ_ONLY",
            "JOURNAL_CORRUPT",
            "JOURNAL_TORN_TAIL",
            "INTERNAL",
            "IO_ERROR",
            "OUT_OF_MEMORY",
            "LEDGER_BUSY",
            "LEDGER_FREED",
        ];
        for code in table {
            assert!(funding_window::ERROR_CODES.contains(&code), "{code} is not a code of the core");
            assert!(ledger_status(code, During::Command).is_some());
        }
        assert_eq!(table.len(), funding_window::ERROR_CODES.len(), "the table and the core's list differ");
    }

    #[test]
    fn a_core_error_keeps_the_core_fields_and_gains_a_message() {
        let error = LedgerError::InsufficientFunds {
            account: "funds:window".into(),
            currency: "USD".into(),
            available: "10.00".into(),
            requested: "20.00".into(),
            shortfall: funding_window::error::Shortfall::Debit,
        };
        let answer = ApiError::ledger(&error, During::Command);
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer.body["code"], "INSUFFICIENT_FUNDS");
        assert_eq!(answer.body["available"], "10.00");
        assert_eq!(answer.body["message"], error.to_string());
        let unknown = LedgerError::UnknownDonor { donor: "XX".into() };
        assert_eq!(ApiError::ledger(&unknown, During::Read).status(), StatusCode::NOT_FOUND);
        assert_eq!(ApiError::ledger(&unknown, During::Command).status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[test]
    fn service_codes_are_distinct_from_the_core_codes_and_from_each_other() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ServiceCode::ALL {
            assert!(!funding_window::ERROR_CODES.contains(&code.code()), "{} is a core code", code.code());
            assert!(seen.insert(code.code()), "{} twice", code.code());
        }
    }
}
