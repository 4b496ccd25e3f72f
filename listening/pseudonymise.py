"""Pseudonymise French text before anything is stored: plan replacements, then apply them.

Detection runs Presidio's AnalyzerEngine with French recognizers (`recognizers.py`,
`person_recognizer.py`) over spaCy's fr_core_news_md. spaCy runs once per batch
(`nlp.pipe`, NER only) and its Docs reach Presidio as precomputed NlpArtifacts, so
Presidio never loads, downloads or re-runs a model. Replacement goes through Presidio's
AnonymizerEngine. Persons get consistent labels from a `PseudonymRegistry`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

from listening.model import SPEAKER_SEPARATOR, Document, RawTurn, build_document
from listening.parallel import Workers, map_chunks
from listening.person_recognizer import (
    GENDER_KEY,
    NOT_NAMES,
    FrenchPersonRecognizer,
)
from listening.pseudo_engine import (
    EXCLUDED_COMPONENTS,
    MODEL,
    NEEDED_COMPONENTS,
    NoContextEnhancer,
    PreloadedSpacyEngine,
    common_word_test,
    load_french_model,
)
from listening.pseudo_names import fold
from listening.pseudo_registry import (
    MappingVault,
    PseudonymRegistry,
    plan_person_labels,
    strip_title,
)
from listening.recognizers import (
    ADDRESS,
    BIRTH_DATE,
    EMAIL,
    FILE_NUMBER,
    IBAN,
    LANGUAGE,
    LOCATION,
    NIR,
    PERSON,
    PHONE,
    SIRET,
    TAGS,
    identifier_recognizers,
)

__all__ = [
    "Detection", "Entity", "MappingVault", "PseudoSettings", "PseudonymRegistry",
    "Pseudonymiser", "apply_replacements", "load_french_model", "resolve_overlaps",
    "EXCLUDED_COMPONENTS", "MODEL",
]

# Organisations and public services: never personal data.
BUILTIN_ALLOW = (
    "CAF", "CPAM", "URSSAF", "Carsat", "MSA", "CNAV", "CNAF", "CCAS", "CMU", "CSS", "ASE",
    "MDPH", "PMI", "CMP", "CHU", "CIO", "France services", "France Services", "mairie",
    "France Travail", "Pôle emploi", "mission locale", "Assurance maladie",
    "Assurance retraite", "Ameli", "Sécurité sociale", "sécu", "Agirc-Arrco",
    "Info Retraite", "FranceConnect", "France Connect", "La Poste", "Trésor public",
    "préfecture", "impots.gouv", "DGFiP", "Défenseur des droits", "Restos du cœur",
    "Secours populaire", "Secours catholique", "Croix-Rouge", "Emmaüs", "SNCF", "EDF",
    "Adie", "Bpifrance", "BPI", "CCI", "CMA", "INSEE", "RSA", "APL", "AAH", "PAJE", "ARE",
    "Prime d'activité", "service public", "Vitale", "Doctolib", "Pôle Emploi", "Uber",
    "Agirc", "Arrco", "Ircantec", "CNRACL", "Cipav", "CNAVPL", "RSI", "SSI", "Kbis", "Siret",
    "Siren", "ANTS", "Pajemploi", "Malakoff Médéric", "Humanis", "AG2R", "Klesia",
)
PRIORITY = {EMAIL: 9, IBAN: 9, NIR: 9, PHONE: 8, SIRET: 7, FILE_NUMBER: 7, BIRTH_DATE: 7,
            ADDRESS: 6, PERSON: 5, LOCATION: 4}
# Text already masked by hand or by a previous run: left alone.
MASKED_RE = re.compile(
    r"\[[^\[\]\n]{1,60}\]|(?<![\w])[Xx]{2,}(?![\w])|(?<![\w.])X(?![\w])|\*{3,}"
    r"|<[^<>\n]{1,40}>|_{3,}|#{3,}"
)


@dataclass(frozen=True)
class PseudoSettings:
    allow_list: tuple[str, ...] = ()  # never masked, besides BUILTIN_ALLOW
    deny_list: tuple[str, ...] = ()  # always masked as PERSON (whole word, no case/accents)
    keep_towns: bool = True
    person_style: str = "tag"  # "tag" -> [PERSONNE_3]; "name" -> a substitute name


@dataclass(frozen=True)
class Detection:
    """Something that would be masked; offsets into the analysed text."""

    start: int
    end: int
    label: str
    text: str
    score: float
    gender: str | None = None


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    label: str
    text: str
    replacement: str
    score: float


def apply_replacements(text: str, entities: Sequence[Entity]) -> str:
    """Replace each entity's span by its replacement (Presidio's AnonymizerEngine).

    Pure: spans must not overlap; text outside them is left as it is.
    """
    ordered = sorted(entities, key=lambda e: (e.start, e.end))
    for a, b in zip(ordered, ordered[1:]):
        if b.start < a.end:
            raise ValueError(f"overlapping replacements: {a} and {b}")
    for e in ordered:
        if not 0 <= e.start < e.end <= len(text):
            raise ValueError(f"replacement out of the text: {e}")
    if not ordered:
        return text
    results = [RecognizerResult(f"E{i}", e.start, e.end, 1.0) for i, e in enumerate(ordered)]
    operators = {
        f"E{i}": OperatorConfig("custom", {"lambda": lambda _, value=e.replacement: value})
        for i, e in enumerate(ordered)
    }
    return _anonymizer().anonymize(text, results, operators,
                                   merge_entities_with_spaces=False).text


@functools.cache
def _anonymizer() -> AnonymizerEngine:
    return AnonymizerEngine()


def _term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    folded = sorted({fold(t.strip()) for t in terms if t.strip()}, key=len, reverse=True)
    if not folded:
        return None
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(t) for t in folded) + r")(?![\w])")


class Pseudonymiser:
    """Finds identifiers in French text and replaces them, consistently within a project."""

    def __init__(self, settings: PseudoSettings = PseudoSettings(), nlp=None):
        if settings.person_style not in ("tag", "name"):
            raise ValueError(f"person_style must be 'tag' or 'name', not {settings.person_style!r}")
        self.settings = settings
        self.nlp = nlp if nlp is not None else load_french_model()
        self.disabled_ = [p for p in self.nlp.pipe_names if p not in NEEDED_COMPONENTS]
        self.engine_ = PreloadedSpacyEngine(self.nlp)
        registry = RecognizerRegistry(
            [FrenchPersonRecognizer(self._common_word_test(settings)),
             *identifier_recognizers(settings.keep_towns)],
            supported_languages=[LANGUAGE],
        )
        self.analyzer_ = AnalyzerEngine(registry=registry, nlp_engine=self.engine_,
                                        supported_languages=[LANGUAGE],
                                        context_aware_enhancer=NoContextEnhancer())
        self.allow_ = _term_pattern(BUILTIN_ALLOW + settings.allow_list)
        self.deny_ = _term_pattern(settings.deny_list)

    def _common_word_test(self, settings: PseudoSettings):
        in_model = common_word_test(self.nlp)
        allowed = {w for term in BUILTIN_ALLOW + settings.allow_list
                   for w in re.findall(r"[^\W\d_]+", fold(term))}
        return lambda word: in_model(word) or fold(word) in allowed

    # --- detection ------------------------------------------------------------------

    def detect(self, text: str) -> list[Detection]:
        """What would be masked in `text`, in text order."""
        return self.detect_many([text])[0]

    def detect_many(self, texts: Sequence[str], *, batch_size: int = 64) -> list[list[Detection]]:
        """Detect in many independent texts with one spaCy pass (`nlp.pipe`)."""
        found = self._detect_each(texts, batch_size)
        return [self._propagate([t], [ds])[0] for t, ds in zip(texts, found)]

    def _detect_each(self, texts: Sequence[str], batch_size: int) -> list[list[Detection]]:
        """Detections per text, each distinct text analysed once, on every core for large
        batches (see `listening.parallel`)."""
        unique = list(dict.fromkeys(texts))
        detect = functools.partial(self.detect_chunk, batch_size=batch_size)
        found = dict(zip(unique, map_chunks(detect, unique)))
        return [found[t] for t in texts]

    def detect_chunk(self, texts: Sequence[str], *, batch_size: int = 64) -> list[list[Detection]]:
        """Detections in each text (one spaCy pass), before propagation between texts."""
        docs = self.nlp.pipe(texts, batch_size=batch_size, disable=self.disabled_)
        return [self._finish(text, self._to_detections(text, self.analyzer_.analyze(
                    text, LANGUAGE, nlp_artifacts=self.engine_.artifacts(doc))))
                for text, doc in zip(texts, docs)]

    def _to_detections(self, text: str, results) -> list[Detection]:
        found = [
            Detection(r.start, r.end, r.entity_type, text[r.start:r.end], r.score,
                      (r.recognition_metadata or {}).get(GENDER_KEY))
            for r in results if r.entity_type in PRIORITY
        ]
        if self.deny_ is not None:
            found += [Detection(m.start(), m.end(), PERSON, text[m.start():m.end()], 1.0)
                      for m in self.deny_.finditer(fold(text))]
        return found

    def _finish(self, text: str, found: list[Detection]) -> list[Detection]:
        """Drop what is masked already or allowed, then resolve overlaps."""
        masked = [m.span() for m in MASKED_RE.finditer(text)]
        allowed = [m.span() for m in self.allow_.finditer(fold(text))] if self.allow_ else []
        kept = []
        for d in found:
            if any(s < d.end and d.start < e for s, e in masked):
                continue
            denied = d.label == PERSON and d.score >= 1.0  # deny-list terms win over allow
            if not denied and allowed:
                d = _outside_allowed(text, d, allowed)
                if d is None or (d.label == PERSON and self._allowed_name(d.text)):
                    continue
            kept.append(d)
        return resolve_overlaps(kept)

    def _allowed_name(self, value: str) -> bool:
        name = strip_title(value)[1]
        return bool(self.allow_ and self.allow_.fullmatch(fold(name).strip()))

    def _propagate(self, texts: Sequence[str], found: list[list[Detection]]) -> list[list[Detection]]:
        """Mask every other mention of a name found once in the same group of texts."""
        forms = set()
        for d in (d for ds in found for d in ds if d.label == PERSON):
            name = strip_title(d.text)[1].strip()
            if len(name) > 2 and not name.endswith("."):
                forms.add(name)
            forms.update(w for w in re.split(r"[\s]+", name)
                         if len(w) > 2 and w[0].isupper() and fold(w) not in NOT_NAMES
                         and not self._allowed_name(w))
        if not forms:
            return found
        alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        pattern = re.compile(rf"(?<![\w'’\-])(?:{alternatives})(?![\w'’\-])")
        out = []
        for text, ds in zip(texts, found):
            extra = [Detection(m.start(), m.end(), PERSON, m.group(), 0.7)
                     for m in pattern.finditer(text)
                     if not any(d.start < m.end() and m.start() < d.end for d in ds)]
            out.append(self._finish(text, ds + extra) if extra else ds)
        return out

    # --- replacement ----------------------------------------------------------------

    def pseudonymise_text(self, text: str, registry: PseudonymRegistry,
                          vault: MappingVault | None = None) -> tuple[str, list[Entity]]:
        """The pseudonymised text and what was replaced (offsets into `text`)."""
        detections = self.detect(text)
        entities = self._plan([detections], registry, vault)[0]
        return apply_replacements(text, entities), entities

    def pseudonymise_documents(
        self, docs: Sequence[Document], registry: PseudonymRegistry, *,
        batch_size: int = 64, vault: MappingVault | None = None,
    ) -> list[tuple[Document, list[Entity]]]:
        """Rewrite every turn's speaker and text; entities have offsets into each ORIGINAL
        document text. One spaCy pass over all turns of all documents."""
        texts = _distinct_texts(docs)
        detected = self._detect_each(texts, batch_size)
        return self.rewrite_documents(docs, dict(zip(texts, detected)), registry, vault=vault)

    def start_documents(self, docs: Sequence[Document], workers: Workers) -> Callable[
            [PseudonymRegistry, MappingVault | None], list[tuple[Document, list[Entity]]]]:
        """`pseudonymise_documents` in two steps: detection starts now on `workers` (a pool
        of `detect_chunk`), the returned function waits for it and rewrites with `registry`.
        Documents started one after the other must be finished in the same order, so that
        pseudonyms are numbered as `pseudonymise_documents` would number them."""
        texts = _distinct_texts(docs)
        pending = workers.submit(texts)

        def finish(registry: PseudonymRegistry, vault: MappingVault | None = None):
            return self.rewrite_documents(docs, dict(zip(texts, pending())), registry,
                                          vault=vault)

        return finish

    def rewrite_documents(self, docs: Sequence[Document], detected: dict[str, list[Detection]],
                          registry: PseudonymRegistry, *, vault: MappingVault | None = None,
                          ) -> list[tuple[Document, list[Entity]]]:
        """Rewrite documents from the detections in each of their texts (`detect_chunk`):
        names propagate within a document, pseudonyms come from `registry`."""
        out = []
        for doc in docs:
            texts, n_speakers = _document_texts(doc)
            found = self._propagate(texts, [detected[t] for t in texts])
            for i in range(n_speakers):
                found[i] = [d for d in found[i] if not _speaker_role(texts[i])]
            planned = dict(zip(texts, self._plan(found, registry, vault)))
            out.append(_rewrite(doc, planned))
        return out

    def _plan(self, groups: list[list[Detection]], registry: PseudonymRegistry,
              vault: MappingVault | None) -> list[list[Entity]]:
        """Choose each detection's replacement; persons share labels across the group."""
        names = plan_person_labels([d for ds in groups for d in ds if d.label == PERSON],
                                   registry, self.settings.person_style)
        planned = []
        for ds in groups:
            entities = []
            for d in ds:
                replacement = names[d.text] if d.label == PERSON else TAGS[d.label]
                entities.append(Entity(d.start, d.end, d.label, d.text, replacement, d.score))
                if vault is not None:
                    vault.add(d.text, replacement, d.label)
            planned.append(entities)
        return planned

