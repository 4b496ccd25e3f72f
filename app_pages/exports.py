"""Exports: the Word report, the Excel workbook, the REFI-QDA project and codebook.

Each file is built when its button is clicked (`listening.reports.write_report`)."""

import tempfile
from pathlib import Path

import streamlit as st

from listening import explorer
from listening.reports import write_report

data = explorer.load()
project = data.project
name = project.settings.name or "projet"

st.title("Exports")
st.caption("Chaque fichier est produit au moment du clic, à partir de l'état actuel du projet "
           "(codages, livre de codes, analyses). Les verbatims y sont pseudonymisés comme dans "
           "le projet.")

EXPORTS = (
    (".docx", "Rapport Word", "Rapport d'écoute des usagers, prêt à relire et signer.",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (".xlsx", "Classeur Excel", "Segments, codages, matrices par parcours, accord, thèmes.",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (".qdpx", "Projet REFI-QDA (.qdpx)", "À ouvrir dans NVivo, ATLAS.ti, MAXQDA ou QualCoder.",
     "application/zip"),
    (".qdc", "Livre de codes REFI-QDA (.qdc)", "Le livre de codes seul, au format d'échange.",
     "application/xml"),
)


def build(suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / f"{name}{suffix}"
        write_report(project, dest)
        return dest.read_bytes()


for suffix, label, description, mime in EXPORTS:
    with st.container(border=True):
        st.markdown(f"**{label}**")
        st.caption(description)
        st.download_button(f"Télécharger : {label}", data=lambda s=suffix: build(s),
                           file_name=f"{name}{suffix}", mime=mime, key=f"export{suffix}",
                           on_click="ignore")
