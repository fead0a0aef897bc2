//! PostgreSQL stops under a running service: readiness and commands answer 503
//! `STORE_UNAVAILABLE`, health stays up, nothing is half-written, and once the server is back
//! the same service answers again without a restart (the handle reconnects).
//!
//! Stops and starts the throwaway server (`FW_PG_CTL`, set by tests/postgres/with-server.sh),
//! so it is a test binary of its own: cargo runs test binaries one after another.

mod support;

use std::process::Command;

use serde_json::json;
use support::{ledger_name, pg, Http, Service, TempDir, Tokens};

fn server(action: &str) {
    let ctl = std::env::var("FW_PG_CTL").expect("FW_PG_CTL (tests/postgres/with-server.sh sets it)");
    let status = Command::new(ctl).arg(action).status().expect("the server's control script");
    assert!(status.success(), "{action} the server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_goes_away_is_503_and_the_service_recovers_when_it_is_back() {
    let Some(dsn) = pg() else { return };
    let dir = TempDir::new("down");
    let tokens = Tokens::mint(&dir, &[("rui", "recorder")]);
    let ledger = ledger_name("down");
    let service = Service::start(&dsn, &ledger, &tokens, &[]);
    let http = Http::new(&service.url);
    let rui = tokens.of("rui");
    let donor = |id: &str| json!({"type": "register_donor", "id": id, "name": id, "kind": "member_state"});
    assert_eq!(http.post("/commands", Some(rui), &donor("NO")).await.status, 200);

    server("stop");
    let ready = http.get("/ready", None).await;
    assert_eq!((ready.status, ready.code()), (503, "STORE_UNAVAILABLE"), "{}", ready.text);
    assert_eq!(http.get("/health", None).await.status, 200, "the process is up");
    let refused = http.post("/commands", Some(rui), &donor("SE")).await;
    assert_eq!((refused.status, refused.code()), (503, "STORE_UNAVAILABLE"), "{}", refused.text);
    let read = http.get("/reports/donors", Some(rui)).await;
    assert_eq!((read.status, read.code()), (503, "STORE_UNAVAILABLE"), "a read that cannot catch up says so");
    server("start");

    let mut ready = http.get("/ready", None).await;
    for _ in 0..50 {
        if ready.status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        ready = http.get("/ready", None).await;
    }
    assert_eq!((ready.status, ready.json["seq"].as_u64()), (200, Some(1)), "{}", ready.text);
    let applied = http.post("/commands", Some(rui), &donor("SE")).await;
    assert_eq!((applied.status, applied.json["seq"].as_u64()), (200, Some(2)), "{}", applied.text);
    let donors = http.get("/reports/donors", Some(rui)).await;
    assert_eq!(donors.json.as_array().map(Vec::len), Some(2), "{}", donors.text);
}
