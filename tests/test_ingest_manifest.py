"""Manifests: metadata and reading options per file, as CSV, XLSX or YAML."""

import pytest

from listening.errors import InputError
from listening.ingest import ReadOptions, find_manifest, load_manifest
from listening.model import Metadata

E07_META = Metadata(type="entretien", journey="Séparation", stage="déclaration",
                    public="parent isolé", territory="Nord", organisations=("CAF", "CPAM"),
                    date="2026-03-12", interviewer="Claire", channel="visio", case="famille-3",
                    extra={"commentaire": "relu"})

YAML = """\
defaults:
  territoire: Nord
documents:
  - fichier: entretiens/E07.docx
    id: E07
    type: entretien
    parcours: Séparation
    etape: déclaration
    public: parent isolé
    organismes: [CAF, CPAM]
    date: 12/03/2026
    enqueteur: Claire
    canal: visio
    cas: famille-3
    commentaire: relu
  - file: verbatims.xlsx
    type: verbatim
    text_column: Réponse
    id_column: N°
    sheet: Réponses
    columns: {journey: Parcours, etape: Moment}
  - file: E09.txt
    roles: {Marie: usagère, Paul: enquêteur}
    speaker_pattern: "(?P<speaker>\\\\w+) > "
"""

CSV = (
    "fichier;id;type;parcours;étape;public;territoire;organismes;date;enquêteur;canal;cas;"
    "commentaire;colonne_texte;colonnes\n"
    "entretiens/E07.docx;E07;Entretien;Séparation;déclaration;parent isolé;Nord;CAF | CPAM;"
    "12/03/2026;Claire;visio;famille-3;relu;;\n"
    'verbatims.xlsx;;verbatim;;;;Nord;;;;;;;Réponse;"journey=Parcours; etape=Moment"\n'
)


def check(manifest):
    e07 = manifest.entry("entretiens/E07.docx")
    assert (e07.file, e07.id, e07.meta) == ("entretiens/E07.docx", "E07", E07_META)
    assert e07.options == ReadOptions(meta=E07_META)
    sheet = manifest.entry("verbatims.xlsx")
    assert sheet.meta == Metadata(type="verbatim", territory="Nord")
    assert sheet.options.text_column == "Réponse"
    assert dict(sheet.options.columns) == {"journey": "Parcours", "etape": "Moment"}
    assert sheet.options.meta == sheet.meta


def test_yaml_manifest(tmp_path):
    path = tmp_path / "manifest.yaml"
    path.write_text(YAML, encoding="utf-8")
    manifest = load_manifest(path)
    check(manifest)
    assert manifest.source == path
    assert [e.line for e in manifest.entries] == [4, 16, 22]
    e09 = manifest.entry("E09.txt")
    assert dict(e09.options.roles) == {"Marie": "usager", "Paul": "interviewer"}
    assert e09.options.speaker_pattern == r"(?P<speaker>\w+) > "
    sheet = manifest.entry("verbatims.xlsx")
    assert (sheet.options.id_column, sheet.options.sheet) == ("N°", "Réponses")


