//! The Python package's generated parts: `contract.py` (`TypedDict`s), `_commands.py` (the
//! `Ledger`'s keyword methods) and the error classes of `errors.py` and `__init__.py`.

use std::collections::BTreeSet;
use std::fmt::Write;

use funding_window::contract::{self, Field, Object, Shape};

use crate::docs;

/// Optional fields that the keyword methods take positionally, after the required ones
/// (`ledger.record_receipt("CA-1", amount, "2024-04-02", "bank ref")`). Every other
/// optional field, and every field added later, is keyword-only.
const POSITIONAL_OPTIONAL: &[(&str, &str)] = &[
    ("register_resolution", "status"),
    ("set_rate", "source"),
    ("set_requirement", "effective_on"),
    ("record_receipt", "reference"),
    ("transfer_balance", "amount"),
    ("refund_balance", "amount"),
    ("allocate", "resolutions"),
];

/// The helpers of `_commands.py` that check the arguments a command's dict is made of: a
/// list or a table argument of the wrong Python type, and `sign_agreement`'s purpose given
/// both ways, are `ArgumentTypeError` (made by the native module, so the message is the
/// core's `INVALID_ARGUMENT`).
const PYTHON_ARGUMENT_HELPERS: &str = r#"def _list_arg(name: str, value: Optional[Sequence[Any]], expected: str) -> Optional[List[Any]]:
    """A sequence argument (``earmarked_to``, ``resolutions``) as a list; ``None`` stays ``None``.

    A ``str`` is refused rather than split into characters (``"2/4"`` is not ``["2", "/", "4"]``),
    and so are bytes, mappings and sets (unordered): :class:`~funding_window.ArgumentTypeError`.
    """
    if value is None:
        return None
    refused = (str, bytes, bytearray, memoryview, _Mapping, set, frozenset)
    if isinstance(value, refused) or not isinstance(value, _Iterable):
        raise _native.argument_error(name, type(value).__name__, f"expected {expected}, not {type(value).__name__}", True)
    try:
        return list(value)
    except Exception as err:  # noqa: BLE001 - the iterable's own failure, kept as the cause
        raise _native.argument_error(name, type(value).__name__, f"reading it raised {type(err).__name__}: {err}") from err


def _dict_arg(name: str, value: Optional[Mapping[str, Any]], expected: str) -> Optional[Dict[str, Any]]:
    """A table argument (``shares``, ``weights``) as a dict; anything but a mapping is refused."""
    if value is None:
        return None
    if not isinstance(value, _Mapping):
        raise _native.argument_error(name, type(value).__name__, f"expected {expected}, not {type(value).__name__}", True)
    try:
        return dict(value)
    except Exception as err:  # noqa: BLE001 - the mapping's own failure, kept as the cause
        raise _native.argument_error(name, type(value).__name__, f"reading it raised {type(err).__name__}: {err}") from err


def _purpose(earmarked_to: Optional[Sequence[str]], project: Optional[str], resolution: Optional[str]) -> Dict[str, Any]:
    """``sign_agreement``'s purpose from its keyword arguments."""
    earmarks = _list_arg("earmarked_to", earmarked_to, "a list of resolution ids")
    if project is not None:
        if earmarks:
            raise _native.argument_error(
                "earmarked_to", "a list", "earmarked_to is for window contributions; a project agreement funds one project", True
            )
        return {"project": {"id": project, "resolution": resolution}}
    if resolution is not None:
        raise _native.argument_error(
            "resolution", "given without project",
            "resolution goes with project; a window contribution is earmarked with earmarked_to", True
        )
    return {"window": {"earmarked_to": earmarks or []}}


"#;

/// Python keywords, which a `TypedDict` class cannot have as fields.
const KEYWORDS: &[&str] = &["from", "class", "def", "import", "global", "lambda", "pass", "return", "in", "is"];

fn header(title: &str, body: &str) -> String {
    format!("# {}\n\"\"\"{title}\n\n{body}\n\"\"\"\n", crate::GENERATED)
}

