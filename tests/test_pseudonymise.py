"""Pseudonymisation end to end: what a reader of the stored text would see."""

from __future__ import annotations

import json
import socket

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from listening.errors import InputError
from listening.model import RawTurn, build_document
from listening.pseudo_names import FEMALE_NAMES, SURNAME_POOL
from listening.pseudo_registry import MappingVault, PseudonymRegistry, normalise_name
from listening.pseudonymise import (
    Entity,
    Pseudonymiser,
    PseudoSettings,
    apply_replacements,
)


def pseudo_text(pseudonymiser, registry, text: str) -> str:
    return pseudonymiser.pseudonymise_text(text, registry)[0]


@pytest.mark.parametrize("text, expected", [
    ("Bonjour, je m'appelle Lina Garnier.", "Bonjour, je m'appelle [PERSONNE_1]."),
    ("J'ai appelé Mme Garnier à la CAF.", "J'ai appelé [PERSONNE_1] à la CAF."),
    ("Rappelez-moi au 06 12 34 56 78 demain.", "Rappelez-moi au [TÉLÉPHONE] demain."),
    ("Ou au +33 (0)6 12 34 56 78.", "Ou au [TÉLÉPHONE]."),
    ("Mon mail c'est lina.garnier@orange.fr voilà.", "Mon mail c'est [EMAIL] voilà."),
    ("Ma sécu : 2 95 10 99 126 111 93.", "Ma sécu : [NIR]."),
    ("Mon IBAN FR14 2004 1010 0505 0001 3M02 606.", "Mon IBAN [IBAN]."),
    ("J'habite au 12 rue des Lilas à Lyon.", "J'habite au [ADRESSE] à Lyon."),
    ("Mon fils est né le 3 février 2021.", "Mon fils est né le [DATE_NAISSANCE]."),
    ("Mon numéro allocataire c'est le 2345678.", "Mon numéro allocataire c'est le [NUMÉRO_DOSSIER]."),
    ("Mon SIRET c'est le 732 829 320 00074.", "Mon SIRET c'est le [SIRET]."),
    ("mon numéro de sécu c'est 295109912611199", "mon numéro de sécu c'est [NIR]"),
    ("j'ai parlé avec sylvie de la caf", "j'ai parlé avec [PERSONNE_1] de la caf"),
    ("Chez les Dupont, c'était pareil.", "Chez les [PERSONNE_1], c'était pareil."),
    ("Alors, Jade, elle a sept mois.", "Alors, [PERSONNE_1], elle a sept mois."),
    ("Bonjour Ibrahima, merci.", "Bonjour [PERSONNE_1], merci."),
])
def test_each_entity_type(pseudonymiser, pseudo_registry, text, expected):
    assert pseudo_text(pseudonymiser, pseudo_registry, text) == expected


@pytest.mark.parametrize("text", [
    "La CAF m'a envoyée à France services, puis à la mairie et au Pôle emploi.",
    "J'ai appelé la CPAM, l'URSSAF, la Carsat et la MSA, et France Travail.",
    "La mission locale et la MDPH, et l'ASE quand j'avais seize ans.",
    "Je suis allée à la CAF de Roubaix le 12 mars, j'ai payé 1 250 euros.",
    "Madame, je vous le dis franchement, j'en pouvais plus.",
    "Bonne question. Les caisses de Retraite et la Complémentaire santé solidaire.",
    "Il se marie en juin, à Saint-Pierre, avec l'ASF en attente.",
])
def test_organisations_towns_and_ordinary_speech_stay(pseudonymiser, pseudo_registry, text):
    assert pseudo_text(pseudonymiser, pseudo_registry, text) == text


@pytest.mark.parametrize("text", [
    "J'ai eu [Prénom NOM] au téléphone, puis XXX, puis [PERSONNE_2].",
    "Mme X m'a dit de rappeler le [TÉLÉPHONE].",
    "Mon conseiller *** m'a reçue.",
])
def test_already_masked_text_is_left_alone(pseudonymiser, pseudo_registry, text):
    assert pseudo_text(pseudonymiser, pseudo_registry, text) == text


