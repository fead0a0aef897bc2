//! Proposals: commands waiting for a second person's approval, kept in PostgreSQL.
//!
//! ```sql
//! funding_window.proposals (id text PRIMARY KEY, ledger text, command text, command_type text,
//!     client_key text, recorded_by text, proposed_at timestamptz, status text,
//!     decided_by text, decided_at timestamptz, seq bigint, UNIQUE (ledger, client_key))
//! ```
//!
//! A proposal is `pending` until an approver other than its recorder claims it with one
//! conditional `UPDATE ... WHERE status = 'pending' AND recorded_by <> $approver` (two
//! approvers racing: one row updated, the other none); it is then `approved`, and the
//! command is applied with the idempotency key `proposal:<id>`, so that however often the
//! application is attempted (a retry, a second replica, a restart after a crash between the
//! claim and the journal) the journal holds it once; then `applied` with the entry's `seq`.
//! A command the ledger refuses at approval returns the proposal to `pending`.

use std::sync::Arc;

use funding_window::LedgerError;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Mutex;
use tokio_postgres::{Client, NoTls, Row};

/// Serialises concurrent migrations of replicas starting together (`CREATE ... IF NOT
/// EXISTS` is not safe against itself): a constant of this service for `pg_advisory_xact_lock`.
const MIGRATION_LOCK: i64 = 0x6677_5f70_726f_706f; // "fw_propo"

const MIGRATION: &str = "
CREATE SCHEMA IF NOT EXISTS funding_window;
CREATE TABLE IF NOT EXISTS funding_window.proposals (
    id text PRIMARY KEY,
    ledger text NOT NULL,
    command text NOT NULL,
    command_type text NOT NULL,
    client_key text,
    recorded_by text NOT NULL,
    proposed_at timestamptz NOT NULL DEFAULT now(),
    status text NOT NULL CHECK (status IN ('pending', 'approved', 'applied', 'rejected')),
    decided_by text,
    decided_at timestamptz,
    seq bigint,
    UNIQUE (ledger, client_key)
);
CREATE INDEX IF NOT EXISTS proposals_by_status ON funding_window.proposals (ledger, status);
";

const COLUMNS: &str = "id, command, command_type, client_key, recorded_by, \
    to_char(proposed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), status, decided_by, \
    to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), seq";

/// A proposal as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Proposal {
    /// Its id (`p-` and 32 hex digits).
    pub id: String,
    /// The command as submitted (without the fields the service sets).
    pub command: Value,
    /// The command's type.
    pub command_type: String,
    /// The submitter's idempotency key, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When (RFC 3339, UTC).
    pub proposed_at: String,
    /// `pending`, `approved` (being applied), `applied` or `rejected`.
    pub status: String,
    /// Who approved or rejected it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// When.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    /// The journal entry that applied it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
}

impl Proposal {
    /// The idempotency key its command is applied with.
    pub fn application_key(&self) -> String {
        format!("proposal:{}", self.id)
    }

    fn from_row(row: &Row) -> Result<Proposal, LedgerError> {
        let text: String = get(row, 1)?;
        let command = serde_json::from_str(&text)
            .map_err(|e| LedgerError::Internal { message: format!("proposal {} is not JSON: {e}", text.len()) })?;
        Ok(Proposal {
            id: get(row, 0)?,
            command,
            command_type: get(row, 2)?,
            idempotency_key: get(row, 3)?,
            recorded_by: get(row, 4)?,
            proposed_at: get(row, 5)?,
            status: get(row, 6)?,
            decided_by: get(row, 7)?,
            decided_at: get(row, 8)?,
            seq: get(row, 9)?,
        })
    }
}

fn get<'a, T: tokio_postgres::types::FromSql<'a>>(row: &'a Row, i: usize) -> Result<T, LedgerError> {
    row.try_get(i).map_err(|e| LedgerError::Internal { message: format!("proposal column {i}: {e}") })
}

/// What claiming a proposal for approval found.
#[derive(Debug)]
pub enum Claim {
    /// Claimed now (or already claimed by this approver, whose earlier attempt is resumed).
    Claimed(Proposal),
    /// No such proposal.
    NotFound,
    /// The approver recorded it.
    OwnProposal,
    /// Already decided by someone else, or applied or rejected.
    Decided(Proposal),
}

