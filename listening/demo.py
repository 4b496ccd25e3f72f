"""`listening demo`: build the demonstration project from corpora/demo, stage by stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .ingestion import IngestReport, ingest_paths
from .projects import DEMO_CORPUS, create_project
from .store import Project, counts

Log = Callable[[str], None]


@dataclass
class DemoResult:
    project: Project
    ingest: IngestReport
    steps: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        c = counts(self.project)
        return [
            *self.steps,
            f"Projet de démonstration : {self.project.path} — {c['documents']} documents, "
            f"{c['segments']} segments, {c['codings']} codages, {c['suggestions']} suggestions.",
        ]


def build_demo(directory: Path, *, corpus: Path | None = None,
               progress: Callable[[int, int, str], None] | None = None,
               log: Log = lambda _msg: None) -> DemoResult:
    corpus = Path(corpus or DEMO_CORPUS)
    documents = corpus / "documents"
    manifest = corpus / "manifest.yaml"
    if not documents.is_dir() or not manifest.exists():
        raise InputError("corpus de démonstration incomplet : il faut documents/ et manifest.yaml ; "
                         "lancez la commande depuis une copie complète du dépôt.", source=str(corpus))
    project, _ = create_project(directory, mission="Démonstration — cinq parcours usagers")
    log("Ingestion et pseudonymisation du corpus…")
    report = ingest_paths(project, [documents], manifest=manifest, progress=progress)
    result = DemoResult(project, report)
    return result
