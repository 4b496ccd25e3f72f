"""Queries over a `Codebook` and its validation. Pure: no I/O.

Pattern syntax (for the rule coder), also documented in codebooks/securite-sociale.yaml:

- a pattern is a sequence of tokens separated by spaces: `attendre`, `dossier perdre`,
  `mot de passe`, `rendez-vous`;
- `*` at the end of a token matches any ending: `relanc*` (relancer, relance, relancé…);
- `|` inside a token separates alternatives of one word: `pas|jamais recevoir`; an elided
  word keeps its apostrophe (`m'|me`);
- `re:` starts a Python regular expression, matched against the segment's text
  (case-insensitive): `re:trop[- ]?per[çc]u`.

What a valid pattern is, is decided here (`pattern_error`); how a segment is matched (words or
lemmas, accents folded, one other word allowed between two tokens, compounds however spaCy
splits them, negation) is `listening.autocode.rules`. `compile_pattern` below is a plain-text
form that matches tokens consecutively in an already lemmatised string.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence

from listening.errors import CodebookError, InputError
from listening.model import FAMILIES, Code, Codebook, Journey, Stage, stable_id

REQUIRED_FAMILIES = ("theme", "valence", "journey")
FAMILY_SECTIONS = {"theme": "themes", "valence": "valence", "journey": "journeys"}
FAMILY_NAMES = {"theme": "thèmes", "valence": "valences", "journey": "parcours"}

_COLOUR = re.compile(r"#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})")
_LEMMA = re.compile(r"[\w'’-]+\*?")
_WORD = r"[\w'’-]"
REGEX_PREFIX = "re:"


# --- small helpers ------------------------------------------------------------


def fold(text: str) -> str:
    """Lower-case, accents removed, hyphens/underscores/apostrophes as single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[-_'’.]", " ", text).split())


def short_id(code_id: str) -> str:
    """The last dotted part of an id: `parcours.retraite` -> `retraite`."""
    return code_id.rsplit(".", 1)[-1]


def code_guid(code_id: str) -> str:
    """The deterministic REFI-QDA GUID of a code (uuid5 of its id)."""
    return stable_id("code", code_id)


def definition_of(code: Code) -> str:
    """What a code covers: its definition, else its description (journeys and stages)."""
    return code.definition or code.description


# --- patterns -----------------------------------------------------------------


# Elided words are written with their apostrophe (« m'a », « l'ai »): without it, never found.
_ELIDED = frozenset({"c", "d", "j", "l", "m", "n", "s", "t", "qu", "lorsqu", "puisqu", "jusqu"})


def pattern_error(pattern: str) -> str | None:
    """Why a pattern does not compile (French), or None when it does."""
    if pattern.startswith(REGEX_PREFIX):
        body = pattern[len(REGEX_PREFIX):]
        if not body.strip():
            return "expression régulière vide après « re: »"
        try:
            re.compile(body)
        except re.error as exc:
            return f"expression régulière incorrecte ({exc})"
        return None
    tokens = pattern.split()
    if not tokens:
        return "motif vide"
    for token in tokens:
        for alternative in token.split("|"):
            if not _LEMMA.fullmatch(alternative):
                shown = alternative or "(vide)"
                return (
                    f"« {shown} » n'est pas un lemme : utilisez des lettres, chiffres, "
                    "apostrophes ou tirets, * seulement en fin de mot et | entre deux variantes"
                )
            if alternative.lower() in _ELIDED:
                return (f"« {alternative} » seul ne se trouve jamais dans un texte : écrivez "
                        f"« {alternative}' » (l'apostrophe fait partie du mot élidé)")
    return None


def pattern_regex(pattern: str) -> str:
    """The regular-expression form of a pattern (see the module docstring)."""
    if pattern.startswith(REGEX_PREFIX):
        return pattern[len(REGEX_PREFIX):]
    tokens = []
    for token in pattern.split():
        alternatives = []
        for alternative in token.split("|"):
            star = alternative.endswith("*")
            word = re.escape(alternative.rstrip("*"))
            alternatives.append(word + (f"{_WORD}*" if star else ""))
        tokens.append("(?:" + "|".join(alternatives) + ")")
    return f"(?<!{_WORD})" + r"\s+".join(tokens) + f"(?!{_WORD})"


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a pattern, case-insensitive; raises CodebookError when it does not compile."""
    problem = pattern_error(pattern)
    if problem:
        raise CodebookError(f"motif « {pattern} » invalide : {problem}")
    return re.compile(pattern_regex(pattern), re.IGNORECASE)


# --- tree queries -------------------------------------------------------------


def _index(codebook: Codebook) -> dict[str, Code]:
    index: dict[str, Code] = {}
    for code in codebook.codes:
        index.setdefault(code.id, code)
    return index


def ancestors(codebook: Codebook, code_id: str) -> list[Code]:
    """The code's parents, nearest first (stops at a cycle or an unknown parent)."""
    index = _index(codebook)
    out: list[Code] = []
    seen = {code_id}
    parent = index[code_id].parent
    while parent in index and parent not in seen:
        seen.add(parent)
        out.append(index[parent])
        parent = index[parent].parent
    return out


def code_path(codebook: Codebook, code_id: str) -> list[Code]:
    """The codes from the root down to this code."""
    return [*reversed(ancestors(codebook, code_id)), codebook.code(code_id)]


def path_label(codebook: Codebook, code_id: str, separator: str = " > ") -> str:
    """`Contact et joignabilité > Téléphone`."""
    return separator.join(c.label for c in code_path(codebook, code_id))


def descendants(codebook: Codebook, code_id: str) -> list[Code]:
    """Every code below this one, depth first, in codebook order (a cycle is cut)."""
    out: list[Code] = []
    seen = {code_id}

    def visit(parent: str) -> None:
        for child in codebook.children(parent):
            if child.id not in seen:
                seen.add(child.id)
                out.append(child)
                visit(child.id)

    visit(code_id)
    return out


def codable_codes(codebook: Codebook, family: str | None = None) -> list[Code]:
    return [c for c in codebook.codes if c.codable and (family is None or c.family == family)]


def journey_of(codebook: Codebook, stage_id: str) -> Journey:
    """The journey a stage belongs to."""
    return codebook.journey(codebook.code(stage_id).parent or "")


# --- resolving what a user typed ----------------------------------------------


def _matches(value: str, code_id: str, label: str) -> bool:
    wanted = fold(value)
    return wanted in (fold(code_id), fold(short_id(code_id)), fold(label))


def resolve_journey(codebook: Codebook, value: str) -> Journey:
    """A journey from its id (`parcours.retraite`), short id (`retraite`) or French label."""
    journeys = codebook.journeys
    for journey in journeys:
        if _matches(value, journey.id, journey.label):
            return journey
    valid = ", ".join(j.id for j in journeys) or "(aucun parcours dans le livre de codes)"
    raise InputError(
        f"parcours « {value} » inconnu : choisissez parmi {valid} "
        "(identifiant, nom court ou libellé)"
    )


def resolve_stage(codebook: Codebook, journey: str, value: str) -> Stage:
    """A stage of a journey from its id, short id (`pension-alimentaire`) or French label."""
    found = resolve_journey(codebook, journey)
    for stage in found.stages:
        if _matches(value, stage.id, stage.label):
            return stage
    valid = ", ".join(s.id for s in found.stages) or "(aucune étape)"
    raise InputError(
        f"étape « {value} » inconnue dans le parcours « {found.id} » : choisissez parmi "
        f"{valid} (identifiant, nom court ou libellé)"
    )


# --- validation ---------------------------------------------------------------


def _suggest(value: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(value, candidates, n=1, cutoff=0.75)
    return f" (vouliez-vous dire « {close[0]} » ?)" if close else ""


def _cycle(index: Mapping[str, Code], code: Code) -> list[str] | None:
    chain = [code.id]
    parent = code.parent
    while parent in index:
        chain.append(parent)
        if parent == code.id:
            return chain
        if chain.count(parent) > 1:
            return None  # a cycle above this code, reported on its own members
        parent = index[parent].parent
    return None


def _parent_problem(index: Mapping[str, Code], code: Code) -> str | None:
    if code.parent is None:
        if code.family == "stage":
            return (
                "étape hors de tout parcours : rangez-la sous un parcours "
                "(dans la liste stages: d'un parcours, ou parent: parcours.…)"
            )
        return None
    parent = index.get(code.parent)
    if parent is None:
        return (
            f"parent « {code.parent} » inconnu{_suggest(code.parent, list(index))} : "
            "corrigez le parent ou ajoutez un code avec cet identifiant"
        )
    chain = _cycle(index, code)
    if chain:
        return (
            f"le code est son propre ancêtre ({' > '.join(chain)}) : "
            "corrigez les parents pour former un arbre"
        )
    if code.family == "stage":
        if parent.family != "journey":
            return (
                f"étape hors de tout parcours : son parent « {parent.id} » n'est pas un "
                "parcours ; rangez-la sous un parcours"
            )
        return None
    if code.family == "journey":
        return (
            f"un parcours ne peut pas avoir de parent (parent actuel « {parent.id} ») : "
            "retirez le parent"
        )
    if code.family in FAMILIES and parent.family != code.family:
        return (
            f"code de la famille {code.family} rangé sous « {parent.id} » "
            f"(famille {parent.family}) : un code doit avoir la même famille que son parent"
        )
    return None


def _code_problems(index: Mapping[str, Code], code: Code, require_definitions: bool) -> list[str]:
    out: list[str] = []
    if code.family not in FAMILIES:
        out.append(
            f"famille « {code.family} » inconnue : choisissez theme, valence, journey ou stage"
        )
    if not code.label.strip():
        out.append("libellé vide : donnez au code un libellé en français (label)")
    parent_problem = _parent_problem(index, code)
    if parent_problem:
        out.append(parent_problem)
    for pattern in code.patterns:
        problem = pattern_error(pattern)
        if problem:
            out.append(f"motif « {pattern} » invalide : {problem}")
    if require_definitions and code.codable and not definition_of(code).strip():
        out.append(
            "code codable sans définition : écrivez une définition (ce que le code couvre) "
            "ou indiquez codable: false pour un simple dossier"
        )
    if not _COLOUR.fullmatch(code.colour):
        out.append(
            f"couleur « {code.colour} » invalide : écrivez-la en hexadécimal, "
            "par exemple #D55E00"
        )
    if code.family == "stage" and code.order is None:
        out.append("étape sans ordre : indiquez sa place dans le parcours (order: 1, 2, 3…)")
    return out


def _id_problem(code: Code, first_line: int | None, seen: bool) -> str | None:
    if not code.id.strip():
        return "identifiant vide : donnez au code un identifiant, par exemple theme.delais"
    if any(ch.isspace() for ch in code.id):
        return "l'identifiant contient des espaces : remplacez-les par des tirets"
    if seen:
        where = f" (déjà utilisé ligne {first_line})" if first_line is not None else ""
        return f"identifiant en double{where} : donnez un identifiant unique à chaque code"
    return None


def _journey_problems(codebook: Codebook) -> list[tuple[str, str]]:
    out = []
    for journey in codebook.family("journey"):
        stages = [c for c in codebook.family("stage") if c.parent == journey.id]
        if not stages:
            out.append(
                (journey.id, "parcours sans étape : ajoutez ses étapes (stages:) dans l'ordre")
            )
        by_order: dict[int, str] = {}
        for stage in stages:
            if stage.order is None:
                continue
            if stage.order in by_order:
                out.append(
                    (
                        stage.id,
                        f"ordre {stage.order} déjà utilisé par « {by_order[stage.order]} » : "
                        "numérotez les étapes du parcours 1, 2, 3… dans l'ordre du temps",
                    )
                )
            by_order.setdefault(stage.order, stage.id)
    return out


def find_problems(
    codebook: Codebook,
    *,
    source: str | None = None,
    lines: Sequence[int | None] | None = None,
    require_families: bool = True,
    require_definitions: bool | None = None,
) -> list[CodebookError]:
    """Every problem of a codebook, in codebook order, each as a CodebookError (not raised).

    `lines[i]` says where `codebook.codes[i]` is defined (YAML line, spreadsheet row).
    `require_definitions` defaults to `require_families`: imported foreign codebooks
    (validated with `require_families=False`) often have codes without definitions.
    """
    lines = list(lines or [])
    lines += [None] * (len(codebook.codes) - len(lines))
    if require_definitions is None:
        require_definitions = require_families
    index = _index(codebook)
    first_line: dict[str, int | None] = {}
    out: list[CodebookError] = []
    for code, line in zip(codebook.codes, lines, strict=True):
        seen = code.id in first_line
        id_problem = _id_problem(code, first_line.get(code.id), seen)
        first_line.setdefault(code.id, line)
        problems = [id_problem] if id_problem else []
        if not seen:
            problems += _code_problems(index, code, require_definitions)
        out += [CodebookError(p, source, line, code.id or None) for p in problems]
    out += [
        CodebookError(p, source, first_line.get(code_id), code_id)
        for code_id, p in _journey_problems(codebook)
    ]
    if not codebook.codes:
        out.append(CodebookError("le livre de codes ne contient aucun code", source))
    elif require_families:
        for family in REQUIRED_FAMILIES:
            if not codebook.family(family):
                out.append(
                    CodebookError(
                        f"aucun code de la famille {family} ({FAMILY_NAMES[family]}) : un livre "
                        "de codes doit contenir des thèmes (themes:), des valences (valence:) "
                        "et des parcours (journeys:) ; ajoutez la section "
                        f"{FAMILY_SECTIONS[family]}:",
                        source,
                    )
                )
    return out


def raise_problems(problems: list[CodebookError], source: str | None = None) -> None:
    """Raise one CodebookError listing every problem, one per line; nothing when empty."""
    if not problems:
        return
    if len(problems) == 1:
        error = problems[0]
    else:
        header = f"{len(problems)} problèmes à corriger dans le livre de codes :"
        error = CodebookError("\n".join([header, *(str(p) for p in problems)]), source)
    error.problems = tuple(problems)
    raise error


def validate(
    codebook: Codebook,
    *,
    source: str | None = None,
    lines: Sequence[int | None] | None = None,
    require_families: bool = True,
    require_definitions: bool | None = None,
) -> None:
    """Raise a CodebookError listing every problem (file, line, code, what, how to fix).

    The error's `problems` attribute holds one CodebookError per problem.
    """
    problems = find_problems(
        codebook,
        source=source,
        lines=lines,
        require_families=require_families,
        require_definitions=require_definitions,
    )
    raise_problems(problems, source)


# --- summary ------------------------------------------------------------------


def summary(codebook: Codebook) -> list[str]:
    """French lines counting each family, for `listening codebook check`."""
    themes = codebook.family("theme")
    main = [c for c in themes if c.parent is None]
    return [
        f"thèmes : {len(themes)} ({len(main)} principaux, {len(themes) - len(main)} sous-thèmes)",
        f"valences : {len(codebook.family('valence'))}",
        f"parcours : {len(codebook.family('journey'))}",
        f"étapes : {len(codebook.family('stage'))}",
    ]
