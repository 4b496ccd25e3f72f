"""Agreement between coders: percent agreement, Cohen's kappa, Krippendorff's alpha.

A *reliability table* is a DataFrame with one row per unit and one column per coder; a cell
holds the category the coder gave the unit, or is missing (None/NaN). Missing means "this coder
did not look at this unit" and never "looked and found nothing": the latter is a category
(0 = absent in the per-code tables built here). Measures only compare values two coders both
gave, so a unit nobody else reviewed is left out instead of counted as a disagreement.

From codings, each code gets a binary table (1 present, 0 absent, missing = not reviewed):
- unit "segment": one unit per segment;
- unit "span": the codings of a code in a segment are grouped by the overlap rule of
  `spans_agree` (a whole-segment coding agrees with every span of its segment); each group is
  a unit, and a reviewed segment where nobody applied the code is one "absent" unit.
A segment counts as reviewed by a coder when it is in `coded_units[coder]` or when the coder
coded it. The formulas are the `krippendorff` package's and scikit-learn's `cohen_kappa_score`;
this module only lays out units, missing data and the degenerate cases.
"""

from __future__ import annotations

import csv
import functools
import gc
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Protocol

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from .errors import InputError
from .model import Codebook, Coding

LEVELS = ("nominal", "ordinal", "interval", "ratio")
UNITS = ("segment", "span")
PRESENT, ABSENT = 1, 0
BINARY_NAMES = {PRESENT: "présent", ABSENT: "absent"}
OVERALL = "ensemble"
SEGMENT_RULE = (
    "unité = segment ; pour chaque code, un codeur qui a revu un segment sans lui appliquer "
    "le code le juge absent ; un segment qu'il n'a pas revu est une donnée manquante, "
    "pas un désaccord"
)
POOLED_RULE = "« ensemble » : les unités de tous les codes mises en commun"


def span_rule(min_overlap: float = 0.5) -> str:
    """The span unit rule, in French, as stated in every span report."""
    return (
        f"unité = extrait ; deux extraits du même code concordent s'ils se chevauchent "
        f"d'au moins {min_overlap * 100:g} % du plus court ; un codage du segment entier "
        "concorde avec tout extrait du segment ; des extraits qui concordent de proche en "
        "proche forment une unité ; un segment revu où personne n'a appliqué le code compte "
        "comme une unité « absent » ; un segment non revu est une donnée manquante"
    )


class CodingSource(Protocol):
    """What agreement reads from a project (the store provides an adapter)."""

    def codings(self) -> Iterable[Coding]: ...

    def coded_units(self) -> Mapping[str, set[str]]: ...

    def codebook(self) -> Codebook: ...


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A coefficient, or None with the French reason it is undefined."""

    value: float | None
    reason: str | None = None


@dataclass(frozen=True)
class Kappa:
    """Cohen's kappa per pair of coders ("A|B") and their mean over defined pairs."""

    mean: float | None
    pairs: Mapping[str, Measure]
    reason: str | None = None  # why the mean is None, or which pairs it leaves out

    def as_dict(self) -> dict[str, object]:
        return {"mean": self.mean, "pairs": {k: m.value for k, m in self.pairs.items()}}


@dataclass(frozen=True)
class Agreement:
    """All measures of one reliability table."""

    units: int  # rows of the table
    compared: int  # units with values from at least two coders
    coders: tuple[str, ...]
    level: str
    percent_agreement: Measure
    cohen_kappa: Kappa
    krippendorff_alpha: Measure

    def notes(self) -> list[str]:
        found = [self.percent_agreement.reason, self.cohen_kappa.reason,
                 self.krippendorff_alpha.reason]
        return list(dict.fromkeys(r for r in found if r))

    def as_dict(self) -> dict[str, object]:
        """The summary of `listening agreement --from-csv --json` (exactly these keys)."""
        return {
            "units": self.units,
            "coders": list(self.coders),
            "percent_agreement": self.percent_agreement.value,
            "cohen_kappa": self.cohen_kappa.as_dict(),
            "krippendorff_alpha": self.krippendorff_alpha.value,
        }


@dataclass(frozen=True)
class CodeAgreement:
    code_id: str
    label: str
    agreement: Agreement


