"""Recherche: full-text search with a keyword-in-context concordance, filtered by metadata."""

import streamlit as st

from app_pages import _ui
from listening import explorer

data = explorer.load()
labels = data.labels()
segments = data.segments()

st.title("Recherche")
with st.form("recherche"):
    query = st.text_input("Mot ou expression", key="recherche_query",
                          placeholder="rendez-vous, trop-perçu, personne ne répond…")
    whole = st.checkbox("Mot entier", key="recherche_entier")
    st.form_submit_button("Rechercher")
filters = _ui.metadata_filters(segments, labels, "recherche")
if not query.strip():
    st.caption("La recherche ignore les accents et les majuscules.")
    st.stop()

hits = data.kwic(query.strip(), whole, tuple(sorted(filters.items())))
st.metric("Occurrences", len(hits))
if hits.empty:
    st.info("Aucune occurrence avec ces filtres.")
    st.stop()
st.caption(f"dans {hits['segment_id'].nunique()} segments de {hits['document'].nunique()} "
           "documents.")
SHOWN = 1000
if len(hits) > SHOWN:
    st.caption(f"Les {SHOWN} premières occurrences sont affichées.")
st.dataframe(hits[["document", "gauche", "mot", "droite"]].head(SHOWN), hide_index=True,
             column_config={"gauche": st.column_config.TextColumn(width="medium"),
                            "droite": st.column_config.TextColumn(width="medium")})
st.subheader("Segments trouvés")
ids = list(dict.fromkeys(hits["segment_id"]))
_ui.verbatims(explorer.texts_of(segments, ids), limit=15)
