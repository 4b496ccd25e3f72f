"""Ingest a batch of files into a project: read -> check metadata -> pseudonymise -> segment -> store.

One document is stored per transaction; a bad file is reported and the batch goes on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .codebook import resolve_journey, resolve_stage
from .errors import InputError, ListeningError
from .ingest import (
    SUPPORTED_SUFFIXES,
    Manifest,
    ReadOptions,
    find_manifest,
    load_manifest,
    read,
)
from .model import Codebook, Document, Metadata
from .segment import segment_document
from .store import (
    Project,
    add_document,
    codings_on_document,
    current_codebook,
    finish_run,
    pseudonym_rows,
    source_status,
    start_run,
)

Progress = Callable[[int, int, str], None]
SKIPPED_NAMES = ("readme", "manifest", "manifeste", "licence", "license")
BATCH = 64  # documents pseudonymised together (spaCy batches them)
PERSON_COLUMNS = frozenset({"auteur", "autrice", "auteur·rice", "author", "nom", "prenom", "name",
                            "participant", "participante", "redacteur", "redactrice", "signataire",
                            "usager", "usagere", "personne", "contact"})


@dataclass
class IngestReport:
    ingested: list[tuple[str, str, int, int]] = field(default_factory=list)  # name, id, segs, ents
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # name, French reason
    ignored: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # name, French warning
    run_id: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> dict[str, int]:
        return {"ingérés": len(self.ingested), "inchangés": len(self.unchanged),
                "en échec": len(self.failed), "ignorés": len(self.ignored),
                "avertissements": len(self.warnings)}


@dataclass(frozen=True)
class _Source:
    path: Path
    name: str  # relative to the folder given, for messages and Document.name
    manifest: Manifest | None


def collect_files(paths: Sequence[Path], manifest: Path | None,
                  report: IngestReport) -> list[_Source]:
    """Walk folders recursively; a folder's own manifest applies to the files under it."""
    explicit = load_manifest(manifest) if manifest else None
    sources: list[_Source] = []
    for root in paths:
        root = Path(root)
        if not root.exists():
            report.failed.append((str(root), "fichier ou dossier introuvable ; vérifiez le chemin."))
            continue
        if root.is_file():
            sources.append(_Source(root, root.name, explicit))
            continue
        found = explicit
        if found is None and (m := find_manifest(root)) is not None:
            found = load_manifest(m)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = path.relative_to(root).as_posix()
            if any(part.startswith((".", "_", "~$")) for part in path.relative_to(root).parts):
                continue
            if path.stem.lower().startswith(SKIPPED_NAMES):
                continue
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                report.ignored.append((rel, f"format « {path.suffix or 'sans extension'} » non pris "
                                            "en charge"))
                continue
            sources.append(_Source(path, rel, found))
    return sources


def _options_for(source: _Source, base: ReadOptions) -> tuple[ReadOptions, str | None]:
    entry = source.manifest.entry(source.name) if source.manifest else None
    if entry is None:
        return base, None
    meta = _merge_meta(base.meta, entry.meta)
    opts = entry.options
    merged = replace(
        base,
        text_column=opts.text_column or base.text_column,
        id_column=opts.id_column or base.id_column,
        columns={**base.columns, **opts.columns},
        sheet=opts.sheet or base.sheet,
        speaker_pattern=opts.speaker_pattern or base.speaker_pattern,
        roles={**base.roles, **opts.roles},
        meta=meta,
    )
    return merged, entry.id


def _merge_meta(base: Metadata, specific: Metadata) -> Metadata:
    """Fields the specific metadata sets win over the defaults."""
    default = Metadata()
    changes = {
        name: getattr(specific, name)
        for name in Metadata.__dataclass_fields__
        if getattr(specific, name) != getattr(default, name)
    }
    if "extra" in changes:
        changes["extra"] = {**base.extra, **specific.extra}
    return replace(base, **changes)


def resolve_metadata(doc: Document, codebook: Codebook) -> Document:
    """Journey and stage values (ids, short ids or labels) become codebook ids, or an error."""
    meta = doc.meta
    try:
        journey = resolve_journey(codebook, meta.journey).id if meta.journey else None
        stage = resolve_stage(codebook, journey, meta.stage).id if (meta.stage and journey) \
            else None
    except InputError as exc:  # the codebook's message does not say which file
        raise InputError(exc.reason, source=doc.name) from None
    if meta.stage and not journey:
        stage = None  # a stage without journey cannot be placed; kept in extra
        meta = replace(meta, extra={**meta.extra, "etape": meta.stage})
    return replace(doc, meta=replace(meta, journey=journey, stage=stage))


