//! The TypeScript declarations of the contract (`bindings/wasm/src/contract.d.ts`), appended
//! by wasm-bindgen to the package's `funding_window.d.ts` with the hand-written `api.d.ts`.

use std::collections::BTreeSet;
use std::fmt::Write;

use funding_window::contract::{self, Field, Object, Rule, Shape};

use crate::docs;

/// The primitive names every declaration uses.
const PRELUDE: &str = r#"/** An exact decimal as text: `"1250000.00"`, `"10.4512"`. Never a JS number. */
export type DecimalString = string;
/** A calendar date, `"YYYY-MM-DD"`. */
export type IsoDate = string;
/** A month, `"YYYY-MM"` (UNORE rates are monthly). */
export type IsoMonth = string;
/** A half-year, `"2024-H1"` or `"2024-H2"`: what `close_period` locks. */
export type HalfYear = string;
/** A named reporting period: a year `"2024"`, a half `"2024-H2"`, a quarter `"2024-Q3"` or a month `"2024-07"`. */
export type PeriodId = string;
/** An inclusive range of dates. */
export interface DateRange {
  from: IsoDate;
  to: IsoDate;
}
/** What reports take and show as their period: a named period or an inclusive date range. */
export type ReportingPeriod = PeriodId | DateRange;
/** A cell of a report's table: text, decimals and dates as strings, whole numbers, booleans, or `null`. */
export type Cell = string | number | boolean | null;
"#;

fn comment(out: &mut String, indent: &str, doc: &str) {
    let text = docs::text(doc);
    if text.is_empty() {
        return;
    }
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() == 1 {
        let _ = writeln!(out, "{indent}/** {} */", lines[0].replace("*/", "* /"));
    } else {
        let _ = writeln!(out, "{indent}/**");
        for line in lines {
            let _ = writeln!(out, "{indent} *{}{}", if line.is_empty() { "" } else { " " }, line.replace("*/", "* /"));
        }
        let _ = writeln!(out, "{indent} */");
    }
}

/// The TypeScript type of a shape; `alias` names a text leaf.
fn ts(shape: &Shape, alias: Option<&str>) -> String {
    match shape {
        Shape::Text => alias.unwrap_or("string").to_owned(),
        Shape::Bool => "boolean".into(),
        Shape::Integer => "number".into(),
        Shape::Decimal => "DecimalString".into(),
        Shape::Date => "IsoDate".into(),
        Shape::Month => "IsoMonth".into(),
        Shape::HalfYear => "HalfYear".into(),
        Shape::Period => "ReportingPeriod".into(),
        Shape::Currency => "CurrencyCode".into(),
        Shape::Command => "Command".into(),
        Shape::Cell => "Cell".into(),
        Shape::Choice(choice) => choice.name.into(),
        Shape::Union(union) => union.name.into(),
        Shape::Object(object) => object.name.into(),
        Shape::List(inner) => {
            let t = ts(inner, alias);
            if t.contains(' ') {
                format!("({t})[]")
            } else {
                format!("{t}[]")
            }
        }
        Shape::Table(inner) => format!("Record<string, {}>", ts(inner, alias)),
        Shape::Nullable(inner) => format!("{} | null", ts(inner, alias)),
    }
}

fn field_type(field: &Field) -> String {
    ts(&field.shape, docs::alias(field))
}

fn field_line(out: &mut String, field: &Field, optional: bool) {
    comment(out, "  ", field.doc);
    let _ = writeln!(out, "  {}{}: {};", field.name, if optional { "?" } else { "" }, field_type(field));
}

/// The objects commands are made of (inputs: a field is optional when it may be left out).
fn input_objects() -> BTreeSet<&'static str> {
    let mut names = BTreeSet::new();
    let mut stack: Vec<&'static Object> = contract::commands().iter().map(|c| c.object).collect();
    stack.push(contract::request_meta());
    while let Some(object) = stack.pop() {
        if names.insert(object.name) {
            for field in object.fields {
                nested(&field.shape, &mut stack);
            }
        }
    }
    names
}

fn nested(shape: &Shape, out: &mut Vec<&'static Object>) {
    match shape {
        Shape::Nullable(inner) | Shape::List(inner) | Shape::Table(inner) => nested(inner, out),
        Shape::Object(object) => out.push(object),
        Shape::Union(union) => {
            for v in union.variants {
                if let Some(payload) = &v.payload {
                    nested(payload, out);
                }
            }
        }
        _ => {}
    }
}