/// A docstring of `indent`, from a Rust doc comment plus extra paragraphs.
fn docstring(out: &mut String, indent: &str, doc: &str, extra: &[String]) {
    let mut text = docs::reflowed(doc).replace('\\', "\\\\").replace("\"\"\"", "'''");
    for e in extra {
        text.push_str("\n\n");
        text.push_str(e);
    }
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() == 1 {
        let _ = writeln!(out, "{indent}\"\"\"{}\"\"\"", lines[0]);
    } else {
        let _ = writeln!(out, "{indent}\"\"\"{}", lines[0]);
        for line in &lines[1..] {
            if line.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "{indent}{line}");
            }
        }
        let _ = writeln!(out, "{indent}\"\"\"");
    }
}

/// How a value is typed: in a command (what may be given) or in a result (what arrives).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Input,
    Output,
}

fn py(shape: &Shape, side: Side) -> String {
    match (shape, side) {
        (Shape::Text | Shape::Month | Shape::HalfYear | Shape::Currency, _) => "str".into(),
        (Shape::Bool, _) => "bool".into(),
        (Shape::Integer, _) => "int".into(),
        (Shape::Decimal, Side::Input) => "Amount".into(),
        (Shape::Decimal, Side::Output) => "Decimal".into(),
        (Shape::Date, Side::Input) => "DateLike".into(),
        (Shape::Date, Side::Output) => "_dt.date".into(),
        (Shape::Period, Side::Input) => "PeriodLike".into(),
        (Shape::Period, Side::Output) => "Union[str, Dict[str, str]]".into(),
        (Shape::Command, Side::Input) => "Command".into(),
        (Shape::Command, Side::Output) => "Dict[str, Any]".into(),
        (Shape::Cell, _) => "Any".into(),
        (Shape::Choice(choice), _) => choice.name.into(),
        (Shape::Union(union), _) => union.name.into(),
        (Shape::Object(object), _) => object.name.into(),
        (Shape::List(inner), _) => format!("List[{}]", py(inner, side)),
        (Shape::Table(inner), _) => format!("Dict[str, {}]", py(inner, side)),
        (Shape::Nullable(inner), _) => format!("Optional[{}]", py(inner, side)),
    }
}

/// The objects commands are made of.
fn input_objects() -> BTreeSet<&'static str> {
    let mut names = BTreeSet::new();
    let mut stack: Vec<&'static Object> = contract::commands().iter().map(|c| c.object).collect();
    stack.push(contract::request_meta());
    while let Some(object) = stack.pop() {
        if names.insert(object.name) {
            for field in object.fields {
                let mut s = vec![field.shape];
                while let Some(shape) = s.pop() {
                    match shape {
                        Shape::Nullable(i) | Shape::List(i) | Shape::Table(i) => s.push(*i),
                        Shape::Object(o) => stack.push(o),
                        Shape::Union(u) => s.extend(u.variants.iter().filter_map(|v| v.payload)),
                        _ => {}
                    }
                }
            }
        }
    }
    names
}

/// A `TypedDict` (two classes when some fields are required and some not).
fn typed_dict(out: &mut String, name: &str, doc: &str, fields: &[(String, String, bool, &str)]) {
    if fields.iter().any(|f| KEYWORDS.contains(&f.0.as_str())) {
        let _ = writeln!(out, "#: {}", docs::one_line(doc));
        let items: Vec<String> = fields.iter().map(|f| format!("\"{}\": {}", f.0, f.1)).collect();
        let total = if fields.iter().all(|f| !f.2) { "" } else { ", total=False" };
        let _ = writeln!(out, "{name} = TypedDict(\"{name}\", {{{}}}{total})\n\n", items.join(", "));
        return;
    }
    let required: Vec<&(String, String, bool, &str)> = fields.iter().filter(|f| !f.2).collect();
    let optional: Vec<&(String, String, bool, &str)> = fields.iter().filter(|f| f.2).collect();
    let body = |out: &mut String, fields: &[&(String, String, bool, &str)]| {
        for (field, t, _, fdoc) in fields {
            let _ = writeln!(out, "    {field}: {t}");
            let text = docs::one_line(fdoc);
            if !text.is_empty() {
                let _ = writeln!(out, "    \"\"\"{}\"\"\"", text.replace('\\', "\\\\").replace('"', "'"));
            }
        }
    };
    if !required.is_empty() && !optional.is_empty() {
        let _ = writeln!(out, "class _{name}Required(TypedDict):");
        body(out, &required);
        out.push_str("\n\n");
        let _ = writeln!(out, "class {name}(_{name}Required, total=False):");
        docstring(out, "    ", doc, &[]);
        out.push('\n');
        body(out, &optional);
    } else {
        let total = if required.is_empty() && !optional.is_empty() { ", total=False" } else { "" };
        let _ = writeln!(out, "class {name}(TypedDict{total}):");
        docstring(out, "    ", doc, &[]);
        if !fields.is_empty() {
            out.push('\n');
        }
        body(out, &if required.is_empty() { optional } else { required });
    }
    out.push_str("\n\n");
}

