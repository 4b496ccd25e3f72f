"""Coding operations on a project: run the automatic coders, import codings from a spreadsheet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .autocode import COMBINED, Suggestions, suggest_frame
from .errors import InputError
from .model import ORIGIN_MANUAL, Coding
from .store import (
    Project,
    add_codings,
    coded_units,
    current_codebook,
    finish_run,
    get_codings,
    replace_suggestions,
    segments_frame,
    start_run,
)

Progress = Callable[[int, int, str], None]


def run_suggestions(project: Project, *, embedder: str = "tfidf", threshold: float = 0.5,
                    seed: int = 42, progress: Progress | None = None,
                    actor: str = "listening") -> tuple[str, Suggestions]:
    """Run the coders over the whole project and store the combined suggestions as pending.

    The learned coder trains on what people coded themselves (`human_codings`: any coder; a
    segment reviewed without a code is a negative, one carrying an accepted suggestion is left
    out); a coded segment is scored by a model fitted without its document's fold, never on
    its own codings."""
    codebook = current_codebook(project)
    training = human_codings(project)
    params = {"embedder": embedder, "similarity_threshold": threshold,
              "codebook": f"{codebook.name} {codebook.version}",
              "training_segments": len(training)}
    run_id = start_run(project, "suggest", params, seed=seed, actor=actor)
    result = suggest_frame(segments_frame(project), codebook, embedder=embedder,
                           similarity_threshold=threshold, seed=seed, training=training,
                           progress=progress)
    stored = replace_suggestions(project, COMBINED, result.combined, run_id=run_id, actor=actor)
    finish_run(project, run_id, {"suggestions": stored,
                                 **{k: len(v) for k, v in result.by_coder.items()},
                                 "params": result.params})
    return run_id, result


def human_codings(project: Project) -> dict[str, set[str]]:
    """Segment → the codes people gave it themselves (whole segment or a span in it), for
    every segment someone coded or marked reviewed: what the learned coder trains on.

    Each coder's reading of a segment is judged on its own. A reading that holds an accepted
    suggestion is left out: the machine would otherwise learn back its own output (after
    « --accept-above », from nothing but it), and such a reading cannot count as a negative
    example of the codes it was not given either. Another coder's hand coding of the same
    segment still counts: a bulk acceptance under its own name does not erase people's work."""
    readings: dict[tuple[str, str], set[str]] = {
        (coder, seg): set() for coder, segs in coded_units(project).items() for seg in segs}
    machine: set[tuple[str, str]] = set()
    for coding in get_codings(project):
        reading = (coding.coder, coding.segment_id)
        if coding.origin != ORIGIN_MANUAL:
            machine.add(reading)
        readings.setdefault(reading, set()).add(coding.code_id)
    out: dict[str, set[str]] = {}
    for (coder, seg), codes in readings.items():
        if (coder, seg) not in machine:
            out.setdefault(seg, set()).update(codes)
    return out


# --- import from a spreadsheet ------------------------------------------------------

ALIASES = {
    "segment": ("segment", "segment_id", "id_segment"),
    "document": ("document", "doc", "document_id", "id_document", "entretien"),
    "start": ("start", "debut", "début"),
    "end": ("end", "fin"),
    "code": ("code", "code_id", "id_code"),
    "coder": ("coder", "codeur", "codeuse", "coder_name"),
}


@dataclass
class ImportReport:
    added: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def _read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InputError("fichier introuvable ; vérifiez le chemin.", source=str(path))
    if path.suffix.lower() == ".xlsx":
        return pd.read_excel(path, dtype=str).fillna("")
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path, dtype=str, sep=None, engine="python",
                           encoding="utf-8-sig").fillna("")
    raise InputError("format non pris en charge pour des codages ; utilisez .csv ou .xlsx.",
                     source=str(path))


def _columns(df: pd.DataFrame, source: str) -> dict[str, str]:
    lower = {c.strip().lower(): c for c in df.columns}
    found = {key: next((lower[a] for a in names if a in lower), None)
             for key, names in ALIASES.items()}
    if not found["code"] or not (found["segment"] or (found["document"] and found["start"]
                                                      and found["end"])):
        raise InputError(
            "colonnes attendues : code, codeur et soit segment, soit document + début + fin ; "
            f"colonnes trouvées : {', '.join(map(str, df.columns))}.", source=source)
    return {k: v for k, v in found.items() if v}


