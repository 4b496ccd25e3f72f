"""Automatic coders. Machines suggest, people code: nothing here writes a coding.

`suggest_frame` runs the rule, similarity and stage coders over segments and returns each
coder's suggestions plus a combined list. What a coder sees by default are the combined
suggestions scoring at least `DEFAULT_THRESHOLD` (0.4): one rule cue (0.55) is enough, the
rule coder's low-score irritant for complaint themes (0.45) is shown, valences that lost to a
stronger one in the same segment (halved) and similarity alone (at most 0.35) are not. Measured
by bench/autocode.py on the demo reference coding and on hand-labelled GDN answers: 0.4 gives
the best macro-F1 on both (themes the same as 0.5, valence better).

With `training` (the human codings of the project), the learned coder scores every segment for
the codes it could learn, and the combined score of those codes is the mean of the rules' (and
similarity's) score and the learned one: a cue the team does not code that way drops below the
threshold, a code the team sees without a cue rises. Measured by grouped cross-validation
(bench/autocode.py): the mean beat the learned score alone on the GDN answers (themes 0.75
against 0.70) and matched it on the demo; giving a learned code with no cue more than half its
learned score changed nothing up to 0.7 and lost from 0.8.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..model import Codebook, Suggestion
from ..nlp import analyse, content_lemmas
from ..parallel import map_chunks
from .learned import LearnedCoder, rule_features, training_labels
from .rules import RuleCoder, compile_pattern, pattern_index
from .similarity import SimilarityCoder, prototype
from .stages import NAME as STAGE_CODER
from .stages import StageFinder, suggest_stages
from .stages import params as stage_params

COMBINED = "listening.combined.v1"
DEFAULT_THRESHOLD = 0.4  # the suggestions a coder sees by default
# Similarity alone is weak evidence (macro-F1 about 0.5 on its own, and it adds nothing measurable
# to the rules): scaled so that it stays below DEFAULT_THRESHOLD, visible only on request.
SEGMENT, PROTOTYPE, QUESTION = "segment", "prototype", "question"  # what suggest_frame analyses
SIMILARITY_ALONE_WEIGHT = 0.35
LEARNED_WEIGHT = 0.5  # share of the learned score in a learned code's combined score
MIN_COMBINED = 0.1  # lower combined scores (a learned "no" and nothing else) are not kept

__all__ = ["COMBINED", "DEFAULT_THRESHOLD", "LearnedCoder", "RuleCoder", "SimilarityCoder",
           "Suggestions",
           "compile_pattern", "combine", "suggest_frame"]


@dataclass
class Suggestions:
    by_coder: dict[str, list[Suggestion]] = field(default_factory=dict)
    params: dict = field(default_factory=dict)

    @property
    def combined(self) -> list[Suggestion]:
        return self.by_coder.get(COMBINED, [])


def combine(*lists: Sequence[Suggestion],
            rule_names: Sequence[str] = (RuleCoder.name, STAGE_CODER),
            learned_names: Sequence[str] = (LearnedCoder.name,)) -> list[Suggestion]:
    """One suggestion per (segment, code): rules and similarity agreeing reinforce each other;
    where the learned coder scored the code, the result is averaged with its score."""
    merged: dict[tuple[str, str], list[Suggestion]] = {}
    for lst in lists:
        for s in lst:
            merged.setdefault((s.segment_id, s.code_id), []).append(s)
    out = []
    for (seg, code), group in merged.items():
        rule = max((s.score for s in group if s.coder in rule_names), default=0.0)
        sim = max((s.score for s in group if s.coder not in rule_names
                   and s.coder not in learned_names), default=0.0)
        learned = [s.score for s in group if s.coder in learned_names]
        if rule and sim:
            value = 1 - (1 - rule) * (1 - sim)
        elif rule:
            value = rule
        else:
            value = sim * SIMILARITY_ALONE_WEIGHT
        if learned:
            value = (1 - LEARNED_WEIGHT) * value + LEARNED_WEIGHT * max(learned)
        if value < MIN_COMBINED:
            continue
        evidence = tuple(dict.fromkeys(e for s in group for e in s.evidence))
        out.append(Suggestion(seg, code, round(value, 3), COMBINED, evidence))
    return out


def suggest_frame(frame: pd.DataFrame, codebook: Codebook, *, embedder: str = "tfidf",
                  similarity_threshold: float = 0.5, seed: int = 42,
                  training: Mapping[str, Collection[str]] | None = None,
                  progress: Callable[[int, int, str], None] | None = None) -> Suggestions:
    """Suggestions for every non-interviewer segment of `frame` (a store.segments_frame).

    `training` maps segment ids of `frame` to the codes human coders gave them (an empty set:
    reviewed, no code); the learned coder learns from them (see `LearnedCoder.suggest_held_out`:
    a coded segment is scored by a model that never saw its document's codings)."""
    frame = frame.reset_index(drop=True)
    work = frame[frame["role"] != "interviewer"].reset_index(drop=True)
    if progress:
        progress(0, 4, "analyse linguistique et motifs du livre de codes")
    sim = SimilarityCoder(embedder=embedder, threshold=similarity_threshold, seed=seed)
    sim_codes = sim.codes(codebook)
    prototypes = [prototype(c, codebook) for c in sim_codes]
    rules = RuleCoder()
    rule_codes = rules.codes(codebook)
    stages = StageFinder(codebook)
    pattern_index(tuple(rule_codes))  # compiled once, before the workers fork
    # The interviewer's questions are read for stage words only: they set the narrative's stage
    # (« Et pour le versement, comment ça s'est passé ? »), and are never coded.
    asked = frame[(frame["role"] == "interviewer") & frame["journey"].isin(list(stages.codes))]
    # One pass per segment, spread over the cores: lemmatise, match the rule and stage
    # patterns, keep the content lemmas; code prototypes and questions ride along.
    items = [(*row, SEGMENT) for row in zip(work["segment_id"], work["text"], work["journey"])]
    items += [(None, text, None, PROTOTYPE) for text in prototypes]
    items += [(*row, QUESTION) for row in zip(asked["segment_id"], asked["text"], asked["journey"])]

    def per_segment(part: Sequence[tuple]) -> list[tuple[list[Suggestion], list, str]]:
        out = []
        for (seg_id, text, journey, kind), an in zip(part, analyse([p[1] for p in part])):
            if kind == SEGMENT:
                out.append((rules.suggest_one(seg_id, text, an, rule_codes),
                            stages.hits(journey, text, an), *content_lemmas([an])))
            elif kind == PROTOTYPE:
                out.append(([], [], *content_lemmas([an])))
            else:
                out.append(([], stages.hits(journey, text, an), ""))
        return out

    done = map_chunks(per_segment, items)
    n_work, n_codes = len(work), len(prototypes)
    segments = done[:n_work]
    code_lemmas = [lemmas for _, _, lemmas in done[n_work:n_work + n_codes]]
    rule_sugs = [s for found, _, _ in segments for s in found]
    if progress:
        progress(1, 4, "étapes des parcours")
    stage_hits = dict(zip(work["segment_id"], (hits for _, hits, _ in segments)))
    stage_hits.update(zip(asked["segment_id"], (hits for _, hits, _ in done[n_work + n_codes:])))
    stage_sugs = suggest_stages(frame, [stage_hits.get(seg, []) for seg in frame["segment_id"]],
                                codebook, stages)
    if progress:
        progress(2, 4, "similarité")
    if embedder.startswith("st:"):
        seg_texts, code_texts = work["text"].tolist(), prototypes
    else:
        seg_texts, code_texts = [lemmas for _, _, lemmas in segments], code_lemmas
    sim_sugs = sim.suggest(work["segment_id"].tolist(), seg_texts, code_texts, sim_codes)
    if progress:
        progress(3, 4, "apprentissage sur les codages")
    learner = LearnedCoder(seed=seed)
    learned_sugs = _learned(learner, work, [lemmas for _, _, lemmas in segments], rule_sugs,
                            codebook, training or {})
    result = Suggestions(
        by_coder={RuleCoder.name: rule_sugs, SimilarityCoder.name: sim_sugs,
                  LearnedCoder.name: learned_sugs, STAGE_CODER: stage_sugs,
                  COMBINED: combine(rule_sugs, stage_sugs, sim_sugs, learned_sugs)},
        params={"rules": rules.params(), "similarity": sim.params(), "stages": stage_params(),
                "learned": {**learner.params(), "training_segments": len(
                    set(training or ()) & set(work["segment_id"]))},
                "combined": {"similarity_alone_weight": SIMILARITY_ALONE_WEIGHT,
                             "learned_weight": LEARNED_WEIGHT, "min_combined": MIN_COMBINED,
                             "default_threshold": DEFAULT_THRESHOLD},
                "codebook": f"{codebook.name} {codebook.version}"},
    )
    if progress:
        progress(4, 4, "")
    return result


def _learned(learner: LearnedCoder, work: pd.DataFrame, lemmas: Sequence[str],
             rule_sugs: Sequence[Suggestion], codebook: Codebook,
             training: Mapping[str, Collection[str]]) -> list[Suggestion]:
    """The learned coder over `work`, trained on the human codings of its segments."""
    if not training:
        return []
    codes = [c.id for c in learner.codes(codebook)]
    labels = training_labels(training, codebook, learner.families)
    ids = work["segment_id"].tolist()
    return learner.suggest_held_out(ids, list(lemmas), work["document"].tolist(), labels, codes,
                                    rule_features(ids, rule_sugs, codes))
