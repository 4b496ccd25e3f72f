"""The hand labels the autocode bench measures against: codes the codebook knows, sets apart."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from listening.codebook_io import load_codebook
from listening.projects import DEFAULT_CODEBOOK

DATA = Path(__file__).resolve().parents[1] / "bench" / "data"
SETS = ("gdn-etiquettes.csv", "gdn-etiquettes-2.csv", "gdn-controle.csv", "gdn-validation.csv")


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, dtype={"question": str, "row": int}).fillna("")


@pytest.mark.parametrize("name", SETS)
def test_labels_name_main_themes_and_valences_of_the_codebook(name):
    codebook = load_codebook(DEFAULT_CODEBOOK)
    themes = {c.id for c in codebook.family("theme") if c.parent is None}
    valences = {c.id for c in codebook.family("valence") if c.codable}
    labels = _read(name)
    assert list(labels.columns) == ["question", "row", "themes", "valence"]
    used = {t for cell in labels["themes"] for t in cell.split(";") if t}
    assert used <= themes, used - themes
    assert set(labels["valence"]) - {""} <= valences
    assert not labels.duplicated(["question", "row"]).any()


def test_the_sets_share_no_answer():
    seen: dict[tuple[str, int], str] = {}
    for name in SETS:
        for key in zip(_read(name)["question"], _read(name)["row"]):
            assert key not in seen, f"{key} dans {seen.get(key)} et {name}"
            seen[key] = name
    assert len(seen) == 740