/// The proposals of one ledger: a connection of their own, reconnecting after a failure.
#[derive(Clone)]
pub struct Proposals {
    config: tokio_postgres::Config,
    ledger: String,
    client: Arc<Mutex<Option<Arc<Client>>>>,
}

impl std::fmt::Debug for Proposals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proposals").field("ledger", &self.ledger).finish()
    }
}

fn unavailable(e: impl std::fmt::Display) -> LedgerError {
    LedgerError::StoreUnavailable { store: "PostgreSQL (proposals)".into(), message: e.to_string() }
}

impl Proposals {
    /// Connects and creates the table when missing.
    pub async fn connect(dsn: &str, ledger: &str) -> Result<Proposals, LedgerError> {
        let config: tokio_postgres::Config = dsn.parse().map_err(|e| LedgerError::InvalidArgument {
            name: "FW_PG_URL".into(),
            value: String::new(),
            reason: format!("{e}"),
        })?;
        let proposals = Proposals { config, ledger: ledger.to_owned(), client: Arc::new(Mutex::new(None)) };
        let client = proposals.client().await?;
        let migrate = format!("BEGIN; SELECT pg_advisory_xact_lock({MIGRATION_LOCK}); {MIGRATION} COMMIT;");
        client.batch_execute(&migrate).await.map_err(unavailable)?;
        Ok(proposals)
    }

    async fn client(&self) -> Result<Arc<Client>, LedgerError> {
        let mut slot = self.client.lock().await;
        if let Some(client) = slot.as_ref().filter(|c| !c.is_closed()) {
            return Ok(client.clone());
        }
        let (client, connection) = self.config.connect(NoTls).await.map_err(unavailable)?;
        tokio::spawn(async move {
            // The connection ends with an error when the server goes away; the next call reconnects.
            let _ = connection.await;
        });
        let client = Arc::new(client);
        *slot = Some(client.clone());
        Ok(client)
    }

    /// Records a pending proposal. With a client key already used: the existing proposal
    /// if it has the same command and recorder (`Ok((proposal, false))`), else `Err(existing)`.
    pub async fn create(
        &self,
        command: &Value,
        command_type: &str,
        client_key: Option<&str>,
        recorded_by: &str,
    ) -> Result<Result<(Proposal, bool), Proposal>, LedgerError> {
        let id = new_id()?;
        let text = command.to_string();
        let client = self.client().await?;
        let sql = format!(
            "INSERT INTO funding_window.proposals (id, ledger, command, command_type, client_key, recorded_by, status) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending') ON CONFLICT (ledger, client_key) DO NOTHING RETURNING {COLUMNS}"
        );
        let rows = client
            .query(&sql, &[&id, &self.ledger, &text, &command_type, &client_key, &recorded_by])
            .await
            .map_err(unavailable)?;
        if let Some(row) = rows.first() {
            return Ok(Ok((Proposal::from_row(row)?, true)));
        }
        // The key names an earlier proposal.
        let sql = format!("SELECT {COLUMNS} FROM funding_window.proposals WHERE ledger = $1 AND client_key = $2");
        let row = client.query_one(&sql, &[&self.ledger, &client_key]).await.map_err(unavailable)?;
        let existing = Proposal::from_row(&row)?;
        if existing.command == *command && existing.recorded_by == recorded_by {
            Ok(Ok((existing, false)))
        } else {
            Ok(Err(existing))
        }
    }

    /// One proposal.
    pub async fn get(&self, id: &str) -> Result<Option<Proposal>, LedgerError> {
        let client = self.client().await?;
        let sql = format!("SELECT {COLUMNS} FROM funding_window.proposals WHERE ledger = $1 AND id = $2");
        let rows = client.query(&sql, &[&self.ledger, &id]).await.map_err(unavailable)?;
        rows.first().map(Proposal::from_row).transpose()
    }

