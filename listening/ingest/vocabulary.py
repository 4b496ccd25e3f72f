"""Words that tell a reader what a label means: a role, a category of workshop note, a stage,
or a header field that only looks like a speaker ("Date : 12 mars")."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Casefolded, accents stripped, whitespace collapsed: the form labels are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


# Inclusive spellings: enquêteur·rice, enquêteur.trice, usager·ère, participant·e ...
_INCLUSIVE = re.compile(r"[·.\-/(](?:trice|rice|euse|ere|e)\)?s?$")
_TRAILING_NUMBER = re.compile(r"[\s#_-]*\d+$")

_ROLE_WORDS = {
    "interviewer": (
        "e", "q", "enq", "int", "enqueteur", "enquetrice", "enqueteuse",
        "intervieweur", "intervieweuse", "interviewer", "inspecteur", "inspectrice",
        "animateur", "animatrice", "facilitateur", "facilitatrice", "moderateur", "moderatrice",
        "chercheur", "chercheuse", "charge d'etudes", "chargee d'etudes", "charge d'etude",
        "chargee d'etude", "question", "investigateur", "investigatrice",
    ),
    "usager": (
        "r", "rep", "reponse", "usager", "usagere", "interviewe", "interviewee",
        "enquete", "enquetee", "repondant", "repondante", "allocataire", "assure", "assuree",
        "beneficiaire", "temoin", "personne interrogee", "personne interviewee",
    ),
    "participant": ("participant", "participante"),
}
ROLE_OF_WORD = {word: role for role, words in _ROLE_WORDS.items() for word in words}
# Neutral labels that name a speaker without a role: "Speaker 1", "Intervenant 2", "P1".
GENERIC_SPEAKERS = frozenset(
    {"speaker", "locuteur", "locutrice", "intervenant", "intervenante", "interlocuteur",
     "interlocutrice", "orateur", "personne", "p", "s", "spk", "voix"}
)
# Words that start a "Key : value" header line or a remark, never a speaker.
HEADER_WORDS = frozenset(
    """date dates lieu lieux duree heure heures horaire objet objets theme themes sujet sujets
    note notes nb n.b remarque remarques titre contexte reference ref source sources projet
    conclusion conclusions synthese resume resumes exemple exemples ex attention important
    rappel precision precisions commentaire commentaires observation observations verbatim
    verbatims citation citations etape etapes parcours public publics territoire organisme
    organismes canal cas total motif motifs raison raisons probleme solution solutions bilan
    lien url email mail courriel tel telephone adresse nom prenom age profession situation
    statut objectif objectifs action actions decision decisions resultat resultats presents
    absents excuses redacteur redactrice version mots-cles mots cles fichier document duree
    transcription enregistrement support format mode modalite modalites entretien atelier
    seance session groupe equipe service structure departement region commune ville
    bref alors donc enfin ensuite puis mais et ou oui non voila bon ah oh euh sinon apres
    avant ici maintenant aujourd'hui hier demain vrai faux pour contre avantages
    inconvenients definition attendu attendus besoin besoins constat constats ps nota
    consigne consignes question-cle programme ordre du jour annexe annexes sommaire
    introduction partie chapitre participants participantes usagers enqueteurs animateurs
    intervenants questions""".split()
)


def role_of_label(label: str) -> str | None:
    """The role a label names ("Enquêtrice", "E", "Mme L. (usagère)"), or None."""
    folded = fold(label).strip(" :.*_[]")
    inner = re.findall(r"\(([^)]*)\)", folded)
    main = re.sub(r"\([^)]*\)", " ", folded).strip()
    main = re.sub(r"^(?:l'|le |la |les )", "", main)
    for candidate in (main, *inner, main.split(" ")[0] if main else ""):
        word = _INCLUSIVE.sub("", _TRAILING_NUMBER.sub("", candidate.strip())).strip(" .")
        if word in ROLE_OF_WORD:
            return ROLE_OF_WORD[word]
    return None


def is_generic_speaker(label: str) -> bool:
    """A neutral speaker label: "Speaker 1", "Intervenant", "P2", "Locutrice B"."""
    main = re.sub(r"\([^)]*\)", " ", fold(label)).strip(" :.*_")
    main = re.sub(r"\s+[a-z]$", "", main)  # "Locuteur B"
    base = _TRAILING_NUMBER.sub("", main).strip()
    return base in GENERIC_SPEAKERS and (base != main or len(base) > 2)


def is_header_word(label: str) -> bool:
    folded = fold(label).strip(" :.*_")
    first = folded.split(" ")[0] if folded else ""
    return folded in HEADER_WORDS or first in HEADER_WORDS


# --- workshop categories and stages -------------------------------------------------

_CATEGORIES = (
    ("irritant", r"irritants?|points? (de )?douleurs?|points? noirs?|difficultes?|freins?"
                 r"|problemes?|points? negatifs?|pain ?points?|ce qui (ne va pas|bloque|coince)"
                 r"|blocages?|obstacles?|insatisfactions?"),
    ("point d'appui", r"points? d'appui|points? positifs?|points? forts?|leviers?"
                      r"|satisfactions?|ce qui (marche|fonctionne|va bien|aide)|atouts?"
                      r"|appuis?|facilitateurs?|bonnes pratiques"),
    ("idée", r"idees?|pistes?( d'amelioration)?|ameliorations?|idees? d'amelioration"),
    ("suggestion", r"suggestions?|recommandations?|propositions?|preconisations?|solutions?"),
)
_CATEGORY_RES = [(name, re.compile(rf"^(?:{pattern})\b")) for name, pattern in _CATEGORIES]


def category_of(text: str) -> str | None:
    """The workshop category a heading, column or label names, or None."""
    folded = fold(text).strip(" :.*_-#")
    if not folded or len(folded.split()) > 6:
        return None
    for name, pattern in _CATEGORY_RES:
        if pattern.match(folded):
            return name
    return None


_STAGE_HEADERS = re.compile(
    r"^(etapes?|phases?|moments?|temps|sequences?|jalons?)( (du|de|des) (parcours|vie))?$"
    r"|^moments? de vie$|^etapes? du parcours( usager)?$"
)
_STAGE_LABEL = re.compile(r"^(etape|phase|moment|jalon)\b")


def names_stage_column(header: str) -> bool:
    """A column header saying its cells are stages ("Étape", "Étapes du parcours", "Phase")."""
    return bool(_STAGE_HEADERS.match(fold(header).strip(" :.*_")))


def names_stage(text: str) -> bool:
    """A heading, row label or column header that names a stage ("Étape 2 : la déclaration")."""
    return bool(_STAGE_LABEL.match(fold(text).strip(" :.*_#-")))


# --- metadata fields, as manifest keys or spreadsheet column headers -----------------

FIELD_ALIASES = {
    "type": "type", "journey": "journey", "parcours": "journey", "stage": "stage",
    "etape": "stage", "etapes": "stage", "etape du parcours": "stage", "public": "public",
    "publics": "public", "territory": "territory", "territoire": "territory",
    "organisations": "organisations", "organisation": "organisations",
    "organizations": "organisations", "organismes": "organisations",
    "organisme": "organisations", "date": "date", "interviewer": "interviewer",
    "enqueteur": "interviewer", "enquetrice": "interviewer", "enqueteur·rice": "interviewer",
    "channel": "channel", "canal": "channel", "case": "case", "cas": "case",
    "departement": "territory", "region": "territory", "commune": "territory",
    "category": "category", "categorie": "category", "valence": "category",
}


def field_of(name: str) -> str | None:
    """The Metadata field (or "category") a key or header names, French or English."""
    key = fold(name).strip(" :*_").replace("_", " ").replace("-", " ")
    return FIELD_ALIASES.get(key) or FIELD_ALIASES.get(key.replace(" ", ""))


_DATE_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?$")


def iso_date(value: object) -> str | None:
    """An ISO date from a date, "12/03/2026", "12-03-26" or "2026-03-12"; None if not one."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if m := _DATE_ISO.match(text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _DATE_DMY.match(text):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        year += 2000 if year < 100 else 0
    else:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def split_list(value: object) -> tuple[str, ...]:
    """Organisations written as a list or as "CAF; CPAM", "CAF | CPAM", "CAF, CPAM"."""
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
    else:
        items = re.split(r"[;|,]", str(value or ""))
    return tuple(i.strip() for i in items if i and i.strip())
