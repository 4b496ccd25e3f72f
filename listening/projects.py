"""Creating a project with its codebook: the one call behind `listening init`."""

from __future__ import annotations

from pathlib import Path

from .codebook import validate
from .codebook_io import load_codebook
from .errors import InputError
from .model import Codebook
from .store import Project, current_codebook, init_project, save_codebook

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CODEBOOK = REPO_ROOT / "codebooks" / "securite-sociale.yaml"
DEMO_CORPUS = REPO_ROOT / "corpora" / "demo"


def load_valid_codebook(path: Path) -> Codebook:
    path = Path(path)
    if not path.exists():
        raise InputError("livre de codes introuvable ; vérifiez le chemin.", source=str(path))
    loaded = load_codebook(path)
    codebook = loaded[0] if isinstance(loaded, tuple) else loaded
    validate(codebook, source=str(path))
    return codebook


def create_project(directory: Path, *, codebook: Path | None = None, mission: str = "",
                   actor: str = "listening") -> tuple[Project, Codebook]:
    """Create (or reopen) a project; record the codebook as its current version."""
    cb = load_valid_codebook(codebook or DEFAULT_CODEBOOK)
    project = init_project(directory, mission=mission)
    save_codebook(project, cb, actor=actor)
    return project, current_codebook(project)
