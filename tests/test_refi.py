"""REFI-QDA: .qdpx export (schema, determinism, content), imports (real samples, foreign
spellings), and the round trip export -> import (a fixture and a Hypothesis property)."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from typer.testing import CliRunner

from listening.cli.reports import import_command
from listening.model import Coding, Metadata, RawTurn, build_document
from listening.projects import create_project
from listening.reports import import_file, write_report
from listening.reports.data import build_report_data
from listening.reports.refi import qdpx_bytes
from listening.reports.refi_layout import normalise_mapped
from listening.segment import segment_document
from listening.store import (
    add_codings,
    add_document,
    current_codebook,
    documents_frame,
    get_codings,
    get_document,
    get_segments,
    init_project,
    memos_frame,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "refi-qda"
SCHEMA = SHARED / "Project-mrt2019.xsd"
ATLAS = SHARED / "samples" / "atlasti8-standard-project.qde"
NVIVO = SHARED / "samples" / "nvivo15-mac-project.qdpx"
NS = "{urn:QDA-XML:project:1.0}"


def qde_of(archive: bytes) -> etree._Element:
    with zipfile.ZipFile(__import__("io").BytesIO(archive)) as z:
        return etree.fromstring(z.read("project.qde"))


def coding_keys(project) -> set[tuple]:
    """(document, code, coder, start, end) with whole-segment codings at the segment's offsets."""
    segments = {s.id: s for s in get_segments(project)}
    names = {d: get_document(project, d).external_id for d in {s.document_id
                                                                for s in segments.values()}}
    out = set()
    for c in get_codings(project):
        s = segments[c.segment_id]
        out.add((names[s.document_id], c.code_id, c.coder,
                 s.start if c.start is None else c.start, s.end if c.end is None else c.end))
    return out


def texts(project) -> dict[str, str]:
    return {d: get_document(project, d).text for d in documents_frame(project)["external_id"]}


@pytest.fixture(scope="module")
def archive(report_project):
    return qdpx_bytes(build_report_data(report_project))


# --- export -------------------------------------------------------------------------------


@pytest.mark.skipif(not SCHEMA.exists(), reason="../shared/refi-qda absent")
@pytest.mark.parametrize("schema", [SCHEMA])
def test_export_validates_against_the_refi_schema(archive, schema):
    xsd = etree.XMLSchema(etree.parse(str(schema)))
    assert xsd.validate(qde_of(archive)), xsd.error_log


@pytest.mark.parametrize("name", ["projet"])
def test_two_exports_of_the_same_project_are_byte_identical(archive, report_project,
                                                           tmp_path, name):
    from conftest import build_report_project

    assert qdpx_bytes(build_report_data(report_project)) == archive
    twin = build_report_project(tmp_path / name)  # same content, another folder
    assert qdpx_bytes(build_report_data(twin)) == archive


@pytest.mark.parametrize("documents", [4])
def test_archive_holds_the_project_and_one_utf8_text_per_source(archive, report_project,
                                                                documents):
    with zipfile.ZipFile(__import__("io").BytesIO(archive)) as z:
        names = z.namelist()
        assert names[0] == "project.qde" and len(names) == documents + 1
        root = etree.fromstring(z.read("project.qde"))
        for source in root.iter(NS + "TextSource"):
            guid = source.get("guid")
            assert source.get("plainTextPath") == f"internal://{guid}.txt"
            raw = z.read(f"sources/{guid}.txt")
            assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
            assert raw.decode("utf-8") == get_document(report_project, guid).text


@pytest.mark.parametrize("external_id", ["E01"])
def test_selections_use_segment_offsets_or_the_span_and_one_coding_per_code_and_coder(
        archive, report_project, external_id):
    root = qde_of(archive)
    doc = get_document(report_project, external_id)
    source = next(s for s in root.iter(NS + "TextSource") if s.get("name") == external_id)
    spans = {(int(s.get("startPosition")), int(s.get("endPosition"))): s
             for s in source.iter(NS + "PlainTextSelection")}
    segments = [s for s in get_segments(report_project) if s.document_id == doc.id]
    first = segments[1]  # "J'ai fait ma demande en ligne mais le site plantait tout le temps."
    whole = spans[(first.start, first.end)]
    codes = sorted((c.find(NS + "CodeRef").get("targetGUID"), c.get("creatingUser"))
                   for c in whole.iter(NS + "Coding"))
    assert len(codes) == 6 and len(set(codes)) == 6  # 3 codes × 2 coders
    start = doc.text.index("le site plantait")
    span = spans[(start, start + len("le site plantait tout le temps"))]
    assert len(span.findall(NS + "Coding")) == 1


