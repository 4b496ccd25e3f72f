"""The journey chapters of the Word report: map, stages, pain points, publics."""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO

import pandas as pd
from docx.shared import Cm

from ..views import NO_STAGE
from .charts import OVERALL, journey_map_png
from .data import JourneyView
from .wording import fr_pct, plural
from .writer import Writer

MAX_THEMES = 5  # pain points shown per stage
THEME_QUOTES = 2
TOPIC_QUOTES = 3
POSITIVE_QUOTES = 3
SUGGESTION_QUOTES = 5
MIN_PUBLIC_SEGMENTS = 5  # views.pain_curve's default


def write_journey(w: Writer, view: JourneyView) -> None:
    j = view.journey
    stages = view.stages
    coded = int(stages["segments"].sum())
    irritants = int(stages["irritants"].sum())
    w.heading(f"Parcours « {j.label} »", 1)
    if j.description:
        w.para(j.description)
    w.para(f"{plural(view.documents, 'document')}, {plural(coded, 'segment codé', 'segments codés')}"
           f" {w.ref(f'{j.label} : segments codés', _ids(stages, 'segment_ids'))}, dont "
           f"{plural(irritants, 'irritant')} "
           f"{w.ref(f'{j.label} : irritants', _ids(stages, 'irritants_ids'))}.")
    _map_section(w, view)
    for _, stage in stages.iterrows():
        if stage["segments"]:
            _stage_section(w, view, stage)
    _publics_section(w, view)


def _ids(frame: pd.DataFrame, column: str) -> list[str]:
    return [i for ids in frame[column] for i in ids]


def _map_section(w: Writer, view: JourneyView) -> None:
    label = view.journey.label
    w.heading("Carte du parcours", 2)
    w.para("Les étapes se lisent de gauche à droite dans l'ordre du parcours. En haut, "
           "l'intensité des irritants : la part des segments codés de l'étape marqués comme "
           "irritants, pour l'ensemble et pour chaque public assez représenté ; en bas, le "
           "nombre de segments irritants par thème et par étape.")
    w.doc.add_picture(BytesIO(journey_map_png(view)), width=Cm(16))
    w.captions.add(w.doc, "Figure", f"Carte du parcours « {label} »")
    rows = []
    for _, s in view.stages.iterrows():
        rows.append([s["etape"], s["segments"], s["irritants"], s["positifs"], s["suggestions"],
                     fr_pct(s["intensite"]), w.ref(f"{label} — {s['etape']} : segments codés",
                                                   s["segment_ids"])])
    w.table(f"Étapes du parcours « {label} »",
            ["Étape", "Segments codés", "Irritants", "Points d'appui", "Suggestions",
             "Intensité", "Réf."], rows, [3.3, 2.4, 2.0, 1.9, 2.6, 2.0, 1.4])


def _stage_title(stage: Mapping) -> str:
    if stage["etape"] == NO_STAGE:
        return "Étape non précisée"
    return f"Étape {int(stage['ordre']) + 1} — {stage['etape']}"


def _stage_section(w: Writer, view: JourneyView, stage: Mapping) -> None:
    w.heading(_stage_title(stage), 2)
    where = f"{view.journey.label} — {stage['etape']}"
    w.para(f"{plural(int(stage['segments']), 'segment codé', 'segments codés')} "
           f"{w.ref(f'{where} : segments codés', stage['segment_ids'])}, dont "
           f"{plural(int(stage['irritants']), 'irritant')} ({fr_pct(stage['intensite'])}).")
    used: set[str] = set()
    w.heading("Principaux irritants", 3)
    _pain_themes(w, view, stage, where, used)
    _pain_topics(w, view, stage, where, used)
    w.heading("Points d'appui", 3)
    _valence_block(w, stage, "positifs", where, "point d'appui", "points d'appui",
                   POSITIVE_QUOTES, used)
    w.heading("Suggestions des usagers", 3)
    _valence_block(w, stage, "suggestions", where, "suggestion", "suggestions",
                   SUGGESTION_QUOTES, used)


