"""Plain-text and Markdown transcripts: encodings, bad files, dispatch errors."""

import codecs

import pytest

from listening.errors import InputError
from listening.ingest import SUPPORTED_SUFFIXES, ReadOptions, read, read_file
from listening.ingest.text import decode_bytes
from listening.model import Metadata

TRANSCRIPT = (
    "Enquêtrice : Bonjour, vous êtes allée à la CAF ?\n"
    "Mme Lefèvre : Oui, déjà trois fois… « c'est long », l'été dernier, 40 € de frais.\n"
)


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: codecs.BOM_UTF8 + s.encode("utf-8"),
        lambda s: s.encode("cp1252"),
        lambda s: s.replace("…", "...").replace("€", "EUR").encode("latin-1"),
        lambda s: s.encode("utf-16"),  # Windows Notepad "Unicode", with BOM
        lambda s: s.encode("utf-16-le"),  # without BOM
        lambda s: s.replace("\n", "\r\n").encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "cp1252", "latin1", "utf16-bom", "utf16-le", "cp1252-crlf"],
)
def test_accents_survive_every_encoding(tmp_path, encode):
    path = tmp_path / "entretien.txt"
    path.write_bytes(encode(TRANSCRIPT))
    [doc] = read_file(path)
    assert [t.speaker for t in doc.turns] == ["Enquêtrice", "Mme Lefèvre"]
    assert doc.turns[0].text == "Bonjour, vous êtes allée à la CAF ?"
    assert "déjà" in doc.turns[1].text and "l'été" in doc.turns[1].text
    assert "\ufeff" not in doc.text


@pytest.mark.parametrize("word", ["é", "Été déjà reçu", "Le délai était trop long à la CAF."])
def test_short_cp1252_text_is_not_taken_for_another_code_page(word):
    # charset detectors take a lone cp1252 "é" (0xE9) for cp1250 or EBCDIC
    assert decode_bytes(word.encode("cp1252")) == word


def test_dos_code_page_is_recognised():
    text = "Le délai était très long, la conseillère m'a rappelée."
    assert decode_bytes(text.encode("cp850")) == text


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 8,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
        b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(40, 200)) * 3 + b"\x00\x00",
    ],
    ids=["random", "png", "zip"],
)
def test_binary_renamed_txt_is_refused(tmp_path, content):
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_file(path)
    assert str(err.value) == (
        "notes.txt : ne semble pas être un fichier texte (contenu binaire) : vérifiez qu'il "
        "s'agit du bon fichier, ou ouvrez-le dans son logiciel d'origine et enregistrez-le en "
        "texte (.txt, UTF-8), puis réessayez"
    )


@pytest.mark.parametrize("content", [b"", b"   \n\n\t  \r\n", codecs.BOM_UTF8 + b"\n  \n"],
                         ids=["empty", "blank", "bom-only"])
@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_empty_text_file_is_refused(tmp_path, content, suffix):
    path = tmp_path / f"vide{suffix}"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_file(path, name=f"entretiens/vide{suffix}")
    assert str(err.value) == (
        f"entretiens/vide{suffix} : fichier vide : aucun texte à lire ; vérifiez que c'est le "
        "bon fichier et qu'il a été enregistré"
    )
    assert err.value.source == f"entretiens/vide{suffix}"


@pytest.mark.parametrize("name", ["compte-rendu.doc", "photo.jpg", "sans_extension"])
def test_unsupported_format_lists_the_accepted_ones(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"abc")
    with pytest.raises(InputError) as err:
        read_file(path)
    suffix = path.suffix or "sans extension"
    assert str(err.value) == (
        f"{name} : format « {suffix} » non pris en charge : enregistrez le fichier dans l'un de "
        "ces formats : .csv, .docx, .md, .odt, .pdf, .srt, .txt, .vtt, .xlsx"
    )


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_missing_file(tmp_path, suffix):
    with pytest.raises(InputError) as err:
        read_file(tmp_path / f"absent{suffix}")
    assert str(err.value) == f"absent{suffix} : fichier introuvable : vérifiez le chemin"


@pytest.mark.parametrize("doc_type", ["entretien", "atelier"])
def test_document_carries_name_metadata_and_format(tmp_path, doc_type):
    path = tmp_path / "E07.md"
    path.write_text("# Entretien E07\n\n**Enquêteur :** Bonjour ?\n\n**Mme L. :** Bonjour.\n",
                    encoding="utf-8")
    meta = Metadata(type=doc_type, journey="parcours.naissance", public="parent isolé")
    [doc] = read_file(path, ReadOptions(meta=meta), name="lot1/E07.md")
    assert doc.name == doc.external_id == "lot1/E07.md"
    assert doc.source_format == "md"
    assert doc.meta == meta
    assert doc.text == "Entretien E07\n\nEnquêteur : Bonjour ?\n\nMme L. : Bonjour."
    for turn in doc.turns:
        assert doc.text[turn.start:turn.end] == turn.text


@pytest.mark.parametrize(
    "text, warned",
    [("Les délais sont trop longs.\n\nPersonne ne répond au téléphone.", True),
     ("Enquêteur : Bonjour ?\nUsager : Bonjour.", False)],
)
def test_notes_without_speakers_are_read_with_a_warning(tmp_path, text, warned):
    path = tmp_path / "notes.txt"
    path.write_text(text, encoding="utf-8")
    result = read(path)
    assert bool(result.warnings) is warned
    if warned:
        assert result.warnings[0].startswith("aucun locuteur reconnu")
        assert [t.text for t in result.documents[0].turns] == [
            "Les délais sont trop longs.", "Personne ne répond au téléphone."]


@pytest.mark.parametrize("roles, expected", [
    ({}, ["interviewer", "usager", "interviewer"]),
    ({"Mme Lefèvre": "participant"}, ["interviewer", "participant", "interviewer"]),
    ({"mme lefevre": "usagère", "ENQUÊTRICE": "inconnu"}, ["unknown", "usager", "unknown"]),
])
def test_role_overrides_per_document(tmp_path, roles, expected):
    path = tmp_path / "e.txt"
    path.write_text("Enquêtrice : Bonjour ?\nMme Lefèvre : Bonjour.\nEnquêtrice : Alors ?",
                    encoding="utf-8")
    [doc] = read_file(path, ReadOptions(roles=roles))
    assert [t.role for t in doc.turns] == expected


def test_unknown_role_override_is_refused(tmp_path):
    path = tmp_path / "e.txt"
    path.write_text("Enquêtrice : Bonjour ?\nMme Lefèvre : Bonjour.", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_file(path, ReadOptions(roles={"Mme Lefèvre": "témoin"}))
    assert str(err.value) == (
        "e.txt : rôle « témoin » inconnu : utilisez interviewer, usager, participant ou unknown")
