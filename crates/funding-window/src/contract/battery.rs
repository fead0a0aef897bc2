//! Bad-input batteries: for every field of every command of the contract, each kind of bad
//! value, with the error the ledger must answer, generated once from the contract's
//! description so that every front end runs the same cases.
//!
//! A battery is a known state (the [`Battery::setup`] commands, all valid), one valid command per
//! command type and variant (the [`Battery::bases`], each of which the state accepts) and the
//! [`Battery::cases`]: a base with one thing made bad (a field's value, a repeated key, a missing
//! field, an unknown field). The state accepts the base, so the bad value is the only reason for
//! the refusal each case expects; a refused case must leave the state exactly as it was.
//!
//! The fields are those of the description ([`super::commands`], [`super::request_meta`], the
//! objects and unions nested in them), so a field added to a command gets its cases here
//! without a change; what the description does not say (which text is an id, a reference to
//! something the ledger holds, a currency code or free text; which decimal is money and which a
//! rate) is the field's [`Role`], from [`role`]. A field without a role, or a described field that
//! no base gives, is an error of [`battery`] (the core's tests fail on it).
//!
//! The generator (`cargo run -p funding-window-codegen`) writes the battery as
//! `contract/bad-input.json`, which the Python and JavaScript test suites read.

use super::{Object, Shape};
use crate::limits::{ID_LENGTH_MAX, TEXT_LENGTH_MAX};

/// A JSON value with its members in the order written (a base command keeps the contract's
/// order), and number and escape texts exactly as given.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    /// `true` or `false`.
    Bool(bool),
    /// A number, as its JSON text (`12.5`, `-1`, `18446744073709551616`).
    Number(&'static str),
    /// A string.
    Str(String),
    /// A string given as its JSON text, escapes included (`"\ud800"`).
    RawStr(&'static str),
    /// A list.
    List(Vec<Json>),
    /// An object, members in order (a member may be given twice).
    Object(Vec<(String, Json)>),
}

impl Json {
    fn s(text: &str) -> Json {
        Json::Str(text.to_owned())
    }

    fn obj(members: &[(&str, Json)]) -> Json {
        Json::Object(members.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
    }

    /// The value as JSON text, without whitespace.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) | Json::RawStr(n) => out.push_str(n),
            Json::Str(s) => out.push_str(&serde_json::Value::from(s.as_str()).to_string()),
            Json::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::from(key.as_str()).to_string());
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    /// The member `key` of an object.
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value at `path` made by `change` (a path step is an object key; a list is
    /// entered by `[0]`, its first item); `false` when the path is not there.
    fn change(&mut self, path: &[Step], change: &mut Change<'_>) -> bool {
        match (self, path) {
            (Json::Object(members), [Step::Key(key)]) => match members.iter().position(|(k, _)| k == key) {
                Some(i) => change(members, i),
                None => false,
            },
            (Json::Object(members), [Step::Key(key), rest @ ..]) => {
                members.iter_mut().find(|(k, _)| k == key).is_some_and(|(_, v)| v.change(rest, change))
            }
            (Json::List(items), [Step::First, rest @ ..]) => {
                let Some(first) = items.first_mut() else { return false };
                if rest.is_empty() {
                    // The item itself: as a one-member object, so the same closure replaces it.
                    let mut members = vec![(String::new(), first.clone())];
                    let changed = change(&mut members, 0);
                    if let Some((_, value)) = members.pop() {
                        *first = value;
                    }
                    changed
                } else {
                    first.change(rest, change)
                }
            }
            _ => false,
        }
    }
}

/// A change to the member at an index of an object's members; `false` when it cannot be made.
type Change<'a> = dyn FnMut(&mut Vec<(String, Json)>, usize) -> bool + 'a;

/// A step of a path into a command: an object's member, or a list's first item.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    First,
}

fn path_text(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Step::First => out.push_str("[0]"),
        }
    }
    out
}

/// What a field holds, beyond its JSON shape: what decides which bad values it can be given and
/// which error each gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Free text (names, titles, references).
    Text {
        /// The code of a blank text; `None` when a blank text is accepted.
        blank: Option<&'static str>,
    },
    /// The id of a new thing (donor, agreement, project, decision, resolution).
    NewId,
    /// A reference to something the ledger holds, with the code of an unknown one and an id
    /// that names nothing in the battery's state.
    Ref {
        /// `UNKNOWN_DONOR`, ...
        unknown: &'static str,
        /// An id that the state does not hold.
        absent: &'static str,
    },
    /// An entry number to reverse.
    Entry,
    /// An ISO 4217 code.
    Currency,
    /// Money, in US dollars in the battery's bases.
    Money,
    /// An exchange rate, a PSC rate or a weight.
    Rate,
    /// An RFC 3339 timestamp.
    Timestamp,
    /// Anything whose JSON shape says all (dates, months, choices, booleans, lists, tables, unions).
    Shape,
}

