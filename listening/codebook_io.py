"""Read and write codebooks: YAML (authoring), XLSX (one row per code), REFI-QDA `.qdc`.

The format comes from the file suffix. `import_codebook` reads any of them leniently and
returns French warnings about what it dropped or guessed; `load_codebook` also requires the
three families (themes, valence, journeys): the codebook a project codes with.

Text fields are stripped on reading, so `load(save(load(f))) == load(f)` for every format;
`.qdc` keeps every code field (in a labelled Description) but not the codebook description.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from io import BytesIO
from pathlib import Path

import yaml
from lxml import etree

from listening import __version__
from listening.codebook import code_guid, find_problems, fold, path_label, raise_problems
from listening.errors import CodebookError, InputError
from listening.model import Code, Codebook

YAML_SUFFIXES = (".yaml", ".yml")
READ_SUFFIXES = (*YAML_SUFFIXES, ".xlsx", ".qdc", ".qde", ".qdpx")
WRITE_SUFFIXES = (*YAML_SUFFIXES, ".xlsx", ".qdc")

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
ID_PREFIX = {"theme": "theme", "valence": "valence", "journey": "parcours", "stage": "etape"}
SECTIONS = {"themes": "theme", "valence": "valence", "journeys": "journey"}
FAMILY_FRENCH = {"theme": "thème", "valence": "valence", "journey": "parcours", "stage": "étape"}
TEXT_FIELDS = ("label", "definition", "description", "include", "exclude")
LIST_FIELDS = ("examples", "patterns", "organisations", "publics")
OPTIONAL_FIELDS = ("colour", "codable", "order", *TEXT_FIELDS[1:], *LIST_FIELDS)
CODE_KEYS = ("id", "family", "parent", "label", *OPTIONAL_FIELDS, "children", "stages")
TOP_KEYS = ("name", "version", "description", *SECTIONS, "codes")
_DEFAULTS = {f.name: f.default for f in fields(Code)}
_NULLS = ("", "~", "null", "Null", "NULL")
_TRUE = ("true", "vrai", "oui", "yes", "x", "1")
_FALSE = ("false", "faux", "non", "no", "0")
_FAMILY_WORDS = {
    "theme": "theme", "themes": "theme", "valence": "valence", "valences": "valence",
    "journey": "journey", "journeys": "journey", "parcours": "journey",
    "stage": "stage", "stages": "stage", "etape": "stage", "etapes": "stage",
}


def _suffix(path: Path, allowed: Sequence[str]) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise InputError(
            f"format « {path.suffix or '(sans extension)'} » non géré pour un livre de codes : "
            f"utilisez {', '.join(allowed)}",
            str(path),
        )
    return suffix


@dataclass
class Parsed:
    """What a reader found: codes, where each is defined, problems and warnings."""

    name: str
    version: str = ""
    description: str = ""
    codes: list[Code] = field(default_factory=list)
    lines: list[int | None] = field(default_factory=list)
    problems: list[CodebookError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def codebook(self) -> Codebook:
        return Codebook(self.name, self.version, tuple(self.codes), self.description)

    def add(self, code: Code, line: int | None) -> None:
        self.codes.append(code)
        self.lines.append(line)


# --- public API ---------------------------------------------------------------


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


# --- loose values (YAML entries, spreadsheet rows, descriptions) -> Code ------


class _Fields:
    """Turns loose values into Code fields, collecting problems with their line."""

    def __init__(self, source: str, problems: list[CodebookError]):
        self.source = source
        self.problems = problems

    def problem(self, message: str, line: int | None, code: str | None = None) -> None:
        self.problems.append(CodebookError(message, self.source, line, code))

    def text(self, key: str, value: object, line: int | None, code: str | None) -> str:
        if value is None:
            return ""
        if isinstance(value, (list, dict)):
            self.problem(f"« {key} » doit être un texte, pas une liste", line, code)
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def items(self, key: str, value: object, line: int | None, code: str | None) -> tuple:
        if value is None:
            return ()
        if isinstance(value, str):
            value = value.split("\n")
        if not isinstance(value, list) or any(isinstance(v, (list, dict)) for v in value):
            self.problem(f"« {key} » doit être une liste de textes", line, code)
            return ()
        return tuple(t for v in value if v is not None and (t := str(v).strip()))

    def order(self, value: object, line: int | None, code: str | None) -> int | None:
        if value is None or value == "":
            return None
        try:
            number = float(str(value).strip())
        except ValueError:
            number = 0.5
        if not number.is_integer():
            self.problem(f"ordre « {value} » invalide : écrivez un nombre entier", line, code)
            return None
        return int(number)

    def codable(self, value: object, line: int | None, code: str | None) -> bool:
        if value is None or value == "" or isinstance(value, bool):
            return value is not False
        text = fold(str(value))
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        self.problem(f"codable « {value} » invalide : écrivez oui ou non", line, code)
        return True

    def code(self, values: Mapping[str, object], line: int | None) -> Code:
        code_id = str(values.get("id") or "").strip()
        ref = code_id or None
        kwargs: dict[str, object] = {
            k: self.text(k, values.get(k), line, ref) for k in TEXT_FIELDS if k in values
        }
        kwargs |= {k: self.items(k, values.get(k), line, ref) for k in LIST_FIELDS if k in values}
        if values.get("colour") not in (None, ""):
            kwargs["colour"] = self.text("colour", values["colour"], line, ref)
        parent = values.get("parent")
        return Code(
            id=code_id,
            family=str(values.get("family") or ""),
            parent=str(parent).strip() if parent not in (None, "") else None,
            codable=self.codable(values.get("codable"), line, ref),
            order=self.order(values.get("order"), line, ref),
            **{"label": "", **kwargs},
        )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "code"


def _unique(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}-{n}"
    taken.add(candidate)
    return candidate


def _child_family(parent_family: str | None) -> str:
    return "stage" if parent_family == "journey" else parent_family or "theme"


# --- YAML ---------------------------------------------------------------------


_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # libyaml when installed: 10x faster


class _Map(dict):
    """A YAML mapping that remembers its line (1-based)."""

    line: int | None = None


def _plain(node: yaml.Node, source: str) -> object:
    """A composed YAML node as Python values: every scalar a string (or None), maps with lines."""
    if isinstance(node, yaml.ScalarNode):
        plain = not node.style  # PyYAML says None, libyaml says ""
        return None if plain and node.value in _NULLS else node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(n, source) for n in node.value]
    out = _Map()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = _plain(key_node, source)
        if key in out:
            raise InputError(
                f"clé « {key} » écrite deux fois : gardez-en une seule",
                source,
                key_node.start_mark.line + 1,
            )
        out[key] = _plain(value_node, source)
    return out


def _check_keys(mapping: Mapping, allowed: Sequence[str], fields_: _Fields, code: str | None):
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f"vouliez-vous dire « {close[0]} » ?" if close else "clés possibles : " + (
                ", ".join(allowed))
            fields_.problem(f"clé « {key} » inconnue ({hint})", getattr(mapping, "line", None),
                            code)


def _yaml_codes(entries: object, known: dict, out: Parsed, fields_: _Fields, line: int | None):
    """Codes of a YAML list; `known` gives family and parent (absent in a flat `codes:` list)."""
    if entries is None:
        return
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        fields_.problem("une liste de codes est attendue (chaque code commence par « - id: »)",
                        line)
        return
    flat = not known
    allowed = CODE_KEYS if flat else [k for k in CODE_KEYS if k not in ("family", "parent")]
    for entry in entries:
        entry_line = getattr(entry, "line", None)
        code_id = str(entry.get("id") or "").strip() or None
        _check_keys(entry, allowed, fields_, code_id)
        if code_id is None:
            fields_.problem("code sans identifiant : ajoutez une ligne id:", entry_line)
            continue
        if flat and not entry.get("family"):
            fields_.problem("famille manquante : ajoutez family: (theme, valence, journey ou "
                            "stage)", entry_line, code_id)
        code = fields_.code({**entry, **known}, entry_line)
        out.add(code, entry_line)
        if not flat:
            children = {"family": code.family, "parent": code.id}
            _yaml_codes(entry.get("children"), children, out, fields_, entry_line)
            stages = {"family": "stage", "parent": code.id}
            _yaml_codes(entry.get("stages"), stages, out, fields_, entry_line)


def _from_data(data: Mapping, source: str) -> Parsed:
    out = Parsed(name="")
    fields_ = _Fields(source, out.problems)
    _check_keys(data, TOP_KEYS, fields_, None)
    for key in ("name", "version", "description"):
        setattr(out, key, fields_.text(key, data.get(key), getattr(data, "line", None), None))
    for key, value in data.items():
        if key in SECTIONS:
            _yaml_codes(value, {"family": SECTIONS[key], "parent": None}, out, fields_, None)
        elif key == "codes":
            _yaml_codes(value, {}, out, fields_, None)
    return out


def parse_yaml(text: str, source: str = "<yaml>") -> Parsed:
    """Parse the YAML authoring format (described in codebooks/securite-sociale.yaml)."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"YAML illisible ({problem}) : vérifiez l'indentation et les "
                         "deux-points", source, mark.line + 1 if mark else None) from exc
    data = _plain(node, source) if node is not None else None
    if not isinstance(data, Mapping):
        raise InputError("un livre de codes YAML commence par name:, version: et themes:",
                         source, 1)
    return _from_data(data, source)


