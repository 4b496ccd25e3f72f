"""The project store: migrations, one transaction per document, append-only log, codings."""

from __future__ import annotations

import sqlite3

import pytest

from listening.errors import InputError, ProjectError
from listening.model import Coding, RawTurn, Suggestion, build_document
from listening.segment import segment_document
from listening.store import (
    accept_above,
    accept_suggestions,
    add_codings,
    add_document,
    applied_codes,
    changelog_frame,
    codings_frame,
    counts,
    get_document,
    init_project,
    open_project,
    reject_suggestions,
    replace_suggestions,
    segment_texts,
    segments_frame,
    source_status,
    suggestions_frame,
)
from listening.store.schema import SCHEMA_VERSION


def _doc(text="J'ai attendu trois mois. Personne ne répondait.", ext="E-01"):
    return build_document(f"{ext}.txt", [RawTurn("Qu'est-ce qui s'est passé ?", "Enquêtrice"),
                                         RawTurn(text, "Usager")], external_id=ext)


def _store(project, doc):
    segs = segment_document(doc)
    add_document(project, doc, segs, source_hash=doc.hash, pseudonymised=False)
    return segs


@pytest.mark.parametrize("mode", ["wal"])
def test_new_project_is_migrated_in_wal_with_foreign_keys(tmp_path, mode):
    project = init_project(tmp_path / "p")
    conn = project.connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == mode
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert (tmp_path / "p" / "projet.yaml").exists()


@pytest.mark.parametrize("missing", ["absent"])
def test_opening_a_folder_without_project_says_how_to_create_it(tmp_path, missing):
    with pytest.raises(ProjectError) as err:
        open_project(tmp_path / missing)
    assert str(err.value) == (f"{tmp_path / missing} : aucun projet ici ; créez-le avec "
                              f"« listening init {tmp_path / missing} ».")


@pytest.mark.parametrize("newer", [SCHEMA_VERSION + 1])
def test_project_from_a_newer_version_is_refused(tmp_path, newer):
    project = init_project(tmp_path / "p")
    project.connection().execute(f"PRAGMA user_version = {newer}")
    project.close()
    with pytest.raises(ProjectError, match="version plus récente"):
        open_project(tmp_path / "p")


@pytest.mark.parametrize("ext", ["E-01"])
def test_document_round_trips_with_turn_offsets(tmp_path, ext):
    project = init_project(tmp_path / "p")
    doc = _doc(ext=ext)
    _store(project, doc)
    back = get_document(project, ext)
    assert back.text == doc.text
    assert [(t.speaker, t.start, t.end, t.text) for t in back.turns] == [
        (t.speaker, t.start, t.end, t.text) for t in doc.turns]
    assert source_status(project, ext, doc.hash) == "unchanged"
    assert source_status(project, ext, "other") == "changed"


@pytest.mark.parametrize("bad_position", [1])
def test_a_failing_document_leaves_nothing_behind(tmp_path, bad_position):
    project = init_project(tmp_path / "p")
    doc = _doc()
    segs = segment_document(doc)
    broken = list(segs)
    broken[bad_position] = broken[0]  # duplicate segment id -> constraint error mid-insert
    with pytest.raises(sqlite3.IntegrityError):
        add_document(project, doc, broken, source_hash=doc.hash, pseudonymised=False)
    assert counts(project)["documents"] == 0
    assert counts(project)["segments"] == 0
    assert project.connection().execute("SELECT COUNT(*) FROM turns").fetchone()[0] == 0


@pytest.mark.parametrize("statement", ["UPDATE changelog SET actor = 'x'", "DELETE FROM changelog"])
def test_changelog_is_append_only(tmp_path, statement):
    project = init_project(tmp_path / "p")
    _store(project, _doc())
    with pytest.raises(sqlite3.IntegrityError, match="ajout seul"):
        project.connection().execute(statement)
    assert len(changelog_frame(project)) >= 1