def resolve_overlaps(found: Sequence[Detection]) -> list[Detection]:
    """Merge overlapping person spans, then keep the most important of overlapping others."""
    persons = sorted((d for d in found if d.label == PERSON), key=lambda d: (d.start, -d.end))
    merged: list[Detection] = []
    for d in persons:
        if merged and d.start < merged[-1].end:
            last = merged[-1]
            if d.end > last.end:
                text = last.text + d.text[last.end - d.start:]
                merged[-1] = Detection(last.start, d.end, PERSON, text, max(last.score, d.score),
                                       last.gender or d.gender)
            elif last.gender is None and d.gender is not None:
                merged[-1] = Detection(last.start, last.end, PERSON, last.text, last.score, d.gender)
        else:
            merged.append(d)
    others = [d for d in found if d.label != PERSON]
    ranked = sorted(merged + others,
                    key=lambda d: (-PRIORITY[d.label], -(d.end - d.start), d.start))
    kept: list[Detection] = []
    for d in ranked:
        if not any(k.start < d.end and d.start < k.end for k in kept):
            kept.append(d)
    return sorted(kept, key=lambda d: d.start)


def _document_texts(doc: Document) -> tuple[list[str], int]:
    """The texts of a document to analyse: each distinct speaker label, then each turn."""
    speakers = list(dict.fromkeys(t.speaker for t in doc.turns if t.speaker))
    return speakers + [t.text for t in doc.turns], len(speakers)