    /// Proposals, oldest first, of one status or all, at most `limit`.
    pub async fn list(&self, status: Option<&str>, limit: i64) -> Result<Vec<Proposal>, LedgerError> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM funding_window.proposals WHERE ledger = $1 AND ($2::text IS NULL OR status = $2) \
             ORDER BY proposed_at, id LIMIT $3"
        );
        let rows = client.query(&sql, &[&self.ledger, &status, &limit]).await.map_err(unavailable)?;
        rows.iter().map(Proposal::from_row).collect()
    }

    /// Claims a pending proposal for `approver`: one conditional update, so of two approvers
    /// racing exactly one claims it. A proposal this approver claimed before (an attempt cut
    /// short) is claimed again, to be resumed.
    pub async fn claim(&self, id: &str, approver: &str) -> Result<Claim, LedgerError> {
        let client = self.client().await?;
        let sql = format!(
            "UPDATE funding_window.proposals SET status = 'approved', decided_by = $3, decided_at = now() \
             WHERE ledger = $1 AND id = $2 AND status = 'pending' AND recorded_by <> $3 RETURNING {COLUMNS}"
        );
        let rows = client.query(&sql, &[&self.ledger, &id, &approver]).await.map_err(unavailable)?;
        if let Some(row) = rows.first() {
            return Ok(Claim::Claimed(Proposal::from_row(row)?));
        }
        Ok(match self.get(id).await? {
            None => Claim::NotFound,
            Some(p) if p.recorded_by == approver => Claim::OwnProposal,
            Some(p) if p.status == "approved" && p.decided_by.as_deref() == Some(approver) => Claim::Claimed(p),
            Some(p) => Claim::Decided(p),
        })
    }

    /// Rejects a pending proposal (one conditional update, as [`Proposals::claim`]).
    pub async fn reject(&self, id: &str, approver: &str) -> Result<Claim, LedgerError> {
        let client = self.client().await?;
        let sql = format!(
            "UPDATE funding_window.proposals SET status = 'rejected', decided_by = $3, decided_at = now() \
             WHERE ledger = $1 AND id = $2 AND status = 'pending' AND recorded_by <> $3 RETURNING {COLUMNS}"
        );
        let rows = client.query(&sql, &[&self.ledger, &id, &approver]).await.map_err(unavailable)?;
        if let Some(row) = rows.first() {
            return Ok(Claim::Claimed(Proposal::from_row(row)?));
        }
        Ok(match self.get(id).await? {
            None => Claim::NotFound,
            Some(p) if p.recorded_by == approver => Claim::OwnProposal,
            Some(p) => Claim::Decided(p),
        })
    }

    /// Marks a claimed proposal applied by entry `seq`.
    pub async fn applied(&self, id: &str, seq: u64) -> Result<Proposal, LedgerError> {
        let client = self.client().await?;
        let seq = i64::try_from(seq).map_err(|_| LedgerError::Internal { message: format!("seq {seq}") })?;
        let sql = format!(
            "UPDATE funding_window.proposals SET status = 'applied', seq = $3 \
             WHERE ledger = $1 AND id = $2 AND status IN ('approved', 'applied') RETURNING {COLUMNS}"
        );
        let row = client.query_one(&sql, &[&self.ledger, &id, &seq]).await.map_err(unavailable)?;
        Proposal::from_row(&row)
    }

    /// Returns a claimed proposal to `pending` (the ledger refused its command for now).
    pub async fn release(&self, id: &str, approver: &str) -> Result<(), LedgerError> {
        let client = self.client().await?;
        client
            .execute(
                "UPDATE funding_window.proposals SET status = 'pending', decided_by = NULL, decided_at = NULL \
                 WHERE ledger = $1 AND id = $2 AND status = 'approved' AND decided_by = $3",
                &[&self.ledger, &id, &approver],
            )
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), LedgerError> {
        self.client().await?.simple_query("SELECT 1").await.map_err(unavailable)?;
        Ok(())
    }
}

/// A new proposal id: `p-` and 32 hex digits of randomness (unguessable, unordered).
fn new_id() -> Result<String, LedgerError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| LedgerError::Internal { message: format!("no random bytes: {e}") })?;
    Ok(format!("p-{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()))
}
