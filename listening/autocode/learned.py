"""The learned coder: learns from the project's own human codings to suggest codes elsewhere.

In a mission, inspectors code part of the corpus; this coder fits one logistic regression per
code (one-vs-rest, classes weighted) on what they coded and scores the other segments. Features:
TF-IDF of the segment's content lemmas (words and pairs of words) and the rule coder's score for
each code, so the model learns when a codebook cue is how the team codes and when it is not.

It says nothing below `MIN_SEGMENTS` human-coded segments, and learns only the codes with at
least `MIN_POSITIVE` positive (and as many negative) segments. A segment that is itself in the
training set is never scored by a model that saw it: `suggest_held_out` cuts the documents into
folds and scores each coded segment with a model fitted on the other folds' documents.
Evidence: the learned words present in the segment that weigh most for the code.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np

from ..model import Code, Codebook, Suggestion

MIN_SEGMENTS = 30  # human-coded segments needed before the coder says anything
MIN_POSITIVE = 5  # positive (and negative) segments needed to learn a code
EVIDENCE_SCORE = 0.5  # a learned score from which the coder states its evidence


def folds_by_group(groups: Sequence[str], n_folds: int, seed: int) -> np.ndarray:
    """Fold number of each item: whole groups (documents) are shuffled with `seed` and dealt
    round-robin, so items of one document always share a fold."""
    unique = sorted(set(groups))
    np.random.RandomState(seed).shuffle(unique)
    fold = {g: i % n_folds for i, g in enumerate(unique)}
    return np.array([fold[g] for g in groups], dtype=int)


def training_labels(codings: Mapping[str, Collection[str]], codebook: Codebook,
                    families: Sequence[str]) -> dict[str, set[str]]:
    """Per segment, the codes of `families` its human codings give, with their parent codes (a
    sub-theme is also its theme). A segment mapped to no code is a reviewed negative."""
    index = {c.id: c for c in codebook.codes}
    out: dict[str, set[str]] = {}
    for seg, codes in codings.items():
        found = out.setdefault(seg, set())
        for code in codes:
            while code in index:
                if index[code].family in families and index[code].codable:
                    found.add(code)
                code = index[code].parent
    return out


def rule_features(segment_ids: Sequence[str], suggestions: Sequence[Suggestion],
                  codes: Sequence[str]) -> np.ndarray:
    """segments × codes: the best score another coder (the rules) gave each code."""
    row = {s: i for i, s in enumerate(segment_ids)}
    col = {c: j for j, c in enumerate(codes)}
    out = np.zeros((len(segment_ids), len(codes)))
    for s in suggestions:
        i, j = row.get(s.segment_id), col.get(s.code_id)
        if i is not None and j is not None:
            out[i, j] = max(out[i, j], s.score)
    return out


class LearnedCoder:
    name = "listening.learned.v1"

    def __init__(self, families: Sequence[str] = ("theme", "valence"), c: float = 1.0,
                 n_folds: int = 5, min_segments: int = MIN_SEGMENTS,
                 min_positive: int = MIN_POSITIVE, seed: int = 42):
        self.families = tuple(families)
        self.c = c
        self.n_folds = n_folds
        self.min_segments = min_segments
        self.min_positive = min_positive
        self.seed = seed

    def params(self) -> dict:
        return {**self._init(), "families": list(self.families),
                "model": "tfidf lemmas 1-2 + rule scores, one-vs-rest logistic regression, "
                         "balanced classes"}

    def codes(self, codebook: Codebook) -> list[Code]:
        return [c for c in codebook.codes if c.family in self.families and c.codable]

    # --- fitting and scoring -------------------------------------------------------------

    def fit(self, texts: Sequence[str], labels: Sequence[Collection[str]],
            codes: Sequence[str], features: np.ndarray | None = None) -> LearnedCoder:
        """Fit on `texts` (content lemmas) and their human codes; `features` (texts × any)
        are extra columns, the rule scores. Learns nothing below `min_segments` texts."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.models_: dict[str, object] = {}
        self.vectorizer_ = None
        if len(texts) < self.min_segments:
            return self
        self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                                           token_pattern=r"(?u)\b[\w-]{2,}\b")
        x = self._matrix(self.vectorizer_.fit_transform(list(texts)), features)
        for code in codes:
            y = np.array([code in found for found in labels])
            if min(y.sum(), len(y) - y.sum()) < self.min_positive:
                continue
            model = LogisticRegression(C=self.c, class_weight="balanced", max_iter=2000,
                                       random_state=self.seed)
            self.models_[code] = model.fit(x, y)
        self.words_ = self.vectorizer_.get_feature_names_out()
        return self

    @staticmethod
    def _matrix(words, features: np.ndarray | None):
        if features is None or features.shape[1] == 0:
            return words.tocsr()
        from scipy import sparse

        return sparse.hstack([words, sparse.csr_matrix(features)]).tocsr()

    def suggest(self, segment_ids: Sequence[str], texts: Sequence[str],
                features: np.ndarray | None = None) -> list[Suggestion]:
        """A score for every segment and every learned code (the combination needs the low
        ones too: a learned "no" counts); evidence from `EVIDENCE_SCORE` up."""
        if not getattr(self, "models_", None) or not len(segment_ids):
            return []
        words = self.vectorizer_.transform(list(texts))
        x = self._matrix(words, features)
        out = []
        for code, model in self.models_.items():
            scores = model.predict_proba(x)[:, 1]
            weights = words.multiply(model.coef_[0][: words.shape[1]]).tocsr()
            for i, seg in enumerate(segment_ids):
                value = round(float(scores[i]), 3)
                evidence = self._evidence(weights, i) if value >= EVIDENCE_SCORE else ()
                out.append(Suggestion(seg, code, value, self.name, evidence))
        return out

    def _evidence(self, weights, row: int, top: int = 3) -> tuple[str, ...]:
        start, end = weights.indptr[row], weights.indptr[row + 1]
        cols, vals = weights.indices[start:end], weights.data[start:end]
        best = [cols[k] for k in np.argsort(-vals)[:top] if vals[k] > 0]
        return (f"appris des codages : {', '.join(self.words_[j] for j in best)}",) if best else ()

    def suggest_held_out(self, segment_ids: Sequence[str], texts: Sequence[str],
                         groups: Sequence[str], training: Mapping[str, Collection[str]],
                         codes: Sequence[str],
                         features: np.ndarray | None = None) -> list[Suggestion]:
        """Suggestions for every segment, trained on the `training` ones (segment → human
        codes; an empty set is a reviewed segment with none of `codes`). A segment outside the
        training set is scored by the model fitted on all of it; a segment inside by the model
        fitted without its fold of documents (`groups`), so never by one that saw its codes."""
        ids = list(segment_ids)
        inside = np.array([s in training for s in ids])
        if inside.sum() < self.min_segments:
            return []
        labels = [set(training[s]) if s in training else set() for s in ids]

        def extra(idx: np.ndarray) -> np.ndarray | None:
            return None if features is None else features[idx]

        def fit_then_score(train: np.ndarray, test: np.ndarray) -> list[Suggestion]:
            model = LearnedCoder(**self._init()).fit(
                [texts[i] for i in train], [labels[i] for i in train], codes, extra(train))
            return model.suggest([ids[i] for i in test], [texts[i] for i in test], extra(test))

        coded, uncoded = np.flatnonzero(inside), np.flatnonzero(~inside)
        out = fit_then_score(coded, uncoded) if len(uncoded) else []
        fold = folds_by_group([groups[i] for i in coded], self.n_folds, self.seed)
        if len(set(fold)) < 2:
            return out  # one document: nothing to hold out, the coded segments get nothing
        for k in sorted(set(fold)):
            out += fit_then_score(coded[fold != k], coded[fold == k])
        return out

    def _init(self) -> dict:
        return {"families": self.families, "c": self.c, "n_folds": self.n_folds,
                "min_segments": self.min_segments, "min_positive": self.min_positive,
                "seed": self.seed}
