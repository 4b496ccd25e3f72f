"""The speaker parser and role inference, on the layouts people really use."""

import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from listening.errors import InputError
from listening.ingest import infer_roles, parse_turns
from listening.model import RawTurn, normalise_text


def triples(turns):
    return [(t.speaker, t.timestamp, t.text) for t in turns]


LAYOUTS = {
    "enqueteur": (
        "Enquêteur : Bonjour, vous pouvez vous présenter ?\nMme Dupont : Oui, j'ai 42 ans.",
        [("Enquêteur", None, "Bonjour, vous pouvez vous présenter ?"),
         ("Mme Dupont", None, "Oui, j'ai 42 ans.")],
    ),
    "enquetrice-inspectrice": (
        "Enquêtrice : Bonjour ?\nInspectrice : Et la CAF ?\nM. Dupont : Rien reçu.",
        [("Enquêtrice", None, "Bonjour ?"), ("Inspectrice", None, "Et la CAF ?"),
         ("M. Dupont", None, "Rien reçu.")],
    ),
    "e-r": (
        "E : Vous habitez où ?\nR : À Lens.\nE : Depuis quand ?\nR : 2019.",
        [("E", None, "Vous habitez où ?"), ("R", None, "À Lens."),
         ("E", None, "Depuis quand ?"), ("R", None, "2019.")],
    ),
    "q-r": (
        "Q : Et la retraite ?\nR : Pas encore demandée.",
        [("Q", None, "Et la retraite ?"), ("R", None, "Pas encore demandée.")],
    ),
    "initials": (
        "Mme L. : J'ai appelé.\nE : Et alors ?\nMme L. : Rien.",
        [("Mme L.", None, "J'ai appelé."), ("E", None, "Et alors ?"), ("Mme L.", None, "Rien.")],
    ),
    "bold-outside": (
        "**Marie** : Bonjour\n**Karim** : Bonjour Marie ?",
        [("Marie", None, "Bonjour"), ("Karim", None, "Bonjour Marie ?")],
    ),
    "bold-inside": (
        "**Marie :** Bonjour\n**Karim :** Bonjour Marie ?",
        [("Marie", None, "Bonjour"), ("Karim", None, "Bonjour Marie ?")],
    ),
    "bracket-time-first": (
        "[00:12:03] Marie : Bonjour\n[00:12:09] Karim : Ça va ?",
        [("Marie", "00:12:03", "Bonjour"), ("Karim", "00:12:09", "Ça va ?")],
    ),
    "bare-time-first": (
        "00:12:03 Marie : Bonjour\n00:12:09 Karim : Ça va ?",
        [("Marie", "00:12:03", "Bonjour"), ("Karim", "00:12:09", "Ça va ?")],
    ),
    "time-after-name": (
        "Marie (00:12:03) : Bonjour\nKarim (00:12:09) : Ça va ?",
        [("Marie", "00:12:03", "Bonjour"), ("Karim", "00:12:09", "Ça va ?")],
    ),
    "no-space-colon": (
        "Interviewer: How long?\nInterviewée: Trois mois.",
        [("Interviewer", None, "How long?"), ("Interviewée", None, "Trois mois.")],
    ),
    "nbsp-before-colon": (
        "Enquêtrice\u00a0: Bonjour\u202f?\nMme Durand\u00a0: Oui.",
        [("Enquêtrice", None, "Bonjour ?"), ("Mme Durand", None, "Oui.")],
    ),
    "label-alone-then-text": (
        "Enquêteur :\nBonjour, vous avez reçu le courrier ?\n\nMme Petit :\nNon, jamais.",
        [("Enquêteur", None, "Bonjour, vous avez reçu le courrier ?"),
         ("Mme Petit", None, "Non, jamais.")],
    ),
    "teams-name-time-line": (
        "Marie Dupont   0:03\nBonjour à tous.\nKarim Benali   0:10\nBonjour ?\n"
        "Marie Dupont   0:15\nOui.",
        [("Marie Dupont", "0:03", "Bonjour à tous."), ("Karim Benali", "0:10", "Bonjour ?"),
         ("Marie Dupont", "0:15", "Oui.")],
    ),
    "zoom-bracket-name-time": (
        "[Marie Dupont] 10:02:15\nBonjour.\n[Karim Benali] 10:02:20\nBonjour ?",
        [("Marie Dupont", "10:02:15", "Bonjour."), ("Karim Benali", "10:02:20", "Bonjour ?")],
    ),
    "dash-separator-role-words": (
        "Enquêteur – Bonjour ?\nUsager – Bonjour.",
        [("Enquêteur", None, "Bonjour ?"), ("Usager", None, "Bonjour.")],
    ),
    "generic-speakers": (
        "Speaker 1: Hello?\nSpeaker 2: Bonjour.\nSpeaker 1: Ok.",
        [("Speaker 1", None, "Hello?"), ("Speaker 2", None, "Bonjour."),
         ("Speaker 1", None, "Ok.")],
    ),
    "upper-case": (
        "ENQUÊTRICE : Bonjour ?\nMME DURAND : Oui.",
        [("ENQUÊTRICE", None, "Bonjour ?"), ("MME DURAND", None, "Oui.")],
    ),
    "bullets-and-abbreviations": (
        "- INT : Bonjour ?\n- RÉP : Oui.\n- E. : Et ?",
        [("INT", None, "Bonjour ?"), ("RÉP", None, "Oui."), ("E.", None, "Et ?")],
    ),
    "question-reponse": (
        "Question : Comment ça s'est passé ?\nRéponse : Mal.",
        [("Question", None, "Comment ça s'est passé ?"), ("Réponse", None, "Mal.")],
    ),
    "hyphenated-names": (
        "Jean-Pierre : Bonjour ?\nMarie-Claude Dubois : Oui.\nJean-Pierre : Alors ?",
        [("Jean-Pierre", None, "Bonjour ?"), ("Marie-Claude Dubois", None, "Oui."),
         ("Jean-Pierre", None, "Alors ?")],
    ),
    "described-speaker": (
        "Enquêtrice : Bonjour ?\nMme L. (58 ans, allocataire RSA) : Bonjour.",
        [("Enquêtrice", None, "Bonjour ?"), ("Mme L. (58 ans, allocataire RSA)", None, "Bonjour.")],
    ),
    "otter-speaker-time-line": (
        "Speaker 1  0:00\nBonjour tout le monde ?\n\nSpeaker 2  0:05\nBonjour.",
        [("Speaker 1", "0:00", "Bonjour tout le monde ?"), ("Speaker 2", "0:05", "Bonjour.")],
    ),
    "whisper-timed-lines": (
        "[00:00.000 --> 00:04.000]  Bonjour à tous.\n[00:04.000 --> 00:08.000]  On commence.",
        [("", "00:00.000", "Bonjour à tous."), ("", "00:04.000", "On commence.")],
    ),
    "dialogue-dashes": (
        "— Bonjour, vous venez pour quoi ?\n— Pour ma retraite.",
        [("", None, "Bonjour, vous venez pour quoi ?"), ("", None, "Pour ma retraite.")],
    ),
    "tab-separated-columns": (
        "Speaker 1\t00:00:05\tBonjour ?\nSpeaker 2\t00:00:09\tOui.\n\tet ensuite",
        [("Speaker 1", "00:00:05", "Bonjour ?"), ("Speaker 2", "00:00:09", "Oui.\net ensuite")],
    ),
    "id-prefix-one-turn-per-line": (
        "d01000000 Bonjour Madame. Pourquoi vous venez ?\np01000000 J'ai mal au ventre.\n"
        "d01050051 Depuis quand ?\np01050051 Hier soir.",
        [("d", None, "Bonjour Madame. Pourquoi vous venez ?"), ("p", None, "J'ai mal au ventre."),
         ("d", None, "Depuis quand ?"), ("p", None, "Hier soir.")],
    ),
}


