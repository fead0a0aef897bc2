//! Documentation text and names shared by every generated language.

use funding_window::contract::{self, Field};

/// A doc comment's text as one paragraph per blank line: the leading space of each
/// `///` line dropped, rustdoc links (`` [`X`] ``, `` [`X`](path) ``) made plain code.
pub fn text(doc: &str) -> String {
    let lines: Vec<&str> = doc.lines().map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end()).collect();
    let joined = lines.join("\n");
    plain_links(joined.trim())
}

/// `` [`X`] `` and `` [`X`](path) `` as `` `X` ``.
fn plain_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("[`") {
        let Some(close) = rest[at..].find("`]") else { break };
        out.push_str(&rest[..at]);
        out.push_str(&rest[at + 1..at + close + 1]);
        rest = &rest[at + close + 2..];
        if rest.starts_with('(') {
            if let Some(end) = rest.find(')') {
                rest = &rest[end + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The doc with each paragraph on one line (lines of a list kept apart), paragraphs
/// separated by a blank line: for docstrings, which their tools reflow.
pub fn reflowed(doc: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut joining = false;
    for line in text(doc).lines() {
        let starts_item = line.starts_with("* ") || line.starts_with("- ") || line.starts_with('|');
        match out.last_mut() {
            Some(last) if joining && !line.is_empty() && !starts_item => {
                last.push(' ');
                last.push_str(line.trim());
            }
            _ => out.push(line.to_owned()),
        }
        joining = !line.is_empty();
    }
    out.join("\n")
}

/// The doc as one line (paragraphs joined by a space).
pub fn one_line(doc: &str) -> String {
    text(doc).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The alias the core gives a text field (`Timestamp`, `Hash`, `CurrencyCode`), from the
/// Rust type as the field declares it.
pub fn alias(field: &Field) -> Option<&'static str> {
    let idents: Vec<&str> = field.rust_type.split(|c: char| !c.is_alphanumeric() && c != '_').collect();
    contract::ALIASES.iter().map(|(name, _)| *name).find(|name| idents.contains(name))
}

/// `snake_case` to `CamelCase`.
pub fn camel(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_text_is_plain() {
        assert_eq!(text(" The fields of a [`Request`].\n Second line.\n"), "The fields of a `Request`.\nSecond line.");
        assert_eq!(text(" See [`crate::limits`](crate::limits) now."), "See `crate::limits` now.");
        assert_eq!(one_line(" a\n b\n"), "a b");
        assert_eq!(reflowed(" a\n b\n\n * c\n * d\n"), "a b\n\n* c\n* d");
        assert_eq!(camel("gap_pro_rata"), "GapProRata");
    }
}