def test_yaml_manifest_as_a_plain_list_or_a_mapping(tmp_path):
    path = tmp_path / "manifest.yml"
    path.write_text("- file: a.txt\n  type: atelier\n- b.txt\n", encoding="utf-8")
    assert [(e.file, e.meta.type) for e in load_manifest(path).entries] == [
        ("a.txt", "atelier"), ("b.txt", "entretien")]
    path.write_text("documents:\n  a.txt: {type: atelier}\n  b.txt:\n", encoding="utf-8")
    assert [(e.file, e.meta.type, e.line) for e in load_manifest(path).entries] == [
        ("a.txt", "atelier", 2), ("b.txt", "entretien", 3)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_manifest(tmp_path, encoding):
    path = tmp_path / "manifest.csv"
    path.write_bytes(CSV.encode(encoding))
    manifest = load_manifest(path)
    check(manifest)
    assert [e.line for e in manifest.entries] == [2, 3]


def test_xlsx_manifest(write_xlsx):
    rows = [line.split(";") for line in CSV.splitlines()]
    rows[2][-2:] = ["journey=Parcours; etape=Moment"]  # quoted in the CSV
    path = write_xlsx({"Manifeste": rows}, name="manifest.xlsx")
    check(load_manifest(path))


@pytest.mark.parametrize(
    "relpath, found",
    [("entretiens/E07.docx", "entretiens/E07.docx"), ("Entretiens/e07.DOCX", "entretiens/E07.docx"),
     ("lot2/E09.txt", "E09.txt"), ("E09.txt", "E09.txt"), ("lot2/E09", "E09"),
     ("autre.txt", None)],
)
def test_entry_lookup(tmp_path, relpath, found):
    path = tmp_path / "manifest.yaml"
    path.write_text("- file: ./entretiens\\E07.docx\n- file: E09\n- file: E09.txt\n",
                    encoding="utf-8")
    entry = load_manifest(path).entry(relpath)
    assert (entry.file if entry else None) == found


@pytest.mark.parametrize(
    "content, message",
    [
        ("file;type\nE01.txt;focus\n", "manifest.csv, ligne 2 : type « focus » inconnu : "
                                       "utilisez entretien, atelier ou verbatim"),
        ("file;date\nE01.txt;32/13/2026\n",
         "manifest.csv, ligne 2 : date « 32/13/2026 » non reconnue : écrivez-la AAAA-MM-JJ "
         "(ex. 2026-03-12) ou JJ/MM/AAAA"),
        ("file;type\nE01.txt;atelier\n;entretien\n",
         "manifest.csv, ligne 3 : chemin de fichier manquant (colonne « file » ou « fichier ») : "
         "indiquez le fichier que décrit cette entrée"),
        ("id;type\nE01;atelier\n",
         "manifest.csv, ligne 2 : chemin de fichier manquant (colonne « file » ou « fichier ») : "
         "indiquez le fichier que décrit cette entrée"),
        ("file;type\nE01.txt;atelier\n./E01.txt;entretien\n",
         "manifest.csv, ligne 3 : fichier « E01.txt » décrit deux fois (lignes 2 et 3) : gardez "
         "une seule entrée par fichier"),
        ("file;colonnes\nv.csv;parcours Parcours\n",
         "manifest.csv, ligne 2 : columns « parcours Parcours » illisible : écrivez clé=valeur "
         "séparés par des points-virgules (ex. parcours=Parcours; etape=Étape)"),
        ("file;roles\nE01.txt;Marie=cheffe\n",
         "manifest.csv, ligne 2 : rôle « cheffe » inconnu : utilisez interviewer, usager, "
         "participant ou unknown"),
        ("file;motif_locuteur\nE01.txt;(\\w+) :\n",
         "manifest.csv, ligne 2 : le motif de locuteur doit contenir un groupe nommé "
         "(?P<speaker>...) : corrigez speaker_pattern"),
    ],
    ids=["type", "date", "empty-file", "no-file-column", "twice", "columns", "role", "pattern"],
)
def test_manifest_errors_name_file_and_line(tmp_path, content, message):
    path = tmp_path / "manifest.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_manifest(path)
    assert str(err.value) == message


@pytest.mark.parametrize(
    "content, message",
    [
        ("- file: a.txt\n  type: [oops\n", "manifest.yaml, ligne 3 : YAML invalide (expected ',' "
                                           "or ']', but got '<stream end>') : corrigez la syntaxe "
                                           "du manifeste"),
        ("titre: lot 1\n", "manifest.yaml : le manifeste YAML doit être une liste d'entrées, ou "
                           "contenir une clé « documents » qui en est une"),
        ("- file: a.txt\n- 12\n", "manifest.yaml, ligne 2 : chaque entrée du manifeste doit "
                                  "décrire un fichier (file: ...)"),
        ("- file: a.txt\n  type: Réunion\n", "manifest.yaml, ligne 1 : type « Réunion » inconnu : "
                                             "utilisez entretien, atelier ou verbatim"),
    ],
    ids=["syntax", "not-a-list", "not-a-mapping", "type"],
)
def test_yaml_manifest_errors(tmp_path, content, message):
    path = tmp_path / "manifest.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_manifest(path)
    assert str(err.value) == message


def test_manifest_format_and_presence(tmp_path):
    with pytest.raises(InputError) as err:
        load_manifest(tmp_path / "manifest.yaml")
    assert str(err.value) == f"{tmp_path / 'manifest.yaml'} : manifeste introuvable : vérifiez le chemin"
    (tmp_path / "manifest.json").write_text("[]", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_manifest(tmp_path / "manifest.json")
    assert str(err.value) == ("manifest.json : format de manifeste non pris en charge : "
                              "utilisez un fichier .csv, .xlsx ou .yaml")


def test_find_manifest(tmp_path):
    assert find_manifest(tmp_path) is None
    (tmp_path / "Manifest.CSV").write_text("file\n", encoding="utf-8")
    assert find_manifest(tmp_path) == tmp_path / "Manifest.CSV"
    (tmp_path / "manifeste.yaml").write_text("[]", encoding="utf-8")
    with pytest.raises(InputError) as err:
        find_manifest(tmp_path)
    assert str(err.value) == (f"{tmp_path} : plusieurs manifestes dans ce dossier "
                              "(« Manifest.CSV », « manifeste.yaml ») : gardez-en un seul")
