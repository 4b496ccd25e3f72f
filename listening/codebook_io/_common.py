"""What the codebook readers share: field lists, `Parsed`, and loose values -> `Code`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from listening.codebook import fold
from listening.errors import CodebookError
from listening.model import Code, Codebook

ID_PREFIX = {"theme": "theme", "valence": "valence", "journey": "parcours", "stage": "etape"}
FAMILY_FRENCH = {"theme": "thème", "valence": "valence", "journey": "parcours", "stage": "étape"}
TEXT_FIELDS = ("label", "definition", "description", "include", "exclude")
LIST_FIELDS = ("examples", "patterns", "organisations", "publics")
_TRUE = ("true", "vrai", "oui", "yes", "x", "1")
_FALSE = ("false", "faux", "non", "no", "0")
_FAMILY_WORDS = {
    "theme": "theme", "themes": "theme", "valence": "valence", "valences": "valence",
    "journey": "journey", "journeys": "journey", "parcours": "journey",
    "stage": "stage", "stages": "stage", "etape": "stage", "etapes": "stage",
}



@dataclass
class Parsed:
    """What a reader found: codes, where each is defined, problems and warnings."""

    name: str
    version: str = ""
    description: str = ""
    codes: list[Code] = field(default_factory=list)
    lines: list[int | None] = field(default_factory=list)
    problems: list[CodebookError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def codebook(self) -> Codebook:
        return Codebook(self.name, self.version, tuple(self.codes), self.description)

    def add(self, code: Code, line: int | None) -> None:
        self.codes.append(code)
        self.lines.append(line)


# --- loose values (YAML entries, spreadsheet rows, descriptions) -> Code ------


class _Fields:
    """Turns loose values into Code fields, collecting problems with their line."""

    def __init__(self, source: str, problems: list[CodebookError]):
        self.source = source
        self.problems = problems

    def problem(self, message: str, line: int | None, code: str | None = None) -> None:
        self.problems.append(CodebookError(message, self.source, line, code))

    def text(self, key: str, value: object, line: int | None, code: str | None) -> str:
        if value is None:
            return ""
        if isinstance(value, (list, dict)):
            self.problem(f"« {key} » doit être un texte, pas une liste", line, code)
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def items(self, key: str, value: object, line: int | None, code: str | None) -> tuple:
        if value is None:
            return ()
        if isinstance(value, str):
            value = value.split("\n")
        if not isinstance(value, list) or any(isinstance(v, (list, dict)) for v in value):
            self.problem(f"« {key} » doit être une liste de textes", line, code)
            return ()
        return tuple(t for v in value if v is not None and (t := str(v).strip()))

    def order(self, value: object, line: int | None, code: str | None) -> int | None:
        if value is None or value == "":
            return None
        try:
            number = float(str(value).strip())
        except ValueError:
            number = 0.5
        if not number.is_integer():
            self.problem(f"ordre « {value} » invalide : écrivez un nombre entier", line, code)
            return None
        return int(number)

    def codable(self, value: object, line: int | None, code: str | None) -> bool:
        if value is None or value == "" or isinstance(value, bool):
            return value is not False
        text = fold(str(value))
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        self.problem(f"codable « {value} » invalide : écrivez oui ou non", line, code)
        return True

    def code(self, values: Mapping[str, object], line: int | None) -> Code:
        code_id = str(values.get("id") or "").strip()
        ref = code_id or None
        kwargs: dict[str, object] = {
            k: self.text(k, values.get(k), line, ref) for k in TEXT_FIELDS if k in values
        }
        kwargs |= {k: self.items(k, values.get(k), line, ref) for k in LIST_FIELDS if k in values}
        if values.get("colour") not in (None, ""):
            kwargs["colour"] = self.text("colour", values["colour"], line, ref)
        parent = values.get("parent")
        return Code(
            id=code_id,
            family=str(values.get("family") or ""),
            parent=str(parent).strip() if parent not in (None, "") else None,
            codable=self.codable(values.get("codable"), line, ref),
            order=self.order(values.get("order"), line, ref),
            **{"label": "", **kwargs},
        )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "code"


def _unique(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}-{n}"
    taken.add(candidate)
    return candidate


def _child_family(parent_family: str | None) -> str:
    return "stage" if parent_family == "journey" else parent_family or "theme"
