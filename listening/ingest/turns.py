"""Speaker turns from lines of text: the speaker parser. Pure.

Lines whose opening label is accepted (see labels.py) start a turn; other lines continue it.
A text without any accepted label is notes: each paragraph (or bullet) becomes a turn without
speaker. Headings (Markdown `#`, Word heading styles) and "Irritants :" lines give the turns
under them a section, and a stage and category when they name one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ..model import RawTurn, normalise_text
from .labels import TIME, Line, heuristic_finder, id_prefix_finder, shape_of, user_finder
from .vocabulary import category_of, names_stage

__all__ = ["TIME", "Line", "parse_lines", "parse_turns"]

_TIME_ONLY = re.compile(
    rf"^\s*[\[(]?(?P<t>{TIME})(?:\s*(?:-->|–|-)\s*{TIME})?[\])]?(?:\s+(?P<rest>\S.*))?\s*$"
)
_HEADING = re.compile(r"^\s*#{1,6}\s+(?P<text>.+?)\s*#*\s*$")
_RULE = re.compile(r"^\s*([-*_=~])(?:\s*\1){2,}\s*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–—▪◦]|\d{1,2}[.)])\s+\S")
_BULLET_MARK = re.compile(r"^\s*[-*•–—▪◦]\s+")
_SENTENCE_END = re.compile(r"[.!?…:;»\"”)]\s*$")


@dataclass
class _Open:
    speaker: str
    timestamp: str | None
    attrs: dict[str, str]
    lines: list[str] = field(default_factory=list)
    broken: bool = False  # a blank line was seen since the last text line


def parse_turns(
    text: str, *, source: str = "", speaker_pattern: str | None = None
) -> list[RawTurn]:
    """Speaker turns of a transcript or notes text; never fails on text without labels."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    marked = [False] * len(raw) if speaker_pattern else _untab(raw)
    lines = [Line(normalise_text(line), marked=m, number=i)
             for i, (line, m) in enumerate(zip(raw, marked), 1)]
    return parse_lines(lines, source=source, speaker_pattern=speaker_pattern)


_TABBED = re.compile(rf"^(?P<label>[^\t:]{{1,50}}?)\t+(?:(?P<time>[\[(]?{TIME}[\])]?)\t+)?"
                     r"(?P<rest>\S.*)$")
_NAMES = ("role", "generic", "titled", "multi", "single")


def _untab(lines: list[str]) -> list[bool]:
    """Columns copied from a table or exported by transcription software -- `Speaker 1<tab>
    00:00:05<tab>Bonjour` -- rewritten in place as marked labels (tabs would become spaces).
    Returns, per line, whether it now opens with a marked label."""
    filled = sum(1 for line in lines if line.strip())
    tabbed = [_TABBED.match(line.strip(" ")) for line in lines]
    if filled < 2 or sum(m is not None for m in tabbed) * 2 < filled:
        return [False] * len(lines)
    marked = []
    for i, match in enumerate(tabbed):
        label = match.group("label").strip() if match else ""
        if match and shape_of(label) in _NAMES:
            time = match.group("time")
            stamp = f" ({time.strip('[]()')})" if time else ""
            lines[i] = f"{label}{stamp} : {match.group('rest')}"
        marked.append(bool(match and shape_of(label) in _NAMES))
    return marked


def parse_lines(
    blocks: Sequence[Line | RawTurn],
    *,
    source: str = "",
    speaker_pattern: str | None = None,
    join: str = "\n",
) -> list[RawTurn]:
    """Turns from lines in reading order; ready-made turns (table cells) pass through."""
    lines = [b for b in blocks if isinstance(b, Line)]
    if speaker_pattern:
        finder = user_finder(speaker_pattern, lines, source)
    elif (id_finder := id_prefix_finder(lines)) is not None:
        finder = id_finder
    else:
        finder = heuristic_finder(lines)
    return _Walker(finder, join, _has_paragraphs(lines)).walk(blocks)


# --- walking lines into turns ---------------------------------------------------------


def _has_paragraphs(lines: Sequence[Line]) -> bool:
    seen_text = False
    for line in lines:
        if line.text.strip():
            seen_text = True
        elif seen_text:
            return True
    return False


@dataclass(frozen=True)
class _Heading:
    index: int  # position in the blocks
    level: int  # 1 for "#", deeper for sub-headings; an "Irritants :" line is a leaf (99)
    text: str
    category: str | None


_LEAF = 99


def _heading_of(index: int, line: Line, find) -> _Heading | None:
    if line.heading:
        text = line.text.strip().strip("*_ ").strip()
        return _Heading(index, line.level or 1, text, category_of(text))
    match = _HEADING.match(line.text)
    if match:
        text = match.group("text").strip().strip("*_ ").strip()
        level = len(line.text.strip()) - len(line.text.strip().lstrip("#"))
        return _Heading(index, level, text, category_of(text))
    cand = find(line) if line.text.strip() else None
    if cand is not None and cand.kind == "category" and cand.alone:
        return _Heading(index, _LEAF, line.text.strip(), category_of(cand.label))
    return None


