//! Moves funding-window journals between files and PostgreSQL, and lists ledgers.
//!
//! ```text
//! fw-pg import DSN LEDGER FILE   # file -> database (the ledger must have no entries)
//! fw-pg export DSN LEDGER FILE   # database -> file (verified first; atomic)
//! fw-pg ledgers DSN              # every ledger and its number of entries
//! ```
//!
//! DSN is a PostgreSQL connection string (`host=/run/postgresql dbname=books`) or URL.
//! Both directions verify the journal as opening it does, and the bytes are the same
//! in the file and in the database.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("fw-pg: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            [_, "import", dsn, ledger, file] => funding_window_postgres::import_journal(dsn, ledger, file)
                .await
                .map(|head| format!("imported {file} into ledger {ledger:?}: {head}")),
            [_, "export", dsn, ledger, file] => funding_window_postgres::export_journal(dsn, ledger, file)
                .await
                .map(|head| format!("exported ledger {ledger:?} to {file}: {head}")),
            [_, "ledgers", dsn] => funding_window_postgres::ledgers(dsn)
                .await
                .map(|list| list.iter().map(|(name, n)| format!("{name}\t{n}")).collect::<Vec<_>>().join("\n")),
            _ => Err(funding_window::LedgerError::InvalidArgument {
                name: "arguments".into(),
                value: args.get(1..).map(|a| a.join(" ")).unwrap_or_default(),
                reason: "usage: fw-pg import DSN LEDGER FILE | export DSN LEDGER FILE | ledgers DSN".into(),
            }),
        }
    });
    match outcome {
        Ok(text) => {
            if !text.is_empty() {
                println!("{text}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fw-pg: {e} ({})", e.code());
            ExitCode::FAILURE
        }
    }
}