def test_allow_list_keeps_a_word(pseudonymiser, pseudo_registry):
    text = "Je suis allée chez Mme Bienvenue, l'association, puis chez Mme Garnier."
    plain = Pseudonymiser(PseudoSettings(allow_list=("Mme Bienvenue",)), nlp=pseudonymiser.nlp)
    assert pseudo_text(plain, pseudo_registry, text) == (
        "Je suis allée chez Mme Bienvenue, l'association, puis chez [PERSONNE_1].")


def test_deny_list_masks_whole_words_without_case_or_accents(pseudonymiser, pseudo_registry):
    text = "Avec zoubida et ZOUBÏDA, on est allées à Zoubidaville."
    strict = Pseudonymiser(PseudoSettings(deny_list=("Zoubida",)), nlp=pseudonymiser.nlp)
    assert pseudo_text(strict, pseudo_registry, text) == (
        "Avec [PERSONNE_1] et [PERSONNE_1], on est allées à Zoubidaville.")


def test_deny_list_wins_over_allow_list(pseudonymiser, pseudo_registry):
    both = Pseudonymiser(PseudoSettings(allow_list=("Caf",), deny_list=("CAF",)),
                         nlp=pseudonymiser.nlp)
    assert pseudo_text(both, pseudo_registry, "la CAF") == "la [PERSONNE_1]"


def test_towns_kept_by_default_and_masked_on_request(pseudonymiser, pseudo_registry):
    text = "J'habite à Roubaix depuis dix ans."
    assert pseudo_text(pseudonymiser, pseudo_registry, text) == text
    no_towns = Pseudonymiser(PseudoSettings(keep_towns=False), nlp=pseudonymiser.nlp)
    assert pseudo_text(no_towns, pseudo_registry, text) == "J'habite à [LIEU] depuis dix ans."


def test_names_found_once_are_masked_everywhere_in_the_text(pseudonymiser, pseudo_registry):
    text = "Le conseiller, Monsieur Dupont, était sympa. Dupont m'a rappelé jeudi."
    assert pseudo_text(pseudonymiser, pseudo_registry, text) == (
        "Le conseiller, [PERSONNE_1], était sympa. [PERSONNE_1] m'a rappelé jeudi.")


def test_titles_are_stripped_for_the_key():
    assert normalise_name("Mme Garnier") == normalise_name("Madame Garnier") == "garnier"
    assert normalise_name("M. Jean-Pierre  Lemoine") == "jean pierre lemoine"


def test_same_person_same_label_across_documents(pseudonymiser, pseudo_registry):
    first = doc("E01", [("Enquêtrice", "Vous avez vu qui ?"),
                        ("Usager", "Mme Garnier, à la CAF, puis ma fille Lina.")])
    second = doc("E02", [("Usager", "Madame Garnier m'a rappelée."),
                         ("Usager", "Garnier, c'est la seule qui répond. Et Paul Morel.")])
    (one, _), (two, _) = pseudonymiser.pseudonymise_documents([first, second], pseudo_registry)
    assert one.turns[1].text == "[PERSONNE_1], à la CAF, puis ma fille [PERSONNE_2]."
    assert two.turns[0].text == "[PERSONNE_1] m'a rappelée."
    assert two.turns[1].text == "[PERSONNE_1], c'est la seule qui répond. Et [PERSONNE_3]."


def test_full_name_and_surname_in_one_document_are_one_person(pseudonymiser, pseudo_registry):
    text = "Je suis Lina Garnier. Mme Garnier, c'est moi. Garnier avec un G."
    assert pseudo_text(pseudonymiser, pseudo_registry, text) == (
        "Je suis [PERSONNE_1]. [PERSONNE_1], c'est moi. [PERSONNE_1] avec un G.")


