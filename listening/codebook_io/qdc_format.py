"""REFI-QDA: the `.qdc` codebook written, and read back from a `.qdc`, `.qde` or `.qdpx`."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO

from lxml import etree

from listening import __version__
from listening.codebook import code_guid, find_problems, fold, raise_problems
from listening.errors import InputError
from listening.model import Code, Codebook

from ._common import (
    _FAMILY_WORDS,
    FAMILY_FRENCH,
    ID_PREFIX,
    LIST_FIELDS,
    Parsed,
    _child_family,
    _Fields,
    _slug,
    _unique,
)

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
_LABELS = {  # field -> French label in the structured Description of an exported code
    "include": "Inclure", "exclude": "Exclure", "examples": "Exemples",
    "description": "Description", "organisations": "Organismes", "publics": "Publics",
    "order": "Ordre", "patterns": "Motifs", "family": "Famille", "id": "Identifiant",
}
_FIELD_OF = {fold(v): k for k, v in _LABELS.items()}
_LABEL_LINE = re.compile(r"^([^\W\d_][\w ]*?) :(?: (.*))?$")
_ORIGIN = re.compile(r"^listening .* ; livre de codes (?P<name>.*) ; version (?P<version>.*)$")
_COLOUR = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")


def _description(code: Code) -> str:
    """Definition, criteria and family as labelled French lines, readable in any QDA tool."""
    parts = [code.definition] if code.definition else []
    for key, label in _LABELS.items():
        value = getattr(code, key)
        if key == "family":
            value = FAMILY_FRENCH.get(value, value)
        if isinstance(value, tuple):
            if value:
                parts.append(f"{label} :\n" + "\n".join(f"- {v}" for v in value))
        elif value not in ("", None):
            parts.append(f"{label} : {value}")
    return "\n".join(parts)


def _parse_description(text: str) -> dict[str, object] | None:
    """The fields of a structured Description, or None when it is free text."""
    values: dict[str, list[str]] = {"definition": []}
    current = "definition"
    for line in text.split("\n"):
        match = _LABEL_LINE.match(line)
        key = _FIELD_OF.get(fold(match.group(1))) if match else None
        if key and key not in values:
            current = key
            values[key] = [match.group(2)] if match.group(2) else []
        elif current in LIST_FIELDS and line.startswith("- "):
            values[current].append(line[2:])
        else:
            values[current].append(line)
    if "id" not in values:
        return None
    out: dict[str, object] = {
        k: v if k in LIST_FIELDS else "\n".join(v).strip() for k, v in values.items()
    }
    out["family"] = _FAMILY_WORDS.get(fold(str(out.get("family", ""))), out.get("family"))
    return out


def qdc_bytes(codebook: Codebook) -> bytes:
    """A REFI-QDA codebook valid against Codebook.xsd; GUIDs are uuid5 of code ids."""
    raise_problems(find_problems(codebook, require_families=False))
    ns = f"{{{QDC_NAMESPACE}}}"
    origin = f"listening {__version__} ; livre de codes {codebook.name} ; version "
    root = etree.Element(ns + "CodeBook", nsmap={None: QDC_NAMESPACE},
                         origin=origin + codebook.version)

    def add(parent: etree._Element, code: Code) -> None:
        element = etree.SubElement(parent, ns + "Code", guid=code_guid(code.id), name=code.label,
                                   isCodable="true" if code.codable else "false",
                                   color=code.colour)
        etree.SubElement(element, ns + "Description").text = _description(code)
        for child in codebook.children(code.id):
            add(element, child)

    codes = etree.SubElement(root, ns + "Codes")
    for code in codebook.children(None):
        add(codes, code)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _kids(element: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if element is None else [e for e in element if _local(e) == name]


def _refi_xml(data: bytes, source: str) -> bytes:
    """The XML of a .qdc/.qde file, or the project.qde inside a .qdpx archive."""
    if not data.startswith(b"PK"):
        return data
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError(f"archive .qdpx illisible ({exc})", source) from exc
    with archive:
        members = [n for n in archive.namelist() if n.lower().endswith(".qde") and "/" not in n]
        if not members:
            raise InputError("aucun fichier project.qde à la racine de l'archive .qdpx", source)
        return archive.read(members[0])


@dataclass(eq=False)
class _Node:
    label: str
    element: etree._Element | None  # None: a folder created for a `Parent::Child` name
    position: int
    known: dict[str, object] | None = None  # fields of a structured (listening) Description
    children: list[_Node] = field(default_factory=list)

    def first(self) -> int:
        return min([self.position, *(c.first() for c in self.children)])

    @property
    def definition(self) -> str:
        return next((d.text or "" for d in _kids(self.element, "Description")), "")


def parse_refi(data: bytes, source: str = "<qdc>", name: str = "importé") -> Parsed:
    """Read the CodeBook of a `.qdc`, a `.qde` project or a `.qdpx` archive, leniently."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(_refi_xml(data, source), parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"XML illisible ({exc.msg}) : est-ce bien un export REFI-QDA ?",
                         source, exc.lineno) from exc
    book = next((e for e in root.iter() if _local(e) == "CodeBook"), None)
    if book is None:
        raise InputError("aucun livre de codes (élément CodeBook) dans ce fichier", source)
    origin = book.get("origin") or root.get("origin") or ""
    mine = _ORIGIN.match(origin)
    out = Parsed(mine["name"], mine["version"]) if mine else Parsed(
        name, "", f"importé de {origin}" if origin else "")
    roots = _refi_tree(book, out.warnings)
    _refi_codes(roots, out, source)
    for sets in _kids(book, "Sets"):
        members = _kids(sets, "Set")
        if not members:
            out.warnings.append("élément <Sets> vide ignoré (le schéma REFI-QDA l'interdit)")
        else:
            names = ", ".join(f"« {s.get('name', '')} »" for s in members)
            out.warnings.append(f"{len(members)} ensembles de codes (Sets) ignorés : {names}")
    return out


