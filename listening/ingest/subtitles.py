"""WebVTT (.vtt) and SubRip (.srt) transcripts: Teams, Zoom, Whisper and caption exports.

Speakers come from `<v Name>` voice tags or `Name: text` prefixes; `- ` dialogue dashes mark
a change of (unnamed) speaker. Consecutive cues of one speaker become one turn stamped with
the first cue's start. Cues without any speaker are grouped into sentences-ending turns.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ..errors import InputError
from ..model import RawTurn
from .labels import label_finder

_STAMP = r"(?:\d{1,3}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TIMING = re.compile(rf"^\s*(?P<start>{_STAMP})\s*-->\s*(?P<end>{_STAMP})(?:\s+.*)?$")
_TIME_ATTEMPT = re.compile(r"^\s*\d{1,3}:\d{1,2}")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+(?P<name>[^>]*))?>|</v>")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_DASH = re.compile(r"^\s*[-–—]\s+")
_EXAMPLE = {"vtt": "00:01:02.500 --> 00:01:04.000", "srt": "00:01:02,500 --> 00:01:04,000"}
_GAP_SECONDS = 2.0
_MAX_UNLABELLED = 400


@dataclass
class _Cue:
    start: str
    seconds: float
    end: float
    lines: list[str]


@dataclass
class _Turn:
    speaker: str
    timestamp: str
    end: float
    parts: list[str] = field(default_factory=list)


def parse_subtitles(text: str, *, fmt: str, source: str = "") -> list[RawTurn]:
    """Turns of a .vtt (`fmt="vtt"`) or .srt (`fmt="srt"`) text."""
    cues = _cues(text, fmt, source)
    pieces = [(cue, piece) for cue in cues for piece in _pieces(cue)]
    split = label_finder([p[1] for _, p in pieces if p[0] is None and not p[2]])
    turns: list[_Turn] = []
    for cue, (speaker, utterance, dash) in pieces:
        if speaker is None and not dash and (found := split(utterance)) is not None:
            speaker, utterance = found
        _merge(turns, cue, speaker, utterance, dash)
    out = [RawTurn(" ".join(t.parts).strip(), t.speaker, t.timestamp) for t in turns]
    out = [t for t in out if t.text]
    if not out:
        raise InputError(
            f"aucun sous-titre trouvé : le fichier ne contient aucun bloc horodaté avec du texte "
            f"(attendu par exemple {_EXAMPLE[fmt]} suivi du texte)", source=source)
    return out


def _merge(turns: list[_Turn], cue: _Cue, speaker: str | None, utterance: str,
           dash: bool) -> None:
    current = turns[-1] if turns else None
    if speaker is None and not dash and current is not None:
        pause = cue.seconds - current.end
        full = " ".join(current.parts)
        ended = re.search(r"[.!?…»\"]\s*$", full) is not None
        if current.speaker or not (ended and (pause >= _GAP_SECONDS or
                                              len(full) >= _MAX_UNLABELLED)):
            current.parts.append(utterance)
            current.end = cue.end
            return
    elif (speaker is not None and current is not None
          and current.speaker.casefold() == speaker.casefold()):
        current.parts.append(utterance)
        current.end = cue.end
        return
    turns.append(_Turn(speaker or "", cue.start, cue.end, [utterance]))


def _pieces(cue: _Cue) -> list[tuple[str | None, str, bool]]:
    """(voice or None, text, dialogue dash) pieces of one cue's payload."""
    payload = "\n".join(cue.lines)
    pieces: list[tuple[str | None, str, bool]] = []
    voice: str | None = None
    pos = 0
    for match in _VOICE.finditer(payload):
        pieces.extend(_clean(payload[pos:match.start()], voice))
        voice = (match.group("name") or "").strip() or None if match.group(0) != "</v>" else None
        pos = match.end()
    pieces.extend(_clean(payload[pos:], voice))
    return pieces


def _clean(raw: str, voice: str | None) -> list[tuple[str | None, str, bool]]:
    lines = [html.unescape(_TAG.sub("", line)).strip() for line in raw.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return []
    if voice is None and any(_DASH.match(line) for line in lines):
        out: list[tuple[str | None, str, bool]] = []
        for line in lines:
            if _DASH.match(line) or not out:
                out.append((None, _DASH.sub("", line), bool(_DASH.match(line))))
            else:
                out[-1] = (None, out[-1][1] + " " + line, out[-1][2])
        return out
    return [(voice, " ".join(" ".join(lines).split()), False)]


def _cues(text: str, fmt: str, source: str) -> list[_Cue]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    cues: list[_Cue] = []
    block: list[tuple[int, str]] = []
    first_block = True
    for number, line in enumerate([*lines, ""], 1):
        if line.strip():
            block.append((number, line))
            continue
        if block:
            if not (first_block and fmt == "vtt" and block[0][1].startswith("WEBVTT")):
                _block(block, fmt, source, cues)
            first_block = False
            block = []
    return cues


def _block(block: list[tuple[int, str]], fmt: str, source: str, cues: list[_Cue]) -> None:
    head = block[0][1].strip()
    if fmt == "vtt" and re.match(r"^(NOTE|STYLE|REGION)(\s|$)", head):
        return
    timing_at = next((i for i, (_, line) in enumerate(block[:2]) if "-->" in line), None)
    if timing_at is None:
        for number, line in block[:2]:
            if _TIME_ATTEMPT.match(line):
                _invalid(line, number, fmt, source)
        if fmt == "srt" and len(block) > 1 and head.isdigit():
            _invalid(block[1][1], block[1][0], fmt, source)
        if cues:  # a stray blank line inside a cue: the text belongs to the previous cue
            cues[-1].lines.extend(line for _, line in block)
            return
        raise InputError(
            f"bloc sans horodatage : « {head[:60]} » ; chaque sous-titre commence par une "
            f"ligne comme {_EXAMPLE[fmt]}", source=source, line=block[0][0])
    cue: _Cue | None = None
    for number, line in block[timing_at:]:
        if "-->" in line:
            start, seconds, end = _timing(line, number, fmt, source)
            if cue is not None and fmt == "srt" and cue.lines and cue.lines[-1].strip().isdigit():
                cue.lines.pop()  # the next cue's number, a blank line was missing
            cue = _Cue(start, seconds, end, [])
            cues.append(cue)
        elif cue is not None:
            cue.lines.append(line)


def _timing(line: str, number: int, fmt: str, source: str) -> tuple[str, float, float]:
    match = _TIMING.match(line)
    if not match:
        _invalid(line, number, fmt, source)
    start, end = _seconds(match.group("start")), _seconds(match.group("end"))
    if start is None or end is None or end < start:
        _invalid(line, number, fmt, source)
    return match.group("start"), start, end


def _seconds(stamp: str) -> float | None:
    parts = stamp.replace(",", ".").split(":")
    values = [float(p) for p in parts]
    if any(v >= 60 for v in values[1:]):
        return None
    total = 0.0
    for value in values:
        total = total * 60 + value
    return total


def _invalid(line: str, number: int, fmt: str, source: str):
    raise InputError(
        f"horodatage invalide : « {line.strip()[:80]} » ; attendu par exemple {_EXAMPLE[fmt]} "
        "(corrigez cette ligne ou exportez à nouveau les sous-titres)",
        source=source, line=number)
