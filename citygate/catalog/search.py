"""The catalogue search: an in-memory inverted index over the published guides.

Ranking is relevance first, popularity second. Relevance sums, over the terms a query shares
with an item, the query term's weight × the term's rarity (idf) × how prominent the term is
in the item (its name weighs more than its materials). Popularity (how often the guide is
opened) adds a small amount that only separates near-equal scores.

Each term's postings are kept best first (prominence, then popularity), and a query reads at
most `CHAMPIONS` of them per term (a "champion list"): the cost of a query is bounded by the
number of its terms, not by the size of the catalogue, which keeps typing-ahead instant at
100,000 items. The few common terms whose lists are cut off are the ones that say least about
which item is meant.

Every server process builds its own index from the database and rebuilds it when the
catalogue's state token (replaced by every publication) changes; the token is read from the
cache, so a search usually costs no query at all.
"""

from __future__ import annotations

import heapq
import math
import threading
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import connection

from citygate.catalog import analysis
from citygate.catalog.analysis import FieldWeights, Terms
from citygate.catalog.models import ItemStatus, ServiceItem
from citygate.catalog.selectors import catalogue_version

CHAMPIONS = 160
# Answers kept per index for repeated searches (each a few hundred bytes): people search the
# same wordings over and over, and typing-ahead repeats most of what it asked a moment ago.
RESULTS_KEPT = 4096
# A result must score at least this, and at least this share of the best result's score.
MIN_SCORE = 2.0
MIN_SHARE = 0.25
POPULARITY_WEIGHT = 0.3
MAX_QUERY_LENGTH = 64

NAME = FieldWeights(word=3.0, pair=3.0, initials=3.0, exact=8.0)
ALIAS = FieldWeights(word=2.6, pair=2.4, initials=2.4, exact=7.0)
KEYWORD = FieldWeights(word=2.0, pair=1.6, initials=1.8, exact=3.0)
SUMMARY = FieldWeights(word=1.2, pair=0.8)
QUESTION = FieldWeights(word=1.0, pair=0.7)
RESULT = FieldWeights(word=1.0, pair=0.8)
DEPARTMENT = FieldWeights(word=0.8, pair=0.0)
MATERIAL = FieldWeights(word=0.5, pair=0.0)
CONDITIONS = FieldWeights(word=0.4, pair=0.0)
ENGLISH_NAME = 3.0
ENGLISH_SUMMARY = 1.0


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """What the index keeps of an item: enough to rank, filter and show a result."""

    code: str
    name: str
    name_en: str
    department_code: str
    department_name: str
    department_name_en: str
    district_code: str
    category: str
    for_person: bool
    for_enterprise: bool
    can_apply_online: bool
    appointment: bool
    popularity: int
    summary: str
    summary_en: str


@dataclass(frozen=True)
class SearchHit:
    doc: SearchDoc
    score: float


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    total: int


def doc_terms(*, content: dict[str, Any], department_name: str, department_name_en: str) -> Terms:
    """The weighted terms of one item's guide (see `analysis`)."""
    terms: Terms = {}
    analysis.document_terms(terms, content.get("name", ""), NAME)
    for alias in content.get("aliases", ()):
        analysis.document_terms(terms, alias, ALIAS)
    for keyword in content.get("keywords", ()):
        analysis.document_terms(terms, keyword, KEYWORD)
    analysis.document_terms(terms, content.get("summary", ""), SUMMARY)
    analysis.document_terms(terms, content.get("result", ""), RESULT)
    for question in content.get("faq", ()):
        analysis.document_terms(terms, question.get("question", ""), QUESTION)
    analysis.document_terms(terms, department_name, DEPARTMENT)
    for material in content.get("materials", ()):
        analysis.document_terms(terms, material.get("name", ""), MATERIAL)
    analysis.document_terms(terms, content.get("conditions", ""), CONDITIONS)
    analysis.english_terms(terms, content.get("name_en", ""), ENGLISH_NAME)
    analysis.english_terms(terms, content.get("summary_en", ""), ENGLISH_SUMMARY)
    analysis.english_terms(terms, department_name_en, DEPARTMENT.word)
    return terms


