"""Vue d'ensemble: the corpus at a glance, coding progress per coder, last runs."""

import pandas as pd
import streamlit as st

from listening import explorer

data = explorer.load()
labels = data.labels()
docs = data.documents()
segments = data.segments()
codings = data.codes_applied()  # counts only: no texts needed
pending = data.suggestions()

st.title("Vue d'ensemble")
cols = st.columns(5)
cols[0].metric("Documents", len(docs))
cols[1].metric("Segments", len(segments))
cols[2].metric("Codages", len(codings))
cols[3].metric("Suggestions en attente", len(pending))
cols[4].metric("Codeurs", codings["coder"].nunique())

st.subheader("Le corpus")
TOP = 12  # bars per chart; the rest are summed as "(autres)"
charts = {"journey": "Documents par parcours", "type": "Documents par type",
          "public": "Documents par public", "territory": "Documents par territoire"}
for (column, title), box in zip(charts.items(), st.columns(2) + st.columns(2)):
    names = explorer.TYPE_LABELS if column == "type" else labels
    counts = (docs[column].fillna("(non précisé)").map(lambda v, n=names: n.get(v, v))
              .value_counts())
    if len(counts) > TOP:
        counts = pd.concat([counts.head(TOP - 1),
                            pd.Series({"(autres)": counts.iloc[TOP - 1:].sum()})])
    box.markdown(f"**{title}**")
    if counts.empty:
        box.caption("Aucun document.")
    else:
        box.bar_chart(counts.rename_axis(title).rename("documents"), horizontal=True,
                      sort=False, height=60 + 28 * len(counts))

st.subheader("Avancement du codage")
progress = data.progress()
if progress.empty:
    st.info("Personne n'a encore codé : choisissez votre nom dans la barre latérale, puis "
            "ouvrez la page Codage.")
else:
    st.dataframe(progress, hide_index=True, column_config={
        "part du corpus": st.column_config.ProgressColumn(
            "part du corpus", format="percent", min_value=0, max_value=1)})

st.subheader("Dernières analyses")
runs = data.runs()
if runs.empty:
    st.caption("Aucune analyse lancée pour l'instant.")
else:
    runs = runs.assign(kind=runs["kind"].map(lambda k: explorer.RUN_LABELS.get(k, k)),
                       status=runs["status"].map(lambda s: explorer.STATUS_LABELS.get(s, s)),
                       started_at=runs["started_at"].map(explorer.when),
                       finished_at=runs["finished_at"].map(explorer.when))
    st.dataframe(runs[["kind", "started_at", "finished_at", "status", "version"]].head(5)
                 .rename(columns={"kind": "analyse", "started_at": "début", "finished_at": "fin",
                                  "status": "état", "version": "version de listening"}),
                 hide_index=True)

st.subheader("Dernières modifications")
changes = data.changes()
st.dataframe(pd.DataFrame({
    "quand": changes["at"].map(explorer.when), "qui": changes["actor"],
    "action": changes["action"].map(lambda a: explorer.ACTION_LABELS.get(a, a)),
    "objet": changes["target_kind"].map(lambda k: explorer.OBJECT_LABELS.get(k or "", k))}),
    hide_index=True)
