"""Topic quality and speed on real French text: Grand Débat answers (retraite Q194, création
d'entreprise Q198), read in place from ../shared/data/gdn and skipped when absent.

Prints, per question and embedder: topic count, outlier share before/after reduction, topic
diversity (unique share of top-10 words), NPMI coherence over the corpus, the top terms of each
topic, the time (cold includes lemmatisation; warm is the fit on prepared text), and the overlap
with the source's own clusters (adjusted mutual information; not a ground truth).
Targets: >= 8 distinct readable topics, outliers <= 20 % after reduction, 10k segments <= 30 s warm.

    .venv/bin/python bench/topics.py [--limit N] [--embedders tfidf,spacy]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listening.embed import make_embedder  # noqa: E402
from listening.nlp import analyse, content_lemmas  # noqa: E402
from listening.topics import TopicParams, fit_topics  # noqa: E402

GDN = ROOT.parent / "shared" / "data" / "gdn"
QUESTIONS = {"Q194": "préparer sa retraite", "Q198": "créer une entreprise"}


def npmi(topics_words: list[list[str]], docs: list[str], top: int = 10) -> float:
    """Mean normalised PMI of top-word pairs, document co-occurrence over the corpus."""
    sets = [set(d.split()) for d in docs]
    n = len(sets)
    df = Counter(w for s in sets for w in s)
    scores = []
    for words in topics_words:
        words = [w for w in words[:top] if " " not in w][:top]
        for a, b in combinations(words, 2):
            pa, pb = df[a] / n, df[b] / n
            pab = sum(1 for s in sets if a in s and b in s) / n
            if pa == 0 or pb == 0:
                continue
            if pab == 0:
                scores.append(-1.0)
                continue
            pmi = math.log(pab / (pa * pb))
            scores.append(pmi / -math.log(pab) if pab < 1 else 1.0)
    return sum(scores) / len(scores) if scores else float("nan")


def diversity(topics_words: list[list[str]], top: int = 10) -> float:
    words = [w for ws in topics_words for w in ws[:top]]
    return len(set(words)) / len(words) if words else 0.0


def run(question: str, limit: int | None, embedders: list[str]) -> None:
    path = GDN / f"{question}.csv"
    df = pd.read_csv(path).dropna(subset=["comment"])
    if limit:
        df = df.head(limit)
    texts = df["comment"].astype(str).tolist()
    t0 = time.perf_counter()
    lemmas = content_lemmas(analyse(texts))
    t_lemmas = time.perf_counter() - t0
    print(f"\n=== {question} ({QUESTIONS[question]}) : {len(texts)} réponses — lemmatisation "
          f"{t_lemmas:.1f} s ({len(texts) / t_lemmas:.0f} réponses/s)")
    from sklearn.metrics import adjusted_mutual_info_score

    for name in embedders:
        params = TopicParams(embedder=name, seed=42, valence=None)
        t1 = time.perf_counter()
        emb = make_embedder(name, seed=42).fit_transform(lemmas)
        result = fit_topics([str(i) for i in range(len(texts))], lemmas, emb, params, question)
        warm = time.perf_counter() - t1
        words = result.topics["words"].tolist()
        assigned = result.assignments.set_index("segment_id")["topic"]
        ami = adjusted_mutual_info_score(df["cluster_id"].tolist(),
                                         [assigned.get(str(i), -1) for i in range(len(texts))])
        print(f"-- plongement {name} : {len(result.topics)} thèmes ({result.method}), "
              f"hors-thème {result.outliers_before / len(texts):.0%} → "
              f"{result.outliers_after / len(texts):.0%}, diversité {diversity(words):.2f}, "
              f"NPMI {npmi(words, lemmas):.3f}, AMI/grappes source {ami:.2f}, "
              f"temps (chaud) {warm:.1f} s, total {warm + t_lemmas:.1f} s")
        for r in result.topics.sort_values("count", ascending=False).itertuples():
            print(f"   {r.count:5d}  {r.label:<45}  {', '.join(r.words[:8])}")
    clusters = json.loads((GDN / "questions_and_clusters.json").read_text(encoding="utf-8"))
    ref = clusters.get(question) or clusters.get(question.lstrip("Q")) or {}
    if ref:
        print(f"-- grappes de la source : {len(ref.get('clusters', ref))} (référence indicative)")


def warm_up() -> None:
    """Compile UMAP's numba kernels once so 'warm' times measure the fit, not the JIT: above
    4,096 points UMAP finds neighbours with NNDescent, whose kernels compile on first use."""
    import numpy as np

    rng = np.random.default_rng(0)
    vocabulary = ["délai", "dossier", "téléphone", "site", "caisse", "retraite", "pension",
                  "courrier", "rendez-vous", "erreur", "carrière", "entreprise"]
    n = 5000
    docs = [" ".join(rng.choice(vocabulary, 6)) for _ in range(n)]
    emb = make_embedder("tfidf").fit_transform(docs)
    fit_topics([str(i) for i in range(n)], docs, emb, TopicParams(small_corpus=0), "warm-up")


def scale(n: int = 10_000) -> None:
    frames = [pd.read_csv(GDN / f"{q}.csv").dropna(subset=["comment"]) for q in
              ("Q179", "Q194", "Q198")]
    texts = pd.concat(frames)["comment"].astype(str).tolist()[:n]
    t0 = time.perf_counter()
    lemmas = content_lemmas(analyse(texts))
    t_lem = time.perf_counter() - t0
    t1 = time.perf_counter()
    emb = make_embedder("tfidf").fit_transform(lemmas)
    result = fit_topics([str(i) for i in range(len(texts))], lemmas, emb, TopicParams(), "10k")
    warm = time.perf_counter() - t1
    verdict = "OK" if warm <= 30 else "AU-DESSUS DE LA CIBLE"
    print(f"\n=== Échelle : {len(texts)} segments (Q179+Q194+Q198) — lemmatisation {t_lem:.1f} s, "
          f"thèmes à chaud {warm:.1f} s (cible ≤ 30 s : {verdict}), {len(result.topics)} thèmes")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--embedders", default="tfidf,spacy")
    args = parser.parse_args()
    if not GDN.exists():
        print(f"{GDN} absent : banc d'essai ignoré.")
        return
    warm_up()
    for q in QUESTIONS:
        run(q, args.limit, args.embedders.split(","))
    scale()


if __name__ == "__main__":
    main()
