"""The Word report's writing state: the document, its captions and the traceability table.

Every count the report prints gets a reference `[Rn]` naming the segments behind it; every
quote names its document and segment. The annex lists each reference with its segment ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from docx.document import Document as DocxDocument
from docx.text.paragraph import Paragraph

from .data import ReportData, reference
from .docx_parts import Captions, add_table
from .wording import quoted, xml_safe

SPEAKING_ROLES = ("usager", "participant", "unknown")


@dataclass
class Trace:
    """References `Rn` -> (what was counted, segment ids)."""

    rows: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    _seen: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)

    def ref(self, what: str, ids: Iterable[str]) -> str:
        """"[R3]" for these segments (the same set and label reuse one reference)."""
        ids = tuple(dict.fromkeys(i for i in ids if i))
        if not ids:
            return ""
        key = (what, ids)
        if key not in self._seen:
            label = f"R{len(self.rows) + 1}"
            self._seen[key] = label
            self.rows.append((label, what, ids))
        return f"[{self._seen[key]}]"


@dataclass
class Writer:
    doc: DocxDocument
    data: ReportData
    trace: Trace = field(default_factory=Trace)
    captions: Captions = field(default_factory=Captions)

    def heading(self, text: str, level: int) -> Paragraph:
        return self.doc.add_heading(text, level=level)

    def para(self, text: str = "", style: str | None = None, bold: str = "") -> Paragraph:
        """A paragraph; `bold` is an optional bold lead-in before `text`."""
        paragraph = self.doc.add_paragraph(style=style)
        if bold:
            paragraph.add_run(bold).bold = True
        if text:
            paragraph.add_run(xml_safe(text))
        return paragraph

    def bullet(self, text: str, bold: str = "") -> Paragraph:
        return self.para(text, style="List Bullet", bold=bold)

    def table(self, caption: str, headers: Sequence[str], rows: Sequence[Sequence[object]],
              widths: Sequence[float] | None = None, font_size: float = 8.5) -> None:
        """A captioned table (« Tableau n – … » above it)."""
        self.captions.add(self.doc, "Tableau", caption)
        add_table(self.doc, headers, rows, widths, font_size)
        self.para()

    def ref(self, what: str, ids: Iterable[str]) -> str:
        return self.trace.ref(what, ids)

    def quotes(self, ids: Sequence[str], n: int, used: set[str]) -> int:
        """Up to `n` verbatims from these segments, speakers before interviewers, unused first."""
        rows = [self.data.segment(i) for i in dict.fromkeys(ids) if i in self.data.segment_index]
        rows = [r for r in rows if r["role"] in SPEAKING_ROLES and len(r["text"].strip()) > 12]
        rows.sort(key=lambda r: r["segment_id"] in used)
        for row in rows[:n]:
            used.add(row["segment_id"])
            self.para(f"{quoted(row['text'])} ({reference(self.data, row['segment_id'])})",
                      style="Quote")
        return min(len(rows), n)
