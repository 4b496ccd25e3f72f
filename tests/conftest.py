"""Shared fixtures, one section per area."""

import shutil as _ingest_shutil
import subprocess as _ingest_subprocess
import types as _types
import zipfile as _ingest_zipfile
from pathlib import Path as _IngestPath

import pytest
import pytest as _pytest

# --- reports (issue 9): a small coded project with two coders, topics and memos ---------------

REPORT_CODEBOOK_YAML = """\
name: mini-rapport
version: "1.2"
description: Livre de codes réduit pour les tests des rapports.
themes:
  - id: theme.information
    label: Information
    definition: Trouver, comprendre l'information.
  - id: theme.demarches
    label: Démarches
    definition: Pièces, formulaires, justificatifs.
  - id: theme.delais
    label: Délais
    definition: Attentes, retards, durées.
  - id: theme.contact
    label: Contact
    definition: Joindre un organisme, être rappelé.
    children:
      - id: theme.contact.telephone
        label: Téléphone
        definition: Appels, plateformes téléphoniques.
  - id: theme.numerique
    label: Numérique
    definition: Sites, applications, espaces en ligne.
valence:
  - id: valence.irritant
    label: Irritant
    definition: Ce qui gêne ou bloque.
  - id: valence.positif
    label: Point d'appui
    definition: Ce qui aide.
  - id: valence.suggestion
    label: Suggestion
    definition: Ce que l'usager propose.
journeys:
  - id: parcours.retraite
    label: Partir à la retraite
    codable: false
    description: De la demande au premier versement.
    stages:
      - id: etape.retraite.demande
        label: Demande
        order: 1
        definition: Constituer et déposer la demande.
      - id: etape.retraite.instruction
        label: Instruction
        order: 2
        definition: Traitement du dossier.
      - id: etape.retraite.premier-versement
        label: Premier versement
        order: 3
        definition: Le premier paiement.
  - id: parcours.separation
    label: Se séparer
    codable: false
    description: De la décision à la stabilisation.
    stages:
      - id: etape.separation.decision
        label: Décision
        order: 1
        definition: La décision de se séparer.
      - id: etape.separation.declaration
        label: Déclaration
        order: 2
        definition: Déclarer le changement de situation.
"""

