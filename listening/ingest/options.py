"""What a caller can tell a reader about a file, and what a reader reports besides documents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..model import Document, Metadata

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".docx", ".odt", ".txt", ".md", ".pdf", ".vtt", ".srt", ".csv", ".xlsx"}
)


@dataclass(frozen=True)
class ReadOptions:
    """Per-file reading options: from the command line, a manifest entry, or a caller."""

    text_column: str | None = None  # spreadsheets: the column holding the verbatim
    id_column: str | None = None  # spreadsheets: the column holding each row's id
    # Metadata field (journey, stage, public, territory, date, channel, case, category, ...)
    # -> column header. Fields that are not Metadata fields land in meta.extra.
    columns: Mapping[str, str] = field(default_factory=dict)
    sheet: str | None = None  # spreadsheets: the sheet to read (default: the first non-empty)
    speaker_pattern: str | None = None  # a regex with (?P<speaker>...) [and (?P<time>...)]
    roles: Mapping[str, str] = field(default_factory=dict)  # speaker label -> role
    meta: Metadata = field(default_factory=Metadata)  # applied to every document read


@dataclass(frozen=True)
class ReadResult:
    """Documents read from one file, with the data-quality warnings met on the way (French)."""

    documents: tuple[Document, ...]
    warnings: tuple[str, ...] = ()
    skipped_rows: int = 0  # spreadsheet rows without text
