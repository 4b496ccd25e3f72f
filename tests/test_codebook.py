"""The codebook's queries and validation, and the default codebook's content."""

import re
from dataclasses import replace
from pathlib import Path

import pytest

from listening.codebook import (
    ancestors,
    code_guid,
    code_path,
    compile_pattern,
    descendants,
    find_problems,
    fold,
    journey_of,
    path_label,
    pattern_error,
    resolve_journey,
    resolve_stage,
    short_id,
    summary,
    validate,
)
from listening.codebook_io import load_codebook
from listening.errors import CodebookError, InputError
from listening.model import Code, Codebook

DEFAULT = Path(__file__).resolve().parents[1] / "codebooks" / "securite-sociale.yaml"
# The version as written in the file (bumped with every published change of the codebook).
VERSION = re.search(r"^version: ['\"]?([\w.]+)", DEFAULT.read_text(encoding="utf-8"), re.M)[1]

THEMES = [
    "theme.information", "theme.demarches", "theme.delais", "theme.contact", "theme.numerique",
    "theme.coordination", "theme.accompagnement", "theme.emotion", "theme.erreurs",
    "theme.ressources",
]
VALENCE = ["valence.irritant", "valence.positif", "valence.suggestion"]
JOURNEYS = {
    "parcours.naissance": ["grossesse", "information", "conges", "declaration", "prestations",
                           "garde"],
    "parcours.separation": ["decision", "information", "declaration", "logement-ressources",
                            "pension-alimentaire", "stabilisation"],
    "parcours.retraite": ["anticipation", "carriere", "demande", "instruction",
                          "premier-versement", "apres"],
    "parcours.majorite-ase": ["preparation", "droits", "sortie", "logement-ressources",
                              "autonomie"],
    "parcours.creation-entreprise": ["projet", "immatriculation", "affiliation", "cotisations",
                                     "developpement"],
}


@pytest.fixture(scope="module")
def default():
    return load_codebook(DEFAULT)


def mini(*codes: Code) -> Codebook:
    """A small valid codebook; `codes` replace same-id codes or are appended."""
    base = [
        Code("theme.a", "Thème A", "theme", definition="Ce que couvre A."),
        Code("theme.a.b", "Sous-thème B", "theme", parent="theme.a", definition="Une part de A."),
        Code("valence.irritant", "Irritant", "valence", definition="Ce qui gêne."),
        Code("parcours.p", "Parcours P", "journey", description="Un parcours de vie."),
        Code("etape.p.un", "Début", "stage", parent="parcours.p", order=1, definition="Avant."),
        Code("etape.p.deux", "Fin", "stage", parent="parcours.p", order=2, definition="Après."),
    ]
    by_id = {c.id: c for c in codes}
    out = [by_id.pop(c.id, c) for c in base]
    return Codebook("mini", "1", tuple(out + list(by_id.values())))


def appended(*codes: Code) -> Codebook:
    """mini() with `codes` added at the end, even when their id is already used."""
    base = mini()
    return replace(base, codes=base.codes + codes)


# --- the default codebook -------------------------------------------------------


def test_default_codebook_validates_with_its_name_and_version(default):
    validate(default, source=str(DEFAULT))
    assert (default.name, default.version) == ("securite-sociale", VERSION)
    assert default.description


def test_default_codebook_has_exactly_the_fixed_ids(default):
    assert [c.id for c in default.family("theme") if c.parent is None] == THEMES
    assert [c.id for c in default.family("valence")] == VALENCE
    assert {j.id: [short_id(s.id) for s in j.stages] for j in default.journeys} == JOURNEYS
    for journey in default.journeys:
        assert all(s.id.startswith(f"etape.{short_id(journey.id)}.") for s in journey.stages)


def test_default_sub_themes_sit_under_a_fixed_theme(default):
    subs = [c for c in default.family("theme") if c.parent is not None]
    assert len(subs) >= 20
    assert all(c.parent in THEMES and c.id.startswith(c.parent + ".") for c in subs)


