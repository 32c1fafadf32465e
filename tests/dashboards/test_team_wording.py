"""#9 item 17: the team page counts items to acknowledge per person (「逾期 2 項」), not people; the trace
counts people per department. Separate messages in zh-Hant and zh-Hans."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import override

from assignments.services import audience_materialise
from kb.models import PublishedVersion

TODAY = timezone.localdate()


def test_team_page_counts_items_not_people(make_procedure, make_staff, login, client):
    boss = make_staff("boss", groups=["Staff", "Supervisor"])
    make_staff("clerk", supervisor=boss, groups=["Staff"], hire_date=TODAY - datetime.timedelta(days=900))
    for code in ["SOP-A", "SOP-B"]:  # overdue
        page = make_procedure(code, effective_date=TODAY - datetime.timedelta(days=60), ack_due_days=7)
        PublishedVersion.objects.filter(page_id=page.pk).update(
            published_at=timezone.now() - datetime.timedelta(days=60)
        )
    make_procedure("SOP-C", ack_due_days=7)  # not yet due
    audience_materialise()  # the backdated versions' due dates reach the obligation table (as the daily run)
    html = login(boss.user).get(reverse("team")).content.decode()
    assert "逾期 2 項" in html and "待確認 1 項" in html
    assert "逾期 2 人" not in html and "待確認 1 人" not in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    html = client.get(reverse("team")).content.decode()
    translation.activate(settings.LANGUAGE_CODE)  # the request left zh-hans active in this thread
    assert "逾期 2 项" in html and "待确认 1 项" in html


def test_catalogues_word_items_and_people_apart():
    from django.utils.translation import ngettext

    expected = [("zh-hant", "逾期 3 項", "逾期 3 人"), ("zh-hans", "逾期 3 项", "逾期 3 人")]
    for language, items, people in expected:
        with override(language):
            assert ngettext("%(n)s item overdue", "%(n)s items overdue", 3) % {"n": 3} == items
            assert ngettext("%(n)s person overdue", "%(n)s people overdue", 3) % {"n": 3} == people
