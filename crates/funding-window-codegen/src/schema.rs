//! JSON Schema (draft 2020-12) of the contract (`contract/schema.json`): every command (the
//! schema validates one command request), and under `$defs` every object, choice and union
//! of commands, reports and results, plus each error's details. `x-reports` lists the
//! reports with their arguments; `x-errors` the error codes. An HTTP service's OpenAPI
//! document can refer to these definitions.

use std::collections::BTreeSet;

use funding_window::contract::{self, Field, Object, Rule, Shape};
use serde_json::{json, Map, Value};

use crate::docs;

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/$defs/{name}") })
}

fn schema_of(shape: &Shape, alias: Option<&str>) -> Value {
    match shape {
        Shape::Text => alias.map_or_else(|| json!({"type": "string"}), reference),
        Shape::Bool => json!({"type": "boolean"}),
        Shape::Integer => json!({"type": "integer", "minimum": 0}),
        Shape::Decimal => reference("DecimalString"),
        Shape::Date => reference("IsoDate"),
        Shape::Month => reference("IsoMonth"),
        Shape::HalfYear => reference("HalfYear"),
        Shape::Period => reference("ReportingPeriod"),
        Shape::Currency => reference("CurrencyCode"),
        Shape::Command => reference("Command"),
        Shape::Cell => json!({"type": ["string", "number", "boolean", "null"]}),
        Shape::Choice(choice) => reference(choice.name),
        Shape::Union(union) => reference(union.name),
        Shape::Object(object) => reference(object.name),
        Shape::List(inner) => json!({"type": "array", "items": schema_of(inner, alias)}),
        Shape::Table(inner) => json!({"type": "object", "additionalProperties": schema_of(inner, alias)}),
        Shape::Nullable(inner) => json!({"anyOf": [schema_of(inner, alias), {"type": "null"}]}),
    }
}

fn described(mut schema: Value, doc: &str) -> Value {
    let text = docs::text(doc);
    if !text.is_empty() {
        if let Value::Object(map) = &mut schema {
            map.insert("description".into(), text.into());
        }
    }
    schema
}

/// An object's schema; `input` objects require what may not be left out, outputs what is always written.
fn object_schema(object: &Object, type_name: Option<&str>, extra: &[&Field], input: bool) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    if let Some(t) = type_name {
        properties.insert("type".into(), json!({"const": t}));
        required.push(json!("type"));
    }
    for field in object.fields.iter().chain(extra.iter().copied()) {
        properties.insert(field.name.into(), described(schema_of(&field.shape, docs::alias(field)), field.doc));
        let may_be_absent = if input { field.default } else { field.skipped_when_empty };
        if !may_be_absent {
            required.push(json!(field.name));
        }
    }
    let mut schema = json!({"type": "object", "properties": properties, "required": required});
    if object.strict || input {
        schema["additionalProperties"] = json!(false);
    }
    let mut all_of = Vec::new();
    for rule in object.rules {
        match rule {
            Rule::ExactlyOne(names) => {
                let forms: Vec<Value> = names
                    .iter()
                    .map(|given| {
                        let mut not_null = Map::new();
                        not_null.insert((*given).into(), json!({"not": {"type": "null"}}));
                        json!({"required": [given], "properties": not_null})
                    })
                    .collect();
                all_of.push(json!({"oneOf": forms}));
            }
            Rule::GivenWhen { field, equals, then } => {
                let mut is = Map::new();
                is.insert((*field).into(), json!({"const": equals}));
                let mut given = Map::new();
                given.insert((*then).into(), json!({"not": {"type": "null"}}));
                let mut absent = Map::new();
                absent.insert((*then).into(), json!({"type": "null"}));
                all_of.push(json!({
                    "if": {"properties": is, "required": [field]},
                    "then": {"required": [then], "properties": given},
                    "else": {"properties": absent},
                }));
            }
        }
    }
    if !all_of.is_empty() {
        schema["allOf"] = Value::Array(all_of);
    }
    described(schema, object.doc)
}

