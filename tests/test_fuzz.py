"""Hypothesis fuzzing of the speaker parser and the spreadsheet reader.

Complements the readers' own property tests (tests/test_ingest_turns.py, test_ingest_tables.py):
here any Unicode at all, user-given speaker patterns, labelled transcripts that must come back
exactly, and arbitrary grids written as CSV (several encodings) and XLSX. A reader may refuse
a file, but only with an InputError; what it returns is well formed.
"""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from listening.errors import InputError
from listening.ingest import ReadOptions, parse_turns, read
from listening.model import build_document, normalise_text
from listening.segment import segment_document

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])

# --- the speaker parser -------------------------------------------------------------------

LABELS = ("Enquêtrice : ", "Usager : ", "**Marie** : ", "[00:01:02] Karim : ", "E : ", "R : ",
          "Mme Dupont (00:12) : ", "Participant 3 : ", "# Étape 2 : la demande\n", "Irritants :\n",
          "- ", "1. ", "\t", "00:12:03\n", "Date : ", "---\n", ":", "**", "[", "]", "(", ")")
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
pieces = st.one_of(st.sampled_from(LABELS), any_text,
                   st.sampled_from(["\n", "\n\n", "\r\n", "\r", " ", "\u00a0", "\ufeff", "\x00",
                                    "\u2028", "\x0c"]))


@FUZZ
@given(st.lists(pieces, max_size=30).map("".join))
def test_parse_turns_takes_any_unicode_and_returns_well_formed_turns(text):
    turns = parse_turns(text)
    for turn in turns:
        assert turn.text and turn.text == turn.text.strip()
        assert "\n" not in turn.speaker
    doc = build_document("fuzz.txt", turns)
    for turn in doc.turns:
        assert doc.text[turn.start:turn.end] == turn.text
    for segment in segment_document(doc, 80):
        assert doc.text[segment.start:segment.end] == segment.text
        assert segment.start < segment.end


SPEAKERS = ("Enquêtrice", "Enquêteur", "Usager", "Usagère", "Mme Martin", "M. Durand",
            "Participant 2", "Conseillère CAF", "Inspectrice")
WORDS = ("j'ai", "attendu", "trois", "mois", "la", "caisse", "dossier", "réponse", "site",
         "courrier", "demande", "pension", "rien", "reçu", "on", "m'a", "dit", "d'attendre",
         "encore", "aide", "France", "services", "vraiment", "long", "CAF", "2019", "42")
utterances = st.lists(st.sampled_from(WORDS), min_size=1, max_size=25).map(
    lambda ws: " ".join(ws).capitalize() + "."
)


ROLES = ("Enquêtrice", "Enquêteur", "Inspectrice", "Usager", "Usagère")


# A name said once before any role label stays text by design ("Date : 12 mars" in a header),
# so the transcript opens with a role word.
@FUZZ
@given(st.tuples(st.sampled_from(ROLES), utterances),
       st.lists(st.tuples(st.sampled_from(SPEAKERS), utterances), min_size=1, max_size=12),
       st.sampled_from(["\n", "\n\n", "\r\n\r\n"]))
def test_labelled_transcripts_come_back_exactly(first, rest, separator):
    pairs = [first, *rest]
    text = separator.join(f"{speaker} : {utterance}" for speaker, utterance in pairs)
    assert [(t.speaker, t.text) for t in parse_turns(text)] == pairs


patterns = st.one_of(
    st.text(st.sampled_from("()[]?P<>speakrtim:.*+\\^$|{}0-9 _-"), max_size=30),
    st.sampled_from([r"(?P<speaker>[^:]+) :", r"(?P<speaker>\w+)\t(?P<time>[\d:]+)",
                     r"(?P<speaker", r"(?P<nom>\w+) :", "[", r"(?P<speaker>.*)"]),
)


@pytest.mark.filterwarnings("ignore::FutureWarning")  # re's notes on odd generated patterns
@FUZZ
@given(patterns, st.lists(pieces, max_size=12).map("".join))
def test_a_user_speaker_pattern_is_used_or_refused_in_french(pattern, text):
    try:
        turns = parse_turns(text, source="E01.txt", speaker_pattern=pattern)
    except InputError as exc:
        assert str(exc).startswith("E01.txt : ")
        assert re.search(r"motif|locuteur", str(exc))
        return
    assert all(t.text == t.text.strip() and t.text for t in turns)


