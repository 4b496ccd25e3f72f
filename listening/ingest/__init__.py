"""Readers: files -> Documents. One module per family of formats; this module dispatches.

    read_file(path, options, name=...)  -> list[Document]  (one per spreadsheet row)
    read(path, options, name=...)       -> ReadResult       (documents + warnings + skipped rows)
    parse_turns(text)                   -> list[RawTurn]    (the speaker parser, pure)
    infer_roles(turns)                  -> list[str]
    load_manifest(path) / find_manifest(folder)
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..errors import InputError
from ..model import Document, RawTurn, build_document
from .manifest import Manifest, ManifestEntry, find_manifest, load_manifest, role_value
from .options import SUPPORTED_SUFFIXES, ReadOptions, ReadResult
from .roles import infer_roles, speaker_key
from .turns import Line, parse_lines, parse_turns

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Manifest",
    "ManifestEntry",
    "ReadOptions",
    "ReadResult",
    "find_manifest",
    "infer_roles",
    "load_manifest",
    "parse_turns",
    "read",
    "read_file",
]


def read_file(path: Path, options: ReadOptions | None = None, *,
              name: str | None = None) -> list[Document]:
    """Documents of one file: one for a transcript or notes, one per row for a spreadsheet.

    `name` is the path relative to the ingested folder (Document.name, error messages)."""
    return list(read(path, options, name=name).documents)


def read(path: Path, options: ReadOptions | None = None, *,
         name: str | None = None) -> ReadResult:
    """Like read_file, with the data-quality warnings (French) and skipped spreadsheet rows."""
    path = Path(path)
    options = options or ReadOptions()
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        formats = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise InputError(f"format « {suffix or 'sans extension'} » non pris en charge : "
                         f"enregistrez le fichier dans l'un de ces formats : {formats}",
                         source=name)
    if not path.is_file():
        raise InputError("fichier introuvable : vérifiez le chemin", source=name)
    roles = {speaker_key(k): role_value(v, name) for k, v in options.roles.items()}
    fmt = suffix[1:]
    if suffix == ".csv":
        from .tables import read_csv_table, table_documents

        return table_documents(read_csv_table(path, name), name, options, fmt)
    if suffix == ".xlsx":
        from .tables import read_xlsx_table, table_documents

        return table_documents(read_xlsx_table(path, name, options.sheet), name, options, fmt)
    turns, extra = _transcript_turns(path, suffix, name, options)
    warnings = []
    if not turns:
        from .text import EMPTY

        raise InputError(EMPTY, source=name)
    meta = options.meta
    if extra:
        meta = replace(meta, extra={**extra, **meta.extra})
    if meta.type == "entretien" and not any(t.speaker for t in turns):
        warnings.append("aucun locuteur reconnu : chaque paragraphe devient un tour sans "
                        "locuteur (indiquez speaker_pattern si le fichier a des locuteurs)")
    inferred = infer_roles(turns, doc_type=meta.type)
    turns = [
        replace(t, role=roles.get(speaker_key(t.speaker), role)) if t.speaker
        else replace(t, role=role)
        for t, role in zip(turns, inferred)
    ]
    document = build_document(name, turns, meta=meta, source_format=fmt)
    return ReadResult((document,), tuple(warnings))


def _transcript_turns(path: Path, suffix: str, name: str,
                      options: ReadOptions) -> tuple[list[RawTurn], dict[str, str]]:
    pattern = options.speaker_pattern
    if suffix in (".txt", ".md"):
        from .text import read_text

        return parse_turns(read_text(path, name), source=name, speaker_pattern=pattern), {}
    if suffix in (".docx", ".odt"):
        from .word import read_docx, read_odt

        body = (read_docx if suffix == ".docx" else read_odt)(path, name)
        return parse_lines(body.blocks, source=name, speaker_pattern=pattern), body.extra
    if suffix == ".pdf":
        from ..model import normalise_text
        from .pdf import read_pdf

        lines = [Line(line) for line in normalise_text(read_pdf(path, name)).split("\n")]
        return parse_lines(lines, source=name, speaker_pattern=pattern, join=" "), {}
    from .subtitles import parse_subtitles
    from .text import read_text

    return parse_subtitles(read_text(path, name), fmt=suffix[1:], source=name), {}

