//! The key tables of the core (`crates/funding-window/src/contract/keys.rs`).

use funding_window::contract::{self, KeyKind};

fn list(names: &[&str]) -> String {
    let items: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    let one_line = format!("&[{}]", items.join(", "));
    // rustfmt's width (rustfmt.toml: 120) for `pub const NAME: &[&str] = ...;`.
    if one_line.len() <= 80 {
        return one_line;
    }
    let mut out = String::from("&[\n");
    for item in items {
        out.push_str(&format!("    {item},\n"));
    }
    out.push(']');
    out
}

/// The text of `keys.rs`.
pub fn key_tables() -> String {
    let tables = [
        (
            "DECIMAL_FIELDS",
            "/// Command fields whose values are decimal strings (money, rates).\n///\n/// Bindings use this to turn their language's exact decimal types (Python's `Decimal` and\n/// `int`) into decimal strings, and nothing else.",
            contract::keys(KeyKind::Decimal, true),
        ),
        (
            "DECIMAL_TABLE_FIELDS",
            "/// Command fields holding a table of names to decimal strings (`shares`, `weights`).",
            contract::keys(KeyKind::DecimalTable, true),
        ),
        (
            "AMOUNT_KEYS",
            "/// Every field name, of commands and of everything the core returns, whose values are\n/// decimal strings: the Python binding gives them as `decimal.Decimal`.",
            contract::keys(KeyKind::Decimal, false),
        ),
        (
            "AMOUNT_TABLE_KEYS",
            "/// Every field name whose values are tables of names to decimal strings.",
            contract::keys(KeyKind::DecimalTable, false),
        ),
        (
            "DATE_KEYS",
            "/// Every field name whose values are dates `YYYY-MM-DD`: the Python binding gives them as\n/// `datetime.date`.",
            contract::keys(KeyKind::Date, false),
        ),
    ];
    let mut out = format!(
        "// {}\n// `cargo run -p funding-window-codegen -- --check` (run by `make test`) fails when this file is stale;\n// the core's tests check it against the contract too.\n",
        crate::GENERATED
    );
    for (name, doc, names) in tables {
        out.push_str(&format!("\n{doc}\npub const {name}: &[&str] = {};\n", list(&names)));
    }
    out
}
