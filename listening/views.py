"""Pure views over coded segments: journey maps, pain curves, matrices, co-occurrence, KWIC.

Every function takes DataFrames and returns a DataFrame; every cell that counts segments also
carries the `segment_ids` behind it, so the explorer and reports can show the verbatims.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

import pandas as pd

from .model import Codebook

VALENCES = {"valence.irritant": "irritants", "valence.positif": "positifs",
            "valence.suggestion": "suggestions"}
NO_STAGE = "(étape non précisée)"


def coded_segments(segments: pd.DataFrame, codings: pd.DataFrame, codebook: Codebook,
                   coders: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per segment with its codes grouped by family (union over the chosen coders).

    `segments` is `store.segments_frame`, `codings` has at least segment_id, code_id, coder.
    A segment's stage is its coded stage, else the stage its document or row states.
    """
    family = {c.id: c.family for c in codebook.codes}
    chosen = codings if not coders else codings[codings["coder"].isin(coders)]
    grouped: dict[str, dict[str, set[str]]] = {"theme": {}, "valence": {}, "stage": {}}
    for seg, code in zip(chosen["segment_id"].tolist(), chosen["code_id"].tolist()):
        if family.get(code) in grouped:
            grouped[family[code]].setdefault(seg, set()).add(code)
    out = segments.copy()
    ids = out["segment_id"].tolist()
    for fam, col in (("theme", "themes"), ("valence", "valences"), ("stage", "stages")):
        found = grouped[fam]
        out[col] = pd.Series([sorted(found[s]) if s in found else [] for s in ids],
                             index=out.index, dtype=object)
    # sub-themes roll up to their top-level theme for maps; the fine code stays in `themes`
    tops = {c.id: _top(c.id, codebook) for c in codebook.family("theme")}
    out["top_themes"] = out["themes"].map(lambda ts: sorted({tops.get(t, t) for t in ts}))
    stated = out["document_stage"] if "document_stage" in out else pd.Series(None, index=out.index)
    out["stage"] = pd.Series(
        [(st[0] if st else (ds if isinstance(ds, str) and ds else None))
         for st, ds in zip(out["stages"], stated)],
        index=out.index, dtype=object,
    )
    out["coded"] = out["segment_id"].isin(set(chosen["segment_id"]))
    return out


def main_themes(codebook: Codebook) -> list:
    """Codable themes whose parent is not itself a codable theme (folders are skipped)."""
    codable = {c.id for c in codebook.family("theme") if c.codable}
    return [c for c in codebook.family("theme") if c.codable and c.parent not in codable]


def _top(code_id: str, codebook: Codebook) -> str:
    """The main theme a (sub-)theme rolls up to."""
    by_id = {c.id: c for c in codebook.codes}
    top = code_id
    current = by_id.get(code_id)
    while current is not None and current.parent in by_id:
        current = by_id[current.parent]
        if current.family == "theme" and current.codable:
            top = current.id
    return top


def _filter(coded: pd.DataFrame, journey: str | None, public: str | None,
            doc_type: str | None) -> pd.DataFrame:
    out = coded
    if journey:
        out = out[out["journey"] == journey]
    if public:
        out = out[out["public"] == public]
    if doc_type:
        out = out[out["type"] == doc_type]
    return out


def _valence_counts(rows: pd.DataFrame) -> dict[str, object]:
    ids = rows["segment_id"].tolist()
    res: dict[str, object] = {"segments": len(ids), "segment_ids": ids}
    valences = rows["valences"].tolist()
    for code, name in VALENCES.items():
        res[f"{name}_ids"] = [s for s, v in zip(ids, valences) if code in v]
        res[name] = len(res[f"{name}_ids"])
    res["intensite"] = res["irritants"] / res["segments"] if res["segments"] else 0.0
    return res


def stage_summary(coded: pd.DataFrame, codebook: Codebook, journey: str, *,
                  public: str | None = None, doc_type: str | None = None) -> pd.DataFrame:
    """Stages of a journey in time order with irritant/positive/suggestion counts and intensity.

    `intensite` is the share of the stage's coded segments marked irritant (the pain curve).
    """
    rows = _filter(coded.loc[coded["coded"].astype(bool)], journey, public, doc_type)
    records = []
    for stage in codebook.journey(journey).stages:
        rec = {"journey": journey, "stage": stage.id, "etape": stage.label, "ordre": stage.order}
        rec.update(_valence_counts(rows[rows["stage"] == stage.id]))
        records.append(rec)
    unplaced = rows[rows["stage"].isna()]
    if len(unplaced):
        rec = {"journey": journey, "stage": None, "etape": NO_STAGE, "ordre": len(records)}
        rec.update(_valence_counts(unplaced))
        records.append(rec)
    return pd.DataFrame.from_records(records)


