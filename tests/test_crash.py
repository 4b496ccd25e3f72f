"""Crash safety: an ingest and a coding session are killed (SIGKILL) at seeded random points.

After each kill the project opens (PRAGMA integrity_check ok), no document is partial (its
turns and segments are all there), no coding operation is partial (an accepted suggestion has
its coding and the other way round, a batch of codings is all there or absent), and running
the same work again completes it.

The workers are this file run as a script: `python tests/test_crash.py ingest|code ...`.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from listening.ingestion import ingest_paths
from listening.model import Coding, Suggestion
from listening.projects import create_project
from listening.segment import segment_document
from listening.store import (
    counts,
    current_codebook,
    get_document,
    get_segments,
    open_project,
    replace_suggestions,
)

DOCUMENTS = 120
CHUNK = 25  # codings per add_codings call, suggestions per accept_suggestions call
OPERATIONS = 80  # add + accept calls of a coding session
KILLS = 4
MACHINE = "listening.test.v1"
CODER = "Inspectrice A"
SENTENCES = (
    "J'ai envoyé mon dossier en mars et je n'ai eu aucune réponse.",
    "La conseillère m'a demandé trois fois le même justificatif.",
    "Le site plantait à la dernière étape de la déclaration.",
    "Au téléphone, on attend quarante minutes.",
    "Le premier versement est arrivé avec deux mois de retard.",
)


# --- workers (run in a subprocess) -------------------------------------------------------


def ingest_worker(project_dir: str, folder: str) -> None:
    """Ingest the folder, printing a line after each document is stored."""
    import listening.ingestion as ingestion

    store = ingestion.add_document

    def traced(*args, **kwargs):
        store(*args, **kwargs)
        print("stocké", flush=True)

    ingestion.add_document = traced
    ingest_paths(open_project(Path(project_dir)), [Path(folder)], pseudonymise=False)
    print("fini", flush=True)


def session_plan(project) -> list[tuple[str, list]]:
    """The coding session: alternately add a chunk of manual codings and accept a chunk of
    pending suggestions, in a fixed order."""
    segments, codes = session_material(project)
    n = len(segments)
    manual = [Coding(segments[i % n], codes[(i // n) % 20], CODER)
              for i in range(OPERATIONS // 2 * CHUNK)]
    suggestions = [suggestion(segments, codes, i).id for i in range(OPERATIONS // 2 * CHUNK)]
    plan = []
    for i in range(OPERATIONS // 2):
        plan.append(("add", manual[i * CHUNK:(i + 1) * CHUNK]))
        plan.append(("accept", suggestions[i * CHUNK:(i + 1) * CHUNK]))
    return plan


def session_material(project) -> tuple[list[str], list[str]]:
    segments = [s.id for s in get_segments(project)]
    codes = [c.id for c in current_codebook(project).codes if c.family == "theme"]
    return segments, codes


def suggestion(segments: list[str], codes: list[str], i: int) -> Suggestion:
    """The i-th suggestion: a distinct (segment, code) pair, never one a manual coding uses
    (manual codings take the first 20 themes, suggestions the next 20)."""
    n = len(segments)
    return Suggestion(segments[i % n], codes[20 + (i // n) % 20], 0.5 + (i % 50) / 100,
                      MACHINE, ("test",))


def run_session(project, announce: bool = False) -> None:
    from listening.store import accept_suggestions, add_codings

    for kind, items in session_plan(project):
        if kind == "add":
            add_codings(project, items)
        else:
            accept_suggestions(project, items, coder=CODER)
        if announce:
            print(kind, flush=True)


def code_worker(project_dir: str) -> None:
    run_session(open_project(Path(project_dir)), announce=True)
    print("fini", flush=True)


# --- the parent side ---------------------------------------------------------------------


def kill_after(args: list[str], lines: int, delay: float) -> bool:
    """Start a worker, SIGKILL it `delay` s after its `lines`-th line. False if it finished."""
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=Path(__file__).parents[1])
    seen = 0
    while seen < lines:
        line = proc.stdout.readline()
        if not line or line.strip() == "fini":
            proc.wait()
            assert proc.returncode == 0, proc.stderr.read()
            return False
        seen += 1
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    return proc.returncode == -signal.SIGKILL


def check_database(path: Path) -> None:
    db = sqlite3.connect(path / "projet.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.close()


def check_documents(project) -> None:
    """Every stored document is whole: its turns and exactly the segments it cuts into."""
    conn = project.connection()
    for (doc_id,) in conn.execute("SELECT id FROM documents").fetchall():
        doc = get_document(project, doc_id)
        assert doc.turns and doc.id == doc_id
        expected = [(s.id, s.start, s.end) for s in segment_document(doc)]
        stored = [(s.id, s.start, s.end) for s in get_segments(project, doc_id)]
        assert sorted(stored) == sorted(expected)
    logged = conn.execute("SELECT COUNT(*) FROM changelog WHERE action = 'ingest'").fetchone()[0]
    assert logged == counts(project)["documents"]


def write_corpus(folder: Path, rng: random.Random) -> None:
    folder.mkdir()
    for i in range(DOCUMENTS):
        turns = [f"{'Enquêtrice' if t % 2 else 'Usager'} : "
                 + " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 6)))
                 for t in range(60)]
        (folder / f"E{i:03d}.txt").write_text(f"Entretien {i}.\n\n" + "\n\n".join(turns),
                                              encoding="utf-8")


@pytest.mark.parametrize("seed", [2026])
def test_killed_ingests_leave_whole_documents_and_a_rerun_completes(tmp_path, seed):
    rng = random.Random(seed)
    folder = tmp_path / "entretiens"
    write_corpus(folder, rng)
    project, _ = create_project(tmp_path / "p")
    project.close()
    killed = 0
    for _ in range(KILLS):
        remaining = DOCUMENTS - counts(open_project(project.path))["documents"]
        # early in what remains: the worker runs ahead of the lines read, never to the end
        if kill_after(["ingest", str(project.path), str(folder)],
                      rng.randint(1, max(1, remaining // 3)), rng.uniform(0, 0.03)):
            killed += 1
        check_database(project.path)
        reopened = open_project(project.path)
        check_documents(reopened)
        reopened.close()
    assert killed == KILLS
    reopened = open_project(project.path)
    before = counts(reopened)["documents"]
    assert 0 < before < DOCUMENTS
    report = ingest_paths(reopened, [folder], pseudonymise=False)
    assert report.failed == []
    assert len(report.unchanged) == before
    assert len(report.ingested) == DOCUMENTS - before
    assert counts(reopened)["documents"] == DOCUMENTS
    check_documents(reopened)


def prepare_coding_project(path: Path, rng: random.Random):
    folder = path.parent / "entretiens"
    folder.mkdir()
    for i in range(6):
        (folder / f"E{i}.txt").write_text("\n\n".join(
            f"Usager : {rng.choice(SENTENCES)} {rng.choice(SENTENCES)}" for _ in range(20)),
            encoding="utf-8")
    project, _ = create_project(path)
    ingest_paths(project, [folder], pseudonymise=False)
    segments, codes = session_material(project)
    replace_suggestions(project, MACHINE, [suggestion(segments, codes, i)
                                           for i in range(OPERATIONS // 2 * CHUNK)])
    return project


def check_codings(project) -> int:
    """No partial coding operation. Returns how many operations are stored."""
    conn = project.connection()
    accepted = conn.execute("SELECT g.segment_id, g.code_id, g.coder, x.coder FROM decisions x "
                            "JOIN suggestions g ON g.id = x.suggestion_id "
                            "WHERE x.status = 'accepted'").fetchall()
    machine = conn.execute("SELECT id FROM codings WHERE origin = ?", (MACHINE,)).fetchall()
    assert {r[0] for r in machine} == {Coding(s, c, who, origin=m).id for s, c, m, who in accepted}
    log = dict(conn.execute("SELECT action, COUNT(*) FROM changelog GROUP BY action").fetchall())
    assert log.get("suggestion.accepted", 0) == len(accepted)
    manual = {r[0] for r in conn.execute("SELECT id FROM codings WHERE origin = 'manual'")}
    plan = session_plan(project)
    adds = [{c.id for c in items} for kind, items in plan if kind == "add"]
    accepts = [set(items) for kind, items in plan if kind == "accept"]
    done_adds = [chunk <= manual for chunk in adds]
    assert all(chunk <= manual or not (chunk & manual) for chunk in adds)  # all or nothing
    assert done_adds == sorted(done_adds, reverse=True)  # in the order they were made
    decided = {r[0] for r in conn.execute(
        "SELECT suggestion_id FROM decisions WHERE status = 'accepted' AND coder = ?", (CODER,))}
    done_accepts = [chunk <= decided for chunk in accepts]
    assert all(chunk <= decided or not (chunk & decided) for chunk in accepts)
    assert done_accepts == sorted(done_accepts, reverse=True)
    assert log.get("coding.add", 0) == len(manual) == sum(len(c) for c in adds if c <= manual)
    return sum(done_adds) + sum(done_accepts)


@pytest.mark.parametrize("seed", [1789])
def test_killed_coding_sessions_leave_no_partial_operation_and_a_rerun_completes(tmp_path,
                                                                                 seed):
    rng = random.Random(seed)
    project = prepare_coding_project(tmp_path / "p", rng)
    project.close()
    done, killed = 0, 0
    for _ in range(KILLS):
        lines = min(rng.randint(done, (done + OPERATIONS) // 2), OPERATIONS - 12)
        if kill_after(["code", str(project.path)], lines, rng.uniform(0, 0.01)):
            killed += 1
        check_database(project.path)
        reopened = open_project(project.path)
        done = check_codings(reopened)
        reopened.close()
    assert killed == KILLS and 0 < done < OPERATIONS
    reopened = open_project(project.path)
    run_session(reopened)
    assert check_codings(reopened) == OPERATIONS
    status = dict(reopened.connection().execute(
        "SELECT status, COUNT(*) FROM decisions GROUP BY status").fetchall())
    assert status == {"accepted": OPERATIONS // 2 * CHUNK}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parents[1]))
    {"ingest": ingest_worker, "code": code_worker}[sys.argv[1]](*sys.argv[2:])
