"""The audience rule: who is concerned by a page, a rule, an obligation. One definition, three forms.

An audience is "everyone", or criteria that a person must meet **all** of (each listed dimension — department,
position, group, hired on or after a date — counts only when it is set), plus people named one by one, who are
always included. Inactive people are in no audience, nor are read-only people (auditors: they acknowledge and
complete nothing, so nothing may be owed by them; ``StaffProfile.read_only``). An audience with nothing set
includes nobody.

From the one table of dimensions below come:
- ``Audience.matches(profile)``: the check in memory (for a person and many audiences, prefetched);
- ``Audience.staff_q()``: a filter over ``StaffProfile`` (who is in this audience);
- ``audience_includes_q(model, profile)``: a filter over any model that stores an audience in fields
  (which of these pages, rules… include this person).
``tests/people/test_audience.py`` runs all three over every demo person and asserts they agree.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, Model, OuterRef, Q

from .models import StaffProfile


@dataclass(frozen=True)
class Dimension:
    """One criterion: its Audience attribute, how to read it off a profile, how to filter staff by it."""

    name: str  # Audience attribute and the default stored field suffix: audience_<name>
    profile_values: Callable[[StaffProfile, frozenset[int] | None], Iterable[Any]]  # a person's value(s)
    staff_q: Callable[[list[int], str], Q]  # StaffProfile filter for "value in the listed ones"


def _in_groups(group_ids: list[int], prefix: str) -> Q:
    memberships = get_user_model().groups.through.objects.filter(group_id__in=group_ids)
    return Q(**{f"{prefix}user_id__in": memberships.values("user_id")})  # a subquery: no duplicate rows


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        "departments",
        lambda p, _g: (p.department_id,),
        lambda ids, pre: Q(**{f"{pre}department_id__in": ids}),
    ),
    Dimension(
        "positions", lambda p, _g: (p.position_id,), lambda ids, pre: Q(**{f"{pre}position_id__in": ids})
    ),
    Dimension("groups", lambda p, groups: groups if groups is not None else (), _in_groups),
)


@dataclass(frozen=True)
class Audience:
    everyone: bool = False
    departments: frozenset[int] = field(default_factory=frozenset)
    positions: frozenset[int] = field(default_factory=frozenset)
    groups: frozenset[int] = field(default_factory=frozenset)
    hired_on_or_after: datetime.date | None = None
    people: frozenset[int] = field(default_factory=frozenset)  # staff profile ids, always included

    @property
    def has_criteria(self) -> bool:
        return self.hired_on_or_after is not None or any(getattr(self, d.name) for d in DIMENSIONS)

    @property
    def is_empty(self) -> bool:
        return not (self.everyone or self.has_criteria or self.people)

    def matches(self, profile: StaffProfile, *, group_ids: Iterable[int] | None = None) -> bool:
        """Whether ``profile`` is in this audience. Pass the person's ``group_ids`` when groups are listed."""
        if not profile.is_active or profile.read_only:
            return False
        if self.everyone or profile.pk in self.people:
            return True
        if not self.has_criteria:
            return False
        groups = frozenset(group_ids) if group_ids is not None else None
        for dim in DIMENSIONS:
            listed = getattr(self, dim.name)
            if listed and not listed.intersection(dim.profile_values(profile, groups)):
                return False
        return self.hired_on_or_after is None or profile.hire_date >= self.hired_on_or_after

    def staff_q(self, prefix: str = "") -> Q:
        """A filter over StaffProfile (or, with ``prefix`` like "person__", over a relation to it)."""
        active = Q(**{f"{prefix}is_active": True, f"{prefix}read_only": False})
        if self.everyone:
            return active
        named = Q(**{f"{prefix}pk__in": sorted(self.people)}) if self.people else Q(pk__in=[])
        if not self.has_criteria:
            return active & named
        criteria = Q()
        for dim in DIMENSIONS:
            listed = getattr(self, dim.name)
            if listed:
                criteria &= dim.staff_q(sorted(listed), prefix)
        if self.hired_on_or_after is not None:
            criteria &= Q(**{f"{prefix}hire_date__gte": self.hired_on_or_after})
        return active & (criteria | named)

    @classmethod
    def of(cls, obj: Model, fields: AudienceFields | None = None) -> Audience:
        """The audience stored on ``obj`` (prefetch its many-to-many fields when reading many)."""
        fields = fields or audience_fields_of(type(obj))
        values: dict[str, Any] = {"everyone": bool(getattr(obj, fields.everyone))}
        for dim in DIMENSIONS:
            name = fields.lists.get(dim.name)
            if name:
                values[dim.name] = frozenset(item.pk for item in getattr(obj, name).all())
        if fields.hired_on_or_after:
            values["hired_on_or_after"] = getattr(obj, fields.hired_on_or_after)
        if fields.people:
            values["people"] = frozenset(item.pk for item in getattr(obj, fields.people).all())
        return cls(**values)


@dataclass(frozen=True)
class AudienceFields:
    """Where a model stores its audience: a boolean for everyone, many-to-many fields per dimension."""

    everyone: str = "audience_all"
    lists: dict[str, str] = field(default_factory=dict)  # dimension name → many-to-many field name
    hired_on_or_after: str = ""
    people: str = ""  # many-to-many field to StaffProfile

    @property
    def prefetch(self) -> list[str]:
        return [*self.lists.values(), *([self.people] if self.people else [])]


def audience_fields_of(model: type[Model]) -> AudienceFields:
    """A model declares its fields as ``audience_fields = AudienceFields(...)``."""
    fields = getattr(model, "audience_fields", None)
    if not isinstance(fields, AudienceFields):
        raise TypeError(f"{model.__name__} has no audience_fields = AudienceFields(...)")
    return fields


def audience_includes_q(
    model: type[Model], profile: StaffProfile | None, *, group_ids: Iterable[int] | None = None
) -> Q:
    """A filter over ``model`` for the objects whose stored audience includes ``profile``.

    Give ``group_ids`` (the person's groups) when the model lists groups; otherwise they are read in a
    subquery.
    """
    if profile is None or not profile.is_active or profile.read_only:
        return Q(pk__in=[])
    fields = audience_fields_of(model)
    any_criteria: Q = Q(pk__in=[])
    all_met = Q()

    for dim in DIMENSIONS:
        name = fields.lists.get(dim.name)
        if not name:
            continue
        relation = model._meta.get_field(name)
        through = relation.remote_field.through
        owner = relation.m2m_field_name()
        target = relation.m2m_reverse_field_name()
        rows = through.objects.filter(**{owner: OuterRef("pk")})
        if dim.name == "groups" and group_ids is None:
            mine = rows.filter(**{f"{target}__user": profile.user_id})
        else:
            groups = frozenset(group_ids) if group_ids is not None else None
            mine = rows.filter(**{f"{target}__in": list(dim.profile_values(profile, groups))})
        any_criteria |= Q(Exists(rows))
        all_met &= ~Q(Exists(rows)) | Q(Exists(mine))
    if fields.hired_on_or_after:
        hired = fields.hired_on_or_after
        any_criteria |= Q(**{f"{hired}__isnull": False})
        all_met &= Q(**{f"{hired}__isnull": True}) | Q(**{f"{hired}__lte": profile.hire_date})
    included = Q(**{fields.everyone: True}) | (any_criteria & all_met)
    if fields.people:
        relation = model._meta.get_field(fields.people)
        through = relation.remote_field.through
        owner = relation.m2m_field_name()
        target = relation.m2m_reverse_field_name()
        included |= Q(Exists(through.objects.filter(**{owner: OuterRef("pk"), target: profile.pk})))
    return included
