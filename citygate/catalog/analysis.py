"""Text analysis for the catalogue search: the same steps for the guides and for what people
type, so that both meet as the same terms.

A text becomes weighted terms of several kinds, each a string with a prefix:

- ``w:`` a word, from rjieba's search-mode segmentation with the domain dictionary;
- ``c:`` two characters in a row, so a word the segmenter splits differently, or one wrong
  character, still leaves most of the text matching;
- ``p:`` two pinyin syllables in a row (``p:shen_fen``), which makes a homophone typed by a
  pinyin input method (身份正), a traditional character (身份證) and typed pinyin
  ("shenfenzheng") meet the same terms;
- ``i:`` the pinyin initials of a word (``i:sfz`` for 身份证), ``t:`` three initials in a row of
  a whole name, for people who type initials;
- ``e:`` an English word, stemmed (Snowball) with spellings folded (license → licence);
- ``x:`` a whole name or alias, so an exact match outranks a partial one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

import rjieba
import snowballstemmer
from pypinyin import lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

from citygate.catalog import lexicon

Terms = dict[str, float]


def _source_digest() -> str:
    # Terms stored with an item name the version of the analysis that made them; any change to
    # this module or the lexicon makes a new version, and older stored terms are recomputed.
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in ("analysis.py", "lexicon.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


VERSION = _source_digest()

_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z]+|[0-9]+")
_ENGLISH_WORD = re.compile(r"[a-z]+")
_stemmer = snowballstemmer.stemmer("english")


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits to ASCII), lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def _is_cjk(run: str) -> bool:
    return not run[0].isascii()


# Segmentation ---------------------------------------------------------------------------

_dictionary_words: set[str] = set()


# Raised whenever the dictionary changes: analysed queries of an older dictionary are not reused.
_dictionary_generation = 0


def dictionary_add(words: Iterable[str]) -> None:
    """Adds words to the segmenter's dictionary (idempotent; the dictionary is per process)."""
    added = False
    for word in words:
        if len(word) >= 2 and word not in _dictionary_words and _is_cjk(word):
            # A frequency high enough that the word is kept whole in accurate mode.
            rjieba.add_word(word, 2000, None)
            _dictionary_words.add(word)
            added = True
    if added:
        # Segmentations cached before the new words are no longer what the segmenter gives.
        _content_words.cache_clear()
        _search_words.cache_clear()
        global _dictionary_generation
        _dictionary_generation += 1


def _load_lexicon() -> None:
    dictionary_add(lexicon.DOMAIN_WORDS)
    dictionary_add(lexicon.COLLOQUIAL)
    for targets in lexicon.COLLOQUIAL.values():
        dictionary_add(targets)


@lru_cache(maxsize=65536)
def _content_words(run: str) -> tuple[str, ...]:
    """The words of a run of Chinese characters that say what is wanted (stopwords out)."""
    return tuple(word for word in rjieba.cut(run) if word not in lexicon.STOPWORDS)


@lru_cache(maxsize=65536)
def _search_words(word: str) -> tuple[str, ...]:
    return tuple(rjieba.cut_for_search(word))


@lru_cache(maxsize=65536)
def _syllables(word: str) -> tuple[str, ...]:
    # pypinyin reads a whole word at once, so 银行 and 行走 get their own readings of 行.
    return tuple(lazy_pinyin(word, v_to_u=False))


_load_lexicon()


def _initials(word: str) -> str:
    return "".join(s[0] for s in _syllables(word) if s)


# Pinyin typed in Latin letters -------------------------------------------------------------


def _all_syllables() -> frozenset[str]:
    found: set[str] = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            # ü is written v, as pinyin keyboards type it; the tone marks go.
            spelled = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
            found.add("".join(ch for ch in spelled if not unicodedata.combining(ch)))
    # Interjections written without a vowel (m, ng, hm...) would let initials pass as pinyin.
    return frozenset(s for s in found if any(v in s for v in "aeiouv"))


SYLLABLES = _all_syllables()
_LONGEST_SYLLABLE = max(len(s) for s in SYLLABLES)


@lru_cache(maxsize=16384)
def pinyin_split(token: str) -> tuple[str, ...] | None:
    """ "shenfenzheng" → ("shen", "fen", "zheng"); None when the letters are not pinyin.

    Of the ways to split, the one with the fewest syllables wins ("xian" is 先, not 西安),
    which is how input methods read unbroken pinyin too.
    """
    best: list[tuple[str, ...] | None] = [None] * (len(token) + 1)
    best[0] = ()
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - _LONGEST_SYLLABLE), end):
            before = best[start]
            piece = token[start:end]
            if before is None or piece not in SYLLABLES:
                continue
            candidate = (*before, piece)
            current = best[end]
            if current is None or len(candidate) < len(current):
                best[end] = candidate
    return best[len(token)]


# English -----------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def _english_stems(text: str) -> Iterator[str]:
    for raw in _ENGLISH_WORD.findall(text):
        for word in lexicon.ENGLISH_SPELLINGS.get(raw, raw).split():
            if word not in lexicon.ENGLISH_STOPWORDS and len(word) > 1:
                yield _stem(word)


_ENGLISH_SYNONYMS = {
    word: tuple(_stem(t) for t in targets) for word, targets in lexicon.ENGLISH_SYNONYMS.items()
}


# Terms -------------------------------------------------------------------------------------


def _put(terms: Terms, term: str, weight: float) -> None:
    if weight > terms.get(term, 0.0):
        terms[term] = weight


def _bigrams(items: tuple[str, ...] | str) -> Iterator[tuple[str, str]]:
    return pairwise(items)


