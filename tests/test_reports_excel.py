"""The Excel workbook: sheets, French headers, frozen header rows, filters, widths, counts."""

from __future__ import annotations

from io import BytesIO

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from listening.reports import write_report
from listening.reports.data import build_report_data
from listening.reports.excel import workbook_bytes

SHEETS = ["Segments", "Codages", "Matrice retraite", "Matrice separation", "Accord",
          "Thèmes émergents"]


@pytest.fixture(scope="module")
def workbook(report_project):
    return openpyxl.load_workbook(BytesIO(workbook_bytes(build_report_data(report_project))))


def grid(ws, rows: int = 4) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=1, max_row=min(rows, ws.max_row),
                                          values_only=True)]


@pytest.mark.parametrize("name", ["report_excel_grid"])
def test_headers_and_first_rows_match_the_golden_file(workbook, golden, name):
    golden(name, [{"sheet": ws.title, "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref,
                   "rows": grid(ws)} for ws in workbook])


@pytest.mark.parametrize("sheets", [SHEETS])
def test_every_sheet_has_a_frozen_filtered_header_and_widths(workbook, sheets):
    assert workbook.sheetnames == sheets
    for ws in workbook:
        assert ws.freeze_panes == "A2"
        headers = [c.value for c in ws[1] if c.value]
        first = [r[0] for r in ws.iter_rows(values_only=True)] + [None]
        assert ws.auto_filter.ref == f"A1:{get_column_letter(len(headers))}{first.index(None)}"
        assert all(c.font.bold for c in ws[1] if c.value)
        assert ws.column_dimensions["A"].width >= 8


@pytest.mark.parametrize("code,stage,count", [("theme.delais", "2. Instruction", 3),
                                              ("valence.irritant", "2. Instruction", 4),
                                              ("theme.contact", "3. Premier versement", 1)])
def test_matrix_counts_segments_per_code_and_stage(workbook, code, stage, count):
    ws = workbook["Matrice retraite"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == code)
    assert row[header.index(stage)] == count


@pytest.mark.parametrize("coder,origin,count", [("alice", "listening.rules.v1", 9),
                                                ("alice", "manual", 34), ("bruno", "manual", 26)])
def test_codings_sheet_is_long_format_with_coder_and_origin(workbook, coder, origin, count):
    ws = workbook["Codages"]
    header = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    found = [r for r in rows if r[header.index("Codeur")] == coder
             and r[header.index("Origine")] == origin]
    assert len(found) == count
    assert {r[header.index("Version du livre de codes")] for r in rows} == {"1.2"}


@pytest.mark.parametrize("text,spans", [("le site plantait tout le temps", 1)])
def test_span_codings_keep_their_offsets(workbook, text, spans):
    ws = workbook["Codages"]
    header = [c.value for c in ws[1]]
    found = [r for r in ws.iter_rows(min_row=2, values_only=True)
             if r[header.index("Début")] is not None]
    assert len(found) == spans
    row = found[0]
    full = row[header.index("Texte")]
    segments = workbook["Segments"]
    seg_header = [c.value for c in segments[1]]
    seg = next(r for r in segments.iter_rows(min_row=2, values_only=True)
               if r[0] == row[header.index("Segment")])
    start = row[header.index("Début")] - seg[seg_header.index("Début")]
    end = row[header.index("Fin")] - seg[seg_header.index("Début")]
    assert full[start:end] == text


@pytest.mark.parametrize("journey,sheets", [("separation", ["Segments", "Codages",
                                                             "Matrice separation", "Accord",
                                                             "Thèmes émergents"])])
def test_journey_option_keeps_one_matrix(report_project, tmp_path, journey, sheets):
    dest = write_report(report_project, tmp_path / "classeur.xlsx", journey=journey)
    assert openpyxl.load_workbook(dest).sheetnames == sheets
