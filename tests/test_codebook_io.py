"""Codebook formats: YAML (authoring), XLSX, REFI-QDA .qdc, and the `codebook` CLI."""

import re
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from typer.testing import CliRunner

from listening.cli.codebook import app
from listening.codebook import code_guid
from listening.codebook_io import (
    QDC_NAMESPACE,
    dump_yaml,
    import_codebook,
    load_codebook,
    parse_refi,
    parse_yaml,
    qdc_bytes,
    save_codebook,
)
from listening.errors import CodebookError, InputError
from listening.model import FAMILIES, Code, Codebook

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "codebooks" / "securite-sociale.yaml"
VERSION = re.search(r"^version: ['\"]?([\w.]+)", DEFAULT.read_text(encoding="utf-8"), re.M)[1]
REFI = ROOT.parent / "shared" / "refi-qda"
SAMPLES = REFI / "samples"
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}")
FOREIGN_THEMES = ("codes sans famille importés comme thèmes : ce livre de codes n'a ni valences "
                  "ni parcours ; ajoutez-les avant de coder (sections valence: et journeys:)")


@pytest.fixture(scope="module")
def default():
    return load_codebook(DEFAULT)


def needs(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} absent (../shared n'est pas là)")
    return path


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def write_sheet(tmp_path: Path, rows: list[list], name: str = "livre.xlsx") -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / name)
    return tmp_path / name


# --- YAML -----------------------------------------------------------------------------


def test_default_yaml_round_trips(default, tmp_path):
    save_codebook(default, tmp_path / "copie.yaml")
    assert load_codebook(tmp_path / "copie.yaml") == default
    assert (tmp_path / "copie.yml").exists() is False
    text = (tmp_path / "copie.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Livre de codes écrit par `listening`")
    assert f"name: securite-sociale\nversion: '{VERSION}'\n" in text
    assert "\nthemes:\n  - id: theme.information\n" in text and "\ncodes:" not in text


_TEXT = st.text(
    st.characters(categories=("L", "N", "P", "S", "Zs"), include_characters="\n#:*|>-'\"&!%@`"),
    max_size=30,
).map(str.strip)
_ITEMS = st.lists(_TEXT.filter(bool), max_size=3).map(tuple)
_SLUG = st.from_regex(r"[a-z][a-z0-9-]{0,6}", fullmatch=True)


@st.composite
def _code(draw, code_id: str, family: str, parent: str | None) -> Code:
    return Code(
        id=code_id, family=family, parent=parent, label=draw(_TEXT),
        definition=draw(_TEXT), description=draw(_TEXT), include=draw(_TEXT),
        exclude=draw(_TEXT), examples=draw(_ITEMS), patterns=draw(_ITEMS),
        organisations=draw(_ITEMS), publics=draw(_ITEMS),
        colour=draw(st.sampled_from(["#888888", "#D55E00", "#abc", "rouge"])),
        codable=draw(st.booleans()), order=draw(st.none() | st.integers(-3, 30)),
    )


@st.composite
def nested_codebooks(draw) -> Codebook:
    """Codebooks in the shape of the YAML sections: themes > children, journeys > stages."""
    codes: list[Code] = []
    for family, prefix in (("theme", "theme"), ("valence", "valence"), ("journey", "parcours")):
        for slug in draw(st.lists(_SLUG, max_size=3, unique=True)):
            top = draw(_code(f"{prefix}.{slug}", family, None))
            codes.append(top)
            kid_family = "stage" if family == "journey" else family
            for kid in draw(st.lists(_SLUG, max_size=2, unique=True)):
                codes.append(draw(_code(f"{top.id}.{kid}", kid_family, top.id)))
    return Codebook(draw(_TEXT), draw(_TEXT), tuple(codes), draw(_TEXT))


@st.composite
def any_codebooks(draw) -> Codebook:
    """Any codes: unknown parents, stages anywhere, duplicate ids, any order."""
    ids = draw(st.lists(_SLUG, min_size=1, max_size=6))
    codes = [
        draw(_code(i, draw(st.sampled_from(FAMILIES)),
                   draw(st.none() | st.sampled_from(ids) | _SLUG)))
        for i in ids
    ]
    return Codebook(draw(_TEXT), draw(_TEXT), tuple(codes), draw(_TEXT))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nested_codebooks())
