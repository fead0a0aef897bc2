//! Commands as spreadsheet rows: the columns of each command type, derived from the
//! contract's description, and a row of text cells turned into the command's JSON.
//!
//! Each field of a command is one column, named as the field, in the contract's order,
//! followed by the meta fields (`idempotency_key`, `recorded_by`, `recorded_at`). Cells are
//! text, written as in the JSON but without quotes:
//!
//! | the field holds | the cell holds |
//! |---|---|
//! | text, an id, a currency, a month, a half-year, an amount, a rate | the text (`SE`, `USD`, `2024-03`, `1250.00`) |
//! | a date | `YYYY-MM-DD` |
//! | a whole number | its digits |
//! | `true` / `false` | `true` or `false` |
//! | one of a set of names | the name (`gap_pro_rata`) |
//! | a list of ids | the ids separated by `;` (`2/2;2/9`) |
//! | a table of amounts per resolution | `id=amount` pairs separated by `;` (`2/2=100.00;2/9=50.00`) |
//! | a choice of a name or a name and a value (an allocation's `source`) | the name, or `name:value` (`unallocated`, `earmarked:2/4`), as the allocation log writes it |
//! | a choice of objects (an agreement's `purpose`) | the objects' fields as columns of their own, an `id` named after its variant: `earmarked_to` (the window) or `project` and `resolution` (a project) |
//!
//! An empty cell leaves the field out: a required field's empty cell is refused naming its
//! column, an optional one takes its default. A filled cell in a column that is not the
//! command's is refused (a misspelt header never drops data silently); an empty one is
//! allowed, so that one sheet can hold commands of several types. Values are checked as far as the
//! layout needs (dates, numbers, names, pairs); amounts and everything else are the
//! core's to judge when the command is parsed and applied.
//!
//! ```
//! use funding_window::contract::sheet;
//!
//! let columns = sheet::columns("record_receipt").unwrap();
//! let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
//! assert_eq!(names[..4], ["agreement", "amount", "received_on", "reference"]);
//! let command = sheet::command(
//!     "record_receipt",
//!     &[("agreement", Some("CA-SE-1")), ("amount", Some("5000000.00")), ("received_on", Some("2024-04-02"))],
//! )
//! .unwrap();
//! assert_eq!(command["amount"], "5000000.00");
//! ```

use serde_json::{Map, Value};

use crate::calendar::parse_date;
use crate::contract::{self, Choice, Field, Shape, Union};
use crate::error::LedgerError;

/// What a column's cells hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Text as it is: ids, names, codes, months, half-years, timestamps.
    Text,
    /// A decimal: an amount, a rate, a weight.
    Decimal,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// A whole number.
    Integer,
    /// `true` or `false`.
    Bool,
    /// One name of a fixed set.
    Choice(&'static Choice),
    /// Ids separated by `;`.
    List,
    /// `id=decimal` pairs separated by `;`.
    Table,
    /// A variant's name, or `name:value`.
    Variant(&'static Union),
}

impl CellKind {
    /// The kind's name, as the Python package and the documentation call it.
    pub fn name(self) -> &'static str {
        match self {
            CellKind::Text => "text",
            CellKind::Decimal => "decimal",
            CellKind::Date => "date",
            CellKind::Integer => "integer",
            CellKind::Bool => "bool",
            CellKind::Choice(_) => "choice",
            CellKind::List => "list",
            CellKind::Table => "table",
            CellKind::Variant(_) => "variant",
        }
    }
}

/// One column of a command type's sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Its header (the field's name; a variant's `id` is named after the variant).
    pub name: &'static str,
    /// What its cells hold.
    pub kind: CellKind,
    /// Whether every row must fill it.
    pub required: bool,
    /// The field's documentation.
    pub doc: &'static str,
    /// For a column of a choice of objects (`purpose`): the field holding the choice and the
    /// variant the column belongs to.
    pub variant_of: Option<(&'static str, &'static str)>,
    /// The field's name in the command (or in the variant's object).
    pub field: &'static str,
}

fn kind_of(shape: &Shape) -> Option<CellKind> {
    Some(match shape.non_null() {
        Shape::Text | Shape::Month | Shape::HalfYear | Shape::Currency | Shape::Period => CellKind::Text,
        Shape::Decimal => CellKind::Decimal,
        Shape::Date => CellKind::Date,
        Shape::Integer => CellKind::Integer,
        Shape::Bool => CellKind::Bool,
        Shape::Choice(choice) => CellKind::Choice(choice),
        Shape::List(inner) if matches!(inner.non_null(), Shape::Text) => CellKind::List,
        Shape::Table(inner) if matches!(inner.non_null(), Shape::Decimal) => CellKind::Table,
        Shape::Union(union) if union.variants.iter().all(|v| !matches!(v.payload, Some(Shape::Object(_)))) => {
            CellKind::Variant(union)
        }
        _ => return None,
    })
}

