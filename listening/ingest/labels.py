"""Speaker labels: which line openings name a speaker. Pure.

A line is a candidate turn start when it opens with a label: `Enquêteur : …`, `**Marie** :`,
`[00:12:03] Marie :`, `Marie (00:12:03) :`, `Marie Dupont   00:12` alone on its line, and so
on. Candidates are not trusted one by one: a label is accepted when it is a known role word,
is marked (bold, a bracketed name), or recurs -- so "Date : 12 mars" in a header stays text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import InputError
from .vocabulary import (
    category_of,
    fold,
    is_generic_speaker,
    is_header_word,
    role_of_label,
)

TIME = r"\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?"
_BULLET = r"(?:[-*•–]\s+)?"
_LEAD_TIME = rf"(?:[\[(]\s*(?P<t1>{TIME})\s*[\])]|(?P<t1b>{TIME}))\s*(?:[-–—|]\s*)?"
_COLON_LINE = re.compile(
    rf"^\s*{_BULLET}(?:{_LEAD_TIME})?(?P<b1>\*\*|__)?\s*\[?(?P<label>[^:\n*_\[\]]{{1,60}}?)\]?"
    rf"\s*(?P<b2>\*\*|__)?\s*(?:[\[(]\s*(?P<t2>{TIME})\s*[\])])?\s*(?P<b3>\*\*|__)?"
    r"\s*:(?:\s*(?P<b4>\*\*|__))?(?:\s+|$)(?P<rest>.*)$"
)
_DASH_LINE = re.compile(
    rf"^\s*{_BULLET}(?:{_LEAD_TIME})?(?P<label>[^\W\d][\w'’.]*(?: [\w'’.]+)?)\s+[–—-]\s+(?P<rest>\S.*)$"
)
_NAME_THEN_TIME = re.compile(
    rf"^\s*\[?(?P<label>[^\W\d][^:\[\]()\n]{{0,40}}?)\]?\s*[\[(]?(?P<t>{TIME})[\])]?\s*$"
)
_TIME_THEN_NAME = re.compile(
    rf"^\s*[\[(]?(?P<t>{TIME})[\])]?\s*[-–—|]?\s*\[?(?P<label>[^\W\d][^:\[\]()\n]{{0,40}}?)\]?\s*$"
)
_ID_PREFIX = re.compile(r"^(?P<speaker>[A-Za-z]{1,3})(?P<number>\d{3,})\s+(?P<rest>\S.*)$")
_BAD_LABEL_CHARS = re.compile(r"[,;!?«»\"“”…=<>{}|@%$€+]|https?|www\.")
_NAME_WORD = re.compile(r"^(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|[A-ZÀ-ÖØ-Þ]\.)$")
_NUMBER_WORD = re.compile(r"^[A-Z]?\d{1,3}[A-Z]?$")
_TITLES = frozenset(
    "m m. mme mme. mlle mr mr. mrs ms dr dr. me pr monsieur madame mademoiselle docteur maitre"
    .split()
)
_PARTICLES = frozenset("de du des d' le la les van von da di del della ben el".split())
_ARTICLES = ("Le ", "La ", "Les ", "L'", "L’")
_NAMES = frozenset({"role", "generic", "titled", "multi", "single"})


@dataclass(frozen=True)
class Line:
    """One line a reader hands the parser. `marked`: its opening label is in bold."""

    text: str
    marked: bool = False
    heading: bool = False
    level: int = 0  # heading level when known (1 = top)
    number: int | None = None


@dataclass(frozen=True)
class Candidate:
    label: str
    key: str
    kind: str  # role, generic, titled, multi, single, article, lower, category
    rest: str
    timestamp: str | None = None
    marked: bool = False  # bold or timestamped: the writer meant it as a label
    alone: bool = False  # the label is alone on its line; the utterance follows
    ref: str | None = None  # a line id the source gives (kept in the turn's attrs)


# --- finding labels -----------------------------------------------------------------


def user_finder(pattern: str, lines: Sequence[Line], source: str):
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise InputError(
            f"motif de locuteur invalide ({exc}) : corrigez speaker_pattern, par exemple "
            r"« (?P<speaker>[^:]+) : »", source=source) from None
    if "speaker" not in regex.groupindex:
        raise InputError(
            "le motif de locuteur doit contenir un groupe nommé (?P<speaker>...) : "
            r"corrigez speaker_pattern, par exemple « (?P<speaker>[^:]+) : »", source=source)

    def find(line: Line) -> Candidate | None:
        match = regex.match(line.text)
        if not match or not (match.group("speaker") or "").strip():
            return None
        label = match.group("speaker").strip()
        stamp = match.group("time") if "time" in regex.groupindex else None
        rest = re.sub(r"^\s*[:–—-]?\s*", "", line.text[match.end():])
        return Candidate(label, fold(label), "role", rest, stamp, True, not rest)

    if not any(find(line) for line in lines if not line.heading):
        raise InputError(
            f"aucun locuteur trouvé avec le motif « {pattern} » : vérifiez speaker_pattern "
            "(il est essayé au début de chaque ligne)", source=source)
    return find


def id_prefix_finder(lines: Sequence[Line]):
    """One turn per line behind an id whose letters name the speaker: `d01050051 Bonjour`."""
    texts = [line.text.strip() for line in lines if line.text.strip()]
    matches = [m for t in texts if (m := _ID_PREFIX.match(t))]
    speakers = {m.group("speaker") for m in matches}
    if len(matches) < 4 or len(matches) < 0.8 * len(texts) or not 2 <= len(speakers) <= 6:
        return None

    def find(line: Line) -> Candidate | None:
        match = _ID_PREFIX.match(line.text.strip())
        if not match:
            return None
        speaker = match.group("speaker")
        return Candidate(speaker, fold(speaker), "role", match.group("rest"), marked=True,
                          ref=speaker + match.group("number"))

    return find


def _candidate(line: Line) -> Candidate | None:
    """What a line's opening label would be, if it is one."""
    if line.heading:
        return None
    text = line.text
    match = _COLON_LINE.match(text)
    if match:
        label = match.group("label").strip()
        stamp = match.group("t1") or match.group("t1b") or match.group("t2")
        bold = line.marked or bool(
            match.group("b1") and (match.group("b2") or match.group("b3") or match.group("b4")))
        kind = _shape(label, loose=bold)
        if kind:
            # a time stamp marks a name ("[00:12:03] Marie :"), not any phrase before a colon
            marked = bold or (bool(stamp) and kind in _NAMES)
            rest = match.group("rest").strip()
            return Candidate(label, fold(label), kind, rest, stamp, marked, not rest)
    match = _DASH_LINE.match(text)
    if match and len(match.group("label")) > 1 and role_of_label(match.group("label")):
        label = match.group("label").strip()
        stamp = match.group("t1") or match.group("t1b")
        return Candidate(label, fold(label), "role", match.group("rest").strip(), stamp)
    for regex in (_NAME_THEN_TIME, _TIME_THEN_NAME):
        match = regex.match(text)
        if match:
            label = match.group("label").strip()
            kind = _shape(label, loose=True)
            if kind and kind != "category":  # trusted once it recurs: "Accueil 9:30" is not
                bracketed = text.lstrip().startswith("[") and not text.lstrip()[1:2].isdigit()
                return Candidate(label, fold(label), kind, "", match.group("t"), bracketed, True)
    return None