def test_yaml_round_trips_nested_codebooks(codebook):
    text = dump_yaml(codebook)
    parsed = parse_yaml(text)
    assert parsed.problems == []
    assert parsed.codebook == codebook
    assert "\ncodes:" not in text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_codebooks())
def test_yaml_round_trips_any_codebook(codebook):
    parsed = parse_yaml(dump_yaml(codebook))
    assert parsed.problems == []
    assert parsed.codebook == codebook


def test_yaml_falls_back_to_a_flat_list_when_nesting_cannot_say_it():
    codebook = Codebook("plat", "1", (
        Code("etape.x", "Étape orpheline", "stage", order=1, definition="Hors parcours."),
        Code("theme.a", "A", "theme", parent="theme.inconnu", definition="A."),
    ))
    text = dump_yaml(codebook)
    assert "\ncodes:\n  - id: etape.x\n    family: stage\n    parent: null\n" in text
    assert parse_yaml(text).codebook == codebook


@pytest.mark.parametrize("loader", ["BaseLoader", "CBaseLoader"])
def test_both_yaml_parsers_read_nulls_and_quoted_strings_alike(monkeypatch, loader):
    import yaml

    from listening.codebook_io import yaml_format as codebook_io

    if not hasattr(yaml, loader):
        pytest.skip("PyYAML sans libyaml")
    monkeypatch.setattr(codebook_io, "_LOADER", getattr(yaml, loader))
    text = ("name: 'null'\nversion: 2026.10\ndescription:\ncodes:\n  - id: a\n    family: theme\n"
            "    parent: ~\n    label: 'yes'\n  - id: b\n    family: theme\n    parent: null\n"
            "    label: \"~\"\n    codable: non\n")
    parsed = parse_yaml(text)
    assert parsed.problems == []
    assert parsed.codebook == Codebook("null", "2026.10", (
        Code("a", "yes", "theme"), Code("b", "~", "theme", codable=False)))


MINI_YAML = """\
name: mini
version: "1.10"
description: Un petit livre de codes.
themes:
  - id: theme.a
    label: A
    definition: Ce que couvre A.
    children:
      - id: theme.a.b
        label: B
        definition: Une part de A.
valence:
  - id: valence.irritant
    label: Irritant
    definition: Ce qui gêne.
journeys:
  - id: parcours.p
    label: P
    description: Un parcours.
    stages:
      - id: etape.p.un
        label: Un
        order: 1
        definition: Le début.
"""