fn dict_fields(object: &Object, side: Side) -> Vec<(String, String, bool, &'static str)> {
    object
        .fields
        .iter()
        .map(|f| {
            let optional = if side == Side::Input { f.default } else { f.skipped_when_empty };
            (f.name.to_owned(), py(&f.shape, side), optional, f.doc)
        })
        .collect()
}

/// The text of `contract.py`.
pub fn contract_module() -> String {
    let mut out = header(
        "The JSON contract as Python types: one ``TypedDict`` per command, report and result.",
        "Commands are dicts of these shapes: :meth:`funding_window.Ledger.apply` takes a\n:data:`Command` (each command ``TypedDict`` also takes the meta fields ``idempotency_key``,\n``recorded_by`` and ``recorded_at``), so ``mypy`` checks a command written as a dict literal.\nAmounts are :data:`Amount` (``decimal.Decimal``, ``int`` or a decimal string, never a\n``float``) and dates :data:`DateLike`. Reports and results arrive as dicts of the output\nshapes (``Report.data``), amounts as ``decimal.Decimal`` and dates as ``datetime.date``.",
    );
    out.push_str(
        "\nfrom __future__ import annotations\n\nimport datetime as _dt\nfrom decimal import Decimal\nfrom typing import Any, Dict, List, Literal, Optional, Tuple, TypedDict, Union\n\n",
    );
    let mut body = String::new();
    let mut names: Vec<String> =
        vec!["Amount".into(), "DateLike".into(), "Timestamp".into(), "DateRange".into(), "PeriodLike".into()];
    body.push_str(
        "#: Money and rates in commands: exact values only (a ``float`` is refused).\nAmount = Union[Decimal, int, str]\n\
         #: A date: ``datetime.date`` (not ``datetime.datetime``) or ``\"YYYY-MM-DD\"``.\nDateLike = Union[_dt.date, str]\n\
         #: A recording time: a timezone-aware ``datetime.datetime`` or an RFC 3339 string.\nTimestamp = Union[_dt.datetime, str]\n\
         #: An inclusive range of dates, as a report's period.\nDateRange = TypedDict(\"DateRange\", {\"from\": DateLike, \"to\": DateLike})\n\
         #: A reporting period: ``\"2024\"``, ``\"2024-H2\"``, ``\"2024-Q3\"``, ``\"2024-07\"``, a :data:`DateRange` or a\n#: ``(from, to)`` pair of dates.\nPeriodLike = Union[str, DateRange, Tuple[DateLike, DateLike]]\n\n",
    );
    for shape in contract::named_shapes() {
        match shape {
            Shape::Choice(choice) => {
                // A union of one-value literals: the same type to mypy, and a `Union` at run time
                // (stubtest compares the module's aliases with their values).
                let values: Vec<String> = choice.values.iter().map(|(v, _)| format!("Literal[\"{v}\"]")).collect();
                let _ = writeln!(
                    body,
                    "#: {}\n{} = Union[{}]\n",
                    docs::one_line(choice.doc),
                    choice.name,
                    values.join(", ")
                );
                names.push(choice.name.into());
            }
            Shape::Union(union) => {
                let mut forms = Vec::new();
                for v in union.variants {
                    match &v.payload {
                        None => forms.push(format!("Literal[\"{}\"]", v.name)),
                        Some(payload) => {
                            let class = format!("{}{}", union.name, docs::camel(v.name));
                            typed_dict(
                                &mut body,
                                &class,
                                v.doc,
                                &[(v.name.to_owned(), py(payload, Side::Input), false, "")],
                            );
                            names.push(class.clone());
                            forms.push(class);
                        }
                    }
                }
                let _ =
                    writeln!(body, "#: {}\n{} = Union[{}]\n", docs::one_line(union.doc), union.name, forms.join(", "));
                names.push(union.name.into());
            }
            _ => {}
        }
    }
    let meta = contract::request_meta();
    let inputs = input_objects();
    for c in contract::commands() {
        let mut fields = vec![("type".to_owned(), format!("Literal[\"{}\"]", c.name), false, "")];
        fields.extend(dict_fields(c.object, Side::Input));
        fields.extend(dict_fields(meta, Side::Input));
        typed_dict(&mut body, c.object.name, c.object.doc, &fields);
        names.push(c.object.name.into());
    }
    let commands: Vec<&str> = contract::commands().iter().map(|c| c.object.name).collect();
    let _ = writeln!(
        body,
        "#: A command of the contract, with its meta fields (discriminated by ``type``).\nCommand = Union[{}]\n\n",
        commands.join(", ")
    );
    names.push("Command".into());
    for object in contract::objects() {
        if commands.contains(&object.name) || object.name == meta.name {
            continue;
        }
        let side = if inputs.contains(object.name) { Side::Input } else { Side::Output };
        typed_dict(&mut body, object.name, object.doc, &dict_fields(object, side));
        names.push(object.name.into());
    }
    out.push_str("__all__ = [\n");
    for name in &names {
        let _ = writeln!(out, "    \"{name}\",");
    }
    out.push_str("]\n\n");
    out.push_str(body.trim_end());
    out.push('\n');
    out
}

