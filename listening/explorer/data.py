"""The open project and its frames, cached per (project path, versions of what they depend on).

A version moves with every logged change of its kind (documents, codings, suggestions, memos,
codebook, runs), with reviews and with finished runs, so a write by this session, another
user or the CLI shows on the next rerun while unrelated frames stay cached.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from .. import views
from ..agreement import AgreementReport, disagreements_frame, project_agreement_details
from ..analysis import latest_topics
from ..codebook_io import save_codebook as save_codebook_file
from ..errors import ProjectError
from ..model import Codebook, Document
from ..store import (
    Project,
    StoreCodingSource,
    applied_codes,
    changelog_frame,
    coded_units,
    codings_frame,
    compared_coders,
    current_codebook,
    documents_frame,
    get_document,
    memos_frame,
    open_project,
    runs_frame,
    segment_texts,
    segments_frame,
    suggestions_frame,
)
from .text import TurnView, conversation

PROJECT_ENV = "LISTENING_PROJECT"
DEFAULT_PROJECT = Path("projets") / "demo"


def project_path() -> Path:
    """The project the explorer opens: $LISTENING_PROJECT, else projets/demo."""
    return Path(os.environ.get(PROJECT_ENV) or DEFAULT_PROJECT).expanduser().resolve()


def missing_project_message(path: Path) -> str:
    return (f"Aucun projet listening dans « {path} ». Pour découvrir l'outil, construisez le "
            "projet de démonstration avec « listening demo » puis relancez « listening app » ; "
            "pour un autre projet : « listening app --project DOSSIER ».")


@st.cache_resource(show_spinner=False)
def _open(path: str) -> Project:
    return open_project(Path(path))


# Which logged actions (by prefix) change what; any other action changes everything.
DOMAINS = {"documents": ("ingest", "delete"), "codebook": ("codebook",),
           "codings": ("coding.", "suggestion."), "suggestions": ("suggest",),
           "memos": ("memo",), "runs": ("run.",)}
# What each cached frame depends on ("reviews": review count; "runs" also counts finished runs).
DEPENDS = {
    "codebook": ("codebook",), "documents": ("documents",), "segments": ("documents",),
    "codings": ("documents", "codings"), "suggestions": ("documents", "suggestions"),
    "units": ("codings", "reviews"), "coded": ("documents", "codings", "codebook"),
    "memos": ("memos",), "runs": ("runs",), "topics": ("documents", "runs"),
    "changes": ("all",), "progress": ("documents", "codings", "reviews"),
    "agreement": ("documents", "codings", "reviews", "codebook"), "kwic": ("documents",),
    "coders": ("codings", "reviews"),
}


class _Seen:
    """The latest change-log sequence per action, read incrementally (shared by sessions)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last = 0
        self.by_action: dict[str, int] = {}


@st.cache_resource(show_spinner=False)
def _seen(path: str) -> _Seen:
    return _Seen()


def data_versions(project: Project) -> dict[str, int]:
    """Per domain, a number that moves whenever that part of the project changes."""
    conn = project.connection()
    seen = _seen(str(project.path))
    with seen.lock:
        top = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM changelog").fetchone()[0]
        if top < seen.last:  # the project was rebuilt in place
            seen.last, seen.by_action = 0, {}
        for action, seq in conn.execute("SELECT action, MAX(seq) FROM changelog WHERE seq > ? "
                                        "GROUP BY action", (seen.last,)):
            seen.by_action[action] = seq
            seen.last = max(seen.last, seq)
        by_action = dict(seen.by_action)
    out = {d: max((s for a, s in by_action.items() if a.startswith(prefixes)), default=0)
           for d, prefixes in DOMAINS.items()}
    known = tuple(p for prefixes in DOMAINS.values() for p in prefixes)
    out["other"] = max((s for a, s in by_action.items() if not a.startswith(known)), default=0)
    out["all"] = max(by_action.values(), default=0)
    reviews, runs = conn.execute("SELECT (SELECT COUNT(*) FROM reviews), "
                                 "(SELECT COUNT(*) FROM runs WHERE finished_at IS NOT NULL)"
                                 ).fetchone()
    out["reviews"], out["runs"] = reviews, (out["runs"], runs)
    return out


