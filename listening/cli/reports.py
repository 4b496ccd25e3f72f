"""`listening report` and `listening import`: deliverables out, REFI-QDA projects and codebooks in.

Plain command functions; the lead registers them as `report` and `import`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from .common import PROJECT_OPTION, console, reporting_errors


def report_command(
    project: Path = PROJECT_OPTION,
    output: Path = typer.Option(
        ..., "--output", "-o",
        help="Fichier à écrire ; le format vient de l'extension : .docx (rapport Word), .xlsx "
             "(classeur), .qdpx (projet REFI-QDA), .qdc (livre de codes)."),
    journey: str | None = typer.Option(
        None, "--journey",
        help="Un seul parcours (id, nom court ou libellé) : chapitres du rapport Word, matrices "
             "du classeur Excel."),
    template: Path | None = typer.Option(
        None, "--template", help="Modèle Word (.docx ou .dotx) dont le rapport prend les styles."),
) -> None:
    """Écrit un rapport (Word, Excel, REFI-QDA ou livre de codes) à partir d'un projet."""
    from ..reports import write_report
    from ..store import open_project

    with reporting_errors():
        dest = write_report(open_project(project), output, journey=journey, template=template)
    console.print(f"Rapport écrit : {dest}", highlight=False)


def import_command(
    file: Path = typer.Argument(
        ..., help="Projet REFI-QDA (.qdpx, .qde) ou livre de codes (.qdc, .yaml, .xlsx)."),
    project: Path = PROJECT_OPTION,
) -> None:
    """Importe un projet REFI-QDA (NVivo, ATLAS.ti, MAXQDA…) ou un livre de codes."""
    from ..reports import import_file

    with reporting_errors():
        summary = import_file(project, file)
    for line in summary.lines():
        console.print(line, highlight=False, soft_wrap=True)
