"""The Streamlit explorer: every page run with AppTest on the tiny project of conftest.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from listening import explorer
from listening.model import Coding, Document, RawTurn, build_document
from listening.store import (
    add_codings,
    codebook_history,
    current_codebook,
    get_codings,
    mark_reviewed,
    memos_frame,
    runs_frame,
    set_memo,
)

APP = Path(__file__).resolve().parents[1] / "app.py"
TIMEOUT = 60


def open_page(page: str | None, coder: str | None = "alice", **query) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if coder:
        at.session_state["coder"] = coder
    at.run()
    if page:
        at.query_params.update(query)
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def html(at: AppTest) -> str:
    return "\n".join(texts(at.html))


# --- the router -------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["absent"])
def test_missing_project_says_how_to_build_the_demo(tmp_path, monkeypatch, folder):
    monkeypatch.setenv("LISTENING_PROJECT", str(tmp_path / folder))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    assert texts(at.error) == [
        f"Aucun projet listening dans « {tmp_path / folder} ». Pour découvrir l'outil, "
        "construisez le projet de démonstration avec « listening demo » puis relancez "
        "« listening app » ; pour un autre projet : « listening app --project DOSSIER »."]


@pytest.mark.parametrize("name", ["Camille"])
def test_the_coder_is_chosen_once_in_the_sidebar(app_project, name):
    at = open_page("codage", coder=None)
    assert "Choisissez d'abord votre nom" in texts(at.info)[0]
    at.sidebar.text_input[0].input(name)
    at.sidebar.button[0].click().run()
    assert at.session_state["coder"] == name
    assert f"Vous codez en tant que **{name}**." in texts(at.sidebar.markdown)
    assert texts(at.title) == ["Codage"] and not at.info


# --- Vue d'ensemble -------------------------------------------------------------------


@pytest.mark.parametrize("expected", [{"Documents": "3", "Segments": "7", "Codages": "10",
                                       "Suggestions en attente": "2", "Codeurs": "2"}])
def test_overview_counts_and_progress_per_coder(app_project, expected):
    at = open_page("vue_ensemble")
    assert {m.label: m.value for m in at.metric} == expected
    progress = at.dataframe[0].value
    assert progress.to_dict("records") == [
        {"codeur": "alice", "segments revus": 4, "part du corpus": 1.0, "codages": 7},
        {"codeur": "bruno", "segments revus": 2, "part du corpus": 0.5, "codages": 3}]
    runs = at.dataframe[1].value
    assert runs[["analyse", "état"]].values.tolist() == [["Thèmes émergents", "terminée"]]
    assert re.fullmatch(r"\d\d/\d\d/20\d\d \d\d:\d\d", runs["début"].iloc[0])
    changes = at.dataframe[2].value  # the change log in French, newest first
    assert changes["action"].iloc[0] == "analyse lancée : thèmes émergents"
    assert "codage ajouté" in set(changes["action"])
    assert not any("." in a for a in changes["action"])  # no « coding.add » left untranslated
    assert changes["objet"].iloc[0] == "analyse"


@pytest.mark.parametrize("coder", ["bruno"])
def test_a_write_by_another_user_shows_on_the_next_rerun(app_project, coder):
    at = open_page(None)
    assert {m.label: m.value for m in at.metric}["Codages"] == "10"
    add_codings(app_project.project, [Coding(app_project.script, "theme.contact", coder)])
    at.run()
    assert {m.label: m.value for m in at.metric}["Codages"] == "11"


@pytest.mark.parametrize("write, moved", [
    (lambda b: set_memo(b.project, "segment", b.script, "Vu.", coder="alice"), {"memos"}),
    (lambda b: add_codings(b.project, [Coding(b.script, "theme.contact", "bruno")]),
     {"codings", "reviews"}),
    (lambda b: mark_reviewed(b.project, [b.postit], coder="bruno"), {"reviews"}),
])
def test_cache_versions_move_only_for_what_changed(app_project, write, moved):
    before = explorer.data_versions(app_project.project)
    write(app_project)
    after = explorer.data_versions(app_project.project)
    assert {k for k in before if before[k] != after[k]} - {"all"} == moved


# --- Corpus ---------------------------------------------------------------------------


@pytest.mark.parametrize("document", ["E-02"])
def test_transcript_markup_is_shown_literally(app_project, document):
    at = open_page("corpus", document=document)
    page = html(at)
    assert "Un message &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; et **gras** " \
           ":red[rouge] sur le site." in page
    assert "<script" not in page
    assert all(not m.allow_html for m in at.markdown)


@pytest.mark.parametrize("document", ["E-01"])
def test_corpus_reads_a_document_as_a_conversation_with_codes_and_memos(app_project, document):
    at = open_page("corpus", document=document, segment=app_project.attente)
    page = at.html[0].value
    assert page.count("<b>Enquêtrice</b>") == 2 and page.count("<b>Mme Leroy</b>") == 2
    assert "enquêteur·rice · 00:00:05" in page and "usager·ère · 00:00:12" in page
    # alice's and bruno's codes highlight the segment, the link's segment is outlined
    assert 'title="Contact ; Irritant ; Déclaration">J&#x27;ai attendu trois mois' in page
    assert f'id="segment-{app_project.attente}"' in page
    legend = at.html[1].value
    assert [x in legend for x in ("Contact", "Irritant", "Déclaration", "Point d&#x27;appui",
                                  "Délais")] == [True] * 5
    assert "background:#0072B2" in legend
    assert "À recouper avec l&#x27;entretien E-02." in at.html[2].value
    assert at.selectbox(key="corpus_doc").value == document


@pytest.mark.parametrize("doc_type, shown", [("atelier", "1 document sur 3."),
                                             ("entretien", "2 documents sur 3.")])
def test_corpus_filter_changes_the_list(app_project, doc_type, shown):
    at = open_page("corpus")
    assert "3 documents sur 3." in texts(at.caption)
    at.selectbox(key="corpus_type").set_value(doc_type).run()
    assert shown in texts(at.caption)
    assert len(at.dataframe[0].value) == int(shown[0])


@pytest.mark.parametrize("blind", [True])
def test_corpus_blind_mode_hides_other_coders_highlights(app_project, blind):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["coder"] = "alice"
    at.session_state["blind"] = blind
    at.run()
    at.query_params.update(document="E-01")
    at.switch_page("app_pages/corpus.py").run()
    page = at.html[0].value
    assert "Contact ; Irritant ; Déclaration" in page  # alice's own
    assert "Délais" not in page  # bruno's theme.delais on the second answer is hidden


# --- Codage ---------------------------------------------------------------------------


def coding_page(document: str = "E-01", coder: str = "alice") -> AppTest:
    at = open_page("codage", coder=coder)
    at.selectbox(key="queue_doc").set_value(document).run()
    return at


@pytest.mark.parametrize("coder", ["alice"])
def test_codage_shows_the_segment_with_its_context_and_suggestions(app_project, coder):
    at = coding_page(coder=coder)
    assert "Segment **1** sur **2**" in texts(at.markdown)
    quotes = html(at)
    assert "Comment s&#x27;est passée votre déclaration ?" in quotes  # the question before
    assert "J&#x27;ai attendu trois mois" in quotes
    assert "Et ensuite ?<div" in quotes  # the turn after
    assert [c.label for c in at.checkbox if c.key and c.key.startswith("sug_")] == [
        "Délais — score 0.90"]
    assert "Indices : attendu, trois mois · listening\\.rules\\.v1" in texts(at.caption)
    assert {"Contact · alice · segment entier", "Irritant · bruno · segment entier"} <= set(
        texts(at.markdown))


@pytest.mark.parametrize("code", ["theme.delais"])
def test_accepting_a_suggestion_stores_a_coding_by_the_coder(app_project, code):
    at = coding_page()
    next(b for b in at.button if b.label == "Accepter").click().run()
    assert "1 suggestion(s) acceptée(s)." in texts(at.success)
    stored = get_codings(app_project.project, coder="alice")
    assert Coding(app_project.attente, code, "alice", "listening.rules.v1") in stored
    assert "Délais · alice · segment entier" in texts(at.markdown)
    assert not [c for c in at.checkbox if c.key and c.key.startswith("sug_")]


@pytest.mark.parametrize("weak", [0.15])
def test_weak_suggestions_wait_unticked_and_are_not_accepted_with_the_others(app_project, weak):
    """A suggestion under the default threshold is offered on request, unticked: « Accepter »
    takes the strong ones only, the weak one stays pending; it says when it has no cue."""
    from listening.model import Suggestion
    from listening.store import replace_suggestions, suggestions_frame

    machine = "listening.rules.v1"
    replace_suggestions(app_project.project, machine, [
        Suggestion(app_project.attente, "theme.delais", 0.9, machine, ("attendu",)),
        Suggestion(app_project.attente, "valence.positif", weak, machine, ())])
    at = coding_page()
    boxes = {c.label: c.value for c in at.checkbox if c.key and c.key.startswith("sug_")}
    assert boxes == {"Délais — score 0.90": True, f"Point d'appui — score {weak:.2f}": False}
    assert "Suggestions plus faibles (score < 0,4) : 1" in [e.label for e in at.expander]
    assert any("aucun mot repéré" in c for c in texts(at.caption))
    next(b for b in at.button if b.label == "Accepter").click().run()
    stored = {c.code_id for c in get_codings(app_project.project, coder="alice")
              if c.segment_id == app_project.attente}
    assert "theme.delais" in stored and "valence.positif" not in stored
    left = suggestions_frame(app_project.project, coder="alice")
    assert left[left["segment_id"] == app_project.attente]["code_id"].tolist() == [
        "valence.positif"]


def test_accepting_with_nothing_ticked_says_what_to_do(app_project):
    at = coding_page()
    for box in at.checkbox:
        if box.key and box.key.startswith("sug_"):
            box.uncheck()
    before = len(get_codings(app_project.project, coder="alice"))
    next(b for b in at.button if b.label == "Accepter").click().run()
    assert "Cochez au moins une suggestion à accepter." in texts(at.error)
    assert len(get_codings(app_project.project, coder="alice")) == before


@pytest.mark.parametrize("coder", ["alice"])
def test_blind_mode_hides_another_coders_coding(app_project, coder):
    at = coding_page(coder=coder)
    assert "Irritant · bruno · segment entier" in texts(at.markdown)
    at.toggle(key="blind_widget").set_value(True).run()
    shown = texts(at.markdown)
    assert "Irritant · bruno · segment entier" not in shown
    assert "Irritant · alice · segment entier" in shown
    assert "Mode aveugle : les codages des autres codeurs sont masqués." in texts(at.caption)


@pytest.mark.parametrize("memo", ["Dit deux fois « trois mois » : à vérifier."])
def test_a_memo_is_saved_for_the_segment_and_coder(app_project, memo):
    at = coding_page()
    at.text_area(key=f"memo_text_{app_project.attente}").input(memo)
    next(b for b in at.button if b.label == "Enregistrer le mémo").click().run()
    assert "Mémo enregistré." in texts(at.success)
    memos = memos_frame(app_project.project)
    mine = memos[(memos["coder"] == "alice") & (memos["target_id"] == app_project.attente)]
    assert mine["text"].tolist() == [memo]
    assert at.text_area(key=f"memo_text_{app_project.attente}").value == memo


@pytest.mark.parametrize("sentence", [1])
def test_codes_are_added_to_a_chosen_sentence(app_project, sentence):
    at = coding_page(coder="claire")
    at.multiselect(key=f"codes_{app_project.attente}").set_value(["theme.contact"])
    at.multiselect(key=f"phrases_{app_project.attente}").set_value([sentence])
    next(b for b in at.button if b.label == "Ajouter les codes").click().run()
    assert "1 codage(s) ajouté(s)." in texts(at.success)
    [coding] = get_codings(app_project.project, coder="claire")
    doc = app_project.project.connection().execute(
        "SELECT text FROM documents WHERE external_id = 'E-01'").fetchone()[0]
    assert doc[coding.start:coding.end] == "Personne ne décrochait au téléphone."
    assert any(t.startswith("Contact · claire · extrait ") for t in texts(at.markdown))


@pytest.mark.parametrize("mode", ["a_coder"])
def test_queue_of_segments_not_yet_coded_by_me(app_project, mode):
    at = open_page("codage", coder="bruno")
    at.selectbox(key="queue_mode").set_value(mode).run()
    assert "Segment **1** sur **2**" in texts(at.markdown)  # E-02's answer and the post-it
    next(b for b in at.button if b.label == "Revu, sans code").click().run()
    assert "Segment **1** sur **1**" in texts(at.markdown)


# --- Livre de codes -------------------------------------------------------------------


@pytest.mark.parametrize("label", ["Relances sans réponse"])
def test_a_new_code_is_validated_and_saved_as_a_new_version(app_project, label):
    at = open_page("livre_de_codes")
    assert "mini · version 1 · 9 codes" in texts(at.caption)
    tree = [e.label for e in at.expander]
    assert "Séparation (3 étapes)" in tree  # a journey counts its stages
    assert not any("0 sous-code" in t for t in tree)  # a code without children says nothing
    assert any("*Définition* : La décision de se séparer\\." in m for m in texts(at.markdown))
    at.text_input[0].input("theme.delais.relances")
    at.text_input[1].input(label)
    next(s for s in at.selectbox if s.label == "Parent").set_value("theme.delais")
    at.text_area[0].input("Relancer sans obtenir de réponse.")
    next(b for b in at.button if b.label == "Enregistrer une nouvelle version").click().run()
    assert texts(at.success) == [
        f"Code « {label} » enregistré : version 2 du livre de codes."]
    assert codebook_history(app_project.project)["version"].tolist() == ["1", "2"]
    assert current_codebook(app_project.project).code("theme.delais.relances").label == label


@pytest.mark.parametrize("bad_id", ["theme.delais"])
def test_an_invalid_code_is_refused_with_the_librarys_message(app_project, bad_id):
    at = open_page("livre_de_codes")
    at.text_input[0].input(bad_id)
    at.text_input[1].input("Doublon")
    at.text_area[0].input("Un doublon.")
    next(b for b in at.button if b.label == "Enregistrer une nouvelle version").click().run()
    assert "identifiant en double" in at.error[0].value
    assert codebook_history(app_project.project)["version"].tolist() == ["1"]


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx", ".qdc"])
def test_codebook_exports_are_offered(app_project, suffix):
    at = open_page("livre_de_codes")
    labels = [b.label for b in at.download_button]
    assert labels == ["Télécharger en YAML", "Télécharger en Excel (XLSX)",
                      "Télécharger en REFI-QDA (.qdc)"]
    content = explorer.load().codebook_file(suffix)
    assert (b"theme.delais" in content) if suffix != ".xlsx" else content[:2] == b"PK"


# --- Parcours -------------------------------------------------------------------------


def figure(at: AppTest, key: str) -> dict:
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key))
    return json.loads(chart.proto.spec)


@pytest.mark.parametrize("stages", [["Décision", "Déclaration", "Stabilisation"]])
def test_journey_is_drawn_stage_by_stage_in_time_order(app_project, stages):
    at = open_page("parcours")
    fig = figure(at, "parcours_figure")
    boxes = [a["text"] for a in fig["layout"]["annotations"] if a["text"].startswith("<b>")]
    assert boxes == [f"<b>{s}</b>" for s in stages]
    counts = [a["text"] for a in fig["layout"]["annotations"] if "irritant" in a["text"]]
    assert counts[1] == "2 irritants<br>0 point d'appui<br>0 suggestion"
    assert fig["data"][0]["y"] == [0.0, 1.0, 0.0]
    assert figure(at, "parcours_carte")["data"][0]["x"] == stages
    assert "3 segments codés · tous publics, tous types" in texts(at.caption)


@pytest.mark.parametrize("doc_type, caption", [("atelier", "1 segment codé · Atelier")])
def test_journey_filters_change_the_counts(app_project, doc_type, caption):
    at = open_page("parcours")
    at.selectbox(key="parcours_type").set_value(doc_type).run()
    assert caption in texts(at.caption)
    counts = [a["text"] for a in figure(at, "parcours_figure")["layout"]["annotations"]
              if "irritant" in a["text"]]
    assert counts[1] == "1 irritant<br>0 point d'appui<br>0 suggestion"


@pytest.mark.parametrize("theme, stage", [("theme.contact", "etape.separation.declaration")])
def test_a_cell_lists_its_verbatims_with_links_to_the_corpus(app_project, theme, stage):
    at = open_page("parcours")
    at.selectbox(key="parcours_theme").set_value(theme).run()
    assert "**1 verbatim** · Contact × Déclaration" in texts(at.markdown)
    assert "J&#x27;ai attendu trois mois" in html(at)
    link = at.page_link[0]
    assert link.label == "Voir dans le corpus"
    assert link.proto.page.endswith("corpus")
    assert f"segment={app_project.attente}" in link.proto.query_string


# --- Thèmes émergents -----------------------------------------------------------------


@pytest.mark.parametrize("label", ["attendre · délai · réponse"])
def test_topics_per_stage_with_their_verbatims(app_project, label):
    at = open_page("themes_emergents")
    assert texts(at.subheader) == ["Déclaration"]
    assert [e.label for e in at.expander] == [f"{label} — 2 segments (100% de l'étape)"]
    assert "*Mots* : attendre, délai, réponse" in texts(at.markdown)
    quotes = html(at)
    assert "J&#x27;ai attendu trois mois" in quotes and "Les délais de traitement" in quotes


@pytest.mark.parametrize("stages", [["Décision", "Stabilisation", "(étape non précisée)"]])
def test_topic_stages_follow_the_journey_in_time_order(app_project, stages):
    """Topics saved in any order show stage by stage as the journey runs, topics without a
    stage last; a one-segment topic says « 1 segment »."""
    from listening.store import finish_run, save_topics, start_run

    project = app_project.project
    segs = [app_project.attente, app_project.rappel, app_project.postit]
    run_id = start_run(project, "topics", {"embedder": "tfidf"}, seed=42)
    stage_of = {"Stabilisation": "etape.separation.stabilisation", "(étape non précisée)": None,
                "Décision": "etape.separation.decision"}
    topics = [{"key": f"k{i}", "topic": 0, "journey": "parcours.separation",
               "stage": stage_of[name], "label": f"sujet {i}", "words": ["sujet"], "count": 1,
               "share": 1.0, "themes": [], "examples": [segs[i]]}
              for i, name in enumerate(["(étape non précisée)", "Stabilisation", "Décision"])]
    save_topics(project, run_id, topics, [(t["examples"][0], t["key"], 0.9) for t in topics])
    finish_run(project, run_id, {})
    at = open_page("themes_emergents")
    assert texts(at.subheader) == stages
    assert at.expander[0].label == "sujet 2 — 1 segment (100% de l'étape)"


@pytest.mark.parametrize("runs_before", [1])
def test_a_new_topic_run_is_launched_with_progress(app_project, runs_before):
    at = open_page("themes_emergents")
    assert len(runs_frame(app_project.project, kind="topics")) == runs_before
    next(b for b in at.button if b.label == "Lancer une nouvelle analyse").click().run()
    assert not at.exception
    assert at.get("progress")[0].proto.value == 100
    assert texts(at.success) == ["Analyse terminée : 0 thèmes trouvés."]
    assert len(runs_frame(app_project.project, kind="topics")) == runs_before + 1
    assert "La dernière analyse n'a trouvé aucun thème" in at.info[0].value


# --- Accord inter-codeurs -------------------------------------------------------------


@pytest.mark.parametrize("coders", ["alice, bruno"])
def test_agreement_per_code_and_disagreements_side_by_side(app_project, coders):
    at = open_page("accord")
    assert f"Codeurs : {coders}" in at.caption[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Accord observé"] == "83%"
    per_code = at.dataframe[0].value.set_index("code")
    assert per_code.loc["valence.positif", "% accord"] == "100%"
    assert per_code.loc["theme.delais", "% accord"] == "50%"
    table = at.dataframe[1].value
    row = table[table["libellé"] == "Délais"].iloc[0]
    assert (row["alice"], row["bruno"], row["document"]) == (
        "absent", "présent (segment entier)", "E-01")
    assert row["texte"].startswith("Une conseillère m'a rappelée")
    assert len(table) == 3


@pytest.mark.parametrize("acceptor", ["Suggestions ≥ 0,8 acceptées"])
def test_agreement_compares_people_unless_asked(app_project, acceptor):
    """A coder whose codings are all accepted suggestions (a bulk « accept above ») is left
    out of the comparison by default and can be added; a measure that is not defined shows
    as an empty cell, not « None »."""
    from listening.store import accept_above

    assert accept_above(app_project.project, 0.5, coder=acceptor) == 2
    at = open_page("accord")
    assert at.multiselect(key="accord_codeurs").value == ["alice", "bruno"]
    assert "Codeurs : alice, bruno" in at.caption[0].value
    assert acceptor not in at.dataframe[1].value.columns
    per_code = at.dataframe[0].value.set_index("code")
    undefined = per_code[per_code["remarque"].str.contains("κ non défini")]
    assert len(undefined) and set(undefined["κ de Cohen"]) == {"—"}  # not « None »
    at.multiselect(key="accord_codeurs").select(acceptor).run()
    assert f"Codeurs : {acceptor}, alice, bruno" in at.caption[0].value
    assert acceptor in at.dataframe[1].value.columns
    at.multiselect(key="accord_codeurs").set_value(["alice"]).run()
    assert "au moins deux codeurs" in at.info[0].value


@pytest.mark.parametrize("code, rows", [("theme.delais", 1)])
def test_disagreements_filter_by_code(app_project, code, rows):
    at = open_page("accord")
    at.selectbox(key="accord_code").set_value(code).run()
    assert len(at.dataframe[1].value) == rows


# --- Recherche ------------------------------------------------------------------------


@pytest.mark.parametrize("query, hits", [("SITE", 2)])
def test_search_shows_keywords_in_context_and_filters(app_project, query, hits):
    at = open_page("recherche")
    at.text_input(key="recherche_query").input(query)
    next(b for b in at.button if b.label == "Rechercher").click().run()
    assert at.metric[0].value == str(hits)
    kwic = at.dataframe[0].value
    assert kwic["mot"].tolist() == ["site"] * hits
    assert kwic["gauche"].iloc[1].endswith("**gras** :red[rouge] sur le ")
    at.selectbox(key="recherche_type").set_value("atelier").run()
    assert at.metric[0].value == "0"
    assert texts(at.info) == ["Aucune occurrence avec ces filtres."]


# --- Exports --------------------------------------------------------------------------


@pytest.mark.parametrize("labels", [["Télécharger : Rapport Word",
                                     "Télécharger : Classeur Excel",
                                     "Télécharger : Projet REFI-QDA (.qdpx)",
                                     "Télécharger : Livre de codes REFI-QDA (.qdc)"]])
def test_exports_offer_the_four_files(app_project, labels):
    try:
        from listening.reports import write_report  # noqa: F401
    except ImportError:
        pytest.skip("listening.reports.write_report n'existe pas encore (écrit par un autre lot)")
    at = open_page("exports")
    assert [b.label for b in at.download_button] == labels


# --- the explorer's helpers -----------------------------------------------------------


@pytest.mark.parametrize("text, shown", [
    ("**gras** <b>x</b> :red[y] $z$", r"\*\*gras\*\* \<b\>x\</b\> \:red\[y\] \$z\$")])
def test_markdown_escape(text, shown):
    assert explorer.md(text) == shown


@pytest.mark.parametrize("stamp, shown", [
    ("2026-12-06T23:59:00+00:00", "07/12/2026 00:59"),  # stored in UTC, read in Paris
    ("2026-07-01T10:05:30+00:00", "01/07/2026 12:05"),  # summer time
    (None, "—"), ("pas une date", "pas une date")])
def test_stored_times_are_shown_in_the_users_time_zone(stamp, shown):
    from zoneinfo import ZoneInfo

    assert explorer.when(stamp, ZoneInfo("Europe/Paris")) == shown


@pytest.mark.parametrize("version, bumped", [("1", "2"), ("1.9", "1.10"), ("v4", "v5"),
                                             ("", "1"), ("beta", "beta.1")])
def test_next_codebook_version(version, bumped):
    assert explorer.next_version(version) == bumped


def _doc() -> Document:
    return build_document("d.txt", [RawTurn("Une phrase. Une autre phrase.", "Usager")],
                          external_id="D")


@pytest.mark.parametrize("span", [(0, 11)])
def test_conversation_cuts_turns_at_coded_spans(span):
    from listening.segment import segment_document

    doc = _doc()
    [seg] = segment_document(doc)
    start = seg.start + span[0]
    segments = pd.DataFrame([{"segment_id": seg.id, "document_id": doc.id, "start": seg.start,
                              "end": seg.end, "turn_index": 0}])
    codings = pd.DataFrame([{"segment_id": seg.id, "code_id": "a", "start": None, "end": None},
                            {"segment_id": seg.id, "code_id": "b", "start": start,
                             "end": seg.start + span[1]}])
    [turn] = explorer.conversation(doc, segments, codings)
    assert [(p.text, p.codes) for p in turn.pieces] == [
        ("Une phrase.", ("a", "b")), (" Une autre phrase.", ("a",))]


@pytest.mark.parametrize("chosen, spans", [([], [(None, None)]), ([0, 1], [(None, None)]),
                                           ([1], [(12, 29)])])
def test_span_codings_by_sentence(chosen, spans):
    sentences = explorer.sentences("Une phrase. Une autre phrase.", 0)
    assert [s[2] for s in sentences] == ["Une phrase.", "Une autre phrase."]
    codings = explorer.span_codings("s", chosen, sentences, ["theme.x"], "alice")
    assert [(c.start, c.end) for c in codings] == spans


@pytest.mark.parametrize("n_stages", [3, 6])
def test_long_stage_names_are_wrapped_inside_their_boxes(n_stages):
    """A journey of several stages with long names: each name is cut into short lines that
    fit its box, the box is tall enough for the longest, and the counts agree in number."""
    import pandas as pd

    from listening.explorer.figures import journey_figure

    names = ["Congés maternité, paternité et indemnités journalières"] + [
        f"Étape {i}" for i in range(1, n_stages)]
    stages = pd.DataFrame({"stage": [f"s{i}" for i in range(n_stages)], "etape": names,
                           "intensite": [0.5] * n_stages, "irritants": [1] * n_stages,
                           "positifs": [2] * n_stages, "suggestions": [0] * n_stages})
    fig = journey_figure(stages, "Naissance").to_dict()
    box = next(a["text"] for a in fig["layout"]["annotations"] if "Congés" in a["text"])
    lines = box.removeprefix("<b>").removesuffix("</b>").split("<br>")
    assert len(lines) >= 3 and max(map(len, lines)) <= max(10, 110 // n_stages) + 1
    tops = {s["y1"] for s in fig["layout"]["shapes"]}
    assert len(tops) == 1 and tops.pop() >= 1.5 + 0.1 * len(lines)
    assert "1 irritant<br>2 points d'appui<br>0 suggestion" in [
        a["text"] for a in fig["layout"]["annotations"]]
    assert fig["layout"]["xaxis"]["showticklabels"] is False  # the boxes name the stages


def test_a_wall_of_post_its_says_each_section_and_stage_once():
    """Post-its of one workshop row: the section, stage and column show above the first note
    of each, in French, not repeated over every note; a row that is the stage is not shown
    twice."""
    from listening.codebook_io import load_codebook
    from listening.explorer.text import TurnView, conversation_html
    from listening.projects import DEFAULT_CODEBOOK

    def note(text, column, category):
        return TurnView(0, "Post-it", "participant", "", (), attrs=(
            ("section", "Atelier ASE"), ("ligne", "Préparation"), ("colonne", column),
            ("etape", "Préparation"), ("categorie", category)))

    html_ = conversation_html([note("Un", "Irritants", "irritant"),
                               note("Deux", "Irritants", "irritant"),
                               note("Trois", "Idées", "idée")],
                              load_codebook(DEFAULT_CODEBOOK))
    assert html_.count("section : Atelier ASE") == 1
    assert html_.count("étape : Préparation") == 1 and "ligne : " not in html_
    assert html_.count("colonne : Irritants") == 1 and html_.count("colonne : Idées") == 1
    assert "catégorie : idée" in html_ and "categorie" not in html_
