//! The routes and their handlers.
//!
//! Every handler returns `Result<_, ApiError>`: refusals are values, never panics. Commands
//! and approvals run on a task of their own, so that a client that goes away or a request
//! that times out does not cut an append short; the idempotency key (the client's, one the
//! service assigns, or `proposal:<id>`) makes every retry of it land once.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request as HttpRequest, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use funding_window::export::{CsvReport, CSV_REPORTS};
use funding_window::{Applied, BatchError, IatiOptions, LedgerError, Request};
use funding_window_postgres::PgLedger;
use serde_json::{json, Map, Value};

use tower_http::services::ServeFile;

use crate::auth::{Identity, Role, Tokens};
use crate::error::{ApiError, During, ServiceCode};
use crate::proposals::{Claim, Proposal, Proposals};

/// Fields of a command the service sets from the authenticated identity and its clock.
pub const SET_BY_SERVICE: [&str; 3] = ["recorded_by", "approved_by", "recorded_at"];

/// The header carrying the sequence number of the last journal entry a read reflects.
pub const LEDGER_SEQ: HeaderName = HeaderName::from_static("x-ledger-seq");

/// Attempts of one round of `apply_batch_with_retries` (each catches up first).
const ATTEMPTS_PER_ROUND: u32 = 8;
/// Rounds, with a short random pause between them, before `CONFLICT` is answered.
const ROUNDS: u32 = 8;
/// Journal entries per page, by default and at most.
const PAGE_DEFAULT: u64 = 100;
const PAGE_MAX: u64 = 1000;
/// Proposals listed at most.
const PROPOSALS_MAX: i64 = 1000;

/// The dashboard's page files the service serves under `/dashboard/`.
const DASHBOARD_FILES: [&str; 5] = ["index.html", "app.js", "format.js", "service.js", "style.css"];

/// What every handler shares.
pub struct AppState {
    /// The ledger (this replica's handle).
    pub ledger: PgLedger,
    /// Its proposals.
    pub proposals: Proposals,
    /// The configured tokens.
    pub tokens: Tokens,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// The OpenAPI document, serialized once.
    pub openapi: Bytes,
}

/// The shared state.
pub type App = Arc<AppState>;

/// Where the dashboard's files are: its page's folder and the WebAssembly package's.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// `examples/dashboard`.
    pub page: PathBuf,
    /// `bindings/wasm/pkg/web` (the page imports it for the core's calendar and errors).
    pub package: Option<PathBuf>,
    /// `bindings/wasm-exports/pkg/web`: the exports module, which the page loads when asked for
    /// the Excel pack (served at `/dashboard/pkg-exports/`).
    pub exports_package: Option<PathBuf>,
}

/// The service's routes, with the timeout and the last-resort panic guard.
pub fn router(app: App, timeout: Duration, dashboard: Option<Dashboard>) -> Router {
    let mut router = Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/openapi.json", get(openapi))
        .route("/whoami", get(whoami))
        .route("/commands", post(submit))
        .route("/journal", get(journal))
        .route("/reports/{name}", get(report))
        .route("/exports/csv/{name}", get(export_csv))
        .route("/tables/{name}", get(table))
        .route("/exports/iati", get(export_iati))
        .route("/exports/hledger", get(export_hledger))
        .route("/exports/journal", get(export_journal))
        .route("/proposals", get(list_proposals))
        .route("/proposals/{id}", get(get_proposal))
        .route("/proposals/{id}/approve", post(approve))
        .route("/proposals/{id}/reject", post(reject));
    if let Some(Dashboard { page: dir, package, exports_package }) = dashboard {
        // The dashboard's page files (and nothing else of its folder): no data in them, so no
        // token; the page asks for one and sends it with its requests. Same origin: no CORS.
        router = router
            .route("/", get(|| async { axum::response::Redirect::to("/dashboard/") }))
            .route("/dashboard", get(|| async { axum::response::Redirect::to("/dashboard/") }))
            .route_service("/dashboard/", ServeFile::new(dir.join("index.html")));
        for file in DASHBOARD_FILES {
            router = router.route_service(&format!("/dashboard/{file}"), ServeFile::new(dir.join(file)));
        }
        if let Some(package) = package {
            router = router.nest_service("/dashboard/pkg", tower_http::services::ServeDir::new(package));
        }
        if let Some(package) = exports_package {
            router = router.nest_service("/dashboard/pkg-exports", tower_http::services::ServeDir::new(package));
        }
    }
    guarded(router.fallback(not_found).method_not_allowed_fallback(method_not_allowed).with_state(app), timeout)
}