@pytest.mark.parametrize("expected", [{"users": ["alice", "bruno"], "case": ("P01", 2),
                                       "notes": 4}])
def test_users_variables_cases_and_notes(archive, expected):
    root = qde_of(archive)
    assert [u.get("name") for u in root.iter(NS + "User")] == expected["users"]
    variables = {v.get("guid"): v.get("name") for v in root.iter(NS + "Variable")}
    assert {"type", "parcours", "public", "territoire", "date", "cas"} <= set(variables.values())
    e01 = next(s for s in root.iter(NS + "TextSource") if s.get("name") == "E01")
    values = {variables[v.find(NS + "VariableRef").get("targetGUID")]:
              v.find(NS + "TextValue").text for v in e01.iter(NS + "VariableValue")}
    assert values["public"] == "retraité" and values["parcours"] == "parcours.retraite"
    case = next(root.iter(NS + "Case"))
    assert (case.get("name"), len(case.findall(NS + "SourceRef"))) == expected["case"]
    notes = {n.get("guid") for n in root.iter(NS + "Note")}
    refs = {r.get("targetGUID") for r in root.iter(NS + "NoteRef")}
    assert len(notes) == expected["notes"] and notes == refs


# --- round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("memos", [4])
def test_round_trip_gives_back_documents_codes_codings_and_memos(report_project, tmp_path,
                                                                  memos):
    dest = write_report(report_project, tmp_path / "projet.qdpx")
    summary = import_file(tmp_path / "copie", dest)
    copy = init_project(tmp_path / "copie")
    assert texts(copy) == texts(report_project)
    assert current_codebook(copy).codes == current_codebook(report_project).codes
    assert coding_keys(copy) == coding_keys(report_project)
    assert summary.memos == memos
    assert sorted(memos_frame(copy)["text"]) == sorted(memos_frame(report_project)["text"])
    assert summary.warnings == []


WORDS = st.sampled_from(["délai", "attente", "CAF", "dossier", "rappel", "😀", "naïve",
                         "ça", "l'agence", "[PERSONNE_1]", "très", "long"])
SENTENCE = st.lists(WORDS, min_size=1, max_size=6).map(lambda w: " ".join(w).capitalize() + ".")
TURN = st.tuples(st.sampled_from(["Usager", "Enquêteur", ""]),
                 st.lists(SENTENCE, min_size=1, max_size=3).map(" ".join))
CODES = ["theme.delais", "theme.contact.telephone", "valence.irritant", "etape.retraite.demande"]


@st.composite
def codings_for(draw, segments):
    out = []
    for seg in segments:
        for _ in range(draw(st.integers(0, 2))):
            code, coder = draw(st.sampled_from(CODES)), draw(st.sampled_from(["ana", "ben"]))
            span = (None, None)
            if seg.end - seg.start > 1 and draw(st.booleans()):
                a = draw(st.integers(seg.start, seg.end - 1))
                span = (a, draw(st.integers(a + 1, seg.end)))
            out.append(Coding(seg.id, code, coder, "manual", *span))
    return out


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents=st.lists(st.lists(TURN, min_size=1, max_size=4), min_size=1, max_size=3),
       data=st.data())
def test_round_trip_property(report_codebook, documents, data):
    with tempfile.TemporaryDirectory() as tmp:
        project, _ = create_project(Path(tmp) / "a", codebook=report_codebook)
        codings = []
        for i, turns in enumerate(documents):
            doc = build_document(f"D{i}.txt", [RawTurn(t, s) for s, t in turns],
                                 external_id=f"D{i}", meta=Metadata(public="retraité"))
            segments = segment_document(doc, 60)
            add_document(project, doc, segments, source_hash=doc.hash, pseudonymised=True)
            codings += data.draw(codings_for(segments))
        add_codings(project, codings)
        dest = write_report(project, Path(tmp) / "x.qdpx")
        import_file(Path(tmp) / "b", dest)
        copy = init_project(Path(tmp) / "b")
        assert texts(copy) == texts(project)
        assert current_codebook(copy).codes == current_codebook(project).codes
        assert coding_keys(copy) == coding_keys(project)


