"""The typer app, error reporting and progress display shared by every command."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..errors import ListeningError

app = typer.Typer(
    name="listening",
    help="Écoute des usagers : des verbatims aux parcours codés et traçables.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PROJECT = Path("projets/demo")
PROJECT_OPTION = typer.Option(DEFAULT_PROJECT, "--project", "-p", help="Dossier du projet.")


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn a ListeningError into `Erreur : …` on stderr and exit code 1. Nothing else."""
    try:
        yield
    except ListeningError as exc:
        err_console.print(f"[red]Erreur :[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


@contextmanager
def progress_bar(label: str) -> Iterator[callable]:
    """A rich progress bar fed by the library's `progress(done, total, what)` callbacks."""
    if not sys.stderr.isatty():
        yield lambda done, total, what: None
        return
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[what]}"), TimeElapsedColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=None, what="")

        def update(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=total, what=what[-50:])

        yield update


def main() -> None:
    app()
