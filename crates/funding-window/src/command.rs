//! The commands of the contract, as JSON (the repository's `docs/commands.md` describes each).
//!
//! A [`Command`] is a serde enum tagged `"type"` in snake case; a [`Request`] is a
//! command plus the optional `idempotency_key`, `recorded_by` and `recorded_at`
//! that any command may carry. Unknown types and unknown fields are errors.
//!
//! Amounts, rates and weights are [`DecimalString`]s: JSON strings, kept exactly
//! as written and checked (syntax, sign, precision of the currency) when the
//! command is validated, so every front end gets the same typed error. A JSON
//! number where a decimal string belongs is refused while parsing.
//!
//! ```
//! use funding_window::{Command, Request};
//! let req = Request::from_json(r#"{"type": "register_donor", "id": "SE", "name": "Sweden",
//!     "kind": "member_state", "recorded_by": "finance officer"}"#).unwrap();
//! assert!(matches!(req.command, Command::RegisterDonor(_)));
//! assert_eq!(req.recorded_by.as_deref(), Some("finance officer"));
//! let err = Request::from_json(r#"{"type": "register_donor", "id": "SE"}"#).unwrap_err();
//! assert_eq!(err.code(), "INVALID_COMMAND");
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::calendar::{iso_date, iso_date_opt, Month, Period};
use crate::contract::describe::{
    command_struct, contract, contract_choice, CommandInfo, CurrencyCode, Described, Field, Object, Rule, Shape, Union,
    Variant,
};
use crate::contract::strict;
use crate::error::Result;
use crate::money::RoundingRule;
use crate::written::{Cursor, Dates, Written};

pub use crate::contract::keys::{DECIMAL_FIELDS, DECIMAL_TABLE_FIELDS};
pub use crate::money::DecimalString;

contract_choice! {
    /// What kind of donor.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum DonorKind {
        /// A member state of the United Nations.
        MemberState = "member_state",
        /// A multilateral organization (the European Union, a development bank, ...).
        Multilateral = "multilateral",
        /// A private donor (foundation, company, individual).
        Private = "private",
        /// Anything else.
        Other = "other",
    }
}

command_struct! {
    /// `register_donor`: a new donor.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct RegisterDonor {
        /// Donor id, such as `SE`.
        pub id: String,
        /// Name, such as `Sweden`.
        pub name: String,
        /// Kind of donor.
        pub kind: DonorKind,
    }
}

command_struct! {
    /// `register_resolution`: a resolution beyond the 15 every ledger knows.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct RegisterResolution {
        /// Resolution id, `session/number`.
        pub id: String,
        /// Short title.
        pub title: String,
        /// Implementation status, as reported by the tracking system.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub status: Option<String>,
    }
}

command_struct! {
    /// `set_status`: the implementation status of a resolution in the tracker.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct SetStatus {
        /// Resolution id.
        pub resolution: String,
        /// Status text, such as `under implementation`.
        pub status: String,
    }
}

command_struct! {
    /// `set_rate`: the UN operational rate of exchange of a month.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct SetRate {
        /// ISO 4217 code of the currency.
        pub currency: CurrencyCode,
        /// Month the rate applies to.
        pub month: Month,
        /// Units of the currency per one US dollar.
        pub per_usd: DecimalString,
        /// Where the rate comes from (provenance).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub source: Option<String>,
    }
}

command_struct! {
    /// `set_requirement`: a resolution's resource requirement, in US dollars.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct SetRequirement {
        /// Resolution id.
        pub resolution: String,
        /// Requirement in USD.
        pub amount: DecimalString,
        /// First day it applies; without it, it applies to every period.
        #[serde(default, with = "iso_date_opt", skip_serializing_if = "Option::is_none")]
        pub effective_on: Option<NaiveDate>,
    }
}

command_struct! {
    /// `configure`: ledger settings. At least one must be given.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    pub struct Configure {
        /// PSC rate charged on expenditure of window money allocated to resolutions.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub window_psc_rate: Option<DecimalString>,
        /// How conversions and PSC are rounded to the minor unit.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub rounding: Option<RoundingRule>,
        /// Four-eyes control: allocations, balance transfers and refunds, project closures
        /// and every `configure` made while it is on need an approver who is another person
        /// than the recorder.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub four_eyes: Option<bool>,
        /// Who approved the change (needed while four-eyes control is on, to turn it off too).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub approved_by: Option<String>,
    }
}

/// What a contribution agreement funds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// A contribution to the window, unearmarked (`[]`) or soft-earmarked.
    Window(WindowPurpose),
    /// One project, earmarked to a resolution.
    Project(ProjectPurpose),
}

