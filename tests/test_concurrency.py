"""Concurrency: coders working on the same project at the same time, from separate processes.

Two processes code the same segments at once (1,000 codings each, one transaction per
coding, as clicks in the explorer make them) and nothing is lost; the same inspector accepting
the same suggestions from two windows decides each once; a reader process runs the explorer's
queries (`segments_frame`, `codings_frame`, `suggestions_frame`) in a loop meanwhile, without an
error and never seeing a coding disappear.

The workers are this file run as a script: `python tests/test_concurrency.py write|accept|read`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from listening.ingestion import ingest_paths
from listening.model import Coding, Suggestion
from listening.projects import create_project
from listening.store import (
    counts,
    current_codebook,
    get_segments,
    open_project,
    replace_suggestions,
)
from listening.store.project import BUSY_TIMEOUT_S

PER_PROCESS = 1000
SUGGESTIONS = 300
MACHINE = "listening.test.v1"
SENTENCES = (
    "J'ai envoyé mon dossier en mars et je n'ai eu aucune réponse.",
    "La conseillère m'a demandé trois fois le même justificatif.",
    "Le site plantait à la dernière étape de la déclaration.",
    "Au téléphone, on attend quarante minutes.",
)


def material(project) -> tuple[list[str], list[str]]:
    segments = [s.id for s in get_segments(project)]
    codes = [c.id for c in current_codebook(project).codes if c.family == "theme"]
    return segments, codes


def planned_codings(project, coder: str) -> list[Coding]:
    """1,000 distinct codings, the same segments and codes for every coder, in the same order."""
    segments, codes = material(project)
    n = len(segments)
    return [Coding(segments[i % n], codes[(i // n) % 20], coder) for i in range(PER_PROCESS)]


def planned_suggestions(project) -> list[Suggestion]:
    segments, codes = material(project)
    n = len(segments)
    return [Suggestion(segments[i % n], codes[20 + (i // n) % 20], 0.9, MACHINE)
            for i in range(SUGGESTIONS)]


# --- workers (run in a subprocess) -------------------------------------------------------


def wait_for_go() -> None:
    print("prêt", flush=True)
    assert sys.stdin.readline().strip() == "go"


def write_worker(project_dir: str, coder: str) -> None:
    from listening.store import add_codings

    project = open_project(Path(project_dir))
    codings = planned_codings(project, coder)
    wait_for_go()
    start, added, slowest = time.time(), 0, 0.0
    for coding in codings:
        t = time.perf_counter()
        added += add_codings(project, [coding])
        slowest = max(slowest, time.perf_counter() - t)
        # a click, then the next: without a pause one writer re-takes SQLite's lock before the
        # other's busy handler wakes, and the writes only happen one after the other
        time.sleep(0.002)
    print(json.dumps({"added": added, "start": start, "end": time.time(), "slowest": slowest}),
          flush=True)


def accept_worker(project_dir: str, coder: str) -> None:
    from listening.store import accept_suggestions

    project = open_project(Path(project_dir))
    ids = [s.id for s in planned_suggestions(project)]
    wait_for_go()
    accepted = sum(accept_suggestions(project, ids[i:i + 3], coder=coder)
                   for i in range(0, len(ids), 3))
    print(json.dumps({"accepted": accepted}), flush=True)


def read_worker(project_dir: str, stop_file: str) -> None:
    """The explorer's reads, in a loop until the stop file appears."""
    from listening.store import codings_frame, segments_frame, suggestions_frame

    project = open_project(Path(project_dir))
    wait_for_go()
    loops, errors, seen = 0, [], []
    while not Path(stop_file).exists() or loops == 0:
        try:
            segments = segments_frame(project)
            codings = codings_frame(project)
            suggestions_frame(project, "Inspectrice A")
            assert len(segments) > 0
            seen.append(len(codings))
        except Exception as exc:  # reported to the test, which fails on any
            errors.append(f"{type(exc).__name__}: {exc}")
        loops += 1
    print(json.dumps({"loops": loops, "errors": errors, "seen": seen}), flush=True)


