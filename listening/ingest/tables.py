"""Spreadsheets (.csv, .xlsx): one verbatim per row (survey comments, post-it exports).

Each row with text becomes a document whose single turn is the verbatim; mapped columns fill
its metadata, a stage or category column also lands in the turn's attrs ("etape",
"categorie"), other columns go to meta.extra.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import InputError
from ..model import Metadata, RawTurn, build_document
from .options import ReadOptions, ReadResult
from .text import read_text
from .vocabulary import category_of, field_of, fold, iso_date, split_list
from .word import OLE2_MAGIC, check_office_file

XLSX_DAMAGED = (
    "fichier Excel endommagé ou tronqué : ouvrez-le dans Excel ou LibreOffice, enregistrez-le "
    "à nouveau en .xlsx, puis réessayez"
)
OLD_EXCEL = (
    "ancien format Excel (.xls) sous une extension .xlsx : ouvrez-le dans Excel ou LibreOffice, "
    "enregistrez-le en .xlsx, puis réessayez"
)
_DELIMITERS = (";", ",", "\t", "|")
_FIELD_LIMIT = 2**31 - 1
_TEXT_HEADERS = frozenset(
    "verbatim verbatims commentaire commentaires comment comments texte text reponse reponses "
    "avis remarque remarques contenu message post-it postit temoignage citation expression "
    "retour retours propos".split()
)
_ID_HEADERS = frozenset({"id", "identifiant", "ident", "id reponse", "numero", "n°", "ref",
                         "reference"})
_META_FIELDS = ("journey", "stage", "public", "territory", "date", "interviewer", "channel",
                "case", "organisations")


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (row number as the user sees it, cells)
    warnings: tuple[str, ...] = ()


# --- reading ----------------------------------------------------------------------------


def read_csv_table(path: Path, source: str) -> Table:
    text = read_text(path, source)
    delimiter = sniff_delimiter(text)
    # a whole interview pasted in one cell is longer than the csv module's default 128 kB
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    try:
        for index, record in enumerate(reader, 1):
            records.append((index, record))
    except csv.Error:
        raise InputError(
            "CSV illisible : vérifiez les guillemets de cette ligne", source=source,
            line=reader.line_num) from None
    return _table(records, source)


def sniff_delimiter(text: str) -> str:
    """The separator giving the most consistent number (> 1) of columns on the first rows."""
    sample = text[:65536]
    best, best_score = ",", (False, 0.0, 0)
    for delimiter in _DELIMITERS:
        try:
            rows = [r for r, _ in zip(csv.reader(io.StringIO(sample, newline=""),
                                                 delimiter=delimiter), range(50)) if any(r)]
        except csv.Error:
            continue
        if len(rows) > 2:
            rows = rows[:-1]  # the sample may cut the last row short
        counts = Counter(len(r) for r in rows)
        if not counts:
            continue
        width, hits = counts.most_common(1)[0]
        if width < 2:
            continue
        # the header line rarely holds a stray separator: trust the one that splits it
        score = (len(rows[0]) > 1, hits / len(rows), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_xlsx_table(path: Path, source: str, sheet: str | None) -> Table:
    import openpyxl

    data = path.read_bytes()
    if data.startswith(OLE2_MAGIC) and "Workbook".encode("utf-16-le") in data and \
            "EncryptedPackage".encode("utf-16-le") not in data:
        raise InputError(OLD_EXCEL, source=source)
    check_office_file(data, source, XLSX_DAMAGED)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged package
        if isinstance(exc, InputError):
            raise
        raise InputError(XLSX_DAMAGED, source=source) from None
    try:
        sheet_rows = {name: _sheet_rows(book[name]) for name in book.sheetnames}
    except Exception:
        raise InputError(XLSX_DAMAGED, source=source) from None
    finally:
        book.close()
    if not sheet_rows:  # the workbook lists no readable sheet
        raise InputError(XLSX_DAMAGED, source=source)
    filled = [name for name, rows in sheet_rows.items() if rows]
    warnings: list[str] = []
    if sheet:
        chosen = next((n for n in sheet_rows if n == sheet), None) or next(
            (n for n in sheet_rows if fold(n) == fold(sheet)), None)
        if chosen is None:
            raise InputError(
                f"feuille « {sheet} » introuvable ; feuilles disponibles : "
                f"{_quoted(sheet_rows)} ; indiquez le bon nom de feuille (sheet)", source=source)
    elif filled:
        chosen = filled[0]
        if len(filled) > 1:
            warnings.append(f"plusieurs feuilles non vides ({_quoted(filled)}) : seule "
                            f"« {chosen} » est lue ; indiquez la feuille voulue (sheet)")
    else:
        chosen = next(iter(sheet_rows))
    table = _table(sheet_rows[chosen], source)
    return replace(table, warnings=tuple(warnings) + table.warnings)


def _sheet_rows(worksheet) -> list[tuple[int, list[str]]]:
    worksheet.reset_dimensions()  # files from some tools declare a wrong sheet size
    rows = []
    for number, values in enumerate(worksheet.iter_rows(values_only=True), 1):
        cells = [_cell(v) for v in values]
        if any(c.strip() for c in cells):
            rows.append((number, cells))
    return rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


def _table(records: Sequence[tuple[int, list[str]]], source: str) -> Table:
    records = [(n, r) for n, r in records if any(c.strip() for c in r)]
    if not records:
        raise InputError("tableau vide : aucune ligne à lire ; vérifiez que c'est le bon fichier",
                         source=source)
    header_number, raw_headers = records[0]
    headers = _headers(raw_headers)
    warnings = []
    rows = []
    for number, cells in records[1:]:
        if len(cells) > len(headers):
            if any(c.strip() for c in cells[len(headers):]):
                warnings.append(f"ligne {number} : {len(cells)} cellules pour {len(headers)} "
                                "colonnes ; cellules en trop ignorées (séparateur dans le texte "
                                "sans guillemets ?)")
            cells = cells[: len(headers)]
        cells = list(cells) + [""] * (len(headers) - len(cells))
        rows.append((number, tuple(cells)))
    return Table(tuple(headers), tuple(rows), tuple(warnings))


def _headers(raw: Sequence[str]) -> list[str]:
    headers: list[str] = []
    while raw and not str(raw[-1]).strip():
        raw = raw[:-1]
    for i, name in enumerate(raw, 1):
        name = " ".join(str(name).lstrip("\ufeff").split()) or f"colonne {i}"
        base, n = name, 2
        while name in headers:
            name, n = f"{base} ({n})", n + 1
        headers.append(name)
    return headers


# --- rows to documents ----------------------------------------------------------------


def table_documents(table: Table, name: str, options: ReadOptions, fmt: str) -> ReadResult:
    """One document per row with text; rows without text are skipped and counted."""
    find = _ColumnFinder(table.headers, name)
    id_col = find(options.id_column, "--id-column (ou id_column dans le manifeste)") \
        if options.id_column else _guess_id_column(table)
    mapped = {key: find(column, "la correspondance des colonnes (columns)")
              for key, column in options.columns.items()}
    fields = {field_of(key) or key: col for key, col in mapped.items()}
    for col, header in enumerate(table.headers):
        field = field_of(header)
        if field and field != "type" and field not in fields and col not in mapped.values():
            fields[field] = col
    if "date" not in fields:  # "Date de réponse", "date_atelier"
        dated = [i for i, h in enumerate(table.headers)
                 if fold(h).replace("_", " ").split(" ")[0] == "date" and i != id_col]
        if len(dated) == 1 and dated[0] not in mapped.values():
            fields["date"] = dated[0]
    if "category" not in fields:
        typed = next((i for i, h in enumerate(table.headers) if fold(h) in ("type", "nature")), None)
        if typed is not None and _mostly_categories(table, typed):
            fields["category"] = typed
    used = {c for c in (id_col, *fields.values()) if c is not None}
    text_col = find(options.text_column, "--text-column (ou text_column dans le manifeste)") \
        if options.text_column else _guess_text_column(table, used, name)
    base = options.meta
    if base.type == "entretien":  # the default: a spreadsheet holds verbatims
        base = replace(base, type="verbatim")
    role = "participant" if base.type == "atelier" else "usager"
    documents, warnings, skipped, seen = [], list(table.warnings), 0, {}
    for number, cells in table.rows:
        text = cells[text_col].strip()
        if not text:
            skipped += 1
            continue
        external_id = f"{name}:{number}"
        if id_col is not None:
            value = cells[id_col].strip()
            if not value:
                warnings.append(f"ligne {number} : identifiant vide ; « {external_id} » utilisé")
            elif value in seen:
                raise InputError(
                    f"identifiant « {value} » en double (lignes {seen[value]} et {number}) : "
                    f"chaque ligne doit avoir un identifiant unique dans la colonne "
                    f"« {table.headers[id_col]} »", source=name, line=number)
            else:
                seen[value] = number
                external_id = value
        meta, attrs = _row_meta(base, table.headers, cells, fields, {text_col, *used}, number,
                                warnings)
        turn = RawTurn(text, role=role, attrs=attrs)
        documents.append(build_document(name, [turn], external_id=external_id, meta=meta,
                                        source_format=fmt))
    if skipped:
        warnings.append(f"{skipped} ligne(s) sans texte ignorée(s) (colonne "
                        f"« {table.headers[text_col]} » vide)")
    if not documents:
        raise InputError(f"aucune ligne avec du texte dans la colonne « {table.headers[text_col]} » "
                         "; vérifiez la colonne choisie (--text-column)", source=name)
    return ReadResult(tuple(documents), tuple(warnings), skipped)


def _row_meta(base: Metadata, headers: Sequence[str], cells: Sequence[str],
              fields: Mapping[str, int], used: set[int], number: int,
              warnings: list[str]) -> tuple[Metadata, dict[str, str]]:
    changes: dict[str, object] = {}
    extra = dict(base.extra)
    attrs: dict[str, str] = {}
    for field, col in fields.items():
        value = cells[col].strip()
        if not value:
            continue
        if field == "date":
            iso = iso_date(value)
            if iso is None:
                warnings.append(f"ligne {number} : date « {value} » non reconnue, gardée telle "
                                "quelle dans les métadonnées")
                extra["date"] = value
            else:
                changes["date"] = iso
        elif field == "organisations":
            changes["organisations"] = split_list(value)
        elif field in _META_FIELDS:
            changes[field] = value
        elif field != "category":
            extra[field] = value
        if field == "stage":
            attrs["etape"] = value
        if field == "category":
            attrs["categorie"] = category_of(value) or value
    for col, header in enumerate(headers):
        if col not in used and col not in fields.values() and cells[col].strip():
            extra[header] = cells[col].strip()
    return replace(base, **changes, extra=extra), attrs


class _ColumnFinder:
    def __init__(self, headers: Sequence[str], source: str):
        self.headers, self.source = headers, source

    def __call__(self, column: str, how: str) -> int:
        for i, header in enumerate(self.headers):
            if header == column:
                return i
        for i, header in enumerate(self.headers):
            if fold(header) == fold(column):
                return i
        raise InputError(
            f"colonne « {column} » introuvable ; colonnes disponibles : {_quoted(self.headers)} ; "
            f"indiquez le bon nom avec {how}", source=self.source)


def _guess_id_column(table: Table) -> int | None:
    """A column named "id" / "identifiant" whose values are all present and unique."""
    for col, header in enumerate(table.headers):
        if fold(header).replace("_", " ") in _ID_HEADERS:
            values = [cells[col].strip() for _, cells in table.rows]
            if all(values) and len(set(values)) == len(values):
                return col
    return None


def _guess_text_column(table: Table, used: set[int], source: str) -> int:
    stats = {}
    for col in range(len(table.headers)):
        if col in used:
            continue
        values = [cells[col].strip() for _, cells in table.rows[:2000] if cells[col].strip()]
        if values and _text_like(values):
            stats[col] = sum(len(v) for v in values) / len(values)
    ranked = sorted(stats, key=stats.get, reverse=True)
    if len(ranked) == 1:
        return ranked[0]
    if len(ranked) > 1:
        if stats[ranked[0]] >= 3 * stats[ranked[1]]:
            return ranked[0]
        named = [c for c in ranked if fold(table.headers[c]) in _TEXT_HEADERS]
        if len(named) == 1:
            return named[0]
        raise InputError(
            f"plusieurs colonnes peuvent contenir le texte ({_quoted(table.headers[c] for c in ranked)})"
            f" : indiquez laquelle avec --text-column (ou text_column dans le manifeste) ; "
            f"colonnes disponibles : {_quoted(table.headers)}", source=source)
    free = [c for c in range(len(table.headers)) if c not in used]
    if len(table.headers) == 1 or len(free) == 1:
        return free[0] if free else 0
    raise InputError(
        f"aucune colonne de texte reconnue : indiquez-la avec --text-column (ou text_column "
        f"dans le manifeste) ; colonnes disponibles : {_quoted(table.headers)}", source=source)


def _text_like(values: Sequence[str]) -> bool:
    numeric = sum(_is_number(v) or iso_date(v) is not None for v in values)
    if numeric * 2 > len(values):
        return False
    return sum(len(v.split()) for v in values) / len(values) >= 3


def _is_number(value: str) -> bool:
    try:
        float(value.replace(",", ".").replace(" ", ""))
    except ValueError:
        return False
    return True


def _mostly_categories(table: Table, col: int) -> bool:
    values = [cells[col] for _, cells in table.rows if cells[col].strip()]
    return bool(values) and sum(category_of(v) is not None for v in values) * 2 > len(values)


def _quoted(names) -> str:
    return ", ".join(f"« {n} »" for n in names)