/// The layers around every route: the request timeout and, last, a panic caught as a 500
/// `INTERNAL` answer (the handlers are written not to panic; this keeps the process serving
/// if one ever did).
fn guarded(router: Router, timeout: Duration) -> Router {
    router
        .layer(axum::middleware::from_fn(move |request, next| guard(timeout, request, next)))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(crate::error::panic_response))
}

/// A timeout for the whole request, and headers every answer carries.
async fn guard(timeout: Duration, request: HttpRequest, next: Next) -> Response {
    let mut response = match tokio::time::timeout(timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::service(
            ServiceCode::Timeout,
            format!("no answer within {} s", timeout.as_secs_f64()),
            json!({"timeout_seconds": timeout.as_secs_f64()}),
        )
        .into_response(),
    };
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}

async fn not_found() -> ApiError {
    ApiError::service(ServiceCode::NotFound, "no such route (see /openapi.json)", json!({}))
}

async fn method_not_allowed() -> ApiError {
    ApiError::service(ServiceCode::MethodNotAllowed, "this route does not take this method", json!({}))
}

async fn health() -> Json<Value> {
    Json(json!({"status": "up"}))
}

/// Ready when the database answers and this replica has caught up with the journal.
async fn ready(State(app): State<App>) -> Result<Response, ApiError> {
    app.proposals.ping().await.map_err(|e| ApiError::ledger(&e, During::Read))?;
    let seq = catch_up(&app).await?;
    Ok(with_seq(seq, Json(json!({"status": "ready", "seq": seq}))))
}

async fn openapi(State(app): State<App>) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], app.openapi.clone()).into_response()
}

async fn whoami(State(app): State<App>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let who = app.tokens.authenticate(&headers)?;
    Ok(Json(json!({"name": who.name, "role": who.role.name()})))
}

/// Catches up with what every replica appended: every read reflects at least every command
/// answered before it was asked, whichever replica answered it. Returns the head's `seq`.
async fn catch_up(app: &App) -> Result<u64, ApiError> {
    app.ledger.refresh().await.map_err(|e| ApiError::ledger(&e, During::Read))?;
    Ok(app.ledger.head().await.seq)
}

fn with_seq(seq: u64, body: impl IntoResponse) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(LEDGER_SEQ, HeaderValue::from(seq));
    response
}

// ---- commands ----------------------------------------------------------------------------

/// `POST /commands`: one command (an object) or a batch (an array), as the core parses them.
async fn submit(State(app): State<App>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let who = app.tokens.authenticate(&headers)?;
    who.require(Role::Recorder)?;
    let value = json_body(&app, &headers, body).await?;
    let header_key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .map_err(|_| ApiError::argument("Idempotency-Key", "", "the header must be visible ASCII"))?
                .to_owned(),
        ),
    };
    match value {
        Value::Array(items) => {
            let mut requests = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let key = header_key.as_ref().map(|k| format!("{k}:{i}"));
                let prepared = prepare(item, key.as_deref(), false, &who).map_err(|e| e.at(i))?;
                requests.push(prepared.request);
            }
            let applied = run(apply(app.ledger.clone(), requests)).await?.map_err(|e| ApiError::batch(&e))?;
            Ok((StatusCode::OK, Json(applied)).into_response())
        }
        value => {
            let prepared = prepare(value, header_key.as_deref(), true, &who).map_err(|e| e.error)?;
            let answer = run(apply(app.ledger.clone(), vec![prepared.request.clone()])).await?;
            match answer {
                Ok(mut applied) => {
                    let applied = applied.pop().ok_or_else(|| ApiError::internal("a command gave no result"))?;
                    Ok((StatusCode::OK, Json(applied)).into_response())
                }
                Err(BatchError { error: LedgerError::ApprovalRequired { .. }, .. }) => {
                    propose(&app, prepared, &who).await
                }
                Err(e) => Err(ApiError::ledger(&e.error, During::Command)),
            }
        }
    }
}

