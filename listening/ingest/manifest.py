"""The manifest: metadata and reading options per file, from manifest.csv / .xlsx / .yaml.

Keys (or column headers) in English or French: file/fichier, id, type, journey/parcours,
stage/etape, public, territory/territoire, organisations/organismes, date,
interviewer/enqueteur, channel/canal, case/cas, and for spreadsheets text_column, id_column,
columns (field=Column; ...), sheet; speaker_pattern and roles (Name=role; ...) for
transcripts. Other keys are kept in the metadata's extra. Journey values stay raw here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import InputError
from ..model import Metadata
from .options import ReadOptions
from .vocabulary import field_of, fold, iso_date, split_list

MANIFEST_NAMES = tuple(
    f"{stem}.{ext}" for stem in ("manifest", "manifeste") for ext in ("yaml", "yml", "csv", "xlsx")
)
_TYPES = {
    "entretien": "entretien", "entretiens": "entretien", "interview": "entretien",
    "interviews": "entretien", "entrevue": "entretien", "atelier": "atelier",
    "ateliers": "atelier", "workshop": "atelier", "workshops": "atelier",
    "verbatim": "verbatim", "verbatims": "verbatim",
}
_ROLES = {
    "interviewer": "interviewer", "enqueteur": "interviewer", "enquetrice": "interviewer",
    "intervieweur": "interviewer", "animateur": "interviewer", "animatrice": "interviewer",
    "inspecteur": "interviewer", "inspectrice": "interviewer", "usager": "usager",
    "usagere": "usager", "participant": "participant", "participante": "participant",
    "unknown": "unknown", "inconnu": "unknown", "inconnue": "unknown",
}
_OPTION_KEYS = {
    "file": ("file", "fichier", "fichiers", "document", "nom_fichier", "nom_du_fichier",
             "chemin", "path", "filename"),
    "id": ("id", "identifiant", "ident", "id_document", "code"),
    "text_column": ("text_column", "colonne_texte", "colonne_du_texte", "texte_colonne"),
    "id_column": ("id_column", "colonne_id", "colonne_identifiant"),
    "columns": ("columns", "colonnes", "correspondance", "correspondances", "mapping"),
    "sheet": ("sheet", "feuille", "onglet"),
    "speaker_pattern": ("speaker_pattern", "motif_locuteur", "motif_locuteurs", "motif"),
    "roles": ("roles", "role", "roles_locuteurs"),
}
_OPTION_OF = {alias: key for key, aliases in _OPTION_KEYS.items() for alias in aliases}


@dataclass(frozen=True)
class ManifestEntry:
    file: str  # path relative to the manifest's folder, "/"-separated
    id: str | None
    meta: Metadata  # only the fields the manifest sets differ from Metadata()
    options: ReadOptions
    line: int | None


@dataclass(frozen=True)
class Manifest:
    source: Path
    entries: tuple[ManifestEntry, ...]

    def entry(self, relpath: str) -> ManifestEntry | None:
        """The entry for a file (path relative to the folder); exact path first, then
        case-insensitive, then an entry naming only the file name (or its stem)."""
        wanted = _clean_path(relpath)
        for same in (lambda e: e.file == wanted,
                     lambda e: _fold_path(e.file) == _fold_path(wanted)):
            found = [e for e in self.entries if same(e)]
            if found:
                return found[0]
        name = PurePosixPath(wanted)
        for short in (name.name, name.stem):
            found = [e for e in self.entries
                     if "/" not in e.file and _fold_path(e.file) == _fold_path(short)]
            if found:
                return found[0] if len(found) == 1 else None
        return None


def find_manifest(folder: Path) -> Path | None:
    """The manifest file directly in `folder`, if any; two manifests are an error."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    found = sorted(p for p in folder.iterdir() if p.is_file() and p.name.lower() in MANIFEST_NAMES)
    if len(found) > 1:
        names = ", ".join(f"« {p.name} »" for p in found)
        raise InputError(f"plusieurs manifestes dans ce dossier ({names}) : gardez-en un seul",
                         source=str(folder))
    return found[0] if found else None


