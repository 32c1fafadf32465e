"""Forms staff use on the site (filters, recording a review); page forms live with their models."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kb.models import Issuer, RegulationTag, RegulationUpdatePage


class RegulationFilterForm(forms.Form):
    issuer = forms.ModelChoiceField(
        Issuer.objects.all(), required=False, label=_("Issuer"), empty_label=_("All issuers")
    )
    impact = forms.ChoiceField(
        choices=[("", _("Any impact")), *RegulationUpdatePage.IMPACTS], required=False, label=_("Impact")
    )
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *RegulationUpdatePage.STATUSES], required=False, label=_("Status")
    )
    date_from = forms.DateField(
        required=False, label=_("Issued from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label=_("Issued to"), widget=forms.DateInput(attrs={"type": "date"})
    )
    tag = forms.ChoiceField(required=False, label=_("Tag"))
    unread = forms.BooleanField(required=False, label=_("Unread only"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = RegulationTag.objects.values_list("tag__name", flat=True).distinct().order_by("tag__name")
        self.fields["tag"].choices = [("", _("Any tag")), *((name, name) for name in names)]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


class MarkReviewedForm(forms.Form):
    """ "Reviewed, no change" (the admin screen and the owner's form on the site)."""

    comment = forms.CharField(
        label=_("What did you check?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "e.g. Checked against the 2026 complaint statistics and the new hotline hours; still correct."
        ),
    )