def _pain_themes(w: Writer, view: JourneyView, stage: Mapping, where: str,
                 used: set[str]) -> None:
    total = int(stage["irritants"])
    if not total:
        w.para("Aucun irritant codé à cette étape.")
        return
    cells = view.map[(view.map["stage"] == stage["stage"]) & (view.map["irritants"] > 0)]
    cells = cells.sort_values("irritants", ascending=False, kind="stable").head(MAX_THEMES)
    for _, cell in cells.iterrows():
        n = int(cell["irritants"])
        w.bullet(f" — {plural(n, 'segment irritant', 'segments irritants')}, "
                 f"{fr_pct(n / total)} des irritants de l'étape "
                 f"{w.ref(f'{where} : irritants « {cell.theme_libelle} »', cell['irritants_ids'])}",
                 bold=cell["theme_libelle"])
        w.quotes(cell["irritants_ids"], THEME_QUOTES, used)
    if not len(cells):
        w.para(f"{plural(total, 'irritant')} sans thème codé "
               f"{w.ref(f'{where} : irritants', stage['irritants_ids'])}.")


def _pain_topics(w: Writer, view: JourneyView, stage: Mapping, where: str,
                 used: set[str]) -> None:
    topics = w.data.topics
    if not len(topics) or stage["stage"] is None:
        return
    mine = topics[(topics["journey"] == view.journey.id) & (topics["stage"] == stage["stage"])]
    if not len(mine):
        return
    w.para("Sujets émergents (modèle de sujets sur les segments irritants) :")
    for _, topic in mine.sort_values("count", ascending=False, kind="stable").iterrows():
        coded = w.data.coded
        members = coded.loc[coded["topic_key"] == topic["topic_key"], "segment_id"].tolist()
        w.bullet(f" — {plural(int(topic['count']), 'segment')}, {fr_pct(topic['share'])} des "
                 f"segments irritants de l'étape "
                 f"{w.ref(f'{where} : sujet « {topic.label} »', members)}",
                 bold=f"« {topic['label']} »")
        w.quotes(list(topic["examples"]), TOPIC_QUOTES, used)


def _valence_block(w: Writer, stage: Mapping, column: str, where: str, one: str, many: str,
                   quotes: int, used: set[str]) -> None:
    ids = list(stage[f"{column}_ids"])
    if not ids:
        w.para(f"Aucun{'e' if one == 'suggestion' else ''} {one} codé"
               f"{'e' if one == 'suggestion' else ''} à cette étape.")
        return
    w.para(f"{plural(len(ids), one, many)} {w.ref(f'{where} : {many}', ids)}.")
    w.quotes(ids, quotes, used)


def _publics_section(w: Writer, view: JourneyView) -> None:
    w.heading("Différences entre publics", 2)
    curve = view.curve
    groups = [g for g in dict.fromkeys(curve["groupe"]) if g != OVERALL]
    if not groups:
        w.para("Les données ne permettent pas de comparer les publics : il faut au moins "
               f"{MIN_PUBLIC_SEGMENTS} segments codés pour un public dans ce parcours.")
        return
    w.para("Intensité des irritants par étape et par public (part des segments codés de "
           f"l'étape marqués irritants ; publics ayant au moins {MIN_PUBLIC_SEGMENTS} segments "
           "codés dans le parcours).")
    rows = []
    for stage in view.journey.stages:
        row = [stage.label]
        for group in [OVERALL, *groups]:
            cell = curve[(curve["groupe"] == group) & (curve["stage"] == stage.id)]
            if not len(cell) or not cell.iloc[0]["segments"]:
                row.append("—")
                continue
            c = cell.iloc[0]
            ref = w.ref(f"{view.journey.label} — {stage.label} — {group} : segments codés",
                        c["segment_ids"])
            row.append(f"{fr_pct(c['intensite'])} ({c['irritants']}/{c['segments']}) {ref}")
        rows.append(row)
    share = 12.0 / (len(groups) + 1)
    w.table(f"Intensité des irritants par public — « {view.journey.label} »",
            ["Étape", OVERALL, *groups], rows, [4.0] + [share] * (len(groups) + 1))
