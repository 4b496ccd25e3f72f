"""Codebook versions, suggestions, codings, reviews and memos. Every change is logged."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, fields

import pandas as pd

from ..errors import InputError
from ..model import ORIGIN_MANUAL, Code, Codebook, Coding, Suggestion, stable_id
from .project import Project, log_change, now, read_frame

# --- codebook versions --------------------------------------------------------


def codebook_to_json(codebook: Codebook) -> str:
    return json.dumps(asdict(codebook), ensure_ascii=False, sort_keys=True)


def codebook_from_json(text: str) -> Codebook:
    data = json.loads(text)
    tuple_fields = {f.name for f in fields(Code) if "tuple" in str(f.type)}
    codes = tuple(
        Code(**{k: tuple(v) if k in tuple_fields else v for k, v in c.items()})
        for c in data["codes"]
    )
    return Codebook(data["name"], data["version"], codes, data.get("description", ""))


def save_codebook(project: Project, codebook: Codebook, *, actor: str = "listening") -> int:
    """Record a codebook version (a no-op when it equals the current one). Returns its id."""
    with project.write() as conn:
        row = conn.execute("SELECT id, hash FROM codebooks ORDER BY id DESC LIMIT 1").fetchone()
        if row is not None and row["hash"] == codebook.hash:
            return row["id"]
        cur = conn.execute(
            "INSERT INTO codebooks(name, version, hash, content, created_at, created_by) "
            "VALUES (?,?,?,?,?,?)",
            (codebook.name, codebook.version, codebook.hash, codebook_to_json(codebook), now(),
             actor),
        )
        log_change(conn, actor, "codebook", "codebook", str(cur.lastrowid),
                   {"name": codebook.name, "version": codebook.version})
        return cur.lastrowid


def current_codebook(project: Project) -> Codebook:
    row = project.connection().execute(
        "SELECT content FROM codebooks ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        raise InputError(
            "ce projet n'a pas de livre de codes ; importez-en un avec "
            "« listening import codebooks/securite-sociale.yaml --project DOSSIER ».",
            source=str(project.path),
        )
    return codebook_from_json(row["content"])


def codebook_history(project: Project) -> pd.DataFrame:
    return pd.read_sql_query(
        "SELECT id, name, version, hash, created_at, created_by FROM codebooks ORDER BY id",
        project.connection(),
    )


def _current_codebook_id(conn: sqlite3.Connection) -> int | None:
    row = conn.execute("SELECT MAX(id) FROM codebooks").fetchone()
    return row[0]


# --- suggestions ----------------------------------------------------------------


def replace_suggestions(project: Project, coder: str, suggestions: Sequence[Suggestion], *,
                        run_id: str | None = None, actor: str = "listening") -> int:
    """Store a machine coder's suggestions, replacing those nobody has decided on yet."""
    with project.write() as conn:
        conn.execute("DELETE FROM suggestions WHERE coder = ? AND id NOT IN "
                     "(SELECT suggestion_id FROM decisions)", (coder,))
        cur = conn.executemany(
            "INSERT OR IGNORE INTO suggestions(id, segment_id, code_id, score, coder, evidence, "
            "run_id) VALUES (?,?,?,?,?,?,?)",
            [(s.id, s.segment_id, s.code_id, float(s.score), s.coder,
              json.dumps(list(s.evidence), ensure_ascii=False), run_id) for s in suggestions],
        )
        log_change(conn, actor, "suggest", "run", run_id or "", {"coder": coder,
                                                                   "count": cur.rowcount})
        return cur.rowcount


def suggestions_frame(project: Project, coder: str | None = None) -> pd.DataFrame:
    """Suggestions still to decide: by `coder` (blind: others' decisions do not count), or by
    anyone when no coder is given."""
    sql = ("SELECT g.*, d.external_id AS document FROM suggestions g "
           "JOIN segments s ON s.id = g.segment_id JOIN documents d ON d.id = s.document_id "
           "WHERE NOT EXISTS (SELECT 1 FROM decisions x WHERE x.suggestion_id = g.id")
    args: tuple = ()
    if coder:
        sql += " AND x.coder = ?"
        args = (coder,)
    df = pd.read_sql_query(sql + ") ORDER BY d.external_id, s.position, g.score DESC",
                           project.connection(), params=args)
    df["evidence"] = df["evidence"].map(json.loads)
    return df


def decisions_frame(project: Project) -> pd.DataFrame:
    return pd.read_sql_query(
        "SELECT x.*, g.segment_id, g.code_id, g.score, g.coder AS machine FROM decisions x "
        "JOIN suggestions g ON g.id = x.suggestion_id ORDER BY x.at", project.connection())