fn primitives(defs: &mut Map<String, Value>) {
    let mut put = |name: &str, schema: Value| {
        defs.insert(name.into(), schema);
    };
    put(
        "DecimalString",
        json!({"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?$",
               "description": "An exact decimal as text (\"1250000.00\"); never a JSON number."}),
    );
    put("IsoDate", json!({"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}));
    put("IsoMonth", json!({"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}));
    put(
        "HalfYear",
        json!({"type": "string", "pattern": "^[0-9]{4}-H[12]$", "description": "A half-year: what close_period locks."}),
    );
    put(
        "ReportingPeriod",
        json!({
            "description": "A year, half, quarter or month, or an inclusive range of dates.",
            "oneOf": [
                {"type": "string", "pattern": "^[0-9]{4}(-H[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$"},
                {"type": "object", "properties": {"from": {"$ref": "#/$defs/IsoDate"}, "to": {"$ref": "#/$defs/IsoDate"}},
                 "required": ["from", "to"], "additionalProperties": false}
            ]
        }),
    );
    for (name, doc) in contract::ALIASES {
        put(name, json!({"type": "string", "description": docs::text(doc)}));
    }
}

/// The text of `schema.json`.
pub fn schema() -> String {
    let mut defs = Map::new();
    primitives(&mut defs);
    for shape in contract::named_shapes() {
        match shape {
            Shape::Choice(choice) => {
                let values: Vec<&str> = choice.values.iter().map(|v| v.0).collect();
                defs.insert(choice.name.into(), described(json!({"enum": values}), choice.doc));
            }
            Shape::Union(union) => {
                let forms: Vec<Value> = union
                    .variants
                    .iter()
                    .map(|v| match &v.payload {
                        None => described(json!({"const": v.name}), v.doc),
                        Some(payload) => {
                            let mut properties = Map::new();
                            properties.insert(v.name.into(), schema_of(payload, None));
                            described(
                                json!({"type": "object", "properties": properties, "required": [v.name], "additionalProperties": false}),
                                v.doc,
                            )
                        }
                    })
                    .collect();
                defs.insert(union.name.into(), described(json!({"oneOf": forms}), union.doc));
            }
            _ => {}
        }
    }
    let meta = contract::request_meta();
    let meta_fields: Vec<&Field> = meta.fields.iter().collect();
    let command_names: BTreeSet<&str> = contract::commands().iter().map(|c| c.object.name).collect();
    let mut requests = Vec::new();
    let mut commands = Vec::new();
    for c in contract::commands() {
        defs.insert(c.object.name.into(), object_schema(c.object, Some(c.name), &[], true));
        defs.insert(format!("{}Request", c.object.name), object_schema(c.object, Some(c.name), &meta_fields, true));
        commands.push(reference(c.object.name));
        requests.push(reference(&format!("{}Request", c.object.name)));
    }
    defs.insert(
        "Command".into(),
        json!({"description": "A command of the contract (discriminated by `type`).", "oneOf": commands}),
    );
    let inputs: BTreeSet<&str> = contract::commands()
        .iter()
        .flat_map(|c| c.object.fields)
        .filter_map(|f| match f.shape.non_null() {
            Shape::Union(u) => Some(u.variants.iter().filter_map(|v| v.payload).collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .filter_map(|s| match s {
            Shape::Object(o) => Some(o.name),
            _ => None,
        })
        .collect();
    for object in contract::objects() {
        if command_names.contains(object.name) || object.name == meta.name {
            continue;
        }
        defs.insert(object.name.into(), object_schema(object, None, &[], inputs.contains(object.name)));
    }
    let mut reports = Map::new();
    for r in contract::reports() {
        let mut args = Map::new();
        for a in r.args {
            args.insert(a.name.into(), described(schema_of(&a.shape, None), a.doc));
        }
        let result = r.object.map_or(Value::Null, |o| reference(o.name));
        reports.insert(r.name.into(), json!({"arguments": args, "result": result}));
    }
    let mut errors = Vec::new();
    for e in contract::errors() {
        let mut properties = Map::new();
        properties.insert("code".into(), json!({"const": e.code}));
        properties.insert("message".into(), json!({"type": "string"}));
        let mut required = vec![json!("code"), json!("message")];
        for f in e.fields.iter().filter(|f| f.name != "message") {
            properties.insert(f.name.into(), described(schema_of(&f.shape, docs::alias(f)), f.doc));
            required.push(json!(f.name));
        }
        let name = format!("{}Error", e.variant);
        defs.insert(
            name.clone(),
            described(json!({"type": "object", "properties": properties, "required": required}), e.doc),
        );
        errors.push(reference(&name));
    }
    defs.insert(
        "LedgerError".into(),
        json!({"description": "An error: its code, message and fields.", "oneOf": errors}),
    );
    let codes: Vec<&str> = contract::errors().iter().map(|e| e.code).collect();
    let document = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "funding-window command",
        "description": format!("{} One command request of the funding-window contract; every object, report, result and error is under $defs.", crate::GENERATED),
        "oneOf": requests,
        "x-reports": reports,
        "x-errors": codes,
        "$defs": defs,
    });
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}