const RESOLUTION: Role = Role::Ref { unknown: "UNKNOWN_RESOLUTION", absent: "9/99" };

/// The role of the field `name` of `object` (a command, `RequestMeta`, or an object nested in a
/// command); `None` for a field the battery does not know, which fails the battery.
pub fn role(object: &str, name: &str) -> Option<Role> {
    Some(match (object, name) {
        ("RequestMeta", "recorded_at") => Role::Timestamp,
        ("RequestMeta", "recorded_by" | "idempotency_key") => Role::Text { blank: Some(INVALID) },
        ("Allocate", "source") => Role::Shape,
        (_, "name" | "title" | "status" | "reason" | "approved_by") => Role::Text { blank: Some(INVALID) },
        // A blank election reference is no election (DOMAIN.md: the donor's written election).
        (_, "election_ref") => Role::Text { blank: Some("TRANSFER_NOT_ELECTED") },
        (_, "source" | "reference" | "description") => Role::Text { blank: None },
        ("ConvertCash", "from" | "to") => Role::Currency,
        ("RegisterDonor" | "RegisterResolution" | "SignAgreement" | "Allocate" | "ProjectPurpose", "id") => Role::NewId,
        (_, "donor") => Role::Ref { unknown: "UNKNOWN_DONOR", absent: "XX" },
        (_, "agreement") => Role::Ref { unknown: "UNKNOWN_AGREEMENT", absent: "CA-NONE" },
        (_, "project") => Role::Ref { unknown: "UNKNOWN_PROJECT", absent: "P-NONE" },
        (_, "resolution" | "resolutions" | "earmarked_to" | "earmarked") => RESOLUTION,
        (_, "entry") => Role::Entry,
        (_, "currency") => Role::Currency,
        (_, "amount" | "received" | "shares") => Role::Money,
        (_, "per_usd" | "psc_rate" | "window_psc_rate" | "weights") => Role::Rate,
        (
            _,
            "kind" | "month" | "signed_on" | "ends_on" | "received_on" | "spent_on" | "closed_on" | "elected_on"
            | "transferred_on" | "refunded_on" | "decided_on" | "converted_on" | "on" | "effective_on"
            | "elective_transfer" | "purpose" | "policy" | "period" | "rounding" | "four_eyes",
        ) => Role::Shape,
        _ => return None,
    })
}

/// One bad input: a base command with one thing made bad, and the error it must get.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Case {
    /// `record_receipt.amount: exponent`.
    pub name: String,
    /// The command type.
    pub command: &'static str,
    /// The path of what was made bad (`amount`, `purpose.project.id`, `shares.2/4`, `shares[key]`);
    /// the command itself (`""`) for an unknown field at its top.
    pub field: String,
    /// The kind of bad value (`wrong_type`, `float`, `nan`, `exponent`, `too_fine`, `too_large`,
    /// `negative`, `empty`, `too_long`, `control`, `lone_surrogate`, `malformed`, `duplicate_key`,
    /// `unknown_reference`, `missing`, `unknown_field`, `unknown_variant`).
    pub kind: &'static str,
    /// The command as JSON text.
    pub json: String,
    /// Whether the text is also an object of the front end's language (no key repeated in it):
    /// a front end gives it both ways, as its own objects and as text.
    pub object: bool,
    /// The error code.
    pub code: &'static str,
    /// The `field` the error names, for the codes that carry one (`INVALID_AMOUNT`,
    /// `PRECISION_EXCEEDED`, `AMOUNT_TOO_LARGE`, `INVALID_RATE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_field: Option<String>,
}

/// The battery: a known state, the valid commands it accepts, and the cases.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Battery {
    /// What the battery is (written at the top of `contract/bad-input.json`).
    pub about: &'static str,
    /// Commands that make the known state, as JSON text, applied in order (each succeeds).
    pub setup: Vec<String>,
    /// One valid command per command type and variant, as JSON text: each is accepted by the
    /// state (the cases are these with one thing made bad).
    pub bases: Vec<String>,
    /// The bad inputs.
    pub cases: Vec<Case>,
}

const ABOUT: &str = "Bad input for every field of every command of the contract, each kind of bad value, \
with the error code the ledger answers (and the field it names). Apply `setup` to a new ledger; \
every base is accepted by that state; every case must be refused with its code and leave the \
ledger as it was (chain head, entry count, trial balance). Generated by `cargo run -p \
funding-window-codegen` from the core (`funding_window::contract::battery`); do not edit.";

/// The recording time of every setup command and base.
const AT: &str = "2024-06-01T09:00:00Z";

