"""Finding persons in spoken French: spaCy's PER entities plus rules for what NER misses.

Rules: a title and a name ("Mme Garnier", "M. Fabre", "Mme L."), a relative or
professional then a name ("ma fille Lina", "mes enfants, Noah et Inès"), "je m'appelle X",
and first names from a lexicon. The title, when there is one, is part of the span.
Each result carries the gender its evidence suggests (title, relative, first name).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from presidio_analyzer import LocalRecognizer, RecognizerResult

from listening.pseudo_names import AMBIGUOUS, FIRST_NAMES, fold
from listening.recognizers import LANGUAGE, LOW, PERSON, UP

GENDER_KEY = "gender"

TITLE = (
    r"(?:(?i:madame|monsieur|mademoiselle|ma[iî]tre|docteure?|professeure?)"
    r"|M\.|MM\.|Mr\.?|Mme\.?|Mmes\.?|Mlle\.?|Dr\.?|Pr\.?|Me(?=\s+[" + UP + r"])|M(?=\s+[" + UP + r"]))"
)
FEMININE_TITLES = {"madame", "mademoiselle", "mme", "mmes", "mlle", "docteure", "professeure"}
MASCULINE_TITLES = {"monsieur", "m", "mr", "mm"}
TITLE_RE = re.compile(rf"^{TITLE}\s+")
TRAILING_TITLE_RE = re.compile(rf"(?<!\w){TITLE}\s+$")

PARTICLE = r"(?:(?:de|du|des|van|von|der|ben|bin|ibn|el|al|da|di|del|dos|das|le|la)\s+|[dD]['’]\s?)"
NAME_WORD = rf"(?:[{UP}]['’])?[{UP}][{LOW}]+(?:-[{UP}][{LOW}]+)*|[{UP}]{{2,}}(?:-[{UP}]{{2,}})*"
NAME = rf"{PARTICLE}?(?:{NAME_WORD})(?:[ ]{PARTICLE}?(?:{NAME_WORD})){{0,2}}"
INITIAL = rf"[{UP}]\.(?:[ ]?[{UP}]\.)?"

TITLED_RE = re.compile(rf"(?<![\w.]){TITLE}[ ]+(?:{NAME}|{INITIAL})")

KIN_F = (r"fille|femme|[ée]pouse|conjointe|compagne|copine|ex-femme|ex-compagne|s(?:œ|oe)ur"
         r"|m[èe]re|maman|grand-m[èe]re|mamie|mamy|tante|cousine|ni[èe]ce|petite-fille"
         r"|belle-m[èe]re|belle-s(?:œ|oe)ur|belle-fille|fianc[ée]e|voisine|amie|patronne"
         r"|gamine|a[îi]n[ée]e|cadette|assistante\s+sociale|conseill[èe]re|[ée]ducatrice"
         r"|r[ée]f[ée]rente|avocate|nounou|assistante\s+maternelle|coll[èe]gue|m[ée]decin")
KIN_M = (r"fils|mari|[ée]poux|conjoint|compagnon|copain|ex-mari|ex-compagnon|ex|fr[èe]re"
         r"|p[èe]re|papa|grand-p[èe]re|papi|papy|oncle|cousin|neveu|petit-fils|beau-p[èe]re"
         r"|beau-fr[èe]re|beau-fils|fianc[ée]|voisin|ami|patron|gamin|gar[çc]on|a[îi]n[ée]"
         r"|cadet|b[ée]b[ée]|enfant|conseiller|[ée]ducateur|r[ée]f[ée]rent|avocat|assistant\s+social")
KIN_PLURAL = (r"enfants|filles|fils|gar[çc]ons|petits|petits-enfants|jumeaux|jumelles|fr[èe]res"
              r"|s(?:œ|oe)urs|parents|gamins|petites")
NAME_LIST = rf"{NAME}(?:\s*(?:,|\bet\b)\s*{NAME})*"
KIN_RE = re.compile(
    r"(?i:\b(?:ma|mon|sa|son|ta|ton|notre|votre|leur|la|le)\s+"
    r"(?:(?:petite?|grande?|plus\s+jeune|dernier|derni[èe]re|premi[èe]re|premier)\s+)?"
    rf"(?:(?P<f>{KIN_F})|(?P<m>{KIN_M}))"
    r"|\b(?:mes|ses|nos|vos|leurs|les|tes)\s+(?:deux\s+|trois\s+|quatre\s+)?"
    rf"(?:{KIN_PLURAL}))"
    r"\s*(?:,|:)?\s*(?i:(?:qui\s+)?(?:s['’]appell?ent?|s['’]appelait)\s+)?"
    rf"(?P<names>{NAME_LIST})"
)
CALLED_RE = re.compile(
    r"(?i:\b(?:je\s+m['’]appelle|(?:il|elle|ils|elles|qui|on)\s+s['’]appell?ent?"
    r"|s['’]appelait|appel[ée]e?s?|pr[ée]nomm[ée]e?s?|d[ée]nomm[ée]e?s?|surnomm[ée]e?s?"
    r"|c['’]est\s+moi,?|je\s+vous\s+pr[ée]sente|voici|chez\s+les|(?:la\s+)?famille"
    r"|les\s+[ée]poux)\s+)"
    rf"(?P<names>{NAME_LIST})"
)
# "Maëva, ma petite sœur": a name followed by a relative in apposition
APPOSITIVE_RE = re.compile(
    rf"(?<![\w'’\-])(?P<names>{NAME})\s*,\s*"
    r"(?i:(?:ma|mon|sa|son|notre|leur|votre)\s+(?:(?:petite?|grande?|plus\s+jeune|cadette?"
    rf"|a[îi]n[ée]e?)\s+)?(?:(?P<f>{KIN_F})|(?P<m>{KIN_M}))\b)"
)
WORD_RE = re.compile(rf"(?:(?<=\b[dDlLjJ]['’])|(?<![\w'’\-]))(?:{NAME_WORD})(?![\w'’])")
LOWER_WORD_RE = re.compile(rf"(?<![\w'’\-])[{LOW}]+(?:-[{LOW}]+)?(?![\w'’\-])")
SURNAME_AFTER_RE = re.compile(rf"[ ]+{PARTICLE}?(?:{NAME_WORD})(?![\w'’])")
SPLIT_NAMES_RE = re.compile(r"\s*(?:,|\bet\b)\s*")

# Words spaCy tags as PER in spoken French that are not persons.
NOT_NAMES = frozenset(
    fold(w) for w in """
    bah ben bon bonjour bonsoir euh hein ok okay ouais oui non voila alors enfin bref merci
    madame monsieur mademoiselle maitre docteur m mme mr mlle dr enqueteur enqueteure
    enquetrice usager usagere participant participante intervieweur interviewer animateur
    animatrice allocataire beneficiaire agent conseiller conseillere papa maman mamie papi
    dieu jesus noel covid vitale ameli gouv euros aah rsa apl caf cpam msa jeudi lundi mardi
    numero salut coucou allo
    mercredi vendredi samedi dimanche
    """.split()
)
# Nouns after a title that make a function, not a name ("Monsieur le Maire").
FUNCTIONS = frozenset(
    fold(w) for w in """maire directeur directrice president presidente juge ministre prefet
    prefete depute deputee senateur senatrice conseiller conseillere docteur professeur
    inspecteur inspectrice commissaire adjoint adjointe""".split()
)
# A capitalised word right after one of these names a place, not a person.
PLACE_WORDS_RE = re.compile(
    r"(?i:\b(?:[ée]cole|coll[èe]ge|lyc[ée]e|h[ôo]pital|clinique|centre|chu|place|rue|avenue"
    r"|boulevard|bd|gare|stade|quai|salle|r[ée]sidence|cit[ée]|all[ée]e|impasse|square|pont"
    r"|mus[ée]e|universit[ée]|fac|iut|cr[èe]che|m[ée]diath[èe]que|quartier|saint|sainte)"
    r"\s+(?:de\s+la\s+|du\s+|de\s+|des\s+)?)$"
)


def title_gender(title: str) -> str | None:
    key = fold(title).rstrip(".")
    if key in FEMININE_TITLES:
        return "F"
    if key in MASCULINE_TITLES:
        return "M"
    return None


def name_gender(name: str) -> str | None:
    """The gender of a name's first word, when it is a known first name."""
    first = fold(name.split()[0]) if name.split() else ""
    return FIRST_NAMES.get(first)


