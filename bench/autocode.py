"""Automatic suggestions against two hand codings: the demo corpus's reference coding and real
answers of the Grand Débat National labelled by hand.

- Demo (corpora/demo/codage-reference.csv): units are the segments the reference coder coded.
- GDN (`--gdn`, bench/data/gdn-etiquettes.csv): 200 answers drawn at random (seed 2019) from
  ../shared/data/gdn Q194 (retraite), Q198 (création d'entreprise) and Q179 (services publics),
  labelled by hand from their meaning before any tuning (themes and one valence, possibly none).
  The labels file holds no text: the answers are read in place; skipped when ../shared is absent.

For each code, a suggestion counts when its score is at least the threshold; sub-themes roll up
to their main theme. Prints precision, recall and F1 per code and the macro-F1 of themes and of
valence, for each coder (rules, similarity, learned) and for the combined coder (what a coder
sees), twice: without training data (rules and similarity: a project nobody has coded yet) and
with the learned coder trained on the hand coding, CROSS-VALIDATED: the units' documents (GDN:
each answer) are dealt into 5 folds (seed 42) and each fold is scored by a model trained on the
other folds' hand codes only (`LearnedCoder.suggest_held_out`, the same path a project takes).
Target: macro-F1 >= 0.75 on themes and on valence.

    .venv/bin/python bench/autocode.py [--project DIR] [--thresholds 0.3,0.5] [--gdn]
        [--gdn-labels FILE] [--gdn-train FILE] [--no-demo] [--codebook FILE]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listening.autocode import (  # noqa: E402
    COMBINED,
    DEFAULT_THRESHOLD,
    LearnedCoder,
    RuleCoder,
    SimilarityCoder,
    combine,
    suggest_frame,
)
from listening.autocode.stages import NAME as STAGE_CODER  # noqa: E402
from listening.codebook_io import load_codebook  # noqa: E402
from listening.coding import import_quoted_codings  # noqa: E402
from listening.errors import ListeningError  # noqa: E402
from listening.ingestion import ingest_paths  # noqa: E402
from listening.projects import DEFAULT_CODEBOOK, DEMO_CORPUS, create_project  # noqa: E402
from listening.store import codings_frame, open_project, segments_frame  # noqa: E402
from listening.views import main_themes  # noqa: E402

REFERENCE = "Référence"
SECOND = "Codeur B"  # corpora/demo/codage-codeur-b.csv: a blind second coding of part of it
GDN_DIR = ROOT.parent / "shared" / "data" / "gdn"
GDN_LABELS = ROOT / "bench" / "data" / "gdn-etiquettes.csv"
GDN_JOURNEYS = {"Q194": "parcours.retraite", "Q198": "parcours.creation-entreprise"}

Truth = dict[str, set[str]]


def build(project_dir: Path):
    if (project_dir / "projet.sqlite").exists():
        project = open_project(project_dir)
    else:
        project, _ = create_project(project_dir)
        t = time.perf_counter()
        ingest_paths(project, [DEMO_CORPUS / "documents"], manifest=DEMO_CORPUS / "manifest.yaml")
        print(f"ingestion du corpus de démonstration : {time.perf_counter() - t:.1f} s")
    coders = set(codings_frame(project)["coder"])
    if REFERENCE not in coders:
        rep = import_quoted_codings(project, DEMO_CORPUS / "codage-reference.csv", coder=REFERENCE)
        print(f"référence : {rep.added} codages, {len(rep.errors)} citations non retrouvées")
    if SECOND not in coders:
        import_quoted_codings(project, DEMO_CORPUS / "codage-codeur-b.csv", coder=SECOND)
    return project


def coded_by(project, roll, coders: tuple[str, ...]) -> dict[str, Truth]:
    """Each coder's codes per segment, rolled up (`rollup`)."""
    codings = codings_frame(project)
    by: dict[str, Truth] = {coder: {} for coder in coders}
    for coder, seg, code in zip(codings["coder"], codings["segment_id"], codings["code_id"]):
        if coder in by:
            by[coder].setdefault(seg, set()).add(roll(code))
    return by


def human_ceiling(by: dict[str, Truth], codebook) -> None:
    """The second coder scored against the reference on the segments both coded, as the
    suggestions are: what two people reach on the same units."""
    both = set(by[REFERENCE]) & set(by[SECOND])
    if not both:
        return
    truth = {u: by[REFERENCE][u] for u in both}
    f1s = [score_table(truth, by[SECOND], codes)["f1"].mean()
           for codes in scored_families(codebook).values()]
    print(f"\nDeux codeurs humains (« {SECOND} » contre la référence, {len(both)} segments codés "
          f"par les deux) : thèmes macro-F1 {f1s[0]:.3f} | valence macro-F1 {f1s[1]:.3f}")


def rollup(codebook):
    """code id -> its main theme (other families unchanged)."""
    top = {c.id: c.id for c in main_themes(codebook)}
    index = {c.id: c for c in codebook.codes}
    for c in codebook.family("theme"):
        parent = c.parent
        while c.id not in top and parent in index:
            if parent in top:
                top[c.id] = parent
            parent = index[parent].parent
    return lambda code: top.get(code, code)


