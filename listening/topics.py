"""Pain points per journey stage: BERTopic over irritant segments, configured explicitly.

- Documents given to BERTopic are content lemmas (accented, French stop words and spoken
  fillers removed), so topic words are readable lemmas; embeddings are precomputed offline
  (`listening.embed`), so BERTopic never loads an embedding model.
- One model per journey (irritant segments of all its stages), then a per-stage breakdown:
  pain points recur across stages and a journey gives enough segments for stable clusters.
  Documents without a journey (e.g. a survey table) form one group.
- Small groups (< `small_corpus` segments): no UMAP/HDBSCAN (they need density) but k-means
  with a handful of clusters, so a few hundred segments still give sensible topics.
- Larger groups: UMAP + HDBSCAN scaled to the corpus, then outliers reduced (embeddings
  strategy) and the reduction reported.
- Fixed seed everywhere; UMAP single-threaded for exact repeatability.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from .embed import make_embedder
from .errors import InputError
from .nlp import analyse, content_lemmas, stop_words

NO_JOURNEY = "(sans parcours)"
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class TopicParams:
    embedder: str = "tfidf"
    seed: int = 42
    valence: str | None = "valence.irritant"  # None: all segments
    small_corpus: int = 400
    min_topic_size: int | None = None  # default scales with the corpus
    top_n_words: int = 8
    max_topics: int = 25  # per group; more are merged by c-TF-IDF similarity
    outlier_threshold: float = 0.0


@dataclass
class TopicModelResult:
    group: str  # journey id or NO_JOURNEY
    topics: pd.DataFrame  # topic, label, words, count
    assignments: pd.DataFrame  # segment_id, topic (-1 outlier), probability
    outliers_before: int
    outliers_after: int
    method: str


def _vectorizer(n_docs: int):
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(ngram_range=(1, 2), min_df=2 if n_docs >= 60 else 1,
                           stop_words=sorted(w for w in stop_words() if "'" not in w), token_pattern=r"(?u)\b[\w-]{3,}\b")


def _clusterer(n: int, params: TopicParams):
    """(dimensionality reduction, clustering, method name) suited to `n` documents."""
    from sklearn.cluster import KMeans

    if n < params.small_corpus:
        from bertopic.dimensionality import BaseDimensionalityReduction

        k = max(2, min(10, round(math.sqrt(n / 4))))
        return (BaseDimensionalityReduction(), KMeans(n_clusters=k, random_state=params.seed,
                                                      n_init=10), f"kmeans(k={k})")
    from hdbscan import HDBSCAN
    from umap import UMAP

    size = params.min_topic_size or max(10, min(150, n // 100))
    reducer = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                   random_state=params.seed, n_jobs=1, low_memory=True)
    clusterer = HDBSCAN(min_cluster_size=size, min_samples=max(3, size // 3),
                        metric="euclidean", cluster_selection_method="eom", prediction_data=True)
    return reducer, clusterer, f"umap+hdbscan(min_cluster_size={size})"


def fit_topics(segment_ids: Sequence[str], lemmas: Sequence[str], embeddings: np.ndarray,
               params: TopicParams, group: str = "") -> TopicModelResult:
    """One BERTopic model over prepared documents (content lemmas) and their embeddings."""
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer

    keep = [i for i, text in enumerate(lemmas) if text.strip()]
    ids = [segment_ids[i] for i in keep]
    docs = [lemmas[i] for i in keep]
    emb = embeddings[keep]
    if len(docs) < 6:
        raise InputError(f"{group or 'corpus'} : trop peu de segments ({len(docs)}) pour "
                         "dégager des thèmes ; il en faut au moins 6.")
    reducer, clusterer, method = _clusterer(len(docs), params)
    model = BERTopic(language="french", umap_model=reducer, hdbscan_model=clusterer,
                     vectorizer_model=_vectorizer(len(docs)),
                     ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
                     top_n_words=params.top_n_words, calculate_probabilities=False,
                     verbose=False)
    topics, _ = model.fit_transform(docs, embeddings=emb)
    if len(set(topics) - {-1}) > params.max_topics:
        model.reduce_topics(docs, nr_topics=params.max_topics + (1 if -1 in topics else 0))
        topics = list(model.topics_)
    before = sum(1 for t in topics if t == -1)
    if before and len(set(topics)) > 1:
        topics = model.reduce_outliers(docs, topics, strategy="embeddings", embeddings=emb,
                                       threshold=params.outlier_threshold)
        model.update_topics(docs, topics=topics, vectorizer_model=_vectorizer(len(docs)),
                            ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
                            top_n_words=params.top_n_words)
    after = sum(1 for t in topics if t == -1)
    rows = []
    for topic in sorted(set(topics) - {-1}):
        words = [w for w, _ in (model.get_topic(topic) or [])][: params.top_n_words]
        rows.append({"topic": int(topic), "words": words, "label": topic_label(words),
                     "count": int(sum(1 for t in topics if t == topic))})
    probability = _centrality(emb, np.asarray(topics))
    assign = pd.DataFrame({"segment_id": ids, "topic": [int(t) for t in topics],
                           "probability": probability})
    return TopicModelResult(group, pd.DataFrame(rows, columns=["topic", "words", "label", "count"]),
                            assign, before, after, method)


def topic_label(words: Sequence[str], n: int = 3) -> str:
    """A short French label from the top terms, skipping terms contained in earlier ones."""
    chosen: list[str] = []
    for w in words:
        if any(w in c or c in w for c in chosen):
            continue
        chosen.append(w)
        if len(chosen) == n:
            break
    return " · ".join(chosen) if chosen else "(sans libellé)"


def _centrality(emb: np.ndarray, topics: np.ndarray) -> list[float]:
    """Cosine similarity of each segment to its topic's centroid (how representative it is)."""
    out = np.zeros(len(topics))
    for t in set(topics.tolist()) - {-1}:
        idx = np.where(topics == t)[0]
        centroid = emb[idx].mean(axis=0)
        norm = np.linalg.norm(centroid) or 1.0
        out[idx] = emb[idx] @ centroid / norm
    return [round(float(x), 4) for x in out]