def read_sources(sources: Iterable[_Source], base: ReadOptions, codebook: Codebook,
                 report: IngestReport) -> Iterable[tuple[_Source, list[Document]]]:
    for source in sources:
        try:
            options, doc_id = _options_for(source, base)
            result = read(source.path, options, name=source.name)
            docs = list(result.documents)
            report.warnings.extend((source.name, w) for w in result.warnings)
            if doc_id and len(docs) == 1:
                docs = [replace(docs[0], external_id=doc_id)]
            docs = [resolve_metadata(d, codebook) for d in docs]
        except ListeningError as exc:
            report.failed.append((source.name, str(exc)))
            continue
        yield source, docs


def ingest_paths(
    project: Project,
    paths: Sequence[Path],
    *,
    manifest: Path | None = None,
    options: ReadOptions | None = None,
    pseudonymise: bool | None = None,
    pseudonymiser: object | None = None,
    vault: object | None = None,
    replace_existing: bool = False,
    progress: Progress | None = None,
    actor: str = "listening",
) -> IngestReport:
    """Add transcripts, notes or verbatim tables to a project. Never raises for one bad file.

    `vault` (a `MappingVault`) keeps original → pseudonym pairs in a file encrypted with a
    passphrase, outside the project, for missions that must be able to re-identify.
    `replace_existing` re-imports documents already stored (e.g. after editing the allow or
    deny lists) unless they carry codings, which are never dropped silently.
    """
    if vault is not None and Path(project.path).resolve() in Path(vault.path).resolve().parents:
        raise InputError("la table de correspondance doit être conservée hors du dossier du "
                         "projet ; choisissez un autre emplacement.", source=str(vault.path))
    report = IngestReport()
    codebook = current_codebook(project)
    base = options or ReadOptions()
    pseudonymise = project.settings.pseudonymise if pseudonymise is None else pseudonymise
    sources = collect_files(paths, manifest, report)
    run_id = start_run(project, "ingest", {"paths": [str(p) for p in paths],
                                           "pseudonymise": pseudonymise,
                                           "manifest": str(manifest) if manifest else None},
                       actor=actor)
    report.run_id = run_id
    engine = _Pseudonymisation(project, pseudonymiser, vault) if pseudonymise else None
    with engine or contextlib.nullcontext():
        batches = _Batches(project, engine, report, actor, replace_existing)
        total = len(sources)
        for index, (source, docs) in enumerate(read_sources(sources, base, codebook, report)):
            if progress:
                progress(index, total, source.name)
            for doc in docs:
                batches.admit(source, doc)
            batches.source_read()
        batches.finish()
    if progress:
        progress(len(sources), len(sources), "")
    finish_run(project, run_id, report.summary())
    return report


