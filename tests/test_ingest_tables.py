"""Spreadsheets: one verbatim per row, from .csv (any separator, encoding) or .xlsx."""

import csv
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listening.errors import InputError
from listening.ingest import ReadOptions, read, read_file
from listening.model import Metadata, normalise_text

SURVEY = [
    ["id", "Parcours", "Étape", "Date", "Verbatim", "Canal"],
    ["V1", "Naissance", "Déclaration", "12/03/2026",
     'La CAF m\'a dit "revenez demain",\npuis plus rien ; trois semaines.', "téléphone"],
    ["V2", "Retraite", "", "2026-03-13", "", "accueil"],
    ["V3", "Retraite", "Demande", "", "Tout s'est bien passé à France services.", ""],
]


def write_csv(tmp_path, rows, *, delimiter=";", encoding="utf-8", name="verbatims.csv",
              quoting=csv.QUOTE_MINIMAL):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, quoting=quoting).writerows(rows)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_one_document_per_row_with_text(tmp_path, delimiter, encoding):
    path = write_csv(tmp_path, SURVEY, delimiter=delimiter, encoding=encoding)
    result = read(path)
    docs = result.documents
    assert [d.external_id for d in docs] == ["V1", "V3"]
    assert docs[0].text == ('La CAF m\'a dit "revenez demain",\npuis plus rien ; trois '
                            "semaines.")
    assert docs[0].meta == Metadata(type="verbatim", journey="Naissance", stage="Déclaration",
                                    date="2026-03-12", channel="téléphone")
    assert docs[1].meta.stage == "Demande" and docs[1].meta.date is None
    assert [dict(d.turns[0].attrs) for d in docs] == [{"etape": "Déclaration"},
                                                      {"etape": "Demande"}]
    assert {t.role for d in docs for t in d.turns} == {"usager"}
    assert result.skipped_rows == 1
    assert result.warnings == ("1 ligne(s) sans texte ignorée(s) (colonne « Verbatim » vide)",)
    assert {d.source_format for d in docs} == {"csv"}


def test_csv_without_id_column_uses_file_and_row(tmp_path):
    rows = [["commentaire", "note"], ["Trop d'attente au guichet, deux heures debout", "2"],
            ["Accueil très aimable et efficace, merci", "5"]]
    docs = read_file(write_csv(tmp_path, rows), name="enquetes/avis.csv")
    assert [d.external_id for d in docs] == ["enquetes/avis.csv:2", "enquetes/avis.csv:3"]
    assert [d.name for d in docs] == ["enquetes/avis.csv"] * 2
    assert docs[0].meta.extra == {"note": "2"}


def test_csv_column_mapping_and_atelier_role(tmp_path):
    rows = [["Post-it", "Couleur", "Moment", "Type", "Auteur"],
            ["Personne ne répond au 3230", "rose", "Déclaration", "Irritant", "Julie"],
            ["La conseillère a tout repris avec moi", "vert", "Instruction", "Point d'appui",
             "Samir"]]
    options = ReadOptions(text_column="post-it", columns={"etape": "Moment",
                                                          "categorie": "Type",
                                                          "public": "Auteur"},
                          meta=Metadata(type="atelier", journey="parcours.naissance"))
    docs = read_file(write_csv(tmp_path, rows), options)
    assert [(d.text, dict(d.turns[0].attrs), d.turns[0].role) for d in docs] == [
        ("Personne ne répond au 3230", {"etape": "Déclaration", "categorie": "irritant"},
         "participant"),
        ("La conseillère a tout repris avec moi",
         {"etape": "Instruction", "categorie": "point d'appui"}, "participant"),
    ]
    assert docs[0].meta == Metadata(type="atelier", journey="parcours.naissance",
                                    stage="Déclaration", public="Julie",
                                    extra={"Couleur": "rose"})


