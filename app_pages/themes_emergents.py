"""Thèmes émergents: the latest topic run — per journey stage, topics with their label, size,
share, words and representative verbatims — and a button to launch a new run."""

import streamlit as st

from app_pages import _ui
from listening import explorer
from listening.analysis import run_topics
from listening.errors import ListeningError
from listening.explorer import md
from listening.topics import TopicParams

data = explorer.load()
labels = data.labels()
st.title("Thèmes émergents")
st.caption("Sujets récurrents parmi les segments codés « irritant », regroupés "
           "automatiquement par parcours puis détaillés par étape.")

with st.form("nouvelle_analyse"):
    journeys = ["", *(j.id for j in data.codebook().journeys)]
    journey = st.selectbox("Parcours à analyser", journeys,
                           format_func=lambda j: labels.get(j, "Tous les parcours"))
    launch = st.form_submit_button("Lancer une nouvelle analyse")
if launch:
    bar = st.progress(0.0, text="Préparation…")

    def progress(done: int, total: int, group: str) -> None:
        bar.progress(done / total if total else 1.0,
                     text=f"Parcours {labels.get(group, group)} ({done + 1}/{total})"
                     if done < total else "Enregistrement…")

    try:
        _, topics, _ = run_topics(data.project, TopicParams(), journey=journey or None,
                                  progress=progress, actor=_ui.coder() or "explorateur")
    except ListeningError as err:
        st.error(str(err))
    else:
        bar.progress(1.0, text="Terminé")
        st.success(f"Analyse terminée : {len(topics)} thèmes trouvés.")
        data = explorer.load()

run, topics = data.topics()
if run is None:
    st.info("Aucune analyse de thèmes pour l'instant : lancez-en une ci-dessus.")
    st.stop()
params = run["params"]
st.caption(f"Analyse du {md(explorer.when(run['started_at']))} · listening "
           f"{md(run['version'])} · graine {md(run['seed'])} · représentation "
           f"{md(params.get('embedder', ''))}")
if topics.empty:
    st.info("La dernière analyse n'a trouvé aucun thème (trop peu de segments irritants par "
            "parcours : il en faut au moins 6).")
    st.stop()

segments = data.segments()
found = set(topics["journey"].fillna(""))
present = [j.id for j in data.codebook().journeys if j.id in found] + sorted(
    j for j in found if j not in labels)  # codebook order, then no journey
journey = st.selectbox("Parcours", present, key="themes_journey",
                       format_func=lambda j: labels.get(j, j or "(sans parcours)"))
shown = topics[topics["journey"].fillna("") == journey]
order = {s.id: i for j in data.codebook().journeys if j.id == journey
         for i, s in enumerate(j.stages)}  # stages in time order, no stage last
for stage, group in sorted(shown.groupby(shown["stage"].fillna(""), sort=False),
                           key=lambda item: order.get(item[0], len(order))):
    st.subheader(labels.get(stage, stage or "(étape non précisée)"))
    for i, topic in enumerate(group.itertuples(index=False)):
        share = f"{(topic.share or 0):.0%} de l'étape"
        size = explorer.plural(int(topic.count), "segment")
        with st.expander(f"{topic.label} — {size} ({share})", expanded=i == 0):
            st.markdown(f"*Mots* : {md(', '.join(topic.words))}")
            if topic.themes:
                st.markdown("*Thèmes du livre de codes* : "
                            + md(", ".join(labels.get(t, t) for t in topic.themes)))
            _ui.verbatims(explorer.texts_of(segments, topic.examples), limit=3)
