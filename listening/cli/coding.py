"""`listening code` and `listening import-codings`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from .common import PROJECT_OPTION, app, console, progress_bar, reporting_errors


@app.command()
def code(
    project: Path = PROJECT_OPTION,
    coder: str = typer.Option(None, "--coder", help="Votre nom de codeur (pour accepter)."),
    accept_above: float = typer.Option(None, "--accept-above",
                                       help="Accepter les suggestions de score ≥ SCORE."),
    embedder: str = typer.Option("tfidf", "--embedder", help="tfidf, spacy ou st:/dossier/modele."),
    rerun: bool = typer.Option(True, "--rerun/--no-rerun",
                               help="Relancer le codage automatique (sinon : suggestions en attente)."),
    min_score: float = typer.Option(None, "--min-score",
                                    help="Score minimal des suggestions affichées (0,4 par défaut)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Propose des codes (thèmes, valence, étapes) ; accepter reste un geste explicite."""
    from ..autocode import DEFAULT_THRESHOLD
    from ..coding import run_suggestions
    from ..errors import InputError
    from ..store import accept_above as accept
    from ..store import open_project, suggestions_frame

    with reporting_errors():
        if accept_above is not None and not coder:
            raise InputError("--accept-above demande --coder : chaque codage enregistre son auteur.")
        proj = open_project(project)
        if rerun:
            with progress_bar("Codage automatique") as progress:
                run_suggestions(proj, embedder=embedder, progress=progress)
        accepted = accept(proj, accept_above, coder=coder) if accept_above is not None else 0
        pending = suggestions_frame(proj, coder=coder)
        floor = DEFAULT_THRESHOLD if min_score is None else min_score
        pending = pending[pending["score"] >= floor]
    if json_out:
        typer.echo(json.dumps({"suggestions": [
            {"document": r.document, "segment": r.segment_id, "code": r.code_id,
             "score": r.score, "coder": r.coder, "evidence": list(r.evidence)}
            for r in pending.itertuples()]}, ensure_ascii=False, indent=1))
        return
    console.print(f"Suggestions en attente : {len(pending)}"
                  + (f" · acceptées par {coder} : {accepted}" if accept_above is not None else ""))
    if len(pending):
        table = Table("Code", "Suggestions", "Score moyen", title="Par code", title_justify="left")
        for code_id, group in pending.groupby("code_id"):
            table.add_row(code_id, str(len(group)), f"{group['score'].mean():.2f}")
        console.print(table)


@app.command("import-codings")
def import_codings_command(
    file: Path = typer.Argument(..., help="Tableur .csv/.xlsx : segment ou document+début+fin, code, codeur."),
    project: Path = PROJECT_OPTION,
    coder: str = typer.Option(None, "--coder", help="Codeur quand la colonne manque."),
) -> None:
    """Importe des codages faits dans un tableur."""
    from ..coding import import_codings
    from ..store import open_project

    with reporting_errors():
        report = import_codings(open_project(project), file, coder=coder)
    console.print(f"Codages importés : {report.added} · déjà présents : {report.duplicates} · "
                  f"lignes en erreur : {len(report.errors)}")
    for line in report.errors:
        console.print(f"  {line}", markup=False, highlight=False)
    if report.errors and not report.added:
        raise typer.Exit(1)
