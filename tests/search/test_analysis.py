"""The analyzer: folding, characters + bigrams at shared positions, phrases, highlighting."""

from __future__ import annotations

import pytest

from website.search.analysis import fold, highlight, phrase_terms, query_chunks, snippet, term_positions


def test_fold_nfkc_traditional_to_simplified_and_lower_case():
    assert fold("客戶投訴與意見處理") == "客户投诉与意见处理"
    assert fold("ＡＭＬ反洗錢") == "aml反洗钱"  # full-width Latin is NFKC-folded


def test_cjk_characters_and_bigrams_share_positions():
    positions = term_positions("客戶投訴")
    assert positions["客"] == positions["客户"] == [0]
    assert positions["投"] == positions["投诉"] == [2]
    assert positions["诉"] == [3]
    assert "诉" + "x" not in positions and len([t for t in positions if len(t) == 2]) == 3


def test_mixed_runs_split_at_the_script_boundary_and_latin_is_stemmed():
    positions = term_positions("AML反洗錢 PDF閱讀器 Complaints")
    assert positions["aml"] == [0]
    assert positions["反洗"] == [1]
    assert positions["pdf"] == [4]
    assert positions["阅读"] == [5]
    assert positions["complaint"] == [8]
    assert "aml反" not in positions


def test_no_bigram_across_punctuation():
    assert "户投" not in term_positions("客戶，投訴")
    assert "户投" in term_positions("客戶投訴")


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("投訴", ["投诉"]),
        ("投", ["投"]),
        ("客戶投訴", ["客户", "户投", "投诉"]),
        ("AML反洗錢", ["aml", "反洗", "洗钱"]),
        ("反洗錢 AML", ["反洗", "洗钱", "钱", "aml"]),  # last character kept when a word follows
        ("complaints", ["complaint"]),
    ],
)
def test_phrase_terms_are_consecutive_bigrams(query, terms):
    assert phrase_terms(query) == terms


def test_phrase_terms_positions_line_up_with_the_index():
    """Every phrase term sits at first-position + i in the indexed text."""
    positions = term_positions("前線員工處理反洗錢 AML個案")
    for query in ["反洗錢 AML", "處理反洗錢", "AML個案", "員工處理"]:
        terms = phrase_terms(query)
        starts = set(positions[terms[0]])
        for offset, term in enumerate(terms[1:], start=1):
            starts &= {p - offset for p in positions.get(term, [])}
        assert starts, query


def test_query_chunks_split_on_whitespace_and_drop_punctuation_only_parts():
    assert query_chunks("客戶投訴  AML ， ") == ["客戶投訴", "AML"]


def test_highlight_marks_traditional_text_for_a_simplified_query_and_escapes_html():
    html = highlight("<b>客戶投訴</b>與意見處理；AML反洗錢", "客户投诉 aml")
    assert html == "&lt;b&gt;<mark>客戶投訴</mark>&lt;/b&gt;與意見處理；<mark>AML</mark>反洗錢"


def test_highlight_matches_inside_compounds_but_not_across_punctuation():
    assert highlight("客戶投訴與意見處理", "投訴") == "客戶<mark>投訴</mark>與意見處理"
    assert highlight("客戶，投訴", "戶投") == "客戶，投訴"


def test_highlight_maps_offsets_through_nfkc_changes():
    assert highlight("ＫＹＣ資料更新", "kyc") == "<mark>ＫＹＣ</mark>資料更新"


def test_snippet_is_a_window_around_the_first_match():
    text = "甲" * 200 + "客戶投訴與意見處理" + "乙" * 200
    html = snippet(text, "投訴", length=40)
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>投訴</mark>" in html
    assert len(html.replace("<mark>", "").replace("</mark>", "")) == 42
