"""The `listening` command: a thin client over the library. Output and errors in French.

Each area's commands live in their own module; this file only assembles them.
"""

from __future__ import annotations

from . import analysis as _analysis  # noqa: F401  (registers topics, journey)
from . import coding as _coding  # noqa: F401  (registers code, import-codings)
from . import project as _project  # noqa: F401  (registers init, inspect, ingest, demo, app)
from .agreement import agreement_command
from .codebook import app as codebook_app
from .common import app, main, reporting_errors
from .pseudonymise import pseudonymise_command
from .reports import import_command, report_command

app.add_typer(codebook_app, name="codebook")
app.command("agreement", help="Accord inter-codeurs d'un projet ou d'un tableau CSV.")(
    agreement_command
)
app.command("pseudonymise", help="Affiche le texte pseudonymisé de fichiers, sans rien stocker.")(
    pseudonymise_command
)
app.command("report", help="Exporte le rapport Word, le classeur Excel, le projet .qdpx ou le .qdc.")(
    report_command
)
app.command("import", help="Importe un projet REFI-QDA (.qdpx, .qde) ou un livre de codes.")(
    import_command
)

__all__ = ["app", "main", "reporting_errors"]
