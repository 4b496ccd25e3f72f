"""The rule coder: codebook patterns matched on lemmas and words, negation-aware.

Pattern syntax (a code's `patterns`): space-separated tokens, each a lemma or word; `a|b`
alternatives; a trailing `*` for a prefix (`relanc*`); up to two other words may stand between
tokens ("dossier ... perdre"); accents and case are ignored. `re:<regex>` is a regular
expression over the folded (lower-case, unaccented) words of the segment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..errors import CodebookError
from ..model import Code, Codebook, Suggestion
from ..nlp import Analysed, fold

GAP = r"(?:\s+\S+){0,2}\s+"


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A pattern as a regex over space-joined folded tokens. Raises re.error if invalid."""
    if pattern.startswith("re:"):
        return re.compile(pattern[3:])
    tokens = fold(pattern).replace("'", "' ").split()
    if not tokens:
        raise re.error("motif vide")
    parts = []
    for token in tokens:
        alts = []
        for alt in token.split("|"):
            if not alt.strip("*"):
                raise re.error(f"alternative vide dans « {token} »")
            stem = re.escape(alt.rstrip("*"))
            alts.append(stem + (r"\S*" if alt.endswith("*") else ""))
        parts.append("(?:" + "|".join(alts) + ")")
    return re.compile(r"(?<!\S)" + GAP.join(parts) + r"(?!\S)")


@dataclass(frozen=True)
class Hit:
    code: str
    pattern: str
    evidence: str  # the words of the segment that matched
    negated: bool


def _token_index(starts: Sequence[int], char: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= char:
            lo = mid
        else:
            hi = mid - 1
    return lo


def find_hits(text: str, analysed: Analysed, codes: Sequence[Code]) -> list[Hit]:
    """Every pattern of `codes` found in the segment, on lemmas or on words."""
    views = []
    for tokens in (analysed.lemmas, analysed.words):
        joined = " ".join(t.replace(" ", "_") for t in tokens)
        starts, pos = [], 0
        for t in tokens:
            starts.append(pos)
            pos += len(t) + 1
        views.append((joined, starts))
    hits: list[Hit] = []
    for code in codes:
        for pattern in code.patterns:
            regex = compile_pattern(pattern)
            for joined, starts in views:
                m = regex.search(joined)
                if m is None or not starts:
                    continue
                first = _token_index(starts, m.start())
                last = _token_index(starts, max(m.start(), m.end() - 1))
                a, b = analysed.offsets[first][0], analysed.offsets[last][1]
                hits.append(Hit(code.id, pattern, text[a:b], analysed.negated[first]))
                break
    return hits


def score(n_patterns: int) -> float:
    """1 pattern 0.55, 2 → 0.80, 3 → 0.91: more independent evidence, more confidence."""
    return round(1 - 0.45 ** n_patterns, 3)


class RuleCoder:
    """Suggests themes and valence from patterns; negation turns a complaint or a praise around.

    - a negated irritant pattern ("pas eu de problème") is not an irritant;
    - a negated positive pattern ("personne ne m'a aidée") is evidence of an irritant.
    """

    name = "listening.rules.v1"

    def __init__(self, families: Sequence[str] = ("theme", "valence")):
        self.families = tuple(families)

    def params(self) -> dict:
        return {"families": list(self.families)}

    def codes(self, codebook: Codebook) -> list[Code]:
        out = [c for c in codebook.codes if c.family in self.families and c.codable and c.patterns]
        for c in out:
            for p in c.patterns:
                try:
                    compile_pattern(p)
                except re.error as exc:
                    raise CodebookError(f"motif invalide « {p} » ({exc}) ; corrigez-le.",
                                        code=c.id) from exc
        return out

    def suggest_one(self, segment_id: str, text: str, analysed: Analysed,
                    codes: Sequence[Code]) -> list[Suggestion]:
        by_code: dict[str, list[Hit]] = {}
        for hit in find_hits(text, analysed, codes):
            code = hit.code
            if hit.negated and code == "valence.irritant":
                continue
            if hit.negated and code == "valence.positif":
                code = "valence.irritant"
            by_code.setdefault(code, []).append(hit)
        out = []
        for code, hits in by_code.items():
            patterns = {h.pattern for h in hits}
            evidence = tuple(dict.fromkeys(("non " if h.negated else "") + h.evidence for h in hits))
            out.append(Suggestion(segment_id, code, score(len(patterns)), self.name, evidence))
        return out