def import_codings(project: Project, path: Path, *, coder: str | None = None,
                   actor: str | None = None) -> ImportReport:
    """Codings made elsewhere (often in Excel first): one row per coding.

    A row names a segment id, or a document (external id) with start/end offsets, in which case
    the coding goes to the segment containing that span (as a span coding when narrower).
    Rows with problems are listed with their line; the valid rows are stored together.
    """
    path = Path(path)
    df = _read_table(path)
    cols = _columns(df, str(path))
    codebook = current_codebook(project)
    known = {c.id for c in codebook.codes}
    segs = segments_frame(project)
    by_id = segs.set_index("segment_id")
    report = ImportReport()
    codings: list[Coding] = []
    for i, row in enumerate(df.to_dict("records"), start=2):
        who = (row.get(cols.get("coder", ""), "") or coder or "").strip()
        code = row[cols["code"]].strip()
        where = f"{path.name}, ligne {i}"
        if not who:
            report.errors.append(f"{where} : codeur manquant ; remplissez la colonne codeur "
                                 "ou passez --coder.")
            continue
        if code not in known:
            report.errors.append(f"{where} : code « {code} » absent du livre de codes.")
            continue
        seg_id = row.get(cols.get("segment", ""), "").strip() if "segment" in cols else ""
        if seg_id:
            if seg_id not in by_id.index:
                report.errors.append(f"{where} : segment « {seg_id} » inconnu dans ce projet.")
                continue
            codings.append(Coding(seg_id, code, who))
            continue
        try:
            start, end = int(row[cols["start"]]), int(row[cols["end"]])
        except (KeyError, ValueError):
            report.errors.append(f"{where} : début/fin doivent être des nombres entiers.")
            continue
        doc = row[cols["document"]].strip()
        match = segs[(segs["document"] == doc) & (segs["start"] <= start) & (segs["end"] >= end)]
        if match.empty:
            report.errors.append(f"{where} : aucun segment du document « {doc} » ne contient "
                                 f"les positions {start}-{end}.")
            continue
        s = match.iloc[0]
        whole = start == s["start"] and end == s["end"]
        codings.append(Coding(s["segment_id"], code, who, start=None if whole else start,
                              end=None if whole else end))
    if codings:
        report.added = add_codings(project, codings, actor=actor)
        report.duplicates = len(codings) - report.added
    return report


# --- quoted codings (the demo's reference format, and how teams code in Excel) -------

QUOTE_COLUMNS = ("document", "quote", "themes", "valence", "stage")


def _locate(text: str, quote: str) -> tuple[int, int] | None:
    """Offsets of `quote` in `text`, tolerant of whitespace differences."""
    i = text.find(quote)
    if i >= 0:
        return i, i + len(quote)
    import re

    pattern = r"\s+".join(re.escape(w) for w in quote.split())
    m = re.search(pattern, text)
    return (m.start(), m.end()) if m else None


def import_quoted_codings(project: Project, path: Path, *, coder: str,
                          actor: str | None = None) -> ImportReport:
    """Codings given as quotes: `document,quote,themes,valence,stage` (themes `;`-separated).

    Each quote is found in its document's stored text; every segment it overlaps receives the
    codes. A quote that cannot be found (edited, or masked by pseudonymisation) is reported.
    """
    path = Path(path)
    df = _read_table(path)
    missing = [c for c in QUOTE_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"colonnes manquantes : {', '.join(missing)} ; attendu "
                         f"{','.join(QUOTE_COLUMNS)}.", source=str(path))
    segs = segments_frame(project)
    texts = {d: g for d, g in segs.groupby("document")}
    from .store import get_document

    known = {c.id for c in current_codebook(project).codes}
    report = ImportReport()
    codings: list[Coding] = []
    doc_text: dict[str, str] = {}
    for i, row in enumerate(df.to_dict("records"), start=2):
        doc = row["document"].strip()
        where = f"{path.name}, ligne {i}"
        if doc not in texts:
            report.errors.append(f"{where} : document « {doc} » absent du projet.")
            continue
        if doc not in doc_text:
            doc_text[doc] = get_document(project, doc).text
        span = _locate(doc_text[doc], row["quote"].strip())
        if span is None:
            report.errors.append(f"{where} : citation introuvable dans « {doc} ».")
            continue
        codes = [c.strip() for c in row["themes"].split(";") if c.strip()]
        codes += [row[k].strip() for k in ("valence", "stage") if row[k].strip()]
        unknown = [c for c in codes if c not in known]
        if unknown:
            report.errors.append(f"{where} : code(s) absent(s) du livre de codes : "
                                 f"{', '.join(unknown)}.")
            continue
        part = texts[doc]
        hit = part[(part["start"] < span[1]) & (part["end"] > span[0])]
        codings.extend(Coding(seg, code, coder) for seg in hit["segment_id"] for code in codes)
    if codings:
        report.added = add_codings(project, codings, actor=actor)
        report.duplicates = len(codings) - report.added
    return report