Key = tuple


def _narrow(key: Key, name: str) -> Key:
    versions = dict(key)
    return tuple((d, versions[d]) for d in (*DEPENDS[name], "other"))


@dataclass(frozen=True)
class Data:
    """The current project and its frames, each cached at the version of what it depends on.

    Frames are shared between sessions and must be treated as read-only (filter into new
    frames); this spares a copy of 20,000-row frames at every rerun.
    """

    project: Project
    path: str
    versions: tuple

    def _k(self, name: str) -> Key:
        return _narrow(self.versions, name)

    def codebook(self) -> Codebook:
        return _codebook(self.path, self._k("codebook"))

    def labels(self) -> dict[str, str]:
        return {c.id: c.label for c in self.codebook().codes}

    def documents(self) -> pd.DataFrame:
        return _documents(self.path, self._k("documents"))

    def document(self, document_id: str) -> Document:
        return _document(self.path, self._k("documents"), document_id)

    def segments(self) -> pd.DataFrame:
        return _segments(self.path, self._k("segments"))

    def coded(self) -> pd.DataFrame:
        return _coded(self.path, self._k("coded"))

    def codings(self, coder: str | None = None, blind: bool = False) -> pd.DataFrame:
        return _codings(self.path, self._k("codings"), coder if blind else None)

    def codes_applied(self) -> pd.DataFrame:
        """segment_id, code_id, coder of every coding (no text nor metadata: light)."""
        return _applied(self.path, self._k("codings"))

    def suggestions(self, coder: str | None = None) -> pd.DataFrame:
        """Suggestions `coder` has not decided yet (nobody has, without a coder)."""
        return _suggestions(self.path, self._k("suggestions"), coder)

    def reviewed(self, coder: str) -> set[str]:
        return _units(self.path, self._k("units")).get(coder, set())

    def memos(self) -> pd.DataFrame:
        return _memos(self.path, self._k("memos"))

    def runs(self) -> pd.DataFrame:
        return _runs(self.path, self._k("runs"))

    def changes(self) -> pd.DataFrame:
        return _changes(self.path, self._k("changes"))

    def topics(self) -> tuple[dict | None, pd.DataFrame]:
        return _topics(self.path, self._k("topics"))

    def journey(self, journey: str, public: str | None, doc_type: str | None) -> dict:
        return _journey(self.path, self._k("coded"), journey, public, doc_type)

    def progress(self) -> pd.DataFrame:
        return _progress(self.path, self._k("progress"))

    def coders(self) -> tuple[list[str], list[str]]:
        """Every coder, and those an agreement compares by default (`store.compared_coders`)."""
        return _coders(self.path, self._k("coders"))

    def agreement(self, coders: tuple[str, ...] | None = None) -> AgreementReport:
        """Agreement between `coders` (default: `store.compared_coders`, as everywhere)."""
        return _agreement(self.path, self._k("agreement"), coders)[0]

    def disagreements(self, coders: tuple[str, ...] | None = None) -> pd.DataFrame:
        return _agreement(self.path, self._k("agreement"), coders)[1]

    def kwic(self, query: str, whole_word: bool, filters: tuple) -> pd.DataFrame:
        return _kwic(self.path, self._k("kwic"), query, whole_word, filters)

    def conversation(self, document_id: str, blind_for: str | None) -> list[TurnView]:
        """A document's turns and coded pieces; `blind_for` shows only that coder's codings."""
        return _conversation(self.path, self._k("codings"), document_id, blind_for)

    def codebook_file(self, suffix: str) -> bytes:
        """The current codebook as a .yaml, .xlsx or .qdc file."""
        return _codebook_file(self.path, self._k("codebook"), suffix)


