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
this package only lays out units, missing data and the degenerate cases.

Modules: `measures` (a reliability table's measures), `layout` (codings → per-code tables),
`report` (agreement reports and disagreements), `reliability_csv` (tables read from CSV).
"""


from .layout import (
    ABSENT,
    BINARY_NAMES,
    PRESENT,
    UNITS,
    segment_table,
    span_table,
    spans_agree,
)
from .measures import (
    LEVELS,
    NOT_PAIRABLE,
    Agreement,
    Kappa,
    Measure,
    cohen_kappa,
    krippendorff_alpha,
    measure_table,
    percent_agreement,
    summarise_table,
)
from .reliability_csv import (
    table_from_csv,
)
from .report import (
    FRENCH_COLUMNS,
    OVERALL,
    POOLED_RULE,
    SEGMENT_RULE,
    AgreementReport,
    CodeAgreement,
    CodingSource,
    Disagreement,
    agreement_report,
    disagreements,
    disagreements_frame,
    project_agreement,
    project_agreement_details,
    span_rule,
)

__all__ = [
    "ABSENT",
    "Agreement",
    "AgreementReport",
    "BINARY_NAMES",
    "CodeAgreement",
    "CodingSource",
    "Disagreement",
    "FRENCH_COLUMNS",
    "Kappa",
    "LEVELS",
    "Measure",
    "NOT_PAIRABLE",
    "OVERALL",
    "POOLED_RULE",
    "PRESENT",
    "SEGMENT_RULE",
    "UNITS",
    "agreement_report",
    "cohen_kappa",
    "disagreements",
    "disagreements_frame",
    "krippendorff_alpha",
    "measure_table",
    "percent_agreement",
    "project_agreement",
    "project_agreement_details",
    "segment_table",
    "span_rule",
    "span_table",
    "spans_agree",
    "summarise_table",
    "table_from_csv",
]
