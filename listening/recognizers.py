"""Presidio recognizers for French identifiers: phones, emails, NIR, IBAN, SIREN/SIRET,
file numbers, dates of birth and postal addresses.

Each recognizer finds candidates with a regular expression and validates them with
python-stdnum or phonenumbers. A candidate that fails its checksum is still reported
when the words just before it say what it is ("numéro de sécu", "IBAN", "SIRET").
Persons live in `person_recognizer.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers
import tldextract
from presidio_analyzer import EntityRecognizer, LocalRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import EmailRecognizer
from stdnum import iban as std_iban
from stdnum.fr import nir as std_nir
from stdnum.fr import siren as std_siren
from stdnum.fr import siret as std_siret
from stdnum.fr import tva as std_tva

from listening.pseudo_names import fold

LANGUAGE = "fr"
UP = "A-ZÀ-ÖØ-ÞŒ"
LOW = "a-zß-öø-ÿœ"
CAPWORD = rf"[{UP}][\w'’\-]*"

# Labels (also the Presidio entity names) and their French tags.
PERSON = "PERSON"
PHONE = "PHONE"
EMAIL = "EMAIL"
NIR = "NIR"
IBAN = "IBAN"
ADDRESS = "ADDRESS"
BIRTH_DATE = "BIRTH_DATE"
FILE_NUMBER = "FILE_NUMBER"
SIRET = "SIRET"
LOCATION = "LOCATION"
TAGS = {
    PERSON: "[PERSONNE]",
    PHONE: "[TÉLÉPHONE]",
    EMAIL: "[EMAIL]",
    NIR: "[NIR]",
    IBAN: "[IBAN]",
    ADDRESS: "[ADRESSE]",
    BIRTH_DATE: "[DATE_NAISSANCE]",
    FILE_NUMBER: "[NUMÉRO_DOSSIER]",
    SIRET: "[SIRET]",
    LOCATION: "[LIEU]",
}

CONTEXT_WINDOW = 80  # characters before a candidate searched for context words


def context_before(text: str, start: int, pattern: re.Pattern[str]) -> bool:
    """Whether `pattern` occurs in the folded text just before `start`."""
    return bool(pattern.search(fold(text[max(0, start - CONTEXT_WINDOW) : start])))


def _words(*words: str) -> re.Pattern[str]:
    alternatives = "|".join(w.replace("'", "['’]") for w in words)
    return re.compile(r"(?<!\w)(?:" + alternatives + r")(?!\w)")


def compact(value: str) -> str:
    return re.sub(r"[\s.\-/()]", "", value)


class FrenchRecognizer(LocalRecognizer):
    """A recognizer of one entity whose candidates come from `candidates()`."""

    ENTITY = ""

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], supported_language=LANGUAGE,
                         name=f"listening.{type(self).__name__}")

    def load(self) -> None:
        """Presidio's hook for loading resources; everything here is built at construction."""

    def candidates(self, text: str) -> Iterator[tuple[int, int, float]]:
        """(start, end, score) of each match; every subclass defines it."""
        raise NotImplementedError(type(self).__name__)

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102 (Presidio API)
        return [self.result(start, end, score) for start, end, score in self.candidates(text)]

    def result(self, start: int, end: int, score: float, **metadata: object) -> RecognizerResult:
        return RecognizerResult(
            self.ENTITY, start, end, score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                **metadata,
            },
        )


# --- phones -------------------------------------------------------------------

PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)[ .]?33[ .]?(?:\(0\)[ .]?)?|0[ .]?)[1-9](?:[ .\-/]?\d){8}"
    r"(?!\d)(?![ .\-/]\d)"
)


class FrenchPhoneRecognizer(FrenchRecognizer):
    """06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 …, +33 (0)6 …, 0033 6 …"""

    ENTITY = PHONE

    def candidates(self, text):
        for m in PHONE_RE.finditer(text):
            number = m.group().replace("(0)", "")
            number = "+" + number[2:] if number.startswith("00") else number
            try:
                parsed = phonenumbers.parse(number, "FR")
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(parsed):
                yield m.start(), m.end(), 1.0
            elif phonenumbers.is_possible_number(parsed):
                yield m.start(), m.end(), 0.6


# --- emails (Presidio's, without network) -------------------------------------

