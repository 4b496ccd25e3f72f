"""Agreement: measures against published values and hand computations, tables from codings,
the span rule, reports, disagreements, CSV tables and the `agreement` command."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from typer.testing import CliRunner

from listening.agreement import (
    BINARY_NAMES,
    Disagreement,
    agreement_report,
    cohen_kappa,
    disagreements,
    disagreements_frame,
    krippendorff_alpha,
    measure_table,
    percent_agreement,
    project_agreement,
    project_agreement_details,
    segment_table,
    span_rule,
    span_table,
    spans_agree,
    summarise_table,
    table_from_csv,
)
from listening.errors import InputError
from listening.model import Code, Codebook, Coding

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "agreement"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data absent")


def table(**coders: list) -> pd.DataFrame:
    """A reliability table from one list of values per coder (None = missing)."""
    return pd.DataFrame(coders, dtype=object)


def from_coders_by_units(rows: list[list], coders: list[str]) -> pd.DataFrame:
    """The published layout (coders x units) turned into ours (units x coders)."""
    return pd.DataFrame({c: row for c, row in zip(coders, rows, strict=True)}, dtype=object)


def expand(spec: str) -> list[int]:
    """Labels written as "[0]*40 + [1]*60" in the reference file."""
    return [int(v) for v, n in re.findall(r"\[(\d+)\]\*(\d+)", spec) for _ in range(int(n))]


def from_contingency(matrix: list[list[int]]) -> pd.DataFrame:
    pairs = [(i, j) for i, row in enumerate(matrix) for j, n in enumerate(row) for _ in range(n)]
    return table(A=[a for a, _ in pairs], B=[b for _, b in pairs])


# --- published values ------------------------------------------------------------------


@needs_shared
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_2011_published_values(level):
    data = json.loads((SHARED / "krippendorff_2011_4coders_12units.json").read_text())
    t = from_coders_by_units(data["reliability_data"], data["coders"])
    assert krippendorff_alpha(t, level).value == pytest.approx(data["expected"][level], abs=1e-3)


@needs_shared
def test_krippendorff_2011_leaves_the_unpairable_unit_out():
    data = json.loads((SHARED / "krippendorff_2011_4coders_12units.json").read_text())
    result = measure_table(from_coders_by_units(data["reliability_data"], data["coders"]))
    assert (result.units, result.compared) == (12, 11)


@needs_shared
@pytest.mark.parametrize("level", ["nominal", "interval"])
def test_krippendorff_wikipedia_example(level):
    data = json.loads((SHARED / "krippendorff_wikipedia_3coders_15units.json").read_text())
    t = from_coders_by_units(data["reliability_data"], ["A", "B", "C"])
    assert krippendorff_alpha(t, level).value == pytest.approx(data["expected"][level], abs=1e-3)


def _cohen_cases() -> list:
    path = SHARED / "cohen_kappa_examples.json"
    if not path.is_file():
        return [pytest.param(None, None, None, marks=needs_shared, id="absent")]
    out = []
    for case in json.loads(path.read_text())["cases"]:
        if "labels_coder1" in case:
            t = table(A=expand(case["labels_coder1"]), B=expand(case["labels_coder2"]))
        else:
            t = from_contingency(case["contingency"])
        expected = case["expected"]
        for key, weights in [("kappa", None), ("unweighted", None), ("linear", "linear"),
                             ("quadratic", "quadratic"),
                             ("weighted_kappa_linear_weights_0_1_2", "linear")]:
            if key in expected:
                out.append(pytest.param(t, weights, expected[key], id=f"{case['id']}-{key}"))
    return out


@needs_shared
@pytest.mark.parametrize(("t", "weights", "expected"), _cohen_cases())
def test_cohen_kappa_textbook_examples(t, weights, expected):
    kappa = cohen_kappa(t, weights=weights)
    assert kappa.pairs["A|B"].value == pytest.approx(expected, abs=1e-3)
    assert kappa.mean == kappa.pairs["A|B"].value


# --- hand-computed fixtures ------------------------------------------------------------


@pytest.mark.parametrize("values", [["x", "y", "x", "z"], [1, 0, 0, 1, 1]])
def test_identical_coders_agree_fully(values):
    result = measure_table(table(A=values, B=list(values), C=list(values)))
    assert result.percent_agreement.value == 1.0
    assert result.cohen_kappa.mean == pytest.approx(1.0)
    assert result.krippendorff_alpha.value == pytest.approx(1.0)


@pytest.mark.parametrize(("a", "b", "po", "kappa", "alpha"), [
    # po = 3/4; pe = .5*.25 + .5*.75 = .5; kappa = (.75 - .5)/.5.
    # alpha: n = 8 values (3 ones, 5 zeros), one disagreeing unit -> 2 coincidences:
    # 1 - (n - 1) * 2 / (2 * 3 * 5) = 1 - 14/30 = 8/15.
    ([1, 1, 0, 0], [1, 0, 0, 0], 0.75, 0.5, 8 / 15),
    # Opposite on every unit with balanced marginals: po = 0, pe = .5, kappa = -1;
    # alpha = 1 - (n - 1) * 8 / (2 * 4 * 4) = 1 - 7/4.
    ([1, 1, 0, 0], [0, 0, 1, 1], 0.0, -1.0, -0.75),
])
def test_two_coders_two_categories_by_hand(a, b, po, kappa, alpha):
    result = measure_table(table(A=a, B=b))
    assert result.percent_agreement.value == pytest.approx(po)
    assert result.cohen_kappa.pairs["A|B"].value == pytest.approx(kappa)
    assert result.krippendorff_alpha.value == pytest.approx(alpha)


@pytest.mark.parametrize("t", [table(A=["x", "x", "y", "x"], B=["x", None, "x", None],
                                     C=[None, "y", None, None])])
def test_missing_values_are_left_out_not_counted_as_disagreement(t):
    # u1: A and B agree; u2: A and C differ; u3: A and B differ; u4: a single value.
    assert percent_agreement(t).value == pytest.approx(1 / 3)
    result = measure_table(t)
    assert (result.units, result.compared) == (4, 3)
    assert result.cohen_kappa.pairs["B|C"].reason == (
        "κ non défini : B et C n'ont aucune unité codée en commun")


@pytest.mark.parametrize("t", [table(A=["oui", "oui", "oui"], B=["oui", "oui", "oui"])])
def test_a_single_category_everywhere_gives_none_with_a_reason(t):
    result = measure_table(t)
    assert result.percent_agreement.value == 1.0
    assert result.cohen_kappa.mean is None
    assert result.cohen_kappa.reason == (
        "κ non défini : A et B ont donné la même valeur (« oui ») à toutes leurs unités communes")
    assert result.krippendorff_alpha.value is None
    assert result.krippendorff_alpha.reason == (
        "toutes les unités comparées portent la même valeur (« oui ») : α non défini "
        "(aucune variation)")
    assert summarise_table(t)["krippendorff_alpha"] is None


@pytest.mark.parametrize("t", [table(A=["x", "y", "x"]), pd.DataFrame(index=[0, 1])])
def test_fewer_than_two_coders_is_an_input_error(t):
    n = t.shape[1]
    who = " (« A »)" if n == 1 else ""
    with pytest.raises(InputError) as err:
        measure_table(t)
    assert str(err.value) == (
        f"il faut au moins deux codeurs pour mesurer un accord ; la table en a {n}{who} : "
        "ajoutez les codages d'un second codeur.")


@pytest.mark.parametrize("t", [table(A=["x", None], B=[None, "y"])])
def test_no_unit_coded_twice_gives_none(t):
    reason = "aucune unité n'a été codée par au moins deux codeurs : rien à comparer"
    assert percent_agreement(t).reason == reason
    assert krippendorff_alpha(t).reason == reason
    assert cohen_kappa(t).mean is None


@pytest.mark.parametrize("level", ["ordinal"])
def test_non_numeric_values_at_a_numeric_level_are_refused(level):
    with pytest.raises(InputError) as err:
        krippendorff_alpha(table(A=["bas", "haut"], B=["bas", "bas"]), level)
    assert str(err.value) == ("niveau de mesure « ordinal » : la valeur « bas » n'est pas un "
                              "nombre ; utilisez des nombres ou le niveau nominal.")


@pytest.mark.parametrize("level", ["nominale"])
def test_unknown_level(level):
    with pytest.raises(InputError, match="niveau de mesure inconnu « nominale »"):
        krippendorff_alpha(table(A=[1, 2], B=[1, 2]), level)


# --- properties ------------------------------------------------------------------------

categories = st.sampled_from(["a", "b", "c"])


@settings(max_examples=60, deadline=None)
@given(st.lists(categories, min_size=2, max_size=30).filter(lambda v: len(set(v)) >= 2))
def test_kappa_is_one_for_identical_coders(values):
    assert cohen_kappa(table(A=values, B=list(values))).mean == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.none() | categories, st.none() | categories, st.none() | categories),
                min_size=2, max_size=25), st.randoms(use_true_random=False))
def test_alpha_does_not_depend_on_unit_order(rows, rnd):
    t = pd.DataFrame(rows, columns=["A", "B", "C"], dtype=object)
    shuffled = t.iloc[rnd.sample(range(len(t)), len(t))]
    before, after = krippendorff_alpha(t).value, krippendorff_alpha(shuffled).value
    assert (before is None and after is None) or before == pytest.approx(after)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.none() | categories, st.none() | categories), min_size=1,
                max_size=25))
def test_percent_agreement_is_a_share(rows):
    value = percent_agreement(pd.DataFrame(rows, columns=["A", "B"], dtype=object)).value
    assert value is None or 0.0 <= value <= 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=2, max_size=40)
       .filter(lambda rows: len({v for row in rows for v in row}) >= 2),
       st.sampled_from([None, "linear", "quadratic"]))
def test_kappa_is_scikit_learns_on_the_raw_labels(rows, weights):
    a, b = [x for x, _ in rows], [y for _, y in rows]
    expected = cohen_kappa_score(a, b, weights=weights)
    value = cohen_kappa(table(A=a, B=b), weights=weights).pairs["A|B"].value
    assert value == pytest.approx(expected, abs=1e-12, nan_ok=True)


# --- tables from codings ---------------------------------------------------------------


def test_segment_table_separates_absent_from_not_reviewed():
    codings = [Coding("s1", "theme.delais", "A"), Coding("s1", "theme.delais", "B"),
               Coding("s2", "theme.delais", "A"), Coding("s4", "theme.contact", "B")]
    tables = segment_table(codings, coded_units={"A": {"s1", "s2", "s3"}, "B": {"s1", "s2"}})
    t = tables["theme.delais"]
    assert list(t.index) == ["s1", "s2", "s3", "s4"]
    assert t.loc["s1"].tolist() == [1.0, 1.0]
    assert t.loc["s2"].tolist() == [1.0, 0.0]       # B looked and did not code it
    assert t.loc["s3", "A"] == 0.0 and math.isnan(t.loc["s3", "B"])  # B never looked
    assert math.isnan(t.loc["s4", "A"]) and t.loc["s4", "B"] == 0.0  # coding s4 = reviewed
    assert tables["theme.contact"].loc["s4", "B"] == 1.0


@pytest.mark.parametrize(("a", "b", "min_overlap", "agree"), [
    ((0, 10), (5, 20), 0.5, True),    # overlap 5 = half of the shorter (10)
    ((0, 10), (6, 20), 0.5, False),   # overlap 4
    ((0, 10), (2, 4), 0.5, True),     # contained: 100 % of the shorter
    ((0, 10), (10, 20), 0.5, False),  # touching, no overlap
    ((0, 10), (9, 20), 0.1, True),
])
def test_span_overlap_rule(a, b, min_overlap, agree):
    assert spans_agree(a, b, min_overlap) is agree
    assert spans_agree(b, a, min_overlap) is agree


def test_span_units_group_agreeing_spans():
    codings = [Coding("s1", "theme.delais", "A", start=0, end=10),
               Coding("s1", "theme.delais", "B", start=4, end=12),
               Coding("s1", "theme.delais", "A", start=30, end=40),
               Coding("s2", "theme.delais", "A"),  # whole segment
               Coding("s2", "theme.delais", "B", start=50, end=52)]
    units = {"A": {"s1", "s2", "s3"}, "B": {"s1", "s2", "s3"}}
    t = span_table(codings, coded_units=units)["theme.delais"]
    assert t.to_dict("index") == {
        "s1:0-12": {"A": 1.0, "B": 1.0},
        "s1:30-40": {"A": 1.0, "B": 0.0},
        "s2": {"A": 1.0, "B": 1.0},
        "s3": {"A": 0.0, "B": 0.0},
    }


def test_span_units_equal_segment_units_without_spans():
    codings = [Coding("s1", "c", "A"), Coding("s2", "c", "B"), Coding("s2", "c", "A")]
    units = {"A": {"s1", "s2", "s3"}, "B": {"s1", "s2"}}
    pd.testing.assert_frame_equal(span_table(codings, coded_units=units)["c"],
                                  segment_table(codings, coded_units=units)["c"])


@pytest.mark.parametrize("min_overlap", [0, 1.5])
def test_min_overlap_must_be_a_share(min_overlap):
    with pytest.raises(InputError) as err:
        span_table([Coding("s1", "c", "A")], coded_units={"A": {"s1"}, "B": {"s1"}},
                   min_overlap=min_overlap)
    assert str(err.value) == (f"chevauchement minimal {min_overlap} : donnez une part entre 0 "
                              "(exclu) et 1, par exemple 0.5 pour 50 %.")


@pytest.mark.parametrize(("coding", "message"), [
    (Coding("s1", "c", "A", start=9, end=3),
     "extrait invalide (9-3) du code « c » par A sur le segment s1 : donnez un début inférieur "
     "à la fin, ou aucun des deux pour le segment entier."),
])
def test_invalid_span_is_refused(coding, message):
    with pytest.raises(InputError) as err:
        segment_table([coding], coded_units={"A": {"s1"}, "B": {"s1"}})
    assert str(err.value) == message


@pytest.mark.parametrize("unit", ["mot"])
def test_unknown_unit_is_refused_before_anything_else(unit):
    with pytest.raises(InputError) as err:
        agreement_report([], coded_units={}, unit=unit)
    assert str(err.value) == "unité inconnue « mot » : choisissez « segment » ou « span »."


@pytest.mark.parametrize("coded_units", [{"A": {"s1"}}])
def test_one_coder_is_not_enough(coded_units):
    with pytest.raises(InputError) as err:
        segment_table([Coding("s1", "c", "A")], coded_units=coded_units)
    assert str(err.value) == (
        "il faut au moins deux codeurs pour mesurer un accord ; il y en a 1 (« A ») : "
        "demandez à un second codeur de coder une partie des segments.")


# --- reports and disagreements ---------------------------------------------------------

CODEBOOK = Codebook("test", "1", (
    Code("theme.delais", "Délais", "theme"),
    Code("theme.contact", "Contact", "theme"),
    Code("parcours.retraite", "Retraite", "journey", codable=False),
))
CODINGS = [
    Coding("s1", "theme.delais", "A"), Coding("s1", "theme.delais", "B"),
    Coding("s2", "theme.delais", "A"), Coding("s3", "theme.delais", "B", start=5, end=9),
]
REVIEWED = {"A": {"s1", "s2", "s3", "s4"}, "B": {"s1", "s2", "s3", "s4"}}


def test_report_per_code_and_overall_with_french_columns():
    report = agreement_report(CODINGS, coded_units=REVIEWED, codebook=CODEBOOK)
    df = report.frame()
    assert list(df.columns) == ["code", "libellé", "unités", "% accord", "κ de Cohen",
                                "α de Krippendorff", "remarque"]
    assert df["code"].tolist() == ["theme.delais", "theme.contact", "ensemble"]
    delais = df.iloc[0]
    assert (delais["libellé"], delais["unités"], delais["% accord"]) == ("Délais", 4, 50.0)
    # A: 1,1,0,0  B: 1,0,1,0 -> po = .5, pe = .5, kappa = 0
    assert delais["κ de Cohen"] == pytest.approx(0.0)
    contact = df.iloc[1]
    assert contact["κ de Cohen"] is None or pd.isna(contact["κ de Cohen"])
    assert contact["remarque"] == (
        "κ non défini : A et B ont donné la même valeur (« absent ») à toutes leurs unités "
        "communes ; toutes les unités comparées portent la même valeur (« absent ») : "
        "α non défini (aucune variation)")
    assert df.iloc[2]["unités"] == 8
    assert report.rule.startswith("unité = segment ;")


def test_report_as_dict_is_json_without_nan():
    report = agreement_report(CODINGS, coded_units=REVIEWED, codebook=CODEBOOK)
    data = json.loads(json.dumps(report.as_dict(), allow_nan=False))
    assert set(data) == {"unit", "rule", "coders", "codes", "overall"}
    assert set(data["codes"][0]) == {"code", "label", "units", "percent_agreement",
                                     "cohen_kappa", "krippendorff_alpha", "notes"}
    assert data["codes"][1]["krippendorff_alpha"] is None
    assert data["coders"] == ["A", "B"]


def test_span_report_states_its_rule():
    report = agreement_report(CODINGS, coded_units=REVIEWED, unit="span", min_overlap=0.5)
    assert span_rule(0.5) in report.rule
    assert "d'au moins 50 % du plus court" in report.rule


def test_disagreements_list_each_coders_codings():
    found = disagreements(CODINGS, coded_units=REVIEWED)
    assert [(d.code_id, d.segment_id) for d in found] == [("theme.delais", "s2"),
                                                           ("theme.delais", "s3")]
    assert found[1].values == {"A": 0, "B": 1}
    assert found[1].codings == {"B": (CODINGS[3],)}
    frame = disagreements_frame(found, ["A", "B"])
    assert frame.to_dict("records")[1] == {"code": "theme.delais", "segment": "s3",
                                           "unité": "s3", "A": "absent", "B": "présent (5-9)"}


def test_a_coder_who_did_not_review_is_no_disagreement():
    found = disagreements([Coding("s1", "c", "A")], coded_units={"A": {"s1"}, "B": {"s2"}})
    assert found == []
    item = Disagreement("c", "s1", "s1", {"A": 1, "B": None}, {"A": (Coding("s1", "c", "A"),)})
    assert [item.describe(k) for k in "AB"] == ["présent (segment entier)", "non revu"]


# three coders, one who reviewed only part of the segments, spans and whole segments
MIXED = [
    Coding("s1", "theme.delais", "A"), Coding("s1", "theme.delais", "B", start=0, end=4),
    Coding("s1", "theme.delais", "C", start=10, end=14), Coding("s2", "theme.contact", "A"),
    Coding("s2", "theme.contact", "C"), Coding("s3", "theme.delais", "C"),
    Coding("s4", "theme.autre", "B", start=2, end=8), Coding("s4", "theme.autre", "A"),
]
MIXED_REVIEWED = {"A": {"s1", "s2", "s3", "s4", "s5"}, "B": {"s1", "s4", "s5"},
                  "C": {"s1", "s2", "s3", "s5"}}


@pytest.mark.parametrize("unit", ["segment", "span"])
def test_report_measures_equal_those_of_the_reliability_tables(unit):
    report = agreement_report(MIXED, coded_units=MIXED_REVIEWED, codebook=CODEBOOK, unit=unit)
    build = segment_table if unit == "segment" else span_table
    tables = build(MIXED, [c.code_id for c in report.codes], coded_units=MIXED_REVIEWED)
    assert [c.code_id for c in report.codes] == ["theme.delais", "theme.contact", "theme.autre"]
    for row in report.codes:
        assert row.agreement == measure_table(tables[row.code_id], value_names=BINARY_NAMES)
    pooled = pd.concat(list(tables.values()), keys=list(tables))
    assert report.overall == measure_table(pooled, value_names=BINARY_NAMES)


@pytest.mark.parametrize("unit", ["segment", "span"])
def test_details_are_the_report_and_the_disagreements(unit):
    class Source:
        def codings(self):
            return MIXED

        def coded_units(self):
            return MIXED_REVIEWED

        def codebook(self):
            return CODEBOOK

    report, found = project_agreement_details(Source(), unit=unit)
    assert report == project_agreement(Source(), unit=unit)
    assert found == disagreements(MIXED, coded_units=MIXED_REVIEWED, unit=unit)
    assert [d.code_id for d in found] == sorted(d.code_id for d in found)
    assert found


class FakeSource:
    def codings(self):
        return CODINGS

    def coded_units(self):
        return REVIEWED

    def codebook(self):
        return CODEBOOK


def test_project_agreement_reads_a_coding_source():
    report = project_agreement(FakeSource())
    assert [c.code_id for c in report.codes] == ["theme.delais", "theme.contact"]
    assert report.codes[0].agreement.percent_agreement.value == 0.5
    assert report.overall.krippendorff_alpha.value is not None
    assert BINARY_NAMES[1] == "présent"


# --- CSV tables ------------------------------------------------------------------------


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "fiabilite.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("text", [
    "unit,coder,value\nu1,A,oui\nu1,B,oui\nu2,A,non\nu2,B,\nu3,B,non\n",
    "\ufeffunit;coder;value\r\nu1;A;oui\r\nu1;B;oui\r\nu2;A;non\r\nu2;B;\r\nu3;B;non\r\n",
])
def test_table_from_csv(tmp_path, text):
    t = table_from_csv(write(tmp_path, text))
    assert list(t.index) == ["u1", "u2", "u3"]
    assert list(t.columns) == ["A", "B"]
    assert t.loc["u1"].tolist() == ["oui", "oui"]
    assert t.loc["u2", "B"] is None and t.loc["u3", "A"] is None


def test_summary_has_exactly_the_documented_keys(tmp_path):
    path = write(tmp_path, "unit,coder,value\nu1,A,1\nu1,B,1\nu2,A,2\nu2,B,1\nu3,A,2\nu3,B,2\n")
    summary = summarise_table(table_from_csv(path))
    assert list(summary) == ["units", "coders", "percent_agreement", "cohen_kappa",
                             "krippendorff_alpha"]
    assert list(summary["cohen_kappa"]) == ["mean", "pairs"]
    assert list(summary["cohen_kappa"]["pairs"]) == ["A|B"]
    assert summary["units"] == 3 and summary["coders"] == ["A", "B"]
    assert summary["percent_agreement"] == pytest.approx(2 / 3)


@pytest.mark.parametrize(("text", "message"), [
    ("unit,coder\nu1,A\n",
     "fiabilite.csv, ligne 1 : colonne(s) manquante(s) : « value » ; l'en-tête doit nommer les "
     "colonnes « unit », « coder » et « value » (séparées par des virgules ou des "
     "points-virgules)."),
    ("unit,coder,value\nu1,A,x\nu1,B,y\nu1,A,z\n",
     "fiabilite.csv, ligne 4 : l'unité « u1 » a déjà une valeur du codeur « A » (ligne 2) : "
     "gardez une seule ligne par unité et par codeur."),
    ("unit,coder,value\nu1,,x\n",
     "fiabilite.csv, ligne 2 : unité ou codeur vide : remplissez les colonnes « unit » et "
     "« coder » sur chaque ligne."),
    ("unit,coder,value\nu1,A,x\nu2,A,y\n",
     "fiabilite.csv : un seul codeur (« A ») : il faut au moins deux codeurs pour mesurer un "
     "accord."),
    ("", "fiabilite.csv : fichier vide : attendu un en-tête « unit,coder,value » puis une ligne "
         "par unité et par codeur."),
])
def test_csv_errors_name_file_and_line(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as err:
        table_from_csv(Path(write(tmp_path, text).name))
    assert str(err.value) == message


def test_csv_in_windows_1252_with_french_header(tmp_path):
    path = write(tmp_path, "unité;codeur;valeur\nu1;Hélène;délai\nu1;Noé;délai\n", "cp1252")
    assert table_from_csv(path).loc["u1"].tolist() == ["délai", "délai"]


# --- the command -----------------------------------------------------------------------


@pytest.fixture
def cli() -> typer.Typer:
    from listening.cli.agreement import agreement_command  # here, so library tests run alone

    app = typer.Typer()
    app.command("agreement")(agreement_command)

    @app.command("other")
    def other() -> None:  # a second command, so "agreement" is a sub-command as in listening
        """Does nothing: it only makes typer keep sub-command names."""

    return app


def test_cli_from_csv_json(cli, tmp_path):
    path = write(tmp_path, "unit;coder;value\nu1;A;x\nu1;B;x\nu2;A;y\nu2;B;x\nu3;A;y\nu3;B;y\n")
    result = CliRunner().invoke(cli, ["agreement", "--from-csv", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["units", "coders", "percent_agreement", "cohen_kappa",
                          "krippendorff_alpha"]
    assert data["cohen_kappa"]["pairs"]["A|B"] == pytest.approx(data["cohen_kappa"]["mean"])


def test_cli_from_csv_prints_a_french_table(cli, tmp_path):
    path = write(tmp_path, "unit,coder,value\nu1,A,x\nu1,B,x\nu2,A,x\nu2,B,x\n")
    result = CliRunner().invoke(cli, ["agreement", "--from-csv", str(path)])
    assert result.exit_code == 0, result.output
    assert "α de Krippendorff (nominal)" in result.stdout
    assert "non défini" in result.stdout
    assert "Remarque : toutes les unités comparées portent la même valeur (« x »)" in result.stdout


def test_cli_missing_column_is_an_exact_french_error(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "unit,codeur\nu1,A\n")
    result = CliRunner().invoke(cli, ["agreement", "--from-csv", "fiabilite.csv"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Erreur : fiabilite.csv, ligne 1 : colonne(s) manquante(s) : « value » ; l'en-tête doit "
        "nommer les colonnes « unit », « coder » et « value » (séparées par des virgules ou des "
        "points-virgules).")


def test_cli_refuses_both_sources(cli, tmp_path):
    result = CliRunner().invoke(cli, ["agreement", "--project", str(tmp_path),
                                      "--from-csv", "x.csv"])
    assert result.exit_code == 2
    assert result.stderr.strip() == ("Erreur : donnez soit --project DOSSIER, soit --from-csv "
                                     "FICHIER, pas les deux.")


@pytest.mark.parametrize("args, message", [
    (["--from-csv", "x.csv", "--coder", "A"], "Erreur : --coder choisit des codeurs d'un projet ; "
     "un tableau --from-csv est mesuré avec tous ses codeurs."),
    (["--coder", "alice"], "Erreur : un accord compare au moins deux codeurs ; ajoutez un autre "
     "--coder que « alice »."),
])
def test_cli_refuses_coder_choices_that_cannot_be_measured(cli, tmp_path, args, message):
    result = CliRunner().invoke(cli, ["agreement", *args])
    assert result.exit_code == 2
    assert " ".join(result.stderr.split()) == message


@pytest.mark.parametrize("acceptor", ["Suggestions acceptées"])
def test_cli_compares_the_people_who_coded_unless_told(cli, tmp_path, acceptor):
    """A coder all of whose codings are accepted suggestions is left out by default, with a
    French remark; --coder chooses the coders."""
    from conftest import build_app_project

    from listening.store import accept_above

    built = build_app_project(tmp_path)
    assert accept_above(built.project, 0.5, coder=acceptor) == 2
    run = CliRunner().invoke(cli, ["agreement", "--project", str(built.path), "--json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["coders"] == ["alice", "bruno"]
    run = CliRunner().invoke(cli, ["agreement", "--project", str(built.path)])
    assert f"Remarque : « {acceptor} » n'est pas comparé" in " ".join(run.stdout.split())
    run = CliRunner().invoke(cli, ["agreement", "--project", str(built.path), "--json",
                                   "--coder", acceptor, "--coder", "alice"])
    assert json.loads(run.stdout)["coders"] == [acceptor, "alice"]
    run = CliRunner().invoke(cli, ["agreement", "--project", str(built.path),
                                   "--coder", "alice", "--coder", "brunoo"])
    assert run.exit_code == 1  # a typo is named, not taken for a coder with nothing coded
    assert run.stderr.strip() == (
        f"Erreur : codeur(s) inconnu(s) dans ce projet : « brunoo » ; codeurs du projet : "
        f"« {acceptor} », « alice », « bruno ».")


@pytest.mark.parametrize("was_on", [True, False])
def test_agreement_leaves_the_garbage_collector_as_it_found_it(was_on):
    """The collector is paused while codings are laid out (speed), and resumed after — also
    when the computation fails — unless the caller had turned it off."""
    import gc

    from listening.agreement import agreement_report
    from listening.errors import InputError
    from listening.model import Coding

    codings = [Coding("s1", "theme.a", "alice"), Coding("s1", "theme.a", "bruno"),
               Coding("s2", "theme.a", "alice")]
    units = {"alice": {"s1", "s2"}, "bruno": {"s1", "s2"}}
    (gc.enable if was_on else gc.disable)()
    try:
        report = agreement_report(codings, coded_units=units)
        assert report.overall.compared == 2
        assert gc.isenabled() is was_on
        with pytest.raises(InputError):
            agreement_report(codings[:1], coded_units={"alice": {"s1"}})  # one coder
        assert gc.isenabled() is was_on
    finally:
        gc.enable()