/// A command checked and completed by the service.
struct Prepared {
    request: Request,
    /// The command as submitted, without `idempotency_key` (what a proposal keeps).
    command: Value,
    /// The client's own idempotency key (not one the service assigned).
    client_key: Option<String>,
}

/// A refusal of one command of a batch, with its index.
struct ItemError {
    error: ApiError,
}

impl ItemError {
    fn at(self, index: usize) -> ApiError {
        self.error.with_index(index)
    }
}

impl From<ApiError> for ItemError {
    fn from(error: ApiError) -> Self {
        ItemError { error }
    }
}

/// Checks one command's JSON, reconciles its idempotency key with the header's, parses it
/// with the core, checks the caller's role for its type and sets `recorded_by`.
fn prepare(value: Value, header_key: Option<&str>, strict_key: bool, who: &Identity) -> Result<Prepared, ItemError> {
    let Value::Object(mut object) = value else {
        return Err(ApiError::ledger(
            &LedgerError::InvalidCommand { message: "expected a command (an object) or an array of commands".into() },
            During::Command,
        )
        .into());
    };
    if let Some(field) = SET_BY_SERVICE.iter().find(|f| object.contains_key(**f)) {
        return Err(ApiError::service(
            ServiceCode::FieldSetByService,
            format!("{field} is set by the service from the authenticated caller; leave it out"),
            json!({"field": field}),
        )
        .into());
    }
    let body_key = match object.get("idempotency_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(key)) => Some(key.clone()),
        // The core's parser says what is wrong with it.
        Some(_) => None,
    };
    let client_key = match (header_key, body_key) {
        (Some(header), Some(body)) if header != body && strict_key => {
            return Err(ApiError::service(
                ServiceCode::IdempotencyKeyMismatch,
                "the Idempotency-Key header and the body's idempotency_key differ",
                json!({"header": header, "body": body}),
            )
            .into());
        }
        (_, Some(body)) => Some(body),
        (Some(header), None) => Some(header.to_owned()),
        (None, None) => None,
    };
    let mut command = object.clone();
    command.remove("idempotency_key");
    if let Some(key) = &client_key {
        object.insert("idempotency_key".into(), Value::String(key.clone()));
    }
    let mut request = Request::from_value(Value::Object(object)).map_err(|e| ApiError::ledger(&e, During::Command))?;
    who.require(Role::for_command(request.command.type_name()))?;
    request.recorded_by = Some(who.name.clone());
    if request.idempotency_key.is_none() {
        // A key of the service's own makes the internal retries safe (an append whose
        // commit was cut off is found, not repeated).
        request.idempotency_key = Some(random_key("auto:").map_err(ItemError::from)?);
    }
    Ok(Prepared { request, command: Value::Object(command), client_key })
}

