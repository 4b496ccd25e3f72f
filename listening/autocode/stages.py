"""Stage suggestions: what the source states, else the stage vocabulary, else the narrative order.

Only the stages of the document's journey are candidates. A workshop note or a spreadsheet row
that states its stage keeps it (score 1). Otherwise stage patterns decide; a segment with no
stage word inherits the last stage mentioned before it in the same document, with a low score,
because interviews tell a journey mostly in time order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from ..model import Codebook, Suggestion
from ..nlp import Analysed, fold
from .rules import find_hits, score

NAME = "listening.stages.v1"
CARRY_SCORE = 0.35
STATED_KEYS = ("etape", "étape", "stage", "ligne")


def stated_stage(attrs: Mapping[str, str], document_stage: str | None, journey_stages: Mapping[str, str]) -> str | None:
    """A stage id from the document metadata or from the turn's attributes (raw labels allowed)."""
    if isinstance(document_stage, str) and document_stage in journey_stages:
        return document_stage
    for key in STATED_KEYS:
        raw = attrs.get(key) if attrs else None
        if raw:
            folded = fold(str(raw)).strip()
            for stage_id, label in journey_stages.items():
                short = stage_id.rsplit(".", 1)[-1]
                if folded in (fold(stage_id), fold(short), fold(label)) or fold(label) in folded:
                    return stage_id
    return None


def suggest_stages(frame: pd.DataFrame, analysed: Sequence[Analysed], codebook: Codebook) -> list[Suggestion]:
    """`frame` is in document order (segments_frame) and aligned with `analysed`."""
    journeys = {j.id: j for j in codebook.journeys}
    stage_codes = {c.id: c for c in codebook.family("stage")}
    out: list[Suggestion] = []
    last: dict[str, str] = {}  # document_id -> last stage seen
    for row, an in zip(frame.itertuples(index=False), analysed):
        journey = journeys.get(row.journey) if isinstance(row.journey, str) else None
        if journey is None or row.role == "interviewer":
            continue
        labels = {s.id: s.label for s in journey.stages}
        stated = stated_stage(row.attrs, getattr(row, "document_stage", None), labels)
        if stated:
            out.append(Suggestion(row.segment_id, stated, 1.0, NAME, ("étape indiquée dans la source",)))
            last[row.document_id] = stated
            continue
        codes = [stage_codes[s] for s in labels if s in stage_codes]
        hits = find_hits(row.text, an, codes)
        by_code: dict[str, set[str]] = {}
        evidence: dict[str, list[str]] = {}
        for h in hits:
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
