"""Parcours: a journey drawn from start to end — each stage with its irritants, points
d'appui and suggestions, the pain-intensity curve, a theme × stage map — filtered by public
and document type; choosing a cell lists its verbatims."""

import streamlit as st

from app_pages import _ui
from listening import explorer
from listening.explorer import TYPE_LABELS, md

data = explorer.load()
cb, labels = data.codebook(), data.labels()
coded = data.coded()
journeys = cb.journeys

st.title("Parcours")
if not journeys:
    st.info("Le livre de codes ne décrit aucun parcours.")
    st.stop()
c1, c2, c3 = st.columns(3)
present = set(coded["journey"].dropna())
ids = sorted((j.id for j in journeys), key=lambda j: j not in present)  # codebook order
journey = c1.selectbox("Parcours", ids, format_func=labels.get, key="parcours_journey")
rows = coded[coded["journey"] == journey]
publics = [_ui.ALL, *explorer.choices(rows, "public")]
public = c2.selectbox("Public", publics, key="parcours_public")
types = [_ui.ALL, *explorer.choices(rows, "type")]
doc_type = c3.selectbox("Type de document", types, key="parcours_type",
                        format_func=lambda t: TYPE_LABELS.get(t, t))
public = None if public == _ui.ALL else public
doc_type = None if doc_type == _ui.ALL else doc_type

result = data.journey(journey, public, doc_type)
stages, jmap, curve = result["stages"], result["map"], result["curve"]
placed = stages[stages["stage"].notna()]
scope = " · ".join(md(x) for x in (public, TYPE_LABELS.get(doc_type or "", doc_type)) if x)
st.caption(explorer.plural(int(stages["segments"].sum()), "segment codé", "segments codés")
           + (f" · {scope}" if scope else " · tous publics, tous types"))
if stages["segments"].sum() == 0:
    st.info("Aucun segment codé pour ce parcours avec ces filtres.")
st.plotly_chart(explorer.journey_figure(stages, labels[journey]), key="parcours_figure",
                config={"displayModeBar": False})
unplaced = stages[stages["stage"].isna()]
if len(unplaced):
    n = int(unplaced["segments"].iloc[0])
    st.caption(f"{explorer.plural(n, 'segment codé', 'segments codés')} sans étape connue.")

st.subheader("Thèmes × étapes")
event = st.plotly_chart(explorer.heatmap_figure(jmap), key="parcours_carte", on_select="rerun",
                        selection_mode="points")
stage_ids = placed["stage"].tolist()
theme_ids = list(dict.fromkeys(jmap["theme"]))
for point in (event or {}).get("selection", {}).get("points", [])[:1]:
    index = point.get("point_index")  # [row, column] of the clicked heatmap cell
    if isinstance(index, list) and index != st.session_state.get("parcours_clicked"):
        st.session_state.update(parcours_clicked=index, parcours_theme=theme_ids[index[0]],
                                parcours_stage=stage_ids[index[1]])
if st.session_state.get("parcours_cell_for") != (journey, public, doc_type) and len(jmap):
    busiest = jmap.sort_values("segments", ascending=False, kind="stable").iloc[0]
    st.session_state.update(parcours_cell_for=(journey, public, doc_type),
                            parcours_stage=busiest["stage"], parcours_theme=busiest["theme"])
c1, c2, c3 = st.columns(3)
stage = c1.selectbox("Étape", stage_ids, format_func=labels.get, key="parcours_stage")
theme = c2.selectbox("Thème", theme_ids, format_func=labels.get, key="parcours_theme")
kinds = {"segment_ids": "Tous", "irritants_ids": "Irritants",
         "positifs_ids": "Points d'appui", "suggestions_ids": "Suggestions"}
kind = c3.selectbox("Verbatims", list(kinds), format_func=kinds.get, key="parcours_kind")
cell = jmap[(jmap["stage"] == stage) & (jmap["theme"] == theme)]
chosen = cell[kind].iloc[0] if len(cell) else []
st.markdown(f"**{explorer.plural(len(chosen), 'verbatim')}** · {md(labels[theme])} × {md(labels[stage])}")
_ui.verbatims(explorer.texts_of(coded, chosen))

st.subheader("Intensité de la douleur par public")
st.caption("Part des segments codés « irritant » à chaque étape, pour l'ensemble et pour "
           "chaque public assez représenté (au moins 5 segments).")
st.plotly_chart(explorer.curve_figure(curve), key="parcours_courbe")