class _Batches:
    """Documents read and waiting to be stored, in batches of `BATCH`.

    Batches overlap: the workers detect identifiers in one batch while this process stores the
    one before (and reads the next files); batches are stored in order."""

    def __init__(self, project: Project, engine: _Pseudonymisation | None,
                 report: IngestReport, actor: str, replace_existing: bool):
        self.project, self.engine, self.report, self.actor = project, engine, report, actor
        self.replace_existing = replace_existing
        self.pending: Batch = []
        self.replacing: set[str] = set()  # external ids whose stored document is replaced
        # every external id queued by this run: a batch waiting to be stored is not in the
        # store yet, so the store cannot tell a second document with the same id
        self.admitted: set[str] = set()
        self.waiting: tuple[Batch, Callable] | None = None

    def admit(self, source: _Source, doc: Document) -> None:
        """Queue a document read from `source`, or report why it is not stored."""
        report = self.report
        if doc.external_id in self.admitted:
            report.failed.append((doc.name, f"identifiant « {doc.external_id} » en double "
                                            "dans ce lot ; donnez un id unique à chaque document."))
            return
        status = source_status(self.project, doc.external_id, doc.hash)
        if status != "new" and self.replace_existing:
            n = codings_on_document(self.project, doc.external_id)
            if n:
                report.failed.append((doc.name, f"« {doc.external_id} » porte {n} codage(s) : "
                                      "il n'est pas remplacé ; exportez ou supprimez ces "
                                      "codages d'abord."))
                return
            self.replacing.add(doc.external_id)
        elif status == "unchanged":
            report.unchanged.append((doc.name, doc.external_id))
            return
        elif status == "changed":
            report.failed.append((
                doc.name,
                f"l'identifiant « {doc.external_id} » existe déjà avec un autre contenu ; "
                "renommez le document (colonne id du manifeste) ou supprimez l'ancien.",
            ))
            return
        self.admitted.add(doc.external_id)
        self.pending.append((source, doc, doc.hash))

    def source_read(self) -> None:
        """A file's documents are all admitted: start a batch once `BATCH` are pending (a
        file's documents stay in one batch)."""
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Start the pending batch on the workers, then store the one that was waiting."""
        batch, self.pending = self.pending, []
        finish = _start_batch(batch, self.engine, self.report)
        self._store_waiting()
        self.waiting = (batch, finish)

    def finish(self) -> None:
        if self.pending:
            self.flush()
        self._store_waiting()

    def _store_waiting(self) -> None:
        if self.waiting is not None:
            batch, finish = self.waiting
            self.waiting = None
            _store_batch(self.project, batch, finish(), self.engine, self.report, self.actor,
                         self.replacing)


class _Pseudonymisation:
    """The project's pseudonymiser and its consistent-pseudonym registry, made on first use."""

    def __init__(self, project: Project, pseudonymiser: object | None, vault: object | None):
        self.project = project
        self._engine = pseudonymiser
        self._registry = None
        self._workers = None
        self.vault = vault

    def __enter__(self) -> _Pseudonymisation:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._workers is not None:
            self._workers.close()

    def start(self, docs: Sequence[Document]) -> Callable[[], list[tuple[Document, int]]]:
        """Start detecting identifiers in `docs` (on the workers); the returned function
        waits for the detections and pseudonymises. Batches are finished in order."""
        from .parallel import Workers
        from .pseudonymise import Pseudonymiser, PseudonymRegistry, PseudoSettings

        if self._engine is None:
            s = self.project.settings
            self._engine = Pseudonymiser(PseudoSettings(
                allow_list=tuple(s.allow_list), deny_list=tuple(s.deny_list),
                person_style=s.person_style))
        if self._registry is None:
            key = bytes.fromhex(self.project.setting("pseudonym_key") or "")
            self._registry = PseudonymRegistry(key, pseudonym_rows(self.project))
        if self._workers is None:
            self._workers = Workers(self._engine.detect_chunk)
        finish = self._engine.start_documents(docs, self._workers)

        def done() -> list[tuple[Document, int]]:
            results = finish(self._registry, self.vault)
            return [self._metadata(d, len(ents)) for d, ents in results]

        return done

    def _metadata(self, doc: Document, n_entities: int) -> tuple[Document, int]:
        """Spreadsheet columns kept as metadata may name people (post-it authors, signatures):
        a column named like a person gets a person pseudonym, any other is pseudonymised as
        text."""
        from .nlp import fold
        from .pseudonymise import PERSON

        extra = {}
        for key, value in doc.meta.extra.items():
            if not isinstance(value, str) or not value.strip():
                extra[key] = value
            elif fold(key).strip() in PERSON_COLUMNS:
                extra[key] = self._registry.label(PERSON, value.strip())
                n_entities += 1
            else:
                extra[key], found = self._engine.pseudonymise_text(value, self._registry)
                n_entities += len(found)
        return replace(doc, meta=replace(doc.meta, extra=extra)), n_entities

    def new_rows(self) -> list[tuple[str, str, str]]:
        return self._registry.new_rows() if self._registry is not None else []


Batch = list[tuple[_Source, Document, str]]


def _start_batch(batch: Batch, engine: _Pseudonymisation | None,
                 report: IngestReport) -> Callable[[], list[tuple[Document, int]] | None]:
    """Start pseudonymising a batch; the returned function gives its documents, or None when
    the batch failed as a whole (every document is then reported)."""
    def failed(exc: ListeningError) -> None:
        for _, d, _ in batch:
            report.failed.append((d.name, str(exc)))

    if engine is None:
        return lambda: [(d, 0) for _, d, _ in batch]
    try:
        finish = engine.start([d for _, d, _ in batch])
    except ListeningError as exc:
        failed(exc)
        return lambda: None

    def done() -> list[tuple[Document, int]] | None:
        try:
            return finish()
        except ListeningError as exc:
            failed(exc)
            return None

    return done


def _store_batch(project: Project, batch: Batch, processed: list[tuple[Document, int]] | None,
                 engine: _Pseudonymisation | None, report: IngestReport, actor: str,
                 replacing: set[str]) -> None:
    if processed is None:
        return
    max_chars = project.settings.segment_max_chars
    for (_source, original, source_hash), (doc, n_entities) in zip(batch, processed):
        try:
            segments = segment_document(doc, max_chars)
            if not segments:
                raise InputError("aucun texte à analyser dans ce document ; vérifiez son contenu.",
                                 source=doc.name)
            add_document(project, doc, segments, source_hash=source_hash,
                         pseudonymised=engine is not None, entities=n_entities,
                         pseudonym_rows=engine.new_rows() if engine else (), actor=actor,
                         replaces=doc.external_id if doc.external_id in replacing else None)
        except ListeningError as exc:
            report.failed.append((original.name, str(exc)))
            continue
        report.ingested.append((original.name, doc.external_id, len(segments), n_entities))
    if engine is not None and engine.vault is not None:
        engine.vault.save()