impl Described for Purpose {
    const SHAPE: Shape = Shape::Union(&Union {
        name: "Purpose",
        doc: "What a contribution agreement funds.",
        variants: &[
            Variant {
                name: "window",
                doc: "A contribution to the window, unearmarked (`[]`) or soft-earmarked.",
                payload: Some(WindowPurpose::SHAPE),
            },
            Variant {
                name: "project",
                doc: "One project, earmarked to a resolution.",
                payload: Some(ProjectPurpose::SHAPE),
            },
        ],
    });
}

impl Written for Purpose {
    /// `{"window":{"earmarked_to":[...]}}` or `{"project":{"id":...,"resolution":...}}`.
    fn read(c: &mut Cursor<'_, '_>) -> Option<Self> {
        let purpose = if c.eat("{\"window\":{\"earmarked_to\":") {
            Purpose::Window(WindowPurpose { earmarked_to: Written::read(c)? })
        } else if c.eat("{\"project\":{\"id\":") {
            let id = Written::read(c)?;
            let resolution = c.required("resolution")?;
            Purpose::Project(ProjectPurpose { id, resolution })
        } else {
            return None;
        };
        c.eat("}}").then_some(purpose)
    }
}

contract! {
    /// A contribution to the funding window.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct WindowPurpose {
        /// Resolutions the money is soft-earmarked to; empty for unearmarked money.
        pub earmarked_to: Vec<String>,
    }
}

contract! {
    /// A project funded by the agreement.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ProjectPurpose {
        /// Project id (the agreement creates the project).
        pub id: String,
        /// The resolution the project implements.
        pub resolution: String,
    }
}

command_struct! {
    /// `sign_agreement`: a contribution agreement, which makes a commitment.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct SignAgreement {
        /// Agreement id.
        pub id: String,
        /// Donor id.
        pub donor: String,
        /// ISO 4217 code of the agreement's currency.
        pub currency: CurrencyCode,
        /// Amount committed.
        pub amount: DecimalString,
        /// Date of signature.
        #[serde(with = "iso_date")]
        pub signed_on: NaiveDate,
        /// End date, if any.
        #[serde(default, with = "iso_date_opt", skip_serializing_if = "Option::is_none")]
        pub ends_on: Option<NaiveDate>,
        /// Programme support cost rate (`"0.07"`).
        pub psc_rate: DecimalString,
        /// Whether the agreement has the elective-transfer clause.
        pub elective_transfer: bool,
        /// Window contribution or project.
        pub purpose: Purpose,
    }
}

command_struct! {
    /// `record_receipt`: cash received against an agreement.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct RecordReceipt {
        /// Agreement id.
        pub agreement: String,
        /// Amount received, in the agreement's currency.
        pub amount: DecimalString,
        /// Date received.
        #[serde(with = "iso_date")]
        pub received_on: NaiveDate,
        /// Bank reference.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reference: Option<String>,
        /// Optional cross-check: must equal the agreement's currency.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub currency: Option<CurrencyCode>,
    }
}

command_struct! {
    /// `record_expenditure`: spending by a project, or of window money allocated to a resolution.
    #[contract(rule = Rule::ExactlyOne(&["project", "resolution"]))]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct RecordExpenditure {
        /// Project id (exactly one of `project` and `resolution`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub project: Option<String>,
        /// Resolution id, to spend its allocated window funds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub resolution: Option<String>,
        /// Cost, before PSC.
        pub amount: DecimalString,
        /// Date spent.
        #[serde(with = "iso_date")]
        pub spent_on: NaiveDate,
        /// What was bought.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub description: Option<String>,
        /// Optional cross-check: must equal the fund's currency.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub currency: Option<CurrencyCode>,
    }
}

command_struct! {
    /// `close_project`: closes a project, cancelling what is still receivable.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct CloseProject {
        /// Project id.
        pub project: String,
        /// Closure date.
        #[serde(with = "iso_date")]
        pub closed_on: NaiveDate,
        /// Who approved the closure (needed under four-eyes control).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub approved_by: Option<String>,
    }
}

command_struct! {
    /// `transfer_balance`: moves a closed project's balance into the window, by the donor's election.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct TransferBalance {
        /// Project id.
        pub project: String,
        /// Amount in the project's currency; `null` for the whole balance left.
        #[serde(default)]
        pub amount: Option<DecimalString>,
        /// Date of the donor's election.
        #[serde(default, with = "iso_date_opt")]
        pub elected_on: Option<NaiveDate>,
        /// Reference of the donor's election (a letter, an email).
        #[serde(default)]
        pub election_ref: Option<String>,
        /// Date of the transfer.
        #[serde(with = "iso_date")]
        pub transferred_on: NaiveDate,
        /// Who approved the transfer (needed under four-eyes control).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub approved_by: Option<String>,
    }
}