def stored_terms(
    *, content: dict[str, Any], department_name: str, department_name_en: str
) -> dict[str, Any]:
    """An item's terms in the form `ServiceItem.search_terms` keeps them."""
    # An item's own aliases and keywords are words of the segmenter when its terms are made.
    analysis.dictionary_add([*content.get("aliases", ()), *content.get("keywords", ())])
    terms = doc_terms(
        content=content, department_name=department_name, department_name_en=department_name_en
    )
    return {"v": analysis.VERSION, "t": {term: round(weight, 3) for term, weight in terms.items()}}


class SearchIndex:
    def __init__(self, entries: Iterable[tuple[SearchDoc, Terms]]) -> None:
        """Builds the index from each item's doc and terms (the terms are not kept)."""
        self.docs: list[SearchDoc] = []
        building: dict[str, tuple[array[int], array[float]]] = {}
        for number, (doc, terms) in enumerate(entries):
            self.docs.append(doc)
            for term, weight in terms.items():
                entry = building.get(term)
                if entry is None:
                    entry = building[term] = (array("I"), array("f"))
                entry[0].append(number)
                entry[1].append(weight)

        count = max(len(self.docs), 1)
        popularity = [doc.popularity for doc in self.docs]
        self.postings: dict[str, tuple[array[int], array[float], float]] = {}
        while building:
            term, (numbers, weights) = building.popitem()
            idf = math.log(1.0 + count / len(numbers))
            if len(numbers) > 1:
                order = sorted(
                    range(len(numbers)), key=lambda i: (-weights[i], -popularity[numbers[i]])
                )[:CHAMPIONS]
                numbers = array("I", (numbers[i] for i in order))
                weights = array("f", (weights[i] for i in order))
            # Only the champions are kept: a query never reads further.
            self.postings[term] = (numbers, weights, idf)

        # Popularity's share of the ranking, per item: it only separates near-equal scores.
        self.popularity_boost = array(
            "f", (POPULARITY_WEIGHT * math.log1p(doc.popularity) for doc in self.docs)
        )
        # The answers to the most recent searches of this index: an index never changes, so
        # an answer holds as long as the index does (a new catalogue makes a new index).
        self._answers = lru_cache(maxsize=RESULTS_KEPT)(self._search)

    def __len__(self) -> int:
        return len(self.docs)

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        department: str = "",
        district: str = "",
        audience: str = "",
    ) -> SearchResult:
        """The best `limit` items for the query, and how many matched (callers only read it)."""
        return self._answers(query[:MAX_QUERY_LENGTH], limit, department, district, audience)

    def _search(
        self, query: str, limit: int, department: str, district: str, audience: str
    ) -> SearchResult:
        terms = analysis.query_terms(query)
        scores: dict[int, float] = {}
        for term, query_weight in terms.items():
            posting = self.postings.get(term)
            if posting is None:
                continue
            numbers, weights, idf = posting
            factor = query_weight * idf
            for number, weight in zip(numbers, weights, strict=True):
                scores[number] = scores.get(number, 0.0) + factor * weight

        if department or district or audience:
            docs = self.docs
            scores = {
                number: score
                for number, score in scores.items()
                if self._admits(docs[number], department, district, audience)
            }
        if not scores:
            return SearchResult(hits=[], total=0)
        floor = max(MIN_SCORE, max(scores.values()) * MIN_SHARE)
        boost = self.popularity_boost
        kept = [
            (score + boost[number], number) for number, score in scores.items() if score >= floor
        ]
        top = heapq.nlargest(limit, kept)
        hits = [SearchHit(doc=self.docs[number], score=score) for score, number in top]
        return SearchResult(hits=hits, total=len(kept))

    @staticmethod
    def _admits(doc: SearchDoc, department: str, district: str, audience: str) -> bool:
        if department and doc.department_code != department:
            return False
        # A city-level item serves every district.
        if district and doc.district_code not in ("", district):
            return False
        if audience == "person" and not doc.for_person:
            return False
        return not (audience == "enterprise" and not doc.for_enterprise)


