"""What `listening inspect` shows: a document's turns and what pseudonymisation would mask."""

from __future__ import annotations

from collections.abc import Sequence

from .model import Document


def document_view(doc: Document) -> dict:
    return {
        "document": {
            "name": doc.name,
            "external_id": doc.external_id,
            "format": doc.source_format,
            "words": len(doc.text.split()),
            "meta": doc.meta.as_dict(),
        },
        "turns": [
            {"speaker": t.speaker, "role": t.role, "start": t.start, "end": t.end,
             "text": t.text, "timestamp": t.timestamp, "attrs": dict(t.attrs)}
            for t in doc.turns
        ],
    }


def project_pseudonymiser(path):
    """A pseudonymiser with a project's allow and deny lists (what ingestion would use)."""
    from .pseudonymise import Pseudonymiser, PseudoSettings
    from .store import open_project

    s = open_project(path).settings
    return Pseudonymiser(PseudoSettings(allow_list=tuple(s.allow_list),
                                        deny_list=tuple(s.deny_list),
                                        person_style=s.person_style))


def inspect_documents(docs: Sequence[Document], *, detect: bool = True,
                      pseudonymiser: object | None = None) -> list[dict]:
    """Turns of each document, plus the entities that would be masked (offsets in doc.text)."""
    views = [document_view(d) for d in docs]
    if detect and docs:
        from .pseudonymise import Pseudonymiser

        engine = pseudonymiser or Pseudonymiser()
        for view, doc in zip(views, docs):
            view["entities"] = [
                {"start": e.start, "end": e.end, "label": e.label, "text": e.text}
                for e in engine.detect(doc.text)
            ]
    return views
