"""Stage suggestions: what the source states, else the stage vocabulary, else the narrative order.

Only the stages of the document's journey are candidates. A workshop note or a spreadsheet row
that states its stage keeps it (score 1). Otherwise a document is read as a path through its
journey's stages, because interviews tell a journey mostly in time order: stage words pull the
path to their stage (those of the interviewer's question pull the answer that follows it), and
the path prefers staying, or moving on by one stage, to jumping ahead or going back
(`narrative_path`). A segment keeps the stage its own words name, with their score and
evidence, unless that stage lies behind the path (a passing mention of an earlier step: « quand
je repense à ma demande »); a segment without stage words, or with such a mention, gets the
path's stage with a low score (« ordre du récit », or « question : ... » when the question
named it). A document where nothing names a stage gets no stage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from ..model import Codebook, Suggestion
from ..nlp import Analysed, fold, stop_words
from .rules import Hit, find_hits, score

NAME = "listening.stages.v2"  # v2: the narrative is a path, not the last stage named
CARRY_SCORE = 0.35  # a stage given by the narrative order alone
# The narrative path (`narrative_path`). Chosen on the demo interviews' reference stages: 139 of
# 314 segments right when a segment inherited the last stage mentioned; 168 when the path fills
# the segments without stage words and overrules words that go back behind it (163 when the
# costs are chosen on four fifths of the interviews and scored on the rest, 5 folds); 182 with
# the interviewer's questions read too (175 cross-validated the same way).
PATTERN_WEIGHT = 3.0  # per distinct stage pattern found in a segment
QUESTION_WEIGHT = 4.5  # per distinct stage pattern in the interviewer's question just before it:
# interview guides go stage by stage, so a question sets the stage of its answer more surely
# than a word the answer lets fall (the answer's own words still win when they move it on)
STEP_COST = 0.5  # moving on to the next stage
JUMP_COST = 1.5  # per stage, moving further on than the next one
BACK_COST = 5.0  # going back: one pattern (3) does not pay for it, two (6) do
START_COST = 0.5  # per stage, starting later than the journey's first
STATED_WEIGHT = 100.0  # a stage the source states is always on the path
STATED_KEYS = ("etape", "étape", "stage", "ligne")


def params() -> dict:
    """What the stage coder's suggestions depend on, stored with each run."""
    return {"carry_score": CARRY_SCORE, "pattern_weight": PATTERN_WEIGHT,
            "question_weight": QUESTION_WEIGHT, "step_cost": STEP_COST, "jump_cost": JUMP_COST,
            "back_cost": BACK_COST, "start_cost": START_COST}


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

    def hits(self, journey: object, text: str, analysed: Analysed) -> list[Hit]:
        codes = self.codes.get(journey) if isinstance(journey, str) else None
        if not codes:
            return []
        return find_hits(text, analysed, codes)


def suggest_stages(frame: pd.DataFrame, hits: Sequence[Sequence[Hit]], codebook: Codebook,
                   finder: StageFinder | None = None) -> list[Suggestion]:
    """`frame` holds each document's segments in narrative order (segments_frame) and is aligned
    with `hits`, each segment's `StageFinder.hits`. Stated stages first, then stage words, then
    the narrative order."""
    labels_of = (finder or StageFinder(codebook)).labels
    documents: dict[str, list[tuple]] = {}
    for row, found in zip(frame.itertuples(index=False), hits):
        documents.setdefault(row.document_id, []).append((row, found))
    return [s for rows in documents.values() for s in _document_stages(rows, labels_of)]


@dataclass
class _Told:
    """What one segment says of its stage: stated by the source, or stage words found in it or
    in the interviewer's question just before it."""
    segment_id: str
    stated: str | None
    patterns: dict[str, int]  # stage -> distinct patterns found
    evidence: dict[str, tuple[str, ...]]
    asked: dict[str, int]  # the same, in the question before it
    asked_evidence: dict[str, tuple[str, ...]]


def _patterns(found: Sequence[Hit]) -> tuple[dict[str, int], dict[str, tuple[str, ...]]]:
    patterns: dict[str, set[str]] = {}
    evidence: dict[str, list[str]] = {}
    for h in found:
        patterns.setdefault(h.code, set()).add(h.pattern)
        evidence.setdefault(h.code, []).append(h.evidence)
    return ({c: len(p) for c, p in patterns.items()},
            {c: tuple(dict.fromkeys(e)) for c, e in evidence.items()})


def _document_stages(rows: list[tuple], labels_of: Mapping[str, Mapping[str, str]]) -> list[Suggestion]:
    journey = rows[0][0].journey
    labels = labels_of.get(journey) if isinstance(journey, str) else None
    if not labels:
        return []
    told: list[_Told] = []
    asked: tuple[dict, dict] = ({}, {})
    for row, found in rows:
        if row.role == "interviewer":  # never coded; its stage words carry to the answer
            asked = _patterns(found)
            continue
        stated = stated_stage(row.attrs, getattr(row, "document_stage", None), labels)
        told.append(_Told(row.segment_id, stated, *_patterns(found), *asked))
        asked = ({}, {})
    if not any(t.stated or t.patterns or t.asked for t in told):
        return []  # nothing says where this document stands: no guess
    order = list(labels)
    out = []
    for t, stage in zip(told, narrative_path(order, told)):
        if t.stated:
            out.append(Suggestion(t.segment_id, t.stated, 1.0, NAME, ("étape indiquée dans la source",)))
            continue
        if t.patterns:  # its own words win, unless they go back behind the narrative
            named = max(t.patterns, key=lambda c: (t.patterns[c], -order.index(c)))
            if order.index(named) >= order.index(stage):
                stage = named
        if stage in t.patterns:
            out.append(Suggestion(t.segment_id, stage, score(t.patterns[stage]), NAME, t.evidence[stage]))
        elif stage in t.asked:
            out.append(Suggestion(t.segment_id, stage, CARRY_SCORE, NAME,
                                  tuple(f"question : {e}" for e in t.asked_evidence[stage])))
        else:
            out.append(Suggestion(t.segment_id, stage, CARRY_SCORE, NAME, ("ordre du récit",)))
    return out


def narrative_path(stages: Sequence[str], told: Sequence[_Told]) -> list[str]:
    """The most likely stage of each segment of one document, read as a path through the
    journey's stages in time order (Viterbi): stage words pull the path to their stage; the path
    would rather stay, or move on by one stage, than jump ahead, and goes back to an earlier stage
    only when two patterns of it say so."""
    n = len(stages)

    def pull(t: _Told, j: int) -> float:
        if t.stated:
            return STATED_WEIGHT if t.stated == stages[j] else 0.0
        return (PATTERN_WEIGHT * t.patterns.get(stages[j], 0)
                + QUESTION_WEIGHT * t.asked.get(stages[j], 0))

    def move(i: int, j: int) -> float:
        if j == i:
            return 0.0
        if j < i:
            return -BACK_COST
        return -STEP_COST if j == i + 1 else -JUMP_COST * (j - i)

    best = [-START_COST * j + pull(told[0], j) for j in range(n)]
    back: list[list[int]] = []
    for t in told[1:]:
        came = [max(range(n), key=lambda i, j=j: best[i] + move(i, j)) for j in range(n)]
        best = [best[came[j]] + move(came[j], j) + pull(t, j) for j in range(n)]
        back.append(came)
    j = max(range(n), key=lambda k: best[k])
    path = [j]
    for came in reversed(back):
        j = came[j]
        path.append(j)
    return [stages[j] for j in reversed(path)]
