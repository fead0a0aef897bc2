//! One ledger in PostgreSQL, several writers: conditional appends, conflicts and catching
//! up, batches as one transaction, several ledgers in one database, the append-only
//! triggers, the blocking store, and the errors of an unreachable or misnamed store.

mod support;

use funding_window::{Ledger, LedgerError};
use funding_window_postgres::PgLedger;
use serde_json::json;
use support::{books, donor, stamped, unique};

#[test]
fn a_ledger_reopens_to_the_same_books_and_ledgers_are_separate() {
    let dsn = server!();
    support::runtime().block_on(async {
        let (name, other) = (unique("reopen"), unique("reopen-other"));
        let ledger = PgLedger::connect(&dsn, &name).await.unwrap();
        let second = PgLedger::connect(&dsn, &other).await.unwrap();
        for i in 0..12 {
            ledger.apply(&stamped(support::writer_command(0, i), i as u32)).await.unwrap();
        }
        second.apply(&stamped(donor("XX"), 1)).await.unwrap();
        let batch: Vec<_> = (12..20).map(|i| stamped(support::writer_command(0, i), i as u32)).collect();
        assert_eq!(ledger.apply_batch(&batch).await.unwrap().len(), 8);

        let again = PgLedger::open(&dsn, &name).await.unwrap();
        assert_eq!(again.read(books).await, ledger.read(books).await);
        assert_eq!(
            again.read(|l| l.to_journal().unwrap().into_owned()).await,
            ledger.read(|l| l.to_journal().unwrap().into_owned()).await
        );
        assert_eq!(again.store_head().await.unwrap(), ledger.head().await);
        assert_eq!(PgLedger::open(&dsn, &other).await.unwrap().head().await.seq, 1);
        let listed = funding_window_postgres::ledgers(&dsn).await.unwrap();
        assert!(listed.contains(&(name.clone(), 20)), "{listed:?}");
        assert!(listed.contains(&(other.clone(), 1)), "{listed:?}");
    });
}

#[test]
fn a_stale_writer_gets_conflict_with_the_stores_head_and_nothing_is_written() {
    let dsn = server!();
    support::runtime().block_on(async {
        let name = unique("conflict");
        let a = PgLedger::connect(&dsn, &name).await.unwrap();
        let b = PgLedger::connect(&dsn, &name).await.unwrap();
        a.apply(&stamped(donor("SE"), 1)).await.unwrap();
        let head = a.head().await;
        let before = b.read(books).await;
        let keyed = stamped(
            json!({"type": "register_donor", "id": "NO", "name": "Norway", "kind": "member_state",
                                   "idempotency_key": "donor-NO"}),
            2,
        );
        match b.apply(&keyed).await {
            Err(LedgerError::Conflict { store, seq, hash }) => {
                assert_eq!((seq, hash), (head.seq, head.hash.clone()));
                assert_eq!(store, format!("postgresql ledger {name:?}"));
            }
            other => panic!("expected CONFLICT, got {other:?}"),
        }
        // A stale batch: one transaction, refused whole.
        let batch = vec![stamped(donor("DK"), 3), stamped(donor("FI"), 4), stamped(donor("IS"), 5)];
        assert_eq!(b.apply_batch(&batch).await.unwrap_err().code(), "CONFLICT");
        assert_eq!(b.store_head().await.unwrap(), head, "nothing was written");
        assert_eq!(b.read(books).await, before, "the refused writer is as it was");

        assert_eq!(b.refresh().await.unwrap(), 1);
        let applied = b.apply(&keyed).await.unwrap();
        b.apply_batch(&batch).await.unwrap();
        // `a` is stale now; retrying catches up, and the key makes the command land once.
        let again = a.apply_with_retries(&keyed, 3).await.unwrap();
        assert!(again.duplicate);
        assert_eq!(again.seq, applied.seq);
        assert_eq!(a.read(books).await, b.read(books).await);
        let fresh = PgLedger::open(&dsn, &name).await.unwrap();
        assert_eq!(fresh.head().await.seq, 5);
        assert_eq!(fresh.read(books).await, a.read(books).await);
    });
}

