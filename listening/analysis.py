"""Project-level analysis: coded segments, topic runs, journey data. Reads and writes the store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict

import pandas as pd

from .store import (
    Project,
    applied_codes,
    current_codebook,
    finish_run,
    latest_run,
    save_topics,
    segments_frame,
    start_run,
    topics_frame,
)
from .topics import TopicParams, topics_by_stage
from .views import coded_segments, journey_map, pain_curve, stage_summary

Progress = Callable[[int, int, str], None]


def coded_frame(project: Project, coders: Sequence[str] | None = None) -> pd.DataFrame:
    """Every segment with its document metadata and the codes the chosen coders applied."""
    return coded_segments(segments_frame(project), applied_codes(project),
                          current_codebook(project), coders=coders)


def stage_labels(project: Project) -> dict[str, str]:
    return {c.id: c.label for c in current_codebook(project).family("stage")}


def run_topics(project: Project, params: TopicParams = TopicParams(), *,
               journey: str | None = None, progress: Progress | None = None,
               actor: str = "listening") -> tuple[str, pd.DataFrame, dict]:
    """Fit topics per journey and store the run (parameters, seed, version, assignments)."""
    run_id = start_run(project, "topics", {**asdict(params), "journey": journey},
                       seed=params.seed, actor=actor)
    try:
        topics, assignments, summary = topics_by_stage(
            coded_frame(project), params, journey=journey, stage_labels=stage_labels(project),
            progress=progress)
    except Exception:
        finish_run(project, run_id, {}, status="failed")
        raise
    save_topics(project, run_id, topics.to_dict("records"),
                list(assignments.itertuples(index=False, name=None)))
    finish_run(project, run_id, summary)
    return run_id, topics, summary


def latest_topics(project: Project) -> tuple[dict | None, pd.DataFrame]:
    run = latest_run(project, "topics")
    if run is None:
        return None, pd.DataFrame()
    return run, topics_frame(project, run["id"])


def journey_data(project: Project, journey: str, *, public: str | None = None,
                 doc_type: str | None = None) -> dict[str, pd.DataFrame]:
    """Everything the journey view shows: stages, stage × theme map, pain curve."""
    from .codebook import resolve_journey

    codebook = current_codebook(project)
    journey = resolve_journey(codebook, journey).id
    coded = coded_frame(project)
    return {
        "stages": stage_summary(coded, codebook, journey, public=public, doc_type=doc_type),
        "map": journey_map(coded, codebook, journey, public=public, doc_type=doc_type),
        "curve": pain_curve(coded, codebook, journey, doc_type=doc_type),
    }
