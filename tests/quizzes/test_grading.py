"""Grading of every question type, including partial-credit edges (pure functions, no database)."""

from decimal import Decimal

import pytest

from quizzes.grading import (
    ERR_MATCHING,
    ERR_NOT_AN_OPTION,
    ERR_NOT_OPTIONS,
    ERR_SHORT_LONG,
    ERR_SHORT_TYPE,
    ERR_TRUE_FALSE,
    AnswerError,
    clean_answer,
    combine,
    grade,
    is_correct,
    normalise_text,
    percent,
)


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


# --- Edges found by mutation testing (docs/testing.md, "Scores") -------------------------------------------


def refused(error, function, *args):
    """The message of the ``error`` that ``function(*args)`` raises."""
    with pytest.raises(error) as caught:
        function(*args)
    return str(caught.value)


def matching(n_pairs, n_choices=None):
    return {
        "type": "matching",
        "pairs": [{"key": f"p{n}", "match": f"m{n}"} for n in range(1, n_pairs + 1)],
        "matches": [{"key": f"m{n}"} for n in range(1, (n_choices or n_pairs) + 1)],
    }


def test_an_option_weighted_one_percent_is_still_a_correct_option():
    data = choice("multiple", ["99", "1", "0"])
    assert grade(data, ["o1", "o2"]) == D(1)
    assert grade(data, ["o1"]) == D(0)


def test_no_answer_or_an_unknown_option_earns_nothing_whatever_the_type():
    assert grade(matching(2), "") == D(0)
    assert grade(choice("single", ["100", "0"]), "o9") == D(0)
    assert grade(choice("multiple", ["50", "50"], grading="partial"), ["o1", "o9"]) == D("0.5")
    assert grade({"type": "matching", "pairs": [], "matches": []}, {"p1": "m1"}) == D(0)
    assert refused(ValueError, grade, {"type": "essay"}, "text") == "unknown question type 'essay'"


def test_a_fraction_is_rounded_half_up_to_four_places():
    # one of 32 pairs: 0.03125 (half-even would give 0.0312)
    assert grade(matching(32), {"p1": "m1"}) == D("0.0313")


def test_only_full_marks_is_correct():
    assert is_correct({}, D(1)) is True
    assert is_correct({}, D("0.9999")) is False
    assert is_correct({}, D(0)) is False
    assert is_correct({}, None) is False


def test_clean_answer_single_and_true_false():
    single = choice("single", ["100", "0"])
    assert clean_answer(single, 1, ["o2"]) == "o2"
    assert refused(AnswerError, clean_answer, single, 1, "o9") == str(ERR_NOT_AN_OPTION % {"n": 1})
    true_false = {
        "type": "true_false",
        "options": [{"key": "true", "weight": "100"}, {"key": "false", "weight": "0"}],
    }
    assert clean_answer(true_false, 2, "false") == "false"
    assert clean_answer(true_false, 2, ["true"]) == "true"
    assert refused(AnswerError, clean_answer, true_false, 2, "yes") == str(ERR_TRUE_FALSE % {"n": 2})


def test_clean_answer_multiple():
    multiple = choice("multiple", ["100", "0"])
    assert clean_answer(multiple, 2, "o1") == ["o1"]  # one box ticked may come as a plain string
    assert refused(AnswerError, clean_answer, multiple, 2, ["o1", "zz"]) == str(ERR_NOT_OPTIONS % {"n": 2})
    many = choice("multiple", ["1"] * 101)
    keys = [f"o{n}" for n in range(1, 102)]
    assert clean_answer(many, 3, keys[:100]) == sorted(keys[:100])  # up to 100 choices
    assert refused(AnswerError, clean_answer, many, 3, keys) == str(ERR_NOT_OPTIONS % {"n": 3})


def test_clean_answer_short():
    short = {"type": "short", "options": []}
    assert clean_answer(short, 3, " JF\x00IU\n") == "JFIU"  # NUL bytes and surrounding space removed
    assert clean_answer(short, 3, ["JFIU"]) == "JFIU"
    assert clean_answer(short, 3, " \x00 ") is None
    assert clean_answer(short, 3, "字" * 500) == "字" * 500
    assert refused(AnswerError, clean_answer, short, 3, "字" * 501) == str(
        ERR_SHORT_LONG % {"n": 3, "max": 500}
    )
    for bad in [["a", "b"], 5, {"a": "b"}]:
        assert refused(AnswerError, clean_answer, short, 3, bad) == str(ERR_SHORT_TYPE % {"n": 3})


def test_clean_answer_matching():
    data = matching(3, n_choices=4)
    assert clean_answer(data, 4, {"p1": "m2", "p2": ["m4"], "p3": ""}) == {"p1": "m2", "p2": "m4"}
    assert clean_answer(data, 4, {"p1": ""}) is None
    for bad in [["m1"], {"p9": "m1"}, {"p1": "m9"}, {"p1": ["m1", "m2"]}, {"p1": 5}]:
        assert refused(AnswerError, clean_answer, data, 4, bad) == str(ERR_MATCHING % {"n": 4})
    assert refused(ValueError, clean_answer, {"type": "essay"}, 5, "text") == "unknown question type 'essay'"


def test_percent_of_one_point_and_half_up_rounding():
    assert percent(D(1), D(1)) == D("100.00")
    assert percent(D("0.5"), D(1)) == D("50.00")
    assert percent(D("0.25"), D(8)) == D("3.13")  # 3.125 (half-even would give 3.12)


def test_average_is_rounded_half_up_and_an_unknown_method_is_refused():
    assert combine([D("70.01"), D("70.00")], "average") == D("70.01")  # 70.005
    assert refused(ValueError, combine, [D(1)], "median") == "unknown grading method 'median'"