@pytest.mark.parametrize("text, expected", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_speaker_layouts(text, expected):
    assert triples(parse_turns(text)) == expected


def test_continuation_lines_and_paragraphs_join_the_current_turn():
    text = ("Enquêteur : Racontez-moi.\nMme Petit : J'ai appelé la CAF\nplusieurs fois.\n\n"
            "Personne ne répondait.\n\nEnquêteur : Et ensuite ?")
    assert triples(parse_turns(text)) == [
        ("Enquêteur", None, "Racontez-moi."),
        ("Mme Petit", None, "J'ai appelé la CAF\nplusieurs fois.\nPersonne ne répondait."),
        ("Enquêteur", None, "Et ensuite ?"),
    ]


@pytest.mark.parametrize(
    "header",
    ["Date : 12 mars 2026", "Lieu : CAF de Lille", "Note : entretien court",
     "Durée : 45 min", "Objet : retraite anticipée", "Participants : Marie, Paul, Jean"],
)
def test_header_lines_are_not_taken_for_speakers(header):
    text = f"{header}\n\nEnquêteur : Bonjour ?\nM. Leroy : Bonjour.\nEnquêteur : Alors ?"
    turns = parse_turns(text)
    assert triples(turns)[0] == ("", None, header)
    assert [t.speaker for t in turns[1:]] == ["Enquêteur", "M. Leroy", "Enquêteur"]


@pytest.mark.parametrize(
    "text",
    [
        "Pour résumer : la CAF ne répond pas.\nEt pourtant : j'ai tout envoyé.",
        "Bref : rien.\nRésultat : trois mois d'attente.",
        "Voir https://www.caf.fr pour le simulateur.",
        "Rendez-vous à 10:30 : personne.",
    ],
)
def test_colons_in_prose_are_not_labels(text):
    assert all(t.speaker == "" for t in parse_turns(text))


def test_agenda_lines_with_times_are_not_speakers():
    text = "Accueil 9:30\nCafé et présentations.\nRestitution 11:45\nChaque groupe présente."
    assert {t.speaker for t in parse_turns(text)} == {""}


@pytest.mark.parametrize("letters, roles", [("EI", ["interviewer", "usager"]),
                                            ("ER", ["interviewer", "usager"]),
                                            ("QR", ["interviewer", "usager"])])
def test_letter_pairs(letters, roles):
    turns = parse_turns(f"{letters[0]} : Bonjour ?\n{letters[1]} : Bonjour.\n"
                        f"{letters[0]} : Alors ?\n{letters[1]} : Bof.")
    assert infer_roles(turns) == roles * 2


def test_a_name_speaking_once_inside_a_dialogue_is_a_speaker():
    text = "Marie : Bonjour\nKarim : Oui ?\nMarie : Oui\nPaul : Je suis là aussi."
    assert [t.speaker for t in parse_turns(text)] == ["Marie", "Karim", "Marie", "Paul"]


def test_notes_without_labels_become_paragraph_turns():
    text = ("Atelier du 3 mars\n\nLes participants trouvent les délais longs.\n"
            "Ils veulent un simulateur.\n\n- premier point\n- second point")
    assert triples(parse_turns(text)) == [
        ("", None, "Atelier du 3 mars"),
        ("", None, "Les participants trouvent les délais longs.\nIls veulent un simulateur."),
        ("", None, "premier point"),
        ("", None, "second point"),
    ]


def test_notes_without_blank_lines_split_at_sentence_ends():
    text = "Les délais sont longs.\nIls veulent un simulateur\nen ligne.\nPersonne ne répond."
    assert [t.text for t in parse_turns(text)] == [
        "Les délais sont longs.", "Ils veulent un simulateur\nen ligne.", "Personne ne répond."]


def test_workshop_headings_give_stage_and_category():
    text = ("# Atelier naissance\n\n## 1. Grossesse\n\n### Irritants\n\n- Trop de rendez-vous\n\n"
            "### Idées\n\n- Un seul interlocuteur\n\n## 2. Déclaration\n\n### Irritants\n\n"
            "- Formulaire illisible\n\nIdée : un simulateur\n")
    got = [(t.text, dict(t.attrs)) for t in parse_turns(text)]
    assert ("Trop de rendez-vous", {"section": "Irritants", "etape": "1. Grossesse",
                                    "categorie": "irritant"}) in got
    assert ("Un seul interlocuteur", {"section": "Idées", "etape": "1. Grossesse",
                                      "categorie": "idée"}) in got
    assert ("Formulaire illisible", {"section": "Irritants", "etape": "2. Déclaration",
                                     "categorie": "irritant"}) in got
    assert ("Idée : un simulateur", {"section": "Irritants", "etape": "2. Déclaration",
                                     "categorie": "idée"}) in got
    assert got[0] == ("Atelier naissance", {"section": "Atelier naissance"})  # not a stage


def test_category_lines_introduce_a_list():
    text = "Irritants :\n- délais\n- accueil\n\nLe groupe a ensuite voté."
    assert [(t.text, t.attrs.get("categorie")) for t in parse_turns(text)] == [
        ("Irritants :", "irritant"), ("délais", "irritant"), ("accueil", "irritant"),
        ("Le groupe a ensuite voté.", None)]


def test_stage_heading_named_etape():
    text = "## Étape 2 : la déclaration\n\nEnquêtrice : Bonjour ?\nMme Roux : Oui."
    assert {t.attrs.get("etape") for t in parse_turns(text)} == {"Étape 2 : la déclaration"}


def test_user_speaker_pattern():
    text = "<Marie> bonjour\n<Karim> salut\nsuite du propos\n<Marie> au revoir"
    turns = parse_turns(text, speaker_pattern=r"<(?P<speaker>\w+)>")
    assert triples(turns) == [("Marie", None, "bonjour"), ("Karim", None, "salut\nsuite du propos"),
                              ("Marie", None, "au revoir")]


def test_user_speaker_pattern_with_time():
    text = "12:03|Marie|bonjour\n12:09|Karim|salut"
    turns = parse_turns(text, speaker_pattern=r"(?P<time>[\d:]+)\|(?P<speaker>\w+)\|")
    assert triples(turns) == [("Marie", "12:03", "bonjour"), ("Karim", "12:09", "salut")]


@pytest.mark.parametrize(
    "pattern, message",
    [
        (r"(?P<speaker>\w+", "s.txt : motif de locuteur invalide (missing ), unterminated "
                             "subpattern at position 0) : corrigez speaker_pattern, par exemple "
                             "« (?P<speaker>[^:]+) : »"),
        (r"(\w+) :", "s.txt : le motif de locuteur doit contenir un groupe nommé "
                     "(?P<speaker>...) : corrigez speaker_pattern, par exemple "
                     "« (?P<speaker>[^:]+) : »"),
        (r"(?P<speaker>\d{9})", "s.txt : aucun locuteur trouvé avec le motif "
                                 "« (?P<speaker>\\d{9}) » : vérifiez speaker_pattern (il est "
                                 "essayé au début de chaque ligne)"),
    ],
    ids=["invalid", "no-group", "no-match"],
)
def test_bad_speaker_pattern(pattern, message):
    with pytest.raises(InputError) as err:
        parse_turns("Marie : bonjour", source="s.txt", speaker_pattern=pattern)
    assert str(err.value) == message


# --- roles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "speakers, expected",
    [
        (["Enquêteur", "Mme Dupont"], ["interviewer", "usager"]),
        (["Enquêtrice", "Usagère"], ["interviewer", "usager"]),
        (["E", "R"], ["interviewer", "usager"]),
        (["Q", "R"], ["interviewer", "usager"]),
        (["Intervieweur", "Participant"], ["interviewer", "participant"]),
        (["Animatrice", "Jeanne"], ["interviewer", "usager"]),
        (["Facilitateur", "Participante 2"], ["interviewer", "participant"]),
        (["Inspecteur", "M. Leroy"], ["interviewer", "usager"]),
        (["Mme Roux (usagère)", "Claire (enquêtrice)"], ["usager", "interviewer"]),
    ],
)
def test_roles_from_known_labels(speakers, expected):
    turns = [RawTurn("Bonjour.", s) for s in speakers]
    assert infer_roles(turns) == expected


