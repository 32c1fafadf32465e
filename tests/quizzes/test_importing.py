"""GIFT, Aiken and XLSX import (errors by line, all or nothing, HTML cleaned) and round trips."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils.translation import override

from quizzes.importing import (
    QuestionImportError,
    export_gift,
    parse_aiken,
    parse_file,
    parse_gift,
    questions_import,
    xlsx_header,
    xlsx_rows,
)
from quizzes.models import Question, QuestionCategory, QuestionVersion
from quizzes.services import question_snapshot

GIFT = """// 反洗錢題庫（示例）
$CATEGORY: $course$/top/反洗錢/可疑交易

// [tag:可疑交易]
::STR 時限::發現可疑交易後應何時提交報告？ {
\t=盡快，不得無故延誤#正確：法例要求「盡快」。
\t~一個月內#太遲。
\t~%50%當日內
\t####可疑交易報告須盡快提交聯合財富情報組。
}

::紅旗::以下哪些屬可疑交易紅旗？ {
\t~%50%多次存入略低於申報門檻的現金
\t~%50%與客戶背景不符的大額跨境匯款
\t~%-100%按時償還按揭
}

::告密::可以告訴客戶銀行已就其交易提交報告。{FALSE#這屬「通風報訊」。#正確。}

::簡稱::接收可疑交易報告的機構簡稱是？ {=JFIU =聯合財富情報組 =%50%情報組}

::配對::配對投訴處理時限 {
\t=確認收到投訴 -> 1 個工作天
\t=最終回覆 -> 30 日
\t=轉介冷靜期 -> 7 日
}

::跳脫::費用是 100% 嗎？\\{括號\\} \\= 一半\\: 是 {T}
"""


def test_gift_parses_every_supported_type():
    questions = parse_gift(GIFT)
    assert [q.qtype for q in questions] == [
        "single",
        "multiple",
        "true_false",
        "short",
        "matching",
        "true_false",
    ]
    single = questions[0]
    assert single.category == "反洗錢/可疑交易" and single.tags == ["可疑交易"] and single.name == "STR 時限"
    assert [o.weight for o in single.options] == [100, 0, 50]
    assert single.options[0].feedback == "正確：法例要求「盡快」。"
    assert "聯合財富情報組" in single.explanation
    assert questions[1].grading == "partial" and [o.weight for o in questions[1].options] == [50, 50, -100]
    tf = questions[2]
    assert tf.true_false is False and tf.options[0].feedback == "這屬「通風報訊」。"
    assert [o.text for o in questions[3].options] == ["JFIU", "聯合財富情報組", "情報組"]
    first_pair = questions[4].options[0]
    assert (first_pair.text, first_pair.match) == ("確認收到投訴", "1 個工作天")
    assert "100% 嗎？{括號} = 一半: 是" in questions[5].text


def test_gift_errors_name_their_lines_and_nothing_is_imported(db):
    bad = (
        "::a::沒有答案區塊\n\n::b::權重錯誤 {~%500%甲 ~乙}\n\n::c::數值題 {#3:1}\n\n"
        "::d::只有一個選項 {~甲}\n\n::e::沒有正確答案 {~甲 ~乙}\n"
    )
    with pytest.raises(QuestionImportError) as caught:
        parse_gift(bad)
    lines = [issue.line for issue in caught.value.issues]
    assert lines == [1, 3, 5, 7, 9], [str(i) for i in caught.value.issues]
    with override("zh-hant"):
        assert str(caught.value.issues[1]).startswith("第 3 行：")
    assert Question.objects.count() == 0


def test_gift_html_is_cleaned_and_plain_text_escaped():
    [html, plain] = parse_gift(
        "[html]<p onclick='x()'>看<script>alert(1)</script><b>這</b><img src=x onerror=y></p> {T}\n\n"
        "<script>alert(2)</script> 是否正確？ {F}"
    )
    assert "<script" not in html.text and "onclick" not in html.text and "onerror" not in html.text
    assert "<b>這</b>" in html.text
    assert plain.text == "<p>&lt;script&gt;alert(2)&lt;/script&gt; 是否正確？</p>"


AIKEN = """客戶要求更改地址，前線同事首先應該？
A. 直接在系統修改
B. 核實客戶身份
C. 請客戶改天再來
ANSWER: B

以下哪項是釣魚短訊的特徵？
A) 要求點擊連結輸入網上理財密碼
B) 通知分行營業時間
ANSWER: A
"""


def test_aiken_parses_and_reports_answer_not_among_options():
    questions = parse_aiken(AIKEN)
    assert [[o.weight for o in q.options] for q in questions] == [[0, 100, 0], [100, 0]]
    broken = AIKEN.replace("ANSWER: A", "ANSWER: E") + "\n沒有答案的題目\nA. 甲\nB. 乙\n"
    with pytest.raises(QuestionImportError) as caught:
        parse_aiken(broken)
    with override("zh-hant"):
        messages = [str(i) for i in caught.value.issues]
    assert messages[0] == "第 10 行：答案 E 不在選項中。"
    assert messages[1].startswith("第 12 行：")


def _import(text: str, name="bank.gift", **kwargs):
    return questions_import(parse_file(text.encode(), name), **kwargs)


def _snapshots(category_path: str) -> list[dict]:
    questions = (
        Question.objects.filter(category__path__startswith=category_path)
        .select_related("category")
        .prefetch_related("options")
        .order_by("pk")
    )
    return [
        {k: v for k, v in question_snapshot(q).items() if k != "category"}
        | {"tags": sorted(t.name for t in q.tags.all())}
        for q in questions
    ]


def test_import_is_all_or_nothing_and_counts_types(db):
    summary = _import(GIFT, base_category="培訓")
    assert summary.total == 6 and summary.counts["true_false"] == 2
    assert QuestionCategory.objects.filter(path="培訓/反洗錢/可疑交易").exists()
    assert QuestionVersion.objects.count() == 6  # each question has its first version
    before = Question.objects.count()
    with pytest.raises(QuestionImportError):
        _import(GIFT + "\n::壞::{~%x%甲}\n")
    assert Question.objects.count() == before
    dry = _import(GIFT, base_category="試算", dry_run=True)
    assert dry.total == 6 and not QuestionCategory.objects.filter(path__startswith="試算").exists()


def test_gift_round_trip(db):
    _import(GIFT, base_category="甲")
    exported = export_gift(
        list(
            Question.objects.filter(category__path__startswith="甲")
            .select_related("category")
            .prefetch_related("options", "tags")
            .order_by("pk")
        )
    )
    _import(exported.replace("$course$/top/甲/", "$course$/top/乙/"), name="again.gift")
    assert _snapshots("甲") == _snapshots("乙")


def test_xlsx_round_trip_and_errors_by_row(db):
    from openpyxl import Workbook

    _import(GIFT.replace("=%50%情報組", "=情報組").replace("~%50%當日內", "~當日內"), base_category="甲")
    source = list(
        Question.objects.filter(category__path__startswith="甲")
        .select_related("category")
        .prefetch_related("options", "tags")
        .order_by("pk")
    )
    book = Workbook()
    sheet = book.active
    sheet.append(xlsx_header())
    for row in xlsx_rows(source):
        sheet.append(
            [
                cell.replace("甲/", "乙/", 1) if isinstance(cell, str) and cell.startswith("甲/") else cell
                for cell in row
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    questions_import(parse_file(buffer.getvalue(), "bank.xlsx"))
    without_feedback = [
        s | ({"options": [o | {"feedback": ""} for o in s["options"]]} if "options" in s else {})
        for s in _snapshots("甲")
    ]
    assert without_feedback == _snapshots("乙")  # the template has no per-option feedback column

    bad = Workbook()
    ws = bad.active
    ws.append(xlsx_header())
    ws.append(["反洗錢", "單選", "", "題目一", "甲", "乙", "", "", "", "", "E"])
    ws.append(["反洗錢", "問答", "", "題目二"])
    ws.append(["反洗錢", "是非", "", "題目三", "", "", "", "", "", "", "也許"])
    buffer = io.BytesIO()
    bad.save(buffer)
    with pytest.raises(QuestionImportError) as caught, override("zh-hant"):
        parse_file(buffer.getvalue(), "bad.xlsx")
    assert [i.line for i in caught.value.issues] == [2, 3, 4]


def test_import_questions_command(db, tmp_path, capsys):
    good = tmp_path / "bank.gift"
    good.write_text(GIFT, encoding="utf-8")
    out = io.StringIO()
    call_command("import_questions", str(good), "--category", "合規", stdout=out)
    assert "single      1" in out.getvalue() and "true_false  2" in out.getvalue()
    bad = tmp_path / "bad.txt"
    bad.write_text(AIKEN.replace("ANSWER: A", "ANSWER: E"), encoding="utf-8")
    err = io.StringIO()
    with override("en"), pytest.raises(SystemExit) as exit_info:
        call_command("import_questions", str(bad), "--format", "aiken", stderr=err)
    assert exit_info.value.code == 1
    assert err.getvalue().strip() == "Line 10: Answer E is not among the options."
    assert Question.objects.count() == 6
    dry = io.StringIO()
    call_command("import_questions", str(good), "--dry-run", stdout=dry)
    assert "Would import 6" in dry.getvalue() and Question.objects.count() == 6


def test_weights_must_add_up_for_partial_credit():
    with pytest.raises(QuestionImportError) as caught:
        parse_gift("多選 {~%50%甲 ~%30%乙 ~丙}")
    assert "80%" in str(caught.value.issues[0]) and Decimal(1)
