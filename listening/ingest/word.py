"""Word (.docx) and OpenDocument (.odt) files: paragraphs and tables in body order.

The body XML is walked directly so a table stays between the paragraphs around it. A bold run
opening a paragraph and ending at a colon is a speaker label (`**Marie :** ...`).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..errors import InputError
from ..model import RawTurn
from .grids import Cell, grid_turns, metadata_of
from .text import EMPTY
from .turns import Line

OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
PROTECTED = "fichier protégé par un mot de passe : enregistrez-le sans mot de passe puis réessayez"
WORD_DAMAGED = (
    "fichier Word endommagé ou tronqué : ouvrez-le dans Word ou LibreOffice, enregistrez-le "
    "à nouveau en .docx, puis réessayez"
)
OLD_WORD = (
    "ancien format Word (.doc) sous une extension .docx : ouvrez-le dans Word ou LibreOffice, "
    "enregistrez-le en .docx, puis réessayez"
)
ODT_DAMAGED = (
    "fichier OpenDocument endommagé ou tronqué : ouvrez-le dans LibreOffice, enregistrez-le "
    "à nouveau en .odt, puis réessayez"
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TRUE = (None, "1", "true", "on")


@dataclass
class Body:
    """What a word-processor file holds, in reading order, for the speaker parser."""

    blocks: list[Line | RawTurn] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)  # from a metadata table at the top
    paragraphs: int = 0  # non-empty paragraphs seen so far
    tables: int = 0

    def paragraph(self, text: str, *, bold_label: bool = False, level: int = 0) -> None:
        heading = level > 0 and bool(text.strip())
        if heading:
            text = " ".join(text.split())
        for part in text.split("\n"):
            self.blocks.append(Line(part, marked=bold_label, heading=heading, level=level))
            bold_label = False
        self.blocks.append(Line(""))
        if text.strip() and not heading:
            self.paragraphs += 1

    def table(self, grid: list[list[Cell]], header_row: bool | None = None) -> None:
        at_top = self.tables == 0 and self.paragraphs <= 2
        self.tables += 1
        if at_top and (meta := metadata_of(grid)) is not None:
            self.extra.update(meta)
            return
        self.blocks.extend(grid_turns(grid, header_row))


def check_office_file(data: bytes, source: str, damaged: str) -> None:
    """Empty, password-protected (an OLE2 container) or not a zip: the matching InputError."""
    if not data.strip(b"\x00 \t\r\n"):
        raise InputError(EMPTY, source=source)
    if data.startswith(OLE2_MAGIC):
        encrypted = "EncryptedPackage".encode("utf-16-le") in data
        if not encrypted and "WordDocument".encode("utf-16-le") in data:
            raise InputError(OLD_WORD, source=source)
        raise InputError(PROTECTED, source=source)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputError(damaged, source=source)


# --- docx -----------------------------------------------------------------------------


def read_docx(path: Path, source: str) -> Body:
    import docx

    data = path.read_bytes()
    check_office_file(data, source, WORD_DAMAGED)
    try:
        document = docx.Document(io.BytesIO(data))
        body_element = document.element.body
    except Exception:  # zipfile, zlib, lxml and python-docx all raise on a damaged package
        raise InputError(WORD_DAMAGED, source=source) from None
    styles = _DocxStyles(document)
    body = Body()
    for kind, element in _docx_blocks(body_element):
        if kind == "p":
            text, bold_label = _docx_paragraph(element, styles)
            body.paragraph(text, bold_label=bold_label, level=styles.heading_level(element))
        else:
            first = element.find(f"{W}tr/{W}trPr/{W}tblHeader")
            body.table(_docx_grid(element, styles), True if first is not None else None)
    return body


def _docx_blocks(parent) -> Iterator[tuple[str, object]]:
    for child in parent.iterchildren():
        if child.tag == W + "p":
            yield "p", child
        elif child.tag == W + "tbl":
            yield "tbl", child
        elif child.tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from _docx_blocks(content)
        elif child.tag == W + "customXml":
            yield from _docx_blocks(child)


class _DocxStyles:
    """Which paragraph and character styles are bold or headings (following base styles)."""

    def __init__(self, document):
        self.bold: dict[str, bool] = {}
        self.heading: dict[str, int] = {}
        for style in document.styles:
            sid = style.style_id
            chain, bold = style, None
            while chain is not None and bold is None:
                font = getattr(chain, "font", None)
                bold = font.bold if font is not None else None
                chain = getattr(chain, "base_style", None)
            self.bold[sid] = bool(bold)
            level = _heading_level(style.name or "") or _heading_level(sid)
            if level:
                self.heading[sid] = level

    def paragraph_style(self, p) -> str | None:
        node = p.find(f"{W}pPr/{W}pStyle")
        return node.get(W + "val") if node is not None else None

    def heading_level(self, p) -> int:
        """1 for a title or "Heading 1", 2 for "Heading 2" ...; 0 for body text."""
        outline = p.find(f"{W}pPr/{W}outlineLvl")
        if outline is not None and (outline.get(W + "val") or "").isdigit():
            value = int(outline.get(W + "val"))
            return value + 1 if value < 9 else 0
        return self.heading.get(self.paragraph_style(p) or "", 0)


def _heading_level(name: str) -> int:
    match = re.match(r"^(?:heading|titre|title)\s*(\d)?$", name.strip().casefold())
    if match:
        return int(match.group(1)) if match.group(1) else 1
    return 1 if name.strip().casefold() in ("subtitle", "sous-titre") else 0


def _run_bold(run, paragraph_bold: bool, styles: _DocxStyles) -> bool:
    props = run.find(W + "rPr")
    if props is not None:
        b = props.find(W + "b")
        if b is not None:
            return b.get(W + "val") in _TRUE
        rstyle = props.find(W + "rStyle")
        if rstyle is not None and styles.bold.get(rstyle.get(W + "val")):
            return True
    return paragraph_bold


def _docx_paragraph(p, styles: _DocxStyles) -> tuple[str, bool]:
    """The paragraph's text, and whether it opens with a bold label ending at a colon."""
    paragraph_bold = styles.bold.get(styles.paragraph_style(p) or "", False)
    runs: list[tuple[str, bool]] = []
    for run in p.iter(W + "r"):
        if _skipped(run, p):
            continue
        text = "".join(_run_text(run))
        if text:
            runs.append((text, _run_bold(run, paragraph_bold, styles)))
    return _labelled(runs)


