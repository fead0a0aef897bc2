//! Several writers on one ledger in PostgreSQL, as the replicas of a web service are.
//!
//! Two handles (two replicas would each have one) take requests at the same time. Each
//! command carries an idempotency key; `apply_with_retries` catches up after a conflict
//! and retries, so every command lands exactly once, and running the example again
//! applies nothing twice (every command comes back as a duplicate).
//!
//! ```text
//! FW_PG_URL="host=/run/postgresql dbname=books" cargo run -p funding-window-example-service
//! make test-postgres   # runs it against a throwaway server
//! ```

use std::process::ExitCode;

use funding_window::{LedgerError, Request};
use funding_window_postgres::PgLedger;
use serde_json::json;

/// Attempts per command: conflicts between two replicas settle in a few.
const ATTEMPTS: u32 = 20;

fn main() -> ExitCode {
    let Ok(dsn) = std::env::var("FW_PG_URL") else {
        eprintln!("service: set FW_PG_URL to a PostgreSQL connection string (host=/run/postgresql dbname=books)");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("service: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&dsn)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("service: {e} ({})", e.code());
            ExitCode::FAILURE
        }
    }
}

async fn run(dsn: &str) -> Result<(), LedgerError> {
    // What each replica does at start-up: open the ledger (verified as a journal file is).
    let replicas = [PgLedger::connect(dsn, "service-example").await?, PgLedger::connect(dsn, "service-example").await?];
    let setup = request(json!({"type": "register_donor", "id": "NO", "name": "Norway", "kind": "member_state",
                               "idempotency_key": "donor-NO"}))?;
    replicas[0].apply_with_retries(&setup, ATTEMPTS).await?;

    // Requests arrive at both replicas at once; a handle is cheap to clone into each task.
    let mut tasks = Vec::new();
    for (r, replica) in replicas.iter().enumerate() {
        for n in 0..5 {
            let replica = replica.clone();
            let id = format!("CA-NO-{r}-{n}");
            let commands = [
                json!({"type": "sign_agreement", "id": id, "donor": "NO", "currency": "USD", "amount": "250000.00",
                       "signed_on": "2024-02-01", "psc_rate": "0.07", "elective_transfer": false,
                       "purpose": {"window": {"earmarked_to": []}}, "idempotency_key": format!("sign-{id}")}),
                json!({"type": "record_receipt", "agreement": id, "amount": "250000.00", "received_on": "2024-03-01",
                       "idempotency_key": format!("receipt-{id}")}),
            ];
            tasks.push(tokio::spawn(async move {
                let mut duplicates = 0;
                for command in commands {
                    duplicates += u32::from(replica.apply_with_retries(&request(command)?, ATTEMPTS).await?.duplicate);
                }
                Ok::<u32, LedgerError>(duplicates)
            }));
        }
    }
    let mut duplicates = 0;
    for task in tasks {
        duplicates += task.await.map_err(|e| LedgerError::Internal { message: e.to_string() })??;
    }
    replicas[1].refresh().await?;
    let head = replicas[1].head().await;
    let window = replicas[1].read(|ledger| ledger.window_balance(None)).await;
    println!("ledger \"service-example\": {head}");
    println!("window unallocated: USD {}", window.unallocated);
    println!("commands already applied by an earlier run (answered as duplicates): {duplicates} of 20");
    Ok(())
}

fn request(command: serde_json::Value) -> Result<Request, LedgerError> {
    Request::from_value(command)
}