@pytest.mark.parametrize("family", ["theme", "valence"])
def test_default_codes_are_fully_written(default, family):
    for code in default.family(family):
        assert code.label and code.definition and code.include and code.exclude, code.id
        assert 3 <= len(code.examples) <= 5 or code.parent, code.id
        assert len(code.patterns) >= 10, code.id
        assert code.colour.startswith("#") and len(code.colour) == 7, code.id


def test_default_themes_have_distinct_colours(default):
    colours = [default.code(t).colour for t in THEMES]
    assert len(set(colours)) == len(colours)


def test_default_journeys_describe_organisations_publics_and_stages(default):
    for journey in default.journeys:
        assert journey.description and len(journey.organisations) >= 4, journey.id
        assert len(journey.publics) >= 3, journey.id
        assert 4 <= len(journey.stages) <= 7, journey.id
        for i, stage in enumerate(journey.stages, 1):
            code = default.code(stage.id)
            assert code.order == i and stage.description, stage.id
            assert len(code.patterns) >= 8 and code.organisations, stage.id


@pytest.mark.parametrize(
    ("stage", "text"),
    [
        ("etape.separation.pension-alimentaire", "je avoir demander le ARIPA pour le impayé"),
        ("etape.separation.pension-alimentaire", "le pension alimentaire ne être pas payer"),
        ("etape.retraite.carriere", "il me manquer quatre trimestre sur mon relevé de carrière"),
        ("etape.creation-entreprise.immatriculation", "le guichet unique de le inpi bloquer"),
    ],
)
def test_default_stage_patterns_find_their_vocabulary(default, stage, text):
    assert any(compile_pattern(p).search(text) for p in default.code(stage).patterns)


def test_default_summary_counts_each_family(default):
    assert summary(default) == [
        "thèmes : 40 (10 principaux, 30 sous-thèmes)",
        "valences : 3",
        "parcours : 5",
        "étapes : 28",
    ]


# --- patterns ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        ("attendre", "je avoir attendre trois mois", True),
        ("attendre", "un attendrissement", False),
        ("relanc*", "je avoir relancer", True),
        ("relanc*", "le relance", True),
        ("pas|jamais recevoir", "je avoir jamais recevoir", True),
        ("pas|jamais recevoir", "je avoir pas encore recevoir", False),
        ("rendez-vous", "impossible de avoir un rendez-vous", True),
        ("dossier perdre", "il avoir mon dossier perdre", True),
        ("mot de passe", "MOT DE PASSE oublier", True),
        ("re:trop[- ]?per[çc]u", "un trop-perçu de 800 euros", True),
        ("re:\\bRIB\\b", "mon rib", True),
    ],
)
def test_patterns_match_consecutive_lemmas(pattern, text, found):
    assert bool(compile_pattern(pattern).search(text)) is found


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("re:(abc", "expression régulière incorrecte (missing ), unterminated subpattern at "
                    "position 0)"),
        ("re:", "expression régulière vide après « re: »"),
        ("", "motif vide"),
        ("pas||jamais", "« (vide) » n'est pas un lemme : utilisez des lettres, chiffres, "
                        "apostrophes ou tirets, * seulement en fin de mot et | entre deux "
                        "variantes"),
        ("*relance", "« *relance » n'est pas un lemme : utilisez des lettres, chiffres, "
                     "apostrophes ou tirets, * seulement en fin de mot et | entre deux variantes"),
        ("100 %", "« % » n'est pas un lemme : utilisez des lettres, chiffres, apostrophes ou "
                  "tirets, * seulement en fin de mot et | entre deux variantes"),
    ],
)
def test_pattern_errors_say_what_is_wrong(pattern, problem):
    assert pattern_error(pattern) == problem
    with pytest.raises(CodebookError) as caught:
        compile_pattern(pattern)
    assert str(caught.value) == f"motif « {pattern} » invalide : {problem}"


# --- validation: each problem with its exact message ------------------------------

LINES = [3, 8, 14, 20, 25, 31, 40]  # where each code of mini() (+ one extra) is "written"
FIX_DEFINITION = ("code codable sans définition : écrivez une définition (ce que le code couvre) "
                  "ou indiquez codable: false pour un simple dossier")