FRENCH_COLUMNS = {
    "code": "code", "label": "libellé", "units": "unités", "percent_agreement": "% accord",
    "cohen_kappa": "κ de Cohen", "krippendorff_alpha": "α de Krippendorff", "note": "remarque",
}


@dataclass(frozen=True)
class AgreementReport:
    """Agreement per code and overall (all codes' units pooled), with the unit rule stated."""

    unit: str
    rule: str
    coders: tuple[str, ...]
    codes: tuple[CodeAgreement, ...]
    overall: Agreement

    def frame(self, french: bool = True) -> pd.DataFrame:
        """One row per code then `ensemble`; `units` counts units compared (>= 2 coders).

        In French, columns are FRENCH_COLUMNS' labels and "% accord" is in percent.
        """
        rows = [*((c.code_id, c.label, c.agreement) for c in self.codes),
                (OVERALL, "Tous les codes", self.overall)]
        df = pd.DataFrame([{
            "code": code, "label": label, "units": a.compared,
            "percent_agreement": a.percent_agreement.value,
            "cohen_kappa": a.cohen_kappa.mean, "krippendorff_alpha": a.krippendorff_alpha.value,
            "note": " ; ".join(a.notes()),
        } for code, label, a in rows], columns=list(FRENCH_COLUMNS))
        if not french:
            return df
        df["percent_agreement"] = df["percent_agreement"].map(
            lambda v: None if v is None or pd.isna(v) else v * 100)
        return df.rename(columns=FRENCH_COLUMNS)

    def as_dict(self) -> dict[str, object]:
        def one(code: str, label: str, a: Agreement) -> dict[str, object]:
            return {"code": code, "label": label, "units": a.compared, **{
                k: v for k, v in a.as_dict().items() if k not in ("units", "coders")},
                "notes": a.notes()}

        return {
            "unit": self.unit, "rule": self.rule, "coders": list(self.coders),
            "codes": [one(c.code_id, c.label, c.agreement) for c in self.codes],
            "overall": one(OVERALL, "Tous les codes", self.overall),
        }


@dataclass(frozen=True)
class Disagreement:
    """A unit where coders differ for a code, with each coder's codings of it."""

    code_id: str
    segment_id: str
    unit: str
    values: Mapping[str, int | None]  # coder -> 1 present, 0 absent, None not reviewed
    codings: Mapping[str, tuple[Coding, ...]] = field(default_factory=dict)

    def describe(self, coder: str) -> str:
        """French, e.g. "présent (120-145)", "présent (segment entier)", "absent", "non revu"."""
        value = self.values.get(coder)
        if value is None:
            return "non revu"
        if value == ABSENT:
            return "absent"
        spans = [f"{c.start}-{c.end}" if c.start is not None else "segment entier"
                 for c in self.codings.get(coder, ())]
        return f"présent ({', '.join(spans)})"


def disagreements_frame(items: Sequence[Disagreement], coders: Sequence[str]) -> pd.DataFrame:
    """Side by side for the reconciliation meeting: code, segment, unité, one column per coder."""
    return pd.DataFrame(
        [{"code": d.code_id, "segment": d.segment_id, "unité": d.unit,
          **{c: d.describe(c) for c in coders}} for d in items],
        columns=["code", "segment", "unité", *coders],
    )


# --- measures on a reliability table ---------------------------------------------------


def _show(value: object, names: Mapping[object, str] | None) -> str:
    if names and value in names:
        return names[value]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_table(table: pd.DataFrame) -> None:
    if table.shape[1] < 2:
        who = f" (« {table.columns[0]} »)" if table.shape[1] == 1 else ""
        raise InputError(
            f"il faut au moins deux codeurs pour mesurer un accord ; la table en a "
            f"{table.shape[1]}{who} : ajoutez les codages d'un second codeur."
        )


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise InputError(f"niveau de mesure inconnu « {level} » : choisissez parmi "
                         f"{', '.join(LEVELS)}.")


def _given(values: np.ndarray) -> tuple[np.ndarray, list[object]]:
    """The mask of values given (not missing), and those values unit by unit, coder by coder."""
    mask = ~pd.isna(values)
    return mask, values[mask].tolist()


def _numeric_kind(values: np.ndarray) -> bool:
    return values.dtype.kind in "fiu"


