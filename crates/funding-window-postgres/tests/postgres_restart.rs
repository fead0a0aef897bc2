//! The server restarted between two applies: while it is down, commands are refused with
//! `STORE_UNAVAILABLE` and nothing changes (reports still work, from memory); once it is
//! back the same handles reconnect by themselves, and every command is in the journal once.
//!
//! Needs `FW_PG_CTL` (set by tests/postgres/with-server.sh) to stop and start the server.

mod support;

use std::process::Command;

use funding_window_postgres::PgLedger;
use serde_json::json;
use support::stamped;

/// Starts the server again when dropped, so a failing test leaves it running.
struct Stopped(String);

impl Stopped {
    fn stop(ctl: &str) -> Stopped {
        let status = Command::new(ctl).arg("stop").status().expect("run FW_PG_CTL stop");
        assert!(status.success(), "the server did not stop");
        Stopped(ctl.to_owned())
    }

    fn start(self) {
        drop(self);
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        let status = Command::new(&self.0).arg("start").status().expect("run FW_PG_CTL start");
        assert!(status.success(), "the server did not start again");
    }
}

fn keyed(id: &str, n: u32) -> funding_window::Request {
    stamped(json!({"type": "register_donor", "id": id, "name": id, "kind": "other", "idempotency_key": id}), n)
}

#[test]
fn a_restarted_server_is_store_unavailable_then_works_again_with_nothing_lost_or_doubled() {
    let dsn = server!();
    let Ok(ctl) = std::env::var("FW_PG_CTL") else {
        assert!(!support::required(), "FW_PG_REQUIRED=1 but FW_PG_CTL is not set");
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "restart test skipped: FW_PG_CTL is unset (run under tests/postgres/with-server.sh)"
        );
        return;
    };
    let name = support::unique("restart");
    let runtime = support::runtime();
    let handle = runtime.block_on(PgLedger::connect(&dsn, &name)).unwrap();
    let mut blocking = funding_window_postgres::connect(&dsn, &name).unwrap();
    runtime.block_on(handle.apply(&keyed("A", 1))).unwrap();
    assert_eq!(blocking.refresh().unwrap(), 1);

    let stopped = Stopped::stop(&ctl);
    let books = runtime.block_on(handle.read(support::books));
    let error = runtime.block_on(handle.apply(&keyed("B", 2))).unwrap_err();
    assert_eq!(error.code(), "STORE_UNAVAILABLE", "{error}");
    assert_eq!(runtime.block_on(handle.refresh()).unwrap_err().code(), "STORE_UNAVAILABLE");
    assert_eq!(blocking.apply(keyed("X", 3)).unwrap_err().code(), "STORE_UNAVAILABLE");
    assert_eq!(blocking.refresh().unwrap_err().code(), "STORE_UNAVAILABLE");
    // Nothing changed, and the books can still be read.
    assert_eq!(runtime.block_on(handle.read(support::books)), books);
    assert_eq!(support::books(&blocking), books);
    stopped.start();

    // The same handles, reconnecting by themselves.
    let applied = runtime.block_on(handle.apply(&keyed("B", 2))).unwrap();
    assert_eq!((applied.seq, applied.duplicate), (2, false));
    runtime.block_on(handle.apply(&keyed("C", 4))).unwrap();
    assert_eq!(blocking.apply(keyed("D", 5)).unwrap_err().code(), "CONFLICT");
    assert_eq!(blocking.refresh().unwrap(), 2);
    blocking.apply(keyed("D", 5)).unwrap();
    // Retried, B is answered as a duplicate; catching up first, the handle took in D.
    let again = runtime.block_on(handle.apply_with_retries(&keyed("B", 2), 3)).unwrap();
    assert!(again.duplicate);
    assert_eq!(runtime.block_on(handle.head()).seq, 4);

    let fresh = runtime.block_on(PgLedger::open(&dsn, &name)).unwrap();
    let keys: Vec<String> = runtime
        .block_on(fresh.read(|l| l.entries().unwrap().into_iter().map(|e| e.idempotency_key.unwrap()).collect()));
    assert_eq!(keys, ["A", "B", "C", "D"], "nothing lost, nothing doubled");
    assert_eq!(runtime.block_on(handle.refresh()).unwrap(), 0);
    assert_eq!(runtime.block_on(fresh.read(support::books)), runtime.block_on(handle.read(support::books)));
}
