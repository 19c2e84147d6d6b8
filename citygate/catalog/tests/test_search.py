"""The catalogue search: what residents type finds the service they mean."""

from __future__ import annotations

import pytest

from citygate.catalog import analysis
from citygate.catalog.models import ServiceItem
from citygate.catalog.search import current_index
from citygate.catalog.services import item_viewed
from citygate.catalog.tests.factories import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue() -> dict[str, ServiceItem]:
    return {
        "replace": publish(
            "居民身份证补领",
            name_en="Replacing a lost resident ID card",
            aliases=["身份证丢了", "补办身份证"],
            keywords=["身份证", "补领"],
        ),
        "renew": publish(
            "居民身份证换领",
            name_en="Renewing a resident ID card",
            aliases=["身份证到期换证"],
            keywords=["身份证", "换领"],
        ),
        "water": publish(
            "水费缴纳",
            department="water-group",
            name_en="Paying the water bill",
            category="utilities",
            keywords=["水费", "缴费"],
        ),
        "fund": publish(
            "住房公积金提取（租房）",
            department="housing-fund",
            name_en="Housing fund withdrawal for rent",
            category="housing-fund",
            keywords=["公积金", "租房"],
        ),
        "company": publish(
            "公司设立登记",
            department="market-regulation",
            name_en="Registering a company",
            category="business",
            audience=["enterprise"],
            keywords=["营业执照", "注册公司"],
        ),
        "local": publish(
            "农村宅基地使用审批",
            department="agriculture",
            district="320506",
            category="civil-affairs",
        ),
    }


def top(query: str, **filters: str) -> list[str]:
    return [hit.doc.name for hit in current_index().search(query, limit=3, **filters).hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("居民身份证补领", "居民身份证补领"),
        ("身份证丢了怎么办", "居民身份证补领"),
        ("钱包掉了身份证没了", "居民身份证补领"),
        ("身份证过期了", "居民身份证换领"),
        ("交水费", "水费缴纳"),
        ("租房提公积金", "住房公积金提取（租房）"),
        ("想开个公司", "公司设立登记"),
    ],
)
def test_search_spoken_chinese_finds_the_item_first(
    catalogue: dict[str, ServiceItem], query: str, expected: str
) -> None:
    assert top(query)[0] == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("身份正补领", "居民身份证补领"),  # a homophone from a pinyin input method
        ("身份證補領", "居民身份证补领"),  # traditional characters
        ("shenfenzheng buling", "居民身份证补领"),  # spaced pinyin
        ("gongjijintiqu", "住房公积金提取（租房）"),  # unbroken pinyin
        ("sfzbl", "居民身份证补领"),  # initials
        ("ＳＦＺ补领", "居民身份证补领"),  # full-width initials with Chinese
    ],
)
def test_search_typos_pinyin_and_initials_find_the_item(
    catalogue: dict[str, ServiceItem], query: str, expected: str
) -> None:
    assert top(query)[0] == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lost ID card", "居民身份证补领"),
        ("water bill", "水费缴纳"),
        ("register a company", "公司设立登记"),
        ("renew my id card", "居民身份证换领"),
    ],
)
def test_search_english_finds_items_by_their_english_names(
    catalogue: dict[str, ServiceItem], query: str, expected: str
) -> None:
    assert top(query)[0] == expected


def test_search_nonsense_finds_nothing(catalogue: dict[str, ServiceItem]) -> None:
    result = current_index().search("天气预报")
    assert result.total == 0
    assert result.hits == []


def test_search_filters_by_department_audience_and_district(
    catalogue: dict[str, ServiceItem],
) -> None:
    assert top("身份证", department="water-group") == []
    assert top("公司", audience="person") == []
    assert top("公司", audience="enterprise") == ["公司设立登记"]
    # A district's own item shows for that district only; city-level items show everywhere.
    assert top("宅基地", district="320506") == ["农村宅基地使用审批"]
    assert top("宅基地", district="320508") == []
    assert top("水费", district="320508") == ["水费缴纳"]