@given(st.text(alphabet=st.sampled_from("ab é\u0301\u00a0\t\r\n\ufeff😀"), max_size=30))
def test_normalising_an_imported_text_maps_every_offset(text):
    from listening.model import normalise_text

    normal, positions = normalise_mapped(text)
    assert normal == normalise_text(text)
    assert positions[0] == 0 and positions[-1] == len(normal)
    assert positions == sorted(positions)


# --- imports ------------------------------------------------------------------------------


@pytest.mark.skipif(not ATLAS.exists(), reason="../shared/refi-qda absent")
@pytest.mark.parametrize("sample", [ATLAS])
def test_atlas_sample_brings_its_codebook_and_notes_but_no_text(tmp_path, sample):
    summary = import_file(tmp_path / "p", sample)
    assert (summary.documents, summary.codings, summary.codes, summary.memos) == (0, 0, 14, 2)
    assert ("6 sources texte sans leur texte (ni dans le fichier, ni dans un dossier sources/ à "
            "côté) : « 1960s Coca Cola commercial - Audio.docx », « 1960s Coca Cola commercial "
            "- Visual.docx », « 1994 Diet Coke-Diet Coke Break.docx », « Mabêl 2ième.txt », "
            "« Mabel.txt »…") in summary.warnings
    assert ("non importé (seuls les textes le sont) : 1 image, 2 sources PDF, 1 source audio, "
            "2 vidéos, avec leurs 9 codages") in summary.warnings
    cb = current_codebook(init_project(tmp_path / "p"))
    coke = next(c for c in cb.codes if c.label == "Coke")
    assert sorted(c.label for c in cb.children(coke.id)) == ["diet Coke", "full-fat Coke"]


@pytest.mark.skipif(not ATLAS.exists(), reason="../shared/refi-qda absent")
@pytest.mark.parametrize("sample", [ATLAS])
def test_atlas_sample_with_its_texts_beside_it(tmp_path, sample):
    """Texts found in a sources/ folder next to the .qde, names matched without case."""
    shutil.copy(sample, tmp_path / "projet.qde")
    (tmp_path / "Sources").mkdir()
    mabel = "".join(f"Phrase {i:03d} du petit-déjeuner. " for i in range(20))  # 520 chars
    (tmp_path / "Sources" / "b2f54555-0d2d-43b2-b40c-2a1c048f5f1c.TXT").write_text(mabel)
    simon = "".join(f"Ligne {i:03d} sur le pain. " for i in range(40))  # 920 chars
    (tmp_path / "Sources" / "C1C745F7-8E4D-48B2-9710-655AFE7E54FA.txt").write_text(simon)
    summary = import_file(tmp_path / "p", tmp_path / "projet.qde")
    project = init_project(tmp_path / "p")
    assert (summary.documents, summary.codings) == (2, 6)
    assert summary.coders == ["Friedrich Markgraf"]
    cb = current_codebook(project)
    labels = {c.id: c.label for c in cb.codes}
    keys = {(d, labels[code], s, e) for d, code, _, s, e in coding_keys(project)}
    assert keys == {("Mabel.txt", "bacon and eggs", 0, 410), ("Mabel.txt", "cornflakes", 0, 410),
                    ("Mabel.txt", "happiness", 0, 410), ("Simon.docx", "Feelings", 215, 275),
                    ("Simon.docx", "bacon and eggs", 688, 907),
                    ("Simon.docx", "happiness", 513, 907)}
    simon_segments = [(s.start, s.end) for s in get_segments(project)
                      if get_document(project, s.document_id).external_id == "Simon.docx"]
    assert (513, 907) in simon_segments and (688, 907) not in simon_segments


@pytest.mark.skipif(not NVIVO.exists(), reason="../shared/refi-qda absent")
@pytest.mark.parametrize("sample", [NVIVO])
def test_nvivo_sample_brings_its_nested_codebook(tmp_path, sample):
    summary = import_file(tmp_path / "p", sample)
    assert (summary.documents, summary.codes, summary.codings) == (0, 262, 0)
    assert "« 66653866-6334-3535-3435-366637306566 » : texte vide, source ignorée" in \
        summary.warnings
    cb = current_codebook(init_project(tmp_path / "p"))
    assert [c.label for c in cb.children(None)][:1] == ["rq1_definition"]


