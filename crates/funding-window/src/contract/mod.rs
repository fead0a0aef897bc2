//! The contract described as data: every command, request field, report, result and
//! error, with its fields, their JSON shapes and their documentation.
//!
//! The types of the contract are declared once, in the module of the thing they
//! govern, through the `contract!` family of macros (this module): the macro
//! emits the Rust type exactly as written (serde attributes and all) together with
//! its description ([`Described::SHAPE`]) and, for commands, the journal's direct
//! reader. Nothing else lists fields: the bindings' key tables
//! ([`DECIMAL_FIELDS`], the Python binding's amount and date
//! keys), the TypeScript declarations, the Python error classes and `TypedDict`s and
//! the JSON Schema (`contract/schema.json`) are written from these descriptions by
//! the generator (`cargo run -p funding-window-codegen`), whose `--check` mode fails
//! the test run when a generated file is stale.
//!
//! The descriptions are `const` data: a build that does not read them (the
//! WebAssembly module) carries none of them.
//!
//! ```
//! use funding_window::contract::{self, Shape};
//!
//! let receipt = contract::command("record_receipt").unwrap();
//! let amount = receipt.field("amount").unwrap();
//! assert!(matches!(amount.shape, Shape::Decimal));
//! assert!(!amount.optional());
//! assert!(receipt.field("reference").unwrap().optional());
//! ```

pub mod battery;
mod keys;
pub(crate) mod reading;
pub mod sheet;
pub(crate) mod strict;

pub use self::keys::{AMOUNT_KEYS, AMOUNT_TABLE_KEYS, DATE_KEYS, DECIMAL_FIELDS, DECIMAL_TABLE_FIELDS};

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::calendar::{Month, Period, ReportingPeriod};
use crate::command::{Command, DecimalString};
use crate::money::Currency;

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
        $(impl Described for $ty {
            const SHAPE: Shape = $shape;
        })*
    };
}

described! {
    String => Shape::Text,
    &'static str => Shape::Text,
    bool => Shape::Bool,
    u64 => Shape::Integer,
    u32 => Shape::Integer,
    usize => Shape::Integer,
    DecimalString => Shape::Decimal,
    Decimal => Shape::Decimal,
    NaiveDate => Shape::Date,
    Month => Shape::Month,
    Period => Shape::HalfYear,
    ReportingPeriod => Shape::Period,
    Currency => Shape::Currency,
    Command => Shape::Command,
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

/// Every command type, in the contract's order.
pub fn commands() -> &'static [CommandInfo] {
    crate::command::COMMANDS
}

/// The command of type `name`.
pub fn command(name: &str) -> Option<&'static Object> {
    commands().iter().find(|c| c.name == name).map(|c| c.object)
}

/// The fields every command may carry besides its own.
pub fn request_meta() -> &'static Object {
    &crate::command::REQUEST_META
}

/// Every report.
pub fn reports() -> &'static [ReportInfo] {
    &crate::report::REPORTS
}

/// Every error code with its fields.
pub fn errors() -> &'static [ErrorInfo] {
    crate::error::ERRORS
}

/// The results and documents the core returns besides the reports: an applied
/// command, a journal entry, a posting row, an allocation preview, the registries,
/// the window balance, a recovery, a report's table.
pub fn results() -> &'static [&'static Object] {
    use crate::contract::Described as D;
    const fn object(shape: Shape) -> &'static Object {
        match shape {
            Shape::Object(object) => object,
            _ => panic!("a result is an object"),
        }
    }
    const RESULTS: &[&Object] = &[
        object(<crate::ledger::Applied as D>::SHAPE),
        object(<crate::journal::PostingLine as D>::SHAPE),
        object(<crate::journal::JournalEntry as D>::SHAPE),
        object(<crate::journal::PostingRow as D>::SHAPE),
        object(<crate::plan::Conversion as D>::SHAPE),
        object(<crate::domain::allocation::AllocationPreview as D>::SHAPE),
        object(<crate::domain::allocation::PreviewLine as D>::SHAPE),
        object(<crate::report::ResolutionInfo as D>::SHAPE),
        object(<crate::report::DonorInfo as D>::SHAPE),
        object(<crate::report::WindowBalance as D>::SHAPE),
        object(<crate::ledger::Recovery as D>::SHAPE),
        object(<crate::table::Table as D>::SHAPE),
    ];
    RESULTS
}

/// The order of a journal entry's fields (each command's own order is its object's).
pub fn journal_entry() -> &'static Object {
    match <crate::journal::JournalEntry as Described>::SHAPE {
        Shape::Object(object) => object,
        _ => unreachable!("a journal entry is an object"),
    }
}