def _entry(code: Code, flat: bool) -> dict:
    entry: dict[str, object] = {"id": code.id}
    if flat:
        entry |= {"family": code.family, "parent": code.parent}
    entry["label"] = code.label
    for key in OPTIONAL_FIELDS:
        value = getattr(code, key)
        if value != _DEFAULTS[key]:
            entry[key] = list(value) if isinstance(value, tuple) else value
            entry[key] = _Prose(value) if key in TEXT_FIELDS else entry[key]
    return entry


def _nested(codebook: Codebook, code: Code, above: frozenset[str] = frozenset()) -> dict:
    kids: dict[str, list] = {"children": [], "stages": []}
    above = above | {code.id}
    for child in codebook.children(code.id):
        if child.id not in above:  # a cycle (through duplicate ids) goes to the flat form
            key = "children" if child.family == code.family else "stages"
            kids[key].append(_nested(codebook, child, above))
    return _entry(code, flat=False) | {k: v for k, v in kids.items() if v}


def _yaml_data(codebook: Codebook) -> dict:
    """Nested sections when they give back exactly this codebook, else a flat `codes:` list."""
    head = {"name": codebook.name, "version": codebook.version,
            "description": _Prose(codebook.description)}
    nested = dict(head)
    for section, family in SECTIONS.items():
        roots = [c for c in codebook.codes if c.parent is None and c.family == family]
        if roots:
            nested[section] = [_nested(codebook, c) for c in roots]
    probe = _from_data(nested, "<yaml>")
    if probe.codebook == codebook and not probe.problems:
        return nested
    return head | {"codes": [_entry(c, flat=True) for c in codebook.codes]}


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent list items under their key


