"""French formatting for reports: numbers, shares, dates, plurals, quotes, references."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

NBSP = "\u00a0"
NNBSP = "\u202f"
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
QUOTE_CHARS = 320
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry (control characters from PDFs…)."""
    return _NOT_XML.sub("", text)


def fr_int(n: int) -> str:
    """12 345 (narrow no-break space between thousands)."""
    return f"{int(n):,}".replace(",", NNBSP)


def fr_pct(share: float | None, digits: int = 0) -> str:
    """0.4286 -> "43 %"; None or NaN -> "—"."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    value = f"{share * 100:.{digits}f}".replace(".", ",")
    return f"{value}{NBSP}%"


def fr_num(value: float | None, digits: int = 2) -> str:
    """0.734 -> "0,73"; None or NaN -> "—"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    value = round(value, digits) + 0.0  # no "-0,00"
    return f"{value:.{digits}f}".replace(".", ",")


def fr_date(iso: str | None) -> str:
    """"2024-10-04..." -> "4 octobre 2024"; a partial date is kept as written."""
    if not iso or len(iso) < 10 or iso[4] != "-" or iso[7] != "-":
        return iso or "—"
    year, month, day = int(iso[:4]), int(iso[5:7]), int(iso[8:10])
    return f"{'1er' if day == 1 else day} {MONTHS[month - 1]} {year}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """"1 segment", "3 segments" (French: 0 and 1 take the singular)."""
    word = one if abs(n) < 2 else (many or one + "s")
    return f"{fr_int(n)} {word}"


def agree(n: int, one: str, many: str) -> str:
    """The form of a verb or adjective agreeing with a count: agree(1, "a", "ont")."""
    return one if abs(n) < 2 else many


def enumerate_fr(items: Iterable[str]) -> str:
    """["a", "b", "c"] -> "a, b et c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} et {items[-1]}"


def trim(text: str, limit: int = QUOTE_CHARS) -> str:
    """One line, cut at a word boundary with an ellipsis when longer than `limit`."""
    text = " ".join(xml_safe(text).split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def quoted(text: str) -> str:
    return f"«{NBSP}{trim(text)}{NBSP}»"
