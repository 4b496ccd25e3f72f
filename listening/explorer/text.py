"""Text that stays text: labels, Markdown and HTML escaping, colours, a document laid out
as a conversation with its coded pieces. Pure; transcript text is always escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

import pandas as pd

from ..codebook import path_label
from ..model import Codebook, Document

ROLE_LABELS = {"interviewer": "enquêteur·rice", "usager": "usager·ère",
               "participant": "participant·e", "unknown": "rôle non précisé"}
TYPE_LABELS = {"entretien": "Entretien", "atelier": "Atelier", "verbatim": "Verbatim"}
RUN_LABELS = {"ingest": "Ingestion", "suggest": "Suggestions automatiques",
              "topics": "Thèmes émergents"}
STATUS_LABELS = {"done": "terminée", "failed": "échouée", "running": "en cours"}
# The change log's actions and objects, as the Vue d'ensemble page names them.
ACTION_LABELS = {
    "codebook": "livre de codes enregistré", "suggest": "suggestions enregistrées",
    "suggestion.accepted": "suggestion acceptée", "suggestion.rejected": "suggestion rejetée",
    "suggestion.accept_above": "suggestions acceptées au-dessus d'un score",
    "coding.add": "codage ajouté", "coding.remove": "codage retiré", "memo": "mémo",
    "replace": "document remplacé", "ingest": "document importé", "delete": "document supprimé",
    "run.ingest": "analyse lancée : ingestion", "run.suggest": "analyse lancée : suggestions",
    "run.topics": "analyse lancée : thèmes émergents"}
OBJECT_LABELS = {"segment": "segment", "document": "document", "run": "analyse",
                 "codebook": "livre de codes", "code": "code", "": "—"}
FAMILY_LABELS = {"theme": "Thème", "valence": "Valence", "journey": "Parcours", "stage": "Étape"}
GREY = "#888888"
_HEX = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&^=])")


def when(stamp: object, tz: tzinfo | None = None) -> str:
    """A stored timestamp (ISO 8601, UTC) as French reads it, in the machine's time zone (or
    `tz`): « 07/12/2026 00:59 » for 2026-12-06T23:59:00+00:00 in Paris."""
    text = "" if stamp is None or (isinstance(stamp, float) and stamp != stamp) else str(stamp)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text or "—"
    if moment.tzinfo is not None:
        moment = moment.astimezone(tz)
    return moment.strftime("%d/%m/%Y %H:%M")


def plural(n: int, word: str, words: str | None = None) -> str:
    """French agreement: 0 and 1 are singular."""
    return f"{n} {word if n <= 1 else (words or word + 's')}"


def md(text: object) -> str:
    """Escape Markdown (and Streamlit's directives) so user text shows literally."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def colour_of(codebook: Codebook, code_id: str) -> str:
    try:
        colour = codebook.code(code_id).colour
    except KeyError:
        return GREY
    return colour if _HEX.fullmatch(colour or "") else GREY


def code_options(codebook: Codebook) -> dict[str, str]:
    """Codable codes -> "Famille : chemin > du > code", in codebook order (for a multiselect)."""
    return {c.id: f"{FAMILY_LABELS.get(c.family, c.family)} : {path_label(codebook, c.id)}"
            for c in codebook.codes if c.codable}


def verbatim_html(text: str, source: str = "") -> str:
    """A quote as escaped HTML: tags and Markdown in the text show literally."""
    cite = f'<div style="color:#666;font-size:0.85em">{esc(source)}</div>' if source else ""
    return ('<blockquote style="margin:0.2em 0;padding:0.3em 0.8em;border-left:3px solid #bbb;'
            f'white-space:pre-wrap">{esc(text)}{cite}</blockquote>')


def legend_html(codebook: Codebook, code_ids: Iterable[str]) -> str:
    items = []
    for code_id in dict.fromkeys(code_ids):
        label = {c.id: c.label for c in codebook.codes}.get(code_id, code_id)
        items.append(f'<div><span style="display:inline-block;width:0.9em;height:0.9em;'
                     f'background:{colour_of(codebook, code_id)};margin-right:0.4em"></span>'
                     f"{esc(label)}</div>")
    return "".join(items) or "<div>Aucun code sur ce document.</div>"


# --- a document as a conversation -----------------------------------------------


@dataclass(frozen=True)
class Piece:
    text: str
    codes: tuple[str, ...]
    segment_id: str


@dataclass(frozen=True)
class TurnView:
    index: int
    speaker: str
    role: str
    timestamp: str | None
    pieces: tuple[Piece, ...]
    attrs: tuple[tuple[str, str], ...] = ()  # e.g. a workshop's (etape, colonne)


def conversation(document: Document, segments: pd.DataFrame,
                 codings: pd.DataFrame) -> list[TurnView]:
    """Each turn cut where segments and coded spans begin or end, with the codes on each piece."""
    mine = segments[segments["document_id"] == document.id]
    by_turn: dict[int, list[tuple[str, int, int]]] = {}
    for seg_id, turn, start, end in sorted(zip(mine["segment_id"], mine["turn_index"],
                                               mine["start"], mine["end"]), key=lambda r: r[2]):
        by_turn.setdefault(int(turn), []).append((seg_id, int(start), int(end)))
    cods = codings[codings["segment_id"].isin(set(mine["segment_id"]))]
    whole: dict[str, list[str]] = {}
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for seg_id, code, start, end in zip(cods["segment_id"], cods["code_id"], cods["start"],
                                        cods["end"]):
        if pd.isna(start) or pd.isna(end):
            whole.setdefault(seg_id, []).append(code)
        else:
            spans.setdefault(seg_id, []).append((int(start), int(end), code))
    out = []
    for turn in document.turns:
        pieces = []
        for seg_id, seg_start, seg_end in by_turn.get(turn.index, []):
            seg_spans = spans.get(seg_id, [])
            cuts = sorted({seg_start, seg_end, *(max(seg_start, min(seg_end, x))
                                                  for a, b, _ in seg_spans for x in (a, b))})
            for a, b in zip(cuts, cuts[1:]):
                codes = [*whole.get(seg_id, []), *(c for s, e, c in seg_spans if s <= a and b <= e)]
                pieces.append(Piece(document.text[a:b], tuple(dict.fromkeys(codes)), seg_id))
        out.append(TurnView(turn.index, turn.speaker, turn.role, turn.timestamp, tuple(pieces),
                            tuple((str(k), str(v)) for k, v in turn.attrs.items())))
    return out


_FAMILY_RANK = {"theme": 0, "valence": 1, "stage": 2, "journey": 3}


def _piece_html(piece: Piece, codebook: Codebook, labels: dict[str, str]) -> str:
    if not piece.codes:
        return esc(piece.text)
    family = {c.id: c.family for c in codebook.codes}
    codes = sorted(piece.codes, key=lambda c: _FAMILY_RANK.get(family.get(c, ""), 9))
    style = f"background-color:{colour_of(codebook, codes[0])}40;border-radius:3px"
    if len(codes) > 1:
        style += f";border-bottom:3px solid {colour_of(codebook, codes[1])}"
    title = " ; ".join(labels.get(c, c) for c in codes)
    return f'<mark style="{style}" title="{esc(title)}">{esc(piece.text)}</mark>'


ATTR_LABELS = {"etape": "étape", "categorie": "catégorie", "ligne": "ligne",
               "colonne": "colonne", "section": "section"}


def _changed_attrs(attrs: Sequence[tuple[str, str]], before: dict[str, str]) -> list[str]:
    """A turn's attributes (a workshop grid's section, row, column, stage, category) as
    « étape : … », leaving out what the turn before already said — a wall of post-its
    repeated the same section and stage above every note — and a row that only repeats the
    stage."""
    values = dict(attrs)
    return [f"{ATTR_LABELS.get(k, k)} : {v}" for k, v in attrs
            if before.get(k) != v and not (k == "ligne" and values.get("etape") == v)]


def conversation_html(turns: Sequence[TurnView], codebook: Codebook,
                      focus: str | None = None) -> str:
    """The conversation as escaped HTML; the `focus` segment is outlined."""
    labels = {c.id: c.label for c in codebook.codes}
    blocks = []
    before: dict[str, str] = {}
    for turn in turns:
        role = ROLE_LABELS.get(turn.role, turn.role) if turn.speaker else ""
        meta = " · ".join(esc(x) for x in (role, turn.timestamp,
                                            *_changed_attrs(turn.attrs, before)) if x)
        before = dict(turn.attrs)
        head = f"<b>{esc(turn.speaker)}</b> " if turn.speaker else ""
        body = []
        for piece in turn.pieces:
            text = _piece_html(piece, codebook, labels)
            if piece.segment_id == focus:
                text = (f'<span id="segment-{esc(focus)}" style="outline:2px solid #1f77b4;'
                        f'outline-offset:2px">{text}</span>')
            body.append(text)
        header = f'<div>{head}<span style="color:#666">{meta}</span></div>' if head or meta \
            else ""
        blocks.append(f'<div style="margin-bottom:0.8em">{header}'
                      f'<div style="white-space:pre-wrap">{"".join(body)}</div></div>')
    return "".join(blocks)