def journey_map(coded: pd.DataFrame, codebook: Codebook, journey: str, *,
                public: str | None = None, doc_type: str | None = None) -> pd.DataFrame:
    """Stages (time order) × themes: counts of segments, irritants, positives, suggestions."""
    rows = _filter(coded.loc[coded["coded"].astype(bool)], journey, public, doc_type)
    per_stage = rows.groupby("stage").size().to_dict()
    cells = {key: part for key, part in
             rows.explode("top_themes").dropna(subset=["top_themes"])
             .groupby(["stage", "top_themes"])}
    empty = rows.iloc[0:0]
    records = []
    for stage in codebook.journey(journey).stages:
        total = per_stage.get(stage.id, 0)
        for theme in main_themes(codebook):
            cell = cells.get((stage.id, theme.id), empty)
            rec = {"stage": stage.id, "etape": stage.label, "ordre": stage.order,
                   "theme": theme.id, "theme_libelle": theme.label}
            rec.update(_valence_counts(cell))
            rec["part_etape"] = len(cell) / total if total else 0.0
            records.append(rec)
    return pd.DataFrame.from_records(records)


def pain_curve(coded: pd.DataFrame, codebook: Codebook, journey: str, *, by: str = "public",
               min_segments: int = 5, doc_type: str | None = None) -> pd.DataFrame:
    """Intensity (share of irritants) per stage, overall and per group with enough segments."""
    overall = stage_summary(coded, codebook, journey, doc_type=doc_type)
    overall = overall[overall["stage"].notna()].assign(groupe="Ensemble")
    frames = [overall]
    rows = _filter(coded.loc[coded["coded"].astype(bool)], journey, None, doc_type)
    for value, group in rows.groupby(by):
        if len(group) < min_segments or not isinstance(value, str):
            continue
        part = stage_summary(group, codebook, journey)
        frames.append(part[part["stage"].notna()].assign(groupe=value))
    out = pd.concat(frames, ignore_index=True)
    return out[["groupe", "stage", "etape", "ordre", "segments", "irritants", "intensite",
                "segment_ids"]]


def code_attribute_matrix(coded: pd.DataFrame, codebook: Codebook, attribute: str, *,
                          family: str = "theme") -> pd.DataFrame:
    """Codes × values of a document attribute (public, territory, type, organisations)."""
    column = {"theme": "top_themes", "valence": "valences", "stage": "stages"}[family]
    labels = {c.id: c.label for c in codebook.codes}
    rows = coded.loc[coded["coded"].astype(bool)].explode(column).dropna(subset=[column])
    if attribute == "organisations":
        rows = rows.explode("organisations").dropna(subset=["organisations"])
    records = []
    for (code, value), group in rows.groupby([column, attribute]):
        records.append({"code": code, "libelle": labels.get(code, code), attribute: value,
                        "segments": len(group), "segment_ids": group["segment_id"].tolist()})
    return pd.DataFrame.from_records(records, columns=["code", "libelle", attribute, "segments",
                                                       "segment_ids"])


def cooccurrence(coded: pd.DataFrame, *, column: str = "top_themes") -> pd.DataFrame:
    """Pairs of codes applied to the same segment, with the segments behind each pair."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for seg, codes in zip(coded["segment_id"], coded[column]):
        for i, a in enumerate(codes):
            for b in codes[i + 1:]:
                pairs.setdefault(tuple(sorted((a, b))), []).append(seg)
    return pd.DataFrame(
        [{"code_a": a, "code_b": b, "segments": len(ids), "segment_ids": ids}
         for (a, b), ids in sorted(pairs.items(), key=lambda kv: -len(kv[1]))],
        columns=["code_a", "code_b", "segments", "segment_ids"],
    )


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower())
                   if unicodedata.category(c) != "Mn")


def kwic(segments: pd.DataFrame, query: str, *, window: int = 60,
         whole_word: bool = False) -> pd.DataFrame:
    """Keyword in context, accent- and case-insensitive. One row per occurrence.

    Folding strips combining marks only, so folded offsets equal original offsets for NFC text
    whose accented letters decompose to one base letter -- true of French.
    """
    folded_query = _fold(query.strip())
    if not folded_query:
        return pd.DataFrame(columns=["segment_id", "document", "gauche", "mot", "droite"])
    pattern = re.escape(folded_query)
    if whole_word:
        pattern = rf"\b{pattern}\b"
    regex = re.compile(pattern)
    records = []
    for row in segments.itertuples(index=False):
        text = row.text
        folded = _fold(text)
        if len(folded) != len(text):
            folded = text.lower()
        for m in regex.finditer(folded):
            records.append({
                "segment_id": row.segment_id, "document": row.document,
                "gauche": text[max(0, m.start() - window):m.start()],
                "mot": text[m.start():m.end()],
                "droite": text[m.end():m.end() + window],
            })
    return pd.DataFrame.from_records(records,
                                     columns=["segment_id", "document", "gauche", "mot", "droite"])


def ids_of(cells: Iterable[list[str]]) -> list[str]:
    """Flatten segment-id lists, keeping first-seen order."""
    seen: dict[str, None] = {}
    for ids in cells:
        for i in ids:
            seen.setdefault(i, None)
    return list(seen)
