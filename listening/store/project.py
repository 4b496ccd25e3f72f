"""A project is a folder: `projet.sqlite` (WAL, migrated on open) and `projet.yaml` (settings)."""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import yaml

from .. import __version__
from ..errors import ProjectError
from .schema import SCHEMA_VERSION, migrate

DB_NAME = "projet.sqlite"
SETTINGS_NAME = "projet.yaml"
BUSY_TIMEOUT_S = 60.0


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Settings:
    """What a mission decides for its project; edited by hand in `projet.yaml`."""

    name: str = "projet"
    mission: str = ""
    pseudonymise: bool = True
    allow_list: tuple[str, ...] = ()
    deny_list: tuple[str, ...] = ()
    person_style: str = "tag"
    segment_max_chars: int = 400
    extra: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Settings:
        if not path.exists():
            return cls()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ProjectError(f"{path} : paramètres illisibles ({exc}) ; corrigez le YAML.") from exc
        if not isinstance(data, dict):
            raise ProjectError(f"{path} : paramètres illisibles ; attendu des paires « clé: valeur ».")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "extra"}
        for key in ("allow_list", "deny_list"):
            known[key] = tuple(known.get(key) or ())
        extra = {k: v for k, v in data.items() if k not in cls.__dataclass_fields__}
        return cls(**known, extra=extra)

    def save(self, path: Path) -> None:
        data = asdict(self)
        extra = data.pop("extra")
        data = {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}
        data.update(extra)
        path.write_text(
            "# Paramètres du projet listening (modifiables à la main).\n"
            + yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )


class Project:
    """Handle on a project folder. Connections are per thread (Streamlit runs threads)."""

    def __init__(self, path: Path, settings: Settings):
        self.path = path
        self.settings = settings
        self._local = threading.local()

    @property
    def db_path(self) -> Path:
        return self.path / DB_NAME

    def __repr__(self) -> str:
        return f"Project({str(self.path)!r})"

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.db_path)
            self._local.conn = conn
        return conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        yield self.connection()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: all of it is stored, or nothing."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        else:
            conn.commit()

    def setting(self, key: str, default: str | None = None) -> str | None:
        row = self.connection().execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, conn: sqlite3.Connection, key: str, value: str) -> None:
        conn.execute(
            "INSERT INTO settings(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def update_settings(self, **changes: object) -> Project:
        self.settings = replace(self.settings, **changes)
        self.settings.save(self.path / SETTINGS_NAME)
        return self

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _connect(db_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    return conn


def init_project(path: Path, *, name: str | None = None, mission: str = "") -> Project:
    """Create (or reopen) a project folder."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ProjectError(f"{path} : existe déjà et n'est pas un dossier ; choisissez un autre chemin.")
    path.mkdir(parents=True, exist_ok=True)
    settings_path = path / SETTINGS_NAME
    if not settings_path.exists():
        Settings(name=name or path.name, mission=mission).save(settings_path)
    return open_project(path)


def open_project(path: Path) -> Project:
    """Open an existing project, applying pending schema migrations."""
    path = Path(path)
    if not (path / SETTINGS_NAME).exists() and not (path / DB_NAME).exists():
        raise ProjectError(
            f"{path} : aucun projet ici ; créez-le avec « listening init {path} »."
        )
    project = Project(path, Settings.load(path / SETTINGS_NAME))
    conn = project.connection()
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"{path} : projet créé par une version plus récente de listening "
            f"(schéma {version} > {SCHEMA_VERSION}) ; mettez listening à jour."
        )
    migrate(conn)
    if project.setting("pseudonym_key") is None:
        with project.write() as w:
            if project.setting("pseudonym_key") is None:
                project.set_setting(w, "pseudonym_key", secrets.token_hex(32))
                project.set_setting(w, "created_with", __version__)
    return project


def read_frame(conn: sqlite3.Connection, sql: str, params: tuple = ()) -> pd.DataFrame:
    """`pd.read_sql_query` without the connection's `sqlite3.Row` objects: plain tuples are
    fetched and converted faster, into the same frame."""
    cursor = conn.cursor()
    cursor.row_factory = None
    rows = cursor.execute(sql, params).fetchall()
    return pd.DataFrame.from_records(rows, columns=[d[0] for d in cursor.description],
                                     coerce_float=True)


def log_change(conn: sqlite3.Connection, actor: str, action: str, target_kind: str = "",
               target_id: str = "", payload: dict | None = None) -> None:
    """Append to the change log, inside the caller's transaction."""
    conn.execute(
        "INSERT INTO changelog(at, actor, action, target_kind, target_id, payload) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (now(), actor, action, target_kind, target_id,
         json.dumps(payload or {}, ensure_ascii=False, sort_keys=True)),
    )