def scored_families(codebook) -> dict[str, list[str]]:
    """The codes whose macro-F1 is reported: main themes, and valences."""
    return {"thèmes": sorted(c.id for c in main_themes(codebook)),
            "valence": [c.id for c in codebook.family("valence") if c.codable]}


def score_table(truth: Truth, predicted: Truth, codes: list[str]) -> pd.DataFrame:
    rows = []
    for code in codes:
        tp = sum(1 for u, ts in truth.items() if code in ts and code in predicted.get(u, set()))
        fp = sum(1 for u, ts in truth.items() if code not in ts and code in predicted.get(u, set()))
        fn = sum(1 for u, ts in truth.items() if code in ts and code not in predicted.get(u, set()))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        rows.append({"code": code, "support": tp + fn, "precision": p, "recall": r, "f1": f})
    return pd.DataFrame(rows)


RULES_ONLY = "sans apprentissage (règles + similarité)"
CV = "avec apprentissage, validation croisée 5 plis par document"


def report(title: str, truth: Truth, by_coder: dict, codebook, thresholds: list[float]) -> dict:
    """Print the tables; return {(coder, threshold): (themes F1, valence F1)}."""
    roll = rollup(codebook)
    families = scored_families(codebook)
    out = {}
    print(f"\n==================== {title} : {len(truth)} unités")
    for threshold in thresholds:
        print(f"\n##### seuil de score {threshold}")
        for coder, sugs in by_coder.items():
            if coder == STAGE_CODER:
                continue
            predicted: Truth = {}
            for s in sugs:
                if s.score >= threshold:
                    predicted.setdefault(s.segment_id, set()).add(roll(s.code_id))
            line, f1s = [], []
            for fam, codes in families.items():
                table = score_table(truth, predicted, codes)
                f1s.append(table["f1"].mean())
                line.append(f"{fam} macro-F1 {table['f1'].mean():.3f} "
                            f"(P {table['precision'].mean():.2f} R {table['recall'].mean():.2f})")
                if coder == COMBINED or coder == LearnedCoder.name and threshold == thresholds[0]:
                    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
            out[(coder, threshold)] = tuple(f1s)
            print(f"{coder:<28} " + " | ".join(line))
    return out


def evaluate(title: str, truth: Truth, frame: pd.DataFrame, codebook,
             thresholds: list[float]) -> dict:
    """Both reports: rules only, then cross-validated learning from the hand coding."""
    t = time.perf_counter()
    result = suggest_frame(frame, codebook, training=truth)
    print(f"{title} : {len(truth)} unités, {frame['document'].nunique()} documents ; "
          f"suggestions en {time.perf_counter() - t:.1f} s")
    by = result.by_coder
    rules_only = {RuleCoder.name: by[RuleCoder.name], SimilarityCoder.name: by[SimilarityCoder.name],
                  COMBINED: combine(by[RuleCoder.name], by[STAGE_CODER], by[SimilarityCoder.name])}
    scores = {}
    for label, coders in ((RULES_ONLY, rules_only),
                          (CV, {LearnedCoder.name: by[LearnedCoder.name], COMBINED: by[COMBINED]})):
        for key, value in report(f"{title} — {label}", truth, coders, codebook,
                                 thresholds).items():
            scores[(label, *key)] = value
    return scores


def demo(project_dir: Path, thresholds: list[float], codebook_path: Path = DEFAULT_CODEBOOK) -> dict:
    project = build(project_dir)
    codebook = load_codebook(codebook_path)  # the working copy, not the stored one
    by = coded_by(project, rollup(codebook), (REFERENCE, SECOND))
    truth = by[REFERENCE]
    segments = segments_frame(project)
    scores = evaluate("Corpus de démonstration", truth,
                      segments[segments["segment_id"].isin(truth)], codebook, thresholds)
    stage_report(truth, segments, codebook)
    human_ceiling(by, codebook)
    return scores


def stage_report(truth: Truth, segments: pd.DataFrame, codebook) -> None:
    """Per document type, the coded segments whose reference stage is among the stage
    suggestions. Stages follow the narrative, so they are suggested as in a project: on every
    segment, the interviewer's questions and the segments nobody coded included."""
    predicted: Truth = {}
    for s in suggest_frame(segments, codebook).by_coder[STAGE_CODER]:
        predicted.setdefault(s.segment_id, set()).add(s.code_id)
    types = dict(zip(segments["segment_id"], segments["type"]))
    units: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for seg, codes in truth.items():
        stages = {c for c in codes if c.startswith("etape.")}
        if stages:
            units[types[seg]] += 1
            hits[types[seg]] += bool(predicted.get(seg, set()) & stages)
    print("\nÉtapes (le segment a-t-il l'étape de référence parmi ses suggestions ?)")
    for kind in sorted(units):
        print(f"  {kind:<10} {hits[kind]}/{units[kind]} ({hits[kind] / units[kind]:.0%})")
    total, right = sum(units.values()), sum(hits.values())
    print(f"  ensemble   {right}/{total} ({right / max(1, total):.0%})")


