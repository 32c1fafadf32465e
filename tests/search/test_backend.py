"""The backend contract through Wagtail's search API: query types, filters, ordering, facets, autocomplete."""

from __future__ import annotations

import datetime

import pytest
from modelsearch.backends.base import FilterFieldError, OrderByFieldError
from modelsearch.query import MATCH_ALL, And, Boost, Fuzzy, Not, Or, Phrase, PlainText
from wagtail.models import Page

from people.models import StaffProfile
from tests.factories import StaffProfileFactory
from tests.search.testapp.models import Notice, SampleProcedurePage


def titles(results) -> list[str]:
    return [obj.title for obj in results]


@pytest.fixture
def notices(make_notice):
    """Four notices in Traditional Chinese with English terms, categories and dates."""
    return {
        "complaints": make_notice(
            "客戶投訴與意見處理程序",
            "前線員工須於24小時內記錄投訴，並以書面回覆客戶。Complaints are logged in the CRM.",
            category="complaints",
            code="CMP-001",
            published=datetime.date(2024, 1, 10),
        ),
        "aml": make_notice(
            "AML反洗錢及可疑交易報告",
            "發現可疑交易須即時通知合規部，不得向客戶透露。",
            category="aml",
            code="AML-002",
            published=datetime.date(2024, 6, 1),
        ),
        "kyc": make_notice(
            "身份核實及KYC資料更新",
            "客戶資料更新須核對身份證明文件；如有可疑，轉交反洗錢組。",
            category="kyc",
            code="KYC-003",
            published=datetime.date(2025, 2, 3),
        ),
        "it": make_notice(
            "系統故障應急程序",
            "PDF閱讀器無法開啟時，改用備用系統並通知客戶。",
            category="it",
            code="IT-004",
            published=datetime.date(2025, 3, 4),
        ),
    }


# --- Chinese: Traditional/Simplified, words inside compounds, mixed runs ----------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("投訴", {"客戶投訴與意見處理程序"}),  # a word inside a compound
        ("客户投诉", {"客戶投訴與意見處理程序"}),  # Simplified finds Traditional
        ("洗錢", {"AML反洗錢及可疑交易報告", "身份核實及KYC資料更新"}),
        ("反洗钱", {"AML反洗錢及可疑交易報告", "身份核實及KYC資料更新"}),
        ("AML", {"AML反洗錢及可疑交易報告"}),
        ("aml", {"AML反洗錢及可疑交易報告"}),
        ("AML反洗錢", {"AML反洗錢及可疑交易報告"}),
        ("閱讀", {"系統故障應急程序"}),
        ("complaint", {"客戶投訴與意見處理程序"}),  # stemmed: finds "Complaints"
        ("故", {"系統故障應急程序"}),  # a single character
    ],
)
def test_chinese_queries_find_what_a_substring_search_would(notices, query, expected):
    assert set(titles(Notice.objects.search(query))) == expected


def test_multi_character_query_is_a_phrase_not_a_bag_of_characters(notices, make_notice):
    make_notice("投資與訴訟", "投資產品說明；訴訟程序。")  # has 投 and 訴, never 投訴
    assert titles(Notice.objects.search("投訴")) == ["客戶投訴與意見處理程序"]


def test_database_backend_misses_words_inside_compounds(notices, settings):
    """Why this backend exists: Wagtail's database backend keeps a Chinese run as one token."""
    settings.WAGTAILSEARCH_BACKENDS = {
        **settings.WAGTAILSEARCH_BACKENDS,
        "db": {"BACKEND": "wagtail.search.backends.database"},
    }
    from django.core.management import call_command

    call_command("update_index", backend_name="db", verbosity=0)
    assert titles(Notice.objects.search("投訴", backend="db")) == []
    assert titles(Notice.objects.search("投訴")) == ["客戶投訴與意見處理程序"]


# --- Query types ----------------------------------------------------------------------------------------


def test_plain_text_operators(notices):
    assert set(titles(Notice.objects.search("可疑 客戶", operator="and"))) == {
        "AML反洗錢及可疑交易報告",
        "身份核實及KYC資料更新",
    }
    assert len(Notice.objects.search("可疑 故障", operator="and")) == 0
    assert set(titles(Notice.objects.search("投訴 故障", operator="or"))) == {
        "客戶投訴與意見處理程序",
        "系統故障應急程序",
    }


def test_phrase_query_spans_whitespace_but_keeps_order(notices):
    assert titles(Notice.objects.search(Phrase("書面 回覆"))) == ["客戶投訴與意見處理程序"]
    assert len(Notice.objects.search(Phrase("回覆 書面"))) == 0


def test_fuzzy_query_tolerates_a_typo(notices):
    assert titles(Notice.objects.search(Fuzzy("complants"))) == ["客戶投訴與意見處理程序"]
    assert len(Notice.objects.search(PlainText("complants"))) == 0


def test_match_all_and_not(notices):
    assert Notice.objects.search(MATCH_ALL).count() == 4
    remaining = set(titles(Notice.objects.search(Not(PlainText("可疑")))))
    assert remaining == {"客戶投訴與意見處理程序", "系統故障應急程序"}
    assert len(Notice.objects.search(Not(MATCH_ALL))) == 0


