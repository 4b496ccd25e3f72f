"""Livre de codes: the tree with definitions, criteria and examples; add or edit a code
(validated like any codebook, saved as a new version); export YAML, XLSX or REFI-QDA .qdc."""

from dataclasses import replace

import streamlit as st

from app_pages import _ui
from listening import explorer, store
from listening.codebook import ancestors, descendants, validate
from listening.errors import CodebookError
from listening.explorer import FAMILY_LABELS, md
from listening.model import FAMILIES, Code

data = explorer.load()
cb, labels = data.codebook(), data.labels()
NEW = "(nouveau code)"

st.title("Livre de codes")
st.caption(f"{md(cb.name)} · version {md(cb.version)} · {len(cb.codes)} codes")
flash = st.session_state.pop("codebook_flash", None)
if flash:
    st.success(flash)


def describe(code: Code) -> str:
    depth = len(ancestors(cb, code.id))
    lines = [f"**{md(code.label)}** · {FAMILY_LABELS.get(code.family, code.family)} · "
             f"{md(code.id)}" + ("" if code.codable else " · dossier")]
    for name, text in (("Définition", code.definition or code.description),
                       ("Inclure", code.include), ("Exclure", code.exclude)):
        if text:
            lines.append(f"*{name}* : {md(text)}")
    lines += [f"*Exemple* : « {md(e)} »" for e in code.examples]
    indent = "> " * depth
    return "\n\n".join(indent + line for line in lines)


tree, edit, export, history = st.tabs(["Arborescence", "Ajouter ou modifier", "Exporter",
                                       "Historique"])
with tree:
    for family, title in (("theme", "Thèmes"), ("valence", "Valences"), ("journey", "Parcours")):
        st.subheader(title)
        for root in [c for c in cb.codes if c.family == family and c.parent is None]:
            below = descendants(cb, root.id)
            n = len(below)
            count = (f" ({explorer.plural(n, 'étape')})" if family == "journey"
                     else f" ({explorer.plural(n, 'sous-code')})" if n else "")
            with st.expander(f"{root.label}{count}"):
                for code in [root, *below]:
                    st.markdown(describe(code))

with edit:
    target = st.selectbox("Code à modifier", [NEW, *(c.id for c in cb.codes)], key="cb_target",
                          format_func=lambda i: i if i == NEW else f"{labels[i]} ({i})")
    base = Code(id="", label="", family="theme") if target == NEW else cb.code(target)
    with st.form(f"code_{target}"):
        code_id = st.text_input("Identifiant", value=base.id, disabled=target != NEW,
                                placeholder="theme.delais.relances")
        label = st.text_input("Libellé", value=base.label)
        family = st.selectbox("Famille", FAMILIES, index=FAMILIES.index(base.family),
                              format_func=FAMILY_LABELS.get)
        parents = ["", *(c.id for c in cb.codes if c.id != base.id)]
        parent = st.selectbox("Parent", parents, index=parents.index(base.parent or ""),
                              format_func=lambda i: "(aucun)" if not i else f"{labels[i]} ({i})")
        definition = st.text_area("Définition", value=base.definition or base.description)
        include = st.text_area("Critères d'inclusion", value=base.include)
        exclude = st.text_area("Critères d'exclusion", value=base.exclude)
        examples = st.text_area("Exemples (un par ligne)", value="\n".join(base.examples))
        patterns = st.text_area("Motifs du codage automatique (un par ligne)",
                                value="\n".join(base.patterns))
        colour = st.color_picker("Couleur", value=base.colour if len(base.colour) == 7
                                 else explorer.GREY)
        codable = st.checkbox("Codable (sinon simple dossier)", value=base.codable)
        order = st.number_input("Ordre (étapes de parcours)", min_value=0, step=1,
                                value=base.order or 0)
        submitted = st.form_submit_button("Enregistrer une nouvelle version", type="primary")
    if submitted:
        lines = lambda text: tuple(x.strip() for x in text.splitlines() if x.strip())  # noqa: E731
        field = "description" if family in ("journey", "stage") and base.description else \
            "definition"
        code = replace(base, id=(code_id if target == NEW else base.id).strip(),
                       label=label.strip(), family=family, parent=parent or None,
                       include=include.strip(), exclude=exclude.strip(),
                       examples=lines(examples), patterns=lines(patterns), colour=colour,
                       codable=codable, order=int(order) if family == "stage" or order else None,
                       **{field: definition.strip()})
        new = explorer.with_code(cb, code, replacing=None if target == NEW else target)
        try:
            validate(new, source="livre de codes")
        except CodebookError as err:
            st.error(str(err))
        else:
            store.save_codebook(data.project, new, actor=_ui.coder() or "explorateur")
            st.session_state["codebook_flash"] = (
                f"Code « {code.label} » enregistré : version {new.version} du livre de codes.")
            st.rerun()

with export:
    for suffix, name in ((".yaml", "YAML"), (".xlsx", "Excel (XLSX)"),
                         (".qdc", "REFI-QDA (.qdc)")):
        st.download_button(f"Télécharger en {name}", data.codebook_file(suffix),
                           file_name=f"livre-de-codes-{cb.version}{suffix}",
                           key=f"export{suffix}")

with history:
    st.dataframe(store.codebook_history(data.project).rename(columns={
        "name": "nom", "created_at": "date", "created_by": "par", "hash": "empreinte"}),
        hide_index=True)
