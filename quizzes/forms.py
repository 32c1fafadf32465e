"""What a learner's browser sends, decoded into answers by question position.

Options are sent as their place in the order shown (1, 2, …), never as the bank's option keys, so the page
reveals nothing about which option was written first (often the correct one). ``decode_*`` raise
``AnswerError`` (400) with a message naming the question or field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .grading import AnswerError
from .models import AttemptSlot

MAX_BODY = 64 * 1024
MAX_SEQ = 2**31 - 1

ERR_SEQ = _("The field “seq” must be a whole number from 1 to %(max)s.")
ERR_SHOWN = _("The field “shown” must list the question numbers on the page, e.g. 1,2,3.")
ERR_JSON = _("Send a JSON object with “seq” (a whole number) and “answers” (an object by question number).")
ERR_TOO_BIG = _("The request is too large.")
ERR_CHOICE = _("Question %(n)s: choose one of the options shown.")
ERR_CHOICES = _("Question %(n)s: choose among the options shown.")


def parse_seq(raw: Any) -> int:
    if isinstance(raw, bool):
        raise AnswerError(ERR_SEQ % {"max": MAX_SEQ})
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit() and len(raw.strip()) <= 10:
        raw = int(raw.strip())
    if not isinstance(raw, int) or not 1 <= raw <= MAX_SEQ:
        raise AnswerError(ERR_SEQ % {"max": MAX_SEQ})
    return raw


def _index(slot: AttemptSlot, value: Any, message) -> str:
    """The bank key of the option shown at place ``value`` (1-based) in this slot."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 3:
        place = int(value)
        if 1 <= place <= len(slot.order):
            return slot.order[place - 1]
    raise AnswerError(message % {"n": slot.position})


def decode(slot: AttemptSlot, raw: Any) -> Any:
    """One question's answer as shown-order values → the bank's keys (clean_answer then checks them)."""
    kind = slot.version.data["type"]
    n = slot.position
    if raw is None or raw == "" or raw == [] or raw == {}:
        return None
    if kind == "single":
        raw = raw[0] if isinstance(raw, list) and len(raw) == 1 else raw
        return _index(slot, raw, ERR_CHOICE)
    if kind == "multiple":
        values = raw if isinstance(raw, list) else [raw]
        if len(values) > len(slot.order):
            raise AnswerError(ERR_CHOICES % {"n": n})
        return [_index(slot, v, ERR_CHOICES) for v in values]
    if kind == "matching":
        if not isinstance(raw, Mapping):
            raise AnswerError(ERR_CHOICES % {"n": n})
        pairs = slot.version.data["pairs"]
        decoded = {}
        for place, value in raw.items():
            if not (
                isinstance(place, str)
                and place.isascii()
                and place.isdigit()
                and 1 <= int(place) <= len(pairs)
            ):
                raise AnswerError(ERR_CHOICES % {"n": n})
            if value not in ("", None, []):
                decoded[pairs[int(place) - 1]["key"]] = _index(
                    slot, value[0] if isinstance(value, list) and len(value) == 1 else value, ERR_CHOICES
                )
        return decoded
    return raw  # true/false ("true"/"false") and short answers are checked by clean_answer


def decode_form(post: QueryDict, slots: Mapping[int, AttemptSlot]) -> dict[int, Any]:
    """Answers of the questions listed in ``shown`` (a question left blank on the page is cleared)."""
    shown_raw = post.get("shown", "")
    if len(shown_raw) > 2000:
        raise AnswerError(ERR_SHOWN)
    try:
        shown = [int(part) for part in shown_raw.split(",") if part.strip()]
    except ValueError:
        raise AnswerError(ERR_SHOWN) from None
    answers = {}
    for position in shown:
        slot = slots.get(position)
        if slot is None:
            raise AnswerError(ERR_SHOWN)
        name = f"q{position}"
        kind = slot.version.data["type"]
        if kind == "matching":
            raw = {key[len(name) + 1 :]: post.get(key) for key in post if key.startswith(name + "-")}
        elif kind == "multiple":
            raw = post.getlist(name)
        else:
            raw = post.get(name)
        answers[position] = decode(slot, raw)
    return answers


def decode_json(body: bytes, slots: Mapping[int, AttemptSlot]) -> tuple[int, dict[int, Any]]:
    """``{"seq": 7, "answers": {"1": "2", "2": ["1", "3"], "5": {"1": "2"}}}`` → (seq, answers)."""
    if len(body) > MAX_BODY:
        raise AnswerError(ERR_TOO_BIG)
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise AnswerError(ERR_JSON) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("answers", {}), dict):
        raise AnswerError(ERR_JSON)
    seq = parse_seq(payload.get("seq"))
    answers = {}
    for key, raw in payload.get("answers", {}).items():
        if not (
            isinstance(key, str) and key.isascii() and key.isdigit() and len(key) <= 4 and int(key) in slots
        ):
            raise AnswerError(ERR_JSON)
        answers[int(key)] = decode(slots[int(key)], raw)
    return seq, answers
