"""WebVTT and SubRip transcripts: voices, prefixes, merging, broken timestamps."""

import pytest

from listening.errors import InputError
from listening.ingest import read_file
from listening.ingest.subtitles import parse_subtitles


def turns(text, fmt="vtt"):
    return [(t.speaker, t.timestamp, t.text) for t in parse_subtitles(text, fmt=fmt)]


TEAMS_VTT = """WEBVTT
Kind: captions
Language: fr

NOTE Exporté depuis Teams
sur deux lignes

STYLE
::cue { color: yellow }

a1b2c3/12-0
00:00:01.000 --> 00:00:03.500
<v Claire Martin>Bonjour, merci d'être là.</v>

a1b2c3/13-0
00:00:03.500 --> 00:00:06.000
<v Claire Martin>Vous pouvez vous présenter ?</v>

a1b2c3/14-0
00:00:06.200 --> 00:00:09.000 align:start position:10%
<v.loud Jean Moreau>Oui, <i>bien sûr</i>. J'ai <c.yellow>58 ans</c>.</v>

00:00:09.000 --> 00:00:11.000
<v Jean Moreau>Et j'attends<00:00:10.000> ma retraite &amp; mes droits.

00:00:11.000 --> 00:00:13.000
<v Claire Martin>Depuis quand ?
"""


def test_vtt_voice_tags_merge_consecutive_cues_of_one_speaker():
    assert turns(TEAMS_VTT) == [
        ("Claire Martin", "00:00:01.000", "Bonjour, merci d'être là. Vous pouvez vous présenter ?"),
        ("Jean Moreau", "00:00:06.200",
         "Oui, bien sûr. J'ai 58 ans. Et j'attends ma retraite & mes droits."),
        ("Claire Martin", "00:00:11.000", "Depuis quand ?"),
    ]


def test_vtt_file_roles(tmp_path):
    path = tmp_path / "reunion.vtt"
    path.write_text(TEAMS_VTT, encoding="utf-8")
    [doc] = read_file(path)
    assert [t.role for t in doc.turns] == ["interviewer", "usager", "interviewer"]
    assert doc.source_format == "vtt"


def test_vtt_name_prefixes_zoom_style():
    text = ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nEnquêtrice: Bonjour ?\n\n"
            "2\n00:00:02.000 --> 00:00:04.000\nSonia Haddad: Bonjour.\n\n"
            "3\n00:00:04.000 --> 00:00:05.000\nSonia Haddad: Je viens pour le RSA.\n\n"
            "4\n00:00:05.000 --> 00:00:06.000\nEnquêtrice: D'accord.\n")
    assert turns(text) == [
        ("Enquêtrice", "00:00:01.000", "Bonjour ?"),
        ("Sonia Haddad", "00:00:02.000", "Bonjour. Je viens pour le RSA."),
        ("Enquêtrice", "00:00:05.000", "D'accord."),
    ]


def test_vtt_without_speakers_groups_cues_into_sentences():
    text = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nIl est difficile de joindre\n\n"
            "00:00:02.000 --> 00:00:03.000\nla caisse par téléphone.\n\n"
            "00:00:08.000 --> 00:00:09.000\nEnsuite : le site.\n")
    assert turns(text) == [
        ("", "00:00:01.000", "Il est difficile de joindre la caisse par téléphone."),
        ("", "00:00:08.000", "Ensuite : le site."),
    ]


def test_vtt_several_voices_in_one_cue():
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Anne>Ça va ?</v> <v Bruno>Oui.</v>\n"
    assert turns(text) == [("Anne", "00:00:01.000", "Ça va ?"), ("Bruno", "00:00:01.000", "Oui.")]


SRT = """1
00:00:01,000 --> 00:00:03,000
Enquêteur : Tu as quel âge ?

2
00:00:03,200 --> 00:00:05,000
Dylan : Dix-neuf ans.

3
00:00:05,000 --> 00:00:07,000
Dylan : J'habite à Aubusson,
<i>tout au bout</i>.

4
00:00:07,500 --> 00:00:09,000
- Et la mission locale ?
- J'y vais le mardi.

5
00:00:09,000 --> 00:00:10,000
{\\an8}Enfin, quand le bus passe.
"""


def test_srt_names_dashes_and_merging():
    assert turns(SRT, "srt") == [
        ("Enquêteur", "00:00:01,000", "Tu as quel âge ?"),
        ("Dylan", "00:00:03,200", "Dix-neuf ans. J'habite à Aubusson, tout au bout."),
        ("", "00:00:07,500", "Et la mission locale ?"),
        ("", "00:00:07,500", "J'y vais le mardi. Enfin, quand le bus passe."),
    ]


def test_srt_missing_blank_line_between_cues():
    text = ("1\n00:00:01,000 --> 00:00:02,000\nAnne : Bonjour ?\n2\n00:00:02,000 --> "
            "00:00:03,000\nBruno : Bonjour.\n\n3\n00:00:03,000 --> 00:00:04,000\nAnne : Bien ?\n")
    assert turns(text, "srt") == [("Anne", "00:00:01,000", "Bonjour ?"),
                                  ("Bruno", "00:00:02,000", "Bonjour."),
                                  ("Anne", "00:00:03,000", "Bien ?")]


VTT_EXAMPLE = "00:01:02.500 --> 00:01:04.000"
SRT_EXAMPLE = "00:01:02,500 --> 00:01:04,000"


@pytest.mark.parametrize(
    "fmt, text, line, shown",
    [
        ("vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nBonjour\n\n00:00:02.000 -> 00:00:03.000"
                "\nSuite\n", 6, "00:00:02.000 -> 00:00:03.000"),
        ("vtt", "WEBVTT\n\n00:00:01.000 --> \nBonjour\n", 3, "00:00:01.000 -->"),
        ("vtt", "WEBVTT\n\n00:00:61.000 --> 00:00:62.000\nBonjour\n", 3,
         "00:00:61.000 --> 00:00:62.000"),
        ("vtt", "WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nBonjour\n", 3,
         "00:00:05.000 --> 00:00:02.000"),
        ("srt", "1\n00:00:01,000 --> 00:00:02,000\nBonjour\n\n2\nabc --> def\nSuite\n", 6,
         "abc --> def"),
        ("srt", "1\n00:00:01,000 - 00:00:02,000\nBonjour\n", 2, "00:00:01,000 - 00:00:02,000"),
        ("srt", "1\nBonjour\n", 2, "Bonjour"),
    ],
    ids=["arrow", "no-end", "seconds-61", "end-before-start", "letters", "dash", "no-timing"],
)
def test_broken_timestamps_name_the_line(tmp_path, fmt, text, line, shown):
    path = tmp_path / f"entretien.{fmt}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_file(path)
    example = VTT_EXAMPLE if fmt == "vtt" else SRT_EXAMPLE
    assert str(err.value) == (
        f"entretien.{fmt}, ligne {line} : horodatage invalide : « {shown} » ; attendu par "
        f"exemple {example} (corrigez cette ligne ou exportez à nouveau les sous-titres)"
    )
    assert err.value.line == line


@pytest.mark.parametrize("text", ["WEBVTT\n\nNOTE rien\n", "WEBVTT\n",
                                  "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n"])
def test_vtt_without_any_cue_text(tmp_path, text):
    path = tmp_path / "vide.vtt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_file(path)
    assert str(err.value) == (
        "vide.vtt : aucun sous-titre trouvé : le fichier ne contient aucun bloc horodaté avec du "
        "texte (attendu par exemple 00:01:02.500 --> 00:01:04.000 suivi du texte)")
