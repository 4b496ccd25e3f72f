"""Tables found in Word and OpenDocument files: workshop grids, transcripts laid out in a
table, or a key/value metadata table at the top of the document.

A reader turns its table XML into a `Grid` (rows of cells, each cell its paragraphs, nested
tables flattened); this module decides what the grid is and returns turns or metadata.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import RawTurn
from .labels import TIME
from .vocabulary import (
    category_of,
    fold,
    is_generic_speaker,
    is_header_word,
    names_stage,
    names_stage_column,
    role_of_label,
)


@dataclass(frozen=True)
class Cell:
    column: int  # grid column where the cell starts
    span: int  # number of grid columns it covers
    paragraphs: tuple[str, ...]


Grid = Sequence[Sequence[Cell]]

_SPEAKER_HEADERS = frozenset(
    "locuteur locutrice intervenant intervenante speaker nom qui interlocuteur interlocutrice "
    "personne role".split()
)
_TEXT_HEADERS = frozenset(
    "texte text propos verbatim verbatims transcription contenu discours paroles "
    "intervention interventions".split()
)
_TIME_HEADERS = frozenset("temps heure horodatage timecode time debut minutage horaire".split())
_LABEL_HEADERS = frozenset(
    "theme themes thematique categorie categories question questions sujet sujets critere "
    "criteres type rubrique rubriques axe axes dimension".split()
)


def _texts(grid: Grid) -> list[list[str]]:
    """Rows as lists of cell texts by grid column; a spanning cell fills its columns."""
    width = max((c.column + c.span for row in grid for c in row), default=0)
    rows = []
    for row in grid:
        texts = [""] * width
        for cell in row:
            texts[cell.column] = "\n".join(p for p in cell.paragraphs if p.strip())
        rows.append(texts)
    return rows


def _header(row: Sequence[Cell], width: int) -> list[str]:
    names = [""] * width
    for cell in row:
        text = " ".join(p.strip() for p in cell.paragraphs if p.strip())
        for col in range(cell.column, min(width, cell.column + cell.span)):
            names[col] = text
    return names


_SENTENCE = re.compile(r"[.!?…]\s*$")


def _short(text: str, words: int = 8) -> bool:
    return len(text.split()) <= words


def metadata_of(grid: Grid) -> dict[str, str] | None:
    """A two-column key/value table ("Date | 12/03/2026"), or None."""
    rows = [r for r in _texts(grid) if any(t.strip() for t in r)]
    used = sorted({i for r in rows for i, t in enumerate(r) if t.strip()})
    if not rows or len(used) != 2:
        return None
    pairs = [(r[used[0]].strip().rstrip(":").strip(), r[used[1]].strip()) for r in rows]
    keys = [k for k, _ in pairs]
    if any(not k or not _short(k, 6) or len(k) > 60 for k in keys) or len(set(keys)) < len(keys):
        return None
    if category_of(pairs[0][1]) or names_stage_column(keys[0]):
        return None  # "Étape | Irritants": a workshop grid's header
    known = sum(
        is_header_word(k) or role_of_label(k) is not None or fold(k) in _META_KEYS
        or r[used[0]].strip().endswith(":")
        for k, r in zip(keys, rows)
    )
    if known * 2 <= len(keys):
        return None
    return {k: v for k, v in pairs if v}


_META_KEYS = frozenset(
    "lieu duree participants participant enqueteur enquetrice interviewer animateur animatrice "
    "public territoire parcours organisme organismes canal date heure objet theme contexte "
    "personne interrogee usager usagere redacteur redactrice".split()
)


def grid_turns(grid: Grid, header_row: bool | None = None) -> list[RawTurn]:
    """Turns of a table: one per speaker row, or one per cell paragraph with its row label
    and column header in attrs ("ligne", "colonne", and "etape"/"categorie" when named).
    `header_row`: the file says whether the first row repeats as a header (None: unknown)."""
    rows = [r for r in grid if any(p.strip() for c in r for p in c.paragraphs)]
    if not rows:
        return []
    width = max(c.column + c.span for r in rows for c in r)
    header = _header(rows[0], width)
    speaker_turns = _speaker_rows(rows, header, width)
    if speaker_turns is not None:
        return speaker_turns
    has_header = len(rows) > 1 and (header_row or (
        header_row is None and all(_short(h, 5) and not _SENTENCE.search(h) for h in header)))
    body = rows[1:] if has_header else rows
    if not has_header:
        header = [""] * width
    texts = _texts(body)
    texts = [t + [""] * (width - len(t)) for t in texts]
    firsts = [t[0].strip() for t in texts if t[0].strip()]
    if has_header:
        label_col = category_of(header[0]) is None and (
            not header[0]
            or names_stage_column(header[0])
            or fold(header[0]) in _LABEL_HEADERS
            or all(_short(f) for f in firsts)
        )
    else:  # without a header, only labels that say what they are: "Irritants", "Étape 2"
        label_col = all(category_of(f) or names_stage(f) for f in firsts)
    label_col = label_col and width >= 2 and bool(firsts)
    labels = [" ".join(t[0].split()) if label_col else "" for t in texts]
    row_categories = bool(labels) and all(category_of(lb) for lb in labels if lb) and any(labels)
    col_categories = any(category_of(h) for h in header[1 if label_col else 0:])
    stage_rows = label_col and (
        names_stage_column(header[0]) or (col_categories and not header[0] and not row_categories)
    )
    turns = []
    for row, label in zip(texts, labels):
        for col in range(1 if label_col else 0, width):
            if label_col and col == 0:
                continue
            column = header[col]
            attrs = {}
            if label:
                attrs["ligne"] = label
            if column:
                attrs["colonne"] = column
            if label and (stage_rows or names_stage(label)):
                attrs["etape"] = label
            elif column and (names_stage(column) or (row_categories and not category_of(column))):
                attrs["etape"] = column
            category = category_of(column) if column else None
            if label and category is None:
                category = category_of(label)
            if category:
                attrs["categorie"] = category
            for paragraph in row[col].split("\n"):
                if paragraph.strip():
                    turns.append(RawTurn(paragraph.strip(), attrs=dict(attrs)))
    return turns


def _speaker_rows(rows: Sequence[Sequence[Cell]], header: list[str], width: int):
    """A transcript laid out as a table: "Locuteur | Temps | Texte", or names then text."""
    folded = [fold(h) for h in header]
    speaker = next((i for i, h in enumerate(folded) if h in _SPEAKER_HEADERS), None)
    text = next((i for i, h in enumerate(folded) if h in _TEXT_HEADERS), None)
    time = next((i for i, h in enumerate(folded) if h in _TIME_HEADERS), None)
    body = rows[1:]
    if speaker is None or text is None:
        texts = _texts(rows)
        firsts = [t[0].strip() for t in texts if any(x.strip() for x in t)]
        if not (2 <= width <= 3 and len(firsts) >= 2 and all(firsts)
                and all(_speaker_like(f) for f in firsts)):
            return None
        speaker, text, time, body = 0, width - 1, (1 if width == 3 else None), rows
    turns = []
    for row in _texts(body):
        row = row + [""] * (width - len(row))
        stamp = row[time].strip() if time is not None else ""
        turns.append(RawTurn(row[text].strip(), " ".join(row[speaker].split()),
                             stamp if _is_time(stamp) else None))
    return turns


def _speaker_like(label: str) -> bool:
    return bool(role_of_label(label) or is_generic_speaker(label)) and _short(label, 4)


def _is_time(text: str) -> bool:
    return bool(re.fullmatch(rf"[\[(]?{TIME}[\])]?", text))
