"""Measures on a reliability table: percent agreement, Cohen's kappa, Krippendorff's alpha.

A reliability table is a DataFrame with one row per unit and one column per coder (see the
package docstring); the measures compare only values two coders both gave. Tables are encoded
once (`_Encoded`: indices into the sorted categories, -1 where missing) and measured in that form.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from ..errors import InputError

LEVELS = ("nominal", "ordinal", "interval", "ratio")


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