def test_interviewer_guessed_from_questions_order_and_length():
    turns = [
        RawTurn("Vous pouvez vous présenter ?", "Claire"),
        RawTurn("Oui, j'ai 54 ans, je suis au chômage depuis deux ans et demi.", "Bernard"),
        RawTurn("Et la retraite, vous y pensez ?", "Claire"),
        RawTurn("Tous les jours, mais personne ne sait me dire quand je pourrai partir.",
                "Bernard"),
    ]
    assert infer_roles(turns) == ["interviewer", "usager", "interviewer", "usager"]


def test_roles_stay_unknown_when_no_one_stands_out():
    turns = [RawTurn("Bonjour.", "Claire"), RawTurn("Bonjour.", "Bernard")]
    assert infer_roles(turns) == ["unknown", "unknown"]


@pytest.mark.parametrize("doc_type, expected", [("entretien", "unknown"),
                                                 ("atelier", "participant"),
                                                 ("verbatim", "usager")])
def test_unlabelled_turns_take_the_document_type_role(doc_type, expected):
    turns = [RawTurn("Les délais sont longs."), RawTurn("Personne ne répond.")]
    assert infer_roles(turns, doc_type=doc_type) == [expected, expected]


def test_stated_role_wins():
    turns = [RawTurn("Bonjour ?", "E"), RawTurn("Bonjour.", "R", role="participant")]
    assert infer_roles(turns) == ["interviewer", "participant"]