def prepare(texts: Sequence[str], params: TopicParams) -> tuple[list[str], np.ndarray]:
    """Content lemmas and embeddings for texts, with the configured offline embedder."""
    lemmas = content_lemmas(analyse(list(texts)))
    embedder = make_embedder(params.embedder, seed=params.seed)
    source = list(texts) if getattr(embedder, "raw_text", False) else lemmas
    return lemmas, embedder.fit_transform(source)


def topics_by_stage(coded: pd.DataFrame, params: TopicParams = TopicParams(), *,
                    journey: str | None = None, stage_labels: dict[str, str] | None = None,
                    progress: Progress | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Topics of the (irritant) segments of each journey, broken down by stage.

    `coded` is `views.coded_segments(...)`. Returns (topics, assignments, summary): one topics
    row per (journey, stage, topic) with label, words, count, share of the stage, overlapping
    themes and the 3 most representative segment ids.
    """
    rows = coded[coded["role"] != "interviewer"]
    if params.valence:
        rows = rows.loc[rows["valences"].map(lambda v: params.valence in v).astype(bool)]
    rows = rows.assign(group=rows["journey"].where(rows["journey"].notna(), NO_JOURNEY))
    if journey:
        rows = rows[rows["group"] == journey]
    groups = [g for g, part in rows.groupby("group") if len(part) >= 6]
    topic_rows, assign_rows, summary = [], [], {"groups": {}, "params": asdict(params)}
    for i, group in enumerate(groups):
        if progress:
            progress(i, len(groups), str(group))
        part = rows[rows["group"] == group].reset_index(drop=True)
        part["stage"] = [s if isinstance(s, str) and s else "" for s in part["stage"]]
        lemmas, emb = prepare(part["text"].tolist(), params)
        result = fit_topics(part["segment_id"].tolist(), lemmas, emb, params, group)
        summary["groups"][group] = {"segments": len(part), "method": result.method,
                                    "outliers_before": result.outliers_before,
                                    "outliers_after": result.outliers_after,
                                    "topics": len(result.topics)}
        merged = part.merge(result.assignments, on="segment_id", how="left")
        merged["topic"] = merged["topic"].fillna(-1).astype(int)
        labels = result.topics.set_index("topic")
        for stage, in_stage in merged.groupby("stage"):
            stage_total = len(in_stage)
            for topic, members in in_stage.groupby("topic"):
                if topic == -1:
                    continue
                best = members.sort_values("probability", ascending=False)
                themes = Counter(t for ts in members["top_themes"] for t in ts)
                topic_rows.append({
                    "key": f"{group}/{stage or '-'}/{topic}", "topic": int(topic),
                    "journey": None if group == NO_JOURNEY else group, "stage": stage or None,
                    "etape": (stage_labels or {}).get(stage, stage or "(étape non précisée)"),
                    "label": labels.loc[topic, "label"], "words": labels.loc[topic, "words"],
                    "count": len(members), "share": round(len(members) / stage_total, 3),
                    "themes": [t for t, _ in themes.most_common(3)],
                    "examples": best["segment_id"].head(3).tolist(),
                })
        for r in merged.itertuples(index=False):
            key = None if r.topic == -1 else f"{group}/{r.stage or '-'}/{r.topic}"
            assign_rows.append((r.segment_id, key, float(r.probability or 0.0)))
    if progress:
        progress(len(groups), len(groups), "")
    topics = pd.DataFrame(topic_rows, columns=["key", "topic", "journey", "stage", "etape", "label",
                                               "words", "count", "share", "themes", "examples"])
    if len(topics):
        topics = topics.sort_values(["journey", "stage", "count"], ascending=[True, True, False],
                                    na_position="last").reset_index(drop=True)
    assignments = pd.DataFrame(assign_rows, columns=["segment_id", "topic_key", "probability"])
    return topics, assignments, summary