def test_registry_rows_reload_to_the_same_labels(pseudonymiser):
    key = b"cle-du-projet"
    registry = PseudonymRegistry(key)
    pseudonymiser.pseudonymise_text("J'ai vu Mme Garnier et M. Fabre.", registry)
    rows = registry.new_rows()
    assert {label for _, _, label in rows} == {"[PERSONNE_1]", "[PERSONNE_2]"}
    assert not any("garnier" in key.lower() or "fabre" in key.lower() for key, _, _ in rows)
    reloaded = PseudonymRegistry(key, rows)
    out, _ = pseudonymiser.pseudonymise_text("M. Fabre, Mme Garnier et Mme Roux.", reloaded)
    assert out == "[PERSONNE_2], [PERSONNE_1] et [PERSONNE_3]."
    assert [label for _, _, label in reloaded.new_rows()] == ["[PERSONNE_3]"]


def test_name_style_gives_substitute_names_by_gender(pseudonymiser, pseudo_registry):
    named = Pseudonymiser(PseudoSettings(person_style="name"), nlp=pseudonymiser.nlp)
    text = "Mme Garnier et M. Fabre sont venus, puis ma fille Lina. Mme Garnier est partie."
    out, entities = named.pseudonymise_text(text, pseudo_registry)
    first, second, daughter, again = (e.replacement for e in entities)
    assert out == f"{first} et {second} sont venus, puis ma fille {daughter}. {again} est partie."
    assert first.startswith("Mme ") and second.startswith("M. ") and again == first
    assert first[4:] in SURNAME_POOL and second[3:] in SURNAME_POOL and first != second
    assert daughter in FEMALE_NAMES and "Garnier" not in out and "Lina" not in out


def test_document_turns_stay_coherent(pseudonymiser, pseudo_registry):
    original = doc("E03", [
        ("Mme L.", "Bonjour, mon numéro c'est le 06 12 34 56 78."),
        ("Enquêteur", "Et votre adresse ?"),
        ("Mme L.", "Au 14 rue des Acacias, 93200 Saint-Denis, avec mon fils Kylian."),
    ])
    [(new, entities)] = pseudonymiser.pseudonymise_documents([original], pseudo_registry)
    assert [t.speaker for t in new.turns] == ["[PERSONNE_1]", "Enquêteur", "[PERSONNE_1]"]
    for turn in new.turns:
        assert new.text[turn.start:turn.end] == turn.text
    assert all(original.text[e.start:e.end] == e.text for e in entities)
    assert [e.label for e in entities] == ["PERSON", "PHONE", "PERSON", "ADDRESS", "PERSON"]
    assert new.turns[2].text == "Au [ADRESSE], avec mon fils [PERSONNE_2]."


def test_detect_reports_without_replacing(pseudonymiser):
    found = pseudonymiser.detect("Appelez Mme Garnier au 06 12 34 56 78.")
    assert [(d.label, d.text) for d in found] == [("PERSON", "Mme Garnier"),
                                                  ("PHONE", "06 12 34 56 78")]


