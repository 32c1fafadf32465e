"""Grading of every question type, including partial-credit edges (pure functions, no database)."""

from decimal import Decimal

import pytest

from quizzes.grading import AnswerError, clean_answer, combine, grade, normalise_text, percent


def choice(kind, weights, grading="all_or_nothing"):
    return {
        "type": kind,
        "grading": grading,
        "options": [
            {"key": f"o{n}", "text": f"t{n}", "weight": w, "feedback": ""} for n, w in enumerate(weights, 1)
        ],
    }


D = Decimal


def test_single_choice_full_zero_and_partial_weight():
    data = choice("single", ["100", "0", "50"])
    assert grade(data, "o1") == D(1)
    assert grade(data, "o2") == D(0)
    assert grade(data, "o3") == D("0.5")
    assert grade(data, None) == D(0)


def test_multiple_all_or_nothing_needs_exactly_the_correct_set():
    data = choice("multiple", ["100", "100", "0"])
    assert grade(data, ["o1", "o2"]) == D(1)
    assert grade(data, ["o1"]) == D(0)
    assert grade(data, ["o1", "o2", "o3"]) == D(0)


def test_multiple_partial_credit_with_penalties_never_below_zero_or_above_one():
    data = choice("multiple", ["50", "50", "-50", "0"], grading="partial")
    assert grade(data, ["o1"]) == D("0.5")
    assert grade(data, ["o1", "o2"]) == D(1)
    assert grade(data, ["o1", "o3"]) == D(0)
    assert grade(data, ["o3"]) == D(0)  # a penalty alone does not go negative
    assert grade(data, ["o1", "o2", "o3"]) == D("0.5")
    assert grade(data, ["o1", "o2", "o4"]) == D(1)
    thirds = choice("multiple", ["33.33", "33.33", "33.34"], grading="partial")
    assert grade(thirds, ["o1", "o2", "o3"]) == D(1)
    assert grade(thirds, ["o1"]) == D("0.3333")


def test_true_false():
    data = {
        "type": "true_false",
        "options": [{"key": "true", "weight": "0"}, {"key": "false", "weight": "100"}],
    }
    assert grade(data, "false") == D(1)
    assert grade(data, "true") == D(0)


def test_short_answer_folds_width_script_case_space_and_punctuation():
    data = {
        "type": "short",
        "options": [
            {"text": "聯合財富情報組", "weight": "100"},
            {"text": "JFIU", "weight": "100"},
            {"text": "財富情報組", "weight": "50"},
        ],
    }
    for given in ["聯合財富情報組", "联合财富情报组", " 聯合 財富情報組。", "ＪＦＩＵ", "j.f.i.u", "jfiu"]:
        assert grade(data, given) == D(1), given
    assert grade(data, "财富情报组") == D("0.5")
    assert grade(data, "警方") == D(0)
    assert normalise_text("Ｈｅｌｌｏ， 世界！") == "hello世界"


def test_matching_credits_each_pair():
    data = {
        "type": "matching",
        "pairs": [{"key": "p1", "match": "m1"}, {"key": "p2", "match": "m2"}, {"key": "p3", "match": "m3"}],
        "matches": [{"key": f"m{n}"} for n in range(1, 5)],
    }
    assert grade(data, {"p1": "m1", "p2": "m2", "p3": "m3"}) == D(1)
    assert grade(data, {"p1": "m1", "p2": "m3"}) == D("0.3333")
    assert grade(data, {"p1": "m4", "p2": "m4", "p3": "m4"}) == D(0)


def test_clean_answer_refuses_what_is_not_an_answer():
    single = choice("single", ["100", "0"])
    assert clean_answer(single, 1, "o2") == "o2"
    assert clean_answer(single, 1, "") is None
    for bad in ["o9", ["o1", "o2"], {"a": 1}, 5]:
        with pytest.raises(AnswerError, match="1"):
            clean_answer(single, 1, bad)
    multiple = choice("multiple", ["100", "0"])
    assert clean_answer(multiple, 2, ["o2", "o1", "o1"]) == ["o1", "o2"]
    with pytest.raises(AnswerError):
        clean_answer(multiple, 2, ["o1", "zz"])
    short = {"type": "short", "options": []}
    with pytest.raises(AnswerError):
        clean_answer(short, 3, "字" * 501)
    with pytest.raises(AnswerError):
        clean_answer(
            {"type": "matching", "pairs": [{"key": "p1"}], "matches": [{"key": "m1"}]}, 4, {"p9": "m1"}
        )


def test_percent_and_grading_methods():
    assert percent(D("7.5"), D(10)) == D("75.00")
    assert percent(D(0), D(0)) == D("0.00")
    scores = [D(60), D(90), D(70)]
    assert combine(scores, "highest") == D(90)
    assert combine(scores, "last") == D(70)
    assert combine(scores, "first") == D(60)
    assert combine(scores, "average") == D("73.33")
    assert combine([], "highest") is None
