"""Plain text and Markdown transcripts, and the one decoder every text-based reader uses.

French files come in UTF-8 (with or without BOM), UTF-16 (Windows Notepad "Unicode"),
cp1252 or latin-1, and sometimes DOS cp850 or Mac Roman. Charset detectors are unreliable on
short French texts (a cp1252 "é" is often taken for cp1250), so UTF-8 is tried first, then the
legacy encodings are scored by how French their accented letters look, and charset-normalizer
only decides for texts that fit none of them.
"""

from __future__ import annotations

import codecs
import contextlib
import unicodedata
from pathlib import Path

from ..errors import InputError

NOT_TEXT = (
    "ne semble pas être un fichier texte (contenu binaire) : vérifiez qu'il s'agit du bon "
    "fichier, ou ouvrez-le dans son logiciel d'origine et enregistrez-le en texte "
    "(.txt, UTF-8), puis réessayez"
)
EMPTY = "fichier vide : aucun texte à lire ; vérifiez que c'est le bon fichier et qu'il a été enregistré"

_LEGACY = ("cp1252", "cp850", "mac_roman")
# Non-ASCII characters expected in French text (letters with diacritics, typography).
_FRENCH = set("éèêëàâäîïôöùûüçÿæœÉÈÊËÀÂÄÎÏÔÖÙÛÜÇŸÆŒ«»’‘“”–—…€°\u00a0\u202f·")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_text(path: Path, source: str | None = None) -> str:
    """The decoded text of a file; InputError when empty or not text."""
    return decode_bytes(path.read_bytes(), source or path.name)


def decode_bytes(data: bytes, source: str = "") -> str:
    """Decode a text file's bytes, keeping French accents whatever the encoding."""
    if not data.strip():
        raise InputError(EMPTY, source=source)
    text = _decode(data, source)
    if not text.strip("\ufeff \t\r\n\x0c\x0b\u00a0"):
        raise InputError(EMPTY, source=source)
    if _looks_binary(text):
        raise InputError(NOT_TEXT, source=source)
    return text.lstrip("\ufeff")


def _decode(data: bytes, source: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise InputError(NOT_TEXT, source=source) from None
    with contextlib.suppress(UnicodeDecodeError):  # not UTF-8: try the other encodings below
        return data.decode("utf-8")
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return utf16
    if b"\x00" in data:
        raise InputError(NOT_TEXT, source=source)
    mixed = _mixed_utf8(data)
    if mixed is not None:
        return mixed
    best: tuple[float, str] | None = None
    for encoding in _LEGACY:
        try:
            candidate = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _frenchness(candidate)
        if best is None or score > best[0]:
            best = (score, candidate)
    if best is not None and best[0] >= 0.8:
        return best[1]
    from charset_normalizer import from_bytes

    match = from_bytes(data).best()
    if match is None:
        if best is not None and best[0] >= 0.5:
            return best[1]
        raise InputError(NOT_TEXT, source=source)
    return str(match)


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: many zero bytes on one side of each pair."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    for zeros, encoding in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if zeros.count(0) >= 0.4 * len(zeros):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _mixed_utf8(data: bytes) -> str | None:
    """Lines in UTF-8 among lines in cp1252 (a file pasted together from two editors): each
    line decoded on its own. Whole-file detection would turn every accent into mojibake."""
    lines, utf8_accents = [], False
    for line in data.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
            utf8_accents = utf8_accents or not line.isascii()
        except UnicodeDecodeError:
            try:
                lines.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                return None
    text = "\n".join(lines)
    return text if utf8_accents and _frenchness(text) >= 0.8 else None


def _frenchness(text: str) -> float:
    """Share of non-ASCII characters that are usual in French text (1.0 when all are)."""
    special = [c for c in text if ord(c) > 127]
    if not special:
        return 1.0
    return sum(c in _FRENCH for c in special) / len(special)


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    controls = sum(
        1
        for c in sample
        if (unicodedata.category(c) == "Cc" and c not in "\t\n\r\x0c\x0b") or c == "\ufffd"
    )
    return controls > max(2, len(sample) // 100)