fn random_key(prefix: &str) -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(format!("no random bytes: {e}")))?;
    Ok(format!("{prefix}{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}

/// Applies commands (a batch of one is one command), catching up and retrying after
/// `CONFLICT` with a short random pause between rounds, and once after a lost connection
/// (every request has an idempotency key, so a retry never doubles an entry).
async fn apply(ledger: PgLedger, requests: Vec<Request>) -> Result<Vec<Applied>, BatchError> {
    let mut round = 0;
    let mut reconnected = false;
    loop {
        match ledger.apply_batch_with_retries(&requests, ATTEMPTS_PER_ROUND).await {
            Err(BatchError { error: LedgerError::Conflict { .. }, .. }) if round < ROUNDS => {
                round += 1;
                tokio::time::sleep(pause(round)).await;
            }
            Err(BatchError { error: LedgerError::StoreUnavailable { .. }, .. }) if !reconnected => {
                reconnected = true;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            other => return other,
        }
    }
}

/// Up to 2^round milliseconds (at most 64), at random: replicas that collided do not
/// collide again in step.
fn pause(round: u32) -> Duration {
    let mut byte = [0u8; 2];
    let spread = 1u64 << round.min(6);
    let jitter = getrandom::fill(&mut byte).map(|()| u64::from(u16::from_le_bytes(byte)) % spread).unwrap_or(spread);
    Duration::from_millis(1 + jitter)
}

/// Runs `work` on a task of its own and waits for it: the work completes even when this
/// request is abandoned. A panic in it is a 500, not a lost process.
async fn run<T: Send + 'static>(work: impl std::future::Future<Output = T> + Send + 'static) -> Result<T, ApiError> {
    tokio::spawn(work).await.map_err(|e| ApiError::internal(format!("the command's task failed: {e}")))
}

/// Reads a JSON body: `application/json` (415 otherwise), at most the limit (413), JSON (400).
async fn json_body(app: &App, headers: &HeaderMap, body: Body) -> Result<Value, ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(ApiError::service(
            ServiceCode::UnsupportedMediaType,
            "send the body as Content-Type: application/json",
            json!({"content_type": content_type}),
        ));
    }
    let too_large = || {
        ApiError::service(
            ServiceCode::BodyTooLarge,
            format!("the body is larger than {} bytes", app.body_limit),
            json!({"limit": app.body_limit}),
        )
    };
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > app.body_limit as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, app.body_limit).await.map_err(|_| too_large())?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::ledger(
            &LedgerError::InvalidCommand { message: format!("the body is not JSON: {e}") },
            During::Command,
        )
    })
}

// ---- proposals ---------------------------------------------------------------------------

/// A command the ledger applies only with a second person's approval becomes a proposal.
async fn propose(app: &App, prepared: Prepared, who: &Identity) -> Result<Response, ApiError> {
    let type_name = prepared.request.command.type_name();
    let created = app
        .proposals
        .create(&prepared.command, type_name, prepared.client_key.as_deref(), &who.name)
        .await
        .map_err(|e| ApiError::ledger(&e, During::Command))?;
    match created {
        Ok((proposal, _)) => Ok((StatusCode::CREATED, Json(proposal)).into_response()),
        Err(existing) => Err(ApiError::service(
            ServiceCode::IdempotencyKeyReused,
            "this idempotency key already names a proposal with other content",
            json!({"proposal": existing.id}),
        )),
    }
}

/// A path segment (a proposal id, a report name).
fn segment(id: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(id) = id.map_err(|e| ApiError::argument("path", "", e.body_text()))?;
    Ok(id)
}

