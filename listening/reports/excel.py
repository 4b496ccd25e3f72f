"""The Excel workbook: segments, codings (long format), a codes × stages matrix per journey,
agreement and emerging topics. French headers, header row frozen, filters on, widths set.

A pure builder over ReportData; every row that counts segments can be traced through the
Segments sheet (segment ids, filters on journey, stage, theme).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..codebook import short_id
from ..views import main_themes
from .data import JourneyView, ReportData
from .wording import xml_safe

HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
MAX_SHEET_TITLE = 31
SEP = " ; "

SEGMENT_COLUMNS = [  # (header, width)
    ("Segment", 38), ("Document", 12), ("Fichier", 24), ("Type", 10), ("Parcours", 22),
    ("Public", 16), ("Territoire", 14), ("Organismes", 14), ("Date", 11), ("Position", 8),
    ("Début", 8), ("Fin", 8), ("Locuteur", 16), ("Rôle", 11), ("Texte", 70), ("Thèmes", 30),
    ("Valence", 18), ("Étape", 22), ("Codes", 40), ("Sujet", 26), ("Codeurs", 16),
]
CODING_COLUMNS = [
    ("Codage", 38), ("Segment", 38), ("Document", 12), ("Code", 30), ("Libellé", 22),
    ("Famille", 10), ("Codeur", 12), ("Origine", 20), ("Début", 8), ("Fin", 8),
    ("Date du codage", 22), ("Version du livre de codes", 12), ("Texte", 70),
]
TOPIC_COLUMNS = [
    ("Parcours", 22), ("Étape", 22), ("Sujet n°", 8), ("Libellé", 30), ("Mots", 40),
    ("Segments", 9), ("Part de l'étape", 10), ("Thèmes", 30), ("Exemples (segments)", 60),
]
FAMILIES = {"theme": "thème", "valence": "valence", "journey": "parcours", "stage": "étape"}


def build_workbook(data: ReportData) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    _segments(wb, data)
    _codings(wb, data)
    for view in data.journeys:
        _matrix(wb, data, view)
    _agreement(wb, data)
    _topics(wb, data)
    stamp = datetime.fromisoformat(data.as_of).replace(tzinfo=None)
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = wb.properties.lastModifiedBy = "listening"
    wb.properties.title = data.title
    return wb


def workbook_bytes(data: ReportData) -> bytes:
    buffer = BytesIO()
    build_workbook(data).save(buffer)
    return buffer.getvalue()


def _sheet(wb: Workbook, title: str, columns: Sequence[tuple[str, float]],
           rows: Sequence[Sequence[object]]) -> Worksheet:
    """A sheet with a bold, frozen, filtered header row and set column widths."""
    ws = wb.create_sheet(title[:MAX_SHEET_TITLE])
    ws.append([h for h, _ in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row in rows:
        ws.append([_cell(v) for v in row])
    for i, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(ws.max_row, 1)}"
    return ws


def _cell(value: object) -> object:
    """Lists joined, NaN as empty, no control characters (Excel refuses them)."""
    if isinstance(value, (list, tuple)):
        value = SEP.join(str(v) for v in value)
    if value is None or (isinstance(value, float) and value != value):
        return None
    return xml_safe(value) if isinstance(value, str) else value


def _segments(wb: Workbook, d: ReportData) -> None:
    labels = lambda ids: [d.label(i) for i in ids]  # noqa: E731
    rows = [[r.segment_id, r.document, r.document_name, r.type, d.label(r.journey)
             if isinstance(r.journey, str) else None, r.public, r.territory, r.organisations,
             r.date, r.position, r.start, r.end, r.speaker, r.role, r.text,
             labels(r.themes), labels(r.valences), d.label(r.stage) if r.stage else None,
             r.codes, r.topic, r.coders] for r in d.coded.itertuples()]
    _sheet(wb, "Segments", SEGMENT_COLUMNS, rows)


def _codings(wb: Workbook, d: ReportData) -> None:
    family = {c.id: c.family for c in d.codebook.codes}
    rows = [[c.id, c.segment_id, c.document, c.code_id, d.label(c.code_id),
             FAMILIES.get(family.get(c.code_id), "inconnu"), c.coder, c.origin,
             None if c.start != c.start else c.start, None if c.end != c.end else c.end,
             c.created_at, c.codebook_version, c.text] for c in d.codings.itertuples()]
    _sheet(wb, "Codages", CODING_COLUMNS, rows)


def _matrix(wb: Workbook, d: ReportData, view: JourneyView) -> None:
    """Codes (main themes, then valences) × stages in time order: coded segments per cell."""
    stages = list(view.journey.stages)
    coded = d.coded[d.coded["coded"] & (d.coded["journey"] == view.journey.id)]
    rows = []
    for code in [*main_themes(d.codebook), *d.codebook.family("valence")]:
        column = "top_themes" if code.family == "theme" else "valences"
        having = coded[coded[column].map(lambda v, c=code.id: c in v).astype(bool)]
        counts = [int((having["stage"] == s.id).sum()) for s in stages]
        rows.append([code.id, code.label, *counts, len(having)])
    columns = [("Code", 26), ("Libellé", 22), *((f"{s.order + 1}. {s.label}", 14)
                                                  for s in stages), ("Total", 9)]
    ws = _sheet(wb, f"Matrice {short_id(view.journey.id)}", columns, rows)
    ws.append([])
    ws.append(["Nombre de segments codés du parcours portant le code, par étape ; « Total » "
               "compte aussi les segments sans étape. Détail : feuille Segments."])


def _agreement(wb: Workbook, d: ReportData) -> None:
    if d.agreement is None:
        ws = _sheet(wb, "Accord", [("Remarque", 90)],
                    [["Un seul codeur : l'accord entre codeurs n'a pas été mesuré."]])
        return
    frame = d.agreement.frame(french=True)
    widths = {"code": 30, "libellé": 24, "remarque": 60}
    columns = [((c[:1].upper() if c[:1].isascii() else c[:1]) + c[1:], widths.get(c, 14))
               for c in frame.columns]
    rows = [[round(v, 4) if isinstance(v, float) else v for v in row]
            for row in frame.astype(object).where(frame.notna(), None).values.tolist()]
    ws = _sheet(wb, "Accord", columns, rows)
    ws.append([])
    ws.append([f"Codeurs : {', '.join(d.agreement.coders)}. Règle : {d.agreement.rule}."])


def _topics(wb: Workbook, d: ReportData) -> None:
    t = d.topics
    rows = [] if not len(t) else [
        [d.label(r.journey) if r.journey else None, d.label(r.stage) if r.stage else None,
         r.topic, r.label, r.words, r.count, r.share, [d.label(x) for x in r.themes],
         r.examples] for r in t.itertuples()]
    ws = _sheet(wb, "Thèmes émergents", TOPIC_COLUMNS, rows)
    for (cell,) in ws.iter_rows(min_row=2, min_col=7, max_col=7):
        cell.number_format = "0%"