@pytest.mark.parametrize(
    ("codebook", "message"),
    [
        pytest.param(
            appended(Code("theme.a", "Autre A", "theme", definition="Doublon.")),
            "livre.yaml, ligne 40 : code « theme.a » : identifiant en double (déjà utilisé "
            "ligne 3) : donnez un identifiant unique à chaque code",
            id="duplicate-id",
        ),
        pytest.param(
            mini(Code("theme.c", "C", "theme", parent="theme.aa", definition="Sous A.")),
            "livre.yaml, ligne 40 : code « theme.c » : parent « theme.aa » inconnu (vouliez-vous "
            "dire « theme.a » ?) : corrigez le parent ou ajoutez un code avec cet identifiant",
            id="unknown-parent-close",
        ),
        pytest.param(
            mini(Code("theme.c", "C", "theme", parent="autre", definition="Sous A.")),
            "livre.yaml, ligne 40 : code « theme.c » : parent « autre » inconnu : corrigez le "
            "parent ou ajoutez un code avec cet identifiant",
            id="unknown-parent",
        ),
        pytest.param(
            mini(Code("etape.p.trois", "Trois", "stage", order=3, definition="Hors.")),
            "livre.yaml, ligne 40 : code « etape.p.trois » : étape hors de tout parcours : "
            "rangez-la sous un parcours (dans la liste stages: d'un parcours, ou parent: "
            "parcours.…)",
            id="stage-without-journey",
        ),
        pytest.param(
            mini(Code("etape.p.trois", "Trois", "stage", parent="theme.a", order=3,
                  definition="Sous un thème.")),
            "livre.yaml, ligne 40 : code « etape.p.trois » : étape hors de tout parcours : son "
            "parent « theme.a » n'est pas un parcours ; rangez-la sous un parcours",
            id="stage-under-theme",
        ),
        pytest.param(
            mini(Code("theme.c", "C", "theme", definition="C.", patterns=("attendre", "re:(abc"))),
            "livre.yaml, ligne 40 : code « theme.c » : motif « re:(abc » invalide : expression "
            "régulière incorrecte (missing ), unterminated subpattern at position 0)",
            id="regex-pattern",
        ),
        pytest.param(
            mini(Code("theme.c", "C", "theme", definition="C.", patterns=("relance|",))),
            "livre.yaml, ligne 40 : code « theme.c » : motif « relance| » invalide : « (vide) » "
            "n'est pas un lemme : utilisez des lettres, chiffres, apostrophes ou tirets, * "
            "seulement en fin de mot et | entre deux variantes",
            id="lemma-pattern",
        ),
        pytest.param(
            mini(Code("theme.c", "C", "theme")),
            f"livre.yaml, ligne 40 : code « theme.c » : {FIX_DEFINITION}",
            id="no-definition",
        ),
        pytest.param(
            mini(Code("valence.irritant", "Irritant", "theme", definition="Mal rangé.")),
            "livre.yaml : aucun code de la famille valence (valences) : un livre de codes doit "
            "contenir des thèmes (themes:), des valences (valence:) et des parcours (journeys:) ; "
            "ajoutez la section valence:",
            id="missing-family",
        ),
        pytest.param(
            mini(Code("theme.c", "C", "theme", definition="C.", colour="rouge")),
            "livre.yaml, ligne 40 : code « theme.c » : couleur « rouge » invalide : écrivez-la "
            "en hexadécimal, par exemple #D55E00",
            id="bad-colour",
        ),
        pytest.param(
            mini(Code("theme.c", "C", "thème", definition="C.")),
            "livre.yaml, ligne 40 : code « theme.c » : famille « thème » inconnue : choisissez "
            "theme, valence, journey ou stage",
            id="unknown-family",
        ),
        pytest.param(
            mini(Code("theme.c", " ", "theme", definition="C.")),
            "livre.yaml, ligne 40 : code « theme.c » : libellé vide : donnez au code un libellé "
            "en français (label)",
            id="empty-label",
        ),
        pytest.param(
            mini(Code("theme.mon code", "C", "theme", definition="C.")),
            "livre.yaml, ligne 40 : code « theme.mon code » : l'identifiant contient des "
            "espaces : remplacez-les par des tirets",
            id="id-with-space",
        ),
        pytest.param(
            mini(Code("valence.positif", "Positif", "valence", parent="theme.a", definition="P.")),
            "livre.yaml, ligne 40 : code « valence.positif » : code de la famille valence rangé "
            "sous « theme.a » (famille theme) : un code doit avoir la même famille que son parent",
            id="family-mismatch",
        ),
        pytest.param(
            mini(Code("parcours.q", "Q", "journey", parent="parcours.p", description="Q."),
                 Code("etape.q.un", "Un", "stage", parent="parcours.q", order=1, definition="U.")),
            "livre.yaml, ligne 40 : code « parcours.q » : un parcours ne peut pas avoir de parent "
            "(parent actuel « parcours.p ») : retirez le parent",
            id="journey-with-parent",
        ),
        pytest.param(
            mini(Code("etape.p.trois", "Trois", "stage", parent="parcours.p", definition="T.")),
            "livre.yaml, ligne 40 : code « etape.p.trois » : étape sans ordre : indiquez sa place "
            "dans le parcours (order: 1, 2, 3…)",
            id="stage-without-order",
        ),
        pytest.param(
            mini(Code("etape.p.trois", "Trois", "stage", parent="parcours.p", order=2,
                  definition="T.")),
            "livre.yaml, ligne 40 : code « etape.p.trois » : ordre 2 déjà utilisé par "
            "« etape.p.deux » : numérotez les étapes du parcours 1, 2, 3… dans l'ordre du temps",
            id="duplicate-order",
        ),
        pytest.param(
            mini(Code("parcours.q", "Q", "journey", description="Sans étapes.")),
            "livre.yaml, ligne 40 : code « parcours.q » : parcours sans étape : ajoutez ses "
            "étapes (stages:) dans l'ordre",
            id="journey-without-stage",
        ),
    ],
)
def test_each_problem_has_its_exact_message(codebook, message):
    with pytest.raises(CodebookError) as caught:
        validate(codebook, source="livre.yaml", lines=(LINES + [40] * 5)[: len(codebook.codes)])
    assert str(caught.value) == message
    assert [str(p) for p in caught.value.problems] == [message]


