"""Reliability tables read from a CSV with columns `unit,coder,value`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from ..errors import InputError

# --- reliability tables from CSV -------------------------------------------------------

_CSV_COLUMNS = ("unit", "coder", "value")
_CSV_ALIASES = {"unité": "unit", "unite": "unit", "codeur": "coder", "valeur": "value"}


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")  # Excel's "CSV (séparateur : point-virgule)" on Windows


def table_from_csv(path: Path | str) -> pd.DataFrame:
    """A reliability table from a CSV with columns `unit,coder,value`, one row per unit and coder.

    An empty value is missing. The separator may be `,` or `;`; a UTF-8 BOM is fine (else
    Windows-1252 is assumed). Units and coders keep their order of first appearance; values
    stay text (numbers are read for non-nominal levels).
    """
    source = str(path)
    try:
        text = _decode(Path(path).read_bytes())
    except FileNotFoundError:
        raise InputError("fichier introuvable : vérifiez le chemin.", source) from None
    except OSError as exc:
        raise InputError(f"lecture impossible ({exc.strerror}) : donnez un fichier CSV lisible.",
                         source) from None
    first = text.lstrip().split("\n", 1)[0]
    if not first.strip():
        raise InputError("fichier vide : attendu un en-tête « unit,coder,value » puis une ligne "
                         "par unité et par codeur.", source)
    reader = csv.reader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",")
                        else ",")
    header = [h.strip().lower() for h in next(reader)]
    header = [_CSV_ALIASES.get(h, h) for h in header]
    missing = [c for c in _CSV_COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"colonne(s) manquante(s) : {', '.join(f'« {c} »' for c in missing)} ; l'en-tête "
            "doit nommer les colonnes « unit », « coder » et « value » (séparées par des "
            "virgules ou des points-virgules).", source, reader.line_num)
    at = {c: header.index(c) for c in _CSV_COLUMNS}
    cells: dict[tuple[str, str], object] = {}
    seen: dict[tuple[str, str], int] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        unit, coder, value = (row[at[c]].strip() if at[c] < len(row) else "" for c in _CSV_COLUMNS)
        if not unit or not coder:
            raise InputError("unité ou codeur vide : remplissez les colonnes « unit » et "
                             "« coder » sur chaque ligne.", source, reader.line_num)
        if (unit, coder) in seen:
            raise InputError(f"l'unité « {unit} » a déjà une valeur du codeur « {coder} » "
                             f"(ligne {seen[unit, coder]}) : gardez une seule ligne par unité "
                             "et par codeur.", source, reader.line_num)
        seen[unit, coder] = reader.line_num
        cells[unit, coder] = value or None
    if not cells:
        raise InputError("aucune ligne de données sous l'en-tête : ajoutez une ligne par unité "
                         "et par codeur.", source)
    units = list(dict.fromkeys(u for u, _ in cells))
    coders = list(dict.fromkeys(k for _, k in cells))
    table = pd.DataFrame([[cells.get((u, k)) for k in coders] for u in units],
                         index=pd.Index(units, name="unit", dtype=object),
                         columns=pd.Index(coders, name="coder", dtype=object), dtype=object)
    if len(coders) < 2:
        raise InputError(f"un seul codeur (« {coders[0]} ») : il faut au moins deux codeurs "
                         "pour mesurer un accord.", source)
    return table