# --- the spreadsheet reader ---------------------------------------------------------------

cell_text = st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t"),
                    max_size=60)
headers = st.lists(st.one_of(st.sampled_from(["id", "verbatim", "parcours", "date", "note",
                                              "commentaire", "Réponse libre", "n°", ""]),
                             cell_text), min_size=1, max_size=6)
grids = st.tuples(headers, st.lists(st.lists(cell_text, max_size=8), max_size=15))


def write_csv(path, grid, delimiter, encoding) -> bool:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(grid[0])
    writer.writerows(grid[1])
    try:
        path.write_bytes(buffer.getvalue().encode(encoding))
    except UnicodeEncodeError:
        return False
    return True


def write_xlsx(path, grid, sheets=1):
    book = openpyxl.Workbook()
    for index in range(sheets):
        sheet = book.active if index == 0 else book.create_sheet(f"Feuille {index + 1}")
        for r, row in enumerate([grid[0], *grid[1]], 1):
            for c, value in enumerate(row, 1):
                cell = sheet.cell(r, c, value)
                cell.data_type = "s"  # text, even "=..." (what a typed verbatim is)
    book.save(path)


def check_result(path, options=None):
    """The reader returns well-formed documents or refuses with an InputError naming the file."""
    try:
        result = read(path, options or ReadOptions(), name=path.name)
    except InputError as exc:
        assert str(exc).startswith(path.name)
        return None
    ids = [d.external_id for d in result.documents]
    assert result.documents and len(set(ids)) == len(ids)
    for doc in result.documents:
        assert doc.meta.type == "verbatim"
        assert [doc.text[t.start:t.end] for t in doc.turns] == [t.text for t in doc.turns]
    return result


@FUZZ
@given(grids, st.sampled_from([";", ",", "\t", "|"]),
       st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
def test_any_csv_is_read_or_refused_with_an_input_error(tmp_path, grid, delimiter, encoding):
    path = tmp_path / "verbatims.csv"
    assume(write_csv(path, grid, delimiter, encoding))
    check_result(path)


@FUZZ
@given(grids)
def test_any_xlsx_is_read_or_refused_with_an_input_error(tmp_path, grid):
    path = tmp_path / "verbatims.xlsx"
    write_xlsx(path, grid)
    check_result(path)


@FUZZ
@given(st.lists(st.tuples(cell_text, cell_text), min_size=1, max_size=15),
       st.sampled_from([None, "Feuille 2"]))
def test_xlsx_text_and_ids_come_back_exactly(tmp_path, rows, sheet):
    ids = [f"R{i:03d}" for i in range(len(rows))]
    grid = (["identifiant", "avis", "autre"], [[i, t, o] for i, (t, o) in zip(ids, rows)])
    path = tmp_path / "avis.xlsx"
    write_xlsx(path, grid, sheets=2)
    options = ReadOptions(text_column="avis", id_column="identifiant", sheet=sheet)
    expected = [(i, normalise_text(t)) for i, (t, _) in zip(ids, rows) if t.strip()]
    expected = [(i, t) for i, t in expected if t]
    if not expected:
        with pytest.raises(InputError):
            read(path, options)
        return
    docs = read(path, options).documents
    assert [(d.external_id, d.text) for d in docs] == expected


@FUZZ
@given(st.lists(st.lists(cell_text, min_size=0, max_size=6), min_size=1, max_size=15),
       st.sampled_from([";", ","]))
def test_ragged_csv_rows_keep_their_text_column(tmp_path, rows, delimiter):
    texts = [f"Verbatim {i} : la caisse n'a pas répondu" for i in range(len(rows))]
    grid = (["id", "verbatim", "canal"],  # rows of 2 to 8 cells under 3 headers
            [[f"V{i}", t, *extra] for i, (t, extra) in enumerate(zip(texts, rows))])
    path = tmp_path / "irregulier.csv"
    write_csv(path, grid, delimiter, "utf-8")
    result = read(path, ReadOptions(text_column="verbatim"))
    assert [d.text for d in result.documents] == texts