def test_workshop_speakers_are_participants():
    turns = [RawTurn("Qu'est-ce qui vous a gênés ?", "Animatrice"),
             RawTurn("Les délais.", "Sophie"), RawTurn("Le téléphone.", "Paul")]
    assert infer_roles(turns, doc_type="atelier") == ["interviewer", "participant", "participant"]


# --- properties -------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
LABELS = ["Enquêteur", "Mme Dupont", "E", "R", "**Marie**", "[00:12:03] Karim", "Note",
          "Date", "M. Leroy (00:01:02)", "Interviewer", "Marie Dupont   0:03", "d01000000"]
fragments = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(LABELS).map(lambda label: label + " : "),
    st.sampled_from(LABELS),
    st.sampled_from(["\n", "\n\n", " : ", ":", "# ", "- ", "**", "?", "\u00a0:", "\r\n",
                     "Irritants :\n", "00:01:02 --> 00:01:03", "[00:00:05]", "\t",
                     "\nSpeaker 1\t00:00:05\t", "\nMme Roux\t"]),
    st.text(alphabet="abcdeéèàç ÉA.:?\n-*#[]()0123456789", max_size=30),
)


_MARKER = re.compile(  # a time marker alone on its line dates the next turn; it is not text
    r"^\s*[\[(]?\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?"
    r"(?:\s*(?:-->|–|-)\s*\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?)?[\])]?\s*$")