def test_csv_ambiguous_text_column(tmp_path):
    rows = [["id", "Ce qui a gêné", "Ce qui a aidé"],
            ["1", "Le site plante à chaque fois", "La conseillère au téléphone"],
            ["2", "Trop de pièces justificatives", "Le simulateur en ligne"]]
    with pytest.raises(InputError) as err:
        read_file(write_csv(tmp_path, rows, name="avis.csv"))
    assert str(err.value) == (
        "avis.csv : plusieurs colonnes peuvent contenir le texte (« Ce qui a gêné », « Ce qui a "
        "aidé ») : indiquez laquelle avec --text-column (ou text_column dans le manifeste) ; "
        "colonnes disponibles : « id », « Ce qui a gêné », « Ce qui a aidé »")
    docs = read_file(write_csv(tmp_path, rows), ReadOptions(text_column="Ce qui a aidé"))
    assert [d.text for d in docs] == ["La conseillère au téléphone", "Le simulateur en ligne"]


@pytest.mark.parametrize(
    "options, hint",
    [(ReadOptions(text_column="verbatim"), "--text-column (ou text_column dans le manifeste)"),
     (ReadOptions(id_column="numéro"), "--id-column (ou id_column dans le manifeste)"),
     (ReadOptions(columns={"journey": "Parcours usager"}),
      "la correspondance des colonnes (columns)")],
    ids=["text", "id", "columns"],
)
def test_csv_named_column_missing(tmp_path, options, hint):
    rows = [["id", "commentaire", "date"], ["1", "Personne ne répond jamais", "12/03/2026"]]
    name = options.text_column or options.id_column or "Parcours usager"
    with pytest.raises(InputError) as err:
        read_file(write_csv(tmp_path, rows, name="avis.csv"), options)
    assert str(err.value) == (
        f"avis.csv : colonne « {name} » introuvable ; colonnes disponibles : « id », "
        f"« commentaire », « date » ; indiquez le bon nom avec {hint}")


def test_csv_duplicate_ids_name_both_rows(tmp_path):
    rows = [["ref", "texte"], ["A1", "Délais trop longs"], ["A2", "Accueil froid"],
            ["A1", "Site en panne"]]
    with pytest.raises(InputError) as err:
        read_file(write_csv(tmp_path, rows, name="avis.csv"), ReadOptions(id_column="ref"))
    assert str(err.value) == (
        "avis.csv, ligne 4 : identifiant « A1 » en double (lignes 2 et 4) : chaque ligne doit "
        "avoir un identifiant unique dans la colonne « ref »")


def test_csv_ragged_rows_are_read_with_a_warning(tmp_path):
    path = tmp_path / "avis.csv"
    path.write_text("id;texte\n1;Trop long;en plus\n2\n3;Très bien\n", encoding="utf-8")
    result = read(path)
    assert [d.text for d in result.documents] == ["Trop long", "Très bien"]
    assert result.warnings[0] == ("ligne 2 : 3 cellules pour 2 colonnes ; cellules en trop "
                                  "ignorées (séparateur dans le texte sans guillemets ?)")
    assert result.skipped_rows == 1


@pytest.mark.parametrize(
    "content, message",
    [(b"", "fichier vide : aucun texte à lire ; vérifiez que c'est le bon fichier et qu'il a "
           "été enregistré"),
     (b"id;texte\n1;\n2;  \n", "aucune ligne avec du texte dans la colonne « texte » ; "
                               "vérifiez la colonne choisie (--text-column)")],
)
def test_csv_without_text(tmp_path, content, message):
    path = tmp_path / "avis.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_file(path, ReadOptions(text_column="texte") if content else None)
    assert str(err.value) == f"avis.csv : {message}"


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
    | st.sampled_from(list(';,\t"\n\r|é€')),
    max_size=60,
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(texts, st.sampled_from(["", "Retraite", "Naissance"])),
                     min_size=1, max_size=12),
       delimiter=st.sampled_from([";", ",", "\t"]),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig"]))
