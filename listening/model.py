"""Frozen objects that flow through the pipeline.

files -> read -> Document(turns) -> pseudonymise -> segment -> Segment[] -> suggest
-> Suggestion[] -> accept -> Coding[] -> store -> views -> exports

Offsets are Unicode code points over `Document.text` (the stored, normalised,
pseudonymised text), end exclusive -- the REFI-QDA convention.
"""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

# One namespace for every deterministic id of the project.
NAMESPACE = uuid.UUID("6f1c3a52-9d0e-5b7a-8c4e-2a1d7e9b0c11")

ROLES = ("interviewer", "usager", "participant", "unknown")
DOCUMENT_TYPES = ("entretien", "atelier", "verbatim")
SPEAKER_SEPARATOR = " : "
TURN_SEPARATOR = "\n\n"


def stable_id(*parts: object) -> str:
    """uuid5 of a natural key, so a re-import gives the same ids."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(str(p) for p in parts)))


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_SPACES = {"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\t": " ", "\ufeff": ""}


def normalise_text(text: str) -> str:
    """NFC, Unix newlines, no-break spaces as spaces, no trailing blanks per line."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    for src, dst in _SPACES.items():
        text = text.replace(src, dst)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


@dataclass(frozen=True)
class Metadata:
    """What is known about a document: from a manifest, options or spreadsheet columns."""

    type: str = "entretien"
    journey: str | None = None  # a journey code id, e.g. "parcours.separation"
    stage: str | None = None  # a stage code id, when the source states it
    public: str | None = None
    territory: str | None = None
    organisations: tuple[str, ...] = ()
    date: str | None = None  # ISO date
    interviewer: str | None = None
    channel: str | None = None
    case: str | None = None  # a person or workshop spanning several files
    extra: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "type": self.type,
            "journey": self.journey,
            "stage": self.stage,
            "public": self.public,
            "territory": self.territory,
            "organisations": list(self.organisations),
            "date": self.date,
            "interviewer": self.interviewer,
            "channel": self.channel,
            "case": self.case,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Metadata:
        known = {k: data.get(k) for k in cls.__dataclass_fields__ if k in data}
        known["organisations"] = tuple(known.get("organisations") or ())
        known["extra"] = dict(known.get("extra") or {})
        if known.get("type") is None:
            known.pop("type", None)
        return cls(**known)


@dataclass(frozen=True)
class RawTurn:
    """A turn as a reader finds it, before it is placed in a document's text."""

    text: str
    speaker: str = ""
    timestamp: str | None = None  # start time as written, e.g. "00:12:03"
    role: str | None = None  # when the source states it
    attrs: Mapping[str, str] = field(default_factory=dict)  # e.g. {"etape": ..., "colonne": ...}


@dataclass(frozen=True)
class Turn:
    index: int
    speaker: str
    role: str
    start: int  # utterance span in Document.text (speaker label excluded)
    end: int
    text: str
    timestamp: str | None = None
    attrs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    name: str  # source path as given (relative to the ingested folder)
    external_id: str  # manifest id, spreadsheet id column, else name or name:row
    text: str
    turns: tuple[Turn, ...]
    meta: Metadata = field(default_factory=Metadata)
    source_format: str = ""

    @property
    def id(self) -> str:
        return stable_id("document", self.external_id, content_hash(self.text))

    @property
    def hash(self) -> str:
        return content_hash(self.text)

    def with_meta(self, **changes: object) -> Document:
        return replace(self, meta=replace(self.meta, **changes))


def build_document(
    name: str,
    raw_turns: Iterable[RawTurn],
    *,
    external_id: str | None = None,
    meta: Metadata | None = None,
    source_format: str = "",
    roles: Sequence[str] | None = None,
) -> Document:
    """Lay turns out as `Speaker : text` paragraphs and record each utterance's offsets.

    The one place where document text is assembled, so readers and the pseudonymiser
    agree on offsets. `roles`, when given, overrides each turn's role by position.
    """
    parts: list[str] = []
    turns: list[Turn] = []
    pos = 0
    for raw in raw_turns:
        utterance = normalise_text(raw.text)
        if not utterance:
            continue
        speaker = normalise_text(raw.speaker).replace("\n", " ")
        prefix = f"{speaker}{SPEAKER_SEPARATOR}" if speaker else ""
        if parts:
            pos += len(TURN_SEPARATOR)
        start = pos + len(prefix)
        parts.append(prefix + utterance)
        pos = start + len(utterance)
        index = len(turns)
        role = raw.role or "unknown"
        if roles is not None and index < len(roles):
            role = roles[index]
        turns.append(
            Turn(index, speaker, role, start, pos, utterance, raw.timestamp, dict(raw.attrs))
        )
    text = TURN_SEPARATOR.join(parts)
    return Document(
        name=name,
        external_id=external_id or name,
        text=text,
        turns=tuple(turns),
        meta=meta or Metadata(),
        source_format=source_format,
    )