def test_yaml_keeps_versions_as_written_and_nests_families(tmp_path):
    codebook = load_codebook(write(tmp_path, "mini.yaml", MINI_YAML))
    assert codebook.version == "1.10"
    assert [(c.id, c.family, c.parent) for c in codebook.codes] == [
        ("theme.a", "theme", None), ("theme.a.b", "theme", "theme.a"),
        ("valence.irritant", "valence", None), ("parcours.p", "journey", None),
        ("etape.p.un", "stage", "parcours.p"),
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            "      - id: theme.a.b\n", "      - id: theme.a\n",
            "{f}, ligne 9 : code « theme.a » : identifiant en double (déjà utilisé ligne 5) : "
            "donnez un identifiant unique à chaque code",
            id="duplicate-id",
        ),
        pytest.param(
            "    definition: Ce que couvre A.\n", "    defintion: Ce que couvre A.\n",
            "{f} : 2 problèmes à corriger dans le livre de codes :\n"
            "{f}, ligne 5 : code « theme.a » : clé « defintion » inconnue (vouliez-vous dire "
            "« definition » ?)\n"
            "{f}, ligne 5 : code « theme.a » : code codable sans définition : écrivez une "
            "définition (ce que le code couvre) ou indiquez codable: false pour un simple dossier",
            id="misspelt-key",
        ),
        pytest.param(
            "        order: 1\n", "        order: premier\n",
            "{f} : 2 problèmes à corriger dans le livre de codes :\n"
            "{f}, ligne 21 : code « etape.p.un » : ordre « premier » invalide : écrivez un "
            "nombre entier\n"
            "{f}, ligne 21 : code « etape.p.un » : étape sans ordre : indiquez sa place dans le "
            "parcours (order: 1, 2, 3…)",
            id="bad-order",
        ),
        pytest.param(
            "    label: A\n", "    label: A\n    colour: '#12345'\n",
            "{f}, ligne 5 : code « theme.a » : couleur « #12345 » invalide : écrivez-la en "
            "hexadécimal, par exemple #D55E00",
            id="bad-colour",
        ),
        pytest.param(
            "        definition: Le début.\n", "        definition: Le début.\n"
            "        patterns: ['re:[a-']\n",
            "{f}, ligne 21 : code « etape.p.un » : motif « re:[a- » invalide : expression "
            "régulière incorrecte (unterminated character set at position 0)",
            id="bad-pattern",
        ),
        pytest.param(
            "    definition: Ce que couvre A.\n    children:\n",
            "    definition: Ce que couvre A.\n    stages:\n",
            "{f} : 2 problèmes à corriger dans le livre de codes :\n"
            "{f}, ligne 9 : code « theme.a.b » : étape hors de tout parcours : son parent "
            "« theme.a » n'est pas un parcours ; rangez-la sous un parcours\n"
            "{f}, ligne 9 : code « theme.a.b » : étape sans ordre : indiquez sa place dans le "
            "parcours (order: 1, 2, 3…)",
            id="stage-under-theme",
        ),
    ],
)
def test_yaml_errors_name_file_line_and_code(tmp_path, old, new, message):
    assert old in MINI_YAML
    path = write(tmp_path, "livre.yaml", MINI_YAML.replace(old, new))
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    assert str(caught.value) == message.format(f=path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nname: y\n", "{f}, ligne 2 : clé « name » écrite deux fois : gardez-en une "
                               "seule"),
        ("- a\n- b\n", "{f}, ligne 1 : un livre de codes YAML commence par name:, version: "
                       "et themes:"),
    ],
)
def test_yaml_syntax_errors_give_the_line(tmp_path, text, message):
    path = write(tmp_path, "livre.yaml", text)
    with pytest.raises(InputError) as caught:
        import_codebook(path)
    assert str(caught.value) == message.format(f=path)


def test_yaml_syntax_errors_give_the_parsers_reason(tmp_path):
    path = write(tmp_path, "livre.yaml", "name: x\nthemes:\n  - id: a\n   label: b\n")
    with pytest.raises(InputError) as caught:
        import_codebook(path)
    # the reason in parentheses is libyaml's (or PyYAML's) own wording
    assert re.fullmatch(rf"{re.escape(str(path))}, ligne 4 : YAML illisible \(.+\) : "
                        "vérifiez l'indentation et les deux-points", str(caught.value))


def test_flat_yaml_codes_need_a_family(tmp_path):
    path = write(tmp_path, "plat.yaml", "name: p\nversion: '1'\ncodes:\n  - id: theme.a\n"
                                        "    label: A\n    definition: A.\n")
    with pytest.raises(CodebookError) as caught:
        import_codebook(path)
    assert str(caught.value) == (
        f"{path} : 2 problèmes à corriger dans le livre de codes :\n"
        f"{path}, ligne 4 : code « theme.a » : famille manquante : ajoutez family: (theme, "
        "valence, journey ou stage)\n"
        f"{path}, ligne 4 : code « theme.a » : famille «  » inconnue : choisissez theme, "
        "valence, journey ou stage"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("livre.docx", "format « .docx » non géré pour un livre de codes : utilisez .yaml, .yml, "
                       ".xlsx, .qdc, .qde, .qdpx"),
        ("absent.yaml", "fichier introuvable : vérifiez le chemin"),
    ],
)
def test_unreadable_paths(tmp_path, name, message):
    with pytest.raises(InputError) as caught:
        import_codebook(tmp_path / name)
    assert str(caught.value) == f"{tmp_path / name} : {message}"


# --- XLSX ---------------------------------------------------------------------------------


