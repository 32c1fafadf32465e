"""The rule form for the Wagtail admin: the target is picked from what content apps registered."""

from __future__ import annotations

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import DueKind
from .registry import TRAINING, registered

TARGET_REQUIRED = _("Choose what must be done.")
TARGET_UNKNOWN = _("That item can no longer be assigned; choose another.")
FIXED_NEEDS_DATE = _("Give the fixed due date.")
WINDOW_ORDER = _("The end of the active window cannot be before its start.")
TARGET_CHOICES_LIMIT = 500  # per type: the newest live items


def target_choices(kinds: tuple[str, ...] | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices "content type id:object id" over the registered target types (of ``kinds``)."""
    groups = []
    for ttype in registered():
        if kinds is not None and ttype.kind not in kinds:
            continue
        manager = ttype.model._default_manager
        qs = manager.live() if hasattr(manager, "live") else manager.all()
        ct = ContentType.objects.get_for_model(ttype.model)
        items = [
            (f"{ct.pk}:{obj.pk}", ttype.title_of(obj)) for obj in qs.order_by("-pk")[:TARGET_CHOICES_LIMIT]
        ]
        if items:
            groups.append((str(ttype.label), sorted(items, key=lambda item: item[1])))
    return groups


class AssignmentRuleForm(WagtailAdminModelForm):
    target_choice = forms.ChoiceField(label=_("What must be done"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_choice"].choices = [("", "---------"), *target_choices()]
        if self.instance.pk:
            self.initial["target_choice"] = f"{self.instance.target_type_id}:{self.instance.target_id}"

    def clean_target_choice(self) -> str:
        value = self.cleaned_data.get("target_choice") or ""
        if not value:
            raise forms.ValidationError(TARGET_REQUIRED)
        valid = {key for _group, items in target_choices() for key, _label in items}
        if value not in valid:
            raise forms.ValidationError(TARGET_UNKNOWN)
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("due_kind") == DueKind.FIXED and not cleaned.get("due_date"):
            self.add_error("due_date", FIXED_NEEDS_DATE)
        start, end = cleaned.get("active_from"), cleaned.get("active_until")
        if start and end and end < start:
            self.add_error("active_until", WINDOW_ORDER)
        return cleaned

    def save(self, commit: bool = True):
        rule = self.instance
        ct_id, obj_id = self.cleaned_data["target_choice"].split(":")
        rule.target_type_id, rule.target_id = int(ct_id), int(obj_id)
        if rule.pk is None and self.for_user is not None and self.for_user.is_authenticated:
            rule.created_by = self.for_user
        return super().save(commit=commit)


def target_from_choice(value: str):
    """The object a "content type id:object id" choice names, or None."""
    ct_id, _sep, obj_id = (value or "").partition(":")
    if not (ct_id.isdigit() and obj_id.isdigit()) or len(value) > 40:
        return None
    ct = ContentType.objects.filter(pk=int(ct_id)).first()
    model = ct.model_class() if ct else None
    if model is None:
        return None
    return model._default_manager.filter(pk=int(obj_id)).first()


class ManualAssignmentForm(forms.Form):
    """A supervisor assigns training to one of their reports."""

    target = forms.ChoiceField(label=_("Training"))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "---------"), *target_choices((TRAINING,))]

    def clean_target(self):
        target = target_from_choice(self.cleaned_data.get("target", ""))
        if target is None:
            raise forms.ValidationError(TARGET_UNKNOWN)
        return target