def test_csv_reader_round_trips_any_text(tmp_path, rows, delimiter, quoting, encoding):
    table = [["n°", "verbatim", "parcours"]]
    table += [[str(i), text, journey] for i, (text, journey) in enumerate(rows, 1)]
    path = write_csv(tmp_path, table, delimiter=delimiter, quoting=quoting, encoding=encoding)
    expected = [(str(i), normalise_text(text), journey or None)
                for i, (text, journey) in enumerate(rows, 1) if normalise_text(text)]
    if not expected:
        with pytest.raises(InputError):
            read_file(path, ReadOptions(text_column="verbatim", id_column="n°"))
        return
    docs = read_file(path, ReadOptions(text_column="verbatim", id_column="n°"))
    assert [(d.external_id, d.text, d.meta.journey) for d in docs] == expected


# --- xlsx -----------------------------------------------------------------------------------


def test_xlsx_rows_dates_numbers_and_sheet(write_xlsx):
    path = write_xlsx({
        "Lisez-moi": [["Export de l'enquête de satisfaction 2026"]],
        "Réponses": [["N°", "Date de réponse", "Département", "Réponse libre"],
                     [101, dt.datetime(2026, 3, 12), "Nord", "Le délai était très long"],
                     [102, dt.date(2026, 3, 14), "Somme", None],
                     [103, None, "Aisne", "Bon accueil mais\npas de suivi"]],
    })
    result = read(path, ReadOptions(sheet="réponses", id_column="N°"))
    assert [(d.external_id, d.text, d.meta.date, d.meta.territory, dict(d.meta.extra))
            for d in result.documents] == [
        ("101", "Le délai était très long", "2026-03-12", "Nord", {}),
        ("103", "Bon accueil mais\npas de suivi", None, "Aisne", {}),
    ]
    assert result.skipped_rows == 1
    assert result.documents[0].source_format == "xlsx"


def test_xlsx_first_non_empty_sheet_with_a_warning(write_xlsx):
    path = write_xlsx({"Vide": [], "Verbatims": [["texte"], ["Personne ne rappelle jamais"]],
                       "Notes": [["autre"], ["x"]]})
    result = read(path)
    assert [d.text for d in result.documents] == ["Personne ne rappelle jamais"]
    assert result.warnings == ("plusieurs feuilles non vides (« Verbatims », « Notes ») : "
                               "seule « Verbatims » est lue ; indiquez la feuille voulue (sheet)",)


def test_xlsx_missing_sheet(write_xlsx):
    path = write_xlsx({"Réponses": [["texte"], ["ok"]]}, name="enquete.xlsx")
    with pytest.raises(InputError) as err:
        read_file(path, ReadOptions(sheet="Feuil1"))
    assert str(err.value) == ("enquete.xlsx : feuille « Feuil1 » introuvable ; feuilles "
                              "disponibles : « Réponses » ; indiquez le bon nom de feuille (sheet)")


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda good: good[: len(good) // 2],
         "fichier Excel endommagé ou tronqué : ouvrez-le dans Excel ou LibreOffice, "
         "enregistrez-le à nouveau en .xlsx, puis réessayez"),
        (lambda good: OLE + bytes(300) + "EncryptedPackage".encode("utf-16-le"),
         "fichier protégé par un mot de passe : enregistrez-le sans mot de passe puis réessayez"),
        (lambda good: OLE + bytes(300) + "Workbook".encode("utf-16-le"),
         "ancien format Excel (.xls) sous une extension .xlsx : ouvrez-le dans Excel ou "
         "LibreOffice, enregistrez-le en .xlsx, puis réessayez"),
    ],
    ids=["truncated", "protected", "old-xls"],
)
def test_xlsx_bad_files(write_xlsx, make, message):
    path = write_xlsx({"Réponses": [["texte"], ["ok"]]}, name="enquete.xlsx")
    path.write_bytes(make(path.read_bytes()))
    with pytest.raises(InputError) as err:
        read_file(path)
    assert str(err.value) == f"enquete.xlsx : {message}"