class _Prose(str):
    """A definition-like text: written as a folded block when long (no '' escapes)."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    if style is None and isinstance(value, _Prose) and len(value) > 70:
        style = ">"
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Prose, _represent_str)

YAML_HEADER = """\
# Livre de codes écrit par `listening` (les commentaires ajoutés à la main ne sont pas gardés).
# Format, familles et syntaxe des motifs : voir l'en-tête de codebooks/securite-sociale.yaml.
"""


def dump_yaml(codebook: Codebook) -> str:
    """The YAML authoring form: `parse_yaml(dump_yaml(c)).codebook == c` for stripped texts."""
    body = yaml.dump(_yaml_data(codebook), Dumper=_Dumper, allow_unicode=True,
                     sort_keys=False, width=100, default_flow_style=False)
    return YAML_HEADER + body


# --- XLSX -----------------------------------------------------------------------

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


# --- REFI-QDA -------------------------------------------------------------------

_LABELS = {  # field -> French label in the structured Description of an exported code
    "include": "Inclure", "exclude": "Exclure", "examples": "Exemples",
    "description": "Description", "organisations": "Organismes", "publics": "Publics",
    "order": "Ordre", "patterns": "Motifs", "family": "Famille", "id": "Identifiant",
}
_FIELD_OF = {fold(v): k for k, v in _LABELS.items()}
_LABEL_LINE = re.compile(r"^([^\W\d_][\w ]*?) :(?: (.*))?$")
_ORIGIN = re.compile(r"^listening .* ; livre de codes (?P<name>.*) ; version (?P<version>.*)$")
_COLOUR = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")


def _description(code: Code) -> str:
    """Definition, criteria and family as labelled French lines, readable in any QDA tool."""
    parts = [code.definition] if code.definition else []
    for key, label in _LABELS.items():
        value = getattr(code, key)
        if key == "family":
            value = FAMILY_FRENCH.get(value, value)
        if isinstance(value, tuple):
            if value:
                parts.append(f"{label} :\n" + "\n".join(f"- {v}" for v in value))
        elif value not in ("", None):
            parts.append(f"{label} : {value}")
    return "\n".join(parts)


def _parse_description(text: str) -> dict[str, object] | None:
    """The fields of a structured Description, or None when it is free text."""
    values: dict[str, list[str]] = {"definition": []}
    current = "definition"
    for line in text.split("\n"):
        match = _LABEL_LINE.match(line)
        key = _FIELD_OF.get(fold(match.group(1))) if match else None
        if key and key not in values:
            current = key
            values[key] = [match.group(2)] if match.group(2) else []
        elif current in LIST_FIELDS and line.startswith("- "):
            values[current].append(line[2:])
        else:
            values[current].append(line)
    if "id" not in values:
        return None
    out: dict[str, object] = {
        k: v if k in LIST_FIELDS else "\n".join(v).strip() for k, v in values.items()
    }
    out["family"] = _FAMILY_WORDS.get(fold(str(out.get("family", ""))), out.get("family"))
    return out


def qdc_bytes(codebook: Codebook) -> bytes:
    """A REFI-QDA codebook valid against Codebook.xsd; GUIDs are uuid5 of code ids."""
    raise_problems(find_problems(codebook, require_families=False))
    ns = f"{{{QDC_NAMESPACE}}}"
    origin = f"listening {__version__} ; livre de codes {codebook.name} ; version "
    root = etree.Element(ns + "CodeBook", nsmap={None: QDC_NAMESPACE},
                         origin=origin + codebook.version)

    def add(parent: etree._Element, code: Code) -> None:
        element = etree.SubElement(parent, ns + "Code", guid=code_guid(code.id), name=code.label,
                                   isCodable="true" if code.codable else "false",
                                   color=code.colour)
        etree.SubElement(element, ns + "Description").text = _description(code)
        for child in codebook.children(code.id):
            add(element, child)

    codes = etree.SubElement(root, ns + "Codes")
    for code in codebook.children(None):
        add(codes, code)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _kids(element: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if element is None else [e for e in element if _local(e) == name]


def _refi_xml(data: bytes, source: str) -> bytes:
    """The XML of a .qdc/.qde file, or the project.qde inside a .qdpx archive."""
    if not data.startswith(b"PK"):
        return data
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError(f"archive .qdpx illisible ({exc})", source) from exc
    with archive:
        members = [n for n in archive.namelist() if n.lower().endswith(".qde") and "/" not in n]
        if not members:
            raise InputError("aucun fichier project.qde à la racine de l'archive .qdpx", source)
        return archive.read(members[0])


@dataclass(eq=False)
class _Node:
    label: str
    element: etree._Element | None  # None: a folder created for a `Parent::Child` name
    position: int
    known: dict[str, object] | None = None  # fields of a structured (listening) Description
    children: list[_Node] = field(default_factory=list)

    def first(self) -> int:
        return min([self.position, *(c.first() for c in self.children)])

    @property
    def definition(self) -> str:
        return next((d.text or "" for d in _kids(self.element, "Description")), "")


def parse_refi(data: bytes, source: str = "<qdc>", name: str = "importé") -> Parsed:
    """Read the CodeBook of a `.qdc`, a `.qde` project or a `.qdpx` archive, leniently."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(_refi_xml(data, source), parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"XML illisible ({exc.msg}) : est-ce bien un export REFI-QDA ?",
                         source, exc.lineno) from exc
    book = next((e for e in root.iter() if _local(e) == "CodeBook"), None)
    if book is None:
        raise InputError("aucun livre de codes (élément CodeBook) dans ce fichier", source)
    origin = book.get("origin") or root.get("origin") or ""
    mine = _ORIGIN.match(origin)
    out = Parsed(mine["name"], mine["version"]) if mine else Parsed(
        name, "", f"importé de {origin}" if origin else "")
    roots = _refi_tree(book, out.warnings)
    _refi_codes(roots, out, source)
    for sets in _kids(book, "Sets"):
        members = _kids(sets, "Set")
        if not members:
            out.warnings.append("élément <Sets> vide ignoré (le schéma REFI-QDA l'interdit)")
        else:
            names = ", ".join(f"« {s.get('name', '')} »" for s in members)
            out.warnings.append(f"{len(members)} ensembles de codes (Sets) ignorés : {names}")
    return out


