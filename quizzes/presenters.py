"""What the templates get for each question: for an attempt in progress only what the learner may see
(never weights, feedback, explanations or accepted answers); for a review, the marking too."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from .grading import correct_keys, is_correct
from .models import AttemptSlot

TRUE_FALSE_LABELS = {"true": _("True"), "false": _("False")}


@dataclass
class Choice:
    value: str  # what the form sends: the place shown (1, 2, …) or "true"/"false"
    text: str
    checked: bool = False
    correct: bool = False  # review only
    feedback: str = ""  # review only


@dataclass
class Pair:
    place: int
    prompt: str
    selected: str = ""  # the place of the chosen match
    right: bool = False  # review only
    correct_text: str = ""  # review only


@dataclass
class LearnerQuestion:
    position: int
    kind: str
    text: str
    points: Any
    choices: list[Choice] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    matches: list[Choice] = field(default_factory=list)
    value: str = ""  # short answer
    answered: bool = False
    # review only:
    fraction: Any = None
    correct: bool = False
    explanation: str = ""
    accepted: list[str] = field(default_factory=list)

    @property
    def input_type(self) -> str:
        return "checkbox" if self.kind == "multiple" else "radio"


def learner_question(slot: AttemptSlot, *, review: bool = False) -> LearnerQuestion:
    data = slot.version.data
    kind = data["type"]
    answer = slot.answer
    item = LearnerQuestion(
        position=slot.position, kind=kind, text=data["text"], points=slot.points, answered=answer is not None
    )
    if kind in {"single", "multiple", "true_false"}:
        options = {o["key"]: o for o in data["options"]}
        chosen = set(answer if isinstance(answer, list) else [answer] if answer else [])
        right = correct_keys(data) if review else set()
        for place, key in enumerate(slot.order, start=1):
            option = options[key]
            item.choices.append(
                Choice(
                    value=key if kind == "true_false" else str(place),
                    text=str(TRUE_FALSE_LABELS[key]) if kind == "true_false" else option["text"],
                    checked=key in chosen,
                    correct=key in right,
                    feedback=option.get("feedback", "") if review and key in chosen else "",
                )
            )
    elif kind == "matching":
        places = {key: str(place) for place, key in enumerate(slot.order, start=1)}
        texts = {m["key"]: m["text"] for m in data["matches"]}
        item.matches = [Choice(value=str(place), text=texts[key]) for place, key in enumerate(slot.order, 1)]
        for place, pair in enumerate(data["pairs"], start=1):
            given = (answer or {}).get(pair["key"], "")
            item.pairs.append(
                Pair(
                    place=place,
                    prompt=pair["prompt"],
                    selected=places.get(given, ""),
                    right=review and given == pair["match"],
                    correct_text=texts[pair["match"]] if review else "",
                )
            )
    elif kind == "short":
        item.value = answer or ""
        if review:
            item.accepted = [o["text"] for o in data["options"] if float(o["weight"]) >= 100]
    if review:
        item.fraction = slot.fraction
        item.correct = is_correct(data, slot.fraction)
        item.explanation = data.get("explanation", "")
    return item
