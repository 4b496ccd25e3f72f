"""A corpus of broken inputs for the hardening tests, written deterministically from a seed.

    .venv/bin/python tests/malformed.py DIR [--seed 7]

`generate(folder, seed)` writes a few hundred files under `folder` -- truncated and corrupted
docx/odt/xlsx packages, password-protected files (an OLE2 container under .docx/.xlsx), old
Word/Excel binaries, binary data under text suffixes, empty and whitespace-only files, wrong
and mixed encodings, PDFs without a text layer or damaged, broken VTT/SRT timestamps, CSVs with
missing columns or ragged rows, huge single lines, deeply nested tables, a manifest naming an
unknown journey -- plus a few good files mixed in, and returns one `Case` per file saying what
ingesting it must give. Every text is invented.
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FAIL, OK, ANY, IGNORED, SKIPPED = "fail", "ok", "any", "ignored", "skipped"


@dataclass(frozen=True)
class Case:
    """One file of the corpus and the outcome ingesting it must have."""

    name: str  # path relative to the corpus folder, "/"-separated
    family: str  # what kind of damage, e.g. "docx-tronque"
    expect: str  # FAIL, OK, ANY (a clear failure or a document), IGNORED or SKIPPED
    reason: str = ""  # a fragment of the French reason, when it must fail
    contains: str = ""  # a fragment of the stored text, when it must be ingested
    absent: str = ""  # a fragment the stored text must not hold (mojibake, a leaked file)


# --- invented French material -----------------------------------------------------------

SPEAKERS = ("Enquêtrice", "Usager")
SENTENCES = (  # each mentions "dossier": the word checked in what good files store
    "J'ai envoyé mon dossier à la caisse en mars et je n'ai eu aucune réponse.",
    "Pour mon dossier, la conseillère m'a demandé trois fois le même justificatif.",
    "Sur le site, le dossier de déclaration plantait à la dernière étape.",
    "Au téléphone on attend quarante minutes avant que quelqu'un ouvre le dossier.",
    "Heureusement, à France services, une personne m'a aidée à remplir le dossier.",
    "Je ne savais pas que mon dossier ouvrait droit à l'allocation de soutien familial.",
    "Le premier versement est arrivé deux mois après le dépôt du dossier.",
    "Il faudrait un seul interlocuteur qui suive le dossier du début à la fin.",
    "Les délais de traitement du dossier ne sont jamais annoncés clairement.",
    "J'ai dû relancer mon dossier par courrier recommandé pour avoir une réponse écrite.",
)
def sentence(rng: random.Random) -> str:
    return rng.choice(SENTENCES)


def transcript(rng: random.Random, turns: int = 6) -> str:
    """A short interview: alternating labelled turns of one or two sentences."""
    out = []
    for i in range(turns):
        text = " ".join(sentence(rng) for _ in range(rng.randint(1, 2)))
        out.append(f"{SPEAKERS[i % 2]} : {text}")
    return "\n\n".join(out) + "\n"


# --- valid packages, built in memory ----------------------------------------------------


def docx_bytes(rng: random.Random, turns: int = 6, nested: int = 0) -> bytes:
    """A Word file with labelled paragraphs; `nested` tables inside each other at the end."""
    import docx

    document = docx.Document()
    for line in transcript(rng, turns).strip().split("\n\n"):
        document.add_paragraph(line)
    if nested:
        cell = document.add_table(rows=1, cols=1).cell(0, 0)
        for depth in range(nested):
            cell.paragraphs[0].text = f"Niveau {depth} : {sentence(rng)}"
            cell = cell.add_table(rows=1, cols=1).cell(0, 0)
        cell.paragraphs[0].text = "Fond du tableau : dernière cellule."
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" office:version="1.2"'
)
ODT_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
    '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type='
    '"application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path='
    '"content.xml" manifest:media-type="text/xml"/>{extra}</manifest:manifest>'
)


def odt_content(body: str, kind: str = "text") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {ODT_NS}>'
            f"<office:body><office:{kind}>{body}</office:{kind}></office:body>"
            "</office:document-content>").encode()


def odt_bytes(rng: random.Random, turns: int = 6, nested: int = 0, content: bytes | None = None,
              manifest_extra: str = "", omit: tuple[str, ...] = ()) -> bytes:
    """An OpenDocument text built by hand (the format is a zip of XML parts)."""
    if content is None:
        paragraphs = "".join(f"<text:p>{_xml(line)}</text:p>"
                             for line in transcript(rng, turns).strip().split("\n\n"))
        table = "<text:p>Fond du tableau : dernière cellule.</text:p>"
        for depth in reversed(range(nested)):
            table = (f"<table:table><table:table-row><table:table-cell><text:p>Niveau {depth} : "
                     f"{_xml(sentence(rng))}</text:p>{table}</table:table-cell></table:table-row>"
                     "</table:table>")
        content = odt_content(paragraphs + (table if nested else ""))
    parts = {
        "mimetype": b"application/vnd.oasis.opendocument.text",
        "content.xml": content,
        "META-INF/manifest.xml": ODT_MANIFEST.format(extra=manifest_extra).encode(),
    }
    return _zip({k: v for k, v in parts.items() if k not in omit})


def xlsx_bytes(rows: list[list[object]], sheets: int = 1) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for index in range(sheets):
        sheet = book.active if index == 0 else book.create_sheet(f"Feuille {index + 1}")
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def verbatim_rows(rng: random.Random, n: int = 5) -> list[list[object]]:
    prefix = f"X{rng.randrange(16**6):06x}-"  # ids unique across the corpus's spreadsheets
    return [["id", "parcours", "verbatim"]] + [
        [f"{prefix}{i:03d}", "retraite", " ".join(sentence(rng) for _ in range(2))]
        for i in range(n)
    ]


def pdf_bytes(page_streams: list[bytes], font: bool = True) -> bytes:
    """A PDF with one page per content stream, xref offsets computed."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(page_streams)))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(page_streams)} >>")
    font_ref = 3 + 2 * len(page_streams)
    resources = f"/Resources << /Font << /F1 {font_ref} 0 R >> >>" if font else ""
    bodies: list[bytes] = []
    for i, stream in enumerate(page_streams):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] {resources} "
                       f"/Contents {4 + 2 * i} 0 R >>")
        objects.append(None)  # the stream, below
        bodies.append(stream)
    if font:
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets, streams = [], iter(bodies)
    for number, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        if obj is None:
            data = next(streams)
            out.write(f"{number} 0 obj\n<< /Length {len(data)} >>\nstream\n".encode()
                      + data + b"\nendstream\nendobj\n")
        else:
            out.write(f"{number} 0 obj\n{obj}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode())
    return out.getvalue()


def pdf_text_stream(lines: list[str]) -> bytes:
    ops = ["BT", "/F1 11 Tf", "14 TL", "50 800 Td"]
    for line in lines:
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({safe}) Tj T*")
    ops.append("ET")
    return "\n".join(ops).encode("cp1252", errors="replace")


def ole2_bytes(rng: random.Random, stream_name: str, size: int = 8192) -> bytes:
    """A Compound File Binary header and a directory naming `stream_name`, random payload:
    what Office writes for a password-protected .docx/.xlsx or an old .doc/.xls."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[24:34] = struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9) + b"\x06\x00"
    entry = bytearray(128)
    name = stream_name.encode("utf-16-le") + b"\x00\x00"
    entry[: len(name)] = name
    entry[64:66] = struct.pack("<H", len(name))
    entry[66] = 2
    payload = bytes(rng.getrandbits(8) for _ in range(size - 512 - 128))
    return bytes(header) + bytes(entry) + payload


# --- damage -----------------------------------------------------------------------------


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    return buffer.getvalue()


def _unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def replaced(data: bytes, part: str, new: bytes | None) -> bytes:
    """The package with one part replaced (or removed when `new` is None)."""
    parts = _unzip(data)
    if new is None:
        parts.pop(part)
    else:
        parts[part] = new
    return _zip(parts)


def truncated(data: bytes, fraction: float) -> bytes:
    return data[: max(1, int(len(data) * fraction))]


def flipped(rng: random.Random, data: bytes, count: int, start: int = 0,
            end: int | None = None) -> bytes:
    out = bytearray(data)
    end = len(data) if end is None else end
    for _ in range(count):
        at = rng.randrange(start, end)
        out[at] ^= rng.randrange(1, 256)
    return bytes(out)


def part_span(data: bytes, part: str) -> tuple[int, int]:
    """Where a part's compressed bytes lie inside the package."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(part)
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:
                                                   info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    return start, start + info.compress_size


def corrupted_part(rng: random.Random, data: bytes, part: str, count: int) -> bytes:
    """Bytes flipped inside one part's compressed data: a CRC or inflate error on read."""
    start, end = part_span(data, part)
    return flipped(rng, data, count, start, end)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- the corpus -------------------------------------------------------------------------

DAMAGED = {"docx": "fichier Word endommagé", "odt": "fichier OpenDocument endommagé",
           "xlsx": "fichier Excel endommagé"}
MAIN_PART = {"docx": "word/document.xml", "odt": "content.xml", "xlsx": "xl/worksheets/sheet1.xml"}
PROTECTED = "protégé par un mot de passe"
NOT_TEXT = "ne semble pas être un fichier texte"
EMPTY = "fichier vide"
BAD_TIME = "horodatage invalide"


class Corpus:
    def __init__(self, folder: Path, seed: int):
        self.folder = Path(folder)
        self.rng = random.Random(seed)
        self.cases: list[Case] = []

    def add(self, name: str, data: bytes | str, family: str, expect: str, reason: str = "",
            contains: str = "", absent: str = "") -> None:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.cases.append(Case(name, family, expect, reason, contains, absent))

    def package(self, fmt: str) -> bytes:
        if fmt == "docx":
            return docx_bytes(self.rng)
        if fmt == "odt":
            return odt_bytes(self.rng)
        return xlsx_bytes(verbatim_rows(self.rng))


def _packages(c: Corpus) -> None:
    rng = c.rng
    for fmt in ("docx", "odt", "xlsx"):
        good = c.package(fmt)
        c.add(f"{fmt}/valide.{fmt}", good, f"{fmt}-valide", OK, contains="dossier")
        fractions = sorted({round(rng.uniform(0.02, 0.98), 3) for _ in range(18)})
        for i, fraction in enumerate(fractions):
            c.add(f"{fmt}/tronque-{i:02d}.{fmt}", truncated(good, fraction), f"{fmt}-tronque",
                  FAIL, DAMAGED[fmt])
        for i in range(10):
            data = corrupted_part(rng, good, MAIN_PART[fmt], rng.randint(1, 40))
            c.add(f"{fmt}/corrompu-{i:02d}.{fmt}", data, f"{fmt}-corrompu", FAIL, DAMAGED[fmt])
        for i in range(10):  # anywhere in the package: some flips hit unused parts
            data = flipped(rng, good, rng.randint(1, 60), 0, len(good))
            c.add(f"{fmt}/octets-{i:02d}.{fmt}", data, f"{fmt}-octets", ANY)
        main = MAIN_PART[fmt]
        c.add(f"{fmt}/sans-contenu.{fmt}", replaced(good, main, None), f"{fmt}-sans-partie",
              FAIL, DAMAGED[fmt])
        c.add(f"{fmt}/xml-invalide.{fmt}", replaced(good, main, b"<?xml version='1.0'?><a><b>"),
              f"{fmt}-xml", FAIL, DAMAGED[fmt])
        c.add(f"{fmt}/xml-vide.{fmt}", replaced(good, main, b""), f"{fmt}-xml", FAIL, DAMAGED[fmt])
        c.add(f"{fmt}/pas-du-xml.{fmt}", replaced(good, main, bytes(range(256)) * 8),
              f"{fmt}-xml", FAIL, DAMAGED[fmt])
        c.add(f"{fmt}/zip-vide.{fmt}", b"PK\x05\x06" + b"\x00" * 18, f"{fmt}-zip-vide", FAIL,
              DAMAGED[fmt])
        c.add(f"{fmt}/zip-etranger.{fmt}", _zip({"photo.jpg": b"\xff\xd8\xff" + b"x" * 500}),
              f"{fmt}-zip-etranger", FAIL, DAMAGED[fmt])
        c.add(f"{fmt}/vide.{fmt}", b"", f"{fmt}-vide", FAIL, EMPTY)
        c.add(f"{fmt}/nuls.{fmt}", b"\x00" * 4096, f"{fmt}-vide", FAIL, EMPTY)
        c.add(f"{fmt}/texte.{fmt}", transcript(rng), f"{fmt}-texte", FAIL, DAMAGED[fmt])
        c.add(f"{fmt}/aleatoire.{fmt}", bytes(rng.getrandbits(8) for _ in range(5000)),
              f"{fmt}-aleatoire", FAIL, DAMAGED[fmt])
        if fmt != "odt":
            c.add(f"{fmt}/mot-de-passe.{fmt}", ole2_bytes(rng, "EncryptedPackage"),
                  f"{fmt}-protege", FAIL, PROTECTED)
            c.add(f"{fmt}/mot-de-passe-2.{fmt}", ole2_bytes(rng, "EncryptionInfo") +
                  "EncryptedPackage".encode("utf-16-le"), f"{fmt}-protege", FAIL, PROTECTED)
    # the other families' packages under the wrong suffix
    c.add("docx/classeur.docx", c.package("xlsx"), "docx-autre-format", FAIL, DAMAGED["docx"])
    c.add("xlsx/document.xlsx", c.package("docx"), "xlsx-autre-format", FAIL, DAMAGED["xlsx"])
    c.add("docx/ancien-word.docx", ole2_bytes(rng, "WordDocument"), "docx-ancien", FAIL,
          "ancien format Word")
    c.add("xlsx/ancien-excel.xlsx", ole2_bytes(rng, "Workbook"), "xlsx-ancien", FAIL,
          "ancien format Excel")
    c.add("odt/chiffre.odt", odt_bytes(rng, manifest_extra="<manifest:encryption-data/>"),
          "odt-protege", FAIL, PROTECTED)
    c.add("odt/tableur.odt", odt_bytes(rng, content=odt_content("<table:table/>", "spreadsheet")),
          "odt-autre-format", FAIL, "n'est pas un texte")
    c.add("odt/sans-manifeste.odt", odt_bytes(rng, omit=("META-INF/manifest.xml",)),
          "odt-sans-manifeste", OK, contains="dossier")
    # an XML bomb and an external entity: never expanded, never read
    bomb = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
            + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'
                      for i in range(8))
            + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
              'main"><w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p></w:body></w:document>')
    good = c.package("docx")
    c.add("docx/bombe-xml.docx", replaced(good, "word/document.xml", bomb.encode()),
          "docx-entites", ANY)
    xxe = ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           "<w:body><w:p><w:r><w:t>Usager : &x; fin.</w:t></w:r></w:p></w:body></w:document>")
    c.add("docx/entite-externe.docx", replaced(good, "word/document.xml", xxe.encode()),
          "docx-entites", ANY, absent="root:")
    odt_xxe = odt_content('<text:p>Usager : &x; fin.</text:p>').replace(
        b"<office:document-content",
        b'<!DOCTYPE o [<!ENTITY x SYSTEM "file:///etc/passwd">]><office:document-content', 1)
    c.add("odt/entite-externe.odt", odt_bytes(rng, content=odt_xxe), "odt-entites", ANY,
          absent="root:")
    # valid files without any text
    import docx

    empty = io.BytesIO()
    docx.Document().save(empty)
    c.add("docx/sans-texte.docx", empty.getvalue(), "docx-sans-texte", FAIL, EMPTY)
    c.add("odt/sans-texte.odt", odt_bytes(rng, content=odt_content("<text:p/>")), "odt-sans-texte",
          FAIL, EMPTY)
    c.add("xlsx/feuille-vide.xlsx", xlsx_bytes([]), "xlsx-vide", FAIL, "tableau vide")
    c.add("xlsx/entete-seule.xlsx", xlsx_bytes([["id", "verbatim"]]), "xlsx-entete", FAIL,
          "aucune ligne avec du texte")
    c.add("xlsx/nombres.xlsx", xlsx_bytes([["a", "b"], [1, 2], [3, 4]]), "xlsx-nombres", FAIL,
          "aucune colonne de texte")
    c.add("xlsx/deux-feuilles.xlsx", xlsx_bytes(verbatim_rows(rng), sheets=2), "xlsx-feuilles",
          OK, contains="dossier")


