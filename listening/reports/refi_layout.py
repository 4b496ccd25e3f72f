"""Laying out an imported REFI-QDA text: normalised text, turns and segments. Pure.

- The text is normalised like every stored text (`model.normalise_text`), and each original
  offset is mapped to its new place, so the selections of the source tool still point at the
  same characters.
- Turns are the paragraphs (blocks separated by a blank line); a leading `Nom : ` is the
  speaker, as `model.build_document` lays out turns.
- Segments: each group of overlapping coded selections is one segment (so every coding stays
  a whole-segment coding, or a span inside one segment, with its exact offsets); the uncoded
  remainder of each turn is cut like ingested text (`segment.turn_spans`), leaving out bits
  with no letter or digit. Segments never overlap, in reading order.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence

from ..model import Segment, Turn
from ..segment import turn_spans

_SPACES = {"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\t": " "}
_DROPPED = {"\ufeff"}
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
_SPEAKER = re.compile(r"([^\n:.!?«»]{1,40}?) ?: ")


def _nfc(text: str) -> list[tuple[int, str]]:
    """NFC per base character and its combining marks, each kept char with its origin."""
    kept: list[tuple[int, str]] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        run = unicodedata.normalize("NFC", text[i:j])
        kept.extend((min(i + k, j - 1), ch) for k, ch in enumerate(run))
        i = j
    return kept


def _newlines_and_spaces(kept: list[tuple[int, str]]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for n, (i, ch) in enumerate(kept):
        if ch in _DROPPED:
            continue
        if ch == "\r":
            if n + 1 < len(kept) and kept[n + 1][1] == "\n":
                continue
            ch = "\n"
        out.append((i, _SPACES.get(ch, ch)))
    return out


def _strip_lines(kept: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Drop blanks at the end of each line, then leading/trailing whitespace overall."""
    out: list[tuple[int, str]] = []
    pending: list[tuple[int, str]] = []
    for item in kept:
        if item[1] == "\n":
            pending.clear()
            out.append(item)
        elif item[1].isspace():
            pending.append(item)
        else:
            out.extend(pending)
            pending.clear()
            out.append(item)
    start, end = 0, len(out)
    while start < end and out[start][1].isspace():
        start += 1
    while end > start and out[end - 1][1].isspace():
        end -= 1
    return out[start:end]


def normalise_mapped(text: str) -> tuple[str, list[int]]:
    """`model.normalise_text(text)`, and for each offset 0..len(text) its offset in the result."""
    kept = _strip_lines(_newlines_and_spaces(_nfc(text)))
    origins = [i for i, _ in kept]
    positions = [bisect.bisect_left(origins, o) for o in range(len(text) + 1)]
    return "".join(ch for _, ch in kept), positions


def turns_of(text: str) -> list[Turn]:
    """One turn per paragraph; `Nom : texte` gives the speaker."""
    turns: list[Turn] = []
    bounds = [0, *(x for m in _BLANK_LINE.finditer(text) for x in (m.start(), m.end())),
              len(text)]
    for a, b in zip(bounds[::2], bounds[1::2]):
        block = text[a:b]
        if not block.strip():
            continue
        a += len(block) - len(block.lstrip())
        b -= len(block) - len(block.rstrip())
        speaker = ""
        match = _SPEAKER.match(text, a, b)
        if match and match.end() < b:
            speaker, a = match.group(1).strip(), match.end()
        turns.append(Turn(len(turns), speaker, "unknown", a, b, text[a:b]))
    return turns


def components(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans merged (spans that only touch stay apart)."""
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _turn_at(turns: Sequence[Turn], offset: int) -> Turn | None:
    starts = [t.start for t in turns]
    i = bisect.bisect_right(starts, offset) - 1
    return turns[max(i, 0)] if turns else None


def _remainder(text: str, turn: Turn, taken: Sequence[tuple[int, int]],
               max_chars: int) -> list[tuple[int, int]]:
    """The parts of a turn no selection covers, cut like ingested turns."""
    pieces, cursor = [], turn.start
    for a, b in taken:
        if b <= turn.start or a >= turn.end:
            continue
        pieces.append((cursor, max(a, cursor)))
        cursor = max(cursor, b)
    pieces.append((cursor, turn.end))
    out = []
    for a, b in pieces:
        chunk = text[a:b]
        if not any(ch.isalnum() for ch in chunk):  # blanks or lone punctuation
            continue
        a += len(chunk) - len(chunk.lstrip())
        b -= len(chunk) - len(chunk.rstrip())
        out += [(a + x, a + y) for x, y in turn_spans(text[a:b], max_chars)]
    return out


def segments_of(document_id: str, text: str, turns: Sequence[Turn],
                spans: Sequence[tuple[int, int]], max_chars: int) -> list[Segment]:
    """Coded selections (merged when they overlap) plus the uncoded rest of each turn."""
    taken = components(spans)
    bounds = list(taken)
    for turn in turns:
        bounds += _remainder(text, turn, taken, max_chars)
    out = []
    for a, b in sorted(bounds):
        turn = _turn_at(turns, a)
        out.append(Segment(document_id, turn.index if turn else 0, a, b, text[a:b],
                           turn.speaker if turn else "", "unknown"))
    return out