SPEAKER_ROLES = frozenset(fold(w) for w in """enqueteur enquetrice intervieweur interviewer
    usager usagere participant participante animateur animatrice agent conseiller conseillere
    allocataire beneficiaire temoin observateur observatrice inspecteur inspectrice
    facilitateur facilitatrice moderateur moderatrice intervenant intervenante""".split())


def _distinct_texts(docs: Sequence[Document]) -> list[str]:
    """Every distinct speaker label and turn text of `docs`, each once, in order."""
    return list(dict.fromkeys(t for doc in docs for t in _document_texts(doc)[0]))


def _speaker_role(speaker: str) -> bool:
    """A speaker label that names a role ("Conseillère 2", "Enquêtrice"), not a person."""
    return any(fold(w) in SPEAKER_ROLES for w in re.findall(r"\w+", speaker))


def _outside_allowed(text: str, d: Detection,
                     allowed: list[tuple[int, int]]) -> Detection | None:
    """The detection without allowed words: dropped inside one, a person name cut before one."""
    for s, e in allowed:
        if s <= d.start and d.end <= e:
            return None
        if d.label == PERSON and s < d.end and d.start < e:
            if s <= d.start:
                return None
            cut = re.sub(r"(?:\s+(?:de|du|des|d['’]|la|le|les|l['’]))*[\s,]*$", "", text[d.start:s])
            if not any(c.isupper() for c in cut):
                return None
            d = Detection(d.start, d.start + len(cut), d.label, cut, d.score, d.gender)
    return d


def _rewrite(doc: Document, planned: dict[str, list[Entity]]) -> tuple[Document, list[Entity]]:
    """Rebuild the document from rewritten turns; entity offsets into the original text."""
    raws, entities = [], []
    for turn in doc.turns:
        speaker = turn.speaker
        if speaker:
            shift = turn.start - len(SPEAKER_SEPARATOR) - len(speaker)
            found = planned.get(speaker, [])
            entities += [_shifted(e, shift) for e in found]
            speaker = apply_replacements(speaker, found)
        found = planned.get(turn.text, [])
        entities += [_shifted(e, turn.start) for e in found]
        raws.append(RawTurn(apply_replacements(turn.text, found), speaker, turn.timestamp,
                            turn.role, dict(turn.attrs)))
    new = build_document(doc.name, raws, external_id=doc.external_id, meta=doc.meta,
                         source_format=doc.source_format)
    return new, sorted(entities, key=lambda e: e.start)


def _shifted(e: Entity, shift: int) -> Entity:
    return Entity(e.start + shift, e.end + shift, e.label, e.text, e.replacement, e.score)