FOREIGN_TEXT = "Usager : J’ai attendu\u00a0deux mois.\r\n\r\nUsager : Le guichet était fermé."


def _foreign_qde() -> str:
    start = FOREIGN_TEXT.index("attendu")
    guichet = FOREIGN_TEXT.index("guichet")
    text = FOREIGN_TEXT.replace("\r", "&#13;")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Étude" origin="MAXQDA 2022">
 <Users><User guid="{{AAAAAAAA-0000-4000-8000-000000000001}}" name="Claire"/></Users>
 <CodeBook><Codes>
  <Code guid="{{BBBBBBBB-0000-4000-8000-000000000001}}" name="Attente" isCodable="true"/>
  <Code guid="BBBBBBBB-0000-4000-8000-000000000002" name="Accueil::Guichet" isCodable="true">
   <Description>Au guichet</Description></Code>
 </Codes></CodeBook>
 <Variables>
  <Variable guid="DDDDDDDD-0000-4000-8000-000000000001" name="Public" typeOfVariable="Text"/>
  <Variable guid="DDDDDDDD-0000-4000-8000-000000000002" name="Âge" typeOfVariable="Integer"/>
 </Variables>
 <Cases><Case guid="EEEEEEEE-0000-4000-8000-000000000001" name="Famille M">
  <SourceRef targetGUID="{{CCCCCCCC-0000-4000-8000-000000000001}}"/></Case></Cases>
 <Sources>
  <TextSource guid="{{CCCCCCCC-0000-4000-8000-000000000001}}" name="Entretien 1">
   <PlainTextContent>{text}</PlainTextContent>
   <PlainTextSelection guid="FFFFFFFF-0000-4000-8000-000000000001" startPosition="{start}"
     endPosition="{FOREIGN_TEXT.index("mois") + 4}" creatingUser="aaaaaaaa-0000-4000-8000-000000000001">
    <Coding guid="FFFFFFFF-0000-4000-8000-000000000011">
     <CodeRef targetGUID="bbbbbbbb-0000-4000-8000-000000000001"/></Coding>
    <NoteRef targetGUID="99999999-0000-4000-8000-000000000001"/>
   </PlainTextSelection>
   <PlainTextSelection guid="FFFFFFFF-0000-4000-8000-000000000002" startPosition="{guichet}"
     endPosition="{len(FOREIGN_TEXT) - 1}">
    <Coding guid="FFFFFFFF-0000-4000-8000-000000000012"
      creatingUser="{{AAAAAAAA-0000-4000-8000-000000000001}}">
     <CodeRef targetGUID="{{BBBBBBBB-0000-4000-8000-000000000002}}"/></Coding>
    <Coding guid="FFFFFFFF-0000-4000-8000-000000000013">
     <CodeRef targetGUID="12345678-0000-4000-8000-000000000000"/></Coding>
   </PlainTextSelection>
   <VariableValue><VariableRef targetGUID="dddddddd-0000-4000-8000-000000000001"/>
    <TextValue>retraité</TextValue></VariableValue>
   <VariableValue><VariableRef targetGUID="DDDDDDDD-0000-4000-8000-000000000002"/>
    <IntegerValue>67</IntegerValue></VariableValue>
  </TextSource>
 </Sources>
 <Notes><Note guid="99999999-0000-4000-8000-000000000001" name="Relance">
  <PlainTextContent>Attente typique.</PlainTextContent></Note></Notes>
