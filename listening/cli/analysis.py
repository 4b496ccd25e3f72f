"""`listening topics` and `listening journey`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from .common import PROJECT_OPTION, app, console, progress_bar, reporting_errors


def _jsonable(df) -> list[dict]:
    return json.loads(df.to_json(orient="records", force_ascii=False))


@app.command()
def topics(
    project: Path = PROJECT_OPTION,
    journey: str = typer.Option(None, "--journey", help="Un seul parcours (ex. parcours.retraite)."),
    embedder: str = typer.Option("tfidf", "--embedder", help="tfidf, spacy ou st:/dossier/modele."),
    seed: int = typer.Option(42, "--seed", help="Graine (mêmes données + graine = mêmes thèmes)."),
    all_segments: bool = typer.Option(False, "--tous", help="Tous les segments, pas seulement les irritants."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Thèmes émergents (points de douleur) par étape de parcours."""
    from ..analysis import run_topics
    from ..codebook import resolve_journey
    from ..store import current_codebook, latest_run, open_project
    from ..topics import TopicParams

    with reporting_errors():
        proj = open_project(project)
        if journey:
            journey = resolve_journey(current_codebook(proj), journey).id
        params = TopicParams(embedder=embedder, seed=seed,
                             valence=None if all_segments else "valence.irritant")
        with progress_bar("Thèmes émergents") as progress:
            run_id, frame, summary = run_topics(proj, params, journey=journey, progress=progress)
        run = latest_run(proj, "topics")
    if json_out:
        out = {"run": {k: run[k] for k in ("id", "params", "seed", "version", "started_at",
                                           "finished_at", "summary")},
               "topics": [{"id": r["key"], "label": r["label"], "words": r["words"],
                           "count": r["count"], "share": r["share"], "stage": r["stage"],
                           "journey": r["journey"], "themes": r["themes"],
                           "examples": r["examples"]} for r in _jsonable(frame)]}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    for group, info in summary["groups"].items():
        console.print(f"[bold]{group}[/bold] : {info['segments']} segments, {info['topics']} thèmes "
                      f"({info['method']}), hors-thème {info['outliers_before']} → "
                      f"{info['outliers_after']} après réaffectation", highlight=False)
    table = Table("Parcours", "Étape", "Thème émergent", "Segments", "Part", title_justify="left")
    for r in frame.itertuples():
        table.add_row(r.journey or "—", r.etape, r.label, str(r.count), f"{r.share:.0%}")
    console.print(table)


@app.command()
def journey(
    project: Path = PROJECT_OPTION,
    journey_id: str = typer.Option(..., "--journey", help="Parcours (ex. parcours.separation)."),
    public: str = typer.Option(None, "--public", help="Filtrer sur un public."),
    doc_type: str = typer.Option(None, "--type", help="entretien, atelier ou verbatim."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
) -> None:
    """Carte du parcours : étapes dans l'ordre, irritants, points d'appui, suggestions."""
    from ..analysis import journey_data
    from ..store import open_project

    with reporting_errors():
        data = journey_data(open_project(project), journey_id, public=public, doc_type=doc_type)
    if json_out:
        typer.echo(json.dumps({k: _jsonable(v) for k, v in data.items()}, ensure_ascii=False,
                              indent=1))
        return
    table = Table("Étape", "Segments", "Irritants", "Points d'appui", "Suggestions", "Intensité",
                  title=journey_id, title_justify="left")
    for r in data["stages"].itertuples():
        table.add_row(r.etape, str(r.segments), str(r.irritants), str(r.positifs),
                      str(r.suggestions), f"{r.intensite:.0%}")
    console.print(table)