fn usd_window(id: &str, amount: &str, signed_on: &str, earmarked_to: &[&str]) -> Json {
    Json::obj(&[
        ("type", Json::s("sign_agreement")),
        ("id", Json::s(id)),
        ("donor", Json::s("NO")),
        ("currency", Json::s("USD")),
        ("amount", Json::s(amount)),
        ("signed_on", Json::s(signed_on)),
        ("psc_rate", Json::s("0.07")),
        ("elective_transfer", Json::Bool(false)),
        (
            "purpose",
            Json::obj(&[(
                "window",
                Json::obj(&[("earmarked_to", Json::List(earmarked_to.iter().map(|r| Json::s(r)).collect()))]),
            )]),
        ),
    ])
}

fn usd_project(id: &str, project: &str) -> Json {
    Json::obj(&[
        ("type", Json::s("sign_agreement")),
        ("id", Json::s(id)),
        ("donor", Json::s("NO")),
        ("currency", Json::s("USD")),
        ("amount", Json::s("100000.00")),
        ("signed_on", Json::s("2024-03-10")),
        ("psc_rate", Json::s("0.07")),
        ("elective_transfer", Json::Bool(true)),
        ("purpose", Json::obj(&[("project", Json::obj(&[("id", Json::s(project)), ("resolution", Json::s("2/2"))]))])),
    ])
}

fn receipt(agreement: &str, amount: &str, on: &str) -> Json {
    Json::obj(&[
        ("type", Json::s("record_receipt")),
        ("agreement", Json::s(agreement)),
        ("amount", Json::s(amount)),
        ("received_on", Json::s(on)),
    ])
}

/// The known state: a donor (`NO`); USD window money, unearmarked (800,000.00 of 900,000.00
/// received) and earmarked to 2/4 (5,000.00); an open project `P-OPEN` and a closed one
/// `P-DONE` (both USD, with the elective-transfer clause, fully received); an EUR rate for
/// 2024-03; an allocation of 1,000.00 to 2/4 (entry 11, which a base reverses). Nothing is
/// dated after 2024-07-01; the bases are dated in September 2024.
fn setup() -> Vec<Json> {
    vec![
        Json::obj(&[
            ("type", Json::s("register_donor")),
            ("id", Json::s("NO")),
            ("name", Json::s("Norway")),
            ("kind", Json::s("member_state")),
        ]),
        Json::obj(&[
            ("type", Json::s("set_rate")),
            ("currency", Json::s("EUR")),
            ("month", Json::s("2024-03")),
            ("per_usd", Json::s("0.9200")),
        ]),
        usd_window("CA-W", "900000.00", "2024-02-01", &[]),
        receipt("CA-W", "800000.00", "2024-02-15"),
        usd_window("CA-E", "5000.00", "2024-02-01", &["2/4"]),
        receipt("CA-E", "5000.00", "2024-02-15"),
        usd_project("CA-P1", "P-OPEN"),
        receipt("CA-P1", "100000.00", "2024-03-15"),
        usd_project("CA-P2", "P-DONE"),
        receipt("CA-P2", "100000.00", "2024-03-15"),
        Json::obj(&[
            ("type", Json::s("allocate")),
            ("id", Json::s("EB-1")),
            ("decided_on", Json::s("2024-07-01")),
            ("amount", Json::s("1000.00")),
            ("policy", Json::s("explicit")),
            ("shares", Json::obj(&[("2/4", Json::s("1000.00"))])),
        ]),
        Json::obj(&[
            ("type", Json::s("close_project")),
            ("project", Json::s("P-DONE")),
            ("closed_on", Json::s("2024-06-30")),
        ]),
    ]
}