command_struct! {
    /// `refund_balance`: owes a closed project's balance back to its donor.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct RefundBalance {
        /// Project id.
        pub project: String,
        /// Amount in the project's currency; `null` for the whole balance left.
        #[serde(default)]
        pub amount: Option<DecimalString>,
        /// Date of the refund.
        #[serde(with = "iso_date")]
        pub refunded_on: NaiveDate,
        /// Who approved the refund (needed under four-eyes control).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub approved_by: Option<String>,
    }
}

command_struct! {
    /// `convert_cash`: treasury converts cash from one currency to another, at the bank's
    /// amounts (both legs through `equity:conversion`; no fund changes).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ConvertCash {
        /// ISO 4217 code of the currency sold.
        pub from: CurrencyCode,
        /// ISO 4217 code of the currency bought.
        pub to: CurrencyCode,
        /// Amount sold, in `from` (what left that cash account).
        pub amount: DecimalString,
        /// Amount the bank credited, in `to`.
        pub received: DecimalString,
        /// Value date of the conversion.
        #[serde(with = "iso_date")]
        pub converted_on: NaiveDate,
        /// Bank reference (a deal ticket, a statement line).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub reference: Option<String>,
        /// Who approved the conversion (needed under four-eyes control).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub approved_by: Option<String>,
    }
}

contract_choice! {
    /// How an allocation splits its amount.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Policy {
        /// Amounts given per resolution in `shares`.
        Explicit = "explicit",
        /// Equal shares.
        Equal = "equal",
        /// Pro rata to each resolution's funding gap (the equity rule).
        GapProRata = "gap_pro_rata",
        /// Pro rata to `weights`.
        Weights = "weights",
    }
}

/// Which window money an allocation draws on.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllocationSource {
    /// Unearmarked money: may go to any resolution.
    #[default]
    Unallocated,
    /// Money soft-earmarked to one resolution: may go only there.
    Earmarked(String),
}

impl Described for AllocationSource {
    const SHAPE: Shape = Shape::Union(&Union {
        name: "AllocationSource",
        doc: "Which window money an allocation draws on.",
        variants: &[
            Variant { name: "unallocated", doc: "Unearmarked money: may go to any resolution.", payload: None },
            Variant {
                name: "earmarked",
                doc: "Money soft-earmarked to one resolution (its id): may go only there.",
                payload: Some(Shape::Text),
            },
        ],
    });
}

impl Written for AllocationSource {
    /// `"unallocated"` or `{"earmarked":"2/4"}`; `null` is refused by serde, so left to it.
    fn read(c: &mut Cursor<'_, '_>) -> Option<Self> {
        if c.eat("\"unallocated\"") {
            Some(AllocationSource::Unallocated)
        } else if c.eat("{\"earmarked\":") {
            let resolution = Written::read(c)?;
            c.eat("}").then_some(AllocationSource::Earmarked(resolution))
        } else {
            None
        }
    }
}

command_struct! {
    /// `allocate`: a decision moving window money to resolutions.
    #[contract(rule = Rule::GivenWhen { field: "policy", equals: "explicit", then: "shares" })]
    #[contract(rule = Rule::GivenWhen { field: "policy", equals: "weights", then: "weights" })]
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Allocate {
        /// Decision reference (unique).
        pub id: String,
        /// Date of the decision.
        #[serde(with = "iso_date")]
        pub decided_on: NaiveDate,
        /// Amount in USD.
        pub amount: DecimalString,
        /// How to split it.
        pub policy: Policy,
        /// Candidate resolutions; all registered ones when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub resolutions: Option<Vec<String>>,
        /// Where the money comes from (`"unallocated"` when absent).
        #[serde(default)]
        pub source: AllocationSource,
        /// Who approved the decision.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub approved_by: Option<String>,
        /// `explicit` policy: USD amount per resolution, summing to `amount`.
        #[serde(default, deserialize_with = "strict::shares", skip_serializing_if = "Option::is_none")]
        pub shares: Option<BTreeMap<String, DecimalString>>,
        /// `weights` policy: positive weight per resolution.
        #[serde(default, deserialize_with = "strict::weights", skip_serializing_if = "Option::is_none")]
        pub weights: Option<BTreeMap<String, DecimalString>>,
    }
}

command_struct! {
    /// `reverse`: a new entry undoing an earlier one, dated in an open period.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Reverse {
        /// Sequence number of the entry to reverse.
        pub entry: u64,
        /// Value date of the reversal.
        #[serde(with = "iso_date")]
        pub on: NaiveDate,
        /// Why.
        pub reason: String,
        /// Who approved the reversal (needed under four-eyes control when the reversed entry's
        /// command needs an approver).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub approved_by: Option<String>,
    }
}