def test_default_xlsx_round_trips(default, tmp_path):
    save_codebook(default, tmp_path / "livre.xlsx")
    back = load_codebook(tmp_path / "livre.xlsx")
    assert back == default and back.hash == default.hash
    sheet = openpyxl.load_workbook(tmp_path / "livre.xlsx")["Codes"]
    assert [c.value for c in sheet[1]] == [
        "identifiant", "parent", "chemin", "libellé", "famille", "définition", "inclusion",
        "exclusion", "exemples", "couleur", "codable", "motifs", "ordre", "description",
        "organismes", "publics"]
    line = 2 + [c.id for c in default.codes].index("theme.information.courriers")
    row = {sheet.cell(1, i).value: sheet.cell(line, i).value for i in range(1, 17)}
    assert row["identifiant"] == "theme.information.courriers"
    assert row["chemin"] == "Information et compréhension des droits > Courriers et " \
                           "notifications incompris"
    assert row["famille"] == "thème" and row["codable"] == "oui"
    assert row["exemples"].count("\n") == 2


def test_xlsx_round_trips_texts_a_spreadsheet_would_reinterpret(tmp_path):
    codebook = Codebook("piège", "2026.10", (
        Code("theme.formule", "=SOMME(A1:A3)", "theme", definition="0042",
             examples=("=1+1", "oui"), patterns=("re:^\\d+$",), colour="#abc"),
        Code("theme.formule.dossier", "Dossier", "theme", parent="theme.formule",
             codable=False, order=0),
    ), "Une description.")
    save_codebook(codebook, tmp_path / "piege.xlsx")
    assert import_codebook(tmp_path / "piege.xlsx") == (codebook, [])


def test_xlsx_from_a_team_sheet_with_paths_and_french_headers(tmp_path):
    path = write_sheet(tmp_path, [
        ["Chemin", "Définition", "Exemples", "Commentaire"],
        ["Contact", "Joindre l'organisme.", "J'ai appelé dix fois.\nPersonne.", "ok"],
        ["Contact > Téléphone", "Les appels.", None, None],
        ["Contact / Courriel", "Les courriels.", None, None],
        ["Numérique > Accès > Mot de passe", "Identifiants.", None, None],
    ])
    codebook, warnings = import_codebook(path)
    assert [(c.id, c.parent, c.label, c.codable) for c in codebook.codes] == [
        ("theme.contact", None, "Contact", True),
        ("theme.contact.telephone", "theme.contact", "Téléphone", True),
        ("theme.contact.courriel", "theme.contact", "Courriel", True),
        ("theme.numerique", None, "Numérique", False),
        ("theme.numerique.acces", "theme.numerique", "Accès", False),
        ("theme.numerique.acces.mot-de-passe", "theme.numerique.acces", "Mot de passe", True),
    ]
    assert codebook.code("theme.contact").examples == ("J'ai appelé dix fois.", "Personne.")
    assert warnings == [
        "colonnes ignorées : Commentaire",
        "dossier « Numérique » créé : il n'a pas de ligne",
        "dossier « Numérique > Accès » créé : il n'a pas de ligne",
        "6 codes sans famille rangés comme thèmes",
    ]


def test_xlsx_with_english_headers_and_parents_by_label(tmp_path):
    path = write_sheet(tmp_path, [
        ["ID", "Label", "Parent", "Family", "Definition", "Order"],
        ["parcours.p", "Parcours P", None, "journey", "Un parcours.", None],
        ["etape.p.b", "Second", "Parcours P", "stage", "Après.", 2],
        ["etape.p.a", "Premier", "parcours.p", "étape", "Avant.", 1.0],
    ])
    codebook, warnings = import_codebook(path)
    assert warnings == []
    assert [(s.id, s.order) for s in codebook.journey("parcours.p").stages] == [
        ("etape.p.a", 0), ("etape.p.b", 1)]


