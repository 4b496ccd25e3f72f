"""Codage: the workbench. A queue of segments; for each, its context, the machine's
suggestions to accept or reject, codes to add (whole segment or chosen sentences), a memo."""

import pandas as pd
import streamlit as st

from app_pages import _ui
from listening import explorer, store
from listening.autocode import DEFAULT_THRESHOLD
from listening.errors import ListeningError
from listening.explorer import QUEUES, md
from listening.reports.wording import fr_num

data = explorer.load()
coder = _ui.coder()
st.title("Codage")
if not coder:
    st.info("Choisissez d'abord votre nom de codeur·rice dans la barre latérale : "
            "il signe chacun de vos codages.")
    st.stop()

codebook, labels = data.codebook(), data.labels()
segments, suggestions = data.segments(), data.suggestions(coder)
project = data.project


def write(action, message: str, *args, **kwargs) -> None:
    """Run one store write from a callback; report the outcome on the next run."""
    try:
        action(project, *args, **kwargs)
        st.session_state["flash"] = ("success", message)
    except ListeningError as err:
        st.session_state["flash"] = ("error", str(err))


def move(step: int) -> None:
    st.session_state["queue_pos"] = st.session_state.get("queue_pos", 0) + step


def decide(accept: bool, ids: list[str]) -> None:
    chosen = [i for i in ids if st.session_state.get(f"sug_{i}")]
    if not chosen:
        verb = "accepter" if accept else "rejeter"
        st.session_state["flash"] = ("error", f"Cochez au moins une suggestion à {verb}.")
        return
    action = store.accept_suggestions if accept else store.reject_suggestions
    verb = "acceptée(s)" if accept else "rejetée(s)"
    write(action, f"{len(chosen)} suggestion(s) {verb}.", chosen, coder=coder)


def add(segment_id: str, options: list[tuple]) -> None:
    codes = st.session_state.get(f"codes_{segment_id}") or []
    if not codes:
        st.session_state["flash"] = ("error", "Choisissez au moins un code à ajouter.")
        return
    chosen = st.session_state.get(f"phrases_{segment_id}") or []
    new = explorer.span_codings(segment_id, chosen, options, codes, coder)
    write(store.add_codings, f"{len(new)} codage(s) ajouté(s).", new)


def save_memo(segment_id: str) -> None:
    write(store.set_memo, "Mémo enregistré.", "segment", segment_id,
          st.session_state[f"memo_text_{segment_id}"], coder=coder)


# --- the queue ------------------------------------------------------------------
st.session_state.setdefault("blind_widget", st.session_state.get("blind", False))
c1, c2, c3 = st.columns([2, 2, 1])
mode = c1.selectbox("File de segments", list(QUEUES), format_func=QUEUES.get, key="queue_mode")
value = None
if mode == "document":
    value = c2.selectbox("Document", explorer.choices(segments, "document"), key="queue_doc")
elif mode == "etape":  # the stage a segment is coded with, else its document's
    segments = data.coded()
    value = c2.selectbox("Étape", explorer.choices(segments, "stage"), key="queue_stage",
                         format_func=lambda s: labels.get(s, s))
with c3:
    include = st.checkbox("Questions des enquêteurs", key="queue_all")
    st.session_state["blind"] = st.toggle("Mode aveugle", key="blind_widget",
                                          help="Masque les codages des autres codeurs.")
blind = st.session_state["blind"]

queue = explorer.coding_queue(segments, suggestions, data.reviewed(coder), mode, value, include)
signature = (mode, value, include)
if st.session_state.get("queue_signature") != signature:
    st.session_state.update(queue_signature=signature, queue_pos=0)
if not queue:
    st.success("Rien à coder dans cette file.")
    st.stop()
pos = min(max(st.session_state.get("queue_pos", 0), 0), len(queue) - 1)
st.session_state["queue_pos"] = pos
segment_id = queue[pos]

flash = st.session_state.pop("flash", None)
if flash:
    (st.success if flash[0] == "success" else st.error)(flash[1])

nav = st.columns([1.3, 2, 1.7])
nav[0].button("◀ Précédent", on_click=move, args=(-1,), disabled=pos == 0, shortcut="Alt+P")
nav[1].markdown(f"Segment **{pos + 1}** sur **{len(queue)}**")
nav[2].button("Segment suivant ▶", on_click=move, args=(1,), disabled=pos == len(queue) - 1,
              shortcut="Alt+N")

# --- the segment in its context -------------------------------------------------
seg, before, after = explorer.context(segments, segment_id)
facts = [seg["document"], f"tour {seg['turn_index'] + 1}",
         explorer.ROLE_LABELS.get(seg["role"], seg["role"])]
