//! The service end to end: a real process, real HTTP on 127.0.0.1, a real PostgreSQL.
//!
//! Needs `FW_PG_URL` (`make test-postgres` sets it); without it each test says why and
//! skips, unless `FW_PG_REQUIRED=1`.

mod support;

use serde_json::{json, Value};
use support::{ledger_name, pg, Http, Service, TempDir, Tokens};

const PEOPLE: [(&str, &str); 6] = [
    ("ana", "admin"),
    ("rui", "recorder"),
    ("eva", "approver"),
    ("ida", "approver"),
    ("rey", "reader"),
    ("max", "recorder"),
];

struct Setup {
    _dir: TempDir,
    tokens: Tokens,
    service: Service,
    http: Http,
    dsn: String,
    ledger: String,
}

fn setup(tag: &str, extra: &[(&str, &str)]) -> Option<Setup> {
    let dsn = pg()?;
    let dir = TempDir::new(tag);
    let tokens = Tokens::mint(&dir, &PEOPLE);
    let ledger = ledger_name(tag);
    let service = Service::start(&dsn, &ledger, &tokens, extra);
    let http = Http::new(&service.url);
    Some(Setup { _dir: dir, tokens, service, http, dsn, ledger })
}

fn funding() -> Value {
    json!([
        {"type": "register_donor", "id": "NO", "name": "Norway", "kind": "member_state"},
        {"type": "sign_agreement", "id": "CA-NO-1", "donor": "NO", "currency": "USD", "amount": "1000.00",
         "signed_on": "2024-02-01", "psc_rate": "0.07", "elective_transfer": false,
         "purpose": {"window": {"earmarked_to": []}}},
        {"type": "record_receipt", "agreement": "CA-NO-1", "amount": "1000.00", "received_on": "2024-03-01"}
    ])
}

