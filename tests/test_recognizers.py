"""French recognizers, one by one, without the spaCy model (rules and validators only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from listening.person_recognizer import FrenchPersonRecognizer
from listening.recognizers import (
    ADDRESS,
    BIRTH_DATE,
    EMAIL,
    FILE_NUMBER,
    IBAN,
    NIR,
    PERSON,
    PHONE,
    SIRET,
    identifier_recognizers,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "data" / "pii" / "fr_identifiers_examples.json"


def found(text: str, label: str) -> list[str]:
    """Texts of what the recognizer of `label` reports in `text`."""
    if label == PERSON:
        recognizers = [FrenchPersonRecognizer()]
    else:
        recognizers = [r for r in identifier_recognizers() if label in r.supported_entities]
    results = [r for rec in recognizers for r in rec.analyze(text, [label], None)]
    return sorted({text[r.start:r.end] for r in results if r.entity_type == label})


@pytest.fixture(scope="module")
def examples() -> dict:
    if not EXAMPLES.is_file():
        pytest.skip("../shared/data absent")
    return json.loads(EXAMPLES.read_text(encoding="utf-8"))


@pytest.mark.parametrize("text, label, expected", [
    ("rappelez-moi au 06 12 34 56 78 demain", PHONE, "06 12 34 56 78"),
    ("c'est le 06.12.34.56.78.", PHONE, "06.12.34.56.78"),
    ("mon portable 0612345678", PHONE, "0612345678"),
    ("au 06-12-34-56-78 svp", PHONE, "06-12-34-56-78"),
    ("le +33 6 12 34 56 78 en Belgique", PHONE, "+33 6 12 34 56 78"),
    ("le +33 (0)6 12 34 56 78", PHONE, "+33 (0)6 12 34 56 78"),
    ("le 0033 6 12 34 56 78", PHONE, "0033 6 12 34 56 78"),
    ("le standard 0 801 23 45 67", PHONE, "0 801 23 45 67"),
    ("écrivez à lina.garnier@orange.fr merci", EMAIL, "lina.garnier@orange.fr"),
    ("mon numéro 2 95 10 99 126 111 93 voilà", NIR, "2 95 10 99 126 111 93"),
    ("Corse : 253072B07300470.", NIR, "253072B07300470"),
    ("mon IBAN FR76 3000 6000 0112 3456 7890 189 merci", IBAN, "FR76 3000 6000 0112 3456 7890 189"),
    ("SIRET 732 829 320 00074 depuis 2018", SIRET, "732 829 320 00074"),
    ("mon SIREN 404 833 048.", SIRET, "404 833 048"),
    ("mon numéro allocataire c'est le 1234567 A et voilà", FILE_NUMBER, "1234567 A"),
    ("n° CAF : 0123456X", FILE_NUMBER, "0123456X"),
    ("numéro de dossier MDPH c'est le 2023-004512", FILE_NUMBER, "2023-004512"),
    ("la référence de mon dossier c'était FT 7845 1123 à France Travail", FILE_NUMBER, "FT 7845 1123"),
    ("mon identifiant France Travail 4567891K", FILE_NUMBER, "4567891K"),
    ("Mon numéro allocataire, attendez... 1122334, voilà.", FILE_NUMBER, "1122334"),
    ("Mon code client EDF c'est 1234567890.", FILE_NUMBER, "1234567890"),
    ("elle est née le 12 mars 2019 à Lyon", BIRTH_DATE, "12 mars 2019"),
    ("je suis né le 03/04/1985", BIRTH_DATE, "03/04/1985"),
    ("date de naissance : 12/03/1985", BIRTH_DATE, "12/03/1985"),
    ("je suis née en 1961 donc", BIRTH_DATE, "1961"),
    ("il est né à Saint-Denis le 1er mai 1990", BIRTH_DATE, "1er mai 1990"),
    ("j'habite au 12 rue des Lilas à Lyon", ADDRESS, "12 rue des Lilas"),
    ("au 3 bis avenue Jean Jaurès 75012 Paris, c'est", ADDRESS, "3 bis avenue Jean Jaurès 75012 Paris"),
    ("au 45, boulevard Victor-Hugo", ADDRESS, "45, boulevard Victor-Hugo"),
    ("15 allée des Peupliers, 69003 Lyon.", ADDRESS, "15 allée des Peupliers, 69003 Lyon"),
    ("au 4 rue de la gare depuis", ADDRESS, "4 rue de la gare"),
    ("la résidence Les Tilleuls, bâtiment B", ADDRESS, "résidence Les Tilleuls"),
])
def test_identifier_forms(text, label, expected):
    assert found(text, label) == [expected]


@pytest.mark.parametrize("text, label", [
    ("j'ai payé 1 250 euros en 2022", SIRET),
    ("il y a 3 rue", ADDRESS),
    ("je suis née en France", BIRTH_DATE),
    ("le rendez-vous du 12 mars 2019", BIRTH_DATE),
    ("mon numéro de dossier, je l'ai pas", FILE_NUMBER),
    ("le 3646 est toujours occupé", PHONE),
    ("06 12 34 56 78 90 12", PHONE),
    ("150 000 000 euros de budget", SIRET),
])
def test_no_identifier(text, label):
    assert found(text, label) == []


@pytest.mark.parametrize("text, expected", [
    ("Mme L. : je suis arrivée en 2012", ["Mme L."]),
    ("M. Fabre : moi j'ai fait toute ma carrière", ["M. Fabre"]),
    ("j'ai vu Madame Garnier hier", ["Madame Garnier"]),
    ("mon avocate, Maître Rousseau, a saisi le juge", ["Maître Rousseau"]),
    ("le médecin conseil, Dr Kowalski, m'a convoquée", ["Dr Kowalski"]),
    ("ma fille Lina elle avait trois mois", ["Lina"]),
    ("mes enfants, Noah et Inès, sont nés à Lille", ["Inès", "Noah"]),
    ("bonjour, je m'appelle Kenza Haddad", ["Kenza Haddad"]),
    ("c'est Maëva, ma petite sœur, qui m'a aidée", ["Maëva"]),
    ("Monsieur le Maire a refusé", []),
    ("Madame, je vous le dis franchement", []),
    ("Rose, c'est la couleur de la CAF", []),
])
def test_person_rules(text, expected):
    assert found(text, PERSON) == expected


@pytest.mark.parametrize("text, gender", [
    ("j'ai vu Mme Garnier", "F"),
    ("j'ai vu M. Fabre", "M"),
    ("mon fils Kylian", "M"),
    ("ma fille Lina", "F"),
    ("avec Nathalie hier", "F"),
])
def test_person_gender(text, gender):
    results = FrenchPersonRecognizer().analyze(text, [PERSON], None)
    assert {r.recognition_metadata["gender"] for r in results} == {gender}


def test_valid_nir_examples_found(examples):
    for value in examples["nir"]["valid"]:
        assert found(f"mon numéro {value} voilà", NIR) == [value]


def test_invalid_nir_examples_follow_the_rules(examples):
    for case in examples["nir"]["invalid"]:
        value = case["value"]
        assert found(f"c'est {value} voilà", NIR) == [], value
        with_context = found(f"mon numéro de sécu c'est {value} voilà", NIR)
        # a wrong key is masked in a sécu context; a wrong format or length never is a NIR
        assert with_context == ([value] if case["reason"] == "InvalidChecksum" else []), value


def test_siren_siret_examples_found(examples):
    for value in examples["siren"]["valid"] + examples["siret"]["valid"]:
        assert found(f"le numéro {value} voilà", SIRET) == [value]


def test_tva_examples_found_with_prefix_or_context(examples):
    for value in examples["tva_intracom"]["valid"]:
        assert found(f"numéro de TVA {value} voilà", SIRET) == [value]
        prefixed = value.upper().startswith("FR")
        assert found(f"c'est {value} voilà", SIRET) == ([value] if prefixed else [])


def test_iban_examples_found(examples):
    for value in examples["iban_fr"]["valid"]:
        assert found(f"voici {value} merci", IBAN) == [value]


def test_phone_examples_found(examples):
    for kind in examples["phone_fr_example_numbers"]["values"].values():
        for value in kind.values():
            assert found(f"appelez le {value}.", PHONE) == [value]