def _stage_headings(headings: Sequence[_Heading]) -> set[int]:
    """Headings naming a stage: "Étape 2 : ...", or a heading whose sub-headings are
    categories (Irritants / Points d'appui / Idées) next to siblings of the same shape."""
    parent: dict[int, _Heading | None] = {}
    stack: list[_Heading] = []
    for heading in headings:
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        parent[heading.index] = stack[-1] if stack else None
        stack.append(heading)
    grids = {
        p.index: p for h in headings
        if h.category and (p := parent[h.index]) is not None and not p.category
    }
    siblings = Counter(
        (parent[h.index].index if parent[h.index] else None, h.level) for h in grids.values()
    )
    stages = {
        i for i, h in grids.items()
        if siblings[(parent[i].index if parent[i] else None, h.level)] >= 2
    }
    return stages | {h.index for h in headings if h.level < _LEAF and names_stage(h.text)}


class _Walker:
    def __init__(self, finder, join: str, paragraphs: bool):
        self.find = finder
        self.join = join
        self.paragraphs = paragraphs
        self.turns: list[RawTurn] = []
        self.open: _Open | None = None
        self.outline: list[_Heading] = []  # the headings the current line sits under
        self.headings: dict[int, _Heading] = {}
        self.stages: set[int] = set()
        self.pending_time: str | None = None

    def walk(self, blocks: Sequence[Line | RawTurn]) -> list[RawTurn]:
        found = [
            h for i, b in enumerate(blocks)
            if isinstance(b, Line) and (h := _heading_of(i, b, self.find)) is not None
        ]
        self.headings = {h.index: h for h in found}
        self.stages = _stage_headings(found)
        for index, block in enumerate(blocks):
            if isinstance(block, RawTurn):  # a table cell: under the current headings too
                self.close()
                self.turns.append(replace(block, attrs={**self.attrs(), **block.attrs}))
            elif index in self.headings:
                self.heading(self.headings[index], block)
            else:
                self.line(block)
        self.close()
        return [t for t in self.turns if normalise_text(t.text)]

    def attrs(self) -> dict[str, str]:
        """section / etape / categorie of the headings above the current line."""
        attrs: dict[str, str] = {}
        for heading in self.outline:
            if heading.level < _LEAF:
                attrs["section"] = heading.text
            if heading.index in self.stages:
                attrs["etape"] = heading.text
            if heading.category:
                attrs["categorie"] = heading.category
        return attrs

    def close(self) -> None:
        if self.open is not None:
            text = self.join.join(self.open.lines).strip()
            if text:
                self.turns.append(RawTurn(text, self.open.speaker, self.open.timestamp,
                                          None, self.open.attrs))
        self.open = None

    def start(self, speaker: str, timestamp: str | None, attrs: dict[str, str],
              text: str = "") -> None:
        self.close()
        self.open = _Open(speaker, timestamp or self.pending_time, attrs)
        self.pending_time = None
        if text.strip():
            self.open.lines.append(text.strip())

    def heading(self, heading: _Heading, line: Line) -> None:
        while self.outline and self.outline[-1].level >= heading.level:
            self.outline.pop()
        self.outline.append(heading)
        text = heading.text if heading.level < _LEAF else line.text.strip()
        self.start("", None, self.attrs(), text)
        self.close()

    def line(self, line: Line) -> None:
        text = line.text.strip()
        if not text or _RULE.match(text):
            if self.open is not None:
                self.open.broken = True
            return
        cand = self.find(line)
        if cand is not None and cand.kind == "category":  # "Idée : un simulateur", one note
            attrs = {**self.attrs(), "categorie": category_of(cand.label) or cand.label}
            self.start("", cand.timestamp, attrs, text)
        elif cand is not None:
            attrs = self.attrs()
            if cand.ref:
                attrs["ref"] = cand.ref
            self.start(cand.label, cand.timestamp, attrs, cand.rest)
        else:
            self.plain(text)

    def plain(self, text: str) -> None:
        timed = _TIME_ONLY.match(text)
        current = self.open
        if timed and not timed.group("rest"):  # a time marker: it dates the next turn
            self.pending_time = timed.group("t")
            if current is not None:
                current.broken = True
            return
        if timed and (current is None or not current.speaker):
            self.start("", timed.group("t"), self.attrs(), timed.group("rest"))
            return
        if current is not None and current.speaker:
            current.lines.append(text)
            current.broken = False
            return
        if current is None or self._new_paragraph(current, text):
            if current is not None and current.broken and not _LIST_ITEM.match(text):
                while self.outline and self.outline[-1].level == _LEAF:
                    self.outline.pop()  # a new paragraph ends an "Irritants :" list
            self.start("", None, self.attrs(), _BULLET_MARK.sub("", text))
            return
        current.lines.append(text)
        current.broken = False

    def _new_paragraph(self, current: _Open, text: str) -> bool:
        if current.broken or _LIST_ITEM.match(text) or not current.lines:
            return True
        if self.paragraphs:
            return False
        previous = current.lines[-1]
        return bool(_SENTENCE_END.search(previous)) or not text[:1].islower()