def _capitalised(word: str) -> bool:
    return bool(word) and word[0].isupper()


def _function_words(name: str) -> bool:
    words = [fold(w).strip(".") for w in re.split(r"[\s'’]+", name) if w]
    words = [w for w in words if w not in {"le", "la", "de", "du", "des", "d", "l"}]
    return bool(words) and all(w in FUNCTIONS or w in NOT_NAMES for w in words)


def _sentence_start(text: str, start: int, more: str = "", exclude: str = "") -> bool:
    if text[max(0, start - 2):start] == "  ":
        return True  # two spaces: a line break flattened by a spreadsheet
    before = text[:start].rstrip()
    marks = "".join(c for c in ".!?:;…\n«\"-–—(" + more if c not in exclude)
    return not before or before[-1] in marks


def _no_common_words(word: str) -> bool:
    return False


class FrenchPersonRecognizer(LocalRecognizer):
    """spaCy PER entities (via NlpArtifacts) plus rules; each result has a gender.

    `is_common_word(lower_word)` tells a dictionary word; NER spans made only of such words
    at the start of a sentence or list item ("Bonne question", "Santé, Emploi") are dropped.
    """

    def __init__(self, is_common_word: Callable[[str], bool] = _no_common_words) -> None:
        self.is_common_word = is_common_word
        super().__init__(supported_entities=[PERSON], supported_language=LANGUAGE,
                         name="listening.FrenchPersonRecognizer")

    def load(self) -> None:
        """Presidio's hook for loading resources; everything here is built at construction."""

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102 (Presidio API)
        found: list[tuple[int, int, float, str | None]] = []
        found += self._titled(text)
        found += self._kin_and_called(text)
        found += self._lexicon(text)
        if nlp_artifacts is not None:
            found += self._ner(text, nlp_artifacts)
        results = []
        for start, end, score, gender in found:
            if PLACE_WORDS_RE.search(text[max(0, start - 40) : start]):
                continue
            results.append(self._result(start, end, score, gender))
        return results

    def _result(self, start, end, score, gender):
        return RecognizerResult(PERSON, start, end, score, recognition_metadata={
            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            GENDER_KEY: gender,
        })

    def _titled(self, text):
        for m in TITLED_RE.finditer(text):
            title = TITLE_RE.match(m.group())
            name = m.group()[title.end():] if title else m.group()
            if _function_words(name):
                continue
            yield m.start(), m.end(), 0.95, title_gender(title.group().strip()) if title else None

    def _kin_and_called(self, text):
        for regex in (KIN_RE, CALLED_RE, APPOSITIVE_RE):
            for m in regex.finditer(text):
                gender = "F" if m.groupdict().get("f") else "M" if m.groupdict().get("m") else None
                pos = m.start("names")
                for part in SPLIT_NAMES_RE.split(m.group("names")):
                    start = text.index(part, pos)
                    pos = start + len(part)
                    if part and not _function_words(part):
                        yield start, pos, 0.9, gender or name_gender(part)

    def _lexicon(self, text):
        for m in WORD_RE.finditer(text):
            word = m.group()
            key = fold(word)
            if key not in FIRST_NAMES and not all(p in FIRST_NAMES for p in key.split("-")):
                continue
            if word.isupper() and len(word) > 1 and not text.isupper():
                continue  # an all-caps word is a surname or an acronym
            if key in AMBIGUOUS and _sentence_start(text, m.start(), exclude=":"):
                continue
            end = m.end()
            after = SURNAME_AFTER_RE.match(text, end)
            if after and fold(after.group().strip()) not in NOT_NAMES:
                end = after.end()
            yield m.start(), end, 0.75, FIRST_NAMES.get(key) or name_gender(word)
        if self.is_common_word is not _no_common_words:
            yield from self._lower_case_names(text)

    def _lower_case_names(self, text):
        """"avec sylvie": a known first name that is no French word, even in lower case."""
        for m in LOWER_WORD_RE.finditer(text):
            word = m.group()
            key = fold(word)
            if (key in FIRST_NAMES and key not in AMBIGUOUS and len(word) > 2
                    and not self.is_common_word(word) and not _after_determiner(text, m.start())):
                yield m.start(), m.end(), 0.6, FIRST_NAMES[key]

    def _ner(self, text, nlp_artifacts):
        persons = [e for e in nlp_artifacts.entities if e.label_ in ("PER", PERSON)]
        if not persons or _mostly_upper(text):
            return  # all-caps writing: NER tags random words; the rules still run
        for ent in persons:
            span = _clean_ner_span(text, ent.start_char, ent.end_char)
            if span is None:
                continue
            start, end = span
            title = TRAILING_TITLE_RE.search(text, max(0, start - 15), start)
            if not title and self._common_words_only(text, start, end):
                continue
            gender = title_gender(title.group().strip()) if title else None
            if title:
                start = title.start()
            yield start, end, 0.85, gender or name_gender(text[start:end])

    def _common_words_only(self, text: str, start: int, end: int) -> bool:
        words = [w.lower() for w in re.findall(r"[^\W\d_]+", text[start:end])]
        if any(fold(w) in FIRST_NAMES for w in words):
            return False
        common = all(self.is_common_word(w) or fold(w) in NOT_NAMES for w in words)
        if not common:
            return False
        return len(words) > 1 or _sentence_start(text, start, ",") or _after_determiner(text, start)