</Project>"""


@pytest.mark.parametrize("name", ["etude.QDE"])
def test_foreign_spellings_are_understood(tmp_path, name):
    (tmp_path / name).write_text(_foreign_qde(), encoding="utf-8")
    summary = import_file(tmp_path / "p", tmp_path / name)
    project = init_project(tmp_path / "p")
    doc = get_document(project, "Entretien 1")
    assert doc.text == "Usager : J’ai attendu deux mois.\n\nUsager : Le guichet était fermé."
    assert [t.speaker for t in doc.turns] == ["Usager", "Usager"]
    assert (doc.meta.public, doc.meta.case, dict(doc.meta.extra)) == (
        "retraité", "Famille M", {"Âge": "67"})
    cb = current_codebook(project)
    labels = {c.id: c.label for c in cb.codes}
    found = {(labels[code], coder, doc.text[s:e]) for _, code, coder, s, e in
             coding_keys(project)}
    assert found == {("Attente", "Claire", "attendu deux mois"),
                     ("Guichet", "Claire", "guichet était fermé")}
    assert cb.code(next(c for c in labels if labels[c] == "Guichet")).parent is not None
    assert "1 codages vers des codes absents du livre de codes ignorés" in summary.warnings
    assert list(memos_frame(project)[["target_kind", "text"]].itertuples(index=False,
                                                                          name=None)) == [
        ("segment", "Relance\nAttente typique.")]
    assert not documents_frame(project)["pseudonymised"].iloc[0]


@pytest.mark.parametrize("content,message", [
    ('<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>',
     "ce fichier n'est pas un projet REFI-QDA (élément racine « CodeBook » au lieu de Project) "
     "; un livre de codes seul s'importe depuis un fichier .qdc"),
    ("<Project", "XML illisible"),
])
def test_files_that_are_not_refi_projects_are_refused(tmp_path, content, message):
    (tmp_path / "x.qde").write_text(content, encoding="utf-8")
    with pytest.raises(ValueError) as error:
        import_file(tmp_path / "p", tmp_path / "x.qde")
    assert str(error.value).startswith(f"{tmp_path / 'x.qde'}")
    assert message in str(error.value)


@pytest.mark.parametrize("name,message", [
    ("x.pdf", "x.pdf : format « .pdf » non géré à l'import : utilisez .qdpx, .qde, .qdc, .yaml, "
              ".yml, .xlsx"),
    ("absent.qdpx", "absent.qdpx : fichier introuvable : vérifiez le chemin"),
])
def test_bad_import_requests(tmp_path, monkeypatch, name, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(ValueError) as error:
        import_file(tmp_path / "p", Path(name))
    assert str(error.value) == message


@pytest.mark.parametrize("suffix", [".qdc", ".yaml"])
def test_codebook_files_become_the_current_codebook(report_project, tmp_path, suffix):
    dest = write_report(report_project, tmp_path / f"livre{suffix}") if suffix == ".qdc" else \
        tmp_path / "livre.yaml"
    if suffix == ".yaml":
        from listening.codebook_io import save_codebook

        save_codebook(current_codebook(report_project), dest)
    summary = import_file(tmp_path / "p", dest)
    assert (summary.codes, summary.codes_added) == (16, 16)
    assert summary.lines() == [f"livre{suffix} : livre de codes de 16 codes, dont 16 nouveaux "
                               "pour le projet ; c'est désormais le livre de codes courant du "
                               "projet."]
    assert current_codebook(init_project(tmp_path / "p")).codes == \
        current_codebook(report_project).codes


@pytest.mark.parametrize("expected", ["projet.qdpx : 4 documents, 17 segments, 69 codages, "
                                      "16 codes dont 16 nouveaux pour le projet, 4 notes ; "
                                      "codeurs : alice, bruno."])
def test_import_command_prints_the_summary(report_project, tmp_path, expected):
    dest = write_report(report_project, tmp_path / "projet.qdpx")
    app = typer.Typer()
    app.command("import")(import_command)
    app.command("noop")(lambda: None)
    result = CliRunner().invoke(app, ["import", str(dest), "-p", str(tmp_path / "copie")])
    assert result.exit_code == 0, result.output
    assert " ".join(result.output.split()) == expected


@pytest.mark.parametrize("text", ["Page 1\x0cpage 2 : le dossier\x01 est perdu."])
def test_control_characters_do_not_break_the_xml(report_codebook, tmp_path, text):
    project, _ = create_project(tmp_path / "a", codebook=report_codebook)
    doc = build_document("a.txt", [RawTurn(text, "Usager")], external_id="A")
    segments = segment_document(doc)
    add_document(project, doc, segments, source_hash=doc.hash, pseudonymised=True)
    add_codings(project, [Coding(segments[0].id, "theme.delais", "ana")])
    dest = write_report(project, tmp_path / "x.qdpx")
    root = qde_of(dest.read_bytes())
    if SCHEMA.exists():
        assert etree.XMLSchema(etree.parse(str(SCHEMA))).validate(root)
    import_file(tmp_path / "b", dest)
    copy = init_project(tmp_path / "b")
    assert texts(copy) == texts(project)
    assert coding_keys(copy) == coding_keys(project)