def _refi_tree(book: etree._Element, warnings: list[str]) -> list[_Node]:
    """The code tree: XML nesting, plus `Parent::Child` names unfolded."""
    roots: list[_Node] = []
    flattened: list[tuple[_Node | None, list[str], _Node]] = []
    queue: list[tuple[_Node | None, etree._Element]] = [
        (None, e) for codes in _kids(book, "Codes") for e in _kids(codes, "Code")]
    position = 0
    while queue:  # depth first, in document order
        parent, element = queue.pop(0)
        label = (element.get("name") or "").strip()
        node = _Node(label, element, position)
        position += 1
        node.known = _parse_description(node.definition)
        parts = [p.strip() for p in label.split("::")] if node.known is None else [label]
        node.label = parts[-1]
        if len(parts) > 1:
            flattened.append((parent, parts, node))
        else:
            (parent.children if parent else roots).append(node)
        queue[0:0] = [(node, e) for e in _kids(element, "Code")]
    created = []
    for parent, parts, node in sorted(flattened, key=lambda f: len(f[1])):
        for part in parts[:-1]:
            siblings = parent.children if parent else roots
            found = next((n for n in siblings if n.label == part), None)
            if found is None:
                found = _Node(part, None, node.position)
                siblings.append(found)
                created.append("::".join(parts[: parts.index(part) + 1]))
            parent = found
        parent.children.append(node)
    if flattened:
        warnings.append(f"{len(flattened)} noms « Parent::Enfant » dépliés en hiérarchie "
                        f"(par exemple « {'::'.join(flattened[0][1])} »)")
    if created:
        warnings.append("dossiers créés pour ranger ces noms, absents du fichier : "
                        + ", ".join(f"« {c} »" for c in created))
    return roots


