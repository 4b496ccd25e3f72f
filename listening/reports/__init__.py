"""Reports: a Word report, an Excel workbook, REFI-QDA projects and codebooks — and imports.

`write_report` picks the format from the destination's suffix; `import_file` brings a
REFI-QDA project (.qdpx, .qde) or a codebook (.qdc, .yaml, .xlsx) into a project. Builders
are pure functions of a `ReportData` read once from the project.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..codebook_io import import_codebook
from ..codebook_io import save_codebook as write_codebook
from ..errors import InputError
from ..store import Project, current_codebook, init_project
from .data import ReportData, build_report_data
from .excel import workbook_bytes
from .refi import qde_bytes, qdpx_bytes
from .refi_import import parse_project
from .refi_store import ImportSummary, replace_codebook, store_imported
from .word import word_bytes

REPORT_SUFFIXES = (".docx", ".xlsx", ".qdpx", ".qde", ".qdc")
IMPORT_SUFFIXES = (".qdpx", ".qde", ".qdc", ".yaml", ".yml", ".xlsx")
DEMO_FILES = ("rapport.docx", "donnees.xlsx", "projet.qdpx", "livre-de-codes.qdc")

__all__ = ["DEMO_FILES", "ImportSummary", "ReportData", "build_report_data", "import_file",
           "write_all", "write_report"]


def _atomic_write(dest: Path, content: bytes) -> None:
    """Write beside the destination then rename, so a failure never leaves half a file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_options(suffix: str, dest: Path, journey: str | None, template: Path | None) -> None:
    if suffix not in REPORT_SUFFIXES:
        raise InputError(f"format « {dest.suffix or '(sans extension)'} » non géré pour un "
                         f"rapport : utilisez {', '.join(REPORT_SUFFIXES)}", str(dest))
    if template is not None and suffix != ".docx":
        raise InputError("--template ne s'applique qu'au rapport Word (.docx)", str(dest))
    if journey is not None and suffix not in (".docx", ".xlsx"):
        raise InputError("--journey ne s'applique qu'aux rapports .docx et .xlsx ; un projet "
                         "REFI-QDA ou un livre de codes contient tout le projet", str(dest))


def write_report(project: Project, dest: Path, *, journey: str | None = None,
                 template: Path | None = None) -> Path:
    """Write a report whose format comes from the suffix: .docx, .xlsx, .qdpx, .qde, .qdc."""
    dest = Path(dest)
    suffix = dest.suffix.lower()
    _check_options(suffix, dest, journey, template)
    if suffix == ".qdc":
        dest.parent.mkdir(parents=True, exist_ok=True)
        write_codebook(current_codebook(project), dest)
        return dest
    data = build_report_data(project, journey=journey)
    build = {".docx": lambda: word_bytes(data, template), ".xlsx": lambda: workbook_bytes(data),
             ".qdpx": lambda: qdpx_bytes(data), ".qde": lambda: qde_bytes(data)}[suffix]
    _atomic_write(dest, build())
    return dest


def write_all(project: Project, folder: Path) -> list[Path]:
    """The four deliverables (Word, Excel, REFI-QDA project, codebook) in `folder`."""
    return [write_report(project, Path(folder) / name) for name in DEMO_FILES]


def import_file(project: Project | Path, path: Path) -> ImportSummary:
    """Import a REFI-QDA project (.qdpx, .qde) or a codebook (.qdc, .yaml, .xlsx).

    A project file adds documents, segments, codings and memos (refi_store's policy); a
    codebook file becomes the project's current codebook (a new version).

    A folder path instead of a Project creates the project when it does not exist yet.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise InputError(f"format « {path.suffix or '(sans extension)'} » non géré à "
                         f"l'import : utilisez {', '.join(IMPORT_SUFFIXES)}", str(path))
    if not path.is_file():
        raise InputError("fichier introuvable : vérifiez le chemin", str(path))
    if not isinstance(project, Project):
        project = init_project(Path(project))
    if suffix in (".qdpx", ".qde"):
        imported = parse_project(path, max_chars=project.settings.segment_max_chars)
        return store_imported(project, imported)
    codebook, warnings = import_codebook(path)
    summary = ImportSummary(str(path), codes=len(codebook.codes), warnings=list(warnings),
                            codebook_only=True)
    summary.codes_added, orphans = replace_codebook(project, codebook, f"import {path.name}")
    summary.warnings += orphans
    return summary