def _decide(conn: sqlite3.Connection, ids: Sequence[str], status: str, coder: str,
            codebook_id: int | None) -> int:
    """Record `coder`'s decision on each suggestion they have not decided yet."""
    if not ids:
        return 0
    rows = conn.execute(
        f"SELECT * FROM suggestions g WHERE g.id IN ({','.join('?' * len(ids))}) AND NOT EXISTS "
        "(SELECT 1 FROM decisions x WHERE x.suggestion_id = g.id AND x.coder = ?)",
        (*ids, coder),
    ).fetchall()
    at = now()
    for r in rows:
        conn.execute("INSERT INTO decisions(suggestion_id, coder, status, at) VALUES (?,?,?,?)",
                     (r["id"], coder, status, at))
        if status == "accepted":
            _insert_coding(conn, Coding(r["segment_id"], r["code_id"], coder, r["coder"]),
                           codebook_id, at)
        log_change(conn, coder, f"suggestion.{status}", "segment", r["segment_id"],
                   {"code": r["code_id"], "coder": r["coder"], "score": r["score"]})
    return len(rows)


def accept_suggestions(project: Project, ids: Sequence[str], *, coder: str) -> int:
    """Accept pending suggestions: each becomes a coding by `coder` with the machine's origin."""
    with project.write() as conn:
        return _decide(conn, list(ids), "accepted", coder, _current_codebook_id(conn))


def reject_suggestions(project: Project, ids: Sequence[str], *, coder: str) -> int:
    with project.write() as conn:
        return _decide(conn, list(ids), "rejected", coder, None)


def accept_above(project: Project, threshold: float, *, coder: str,
                 machine: str | None = None) -> int:
    """Accept every suggestion `coder` has not decided yet that scores at least `threshold`."""
    sql = ("SELECT id FROM suggestions g WHERE score >= ? AND NOT EXISTS (SELECT 1 FROM "
           "decisions x WHERE x.suggestion_id = g.id AND x.coder = ?)")
    args: list = [threshold, coder]
    if machine:
        sql += " AND coder = ?"
        args.append(machine)
    with project.write() as conn:
        ids = [r[0] for r in conn.execute(sql, args)]
        log_change(conn, coder, "suggestion.accept_above", "", "",
                   {"threshold": threshold, "machine": machine, "count": len(ids)})
        return _decide(conn, ids, "accepted", coder, _current_codebook_id(conn))


# --- codings --------------------------------------------------------------------


def _insert_coding(conn: sqlite3.Connection, coding: Coding, codebook_id: int | None,
                   at: str) -> bool:
    cur = conn.execute(
        'INSERT OR IGNORE INTO codings(id, segment_id, code_id, coder, origin, start, "end", '
        "codebook_id, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
        (coding.id, coding.segment_id, coding.code_id, coding.coder, coding.origin,
         coding.start, coding.end, codebook_id, at),
    )
    conn.execute("INSERT OR IGNORE INTO reviews(segment_id, coder, at) VALUES (?,?,?)",
                 (coding.segment_id, coding.coder, at))
    return cur.rowcount > 0


def _check_spans(conn: sqlite3.Connection, codings: Sequence[Coding]) -> None:
    for c in codings:
        row = conn.execute('SELECT start, "end" FROM segments WHERE id = ?',
                           (c.segment_id,)).fetchone()
        if row is None:
            raise InputError(f"segment inconnu : {c.segment_id}")
        if (c.start is None) != (c.end is None):
            raise InputError(f"extrait incomplet sur le segment {c.segment_id} : "
                             "donnez à la fois le début et la fin.")
        if c.start is not None and not (row["start"] <= c.start < c.end <= row["end"]):
            raise InputError(
                f"extrait {c.start}-{c.end} hors du segment {c.segment_id} "
                f"({row['start']}-{row['end']}) : choisissez des positions à l'intérieur."
            )


def add_codings(project: Project, codings: Iterable[Coding], *, actor: str | None = None) -> int:
    """Add codings (idempotent: the same coding twice is stored once). Returns how many are new."""
    codings = list(codings)
    with project.write() as conn:
        _check_spans(conn, codings)
        codebook_id = _current_codebook_id(conn)
        at = now()
        added = 0
        for c in codings:
            if _insert_coding(conn, c, codebook_id, at):
                added += 1
                log_change(conn, actor or c.coder, "coding.add", "segment", c.segment_id,
                           {"code": c.code_id, "coder": c.coder, "origin": c.origin,
                            "start": c.start, "end": c.end})
        return added


def remove_coding(project: Project, coding_id: str, *, actor: str) -> bool:
    with project.write() as conn:
        row = conn.execute("SELECT * FROM codings WHERE id = ?", (coding_id,)).fetchone()
        if row is None:
            return False
        conn.execute("DELETE FROM codings WHERE id = ?", (coding_id,))
        log_change(conn, actor, "coding.remove", "segment", row["segment_id"],
                   {"code": row["code_id"], "coder": row["coder"]})
        return True


def mark_reviewed(project: Project, segment_ids: Iterable[str], *, coder: str) -> None:
    """Record that a coder looked at segments (coded or deliberately left uncoded)."""
    with project.write() as conn:
        at = now()
        conn.executemany("INSERT OR IGNORE INTO reviews(segment_id, coder, at) VALUES (?,?,?)",
                         [(s, coder, at) for s in segment_ids])


