"""Accord inter-codeurs: per code, percent agreement, Cohen's κ and Krippendorff's α; the
disagreements side by side with the segment's text."""

import pandas as pd
import streamlit as st

from listening import explorer
from listening.agreement import FRENCH_COLUMNS
from listening.errors import ListeningError
from listening.explorer import md

data = explorer.load()
st.title("Accord inter-codeurs")
everyone, by_default = data.coders()
chosen = st.multiselect(
    "Codeurs comparés", everyone, default=by_default,
    key="accord_codeurs",
    help="Par défaut, les personnes qui ont codé elles-mêmes ; un codeur dont tous les codages "
         "sont des suggestions acceptées en bloc n'est pas comparé, sauf si vous l'ajoutez.")
if len(chosen) < 2:
    st.info("Choisissez au moins deux codeurs à comparer.")
    st.stop()
compared = tuple(sorted(chosen))
try:
    report = data.agreement(compared)
except ListeningError as err:
    st.info(str(err))
    st.stop()


def show(value: float | None, percent: bool = False) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{value:.0%}" if percent else f"{value:.2f}"


overall = report.overall
st.caption(f"Codeurs : {md(', '.join(report.coders))} · règle : {md(report.rule)}")
cols = st.columns(4)
cols[0].metric("Unités comparées", overall.compared)
cols[1].metric("Accord observé", show(overall.percent_agreement.value, percent=True))
cols[2].metric("κ de Cohen (moyen)", show(overall.cohen_kappa.mean))
cols[3].metric("α de Krippendorff", show(overall.krippendorff_alpha.value))
for note in overall.notes():
    st.caption(md(note))

st.subheader("Par code")
frame = report.frame(french=False)
frame = frame[frame["units"] > 0]
# shown as text: a measure that is not defined reads « — » (a table shows a missing number as
# « None »), with its reason in the last column
frame["percent_agreement"] = frame["percent_agreement"].map(lambda v: show(v, True))
for column in ("cohen_kappa", "krippendorff_alpha"):
    frame[column] = frame[column].map(show)
st.dataframe(frame.rename(columns=FRENCH_COLUMNS), hide_index=True)

st.subheader("Désaccords à discuter")
table = data.disagreements(compared)
if table.empty:
    st.success("Aucun désaccord entre les codeurs sur les segments revus par plusieurs d'entre eux.")
    st.stop()
codes = ["", *dict.fromkeys(table["code"])]
labels = data.labels()
code = st.selectbox("Code", codes, key="accord_code",
                    format_func=lambda c: labels.get(c, c) if c else "Tous les codes")
if code:
    table = table[table["code"] == code]
st.caption(f"{len(table)} désaccords · « présent » : le codeur a appliqué le code ; « absent » : "
           "il a revu le segment sans l'appliquer ; « non revu » : il ne l'a pas vu.")
shown = table.drop(columns=["code", "unité", "segment"])
shown = shown[["libellé", "document", *[c for c in shown if c not in ("libellé", "document")]]]
st.dataframe(shown, hide_index=True,
             column_config={"texte": st.column_config.TextColumn(width="large")})
