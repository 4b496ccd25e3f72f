"""REFI-QDA export: a `.qdpx` archive (project.qde + sources/<guid>.txt) or a bare `.qde`.

- Users are the coders (and memo authors); the CodeBook is codebook_io's `.qdc` codes (same
  GUIDs, structured descriptions that bring every field back); Variables hold the documents'
  metadata, with values on each TextSource; Cases group documents sharing a `case`.
- Each document is a TextSource whose plain text is `sources/<guid>.txt` (UTF-8, no BOM, `\\n`).
  A PlainTextSelection covers each coded extent (start/end in code points, end exclusive:
  the segment's offsets for a whole-segment coding, the span for a span coding) and holds one
  Coding per code and coder. Memos are Notes, referenced from what they annotate.
- GUIDs are uuid5 of natural keys and timestamps come from the store, so two exports of the
  same project are byte-identical. Codings of codes no longer in the codebook are left out.
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from io import BytesIO

import pandas as pd
from lxml import etree

from .. import __version__
from ..codebook import code_guid
from ..codebook_io import qdc_bytes
from ..model import Document, stable_id
from .data import MEMO_TARGETS, ReportData
from .wording import trim, xml_safe

PROJECT_NS = "urn:QDA-XML:project:1.0"
NS = f"{{{PROJECT_NS}}}"
# Metadata field -> REFI variable name (French, as other tools will show it).
VARIABLES = {
    "type": "type", "journey": "parcours", "stage": "étape", "public": "public",
    "territory": "territoire", "organisations": "organismes", "date": "date",
    "channel": "canal", "interviewer": "enquêteur", "case": "cas",
}
LIST_SEPARATOR = " ; "


def stamp(iso: str) -> str:
    """A stored ISO timestamp as xsd:dateTime in UTC ("2024-10-02T09:30:00Z")."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_guid(name: str) -> str:
    return stable_id("user", name)


def selection_guid(document_id: str, start: int, end: int) -> str:
    return stable_id("selection", document_id, start, end)


def origin(data: ReportData) -> str:
    """Read back by codebook_io to restore the codebook's name and version."""
    return (f"listening {__version__} ; livre de codes {data.codebook.name} ; "
            f"version {data.codebook.version}")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: object):
    element = etree.SubElement(parent, NS + tag, {k: xml_safe(str(v)) for k, v in attrs.items()
                                                  if v is not None})
    if text is not None:
        element.text = xml_safe(text)
    return element


# --- parts ---------------------------------------------------------------------------------


def _users(root: etree._Element, names: Iterable[str]) -> None:
    names = sorted(set(names))
    if names:
        users = _sub(root, "Users")
        for name in names:
            _sub(users, "User", guid=user_guid(name), name=name)


def _codebook(root: etree._Element, data: ReportData, notes: dict[str, list[str]]) -> None:
    """The codebook_io codes, moved into the project namespace, with code memos' NoteRefs."""
    parsed = etree.fromstring(qdc_bytes(data.codebook))
    codes = next(e for e in parsed if etree.QName(e).localname == "Codes")
    for element in codes.iter():
        element.tag = NS + etree.QName(element).localname
    book = _sub(root, "CodeBook")
    book.append(codes)
    by_guid = {code_guid(c.id): c.id for c in data.codebook.codes}
    for element in codes.iter(NS + "Code"):
        refs = notes.get(by_guid.get(element.get("guid"), ""), [])
        position = 1 if len(element) and element[0].tag == NS + "Description" else 0
        for offset, note in enumerate(refs):
            ref = etree.Element(NS + "NoteRef", targetGUID=note)
            element.insert(position + offset, ref)


def _values(doc: Document) -> dict[str, str]:
    meta = doc.meta.as_dict()
    out = {}
    for key, name in VARIABLES.items():
        value = meta.get(key)
        if isinstance(value, list):
            value = LIST_SEPARATOR.join(value)
        if value:
            out[name] = str(value)
    for key, value in sorted(doc.meta.extra.items()):
        if value not in (None, "") and key not in out:
            out[key] = str(value)
    return out


def _variables(root: etree._Element, names: list[str]) -> None:
    if names:
        variables = _sub(root, "Variables")
        for name in names:
            _sub(variables, "Variable", guid=stable_id("variable", name), name=name,
                 typeOfVariable="Text")


def _cases(root: etree._Element, data: ReportData) -> None:
    members: dict[str, list[str]] = defaultdict(list)
    for doc_id, doc in data.texts.items():
        if doc.meta.case:
            members[doc.meta.case].append(doc_id)
    if members:
        cases = _sub(root, "Cases")
        for name in sorted(members):
            case = _sub(cases, "Case", guid=stable_id("case", name), name=name)
            for doc_id in sorted(members[name]):
                _sub(case, "SourceRef", targetGUID=doc_id)


def _selections(data: ReportData) -> dict[str, dict[tuple[int, int], list]]:
    """document id -> (start, end) -> codings (rows of data.codings) on that extent."""
    known = {c.id for c in data.codebook.codes}
    out: dict[str, dict[tuple[int, int], list]] = defaultdict(lambda: defaultdict(list))
    for c in data.codings.itertuples():
        if c.code_id not in known:
            continue
        seg = data.segment(c.segment_id)
        span = (int(seg["start"]), int(seg["end"])) if pd.isna(c.start) else (int(c.start),
                                                                                int(c.end))
        out[seg["document_id"]][span].append(c)
    return out


