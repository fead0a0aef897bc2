//! The description of the contract's types as data ([`Described`], [`Shape`], [`Object`],
//! [`Field`]) and the `contract!` family of macros that declare a type together with its
//! description. This module depends on nothing else of the crate: every module that
//! declares a type of the contract uses it, and the catalogue ([`crate::contract`]) lists
//! what they declare.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// How a value is written in the JSON of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A string of free text or an id.
    Text,
    /// `true` or `false`.
    Bool,
    /// A non-negative integer (entry numbers, counts).
    Integer,
    /// An exact decimal carried as a string (`"1250.00"`): money, rates, weights, percentages.
    Decimal,
    /// A date, `"YYYY-MM-DD"`.
    Date,
    /// A month, `"YYYY-MM"`.
    Month,
    /// A half-year, `"2024-H1"` or `"2024-H2"` (what `close_period` takes).
    HalfYear,
    /// A reporting period: `"2024"`, `"2024-H2"`, `"2024-Q3"`, `"2024-07"` or
    /// `{"from": "2024-07-01", "to": "2024-09-30"}`.
    Period,
    /// An ISO 4217 currency code the ledger knows (`"USD"`).
    Currency,
    /// A command of the contract (discriminated by `"type"`).
    Command,
    /// A cell of a report's table: a string (text, decimals, dates), a number, a boolean or `null`.
    Cell,
    /// One of a fixed set of strings.
    Choice(&'static Choice),
    /// A JSON array of values of one shape.
    List(&'static Shape),
    /// A JSON object from names (resolution ids, currency codes) to values of one shape.
    Table(&'static Shape),
    /// The shape, or `null`.
    Nullable(&'static Shape),
    /// A JSON object with named fields.
    Object(&'static Object),
    /// One of several variants, each a string or a one-key object (serde's external tagging).
    Union(&'static Union),
}

impl Shape {
    /// The shape inside `null`-ability, if any.
    pub fn non_null(&self) -> &Shape {
        match self {
            Shape::Nullable(inner) => inner.non_null(),
            other => other,
        }
    }
}

/// A named JSON object: a command, a report, a row, a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Object {
    /// The Rust type's name (`RecordReceipt`), which the generated types keep.
    pub name: &'static str,
    /// Its documentation (the doc comment of the Rust type).
    pub doc: &'static str,
    /// Its fields, in the order the core writes them.
    pub fields: &'static [Field],
    /// Rules between fields that the JSON shape alone does not say.
    pub rules: &'static [Rule],
    /// Whether unknown fields are refused (`deny_unknown_fields`).
    pub strict: bool,
}

impl Object {
    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// One field of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Its name in JSON.
    pub name: &'static str,
    /// Its documentation.
    pub doc: &'static str,
    /// Its JSON shape.
    pub shape: Shape,
    /// The Rust type as written in the declaration (`Option<ResolutionId>`): the
    /// generator names the aliases of [`ALIASES`] after it.
    pub rust_type: &'static str,
    /// Whether it may be left out of input (serde `default`).
    pub default: bool,
    /// Whether output leaves it out when it is `None` or empty (serde `skip_serializing_if`).
    pub skipped_when_empty: bool,
}

impl Field {
    /// Whether input may leave the field out.
    pub fn optional(&self) -> bool {
        self.default
    }
}

/// A rule between the fields of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Exactly one of these fields is given (and not `null`).
    ExactlyOne(&'static [&'static str]),
    /// `then` is given exactly when `field` has the string value `equals`.
    GivenWhen {
        /// The discriminating field.
        field: &'static str,
        /// Its value.
        equals: &'static str,
        /// The field that goes with that value, and only with it.
        then: &'static str,
    },
}

/// A fixed set of strings (a unit-only Rust enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    /// The Rust type's name (`Policy`).
    pub name: &'static str,
    /// Its documentation.
    pub doc: &'static str,
    /// Each value and its documentation, in declaration order.
    pub values: &'static [(&'static str, &'static str)],
}

/// Variants written as a string (unit) or a one-key object (serde's external tagging).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Union {
    /// The Rust type's name (`Purpose`).
    pub name: &'static str,
    /// Its documentation.
    pub doc: &'static str,
    /// The variants.
    pub variants: &'static [Variant],
}

/// One variant of a [`Union`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    /// Its name in JSON (the string, or the key of the one-key object).
    pub name: &'static str,
    /// Its documentation.
    pub doc: &'static str,
    /// What the key holds; `None` for a variant written as a plain string.
    pub payload: Option<Shape>,
}

/// A Rust type of the contract and its JSON shape.
pub trait Described {
    /// The shape of the type's JSON.
    const SHAPE: Shape;
}

macro_rules! described {
    ($($ty:ty => $shape:expr,)*) => {
        $(impl $crate::contract::describe::Described for $ty {
            const SHAPE: $crate::contract::describe::Shape = $shape;
        })*
    };
}
pub(crate) use described;

