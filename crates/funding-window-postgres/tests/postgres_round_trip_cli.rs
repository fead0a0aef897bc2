//! A journal moves file -> PostgreSQL -> file byte for byte (`fw-pg import` / `fw-pg
//! export`), on the example year: every row holds its entry's line as the file has it, and
//! the ledger opened from the database has the books of the file.

mod support;

use std::path::Path;
use std::process::Command;

use funding_window::Ledger;
use funding_window_postgres::PgLedger;

fn fw_pg(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_fw-pg")).args(args).output().expect("run fw-pg")
}

#[test]
fn the_example_year_goes_to_postgresql_and_back_byte_for_byte() {
    let dsn = server!();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/window-year.jsonl");
    let original = std::fs::read(&fixture).unwrap();
    let name = support::unique("window-year");
    let dir = std::env::temp_dir().join(support::unique("fw-pg-round-trip"));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("window-year.jsonl");

    let imported = fw_pg(&["import", &dsn, &name, fixture.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    let exported = fw_pg(&["export", &dsn, &name, out.to_str().unwrap()]);
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    assert!(std::fs::read(&out).unwrap() == original, "the exported file differs from the imported one");

    support::runtime().block_on(async {
        // Each row is its line of the file.
        let raw = support::raw(&dsn).await;
        let rows = raw
            .query("SELECT line FROM funding_window.journal WHERE ledger = $1 ORDER BY seq", &[&name])
            .await
            .unwrap();
        let text = String::from_utf8(original.clone()).unwrap();
        let lines: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(rows.len(), lines.len());
        for (row, line) in rows.iter().zip(&lines) {
            assert_eq!(row.get::<_, &[u8]>(0), line.as_bytes());
        }
        let from_db = PgLedger::open(&dsn, &name).await.unwrap();
        let file = Ledger::open_read_only(&fixture).unwrap();
        assert_eq!(from_db.read(support::books).await, support::books(&file));
    });

    // The ledger has entries now: a second import is refused, and lists show it.
    let again = fw_pg(&["import", &dsn, &name, fixture.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("DUPLICATE_ID"));
    let listed = fw_pg(&["ledgers", &dsn]);
    let lines = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(lines.lines().any(|l| l == format!("{name}\t{}", text_lines(&original))), "{lines}");
    // A file that does not verify is not imported.
    let broken = dir.join("broken.jsonl");
    std::fs::write(&broken, String::from_utf8(original).unwrap().replacen("Sweden", "Swedan", 1)).unwrap();
    let refused = fw_pg(&["import", &dsn, &support::unique("broken"), broken.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("JOURNAL_CORRUPT"));
    let _ = std::fs::remove_dir_all(dir);
}

fn text_lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count() - 1
}
