"""Journey-map pictures for the Word report, drawn offline with matplotlib (Agg, no pyplot).

A journey map reads left to right in time order: on top the pain intensity per stage (share of
the stage's coded segments marked irritant), overall and per public; below, a stage × theme
heatmap of irritant counts. Returns PNG bytes.
"""

from __future__ import annotations

import textwrap
from io import BytesIO

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .data import JourneyView

OVERALL = "Ensemble"
DPI = 150
MAX_GROUPS = 4  # publics drawn on the curve (the largest); the report's table has them all


def _wrap(label: str, width: int) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def _stage_labels(view: JourneyView) -> list[str]:
    counts = dict(zip(view.stages["stage"], view.stages["segments"]))
    return [f"{_wrap(f'{s.order + 1}. {s.label}', 13)}\n(n={counts.get(s.id, 0)})"
            for s in view.journey.stages]


def _groups(curve: pd.DataFrame) -> list[str]:
    sizes = curve[curve["groupe"] != OVERALL].groupby("groupe")["segments"].sum()
    return [OVERALL, *sizes.sort_values(ascending=False, kind="stable").index[:MAX_GROUPS]]


def _curve(ax, view: JourneyView) -> None:
    curve = view.curve
    order = {s.id: i for i, s in enumerate(view.journey.stages)}
    for group in _groups(curve):
        rows = curve[curve["groupe"] == group]
        rows = rows.assign(x=rows["stage"].map(order)).sort_values("x")
        main = group == OVERALL
        ax.plot(rows["x"], rows["intensite"] * 100, marker="o", markersize=4 if main else 3,
                linewidth=2.5 if main else 1.1, linestyle="-" if main else "--",
                color="#B2182B" if main else None, label=_wrap(group, 28), zorder=3 if main else 2)
    ax.set_ylim(-5, 108)
    ax.set_ylabel("Irritants (% des\nsegments codés)", fontsize=8)
    ax.tick_params(axis="y", labelsize=7)
    ax.tick_params(axis="x", labelbottom=False)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False,
              ncol=min(len(_groups(curve)), 3))


def heat_table(view: JourneyView) -> pd.DataFrame:
    """Themes (rows, only those present) × stages (columns, time order): irritant counts."""
    stages = [s.id for s in view.journey.stages]
    m = view.map
    if not len(m):
        return pd.DataFrame(columns=stages)
    table = m.pivot_table(index="theme_libelle", columns="stage", values="irritants",
                          aggfunc="sum", fill_value=0, sort=False)
    table = table.reindex(columns=stages, fill_value=0)
    return table[table.sum(axis=1) > 0]


def _heatmap(ax, view: JourneyView) -> None:
    table = heat_table(view)
    n = len(view.journey.stages)
    ax.set_xticks(range(n), _stage_labels(view), fontsize=7)
    ax.set_title("Segments irritants par thème et par étape", fontsize=8)
    if not len(table):
        ax.text((n - 1) / 2, 0, "Aucun irritant codé pour ce parcours", ha="center",
                va="center", fontsize=9)
        ax.set_yticks([])
        return
    values = table.to_numpy(dtype=float)
    ax.imshow(values, cmap="Reds", aspect="auto", vmin=0, vmax=max(values.max(), 1))
    for (i, j), v in np.ndenumerate(values):
        if v:
            ax.text(j, i, f"{int(v)}", ha="center", va="center", fontsize=7,
                    color="white" if v > values.max() * 0.6 else "black")
    ax.set_yticks(range(len(table.index)), [_wrap(t, 34) for t in table.index], fontsize=7)


def journey_map_png(view: JourneyView) -> bytes:
    """The journey map picture of one journey (PNG): curve above, heatmap below, same x."""
    rows = max(len(heat_table(view)), 1)
    fig = Figure(figsize=(9.0, 3.6 + 0.3 * rows), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, sharex=True,
                               gridspec_kw={"height_ratios": [1.2, 0.4 + 0.16 * rows]})
    fig.suptitle(f"{view.journey.label} — intensité des irritants par étape", fontsize=9)
    _curve(top, view)
    _heatmap(bottom, view)
    top.set_xlim(-0.5, len(view.journey.stages) - 0.5)
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