fn allocation(id: &str, amount: &str) -> Value {
    json!({"type": "allocate", "id": id, "decided_on": "2024-04-01", "amount": amount, "policy": "equal",
           "resolutions": ["2/1", "2/2"]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_api_end_to_end() {
    let Some(s) = setup("e2e", &[]) else { return };
    let (http, rui, rey) = (&s.http, s.tokens.of("rui"), s.tokens.of("rey"));

    // Health, readiness and the document need no token.
    assert_eq!(http.get("/health", None).await.json["status"], "up");
    let ready = http.get("/ready", None).await;
    assert_eq!((ready.status, ready.json["seq"].as_u64()), (200, Some(0)), "{}", ready.text);
    let document = http.get("/openapi.json", None).await;
    assert_eq!(document.json["openapi"], "3.1.0");
    assert_eq!(http.get("/whoami", Some(rui)).await.json, json!({"name": "rui", "role": "recorder"}));

    // A batch: every command applied, in order, recorded by the caller.
    let batch = http.post("/commands", Some(rui), &funding()).await;
    assert_eq!(batch.status, 200, "{}", batch.text);
    let seqs: Vec<u64> = batch.json.as_array().unwrap().iter().map(|a| a["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3]);

    // One command with an Idempotency-Key header: the key is the command's; a second
    // submission is the same entry, answered as a duplicate; a different body key is refused.
    let donor = json!({"type": "register_donor", "id": "SE", "name": "Sweden", "kind": "member_state"});
    let keyed = |key: &str, body: &Value| {
        http.client.post(http.url("/commands")).bearer_auth(rui).header("Idempotency-Key", key).json(body)
    };
    let first = http.send(keyed("donor-SE", &donor)).await;
    assert_eq!(
        (first.status, first.json["seq"].as_u64(), first.json["duplicate"].as_bool()),
        (200, Some(4), Some(false)),
        "{}",
        first.text
    );
    let again = http.send(keyed("donor-SE", &donor)).await;
    assert_eq!((again.json["seq"].as_u64(), again.json["duplicate"].as_bool()), (Some(4), Some(true)));
    let mut with_key = donor.clone();
    with_key["idempotency_key"] = json!("another");
    let mismatch = http.send(keyed("donor-SE", &with_key)).await;
    assert_eq!((mismatch.status, mismatch.code()), (400, "IDEMPOTENCY_KEY_MISMATCH"), "{}", mismatch.text);
    with_key["idempotency_key"] = json!("donor-SE");
    assert_eq!(http.send(keyed("donor-SE", &with_key)).await.json["duplicate"], true);

    // The journal, paged, says who recorded what and with which key.
    let page = http.get("/journal?from=1&limit=2", Some(rey)).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.json["entries"].as_array().unwrap().len(), 2);
    assert_eq!((page.json["next"].as_u64(), page.json["head"]["seq"].as_u64()), (Some(3), Some(4)));
    assert_eq!(page.seq(), Some(4));
    let rest = http.get("/journal?from=3", Some(rey)).await;
    let entries = rest.json["entries"].as_array().unwrap();
    assert_eq!(entries.iter().map(|e| e["seq"].as_u64().unwrap()).collect::<Vec<_>>(), [3, 4]);
    assert!(entries.iter().all(|e| e["recorded_by"] == "rui"), "{}", rest.text);
    assert_eq!(entries[1]["idempotency_key"], "donor-SE");
    assert_eq!(rest.json["next"], 5);
    let beyond = http.get("/journal?from=5", Some(rey)).await;
    assert_eq!((beyond.status, beyond.json["entries"].as_array().map(Vec::len)), (200, Some(0)));

    // Reports, as the core computes them.
    let tb = http.get("/reports/trial_balance", Some(rey)).await;
    assert_eq!(tb.status, 200, "{}", tb.text);
    assert!(tb.json["totals"].as_object().unwrap().values().all(|t| t == "0.00" || t == "0"), "{}", tb.text);
    let window = http.get("/reports/window_balance", Some(rey)).await;
    assert_eq!(window.json["unallocated"], "1000.00", "{}", window.text);
    let before = http.get("/reports/window_balance?as_of=2024-01-15", Some(rey)).await;
    assert_eq!(before.json["unallocated"], "0.00", "{}", before.text);
    let statement = http.get("/reports/window_statement?period=2024-H1", Some(rey)).await;
    assert_eq!(statement.status, 200, "{}", statement.text);
    assert!(statement.text.contains("1000.00"), "{}", statement.text);
    let tracker = http.get("/reports/resolution_tracker?period=2024-H1", Some(rey)).await;
    assert_eq!(tracker.status, 200, "{}", tracker.text);
    // Every period form of the core: a year, a quarter, a month, a range of dates; the
    // statement's closing balance is the same at the same last day.
    let closing = |answer: &support::Answer| answer.json["closing"]["total"].clone();
    for query in ["period=2024", "period=2024-Q2", "period=2024-06", "from=2024-01-01&to=2024-06-30"] {
        let answer = http.get(&format!("/reports/window_statement?{query}"), Some(rey)).await;
        assert_eq!(answer.status, 200, "{query}: {}", answer.text);
        assert_eq!(closing(&answer), "1000.00", "{query}: {}", answer.text);
    }
    let february = http.get("/reports/window_statement?from=2024-01-01&to=2024-02-29", Some(rey)).await;
    assert_eq!(february.json["closing"]["total"], "1000.00", "signed on 2024-02-01: {}", february.text);
    let january = http.get("/reports/window_statement?period=2024-01", Some(rey)).await;
    assert_eq!(january.json["closing"]["total"], "0.00", "{}", january.text);
    let table = http.get("/tables/resolution_tracker?period=2024-Q1", Some(rey)).await;
    assert_eq!((table.status, table.json["report"].as_str()), (200, Some("resolution_tracker")), "{}", table.text);
    assert_eq!(table.json["rows"][0][0], "2024-Q1", "the table's first column is the period: {}", table.text);
    let donor_statement = http.get("/reports/donor_statement?donor=NO", Some(rey)).await;
    assert_eq!(donor_statement.json["agreements"][0]["received"], "1000.00", "{}", donor_statement.text);
    let everyone = http.get("/reports/donor_statement", Some(rey)).await;
    assert_eq!(everyone.json.as_array().map(Vec::len), Some(2), "{}", everyone.text);
    let donors = http.get("/reports/donors", Some(rey)).await;
    assert_eq!(donors.json.as_array().map(Vec::len), Some(2));
    for (path, status, code) in [
        ("/reports/donor_statement?donor=XX", 404, "UNKNOWN_DONOR"),
        ("/reports/window_statement?period=2024-H3", 400, "INVALID_ARGUMENT"),
        ("/reports/window_statement?period=2024-Q5", 400, "INVALID_ARGUMENT"),
        ("/reports/window_statement?from=2024-07-01", 400, "INVALID_ARGUMENT"),
        ("/reports/window_statement?from=2024-07-01&to=2024-06-30", 400, "INVALID_ARGUMENT"),
        ("/reports/window_statement?period=2024&from=2024-01-01&to=2024-02-01", 400, "INVALID_ARGUMENT"),
        ("/reports/window_statement", 400, "INVALID_ARGUMENT"),
        ("/reports/trial_balance?as_of=yesterday", 400, "INVALID_ARGUMENT"),
        ("/reports/trial_balance?period=2024-H1", 400, "INVALID_ARGUMENT"),
        ("/reports/window_balance?as_of=2024-01-01&as_of=2024-02-01", 400, "INVALID_ARGUMENT"),
        ("/reports/balance_sheet", 404, "NOT_FOUND"),
    ] {
        let answer = http.get(path, Some(rey)).await;
        assert_eq!((answer.status, answer.code()), (status, code), "{path}: {}", answer.text);
    }

    // Exports: the core's bytes with their media types.
    let csv = http.get("/exports/csv/trial_balance", Some(rey)).await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(csv.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.text.starts_with("account,"), "{}", csv.text);
    let csv_donor = http.get("/exports/csv/donor_statement?donor=NO", Some(rey)).await;
    assert!(csv_donor.text.contains("CA-NO-1"), "{}", csv_donor.text);
    let iati = http.get("/exports/iati?generated_at=2025-01-15T09:00:00Z&include_projects=false", Some(rey)).await;
    assert_eq!(iati.status, 200, "{}", iati.text);
    assert!(iati.text.starts_with("<?xml") && iati.text.contains("iati-activities"), "{}", iati.text);
    let iati_bad = http.get("/exports/iati?generated_at=tomorrow", Some(rey)).await;
    assert_eq!((iati_bad.status, iati_bad.code()), (400, "INVALID_ARGUMENT"));
    let hledger = http.get("/exports/hledger", Some(rey)).await;
    assert!(hledger.text.contains("CA-NO-1"), "{}", hledger.text);
    assert!(hledger.headers["content-type"].to_str().unwrap().starts_with("text/plain"));

    // A command the ledger refuses: its code and fields, 422, nothing written.
    let too_much =
        json!({"type": "record_receipt", "agreement": "CA-NO-1", "amount": "1.00", "received_on": "2024-03-02"});
    let refused = http.post("/commands", Some(rui), &too_much).await;
    assert_eq!((refused.status, refused.code()), (422, "EXCEEDS_OUTSTANDING"), "{}", refused.text);
    assert_eq!(refused.json["outstanding"], "0.00");
    assert!(refused.json["message"].as_str().unwrap().contains("outstanding"));
    let unknown = http
        .post(
            "/commands",
            Some(rui),
            &json!({"type": "record_receipt", "agreement": "CA-XX", "amount": "1.00", "received_on": "2024-03-02"}),
        )
        .await;
    assert_eq!((unknown.status, unknown.code()), (422, "UNKNOWN_AGREEMENT"), "{}", unknown.text);
    let bad_batch = http.post("/commands", Some(rui), &json!([donor_json("DK"), too_much])).await;
    assert_eq!(
        (bad_batch.status, bad_batch.code(), bad_batch.json["index"].as_u64()),
        (422, "EXCEEDS_OUTSTANDING", Some(1))
    );
    assert_eq!(http.journal_len(rey).await, 4, "nothing of a refused command or batch is written");

    // Every answer above was checked against the OpenAPI document, and the check has teeth.
    let checked = http.checked.load(std::sync::atomic::Ordering::Relaxed);
    assert!(checked > 30, "{checked} answers checked");
    let forged =
        support::Answer { status: 200, headers: Default::default(), text: String::new(), json: json!({"id": 7}) };
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        http.check_schema("#/components/schemas/Proposal", &forged, "get", "/x")
    }));
    assert!(caught.is_err(), "a body unlike its schema is caught");
}

fn donor_json(id: &str) -> Value {
    json!({"type": "register_donor", "id": id, "name": format!("Donor {id}"), "kind": "member_state"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_role_is_refused_what_it_may_not_do_and_nothing_is_written() {
    let Some(s) = setup("roles", &[]) else { return };
    let http = &s.http;
    let [ana, rui, eva, rey] = ["ana", "rui", "eva", "rey"].map(|n| s.tokens.of(n));
    assert_eq!(http.post("/commands", Some(rui), &funding()).await.status, 200);
    let before = http.get("/journal?from=1&limit=1000", Some(rey)).await.json;

    let configure = json!({"type": "configure", "four_eyes": true});
    let close = json!({"type": "close_period", "period": "2024-H1"});
    let forged = format!("{}0", &rui[..rui.len() - 1]);
    let cases: Vec<(Option<&str>, Value, u16, &str)> = vec![
        (None, donor_json("DK"), 401, "UNAUTHENTICATED"),
        (Some(forged.as_str()), donor_json("DK"), 401, "UNAUTHENTICATED"),
        (Some(rey), donor_json("DK"), 403, "FORBIDDEN"),
        (Some(rey), json!([donor_json("DK")]), 403, "FORBIDDEN"),
        (Some(rui), configure.clone(), 403, "FORBIDDEN"),
        (Some(eva), configure.clone(), 403, "FORBIDDEN"),
        (Some(rui), close.clone(), 403, "FORBIDDEN"),
        (Some(rui), json!([donor_json("DK"), close.clone()]), 403, "FORBIDDEN"),
        (
            Some(rui),
            json!({"type": "register_donor", "id": "DK", "name": "Denmark", "kind": "member_state", "recorded_by": "rui"}),
            400,
            "FIELD_SET_BY_SERVICE",
        ),
        (
            Some(ana),
            json!({"type": "register_donor", "id": "DK", "name": "Denmark", "kind": "member_state", "recorded_at": "2024-01-01T00:00:00Z"}),
            400,
            "FIELD_SET_BY_SERVICE",
        ),
        (
            Some(rui),
            {
                let mut a = allocation("EB-1", "10.00");
                a["approved_by"] = json!("eva");
                a
            },
            400,
            "FIELD_SET_BY_SERVICE",
        ),
        (
            Some(rui),
            json!([donor_json("DK"), {"type": "register_donor", "id": "FI", "name": "Finland", "kind": "member_state", "approved_by": "x"}]),
            400,
            "FIELD_SET_BY_SERVICE",
        ),
    ];
    for (token, body, status, code) in cases {
        let answer = http.post("/commands", token, &body).await;
        assert_eq!((answer.status, answer.code()), (status, code), "{body}: {}", answer.text);
        if status == 401 {
            assert_eq!(answer.headers["www-authenticate"], "Bearer");
        }
    }
    // Reads need a token too; approvals need an approver.
    for path in ["/reports/trial_balance", "/journal", "/exports/hledger", "/proposals", "/whoami"] {
        assert_eq!(http.get(path, None).await.status, 401, "{path}");
    }
    for (token, code) in [(rey, "FORBIDDEN"), (rui, "FORBIDDEN")] {
        let answer = http.post("/proposals/p-0/approve", Some(token), &json!({})).await;
        assert_eq!((answer.status, answer.code()), (403, code));
        let answer = http.post("/proposals/p-0/reject", Some(token), &json!({})).await;
        assert_eq!((answer.status, answer.code()), (403, code));
    }
    let after = http.get("/journal?from=1&limit=1000", Some(rey)).await.json;
    assert_eq!(before, after, "no refused request wrote anything");

    // What the roles may do, they can.
    assert_eq!(http.post("/commands", Some(ana), &configure).await.status, 200);
    assert_eq!(http.post("/commands", Some(ana), &close).await.status, 200);
    let recorded = http.post("/commands", Some(eva), &donor_json("DK")).await;
    assert_eq!(recorded.status, 200, "an approver may record: {}", recorded.text);
    let journal = http.get("/journal?from=4", Some(rey)).await.json;
    let by: Vec<&str> =
        journal["entries"].as_array().unwrap().iter().map(|e| e["recorded_by"].as_str().unwrap()).collect();
    assert_eq!(by, ["ana", "ana", "eva"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_input_is_refused_with_typed_errors_and_changes_nothing() {
    let Some(s) = setup("bad", &[("FW_BODY_LIMIT", "65536")]) else { return };
    let http = &s.http;
    let (rui, rey) = (s.tokens.of("rui"), s.tokens.of("rey"));
    assert_eq!(http.post("/commands", Some(rui), &funding()).await.status, 200);
    let before = http.get("/journal?from=1&limit=1000", Some(rey)).await.json;
    let post_raw = |body: Vec<u8>, content_type: &str| {
        http.client.post(http.url("/commands")).bearer_auth(rui).header("content-type", content_type).body(body)
    };
    let receipt = |amount: Value| json!({"type": "record_receipt", "agreement": "CA-NO-1", "amount": amount, "received_on": "2024-03-02"});
    let huge = format!("[{}]", vec![donor_json("XX").to_string(); 2000].join(","));
    assert!(huge.len() > 65536);
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (post_raw(b"{\"type\": \"register_donor\",".to_vec(), "application/json"), 400, "INVALID_COMMAND"),
        (post_raw(b"".to_vec(), "application/json"), 400, "INVALID_COMMAND"),
        (post_raw(b"\"register_donor\"".to_vec(), "application/json"), 400, "INVALID_COMMAND"),
        (post_raw(b"\xff\xfe".to_vec(), "application/json"), 400, "INVALID_COMMAND"),
        (post_raw(donor_json("DK").to_string().into_bytes(), "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE"),
        (
            post_raw(donor_json("DK").to_string().into_bytes(), "application/x-www-form-urlencoded"),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            http.client.post(http.url("/commands")).bearer_auth(rui).body(donor_json("DK").to_string()),
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            http.client
                .post(http.url("/commands"))
                .bearer_auth(rui)
                .json(&json!({"type": "mint_money", "amount": "1.00"})),
            400,
            "INVALID_COMMAND",
        ),
        (http.client.post(http.url("/commands")).bearer_auth(rui).json(&receipt(json!(1.5))), 400, "INVALID_COMMAND"),
        (
            http.client.post(http.url("/commands")).bearer_auth(rui).json(&receipt(json!("1.005"))),
            400,
            "PRECISION_EXCEEDED",
        ),
        (http.client.post(http.url("/commands")).bearer_auth(rui).json(&receipt(json!("1e3"))), 400, "INVALID_AMOUNT"),
        (
            http.client.post(http.url("/commands")).bearer_auth(rui).json(&json!([donor_json("DK"), 7])),
            400,
            "INVALID_COMMAND",
        ),
        (http.client.get(http.url("/ledger")).bearer_auth(rui), 404, "NOT_FOUND"),
        (http.client.get(http.url("/commands")).bearer_auth(rui), 405, "METHOD_NOT_ALLOWED"),
        (http.client.delete(http.url("/journal")).bearer_auth(rui), 405, "METHOD_NOT_ALLOWED"),
        (http.client.put(http.url("/proposals/p-1/approve")).bearer_auth(rui), 405, "METHOD_NOT_ALLOWED"),
        (http.client.get(http.url("/journal?from=0")).bearer_auth(rey), 400, "INVALID_ARGUMENT"),
        (http.client.get(http.url("/journal?from=-1")).bearer_auth(rey), 400, "INVALID_ARGUMENT"),
        (http.client.get(http.url("/journal?from=abc")).bearer_auth(rey), 400, "INVALID_ARGUMENT"),
        (http.client.get(http.url("/journal?from=99999999999999999999999")).bearer_auth(rey), 400, "INVALID_ARGUMENT"),
        (http.client.get(http.url("/journal?limit=1001")).bearer_auth(rey), 400, "INVALID_ARGUMENT"),
        (http.client.get(http.url("/journal?since=1")).bearer_auth(rey), 400, "INVALID_ARGUMENT"),
        (
            http.client.get(http.url("/reports/resolution_tracker?period=H2-2024")).bearer_auth(rey),
            400,
            "INVALID_ARGUMENT",
        ),
        (
            http.client.get(http.url("/reports/resolution_tracker?period=2024-H1%00")).bearer_auth(rey),
            400,
            "INVALID_ARGUMENT",
        ),
        (http.client.get(http.url("/proposals?status=maybe")).bearer_auth(rey), 400, "INVALID_ARGUMENT"),
        (
            http.client.get(http.url("/proposals/p-00000000000000000000000000000000")).bearer_auth(rey),
            404,
            "PROPOSAL_NOT_FOUND",
        ),
    ];
    for (request, status, code) in cases {
        let answer = http.send(request).await;
        assert_eq!((answer.status, answer.code()), (status, code), "{}", answer.text);
        assert!(answer.json["message"].is_string(), "every error has a message: {}", answer.text);
        assert!(answer.headers["content-type"].to_str().unwrap().starts_with("application/json"));
    }
    // Bodies over the limit: declared (Content-Length) or found while reading (chunked).
    let declared = format!(
        "POST /commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {rui}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        huge.len()
    );
    let mut chunked = Vec::new();
    for piece in huge.as_bytes().chunks(4096) {
        chunked.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        chunked.extend_from_slice(piece);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let streamed = format!(
        "POST /commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {rui}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    for (head, body) in [(declared, huge.as_bytes().to_vec()), (streamed, chunked)] {
        let base = http.base.clone();
        let (status, json) =
            tokio::task::spawn_blocking(move || support::raw_request(&base, &head, &body)).await.unwrap();
        assert_eq!((status, json["code"].as_str()), (413, Some("BODY_TOO_LARGE")), "{json}");
        assert_eq!(json["limit"], 65536);
    }
    let after = http.get("/journal?from=1&limit=1000", Some(rey)).await.json;
    assert_eq!(before, after, "no refused request wrote anything");
    let ready = http.get("/ready", None).await;
    assert_eq!(ready.status, 200, "the service is still up: {}", ready.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_eyes_a_second_person_approves_once_and_proposals_survive_restarts() {
    let Some(mut s) = setup("four-eyes", &[]) else { return };
    let [ana, rui, eva, ida, rey, max] = ["ana", "rui", "eva", "ida", "rey", "max"].map(|n| s.tokens.of(n).to_owned());
    let http = s.http.clone();
    assert_eq!(http.post("/commands", Some(&rui), &funding()).await.status, 200);

    // Without four-eyes an allocation applies at once.
    let direct = http.post("/commands", Some(&rui), &allocation("EB-0", "10.00")).await;
    assert_eq!(direct.status, 200, "{}", direct.text);
    assert_eq!(http.post("/commands", Some(&ana), &json!({"type": "configure", "four_eyes": true})).await.status, 200);
    let len = http.journal_len(&rey).await;

    // Under four-eyes it becomes a pending proposal; nothing is written.
    let proposed = http.post("/commands", Some(&rui), &allocation("EB-1", "100.00")).await;
    assert_eq!((proposed.status, proposed.json["status"].as_str()), (201, Some("pending")), "{}", proposed.text);
    let id = proposed.json["id"].as_str().unwrap().to_owned();
    assert_eq!(proposed.json["recorded_by"], "rui");
    assert_eq!(http.journal_len(&rey).await, len);
    let listed = http.get("/proposals?status=pending", Some(&rey)).await;
    assert_eq!(listed.json.as_array().unwrap().iter().map(|p| p["id"].clone()).collect::<Vec<_>>(), [json!(id)]);

    // An approver's own proposal: refused to them, and approved by another.
    let own = http.post("/commands", Some(&eva), &allocation("EB-2", "50.00")).await;
    assert_eq!(own.status, 201, "{}", own.text);
    let own_id = own.json["id"].as_str().unwrap().to_owned();
    let self_approval = http.post(&format!("/proposals/{own_id}/approve"), Some(&eva), &json!({})).await;
    assert_eq!((self_approval.status, self_approval.code()), (403, "PROPOSAL_SELF_APPROVAL"));
    let self_rejection = http.post(&format!("/proposals/{own_id}/reject"), Some(&eva), &json!({})).await;
    assert_eq!((self_rejection.status, self_rejection.code()), (403, "PROPOSAL_SELF_APPROVAL"));
    assert_eq!(http.journal_len(&rey).await, len);

    // Approved by eva: applied once, with both names in the journal.
    let approved = http.post(&format!("/proposals/{id}/approve"), Some(&eva), &json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    let seq = approved.json["applied"]["seq"].as_u64().unwrap();
    assert_eq!(seq, len + 1);
    assert_eq!(
        (approved.json["proposal"]["status"].as_str(), approved.json["proposal"]["seq"].as_u64()),
        (Some("applied"), Some(seq))
    );
    let entry = &http.get(&format!("/journal?from={seq}&limit=1"), Some(&rey)).await.json["entries"][0];
    assert_eq!(entry["recorded_by"], "rui");
    assert_eq!(entry["command"]["approved_by"], "eva");
    assert_eq!(entry["idempotency_key"], format!("proposal:{id}"));
    for token in [&eva, &ida] {
        let again = http.post(&format!("/proposals/{id}/approve"), Some(token), &json!({})).await;
        assert_eq!(
            (again.status, again.code(), again.json["status"].as_str()),
            (409, "PROPOSAL_DECIDED", Some("applied"))
        );
    }
    assert_eq!(http.journal_len(&rey).await, len + 1);
    let rejected = http.post(&format!("/proposals/{own_id}/reject"), Some(&ida), &json!({})).await;
    assert_eq!((rejected.status, rejected.json["status"].as_str()), (200, Some("rejected")), "{}", rejected.text);
    let late = http.post(&format!("/proposals/{own_id}/approve"), Some(&ida), &json!({})).await;
    assert_eq!((late.status, late.code(), late.json["status"].as_str()), (409, "PROPOSAL_DECIDED", Some("rejected")));

    // A command the ledger refuses at approval (more than the window holds) goes back to pending.
    let greedy = http.post("/commands", Some(&max), &allocation("EB-9", "5000.00")).await;
    let greedy_id = greedy.json["id"].as_str().unwrap().to_owned();
    let refused = http.post(&format!("/proposals/{greedy_id}/approve"), Some(&eva), &json!({})).await;
    assert_eq!((refused.status, refused.code()), (422, "INSUFFICIENT_FUNDS"), "{}", refused.text);
    assert_eq!(http.get(&format!("/proposals/{greedy_id}"), Some(&rey)).await.json["status"], "pending");

    // The same Idempotency-Key names the same proposal; other content under it is refused.
    let keyed = |body: &Value| {
        http.client.post(http.url("/commands")).bearer_auth(&rui).header("Idempotency-Key", "eb-3").json(body)
    };
    let first = http.send(keyed(&allocation("EB-3", "20.00"))).await;
    let second = http.send(keyed(&allocation("EB-3", "20.00"))).await;
    assert_eq!((first.status, second.status), (201, 201));
    assert_eq!(first.json["id"], second.json["id"]);
    let reused = http.send(keyed(&allocation("EB-3", "30.00"))).await;
    assert_eq!((reused.status, reused.code()), (409, "IDEMPOTENCY_KEY_REUSED"));

    // Two approvers race for each of several proposals: exactly one wins each, and each
    // command is in the journal once.
    let mut ids = Vec::new();
    for n in 0..6 {
        let p = http.post("/commands", Some(&rui), &allocation(&format!("EB-R{n}"), "1.00")).await;
        ids.push(p.json["id"].as_str().unwrap().to_owned());
    }
    let len = http.journal_len(&rey).await;
    for id in &ids {
        let (path, empty) = (format!("/proposals/{id}/approve"), json!({}));
        let (a, b) = tokio::join!(http.post(&path, Some(&eva), &empty), http.post(&path, Some(&ida), &empty));
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{} / {}", a.text, b.text);
    }
    let journal = http.get(&format!("/journal?from={}", len + 1), Some(&rey)).await.json;
    let keys: Vec<&str> =
        journal["entries"].as_array().unwrap().iter().map(|e| e["idempotency_key"].as_str().unwrap()).collect();
    let expected: Vec<String> = ids.iter().map(|id| format!("proposal:{id}")).collect();
    assert_eq!(keys, expected.iter().map(String::as_str).collect::<Vec<_>>());

    // Proposals survive a restart; one claimed by an approver whose replica died before the
    // journal (status approved in the database) is applied by the next start, once.
    let pending = http.send(keyed(&allocation("EB-3", "20.00"))).await.json["id"].as_str().unwrap().to_owned();
    let claimed =
        http.post("/commands", Some(&rui), &allocation("EB-4", "2.00")).await.json["id"].as_str().unwrap().to_owned();
    let (client, connection) = tokio_postgres::connect(&s.dsn, tokio_postgres::NoTls).await.expect("connect");
    tokio::spawn(connection);
    let updated = client
        .execute(
            "UPDATE funding_window.proposals SET status = 'approved', decided_by = 'ida', decided_at = now() \
             WHERE ledger = $1 AND id = $2 AND status = 'pending'",
            &[&s.ledger, &claimed],
        )
        .await
        .expect("claim as a dying replica would");
    assert_eq!(updated, 1);
    let len = http.journal_len(&rey).await;
    s.service.kill();
    let restarted = Service::start(&s.dsn, &s.ledger, &s.tokens, &[]);
    let http = Http::new(&restarted.url);
    let resumed = http.get(&format!("/proposals/{claimed}"), Some(&rey)).await;
    assert_eq!(
        (resumed.json["status"].as_str(), resumed.json["seq"].as_u64()),
        (Some("applied"), Some(len + 1)),
        "{}",
        resumed.text
    );
    assert_eq!(http.get(&format!("/proposals/{pending}"), Some(&rey)).await.json["status"], "pending");
    let approved = http.post(&format!("/proposals/{pending}/approve"), Some(&ida), &json!({})).await;
    assert_eq!(approved.json["applied"]["seq"].as_u64(), Some(len + 2), "{}", approved.text);
    let entry = &http.get(&format!("/journal?from={}&limit=1", len + 1), Some(&rey)).await.json["entries"][0];
    assert_eq!((entry["recorded_by"].as_str(), entry["command"]["approved_by"].as_str()), (Some("rui"), Some("ida")));
    assert_eq!(http.journal_len(&rey).await, len + 2);
}
