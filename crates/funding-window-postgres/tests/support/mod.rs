//! What the PostgreSQL tests share: the server's connection string, unique ledger names,
//! commands, a raw client for what an attacker or operator would do, and the books as text.
//!
//! Without `FW_PG_URL` the tests print why they skip and pass; under
//! `tests/postgres/with-server.sh` (`make test-postgres`), which sets `FW_PG_REQUIRED=1`,
//! a missing or unreachable server fails them.
#![allow(dead_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use funding_window::{Ledger, Request};
use serde_json::{json, Value};

/// Whether the tests must have a server (they run under with-server.sh).
pub fn required() -> bool {
    std::env::var("FW_PG_REQUIRED").is_ok_and(|v| v == "1")
}

/// The server's connection string, or `None` (and a printed reason) when there is none.
pub fn dsn() -> Option<String> {
    match std::env::var("FW_PG_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(!required(), "FW_PG_REQUIRED=1 but FW_PG_URL is not set: run under tests/postgres/with-server.sh");
            // Written to stderr directly: the test harness captures `eprintln!` of passing tests.
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "funding-window-postgres: PostgreSQL tests skipped: FW_PG_URL is unset \
                     (`make test-postgres` runs them with a throwaway server)"
                );
            });
            None
        }
    }
}

/// The server's connection string, or return from the test (skipped, reason printed).
#[macro_export]
macro_rules! server {
    () => {
        match support::dsn() {
            Some(dsn) => dsn,
            None => return,
        }
    };
}

/// A ledger name no other test (or earlier run on the same server) uses.
pub fn unique(name: &str) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("{name}-{}-{nanos}", std::process::id())
}

/// A multi-threaded runtime for a test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime")
}

/// A plain connection, as an operator (or attacker) with psql would have.
pub async fn raw(dsn: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(dsn, tokio_postgres::NoTls).await.expect("connect");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

pub fn request(cmd: Value) -> Request {
    Request::from_value(cmd).expect("a valid command")
}

/// A command with a fixed `recorded_at` (journals then compare byte for byte).
pub fn stamped(mut cmd: Value, n: u32) -> Request {
    cmd["recorded_at"] = json!(format!("2025-01-01T{:02}:{:02}:{:02}Z", n / 3600 % 24, n / 60 % 60, n % 60));
    request(cmd)
}

pub fn donor(id: &str) -> Value {
    json!({"type": "register_donor", "id": id, "name": id, "kind": "other"})
}

/// The `i`-th command of writer `w`: commands of different writers are independent, so
/// every interleaving of the writers applies, and each writer's own come in its order.
pub fn writer_command(w: usize, i: usize) -> Value {
    let key = format!("w{w}-{i}");
    let cmd = if i == 0 {
        donor(&format!("D{w}"))
    } else {
        let c = (i - 1) / 4;
        let resolution = if c.is_multiple_of(2) { "2/2" } else { "2/9" };
        match (i - 1) % 4 {
            0 => json!({"type": "sign_agreement", "id": format!("CA-{w}-{c}"), "donor": format!("D{w}"),
                        "currency": "USD", "amount": "100.00", "signed_on": "2024-03-01", "psc_rate": "0.07",
                        "elective_transfer": false, "purpose": {"window": {"earmarked_to": []}}}),
            1 => json!({"type": "record_receipt", "agreement": format!("CA-{w}-{c}"), "amount": "100.00",
                        "received_on": "2024-03-02", "reference": format!("bank {w}-{c}")}),
            2 => json!({"type": "allocate", "id": format!("EB-{w}-{c}"), "decided_on": "2024-04-01",
                        "amount": "50.00", "policy": "explicit", "shares": {resolution: "50.00"},
                        "resolutions": [resolution], "approved_by": "Executive Director"}),
            _ => json!({"type": "record_expenditure", "resolution": resolution, "amount": "10.00",
                        "spent_on": "2024-05-01"}),
        }
    };
    let mut cmd = cmd;
    cmd["idempotency_key"] = json!(key);
    cmd
}

/// The books as text: chain head, trial balance and window balance.
pub fn books(ledger: &Ledger) -> String {
    format!(
        "{} {} {}",
        ledger.chain_head(),
        serde_json::to_string(&ledger.trial_balance(None)).expect("json"),
        serde_json::to_string(&ledger.window_balance(None)).expect("json")
    )
}

/// Applies every stored entry's command again, one by one in stored order, to a new
/// ledger: a serial replay of what the writers did together.
pub fn serial_replay(ledger: &Ledger) -> Ledger {
    let mut serial = Ledger::new();
    for entry in ledger.entries().expect("entries") {
        let mut request = Request::new(entry.command);
        request.idempotency_key = entry.idempotency_key;
        request.recorded_by = entry.recorded_by;
        request.recorded_at =
            Some(chrono::DateTime::parse_from_rfc3339(&entry.recorded_at).expect("RFC 3339").to_utc());
        serial.apply(request).expect("each stored command applies in stored order");
    }
    serial
}
