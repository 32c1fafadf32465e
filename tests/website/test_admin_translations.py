"""The Wagtail admin in Traditional Chinese: what Wagtail leaves in English comes from our catalogue, and
the privacy panel speaks of signed-in staff, not the public (issue #9 item 21)."""

import re

import pytest
from django.urls import reverse

from kb.models import ProcedurePage
from tests.kb.test_workflow import submit

LEFT_IN_ENGLISH = [
    "Task submitted by",
    "Privacy and access",
    "Visible to all",
    "Once live anyone can view",
    "Page visibility",
    "Aging pages",
]


def visible_text(html: str) -> str:
    html = re.sub(r"(?s)<script.*?</script>|<template.*?</template>", " ", html)
    return re.sub(r"(?s)<[^>]+>", " ", html)


@pytest.fixture
def pending(make_procedure, make_staff):
    editor = make_staff("editor", groups=["Staff", "Content editor"]).user
    page = submit(make_procedure(), editor, change_summary="回覆期限改為 7 個工作天。")
    return ProcedurePage.objects.get(pk=page.pk)


def test_admin_screens_show_no_english_left_over(pending, make_staff, superuser, login):
    compliance = make_staff("compliance", groups=["Staff", "Compliance officer"]).user
    client = login(compliance)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[pending.pk])).content.decode()
    aging = login(superuser).get(reverse("wagtailadmin_reports:aging_pages")).content.decode()
    text = " ".join(visible_text(html) for html in (dashboard, edit, aging))
    for english in LEFT_IN_ENGLISH:
        assert english not in text, english
    assert "任務提交者" in visible_text(dashboard)
    assert "所有已登入員工可見" in visible_text(edit)
    assert "久未更新的頁面" in visible_text(aging)


def test_role_names_are_translated_on_the_user_screens(make_staff, login):
    trainer = make_staff("trainer", groups=["Staff", "Training admin"]).user
    client = login(trainer)
    form = client.get(reverse("wagtailusers_users:add")).content.decode()
    listing = client.get(reverse("wagtailusers_users:index")).content.decode()
    for html in (form, listing):
        assert "內容編輯" in html and "人力資源" in html
    assert "稽核" in listing  # the group filter; the form offers only the groups a training admin may grant
    assert ">Content editor<" not in form and "Content editor</label>" not in form
