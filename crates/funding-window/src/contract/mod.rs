//! The contract described as data: every command, request field, report, result and
//! error, with its fields, their JSON shapes and their documentation.
//!
//! The types of the contract are declared once, in the module of the thing they
//! govern, through the `contract!` family of macros (in `describe`, beneath every module
//! that declares a type; this module is the catalogue above them): the macro emits the
//! Rust type exactly as written (serde attributes and all) together with its description
//! ([`Described::SHAPE`]) and, for commands, the journal's direct reader. Nothing else
//! lists fields: the bindings' key tables ([`DECIMAL_FIELDS`], the Python binding's amount
//! and date keys), the TypeScript declarations, the Python error classes and `TypedDict`s
//! and the JSON Schema (`contract/schema.json`) are written from these descriptions by
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
pub(crate) mod describe;
pub(crate) mod keys;
pub(crate) mod reading;
pub mod sheet;
pub(crate) mod strict;

pub use self::keys::{AMOUNT_KEYS, AMOUNT_TABLE_KEYS, DATE_KEYS, DECIMAL_FIELDS, DECIMAL_TABLE_FIELDS};

use std::collections::{BTreeMap, BTreeSet};

pub use self::describe::{
    Choice, CommandInfo, CurrencyCode, Described, ErrorInfo, Field, Hash, Object, ReportInfo, Rule, Shape, Timestamp,
    Union, Variant, ALIASES,
};

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
