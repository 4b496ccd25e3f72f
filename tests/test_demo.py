"""`listening demo` end to end: the corpus is all ingested, coded, modelled and reported, with
no planted identifier left in clear anywhere, and without touching the network."""

from __future__ import annotations

import csv
import sqlite3
import zipfile
from pathlib import Path

import pytest

from listening.projects import DEMO_CORPUS
from listening.store import documents_frame

JOURNEYS = ["parcours.naissance", "parcours.separation", "parcours.retraite",
            "parcours.majorite-ase", "parcours.creation-entreprise"]


def planted() -> list[dict]:
    with open(DEMO_CORPUS / "pii-plantees.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
@pytest.mark.parametrize("journey", JOURNEYS)
def test_every_journey_has_interviews_a_workshop_and_verbatims(demo_build, journey):
    docs = documents_frame(demo_build.project)
    assert not demo_build.ingest.failed
    assert not demo_build.ingest.warnings  # a new user's first run has nothing to fix
    mine = docs[docs["journey"] == journey]
    assert (mine["type"] == "entretien").sum() >= 5
    assert (mine["type"] == "atelier").sum() >= 1
    assert (mine["type"] == "verbatim").sum() >= 50


@pytest.mark.slow
@pytest.mark.parametrize("report", ["docx", "xlsx", "qdpx", "qdc"])
def test_demo_writes_the_four_reports(demo_build, report):
    paths = {p.suffix.lstrip("."): p for p in demo_build.reports}
    assert paths[report].exists() and paths[report].stat().st_size > 1000


def _texts_of(path: Path) -> str:
    """Everything readable in an export: the zip members' text (docx, xlsx, qdpx) or the file."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                             if not n.endswith((".png", ".jpeg", ".jpg", ".emf")))
    return path.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["base", "exports"])
def test_no_planted_identifier_is_stored_or_exported_in_clear(demo_build, kind):
    if kind == "base":
        conn = sqlite3.connect(demo_build.project.db_path)
        haystack = "\n".join(str(v) for table in ("documents", "turns", "segments", "codings",
                                                  "suggestions", "topics", "changelog", "memos")
                             for row in conn.execute(f"SELECT * FROM {table}") for v in row)
    else:
        haystack = "\n".join(_texts_of(p) for p in demo_build.reports)
    leaks = [(p["document"], p["type"], p["value"]) for p in planted()
             if _present(p["value"], haystack)]
    assert leaks == []


def _present(value: str, haystack: str) -> bool:
    """Whole-word presence (a first name like « Tom » must not match « Tombé »)."""
    import re

    return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", haystack) is not None


@pytest.mark.slow
@pytest.mark.parametrize("coders", [("Inspectrice A", "Inspecteur B")])
def test_two_coders_and_their_agreement(demo_build, coders):
    lines = "\n".join(demo_build.lines())
    assert f"Accord {coders[0]} / {coders[1]}" in lines
    conn = sqlite3.connect(demo_build.project.db_path)
    present = {r[0] for r in conn.execute("SELECT DISTINCT coder FROM codings")}
    assert set(coders) <= present


@pytest.mark.slow
def test_the_word_report_measures_the_agreement_the_demo_prints(demo_build):
    """The bulk acceptance is not a person's reading: the report leaves it out and states it,
    and so gives the same α as the demo's own line (and as the explorer and the CLI)."""
    import re

    import docx

    from listening.demo import DEMO_ACCEPTOR

    alpha = re.search(r"α de Krippendorff (\d\.\d+)", "\n".join(demo_build.lines())).group(1)
    word = next(p for p in demo_build.reports if p.suffix == ".docx")
    text = "\n".join(p.text for p in docx.Document(word).paragraphs)
    assert "Codeurs comparés : Inspecteur B et Inspectrice A" in text
    assert f"« {DEMO_ACCEPTOR} » n'est pas comparé" in text
    assert f"α de Krippendorff = {alpha.replace('.', ',')}" in text


@pytest.mark.slow
@pytest.mark.parametrize("journey", JOURNEYS)
def test_topics_per_stage_for_every_journey(demo_build, journey):
    conn = sqlite3.connect(demo_build.project.db_path)
    stages = {r[0] for r in conn.execute(
        "SELECT DISTINCT stage FROM topics WHERE journey = ? AND stage IS NOT NULL", (journey,))}
    assert len(stages) >= 3
