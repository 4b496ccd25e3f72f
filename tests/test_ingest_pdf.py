"""PDF transcripts: the text layer, page furniture, hyphenation, scanned and damaged files."""

import pytest

from listening.errors import InputError
from listening.ingest import read_file
from listening.ingest.pdf import clean_pages


def test_pdf_text_layer_becomes_turns(write_pdf):
    path = write_pdf([[
        "Enquêteur : Bonjour madame, vous avez reçu le courrier de",
        "la caisse de retraite ?",
        "Mme Lefèvre : Non, jamais. J'ai dû rappeler l'adminis-",
        "tration trois fois (en vain).",
    ]])
    [doc] = read_file(path)
    assert [(t.speaker, t.role, t.text) for t in doc.turns] == [
        ("Enquêteur", "interviewer",
         "Bonjour madame, vous avez reçu le courrier de la caisse de retraite ?"),
        ("Mme Lefèvre", "usager",
         "Non, jamais. J'ai dû rappeler l'administration trois fois (en vain)."),
    ]
    assert doc.source_format == "pdf"


def test_pdf_running_headers_footers_and_page_numbers_are_dropped(write_pdf):
    header = "Mission d'inspection — entretien E05 — confidentiel"
    pages = [
        [header, "Enquêtrice : Comment s'est passée", "la demande ?", "Page 1 sur 3"],
        [header, "M. Girard : Mal. Le site plantait", "tout le temps.", "Page 2 sur 3"],
        [header, "Enquêtrice : Et le téléphone ?", "M. Girard : Occupé.", "Page 3 sur 3"],
    ]
    [doc] = read_file(write_pdf(pages))
    assert [(t.speaker, t.text) for t in doc.turns] == [
        ("Enquêtrice", "Comment s'est passée la demande ?"),
        ("M. Girard", "Mal. Le site plantait tout le temps."),
        ("Enquêtrice", "Et le téléphone ?"),
        ("M. Girard", "Occupé."),
    ]


@pytest.mark.parametrize(
    "pages, expected",
    [
        ([["un rendez-", "vous manqué"]], "un rendez-vous manqué"),
        ([["il faut peut-", "être attendre"]], "il faut peut-être attendre"),
        ([["la régulari-", "sation du dossier"]], "la régularisation du dossier"),
        ([["à Saint-", "Étienne"]], "à Saint-\nÉtienne"),
        ([["texte", "12"], ["suite", "- 13 -"]], "texte\nsuite"),
    ],
)
def test_clean_pages(pages, expected):
    assert clean_pages(["\n".join(p) for p in pages]) == expected


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "aucun texte extractible (PDF scanné ?) : lancez une reconnaissance de "
               "caractères (OCR) puis réessayez"),
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "fichier PDF endommagé ou illisible : "
         "ouvrez-le et enregistrez-le à nouveau en PDF, puis réessayez"),
        (b"Ceci n'est pas un PDF", "fichier PDF endommagé ou illisible : ouvrez-le et "
         "enregistrez-le à nouveau en PDF, puis réessayez"),
        (b"", "fichier vide : aucun texte à lire ; vérifiez que c'est le bon fichier et qu'il "
              "a été enregistré"),
    ],
    ids=["scanned", "truncated", "not-pdf", "empty"],
)
def test_pdf_bad_files(write_pdf, content, message):
    path = write_pdf([[], []], name="scan.pdf")  # pages without any text: a scan
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as err:
        read_file(path, name="lot/scan.pdf")
    assert str(err.value) == f"lot/scan.pdf : {message}"


@pytest.mark.parametrize("user_password, readable", [("secret", False), ("", True)])
def test_pdf_password(write_pdf, user_password, readable):
    from pypdf import PdfReader, PdfWriter

    path = write_pdf([["Enquêteur : Bonjour ?", "Mme Roux : Bonjour."]], name="e.pdf")
    writer = PdfWriter(clone_from=PdfReader(path))
    writer.encrypt(user_password=user_password, owner_password="proprietaire",
                   algorithm="AES-128")
    with path.open("wb") as handle:
        writer.write(handle)
    if readable:  # only an owner password: opens without asking
        assert [t.speaker for t in read_file(path)[0].turns] == ["Enquêteur", "Mme Roux"]
        return
    with pytest.raises(InputError) as err:
        read_file(path)
    assert str(err.value) == ("e.pdf : PDF protégé par un mot de passe : enregistrez-le sans "
                              "mot de passe puis réessayez")