def load_manifest(path: Path) -> Manifest:
    path = Path(path)
    source = path.name
    if not path.is_file():
        raise InputError("manifeste introuvable : vérifiez le chemin", source=str(path))
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        records = _yaml_records(path, source)
    elif suffix == ".csv":
        records = _csv_records(path, source)
    elif suffix == ".xlsx":
        records = _xlsx_records(path, source)
    else:
        raise InputError("format de manifeste non pris en charge : utilisez un fichier .csv, "
                         ".xlsx ou .yaml", source=source)
    entries: list[ManifestEntry] = []
    seen: dict[str, int | None] = {}
    for line, record in records:
        entry = _entry(record, line, source)
        key = _fold_path(entry.file)
        if key in seen:
            raise InputError(
                f"fichier « {entry.file} » décrit deux fois (lignes {seen[key]} et {line}) : "
                "gardez une seule entrée par fichier", source=source, line=line)
        seen[key] = line
        entries.append(entry)
    return Manifest(path, tuple(entries))


# --- formats --------------------------------------------------------------------------


def _csv_records(path: Path, source: str) -> list[tuple[int, dict[str, object]]]:
    from .tables import read_csv_table

    return _table_records(read_csv_table(path, source))


def _xlsx_records(path: Path, source: str) -> list[tuple[int, dict[str, object]]]:
    from .tables import read_xlsx_table

    return _table_records(read_xlsx_table(path, source, None))


def _table_records(table) -> list[tuple[int, dict[str, object]]]:
    return [(number, dict(zip(table.headers, cells))) for number, cells in table.rows]


def _yaml_records(path: Path, source: str) -> list[tuple[int, dict[str, object]]]:
    import yaml

    from .text import read_text

    text = read_text(path, source)
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"YAML invalide ({problem}) : corrigez la syntaxe du manifeste",
                         source=source, line=mark.line + 1 if mark else None) from None
    defaults: Mapping[str, object] = {}
    node = root
    if isinstance(data, dict):
        key = next((k for k in data if fold(str(k)) in ("documents", "fichiers", "entries")), None)
        if key is None:
            raise InputError("le manifeste YAML doit être une liste d'entrées, ou contenir une "
                             "clé « documents » qui en est une", source=source)
        default_key = next((k for k in data if fold(str(k)) in ("defaults", "defauts")), None)
        defaults = data.get(default_key) or {} if default_key else {}
        node = next(v for k, v in root.value if k.value == key)
        data = data[key]
    if isinstance(data, dict):  # documents: {E01.docx: {type: entretien}, ...}
        lines = [k.start_mark.line + 1 for k, _ in node.value]
        data = [{"file": name, **(value or {})} for name, value in data.items()]
    elif isinstance(data, list):
        lines = [item.start_mark.line + 1 for item in node.value]
    else:
        raise InputError("le manifeste YAML doit être une liste d'entrées, ou contenir une "
                         "clé « documents » qui en est une", source=source)
    records = []
    for line, item in zip(lines, data):
        if isinstance(item, str):
            item = {"file": item}
        if not isinstance(item, dict):
            raise InputError("chaque entrée du manifeste doit décrire un fichier (file: ...)",
                             source=source, line=line)
        records.append((line, {**defaults, **item}))
    return records


# --- one entry ------------------------------------------------------------------------