def _refi_tree(book: etree._Element, warnings: list[str]) -> list[_Node]:
    """The code tree: XML nesting, plus `Parent::Child` names unfolded."""
    roots: list[_Node] = []
    flattened: list[tuple[_Node | None, list[str], _Node]] = []
    queue: list[tuple[_Node | None, etree._Element]] = [
        (None, e) for codes in _kids(book, "Codes") for e in _kids(codes, "Code")]
    position = 0
    while queue:  # depth first, in document order
        parent, element = queue.pop(0)
        label = (element.get("name") or "").strip()
        node = _Node(label, element, position)
        position += 1
        node.known = _parse_description(node.definition)
        parts = [p.strip() for p in label.split("::")] if node.known is None else [label]
        node.label = parts[-1]
        if len(parts) > 1:
            flattened.append((parent, parts, node))
        else:
            (parent.children if parent else roots).append(node)
        queue[0:0] = [(node, e) for e in _kids(element, "Code")]
    created = []
    for parent, parts, node in sorted(flattened, key=lambda f: len(f[1])):
        for part in parts[:-1]:
            siblings = parent.children if parent else roots
            found = next((n for n in siblings if n.label == part), None)
            if found is None:
                found = _Node(part, None, node.position)
                siblings.append(found)
                created.append("::".join(parts[: parts.index(part) + 1]))
            parent = found
        parent.children.append(node)
    if flattened:
        warnings.append(f"{len(flattened)} noms « Parent::Enfant » dépliés en hiérarchie "
                        f"(par exemple « {'::'.join(flattened[0][1])} »)")
    if created:
        warnings.append("dossiers créés pour ranger ces noms, absents du fichier : "
                        + ", ".join(f"« {c} »" for c in created))
    return roots


def _refi_codes(roots: list[_Node], out: Parsed, source: str) -> None:
    fields_ = _Fields(source, out.problems)
    taken: set[str] = set()
    foreign: list[str] = []
    undefined: list[str] = []
    bad_colours: list[str] = []

    def visit(node: _Node, parent: Code | None) -> None:
        element = node.element
        values: dict[str, object] = {**(node.known or {}), "label": node.label,
                                     "parent": parent.id if parent else None}
        values["codable"] = element.get("isCodable", "true") if element is not None else False
        colour = element.get("color") if element is not None else None
        if colour and _COLOUR.fullmatch(colour):
            values["colour"] = colour
        elif colour:
            bad_colours.append(f"« {colour} » ({node.label})")
        if node.known is None:
            family = _child_family(parent.family if parent else None)
            base = parent.id if parent else ID_PREFIX[family]
            values |= {"family": family, "id": _unique(f"{base}.{_slug(node.label)}", taken),
                       "definition": node.definition}
            foreign.append(node.label)
        else:
            taken.add(str(values.get("id")))
        line = element.sourceline if element is not None else None
        code = fields_.code(values, line)
        if node.known is None and code.codable and not code.definition:
            undefined.append(node.label)
        out.add(code, line)
        for child in sorted(node.children, key=_Node.first):
            visit(child, code)

    for node in sorted(roots, key=_Node.first):
        visit(node, None)
    if foreign:
        out.warnings.append(
            f"{len(foreign)} codes sans famille importés comme thèmes : ce livre de codes n'a ni "
            "valences ni parcours ; ajoutez-les avant de coder (sections valence: et journeys:)")
    if undefined:
        shown = ", ".join(f"« {n} »" for n in undefined[:5]) + ("…" if len(undefined) > 5 else "")
        out.warnings.append(f"{len(undefined)} codes sans définition, à compléter avant de "
                            f"coder : {shown}")
    if bad_colours:
        out.warnings.append("couleurs illisibles ignorées : " + ", ".join(bad_colours))