/// Whether the serde attribute tokens of a field hold `default` on its own (not
/// `default = "path"`): the field may be left out and takes `Default::default()`.
macro_rules! serde_has_default {
    () => { false };
    (default = $($rest:tt)*) => { $crate::contract::serde_has_default!($($rest)*) };
    (default $($rest:tt)*) => { true };
    ($first:tt $($rest:tt)*) => { $crate::contract::serde_has_default!($($rest)*) };
}
pub(crate) use serde_has_default;

/// Reads a command field for the journal's direct reader: a field with serde's plain
/// `default` may be left out (and takes its default), any other must be there.
macro_rules! read_field {
    ($c:ident, $name:ident, $ty:ty;) => { $c.required::<$ty>(stringify!($name))? };
    ($c:ident, $name:ident, $ty:ty; default = $($rest:tt)*) => { $crate::contract::read_field!($c, $name, $ty; $($rest)*) };
    ($c:ident, $name:ident, $ty:ty; default $($rest:tt)*) => { $c.defaulted::<$ty>(stringify!($name))? };
    ($c:ident, $name:ident, $ty:ty; $first:tt $($rest:tt)*) => { $crate::contract::read_field!($c, $name, $ty; $($rest)*) };
}
pub(crate) use read_field;

/// Whether the serde attribute tokens of a field hold `skip_serializing_if`.
macro_rules! serde_has_skip {
    () => { false };
    (skip_serializing_if $($rest:tt)*) => { true };
    ($first:tt $($rest:tt)*) => { $crate::contract::serde_has_skip!($($rest)*) };
}
pub(crate) use serde_has_skip;

/// Whether the serde attribute tokens of a struct hold `deny_unknown_fields`.
macro_rules! serde_has_deny {
    () => { false };
    (deny_unknown_fields $($rest:tt)*) => { true };
    ($first:tt $($rest:tt)*) => { $crate::contract::serde_has_deny!($($rest)*) };
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

        impl $crate::contract::Described for $name {
            const SHAPE: $crate::contract::Shape = $crate::contract::Shape::Object(&$crate::contract::Object {
                name: stringify!($name),
                doc: concat!($($doc, "\n",)*),
                fields: &[$(
                    $crate::contract::Field {
                        name: stringify!($field),
                        doc: concat!($($fdoc, "\n",)*),
                        shape: <$fty as $crate::contract::Described>::SHAPE,
                        rust_type: stringify!($fty),
                        default: $crate::contract::serde_has_default!($($($fattr)*)*),
                        skipped_when_empty: $crate::contract::serde_has_skip!($($($fattr)*)*),
                    },
                )*],
                rules: &[$($rule),*],
                strict: $crate::contract::serde_has_deny!($($($sattr)*)*),
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

        impl $crate::contract::Described for $name {
            const SHAPE: $crate::contract::Shape = $crate::contract::Shape::Choice(&$crate::contract::Choice {
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
        $crate::contract::contract! {
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
                    $($field: $crate::contract::read_field!(c, $field, $fty; $($($fattr)*)*),)*
                })
            }
        }
    };
}
pub(crate) use command_struct;

/// Every object of the contract, each once: the commands, the request's meta fields,
/// the reports, the results, and every object nested in them, in that order.
pub fn objects() -> Vec<&'static Object> {
    let mut roots: Vec<&'static Object> = commands().iter().map(|c| c.object).collect();
    roots.push(request_meta());
    roots.extend(reports().iter().filter_map(|r| r.object));
    roots.extend(results());
    let mut out: Vec<&'static Object> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&'static Object> = roots.into_iter().rev().collect();
    while let Some(object) = stack.pop() {
        if !seen.insert(object.name) {
            continue;
        }
        out.push(object);
        let mut nested = Vec::new();
        for field in object.fields {
            nested_objects(&field.shape, &mut nested);
        }
        stack.extend(nested.into_iter().rev());
    }
    out
}

/// Every choice and union used by the contract's objects, each once, in first use.
pub fn named_shapes() -> Vec<Shape> {
    let mut out: Vec<Shape> = Vec::new();
    let mut seen = BTreeSet::new();
    fn walk(shape: &Shape, out: &mut Vec<Shape>, seen: &mut BTreeSet<&'static str>) {
        match shape {
            Shape::Nullable(inner) | Shape::List(inner) | Shape::Table(inner) => walk(inner, out, seen),
            Shape::Choice(choice) if seen.insert(choice.name) => out.push(*shape),
            Shape::Union(union) if seen.insert(union.name) => {
                out.push(*shape);
                for v in union.variants {
                    if let Some(payload) = &v.payload {
                        walk(payload, out, seen);
                    }
                }
            }
            _ => {}
        }
    }
    for object in objects() {
        for field in object.fields {
            walk(&field.shape, &mut out, &mut seen);
        }
    }
    out
}

fn nested_objects(shape: &Shape, out: &mut Vec<&'static Object>) {
    match shape {
        Shape::Nullable(inner) | Shape::List(inner) | Shape::Table(inner) => nested_objects(inner, out),
        Shape::Object(object) => out.push(object),
        Shape::Union(union) => {
            for v in union.variants {
                if let Some(payload) = &v.payload {
                    nested_objects(payload, out);
                }
            }
        }
        _ => {}
    }
}

/// What kind of value a field holds, for bindings that type values by key name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyKind {
    /// A decimal string (or `null`).
    Decimal,
    /// A table of decimal strings.
    DecimalTable,
    /// A date (or `null`).
    Date,
    /// Anything else.
    Other,
}