/// One valid command per command type (and per variant of its unions, and per exclusive field),
/// every field given.
fn bases() -> Vec<Json> {
    let s = Json::s;
    vec![
        Json::obj(&[
            ("type", s("register_donor")),
            ("id", s("SE")),
            ("name", s("Sweden")),
            ("kind", s("member_state")),
        ]),
        Json::obj(&[
            ("type", s("register_resolution")),
            ("id", s("3/1")),
            ("title", s("A new resolution")),
            ("status", s("adopted")),
        ]),
        Json::obj(&[("type", s("set_status")), ("resolution", s("2/4")), ("status", s("under implementation"))]),
        Json::obj(&[
            ("type", s("set_rate")),
            ("currency", s("EUR")),
            ("month", s("2024-09")),
            ("per_usd", s("0.9100")),
            ("source", s("UNORE")),
        ]),
        Json::obj(&[
            ("type", s("set_requirement")),
            ("resolution", s("2/4")),
            ("amount", s("1500000.00")),
            ("effective_on", s("2024-09-01")),
        ]),
        Json::obj(&[
            ("type", s("configure")),
            ("window_psc_rate", s("0.07")),
            ("rounding", s("half_even")),
            ("four_eyes", Json::Bool(false)),
            ("approved_by", s("Director")),
        ]),
        {
            let mut c = usd_window("CA-NEW", "1000.00", "2024-09-02", &["2/4"]);
            if let Json::Object(members) = &mut c {
                members.insert(6, ("ends_on".into(), s("2025-12-31")));
            }
            c
        },
        Json::obj(&[
            ("type", s("sign_agreement")),
            ("id", s("CA-NEW-P")),
            ("donor", s("NO")),
            ("currency", s("USD")),
            ("amount", s("1000.00")),
            ("signed_on", s("2024-09-02")),
            ("psc_rate", s("0.07")),
            ("elective_transfer", Json::Bool(true)),
            ("purpose", Json::obj(&[("project", Json::obj(&[("id", s("P-NEW")), ("resolution", s("2/2"))]))])),
        ]),
        Json::obj(&[
            ("type", s("record_receipt")),
            ("agreement", s("CA-W")),
            ("amount", s("100.00")),
            ("received_on", s("2024-09-03")),
            ("reference", s("bank ref")),
            ("currency", s("USD")),
        ]),
        Json::obj(&[
            ("type", s("record_expenditure")),
            ("project", s("P-OPEN")),
            ("amount", s("10.00")),
            ("spent_on", s("2024-09-04")),
            ("description", s("workshop")),
            ("currency", s("USD")),
        ]),
        Json::obj(&[
            ("type", s("record_expenditure")),
            ("resolution", s("2/4")),
            ("amount", s("10.00")),
            ("spent_on", s("2024-09-04")),
            ("description", s("mission")),
            ("currency", s("USD")),
        ]),
        Json::obj(&[
            ("type", s("close_project")),
            ("project", s("P-OPEN")),
            ("closed_on", s("2024-09-05")),
            ("approved_by", s("Director")),
        ]),
        Json::obj(&[
            ("type", s("transfer_balance")),
            ("project", s("P-DONE")),
            ("amount", s("10.00")),
            ("elected_on", s("2024-09-01")),
            ("election_ref", s("donor letter")),
            ("transferred_on", s("2024-09-06")),
            ("approved_by", s("Director")),
        ]),
        Json::obj(&[
            ("type", s("refund_balance")),
            ("project", s("P-DONE")),
            ("amount", s("10.00")),
            ("refunded_on", s("2024-09-07")),
            ("approved_by", s("Director")),
        ]),
        Json::obj(&[
            ("type", s("allocate")),
            ("id", s("EB-NEW")),
            ("decided_on", s("2024-09-08")),
            ("amount", s("100.00")),
            ("policy", s("explicit")),
            ("source", Json::obj(&[("earmarked", s("2/4"))])),
            ("approved_by", s("Director")),
            ("shares", Json::obj(&[("2/4", s("100.00"))])),
        ]),
        Json::obj(&[
            ("type", s("allocate")),
            ("id", s("EB-NEW")),
            ("decided_on", s("2024-09-08")),
            ("amount", s("100.00")),
            ("policy", s("equal")),
            ("resolutions", Json::List(vec![s("2/2"), s("2/9")])),
            ("source", s("unallocated")),
        ]),
        Json::obj(&[
            ("type", s("allocate")),
            ("id", s("EB-NEW")),
            ("decided_on", s("2024-09-08")),
            ("amount", s("100.00")),
            ("policy", s("weights")),
            ("weights", Json::obj(&[("2/2", s("1")), ("2/9", s("3"))])),
        ]),
        Json::obj(&[
            ("type", s("convert_cash")),
            ("from", s("USD")),
            ("to", s("EUR")),
            ("amount", s("100.00")),
            ("received", s("91.00")),
            ("converted_on", s("2024-09-09")),
            ("reference", s("deal ticket")),
            ("approved_by", s("Treasurer")),
        ]),
        Json::obj(&[
            ("type", s("reverse")),
            ("entry", Json::Number("11")),
            ("on", s("2024-09-09")),
            ("reason", s("entered twice")),
            ("approved_by", s("Director")),
        ]),
        Json::obj(&[("type", s("close_period")), ("period", s("2024-H1"))]),
    ]
}

/// The meta fields every command carries (so that each gets its cases with every command),
/// with its own idempotency key.
fn with_meta(mut command: Json, key: String) -> Json {
    if let Json::Object(members) = &mut command {
        members.push(("idempotency_key".into(), Json::Str(key)));
        members.push(("recorded_by".into(), Json::s("finance officer")));
        members.push(("recorded_at".into(), Json::s(AT)));
    }
    command
}

