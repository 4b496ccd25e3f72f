"""Agreement reports from codings: per code and pooled, with the unit rule, and disagreements."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from ..model import Codebook, Coding
from .layout import ABSENT, BINARY_NAMES, PRESENT, _code_table, _collector_paused, _Layout, _layout
from .measures import Agreement, _Encoded, _measure, _nominal_alpha

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


def project_agreement(source: CodingSource, *, unit: str = "segment",
                      min_overlap: float = 0.5) -> AgreementReport:
    """The agreement report of a project's codings on its current codebook (the collector is
    paused by `agreement_report`, not while the source is read)."""
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
