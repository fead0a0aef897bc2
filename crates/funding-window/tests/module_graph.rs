//! The core's modules depend on one another in one direction only: the graph of their
//! references (`use crate::…`, `crate::…::item`, `super::…`, `self::…`) has no cycle.
//!
//! A module is a file of `src/` (`src/domain/agreement.rs` is `domain::agreement`,
//! `src/contract/mod.rs` is `contract`). Test code (`#[cfg(test)]` items) and comments are
//! left out: tests may use anything. A module declaring its children (`mod x;`) is not a
//! reference to them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Two-way references kept on purpose, each with its reason. Empty: none is needed.
const ALLOWED: &[(&str, &str, &str)] = &[];

fn module_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("src/ is readable").map(|e| e.expect("a directory entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            module_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/domain/agreement.rs` -> `domain::agreement`; `lib.rs` -> `` (the crate root).
fn module_name(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("a file under src/").with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

/// The source without comments and without `#[cfg(test)]` items.
fn production_code(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed == "#[cfg(test)]" {
            let indent = &line[..line.len() - trimmed.len()];
            // Skip the item: up to its closing brace at the same indentation, or one line.
            for item in lines.by_ref() {
                if item.trim_end().ends_with(';') && !item.trim_end().ends_with("{") && item.starts_with(indent) {
                    let rest = &item[indent.len()..];
                    if !rest.starts_with(' ') && !rest.starts_with('#') && !rest.contains('{') {
                        break;
                    }
                }
                if item == format!("{indent}}}") {
                    break;
                }
            }
            continue;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The modules `module` refers to, each as the longest known module path it names.
fn references(module: &str, code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
    let mut resolve = |path: &str| {
        let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        for n in (1..=segments.len()).rev() {
            let candidate = segments[..n].join("::");
            if modules.contains(&candidate) {
                if candidate != module {
                    out.insert(candidate);
                }
                return;
            }
        }
    };
    // Paths are read up to the first character that is not part of a path; `use crate::{a, b::c}`
    // lists are expanded one level.
    for (prefix, base) in [("crate::", String::new()), ("super::", parent.to_owned()), ("self::", module.to_owned())] {
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().last();
            rest = &rest[at + prefix.len()..];
            // `$crate::` (in a macro) names the crate root; `foo::crate::` does not occur.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == ':') {
                continue;
            }
            let path: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            let join = |p: &str| if base.is_empty() { p.to_owned() } else { format!("{base}::{p}") };
            if (path.is_empty() || path.ends_with("::")) && rest[path.len()..].starts_with('{') {
                let group = &rest[path.len() + 1..rest[path.len()..].find('}').map_or(rest.len(), |e| path.len() + e)];
                for item in group.split(',') {
                    let item = item.trim().split(" as ").next().unwrap_or("").trim();
                    resolve(&join(&format!("{path}{item}")));
                }
            } else {
                resolve(&join(&path));
            }
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    module_files(&src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_name(&src, f)).filter(|m| !m.is_empty()).collect();
    files
        .iter()
        .map(|f| (module_name(&src, f), f))
        .filter(|(m, _)| !m.is_empty())
        .map(|(m, f)| {
            let code = production_code(&std::fs::read_to_string(f).expect("a source file is readable"));
            let refs = references(&m, &code, &modules);
            (m, refs)
        })
        .collect()
}

/// Every cycle's modules, as found by depth-first search (one cycle per back edge).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    fn visit<'g>(
        node: &'g str,
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'g str, u8>,
        stack: &mut Vec<&'g str>,
        out: &mut Vec<Vec<String>>,
    ) {
        state.insert(node, 1);
        stack.push(node);
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let from = stack.iter().position(|n| *n == next).unwrap_or(0);
                    out.push(stack[from..].iter().map(|s| s.to_string()).collect());
                }
                Some(_) => {}
                None => visit(next, graph, state, stack, out),
            }
        }
        stack.pop();
        state.insert(node, 2);
    }
    let mut state = BTreeMap::new();
    let mut out = Vec::new();
    for node in graph.keys() {
        if !state.contains_key(node.as_str()) {
            visit(node, graph, &mut state, &mut Vec::new(), &mut out);
        }
    }
    out
}

#[test]
fn the_core_modules_form_no_cycle() {
    let mut graph = graph();
    for (from, to, _why) in ALLOWED {
        graph.get_mut(*from).map(|refs| refs.remove(*to));
    }
    let found = cycles(&graph);
    assert!(
        found.is_empty(),
        "modules that depend on each other (each list is a cycle, its last module referring to its first):\n{}",
        found.iter().map(|c| c.join(" -> ")).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_reader_sees_references_of_every_form() {
    // The reader itself: each form of reference yields its edge, and test code none.
    let modules: BTreeSet<String> = ["a", "b", "c", "d::e", "d", "f", "g"].iter().map(|s| s.to_string()).collect();
    let code = production_code(
        "use crate::a::Thing;\nuse crate::{b, d::e::Other as O};\nfn x() { crate::c::f(); }\n\
         // crate::f::ignored();\n#[cfg(test)]\nmod tests {\n    use crate::g;\n}\n",
    );
    let refs = references("d::h", &format!("{code}use super::Up;\n"), &modules);
    let expected: BTreeSet<String> = ["a", "b", "c", "d::e", "d"].iter().map(|s| s.to_string()).collect();
    assert_eq!(refs, expected);
    // A cycle is found, and a chain is not one.
    let graph = |edges: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    assert_eq!(cycles(&graph(&[("a", "b"), ("b", "c"), ("c", "a")])).len(), 1);
    assert!(cycles(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])).is_empty());
}