def _chinese_terms(
    terms: Terms, words: tuple[str, ...], *, word: float, pair: float, initials: float = 0.0
) -> None:
    """Word, character-pair and pinyin-pair terms of a run's content words."""
    text = "".join(words)
    syllables: list[str] = []
    for content_word in words:
        for piece in _search_words(content_word):
            _put(terms, "w:" + piece, word if len(piece) > 1 else word * 0.4)
            if initials and len(piece) > 1:
                _put(terms, "i:" + _initials(piece), initials)
        syllables.extend(_syllables(content_word))
    for a, b in _bigrams(text):
        _put(terms, f"c:{a}{b}", pair)
    for a, b in _bigrams(tuple(syllables)):
        _put(terms, f"p:{a}_{b}", pair)


def phrase_key(text: str) -> str:
    """A name or query reduced to its content words, for exact-match terms."""
    runs = _RUNS.findall(normalise(text))
    parts: list[str] = []
    for run in runs:
        parts.extend(_content_words(run) if _is_cjk(run) else (run,))
    return "".join(parts)


@dataclass(frozen=True)
class FieldWeights:
    word: float
    pair: float
    initials: float = 0.0
    exact: float = 0.0


def document_terms(terms: Terms, text: str, weights: FieldWeights) -> None:
    """Adds the terms of one field of a guide to `terms` (keeping the highest weight)."""
    text = normalise(text)
    for run in _RUNS.findall(text):
        if _is_cjk(run):
            words = _content_words(run)
            if weights.pair:
                _chinese_terms(
                    terms, words, word=weights.word, pair=weights.pair, initials=weights.initials
                )
            else:
                for content_word in words:
                    for piece in _search_words(content_word):
                        if len(piece) > 1:
                            _put(terms, "w:" + piece, weights.word)
        elif run.isdigit():
            _put(terms, "w:" + run, weights.word)
    if weights.initials:
        initials = "".join(_initials(w) for w in _content_words_of(text))
        for i in range(len(initials) - 2):
            _put(terms, "t:" + initials[i : i + 3], weights.initials * 0.6)
    if weights.exact:
        key = phrase_key(text)
        if key:
            _put(terms, "x:" + key, weights.exact)


def _content_words_of(text: str) -> Iterator[str]:
    for run in _RUNS.findall(text):
        if _is_cjk(run):
            yield from _content_words(run)


def english_terms(terms: Terms, text: str, weight: float) -> None:
    for stem in _english_stems(normalise(text)):
        _put(terms, "e:" + stem, weight)


# Query side ----------------------------------------------------------------------------------

TYPED_WORD = 1.0
TYPED_PAIR = 0.5
TYPED_PINYIN = 0.9
EXPANDED_WORD = 0.7
EXPANDED_PAIR = 0.3
INITIALS = 0.9
ENGLISH = 1.0
ENGLISH_SYNONYM = 0.6
EXACT = 1.0


# One pass over the text: at each place the longest phrase that starts there.
_PHRASES = re.compile(
    "|".join(re.escape(phrase) for phrase in sorted(lexicon.COLLOQUIAL, key=len, reverse=True))
)


def _colloquial_expansions(text: str) -> list[str]:
    """Guide words for the spoken phrases in `text`, left to right, without overlaps."""
    found: list[str] = []
    for match in _PHRASES.finditer(text):
        found.extend(lexicon.COLLOQUIAL[match.group()])
    return found


def _latin_terms(terms: Terms, tokens: list[str]) -> None:
    """English words, pinyin (spaced or not) and pinyin initials, all tried on every token."""
    stream: list[str] = []

    def close_stream() -> None:
        for a, b in _bigrams(tuple(stream)):
            _put(terms, f"p:{a}_{b}", TYPED_PINYIN)
        stream.clear()

    for token in tokens:
        for stem in _english_stems(token):
            _put(terms, "e:" + stem, ENGLISH)
        for target in _ENGLISH_SYNONYMS.get(token, ()):
            _put(terms, "e:" + target, ENGLISH_SYNONYM)

        syllables = pinyin_split(token)
        if syllables:
            stream.extend(syllables)
            continue
        close_stream()
        if 2 <= len(token) <= 8:
            _put(terms, "i:" + token, INITIALS)
            for i in range(len(token) - 2):
                _put(terms, "t:" + token[i : i + 3], INITIALS * 0.5)
    close_stream()


def query_terms(query: str) -> Terms:
    """The weighted terms of what a person typed (callers only read the answer).

    Kept per process for the most recent queries, and for the dictionary they were analysed
    with: people type the same few thousand wordings over and over, and each keystroke of
    typing-ahead repeats most of the one before.
    """
    return _query_terms(query, _dictionary_generation)


@lru_cache(maxsize=4096)
def _query_terms(query: str, generation: int) -> Terms:
    text = normalise(query)
    terms: Terms = {}
    latin: list[str] = []
    for run in _RUNS.findall(text):
        if _is_cjk(run):
            _latin_terms(terms, latin)
            latin = []
            words = _content_words(run)
            _chinese_terms(terms, words, word=TYPED_WORD, pair=TYPED_PAIR)
            for expansion in _colloquial_expansions(run):
                _put(terms, "w:" + expansion, EXPANDED_WORD)
                for a, b in _bigrams(expansion):
                    _put(terms, f"c:{a}{b}", EXPANDED_PAIR)
        elif run.isdigit():
            _put(terms, "w:" + run, TYPED_WORD)
        else:
            latin.append(run)
    _latin_terms(terms, latin)

    key = phrase_key(text)
    if key:
        _put(terms, "x:" + key, EXACT)
    return terms