described! {
    String => Shape::Text,
    &'static str => Shape::Text,
    bool => Shape::Bool,
    u64 => Shape::Integer,
    u32 => Shape::Integer,
    usize => Shape::Integer,
    Decimal => Shape::Decimal,
    NaiveDate => Shape::Date,
    [u32; 2] => Shape::List(&Shape::Integer),
}

impl<T: Described> Described for Option<T> {
    const SHAPE: Shape = Shape::Nullable(&T::SHAPE);
}

impl<T: Described> Described for Vec<T> {
    const SHAPE: Shape = Shape::List(&T::SHAPE);
}

impl<T: Described> Described for BTreeMap<String, T> {
    const SHAPE: Shape = Shape::Table(&T::SHAPE);
}

/// An ISO 4217 currency code as given in a command (`"SEK"`); checked when applied.
pub type CurrencyCode = String;

/// An RFC 3339 timestamp in UTC (`"2024-07-01T09:00:00Z"`), as the journal keeps it.
pub type Timestamp = String;

/// SHA-256 of a journal entry chained to the previous one, 64 hex digits.
pub type Hash = String;

/// Names the core gives to strings with a meaning (`type ResolutionId = String`), with
/// their documentation; the generated TypeScript and Python types keep these names.
pub const ALIASES: &[(&str, &str)] = &[
    ("CurrencyCode", "An ISO 4217 currency code: `\"USD\"`, `\"SEK\"`."),
    ("Timestamp", "An RFC 3339 timestamp: `\"2024-07-01T09:00:00Z\"`."),
    ("Hash", "SHA-256 of a journal entry chained to the previous one, 64 hex digits."),
];

/// One command type of the contract.
#[derive(Debug, Clone, Copy)]
pub struct CommandInfo {
    /// Its `"type"` (`record_receipt`).
    pub name: &'static str,
    /// Its fields.
    pub object: &'static Object,
}

/// One report: its name (as the scenarios, `export_csv` and the bindings call it), its
/// arguments and its JSON.
#[derive(Debug, Clone, Copy)]
pub struct ReportInfo {
    /// `resolution_tracker`.
    pub name: &'static str,
    /// The arguments it takes.
    pub args: &'static [Field],
    /// Its JSON (`None` for the journal, which is its entries).
    pub object: Option<&'static Object>,
}

/// One error code and the fields its JSON carries besides `code` and `message`.
#[derive(Debug, Clone, Copy)]
pub struct ErrorInfo {
    /// `INSUFFICIENT_FUNDS`.
    pub code: &'static str,
    /// The Rust variant's name (`InsufficientFunds`).
    pub variant: &'static str,
    /// Its documentation.
    pub doc: &'static str,
    /// Its fields.
    pub fields: &'static [Field],
}

/// Whether the serde attribute tokens of a field hold `default` on its own (not
/// `default = "path"`): the field may be left out and takes `Default::default()`.
macro_rules! serde_has_default {
    () => { false };
    (default = $($rest:tt)*) => { $crate::contract::describe::serde_has_default!($($rest)*) };
    (default $($rest:tt)*) => { true };
    ($first:tt $($rest:tt)*) => { $crate::contract::describe::serde_has_default!($($rest)*) };
}
pub(crate) use serde_has_default;

/// Reads a command field for the journal's direct reader: a field with serde's plain
/// `default` may be left out (and takes its default), any other must be there.
macro_rules! read_field {
    ($c:ident, $name:ident, $ty:ty;) => { $c.required::<$ty>(stringify!($name))? };
    ($c:ident, $name:ident, $ty:ty; default = $($rest:tt)*) => { $crate::contract::describe::read_field!($c, $name, $ty; $($rest)*) };
    ($c:ident, $name:ident, $ty:ty; default $($rest:tt)*) => { $c.defaulted::<$ty>(stringify!($name))? };
    ($c:ident, $name:ident, $ty:ty; $first:tt $($rest:tt)*) => { $crate::contract::describe::read_field!($c, $name, $ty; $($rest)*) };
}
pub(crate) use read_field;

/// Whether the serde attribute tokens of a field hold `skip_serializing_if`.
macro_rules! serde_has_skip {
    () => { false };
    (skip_serializing_if $($rest:tt)*) => { true };
    ($first:tt $($rest:tt)*) => { $crate::contract::describe::serde_has_skip!($($rest)*) };
}
pub(crate) use serde_has_skip;

/// Whether the serde attribute tokens of a struct hold `deny_unknown_fields`.
macro_rules! serde_has_deny {
    () => { false };
    (deny_unknown_fields $($rest:tt)*) => { true };
    ($first:tt $($rest:tt)*) => { $crate::contract::describe::serde_has_deny!($($rest)*) };
}
pub(crate) use serde_has_deny;

