"""The similarity coder: segments against each code's prototype (label, definition, inclusion
criteria, examples and pattern words, with its sub-codes').

Default ("tfidf"): TF-IDF cosine on content lemmas (words and pairs of words), fitted on the
segments and the prototypes together. A raw cosine means little on its own (it depends on the
length and vocabulary of the corpus), so it is calibrated within the run: for each code, how far
the segment's cosine stands above the corpus average (a z-score), and how close it is to the
segment's best code. Other embedders ("spacy", "st:<dir>") go through `listening.embed`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..embed import make_embedder
from ..model import Code, Codebook, Suggestion

MIN_SEGMENTS = 20  # below this, the corpus says too little to calibrate a similarity


def prototype(code: Code, codebook: Codebook | None = None) -> str:
    """The text that stands for a code: its label, definition, inclusion criteria, examples
    and pattern words (regular expressions left out), then the same for its sub-codes."""
    codes = [code]
    if codebook is not None:
        codes += [c for c in codebook.codes if c.parent == code.id and c.codable]
    parts: list[str] = []
    for c in codes:
        parts += [c.label, c.definition, c.include, *c.examples]
        parts += [p.replace("|", " ").replace("*", "") for p in c.patterns
                  if not p.startswith("re:")]
    return " . ".join(p for p in parts if p)


def cosine_tfidf(texts: Sequence[str], prototypes: Sequence[str]) -> np.ndarray:
    """Cosine of each text with each prototype, TF-IDF fitted on both."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                                 token_pattern=r"(?u)\b[\w-]{2,}\b")
    matrix = vectorizer.fit_transform(list(texts) + list(prototypes))
    return (matrix[: len(texts)] @ matrix[len(texts):].T).toarray()


def calibrate(sims: np.ndarray, centre: float = 0.6, slope: float = 1.5,
              relative: float = 0.6) -> np.ndarray:
    """Cosines (segments × codes) to scores in 0..1: a logistic of the code's z-score over the
    corpus, kept only where the cosine is at least `relative` × the segment's best."""
    z = (sims - sims.mean(axis=0)) / (sims.std(axis=0) + 1e-9)
    best = sims.max(axis=1, keepdims=True)
    near_best = sims >= relative * np.where(best > 0, best, np.inf)
    return np.where(near_best, 1 / (1 + np.exp(-slope * (z - centre))), 0.0)


class SimilarityCoder:
    name = "listening.similarity.v2"

    def __init__(self, embedder: str = "tfidf", threshold: float = 0.5, top_k: int = 2,
                 seed: int = 42, families: Sequence[str] = ("theme",)):
        self.embedder = embedder
        self.threshold = threshold
        self.top_k = top_k
        self.seed = seed
        self.families = tuple(families)

    def params(self) -> dict:
        return {"embedder": self.embedder, "threshold": self.threshold, "top_k": self.top_k,
                "seed": self.seed, "families": list(self.families),
                "min_segments": MIN_SEGMENTS}

    def codes(self, codebook: Codebook) -> list[Code]:
        """Main codes only: a sub-code's words are part of its parent's prototype."""
        return [c for c in codebook.codes if c.family in self.families and c.codable
                and c.parent is None and (c.definition or c.examples)]

    def similarities(self, texts: Sequence[str], code_texts: Sequence[str]) -> np.ndarray:
        if self.embedder == "tfidf":
            return cosine_tfidf(texts, code_texts)
        embedder = make_embedder(self.embedder, seed=self.seed)
        vectors = embedder.fit_transform(list(texts) + list(code_texts))
        return vectors[: len(texts)] @ vectors[len(texts):].T

    def suggest(self, segment_ids: Sequence[str], texts: Sequence[str],
                code_texts: Sequence[str], codes: Sequence[Code]) -> list[Suggestion]:
        """`texts` and `code_texts` are prepared the same way (content lemmas, or raw text for
        sentence-transformers). Nothing below `MIN_SEGMENTS` segments."""
        if len(segment_ids) < MIN_SEGMENTS or not codes:
            return []
        sims = self.similarities(texts, code_texts)
        out = []
        for family in self.families:
            cols = [i for i, c in enumerate(codes) if c.family == family]
            if not cols:
                continue
            scores = calibrate(sims[:, cols])
            order = np.argsort(-scores, axis=1)[:, : self.top_k]
            for row, seg in enumerate(segment_ids):
                for j in order[row]:
                    value = float(scores[row, j])
                    if value >= self.threshold and not math.isnan(value):
                        code = codes[cols[j]]
                        out.append(Suggestion(seg, code.id, round(value, 3), self.name,
                                              (f"proche de « {code.label} »",)))
        return out
