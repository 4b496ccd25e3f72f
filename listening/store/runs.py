"""Runs (what was run, with which parameters, seed and version) and their topic results."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pandas as pd

from .. import __version__
from ..model import stable_id
from .project import Project, log_change, now


def start_run(project: Project, kind: str, params: Mapping[str, object], *,
              seed: int | None = None, actor: str = "listening") -> str:
    started = now()
    run_id = stable_id("run", kind, started, json.dumps(params, sort_keys=True, default=str))
    with project.write() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO runs(id, kind, params, seed, version, started_at) "
            "VALUES (?,?,?,?,?,?)",
            (run_id, kind, json.dumps(params, ensure_ascii=False, sort_keys=True, default=str),
             seed, __version__, started),
        )
        log_change(conn, actor, f"run.{kind}", "run", run_id, dict(params))
    return run_id


def finish_run(project: Project, run_id: str, summary: Mapping[str, object], *,
               status: str = "done") -> None:
    with project.write() as conn:
        conn.execute(
            "UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
            (now(), status, json.dumps(summary, ensure_ascii=False, default=str), run_id),
        )


def runs_frame(project: Project, kind: str | None = None) -> pd.DataFrame:
    sql = "SELECT * FROM runs"
    args: tuple = ()
    if kind:
        sql += " WHERE kind = ?"
        args = (kind,)
    df = pd.read_sql_query(sql + " ORDER BY started_at DESC, rowid DESC", project.connection(),
                           params=args)
    for col in ("params", "summary"):
        df[col] = df[col].map(json.loads)
    return df


def latest_run(project: Project, kind: str, status: str = "done") -> dict | None:
    row = project.connection().execute(
        "SELECT * FROM runs WHERE kind = ? AND status = ? ORDER BY started_at DESC, rowid DESC "
        "LIMIT 1", (kind, status),
    ).fetchone()
    if row is None:
        return None
    out = dict(row)
    out["params"] = json.loads(out["params"])
    out["summary"] = json.loads(out["summary"])
    return out


def save_topics(project: Project, run_id: str, topics: Sequence[Mapping[str, object]],
                assignments: Sequence[tuple[str, str | None, float | None]]) -> None:
    """Store a topic run's topics and its (segment_id, topic_key, probability) assignments."""
    with project.write() as conn:
        conn.execute("DELETE FROM topics WHERE run_id = ?", (run_id,))
        conn.execute("DELETE FROM topic_assignments WHERE run_id = ?", (run_id,))
        conn.executemany(
            "INSERT INTO topics(run_id, topic_key, topic, journey, stage, label, words, count, "
            "share, themes, examples) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(run_id, t["key"], t["topic"], t.get("journey"), t.get("stage"), t["label"],
              json.dumps(list(t.get("words", [])), ensure_ascii=False), t["count"],
              t.get("share"), json.dumps(list(t.get("themes", [])), ensure_ascii=False),
              json.dumps(list(t.get("examples", [])))) for t in topics],
        )
        conn.executemany(
            "INSERT INTO topic_assignments(run_id, segment_id, topic_key, probability) "
            "VALUES (?,?,?,?)", [(run_id, *a) for a in assignments],
        )


def topics_frame(project: Project, run_id: str) -> pd.DataFrame:
    df = pd.read_sql_query("SELECT * FROM topics WHERE run_id = ? ORDER BY journey, stage, topic",
                           project.connection(), params=(run_id,))
    for col in ("words", "themes", "examples"):
        df[col] = df[col].map(json.loads)
    return df


def assignments_frame(project: Project, run_id: str) -> pd.DataFrame:
    return pd.read_sql_query(
        "SELECT segment_id, topic_key, probability FROM topic_assignments WHERE run_id = ?",
        project.connection(), params=(run_id,),
    )
