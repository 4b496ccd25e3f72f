"""Everything a report shows, read once from a project: the builders are pure functions of it.

`ReportData` holds the documents (with their text), the coded segments, the codings, the
codebook, the agreement, the latest topic run and one `JourneyView` per journey. Nothing in a
builder goes back to the store, so a report can be rebuilt from a ReportData in a test.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..agreement import AgreementReport, project_agreement
from ..analysis import coded_frame, latest_topics
from ..codebook import resolve_journey
from ..errors import InputError
from ..model import Codebook, Document, Journey
from ..store import (
    Project,
    StoreCodingSource,
    assignments_frame,
    codings_frame,
    current_codebook,
    documents_frame,
    get_document,
    memos_frame,
    pseudonym_rows,
)
from ..store import coders as store_coders
from ..views import journey_map, pain_curve, stage_summary

# Tags the pseudonymiser writes, and what they stand for (French, for the method section).
MASK_TAGS = {
    "PERSONNE": "noms de personnes", "TÉLÉPHONE": "numéros de téléphone",
    "EMAIL": "adresses électroniques", "NIR": "numéros de sécurité sociale (NIR)",
    "IBAN": "coordonnées bancaires (IBAN)", "ADRESSE": "adresses postales",
    "DATE_NAISSANCE": "dates de naissance", "NUMÉRO_DOSSIER": "numéros de dossier ou d'allocataire",
    "SIRET": "numéros SIREN/SIRET", "LIEU": "lieux",
}
MEMO_TARGETS = {"project": "projet", "document": "document", "code": "code",
                "segment": "segment"}
_TAG = re.compile(r"\[(" + "|".join(MASK_TAGS) + r")(?:_\d+)?\]")


@dataclass(frozen=True)
class Pseudonymisation:
    documents: int
    pseudonymised: int
    entities: int  # identifiers masked, as counted at ingestion
    persons: int  # distinct persons given a pseudonym across the project
    tags: Mapping[str, int]  # tag -> occurrences in the stored texts


@dataclass(frozen=True)
class JourneyView:
    journey: Journey
    stages: pd.DataFrame  # views.stage_summary
    map: pd.DataFrame  # views.journey_map
    curve: pd.DataFrame  # views.pain_curve by public
    documents: int


@dataclass(frozen=True)
class ReportData:
    project_name: str
    mission: str
    as_of: str  # ISO timestamp of the latest stored change the report reflects
    codebook: Codebook
    documents: pd.DataFrame  # store.documents_frame
    texts: Mapping[str, Document]  # document id -> Document (text, turns, metadata)
    coded: pd.DataFrame  # analysis.coded_frame + codes, coders, topic
    codings: pd.DataFrame  # store.codings_frame
    coders: tuple[str, ...]
    agreement: AgreementReport | None
    topics_run: Mapping[str, object] | None
    topics: pd.DataFrame
    journeys: tuple[JourneyView, ...]
    memos: pd.DataFrame
    pseudonymisation: Pseudonymisation
    segment_index: Mapping[str, Mapping[str, object]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"Écoute des usagers — {self.mission or self.project_name}"

    def segment(self, segment_id: str) -> Mapping[str, object]:
        return self.segment_index[segment_id]

    def label(self, code_id: str) -> str:
        try:
            return self.codebook.code(code_id).label
        except KeyError:
            return code_id


def short(segment_id: str) -> str:
    """The short form of a segment id shown in reports (first 8 hex digits)."""
    return segment_id[:8]


def reference(data: ReportData, segment_id: str) -> str:
    """Where a quote comes from: document id and short segment id."""
    row = data.segment(segment_id)
    return f"{row['document']}, seg. {short(segment_id)}"


# --- assembling -----------------------------------------------------------------------


def build_report_data(project: Project, *, journey: str | None = None) -> ReportData:
    """Read everything a report needs from a project, once."""
    codebook = current_codebook(project)
    documents = documents_frame(project)
    coders = tuple(store_coders(project))
    run, topics = latest_topics(project)
    coded = _with_codes(coded_frame(project), codings_frame(project), topics,
                        _topic_keys(project, run, topics))
    journeys = _journeys(coded, codebook, documents, journey)
    texts = {d: get_document(project, d) for d in documents["id"]}
    agreement = project_agreement(StoreCodingSource(project)) if len(coders) >= 2 else None
    codings = codings_frame(project)
    memos = memos_frame(project)
    return ReportData(
        project_name=project.settings.name, mission=project.settings.mission,
        as_of=_as_of(documents, codings, memos), codebook=codebook, documents=documents,
        texts=texts, coded=coded, codings=codings, coders=coders, agreement=agreement,
        topics_run=run, topics=topics, journeys=journeys, memos=memos,
        pseudonymisation=_pseudonymisation(documents, texts, pseudonym_rows(project)),
        segment_index=coded.set_index("segment_id", drop=False).to_dict("index"),
    )


def _topic_keys(project: Project, run: Mapping | None, topics: pd.DataFrame) -> dict[str, str]:
    """segment id -> key of its topic in the latest run (outliers and others: absent)."""
    if run is None or not len(topics):
        return {}
    assigned = assignments_frame(project, run["id"]).dropna(subset=["topic_key"])
    known = set(topics["topic_key"])
    return {s: k for s, k in zip(assigned["segment_id"], assigned["topic_key"]) if k in known}


def _with_codes(coded: pd.DataFrame, codings: pd.DataFrame, topics: pd.DataFrame,
                keys: Mapping[str, str]) -> pd.DataFrame:
    """Add every code (sorted), the coders, and the topic (key, label) of each segment."""
    codes = codings.groupby("segment_id")["code_id"].agg(lambda s: sorted(set(s)))
    who = codings.groupby("segment_id")["coder"].agg(lambda s: sorted(set(s)))
    labels = dict(zip(topics["topic_key"], topics["label"])) if len(topics) else {}
    out = coded.copy()
    out["codes"] = [codes.get(s, []) for s in out["segment_id"]]
    out["coders"] = [who.get(s, []) for s in out["segment_id"]]
    out["topic_key"] = pd.Series([keys.get(s) for s in out["segment_id"]], index=out.index,
                                 dtype=object)
    out["topic"] = pd.Series([labels.get(keys.get(s)) for s in out["segment_id"]],
                             index=out.index, dtype=object)
    return out


def _journeys(coded: pd.DataFrame, codebook: Codebook, documents: pd.DataFrame,
              journey: str | None) -> tuple[JourneyView, ...]:
    """The requested journey, else every journey of the codebook some document belongs to."""
    if journey:
        chosen = [resolve_journey(codebook, journey)]
        if not (documents["journey"] == chosen[0].id).any():
            raise InputError(f"aucun document du parcours « {chosen[0].label} » dans ce projet ; "
                             "vérifiez --journey ou ingérez des documents de ce parcours.")
    else:
        present = set(documents["journey"].dropna())
        chosen = [j for j in codebook.journeys if j.id in present]
    return tuple(
        JourneyView(j, stage_summary(coded, codebook, j.id), journey_map(coded, codebook, j.id),
                    pain_curve(coded, codebook, j.id, by="public"),
                    int((documents["journey"] == j.id).sum()))
        for j in chosen
    )


def _as_of(*frames: pd.DataFrame) -> str:
    stamps = [v for df, col in zip(frames, ("created_at", "created_at", "updated_at"))
              if col in df for v in df[col].dropna()]
    return max(stamps) if stamps else "1970-01-01T00:00:00+00:00"


def _pseudonymisation(documents: pd.DataFrame, texts: Mapping[str, Document],
                      rows: Sequence[tuple[str, str, str]]) -> Pseudonymisation:
    tags: Counter[str] = Counter()
    for doc in texts.values():
        tags.update(m.group(1) for m in _TAG.finditer(doc.text))
    return Pseudonymisation(
        documents=len(documents), pseudonymised=int(documents["pseudonymised"].sum()),
        entities=int(documents["entities"].sum()),
        persons=sum(1 for _k, kind, _l in rows if kind.startswith("PERSON")),
        tags=dict(sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))),
    )