def test_a_parent_cycle_is_reported_on_each_member():
    codebook = mini(Code("theme.a", "A", "theme", parent="theme.a.b", definition="A."))
    problems = [str(p) for p in find_problems(codebook, source="livre.yaml")]
    assert problems == [
        "livre.yaml : code « theme.a » : le code est son propre ancêtre (theme.a > theme.a.b > "
        "theme.a) : corrigez les parents pour former un arbre",
        "livre.yaml : code « theme.a.b » : le code est son propre ancêtre (theme.a.b > theme.a > "
        "theme.a.b) : corrigez les parents pour former un arbre",
    ]


def test_all_problems_are_reported_together_one_per_line():
    codebook = mini(
        Code("theme.c", "C", "theme", colour="bleu"),
        Code("valence.irritant", "Irritant", "theme", definition="Mal rangé."),
    )
    with pytest.raises(CodebookError) as caught:
        validate(codebook, source="livre.yaml", lines=LINES)
    assert str(caught.value).split("\n") == [
        "livre.yaml : 3 problèmes à corriger dans le livre de codes :",
        f"livre.yaml, ligne 40 : code « theme.c » : {FIX_DEFINITION}",
        "livre.yaml, ligne 40 : code « theme.c » : couleur « bleu » invalide : écrivez-la en "
        "hexadécimal, par exemple #D55E00",
        "livre.yaml : aucun code de la famille valence (valences) : un livre de codes doit "
        "contenir des thèmes (themes:), des valences (valence:) et des parcours (journeys:) ; "
        "ajoutez la section valence:",
    ]
    assert [(p.line, p.code) for p in caught.value.problems] == [
        (40, "theme.c"), (40, "theme.c"), (None, None)]


