"""The listening explorer: a Streamlit router over the pages in app_pages/.

Run with `listening app --project DIR` (binds 127.0.0.1); the project comes from
$LISTENING_PROJECT, else projets/demo.
"""

import streamlit as st

from app_pages import _ui
from listening import explorer
from listening.errors import ListeningError

st.set_page_config(page_title="listening — explorateur", page_icon=":material/hearing:",
                   layout="wide")


def page(name: str, title: str, icon: str, default: bool = False) -> st.Page:
    """A page of app_pages/; its URL is its name with dashes (the default page is at /)."""
    return st.Page(f"app_pages/{name}.py", title=title, icon=f":material/{icon}:",
                   url_path=None if default else name.replace("_", "-"), default=default)


try:
    data = explorer.load()
    data.codebook()
except ListeningError as err:
    st.title("Explorateur listening")
    st.error(str(err))
    st.stop()

st.sidebar.markdown(f"**Projet :** {explorer.md(data.project.settings.name)}")
if data.project.settings.mission:
    st.sidebar.caption(explorer.md(data.project.settings.mission))
_ui.choose_coder()

navigation = st.navigation({
    "Corpus": [page("vue_ensemble", "Vue d'ensemble", "dashboard", default=True),
               page("corpus", "Corpus", "forum"),
               page("recherche", "Recherche", "search")],
    "Codage": [page("codage", "Codage", "edit_note"),
               page("livre_de_codes", "Livre de codes", "account_tree"),
               page("accord", "Accord inter-codeurs", "handshake")],
    "Analyse": [page("parcours", "Parcours", "route"),
                page("themes_emergents", "Thèmes émergents", "bubble_chart"),
                page("exports", "Exports", "download")],
})
navigation.run()
