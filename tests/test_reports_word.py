"""The Word report: structure Word relies on, traceability, template, LibreOffice, CLI."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
import typer
from docx.oxml.ns import qn
from typer.testing import CliRunner

from listening.cli.reports import import_command, report_command
from listening.reports import write_report
from listening.reports.data import build_report_data, short
from listening.reports.word import build_word
from listening.store import get_segments

HEADING_STYLES = {"Heading 1": "Heading1", "Heading 2": "Heading2", "Heading 3": "Heading3"}
QUOTE_REF = re.compile(r"^«\u00a0(.*)\u00a0» \((\w+), seg\. ([0-9a-f]{8})\)$")


@pytest.fixture(scope="module")
def report_data(report_project):
    return build_report_data(report_project)


@pytest.fixture(scope="module")
def report(report_data):
    return build_word(report_data)


def outline(document) -> list:
    """Body blocks in order: [style, text] for a paragraph, ["table", rows] for a table."""
    out = []
    for block in document.iter_inner_content():
        if isinstance(block, docx.table.Table):
            out.append(["table", [[c.text for c in row.cells] for row in block.rows]])
        else:
            out.append([block.style.name, block.text])
    return out


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("name", ["report_word_outline"])
def test_paragraphs_and_tables_match_the_golden_file(report, golden, name):
    golden(name, outline(report))


@pytest.mark.parametrize("expected", [[
    ("Heading 1", "Chiffres clés"), ("Heading 1", "Méthodologie"), ("Heading 2", "Corpus"),
    ("Heading 2", "Codage et accord entre codeurs"), ("Heading 2", "Pseudonymisation"),
    ("Heading 1", "Parcours « Partir à la retraite »"), ("Heading 2", "Carte du parcours"),
    ("Heading 2", "Étape 2 — Instruction"), ("Heading 3", "Principaux irritants"),
    ("Heading 3", "Points d'appui"), ("Heading 3", "Suggestions des usagers"),
    ("Heading 2", "Différences entre publics"), ("Heading 1", "Parcours « Se séparer »"),
    ("Heading 1", "Annexes"), ("Heading 2", "Table de traçabilité"),
]])
def test_headings_use_word_builtin_styles(report, expected):
    headings = [(p.style.name, p.text) for p in report.paragraphs
                if p.style.name.startswith("Heading")]
    remaining = iter(headings)
    assert all(h in remaining for h in expected)  # in this order
    for p in report.paragraphs:
        if p.style.name in HEADING_STYLES:
            assert p.style.style_id == HEADING_STYLES[p.style.name]
            assert p.style.builtin


@pytest.mark.parametrize("instruction", ['TOC \\o "1-3" \\h \\z \\u'])
def test_table_of_contents_and_page_numbers_are_fields(report, instruction):
    body = [t.text.strip() for t in report.element.body.iter(qn("w:instrText"))]
    assert instruction in body
    footer = [t.text.strip() for t in report.sections[0].footer._element.iter(qn("w:instrText"))]
    assert footer == ["PAGE", "NUMPAGES"]
    settings = report.settings.element.find(qn("w:updateFields"))
    assert settings is not None and settings.get(qn("w:val")) == "true"


@pytest.mark.parametrize("journeys", [2])
def test_one_journey_map_picture_per_journey_with_a_caption(report, journeys):
    assert len(report.inline_shapes) == journeys
    captions = [p.text for p in report.paragraphs if p.style.name == "Caption"]
    assert [c for c in captions if c.startswith("Figure")] == [
        "Figure 1 – Carte du parcours « Partir à la retraite »",
        "Figure 2 – Carte du parcours « Se séparer »"]
    assert captions[0] == "Tableau 1 – Chiffres clés du projet"
    seq = [t.text.strip() for t in report.element.body.iter(qn("w:instrText"))
           if "SEQ" in t.text]
    assert "SEQ Figure \\* ARABIC" in seq and "SEQ Tableau \\* ARABIC" in seq


@pytest.mark.parametrize("tables", [10])
def test_every_table_repeats_its_header_row(report, tables):
    assert len(report.tables) == tables
    for table in report.tables:
        header = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
        assert header is not None and header.get(qn("w:val")) == "true"
        assert all(r.bold for c in table.rows[0].cells for r in c.paragraphs[0].runs)


def _traceability(report) -> dict[str, list[str]]:
    annex = report.tables[-1]
    assert [c.text for c in annex.rows[0].cells] == ["Réf.", "Objet", "Segments"]
    return {row.cells[0].text: row.cells[2].text.split(", ") for row in annex.rows[1:]}


@pytest.mark.parametrize("ref", ["R1"])
def test_every_reference_resolves_to_segments_of_the_project(report, report_project, ref):
    refs = _traceability(report)
    used = set(re.findall(r"\[(R\d+)\]", all_text(report)))
    assert ref in used and used == set(refs)
    known = {short(s.id) for s in get_segments(report_project)}
    assert all(ids and set(ids) <= known for ids in refs.values())


@pytest.mark.parametrize("minimum", [10])
def test_every_quote_names_its_document_and_segment(report, report_project, minimum):
    segments = {short(s.id): s for s in get_segments(report_project)}
    quotes = [p.text for p in report.paragraphs if p.style.name == "Quote"]
    assert len(quotes) >= minimum
    for quote in quotes:
        text, document, seg = QUOTE_REF.match(quote).groups()
        assert segments[seg].text.strip() == text
    assert ("«\u00a0Quand j'appelais le [TÉLÉPHONE], personne ne décrochait.\u00a0» (E01, seg."
            in "\n".join(quotes))


@pytest.mark.parametrize("sentence", [
    "Accord global (tous les codes) : α de Krippendorff = 0,93, κ de Cohen moyen = 0,93, "
    "accord observé = 98\u00a0%, sur 126 unités comparées."])
def test_method_states_agreement_and_pseudonymisation(report, sentence):
    text = all_text(report)
    assert sentence in text
    assert ("Types d'identifiants remplacés par une étiquette dans les textes : noms de "
            "personnes (1) et numéros de téléphone (1).") in text
    assert "La table de correspondance entre identités réelles et pseudonymes n'est pas " \
           "conservée" in text


@pytest.mark.parametrize("journey,chapters", [("retraite", ["Parcours « Partir à la retraite »"]),
                                              (None, ["Parcours « Partir à la retraite »",
                                                      "Parcours « Se séparer »"])])
def test_journey_option_keeps_one_chapter(report_project, tmp_path, journey, chapters):
    dest = write_report(report_project, tmp_path / "r.docx", journey=journey)
    heads = [p.text for p in docx.Document(dest).paragraphs
             if p.style.name == "Heading 1" and p.text.startswith("Parcours")]
    assert heads == chapters


def _template(path: Path) -> Path:
    doc = docx.Document()
    doc.styles["Heading 1"].font.color.rgb = docx.shared.RGBColor(0xAA, 0x11, 0x22)
    doc.add_paragraph("Texte du modèle à ne pas garder")
    docx_path = path.with_suffix(".docx")
    doc.save(docx_path)
    if path.suffix == ".docx":
        return docx_path
    with zipfile.ZipFile(docx_path) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            dst.writestr(item, data)
    return path


@pytest.mark.parametrize("suffix", [".docx", ".dotx"])
def test_template_styles_are_used_and_its_body_dropped(report_project, tmp_path, suffix):
    template = _template(tmp_path / f"modele{suffix}")
    dest = write_report(report_project, tmp_path / "r.docx", template=template)
    doc = docx.Document(dest)
    assert str(doc.styles["Heading 1"].font.color.rgb) == "AA1122"
    assert "Texte du modèle à ne pas garder" not in all_text(doc)
    assert doc.paragraphs[0].text == "Écoute des usagers — Mission test retraite"


@pytest.mark.parametrize("dest,options,message", [
    ("r.pdf", {}, "r.pdf : format « .pdf » non géré pour un rapport : utilisez .docx, .xlsx, "
                  ".qdpx, .qde, .qdc"),
    ("r.xlsx", {"template": Path("m.docx")},
     "r.xlsx : --template ne s'applique qu'au rapport Word (.docx)"),
    ("r.docx", {"journey": "lune"},
     "parcours « lune » inconnu : choisissez parmi parcours.retraite, parcours.separation "
     "(identifiant, nom court ou libellé)"),
    ("r.docx", {"template": Path("absent.docx")},
     "absent.docx : modèle Word introuvable : vérifiez le chemin de --template"),
])
def test_bad_requests_fail_with_french_messages(report_project, tmp_path, monkeypatch, dest,
                                                 options, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError) as error:
        write_report(report_project, Path(dest), **options)
    assert str(error.value) == message
    assert not (tmp_path / dest).exists()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice absent")
@pytest.mark.parametrize("expected", [["Écoute des usagers — Mission test retraite",
                                       "Méthodologie", "Carte du parcours", "Annexes",
                                       "J'ai attendu quatre mois sans nouvelles de mon dossier.",
                                       "Tableau 1 – Chiffres clés du projet"]])
def test_libreoffice_opens_the_report(report_project, tmp_path, expected):
    dest = write_report(report_project, tmp_path / "rapport.docx")
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(tmp_path),
                    str(dest)], check=True, capture_output=True, timeout=180)
    text = (tmp_path / "rapport.txt").read_text(encoding="utf-8-sig")
    for piece in expected:
        assert piece in text


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command("report")(report_command)
    app.command("import")(import_command)
    return app


@pytest.mark.parametrize("name", ["rapport.docx"])
def test_report_command_writes_the_file(report_project, tmp_path, name):
    dest = tmp_path / name
    result = CliRunner().invoke(_cli(), ["report", "-p", str(report_project.path), "-o",
                                         str(dest)])
    assert result.exit_code == 0, result.output
    assert f"Rapport écrit : {dest}" in " ".join(result.output.split())
    assert dest.stat().st_size > 10_000


@pytest.mark.parametrize("name", ["rapport.odt"])
def test_report_command_reports_errors(report_project, tmp_path, name):
    result = CliRunner().invoke(_cli(), ["report", "-p", str(report_project.path), "-o",
                                         str(tmp_path / name)])
    assert result.exit_code == 1
    assert "format « .odt » non géré pour un rapport" in " ".join(result.output.split())


@pytest.mark.parametrize("suffix", [".docx", ".xlsx", ".qdpx"])
def test_a_project_nobody_has_coded_yet_still_gets_its_reports(report_codebook, tmp_path,
                                                               suffix):
    from listening.model import Metadata, RawTurn, build_document
    from listening.projects import create_project
    from listening.segment import segment_document
    from listening.store import add_document

    project, _ = create_project(tmp_path / "p", codebook=report_codebook)
    doc = build_document("a.txt", [RawTurn("Rien à signaler pour le moment.", "Usager")],
                         external_id="A", meta=Metadata(journey="parcours.retraite"))
    add_document(project, doc, segment_document(doc), source_hash=doc.hash,
                 pseudonymised=False)
    dest = write_report(project, tmp_path / f"r{suffix}")
    assert dest.stat().st_size > 1000
    if suffix == ".docx":
        text = all_text(docx.Document(dest))
        assert "Aucun segment n'est encore codé." in text
        assert ("Attention : 1 document n'a pas été pseudonymisé par l'outil ; vérifiez-les avant "
                "toute diffusion.") in text
        assert "Le corpus compte 1 document (1 entretien), sans date renseignée, découpé en 1 " \
               "segment" in text


@pytest.mark.parametrize("text", ["Page 1\x0cpage 2 : le dossier\x01 est perdu depuis mars."])
def test_control_characters_in_quotes_do_not_break_the_report(report_codebook, tmp_path, text):
    from listening.model import Coding, Metadata, RawTurn, build_document
    from listening.projects import create_project
    from listening.segment import segment_document
    from listening.store import add_codings, add_document

    project, _ = create_project(tmp_path / "p", codebook=report_codebook)
    doc = build_document("a.txt", [RawTurn(text, "Usager", role="usager")], external_id="A",
                         meta=Metadata(journey="parcours.retraite"))
    seg = segment_document(doc)[0]
    add_document(project, doc, [seg], source_hash=doc.hash, pseudonymised=True)
    add_codings(project, [Coding(seg.id, c, "ana") for c in
                          ("theme.delais", "valence.irritant", "etape.retraite.demande")])
    for suffix in (".docx", ".xlsx"):
        write_report(project, tmp_path / f"r{suffix}")
    quotes = [p.text for p in docx.Document(tmp_path / "r.docx").paragraphs
              if p.style.name == "Quote"]
    assert quotes == [f"«\u00a0Page 1page 2 : le dossier est perdu depuis mars.\u00a0» "
                      f"(A, seg. {short(seg.id)})"]


@pytest.mark.parametrize("lang", ["fr-FR"])
def test_document_language_and_properties(report, lang):
    langs = report.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang")
    assert [e.get(qn("w:val")) for e in langs] == [lang]
    assert report.core_properties.title == "Écoute des usagers — Mission test retraite"
    assert report.core_properties.created.isoformat()[:19] == "2024-10-04T11:00:00"