def _skipped(node, stop) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in (MC_FALLBACK, W + "del", W + "moveFrom"):
            return True
        parent = parent.getparent()
    return False


def _run_text(run) -> Iterator[str]:
    for child in run.iterchildren():
        tag = child.tag
        if tag == W + "t":
            yield child.text or ""
        elif tag == W + "tab":
            yield "\t"
        elif tag in (W + "br", W + "cr"):
            yield "\n"
        elif tag == W + "noBreakHyphen":
            yield "-"


def _labelled(runs: list[tuple[str, bool]]) -> tuple[str, bool]:
    """The paragraph's text, and whether bold runs opening it are a speaker label: they end
    at a colon (inside or just after), or at a tab (`Marie<tab>Bonjour`, given a colon)."""
    text = "".join(t for t, _ in runs)
    size = 0
    for part, bold in runs:
        if not (bold or not part.strip()):
            break
        size += len(part)
    prefix, rest = text[:size], text[size:]
    if not prefix.strip():
        return text, False
    if prefix.rstrip().endswith(":") or rest.lstrip().startswith(":"):
        return text, True
    if prefix.rstrip(" ").endswith("\t") and rest.strip() and len(prefix.split()) <= 5:
        return f"{prefix.strip()} : {rest.strip()}", True
    return text, False


def _docx_grid(tbl, styles: _DocxStyles) -> list[list[Cell]]:
    grid = []
    for tr in tbl.iterchildren(W + "tr"):
        column, row = 0, []
        before = tr.find(f"{W}trPr/{W}gridBefore")
        if before is not None:
            column = int(before.get(W + "val", "0") or 0)
        for tc in _docx_cells(tr):
            props = tc.find(W + "tcPr")
            span_node = props.find(W + "gridSpan") if props is not None else None
            span = int(span_node.get(W + "val", "1")) if span_node is not None else 1
            merge = props.find(W + "vMerge") if props is not None else None
            continued = merge is not None and merge.get(W + "val") != "restart"
            paragraphs = () if continued else tuple(_docx_cell_paragraphs(tc, styles))
            row.append(Cell(column, max(span, 1), paragraphs))
            column += max(span, 1)
        grid.append(row)
    return grid


def _docx_cells(tr) -> Iterator[object]:
    for child in tr.iterchildren():
        if child.tag == W + "tc":
            yield child
        elif child.tag in (W + "sdt", W + "customXml"):
            content = child.find(W + "sdtContent")
            yield from _docx_cells(content if content is not None else child)


def _docx_cell_paragraphs(tc, styles: _DocxStyles) -> Iterator[str]:
    for kind, element in _docx_blocks(tc):
        if kind == "p":
            text, _ = _docx_paragraph(element, styles)
            yield from (part for part in text.split("\n"))
        else:  # a nested table: its cells' paragraphs, row by row
            for row in _docx_grid(element, styles):
                for cell in row:
                    yield from cell.paragraphs


# --- odt ------------------------------------------------------------------------------

OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
FO = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
_ODT_SKIP = {TEXT + "note", OFFICE + "annotation", TEXT + "tracked-changes",
             TEXT + "table-of-content", TEXT + "alphabetical-index", TEXT + "change-start",
             TEXT + "change-end", TEXT + "sequence-decls", OFFICE + "forms",
             OFFICE + "annotation-end", "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}frame"}


