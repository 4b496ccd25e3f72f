"""The explorer's library side: what the Streamlit pages (`app_pages/`) need besides widgets.

- `data`: the open project and its frames, cached per version of what each depends on;
- `text`: labels, escaping (transcript text is never rendered as HTML or Markdown), colours,
  a document laid out as a conversation with its coded pieces;
- `coding`: the coding queue, a segment's context, sentences for span coding, codebook edits;
- `figures`: the journey drawn stage by stage, the theme × stage heatmap, the pain curves.

Pages lay out widgets over these and call the library (`store`, `views`, `analysis`, ...)
for every computation and every write.
"""

from .coding import (
    QUEUES,
    coding_queue,
    context,
    next_version,
    sentences,
    span_codings,
    with_code,
)
from .data import (
    DEFAULT_PROJECT,
    PROJECT_ENV,
    Data,
    choices,
    coding_progress,
    data_versions,
    disagreement_table,
    filter_rows,
    load,
    missing_project_message,
    project_path,
    texts_of,
)
from .figures import curve_figure, heatmap_figure, journey_figure
from .text import (
    ACTION_LABELS,
    FAMILY_LABELS,
    GREY,
    OBJECT_LABELS,
    ROLE_LABELS,
    RUN_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    Piece,
    TurnView,
    code_options,
    colour_of,
    conversation,
    conversation_html,
    esc,
    legend_html,
    md,
    plural,
    verbatim_html,
    when,
)

__all__ = [
    "ACTION_LABELS", "OBJECT_LABELS", "DEFAULT_PROJECT", "FAMILY_LABELS", "GREY", "PROJECT_ENV", "QUEUES", "ROLE_LABELS",
    "RUN_LABELS", "STATUS_LABELS", "TYPE_LABELS", "Data", "Piece", "TurnView", "choices",
    "code_options", "coding_progress", "coding_queue", "colour_of", "context", "conversation",
    "conversation_html", "curve_figure", "data_versions", "disagreement_table", "esc",
    "filter_rows", "heatmap_figure", "journey_figure", "legend_html", "load", "md",
    "missing_project_message", "next_version", "plural", "project_path", "sentences",
    "span_codings", "texts_of", "verbatim_html", "when", "with_code",
]
