"""Segmentation: segments tile their turn, split at sentence boundaries, respect the size bound."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from listening.model import RawTurn, build_document
from listening.segment import segment_document, sentence_spans, turn_spans


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("J'ai attendu. Personne ne répond ! Et alors ?",
         ["J'ai attendu. ", "Personne ne répond ! ", "Et alors ?"]),
        ("M. Durand m'a reçue. Mme Benali aussi.", ["M. Durand m'a reçue. ", "Mme Benali aussi."]),
        ("Page p. 3 du formulaire… Puis rien.", ["Page p. 3 du formulaire… ", "Puis rien."]),
        ("« C'est fini. » Voilà.", ["« C'est fini. » ", "Voilà."]),
        ("pas de ponctuation du tout", ["pas de ponctuation du tout"]),
    ],
)
def test_sentences_split_at_french_boundaries(text, expected):
    assert [text[a:b] for a, b in sentence_spans(text)] == expected


@pytest.mark.parametrize("max_chars", [40])
def test_long_sentence_without_punctuation_is_cut_at_a_comma_or_space(max_chars):
    text = "alors j'ai appelé la caisse, puis la mairie, puis encore la caisse et personne ne savait"
    spans = turn_spans(text, max_chars)
    assert all(b - a <= max_chars for a, b in spans)
    assert "".join(text[a:b] for a, b in spans) == text
    assert text[spans[0][0]:spans[0][1]].endswith(", ")


@pytest.mark.parametrize("max_chars", [400])
def test_short_sentences_are_packed_together(max_chars):
    text = "Oui. Non. Peut-être."
    assert turn_spans(text, max_chars) == [(0, len(text))]


words = st.text(alphabet="abcdeéèàç ,.!?…«»'\n", min_size=1, max_size=400)


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(words, min_size=1, max_size=5), max_chars=st.integers(10, 300))
def test_segments_tile_each_turn_exactly(texts, max_chars):
    doc = build_document("x.txt", [RawTurn(t, speaker=f"S{i}") for i, t in enumerate(texts)])
    segments = segment_document(doc, max_chars)
    for turn in doc.turns:
        own = [s for s in segments if s.turn_index == turn.index]
        assert own[0].start == turn.start and own[-1].end == turn.end
        assert all(a.end == b.start for a, b in zip(own, own[1:]))
        assert all(doc.text[s.start:s.end] == s.text for s in own)
        assert all(s.end - s.start <= max_chars for s in own)