# Presidio validates domains with tldextract's module-level extractor, which fetches the
# public suffix list over HTTP. This one reads only the snapshot shipped in the package.
OFFLINE_TLD = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(),
                                    fallback_to_snapshot=True)


class OfflineEmailRecognizer(EmailRecognizer):
    def __init__(self) -> None:
        super().__init__(supported_language=LANGUAGE, supported_entity=EMAIL,
                         name="listening.OfflineEmailRecognizer")

    def validate_result(self, pattern_text: str) -> bool:
        return OFFLINE_TLD(pattern_text).fqdn != ""


# --- NIR ------------------------------------------------------------------------

NIR_RE = re.compile(
    r"(?<![\w])[1-478](?:[ .\-]?[0-9ABab]){12}(?:[ .\-]?\d{2})?(?![\w])(?![ .\-]\d)"
)
NIR_CONTEXT = _words(r"secu", r"securite sociale", r"nir", r"carte vitale", r"vitale",
                     r"numero d'assure", r"numero insee", r"immatriculation", r"ameli",
                     r"assurance maladie", r"numero de ss", r"ss")


def _nir_shape(value: str) -> bool:
    head, dept, tail = value[:5], value[5:7].upper(), value[7:]
    return (head.isdigit() and tail.isdigit()
            and (dept.isdigit() or dept in ("2A", "2B")) and len(value) in (13, 15))


class FrenchNirRecognizer(FrenchRecognizer):
    """Numéro de sécurité sociale; a wrong key is still masked in a "sécu" context."""

    ENTITY = NIR

    def candidates(self, text):
        for m in NIR_RE.finditer(text):
            value = compact(m.group())
            if not _nir_shape(value):
                continue
            if len(value) == 15 and std_nir.is_valid(value):
                yield m.start(), m.end(), 1.0
            elif context_before(text, m.start(), NIR_CONTEXT):
                yield m.start(), m.end(), 0.7


# --- IBAN -----------------------------------------------------------------------

IBAN_RE = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?(?![\w])")
RIB_RE = re.compile(r"(?<![\w])\d{5}[ ]?\d{5}[ ]?[A-Z0-9]{11}[ ]?\d{2}(?![\w])")
IBAN_CONTEXT = _words(r"iban", r"rib", r"coordonnees bancaires", r"compte bancaire",
                      r"numero de compte", r"releve d'identite bancaire")


class IbanRecognizer(FrenchRecognizer):
    """IBAN checked with python-stdnum; RIB or a bad key only after "IBAN"/"RIB"."""

    ENTITY = IBAN

    def candidates(self, text):
        for m in IBAN_RE.finditer(text):
            if std_iban.is_valid(m.group()):
                yield m.start(), m.end(), 1.0
            elif context_before(text, m.start(), IBAN_CONTEXT):
                yield m.start(), m.end(), 0.7
        for m in RIB_RE.finditer(text):
            if context_before(text, m.start(), IBAN_CONTEXT):
                yield m.start(), m.end(), 0.7


# --- SIREN / SIRET / TVA -----------------------------------------------------------

SIRET_RE = re.compile(
    r"(?<![\w.,])(?<!\d )\d(?:[ .]?\d){8}(?:(?:[ .]?\d){5})?(?![\w])(?![ .,]\d)"
    r"(?!\s*(?:€|euros?\b|eur\b|%))"
)
TVA_RE = re.compile(
    r"(?<![\w])(?:[Ff][Rr][ ]?)?[0-9A-HJ-NP-Z]{2}(?:[ ]?\d){9}(?![\w])(?![ .]\d)"
)
SIRET_CONTEXT = _words(r"siret", r"siren", r"numero d'entreprise", r"auto-?entrepreneur",
                       r"micro-?entreprise", r"entreprise individuelle", r"kbis", r"rcs",
                       r"immatricul\w*")
TVA_CONTEXT = _words(r"tva", r"intracommunautaire")


