"""The coding workbench's helpers: the queue of segments, a segment's context, sentences
for span coding, a codebook edited into a new version. Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from ..model import Code, Codebook, Coding
from ..segment import sentence_spans

QUEUES = {"document": "Par document", "etape": "Par étape",
          "a_coder": "Pas encore codés par moi", "score": "Par score de suggestion"}


def coding_queue(coded: pd.DataFrame, suggestions: pd.DataFrame, reviewed: set[str], mode: str,
                 value: str | None = None, include_interviewer: bool = False) -> list[str]:
    """Segment ids to code, in order, for one of the QUEUES."""
    rows = coded if include_interviewer else coded[coded["role"] != "interviewer"]
    if mode == "document":
        rows = rows[rows["document"] == value] if value else rows
    elif mode == "etape":
        rows = rows[rows["stage"] == value] if value else rows
    elif mode == "a_coder":
        rows = rows[~rows["segment_id"].isin(reviewed)]
    elif mode == "score":
        best = suggestions.groupby("segment_id")["score"].max().sort_values(ascending=False)
        keep = set(rows["segment_id"])
        return [s for s in best.index if s in keep]
    else:
        raise ValueError(mode)
    return rows["segment_id"].tolist()


def context(segments: pd.DataFrame, segment_id: str) -> tuple[pd.Series, list, list]:
    """A segment, and the (speaker, text) of the turns just before and after its own."""
    seg = segments.loc[segments["segment_id"] == segment_id].iloc[0]
    doc = segments[segments["document_id"] == seg["document_id"]]

    def turn(index: int) -> list[tuple[str, str]]:
        part = doc[doc["turn_index"] == index]
        return [(part["speaker"].iloc[0], "".join(part["text"]))] if len(part) else []

    return seg, turn(seg["turn_index"] - 1), turn(seg["turn_index"] + 1)


def sentences(text: str, start: int) -> list[tuple[int, int, str]]:
    """(start, end, text) of each sentence of a segment, in document offsets, blanks trimmed."""
    out = []
    for a, b in sentence_spans(text):
        piece = text[a:b].rstrip()
        if piece.strip():
            out.append((start + a, start + a + len(piece), piece))
    return out


def span_codings(segment_id: str, chosen: Sequence[int], all_sentences: Sequence[tuple],
                 code_ids: Sequence[str], coder: str) -> list[Coding]:
    """Codings of the chosen sentences (consecutive ones merged); none chosen or all: whole."""
    picked = sorted(set(chosen))
    if not picked or len(picked) == len(all_sentences):
        return [Coding(segment_id, c, coder) for c in code_ids]
    runs: list[list[int]] = []
    for i in picked:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return [Coding(segment_id, c, coder, start=all_sentences[r[0]][0],
                   end=all_sentences[r[-1]][1]) for r in runs for c in code_ids]


def with_code(codebook: Codebook, code: Code, replacing: str | None = None) -> Codebook:
    """A new codebook version with `code` replacing the code `replacing`, or added at the end."""
    if replacing:
        codes = tuple(code if c.id == replacing else c for c in codebook.codes)
    else:
        codes = (*codebook.codes, code)
    return replace(codebook, codes=codes, version=next_version(codebook.version))


def next_version(version: str) -> str:
    """"1.2" -> "1.3", "v4" -> "v5", "" -> "1"; else a ".1" suffix."""
    match = re.search(r"(\d+)$", version or "")
    if not match:
        return f"{version}.1" if version else "1"
    return version[:match.start()] + str(int(match.group(1)) + 1)