command_struct! {
    /// `close_period`: locks a half-year (and every earlier one).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ClosePeriod {
        /// The half-year, `YYYY-H1` or `YYYY-H2`.
        pub period: Period,
    }
}

/// The fields any command may carry besides its own (a [`Request`]'s), as the contract
/// describes them.
pub(crate) const REQUEST_META: Object = Object {
    name: "RequestMeta",
    doc: "Fields any command may carry besides its own.\n",
    fields: &[
        Field {
            name: "idempotency_key",
            doc: "Submitted twice with one key, a command is applied once; with other content it is refused.\n",
            shape: Shape::Nullable(&Shape::Text),
            rust_type: "Option<String>",
            default: true,
            skipped_when_empty: true,
        },
        Field {
            name: "recorded_by",
            doc: "Who records the command (kept in the journal).\n",
            shape: Shape::Nullable(&Shape::Text),
            rust_type: "Option<String>",
            default: true,
            skipped_when_empty: true,
        },
        Field {
            name: "recorded_at",
            doc: "When it is recorded (RFC 3339); the ledger's clock when absent.\n",
            shape: Shape::Nullable(&Shape::Text),
            rust_type: "Option<Timestamp>",
            default: true,
            skipped_when_empty: true,
        },
    ],
    rules: &[],
    strict: true,
};

macro_rules! commands {
    ($($variant:ident($ty:ident) = $name:literal,)*) => {
        /// A command of the contract.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum Command {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant($ty),
            )*
        }

        impl Command {
            /// The contract name of the command type (`sign_agreement`).
            pub fn type_name(&self) -> &'static str {
                match self {
                    $(Command::$variant(_) => $name,)*
                }
            }
        }

        /// Every command type name of the contract.
        pub const COMMAND_TYPES: &[&str] = &[$($name,)*];

        /// Every command type and its fields.
        pub(crate) const COMMANDS: &[CommandInfo] = &[$(CommandInfo {
            name: $name,
            object: match <$ty as Described>::SHAPE {
                Shape::Object(object) => object,
                _ => panic!("a command is an object"),
            },
        },)*];

        /// The command whose `"type"` has just been read, laid out as the journal writes it.
        pub(crate) fn read_written(type_name: &str, c: &mut Cursor<'_, '_>) -> Option<Command> {
            match type_name {
                $($name => <$ty as Written>::read(c).map(Command::$variant),)*
                _ => None,
            }
        }

        $(
            impl From<$ty> for Command {
                fn from(c: $ty) -> Self {
                    Command::$variant(c)
                }
            }
            impl From<$ty> for Request {
                fn from(c: $ty) -> Self {
                    Request::new(Command::$variant(c))
                }
            }
        )*

        fn deserialize_variant<'de, D: Deserializer<'de>>(type_name: &str, d: D) -> std::result::Result<Command, D::Error> {
            match type_name {
                $($name => $ty::deserialize(d).map(Command::$variant),)*
                other => Err(de::Error::unknown_variant(other, COMMAND_TYPES)),
            }
        }
    };
}

commands! {
    RegisterDonor(RegisterDonor) = "register_donor",
    RegisterResolution(RegisterResolution) = "register_resolution",
    SetStatus(SetStatus) = "set_status",
    SetRate(SetRate) = "set_rate",
    SetRequirement(SetRequirement) = "set_requirement",
    Configure(Configure) = "configure",
    SignAgreement(SignAgreement) = "sign_agreement",
    RecordReceipt(RecordReceipt) = "record_receipt",
    RecordExpenditure(RecordExpenditure) = "record_expenditure",
    CloseProject(CloseProject) = "close_project",
    TransferBalance(TransferBalance) = "transfer_balance",
    RefundBalance(RefundBalance) = "refund_balance",
    Allocate(Allocate) = "allocate",
    ConvertCash(ConvertCash) = "convert_cash",
    Reverse(Reverse) = "reverse",
    ClosePeriod(ClosePeriod) = "close_period",
}

/// A command with the optional fields every command may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The command.
    pub command: Command,
    /// A key making the command idempotent: resubmitted with the same content it
    /// is applied once; with other content it is refused.
    pub idempotency_key: Option<String>,
    /// Who records the command (kept in the journal).
    pub recorded_by: Option<String>,
    /// When it is recorded; the ledger's clock when absent.
    pub recorded_at: Option<DateTime<Utc>>,
}

impl Request {
    /// A request without idempotency key, recorder or time.
    pub fn new(command: Command) -> Self {
        Request { command, idempotency_key: None, recorded_by: None, recorded_at: None }
    }

    /// Sets the idempotency key.
    pub fn with_idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Sets who records the command.
    pub fn recorded_by(mut self, user: impl Into<String>) -> Self {
        self.recorded_by = Some(user.into());
        self
    }

