//! Every fuzz seed and every input that once made a fuzz target fail, run through
//! the same checks as the fuzz targets (`tests/fuzz/checks.rs`) on every test run.

#[path = "fuzz/checks.rs"]
mod checks;

fn inputs(kind: &str) -> Vec<std::path::PathBuf> {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in ["seeds", "regressions"] {
        if let Ok(entries) = std::fs::read_dir(base.join(dir).join(kind)) {
            files.extend(entries.map(|e| e.unwrap().path()).filter(|p| !p.ends_with(".keep")));
        }
    }
    files.sort();
    files
}

#[test]
fn journal_text_inputs_pass_the_fuzz_checks() {
    let files = inputs("journal_text");
    assert!(!files.is_empty());
    for path in files {
        checks::journal_text(&std::fs::read(&path).unwrap());
    }
}

#[test]
fn command_json_inputs_pass_the_fuzz_checks() {
    let files = inputs("command_json");
    assert!(files.len() > 100);
    for path in files {
        checks::command_json(&std::fs::read(&path).unwrap());
    }
}
