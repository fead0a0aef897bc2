//! The funding-window ledger over HTTP, kept in PostgreSQL: a reference service.
//!
//! ```text
//! service mint-token NAME ROLE >> tokens.toml     # prints the token itself on stderr, once
//! FW_PG_URL="host=/run/postgresql dbname=books" FW_TOKENS_FILE=tokens.toml service
//! make service                                    # a throwaway PostgreSQL, an admin token, the URL
//! ```
//!
//! Settings (environment; the flags `--listen`, `--ledger`, `--tokens` override theirs):
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `FW_PG_URL` | (required) | PostgreSQL connection string (`host=... dbname=...` or a `postgresql://` URL) |
//! | `FW_LEDGER` | `window` | the ledger's name in the database |
//! | `FW_LISTEN` | `127.0.0.1:8080` | address and port (`:0` for any free port) |
//! | `FW_TOKENS_FILE` | | TOML file of `[[token]]` tables: `name`, `role`, `token_sha256` |
//! | `FW_TOKENS` | | the same TOML, in the variable itself (added to the file's) |
//! | `FW_BODY_LIMIT` | `1048576` | largest request body, in bytes |
//! | `FW_REQUEST_TIMEOUT` | `30` | seconds before a request is answered `TIMEOUT` |
//! | `FW_DASHBOARD_DIR` | | serve the dashboard's page from this folder at `/dashboard/` |
//! | `FW_DASHBOARD_PKG` | | and the WebAssembly package it imports from this folder (`bindings/wasm/pkg/web`) |
//! | `FW_DASHBOARD_EXPORTS_PKG` | | and the exports module it loads for the Excel pack from this folder (`bindings/wasm-exports/pkg/web`) |
//!
//! The service prints `listening on http://ADDRESS` on stdout once it accepts requests.

#![forbid(unsafe_code)]

mod api;
mod auth;
mod error;
mod openapi;
mod proposals;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use funding_window_postgres::PgLedger;

use crate::api::AppState;
use crate::auth::{Role, Tokens};
use crate::proposals::Proposals;

const USAGE: &str = "usage:
  service [--listen ADDR] [--ledger NAME] [--tokens FILE]   run the service (settings: see README)
  service mint-token NAME ROLE                            print a new token's lines for the token file
                                                          (ROLE: reader, recorder, approver or admin)";

/// The service's settings.
#[derive(Debug)]
struct Settings {
    dsn: String,
    ledger: String,
    listen: SocketAddr,
    tokens: Tokens,
    body_limit: usize,
    timeout: Duration,
    dashboard: Option<api::Dashboard>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("mint-token") {
        return mint(&args[1..]);
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let settings = match settings(&args) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("service: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("service: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("service: {message}");
            ExitCode::FAILURE
        }
    }
}

fn mint(args: &[String]) -> ExitCode {
    let [name, role] = args else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let Some(role) = Role::parse(role) else {
        eprintln!("service: role {role:?} is not one of reader, recorder, approver, admin");
        return ExitCode::from(2);
    };
    let token = match auth::mint_token() {
        Ok(token) => token,
        Err(e) => {
            eprintln!("service: {e}");
            return ExitCode::FAILURE;
        }
    };
    let lines = auth::token_file_lines(name, role, &token);
    // The lines are checked as the service will read them.
    if let Err(e) = Tokens::from_toml(&lines) {
        eprintln!("service: {e}");
        return ExitCode::from(2);
    }
    // The token on stderr (to hand to its holder), the file's lines on stdout (to append).
    eprintln!("token for {name} ({role}), shown once and stored nowhere: {token}");
    print!("{lines}");
    ExitCode::SUCCESS
}

fn settings(args: &[String]) -> Result<Settings, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut listen = env("FW_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".into());
    let mut ledger = env("FW_LEDGER").unwrap_or_else(|| "window".into());
    let mut tokens_file = env("FW_TOKENS_FILE");
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = || rest.clone().next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--listen" => listen = value()?,
            "--ledger" => ledger = value()?,
            "--tokens" => tokens_file = Some(value()?),
            other => return Err(format!("unknown argument {other:?}")),
        }
        rest.next();
    }
    let dsn = env("FW_PG_URL").ok_or("set FW_PG_URL to a PostgreSQL connection string")?;
    let listen: SocketAddr = listen.parse().map_err(|e| format!("FW_LISTEN {listen:?}: {e}"))?;
    let mut toml = String::new();
    if let Some(path) = &tokens_file {
        toml = std::fs::read_to_string(path).map_err(|e| format!("token file {path}: {e}"))?;
        toml.push('\n');
    }
    if let Some(inline) = env("FW_TOKENS") {
        toml.push_str(&inline);
    }
    let tokens = Tokens::from_toml(&toml)?;
    if tokens.len() == 0 {
        return Err("no tokens: set FW_TOKENS_FILE or FW_TOKENS (`service mint-token NAME ROLE` makes one)".into());
    }
    let number = |name: &str, default: u64| -> Result<u64, String> {
        match env(name) {
            None => Ok(default),
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(format!("{name} {text:?} must be a positive whole number")),
        }
    };
    let body_limit = usize::try_from(number("FW_BODY_LIMIT", 1 << 20)?).map_err(|e| e.to_string())?;
    let timeout = Duration::from_secs(number("FW_REQUEST_TIMEOUT", 30)?);
    let dashboard = env("FW_DASHBOARD_DIR").map(|page| api::Dashboard {
        page: PathBuf::from(page),
        package: env("FW_DASHBOARD_PKG").map(PathBuf::from),
        exports_package: env("FW_DASHBOARD_EXPORTS_PKG").map(PathBuf::from),
    });
    Ok(Settings { dsn, ledger, listen, tokens, body_limit, timeout, dashboard })
}

async fn serve(settings: Settings) -> Result<(), String> {
    let failed = |e: funding_window::LedgerError| format!("{e} ({})", e.code());
    let ledger = PgLedger::connect(&settings.dsn, &settings.ledger).await.map_err(failed)?;
    let proposals = Proposals::connect(&settings.dsn, &settings.ledger).await.map_err(failed)?;
    let openapi = openapi::document()?.to_string().into();
    let token_count = settings.tokens.len();
    let app =
        Arc::new(AppState { ledger, proposals, tokens: settings.tokens, body_limit: settings.body_limit, openapi });
    resume_approvals(&app).await;
    let listener =
        tokio::net::TcpListener::bind(settings.listen).await.map_err(|e| format!("{}: {e}", settings.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let router = api::router(app, settings.timeout, settings.dashboard);
    println!("listening on http://{address}");
    eprintln!("service: ledger {:?}, {token_count} tokens, listening on http://{address}", settings.ledger);
    axum::serve(listener, router).with_graceful_shutdown(shutdown()).await.map_err(|e| e.to_string())
}

/// Applies proposals left approved but not applied (a replica stopped between the claim and
/// the journal). Their idempotency keys make this safe beside another replica doing the same.
async fn resume_approvals(app: &api::App) {
    let Ok(left) = app.proposals.list(Some("approved"), 1000).await else { return };
    for proposal in left {
        let id = proposal.id.clone();
        if let Err(e) = api::apply_proposal(app, proposal).await {
            eprintln!("service: approved proposal {id} not applied yet: {}", e.code());
        }
    }
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
            let _ = interrupt.await;
            return;
        };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