# (external id, type, journey, public, territory, case, date, turns: (speaker, role, text, codes))
# codes: {coder: [code ids]}; a code id "x@a-b" codes the span [a, b) of the turn's text.
_R, _P, _S = "parcours.retraite", "etape.retraite.", "etape.separation."
REPORT_DOCUMENTS = [
    ("E01", "entretien", _R, "retraité", "Nord", "P01", "2024-03-12", [
        ("Enquêteur", "interviewer", "Pouvez-vous me raconter votre départ à la retraite ?", {}),
        ("Usager", "usager", "J'ai fait ma demande en ligne mais le site plantait tout le temps.",
         {"alice": ["theme.numerique", "valence.irritant", _P + "demande",
                    "theme.numerique@35-65"],
          "bruno": ["theme.numerique", "valence.irritant", _P + "demande"]}),
        ("Enquêteur", "interviewer", "Et ensuite ?", {}),
        ("Usager", "usager", "J'ai attendu quatre mois sans nouvelles de mon dossier.",
         {"alice": ["theme.delais", "valence.irritant", _P + "instruction"],
          "bruno": ["theme.delais", "valence.irritant", _P + "instruction"]}),
        ("Usager", "usager", "Quand j'appelais le [TÉLÉPHONE], personne ne décrochait.",
         {"alice": ["theme.contact.telephone", "valence.irritant", _P + "instruction"],
          "bruno": ["theme.delais", "valence.irritant", _P + "instruction"]}),
        ("Usager", "usager", "Heureusement, [PERSONNE_1] à l'agence m'a bien aidé.",
         {"alice": ["theme.contact", "valence.positif", _P + "instruction"],
          "bruno": ["theme.contact", "valence.positif", _P + "instruction"]}),
        ("Usager", "usager", "Le premier versement est arrivé avec deux mois de retard.",
         {"alice": ["theme.delais", "valence.irritant", _P + "premier-versement"],
          "bruno": ["theme.delais", "valence.irritant", _P + "premier-versement"]}),
        ("Usager", "usager", "Il faudrait un seul interlocuteur pour tout le dossier.",
         {"alice": ["theme.contact", "valence.suggestion", _P + "instruction"]}),
    ]),
    ("A01", "atelier", _R, "futur retraité", "Nord", None, "2024-04-02", [
        ("Participant 1", "participant", "On ne sait pas quels papiers fournir pour la demande.",
         {"alice": ["theme.information", "valence.irritant", _P + "demande"],
          "bruno": ["theme.information", "valence.irritant", _P + "demande"]}),
        ("Participant 2", "participant", "Le simulateur en ligne est pratique pour anticiper.",
         {"alice": ["theme.numerique", "valence.positif", _P + "demande"],
          "bruno": ["theme.numerique", _P + "demande"]}),
        ("Participant 1", "participant", "Les délais d'instruction sont trop longs.",
         {"alice": ["theme.delais", "valence.irritant", _P + "instruction"],
          "bruno": ["theme.delais", "valence.irritant", _P + "instruction"]}),
        ("Participant 2", "participant", "J'ai dû renvoyer trois fois le même justificatif.",
         {"alice": ["theme.demarches", "valence.irritant", _P + "instruction"],
          "bruno": ["theme.demarches", "valence.irritant", _P + "instruction"]}),
        ("Participant 1", "participant",
         "Un accusé de réception par courriel rassurerait tout le monde.",
         {"alice": ["theme.information", "valence.suggestion", _P + "instruction"]}),
        ("Participant 2", "participant", "Le premier paiement est tombé à la date prévue.",
         {"alice": ["theme.delais", "valence.positif", _P + "premier-versement"]}),
    ]),
    ("E02", "entretien", _R, "retraité", "Nord", "P01", "2024-09-10", [
        ("Enquêteur", "interviewer", "Six mois après, où en êtes-vous ?", {}),
        ("Usager", "usager", "Tout est réglé, mais j'ai perdu beaucoup de temps au téléphone.",
         {"alice": ["theme.contact.telephone", "valence.irritant", _P + "premier-versement"]}),
    ]),
    ("V01", "verbatim", "parcours.separation", "parent isolé", "Gironde", None, "2024-05-20", [
        ("", "usager", "Après la séparation, la CAF m'a demandé de déclarer ma situation "
         "trois fois.",
         {"alice": ["theme.demarches", "valence.irritant", _S + "declaration"]}),
    ]),
]
REPORT_MACHINE = {("alice", "valence.irritant")}  # accepted from the rule coder


