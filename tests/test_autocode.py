"""Automatic coders: patterns on lemmas and words, negation, valence rules, similarity, stages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from listening.autocode import COMBINED, DEFAULT_THRESHOLD, combine, suggest_frame
from listening.autocode.rules import RuleCoder, compile_pattern, find_hits, score
from listening.autocode.similarity import MIN_SEGMENTS, SimilarityCoder, calibrate
from listening.autocode.stages import NAME as STAGE_CODER
from listening.autocode.stages import params as stage_params
from listening.autocode.stages import stated_stage
from listening.codebook_io import load_codebook
from listening.errors import CodebookError
from listening.model import Code, Codebook, Suggestion
from listening.nlp import analyse, fold
from listening.projects import DEFAULT_CODEBOOK

CB = Codebook("mini", "1", (
    Code("theme.delais", "Délais", "theme", definition="Délais d'instruction et de versement.",
         examples=("J'ai attendu des mois avant le premier paiement.",),
         patterns=("attendre", "délai*", "trois|deux|des mois")),
    Code("theme.delais.versement", "Retard de versement", "theme", parent="theme.delais",
         definition="Un paiement en retard.", patterns=("premier versement",)),
    Code("theme.contact", "Joignabilité", "theme", definition="Joindre quelqu'un.",
         examples=("Personne ne décroche au téléphone.",),
         patterns=("téléphone", "décrocher", "rendez-vous")),
    Code("theme.erreurs", "Erreurs", "theme", definition="Erreurs et indus.",
         patterns=("dossier perdre", "re:trop[- ]?per[çc]u")),
    Code("valence.irritant", "Irritant", "valence", definition="Une difficulté.",
         patterns=("problème", "galérer", "toujours pas")),
    Code("valence.positif", "Point positif", "valence", definition="Ce qui a aidé.",
         patterns=("aider", "top", "clair")),
    Code("valence.suggestion", "Suggestion", "valence", definition="Une idée.",
         patterns=("il faudrait", "ce serait bien")),
    Code("parcours.x", "Parcours X", "journey", codable=False),
    Code("etape.x.demande", "Demande", "stage", parent="parcours.x", order=0, definition="d",
         patterns=("demande", "formulaire")),
    Code("etape.x.paiement", "Paiement", "stage", parent="parcours.x", order=1, definition="d",
         patterns=("paiement", "verser")),
))


def _codes(text: str, codebook: Codebook = CB) -> dict[str, Suggestion]:
    coder = RuleCoder()
    return {s.code_id: s for s in coder.suggest_one("s", text, analyse([text])[0],
                                                    coder.codes(codebook))}


def _seen(text: str, codebook: Codebook) -> set[str]:
    """Main themes and valences a coder sees by default."""
    return {c for c, s in _codes(text, codebook).items()
            if s.score >= DEFAULT_THRESHOLD and c.count(".") == 1}


@pytest.fixture(scope="module")
def default() -> Codebook:
    return load_codebook(DEFAULT_CODEBOOK)


# --- matching ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["J'ai attendu trois mois.", "On attend toujours.",
                                  "Les DÉLAIS sont longs.", "les delais sont longs"])
def test_inflected_forms_case_and_accents_meet(text):
    assert "theme.delais" in _codes(text)


@pytest.mark.parametrize("text,found", [
    ("Ils ont le dossier perdu.", True),
    ("Mon dossier a été perdu.", False),  # two words between: beyond the one-word gap
    ("Un trop-perçu de 800 euros.", True),  # re: on the text itself
    ("Un TROP PERCU de 800 euros.", True),  # re: ignores case, and accents on a second look
])
def test_gap_and_regular_expressions(text, found):
    assert ("theme.erreurs" in _codes(text)) is found


@pytest.mark.parametrize("pattern,text", [
    ("ping-pong", "Je fais le ping-pong entre les deux caisses."),  # spaCy: ping - pong
    ("sage-femme*", "La sage-femme a tout déclaré."),
    ("pourrait-on", "Pourrait-on avoir un seul numéro ?"),  # spaCy: pourrait -on
    ("dites-le-nous une fois", "Dites-le-nous une fois, c'est tout."),  # one token
    ("rendez-vous", "J'ai eu un rendez-vous."),
    ("me|m'|nous avoir expliquer", "Elle m'a expliqué le calcul."),  # spaCy: m' a expliqué
    ("d'un|un service à le|l' autre", "Renvoyé d'un service à l'autre."),
    ("d'un|un service à le|l' autre", "Renvoyé un service à l'autre."),
    ("aujourd'hui", "Aujourd'hui encore."),  # one token
])
def test_compound_pattern_words_match_however_spacy_splits_them(pattern, text):
    code = Code("theme.t", "T", "theme", definition="d", patterns=(pattern,))
    hits = find_hits(text, analyse([text])[0], [code])
    assert [h.pattern for h in hits] == [pattern], text
    assert hits[0].evidence.split()[-1].rstrip(".") in text


def test_every_hyphenated_pattern_of_the_default_codebook_matches_its_own_words(default):
    """Written out as plain text, each pattern with a hyphenated word finds itself."""
    checked = 0
    for code in default.codes:
        for pattern in code.patterns:
            words = [t.split("|")[0].rstrip("*") for t in pattern.split()]
            if pattern.startswith("re:") or not any("-" in w.strip("-") for w in words):
                continue
            text = "Alors " + " ".join(words) + " voilà."
            assert find_hits(text, analyse([text])[0], [code]), (code.id, pattern)
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("text", ["Le premier versement n'est jamais arrivé."])
def test_a_sub_theme_also_proposes_its_theme(text):
    codes = _codes(text)
    assert {"theme.delais", "theme.delais.versement"} <= set(codes)
    assert codes["theme.delais"].evidence == ("premier versement",)


@pytest.mark.parametrize("pattern,problem", [
    ("a||b", "« (vide) » n'est pas un lemme : utilisez des lettres, chiffres, apostrophes ou "
             "tirets, * seulement en fin de mot et | entre deux variantes"),
    ("re:(unclosed", "expression régulière incorrecte (missing ), unterminated subpattern at "
                     "position 0)"),
    ("personne pour m|me aider", "« m » seul ne se trouve jamais dans un texte : écrivez « m' » "
                                 "(l'apostrophe fait partie du mot élidé)"),
])
def test_invalid_patterns_fail_with_the_codebook_message(pattern, problem):
    with pytest.raises(CodebookError) as caught:
        compile_pattern(pattern)
    assert str(caught.value) == f"motif « {pattern} » invalide : {problem}"


@pytest.mark.parametrize("bad", ["*relance"])
def test_the_rule_coder_refuses_a_codebook_with_an_invalid_pattern(bad):
    codebook = Codebook("x", "1", (Code("theme.a", "A", "theme", definition="a",
                                        patterns=(bad,)),))
    with pytest.raises(CodebookError) as caught:
        RuleCoder().codes(codebook)
    assert caught.value.code == "theme.a"
    assert str(caught.value) == (
        f"code « theme.a » : motif « {bad} » invalide : « {bad} » n'est pas un lemme : "
        "utilisez des lettres, chiffres, apostrophes ou tirets, * seulement en fin de mot et | "
        "entre deux variantes")


# --- negation and valence, on the mini codebook -------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("Je n'ai pas eu de problème avec eux.", {"valence.positif"}),
    ("J'ai eu un problème avec eux.", {"valence.irritant"}),
    ("Personne ne m'a aidée.", {"valence.irritant"}),
    ("La conseillère m'a beaucoup aidée.", {"valence.positif"}),
    ("Ce n'était pas clair du tout.", {"valence.irritant"}),
    ("Une personne m'a aidée.", {"valence.positif"}),  # "une personne" is not "nobody"
    ("Je n'ai eu que des problèmes.", {"valence.irritant"}),  # restrictive ne ... que
    ("Toujours pas de nouvelles.", {"valence.irritant"}),  # a pattern that states negation
])
def test_negation_turns_valence_around(text, expected):
    seen = {c for c, s in _codes(text).items()
            if c.startswith("valence") and s.score >= DEFAULT_THRESHOLD}
    assert seen == expected


@pytest.mark.parametrize("text", ["Il faudrait un seul numéro."])
def test_suggestion_phrase_and_evidence(text):
    sug = _codes(text)["valence.suggestion"]
    assert sug.evidence == ("Il faudrait",)
    assert sug.coder == "listening.rules.v2"


@pytest.mark.parametrize("text,best", [
    ("La conseillère m'a aidée, mais j'ai eu un problème avec le site.", "valence.irritant"),
    ("J'ai eu un problème au début, mais la conseillère m'a aidée.", "valence.positif"),
    ("J'ai eu un problème, il faudrait un seul numéro.", "valence.suggestion"),
])
def test_one_valence_per_segment_the_others_scaled_down(text, best):
    valences = {c: s.score for c, s in _codes(text).items() if c.startswith("valence")}
    assert max(valences, key=valences.get) == best
    assert [c for c, v in valences.items() if v >= DEFAULT_THRESHOLD] == [best]


@pytest.mark.parametrize("n_patterns,text", [(1, "J'ai attendu."), (2, "J'ai attendu trois mois.")])
def test_more_evidence_more_confidence(n_patterns, text):
    scores = {1: 0.55, 2: 0.8}
    assert _codes(text)["theme.delais"].score == pytest.approx(scores[n_patterns], abs=0.01)


@pytest.mark.parametrize("text", ["J'ai attendu trois mois pour le premier versement."])
def test_a_complaint_theme_with_no_cue_gets_a_low_score_irritant(text):
    irritant = _codes(text)["valence.irritant"]
    assert irritant.score == 0.45 and irritant.evidence == ("thème souvent irritant",)


@pytest.mark.parametrize("text", ["Le rendez-vous était à dix heures, ce serait bien de le noter."])
def test_no_irritant_prior_when_there_is_another_cue(text):
    assert "valence.irritant" not in _codes(text)


# --- the default codebook on French as people write it ------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("Je n'ai pas eu de problème, tout s'est bien passé.", {"valence.positif"}),
    ("Aucune difficulté, c'était très facile et rapide.", {"theme.delais", "valence.positif"}),
    ("Le formulaire n'est pas compliqué.", {"theme.demarches", "valence.positif"}),
    ("C'était pas mal, franchement.", {"valence.positif"}),
    ("Personne ne m'a aidée pour remplir le dossier.",
     {"theme.accompagnement", "theme.demarches", "valence.irritant"}),
    ("La santé et l'éducation.", set()),
    ("La caisse m'a très mal informé.", {"theme.information", "valence.irritant"}),
])
def test_default_codebook_negation(default, text, expected):
    assert _seen(text, default) == expected


@pytest.mark.parametrize("text,valence", [
    ("Appel de douze minutes, problème réglé.", "valence.positif"),
    ("J'ai reçu mes indemnités sans rien faire.", "valence.positif"),
    ("Deux mois sans rien, avec les enfants.", "valence.irritant"),
    ("On a un problème avec le dossier.", "valence.irritant"),
])
def test_a_cue_inside_a_longer_cue_of_another_valence_is_not_a_cue(default, text, valence):
    """« problème » in « problème réglé », « sans rien » in « sans rien faire »."""
    assert {c for c in _seen(text, default) if c.startswith("valence.")} == {valence}


@pytest.mark.parametrize("text,theme", [
    ("Toujours pas de réponse à mon courrier.", "theme.contact"),
    ("Ça fait trois mois que j'attends mon premier versement.", "theme.delais"),
    ("On m'a demandé trois fois le même avis d'imposition.", "theme.demarches"),
    ("Aucune réponse de la caisse malgré mes relances.", "theme.contact"),
    ("C'est beaucoup trop long.", "theme.delais"),
    ("Je n'arrive plus à payer le loyer avec 600 euros par mois.", "theme.ressources"),
    ("La CAF me renvoie vers la CPAM qui me renvoie vers la CAF, on me balade.",
     "theme.coordination"),
])
def test_default_codebook_implicit_irritants(default, text, theme):
    seen = _seen(text, default)
    assert {theme, "valence.irritant"} <= seen
    assert not seen & {"valence.positif", "valence.suggestion"}


@pytest.mark.parametrize("text", [
    "Il faudrait un interlocuteur unique pour tout le dossier.",
    "Pourquoi ne pas envoyer un SMS quand le dossier est complet ?",
    "Ce serait bien de pouvoir suivre son dossier en ligne.",
    "Il serait souhaitable de simplifier les formulaires.",
    "Arrêtez de changer les règles tous les ans !",
    "Simplifier les démarches pour les petites entreprises.",
    "Que la CAF et la CPAM se parlent.",
    "Une appli avec tous les papiers, ça éviterait de tout perdre.",
])
def test_default_codebook_suggestions(default, text):
    valences = {c for c in _seen(text, default) if c.startswith("valence")}
    assert valences == {"valence.suggestion"}


@pytest.mark.parametrize("text", [
    "Il faut remplir le formulaire en ligne.",  # describes a step, proposes nothing
    "Je voudrais dire que la conseillère a été très gentille.",
])
def test_default_codebook_descriptions_are_not_suggestions(default, text):
    assert "valence.suggestion" not in _seen(text, default)


@pytest.mark.parametrize("text,theme", [
    ("Je ne savais même pas que j'avais droit à la prime d'activité.", "theme.information"),
    ("Il faut fournir dix justificatifs et remplir un formulaire de douze pages.",
     "theme.demarches"),
    ("Le premier versement est arrivé avec deux mois de retard.", "theme.delais"),
    ("Impossible de joindre quelqu'un au téléphone, ça sonne dans le vide.", "theme.contact"),
    ("Le site plante à chaque fois que je veux télécharger mon attestation.",
     "theme.numerique"),
    ("Chaque organisme me demande les mêmes papiers, ils ne se parlent pas entre eux.",
     "theme.coordination"),
    ("La conseillère a pris le temps de tout m'expliquer, elle a été très gentille.",
     "theme.accompagnement"),
    ("Je suis épuisée, j'en dors plus la nuit.", "theme.emotion"),
    ("Ils se sont trompés dans le calcul et me réclament un trop-perçu.", "theme.erreurs"),
    ("Avec 600 euros par mois, une fois le loyer payé, il ne reste rien.", "theme.ressources"),
])
def test_default_codebook_one_example_per_theme(default, text, theme):
    assert theme in _seen(text, default)


# --- similarity -------------------------------------------------------------------------


@pytest.mark.parametrize("column,expected", [(0, [True, False, False]), (1, [False, True, False])])
def test_calibrate_keeps_codes_that_stand_out_and_are_near_the_best(column, expected):
    sims = np.array([[0.50, 0.10], [0.05, 0.40], [0.06, 0.09]])
    scores = calibrate(sims)
    assert list(scores[:, column] >= 0.5) == expected


@pytest.mark.parametrize("n", [MIN_SEGMENTS - 1])
def test_similarity_says_nothing_on_too_few_segments(n):
    coder = SimilarityCoder()
    codes = coder.codes(CB)
    texts = ["attendre téléphone"] * n
    assert coder.suggest([f"s{i}" for i in range(n)], texts, ["attendre", "téléphone"], codes) == []


# --- stages and combination ----------------------------------------------------------------


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
    stages = {s.segment_id: (s.code_id, s.score) for s in result.by_coder[STAGE_CODER]}
    assert "s0" not in stages  # the interviewer is not coded
    assert stages["s1"][0] == "etape.x.demande"
    assert stages["s2"] == ("etape.x.demande", 0.35)  # carried forward from the narrative
    assert stages["s3"][0] == "etape.x.paiement"
    assert stages["s4"] == ("etape.x.demande", 1.0)  # stated by the workshop note
    assert all(s.coder == COMBINED for s in result.combined)


def test_the_narrative_goes_forward_unless_the_words_insist():
    frame = _frame([
        ("D1", "Au début, je ne savais pas à qui m'adresser.", "usager", {}),
        ("D1", "J'ai rempli le formulaire.", "usager", {}),
        ("D1", "Le paiement est arrivé en juin.", "usager", {}),
        ("D1", "Le deuxième paiement a suivi.", "usager", {}),
        ("D1", "Quand je repense à la demande, c'était long.", "usager", {}),
        ("D2", "Le paiement a mis trois mois.", "usager", {}),
        ("D2", "Puis un autre paiement, en retard.", "usager", {}),
        ("D2", "Et là on me dit : la demande, le formulaire, tout est à refaire.", "usager", {}),
        ("D3", "Je m'appelle Paul, j'ai deux enfants.", "usager", {}),
    ])
    stages = {s.segment_id: (s.code_id, s.score, s.evidence)
              for s in suggest_frame(frame, CB).by_coder[STAGE_CODER]}
    # before any stage word, the journey starts at its first stage, from the narrative alone
    assert stages["s0"] == ("etape.x.demande", 0.35, ("ordre du récit",))
    assert stages["s2"][:2] == ("etape.x.paiement", 0.55)  # its own words
    # one word of an earlier stage is a passing mention: the story stays at the payment
    assert stages["s4"] == ("etape.x.paiement", 0.35, ("ordre du récit",))
    # two patterns of an earlier stage take it back there, with their evidence
    assert stages["s7"][:2] == ("etape.x.demande", score(2))
    assert {"demande", "formulaire"} <= set(stages["s7"][2])
    assert "s8" not in stages  # nothing names a stage: no guess


def test_the_interviewers_question_sets_the_stage_of_its_answer():
    frame = _frame([
        ("D1", "Vous aviez rempli le formulaire vous-même ?", "interviewer", {}),
        ("D1", "Oui, en ligne, sans souci.", "usager", {}),
        ("D1", "Et pour le paiement, comment ça s'est passé ?", "interviewer", {}),
        ("D1", "Très bien, rien à dire, c'était rapide.", "usager", {}),
        ("D1", "Et mes enfants étaient contents.", "usager", {}),
    ])
    stages = {s.segment_id: (s.code_id, s.score, s.evidence)
              for s in suggest_frame(frame, CB).by_coder[STAGE_CODER]}
    assert "s0" not in stages and "s2" not in stages  # questions are read, never coded
    assert stages["s1"] == ("etape.x.demande", 0.35, ("question : formulaire",))
    assert stages["s3"] == ("etape.x.paiement", 0.35, ("question : paiement",))
    assert stages["s4"] == ("etape.x.paiement", 0.35, ("ordre du récit",))


@pytest.mark.parametrize("text,found", [
    ("Je déclare mon CA chaque mois.", True),
    ("Ça me travaille, oui.", False),  # « ça » folded is « ca »: an acronym keeps its capitals
    ("ca me travaille", False),
])
def test_an_acronym_pattern_is_not_a_french_word(default, text, found):
    stage = next(c for c in default.codes if c.id == "etape.creation-entreprise.cotisations")
    hits = find_hits(text, analyse([text])[0], [stage])
    assert any(fold(h.evidence) == "ca" for h in hits) is found


@pytest.mark.parametrize("journey,raw,stage", [
    ("parcours.naissance", "Recherche d'information", "etape.naissance.information"),
    ("parcours.naissance", "Ouverture des prestations (PAJE)", "etape.naissance.prestations"),
    ("parcours.naissance", "Congés maternité et paternité", "etape.naissance.conges"),
    ("parcours.naissance", "Mode de garde et reprise du travail", "etape.naissance.garde"),
    ("parcours.separation", "Le logement", "etape.separation.logement-ressources"),
    ("parcours.naissance", "Divers", None),  # no shared word: no stage rather than a guess
    ("parcours.separation", "Information et déclaration", None),  # two stages tie: no guess
])
def test_a_stage_a_workshop_names_in_its_own_words_is_found(default, journey, raw, stage):
    stages = {s.id: s.label for j in default.journeys if j.id == journey for s in j.stages}
    assert stated_stage({"etape": raw}, None, stages) == stage


@pytest.mark.parametrize("rule,sim,expected", [(0.55, 0.5, 0.775), (0.55, 0.0, 0.55),
                                               (0.0, 0.9, 0.315)])
def test_combined_score(rule, sim, expected):
    parts = []
    if rule:
        parts.append([Suggestion("s", "theme.delais", rule, "listening.rules.v2")])
    if sim:
        parts.append([Suggestion("s", "theme.delais", sim, "listening.similarity.v2")])
    (out,) = combine(*parts)
    assert out.score == pytest.approx(expected)
    assert (out.score >= DEFAULT_THRESHOLD) is bool(rule)  # similarity alone is not shown


@pytest.mark.parametrize("text,evidence", [("Ils ont perdu mon dossier.", []),
                                           ("Le dossier perdu, encore.", ["dossier perdu"])])
def test_pattern_words_keep_their_order(text, evidence):
    hits = find_hits(text, analyse([text])[0], [CB.code("theme.erreurs")])
    assert [h.evidence for h in hits] == evidence


def _brute_force_hits(text, analysed, codes):
    """find_hits without the pattern index: every pattern of every code, in codebook order."""
    from listening.autocode.rules import _View

    view = _View(text, analysed)
    return [(code.id, pattern, found[2]) for code in codes for pattern in code.patterns
            if (found := view.find(compile_pattern(pattern)))]


@pytest.mark.parametrize("source,needs", [
    (r"\bRIB\b", {"rib"}),
    (r"trop[- ]?per[çc]u", {"trop"}),
    (r"\b(\d+|douze|dix) pages?\b", {" page"}),
    (r"\d+ ?(€|euros?|eur\b)", {"€", "euro", "eur"}),
    (r"restos? du c(œ|oe)ur", {"resto"}),
    (r"\bpourquoi\b(?! pas)[^.!?]*\?", {"pourquoi"}),
    (r"(caf|\w+) (puis|ensuite)", {"puis", "ensuite"}),
    (r"[A-Z]{3}", None),
    (r"(a|\w)", None),
])
def test_text_patterns_state_the_words_a_match_needs(source, needs):
    from listening.autocode.rules import required_literals

    assert required_literals(source) == (frozenset(needs) if needs else None)


def test_the_literal_prefilter_never_skips_a_matching_text():
    """Every `re:` pattern of the shipped codebook, on every turn of the demo corpus and on
    upper-case, accented and unaccented spellings: where the regex matches the text or its
    unaccented form, one of the strings the pre-filter asks for is there."""
    from listening.errors import ListeningError
    from listening.ingest import read_file
    from listening.nlp import fold
    from listening.projects import DEMO_CORPUS

    matchers = [compile_pattern(p) for c in load_codebook(DEFAULT_CODEBOOK).codes
                for p in c.patterns if p.startswith("re:")]
    texts = ["TROP-PERÇU DE 800 €", "Un trop perçu de 1200 EUROS", "Les Restos du Cœur",
             "POURQUOI PAS ?", "La CAF puis la CPAM", "j'aimerais qu'on m'écoute",
             "Ça fait trois mois que j'attends", "malgré tout, RAS"]
    for path in sorted((DEMO_CORPUS / "documents").rglob("*.*"))[:40]:
        try:
            texts += [t.text for d in read_file(path) for t in d.turns]
        except ListeningError:  # the manifest and the reference coding are not transcripts
            continue
    assert len(texts) > 300
    matched = 0
    for text in texts:
        folded, casefolded = fold(text), text.casefold()
        for m in matchers:
            if m.regex.search(text) or m.regex.search(folded):
                matched += 1
                assert m.needs is None or any(s in casefolded or s in folded for s in m.needs), \
                    (m.pattern, text)
    assert matched > 100  # the patterns do match, so the check means something


def test_pattern_index_finds_what_trying_every_pattern_finds():
    """The index only skips patterns that cannot match: on varied French (stems with `*`,
    alternatives with `|`, `re:` patterns, elisions, multi-word patterns) the hits and their
    order are those of trying every pattern of the shipped codebook."""
    codes = load_codebook(DEFAULT_CODEBOOK).codes
    texts = [
        "J'ai attendu trois mois le premier versement, personne ne décrochait au téléphone.",
        "On m'a réclamé un trop-perçu de 800 euros, ils avaient perdu mon dossier.",
        "La conseillère m'a vraiment aidée, c'était clair et rapide.",
        "Il faudrait un interlocuteur unique, ce serait bien d'avoir un rendez-vous.",
        "L'URSSAF m'a envoyé des relances alors que j'avais déjà déclaré mon chiffre d'affaires.",
        "Aucune information sur la pension de réversion, j'ai dû tout chercher seule.",
        "le site plante tout le temps, impossible de télécharger l'attestation",
        "Après la séparation, la pension alimentaire n'arrivait pas ; l'ARIPA a fini par intervenir.",
        "La sage-femme, puis le ping-pong entre la CAF et la CPAM : pourrait-on simplifier ?",
        "Elle m'a expliqué qu'on passait d'un service à l'autre, aujourd'hui encore.",
    ]
    analysed = analyse(texts)
    compared = 0
    for text, a in zip(texts, analysed):
        fast = [(h.code, h.pattern, h.evidence) for h in find_hits(text, a, codes)]
        assert fast == _brute_force_hits(text, a, codes), text
        compared += len(fast)
    assert compared >= 10  # the texts do hit the codebook, so the comparison means something


def test_memoised_lemmatizer_gives_spacys_lemmas():
    """`load_nlp` memoises the French lemmatizer on (word, part of speech): the lemmas of
    varied French are those of a freshly loaded, unmodified model."""
    import spacy

    from listening.nlp import MODEL, load_nlp

    texts = ["J'ai attendu trois mois, j'attends encore, l'attente est longue.",
             "Elles étaient séparées ; nous avons été reçus, ils ont été aidés.",
             "Le conseiller m'a dit de voir avec la CAF, qui m'a renvoyée vers la CPAM.",
             "J'ai attendu trois mois, j'attends encore, l'attente est longue."]
    fresh = spacy.load(MODEL, exclude=["ner"])
    expected = [[t.lemma_ for t in doc] for doc in fresh.pipe(texts)]
    assert [[t.lemma_ for t in doc] for doc in load_nlp().pipe(texts)] == expected
    assert [list(a.forms) for a in analyse(texts)] == [
        [lemma.lower() for lemma, tok in zip(lemmas, doc) if not tok.is_space]
        for lemmas, doc in zip(expected, fresh.pipe(texts))]


# --- the learned coder ----------------------------------------------------------------------

LEARNED = "listening.learned.v1"
HOUSING = Code("theme.logement", "Logement", "theme", definition="Se loger.")
CB_HOUSING = Codebook("mini", "1", (*CB.codes, HOUSING))
_HOUSING = ["Le propriétaire a encore augmenté le loyer de l'appartement.",
            "Nous cherchons un logement moins cher, le bail se termine en mars.",
            "Le loyer passe avant tout, l'appartement est trop petit pour trois.",
            "Le propriétaire refuse de rendre la caution du logement.",
            "Le déménagement dans un appartement plus grand coûte cher avec le loyer."]
_OTHER = ["Les enfants vont à la cantine de l'école le midi.",
          "Nous partons en vacances chez ma sœur en juillet.",
          "Mon fils fait du football le mercredi au club du quartier.",
          "Ma mère garde les petits quand je travaille le samedi.",
          "Le bus passe toutes les vingt minutes devant la maison."]


def _housing_frame(n_docs: int) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    """`n_docs` documents of two turns, one about housing, one not; all coded by a person."""
    rows, training = [], {}
    for d in range(n_docs):
        for k, (texts, codes) in enumerate(((_HOUSING, {"theme.logement"}), (_OTHER, set()))):
            seg = f"d{d}-{k}"
            rows.append({"segment_id": seg, "document_id": f"D{d}", "document": f"D{d}",
                         "position": k, "text": texts[d % len(texts)], "role": "usager",
                         "attrs": {}, "journey": "parcours.x", "document_stage": None,
                         "type": "entretien"})
            training[seg] = codes
    return pd.DataFrame(rows), training


def _with_unseen(frame: pd.DataFrame, texts: list[str]) -> pd.DataFrame:
    extra = [{**frame.iloc[0].to_dict(), "segment_id": f"new{i}", "document_id": "NEW",
              "document": "NEW", "position": i, "text": t} for i, t in enumerate(texts)]
    return pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)


def _learned(result, segment: str) -> dict[str, Suggestion]:
    return {s.code_id: s for s in result.by_coder[LEARNED] if s.segment_id == segment}


@pytest.mark.parametrize("n_docs", [5])
def test_learned_coder_says_nothing_with_too_few_codings(n_docs):
    frame, training = _housing_frame(n_docs)  # 10 coded segments, under MIN_SEGMENTS
    result = suggest_frame(_with_unseen(frame, ["Le loyer a encore augmenté."]), CB_HOUSING,
                           training=training)
    assert result.by_coder[LEARNED] == []
    assert result.params["learned"]["training_segments"] == 2 * n_docs


@pytest.mark.parametrize("unseen,about_housing", [
    ("Mon propriétaire veut augmenter le loyer du studio.", True),
    ("Les petits mangent à la cantine de l'école.", False),
])
def test_learned_coder_learns_a_code_the_rules_do_not_know(unseen, about_housing):
    frame, training = _housing_frame(20)
    result = suggest_frame(_with_unseen(frame, [unseen]), CB_HOUSING, training=training)
    assert "theme.logement" not in {s.code_id for s in result.by_coder[RuleCoder.name]}
    found = _learned(result, "new0")["theme.logement"]
    assert (found.score >= 0.5) is about_housing
    if about_housing:  # evidence: the learned words present in the segment
        (evidence,) = found.evidence
        assert evidence.startswith("appris des codages : ")
        assert {"loyer", "propriétaire"} & set(evidence.split(": ")[1].split(", "))
        combined = {s.code_id: s for s in result.combined if s.segment_id == "new0"}
        assert evidence in combined["theme.logement"].evidence
    else:
        assert found.evidence == ()


@pytest.mark.parametrize("segment", ["d3-0", "d7-1"])
def test_a_segments_own_coding_never_feeds_its_suggestions(segment):
    frame, training = _housing_frame(20)
    before = _learned(suggest_frame(frame, CB_HOUSING, training=training), segment)
    flipped = dict(training)  # the coder changes their mind on this segment only
    flipped[segment] = set() if training[segment] else {"theme.logement"}
    after = _learned(suggest_frame(frame, CB_HOUSING, training=flipped), segment)
    assert before and before == after


@pytest.mark.parametrize("seed", [42])
def test_learned_suggestions_are_reproducible(seed):
    frame, training = _housing_frame(20)
    frame = _with_unseen(frame, ["Le loyer du studio a augmenté."])
    first = suggest_frame(frame, CB_HOUSING, training=training, seed=seed)
    second = suggest_frame(frame, CB_HOUSING, training=training, seed=seed)
    assert first.by_coder[LEARNED] == second.by_coder[LEARNED]
    assert first.combined == second.combined
    assert first.params["learned"]["seed"] == seed


@pytest.mark.parametrize("rule,learned,expected", [(0.55, 0.9, 0.725), (0.55, 0.1, 0.325),
                                                   (0.0, 0.9, 0.45), (0.0, 0.1, None)])
def test_combined_score_with_a_learned_code(rule, learned, expected):
    parts = [[Suggestion("s", "theme.delais", learned, LEARNED)]]
    if rule:
        parts.append([Suggestion("s", "theme.delais", rule, "listening.rules.v2")])
    out = combine(*parts)
    assert [s.score for s in out] == ([] if expected is None else [pytest.approx(expected)])


@pytest.mark.parametrize("n_docs", [20])
def test_run_suggestions_learns_from_the_projects_codings(tmp_path, n_docs):
    from conftest import APP_CODEBOOK_YAML

    from listening.coding import run_suggestions
    from listening.model import Coding, RawTurn, build_document
    from listening.projects import create_project
    from listening.segment import segment_document
    from listening.store import add_codings, add_document, latest_run, suggestions_frame

    (tmp_path / "mini.yaml").write_text(APP_CODEBOOK_YAML, encoding="utf-8")
    project, _ = create_project(tmp_path / "projet", codebook=tmp_path / "mini.yaml")
    codings = []
    for d in range(n_docs + 1):
        doc = build_document(f"E{d}.txt", [RawTurn(_HOUSING[d % 5], "Usager"),
                                           RawTurn(_OTHER[d % 5], "Usager")],
                             external_id=f"E{d}", roles=["usager", "usager"])
        housing, other = segment_document(doc)
        add_document(project, doc, [housing, other], source_hash=doc.hash, pseudonymised=False)
        if d < n_docs:  # the last document is left for the machine
            codings += [Coding(housing.id, "theme.contact", "alice"),  # an odd team convention
                        Coding(other.id, "valence.positif", "alice")]
    add_codings(project, codings)
    run_id, result = run_suggestions(project)
    run = latest_run(project, "suggest")
    assert run["id"] == run_id
    learned = run["summary"]["params"]["learned"]
    assert learned["training_segments"] == 2 * n_docs and learned["min_positive"] == 5
    assert run["summary"]["params"]["stages"] == stage_params()  # how stages were decided
    assert run["summary"][LEARNED] == len(result.by_coder[LEARNED]) > 0
    stored = suggestions_frame(project)
    new = stored[(stored["document"] == f"E{n_docs}") & (stored["code_id"] == "theme.contact")]
    housing, other = new.sort_values("score", ascending=False).to_dict("records")
    # learned alone (no codebook cue): half the learned score, so shown by default only when
    # the model is confident (>= 0.8); always ranked above the turn that is not about housing
    assert housing["score"] > 0.3 > other["score"]
    assert housing["segment_id"] == segment_document(doc)[0].id
    assert any(e.startswith("appris des codages") for e in housing["evidence"])


def test_the_learned_coder_never_trains_on_accepted_suggestions(tmp_path):
    """Codings people made themselves are training examples; a segment whose codes came from
    accepting the machine's suggestions is not (it would learn back its own output)."""
    from listening.coding import human_codings
    from listening.model import Coding, RawTurn, build_document
    from listening.projects import create_project
    from listening.segment import segment_document
    from listening.store import add_codings, add_document, mark_reviewed

    project, _ = create_project(tmp_path / "projet")
    doc = build_document("E.txt", [RawTurn(t, "Usager") for t in _HOUSING[:4]],
                         external_id="E", roles=["usager"] * 4)
    manual, accepted, reviewed, both = segment_document(doc)
    add_document(project, doc, [manual, accepted, reviewed, both], source_hash=doc.hash,
                 pseudonymised=False)
    add_codings(project, [Coding(manual.id, "theme.delais", "alice"),
                          Coding(accepted.id, "theme.contact", "alice",
                                 origin="listening.combined.v1"),
                          # coded by hand by alice, and bulk-accepted under another name
                          Coding(both.id, "theme.delais", "alice"),
                          Coding(both.id, "theme.contact", "acceptation en bloc",
                                 origin="listening.combined.v1")])
    mark_reviewed(project, [reviewed.id], coder="alice")
    assert human_codings(project) == {manual.id: {"theme.delais"}, reviewed.id: set(),
                                      both.id: {"theme.delais"}}