fn column(field: &'static Field, required: bool) -> Option<Column> {
    Some(Column {
        name: field.name,
        kind: kind_of(&field.shape)?,
        required,
        doc: field.doc,
        variant_of: None,
        field: field.name,
    })
}

/// The columns of command type `command`, in order (`None` for an unknown type).
pub fn columns(command: &str) -> Option<Vec<Column>> {
    let object = contract::command(command)?;
    let mut out = Vec::new();
    for field in object.fields {
        match field.shape.non_null() {
            // A choice of objects: the objects' fields, each a column of its own.
            Shape::Union(union) if kind_of(&field.shape).is_none() => {
                for variant in union.variants {
                    let Some(Shape::Object(payload)) = variant.payload else { continue };
                    for inner in payload.fields {
                        let name = if inner.name == "id" { variant.name } else { inner.name };
                        if out.iter().any(|c: &Column| c.name == name) {
                            continue;
                        }
                        if let Some(mut c) = column(inner, false) {
                            c.name = name;
                            c.variant_of = Some((field.name, variant.name));
                            out.push(c);
                        }
                    }
                }
            }
            _ => out.extend(column(field, !field.default)),
        }
    }
    out.extend(contract::request_meta().fields.iter().filter_map(|f| column(f, false)));
    Some(out)
}

/// A cell refused, naming its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// The column.
    pub column: String,
    /// Why, naming the column (`column received_on: "2/5/2024" is not a date YYYY-MM-DD`).
    pub message: String,
}

impl CellError {
    /// The error as the core reports a malformed command: `INVALID_COMMAND`.
    pub fn error(&self) -> LedgerError {
        LedgerError::InvalidCommand { message: self.message.clone() }
    }
}

fn refuse(column: &str, reason: String) -> CellError {
    CellError { column: column.to_owned(), message: format!("column {column}: {reason}") }
}

/// One cell's JSON value by its column's kind (the cell is not empty).
fn value(column: &Column, text: &str) -> Result<Value, CellError> {
    let name = column.name;
    let trimmed = text.trim();
    Ok(match column.kind {
        CellKind::Text | CellKind::Decimal => Value::String(text.to_owned()),
        CellKind::Date => match parse_date(trimmed) {
            Some(_) => Value::String(trimmed.to_owned()),
            None => return Err(refuse(name, format!("{text:?} is not a date YYYY-MM-DD"))),
        },
        CellKind::Integer => match trimmed.parse::<u64>() {
            Ok(n) => Value::from(n),
            Err(_) => return Err(refuse(name, format!("{text:?} is not a whole number"))),
        },
        CellKind::Bool => match trimmed.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(refuse(name, format!("{text:?} is not true or false"))),
        },
        CellKind::Choice(choice) => match choice.values.iter().find(|(v, _)| *v == trimmed) {
            Some((v, _)) => Value::String((*v).to_owned()),
            None => {
                let names: Vec<&str> = choice.values.iter().map(|(v, _)| *v).collect();
                return Err(refuse(name, format!("{text:?} is not one of {}", names.join(", "))));
            }
        },
        CellKind::List => Value::Array(
            trimmed.split(';').map(str::trim).filter(|s| !s.is_empty()).map(|s| Value::String(s.to_owned())).collect(),
        ),
        CellKind::Table => {
            let mut table = Map::new();
            for pair in trimmed.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                let Some((key, amount)) = pair.split_once('=') else {
                    return Err(refuse(name, format!("{pair:?} is not id=amount")));
                };
                if table.insert(key.trim().to_owned(), Value::String(amount.trim().to_owned())).is_some() {
                    return Err(refuse(name, format!("{} is given twice", key.trim())));
                }
            }
            Value::Object(table)
        }
        CellKind::Variant(union) => {
            let (variant, payload) = match trimmed.split_once(':') {
                Some((v, p)) => (v, Some(p)),
                None => (trimmed, None),
            };
            match (union.variants.iter().find(|v| v.name == variant), payload) {
                (Some(v), None) if v.payload.is_none() => Value::String(v.name.to_owned()),
                (Some(v), Some(p)) if v.payload.is_some() => {
                    let mut object = Map::new();
                    object.insert(v.name.to_owned(), Value::String(p.to_owned()));
                    Value::Object(object)
                }
                _ => {
                    let forms: Vec<String> = union
                        .variants
                        .iter()
                        .map(|v| if v.payload.is_some() { format!("{}:VALUE", v.name) } else { v.name.to_owned() })
                        .collect();
                    return Err(refuse(name, format!("{text:?} is not one of {}", forms.join(", "))));
                }
            }
        }
    })
}

