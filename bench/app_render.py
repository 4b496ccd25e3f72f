"""Explorer render times on a synthetic project of 20,000 segments, measured with AppTest.

For each page: the first render with cold caches (nothing computed yet for this data
version), the first render in a new session once another session filled the caches (warm),
and, where the page has filters, the rerun after a filter change.
Targets: first render <= 1 s, filter change <= 0.3 s. Printed, never asserted.

    .venv/bin/python bench/app_render.py [--segments 20000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from listening.model import Coding, Metadata, RawTurn, Suggestion, build_document  # noqa: E402
from listening.projects import DEFAULT_CODEBOOK, create_project  # noqa: E402
from listening.segment import segment_document  # noqa: E402
from listening.store import (  # noqa: E402
    add_codings,
    add_document,
    finish_run,
    mark_reviewed,
    replace_suggestions,
    save_topics,
    start_run,
)

FIRST_TARGET, FILTER_TARGET = 1.0, 0.3
TURNS_PER_DOC = 50
WORDS = ("dossier attente caisse courrier rendez-vous conseillère téléphone délai versement "
         "pension formulaire pièce justificatif allocation agence site compte démarche réponse "
         "mois semaine erreur relance droits aide logement enfant séparation retraite").split()
PUBLICS = ("parent isolé", "jeune", "senior", "travailleur indépendant")
TERRITORIES = ("Nord", "Sud", "Île-de-France", "Bretagne")
# (page, widget key for a filter change, new value); None when the page has no filter
PAGES = [
    ("vue_ensemble", None, None),
    ("corpus", "corpus_type", "atelier"),
    ("codage", "queue_mode", "score"),
    ("livre_de_codes", None, None),
    ("parcours", "parcours_public", "jeune"),
    ("themes_emergents", None, None),
    ("accord", "accord_code", "__first__"),
    ("recherche", "recherche_type", "atelier"),
    ("exports", None, None),
]


def sentence(rng: random.Random) -> str:
    words = rng.sample(WORDS, 9)
    return f"{' '.join(words).capitalize()}, c'est ce qui s'est passé avec la caisse."


def build(root: Path, n_segments: int, seed: int = 7):
    """Documents of 50 one-sentence turns; two coders, suggestions and a topic run."""
    rng = random.Random(seed)
    project, codebook = create_project(root / "projet", codebook=DEFAULT_CODEBOOK)
    journeys = codebook.journeys
    themes = [c.id for c in codebook.family("theme") if c.codable]
    valences = [c.id for c in codebook.family("valence")]
    codings, suggestions, reviewed = [], [], {"alice": [], "bruno": []}
    topics, assignments = [], []
    for d in range(n_segments // TURNS_PER_DOC):
        journey = journeys[d % len(journeys)]
        kind = "atelier" if d % 10 == 0 else "entretien"
        turns = [RawTurn(sentence(rng), "Enquêtrice" if t % 2 == 0 else "Usager",
                         f"00:{t:02d}:00") for t in range(TURNS_PER_DOC)]
        doc = build_document(f"D-{d:04d}.txt", turns, external_id=f"D-{d:04d}",
                             roles=["interviewer", "usager"] * (TURNS_PER_DOC // 2),
                             meta=Metadata(type=kind, journey=journey.id,
                                           public=PUBLICS[d % len(PUBLICS)],
                                           territory=TERRITORIES[d % len(TERRITORIES)]))
        segments = segment_document(doc)
        add_document(project, doc, segments, source_hash=doc.hash, pseudonymised=False)
        for seg in segments[1::2]:
            stage = rng.choice(journey.stages).id
            codes = [rng.choice(themes), rng.choice(valences), stage]
            codings += [Coding(seg.id, c, "alice") for c in codes]
            reviewed["alice"].append(seg.id)
            if rng.random() < 0.5:
                codings += [Coding(seg.id, c, "bruno") for c in codes[:2]]
                reviewed["bruno"].append(seg.id)
            if rng.random() < 0.3:
                suggestions.append(Suggestion(seg.id, rng.choice(themes), rng.random(),
                                              "listening.rules.v1", ("caisse",)))
            if len(assignments) < 3000 and codes[1] == "valence.irritant":
                key = f"{journey.id}/{stage}/0"
                assignments.append((seg.id, key, 0.9))
    add_codings(project, codings)
    for coder, ids in reviewed.items():
        mark_reviewed(project, ids, coder=coder)
    replace_suggestions(project, "listening.rules.v1", suggestions)
    by_key: dict[str, list[str]] = {}
    for seg_id, key, _ in assignments:
        by_key.setdefault(key, []).append(seg_id)
    for key, ids in by_key.items():
        journey, stage, _ = key.split("/")
        topics.append({"key": key, "topic": 0, "journey": journey, "stage": stage,
                       "label": "attente · caisse · dossier", "words": WORDS[:6],
                       "count": len(ids), "share": 0.5, "themes": themes[:2],
                       "examples": ids[:3]})
    run_id = start_run(project, "topics", {"embedder": "tfidf"}, seed=42)
    save_topics(project, run_id, topics, assignments)
    finish_run(project, run_id, {"synthetic": True})
    return project


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def session() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["coder"] = "alice"
    at.run()
    return at


def change_filter(at: AppTest, key: str, value: str) -> None:
    box = at.selectbox(key=key)
    box.set_value(box.options[1] if value == "__first__" else value)
    at.run()


def measure(page: str, key: str | None, value: str | None) -> dict[str, float]:
    out = {}
    at = session()
    st.cache_data.clear()
    st.cache_resource.clear()
    out["cold"] = timed(lambda: at.switch_page(f"app_pages/{page}.py").run())
    assert not at.exception, (page, [e.value for e in at.exception])
    at = session()
    out["warm"] = timed(lambda: at.switch_page(f"app_pages/{page}.py").run())
    if page == "recherche":  # a query first, then the filter change
        at.text_input(key="recherche_query").input("caisse")
        next(b for b in at.button if b.label == "Rechercher").click().run()
    if key:
        out["filter"] = timed(lambda: change_filter(at, key, value))
        assert not at.exception, (page, [e.value for e in at.exception])
    if page == "codage":  # a write (the segment marked as reviewed) and the rerun it causes
        button = next(b for b in at.button if b.label == "Revu, sans code")
        out["write"] = timed(lambda: button.click().run())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segments", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the project in this folder")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="listening-bench-"))
    if not (root / "projet" / "projet.sqlite").exists():
        t = timed(lambda: build(root, args.segments))
        print(f"Projet synthétique : {args.segments} segments construits en {t:.1f} s ({root})")
    os.environ["LISTENING_PROJECT"] = str(root / "projet")
    session()  # imports and the first run of the router, outside the measures
    print(f"{'page':18} {'1er rendu froid':>16} {'1er rendu chaud':>16} {'filtre':>8}   "
          f"(cibles : {FIRST_TARGET:.1f} s / {FILTER_TARGET:.1f} s)")
    for page, key, value in PAGES:
        m = measure(page, key, value)
        flag = lambda v, target: "  " if v <= target else " !"  # noqa: E731
        filt = (f"{m['filter']:7.2f}s{flag(m['filter'], FILTER_TARGET)}" if "filter" in m
                else f"{'—':>8}  ")
        write = f"   après une écriture : {m['write']:.2f} s" if "write" in m else ""
        print(f"{page:18} {m['cold']:15.2f}s{flag(m['cold'], FIRST_TARGET)}"
              f"{m['warm']:15.2f}s{flag(m['warm'], FIRST_TARGET)} {filt}{write}")


if __name__ == "__main__":
    main()