def read_odt(path: Path, source: str) -> Body:
    data = path.read_bytes()
    check_office_file(data, source, ODT_DAMAGED)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            manifest = archive.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in \
                names else b""
            if b"encryption-data" in manifest:
                raise InputError(PROTECTED, source=source)
            content = etree.fromstring(archive.read("content.xml"))
            styles = (etree.fromstring(archive.read("styles.xml")) if "styles.xml" in names
                      else None)
    except InputError:
        raise
    except Exception:  # zipfile, zlib and lxml all raise on a damaged package
        raise InputError(ODT_DAMAGED, source=source) from None
    bold = _odt_bold_styles(content, styles)
    text_body = content.find(f"{OFFICE}body/{OFFICE}text")
    if text_body is None:
        raise InputError("ce fichier OpenDocument n'est pas un texte (.odt) : enregistrez-le "
                         "comme document texte puis réessayez", source=source)
    body = Body()
    _odt_walk(text_body, body, bold)
    return body


def _odt_bold_styles(*roots) -> set[str]:
    parents: dict[str, str] = {}
    own: dict[str, bool] = {}
    for root in roots:
        if root is None:
            continue
        for style in root.iter(STYLE + "style"):
            name = style.get(STYLE + "name")
            if not name:
                continue
            if style.get(STYLE + "parent-style-name"):
                parents[name] = style.get(STYLE + "parent-style-name")
            props = style.find(STYLE + "text-properties")
            weight = props.get(FO + "font-weight") if props is not None else None
            if weight is not None:
                own[name] = weight == "bold" or (weight.isdigit() and int(weight) >= 600)
    bold = set()
    for name in set(parents) | set(own):
        chain, seen = name, set()
        while chain and chain not in own and chain not in seen:
            seen.add(chain)
            chain = parents.get(chain)
        if own.get(chain or ""):
            bold.add(name)
    return bold


def _odt_walk(parent, body: Body, bold: set[str]) -> None:
    for child in parent.iterchildren():
        tag = child.tag
        if tag in (TEXT + "p", TEXT + "h"):
            text, bold_label = _odt_paragraph(child, bold)
            level = int(child.get(TEXT + "outline-level", "1") or 1) if tag == TEXT + "h" else 0
            body.paragraph(text, bold_label=bold_label, level=level)
        elif tag == TABLE + "table":
            header = child.find(TABLE + "table-header-rows") is not None
            body.table(_odt_grid(child, bold), True if header else None)
        elif tag in (TEXT + "list", TEXT + "list-item", TEXT + "list-header", TEXT + "section"):
            _odt_walk(child, body, bold)


def _odt_paragraph(p, bold: set[str]) -> tuple[str, bool]:
    runs: list[tuple[str, bool]] = []
    _odt_runs(p, p.get(TEXT + "style-name") in bold, bold, runs)
    return _labelled(runs)


def _odt_runs(node, is_bold: bool, bold: set[str], out: list[tuple[str, bool]]) -> None:
    if node.text:
        out.append((node.text, is_bold))
    for child in node.iterchildren():
        tag = child.tag
        if tag == TEXT + "s":
            out.append((" " * int(child.get(TEXT + "c", "1") or 1), is_bold))
        elif tag == TEXT + "tab":
            out.append(("\t", is_bold))
        elif tag == TEXT + "line-break":
            out.append(("\n", is_bold))
        elif tag not in _ODT_SKIP and isinstance(tag, str):
            style = child.get(TEXT + "style-name")
            _odt_runs(child, (style in bold) if style else is_bold, bold, out)
        if child.tail:
            out.append((child.tail, is_bold))


def _odt_rows(table) -> Iterator[object]:
    for child in table.iterchildren():
        if child.tag == TABLE + "table-row":
            repeat = int(child.get(TABLE + "number-rows-repeated", "1") or 1)
            for _ in range(min(repeat, 1000)):
                yield child
        elif child.tag in (TABLE + "table-header-rows", TABLE + "table-rows",
                           TABLE + "table-row-group"):
            yield from _odt_rows(child)


def _odt_grid(table, bold: set[str]) -> list[list[Cell]]:
    grid = []
    for tr in _odt_rows(table):
        column, row = 0, []
        for tc in tr.iterchildren(TABLE + "table-cell", TABLE + "covered-table-cell"):
            span = int(tc.get(TABLE + "number-columns-spanned", "1") or 1)
            repeat = min(int(tc.get(TABLE + "number-columns-repeated", "1") or 1), 100)
            covered = tc.tag == TABLE + "covered-table-cell"
            paragraphs = () if covered else tuple(_odt_cell_paragraphs(tc, bold))
            for _ in range(repeat):
                if not covered:
                    row.append(Cell(column, span, paragraphs))
                column += 1 if covered else span
        grid.append(row)
    return grid


def _odt_cell_paragraphs(cell, bold: set[str]) -> Iterator[str]:
    for child in cell.iterchildren():
        if child.tag in (TEXT + "p", TEXT + "h"):
            yield from _odt_paragraph(child, bold)[0].split("\n")
        elif child.tag in (TEXT + "list", TEXT + "list-item", TEXT + "section"):
            yield from _odt_cell_paragraphs(child, bold)
        elif child.tag == TABLE + "table":
            for row in _odt_grid(child, bold):
                for nested in row:
                    yield from nested.paragraphs