    /// Sets the recording time (for replayable scenarios).
    pub fn recorded_at(mut self, at: DateTime<Utc>) -> Self {
        self.recorded_at = Some(at);
        self
    }

    /// Parses one command of the contract from JSON text.
    ///
    /// Strict JSON: a key given twice in any object of the command is refused, named with
    /// its path (`duplicate key "2/2" in weights`).
    pub fn from_json(text: &str) -> Result<Request> {
        serde_json::from_str(text).map_err(|e| match strict::repeated_key(text) {
            // A repeated key is reported as such wherever it is (serde's structs would say
            // "duplicate field" without the path, an enum "expected `}`").
            Some(repeated) => crate::LedgerError::invalid_command(repeated),
            None => crate::contract::reading::command_error(text, &e),
        })
    }

    /// Parses one command of the contract from a JSON value (read from its text, so that a
    /// refusal names the field at fault as [`Request::from_json`]'s do).
    pub fn from_value(value: serde_json::Value) -> Result<Request> {
        Request::from_json(&value.to_string())
    }

    /// The request as a JSON value of the contract.
    pub fn to_value(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(&self.command).unwrap_or(serde_json::Value::Null);
        if let serde_json::Value::Object(map) = &mut value {
            if let Some(k) = &self.idempotency_key {
                map.insert("idempotency_key".into(), k.clone().into());
            }
            if let Some(u) = &self.recorded_by {
                map.insert("recorded_by".into(), u.clone().into());
            }
            if let Some(t) = &self.recorded_at {
                map.insert("recorded_at".into(), format_timestamp(t).into());
            }
        }
        value
    }
}

impl From<Command> for Request {
    fn from(command: Command) -> Self {
        Request::new(command)
    }
}

/// Formats a timestamp as RFC 3339 in UTC, as the journal stores it.
pub fn format_timestamp(at: &DateTime<Utc>) -> String {
    crate::text::timestamp(at)
}

/// Parses an RFC 3339 timestamp (any offset) into UTC.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    crate::text::parse_timestamp(text)
}