def _categories(values: Iterable[object]) -> list[object]:
    unique = list(dict.fromkeys(values))
    try:
        return sorted(unique)
    except TypeError:
        return sorted(unique, key=repr)


def _codes(values: np.ndarray, cats: list[object]) -> np.ndarray:
    """The index of each (given) value in the sorted categories."""
    if _numeric_kind(values):
        return np.searchsorted(np.asarray(cats, dtype=float), values)
    index = {c: i for i, c in enumerate(cats)}
    return np.array([index[v] for v in values.tolist()], dtype=int)


@dataclass(frozen=True)
class _Encoded:
    """A reliability table as indices into its sorted categories, -1 where a value is missing.

    The measures below read this form: the tables built from codings come in it directly
    (categories absent and present), a DataFrame is encoded once by `_encode`.
    """

    codes: np.ndarray  # units x coders, int
    cats: list[object]
    coders: tuple[str, ...]


def _encode(table: pd.DataFrame) -> _Encoded:
    values = table.to_numpy()
    mask = ~pd.isna(values)
    given = values[mask]
    cats = _categories(np.unique(given).tolist() if _numeric_kind(given) else given.tolist())
    codes = np.full(values.shape, -1, dtype=np.int64)
    if len(given):
        codes[mask] = _codes(given, cats)
    return _Encoded(codes, cats, tuple(str(c) for c in table.columns))


def _used(codes: np.ndarray, cats: list[object]) -> tuple[list[object], np.ndarray]:
    """The categories these codes use, sorted, and a lookup from table index to their index."""
    used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(cats)))
    local = _categories([cats[i] for i in used.tolist()])
    lookup = np.full(len(cats), -1, dtype=np.int64)
    for i in used.tolist():
        lookup[i] = next(j for j, c in enumerate(local) if c is cats[i] or c == cats[i])
    return local, lookup