def _source(sources: etree._Element, doc_id: str, data: ReportData, spans: dict,
            notes: dict[str, list[str]], variables: list[str]) -> None:
    doc = data.texts[doc_id]
    row = data.documents.set_index("id").loc[doc_id]
    source = _sub(sources, "TextSource", guid=doc_id, name=doc.external_id,
                  plainTextPath=f"internal://{doc_id}.txt",
                  creationDateTime=stamp(row["created_at"]))
    if doc.name != doc.external_id:
        _sub(source, "Description", doc.name)
    for start, end in sorted(spans):
        codings = sorted(spans[(start, end)], key=lambda c: (c.code_id, c.coder))
        first = min(codings, key=lambda c: (c.created_at, c.coder)) if codings else None
        selection = _sub(source, "PlainTextSelection", guid=selection_guid(doc_id, start, end),
                         name=trim(doc.text[start:end], 60), startPosition=start,
                         endPosition=end,
                         creatingUser=user_guid(first.coder) if first else None,
                         creationDateTime=stamp(first.created_at) if first else None)
        for c in codings:
            coding = _sub(selection, "Coding", guid=c.id, creatingUser=user_guid(c.coder),
                          creationDateTime=stamp(c.created_at))
            _sub(coding, "CodeRef", targetGUID=code_guid(c.code_id))
        for note in notes.get(selection_guid(doc_id, start, end), []):
            _sub(selection, "NoteRef", targetGUID=note)
    for note in notes.get(doc_id, []):
        _sub(source, "NoteRef", targetGUID=note)
    values = _values(doc)
    for name in variables:
        if name in values:
            value = _sub(source, "VariableValue")
            _sub(value, "VariableRef", targetGUID=stable_id("variable", name))
            _sub(value, "TextValue", values[name])


def _memo_targets(data: ReportData, spans: dict) -> dict[str, list[str]]:
    """GUID of what a memo annotates -> its Note GUIDs ("" for the project)."""
    out: dict[str, list[str]] = defaultdict(list)
    for m in data.memos.itertuples():
        if m.target_kind == "segment" and m.target_id in data.segment_index:
            seg = data.segment(m.target_id)
            bounds = (int(seg["start"]), int(seg["end"]))
            spans[seg["document_id"]].setdefault(bounds, [])
            out[selection_guid(seg["document_id"], *bounds)].append(m.id)
        elif m.target_kind == "code":
            out[m.target_id].append(m.id)
        elif m.target_kind == "document":
            out[m.target_id].append(m.id)
        else:
            out[""].append(m.id)
    return out


def _notes(root: etree._Element, data: ReportData) -> None:
    if not len(data.memos):
        return
    notes = _sub(root, "Notes")
    for m in data.memos.sort_values("id").itertuples():
        note = _sub(notes, "Note", guid=m.id, name=f"Mémo ({MEMO_TARGETS.get(m.target_kind, m.target_kind)}) — {m.coder}",
                    creatingUser=user_guid(m.coder), creationDateTime=stamp(m.created_at),
                    modifiedDateTime=stamp(m.updated_at))
        _sub(note, "PlainTextContent", m.text)


# --- the project ----------------------------------------------------------------------------


def qde_tree(data: ReportData) -> etree._Element:
    spans = _selections(data)
    notes = _memo_targets(data, spans)
    created = data.documents["created_at"].min() if len(data.documents) else data.as_of
    root = etree.Element(NS + "Project", nsmap={None: PROJECT_NS}, name=data.project_name,
                         origin=origin(data), creationDateTime=stamp(created),
                         modifiedDateTime=stamp(data.as_of))
    _users(root, [*data.codings["coder"], *data.memos.get("coder", [])])
    _codebook(root, data, notes)
    variables = sorted({n for doc in data.texts.values() for n in _values(doc)},
                       key=lambda n: (list(VARIABLES.values()) + [n]).index(n))
    _variables(root, variables)
    _cases(root, data)
    if len(data.documents):
        sources = _sub(root, "Sources")
        for doc_id in data.documents["id"]:
            _source(sources, doc_id, data, spans.get(doc_id, {}), notes, variables)
    _notes(root, data)
    _sub(root, "Description", data.title)
    for note in notes.get("", []):
        _sub(root, "NoteRef", targetGUID=note)
    return root


def qde_bytes(data: ReportData) -> bytes:
    root = qde_tree(data)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8",
                          pretty_print=True)


def source_text(doc: Document) -> bytes:
    """A source's plain text as stored in the archive: UTF-8, no BOM, `\\n` newlines."""
    return doc.text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")


def qdpx_bytes(data: ReportData) -> bytes:
    """The `.qdpx` archive; entries in a fixed order with a fixed date (byte-identical)."""
    moment = datetime.fromisoformat(stamp(data.as_of).replace("Z", "+00:00"))
    date_time = (max(moment.year, 1980), moment.month, moment.day, moment.hour,
                 moment.minute, moment.second)
    entries = [("project.qde", qde_bytes(data))]
    entries += [(f"sources/{doc_id}.txt", source_text(data.texts[doc_id]))
                for doc_id in sorted(data.texts)]
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()
