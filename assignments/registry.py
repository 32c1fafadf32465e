"""Which content can be assigned: content apps (kb, courses) register their types in ``AppConfig.ready()``.

assignments never imports them; a target is stored as a content type and an object id, and everything it
needs to know about one (its label, where the learner goes, who owes it without a rule, how long a completion
stays valid) it asks the registered ``TargetType``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Model

if TYPE_CHECKING:
    from people.audience import Audience
    from people.models import StaffProfile


@dataclass(frozen=True)
class Owed:
    """One person owes one target without a rule (e.g. the page's audience), for one cycle, by a date.

    ``cycle`` distinguishes successive duties on the same target (kb: the version number): when the owing
    app reports a higher cycle, open obligations of older cycles are withdrawn. ``completed_at`` and
    ``record`` describe a completion that already exists (a migration of past evidence).
    """

    person: StaffProfile
    target: Model
    cycle: int
    due_date: datetime.date
    completed_at: datetime.datetime | None = None
    record_id: int | None = None  # the ledger record proving the completion
    on_time: bool | None = None  # as the evidence recorded it; None: completed_at <= due_date


OwedFn = Callable[["list[StaffProfile] | None", "list[Model] | None"], Iterable[Owed]]


@dataclass(frozen=True)
class TargetType:
    key: str  # "kb.procedure", "kb.regulation", "courses.course", "courses.path"
    model: type[Model]  # the concrete model (a Page subclass or any model)
    label: str  # translated, e.g. _("Course")
    kind: str  # "acknowledgement" | "training"
    url: Callable[[Model], str]  # where the learner goes to do it
    # optional: who is owed it without a rule (kb: the page's audience), as a people.audience Audience
    audience: Callable[[Model], Audience | None] | None = None
    # optional: the target's validity in months (courses: recertification); None = never expires
    validity_months: Callable[[Model], int | None] | None = None
    # optional: an ordered list of member targets (a learning path -> its courses)
    members: Callable[[Model], list[Model]] | None = None
    # optional, more precise than ``audience``: the owing app's own computation of who owes which of its
    # targets, by when. Called as owed(people, targets); None for either means "all" (active staff, live
    # targets). kb passes its acknowledgement rules here so that they stay kb's.
    owed: OwedFn | None = None
    # optional: a short title for lists (default str(target))
    title: Callable[[Model], str] | None = None

    def title_of(self, target: Model) -> str:
        return self.title(target) if self.title else str(target)


ACKNOWLEDGEMENT, TRAINING = "acknowledgement", "training"

_registry: dict[str, TargetType] = {}


class NotAssignable(LookupError):
    """The object or model is of no registered target type."""


def register(target_type: TargetType) -> None:
    """Declare a type of content as assignable (idempotent per key: the last registration wins)."""
    if target_type.kind not in (ACKNOWLEDGEMENT, TRAINING):
        raise ValueError(f"TargetType {target_type.key}: kind must be acknowledgement or training")
    _registry[target_type.key] = target_type


def target_type_for(obj_or_model: Model | type[Model]) -> TargetType:
    """The registered type of an object or model (its concrete class, or the nearest registered parent)."""
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    model = model._meta.concrete_model if model._meta.proxy else model
    for target_type in _registry.values():
        if target_type.model is model:
            return target_type
    for target_type in _registry.values():
        if issubclass(model, target_type.model):
            return target_type
    raise NotAssignable(f"{model.__name__} is not a registered assignment target")


def target_type_by_key(key: str) -> TargetType:
    try:
        return _registry[key]
    except KeyError:
        raise NotAssignable(key) from None


def registered() -> list[TargetType]:
    return list(_registry.values())