async fn list_proposals(
    State(app): State<App>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<Vec<Proposal>>, ApiError> {
    app.tokens.authenticate(&headers)?.require(Role::Reader)?;
    let args = arguments(query, Some(&["status", "limit"]))?;
    let status = args.get("status").map(String::as_str);
    if let Some(s) = status.filter(|s| !["pending", "approved", "applied", "rejected"].contains(s)) {
        return Err(ApiError::argument("status", s, "expected pending, approved, applied or rejected"));
    }
    let limit = number(&args, "limit", 100, 1, PROPOSALS_MAX as u64)? as i64;
    let list = app.proposals.list(status, limit).await.map_err(|e| ApiError::ledger(&e, During::Read))?;
    Ok(Json(list))
}

async fn get_proposal(
    State(app): State<App>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Proposal>, ApiError> {
    app.tokens.authenticate(&headers)?.require(Role::Reader)?;
    let id = segment(id)?;
    match app.proposals.get(&id).await.map_err(|e| ApiError::ledger(&e, During::Read))? {
        Some(p) => Ok(Json(p)),
        None => Err(proposal_not_found(&id)),
    }
}

fn proposal_not_found(id: &str) -> ApiError {
    ApiError::service(ServiceCode::ProposalNotFound, format!("no proposal {id:?}"), json!({"proposal": id}))
}

fn refusal(claim: Claim, id: &str) -> ApiError {
    match claim {
        Claim::NotFound | Claim::Claimed(_) => proposal_not_found(id),
        Claim::OwnProposal => ApiError::service(
            ServiceCode::ProposalSelfApproval,
            "the recorder of a proposal may not approve or reject it (four-eyes control)",
            json!({"proposal": id}),
        ),
        Claim::Decided(p) => ApiError::service(
            ServiceCode::ProposalDecided,
            format!("proposal {id} is already {}", p.status),
            json!({"proposal": id, "status": p.status, "decided_by": p.decided_by}),
        ),
    }
}

/// `POST /proposals/{id}/approve`: an approver other than the recorder approves; the command
/// is applied with both names (`recorded_by`, `approved_by`) and the key `proposal:<id>`.
async fn approve(
    State(app): State<App>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let who = app.tokens.authenticate(&headers)?;
    who.require(Role::Approver)?;
    let id = segment(id)?;
    let work = {
        let app = app.clone();
        async move {
            match app.proposals.claim(&id, &who.name).await.map_err(|e| ApiError::ledger(&e, During::Command))? {
                Claim::Claimed(proposal) => apply_proposal(&app, proposal).await,
                other => Err(refusal(other, &id)),
            }
        }
    };
    let (proposal, applied) = run(work).await??;
    Ok(Json(json!({"proposal": proposal, "applied": applied})).into_response())
}

/// Applies a claimed proposal (also after a restart, for one left `approved`).
pub async fn apply_proposal(app: &App, proposal: Proposal) -> Result<(Proposal, Applied), ApiError> {
    let approver =
        proposal.decided_by.clone().ok_or_else(|| ApiError::internal("a claimed proposal has no approver"))?;
    let Value::Object(mut command) = proposal.command.clone() else {
        return Err(ApiError::internal("a proposal's command is not an object"));
    };
    command.insert("approved_by".into(), Value::String(approver.clone()));
    command.insert("idempotency_key".into(), Value::String(proposal.application_key()));
    let mut request = Request::from_value(Value::Object(command)).map_err(|e| ApiError::ledger(&e, During::Command))?;
    request.recorded_by = Some(proposal.recorded_by.clone());
    match apply(app.ledger.clone(), vec![request]).await {
        Ok(mut applied) => {
            let applied = applied.pop().ok_or_else(|| ApiError::internal("a command gave no result"))?;
            let proposal = app
                .proposals
                .applied(&proposal.id, applied.seq)
                .await
                .map_err(|e| ApiError::ledger(&e, During::Command))?;
            Ok((proposal, applied))
        }
        Err(e) => {
            let answer = ApiError::ledger(&e.error, During::Command);
            // Refused by the ledger (nothing written): the proposal waits again. A failure
            // whose outcome is unknown (the store went away) leaves it claimed, to be resumed.
            if answer.status().is_client_error() {
                let _ = app.proposals.release(&proposal.id, &approver).await;
            }
            Err(answer)
        }
    }
}

async fn reject(
    State(app): State<App>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Proposal>, ApiError> {
    let who = app.tokens.authenticate(&headers)?;
    who.require(Role::Approver)?;
    let id = segment(id)?;
    match app.proposals.reject(&id, &who.name).await.map_err(|e| ApiError::ledger(&e, During::Command))? {
        Claim::Claimed(p) => Ok(Json(p)),
        other => Err(refusal(other, &id)),
    }
}

// ---- reads -------------------------------------------------------------------------------

/// Query parameters as a map: a repeated parameter, or one not `allowed` (when the route
/// checks them itself rather than the core), is `INVALID_ARGUMENT`.
fn arguments(
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    allowed: Option<&[&str]>,
) -> Result<BTreeMap<String, String>, ApiError> {
    let Query(pairs) = query.map_err(|e| ApiError::argument("query", "", e.body_text()))?;
    let mut args = BTreeMap::new();
    for (key, value) in pairs {
        if let Some(allowed) = allowed.filter(|allowed| !allowed.contains(&key.as_str())) {
            return Err(ApiError::argument(
                &key,
                &value,
                format!(
                    "unknown parameter; this route takes {}",
                    if allowed.is_empty() { "none".into() } else { allowed.join(", ") }
                ),
            ));
        }
        if args.insert(key.clone(), value.clone()).is_some() {
            return Err(ApiError::argument(&key, &value, "given twice"));
        }
    }
    Ok(args)
}

/// A whole number parameter between `min` and `max`.
fn number(args: &BTreeMap<String, String>, name: &str, default: u64, min: u64, max: u64) -> Result<u64, ApiError> {
    let Some(text) = args.get(name) else { return Ok(default) };
    match text.parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) && text.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(ApiError::argument(name, text, format!("expected a whole number from {min} to {max}"))),
    }
}

fn json_args(args: &BTreeMap<String, String>) -> Value {
    Value::Object(args.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect::<Map<_, _>>())
}

/// `GET /journal?from=SEQ&limit=N`: entries from `from` (1 by default) on, at most `limit`.
async fn journal(
    State(app): State<App>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    app.tokens.authenticate(&headers)?.require(Role::Reader)?;
    let args = arguments(query, Some(&["from", "limit"]))?;
    let from = number(&args, "from", 1, 1, i64::MAX as u64)?;
    let limit = number(&args, "limit", PAGE_DEFAULT, 1, PAGE_MAX)?;
    catch_up(&app).await?;
    let (page, head) = app
        .ledger
        .read(|l| {
            let head = l.head();
            let last = head.seq.min(from.saturating_add(limit - 1));
            let entries = (from..=last).map(|seq| l.entry(seq)).collect::<Result<Vec<_>, _>>();
            (entries, head)
        })
        .await;
    let entries = page.map_err(|e| ApiError::ledger(&e, During::Read))?;
    let next = entries.last().map_or(from, |e| e.seq + 1);
    let seq = head.seq;
    Ok(with_seq(seq, Json(json!({"entries": entries, "next": next, "head": head}))))
}

/// Reports by name: those of [`CSV_REPORTS`] (arguments as [`CsvReport::from_args`] takes
/// them), `window_balance` (`as_of`), `resolutions` and `donors`.
pub const REPORTS: [&str; 11] = [
    "trial_balance",
    "resolution_tracker",
    "window_statement",
    "donor_statement",
    "transfer_register",
    "allocation_log",
    "journal",
    "window_balance",
    "resolutions",
    "donors",
    "date_range",
];

fn unknown_report(name: &str) -> ApiError {
    ApiError::service(
        ServiceCode::NotFound,
        format!("no report {name:?}; the reports are {}", REPORTS.join(", ")),
        json!({"report": name}),
    )
}

/// A report of [`CSV_REPORTS`] from query parameters, parsed by the core. The period is any
/// form the core takes: `period=2024`, `2024-H2`, `2024-Q3`, `2024-07`, or a range of dates
/// as `from=2024-07-01&to=2024-09-30` (the core's `{"from", "to"}`).
fn csv_report(name: &str, args: &BTreeMap<String, String>) -> Result<CsvReport, ApiError> {
    if !CSV_REPORTS.contains(&name) {
        return Err(unknown_report(name));
    }
    let mut json = json_args(args);
    if let Value::Object(map) = &mut json {
        let (from, to) = (map.remove("from"), map.remove("to"));
        if from.is_some() || to.is_some() {
            if let Some(period) = map.get("period") {
                return Err(ApiError::argument(
                    "period",
                    period.as_str().unwrap_or(""),
                    "give a period or a range (from, to), not both",
                ));
            }
            let mut range = Map::new();
            range.extend(from.map(|f| ("from".to_owned(), f)));
            range.extend(to.map(|t| ("to".to_owned(), t)));
            map.insert("period".into(), Value::Object(range));
        }
    }
    CsvReport::from_args(name, &json).map_err(|e| ApiError::ledger(&e, During::Read))
}

/// `GET /reports/{name}`: the report's JSON exactly as the core serializes it.
async fn report(
    State(app): State<App>,
    headers: HeaderMap,
    name: Result<Path<String>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    app.tokens.authenticate(&headers)?.require(Role::Reader)?;
    let name = segment(name)?;
    let args = arguments(query, None)?;
    let only = |allowed: &[&str]| match args.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(key) => Err(ApiError::argument(key, &args[key], format!("{name} takes no parameter {key:?}"))),
        None => Ok(()),
    };
    enum Which {
        Csv(CsvReport),
        WindowBalance(Option<chrono::NaiveDate>),
        Resolutions,
        Donors,
        DateRange,
    }
    let which = match name.as_str() {
        "window_balance" => {
            only(&["as_of"])?;
            let as_of = args
                .get("as_of")
                .map(|d| funding_window::calendar::date_argument("as_of", d))
                .transpose()
                .map_err(|e| ApiError::ledger(&e, During::Read))?;
            Which::WindowBalance(as_of)
        }
        "resolutions" | "donors" | "date_range" => {
            only(&[])?;
            match name.as_str() {
                "donors" => Which::Donors,
                "resolutions" => Which::Resolutions,
                _ => Which::DateRange,
            }
        }
        other => Which::Csv(csv_report(other, &args)?),
    };
    let seq = catch_up(&app).await?;
    let value = app
        .ledger
        .read(|l| -> Result<Value, LedgerError> {
            let value = match &which {
                Which::WindowBalance(as_of) => serde_json::to_value(l.window_balance(*as_of)),
                Which::Resolutions => serde_json::to_value(l.resolutions()),
                Which::Donors => serde_json::to_value(l.donors()),
                Which::DateRange => serde_json::to_value(l.date_range()),
                Which::Csv(report) => match report {
                    CsvReport::TrialBalance { as_of } => serde_json::to_value(l.trial_balance(*as_of)),
                    CsvReport::ResolutionTracker { period } => serde_json::to_value(l.resolution_tracker(*period)),
                    CsvReport::WindowStatement { period } => serde_json::to_value(l.window_statement(*period)),
                    CsvReport::DonorStatement { donor: Some(donor) } => serde_json::to_value(l.donor_statement(donor)?),
                    CsvReport::DonorStatement { donor: None } => {
                        let all = l.donors().iter().map(|d| l.donor_statement(&d.id)).collect::<Result<Vec<_>, _>>()?;
                        serde_json::to_value(all)
                    }
                    CsvReport::TransferRegister => serde_json::to_value(l.transfer_register()),
                    CsvReport::AllocationLog => serde_json::to_value(l.allocation_log()),
                    CsvReport::Journal => serde_json::to_value(l.posting_rows()?),
                    other => return Err(LedgerError::Internal { message: format!("no JSON for {}", other.name()) }),
                },
            };
            value.map_err(|e| LedgerError::Internal { message: format!("report JSON: {e}") })
        })
        .await
        .map_err(|e| ApiError::ledger(&e, During::Read))?;
    Ok(with_seq(seq, Json(value)))
}

