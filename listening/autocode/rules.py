"""The rule coder: codebook patterns matched on lemmas and words, negation-aware.

What a valid pattern is, is decided by `listening.codebook.pattern_error` (the codebook's
validation); this module is the matcher. How it reads a valid pattern (also described, in
French, at the top of codebooks/securite-sociale.yaml):

- a pattern is a sequence of tokens separated by spaces; each token is compared with a word of
  the segment, as written or as its lemma ("j'ai attendu", "on attend" meet "attendre"),
  ignoring case and accents;
- the tokens are found in their order, with at most `GAP` other word (or punctuation mark)
  between two of them ("dossier perdre" finds "le dossier perdu", not "le dossier a été
  perdu");
- `a|b` gives alternatives for one token, a trailing `*` any ending (`relanc*`);
- `re:` starts a regular expression searched in the segment's text, ignoring case, and again in
  the text without accents.

A sub-theme's hits also count for its theme. Negation turns valence cues around (see
`RuleCoder`); themes are never turned around.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from re import _constants as _sre
from re import _parser

from ..codebook import REGEX_PREFIX, pattern_error
from ..errors import CodebookError
from ..model import Code, Codebook, Suggestion
from ..nlp import NE, NEGATORS, Analysed, fold

GAP = 1  # other words allowed between two tokens of a pattern
_SEP = "\u2063"  # joins a token's lemma and its word (not a space for the regex engine)
_CHAR = r"[^\s\u2063]"


@dataclass(frozen=True)
class Matcher:
    """A checked pattern: a regex over the segment's tokens written `lemma<SEP>word`, or a
    regex over its text (`on_text`). The regex is compiled on first use: a codebook has
    about 1,400 patterns, a segment tries few of them, and a forked worker compiles only
    those it meets."""

    pattern: str
    source: str
    on_text: bool

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.source, re.IGNORECASE if self.on_text else 0)

    @cached_property
    def needs(self) -> frozenset[str] | None:
        """For a text pattern, strings one of which every match contains (case-folded), so
        a segment holding none of them is skipped without running the regex; None when the
        pattern requires no literal text."""
        return required_literals(self.source) if self.on_text else None


# What `required_literals` reads of a parsed regular expression.
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", _sre.MAX_REPEAT))


def required_literals(source: str) -> frozenset[str] | None:
    """Case-folded strings one of which every match of `source` contains, or None.

    Read from the parsed expression: a run of literal characters is required; a group or a
    repetition of at least one is required when its content is; an alternation when each of
    its branches requires something (the union of what they require). Of the requirements of
    a sequence, the one with the longest shortest string is kept. Anything else (classes,
    lookarounds, back-references) requires nothing, which keeps the answer sound: a text
    without any of the strings cannot match."""
    try:
        parsed = _parser.parse(source, re.IGNORECASE)
    except (re.error, TypeError, ValueError, RecursionError):
        return None
    found = _required(list(parsed))
    return frozenset(x.casefold() for x in found) if found else None


def _required(items: list) -> set[str] | None:
    best: set[str] | None = None
    run: list[str] = []

    def consider(found: set[str] | None) -> None:
        nonlocal best
        if found and "" not in found and (
                best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    for op, av in items:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            consider({"".join(run)})
            run = []
        if op is _sre.SUBPATTERN:
            consider(_required(list(av[-1])))
        elif op is _sre.BRANCH:
            branches = [_required(list(b)) for b in av[1]]
            if all(branches):
                consider(set().union(*branches))
        elif op in _REPEATS and av[0] >= 1:
            consider(_required(list(av[2])))
    if run:
        consider({"".join(run)})
    return best


def _word_regex(alt: str) -> str:
    """One token whose lemma or word is `alt` (a trailing `*`: any ending)."""
    stem = re.escape(alt.rstrip("*")) + (f"{_CHAR}*" if alt.endswith("*") else "")
    return f"(?:{stem}{_SEP}{_CHAR}*|{_CHAR}*{_SEP}{stem})"


def _compound(alt: str) -> str:
    """A word written with an apostrophe or a hyphen inside, as one token ("aujourd'hui",
    "rendez-vous") or as spaCy may split it: "d' un", "ping - pong", "pourrait -on" (the
    hyphen on its own or on the following part)."""
    whole = _word_regex(alt)
    head, apostrophe, tail = alt.partition("'")
    if apostrophe and tail:
        return rf"(?:{whole}|{_word_regex(head + apostrophe)}\s+{_alternative(tail)})"
    first, *rest = alt.split("-")
    hyphen = _word_regex("-")
    split = _word_regex(first) + "".join(
        rf"\s+(?:{hyphen}\s+{_word_regex(part)}|{_word_regex('-' + part)})" for part in rest)
    return f"(?:{whole}|{split})"


def _alternative(alt: str) -> str:
    return _compound(alt) if _is_compound(alt) else _word_regex(alt)


def _is_compound(alt: str) -> bool:
    return "'" in alt.rstrip("'") or "-" in alt.strip("-")


def _split_part(alt: str) -> str:
    """A word that a split compound always shows (see `_compound`)."""
    while _is_compound(alt):
        alt = alt.partition("'")[2] if "'" in alt.rstrip("'") else alt.split("-")[0]
    return alt


def _token_regex(token: str) -> str:
    return f"(?:{'|'.join(_alternative(alt) for alt in token.split('|'))})"


def pattern_tokens(pattern: str) -> list[str]:
    """The tokens of a (non-regex) pattern, folded: one per place of the segment, each with
    its `|` alternatives (an alternative may hold an apostrophe: "d'un|un")."""
    return fold(pattern).split()


@lru_cache(maxsize=8192)
def compile_pattern(pattern: str) -> Matcher:
    """A valid pattern (see `listening.codebook.pattern_error`) ready to match.

    Raises CodebookError with the codebook's own message when the pattern is not valid.
    """
    problem = pattern_error(pattern)
    if problem:
        raise CodebookError(f"motif « {pattern} » invalide : {problem}")
    if pattern.startswith(REGEX_PREFIX):
        source = pattern[len(REGEX_PREFIX):]
        return Matcher(pattern, source, True)
    tokens = pattern_tokens(pattern)
    gap = rf"(?:\s+\S+){{0,{GAP}}}\s+"
    body = gap.join(_token_regex(t) for t in tokens)
    return Matcher(pattern, r"(?<!\S)" + body + r"(?!\S)", False)


@dataclass(frozen=True)
class Hit:
    code: str
    pattern: str
    evidence: str  # the words of the segment that matched
    negated: bool  # the first matched word is inside a negation's scope
    first: int  # token span of the match, inclusive
    last: int


class _View:
    """A segment as the matcher searches it: tokens as `lemma<US>word`, space-joined."""

    def __init__(self, text: str, analysed: Analysed):
        self.text, self.analysed = text, analysed
        tokens = [f"{lemma.replace(' ', '_')}{_SEP}{word.replace(' ', '_')}"
                  for lemma, word in zip(analysed.lemmas, analysed.words)]
        self.joined = " ".join(tokens)
        self.starts, pos = [], 0
        for t in tokens:
            self.starts.append(pos)
            pos += len(t) + 1
        self.folded = fold(text)
        # searching the folded text finds more only where folding changed more than case
        self.folded_aligned = (len(self.folded) == len(text)
                               and self.folded != text.lower())

    def token_at(self, char: int, starts: Sequence[int]) -> int:
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if starts[mid] <= char:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def find(self, matcher: Matcher) -> tuple[int, int, str] | None:
        """(first token, last token, evidence) of the first match, or None."""
        offsets = self.analysed.offsets
        if not offsets:
            return None
        if matcher.on_text:
            m = matcher.regex.search(self.text)
            if m is None and self.folded_aligned:
                m = matcher.regex.search(self.folded)
            if m is None:
                return None
            char_starts = [a for a, _ in offsets]
            first = self.token_at(m.start(), char_starts)
            last = self.token_at(max(m.start(), m.end() - 1), char_starts)
            return first, last, self.text[m.start():m.end()]
        m = matcher.regex.search(self.joined)
        if m is None:
            return None
        first = self.token_at(m.start(), self.starts)
        last = self.token_at(max(m.start(), m.end() - 1), self.starts)
        return first, last, self.text[offsets[first][0]:offsets[last][1]]


INVERTERS = frozenset({"mal"})  # inside a match, turn it around as a negator does: "très mal informé"


@lru_cache(maxsize=8192)
def pattern_words(pattern: str) -> frozenset[str]:
    """The words a (non-regex) pattern spells, folded, without `*`; an elided word on its own
    ("n'" of "n'avoir")."""
    return frozenset(word.rstrip("*") for token in pattern_tokens(pattern)
                     for alt in token.split("|") for word in alt.replace("'", "' ").split())


@lru_cache(maxsize=8192)
def states_negation(pattern: str) -> bool:
    """A pattern that spells its own negation ("pas de réponse", "personne répondre") is not
    turned around by it."""
    if pattern.startswith(REGEX_PREFIX):
        return True
    return bool(pattern_words(pattern) & (NEGATORS | NE | {"plus", "toujours"}))


@dataclass(frozen=True)
class _Entry:
    code: str
    pattern: str
    matcher: Matcher
    # each token's alternatives: (exact words, prefixes); the pattern can only match a segment
    # where every token has an alternative among the segment's words or lemmas
    tokens: tuple[tuple[frozenset[str], tuple[str, ...]], ...]


def _token_alternatives(token: str) -> tuple[frozenset[str], tuple[str, ...]]:
    alts = token.split("|")
    # a compound split by spaCy shows a part of it as a word: "un" of "d' un", "ping" of
    # "ping - pong"
    alts += [_split_part(a) for a in alts if _is_compound(a)]
    return (frozenset(a for a in alts if not a.endswith("*")),
            tuple(a.rstrip("*") for a in alts if a.endswith("*")))


class PatternIndex:
    """The patterns of a set of codes, indexed by one token each (its least common-looking
    one), so that a segment runs only the regular expressions of the patterns whose every
    token occurs in it as a word or a lemma: the same matches as trying every pattern, at a
    fraction of the cost. A regular-expression pattern (`re:`) is tried where the text, or
    its unaccented form, holds one of the strings its matches need (`Matcher.needs`)."""

    def __init__(self, codes: Sequence[Code]):
        self.on_text: list[_Entry] = []
        self.literals: frozenset[str] = frozenset()  # every string a text pattern needs
        self.exact: dict[str, list[_Entry]] = {}
        self.prefix: dict[str, list[_Entry]] = {}
        self.always: list[_Entry] = []  # a token with an empty prefix ("*") matches anything
        self.order: dict[int, int] = {}  # entry -> its rank in the codebook
        for code in codes:
            for pattern in code.patterns:
                matcher = compile_pattern(pattern)
                tokens = () if matcher.on_text else tuple(
                    _token_alternatives(t) for t in pattern_tokens(pattern))
                entry = _Entry(code.id, pattern, matcher, tokens)
                self.order[id(entry)] = len(self.order)
                if matcher.on_text:
                    self.on_text.append(entry)
                    self.literals |= matcher.needs or frozenset()
                    continue
                key = max(tokens, key=_selectivity)
                exact, prefixes = key
                if "" in prefixes:
                    self.always.append(entry)
                    continue
                for word in exact:
                    self.exact.setdefault(word, []).append(entry)
                for stem in prefixes:
                    self.prefix.setdefault(stem, []).append(entry)

    def candidates(self, vocabulary: set[str], text: str = "", folded: str = "") -> list[_Entry]:
        """The entries that may match a segment whose words and lemmas are `vocabulary`, and
        whose text is `text` (`folded`: lower-case without accents), in codebook order."""
        prefixes = {w[:i] for w in vocabulary for i in range(1, len(w) + 1)}
        found: dict[int, _Entry] = {id(e): e for e in self.always}
        for word in vocabulary:
            for e in self.exact.get(word, ()):
                found[id(e)] = e
        for stem in prefixes:
            for e in self.prefix.get(stem, ()):
                found[id(e)] = e
        keep = [e for e in found.values()
                if all(exact & vocabulary or any(p in prefixes for p in stems)
                       for exact, stems in e.tokens)]
        casefolded = text.casefold()
        present = {s for s in self.literals if s in casefolded or s in folded}
        keep.extend(e for e in self.on_text
                    if e.matcher.needs is None or not e.matcher.needs.isdisjoint(present))
        return sorted(keep, key=lambda e: self.order[id(e)])


def _selectivity(token: tuple[frozenset[str], tuple[str, ...]]) -> tuple[int, int]:
    """Prefer a token whose alternatives are not stop words, then the longest shortest one."""
    from ..nlp import stop_words

    exact, prefixes = token
    alts = [*exact, *prefixes]
    if not alts or "" in prefixes:
        return (-1, 0)
    common = any(a in stop_words() or len(a) <= 2 for a in alts)
    return (0 if common else 1, min(len(a) for a in alts))


@lru_cache(maxsize=64)
def pattern_index(codes: tuple[Code, ...]) -> PatternIndex:
    return PatternIndex(codes)


def find_hits(text: str, analysed: Analysed, codes: Sequence[Code]) -> list[Hit]:
    """Every pattern of `codes` found in the segment (its first occurrence)."""
    view = _View(text, analysed)
    vocabulary = {w.replace(" ", "_") for w in (*analysed.words, *analysed.lemmas)}
    hits: list[Hit] = []
    for entry in pattern_index(tuple(codes)).candidates(vocabulary, text, view.folded):
        found = view.find(entry.matcher)
        if found:
            first, last, evidence = found
            negated = not states_negation(entry.pattern) and (
                analysed.negated[first]  # "personne ne m'a aidée"
                or any(w in NEGATORS  # "était pas bien", "très mal informé"
                       or w in INVERTERS and w not in pattern_words(entry.pattern)
                       for w in analysed.words[first + 1:last + 1]))
            hits.append(Hit(entry.code, entry.pattern, evidence, negated, first, last))
    return hits


def independent(hits: Sequence[Hit]) -> int:
    """How many separate places of the segment the hits point to (overlapping hits count once)."""
    spans = sorted((h.first, h.last) for h in hits)
    count, end = 0, -1
    for first, last in spans:
        if first > end:
            count += 1
        end = max(end, last)
    return count


def score(n_patterns: int) -> float:
    """1 piece of evidence 0.55, 2 → 0.80, 3 → 0.91: more evidence, more confidence."""
    return round(1 - 0.45 ** n_patterns, 3)


IRRITANT, POSITIVE, SUGGESTION = "valence.irritant", "valence.positif", "valence.suggestion"
# Themes that people mostly raise to complain: a segment about them with no positive or
# suggestion cue gets a low-score irritant suggestion.
COMPLAINT_THEMES = ("theme.delais", "theme.erreurs", "theme.contact", "theme.coordination",
                    "theme.demarches", "theme.information", "theme.emotion", "theme.ressources")
PRIOR_SCORE = 0.45
RUNNER_UP_FACTOR = 0.5  # valences other than the chosen one are kept, scaled down
LONG_SEGMENT = 80  # words; a longer segment keeps every valence it has cues for


class RuleCoder:
    """Suggests themes and valence from patterns; negation turns a complaint or a praise around.

    - a negated irritant pattern ("pas eu de problème", "aucune difficulté") is a positive cue;
    - a negated positive pattern ("personne ne m'a aidée", "pas clair") is an irritant cue;
    - a cue inside a longer cue of another valence is a word of it, not a cue ("problème" in
      "problème réglé");
    - one valence per segment: the strongest cue wins (suggestion, then irritant, on ties);
      a contrast ("..., mais ...") lets the cue after it win; the others stay, scaled down
      (`RUNNER_UP_FACTOR`); a segment longer than `LONG_SEGMENT` words keeps them all;
    - a segment about a theme people mostly complain about (`COMPLAINT_THEMES`), with no
      positive or suggestion cue, gets a low-score irritant (`PRIOR_SCORE`).
    """

    name = "listening.rules.v2"

    def __init__(self, families: Sequence[str] = ("theme", "valence"),
                 prior_score: float = PRIOR_SCORE):
        self.families = tuple(families)
        self.prior_score = prior_score

    def params(self) -> dict:
        return {"families": list(self.families), "gap": GAP, "prior_score": self.prior_score,
                "complaint_themes": list(COMPLAINT_THEMES)}

    def codes(self, codebook: Codebook) -> list[Code]:
        out = [c for c in codebook.codes if c.family in self.families and c.codable and c.patterns]
        for c in out:
            for p in c.patterns:
                try:
                    compile_pattern(p)
                except CodebookError as exc:
                    raise CodebookError(str(exc), code=c.id) from None
        return out

    def suggest_one(self, segment_id: str, text: str, analysed: Analysed,
                    codes: Sequence[Code]) -> list[Suggestion]:
        parents = {c.id: c.parent for c in codes}
        by_code: dict[str, list[Hit]] = {}
        for hit in find_hits(text, analysed, codes):
            code: str | None = hit.code
            while code:  # a sub-theme's evidence is also its theme's
                by_code.setdefault(code, []).append(hit)
                code = parents.get(code)
        out = [Suggestion(segment_id, code, score(independent(hits)), self.name, _evidence(hits))
               for code, hits in by_code.items() if not code.startswith("valence.")]
        out.extend(self.valence(segment_id, analysed, by_code))
        return out

    def valence(self, segment_id: str, analysed: Analysed,
                by_code: dict[str, list[Hit]]) -> list[Suggestion]:
        cues: dict[str, list[Hit]] = {IRRITANT: [], POSITIVE: [], SUGGESTION: []}
        for hit in by_code.get(IRRITANT, []):
            cues[POSITIVE if hit.negated else IRRITANT].append(hit)
        for hit in by_code.get(POSITIVE, []):
            cues[IRRITANT if hit.negated else POSITIVE].append(hit)
        cues[SUGGESTION] = list(by_code.get(SUGGESTION, []))
        cues = _without_inner_cues(cues)
        scores = {code: score(independent(hits)) for code, hits in cues.items() if hits}
        if not scores:
            themes = [t for t in COMPLAINT_THEMES
                      if any(c == t or c.startswith(t + ".") for c in by_code)]
            if themes and self.prior_score:
                return [Suggestion(segment_id, IRRITANT, self.prior_score, self.name,
                                   ("thème souvent irritant",))]
            return []
        # a long turn holds several statements: it keeps every valence it has cues for
        best = _winner(scores, cues, analysed) if len(analysed.words) <= LONG_SEGMENT else None
        return [Suggestion(segment_id, code,
                           value if best in (None, code) else round(value * RUNNER_UP_FACTOR, 3),
                           self.name, _evidence(cues[code], negated_prefix=True))
                for code, value in scores.items()]


def _without_inner_cues(cues: dict[str, list[Hit]]) -> dict[str, list[Hit]]:
    """A cue lying inside a longer cue of another valence is a word of that cue, not a cue of
    its own: « problème » in « problème réglé », « sans rien » in « sans rien faire »."""
    def inside(hit: Hit, other: Hit) -> bool:
        return (other.first <= hit.first and hit.last <= other.last
                and other.last - other.first > hit.last - hit.first)

    return {code: [h for h in hits
                   if not any(inside(h, o) for other, os in cues.items() if other != code
                              for o in os)]
            for code, hits in cues.items()}


_CONTRAST = frozenset({"mais", "cependant", "pourtant", "neanmoins", "sauf", "toutefois"})


def _winner(scores: dict[str, float], cues: dict[str, list[Hit]], analysed: Analysed) -> str:
    order = (SUGGESTION, IRRITANT, POSITIVE)
    if IRRITANT in scores and POSITIVE in scores and SUGGESTION not in scores:
        contrast = max((i for i, w in enumerate(analysed.words) if w in _CONTRAST), default=-1)
        if contrast >= 0:
            after = {c for c in (IRRITANT, POSITIVE) if any(h.first > contrast for h in cues[c])}
            if len(after) == 1:
                return after.pop()
    return max(scores, key=lambda c: (scores[c], -order.index(c)))


def _evidence(hits: Sequence[Hit], negated_prefix: bool = False) -> tuple[str, ...]:
    return tuple(dict.fromkeys(("non " if negated_prefix and h.negated else "") + h.evidence
                               for h in sorted(hits, key=lambda h: h.first)))