def load() -> Data:
    """Open the current project (ProjectError when there is none) at its current versions."""
    path = project_path()
    if not (path / "projet.yaml").exists() and not (path / "projet.sqlite").exists():
        raise ProjectError(missing_project_message(path))
    project = _open(str(path))
    return Data(project, str(path), tuple(data_versions(project).items()))


def _p(path: str) -> Project:
    return _open(path)


# Frames are shared, not copied (see Data); a few versions are kept for concurrent sessions.
_cache = st.cache_resource(show_spinner=False, max_entries=8)
_slow = st.cache_resource(show_spinner="Calcul en cours…", max_entries=8)


@_cache
def _codebook(path: str, key: Key) -> Codebook:
    return current_codebook(_p(path))


@_cache
def _documents(path: str, key: Key) -> pd.DataFrame:
    return documents_frame(_p(path))


@st.cache_resource(show_spinner=False, max_entries=64)
def _document(path: str, key: Key, document_id: str) -> Document:
    return get_document(_p(path), document_id)


@_cache
def _segments(path: str, key: Key) -> pd.DataFrame:
    return segments_frame(_p(path))


@_slow
def _coded(path: str, key: Key) -> pd.DataFrame:
    return views.coded_segments(_segments(path, _narrow(key, "segments")),
                                _applied(path, _narrow(key, "codings")),
                                _codebook(path, _narrow(key, "codebook")))


@_cache
def _applied(path: str, key: Key) -> pd.DataFrame:
    return applied_codes(_p(path))


@_cache
def _codings(path: str, key: Key, only: str | None) -> pd.DataFrame:
    return codings_frame(_p(path), visible_to=only, blind=only is not None)


@st.cache_resource(show_spinner=False, max_entries=64)
def _conversation(path: str, key: Key, document_id: str, blind_for: str | None):
    return conversation(_document(path, _narrow(key, "documents"), document_id),
                        _segments(path, _narrow(key, "segments")),
                        _codings(path, key, blind_for))


@_cache
def _suggestions(path: str, key: Key, coder: str | None) -> pd.DataFrame:
    return suggestions_frame(_p(path), coder=coder)


@_cache
def _units(path: str, key: Key) -> dict[str, set[str]]:
    return coded_units(_p(path))


@_cache
def _memos(path: str, key: Key) -> pd.DataFrame:
    return memos_frame(_p(path))


@_cache
def _runs(path: str, key: Key) -> pd.DataFrame:
    return runs_frame(_p(path))


@_cache
def _changes(path: str, key: Key) -> pd.DataFrame:
    return changelog_frame(_p(path), limit=10)


@_cache
def _topics(path: str, key: Key) -> tuple[dict | None, pd.DataFrame]:
    return latest_topics(_p(path))


JOURNEY_COLUMNS = ["segment_id", "journey", "public", "type", "stage", "coded", "valences",
                   "top_themes"]


@st.cache_resource(show_spinner=False, max_entries=16)
def _journey_rows(path: str, key: Key, journey: str) -> pd.DataFrame:
    """The coded segments of one journey, with only the columns the journey views read."""
    coded = _coded(path, key)
    return coded.loc[(coded["journey"] == journey) & coded["coded"], JOURNEY_COLUMNS]


@st.cache_resource(show_spinner=False, max_entries=64)
def _journey(path: str, key: Key, journey: str, public: str | None,
             doc_type: str | None) -> dict[str, pd.DataFrame]:
    rows, cb = _journey_rows(path, key, journey), _codebook(path, _narrow(key, "codebook"))
    return {"stages": views.stage_summary(rows, cb, journey, public=public, doc_type=doc_type),
            "map": views.journey_map(rows, cb, journey, public=public, doc_type=doc_type),
            "curve": _curve(path, key, journey, doc_type)}