/// A bad value of a kind, the error code it gets, and whether the error names the field.
struct Bad {
    kind: &'static str,
    value: Json,
    code: &'static str,
    names_field: bool,
}

fn bad(kind: &'static str, value: Json, code: &'static str) -> Bad {
    Bad { kind, value, code, names_field: false }
}

const INVALID: &str = "INVALID_COMMAND";

/// The bad values of a field of `role` and `shape` (not null-able: `null` is no bad value of an
/// optional field).
fn bad_values(role: Role, shape: &Shape) -> Vec<Bad> {
    let lone = || bad("lone_surrogate", Json::RawStr("\"\\ud800\""), INVALID);
    let mut out = vec![bad("wrong_type", Json::Bool(true), INVALID)];
    match (role, shape) {
        (Role::Text { blank }, _) => {
            out.push(bad("float", Json::Number("12.5"), INVALID));
            if let Some(code) = blank {
                out.push(bad("empty", Json::s(""), code));
            }
            out.push(bad("too_long", Json::Str("x".repeat(TEXT_LENGTH_MAX + 1)), "LIMIT_EXCEEDED"));
            out.push(bad("control", Json::s("a\u{7}b"), INVALID));
            out.push(lone());
        }
        (Role::NewId, _) => {
            out.push(bad("float", Json::Number("12.5"), INVALID));
            out.push(bad("empty", Json::s(""), "INVALID_ID"));
            out.push(bad("too_long", Json::Str("A".repeat(ID_LENGTH_MAX + 1)), "INVALID_ID"));
            out.push(bad("control", Json::s("A\u{7}B"), "INVALID_ID"));
            out.push(lone());
        }
        (Role::Ref { unknown, absent }, Shape::Text) => {
            out.push(bad("float", Json::Number("12.5"), INVALID));
            out.push(bad("unknown_reference", Json::s(absent), unknown));
            out.push(lone());
        }
        (Role::Ref { unknown, absent }, Shape::List(_)) => {
            // The list itself; its first item has the cases of a reference.
            out.push(bad("unknown_reference", Json::List(vec![Json::s(absent)]), unknown));
        }
        (Role::Entry, _) => {
            out.push(bad("malformed", Json::s("11"), INVALID));
            out.push(bad("float", Json::Number("11.5"), INVALID));
            out.push(bad("negative", Json::Number("-1"), INVALID));
            out.push(bad("too_large", Json::Number("18446744073709551616"), INVALID));
            out.push(bad("unknown_reference", Json::Number("9999"), "UNKNOWN_ENTRY"));
        }
        (Role::Currency, _) => {
            out.push(bad("float", Json::Number("12.5"), INVALID));
            out.push(bad("empty", Json::s(""), "UNKNOWN_CURRENCY"));
            out.push(bad("unknown_reference", Json::s("ABC"), "UNKNOWN_CURRENCY"));
            out.push(bad("too_long", Json::s("USDX"), "UNKNOWN_CURRENCY"));
            out.push(lone());
        }
        (Role::Money | Role::Rate, Shape::Decimal) => {
            let code = if role == Role::Money { "INVALID_AMOUNT" } else { "INVALID_RATE" };
            let named = |kind, value, code| Bad { kind, value, code, names_field: true };
            out.push(bad("float", Json::Number("12.5"), INVALID));
            out.push(named("nan", Json::s("NaN"), code));
            out.push(named("exponent", Json::s("1e3"), code));
            out.push(named("empty", Json::s(""), code));
            out.push(named("negative", Json::s("-1.00"), code));
            out.push(named("control", Json::s("1\u{7}"), code));
            if role == Role::Money {
                out.push(named("too_fine", Json::s("1.001"), "PRECISION_EXCEEDED"));
                out.push(named("too_large", Json::s("1000000000000000.00"), "AMOUNT_TOO_LARGE"));
            } else {
                out.push(named("too_fine", Json::s("0.12345678901"), code));
            }
            out.push(lone());
        }
        (Role::Money | Role::Rate, Shape::Table(_)) => {
            out.push(bad("wrong_type_list", Json::List(Vec::new()), INVALID));
        }
        (Role::Timestamp, _) => {
            out.push(bad("float", Json::Number("12.5"), INVALID));
            out.push(bad("empty", Json::s(""), INVALID));
            out.push(bad("malformed", Json::s("2024-06-01 09:00"), INVALID));
            out.push(lone());
        }
        (Role::Shape, Shape::Date) => {
            out.push(bad("float", Json::Number("12.5"), INVALID));
            out.push(bad("empty", Json::s(""), INVALID));
            out.push(bad("malformed", Json::s("2024-09-31"), INVALID));
            out.push(bad("control", Json::s("2024-09-0\u{7}"), INVALID));
            out.push(lone());
        }
        (Role::Shape, Shape::Month) => {
            out.push(bad("empty", Json::s(""), INVALID));
            out.push(bad("malformed", Json::s("2024-13"), INVALID));
            out.push(lone());
        }
        (Role::Shape, Shape::HalfYear) => {
            out.push(bad("empty", Json::s(""), INVALID));
            out.push(bad("malformed", Json::s("2024-H3"), INVALID));
            out.push(lone());
        }
        (Role::Shape, Shape::Choice(_)) => {
            out.push(bad("empty", Json::s(""), INVALID));
            out.push(bad("malformed", Json::s("no_such_value"), INVALID));
            out.push(lone());
        }
        (Role::Shape, Shape::Bool) => {
            out.clear();
            out.push(bad("wrong_type", Json::s("true"), INVALID));
            out.push(bad("integer", Json::Number("1"), INVALID));
        }
        (_, Shape::Union(_)) => {
            out.push(bad("unknown_variant", Json::s("no_such_variant"), INVALID));
            out.push(bad("unknown_variant", Json::obj(&[("no_such_variant", Json::s("x"))]), INVALID));
        }
        _ => {}
    }
    out
}