def _nested(c: Corpus) -> None:
    for depth in (3, 20, 60, 120, 400):
        expect = OK if depth <= 20 else ANY
        c.add(f"imbrique/tableaux-{depth}.docx", docx_bytes(c.rng, 2, nested=depth),
              "docx-imbrique", expect, contains="dernière cellule" if expect == OK else "")
        c.add(f"imbrique/tableaux-{depth}.odt", odt_bytes(c.rng, 2, nested=depth),
              "odt-imbrique", expect, contains="dernière cellule" if expect == OK else "")
    lists = "<text:list><text:list-item>" * 300 + "<text:p>Usager : liste profonde.</text:p>" + \
        "</text:list-item></text:list>" * 300
    c.add("imbrique/listes-300.odt", odt_bytes(c.rng, content=odt_content(lists)),
          "odt-imbrique", ANY)


TEXT_SUFFIXES = ("txt", "md", "vtt", "srt", "csv")
WHITESPACE = {
    "vide": b"",
    "espaces": b"   ",
    "lignes": b"\n\n\n\n",
    "melange": b" \t\r\n \t\r\n",
    "insecable": "\u00a0\u00a0\n\u202f".encode(),
    "bom": codecs.BOM_UTF8,
    "bom-espaces": codecs.BOM_UTF8 + b"  \n ",
    "bom-utf16": codecs.BOM_UTF16_LE + " \n".encode("utf-16-le"),
    "saut-de-page": b"\x0c\n\x0b",
}


