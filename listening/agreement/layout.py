"""Codings laid out as per-code reliability tables (1 present, 0 absent, missing = not reviewed).

Units are segments, or spans grouped by the overlap rule of `spans_agree`; `_layout` lays the
codings out once and `_code_table` builds one code's units from it.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..model import Coding

UNITS = ("segment", "span")
PRESENT, ABSENT = 1, 0
BINARY_NAMES = {PRESENT: "présent", ABSENT: "absent"}


# --- reliability tables from codings ---------------------------------------------------


def spans_agree(a: tuple[int, int], b: tuple[int, int], min_overlap: float = 0.5) -> bool:
    """Two spans agree when they overlap by at least `min_overlap` of the shorter one."""
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0])
    return overlap > 0 and overlap >= min_overlap * shorter


def _codings_agree(a: Coding, b: Coding, min_overlap: float) -> bool:
    if a.start is None or b.start is None:  # a whole segment contains every span of it
        return True
    return spans_agree((a.start, a.end), (b.start, b.end), min_overlap)


def _span_groups(segment_id: str, items: list[Coding],
                 min_overlap: float) -> list[tuple[str, list[Coding]]]:
    """Connected groups of agreeing codings, each with its unit id."""
    items = sorted(items, key=lambda c: (c.start is not None, c.start or 0, c.end or 0, c.coder))
    root = list(range(len(items)))

    def find(i: int) -> int:
        while root[i] != i:
            i = root[i]
        return i

    for i, j in combinations(range(len(items)), 2):
        if _codings_agree(items[i], items[j], min_overlap):
            root[find(j)] = find(i)
    groups: dict[int, list[Coding]] = {}
    for i, c in enumerate(items):
        groups.setdefault(find(i), []).append(c)
    out = []
    for group in groups.values():
        if any(c.start is None for c in group):
            out.append((segment_id, group))
        else:
            lo, hi = min(c.start for c in group), max(c.end for c in group)
            out.append((f"{segment_id}:{lo}-{hi}", group))
    return out


@dataclass(frozen=True)
class _Layout:
    code_ids: tuple[str, ...]
    coders: tuple[str, ...]
    segment_ids: tuple[str, ...]
    base: np.ndarray  # segments x coders: ABSENT where the coder reviewed the segment, else -1
    by_code: dict[str, list[tuple[int, list[Coding]]]]  # (row in base, codings), in row order
    unit: str
    min_overlap: float


@dataclass(frozen=True)
class _CodeTable:
    """One code's units: values (units x coders; 1, 0, -1 for missing), unit ids, and the
    codings of coded units."""

    values: np.ndarray
    units: list[str]
    coded: dict[int, tuple[str, list[Coding]]]  # row -> (segment, codings of the unit)


def _check_options(unit: str, min_overlap: float) -> None:
    if unit not in UNITS:
        raise InputError(f"unité inconnue « {unit} » : choisissez « segment » ou « span ».")
    if not 0 < min_overlap <= 1:
        raise InputError(f"chevauchement minimal {min_overlap} : donnez une part entre 0 "
                         "(exclu) et 1, par exemple 0.5 pour 50 %.")


def _check_codings(codings: Sequence[Coding], coders: tuple[str, ...]) -> None:
    for c in codings:
        if (c.start is None) != (c.end is None) or (c.start is not None and c.start >= c.end):
            raise InputError(f"extrait invalide ({c.start}-{c.end}) du code « {c.code_id} » par "
                             f"{c.coder} sur le segment {c.segment_id} : donnez un début "
                             "inférieur à la fin, ou aucun des deux pour le segment entier.")
    if len(coders) < 2:
        who = f" (« {coders[0]} »)" if coders else ""
        raise InputError(f"il faut au moins deux codeurs pour mesurer un accord ; il y en a "
                         f"{len(coders)}{who} : demandez à un second codeur de coder une partie "
                         "des segments.")


def _layout(codings: Iterable[Coding], code_ids: Sequence[str] | None,
            coders: Sequence[str] | None, segment_ids: Sequence[str] | None,
            coded_units: Mapping[str, set[str]], unit: str, min_overlap: float) -> _Layout:
    _check_options(unit, min_overlap)
    codings = list(dict.fromkeys(codings))
    coders = tuple(coders if coders is not None
                   else sorted({*coded_units, *(c.coder for c in codings)}))
    _check_codings(codings, coders)
    reviewed = {k: set(coded_units.get(k, ())) for k in coders}
    for c in codings:
        if c.coder in reviewed:
            reviewed[c.coder].add(c.segment_id)  # coding a segment means having reviewed it
    if segment_ids is None:
        segment_ids = sorted(set().union(*reviewed.values()))
    if code_ids is None:
        code_ids = sorted({c.code_id for c in codings})
    rows: dict[str, list[int]] = {}
    for i, seg in enumerate(segment_ids):
        rows.setdefault(seg, []).append(i)
    base = np.full((len(segment_ids), len(coders)), -1, dtype=np.int8)
    for j, k in enumerate(coders):
        base[[i for seg in reviewed[k] for i in rows.get(seg, ())], j] = ABSENT
    wanted_codes = set(code_ids)
    by_place: dict[tuple[str, str], list[Coding]] = {}
    for c in codings:
        if c.coder in reviewed and c.segment_id in rows and c.code_id in wanted_codes:
            by_place.setdefault((c.code_id, c.segment_id), []).append(c)
    by_code: dict[str, list[tuple[int, list[Coding]]]] = {code: [] for code in code_ids}
    for (code, seg), items in by_place.items():
        places = by_code[code]
        for i in rows[seg]:
            places.append((i, items))
    for places in by_code.values():
        places.sort(key=lambda place: place[0])
    return _Layout(tuple(code_ids), coders, tuple(segment_ids), base, by_code, unit,
                   min_overlap)


def _code_table(layout: _Layout, code_id: str) -> _CodeTable:
    """Every reviewed segment is a unit (span units: one per group of agreeing codings)."""
    column = {k: j for j, k in enumerate(layout.coders)}
    base, segment_ids = layout.base, layout.segment_ids
    places = layout.by_code.get(code_id, [])
    if layout.unit == "segment":
        values = base.copy()
        values[[i for i, items in places for _ in items],
               [column[c.coder] for _, items in places for c in items]] = PRESENT
        return _CodeTable(values, list(segment_ids),
                          {i: (segment_ids[i], items) for i, items in places})
    blocks, units, coded = [], [], {}
    done = 0
    for i, items in places:
        blocks.append(base[done:i])
        units.extend(segment_ids[done:i])
        for unit_id, group in _span_groups(segment_ids[i], items, layout.min_overlap):
            row = base[i].copy()
            row[[column[c.coder] for c in group]] = PRESENT
            coded[len(units)] = (segment_ids[i], group)
            blocks.append(row[np.newaxis])
            units.append(unit_id)
        done = i + 1
    blocks.append(base[done:])
    units.extend(segment_ids[done:])
    return _CodeTable(np.vstack(blocks), units, coded)


def _frame(values: np.ndarray, units: Sequence[str], coders: Sequence[str]) -> pd.DataFrame:
    values = np.where(values >= 0, values, np.nan)  # missing is NaN in a reliability table
    return pd.DataFrame(values, index=pd.Index(list(units), name="unit", dtype=object),
                        columns=pd.Index(list(coders), name="coder", dtype=object), dtype=float)


def _tables(layout: _Layout) -> dict[str, pd.DataFrame]:
    out = {}
    for code in layout.code_ids:
        table = _code_table(layout, code)
        out[code] = _frame(table.values, table.units, layout.coders)
    return out


def _collector_paused(fn):
    """Run `fn` with the cyclic garbage collector paused, then resume it if it was on.

    Laying codings out and measuring them allocates tens of thousands of small objects and no
    reference cycle; the allocations keep triggering the collector, which then walks the
    whole heap of the calling process (in the explorer, Streamlit's and pandas' too): on a
    20,000-segment project that was 40 % of the agreement's time. Paused, nothing is missed:
    the objects are freed by reference counting, and any cycle at the next collection. With
    several threads, whichever paused it first resumes it."""
    @functools.wraps(fn)
    def paused(*args, **kwargs):
        was_on = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was_on:
                gc.enable()

    return paused


@_collector_paused
def segment_table(codings: Iterable[Coding], code_ids: Sequence[str] | None = None,
                  coders: Sequence[str] | None = None, segment_ids: Sequence[str] | None = None,
                  *, coded_units: Mapping[str, set[str]]) -> dict[str, pd.DataFrame]:
    """Per code, a segments x coders table: 1 coded, 0 reviewed but not coded, NaN not reviewed.

    `coded_units[coder]` are the segments the coder reviewed (coded or deliberately left
    uncoded); a segment the coder coded counts as reviewed too. Defaults: every coder of
    `coded_units` or `codings`, every segment someone reviewed, every code used.
    """
    return _tables(_layout(codings, code_ids, coders, segment_ids, coded_units, "segment", 0.5))


@_collector_paused
def span_table(codings: Iterable[Coding], code_ids: Sequence[str] | None = None,
               coders: Sequence[str] | None = None, segment_ids: Sequence[str] | None = None,
               *, coded_units: Mapping[str, set[str]],
               min_overlap: float = 0.5) -> dict[str, pd.DataFrame]:
    """Like `segment_table` with span units (see `span_rule`); unit ids are `segment:start-end`
    (or the segment id for a unit holding a whole-segment coding or nobody's coding)."""
    return _tables(_layout(codings, code_ids, coders, segment_ids, coded_units, "span",
                           min_overlap))
