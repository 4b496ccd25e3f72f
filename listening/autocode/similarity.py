"""The similarity coder: segments against each code's label, definition and examples.

Both sides are embedded with the same offline embedder (fitted on the corpus plus the code
prototypes), so the comparison stays within one vector space.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..embed import make_embedder
from ..model import Code, Codebook, Suggestion


def prototype(code: Code) -> str:
    """The text that stands for a code: label, definition, inclusion criteria, examples."""
    return " ".join([code.label, code.definition, code.include, *code.examples])


class SimilarityCoder:
    name = "listening.similarity.v1"

    def __init__(self, embedder: str = "tfidf", threshold: float = 0.3, top_k: int = 2,
                 seed: int = 42, families: Sequence[str] = ("theme", "valence")):
        self.embedder = embedder
        self.threshold = threshold
        self.top_k = top_k
        self.seed = seed
        self.families = tuple(families)

    def params(self) -> dict:
        return {"embedder": self.embedder, "threshold": self.threshold, "top_k": self.top_k,
                "seed": self.seed, "families": list(self.families)}

    def codes(self, codebook: Codebook) -> list[Code]:
        return [c for c in codebook.codes if c.family in self.families and c.codable
                and (c.definition or c.examples)]

    def suggest(self, segment_ids: Sequence[str], texts: Sequence[str],
                code_texts: Sequence[str], codes: Sequence[Code]) -> list[Suggestion]:
        """`texts` and `code_texts` are prepared the same way (content lemmas, or raw text for
        sentence-transformers)."""
        if not segment_ids or not codes:
            return []
        embedder = make_embedder(self.embedder, seed=self.seed)
        vectors = embedder.fit_transform(list(texts) + list(code_texts))
        seg_vecs, code_vecs = vectors[: len(texts)], vectors[len(texts):]
        sims = seg_vecs @ code_vecs.T
        out = []
        for family in self.families:
            cols = [i for i, c in enumerate(codes) if c.family == family]
            if not cols:
                continue
            block = sims[:, cols]
            order = np.argsort(-block, axis=1)[:, : self.top_k]
            for row, seg in enumerate(segment_ids):
                for j in order[row]:
                    s = float(block[row, j])
                    if s >= self.threshold:
                        code = codes[cols[j]]
                        out.append(Suggestion(seg, code.id, round(s, 3), self.name,
                                              (f"proche de « {code.label} »",)))
        return out
