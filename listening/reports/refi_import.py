"""REFI-QDA import: `.qdpx` archives and bare `.qde` files (NVivo, ATLAS.ti, MAXQDA, listening).

Lenient about what tools write differently: GUIDs with braces or in upper case, `sources/`
in any case, `Parent::Child` code names (unfolded by codebook_io), source text inline
(PlainTextContent) or in a file (`internal://` in the archive or in a `sources/` folder next
to a bare `.qde`, `relative://` under basePath or next to the file). What cannot be brought in
(PDF, pictures, audio, video, sets, links, graphs, missing texts, unknown codes) is counted in
French warnings. Texts are laid out by `refi_layout` (coded selections become segments).
Parsing is pure and complete before anything is stored; `refi_store` writes the result.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..codebook import code_guid, code_path, find_problems, fold, raise_problems
from ..codebook_io import parse_refi
from ..errors import InputError
from ..model import DOCUMENT_TYPES, Codebook, Coding, Document, Metadata, Segment
from .refi_layout import normalise_mapped, segments_of, turns_of
from .refi_package import Package, decode, file_text, read_package

IMPORTED_CODER = "importé"
FOREIGN_KINDS = {"PDFSource": ("source PDF", "sources PDF"),
                 "PictureSource": ("image", "images"), "AudioSource": ("source audio",
                                                                       "sources audio"),
                 "VideoSource": ("vidéo", "vidéos")}
META_NAMES = {  # folded variable name -> Metadata field
    "type": "type", "parcours": "journey", "journey": "journey", "etape": "stage",
    "stage": "stage", "public": "public", "territoire": "territory", "territory": "territory",
    "organismes": "organisations", "organisations": "organisations", "date": "date",
    "canal": "channel", "channel": "channel", "enqueteur": "interviewer",
    "interviewer": "interviewer", "cas": "case", "case": "case",
}


def guid(value: str | None) -> str:
    """A GUID in one spelling: no braces, lower case."""
    return (value or "").strip().strip("{}").lower()


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _kids(element: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if element is None else [e for e in element if _local(e) == name]


def _kid(element: etree._Element | None, name: str) -> etree._Element | None:
    found = _kids(element, name)
    return found[0] if found else None


@dataclass
class ImportedDocument:
    document: Document
    segments: list[Segment]
    codings: list[Coding]


@dataclass
class Imported:
    """A parsed REFI-QDA project, ready to store."""

    source: str
    codebook: Codebook | None
    documents: list[ImportedDocument] = field(default_factory=list)
    memos: list[tuple[str, str, str, str]] = field(default_factory=list)  # kind, id, text, coder
    coders: list[str] = field(default_factory=list)
    pseudonymised: bool = False
    warnings: list[str] = field(default_factory=list)


# --- codebook -----------------------------------------------------------------------------


def _codebook(xml: bytes, source: str, root: etree._Element,
              warnings: list[str]) -> tuple[Codebook | None, dict[str, str]]:
    """The codebook (codebook_io's reading) and REFI code GUID -> code id."""
    book = next((e for e in root if _local(e) == "CodeBook"), None)
    if book is None or not _kids(_kid(book, "Codes"), "Code"):
        warnings.append("aucun livre de codes dans ce fichier")
        return None, {}
    parsed = parse_refi(xml, source, name=Path(source).stem)
    raise_problems(parsed.problems + find_problems(parsed.codebook, source=source,
                                                   lines=parsed.lines, require_families=False),
                   source)
    warnings.extend(parsed.warnings)
    codebook = parsed.codebook
    own = {code_guid(c.id): c.id for c in codebook.codes}
    by_path: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for code in codebook.codes:
        by_path[tuple(c.label for c in code_path(codebook, code.id))].append(code.id)
    mapping: dict[str, str] = {}

    def visit(element: etree._Element, parent: tuple[str, ...]) -> None:
        name = (element.get("name") or "").strip()
        path = (*parent, *(p.strip() for p in name.split("::")))
        key = guid(element.get("guid"))
        if key in own:
            mapping[key] = own[key]
        elif by_path.get(path):
            mapping[key] = by_path[path].pop(0)
        for child in _kids(element, "Code"):
            visit(child, path)

    for element in _kids(_kid(book, "Codes"), "Code"):
        visit(element, ())
    return codebook, mapping


# --- sources --------------------------------------------------------------------------------


@dataclass
class _Context:
    package: Package
    base: str | None
    codes: dict[str, str]
    users: dict[str, str]
    variables: dict[str, str]
    cases: dict[str, str]  # source guid -> case name
    max_chars: int
    warnings: list[str]
    notes: dict[str, tuple[str, str]]  # note guid -> (text, coder)
    used_notes: set[str] = field(default_factory=set)
    memos: list[tuple[str, str, str, str]] = field(default_factory=list)
    unknown_codes: Counter = field(default_factory=Counter)
    lost: Counter = field(default_factory=Counter)

    def coder(self, *elements: etree._Element) -> str:
        for element in elements:
            user = self.users.get(guid(element.get("creatingUser")))
            if user:
                return user
        return IMPORTED_CODER


def _metadata(source: etree._Element, ctx: _Context, name: str) -> Metadata:
    values: dict[str, object] = {}
    extra: dict[str, str] = {}
    for value in _kids(source, "VariableValue"):
        variable = ctx.variables.get(guid(_kid(value, "VariableRef").get("targetGUID"))
                                     if _kid(value, "VariableRef") is not None else "", "")
        content = next((e.text or "" for e in value if _local(e) != "VariableRef"), "").strip()
        if not variable or not content:
            continue
        key = META_NAMES.get(fold(variable).replace(" ", ""))
        if key == "organisations":
            values[key] = tuple(p.strip() for p in content.split(";") if p.strip())
        elif key == "type" and fold(content) not in DOCUMENT_TYPES:
            extra[variable] = content
            ctx.warnings.append(f"« {name} » : type « {content} » inconnu (entretien, atelier "
                                "ou verbatim) ; gardé comme variable")
        elif key:
            values[key] = fold(content) if key == "type" else content
        else:
            extra[variable] = content
    values.setdefault("case", ctx.cases.get(guid(source.get("guid"))))
    return Metadata(**values, extra=extra)


def _selections(source: etree._Element, length: int, name: str,
                ctx: _Context) -> list[tuple[int, int, etree._Element]]:
    out = []
    for sel in _kids(source, "PlainTextSelection"):
        try:
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        except (TypeError, ValueError):
            ctx.lost["sélections sans positions lisibles"] += 1
            continue
        start, end = sorted((max(0, min(start, length)), max(0, min(end, length))))
        if start == end:
            ctx.lost["sélections vides ou hors du texte"] += 1
            continue
        out.append((start, end, sel))
    if _kids(source, "Coding"):  # codes applied to the whole source
        out.append((0, length, source))
    return out


def _document(source: etree._Element, ctx: _Context, name: str, text: str,
              external_id: str) -> ImportedDocument | None:
    normal, positions = normalise_mapped(text)
    if not normal:
        ctx.warnings.append(f"« {name} » : texte vide, source ignorée")
        return None
    picked = [(positions[a], positions[b], sel)
              for a, b, sel in _selections(source, len(text), name, ctx)]
    picked = [(a, b, sel) for a, b, sel in picked if a < b]
    meta = _metadata(source, ctx, name)
    turns = tuple(turns_of(normal))
    doc = Document(name, external_id, normal, turns, meta, source_format="refi-qda")
    segments = segments_of(doc.id, normal, turns, [(a, b) for a, b, _ in picked], ctx.max_chars)
    starts = [s.start for s in segments]
    codings = []
    for a, b, sel in picked:
        seg = segments[max(i for i, s in enumerate(starts) if s <= a)]
        span = (None, None) if (a, b) == (seg.start, seg.end) else (a, b)
        for coding in _kids(sel, "Coding"):
            ref = _kid(coding, "CodeRef")
            code = ctx.codes.get(guid(ref.get("targetGUID")) if ref is not None else "")
            if code is None:
                ctx.unknown_codes[guid(ref.get("targetGUID")) if ref is not None else "?"] += 1
                continue
            codings.append(Coding(seg.id, code, ctx.coder(coding, sel), "manual", *span))
        for note in _kids(sel, "NoteRef"):
            _memo(ctx, "segment", seg.id, note)
    for note in _kids(source, "NoteRef"):
        _memo(ctx, "document", doc.id, note)
    return ImportedDocument(doc, segments, codings)


def _memo(ctx: _Context, kind: str, target: str, ref: etree._Element) -> None:
    key = guid(ref.get("targetGUID"))
    if key in ctx.notes and key not in ctx.used_notes:
        ctx.used_notes.add(key)
        text, coder = ctx.notes[key]
        ctx.memos.append((kind, target, text, coder))


# --- the project ----------------------------------------------------------------------------


def _root(package: Package, source: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True,
                             huge_tree=True)
    try:
        root = etree.fromstring(package.xml, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"XML illisible ({exc.msg}) : est-ce bien un export REFI-QDA ?",
                         source, exc.lineno) from exc
    if _local(root) != "Project":
        raise InputError(f"ce fichier n'est pas un projet REFI-QDA (élément racine « "
                         f"{_local(root)} » au lieu de Project) ; un livre de codes seul "
                         "s'importe depuis un fichier .qdc", source)
    return root


def _context(root: etree._Element, package: Package, codes: dict[str, str], max_chars: int,
             warnings: list[str], own: bool) -> _Context:
    """Users, variables, cases and notes; `own`: written by listening (no note titles)."""
    users = {guid(u.get("guid")): (u.get("name") or u.get("id") or guid(u.get("guid")))
             for u in _kids(_kid(root, "Users"), "User")}
    variables = {guid(v.get("guid")): (v.get("name") or "").strip()
                 for v in _kids(_kid(root, "Variables"), "Variable")}
    cases = {guid(ref.get("targetGUID")): (case.get("name") or "").strip()
             for case in _kids(_kid(root, "Cases"), "Case") for ref in _kids(case, "SourceRef")}
    ctx = _Context(package, root.get("basePath"), codes, users, variables, cases, max_chars,
                   warnings, {})
    for note in _kids(_kid(root, "Notes"), "Note"):
        text = _note_text(note, ctx)
        if text:
            title = "" if own else (note.get("name") or "").strip()
            ctx.notes[guid(note.get("guid"))] = (f"{title}\n{text}" if title else text,
                                                 ctx.coder(note))
    return ctx


def _note_text(note: etree._Element, ctx: _Context) -> str:
    content = _kid(note, "PlainTextContent")
    if content is not None:
        return (content.text or "").strip()
    raw = file_text(ctx.package, note.get("plainTextPath") or "", ctx.base)
    return decode(raw, note.get("name") or "note", ctx.warnings).strip() if raw else ""


def _sources(root: etree._Element, ctx: _Context, out: Imported) -> None:
    taken: set[str] = set()
    missing: list[str] = []
    for source in _kids(_kid(root, "Sources"), "TextSource"):
        name = unicodedata.normalize("NFC", (source.get("name") or "").strip()) or guid(
            source.get("guid"))
        content = _kid(source, "PlainTextContent")
        raw = None if content is not None else file_text(
            ctx.package, source.get("plainTextPath") or "", ctx.base)
        if content is None and raw is None:
            missing.append(name)
            ctx.lost["codages de sources sans texte"] += len(source.findall(".//{*}Coding"))
            continue
        text = (content.text or "") if content is not None else decode(raw, name, ctx.warnings)
        external_id, n = name, 1
        while external_id in taken:
            n += 1
            external_id = f"{name} ({n})"
        taken.add(external_id)
        doc = _document(source, ctx, name, text, external_id)
        if doc is not None:
            out.documents.append(doc)
    if missing:
        shown = ", ".join(f"« {m} »" for m in missing[:5]) + ("…" if len(missing) > 5 else "")
        out.warnings.append(f"{len(missing)} sources texte sans leur texte (ni dans le fichier, "
                            f"ni dans un dossier sources/ à côté) : {shown}")


def _lost(root: etree._Element, ctx: _Context) -> None:
    sources = _kid(root, "Sources")
    others = [e for e in (sources if sources is not None else []) if _local(e) in FOREIGN_KINDS]
    kinds = Counter(_local(e) for e in others)
    foreign = [f"{n} {FOREIGN_KINDS[k][0] if n == 1 else FOREIGN_KINDS[k][1]}"
               for k, n in kinds.items()]
    if foreign:
        codings = sum(len(e.findall(".//{*}Coding")) for e in others)
        ctx.warnings.append(f"non importé (seuls les textes le sont) : {', '.join(foreign)}, "
                            f"avec leurs {codings} codages")
    for tag, label in (("Sets", "ensembles (Sets)"), ("Links", "liens (Links)"),
                       ("Graphs", "graphes (Graphs)")):
        if _kid(root, tag) is not None:
            ctx.warnings.append(f"{label} non importés")
    if ctx.unknown_codes:
        ctx.warnings.append(f"{sum(ctx.unknown_codes.values())} codages vers des codes absents "
                            "du livre de codes ignorés")
    for what, n in ctx.lost.items():
        ctx.warnings.append(f"{n} {what} ignorés" if "codages" in what else
                            f"{n} {what} ignorées")


def _other_memos(root: etree._Element, ctx: _Context) -> None:
    book = _kid(root, "CodeBook")
    for code in (book.iter("{*}Code") if book is not None else []):
        target = ctx.codes.get(guid(code.get("guid")))
        for ref in _kids(code, "NoteRef"):
            if target:
                _memo(ctx, "code", target, ref)
    for ref in _kids(root, "NoteRef"):
        _memo(ctx, "project", "", ref)
    for key, (text, coder) in ctx.notes.items():
        if key not in ctx.used_notes:
            ctx.memos.append(("project", "", text, coder))


def parse_project(path: Path, *, max_chars: int = 400) -> Imported:
    """Read a `.qdpx` or `.qde` completely (nothing stored)."""
    source = str(path)
    if not Path(path).is_file():
        raise InputError("fichier introuvable : vérifiez le chemin", source)
    package = read_package(Path(path))
    root = _root(package, source)
    warnings: list[str] = []
    codebook, codes = _codebook(package.xml, source, root, warnings)
    own = (root.get("origin") or "").startswith("listening ")
    ctx = _context(root, package, codes, max_chars, warnings, own)
    out = Imported(source, codebook, pseudonymised=own, warnings=warnings)
    _sources(root, ctx, out)
    _other_memos(root, ctx)
    _lost(root, ctx)
    out.memos = ctx.memos
    out.coders = sorted({c.coder for d in out.documents for c in d.codings})
    if out.documents and not out.pseudonymised:
        out.warnings.append("textes importés tels quels, sans pseudonymisation par listening : "
                            "vérifiez qu'ils ont été pseudonymisés dans l'outil d'origine")
    return out
