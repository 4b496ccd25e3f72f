"""The role of each speaker: interviewer / usager / participant / unknown. Pure.

A known label decides (Enquêtrice, E, Q -> interviewer; R, Usagère -> usager; Participant ->
participant). Otherwise the speaker who asks questions, speaks first and speaks least is the
interviewer; when no one stands out the roles stay unknown rather than guessed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from ..model import RawTurn
from .vocabulary import fold, role_of_label


def speaker_key(speaker: str) -> str:
    return fold(speaker).strip(" :*_[]")


def infer_roles(turns: Sequence[RawTurn], *, doc_type: str = "entretien") -> list[str]:
    """A role per turn: stated, else from a known label, else who speaks first, asks
    questions and speaks least is the interviewer. Turns without speaker get the type's."""
    others = {"atelier": "participant", "verbatim": "usager"}.get(doc_type, "usager")
    unlabelled = {"atelier": "participant", "verbatim": "usager"}.get(doc_type, "unknown")
    order: list[str] = []
    stats: dict[str, Counter] = defaultdict(Counter)
    for turn in turns:
        key = speaker_key(turn.speaker)
        if not key:
            continue
        if key not in order:
            order.append(key)
        stats[key]["turns"] += 1
        stats[key]["words"] += len(turn.text.split())
        stats[key]["questions"] += "?" in turn.text
    roles = {key: role_of_label(key) for key in order}
    unknown = [key for key in order if roles[key] is None]
    if unknown:
        if any(r == "interviewer" for r in roles.values()) or doc_type == "verbatim":
            roles.update({key: others for key in unknown})
        elif len(order) == 1:
            roles[order[0]] = unlabelled
        else:
            roles.update(_guess_interviewer(order, unknown, stats, others, doc_type))
    return [
        t.role or roles.get(speaker_key(t.speaker)) or unlabelled
        if speaker_key(t.speaker) else t.role or unlabelled
        for t in turns
    ]


def _guess_interviewer(order: list[str], unknown: list[str], stats: dict[str, Counter],
                       others: str, doc_type: str) -> dict[str, str]:
    fewest = min(stats[k]["words"] for k in unknown)
    least = [k for k in unknown if stats[k]["words"] == fewest]
    least = least[0] if len(least) == 1 else None

    def score(key: str) -> float:
        ratio = stats[key]["questions"] / stats[key]["turns"]
        return 2 * ratio + 0.5 * (key == order[0]) + 0.5 * (key == least)

    ranked = sorted(unknown, key=score, reverse=True)
    top = ranked[0]
    clear = len(ranked) == 1 or score(top) - score(ranked[1]) >= 0.75
    if doc_type == "atelier":
        ratio = stats[top]["questions"] / stats[top]["turns"]
        clear = clear and ratio >= 0.5
        if not clear:
            return {key: others for key in unknown}
    if not clear:
        return {key: "unknown" for key in unknown}
    return {key: ("interviewer" if key == top else others) for key in unknown}
