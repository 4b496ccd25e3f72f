"""Journey figures (plotly): stages as boxes in time order with the pain curve, the theme ×
stage heatmap, the pain curve per public. Labels are escaped (plotly reads a little HTML)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .text import esc, plural


def _wrap(text: str, width: int = 16) -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join(esc(x) for x in [*lines, line])


def journey_figure(stages: pd.DataFrame, title: str) -> go.Figure:
    """Stages left to right as boxes with their counts, the pain-intensity curve beneath.

    Stage names are wrapped to the width a box has (more stages, narrower boxes) and the box
    grows with the longest name, so names and counts never overlap; the curve's points sit
    under their boxes, which name them."""
    placed = stages[stages["stage"].notna()].reset_index(drop=True)
    width = max(10, min(22, 110 // max(1, len(placed))))
    names = [_wrap(name, width) for name in placed["etape"]]
    lines = max((n.count("<br>") + 1 for n in names), default=1)
    split, line = 1.5, 0.1  # the names stand above `split`, the counts below it
    top = split + 0.06 + line * lines
    shapes, notes = [], []
    for i, row in enumerate(placed.itertuples(index=False)):
        heat = min(1.0, float(row.intensite))
        shapes.append({"type": "rect", "x0": i - 0.44, "x1": i + 0.44, "y0": 1.12, "y1": top,
                       "fillcolor": f"rgba(213, 94, 0, {0.12 + 0.5 * heat:.2f})",
                       "line": {"color": "#444", "width": 1}})
        notes.append({"x": i, "y": split, "yanchor": "bottom", "text": f"<b>{names[i]}</b>",
                      "showarrow": False, "font": {"color": "#222", "size": 12}})
        notes.append({"x": i, "y": split - 0.02, "yanchor": "top", "showarrow": False,
                      "font": {"size": 11, "color": "#222"},
                      "text": "<br>".join((plural(row.irritants, "irritant"),
                                           plural(row.positifs, "point d'appui",
                                                  "points d'appui"),
                                           plural(row.suggestions, "suggestion")))})
        if i < len(placed) - 1:
            middle = (1.12 + top) / 2
            notes.append({"x": i + 0.56, "y": middle, "ax": i + 0.44, "ay": middle, "xref": "x",
                          "yref": "y", "axref": "x", "ayref": "y", "showarrow": True,
                          "arrowhead": 3, "text": ""})
    fig = go.Figure(go.Scatter(
        x=list(range(len(placed))), y=placed["intensite"].tolist(), mode="lines+markers+text",
        text=[f"{v:.0%}" for v in placed["intensite"]], textposition="top center",
        customdata=[esc(s) for s in placed["etape"]],
        hovertemplate="%{customdata} : %{y:.0%} d'irritants<extra></extra>",
        name="Intensité de la douleur", line={"color": "#D55E00", "width": 3}))
    fig.update_layout(
        title=esc(title), height=400 + 22 * lines, showlegend=False,
        margin={"l": 40, "r": 20, "b": 20}, plot_bgcolor="white", shapes=shapes,
        annotations=notes,
        xaxis={"tickvals": list(range(len(placed))), "showticklabels": False,
               "range": [-0.6, len(placed) - 0.4], "zeroline": False},
        yaxis={"range": [-0.1, top + 0.08], "tickvals": [0, 0.5, 1],
               "ticktext": ["0 %", "50 %", "100 %"], "title": "Part d'irritants",
               "gridcolor": "#eee"})
    return fig


def heatmap_figure(jmap: pd.DataFrame) -> go.Figure:
    """Themes × stages (time order): segments coded with the theme at the stage."""
    stages = list(dict.fromkeys(jmap.sort_values("ordre")["etape"]))
    themes = list(dict.fromkeys(jmap["theme_libelle"]))
    grid = jmap.pivot_table(index="theme_libelle", columns="etape", values="segments",
                            aggfunc="sum").reindex(index=themes, columns=stages).fillna(0)
    fig = go.Figure(go.Heatmap(
        z=grid.values, x=[_wrap(s, 18) for s in stages], y=[esc(t) for t in themes],
        text=grid.values.astype(int), texttemplate="%{text}", colorscale="Reds", showscale=False,
        hovertemplate="%{y} × %{x} : %{z} segments<extra></extra>"))
    fig.update_layout(height=120 + 32 * len(themes), margin={"l": 10, "r": 10, "t": 30},
                      xaxis={"tickangle": 0, "side": "bottom"},
                      yaxis={"autorange": "reversed"})  # codebook order, top down
    return fig


def curve_figure(curve: pd.DataFrame) -> go.Figure:
    """Pain intensity per stage (time order), one line per group (Ensemble, then publics)."""
    fig = go.Figure()
    for group, rows in curve.sort_values("ordre").groupby("groupe", sort=False):
        fig.add_trace(go.Scatter(x=[_wrap(s, 18) for s in rows["etape"]], y=rows["intensite"],
                                 mode="lines+markers", name=esc(group)))
    fig.update_layout(height=360, margin={"t": 20}, xaxis={"tickangle": 0},
                      yaxis={"tickformat": ".0%", "title": "Part d'irritants"})
    return fig
