"""Corpus: documents filtered by metadata; one read as a conversation with coded highlights.

`?document=EXTERNAL_ID&segment=SEGMENT_ID` opens a document at a segment (links elsewhere in
the app point here).
"""

import streamlit as st

from app_pages import _ui
from listening import explorer
from listening.explorer import TYPE_LABELS, md

data = explorer.load()
codebook, labels = data.codebook(), data.labels()
docs = data.documents()

st.title("Corpus")
filters = _ui.metadata_filters(docs, labels, "corpus",
                               ("journey", "type", "public", "territory"))
shown = explorer.filter_rows(docs, filters)
st.caption(f"{explorer.plural(len(shown), 'document')} sur {len(docs)}.")
table = shown[["external_id", "name", "type", "journey", "public", "territory", "date",
               "segments"]].assign(journey=shown["journey"].map(lambda j: labels.get(j, j)),
                                  type=shown["type"].map(lambda t: TYPE_LABELS.get(t, t)))
st.dataframe(table.rename(columns={
    "external_id": "identifiant", "name": "fichier", "journey": "parcours",
    "territory": "territoire"}), hide_index=True, height=min(400, 38 + 35 * len(table)))

# the document to read: from the link that brought us here, else the reader's choice
wanted = st.query_params.get("document")
if wanted and wanted != st.session_state.get("corpus_from_link"):
    st.session_state["corpus_from_link"] = wanted
    if wanted in set(docs["external_id"]):
        st.session_state["corpus_doc"] = wanted
    else:
        st.warning(f"Document « {md(wanted)} » introuvable dans ce projet.")
options = list(shown["external_id"])
current = st.session_state.get("corpus_doc")
if current in set(docs["external_id"]) and current not in options:
    options.insert(0, current)
if not options:
    st.info("Aucun document ne correspond à ces filtres.")
    st.stop()
names = dict(zip(docs["external_id"], docs["name"]))
external_id = st.selectbox("Document à lire", options, key="corpus_doc",
                           format_func=lambda e: f"{e} — {names.get(e, '')}")
if st.query_params.get("document") != external_id:
    st.query_params.from_dict({"document": external_id})
focus = st.query_params.get("segment")

document = data.document(external_id)
blind = st.session_state.get("blind", False) and _ui.coder()
turns = data.conversation(external_id, _ui.coder() if blind else None)
meta = document.meta
st.subheader(f"{md(external_id)} · {md(TYPE_LABELS.get(meta.type, meta.type))}")
facts = [labels.get(meta.journey, meta.journey), meta.public, meta.territory, meta.date]
st.caption(" · ".join(md(f) for f in facts if f))

left, right = st.columns([3, 1])
with left:
    st.html(explorer.conversation_html(turns, codebook, focus=focus))
with right:
    st.markdown("**Légende**")
    used = [c for t in turns for p in t.pieces for c in p.codes]
    st.html(explorer.legend_html(codebook, used))
    st.markdown("**Mémos**")
    ids = {p.segment_id for t in turns for p in t.pieces}
    memos = data.memos()
    memos = memos[((memos["target_kind"] == "segment") & memos["target_id"].isin(ids))
                  | ((memos["target_kind"] == "document") & (memos["target_id"] == document.id))]
    if memos.empty:
        st.caption("Aucun mémo sur ce document.")
    for memo in memos.itertuples(index=False):
        st.html(explorer.verbatim_html(memo.text, f"{memo.coder} · {memo.updated_at[:10]}"))
