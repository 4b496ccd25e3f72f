"""Project commands: init, inspect, ingest, demo, app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import InputError
from .common import PROJECT_OPTION, app, console, err_console, progress_bar, reporting_errors


@app.command()
def init(
    directory: Path = typer.Argument(..., help="Dossier du projet à créer."),
    codebook: Path = typer.Option(None, "--codebook", "-c", help="Livre de codes (YAML, XLSX, .qdc)."),
    mission: str = typer.Option("", "--mission", help="Intitulé de la mission (page de titre du rapport)."),
) -> None:
    """Crée un projet (base SQLite + paramètres) avec son livre de codes."""
    from ..projects import create_project

    with reporting_errors():
        project, cb = create_project(directory, codebook=codebook, mission=mission)
    console.print(f"Projet prêt : {project.path} — livre de codes « {cb.name} » v{cb.version} "
                  f"({len(cb.codes)} codes).")


@app.command()
def inspect(
    file: Path = typer.Argument(..., help="Fichier à lire (rien n'est stocké)."),
    json_out: bool = typer.Option(False, "--json", help="Sortie JSON."),
    text_column: str = typer.Option(None, "--text-column", help="Colonne du texte (tableurs)."),
    id_column: str = typer.Option(None, "--id-column", help="Colonne identifiant (tableurs)."),
    detect: bool = typer.Option(True, "--masquage/--sans-masquage",
                                help="Montrer ce que la pseudonymisation masquerait."),
    project: Path = typer.Option(None, "--project", "-p",
                                 help="Appliquer les listes d'exceptions et de termes à masquer "
                                      "de ce projet."),
) -> None:
    """Lit un fichier sans rien stocker : tours de parole, rôles, et données à masquer."""
    from ..ingest import ReadOptions, read_file
    from ..inspection import inspect_documents, project_pseudonymiser

    with reporting_errors():
        docs = read_file(file, ReadOptions(text_column=text_column, id_column=id_column))
        engine = project_pseudonymiser(project) if (detect and project) else None
        views = inspect_documents(docs, detect=detect, pseudonymiser=engine)
    if json_out:
        out = views[0] if len(views) == 1 else views
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for view in views:
        d = view["document"]
        console.print(f"[bold]{d['name']}[/bold] ({d['format']}) — {len(view['turns'])} tours, "
                      f"{d['words']} mots", highlight=False)
        for t in view["turns"]:
            stamp = f"[{t['timestamp']}] " if t.get("timestamp") else ""
            console.print(f"  {escape(stamp)}[cyan]{escape(t['speaker'] or '—')}[/cyan] "
                          f"({t['role']}) : {escape(_clip(t['text']))}", highlight=False)
        if detect:
            ents = view["entities"]
            console.print(f"  À masquer : {len(ents)} élément(s)"
                          + (" — " + ", ".join(f"{e['label']} « {e['text']} »" for e in ents[:30])
                             if ents else ""), highlight=False, markup=False)


def _clip(text: str, width: int = 160) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Fichiers ou dossiers (parcourus récursivement)."),
    project: Path = PROJECT_OPTION,
    manifest: Path = typer.Option(None, "--manifest", "-m", help="Manifeste des métadonnées."),
    journey: str = typer.Option(None, "--journey", help="Parcours (ex. parcours.retraite)."),
    doc_type: str = typer.Option(None, "--type", help="entretien, atelier ou verbatim."),
    public: str = typer.Option(None, "--public", help="Public (ex. parent isolé)."),
    territory: str = typer.Option(None, "--territory", help="Territoire."),
    text_column: str = typer.Option(None, "--text-column", help="Colonne du texte (tableurs)."),
    id_column: str = typer.Option(None, "--id-column", help="Colonne identifiant (tableurs)."),
    no_pseudonymise: bool = typer.Option(False, "--no-pseudonymise",
                                         help="Ne pas pseudonymiser (consigné dans le projet)."),
    replace_existing: bool = typer.Option(
        False, "--remplacer",
        help="Réimporter les documents déjà présents (après avoir modifié les listes de "
             "masquage) ; ceux qui portent des codages ne sont pas touchés."),
    mapping: Path = typer.Option(
        None, "--correspondance",
        help="Fichier chiffré (hors du projet) gardant la table de correspondance, pour pouvoir "
             "réidentifier ; phrase de passe demandée ou lue dans LISTENING_PASSPHRASE."),
) -> None:
    """Ajoute des entretiens, notes d'atelier ou tableaux de verbatims à un projet."""
    from ..ingest import ReadOptions
    from ..ingestion import ingest_paths
    from ..model import DOCUMENT_TYPES, Metadata
    from ..store import open_project

    with reporting_errors():
        if doc_type and doc_type not in DOCUMENT_TYPES:
            raise InputError(f"type « {doc_type} » inconnu ; types possibles : "
                             f"{', '.join(DOCUMENT_TYPES)}.")
        meta = Metadata(type=doc_type or "entretien", journey=journey, public=public,
                        territory=territory)
        options = ReadOptions(text_column=text_column, id_column=id_column, meta=meta)
        proj = open_project(project)
        vault = _open_vault(mapping) if mapping else None
        with progress_bar("Ingestion") as progress:
            report = ingest_paths(proj, paths, manifest=manifest, options=options,
                                  pseudonymise=False if no_pseudonymise else None,
                                  vault=vault, replace_existing=replace_existing,
                                  progress=progress)
    print_ingest_report(report)
    if report.failed and not report.ingested and not report.unchanged:
        raise typer.Exit(1)