class SiretRecognizer(FrenchRecognizer):
    """SIREN (9 digits) and SIRET (14) by their Luhn key, or after "SIRET"; TVA numbers."""

    ENTITY = SIRET

    def candidates(self, text):
        for m in SIRET_RE.finditer(text):
            value = compact(m.group())
            valid = std_siren.is_valid(value) if len(value) == 9 else std_siret.is_valid(value)
            if valid:
                yield m.start(), m.end(), 0.9
            elif context_before(text, m.start(), SIRET_CONTEXT):
                yield m.start(), m.end(), 0.7
        for m in TVA_RE.finditer(text):
            value = compact(m.group()).upper()
            prefixed = value.startswith("FR") and len(value) == 13
            if prefixed and std_tva.is_valid(value):
                yield m.start(), m.end(), 0.9
            elif context_before(text, m.start(), TVA_CONTEXT):
                yield m.start(), m.end(), 0.7


# --- file numbers ------------------------------------------------------------------

_ORGS = r"CAF|CPAM|MSA|URSSAF|Carsat|CNAV|France\s+Travail|P[ôo]le\s+emploi|s[ée]cu|impôts?"
FILE_CONTEXT = (
    r"(?i:(?:num[ée]ro|n°|no\.|num\.?)\s*(?:d['’]\s*|de\s+|du\s+)?(?:mon\s+|son\s+|votre\s+)?"
    r"(?:allocataire|alloc|dossier|adh[ée]rent|client|identifiant|fiscal|retrait[ée]|pension"
    r"|demandeur(?:\s+d['’]emploi)?|r[ée]f[ée]rence|contrat|passeport|permis"
    r"|carte\s+d['’]identit[ée]|titre\s+de\s+s[ée]jour|[ée]tranger|" + _ORGS + r")"
    r"(?:\s+(?:" + _ORGS + r"))?"
    r"|identifiant(?:\s+(?:France\s*Connect|fiscal|" + _ORGS + r"))?|matricule|code\s+client"
    r"|r[ée]f[ée]rence\s+(?:du\s+|de\s+mon\s+)?dossier)"
)
FILE_FILLER = r"(?:\s+[A-Z]{2,6}(?![\w'’]))?[\s,:;.…=(]*(?:[^\W\d]+(?:['’][^\W\d]+)?[\s,:;.…]+){0,7}?"
FILE_TOKEN = r"\d[\dA-Z]*|[A-Z]{1,4}(?=[ .\-/]?\d)[\dA-Z]*|[A-Z](?![\w'’])"
FILE_CODE = rf"(?:\d[\dA-Z]*|[A-Z]{{1,4}}(?=[ .\-/]?\d)[\dA-Z]*)(?:[ .\-/](?:{FILE_TOKEN}))*"
FILE_RE = re.compile(FILE_CONTEXT + FILE_FILLER + r"(?P<code>" + FILE_CODE + r")")


class FileNumberRecognizer(FrenchRecognizer):
    """Numéro allocataire, de dossier, identifiant…: a code right after its context words."""

    ENTITY = FILE_NUMBER

    def candidates(self, text):
        for m in FILE_RE.finditer(text):
            code = m.group("code")
            if sum(c.isdigit() for c in code) >= 4:
                yield m.start("code"), m.end("code"), 0.8


# --- dates of birth -------------------------------------------------------------------

MONTHS = (r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre"
          r"|novembre|d[ée]cembre")
DATE = (
    r"\d{1,2}\s?[/.\-]\s?\d{1,2}\s?[/.\-]\s?(?:\d{4}|\d{2})(?!\d)"
    rf"|(?:1er|premier|\d{{1,2}})\s+(?:{MONTHS})(?:\s+(?:\d{{4}}|\d{{2}})(?!\d))?"
    rf"|(?:{MONTHS})\s+(?:\d{{4}}|\d{{2}})(?!\d)"
    r"|(?:19|20)\d{2}(?!\d)|\d{2}(?!\d)"
)
BIRTH_TRIGGER = (
    r"(?i:\bn[ée]e?s?\s+(?:à\s+[\w\-'’]+(?:\s+[\w\-'’]+)?\s+)?(?:le|en|au\s+mois\s+de|en\s+l['’]an)"
    r"|\bdates?\s+de\s+naissance\s*(?::|,|c['’]est|est|=)?\s*(?:le\s+)?"
    r"|\bn[ée]e?s?\s*(?::|le)?)\s*"
)
BIRTH_RE = re.compile(BIRTH_TRIGGER + r"(?P<date>" + DATE + r")")


