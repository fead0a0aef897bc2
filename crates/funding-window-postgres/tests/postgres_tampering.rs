//! Rows altered in the database behind the ledger's back are refused when the ledger is
//! opened, naming the entry (`JOURNAL_CORRUPT`, line `seq + 1`): a line changed with its
//! hash left as it was, a line changed with every later hash recomputed, a hash column
//! that disagrees with its line, a missing row. A rewrite consistent throughout (commands,
//! postings and every hash recomputed) is another valid history: opening cannot know, but
//! a running writer notices, and so does a chain head kept elsewhere.
//!
//! The triggers refuse `UPDATE`; these tests change rows as the table's owner could, in a
//! session whose triggers are off (`session_replication_role = replica`).

mod support;

use attacker::rechain;
use funding_window::{Ledger, LedgerError};
use funding_window_postgres::PgLedger;
use serde_json::json;
use support::{stamped, unique};

/// Recomputing hashes, as an attacker would (SHA-256, in the database itself: `sha256()`).
mod attacker {
    /// The journal's lines from `from` on, re-hashed in order after `prev` (hex), as SQL
    /// run by the database: each line's hash member replaced by the chained hash.
    pub async fn rechain(client: &tokio_postgres::Client, ledger: &str, from: i64) {
        let rows = client
            .query(
                "SELECT seq, line FROM funding_window.journal WHERE ledger = $1 AND seq >= $2 ORDER BY seq",
                &[&ledger, &from],
            )
            .await
            .unwrap();
        let mut prev: Vec<u8> = if from == 1 {
            vec![0; 32]
        } else {
            let row = client
                .query_one(
                    "SELECT hash FROM funding_window.journal WHERE ledger = $1 AND seq = $2",
                    &[&ledger, &(from - 1)],
                )
                .await
                .unwrap();
            hex_decode(row.get::<_, &str>(0))
        };
        for row in rows {
            let seq: i64 = row.get(0);
            let line: &[u8] = row.get(1);
            let body = &line[..line.len() - (9 + 64 + 2)];
            let mut data = prev.clone();
            data.extend_from_slice(body);
            data.push(b'}');
            let digest: Vec<u8> = client.query_one("SELECT sha256($1::bytea)", &[&data]).await.unwrap().get(0);
            let hash = hex_encode(&digest);
            let mut new_line = body.to_vec();
            new_line.extend_from_slice(format!(",\"hash\":\"{hash}\"}}").as_bytes());
            client
                .execute(
                    "UPDATE funding_window.journal SET line = $3, hash = $4 WHERE ledger = $1 AND seq = $2",
                    &[&ledger, &seq, &new_line, &hash],
                )
                .await
                .unwrap();
            prev = digest;
        }
    }