def test_xlsx_errors_give_the_row(tmp_path):
    path = write_sheet(tmp_path, [
        ["identifiant", "libellé", "définition", "couleur", "codable"],
        ["theme.a", "A", "Ce que couvre A.", "#D55E00", "oui"],
        ["theme.b", "B", "Ce que couvre B.", "bleu", "peut-être"],
    ])
    with pytest.raises(CodebookError) as caught:
        import_codebook(path)
    assert str(caught.value) == (
        f"{path} : 2 problèmes à corriger dans le livre de codes :\n"
        f"{path}, ligne 3 : code « theme.b » : codable « peut-être » invalide : écrivez oui ou "
        "non\n"
        f"{path}, ligne 3 : code « theme.b » : couleur « bleu » invalide : écrivez-la en "
        "hexadécimal, par exemple #D55E00"
    )


def test_xlsx_parent_cycles_are_named_as_such(tmp_path):
    path = write_sheet(tmp_path, [["libellé", "parent", "définition"], ["A", "B", "a."],
                                  ["B", "A", "b."]])
    with pytest.raises(CodebookError) as caught:
        import_codebook(path)
    assert str(caught.value).split("\n")[1:] == [
        f"{path}, ligne 2 : code « theme.b.a » : le code est son propre ancêtre (theme.b.a > "
        "theme.b > theme.b.a) : corrigez les parents pour former un arbre",
        f"{path}, ligne 3 : code « theme.b » : le code est son propre ancêtre (theme.b > "
        "theme.b.a > theme.b) : corrigez les parents pour former un arbre",
    ]


def test_xlsx_without_a_label_column_is_refused(tmp_path):
    path = write_sheet(tmp_path, [["code", "texte"], ["a", "b"]])
    with pytest.raises(InputError) as caught:
        import_codebook(path)
    assert str(caught.value) == (
        f"{path}, ligne 1 : colonne « libellé » ou « chemin » introuvable : la première ligne "
        "doit porter les en-têtes (identifiant, parent, libellé, définition…)"
    )


# --- REFI-QDA .qdc --------------------------------------------------------------------


def test_default_qdc_round_trips_codes_name_and_version(default, tmp_path):
    save_codebook(default, tmp_path / "livre.qdc")
    codebook, warnings = import_codebook(tmp_path / "livre.qdc", require_families=True)
    assert warnings == []
    assert codebook == replace(default, description="")


def test_qdc_export_is_deterministic_and_well_formed(default):
    data = qdc_bytes(default)
    assert data == qdc_bytes(default)
    root = etree.fromstring(data)
    assert root.tag == f"{{{QDC_NAMESPACE}}}CodeBook"
    assert root.get("origin").endswith(f"; livre de codes securite-sociale ; version {VERSION}")
    codes = root.findall(f".//{{{QDC_NAMESPACE}}}Code")
    assert len(codes) == len(default.codes)
    assert [c.get("guid") for c in codes] == [code_guid(c.id) for c in default.codes]
    assert all(GUID.fullmatch(c.get("guid")) for c in codes)
    assert all(c.get("isCodable") in ("true", "false") for c in codes)
    for element in root.iter():
        assert len(element) or (element.text or "").strip() or element.tag.endswith("}Code"), \
            f"empty container {element.tag}"
    telephone = next(c for c in codes if c.get("name") == "Téléphone")
    description = telephone.find(f"{{{QDC_NAMESPACE}}}Description").text
    assert description.startswith("Les appels à l'organisme")
    assert description.endswith("Famille : thème\nIdentifiant : theme.contact.telephone")
    assert telephone.getparent().get("name") == "Contact et joignabilité"


def test_qdc_export_validates_against_the_refi_schema(default):
    schema = etree.XMLSchema(etree.parse(str(needs(REFI / "Codebook.xsd"))))
    document = etree.fromstring(qdc_bytes(default))
    assert schema.validate(document), schema.error_log


def test_qdc_export_refuses_a_broken_tree():
    broken = Codebook("x", "1", (Code("theme.a", "A", "theme", parent="theme.z"),))
    with pytest.raises(CodebookError, match="parent « theme.z » inconnu"):
        qdc_bytes(broken)