/// A keyword method's parameter: its name, annotation and what the command gets.
struct Param {
    /// The parameter's name: the field's, with `_` after a Python keyword (`from_`).
    name: String,
    /// The field's name in the command.
    key: String,
    annotation: String,
    /// The expression put in the command (`list(resolutions)` for a sequence).
    value: String,
    optional: bool,
}

fn param(field: &Field) -> Param {
    let key = field.name.to_owned();
    let name = if KEYWORDS.contains(&field.name) { format!("{key}_") } else { key.clone() };
    let shape = field.shape.non_null();
    // A sequence or a table is copied by `_list_arg` or `_dict_arg`, which refuse a `str` for a
    // list (it would split into characters), a set (unordered) and anything not a mapping for a
    // table as `ArgumentTypeError`; `None` stays `None`.
    let (annotation, value) = match shape {
        Shape::List(inner) => {
            let item = py(inner, Side::Input);
            (format!("Sequence[{item}]"), format!("_list_arg(\"{name}\", {name}, \"a list of {item}\")"))
        }
        Shape::Table(inner) => {
            let item = py(inner, Side::Input);
            (format!("Mapping[str, {item}]"), format!("_dict_arg(\"{name}\", {name}, \"a dict of str to {item}\")"))
        }
        other => (py(other, Side::Input), name.clone()),
    };
    let optional = field.default;
    Param {
        annotation: if optional { format!("Optional[{annotation}]") } else { annotation },
        name,
        key,
        value,
        optional,
    }
}

fn signature(out: &mut String, method: &str, positional: &[Param], keyword: &[Param], meta: &[&str], returns: &str) {
    let _ = writeln!(out, "    def {method}(\n        self,");
    for p in positional {
        let default = if p.optional { " = None" } else { "" };
        let _ = writeln!(out, "        {}: {}{default},", p.name, p.annotation);
    }
    if !keyword.is_empty() || !meta.is_empty() {
        out.push_str("        *,\n");
    }
    for p in keyword {
        let _ = writeln!(out, "        {}: {} = None,", p.name, p.annotation);
    }
    for m in meta {
        let t = if *m == "recorded_at" { "Timestamp" } else { "str" };
        let _ = writeln!(out, "        {m}: Optional[{t}] = None,");
    }
    let _ = writeln!(out, "    ) -> {returns}:");
}