/// An interface of `fields`; `input` objects mark what may be left out, outputs what may be absent.
fn interface(out: &mut String, name: &str, doc: &str, type_name: Option<&str>, fields: &[&Field], input: bool) {
    comment(out, "", doc);
    let _ = writeln!(out, "export interface {name} {{");
    if let Some(t) = type_name {
        let _ = writeln!(out, "  type: \"{t}\";");
    }
    for field in fields {
        field_line(out, field, if input { field.default } else { field.skipped_when_empty });
    }
    let _ = writeln!(out, "}}\n");
}

/// A command: an interface, or (with rules between fields) the interface of the other fields
/// and a union that spells each allowed combination.
fn command(out: &mut String, name: &str, object: &Object) {
    if object.rules.is_empty() {
        let fields: Vec<&Field> = object.fields.iter().collect();
        interface(out, object.name, object.doc, Some(name), &fields, true);
        return;
    }
    let mut involved = BTreeSet::new();
    for rule in object.rules {
        match rule {
            Rule::ExactlyOne(names) => involved.extend(names.iter().copied()),
            Rule::GivenWhen { field, then, .. } => {
                involved.insert(*field);
                involved.insert(*then);
            }
        }
    }
    let base = format!("{}Fields", object.name);
    let rest: Vec<&Field> = object.fields.iter().filter(|f| !involved.contains(f.name)).collect();
    interface(out, &base, &format!(" The fields of `{name}` that every form of it has.\n"), Some(name), &rest, true);
    let mut parts = vec![base];
    let field = |n: &str| object.field(n).unwrap_or_else(|| panic!("{}: no field {n}", object.name));
    for union in rule_unions(object, &field) {
        parts.push(format!("(\n  | {}\n)", union.join("\n  | ")));
    }
    comment(out, "", object.doc);
    let _ = writeln!(out, "export type {} = {};\n", object.name, parts.join(" & "));
}

