"""Read and write codebooks: YAML (authoring), XLSX (one row per code), REFI-QDA `.qdc`.

The format comes from the file suffix. `import_codebook` reads any of them leniently and
returns French warnings about what it dropped or guessed; `load_codebook` also requires the
three families (themes, valence, journeys): the codebook a project codes with.

Text fields are stripped on reading, so `load(save(load(f))) == load(f)` for every format;
`.qdc` keeps every code field (in a labelled Description) but not the codebook description.

- `files`: `import_codebook`, `load_codebook`, `save_codebook`, `convert_codebook` (by suffix);
- `yaml_format`, `xlsx_format`, `qdc_format`: one module per format, a reader and a writer;
- `_common`: `Parsed` (what a reader found) and the loose values -> `Code` conversion.
"""

from ._common import (
    FAMILY_FRENCH,
    ID_PREFIX,
    LIST_FIELDS,
    TEXT_FIELDS,
    Parsed,
)
from .files import (
    READ_SUFFIXES,
    WRITE_SUFFIXES,
    YAML_SUFFIXES,
    convert_codebook,
    import_codebook,
    load_codebook,
    save_codebook,
)
from .qdc_format import (
    QDC_NAMESPACE,
    parse_refi,
    qdc_bytes,
)
from .xlsx_format import (
    META_SHEET,
    XLSX_COLUMNS,
    parse_xlsx,
    xlsx_bytes,
)
from .yaml_format import (
    CODE_KEYS,
    OPTIONAL_FIELDS,
    SECTIONS,
    TOP_KEYS,
    YAML_HEADER,
    dump_yaml,
    parse_yaml,
)

__all__ = [
    "CODE_KEYS",
    "FAMILY_FRENCH",
    "ID_PREFIX",
    "LIST_FIELDS",
    "META_SHEET",
    "OPTIONAL_FIELDS",
    "Parsed",
    "QDC_NAMESPACE",
    "READ_SUFFIXES",
    "SECTIONS",
    "TEXT_FIELDS",
    "TOP_KEYS",
    "WRITE_SUFFIXES",
    "XLSX_COLUMNS",
    "YAML_HEADER",
    "YAML_SUFFIXES",
    "convert_codebook",
    "dump_yaml",
    "import_codebook",
    "load_codebook",
    "parse_refi",
    "parse_xlsx",
    "parse_yaml",
    "qdc_bytes",
    "save_codebook",
    "xlsx_bytes",
]