def test_require_families_false_accepts_a_foreign_codebook():
    foreign = Codebook("importé", "", (Code("theme.x", "X", "theme"),
                                       Code("theme.x.y", "Y", "theme", parent="theme.x")))
    validate(foreign, require_families=False)
    with pytest.raises(CodebookError, match="sans définition"):
        validate(foreign, require_families=False, require_definitions=True)
    with pytest.raises(CodebookError, match="aucun code de la famille valence"):
        validate(foreign)


def test_an_empty_codebook_is_refused_even_leniently():
    with pytest.raises(CodebookError) as caught:
        validate(Codebook("vide", "1", ()), source="vide.yaml", require_families=False)
    assert str(caught.value) == "vide.yaml : le livre de codes ne contient aucun code"


def test_a_valid_codebook_raises_nothing():
    assert find_problems(mini()) == []
    validate(mini())


# --- resolving what a user typed ---------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["parcours.retraite", "retraite", "Départ à la retraite", "depart a la RETRAITE",
     " Retraite "],
)
def test_resolve_journey_accepts_id_short_id_or_label(default, value):
    assert resolve_journey(default, value).id == "parcours.retraite"


def test_resolve_journey_lists_the_valid_ids(default):
    with pytest.raises(InputError) as caught:
        resolve_journey(default, "chomage")
    assert str(caught.value) == (
        "parcours « chomage » inconnu : choisissez parmi parcours.naissance, parcours.separation, "
        "parcours.retraite, parcours.majorite-ase, parcours.creation-entreprise (identifiant, "
        "nom court ou libellé)"
    )


@pytest.mark.parametrize(
    ("journey", "value"),
    [
        ("parcours.separation", "etape.separation.pension-alimentaire"),
        ("separation", "pension-alimentaire"),
        ("Séparation", "pension alimentaire"),
        ("separation", "PENSION ALIMENTAIRE"),
    ],
)
def test_resolve_stage_accepts_id_short_id_or_label(default, journey, value):
    assert resolve_stage(default, journey, value).id == "etape.separation.pension-alimentaire"


def test_resolve_stage_lists_the_journeys_stages(default):
    with pytest.raises(InputError) as caught:
        resolve_stage(default, "majorite-ase", "grossesse")
    assert str(caught.value) == (
        "étape « grossesse » inconnue dans le parcours « parcours.majorite-ase » : choisissez "
        "parmi etape.majorite-ase.preparation, etape.majorite-ase.droits, "
        "etape.majorite-ase.sortie, etape.majorite-ase.logement-ressources, "
        "etape.majorite-ase.autonomie (identifiant, nom court ou libellé)"
    )


# --- tree queries ------------------------------------------------------------------


def test_tree_queries(default):
    assert [c.id for c in ancestors(default, "theme.contact.telephone")] == ["theme.contact"]
    assert [c.id for c in code_path(default, "theme.contact.telephone")] == [
        "theme.contact", "theme.contact.telephone"]
    assert path_label(default, "theme.contact.telephone") == "Contact et joignabilité > Téléphone"
    assert [c.id for c in descendants(default, "theme.coordination")] == [
        "theme.coordination.renvois", "theme.coordination.donnees"]
    assert journey_of(default, "etape.retraite.apres").id == "parcours.retraite"


@pytest.mark.parametrize(
    ("code_id", "short"),
    [("parcours.retraite", "retraite"), ("etape.separation.pension-alimentaire",
                                         "pension-alimentaire"), ("racine", "racine")],
)
def test_short_id(code_id, short):
    assert short_id(code_id) == short


def test_code_guid_is_a_stable_lower_case_uuid5():
    guid = code_guid("theme.delais")
    assert guid == code_guid("theme.delais") != code_guid("theme.contact")
    assert guid == guid.lower() and guid[14] == "5" and len(guid) == 36


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Départ à la RETRAITE", "depart a la retraite"), ("pension-alimentaire",
                                                          "pension alimentaire"),
     ("l’enfance", "l enfance"), ("  deux   espaces ", "deux espaces")],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_codebook_hash_changes_with_content(default):
    changed = replace(default, codes=default.codes[:-1])
    assert default.hash != changed.hash
