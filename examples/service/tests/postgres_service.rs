//! The example service (`src/main.rs`) runs against a PostgreSQL server and, run again,
//! applies nothing twice: every command comes back as a duplicate and the chain head is
//! the same.
//!
//! Needs `FW_PG_URL` (`make test-postgres` sets it); without it this prints why and skips,
//! unless `FW_PG_REQUIRED=1`.

use std::io::Write;
use std::process::Command;

fn run(dsn: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_service")).env("FW_PG_URL", dsn).output().expect("run the example");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn the_service_example_applies_each_command_once_however_often_it_runs() {
    let Some(dsn) = std::env::var("FW_PG_URL").ok().filter(|d| !d.is_empty()) else {
        assert!(std::env::var("FW_PG_REQUIRED").as_deref() != Ok("1"), "FW_PG_REQUIRED=1 but FW_PG_URL is unset");
        let _ = writeln!(std::io::stderr(), "service example test skipped: FW_PG_URL is unset (`make test-postgres`)");
        return;
    };
    let first = run(&dsn);
    let second = run(&dsn);
    let head = |text: &str| text.lines().next().unwrap_or_default().to_owned();
    assert_eq!(head(&first), head(&second), "a second run adds no entry");
    assert!(second.contains("(answered as duplicates): 20 of 20"), "{second}");
    assert!(second.contains("window unallocated: USD 2500000.00"), "{second}");
}