impl KeyKind {
    /// The kind of a shape.
    pub fn of(shape: &Shape) -> KeyKind {
        match shape.non_null() {
            Shape::Decimal => KeyKind::Decimal,
            Shape::Date => KeyKind::Date,
            Shape::Table(inner) if *inner.non_null() == Shape::Decimal => KeyKind::DecimalTable,
            _ => KeyKind::Other,
        }
    }
}

/// Every field name of the commands and of everything the core returns, with the kinds
/// of value it holds (one kind, as a test checks: bindings type values by name).
pub fn key_kinds() -> BTreeMap<&'static str, BTreeSet<KeyKind>> {
    let mut out: BTreeMap<&'static str, BTreeSet<KeyKind>> = BTreeMap::new();
    for object in objects() {
        for field in object.fields {
            out.entry(field.name).or_default().insert(KeyKind::of(&field.shape));
        }
    }
    out
}

/// The names of the fields of `kind`, sorted: over every command when `commands_only`,
/// else over everything the contract holds.
pub fn keys(kind: KeyKind, commands_only: bool) -> Vec<&'static str> {
    if commands_only {
        let names: BTreeSet<&'static str> = commands()
            .iter()
            .flat_map(|c| c.object.fields)
            .filter(|f| KeyKind::of(&f.shape) == kind)
            .map(|f| f.name)
            .collect();
        names.into_iter().collect()
    } else {
        key_kinds().into_iter().filter(|(_, kinds)| kinds.contains(&kind)).map(|(name, _)| name).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_described_with_its_serde_fields() {
        assert_eq!(commands().len(), crate::command::COMMAND_TYPES.len());
        let receipt = command("record_receipt").unwrap();
        // The declaration's order (the order serde writes and the journal reader reads); a field
        // added later comes after these.
        let names: Vec<&str> = receipt.fields.iter().map(|f| f.name).collect();
        assert_eq!(names[..5], ["agreement", "amount", "received_on", "reference", "currency"]);
        assert!(receipt.strict);
        assert_eq!(receipt.field("received_on").unwrap().shape, Shape::Date);
        assert_eq!(receipt.field("reference").unwrap().shape, Shape::Nullable(&Shape::Text));
        assert!(receipt.field("reference").unwrap().default && receipt.field("reference").unwrap().skipped_when_empty);
        assert!(receipt.doc.contains("record_receipt"));
        // `amount: null` in a transfer is written out (no skip), and may be left out.
        let transfer = command("transfer_balance").unwrap().field("amount").unwrap();
        assert!(transfer.default && !transfer.skipped_when_empty);
        // The allocation's source may be left out, but is not nullable.
        let source = command("allocate").unwrap().field("source").unwrap();
        assert!(source.default && matches!(source.shape, Shape::Union(_)));
    }

    /// Bindings choose Python types by key name: a name must mean one kind of value everywhere.
    #[test]
    fn a_name_holds_one_kind_of_value_everywhere() {
        for (name, kinds) in key_kinds() {
            assert_eq!(kinds.len(), 1, "{name} holds {kinds:?}");
        }
    }

    #[test]
    fn the_generated_key_tables_are_the_contracts() {
        let stale = "stale: run `cargo run -p funding-window-codegen`";
        assert_eq!(DECIMAL_FIELDS, keys(KeyKind::Decimal, true).as_slice(), "{stale}");
        assert_eq!(DECIMAL_TABLE_FIELDS, keys(KeyKind::DecimalTable, true).as_slice(), "{stale}");
        assert_eq!(AMOUNT_KEYS, keys(KeyKind::Decimal, false).as_slice(), "{stale}");
        assert_eq!(AMOUNT_TABLE_KEYS, keys(KeyKind::DecimalTable, false).as_slice(), "{stale}");
        assert_eq!(DATE_KEYS, keys(KeyKind::Date, false).as_slice(), "{stale}");
    }

    #[test]
    fn every_object_is_found_once() {
        let objects = objects();
        let names: BTreeSet<&str> = objects.iter().map(|o| o.name).collect();
        assert_eq!(names.len(), objects.len());
        for name in ["RecordReceipt", "WindowPurpose", "TrackerRow", "WindowBalance", "PreviewLine", "JournalEntry"] {
            assert!(names.contains(name), "{name}");
        }
    }
}