def test_search_equal_relevance_is_ordered_by_popularity(
    catalogue: dict[str, ServiceItem],
) -> None:
    # given two items equally relevant to "身份证"
    before = top("身份证")
    loser = catalogue["renew"] if before[0] == "居民身份证补领" else catalogue["replace"]

    # when the other one is opened far more often
    item_viewed(code=loser.code, count=5000)
    publish("居民身份证使用说明")  # any publication refreshes the index

    # then it comes first
    assert top("身份证")[0] == loser.name_zh


def test_search_index_follows_publication_and_withdrawal(
    catalogue: dict[str, ServiceItem],
) -> None:
    from citygate.catalog.models import CatalogState, ItemStatus

    assert top("图书馆读者证") == []
    publish("图书馆读者证办理", department="culture-tourism", category="education")
    assert top("图书馆读者证") == ["图书馆读者证办理"]

    ServiceItem.objects.filter(name_zh="图书馆读者证办理").update(status=ItemStatus.WITHDRAWN)
    CatalogState.bump()
    assert top("图书馆读者证") == []


def test_pinyin_split_prefers_fewest_syllables_and_refuses_non_pinyin() -> None:
    assert analysis.pinyin_split("shenfenzheng") == ("shen", "fen", "zheng")
    assert analysis.pinyin_split("xian") == ("xian",)
    assert analysis.pinyin_split("sfz") is None
    assert analysis.pinyin_split("lvyou") == ("lv", "you")


def test_query_terms_of_an_overlong_or_odd_query_are_bounded() -> None:
    # A query of any shape is analysed without error: emoji, control characters, digits.
    for text in ["😀" * 500, "\x00\x1f", "1" * 300, "a" * 300, " ", "身份证" * 100]:
        terms = analysis.query_terms(text[:64])
        assert len(terms) < 400


def test_terms_stored_by_an_older_analysis_are_recomputed_and_reindexed(
    catalogue: dict[str, ServiceItem],
) -> None:
    from citygate.catalog.services import catalogue_reindex

    # given an item whose stored terms an earlier analysis made (and say nothing now)
    ServiceItem.objects.filter(pk=catalogue["water"].pk).update(
        search_terms={"v": "older", "t": {"w:nothing": 1.0}}
    )
    from citygate.catalog.models import CatalogState

    CatalogState.bump()

    # then the index does not trust them, and the command stores fresh ones
    assert top("交水费")[0] == "水费缴纳"
    assert catalogue_reindex() == 1
    catalogue["water"].refresh_from_db()
    assert catalogue["water"].search_terms["v"] == analysis.VERSION
    assert catalogue_reindex() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_big_catalogue_index_is_rebuilt_in_the_background_while_the_old_one_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from citygate.catalog import search

    # given a catalogue treated as big, and its index built
    monkeypatch.setattr(search, "SYNC_REBUILD_MAX_ITEMS", 0)
    monkeypatch.setattr(search, "_built", {})  # no index left by another test's catalogue
    publish("居民身份证补领")
    old = current_index()

    # when a new item is published
    publish("图书馆读者证办理", department="culture-tourism")

    # then the next search is answered at once by the old index, and the new one follows
    assert current_index() is old
    for thread in list(search._building.values()):
        thread.join(timeout=30)
    fresh = current_index()
    assert fresh is not old
    assert [hit.doc.name for hit in fresh.search("图书馆读者证").hits] == ["图书馆读者证办理"]


def test_a_query_is_analysed_again_once_the_dictionary_learns_a_word() -> None:
    # given a wording the segmenter splits, analysed (and so remembered) once
    before = analysis.query_terms("鲈乡小馄饨")
    # when the dictionary learns it as one word
    analysis.dictionary_add(["鲈乡小馄饨"])
    # then the same query is analysed with the new word, not answered from memory
    after = analysis.query_terms("鲈乡小馄饨")
    assert "w:鲈乡小馄饨" in after
    assert "w:鲈乡小馄饨" not in before


def test_a_repeated_search_is_answered_alike_and_a_new_catalogue_answers_anew(
    catalogue: dict[str, ServiceItem],
) -> None:
    first = current_index().search("身份证丢了")
    assert current_index().search("身份证丢了") == first
    publish("居民身份证丢失补办（异地）", aliases=["身份证丢了"], keywords=["身份证"])
    again = current_index().search("身份证丢了")
    assert again.total == first.total + 1