def gdn_frame(labels: pd.DataFrame, gdn_dir: Path = GDN_DIR) -> pd.DataFrame:
    """One segment per labelled answer, read in place from the GDN files; each answer is its
    own document (as a spreadsheet row is on import)."""
    rows = []
    for question, group in labels.groupby("question"):
        answers = pd.read_csv(gdn_dir / f"{question}.csv")
        for row in group["row"]:
            rows.append({"segment_id": f"{question}:{row}", "document_id": f"{question}:{row}",
                         "document": f"{question}:{row}", "position": int(row), "turn_index": int(row),
                         "text": str(answers.loc[int(row), "comment"]), "role": "participant",
                         "attrs": {}, "journey": GDN_JOURNEYS.get(question),
                         "document_stage": None, "type": "verbatim"})
    return pd.DataFrame(rows)


def read_labels(path: Path) -> tuple[pd.DataFrame, Truth]:
    labels = pd.read_csv(path, dtype={"question": str, "row": int}).fillna("")
    truth: Truth = {
        f"{q}:{r}": {c for c in [*themes.split(";"), valence] if c}
        for q, r, themes, valence in labels[["question", "row", "themes", "valence"]].itertuples(
            index=False)
    }
    return labels, truth


def gdn_trained_on(thresholds: list[float], labels_path: Path, train_path: Path,
                   codebook_path: Path = DEFAULT_CODEBOOK) -> dict:
    """`labels_path` scored by a model trained on all of `train_path` (no overlap allowed)."""
    codebook = load_codebook(codebook_path)
    labels, truth = read_labels(labels_path)
    train_labels, train_truth = read_labels(train_path)
    if set(truth) & set(train_truth):
        raise SystemExit(f"{labels_path.name} et {train_path.name} partagent des réponses.")
    frame = gdn_frame(pd.concat([labels, train_labels], ignore_index=True))
    result = suggest_frame(frame, codebook, training=train_truth)
    by = result.by_coder
    title = f"Grand Débat National, {labels_path.name}, modèle appris de {train_path.name}"
    return {(f"appris de {train_path.name}", *k): v for k, v in report(
        title, truth, {LearnedCoder.name: by[LearnedCoder.name], COMBINED: by[COMBINED]},
        codebook, thresholds).items()}


def gdn(thresholds: list[float], labels_path: Path = GDN_LABELS,
        codebook_path: Path = DEFAULT_CODEBOOK) -> dict:
    if not GDN_DIR.is_dir():
        print(f"\nGDN : {GDN_DIR} absent, évaluation sautée.")
        return {}
    codebook = load_codebook(codebook_path)
    labels, truth = read_labels(labels_path)
    print()
    return evaluate(f"Grand Débat National, {labels_path.name}", truth, gdn_frame(labels),
                    codebook, thresholds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", type=Path, default=None)
    parser.add_argument("--thresholds", default=f"0.3,{DEFAULT_THRESHOLD},0.7")
    parser.add_argument("--gdn", action="store_true", help="évaluer aussi sur les réponses du GDN")
    parser.add_argument("--gdn-labels", type=Path, default=GDN_LABELS,
                        help="étiquettes (question,row,themes,valence) ; défaut : "
                             "bench/data/gdn-etiquettes.csv")
    parser.add_argument("--gdn-train", type=Path, default=None,
                        help="en plus : les étiquettes --gdn-labels prédites par un modèle appris "
                             "de toutes celles de ce fichier (ex. le contrôle appris des 200)")
    parser.add_argument("--no-demo", action="store_true", help="sauter le corpus de démonstration")
    parser.add_argument("--codebook", type=Path, default=DEFAULT_CODEBOOK,
                        help="livre de codes à mesurer (mêmes identifiants de codes) ; défaut : "
                             "codebooks/securite-sociale.yaml")
    args = parser.parse_args()
    try:
        load_codebook(args.codebook)
    except ListeningError as exc:  # a working copy that does not load: say why, no traceback
        raise SystemExit(f"--codebook : {exc}") from None
    thresholds = [float(x) for x in args.thresholds.split(",")]
    scores = {}
    if not args.no_demo:
        project_dir = args.project or Path(tempfile.gettempdir()) / "listening-bench-autocode"
        scores["démo"] = demo(project_dir, thresholds, args.codebook)
    if args.gdn:
        scores["GDN"] = gdn(thresholds, args.gdn_labels, args.codebook)
        if args.gdn_train and GDN_DIR.is_dir():
            scores["GDN"].update(gdn_trained_on(thresholds, args.gdn_labels, args.gdn_train,
                                                args.codebook))
    print("\n==================== résumé (macro-F1 thèmes / valence)")
    for name, by in scores.items():
        for (label, coder, threshold), (themes, valence) in by.items():
            if coder == COMBINED or coder == LearnedCoder.name:
                who = "combiné" if coder == COMBINED else "appris seul"
                print(f"{name:<5} seuil {threshold:<4} thèmes {themes:.3f}  valence {valence:.3f}"
                      f"  {who}, {label}")


if __name__ == "__main__":
    main()