@st.cache_resource(show_spinner=False, max_entries=64)
def _curve(path: str, key: Key, journey: str, doc_type: str | None) -> pd.DataFrame:
    rows, cb = _journey_rows(path, key, journey), _codebook(path, _narrow(key, "codebook"))
    return views.pain_curve(rows, cb, journey, doc_type=doc_type)


@_cache
def _progress(path: str, key: Key) -> pd.DataFrame:
    return coding_progress(_segments(path, _narrow(key, "segments")),
                           _applied(path, _narrow(key, "codings")),
                           _units(path, _narrow(key, "units")))


@_cache
def _coders(path: str, key: Key) -> tuple[list[str], list[str]]:
    compared, left_out = compared_coders(_p(path))  # between them, every coder
    return sorted(compared + left_out), compared


@_slow
def _agreement(path: str, key: Key,
               chosen: tuple[str, ...] | None) -> tuple[AgreementReport, pd.DataFrame]:
    """The report and the disagreement table, from one layout of the codings."""
    report, found = project_agreement_details(StoreCodingSource(_p(path), chosen))
    frame = disagreements_frame(found, list(report.coders))
    texts = segment_texts(_p(path), frame["segment"])  # only the segments listed
    return report, disagreement_table(frame, texts, _codebook(path, _narrow(key, "codebook")))


@st.cache_resource(show_spinner=False, max_entries=32)
def _kwic(path: str, key: Key, query: str, whole_word: bool,
          filters: tuple) -> pd.DataFrame:
    rows = filter_rows(_segments(path, key), dict(filters))
    return views.kwic(rows, query, whole_word=whole_word)


@st.cache_data(show_spinner=False, max_entries=16)
def _codebook_file(path: str, key: Key, suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / f"livre-de-codes{suffix}"
        save_codebook_file(_codebook(path, key), dest)
        return dest.read_bytes()


# --- small frame helpers --------------------------------------------------------
def filter_rows(frame: pd.DataFrame, filters: dict[str, str | None]) -> pd.DataFrame:
    """Rows whose columns equal the given values; None or "" leaves a column unfiltered."""
    for column, value in filters.items():
        if value:
            frame = frame[frame[column] == value]
    return frame


def choices(frame: pd.DataFrame, column: str) -> list[str]:
    return sorted(v for v in frame[column].dropna().unique() if isinstance(v, str) and v)


def coding_progress(segments: pd.DataFrame, codings: pd.DataFrame,
                    units: dict[str, set[str]]) -> pd.DataFrame:
    """Per coder: segments reviewed (questions of interviewers excepted), share, codings."""
    to_code = set(segments.loc[segments["role"] != "interviewer", "segment_id"])
    coders = sorted(set(units) | set(codings["coder"]))
    rows = [{"codeur": c, "segments revus": len(units.get(c, set()) & to_code),
             "part du corpus": len(units.get(c, set()) & to_code) / len(to_code) if to_code else 0,
             "codages": int((codings["coder"] == c).sum())} for c in coders]
    return pd.DataFrame(rows, columns=["codeur", "segments revus", "part du corpus", "codages"])


def disagreement_table(frame: pd.DataFrame, segments: pd.DataFrame,
                       codebook: Codebook) -> pd.DataFrame:
    """The disagreement list with the code's label, the document and the segment's text."""
    labels = {c.id: c.label for c in codebook.codes}
    seg = segments.set_index("segment_id")
    out = frame.copy()
    out.insert(1, "libellé", out["code"].map(lambda c: labels.get(c, c)))
    out["document"] = out["segment"].map(seg["document"])
    out["texte"] = out["segment"].map(seg["text"])
    return out


def texts_of(segments: pd.DataFrame, ids: Sequence[str]) -> pd.DataFrame:
    """The segments with these ids, in the given order (unknown ids dropped)."""
    rows = segments.set_index("segment_id")
    known = [i for i in ids if i in rows.index]
    return rows.loc[known].reset_index()
