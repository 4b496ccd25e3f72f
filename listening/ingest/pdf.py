"""PDF transcripts with a text layer. Scanned PDFs (no text) are refused with the OCR hint.

Page furniture is removed before the speaker parser sees the text: running headers and
footers repeated across pages, page numbers, and hyphens splitting a word across lines.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import InputError
from ..model import normalise_text
from .text import EMPTY

NO_TEXT = (
    "aucun texte extractible (PDF scanné ?) : lancez une reconnaissance de caractères (OCR) "
    "puis réessayez"
)
PDF_DAMAGED = (
    "fichier PDF endommagé ou illisible : ouvrez-le et enregistrez-le à nouveau en PDF, "
    "puis réessayez"
)
PDF_PROTECTED = (
    "PDF protégé par un mot de passe : enregistrez-le sans mot de passe puis réessayez"
)
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-–—(]?\s*\d{1,4}\s*(?:(?:/|sur|of)\s*\d{1,4})?\s*[-–—)]?$", re.IGNORECASE
)
# Hyphen-joined French words whose second part must keep its hyphen: peut-être, dit-il ...
_KEEP_HYPHEN = frozenset(
    "être ce ci là il ils elle elles on je tu nous vous moi toi lui leur eux y en t même "
    "mêmes dire delà dessus dessous".split()
)
_HYPHENATED = re.compile(r"(\w)-\n[ \t]*([a-zàâäçéèêëîïôöûùüÿœæ]+)")
_EDGE = 3  # lines at the top and bottom of a page that may be running headers or footers


def read_pdf(path: Path, source: str) -> str:
    """The text of a PDF's pages, cleaned of page furniture."""
    data = path.read_bytes()
    if not data.strip():
        raise InputError(EMPTY, source=source)
    if b"%PDF" not in data[:1024]:
        raise InputError(PDF_DAMAGED, source=source)
    with _quiet():
        pages = _pages(data, source)
    if not any(re.search(r"\w", page) for page in pages):
        raise InputError(NO_TEXT, source=source)
    return clean_pages(pages)


@contextmanager
def _quiet() -> Iterator[None]:
    """pypdf logs and warns about every repaired defect; the reader reports in French."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _pages(data: bytes, source: str) -> list[str]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(PDF_PROTECTED, source=source)
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many kinds on a damaged file
        if "decrypt" in str(exc).lower() or "password" in str(exc).lower():
            raise InputError(PDF_PROTECTED, source=source) from None
        raise InputError(PDF_DAMAGED, source=source) from None
    return pages


def clean_pages(pages: list[str]) -> str:
    """Pages joined, without repeated headers/footers, page numbers or end-of-line hyphens."""
    split = [[line.strip() for line in normalise_text(p).split("\n")] for p in pages]
    split = [[line for line in lines if line] for lines in split]
    repeated = _running_lines(split) if len(split) >= 2 else set()
    kept: list[str] = []
    for lines in split:
        edges = set(range(min(_EDGE, len(lines)))) | set(range(max(0, len(lines) - _EDGE),
                                                               len(lines)))
        for i, line in enumerate(lines):
            if i in edges and (_PAGE_NUMBER.match(line) or _furniture_key(line) in repeated):
                continue
            kept.append(line)
    text = "\n".join(kept)
    return _HYPHENATED.sub(_join_hyphen, text)


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.casefold())


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines (digits ignored) found at the top or bottom of at least half of the pages."""
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = lines[:_EDGE] + lines[-_EDGE:]
        counts.update({_furniture_key(line) for line in edge if not line.endswith(":")})
    threshold = max(2, (len(pages) + 1) // 2)
    return {key for key, n in counts.items() if n >= threshold}


def _join_hyphen(match: re.Match) -> str:
    word = match.group(2)
    return f"{match.group(1)}-{word}" if word in _KEEP_HYPHEN else f"{match.group(1)}{word}"