/// The JSON of one command of type `command` from a row's cells, each `(column, text)`
/// (`None` or empty text: an empty cell). The command is parsed and applied by the core
/// afterwards, which judges amounts, ids and rules.
pub fn command(command: &str, cells: &[(&str, Option<&str>)]) -> Result<Value, CellError> {
    let Some(columns) = columns(command) else {
        return Err(refuse("type", format!("{command:?} is not a command type")));
    };
    let mut out = Map::new();
    out.insert("type".into(), Value::String(command.to_owned()));
    // The choice-of-objects fields being filled: field -> (variant, its object).
    let mut variants: Vec<(&'static str, &'static str, Map<String, Value>, &'static str)> = Vec::new();
    for (name, text) in cells {
        let Some(text) = text.filter(|t| !t.trim().is_empty()) else { continue };
        let Some(column) = columns.iter().find(|c| c.name == *name) else {
            if *name == "type" {
                continue;
            }
            let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
            return Err(refuse(name, format!("not a column of {command} (its columns: {})", names.join(", "))));
        };
        let value = value(column, text)?;
        match column.variant_of {
            None => {
                out.insert(column.field.to_owned(), value);
            }
            Some((field, variant)) => match variants.iter_mut().find(|(f, ..)| *f == field) {
                Some((_, chosen, object, _)) if *chosen == variant => {
                    object.insert(column.field.to_owned(), value);
                }
                Some((_, _, _, first)) => {
                    return Err(refuse(
                        name,
                        format!("{name} and {first} describe different kinds of {field}: fill the columns of one"),
                    ));
                }
                None => {
                    let mut object = Map::new();
                    object.insert(column.field.to_owned(), value);
                    variants.push((field, variant, object, column.name));
                }
            },
        }
    }
    for column in &columns {
        if column.required && !out.contains_key(column.field) {
            return Err(refuse(column.name, format!("{command} needs a value here")));
        }
    }
    // Every choice of objects: the variant filled, or the one whose fields may all be empty.
    let object = contract::command(command).map(|o| o.fields).unwrap_or_default();
    for field in object {
        let Shape::Union(union) = field.shape.non_null() else { continue };
        if kind_of(&field.shape).is_some() {
            continue;
        }
        let (variant, mut filled) = match variants.iter().position(|(f, ..)| *f == field.name) {
            Some(i) => {
                let (_, variant, object, _) = variants.swap_remove(i);
                (variant, object)
            }
            None => match union.variants.iter().find(|v| empty_variant(v.payload)) {
                Some(v) => (v.name, Map::new()),
                None if field.default => continue,
                None => return Err(refuse(field.name, format!("{command} needs its {} columns", field.name))),
            },
        };
        if let Some(Shape::Object(payload)) = union.variants.iter().find(|v| v.name == variant).and_then(|v| v.payload)
        {
            for inner in payload.fields {
                if filled.contains_key(inner.name) {
                    continue;
                }
                match inner.shape.non_null() {
                    Shape::List(_) => {
                        filled.insert(inner.name.to_owned(), Value::Array(Vec::new()));
                    }
                    _ if inner.default || matches!(inner.shape, Shape::Nullable(_)) => {}
                    _ => {
                        let name = if inner.name == "id" { variant } else { inner.name };
                        return Err(refuse(name, format!("a {variant} {} needs a value here", field.name)));
                    }
                }
            }
        }
        let mut choice = Map::new();
        choice.insert(variant.to_owned(), Value::Object(filled));
        out.insert(field.name.to_owned(), Value::Object(choice));
    }
    Ok(Value::Object(out))
}

/// Whether a variant's object may be given with every field empty (its fields are lists).
fn empty_variant(payload: Option<Shape>) -> bool {
    match payload {
        Some(Shape::Object(object)) => object.fields.iter().all(|f| matches!(f.shape.non_null(), Shape::List(_))),
        _ => false,
    }
}

/// The column a command field (as an error names it: `amount`, `purpose.project.id`) is read
/// from, in the sheet of `command`.
pub fn column_of_field(command: &str, field: &str) -> Option<&'static str> {
    let columns = columns(command)?;
    let last = field.rsplit('.').next().unwrap_or(field);
    let variant = field.split('.').nth(1);
    columns
        .iter()
        .find(|c| match c.variant_of {
            None => c.field == field,
            Some((_, v)) => Some(v) == variant && c.field == last,
        })
        .map(|c| c.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(command: &str) -> Vec<&'static str> {
        columns(command).unwrap().iter().map(|c| c.name).collect()
    }

    #[test]
    fn a_choice_of_objects_becomes_the_columns_of_its_objects() {
        let names = names("sign_agreement");
        assert!(names.contains(&"earmarked_to") && names.contains(&"project") && names.contains(&"resolution"));
        assert!(!names.contains(&"purpose") && names.ends_with(&["idempotency_key", "recorded_by", "recorded_at"]));
        let cells = |extra: &[(&'static str, Option<&'static str>)]| {
            let mut cells = vec![
                ("id", Some("CA-1")),
                ("donor", Some("NO")),
                ("currency", Some("USD")),
                ("amount", Some("900000.00")),
                ("signed_on", Some("2024-02-01")),
                ("psc_rate", Some("0.07")),
                ("elective_transfer", Some("FALSE")),
            ];
            cells.extend_from_slice(extra);
            cells
        };
        let window = command("sign_agreement", &cells(&[("earmarked_to", Some("2/2; 2/9"))])).unwrap();
        assert_eq!(window["purpose"], serde_json::json!({"window": {"earmarked_to": ["2/2", "2/9"]}}));
        assert_eq!(window["elective_transfer"], Value::Bool(false));
        let unearmarked = command("sign_agreement", &cells(&[])).unwrap();
        assert_eq!(unearmarked["purpose"], serde_json::json!({"window": {"earmarked_to": []}}));
        let project =
            command("sign_agreement", &cells(&[("project", Some("P-1")), ("resolution", Some("2/6"))])).unwrap();
        assert_eq!(project["purpose"], serde_json::json!({"project": {"id": "P-1", "resolution": "2/6"}}));
        let half = command("sign_agreement", &cells(&[("project", Some("P-1"))])).unwrap_err();
        assert_eq!(half.column, "resolution");
        let both =
            command("sign_agreement", &cells(&[("earmarked_to", Some("2/2")), ("project", Some("P-1"))])).unwrap_err();
        assert_eq!(both.column, "project");
    }

    #[test]
    fn cells_are_read_by_their_kind_and_refused_naming_their_column() {
        let allocate = command(
            "allocate",
            &[
                ("id", Some("EB-1")),
                ("decided_on", Some("2024-11-01")),
                ("amount", Some("300.00")),
                ("policy", Some("explicit")),
                ("source", Some("earmarked:2/4")),
                ("shares", Some("2/4=300.00")),
                ("resolutions", None),
            ],
        )
        .unwrap();
        assert_eq!(allocate["source"], serde_json::json!({"earmarked": "2/4"}));
        assert_eq!(allocate["shares"], serde_json::json!({"2/4": "300.00"}));
        assert!(allocate.get("resolutions").is_none());
        let unallocated = command(
            "allocate",
            &[
                ("id", Some("EB-2")),
                ("decided_on", Some("2024-11-01")),
                ("amount", Some("1.00")),
                ("policy", Some("equal")),
                ("source", Some("unallocated")),
            ],
        )
        .unwrap();
        assert_eq!(unallocated["source"], "unallocated");
        for (column, text) in
            [("decided_on", "01/11/2024"), ("policy", "half"), ("source", "earmarked"), ("shares", "2/4:300.00")]
        {
            let mut cells = vec![
                ("id", Some("EB-3")),
                ("decided_on", Some("2024-11-01")),
                ("amount", Some("1.00")),
                ("policy", Some("equal")),
            ];
            cells.retain(|(c, _)| *c != column);
            cells.push((column, Some(text)));
            let error = command("allocate", &cells).unwrap_err();
            assert_eq!(error.column, column, "{text}");
            assert_eq!(error.error().code(), "INVALID_COMMAND");
            assert!(error.error().to_string().contains(&format!("column {column}:")), "{}", error.message);
        }
        let missing = command("allocate", &[("id", Some("EB-4")), ("amount", Some("1.00"))]).unwrap_err();
        assert_eq!(missing.column, "decided_on");
        let unknown = command("record_receipt", &[("refrence", Some("x"))]).unwrap_err();
        assert_eq!(unknown.column, "refrence");
        assert_eq!(
            command("reverse", &[("entry", Some("12")), ("on", Some("2024-12-01")), ("reason", Some("x"))]).unwrap()
                ["entry"],
            12
        );
    }

    #[test]
    fn every_command_has_a_column_for_every_field() {
        for info in contract::commands() {
            let columns = columns(info.name).unwrap();
            for field in info.object.fields {
                let found =
                    columns.iter().any(|c| c.field == field.name || c.variant_of.map(|v| v.0) == Some(field.name));
                assert!(found, "{}.{}", info.name, field.name);
            }
        }
        assert_eq!(column_of_field("sign_agreement", "purpose.project.id"), Some("project"));
        assert_eq!(column_of_field("record_receipt", "amount"), Some("amount"));
    }
}