def build_report_project(directory):
    """The reports' fixture project, with every stored timestamp fixed (golden files)."""
    from listening.model import Coding, Metadata, RawTurn, build_document
    from listening.projects import create_project
    from listening.segment import segment_document
    from listening.store import add_codings, add_document, save_topics, set_memo, start_run

    book = directory.parent / f"{directory.name}-codebook.yaml"
    book.write_text(REPORT_CODEBOOK_YAML, encoding="utf-8")
    project, _ = create_project(directory, codebook=book, mission="Mission test retraite")
    segs = {}
    codings = []
    for ext, kind, journey, public, territory, case, date, turns in REPORT_DOCUMENTS:
        doc = build_document(
            f"{ext}.docx", [RawTurn(text, speaker, role=role) for speaker, role, text, _ in turns],
            external_id=ext, meta=Metadata(type=kind, journey=journey, public=public,
                                           territory=territory, case=case, date=date,
                                           organisations=("CNAV",) if journey == _R else ("CAF",)))
        segments = segment_document(doc)
        add_document(project, doc, segments, source_hash=doc.hash, pseudonymised=True,
                     entities=2 if ext == "E01" else 0)
        for seg, (_, _, _, codes) in zip(segments, turns):
            segs[(ext, seg.turn_index)] = seg
            for coder, ids in codes.items():
                for code in ids:
                    span = None
                    if "@" in code:
                        code, rng = code.split("@")
                        a, b = (int(x) for x in rng.split("-"))
                        span = (seg.start + a, seg.start + b)
                    origin = "listening.rules.v1" if (coder, code) in REPORT_MACHINE else "manual"
                    codings.append(Coding(seg.id, code, coder, origin, *(span or (None, None))))
    add_codings(project, codings)
    run = start_run(project, "topics", {"embedder": "tfidf", "seed": 42, "journey": None},
                    seed=42)
    topics = [
        {"key": f"{_R}/{_P}instruction/0", "topic": 0, "journey": _R, "stage": _P + "instruction",
         "label": "attendre · dossier · délai", "words": ["attendre", "dossier", "délai"],
         "count": 2, "share": 0.5, "themes": ["theme.delais"],
         "examples": [segs[("E01", 3)].id, segs[("A01", 2)].id]},
        {"key": f"{_R}/{_P}demande/0", "topic": 0, "journey": _R, "stage": _P + "demande",
         "label": "site · papier", "words": ["site", "papier"], "count": 2, "share": 1.0,
         "themes": ["theme.numerique", "theme.information"],
         "examples": [segs[("E01", 1)].id, segs[("A01", 0)].id]},
    ]
    save_topics(project, run, topics,
                [(t["examples"][i], t["key"], 0.9 - i / 10) for t in topics for i in range(2)])
    set_memo(project, "project", "", "Premier cycle d'entretiens, Nord.", coder="alice")
    set_memo(project, "document", segs[("E01", 1)].document_id, "Entretien à l'agence.",
             coder="bruno")
    set_memo(project, "code", "theme.delais", "Inclure les relances.", coder="alice")
    set_memo(project, "segment", segs[("E01", 3)].id, "Cas typique d'attente.", coder="alice")
    with project.write() as conn:
        conn.execute("UPDATE documents SET created_at = '2024-10-01T08:00:00+00:00'")
        conn.execute("UPDATE codings SET created_at = CASE coder WHEN 'alice' THEN "
                     "'2024-10-02T09:30:00+00:00' ELSE '2024-10-03T14:00:00+00:00' END")
        conn.execute("UPDATE memos SET created_at = '2024-10-04T10:00:00+00:00', "
                     "updated_at = '2024-10-04T11:00:00+00:00'")
        conn.execute("UPDATE runs SET started_at = '2024-10-04T12:00:00+00:00', "
                     "finished_at = '2024-10-04T12:01:00+00:00', status = 'done'")
        conn.execute("UPDATE codebooks SET created_at = '2024-10-01T07:00:00+00:00'")
    return project


@pytest.fixture(scope="session")
def report_project(tmp_path_factory):
    """A small coded project (4 documents, 2 journeys, coders alice and bruno, topics, memos)."""
    return build_report_project(tmp_path_factory.mktemp("rapport") / "projet")
# --- explorer (app) fixtures: a tiny coded project ---------------------------------------



APP_CODEBOOK_YAML = """\
name: mini
version: "1"
themes:
  - id: theme.delais
    label: Délais
    definition: Le temps d'attente d'une réponse ou d'un versement.
    colour: "#D55E00"
  - id: theme.contact
    label: Contact
    definition: Joindre un agent, au guichet ou au téléphone.
    colour: "#0072B2"
valence:
  - id: valence.irritant
    label: Irritant
    definition: Ce qui gêne l'usager.
    colour: "#CC0000"
  - id: valence.positif
    label: Point d'appui
    definition: Ce qui aide l'usager.
    colour: "#009E73"
  - id: valence.suggestion
    label: Suggestion
    definition: Ce que l'usager propose.
    colour: "#E69F00"
journeys:
  - id: parcours.separation
    label: Séparation
    definition: Une séparation et les démarches qui suivent.
    stages:
      - id: etape.separation.decision
        label: Décision
        order: 1
        definition: La décision de se séparer.
      - id: etape.separation.declaration
        label: Déclaration
        order: 2
        definition: Déclarer la séparation aux organismes.
      - id: etape.separation.stabilisation
        label: Stabilisation
        order: 3
        definition: La vie après la séparation.
"""

APP_SCRIPT = "<script>alert('x')</script>"