def test_and_or_not_combinations(notices):
    both = And([PlainText("客戶"), PlainText("文件")])
    assert titles(Notice.objects.search(both)) == ["身份核實及KYC資料更新"]
    either = Or([PlainText("投訴"), PlainText("KYC")])
    assert set(titles(Notice.objects.search(either))) == {"客戶投訴與意見處理程序", "身份核實及KYC資料更新"}
    without = And([PlainText("客戶"), Not(PlainText("投訴"))])
    assert set(titles(Notice.objects.search(without))) == {
        "AML反洗錢及可疑交易報告",
        "身份核實及KYC資料更新",
        "系統故障應急程序",
    }


def test_boost_changes_the_ranking(notices):
    query_a, query_b = PlainText("故障"), PlainText("投訴")
    assert titles(Notice.objects.search(Or([Boost(query_a, 10), query_b])))[0] == "系統故障應急程序"
    assert titles(Notice.objects.search(Or([query_a, Boost(query_b, 10)])))[0] == "客戶投訴與意見處理程序"


def test_title_boost_ranks_title_matches_first(make_notice):
    make_notice("分行營運", "處理客戶投訴時，須記錄投訴內容。")
    make_notice("投訴處理", "分行營運須知。")
    assert titles(Notice.objects.search("投訴"))[0] == "投訴處理"


def test_fields_restricts_the_searched_fields(notices):
    assert titles(Notice.objects.search("客戶", fields=["title"])) == ["客戶投訴與意見處理程序"]
    assert len(Notice.objects.search("客戶", fields=["body"])) == 4
    assert titles(Notice.objects.search("IT-004", fields=["code"])) == ["系統故障應急程序"]


def test_scores_are_annotated_and_ordered(notices):
    results = list(Notice.objects.search("客戶").annotate_score("_score"))
    scores = [obj._score for obj in results]
    assert len(results) == 4 and all(score > 0 for score in scores)
    assert scores == sorted(scores, reverse=True)


def test_punctuation_only_query_finds_nothing(notices):
    assert len(Notice.objects.search("，。！")) == 0


# --- Filters, ordering, slicing, facets ------------------------------------------------------------------


def test_filters_are_applied(notices):
    assert titles(Notice.objects.filter(category="kyc").search("客戶")) == ["身份核實及KYC資料更新"]
    recent = Notice.objects.filter(published__gte=datetime.date(2025, 1, 1)).search("客戶")
    assert set(titles(recent)) == {"身份核實及KYC資料更新", "系統故障應急程序"}
    assert Notice.objects.exclude(category="it").search("客戶").count() == 3


def test_filter_on_an_undeclared_field_is_refused(notices):
    with pytest.raises(FilterFieldError):
        Notice.objects.filter(body__contains="x").search("客戶")


def test_ordering_by_a_filter_field(notices):
    results = Notice.objects.order_by("-published").search("客戶", order_by_relevance=False)
    assert titles(results) == [
        "系統故障應急程序",
        "身份核實及KYC資料更新",
        "AML反洗錢及可疑交易報告",
        "客戶投訴與意見處理程序",
    ]
    results = Notice.objects.search("客戶", order_by="published")
    assert titles(results)[0] == "客戶投訴與意見處理程序"
    with pytest.raises(OrderByFieldError):
        list(Notice.objects.order_by("body").search("客戶", order_by_relevance=False))


def test_slicing_and_counting(make_notice):
    for number in range(25):
        make_notice(f"服務補救個案{number}", "客戶服務補救")
    results = Notice.objects.search("補救")
    assert results.count() == 25
    assert len(results[:10]) == 10
    assert len(results[20:]) == 5
    assert results[20:].count() == 5
    page_one, page_three = titles(results[:10]), titles(results[20:30])
    assert not set(page_one) & set(page_three)
    filtered = Notice.objects.filter(code="").search("補救")
    assert filtered[5:8].count() == 3 and len(list(filtered[5:8])) == 3


def test_facets_count_all_matches(make_notice):
    for category, count in [("complaints", 3), ("aml", 2), ("it", 1)]:
        for number in range(count):
            make_notice(f"客戶通知{category}{number}", category=category)
    make_notice("無關文件", category="kyc")
    facets = Notice.objects.search("客戶")[:2].facet("category")
    assert list(facets.items()) == [("complaints", 3), ("aml", 2), ("it", 1)]
    with pytest.raises(FilterFieldError):
        Notice.objects.search("客戶").facet("body")


# --- Autocomplete ----------------------------------------------------------------------------------------


def test_autocomplete_prefixes(notices):
    assert titles(Notice.objects.autocomplete("客戶投")) == ["客戶投訴與意見處理程序"]
    assert titles(Notice.objects.autocomplete("身")) == ["身份核實及KYC資料更新"]
    assert titles(Notice.objects.autocomplete("ky")) == ["身份核實及KYC資料更新"]
    assert titles(Notice.objects.autocomplete("系统故")) == ["系統故障應急程序"]
    assert len(Notice.objects.autocomplete("前線")) == 0  # body is not an AutocompleteField