fn text_answer(seq: u64, content_type: &'static str, body: String) -> Response {
    with_seq(seq, ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], body))
}

/// `GET /exports/csv/{name}`: a report as CSV (the core's export, cells escaped by it).
async fn export_csv(
    State(app): State<App>,
    headers: HeaderMap,
    name: Result<Path<String>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    app.tokens.authenticate(&headers)?.require(Role::Reader)?;
    let name = segment(name)?;
    let args = arguments(query, None)?;
    let report = csv_report(&name, &args)?;
    let seq = catch_up(&app).await?;
    let csv = app.ledger.read(|l| l.export_csv(&report)).await.map_err(|e| ApiError::ledger(&e, During::Read))?;
    Ok(text_answer(seq, "text/csv; charset=utf-8", csv))
}

/// `GET /tables/{name}`: a report laid out as the core's table (columns with their kinds, rows
/// of cells): what the CSV, the DataFrames and the dashboard show.
async fn table(
    State(app): State<App>,
    headers: HeaderMap,
    name: Result<Path<String>, PathRejection>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    app.tokens.authenticate(&headers)?.require(Role::Reader)?;
    let name = segment(name)?;
    let args = arguments(query, None)?;
    let report = csv_report(&name, &args)?;
    let seq = catch_up(&app).await?;
    let table = app.ledger.read(|l| l.report_table(&report)).await.map_err(|e| ApiError::ledger(&e, During::Read))?;
    Ok(with_seq(seq, Json(table)))
}

