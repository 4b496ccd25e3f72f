"""No network: the whole demo pipeline runs with sockets forbidden, in-process.

`demo_build` (tests/conftest.py) runs `build_demo` -- ingest and pseudonymise, automatic
suggestions, two coders, acceptance, topics, agreement, the four reports -- inside
`forbid_network()`, which makes `socket.socket.connect`, `socket.create_connection`,
`socket.getaddrinfo` (and friends) raise. Built once per session, shared with test_demo.py;
here: the guard really blocks, every stage ran and finished under it, and the parts that could
reach for the network (model loading, Presidio, BERTopic, report writing) do not even try.
"""

from __future__ import annotations

import socket
import urllib.request

import pytest
from conftest import NetworkForbidden, forbid_network

from listening.store import counts, runs_frame

WAYS_OUT = {
    "connect": lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).connect(
        ("192.0.2.1", 443)),
    "create_connection": lambda: socket.create_connection(("example.org", 443), timeout=1),
    "getaddrinfo": lambda: socket.getaddrinfo("huggingface.co", 443),
    "urlopen": lambda: urllib.request.urlopen("https://huggingface.co/", timeout=1),
}


@pytest.mark.parametrize("way", list(WAYS_OUT))
def test_the_guard_blocks_every_way_out(way):
    with forbid_network(), pytest.raises(NetworkForbidden):
        WAYS_OUT[way]()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["ingest", "suggest", "topics"])
def test_every_stage_of_the_demo_ran_and_finished_offline(demo_build, kind):
    runs = runs_frame(demo_build.project, kind=kind)
    assert len(runs) >= 1 and set(runs["status"]) == {"done"}
    c = counts(demo_build.project)
    assert c["documents"] > 400 and c["segments"] > 1000
    assert c["suggestions"] > 0 and c["codings"] > 0
    assert demo_build.ingest.failed == []


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".docx", ".xlsx", ".qdpx", ".qdc"])
def test_the_reports_were_written_offline(demo_build, suffix):
    [path] = [p for p in demo_build.reports if p.suffix == suffix]
    assert path.stat().st_size > 1000


@pytest.mark.slow
@pytest.mark.parametrize("step", ["pseudonymise", "autocode", "topics"])
def test_no_library_even_tries_the_network(step, monkeypatch, tmp_path):
    """Attempts are recorded, not just refused: a library that caught the refusal and went on
    (a fetch with a fallback) would pass the demo test and still fail here."""
    attempts: list[tuple] = []

    def record(*args, **kwargs):
        attempts.append(args[:2])
        raise NetworkForbidden("accès réseau interdit pendant les tests")

    for target in ("socket.socket.connect", "socket.socket.connect_ex",
                   "socket.create_connection", "socket.getaddrinfo", "socket.gethostbyname"):
        monkeypatch.setattr(target, record)
    text = ("Mme Fontaine a écrit à claire.fontaine@example.org depuis https://www.caf.fr ; "
            "elle attend depuis mars une réponse de la CAF sur son dossier d'allocation.")
    if step == "pseudonymise":
        from listening.pseudonymise import Pseudonymiser, PseudonymRegistry

        masked, _ = Pseudonymiser().pseudonymise_text(text, PseudonymRegistry(b"cle"))
        assert "Fontaine" not in masked
    elif step == "autocode":
        from listening.nlp import analyse

        assert analyse([text])[0].lemmas
    else:
        from listening.topics import TopicParams, fit_topics, prepare

        words = ("retraite", "pension", "carrière", "versement", "naissance", "crèche")
        texts = [f"{w} : le dossier est resté à la caisse, attente et courrier sans réponse"
                 for w in words * 20]
        lemmas, embeddings = prepare(texts, TopicParams())
        result = fit_topics([f"s{i}" for i in range(len(texts))], lemmas, embeddings,
                            TopicParams(), group="test")
        assert len(result.topics) >= 1
    assert attempts == []