#[allow(clippy::enum_variant_names)]
enum Key<'de> {
    Type,
    IdempotencyKey,
    RecordedBy,
    RecordedAt,
    Other(Cow<'de, str>),
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Key<'de>, E> {
                Ok(Key::classify(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Key<'de>, E> {
                Ok(Key::classify(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Key<'de>, E> {
                Ok(Key::classify(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Key<'de> {
    fn classify(name: Cow<'de, str>) -> Self {
        match &*name {
            "type" => Key::Type,
            "idempotency_key" => Key::IdempotencyKey,
            "recorded_by" => Key::RecordedBy,
            "recorded_at" => Key::RecordedAt,
            _ => Key::Other(name),
        }
    }
}

#[derive(Default)]
struct Meta {
    idempotency_key: Option<String>,
    recorded_by: Option<String>,
    recorded_at: Option<DateTime<Utc>>,
    /// Which of the three were given (`null` included): a second one is refused, not
    /// taken instead of the first (strict JSON).
    given: [bool; 3],
}

impl Meta {
    /// Reads the value of a meta key; `false` when `key` is not one.
    fn read<'de, A: MapAccess<'de>>(&mut self, key: &Key<'de>, map: &mut A) -> std::result::Result<bool, A::Error> {
        let (index, name) = match key {
            Key::IdempotencyKey => (0, "idempotency_key"),
            Key::RecordedBy => (1, "recorded_by"),
            Key::RecordedAt => (2, "recorded_at"),
            _ => return Ok(false),
        };
        if std::mem::replace(&mut self.given[index], true) {
            return Err(de::Error::custom(strict::message(name, "")));
        }
        match key {
            Key::IdempotencyKey => self.idempotency_key = map.next_value()?,
            Key::RecordedBy => self.recorded_by = map.next_value()?,
            Key::RecordedAt => {
                let text: Option<Cow<'de, str>> = map.next_value()?;
                self.recorded_at = text
                    .map(|t| {
                        parse_timestamp(&t)
                            .ok_or_else(|| de::Error::custom(format!("recorded_at {t:?} is not an RFC 3339 timestamp")))
                    })
                    .transpose()?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Passes a command's own fields to its struct, taking the meta fields out on the way.
struct CommandFields<'a, A> {
    map: A,
    meta: &'a mut Meta,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for CommandFields<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> std::result::Result<Option<K::Value>, A::Error> {
        loop {
            let Some(key) = self.map.next_key::<Key<'de>>()? else {
                return Ok(None);
            };
            match key {
                Key::Type => return Err(de::Error::duplicate_field("type")),
                Key::Other(name) => return seed.deserialize(name.into_deserializer()).map(Some),
                meta => {
                    self.meta.read(&meta, &mut self.map)?;
                }
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> std::result::Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

impl<'de> Deserialize<'de> for Request {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_map(RequestVisitor)
    }
}

struct RequestVisitor;

impl<'de> Visitor<'de> for RequestVisitor {
    type Value = Request;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a command object with a \"type\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Request, A::Error> {
        let mut meta = Meta::default();
        // Fast path: "type" comes before the command's own fields (as in the journal).
        loop {
            let Some(key) = map.next_key::<Key<'de>>()? else {
                return Err(de::Error::missing_field("type"));
            };
            match key {
                Key::Type => {
                    let type_name: Cow<'de, str> = map.next_value::<CowStr<'de>>()?.0;
                    let fields = CommandFields { map, meta: &mut meta };
                    let command = deserialize_variant(&type_name, de::value::MapAccessDeserializer::new(fields))?;
                    return Ok(meta.into_request(command));
                }
                Key::Other(name) => return buffered(name.into_owned(), map, meta),
                other => {
                    meta.read(&other, &mut map)?;
                }
            }
        }
    }
}

/// Slow path: "type" comes after other fields, so buffer the object first.
fn buffered<'de, A: MapAccess<'de>>(
    first: String,
    mut map: A,
    mut meta: Meta,
) -> std::result::Result<Request, A::Error> {
    let mut rest = serde_json::Map::new();
    // Values read into `serde_json::Value` would keep the last of a repeated key: read strictly.
    let value = map.next_value_seed(strict::Value { at: &first })?;
    rest.insert(first, value);
    let mut type_name: Option<String> = None;
    while let Some(key) = map.next_key::<Key<'de>>()? {
        match key {
            Key::Type => {
                if type_name.is_some() {
                    return Err(de::Error::duplicate_field("type"));
                }
                type_name = Some(map.next_value()?);
            }
            Key::Other(name) => {
                if rest.contains_key(&*name) {
                    return Err(de::Error::custom(strict::message(&name, "")));
                }
                let value = map.next_value_seed(strict::Value { at: &name })?;
                rest.insert(name.into_owned(), value);
            }
            other => {
                meta.read(&other, &mut map)?;
            }
        }
    }
    let type_name = type_name.ok_or_else(|| de::Error::missing_field("type"))?;
    // The command is read again from text laid out with "type" first, so that every command is
    // read by one instantiation of the commands' deserializers (a second one, over
    // `serde_json::Value`, would double their code: about 50 KB of the WebAssembly module).
    let mut text = serde_json::to_string(&serde_json::Value::Object(rest)).map_err(de::Error::custom)?;
    let type_member = serde_json::to_string(&type_name).map_err(de::Error::custom)?;
    let head = if text.len() > 2 { format!("{{\"type\":{type_member},") } else { format!("{{\"type\":{type_member}") };
    text.replace_range(..1, &head);
    let request: Request = serde_json::from_str(&text)
        .map_err(|e| de::Error::custom(crate::contract::reading::named_message(&text, &e)))?;
    Ok(meta.into_request(request.command))
}

impl Meta {
    fn into_request(self, command: Command) -> Request {
        Request {
            command,
            idempotency_key: self.idempotency_key,
            recorded_by: self.recorded_by,
            recorded_at: self.recorded_at,
        }
    }
}

/// A string that borrows from the input when it can.
struct CowStr<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CowStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<CowStr<'de>, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<CowStr<'de>, E> {
                Ok(CowStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<CowStr<'de>, E> {
                Ok(CowStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Command {
    /// A bare command: the meta fields (`idempotency_key`, `recorded_by`,
    /// `recorded_at`) are refused here; use [`Request`] to accept them.
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let req = Request::deserialize(d)?;
        if req.idempotency_key.is_some() || req.recorded_by.is_some() || req.recorded_at.is_some() {
            return Err(de::Error::custom(
                "idempotency_key, recorded_by and recorded_at belong to the request, not the command",
            ));
        }
        Ok(req.command)
    }
}

crate::contract::describe::described! {
    Command => Shape::Command,
}

/// The command in `text` (a whole object), if it is laid out as the journal writes it.
pub(crate) fn read_journal_command(text: &str, dates: &mut Dates) -> Option<Command> {
    let mut c = Cursor::new(text, dates);
    if !c.eat("{\"type\":") {
        return None;
    }
    let type_name = c.str()?;
    let command = read_written(type_name, &mut c)?;
    (c.eat("}") && c.at_end()).then_some(command)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Request> {
        Request::from_json(text)
    }

    #[test]
    fn every_example_of_the_contract_parses_and_round_trips() {
        let examples = [
            r#"{"type": "register_donor", "id": "SE", "name": "Sweden", "kind": "member_state"}"#,
            r#"{"type": "register_resolution", "id": "3/1", "title": "..."}"#,
            r#"{"type": "set_rate", "currency": "SEK", "month": "2024-03", "per_usd": "10.4512"}"#,
            r#"{"type": "set_requirement", "resolution": "2/4", "amount": "1500000.00"}"#,
            r#"{"type": "sign_agreement", "id": "CA-SE-2024-01", "donor": "SE", "currency": "SEK",
                "amount": "10000000.00", "signed_on": "2024-03-12", "psc_rate": "0.07", "elective_transfer": false,
                "purpose": {"window": {"earmarked_to": ["2/4"]}}}"#,
            r#"{"type": "sign_agreement", "id": "CA-EU-2023-07", "donor": "EU", "currency": "EUR",
                "amount": "2500000.00", "signed_on": "2023-01-10", "psc_rate": "0.07", "elective_transfer": true,
                "purpose": {"project": {"id": "P-EU-07", "resolution": "2/6"}}}"#,
            r#"{"type": "record_receipt", "agreement": "CA-SE-2024-01", "amount": "5000000.00",
                "received_on": "2024-04-02", "reference": "bank ref"}"#,
            r#"{"type": "record_expenditure", "project": "P-EU-07", "amount": "1900000.00", "spent_on": "2024-05-31"}"#,
            r#"{"type": "record_expenditure", "resolution": "2/4", "amount": "10000.00", "spent_on": "2024-12-01"}"#,
            r#"{"type": "close_project", "project": "P-EU-07", "closed_on": "2024-06-30"}"#,
            r#"{"type": "transfer_balance", "project": "P-EU-07", "amount": null, "elected_on": "2024-07-15",
                "election_ref": "donor letter of 15 July 2024", "transferred_on": "2024-07-20"}"#,
            r#"{"type": "refund_balance", "project": "P-X", "amount": null, "refunded_on": "2024-08-01"}"#,
            r#"{"type": "allocate", "id": "EB-2024-H2-01", "decided_on": "2024-11-01", "amount": "1000000.00",
                "policy": "gap_pro_rata", "resolutions": ["2/1", "2/2", "2/9"], "source": "unallocated",
                "approved_by": "Executive Director"}"#,
            r#"{"type": "allocate", "id": "A2", "decided_on": "2024-11-01", "amount": "300.00",
                "policy": "explicit", "source": {"earmarked": "2/4"}, "shares": {"2/4": "300.00"}}"#,
            r#"{"type": "reverse", "entry": 42, "on": "2024-08-01", "reason": "duplicate receipt"}"#,
            r#"{"type": "close_period", "period": "2024-H1"}"#,
            r#"{"type": "configure", "window_psc_rate": "0.07"}"#,
        ];
        for text in examples {
            let req = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            let again = Request::from_value(req.to_value()).unwrap();
            assert_eq!(again, req, "{text}");
        }
    }

    #[test]
    fn meta_fields_are_taken_anywhere_in_the_object() {
        let first = parse(
            r#"{"recorded_by": "ana", "type": "close_period", "period": "2024-H1", "idempotency_key": "k1",
            "recorded_at": "2024-07-01T10:00:00+02:00"}"#,
        )
        .unwrap();
        assert_eq!(first.recorded_by.as_deref(), Some("ana"));
        assert_eq!(first.idempotency_key.as_deref(), Some("k1"));
        assert_eq!(format_timestamp(&first.recorded_at.unwrap()), "2024-07-01T08:00:00Z");
        // "type" after other fields takes the buffered path and gives the same command.
        let late = parse(r#"{"period": "2024-H1", "type": "close_period"}"#).unwrap();
        assert_eq!(late.command, first.command);
    }

    #[test]
    fn malformed_commands_are_refused_with_a_reason() {
        for (text, needle) in [
            (
                r#"{"type": "register_donor", "id": "SE", "name": "Sweden", "kind": "member_state", "extra": 1}"#,
                "unknown field",
            ),
            (r#"{"type": "make_money"}"#, "unknown variant"),
            (r#"{"id": "SE"}"#, "type"),
            (
                r#"{"type": "record_receipt", "agreement": "A", "amount": 5, "received_on": "2024-01-01"}"#,
                "decimal string",
            ),
            (
                r#"{"type": "record_receipt", "agreement": "A", "amount": 5.5, "received_on": "2024-01-01"}"#,
                "decimal string",
            ),
            (
                r#"{"type": "record_receipt", "agreement": "A", "amount": "5", "received_on": "2024-1-1"}"#,
                "invalid date",
            ),
            (r#"{"type": "close_period", "period": "2024-H1", "recorded_at": "yesterday"}"#, "RFC 3339"),
            (r#"{"type": "close_period", "type": "close_period", "period": "2024-H1"}"#, "duplicate key \"type\""),
            (r#"[1, 2]"#, "command object"),
            (
                r#"{"type": "sign_agreement", "id": "X", "donor": "SE", "currency": "SEK", "amount": "1", "signed_on": "2024-03-12",
                "psc_rate": "0.07", "elective_transfer": "yes", "purpose": {"window": {"earmarked_to": []}}}"#,
                "boolean",
            ),
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.code(), "INVALID_COMMAND");
            assert!(err.to_string().contains(needle), "{text}: {err}");
        }
    }

    /// Strict JSON (DOMAIN.md, Precisions): a key repeated anywhere in a command is refused and
    /// named, whether the repetition holds the same value or another, with `"type"` first (the
    /// journal's layout) or last, whatever the depth.
    #[test]
    fn a_key_repeated_anywhere_is_refused_and_named() {
        let commands = [
            r#"{"type": "sign_agreement", "id": "CA-SE-2024-01", "donor": "SE", "currency": "SEK",
                "amount": "10000000.00", "signed_on": "2024-03-12", "psc_rate": "0.07", "elective_transfer": false,
                "purpose": {"window": {"earmarked_to": ["2/4"]}}, "recorded_by": "alice",
                "idempotency_key": "k-1", "recorded_at": "2024-03-12T09:00:00Z"}"#,
            r#"{"type": "sign_agreement", "id": "CA-EU-2023-07", "donor": "EU", "currency": "EUR",
                "amount": "2500000.00", "signed_on": "2023-01-10", "psc_rate": "0.07", "elective_transfer": true,
                "purpose": {"project": {"id": "P-EU-07", "resolution": "2/6"}}}"#,
            r#"{"type": "allocate", "id": "A2", "decided_on": "2024-11-01", "amount": "300.00",
                "policy": "explicit", "source": {"earmarked": "2/4"}, "shares": {"2/4": "300.00", "2/5": "0.00"},
                "approved_by": "bob", "recorded_by": "alice"}"#,
            r#"{"type": "allocate", "id": "A3", "decided_on": "2024-11-01", "amount": "300.00",
                "policy": "weights", "weights": {"2/4": "1", "2/2": "2"}, "resolutions": ["2/4", "2/2"]}"#,
            r#"{"type": "transfer_balance", "project": "P-EU-07", "amount": null, "elected_on": "2024-07-15",
                "election_ref": "letter", "transferred_on": "2024-07-20", "recorded_by": null}"#,
        ];
        let mut cases = 0;
        for text in commands {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            let original = parse(text).unwrap();
            let mut paths = Vec::new();
            strict::testing::member_paths(&value, &mut Vec::new(), &mut paths);
            for path in paths {
                let (key, parent) = path.split_last().unwrap();
                let at = parent.join(".");
                let same = path.iter().try_fold(&value, |v, k| v.get(k)).unwrap().clone();
                for again in [same, serde_json::Value::from("mallory")] {
                    for type_last in [false, true] {
                        let repeated = strict::testing::with_repeat(&value, &path, &again, type_last);
                        // The text without the repetition is the command itself.
                        let single = strict::testing::with_repeat(&value, &[], &again, type_last);
                        assert_eq!(parse(&single).unwrap(), original, "{single}");
                        let err = parse(&repeated).expect_err(&repeated);
                        assert_eq!(err.code(), "INVALID_COMMAND");
                        assert_eq!(
                            err.to_string(),
                            format!("invalid command: {}", strict::message(key, &at)),
                            "{repeated}"
                        );
                        cases += 1;
                    }
                }
            }
        }
        assert!(cases > 150, "{cases}");
        // The report of the issue: the last `recorded_by` is not taken.
        let err =
            parse(r#"{"type": "close_period", "period": "2024-H1", "recorded_by": "alice", "recorded_by": "mallory"}"#)
                .unwrap_err();
        assert_eq!(err.to_string(), r#"invalid command: duplicate key "recorded_by": a key may be given once"#);
        // `null` then a value is a repetition too.
        assert!(parse(r#"{"type": "close_period", "period": "2024-H1", "recorded_at": null, "recorded_at": "2024-01-01T00:00:00Z"}"#).is_err());
        // The same key in two objects is no repetition.
        assert!(parse(
            r#"{"type": "allocate", "id": "2/4", "decided_on": "2024-11-01", "amount": "1.00", "policy": "explicit",
            "source": {"earmarked": "2/4"}, "shares": {"2/4": "1.00"}}"#
        )
        .is_ok());
    }

    #[test]
    fn a_bare_command_refuses_meta_fields() {
        let ok: Command = serde_json::from_str(r#"{"type": "close_period", "period": "2024-H2"}"#).unwrap();
        assert_eq!(ok.type_name(), "close_period");
        assert!(serde_json::from_str::<Command>(
            r#"{"type": "close_period", "period": "2024-H2", "recorded_by": "x"}"#
        )
        .is_err());
    }
}