    fn hex_encode(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn hex_decode(text: &str) -> Vec<u8> {
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
    }
}

/// A ledger of a dozen entries (rates, conversions, receipts, an allocation) in the database.
async fn ledger(dsn: &str, name: &str) -> PgLedger {
    let ledger = PgLedger::connect(dsn, name).await.unwrap();
    let commands = [
        json!({"type": "register_donor", "id": "SE", "name": "Sweden", "kind": "member_state"}),
        json!({"type": "set_rate", "currency": "SEK", "month": "2024-03", "per_usd": "10.4512"}),
        json!({"type": "sign_agreement", "id": "CA-SE", "donor": "SE", "currency": "SEK", "amount": "1000000.00",
               "signed_on": "2024-03-12", "psc_rate": "0.07", "elective_transfer": false,
               "purpose": {"window": {"earmarked_to": []}}}),
        json!({"type": "record_receipt", "agreement": "CA-SE", "amount": "400000.00", "received_on": "2024-03-20"}),
        json!({"type": "allocate", "id": "EB-1", "decided_on": "2024-04-01", "amount": "20000.00", "policy": "equal",
               "resolutions": ["2/2", "2/9"], "approved_by": "Executive Director"}),
        json!({"type": "register_donor", "id": "NO", "name": "Norway", "kind": "member_state"}),
    ];
    for (n, cmd) in commands.into_iter().enumerate() {
        ledger.apply(&stamped(cmd, n as u32)).await.unwrap();
    }
    ledger
}

/// Runs SQL with the triggers off (this session only).
async fn tamper(dsn: &str, sql: &str, name: &str) -> tokio_postgres::Client {
    let client = support::raw(dsn).await;
    client.batch_execute("SET session_replication_role = replica").await.unwrap();
    if !sql.is_empty() {
        assert_eq!(client.execute(sql, &[&name]).await.unwrap(), 1, "{sql}");
    }
    client
}

/// Opening (async and blocking) refuses the ledger at entry `seq`; returns the reason.
async fn refused_at(dsn: &str, name: &str, seq: u64) -> String {
    let reason = match PgLedger::open(dsn, name).await {
        Err(LedgerError::JournalCorrupt { line, entry, reason }) => {
            assert_eq!(entry, seq, "the refusal names the row's sequence number: {reason}");
            assert_eq!(line, seq + 1, "entry {seq} is line {}: {reason}", seq + 1);
            reason
        }
        other => panic!("expected JOURNAL_CORRUPT at entry {seq}, got {other:?}"),
    };
    // A thread of its own: the blocking store refuses to run inside a runtime's threads.
    let (dsn, name) = (dsn.to_owned(), name.to_owned());
    let blocking = std::thread::spawn(move || funding_window_postgres::connect(&dsn, &name).map(|_| ()));
    match blocking.join().unwrap() {
        Err(LedgerError::JournalCorrupt { line, entry, .. }) => assert_eq!((line, entry), (seq + 1, seq)),
        other => panic!("the blocking store opened a tampered ledger: {other:?}"),
    }
    reason
}

#[test]
fn a_line_changed_with_its_hash_left_is_refused_at_its_entry() {
    let dsn = server!();
    support::runtime().block_on(async {
        let name = unique("tamper-hash-kept");
        drop(ledger(&dsn, &name).await);
        tamper(
            &dsn,
            "UPDATE funding_window.journal SET line = convert_to(replace(convert_from(line, 'UTF8'), \
                      '\"Norway\"', '\"Narway\"'), 'UTF8') WHERE ledger = $1 AND seq = 6",
            &name,
        )
        .await;
        let reason = refused_at(&dsn, &name, 6).await;
        assert!(reason.contains("hash does not match"), "{reason}");
    });
}

#[test]
fn changed_postings_are_refused_even_with_every_hash_recomputed() {
    let dsn = server!();
    support::runtime().block_on(async {
        let name = unique("tamper-postings");
        drop(ledger(&dsn, &name).await);
        // Entry 4 (the receipt): move 1,000 SEK of its cash elsewhere, and re-hash 4..6.
        let client = tamper(
            &dsn,
            "UPDATE funding_window.journal SET line = convert_to(replace(convert_from(line, 'UTF8'), \
                      '\"amount\":\"400000.00\"}', '\"amount\":\"399000.00\"}'), 'UTF8') WHERE ledger = $1 AND seq = 4",
            &name,
        )
        .await;
        rechain(&client, &name, 4).await;
        let reason = refused_at(&dsn, &name, 4).await;
        assert!(reason.contains("postings"), "{reason}");
    });
}

#[test]
fn a_changed_command_is_refused_even_with_every_hash_recomputed() {
    let dsn = server!();
    support::runtime().block_on(async {
        let name = unique("tamper-command");
        drop(ledger(&dsn, &name).await);
        // Entry 5 (the allocation): a larger amount in the command, postings left alone.
        let client = tamper(
            &dsn,
            "UPDATE funding_window.journal SET line = convert_to(replace(convert_from(line, 'UTF8'), \
                      '\"amount\":\"20000.00\",\"policy\"', '\"amount\":\"90000.00\",\"policy\"'), 'UTF8') \
                      WHERE ledger = $1 AND seq = 5",
            &name,
        )
        .await;
        rechain(&client, &name, 5).await;
        let reason = refused_at(&dsn, &name, 5).await;
        assert!(reason.contains("postings"), "{reason}");
    });
}

#[test]
fn a_hash_column_or_a_missing_row_is_refused_at_its_entry() {
    let dsn = server!();
    support::runtime().block_on(async {
        let name = unique("tamper-column");
        drop(ledger(&dsn, &name).await);
        tamper(&dsn, "UPDATE funding_window.journal SET hash = repeat('0', 64) WHERE ledger = $1 AND seq = 3", &name)
            .await;
        let reason = refused_at(&dsn, &name, 3).await;
        assert!(reason.contains("hash column"), "{reason}");

        let name = unique("tamper-missing");
        drop(ledger(&dsn, &name).await);
        tamper(&dsn, "DELETE FROM funding_window.journal WHERE ledger = $1 AND seq = 2", &name).await;
        let reason = refused_at(&dsn, &name, 2).await;
        assert!(reason.contains("missing"), "{reason}");
    });
}

#[test]
fn a_consistent_rewrite_is_caught_by_a_running_writer_and_by_a_kept_head() {
    let dsn = server!();
    support::runtime().block_on(async {
        let name = unique("tamper-rewrite");
        let writer = ledger(&dsn, &name).await;
        let kept = writer.head().await;
        // Another history, valid throughout: Norway renamed in entry 6, its hash recomputed.
        let text = writer.read(|l| l.to_journal().unwrap().into_owned()).await;
        let mut rewritten = Ledger::new();
        for entry in Ledger::from_journal(&text).unwrap().entries().unwrap() {
            let mut command = serde_json::to_value(&entry.command).unwrap();
            if command["id"] == "NO" {
                command["name"] = json!("Narway");
            }
            command["recorded_at"] = json!(entry.recorded_at);
            rewritten.apply(support::request(command)).unwrap();
        }
        let line6 = rewritten.to_journal().unwrap().lines().nth(6).unwrap().to_owned();
        let hash6 = rewritten.chain_head();
        let client = tamper(&dsn, "", &name).await;
        client
            .execute(
                "UPDATE funding_window.journal SET line = $2, hash = $3 WHERE ledger = $1 AND seq = 6",
                &[&name, &line6.as_bytes(), &hash6],
            )
            .await
            .unwrap();
        // Opening cannot tell: every check holds. The kept head does not match.
        let opened = PgLedger::open(&dsn, &name).await.unwrap();
        assert_ne!(opened.head().await, kept);
        // The running writer notices at its next catch-up and its next append.
        match writer.refresh().await {
            Err(LedgerError::JournalCorrupt { line, entry, reason }) => {
                assert_eq!((line, entry), (7, 6));
                assert!(reason.contains("rewritten"), "{reason}");
            }
            other => panic!("the writer did not notice the rewrite: {other:?}"),
        }
        let err = writer.apply_with_retries(&stamped(support::donor("DK"), 9), 3).await.unwrap_err();
        assert_eq!(err.code(), "JOURNAL_CORRUPT", "{err}");
    });
}