def _text_files(c: Corpus) -> None:
    rng = c.rng
    for suffix in (*TEXT_SUFFIXES, "pdf"):
        for label, data in WHITESPACE.items():
            reason = EMPTY if suffix in ("txt", "md") or not data.strip() else ""
            c.add(f"vides/{label}.{suffix}", data, f"{suffix}-vide", FAIL, reason)
    binaries = {
        "image-png": b"\x89PNG\r\n\x1a\n" + bytes(rng.getrandbits(8) for _ in range(3000)),
        "image-jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(rng.getrandbits(8)
                                                                  for _ in range(3000)),
        "archive-gzip": gzip.compress(transcript(rng).encode() * 20, mtime=0),
        "executable": b"\x7fELF\x02\x01\x01\x00" + bytes(rng.getrandbits(8) for _ in range(3000)),
        "aleatoire": bytes(rng.getrandbits(8) for _ in range(4000)),
        "sqlite": b"SQLite format 3\x00" + bytes(4080),
        "word": docx_bytes(rng),
        "zlib": zlib.compress(transcript(rng).encode()),
        "nuls-au-milieu": transcript(rng).encode() + b"\x00" * 400 + transcript(rng).encode(),
    }
    for label, data in binaries.items():
        for suffix in TEXT_SUFFIXES:
            c.add(f"binaires/{label}.{suffix}", data, f"{suffix}-binaire", FAIL, NOT_TEXT)
    # high bytes only (no NUL): not text either, whatever legacy code page could decode them
    high = bytes(rng.randrange(0x80, 0x100) for _ in range(4000))
    for suffix in ("txt", "md"):
        c.add(f"binaires/octets-hauts.{suffix}", high, f"{suffix}-binaire", ANY)
    text = transcript(rng, 8)
    for encoding in ("cp1252", "latin-1", "mac_roman", "cp850", "utf-16", "utf-16-be",
                     "utf-8-sig", "utf-32"):
        c.add(f"encodages/{encoding}.txt", text.encode(encoding), "txt-encodage", OK,
              contains="Enquêtrice", absent="Ã")
    c.add("encodages/utf-16-le-sans-bom.txt", text.encode("utf-16-le"), "txt-encodage", OK,
          contains="Enquêtrice", absent="Ã")
    mixed = (transcript(rng, 3).encode("utf-8") + transcript(rng, 3).encode("cp1252"))
    c.add("encodages/melange-utf8-cp1252.txt", mixed, "txt-encodage-mixte", OK,
          contains="Enquêtrice", absent="Ã")
    lines = [line for line in text.split("\n") if line]
    c.add("encodages/melange-lignes.md", b"\n\n".join(
        line.encode("utf-8" if i % 2 else "latin-1") for i, line in enumerate(lines)),
        "md-encodage-mixte", OK, contains="Enquêtrice", absent="Ã")
    c.add("encodages/bom-utf8-faux.txt", codecs.BOM_UTF8 + text.encode("cp1252"),
          "txt-encodage-faux", FAIL, NOT_TEXT)
    c.add("encodages/bom-utf16-impair.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le") + b"x",
          "txt-encodage-faux", FAIL, NOT_TEXT)
    c.add("encodages/utf16-tronque.vtt", codecs.BOM_UTF16_LE + b"W\x00E\x00B", "vtt-encodage-faux",
          FAIL, NOT_TEXT)
    # huge single lines: stored, in reasonable time
    line = " ".join(sentence(rng) for _ in range(4 * 1024 * 1024 // 60))
    c.add("enormes/une-ligne-4mo.txt", line, "txt-ligne-enorme", OK, contains="dossier")
    c.add("enormes/un-mot-2mo.md", "Usager : " + "a" * (2 * 1024 * 1024), "md-mot-enorme", OK,
          contains="aaaa")
    c.add("enormes/cellule-2mo.csv", "id;verbatim\nG1;\"" + line[: 2 * 1024 * 1024] + "\"\n",
          "csv-cellule-enorme", OK, contains="dossier")
    c.add("enormes/sous-titre-3mo.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n<v Usager>"
          + line[: 3 * 1024 * 1024] + "\n", "vtt-ligne-enorme", OK, contains="dossier")
    c.add("enormes/beaucoup-de-lignes.txt", "\n".join(f"Usager : {sentence(rng)}"
                                                      for _ in range(20000)),
          "txt-lignes", OK, contains="dossier")
    # a few ordinary files among the broken ones
    c.add("bons/entretien.txt", transcript(rng), "txt-valide", OK, contains="dossier")
    c.add("bons/notes.md", "# Atelier\n\n- " + "\n- ".join(sentence(rng) for _ in range(5)),
          "md-valide", OK, contains="dossier")
    c.add("bons/MAJUSCULES.TXT", transcript(rng), "txt-valide", OK, contains="dossier")
    c.add("bons/accents é à ç.txt", transcript(rng), "txt-valide", OK, contains="dossier")
    c.add("bons/ponctuation.txt", "… ! ? « »", "txt-ponctuation", ANY)
    # files the batch passes over: unsupported suffixes, Office lock files, hidden files
    for name in ("ancien.doc", "notes.rtf", "sans-extension", "image.png", "diapo.pptx"):
        c.add(f"autres/{name}", transcript(rng), "non-pris-en-charge", IGNORED)
    c.add("autres/~$verrou.docx", b"\x0bJean Dupont" + bytes(150), "verrou-office", SKIPPED)
    c.add("autres/.cache.txt", b"\x00\x01", "cache", SKIPPED)


def _pdfs(c: Corpus) -> None:
    rng = c.rng
    good = pdf_bytes([pdf_text_stream([f"{SPEAKERS[i % 2]} : {sentence(rng)}" for i in range(6)])])
    c.add("pdf/valide.pdf", good, "pdf-valide", OK, contains="dossier")
    drawing = b"0.5 g 50 50 200 200 re f 0 0 1 RG 10 w 100 700 m 400 700 l S"
    c.add("pdf/scan-sans-texte.pdf", pdf_bytes([drawing, drawing], font=False), "pdf-sans-texte",
          FAIL, "aucun texte extractible")
    c.add("pdf/texte-vide.pdf", pdf_bytes([b"BT /F1 12 Tf ET"]), "pdf-sans-texte", FAIL,
          "aucun texte extractible")
    for i, fraction in enumerate(sorted({round(rng.uniform(0.05, 0.95), 2) for _ in range(8)})):
        c.add(f"pdf/tronque-{i:02d}.pdf", truncated(good, fraction), "pdf-tronque", ANY)
    for i in range(6):
        c.add(f"pdf/octets-{i:02d}.pdf", flipped(rng, good, rng.randint(1, 30), 20), "pdf-octets",
              ANY)
    c.add("pdf/pas-un-pdf.pdf", transcript(rng), "pdf-texte", FAIL, "PDF endommagé")
    c.add("pdf/entete-seul.pdf", b"%PDF-1.7\n", "pdf-entete", FAIL, "PDF endommagé")
    c.add("pdf/aleatoire.pdf", b"%PDF-1.4\n" + bytes(rng.getrandbits(8) for _ in range(3000)),
          "pdf-aleatoire", FAIL, "PDF endommagé")
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("secret-de-mission", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    c.add("pdf/mot-de-passe.pdf", buffer.getvalue(), "pdf-protege", FAIL, PROTECTED)


VTT_CUE = "{start} --> {end}\n<v Usager>{text}\n"


def _subtitles(c: Corpus) -> None:
    rng = c.rng
    bad_timings = [
        ("fleche-simple", "00:00:01.000 -> 00:00:04.000"),
        ("secondes-75", "00:00:75.000 --> 00:00:80.000"),
        ("minutes-61", "00:61:00.000 --> 00:62:00.000"),
        ("fin-avant-debut", "00:00:09.000 --> 00:00:02.000"),
        ("lettres", "00:aa:01.000 --> 00:00:04.000"),
        ("fin-manquante", "00:00:01.000 --> "),
        ("debut-manquant", " --> 00:00:04.000"),
        ("heures-4-chiffres", "1000:00:01.000 --> 1000:00:04.000"),
        ("separateurs", "00;00;01.000 --> 00;00;04.000"),
        ("negatif", "-00:00:01.000 --> 00:00:04.000"),
    ]
    for fmt in ("vtt", "srt"):
        for label, timing in bad_timings:
            timing = timing.replace(".", ",") if fmt == "srt" else timing
            cues = [f"00:00:0{i}.000 --> 00:00:0{i}.900\n<v Usager>{sentence(rng)}\n"
                    for i in range(3)]
            cues = [q.replace(".", ",", 2) if fmt == "srt" else q for q in cues]
            cues.insert(rng.randrange(len(cues) + 1), f"{timing}\n{sentence(rng)}\n")
            if fmt == "srt":
                body = "\n".join(f"{i}\n{q}" for i, q in enumerate(cues, 1))
            else:
                body = "WEBVTT\n\n" + "\n".join(cues)
            expect = FAIL
            c.add(f"sous-titres/{label}.{fmt}", body, f"{fmt}-horodatage", expect, BAD_TIME)
        c.add(f"sous-titres/sans-bloc.{fmt}", ("WEBVTT\n\n" if fmt == "vtt" else "")
              + "\n\n".join(sentence(rng) for _ in range(3)), f"{fmt}-sans-horodatage", FAIL,
              "sans horodatage")
        c.add(f"sous-titres/blocs-vides.{fmt}", ("WEBVTT\n\n" if fmt == "vtt" else "")
              + "00:00:01.000 --> 00:00:02.000\n\n00:00:03.000 --> 00:00:04.000\n",
              f"{fmt}-vide", FAIL, "aucun sous-titre")
        c.add(f"sous-titres/numeros-seuls.{fmt}", "1\n\n2\n\n3\n", f"{fmt}-numeros", FAIL)
    c.add("sous-titres/entete-seul.vtt", "WEBVTT\n", "vtt-vide", FAIL, "aucun sous-titre")
    c.add("sous-titres/valide.vtt", "WEBVTT\n\n" + "\n".join(
        VTT_CUE.format(start=f"00:00:0{i}.000", end=f"00:00:0{i}.500", text=sentence(rng))
        for i in range(5)), "vtt-valide", OK, contains="dossier")
    c.add("sous-titres/balises-non-fermees.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n"
          "<v Usager><b><i>" + sentence(rng) + "\n", "vtt-balises", OK, contains="dossier")


def _csvs(c: Corpus) -> None:
    rng = c.rng

    def rows(n: int, sep: str = ";") -> str:
        prefix = f"C{rng.randrange(16**6):06x}-"  # ids unique across the corpus's tables
        return "\n".join(f"{prefix}{i}{sep}retraite{sep}{sentence(rng)}" for i in range(n))

    c.add("csv/valide.csv", "id;parcours;verbatim\n" + rows(5), "csv-valide", OK, contains="dossier")
    c.add("csv/entete-seule.csv", "id;parcours;verbatim\n", "csv-entete", FAIL,
          "aucune ligne avec du texte")
    c.add("csv/colonne-absente.csv", "id;parcours;verbatim\n" + rows(3), "csv-colonne", FAIL,
          "colonne « commentaire » introuvable")
    c.add("csv/nombres.csv", "a;b;c\n1;2;3\n4;5;6\n", "csv-nombres", FAIL,
          "aucune colonne de texte")
    c.add("csv/deux-textes.csv", "avis;remarque\n" + "\n".join(
        f"{sentence(rng)};{sentence(rng)}" for _ in range(4)), "csv-ambigu", FAIL,
        "plusieurs colonnes")
    c.add("csv/ids-en-double.csv", "id;verbatim\nA1;" + sentence(rng) + "\nA1;" + sentence(rng),
          "csv-ids", ANY)
    c.add("csv/lignes-courtes.csv", "id;parcours;verbatim\n" + rows(3) + "\nW9\nW10;retraite\n",
          "csv-irregulier", OK, contains="dossier")
    c.add("csv/lignes-longues.csv", "id;parcours;verbatim\n" + rows(3) + "\nY9;retraite;"
          + sentence(rng) + ";en;trop;encore\n", "csv-irregulier", OK, contains="dossier")
    ragged = "id;parcours;verbatim\n" + "\n".join(
        ";".join([f"R{i}", "retraite", sentence(rng)][: rng.randint(1, 3)]
                 + ["x"] * rng.randint(0, 3)) for i in range(30))
    c.add("csv/irregulier-aleatoire.csv", ragged, "csv-irregulier", ANY)
    c.add("csv/guillemet-ouvert.csv", 'id;verbatim\nQ1;"' + sentence(rng) + "\nQ2;"
          + sentence(rng) + "\n", "csv-guillemets", ANY)
    c.add("csv/une-colonne.csv", "verbatim\n" + "\n".join(sentence(rng) for _ in range(4)),
          "csv-une-colonne", OK, contains="dossier")
    c.add("csv/virgules.csv", "id,verbatim\n" + "\n".join(
        f'K{i},"{sentence(rng)}"' for i in range(4)), "csv-virgules", OK, contains="dossier")
    c.add("csv/cp1252.csv", ("id;verbatim\nP1;" + sentence(rng) + " Très déçue.\n")
          .encode("cp1252"), "csv-encodage", OK, contains="déçue")
    c.add("csv/ligne-vide-entete.csv", "\n\n;;\nid;verbatim\nL1;" + sentence(rng),
          "csv-entete", ANY)
    c.add("csv/separateurs-seuls.csv", ";;;\n;;;\n,,,\n", "csv-vide", ANY)


MANIFEST = """\
# Manifeste des fichiers à métadonnées erronées.
- file: manifeste/parcours-inconnu.txt
  journey: parcours.lune
- file: manifeste/etape-inconnue.txt
  journey: parcours.retraite
  stage: etape.retraite.eclipse
- file: manifeste/colonne-texte.csv
  text_column: avis
- file: manifeste/feuille.xlsx
  sheet: Résultats 2026
- file: manifeste/bon.txt
  journey: retraite
  stage: demande
- file: csv/colonne-absente.csv
  text_column: commentaire
"""


def _manifest(c: Corpus) -> None:
    rng = c.rng
    c.add("manifeste/parcours-inconnu.txt", transcript(rng), "manifeste-parcours", FAIL,
          "parcours « parcours.lune » inconnu")
    c.add("manifeste/etape-inconnue.txt", transcript(rng), "manifeste-etape", FAIL,
          "étape « etape.retraite.eclipse » inconnue")
    c.add("manifeste/colonne-texte.csv", "id;verbatim\nM1;" + sentence(rng), "manifeste-colonne",
          FAIL, "colonne « avis » introuvable")
    c.add("manifeste/feuille.xlsx", xlsx_bytes(verbatim_rows(rng)), "manifeste-feuille", FAIL,
          "feuille « Résultats 2026 » introuvable")
    c.add("manifeste/bon.txt", transcript(rng), "manifeste-valide", OK, contains="dossier")
    (c.folder / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")


FAMILIES: tuple[Callable[[Corpus], None], ...] = (
    _packages, _nested, _text_files, _pdfs, _subtitles, _csvs, _manifest)


def generate(folder: Path, seed: int = 7) -> list[Case]:
    """Write the corpus under `folder` (created) and return its cases, in writing order."""
    corpus = Corpus(folder, seed)
    corpus.folder.mkdir(parents=True, exist_ok=True)
    for family in FAMILIES:
        family(corpus)
    return corpus.cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    cases = generate(args.folder, args.seed)
    by_expect: dict[str, int] = {}
    for case in cases:
        by_expect[case.expect] = by_expect.get(case.expect, 0) + 1
    print(f"{len(cases)} fichiers écrits dans {args.folder} : "
          + ", ".join(f"{n} {k}" for k, n in sorted(by_expect.items())))


if __name__ == "__main__":
    main()
