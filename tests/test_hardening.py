"""Hardening: a few hundred broken files (tests/malformed.py) go through ingestion in one batch.

Every broken file is reported with a clear French reason naming it, the batch ends, nothing is
half-stored, the project opens afterwards, and the good files mixed in are ingested.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections import Counter

import pytest
from malformed import ANY, FAIL, IGNORED, OK, SKIPPED, generate

from listening.errors import InputError
from listening.ingestion import ingest_paths
from listening.projects import create_project
from listening.store import counts, open_project, runs_frame, segments_frame

# A French reason uses at least one of these words...
FRENCH = frozenset(
    "fichier vérifiez réessayez aucun aucune introuvable invalide inconnu inconnue colonne "
    "colonnes ligne enregistrez endommagé protégé format tableau vide texte indiquez corrigez "
    "choisissez sous-titre horodatage semble identifiant double".split()
)
# ...and none of these, nor a Python exception name or traceback.
ENGLISH = frozenset(
    "the is not and of file error errors invalid expected unexpected cannot could failed line "
    "field limit missing found none object has attribute index key decode codec byte position "
    "traceback exception encoding truncated bad unsupported no".split()
)
PYTHON = re.compile(r"\b\w*(?:Error|Exception|Warning)\b|Traceback|File \"|<\w+ object at")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("malformes")
    return folder, generate(folder, seed=7)


@pytest.fixture(scope="module")
def ingested(corpus, tmp_path_factory):
    """The whole corpus ingested in one batch, without pseudonymisation (speed)."""
    folder, cases = corpus
    project, _ = create_project(tmp_path_factory.mktemp("projet") / "p")
    report = ingest_paths(project, [folder], pseudonymise=False)
    return project, report, cases


def outcome(report, name: str) -> str:
    if any(n == name for n, _ in report.failed):
        return FAIL
    if any(entry[0] == name for entry in report.ingested):
        return OK
    if any(n == name for n, _ in report.ignored):
        return IGNORED
    return SKIPPED


def is_french(reason: str, name: str) -> bool:
    text = reason.replace(name, " ")
    text = re.sub(r"«[^»]*»", " ", text)  # values quoted from the file (column names ...)
    words = {w.casefold() for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text)}
    return bool(words & FRENCH) and not (words & ENGLISH) and not PYTHON.search(text)


@pytest.mark.parametrize("reason, french", [
    ("a.docx : fichier Word endommagé ou tronqué : ouvrez-le dans Word", True),
    ("a.csv, ligne 2 : colonne « Réponse » introuvable", True),
    ("a.docx : File is not a zip file", False),
    ("a.csv : CSV illisible (field larger than field limit (131072))", False),
    ("a.xlsx : fichier illisible : KeyError: 'xl/workbook.xml'", False),
    ("a.txt : StopIteration", False),
])
def test_the_french_check_itself(reason, french):
    assert is_french(reason, reason.split(" ")[0].rstrip(",")) is french


@pytest.mark.parametrize("n", [300])
def test_the_corpus_holds_a_few_hundred_distinct_files(corpus, n):
    _, cases = corpus
    assert len(cases) >= n
    assert len({c.name for c in cases}) == len(cases)
    assert sum(c.expect == FAIL for c in cases) >= 200


@pytest.mark.parametrize("expect", [FAIL, OK, ANY, IGNORED, SKIPPED])
def test_every_file_gets_the_outcome_it_must(ingested, expect):
    _, report, cases = ingested
    wrong = []
    for case in (c for c in cases if c.expect == expect):
        got = outcome(report, case.name)
        allowed = (FAIL, OK) if expect == ANY else (expect,)
        if got not in allowed:
            wrong.append((case.name, case.expect, got, dict(report.failed).get(case.name, "")))
    assert wrong == []


@pytest.mark.parametrize("family", ["all"])
def test_failure_reasons_are_french_name_the_file_and_say_what_is_wrong(ingested, family):
    _, report, cases = ingested
    expected = {c.name: c.reason for c in cases}
    problems = []
    for name, reason in report.failed:
        if name not in reason:
            problems.append((name, "ne nomme pas le fichier", reason))
        elif not is_french(reason, name):
            problems.append((name, "pas en français", reason))
        elif expected.get(name) and expected[name] not in reason:
            problems.append((name, f"attendu « {expected[name]} »", reason))
    assert problems == []


@pytest.mark.parametrize("reason", ["format « .doc » non pris en charge"])
def test_unsupported_files_are_listed_as_ignored_in_french(ingested, reason):
    _, report, _ = ingested
    assert ("autres/ancien.doc", reason) in report.ignored


@pytest.mark.parametrize("table", ["turns", "segments"])
def test_nothing_is_half_stored(ingested, table):
    project, report, _ = ingested
    conn = project.connection()
    assert counts(project)["documents"] == len(report.ingested)
    orphans = conn.execute(f"SELECT COUNT(*) FROM {table} t LEFT JOIN documents d "
                           "ON d.id = t.document_id WHERE d.id IS NULL").fetchone()[0]
    assert orphans == 0
    bare = conn.execute(f"SELECT COUNT(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM "
                        f"{table} t WHERE t.document_id = d.id)").fetchone()[0]
    assert bare == 0
    stored = {r[0] for r in conn.execute("SELECT external_id FROM documents")}
    assert stored == {entry[1] for entry in report.ingested}


@pytest.mark.parametrize("check", ["text", "tiling"])
def test_stored_segments_match_their_document_text(ingested, check):
    project, _, _ = ingested
    conn = project.connection()
    texts = dict(conn.execute("SELECT id, text FROM documents"))
    segments = conn.execute('SELECT document_id, turn_index, start, "end", text FROM segments '
                            "ORDER BY document_id, position").fetchall()
    if check == "text":
        assert [s[4] for s in segments] == [texts[s[0]][s[2]:s[3]] for s in segments]
    else:  # within a turn, each segment starts where the previous one ended
        turns = {(r[0], r[1]): (r[2], r[3]) for r in conn.execute(
            'SELECT document_id, idx, start, "end" FROM turns')}
        cover: dict[tuple[str, int], list[tuple[int, int]]] = {}
        for doc, turn, start, end, _ in segments:
            cover.setdefault((doc, turn), []).append((start, end))
        gaps = [key for key, spans in cover.items()
                if spans[0][0] != turns[key][0] or spans[-1][1] != turns[key][1]
                or any(a[1] != b[0] for a, b in zip(spans, spans[1:]))]
        assert gaps == []


@pytest.mark.parametrize("fragment", ["contains", "absent"])
def test_good_files_keep_their_text(ingested, fragment):
    project, report, cases = ingested
    conn = project.connection()
    by_name: dict[str, str] = {}
    for name, text in conn.execute("SELECT name, text FROM documents"):
        by_name[name] = by_name.get(name, "") + text
    wrong = []
    for case in cases:
        value = getattr(case, fragment)
        if not value or case.name not in by_name:
            continue
        if (value in by_name[case.name]) != (fragment == "contains"):
            wrong.append((case.name, fragment, value))
    assert wrong == []


@pytest.mark.parametrize("pragma", ["integrity_check", "foreign_key_check"])
def test_the_project_opens_afterwards(ingested, pragma):
    project, report, _ = ingested
    db = sqlite3.connect(project.db_path)
    rows = [tuple(r) for r in db.execute(f"PRAGMA {pragma}")]
    db.close()
    assert rows == ([("ok",)] if pragma == "integrity_check" else [])
    reopened = open_project(project.path)
    assert len(segments_frame(reopened)) == counts(reopened)["segments"] > 0
    runs = runs_frame(reopened, kind="ingest")
    assert list(runs["status"]) == ["done"]
    reopened.close()


@pytest.mark.parametrize("again", ["même dossier"])
def test_ingesting_the_same_corpus_again_changes_nothing(ingested, corpus, again):
    project, first, _ = ingested
    folder, _ = corpus
    before = counts(project)
    second = ingest_paths(project, [folder], pseudonymise=False)
    assert second.ingested == []
    assert Counter(n for n, _ in second.unchanged) == Counter(e[0] for e in first.ingested)
    assert sorted(second.failed) == sorted(first.failed)
    assert {k: v for k, v in counts(project).items() if k != "runs"} == \
        {k: v for k, v in before.items() if k != "runs"}


FAMILIES_WITH_PSEUDONYMS = ("txt-valide", "md-valide", "csv-valide", "docx-tronque",
                            "xlsx-protege", "txt-binaire", "vtt-horodatage", "pdf-sans-texte",
                            "csv-entete", "odt-corrompu", "txt-encodage-mixte")


@pytest.mark.slow
@pytest.mark.parametrize("families", [FAMILIES_WITH_PSEUDONYMS])
def test_a_mixed_batch_with_pseudonymisation(corpus, tmp_path, families):
    folder, cases = corpus
    batch = tmp_path / "lot"
    chosen = []
    for family in families:
        case = next(c for c in cases if c.family == family)
        (batch / case.name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(folder / case.name, batch / case.name)
        chosen.append(case)
    project, _ = create_project(tmp_path / "p")
    report = ingest_paths(project, [batch], pseudonymise=True)
    assert {c.name: outcome(report, c.name) for c in chosen} == \
        {c.name: c.expect for c in chosen}
    assert all(name in reason and is_french(reason, name) for name, reason in report.failed)
    conn = project.connection()
    assert conn.execute("SELECT COUNT(*) FROM documents WHERE pseudonymised = 1").fetchone()[0] \
        == counts(project)["documents"] == len(report.ingested) > 0


MANIFESTS = [
    ("- file: a.txt\n  type: podcast\n",
     "manifest.yaml, ligne 1 : type « podcast » inconnu : utilisez entretien, atelier ou verbatim"),
    ("- file: a.txt\n  journey: [retraite\n",
     "manifest.yaml, ligne 3 : YAML invalide (expected ',' or ']', but got '<stream end>') : "
     "corrigez la syntaxe du manifeste"),
    ("- file: a.txt\n  date: 31/02/2026\n",
     "manifest.yaml, ligne 1 : date « 31/02/2026 » non reconnue : écrivez-la AAAA-MM-JJ "
     "(ex. 2026-03-12) ou JJ/MM/AAAA"),
]


@pytest.mark.parametrize("manifest, message", MANIFESTS)
def test_a_broken_manifest_stops_the_batch_before_anything_is_stored(tmp_path, manifest,
                                                                     message):
    (tmp_path / "lot").mkdir()
    (tmp_path / "lot" / "a.txt").write_text("Usager : J'attends depuis mars.", encoding="utf-8")
    (tmp_path / "lot" / "manifest.yaml").write_text(manifest, encoding="utf-8")
    project, _ = create_project(tmp_path / "p")
    with pytest.raises(InputError) as error:
        ingest_paths(project, [tmp_path / "lot"], pseudonymise=False)
    assert str(error.value) == message
    assert counts(project)["documents"] == counts(project)["runs"] == 0