def build_app_project(root):
    """A project with 3 documents, suggestions, two coders, a memo and a topic run."""
    from listening.model import Coding, Metadata, RawTurn, Suggestion, build_document
    from listening.projects import create_project
    from listening.segment import segment_document
    from listening.store import (
        add_codings,
        add_document,
        finish_run,
        mark_reviewed,
        replace_suggestions,
        save_topics,
        set_memo,
        start_run,
    )

    root.mkdir(parents=True, exist_ok=True)
    (root / "mini.yaml").write_text(APP_CODEBOOK_YAML, encoding="utf-8")
    project, _ = create_project(root / "projet", codebook=root / "mini.yaml")
    docs = {
        "E-01": build_document("E-01.txt", [
            RawTurn("Comment s'est passée votre déclaration ?", "Enquêtrice", "00:00:05"),
            RawTurn("J'ai attendu trois mois avant la réponse. Personne ne décrochait au "
                    "téléphone.", "Mme Leroy", "00:00:12"),
            RawTurn("Et ensuite ?", "Enquêtrice", "00:01:40"),
            RawTurn("Une conseillère m'a rappelée et tout s'est arrangé. Il faudrait un numéro "
                    "direct.", "Mme Leroy", "00:01:45"),
        ], external_id="E-01", roles=["interviewer", "usager", "interviewer", "usager"],
            meta=Metadata(type="entretien", journey="parcours.separation",
                          public="parent isolé", territory="Nord", date="2024-03-01")),
        "E-02": build_document("E-02.txt", [
            RawTurn("Qu'avez-vous vu sur le site ?", "Enquêteur"),
            RawTurn(f"Un message {APP_SCRIPT} et **gras** :red[rouge] sur le site.", "Usager"),
        ], external_id="E-02", roles=["interviewer", "usager"],
            meta=Metadata(type="entretien", journey="parcours.separation", public="jeune",
                          territory="Sud")),
        "A-01": build_document("A-01.txt", [
            RawTurn("Les délais de traitement sont trop longs.", "Post-it 1"),
        ], external_id="A-01", roles=["participant"],
            meta=Metadata(type="atelier", journey="parcours.separation",
                          public="parent isolé", territory="Nord")),
    }
    segs = {}
    for ext, doc in docs.items():
        segments = segment_document(doc)
        add_document(project, doc, segments, source_hash=doc.hash, pseudonymised=False)
        segs[ext] = segments
    attente, rappel = segs["E-01"][1].id, segs["E-01"][3].id
    script, postit = segs["E-02"][1].id, segs["A-01"][0].id
    machine = "listening.rules.v1"
    replace_suggestions(project, machine, [
        Suggestion(attente, "theme.delais", 0.9, machine, ("attendu", "trois mois")),
        Suggestion(rappel, "valence.suggestion", 0.7, machine, ("il faudrait",)),
    ])
    add_codings(project, [
        Coding(attente, "theme.contact", "alice"), Coding(attente, "valence.irritant", "alice"),
        Coding(attente, "etape.separation.declaration", "alice"),
        Coding(rappel, "valence.positif", "alice"),
        Coding(postit, "theme.delais", "alice"), Coding(postit, "valence.irritant", "alice"),
        Coding(postit, "etape.separation.declaration", "alice"),
        Coding(attente, "valence.irritant", "bruno"), Coding(rappel, "valence.positif", "bruno"),
        Coding(rappel, "theme.delais", "bruno"),
    ])
    mark_reviewed(project, [attente, rappel, script], coder="alice")
    mark_reviewed(project, [attente, rappel], coder="bruno")
    set_memo(project, "segment", attente, "À recouper avec l'entretien E-02.", coder="alice")
    run_id = start_run(project, "topics", {"embedder": "tfidf"}, seed=42)
    key = "parcours.separation/etape.separation.declaration/0"
    save_topics(project, run_id, [{
        "key": key, "topic": 0, "journey": "parcours.separation",
        "stage": "etape.separation.declaration", "label": "attendre · délai · réponse",
        "words": ["attendre", "délai", "réponse"], "count": 2, "share": 1.0,
        "themes": ["theme.delais"], "examples": [attente, postit]}],
        [(attente, key, 0.9), (postit, key, 0.8)])
    finish_run(project, run_id, {"groups": {"parcours.separation": {"segments": 2}}})
    return _types.SimpleNamespace(path=root / "projet", project=project, attente=attente,
                                  rappel=rappel, script=script, postit=postit)


@_pytest.fixture
def app_project(tmp_path, monkeypatch):
    """The tiny project, opened by the explorer through $LISTENING_PROJECT."""
    built = build_app_project(tmp_path)
    monkeypatch.setenv("LISTENING_PROJECT", str(built.path))
    return built


# --- ingest readers (issue 2): builders for Word, OpenDocument, PDF and Excel fixtures -------



