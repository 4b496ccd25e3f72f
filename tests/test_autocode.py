"""Automatic coders: patterns on lemmas, negation, stages from source and narrative order."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from listening.autocode import COMBINED, combine, suggest_frame
from listening.autocode.rules import RuleCoder, compile_pattern
from listening.model import Code, Codebook, Suggestion
from listening.nlp import analyse

CB = Codebook("mini", "1", (
    Code("theme.delais", "Délais", "theme", definition="Délais d'instruction et de versement.",
         examples=("J'ai attendu des mois avant le premier paiement.",),
         patterns=("attendre", "délai*", "trois|deux|des mois")),
    Code("theme.contact", "Joignabilité", "theme", definition="Joindre quelqu'un.",
         examples=("Personne ne décroche au téléphone.",),
         patterns=("téléphone", "décrocher", "rendez-vous")),
    Code("valence.irritant", "Irritant", "valence", definition="Une difficulté.",
         patterns=("problème", "galérer", "attendre")),
    Code("valence.positif", "Point positif", "valence", definition="Ce qui a aidé.",
         patterns=("aider", "top")),
    Code("valence.suggestion", "Suggestion", "valence", definition="Une idée.",
         patterns=("il faudrait", "ce serait bien")),
    Code("parcours.x", "Parcours X", "journey", codable=False),
    Code("etape.x.demande", "Demande", "stage", parent="parcours.x", order=0, definition="d",
         patterns=("demande", "formulaire")),
    Code("etape.x.paiement", "Paiement", "stage", parent="parcours.x", order=1, definition="d",
         patterns=("paiement", "verser")),
))


def _codes(text):
    coder = RuleCoder()
    return {s.code_id: s for s in coder.suggest_one("s", text, analyse([text])[0], coder.codes(CB))}


@pytest.mark.parametrize("text", ["J'ai attendu trois mois.", "On attend toujours.", "L'attente a été longue, les délais aussi."])
def test_inflected_forms_meet_on_their_lemma(text):
    assert "theme.delais" in _codes(text)


@pytest.mark.parametrize("text,expected", [
    ("Je n'ai pas eu de problème avec eux.", set()),
    ("J'ai eu un problème avec eux.", {"valence.irritant"}),
    ("Personne ne m'a aidée.", {"valence.irritant"}),
    ("La conseillère m'a beaucoup aidée.", {"valence.positif"}),
])
def test_negation_turns_valence_around(text, expected):
    assert {c for c in _codes(text) if c.startswith("valence")} == expected


@pytest.mark.parametrize("text", ["Il faudrait un seul numéro."])
def test_suggestion_phrase_and_evidence(text):
    sug = _codes(text)["valence.suggestion"]
    assert sug.evidence == ("Il faudrait",)
    assert sug.coder == "listening.rules.v1"


@pytest.mark.parametrize("n_patterns,text", [(1, "J'ai attendu."), (2, "J'ai attendu trois mois.")])
def test_more_patterns_more_confidence(n_patterns, text):
    scores = {1: 0.55, 2: 0.8}
    assert _codes(text)["theme.delais"].score == pytest.approx(scores[n_patterns], abs=0.01)


@pytest.mark.parametrize("pattern", ["a||b", "re:(unclosed"])
def test_invalid_patterns_do_not_compile(pattern):
    with pytest.raises(re.error):
        compile_pattern(pattern)


def _frame(rows):
    return pd.DataFrame([{
        "segment_id": f"s{i}", "document_id": doc, "position": i, "text": text, "role": role,
        "attrs": attrs, "journey": "parcours.x", "document_stage": None, "type": "entretien",
        "document": doc} for i, (doc, text, role, attrs) in enumerate(rows)])


@pytest.mark.parametrize("embedder", ["tfidf"])
def test_stages_from_source_then_words_then_narrative_order(embedder):
    frame = _frame([
        ("D1", "Vous avez fait comment ?", "interviewer", {}),
        ("D1", "J'ai rempli le formulaire en ligne.", "usager", {}),
        ("D1", "Et là, plus rien pendant des semaines.", "usager", {}),
        ("D1", "Le paiement est arrivé en juin.", "usager", {}),
        ("D2", "Trop de papiers", "participant", {"etape": "Demande"}),
    ])
    result = suggest_frame(frame, CB, embedder=embedder)
    stages = {s.segment_id: (s.code_id, s.score) for s in result.by_coder["listening.stages.v1"]}
    assert "s0" not in stages  # the interviewer is not coded
    assert stages["s1"][0] == "etape.x.demande"
    assert stages["s2"] == ("etape.x.demande", 0.35)  # carried forward from the narrative
    assert stages["s3"][0] == "etape.x.paiement"
    assert stages["s4"] == ("etape.x.demande", 1.0)  # stated by the workshop note
    assert all(s.coder == COMBINED for s in result.combined)


@pytest.mark.parametrize("rule,sim,expected", [(0.55, 0.5, 0.775), (0.55, 0.0, 0.55), (0.0, 0.5, 0.4)])
def test_combined_score(rule, sim, expected):
    parts = []
    if rule:
        parts.append([Suggestion("s", "theme.delais", rule, "listening.rules.v1")])
    if sim:
        parts.append([Suggestion("s", "theme.delais", sim, "listening.similarity.v1")])
    (out,) = combine(*parts)
    assert out.score == pytest.approx(expected)
