"""SQLite schema as an ordered list of migrations; `PRAGMA user_version` records how many ran."""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1 -- the base schema
    """
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        external_id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        source_format TEXT NOT NULL DEFAULT '',
        source_hash TEXT NOT NULL,          -- sha256 of the text as read, before pseudonymisation
        hash TEXT NOT NULL,                 -- sha256 of the stored text
        text TEXT NOT NULL,
        type TEXT NOT NULL DEFAULT 'entretien',
        journey TEXT,
        stage TEXT,
        public TEXT,
        territory TEXT,
        organisations TEXT NOT NULL DEFAULT '[]',
        date TEXT,
        interviewer TEXT,
        channel TEXT,
        case_id TEXT,
        extra TEXT NOT NULL DEFAULT '{}',
        pseudonymised INTEGER NOT NULL DEFAULT 1,
        entities INTEGER NOT NULL DEFAULT 0,   -- how many identifiers were masked
        created_at TEXT NOT NULL
    );
    CREATE INDEX documents_journey ON documents(journey);
    CREATE TABLE turns (
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        speaker TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL DEFAULT 'unknown',
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        timestamp TEXT,
        attrs TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (document_id, idx)
    );
    CREATE TABLE segments (
        id TEXT PRIMARY KEY,
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,          -- order within the document
        turn_index INTEGER NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        speaker TEXT NOT NULL DEFAULT '',
        role TEXT NOT NULL DEFAULT 'unknown',
        attrs TEXT NOT NULL DEFAULT '{}',
        CHECK (start < "end")
    );
    CREATE INDEX segments_document ON segments(document_id, position);
    CREATE TABLE codebooks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        hash TEXT NOT NULL,
        content TEXT NOT NULL,             -- the codebook as JSON
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE suggestions (
        id TEXT PRIMARY KEY,
        segment_id TEXT NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        code_id TEXT NOT NULL,
        score REAL NOT NULL,
        coder TEXT NOT NULL,               -- automatic coder's versioned name
        evidence TEXT NOT NULL DEFAULT '[]',
        run_id TEXT
    );
    CREATE INDEX suggestions_segment ON suggestions(segment_id);
    CREATE TABLE decisions (                -- each coder accepts or rejects on their own (blind)
        suggestion_id TEXT NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
        coder TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
        at TEXT NOT NULL,
        PRIMARY KEY (suggestion_id, coder)
    );
    CREATE TABLE codings (
        id TEXT PRIMARY KEY,
        segment_id TEXT NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        code_id TEXT NOT NULL,
        coder TEXT NOT NULL,
        origin TEXT NOT NULL DEFAULT 'manual',
        start INTEGER,
        "end" INTEGER,
        codebook_id INTEGER REFERENCES codebooks(id),
        created_at TEXT NOT NULL
    );
    CREATE INDEX codings_segment ON codings(segment_id);
    CREATE INDEX codings_coder ON codings(coder);
    CREATE TABLE reviews (                  -- which segments a coder has looked at (for agreement)
        segment_id TEXT NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        coder TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (segment_id, coder)
    );
    CREATE TABLE memos (
        id TEXT PRIMARY KEY,
        target_kind TEXT NOT NULL CHECK (target_kind IN ('segment', 'code', 'document', 'project')),
        target_id TEXT NOT NULL,
        coder TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,                -- ingest / suggest / topics / ...
        params TEXT NOT NULL DEFAULT '{}',
        seed INTEGER,
        version TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running',
        summary TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE topics (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        topic_key TEXT NOT NULL,           -- unique within the run, e.g. "etape.retraite.demande/3"
        topic INTEGER NOT NULL,
        journey TEXT,
        stage TEXT,
        label TEXT NOT NULL,
        words TEXT NOT NULL DEFAULT '[]',
        count INTEGER NOT NULL,
        share REAL,
        themes TEXT NOT NULL DEFAULT '[]',
        examples TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (run_id, topic_key)
    );
    CREATE TABLE topic_assignments (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        segment_id TEXT NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        topic_key TEXT,                    -- NULL for an outlier
        probability REAL,
        PRIMARY KEY (run_id, segment_id)
    );
    CREATE TABLE pseudonyms (
        key TEXT PRIMARY KEY,              -- HMAC of the normalised original, never the original
        kind TEXT NOT NULL,
        label TEXT NOT NULL
    );
    CREATE TABLE changelog (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target_kind TEXT NOT NULL DEFAULT '',
        target_id TEXT NOT NULL DEFAULT '',
        payload TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TRIGGER changelog_no_update BEFORE UPDATE ON changelog
        BEGIN SELECT RAISE(ABORT, 'le journal des modifications est en ajout seul'); END;
    CREATE TRIGGER changelog_no_delete BEFORE DELETE ON changelog
        BEGIN SELECT RAISE(ABORT, 'le journal des modifications est en ajout seul'); END;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply pending migrations, each in its own transaction. Returns the schema version."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(MIGRATIONS[current:], start=current + 1):
        # executescript commits first; wrap the script so a failure leaves the old version.
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                conn.rollback()
            raise
    return max(current, SCHEMA_VERSION)