# --- the parent side ---------------------------------------------------------------------


def start(*args: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, __file__, *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=Path(__file__).parents[1])
    assert proc.stdout.readline().strip() == "prêt", proc.stderr.read()
    return proc


def go(*procs: subprocess.Popen) -> None:
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()


def result(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def shared_project(tmp_path):
    folder = tmp_path / "entretiens"
    folder.mkdir()
    for i in range(6):
        (folder / f"E{i}.txt").write_text("\n\n".join(
            f"Usager : {SENTENCES[(i + t) % 4]} {SENTENCES[(i * t) % 4]}" for t in range(20)),
            encoding="utf-8")
    project, _ = create_project(tmp_path / "p")
    ingest_paths(project, [folder], pseudonymise=False)
    replace_suggestions(project, MACHINE, planned_suggestions(project))
    assert len(material(project)[0]) * 20 >= PER_PROCESS
    project.close()
    return project.path


@pytest.mark.parametrize("coders", [("Inspectrice A", "Inspecteur B")])
def test_two_coders_writing_at_once_lose_nothing_while_the_explorer_reads(shared_project,
                                                                         tmp_path, coders):
    stop = tmp_path / "stop"
    writers = [start("write", str(shared_project), coder) for coder in coders]
    reader = start("read", str(shared_project), str(stop))
    go(reader, *writers)
    done = [result(w) for w in writers]
    stop.touch()
    reads = result(reader)
    assert [d["added"] for d in done] == [PER_PROCESS, PER_PROCESS]
    assert max(d["start"] for d in done) < min(d["end"] for d in done)  # at the same time
    assert max(d["slowest"] for d in done) < BUSY_TIMEOUT_S  # a click waits, never fails
    assert reads["errors"] == [] and reads["loops"] > 0
    assert reads["seen"] == sorted(reads["seen"])  # a coding never disappears from view
    project = open_project(shared_project)
    conn = project.connection()
    stored = {(r[0], r[1], r[2]) for r in conn.execute(
        "SELECT segment_id, code_id, coder FROM codings")}
    expected = {(c.segment_id, c.code_id, c.coder) for coder in coders
                for c in planned_codings(project, coder)}
    assert stored == expected and counts(project)["codings"] == 2 * PER_PROCESS
    order = [r[0] for r in conn.execute("SELECT actor FROM changelog WHERE action = "
                                        "'coding.add' ORDER BY seq")]
    assert len(order) == 2 * PER_PROCESS
    assert sum(a != b for a, b in zip(order, order[1:])) >= 2  # their writes interleaved
    assert any(0 < n < 2 * PER_PROCESS for n in reads["seen"])  # and were read meanwhile
    assert conn.execute("PRAGMA integrity_check").fetchall()[0][0] == "ok"


@pytest.mark.parametrize("coder", ["Inspectrice A"])
def test_one_inspector_accepting_from_two_windows_decides_each_suggestion_once(shared_project,
                                                                              coder):
    windows = [start("accept", str(shared_project), coder) for _ in range(2)]
    go(*windows)
    accepted = [result(w)["accepted"] for w in windows]
    assert sum(accepted) == SUGGESTIONS
    project = open_project(shared_project)
    conn = project.connection()
    assert conn.execute("SELECT COUNT(*) FROM decisions WHERE coder = ? AND status = "
                        "'accepted'", (coder,)).fetchone()[0] == SUGGESTIONS
    assert conn.execute("SELECT COUNT(*) FROM codings WHERE origin = ?",
                        (MACHINE,)).fetchone()[0] == SUGGESTIONS
    assert conn.execute("SELECT COUNT(*) FROM changelog WHERE action = "
                        "'suggestion.accepted'").fetchone()[0] == SUGGESTIONS


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parents[1]))
    {"write": write_worker, "accept": accept_worker, "read": read_worker}[sys.argv[1]](
        *sys.argv[2:])