def test_atlas_ti_project_imports_with_its_flattened_hierarchy():
    codebook, warnings = import_codebook(needs(SAMPLES / "atlasti8-standard-project.qde"))
    assert len(codebook.codes) == 14
    assert [c.id for c in codebook.codes][4:7] == [
        "theme.coke", "theme.coke.full-fat-coke", "theme.coke.diet-coke"]
    assert codebook.code("theme.coke.diet-coke").parent == "theme.coke"
    assert codebook.code("theme.coke.diet-coke").definition == "non sucré"
    assert codebook.code("theme.coke").colour == "#966450"
    assert codebook.code("theme.rushed").label == '"rushed"'
    assert codebook.name == "atlasti8-standard-project"
    assert warnings == [
        "2 noms « Parent::Enfant » dépliés en hiérarchie (par exemple « Coke::full-fat Coke »)",
        f"14 {FOREIGN_THEMES}",
        "7 codes sans définition, à compléter avant de coder : « happiness », « disgust », "
        "« waste of time », « milk », « serene »…",
    ]


def test_nvivo_qdpx_imports_its_nested_codebook():
    codebook, warnings = import_codebook(needs(SAMPLES / "nvivo15-mac-project.qdpx"))
    assert len(codebook.codes) == 262
    assert all(c.codable and c.family == "theme" for c in codebook.codes)
    roots = [c for c in codebook.codes if c.parent is None]
    assert [c.label for c in roots] == [
        "rq1_definition", "rq2_curriculum_and_instruction", "rq3_process"]
    assert codebook.code("theme.rq1-definition.competencies.programming").parent == \
        "theme.rq1-definition.competencies"
    assert len({c.id for c in codebook.codes}) == 262
    assert warnings[0] == f"262 {FOREIGN_THEMES}"


def test_taguettes_schema_invalid_codebook_imports_with_a_warning():
    codebook, warnings = import_codebook(needs(SAMPLES / "taguette-1.4.1-codebook.qdc"))
    assert [(c.id, c.label) for c in codebook.codes] == [
        ("theme.xsd-element-name", "xsd:element name"), ("theme.codebook", "CodeBook"),
        ("theme.variables", "Variables")]
    assert codebook.description == "importé de Taguette 1.4.1"
    assert warnings[-1] == "élément <Sets> vide ignoré (le schéma REFI-QDA l'interdit)"


def test_foreign_codebooks_fail_strict_loading():
    with pytest.raises(CodebookError, match="aucun code de la famille valence"):
        load_codebook(needs(SAMPLES / "taguette-1.4.1-codebook.qdc"))


LENIENT = """\
<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Un autre logiciel">
  <Codes>
    <Code guid="{0983E32E-6866-431A-BD94-DAC9BB963825}" name="Délais::Versement" isCodable="1">
      <Description>Paiements en retard.</Description>
    </Code>
    <Code guid="7496BA52-9C8D-4396-8FAB-CC438614E453" name="Contact" isCodable="true"
          color="rouge">
      <Code guid="{ABCDEF01-2345-6789-ABCD-EF0123456789}" name="Téléphone::Attente"
            isCodable="false"/>
      <Code guid="abcdef01-2345-6789-abcd-ef0123456780" name="Téléphone" isCodable="true"/>
    </Code>
  </Codes>
  <Sets>
    <Set guid="11111111-2222-3333-4444-555555555555" name="Irritants">
      <MemberCode guid="7496BA52-9C8D-4396-8FAB-CC438614E453"/>
    </Set>
  </Sets>
</CodeBook>
"""


def test_lenient_import_of_braces_flattened_names_and_sets():
    parsed = parse_refi(LENIENT.encode(), "autre.qdc", name="autre")
    assert parsed.problems == []
    assert [(c.id, c.parent, c.codable) for c in parsed.codebook.codes] == [
        ("theme.delais", None, False),
        ("theme.delais.versement", "theme.delais", True),
        ("theme.contact", None, True),
        ("theme.contact.telephone", "theme.contact", True),
        ("theme.contact.telephone.attente", "theme.contact.telephone", False),
    ]
    assert parsed.codebook.code("theme.contact").colour == "#888888"
    assert parsed.warnings == [
        "2 noms « Parent::Enfant » dépliés en hiérarchie (par exemple « Délais::Versement »)",
        "dossiers créés pour ranger ces noms, absents du fichier : « Délais »",
        f"5 {FOREIGN_THEMES}",
        "2 codes sans définition, à compléter avant de coder : « Contact », « Téléphone »",
        "couleurs illisibles ignorées : « rouge » (Contact)",
        "1 ensembles de codes (Sets) ignorés : « Irritants »",
    ]


