"""Automatic suggestions against the demo corpus's reference coding (corpora/demo/codage-reference.csv).

Units are the segments the reference coder coded (any code). For each code, a suggestion
counts when its score is at least the threshold; sub-themes roll up to their main theme.
Prints precision, recall and F1 per code and the macro-F1 of themes and of valence, for each
coder (rules, similarity, stages) and for the combined coder. Target: macro-F1 >= 0.75 on themes
and on valence.

    .venv/bin/python bench/autocode.py [--project DIR] [--thresholds 0.3,0.5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listening.autocode import suggest_frame  # noqa: E402
from listening.coding import import_quoted_codings  # noqa: E402
from listening.ingestion import ingest_paths  # noqa: E402
from listening.projects import DEMO_CORPUS, create_project  # noqa: E402
from listening.store import codings_frame, current_codebook, open_project, segments_frame  # noqa: E402
from listening.views import main_themes  # noqa: E402

REFERENCE = "Référence"


def build(project_dir: Path):
    if (project_dir / "projet.sqlite").exists():
        project = open_project(project_dir)
    else:
        project, _ = create_project(project_dir)
        t = time.perf_counter()
        ingest_paths(project, [DEMO_CORPUS / "documents"], manifest=DEMO_CORPUS / "manifest.yaml")
        print(f"ingestion du corpus de démonstration : {time.perf_counter() - t:.1f} s")
    if REFERENCE not in set(codings_frame(project)["coder"]):
        rep = import_quoted_codings(project, DEMO_CORPUS / "codage-reference.csv", coder=REFERENCE)
        print(f"référence : {rep.added} codages, {len(rep.errors)} citations non retrouvées")
    return project


def score_table(truth: dict[str, set[str]], predicted: dict[str, set[str]],
                codes: list[str]) -> pd.DataFrame:
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", type=Path, default=None)
    parser.add_argument("--thresholds", default="0.3,0.5,0.7")
    args = parser.parse_args()
    project_dir = args.project or Path(tempfile.gettempdir()) / "listening-bench-autocode"
    project = build(project_dir)
    codebook = current_codebook(project)
    top = {c.id: c.id for c in main_themes(codebook)}
    for c in codebook.family("theme"):
        parent = c.parent
        while c.id not in top and parent:
            if parent in top:
                top[c.id] = parent
            parent = codebook.code(parent).parent if parent in {x.id for x in codebook.codes} else None
    roll = lambda code: top.get(code, code)  # noqa: E731
    ref = codings_frame(project)
    ref = ref[ref["coder"] == REFERENCE]
    truth: dict[str, set[str]] = {}
    for seg, code in zip(ref["segment_id"], ref["code_id"]):
        truth.setdefault(seg, set()).add(roll(code))
    frame = segments_frame(project)
    frame = frame[frame["segment_id"].isin(truth)]
    t = time.perf_counter()
    result = suggest_frame(frame, codebook)
    elapsed = time.perf_counter() - t
    print(f"{len(truth)} segments de référence ; suggestions en {elapsed:.1f} s")
    families = {"thèmes": sorted(top[c.id] for c in main_themes(codebook)),
                "valence": [c.id for c in codebook.family("valence") if c.codable]}
    for threshold in [float(x) for x in args.thresholds.split(",")]:
        print(f"\n##### seuil de score {threshold}")
        for coder, sugs in result.by_coder.items():
            if coder.endswith("stages.v1"):
                continue
            predicted: dict[str, set[str]] = {}
            for s in sugs:
                if s.score >= threshold:
                    predicted.setdefault(s.segment_id, set()).add(roll(s.code_id))
            line = []
            for fam, codes in families.items():
                table = score_table(truth, predicted, codes)
                line.append(f"{fam} macro-F1 {table['f1'].mean():.3f} "
                            f"(P {table['precision'].mean():.2f} R {table['recall'].mean():.2f})")
                if coder.endswith("combined.v1"):
                    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
            print(f"{coder:<28} " + " | ".join(line))
    stage_truth = {u: {c for c in ts if c.startswith("etape.")} for u, ts in truth.items()}
    stage_truth = {u: ts for u, ts in stage_truth.items() if ts}
    stage_pred: dict[str, set[str]] = {}
    for s in result.by_coder.get("listening.stages.v1", []):
        stage_pred.setdefault(s.segment_id, set()).add(s.code_id)
    hits = sum(1 for u, ts in stage_truth.items() if stage_pred.get(u, set()) & ts)
    print(f"\nÉtapes : {hits}/{len(stage_truth)} segments avec l'étape de référence proposée "
          f"({hits / max(1, len(stage_truth)):.0%})")


if __name__ == "__main__":
    main()