/// The text of `_commands.py`.
pub fn commands_module() -> String {
    let mut out = header(
        "The keyword methods of :class:`~funding_window.Ledger`: one per command of the contract.",
        "Each method builds the command's dict from its arguments (an argument left ``None`` leaves\nthe field out) and applies it with :meth:`~funding_window.Ledger.apply`, returning the\njournal entry it made. Required fields are positional, in the contract's order; optional\nfields are keyword-only (a few, such as ``record_receipt``'s ``reference``, may also be\npassed by position); every method takes the meta fields ``idempotency_key``, ``recorded_by``\nand ``recorded_at`` by keyword.",
    );
    out.push_str(
        "\nfrom __future__ import annotations\n\nfrom collections.abc import Iterable as _Iterable\nfrom collections.abc import Mapping as _Mapping\nfrom typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Union, cast\n\nfrom . import _native\nfrom .contract import (\n",
    );
    let mut imports: BTreeSet<String> =
        ["Amount", "Command", "DateLike", "Timestamp"].iter().map(|s| (*s).to_owned()).collect();
    for shape in contract::named_shapes() {
        match shape {
            Shape::Choice(c) => {
                imports.insert(c.name.into());
            }
            Shape::Union(u) => {
                imports.insert(u.name.into());
            }
            _ => {}
        }
    }
    let mut methods = String::new();
    let mut used = BTreeSet::new();
    for c in contract::commands() {
        let mut positional = Vec::new();
        let mut keyword = Vec::new();
        let mut flattened_purpose = false;
        for field in c.object.fields {
            if c.name == "sign_agreement" && field.name == "purpose" {
                flattened_purpose = true;
                continue;
            }
            let p = param(field);
            let by_position = !p.optional || POSITIONAL_OPTIONAL.contains(&(c.name, field.name));
            if by_position {
                positional.push(p);
            } else {
                keyword.push(p);
            }
        }
        // Positional optional parameters come after the required ones.
        positional.sort_by_key(|p| p.optional);
        if flattened_purpose {
            for (name, annotation) in [
                ("earmarked_to", "Optional[Sequence[str]]"),
                ("project", "Optional[str]"),
                ("resolution", "Optional[str]"),
            ] {
                keyword.push(Param {
                    name: name.into(),
                    key: name.into(),
                    annotation: annotation.into(),
                    value: String::new(),
                    optional: true,
                });
            }
        }
        for p in positional.iter().chain(&keyword) {
            for word in p.annotation.split(|ch: char| !ch.is_alphanumeric() && ch != '_') {
                used.insert(word.to_owned());
            }
        }
        let fields_doc: Vec<String> = c
            .object
            .fields
            .iter()
            .filter(|f| !(flattened_purpose && f.name == "purpose"))
            .map(|f| match KEYWORDS.contains(&f.name) {
                true => format!("* ``{}_`` (the command's ``{}``): {}", f.name, f.name, docs::one_line(f.doc)),
                false => format!("* ``{}``: {}", f.name, docs::one_line(f.doc)),
            })
            .collect();
        let mut extra = vec![fields_doc.join("\n")];
        if flattened_purpose {
            extra.push(
                "The purpose is a window contribution by default, soft-earmarked to ``earmarked_to`` (``[]``\nor ``None``: unearmarked); with ``project`` (and its ``resolution``) the agreement funds that\nproject and creates it."
                    .into(),
            );
        }
        let meta = ["idempotency_key", "recorded_by", "recorded_at"];
        signature(&mut methods, c.name, &positional, &keyword, &meta, "Applied");
        docstring(&mut methods, "        ", c.object.doc, &extra);
        let mut items: Vec<String> = Vec::new();
        for field in c.object.fields {
            if flattened_purpose && field.name == "purpose" {
                items.push("\"purpose\": _purpose(earmarked_to, project, resolution)".into());
                continue;
            }
            let p = positional.iter().chain(&keyword).find(|p| p.key == field.name).map(|p| p.value.clone());
            items.push(format!("\"{}\": {}", field.name, p.unwrap_or_default()));
        }
        let _ = writeln!(
            methods,
            "        fields: Dict[str, Any] = {{{}}}\n        return self.apply(_command(\"{}\", fields, idempotency_key, recorded_by, recorded_at))\n",
            items.join(", "),
            c.name
        );
        if c.name == "allocate" {
            signature(&mut methods, "preview_allocation", &positional, &keyword, &["recorded_by"], "AllocationPreview");
            docstring(
                &mut methods,
                "        ",
                " Dry run of [`allocate`]: each candidate's gap, weight, exact quota, floor, remainder, rank\n and share (largest-remainder method). Nothing changes.",
                &[],
            );
            let _ = writeln!(
                methods,
                "        fields: Dict[str, Any] = {{{}}}\n        return self.preview(_command(\"allocate\", fields, None, recorded_by, None))\n",
                items.join(", ")
            );
        }
    }
    imports.retain(|name| used.contains(name) || ["Command", "Timestamp"].contains(&name.as_str()));
    for name in &imports {
        let _ = writeln!(out, "    {name},");
    }
    out.push_str(")\n\nif TYPE_CHECKING:  # pragma: no cover\n    from ._native import Applied\n    from .reports import AllocationPreview\n\n__all__ = [\"CommandMethods\"]\n\n\n");
    out.push_str(
        "def _command(\n    type_name: str,\n    fields: Dict[str, Any],\n    idempotency_key: Optional[str],\n    recorded_by: Optional[str],\n    recorded_at: Optional[Timestamp],\n) -> Command:\n    \"\"\"A command dict of the contract: ``type``, the given fields, then the meta fields (``None`` left out).\"\"\"\n    command: Dict[str, Any] = {\"type\": type_name}\n    command.update((k, v) for k, v in fields.items() if v is not None)\n    meta = {\"idempotency_key\": idempotency_key, \"recorded_by\": recorded_by, \"recorded_at\": recorded_at}\n    command.update((k, v) for k, v in meta.items() if v is not None)\n    return cast(Command, command)\n\n\n",
    );
    out.push_str(PYTHON_ARGUMENT_HELPERS);
    out.push_str(
        "class CommandMethods:\n    \"\"\"One method per command of the contract; :class:`~funding_window.Ledger` supplies ``apply`` and ``preview``.\"\"\"\n\n    __slots__ = ()\n\n    def apply(self, command: Union[Command, str]) -> Applied:\n        \"\"\"Applies one command; implemented by :class:`~funding_window.Ledger`.\"\"\"\n        raise NotImplementedError\n\n    def preview(self, command: Union[Command, str]) -> AllocationPreview:\n        \"\"\"Dry run of an ``allocate`` command; implemented by :class:`~funding_window.Ledger`.\"\"\"\n        raise NotImplementedError\n\n",
    );
    out.push_str(methods.trim_end());
    out.push('\n');
    out
}