def _ingest_write_docx(path, blocks):
    """blocks: ("p", text) | ("p", [(text, bold), ...]) | ("h", text, level) | ("table", rows)
    | ("nested", rows, (row, col, inner_rows)) | ("merged", rows, ((r1, c1), (r2, c2)))."""
    import docx

    document = docx.Document()
    for block in blocks:
        kind = block[0]
        if kind == "h":
            document.add_heading(block[1], level=block[2])
        elif kind == "p":
            paragraph = document.add_paragraph()
            runs = block[1] if isinstance(block[1], list) else [(block[1], False)]
            for text, bold in runs:
                paragraph.add_run(text).bold = bold or None
        else:
            rows = block[1]
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for i, row in enumerate(rows):
                for j, value in enumerate(row):
                    cell = table.cell(i, j)
                    parts = value.split("\n")
                    cell.paragraphs[0].text = parts[0]
                    for part in parts[1:]:
                        cell.add_paragraph(part)
            if kind == "nested":
                r, c, inner_rows = block[2]
                inner = table.cell(r, c).add_table(rows=len(inner_rows), cols=len(inner_rows[0]))
                for i, row in enumerate(inner_rows):
                    for j, value in enumerate(row):
                        inner.cell(i, j).text = value
            if kind == "merged":
                (r1, c1), (r2, c2) = block[2]
                keep = table.cell(r1, c1).text
                merged = table.cell(r1, c1).merge(table.cell(r2, c2))
                merged.text = keep
    document.save(path)
    return path


@pytest.fixture
def write_docx(tmp_path):
    def write(blocks, name="entretien.docx"):
        return _ingest_write_docx(tmp_path / name, blocks)

    return write


_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'office:version="1.3"'
)


def _ingest_write_odt(path, body_xml, *, encrypted=False):
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODT_NS}>'
        '<office:automatic-styles>'
        '<style:style style:name="T1" style:family="text">'
        '<style:text-properties fo:font-weight="bold"/></style:style>'
        '<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Gras"/>'
        '</office:automatic-styles>'
        f'<office:body><office:text>{body_xml}</office:text></office:body>'
        '</office:document-content>'
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {_ODT_NS}>'
        '<office:styles><style:style style:name="Gras" style:family="paragraph">'
        '<style:text-properties fo:font-weight="700"/></style:style></office:styles>'
        '</office:document-styles>'
    )
    entry = '<manifest:encryption-data/>' if encrypted else ''
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
        f'{entry}</manifest:file-entry></manifest:manifest>'
    )
    with _ingest_zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text",
                         compress_type=_ingest_zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content.encode("utf-8"))
        archive.writestr("styles.xml", styles.encode("utf-8"))
    return path


@pytest.fixture
def write_odt(tmp_path):
    def write(body_xml, name="entretien.odt", **kw):
        return _ingest_write_odt(tmp_path / name, body_xml, **kw)

    return write


def _ingest_pdf_bytes(pages):
    """A minimal PDF with a real text layer (Helvetica, WinAnsi): one line per string."""

    def literal(line):
        raw = line.encode("cp1252")
        return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", None,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
               b"/Encoding /WinAnsiEncoding >>"]
    kids = []
    for lines in pages:
        stream = b"BT /F1 11 Tf 14 TL 50 800 Td " + b" ".join(
            literal(line) + b" Tj T*" for line in lines) + b" ET"
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_number = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
                       % content_number)
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def write_pdf(tmp_path):
    def write(pages, name="entretien.pdf"):
        path = tmp_path / name
        path.write_bytes(_ingest_pdf_bytes(pages))
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path):
    def write(sheets, name="verbatims.xlsx"):
        """sheets: {"Feuille": [[cell, ...], ...]} in order."""
        import openpyxl

        book = openpyxl.Workbook()
        book.remove(book.active)
        for title, rows in sheets.items():
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
        path = tmp_path / name
        book.save(path)
        return path

    return write


