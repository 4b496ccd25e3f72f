"""Storing what an import brought: codebook, documents with segments, codings, memos.

Codebook policy: a project without a codebook takes the imported one; a project that has one
keeps it and gains the imported codes it lacks (a new codebook version), so codings already
made keep their codes. A document whose identifier is already in the project is left out
(with its codings), never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..codebook import find_problems, raise_problems
from ..errors import InputError
from ..model import Codebook
from ..store import (
    Project,
    add_codings,
    add_document,
    current_codebook,
    get_codings,
    save_codebook,
    set_memo,
    source_status,
)
from .refi_import import Imported
from .wording import plural


@dataclass
class ImportSummary:
    """What an import brought into a project, and what it could not (French warnings)."""

    source: str
    documents: int = 0
    segments: int = 0
    codings: int = 0
    codes: int = 0  # codes in the file's codebook
    codes_added: int = 0  # codes new to the project
    coders: list[str] = field(default_factory=list)
    memos: int = 0  # notes brought in (several on one target make one memo)
    warnings: list[str] = field(default_factory=list)
    codebook_only: bool = False  # a codebook file (.qdc, .yaml, .xlsx)

    def lines(self) -> list[str]:
        if self.codebook_only:
            head = (f"{Path(self.source).name} : livre de codes de {plural(self.codes, 'code')}, "
                    f"dont {plural(self.codes_added, 'nouveau', 'nouveaux')} pour le projet ; "
                    "c'est désormais le livre de codes courant du projet.")
            return [head, *(f"Attention : {w}" for w in self.warnings)]
        head = (f"{Path(self.source).name} : {plural(self.documents, 'document')}, "
                f"{plural(self.segments, 'segment')}, {plural(self.codings, 'codage')}, "
                f"{plural(self.codes, 'code')} dont {plural(self.codes_added, 'nouveau', 'nouveaux')}"
                f" pour le projet, {plural(self.memos, 'note')}")
        head += f" ; codeurs : {', '.join(self.coders)}." if self.coders else "."
        return [head, *(f"Attention : {w}" for w in self.warnings)]


def merge_codebooks(current: Codebook, imported: Codebook) -> tuple[Codebook, int]:
    """The current codebook plus the imported codes it lacks (by id)."""
    known = {c.id for c in current.codes}
    added = tuple(c for c in imported.codes if c.id not in known)
    if not added:
        return current, 0
    merged = Codebook(current.name, f"{current.version}+import", current.codes + added,
                      current.description)
    raise_problems(find_problems(merged, require_families=False))
    return merged, len(added)


def store_codebook(project: Project, codebook: Codebook, actor: str) -> int:
    """Record an imported codebook under the policy above; returns how many codes are new."""
    try:
        current = current_codebook(project)
    except InputError:
        save_codebook(project, codebook, actor=actor)
        return len(codebook.codes)
    merged, added = merge_codebooks(current, codebook)
    if added:
        save_codebook(project, merged, actor=actor)
    return added


def replace_codebook(project: Project, codebook: Codebook, actor: str) -> tuple[int, list[str]]:
    """Make a codebook file the project's current codebook (a new version).

    Returns how many code ids are new, and a warning when codings use codes it lacks.
    """
    try:
        previous = {c.id for c in current_codebook(project).codes}
    except InputError:
        previous = set()
    save_codebook(project, codebook, actor=actor)
    ids = {c.id for c in codebook.codes}
    orphans = sorted({c.code_id for c in get_codings(project)} - ids)
    warnings = [f"{len(orphans)} codes utilisés par des codages existants sont absents de ce "
                f"livre de codes : {', '.join(orphans[:5])}{'…' if len(orphans) > 5 else ''}"
                ] if orphans else []
    return len(ids - previous), warnings


def store_imported(project: Project, imported: Imported) -> ImportSummary:
    actor = f"import {Path(imported.source).name}"
    summary = ImportSummary(imported.source, warnings=list(imported.warnings))
    if imported.codebook is not None:
        summary.codes = len(imported.codebook.codes)
        summary.codes_added = store_codebook(project, imported.codebook, actor)
    codings, stored = [], {""}
    for item in imported.documents:
        doc = item.document
        status = source_status(project, doc.external_id, doc.hash)
        if status != "new":
            why = ("déjà importé" if status == "unchanged" else
                   "un autre document du projet porte déjà cet identifiant ; renommez la source")
            summary.warnings.append(f"« {doc.external_id} » non importé ({why}), "
                                    f"avec ses {len(item.codings)} codages")
            continue
        add_document(project, doc, item.segments, source_hash=doc.hash,
                     pseudonymised=imported.pseudonymised, actor=actor)
        summary.documents += 1
        summary.segments += len(item.segments)
        codings += item.codings
        stored |= {doc.id, *(s.id for s in item.segments)}
    summary.codings = add_codings(project, codings, actor=actor) if codings else 0
    summary.coders = sorted({c.coder for c in codings})
    summary.memos = _store_memos(project, [m for m in imported.memos
                                           if m[0] in ("code", "project") or m[1] in stored])
    return summary


def _store_memos(project: Project, memos: list[tuple[str, str, str, str]]) -> int:
    """One memo per (target, coder): several notes on the same target are joined."""
    joined: dict[tuple[str, str, str], list[str]] = {}
    for kind, target, text, coder in memos:
        joined.setdefault((kind, target, coder), []).append(text)
    for (kind, target, coder), texts in joined.items():
        set_memo(project, kind, target, "\n\n".join(texts), coder=coder)
    return len(memos)