st.caption(" · ".join(md(f) for f in facts if f))
for speaker, text in before:
    st.html(explorer.verbatim_html(text, f"{speaker} (tour précédent)"))
with st.container(border=True):
    st.html(explorer.verbatim_html(seg["text"], seg["speaker"]))
for speaker, text in after:
    st.html(explorer.verbatim_html(text, f"{speaker} (tour suivant)"))
st.page_link(_ui.CORPUS_PAGE, label="Voir dans le corpus", icon=":material/open_in_new:",
             query_params={"document": seg["document"], "segment": segment_id})

left, right = st.columns(2)
with left:
    st.markdown("**Codages de ce segment**")
    here = data.codings(coder, blind)
    here = here[here["segment_id"] == segment_id]
    if blind:
        st.caption("Mode aveugle : les codages des autres codeurs sont masqués.")
    if here.empty:
        st.caption("Aucun codage visible.")
    for row in here.itertuples(index=False):
        where = "segment entier" if pd.isna(row.start) else f"extrait {int(row.start)}–{int(row.end)}"
        line = st.columns([4, 1])
        line[0].markdown(f"{md(labels.get(row.code_id, row.code_id))} · {md(row.coder)} · {where}")
        if row.coder == coder:
            line[1].button("Retirer", key=f"retirer_{row.id}", on_click=write,
                           args=(store.remove_coding, "Codage retiré.", row.id),
                           kwargs={"actor": coder})

    pending = suggestions[suggestions["segment_id"] == segment_id]
    st.markdown("**Suggestions automatiques**")
    if pending.empty:
        st.caption("Aucune suggestion en attente.")
    else:
        ids = pending["id"].tolist()
        pending = pending.sort_values("score", ascending=False, kind="stable")
        strong = pending[pending["score"] >= DEFAULT_THRESHOLD]
        weak = pending[pending["score"] < DEFAULT_THRESHOLD]

        def offer(rows: pd.DataFrame, checked: bool) -> None:
            for row in rows.itertuples(index=False):
                st.checkbox(f"{labels.get(row.code_id, row.code_id)} — score {row.score:.2f}",
                            value=checked, key=f"sug_{row.id}")
                clues = ", ".join(row.evidence) or "aucun mot repéré (proche de la définition)"
                st.caption(f"Indices : {md(clues)} · {md(row.coder)}")

        with st.form(f"suggestions_{segment_id}"):
            if strong.empty:
                st.caption(f"Aucune suggestion de score ≥ {fr_num(DEFAULT_THRESHOLD, 1)}")
            offer(strong, True)
            if len(weak):  # shown on request, never ticked for the coder
                with st.expander(f"Suggestions plus faibles (score < "
                                 f"{fr_num(DEFAULT_THRESHOLD, 1)}) : {len(weak)}"):
                    offer(weak, False)
            a, r = st.columns(2)
            a.form_submit_button("Accepter", on_click=decide, args=(True, ids),
                                 type="primary", shortcut="Alt+A")
            r.form_submit_button("Rejeter", on_click=decide, args=(False, ids), shortcut="Alt+X")

with right:
    options = explorer.code_options(codebook)
    phrases = explorer.sentences(seg["text"], int(seg["start"]))
    with st.form(f"ajout_{segment_id}", clear_on_submit=True):
        st.multiselect("Codes à ajouter", list(options), format_func=options.get,
                       key=f"codes_{segment_id}", placeholder="Chercher un code…")
        if len(phrases) > 1:
            st.multiselect("Phrases codées (aucune : tout le segment)", range(len(phrases)),
                           format_func=lambda i: f"{i + 1}. {phrases[i][2][:90]}",
                           key=f"phrases_{segment_id}")
        st.form_submit_button("Ajouter les codes", on_click=add, args=(segment_id, phrases))

    memos = data.memos()
    mine = memos[(memos["target_kind"] == "segment") & (memos["target_id"] == segment_id)
                 & (memos["coder"] == coder)]
    with st.form(f"memo_{segment_id}"):
        st.text_area("Mémo", value=mine["text"].iloc[0] if len(mine) else "",
                     key=f"memo_text_{segment_id}")
        st.form_submit_button("Enregistrer le mémo", on_click=save_memo, args=(segment_id,))
    st.button("Revu, sans code", on_click=write, kwargs={"coder": coder},
              args=(store.mark_reviewed, "Segment marqué comme revu.", [segment_id]),
              help="Le segment compte comme revu par vous (pour l'accord inter-codeurs).",
              shortcut="Alt+S")
st.caption("Raccourcis : Alt+N suivant · Alt+P précédent · Alt+A accepter · Alt+X rejeter · "
           "Alt+S revu sans code.")