def _dictionary_from_catalog() -> None:
    """Every published item's aliases and keywords become words of the segmenter, so that a
    query is cut into the words the departments use."""
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
    words: set[str] = set()
    for aliases, keywords in published.values_list("content__aliases", "content__keywords"):
        words.update(aliases or ())
        words.update(keywords or ())
    analysis.dictionary_add(words)


def docs_from_catalog() -> Iterator[tuple[SearchDoc, Terms]]:
    """Every published item as a `SearchDoc` with its terms (two queries)."""
    _dictionary_from_catalog()
    rows = (
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
        .values_list(
            "code",
            "content",
            "department__code",
            "department__name_zh",
            "department__name_en",
            "district__code",
            "category",
            "for_person",
            "for_enterprise",
            "can_apply_online",
            "appointment",
            "popularity",
            "search_terms",
        )
        .order_by("pk")
    )
    for (
        code,
        content,
        department_code,
        department_name,
        department_name_en,
        district_code,
        category,
        for_person,
        for_enterprise,
        can_apply_online,
        appointment,
        popularity,
        search_terms,
    ) in rows.iterator(chunk_size=2000):
        doc = SearchDoc(
            code=code,
            name=content.get("name", ""),
            name_en=content.get("name_en", ""),
            department_code=department_code,
            department_name=department_name,
            department_name_en=department_name_en,
            district_code=district_code or "",
            category=category,
            for_person=for_person,
            for_enterprise=for_enterprise,
            can_apply_online=can_apply_online,
            appointment=appointment,
            popularity=popularity,
            summary=content.get("summary", ""),
            summary_en=content.get("summary_en", ""),
        )
        if search_terms.get("v") == analysis.VERSION:
            terms = search_terms["t"]
        else:
            # Stored by an older analysis (or never): computed now, and stored again at the
            # item's next publication or by `manage.py reindex_catalogue`.
            terms = doc_terms(
                content=content,
                department_name=department_name,
                department_name_en=department_name_en,
            )
        yield doc, terms


_lock = threading.Lock()
_built: dict[str, tuple[str, SearchIndex]] = {}
_building: dict[str, threading.Thread] = {}
# Up to this many items an index is rebuilt inside the query that finds it stale (well under a
# second). A bigger catalogue is rebuilt in the background while the old index answers, so a
# publication never stalls searching (at 100k items a build takes half a minute).
SYNC_REBUILD_MAX_ITEMS = 5000


def _build(key: str, token: str) -> SearchIndex:
    index = SearchIndex(docs_from_catalog())
    _built[key] = (token, index)
    return index


def _build_in_background(key: str, token: str) -> None:
    def run() -> None:
        try:
            _build(key, token)
        finally:
            _building.pop(key, None)
            connection.close()

    with _lock:
        if key in _building:
            return
        thread = threading.Thread(target=run, name="catalog-search-index", daemon=True)
        _building[key] = thread
    thread.start()


def current_index() -> SearchIndex:
    """This process's index of the published catalogue, rebuilt when the catalogue changed."""
    token = catalogue_version()
    # One index per database: the test suite and the benchmarks switch between them.
    key = str(connection.settings_dict.get("NAME") or "")
    built = _built.get(key)
    if built is not None and built[0] == token:
        return built[1]
    if built is not None and len(built[1]) > SYNC_REBUILD_MAX_ITEMS:
        _build_in_background(key, token)
        return built[1]
    with _lock:
        built = _built.get(key)
        if built is not None and built[0] == token:
            return built[1]
        return _build(key, token)