def get_codings(project: Project, coder: str | None = None) -> list[Coding]:
    sql = 'SELECT segment_id, code_id, coder, origin, start, "end" FROM codings'
    args: tuple = ()
    if coder:
        sql += " WHERE coder = ?"
        args = (coder,)
    cursor = project.connection().cursor()
    cursor.row_factory = None  # plain tuples: faster to unpack than sqlite3.Row
    return [Coding(*r) for r in cursor.execute(sql + " ORDER BY rowid", args)]


def codings_frame(project: Project, *, visible_to: str | None = None,
                  blind: bool = False) -> pd.DataFrame:
    """Codings with their segment and document; in blind mode only `visible_to`'s own."""
    sql = ('SELECT c.id, c.segment_id, c.code_id, c.coder, c.origin, c.start, c."end", '
           "c.created_at, cb.version AS codebook_version, s.text, d.external_id AS document, "
           "d.journey, d.type, d.public FROM codings c JOIN segments s ON s.id = c.segment_id "
           "JOIN documents d ON d.id = s.document_id LEFT JOIN codebooks cb ON cb.id = c.codebook_id")
    args: tuple = ()
    if blind and visible_to:
        sql += " WHERE c.coder = ?"
        args = (visible_to,)
    return pd.read_sql_query(sql + " ORDER BY d.external_id, s.position", project.connection(),
                             params=args)


def applied_codes(project: Project) -> pd.DataFrame:
    """segment_id, code_id, coder of every coding, in no particular order: what views that
    only ask which codes a segment carries need (`codings_frame` adds texts and metadata)."""
    return read_frame(project.connection(), "SELECT segment_id, code_id, coder FROM codings")


def coders(project: Project) -> list[str]:
    rows = project.connection().execute(
        "SELECT coder FROM reviews UNION SELECT coder FROM codings ORDER BY 1"
    )
    return [r[0] for r in rows]


def compared_coders(project: Project) -> tuple[list[str], list[str]]:
    """The coders an agreement compares by default, and those it leaves out: a coder all of
    whose codings are accepted machine suggestions (a bulk « accept above » under its own
    name, as the demo does) is not a person's reading of the text and is left out, unless
    fewer than two others remain."""
    everyone = coders(project)
    accepting = [r[0] for r in project.connection().execute(
        "SELECT coder FROM codings GROUP BY coder HAVING SUM(origin = ?) = 0 ORDER BY 1",
        (ORIGIN_MANUAL,))]
    people = [c for c in everyone if c not in accepting]
    return (people, accepting) if len(people) >= 2 else (everyone, [])


def coded_units(project: Project) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for seg, coder in project.connection().execute("SELECT segment_id, coder FROM reviews"):
        out.setdefault(coder, set()).add(seg)
    return out


# --- memos ----------------------------------------------------------------------


def set_memo(project: Project, target_kind: str, target_id: str, text: str, *, coder: str) -> str:
    memo_id = stable_id("memo", target_kind, target_id, coder)
    with project.write() as conn:
        at = now()
        conn.execute(
            "INSERT INTO memos(id, target_kind, target_id, coder, text, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET text = excluded.text, "
            "updated_at = excluded.updated_at",
            (memo_id, target_kind, target_id, coder, text, at, at),
        )
        log_change(conn, coder, "memo", target_kind, target_id, {"length": len(text)})
    return memo_id


def memos_frame(project: Project) -> pd.DataFrame:
    return pd.read_sql_query("SELECT * FROM memos ORDER BY updated_at", project.connection())


def changelog_frame(project: Project, limit: int | None = None) -> pd.DataFrame:
    sql = "SELECT * FROM changelog ORDER BY seq DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return pd.read_sql_query(sql, project.connection())


def check_coders(project: Project, names: Sequence[str]) -> None:
    """A name that is not a coder of the project is a typo, not an empty coder."""
    known = coders(project)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(f"codeur(s) inconnu(s) dans ce projet : "
                         f"{', '.join(f'« {n} »' for n in unknown)} ; codeurs du projet : "
                         f"{', '.join(f'« {n} »' for n in known) or 'aucun'}.")


class StoreCodingSource:
    """Adapter giving the agreement module what it reads from a project: the codings of
    `coders`, by default those an agreement compares (`compared_coders`), so every caller (the
    explorer, the CLI, the reports) measures the same people unless told otherwise."""

    def __init__(self, project: Project, coders: Sequence[str] | None = None):
        self.project = project
        self.coders = list(coders) if coders is not None else compared_coders(project)[0]

    def codings(self) -> list[Coding]:
        return [c for c in get_codings(self.project) if c.coder in self.coders]

    def coded_units(self) -> Mapping[str, set[str]]:
        return {k: v for k, v in coded_units(self.project).items() if k in self.coders}

    def codebook(self) -> Codebook:
        return current_codebook(self.project)