def _open_vault(path: Path):
    """The encrypted mapping file: opened when it exists, else created on save."""
    from ..pseudo_registry import MappingVault

    passphrase = os.environ.get("LISTENING_PASSPHRASE") or typer.prompt(
        "Phrase de passe de la table de correspondance", hide_input=True,
        confirmation_prompt=not path.exists())
    return MappingVault.load(path, passphrase) if path.exists() else MappingVault(path, passphrase)


def print_ingest_report(report) -> None:
    s = report.summary()
    console.print(f"Ingérés : {s['ingérés']} · inchangés : {s['inchangés']} · "
                  f"en échec : {s['en échec']} · ignorés : {s['ignorés']}", highlight=False)
    if report.failed:
        table = Table("Fichier", "Raison", title="Échecs", title_justify="left")
        for name, reason in report.failed:
            table.add_row(name, reason)
        err_console.print(table)
    for name, reason in report.ignored:
        console.print(f"  ignoré : {name} ({reason})", highlight=False, markup=False)
    for name, warning in report.warnings:
        console.print(f"  avertissement : {name} — {warning}", highlight=False, markup=False)


@app.command()
def demo(
    project: Path = PROJECT_OPTION,
    open_app: bool = typer.Option(False, "--open", help="Ouvrir l'explorateur ensuite."),
    corpus: Path = typer.Option(None, "--corpus", help="Corpus de démonstration (corpora/demo)."),
) -> None:
    """Construit le projet de démonstration à partir de corpora/demo."""
    from ..demo import build_demo

    with reporting_errors(), progress_bar("Démonstration") as progress:
        result = build_demo(project, corpus=corpus, progress=progress,
                            log=lambda msg: err_console.print(msg, highlight=False))
    print_ingest_report(result.ingest)
    for line in result.lines():
        console.print(line, highlight=False, markup=False)
    if open_app:
        _run_app(project)


@app.command("app")
def app_command(
    project: Path = PROJECT_OPTION,
    port: int = typer.Option(8501, "--port", help="Port local."),
    address: str = typer.Option("127.0.0.1", "--address", help="Adresse d'écoute (locale par défaut)."),
) -> None:
    """Ouvre l'explorateur (Streamlit) sur un projet."""
    with reporting_errors():
        from ..store import open_project

        open_project(project)  # a clear error before starting a server on nothing
    _run_app(project, port=port, address=address)


def _run_app(project: Path, port: int = 8501, address: str = "127.0.0.1") -> None:
    from .common import REPO_ROOT

    script = REPO_ROOT / "app.py"
    env = {**os.environ, "LISTENING_PROJECT": str(Path(project).resolve())}
    console.print(f"Explorateur : http://localhost:{port} (Ctrl+C pour arrêter)")
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", address,
           "--server.port", str(port), "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal"]
    raise typer.Exit(subprocess.call(cmd, env=env))
