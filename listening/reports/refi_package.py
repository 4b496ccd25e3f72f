"""Reading a REFI-QDA package: the project XML and the source files it points at.

A `.qdpx` is a zip with `project.qde` (at the root, in practice) and `sources/`; a bare `.qde`
may have its `sources/` folder next to it. Names are matched without regard to case.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from ..errors import InputError


@dataclass
class Package:
    xml: bytes
    files: dict[str, bytes]  # lower-cased archive path -> content
    folder: Path | None  # next to a bare .qde


def read_package(path: Path) -> Package:
    data = path.read_bytes()
    if not data.startswith(b"PK"):
        return Package(data, {}, path.parent)
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError(f"archive .qdpx illisible ({exc})", str(path)) from exc
    with archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        qde = sorted((n for n in names if n.lower().endswith(".qde")), key=lambda n: n.count("/"))
        if not qde:
            raise InputError("aucun fichier project.qde dans l'archive .qdpx : est-ce bien un "
                             "export REFI-QDA ?", str(path))
        files = {n.lower(): archive.read(n) for n in names if n != qde[0]}
        return Package(archive.read(qde[0]), files, None)


def file_text(package: Package, where: str, base: str | None) -> bytes | None:
    """The bytes a plainTextPath points at, or None when they are not available."""
    scheme, _, rest = where.partition("://")
    rest = rest.lstrip("/")
    if scheme.lower() == "internal":
        wanted = [f"sources/{rest}".lower(), rest.lower()]
        found = next((package.files[w] for w in wanted if w in package.files), None)
        if found is None:
            tail = rest.lower().rsplit("/", 1)[-1]
            found = next((v for k, v in package.files.items() if k.rsplit("/", 1)[-1] == tail),
                         None)
        if found is not None or package.folder is None:
            return found
        candidates = [package.folder / "sources" / rest, package.folder / rest]
    elif scheme.lower() == "relative":
        candidates = [Path(base) / rest] if base else []
        candidates += [package.folder / rest] if package.folder else []
    else:
        return None
    for candidate in candidates:
        match = _case_insensitive(candidate)
        if match is not None:
            return match.read_bytes()
    return None


def _case_insensitive(path: Path) -> Path | None:
    if path.is_file():
        return path
    parent = path.parent if path.parent.is_dir() else _case_insensitive_dir(path.parent)
    if parent is None:
        return None
    return next((p for p in parent.iterdir() if p.name.lower() == path.name.lower()
                 and p.is_file()), None)


def _case_insensitive_dir(path: Path) -> Path | None:
    if path.is_dir():
        return path
    if not path.parent.is_dir():
        return None
    return next((p for p in path.parent.iterdir() if p.name.lower() == path.name.lower()
                 and p.is_dir()), None)


def decode(raw: bytes, name: str, warnings: list[str]) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append(f"texte de « {name} » qui n'est pas en UTF-8 : lu en Windows-1252")
        return raw.decode("cp1252", errors="replace")
