"""The YAML authoring format: `parse_yaml` (with lines for every problem) and `dump_yaml`."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import fields

import yaml

from listening.errors import InputError
from listening.model import Code, Codebook

from ._common import LIST_FIELDS, TEXT_FIELDS, Parsed, _Fields

SECTIONS = {"themes": "theme", "valence": "valence", "journeys": "journey"}
OPTIONAL_FIELDS = ("colour", "codable", "order", *TEXT_FIELDS[1:], *LIST_FIELDS)
CODE_KEYS = ("id", "family", "parent", "label", *OPTIONAL_FIELDS, "children", "stages")
TOP_KEYS = ("name", "version", "description", *SECTIONS, "codes")
_DEFAULTS = {f.name: f.default for f in fields(Code)}
_NULLS = ("", "~", "null", "Null", "NULL")


_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # libyaml when installed: 10x faster


class _Map(dict):
    """A YAML mapping that remembers its line (1-based)."""

    line: int | None = None


def _plain(node: yaml.Node, source: str) -> object:
    """A composed YAML node as Python values: every scalar a string (or None), maps with lines."""
    if isinstance(node, yaml.ScalarNode):
        plain = not node.style  # PyYAML says None, libyaml says ""
        return None if plain and node.value in _NULLS else node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(n, source) for n in node.value]
    out = _Map()
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = _plain(key_node, source)
        if key in out:
            raise InputError(
                f"clé « {key} » écrite deux fois : gardez-en une seule",
                source,
                key_node.start_mark.line + 1,
            )
        out[key] = _plain(value_node, source)
    return out


def _check_keys(mapping: Mapping, allowed: Sequence[str], fields_: _Fields, code: str | None):
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f"vouliez-vous dire « {close[0]} » ?" if close else "clés possibles : " + (
                ", ".join(allowed))
            fields_.problem(f"clé « {key} » inconnue ({hint})", getattr(mapping, "line", None),
                            code)


def _yaml_codes(entries: object, known: dict, out: Parsed, fields_: _Fields, line: int | None):
    """Codes of a YAML list; `known` gives family and parent (absent in a flat `codes:` list)."""
    if entries is None:
        return
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        fields_.problem("une liste de codes est attendue (chaque code commence par « - id: »)",
                        line)
        return
    flat = not known
    allowed = CODE_KEYS if flat else [k for k in CODE_KEYS if k not in ("family", "parent")]
    for entry in entries:
        entry_line = getattr(entry, "line", None)
        code_id = str(entry.get("id") or "").strip() or None
        _check_keys(entry, allowed, fields_, code_id)
        if code_id is None:
            fields_.problem("code sans identifiant : ajoutez une ligne id:", entry_line)
            continue
        if flat and not entry.get("family"):
            fields_.problem("famille manquante : ajoutez family: (theme, valence, journey ou "
                            "stage)", entry_line, code_id)
        code = fields_.code({**entry, **known}, entry_line)
        out.add(code, entry_line)
        if not flat:
            children = {"family": code.family, "parent": code.id}
            _yaml_codes(entry.get("children"), children, out, fields_, entry_line)
            stages = {"family": "stage", "parent": code.id}
            _yaml_codes(entry.get("stages"), stages, out, fields_, entry_line)


def _from_data(data: Mapping, source: str) -> Parsed:
    out = Parsed(name="")
    fields_ = _Fields(source, out.problems)
    _check_keys(data, TOP_KEYS, fields_, None)
    for key in ("name", "version", "description"):
        setattr(out, key, fields_.text(key, data.get(key), getattr(data, "line", None), None))
    for key, value in data.items():
        if key in SECTIONS:
            _yaml_codes(value, {"family": SECTIONS[key], "parent": None}, out, fields_, None)
        elif key == "codes":
            _yaml_codes(value, {}, out, fields_, None)
    return out


def parse_yaml(text: str, source: str = "<yaml>") -> Parsed:
    """Parse the YAML authoring format (described in codebooks/securite-sociale.yaml)."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"YAML illisible ({problem}) : vérifiez l'indentation et les "
                         "deux-points", source, mark.line + 1 if mark else None) from exc
    data = _plain(node, source) if node is not None else None
    if not isinstance(data, Mapping):
        raise InputError("un livre de codes YAML commence par name:, version: et themes:",
                         source, 1)
    return _from_data(data, source)


def _entry(code: Code, flat: bool) -> dict:
    entry: dict[str, object] = {"id": code.id}
    if flat:
        entry |= {"family": code.family, "parent": code.parent}
    entry["label"] = code.label
    for key in OPTIONAL_FIELDS:
        value = getattr(code, key)
        if value != _DEFAULTS[key]:
            entry[key] = list(value) if isinstance(value, tuple) else value
            entry[key] = _Prose(value) if key in TEXT_FIELDS else entry[key]
    return entry


def _nested(codebook: Codebook, code: Code, above: frozenset[str] = frozenset()) -> dict:
    kids: dict[str, list] = {"children": [], "stages": []}
    above = above | {code.id}
    for child in codebook.children(code.id):
        if child.id not in above:  # a cycle (through duplicate ids) goes to the flat form
            key = "children" if child.family == code.family else "stages"
            kids[key].append(_nested(codebook, child, above))
    return _entry(code, flat=False) | {k: v for k, v in kids.items() if v}


def _yaml_data(codebook: Codebook) -> dict:
    """Nested sections when they give back exactly this codebook, else a flat `codes:` list."""
    head = {"name": codebook.name, "version": codebook.version,
            "description": _Prose(codebook.description)}
    nested = dict(head)
    for section, family in SECTIONS.items():
        roots = [c for c in codebook.codes if c.parent is None and c.family == family]
        if roots:
            nested[section] = [_nested(codebook, c) for c in roots]
    probe = _from_data(nested, "<yaml>")
    if probe.codebook == codebook and not probe.problems:
        return nested
    return head | {"codes": [_entry(c, flat=True) for c in codebook.codes]}


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent list items under their key


class _Prose(str):
    """A definition-like text: written as a folded block when long (no '' escapes)."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    if style is None and isinstance(value, _Prose) and len(value) > 70:
        style = ">"
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Prose, _represent_str)

YAML_HEADER = """\
# Livre de codes écrit par `listening` (les commentaires ajoutés à la main ne sont pas gardés).
# Format, familles et syntaxe des motifs : voir l'en-tête de codebooks/securite-sociale.yaml.
"""


def dump_yaml(codebook: Codebook) -> str:
    """The YAML authoring form: `parse_yaml(dump_yaml(c)).codebook == c` for stripped texts."""
    body = yaml.dump(_yaml_data(codebook), Dumper=_Dumper, allow_unicode=True,
                     sort_keys=False, width=100, default_flow_style=False)
    return YAML_HEADER + body
