import re

from django import forms
from django.utils.translation import gettext_lazy as _

CODE_RE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$")


class RefresherForm(forms.Form):
    reason = forms.CharField(
        label=_("Why a refresher is required"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Staff see this, e.g. the new rule the course now teaches."),
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        help_text=_("As printed on the certificate, e.g. K7QX-2M9P-TR4B."),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip().upper().replace(" ", "")
        if len(code) == 12 and "-" not in code:
            code = f"{code[:4]}-{code[4:8]}-{code[8:]}"
        if not CODE_RE.match(code):
            raise forms.ValidationError(
                _("A verification code has 12 letters and digits, like K7QX-2M9P-TR4B.")
            )
        return code
