"""`listening codebook check|convert`: validate a codebook, or change its format."""

from __future__ import annotations

from pathlib import Path

import typer

from ..codebook import summary
from ..codebook_io import READ_SUFFIXES, WRITE_SUFFIXES, convert_codebook, import_codebook
from .common import reporting_errors

app = typer.Typer(
    name="codebook",
    help="Vérifier un livre de codes ou le convertir (YAML, XLSX, REFI-QDA .qdc).",
    no_args_is_help=True,
)


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        typer.echo(f"Attention : {warning}", err=True)


@app.command()
def check(
    file: Path = typer.Argument(..., help=f"Livre de codes ({', '.join(READ_SUFFIXES)})."),
) -> None:
    """Vérifie un livre de codes : familles, parents, étapes, motifs, définitions, couleurs."""
    with reporting_errors():
        codebook, warnings = import_codebook(file, require_families=True)
    _warn(warnings)
    typer.echo(f"{file} : livre de codes « {codebook.name} » version {codebook.version} : OK")
    for line in summary(codebook):
        typer.echo(f"  {line}")


@app.command()
def convert(
    source: Path = typer.Argument(..., help=f"Fichier lu ({', '.join(READ_SUFFIXES)})."),
    dest: Path = typer.Argument(..., help=f"Fichier écrit ({', '.join(WRITE_SUFFIXES)})."),
) -> None:
    """Convertit un livre de codes ; le format vient de l'extension de chaque fichier."""
    with reporting_errors():
        codebook, warnings = convert_codebook(source, dest)
    _warn(warnings)
    typer.echo(f"{source} → {dest} : {len(codebook.codes)} codes écrits")