@pytest.mark.parametrize("coder", ["Inspectrice A"])
def test_accepting_a_suggestion_creates_a_logged_coding_with_machine_origin(tmp_path, coder):
    project = init_project(tmp_path / "p")
    segs = _store(project, _doc())
    target = segs[-1]
    sugs = [Suggestion(target.id, "theme.delais", 0.9, "listening.rules.v1", ("attendre",)),
            Suggestion(target.id, "theme.contact", 0.4, "listening.rules.v1", ("répondre",))]
    replace_suggestions(project, "listening.rules.v1", sugs)
    assert accept_suggestions(project, [sugs[0].id], coder=coder) == 1
    assert reject_suggestions(project, [sugs[1].id], coder=coder) == 1
    coded = codings_frame(project)
    assert coded[["code_id", "coder", "origin"]].values.tolist() == [
        ["theme.delais", coder, "listening.rules.v1"]]
    assert suggestions_frame(project).empty  # nothing pending any more
    actions = changelog_frame(project)["action"].tolist()
    assert "suggestion.accepted" in actions and "suggestion.rejected" in actions


@pytest.mark.parametrize("threshold,expected", [(0.5, 1), (0.3, 2)])
def test_accept_above_threshold(tmp_path, threshold, expected):
    project = init_project(tmp_path / "p")
    segs = _store(project, _doc())
    replace_suggestions(project, "m.v1", [Suggestion(segs[-1].id, "theme.delais", 0.9, "m.v1"),
                                          Suggestion(segs[-1].id, "theme.contact", 0.4, "m.v1")])
    assert accept_above(project, threshold, coder="B") == expected
    assert counts(project)["codings"] == expected


@pytest.mark.parametrize("span", [(0, 5)])
def test_span_outside_its_segment_is_refused(tmp_path, span):
    project = init_project(tmp_path / "p")
    seg = _store(project, _doc())[-1]
    with pytest.raises(InputError, match="hors du segment"):
        add_codings(project, [Coding(seg.id, "theme.delais", "A", start=span[0], end=span[1])])
    assert counts(project)["codings"] == 0
    ok = Coding(seg.id, "theme.delais", "A", start=seg.start, end=seg.start + 5)
    assert add_codings(project, [ok, ok]) == 1


@pytest.mark.parametrize("coders", [("A", "B")])
def test_blind_mode_shows_only_own_codings(tmp_path, coders):
    project = init_project(tmp_path / "p")
    seg = _store(project, _doc())[-1]
    add_codings(project, [Coding(seg.id, "theme.delais", c) for c in coders])
    assert set(codings_frame(project)["coder"]) == set(coders)
    assert codings_frame(project, visible_to="A", blind=True)["coder"].tolist() == ["A"]


@pytest.mark.parametrize("coders", [("A", "B")])
def test_applied_codes_and_texts_are_light_reads_of_the_same_rows(tmp_path, coders):
    project = init_project(tmp_path / "p")
    segs = _store(project, _doc())
    add_codings(project, [Coding(s.id, "theme.delais", c) for s in segs for c in coders])
    columns = ["segment_id", "code_id", "coder"]
    full = codings_frame(project)[columns].sort_values(columns, ignore_index=True)
    assert applied_codes(project).sort_values(columns, ignore_index=True).equals(full)
    texts = segment_texts(project, [segs[-1].id, "inconnu", segs[0].id])
    assert sorted(texts["text"]) == sorted([segs[0].text, segs[-1].text])
    assert set(texts["document"]) == set(segments_frame(project)["document"])


@pytest.mark.parametrize("coders", [("A", "B")])
def test_each_coder_decides_suggestions_blind(tmp_path, coders):
    project = init_project(tmp_path / "p")
    seg = _store(project, _doc())[-1]
    sug = Suggestion(seg.id, "theme.delais", 0.9, "m.v1")
    replace_suggestions(project, "m.v1", [sug])
    a, b = coders
    assert accept_suggestions(project, [sug.id], coder=a) == 1
    assert suggestions_frame(project, coder=a).empty
    assert suggestions_frame(project, coder=b)["id"].tolist() == [sug.id]  # B still decides
    assert reject_suggestions(project, [sug.id], coder=b) == 1
    replace_suggestions(project, "m.v1", [sug])  # a re-run keeps decided suggestions
    assert set(codings_frame(project)["coder"]) == {a}
