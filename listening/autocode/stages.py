"""Stage suggestions: what the source states, else the stage vocabulary, else the narrative order.

Only the stages of the document's journey are candidates. A workshop note or a spreadsheet row
that states its stage keeps it (score 1). Otherwise stage patterns decide; a segment with no
stage word inherits the last stage mentioned before it in the same document, with a low score,
because interviews tell a journey mostly in time order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

import pandas as pd

from ..model import Codebook, Suggestion
from ..nlp import Analysed, fold, stop_words
from .rules import Hit, find_hits, score

NAME = "listening.stages.v1"
CARRY_SCORE = 0.35
STATED_KEYS = ("etape", "étape", "stage", "ligne")


def stated_stage(attrs: Mapping[str, str], document_stage: str | None, journey_stages: Mapping[str, str]) -> str | None:
    """A stage id from the document metadata or from the turn's attributes.

    A raw label is matched to the journey's stages by id, short id or label, then by the words
    it shares with them: workshop walls name their stages in their own words (« Recherche
    d'information », « Ouverture des prestations (PAJE) »)."""
    if isinstance(document_stage, str) and document_stage in journey_stages:
        return document_stage
    for key in STATED_KEYS:
        raw = attrs.get(key) if attrs else None
        if raw:
            found = _stage_named(fold(str(raw)).strip(), tuple(journey_stages.items()))
            if found:
                return found
    return None


@lru_cache(maxsize=4096)
def _stage_named(folded: str, stages: tuple[tuple[str, str], ...]) -> str | None:
    for stage_id, label in stages:
        short = stage_id.rsplit(".", 1)[-1]
        if folded in (fold(stage_id), fold(short), fold(label)) or fold(label) in folded:
            return stage_id
    words = _content_words(folded)
    shared = {stage_id: len(words & (_content_words(fold(label))
                                     | _content_words(stage_id.rsplit(".", 1)[-1].replace("-", " "))))
              for stage_id, label in stages}
    best = max(shared.values(), default=0)
    winners = [stage_id for stage_id, n in shared.items() if n == best]
    return winners[0] if best and len(winners) == 1 else None


def _content_words(folded: str) -> frozenset[str]:
    """Words of a folded label that are not stop words, without a plural -s or -x."""
    return frozenset(re.sub(r"(?<=\w{3})[sx]$", "", w) for w in re.findall(r"\w+", folded)
                     if len(w) > 2 and w not in stop_words())


class StageFinder:
    """The stage patterns of each journey, matched segment by segment (in any process)."""

    def __init__(self, codebook: Codebook):
        stage_codes = {c.id: c for c in codebook.family("stage")}
        self.labels = {j.id: {s.id: s.label for s in j.stages} for j in codebook.journeys}
        self.codes = {j: [stage_codes[s] for s in labels if s in stage_codes]
                      for j, labels in self.labels.items()}

    def hits(self, journey: object, role: str, text: str, analysed: Analysed) -> list[Hit]:
        codes = self.codes.get(journey) if isinstance(journey, str) else None
        if not codes or role == "interviewer":
            return []
        return find_hits(text, analysed, codes)


def suggest_stages(frame: pd.DataFrame, hits: Sequence[Sequence[Hit]], codebook: Codebook,
                   finder: StageFinder | None = None) -> list[Suggestion]:
    """`frame` is in document order (segments_frame) and aligned with `hits`, each segment's
    `StageFinder.hits`. Stated stages first, then stage words, then the narrative order."""
    labels_of = (finder or StageFinder(codebook)).labels
    out: list[Suggestion] = []
    last: dict[str, str] = {}  # document_id -> last stage seen
    for row, found in zip(frame.itertuples(index=False), hits):
        labels = labels_of.get(row.journey) if isinstance(row.journey, str) else None
        if labels is None or row.role == "interviewer":
            continue
        stated = stated_stage(row.attrs, getattr(row, "document_stage", None), labels)
        if stated:
            out.append(Suggestion(row.segment_id, stated, 1.0, NAME, ("étape indiquée dans la source",)))
            last[row.document_id] = stated
            continue
        by_code: dict[str, set[str]] = {}
        evidence: dict[str, list[str]] = {}
        for h in found:
            by_code.setdefault(h.code, set()).add(h.pattern)
            evidence.setdefault(h.code, []).append(h.evidence)
        if by_code:
            best = max(by_code, key=lambda c: (len(by_code[c]), -list(labels).index(c)))
            out.append(Suggestion(row.segment_id, best, score(len(by_code[best])), NAME,
                                  tuple(dict.fromkeys(evidence[best]))))
            last[row.document_id] = best
        elif row.document_id in last:
            out.append(Suggestion(row.segment_id, last[row.document_id], CARRY_SCORE, NAME,
                                  ("ordre du récit",)))
    return out