def raw_turns(document: Document) -> list[RawTurn]:
    """The inverse of build_document, for stages that rewrite turn text."""
    return [RawTurn(t.text, t.speaker, t.timestamp, t.role, dict(t.attrs)) for t in document.turns]


@dataclass(frozen=True)
class Segment:
    """The coding unit: a span of one turn. Segments tile their turn exactly."""

    document_id: str
    turn_index: int
    start: int
    end: int
    text: str
    speaker: str = ""
    role: str = "unknown"
    attrs: Mapping[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return stable_id("segment", self.document_id, self.start, self.end)


# --- the codebook -----------------------------------------------------------

FAMILIES = ("theme", "valence", "journey", "stage")


@dataclass(frozen=True)
class Code:
    id: str  # stable, e.g. "theme.delais", "etape.separation.decision"
    label: str  # French
    family: str  # one of FAMILIES
    parent: str | None = None
    definition: str = ""
    include: str = ""  # inclusion criteria
    exclude: str = ""  # exclusion criteria
    examples: tuple[str, ...] = ()
    colour: str = "#888888"
    codable: bool = True
    patterns: tuple[str, ...] = ()  # lemma / phrase patterns for the rule coder
    # journeys and stages
    order: int | None = None
    description: str = ""
    organisations: tuple[str, ...] = ()
    publics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stage:
    id: str
    journey: str
    label: str
    order: int
    description: str = ""


@dataclass(frozen=True)
class Journey:
    id: str
    label: str
    stages: tuple[Stage, ...]
    description: str = ""
    organisations: tuple[str, ...] = ()
    publics: tuple[str, ...] = ()


@dataclass(frozen=True)
class Codebook:
    name: str
    version: str
    codes: tuple[Code, ...]
    description: str = ""

    def code(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(code_id)

    def family(self, family: str) -> list[Code]:
        return [c for c in self.codes if c.family == family]

    def children(self, code_id: str | None) -> list[Code]:
        return [c for c in self.codes if c.parent == code_id]

    @property
    def journeys(self) -> list[Journey]:
        out = []
        for j in self.family("journey"):
            stages = sorted(
                (c for c in self.family("stage") if c.parent == j.id),
                key=lambda s: (s.order if s.order is not None else 10**6, s.id),
            )
            out.append(
                Journey(
                    id=j.id,
                    label=j.label,
                    description=j.description or j.definition,
                    organisations=j.organisations,
                    publics=j.publics,
                    stages=tuple(
                        Stage(s.id, j.id, s.label, i, s.description or s.definition)
                        for i, s in enumerate(stages)
                    ),
                )
            )
        return out

    def journey(self, journey_id: str) -> Journey:
        for j in self.journeys:
            if j.id == journey_id:
                return j
        raise KeyError(journey_id)

    @property
    def hash(self) -> str:
        return content_hash(repr(self.codes))


# --- coding -----------------------------------------------------------------

ORIGIN_MANUAL = "manual"


@dataclass(frozen=True)
class Suggestion:
    segment_id: str
    code_id: str
    score: float
    coder: str  # the automatic coder's versioned name, e.g. "listening.rules.v1"
    evidence: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return stable_id("suggestion", self.segment_id, self.code_id, self.coder)


@dataclass(frozen=True)
class Coding:
    segment_id: str
    code_id: str
    coder: str  # a person
    origin: str = ORIGIN_MANUAL  # "manual" or the automatic coder's versioned name
    start: int | None = None  # a span inside the segment (document offsets), else whole segment
    end: int | None = None

    @property
    def id(self) -> str:
        return stable_id("coding", self.segment_id, self.code_id, self.coder, self.start, self.end)
