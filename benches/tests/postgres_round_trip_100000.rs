//! The benchmark's 100,000-entry journal (`fw-bench generate 100000`) moves file ->
//! PostgreSQL -> file byte for byte with `import_journal` and `export_journal`.
//!
//! Needs a server: `FW_PG_URL`, as `make test-postgres` sets it (tests/postgres/with-server.sh);
//! without one it prints why and skips, unless `FW_PG_REQUIRED=1`.

use std::io::Write;

#[test]
fn a_100000_entry_journal_goes_to_postgresql_and_back_byte_for_byte() {
    let Some(dsn) = std::env::var("FW_PG_URL").ok().filter(|d| !d.is_empty()) else {
        assert!(std::env::var("FW_PG_REQUIRED").as_deref() != Ok("1"), "FW_PG_REQUIRED=1 but FW_PG_URL is unset");
        let _ = writeln!(std::io::stderr(), "PostgreSQL round trip skipped: FW_PG_URL is unset (`make test-postgres`)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("fw-pg-round-trip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (file, back) = (dir.join("journal.jsonl"), dir.join("back.jsonl"));
    let ledger = funding_window_benches::ledger(100_000);
    ledger.save(&file).unwrap();
    let name = format!("round-trip-100000-{}", std::process::id());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let imported = runtime.block_on(funding_window_postgres::import_journal(&dsn, &name, &file)).unwrap();
    assert_eq!(imported, ledger.head());
    let exported = runtime.block_on(funding_window_postgres::export_journal(&dsn, &name, &back)).unwrap();
    assert_eq!(exported, ledger.head());
    let (a, b) = (std::fs::read(&file).unwrap(), std::fs::read(&back).unwrap());
    assert_eq!(a.len(), b.len());
    assert!(a == b, "the journal came back different");
    let _ = std::fs::remove_dir_all(dir);
}
