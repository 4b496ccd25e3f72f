"""Read and write a codebook file, the format chosen from its suffix."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from listening.codebook import find_problems, raise_problems
from listening.errors import InputError
from listening.model import Codebook

from .qdc_format import parse_refi, qdc_bytes
from .xlsx_format import parse_xlsx, xlsx_bytes
from .yaml_format import dump_yaml, parse_yaml

YAML_SUFFIXES = (".yaml", ".yml")
READ_SUFFIXES = (*YAML_SUFFIXES, ".xlsx", ".qdc", ".qde", ".qdpx")
WRITE_SUFFIXES = (*YAML_SUFFIXES, ".xlsx", ".qdc")


def _suffix(path: Path, allowed: Sequence[str]) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise InputError(
            f"format « {path.suffix or '(sans extension)'} » non géré pour un livre de codes : "
            f"utilisez {', '.join(allowed)}",
            str(path),
        )
    return suffix



def import_codebook(
    path: str | Path, *, require_families: bool = False
) -> tuple[Codebook, list[str]]:
    """Read a codebook in any supported format, validate it, return it with French warnings.

    Foreign REFI-QDA codebooks have no valence or journey families: their codes become
    themes (with a warning) and, with the default `require_families=False`, codes without
    a definition are accepted. Raises CodebookError listing every problem found.
    """
    path = Path(path)
    suffix = _suffix(path, READ_SUFFIXES)
    if not path.is_file():
        raise InputError("fichier introuvable : vérifiez le chemin", str(path))
    source = str(path)
    if suffix in YAML_SUFFIXES:
        parsed = parse_yaml(path.read_text(encoding="utf-8"), source)
    elif suffix == ".xlsx":
        parsed = parse_xlsx(path.read_bytes(), source)
    else:
        parsed = parse_refi(path.read_bytes(), source, name=path.stem)
    codebook = parsed.codebook
    problems = parsed.problems + find_problems(
        codebook, source=source, lines=parsed.lines, require_families=require_families
    )
    raise_problems(problems, source)
    return codebook, parsed.warnings


def load_codebook(path: str | Path) -> Codebook:
    """Read and fully validate a codebook: themes, valence and journeys required.

    Use `import_codebook` to see the warnings about what a foreign format dropped.
    """
    return import_codebook(path, require_families=True)[0]


def save_codebook(codebook: Codebook, path: str | Path) -> None:
    """Write a codebook as `.yaml`/`.yml`, `.xlsx` or `.qdc` (from the suffix)."""
    path = Path(path)
    suffix = _suffix(path, WRITE_SUFFIXES)
    if suffix in YAML_SUFFIXES:
        path.write_text(dump_yaml(codebook), encoding="utf-8")
    elif suffix == ".xlsx":
        path.write_bytes(xlsx_bytes(codebook))
    else:
        path.write_bytes(qdc_bytes(codebook))


def convert_codebook(source: str | Path, dest: str | Path) -> tuple[Codebook, list[str]]:
    """Read `source` leniently and write it to `dest`; returns what was read and the warnings."""
    _suffix(Path(dest), WRITE_SUFFIXES)
    codebook, warnings = import_codebook(source)
    save_codebook(codebook, dest)
    return codebook, warnings
