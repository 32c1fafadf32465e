"""Grading: pure functions from a question version's snapshot and a learner's answer to a fraction 0..1.

Answer shapes (as saved in ``AttemptSlot.answer``): single "o2"; multiple ["o1", "o3"]; true/false "true" or
"false"; short answer "text"; matching {"p1": "m2", ...}. ``clean_answer`` turns posted values into these
shapes and refuses anything else with a message naming the question.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.text import fold

ONE = Decimal(1)
ZERO = Decimal(0)
HUNDRED = Decimal(100)
FRACTION_PLACES = Decimal("0.0001")
SCORE_PLACES = Decimal("0.01")
MAX_SHORT_ANSWER = 500

ERR_NOT_AN_OPTION = _("Question %(n)s: choose one of the options shown.")
ERR_NOT_OPTIONS = _("Question %(n)s: choose among the options shown.")
ERR_TRUE_FALSE = _("Question %(n)s: answer true or false.")
ERR_SHORT_TYPE = _("Question %(n)s: the answer must be text.")
ERR_SHORT_LONG = _("Question %(n)s: the answer is longer than %(max)s characters.")
ERR_MATCHING = _("Question %(n)s: match each item with one of the choices shown.")


class AnswerError(ValueError):
    """A posted answer does not fit its question; the message is for the learner."""


def normalise_text(text: str) -> str:
    """The form short answers are compared in: folded (full/half width, Traditional/Simplified, case), with
    whitespace, punctuation and control characters removed."""
    return "".join(ch for ch in fold(text) if unicodedata.category(ch)[0] not in "PZC")


def _weights(data: Mapping[str, Any]) -> dict[str, Decimal]:
    return {o["key"]: Decimal(o["weight"]) for o in data.get("options", [])}


def correct_keys(data: Mapping[str, Any]) -> set[str]:
    """Options that count as correct (weight > 0); for true/false the right key."""
    return {key for key, weight in _weights(data).items() if weight > 0}


def _clamp(value: Decimal) -> Decimal:
    return min(ONE, max(ZERO, value)).quantize(FRACTION_PLACES, rounding=ROUND_HALF_UP)


def grade(data: Mapping[str, Any], answer: Any) -> Decimal:
    """The fraction (0..1) of the question's points this answer earns. No answer earns 0."""
    if answer in (None, "", [], {}):
        return ZERO.quantize(FRACTION_PLACES)
    kind = data["type"]
    if kind in {"single", "true_false"}:
        return _clamp(_weights(data).get(answer, ZERO) / HUNDRED)
    if kind == "multiple":
        chosen = set(answer)
        weights = _weights(data)
        if data.get("grading") == "partial":
            return _clamp(sum((weights.get(key, ZERO) for key in chosen), ZERO) / HUNDRED)
        return ONE.quantize(FRACTION_PLACES) if chosen == correct_keys(data) else _clamp(ZERO)
    if kind == "short":
        given = normalise_text(answer)
        best = max(
            (Decimal(o["weight"]) for o in data["options"] if normalise_text(o["text"]) == given),
            default=ZERO,
        )
        return _clamp(best / HUNDRED)
    if kind == "matching":
        pairs = data["pairs"]
        right = sum(1 for pair in pairs if answer.get(pair["key"]) == pair["match"])
        return _clamp(Decimal(right) / Decimal(len(pairs))) if pairs else _clamp(ZERO)
    raise ValueError(f"unknown question type {kind!r}")


def is_correct(data: Mapping[str, Any], fraction: Decimal | None) -> bool:
    return fraction is not None and fraction >= ONE


def clean_answer(data: Mapping[str, Any], number: int, raw: Any) -> Any:
    """A posted answer in its saved shape (see the module docstring), or None for "no answer".

    ``raw`` is what the form or the JSON gave: a string, a list of strings, or for matching a mapping.
    Raises AnswerError on anything that is not an answer to this question.
    """
    kind = data["type"]
    if raw is None or raw == "" or raw == []:
        return None
    keys = {o["key"] for o in data.get("options", [])}
    if kind in {"single", "true_false"}:
        if isinstance(raw, list) and len(raw) == 1:
            raw = raw[0]
        if not isinstance(raw, str) or raw not in keys:
            raise AnswerError((ERR_TRUE_FALSE if kind == "true_false" else ERR_NOT_AN_OPTION) % {"n": number})
        return raw
    if kind == "multiple":
        values = raw if isinstance(raw, list) else [raw]
        if len(values) > 100 or not all(isinstance(v, str) and v in keys for v in values):
            raise AnswerError(ERR_NOT_OPTIONS % {"n": number})
        return sorted(set(values))
    if kind == "short":
        if isinstance(raw, list) and len(raw) == 1:
            raw = raw[0]
        if not isinstance(raw, str):
            raise AnswerError(ERR_SHORT_TYPE % {"n": number})
        if len(raw) > MAX_SHORT_ANSWER:
            raise AnswerError(ERR_SHORT_LONG % {"n": number, "max": MAX_SHORT_ANSWER})
        text = raw.replace("\x00", "").strip()
        return text or None
    if kind == "matching":
        if not isinstance(raw, Mapping):
            raise AnswerError(ERR_MATCHING % {"n": number})
        pairs = {p["key"] for p in data["pairs"]}
        choices = {m["key"] for m in data["matches"]}
        cleaned = {}
        for key, value in raw.items():
            if isinstance(value, list) and len(value) == 1:
                value = value[0]
            if key not in pairs or not isinstance(value, str) or (value and value not in choices):
                raise AnswerError(ERR_MATCHING % {"n": number})
            if value:
                cleaned[key] = value
        return cleaned or None
    raise ValueError(f"unknown question type {kind!r}")


def percent(points: Decimal, max_points: Decimal) -> Decimal:
    if max_points <= 0:
        return ZERO.quantize(SCORE_PLACES)
    return (points * HUNDRED / max_points).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def combine(scores: Sequence[Decimal], method: str) -> Decimal | None:
    """The grade that counts across graded attempts (oldest first): highest, last, first or average."""
    if not scores:
        return None
    if method == "highest":
        return max(scores)
    if method == "last":
        return scores[-1]
    if method == "first":
        return scores[0]
    if method == "average":
        return (sum(scores, ZERO) / len(scores)).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)
    raise ValueError(f"unknown grading method {method!r}")
