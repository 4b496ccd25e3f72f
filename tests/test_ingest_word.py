"""Word (.docx) and OpenDocument (.odt): body order, bold labels, tables, damaged files."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listening.errors import InputError
from listening.ingest import ReadOptions, read_file
from listening.model import Metadata


def rows(doc):
    return [(t.speaker, t.text, dict(t.attrs)) for t in doc.turns]


def test_docx_table_between_paragraphs_keeps_body_order(write_docx):
    path = write_docx([
        ("p", [("Enquêtrice :", True), (" Bonjour, vous pouvez me raconter ?", False)]),
        ("p", [("Mme Fontaine :", True), (" Oui, j'ai fait la demande en mars.", False)]),
        ("table", [["Étape", "Irritants"], ["Déclaration", "Trois relances\nAucune réponse"]]),
        ("p", [("Enquêtrice :", True), (" Et après ?", False)]),
        ("p", [("Mme Fontaine :", True), (" Quatre mois d'attente.", False)]),
    ])
    [doc] = read_file(path)
    assert rows(doc) == [
        ("Enquêtrice", "Bonjour, vous pouvez me raconter ?", {}),
        ("Mme Fontaine", "Oui, j'ai fait la demande en mars.", {}),
        ("", "Trois relances", {"ligne": "Déclaration", "colonne": "Irritants",
                                "etape": "Déclaration", "categorie": "irritant"}),
        ("", "Aucune réponse", {"ligne": "Déclaration", "colonne": "Irritants",
                                "etape": "Déclaration", "categorie": "irritant"}),
        ("Enquêtrice", "Et après ?", {}),
        ("Mme Fontaine", "Quatre mois d'attente.", {}),
    ]
    assert [t.role for t in doc.turns] == ["interviewer", "usager", "unknown", "unknown",
                                           "interviewer", "usager"]
    assert doc.source_format == "docx"


@pytest.mark.parametrize(
    "runs, speaker, text",
    [
        ([("Marie :", True), (" Bonjour", False)], "Marie", "Bonjour"),
        ([("Marie", True), (" : Bonjour", False)], "Marie", "Bonjour"),
        ([("Marie Dupont", True), (": Bonjour", False)], "Marie Dupont", "Bonjour"),
        ([("Important", True), (" : le dossier est perdu", False)], "",
         "Important : le dossier est perdu"),
        ([("Important", True), (" le dossier est perdu", False)], "",
         "Important le dossier est perdu"),
        ([("Marie", True), ("\t", False), ("Bonjour", False)], "Marie", "Bonjour"),
        ([("Mme ", True), ("Roux", True), (" : ", False), ("Bonjour", False)], "Mme Roux",
         "Bonjour"),
    ],
    ids=["colon-inside", "colon-after", "no-space", "header-word", "bold-emphasis", "tab",
         "split-runs"],
)
def test_docx_bold_run_opening_a_paragraph_is_a_speaker_label(write_docx, runs, speaker, text):
    [doc] = read_file(write_docx([("p", runs)]))
    assert (doc.turns[0].speaker, doc.turns[0].text) == (speaker, text)


def test_docx_headings_give_sections_and_workshop_stages(write_docx):
    path = write_docx([
        ("h", "Atelier séparation", 1),
        ("h", "Décision", 2), ("h", "Irritants", 3), ("p", "Personne à qui parler"),
        ("h", "Idées", 3), ("p", "Un numéro unique"),
        ("h", "Logement", 2), ("h", "Irritants", 3), ("p", "Peur de perdre le logement"),
    ])
    [doc] = read_file(path, ReadOptions(meta=Metadata(type="atelier")))
    notes = {t.text: dict(t.attrs) for t in doc.turns}
    assert notes["Personne à qui parler"] == {"section": "Irritants", "etape": "Décision",
                                              "categorie": "irritant"}
    assert notes["Un numéro unique"] == {"section": "Idées", "etape": "Décision",
                                         "categorie": "idée"}
    assert notes["Peur de perdre le logement"]["etape"] == "Logement"
    assert {t.role for t in doc.turns} == {"participant"}


def test_docx_journey_map_grid_categories_by_stages(write_docx):
    path = write_docx([("table", [
        ["", "Information", "Déclaration"],
        ["Irritants", "Site illisible", "Formulaire en double"],
        ["Points d'appui", "Conseillère disponible", ""],
    ])])
    [doc] = read_file(path)
    assert rows(doc) == [
        ("", "Site illisible", {"ligne": "Irritants", "colonne": "Information",
                                "etape": "Information", "categorie": "irritant"}),
        ("", "Formulaire en double", {"ligne": "Irritants", "colonne": "Déclaration",
                                      "etape": "Déclaration", "categorie": "irritant"}),
        ("", "Conseillère disponible", {"ligne": "Points d'appui", "colonne": "Information",
                                        "etape": "Information", "categorie": "point d'appui"}),
    ]


def test_docx_post_it_columns_without_row_labels(write_docx):
    path = write_docx([("table", [["Irritants", "Idées"],
                                  ["Les délais de traitement sont beaucoup trop longs",
                                   "Un suivi du dossier en ligne comme pour un colis"]])])
    [doc] = read_file(path)
    assert rows(doc) == [
        ("", "Les délais de traitement sont beaucoup trop longs",
         {"colonne": "Irritants", "categorie": "irritant"}),
        ("", "Un suivi du dossier en ligne comme pour un colis",
         {"colonne": "Idées", "categorie": "idée"}),
    ]


def test_docx_plain_table_keeps_row_and_column(write_docx):
    path = write_docx([("table", [["Thème", "Ce qui a été dit"],
                                  ["Accueil", "On attend debout une heure"]])])
    [doc] = read_file(path)
    assert rows(doc) == [("", "On attend debout une heure",
                          {"ligne": "Accueil", "colonne": "Ce qui a été dit"})]


def test_docx_table_without_header_loses_nothing(write_docx):
    path = write_docx([
        ("p", "Post-its du mur :"),
        ("table", [["Les délais sont trop longs.", "Un numéro unique."],
                   ["Personne ne rappelle.", "Un suivi en ligne."]]),
    ])
    [doc] = read_file(path)
    assert [t.text for t in doc.turns] == ["Post-its du mur :", "Les délais sont trop longs.",
                                           "Un numéro unique.", "Personne ne rappelle.",
                                           "Un suivi en ligne."]


def test_docx_nested_table_is_flattened(write_docx):
    path = write_docx([("nested", [["Étape", "Notes"], ["Demande", "Dossier envoyé"]],
                        (1, 1, [["Relance 1", "Relance 2"]]))])
    [doc] = read_file(path)
    assert [t.text for t in doc.turns] == ["Dossier envoyé", "Relance 1", "Relance 2"]
    assert {t.attrs["ligne"] for t in doc.turns} == {"Demande"}


def test_docx_merged_cells_are_read_once(write_docx):
    path = write_docx([("merged", [["Étape", "Irritants", "Idées"],
                                   ["Demande", "Trop de pièces à fournir", "x"]],
                        ((1, 1), (1, 2)))])
    [doc] = read_file(path)
    assert [t.text for t in doc.turns] == ["Trop de pièces à fournir"]


def test_docx_metadata_table_at_the_top_is_metadata(write_docx):
    path = write_docx([
        ("p", "Compte rendu d'entretien"),
        ("table", [["Date", "12/03/2026"], ["Lieu", "CAF de Roubaix"], ["Enquêteur", "Paul"]]),
        ("p", [("Enquêteur :", True), (" Bonjour ?", False)]),
        ("p", [("Mme Haddad :", True), (" Bonjour.", False)]),
    ])
    [doc] = read_file(path, ReadOptions(meta=Metadata(extra={"Lieu": "donné par le manifeste"})))
    assert doc.meta.extra == {"Date": "12/03/2026", "Lieu": "donné par le manifeste",
                              "Enquêteur": "Paul"}
    assert [t.speaker for t in doc.turns] == ["", "Enquêteur", "Mme Haddad"]


def test_docx_transcript_laid_out_as_a_table(write_docx):
    path = write_docx([("table", [["Locuteur", "Temps", "Texte"],
                                  ["Enquêtrice", "00:00:05", "Vous êtes allée à l'agence ?"],
                                  ["Mme Ba", "00:00:09", "Oui, deux fois."]])])
    [doc] = read_file(path)
    assert [(t.speaker, t.timestamp, t.text, t.role) for t in doc.turns] == [
        ("Enquêtrice", "00:00:05", "Vous êtes allée à l'agence ?", "interviewer"),
        ("Mme Ba", "00:00:09", "Oui, deux fois.", "usager"),
    ]


DAMAGED = ("fichier Word endommagé ou tronqué : ouvrez-le dans Word ou LibreOffice, "
           "enregistrez-le à nouveau en .docx, puis réessayez")
PROTECTED = "fichier protégé par un mot de passe : enregistrez-le sans mot de passe puis réessayez"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda good: good[: len(good) // 2], DAMAGED),
        (lambda good: good[:200], DAMAGED),
        (lambda good: "Enquêteur : bonjour".encode(), DAMAGED),
        (lambda good: OLE + bytes(500) + "EncryptedPackage".encode("utf-16-le") + bytes(100),
         PROTECTED),
        (lambda good: OLE + bytes(1000), PROTECTED),
        (lambda good: OLE + bytes(500) + "WordDocument".encode("utf-16-le") + bytes(100),
         "ancien format Word (.doc) sous une extension .docx : ouvrez-le dans Word ou "
         "LibreOffice, enregistrez-le en .docx, puis réessayez"),
        (lambda good: b"", "fichier vide : aucun texte à lire ; vérifiez que c'est le bon "
                           "fichier et qu'il a été enregistré"),
    ],
    ids=["truncated-half", "truncated-head", "text-renamed", "encrypted", "ole2", "old-doc",
         "empty"],
)
def test_docx_bad_files(write_docx, tmp_path, make, message):
    good = write_docx([("p", "Enquêteur : Bonjour ?")]).read_bytes()
    path = tmp_path / "E07.docx"
    path.write_bytes(make(good))
    with pytest.raises(InputError) as err:
        read_file(path, name="entretiens/E07.docx")
    assert str(err.value) == f"entretiens/E07.docx : {message}"


def test_docx_without_text_is_empty(write_docx):
    with pytest.raises(InputError, match="fichier vide"):
        read_file(write_docx([("p", ""), ("p", "   ")]))


# --- odt ----------------------------------------------------------------------------------

ODT_BODY = (
    '<text:h text:outline-level="1">Entretien E03 — Vitré</text:h>'
    '<text:p><text:span text:style-name="T1">Enquêtrice :</text:span> Bonjour, '
    'vous<text:s text:c="2"/>pouvez<text:line-break/>commencer ?'
    '<text:note><text:note-body><text:p>note de bas de page</text:p></text:note-body>'
    '</text:note></text:p>'
    '<text:p text:style-name="P1">Nolwenn :</text:p>'
    '<text:p>J\'ai créé mon activité en 2024.</text:p>'
    '<table:table><table:table-column table:number-columns-repeated="3"/>'
    '<table:table-header-rows><table:table-row>'
    '<table:table-cell><text:p>Étape</text:p></table:table-cell>'
    '<table:table-cell><text:p>Irritants</text:p></table:table-cell>'
    '<table:table-cell><text:p>Idées</text:p></table:table-cell>'
    '</table:table-row></table:table-header-rows>'
    '<table:table-row>'
    '<table:table-cell><text:p>Immatriculation</text:p></table:table-cell>'
    '<table:table-cell table:number-columns-spanned="2"><text:p>Site en panne</text:p>'
    '<table:table><table:table-row><table:table-cell><text:p>Relance</text:p>'
    '</table:table-cell></table:table-row></table:table></table:table-cell>'
    '<table:covered-table-cell/>'
    '</table:table-row></table:table>'
    '<text:list><text:list-item><text:p><text:span text:style-name="T1">Enquêtrice :'
    '</text:span> Et ensuite ?</text:p></text:list-item></text:list>'
    '<text:p>Nolwenn : La CFE, personne ne m\'en avait parlé.</text:p>'
)


def test_odt_paragraphs_tables_and_bold_labels_in_order(write_odt):
    [doc] = read_file(write_odt(ODT_BODY))
    assert rows(doc) == [
        ("", "Entretien E03 — Vitré", {"section": "Entretien E03 — Vitré"}),
        ("Enquêtrice", "Bonjour, vous  pouvez\ncommencer ?", {"section": "Entretien E03 — Vitré"}),
        ("Nolwenn", "J'ai créé mon activité en 2024.", {"section": "Entretien E03 — Vitré"}),
        ("", "Site en panne", {"section": "Entretien E03 — Vitré", "ligne": "Immatriculation",
                               "colonne": "Irritants", "etape": "Immatriculation",
                               "categorie": "irritant"}),
        ("", "Relance", {"section": "Entretien E03 — Vitré", "ligne": "Immatriculation",
                         "colonne": "Irritants", "etape": "Immatriculation",
                         "categorie": "irritant"}),
        ("Enquêtrice", "Et ensuite ?", {"section": "Entretien E03 — Vitré"}),
        ("Nolwenn", "La CFE, personne ne m'en avait parlé.", {"section": "Entretien E03 — Vitré"}),
    ]
    assert doc.source_format == "odt"
    assert "note de bas de page" not in doc.text


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda path: path.write_bytes(path.read_bytes()[:300]),
         "fichier OpenDocument endommagé ou tronqué : ouvrez-le dans LibreOffice, "
         "enregistrez-le à nouveau en .odt, puis réessayez"),
        (lambda path: path.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(600)), PROTECTED),
    ],
    ids=["truncated", "ole2"],
)
def test_odt_bad_files(write_odt, make, message):
    path = write_odt(ODT_BODY, name="E03.odt")
    make(path)
    with pytest.raises(InputError) as err:
        read_file(path)
    assert str(err.value) == f"E03.odt : {message}"


def test_odt_encrypted_is_protected(write_odt):
    with pytest.raises(InputError) as err:
        read_file(write_odt(ODT_BODY, name="E03.odt", encrypted=True))
    assert str(err.value) == f"E03.odt : {PROTECTED}"


# --- files made by LibreOffice ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["odt", "pdf"])
def test_libreoffice_conversions_read_like_the_docx(soffice_conversions, fmt):
    [source] = read_file(soffice_conversions["docx"])
    [converted] = read_file(soffice_conversions[fmt])
    speakers = [(t.speaker, t.role) for t in source.turns if t.speaker]
    assert [(t.speaker, t.role) for t in converted.turns if t.speaker] == speakers
    assert speakers == [("Enquêtrice", "interviewer"), ("Mme Lefèvre", "usager")] * 2
    if fmt == "odt":
        assert rows(converted) == rows(source)
    else:  # a PDF has no tables: the grid's text follows the turn it is printed after
        pairs = zip([t.text for t in converted.turns if t.speaker],
                    [t.text for t in source.turns if t.speaker])
        assert all(pdf.startswith(docx) for pdf, docx in pairs)
        assert "Trois relances sans réponse" in converted.text


@pytest.fixture
def office_files(write_docx, write_odt, write_pdf, write_xlsx):
    return {
        "docx": write_docx([("p", [("Enquêteur :", True), (" Bonjour ?", False)]),
                            ("table", [["Étape", "Irritants"], ["Demande", "Trop long"]])]),
        "odt": write_odt(ODT_BODY),
        "pdf": write_pdf([["Enquêteur : Bonjour ?", "Mme Roux : Oui."]]),
        "xlsx": write_xlsx({"Réponses": [["texte"], ["Personne ne répond au téléphone"]]}),
    }


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(fmt=st.sampled_from(["docx", "odt", "pdf", "xlsx"]), data=st.data())
def test_damaged_files_always_give_an_input_error(office_files, tmp_path, fmt, data):
    good = office_files[fmt].read_bytes()
    damaged = bytearray(good)
    if data.draw(st.booleans(), label="truncate"):
        damaged = damaged[: data.draw(st.integers(0, len(good) - 1), label="size")]
    else:
        for _ in range(data.draw(st.integers(1, 30), label="flips")):
            damaged[data.draw(st.integers(0, len(good) - 1))] = data.draw(st.integers(0, 255))
    path = tmp_path / f"abime.{fmt}"
    path.write_bytes(bytes(damaged))
    try:
        read_file(path)
    except InputError as err:
        assert err.source == f"abime.{fmt}"