DETERMINER_BEFORE_RE = re.compile(
    r"(?i:\b(?:le|la|les|l['’]|du|des|de|d['’]|au|aux|un|une|sa|son|ses|ma|mon|mes)\s*)$")


def _after_determiner(text: str, start: int) -> bool:
    """"la Complémentaire", "caisses de Retraite": a determiner makes it a noun."""
    return bool(DETERMINER_BEFORE_RE.search(text[max(0, start - 8):start]))


def _mostly_upper(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 20 and sum(c.isupper() for c in letters) > 0.6 * len(letters)


LOWER_PARTICLES = frozenset(
    "de du des d le la van von der ben bin ibn el al da di del dos das".split())


def _clean_ner_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Trim a PER span to a plausible name, or None when it cannot be one."""
    value = text[start:end]
    if "\n" in value:
        value = value.split("\n", 1)[0]
    value = value.rstrip(" .,;:!?»)").lstrip(" «(")
    start = text.index(value, start) if value else start
    # leading greetings and particles: "Bonjour Ibrahima", "la Carsat"
    while (lead := re.match(r"(\S+)\s+", value)) and (
            fold(lead.group(1)) in NOT_NAMES or lead.group(1) in LOWER_PARTICLES):
        value, start = value[lead.end():], start + lead.end()
    end = start + len(value)
    words = value.split()
    if not words or len(words) > 4 or "  " in value or any(c.isdigit() for c in value):
        return None
    if not words[0][0].isupper() or re.match(r"(?i:saint|sainte|st|ste)-", value):
        return None  # "Saint-Pierre" is a town
    if any(w[0].islower() and fold(w).strip("'’") not in LOWER_PARTICLES for w in words):
        return None  # "président de la République", "justuice SOCIALE"
    if any(re.fullmatch(r"(?:\w\.){2,}\w?\.?", w) for w in words):
        return None  # acronyms with dots: "M.E.N."
    if len(words) == 1 and value.isupper() and fold(value) not in FIRST_NAMES:
        return None  # "ASF", "PAYÉES": acronyms and shouting, not names
    if all(fold(w.strip(".,'’")) in NOT_NAMES for w in words) or _function_words(value):
        return None
    if len(words) == 1 and len(value) < 2:
        return None
    return start, end
