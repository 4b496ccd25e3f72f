"""Documents, turns and segments: stored together, read back as model objects or DataFrames."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

import pandas as pd

from ..model import Document, Metadata, Segment, Turn
from .project import Project, log_change, now, read_frame

DOCUMENT_COLUMNS = (
    "id", "external_id", "name", "source_format", "type", "journey", "stage", "public",
    "territory", "organisations", "date", "interviewer", "channel", "case_id", "pseudonymised",
    "entities", "created_at",
)


def source_status(project: Project, external_id: str, source_hash: str) -> str:
    """'new', 'unchanged' (same content already stored) or 'changed' (same id, other content)."""
    row = project.connection().execute(
        "SELECT source_hash FROM documents WHERE external_id = ?", (external_id,)
    ).fetchone()
    if row is None:
        return "new"
    return "unchanged" if row[0] == source_hash else "changed"


def add_document(
    project: Project,
    document: Document,
    segments: Sequence[Segment],
    *,
    source_hash: str,
    pseudonymised: bool,
    entities: int = 0,
    pseudonym_rows: Sequence[tuple[str, str, str]] = (),
    replaces: str | None = None,
    actor: str = "listening",
) -> None:
    """Store a document, its turns, segments and new pseudonyms in ONE transaction.

    `replaces` names the external id of a stored document to delete in the same transaction
    (a re-import after the pseudonymisation lists changed): both happen or neither.
    """
    m = document.meta
    doc_id = document.id  # a hash of the whole text: computed once, not per row
    with project.write() as conn:
        if replaces is not None:
            conn.execute("DELETE FROM documents WHERE external_id = ?", (replaces,))
            log_change(conn, actor, "replace", "document", replaces)
        conn.execute(
            "INSERT INTO documents(id, external_id, name, source_format, source_hash, hash, text, "
            "type, journey, stage, public, territory, organisations, date, interviewer, channel, "
            "case_id, extra, pseudonymised, entities, created_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (doc_id, document.external_id, document.name, document.source_format,
             source_hash, document.hash, document.text, m.type, m.journey, m.stage, m.public,
             m.territory, json.dumps(list(m.organisations), ensure_ascii=False), m.date,
             m.interviewer, m.channel, m.case, json.dumps(dict(m.extra), ensure_ascii=False),
             int(pseudonymised), entities, now()),
        )
        conn.executemany(
            'INSERT INTO turns(document_id, idx, speaker, role, start, "end", timestamp, attrs) '
            "VALUES (?,?,?,?,?,?,?,?)",
            [(doc_id, t.index, t.speaker, t.role, t.start, t.end, t.timestamp,
              json.dumps(dict(t.attrs), ensure_ascii=False)) for t in document.turns],
        )
        conn.executemany(
            'INSERT INTO segments(id, document_id, position, turn_index, start, "end", text, '
            "speaker, role, attrs) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(s.id, doc_id, i, s.turn_index, s.start, s.end, s.text, s.speaker, s.role,
              json.dumps(dict(s.attrs), ensure_ascii=False)) for i, s in enumerate(segments)],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO pseudonyms(key, kind, label) VALUES (?,?,?)", pseudonym_rows
        )
        log_change(conn, actor, "ingest", "document", doc_id,
                   {"external_id": document.external_id, "name": document.name,
                    "segments": len(segments), "pseudonymised": pseudonymised})


def codings_on_document(project: Project, external_id: str) -> int:
    return project.connection().execute(
        "SELECT COUNT(*) FROM codings c JOIN segments s ON s.id = c.segment_id "
        "JOIN documents d ON d.id = s.document_id WHERE d.external_id = ?", (external_id,),
    ).fetchone()[0]


def delete_document(project: Project, document_id: str, *, actor: str) -> None:
    with project.write() as conn:
        conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))
        log_change(conn, actor, "delete", "document", document_id)


def pseudonym_rows(project: Project) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in project.connection().execute("SELECT key, kind, label FROM pseudonyms")]


def documents_frame(project: Project) -> pd.DataFrame:
    """One row per document with its metadata and segment count (no text)."""
    cols = ", ".join(f"d.{c}" for c in DOCUMENT_COLUMNS)
    df = pd.read_sql_query(
        f"SELECT {cols}, COUNT(s.id) AS segments, LENGTH(d.text) AS characters "
        "FROM documents d LEFT JOIN segments s ON s.document_id = d.id "
        "GROUP BY d.id ORDER BY d.external_id",
        project.connection(),
    )
    df["organisations"] = df["organisations"].map(json.loads)
    return df


def _meta(row: sqlite3.Row) -> Metadata:
    return Metadata(
        type=row["type"], journey=row["journey"], stage=row["stage"], public=row["public"],
        territory=row["territory"], organisations=tuple(json.loads(row["organisations"])),
        date=row["date"], interviewer=row["interviewer"], channel=row["channel"],
        case=row["case_id"], extra=json.loads(row["extra"]),
    )


def get_document(project: Project, document_id: str) -> Document:
    conn = project.connection()
    row = conn.execute(
        "SELECT * FROM documents WHERE id = ? OR external_id = ?", (document_id, document_id)
    ).fetchone()
    if row is None:
        raise KeyError(document_id)
    turns = tuple(
        Turn(t["idx"], t["speaker"], t["role"], t["start"], t["end"],
             row["text"][t["start"]:t["end"]], t["timestamp"], json.loads(t["attrs"]))
        for t in conn.execute(
            "SELECT * FROM turns WHERE document_id = ? ORDER BY idx", (row["id"],)
        )
    )
    return Document(row["name"], row["external_id"], row["text"], turns, _meta(row),
                    row["source_format"])


def get_segments(project: Project, document_id: str | None = None) -> list[Segment]:
    sql = "SELECT * FROM segments"
    args: tuple = ()
    if document_id is not None:
        sql += " WHERE document_id = ?"
        args = (document_id,)
    sql += " ORDER BY document_id, position"
    return [
        Segment(r["document_id"], r["turn_index"], r["start"], r["end"], r["text"], r["speaker"],
                r["role"], json.loads(r["attrs"]))
        for r in project.connection().execute(sql, args)
    ]


def segments_frame(project: Project) -> pd.DataFrame:
    """Every segment with its document's metadata: the table views and exports start from."""
    df = read_frame(
        project.connection(),
        'SELECT s.id AS segment_id, s.document_id, s.position, s.turn_index, s.start, s."end", '
        "s.text, s.speaker, s.role, s.attrs, d.external_id AS document, d.name AS document_name, "
        "d.type, d.journey, d.stage AS document_stage, d.public, d.territory, d.organisations, "
        "d.date, d.channel FROM segments s JOIN documents d ON d.id = s.document_id "
        "ORDER BY d.external_id, s.position",
    )
    df["attrs"] = df["attrs"].map(_json_object)
    df["organisations"] = df["organisations"].map(_json_list)
    return df


def _json_object(text: str) -> dict:
    return {} if text == "{}" else json.loads(text)  # most segments carry no attributes


def _json_list(text: str) -> list:
    return [] if text == "[]" else json.loads(text)


def segment_texts(project: Project, segment_ids: Iterable[str]) -> pd.DataFrame:
    """segment_id, document (its external id) and text of these segments (unknown ids left out)."""
    return pd.read_sql_query(
        "SELECT s.id AS segment_id, d.external_id AS document, s.text FROM segments s "
        "JOIN documents d ON d.id = s.document_id WHERE s.id IN (SELECT value FROM json_each(?))",
        project.connection(), params=(json.dumps(list(dict.fromkeys(segment_ids))),))


def counts(project: Project) -> dict[str, int]:
    conn = project.connection()
    return {
        table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("documents", "segments", "suggestions", "codings", "memos", "runs")
    }
