"""Journey views on a hand-built fixture whose counts are known."""

from __future__ import annotations

import pandas as pd
import pytest

from listening.model import Code, Codebook
from listening.views import (
    code_attribute_matrix,
    coded_segments,
    cooccurrence,
    journey_map,
    kwic,
    pain_curve,
    stage_summary,
)

CB = Codebook("mini", "1", (
    Code("theme.delais", "Délais", "theme", definition="d"),
    Code("theme.contact", "Joignabilité", "theme", definition="d"),
    Code("theme.contact.telephone", "Téléphone", "theme", parent="theme.contact", definition="d"),
    Code("valence.irritant", "Irritant", "valence", definition="d"),
    Code("valence.positif", "Point positif", "valence", definition="d"),
    Code("valence.suggestion", "Suggestion", "valence", definition="d"),
    Code("parcours.x", "Parcours X", "journey", codable=False),
    Code("etape.x.debut", "Début", "stage", parent="parcours.x", order=0, definition="d"),
    Code("etape.x.fin", "Fin", "stage", parent="parcours.x", order=1, definition="d"),
))

# s1..s4 in journey X; s5 unplaced; s6 has its stage stated by its document (a spreadsheet row)
SEGMENTS = pd.DataFrame({
    "segment_id": ["s1", "s2", "s3", "s4", "s5", "s6", "s7"],
    "document": ["A", "A", "B", "B", "B", "C", "C"],
    "text": ["J'ai attendu trois mois.", "Personne ne décroche au téléphone.",
             "La conseillère a été très aidante.", "Il faudrait un seul numéro.",
             "Délais encore.", "Attente interminable", "rien"],
    "journey": ["parcours.x"] * 7,
    "document_stage": [None, None, None, None, None, "etape.x.fin", None],
    "type": ["entretien", "entretien", "atelier", "atelier", "atelier", "verbatim", "verbatim"],
    "public": ["parent isolé", "parent isolé", "retraité", "retraité", "retraité", "retraité",
               "retraité"],
    "organisations": [["CAF"], ["CAF"], ["CPAM"], ["CPAM"], [], [], []],
})
CODINGS = pd.DataFrame(
    [("s1", "theme.delais", "A"), ("s1", "valence.irritant", "A"), ("s1", "etape.x.debut", "A"),
     ("s2", "theme.contact.telephone", "A"), ("s2", "valence.irritant", "A"),
     ("s2", "theme.delais", "B"), ("s2", "etape.x.debut", "A"),
     ("s3", "valence.positif", "A"), ("s3", "etape.x.fin", "A"),
     ("s4", "valence.suggestion", "B"), ("s4", "theme.contact", "B"), ("s4", "etape.x.fin", "B"),
     ("s5", "theme.delais", "A"), ("s5", "valence.irritant", "A"),
     ("s6", "theme.delais", "A"), ("s6", "valence.irritant", "A")],
    columns=["segment_id", "code_id", "coder"],
)


@pytest.fixture
def coded():
    return coded_segments(SEGMENTS, CODINGS, CB)


@pytest.mark.parametrize("column", ["stage"])
def test_stage_comes_from_coding_else_from_the_document(coded, column):
    assert coded.set_index("segment_id")[column].to_dict() == {
        "s1": "etape.x.debut", "s2": "etape.x.debut", "s3": "etape.x.fin", "s4": "etape.x.fin",
        "s5": None, "s6": "etape.x.fin", "s7": None}
    assert not coded.set_index("segment_id").loc["s7", "coded"]


@pytest.mark.parametrize("journey", ["parcours.x"])
def test_stage_summary_counts_and_intensity(coded, journey):
    s = stage_summary(coded, CB, journey).set_index("etape")
    assert list(s.index) == ["Début", "Fin", "(étape non précisée)"]
    assert s.loc["Début", ["segments", "irritants", "positifs", "suggestions"]].tolist() == [2, 2, 0, 0]
    assert s.loc["Fin", ["segments", "irritants", "positifs", "suggestions"]].tolist() == [3, 1, 1, 1]
    assert s.loc["Fin", "intensite"] == pytest.approx(1 / 3)
    assert sorted(s.loc["Fin", "irritants_ids"]) == ["s6"]


@pytest.mark.parametrize("journey", ["parcours.x"])
def test_journey_map_rolls_sub_themes_up_and_keeps_segment_ids(coded, journey):
    m = journey_map(coded, CB, journey).set_index(["etape", "theme"])
    assert m.loc[("Début", "theme.contact"), "segment_ids"] == ["s2"]
    assert m.loc[("Début", "theme.delais"), "segments"] == 2
    assert m.loc[("Début", "theme.contact"), "part_etape"] == pytest.approx(0.5)
    assert m.loc[("Fin", "theme.delais"), "irritants"] == 1
    assert len(m) == 2 * 2  # two stages × two main themes (the sub-theme is not a column)


@pytest.mark.parametrize("public,expected", [("parent isolé", 2), ("retraité", 4)])
def test_filter_by_public(coded, public, expected):
    s = stage_summary(coded, CB, "parcours.x", public=public)
    assert s["segments"].sum() == expected


@pytest.mark.parametrize("coders,expected", [(["A"], {"s1", "s2", "s3", "s5", "s6"}), (["B"], {"s2", "s4"})])
def test_choice_of_coders(coders, expected):
    c = coded_segments(SEGMENTS, CODINGS, CB, coders=coders)
    assert set(c.loc[c["coded"], "segment_id"]) == expected


@pytest.mark.parametrize("min_segments", [2])
def test_pain_curve_per_public_only_with_enough_segments(coded, min_segments):
    curve = pain_curve(coded, CB, "parcours.x", min_segments=min_segments)
    assert set(curve["groupe"]) == {"Ensemble", "parent isolé", "retraité"}
    parents = curve[curve["groupe"] == "parent isolé"].set_index("etape")
    assert parents.loc["Début", "intensite"] == 1.0
    assert "(étape non précisée)" not in set(curve["etape"])


@pytest.mark.parametrize("attribute", ["public"])
def test_code_attribute_matrix(coded, attribute):
    m = code_attribute_matrix(coded, CB, attribute).set_index(["code", attribute])
    assert m.loc[("theme.delais", "retraité"), "segments"] == 2
    assert m.loc[("theme.delais", "parent isolé"), "segment_ids"] == ["s1", "s2"]


@pytest.mark.parametrize("pair", [("theme.contact", "theme.delais")])
def test_cooccurrence(coded, pair):
    co = cooccurrence(coded)
    row = co[(co["code_a"] == pair[0]) & (co["code_b"] == pair[1])]
    assert row["segment_ids"].tolist() == [["s2"]]


@pytest.mark.parametrize("query,hits", [("delais", 1), ("TÉLÉPHONE", 1), ("atten", 2)])
def test_kwic_is_accent_and_case_insensitive(query, hits):
    k = kwic(SEGMENTS, query, window=10)
    assert len(k) == hits
    assert all(query.lower()[:3] in row.mot.lower() or row.mot for row in k.itertuples())