/// Builds the cases of one base.
struct Builder<'a> {
    base: &'a Json,
    command: &'static str,
    cases: Vec<Case>,
    /// Every field path given cases (`record_receipt.amount`), to check coverage.
    covered: Vec<String>,
}

impl Builder<'_> {
    fn push(
        &mut self,
        field: &str,
        kind: &'static str,
        json: Json,
        object: bool,
        code: &'static str,
        error_field: Option<String>,
    ) {
        let name = if field.is_empty() {
            format!("{}: {kind}", self.command)
        } else {
            format!("{}.{field}: {kind}", self.command)
        };
        self.cases.push(Case {
            name,
            command: self.command,
            field: field.to_owned(),
            kind,
            json: json.text(),
            object,
            code,
            error_field,
        });
    }

    /// The base with the value at `path` replaced.
    fn replaced(&self, path: &[Step], value: &Json) -> Option<Json> {
        let mut out = self.base.clone();
        out.change(path, &mut |members, i| {
            members[i].1 = value.clone();
            true
        })
        .then_some(out)
    }

    /// The base with the member at `path` written twice.
    fn repeated(&self, path: &[Step]) -> Option<Json> {
        let mut out = self.base.clone();
        out.change(path, &mut |members, i| {
            let again = members[i].clone();
            members.insert(i + 1, again);
            true
        })
        .then_some(out)
    }

    /// The base without the member at `path`.
    fn removed(&self, path: &[Step]) -> Option<Json> {
        let mut out = self.base.clone();
        out.change(path, &mut |members, i| {
            members.remove(i);
            true
        })
        .then_some(out)
    }

    /// The base with a member `no_such_field` added to the object at `path` (the command for `[]`).
    fn extended(&self, path: &[Step]) -> Option<Json> {
        let mut out = self.base.clone();
        let extra = ("no_such_field".to_owned(), Json::s("x"));
        if path.is_empty() {
            if let Json::Object(members) = &mut out {
                members.push(extra);
                return Some(out);
            }
            return None;
        }
        out.change(path, &mut |members, i| match &mut members[i].1 {
            Json::Object(inner) => {
                inner.push(extra.clone());
                true
            }
            _ => false,
        })
        .then_some(out)
    }

    /// The cases of the fields of `object` at `at` (its path in the command).
    fn object(&mut self, object: &'static Object, at: &[Step], meta: bool) -> Result<(), String> {
        let value = at.iter().try_fold(self.base, |v, step| match step {
            Step::Key(k) => v.get(k),
            Step::First => None,
        });
        let Some(value) = value else { return Ok(()) };
        if !meta {
            // An unknown field in the object.
            if let Some(json) = self.extended(at) {
                self.push(&path_text(at), "unknown_field", json, true, INVALID, None);
            }
        }
        for field in object.fields {
            if value.get(field.name).is_none() {
                continue;
            }
            let mut path = at.to_vec();
            path.push(Step::Key(field.name.to_owned()));
            let role = role(object.name, field.name).ok_or_else(|| {
                format!("no role for the field {} of {} (contract::battery::role)", field.name, object.name)
            })?;
            self.covered.push(format!("{}.{}.{}", self.command, object.name, field.name));
            self.field(role, &field.shape, &path, !field.default)?;
        }
        Ok(())
    }

    fn field(&mut self, role: Role, shape: &Shape, path: &[Step], required: bool) -> Result<(), String> {
        let field = path_text(path);
        let shape = shape.non_null();
        for bad in bad_values(role, shape) {
            if let Some(json) = self.replaced(path, &bad.value) {
                let error_field = bad.names_field.then(|| field.clone());
                self.push(&field, bad.kind, json, true, bad.code, error_field);
            }
        }
        // A list's item is no member: it can be neither repeated nor missing.
        let member = matches!(path.last(), Some(Step::Key(_)));
        if member {
            if let Some(json) = self.repeated(path) {
                self.push(&field, "duplicate_key", json, false, INVALID, None);
            }
        }
        if member && required {
            if let Some(json) = self.removed(path) {
                self.push(&field, "missing", json, true, INVALID, None);
            }
        }
        match shape {
            Shape::List(item) => {
                let mut first = path.to_vec();
                first.push(Step::First);
                self.field(role, item, &first, true)?;
            }
            Shape::Table(value) => self.table(role, value, path)?,
            Shape::Union(union) => {
                for variant in union.variants {
                    let mut inner = path.to_vec();
                    inner.push(Step::Key(variant.name.to_owned()));
                    match &variant.payload {
                        Some(Shape::Object(object)) => self.object(object, &inner, false)?,
                        Some(payload) => {
                            let present = inner.iter().try_fold(self.base, |v, step| match step {
                                Step::Key(k) => v.get(k),
                                Step::First => None,
                            });
                            if present.is_some() {
                                let role = role_of_variant(variant.name)?;
                                self.covered.push(format!("{}.{}", self.command, path_text(&inner)));
                                self.field(role, payload, &inner, true)?;
                            }
                        }
                        None => {}
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A table of resolutions to decimals: each kind of bad value in its first entry, an
    /// unknown resolution as its key, and its first key repeated.
    fn table(&mut self, role: Role, value: &Shape, path: &[Step]) -> Result<(), String> {
        let field = path_text(path);
        let Some(Json::Object(members)) = path.iter().try_fold(self.base, |v, step| match step {
            Step::Key(k) => v.get(k),
            Step::First => None,
        }) else {
            return Ok(());
        };
        let Some((key, _)) = members.first().cloned() else { return Ok(()) };
        let mut entry = path.to_vec();
        entry.push(Step::Key(key.clone()));
        let entry_field = path_text(&entry);
        for bad in bad_values(role, value.non_null()) {
            if let Some(json) = self.replaced(&entry, &bad.value) {
                let error_field = bad.names_field.then(|| entry_field.clone());
                self.push(&entry_field, bad.kind, json, true, bad.code, error_field);
            }
        }
        if let Some(json) = self.repeated(&entry) {
            self.push(&entry_field, "duplicate_key", json, false, INVALID, None);
        }
        // An unknown resolution as the key (the value kept).
        let mut out = self.base.clone();
        let renamed = out.change(&entry, &mut |members, i| {
            members[i].0 = "9/99".into();
            true
        });
        if renamed {
            self.push(&format!("{field}[key]"), "unknown_reference", out, true, "UNKNOWN_RESOLUTION", None);
        }
        Ok(())
    }
}

/// The role of a union variant's payload that is not an object (`source`'s `earmarked`).
fn role_of_variant(name: &str) -> Result<Role, String> {
    role("", name).ok_or_else(|| format!("no role for the variant {name} (contract::battery::role)"))
}

/// The battery, from the contract's description; an error names a field without a role, or
/// a described field that no base gives.
pub fn battery() -> Result<Battery, String> {
    let setup: Vec<String> =
        setup().into_iter().enumerate().map(|(n, c)| with_meta(c, format!("setup-{}", n + 1)).text()).collect();
    let mut bases = Vec::new();
    let mut cases = Vec::new();
    let mut covered: Vec<String> = Vec::new();
    for (n, base) in bases_with_meta().into_iter().enumerate() {
        let Some(Json::Str(type_name)) = base.get("type") else {
            return Err(format!("base {n} has no type"));
        };
        let Some(info) = super::commands().iter().find(|c| c.name == type_name) else {
            return Err(format!("base {n}: no command {type_name}"));
        };
        let mut builder = Builder { base: &base, command: info.name, cases: Vec::new(), covered: Vec::new() };
        builder.object(info.object, &[], false)?;
        builder.object(super::request_meta(), &[], true)?;
        // Without its type.
        if let Some(json) = builder.removed(&[Step::Key("type".into())]) {
            builder.push("type", "missing", json, true, INVALID, None);
        }
        if let Some(json) = builder.replaced(&[Step::Key("type".into())], &Json::s("no_such_command")) {
            builder.push("type", "malformed", json, true, INVALID, None);
        }
        covered.extend(builder.covered);
        cases.extend(builder.cases);
        bases.push(base.text());
    }
    // Every field of every command and of the objects in them has cases (so a field added to
    // the contract without a base that gives it fails here).
    for info in super::commands() {
        let mut stack = vec![(info.object, String::new())];
        while let Some((object, at)) = stack.pop() {
            for field in object.fields {
                let key = format!("{}.{}.{}", info.name, object.name, field.name);
                if !covered.contains(&key) {
                    return Err(format!("no base gives {}{}{} (contract::battery::bases)", info.name, at, field.name));
                }
                if let Shape::Union(union) = field.shape.non_null() {
                    for v in union.variants {
                        if let Some(Shape::Object(inner)) = &v.payload {
                            stack.push((inner, format!("{at}.{}.{}.", field.name, v.name)));
                        }
                    }
                }
            }
        }
        for field in super::request_meta().fields {
            if !covered.contains(&format!("{}.RequestMeta.{}", info.name, field.name)) {
                return Err(format!("no base of {} gives {}", info.name, field.name));
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for case in &mut cases {
        // Names are unique: the same path and kind twice (two bases of one command) are told apart.
        let mut name = case.name.clone();
        let mut n = 2;
        while !seen.insert(name.clone()) {
            name = format!("{} ({n})", case.name);
            n += 1;
        }
        case.name = name;
    }
    Ok(Battery { about: ABOUT, setup, bases, cases })
}

fn bases_with_meta() -> Vec<Json> {
    bases().into_iter().enumerate().map(|(n, c)| with_meta(c, format!("base-{}", n + 1))).collect()
}

/// The battery as the text of `contract/bad-input.json` (what the generator writes).
pub fn battery_json() -> Result<String, String> {
    let battery = battery()?;
    let mut out = serde_json::to_string_pretty(&battery).map_err(|e| e.to_string())?;
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Ledger, Request};

    /// What a refused command must leave as it was.
    fn books(ledger: &Ledger) -> (String, usize, String) {
        (ledger.chain_head(), ledger.len(), serde_json::to_string(&ledger.trial_balance(None)).unwrap_or_default())
    }

    fn state(battery: &Battery) -> Ledger {
        let mut ledger = Ledger::new();
        for command in &battery.setup {
            let request = Request::from_json(command).unwrap_or_else(|e| panic!("{command}: {e}"));
            ledger.apply(request).unwrap_or_else(|e| panic!("{command}: {e}"));
        }
        ledger
    }

    /// The file the bindings' tests read is this battery (the generator writes it).
    #[test]
    fn the_generated_file_is_the_battery() {
        let file = include_str!("../../../../contract/bad-input.json");
        assert!(file == battery_json().unwrap(), "stale: run `cargo run -p funding-window-codegen`");
    }

    /// A field added to a command without a role, or that no base gives, fails the battery.
    #[test]
    fn every_described_field_has_cases() {
        let battery = battery().unwrap();
        for info in crate::contract::commands() {
            for field in info.object.fields {
                assert!(
                    battery
                        .cases
                        .iter()
                        .any(|c| c.command == info.name && c.field.split(['.', '[']).next() == Some(field.name)),
                    "{}.{}",
                    info.name,
                    field.name
                );
            }
            for field in crate::contract::request_meta().fields {
                assert!(battery.cases.iter().any(|c| c.command == info.name && c.field == field.name));
            }
        }
        assert_eq!(role("RecordReceipt", "no_such_field"), None);
    }

    #[test]
    fn the_state_accepts_every_base() {
        let battery = battery().unwrap();
        for base in &battery.bases {
            let mut ledger = state(&battery);
            let request = Request::from_json(base).unwrap_or_else(|e| panic!("{base}: {e}"));
            ledger.apply(request).unwrap_or_else(|e| panic!("{base}: {e}"));
        }
    }

    /// Every case, through the core: the exact code, the field named, and nothing changed.
    #[test]
    fn every_case_is_refused_with_its_code_and_changes_nothing() {
        let battery = battery().unwrap();
        assert!(battery.cases.len() >= 500, "{}", battery.cases.len());
        let mut ledger = state(&battery);
        let before = books(&ledger);
        let mut wrong = Vec::new();
        for case in &battery.cases {
            let result = Request::from_json(&case.json).and_then(|r| ledger.apply(r));
            match result {
                Ok(_) => panic!("{}: accepted {}", case.name, case.json),
                Err(e) => {
                    let named = e.to_json_value().get("field").and_then(|f| f.as_str()).map(str::to_owned);
                    if e.code() != case.code || (case.error_field.is_some() && named != case.error_field) {
                        wrong.push(format!(
                            "{}: {} {:?} (expected {} {:?}): {e}",
                            case.name,
                            e.code(),
                            named,
                            case.code,
                            case.error_field
                        ));
                    }
                }
            }
            assert_eq!(books(&ledger), before, "{}", case.name);
        }
        assert!(wrong.is_empty(), "{} of {}:\n{}", wrong.len(), battery.cases.len(), wrong.join("\n"));
    }
}
