"""The readers on real French material from ../shared/data (skipped when absent)."""

import csv
import re

import pytest

from listening.ingest import read, read_file
from listening.model import normalise_text


def test_labforsims2_one_turn_per_line_behind_an_id(shared_transcripts):
    files = sorted((shared_transcripts / "labforsims2").glob("*.txt"))
    assert len(files) == 9
    for path in files:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
        [doc] = read_file(path)
        assert len(doc.turns) == len(lines), path.name
        for turn, line in zip(doc.turns, lines):
            ref, text = line.split(" ", 1)
            assert turn.attrs["ref"] == ref
            assert turn.speaker == ref[0]
            assert turn.text == normalise_text(text)
            assert turn.role == {"d": "interviewer", "p": "usager"}[ref[0]]


def test_w3c_captions(shared_transcripts):
    folder = shared_transcripts / "w3c_vtt"
    for path in sorted(folder.glob("*.vtt")):
        [doc] = read_file(path)
        cues = re.findall(r"-->.*\n((?:.+\n?)+)", path.read_text(encoding="utf-8"))
        words = [re.sub(r"<[^>]+>", "", cue).split() for cue in cues]
        speaker = doc.turns[0].speaker
        text = doc.text.replace(f"{speaker} : ", "") if speaker else doc.text
        assert text.split() == [
            w for cue in words for w in cue], path.name
        if path.name == "keyboard.fr.vtt":
            assert {t.speaker for t in doc.turns} == {""}
            assert len(doc.turns) > 1 and doc.turns[0].timestamp == "00:00:04.180"
        else:
            assert len(doc.turns) == 1 and doc.turns[0].speaker.startswith("Audio Description")


def test_grand_debat_answers(shared_transcripts):
    path = shared_transcripts.parent / "gdn" / "Q194.csv"
    if not path.is_file():
        pytest.skip("gdn/Q194.csv absent")
    with path.open(encoding="utf-8", newline="") as handle:
        answers = [row["comment"] for row in csv.DictReader(handle)]
    result = read(path)
    assert len(result.documents) + result.skipped_rows == len(answers)
    assert len(result.documents) == sum(1 for a in answers if a.strip())
    first = next(a for a in answers if a.strip())
    assert result.documents[0].text == normalise_text(first)
    assert {d.meta.type for d in result.documents} == {"verbatim"}
    assert set(result.documents[0].meta.extra) == {"cluster_id"}