def _shape(label: str, *, loose: bool = False) -> str | None:
    """What kind of label this could be, or None when it cannot be a speaker label."""
    label = label.strip()
    main = re.sub(r"\([^)]{0,60}\)", " ", label)  # "Mme L. (58 ans, allocataire)"
    if not label or len(label) > 80 or len(main) > 50 or _BAD_LABEL_CHARS.search(main):
        return None
    if role_of_label(label):
        return "role"
    if is_generic_speaker(label):
        return "generic"
    if category_of(label):
        return "category"
    if is_header_word(label):
        return None
    words = main.split()
    if not words or len(words) > (6 if loose else 5):
        return None
    first = fold(words[0])
    if first in _TITLES:
        if len(words) == 1:
            return "single"
        return "titled" if all(_name_word(w) for w in words[1:]) else None
    if label.startswith(_ARTICLES) and 1 <= len(words) <= 3:
        tail = " ".join(words[1:]) if words[0] in ("Le", "La", "Les") else main[2:]
        if tail and all(w.isalpha() for w in tail.replace("'", " ").split()):
            return "article"
    if _NAME_WORD.match(words[0]) and len(words) <= (5 if loose else 4):
        if all(_name_word(w) or _NUMBER_WORD.match(w) for w in words[1:]):
            return "multi" if len(words) > 1 else "single"
    if loose and len(words) <= 4 and words[0][0].isupper():
        return "multi"
    if len(words) <= 2 and all(w.isalpha() and w.islower() for w in words):
        return "lower"
    return None


def shape_of(label: str) -> str | None:
    """The kind of speaker label a text could be (role, titled, multi...), or None."""
    return _shape(label)


def _name_word(word: str) -> bool:
    return bool(_NAME_WORD.match(word)) or fold(word) in _PARTICLES or word.isupper()


def heuristic_finder(lines: Sequence[Line]):
    """Accept the labels that are known role words, marked, or recur; then look them up."""
    found: list[tuple[int, Candidate]] = [
        (i, c) for i, line in enumerate(lines) if (c := _candidate(line)) is not None
    ]
    by_key: dict[str, list[tuple[int, Candidate]]] = defaultdict(list)
    for i, cand in found:
        if cand.kind != "category":
            by_key[cand.key].append((i, cand))
    accepted: set[str] = set()
    lower: list[str] = []
    singles: list[tuple[str, int]] = []
    for key, items in by_key.items():
        kinds = {c.kind for _, c in items}
        count, marked = len(items), any(c.marked for _, c in items)
        if kinds & {"role", "generic"}:
            accepted.add(key)
        elif marked or (count >= 2 and not kinds <= {"lower"}):
            accepted.add(key)
        elif kinds <= {"lower"}:
            if count >= 3:
                lower.append(key)
        elif kinds & {"titled", "multi", "single"}:
            singles.append((key, items[0][0]))
    if lower and (len(lower) >= 2 or accepted):
        accepted.update(lower)
    if len(accepted) >= 1:
        first = min(i for key in accepted for i, _ in by_key[key])
        accepted.update(key for key, i in singles if i > first)

    def find(line: Line) -> Candidate | None:
        cand = _candidate(line)
        if cand is None:
            return None
        if cand.kind == "category" or cand.key in accepted:
            return cand
        return None

    return find


def label_finder(texts: Sequence[str]):
    """For readers with their own layout (subtitle cues): a function giving the accepted
    `(speaker, rest)` opening a text, or None -- judged against all `texts` together."""
    find = heuristic_finder([Line(t) for t in texts])

    def split(text: str) -> tuple[str, str] | None:
        cand = find(Line(text))
        if cand is None or cand.kind == "category" or cand.alone:
            return None
        return cand.label, cand.rest

    return split