def test_no_network_during_a_full_run(pseudonymiser, pseudo_registry, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    import spacy.cli
    import tldextract

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(spacy.cli, "download", refuse)
    monkeypatch.setattr(tldextract, "extract", refuse)
    fresh = Pseudonymiser(nlp=pseudonymiser.nlp)  # builds Presidio's engines under the guard
    document = doc("E04", [("Usager", "Écrivez à lina.garnier@orange.fr ou contact@caf.fr, "
                                      "ou appelez Mme Garnier au 06 12 34 56 78.")])
    [(new, _)] = fresh.pseudonymise_documents([document], pseudo_registry)
    assert new.turns[0].text == "Écrivez à [EMAIL] ou [EMAIL], ou appelez [PERSONNE_1] au [TÉLÉPHONE]."


# --- the encrypted mapping --------------------------------------------------------------


def test_vault_round_trip(pseudonymiser, pseudo_registry, tmp_path):
    path = tmp_path / "correspondance.vault"
    vault = MappingVault(path, "une phrase de passe longue")
    pseudonymiser.pseudonymise_text("Mme Garnier au 06 12 34 56 78.", pseudo_registry, vault)
    vault.save()
    assert "Garnier" not in path.read_text(encoding="utf-8")
    again = MappingVault.load(path, "une phrase de passe longue")
    assert again.entries == [("Mme Garnier", "[PERSONNE_1]", "PERSON"),
                             ("06 12 34 56 78", "[TÉLÉPHONE]", "PHONE")]
    assert again.originals("[PERSONNE_1]") == ["Mme Garnier"]


def test_vault_wrong_passphrase_says_so(tmp_path):
    path = tmp_path / "correspondance.vault"
    MappingVault(path, "la bonne").save()
    with pytest.raises(InputError) as error:
        MappingVault.load(path, "la mauvaise")
    assert str(error.value) == (
        f"{path} : phrase de passe incorrecte (ou fichier altéré) : la table de correspondance "
        "ne peut pas être déchiffrée ; vérifiez la phrase de passe")


@pytest.mark.parametrize("content, message", [
    (None, "table de correspondance introuvable ; vérifiez le chemin"),
    ("{}", "ce fichier n'est pas une table de correspondance chiffrée de listening"),
])
def test_vault_unreadable_file(tmp_path, content, message):
    path = tmp_path / "correspondance.vault"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as error:
        MappingVault.load(path, "x")
    assert str(error.value) == f"{path} : {message}"


# --- replacements: a property ------------------------------------------------------------


@st.composite
def text_and_entities(draw):
    text = draw(st.text(min_size=0, max_size=60))
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=8)))
    pairs = [(a, b) for a, b in zip(cuts[::2], cuts[1::2]) if a < b]
    entities = [Entity(a, b, "PERSON", text[a:b], draw(st.text(max_size=12)), 1.0)
                for a, b in pairs]
    return text, entities


@settings(max_examples=200, deadline=None)
@given(text_and_entities())
def test_replacements_replace_spans_and_nothing_else(case):
    text, entities = case
    out = apply_replacements(text, entities)
    expected, pos = [], 0
    for e in sorted(entities, key=lambda e: e.start):
        expected += [text[pos:e.start], e.replacement]
        pos = e.end
    assert out == "".join(expected) + text[pos:]


def test_overlapping_replacements_are_refused():
    with pytest.raises(ValueError):
        apply_replacements("abcdef", [Entity(0, 3, "PERSON", "abc", "X", 1.0),
                                      Entity(2, 4, "PERSON", "cd", "Y", 1.0)])


# --- the command ---------------------------------------------------------------------------


def run_command(*args: str):
    from listening.cli.pseudonymise import pseudonymise_command

    app = typer.Typer()
    app.command()(pseudonymise_command)
    return CliRunner().invoke(app, list(args))


def test_command_prints_pseudonymised_text(tmp_path):
    path = tmp_path / "entretien.txt"
    path.write_text("Enquêtrice : Bonjour.\n\nUsager : Mme Garnier au 06 12 34 56 78.\n",
                    encoding="utf-8")
    result = run_command(str(path))
    assert result.exit_code == 0, result.output
    assert "Usager : [PERSONNE_1] au [TÉLÉPHONE]." in result.output
    assert "Garnier" not in result.output


def test_command_json_offsets_into_the_original(tmp_path):
    paths = []
    for name in ("a.txt", "b.txt"):
        paths.append(tmp_path / name)
        paths[-1].write_text("Usager : Écrivez à lina.garnier@orange.fr merci.\n", encoding="utf-8")
    single = json.loads(run_command(str(paths[0]), "--json").output)
    [entity] = single["entities"]
    assert entity["replacement"] == "[EMAIL]" and entity["text"] == "lina.garnier@orange.fr"
    assert single["text"].endswith("Écrivez à [EMAIL] merci.")
    several = json.loads(run_command(str(paths[0]), str(paths[1]), "--json").output)
    assert [r["file"] for r in several] == ["a.txt", "b.txt"]


def test_command_missing_file(tmp_path):
    result = run_command(str(tmp_path / "absent.txt"))
    assert result.exit_code == 1
    assert f"{tmp_path / 'absent.txt'} : fichier introuvable ; vérifiez le chemin" in result.output


def doc(name: str, turns: list[tuple[str, str]]):
    return build_document(name, [RawTurn(text, speaker) for speaker, text in turns])