def _refi_codes(roots: list[_Node], out: Parsed, source: str) -> None:
    fields_ = _Fields(source, out.problems)
    taken: set[str] = set()
    foreign: list[str] = []
    undefined: list[str] = []
    bad_colours: list[str] = []

    def visit(node: _Node, parent: Code | None) -> None:
        element = node.element
        values: dict[str, object] = {**(node.known or {}), "label": node.label,
                                     "parent": parent.id if parent else None}
        values["codable"] = element.get("isCodable", "true") if element is not None else False
        colour = element.get("color") if element is not None else None
        if colour and _COLOUR.fullmatch(colour):
            values["colour"] = colour
        elif colour:
            bad_colours.append(f"« {colour} » ({node.label})")
        if node.known is None:
            family = _child_family(parent.family if parent else None)
            base = parent.id if parent else ID_PREFIX[family]
            values |= {"family": family, "id": _unique(f"{base}.{_slug(node.label)}", taken),
                       "definition": node.definition}
            foreign.append(node.label)
        else:
            taken.add(str(values.get("id")))
        line = element.sourceline if element is not None else None
        code = fields_.code(values, line)
        if node.known is None and code.codable and not code.definition:
            undefined.append(node.label)
        out.add(code, line)
        for child in sorted(node.children, key=_Node.first):
            visit(child, code)

    for node in sorted(roots, key=_Node.first):
        visit(node, None)
    if foreign:
        out.warnings.append(
            f"{len(foreign)} codes sans famille importés comme thèmes : ce livre de codes n'a ni "
            "valences ni parcours ; ajoutez-les avant de coder (sections valence: et journeys:)")
    if undefined:
        shown = ", ".join(f"« {n} »" for n in undefined[:5]) + ("…" if len(undefined) > 5 else "")
        out.warnings.append(f"{len(undefined)} codes sans définition, à compléter avant de "
                            f"coder : {shown}")
    if bad_colours:
        out.warnings.append("couleurs illisibles ignorées : " + ", ".join(bad_colours))