# --- Index updates --------------------------------------------------------------------------------------


def test_update_and_delete_reach_the_index(make_notice):
    notice = make_notice("滿意度調查程序", "問卷")
    assert titles(Notice.objects.search("調查")) == ["滿意度調查程序"]
    notice.title = "神秘顧客評估"
    notice.save()
    assert len(Notice.objects.search("調查")) == 0
    assert titles(Notice.objects.search("顧客")) == ["神秘顧客評估"]
    notice.delete()
    assert len(Notice.objects.search("顧客")) == 0


# --- Pages ----------------------------------------------------------------------------------------------


def test_pages_index_body_tags_code_and_filter_live(make_procedure):
    page = make_procedure(
        "電話詐騙防範程序",
        "遇到假冒職員來電，提醒客戶切勿透露OTP。",
        tags=["防騙", "熱線"],
        code="FRD-010",
        category="complaints",
    )
    make_procedure("信用卡掛失程序", "客戶致電熱線掛失。", code="CRD-020", category="it")
    assert [p.specific for p in Page.objects.live().search("假冒")] == [page]
    assert titles(SampleProcedurePage.objects.search("防騙")) == ["電話詐騙防範程序"]  # a tag
    assert titles(SampleProcedurePage.objects.search("FRD-010")) == ["電話詐騙防範程序"]
    assert set(titles(Page.objects.search("熱線"))) == {"電話詐騙防範程序", "信用卡掛失程序"}
    assert titles(SampleProcedurePage.objects.filter(category="it").search("熱線")) == ["信用卡掛失程序"]


def test_unpublish_and_delete_remove_pages_from_live_results(make_procedure):
    page = make_procedure("可疑轉帳攔截守則", "發現可疑轉帳即時止付。")
    assert titles(Page.objects.live().search("止付")) == ["可疑轉帳攔截守則"]
    page.unpublish()
    assert len(Page.objects.live().search("止付")) == 0
    assert titles(Page.objects.search("止付")) == ["可疑轉帳攔截守則"]  # the admin still finds the draft
    page.delete()
    assert len(Page.objects.search("止付")) == 0


def test_moved_page_is_found_under_its_new_parent(make_procedure):
    section_a = make_procedure("甲部")
    section_b = make_procedure("乙部")
    child = section_a.add_child(instance=SampleProcedurePage(title="遺失卡片掛失", body="掛失"))
    assert titles(Page.objects.descendant_of(section_a).search("掛失")) == ["遺失卡片掛失"]
    child.move(section_b, pos="last-child")
    assert len(Page.objects.descendant_of(section_a).search("掛失")) == 0
    assert titles(Page.objects.descendant_of(section_b).search("掛失")) == ["遺失卡片掛失"]


def test_specific_page_queryset_and_page_facets(make_procedure):
    make_procedure("資料更新指引", "KYC")
    results = Page.objects.specific().search("資料更新")
    assert [type(p) for p in results] == [SampleProcedurePage]
    facets = Page.objects.search("資料").facet("content_type_id")
    assert list(facets.values()) == [1]


# --- People are indexed too ------------------------------------------------------------------------------


def test_staff_profiles_are_searchable(backend):
    StaffProfileFactory(display_name="陳大文", employee_number="E90001")
    StaffProfileFactory(display_name="李小明", employee_number="E90002")
    assert [p.display_name for p in backend.search("大文", StaffProfile)] == ["陳大文"]
    assert [
        p.display_name for p in backend.autocomplete("E9000", StaffProfile.objects.filter(is_active=True))
    ] in (
        ["陳大文", "李小明"],
        ["李小明", "陳大文"],
    )


# --- The bulk evaluator agrees with Whoosh's own matchers ---------------------------------------------------


def test_bulk_evaluator_matches_whoosh_search(backend, make_notice):
    from website.search.matching import BulkEvaluator

    for number in range(12):
        make_notice(
            f"客戶投訴{number}", "前線員工處理投訴；AML反洗錢。" * (number % 3 + 1), code=f"C-{number}"
        )
    make_notice("投資與訴訟", "投資；訴訟")
    Notice.objects.filter(title="客戶投訴3").first().delete()  # a deleted document in the segment
    searcher = backend.store.searcher()
    for query in ["投訴", "客戶投訴", "AML反洗錢", "投 訴", "員工處理投訴", "c-5"]:
        compiler = Notice.objects.search(query).query_compiler
        whoosh_query = compiler.compile()
        hits = BulkEvaluator(searcher)(whoosh_query)
        bulk = dict(zip(hits.docs.tolist(), hits.scores.tolist(), strict=True))
        native = {hit.docnum: hit.score for hit in searcher.search(whoosh_query, limit=None)}
        assert bulk is not None and native, query
        assert set(bulk) == set(native), query
        for docnum, score in native.items():
            assert bulk[docnum] == pytest.approx(score, rel=1e-4), query
