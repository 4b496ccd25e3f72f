"""`listening agreement`: agreement between coders, of a project or of a CSV reliability table."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from ..agreement import Agreement, AgreementReport
from .common import DEFAULT_PROJECT, console, err_console, reporting_errors


def agreement_command(
    project: Path | None = typer.Option(
        None, "--project", "-p", help=f"Dossier du projet (par défaut {DEFAULT_PROJECT})."),
    from_csv: Path | None = typer.Option(
        None, "--from-csv",
        help="Tableau de fiabilité CSV : colonnes unit,coder,value ; une ligne par unité et par "
             "codeur ; valeur vide = manquante."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
    unit: str = typer.Option("segment", "--unit",
                             help="Unité d'un projet : « segment » ou « span » (extraits)."),
    min_overlap: float = typer.Option(
        0.5, "--min-overlap", help="Avec --unit span : part du plus court des deux extraits "
                                   "qui doit se chevaucher pour qu'ils concordent."),
    coder: list[str] = typer.Option(
        [], "--coder", "-c",
        help="Codeur à comparer (à répéter). Par défaut, ceux qui ont codé eux-mêmes : un "
             "codeur dont tous les codages sont des suggestions acceptées est laissé de côté."),
) -> None:
    """Accord inter-codeurs : % d'accord, κ de Cohen, α de Krippendorff."""
    from .. import agreement

    if project is not None and from_csv is not None:
        err_console.print("Erreur : donnez soit --project DOSSIER, soit --from-csv FICHIER, "
                          "pas les deux.", highlight=False)
        raise typer.Exit(2)
    if from_csv is not None and coder:
        err_console.print("Erreur : --coder choisit des codeurs d'un projet ; un tableau "
                          "--from-csv est mesuré avec tous ses codeurs.", highlight=False)
        raise typer.Exit(2)
    if len(coder) == 1:
        err_console.print(f"Erreur : un accord compare au moins deux codeurs ; ajoutez un autre "
                          f"--coder que « {coder[0]} ».", highlight=False)
        raise typer.Exit(2)
    if from_csv is not None:
        with reporting_errors():
            result = agreement.measure_table(agreement.table_from_csv(from_csv))
        if json_out:
            typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            print_table_agreement(result, from_csv)
        return
    from ..store import StoreCodingSource, check_coders, compared_coders, open_project

    with reporting_errors():
        opened = open_project(project or DEFAULT_PROJECT)
        if coder:
            check_coders(opened, coder)
        chosen, left_out = (coder, []) if coder else compared_coders(opened)
        report = agreement.project_agreement(StoreCodingSource(opened, chosen),
                                             unit=unit, min_overlap=min_overlap)
    if json_out:
        typer.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    print_report(report)
    for name in left_out:
        console.print(f"Remarque : « {name} » n'est pas comparé (tous ses codages sont des "
                      f"suggestions acceptées) ; ajoutez --coder pour choisir les codeurs.",
                      highlight=False, markup=False)


def _number(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "non défini"
    text = f"{value * 100:.1f} %" if percent else f"{value:.3f}"
    return text.replace(".", ",")  # French decimal comma


def print_table_agreement(result: Agreement, source: Path) -> None:
    table = Table(title=f"Accord entre codeurs — {source.name}", show_header=True)
    table.add_column("mesure")
    table.add_column("valeur", justify="right")
    table.add_row("unités", f"{result.units} (comparées : {result.compared})")
    table.add_row("codeurs", ", ".join(result.coders))
    table.add_row("% accord", _number(result.percent_agreement.value, percent=True))
    table.add_row("κ de Cohen (moyenne des paires)", _number(result.cohen_kappa.mean))
    for pair, measure in result.cohen_kappa.pairs.items():
        table.add_row(f"  κ {pair.replace('|', ' / ')}", _number(measure.value))
    table.add_row(f"α de Krippendorff ({result.level})",
                  _number(result.krippendorff_alpha.value))
    console.print(table)
    for note in result.notes():
        console.print(f"Remarque : {note}", highlight=False, markup=False)


def print_report(report: AgreementReport) -> None:
    table = Table(title=f"Accord entre codeurs ({', '.join(report.coders)})")
    table.add_column("code", overflow="fold")
    table.add_column("libellé")
    for label in ("unités", "% accord", "κ de Cohen", "α de Krippendorff"):
        table.add_column(label, justify="right")
    rows = [*((c.code_id, c.label, c.agreement) for c in report.codes),
            ("ensemble", "Tous les codes", report.overall)]
    for code, label, a in rows:
        table.add_row(code, label, str(a.compared),
                      _number(a.percent_agreement.value, percent=True),
                      _number(a.cohen_kappa.mean), _number(a.krippendorff_alpha.value))
    console.print(table)
    console.print(f"Règle : {report.rule}.", highlight=False, markup=False)
    for code, _, a in rows:
        for note in a.notes():
            console.print(f"Remarque ({code}) : {note}", highlight=False, markup=False)