/// `GET /exports/iati`: IATI 2.03 XML; the options of `IatiOptions` as parameters,
/// `generated_at` now by default.
async fn export_iati(
    State(app): State<App>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    app.tokens.authenticate(&headers)?.require(Role::Reader)?;
    // The core's IatiOptions refuses unknown options.
    let args = arguments(query, None)?;
    let mut options = match json_args(&args) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    if let Some(flag) = options.get_mut("include_projects") {
        match flag.as_str() {
            Some("true") => *flag = Value::Bool(true),
            Some("false") => *flag = Value::Bool(false),
            _ => {}
        }
    }
    options
        .entry("generated_at")
        .or_insert_with(|| Value::String(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
    let options = IatiOptions::from_value(&Value::Object(options)).map_err(|e| ApiError::ledger(&e, During::Read))?;
    let seq = catch_up(&app).await?;
    let xml = app.ledger.read(|l| l.export_iati(&options)).await.map_err(|e| ApiError::ledger(&e, During::Read))?;
    Ok(text_answer(seq, "application/xml; charset=utf-8", xml))
}

/// `GET /exports/hledger`: the journal as an hledger journal.
async fn export_hledger(
    State(app): State<App>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    app.tokens.authenticate(&headers)?.require(Role::Reader)?;
    arguments(query, Some(&[]))?;
    let seq = catch_up(&app).await?;
    let text = app.ledger.read(|l| l.export_hledger()).await.map_err(|e| ApiError::ledger(&e, During::Read))?;
    Ok(text_answer(seq, "text/plain; charset=utf-8", text))
}

/// `GET /exports/journal`: the journal as JSON Lines, byte for byte as a journal file holds it
/// (its hash chain verifiable by any copy of the core).
async fn export_journal(
    State(app): State<App>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    app.tokens.authenticate(&headers)?.require(Role::Reader)?;
    arguments(query, Some(&[]))?;
    let seq = catch_up(&app).await?;
    let text = app
        .ledger
        .read(|l| l.to_journal().map(|t| t.into_owned()))
        .await
        .map_err(|e| ApiError::ledger(&e, During::Read))?;
    Ok(text_answer(seq, "application/x-ndjson; charset=utf-8", text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    async fn answer(router: Router, path: &str) -> (StatusCode, Value, HeaderMap) {
        let request = axum::http::Request::builder().uri(path).body(Body::empty()).unwrap();
        let response = router.oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
        (parts.status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), parts.headers)
    }

    #[tokio::test]
    async fn a_request_over_the_timeout_is_a_typed_503_and_a_panic_a_typed_500() {
        let routes = Router::new()
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "late"
                }),
            )
            .route(
                "/panics",
                get(|| async {
                    let empty: Vec<u8> = Vec::new();
                    // An out-of-bounds index: the kind of defect the last layer is for.
                    empty[usize::from(empty.is_empty())].to_string()
                }),
            );
        let router = guarded(routes, Duration::from_millis(50));
        let (status, body, headers) = answer(router.clone(), "/slow").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("TIMEOUT")));
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let (status, body, _) = answer(router.clone(), "/panics").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::INTERNAL_SERVER_ERROR, Some("INTERNAL")));
        assert!(!body["message"].as_str().unwrap().contains("index out of bounds"), "no detail of the panic leaks");
        // The router still serves after the panic.
        let (status, body, _) = answer(router, "/panics").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::INTERNAL_SERVER_ERROR, Some("INTERNAL")));
    }
}
