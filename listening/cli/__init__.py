"""The `listening` command: a thin client over the library. Output and errors in French."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import app, main, reporting_errors  # noqa: F401  (re-exported)
from . import project as _project  # noqa: F401,E402  (registers init, inspect, ingest, demo, app)


def _register_optional() -> None:
    """Areas written as their own modules register here."""
    from .codebook import app as codebook_app

    app.add_typer(codebook_app, name="codebook")
    from .agreement import agreement_command

    app.command("agreement", help="Accord inter-codeurs d'un projet ou d'un tableau CSV.")(
        agreement_command
    )
    from .pseudonymise import pseudonymise_command

    app.command("pseudonymise", help="Affiche le texte pseudonymisé de fichiers, sans rien stocker.")(
        pseudonymise_command
    )


_register_optional()

__all__ = ["app", "main", "reporting_errors", "Path", "typer"]