def test_codes_added_in_another_tool_join_their_listening_parent(default):
    root = etree.fromstring(qdc_bytes(default))
    contact = next(c for c in root.iter(f"{{{QDC_NAMESPACE}}}Code")
                   if c.get("name") == "Contact et joignabilité")
    etree.SubElement(contact, f"{{{QDC_NAMESPACE}}}Code", guid=code_guid("x"),
                     name="Visio", isCodable="true")
    parsed = parse_refi(etree.tostring(root), "modifie.qdc")
    added = parsed.codebook.code("theme.contact.visio")
    assert (added.family, added.parent, added.definition) == ("theme", "theme.contact", "")
    assert len(parsed.codebook.codes) == len(default.codes) + 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<CodeBook><Codes>", "autre.qdc, ligne 1 : XML illisible (Premature end of data in "
                               "tag Codes line 1, line 1, column 18) : est-ce bien un export "
                               "REFI-QDA ?"),
        (b"<Project xmlns='urn:QDA-XML:project:1.0'/>", "autre.qdc : aucun livre de codes "
                                                        "(élément CodeBook) dans ce fichier"),
    ],
)
def test_unreadable_refi_files(data, message):
    with pytest.raises(InputError) as caught:
        parse_refi(data, "autre.qdc")
    assert str(caught.value) == message


def test_qdpx_without_a_project_file(tmp_path):
    path = tmp_path / "vide.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("sources/a.txt", "texte")
    with pytest.raises(InputError) as caught:
        import_codebook(path)
    assert str(caught.value) == f"{path} : aucun fichier project.qde à la racine de l'archive .qdpx"


# --- CLI --------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_check_summarises_a_valid_codebook():
    result = runner.invoke(app, ["check", str(DEFAULT)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{DEFAULT} : livre de codes « securite-sociale » version {VERSION} : OK\n"
        "  thèmes : 40 (10 principaux, 30 sous-thèmes)\n"
        "  valences : 3\n"
        "  parcours : 5\n"
        "  étapes : 28\n"
    )


def test_cli_check_reports_every_problem_and_fails(tmp_path):
    path = write(tmp_path, "livre.yaml", MINI_YAML.replace("        order: 1\n", ""))
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert " ".join(result.stderr.split()) == (
        f"Erreur : {path}, ligne 21 : code « etape.p.un » : étape sans ordre : indiquez sa "
        "place dans le parcours (order: 1, 2, 3…)"
    )


def test_cli_convert_writes_the_target_format_and_prints_warnings(tmp_path):
    source = needs(SAMPLES / "taguette-1.4.1-codebook.qdc")
    result = runner.invoke(app, ["convert", str(source), str(tmp_path / "taguette.yaml")])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{source} → {tmp_path / 'taguette.yaml'} : 3 codes écrits\n"
    assert "Attention : élément <Sets> vide ignoré (le schéma REFI-QDA l'interdit)\n" in \
        result.stderr
    assert len(import_codebook(tmp_path / "taguette.yaml")[0].codes) == 3


@pytest.mark.parametrize("target", ["livre.xlsx", "livre.qdc", "livre.yml"])
def test_cli_convert_round_trips_the_default_codebook(tmp_path, default, target):
    result = runner.invoke(app, ["convert", str(DEFAULT), str(tmp_path / target)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    back = load_codebook(tmp_path / target)
    assert back.codes == default.codes


def test_cli_convert_refuses_an_unknown_target(tmp_path):
    result = runner.invoke(app, ["convert", str(DEFAULT), str(tmp_path / "livre.docx")])
    assert result.exit_code == 1
    assert " ".join(result.stderr.split()) == (
        f"Erreur : {tmp_path / 'livre.docx'} : format « .docx » non géré pour un livre de "
        "codes : utilisez .yaml, .yml, .xlsx, .qdc"
    )
    assert not (tmp_path / "livre.docx").exists()