def _percent(enc: _Encoded) -> Measure:
    given = (enc.codes >= 0).sum(axis=1)
    pairs = int((given * (given - 1) // 2).sum())
    agreeing = 0
    for k in range(len(enc.cats)):
        counts = (enc.codes == k).sum(axis=1)
        agreeing += int((counts * (counts - 1) // 2).sum())
    if not pairs:
        return Measure(None, "aucune unité n'a été codée par au moins deux codeurs : "
                             "rien à comparer")
    return Measure(agreeing / pairs)


def percent_agreement(table: pd.DataFrame) -> Measure:
    """Share of agreeing pairs among all pairs of coders who both coded a unit.

    With two coders, the share of units both coded on which they agree.
    """
    _check_table(table)
    return _percent(_encode(table))


def _pair_kappa(enc: _Encoded, i: int, j: int, weights: str | None,
                names: Mapping[object, str] | None) -> Measure:
    a, b = enc.coders[i], enc.coders[j]
    x, y = enc.codes[:, i], enc.codes[:, j]
    both = (x >= 0) & (y >= 0)
    if not both.any():
        return Measure(None, f"κ non défini : {a} et {b} n'ont aucune unité codée en commun")
    x, y = x[both], y[both]
    cats, lookup = _used(np.concatenate([x, y]), enc.cats)
    if len(cats) < 2:
        return Measure(None, f"κ non défini : {a} et {b} ont donné la même valeur "
                             f"(« {_show(cats[0], names)} ») à toutes leurs unités communes")
    # scikit-learn counts the units in a confusion matrix: give it each (x, y) pair once
    # with its count as an integer weight, which builds the same (integer) matrix
    k = len(cats)
    cells = np.bincount(lookup[x] * k + lookup[y], minlength=k * k)
    seen = np.flatnonzero(cells)
    value = cohen_kappa_score(seen // k, seen % k, labels=list(range(k)), weights=weights,
                              sample_weight=cells[seen])
    return Measure(float(value))


def _kappa(enc: _Encoded, weights: str | None, names: Mapping[object, str] | None) -> Kappa:
    pairs = {f"{enc.coders[i]}|{enc.coders[j]}": _pair_kappa(enc, i, j, weights, names)
             for i, j in combinations(range(len(enc.coders)), 2)}
    defined = [m.value for m in pairs.values() if m.value is not None]
    undefined = [k for k, m in pairs.items() if m.value is None]
    if not defined:
        reasons = list(dict.fromkeys(m.reason for m in pairs.values()))
        return Kappa(None, pairs, " ; ".join(reasons))
    note = None
    if undefined:
        note = (f"κ moyen sur {len(defined)} paire(s) sur {len(pairs)} ; non défini pour "
                f"{', '.join(undefined)}")
    return Kappa(float(np.mean(defined)), pairs, note)


def cohen_kappa(table: pd.DataFrame, *, weights: str | None = None,
                value_names: Mapping[object, str] | None = None) -> Kappa:
    """Cohen's kappa for every pair of coders, on the units both coded, and their mean.

    `weights` ("linear", "quadratic") is passed to scikit-learn for ordered categories.
    """
    _check_table(table)
    return _kappa(_encode(table), weights, value_names)


def _numeric(table: pd.DataFrame, level: str) -> pd.DataFrame:
    def number(v: object) -> float:
        if pd.isna(v):
            return math.nan
        try:
            return float(str(v).replace(",", ".")) if isinstance(v, str) else float(v)
        except ValueError:
            raise InputError(f"niveau de mesure « {level} » : la valeur « {v} » n'est pas un "
                             "nombre ; utilisez des nombres ou le niveau nominal.") from None

    return table.map(number)


NOT_PAIRABLE = "aucune unité n'a été codée par au moins deux codeurs : rien à comparer"


def _no_variation(value: object, names: Mapping[object, str] | None) -> Measure:
    return Measure(None, f"toutes les unités comparées portent la même valeur "
                         f"(« {_show(value, names)} ») : α non défini (aucune variation)")


def _nominal_alpha(enc: _Encoded, names: Mapping[object, str] | None) -> Measure:
    """Units coded by fewer than two coders are left out, as the package would."""
    codes = enc.codes[(enc.codes >= 0).sum(axis=1) >= 2]
    if not len(codes):
        return Measure(None, NOT_PAIRABLE)
    cats, lookup = _used(codes, enc.cats)
    if len(cats) < 2:
        return _no_variation(cats[0], names)
    local = np.where(codes >= 0, lookup[codes], -1)
    # the package's own input form: how many coders gave each category to each unit
    counts = np.stack([(local == v).sum(axis=1) for v in range(len(cats))], axis=1)
    value = krippendorff.alpha(value_counts=counts,
                               value_domain=np.arange(len(cats), dtype=float),
                               level_of_measurement="nominal")
    return Measure(float(value))


def krippendorff_alpha(table: pd.DataFrame, level: str = "nominal", *,
                       value_names: Mapping[object, str] | None = None) -> Measure:
    """Krippendorff's alpha for any number of coders, missing values allowed.

    `level`: nominal (default), ordinal, interval or ratio (the last three need numbers).
    Units coded by fewer than two coders are not pairable and are left out.
    """
    _check_table(table)
    _check_level(level)
    if level == "nominal":
        return _nominal_alpha(_encode(table), value_names)
    table = table[table.notna().sum(axis=1) >= 2]
    if table.empty:
        return Measure(None, NOT_PAIRABLE)
    values = _numeric(table, level).to_numpy()
    _, given = _given(values)
    cats = _categories(given)
    if len(cats) < 2:
        return _no_variation(cats[0], value_names)
    value = krippendorff.alpha(reliability_data=values.astype(float).T,  # coders x units
                               value_domain=np.asarray(cats, dtype=float),
                               level_of_measurement=level)
    return Measure(float(value))


def _measure(enc: _Encoded, level: str, names: Mapping[object, str] | None,
             alpha: Measure) -> Agreement:
    return Agreement(
        units=len(enc.codes),
        compared=int(((enc.codes >= 0).sum(axis=1) >= 2).sum()),
        coders=enc.coders,
        level=level,
        percent_agreement=_percent(enc),
        cohen_kappa=_kappa(enc, None, names),
        krippendorff_alpha=alpha,
    )


def measure_table(table: pd.DataFrame, level: str = "nominal", *,
                  value_names: Mapping[object, str] | None = None) -> Agreement:
    """All measures of a reliability table (Cohen's kappa is unweighted)."""
    _check_table(table)
    _check_level(level)
    enc = _encode(table)
    alpha = (_nominal_alpha(enc, value_names) if level == "nominal"
             else krippendorff_alpha(table, level, value_names=value_names))
    return _measure(enc, level, value_names, alpha)


def summarise_table(table: pd.DataFrame, level: str = "nominal") -> dict[str, object]:
    """{"units", "coders", "percent_agreement", "cohen_kappa": {"mean", "pairs"}, "krippendorff_alpha"}."""
    return measure_table(table, level).as_dict()


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


# --- reports ---------------------------------------------------------------------------



@_collector_paused
def agreement_report(codings: Iterable[Coding], *, coded_units: Mapping[str, set[str]],
                     codebook: Codebook | None = None, code_ids: Sequence[str] | None = None,
                     coders: Sequence[str] | None = None,
                     segment_ids: Sequence[str] | None = None, unit: str = "segment",
                     min_overlap: float = 0.5) -> AgreementReport:
    """Agreement per code and over all codes pooled, on binary present/absent units.

    Codes: `code_ids`, else the codebook's codable codes plus any other code used, else the
    codes used. Labels come from the codebook (the id when unknown).
    """
    codings = list(codings)
    code_ids = _report_codes(codings, codebook, code_ids)
    layout = _layout(codings, code_ids, coders, segment_ids, coded_units, unit, min_overlap)
    return _report(layout, codebook)


def _report_codes(codings: list[Coding], codebook: Codebook | None,
                  code_ids: Sequence[str] | None) -> Sequence[str] | None:
    if code_ids is None and codebook is not None:
        known = [c.id for c in codebook.codes if c.codable]
        code_ids = known + sorted({c.code_id for c in codings} - set(known))
    return code_ids


def _report(layout: _Layout, codebook: Codebook | None) -> AgreementReport:
    labels = {c.id: c.label for c in codebook.codes} if codebook else {}
    tables = [_code_table(layout, code).values for code in layout.code_ids]
    rows = tuple(CodeAgreement(code, labels.get(code, code), _binary_agreement(table, layout))
                 for code, table in zip(layout.code_ids, tables))
    pooled = (np.vstack(tables) if tables
              else np.empty((0, len(layout.coders)), dtype=layout.base.dtype))
    rule = SEGMENT_RULE if layout.unit == "segment" else span_rule(layout.min_overlap)
    return AgreementReport(layout.unit, f"{rule} ; {POOLED_RULE}", layout.coders, rows,
                           _binary_agreement(pooled, layout))


def _binary_agreement(values: np.ndarray, layout: _Layout) -> Agreement:
    """The measures of a present/absent table (what `measure_table` gives on its frame)."""
    enc = _Encoded(values.astype(np.int64), [ABSENT, PRESENT], layout.coders)
    return _measure(enc, "nominal", BINARY_NAMES, _nominal_alpha(enc, BINARY_NAMES))


@_collector_paused
def project_agreement(source: CodingSource, *, unit: str = "segment",
                      min_overlap: float = 0.5) -> AgreementReport:
    """The agreement report of a project's codings on its current codebook."""
    return agreement_report(source.codings(), coded_units=source.coded_units(),
                            codebook=source.codebook(), unit=unit, min_overlap=min_overlap)


@_collector_paused
def project_agreement_details(source: CodingSource, *, unit: str = "segment",
                              min_overlap: float = 0.5
                              ) -> tuple[AgreementReport, list[Disagreement]]:
    """`project_agreement` and the project's `disagreements`, laid out once for both."""
    codings, codebook = list(source.codings()), source.codebook()
    layout = _layout(codings, _report_codes(codings, codebook, None), None, None,
                     source.coded_units(), unit, min_overlap)
    # `disagreements` orders codes by id; the report's layout has the codebook's order
    found = sorted(_disagreements(layout), key=lambda d: d.code_id)
    return _report(layout, codebook), found


@_collector_paused
def disagreements(codings: Iterable[Coding], *, coded_units: Mapping[str, set[str]],
                  code_ids: Sequence[str] | None = None, coders: Sequence[str] | None = None,
                  segment_ids: Sequence[str] | None = None, unit: str = "segment",
                  min_overlap: float = 0.5) -> list[Disagreement]:
    """Units where coders who reviewed them differ, by code then segment order."""
    return _disagreements(_layout(codings, code_ids, coders, segment_ids, coded_units, unit,
                                  min_overlap))


def _disagreements(layout: _Layout) -> list[Disagreement]:
    out = []
    for code in layout.code_ids:
        if not layout.by_code.get(code):
            continue  # nobody applied it: no unit can differ
        table = _code_table(layout, code)
        rows = np.fromiter(table.coded, dtype=np.int64, count=len(table.coded))
        values = table.values[rows]  # only a coded unit can differ
        differ = (values == PRESENT).any(axis=1) & (values == ABSENT).any(axis=1)
        for row, given in zip(rows[differ].tolist(), values[differ].tolist()):
            segment, group = table.coded[row]
            by_coder: dict[str, list[Coding]] = {}
            for c in group:
                by_coder.setdefault(c.coder, []).append(c)
            out.append(Disagreement(
                code, segment, table.units[row],
                {k: None if v < 0 else v for k, v in zip(layout.coders, given)},
                {k: tuple(by_coder[k]) for k in layout.coders if k in by_coder}))
    return out


# --- reliability tables from CSV -------------------------------------------------------

_CSV_COLUMNS = ("unit", "coder", "value")
_CSV_ALIASES = {"unité": "unit", "unite": "unit", "codeur": "coder", "valeur": "value"}


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")  # Excel's "CSV (séparateur : point-virgule)" on Windows


def table_from_csv(path: Path | str) -> pd.DataFrame:
    """A reliability table from a CSV with columns `unit,coder,value`, one row per unit and coder.

    An empty value is missing. The separator may be `,` or `;`; a UTF-8 BOM is fine (else
    Windows-1252 is assumed). Units and coders keep their order of first appearance; values
    stay text (numbers are read for non-nominal levels).
    """
    source = str(path)
    try:
        text = _decode(Path(path).read_bytes())
    except FileNotFoundError:
        raise InputError("fichier introuvable : vérifiez le chemin.", source) from None
    except OSError as exc:
        raise InputError(f"lecture impossible ({exc.strerror}) : donnez un fichier CSV lisible.",
                         source) from None
    first = text.lstrip().split("\n", 1)[0]
    if not first.strip():
        raise InputError("fichier vide : attendu un en-tête « unit,coder,value » puis une ligne "
                         "par unité et par codeur.", source)
    reader = csv.reader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",")
                        else ",")
    header = [h.strip().lower() for h in next(reader)]
    header = [_CSV_ALIASES.get(h, h) for h in header]
    missing = [c for c in _CSV_COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"colonne(s) manquante(s) : {', '.join(f'« {c} »' for c in missing)} ; l'en-tête "
            "doit nommer les colonnes « unit », « coder » et « value » (séparées par des "
            "virgules ou des points-virgules).", source, reader.line_num)
    at = {c: header.index(c) for c in _CSV_COLUMNS}
    cells: dict[tuple[str, str], object] = {}
    seen: dict[tuple[str, str], int] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        unit, coder, value = (row[at[c]].strip() if at[c] < len(row) else "" for c in _CSV_COLUMNS)
        if not unit or not coder:
            raise InputError("unité ou codeur vide : remplissez les colonnes « unit » et "
                             "« coder » sur chaque ligne.", source, reader.line_num)
        if (unit, coder) in seen:
            raise InputError(f"l'unité « {unit} » a déjà une valeur du codeur « {coder} » "
                             f"(ligne {seen[unit, coder]}) : gardez une seule ligne par unité "
                             "et par codeur.", source, reader.line_num)
        seen[unit, coder] = reader.line_num
        cells[unit, coder] = value or None
    if not cells:
        raise InputError("aucune ligne de données sous l'en-tête : ajoutez une ligne par unité "
                         "et par codeur.", source)
    units = list(dict.fromkeys(u for u, _ in cells))
    coders = list(dict.fromkeys(k for _, k in cells))
    table = pd.DataFrame([[cells.get((u, k)) for k in coders] for u in units],
                         index=pd.Index(units, name="unit", dtype=object),
                         columns=pd.Index(coders, name="coder", dtype=object), dtype=object)
    if len(coders) < 2:
        raise InputError(f"un seul codeur (« {coders[0]} ») : il faut au moins deux codeurs "
                         "pour mesurer un accord.", source)
    return table
