"""`listening demo`: build the demonstration project from corpora/demo, stage by stage.

1. create the project with the default codebook; 2. ingest and pseudonymise the corpus;
3. load two inspectors' independent codings (the reference coding and a blind second coder);
4. run the automatic coders, the learned one trained on those codings (it suggests codes on the
segments they left, and on theirs from models that never saw their document); 5. accept the
confident suggestions under an explicit demo coder name; 6. topics per journey stage;
7. agreement; 8. reports (Word, Excel, REFI-QDA).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .autocode import LearnedCoder
from .errors import InputError
from .ingestion import IngestReport, ingest_paths
from .projects import DEMO_CORPUS, create_project
from .store import Project, accept_above, counts

Log = Callable[[str], None]
Progress = Callable[[int, int, str], None]

CODER_A = "Inspectrice A"
CODER_B = "Inspecteur B"
DEMO_ACCEPTOR = "Démonstration (suggestions ≥ 0,8 acceptées)"
ACCEPT_THRESHOLD = 0.8
REPORT_NAMES = ("rapport-ecoute-usagers.docx", "classeur-ecoute-usagers.xlsx",
                "projet-ecoute-usagers.qdpx", "livre-de-codes.qdc")


@dataclass
class DemoResult:
    project: Project
    ingest: IngestReport
    steps: list[str] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        c = counts(self.project)
        return [
            *self.steps,
            f"Projet de démonstration : {self.project.path} — {c['documents']} documents, "
            f"{c['segments']} segments, {c['codings']} codages, {c['suggestions']} suggestions.",
            *(f"Rapport : {p}" for p in self.reports),
        ]


def _check_corpus(corpus: Path) -> None:
    if not (corpus / "documents").is_dir() or not (corpus / "manifest.yaml").exists():
        raise InputError("corpus de démonstration incomplet : il faut documents/ et manifest.yaml ; "
                         "lancez la commande depuis une copie complète du dépôt.", source=str(corpus))


def build_demo(directory: Path, *, corpus: Path | None = None, reports_dir: Path | None = None,
               progress: Progress | None = None, log: Log = lambda _msg: None,
               with_topics: bool = True, with_reports: bool = True) -> DemoResult:
    from .analysis import run_topics
    from .coding import import_quoted_codings, run_suggestions

    corpus = Path(corpus or DEMO_CORPUS)
    _check_corpus(corpus)
    project, _ = create_project(directory, mission="Démonstration — cinq parcours usagers")
    log("1/6 Ingestion et pseudonymisation du corpus…")
    report = ingest_paths(project, [corpus / "documents"], manifest=corpus / "manifest.yaml",
                          progress=progress)
    result = DemoResult(project, report)
    log("2/6 Codages des deux inspecteurs…")
    for coder, name in ((CODER_A, "codage-reference.csv"), (CODER_B, "codage-codeur-b.csv")):
        path = corpus / name
        if path.exists():
            imp = import_quoted_codings(project, path, coder=coder)
            result.steps.append(f"Codages de {coder} : {imp.added} ajoutés, "
                                f"{len(imp.errors)} citation(s) non retrouvée(s).")
    log("3/6 Suggestions automatiques (règles, et apprentissage sur les codages)…")
    _, sugs = run_suggestions(project, progress=progress)
    learned = sugs.params["learned"]["training_segments"]
    result.steps.append(f"Suggestions automatiques : {len(sugs.combined)}"
                        + (f" (règles, similarité et modèle appris des {learned} segments codés "
                           "par les inspecteurs)." if sugs.by_coder.get(LearnedCoder.name) else "."))
    accepted = accept_above(project, ACCEPT_THRESHOLD, coder=DEMO_ACCEPTOR)
    result.steps.append(f"Suggestions acceptées (score ≥ {ACCEPT_THRESHOLD}) : {accepted}.")
    if with_topics:
        log("4/6 Thèmes émergents par étape…")
        _, topics, _ = run_topics(project, progress=progress)
        result.steps.append(f"Thèmes émergents : {len(topics)} (parcours × étape × thème).")
    log("5/6 Accord inter-codeurs…")
    result.steps.extend(_agreement_lines(project))
    if with_reports:
        log("6/6 Rapports…")
        result.reports = _write_reports(project, Path(reports_dir or "reports"))
    return result


def _agreement_lines(project: Project) -> list[str]:
    from .agreement import project_agreement
    from .store import StoreCodingSource

    source = StoreCodingSource(project, coders=[CODER_A, CODER_B])
    if len(source.coded_units()) < 2:
        return []
    report = project_agreement(source)
    alpha = report.overall.krippendorff_alpha.value
    kappa = report.overall.cohen_kappa.mean
    fmt = lambda v: "n.d." if v is None else f"{v:.2f}"  # noqa: E731
    return [f"Accord {CODER_A} / {CODER_B} : α de Krippendorff {fmt(alpha)}, "
            f"κ de Cohen {fmt(kappa)}."]


def _write_reports(project: Project, folder: Path) -> list[Path]:
    from .reports import write_report

    folder.mkdir(parents=True, exist_ok=True)
    return [write_report(project, folder / name) for name in REPORT_NAMES]
