//! The column lists of `docs/spreadsheets.md`: each command type's spreadsheet columns, as
//! the core lays them out (`funding_window::contract::sheet`).

use std::fmt::Write;

use funding_window::contract::sheet::{self, CellKind};
use funding_window::contract::Union;

use crate::docs;

fn holds(kind: CellKind) -> String {
    match kind {
        CellKind::Text => "text".into(),
        CellKind::Decimal => "a decimal, as text (`1250.00`)".into(),
        CellKind::Date => "a date, `YYYY-MM-DD`".into(),
        CellKind::Integer => "a whole number".into(),
        CellKind::Bool => "`true` or `false`".into(),
        CellKind::Choice(choice) => {
            let names: Vec<String> = choice.values.iter().map(|(v, _)| format!("`{v}`")).collect();
            format!("one of {}", names.join(", "))
        }
        CellKind::List => "ids separated by `;` (`2/2;2/9`)".into(),
        CellKind::Table => "`id=amount` pairs separated by `;` (`2/2=100.00;2/9=50.00`)".into(),
        CellKind::Variant(union) => variants(union),
    }
}

fn variants(union: &Union) -> String {
    let forms: Vec<String> = union
        .variants
        .iter()
        .map(|v| if v.payload.is_some() { format!("`{}:ID`", v.name) } else { format!("`{}`", v.name) })
        .collect();
    forms.join(" or ")
}

/// One table per command type: column, what it holds, whether required, what it is.
pub fn columns_markdown() -> String {
    let mut out = String::new();
    for info in funding_window::contract::commands() {
        let Some(columns) = sheet::columns(info.name) else { continue };
        let _ = writeln!(out, "### `{}`\n", info.name);
        let _ = writeln!(out, "| column | holds | required | what |");
        let _ = writeln!(out, "|---|---|---|---|");
        for c in &columns {
            let what = docs::one_line(c.doc).replace('|', "\\|");
            let required = if c.required { "yes" } else { "" };
            let _ = writeln!(out, "| `{}` | {} | {required} | {what} |", c.name, holds(c.kind));
        }
        out.push('\n');
    }
    out
}
