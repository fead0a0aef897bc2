//! The tables, created when missing.
//!
//! ```sql
//! funding_window.ledgers (name text PRIMARY KEY, created_at timestamptz)
//! funding_window.journal (ledger text REFERENCES ledgers, seq bigint, hash text, line bytea,
//!                         PRIMARY KEY (ledger, seq))
//! ```
//!
//! `line` holds an entry's line byte for byte as a journal file has it (without its
//! newline); `hash` repeats the hash at its end, for conditional appends and conflict
//! reports. The primary key on `(ledger, seq)` is the concurrency guard: two writers
//! extending the same head insert the same `seq`, and the second insert fails as a whole.
//! Triggers refuse `UPDATE`, `DELETE` and `TRUNCATE` on the journal (defence in depth: the
//! table's owner or a superuser can still disable them; opening a ledger verifies every
//! row whatever happened to it).

/// Serialises concurrent setups of the schema (`CREATE ... IF NOT EXISTS` is not safe
/// against itself): an arbitrary constant for `pg_advisory_xact_lock`, only ever taken by
/// the setup, never by appends.
pub(crate) const SETUP_LOCK: i64 = 0x6677_5f73_6368_656d; // "fw_schem"

/// Creates the schema, tables and triggers that do not exist yet.
pub(crate) const SETUP: &str = r#"
CREATE SCHEMA IF NOT EXISTS funding_window;

CREATE TABLE IF NOT EXISTS funding_window.ledgers (
    name text PRIMARY KEY CHECK (name <> '' AND octet_length(name) <= 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS funding_window.journal (
    ledger text NOT NULL REFERENCES funding_window.ledgers (name),
    seq bigint NOT NULL CHECK (seq > 0),
    hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    line bytea NOT NULL,
    PRIMARY KEY (ledger, seq)
);

COMMENT ON TABLE funding_window.journal IS
    'funding-window journal entries: append-only, hash-chained; line is the entry as a journal file has it';

CREATE OR REPLACE FUNCTION funding_window.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'the funding-window journal is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$fn$;

DO $do$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'journal_append_only'
                   AND tgrelid = 'funding_window.journal'::regclass) THEN
        CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON funding_window.journal
            FOR EACH ROW EXECUTE FUNCTION funding_window.refuse_change();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'journal_no_truncate'
                   AND tgrelid = 'funding_window.journal'::regclass) THEN
        CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON funding_window.journal
            FOR EACH STATEMENT EXECUTE FUNCTION funding_window.refuse_change();
    END IF;
END
$do$;
"#;

/// Appends entries on condition: all of them if the ledger's entry `$5` still has hash
/// `$6` (or `$5` is 0: an empty ledger), none otherwise. A concurrent writer's entry with
/// one of these `seq` makes the statement fail on the primary key, as a whole.
pub(crate) const APPEND: &str = "
INSERT INTO funding_window.journal (ledger, seq, hash, line)
SELECT $1, e.seq, e.hash, e.line
FROM unnest($2::bigint[], $3::text[], $4::bytea[]) AS e(seq, hash, line)
WHERE $5::bigint = 0
   OR EXISTS (SELECT 1 FROM funding_window.journal WHERE ledger = $1 AND seq = $5 AND hash = $6)";

/// Appends more entries of the same transaction (after the first statement's check).
pub(crate) const APPEND_MORE: &str = "
INSERT INTO funding_window.journal (ledger, seq, hash, line)
SELECT $1, e.seq, e.hash, e.line
FROM unnest($2::bigint[], $3::text[], $4::bytea[]) AS e(seq, hash, line)";

/// Entries from `$2` on (the first is the reader's head, to check it is unchanged).
pub(crate) const READ_FROM: &str =
    "SELECT seq, hash, line FROM funding_window.journal WHERE ledger = $1 AND seq >= $2 ORDER BY seq";

/// The ledger's last entry.
pub(crate) const HEAD: &str =
    "SELECT seq, hash FROM funding_window.journal WHERE ledger = $1 ORDER BY seq DESC LIMIT 1";

/// Whether a ledger exists.
pub(crate) const EXISTS: &str = "SELECT 1 FROM funding_window.ledgers WHERE name = $1";

/// Registers a ledger (nothing if it exists).
pub(crate) const CREATE_LEDGER: &str = "INSERT INTO funding_window.ledgers (name) VALUES ($1) ON CONFLICT DO NOTHING";

/// Every ledger with its number of entries.
pub(crate) const LEDGERS: &str = "
SELECT l.name, coalesce((SELECT j.seq FROM funding_window.journal j WHERE j.ledger = l.name
                         ORDER BY j.seq DESC LIMIT 1), 0)
FROM funding_window.ledgers l ORDER BY l.name";
