"""Topic modelling: small corpora, reproducibility, French words with accents, per-stage output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from listening.topics import TopicParams, fit_topics, prepare, topic_label, topics_by_stage

# Three pain points said in varied ways, as in a small mission corpus.
_DELAIS = ["J'ai attendu le versement pendant trois mois, le délai était interminable.",
           "Le délai de traitement de mon dossier a été très long, des mois d'attente.",
           "Trois mois sans paiement, c'est un délai énorme pour une famille.",
           "L'attente du premier versement a duré tout l'été, délai inacceptable.",
           "Le délai pour recevoir la prime a été beaucoup trop long."]
_TELEPHONE = ["Au téléphone personne ne décroche, j'ai passé une heure en attente.",
              "Impossible de joindre un conseiller par téléphone, ça sonne dans le vide.",
              "J'ai appelé dix fois la plateforme téléphonique sans réponse.",
              "Le numéro de téléphone est surtaxé et personne ne répond.",
              "Une heure au téléphone pour qu'on me raccroche au nez."]
_SITE = ["Le site internet bugge, impossible de télécharger la pièce justificative.",
         "Mon espace en ligne affiche une erreur dès que je me connecte.",
         "Le site plante au moment de valider la déclaration en ligne.",
         "Je n'arrive pas à créer mon compte sur le site, le mot de passe est refusé.",
         "Le formulaire en ligne se bloque à la dernière étape sur le site."]
TEXTS = [t for trio in zip(_DELAIS, _TELEPHONE, _SITE) for t in trio] * 2


@pytest.fixture(scope="module")
def prepared():
    params = TopicParams(seed=7)
    lemmas, emb = prepare(TEXTS, params)
    return params, lemmas, emb


@pytest.mark.parametrize("expected_min_topics", [2])
def test_small_corpus_gives_a_handful_of_topics_not_one_blob(prepared, expected_min_topics):
    params, lemmas, emb = prepared
    result = fit_topics([f"s{i}" for i in range(len(TEXTS))], lemmas, emb, params, "test")
    assert expected_min_topics <= len(result.topics) <= 10
    assert result.outliers_after == 0
    assert result.topics["count"].sum() == len(TEXTS)
    assert result.method.startswith("kmeans")


@pytest.mark.parametrize("seed", [7])
def test_same_corpus_and_seed_give_the_same_topics(prepared, seed):
    params, lemmas, emb = prepared
    ids = [f"s{i}" for i in range(len(TEXTS))]
    a = fit_topics(ids, lemmas, emb, params, "x")
    lemmas2, emb2 = prepare(TEXTS, TopicParams(seed=seed))
    b = fit_topics(ids, lemmas2, emb2, TopicParams(seed=seed), "x")
    assert a.topics.to_dict("records") == b.topics.to_dict("records")
    assert a.assignments.equals(b.assignments)


@pytest.mark.parametrize("accented", ["délai", "téléphone"])
def test_topic_words_are_french_lemmas_with_accents(prepared, accented):
    params, lemmas, emb = prepared
    result = fit_topics([f"s{i}" for i in range(len(TEXTS))], lemmas, emb, params, "x")
    words = {w for ws in result.topics["words"] for w in ws}
    assert accented in words
    assert not words & {"euh", "le", "de", "avoir", "être"}


@pytest.mark.parametrize("words,label", [(["délai", "délai versement", "attente", "mois"], "délai · attente · mois")])
def test_label_skips_terms_repeating_earlier_ones(words, label):
    assert topic_label(words) == label


@pytest.mark.parametrize("journey", ["parcours.x"])
def test_topics_by_stage_gives_shares_and_examples_per_stage(journey):
    n = len(TEXTS)
    coded = pd.DataFrame({
        "segment_id": [f"s{i}" for i in range(n)], "text": TEXTS, "role": ["usager"] * n,
        "journey": [journey] * n, "stage": ["etape.x.a" if i % 2 else "etape.x.b" for i in range(n)],
        "valences": [["valence.irritant"]] * n, "top_themes": [["theme.delais"]] * n,
    })
    topics, assignments, summary = topics_by_stage(coded, TopicParams(seed=1),
                                                   stage_labels={"etape.x.a": "A", "etape.x.b": "B"})
    assert set(topics["stage"]) == {"etape.x.a", "etape.x.b"}
    for _, part in topics.groupby("stage"):
        assert part["share"].sum() == pytest.approx(1.0, abs=0.01)
    assert all(1 <= len(ex) <= 3 for ex in topics["examples"])
    assert assignments["topic_key"].notna().all()
    assert summary["groups"][journey]["segments"] == n
    assert np.isin(topics["etape"], ["A", "B"]).all()


def test_topic_words_leave_out_stop_words_the_lemmatiser_turns_into_words():
    """spaCy lemmatises "cela" as "celer": a topic word "celer" would read as nonsense."""
    from listening.nlp import analyse, content_lemmas

    (lemmas,) = content_lemmas(analyse(["Cela s'est bien passé, cela a été rapide avec la caisse."]))
    assert "celer" not in lemmas.split()
    assert {"passer", "rapide", "caisse"} <= set(lemmas.split())