/// Python's name for a variant (`Io` is `IoError`, as its code `IO_ERROR` names it).
fn class_name(code: &str) -> String {
    code.split('_').map(|p| docs::camel(&p.to_lowercase())).collect()
}

/// The regions of `errors.py`: the class names in `__all__`, and the classes.
pub fn error_regions() -> Vec<(&'static str, String)> {
    let names: String = contract::errors().iter().map(|e| format!("    \"{}\",\n", class_name(e.code))).collect();
    let mut classes = String::from("\n");
    for e in contract::errors() {
        let _ = writeln!(classes, "\nclass {}(LedgerError):", class_name(e.code));
        docstring(&mut classes, "    ", e.doc, &[]);
        let _ = writeln!(classes, "\n    code = \"{}\"", e.code);
        for f in e.fields.iter().filter(|f| f.name != "message") {
            let t = match f.shape.non_null() {
                Shape::Integer => "int".to_owned(),
                Shape::List(_) => "List[str]".to_owned(),
                _ => "str".to_owned(),
            };
            let _ = writeln!(classes, "    {}: {t}", f.name);
        }
        classes.push('\n');
    }
    vec![("error names", names), ("error classes", classes)]
}

/// The region of `__init__.py`: the error classes in `__all__`.
pub fn init_regions() -> Vec<(&'static str, String)> {
    let names: String = contract::errors().iter().map(|e| format!("    \"{}\",\n", class_name(e.code))).collect();
    vec![("error names", names)]
}
