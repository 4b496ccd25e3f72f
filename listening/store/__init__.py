"""The project store: one SQLite file per project, WAL, migrations on open, a change log."""

from .coding import (
    StoreCodingSource,
    accept_above,
    accept_suggestions,
    add_codings,
    applied_codes,
    changelog_frame,
    check_coders,
    codebook_history,
    coded_units,
    coders,
    codings_frame,
    compared_coders,
    current_codebook,
    decisions_frame,
    get_codings,
    mark_reviewed,
    memos_frame,
    reject_suggestions,
    remove_coding,
    replace_suggestions,
    save_codebook,
    set_memo,
    suggestions_frame,
)
from .documents import (
    add_document,
    codings_on_document,
    counts,
    delete_document,
    documents_frame,
    get_document,
    get_segments,
    pseudonym_rows,
    segment_texts,
    segments_frame,
    source_status,
)
from .project import Project, Settings, init_project, log_change, open_project
from .runs import (
    assignments_frame,
    finish_run,
    latest_run,
    runs_frame,
    save_topics,
    start_run,
    topics_frame,
)

__all__ = [
    "Project", "Settings", "StoreCodingSource", "accept_above", "accept_suggestions",
    "add_codings", "add_document", "applied_codes", "assignments_frame", "changelog_frame", "check_coders", "codebook_history",
    "coded_units", "coders", "compared_coders", "codings_on_document", "codings_frame", "counts", "current_codebook", "decisions_frame", "delete_document",
    "documents_frame", "finish_run", "get_codings", "get_document", "get_segments",
    "init_project", "latest_run", "log_change", "mark_reviewed", "memos_frame", "open_project",
    "pseudonym_rows", "reject_suggestions", "remove_coding", "replace_suggestions",
    "runs_frame", "save_codebook", "save_topics", "segment_texts", "segments_frame", "set_memo", "source_status",
    "start_run", "suggestions_frame", "topics_frame",
]
