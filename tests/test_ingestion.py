"""The ingest pipeline: manifests, metadata resolution, pseudonymised metadata, batch report."""

from __future__ import annotations

import openpyxl
import pytest

from listening.ingestion import BATCH, ingest_paths
from listening.projects import create_project
from listening.store import documents_frame, get_document


@pytest.fixture
def project(tmp_path):
    return create_project(tmp_path / "p")[0]


def _board(path, author):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "etape", "post-it", "auteur"])
    ws.append(["P1", "etape.separation.declaration", "Trois fois le même papier demandé", author])
    ws.append(["P2", "etape.separation.decision", "Personne pour nous orienter", author])
    wb.save(path)


@pytest.mark.parametrize("author", ["Gwenaëlle"])
def test_metadata_columns_naming_people_are_pseudonymised(project, tmp_path, author):
    path = tmp_path / "mur.xlsx"
    _board(path, author)
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("- file: mur.xlsx\n  type: atelier\n  journey: separation\n"
                        "  text_column: post-it\n  id_column: id\n  columns: {stage: etape}\n",
                        encoding="utf-8")
    report = ingest_paths(project, [path], manifest=manifest)
    assert [r[1] for r in report.ingested] == ["P1", "P2"]
    doc = get_document(project, "P1")
    assert doc.meta.extra["auteur"].startswith("[PERSONNE_")
    assert doc.meta.extra["auteur"] == get_document(project, "P2").meta.extra["auteur"]
    assert doc.meta.stage == "etape.separation.declaration"
    assert doc.meta.journey == "parcours.separation"
    stored = b"".join(f.read_bytes() for f in project.path.glob("projet.sqlite*"))
    assert author.encode() not in stored


@pytest.mark.parametrize("text", ["Usager : J'ai attendu trois mois."])
def test_same_id_with_other_content_is_refused_and_reported(project, tmp_path, text):
    path = tmp_path / "E01.txt"
    path.write_text(text, encoding="utf-8")
    assert len(ingest_paths(project, [path], pseudonymise=False).ingested) == 1
    path.write_text(text + " Puis plus rien.", encoding="utf-8")
    report = ingest_paths(project, [path], pseudonymise=False)
    assert report.failed == [("E01.txt", "l'identifiant « E01.txt » existe déjà avec un autre "
                              "contenu ; renommez le document (colonne id du manifeste) ou "
                              "supprimez l'ancien.")]
    assert len(documents_frame(project)) == 1


@pytest.mark.parametrize("rows", [BATCH + 6])
def test_an_id_repeated_in_a_later_batch_is_refused_and_the_run_goes_on(project, tmp_path, rows):
    """The first batch is still waiting to be stored when the second file is read: the repeat
    must be caught by the run itself, not by the database."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "avis.csv").write_text(
        "id,texte\n" + "".join(f"A{i},Réponse {i} : le dossier a traîné.\n" for i in range(rows)),
        encoding="utf-8")
    (tmp_path / "b" / "autres.csv").write_text("id,texte\nA3,Une autre réponse.\nB1,Rien à dire.\n",
                                              encoding="utf-8")
    report = ingest_paths(project, [tmp_path / "a", tmp_path / "b"], pseudonymise=False)
    assert report.failed == [("autres.csv", "identifiant « A3 » en double dans ce lot ; donnez "
                              "un id unique à chaque document.")]
    assert len(report.ingested) == rows + 1  # B1 after it is stored
    assert get_document(project, "A3").turns[0].text.startswith("Réponse 3")


@pytest.mark.parametrize("name", ["notes.rtf"])
def test_unsupported_files_are_listed_as_ignored(project, tmp_path, name):
    folder = tmp_path / "lot"
    folder.mkdir()
    (folder / name).write_text("{\\rtf1 bonjour}", encoding="utf-8")
    (folder / "README.md").write_text("# À lire", encoding="utf-8")
    (folder / "E02.txt").write_text("Usager : Le site plantait.", encoding="utf-8")
    report = ingest_paths(project, [folder], pseudonymise=False)
    assert [r[0] for r in report.ingested] == ["E02.txt"]
    assert report.ignored == [(name, "format « .rtf » non pris en charge")]


@pytest.mark.parametrize("term", ["zébulon"])
def test_replace_reimports_after_the_deny_list_changed_but_never_drops_codings(tmp_path, term):
    from listening.model import Coding
    from listening.store import add_codings, get_segments, open_project

    project = create_project(tmp_path / "p")[0]
    one, two = tmp_path / "E01.txt", tmp_path / "E02.txt"
    one.write_text(f"Usager : Mon voisin {term} m'a aidée pour le dossier.", encoding="utf-8")
    two.write_text(f"Usager : Sans {term}, je n'aurais rien compris.", encoding="utf-8")
    ingest_paths(project, [one, two])
    assert term in get_document(project, "E01.txt").text
    seg = get_segments(project, get_document(project, "E02.txt").id)[0]
    add_codings(project, [Coding(seg.id, "theme.accompagnement", "A")])
    project.update_settings(deny_list=(term,))
    project = open_project(project.path)
    report = ingest_paths(project, [one, two], replace_existing=True)
    assert [r[1] for r in report.ingested] == ["E01.txt"]
    assert report.failed == [("E02.txt", "« E02.txt » porte 1 codage(s) : il n'est pas remplacé ; "
                                         "exportez ou supprimez ces codages d'abord.")]
    assert term not in get_document(project, "E01.txt").text
    assert len(documents_frame(project)) == 2