def _squash(text):
    lines = [line for line in normalise_text(text).split("\n") if not _MARKER.match(line)]
    return " ".join(" ".join(lines).split())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(fragments, max_size=25).map("".join))
def test_parse_turns_never_crashes_nor_invents_or_loses_text(text):
    turns = parse_turns(text)
    squashed = _squash(text)
    for turn in turns:
        assert turn.text.strip() == turn.text and turn.text
        assert _squash(turn.text) in squashed
    kept = Counter()
    for turn in turns:
        for field in (turn.speaker, turn.timestamp or "", turn.text, turn.attrs.get("ref", "")):
            kept.update(_WORD.findall(_STAMP.sub(" ", normalise_text(field))))
    # Only a speaker label left without any utterance ("Enquêteur :" at the very end) may go.
    # Time stamps are kept apart (RawTurn.timestamp), not counted as words.
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line for line in raw if not _label_only(line)]
    assert Counter(_WORD.findall(_STAMP.sub(" ", normalise_text("\n".join(lines))))) <= kept


def _label_only(line):
    _, tab, after = line.partition("\t")
    if tab and not _WORD.search(after):
        return True  # "Mme Roux<tab>" with nothing after the tab
    bare = normalise_text(line).rstrip("*_ ")
    return len(bare.split()) <= 8 and (bare.endswith(":") or _TIME.search(bare) is not None)


_TIME = re.compile(r"\d{1,2}:\d{2}")
_STAMP = re.compile(r"\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?")
