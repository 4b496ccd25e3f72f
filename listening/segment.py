"""Document -> Segments. The unit is the speaker turn; long turns split at sentence boundaries.

Segments tile their turn exactly: the first starts at the turn's start, each next one starts
where the previous ended, the last ends at the turn's end. Whitespace between sentences stays
with the sentence before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .model import Document, Segment, Turn

DEFAULT_MAX_CHARS = 400

# Abbreviations after which a period does not end a sentence (lower-cased, no period).
_ABBREVIATIONS = frozenset(
    "m mme mlle mm dr pr me st ste etc cf ex p n° no art env vol tél tel av bd fig"
    " janv févr avr juil sept oct nov déc".split()
)
# A sentence ends after ., !, ?, … (possibly repeated, possibly followed by closing quotes or
# brackets), when whitespace follows.
_BOUNDARY = re.compile(r"[.!?…]+(?: ?[»”\"')\]])*(?=\s+)")
_LAST_WORD = re.compile(r"(\S+)$")
_SPACE = re.compile(r"\s+")
_WORD_WINDOW = 64  # characters looked at before a period: abbreviations are far shorter


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans that tile `text` (whitespace goes with the preceding sentence)."""
    cuts: list[int] = []
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        # a bounded window: slicing the whole prefix made long turns quadratic
        word = _LAST_WORD.search(text, max(0, match.start() - _WORD_WINDOW), match.start())
        if match.group(0).startswith(".") and word:
            token = word.group(1).lower().lstrip("(«\"")
            if token in _ABBREVIATIONS or re.fullmatch(r"[a-zà-ÿ]", token) or token.isdigit():
                continue  # "M. Durand", "p. 3", "J. Martin", "1. premier point"
        nxt = _SPACE.match(text, end)
        cut = nxt.end() if nxt else end
        if cut < len(text):
            cuts.append(cut)
    bounds = [0, *cuts, len(text)]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


def _split_long(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Split one over-long sentence at the last comma, semicolon or space before the limit."""
    while end - start > max_chars:
        window = text[start : start + max_chars]
        cut = max(window.rfind(", "), window.rfind("; "), window.rfind(" : "))
        if cut < max_chars // 3:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = max_chars - 1
        # keep the separator and following space with the first piece
        cut += 1
        while cut < len(window) and window[cut] == " ":
            cut += 1
        yield start, start + cut
        start += cut
    yield start, end


def turn_spans(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> list[tuple[int, int]]:
    """Pack consecutive sentences into spans of at most `max_chars` (relative offsets)."""
    pieces: list[tuple[int, int]] = []
    for a, b in sentence_spans(text):
        pieces.extend(_split_long(text, a, b, max_chars))
    spans: list[tuple[int, int]] = []
    for a, b in pieces:
        if spans and b - spans[-1][0] <= max_chars:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return spans


def segment_turn(document_id: str, turn: Turn, max_chars: int = DEFAULT_MAX_CHARS) -> list[Segment]:
    return [
        Segment(document_id, turn.index, turn.start + a, turn.start + b, turn.text[a:b],
                turn.speaker, turn.role, dict(turn.attrs))
        for a, b in turn_spans(turn.text, max_chars)
    ]


def segment_document(document: Document, max_chars: int = DEFAULT_MAX_CHARS) -> list[Segment]:
    """All segments of a document, in reading order."""
    doc_id = document.id
    return [s for turn in document.turns for s in segment_turn(doc_id, turn, max_chars)]
