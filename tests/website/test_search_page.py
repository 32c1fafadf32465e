"""The search page staff use: Chinese matching, facets, highlighting, states, permissions, suggestions."""

import pytest
from django.urls import reverse

from tests.kb.fixtures import steps

pytestmark = pytest.mark.search


@pytest.fixture
def corpus(make_procedure, make_regulation, area):
    from kb.models import ProcedurePage

    complaint = make_procedure(
        "SOP-CS-003", publish=False, title="客戶投訴與意見處理程序", summary="受理及回覆客戶投訴的標準。"
    )
    complaint.tags.add("投訴")
    complaint.save_revision().publish()
    aml = make_procedure(
        "SOP-CP-050",
        title="反洗錢可疑交易識別及匯報",
        summary="識別可疑交易並於 1 個工作天內提交內部報告（STR）。",
        steps=steps(2),
    )
    draft = make_procedure("SOP-DRAFT", publish=False, title="草稿投訴程序", summary="未發布的投訴草稿。")
    notice = make_regulation(title="（示例）投訴處理時限修訂", summary="確認投訴的時限縮短。")
    notice.tags.add("投訴")
    notice.save_revision().publish()
    # The test settings index inside save(), before cluster tags are written: index once more, as the
    # production worker would after the commit.
    from modelsearch.index import insert_or_update_object

    for page in (complaint, aml, draft, notice):
        insert_or_update_object(type(page).objects.get(pk=page.pk))
    return {
        "complaint": ProcedurePage.objects.get(pk=complaint.pk),
        "aml": aml,
        "draft": draft,
        "notice": notice,
    }


@pytest.fixture
def reader(make_staff, login):
    return login(make_staff("reader", groups=["Staff"]).user)


def titles(response) -> list[str]:
    return [hit.page.title for hit in response.context["hits"]]


def test_two_characters_find_a_compound_in_either_script(corpus, reader):
    assert "客戶投訴與意見處理程序" in titles(reader.get(reverse("search"), {"q": "投訴"}))
    assert "客戶投訴與意見處理程序" in titles(reader.get(reverse("search"), {"q": "客户投诉"}))
    assert titles(reader.get(reverse("search"), {"q": "洗錢"})) == ["反洗錢可疑交易識別及匯報"]
    assert titles(reader.get(reverse("search"), {"q": "str"})) == ["反洗錢可疑交易識別及匯報"]


def test_drafts_never_appear(corpus, reader):
    assert "草稿投訴程序" not in titles(reader.get(reverse("search"), {"q": "投訴"}))


def test_results_are_highlighted_and_show_code_and_version(corpus, reader):
    html = reader.get(reverse("search"), {"q": "投訴"}).content.decode()
    assert "<mark>投訴</mark>" in html
    assert "SOP-CS-003" in html and "第 1 版" in html


def test_facets_count_all_matches_and_narrow(corpus, reader):
    response = reader.get(reverse("search"), {"q": "投訴"})
    facets = response.context["facets"]
    # the AML procedure's steps mention 投訴個案管理系統 too
    assert {f.value: f.count for f in facets["type"]} == {"procedure": 2, "regulation": 1}
    assert {f.label: f.count for f in facets["tag"]}["投訴"] == 2
    assert [f.count for f in facets["area"]] == [2]
    only = reader.get(reverse("search"), {"q": "投訴", "type": "regulation"})
    assert titles(only) == ["（示例）投訴處理時限修訂"]
    tagged = reader.get(reverse("search"), {"q": "投訴", "tag": "投訴"})
    assert len(titles(tagged)) == 2


def test_empty_query_and_no_results_states(corpus, reader):
    empty = reader.get(reverse("search"))
    assert empty.status_code == 200 and "hits" not in empty.context
    assert "客戶關係維護與溝通" in empty.content.decode()  # browse the duty areas instead
    none = reader.get(reverse("search"), {"q": "火星匯率"})
    assert none.context["hits"] == [] and "火星匯率" in none.content.decode()


def test_pages_under_a_view_restriction_are_hidden_from_others(corpus, make_staff, login):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    managers = Group.objects.create(name="Managers only")
    restriction = PageViewRestriction.objects.create(page=corpus["aml"], restriction_type="groups")
    restriction.groups.add(managers)
    outsider = login(make_staff("outsider").user)
    assert titles(outsider.get(reverse("search"), {"q": "洗錢"})) == []
    insider_user = make_staff("insider").user
    insider_user.groups.add(managers)
    assert titles(login(insider_user).get(reverse("search"), {"q": "洗錢"})) == ["反洗錢可疑交易識別及匯報"]


def test_suggestions_for_the_navigation_box(corpus, reader):
    data = reader.get(reverse("search_suggest"), {"q": "反洗"}).json()
    assert [r["title"] for r in data["results"]] == ["反洗錢可疑交易識別及匯報"]
    assert reader.get(reverse("search_suggest"), {"q": ""}).json() == {"results": []}


def test_search_needs_login(client):
    response = client.get(reverse("search"), {"q": "投訴"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_overlong_query_is_cut_not_an_error(corpus, reader):
    response = reader.get(reverse("search"), {"q": "投訴" * 300})
    assert response.status_code == 200 and len(response.context["query"]) == 100