def _entry(record: Mapping[str, object], line: int | None, source: str) -> ManifestEntry:
    fields: dict[str, object] = {}
    options: dict[str, object] = {}
    extra: dict[str, str] = {}
    for raw_key, value in record.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        key = re.sub(r"[\s-]+", "_", fold(str(raw_key)))
        if key in _OPTION_OF:
            options[_OPTION_OF[key]] = value
        elif (field := field_of(str(raw_key))) and field != "category":
            fields[field] = value
        else:
            extra[str(raw_key)] = str(value).strip()
    file = _clean_path(str(options.pop("file", "") or ""))
    if not file:
        raise InputError("chemin de fichier manquant (colonne « file » ou « fichier ») : "
                         "indiquez le fichier que décrit cette entrée", source=source, line=line)
    meta = _metadata(fields, extra, line, source)
    read = ReadOptions(
        text_column=_text(options.get("text_column")),
        id_column=_text(options.get("id_column")),
        columns=_mapping(options.get("columns"), "columns", line, source),
        sheet=_text(options.get("sheet")),
        speaker_pattern=_pattern(options.get("speaker_pattern"), line, source),
        roles={k: _role(v, line, source)
               for k, v in _mapping(options.get("roles"), "roles", line, source).items()},
        meta=meta,
    )
    return ManifestEntry(file, _text(options.get("id")), meta, read, line)


def _metadata(fields: Mapping[str, object], extra: dict[str, str], line: int | None,
              source: str) -> Metadata:
    values: dict[str, object] = {}
    for field, value in fields.items():
        if field == "type":
            doc_type = _TYPES.get(fold(str(value)))
            if doc_type is None:
                raise InputError(f"type « {value} » inconnu : utilisez entretien, atelier ou "
                                 "verbatim", source=source, line=line)
            values["type"] = doc_type
        elif field == "date":
            iso = iso_date(value)
            if iso is None:
                raise InputError(f"date « {value} » non reconnue : écrivez-la AAAA-MM-JJ "
                                 "(ex. 2026-03-12) ou JJ/MM/AAAA", source=source, line=line)
            values["date"] = iso
        elif field == "organisations":
            values["organisations"] = split_list(value)
        else:
            values[field] = _text(value)
    return Metadata(**values, extra=extra)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _mapping(value: object, what: str, line: int | None, source: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(k).strip(): str(v).strip() for k, v in value.items() if v is not None}
    pairs = [p for p in re.split(r"[;|\n]", str(value)) if p.strip()]
    out = {}
    for pair in pairs:
        key, sep, column = pair.partition("=")
        if not sep:
            key, sep, column = pair.partition(":")
        if not sep or not key.strip() or not column.strip():
            example = ("parcours=Parcours; etape=Étape" if what == "columns"
                       else "Marie=usager; Paul=interviewer")
            raise InputError(f"{what} « {value} » illisible : écrivez clé=valeur séparés par "
                             f"des points-virgules (ex. {example})", source=source, line=line)
        out[key.strip()] = column.strip()
    return out


def _role(value: str, line: int | None, source: str) -> str:
    role = _ROLES.get(fold(value))
    if role is None:
        raise InputError(f"rôle « {value} » inconnu : utilisez interviewer, usager, participant "
                         "ou unknown", source=source, line=line)
    return role


def _pattern(value: object, line: int | None, source: str) -> str | None:
    pattern = None if value is None else str(value)  # spaces may matter in a pattern
    if not pattern or not pattern.strip():
        return None
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise InputError(f"motif de locuteur invalide ({exc}) : corrigez speaker_pattern",
                         source=source, line=line) from None
    if "speaker" not in regex.groupindex:
        raise InputError("le motif de locuteur doit contenir un groupe nommé (?P<speaker>...) : "
                         "corrigez speaker_pattern", source=source, line=line)
    return pattern


def _clean_path(path: str) -> str:
    path = unicodedata.normalize("NFC", path.strip().replace("\\", "/"))
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")


def _fold_path(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()


def role_value(value: str, source: str = "", line: int | None = None) -> str:
    """A role written in French or English, as one of model.ROLES; InputError otherwise."""
    return _role(value, line, source)


__all__: Sequence[str] = ("Manifest", "ManifestEntry", "find_manifest", "load_manifest")
