"""`listening pseudonymise FILE... [--json]`: print pseudonymised text, store nothing.

With --json, one JSON object per file: {"file", "text", "entities": [{"start", "end",
"label", "text", "replacement"}]}, offsets into the ORIGINAL text of the file as read.
One file prints one object; several files print a JSON list of objects, in order.
A spreadsheet (several documents) gives one object per row, its "file" being
"name:row" (the document's name).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..errors import InputError
from ..ingest import read_file
from .common import console, reporting_errors


def pseudonymise_files(files: list[Path]) -> list[dict]:
    """What the command prints, for each document of each file (library call, no output)."""
    from ..pseudo_registry import PseudonymRegistry, new_project_key
    from ..pseudonymise import Pseudonymiser

    docs = [doc for path in files for doc in read_file(path)]
    registry = PseudonymRegistry(new_project_key())  # consistent across the files given
    results = Pseudonymiser().pseudonymise_documents(docs, registry) if docs else []
    return [
        {"file": doc.name, "text": new.text,
         "entities": [{"start": e.start, "end": e.end, "label": e.label, "text": e.text,
                       "replacement": e.replacement} for e in entities]}
        for doc, (new, entities) in zip(docs, results)
    ]


def pseudonymise_command(
    files: list[Path] = typer.Argument(..., help="Fichiers à pseudonymiser (rien n'est stocké)."),
    json_out: bool = typer.Option(False, "--json",
                                  help="Sortie JSON : texte et entités (positions dans le texte d'origine)."),
) -> None:
    """Affiche le texte pseudonymisé de fichiers, sans rien stocker."""
    with reporting_errors():
        for path in files:
            if not path.is_file():
                raise InputError("fichier introuvable ; vérifiez le chemin", source=str(path))
        results = pseudonymise_files(files)
    if json_out:
        payload = results[0] if len(results) == 1 else results
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for result in results:
        if len(results) > 1:
            console.rule(result["file"])
        typer.echo(result["text"])