/// Declares a struct of the contract and its description ([`Described`]).
///
/// The struct is written exactly as it would be without the macro (doc comments, then
/// `#[contract(rule = ...)]` lines if any, then `#[derive(...)]` and `#[serde(...)]`;
/// on fields, doc comments then `#[serde(...)]`) and comes out unchanged; the macro adds
/// `impl Described` with every field's name, documentation, shape and serde options.
/// A field added to the struct is in the description, and so in every generated file.
macro_rules! contract {
    (
        $(#[doc = $doc:literal])*
        $(#[contract(rule = $rule:expr)])*
        #[derive($($derive:path),* $(,)?)]
        $(#[serde($($sattr:tt)*)])*
        $vis:vis struct $name:ident {
            $(
                $(#[doc = $fdoc:literal])*
                $(#[serde($($fattr:tt)*)])*
                $fvis:vis $field:ident : $fty:ty
            ),* $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive($($derive),*)]
        $(#[serde($($sattr)*)])*
        $vis struct $name {
            $(
                $(#[doc = $fdoc])*
                $(#[serde($($fattr)*)])*
                $fvis $field: $fty,
            )*
        }

        impl $crate::contract::describe::Described for $name {
            const SHAPE: $crate::contract::describe::Shape = $crate::contract::describe::Shape::Object(&$crate::contract::describe::Object {
                name: stringify!($name),
                doc: concat!($($doc, "\n",)*),
                fields: &[$(
                    $crate::contract::describe::Field {
                        name: stringify!($field),
                        doc: concat!($($fdoc, "\n",)*),
                        shape: <$fty as $crate::contract::describe::Described>::SHAPE,
                        rust_type: stringify!($fty),
                        default: $crate::contract::describe::serde_has_default!($($($fattr)*)*),
                        skipped_when_empty: $crate::contract::describe::serde_has_skip!($($($fattr)*)*),
                    },
                )*],
                rules: &[$($rule),*],
                strict: $crate::contract::describe::serde_has_deny!($($($sattr)*)*),
            });
        }
    };
}
pub(crate) use contract;

/// Declares a unit-only enum of the contract: each variant with its JSON name.
///
/// Emits the enum (with `#[serde(rename = ...)]` on each variant), `ALL` (every value in
/// order), `name()` (the JSON name), [`Described`] (a [`Choice`]) and the journal's
/// direct reader.
macro_rules! contract_choice {
    (
        $(#[doc = $doc:literal])*
        #[derive($($derive:path),* $(,)?)]
        $vis:vis enum $name:ident {
            $(
                $(#[doc = $vdoc:literal])*
                $variant:ident = $json:literal
            ),* $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive($($derive),*)]
        $vis enum $name {
            $(
                $(#[doc = $vdoc])*
                #[serde(rename = $json)]
                $variant,
            )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The name of the value in the contract's JSON.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $json,)*
                }
            }
        }

        impl $crate::contract::describe::Described for $name {
            const SHAPE: $crate::contract::describe::Shape = $crate::contract::describe::Shape::Choice(&$crate::contract::describe::Choice {
                name: stringify!($name),
                doc: concat!($($doc, "\n",)*),
                values: &[$(($json, concat!($($vdoc, "\n",)*)),)*],
            });
        }

        impl $crate::written::Written for $name {
            fn read(c: &mut $crate::written::Cursor<'_, '_>) -> Option<Self> {
                const NAMES: &[&str] = &[$($json),*];
                c.one_of(NAMES).and_then(|i| $name::ALL.get(i).copied())
            }
        }
    };
}
pub(crate) use contract_choice;

/// Declares a command struct: `contract!` plus the journal's direct
/// reader, which reads the fields in declaration order (the order serde writes them).
macro_rules! command_struct {
    (
        $(#[doc = $doc:literal])*
        $(#[contract(rule = $rule:expr)])*
        #[derive($($derive:path),* $(,)?)]
        $(#[serde($($sattr:tt)*)])*
        $vis:vis struct $name:ident {
            $(
                $(#[doc = $fdoc:literal])*
                $(#[serde($($fattr:tt)*)])*
                $fvis:vis $field:ident : $fty:ty
            ),* $(,)?
        }
    ) => {
        $crate::contract::describe::contract! {
            $(#[doc = $doc])*
            $(#[contract(rule = $rule)])*
            #[derive($($derive),*)]
            $(#[serde($($sattr)*)])*
            $vis struct $name {
                $(
                    $(#[doc = $fdoc])*
                    $(#[serde($($fattr)*)])*
                    $fvis $field: $fty,
                )*
            }
        }

        impl $crate::written::Written for $name {
            /// The command's fields after its `"type"`, each `,"name":value`.
            fn read(c: &mut $crate::written::Cursor<'_, '_>) -> Option<Self> {
                Some($name {
                    $($field: $crate::contract::describe::read_field!(c, $field, $fty; $($($fattr)*)*),)*
                })
            }
        }
    };
}
pub(crate) use command_struct;