INGEST_SOFFICE_DOCX = [
    ("h", "Entretien E12 — allocataire, Lille", 1),
    ("p", [("Enquêtrice :", True), (" Bonjour, pouvez-vous vous présenter ?", False)]),
    ("p", [("Mme Lefèvre :", True), (" Oui. J'ai déposé ma demande à la CAF en mars.", False)]),
    ("table", [["Étape", "Irritants"], ["Déclaration", "Trois relances sans réponse"]]),
    ("p", [("Enquêtrice :", True), (" Et ensuite, que s'est-il passé ?", False)]),
    ("p", [("Mme Lefèvre :", True), (" J'ai attendu quatre mois avant le premier versement.",
                                     False)]),
]


@pytest.fixture(scope="session")
def soffice_conversions(tmp_path_factory):
    """The same small interview as .docx, and as .odt and .pdf made by LibreOffice.
    Skips when LibreOffice is absent."""
    soffice = _ingest_shutil.which("soffice") or _ingest_shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) absent")
    folder = tmp_path_factory.mktemp("soffice")
    source = _ingest_write_docx(folder / "entretien-e12.docx", INGEST_SOFFICE_DOCX)
    profile = (folder / "profil").as_uri()
    out = {"docx": source}
    for fmt in ("odt", "pdf"):
        _ingest_subprocess.run(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt,
             "--outdir", str(folder), str(source)],
            check=True, capture_output=True, timeout=180)
        out[fmt] = folder / f"entretien-e12.{fmt}"
    return out


@pytest.fixture
def shared_transcripts():
    """The real French transcripts of ../shared/data/transcripts; skips when absent."""
    folder = _IngestPath(__file__).resolve().parents[2] / "shared" / "data" / "transcripts"
    if not folder.is_dir():
        pytest.skip("../shared/data/transcripts absent")
    return folder


# --- pseudonymisation (issue 4): the French model, loaded once per session -------------------


@pytest.fixture(scope="session")
def pseudonymiser():
    """A default Pseudonymiser over fr_core_news_md (NER only), shared by the session."""
    from listening.pseudonymise import Pseudonymiser, load_french_model

    return Pseudonymiser(nlp=load_french_model())


@pytest.fixture
def pseudo_registry():
    """A fresh consistent-pseudonym registry with a fixed test key."""
    from listening.pseudo_registry import PseudonymRegistry

    return PseudonymRegistry(b"cle-de-test-du-projet")


@pytest.fixture
def golden():
    """Compare a JSON-able value with tests/golden/<name>.json.

    Regenerate with LISTENING_REGEN_GOLDEN=1 (then review the diff before committing).
    """
    import json
    import os
    from pathlib import Path

    folder = Path(__file__).parent / "golden"

    def check(name: str, value) -> None:
        path = folder / f"{name}.json"
        if isinstance(value, list):  # one item a line, for readable diffs
            items = [json.dumps(v, ensure_ascii=False) for v in value]
            text = "[\n" + ",\n".join(items) + "\n]\n"
        else:
            text = json.dumps(value, ensure_ascii=False, indent=1) + "\n"
        if os.environ.get("LISTENING_REGEN_GOLDEN") == "1":
            folder.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"{path} absent : lancez les tests avec LISTENING_REGEN_GOLDEN=1"
        assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text)

    return check


@pytest.fixture(scope="session")
def report_codebook(tmp_path_factory):
    """The reports' small codebook as a YAML file."""
    path = tmp_path_factory.mktemp("livre") / "mini-rapport.yaml"
    path.write_text(REPORT_CODEBOOK_YAML, encoding="utf-8")
    return path


# --- the demo project, built once per session with the network forbidden (issues 2-10) -------


class NetworkForbidden(AssertionError):
    """Raised when code under test tries to open a socket or resolve a name."""


def _forbid(*_args, **_kwargs):
    raise NetworkForbidden("accès réseau interdit pendant les tests")


def forbid_network():
    """Context manager: any socket connection or DNS lookup raises NetworkForbidden."""
    import contextlib
    from unittest import mock

    stack = contextlib.ExitStack()
    for target in ("socket.socket.connect", "socket.socket.connect_ex", "socket.create_connection",
                   "socket.getaddrinfo", "socket.gethostbyname"):
        stack.enter_context(mock.patch(target, _forbid))
    return stack


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory):
    """`listening demo` run in-process on corpora/demo, sockets forbidden throughout."""
    from listening.demo import build_demo

    root = tmp_path_factory.mktemp("demo")
    with forbid_network():
        result = build_demo(root / "projet", reports_dir=root / "reports")
    return result