#[test]
fn the_journal_table_refuses_update_delete_and_truncate() {
    let dsn = server!();
    support::runtime().block_on(async {
        let name = unique("append-only");
        let ledger = PgLedger::connect(&dsn, &name).await.unwrap();
        ledger.apply(&stamped(donor("SE"), 1)).await.unwrap();
        let raw = support::raw(&dsn).await;
        for statement in [
            "UPDATE funding_window.journal SET line = line WHERE ledger = $1",
            "DELETE FROM funding_window.journal WHERE ledger = $1",
        ] {
            let err = raw.execute(statement, &[&name]).await.unwrap_err();
            assert!(err.as_db_error().unwrap().message().contains("append-only"), "{statement}: {err:?}");
        }
        let err = raw.batch_execute("TRUNCATE funding_window.journal CASCADE").await.unwrap_err();
        assert!(err.as_db_error().unwrap().message().contains("append-only"), "{err:?}");
        assert_eq!(PgLedger::open(&dsn, &name).await.unwrap().head().await, ledger.head().await);
    });
}

#[test]
fn the_blocking_store_is_a_ledger_like_any_other() {
    let dsn = server!();
    let name = unique("blocking");
    let mut ledger = funding_window_postgres::connect(&dsn, &name).unwrap();
    ledger.apply(stamped(donor("SE"), 1)).unwrap();
    assert_eq!(ledger.store_description(), format!("postgresql ledger {name:?}"));
    // Another writer (the async handle) appends: the blocking ledger conflicts, catches up.
    support::runtime().block_on(async {
        let other = PgLedger::connect(&dsn, &name).await.unwrap();
        other.apply(&stamped(donor("NO"), 2)).await.unwrap();
        // Inside a runtime the blocking store refuses rather than blocking it (or panicking).
        let err = funding_window_postgres::connect(&dsn, &name).unwrap_err();
        assert_eq!(err.code(), "IO_ERROR");
        assert!(err.to_string().contains("async runtime"), "{err}");
    });
    assert_eq!(ledger.apply(stamped(donor("DK"), 3)).unwrap_err().code(), "CONFLICT");
    assert_eq!(ledger.refresh().unwrap(), 1);
    ledger.apply_batch([stamped(donor("DK"), 3), stamped(donor("FI"), 4)]).unwrap();
    let reopened = funding_window_postgres::connect(&dsn, &name).unwrap();
    assert_eq!(books(&reopened), books(&ledger));
    assert_eq!(reopened.len(), 4);
    // Its text is what a journal file of the same entries holds.
    let file = Ledger::from_journal(&reopened.to_journal().unwrap()).unwrap();
    assert_eq!(books(&file), books(&ledger));
}

#[test]
fn a_missing_ledger_a_bad_connection_string_and_no_server_are_typed_errors() {
    let dsn = server!();
    support::runtime().block_on(async {
        let missing = PgLedger::open(&dsn, &unique("missing")).await.unwrap_err();
        assert_eq!(missing.code(), "INVALID_ARGUMENT");
        assert_eq!(PgLedger::connect("host=/x port=notaport", "l").await.unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(PgLedger::connect(&dsn, "").await.unwrap_err().code(), "INVALID_ARGUMENT");
        let nowhere = PgLedger::connect("host=/nonexistent/fw-no-server user=postgres", "l").await.unwrap_err();
        assert_eq!(nowhere.code(), "STORE_UNAVAILABLE", "{nowhere}");
    });
    assert_eq!(
        funding_window_postgres::connect("host=/nonexistent/fw-no-server user=postgres", "l").unwrap_err().code(),
        "STORE_UNAVAILABLE"
    );
}