/// Each rule group as the object types of its allowed forms.
fn rule_unions(object: &Object, field: &dyn Fn(&str) -> &'static Field) -> Vec<Vec<String>> {
    let mut unions = Vec::new();
    let mut given_when: Vec<(&str, &str, &str)> = Vec::new();
    for rule in object.rules {
        match rule {
            Rule::ExactlyOne(names) => unions.push(
                names
                    .iter()
                    .map(|given| {
                        let parts: Vec<String> = names
                            .iter()
                            .map(|n| {
                                let f = field(n);
                                if n == given {
                                    format!("{n}: {}", ts(f.shape.non_null(), docs::alias(f)))
                                } else {
                                    format!("{n}?: null")
                                }
                            })
                            .collect();
                        format!("{{ {} }}", parts.join("; "))
                    })
                    .collect(),
            ),
            Rule::GivenWhen { field, equals, then } => given_when.push((field, equals, then)),
        }
    }
    let discriminants: BTreeSet<&str> = given_when.iter().map(|g| g.0).collect();
    for discriminant in discriminants {
        let rules: Vec<&(&str, &str, &str)> = given_when.iter().filter(|g| g.0 == discriminant).collect();
        let thens: Vec<&str> = rules.iter().map(|g| g.2).collect();
        let values: Vec<&str> = match field(discriminant).shape.non_null() {
            Shape::Choice(choice) => choice.values.iter().map(|v| v.0).collect(),
            other => panic!("{}: {discriminant} is a rule's discriminant but not a choice ({other:?})", object.name),
        };
        let mut forms = Vec::new();
        let members = |given: Option<&str>| -> String {
            thens
                .iter()
                .map(|t| {
                    let f = field(t);
                    if Some(*t) == given {
                        format!("{t}: {}", ts(f.shape.non_null(), docs::alias(f)))
                    } else {
                        format!("{t}?: null")
                    }
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        for (_, equals, then) in &rules {
            forms.push(format!("{{ {discriminant}: \"{equals}\"; {} }}", members(Some(then))));
        }
        let others: Vec<String> =
            values.iter().filter(|v| !rules.iter().any(|r| r.1 == **v)).map(|v| format!("\"{v}\"")).collect();
        if !others.is_empty() {
            forms.push(format!("{{ {discriminant}: {}; {} }}", others.join(" | "), members(None)));
        }
        unions.push(forms);
    }
    unions
}

/// The text of `contract.d.ts`.
pub fn declarations() -> String {
    let mut out = format!(
        "// {}\n//\n// The JSON contract of the funding window as TypeScript types: commands, results, reports and\n// errors. Amounts, rates and weights are decimal strings, never numbers: a JS number where a\n// decimal string belongs is refused (INVALID_COMMAND), never converted. Dates are ISO strings.\n// The methods of the package and their argument types are in `api.d.ts`.\n\n",
        crate::GENERATED
    );
    out.push_str(PRELUDE);
    for (name, doc) in contract::ALIASES {
        comment(&mut out, "", doc);
        let _ = writeln!(out, "export type {name} = string;");
    }
    out.push('\n');

    for shape in contract::named_shapes() {
        match shape {
            Shape::Choice(choice) => {
                comment(&mut out, "", choice.doc);
                let values: Vec<String> = choice.values.iter().map(|(v, _)| format!("\"{v}\"")).collect();
                let _ = writeln!(out, "export type {} = {};\n", choice.name, values.join(" | "));
            }
            Shape::Union(union) => {
                comment(&mut out, "", union.doc);
                let variants: Vec<String> = union
                    .variants
                    .iter()
                    .map(|v| match &v.payload {
                        None => format!("\"{}\"", v.name),
                        Some(payload) => format!("{{ {}: {} }}", v.name, ts(payload, None)),
                    })
                    .collect();
                let _ = writeln!(out, "export type {} = {};\n", union.name, variants.join(" | "));
            }
            _ => {}
        }
    }

    out.push_str("// ----- Commands -----\n\n");
    let meta = contract::request_meta();
    interface(&mut out, meta.name, meta.doc, None, &meta.fields.iter().collect::<Vec<_>>(), true);
    for c in contract::commands() {
        command(&mut out, c.name, c.object);
    }
    let names: Vec<&str> = contract::commands().iter().map(|c| c.object.name).collect();
    out.push_str("/** A command of the contract, as stored in the journal (discriminated on `type`). */\n");
    let _ = writeln!(out, "export type Command =\n  | {};\n", names.join("\n  | "));
    out.push_str("/** Every `type` of the contract. */\nexport type CommandType = Command[\"type\"];\n\n");
    out.push_str("/** What `apply` and `applyBatch` take: a command with the optional meta fields. */\nexport type CommandRequest = Command & RequestMeta;\n\n");
    out.push_str("/** What `previewAllocation` takes. */\nexport type AllocateRequest = Allocate & RequestMeta;\n\n");

    out.push_str("// ----- Results and reports (the core's JSON, byte for byte in the ...Json() variants) -----\n\n");
    let inputs = input_objects();
    for object in contract::objects() {
        if inputs.contains(object.name) {
            if contract::commands().iter().any(|c| c.object.name == object.name) || object.name == meta.name {
                continue;
            }
            // Parts of commands (a purpose): as inputs.
            interface(&mut out, object.name, object.doc, None, &object.fields.iter().collect::<Vec<_>>(), true);
            continue;
        }
        interface(&mut out, object.name, object.doc, None, &object.fields.iter().collect::<Vec<_>>(), false);
    }

    out.push_str("// ----- Reports by name (exportCsv, reportTable) -----\n\n");
    let reports: Vec<String> = contract::reports().iter().map(|r| format!("\"{}\"", r.name)).collect();
    out.push_str(
        "/** The reports `exportCsv` and `reportTable` take; `csvReports()` returns the same list at run time. */\n",
    );
    let _ = writeln!(out, "export type CsvReportName =\n  | {};\n", reports.join("\n  | "));
    out.push_str(
        "/**\n * Arguments of the reports, as the conformance scenarios name them (each report takes its own:\n",
    );
    for r in contract::reports() {
        let args: Vec<&str> = r.args.iter().map(|a| a.name).collect();
        let _ = writeln!(out, " * `{}`: {}", r.name, if args.is_empty() { "none".to_owned() } else { args.join(", ") });
    }
    out.push_str(
        " * ). An argument the report does not take is `INVALID_ARGUMENT`.\n */\nexport interface CsvArgs {\n",
    );
    let mut seen = BTreeSet::new();
    for arg in contract::reports().iter().flat_map(|r| r.args) {
        if seen.insert(arg.name) {
            field_line(&mut out, arg, true);
        }
    }
    out.push_str("}\n\n");

    out.push_str("// ----- Errors -----\n\n");
    let mut variants = Vec::new();
    for e in contract::errors() {
        let name = format!("{}Error", e.variant);
        comment(&mut out, "", e.doc);
        let _ = writeln!(
            out,
            "export interface {name} {{\n  code: \"{}\";\n  /** The core's message. */\n  message: string;",
            e.code
        );
        for field in e.fields.iter().filter(|f| f.name != "message") {
            field_line(&mut out, field, false);
        }
        out.push_str("}\n\n");
        variants.push(name);
    }
    out.push_str("/** The fields of each error, by code (`details` of a LedgerError). */\n");
    let _ = writeln!(out, "export type LedgerErrorDetails =\n  | {};\n", variants.join("\n  | "));
    out.push_str("/** Every error code; `errorCodes()` returns the same list at run time. */\nexport type ErrorCode = LedgerErrorDetails[\"code\"];\n");
    out
}
