"""Widgets shared by several pages (not a page itself)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from listening.explorer import TYPE_LABELS, choices, md, verbatim_html

CORPUS_PAGE = "app_pages/corpus.py"
ALL = "Tous"


def coder() -> str | None:
    """The person coding in this session (chosen once, in the sidebar)."""
    return st.session_state.get("coder")


def choose_coder() -> None:
    """Sidebar: who codes in this session."""
    with st.sidebar:
        if coder():
            st.markdown(f"Vous codez en tant que **{md(coder())}**.")
            if st.button("Changer de codeur", key="changer_codeur"):
                del st.session_state["coder"]
                st.rerun()
            return
        with st.form("codeur"):
            name = st.text_input("Votre nom de codeur·rice", max_chars=60)
            if st.form_submit_button("Commencer à coder"):
                if name.strip():
                    st.session_state["coder"] = name.strip()
                    st.rerun()
                st.error("Indiquez un nom (par exemple vos initiales) pour signer vos codages.")


def metadata_filters(frame: pd.DataFrame, labels: dict[str, str], key: str,
                     columns: tuple[str, ...] = ("journey", "type", "public")) -> dict:
    """One selectbox per metadata column; returns {column: value or None}."""
    names = {"journey": "Parcours", "type": "Type de document", "public": "Public",
             "territory": "Territoire"}
    out = {}
    for col, box in zip(columns, st.columns(len(columns))):
        options = [ALL, *choices(frame, col)]

        def show(v: str, col: str = col) -> str:
            return v if v == ALL else (TYPE_LABELS.get(v, v) if col == "type" else labels.get(v, v))

        value = box.selectbox(names[col], options, format_func=show, key=f"{key}_{col}")
        out[col] = None if value == ALL else value
    return out


def verbatims(rows: pd.DataFrame, limit: int = 20) -> None:
    """Quotes with their source and a link to their place in the corpus."""
    if rows.empty:
        st.info("Aucun verbatim ici.")
        return
    for row in rows.head(limit).itertuples(index=False):
        source = f"{row.document} · {row.speaker}" if row.speaker else str(row.document)
        st.html(verbatim_html(row.text, source))
        st.page_link(CORPUS_PAGE, label="Voir dans le corpus", icon=":material/open_in_new:",
                     query_params={"document": row.document, "segment": row.segment_id})
    if len(rows) > limit:
        st.caption(f"{limit} verbatims affichés sur {len(rows)}.")
