"""The spreadsheet format: sheet « Codes » (one row per code) and « Livre de codes »."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from listening.codebook import fold, path_label
from listening.errors import InputError
from listening.model import Codebook

from ._common import (
    _FAMILY_WORDS,
    FAMILY_FRENCH,
    ID_PREFIX,
    Parsed,
    _child_family,
    _Fields,
    _slug,
    _unique,
)

XLSX_COLUMNS = {  # field -> French header written on export
    "id": "identifiant", "parent": "parent", "path": "chemin", "label": "libellé",
    "family": "famille", "definition": "définition", "include": "inclusion",
    "exclude": "exclusion", "examples": "exemples", "colour": "couleur", "codable": "codable",
    "patterns": "motifs", "order": "ordre", "description": "description",
    "organisations": "organismes", "publics": "publics",
}
_XLSX_WIDTHS = (28, 24, 40, 30, 10, 60, 40, 40, 50, 10, 9, 30, 7, 50, 25, 25)
_HEADER_ALIASES = {
    "id": ("id", "identifiant", "code id", "id code"),
    "parent": ("parent", "id parent", "parent id", "code parent", "identifiant parent"),
    "path": ("path", "chemin", "hierarchie", "arborescence"),
    "label": ("label", "libelle", "nom", "name", "intitule"),
    "family": ("family", "famille"),
    "definition": ("definition",),
    "include": ("include", "inclusion", "inclure", "criteres d inclusion"),
    "exclude": ("exclude", "exclusion", "exclure", "criteres d exclusion"),
    "examples": ("examples", "example", "exemples", "exemple"),
    "colour": ("colour", "color", "couleur"),
    "codable": ("codable", "iscodable"),
    "patterns": ("patterns", "pattern", "motifs", "motif"),
    "order": ("order", "ordre"),
    "description": ("description",),
    "organisations": ("organisations", "organizations", "organismes"),
    "publics": ("publics", "public"),
}
_HEADERS = {alias: key for key, aliases in _HEADER_ALIASES.items() for alias in aliases}
META_SHEET = "Livre de codes"


@dataclass(eq=False)
class _Row:
    line: int | None
    values: dict
    path: tuple[str, ...]
    parent: _Row | None = None
    family: str | None = None
    id: str | None = None


def _read_sheets(data: bytes, source: str) -> tuple[list[tuple[int, list]], dict[str, str]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(f"classeur illisible ({exc}) : enregistrez-le au format .xlsx",
                         source) from exc
    sheet = book["Codes"] if "Codes" in book.sheetnames else book.worksheets[0]
    rows = [(i, [v.strip() if isinstance(v, str) else v for v in row])
            for i, row in enumerate(sheet.iter_rows(values_only=True), 1)]
    meta: dict[str, str] = {}
    if META_SHEET in book.sheetnames:
        for row in book[META_SHEET].iter_rows(values_only=True):
            if len(row) >= 2 and row[0]:
                meta[fold(str(row[0]))] = "" if row[1] is None else str(row[1]).strip()
    book.close()
    return [(i, r) for i, r in rows if any(v not in (None, "") for v in r)], meta


def _split_path(path: str) -> tuple[str, ...]:
    separator = ">" if ">" in path else "/"
    return tuple(p.strip() for p in path.split(separator) if p.strip())


def parse_xlsx(data: bytes, source: str = "<xlsx>") -> Parsed:
    """One row per code; hierarchy from a parent column (id or label) or a path column."""
    rows, meta = _read_sheets(data, source)
    if not rows:
        raise InputError("feuille vide : une ligne d'en-têtes puis une ligne par code", source)
    header_line, header = rows[0]
    columns = {i: _HEADERS.get(fold(str(h or ""))) for i, h in enumerate(header)}
    if not {"label", "path"} & set(columns.values()):
        raise InputError("colonne « libellé » ou « chemin » introuvable : la première ligne doit "
                         "porter les en-têtes (identifiant, parent, libellé, définition…)",
                         source, header_line)
    out = Parsed(meta.get("nom", Path(source).stem), meta.get("version", ""),
                 meta.get("description", ""))
    ignored = [str(h) for i, h in enumerate(header) if h not in (None, "") and not columns[i]]
    if ignored:
        out.warnings.append(f"colonnes ignorées : {', '.join(ignored)}")
    records = []
    for line, row in rows[1:]:
        values = {columns[i]: v for i, v in enumerate(row) if columns.get(i) and v not in
                  (None, "")}
        path = _split_path(str(values.pop("path", "")))
        if path and "label" not in values:
            values["label"] = path[-1]
        records.append(_Row(line, values, path))
    _xlsx_tree(records, out)
    for row in records:
        out.add(_Fields(source, out.problems).code(
            row.values | {"id": row.id, "family": row.family}, row.line), row.line)
    return out


def _xlsx_tree(records: list[_Row], out: Parsed) -> None:
    """Resolve parents (id, label or path), families and missing ids, in place."""
    by_id = {str(r.values["id"]): r for r in records if r.values.get("id")}
    by_label: dict[str, _Row] = {}
    by_path = {tuple(map(fold, r.path)): r for r in records if r.path}
    for row in records:
        by_label.setdefault(fold(str(row.values.get("label", ""))), row)

    def find(path: tuple[str, ...], before: _Row) -> _Row:
        found = by_path.get(tuple(map(fold, path)))
        if found is None and len(path) == 1:
            found = by_id.get(path[0]) or by_label.get(fold(path[0]))
        if found is None:  # a folder the sheet only names in paths: created above `before`
            found = _Row(None, {"label": path[-1], "codable": False}, path)
            found.parent = find(path[:-1], before) if len(path) > 1 else None
            by_path[tuple(map(fold, path))] = found
            records.insert(records.index(before), found)
            out.warnings.append(f"dossier « {' > '.join(path)} » créé : il n'a pas de ligne")
        return found

    for row in list(records):
        ref = row.values.get("parent")
        if ref not in (None, ""):
            row.parent = by_id.get(str(ref).strip()) or by_label.get(fold(str(ref)))
            if row.parent is None:
                row.values["parent"] = str(ref).strip()  # unknown: validation says so
        elif len(row.path) > 1:
            row.parent = find(row.path[:-1], row)
    taken = set(by_id)
    guessed = [0]

    def resolve(row: _Row, below: frozenset = frozenset()) -> None:
        """Parent first; in a cycle the first row met is treated as a root."""
        parent = row.parent if row.parent not in below else None
        if parent is not None:
            resolve(parent, below | {row})
        if row.id is not None:
            return
        family = _FAMILY_WORDS.get(fold(str(row.values.get("family", ""))))
        given = str(row.values.get("id") or "").strip()
        family = family or {v: k for k, v in ID_PREFIX.items()}.get(given.split(".", 1)[0])
        row.family = family or _child_family(parent.family if parent else None)
        guessed[0] += family is None and row.family == "theme"
        base = (parent.id if parent and parent.id else ID_PREFIX[row.family])
        row.id = given or _unique(f"{base}.{_slug(str(row.values.get('label', '')))}", taken)

    for row in records:
        resolve(row)
    for row in records:
        if row.parent is not None:
            row.values["parent"] = row.parent.id
    if guessed[0]:
        out.warnings.append(f"{guessed[0]} codes sans famille rangés comme thèmes")


def xlsx_bytes(codebook: Codebook) -> bytes:
    """The spreadsheet form: sheet « Codes » (one row per code) and « Livre de codes »."""
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Codes"
    sheet.append(list(XLSX_COLUMNS.values()))
    ids = {c.id for c in codebook.codes}
    for code in codebook.codes:
        special = {
            "path": path_label(codebook, code.id) if code.id in ids else code.label,
            "family": FAMILY_FRENCH.get(code.family, code.family),
            "codable": "oui" if code.codable else "non",
        }
        row = [special[k] if k in special else getattr(code, k) for k in XLSX_COLUMNS]
        sheet.append([("\n".join(v) if isinstance(v, tuple) else v) or
                      (0 if v == 0 else None) for v in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula
    for i, width in enumerate(_XLSX_WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    meta = book.create_sheet(META_SHEET)
    for key, value in (("nom", codebook.name), ("version", codebook.version),
                       ("description", codebook.description)):
        meta.append([key, value or None])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
