"""Consistent pseudonyms within a project, and the optional encrypted mapping.

The project never stores an original in clear: a registry row is
(HMAC-SHA256 of the normalised original under the project's key, kind, label). The same
person therefore gets the same `[PERSONNE_n]` in every document. Missions that must be
able to re-identify keep a `MappingVault`: a separate file encrypted with a passphrase.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from listening.errors import InputError
from listening.person_recognizer import TITLE_RE
from listening.pseudo_names import FIRST_NAMES, fold, substitute_name
from listening.recognizers import PERSON, TAGS

PERSON_LABEL_RE = re.compile(r"^\[PERSONNE_(\d+)\]$")


def new_project_key() -> bytes:
    """A fresh random HMAC key for a project (32 bytes)."""
    return secrets.token_bytes(32)


def normalise_name(original: str) -> str:
    """The identity of a name: no title, no accents, no case, no punctuation."""
    value = original.strip()
    while (title := TITLE_RE.match(value)) is not None:
        value = value[title.end():]
    value = re.sub(r"[\s\-'’.,]+", " ", fold(value))
    return value.strip()


def strip_title(text: str) -> tuple[str, str]:
    """("Mme", "Garnier") for "Mme Garnier"; ("", name) without a title."""
    m = TITLE_RE.match(text)
    return (text[: m.end()].strip(), text[m.end():]) if m else ("", text)


def person_tag(number: int) -> str:
    return f"[PERSONNE_{number}]"


class PseudonymRegistry:
    """Label of each person of a project; rows are what the store persists.

    A row is (key, kind, label): key = HMAC-SHA256(project key, kind + normalised original),
    kind = "PERSON" or "PERSON/F", "PERSON/M" when the gender is known, label =
    "[PERSONNE_n]". Other kinds of identifiers get their fixed tag and no row.
    """

    def __init__(self, key: bytes, rows: Iterable[tuple[str, str, str]] = ()):
        if not key:
            raise ValueError("PseudonymRegistry needs a non-empty project key")
        self._key = key
        self._rows: dict[str, tuple[str, str]] = {}
        self._new: list[tuple[str, str, str]] = []
        self._last = 0
        for row_key, kind, label in rows:
            self._rows[row_key] = (kind, label)
            self._last = max(self._last, self.number(label) or 0)

    def key_for(self, kind: str, original: str) -> str:
        kind = kind.split("/")[0]
        message = f"{kind}\x1f{normalise_name(original)}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def lookup(self, kind: str, original: str) -> str | None:
        row = self._rows.get(self.key_for(kind, original))
        return row[1] if row else None

    def gender(self, kind: str, original: str) -> str | None:
        row = self._rows.get(self.key_for(kind, original))
        if row and "/" in row[0]:
            return row[0].split("/", 1)[1]
        return None

    def label(self, kind: str, original: str, gender: str | None = None) -> str:
        """The label of `original`, created on first sight (persons only get rows)."""
        if kind != PERSON:
            return TAGS[kind]
        found = self.lookup(kind, original)
        if found is not None:
            return found
        self._last += 1
        label = person_tag(self._last)
        self._add(kind, original, label, gender)
        return label

    def alias(self, kind: str, original: str, label: str, gender: str | None = None) -> None:
        """Record that `original` names the person already labelled `label`."""
        if kind == PERSON and self.lookup(kind, original) is None:
            self._add(kind, original, label, gender)

    def _add(self, kind: str, original: str, label: str, gender: str | None) -> None:
        stored_kind = f"{kind}/{gender}" if gender in ("F", "M") else kind
        row = (self.key_for(kind, original), stored_kind, label)
        self._rows[row[0]] = (stored_kind, label)
        self._new.append(row)

    def new_rows(self) -> list[tuple[str, str, str]]:
        """Rows created since load, for the store to persist."""
        return list(self._new)

    def rows(self) -> list[tuple[str, str, str]]:
        return [(k, kind, label) for k, (kind, label) in self._rows.items()]

    @staticmethod
    def number(label: str) -> int | None:
        m = PERSON_LABEL_RE.match(label)
        return int(m.group(1)) if m else None


def plan_person_labels(mentions: Sequence, registry: PseudonymRegistry,
                       style: str = "tag") -> dict[str, str]:
    """Replacement of each person mention of one group of texts (a document), by its text.

    A one-word mention stands for the group's only full name containing it; titles never
    count. `mentions` have `.text` and `.gender`. Style "name" gives substitute names.
    """
    norms = {d.text: normalise_name(d.text) for d in mentions}
    full = {n for n in norms.values() if len(n.split()) > 1}
    canonical = {text: _canonical(norm, full) for text, norm in norms.items()}
    votes: dict[str, Counter] = {c: Counter() for c in canonical.values()}
    for d in mentions:
        if d.gender is not None:
            votes[canonical[d.text]][d.gender] += 1
    gender = {c: (v.most_common(1)[0][0] if v else None) for c, v in votes.items()}
    out = {}
    for text, canon in canonical.items():
        if not canon:
            out[text] = TAGS[PERSON]
            continue
        label = registry.label(PERSON, canon, gender[canon])
        if norms[text] != canon:
            registry.alias(PERSON, norms[text], label, gender[canon])
        surname = canon.split()[-1]
        if len(canon.split()) > 1 and sum(f.split()[-1] == surname for f in full) == 1:
            registry.alias(PERSON, surname, label, gender[canon])  # "Mme Garnier" elsewhere
        out[text] = label
        if style == "name":
            number = registry.number(label) or 0
            sex = registry.gender(PERSON, canon) or gender[canon]
            out[text] = _render_name(text, canon, substitute_name(number, sex))
    return out


def _canonical(norm: str, full: set[str]) -> str:
    """A one-word mention stands for the only full name of the group containing it."""
    words = norm.split()
    if len(words) != 1:
        return norm
    candidates = [f for f in full if words[0] in f.split()]
    return candidates[0] if len(candidates) == 1 else norm


def _render_name(mention: str, canonical: str, substitute: tuple[str, str]) -> str:
    first, surname = substitute
    title, name = strip_title(mention)
    name = name.strip()
    if title:
        initial = len(name.rstrip(".")) == 1
        return f"{title} {surname[0] + '.' if initial else surname}"
    words = canonical.split()
    if len(name.split()) > 1:
        return f"{first} {surname}"
    own = normalise_name(name)
    if len(words) > 1:
        return first if own == words[0] else surname
    return first if own in FIRST_NAMES else surname


# --- the encrypted mapping --------------------------------------------------------------

VAULT_FORMAT = "listening-mapping-vault"
SCRYPT_N = 2**15


def _fernet(passphrase: str, salt: bytes, n: int, r: int, p: int) -> Fernet:
    kdf = Scrypt(salt=salt, length=32, n=n, r=r, p=p)
    return Fernet(base64.urlsafe_b64encode(kdf.derive(passphrase.encode("utf-8"))))


class MappingVault:
    """original → pseudonym pairs, in a file encrypted with a passphrase (Scrypt + Fernet).

    Kept outside the project, for missions that must be able to re-identify.
    """

    def __init__(self, path: Path | str, passphrase: str,
                 entries: Iterable[tuple[str, str, str]] = ()):
        if not passphrase:
            raise InputError("la phrase de passe est vide ; choisissez une phrase de passe "
                             "pour chiffrer la table de correspondance", source=str(path))
        self.path = Path(path)
        self._passphrase = passphrase
        self._entries: dict[tuple[str, str, str], None] = dict.fromkeys(
            tuple(e) for e in entries)

    def add(self, original: str, pseudonym: str, kind: str) -> None:
        self._entries[(original, pseudonym, kind)] = None

    @property
    def entries(self) -> list[tuple[str, str, str]]:
        """(original, pseudonym, kind) in the order they were added."""
        return list(self._entries)

    def originals(self, pseudonym: str) -> list[str]:
        """Every original that was replaced by `pseudonym` (re-identification)."""
        return [o for o, p, _ in self._entries if p == pseudonym]

    def save(self) -> None:
        salt = secrets.token_bytes(16)
        payload = json.dumps([list(e) for e in self._entries], ensure_ascii=False)
        token = _fernet(self._passphrase, salt, SCRYPT_N, 8, 1).encrypt(payload.encode())
        data = {
            "format": VAULT_FORMAT, "version": 1,
            "kdf": {"name": "scrypt", "salt": base64.b64encode(salt).decode(),
                    "n": SCRYPT_N, "r": 8, "p": 1},
            "token": token.decode(),
        }
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        tmp.replace(self.path)

    @classmethod
    def load(cls, path: Path | str, passphrase: str) -> MappingVault:
        path = Path(path)
        if not path.is_file():
            raise InputError("table de correspondance introuvable ; vérifiez le chemin",
                             source=str(path))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            kdf = data["kdf"]
            salt = base64.b64decode(kdf["salt"])
            token = data["token"].encode()
            if data.get("format") != VAULT_FORMAT:
                raise ValueError(data.get("format"))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError("ce fichier n'est pas une table de correspondance chiffrée de "
                             "listening", source=str(path)) from exc
        try:
            payload = _fernet(passphrase, salt, kdf["n"], kdf["r"], kdf["p"]).decrypt(token)
        except InvalidToken as exc:
            raise InputError("phrase de passe incorrecte (ou fichier altéré) : la table de "
                             "correspondance ne peut pas être déchiffrée ; vérifiez la phrase "
                             "de passe", source=str(path)) from exc
        return cls(path, passphrase, (tuple(e) for e in json.loads(payload)))
