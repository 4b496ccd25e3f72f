"""Word building blocks: the base document (or a template), fields, captions, tables.

Real Word structure, so the report behaves like one written by hand: built-in heading styles
(the navigation pane), a TOC field Word fills when the file opens, PAGE/NUMPAGES fields in the
footer, SEQ-numbered captions, tables whose header row repeats on every page.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from ..errors import InputError
from .wording import xml_safe

REQUIRED_STYLES = ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Caption",
                   "Quote", "List Bullet", "TOC Heading")
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DOTX = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"


# --- the base document -----------------------------------------------------------------


def _template_bytes(template: Path) -> BytesIO:
    """The template as a .docx package (a .dotx only differs by its main content type)."""
    if not template.is_file():
        raise InputError("modèle Word introuvable : vérifiez le chemin de --template",
                         str(template))
    data = template.read_bytes()
    if template.suffix.lower() not in (".docx", ".dotx"):
        raise InputError("un modèle Word est un fichier .docx ou .dotx", str(template))
    if template.suffix.lower() == ".docx":
        return BytesIO(data)
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                content = content.replace(_DOTX.encode(), _DOCX.encode())
            dst.writestr(item, content)
    out.seek(0)
    return out


def base_document(template: Path | None = None) -> DocxDocument:
    """A blank A4 French document, or the template with its body emptied (styles kept)."""
    if template is None:
        doc = Document()
        section = doc.sections[0]
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(2.3))
        _set_language(doc, "fr-FR")
    else:
        package = _template_bytes(Path(template))
        try:
            doc = Document(package)
        except (ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise InputError(f"modèle Word illisible ({exc}) : enregistrez-le en .docx",
                             str(template)) from exc
        body = doc.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
    _ensure_styles(doc)
    _update_fields_on_open(doc)
    return doc


def _set_language(doc: DocxDocument, lang: str) -> None:
    for rpr in doc.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr"):
        element = rpr.find(qn("w:lang"))
        if element is None:
            element = OxmlElement("w:lang")
            rpr.append(element)
        element.set(qn("w:val"), lang)


def _ensure_styles(doc: DocxDocument) -> None:
    """Add the built-in styles a template lacks (named as Word's, so they stay built-in)."""
    names = {s.name for s in doc.styles}
    for name in REQUIRED_STYLES:
        if name in names:
            continue
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        if name.startswith("Heading"):
            level = int(name[-1])
            style.font.bold = True
            style.font.size = Pt({1: 16, 2: 13, 3: 11}[level])
            ppr = style.element.get_or_add_pPr()
            outline = OxmlElement("w:outlineLvl")
            outline.set(qn("w:val"), str(level - 1))
            ppr.append(outline)


def _update_fields_on_open(doc: DocxDocument) -> None:
    """Ask Word to refresh the TOC and page fields when it opens the file."""
    element = OxmlElement("w:updateFields")
    element.set(qn("w:val"), "true")
    doc.settings.element.append(element)


# --- fields ------------------------------------------------------------------------------


def _fld_char(kind: str) -> OxmlElement:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


def add_field(paragraph: Paragraph, instruction: str, shown: str = "") -> None:
    """A complex field (TOC, PAGE, SEQ…) with `shown` as its cached result."""
    paragraph.add_run()._r.append(_fld_char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    paragraph.add_run()._r.append(_fld_char("separate"))
    paragraph.add_run(shown)
    paragraph.add_run()._r.append(_fld_char("end"))


def add_toc(doc: DocxDocument, levels: str = "1-3") -> Paragraph:
    paragraph = doc.add_paragraph()
    add_field(paragraph, f'TOC \\o "{levels}" \\h \\z \\u',
              "Sommaire : faites « Mettre à jour les champs » (F9) pour l'afficher.")
    return paragraph


def page_footer(doc: DocxDocument, text: str) -> None:
    """`text — page N sur M` centred in the footer of every section."""
    for section in doc.sections:
        footer = section.footer
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.text = ""
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(f"{text} — page ")
        add_field(paragraph, "PAGE", "1")
        paragraph.add_run(" sur ")
        add_field(paragraph, "NUMPAGES", "1")


class Captions:
    """Numbered captions: « Figure n – … », « Tableau n – … » (SEQ fields)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def add(self, doc: DocxDocument, kind: str, text: str) -> Paragraph:
        number = self.counts[kind] = self.counts.get(kind, 0) + 1
        paragraph = doc.add_paragraph(style="Caption")
        paragraph.add_run(f"{kind} ")
        add_field(paragraph, f"SEQ {kind} \\* ARABIC", str(number))
        paragraph.add_run(f" – {text}")
        return paragraph


# --- tables ------------------------------------------------------------------------------


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    trpr.append(element)


def add_table(doc: DocxDocument, headers: Sequence[str], rows: Sequence[Sequence[object]],
              widths: Sequence[float] | None = None, font_size: float = 8.5) -> Table:
    """A table with a bold header row repeated on each page; cells as text.

    Cells are reached through each row's XML: python-docx's `row.cells` rescans the whole
    table, which makes long annex tables quadratic.
    """
    table = doc.add_table(rows=len(rows) + 1, cols=len(headers))
    if "Table Grid" in {s.name for s in doc.styles}:
        table.style = doc.styles["Table Grid"]
    if widths:  # the grid is what LibreOffice follows; cells' widths are what Word follows
        table.autofit = False
        for column, width in zip(table.columns, widths):
            column.width = Cm(width)
    _repeat_header(table.rows[0])
    for i, (tr, values) in enumerate(zip(table._tbl.tr_lst, [headers, *rows])):
        for j, (tc, value) in enumerate(zip(tr.tc_lst, values)):
            cell = _Cell(tc, table)
            run = cell.paragraphs[0].add_run("" if value is None else xml_safe(str(value)))
            run.font.size = Pt(font_size)
            run.bold = True if i == 0 else None
            if widths and j < len(widths):
                cell.width = Cm(widths[j])
    return table