class BirthDateRecognizer(FrenchRecognizer):
    """A date right after "né(e) le", "née en", "date de naissance"."""

    ENTITY = BIRTH_DATE

    def candidates(self, text):
        for m in BIRTH_RE.finditer(text):
            date = m.group("date")
            if len(date) == 2 and not re.search(r"(?i:\ben\s*)$", m.group()[: -len(date)]):
                continue  # a bare "12" counts only in "née en 85"
            yield m.start("date"), m.end("date"), 0.85


# --- postal addresses ------------------------------------------------------------------

STREET = (
    r"(?i:rue|avenue|av\.|bd|boulevard|blvd|all[ée]e|impasse|chemin|place|route|quai"
    r"|cours|square|passage|r[ée]sidence|cit[ée]|lotissement|hameau|lieu-?dit|sentier"
    r"|voie|rond-point|faubourg|esplanade|parvis|villa|mont[ée]e|promenade|traverse"
    r"|ruelle|venelle|chauss[ée]e|domaine|zone|ZA|ZI)"
)
CONNECT = (r"(?:(?:de\s+la|des|du|de|la|le|les|aux|saint|sainte|st|ste|en)\s+"
           r"|(?:de\s+)?[dl]['’]\s*)")
STREET_NAME = (
    rf"{CONNECT}?(?:{CAPWORD}|\d+(?:er|e|ème)?(?=\s+{CAPWORD}))"
    rf"(?:\s+{CONNECT}?(?:{CAPWORD}|\d{{4}}(?!\d))){{0,4}}"
    rf"|{CONNECT}[{LOW}][\w'’\-]+(?:\s+{CONNECT}[{LOW}][\w'’\-]+)?"
)
TOWN_PART = rf"{CAPWORD}(?:[\s\-]+(?:(?:sur|sous|en|lès|les|le|la|de|du|des|aux)[\s\-]+)?{CAPWORD}){{0,3}}"
POSTAL = rf"(?:,?\s*(?:\d{{5}}|\d{{2}}\s\d{{3}})\s+{TOWN_PART}(?:\s+(?i:cedex)(?:\s+\d{{1,2}})?)?)?"
ADDRESS_RE = re.compile(
    r"(?<![\w,.])\d{1,4}(?:\s?(?i:bis|ter|quater|[a-d])(?!\w))?,?\s+"
    + STREET + r"\s+(?:" + STREET_NAME + r")" + POSTAL
)
NAMED_PLACE_RE = re.compile(
    r"(?<![\w])(?i:r[ée]sidence|lotissement|lieu-?dit|hameau)\s+"
    rf"{CONNECT}?{CAPWORD}(?:\s+{CONNECT}?{CAPWORD}){{0,3}}" + POSTAL
)


class AddressRecognizer(FrenchRecognizer):
    """Number + street type + name [+ postcode + town]; named residences and lieux-dits."""

    ENTITY = ADDRESS

    def candidates(self, text):
        for m in ADDRESS_RE.finditer(text):
            yield m.start(), m.end(), 0.85
        for m in NAMED_PLACE_RE.finditer(text):
            yield m.start(), m.end(), 0.6


# --- towns (only when keep_towns is off) --------------------------------------------


class LocationRecognizer(LocalRecognizer):
    """spaCy's LOC entities, for projects that do not keep towns."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[LOCATION], supported_language=LANGUAGE,
                         name="listening.LocationRecognizer")

    def load(self) -> None:
        """Presidio's hook for loading resources; everything here is built at construction."""

    def analyze(self, text, entities, nlp_artifacts=None):  # noqa: D102
        if nlp_artifacts is None:
            return []
        return [
            RecognizerResult(LOCATION, ent.start_char, ent.end_char, 0.6,
                             recognition_metadata={
                                 RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                 RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})
            for ent in nlp_artifacts.entities if ent.label_ in ("LOC", LOCATION)
        ]


def identifier_recognizers(keep_towns: bool = True) -> list[EntityRecognizer]:
    """Every non-person recognizer, in a fresh instance."""
    found: list[EntityRecognizer] = [
        FrenchPhoneRecognizer(), OfflineEmailRecognizer(), FrenchNirRecognizer(),
        IbanRecognizer(), SiretRecognizer(), FileNumberRecognizer(), BirthDateRecognizer(),
        AddressRecognizer(),
    ]
    if not keep_towns:
        found.append(LocationRecognizer())
    return found
