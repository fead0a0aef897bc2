//! Two replicas of the service on one PostgreSQL ledger, 16 concurrent clients, 20,000
//! commands; halfway, one replica is killed (SIGKILL) and its clients resend what it had not
//! answered to the other, with the same idempotency keys. Afterwards every command is in the
//! journal exactly once, every agreement received what was sent to it, and the journal
//! verifies from its first entry. Reads of one replica reflect what the other answered before
//! (each read catches up first). Prints latency percentiles and throughput (measured, not
//! asserted).
//!
//! `FW_LOAD_COMMANDS` changes the number of commands (20,000 by default).

mod support;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use funding_window_postgres::PgLedger;
use serde_json::{json, Value};
use support::{ledger_name, pg, Http, Service, TempDir, Tokens};

const CLIENTS: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_sixteen_clients_every_command_once_and_the_chain_verifies() {
    let Some(dsn) = pg() else { return };
    let total: usize = std::env::var("FW_LOAD_COMMANDS").ok().and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let per_client = total / CLIENTS;
    let dir = TempDir::new("load");
    let tokens = Tokens::mint(&dir, &[("clerk", "recorder"), ("audit", "reader")]);
    let ledger = ledger_name("load");
    let mut replicas = [Service::start(&dsn, &ledger, &tokens, &[]), Service::start(&dsn, &ledger, &tokens, &[])];
    let http: Vec<Http> = replicas.iter().map(|r| Http::new(&r.url)).collect();
    let (clerk, audit) = (tokens.of("clerk").to_owned(), tokens.of("audit").to_owned());

    // One agreement per client, large enough for every receipt.
    let mut setup = Vec::new();
    for c in 0..CLIENTS {
        setup.push(json!({"type": "register_donor", "id": format!("D{c}"), "name": format!("Donor {c}"), "kind": "member_state"}));
        setup.push(
            json!({"type": "sign_agreement", "id": format!("CA-{c}"), "donor": format!("D{c}"), "currency": "USD",
                          "amount": format!("{per_client}.00"), "signed_on": "2024-01-02", "psc_rate": "0.07",
                          "elective_transfer": false, "purpose": {"window": {"earmarked_to": []}}}),
        );
    }
    let answer = http[0].post("/commands", Some(&clerk), &Value::Array(setup)).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let base = 2 * CLIENTS as u64;

    let started = Instant::now();
    let done = Arc::new(AtomicUsize::new(0));
    let resent = Arc::new(AtomicUsize::new(0));
    let duplicates = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (mut mine, mut other) = (http[c % 2].clone(), http[(c + 1) % 2].clone());
        let (clerk, audit, done) = (clerk.clone(), audit.clone(), done.clone());
        let (resent, duplicates) = (resent.clone(), duplicates.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_client);
            for n in 0..per_client {
                let command = json!({"type": "record_receipt", "agreement": format!("CA-{c}"), "amount": "1.00",
                                     "received_on": "2024-03-01", "idempotency_key": format!("load-{c}-{n}")});
                let sent = Instant::now();
                let answer = match mine.try_post("/commands", &clerk, &command).await {
                    Ok(answer) => answer,
                    Err(_) => {
                        // This replica is gone: the same command (same key) to the other one,
                        // which answers it as a duplicate if the first had appended it.
                        std::mem::swap(&mut mine, &mut other);
                        resent.fetch_add(1, Ordering::Relaxed);
                        let answer = mine.post("/commands", Some(&clerk), &command).await;
                        if answer.json["duplicate"] == true {
                            // Appended by the killed replica, its answer lost: not appended again.
                            duplicates.fetch_add(1, Ordering::Relaxed);
                        }
                        answer
                    }
                };
                latencies.push(sent.elapsed());
                assert_eq!(answer.status, 200, "client {c} command {n}: {}", answer.text);
                done.fetch_add(1, Ordering::Relaxed);
                if n % 250 == 0 {
                    // The other replica's next read (while it lives) reflects this entry.
                    let seq = answer.json["seq"].as_u64().unwrap();
                    let path = format!("/journal?from={seq}&limit=1");
                    if let Ok(read) = other.try_send(other.client.get(other.url(&path)).bearer_auth(&audit)).await {
                        assert_eq!(
                            read.json["entries"][0]["idempotency_key"],
                            format!("load-{c}-{n}"),
                            "{}",
                            read.text
                        );
                        assert!(read.seq().unwrap() >= seq);
                    }
                }
            }
            latencies
        }));
    }
    // Halfway, the second replica dies without warning.
    while done.load(Ordering::Relaxed) < total / 2 && tasks.iter().any(|t| !t.is_finished()) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    replicas[1].kill();
    let mut latencies = Vec::with_capacity(total);
    for task in tasks {
        latencies.extend(
            tokio::time::timeout(Duration::from_secs(600), task).await.expect("bounded in time").expect("a client"),
        );
    }
    let resent = resent.load(Ordering::Relaxed);
    let duplicates = duplicates.load(Ordering::Relaxed);
    assert!(resent > 0, "the killed replica's clients moved to the other");
    let elapsed = started.elapsed();
    latencies.sort();
    let percentile = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let sent = latencies.len();
    // Straight to stderr, past the test harness's capture: `make test-postgres` shows the numbers.
    let _ = writeln!(
        std::io::stderr(),
        "load: {sent} commands, {CLIENTS} clients, 2 replicas (one killed halfway; {resent} commands resent, {duplicates} of them already appended): {:.0} commands/s over {:.1} s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        sent as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        percentile(0.50).as_secs_f64() * 1e3,
        percentile(0.99).as_secs_f64() * 1e3,
        latencies[sent - 1].as_secs_f64() * 1e3,
    );

    // Every command exactly once, read page by page from either replica.
    let mut keys = std::collections::BTreeMap::<String, u32>::new();
    let mut from = 1;
    let mut seqs = Vec::new();
    loop {
        let page = http[0].get(&format!("/journal?from={from}&limit=1000"), Some(&audit)).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let entries = page.json["entries"].as_array().unwrap();
        if entries.is_empty() {
            break;
        }
        for e in entries {
            seqs.push(e["seq"].as_u64().unwrap());
            if let Some(key) = e["idempotency_key"].as_str().filter(|k| k.starts_with("load-")) {
                *keys.entry(key.to_owned()).or_default() += 1;
            }
        }
        from = page.json["next"].as_u64().unwrap();
    }
    assert_eq!(seqs, (1..=base + sent as u64).collect::<Vec<_>>(), "one entry per command, no gap");
    assert_eq!(keys.len(), sent);
    assert!(keys.values().all(|n| *n == 1));
    for c in 0..CLIENTS {
        let statement = http[0].get(&format!("/reports/donor_statement?donor=D{c}"), Some(&audit)).await;
        assert_eq!(statement.json["agreements"][0]["received"], format!("{per_client}.00"), "{}", statement.text);
    }

    // The chain verifies: a fresh handle replays and checks every entry, and its head is the services'.
    let fresh = PgLedger::open(&dsn, &ledger).await.expect("the journal verifies");
    let head = fresh.head().await;
    assert_eq!(head.seq, base + sent as u64);
    let page = http[0].get(&format!("/journal?from={}&limit=1", head.seq), Some(&audit)).await;
    assert_eq!(page.json["head"]["hash"], head.hash);
    // The killed replica started again catches up to the same head.
    let again = Service::start(&dsn, &ledger, &tokens, &[]);
    let page = Http::new(&again.url).get("/journal?from=1&limit=1", Some(&audit)).await;
    assert_eq!(page.json["head"]["hash"], head.hash);
}
